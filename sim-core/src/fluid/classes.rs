//! Request classes: every kind of request with its rate, fixed delays and the stations it visits, walked once per
//! step for the answered rate and the latency mixture (and its percentiles, cached between evaluations).

use crate::latency::{Class, Mixture, Visit};
use crate::model::{CLIENT_RTT_S, EDGE_RTT_S, ENQUEUE_S, HEDGE_AFTER_S, HICCUP_S, LAN_RTT_S, SERVICE_S};
use crate::report::{finite, LatencyMs};

use super::flows::Flows;
use super::station::{average, max_of, same, StationOut};
use super::Fluid;

impl Fluid {
    /// Requests per second answered: each class's rate times its chance of passing every station it visits.
    pub(super) fn answered(&self, f: &Flows) -> f64 {
        let mut total = 0.0;
        self.walk_classes(f, &mut |weight, _delay, path| total += weight * path.success());
        total
    }

    /// The latency mixture of answered requests and their rate.
    pub(super) fn mixture(&self, f: &Flows) -> (Mixture, f64) {
        let mut classes = Vec::new();
        let mut answered = 0.0;
        self.walk_classes(f, &mut |weight, delay, path| {
            let ok = path.success();
            answered += weight * ok;
            classes.push(Class { weight: weight * ok, delay, visits: path.visits() });
        });
        (Mixture { classes }, answered)
    }

    /// Calls `visit(rate, fixed delay, path)` for every request class with a positive rate.
    pub(super) fn walk_classes(&self, f: &Flows, visit: &mut dyn FnMut(f64, f64, &Path)) {
        let topo = &self.topo;
        let a = &topo.scenario.arch;
        // Origin classes are emitted once per geography (its share and round trip; writes from a region without
        // the primary add the trip to it) and, with services, split by whether a fan-out call hit a hiccup.
        let fanout = (a.services > 0).then(|| max_of(f.services, a.services));
        // A request waits for its slowest call: HICCUP_S when it stalls, HEDGE_AFTER_S when a hedged copy answers.
        let (stalled, hedged) = crate::model::stalled_shares(a.services, a.resilience.hedge);
        let clean = 1.0 - stalled - hedged;
        if f.edge > 0.0 {
            visit(f.edge, EDGE_RTT_S, &Path::default());
        }
        let mut emit = |weight: f64, delay: f64, path: &Path, dynamic: bool, write: bool| {
            if weight <= 0.0 {
                return;
            }
            for &(share, rtt, write_extra) in &f.geo {
                let d = delay - CLIENT_RTT_S + rtt + if write { write_extra } else { 0.0 };
                match fanout {
                    Some((out, k_factor)) if dynamic => {
                        let p = path.then(out, SERVICE_S * k_factor);
                        visit(weight * share * clean, d + LAN_RTT_S, &p);
                        visit(weight * share * hedged, d + LAN_RTT_S + HEDGE_AFTER_S, &p);
                        visit(weight * share * stalled, d + LAN_RTT_S + HICCUP_S, &p);
                    }
                    _ => visit(weight * share, d, path),
                }
            }
        };
        // Redis seen as one node: the share-weighted average of its nodes.
        let redis = average(&f.redis, &topo.redis_shares);
        let lb = if topo.has_lb() { LAN_RTT_S } else { 0.0 };
        let cached = topo.cache_curve.is_some();
        let shards = a.shards.max(1);
        let x = if shards > 1 { a.cross_shard_share } else { 0.0 };
        let (scatter, scatter_factor) = max_of(f.primary_hot, shards);
        let job = a.jobs.share;
        let job_delay = if f.jobs_rps > 0.0 {
            ENQUEUE_S
        } else if f.jobs_inline {
            a.jobs.job_ms / 1e3
        } else {
            0.0
        };
        // Identical servers (stateless, same figures) make identical classes: walk each kind once with their
        // combined share.
        let mut groups: Vec<(f64, StationOut)> = Vec::with_capacity(f.app.len());
        for &(_, share, dead, app) in &f.app {
            if dead {
                continue;
            }
            match groups.last_mut() {
                Some((total, out)) if same(out, &app) => *total += share,
                _ => groups.push((share, app)),
            }
        }
        for (share, app) in groups {
            let db_hop = if topo.db_on_app { 0.0 } else { LAN_RTT_S };
            // On a single box the query comes back to the server it just left and takes back its own place: it
            // waits in the queue again (and may time out) but is not refused again. Counting the refusal twice put
            // stage 1's errors past saturation a third above the request-level engine's.
            let primary = if topo.db_on_app { StationOut { blocking: 0.0, ..app } } else { f.primary };
            emit(f.origin_static * f.static_reach * share, CLIENT_RTT_S + lb, &Path::default().then(app, topo.static_s), false, false);
            let mut prefix = Path::default().then(app, topo.app_s);
            let mut delay = CLIENT_RTT_S + lb;
            if topo.session_in_redis() {
                prefix = prefix.then(redis, topo.redis_s);
                delay += LAN_RTT_S;
            }
            let reads = f.reads * share;
            let mut read_prefix = prefix;
            let mut read_delay = delay;
            if cached {
                read_prefix = read_prefix.then(redis, topo.redis_s);
                read_delay += LAN_RTT_S;
                emit(reads * f.cache_hit, read_delay, &read_prefix, true, false);
            }
            let misses = reads * (1.0 - f.cache_hit);
            if !f.primary_down {
                let to_primary = misses * f.to_primary_share * f.primary_reach;
                emit(to_primary * (1.0 - x), read_delay + db_hop, &read_prefix.then(primary, topo.db_read_s), true, false);
                emit(to_primary * x, read_delay + db_hop, &read_prefix.then(scatter, topo.db_read_s * scatter_factor), true, false);
            }
            if f.replicas > 0 {
                let to_replicas = misses * (1.0 - f.to_primary_share);
                let (rscatter, rfactor) = max_of(f.replica, shards);
                emit(to_replicas * (1.0 - x), read_delay + LAN_RTT_S, &read_prefix.then(f.replica, topo.db_read_s), true, false);
                emit(to_replicas * x, read_delay + LAN_RTT_S, &read_prefix.then(rscatter, topo.db_read_s * rfactor), true, false);
            }
            let writes = f.writes * share;
            let write_path = prefix.then(primary, topo.db_write_s);
            // Writes with a job: inline they wait for it (or fail with its downstream); queued they wait for the
            // enqueue; skipped by an open breaker they return at once.
            let with_job = if f.jobs_failing { 0.0 } else { writes * job };
            emit(writes * (1.0 - job), delay + db_hop, &write_path, true, true);
            emit(with_job, delay + db_hop + job_delay, &write_path, true, true);
        }
    }

