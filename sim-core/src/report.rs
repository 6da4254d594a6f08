//! What a run produces: a per-second (or per-sample) series and a steady-state summary. The field names are the
//! CLI's JSON keys. Every number is finite: a constructor never stores NaN or infinity.
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::ids::{Component, Tier};

/// Latency figures in milliseconds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LatencyMs {
    /// Mean.
    pub mean: f64,
    /// Median.
    pub p50: f64,
    /// 95th percentile.
    pub p95: f64,
    /// 99th percentile.
    pub p99: f64,
}

/// One component tier at one moment: the hottest node of the tier speaks for it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TierStat {
    /// The tier.
    pub name: Tier,
    /// Nodes in the tier.
    pub nodes: u32,
    /// Busy fraction of the hottest node (0 to 1).
    pub utilization: f64,
    /// Demand over capacity at the most loaded node: work arriving (refused work included) over the work its
    /// servers can do. Equals `utilization` below saturation and goes past 1 where `utilization` stops.
    pub offered: f64,
    /// Requests waiting or in service at the hottest node.
    pub queue: f64,
    /// Mean time a request spends at the tier, in milliseconds.
    pub latency_ms: f64,
}

/// Request rates along the edges of the stage diagram, per second.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct EdgeRates {
    /// Static requests answered by the CDN edge.
    pub edge: f64,
    /// Requests reaching the origin (load balancer or the single server).
    pub origin: f64,
    /// Redis operations (session reads and cache lookups).
    pub redis: f64,
    /// Queries on the database primary (misses and writes).
    pub primary: f64,
    /// Queries on all replicas together.
    pub replicas: f64,
}

/// The slow-job path at one moment: the message queue and its workers, or jobs run inline.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct JobStats {
    /// Jobs started per second.
    pub rps: f64,
    /// Jobs waiting in the queue (or retrying).
    pub queue_depth: f64,
    /// How long a job waits before a worker finishes it, in seconds.
    pub waiting_s: f64,
    /// Workers running.
    pub workers: u32,
    /// Jobs given up after their last attempt, so far.
    pub dead_lettered: f64,
    /// Jobs skipped per second because the circuit breaker is open.
    pub skipped_rps: f64,
}

/// The system at one simulated moment.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Sample {
    /// Simulated second.
    pub t_s: f64,
    /// Requests per second offered.
    pub offered_rps: f64,
    /// Requests per second answered successfully.
    pub served_rps: f64,
    /// Requests per second refused, dropped, timed out or sent to a dead server.
    pub error_rps: f64,
    /// error_rps / offered_rps.
    pub error_rate: f64,
    /// End-to-end latency of answered requests.
    pub latency_ms: LatencyMs,
    /// Per-tier figures.
    pub tiers: Vec<TierStat>,
    /// Query-cache hit ratio.
    pub cache_hit_rate: f64,
    /// CDN hit ratio.
    pub cdn_hit_rate: f64,
    /// Replication lag in milliseconds (0 without replicas).
    pub replication_lag_ms: f64,
    /// Share of reads that returned stale data (from the cache or a lagging replica).
    pub stale_read_rate: f64,
    /// Sessions lost so far.
    pub sessions_lost: f64,
    /// App servers serving.
    pub instances: u32,
    /// Price of the running system per hour.
    pub cost_usd_per_hour: f64,
    /// Rates along the diagram's edges.
    pub edges: EdgeRates,
    /// The slow-job path.
    pub jobs: JobStats,
    /// Requests per second refused with 429 by the rate limit (counted in `error_rps`).
    pub rate_limited_rps: f64,
    /// Extra requests per second from client retries.
    pub retry_rps: f64,
    /// Regions serving.
    pub regions_up: u32,
    /// Logged-in pages per second the CDN served to the wrong user (another user's cached page).
    pub wrong_user_rps: f64,
    /// Writes lost so far with a dead database primary that had no replica to promote (what its backups miss).
    pub writes_lost: f64,
    /// App servers that have died but are still in the load balancer's pool (its health checks have not yet
    /// noticed): requests sent to them fail.
    pub app_down: u32,
    /// Database primaries out of service: failing over to a replica or being restored.
    pub primaries_down: u32,
    /// Load balancers out of service in front of the app servers (the drawn region's): its standby taking over,
    /// or a single one being replaced. Requests through it fail meanwhile.
    pub lb_down: u32,
    /// The slow jobs' downstream service out (1) or not (0): jobs calling it fail and retry, saves that run their
    /// job inline fail.
    pub downstream_down: u32,
    /// App servers auto-scaling has launched that are still booting (not yet serving).
    pub booting: u32,
}

