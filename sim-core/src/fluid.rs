//! The aggregate engine: time-stepped, with a cost per simulated second that does not depend on the request rate,
//! so it runs the same from 1 to 100,000,000 requests per second.
//!
//! Each step it turns the offered load into arrival rates at every station (CDN and cache hit ratios from their
//! TTL curves, reads split between primary and replicas, app traffic split by the load balancer), then for every
//! station combines the M/M/c/K steady state at the current load with a fluid queue that grows at λ − cμ in
//! overload and drains at cμ − λ after it. Waits longer than the request timeout become errors; arrivals at a
//! full station are refused. Latency percentiles come from [`crate::latency`]: the exact inversion for a steady
//! summary, the fast gamma fit for series points.
//!
//! A step whose offered load is within 0.1 % of the load the stations were last evaluated at, with every queue
//! at its steady state, no replica backlog and no change to the fleet, reuses that evaluation (the station
//! figures depend only on the load then); every step still advances the counts, the cost and the scaling timers.
//!
//! Run loop: [`Fluid::new`] compiles the scenario; [`Fluid::step`] advances one step; [`Fluid::sample`] reads the
//! current state; [`run`] does both over the scenario's duration.

use std::collections::BTreeMap;

use crate::latency::{Class, Mixture, Visit};
use crate::model::{
    self, Topology, APP_BACKLOG, BREAKER_RESET_S, CLIENT_RTT_S, EDGE_RTT_S, ENQUEUE_S, HICCUP_P, HICCUP_S, JOB_BACKOFF_S, LAN_RTT_S,
    REDIS_MAX_CLIENTS, REPLICATION_BASE_LAG_S, SERVICE_S, WORKER_SCALE_EVERY_S,
};
use crate::policy::balancer::arrival_scv;
use crate::policy::geo_dns;
use crate::policy::outage::{db_down_s, lb_down_s, region_dark};
use crate::policy::scaling::{top_up, Fleet, Scale, ScalingGroup};
use crate::queueing::{mmck, Mmc};
use crate::report::{finite, Counts, EdgeRates, JobStats, LatencyMs, Report, Sample, Summary, TierStat};
use crate::scenario::{
    FaultKind, Scenario, DEPLOY_RESTART_S, DOWNSTREAM_OUTAGE_S, REGION_FAILOVER_S, REGION_OUTAGE_S, SPIKE_FACTOR, SPIKE_S,
    WRITE_BURST_FACTOR, WRITE_BURST_S,
};
use crate::traffic::GEOS;

/// M/M/c/K steady state tabulated over ρ for one (c, K), so a step costs O(1) per station.
#[derive(Clone, Debug)]
struct Table {
    c: u32,
    k: u32,
    /// Rows at ρ = i·STEP: (blocking, P(wait) of admitted, μ·Wq, mean number in system / c, gamma shape of the
    /// wait of those who wait).
    rows: Vec<[f64; 5]>,
}

const RHO_STEP: f64 = 1.0 / 256.0;
const RHO_MAX: f64 = 4.0;

impl Table {
    fn new(c: u32, k: u32) -> Table {
        let n = (RHO_MAX / RHO_STEP) as usize + 1;
        let rows = (0..n)
            .map(|i| {
                let rho = i as f64 * RHO_STEP;
                Self::exact(c, k, rho)
            })
            .collect();
        Table { c, k, rows }
    }

    /// The row at ρ computed directly (μ = 1).
    fn exact(c: u32, k: u32, rho: f64) -> [f64; 5] {
        let lambda = rho * c as f64;
        let r = mmck(c, k, lambda, 1.0);
        [r.blocking, r.p_wait, r.mean_wait, r.mean_in_system / c as f64, Self::wait_shape(c, k, rho)]
    }

    /// Gamma shape of the wait of an admitted arrival that waits in M/M/c/K at load ρ: finding j others queued
    /// (probability ∝ ρʲ, j = 0 … K − c − 1) it waits Erlang(j + 1, c), so the shape is E[W]²/Var[W] from
    /// Σρʲ(j+1) and Σρʲ(j+1)(j+2). Exponential (1) for an unbounded queue; large when the queue is nearly full.
    fn wait_shape(c: u32, k: u32, rho: f64) -> f64 {
        let n = k.saturating_sub(c) as usize;
        if n == 0 || rho <= 0.0 {
            return 1.0;
        }
        // Weights relative to the largest term, summed from the heavy end until they vanish.
        let (mut s0, mut s1, mut s2) = (0.0, 0.0, 0.0);
        let ratio = if rho <= 1.0 { rho } else { 1.0 / rho };
        let mut w = 1.0;
        for i in 0..n {
            let j = if rho <= 1.0 { i } else { n - 1 - i } as f64;
            s0 += w;
            s1 += w * (j + 1.0);
            s2 += w * (j + 1.0) * (j + 2.0);
            w *= ratio;
            if w < 1e-14 {
                break;
            }
        }
        let (m1, m2) = (s1 / s0, s2 / s0);
        let var = m2 - m1 * m1;
        if var <= 0.0 {
            crate::latency::MAX_WAIT_SHAPE
        } else {
            (m1 * m1 / var).clamp(1.0, crate::latency::MAX_WAIT_SHAPE)
        }
    }

    fn at(&self, rho: f64) -> [f64; 5] {
        if rho >= RHO_MAX {
            // Deep overload: the queue is full, servers always busy, and all but 1/ρ of arrivals are turned
            // away — the M/M/c/K limits, so the cost stays O(1) at any rate.
            let (c, k) = (self.c as f64, self.k as f64);
            return [1.0 - 1.0 / rho, 1.0, (k - c) / c, k / c, (k - c).clamp(1.0, crate::latency::MAX_WAIT_SHAPE)];
        }
        let pos = rho.max(0.0) / RHO_STEP;
        let i = (pos.floor() as usize).min(self.rows.len() - 2);
        let f = pos - i as f64;
        let (a, b) = (self.rows[i], self.rows[i + 1]);
        [0, 1, 2, 3, 4].map(|j| a[j] + f * (b[j] - a[j]))
    }
}

/// One class of work arriving at a station.
#[derive(Clone, Copy, Debug)]
struct Load {
    rate: f64,
    service_s: f64,
}

/// A station's figures for one step.
#[derive(Clone, Copy, Debug, Default)]
struct StationOut {
    /// Whether the fluid queue sits at its steady state.
    settled: bool,
    utilization: f64,
    /// Offered utilisation λ / (c μ): demand over capacity, past 1 when overloaded.
    offered: f64,
    in_system: f64,
    blocking: f64,
    p_wait: f64,
    wait_mean: f64,
    /// Gamma shape of the wait (1 = exponential).
    wait_shape: f64,
    /// Gamma shape of the service (0 or 1 = exponential; larger for the slowest of several parallel visits).
    service_shape: f64,
    timeout: f64,
}

impl StationOut {
    fn visit(&self, service_s: f64) -> Visit {
        Visit {
            p_wait: self.p_wait,
            wait_mean: self.wait_mean,
            service_mean: service_s,
            wait_shape: self.wait_shape,
            service_shape: self.service_shape,
        }
    }
    fn mean_sojourn(&self, service_s: f64) -> f64 {
        self.p_wait * self.wait_mean + service_s
    }
    fn success(&self) -> f64 {
        (1.0 - self.blocking) * (1.0 - self.timeout)
    }
}

/// A station's fluid state between steps.
#[derive(Clone, Debug)]
struct Station {
    table_index: usize,
    q: f64,
}

/// Tables shared by stations with the same (c, K); built when a topology is compiled.
#[derive(Clone, Debug, Default)]
pub struct Tables(Vec<Table>);

impl Tables {
    /// Tables for the app servers, Redis and database stations of `topo`, reusing those of `prev` that match.
    pub(crate) fn for_topology(topo: &Topology, prev: Option<&Tables>) -> Tables {
        let mut t = Tables::default();
        for (c, k) in station_sizes(topo) {
            match prev.and_then(|p| p.0.iter().find(|x| x.c == c && x.k == k)) {
                Some(table) => t.0.push(table.clone()),
                None => {
                    t.index(c, k);
                }
            }
        }
        t
    }

    /// Position of the (c, K) table, which [`Tables::for_topology`] built.
    fn find(&self, c: u32, k: u32) -> usize {
        self.0.iter().position(|t| t.c == c && t.k == k).unwrap_or(0)
    }

    fn index(&mut self, c: u32, k: u32) -> usize {
        if let Some(i) = self.0.iter().position(|t| t.c == c && t.k == k) {
            return i;
        }
        self.0.push(Table::new(c, k));
        self.0.len() - 1
    }
}

/// Queries a connection pool holds waiting for a database connection.
pub(crate) const POOL_QUEUE: u32 = 10_000;
/// vCPUs of a service instance (m6i.large).
const SERVICE_VCPUS: u32 = 2;

/// (c, K) of the app, Redis, database and service stations. With a connection pool, queries beyond
/// `max_connections` wait in the pool instead of being refused.
pub(crate) fn station_sizes(topo: &Topology) -> [(u32, u32); 4] {
    let a = &topo.scenario.arch;
    let db_k = if a.resilience.db_pool { POOL_QUEUE } else { a.db_max_connections }.max(topo.db_vcpus);
    [
        (topo.app_vcpus, topo.app_vcpus + APP_BACKLOG),
        (1, REDIS_MAX_CLIENTS),
        (topo.db_vcpus, db_k),
        (SERVICE_VCPUS, SERVICE_VCPUS + APP_BACKLOG),
    ]
}

