//! What a table row is made of: a [`Check`] (its texts, its threshold, how to read its metric and which fix to
//! offer) and the [`Ctx`] every check reads — the scenario, the run's summary and the figures several rows share.
use super::fix::{next_size, Fix};
use super::Row;
use crate::ids::{RowId, Tier};
use crate::report::Summary;
use crate::scenario::{Architecture, Scenario};
use crate::traffic::Traffic;

/// One row of the table as data: symptom → bottleneck → metric → threshold → fix.
pub(super) struct Check {
    /// Stable identifier.
    pub(super) id: RowId,
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
    /// App demand over capacity (past 1 when saturated): what app-tier fixes size themselves from.
    pub(super) app_offered: f64,
    /// Database primary demand over capacity (the app server's when they share a box).
    pub(super) db_offered: f64,
    /// The key popularity, built the first time a row's fix needs it (the TTL fixes, the Redis sizing) and then
    /// shared: building it sums about 1,500 terms.
    keys: std::cell::OnceCell<crate::cache::Popularity>,
}

impl<'a> Ctx<'a> {
    /// The context for `scenario` as run into `summary`.
    pub(super) fn new(scenario: &'a Scenario, summary: &'a Summary) -> Ctx<'a> {
        let a = &scenario.arch;
        let t = &scenario.traffic;
        let db_on_app = !a.db_separate;
        let index = if a.db_indexes { 1.0 } else { crate::model::NO_INDEX_FACTOR };
        let (db_read_s, db_write_s) = (a.work.db_read_ms / 1e3 * index, a.work.db_write_ms / 1e3 * index.sqrt());
        let app = util(summary, Tier::App);
        let db = if db_on_app { app } else { util(summary, Tier::DbPrimary) };
        let dynamic = t.peak_rps() * (1.0 - t.static_share);
        let writes = dynamic * t.write_fraction();
        let reads_to_db = (dynamic - writes) * (1.0 - summary.cache_hit_rate) * if a.replicas > 0 { 0.0 } else { 1.0 };
        let write_work = writes * db_write_s;
        let write_share = write_work / (write_work + reads_to_db * db_read_s).max(1e-12);
        let app_offered = offered(summary, Tier::App);
        let db_offered = if db_on_app { app_offered } else { offered(summary, Tier::DbPrimary) };
        Ctx { scenario, summary, a, t, db_on_app, app, db, write_share, app_offered, db_offered, keys: Default::default() }
    }

    /// Utilisation of the hottest node of `tier` (0 when the run has no such tier).
    pub(super) fn util(&self, tier: Tier) -> f64 {
        util(self.summary, tier)
    }

    /// The scenario's key popularity (Zipf over its key count).
    pub(super) fn keys(&self) -> &crate::cache::Popularity {
        self.keys.get_or_init(|| crate::cache::Popularity::new(self.t.zipf_alpha, self.t.key_count()))
    }

    /// Offered utilisation of the most loaded node of `tier` (0 when the run has no such tier).
    pub(super) fn offered(&self, tier: Tier) -> f64 {
        offered(self.summary, tier)
    }

    /// Whether the database is already the largest size there is.
    pub(super) fn db_at_ceiling(&self) -> bool {
        next_size(self.a.db_size) == self.a.db_size
    }

    /// Enough shards (at most 64) for the hottest one to run at [`SIZING_TARGET`], unless there are already 64.
    pub(super) fn more_shards(&self) -> Option<Fix> {
        (self.a.shards < 64).then(|| Fix::Shards { to: servers_for(self.a.shards.max(1), self.db_offered).min(64) })
    }

    /// The database a size up, sized to its demand.
    pub(super) fn bigger_database(&self) -> Fix {
        Fix::BiggerDatabase { vcpus: vcpus_for(self.a.db_size, self.db_offered) }
    }

    /// The TTL that lifts the hit ratio from today's to [`TTL_AIM`] (at most an hour), when there is a TTL below
    /// an hour to raise. The hit ratio depends on the read rate times the TTL alone (see [`crate::cache`]), so the
    /// TTL scales by the ratio of the two products; rounded up to a whole minute, and at least 1.5 times today's.
    pub(super) fn raise_ttl(&self) -> Option<Fix> {
        let ttl = self.a.cache_ttl_s;
        if !(ttl > 0.0 && ttl < 3_600.0) {
            return None;
        }
        let hit = self.summary.cache_hit_rate;
        let to = if hit > 0.0 && hit < TTL_AIM {
            let keys = self.keys();
            ttl * keys.reads_per_ttl(TTL_AIM) / keys.reads_per_ttl(hit)
        } else {
            ttl * 5.0
        };
        let to = ((to.max(ttl * 1.5) / 60.0).ceil() * 60.0).min(3_600.0);
        Some(Fix::RaiseTtl { to })
    }
}

fn util(summary: &Summary, tier: Tier) -> f64 {
    summary.utilization.get(&tier).copied().unwrap_or(0.0)
}

/// Offered utilisation, falling back to the busy share for a summary that does not carry it.
fn offered(summary: &Summary, tier: Tier) -> f64 {
    summary.offered_utilization.get(&tier).copied().unwrap_or_else(|| util(summary, tier))
}

/// Hit ratio a TTL raise aims for: a margin above [`super::CACHE_TARGET`], so one raise clears the row.
pub(super) const TTL_AIM: f64 = super::CACHE_TARGET + 0.05;

/// Busy share a capacity fix aims for: room for the next spike, not so much that the fleet idles.
pub(super) const SIZING_TARGET: f64 = 0.65;

/// vCPUs a box of `size` needs to carry offered utilisation `offered` at [`SIZING_TARGET`] (at least one more
/// than it has, so the fix always moves up a size).
pub(super) fn vcpus_for(size: crate::instance::InstanceSize, offered: f64) -> u32 {
    ((size.vcpus as f64 * offered.min(1e6) / SIZING_TARGET).ceil() as u32).max(size.vcpus + 1)
}

/// Nodes needed to carry offered utilisation `offered` (demand over the capacity of one of `n` nodes, which can
/// exceed 1) at [`SIZING_TARGET`]: at least one more than today, at most 1,000.
pub(super) fn servers_for(n: u32, offered: f64) -> u32 {
    ((n as f64 * offered.min(1e6) / SIZING_TARGET).ceil() as u32).max(n + 1).min(1_000)
}
