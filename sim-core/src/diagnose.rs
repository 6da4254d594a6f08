//! The symptom → bottleneck → metric → fix table, computed from a run's summary.
//!
//! Every row of seed 001's table is here, plus one for each component the model has. A row is live when its
//! metric crosses its threshold; live rows carry the value and the threshold, and a [`Fix`]: a concrete change to
//! the scenario that can be applied and simulated. Rows are ordered as seed 001 says to check the signals — app
//! CPU, then the database, then the cache, then the rest — so the first live row is where to act.
use serde::Serialize;

use crate::instance::{self, InstanceSize, SIZES};
use crate::model::LAG_ALERT_MS;
use crate::report::Summary;
use crate::scenario::{Scenario, Sessions};

/// A change to the scenario that relieves a bottleneck.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Fix {
    /// Give the app server (or the single box) the next larger size.
    BiggerAppServer,
    /// Move the database to its own server.
    SeparateDatabase,
    /// Move sessions to Redis so servers are interchangeable.
    SessionsToRedis,
    /// Run this many app servers behind the load balancer.
    AppServers { to: u32 },
    /// Put a Redis cache in front of the database (60 s TTL).
    AddCache,
    /// Raise the cache TTL to this many seconds.
    RaiseTtl { to: f64 },
    /// Run this many read replicas.
    Replicas { to: u32 },
    /// Give the database the next larger size.
    BiggerDatabase,
    /// Run this many Redis nodes.
    RedisNodes { to: u32 },
    /// Serve static assets from a CDN.
    AddCdn,
    /// Let the auto-scaling group grow to this many instances.
    RaiseAsgMax { to: u32 },
    /// Turn auto-scaling on.
    EnableAutoscaling,
    /// Add the missing database indexes.
    AddIndexes,
    /// Hand slow jobs to a message queue and a worker pool.
    AddQueue,
    /// Let the worker pool grow to this many workers.
    Workers { to: u32 },
    /// Split the database into this many shards.
    Shards { to: u32 },
    /// Run a full stack in this many regions.
    Regions { to: u32 },
    /// Run this many instances of each service.
    ServiceInstances { to: u32 },
    /// Make the load balancer a redundant pair.
    LbPair,
    /// Put a connection pool between the app servers and the database.
    ConnectionPool,
    /// Cap client retries at this many.
    Retries { to: u32 },
    /// Raise each user's rate limit to this many requests per minute.
    RateLimit { to: f64 },
}

impl Fix {
    /// What the fix does, in words.
    pub fn label(&self) -> String {
        match self {
            Fix::BiggerAppServer => "Move to a bigger server (scale up)".into(),
            Fix::SeparateDatabase => "Move the database to its own server".into(),
            Fix::SessionsToRedis => "Move sessions to Redis (stateless servers)".into(),
            Fix::AppServers { to } => {
                format!("Run {to} stateless app servers behind the load balancer")
            }
            Fix::AddCache => "Add a Redis cache in front of the database (60 s TTL)".into(),
            Fix::RaiseTtl { to } => format!("Raise the cache TTL to {to:.0} s"),
            Fix::Replicas { to } => format!("Run {to} read replicas"),
            Fix::BiggerDatabase => "Move the database to a bigger server".into(),
            Fix::RedisNodes { to } => format!("Run {to} Redis nodes"),
            Fix::AddCdn => "Serve static assets from a CDN".into(),
            Fix::RaiseAsgMax { to } => format!("Let the auto-scaling group grow to {to} instances"),
            Fix::EnableAutoscaling => "Auto-scale the app tier".into(),
            Fix::AddIndexes => "Add the missing database indexes".into(),
            Fix::AddQueue => "Move slow jobs to a message queue and workers (202 Accepted)".into(),
            Fix::Workers { to } => format!("Let the worker pool grow to {to} workers"),
            Fix::Shards { to } => format!("Shard the database {to} ways by user id"),
            Fix::Regions { to } => format!("Run a full stack in {to} regions with geo-routing"),
            Fix::ServiceInstances { to } => format!("Run {to} instances of each service"),
            Fix::LbPair => "Make the load balancer a redundant pair".into(),
            Fix::ConnectionPool => "Put a connection pool in front of the database".into(),
            Fix::Retries { to } => format!("Cap client retries at {to}, with backoff"),
            Fix::RateLimit { to } => format!("Raise the rate limit to {to:.0} requests per user per minute"),
        }
    }