/// Advances a station by `dt` under `loads` and returns its figures. `ca2` is the squared coefficient of
/// variation of arrivals (1 for Poisson, 1/n behind round-robin over n servers).
fn advance(st: &mut Station, tables: &Tables, loads: &[Load], ca2: f64, timeout_s: f64, dt: f64) -> StationOut {
    let table = &tables.0[st.table_index];
    let c = table.c as f64;
    let lambda: f64 = loads.iter().map(|l| l.rate).sum();
    if lambda <= 0.0 {
        st.q = (st.q - c / loads.iter().map(|l| l.service_s).fold(1e-6, f64::max) * dt).max(0.0);
        return StationOut { settled: st.q == 0.0, ..StationOut::default() };
    }
    let work: f64 = loads.iter().map(|l| l.rate * l.service_s).sum();
    let mean_s = work / lambda;
    let second: f64 = loads.iter().map(|l| l.rate * 2.0 * l.service_s * l.service_s).sum::<f64>() / lambda;
    let cs2 = (second / (mean_s * mean_s) - 1.0).max(0.0);
    let mu = 1.0 / mean_s;
    let cap = c * mu;
    let rho = lambda / cap;
    let [blocking, p_wait, wq_norm, l_norm, shape_ss] = table.at(rho);
    let factor = (ca2 + cs2) / 2.0;
    // The Allen–Cunneen correction scales the queue for variable service, but never past the station's K.
    let k = table.k as f64;
    let wq_ss = (wq_norm / mu * factor).min((k - c).max(0.0) / cap);
    let l_ss = (l_norm * c - lambda * (1.0 - blocking) * wq_norm / mu * (1.0 - factor)).clamp(0.0, k);
    // The fluid queue moves toward the steady state at the net rate of arrivals against service.
    let speed = (lambda - cap).abs().max(0.05 * cap);
    let target = l_ss;
    st.q = if st.q < target { (st.q + speed * dt).min(target) } else { (st.q - speed * dt).max(target) };
    let near = (st.q - l_ss).abs() <= 0.01 * l_ss.max(1.0);
    let (p_wait, wq, blocking, shape) = if near {
        (p_wait, wq_ss, blocking, shape_ss)
    } else {
        let queued = (st.q - c).max(0.0);
        let wq = (queued / cap).max(wq_ss.min(queued / cap + wq_ss));
        let pw = if st.q > c { 1.0 } else { p_wait };
        let b = if st.q < l_ss { blocking * (st.q / l_ss).powi(4) } else { blocking };
        // An arrival behind `queued` others waits for that many departures: Erlang-like.
        (pw, wq, b, queued.max(shape_ss))
    };
    let wait_mean = if p_wait > 1e-12 { wq / p_wait } else { 0.0 };
    let timeout = if wait_mean > 0.0 { p_wait * crate::latency::gamma_survival(timeout_s, wait_mean, shape) } else { 0.0 };
    StationOut {
        settled: near,
        utilization: (lambda * (1.0 - blocking) / cap).min(1.0),
        offered: rho,
        in_system: st.q,
        blocking,
        p_wait,
        wait_mean,
        wait_shape: shape,
        service_shape: 1.0,
        timeout,
    }
}

/// One app server of the fleet.
#[derive(Clone, Debug)]
struct Server {
    /// Simulated second from which it serves.
    ready_at: f64,
    /// Second it died, if it did.
    died_at: Option<f64>,
    /// Second the load balancer notices (two failed health checks after the death).
    detected_at: f64,
    /// Its fluid queue.
    station: Station,
}

/// Rates and station figures of the current step, kept for [`Fluid::sample`].
#[derive(Clone, Debug, Default)]
struct Flows {
    offered: f64,
    edge: f64,
    origin_static: f64,
    reads: f64,
    writes: f64,
    failed: f64,
    cdn_hit: f64,
    cache_hit: f64,
    cache_stale: f64,
    to_primary_share: f64,
    /// Share of primary-bound reads whose shard's primary is alive (below 1 while one shard's primary is dead
    /// and there is no replica to read instead).
    primary_reach: f64,
    replica_reads: f64,
    lag_s: f64,
    apply_rho: f64,
    /// (server index, routing share, dead, figures) per routed server.
    app: Vec<(usize, f64, bool, StationOut)>,
    box_index: Option<usize>,
    redis: Vec<StationOut>,
    primary: StationOut,
    replica: StationOut,
    error_rps: f64,
    /// Whether the database primary is down this step.
    primary_down: bool,
    /// Replicas in service (configured less those promoted after a primary failure).
    replicas: u32,
    /// App servers restarting for a deploy this step.
    restarting: u32,
    /// Requests per second tried, retries included.
    attempts: f64,
    /// Requests per second answered, as users see them (after retries).
    served: f64,
    /// Requests per second refused with 429.
    limited: f64,
    /// Share of origin static requests that reach a server (0 while the load balancer or the region is down).
    static_reach: f64,
    /// Share of all users the simulated (busiest) region serves.
    region_share: f64,
    /// Regions serving.
    regions_up: u32,
    /// (share of users, round trip to their region, extra round trip of a write to the primary) per geography.
    geo: Vec<(f64, f64, f64)>,
    /// Each shard's primary, their share-weighted average, and the hottest.
    shards: Vec<StationOut>,
    primary_hot: StationOut,
    /// One instance of a service.
    services: StationOut,
    /// Batch writes per second from a write burst.
    batch_writes: f64,
    /// Queries per second from the scheduled batch job, on each primary (0 while it does not run).
    report_qps: f64,
    /// Logged-in pages per second the CDN answers with another user's cached copy.
    wrong_user: f64,
    /// Jobs per second put on the queue.
    jobs_rps: f64,
    /// Jobs per second skipped by an open circuit breaker.
    jobs_skipped: f64,
    /// Whether requests run their job inline, and whether those requests fail (dead downstream, no breaker).
    jobs_inline: bool,
    jobs_failing: bool,
}

/// Where users go: the busiest serving region's share of all users, the share whose region is down and not yet
/// failed over, regions up, and (share, round trip, write detour) per geography.
struct Route {
    busiest: f64,
    failing: f64,
    up: u32,
    geo: Vec<(f64, f64, f64)>,
}

/// The message queue and its worker pool.
#[derive(Clone, Debug, Default)]
struct JobQueue {
    backlog: f64,
    workers: u32,
    next_scale_at: f64,
    dead: f64,
    wait_s: f64,
    depth: f64,
}

/// The aggregate engine's state.
#[derive(Clone, Debug)]
pub struct Fluid {
    topo: Topology,
    dt: f64,
    t: f64,
    tables: std::sync::Arc<Tables>,
    app_table: usize,
    servers: Vec<Server>,
    redis: Vec<Station>,
    primaries: Vec<Station>,
    replica: Station,
    services: Station,
    jobs: JobQueue,
    /// Client retries multiply the offered load by this (1 without failures).
    retry_factor: f64,
    retry_moving: bool,
    /// Fault state of the later faults: downstream down since / until, region down at, load balancer down
    /// until, write burst until.
    downstream_since: f64,
    downstream_down_until: f64,
    region_down_at: Option<f64>,
    lb_down_until: f64,
    burst_until: f64,
    /// Writes waiting to be replayed on each replica.
    apply_backlog: f64,
    replicas_serving: bool,
    next_fault: usize,
    /// The auto-scaling group's memory between checks.
    group: ScalingGroup<f64>,
    sessions_lost: f64,
    /// Writes committed on the first shard's primary, as the backup policy keeps them.
    backup_log: crate::policy::backup::WriteLog,
    /// Writes lost with a dead primary that had no replica to promote.
    writes_lost: f64,
    /// Whether the run stands for a steady state held at the day's peak (the scheduled job counts if it runs then).
    pub(crate) hold_peak: bool,
    counts: Counts,
    cost_integral: f64,
    flows: Flows,
    /// Offered load at the last full evaluation, and whether that evaluation was settled.
    evaluated_at: f64,
    settled: bool,
    /// Set when faults or scaling changed the fleet this step.
    dirty: bool,
    /// Fault state: the spike lasts until, the cache was flushed at, a rolling deploy started at (and how many
    /// servers it has restarted), the primary is down until, replicas promoted to primary so far.
    spike_until: f64,
    flushed_at: Option<f64>,
    deploy: Option<(f64, usize)>,
    db_down_until: f64,
    /// Whether only the first shard's primary is down (a killed primary of a sharded database), not them all.
    db_down_one_shard: bool,
    replicas_lost: u32,
    /// Counts full evaluations; a sample taken at the same generation has the same latency distribution.
    generation: u64,
    /// (generation, fast latency, exact latency) of the last sample.
    latency_cache: (u64, Option<LatencyMs>, Option<LatencyMs>),
    /// Scratch buffers reused every step.
    share_cache: (usize, Vec<f64>),
    routed_buf: Vec<usize>,
}

impl Fluid {
    /// Compiles `scenario` for stepping `dt` seconds at a time.
    pub fn new(scenario: &Scenario, dt: f64) -> Fluid {
        Fluid::with_topology(Topology::new(scenario), dt)
    }

