//! A whole scenario on the request-level engine: every request is routed by the same rules the aggregate engine
//! models in bulk, with real state — per-key TTL expiry in the cache and at each CDN edge, per-key write times
//! for stale reads, each replica's replay queue and what it has applied, the load balancer's choice per request,
//! and dead servers that keep receiving traffic until two health checks fail.
//!
//! Caches start warm, as in a system that has been running: the first time a run touches a key (or an asset at
//! an edge), the key is present with its stationary probability λᵢT / (1 + λᵢT) and a uniformly random age,
//! which is the no-reset TTL model's steady state.
//!
//! This file holds the router: admission, each request's path, fork-join, replication, the series and the run.
//! Beside it: `fleet` (auto-scaling groups, rolling deploys, the worker pool's scaling), `regions` (geo-DNS, the
//! busiest region, a region going dark) and `faults` (the downstream outage and its breaker, the write burst).
//!
//! Faults run here request by request: a killed app server, a traffic spike, a cache flush (after which keys
//! are cold until read again), a killed load balancer, a deploy (one server drained and restarted at a time
//! behind a load balancer; the only server down without one), a killed primary (shard 0's: its writes fail and
//! its reads move to replicas until one is promoted, or until it is restored), a write burst (a batch job's cheap
//! bulk writes that replicas must apply one by one) and the slow jobs' downstream outage (inline saves time out
//! unless the circuit breaker skips the job; queued jobs retry with backoff and are dead-lettered), and a region
//! outage. The connection pool runs here too.
//!
//! Slow jobs run here too: inline (the write waits for the job and pays its CPU on the app server) or queued
//! (the write waits for the enqueue; jobs wait in the queue as long as it takes, and the worker pool scales on
//! queue depth every minute by the aggregate engine's rule). Client retries run here (a failed request is sent again after the client's retry delay,
//! from a new app-server choice), and so does the per-user rate limit (a token bucket per user).
//!
//! Shards and services run as real fork-join: users are hashed to shards (each with its own primary and
//! replicas); a cross-shard read sends one call to every shard and parks until the slowest answers; with
//! services, every dynamic request calls each service once (its instances in turn, each call with a chance of a
//! hiccup) and waits for the slowest.
//!
//! The auto-scaling group runs the aggregate engine's rules every 10 s on measured CPU (each server's busy share
//! since the last check), launches servers that join after their boot time, replaces servers its health checks
//! take out, and holds the pre-warming floor.
//!
//! Regions run whole: each has its own app fleet (and auto-scaling group), Redis, services and replicas of every
//! shard; users on three continents go to the nearest live region by geo-DNS; writes travel on to the primaries'
//! region. A region outage kills every machine in the first region; its users fail until geo-DNS moves them, and
//! a replica elsewhere is promoted. By design, read-your-writes sends the same share of reads to the primary that
//! the aggregate engine computes.

mod faults;
mod fleet;
mod ops;
mod regions;
mod tracing;

use crate::ids::Tier;
use std::collections::{HashMap, VecDeque};

use rand::Rng;
use rand_distr::{Distribution, Zipf};
use serde::Serialize;

pub use super::trace::{Class, Hop, Node, NodeKind, Outcome, Trace};
use super::{Core, Next, Refusal, Router, SimTime, Station};
use crate::dist::Sampler;
use crate::model::{
    bucket_of, Topology, APP_BACKLOG, CLIENT_RTT_S, EDGE_RTT_S, HEDGE_AFTER_S, HICCUP_P, HICCUP_S, KEY_SALT, LAN_RTT_S, REDIS_MAX_CLIENTS,
    REPLICATION_BASE_LAG_S, SERVICE_S, SHARD_SALT, USER_SALT, USER_SKEW,
};
use crate::policy::rate_limit::Bucket;
use crate::report::{finite, Counts, EdgeRates, LatencyMs, Report, Sample, TierStat};
use crate::scenario::{FaultKind, Scenario};
use crate::traffic::GEOS;
use tracing::{node, Tracer, TRACED};

const STATIC: u8 = 0;
const READ: u8 = 1;
const WRITE: u8 = 2;
const APPLY: u8 = 3;
const JOB: u8 = 4;
/// A call to one service, fanned out by a dynamic request.
const SVC: u8 = 5;
/// One shard's part of a cross-shard read.
const SCATTER: u8 = 6;
/// A write from a batch job during a write burst: not a user's request.
const BATCH: u8 = 7;
/// A query of the scheduled batch job (a report): loads the database, answers no user.
const REPORT: u8 = 8;

const H_APP: u8 = 0;
const H_SESSION: u8 = 1;
const H_CACHE: u8 = 2;
const H_DB: u8 = 3;
const H_APPLY: u8 = 4;
const H_JOB: u8 = 5;
const H_SVC: u8 = 6;

/// Tier bits recorded in a request's `aux` (a replica read is told by its bit).
const T_EDGE: u32 = 1;
const T_APP: u32 = 2;
const T_REDIS: u32 = 4;
const T_PRIMARY: u32 = 8;
const T_REPLICA: u32 = 16;
const T_SERVICE: u32 = 32;
/// Bits 8–15 of `aux`: the shard of the request's user.
const SHARD_SHIFT: u32 = 8;
const SHARD_MASK: u32 = 0xFF << SHARD_SHIFT;
/// Bits 16–17 of `aux`: the region serving the request.
const REGION_SHIFT: u32 = 16;
const REGION_MASK: u32 = 0x3 << REGION_SHIFT;
/// Set on requests that arrived after the warm-up.
const MEASURED: u32 = 1 << 31;
/// Set on writes that start a slow job.
const HAS_JOB: u32 = 1 << 30;
/// Bits 24–26 of `aux`: how many times the client has retried this request.
const ATTEMPT_SHIFT: u32 = 24;
const ATTEMPT_MASK: u32 = 0x7 << ATTEMPT_SHIFT;

/// Options of a request-level run.
#[derive(Clone, Copy, Debug)]
pub struct DesOptions {
    /// Seconds between series points.
    pub sample_every: f64,
    /// Share of the run before measurements start.
    pub warmup_fraction: f64,
    /// Traces kept per simulated second (0: tracing off). Tracing never changes the run.
    pub traces_per_s: u32,
}

impl Default for DesOptions {
    fn default() -> Self {
        DesOptions { sample_every: 1.0, warmup_fraction: 0.1, traces_per_s: 0 }
    }
}

/// Output of a request-level run: the report and the traces.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DesReport {
    /// Summary and series.
    pub report: Report,
    /// Every trace kept over the run, in finishing order.
    pub traces: Vec<Trace>,
    /// Events processed.
    pub events: u64,
}

/// Counters over one sample interval (or the measured window).
#[derive(Clone, Debug, Default)]
struct Window {
    offered: u64,
    served: u64,
    rejected: u64,
    latencies: Vec<f64>,
    reads: u64,
    stale: u64,
    cache_gets: u64,
    cache_hits: u64,
    cdn_gets: u64,
    cdn_hits: u64,
    lag_sum: f64,
    lag_n: u64,
    /// Client retries sent.
    retries: u64,
    /// Slow jobs skipped by an open circuit breaker, and jobs dead-lettered after their last attempt.
    skipped: u64,
    dead_lettered: u64,
    /// Requests refused with 429 by the rate limit.
    limited: u64,
    /// Logged-in pages the CDN answered with another user's cached copy.
    wrong_user: u64,
    /// Jobs finished by the workers, and their summed wait for a worker (s).
    jobs: u64,
    job_wait_sum: f64,
    /// Time spent at each tier (app, redis, db_primary, replica, services), and visits.
    tier_time: [f64; 5],
    tier_visits: [u64; 5],
}

impl Window {
    fn latency(&mut self) -> LatencyMs {
        let v = &mut self.latencies;
        if v.is_empty() {
            return LatencyMs::default();
        }
        v.sort_by(|a, b| a.total_cmp(b));
        let q = |p: f64| v[(((v.len() - 1) as f64) * p).round() as usize] * 1e3;
        LatencyMs { mean: v.iter().sum::<f64>() / v.len() as f64 * 1e3, p50: q(0.5), p95: q(0.95), p99: q(0.99) }
    }
    fn tier_ms(&self, i: usize) -> f64 {
        if self.tier_visits[i] == 0 {
            0.0
        } else {
            self.tier_time[i] / self.tier_visits[i] as f64 * 1e3
        }
    }
    fn ratio(a: u64, b: u64) -> f64 {
        if b == 0 {
            0.0
        } else {
            a as f64 / b as f64
        }
    }
}

/// One region's own machines and state: its app fleet behind its load balancer (with its auto-scaling group),
/// its Redis nodes and cache, and its service instances. Replicas are indexed globally (see
/// [`System::replica_index`]); primaries are global.
/// A server the load balancer routes to: its station id and whether it is dead.
type Routed = (u32, bool);