    /// The scenario with the fix applied.
    pub fn apply(&self, s: &Scenario) -> Scenario {
        let mut s = s.clone();
        let a = &mut s.arch;
        match *self {
            Fix::BiggerAppServer => a.app_size = next_size(a.app_size),
            Fix::SeparateDatabase => {
                a.db_separate = true;
                a.db_size = a.db_size.max_by_vcpus(instance::named("r6i.2xlarge"));
            }
            Fix::SessionsToRedis => {
                a.sessions = Sessions::Redis;
                a.redis_nodes = a.redis_nodes.max(1);
            }
            Fix::AppServers { to } => {
                a.app_servers = to;
                a.sessions = Sessions::Redis;
                a.redis_nodes = a.redis_nodes.max(1);
                if a.autoscaling.enabled {
                    a.autoscaling.max = a.autoscaling.max.max(to);
                    a.autoscaling.desired = to.clamp(a.autoscaling.min, a.autoscaling.max);
                }
            }
            Fix::AddCache => {
                a.redis_nodes = a.redis_nodes.max(1);
                a.cache_ttl_s = 60.0;
            }
            Fix::RaiseTtl { to } => a.cache_ttl_s = to,
            Fix::Replicas { to } => a.replicas = to,
            Fix::BiggerDatabase => a.db_size = next_size(a.db_size),
            Fix::RedisNodes { to } => a.redis_nodes = to,
            Fix::AddCdn => a.cdn = true,
            Fix::RaiseAsgMax { to } => a.autoscaling.max = to,
            Fix::EnableAutoscaling => {
                a.autoscaling.enabled = true;
                a.autoscaling.desired = a.app_servers.clamp(a.autoscaling.min, a.autoscaling.max.max(a.app_servers));
                a.autoscaling.max = a.autoscaling.max.max(a.app_servers);
            }
            Fix::AddIndexes => a.db_indexes = true,
            Fix::AddQueue => a.jobs.queued = true,
            Fix::Workers { to } => a.jobs.max_workers = to.max(a.jobs.workers),
            Fix::Shards { to } => {
                a.shards = to;
                a.db_separate = true;
            }
            Fix::Regions { to } => {
                a.regions = to;
                a.db_separate = true;
            }
            Fix::ServiceInstances { to } => a.service_instances = to,
            Fix::LbPair => a.resilience.lb_ha = true,
            Fix::ConnectionPool => a.resilience.db_pool = true,
            Fix::Retries { to } => a.resilience.retries = to,
            Fix::RateLimit { to } => a.resilience.rate_limit_per_min = to,
        }
        crate::query::repair(&mut s);
        s
    }
}

trait Bigger {
    fn max_by_vcpus(self, other: InstanceSize) -> InstanceSize;
}

impl Bigger for InstanceSize {
    fn max_by_vcpus(self, other: InstanceSize) -> InstanceSize {
        if other.vcpus > self.vcpus {
            other
        } else {
            self
        }
    }
}

/// The next size with more vCPUs (general-purpose family), or the same size at the ceiling.
fn next_size(size: InstanceSize) -> InstanceSize {
    SIZES
        .iter()
        .copied()
        .filter(|s| s.vcpus > size.vcpus && s.name.starts_with('m') || s.vcpus > size.vcpus && s.name.starts_with('u'))
        .min_by_key(|s| s.vcpus)
        .unwrap_or(size)
}

