//! Cost chart: the price of the running system per hour.
use sim_core::report::Sample;

use super::{line, ChartSpec, Unit, BLUE};

/// The chart for `series` at `width` pixels.
pub fn spec(series: &[Sample], width: usize) -> ChartSpec {
    ChartSpec {
        title: "Cost",
        y_title: "USD per hour",
        unit: Unit::UsdPerHour,
        y_max: None,
        lines: vec![line(series, "per hour", BLUE, width, |s| s.cost_usd_per_hour)],
    }
}
