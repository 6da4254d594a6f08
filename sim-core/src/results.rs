//! What `scalesim run --json` prints and the page's "Results (JSON)" download holds, built in one place so the
//! two can be compared byte for byte: a run's summary with the bottleneck table's live rows beside it.
use serde::Serialize;

use crate::diagnose::{diagnose, Fix, Row};
use crate::fluid::{self, FluidOptions};
use crate::ids::{RowId, RowKind};
use crate::report::Summary;
use crate::scenario::Scenario;

/// The aggregate engine's options for a whole run, as the CLI and the page's download use them.
pub const FLUID: FluidOptions = FluidOptions { dt: 1.0, sample_every: 10.0 };

/// A live row of the bottleneck table, as the results list it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LiveRow {
    /// The row.
    pub id: RowId,
    /// Outage, capacity (a bottleneck), consistency or safety.
    pub kind: RowKind,
    /// What users see.
    pub symptom: &'static str,
    /// What is saturated.
    pub component: &'static str,
    /// The metric checked.
    pub metric: &'static str,
    /// Its value.
    pub value: f64,
    /// The value past which the row is live.
    pub threshold: f64,
    /// The fix in words: the concrete change's label, or the remedy when the model has no change for it.
    pub fix: String,
    /// The concrete change, if any.
    pub change: Option<Fix>,
}

/// A run's results: every summary figure, then `bottlenecks`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Results {
    /// The summary, its fields at the top level.
    #[serde(flatten)]
    pub summary: Summary,
    /// The live rows, in the table's order.
    pub bottlenecks: Vec<LiveRow>,
}

/// The results of `summary`, a run of `scenario`.
pub fn of(scenario: &Scenario, summary: Summary) -> Results {
    let bottlenecks = live(&diagnose(scenario, &summary));
    Results { summary, bottlenecks }
}

/// The live rows among `rows`.
pub fn live(rows: &[Row]) -> Vec<LiveRow> {
    rows.iter()
        .filter(|r| r.live)
        .map(|r| LiveRow {
            id: r.id,
            kind: r.id.kind(),
            symptom: r.symptom,
            component: r.component,
            metric: r.metric,
            value: r.value,
            threshold: r.threshold,
            fix: r.fix.map(|f| f.label()).unwrap_or_else(|| r.remedy.to_owned()),
            change: r.fix,
        })
        .collect()
}

/// The aggregate engine's whole run of `scenario` and its results: what `scalesim run --json` prints by default.
pub fn fluid(scenario: &Scenario) -> Results {
    of(scenario, fluid::run(scenario, FLUID).summary)
}