/// One row of the table.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Row {
    /// Stable identifier.
    pub id: &'static str,
    /// What users and dashboards see.
    pub symptom: &'static str,
    /// What is saturated.
    pub component: &'static str,
    /// The metric to check.
    pub metric: &'static str,
    /// Its current value.
    pub value: f64,
    /// The value past which the row is live.
    pub threshold: f64,
    /// Whether the metric has crossed the threshold.
    pub live: bool,
    /// The remedy, in words.
    pub remedy: &'static str,
    /// The concrete change that applies the remedy here, if the model has one.
    pub fix: Option<Fix>,
}

/// Utilisation past which a tier counts as saturated.
pub const SATURATED: f64 = 0.80;
/// Cache hit ratio below which the cache is not doing its job (seed 001: aim above 80 %).
pub const CACHE_TARGET: f64 = 0.80;

/// App servers needed to bring utilisation `u` on `n` servers down to 60 %.
fn servers_for(n: u32, u: f64) -> u32 {
    ((n as f64 * u / 0.6).ceil() as u32).max(n + 1).min(1_000)
}

/// All rows for `scenario` as run into `summary`.
pub fn diagnose(scenario: &Scenario, summary: &Summary) -> Vec<Row> {
    let a = &scenario.arch;
    let db_on_app = !a.db_separate;
    let index = if a.db_indexes { 1.0 } else { crate::model::NO_INDEX_FACTOR };
    let (db_read_s, db_write_s) = (a.work.db_read_ms / 1e3 * index, a.work.db_write_ms / 1e3 * index.sqrt());
    let t = &scenario.traffic;
    let util = |tier: &str| summary.utilization.get(tier).copied().unwrap_or(0.0);
    let app = util("app");
    let db = if db_on_app { app } else { util("db_primary") };
    // Share of the primary's work that is writes.
    let dynamic = t.peak_rps() * (1.0 - t.static_share);
    let writes = dynamic * t.write_fraction();
    let reads_to_db = (dynamic - writes) * (1.0 - summary.cache_hit_rate) * if a.replicas > 0 { 0.0 } else { 1.0 };
    let write_work = writes * db_write_s;
    let write_share = write_work / (write_work + reads_to_db * db_read_s).max(1e-12);
    let at_ceiling = |s: InstanceSize| next_size(s) == s;
    let shard_more = Fix::Shards { to: (a.shards * 2).min(64) };
    let mut rows = Vec::new();
    let mut row = |id, symptom, component, metric, value: f64, threshold: f64, above: bool, remedy, fix: Option<Fix>| {
        let live = if above { value >= threshold } else { value < threshold };
        rows.push(Row { id, symptom, component, metric, value, threshold, live, remedy, fix });
    };

    // Seed 001's table, in its order of checks.
    let app_fix = if db_on_app {
        if a.app_size.vcpus < 8 {
            Fix::BiggerAppServer
        } else {
            Fix::SeparateDatabase
        }
    } else if a.sessions == Sessions::Sticky && a.app_servers > 1 {
        Fix::SessionsToRedis
    } else if a.autoscaling.enabled {
        Fix::RaiseAsgMax { to: servers_for(a.autoscaling.max, app) }
    } else {
        Fix::AppServers { to: servers_for(a.app_servers, app) }
    };
    row(
        "app-cpu",
        "High response latency, app CPU near 100 %",
        "App server compute",
        "App CPU utilisation",
        app,
        SATURATED,
        true,
        "Add stateless app servers behind the load balancer (separate the database and externalise sessions first)",
        Some(app_fix),
    );
    let db_fix = if !a.db_indexes {
        Fix::AddIndexes
    } else if a.redis_nodes == 0 || a.cache_ttl_s <= 0.0 {
        Fix::AddCache
    } else if summary.cache_hit_rate < CACHE_TARGET && a.cache_ttl_s < 3_600.0 {
        Fix::RaiseTtl { to: (a.cache_ttl_s * 5.0).min(3_600.0) }
    } else if a.replicas < 10 && write_share < 0.5 {
        Fix::Replicas { to: (a.replicas + ((db / 0.6).ceil() as u32).max(1)).min(10) }
    } else {
        Fix::BiggerDatabase
    };
    let db_fix = if db_fix == Fix::BiggerDatabase && at_ceiling(a.db_size) { (a.shards < 64).then_some(shard_more) } else { Some(db_fix) };
    row(
        "db-reads",
        "Latency spikes while app CPU is low",
        "Database",
        "Primary utilisation (connection-pool wait)",
        if app < SATURATED { db } else { 0.0 },
        SATURATED,
        true,
        "Cache hot reads, add read replicas, optimise slow queries",
        db_fix,
    );
    let write_fix = if a.jobs.share > 0.0 && !a.jobs.queued {
        Some(Fix::AddQueue)
    } else if !at_ceiling(a.db_size) && a.db_size.vcpus < 32 {
        Some(Fix::BiggerDatabase)
    } else {
        (a.shards < 64).then_some(shard_more)
    };
    row(
        "db-writes",
        "Write latency grows with traffic",
        "Primary write throughput",
        "Primary utilisation from writes",
        db * write_share,
        SATURATED * 0.5,
        true,
        "Scale the primary up; then shard writes or move slow writes to a queue",
        write_fix,
    );
    let ttl_fix = (a.cache_ttl_s > 0.0 && a.cache_ttl_s < 3_600.0).then_some(Fix::RaiseTtl { to: (a.cache_ttl_s * 5.0).min(3_600.0) });
    row(
        "cache-miss",
        "Read latency high despite replicas",
        "Cache miss rate",
        "Cache hit ratio",
        if a.replicas > 0 && a.cache_ttl_s > 0.0 && util("replica") >= 0.5 { summary.cache_hit_rate } else { 1.0 },
        CACHE_TARGET,
        false,
        "Raise the TTL, warm the cache on deploy, pre-compute hot keys",
        ttl_fix,
    );
    let swing = if t.daily_curve { app * (1.0 - t.trough_fraction) } else { 0.0 };
    row(
        "periodic",
        "Latency spikes at predictable times",
        "Fleet sized for the average, not the peak",
        "App CPU swing over the day",
        swing,
        0.5,
        true,
        "Auto-scale, or scale on a schedule before the known peak",
        (!a.autoscaling.enabled && !db_on_app).then_some(Fix::EnableAutoscaling),
    );
    // Distance alone: the round trip to the origin, not time spent queueing (which the rows above judge).
    row(
        "distance",
        "Response times over 200 ms for distant users",
        "Network round trips",
        "Farthest users' round trip to their region (ms)",
        farthest_rtt_ms(scenario),
        200.0,
        true,
        "Serve static assets from a CDN; cache at the edge; go multi-region",
        if !a.cdn { Some(Fix::AddCdn) } else { (a.regions < 3).then_some(Fix::Regions { to: a.regions + 1 }) },
    );

    // Components.
    // Judged only while the database is busy: a low hit ratio at light load costs nothing.
    row(
        "cache-hit",
        "Database load stays high after adding a cache",
        "Cache",
        "Cache hit ratio",
        if a.cache_ttl_s > 0.0 && db >= 0.5 { summary.cache_hit_rate } else { 1.0 },
        CACHE_TARGET,
        false,
        "Raise the TTL",
        ttl_fix,
    );
    row(
        "redis",
        "Every request slows, Redis CPU pegged",
        "Redis node",
        "Redis utilisation",
        util("redis"),
        SATURATED,
        true,
        "Add Redis nodes (shard keys across them)",
        (a.redis_nodes > 0).then_some(Fix::RedisNodes { to: (a.redis_nodes * 2).min(64) }),
    );
    row(
        "replication-lag",
        "Users do not see their own writes",
        "Replica replay",
        "Replication lag (ms)",
        summary.replication_lag_ms,
        LAG_ALERT_MS,
        true,
        "Alert at 500 ms; read your own writes from the primary; cut write volume (queue, shard)",
        (a.shards < 64).then_some(shard_more),
    );
    row(
        "stale",
        "Users see old data",
        "Cache TTL and replica lag",
        "Stale-read share",
        summary.stale_read_rate,
        0.01,
        true,
        "Shorter TTL or invalidate on write; read-your-writes",
        None,
    );
    row(
        "sessions",
        "Users logged out at random",
        "Sessions in server memory",
        "Sessions lost",
        summary.sessions_lost,
        1.0,
        true,
        "Keep sessions in Redis so any server can serve any user",
        (a.sessions == Sessions::Sticky).then_some(Fix::SessionsToRedis),
    );
    row(
        "asg-max",
        "Latency climbs although auto-scaling is on",
        "Auto-scaling group at its maximum",
        "Instances / maximum",
        if a.autoscaling.enabled { summary.instances as f64 / a.autoscaling.max.max(1) as f64 } else { 0.0 },
        1.0,
        true,
        "Raise the group's maximum",
        a.autoscaling.enabled.then_some(Fix::RaiseAsgMax { to: (a.autoscaling.max * 2).min(1_000) }),
    );
    let job_rps = t.peak_rps() * (1.0 - t.static_share) * t.write_fraction() * a.jobs.share;
    row(
        "slow-jobs",
        "Saving takes seconds",
        "Slow work inside the request",
        "Jobs run inline per second",
        if a.jobs.queued { 0.0 } else { job_rps },
        1.0,
        true,
        "Hand the work to a message queue and answer 202 Accepted",
        (!a.jobs.queued).then_some(Fix::AddQueue),
    );
    let jobs_fix = (a.jobs.max_workers < 10_000).then(|| Fix::Workers { to: (a.jobs.max_workers * 2).min(10_000) });
    row(
        "queue-depth",
        "Emails and previews arrive minutes late",
        "Worker pool",
        "Longest job wait (s)",
        if a.jobs.queued { summary.jobs_waiting_s } else { 0.0 },
        60.0,
        true,
        "Add workers; scale them on queue depth",
        jobs_fix,
    );
    row(
        "dead-letters",
        "Some jobs never run",
        "Retries exhausted",
        "Jobs dead-lettered",
        summary.jobs_dead_lettered,
        1.0,
        true,
        "Inspect the dead-letter queue and replay it once the downstream service is back",
        None,
    );
    let skew = if a.shards > 1 { summary.shards as f64 * crate::model::Topology::hottest_shard_share(scenario) } else { 1.0 };
    row(
        "hot-shard",
        "One shard busy while the others idle",
        "Hot shard",
        "Hottest shard's load over an even share",
        if a.shards > 1 && db >= 0.5 { skew } else { 0.0 },
        1.5,
        true,
        "Pick a shard key that spreads load; split the hot shard",
        (a.shards < 64).then_some(shard_more),
    );
    let p50 = summary.latency_ms.p50.max(1e-9);
    row(
        "fan-out",
        "p99 far above p50",
        "Fan-out to services (tail at scale)",
        "p99 / p50",
        if a.services > 1 { summary.latency_ms.p99 / p50 } else { 0.0 },
        10.0,
        true,
        "Call fewer services per request; hedge or cache slow calls; set per-call timeouts",
        None,
    );
    let services = util("services");
    row(
        "services",
        "Every request slows, one service pegged",
        "Service instances",
        "Service CPU utilisation",
        services,
        SATURATED,
        true,
        "Scale the busy service on its own",
        (a.services > 0).then(|| Fix::ServiceInstances { to: servers_for(a.service_instances, services) }),
    );
    row(
        "retry-storm",
        "Load climbs while errors climb",
        "Client retries",
        "Extra load from retries",
        summary.retry_rate,
        0.2,
        true,
        "Retry with exponential backoff and jitter; cap retries; shed load early",
        (a.resilience.retries > 1).then_some(Fix::Retries { to: 1 }),
    );
    row(
        "rate-limited",
        "Active users get 429 Too Many Requests",
        "Rate limit",
        "Share of requests refused with 429",
        summary.rate_limited_rate,
        0.01,
        true,
        "Raise the limit for real users; keep it for abusive clients",
        Some(Fix::RateLimit { to: a.resilience.rate_limit_per_min * 4.0 }),
    );
    row(
        "pool",
        "\"Too many connections\" errors",
        "Database connections",
        "Error rate while the database is busy",
        if !a.resilience.db_pool && db >= 0.5 { summary.error_rate } else { 0.0 },
        0.001,
        true,
        "Pool connections (PgBouncer) so queries wait for a connection instead of failing",
        (!a.resilience.db_pool).then_some(Fix::ConnectionPool),
    );
    row(
        "lb-spof",
        "One failure takes the site down",
        "A single load balancer",
        "Load balancers that can fail alone",
        if scenario.has_load_balancer() && !a.resilience.lb_ha { 1.0 } else { 0.0 },
        1.0,
        true,
        "Run the load balancer as a redundant pair (or a managed one)",
        (!a.resilience.lb_ha).then_some(Fix::LbPair),
    );
    row(
        "errors",
        "Requests fail",
        "A saturated or dead tier",
        "Error rate",
        summary.error_rate,
        0.01,
        true,
        "Fix the first live row above",
        None,
    );
    let static_load = t.static_share * if a.cdn { 1.0 - summary.cdn_hit_rate } else { 1.0 };
    row(
        "static",
        "Origin busy serving files",
        "Static assets at the origin",
        "Share of requests that are static files at the origin",
        if app >= 0.5 { static_load } else { 0.0 },
        0.3,
        true,
        "Serve static assets from a CDN",
        (!a.cdn).then_some(Fix::AddCdn),
    );
    rows
}

