//! Charts: each file turns run data into a [`ChartSpec`] with a pure function; [`draw`] paints any spec on a
//! canvas with plotters. Specs keep about one point per horizontal pixel (plotters-canvas makes one canvas call
//! per point). `waterfall` lays out one traced request's hops, which the trace panel draws as SVG.
pub mod axis;
pub mod cache;
pub mod cost;
pub mod instances;
pub mod lag;
pub mod latency;
pub mod palette;
pub mod throughput;
pub mod utilization;
pub mod waterfall;

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters_canvas::CanvasBackend;
use sim_core::report::Sample;
use web_sys::HtmlCanvasElement;

pub use axis::Axis;
pub use palette::{Rgb, BLUE, GREEN, GREY, ORANGE, PURPLE, SKY, VERMILLION, YELLOW};

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
    pub color: Rgb,
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
    /// Title of the value axis, with its unit ("Latency (ms)").
    pub y_title: &'static str,
    /// Unit of the values (their table and description).
    pub unit: Unit,
    /// Fixed top of the y axis (fractions: 1).
    pub y_max: Option<f64>,
    /// Lines.
    pub lines: Vec<Line>,
}

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
pub fn line(series: &[Sample], label: &str, color: Rgb, width: usize, f: impl Fn(&Sample) -> f64) -> Line {
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

/// Formats simulated seconds for the data table: `90 s`, `15 min`, `6 h`.
pub fn fmt_time(t: f64) -> String {
    if t >= 3_600.0 {
        format!("{} h", crate::format::trim(t / 3_600.0))
    } else if t >= 120.0 {
        format!("{} min", crate::format::trim(t / 60.0))
    } else {
        format!("{t:.0} s")
    }
}

/// Something that happened at a moment of the run, marked on the time axis.
#[derive(Clone, Debug, PartialEq)]
pub struct Mark {
    /// Simulated second.
    pub t: f64,
    /// What happened ("app server killed"), the flag's label on the chart.
    pub name: String,
    /// What happened and when, in words ("app server killed at 2 min 00 s").
    pub label: String,
    /// A scheduled fault (a dashed line across the plot), or something it set off (a tick on the time axis).
    pub fault: bool,
}

/// Font size of tick labels and axis titles, in CSS pixels.
const FONT_PX: f64 = 12.0;

/// Where everything goes on a chart `width` CSS pixels wide, whose time axis spans `x_range` seconds (the run).
#[derive(Clone, Debug, PartialEq)]
pub struct Layout {
    /// The time axis, in seconds.
    pub x: Axis,
    /// Its title, with its unit.
    pub x_title: String,
    /// Seconds per unit of the time axis.
    pub x_per: f64,
    /// The value axis, in the unit its labels are written in (percent for fractions).
    pub y: Axis,
    /// Value-axis units per spec value (100 for fractions).
    pub y_scale: f64,
    /// Width of the value axis's labels and title, CSS pixels.
    pub y_area: f64,
    /// Margin right of the plot, wide enough for half the last time label, CSS pixels.
    pub right: f64,
}

/// Lays out `spec` on a chart `width` CSS pixels wide over `x_range` simulated seconds (widened to the data).
pub fn layout(spec: &ChartSpec, x_range: (f64, f64), width: f64) -> Layout {
    let x_min = spec.lines.iter().filter_map(|l| l.points.first()).map(|p| p.0).fold(x_range.0, f64::min);
    let x_max = spec.lines.iter().filter_map(|l| l.points.last()).map(|p| p.0).fold(x_range.1, f64::max);
    let y_scale = if spec.unit == Unit::Fraction { 100.0 } else { 1.0 };
    let data_max = spec.lines.iter().flat_map(|l| l.points.iter().map(|p| p.1)).filter(|v| v.is_finite()).fold(0.0, f64::max);
    let y = axis::value_axis(data_max * y_scale, spec.y_max.map(|m| m * y_scale), spec.unit == Unit::Count, 6);
    let widest = y.labels.iter().map(|l| axis::text_width(l, FONT_PX)).fold(0.0, f64::max);
    // Labels, a gap, and the rotated title.
    let y_area = (widest + 10.0 + FONT_PX * 1.6).ceil();
    // As many time ticks as fit (up to 8), at least 40 CSS pixels apart and with room between their labels.
    let plot = (width - y_area - 24.0).max(100.0);
    let fits = |a: &Axis| {
        let widest = a.labels.iter().map(|l| axis::text_width(l, FONT_PX)).fold(0.0, f64::max);
        plot / (a.ticks.len().max(2) - 1) as f64 >= (widest + 16.0).max(40.0)
    };
    let (x, x_title) = (3..=8)
        .rev()
        .map(|n| axis::time_axis(x_min.min(x_max), x_max, n))
        .find(|(a, _)| fits(a))
        .unwrap_or_else(|| axis::time_axis(x_min.min(x_max), x_max, 2));
    let (x_per, _) = axis::time_unit(x.max - x.min);
    let last = x.labels.last().map_or(0.0, |l| axis::text_width(l, FONT_PX));
    let right = (last / 2.0 + 6.0).max(12.0).ceil();
    Layout { x, x_title, x_per, y, y_scale, y_area, right }
}

/// Where a chart's plot sits on its canvas, in CSS pixels, and the seconds its edges stand for: what the page
/// needs to put the playback cursor over the right moment without redrawing the chart.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Plot {
    /// Left edge of the plot.
    pub left: f64,
    /// Right edge.
    pub right: f64,
    /// Top edge.
    pub top: f64,
    /// Bottom edge.
    pub bottom: f64,
    /// Simulated second at the left edge.
    pub t0: f64,
    /// Simulated second at the right edge.
    pub t1: f64,
}

