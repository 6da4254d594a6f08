//! Axes: round ticks and their labels, chosen by pure functions so they are tested natively.
//!
//! Value axes step by 1, 2 or 5 times a power of ten and end on a tick; count axes step by whole numbers. The
//! time axis runs in seconds, minutes or hours by its span and steps by round times of that unit (no 17 or
//! 33 minutes). Labels are plain numbers: the unit is in the axis title.

/// Steps of a time axis, in seconds: round seconds, minutes and hours.
const TIME_STEPS: [f64; 22] = [
    1.0,
    2.0,
    5.0,
    10.0,
    15.0,
    30.0,
    60.0,
    120.0,
    300.0,
    600.0,
    900.0,
    1_800.0,
    3_600.0,
    7_200.0,
    10_800.0,
    21_600.0,
    43_200.0,
    86_400.0,
    172_800.0,
    432_000.0,
    864_000.0,
    1_728_000.0,
];

/// One axis: where it starts and ends, its tick values and their labels.
#[derive(Clone, Debug, PartialEq)]
pub struct Axis {
    /// First value of the axis.
    pub min: f64,
    /// Last value of the axis.
    pub max: f64,
    /// Tick values, ascending, within `min..=max`.
    pub ticks: Vec<f64>,
    /// The label of each tick.
    pub labels: Vec<String>,
}

/// The smallest of 1, 2 or 5 × 10ⁿ that is at least `raw`.
pub fn nice_step(raw: f64) -> f64 {
    if !(raw.is_finite() && raw > 0.0) {
        return 1.0;
    }
    let p = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 5.0, 10.0].into_iter().map(|m| m * p).find(|&s| s >= raw * (1.0 - 1e-9)).unwrap_or(10.0 * p)
}

/// Decimals needed to write multiples of `step` exactly (0.25 → 2, 5 → 0).
pub fn decimals(step: f64) -> usize {
    (0..6)
        .find(|&d| {
            let scaled = step * 10f64.powi(d as i32);
            (scaled - scaled.round()).abs() < 1e-6 * scaled.max(1.0)
        })
        .unwrap_or(6)
}

/// `v` with `decimals` decimals and comma thousands separators.
pub fn number(v: f64, decimals: usize) -> String {
    let s = format!("{:.*}", decimals, v.abs());
    let (int, frac) = s.split_once('.').map_or((s.as_str(), None), |(i, f)| (i, Some(f)));
    let int = int.parse::<u64>().map_or_else(|_| int.to_owned(), crate::format::thousands);
    let sign = if v < 0.0 && s.chars().any(|c| c.is_ascii_digit() && c != '0') { "-" } else { "" };
    match frac {
        Some(f) => format!("{sign}{int}.{f}"),
        None => format!("{sign}{int}"),
    }
}

/// Labels for `ticks` spaced `step` apart on an axis that reaches `max`: thousands as `10k`, millions as `2M`
/// once the axis passes 10,000 (so the labels stay short), with as many decimals as the step needs, so two
/// ticks never share a label.
pub fn labels(ticks: &[f64], step: f64, max: f64) -> Vec<String> {
    let (div, suffix) = if max >= 2_000_000.0 && step >= 100_000.0 {
        (1e6, "M")
    } else if max >= 10_000.0 && step >= 1_000.0 {
        (1e3, "k")
    } else {
        (1.0, "")
    };
    let d = decimals(step / div);
    ticks.iter().map(|&t| if t == 0.0 { "0".to_owned() } else { format!("{}{suffix}", number(t / div, d)) }).collect()
}

