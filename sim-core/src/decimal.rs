//! Reading decimal numbers (`-12.5`, `0.05`, `3e-4`) into `f64` without the standard library's float parser.
//!
//! Why: `str::parse::<f64>` carries a 10 KB table of powers of five. In the page that is 4 % of the whole
//! download for reading a handful of knob values, and the page has a size budget. What this parser promises:
//!
//! - **Exact** (correctly rounded) whenever the significant digits fit in 2⁵³ and the power of ten is at most 22
//!   either way (Clinger's fast path). That covers everything people type.
//! - **Exact for every shortest representation** — what `f64`'s `Display` writes, so every number the query writer
//!   produces reads back bit for bit. Beyond the fast path the estimate is within a few units in the last place,
//!   and the neighbours whose shortest form spells the same digits are searched.
//! - Otherwise (more than 17 significant digits typed by hand) within a few units in the last place.
//!
//! The tests compare it with `str::parse::<f64>` on random values and random digit strings.

/// Reads `[+-]digits[.digits][(e|E)[+-]digits]` (surrounding whitespace allowed). `None` for anything else,
/// including `inf` and `NaN`.
pub fn parse(text: &str) -> Option<f64> {
    let t = text.trim();
    let (negative, body) = match t.as_bytes().first()? {
        b'-' => (true, &t[1..]),
        b'+' => (false, &t[1..]),
        _ => (false, t),
    };
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(i) => (&body[..i], Some(&body[i + 1..])),
        None => (body, None),
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    if whole.is_empty() && fraction.is_empty() {
        return None;
    }
    let mut exp10: i64 = match exponent {
        Some(e) => {
            let digits = e.strip_prefix(['+', '-']).unwrap_or(e);
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            // Beyond ±400 the value is 0 or infinite anyway; clamp so that long exponents cannot overflow.
            let n = digits.bytes().take(6).fold(0i64, |n, b| n * 10 + i64::from(b - b'0'));
            if e.starts_with('-') {
                -n
            } else {
                n
            }
        }
        None => 0,
    };
    let mut digits = Digits::default();
    for b in whole.bytes() {
        if !b.is_ascii_digit() {
            return None;
        }
        if !digits.push(b - b'0') {
            exp10 += 1;
        }
    }
    for b in fraction.bytes() {
        if !b.is_ascii_digit() {
            return None;
        }
        if digits.push(b - b'0') {
            exp10 -= 1;
        }
    }
    let value = digits.value(exp10);
    Some(if negative { -value } else { value })
}

/// Up to 19 significant digits, with leading zeros dropped.
#[derive(Default)]
struct Digits {
    significand: u64,
    count: u32,
}

impl Digits {
    /// Appends a digit; false when it was dropped for being past the 19th significant digit.
    fn push(&mut self, d: u8) -> bool {
        if self.count == 0 && d == 0 {
            return true; // a leading zero: keeps its place, adds nothing
        }
        if self.count >= 19 {
            return false;
        }
        self.significand = self.significand * 10 + u64::from(d);
        self.count += 1;
        true
    }

    /// significand × 10^exp10, correctly rounded on the fast path and for shortest representations.
    fn value(&self, exp10: i64) -> f64 {
        let m = self.significand;
        if m == 0 {
            return 0.0;
        }
        if exp10 > 330 {
            return f64::INFINITY;
        }
        if exp10 < -360 {
            return 0.0;
        }
        let estimate = scale(m, exp10 as i32);
        if m <= 1 << 53 && (-22..=22).contains(&exp10) {
            return estimate; // one correctly rounded operation on two exact operands
        }
        if estimate == 0.0 || !estimate.is_finite() {
            return estimate;
        }
        // Search the neighbours for the one whose shortest form has exactly these digits.
        let want = normal(m, exp10);
        let mut x = estimate;
        for _ in 0..4 {
            if x.to_bits() > 1 {
                x = next_down(x);
            }
        }
        for _ in 0..9 {
            if x.is_finite() && x > 0.0 && shortest(x) == want {
                return x;
            }
            x = next_up(x);
        }
        estimate
    }
}