struct Region {
    /// Every app station of the region (the fleet, spares for scaling).
    app: Vec<u32>,
    /// Servers the load balancer routes to (station ids), with whether each is dead.
    routed: Vec<Routed>,
    balancer: crate::policy::balancer::Balancer,
    /// Auto-scaling: app stations not in the fleet, those booting (with when they will serve), the rules'
    /// streaks, and each app station's busy time at the last check.
    spare: Vec<u32>,
    booting: Vec<(u32, u64)>,
    /// The auto-scaling group's memory between checks.
    group: crate::policy::scaling::ScalingGroup<u64>,
    last_busy: Vec<f64>,
    redis: Vec<u32>,
    /// Each cached key: (expiry, fill time, whether it was already stale when the run began — written before the
    /// run, after it was filled).
    cache: HashMap<u32, (u64, u64, bool)>,
    /// Each service's instances, and where its round-robin stands.
    services: Vec<Vec<u32>>,
    svc_rr: Vec<usize>,
    /// A deploy in progress: the next server to restart and the one out now (its routed position and entry).
    deploy: Option<(usize, Option<(usize, Routed)>)>,
    /// A single server restarting (no load balancer to drain it): down until (ns).
    app_down_until: u64,
    /// The load balancer is down until this time (ns).
    lb_down_until: u64,
}

impl Region {
    /// Live servers the load balancer routes to.
    fn alive(&self) -> u32 {
        self.routed.iter().filter(|r| !r.1).count() as u32
    }
}

struct System {
    topo: Topology,
    interarrival: Sampler,
    /// The regions, in [`GEOS`] order.
    regions: Vec<Region>,
    /// Where the primaries are (the first live region), and the start of a region outage (ns).
    primary_region: usize,
    region_down_at: Option<u64>,
    /// Each shard's primary (one without sharding).
    primaries: Vec<u32>,
    /// Every replica, region by region and within a region shard by shard (`per_shard` each), and their replay
    /// stations.
    replicas: Vec<u32>,
    applies: Vec<u32>,
    per_shard: usize,
    /// Whether a station is a read replica.
    is_replica: Vec<bool>,
    /// Share of reads that need every shard (scatter-gather).
    cross: f64,
    svc_s: Sampler,
    /// Requests parked until the calls they fanned out finish.
    joins: HashMap<u32, Join>,
    /// Each (region, shard)'s replicas still serving as replicas (one is promoted when its primary dies).
    active: Vec<Vec<usize>>,
    /// Each shard's primary is dead until (ns); a replica is promoted or the primary restored then.
    db_down_until: Vec<u64>,
    /// The write burst's end (ns).
    burst_until: u64,
    /// The slow jobs' downstream outage: from, until (seconds).
    downstream: (f64, f64),
    /// Jobs waiting out a retry backoff (part of the queue's depth).
    retrying: u64,
    /// Jobs enqueued since the worker pool last scaled, and when that was (ns).
    jobs_enqueued: u64,
    workers_checked: u64,
    /// The worker pool's station, when jobs are queued.
    workers: Vec<u32>,
    job_s: Sampler,
    job_cpu_s: Sampler,
    /// Fixed time a save spends on its job once it is written: the whole job inline, the enqueue when queued (ns).
    job_delay: u64,
    /// When the auto-scaling groups last checked.
    last_check: u64,
    /// The statistics reset (end of warm-up) the busy times were last read against.
    seen_reset: u64,
    // Samplers.
    keys: Zipf<f64>,
    users: Zipf<f64>,
    assets: Zipf<f64>,
    /// Probability of the most popular asset.
    asset_top: f64,
    app_s: Sampler,
    static_s: Sampler,
    read_s: Sampler,
    write_s: Sampler,
    redis_s: Sampler,
    apply_s: Sampler,
    // State.
    /// Last write time of each (key, shard), see [`data_key`].
    last_write: HashMap<u64, u64>,
    /// The random source for the system's history before the run (which warm cache copies were already stale):
    /// apart from the engine's, so that drawing it changes no other draw.
    history: rand_pcg::Pcg64Mcg,
    /// Writes committed on the first shard's primary, as the backup policy keeps them.
    backup_log: crate::policy::backup::WriteLog,
    /// Writes lost with a dead primary that had no replica to promote.
    writes_lost: f64,
    /// When each private page's copy at the edge expires (a CDN caching logged-in pages by URL; `u64::MAX`:
    /// never filled yet).
    private_pages: Vec<u64>,
    cdn: Vec<u64>,
    pending: Vec<VecDeque<u64>>,
    visible: Vec<VecDeque<(u64, u64)>>,
    watermark: Vec<u64>,
    serving: Vec<bool>,
    ryw_share: f64,
    spawn: Vec<(u32, Next)>,
    timers: Vec<(u64, Timer)>,
    /// Traffic-spike windows (ns) and the largest load multiplier any of them reaches.
    spikes: Vec<(u64, u64)>,
    max_multiplier: f64,
    /// Set by a cache flush: keys not in the cache are cold, not warm-started.
    cold: bool,
    /// Each rate-limited user's token bucket: (tokens, last refill in ns).
    buckets: HashMap<u64, Bucket<u64>>,
    sessions_lost: f64,
    // Measurement.
    warmup_ns: u64,
    window: Window,
    measured: Window,
    counts: Counts,
    tracer: Tracer,
}

/// A parked request's fan-out: calls still running, whether one failed, and when the slowest answer reaches it
/// (its finish plus its own network delay).
#[derive(Clone, Copy, Debug)]
struct Join {
    left: u32,
    failed: bool,
    end: u64,
    kind: u8,
}

#[derive(Clone, Copy, Debug)]
enum Timer {
    Fault(FaultKind),
    /// A dead server's load balancer (region, station) has seen two failed health checks.
    Detect(usize, u32),
    /// A client resends request `id` (allocated when its previous attempt failed).
    Retry(u32),
    /// The auto-scaling group checks its rules.
    Scale,
    /// A dead primary's replacement is ready (shard, whether a replica was promoted), or it is restored.
    Promote(usize, bool),
    /// The dark region is back.
    RegionBack,
    /// A region's rolling deploy moves to its next server.
    DeployStep(usize),
    /// The next write of a write burst.
    Batch,
    /// The scheduled batch job's next query (or, while it is not running, the next look at the clock).
    Report,
    /// A failed job is tried again after its backoff.
    JobRetry(u32),
    /// The worker pool checks its queue depth.
    ScaleWorkers,
    /// A launched app server (region, station) has booted and joins the load balancer.
    Ready(usize, u32),
}

/// Salt of the pre-run history's random source (the scenario's seed is xored with it).
const HISTORY_SALT: u64 = 0x4157_0e5d_c0de_1a7e;

/// Seconds between the auto-scaling group's checks; each reads the fleet's average CPU since the last one.
const SCALE_TICK_S: f64 = 10.0;

fn ns(s: f64) -> u64 {
    SimTime::from_secs(s).0
}

