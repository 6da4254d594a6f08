//! Cache rows: reads missing the cache (behind replicas, or in front of a busy database), Redis itself
//! saturated, and stale reads.
use super::check::{Check, Ctx, Trips, SIZING_TARGET};
use super::fix::Fix;
use super::{CACHE_TARGET, SATURATED};
use crate::ids::{RowId, Tier};

/// Reads miss the cache and land on busy replicas.
pub(super) const MISS: Check = Check {
    id: RowId::CacheMiss,
    symptom: "Read latency high despite replicas",
    component: "Cache miss rate",
    metric: "Cache hit ratio",
    threshold: CACHE_TARGET,
    trips: Trips::Below,
    remedy: "Raise the TTL, warm the cache on deploy, pre-compute hot keys",
    value: |cx| {
        if cx.a.replicas > 0 && cx.a.cache_ttl_s > 0.0 && cx.util(Tier::Replica) >= 0.5 {
            cx.summary.cache_hit_rate
        } else {
            1.0
        }
    },
    fix: |cx| cx.raise_ttl(),
};

/// The cache lets too much through while the database is busy (a low hit ratio at light load costs nothing).
pub(super) const HIT: Check = Check {
    id: RowId::CacheHit,
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
    id: RowId::Redis,
    symptom: "Every request slows, Redis CPU pegged",
    component: "Redis node",
    metric: "Redis utilisation",
    threshold: SATURATED,
    trips: Trips::AtOrAbove,
    remedy: "Add Redis nodes (shard keys across them)",
    value: |cx| cx.util(Tier::Redis),
    fix: redis_fix,
};

/// Reads return old data, from the cache or a lagging replica.
pub(super) const STALE: Check = Check {
    id: RowId::Stale,
    symptom: "Users see old data",
    component: "Cache TTL and replica lag",
    metric: "Stale-read share",
    threshold: 0.01,
    trips: Trips::AtOrAbove,
    remedy: "Shorter TTL or invalidate on write; read-your-writes",
    value: |cx| cx.summary.stale_read_rate,
    fix: stale_fix,
};

/// A shorter TTL, sized so stale reads fall under the threshold with a margin, while the hit ratio it leaves stays
/// at the cache's target; else invalidation on write, which keeps the TTL and removes stale cache hits; else, with
/// a cache that already invalidates, read-your-writes for the replicas' share (a user's reads after their own
/// write go to the primary). Stale hits grow with the TTL about linearly while it is short against the time
/// between writes to a key.
fn stale_fix(cx: &Ctx) -> Option<Fix> {
    lower_ttl(cx).or_else(|| {
        if cx.a.cache_ttl_s > 0.0 && !cx.a.cache_invalidate {
            Some(Fix::InvalidateOnWrite)
        } else if cx.a.replicas > 0 && cx.a.read_your_writes_ms <= 0.0 {
            // The window covers the lag a user could notice, with room: twice the lag, at least 2 s.
            Some(Fix::ReadYourWrites { ms: ((2.0 * cx.summary.replication_lag_ms).clamp(2_000.0, 60_000.0) / 1e3).ceil() * 1e3 })
        } else {
            None
        }
    })
}

/// The TTL cut of [`stale_fix`], when it keeps the hit ratio at the target.
fn lower_ttl(cx: &Ctx) -> Option<Fix> {
    let (ttl, hit, stale) = (cx.a.cache_ttl_s, cx.summary.cache_hit_rate, cx.summary.stale_read_rate);
    if ttl <= 10.0 || stale <= 0.0 || hit <= 0.0 || hit >= 1.0 || cx.a.cache_invalidate {
        return None;
    }
    let to = ((ttl * 0.008 / stale / 10.0).floor() * 10.0).clamp(10.0, ttl - 10.0);
    let keys = cx.keys();
    let reads_per_ttl = keys.reads_per_ttl(hit) / ttl;
    let kept = keys.ttl_hit_ratio(reads_per_ttl, to);
    (kept >= super::CACHE_TARGET).then_some(Fix::LowerTtl { to })
}

/// Enough Redis nodes (at most 64) for the hottest to run at the sizing target. Keys are hashed to nodes and the
/// hottest keys stay whole, so the hottest node's share falls more slowly than one over the node count: the
/// count is found from the model's own placement of keys on nodes.
fn redis_fix(cx: &Ctx) -> Option<Fix> {
    let n = cx.a.redis_nodes;
    if n == 0 {
        return None;
    }
    let keys = cx.keys();
    let hottest = |m: u32| crate::model::bucket_shares(keys, m, crate::model::KEY_SALT).into_iter().fold(0.0, f64::max);
    let (now, load) = (hottest(n), cx.offered(Tier::Redis));
    let to = (n + 1..=64).find(|&m| load * hottest(m) / now <= SIZING_TARGET).unwrap_or(64);
    Some(Fix::RedisNodes { to: to.max(n + 1).min(64) })
}