/// Request counts over a window: offered = served + rejected + in flight.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct Counts {
    /// Requests that arrived.
    pub offered: f64,
    /// Requests answered successfully.
    pub served: f64,
    /// Requests refused, dropped, timed out or lost with a dead server.
    pub rejected: f64,
    /// Requests still in the system at the end.
    pub in_flight: f64,
}

impl Counts {
    /// These counts with `in_flight` as what is neither served nor rejected; never below 0 (a moment's rates can
    /// leave a remainder of a rounding error under zero).
    pub fn balanced(self) -> Counts {
        Counts { in_flight: (self.offered - self.served - self.rejected).max(0.0), ..self }
    }

    /// Failed over offered (0 when nothing was offered).
    pub fn error_rate(&self) -> f64 {
        if self.offered > 0.0 {
            finite(self.rejected / self.offered)
        } else {
            0.0
        }
    }
}

/// A stretch of simulated time, in seconds from the start of the run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct Span {
    /// Start.
    pub from: f64,
    /// End.
    pub to: f64,
}

/// The steady-state (or whole-run) summary.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Summary {
    /// Engine that produced it: "des" or "fluid".
    pub engine: String,
    /// Requests per second offered.
    pub offered_rps: f64,
    /// Requests per second answered successfully.
    pub served_rps: f64,
    /// Share of requests that failed: `measured_counts.rejected / measured_counts.offered`.
    pub error_rate: f64,
    /// End-to-end latency.
    pub latency_ms: LatencyMs,
    /// Busy fraction of the hottest node of each tier.
    pub utilization: BTreeMap<Tier, f64>,
    /// Demand over capacity at the most loaded node of each tier (can exceed 1): what a fix that adds capacity
    /// sizes itself from.
    pub offered_utilization: BTreeMap<Tier, f64>,
    /// Mean time at each tier, in milliseconds.
    pub tier_latency_ms: BTreeMap<Tier, f64>,
    /// Requests at the hottest node of each tier.
    pub queue_depth: BTreeMap<Tier, f64>,
    /// Query-cache hit ratio.
    pub cache_hit_rate: f64,
    /// CDN hit ratio.
    pub cdn_hit_rate: f64,
    /// Replication lag in milliseconds.
    pub replication_lag_ms: f64,
    /// Share of reads that returned stale data.
    pub stale_read_rate: f64,
    /// Sessions lost over the run.
    pub sessions_lost: f64,
    /// App servers serving at the end.
    pub instances: u32,
    /// Price per hour (average over the run).
    pub cost_usd_per_hour: f64,
    /// The month's bill ([`crate::bill`]): a month of ordinary days, not the run's hour held for 730.
    pub cost_usd_per_month: f64,
    /// The month's bill per million requests of that month.
    pub cost_usd_per_million_requests: f64,
    /// The month's bill in full: by component, its traffic, the reserved baseline, auto-scaling's saving.
    pub bill: crate::bill::Bill,
    /// Price per hour of each component at the end of the run (app, database, redis, load_balancer, services,
    /// cdn, queue).
    pub cost_usd_per_hour_by_component: BTreeMap<Component, f64>,
    /// Longest a job waited for a worker, in seconds.
    pub jobs_waiting_s: f64,
    /// Jobs given up after their last attempt.
    pub jobs_dead_lettered: f64,
    /// Queue workers at the end.
    pub workers: u32,
    /// Database shards.
    pub shards: u32,
    /// Regions serving at the end.
    pub regions: u32,
    /// Share of requests refused with 429.
    pub rate_limited_rate: f64,
    /// Extra load from client retries, as a share of requests offered.
    pub retry_rate: f64,
    /// Share of requests answered with another user's logged-in page by a CDN that caches private pages.
    pub wrong_user_rate: f64,
    /// Writes lost over the run with a dead primary that had no replica to promote.
    pub writes_lost: f64,
    /// Dead app servers still in the load balancer's pool, at the end (or the moment summarised).
    pub app_down: u32,
    /// Database primaries out of service at the end (or the moment summarised).
    pub primaries_down: u32,
    /// Load balancers out of service at the end (or the moment summarised).
    pub lb_down: u32,
    /// The slow jobs' downstream service out at the end (or the moment summarised): 1 or 0.
    pub downstream_down: u32,
    /// What the internet can reach: the entry points (load balancer or the single server, CDN) and any tier
    /// opened to it by mistake ("database").
    pub internet_exposed: Vec<Component>,
    /// Request accounting over the whole run, warm-up included.
    pub counts: Counts,
    /// The window the rates and ratios above cover (`error_rate` and the other shares, latency, utilisation):
    /// the request-level engine's measured part after its warm-up, the aggregate engine's whole run, or for the
    /// summary of one moment (a steady state, the page's cursor) the second ending at that moment.
    pub measured_window_s: Span,
    /// Request accounting over `measured_window_s`, whose rates the summary's are: requests that arrived in the
    /// window, and what became of them.
    pub measured_counts: Counts,
}

