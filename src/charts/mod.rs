//! Charts: each file turns run data into a [`ChartSpec`] with a pure function; [`draw`] paints any spec on a
//! canvas with plotters. Specs keep about one point per horizontal pixel (plotters-canvas makes one canvas call
//! per point).
pub mod cache;
pub mod cost;
pub mod instances;
pub mod lag;
pub mod latency;
pub mod throughput;
pub mod utilization;

use plotters::prelude::*;
use plotters_canvas::CanvasBackend;
use sim_core::report::Sample;
use web_sys::HtmlCanvasElement;

/// How a chart's values are written on its axis and in its table.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Unit {
    /// Milliseconds.
    Ms,
    /// Requests per second.
    Rps,
    /// A fraction shown as a percentage.
    Fraction,
    /// A plain count.
    Count,
    /// US dollars per hour.
    UsdPerHour,
}

impl Unit {
    /// Formats a value.
    pub fn fmt(self, v: f64) -> String {
        match self {
            Unit::Ms => crate::format::ms(v),
            Unit::Rps => crate::format::rps(v),
            Unit::Fraction => crate::format::pct(v),
            Unit::Count => crate::format::count(v),
            Unit::UsdPerHour => format!("{}/h", crate::format::usd(v)),
        }
    }
}

/// One line of a chart.
#[derive(Clone, Debug, PartialEq)]
pub struct Line {
    /// Legend label.
    pub label: String,
    /// Colour as RGB.
    pub color: (u8, u8, u8),
    /// Dashed lines are expectations from theory or thresholds.
    pub dashed: bool,
    /// (simulated second, value) points.
    pub points: Vec<(f64, f64)>,
}

/// Everything needed to draw a chart and its text alternative.
#[derive(Clone, Debug, PartialEq)]
pub struct ChartSpec {
    /// Title.
    pub title: &'static str,
    /// Unit of the y axis.
    pub unit: Unit,
    /// Fixed top of the y axis (fractions: 1).
    pub y_max: Option<f64>,
    /// Lines.
    pub lines: Vec<Line>,
}

/// Colours used across charts (readable on light and dark backgrounds).
pub const BLUE: (u8, u8, u8) = (47, 129, 247);
/// Orange.
pub const ORANGE: (u8, u8, u8) = (230, 126, 34);
/// Red.
pub const RED: (u8, u8, u8) = (218, 54, 51);
/// Green.
pub const GREEN: (u8, u8, u8) = (46, 160, 67);
/// Purple.
pub const PURPLE: (u8, u8, u8) = (163, 113, 247);
/// Teal.
pub const TEAL: (u8, u8, u8) = (27, 156, 158);
/// Brown.
pub const BROWN: (u8, u8, u8) = (156, 102, 31);
/// Pink.
pub const PINK: (u8, u8, u8) = (214, 51, 132);
/// Grey, for theory and thresholds.
pub const GREY: (u8, u8, u8) = (139, 148, 158);

/// Keeps at most `width` points, taking the largest value in each bucket so peaks stay visible.
pub fn decimate(points: &[(f64, f64)], width: usize) -> Vec<(f64, f64)> {
    let width = width.max(2);
    if points.len() <= width {
        return points.to_vec();
    }
    let per = points.len() as f64 / width as f64;
    (0..width)
        .filter_map(|b| {
            let lo = (b as f64 * per) as usize;
            let hi = (((b + 1) as f64 * per) as usize).min(points.len());
            points[lo..hi].iter().copied().max_by(|a, b| a.1.total_cmp(&b.1))
        })
        .collect()
}

/// A line of one sample field over the series.
pub fn line(series: &[Sample], label: &str, color: (u8, u8, u8), width: usize, f: impl Fn(&Sample) -> f64) -> Line {
    let points: Vec<(f64, f64)> = series.iter().map(|s| (s.t_s, f(s))).filter(|p| p.1.is_finite()).collect();
    Line { label: label.to_owned(), color, dashed: false, points: decimate(&points, width) }
}

/// A flat dashed line at `value` across the series' time span.
pub fn level(series: &[Sample], label: &str, value: f64) -> Line {
    let end = series.last().map_or(1.0, |s| s.t_s);
    let start = series.first().map_or(0.0, |s| s.t_s);
    Line { label: label.to_owned(), color: GREY, dashed: true, points: vec![(start, value), (end, value)] }
}