/// The worst round trip any users have to the region serving them, in milliseconds.
fn farthest_rtt_ms(s: &Scenario) -> f64 {
    let regions = s.arch.regions.clamp(1, 3) as usize;
    crate::traffic::GEOS
        .iter()
        .enumerate()
        .filter(|(g, _)| s.traffic.worldwide || *g == 0)
        .map(|(_, geo)| geo.rtt_s[..regions].iter().cloned().fold(f64::INFINITY, f64::min))
        .fold(0.0, f64::max)
        * 1e3
}

/// The first live row that has a fix: where to act.
pub fn first_fix(rows: &[Row]) -> Option<&Row> {
    rows.iter().find(|r| r.live && r.fix.is_some())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fluid::{run, FluidOptions};

    fn rows(s: &Scenario) -> Vec<Row> {
        diagnose(s, &run(s, FluidOptions { dt: 1.0, sample_every: 10.0 }).summary)
    }

    #[test]
    fn every_seed_001_row_is_present() {
        let r = rows(&Scenario::stage(1));
        for id in ["app-cpu", "db-reads", "db-writes", "cache-miss", "periodic", "distance"] {
            assert!(r.iter().any(|row| row.id == id), "{id}");
        }
    }

    #[test]
    fn a_quiet_system_has_no_live_rows() {
        assert!(rows(&Scenario::stage(5).with_users(1_000)).iter().all(|r| !r.live));
    }

    #[test]
    fn a_saturated_single_box_points_at_app_cpu() {
        let r = rows(&Scenario::stage(1).with_users(5_000));
        let first = first_fix(&r).expect("a live row");
        assert_eq!(first.id, "app-cpu");
        assert!(first.value >= SATURATED);
    }

    #[test]
    fn sticky_sessions_lost_to_a_dead_server_point_at_redis() {
        let mut s = Scenario::stage(5).with_users(5_000);
        s.arch.sessions = Sessions::Sticky;
        s.faults = vec![crate::scenario::Fault { at_s: 30.0, kind: crate::scenario::FaultKind::KillAppServer }];
        let r = rows(&s);
        let sessions = r.iter().find(|r| r.id == "sessions").unwrap();
        assert!(sessions.live && sessions.value > 1_000.0, "{sessions:?}");
        assert_eq!(sessions.fix, Some(Fix::SessionsToRedis));
    }
}