    /// An engine over an already compiled topology (compiling is the costly part; share it between runs).
    pub fn with_topology(topo: Topology, dt: f64) -> Fluid {
        let scenario = &topo.scenario.clone();
        let a = &scenario.arch;
        let initial = if a.autoscaling.enabled { a.autoscaling.desired } else { a.app_servers };
        let tables = topo.tables.clone();
        let [app, redis, db, svc] = station_sizes(&topo);
        let (app_table, redis_table, db_table) = (tables.find(app.0, app.1), tables.find(redis.0, redis.1), tables.find(db.0, db.1));
        let svc_table = tables.find(svc.0, svc.1);
        let server =
            |ready_at| Server { ready_at, died_at: None, detected_at: f64::MAX, station: Station { table_index: app_table, q: 0.0 } };
        Fluid {
            dt: dt.max(1e-3),
            t: 0.0,
            servers: (0..initial).map(|_| server(0.0)).collect(),
            redis: (0..a.redis_nodes).map(|_| Station { table_index: redis_table, q: 0.0 }).collect(),
            primaries: (0..a.shards.max(1)).map(|_| Station { table_index: db_table, q: 0.0 }).collect(),
            replica: Station { table_index: db_table, q: 0.0 },
            services: Station { table_index: svc_table, q: 0.0 },
            jobs: JobQueue { workers: settled_workers(scenario), ..JobQueue::default() },
            retry_factor: 1.0,
            retry_moving: false,
            downstream_since: f64::NEG_INFINITY,
            downstream_down_until: f64::NEG_INFINITY,
            region_down_at: None,
            lb_down_until: f64::NEG_INFINITY,
            burst_until: f64::NEG_INFINITY,
            tables,
            app_table,
            apply_backlog: 0.0,
            replicas_serving: true,
            next_fault: 0,
            group: ScalingGroup::default(),
            sessions_lost: 0.0,
            backup_log: crate::policy::backup::WriteLog::new(&scenario.traffic),
            writes_lost: 0.0,
            hold_peak: false,
            counts: Counts::default(),
            cost_integral: 0.0,
            flows: Flows::default(),
            evaluated_at: f64::NAN,
            spike_until: f64::NEG_INFINITY,
            flushed_at: None,
            deploy: None,
            db_down_until: f64::NEG_INFINITY,
            db_down_one_shard: false,
            replicas_lost: 0,
            generation: 0,
            latency_cache: (u64::MAX, None, None),
            settled: false,
            dirty: true,
            share_cache: (usize::MAX, Vec::new()),
            routed_buf: Vec::new(),
            topo,
        }
    }

    /// Current simulated second.
    pub fn now(&self) -> f64 {
        self.t
    }

    /// The topology being run.
    pub fn topology(&self) -> &Topology {
        &self.topo
    }

    /// Request accounting so far.
    pub fn counts(&self) -> Counts {
        self.counts
    }

    /// Servers the load balancer sends traffic to: booted, and alive or not yet detected dead.
    fn routed(&self) -> Vec<usize> {
        let mut out = Vec::with_capacity(self.servers.len());
        self.routed_into(&mut out);
        out
    }

    fn routed_into(&self, out: &mut Vec<usize>) {
        out.clear();
        out.extend((0..self.servers.len()).filter(|&i| {
            let s = &self.servers[i];
            s.ready_at <= self.t && self.t < s.detected_at
        }));
    }

    fn alive_count(&self) -> u32 {
        self.servers.iter().filter(|s| s.ready_at <= self.t && s.died_at.is_none()).count() as u32
    }

    /// Share of users pinned to routed server number `pos` of `n` (sticky), or an even share.
    fn shares(&self, n: usize) -> Vec<f64> {
        if n == 0 {
            return Vec::new();
        }
        if self.topo.sticky() {
            self.topo.sticky_shares(n as u32)
        } else {
            vec![1.0 / n as f64; n]
        }
    }

    /// [`Self::shares`], recomputed only when the number of routed servers changes.
    fn shares_cached(&mut self, n: usize) -> Vec<f64> {
        if self.share_cache.0 != n || self.share_cache.1.len() != n {
            self.share_cache = (n, self.shares(n));
        }
        std::mem::take(&mut self.share_cache.1)
    }

    fn launch(&mut self, count: u32) {
        let boot = self.topo.scenario.arch.autoscaling.boot_s;
        for _ in 0..count {
            self.servers.push(Server {
                ready_at: self.t + boot,
                died_at: None,
                detected_at: f64::MAX,
                station: Station { table_index: self.app_table, q: 0.0 },
            });
        }
    }

    /// Sessions held by routed server number `pos`, lost if it goes (sticky sessions only).
    fn sessions_on(&self, pos: usize, n: usize) -> f64 {
        if !self.topo.sticky() {
            return 0.0;
        }
        self.shares(n).get(pos).copied().unwrap_or(0.0) * self.topo.scenario.traffic.users as f64
    }

    fn apply_faults(&mut self) {
        while let Some(f) = self.topo.scenario.faults.get(self.next_fault).copied() {
            if f.at_s > self.t {
                break;
            }
            match f.kind {
                FaultKind::KillAppServer => {
                    let routed = self.routed();
                    if let Some(pos) = routed.iter().position(|&i| self.servers[i].died_at.is_none()) {
                        let h = self.topo.scenario.arch.health_check_s;
                        self.sessions_lost += self.sessions_on(pos, routed.len());
                        self.dirty = true;
                        let s = &mut self.servers[routed[pos]];
                        s.died_at = Some(f.at_s);
                        s.detected_at = crate::policy::health::detected_at(f.at_s, h);
                    }
                }
                FaultKind::TrafficSpike => self.spike_until = f.at_s + SPIKE_S,
                FaultKind::FlushCache => self.flushed_at = Some(f.at_s),
                FaultKind::Deploy => self.deploy = Some((f.at_s, 0)),
                FaultKind::KillDbPrimary => {
                    // One machine dies: the first shard's primary. With one shard that is the database.
                    let replicas = self.replicas();
                    self.db_down_one_shard = self.topo.scenario.arch.shards > 1 && !self.topo.db_on_app;
                    self.db_down_until = f.at_s + db_down_s(replicas > 0);
                    if replicas == 0 {
                        // Nothing to promote: the database comes back from its backups, without what they miss.
                        let backups = self.topo.scenario.arch.ops.backups;
                        self.writes_lost += self.backup_log.lost(backups, f.at_s);
                        self.db_down_until = f.at_s + self.backup_log.restore_s(backups, self.topo.apply_s);
                    }
                    if replicas > 0 {
                        // The hottest shard's replicas stand for the tier: they lose one only without sharding.
                        if !self.db_down_one_shard {
                            self.replicas_lost += 1;
                            self.apply_backlog = 0.0;
                        }
                    }
                }
                FaultKind::DownstreamOutage => {
                    self.downstream_since = f.at_s;
                    self.downstream_down_until = f.at_s + DOWNSTREAM_OUTAGE_S;
                }
                FaultKind::RegionOutage => {
                    self.region_down_at = Some(f.at_s);
                    // The busiest region holds the primary: another region's replica is promoted with the failover.
                    if self.topo.scenario.arch.regions > 1 {
                        self.db_down_until = self.db_down_until.max(f.at_s + REGION_FAILOVER_S);
                        self.db_down_one_shard = false;
                    }
                }
                FaultKind::KillLoadBalancer => {
                    self.lb_down_until = f.at_s + lb_down_s(self.topo.scenario.arch.resilience.lb_ha);
                }
                FaultKind::WriteBurst => self.burst_until = f.at_s + WRITE_BURST_S,
            }
            self.dirty = true;
            self.next_fault += 1;
        }
    }

    /// Requests per second offered now: the traffic curve, times the spike while one lasts.
    fn offered_now(&self) -> f64 {
        let spike = if self.t < self.spike_until { SPIKE_FACTOR } else { 1.0 };
        self.topo.scenario.traffic.rps_at(self.t) * spike
    }

    /// Replicas in service.
    fn replicas(&self) -> u32 {
        self.topo.scenario.arch.replicas.saturating_sub(self.replicas_lost)
    }

    /// Where each geography's users go now. Regions sit in [`GEOS`] order; users go to the nearest live region
    /// (geo-DNS). A dead region's users fail until the failover, then go to the next nearest. Writes travel from
    /// the serving region to the primary's (the first live region).
    fn region_routing(&self) -> Route {
        let a = &self.topo.scenario.arch;
        let regions = a.regions.clamp(1, GEOS.len() as u32) as usize;
        let world = self.topo.scenario.traffic.worldwide;
        let dark = region_dark(self.region_down_at, self.t);
        let dead = dark.map(|_| 0usize);
        let primary_region = if dead == Some(0) && regions > 1 { 1 } else { 0 };
        let mut load = [0.0; 3];
        let mut failing = 0.0;
        let mut geo = Vec::with_capacity(GEOS.len());
        for (g, place) in GEOS.iter().enumerate() {
            let share = geo_dns::share(world, g);
            if share <= 0.0 {
                continue;
            }
            let serving = geo_dns::serving(g, regions, dark);
            match serving {
                Some(r) => {
                    load[r] += share;
                    let detour = if r == primary_region { 0.0 } else { GEOS[r].rtt_s[primary_region] };
                    geo.push((share, place.rtt_s[r], detour));
                }
                None => failing += share,
            }
        }
        if geo.is_empty() {
            // Nobody is served: keep one entry so latency stays defined.
            geo.push((1.0, CLIENT_RTT_S, 0.0));
        }
        // The shares split the traffic that gets through (the failing share is already taken out of it).
        let served: f64 = geo.iter().map(|g| g.0).sum();
        for g in &mut geo {
            g.0 /= served;
        }
        Route { busiest: load.iter().cloned().fold(0.0, f64::max), failing, up: (regions - dead.is_some() as usize) as u32, geo }
    }