/// Per-tier figures over a summary's window, each keyed by tier.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TierFigures {
    /// Busy fraction of the hottest node.
    pub utilization: BTreeMap<Tier, f64>,
    /// Demand over capacity at the most loaded node.
    pub offered_utilization: BTreeMap<Tier, f64>,
    /// Mean time at the tier, in milliseconds.
    pub tier_latency_ms: BTreeMap<Tier, f64>,
    /// Requests at the hottest node.
    pub queue_depth: BTreeMap<Tier, f64>,
}

/// What an engine measured over a summary's window: the one input of [`Summary::build`]. Each engine works
/// these out its own way (the aggregate engine averages its samples, the request-level engine counts events);
/// everything else a summary says comes from the scenario and the moment the window ends, in one place.
#[derive(Clone, Debug)]
pub struct Measured<'a> {
    /// Engine: "des" or "fluid".
    pub engine: &'static str,
    /// Requests per second offered.
    pub offered_rps: f64,
    /// Requests per second answered successfully.
    pub served_rps: f64,
    /// End-to-end latency.
    pub latency_ms: LatencyMs,
    /// Per-tier figures.
    pub tiers: TierFigures,
    /// Query-cache hit ratio.
    pub cache_hit_rate: f64,
    /// CDN hit ratio.
    pub cdn_hit_rate: f64,
    /// Replication lag in milliseconds.
    pub replication_lag_ms: f64,
    /// Share of reads that were stale.
    pub stale_read_rate: f64,
    /// Share of requests refused with 429.
    pub rate_limited_rate: f64,
    /// Extra load from retries, as a share of requests offered.
    pub retry_rate: f64,
    /// Share of requests answered with another user's page.
    pub wrong_user_rate: f64,
    /// Price per hour over the window.
    pub cost_usd_per_hour: f64,
    /// How long jobs waited, in seconds.
    pub jobs_waiting_s: f64,
    /// Jobs given up.
    pub jobs_dead_lettered: f64,
    /// Request accounting over the whole run (`in_flight` is worked out here).
    pub counts: Counts,
    /// The window the measured figures cover.
    pub window: Span,
    /// Request accounting over `window` (`in_flight` is worked out here): the error share is read from it.
    pub window_counts: Counts,
    /// The moment the window ends: the fleet, the workers, the regions, what is down and what is lost by then.
    pub last: &'a Sample,
    /// The scenario as run: the summarised topology's own, or the variant of it a steady state holds (no curve,
    /// no faults, its fleet fixed), whose hourly prices the moment `last` has.
    pub ran: &'a crate::scenario::Scenario,
}