/// `b` (the page's scenario) with scenario A's lines of the same chart drawn over it, dashed in the same
/// colours and labelled "A · …"; A's own dashed reference lines are left out. `b` unchanged without A.
pub fn overlay(mut b: ChartSpec, a: Option<ChartSpec>) -> ChartSpec {
    if let Some(a) = a {
        for l in a.lines.into_iter().filter(|l| !l.dashed) {
            b.lines.push(Line { label: format!("A · {}", l.label), dashed: true, ..l });
        }
    }
    b
}

/// Up to `rows` evenly spaced rows of (time, value per line) for the chart's table alternative.
pub fn table(spec: &ChartSpec, rows: usize) -> Vec<(f64, Vec<String>)> {
    let Some(first) = spec.lines.iter().find(|l| !l.dashed && !l.points.is_empty()) else {
        return Vec::new();
    };
    let n = first.points.len();
    let step = (n as f64 / rows.max(1) as f64).max(1.0);
    let mut out = Vec::new();
    let mut i = 0.0;
    while (i as usize) < n {
        let t = first.points[i as usize].0;
        let values = spec
            .lines
            .iter()
            .map(|l| {
                let j = l.points.partition_point(|p| p.0 < t).min(l.points.len().saturating_sub(1));
                l.points.get(j).map_or("—".to_owned(), |p| spec.unit.fmt(p.1))
            })
            .collect();
        out.push((t, values));
        i += step;
    }
    out
}

/// Formats simulated seconds for an axis: `90 s`, `15 min`, `6 h`.
pub fn fmt_time(t: f64) -> String {
    if t >= 3_600.0 {
        format!("{:.0} h", t / 3_600.0)
    } else if t >= 120.0 {
        format!("{:.0} min", t / 60.0)
    } else {
        format!("{t:.0} s")
    }
}

/// The unit a time axis from `x_min` to `x_max` seconds is drawn in — seconds, minutes or hours, as (seconds
/// per unit, suffix) — so plotters' round ticks fall on round times ("2 min", "4 min"; "6 h", "12 h") rather
/// than on round numbers of seconds ("17 min", "33 min").
pub fn time_unit(x_min: f64, x_max: f64) -> (f64, &'static str) {
    let span = x_max - x_min;
    if span >= 4.0 * 3_600.0 {
        (3_600.0, "h")
    } else if span >= 240.0 {
        (60.0, "min")
    } else {
        (1.0, "s")
    }
}

/// Whether a count axis should label `y`: only whole numbers, so an axis of instances never repeats a label.
pub fn labels_count(y: f64) -> bool {
    (y - y.round()).abs() < 1e-9
}

