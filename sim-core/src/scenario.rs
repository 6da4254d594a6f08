//! The scenario: one value that says everything a run needs — traffic, architecture, knobs, faults, seed and
//! duration. It is plain data (serde-serialisable); its text form is the URL query string in [`crate::query`].
//!
//! Stages of the built-in journey are scenario values too ([`Scenario::stage`]); their docs list their numbers.

use serde::{Deserialize, Serialize};

use crate::error::ScenarioError;
use crate::instance::{self, InstanceSize};
use crate::traffic::Traffic;

/// Where user sessions live.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sessions {
    /// In Redis: any app server can serve any user (stateless servers).
    Redis,
    /// In each app server's memory, with the load balancer pinning every user to one server.
    Sticky,
}

/// How the load balancer picks an app server.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LbAlgorithm {
    /// Each server in turn.
    RoundRobin,
    /// The server with the fewest requests in progress.
    LeastConnections,
}

/// How the always-on machines are bought (seed 004: "reserved instances for baseline capacity").
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reservation {
    /// Every hour at the on-demand price.
    #[default]
    OnDemand,
    /// A one-year reservation (or savings plan) for the baseline.
    OneYear,
    /// A three-year reservation for the baseline.
    ThreeYear,
}

impl Reservation {
    /// The value in share URLs and the CLI.
    pub fn label(self) -> &'static str {
        match self {
            Reservation::OnDemand => "none",
            Reservation::OneYear => "1y",
            Reservation::ThreeYear => "3y",
        }
    }

    /// The reservation a URL value names.
    pub fn from_label(v: &str) -> Option<Reservation> {
        [Reservation::OnDemand, Reservation::OneYear, Reservation::ThreeYear].into_iter().find(|r| r.label() == v)
    }
}

/// How the database is backed up (seeds 000 and 001): what a dead primary with no replica to promote loses.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Backups {
    /// No backups: a lost database is lost with everything in it.
    #[default]
    None,
    /// A snapshot every night at 03:00: a restore loses the writes since the last one.
    Nightly,
    /// Nightly snapshots plus the write-ahead log archived continuously (point-in-time recovery): a restore loses
    /// about the last five minutes, and takes longer, replaying the log since the snapshot.
    Pitr,
}

impl Backups {
    /// The value in share URLs and the CLI.
    pub fn label(self) -> &'static str {
        match self {
            Backups::None => "none",
            Backups::Nightly => "nightly",
            Backups::Pitr => "pitr",
        }
    }

    /// The setting a URL value names.
    pub fn from_label(v: &str) -> Option<Backups> {
        [Backups::None, Backups::Nightly, Backups::Pitr].into_iter().find(|b| b.label() == v)
    }
}

/// A scheduled batch job (a nightly report, an export, analytics) that runs heavy queries on the database for a
/// while each day: seed 001's "periodic latency spikes at predictable times → batch job contention".
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReportJob {
    /// Hour of the day it starts (0–23.99), or `None` for no such job.
    pub start_hour: Option<f64>,
    /// How long it runs, in minutes.
    pub minutes: f64,
    /// Database vCPUs its queries keep busy while it runs.
    pub vcpus: f64,
    /// It runs on a dedicated analytics replica instead of the primary (seed 001's second fix).
    pub on_replica: bool,
}

impl Default for ReportJob {
    fn default() -> Self {
        ReportJob { start_hour: None, minutes: 60.0, vcpus: 4.0, on_replica: false }
    }
}

/// What keeps the product safe rather than fast: backups, which machines the internet can reach, what the CDN may
/// cache, and the scheduled jobs that share the database.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Operations {
    /// How the database is backed up.
    pub backups: Backups,
    /// The database accepts connections from the internet (a security group open to 0.0.0.0/0) instead of only
    /// from the app servers (seed 003).
    pub db_public: bool,
    /// The CDN caches authenticated pages by URL alone, without the session cookie in its cache key (no
    /// `Vary: Cookie`): one user's private page is served to the next (seed 000's CDN cache poisoning).
    pub cdn_caches_private: bool,
    /// A scheduled batch job on the database.
    pub report: ReportJob,
}

