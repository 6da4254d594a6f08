//! The one model both engines run: a scenario compiled into stations, per-visit work, network delays and the
//! routing rules, with every constant the seeds or REFERENCE.md give.
//!
//! ```text
//!   users ──► [CDN edge] ──static hit──► done                      (5 ms edge round trip)
//!     │ 30 ms round trip to the origin
//!     ▼
//!   load balancer ──► app server i ──► Redis node (session, cache get) ──hit──► done
//!                         │                  │ miss / write
//!                         ▼                  ▼
//!                (single box: DB work   DB primary (writes, misses) ──WAL──► replica apply queue r
//!                 on the same vCPUs)    replica r (reads)  ◄── stale while the apply queue lags
//! ```
//!
//! A station has `c` servers (vCPUs, or one for Redis and a replica's replay process) and admits at most `K`
//! requests (Postgres `max_connections`, an app server's accept backlog). Service times are exponential with the
//! class's mean; each visit between machines adds a fixed LAN round trip.

use crate::cache::{CdnModel, Popularity, TtlCurve};
use crate::ids::Component;
use crate::instance::{InstanceSize, HOURS_PER_MONTH};
use crate::scenario::{LbAlgorithm, Scenario, Sessions};
use crate::tables::Tables;

/// Round trip between a user and the origin (seconds).
pub const CLIENT_RTT_S: f64 = 0.030;
/// Round trip between a user and a CDN edge, "a few milliseconds" (seconds).
pub const EDGE_RTT_S: f64 = 0.005;
/// Round trip between two machines in one data centre; seed 001 puts a Redis call at about 0.5 ms (seconds).
pub const LAN_RTT_S: f64 = 0.0005;
/// Replication lag with an idle replica: WAL shipping and fsync (seeds: 10–100 ms typical) (seconds).
pub const REPLICATION_BASE_LAG_S: f64 = 0.010;
/// Replication lag that should page someone (seed 001) (milliseconds).
pub const LAG_ALERT_MS: f64 = 500.0;
/// Failed health checks before the load balancer takes a server out.
pub const UNHEALTHY_CHECKS: f64 = 2.0;
/// Requests an app server queues beyond its vCPUs before refusing connections (a listen backlog).
pub const APP_BACKLOG: u32 = 512;
/// Clients one Redis node admits.
pub const REDIS_MAX_CLIENTS: u32 = 10_000;
/// Queries a connection pool holds waiting for a database connection.
pub(crate) const POOL_QUEUE: u32 = 10_000;
/// vCPUs of a service instance (m6i.large).
const SERVICE_VCPUS: u32 = 2;
/// How much slower a query runs without the index it needs (seed 004: indexes made queries 3× faster).
pub const NO_INDEX_FACTOR: f64 = 3.0;
/// Zipf exponent of how unevenly users send requests (a few heavy users, many light ones).
pub const USER_SKEW: f64 = 0.6;
/// Memory each in-server session takes (seed 001: ~2 KB) (bytes).
pub const SESSION_BYTES: f64 = 2_048.0;
/// Managed load balancer: hourly charge and one capacity unit per 1,000 req/s (AWS ALB list prices).
pub const LB_USD_PER_HOUR: f64 = 0.0225;
/// Managed load balancer: price of one capacity unit-hour.
pub const LB_USD_PER_LCU_HOUR: f64 = 0.008;
/// Data sent from the origin to the internet: $0.09/GB (EC2 list price, first 10 TB a month).
pub const EGRESS_USD_PER_GB: f64 = 0.09;
/// Average size of a static asset and of a dynamic response (KB).
pub const STATIC_KB: f64 = 30.0;
/// Average size of a dynamic response (KB).
pub const DYNAMIC_KB: f64 = 5.0;
/// Bytes the CDN delivers per static request (a 30 KB asset).
pub const CDN_BYTES_PER_REQUEST: f64 = STATIC_KB * 1024.0;
/// CDN price per request served: 30 KB at $0.085/GB plus $0.0075 per 10,000 HTTPS requests.
pub const CDN_USD_PER_REQUEST: f64 = 30.0 * 1024.0 / 1e9 * 0.085 + 0.0075 / 10_000.0;

