//! The symptom → bottleneck → metric → fix table, computed from a run's summary.
//!
//! Every row of seed 001's table is here, plus one for each component the model has. A row is live when its
//! metric crosses its threshold; live rows carry the value and the threshold, and a [`Fix`]: a concrete change to
//! the scenario that can be applied and simulated. Rows are ordered as seed 001 says to check the signals — app
//! CPU, then the database, then the cache, then the rest — so the first live row is where to act.
//!
//! The table is data. Each row is a `Check` (its texts, its threshold, how to read its metric and which fix to
//! offer), written as a constant in the file of its tier — `app`, `db`, `cache`, `edge`, `queue`, `services`,
//! `resilience`, `safety` — and `CHECKS` below lists them in the table's order. Adding a row means writing its `Check` and
//! naming it in that list; the figures several rows share live on `Ctx` (in `check`), the fixes in `fix`.
use serde::Serialize;

use crate::ids::{RowId, RowKind};
use crate::report::Summary;
use crate::scenario::Scenario;

mod app;
mod cache;
mod check;
mod db;
mod edge;
mod fix;
mod queue;
mod resilience;
mod safety;
mod services;

use check::{Check, Ctx};
pub use fix::Fix;

/// Utilisation past which a tier counts as saturated.
pub const SATURATED: f64 = 0.80;
/// Utilisation past which a tier counts as busy (the diagram's amber): where waste on it starts to matter.
pub const BUSY: f64 = 0.60;
/// Cache hit ratio below which the cache is not doing its job (seed 001: aim above 80 %).
pub const CACHE_TARGET: f64 = 0.80;

/// The table, in its order of checks: seed 001's rows first, then one per component.
static CHECKS: &[Check] = &[
    // Incidents: something is down right now, the widest first (a dark region takes its primaries with it).
    edge::REGION_DOWN,
    edge::LB_DOWN,
    db::DOWN,
    app::DEAD,
    queue::DOWNSTREAM_DOWN,
    // Seed 001's table.
    app::CPU,
    db::READS,
    db::WRITES,
    cache::MISS,
    safety::BATCH,
    app::PERIODIC,
    edge::DISTANCE,
    // Safety: data lost, doors left open, private pages shared.
    safety::DATA_LOSS,
    safety::POISONED,
    safety::EXPOSED,
    // Components.
    cache::HIT,
    cache::REDIS,
    db::REPLICATION_LAG,
    cache::STALE,
    app::SESSIONS,
    app::ASG_MAX,
    queue::SLOW_JOBS,
    queue::DEPTH,
    queue::DEAD_LETTERS,
    db::HOT_SHARD,
    services::FAN_OUT,
    services::BUSY,
    resilience::RETRY_STORM,
    resilience::RATE_LIMITED,
    db::POOL,
    edge::LB_SPOF,
    resilience::ERRORS,
    edge::STATIC,
];

/// One row of the table.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Row {
    /// Stable identifier.
    pub id: RowId,
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

/// All rows for `scenario` as run into `summary`.
pub fn diagnose(scenario: &Scenario, summary: &Summary) -> Vec<Row> {
    let cx = Ctx::new(scenario, summary);
    CHECKS.iter().map(|check| check.row(&cx)).collect()
}

/// The first live row that has a fix: where to act.
pub fn first_fix(rows: &[Row]) -> Option<&Row> {
    rows.iter().find(|r| r.live && r.fix.is_some())
}

/// Rows that mean something is down right now: while one is live it is the headline, fix or not — a dead
/// database, not the static files it stops, is what a class should be looking at.
pub const INCIDENTS: [RowId; 5] = [RowId::RegionDown, RowId::LbDown, RowId::DbDown, RowId::AppDown, RowId::DownstreamDown];

/// The row a page leads with, the bottleneck: a live outage, else the first live capacity row with a fix, else the
/// first live capacity row. Stale reads and unsafe set-ups are never the bottleneck: see [`warnings`].
pub fn headline(rows: &[Row]) -> Option<&Row> {
    let live = |kind: RowKind| rows.iter().filter(move |r| r.live && r.id.kind() == kind);
    live(RowKind::Outage).next().or_else(|| live(RowKind::Capacity).find(|r| r.fix.is_some())).or_else(|| live(RowKind::Capacity).next())
}