/// Powers of ten that f64 holds exactly.
const EXACT: [f64; 23] =
    [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];

/// m × 10^e in floating point: exact operands on the fast path, otherwise within a couple of units in the last
/// place (the power comes from `powf`, accurate to under one).
fn scale(m: u64, e: i32) -> f64 {
    let m = m as f64;
    match e {
        0..=22 => m * EXACT[e as usize],
        -22..=-1 => m / EXACT[(-e) as usize],
        23..=300 => m * libm::pow(10.0, f64::from(e)),
        -300..=-23 => m / libm::pow(10.0, f64::from(-e)),
        _ if e > 0 => m * libm::pow(10.0, f64::from(e - 300)) * 1e300,
        _ => m / libm::pow(10.0, f64::from(-e - 300)) / 1e300,
    }
}

/// Digits without trailing zeros, and the power of ten of the last one.
fn normal(mut m: u64, mut e: i64) -> (u64, i64) {
    while m != 0 && m % 10 == 0 {
        m /= 10;
        e += 1;
    }
    (m, e)
}

/// The significant digits of `x`'s shortest representation (as `Display` writes it), normalised.
fn shortest(x: f64) -> (u64, i64) {
    let text = format!("{:e}", x);
    let (mantissa, exponent) = text.split_once('e').unwrap_or((&text, "0"));
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let m = whole.bytes().chain(fraction.bytes()).fold(0u64, |m, b| m * 10 + u64::from(b - b'0'));
    let e: i64 = exponent.trim_start_matches('-').bytes().fold(0i64, |n, b| n * 10 + i64::from(b - b'0'));
    let e = if exponent.starts_with('-') { -e } else { e };
    normal(m, e - fraction.len() as i64)
}

fn next_up(x: f64) -> f64 {
    f64::from_bits(x.to_bits() + 1)
}

fn next_down(x: f64) -> f64 {
    f64::from_bits(x.to_bits() - 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn reads_what_people_type() {
        for (text, want) in [
            ("0", 0.0),
            ("-0", -0.0),
            ("12", 12.0),
            ("0.05", 0.05),
            (" 1.5 ", 1.5),
            ("+3", 3.0),
            (".5", 0.5),
            ("5.", 5.0),
            ("1e3", 1000.0),
            ("2.5E-3", 0.0025),
            ("31536000", 31_536_000.0),
            ("0.30000000000000004", 0.1 + 0.2),
            ("1e400", f64::INFINITY),
            ("1e-400", 0.0),
            ("00000012.50000", 12.5),
        ] {
            assert_eq!(parse(text), Some(want), "{text}");
        }
        for bad in ["", "-", ".", "e5", "1e", "1e+", "abc", "1.2.3", "1,5", "inf", "NaN", "0x10", "1 2"] {
            assert_eq!(parse(bad), None, "{bad:?}");
        }
    }

    proptest! {
        #[test]
        fn every_displayed_f64_reads_back_exactly(bits in any::<u64>()) {
            let x = f64::from_bits(bits);
            prop_assume!(x.is_finite());
            for text in [x.to_string(), format!("{x:e}"), format!("{x:?}")] {
                prop_assert_eq!(parse(&text).map(f64::to_bits), Some(x.to_bits()), "{}", text);
            }
        }

        #[test]
        fn agrees_with_the_standard_parser_to_a_few_ulps(whole in "[0-9]{0,22}", fraction in "[0-9]{0,22}", e in -330i32..330) {
            prop_assume!(!(whole.is_empty() && fraction.is_empty()));
            let text = format!("{whole}.{fraction}e{e}");
            let want: f64 = text.parse().unwrap();
            let got = parse(&text).unwrap();
            let ulps = (want.to_bits() as i64 - got.to_bits() as i64).abs();
            prop_assert!(ulps <= 4 || (want == got), "{text}: {got} against {want}");
        }

        #[test]
        fn is_exact_on_the_fast_path(m in 0u64..(1 << 53), e in -22i32..=22) {
            let text = format!("{m}e{e}");
            prop_assert_eq!(parse(&text), Some(text.parse::<f64>().unwrap()));
        }
    }
}
