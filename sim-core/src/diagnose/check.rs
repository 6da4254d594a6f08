//! What a table row is made of: a [`Check`] (its texts, its threshold, how to read its metric and which fix to
//! offer) and the [`Ctx`] every check reads — the scenario, the run's summary and the figures several rows share.
use super::fix::{next_size, Fix};
use super::Row;
use crate::report::Summary;
use crate::scenario::{Architecture, Scenario};
use crate::traffic::Traffic;

/// One row of the table as data: symptom → bottleneck → metric → threshold → fix.
pub(super) struct Check {
    /// Stable identifier.
    pub(super) id: &'static str,
    /// What users and dashboards see.
    pub(super) symptom: &'static str,
    /// What is saturated.
    pub(super) component: &'static str,
    /// The metric to check.
    pub(super) metric: &'static str,
    /// The value past which the row is live.
    pub(super) threshold: f64,
    /// Which side of the threshold is live.
    pub(super) trips: Trips,
    /// The remedy, in words.
    pub(super) remedy: &'static str,
    /// The metric's current value.
    pub(super) value: fn(&Ctx) -> f64,
    /// The concrete change that applies the remedy here, if the model has one.
    pub(super) fix: fn(&Ctx) -> Option<Fix>,
}

/// Which side of its threshold makes a row live.
pub(super) enum Trips {
    /// Live when the value is at or above the threshold (a load, a lag, a rate).
    AtOrAbove,
    /// Live when the value is below the threshold (a hit ratio).
    Below,
}

impl Check {
    /// The row this check gives for `cx`.
    pub(super) fn row(&self, cx: &Ctx) -> Row {
        let value = (self.value)(cx);
        let live = match self.trips {
            Trips::AtOrAbove => value >= self.threshold,
            Trips::Below => value < self.threshold,
        };
        Row {
            id: self.id,
            symptom: self.symptom,
            component: self.component,
            metric: self.metric,
            value,
            threshold: self.threshold,
            live,
            remedy: self.remedy,
            fix: (self.fix)(cx),
        }
    }
}

/// What the checks read: a scenario, the summary of its run, and the figures more than one row needs.
pub(super) struct Ctx<'a> {
    /// The scenario that was run.
    pub(super) scenario: &'a Scenario,
    /// Its run's summary.
    pub(super) summary: &'a Summary,
    /// The scenario's architecture.
    pub(super) a: &'a Architecture,
    /// The scenario's traffic.
    pub(super) t: &'a Traffic,
    /// Whether the database shares the app server's box.
    pub(super) db_on_app: bool,
    /// App CPU utilisation.
    pub(super) app: f64,
    /// Database primary utilisation (the app server's when they share a box).
    pub(super) db: f64,
    /// Share of the primary's work that is writes.
    pub(super) write_share: f64,
}

impl<'a> Ctx<'a> {
    /// The context for `scenario` as run into `summary`.
    pub(super) fn new(scenario: &'a Scenario, summary: &'a Summary) -> Ctx<'a> {
        let a = &scenario.arch;
        let t = &scenario.traffic;
        let db_on_app = !a.db_separate;
        let index = if a.db_indexes { 1.0 } else { crate::model::NO_INDEX_FACTOR };
        let (db_read_s, db_write_s) = (a.work.db_read_ms / 1e3 * index, a.work.db_write_ms / 1e3 * index.sqrt());
        let app = util(summary, "app");
        let db = if db_on_app { app } else { util(summary, "db_primary") };
        let dynamic = t.peak_rps() * (1.0 - t.static_share);
        let writes = dynamic * t.write_fraction();
        let reads_to_db = (dynamic - writes) * (1.0 - summary.cache_hit_rate) * if a.replicas > 0 { 0.0 } else { 1.0 };
        let write_work = writes * db_write_s;
        let write_share = write_work / (write_work + reads_to_db * db_read_s).max(1e-12);
        Ctx { scenario, summary, a, t, db_on_app, app, db, write_share }
    }

    /// Utilisation of the hottest node of `tier` (0 when the run has no such tier).
    pub(super) fn util(&self, tier: &str) -> f64 {
        util(self.summary, tier)
    }

    /// Whether the database is already the largest size there is.
    pub(super) fn db_at_ceiling(&self) -> bool {
        next_size(self.a.db_size) == self.a.db_size
    }

    /// Twice the shards (at most 64), unless the database already has 64.
    pub(super) fn more_shards(&self) -> Option<Fix> {
        (self.a.shards < 64).then_some(Fix::Shards { to: (self.a.shards * 2).min(64) })
    }

    /// Five times the cache TTL (at most an hour), when there is a TTL below an hour to raise.
    pub(super) fn raise_ttl(&self) -> Option<Fix> {
        (self.a.cache_ttl_s > 0.0 && self.a.cache_ttl_s < 3_600.0).then_some(Fix::RaiseTtl { to: (self.a.cache_ttl_s * 5.0).min(3_600.0) })
    }
}

fn util(summary: &Summary, tier: &str) -> f64 {
    summary.utilization.get(tier).copied().unwrap_or(0.0)
}

/// App servers needed to bring utilisation `u` on `n` servers down to 60 %.
pub(super) fn servers_for(n: u32, u: f64) -> u32 {
    ((n as f64 * u / 0.6).ceil() as u32).max(n + 1).min(1_000)
}
