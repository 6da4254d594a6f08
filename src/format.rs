//! Number formatting for the page: pure functions, so they are tested natively.

/// Requests per second with thousands separators and a unit, e.g. `1,000 req/s` or `2.5 req/s`.
pub fn rps(value: f64) -> String {
    if !value.is_finite() {
        return "—".to_owned();
    }
    if value < 10.0 {
        format!("{value:.1} req/s")
    } else {
        format!("{} req/s", thousands(value.round() as u64))
    }
}

/// A fraction as a percentage, e.g. `63 %` (one decimal under 10 %).
pub fn pct(fraction: f64) -> String {
    if !fraction.is_finite() {
        return "—".to_owned();
    }
    let p = fraction * 100.0;
    if p.abs() < 10.0 && p != 0.0 {
        format!("{p:.1} %")
    } else {
        format!("{p:.0} %")
    }
}

/// Milliseconds, e.g. `36 ms`, `1.2 s`.
pub fn ms(value: f64) -> String {
    if !value.is_finite() {
        "—".to_owned()
    } else if value >= 1_000.0 {
        format!("{:.1} s", value / 1_000.0)
    } else if value >= 10.0 {
        format!("{value:.0} ms")
    } else {
        format!("{value:.1} ms")
    }
}

/// US dollars, e.g. `$30`, `$1,234`.
pub fn usd(value: f64) -> String {
    if !value.is_finite() {
        "—".to_owned()
    } else if value < 10.0 {
        format!("${value:.2}")
    } else {
        format!("${}", thousands(value.round() as u64))
    }
}

/// A count that may be fractional in the model, shown whole.
pub fn count(value: f64) -> String {
    if !value.is_finite() || value < 0.0 {
        return "—".to_owned();
    }
    thousands(value.round() as u64)
}

/// A count in a few characters, for tight labels: `950`, `9,999`, `200k`, `1.2M`, `10M`.
pub fn compact(value: f64) -> String {
    if !value.is_finite() || value < 0.0 {
        return "—".to_owned();
    }
    let n = value.round();
    if n < 10_000.0 {
        thousands(n as u64)
    } else if n < 999_500.0 {
        format!("{}k", (n / 1_000.0).round() as u64)
    } else if n < 9_950_000.0 {
        format!("{:.1}M", n / 1e6).replace(".0M", "M")
    } else {
        format!("{}M", (n / 1e6).round() as u64)
    }
}

/// An integer with comma thousands separators.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// A number with at most two decimals and no trailing zeros: `5`, `2.5`, `0.25`.
pub fn trim(v: f64) -> String {
    if !v.is_finite() {
        return "—".to_owned();
    }
    let t = format!("{v:.2}");
    let t = t.trim_end_matches('0').trim_end_matches('.');
    if t == "-0" {
        "0".to_owned()
    } else {
        t.to_owned()
    }
}

/// Formats a simulated time as `1 h 02 min 05 s`.
pub fn clock(t: f64) -> String {
    let t = if t.is_finite() { t.max(0.0).round() as u64 } else { 0 };
    let (h, m, s) = (t / 3_600, t / 60 % 60, t % 60);
    if h > 0 {
        format!("{h} h {m:02} min {s:02} s")
    } else if m > 0 {
        format!("{m} min {s:02} s")
    } else {
        format!("{s} s")
    }
}

/// Time left, for a countdown: as [`clock`], rounded up, so it never reads "0 s" while something is still out.
pub fn countdown(seconds: f64) -> String {
    clock(if seconds.is_finite() { seconds.max(0.0).ceil() } else { 0.0 })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compact_counts_fit_tight_labels() {
        for (v, want) in [
            (950.0, "950"),
            (9_999.0, "9,999"),
            (10_000.0, "10k"),
            (200_000.0, "200k"),
            (999_400.0, "999k"),
            (999_600.0, "1M"),
            (1_200_000.0, "1.2M"),
            (10_000_000.0, "10M"),
        ] {
            assert_eq!(compact(v), want, "{v}");
        }
        assert_eq!(compact(f64::NAN), "—");
    }

    #[test]
    fn thousands_groups_digits() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000), "1,000");
        assert_eq!(thousands(10_000_000), "10,000,000");
    }

    #[test]
    fn units_read_naturally() {
        assert_eq!(pct(0.634), "63 %");
        assert_eq!(pct(0.0123), "1.2 %");
        assert_eq!(ms(36.4), "36 ms");
        assert_eq!(ms(2_600.0), "2.6 s");
        assert_eq!(usd(30.37), "$30");
        assert_eq!(usd(0.5), "$0.50");
        assert_eq!(count(f64::NAN), "—");
    }

    #[test]
    fn rps_keeps_small_rates_readable() {
        assert_eq!(rps(0.1), "0.1 req/s");
        assert_eq!(rps(100.0), "100 req/s");
        assert_eq!(rps(f64::NAN), "—");
    }

    #[test]
    fn clock_reads_naturally_and_countdowns_round_up() {
        assert_eq!(clock(5.0), "5 s");
        assert_eq!(clock(125.0), "2 min 05 s");
        assert_eq!(clock(3_725.0), "1 h 02 min 05 s");
        assert_eq!(countdown(39.2), "40 s");
        assert_eq!(countdown(290.0), "4 min 50 s");
        assert_eq!(countdown(f64::NAN), "0 s");
    }
}