impl Plot {
    /// The x position of simulated second `t`, if it is on the plot.
    pub fn x_at(&self, t: f64) -> Option<f64> {
        (self.t1 > self.t0 && t >= self.t0 && t <= self.t1)
            .then(|| self.left + (t - self.t0) / (self.t1 - self.t0) * (self.right - self.left))
    }
}

/// The chart in words, for its accessible name: what it shows against what, over how long, the latest values
/// and every marked fault (and the first few things they set off).
pub fn describe(spec: &ChartSpec, x_range: (f64, f64), marks: &[Mark]) -> String {
    let latest: Vec<String> = spec
        .lines
        .iter()
        .filter(|l| !l.dashed)
        .filter_map(|l| l.points.last().map(|p| format!("{} {}", l.label, spec.unit.fmt(p.1))))
        .collect();
    let mut out = format!("{}: {} over {} of simulated time", spec.title, spec.y_title, fmt_time(x_range.1 - x_range.0));
    if !latest.is_empty() {
        out += &format!("; latest {}", latest.join(", "));
    }
    let faults: Vec<&str> = marks.iter().filter(|m| m.fault).map(|m| m.label.as_str()).collect();
    if !faults.is_empty() {
        out += &format!(". Fault{} marked: {}", if faults.len() == 1 { "" } else { "s" }, faults.join("; "));
        const SHOWN: usize = 4;
        let events: Vec<&str> = marks.iter().filter(|m| !m.fault).map(|m| m.label.as_str()).collect();
        if !events.is_empty() {
            out += &format!(". Then: {}", events.iter().take(SHOWN).copied().collect::<Vec<_>>().join("; "));
            if events.len() > SHOWN {
                out += &format!(" and {} more events", events.len() - SHOWN);
            }
        }
    }
    out + "."
}

