//! The auto-scaling group's rules (seed 000's example policy): scale out by `out_add` when the fleet's average CPU
//! has stayed above `out_cpu` for `out_for_s` (not while instances boot, never past `max`); scale in by
//! `in_remove` when it has stayed below `in_cpu` for `in_for_s` (never under the minimum or the pre-warming
//! floor); between the two thresholds both timers restart. Call [`ScalingGroup::decide`] at every check with the
//! CPU measured since the previous one, then [`top_up`] after acting on it.

use super::clock::Clock;
use crate::scenario::Autoscaling;

/// What the group does at a check.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scale {
    /// Launch this many instances.
    Out(u32),
    /// Remove this many instances (the newest first).
    In(u32),
    /// Do nothing.
    Hold,
}

/// The fleet as the group sees it at a check.
#[derive(Clone, Copy, Debug)]
pub struct Fleet {
    /// Instances serving or booting.
    pub total: u32,
    /// Whether any instance is still booting.
    pub booting: bool,
    /// Fewest instances now: the minimum or the pre-warming floor, whichever is higher.
    pub floor: u32,
}

/// The group's memory between checks: since when CPU has stayed above or below its threshold.
#[derive(Clone, Copy, Debug, Default)]
pub struct ScalingGroup<C> {
    above_since: Option<C>,
    below_since: Option<C>,
}

impl<C: Clock> ScalingGroup<C> {
    /// The decision at `now` for average CPU `cpu` measured since `from` (the condition is taken to have held
    /// since then; an engine that samples CPU instantly passes `from == now`).
    pub fn decide(&mut self, asg: &Autoscaling, from: C, now: C, cpu: f64, fleet: Fleet) -> Scale {
        if cpu > asg.out_cpu {
            self.below_since = None;
            let since = *self.above_since.get_or_insert(from);
            if now - since >= C::secs(asg.out_for_s) && !fleet.booting && fleet.total < asg.max {
                self.above_since = None;
                return Scale::Out(asg.out_add.min(asg.max - fleet.total));
            }
        } else if cpu < asg.in_cpu {
            self.above_since = None;
            let since = *self.below_since.get_or_insert(from);
            if now - since >= C::secs(asg.in_for_s) && fleet.total > fleet.floor {
                self.below_since = None;
                return Scale::In(asg.in_remove.min(fleet.total - fleet.floor));
            }
        } else {
            self.above_since = None;
            self.below_since = None;
        }
        Scale::Hold
    }
}

/// Instances to launch so a fleet of `total` holds its `floor`.
pub fn top_up(total: u32, floor: u32) -> u32 {
    floor.saturating_sub(total)
}

