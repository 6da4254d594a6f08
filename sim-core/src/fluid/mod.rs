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
//!
//! The engine by concern: [`Fluid`]'s state, its step and [`run`] here; one station's M/M/c/K-plus-fluid-queue
//! step in `station`; the per-step evaluation of every flow in `flows`; the app fleet (routing, deploys,
//! auto-scaling) in `fleet`; scheduled faults in `faults`; the message queue and its workers in `jobs`; request
//! classes and their latency in `classes`; the series point in `sample`; summaries and steady states in
//! `summary`.

mod classes;
mod faults;
mod fleet;
mod flows;
mod jobs;
mod sample;
mod station;
mod summary;

pub use crate::tables::Tables;
pub use summary::{moment_summary, steady_state, steady_state_fast_of, steady_state_of, summary_of};

use crate::latency::{Class, Mixture};
use crate::model::{self, Topology, BREAKER_RESET_S};
use crate::policy::scaling::ScalingGroup;
use crate::report::{finite, Counts, LatencyMs, Report, Summary};
use crate::scenario::{Scenario, REGION_OUTAGE_S};

use fleet::Server;
use flows::Flows;
use jobs::{settled_workers, JobQueue};
use station::Station;

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
        let [app, redis, db, svc] = topo.station_sizes();
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
            backup_log: crate::policy::backup::WriteLog::for_scenario(scenario),
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
    let m = summary::measured(scenario, &series, latency, engine.counts, engine.cost_integral / engine.t.max(1e-9), &last);
    let summary = Summary::build(&engine.topo, m, crate::bill::month(&engine.topo));
    Report { summary, series }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::APP_BACKLOG;

    #[test]
    fn recompiling_with_a_previous_topology_gives_the_same_model() {
        let base = Scenario::stage(7).with_users(20_000);
        let prev = Topology::new(&base);
        for changed in [
            base.clone().with_users(50_000),
            {
                let mut s = base.clone();
                s.arch.cache_ttl_s = 300.0;
                s
            },
            {
                let mut s = base.clone();
                s.traffic.zipf_alpha = 0.9;
                s
            },
        ] {
            let fresh = steady_state_of(&Topology::new(&changed)).summary;
            let reused = steady_state_of(&Topology::new_reusing(&changed, Some(&prev))).summary;
            assert_eq!(fresh, reused);
        }
    }

    #[test]
    fn the_cost_by_component_adds_up_to_the_total() {
        for stage in 1..=crate::scenario::STAGES {
            let s = Scenario::stage(stage).with_users(50_000);
            let r = steady_state(&s);
            let parts: f64 = r.summary.cost_usd_per_hour_by_component.values().sum();
            let total = r.series[0].cost_usd_per_hour;
            assert!((parts - total).abs() < 1e-9 * total.max(1.0), "stage {stage}: parts {parts} vs total {total}");
        }
    }

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
        let most =
            r.series.iter().flat_map(|x| x.tiers.iter().filter(|t| t.name == crate::ids::Tier::App).map(|t| t.queue)).fold(0.0, f64::max);
        assert!(most <= k + 1e-6, "the box held {most:.0} requests; it admits {k}");
    }

    #[test]
    fn steady_state_equals_a_long_constant_run() {
        let mut s = Scenario::stage(6).with_users(30_000);
        s.duration_s = 300.0;
        let steady = steady_state(&s).summary;
        let long = run(&s, FluidOptions::default()).summary;
        assert!((steady.latency_ms.p99 - long.latency_ms.p99).abs() < 1e-6 * long.latency_ms.p99);
        assert!((steady.utilization[&crate::ids::Tier::App] - long.utilization[&crate::ids::Tier::App]).abs() < 1e-3);
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
                let u = steady_state(&s).summary.utilization[&crate::ids::Tier::App];
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
