//! Cache rows: reads missing the cache (behind replicas, or in front of a busy database), Redis itself
//! saturated, and stale reads.
use super::check::{servers_for, Check, Trips};
use super::fix::Fix;
use super::{CACHE_TARGET, SATURATED};

/// Reads miss the cache and land on busy replicas.
pub(super) const MISS: Check = Check {
    id: "cache-miss",
    symptom: "Read latency high despite replicas",
    component: "Cache miss rate",
    metric: "Cache hit ratio",
    threshold: CACHE_TARGET,
    trips: Trips::Below,
    remedy: "Raise the TTL, warm the cache on deploy, pre-compute hot keys",
    value: |cx| {
        if cx.a.replicas > 0 && cx.a.cache_ttl_s > 0.0 && cx.util("replica") >= 0.5 {
            cx.summary.cache_hit_rate
        } else {
            1.0
        }
    },
    fix: |cx| cx.raise_ttl(),
};

/// The cache lets too much through while the database is busy (a low hit ratio at light load costs nothing).
pub(super) const HIT: Check = Check {
    id: "cache-hit",
    symptom: "Database load stays high after adding a cache",
    component: "Cache",
    metric: "Cache hit ratio",
    threshold: CACHE_TARGET,
    trips: Trips::Below,
    remedy: "Raise the TTL",
    value: |cx| if cx.a.cache_ttl_s > 0.0 && cx.db >= 0.5 { cx.summary.cache_hit_rate } else { 1.0 },
    fix: |cx| cx.raise_ttl(),
};

/// Redis is the saturated tier.
pub(super) const REDIS: Check = Check {
    id: "redis",
    symptom: "Every request slows, Redis CPU pegged",
    component: "Redis node",
    metric: "Redis utilisation",
    threshold: SATURATED,
    trips: Trips::AtOrAbove,
    remedy: "Add Redis nodes (shard keys across them)",
    value: |cx| cx.util("redis"),
    fix: |cx| (cx.a.redis_nodes > 0).then(|| Fix::RedisNodes { to: servers_for(cx.a.redis_nodes, cx.offered("redis")).min(64) }),
};

/// Reads return old data, from the cache or a lagging replica.
pub(super) const STALE: Check = Check {
    id: "stale",
    symptom: "Users see old data",
    component: "Cache TTL and replica lag",
    metric: "Stale-read share",
    threshold: 0.01,
    trips: Trips::AtOrAbove,
    remedy: "Shorter TTL or invalidate on write; read-your-writes",
    value: |cx| cx.summary.stale_read_rate,
    fix: |_| None,
};
