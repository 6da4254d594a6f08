//! Pre-warming (seed 004: scale before a known peak): from two hours before the daily peak, less a boot time so
//! the instances serve in time, to two hours after it, the auto-scaling group holds at least the pre-warm count.

use crate::scenario::Scenario;

/// Instances the pre-warming schedule holds at simulated second `t` (0 without pre-warming or a daily curve).
pub fn floor(s: &Scenario, t: f64) -> u32 {
    let asg = &s.arch.autoscaling;
    if asg.prewarm == 0 || !s.traffic.daily_curve {
        return 0;
    }
    let hour = (t + asg.boot_s).rem_euclid(crate::traffic::DAY_SECONDS) / 3_600.0;
    let peak = crate::traffic::PEAK_HOUR;
    if (peak - 2.0..=peak + 2.0).contains(&hour) {
        asg.prewarm.min(asg.max)
    } else {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::traffic::PEAK_HOUR;

    #[test]
    fn the_floor_holds_from_two_hours_before_the_peak_to_two_after() {
        let mut s = Scenario::default();
        s.traffic.daily_curve = true;
        s.arch.autoscaling.prewarm = 6;
        s.arch.autoscaling.max = 20;
        let at = |hour: f64| floor(&s, hour * 3_600.0 - s.arch.autoscaling.boot_s);
        assert_eq!(at(PEAK_HOUR), 6);
        assert_eq!(at(PEAK_HOUR - 1.9), 6);
        assert_eq!(at(PEAK_HOUR + 2.5), 0);
        s.arch.autoscaling.max = 4;
        assert_eq!(floor(&s, PEAK_HOUR * 3_600.0 - s.arch.autoscaling.boot_s), 4, "never above the group's maximum");
        s.traffic.daily_curve = false;
        assert_eq!(floor(&s, PEAK_HOUR * 3_600.0), 0, "no peak to warm up for");
    }
}