/// The fleet the group's rules settle on under a load held steady: `offered` is the demand over one instance's
/// capacity on a fleet of `n`. The group grows by `out_add` while the CPU is above `out_cpu` and shrinks by
/// `in_remove` while it is below `in_cpu` (unless shrinking would push it back over `out_cpu`), within min and
/// max. The steady state of an auto-scaled scenario holds this fleet, as the running group would at its peak.
pub fn settled_fleet(asg: &Autoscaling, n: u32, offered: f64) -> u32 {
    let work = offered.max(0.0) * n.max(1) as f64;
    let cpu = |m: u32| work / m.max(1) as f64;
    let (lo, hi) = (asg.min.max(1), asg.max.max(asg.min).max(1));
    let mut m = n.clamp(lo, hi);
    for _ in 0..10_000 {
        if cpu(m) > asg.out_cpu && m < hi {
            m = (m + asg.out_add.max(1)).min(hi);
        } else if cpu(m) < asg.in_cpu && m > lo {
            let next = m.saturating_sub(asg.in_remove.max(1)).max(lo);
            if cpu(next) > asg.out_cpu {
                break;
            }
            m = next;
        } else {
            break;
        }
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    fn asg() -> Autoscaling {
        Autoscaling::default()
    }

    fn fleet(total: u32) -> Fleet {
        Fleet { total, booting: false, floor: 2 }
    }

    #[test]
    fn it_scales_out_only_after_cpu_has_stayed_high_for_the_window() {
        let a = asg();
        let mut g = ScalingGroup::<f64>::default();
        assert_eq!(g.decide(&a, 0.0, 0.0, 0.9, fleet(4)), Scale::Hold);
        assert_eq!(g.decide(&a, 60.0, 60.0, 0.9, fleet(4)), Scale::Hold);
        assert_eq!(g.decide(&a, a.out_for_s, a.out_for_s, 0.9, fleet(4)), Scale::Out(a.out_add));
        // The window restarts after a scale-out.
        assert_eq!(g.decide(&a, a.out_for_s + 1.0, a.out_for_s + 1.0, 0.9, fleet(6)), Scale::Hold);
    }

    #[test]
    fn a_dip_between_the_thresholds_restarts_the_window() {
        let a = asg();
        let mut g = ScalingGroup::<f64>::default();
        g.decide(&a, 0.0, 0.0, 0.9, fleet(4));
        g.decide(&a, 100.0, 100.0, 0.5, fleet(4));
        assert_eq!(g.decide(&a, 130.0, 130.0, 0.9, fleet(4)), Scale::Hold, "high again only since 130 s");
    }

    #[test]
    fn it_waits_for_booting_instances_and_stops_at_the_maximum() {
        let a = asg();
        let mut g = ScalingGroup::<f64>::default();
        g.decide(&a, 0.0, 0.0, 0.9, fleet(4));
        let booting = Fleet { booting: true, ..fleet(4) };
        assert_eq!(g.decide(&a, 500.0, 500.0, 0.9, booting), Scale::Hold);
        assert_eq!(g.decide(&a, 501.0, 501.0, 0.9, fleet(a.max - 1)), Scale::Out(1), "only up to the maximum");
        g.decide(&a, 502.0, 502.0, 0.9, fleet(a.max));
        assert_eq!(g.decide(&a, 2_000.0, 2_000.0, 0.9, fleet(a.max)), Scale::Hold);
    }

    #[test]
    fn it_scales_in_after_the_longer_window_and_never_under_the_floor() {
        let a = asg();
        let mut g = ScalingGroup::<u64>::default();
        let s = |x: f64| <u64 as Clock>::secs(x);
        // A measurement over the last ten seconds counts from its start.
        assert_eq!(g.decide(&a, s(0.0), s(10.0), 0.1, fleet(6)), Scale::Hold);
        assert_eq!(g.decide(&a, s(10.0), s(a.in_for_s), 0.1, fleet(6)), Scale::In(a.in_remove));
        let mut g = ScalingGroup::<u64>::default();
        g.decide(&a, s(0.0), s(0.0), 0.1, Fleet { floor: 6, ..fleet(6) });
        assert_eq!(g.decide(&a, s(0.0), s(2.0 * a.in_for_s), 0.1, Fleet { floor: 6, ..fleet(6) }), Scale::Hold);
    }

    #[test]
    fn top_up_restores_the_floor() {
        assert_eq!(top_up(1, 4), 3);
        assert_eq!(top_up(5, 4), 0);
    }

    #[test]
    fn a_held_load_settles_between_the_thresholds_within_min_and_max() {
        let a = Autoscaling { enabled: true, min: 2, max: 40, out_cpu: 0.7, in_cpu: 0.3, out_add: 2, in_remove: 1, ..asg() };
        // 10 instances' worth of work on 4: grows until the CPU is under 70 %.
        let m = settled_fleet(&a, 4, 2.5);
        assert!(10.0 / m as f64 <= 0.7 && 10.0 / (m - 2) as f64 > 0.7, "{m}");
        // Under a light load it shrinks to the minimum, and never past the maximum under a heavy one.
        assert_eq!(settled_fleet(&a, 10, 0.05), 2);
        assert_eq!(settled_fleet(&a, 10, 50.0), 40);
        // Between the thresholds it holds.
        assert_eq!(settled_fleet(&a, 10, 0.5), 10);
    }
}
