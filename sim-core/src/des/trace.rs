//! Request traces: a sampled user request's path through the system as contiguous per-hop spans (network, queue
//! and service time at each node, fan-outs with their calls), how a traced request's spans are built as it moves,
//! and which finished requests each simulated second keeps.
//!
//! Spans telescope: a builder keeps a cursor (simulated time and the request's accumulated fixed delay at the
//! end of its last hop) and closes each hop from the difference, so the hops of a trace add up to the latency
//! the engine records, `now - start + delay`, by construction.
//!
//! Sampling never touches the simulation: candidates are drawn at admission from a random source of their own,
//! and each second's keepers are chosen from that second's finished candidates with a source seeded from the
//! scenario's seed and the second, so a run gives the same traces however it is cut into chunks.

use rand::{Rng, SeedableRng};
use rand_pcg::Pcg64Mcg;
use serde::{Deserialize, Serialize};

/// Candidates drawn per trace kept: enough that each second has failures and slow requests to choose from, few
/// enough that tracing 10 a second costs under 5 % at 1,000 requests/s (at 8 it cost 5.5 %).
const OVERSAMPLE: f64 = 5.0;
/// Room for the hops of most traces (region, load balancer, app, session, cache, database, job, services).
const HOPS: usize = 10;
/// Salt of the candidates' random source (the scenario's seed is xored with it).
const PICK_SALT: u64 = 0x7ace_5a3e_0f1a_4b2d;
/// Salt of each second's selection.
const KEEP_SALT: u64 = 0x5e1e_c7ed_9b3c_d4e1;

/// A user request's class.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Class {
    /// A static file.
    Static,
    /// A page that reads data.
    Read,
    /// A save.
    Write,
}

/// One traced user request: when it arrived, how long it took, whether it was answered, and its hops.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Trace {
    /// Admission sequence number of the user's request (1-based; its retries keep it).
    pub id: u64,
    /// Simulated second it arrived.
    pub start_s: f64,
    /// End-to-end latency in milliseconds, as the engine records it (failed requests included).
    pub latency_ms: f64,
    /// Static, read or write.
    pub class: Class,
    /// Whether it was answered.
    pub ok: bool,
    /// Attempts the client made: 1 + retries.
    pub attempts: u32,
    /// Its hops, contiguous: each starts where the previous ended, the first at 0, and they add up to the latency.
    pub hops: Vec<Hop>,
}

/// A span of a request's path: reaching a node, waiting there, being served.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Hop {
    /// Where.
    pub node: Node,
    /// Start, in milliseconds from the request's start on the user's timeline.
    pub at_ms: f64,
    /// Network time to reach it.
    pub net_ms: f64,
    /// Time queued.
    pub wait_ms: f64,
    /// Time served (a fan-out's whole span, from the fork until the slowest answer is back).
    pub service_ms: f64,
    /// How it went.
    pub outcome: Outcome,
    /// The client's attempt it belongs to (1-based).
    pub attempt: u32,
    /// A fan-out's calls (services, shards), each starting at the fan-out's `at_ms`; empty otherwise.
    pub calls: Vec<Hop>,
}

impl Hop {
    /// Its duration in milliseconds.
    pub fn duration_ms(&self) -> f64 {
        self.net_ms + self.wait_ms + self.service_ms
    }
}

/// A node of the system.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Node {
    /// What it is.
    pub kind: NodeKind,
    /// Which one of its kind within its region: app server n, Redis node n, replica n, service x, shard s, CDN
    /// edge n; 0 for the rest.
    pub index: u32,
    /// Its region (0 for CDN edges, which belong to none).
    pub region: u8,
}

/// What a node is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NodeKind {
    /// A CDN edge.
    Edge,
    /// The trip to the serving region (geo-DNS's choice), including a write's detour to the primaries' region.
    Region,
    /// The load balancer.
    LoadBalancer,
    /// An app server.
    App,
    /// The session read in Redis.
    Session,
    /// Redis as the data cache.
    Cache,
    /// A database primary.
    Primary,
    /// A read replica.
    Replica,
    /// Enqueueing a slow job.
    Queue,
    /// An inline slow job (its downstream call).
    Job,
    /// A fan-out to the services.
    Services,
    /// A service call.
    Service,
    /// A cross-shard scatter-gather.
    Shards,
    /// The client's retry delay and resend.
    Retry,
}

