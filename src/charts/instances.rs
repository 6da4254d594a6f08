//! Instances chart: app servers serving against the load, with the count the load needs at 60 % CPU.
use sim_core::report::Sample;

use super::{line, ChartSpec, Line, Unit, BLUE, GREY};

/// The chart for `series` at `width` pixels.
pub fn spec(series: &[Sample], width: usize) -> ChartSpec {
    let mut needed = line(series, "needed at 60 % CPU", GREY, width, |s| {
        let u = s.tiers.iter().find(|t| t.name == sim_core::ids::Tier::App).map_or(0.0, |t| t.utilization);
        (s.instances as f64 * u / 0.6).ceil()
    });
    needed.dashed = true;
    let lines: Vec<Line> = vec![line(series, "serving", BLUE, width, |s| s.instances as f64), needed];
    ChartSpec { title: "App instances against load", y_title: "Instances", unit: Unit::Count, y_max: None, lines }
}
