//! The router's tracing hooks: which station is which node, and where a traced request's hops open and close as
//! it is admitted, visits stations, fans out, retries and ends. A traced request carries [`TRACED`] in its `aux`;
//! every hook returns at once for the rest, so untraced requests never look anything up. Nothing here draws from
//! the engine's random source or changes a request.

use super::*;
use crate::des::trace::{Builder, Class, Node, NodeKind, Outcome, Part, Sampling};

/// Set in the `aux` of a traced user request and of a traced request's fan-out calls.
pub(super) const TRACED: u32 = 1 << 29;

/// The traced requests under way (by request id), the sampling and the station table.
pub(super) struct Tracer {
    pub(super) sampling: Sampling,
    /// Looked up at every hop of a traced request: keyed by small integer ids, so a multiplicative hash (rustc-hash)
    /// rather than the default SipHash. Never iterated, so the hash does not change any result.
    open: rustc_hash::FxHashMap<u32, Builder>,
    /// Each station's node.
    nodes: Vec<Node>,
}

impl Tracer {
    /// Tracing for a run of `scenario` keeping `budget` traces per simulated second, over stations named by `nodes`.
    pub(super) fn new(scenario: &Scenario, budget: u32, peak_rps: f64, nodes: Vec<Node>) -> Tracer {
        Tracer { sampling: Sampling::new(budget, scenario.seed, peak_rps), open: rustc_hash::FxHashMap::default(), nodes }
    }
}

/// Each of `count` stations' node: app servers, Redis nodes and service instances by their place in their
/// region (a service instance by its service), primaries by shard, replicas (and their replay) by their place in
/// their region, the worker pool as a job.
pub(super) fn station_nodes(count: usize, regions: &[Region], primaries: &[u32], replicas: &[u32], applies: &[u32]) -> Vec<Node> {
    let node = |kind, index: usize, region: usize| Node { kind, index: index as u32, region: region as u8 };
    let mut nodes = vec![node(NodeKind::Job, 0, 0); count];
    for (rg, region) in regions.iter().enumerate() {
        for (i, &s) in region.app.iter().enumerate() {
            nodes[s as usize] = node(NodeKind::App, i, rg);
        }
        for (i, &s) in region.redis.iter().enumerate() {
            nodes[s as usize] = node(NodeKind::Cache, i, rg);
        }
        for (i, service) in region.services.iter().enumerate() {
            for &s in service {
                nodes[s as usize] = node(NodeKind::Service, i, rg);
            }
        }
    }
    for (shard, &s) in primaries.iter().enumerate() {
        nodes[s as usize] = node(NodeKind::Primary, shard, 0);
    }
    let per_region = (replicas.len() / regions.len().max(1)).max(1);
    for (r, (&s, &apply)) in replicas.iter().zip(applies).enumerate() {
        nodes[s as usize] = node(NodeKind::Replica, r % per_region, r / per_region);
        nodes[apply as usize] = nodes[s as usize];
    }
    nodes
}

fn class_of(class: u8) -> Class {
    match class {
        STATIC => Class::Static,
        READ => Class::Read,
        _ => Class::Write,
    }
}

fn refusal_outcome(refusal: Refusal) -> Outcome {
    match refusal {
        Refusal::Full => Outcome::Full,
        Refusal::TimedOut => Outcome::TimedOut,
        Refusal::Dead => Outcome::Dead,
    }
}

/// A node of region `rg` that is one of a kind there.
pub(super) fn node(kind: NodeKind, rg: usize) -> Node {
    Node { kind, index: 0, region: rg as u8 }
}

impl System {
    /// The builder of request `id` if it is traced.
    fn builder(&mut self, core: &Core, id: u32) -> Option<&mut Builder> {
        if core.requests[id as usize].aux & TRACED == 0 {
            return None;
        }
        self.tracer.open.get_mut(&id)
    }

    /// Request `id` is being admitted at `now`: it becomes a candidate by the sampling's own draw.
    pub(super) fn trace_admit(&mut self, core: &mut Core, id: u32, now: u64) {
        if self.tracer.sampling.pick() {
            core.requests[id as usize].aux |= TRACED;
            self.tracer.open.insert(id, Builder::new(self.counts.offered as u64, now));
        }
    }

