//! The fixes: concrete changes to a scenario that a table row can offer, each with its label and how it applies.
use serde::Serialize;

use crate::instance::{self, InstanceSize};
use crate::scenario::{Scenario, Sessions};

/// A change to the scenario that relieves a bottleneck.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Fix {
    /// Give the app server (or the single box) a general-purpose size with at least this many vCPUs.
    BiggerAppServer { vcpus: u32 },
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
    /// Shorten the cache TTL to this many seconds (fewer stale reads, a few more misses).
    LowerTtl { to: f64 },
    /// Run this many read replicas.
    Replicas { to: u32 },
    /// Give the database a general-purpose size with at least this many vCPUs.
    BiggerDatabase { vcpus: u32 },
    /// Run this many Redis nodes.
    RedisNodes { to: u32 },
    /// Serve static assets from a CDN.
    AddCdn,
    /// Let the auto-scaling group grow to this many instances.
    RaiseAsgMax { to: u32 },
    /// Start the auto-scaling group with this many instances (and let it grow at least as far): a fleet that
    /// begins its busy hours too small, scaled on a schedule ahead of the known peak.
    AsgDesired { to: u32 },
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
    /// Move the scheduled batch job to 04:00, the quietest hour.
    BatchOffPeak,
    /// Run the scheduled batch job on a dedicated analytics replica.
    AnalyticsReplica,
    /// Back the database up with nightly snapshots and the archived write-ahead log (point-in-time recovery).
    PointInTimeRecovery,
    /// Let only the app servers reach the database.
    PrivateDatabase,
    /// Keep logged-in pages out of the CDN's cache.
    NoPrivateCaching,
    /// Check each server's health this often (two failed checks take it out of the pool).
    HealthChecks { every_s: f64 },
    /// Delete a key from the query cache whenever it is written.
    InvalidateOnWrite,
    /// Read your own writes from the primary for this many milliseconds after writing.
    ReadYourWrites { ms: f64 },
    /// Hedge service calls: resend a call not answered within 10 ms, take the first answer.
    HedgeCalls,
    /// A circuit breaker around the slow jobs' downstream service: stop calling it while it fails.
    CircuitBreaker,
}

impl Fix {
    /// What the fix does, in words.
    pub fn label(&self) -> String {
        let size = |vcpus: u32| {
            let z = instance::smallest_general(vcpus);
            format!("{} ({} vCPUs)", z.name, z.vcpus)
        };
        match *self {
            Fix::BiggerAppServer { vcpus } => format!("Move to a bigger server, {} (scale up)", size(vcpus)),
            Fix::SeparateDatabase => "Move the database to its own server".into(),
            Fix::SessionsToRedis => "Move sessions to Redis (stateless servers)".into(),
            Fix::AppServers { to } => {
                format!("Run {to} stateless app servers behind the load balancer")
            }
            Fix::AddCache => "Add a Redis cache in front of the database (60 s TTL)".into(),
            Fix::RaiseTtl { to } => format!("Raise the cache TTL to {to:.0} s"),
            Fix::LowerTtl { to } => format!("Shorten the cache TTL to {to:.0} s (fewer stale reads)"),
            Fix::Replicas { to } => format!("Run {to} read replica{}", if to == 1 { "" } else { "s" }),
            Fix::BiggerDatabase { vcpus } => format!("Move the database to a bigger server, {}", size(vcpus)),
            Fix::RedisNodes { to } => format!("Run {to} Redis nodes"),
            Fix::AddCdn => "Serve static assets from a CDN".into(),
            Fix::RaiseAsgMax { to } => format!("Let the auto-scaling group grow to {to} instances"),
            Fix::AsgDesired { to } => format!("Start the busy hours with {to} app servers (scheduled scaling)"),
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
            Fix::BatchOffPeak => "Move the batch job to 04:00, off-peak".into(),
            Fix::AnalyticsReplica => "Run the batch job on a dedicated analytics replica".into(),
            Fix::PointInTimeRecovery => "Turn on automated backups with point-in-time recovery".into(),
            Fix::PrivateDatabase => "Close the database to the internet (allow only the app servers)".into(),
            Fix::NoPrivateCaching => "Keep logged-in pages out of the CDN cache (Vary: Cookie)".into(),
            Fix::HealthChecks { every_s } => format!("Check server health every {every_s:.0} s"),
            Fix::InvalidateOnWrite => "Delete a key from the cache when it is written (invalidate on write)".into(),
            Fix::ReadYourWrites { ms } => {
                format!("Send a user's reads to the primary for {:.0} s after they write (read-your-writes)", ms / 1e3)
            }
            Fix::HedgeCalls => "Hedge service calls: resend one not back in 10 ms, take the first answer".into(),
            Fix::CircuitBreaker => "Put a circuit breaker around the downstream service: stop calling it while it fails".into(),
        }
    }

    /// The scenario with the fix applied.
    pub fn apply(&self, s: &Scenario) -> Scenario {
        let mut s = s.clone();
        let a = &mut s.arch;
        match *self {
            Fix::BiggerAppServer { vcpus } => a.app_size = instance::general_at_least(a.app_size, vcpus),
            Fix::SeparateDatabase => {
                // Seed 000: moving the database out is the moment to turn on backups with point-in-time recovery.
                a.ops.backups = crate::scenario::Backups::Pitr;
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
            Fix::RaiseTtl { to } | Fix::LowerTtl { to } => a.cache_ttl_s = to,
            Fix::Replicas { to } => a.replicas = to,
            Fix::BiggerDatabase { vcpus } => a.db_size = instance::general_at_least(a.db_size, vcpus),
            Fix::RedisNodes { to } => a.redis_nodes = to,
            Fix::AddCdn => a.cdn = true,
            Fix::RaiseAsgMax { to } => a.autoscaling.max = to,
            Fix::AsgDesired { to } => {
                a.autoscaling.max = a.autoscaling.max.max(to);
                a.autoscaling.desired = to.max(a.autoscaling.min);
            }
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
            Fix::BatchOffPeak => a.ops.report.start_hour = Some(crate::traffic::TROUGH_HOUR),
            Fix::AnalyticsReplica => a.ops.report.on_replica = true,
            Fix::PointInTimeRecovery => a.ops.backups = crate::scenario::Backups::Pitr,
            Fix::PrivateDatabase => a.ops.db_public = false,
            Fix::NoPrivateCaching => a.ops.cdn_caches_private = false,
            Fix::HealthChecks { every_s } => a.health_check_s = every_s,
            Fix::InvalidateOnWrite => a.cache_invalidate = true,
            Fix::ReadYourWrites { ms } => a.read_your_writes_ms = ms,
            Fix::HedgeCalls => a.resilience.hedge = true,
            Fix::CircuitBreaker => a.resilience.circuit_breaker = true,
        }
        s.repair();
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
pub(super) fn next_size(size: InstanceSize) -> InstanceSize {
    instance::general_at_least(size, 0)
}