/// How a hop went.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Served.
    Served,
    /// A cache hit.
    Hit,
    /// A cache miss.
    Miss,
    /// Answered from data older than the key's last write.
    Stale,
    /// Refused: the station was at capacity.
    Full,
    /// Waited in the queue past the timeout.
    TimedOut,
    /// The machine was down.
    Dead,
    /// The client retries after this.
    Retried,
    /// 202: the job was queued.
    Accepted,
    /// Served elsewhere because its first choice was down: a read on a replica while the primary is dead, users
    /// moved to another region.
    FailedOver,
    /// 429 from the rate limit.
    RateLimited,
    /// Another user's cached private page, from the CDN.
    WrongUser,
    /// No region serves the user (theirs is dark and geo-DNS has not moved them yet).
    NoRegion,
    /// A service call that hit a hiccup.
    Stalled,
    /// A stalled call answered by its hedge.
    Hedged,
    /// The router refused it: a write while the primary is dead, no server, the load balancer down, a job that
    /// never ran because the request failed before it.
    Refused,
}

/// How a closing hop's time divides into network, queue and service time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Part {
    /// A station visit of this service time (ns): the delay added is network, the rest of the simulated time
    /// beyond the service is queueing.
    Visit(u64),
    /// All network.
    Network,
    /// All service (a fan-out's span, a slow job's fixed time or its timeout).
    Span,
}

/// A fan-out under way: where it started and its calls (the call's request id and its hop once it ended).
#[derive(Clone, Debug)]
struct Fanout {
    at: u64,
    t: u64,
    calls: Vec<(u32, Hop)>,
}

/// A traced request's spans so far.
#[derive(Clone, Debug)]
pub(crate) struct Builder {
    id: u64,
    start: u64,
    attempt: u32,
    hops: Vec<Hop>,
    /// Simulated time and the request's fixed delay where the last hop ended (ns).
    t: u64,
    d: u64,
    /// The hops' summed duration (ns): `t - start + d`.
    at: u64,
    /// The station visit under way, and its outcome if it goes as planned.
    open: Option<(Node, Outcome)>,
    fanout: Option<Fanout>,
}

fn ms(ns: u64) -> f64 {
    ns as f64 / 1e6
}

impl Builder {
    /// A request admitted at `start` (ns), the `id`th of the run.
    pub(crate) fn new(id: u64, start: u64) -> Builder {
        Builder { id, start, attempt: 1, hops: Vec::with_capacity(HOPS), t: start, d: 0, at: 0, open: None, fanout: None }
    }

    /// Closes a hop at `node` ending now, with the request's delay at `delay`: its duration is what both advanced
    /// since the last hop ended.
    pub(crate) fn close(&mut self, now: u64, delay: u64, node: Node, outcome: Outcome, part: Part) {
        let dt = now.saturating_sub(self.t);
        let dd = delay.saturating_sub(self.d);
        let (net, wait, service) = match part {
            Part::Visit(service) => (dd, dt - service.min(dt), service.min(dt)),
            Part::Network => (dd + dt, 0, 0),
            Part::Span => (0, 0, dt + dd),
        };
        self.hops.push(Hop {
            node,
            at_ms: ms(self.at),
            net_ms: ms(net),
            wait_ms: ms(wait),
            service_ms: ms(service),
            outcome,
            attempt: self.attempt,
            calls: Vec::new(),
        });
        self.at += net + wait + service;
        (self.t, self.d) = (now, delay);
    }

    /// Closes a hop of `ns` of fixed network delay added now (the request's delay grew by at least that much).
    pub(crate) fn network(&mut self, now: u64, ns: u64, node: Node, outcome: Outcome) {
        self.close(now, self.d + ns, node, outcome, Part::Network);
    }