impl System {
    fn new(topo: Topology, opts: &DesOptions) -> (System, Vec<Station>) {
        let s = &topo.scenario;
        let a = &s.arch;
        let mut stations = Vec::new();
        let mut add = |st: Station| {
            stations.push(st);
            (stations.len() - 1) as u32
        };
        let n_app = if a.autoscaling.enabled { a.autoscaling.desired } else { a.app_servers };
        // An auto-scaling group gets stations for its largest fleet plus a replacement for every server killed.
        let kills = s.faults.iter().filter(|f| f.kind == FaultKind::KillAppServer).count() as u32;
        let stations_app = if a.autoscaling.enabled { n_app.max(a.autoscaling.max) + kills } else { n_app };
        let n_regions = a.regions.clamp(1, GEOS.len() as u32) as usize;
        let svc = topo.station_sizes()[3];
        let mut regions = Vec::with_capacity(n_regions);
        for _ in 0..n_regions {
            let app: Vec<u32> = (0..stations_app).map(|_| add(Station::new(topo.app_vcpus, topo.app_vcpus + APP_BACKLOG))).collect();
            let redis: Vec<u32> = (0..a.redis_nodes).map(|_| add(Station::new(1, REDIS_MAX_CLIENTS))).collect();
            let services: Vec<Vec<u32>> =
                (0..a.services).map(|_| (0..a.service_instances.max(1)).map(|_| add(Station::new(svc.0, svc.1))).collect()).collect();
            regions.push(Region {
                routed: app.iter().take(n_app as usize).map(|&id| (id, false)).collect(),
                spare: app.iter().skip(n_app as usize).rev().copied().collect(),
                balancer: Default::default(),
                booting: Vec::new(),
                group: Default::default(),
                last_busy: vec![0.0; app.len()],
                app,
                redis,
                cache: HashMap::new(),
                svc_rr: vec![0; services.len()],
                services,
                deploy: None,
                app_down_until: 0,
                lb_down_until: 0,
            });
        }
        // With a connection pool, queries beyond max_connections wait in the pool instead of being refused.
        let db_k = if a.resilience.db_pool { crate::model::POOL_QUEUE } else { a.db_max_connections }.max(topo.db_vcpus);
        let shards = if topo.db_on_app { 1 } else { a.shards.max(1) };
        let primaries: Vec<u32> =
            if topo.db_on_app { vec![regions[0].app[0]] } else { (0..shards).map(|_| add(Station::new(topo.db_vcpus, db_k))).collect() };
        let copies = n_regions as u32 * shards * a.replicas;
        let replicas: Vec<u32> = (0..copies).map(|_| add(Station::new(topo.db_vcpus, db_k))).collect();
        let applies: Vec<u32> = (0..copies).map(|_| add(Station::new(1, u32::MAX))).collect();

        // The worker pool: jobs wait in the queue as long as it takes; the pool scales on queue depth.
        let queued = a.jobs.queued && a.jobs.share > 0.0;
        let workers: Vec<u32> = if queued {
            let mut pool = Station::new(a.jobs.workers.max(1), u32::MAX);
            pool.patient = true;
            vec![add(pool)]
        } else {
            Vec::new()
        };
        let mut is_replica = vec![false; stations.len()];
        for &r in &replicas {
            is_replica[r as usize] = true;
        }
        let t = &s.traffic;
        let peak = t.peak_rps().max(1e-9);
        let writes = t.peak_rps() * (1.0 - t.static_share) * t.write_fraction();
        let nodes = tracing::station_nodes(stations.len(), &regions, &primaries, &replicas, &applies);
        let max_multiplier = if s.faults.iter().any(|f| f.kind == FaultKind::TrafficSpike) { crate::scenario::SPIKE_FACTOR } else { 1.0 };
        let zipf = |n: u64, a: f64| Zipf::new(n.max(1) as f64, a).unwrap_or_else(|_| Zipf::new(1.0, 1.0).expect("a valid Zipf"));
        let exp = |secs: f64| Sampler::Exp(secs);
        let sys = System {
            interarrival: Sampler::Exp(
                1.0 / (peak * if s.faults.iter().any(|f| f.kind == FaultKind::TrafficSpike) { crate::scenario::SPIKE_FACTOR } else { 1.0 }),
            ),
            last_check: 0,
            seen_reset: 0,
            keys: zipf(t.key_count(), t.zipf_alpha),
            users: zipf(t.users, USER_SKEW),
            assets: zipf(topo.cdn.assets, topo.cdn.alpha),
            asset_top: crate::cache::Popularity::new(topo.cdn.alpha, topo.cdn.assets).top_share(),
            app_s: exp(topo.app_s),
            static_s: exp(topo.static_s),
            read_s: exp(topo.db_read_s),
            write_s: exp(topo.db_write_s),
            redis_s: exp(topo.redis_s),
            apply_s: exp(topo.apply_s),
            job_s: exp(a.jobs.job_ms / 1e3),
            job_cpu_s: exp(a.jobs.cpu_ms / 1e3),
            job_delay: ns(if queued { crate::model::ENQUEUE_S } else { a.jobs.job_ms / 1e3 }),
            workers,
            last_write: HashMap::new(),
            history: rand::SeedableRng::seed_from_u64(s.seed ^ HISTORY_SALT),
            backup_log: crate::policy::backup::WriteLog::for_scenario(&topo.scenario),
            writes_lost: 0.0,
            private_pages: vec![u64::MAX; crate::policy::edge_cache::ROUTES as usize],
            cdn: vec![u64::MAX; (topo.cdn.assets * topo.cdn.edges as u64) as usize],
            pending: vec![VecDeque::new(); replicas.len()],
            visible: vec![VecDeque::new(); replicas.len()],
            watermark: vec![0; replicas.len()],
            serving: vec![true; replicas.len()],
            per_shard: a.replicas as usize,
            is_replica,
            cross: if shards > 1 { a.cross_shard_share } else { 0.0 },
            svc_s: exp(SERVICE_S),
            joins: HashMap::new(),
            active: (0..n_regions * shards as usize).map(|g| (g * a.replicas as usize..(g + 1) * a.replicas as usize).collect()).collect(),
            db_down_until: vec![0; shards as usize],
            burst_until: 0,
            downstream: (f64::INFINITY, f64::NEG_INFINITY),
            retrying: 0,
            jobs_enqueued: 0,
            workers_checked: 0,
            ryw_share: topo.read_your_writes_share(writes),
            spawn: Vec::new(),
            timers: Vec::new(),
            spikes: s
                .faults
                .iter()
                .filter(|f| f.kind == FaultKind::TrafficSpike)
                .map(|f| (ns(f.at_s), ns(f.at_s + crate::scenario::SPIKE_S)))
                .collect(),
            max_multiplier,
            cold: false,
            buckets: HashMap::new(),
            sessions_lost: 0.0,
            warmup_ns: ns(s.duration_s * opts.warmup_fraction),
            window: Window::default(),
            measured: Window::default(),
            counts: Counts::default(),
            tracer: Tracer::new(s, opts.traces_per_s, peak * max_multiplier, nodes),
            regions,
            primary_region: 0,
            region_down_at: None,
            primaries,
            replicas,
            applies,
            topo,
        };
        (sys, stations)
    }

    fn schedule(&mut self, core: &mut Core, at: u64, timer: Timer) {
        self.timers.push((at, timer));
        core.set_timer(at);
    }

    /// Picks an app server of region `rg` for a request from `user`; None when there is none.
    fn pick_server(&mut self, core: &Core, rg: usize, user: u64) -> Option<(u32, bool)> {
        let sticky = self.topo.sticky();
        let lb = self.topo.lb();
        let region = &mut self.regions[rg];
        let n = region.routed.len();
        if n == 0 {
            return None;
        }
        let i = if sticky {
            bucket_of(user, n as u32, USER_SALT) as usize
        } else {
            let routed = &region.routed;
            region.balancer.pick(lb, n, |i| core.stations[routed[i].0 as usize].in_system())
        };
        Some(region.routed[i])
    }

    /// Indices of shard `shard`'s replicas in every region (each region's replicas of a shard are adjacent), without
    /// allocating: this runs for every write.
    fn shard_replicas(&self, shard: usize) -> impl Iterator<Item = usize> {
        let (shards, per) = (self.primaries.len(), self.per_shard);
        (0..self.regions.len()).flat_map(move |rg| (rg * shards + shard) * per..(rg * shards + shard + 1) * per)
    }

    /// Popularity of the asset of this rank (1-based).
    fn asset_share(&self, rank: u64) -> f64 {
        self.asset_top * libm::pow(rank as f64, -self.topo.cdn.alpha)
    }

    fn redis_node(&self, rg: usize, rank: u64) -> u32 {
        let redis = &self.regions[rg].redis;
        redis[bucket_of(rank, redis.len() as u32, KEY_SALT) as usize]
    }

    // The hop, its tier and the LAN hop are what make each call site distinct; a struct for them would only rename them.
    #[allow(clippy::too_many_arguments)]
    fn visit(&mut self, core: &mut Core, id: u32, station: u32, service: u64, hop: u8, tier: u32, lan: bool) -> Next {
        let r = &mut core.requests[id as usize];
        r.hop = hop;
        r.aux |= tier;
        if lan {
            r.delay += ns(LAN_RTT_S);
        }
        self.trace_visit(core, id, station, hop);
        Next::Visit { station, service }
    }

    /// After the app (and session) step: the read or write's data step.
    fn data_step(&mut self, core: &mut Core, id: u32) -> Next {
        let req = core.requests[id as usize];
        if req.class == READ && self.topo.cache_curve.is_some() && !self.regions[region_of(&req)].redis.is_empty() {
            let node = self.redis_node(region_of(&req), req.key as u64);
            let service = self.redis_s.draw_ns(&mut core.rng);
            return self.visit(core, id, node, service, H_CACHE, T_REDIS, true);
        }
        self.db_step(core, id)
    }

    fn db_step(&mut self, core: &mut Core, id: u32) -> Next {
        let req = core.requests[id as usize];
        let sh = shard_of(&req);
        let remote = !self.topo.db_on_app;
        if req.class == WRITE {
            if self.primary_down(sh, core.now) {
                self.trace_refused(core, id, self.primary_node(sh), Outcome::Refused);
                return Next::Reject; // writes fail until a replica is promoted
            }
            let service = self.write_s.draw_ns(&mut core.rng);
            return self.visit(core, id, self.primaries[sh], service, H_DB, T_PRIMARY, remote);
        }
        let service = self.read_s.draw_ns(&mut core.rng);
        let replica = self.per_shard > 0 && core.rng.random::<f64>() >= self.ryw_share;
        if self.primaries.len() > 1 && core.rng.random::<f64>() < self.cross {
            // A cross-shard read asks every shard at once and waits for the slowest (scatter-gather).
            let mut calls = Vec::with_capacity(self.primaries.len());
            for shard in 0..self.primaries.len() {
                let (station, tier, _) = self.read_target(core, region_of(&req), shard, replica);
                let service = self.read_s.draw_ns(&mut core.rng);
                calls.push((station, service, H_DB, tier, 0));
            }
            return self.fork(core, id, SCATTER, &calls);
        }
        let (station, tier, r) = self.read_target(core, region_of(&req), sh, replica);
        if tier == T_PRIMARY && self.primary_down(sh, core.now) {
            self.trace_refused(core, id, self.primary_node(sh), Outcome::Refused);
            return Next::Reject; // no replica to read from while the primary is dead
        }
        if tier == T_REPLICA {
            core.requests[id as usize].tag = r as u64;
        }
        self.visit(core, id, station, service, H_DB, tier, tier == T_REPLICA || remote)
    }

    /// Where a read on shard `shard` goes: one of its replicas, picked at random, while that one is serving
    /// (unless read-your-writes keeps the read on the primary), otherwise the primary. Returns the station, its
    /// tier bit and the replica's index.
    fn read_target(&mut self, core: &mut Core, rg: usize, shard: usize, replica: bool) -> (u32, u32, usize) {
        let down = self.primary_down(shard, core.now);
        let pool = rg * self.primaries.len() + shard;
        let n = self.active[pool].len();
        // With the primary dead every read goes to a replica.
        if (replica || down) && n > 0 {
            let r = self.active[pool][core.rng.random_range(0..n)];
            self.update_serving(r, core.now);
            if self.serving[r] || down {
                return (self.replicas[r], T_REPLICA, r);
            }
        }
        (self.primaries[shard], T_PRIMARY, usize::MAX)
    }