/// The app tier's auto-scaling group (seed 000's numbers are the defaults).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Autoscaling {
    /// Whether the group scales at all; off, the app tier keeps `app_servers`.
    pub enabled: bool,
    /// Fewest instances (2).
    pub min: u32,
    /// Instances at the start (4).
    pub desired: u32,
    /// Most instances (12).
    pub max: u32,
    /// Scale out when average CPU is above this fraction (0.70) ...
    pub out_cpu: f64,
    /// ... for this many seconds (120) ...
    pub out_for_s: f64,
    /// ... by this many instances (2).
    pub out_add: u32,
    /// Scale in when average CPU is below this fraction (0.30) ...
    pub in_cpu: f64,
    /// ... for this many seconds (600) ...
    pub in_for_s: f64,
    /// ... by this many instances (1).
    pub in_remove: u32,
    /// Seconds from launch to serving: 180 for a plain image (seed 000: 2–4 min), 45 for a pre-baked one (30–60 s).
    pub boot_s: f64,
    /// Scheduled pre-warming: with the daily curve, hold at least this many instances from two hours before the
    /// known peak (launched a boot time early) until two hours after it (0 = off).
    #[serde(default)]
    pub prewarm: u32,
}

impl Default for Autoscaling {
    fn default() -> Self {
        Autoscaling {
            enabled: false,
            min: 2,
            desired: 4,
            max: 12,
            out_cpu: 0.70,
            out_for_s: 120.0,
            out_add: 2,
            in_cpu: 0.30,
            in_for_s: 600.0,
            in_remove: 1,
            boot_s: 180.0,
            prewarm: 0,
        }
    }
}

/// Slow work that some writes start — fetching a link preview, sending an email, re-ranking tags (seed 000,
/// stage 7) — done inline in the request or handed to a message queue and a pool of workers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Jobs {
    /// Share of writes that start a job (0 = none).
    pub share: f64,
    /// Wall time of one job, mostly waiting on other services (seed 000: 2–3 s; default 2.5 s).
    pub job_ms: f64,
    /// CPU one job costs wherever it runs (20 ms).
    pub cpu_ms: f64,
    /// Jobs go to a message queue and the request returns 202 Accepted; off, the request waits for the job.
    pub queued: bool,
    /// Workers (jobs in progress at once) at the start, and the fewest.
    pub workers: u32,
    /// Most workers when scaling on queue depth (equal to `workers`: no scaling).
    pub max_workers: u32,
    /// Attempts per job before it is set aside (dead-lettered); retries back off 10 s, 20 s, 40 s, …
    pub attempts: u32,
}

impl Default for Jobs {
    fn default() -> Self {
        Jobs { share: 0.0, job_ms: 2_500.0, cpu_ms: 20.0, queued: false, workers: 8, max_workers: 512, attempts: 5 }
    }
}

/// Protections against overload and failure elsewhere (seed 004's critical patterns, seed 000's HA load balancer).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Resilience {
    /// Times a client retries a failed request at once (0 = never). Retries add load exactly when the system
    /// is failing: a retry storm.
    pub retries: u32,
    /// A circuit breaker around the slow job's downstream service: open at 50 % errors, half-open after 30 s;
    /// while open, requests skip the job instead of waiting 3 s for a timeout.
    pub circuit_breaker: bool,
    /// Requests each user may send per minute before getting 429 Too Many Requests (0 = no limit; seed 004:
    /// 100 per 15 minutes ≈ 6.7 per minute).
    pub rate_limit_per_min: f64,
    /// The load balancer is a redundant pair (or a managed service): losing one instance fails over in seconds.
    pub lb_ha: bool,
    /// App servers reach the database through a connection pool: queries beyond `max_connections` wait in the
    /// pool instead of being refused.
    pub db_pool: bool,
    /// Hedged service calls (Dean and Barroso, "The Tail at Scale"): a call not answered within
    /// [`crate::model::HEDGE_AFTER_S`] is sent again to another instance and the first answer wins. A request
    /// then waits out a hiccup only when both copies meet one; the copies cost their CPU.
    #[serde(default)]
    pub hedge: bool,
}

impl Default for Resilience {
    fn default() -> Self {
        Resilience { retries: 0, circuit_breaker: false, rate_limit_per_min: 0.0, lb_ha: true, db_pool: false, hedge: false }
    }
}