    /// A CDN edge (`edge`, 0 for a private page) answered or missed: its round trip, if any, is in the delay.
    pub(super) fn trace_edge(&mut self, core: &Core, id: u32, edge: u64, outcome: Outcome) {
        let (now, delay) = (core.now, core.requests[id as usize].delay);
        if let Some(b) = self.builder(core, id) {
            if outcome == Outcome::WrongUser {
                b.restart(); // the page comes from the edge after all: the region's trip is not taken
            }
            b.close(now, delay, Node { kind: NodeKind::Edge, index: edge as u32, region: 0 }, outcome, Part::Network);
        }
    }

    /// Request `id` from geography `geo` goes to region `rg`: the trip there (`region`, with a write's detour),
    /// the load balancer's hop (`lb`).
    pub(super) fn trace_arrival(&mut self, core: &Core, id: u32, (geo, rg): (usize, usize), (region, lb): (u64, u64)) {
        // Every request comes through here: the routing question is asked only of a traced one.
        if core.requests[id as usize].aux & TRACED == 0 {
            return;
        }
        let moved = crate::policy::geo_dns::serving(geo, self.regions.len(), None) != Some(rg);
        let has_lb = self.topo.has_lb();
        let now = core.now;
        if let Some(b) = self.builder(core, id) {
            b.network(now, region, node(NodeKind::Region, rg), if moved { Outcome::FailedOver } else { Outcome::Served });
            if has_lb {
                b.network(now, lb, node(NodeKind::LoadBalancer, rg), Outcome::Served);
            }
        }
    }

    /// The router refused request `id` at `node`: a hop of no time naming why (what the delay gained since the
    /// last hop, if anything, is its network time).
    pub(super) fn trace_refused(&mut self, core: &Core, id: u32, node: Node, outcome: Outcome) {
        let (now, delay) = (core.now, core.requests[id as usize].delay);
        if let Some(b) = self.builder(core, id) {
            b.close(now, delay, node, outcome, Part::Network);
        }
    }

    /// The last hop of request `id` turned out as `outcome`.
    pub(super) fn trace_mark(&mut self, core: &Core, id: u32, outcome: Outcome) {
        if let Some(b) = self.builder(core, id) {
            b.mark(outcome);
        }
    }

    /// Shard `shard`'s primary, in the primaries' region now.
    pub(super) fn primary_node(&self, shard: usize) -> Node {
        Node { kind: NodeKind::Primary, index: shard as u32, region: self.primary_region as u8 }
    }

    /// The node a visit of step `hop` to `station` reaches (the primary in the primaries' region now).
    pub(super) fn station_node(&self, station: u32, hop: u8) -> Node {
        let n = self.tracer.nodes[station as usize];
        let kind = match hop {
            H_APP => NodeKind::App,
            H_SESSION => NodeKind::Session,
            H_CACHE => NodeKind::Cache,
            H_SVC => NodeKind::Service,
            _ if self.is_replica[station as usize] => NodeKind::Replica,
            _ => NodeKind::Primary,
        };
        match kind {
            NodeKind::Primary => self.primary_node(if n.kind == NodeKind::Primary { n.index as usize } else { 0 }),
            _ => Node { kind, ..n },
        }
    }

    /// Request `id` goes to `station` for step `hop`. A replica read while its primary is dead has failed over.
    pub(super) fn trace_visit(&mut self, core: &Core, id: u32, station: u32, hop: u8) {
        if core.requests[id as usize].aux & TRACED == 0 {
            return;
        }
        let node = self.station_node(station, hop);
        let shard = shard_of(&core.requests[id as usize]);
        let failed_over = node.kind == NodeKind::Replica && self.primary_down(shard, core.now);
        if let Some(b) = self.builder(core, id) {
            b.open(node, if failed_over { Outcome::FailedOver } else { Outcome::Served });
        }
    }

    /// Request `id` finished its visit at `now`.
    pub(super) fn trace_visited(&mut self, core: &Core, id: u32, now: u64) {
        let req = core.requests[id as usize];
        if let Some(b) = self.builder(core, id) {
            b.visited(now, req.delay, req.service, None);
        }
    }