    /// Whether shard `shard`'s primary is dead now.
    fn primary_down(&self, shard: usize, now: u64) -> bool {
        now < self.db_down_until[shard]
    }

    /// Fans request `id` out into one call per entry of `calls` (station, service, hop, tier bit, extra delay),
    /// each a request of its own, and parks it until all have answered; see [`System::joined`].
    fn fork(&mut self, core: &mut Core, id: u32, kind: u8, calls: &[(u32, u64, u8, u32, u64)]) -> Next {
        let now = core.now;
        let parent = core.requests[id as usize];
        let traced = parent.aux & TRACED != 0;
        if traced {
            self.trace_fork(core, id);
        }
        for &(station, service, hop, tier, extra) in calls {
            let c = core.alloc(now);
            let r = &mut core.requests[c as usize];
            (r.class, r.hop, r.key, r.tag) = (kind, hop, parent.key, id as u64);
            r.aux = (parent.aux & (MEASURED | SHARD_MASK)) | tier;
            r.delay = ns(LAN_RTT_S) + extra;
            if traced {
                self.trace_call(core, id, c, (station, hop));
            }
            self.spawn.push((c, Next::Visit { station, service }));
        }
        self.joins.insert(id, Join { left: calls.len() as u32, failed: false, end: now, kind });
        Next::Park
    }

    /// One call of a fan-out ended. When it was the last, the parked request goes on: its latency gains the wait
    /// for the slowest answer (network included), and it fails if any call failed.
    fn joined(&mut self, core: &mut Core, call: super::Request, ok: bool, now: u64) {
        let parent = call.tag as u32;
        let Some(j) = self.joins.get_mut(&parent) else {
            return;
        };
        j.left -= 1;
        j.failed |= !ok;
        j.end = j.end.max(now + call.delay);
        if j.left > 0 {
            return;
        }
        let Some(j) = self.joins.remove(&parent) else {
            return;
        };
        core.requests[parent as usize].delay += j.end.saturating_sub(now);
        self.trace_joined(core, parent, j.kind);
        let next = if j.failed {
            Next::Reject
        } else if j.kind == SCATTER {
            self.read_done(core, parent, now, false)
        } else {
            Next::Done
        };
        self.spawn.push((parent, next));
    }

    /// A dynamic request's data step is complete: it calls every service at once (one instance of each, in
    /// turn) and waits for the slowest, or, without services, it is answered. Each call meets a hiccup with
    /// probability [`HICCUP_P`].
    fn done(&mut self, core: &mut Core, id: u32) -> Next {
        let rg = region_of(&core.requests[id as usize]);
        let n = self.regions[rg].services.len();
        if n == 0 {
            return Next::Done;
        }
        let mut calls = Vec::with_capacity(n);
        for i in 0..n {
            let region = &mut self.regions[rg];
            region.svc_rr[i] = (region.svc_rr[i] + 1) % region.services[i].len();
            let station = region.services[i][region.svc_rr[i]];
            let mut service = self.svc_s.draw_ns(&mut core.rng);
            let mut extra = if core.rng.random::<f64>() < HICCUP_P { ns(HICCUP_S) } else { 0 };
            if extra > 0 && self.topo.scenario.arch.resilience.hedge {
                // The copy sent after HEDGE_AFTER_S answers first unless it stalls too; its CPU is charged to
                // the same service's tier.
                service += self.svc_s.draw_ns(&mut core.rng);
                if core.rng.random::<f64>() >= HICCUP_P {
                    extra = ns(HEDGE_AFTER_S);
                }
            }
            calls.push((station, service, H_SVC, T_SERVICE, extra));
        }
        self.fork(core, id, SVC, &calls)
    }

    /// A read has its data from the database: it is checked for staleness (a replica behind the key's last
    /// write), fills the cache, and goes on to the services.
    fn read_done(&mut self, core: &mut Core, id: u32, now: u64, check_stale: bool) -> Next {
        let req = core.requests[id as usize];
        let measured = req.aux & MEASURED != 0;
        let mut stale = false;
        if check_stale && req.aux & T_REPLICA != 0 && self.is_replica.get(req.station as usize).copied().unwrap_or(false) {
            let r = req.tag as usize;
            if r < self.replicas.len() {
                self.advance_watermark(r, now);
                stale = self.last_write.get(&data_key(req.key, shard_of(&req))).is_some_and(|&w| w > self.watermark[r]);
            }
        }
        if self.topo.cache_curve.is_some() {
            let ttl = ns(self.topo.scenario.arch.cache_ttl_s);
            self.regions[region_of(&req)].cache.insert(req.key, (now + ttl, now, false));
        }
        self.record(measured, |w| {
            w.reads += 1;
            w.stale += stale as u64;
        });
        if stale {
            self.trace_mark(core, id, Outcome::Stale);
        }
        self.done(core, id)
    }

    /// Current lag of replica `r` and whether it may take reads (stop above the limit, resume below half).
    fn update_serving(&mut self, r: usize, now: u64) {
        let lag = self.pending[r].front().map_or(0, |&c| now.saturating_sub(c)) + ns(REPLICATION_BASE_LAG_S);
        let max = ns(self.topo.scenario.arch.replica_max_lag_ms / 1e3);
        self.serving[r] = crate::policy::replica_lag::serving(self.serving[r], lag as f64, max as f64);
    }

    fn advance_watermark(&mut self, r: usize, now: u64) {
        while let Some(&(at, commit)) = self.visible[r].front() {
            if at > now {
                break;
            }
            self.watermark[r] = commit;
            self.visible[r].pop_front();
        }
    }

    /// A write committed on its shard's primary: the key's last write time, and its replay on every replica of
    /// the shard (in every region).
    fn commit(&mut self, core: &mut Core, req: &super::Request, now: u64) {
        let sh = shard_of(req);
        if sh == 0 {
            self.backup_log.record(now as f64 / 1e9, 1.0);
        }
        self.last_write.insert(data_key(req.key, sh), now);
        if self.topo.scenario.arch.cache_invalidate && self.topo.cache_curve.is_some() {
            // The write deletes the key from every region's cache: the next read misses and fills it afresh.
            for region in &mut self.regions {
                region.cache.insert(req.key, (now, now, false));
            }
        }
        for r in self.shard_replicas(sh) {
            let service = self.apply_s.draw_ns(&mut core.rng);
            self.pending[r].push_back(now);
            self.side_job(core, now, (APPLY, H_APPLY, r as u32, now), req.aux, self.applies[r], service);
        }
    }

    /// Starts work a request leaves behind (a replica's replay of its write, its slow job): not a request of its
    /// own, measured with the request that caused it. `what` is (class, hop, key, tag).
    fn side_job(&mut self, core: &mut Core, now: u64, what: (u8, u8, u32, u64), aux: u32, station: u32, service: u64) {
        let id = core.alloc(now);
        let j = &mut core.requests[id as usize];
        (j.class, j.hop, j.key, j.tag) = what;
        j.aux = aux & MEASURED;
        self.spawn.push((id, Next::Visit { station, service }));
    }

    /// The per-user rate limit: a token bucket refilled at the limit and holding 15 minutes of it (seed 004's
    /// window), one token per dynamic request. Without a limit everything passes.
    fn allow(&mut self, user: u64, now: u64) -> bool {
        let Some(per_s) = crate::policy::rate_limit::per_second(&self.topo.scenario) else {
            return true;
        };
        self.buckets.entry(user).or_insert_with(|| Bucket::full(per_s, now)).allow(per_s, now)
    }

    /// Sends `req` again as attempt `attempt` after the client's retry delay: a new round trip, a new choice of
    /// app server, the same data. The wait counts in the user's latency.
    fn retry(&mut self, core: &mut Core, (old, req): (u32, super::Request), attempt: u32, now: u64) {
        let id = core.alloc(now);
        let wait = ns(crate::model::RETRY_DELAY_S);
        {
            let r = &mut core.requests[id as usize];
            r.start = req.start;
            r.class = req.class;
            r.key = req.key;
            r.tag = req.tag;
            r.aux = (req.aux & (MEASURED | HAS_JOB | SHARD_MASK | REGION_MASK)) | (attempt << ATTEMPT_SHIFT);
            r.delay = req.delay + ns(CLIENT_RTT_S);
        }
        self.trace_resend(core, old, id);
        self.schedule(core, now + wait, Timer::Retry(id));
    }