    /// Forgets every hop: the request's delay was set afresh (a page answered at the edge after all).
    pub(crate) fn restart(&mut self) {
        *self = Builder::new(self.id, self.start);
    }

    /// The request goes to `node`; `outcome` is what the visit gives if it is served.
    pub(crate) fn open(&mut self, node: Node, outcome: Outcome) {
        self.open = Some((node, outcome));
    }

    /// The visit under way ended now: served for `service` ns, or refused (`refusal`).
    pub(crate) fn visited(&mut self, now: u64, delay: u64, service: u64, refusal: Option<Outcome>) {
        if let Some((node, planned)) = self.open.take() {
            let service = if refusal.is_some() { 0 } else { service };
            self.close(now, delay, node, refusal.unwrap_or(planned), Part::Visit(service));
        }
    }

    /// Changes the last hop's outcome (known only once its visit ended: a cache hit, a stale read).
    pub(crate) fn mark(&mut self, outcome: Outcome) {
        if let Some(h) = self.hops.last_mut() {
            h.outcome = outcome;
        }
    }

    /// The client's next attempt begins.
    pub(crate) fn next_attempt(&mut self, attempt: u32) {
        self.attempt = attempt;
    }

    /// The request fans out now.
    pub(crate) fn fork(&mut self, now: u64) {
        self.fanout = Some(Fanout { at: self.at, t: now, calls: Vec::new() });
    }

    /// Request `call`, to `node`, is one of the fan-out's calls.
    pub(crate) fn call(&mut self, call: u32, node: Node) {
        let attempt = self.attempt;
        if let Some(f) = &mut self.fanout {
            let hop = Hop {
                node,
                at_ms: ms(f.at),
                net_ms: 0.0,
                wait_ms: 0.0,
                service_ms: 0.0,
                outcome: Outcome::Served,
                attempt,
                calls: Vec::new(),
            };
            f.calls.push((call, hop));
        }
    }

    /// Call `call` ended now with `outcome`: `net` and `extra` ns of fixed delay (its network, a stall), served
    /// for `service` ns (0 if refused).
    pub(crate) fn called(&mut self, call: u32, now: u64, (net, extra): (u64, u64), service: u64, outcome: Outcome) {
        let Some(f) = &mut self.fanout else {
            return;
        };
        let dt = now.saturating_sub(f.t);
        let served = service.min(dt);
        if let Some((_, hop)) = f.calls.iter_mut().find(|c| c.0 == call) {
            (hop.net_ms, hop.wait_ms, hop.service_ms, hop.outcome) = (ms(net), ms(dt - served), ms(served + extra), outcome);
        }
    }

    /// The fan-out's last answer is back (the request's delay now includes the wait for it): closes its hop, at
    /// `node`, failed with the first failed call's outcome if any failed.
    pub(crate) fn joined(&mut self, now: u64, delay: u64, node: Node) {
        let Some(f) = self.fanout.take() else {
            return;
        };
        let calls: Vec<Hop> = f.calls.into_iter().map(|c| c.1).collect();
        let outcome = calls.iter().map(|c| c.outcome).find(|o| o.failed()).unwrap_or(Outcome::Served);
        self.close(now, delay, node, outcome, Part::Span);
        if let Some(h) = self.hops.last_mut() {
            h.calls = calls;
        }
    }

    /// The finished trace: `latency_ms` as the engine records it.
    pub(crate) fn finish(self, class: Class, ok: bool, latency_ms: f64) -> Trace {
        Trace { id: self.id, start_s: self.start as f64 / 1e9, latency_ms, class, ok, attempts: self.attempt, hops: self.hops }
    }
}

impl Outcome {
    /// Whether the hop failed the request's attempt.
    pub fn failed(self) -> bool {
        matches!(self, Outcome::Full | Outcome::TimedOut | Outcome::Dead | Outcome::RateLimited | Outcome::NoRegion | Outcome::Refused)
    }
}

