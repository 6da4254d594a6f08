//! Latency chart: p50, p95 and p99 over time, with the steady-state p99 from theory as a dashed line.
use sim_core::report::{LatencyMs, Sample};

use super::{level, line, ChartSpec, Unit, BLUE, ORANGE, VERMILLION};

/// The chart for `series` at `width` pixels; `expected` is the steady-state latency at the current knobs.
pub fn spec(series: &[Sample], expected: &LatencyMs, width: usize) -> ChartSpec {
    ChartSpec {
        title: "Latency",
        y_title: "Latency (ms)",
        unit: Unit::Ms,
        y_max: None,
        lines: vec![
            line(series, "p50", BLUE, width, |s| s.latency_ms.p50),
            line(series, "p95", ORANGE, width, |s| s.latency_ms.p95),
            line(series, "p99", VERMILLION, width, |s| s.latency_ms.p99),
            level(series, "p99 expected (steady state)", expected.p99),
        ],
    }
}
