//! The per-user rate limit (seed 004): each user's dynamic requests beyond the limit get 429 at the door. The
//! request-level engine keeps one token bucket per user, refilled at the limit and holding a 15-minute window of
//! it; the aggregate engine turns away each user's rate above the limit (see [`crate::cache::Popularity`]'s
//! `excess_share`). Both read the limit through [`per_second`].

use super::clock::Clock;
use crate::scenario::Scenario;

/// Seconds of the limit a bucket holds: the burst a user may spend at once (seed 004's 15-minute window).
pub const WINDOW_S: f64 = 900.0;

/// The limit in requests per second per user, or `None` without one.
pub fn per_second(s: &Scenario) -> Option<f64> {
    let per_s = s.arch.resilience.rate_limit_per_min / 60.0;
    (per_s > 0.0).then_some(per_s)
}

/// One user's token bucket.
#[derive(Clone, Copy, Debug)]
pub struct Bucket<C> {
    tokens: f64,
    at: C,
}

impl<C: Clock> Bucket<C> {
    /// A full bucket for a user first seen at `now`.
    pub fn full(per_s: f64, now: C) -> Bucket<C> {
        Bucket { tokens: capacity(per_s), at: now }
    }

    /// Whether a request at `now` passes: the bucket refills for the time since the last one, and a pass takes
    /// a token.
    pub fn allow(&mut self, per_s: f64, now: C) -> bool {
        self.tokens = (self.tokens + (now - self.at).to_secs() * per_s).min(capacity(per_s));
        self.at = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

/// Tokens a bucket holds at most.
pub fn capacity(per_s: f64) -> f64 {
    (per_s * WINDOW_S).max(1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_limit_means_none() {
        let mut s = Scenario::default();
        assert_eq!(per_second(&s), None);
        s.arch.resilience.rate_limit_per_min = 120.0;
        assert_eq!(per_second(&s), Some(2.0));
    }

    #[test]
    fn a_bucket_passes_its_window_at_once_then_the_refill_rate() {
        let per_s = 1.0;
        let mut b = Bucket::full(per_s, 0.0);
        let passed = (0..2_000).filter(|_| b.allow(per_s, 0.0)).count();
        assert_eq!(passed, WINDOW_S as usize, "the burst is the window");
        assert!(!b.allow(per_s, 0.5));
        assert!(b.allow(per_s, 1.0), "one token a second comes back");
        let mut b = Bucket::full(per_s, 0u64);
        assert!(b.allow(per_s, 1u64));
    }
}