    /// Whether the circuit breaker around the downstream service is open now: it opens once a window of
    /// failures shows the error threshold, and closes at the first half-open probe after the service is back.
    fn breaker_open(&self) -> bool {
        crate::policy::breaker::is_open(&self.topo.scenario, self.downstream_since, self.downstream_down_until, self.t)
    }

    /// Advances the message queue by one step under `arrivals` jobs per second: workers finish jobs while the
    /// downstream service is up; while it is down every attempt fails and is retried with backoff, and jobs
    /// that outlive their attempts are dead-lettered. The pool scales on queue depth.
    fn advance_jobs(&mut self, arrivals: f64) {
        let jobs = &self.topo.scenario.arch.jobs;
        if !jobs.queued || jobs.share <= 0.0 {
            return;
        }
        let (dt, t) = (self.dt, self.t);
        let job_s = (jobs.job_ms / 1e3).max(1e-3);
        let down = t < self.downstream_down_until && t >= self.downstream_since;
        let horizon = JOB_BACKOFF_S * (2f64.powi(jobs.attempts.saturating_sub(1) as i32) - 1.0);
        let q = &mut self.jobs;
        let cap = if down { 0.0 } else { q.workers as f64 / job_s };
        q.backlog = (q.backlog + (arrivals - cap) * dt).max(0.0);
        if down && t - self.downstream_since > horizon {
            // Jobs that arrived more than the retry horizon ago have used their attempts.
            let dead = (arrivals * dt).min(q.backlog);
            q.dead += dead;
            q.backlog -= dead;
        }
        let wq = if !down && arrivals > 0.0 && arrivals < cap { Mmc::new(q.workers, arrivals, 1.0 / job_s).mean_wait() } else { 0.0 };
        q.wait_s = if down { (t - self.downstream_since).min(horizon) } else { wq + q.backlog / cap.max(1e-9) };
        q.depth = q.backlog + arrivals * wq;
        if jobs.max_workers > jobs.workers && t >= q.next_scale_at {
            // Enough workers to run arrivals at 70 % busy and drain the backlog within two minutes.
            q.workers = crate::policy::workers::pool_size(arrivals, q.backlog, job_s, jobs.workers, jobs.max_workers);
            q.next_scale_at = t + WORKER_SCALE_EVERY_S;
        }
    }

    /// The routed position taken out by a rolling deploy now (behind a load balancer), counting sessions lost as
    /// each server restarts; `Some(usize::MAX)` when a single server is restarting (everything fails).
    fn deploying(&mut self, n: usize) -> Option<usize> {
        let (start, restarted) = self.deploy?;
        let k = ((self.t - start) / DEPLOY_RESTART_S).floor() as usize;
        let servers = if self.topo.has_lb() { n } else { 1 };
        if k >= servers {
            self.deploy = None;
            self.dirty = true;
            return None;
        }
        if k >= restarted {
            // A new server goes down for its restart: the sessions it held are gone.
            self.sessions_lost += self.sessions_on(k, n);
            self.deploy = Some((start, k + 1));
            self.dirty = true;
        }
        Some(if self.topo.has_lb() { k } else { usize::MAX })
    }

    /// Drops detected dead servers (replacing them under auto-scaling) and applies the scaling rules.
    fn manage_fleet(&mut self) {
        let t = self.t;
        // Nothing to manage in a fixed fleet until a server dies.
        if !self.topo.scenario.arch.autoscaling.enabled && self.next_fault == 0 {
            return;
        }
        let before = self.servers.len();
        self.servers.retain(|s| !(s.died_at.is_some() && t >= s.detected_at));
        let replaced = (before - self.servers.len()) as u32;
        // A server finishing its boot or being removed changes where traffic goes.
        if replaced > 0 || self.servers.iter().any(|s| s.ready_at > t - self.dt && s.ready_at <= t) {
            self.dirty = true;
        }
        let asg = self.topo.scenario.arch.autoscaling.clone();
        if !asg.enabled {
            return;
        }
        if replaced > 0 {
            self.launch(replaced);
        }
        let floor = asg.min.max(self.prewarm_floor());
        let fleet = Fleet { total: self.servers.len() as u32, booting: self.servers.iter().any(|s| s.ready_at > t), floor };
        let cpu = self.app_cpu();
        match self.group.decide(&asg, t, t, cpu, fleet) {
            Scale::Out(add) => {
                self.launch(add);
                self.dirty = true;
            }
            Scale::In(remove) => {
                for _ in 0..remove {
                    let routed = self.routed();
                    if let Some(&last) = routed.last() {
                        self.sessions_lost += self.sessions_on(routed.len() - 1, routed.len());
                        self.servers.remove(last);
                    }
                }
                self.dirty = true;
            }
            Scale::Hold => {}
        }
        let add = top_up(self.servers.len() as u32, floor);
        if add > 0 {
            self.launch(add);
            self.dirty = true;
        }
    }

    fn prewarm_floor(&self) -> u32 {
        crate::policy::prewarm::floor(&self.topo.scenario, self.t)
    }

    /// Average CPU of the serving app servers at the last step.
    fn app_cpu(&self) -> f64 {
        let live: Vec<f64> = self.flows.app.iter().filter(|a| !a.2).map(|a| a.3.utilization).collect();
        if live.is_empty() {
            0.0
        } else {
            live.iter().sum::<f64>() / live.len() as f64
        }
    }

    /// Whether the scheduled batch job starts or stops by `t`: the flows must be evaluated again.
    fn report_changes(&self, t: f64) -> bool {
        let job = &self.topo.scenario.arch.ops.report;
        job.start_hour.is_some()
            && !job.on_replica
            && crate::policy::batch::running(job, t, self.hold_peak) != (self.flows.report_qps > 0.0)
    }

    /// Advances the engine by one step.
    pub fn step(&mut self) {
        self.apply_faults();
        self.manage_fleet();
        let load = self.offered_now();
        let moved = (load - self.evaluated_at).abs() > 1e-3 * self.evaluated_at.abs();
        // A fault in progress (rolling deploy, refilling cache, primary down) changes the state every step.
        let t = self.t + self.dt;
        let in_progress = self.deploy.is_some()
            || self.flushed_at.is_some()
            || self.retry_moving
            || t >= self.downstream_since && t <= self.downstream_down_until + 2.0 * BREAKER_RESET_S
            || self.region_down_at.is_some_and(|at| t <= at + REGION_OUTAGE_S + self.dt)
            || [self.db_down_until, self.lb_down_until, self.burst_until].iter().any(|&until| t <= until + self.dt)
            || self.report_changes(t);
        if self.dirty || !self.settled || moved || in_progress {
            self.flows = self.evaluate();
            self.generation += 1;
            self.evaluated_at = load;
            self.settled = self.flows.app.iter().all(|a| a.3.settled)
                && self.flows.redis.iter().all(|r| r.settled)
                && (self.topo.db_on_app || self.flows.primary.settled)
                && (self.flows.replicas == 0 || self.flows.replica.settled)
                && !self.retry_moving;
            self.dirty = false;
        } else {
            // Same station figures; rates scale with the (almost identical) load.
            let f = &mut self.flows;
            let scale = if f.offered > 0.0 { load / f.offered } else { 1.0 };
            f.offered = load;
            f.error_rps *= scale;
            f.served *= scale;
            f.attempts *= scale;
            f.limited *= scale;
            f.jobs_rps *= scale;
            f.jobs_skipped *= scale;
            f.edge *= scale;
            f.writes *= scale;
            f.reads *= scale;
            f.wrong_user *= scale;
            let writes = (f.writes + f.batch_writes) * self.topo.shard_shares.iter().cloned().fold(0.0, f64::max);
            let (rho, lag) = self.replicate(writes);
            self.flows.apply_rho = rho;
            self.flows.lag_s = lag;
        }
        let jobs_rps = self.flows.jobs_rps;
        self.advance_jobs(jobs_rps);
        let f = &self.flows;
        let dt = self.dt;
        self.counts.offered += f.offered * dt;
        self.counts.rejected += f.error_rps * dt;
        self.backup_log.record(self.t, (f.writes + f.batch_writes) * self.topo.shard_shares[0] * dt);
        let in_flight = self.in_flight();
        self.counts.served = (self.counts.offered - self.counts.rejected - in_flight).max(0.0);
        self.counts.in_flight = self.counts.offered - self.counts.rejected - self.counts.served;
        let instances = self.alive_count() as f64;
        let origin = f.offered - f.edge;
        let usage = model::Usage {
            app_instances: instances,
            origin_rps: origin,
            cdn_rps: f.edge,
            workers: self.jobs.workers,
            jobs_rps: f.jobs_rps,
        };
        self.cost_integral += self.topo.cost_per_hour(&usage) * dt;
        self.t += dt;
    }

    /// Requests in the system now, by Little's law over the current mean latency.
    fn in_flight(&self) -> f64 {
        let f = &self.flows;
        f.app.iter().map(|a| a.3.in_system).sum::<f64>()
            + f.redis.iter().map(|r| r.in_system).sum::<f64>()
            + f.shards.iter().map(|p| p.in_system).sum::<f64>()
            + f.replica.in_system * f.replicas as f64
            + (f.offered - f.error_rps).max(0.0) * CLIENT_RTT_S
    }