impl Summary {
    /// The summary of `topo`'s scenario from what an engine `measured`, with the month's `bill` of `topo`: the
    /// one builder both engines (and the page's moment summaries) use. The bill and what the internet can reach
    /// are the configured scenario's; every figure is made finite here.
    pub fn build(topo: &crate::model::Topology, measured: Measured<'_>, bill: crate::bill::Bill) -> Summary {
        let Measured { engine, tiers, last, ran, counts, window_counts, window, .. } = measured;
        let (counts, window_counts) = (counts.balanced(), window_counts.balanced());
        let f = finite;
        let a = &topo.scenario.arch;
        let mut exposed = vec![if topo.has_lb() { Component::LoadBalancer } else { Component::App }];
        if a.cdn {
            exposed.push(Component::Cdn);
        }
        if a.ops.db_public {
            exposed.push(Component::Database);
        }
        // Inserted one by one, as below: collecting into a BTreeMap sorts first, a sort the page would carry.
        let finite_map = |m: BTreeMap<Tier, f64>| {
            let mut out = BTreeMap::new();
            for (k, v) in m {
                out.insert(k, f(v));
            }
            out
        };
        Summary {
            engine: engine.to_owned(),
            offered_rps: f(measured.offered_rps),
            served_rps: f(measured.served_rps),
            error_rate: window_counts.error_rate(),
            latency_ms: measured.latency_ms,
            utilization: finite_map(tiers.utilization),
            offered_utilization: finite_map(tiers.offered_utilization),
            tier_latency_ms: finite_map(tiers.tier_latency_ms),
            queue_depth: finite_map(tiers.queue_depth),
            cache_hit_rate: f(measured.cache_hit_rate),
            cdn_hit_rate: f(measured.cdn_hit_rate),
            replication_lag_ms: f(measured.replication_lag_ms),
            stale_read_rate: f(measured.stale_read_rate),
            sessions_lost: f(last.sessions_lost),
            instances: last.instances,
            cost_usd_per_hour: f(measured.cost_usd_per_hour),
            cost_usd_per_month: bill.usd_per_month,
            cost_usd_per_million_requests: bill.usd_per_million_requests,
            bill,
            cost_usd_per_hour_by_component: by_component(ran, last),
            jobs_waiting_s: f(measured.jobs_waiting_s),
            jobs_dead_lettered: f(measured.jobs_dead_lettered),
            workers: last.jobs.workers,
            shards: ran.arch.shards.max(1),
            regions: last.regions_up,
            rate_limited_rate: f(measured.rate_limited_rate),
            retry_rate: f(measured.retry_rate),
            wrong_user_rate: f(measured.wrong_user_rate),
            writes_lost: f(last.writes_lost),
            app_down: last.app_down,
            primaries_down: last.primaries_down,
            lb_down: last.lb_down,
            downstream_down: last.downstream_down,
            internet_exposed: exposed,
            counts,
            measured_window_s: Span { from: f(window.from), to: f(window.to) },
            measured_counts: window_counts,
        }
    }
}

/// The hourly price of each component of `scenario` at the moment `at`.
pub fn by_component(scenario: &crate::scenario::Scenario, at: &Sample) -> BTreeMap<Component, f64> {
    let usage = crate::model::Usage {
        app_instances: at.instances as f64,
        origin_rps: at.edges.origin,
        cdn_rps: at.edges.edge,
        workers: at.jobs.workers,
        jobs_rps: at.jobs.rps,
    };
    // Inserted one by one: collecting into a BTreeMap sorts first, and that sort is code the page would carry.
    let mut out = BTreeMap::new();
    for (k, v) in crate::model::cost_items(scenario, &usage) {
        out.insert(k, finite(v));
    }
    out
}

/// A run's output.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Report {
    /// Summary.
    pub summary: Summary,
    /// Series, oldest first.
    pub series: Vec<Sample>,
}

pub use crate::num::finite;
