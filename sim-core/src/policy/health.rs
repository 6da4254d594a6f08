//! Health checks: a load balancer probes every server each interval and takes one out after
//! [`UNHEALTHY_CHECKS`] failed probes in a row.

use crate::model::UNHEALTHY_CHECKS;

/// Simulated second at which a server that died at `died_s` is taken out, with probes every `interval_s`.
pub fn detected_at(died_s: f64, interval_s: f64) -> f64 {
    ((died_s / interval_s).floor() + UNHEALTHY_CHECKS) * interval_s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dead_server_is_noticed_after_two_failed_probes() {
        assert_eq!(detected_at(100.0, 10.0), 120.0);
        assert_eq!(detected_at(105.0, 10.0), 120.0, "the probe at 100 s still passed");
        let d = detected_at(33.0, 5.0);
        assert!(d > 33.0 && d - 33.0 <= UNHEALTHY_CHECKS * 5.0);
    }
}
