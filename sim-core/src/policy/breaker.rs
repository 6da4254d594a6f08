//! The circuit breaker around the slow jobs' downstream service (seed 004): it opens once a window of failures
//! shows the error threshold, and closes at the first half-open probe after the service is back.

use crate::model::{BREAKER_RESET_S, BREAKER_WINDOW_S};
use crate::scenario::Scenario;

/// Whether the breaker is open at simulated second `t`, for a downstream down from `since` to `until`.
pub fn is_open(s: &Scenario, since: f64, until: f64, t: f64) -> bool {
    if !s.arch.resilience.circuit_breaker || !since.is_finite() {
        return false;
    }
    let opened = since + BREAKER_WINDOW_S;
    if t < opened || opened >= until {
        return false;
    }
    let probes = ((until - opened) / BREAKER_RESET_S).ceil();
    t < opened + probes * BREAKER_RESET_S
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_breaker(on: bool) -> Scenario {
        let mut s = Scenario::default();
        s.arch.resilience.circuit_breaker = on;
        s
    }

    #[test]
    fn opens_after_the_window_and_closes_at_the_first_probe_after_recovery() {
        let s = with_breaker(true);
        let (since, until) = (100.0, 220.0);
        assert!(!is_open(&s, since, until, since + BREAKER_WINDOW_S - 0.1), "still counting failures");
        assert!(is_open(&s, since, until, since + BREAKER_WINDOW_S + 0.1));
        assert!(is_open(&s, since, until, until), "no probe has succeeded yet");
        let opened = since + BREAKER_WINDOW_S;
        let close = opened + ((until - opened) / BREAKER_RESET_S).ceil() * BREAKER_RESET_S;
        assert!(close >= until && !is_open(&s, since, until, close));
    }

    #[test]
    fn without_a_breaker_or_an_outage_it_never_opens() {
        assert!(!is_open(&with_breaker(false), 100.0, 220.0, 150.0));
        assert!(!is_open(&with_breaker(true), f64::NEG_INFINITY, f64::NEG_INFINITY, 150.0));
        assert!(!is_open(&with_breaker(true), 100.0, 105.0, 112.0), "an outage shorter than the window");
    }
}