/// Work each request costs, in milliseconds of one vCPU (documented defaults from REFERENCE.md and the seeds).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Work {
    /// App CPU per dynamic request (5 ms: REFERENCE's 4–10 ms, about 200 requests/s per vCPU).
    pub app_ms: f64,
    /// App CPU to serve one static file from the origin (0.5 ms).
    pub static_ms: f64,
    /// Database CPU per read query with indexes (8 ms; three times that without, seed 004).
    pub db_read_ms: f64,
    /// Database CPU per write on the primary (10 ms).
    pub db_write_ms: f64,
    /// Redis time per operation (0.01 ms: about 100,000 operations/s on its one thread).
    pub redis_op_ms: f64,
    /// Time a replica's single replay process spends applying one write (0.5 ms: about 2,000 writes/s; replay
    /// skips the query planning and locking the primary did).
    pub replica_apply_ms: f64,
}

impl Default for Work {
    fn default() -> Self {
        Work { app_ms: 5.0, static_ms: 0.5, db_read_ms: 8.0, db_write_ms: 10.0, redis_op_ms: 0.01, replica_apply_ms: 0.5 }
    }
}

/// What the system is built of.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Architecture {
    /// The database runs on its own server; when false, app and database share each app server's vCPUs (stage 1).
    pub db_separate: bool,
    /// App servers (1 to 1,000). More than one puts a load balancer in front.
    pub app_servers: u32,
    /// Size of each app server.
    #[serde(with = "instance::by_name_serde")]
    pub app_size: InstanceSize,
    /// Size of the database primary and of each replica.
    #[serde(with = "instance::by_name_serde")]
    pub db_size: InstanceSize,
    /// Redis nodes (0 to 64): the query cache and, with stateless servers, the session store.
    pub redis_nodes: u32,
    /// Size of each Redis node.
    #[serde(with = "instance::by_name_serde")]
    pub redis_size: InstanceSize,
    /// Cache-aside TTL in seconds (0 = no query caching). Seed 000 uses 60 s, seeds 003 and 004 300 s.
    pub cache_ttl_s: f64,
    /// Where sessions live.
    pub sessions: Sessions,
    /// Load-balancing algorithm.
    pub lb_algorithm: LbAlgorithm,
    /// Seconds between the load balancer's health checks; a server is taken out after two failed checks.
    pub health_check_s: f64,
    /// Read replicas of the database (0 to 10).
    pub replicas: u32,
    /// Read-your-writes window in milliseconds: a user's reads go to the primary this long after their write
    /// (0 = off).
    pub read_your_writes_ms: f64,
    /// A replica lagging more than this many milliseconds stops receiving reads until it catches up.
    pub replica_max_lag_ms: f64,
    /// A CDN serves static assets.
    pub cdn: bool,
    /// How long the CDN keeps an asset, in seconds (versioned assets: a year; default one day).
    pub cdn_ttl_s: f64,
    /// The database has the indexes its queries need (seed 004: indexes made queries 3× faster).
    pub db_indexes: bool,
    /// Postgres `max_connections` (seed 003: 200): requests beyond it in the database are refused.
    pub db_max_connections: u32,
    /// Requests waiting longer than this, in milliseconds, time out.
    pub timeout_ms: f64,
    /// The app tier's auto-scaling group.
    pub autoscaling: Autoscaling,
    /// Per-request work.
    pub work: Work,
    /// Database shards by user-id hash (1 = one primary). Each shard has its own primary and `replicas` replicas.
    #[serde(default = "one")]
    pub shards: u32,
    /// Share of database reads that need every shard (a cross-shard join done as scatter-gather).
    #[serde(default = "cross_shard_default")]
    pub cross_shard_share: f64,
    /// Regions running a full stack (1 to 3), users routed to the nearest by geo-DNS; writes go to the one
    /// global primary, reads stay local.
    #[serde(default = "one")]
    pub regions: u32,
    /// Services each dynamic request calls in parallel, waiting for the slowest (0 = one monolith).
    #[serde(default)]
    pub services: u32,
    /// Instances of each service (m6i.large).
    #[serde(default = "two")]
    pub service_instances: u32,
    /// Slow work started by writes, inline or queued.
    #[serde(default)]
    pub jobs: Jobs,
    /// Retries, circuit breaker, rate limit, load-balancer redundancy, connection pool.
    #[serde(default)]
    pub resilience: Resilience,
    /// Concurrent misses on one key wait for a single database read (request coalescing, single-flight) instead
    /// of each going to the database: what stops a stampede on hot keys after a flush.
    #[serde(default)]
    pub cache_coalescing: bool,
    /// A write deletes its key from the query cache (cache-aside invalidation on write) as well as changing the
    /// database: a cached read is never older than the last write, and an entry lives until its TTL or the next
    /// write to its key, whichever comes first.
    #[serde(default)]
    pub cache_invalidate: bool,
    /// How the always-on machines are bought: on demand, or reserved for one or three years.
    #[serde(default)]
    pub reservation: Reservation,
    /// Backups, network exposure, what the CDN caches, scheduled jobs.
    #[serde(default)]
    pub ops: Operations,
}

