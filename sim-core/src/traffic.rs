//! Demand: how many requests per second a user population offers, and how that load moves over a day.
//!
//! `users` counts people active in the busiest hour. Each sends `requests_per_user` requests per second on
//! average, and the busiest minute runs `peak_factor` times hotter than that hour's average, so the peak
//! request rate is `users × requests_per_user × peak_factor`. The defaults (0.05 req/s per user, peak factor 2)
//! give 100 req/s for 1,000 users and 1,000 req/s for 10,000 users, the figures seeds 000 and 001 quote.
//!
//! With the daily curve on, load follows a smooth day: lowest at 04:00 (`trough_fraction` of the peak) and
//! highest at 10:00 (the seeds' weekday-morning peak), with raised-cosine ramps between.

use serde::{Deserialize, Serialize};

/// Cacheable keys each user owns when the key space grows with users: a profile, a feed page and a handful of
/// list pages (the cache holds query results, not every row beneath them). Our assumption: with seed 000's 60 s
/// TTL and the default skew ([`ZIPF_ALPHA`]) it keeps the hit ratio near seed 000's 80–95 % from 1,000 to
/// 10,000,000 users, and stale reads around 1 %.
pub const KEYS_PER_USER: u64 = 10;

/// Default Zipf exponent of key popularity. Seed 001 finds "roughly 80 % of database reads" going to the same hot
/// rows; with exponent 1.1 the hottest 1 % of keys take 75–86 % of reads over 100,000 to 10,000,000 keys (0.9,
/// the usual web-trace figure, gives only 47–55 %).
pub const ZIPF_ALPHA: f64 = 1.1;

/// Seconds in a simulated day.
pub const DAY_SECONDS: f64 = 86_400.0;
/// Hour of the daily minimum.
pub const TROUGH_HOUR: f64 = 4.0;
/// Hour of the daily maximum.
pub const PEAK_HOUR: f64 = 10.0;

/// The offered load of a scenario.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Traffic {
    /// People active in the busiest hour (1 to 10,000,000).
    pub users: u64,
    /// Requests per second each active user sends, averaged over the busiest hour.
    pub requests_per_user: f64,
    /// Busiest-minute rate over the busiest-hour average (1 to 10).
    pub peak_factor: f64,
    /// Reads per write among dynamic requests (seed 001: 10 reads to 1 write).
    pub read_write_ratio: f64,
    /// Share of all requests that ask for static assets (seed 000: about 60 %).
    pub static_share: f64,
    /// Zipf exponent of key popularity: 0 is uniform, about 1 is typical web skew.
    pub zipf_alpha: f64,
    /// Distinct keys (rows, objects) that reads and writes touch; 0 (the default) lets them grow with the user
    /// base, [`KEYS_PER_USER`] per user (see [`Traffic::key_count`]).
    pub keys: u64,
    /// Follow a daily load curve instead of holding the peak all day.
    pub daily_curve: bool,
    /// With the daily curve: the 04:00 load as a fraction of the peak.
    pub trough_fraction: f64,
    /// Users are spread over three continents ([`GEOS`]) instead of living near the first region.
    #[serde(default)]
    pub worldwide: bool,
}

/// A part of the world users come from.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Geo {
    /// Name.
    pub name: &'static str,
    /// Share of users when they are spread worldwide.
    pub share: f64,
    /// Round trip in seconds from these users to a region in each geography, in [`GEOS`] order.
    pub rtt_s: [f64; 3],
}

/// Where users are, and round trips between places: a region is placed in each geography in turn (the first
/// region in North America). Singapore to Virginia is 180–220 ms (seed 001).
pub const GEOS: [Geo; 3] = [
    Geo { name: "North America", share: 0.5, rtt_s: [0.030, 0.090, 0.200] },
    Geo { name: "Europe", share: 0.3, rtt_s: [0.090, 0.030, 0.160] },
    Geo { name: "Asia-Pacific", share: 0.2, rtt_s: [0.200, 0.160, 0.030] },
];