/// Where each fault's name goes beside its line, given the lines' x positions (ascending) and the names' widths,
/// on a plot from `left` to `right`: `Some(true)` to the right of the line when it fits before the next line and
/// the plot's edge, `Some(false)` to the left when it fits after the previous line (and its name), `None` when
/// neither does (the fault is still in the chart's accessible name and the data table's time range).
pub fn label_sides(xs: &[f64], widths: &[f64], left: f64, right: f64) -> Vec<Option<bool>> {
    const GAP: f64 = 5.0;
    let mut sides: Vec<Option<bool>> = Vec::with_capacity(xs.len());
    for (i, (&x, &w)) in xs.iter().zip(widths).enumerate() {
        let next = xs.get(i + 1).copied().unwrap_or(right);
        // Where the previous name ends (or its line, when it has none or it is on its left).
        let prev = match i.checked_sub(1) {
            Some(j) if sides[j] == Some(true) => xs[j] + GAP + widths[j],
            Some(j) => xs[j],
            None => left,
        };
        sides.push(if x + GAP + w <= next.min(right) - GAP {
            Some(true)
        } else if x - GAP - w >= prev + GAP {
            Some(false)
        } else {
            None
        });
    }
    sides
}

/// A linear f64 axis with ticks exactly at the given values (plotters' own `with_key_points` leaves f64 axes
/// without a label formatter).
struct Ticked {
    range: plotters::coord::types::RangedCoordf64,
    ticks: Vec<f64>,
}

impl plotters::coord::ranged1d::Ranged for Ticked {
    type FormatOption = plotters::coord::ranged1d::DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        self.range.map(value, limit)
    }

    fn key_points<H: plotters::coord::ranged1d::KeyPointHint>(&self, hint: H) -> Vec<f64> {
        if hint.weight().allow_light_points() {
            Vec::new()
        } else {
            self.ticks.clone()
        }
    }

    fn range(&self) -> std::ops::Range<f64> {
        self.range.range()
    }
}

fn ticked(range: std::ops::Range<f64>, ticks: Vec<f64>) -> Ticked {
    Ticked { range: range.into(), ticks }
}

