//! The simulated clock as the rules read it: seconds as `f64` in the aggregate engine, nanoseconds as `u64` in
//! the request-level engine. A rule written over [`Clock`] compares times in the engine's own units, so neither
//! engine's timing is rounded through the other's.

use std::ops::{Add, Sub};

/// A reading of the simulated clock, or a span of it.
pub trait Clock: Copy + PartialOrd + Add<Output = Self> + Sub<Output = Self> {
    /// The span of `s` seconds in this clock's units.
    fn secs(s: f64) -> Self;
    /// This reading (or span) in seconds.
    fn to_secs(self) -> f64;
}

impl Clock for f64 {
    fn secs(s: f64) -> f64 {
        s
    }
    fn to_secs(self) -> f64 {
        self
    }
}

impl Clock for u64 {
    fn secs(s: f64) -> u64 {
        crate::time::SimTime::from_secs(s).0
    }
    fn to_secs(self) -> f64 {
        self as f64 / 1e9
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_units_read_the_same_span() {
        assert_eq!(<f64 as Clock>::secs(1.5), 1.5);
        assert_eq!(<u64 as Clock>::secs(1.5), 1_500_000_000);
        assert_eq!(1_500_000_000u64.to_secs(), 1.5);
    }
}