/// How long a client waits before retrying a failed request (seconds); the aggregate engine treats retries as
/// part of the same second's load.
pub const RETRY_DELAY_S: f64 = 0.1;
/// Time to put a job on the message queue and answer 202 Accepted (an SQS send is a few milliseconds) (seconds).
pub const ENQUEUE_S: f64 = 0.005;
/// How long an inline call to a dead downstream service waits before timing out (seed 004's breaker: 3 s).
pub const DOWNSTREAM_TIMEOUT_S: f64 = 3.0;
/// Error share at which the circuit breaker opens (seed 004: 50 %) ...
pub const BREAKER_ERROR_SHARE: f64 = 0.5;
/// ... seconds of failures it takes to see that share in its rolling window ...
pub const BREAKER_WINDOW_S: f64 = 10.0;
/// ... and seconds it stays open before a half-open probe (seed 004: 30 s).
pub const BREAKER_RESET_S: f64 = 30.0;
/// First retry delay of a failed job; each later one doubles (seconds).
pub const JOB_BACKOFF_S: f64 = 10.0;
/// Queue workers one worker instance (m6i.large) runs: jobs mostly wait on the network.
pub const WORKERS_PER_INSTANCE: u32 = 16;
/// Seconds between decisions of the worker pool's scale-on-depth rule.
pub const WORKER_SCALE_EVERY_S: f64 = 60.0;
/// Message-queue price per job: send, receive and delete at $0.40 per million requests (SQS list price).
pub const QUEUE_USD_PER_JOB: f64 = 3.0 * 0.40 / 1e6;
/// CPU one service call costs on the service's instance (seconds).
pub const SERVICE_S: f64 = 0.002;
/// Chance that one service call hits a hiccup (a garbage-collection pause, a noisy neighbour) ...
pub const HICCUP_P: f64 = 0.01;
/// ... and how long the hiccup stalls it (seconds). A request that calls K services meets at least one with
/// probability 1 − 0.99^K: the tail at scale.
pub const HICCUP_S: f64 = 0.100;
/// A hedged service call sends its copy after this long without an answer (seconds): well past a normal call's
/// 2 ms of CPU and its network trip, far short of a 100 ms hiccup.
pub const HEDGE_AFTER_S: f64 = 0.010;
/// Shares of dynamic requests that fan out to `services` calls and (wait out a full hiccup, wait for a hedged
/// copy): a request waits for its slowest call; each call meets a hiccup with probability [`HICCUP_P`]; hedged, a
/// call stalls fully only when its copy meets one too.
pub fn stalled_shares(services: u32, hedge: bool) -> (f64, f64) {
    let k = f64::from(services);
    let clean = libm::pow(1.0 - HICCUP_P, k);
    if hedge {
        let both = 1.0 - libm::pow(1.0 - HICCUP_P * HICCUP_P, k);
        (both, (1.0 - clean - both).max(0.0))
    } else {
        (1.0 - clean, 0.0)
    }
}

/// Primary CPU one row of a batch job's write costs (seconds): batch jobs write rows in bulk, a tenth of an
/// interactive write's 10 ms. A replica still applies every row one at a time, which is why a burst of them makes
/// replicas fall behind while the primary keeps up.
pub const BATCH_WRITE_S: f64 = 0.001;
/// Salt for placing users on database shards.
pub const SHARD_SALT: u64 = 0x5348_4152;