    fn evaluate(&mut self) -> Flows {
        let mut routed = std::mem::take(&mut self.routed_buf);
        self.routed_into(&mut routed);
        let deploying = self.deploying(routed.len());
        let single_restart = deploying == Some(usize::MAX);
        if let Some(k) = deploying.filter(|&k| k < routed.len()) {
            // Drained by the load balancer before the restart: no request fails, capacity drops.
            routed.remove(k);
        }
        let n = routed.len();
        let shares = self.shares_cached(n);
        let route = self.region_routing();
        let breaker_open = self.breaker_open();
        let downstream_down = self.t < self.downstream_down_until;
        let lb_down = self.topo.has_lb() && self.t < self.lb_down_until;
        let topo = &self.topo;
        let s = &topo.scenario;
        let a = &s.arch;
        let dt = self.dt;
        let timeout = a.timeout_ms / 1e3;
        let mut app_buf = std::mem::take(&mut self.flows.app);
        let mut redis_buf = std::mem::take(&mut self.flows.redis);
        let mut shard_buf = std::mem::take(&mut self.flows.shards);
        app_buf.clear();
        redis_buf.clear();
        shard_buf.clear();
        let mut f = Flows {
            offered: self.offered_now(),
            app: app_buf,
            redis: redis_buf,
            shards: shard_buf,
            restarting: deploying.is_some() as u32,
            ..Flows::default()
        };
        f.attempts = f.offered * self.retry_factor;
        let lam_static = f.attempts * s.traffic.static_share;
        f.cdn_hit = topo.cdn_hit(lam_static);
        f.edge = lam_static * f.cdn_hit;
        f.origin_static = lam_static - f.edge;
        let mut dynamic = f.attempts - lam_static;
        // Each user's requests beyond the rate limit get 429 at the door.
        let limit = a.resilience.rate_limit_per_min / 60.0;
        if limit > 0.0 {
            f.limited = dynamic * topo.users.excess_share(dynamic, limit);
            dynamic -= f.limited;
        }
        if a.cdn && a.ops.cdn_caches_private {
            // Logged-in pages cached by URL: the edge answers a share of them with someone else's page.
            let private = dynamic * (1.0 - s.traffic.write_fraction()) * crate::policy::edge_cache::PRIVATE_SHARE;
            f.wrong_user = private * crate::policy::edge_cache::hit_ratio(private);
            f.edge += f.wrong_user;
            dynamic -= f.wrong_user;
        }
        f.region_share = route.busiest;
        f.regions_up = route.up;
        f.geo = route.geo;

        let dead_share: f64 = routed.iter().zip(&shares).filter(|(&i, _)| self.servers[i].died_at.is_some()).map(|(_, s)| s).sum();
        let reach = if n == 0 || single_restart || lb_down { 0.0 } else { (1.0 - dead_share) * (1.0 - route.failing) };
        f.failed = (f.origin_static + dynamic) * (1.0 - reach);
        // Static files at the origin fail with the load balancer or the region; dead servers are handled per server.
        f.static_reach = if lb_down { 0.0 } else { 1.0 - route.failing };
        // The simulated (busiest) region's share of the traffic that gets through.
        let rf = if route.failing < 1.0 { route.busiest / (1.0 - route.failing) } else { 0.0 };
        let dyn_ok = dynamic * reach;
        f.writes = dyn_ok * s.traffic.write_fraction();
        f.reads = dyn_ok - f.writes;
        let (mut hit, stale) = topo.cache_hit(f.reads * rf);
        if let (Some(at), Some(_)) = (self.flushed_at, topo.cache_curve.as_ref()) {
            // Refilling after a flush: each key misses until it is read again (see Popularity::ttl_hit_ratio_warming).
            let warming = topo.keys.ttl_hit_ratio_warming(f.reads * rf, s.arch.cache_ttl_s, self.t - at);
            if warming >= hit * 0.999 {
                self.flushed_at = None;
            } else {
                // Without coalescing, reads of a key whose first miss is still in the database miss as well;
                // the slower the database, the bigger the stampede.
                let stampede = if s.arch.cache_coalescing {
                    0.0
                } else {
                    let fill = self.flows.primary.mean_sojourn(topo.db_read_s) + LAN_RTT_S;
                    topo.keys.stampede_share(f.reads * rf, self.t - at, dt, fill)
                };
                hit = (warming - stampede).max(0.0);
            }
        }
        f.cache_hit = hit;
        f.cache_stale = stale;
        let misses = f.reads * (1.0 - hit);
        f.replicas = self.replicas();
        let db_down = self.t < self.db_down_until;
        f.primary_down = db_down && !self.db_down_one_shard;
        // With one shard's primary dead, its users' writes fail, and reads that need it (its users' primary reads
        // and every cross-shard read) go to its replicas, or fail without them.
        let x = if a.shards > 1 { a.cross_shard_share } else { 0.0 };
        let lost_shard = if db_down && self.db_down_one_shard { topo.shard_shares[0] } else { 0.0 };
        let need_lost = if lost_shard > 0.0 { (1.0 - x) * lost_shard + x } else { 0.0 };
        if f.primary_down {
            // Writes fail until a replica is promoted (or the primary is restored); so do reads that need the primary.
            f.failed += f.writes;
            f.writes = 0.0;
        } else if lost_shard > 0.0 {
            f.failed += f.writes * lost_shard;
            f.writes *= 1.0 - lost_shard;
        }
        f.batch_writes = if self.t < self.burst_until { f.writes.max(1.0) * (WRITE_BURST_FACTOR - 1.0) } else { 0.0 };
        let job = &a.ops.report;
        f.report_qps = if crate::policy::batch::running(job, self.t, self.hold_peak) && !job.on_replica {
            crate::policy::batch::query_rate(job)
        } else {
            0.0
        };

        // Slow jobs: inline they hold the request (and fail with a dead downstream unless the breaker skips
        // them); queued they cost an enqueue.
        let job_writes = f.writes * a.jobs.share;
        let queued = a.jobs.queued;
        let wf = s.traffic.write_fraction();
        if job_writes > 0.0 {
            if queued {
                f.jobs_rps = job_writes;
            } else if downstream_down || breaker_open {
                if breaker_open {
                    f.jobs_skipped = job_writes;
                } else {
                    f.jobs_failing = true;
                }
            } else {
                f.jobs_inline = true;
            }
        }

        let shard_hot = topo.shard_shares.iter().cloned().fold(0.0, f64::max);
        let hot_db_share = (1.0 - x) * shard_hot + x;
        let (apply_rho, lag_s) = self.replicate((f.writes + f.batch_writes) * shard_hot);
        f.apply_rho = apply_rho;
        f.lag_s = lag_s;
        let topo = &self.topo;
        let a = &topo.scenario.arch;
        let ryw = topo.read_your_writes_share(f.writes);
        let replicas = f.replicas;
        f.to_primary_share = if replicas > 0 && (self.replicas_serving || f.primary_down) {
            if f.primary_down {
                0.0
            } else {
                ryw
            }
        } else {
            1.0
        };
        if need_lost > 0.0 {
            if replicas > 0 {
                f.to_primary_share *= 1.0 - need_lost;
            } else {
                f.failed += misses * need_lost;
            }
        }
        f.primary_reach = if replicas == 0 { 1.0 - need_lost } else { 1.0 };
        let primary_reads = if f.primary_down { 0.0 } else { misses * f.to_primary_share * f.primary_reach };
        if f.primary_down && replicas == 0 {
            f.failed += misses;
        }
        // Each region reads its own replicas; the hottest shard's replicas speak for them.
        f.replica_reads = if replicas > 0 { misses * rf * (1.0 - f.to_primary_share) * hot_db_share / replicas as f64 } else { 0.0 };

        // App servers. Round-robin spreads arrivals evenly (Erlang-n gaps); sticky and least-connections do not
        // smooth them here.
        let ca2 = arrival_scv(a.lb_algorithm, n, topo.sticky());
        f.box_index = if topo.db_on_app { routed.iter().position(|&i| self.servers[i].died_at.is_none()) } else { None };
        let regional = dynamic * route.busiest;
        let job_cpu = if f.jobs_inline { regional * reach * wf * a.jobs.share } else { 0.0 };
        // (share, figures, server index) of the last stateless server computed.
        let mut shared: Option<(f64, StationOut, usize)> = None;
        for (pos, &i) in routed.iter().enumerate() {
            let share = shares[pos];
            let dead = self.servers[i].died_at.is_some() || single_restart;
            if dead {
                self.servers[i].station.q = 0.0;
                f.app.push((i, share, true, StationOut::default()));
                continue;
            }
            let is_box = f.box_index == Some(pos);
            // Identical stateless servers share one computation.
            if let (Some((sh, out, rep)), false, false) = (shared, is_box, topo.sticky()) {
                if (sh - share).abs() < 1e-12 {
                    self.servers[i].station.q = self.servers[rep].station.q;
                    f.app.push((i, share, false, out));
                    continue;
                }
            }
            let loads = [
                Load { rate: f.origin_static * route.busiest * share, service_s: topo.static_s },
                Load { rate: regional * share, service_s: topo.app_s },
                Load { rate: job_cpu * share, service_s: a.jobs.cpu_ms / 1e3 },
                Load { rate: primary_reads, service_s: topo.db_read_s },
                Load { rate: f.writes, service_s: topo.db_write_s },
                Load { rate: f.batch_writes, service_s: crate::model::BATCH_WRITE_S },
                Load { rate: f.report_qps, service_s: crate::policy::batch::QUERY_S },
            ];
            let used = if is_box { 7 } else { 3 };
            let out = advance(&mut self.servers[i].station, &self.tables, &loads[..used], ca2, timeout, dt);
            if !is_box && !topo.sticky() {
                shared = Some((share, out, i));
            }
            f.app.push((i, share, false, out));
        }

        // Redis: sessions and cache gets, spread over nodes by key.
        let ops = (if topo.session_in_redis() { dyn_ok } else { 0.0 } + if topo.cache_curve.is_some() { f.reads } else { 0.0 }) * rf;
        for (j, st) in self.redis.iter_mut().enumerate() {
            let loads = [Load { rate: ops * topo.redis_shares[j], service_s: topo.redis_s }];
            f.redis.push(advance(st, &self.tables, &loads, 1.0, timeout, dt));
        }
        if !topo.db_on_app {
            // Every region's primary-bound reads and all writes reach the primaries; a cross-shard read visits
            // every shard.
            for (j, st) in self.primaries.iter_mut().enumerate() {
                let sh = topo.shard_shares[j];
                // A dead primary takes nothing.
                let alive = if j == 0 && lost_shard > 0.0 { 0.0 } else { 1.0 };
                let loads = [
                    Load { rate: alive * primary_reads * ((1.0 - x) * sh + x), service_s: topo.db_read_s },
                    Load { rate: alive * f.writes * sh, service_s: topo.db_write_s },
                    Load { rate: alive * f.batch_writes * sh, service_s: crate::model::BATCH_WRITE_S },
                    // The job scans every shard: each primary gets its share of the work.
                    Load { rate: alive * f.report_qps / topo.shard_shares.len().max(1) as f64, service_s: crate::policy::batch::QUERY_S },
                ];
                f.shards.push(advance(st, &self.tables, &loads, 1.0, timeout, dt));
            }
            f.primary = average(&f.shards, &topo.shard_shares);
            f.primary_hot = f.shards.iter().copied().max_by(|p, q| p.utilization.total_cmp(&q.utilization)).unwrap_or_default();
        }
        if replicas > 0 {
            let loads = [Load { rate: f.replica_reads, service_s: topo.db_read_s }];
            f.replica = advance(&mut self.replica, &self.tables, &loads, 1.0, timeout, dt);
        }
        if a.services > 0 {
            // Every dynamic request calls every service; each service spreads its calls over its instances.
            let per = regional * reach / a.service_instances.max(1) as f64;
            let loads = [Load { rate: per, service_s: SERVICE_S }];
            f.services = advance(&mut self.services, &self.tables, &loads, 1.0 / a.service_instances.max(1) as f64, timeout, dt);
        }
        // What a user sees: a failure only when every attempt fails; a 429 is not retried.
        let answered = self.answered(&f);
        let tried = (f.attempts - f.limited).max(0.0);
        let fail = if tried > 0.0 { ((tried - answered) / tried).clamp(0.0, 1.0) } else { 0.0 };
        let retries = self.topo.scenario.arch.resilience.retries as i32;
        let limited_users = f.limited / self.retry_factor.max(1.0);
        f.error_rps = f.offered * (1.0 - limited_users / f.offered.max(1e-12)) * fail.powi(retries + 1) + limited_users;
        f.served = (f.offered - f.error_rps).max(0.0);
        let factor: f64 = (0..=retries).map(|k| fail.powi(k)).sum();
        self.retry_moving = (factor - self.retry_factor).abs() > 1e-3 * self.retry_factor;
        self.retry_factor = factor;
        self.share_cache.1 = shares;
        self.routed_buf = routed;
        f
    }