fn one() -> u32 {
    1
}
fn two() -> u32 {
    2
}
fn cross_shard_default() -> f64 {
    0.05
}

impl Default for Architecture {
    fn default() -> Self {
        Scenario::stage(1).arch
    }
}

/// A fault scheduled at a simulated time.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Fault {
    /// Simulated second at which it happens.
    pub at_s: f64,
    /// What happens.
    pub kind: FaultKind,
}

/// Puts faults in time order (stable: faults at the same second keep their order). The one sort the page and the
/// query parser share.
pub fn sort_faults(faults: &mut [Fault]) {
    faults.sort_by(|a, b| a.at_s.total_cmp(&b.at_s));
}

/// The kinds of fault.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultKind {
    /// One app server dies. The load balancer keeps sending it traffic until two health checks fail.
    KillAppServer,
    /// A viral post: load triples for five minutes.
    TrafficSpike,
    /// Redis is flushed (or restarted): the cache starts cold and refills as keys are read again.
    FlushCache,
    /// A deploy restarts every app server for 30 s: a single server is down meanwhile; behind a load balancer
    /// they restart one at a time (rolling) and nothing fails, but sessions kept in server memory are lost.
    Deploy,
    /// The database primary dies. With replicas, one is promoted after 30 s and writes fail until then; without,
    /// the database is down until the primary is restored after 5 minutes.
    KillDbPrimary,
    /// The service slow jobs call (email provider, page fetcher) is down for two minutes.
    DownstreamOutage,
    /// The busiest region goes dark; after geo-DNS fails over (60 s) its users go to the next nearest region.
    RegionOutage,
    /// The load balancer instance dies: a single one is replaced after 5 minutes, an HA pair fails over in 5 s.
    KillLoadBalancer,
    /// A batch job writes 20× the usual write rate for a minute: replicas fall behind.
    WriteBurst,
}

// Every fault's duration lives with the rules that use it.
pub use crate::policy::outage::{
    DEPLOY_RESTART_S, DOWNSTREAM_OUTAGE_S, FAILOVER_S, LB_FAILOVER_S, LB_REPLACE_S, REGION_FAILOVER_S, REGION_OUTAGE_S, RESTORE_S, SPIKE_S,
    WRITE_BURST_S,
};

/// How much a traffic spike multiplies the load.
pub const SPIKE_FACTOR: f64 = 3.0;
/// Write-rate multiplier and length of a write burst (seconds).
pub const WRITE_BURST_FACTOR: f64 = 20.0;

impl FaultKind {
    /// Name used in URLs and the CLI.
    pub fn name(self) -> &'static str {
        match self {
            FaultKind::KillAppServer => "kill_app",
            FaultKind::TrafficSpike => "spike",
            FaultKind::FlushCache => "flush_cache",
            FaultKind::Deploy => "deploy",
            FaultKind::KillDbPrimary => "kill_db",
            FaultKind::DownstreamOutage => "downstream",
            FaultKind::RegionOutage => "kill_region",
            FaultKind::KillLoadBalancer => "kill_lb",
            FaultKind::WriteBurst => "write_burst",
        }
    }
    /// Every fault kind.
    pub const ALL: [FaultKind; 9] = [
        FaultKind::KillAppServer,
        FaultKind::TrafficSpike,
        FaultKind::FlushCache,
        FaultKind::Deploy,
        FaultKind::KillDbPrimary,
        FaultKind::DownstreamOutage,
        FaultKind::RegionOutage,
        FaultKind::KillLoadBalancer,
        FaultKind::WriteBurst,
    ];
}

/// A complete, runnable scenario.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Scenario {
    /// Stage of the built-in journey this scenario started from (1 = single server).
    pub stage: u32,
    /// The offered load.
    pub traffic: Traffic,
    /// The system.
    pub arch: Architecture,
    /// Scheduled faults.
    pub faults: Vec<Fault>,
    /// Seed of every random choice in a run.
    pub seed: u64,
    /// Simulated seconds to run.
    pub duration_s: f64,
}