/// Which requests are traced and which traces each simulated second keeps.
#[derive(Clone, Debug)]
pub(crate) struct Sampling {
    /// Traces kept per simulated second (0: tracing off).
    budget: u32,
    /// Chance that an admitted request is a candidate.
    chance: f64,
    /// Admissions to pass over before the next candidate (drawn once per candidate, not once per request).
    skip: u64,
    rng: Pcg64Mcg,
    seed: u64,
    /// The second whose finished candidates are pending, and they.
    second: u64,
    pending: Vec<Trace>,
    /// Every trace kept so far, in finishing order.
    kept: Vec<Trace>,
}

impl Sampling {
    /// `budget` traces per simulated second for a run of `seed` whose arrivals peak at `peak_rps`.
    pub(crate) fn new(budget: u32, seed: u64, peak_rps: f64) -> Sampling {
        let chance = if budget == 0 { 0.0 } else { (OVERSAMPLE * budget as f64 / peak_rps.max(1e-9)).min(1.0) };
        let rng = Pcg64Mcg::seed_from_u64(seed ^ PICK_SALT);
        let mut sampling = Sampling { budget, chance, skip: 0, rng, seed, second: 0, pending: Vec::new(), kept: Vec::new() };
        sampling.skip = sampling.gap();
        sampling
    }

    /// Admissions before the next candidate: geometric, as if each request were drawn with the chance.
    fn gap(&mut self) -> u64 {
        if self.chance >= 1.0 || self.chance <= 0.0 {
            return 0;
        }
        let u: f64 = 1.0 - self.rng.random::<f64>();
        (libm::log(u) / libm::log1p(-self.chance)).floor().min(u64::MAX as f64) as u64
    }

    /// Whether the request being admitted is a candidate.
    pub(crate) fn pick(&mut self) -> bool {
        if self.chance <= 0.0 {
            return false;
        }
        if self.skip > 0 {
            self.skip -= 1;
            return false;
        }
        self.skip = self.gap();
        true
    }

    /// A candidate finished at `now` (ns).
    pub(crate) fn offer(&mut self, trace: Trace, now: u64) {
        let second = now / 1_000_000_000;
        if second != self.second {
            self.select();
            self.second = second;
        }
        self.pending.push(trace);
    }

    /// Everything up to `now` (ns) has run: chooses the pending second's keepers once that second is over.
    pub(crate) fn ran_to(&mut self, now: u64) {
        if (self.second + 1) * 1_000_000_000 <= now + 1 {
            self.select();
        }
    }

    /// The run is over: chooses the last second's keepers.
    pub(crate) fn close(&mut self) {
        self.select();
    }

    /// Every trace kept so far, in finishing order.
    pub(crate) fn kept(&self) -> &[Trace] {
        &self.kept
    }

    /// Every trace kept, handed over at the end of the run.
    pub(crate) fn into_kept(self) -> Vec<Trace> {
        self.kept
    }

    /// Keeps at most the budget of the pending second's candidates: the failed and the slowest first (up to half
    /// the budget), the rest at random; the keepers stay in finishing order.
    fn select(&mut self) {
        let mut pending = std::mem::take(&mut self.pending);
        let budget = self.budget as usize;
        if pending.len() > budget {
            let mut order: Vec<usize> = (0..pending.len()).collect();
            order.sort_by(|&a, &b| {
                let (x, y) = (&pending[a], &pending[b]);
                x.ok.cmp(&y.ok).then(y.latency_ms.total_cmp(&x.latency_ms)).then(a.cmp(&b))
            });
            let worst = budget.div_ceil(2);
            let mut rest = order.split_off(worst);
            let mut rng = Pcg64Mcg::seed_from_u64(self.seed ^ KEEP_SALT ^ self.second.wrapping_mul(0x9e37_79b9_7f4a_7c15));
            for i in 0..budget - worst {
                let j = rng.random_range(i..rest.len());
                rest.swap(i, j);
            }
            order.extend_from_slice(&rest[..budget - worst]);
            let mut keep = vec![false; pending.len()];
            for i in order {
                keep[i] = true;
            }
            let mut i = 0;
            pending.retain(|_| {
                i += 1;
                keep[i - 1]
            });
        }
        self.kept.append(&mut pending);
    }
}
