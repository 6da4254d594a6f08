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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_groups_digits() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000), "1,000");
        assert_eq!(thousands(10_000_000), "10,000,000");
    }

    #[test]
    fn rps_keeps_small_rates_readable() {
        assert_eq!(rps(0.1), "0.1 req/s");
        assert_eq!(rps(100.0), "100 req/s");
        assert_eq!(rps(f64::NAN), "—");
    }
}