/// A value axis from 0 to a round value above `data_max` (or to `fixed_max`), with at most `max_ticks` ticks
/// (at least 3) at 1-2-5 steps; `integer` axes (counts) step by whole numbers only.
pub fn value_axis(data_max: f64, fixed_max: Option<f64>, integer: bool, max_ticks: usize) -> Axis {
    let intervals = max_ticks.max(3) - 1;
    let data_max = if data_max.is_finite() { data_max.max(0.0) } else { 0.0 };
    let (step, max) = match fixed_max {
        Some(top) if top > 0.0 => {
            let step = nice_step(top / intervals as f64);
            (step, top)
        }
        _ => {
            // A little headroom, so a line at its peak does not run along the top of the plot.
            let target = if data_max > 0.0 { data_max * 1.05 } else { 1.0 };
            let mut step = nice_step(target / intervals as f64);
            if integer {
                step = step.max(1.0).round();
            }
            (step, (target / step).ceil().max(1.0) * step)
        }
    };
    let ticks: Vec<f64> = (0..).map(|i| i as f64 * step).take_while(|&t| t <= max * (1.0 + 1e-9)).collect();
    let labels = labels(&ticks, step, max);
    Axis { min: 0.0, max, ticks, labels }
}

/// The unit a time axis spanning `span` seconds is written in: (seconds per unit, unit name).
pub fn time_unit(span: f64) -> (f64, &'static str) {
    if span >= 4.0 * 3_600.0 {
        (3_600.0, "h")
    } else if span >= 240.0 {
        (60.0, "min")
    } else {
        (1.0, "s")
    }
}

/// The time axis from `min` to `max` simulated seconds with at most `max_ticks` ticks (at least 2) at round
/// times in its unit, labelled in that unit; with its title, e.g. "Simulated time (min)".
pub fn time_axis(min: f64, max: f64, max_ticks: usize) -> (Axis, String) {
    let (min, max) = if min.is_finite() && max.is_finite() && max > min { (min, max) } else { (0.0, 1.0) };
    let (per, unit) = time_unit(max - min);
    let span = max - min;
    let step = TIME_STEPS
        .into_iter()
        .filter(|&s| s >= per || per == 1.0)
        .find(|&s| ((span / s).floor() as usize) < max_ticks.max(2))
        .unwrap_or_else(|| nice_step(span / max_ticks.max(2) as f64));
    let first = (min / step).ceil() * step;
    let ticks: Vec<f64> = (0..).map(|i| first + i as f64 * step).take_while(|&t| t <= max + 1e-9).collect();
    let d = decimals(step / per);
    let labels = ticks.iter().map(|&t| number(t / per, d)).collect();
    (Axis { min, max, ticks, labels }, format!("Simulated time ({unit})"))
}