/// Number of stages in the built-in journey.
pub const STAGES: u32 = 12;

/// Short names of the built-in journey's stages.
pub const STAGE_NAMES: [&str; STAGES as usize] = [
    "Single server",
    "Bigger server",
    "Separate database",
    "Cache",
    "Load balancer",
    "Read replicas",
    "CDN",
    "Message queue",
    "Auto-scaling",
    "Shards",
    "Regions",
    "Services",
];

impl Default for Scenario {
    fn default() -> Self {
        Scenario::stage(1)
    }
}

impl Scenario {
    /// Stage `n` (clamped to 1..=[`STAGES`]) of the built-in journey, each adding one thing to the one before:
    ///
    /// 1. Single server: one t3.medium (2 vCPU, 4 GiB, about $30/month) runs app and Postgres together.
    /// 2. Bigger server: the same box made an m6i.2xlarge (8 vCPU) — vertical scaling, no code changes.
    /// 3. Separate database: app on an m6i.xlarge, Postgres on an r6i.2xlarge (seed 000's memory-optimised DB).
    /// 4. Cache: one cache.t3.medium Redis node, cache-aside with a 60 s TTL.
    /// 5. Load balancer: three stateless app servers, sessions in Redis, round-robin, 10 s health checks.
    /// 6. Read replicas: two replicas take the reads; writes stay on the primary.
    /// 7. CDN: static assets (60 % of requests) served from the edge with a one-day lifetime.
    /// 8. Message queue: half of all writes start a 2.5 s job (preview, email); a queue and 8 workers (scaling
    ///    to 512 on queue depth) take it off the request path.
    /// 9. Auto-scaling: the app tier becomes a group of min 2, desired 4, max 12 (seed 000's rules).
    /// 10. Shards: four database shards by user-id hash, each with its two replicas.
    /// 11. Regions: users on three continents, a full stack in each, writes to one global primary.
    /// 12. Services: each request fans out to four services (user, content, media, notification), two
    ///     instances each.
    ///
    /// Every stage runs 1,000 users for 300 simulated seconds with seed 1.
    pub fn stage(n: u32) -> Scenario {
        let n = n.clamp(1, STAGES);
        let mut arch = Architecture {
            db_separate: false,
            app_servers: 1,
            app_size: instance::named("t3.medium"),
            db_size: instance::named("t3.medium"),
            redis_nodes: 0,
            redis_size: instance::named("cache.t3.medium"),
            cache_ttl_s: 0.0,
            sessions: Sessions::Sticky,
            lb_algorithm: LbAlgorithm::RoundRobin,
            health_check_s: 10.0,
            replicas: 0,
            read_your_writes_ms: 0.0,
            replica_max_lag_ms: 5_000.0,
            cdn: false,
            cdn_ttl_s: 86_400.0,
            db_indexes: true,
            db_max_connections: 200,
            timeout_ms: 10_000.0,
            autoscaling: Autoscaling::default(),
            work: Work::default(),
            shards: 1,
            cross_shard_share: cross_shard_default(),
            regions: 1,
            services: 0,
            service_instances: 2,
            jobs: Jobs::default(),
            resilience: Resilience::default(),
            cache_coalescing: false,
            cache_invalidate: false,
            reservation: Reservation::OnDemand,
            ops: Operations::default(),
        };
        if n >= 2 {
            arch.app_size = instance::named("m6i.2xlarge");
        }
        if n >= 3 {
            // Seed 000: when the database moves to its own server, turn on backups with point-in-time recovery.
            arch.ops.backups = Backups::Pitr;
            arch.db_separate = true;
            arch.app_size = instance::named("m6i.xlarge");
            arch.db_size = instance::named("r6i.2xlarge");
        }
        if n >= 4 {
            arch.redis_nodes = 1;
            arch.cache_ttl_s = 60.0;
        }
        if n >= 5 {
            arch.app_servers = 3;
            arch.sessions = Sessions::Redis;
        }
        if n >= 6 {
            arch.replicas = 2;
        }
        if n >= 7 {
            arch.cdn = true;
        }
        if n >= 8 {
            arch.jobs.share = 0.5;
            arch.jobs.queued = true;
        }
        if n >= 9 {
            arch.autoscaling.enabled = true;
        }
        if n >= 10 {
            arch.shards = 4;
        }
        let mut traffic = Traffic::default();
        if n >= 11 {
            arch.regions = 3;
            traffic.worldwide = true;
        }
        if n >= 12 {
            arch.services = 4;
        }
        Scenario { stage: n, traffic, arch, faults: Vec::new(), seed: 1, duration_s: 300.0 }
    }