    /// Closes the current sample window into a series point.
    /// `span_s` is the point's interval (its counts' and rates'); `busy_span_s` the part of it since the stations'
    /// statistics were last reset (its utilisation's), shorter only for the point that takes in the warm-up's end.
    fn sample(&mut self, core: &mut Core, t_s: f64, (span_s, busy_span_s): (f64, f64), prev: &mut Vec<(f64, f64, f64)>) -> Sample {
        let w = std::mem::take(&mut self.window);
        let mut w = w;
        let latency_ms = w.latency();
        let mut areas = Vec::with_capacity(core.stations.len());
        for s in 0..core.stations.len() as u32 {
            areas.push(core.areas(s));
        }
        let span_ns = busy_span_s * 1e9;
        // (busy share, mean in system, offered utilisation) of station `s` over the window.
        let util = |s: u32, prev: &Vec<(f64, f64, f64)>| {
            let i = s as usize;
            let (b0, q0, o0) = prev.get(i).copied().unwrap_or((0.0, 0.0, 0.0));
            (((areas[i].0 - b0) / span_ns).clamp(0.0, 1.0), ((areas[i].1 - q0) / span_ns).max(0.0), ((areas[i].2 - o0) / span_ns).max(0.0))
        };
        let tier = |name: Tier, ids: &[u32], prev: &Vec<(f64, f64, f64)>| -> Option<TierStat> {
            let live: Vec<u32> = ids.iter().copied().filter(|&s| !core.stations[s as usize].dead).collect();
            if ids.is_empty() {
                return None;
            }
            // One pass: the busiest node's figures (the last of equals, as `max_by` gives), and the most demand any
            // node was offered.
            let (hot, offered) = live
                .iter()
                .map(|&s| util(s, prev))
                .fold(((f64::NEG_INFINITY, 0.0, 0.0), 0.0f64), |(hot, o), u| (if u.0 >= hot.0 { u } else { hot }, o.max(u.2)));
            let hot = if hot.0.is_finite() { hot } else { (0.0, 0.0, 0.0) };
            let latency_ms = match name {
                Tier::App => w.tier_ms(0),
                Tier::Redis => w.tier_ms(1),
                Tier::DbPrimary => w.tier_ms(2),
                Tier::Replica => w.tier_ms(3),
                Tier::Services => w.tier_ms(4),
                Tier::ReplicaApply | Tier::Workers => 0.0,
            };
            Some(TierStat {
                name,
                nodes: live.len() as u32,
                utilization: finite(hot.0),
                offered: finite(offered),
                queue: finite(hot.1),
                latency_ms,
            })
        };
        // The busiest region stands for its tiers, as in the aggregate engine.
        let rg = self.busiest_region(core.now);
        let region = &self.regions[rg];
        let mut tiers: Vec<TierStat> = Vec::new();
        let fleet: Vec<u32> = region.routed.iter().map(|r| r.0).collect();
        tiers.extend(tier(Tier::App, &fleet, prev));
        tiers.extend(tier(Tier::Redis, &region.redis, prev));
        if !self.topo.db_on_app {
            tiers.extend(tier(Tier::DbPrimary, &self.primaries, prev));
        }
        let shards = self.primaries.len();
        let local = &self.active[rg * shards..(rg + 1) * shards];
        let replicas: Vec<u32> = local.iter().flatten().map(|&r| self.replicas[r]).collect();
        tiers.extend(tier(Tier::Replica, &replicas, prev));
        let applies: Vec<u32> = local.iter().flatten().map(|&r| self.applies[r]).collect();
        tiers.extend(tier(Tier::ReplicaApply, &applies, prev));
        tiers.extend(tier(Tier::Workers, &self.workers, prev));
        tiers.extend(tier(Tier::Services, &region.services.concat(), prev));
        let pool = tiers.iter().find(|t| t.name == Tier::Workers).map_or(0.0, |t| t.queue) + self.retrying as f64;
        *prev = areas;
        let offered = w.offered as f64 / span_s;
        let errors = w.rejected as f64 / span_s;
        let alive = region.alive();
        let app_down = region.routed.iter().filter(|r| core.stations[r.0 as usize].dead).count() as u32;
        let primaries_down = (0..self.primaries.len()).filter(|&sh| self.primary_down(sh, core.now)).count() as u32;
        let regions_up =
            (self.regions.len() - usize::from(crate::policy::outage::region_dark(self.region_down_at, core.now).is_some())) as u32;
        let edge_rps = (w.cdn_hits + w.wrong_user) as f64 / span_s;
        let per_s = |n: u64| n as f64 / span_s;
        let edges = EdgeRates {
            edge: edge_rps,
            origin: per_s(w.offered - w.cdn_hits - w.wrong_user),
            redis: per_s(w.tier_visits[1]),
            primary: per_s(w.tier_visits[2]),
            replicas: per_s(w.tier_visits[3]),
        };
        Sample {
            edges,
            t_s,
            offered_rps: offered,
            served_rps: w.served as f64 / span_s,
            error_rps: errors,
            error_rate: Window::ratio(w.rejected, w.offered),
            latency_ms,
            tiers,
            cache_hit_rate: Window::ratio(w.cache_hits, w.cache_gets),
            cdn_hit_rate: Window::ratio(w.cdn_hits, w.cdn_gets),
            replication_lag_ms: if w.lag_n > 0 {
                w.lag_sum / w.lag_n as f64 * 1e3
            } else if self.replicas.is_empty() {
                0.0
            } else {
                REPLICATION_BASE_LAG_S * 1e3
            },
            stale_read_rate: Window::ratio(w.stale, w.reads),
            sessions_lost: self.sessions_lost,
            instances: alive,
            cost_usd_per_hour: finite(self.topo.cost_per_hour(&crate::model::Usage {
                app_instances: alive as f64,
                origin_rps: offered - edge_rps,
                cdn_rps: edge_rps,
                workers: self.workers.first().map_or(0, |&p| core.stations[p as usize].servers),
                jobs_rps: w.jobs as f64 / span_s,
            })),
            jobs: crate::report::JobStats {
                rps: w.jobs as f64 / span_s,
                queue_depth: finite(pool),
                waiting_s: if w.jobs > 0 { finite(w.job_wait_sum / w.jobs as f64) } else { 0.0 },
                workers: self.workers.first().map_or(0, |&p| core.stations[p as usize].servers),
                dead_lettered: w.dead_lettered as f64,
                skipped_rps: w.skipped as f64 / span_s,
            },
            rate_limited_rps: w.limited as f64 / span_s,
            retry_rps: w.retries as f64 / span_s,
            regions_up,
            wrong_user_rps: per_s(w.wrong_user),
            app_down,
            primaries_down,
            lb_down: u32::from(self.topo.has_lb() && core.now < region.lb_down_until),
            downstream_down: u32::from(self.downstream_down(core.now)),
            booting: region.booting.len() as u32,
            writes_lost: finite(self.writes_lost),
        }
    }

    fn record<F: FnMut(&mut Window)>(&mut self, measured: bool, mut f: F) {
        f(&mut self.window);
        if measured {
            f(&mut self.measured);
        }
    }
}

/// Expiry of a key first seen at `now` in the TTL cache's steady state: present with probability λT / (1 + λT),
/// then with a remaining lifetime uniform over the TTL; absent (already expired) otherwise.
fn warm_expiry(rng: &mut impl Rng, rate: f64, ttl: f64, now: u64) -> u64 {
    let x = rate * ttl;
    if rng.random::<f64>() < x / (1.0 + x) {
        now + ns(ttl * rng.random::<f64>())
    } else {
        0
    }
}

/// The region serving a request, carried in its `aux`.
fn region_of(req: &super::Request) -> usize {
    ((req.aux & REGION_MASK) >> REGION_SHIFT) as usize
}

/// The shard of a request's user, carried in its `aux`.
fn shard_of(req: &super::Request) -> usize {
    ((req.aux & SHARD_MASK) >> SHARD_SHIFT) as usize
}

/// A key as stored on one shard (last-write times are per shard: a replica only replays its own shard's writes).
fn data_key(key: u32, shard: usize) -> u64 {
    u64::from(key) | (shard as u64) << 32
}

impl Router for System {
    fn next_arrival(&mut self, core: &mut Core, now: u64) -> Option<u64> {
        // Thinning: candidates at the peak rate, kept with probability curve(t).
        let mut t = now;
        loop {
            t += self.interarrival.draw_ns(&mut core.rng);
            let spiking = self.spikes.iter().any(|&(a, b)| a <= t && t < b);
            let multiplier = if spiking { crate::scenario::SPIKE_FACTOR } else { 1.0 };
            let keep = self.topo.scenario.traffic.curve_at(t as f64 / 1e9) * multiplier / self.max_multiplier;
            if keep >= 1.0 || core.rng.random::<f64>() < keep {
                return Some(t);
            }
        }
    }