/// The live consistency and safety rows: warnings shown beside the bottleneck, in the table's order.
pub fn warnings(rows: &[Row]) -> impl Iterator<Item = &Row> {
    rows.iter().filter(|r| r.live && matches!(r.id.kind(), RowKind::Consistency | RowKind::Safety))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fluid::{run, FluidOptions};
    use crate::scenario::Sessions;

    fn rows(s: &Scenario) -> Vec<Row> {
        diagnose(s, &run(s, FluidOptions { dt: 1.0, sample_every: 10.0 }).summary)
    }

    #[test]
    fn every_seed_001_row_is_present() {
        let r = rows(&Scenario::stage(1));
        for id in [RowId::AppCpu, RowId::DbReads, RowId::DbWrites, RowId::CacheMiss, RowId::Batch, RowId::Distance] {
            assert!(r.iter().any(|row| row.id == id), "{id}");
        }
    }

    #[test]
    fn row_ids_are_unique() {
        for (i, check) in CHECKS.iter().enumerate() {
            assert!(CHECKS[..i].iter().all(|c| c.id != check.id), "{} twice", check.id);
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
        assert_eq!(first.id, RowId::AppCpu);
        assert!(first.value >= SATURATED);
    }

    #[test]
    fn stale_reads_are_a_warning_with_a_fix_never_the_bottleneck() {
        // A long TTL on write-heavy data: many cached reads are older than the last write.
        let s = crate::query::parse("v=1&stage=4&users=20000&rw=2&ttl=3600&keys=20000").scenario;
        let r = rows(&s);
        let stale = r.iter().find(|row| row.id == RowId::Stale).unwrap();
        assert!(stale.live, "{stale:?}");
        assert_eq!(stale.id.kind(), RowKind::Consistency);
        assert!(headline(&r).is_none_or(|h| h.id != RowId::Stale), "stale reads named as the bottleneck");
        assert!(warnings(&r).any(|w| w.id == RowId::Stale));
        let fix = stale.fix.expect("the stale row offers a fix");
        let after = rows(&fix.apply(&s));
        let again = after.iter().find(|row| row.id == RowId::Stale).unwrap();
        assert!(!again.live, "{fix:?} leaves stale reads at {:.3}", again.value);
    }

    #[test]
    fn an_outage_outranks_what_it_causes() {
        let mut s = Scenario::stage(3).with_users(5_000);
        s.faults = vec![crate::scenario::Fault { at_s: 10.0, kind: crate::scenario::FaultKind::KillDbPrimary }];
        s.duration_s = 60.0;
        let sample = run(&s, FluidOptions { dt: 1.0, sample_every: 10.0 }).series.last().cloned().unwrap();
        let r = diagnose(&s, &crate::fluid::summary_of(&crate::model::Topology::new(&s), &sample));
        let h = headline(&r).expect("a headline during the outage");
        assert_eq!(h.id.kind(), RowKind::Outage, "{h:?}");
    }

    /// The headline `at` seconds into `query` with `fault` at 60 s (the moment's summary, as the page reads it).
    fn headline_during(query: &str, fault: crate::scenario::FaultKind, at: f64) -> Option<(RowId, Option<Fix>)> {
        let mut s = crate::query::parse(query).scenario;
        s.faults = vec![crate::scenario::Fault { at_s: 60.0, kind: fault }];
        s.duration_s = 600.0;
        let series = run(&s, FluidOptions { dt: 1.0, sample_every: 1.0 }).series;
        let sample = series.iter().find(|p| p.t_s >= at).unwrap();
        let r = diagnose(&s, &crate::fluid::summary_of(&crate::model::Topology::new(&s), sample));
        headline(&r).map(|h| (h.id, h.fix))
    }

    #[test]
    fn the_headline_names_the_dead_load_balancer_or_dark_region_not_the_errors_they_cause() {
        use crate::scenario::FaultKind as F;
        // Every request fails while the lone load balancer is replaced: the cause, with the pair as its fix.
        assert_eq!(headline_during("v=1&stage=5&users=20000&lb_ha=0", F::KillLoadBalancer, 65.0), Some((RowId::LbDown, Some(Fix::LbPair))));
        assert_eq!(headline_during("v=1&stage=5&users=20000&lb_ha=1", F::KillLoadBalancer, 62.0).map(|h| h.0), Some(RowId::LbDown));
        // After the pair's takeover the row is quiet again.
        assert_ne!(headline_during("v=1&stage=5&users=20000&lb_ha=1", F::KillLoadBalancer, 70.0).map(|h| h.0), Some(RowId::LbDown));
        // A dark region takes its primaries with it: the region is the headline, not the database it holds.
        assert_eq!(headline_during("v=1&stage=11&users=100000", F::RegionOutage, 70.0).map(|h| h.0), Some(RowId::RegionDown));
        assert_eq!(headline_during("v=1&stage=11&users=100000", F::RegionOutage, 200.0).map(|h| h.0), Some(RowId::RegionDown));
        // The slow jobs' downstream service: named while it is down (jobs pile up behind the queue meanwhile),
        // with a breaker as the fix behind a queue and the queue itself as the fix for jobs run inline.
        let down = headline_during("v=1&stage=8&users=100000", F::DownstreamOutage, 120.0);
        assert_eq!(down, Some((RowId::DownstreamDown, Some(Fix::CircuitBreaker))));
        let inline = headline_during("v=1&stage=8&users=100000&queue=0", F::DownstreamOutage, 120.0);
        assert_eq!(inline, Some((RowId::DownstreamDown, Some(Fix::AddQueue))));
        assert_ne!(headline_during("v=1&stage=8&users=100000", F::DownstreamOutage, 400.0).map(|h| h.0), Some(RowId::DownstreamDown));
    }

    #[test]
    fn the_fan_out_row_offers_hedged_calls_and_they_clear_it() {
        let s = Scenario::stage(12);
        let r = rows(&s);
        let fan = r.iter().find(|row| row.id == RowId::FanOut).unwrap();
        assert!(fan.live && fan.fix == Some(Fix::HedgeCalls), "{fan:?}");
        let after = rows(&Fix::HedgeCalls.apply(&s));
        assert!(!after.iter().find(|row| row.id == RowId::FanOut).unwrap().live);
    }

    #[test]
    fn sticky_sessions_lost_to_a_dead_server_point_at_redis() {
        let mut s = Scenario::stage(5).with_users(5_000);
        s.arch.sessions = Sessions::Sticky;
        s.faults = vec![crate::scenario::Fault { at_s: 30.0, kind: crate::scenario::FaultKind::KillAppServer }];
        let r = rows(&s);
        let sessions = r.iter().find(|r| r.id == RowId::Sessions).unwrap();
        assert!(sessions.live && sessions.value > 1_000.0, "{sessions:?}");
        assert_eq!(sessions.fix, Some(Fix::SessionsToRedis));
    }
}