/// Paints `spec` on `canvas`, sized `width` × `height` CSS pixels, over `x_range` simulated seconds, in the
/// page's theme, at `scale` device pixels per CSS pixel: the backing store is the CSS size times the scale and
/// every length and font is scaled with it, so the chart is sharp at any device-pixel ratio and looks the same
/// size on every screen. Each fault in `marks` is a dashed line with a flag, each thing it set off a tick under
/// the plot. Returns where the plot landed, for the cursor. The caller measures the canvas (reading its size
/// after DOM changes would force a layout on every draw).
#[allow(clippy::too_many_arguments)]
pub fn draw(
    canvas: HtmlCanvasElement,
    spec: &ChartSpec,
    marks: &[Mark],
    x_range: (f64, f64),
    dark: bool,
    width: u32,
    height: u32,
    scale: f64,
) -> Result<Plot, String> {
    let scale = if scale.is_finite() && scale > 0.0 { scale.clamp(0.5, 4.0) } else { 1.0 };
    let px = |v: f64| (v * scale).round() as u32;
    let (css_w, css_h) = (width.max(200) as f64, height.max(120) as f64);
    let (w, h) = (px(css_w), px(css_h));
    if canvas.width() != w || canvas.height() != h {
        canvas.set_width(w);
        canvas.set_height(h);
    }
    let backend = CanvasBackend::with_canvas_object(canvas).ok_or("canvas has no 2d context")?;
    let root = backend.into_drawing_area();
    let (bg, fg, grid) = if dark {
        (RGBColor(22, 27, 34), RGBColor(201, 209, 217), RGBColor(48, 54, 61))
    } else {
        (WHITE, RGBColor(36, 41, 47), RGBColor(216, 222, 228))
    };
    root.fill(&bg).map_err(|e| e.to_string())?;
    let lay = layout(spec, x_range, css_w);
    let (per, ys) = (lay.x_per, lay.y_scale);
    let (x0, x1) = (lay.x.min / per, lay.x.max / per);
    let y_max = lay.y.max;
    let font = (FontFamily::SansSerif, FONT_PX * scale).into_font().color(&fg);
    let x_ticks: Vec<f64> = lay.x.ticks.iter().map(|t| t / per).collect();
    let mut chart = ChartBuilder::on(&root)
        .margin_top(px(10.0))
        .margin_bottom(px(4.0))
        .margin_left(px(4.0))
        .margin_right(px(lay.right))
        .x_label_area_size(px(FONT_PX * 3.2))
        .y_label_area_size(px(lay.y_area))
        .build_cartesian_2d(ticked(x0..x1, x_ticks), ticked(0.0..y_max, lay.y.ticks.clone()))
        .map_err(|e| e.to_string())?;
    let label_of = |ticks: &[f64], labels: &[String], v: f64, k: f64| {
        ticks.iter().position(|t| (t * k - v).abs() <= 1e-9 * v.abs().max(1.0)).map(|i| labels[i].clone()).unwrap_or_default()
    };
    let (xt, xl, yt, yl) = (&lay.x.ticks, &lay.x.labels, &lay.y.ticks, &lay.y.labels);
    chart
        .configure_mesh()
        .bold_line_style(grid.stroke_width(px(1.0)))
        .axis_style(fg.stroke_width(px(1.0)))
        .set_all_tick_mark_size(px(4.0))
        .label_style(font.clone())
        .axis_desc_style(font)
        .x_desc(lay.x_title.as_str())
        .y_desc(spec.y_title)
        .x_label_formatter(&|x| label_of(xt, xl, *x, 1.0 / per))
        .y_label_formatter(&|y| label_of(yt, yl, *y, 1.0))
        .draw()
        .map_err(|e| e.to_string())?;
    let (xr, yr) = chart.plotting_area().get_pixel_range();
    let plot = Plot {
        left: f64::from(xr.start) / scale,
        right: f64::from(xr.end) / scale,
        top: f64::from(yr.start) / scale,
        bottom: f64::from(yr.end) / scale,
        t0: lay.x.min,
        t1: lay.x.max,
    };
    // Each fault: a dashed line where it happens, flagged and named at the top; what it set off: a tick under the
    // plot.
    let mark_color = fg.mix(0.8);
    let fault = ShapeStyle { color: mark_color, filled: false, stroke_width: px(1.5).max(1) };
    let on_plot: Vec<&Mark> = marks.iter().filter(|m| m.t >= lay.x.min && m.t <= lay.x.max).collect();
    let faults: Vec<&Mark> = on_plot.iter().copied().filter(|m| m.fault).collect();
    let name_px = 11.0;
    let xs: Vec<f64> = faults.iter().map(|m| plot.x_at(m.t).unwrap_or(plot.left)).collect();
    let widths: Vec<f64> = faults.iter().map(|m| axis::text_width(&m.name, name_px)).collect();
    let sides = label_sides(&xs, &widths, plot.left, plot.right);
    let name_font = (FontFamily::SansSerif, name_px * scale).into_font().color(&fg);
    for m in &faults {
        let x = m.t / per;
        chart.draw_series(DashedLineSeries::new([(x, 0.0), (x, y_max)], px(5.0), px(3.0), fault)).map_err(|e| e.to_string())?;
        // A square flag on top of the line.
        let a = px(4.0) as i32;
        let flag = EmptyElement::at((x, y_max)) + Rectangle::new([(-a, -2 * a), (a, 0)], mark_color.filled());
        chart.draw_series(std::iter::once(flag)).map_err(|e| e.to_string())?;
    }
    for m in on_plot.iter().filter(|m| !m.fault) {
        let x = m.t / per;
        chart.draw_series(LineSeries::new([(x, 0.0), (x, y_max * 0.04)], fault)).map_err(|e| e.to_string())?;
    }
    for l in &spec.lines {
        let style = ShapeStyle { color: RGBColor(l.color.0, l.color.1, l.color.2).to_rgba(), filled: false, stroke_width: px(2.0) };
        let points = l.points.iter().map(|&(x, y)| (x / per, (y * ys).min(y_max)));
        if l.dashed {
            chart.draw_series(DashedLineSeries::new(points, px(8.0), px(5.0), style)).map_err(|e| e.to_string())?;
        } else {
            chart.draw_series(LineSeries::new(points, style)).map_err(|e| e.to_string())?;
        }
    }
    // The faults' names last, each on a patch of the background so the lines under it do not cross the words.
    for (m, side) in faults.iter().zip(sides) {
        let Some(right) = side else { continue };
        let (dx, h) = if right { (px(5.0) as i32, HPos::Left) } else { (-(px(5.0) as i32), HPos::Right) };
        let w = px(axis::text_width(&m.name, name_px) + 4.0) as i32;
        let (x0, x1) = if right { (dx - 2, dx - 2 + w) } else { (dx + 2 - w, dx + 2) };
        let patch = Rectangle::new([(x0, px(2.0) as i32), (x1, px(name_px + 6.0) as i32)], bg.mix(0.85).filled());
        let text = Text::new(m.name.clone(), (dx, px(3.0) as i32), name_font.pos(Pos::new(h, VPos::Top)));
        chart.draw_series(std::iter::once(EmptyElement::at((m.t / per, y_max)) + patch + text)).map_err(|e| e.to_string())?;
    }
    root.present().map_err(|e| e.to_string())?;
    Ok(plot)
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
    fn a_comparison_draws_a_dashed_in_the_same_colours() {
        let line = |label: &str, dashed| Line { label: label.into(), color: BLUE, dashed, points: vec![(0.0, 1.0)] };
        let b = ChartSpec {
            title: "Latency",
            y_title: "Latency (ms)",
            unit: Unit::Ms,
            y_max: None,
            lines: vec![line("p50", false), line("expected", true)],
        };
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

    /// Every chart of a run of `scenario`, as the page builds them.
    fn every_chart(scenario: &sim_core::Scenario) -> Vec<ChartSpec> {
        let report = sim_core::fluid::run(scenario, Default::default());
        let s = &report.series;
        vec![
            latency::spec(s, &report.summary.latency_ms, 600),
            throughput::spec(s, 600),
            utilization::spec(s, 600),
            cache::spec(s, report.summary.cache_hit_rate, 600),
            lag::spec(s, 600),
            instances::spec(s, 600),
            cost::spec(s, 600),
        ]
    }

    #[test]
    fn every_chart_titles_both_axes_with_units_and_gives_each_line_its_own_colour() {
        for stage in [1, 6, 12] {
            for spec in every_chart(&sim_core::Scenario::stage(stage)) {
                assert!(spec.y_title.len() > 3, "{}: no value-axis title", spec.title);
                let unit_named = match spec.unit {
                    Unit::Ms => spec.y_title.ends_with("(ms)"),
                    Unit::Fraction => spec.y_title.ends_with("(%)"),
                    Unit::Rps => spec.y_title == "Requests per second",
                    Unit::Count => spec.y_title == "Instances",
                    Unit::UsdPerHour => spec.y_title == "USD per hour",
                };
                assert!(unit_named, "{}: '{}' does not name its unit", spec.title, spec.y_title);
                let lay = layout(&spec, (0.0, 300.0), 480.0);
                assert_eq!(lay.x_title, "Simulated time (min)");
                let colours: Vec<Rgb> = spec.lines.iter().map(|l| l.color).collect();
                for (i, c) in colours.iter().enumerate() {
                    assert!(palette::ALL.contains(c), "{}: {c:?} is not from the palette", spec.title);
                    assert!(!colours[i + 1..].contains(c), "{}: two lines in {c:?}", spec.title);
                }
                assert!(palette::check(&colours).is_ok(), "{}", spec.title);
            }
        }
    }

    #[test]
    fn the_utilisation_chart_has_a_colour_for_every_tier() {
        assert!(sim_core::ids::Tier::ALL.len() <= palette::SERIES.len());
    }

    #[test]
    fn the_last_time_label_fits_and_counts_do_not_repeat() {
        for width in [320.0, 390.0, 480.0, 700.0] {
            for duration in [60.0, 300.0, 3_600.0, 86_400.0] {
                let spec = instances::spec(&sim_core::fluid::run(&sim_core::Scenario::stage(5), Default::default()).series, 600);
                let lay = layout(&spec, (0.0, duration), width);
                let last = lay.x.labels.last().unwrap();
                // The last tick may sit on the plot's right edge: half its label must fit in the margin.
                assert!(lay.right >= axis::text_width(last, FONT_PX) / 2.0, "{width} px, {duration} s: '{last}' clipped");
                let plot = width - lay.y_area - lay.right - 4.0;
                let room = plot / (lay.x.ticks.len().max(2) - 1) as f64;
                let widest = lay.x.labels.iter().map(|l| axis::text_width(l, FONT_PX)).fold(0.0, f64::max);
                assert!(room > widest + 8.0, "{width} px, {duration} s: labels {:?} overlap", lay.x.labels);
                let mut labels = lay.y.labels.clone();
                labels.dedup();
                assert_eq!(labels.len(), lay.y.labels.len(), "{:?}", lay.y.labels);
                assert!(lay.y.ticks.iter().all(|t| t.fract() == 0.0));
            }
        }
    }

    #[test]
    fn fractions_are_drawn_in_percent() {
        let spec = cache::spec(&sim_core::fluid::run(&sim_core::Scenario::stage(4), Default::default()).series, 0.7, 600);
        let lay = layout(&spec, (0.0, 300.0), 480.0);
        assert_eq!(lay.y_scale, 100.0);
        assert_eq!(lay.y.labels.last().map(String::as_str), Some("100"));
    }

    #[test]
    fn the_cursor_lands_in_proportion_and_off_the_plot_nowhere() {
        let plot = Plot { left: 50.0, right: 450.0, top: 10.0, bottom: 180.0, t0: 0.0, t1: 300.0 };
        assert_eq!(plot.x_at(0.0), Some(50.0));
        assert_eq!(plot.x_at(150.0), Some(250.0));
        assert_eq!(plot.x_at(300.0), Some(450.0));
        assert_eq!(plot.x_at(301.0), None);
    }

    #[test]
    fn fault_names_go_where_they_fit() {
        // The first has no room before the second line nor after the plot's left edge and goes unnamed; the
        // second has room on its right; the last, by the right edge, goes left of its line.
        assert_eq!(label_sides(&[100.0, 150.0, 390.0], &[80.0, 80.0, 60.0], 40.0, 400.0), [None, Some(true), Some(false)]);
        // A name on the right blocks the next line's name on its left.
        assert_eq!(label_sides(&[60.0, 200.0, 230.0], &[100.0, 80.0, 80.0], 40.0, 400.0), [Some(true), None, Some(true)]);
        // Two far apart: both on the right.
        assert_eq!(label_sides(&[50.0, 250.0], &[80.0, 80.0], 40.0, 400.0), [Some(true), Some(true)]);
        // Close together: the first goes left, the second right.
        assert_eq!(label_sides(&[200.0, 230.0], &[80.0, 80.0], 40.0, 400.0), [Some(false), Some(true)]);
    }

    #[test]
    fn the_description_names_the_axes_the_latest_values_and_the_faults() {
        let spec = latency::spec(&sim_core::fluid::run(&sim_core::Scenario::stage(5), Default::default()).series, &Default::default(), 600);
        let marks = vec![
            Mark { t: 120.0, name: "app server killed".into(), label: "app server killed at 2 min 00 s".into(), fault: true },
            Mark {
                t: 121.0,
                name: "dead servers in the pool 0 → 1".into(),
                label: "dead servers in the pool 0 → 1 at 2 min 01 s".into(),
                fault: false,
            },
        ];
        let text = describe(&spec, (0.0, 300.0), &marks);
        assert!(text.starts_with("Latency: Latency (ms) over 5 min of simulated time; latest p50 "), "{text}");
        assert!(text.contains("Fault marked: app server killed at 2 min 00 s. Then: dead servers in the pool 0 → 1"), "{text}");
        assert!(!describe(&spec, (0.0, 300.0), &[]).contains("marked"));
    }
}