/// Paints `spec` on `canvas` with a dashed line at each of `marks` (fault times), sized `width` × `height` CSS pixels, in the page's theme, at `scale` device pixels
/// per CSS pixel (so it is sharp on high-density screens). The caller measures the canvas (reading its size
/// after DOM changes would force a layout on every draw).
pub fn draw(
    canvas: HtmlCanvasElement,
    spec: &ChartSpec,
    marks: &[f64],
    dark: bool,
    width: u32,
    height: u32,
    scale: f64,
) -> Result<(), String> {
    let scale = if scale.is_finite() { scale.clamp(1.0, 3.0) } else { 1.0 };
    let px = |v: f64| (v * scale).round() as u32;
    let (width, height) = (px(width.max(200) as f64), px(height.max(120) as f64));
    if canvas.width() != width || canvas.height() != height {
        canvas.set_width(width);
        canvas.set_height(height);
    }
    let backend = CanvasBackend::with_canvas_object(canvas).ok_or("canvas has no 2d context")?;
    let root = backend.into_drawing_area();
    let (bg, fg, grid) = if dark {
        (RGBColor(22, 27, 34), RGBColor(201, 209, 217), RGBColor(48, 54, 61))
    } else {
        (WHITE, RGBColor(36, 41, 47), RGBColor(216, 222, 228))
    };
    root.fill(&bg).map_err(|e| e.to_string())?;
    let x_min = spec.lines.iter().filter_map(|l| l.points.first()).map(|p| p.0).fold(f64::INFINITY, f64::min);
    let x_max = spec.lines.iter().filter_map(|l| l.points.last()).map(|p| p.0).fold(0.0, f64::max);
    let (x_min, x_max) = if x_min.is_finite() && x_max > x_min { (x_min, x_max) } else { (0.0, 1.0) };
    let data_max = spec.lines.iter().flat_map(|l| l.points.iter().map(|p| p.1)).fold(0.0, f64::max);
    let y_max = spec.y_max.unwrap_or((data_max * 1.15).max(1e-6));
    // Counts get whole-number headroom so their ticks are whole.
    let y_max = if spec.unit == Unit::Count { y_max.max(1.0).ceil() } else { y_max };
    let unit = spec.unit;
    let font = (FontFamily::SansSerif, 12.0 * scale).into_font().color(&fg);
    // Time runs in the axis's own unit; whole-number axes ask for no more ticks than there are whole numbers.
    let (per, suffix) = time_unit(x_min, x_max);
    let y_labels = if unit == Unit::Count { (y_max.floor() as usize + 1).clamp(2, 6) } else { 6 };
    let mut chart = ChartBuilder::on(&root)
        .margin(px(8.0))
        .margin_right(px(28.0))
        .x_label_area_size(px(38.0))
        .y_label_area_size(px(78.0))
        .build_cartesian_2d(x_min / per..x_max / per, 0.0..y_max)
        .map_err(|e| e.to_string())?;
    chart
        .configure_mesh()
        .max_light_lines(0)
        .bold_line_style(grid.stroke_width(px(1.0)))
        .axis_style(fg.stroke_width(px(1.0)))
        .label_style(font.clone())
        .axis_desc_style(font)
        .x_desc("simulated time")
        .x_labels(7)
        .y_labels(y_labels)
        .x_label_formatter(&|x| format!("{} {suffix}", crate::format::trim(*x)))
        .y_label_formatter(&|y| if unit == Unit::Count && !labels_count(*y) { String::new() } else { unit.fmt(*y) })
        .draw()
        .map_err(|e| e.to_string())?;
    // Each fault: a dashed vertical line where it happens.
    let fault = ShapeStyle { color: RGBColor(RED.0, RED.1, RED.2).mix(0.7), filled: false, stroke_width: px(1.0) };
    for &t in marks.iter().filter(|&&t| t >= x_min && t <= x_max) {
        chart.draw_series(DashedLineSeries::new([(t / per, 0.0), (t / per, y_max)], px(4.0), px(3.0), fault)).map_err(|e| e.to_string())?;
    }
    for l in &spec.lines {
        let style = ShapeStyle { color: RGBColor(l.color.0, l.color.1, l.color.2).to_rgba(), filled: false, stroke_width: px(2.0) };
        let points = l.points.iter().map(|&(x, y)| (x / per, y.min(y_max)));
        if l.dashed {
            chart.draw_series(DashedLineSeries::new(points, px(6.0), px(4.0), style)).map_err(|e| e.to_string())?;
        } else {
            chart.draw_series(LineSeries::new(points, style)).map_err(|e| e.to_string())?;
        }
    }
    root.present().map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimation_keeps_peaks_and_width() {
        let points: Vec<(f64, f64)> = (0..10_000).map(|i| (i as f64, if i == 5_123 { 99.0 } else { 1.0 })).collect();
        let d = decimate(&points, 500);
        assert_eq!(d.len(), 500);
        assert!(d.iter().any(|p| p.1 == 99.0), "the spike survives");
        assert_eq!(decimate(&points[..10], 500).len(), 10);
    }

    #[test]
    fn time_axes_run_in_minutes_or_hours_and_counts_label_whole_numbers() {
        assert_eq!(time_unit(0.0, 60.0), (1.0, "s"));
        assert_eq!(time_unit(0.0, 300.0), (60.0, "min"));
        assert_eq!(time_unit(0.0, 86_400.0), (3_600.0, "h"));
        assert!(labels_count(3.0) && !labels_count(2.5));
    }

    #[test]
    fn a_comparison_draws_a_dashed_in_the_same_colours() {
        let line = |label: &str, dashed| Line { label: label.into(), color: BLUE, dashed, points: vec![(0.0, 1.0)] };
        let b = ChartSpec { title: "Latency", unit: Unit::Ms, y_max: None, lines: vec![line("p50", false), line("expected", true)] };
        assert_eq!(overlay(b.clone(), None), b);
        let both = overlay(b.clone(), Some(b.clone()));
        assert_eq!(both.lines.len(), 3);
        assert_eq!((both.lines[2].label.as_str(), both.lines[2].dashed, both.lines[2].color), ("A · p50", true, BLUE));
    }

    #[test]
    fn time_axis_reads_in_natural_units() {
        assert_eq!(fmt_time(30.0), "30 s");
        assert_eq!(fmt_time(900.0), "15 min");
        assert_eq!(fmt_time(21_600.0), "6 h");
    }
}