    /// Request `id`'s slow job: queued (with workers) or run inline, with `outcome`; the hop shows what the
    /// delay gained since the last hop (the job's fixed time, or its downstream call's timeout).
    pub(super) fn trace_job(&mut self, core: &Core, id: u32, outcome: Outcome) {
        let req = core.requests[id as usize];
        let node = node(if self.workers.is_empty() { NodeKind::Job } else { NodeKind::Queue }, region_of(&req));
        let now = core.now;
        if let Some(b) = self.builder(core, id) {
            b.close(now, req.delay, node, outcome, Part::Span);
        }
    }

    /// Request `id` fans out now.
    pub(super) fn trace_fork(&mut self, core: &Core, id: u32) {
        let now = core.now;
        if let Some(b) = self.builder(core, id) {
            b.fork(now);
        }
    }

    /// Request `call` is traced request `parent`'s call to `station` for step `hop`.
    pub(super) fn trace_call(&mut self, core: &mut Core, parent: u32, call: u32, (station, hop): (u32, u8)) {
        core.requests[call as usize].aux |= TRACED;
        let node = self.station_node(station, hop);
        if let Some(b) = self.tracer.open.get_mut(&parent) {
            b.call(call, node);
        }
    }

    /// A traced fan-out call ended at `now`.
    pub(super) fn trace_called(&mut self, call: &super::super::Request, id: u32, (ok, refusal): (bool, Option<Refusal>), now: u64) {
        let lan = ns(LAN_RTT_S);
        let extra = call.delay.saturating_sub(lan);
        let outcome = match refusal {
            _ if ok && extra == ns(HICCUP_S) => Outcome::Stalled,
            _ if ok && extra > 0 => Outcome::Hedged,
            _ if ok => Outcome::Served,
            Some(r) => refusal_outcome(r),
            None => Outcome::Refused,
        };
        let service = if ok { call.service } else { 0 };
        if let Some(b) = self.tracer.open.get_mut(&(call.tag as u32)) {
            b.called(id, now, (lan.min(call.delay), extra), service, outcome);
        }
    }

    /// Request `id`'s fan-out of `kind` (services or shards) has every answer back.
    pub(super) fn trace_joined(&mut self, core: &Core, id: u32, kind: u8) {
        let req = core.requests[id as usize];
        let node = node(if kind == SVC { NodeKind::Services } else { NodeKind::Shards }, region_of(&req));
        let now = core.now;
        if let Some(b) = self.builder(core, id) {
            b.joined(now, req.delay, node);
        }
    }

    /// Request `old`'s client sends it again as request `new`: the trace follows.
    pub(super) fn trace_resend(&mut self, core: &mut Core, old: u32, new: u32) {
        if let Some(b) = self.tracer.open.remove(&old) {
            core.requests[new as usize].aux |= TRACED;
            self.tracer.open.insert(new, b);
        }
    }

    /// The client's resend of request `id` leaves now, as attempt `attempt` (1-based): a hop for the retry delay
    /// and the new round trip.
    pub(super) fn trace_retry(&mut self, core: &Core, id: u32, attempt: u32) {
        let req = core.requests[id as usize];
        let now = core.now;
        if let Some(b) = self.builder(core, id) {
            b.next_attempt(attempt);
            b.close(now, req.delay, node(NodeKind::Retry, region_of(&req)), Outcome::Retried, Part::Visit(0));
        }
    }

    /// User request `id` (`req`) ended at `now`: answered (`ok`), refused by the core (`refusal`) or by the router.
    /// On its `last` attempt its trace is complete: a slow job it never reached shows as refused, and the trace
    /// goes to the sampling.
    pub(super) fn trace_end(
        &mut self,
        core: &Core,
        (id, req): (u32, &super::super::Request),
        (ok, refusal): (bool, Option<Refusal>),
        last: bool,
    ) {
        let now = core.now;
        let Some(b) = self.builder(core, id) else {
            return;
        };
        if let Some(r) = refusal {
            b.visited(now, req.delay, req.service, Some(refusal_outcome(r)));
        }
        if !last {
            return;
        }
        let Some(b) = self.tracer.open.remove(&id) else {
            return;
        };
        let latency = (now - req.start + req.delay) as f64 / 1e9;
        let trace = b.finish(class_of(req.class), ok, latency * 1e3);
        self.tracer.sampling.offer(trace, now);
    }
}