    fn admit(&mut self, core: &mut Core, now: u64) -> Option<(u32, Next)> {
        let measured = now >= self.warmup_ns;
        self.counts.offered += 1.0;
        self.record(measured, |w| w.offered += 1);
        let id = core.alloc(now);
        self.trace_admit(core, id, now);
        let tr = &self.topo.scenario.traffic;
        let static_req = core.rng.random::<f64>() < tr.static_share;
        let user = self.users.sample(&mut core.rng) as u64;
        let shard = if self.primaries.len() > 1 { bucket_of(user, self.primaries.len() as u32, SHARD_SALT) } else { 0 };
        {
            let r = &mut core.requests[id as usize];
            r.aux |= if measured { MEASURED } else { 0 } | (shard << SHARD_SHIFT);
        }
        if static_req {
            core.requests[id as usize].class = STATIC;
            if self.topo.scenario.arch.cdn {
                let edge = core.rng.random_range(0..self.topo.cdn.edges as u64);
                let asset = self.assets.sample(&mut core.rng) as u64 - 1;
                let slot = (edge * self.topo.cdn.assets + asset) as usize;
                if self.cdn[slot] == u64::MAX {
                    let static_rps = self.topo.scenario.traffic.rps_at(now as f64 / 1e9) * tr.static_share;
                    let rate = static_rps / self.topo.cdn.edges as f64 * self.asset_share(asset + 1);
                    self.cdn[slot] = warm_expiry(&mut core.rng, rate, self.topo.scenario.arch.cdn_ttl_s, now);
                }
                let hit = now < self.cdn[slot];
                self.record(measured, |w| {
                    w.cdn_gets += 1;
                    w.cdn_hits += hit as u64;
                });
                if !hit {
                    self.cdn[slot] = now + ns(self.topo.scenario.arch.cdn_ttl_s);
                }
                if hit {
                    let r = &mut core.requests[id as usize];
                    r.delay = ns(EDGE_RTT_S);
                    r.aux |= T_EDGE;
                    self.trace_edge(core, id, edge, Outcome::Hit);
                    return Some((id, Next::Done));
                }
                self.trace_edge(core, id, edge, Outcome::Miss);
            }
        } else {
            let write = core.rng.random::<f64>() < tr.write_fraction();
            let key = if write { core.rng.random_range(1..=tr.key_count()) } else { self.keys.sample(&mut core.rng) as u64 };
            let mut job = write && core.rng.random::<f64>() < self.topo.scenario.arch.jobs.share;
            if job && self.workers.is_empty() && self.breaker_open(now) {
                // The open breaker skips the inline job: the save returns at once without it.
                job = false;
                self.record(measured, |w| w.skipped += 1);
            }
            let r = &mut core.requests[id as usize];
            r.class = if write { WRITE } else { READ };
            r.key = key as u32;
            if job {
                r.aux |= HAS_JOB;
            }
        }
        // Where the user is, and the region geo-DNS sends them to (none while their region is out and not yet
        // failed over). Writes travel on to the primaries' region.
        let geo = if self.topo.scenario.traffic.worldwide {
            let u = core.rng.random::<f64>();
            let mut acc = 0.0;
            GEOS.iter()
                .position(|g| {
                    acc += g.share;
                    u < acc
                })
                .unwrap_or(GEOS.len() - 1)
        } else {
            0
        };
        let Some(rg) = self.serving_region(geo, now) else {
            self.trace_refused(core, id, node(NodeKind::Region, 0), Outcome::NoRegion);
            return Some((id, Next::Reject));
        };
        let lb = if self.topo.has_lb() { ns(LAN_RTT_S) } else { 0 };
        let job = core.requests[id as usize].aux & HAS_JOB != 0;
        let write = core.requests[id as usize].class == WRITE;
        let detour = if write && rg != self.primary_region { GEOS[rg].rtt_s[self.primary_region] } else { 0.0 };
        let region_ns = ns(GEOS[geo].rtt_s[rg] + detour);
        let r = &mut core.requests[id as usize];
        r.delay = region_ns + lb;
        r.tag = user;
        r.aux |= (rg as u32) << REGION_SHIFT;
        self.trace_arrival(core, id, (geo, rg), (region_ns, lb));
        if now < self.regions[rg].app_down_until {
            self.trace_refused(core, id, node(NodeKind::App, rg), Outcome::Dead);
            return Some((id, Next::Reject)); // the only server is restarting for a deploy
        }
        if self.topo.has_lb() && now < self.regions[rg].lb_down_until {
            self.trace_mark(core, id, Outcome::Refused);
            return Some((id, Next::Reject));
        }
        if core.requests[id as usize].class != STATIC && !self.allow(user, now) {
            self.record(measured, |w| w.limited += 1);
            self.trace_refused(core, id, node(NodeKind::App, rg), Outcome::RateLimited);
            return Some((id, Next::Reject));
        }
        if core.requests[id as usize].class == READ && self.private_page(core, now) {
            // Someone else's logged-in page, from the edge.
            self.record(measured, |w| w.wrong_user += 1);
            let r = &mut core.requests[id as usize];
            r.delay = ns(EDGE_RTT_S);
            r.aux |= T_EDGE;
            self.trace_edge(core, id, 0, Outcome::WrongUser);
            return Some((id, Next::Done));
        }
        let Some((server, dead)) = self.pick_server(core, rg, user) else {
            self.trace_refused(core, id, node(NodeKind::App, rg), Outcome::Refused);
            return Some((id, Next::Reject));
        };
        if dead {
            self.trace_refused(core, id, self.station_node(server, H_APP), Outcome::Dead);
            return Some((id, Next::Reject));
        }
        let service = if core.requests[id as usize].class == STATIC {
            self.static_s.draw_ns(&mut core.rng)
        } else if job && self.workers.is_empty() {
            // Inline, the job's CPU is spent on the app server too.
            self.app_s.draw_ns(&mut core.rng) + self.job_cpu_s.draw_ns(&mut core.rng)
        } else {
            self.app_s.draw_ns(&mut core.rng)
        };
        Some((id, self.visit(core, id, server, service, H_APP, T_APP, false)))
    }

    fn after(&mut self, core: &mut Core, id: u32, _station: u32, now: u64) -> Next {
        let req = core.requests[id as usize];
        if req.aux & TRACED != 0 && req.class <= WRITE {
            self.trace_visited(core, id, now);
        }
        let measured = req.aux & MEASURED != 0;
        let tier = match req.hop {
            H_APP => 0,
            H_SESSION | H_CACHE => 1,
            H_SVC => 4,
            _ if req.aux & T_REPLICA != 0 && self.is_replica.get(req.station as usize).copied().unwrap_or(false) => 3,
            _ => 2,
        };
        let sojourn = (now - req.enqueued) as f64 / 1e9 + if tier == 0 { 0.0 } else { LAN_RTT_S };
        self.record(measured, |w| {
            w.tier_time[tier] += sojourn;
            w.tier_visits[tier] += 1;
        });
        match (req.class, req.hop) {
            (STATIC, _) => Next::Done,
            (READ | WRITE, H_APP) => {
                if self.topo.session_in_redis() {
                    let node = self.redis_node(region_of(&req), req.tag);
                    let service = self.redis_s.draw_ns(&mut core.rng);
                    self.visit(core, id, node, service, H_SESSION, T_REDIS, true)
                } else {
                    self.data_step(core, id)
                }
            }
            (READ | WRITE, H_SESSION) => self.data_step(core, id),
            (READ, H_CACHE) => {
                let rg = region_of(&req);
                if !self.cold && !self.regions[rg].cache.contains_key(&req.key) {
                    let t = &self.topo.scenario.traffic;
                    let reads = t.rps_at(now as f64 / 1e9) * (1.0 - t.static_share) * (1.0 - t.write_fraction());
                    let rate = reads * self.topo.keys.top_share() * libm::pow(req.key as f64, -t.zipf_alpha);
                    let life = self.topo.cache_life_s(reads);
                    let expiry = warm_expiry(&mut core.rng, rate, life, now);
                    // A copy filled before the run began was stale from the start if its key was written between
                    // its fill and the run's start: writes then were not simulated, so that is drawn (from a
                    // source of its own, leaving every other draw as it was), at the key's steady write rate.
                    let before_run = ns(life).saturating_sub(expiry) as f64 / 1e9;
                    let stale_from_start = expiry > 0 && before_run > 0.0 && {
                        let writes = t.rps_at(now as f64 / 1e9) * (1.0 - t.static_share) * t.write_fraction();
                        let per_key = writes / (t.key_count() as f64 * self.primaries.len() as f64);
                        self.history.random::<f64>() < 1.0 - libm::exp(-per_key * before_run)
                    };
                    self.regions[rg].cache.insert(req.key, (expiry, expiry.saturating_sub(ns(life)), stale_from_start));
                }
                let hit = self.regions[rg].cache.get(&req.key).filter(|e| now < e.0).copied();
                self.record(measured, |w| {
                    w.cache_gets += 1;
                    w.cache_hits += hit.is_some() as u64;
                });
                match hit {
                    Some((_, filled, stale_from_start)) => {
                        let stale =
                            stale_from_start || self.last_write.get(&data_key(req.key, shard_of(&req))).is_some_and(|&w| w > filled);
                        self.record(measured, |w| {
                            w.reads += 1;
                            w.stale += stale as u64;
                        });
                        self.trace_mark(core, id, if stale { Outcome::Stale } else { Outcome::Hit });
                        self.done(core, id)
                    }
                    None => {
                        self.trace_mark(core, id, Outcome::Miss);
                        self.db_step(core, id)
                    }
                }
            }
            (READ, H_DB) => self.read_done(core, id, now, true),
            (BATCH, H_DB) => {
                self.commit(core, &req, now);
                Next::Done
            }
            (REPORT, H_DB) => Next::Done,
            (WRITE, H_DB) if req.aux & HAS_JOB != 0 && self.workers.is_empty() && self.downstream_down(now) => {
                // The inline job's call to the dead downstream times out: the save fails.
                core.requests[id as usize].delay += ns(crate::model::DOWNSTREAM_TIMEOUT_S);
                self.trace_job(core, id, Outcome::TimedOut);
                Next::Reject
            }
            (WRITE, H_DB) => {
                self.commit(core, &req, now);
                if req.aux & HAS_JOB != 0 {
                    // The save waits for its job (inline) or its enqueue (queued): fixed time, added when it runs.
                    core.requests[id as usize].delay += self.job_delay;
                    if let Some(&pool) = self.workers.first() {
                        self.jobs_enqueued += 1;
                        let service = self.job_s.draw_ns(&mut core.rng);
                        self.side_job(core, now, (JOB, H_JOB, 0, service), req.aux, pool, service);
                    }
                    self.trace_job(core, id, if self.workers.is_empty() { Outcome::Served } else { Outcome::Accepted });
                }
                self.done(core, id)
            }
            _ => Next::Done,
        }
    }

