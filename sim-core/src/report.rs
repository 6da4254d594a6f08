//! What a run produces: a per-second (or per-sample) series and a steady-state summary. The field names are the
//! CLI's JSON keys. Every number is finite: a constructor never stores NaN or infinity.
use std::collections::BTreeMap;

use serde::Serialize;

/// Latency figures in milliseconds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
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
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TierStat {
    /// Tier name: app, redis, db_primary, replica, replica_apply.
    pub name: String,
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
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
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
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
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
#[derive(Clone, Debug, PartialEq, Serialize)]
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
}

/// Request counts over a run: offered = served + rejected + in flight.
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

/// The steady-state (or whole-run) summary.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Summary {
    /// Engine that produced it: "des" or "fluid".
    pub engine: String,
    /// Requests per second offered.
    pub offered_rps: f64,
    /// Requests per second answered successfully.
    pub served_rps: f64,
    /// Share of requests that failed.
    pub error_rate: f64,
    /// End-to-end latency.
    pub latency_ms: LatencyMs,
    /// Busy fraction of the hottest node of each tier.
    pub utilization: BTreeMap<String, f64>,
    /// Demand over capacity at the most loaded node of each tier (can exceed 1): what a fix that adds capacity
    /// sizes itself from.
    pub offered_utilization: BTreeMap<String, f64>,
    /// Mean time at each tier, in milliseconds.
    pub tier_latency_ms: BTreeMap<String, f64>,
    /// Requests at the hottest node of each tier.
    pub queue_depth: BTreeMap<String, f64>,
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
    pub cost_usd_per_hour_by_component: BTreeMap<String, f64>,
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
    /// What the internet can reach: the entry points (load balancer or the single server, CDN) and any tier
    /// opened to it by mistake ("database").
    pub internet_exposed: Vec<String>,
    /// Request accounting.
    pub counts: Counts,
}

impl Summary {
    /// Fills in what depends on `topo`'s scenario alone — the month's bill and what the internet can reach: the
    /// one place both engines get them from.
    pub fn with_bill(self, topo: &crate::model::Topology) -> Summary {
        self.with_bill_of(topo, crate::bill::month(topo))
    }

    /// [`Summary::with_bill`] with the month's `bill` of `topo` already worked out (it depends on the scenario
    /// alone, so a page reading many moments of one scenario prices it once).
    pub fn with_bill_of(mut self, topo: &crate::model::Topology, bill: crate::bill::Bill) -> Summary {
        let a = &topo.scenario.arch;
        let mut exposed = vec![if topo.has_lb() { "load_balancer" } else { "app" }.to_owned()];
        if a.cdn {
            exposed.push("cdn".to_owned());
        }
        if a.ops.db_public {
            exposed.push("database".to_owned());
        }
        self.internet_exposed = exposed;
        self.cost_usd_per_month = bill.usd_per_month;
        self.cost_usd_per_million_requests = bill.usd_per_million_requests;
        self.bill = bill;
        self
    }
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