    /// Latency of the current state; reused while no step has re-evaluated the stations.
    pub(super) fn latency(&mut self, exact: bool) -> LatencyMs {
        let (gen, fast, precise) = self.latency_cache;
        if gen == self.generation {
            if let Some(l) = if exact { precise } else { fast } {
                return l;
            }
        } else {
            self.latency_cache = (self.generation, None, None);
        }
        let (mixture, _) = self.mixture(&self.flows);
        let (p50, p95, p99) = if exact {
            {
                let q = mixture.quantiles(&[0.50, 0.95, 0.99]);
                (q[0], q[1], q[2])
            }
        } else {
            let q = mixture.quantiles_fast(&[0.50, 0.95, 0.99]);
            (q[0], q[1], q[2])
        };
        let l = LatencyMs { mean: finite(mixture.mean() * 1e3), p50: finite(p50 * 1e3), p95: finite(p95 * 1e3), p99: finite(p99 * 1e3) };
        if exact {
            self.latency_cache.2 = Some(l);
        } else {
            self.latency_cache.1 = Some(l);
        }
        l
    }
}

/// The stations one request class visits (at most six: app, session, cache, database, services), without
/// allocating.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Path {
    pub(super) items: [(StationOut, f64); 6],
    pub(super) len: usize,
}

impl Path {
    pub(super) fn then(mut self, out: StationOut, service_s: f64) -> Path {
        if self.len < self.items.len() {
            self.items[self.len] = (out, service_s);
            self.len += 1;
        }
        self
    }
    pub(super) fn success(&self) -> f64 {
        self.items[..self.len].iter().map(|(o, _)| o.success()).product()
    }
    pub(super) fn visits(&self) -> Vec<Visit> {
        self.items[..self.len].iter().map(|(o, s)| o.visit(*s)).collect()
    }
}