    fn spawned(&mut self) -> Option<(u32, Next)> {
        self.spawn.pop()
    }

    fn finish(&mut self, core: &mut Core, id: u32, ok: bool, refusal: Option<Refusal>, now: u64) {
        let req = core.requests[id as usize];
        let measured = req.aux & MEASURED != 0;
        if req.class == APPLY {
            let r = req.key as usize;
            self.pending[r].pop_front();
            let visible = now + ns(REPLICATION_BASE_LAG_S);
            self.visible[r].push_back((visible, req.tag));
            let lag = (visible - req.tag) as f64 / 1e9;
            self.record(measured, |w| {
                w.lag_sum += lag;
                w.lag_n += 1;
            });
            return;
        }
        if req.class == SVC || req.class == SCATTER {
            if req.aux & TRACED != 0 {
                self.trace_called(&req, id, (ok, refusal), now);
            }
            self.joined(core, req, ok, now);
            return;
        }
        if req.class == BATCH || req.class == REPORT {
            return;
        }
        if req.class == JOB && ok && self.downstream_down(now) {
            // The attempt failed on the dead downstream: try again after the backoff (10 s, 20 s, 40 s, …) while
            // attempts remain; then the job is dead-lettered.
            let attempt = req.key + 1;
            if attempt < self.topo.scenario.arch.jobs.attempts {
                let id2 = core.alloc(req.start);
                let r = &mut core.requests[id2 as usize];
                (r.class, r.hop, r.key, r.tag, r.aux) = (JOB, H_JOB, attempt, req.tag, req.aux);
                let backoff = crate::model::JOB_BACKOFF_S * libm::pow(2.0, f64::from(attempt as i32 - 1));
                self.schedule(core, now + ns(backoff), Timer::JobRetry(id2));
                self.retrying += 1;
            } else {
                self.record(measured, |w| w.dead_lettered += 1);
            }
            return;
        }
        if req.class == JOB {
            let wait = now.saturating_sub(req.start + req.tag) as f64 / 1e9;
            self.record(measured, |w| {
                w.jobs += 1;
                w.job_wait_sum += wait;
            });
            return;
        }
        // A failed request is sent again at once while the client has retries left; the user sees one request.
        let attempt = (req.aux & ATTEMPT_MASK) >> ATTEMPT_SHIFT;
        let again = !ok && attempt < self.topo.scenario.arch.resilience.retries.min(7);
        if req.aux & TRACED != 0 {
            self.trace_end(core, (id, &req), (ok, refusal), !again);
        }
        if again {
            self.retry(core, (id, req), attempt + 1, now);
            self.record(measured, |w| w.retries += 1);
            return;
        }
        let latency = (now - req.start + req.delay) as f64 / 1e9;
        if ok {
            self.counts.served += 1.0;
            self.record(measured, |w| {
                w.served += 1;
                w.latencies.push(latency);
            });
        } else {
            self.counts.rejected += 1.0;
            self.record(measured, |w| w.rejected += 1);
        }
    }

    fn timer(&mut self, core: &mut Core, now: u64) {
        let due: Vec<(u64, Timer)> = self.timers.iter().copied().filter(|t| t.0 <= now).collect();
        self.timers.retain(|t| t.0 > now);
        for (_, timer) in due {
            match timer {
                Timer::Fault(FaultKind::KillAppServer) => {
                    // A server of the busiest region dies; its load balancer notices after two health checks.
                    let rg = self.busiest_region(now);
                    let users = self.region_users(rg, now);
                    let region = &mut self.regions[rg];
                    if let Some(pos) = region.routed.iter().position(|r| !r.1) {
                        let n = region.routed.len() as u32;
                        if self.topo.sticky() {
                            self.sessions_lost += self.topo.sticky_shares(n)[pos] * users;
                        }
                        let station = region.routed[pos].0;
                        region.routed[pos].1 = true;
                        core.kill(self, station);
                        let h = self.topo.scenario.arch.health_check_s;
                        let t = now as f64 / 1e9;
                        let detect = crate::policy::health::detected_at(t, h);
                        self.schedule(core, ns(detect), Timer::Detect(rg, station));
                    }
                }
                Timer::Detect(rg, station) => {
                    self.regions[rg].routed.retain(|r| r.0 != station);
                    // The group replaces a server its health checks took out.
                    if self.topo.scenario.arch.autoscaling.enabled {
                        self.launch(core, rg, 1);
                    }
                }
                Timer::Scale => self.autoscale(core, now),
                Timer::Ready(rg, station) => {
                    self.regions[rg].booting.retain(|b| b.0 != station);
                    self.regions[rg].routed.push((station, false));
                }
                Timer::Retry(id) => {
                    let req = core.requests[id as usize];
                    let rg = region_of(&req);
                    self.trace_retry(core, id, ((req.aux & ATTEMPT_MASK) >> ATTEMPT_SHIFT) + 1);
                    let lb_down = self.topo.has_lb() && now < self.regions[rg].lb_down_until;
                    let next = match self.pick_server(core, rg, req.tag) {
                        Some((server, false)) if !lb_down => {
                            let service =
                                if req.class == STATIC { self.static_s.draw_ns(&mut core.rng) } else { self.app_s.draw_ns(&mut core.rng) };
                            self.visit(core, id, server, service, H_APP, T_APP, false)
                        }
                        picked => {
                            let (node, outcome) = match picked {
                                _ if lb_down => (node(NodeKind::LoadBalancer, rg), Outcome::Refused),
                                Some((server, _)) => (self.station_node(server, H_APP), Outcome::Dead),
                                None => (node(NodeKind::App, rg), Outcome::Refused),
                            };
                            self.trace_refused(core, id, node, outcome);
                            Next::Reject
                        }
                    };
                    self.spawn.push((id, next));
                }
                Timer::Fault(FaultKind::FlushCache) => {
                    for region in &mut self.regions {
                        region.cache.clear();
                    }
                    self.cold = true;
                }
                Timer::Fault(FaultKind::KillLoadBalancer) => {
                    let down = crate::policy::outage::lb_down_s(self.topo.scenario.arch.resilience.lb_ha);
                    let rg = self.busiest_region(now);
                    self.regions[rg].lb_down_until = now + ns(down);
                }
                Timer::Fault(FaultKind::Deploy) => {
                    // Every region rolls its own fleet.
                    for rg in 0..self.regions.len() {
                        if self.topo.has_lb() {
                            self.regions[rg].deploy = Some((0, None));
                            self.deploy_step(core, rg, now);
                        } else {
                            self.regions[rg].app_down_until = now + ns(crate::scenario::DEPLOY_RESTART_S);
                            if self.topo.sticky() {
                                self.sessions_lost += self.region_users(rg, now);
                            }
                        }
                    }
                }
                Timer::DeployStep(rg) => self.deploy_step(core, rg, now),
                Timer::Fault(FaultKind::KillDbPrimary) => {
                    // Shard 0's primary dies; a replica is promoted after the failover, or without one the
                    // primary is restored.
                    let replicas = !self.active[self.primary_region * self.primaries.len()].is_empty();
                    let mut down = crate::policy::outage::db_down_s(replicas);
                    if !replicas {
                        // Nothing to promote: the database comes back from its backups, without what they miss.
                        let backups = self.topo.scenario.arch.ops.backups;
                        self.writes_lost += self.backup_log.lost(backups, now as f64 / 1e9);
                        down = self.backup_log.restore_s(backups, self.topo.apply_s);
                    }
                    self.db_down_until[0] = now + ns(down);
                    if !self.topo.db_on_app {
                        core.kill(self, self.primaries[0]);
                    }
                    self.schedule(core, now + ns(down), Timer::Promote(0, replicas));
                }
                Timer::Promote(shard, replica) => {
                    // The promoted replica (in the primaries' region) leaves the read pool; the primary's station
                    // serves again, standing for it.
                    if replica {
                        self.active[self.primary_region * self.primaries.len() + shard].pop();
                    }
                    if !self.topo.db_on_app {
                        core.stations[self.primaries[shard] as usize].dead = false;
                    }
                }
                Timer::Fault(FaultKind::RegionOutage) => self.region_outage(core, now),
                Timer::RegionBack => {
                    for station in self.region_stations(0) {
                        core.stations[station as usize].dead = false;
                    }
                    if self.regions.len() == 1 && !self.topo.db_on_app {
                        for &p in &self.primaries {
                            core.stations[p as usize].dead = false;
                        }
                    }
                    self.primary_region = 0;
                }
                Timer::Fault(FaultKind::WriteBurst) => {
                    self.burst_until = now + ns(crate::scenario::WRITE_BURST_S);
                    self.batch_write(core, now);
                }
                Timer::Batch => self.batch_write(core, now),
                Timer::Report => self.report_query(core, now),
                Timer::Fault(FaultKind::DownstreamOutage) => {
                    let t = now as f64 / 1e9;
                    self.downstream = (t, t + crate::scenario::DOWNSTREAM_OUTAGE_S);
                }
                Timer::JobRetry(id) => {
                    self.retrying = self.retrying.saturating_sub(1);
                    if let Some(&pool) = self.workers.first() {
                        let service = self.job_s.draw_ns(&mut core.rng);
                        core.requests[id as usize].tag = service;
                        self.spawn.push((id, Next::Visit { station: pool, service }));
                    } else {
                        self.spawn.push((id, Next::Done));
                    }
                }
                Timer::ScaleWorkers => self.scale_workers(core, now),
                // Spikes are in the arrival process.
                Timer::Fault(FaultKind::TrafficSpike) => {}
            }
        }
    }
}

