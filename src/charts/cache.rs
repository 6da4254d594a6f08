//! Cache chart: query-cache and CDN hit ratios over time, with the TTL formula's steady-state hit ratio.
use sim_core::report::Sample;

use super::{level, line, ChartSpec, Unit, BLUE, GREEN};

/// The chart for `series` at `width` pixels; `expected` is the TTL formula's hit ratio at the current load.
pub fn spec(series: &[Sample], expected: f64, width: usize) -> ChartSpec {
    ChartSpec {
        title: "Cache hit ratio",
        y_title: "Hit ratio (%)",
        unit: Unit::Fraction,
        y_max: Some(1.0),
        lines: vec![
            line(series, "query cache", BLUE, width, |s| s.cache_hit_rate),
            line(series, "CDN", GREEN, width, |s| s.cdn_hit_rate),
            level(series, "TTL formula (steady state)", expected),
        ],
    }
}
