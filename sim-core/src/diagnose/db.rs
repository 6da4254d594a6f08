//! Database rows: the primary busy with reads or with writes, replicas falling behind, a hot shard and
//! connections running out.
use super::check::{servers_for, Check, Ctx, Trips, SIZING_TARGET};
use super::fix::Fix;
use super::SATURATED;
use crate::ids::{RowId, Tier};
use crate::model::LAG_ALERT_MS;

/// The primary is out: failing over to a replica, or being restored without one.
pub(super) const DOWN: Check = Check {
    id: RowId::DbDown,
    symptom: "Saves and most pages fail at once",
    component: "Database primary down",
    metric: "Primaries out of service",
    threshold: 1.0,
    trips: Trips::AtOrAbove,
    remedy: "Keep a replica to promote (a failover takes seconds, a restore minutes or hours)",
    value: |cx| cx.summary.primaries_down as f64,
    fix: |cx| (cx.a.replicas == 0 && cx.a.db_separate).then_some(Fix::Replicas { to: 1 }),
};

/// The primary is saturated while the app servers are not.
pub(super) const READS: Check = Check {
    id: RowId::DbReads,
    symptom: "Latency spikes while app CPU is low",
    component: "Database",
    metric: "Primary utilisation (connection-pool wait)",
    threshold: SATURATED,
    trips: Trips::AtOrAbove,
    remedy: "Cache hot reads, add read replicas, optimise slow queries",
    value: |cx| if cx.app < SATURATED { cx.db } else { 0.0 },
    fix: reads_fix,
};

/// Indexes, then a cache, then a longer TTL, then replicas (while reads dominate), then a bigger database — or,
/// at the largest size, more shards.
fn reads_fix(cx: &Ctx) -> Option<Fix> {
    let a = cx.a;
    let fix = if !a.db_indexes {
        Fix::AddIndexes
    } else if a.redis_nodes == 0 || a.cache_ttl_s <= 0.0 {
        Fix::AddCache
    } else if let Some(ttl) = (cx.summary.cache_hit_rate < super::CACHE_TARGET).then(|| cx.raise_ttl()).flatten() {
        ttl
    } else if a.replicas < 10 && cx.write_share < 0.5 {
        // Replicas of the primary's size take its reads: as many as carry them at the sizing target.
        let to = if a.replicas == 0 {
            ((cx.db_offered * (1.0 - cx.write_share) / SIZING_TARGET).ceil() as u32).max(1)
        } else {
            servers_for(a.replicas, cx.offered(Tier::Replica))
        };
        Fix::Replicas { to: to.min(10) }
    } else {
        cx.bigger_database()
    };
    if matches!(fix, Fix::BiggerDatabase { .. }) && cx.db_at_ceiling() {
        cx.more_shards()
    } else {
        Some(fix)
    }
}

/// Writes alone keep the primary busy.
pub(super) const WRITES: Check = Check {
    id: RowId::DbWrites,
    symptom: "Write latency grows with traffic",
    component: "Primary write throughput",
    metric: "Primary utilisation from writes",
    threshold: SATURATED * 0.5,
    trips: Trips::AtOrAbove,
    remedy: "Scale the primary up; then shard writes or move slow writes to a queue",
    value: |cx| cx.db * cx.write_share,
    fix: |cx| {
        if cx.a.jobs.share > 0.0 && !cx.a.jobs.queued {
            Some(Fix::AddQueue)
        } else if !cx.db_at_ceiling() && cx.a.db_size.vcpus < 32 {
            Some(cx.bigger_database())
        } else {
            cx.more_shards()
        }
    },
};

/// The replicas replay the primary's writes too slowly.
pub(super) const REPLICATION_LAG: Check = Check {
    id: RowId::ReplicationLag,
    symptom: "Users do not see their own writes",
    component: "Replica replay",
    metric: "Replication lag (ms)",
    threshold: LAG_ALERT_MS,
    trips: Trips::AtOrAbove,
    remedy: "Alert at 500 ms; read your own writes from the primary; cut write volume (queue, shard)",
    value: |cx| cx.summary.replication_lag_ms,
    fix: |cx| cx.more_shards(),
};

/// One shard takes far more than its share while the database is busy.
pub(super) const HOT_SHARD: Check = Check {
    id: RowId::HotShard,
    symptom: "One shard busy while the others idle",
    component: "Hot shard",
    metric: "Hottest shard's load over an even share",
    threshold: 1.5,
    trips: Trips::AtOrAbove,
    remedy: "Pick a shard key that spreads load; split the hot shard",
    value: |cx| {
        if cx.a.shards > 1 && cx.db >= 0.5 {
            cx.summary.shards as f64 * crate::model::Topology::hottest_shard_share(cx.scenario)
        } else {
            0.0
        }
    },
    fix: |cx| cx.more_shards(),
};

/// Without a pool, a busy database refuses connections.
pub(super) const POOL: Check = Check {
    id: RowId::Pool,
    symptom: "\"Too many connections\" errors",
    component: "Database connections",
    metric: "Error rate while the database is busy",
    threshold: 0.001,
    trips: Trips::AtOrAbove,
    remedy: "Pool connections (PgBouncer) so queries wait for a connection instead of failing",
    value: |cx| if !cx.a.resilience.db_pool && cx.db >= 0.5 { cx.summary.error_rate } else { 0.0 },
    fix: |cx| (!cx.a.resilience.db_pool).then_some(Fix::ConnectionPool),
};