/// A deterministic 64-bit mix (SplitMix64's finaliser), used to pin users to servers and keys to Redis nodes
/// the same way in both engines.
pub fn mix64(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// Bucket of item `rank` (1-based) among `n` buckets.
pub fn bucket_of(rank: u64, n: u32, salt: u64) -> u32 {
    (mix64(rank ^ salt) % n.max(1) as u64) as u32
}

/// Salt for pinning users to app servers.
pub const USER_SALT: u64 = 0x5e55_1075;
/// Salt for placing keys on Redis nodes.
pub const KEY_SALT: u64 = 0x4b45_5953;

/// Share of traffic each of `n` buckets receives when items of popularity `pop` are hashed to buckets: the
/// hottest items one by one, the long tail evenly.
pub fn bucket_shares(pop: &Popularity, n: u32, salt: u64) -> Vec<f64> {
    let n = n.max(1);
    let mut shares = vec![0.0; n as usize];
    let top = pop.keys.min(1_024);
    let mut placed = 0.0;
    let p_top = pop.top_share();
    // Probabilities of the first `top` ranks: p_i = p_1 · i^−α.
    for rank in 1..=top {
        let p = p_top * libm::pow(rank as f64, -pop.alpha);
        shares[bucket_of(rank, n, salt) as usize] += p;
        placed += p;
    }
    let rest = (1.0 - placed).max(0.0) / n as f64;
    for s in shares.iter_mut() {
        *s += rest;
    }
    shares
}

/// Per-visit work in seconds and the scenario's derived structure, ready for either engine.
#[derive(Clone, Debug)]
pub struct Topology {
    /// The scenario it was built from.
    pub scenario: Scenario,
    /// vCPUs of one app server.
    pub app_vcpus: u32,
    /// Whether database work runs on app server 0 (no separate database).
    pub db_on_app: bool,
    /// vCPUs of the primary and each replica.
    pub db_vcpus: u32,
    /// App CPU per dynamic request (s).
    pub app_s: f64,
    /// App CPU per static file (s).
    pub static_s: f64,
    /// Database CPU per read (s), indexes considered.
    pub db_read_s: f64,
    /// Database CPU per write (s).
    pub db_write_s: f64,
    /// Redis time per operation (s).
    pub redis_s: f64,
    /// Replica replay time per write (s).
    pub apply_s: f64,
    /// Popularity of keys.
    pub keys: Popularity,
    /// Popularity of users (how unevenly they send requests).
    pub users: Popularity,
    /// Query cache behaviour, when there is one.
    pub cache_curve: Option<TtlCurve>,
    /// CDN behaviour (per edge), when there is one.
    pub cdn_curve: Option<TtlCurve>,
    /// CDN parameters.
    pub cdn: CdnModel,
    /// Share of cache and session traffic on each Redis node.
    pub redis_shares: Vec<f64>,
    /// Share of users (and so of their reads and writes) on each database shard.
    pub shard_shares: Vec<f64>,
    /// The aggregate engine's M/M/c/K tables for this topology's stations (shared between clones).
    pub tables: std::sync::Arc<Tables>,
}

impl Topology {
    /// Compiles a scenario.
    pub fn new(scenario: &Scenario) -> Topology {
        Topology::new_reusing(scenario, None)
    }

    /// Compiles a scenario, reusing every piece of `prev` whose inputs are unchanged (popularities, TTL curves,
    /// queueing tables): moving the load slider recompiles almost nothing.
    pub fn new_reusing(scenario: &Scenario, prev: Option<&Topology>) -> Topology {
        let a = &scenario.arch;
        let t = &scenario.traffic;
        let was = prev.map(|p| &p.scenario);
        let same_keys = was.is_some_and(|w| w.traffic.zipf_alpha == t.zipf_alpha && w.traffic.key_count() == t.key_count());
        let keys = match prev {
            Some(p) if same_keys => p.keys.clone(),
            _ => Popularity::new(t.zipf_alpha, t.key_count()),
        };
        let users = match prev {
            Some(p) if p.scenario.traffic.users == t.users => p.users.clone(),
            _ => Popularity::new(USER_SKEW, t.users),
        };
        let w = t.write_fraction();
        let wants_cache = a.cache_ttl_s > 0.0 && a.redis_nodes > 0;
        let cache_curve = match prev.and_then(|p| p.cache_curve.as_ref()) {
            Some(c) if wants_cache && same_keys && was.is_some_and(|w| w.traffic.read_write_ratio == t.read_write_ratio) => Some(c.clone()),
            _ => wants_cache.then(|| TtlCurve::new(&keys, w / (1.0 - w))),
        };
        let cdn = CdnModel::default();
        let cdn_curve = match prev.and_then(|p| p.cdn_curve.as_ref()) {
            Some(c) if a.cdn => Some(c.clone()),
            _ => a.cdn.then(|| TtlCurve::new(&Popularity::new(cdn.alpha, cdn.assets), 0.0)),
        };
        let redis_shares = match prev {
            Some(p) if same_keys && p.scenario.arch.redis_nodes == a.redis_nodes => p.redis_shares.clone(),
            _ => bucket_shares(&keys, a.redis_nodes.max(1), KEY_SALT),
        };
        let shard_shares = match prev {
            Some(p) if p.scenario.traffic.users == t.users && p.scenario.arch.shards == a.shards => p.shard_shares.clone(),
            _ => bucket_shares(&users, a.shards.max(1), SHARD_SALT),
        };
        let index = if a.db_indexes { 1.0 } else { NO_INDEX_FACTOR };
        let mut topo = Topology {
            app_vcpus: a.app_size.vcpus,
            db_on_app: !a.db_separate,
            db_vcpus: a.db_size.vcpus,
            app_s: a.work.app_ms / 1e3,
            static_s: a.work.static_ms / 1e3,
            db_read_s: a.work.db_read_ms / 1e3 * index,
            db_write_s: a.work.db_write_ms / 1e3 * index.sqrt(),
            redis_s: a.work.redis_op_ms / 1e3,
            apply_s: a.work.replica_apply_ms / 1e3,
            redis_shares,
            shard_shares,
            tables: Default::default(),
            keys,
            users,
            cache_curve,
            cdn_curve,
            cdn,
            scenario: scenario.clone(),
        };
        topo.tables = std::sync::Arc::new(Tables::for_sizes(&topo.station_sizes(), prev.map(|p| p.tables.as_ref())));
        topo
    }

    /// Share of traffic on the busiest shard of `scenario` (1 with one shard).
    pub fn hottest_shard_share(scenario: &Scenario) -> f64 {
        let users = Popularity::new(USER_SKEW, scenario.traffic.users);
        bucket_shares(&users, scenario.arch.shards.max(1), SHARD_SALT).into_iter().fold(0.0, f64::max)
    }

    /// (c, K) of the app, Redis, database and service stations. With a connection pool, queries beyond
    /// `max_connections` wait in the pool instead of being refused.
    pub(crate) fn station_sizes(&self) -> [(u32, u32); 4] {
        let a = &self.scenario.arch;
        let db_k = if a.resilience.db_pool { POOL_QUEUE } else { a.db_max_connections }.max(self.db_vcpus);
        [
            (self.app_vcpus, self.app_vcpus + APP_BACKLOG),
            (1, REDIS_MAX_CLIENTS),
            (self.db_vcpus, db_k),
            (SERVICE_VCPUS, SERVICE_VCPUS + APP_BACKLOG),
        ]
    }

    /// Whether requests go through a load balancer.
    pub fn has_lb(&self) -> bool {
        self.scenario.has_load_balancer()
    }

    /// Whether sessions are pinned to servers.
    pub fn sticky(&self) -> bool {
        self.scenario.arch.sessions == Sessions::Sticky
    }

    /// Whether each dynamic request reads its session from Redis.
    pub fn session_in_redis(&self) -> bool {
        self.scenario.arch.sessions == Sessions::Redis && self.scenario.arch.redis_nodes > 0
    }

    /// The load-balancing algorithm.
    pub fn lb(&self) -> LbAlgorithm {
        self.scenario.arch.lb_algorithm
    }

    /// Share of all users' requests each of `n` servers receives under sticky routing.
    pub fn sticky_shares(&self, n: u32) -> Vec<f64> {
        bucket_shares(&self.users, n, USER_SALT)
    }

    /// CDN hit ratio at `static_rps` requests per second of static assets.
    pub fn cdn_hit(&self, static_rps: f64) -> f64 {
        match &self.cdn_curve {
            Some(curve) => curve.at(static_rps / self.cdn.edges.max(1) as f64, self.scenario.arch.cdn_ttl_s).0,
            None => 0.0,
        }
    }

    /// (hit ratio, stale share of reads) of the query cache at `read_rps` reads per second. Invalidated on write,
    /// no hit is stale and an entry lives [`Topology::cache_life_s`]: the hit ratio is the TTL formula's at that
    /// life, since a key's writes (uniform over the keys) come at the same rate for every key.
    pub fn cache_hit(&self, read_rps: f64) -> (f64, f64) {
        match &self.cache_curve {
            Some(curve) if self.scenario.arch.cache_invalidate => (curve.at(read_rps, self.cache_life_s(read_rps)).0, 0.0),
            Some(curve) => curve.at(read_rps, self.scenario.arch.cache_ttl_s),
            None => (0.0, 0.0),
        }
    }

    /// Mean life of a cache entry in seconds at `read_rps` reads per second: the TTL, or with invalidation on
    /// write E[min(T, time to the key's next write)] = (1 − e^{−ωT}) / ω, where ω is one key's write rate.
    pub fn cache_life_s(&self, read_rps: f64) -> f64 {
        let (a, t) = (&self.scenario.arch, &self.scenario.traffic);
        let ttl = a.cache_ttl_s;
        if !a.cache_invalidate {
            return ttl;
        }
        let w = t.write_fraction();
        let omega = read_rps.max(0.0) * w / (1.0 - w).max(1e-9) / self.keys.keys.max(1) as f64;
        if omega * ttl < 1e-9 {
            ttl
        } else {
            (1.0 - libm::exp(-omega * ttl)) / omega
        }
    }

    /// Share of reads sent to the primary by read-your-writes: the chance the reader wrote within the window.
    pub fn read_your_writes_share(&self, write_rps: f64) -> f64 {
        let a = &self.scenario.arch;
        if a.replicas == 0 || a.read_your_writes_ms <= 0.0 {
            return 0.0;
        }
        let per_user = write_rps / self.scenario.traffic.users.max(1) as f64;
        1.0 - libm::exp(-per_user * a.read_your_writes_ms / 1e3)
    }

    /// Hourly price of everything running at `usage`: the sum of [`cost_items`].
    pub fn cost_per_hour(&self, usage: &Usage) -> f64 {
        cost_items(&self.scenario, usage).iter().map(|c| c.1).sum()
    }
}

/// What is running and how busy it is, for pricing.
#[derive(Clone, Copy, Debug, Default)]
pub struct Usage {
    /// App servers running in each region.
    pub app_instances: f64,
    /// Requests per second through the load balancers.
    pub origin_rps: f64,
    /// Requests per second the CDN answers.
    pub cdn_rps: f64,
    /// Queue workers running.
    pub workers: u32,
    /// Jobs per second through the queue.
    pub jobs_rps: f64,
}

/// Hourly price of each component of `scenario` under `usage`, in US dollars (AWS on-demand list prices,
/// REFERENCE.md): app servers, database (primaries and replicas), Redis, load balancer, services, CDN, queue, and
/// the origin's data transfer out (static files not served by the CDN at 30 KB, dynamic responses at 5 KB).
/// Components the scenario does not have cost 0.
pub fn cost_items(scenario: &Scenario, usage: &Usage) -> [(Component, f64); 8] {
    let a = &scenario.arch;
    let price = |s: &InstanceSize| s.usd_per_hour;
    let large = crate::instance::M6I_LARGE.usd_per_hour;
    let regions = a.regions.max(1) as f64;
    // Every region keeps its own replicas of each shard; the primaries live in one region.
    // A dedicated analytics replica for the batch job counts beside the others.
    let analytics = (a.ops.report.on_replica && a.ops.report.start_hour.is_some()) as u32 as f64;
    let replicas = a.replicas as f64 * regions * a.shards.max(1) as f64 + analytics;
    let primaries = if a.db_separate { a.shards.max(1) as f64 } else { 0.0 };
    let lb = if scenario.has_load_balancer() {
        let pair = if a.resilience.lb_ha { 2.0 } else { 1.0 };
        pair * LB_USD_PER_HOUR * regions + LB_USD_PER_LCU_HOUR * (usage.origin_rps / 1_000.0).max(1.0)
    } else {
        0.0
    };
    let queued = a.jobs.queued && a.jobs.share > 0.0;
    let queue = if queued {
        usage.workers.div_ceil(WORKERS_PER_INSTANCE) as f64 * large + usage.jobs_rps * 3_600.0 * QUEUE_USD_PER_JOB
    } else {
        0.0
    };
    [
        (Component::App, usage.app_instances * price(&a.app_size) * regions),
        (Component::Database, price(&a.db_size) * (primaries + replicas)),
        (Component::Redis, a.redis_nodes as f64 * price(&a.redis_size) * regions),
        (Component::LoadBalancer, lb),
        (Component::Services, (a.services * a.service_instances) as f64 * large * regions),
        (Component::Cdn, if a.cdn { usage.cdn_rps * 3_600.0 * CDN_USD_PER_REQUEST } else { 0.0 }),
        (Component::Queue, queue),
        (Component::Egress, {
            let dynamic = (usage.origin_rps + usage.cdn_rps) * (1.0 - scenario.traffic.static_share);
            let origin_static = (usage.origin_rps - dynamic).max(0.0);
            (origin_static * STATIC_KB + dynamic * DYNAMIC_KB) * 1024.0 / 1e9 * 3_600.0 * EGRESS_USD_PER_GB
        }),
    ]
}

/// Monthly cost from an hourly one.
pub fn monthly(usd_per_hour: f64) -> f64 {
    usd_per_hour * HOURS_PER_MONTH
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_shares_sum_to_one() {
        let pop = Popularity::new(0.9, 50_000);
        for n in [1, 2, 3, 7, 64] {
            let s: f64 = bucket_shares(&pop, n, KEY_SALT).iter().sum();
            assert!((s - 1.0).abs() < 1e-9, "n={n}: {s}");
        }
    }

    #[test]
    fn sticky_routing_of_few_users_is_uneven() {
        let topo = Topology::new(&Scenario::stage(5).with_users(20));
        let shares = topo.sticky_shares(3);
        let max = shares.iter().cloned().fold(0.0, f64::max);
        assert!(max > 0.4, "20 users on 3 sticky servers: hottest takes {max:.2}");
    }

    #[test]
    fn the_single_server_machine_costs_about_thirty_dollars_a_month() {
        // Seed 000: one t3.medium for about $30 a month. Bandwidth is priced on top, at the load simulated.
        let items = cost_items(&Scenario::stage(1), &Usage { app_instances: 1.0, origin_rps: 100.0, ..Usage::default() });
        let machine = monthly(items.iter().filter(|c| c.0 == Component::App || c.0 == Component::Database).map(|c| c.1).sum());
        assert!((25.0..35.0).contains(&machine), "{machine}");
        let egress = items.iter().find(|c| c.0 == Component::Egress).unwrap().1;
        // 60 static files of 30 KB and 40 pages of 5 KB a second, at $0.09/GB.
        let want = (60.0 * 30.0 + 40.0 * 5.0) * 1024.0 / 1e9 * 3_600.0 * 0.09;
        assert!((egress - want).abs() < 1e-9, "{egress} vs {want}");
    }

    #[test]
    fn a_cdn_costs_about_what_the_origin_bandwidth_it_replaces_did() {
        // Static bytes from the edge at $0.085/GB plus request fees, against $0.09/GB from the origin.
        let s = Scenario::stage(7).with_users(10_000);
        let with = cost_items(&s, &Usage { origin_rps: 400.0, cdn_rps: 600.0, ..Usage::default() });
        let without = cost_items(&s, &Usage { origin_rps: 1_000.0, ..Usage::default() });
        let bytes = |items: &[(Component, f64)]| {
            items.iter().filter(|c| c.0 == crate::ids::Component::Cdn || c.0 == Component::Egress).map(|c| c.1).sum::<f64>()
        };
        let (w, wo) = (bytes(&with), bytes(&without));
        assert!(w < wo * 1.2 && w > wo * 0.8, "CDN + egress ${w:.2}/h vs origin egress ${wo:.2}/h");
    }
}