    /// The same scenario with `users` users.
    pub fn with_users(mut self, users: u64) -> Scenario {
        self.traffic.users = users;
        self
    }

    /// Whether a load balancer sits in front of the app tier.
    pub fn has_load_balancer(&self) -> bool {
        self.arch.app_servers > 1 || self.arch.autoscaling.enabled || self.arch.regions > 1
    }

    /// Fixes cross-field inconsistencies in place, with a notice naming the field it changed: sessions in Redis
    /// without a node, a query cache without Redis, shards or regions on a shared box, fewer max workers than
    /// workers, auto-scaling bounds out of order.
    pub fn repair(&mut self) -> Vec<ScenarioError> {
        let mut notices = Vec::new();
        if self.arch.sessions == Sessions::Redis && self.arch.redis_nodes == 0 {
            self.arch.redis_nodes = 1;
            notices
                .push(ScenarioError::Inconsistent { field: "redis", reason: "sessions in Redis need a Redis node; set to 1".to_owned() });
        }
        if self.arch.cache_ttl_s > 0.0 && self.arch.redis_nodes == 0 {
            self.arch.cache_ttl_s = 0.0;
            notices.push(ScenarioError::Inconsistent {
                field: "ttl",
                reason: "a query cache needs a Redis node; caching turned off".to_owned(),
            });
        }
        if (self.arch.shards > 1 || self.arch.regions > 1) && !self.arch.db_separate {
            self.arch.db_separate = true;
            notices.push(ScenarioError::Inconsistent {
                field: "db",
                reason: "shards and regions need a separate database; turned on".to_owned(),
            });
        }
        if self.arch.jobs.max_workers < self.arch.jobs.workers {
            self.arch.jobs.max_workers = self.arch.jobs.workers;
            notices.push(ScenarioError::Inconsistent {
                field: "max_workers",
                reason: format!("must be at least workers; set to {}", self.arch.jobs.workers),
            });
        }
        let a = &mut self.arch.autoscaling;
        if a.min > a.max {
            a.max = a.min;
            notices.push(ScenarioError::Inconsistent { field: "asg_max", reason: format!("must be at least asg_min; set to {}", a.min) });
        }
        if a.desired < a.min || a.desired > a.max {
            a.desired = a.desired.clamp(a.min, a.max);
            notices.push(ScenarioError::Inconsistent {
                field: "asg_desired",
                reason: format!("must lie between asg_min and asg_max; set to {}", a.desired),
            });
        }
        if a.in_cpu >= a.out_cpu {
            a.in_cpu = (a.out_cpu / 2.0).min(a.in_cpu);
            notices.push(ScenarioError::Inconsistent { field: "in_cpu", reason: format!("must be below out_cpu; set to {}", a.in_cpu) });
        }
        notices
    }
}

/// A named preset: a stage of the built-in journey.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Preset {
    /// Name used by the CLI.
    pub name: &'static str,
    /// Stage number.
    pub stage: u32,
}

/// Every preset, in journey order. Their numbers are documented on [`Scenario::stage`].
pub const PRESETS: [Preset; STAGES as usize] = [
    Preset { name: "single-server", stage: 1 },
    Preset { name: "bigger-server", stage: 2 },
    Preset { name: "separate-db", stage: 3 },
    Preset { name: "cache", stage: 4 },
    Preset { name: "load-balancer", stage: 5 },
    Preset { name: "read-replicas", stage: 6 },
    Preset { name: "cdn", stage: 7 },
    Preset { name: "queue", stage: 8 },
    Preset { name: "autoscaling", stage: 9 },
    Preset { name: "shards", stage: 10 },
    Preset { name: "regions", stage: 11 },
    Preset { name: "services", stage: 12 },
];

/// Finds a preset by name or stage number.
pub fn preset(name: &str) -> Option<Preset> {
    PRESETS.iter().copied().find(|p| p.name == name || p.stage.to_string() == name)
}
