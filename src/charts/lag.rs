//! Replication-lag chart: lag over time against the 500 ms alert.
use sim_core::model::LAG_ALERT_MS;
use sim_core::report::Sample;

use super::{level, line, ChartSpec, Unit, BLUE};

/// The chart for `series` at `width` pixels.
pub fn spec(series: &[Sample], width: usize) -> ChartSpec {
    ChartSpec {
        title: "Replication lag",
        y_title: "Replication lag (ms)",
        unit: Unit::Ms,
        y_max: None,
        lines: vec![line(series, "lag", BLUE, width, |s| s.replication_lag_ms), level(series, "alert (500 ms)", LAG_ALERT_MS)],
    }
}