/// Estimated width in CSS pixels of `text` at `font_px` (digits and most Latin letters are about 0.6 em wide in
/// the page's sans-serif).
pub fn text_width(text: &str, font_px: f64) -> f64 {
    text.chars().count() as f64 * 0.6 * font_px
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whether `v` is 1, 2 or 5 times a power of ten.
    fn one_two_five(v: f64) -> bool {
        let m = v / 10f64.powf(v.log10().floor());
        [1.0, 2.0, 5.0].iter().any(|x| (m - x).abs() < 1e-6) || (m - 10.0).abs() < 1e-6
    }

    #[test]
    fn steps_are_one_two_five() {
        assert_eq!(nice_step(0.7), 1.0);
        assert_eq!(nice_step(1.0), 1.0);
        assert_eq!(nice_step(1.3), 2.0);
        assert_eq!(nice_step(3.0), 5.0);
        assert_eq!(nice_step(6.0), 10.0);
        assert_eq!(nice_step(0.013), 0.02);
        assert_eq!(nice_step(4_100.0), 5_000.0);
    }

    #[test]
    fn value_axes_have_round_distinct_ticks_over_the_data() {
        for i in 1..4_000 {
            let data_max = 1.37f64.powi(i % 80 - 20) * (1.0 + (i as f64 / 7.0).sin().abs());
            let axis = value_axis(data_max, None, false, 6);
            assert!(axis.max >= data_max, "{data_max}: axis ends at {}", axis.max);
            assert!(axis.ticks.len() >= 2 && axis.ticks.len() <= 6, "{data_max}: {:?}", axis.ticks);
            let step = axis.ticks[1] - axis.ticks[0];
            assert!(one_two_five(step), "{data_max}: step {step}");
            assert_eq!(*axis.ticks.last().unwrap(), axis.max, "the axis ends on a tick");
            let mut seen = axis.labels.clone();
            seen.dedup();
            assert_eq!(seen.len(), axis.labels.len(), "{data_max}: repeated labels {:?}", axis.labels);
        }
    }

    #[test]
    fn count_axes_step_by_whole_numbers_without_repeating_a_label() {
        for n in 0..500 {
            let data_max = n as f64 * 0.37;
            let axis = value_axis(data_max, None, true, 6);
            assert!(axis.ticks.iter().all(|t| t.fract() == 0.0), "{data_max}: {:?}", axis.ticks);
            assert!(axis.max >= data_max);
            let mut labels = axis.labels.clone();
            labels.dedup();
            assert_eq!(labels.len(), axis.ticks.len(), "{data_max}: {:?}", axis.labels);
        }
        // Two servers: 0, 1, 2, 3 — not 0, 0.5, 1, 1.5 written as 0, 1, 1, 2.
        assert_eq!(value_axis(2.0, None, true, 6).labels, ["0", "1", "2", "3"]);
    }

    #[test]
    fn labels_are_short_and_exact() {
        assert_eq!(value_axis(0.83, Some(1.0), false, 6).labels, ["0", "0.2", "0.4", "0.6", "0.8", "1.0"]);
        assert_eq!(value_axis(41_000.0, None, false, 6).labels, ["0", "10k", "20k", "30k", "40k", "50k"]);
        assert_eq!(value_axis(3_200.0, None, false, 6).labels, ["0", "1,000", "2,000", "3,000", "4,000"]);
        assert_eq!(value_axis(3_100_000.0, None, false, 6).labels, ["0", "1M", "2M", "3M", "4M"]);
        assert_eq!(value_axis(0.12, None, false, 6).labels, ["0", "0.05", "0.10", "0.15"]);
        assert_eq!(value_axis(0.0, None, false, 6).max, 1.0, "an all-zero line still gets an axis");
    }

    #[test]
    fn time_axes_tick_at_round_times_in_their_unit() {
        let (five_min, title) = time_axis(0.0, 300.0, 7);
        assert_eq!(title, "Simulated time (min)");
        assert_eq!(five_min.labels, ["0", "1", "2", "3", "4", "5"]);
        let (day, title) = time_axis(0.0, 86_400.0, 7);
        assert_eq!(title, "Simulated time (h)");
        assert_eq!(day.labels, ["0", "6", "12", "18", "24"]);
        let (minute, title) = time_axis(0.0, 60.0, 7);
        assert_eq!(title, "Simulated time (s)");
        assert_eq!(minute.labels, ["0", "10", "20", "30", "40", "50", "60"]);
        let (hour, _) = time_axis(0.0, 3_600.0, 7);
        assert_eq!(hour.labels, ["0", "10", "20", "30", "40", "50", "60"]);
        // Whatever the span, steps are round times: never 17 or 33 minutes.
        for span in (30..200_000).step_by(997) {
            for max_ticks in 3..9 {
                let (axis, _) = time_axis(0.0, span as f64, max_ticks);
                assert!(axis.ticks.len() <= max_ticks && axis.ticks.len() >= 2, "{span} s: {:?}", axis.ticks);
                let step = axis.ticks[1] - axis.ticks[0];
                assert!(TIME_STEPS.contains(&step), "{span} s: step {step}");
                let mut labels = axis.labels.clone();
                labels.dedup();
                assert_eq!(labels.len(), axis.ticks.len());
            }
        }
    }

    #[test]
    fn numbers_group_thousands() {
        assert_eq!(number(1_234_567.0, 0), "1,234,567");
        assert_eq!(number(0.25, 2), "0.25");
        assert_eq!(number(-1_500.5, 1), "-1,500.5");
        assert_eq!(decimals(0.05), 2);
        assert_eq!(decimals(200.0), 0);
    }
}