    /// Advances each replica's replay queue by one step under `writes` per second: returns the replay
    /// utilisation and the lag, and marks the fleet dirty when replicas stop or resume taking reads.
    fn replicate(&mut self, writes: f64) -> (f64, f64) {
        let a = &self.topo.scenario.arch;
        if a.replicas.saturating_sub(self.replicas_lost) == 0 {
            return (0.0, 0.0);
        }
        let dt = self.dt;
        let mu = 1.0 / self.topo.apply_s;
        let rho = writes / mu;
        if writes > mu {
            self.apply_backlog += (writes - mu) * dt;
        } else {
            self.apply_backlog = (self.apply_backlog - (mu - writes) * dt).max(0.0);
        }
        let sojourn = if rho < 0.98 { 1.0 / (mu - writes) } else { 50.0 / mu };
        let lag = REPLICATION_BASE_LAG_S + sojourn + self.apply_backlog / mu;
        let max_lag = a.replica_max_lag_ms / 1e3;
        let before = self.replicas_serving;
        self.replicas_serving = crate::policy::replica_lag::serving(before, lag, max_lag);
        if before != self.replicas_serving {
            self.dirty = true;
        }
        (rho, lag)
    }

    /// Requests per second answered: each class's rate times its chance of passing every station it visits.
    fn answered(&self, f: &Flows) -> f64 {
        let mut total = 0.0;
        self.walk_classes(f, &mut |weight, _delay, path| total += weight * path.success());
        total
    }

