//! Simulated time: an integer count of nanoseconds. Never read from a clock; always passed in.
use serde::{Deserialize, Serialize};

/// A simulated instant or duration in nanoseconds (584 years fit in a `u64`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct SimTime(pub u64);

impl SimTime {
    /// Zero.
    pub const ZERO: SimTime = SimTime(0);
    /// Nanoseconds per second.
    pub const NANOS_PER_SEC: f64 = 1e9;

    /// From seconds, rounded to the nearest nanosecond; negative and non-finite inputs give zero.
    pub fn from_secs(s: f64) -> SimTime {
        if s.is_finite() && s > 0.0 {
            SimTime((s * Self::NANOS_PER_SEC).round().min(u64::MAX as f64) as u64)
        } else {
            SimTime::ZERO
        }
    }

    /// As seconds.
    pub fn secs(self) -> f64 {
        self.0 as f64 / Self::NANOS_PER_SEC
    }

    /// Saturating sum.
    pub fn plus(self, d: SimTime) -> SimTime {
        SimTime(self.0.saturating_add(d.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seconds_round_trip_at_nanosecond_resolution() {
        assert_eq!(SimTime::from_secs(1.5).0, 1_500_000_000);
        assert_eq!(SimTime::from_secs(1e-8).0, 10);
        assert_eq!(SimTime::from_secs(f64::NAN), SimTime::ZERO);
        assert_eq!(SimTime::from_secs(-3.0), SimTime::ZERO);
        assert!((SimTime(2_000_000_000).secs() - 2.0).abs() < 1e-15);
    }
}
