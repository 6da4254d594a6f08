//! Throughput chart: requests offered, answered and failed per second.
use sim_core::report::Sample;

use super::{line, ChartSpec, Unit, BLUE, GREEN, VERMILLION};

/// The chart for `series` at `width` pixels.
pub fn spec(series: &[Sample], width: usize) -> ChartSpec {
    ChartSpec {
        title: "Throughput and errors",
        y_title: "Requests per second",
        unit: Unit::Rps,
        y_max: None,
        lines: vec![
            line(series, "offered", BLUE, width, |s| s.offered_rps),
            line(series, "answered", GREEN, width, |s| s.served_rps),
            line(series, "failed", VERMILLION, width, |s| s.error_rps),
        ],
    }
}
