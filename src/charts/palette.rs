//! The charts' colours, in one place: the Okabe–Ito palette (Okabe and Ito, "Color Universal Design", 2002)
//! without its black, which would vanish on the dark theme, and one grey for theory and threshold lines.
//!
//! The tests check the claim rather than trust it: every pair of colours, seen through the Machado, Oliveira and
//! Fernandes (2009) simulation of protanopia, deuteranopia and tritanopia at full severity, stays at least
//! [`MIN_DE_CVD`] apart in CIEDE2000, and [`MIN_DE`] apart for normal vision. Putting two blues back in fails them.

/// An sRGB colour.
pub type Rgb = (u8, u8, u8);

/// Blue: the first series of every chart.
pub const BLUE: Rgb = (0, 114, 178);
/// Orange.
pub const ORANGE: Rgb = (230, 159, 0);
/// Bluish green.
pub const GREEN: Rgb = (0, 158, 115);
/// Vermillion: failures and the slowest percentile.
pub const VERMILLION: Rgb = (213, 94, 0);
/// Sky blue.
pub const SKY: Rgb = (86, 180, 233);
/// Reddish purple.
pub const PURPLE: Rgb = (204, 121, 167);
/// Yellow: last, as it is the faintest on a white background.
pub const YELLOW: Rgb = (240, 228, 66);
/// Grey, for dashed lines from theory and thresholds. Dark enough to stay apart from the series colours under
/// every simulated deficiency (a lighter grey comes within 7 of the purple for deuteranopes).
pub const GREY: Rgb = (110, 110, 110);

/// Series colours in the order charts hand them out.
pub const SERIES: [Rgb; 7] = [BLUE, ORANGE, GREEN, VERMILLION, SKY, PURPLE, YELLOW];

/// Every colour a chart may draw a line in.
pub const ALL: [Rgb; 8] = [BLUE, ORANGE, GREEN, VERMILLION, SKY, PURPLE, YELLOW, GREY];

/// Least CIEDE2000 difference between two chart colours for normal vision.
pub const MIN_DE: f64 = 20.0;
/// Least CIEDE2000 difference between two chart colours under each simulated colour-vision deficiency.
pub const MIN_DE_CVD: f64 = 10.0;

/// A colour-vision deficiency, simulated at full severity.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Vision {
    /// Normal trichromatic vision.
    Normal,
    /// No long-wavelength cones.
    Protanopia,
    /// No medium-wavelength cones.
    Deuteranopia,
    /// No short-wavelength cones.
    Tritanopia,
}

impl Vision {
    /// Machado, Oliveira and Fernandes (2009), severity 1.0, applied to linear RGB.
    fn matrix(self) -> [[f64; 3]; 3] {
        match self {
            Vision::Normal => [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]],
            Vision::Protanopia => [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216], [-0.003882, -0.048116, 1.051998]],
            Vision::Deuteranopia => [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413], [-0.011820, 0.042940, 0.968881]],
            Vision::Tritanopia => [[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602], [0.004733, 0.691367, 0.303900]],
        }
    }
}

fn linear(c: u8) -> f64 {
    let c = f64::from(c) / 255.0;
    if c <= 0.04045 {
        c / 12.92
    } else {
        ((c + 0.055) / 1.055).powf(2.4)
    }
}

/// CIE L*a*b* (D65) of `rgb` as seen with `vision`.
pub fn lab(rgb: Rgb, vision: Vision) -> [f64; 3] {
    let l = [linear(rgb.0), linear(rgb.1), linear(rgb.2)];
    let m = vision.matrix();
    let s: Vec<f64> = m.iter().map(|row| (row[0] * l[0] + row[1] * l[1] + row[2] * l[2]).clamp(0.0, 1.0)).collect();
    let x = 0.412_456_4 * s[0] + 0.357_576_1 * s[1] + 0.180_437_5 * s[2];
    let y = 0.212_672_9 * s[0] + 0.715_152_2 * s[1] + 0.072_175 * s[2];
    let z = 0.019_333_9 * s[0] + 0.119_192 * s[1] + 0.950_304_1 * s[2];
    let f = |t: f64| if t > 216.0 / 24_389.0 { t.cbrt() } else { (24_389.0 / 27.0 * t + 16.0) / 116.0 };
    let (fx, fy, fz) = (f(x / 0.950_47), f(y), f(z / 1.088_83));
    [116.0 * fy - 16.0, 500.0 * (fx - fy), 200.0 * (fy - fz)]
}