    /// The latency mixture of answered requests and their rate.
    fn mixture(&self, f: &Flows) -> (Mixture, f64) {
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
    fn walk_classes(&self, f: &Flows, visit: &mut dyn FnMut(f64, f64, &Path)) {
        let topo = &self.topo;
        let a = &topo.scenario.arch;
        // Origin classes are emitted once per geography (its share and round trip; writes from a region without
        // the primary add the trip to it) and, with services, split by whether a fan-out call hit a hiccup.
        let fanout = (a.services > 0).then(|| max_of(f.services, a.services));
        let hiccup = 1.0 - (1.0 - HICCUP_P).powi(a.services as i32);
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
                        visit(weight * share * (1.0 - hiccup), d + LAN_RTT_S, &p);
                        visit(weight * share * hiccup, d + LAN_RTT_S + HICCUP_S, &p);
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
    fn latency(&mut self, exact: bool) -> LatencyMs {
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

    /// The current state as a series point. `exact` inverts the latency distribution exactly (slower).
    pub fn sample(&mut self, exact: bool) -> Sample {
        let latency_ms = self.latency(exact);
        let topo = &self.topo;
        let a = &topo.scenario.arch;
        let f = &self.flows;
        let mut tiers = Vec::new();
        let live: Vec<&(usize, f64, bool, StationOut)> = f.app.iter().filter(|x| !x.2).collect();
        if let Some(hot) = live.iter().max_by(|x, y| x.3.utilization.total_cmp(&y.3.utilization)) {
            tiers.push(TierStat {
                name: "app".into(),
                nodes: live.len() as u32,
                utilization: finite(hot.3.utilization),
                offered: finite(live.iter().map(|x| x.3.offered).fold(0.0, f64::max)),
                queue: finite(hot.3.in_system),
                latency_ms: finite(hot.3.mean_sojourn(topo.app_s) * 1e3),
            });
        } else {
            tiers.push(TierStat { name: "app".into(), nodes: 0, utilization: 0.0, offered: 0.0, queue: 0.0, latency_ms: 0.0 });
        }
        if let Some(hot) = f.redis.iter().max_by(|x, y| x.utilization.total_cmp(&y.utilization)) {
            tiers.push(TierStat {
                name: "redis".into(),
                nodes: a.redis_nodes,
                utilization: finite(hot.utilization),
                offered: finite(f.redis.iter().map(|x| x.offered).fold(0.0, f64::max)),
                queue: finite(hot.in_system),
                latency_ms: finite((hot.mean_sojourn(topo.redis_s) + LAN_RTT_S) * 1e3),
            });
        }
        if !topo.db_on_app {
            // The hottest shard's primary speaks for the tier.
            tiers.push(TierStat {
                name: "db_primary".into(),
                nodes: a.shards.max(1),
                utilization: finite(f.primary_hot.utilization),
                offered: finite(f.primary_hot.offered),
                queue: finite(f.primary_hot.in_system),
                latency_ms: finite((f.primary_hot.mean_sojourn(topo.db_read_s) + LAN_RTT_S) * 1e3),
            });
        }
        if a.services > 0 {
            tiers.push(TierStat {
                name: "services".into(),
                nodes: a.services * a.service_instances,
                utilization: finite(f.services.utilization),
                offered: finite(f.services.offered),
                queue: finite(f.services.in_system),
                latency_ms: finite(
                    (max_of(f.services, a.services).0.mean_sojourn(SERVICE_S * max_of(f.services, a.services).1) + LAN_RTT_S) * 1e3,
                ),
            });
        }
        let queued = a.jobs.queued && a.jobs.share > 0.0;
        if queued {
            let job_s = a.jobs.job_ms / 1e3;
            let down = self.t < self.downstream_down_until && self.t >= self.downstream_since;
            tiers.push(TierStat {
                name: "workers".into(),
                nodes: self.jobs.workers,
                utilization: if down { 1.0 } else { finite((f.jobs_rps * job_s / self.jobs.workers.max(1) as f64).min(1.0)) },
                offered: if down { 1.0 } else { finite(f.jobs_rps * job_s / self.jobs.workers.max(1) as f64) },
                queue: finite(self.jobs.depth),
                latency_ms: finite(self.jobs.wait_s * 1e3),
            });
        }
        if f.replicas > 0 {
            tiers.push(TierStat {
                name: "replica".into(),
                nodes: f.replicas,
                utilization: finite(f.replica.utilization),
                offered: finite(f.replica.offered),
                queue: finite(f.replica.in_system),
                latency_ms: finite((f.replica.mean_sojourn(topo.db_read_s) + LAN_RTT_S) * 1e3),
            });
            tiers.push(TierStat {
                name: "replica_apply".into(),
                nodes: f.replicas,
                utilization: finite(f.apply_rho.min(1.0)),
                offered: finite(f.apply_rho),
                queue: finite(self.apply_backlog),
                latency_ms: finite(f.lag_s * 1e3),
            });
        }
        // Stale reads: cache hits older than a write, plus replica reads behind a write.
        let replica_stale = if f.replicas > 0 && f.replica_reads > 0.0 {
            let mu = 1.0 / topo.apply_s;
            let writes = f.writes + f.batch_writes;
            // Each replica replays only its own shard's writes (the hottest shard's stand for them); a key is
            // rewritten at the whole key space's pace, keys being spread over the shards.
            let shard_writes = writes * topo.shard_shares.iter().cloned().fold(0.0, f64::max);
            let decay = if shard_writes < mu { mu - shard_writes } else { f64::INFINITY };
            let base = REPLICATION_BASE_LAG_S + self.apply_backlog / mu;
            topo.keys.lagged_stale_share(writes, base, decay) * f.reads * (1.0 - f.cache_hit) * (1.0 - f.to_primary_share)
        } else {
            0.0
        };
        let stale_rate = if f.reads > 0.0 { (f.cache_stale * f.reads + replica_stale) / f.reads } else { 0.0 };
        let instances = self.alive_count().saturating_sub(f.restarting);
        let dyn_ok = f.reads + f.writes;
        let misses = f.reads * (1.0 - f.cache_hit);
        let edges = EdgeRates {
            edge: finite(f.edge),
            origin: finite(f.offered - f.edge),
            redis: finite(if topo.session_in_redis() { dyn_ok } else { 0.0 } + if topo.cache_curve.is_some() { f.reads } else { 0.0 }),
            primary: finite(misses * f.to_primary_share + f.writes),
            replicas: finite(misses * (1.0 - f.to_primary_share) * (f.replicas > 0) as u8 as f64),
        };
        Sample {
            edges,
            t_s: self.t,
            offered_rps: finite(f.offered),
            served_rps: finite(f.served),
            error_rps: finite(f.error_rps),
            error_rate: if f.offered > 0.0 { finite(f.error_rps / f.offered) } else { 0.0 },
            latency_ms,
            tiers,
            cache_hit_rate: finite(f.cache_hit),
            cdn_hit_rate: finite(f.cdn_hit),
            replication_lag_ms: if f.replicas > 0 { finite(f.lag_s * 1e3) } else { 0.0 },
            stale_read_rate: finite(stale_rate.clamp(0.0, 1.0)),
            sessions_lost: finite(self.sessions_lost),
            instances,
            cost_usd_per_hour: finite(topo.cost_per_hour(&model::Usage {
                app_instances: instances as f64,
                origin_rps: f.offered - f.edge,
                cdn_rps: f.edge,
                workers: self.jobs.workers,
                jobs_rps: f.jobs_rps,
            })),
            jobs: JobStats {
                rps: finite(f.jobs_rps + f.jobs_skipped + if f.jobs_inline { f.writes * a.jobs.share } else { 0.0 }),
                queue_depth: if queued { finite(self.jobs.depth) } else { 0.0 },
                waiting_s: if queued { finite(self.jobs.wait_s) } else { 0.0 },
                workers: if queued { self.jobs.workers } else { 0 },
                dead_lettered: finite(self.jobs.dead),
                skipped_rps: finite(f.jobs_skipped),
            },
            rate_limited_rps: finite(f.limited / self.retry_factor.max(1.0)),
            retry_rps: finite((f.attempts - f.offered).max(0.0)),
            regions_up: f.regions_up,
            wrong_user_rps: finite(f.wrong_user),
            writes_lost: finite(self.writes_lost),
        }
    }
}

/// Workers a pool that scales on depth runs at the scenario's peak once settled (70 % busy), within its
/// bounds; a fixed pool has its `workers`. Runs start with it, as the app tier starts at its desired count.
pub(crate) fn settled_workers(s: &Scenario) -> u32 {
    let j = &s.arch.jobs;
    let t = &s.traffic;
    let jobs = t.peak_rps() * (1.0 - t.static_share) * t.write_fraction() * j.share;
    crate::policy::workers::pool_size(jobs, 0.0, (j.job_ms / 1e3).max(1e-3), j.workers, j.max_workers)
}

/// Whether two stations' figures are the same (so their request classes can be merged).
fn same(a: &StationOut, b: &StationOut) -> bool {
    a.utilization == b.utilization
        && a.p_wait == b.p_wait
        && a.wait_mean == b.wait_mean
        && a.blocking == b.blocking
        && a.timeout == b.timeout
}

/// The stations one request class visits (at most six: app, session, cache, database, services), without
/// allocating.
#[derive(Clone, Copy, Debug, Default)]
struct Path {
    items: [(StationOut, f64); 6],
    len: usize,
}

impl Path {
    fn then(mut self, out: StationOut, service_s: f64) -> Path {
        if self.len < self.items.len() {
            self.items[self.len] = (out, service_s);
            self.len += 1;
        }
        self
    }
    fn success(&self) -> f64 {
        self.items[..self.len].iter().map(|(o, _)| o.success()).product()
    }
    fn visits(&self) -> Vec<Visit> {
        self.items[..self.len].iter().map(|(o, s)| o.visit(*s)).collect()
    }
}

/// The slowest of `n` parallel visits to stations like `out` (scatter-gather, fan-out): it waits if any visit
/// waits, fails if any fails, and its service is the maximum of `n` exponentials: mean Hₙ times one, variance
/// Σ 1/k² times one's square, so a gamma of shape Hₙ² / Σ 1/k² (an exponential of mean Hₙ would put the p99 of
/// an 8-shard scatter about a third too high, against the request-level engine). Returns the figures and Hₙ.
fn max_of(out: StationOut, n: u32) -> (StationOut, f64) {
    let n = n.max(1);
    let any = |p: f64| 1.0 - (1.0 - p).powi(n as i32);
    let mut o = out;
    o.p_wait = any(out.p_wait);
    o.blocking = any(out.blocking);
    o.timeout = any(out.timeout);
    let h: f64 = (1..=n).map(|k| 1.0 / k as f64).sum();
    let h2: f64 = (1..=n).map(|k| 1.0 / (k * k) as f64).sum();
    o.service_shape = h * h / h2;
    (o, h)
}

/// Share-weighted average of station figures, for treating several Redis nodes as one visit.
fn average(outs: &[StationOut], shares: &[f64]) -> StationOut {
    let mut avg = StationOut { settled: outs.iter().all(|o| o.settled), ..StationOut::default() };
    let total: f64 = shares.iter().take(outs.len()).sum();
    if outs.is_empty() || total <= 0.0 {
        return avg;
    }
    for (o, &w) in outs.iter().zip(shares) {
        let w = w / total;
        avg.utilization = avg.utilization.max(o.utilization);
        avg.offered = avg.offered.max(o.offered);
        avg.in_system += w * o.in_system;
        avg.blocking += w * o.blocking;
        avg.p_wait += w * o.p_wait;
        avg.wait_mean += w * o.p_wait * o.wait_mean;
        avg.wait_shape += w * o.p_wait * o.wait_shape.max(1.0);
        avg.timeout += w * o.timeout;
    }
    if avg.p_wait > 0.0 {
        avg.wait_mean /= avg.p_wait;
        avg.wait_shape /= avg.p_wait;
    } else {
        avg.wait_shape = 1.0;
    }
    avg
}

/// Options of a fluid run.
#[derive(Clone, Copy, Debug)]
pub struct FluidOptions {
    /// Step length in seconds.
    pub dt: f64,
    /// Seconds between series points.
    pub sample_every: f64,
}

impl Default for FluidOptions {
    fn default() -> Self {
        FluidOptions { dt: 1.0, sample_every: 1.0 }
    }
}

/// Whether a scenario holds one load all run, so its summary is the exact steady state.
fn is_steady(s: &Scenario) -> bool {
    !s.traffic.daily_curve && s.faults.is_empty() && !s.arch.autoscaling.enabled
}

/// Runs `scenario` for its duration and summarises it.
pub fn run(scenario: &Scenario, opts: FluidOptions) -> Report {
    let mut engine = Fluid::new(scenario, opts.dt);
    let steps = (scenario.duration_s / engine.dt).ceil().max(1.0) as u64;
    let every = (opts.sample_every / engine.dt).round().max(1.0) as u64;
    let mut series = Vec::with_capacity((steps / every + 1) as usize);
    let mut mixtures: Vec<Class> = Vec::new();
    for k in 0..steps {
        engine.step();
        if (k + 1) % every == 0 || k + 1 == steps {
            series.push(engine.sample(false));
            // The whole-run latency mixes at most about 240 evenly spaced points.
            if !is_steady(scenario) && (k + 1) % (every * (steps / every / 240).max(1)) == 0 {
                mixtures.extend(engine.mixture(&engine.flows).0.classes);
            }
        }
    }
    let last = series.last().cloned().unwrap_or_else(|| engine.sample(false));
    let latency = if is_steady(scenario) {
        engine.sample(true).latency_ms
    } else {
        let mix = Mixture { classes: mixtures };
        let q = mix.quantiles_fast(&[0.5, 0.95, 0.99]);
        LatencyMs { mean: finite(mix.mean() * 1e3), p50: finite(q[0] * 1e3), p95: finite(q[1] * 1e3), p99: finite(q[2] * 1e3) }
    };
    let summary = summarize("fluid", scenario, &series, latency, engine.counts, engine.cost_integral / engine.t.max(1e-9), &last)
        .with_bill(&engine.topo);
    Report { summary, series }
}

/// A summary of one moment of `topo`'s scenario, for judging the system at that moment (the bottleneck table
/// reads it).
pub fn summary_of(topo: &Topology, sample: &Sample) -> Summary {
    let scenario = &topo.scenario;
    let offered = sample.offered_rps.max(0.0);
    let counts = Counts {
        offered,
        served: sample.served_rps,
        rejected: sample.error_rps,
        in_flight: (offered - sample.served_rps - sample.error_rps).max(0.0),
    };
    let mut s = summarize("fluid", scenario, std::slice::from_ref(sample), sample.latency_ms, counts, sample.cost_usd_per_hour, sample)
        .with_bill(topo);
    s.error_rate = sample.error_rate;
    s
}

/// Builds a summary from a series: rates and ratios averaged over the run, peaks of utilisation and queues.
pub(crate) fn summarize(
    engine: &str,
    scenario: &Scenario,
    series: &[Sample],
    latency_ms: LatencyMs,
    counts: Counts,
    cost_per_hour: f64,
    last: &Sample,
) -> Summary {
    let n = series.len().max(1) as f64;
    let avg = |f: &dyn Fn(&Sample) -> f64| finite(series.iter().map(f).sum::<f64>() / n);
    let mut utilization = BTreeMap::new();
    let mut offered_utilization = BTreeMap::new();
    let mut tier_latency_ms = BTreeMap::new();
    let mut queue_depth = BTreeMap::new();
    for sample in series {
        for t in &sample.tiers {
            let u = utilization.entry(t.name.clone()).or_insert(0.0f64);
            *u += t.utilization / n;
            let o = offered_utilization.entry(t.name.clone()).or_insert(0.0f64);
            *o += t.offered / n;
            let l = tier_latency_ms.entry(t.name.clone()).or_insert(0.0f64);
            *l += t.latency_ms / n;
            let q = queue_depth.entry(t.name.clone()).or_insert(0.0f64);
            *q = q.max(t.queue);
        }
    }
    let offered_rps = avg(&|s| s.offered_rps);
    Summary {
        engine: engine.to_owned(),
        offered_rps,
        served_rps: avg(&|s| s.served_rps),
        error_rate: if counts.offered > 0.0 { finite(counts.rejected / counts.offered) } else { 0.0 },
        latency_ms,
        utilization,
        offered_utilization,
        tier_latency_ms,
        queue_depth,
        cache_hit_rate: avg(&|s| s.cache_hit_rate),
        cdn_hit_rate: avg(&|s| s.cdn_hit_rate),
        replication_lag_ms: avg(&|s| s.replication_lag_ms),
        stale_read_rate: avg(&|s| s.stale_read_rate),
        sessions_lost: last.sessions_lost,
        instances: last.instances,
        cost_usd_per_hour: finite(cost_per_hour),
        cost_usd_per_month: 0.0,
        cost_usd_per_million_requests: 0.0,
        bill: Default::default(),
        counts,
        cost_usd_per_hour_by_component: by_component(scenario, last),
        jobs_waiting_s: finite(series.iter().map(|s| s.jobs.waiting_s).fold(0.0, f64::max)),
        jobs_dead_lettered: last.jobs.dead_lettered,
        workers: last.jobs.workers,
        shards: scenario.arch.shards.max(1),
        regions: last.regions_up,
        rate_limited_rate: if offered_rps > 0.0 { finite(avg(&|s| s.rate_limited_rps) / offered_rps) } else { 0.0 },
        retry_rate: if offered_rps > 0.0 { finite(avg(&|s| s.retry_rps) / offered_rps) } else { 0.0 },
        wrong_user_rate: if offered_rps > 0.0 { finite(avg(&|s| s.wrong_user_rps) / offered_rps) } else { 0.0 },
        writes_lost: last.writes_lost,
        internet_exposed: Vec::new(),
    }
}

/// The hourly price of each component at one moment.
pub(crate) fn by_component(scenario: &Scenario, at: &Sample) -> BTreeMap<String, f64> {
    let usage = model::Usage {
        app_instances: at.instances as f64,
        origin_rps: at.edges.origin,
        cdn_rps: at.edges.edge,
        workers: at.jobs.workers,
        jobs_rps: at.jobs.rps,
    };
    // Inserted one by one: collecting into a BTreeMap sorts first, and that sort is code the page would carry.
    let mut out = BTreeMap::new();
    for (k, v) in model::cost_items(scenario, &usage) {
        out.insert(k.to_owned(), finite(v));
    }
    out
}

/// The steady state of `scenario` at its peak load with its starting fleet (no curve, faults or scaling), with
/// exact latency percentiles: what the page shows for the current knobs, and what the bottleneck table reads.
pub fn steady_state(scenario: &Scenario) -> Report {
    steady_state_of(&Topology::new(scenario))
}

/// [`steady_state`] of an already compiled topology.
pub fn steady_state_of(topo: &Topology) -> Report {
    // The bill is the scenario's as configured (its auto-scaling included), not the held moment's.
    let configured = topo;
    let mut s = topo.scenario.clone();
    s.traffic.daily_curve = false;
    s.faults.clear();
    let asg = s.arch.autoscaling.clone();
    if asg.enabled {
        s.arch.app_servers = asg.desired;
        s.arch.autoscaling.enabled = false;
    }
    let mut report = hold(topo, &s, configured);
    // An auto-scaling group held at the peak runs the fleet its rules settle on there: grown until the CPU is
    // under the scale-out threshold, or shrunk while it is under the scale-in one, within min and max.
    if asg.enabled {
        let n = s.arch.app_servers;
        let offered = report.summary.offered_utilization.get("app").copied().unwrap_or(0.0);
        let settled = crate::policy::scaling::settled_fleet(&asg, n, offered);
        if settled != n {
            s.arch.app_servers = settled;
            report = hold(topo, &s, configured);
        }
    }
    report
}

/// Runs `s` (a variant of `topo`'s scenario without curve, faults or scaling) to its steady state.
fn hold(topo: &Topology, s: &Scenario, configured: &Topology) -> Report {
    let mut topo = topo.clone();
    topo.scenario = s.clone();
    let mut engine = Fluid::with_topology(topo, 1.0);
    engine.hold_peak = true;
    for _ in 0..600 {
        engine.step();
        if engine.settled && engine.t >= 3.0 {
            break;
        }
    }
    let sample = engine.sample(true);
    let mut summary =
        summarize("fluid", s, std::slice::from_ref(&sample), sample.latency_ms, engine.counts, sample.cost_usd_per_hour, &sample)
            .with_bill(configured);
    // The state reached, not the fill from empty that led to it.
    summary.offered_rps = sample.offered_rps;
    summary.error_rate = sample.error_rate;
    Report { summary, series: vec![sample] }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_constant_load_settles_and_stops_re_evaluating() {
        // The 24-hour benchmark relies on this: once every station (each shard included) is at its steady state,
        // steps reuse the evaluation.
        for stage in [1, 6, 7, 10, 12] {
            let mut e = Fluid::new(&Scenario::stage(stage).with_users(20_000), 1.0);
            for _ in 0..600 {
                e.step();
            }
            assert!(e.generation < 60, "stage {stage}: {} evaluations in 600 steps", e.generation);
        }
    }

    #[test]
    fn an_overloaded_steady_state_reports_the_state_reached_and_never_holds_more_than_k() {
        // Stage 1 at 6,000 users: the box is offered about 1.7 times what it can serve.
        let s = Scenario::stage(1).with_users(6_000);
        let steady = steady_state(&s).summary;
        let mut long = s.clone();
        long.duration_s = 600.0;
        let r = run(&long, FluidOptions::default());
        let late = r.series.last().unwrap();
        assert!(
            (steady.error_rate - late.error_rate).abs() < 0.01,
            "steady {:.3} vs after 600 s {:.3}",
            steady.error_rate,
            late.error_rate
        );
        let k = (2 + APP_BACKLOG) as f64;
        let most = r.series.iter().flat_map(|x| x.tiers.iter().filter(|t| t.name == "app").map(|t| t.queue)).fold(0.0, f64::max);
        assert!(most <= k + 1e-6, "the box held {most:.0} requests; it admits {k}");
    }

    #[test]
    fn steady_state_equals_a_long_constant_run() {
        let mut s = Scenario::stage(6).with_users(30_000);
        s.duration_s = 300.0;
        let steady = steady_state(&s).summary;
        let long = run(&s, FluidOptions::default()).summary;
        assert!((steady.latency_ms.p99 - long.latency_ms.p99).abs() < 1e-6 * long.latency_ms.p99);
        assert!((steady.utilization["app"] - long.utilization["app"]).abs() < 1e-3);
    }

    #[test]
    fn n_stateless_servers_give_about_n_times_the_throughput_of_one() {
        // Seed 000: three app servers handle roughly three times the throughput. Find the load at which app CPU
        // reaches 80 % with one server and with three.
        let knee = |servers: u32| {
            let (mut lo, mut hi) = (100u64, 10_000_000u64);
            while hi - lo > lo / 200 {
                let mid = (lo + hi) / 2;
                let mut s = Scenario::stage(5).with_users(mid);
                s.arch.app_servers = servers;
                s.arch.replicas = 10;
                s.arch.db_size = crate::instance::largest();
                let u = steady_state(&s).summary.utilization["app"];
                if u < 0.8 {
                    lo = mid
                } else {
                    hi = mid
                }
            }
            lo as f64
        };
        let ratio = knee(3) / knee(1);
        assert!((2.8..=3.2).contains(&ratio), "3 servers carry {ratio:.2}× the load of one");
    }
}