/// Runs `scenario` request by request and summarises it.
pub fn run(scenario: &Scenario, opts: DesOptions) -> DesReport {
    Run::new(scenario, opts).finish()
}

/// A request-level run that goes on in steps: [`Run::advance`] runs to a simulated time and returns the series
/// points completed on the way, [`Run::take_traces`] the traces kept since the last call. However a run is cut,
/// it is the same run as [`run`]'s.
pub struct Run {
    sys: System,
    core: Core,
    /// Seconds between series points, the run's length, and the last point's time.
    every: f64,
    duration_s: f64,
    t: f64,
    series: Vec<Sample>,
    /// Each station's time integrals at the last point.
    prev: Vec<(f64, f64, f64)>,
    reset_done: bool,
    /// Traces already handed out by [`Run::take_traces`].
    taken: usize,
}

impl Run {
    /// A run of `scenario` at time 0.
    pub fn new(scenario: &Scenario, opts: DesOptions) -> Run {
        let topo = Topology::new(scenario);
        let (mut sys, stations) = System::new(topo, &opts);
        let timeout = SimTime::from_secs(scenario.arch.timeout_ms / 1e3);
        let mut core = Core::new(stations, scenario.seed, timeout);
        for f in &scenario.faults {
            sys.schedule(&mut core, ns(f.at_s), Timer::Fault(f.kind));
        }
        if scenario.arch.autoscaling.enabled {
            sys.schedule(&mut core, ns(SCALE_TICK_S), Timer::Scale);
        }
        if !sys.workers.is_empty() {
            sys.schedule(&mut core, 0, Timer::ScaleWorkers);
        }
        let job = &scenario.arch.ops.report;
        if job.start_hour.is_some() && !job.on_replica {
            sys.schedule(&mut core, 0, Timer::Report);
        }
        let reset_done = sys.warmup_ns == 0;
        if reset_done {
            core.reset_stats();
        }
        Run {
            sys,
            core,
            every: opts.sample_every.max(1e-3),
            duration_s: scenario.duration_s,
            t: 0.0,
            series: Vec::new(),
            prev: Vec::new(),
            reset_done,
            taken: 0,
        }
    }

    /// Simulated seconds run so far.
    pub fn now_s(&self) -> f64 {
        self.core.now as f64 / 1e9
    }

    /// The run's length in simulated seconds.
    pub fn duration_s(&self) -> f64 {
        self.duration_s
    }

    /// Whether the whole run is done.
    pub fn done(&self) -> bool {
        self.t >= self.duration_s - 1e-9
    }

    /// Runs to `until_s` (at most the run's length) and returns the series points completed on the way.
    pub fn advance(&mut self, until_s: f64) -> Vec<Sample> {
        let until = until_s.min(self.duration_s);
        let mut points = Vec::new();
        while !self.done() {
            let next = (self.t + self.every).min(self.duration_s);
            if next > until + 1e-9 {
                break;
            }
            points.push(self.point(next));
        }
        if !self.done() {
            self.run_to(ns(until));
        }
        self.sys.tracer.sampling.ran_to(ns(until));
        self.series.extend(points.iter().cloned());
        points
    }

    /// Traces kept since the last call, in finishing order.
    pub fn take_traces(&mut self) -> Vec<Trace> {
        let kept = self.sys.tracer.sampling.kept();
        let new = kept[self.taken.min(kept.len())..].to_vec();
        self.taken = kept.len();
        new
    }

    /// Runs the core to `until` (ns), resetting the statistics at the end of the warm-up on the way.
    fn run_to(&mut self, until: u64) {
        let warmup = self.sys.warmup_ns;
        // Strictly past the warm-up's end: a series point that ends exactly there keeps its whole interval, and the
        // next one resets first.
        if !self.reset_done && until > warmup {
            self.core.run_until(&mut self.sys, warmup);
            self.core.reset_stats();
            self.prev.clear();
            for s in 0..self.core.stations.len() as u32 {
                self.prev.push(self.core.areas(s));
            }
            self.reset_done = true;
        }
        self.core.run_until(&mut self.sys, until);
    }

    /// Runs to the series point at `next` seconds and takes it.
    fn point(&mut self, next: f64) -> Sample {
        let warmup = self.sys.warmup_ns;
        // Utilisation in this point covers the time since the last point or since the warm-up reset; its counts
        // the whole interval.
        let from = if ns(self.t) < warmup && ns(next) > warmup { warmup as f64 / 1e9 } else { self.t };
        self.run_to(ns(next));
        self.core.now = ns(next);
        let spans = ((next - self.t).max(1e-9), (next - from).max(1e-9));
        let sample = self.sys.sample(&mut self.core, next, spans, &mut self.prev);
        self.t = next;
        sample
    }

    /// Runs whatever is left and summarises the run; its traces are every one kept, taken or not.
    pub fn finish(mut self) -> DesReport {
        self.advance(self.duration_s);
        self.sys.tracer.sampling.close();
        let report = summarise(&mut self.sys, &mut self.core, self.series);
        let traces = self.sys.tracer.sampling.into_kept();
        DesReport { report, traces, events: self.core.events }
    }
}

/// The run's summary over the measured window, with its series.
fn summarise(sys: &mut System, core: &mut Core, series: Vec<Sample>) -> Report {
    let now = core.now;
    let since = core.reset_at;
    let mut tiers = crate::report::TierFigures::default();
    let span_ns = (now - since).max(1) as f64;
    let mut hot = |name: Tier, ids: &[u32]| {
        if ids.is_empty() {
            return;
        }
        let u = ids.iter().map(|&s| core.stations[s as usize].utilization(since, now)).fold(0.0, f64::max);
        let o = ids.iter().map(|&s| core.stations[s as usize].offered_area / span_ns).fold(0.0, f64::max);
        let q = ids.iter().map(|&s| core.stations[s as usize].mean_in_system(since, now)).fold(0.0, f64::max);
        tiers.utilization.insert(name, u);
        tiers.offered_utilization.insert(name, o);
        tiers.queue_depth.insert(name, q);
    };
    let all = |f: &dyn Fn(&Region) -> Vec<u32>| sys.regions.iter().flat_map(f).collect::<Vec<u32>>();
    hot(Tier::App, &all(&|r| r.app.clone()));
    hot(Tier::Redis, &all(&|r| r.redis.clone()));
    hot(Tier::Workers, &sys.workers);
    if !sys.topo.db_on_app {
        hot(Tier::DbPrimary, &sys.primaries);
    }
    hot(Tier::Services, &all(&|r| r.services.concat()));
    hot(Tier::Replica, &sys.replicas);
    hot(Tier::ReplicaApply, &sys.applies);
    let alive = sys.regions[sys.busiest_region(now)].alive();
    let m = &mut sys.measured;
    tiers.tier_latency_ms = [(Tier::App, 0), (Tier::Redis, 1), (Tier::DbPrimary, 2), (Tier::Replica, 3), (Tier::Services, 4)]
        .into_iter()
        .filter(|&(_, i)| m.tier_visits[i] > 0)
        .map(|(name, i)| (name, m.tier_ms(i)))
        .collect();
    let span = (now - since) as f64 / 1e9;
    let offered_rps = m.offered as f64 / span.max(1e-9);
    let edge_rps = m.cdn_hits as f64 / span.max(1e-9);
    let workers = sys.workers.first().map_or(0, |&p| core.stations[p as usize].servers);
    let cost = sys.topo.cost_per_hour(&crate::model::Usage {
        app_instances: alive as f64,
        origin_rps: offered_rps - edge_rps,
        cdn_rps: edge_rps,
        workers,
        jobs_rps: m.jobs as f64 / span.max(1e-9),
    });
    let empty = Sample::default();
    let measured = crate::report::Measured {
        engine: "des",
        offered_rps,
        served_rps: m.served as f64 / span.max(1e-9),
        latency_ms: m.latency(),
        tiers,
        cache_hit_rate: Window::ratio(m.cache_hits, m.cache_gets),
        cdn_hit_rate: Window::ratio(m.cdn_hits, m.cdn_gets),
        replication_lag_ms: if m.lag_n > 0 { m.lag_sum / m.lag_n as f64 * 1e3 } else { 0.0 },
        stale_read_rate: Window::ratio(m.stale, m.reads),
        rate_limited_rate: Window::ratio(m.limited, m.offered),
        retry_rate: Window::ratio(m.retries, m.offered),
        wrong_user_rate: Window::ratio(m.wrong_user, m.offered),
        cost_usd_per_hour: cost,
        jobs_waiting_s: if m.jobs > 0 { m.job_wait_sum / m.jobs as f64 } else { 0.0 },
        jobs_dead_lettered: m.dead_lettered as f64,
        counts: sys.counts,
        window: crate::report::Span { from: since as f64 / 1e9, to: now as f64 / 1e9 },
        window_counts: Counts { offered: m.offered as f64, served: m.served as f64, rejected: m.rejected as f64, in_flight: 0.0 },
        last: series.last().unwrap_or(&empty),
        ran: &sys.topo.scenario,
    };
    let summary = crate::report::Summary::build(&sys.topo, measured, crate::bill::month(&sys.topo));
    Report { summary, series }
}