/// The CIEDE2000 colour difference (Sharma, Wu and Dalal, 2005).
pub fn ciede2000(a: [f64; 3], b: [f64; 3]) -> f64 {
    let ([l1, a1, b1], [l2, a2, b2]) = (a, b);
    let pow7 = |c: f64| c.powi(7);
    let c_bar = (a1.hypot(b1) + a2.hypot(b2)) / 2.0;
    let g = 0.5 * (1.0 - (pow7(c_bar) / (pow7(c_bar) + pow7(25.0))).sqrt());
    let (a1p, a2p) = ((1.0 + g) * a1, (1.0 + g) * a2);
    let (c1p, c2p) = (a1p.hypot(b1), a2p.hypot(b2));
    let hue = |b: f64, a: f64| if b == 0.0 && a == 0.0 { 0.0 } else { b.atan2(a).to_degrees().rem_euclid(360.0) };
    let (h1p, h2p) = (hue(b1, a1p), hue(b2, a2p));
    let dlp = l2 - l1;
    let dcp = c2p - c1p;
    let dhp = if c1p * c2p == 0.0 {
        0.0
    } else if (h2p - h1p).abs() <= 180.0 {
        h2p - h1p
    } else if h2p - h1p > 180.0 {
        h2p - h1p - 360.0
    } else {
        h2p - h1p + 360.0
    };
    let d_hp = 2.0 * (c1p * c2p).sqrt() * (dhp / 2.0).to_radians().sin();
    let lbp = (l1 + l2) / 2.0;
    let cbp = (c1p + c2p) / 2.0;
    let hbp = if c1p * c2p == 0.0 {
        h1p + h2p
    } else if (h1p - h2p).abs() <= 180.0 {
        (h1p + h2p) / 2.0
    } else if h1p + h2p < 360.0 {
        (h1p + h2p + 360.0) / 2.0
    } else {
        (h1p + h2p - 360.0) / 2.0
    };
    let cos = |deg: f64| deg.to_radians().cos();
    let t = 1.0 - 0.17 * cos(hbp - 30.0) + 0.24 * cos(2.0 * hbp) + 0.32 * cos(3.0 * hbp + 6.0) - 0.20 * cos(4.0 * hbp - 63.0);
    let d_theta = 30.0 * (-((hbp - 275.0) / 25.0).powi(2)).exp();
    let rc = 2.0 * (pow7(cbp) / (pow7(cbp) + pow7(25.0))).sqrt();
    let sl = 1.0 + 0.015 * (lbp - 50.0).powi(2) / (20.0 + (lbp - 50.0).powi(2)).sqrt();
    let sc = 1.0 + 0.045 * cbp;
    let sh = 1.0 + 0.015 * cbp * t;
    let rt = -(2.0 * d_theta).to_radians().sin() * rc;
    ((dlp / sl).powi(2) + (dcp / sc).powi(2) + (d_hp / sh).powi(2) + rt * (dcp / sc) * (d_hp / sh)).sqrt()
}

/// The closest pair of `colors` under `vision`: (CIEDE2000 difference, first, second).
pub fn closest_pair(colors: &[Rgb], vision: Vision) -> Option<(f64, Rgb, Rgb)> {
    let mut best: Option<(f64, Rgb, Rgb)> = None;
    for (i, &a) in colors.iter().enumerate() {
        for &b in &colors[i + 1..] {
            let d = ciede2000(lab(a, vision), lab(b, vision));
            if best.is_none_or(|(bd, _, _)| d < bd) {
                best = Some((d, a, b));
            }
        }
    }
    best
}

/// Whether every pair of `colors` keeps the palette's least differences for normal vision and the three
/// simulated deficiencies; the closest offending pair is named otherwise.
pub fn check(colors: &[Rgb]) -> Result<(), String> {
    for (vision, min) in
        [(Vision::Normal, MIN_DE), (Vision::Protanopia, MIN_DE_CVD), (Vision::Deuteranopia, MIN_DE_CVD), (Vision::Tritanopia, MIN_DE_CVD)]
    {
        if let Some((d, a, b)) = closest_pair(colors, vision).filter(|p| p.0 < min) {
            return Err(format!("{a:?} and {b:?} are {d:.1} apart under {vision:?} (at least {min} wanted)"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ciede2000_matches_sharmas_test_data() {
        // Pairs 1, 7 and 17 of Sharma, Wu and Dalal's table.
        let close = |a, b, want: f64| assert!((ciede2000(a, b) - want).abs() < 1e-4, "{a:?} {b:?}: {}", ciede2000(a, b));
        close([50.0, 2.6772, -79.7751], [50.0, 0.0, -82.7485], 2.0425);
        close([50.0, 0.0, 0.0], [50.0, -1.0, 2.0], 2.3669);
        close([50.0, 2.5, 0.0], [73.0, 25.0, -18.0], 27.1492);
    }

    #[test]
    fn simulation_keeps_white_and_greys_and_merges_red_and_green_for_deuteranopes() {
        let white = lab((255, 255, 255), Vision::Deuteranopia);
        assert!((white[0] - 100.0).abs() < 0.5 && white[1].abs() < 1.0 && white[2].abs() < 1.0, "{white:?}");
        let normal = ciede2000(lab((200, 40, 40), Vision::Normal), lab((40, 160, 40), Vision::Normal));
        let deutan = ciede2000(lab((200, 40, 40), Vision::Deuteranopia), lab((40, 160, 40), Vision::Deuteranopia));
        assert!(deutan < normal / 2.0, "red and green: {normal:.1} normally, {deutan:.1} for deuteranopes");
    }

    #[test]
    fn the_palette_survives_colour_blindness() {
        assert_eq!(check(&ALL), Ok(()));
    }

    #[test]
    fn the_check_catches_two_blues_and_the_old_palette() {
        let mut two_blues = ALL.to_vec();
        two_blues.push((47, 129, 247));
        assert!(check(&two_blues).is_err());
        // The colours the charts used before: teal and grey merge for protanopes, red and brown for deuteranopes.
        let old = [
            (47, 129, 247),
            (230, 126, 34),
            (218, 54, 51),
            (46, 160, 67),
            (163, 113, 247),
            (27, 156, 158),
            (156, 102, 31),
            (214, 51, 132),
            (139, 148, 158),
        ];
        let err = check(&old).unwrap_err();
        assert!(err.contains("under"), "{err}");
    }
}