impl Default for Traffic {
    fn default() -> Self {
        Traffic {
            users: 1_000,
            requests_per_user: 0.05,
            peak_factor: 2.0,
            read_write_ratio: 10.0,
            static_share: 0.6,
            zipf_alpha: ZIPF_ALPHA,
            keys: 0,
            daily_curve: false,
            trough_fraction: 0.2,
            worldwide: false,
        }
    }
}

impl Traffic {
    /// Peak requests per second: users × requests per user × peak factor.
    pub fn peak_rps(&self) -> f64 {
        self.users as f64 * self.requests_per_user * self.peak_factor
    }

    /// Distinct keys: the explicit `keys`, or [`KEYS_PER_USER`] for each user. Each user writes their own keys,
    /// so a key is rewritten at one user's pace however many users there are; reads follow popularity.
    pub fn key_count(&self) -> u64 {
        if self.keys > 0 {
            self.keys
        } else {
            self.users.max(1).saturating_mul(KEYS_PER_USER)
        }
    }

    /// Share of dynamic requests that are writes: 1 / (ratio + 1).
    pub fn write_fraction(&self) -> f64 {
        1.0 / (self.read_write_ratio + 1.0)
    }

    /// The load multiplier at simulated second `t` (1.0 at the peak; `trough_fraction` at 04:00).
    pub fn curve_at(&self, t_seconds: f64) -> f64 {
        if !self.daily_curve {
            return 1.0;
        }
        // (A run's first day, the common case, needs no floating-point remainder: it is slow, and this runs every
        // simulated second.)
        let day = if (0.0..DAY_SECONDS).contains(&t_seconds) { t_seconds } else { t_seconds.rem_euclid(DAY_SECONDS) };
        let hour = day / 3_600.0;
        // Rise from the trough to the peak over 6 h, fall back over the other 18 h.
        let rise = PEAK_HOUR - TROUGH_HOUR;
        let since_trough = if hour >= TROUGH_HOUR { hour - TROUGH_HOUR } else { hour - TROUGH_HOUR + 24.0 };
        let s = if since_trough <= rise {
            0.5 - 0.5 * libm::cos(std::f64::consts::PI * since_trough / rise)
        } else {
            let fall = 24.0 - rise;
            0.5 + 0.5 * libm::cos(std::f64::consts::PI * (since_trough - rise) / fall)
        };
        self.trough_fraction + (1.0 - self.trough_fraction) * s
    }

    /// Requests per second offered at simulated second `t`.
    pub fn rps_at(&self, t_seconds: f64) -> f64 {
        self.peak_rps() * self.curve_at(t_seconds)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn peak_rps_is_users_times_rate_times_peak_factor() {
        let t = Traffic { users: 10_000, ..Traffic::default() };
        assert!((t.peak_rps() - 1_000.0).abs() < 1e-9, "seed 001: 10,000 users make 1,000 req/s");
    }

    #[test]
    fn daily_curve_peaks_at_ten_and_bottoms_at_four() {
        let t = Traffic { daily_curve: true, ..Traffic::default() };
        assert!((t.curve_at(10.0 * 3600.0) - 1.0).abs() < 1e-12);
        assert!((t.curve_at(4.0 * 3600.0) - t.trough_fraction).abs() < 1e-12);
        let mean: f64 = (0..86_400).map(|s| t.curve_at(s as f64)).sum::<f64>() / 86_400.0;
        let expected = (1.0 + t.trough_fraction) / 2.0;
        assert!((mean - expected).abs() < 1e-3, "mean multiplier {mean} vs {expected}");
    }

    #[test]
    fn flat_curve_holds_the_peak() {
        let t = Traffic::default();
        assert_eq!(t.rps_at(3.0 * 3600.0), t.peak_rps());
    }
}
