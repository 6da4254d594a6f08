//! Utilisation chart: the busiest node of each tier over time, with the saturation threshold.
use sim_core::ids::Tier;
use sim_core::report::Sample;

use super::{level, line, palette, ChartSpec, Unit};

/// The chart for `series` at `width` pixels.
pub fn spec(series: &[Sample], width: usize) -> ChartSpec {
    // One colour per tier: the palette has one for each of the seven.
    let colors = palette::SERIES;
    let names: Vec<Tier> = series.last().map(|s| s.tiers.iter().map(|t| t.name).collect()).unwrap_or_default();
    let mut lines: Vec<_> = names
        .iter()
        .enumerate()
        .map(|(i, name)| {
            line(series, &name.name().replace('_', " "), colors[i % colors.len()], width, |s| {
                s.tiers.iter().find(|t| t.name == *name).map_or(0.0, |t| t.utilization)
            })
        })
        .collect();
    lines.push(level(series, "saturated (80 %)", sim_core::diagnose::SATURATED));
    ChartSpec { title: "Utilisation per tier", y_title: "Utilisation (%)", unit: Unit::Fraction, y_max: Some(1.0), lines }
}
