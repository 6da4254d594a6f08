//! Faults and how long they last: every duration the engines use when something breaks, and the rules that pick
//! between them (a replica to promote or a primary to restore; a standby load balancer or a new one; a region
//! dark until geo-DNS moves its users). Both engines schedule their recoveries from these.

use super::clock::Clock;

/// How long a traffic spike lasts (seconds).
pub const SPIKE_S: f64 = 300.0;
/// How long one app server is out during a deploy (seconds).
pub const DEPLOY_RESTART_S: f64 = 30.0;
/// Time to promote a replica when the primary dies (seconds).
pub const FAILOVER_S: f64 = 30.0;
/// Time to restore a primary that has no replica (seconds).
pub const RESTORE_S: f64 = 300.0;
/// How long a downstream outage lasts (seconds).
pub const DOWNSTREAM_OUTAGE_S: f64 = 120.0;
/// Time for geo-DNS to move a dead region's users elsewhere: health checks plus a 30 s record TTL (seconds).
pub const REGION_FAILOVER_S: f64 = 60.0;
/// How long a region stays dark (seconds).
pub const REGION_OUTAGE_S: f64 = 1_800.0;
/// Time to replace a single load balancer (seconds).
pub const LB_REPLACE_S: f64 = 300.0;
/// Time for the standby of an HA load-balancer pair to take over (seconds).
pub const LB_FAILOVER_S: f64 = 5.0;
/// How long a write burst lasts (seconds).
pub const WRITE_BURST_S: f64 = 60.0;

/// Seconds the database primary is out when it dies: a replica's promotion, or without one a restore.
pub fn db_down_s(has_replica: bool) -> f64 {
    if has_replica {
        FAILOVER_S
    } else {
        RESTORE_S
    }
}

/// Seconds the load balancer is out when it dies: the standby's takeover in an HA pair, or a replacement.
pub fn lb_down_s(ha: bool) -> f64 {
    if ha {
        LB_FAILOVER_S
    } else {
        LB_REPLACE_S
    }
}

/// The first region's state at `now` after going dark at `down_at`: `None` while it is up (or back), `Some(moved)`
/// while it is dark, with whether geo-DNS has moved its users to another region yet.
pub fn region_dark<C: Clock>(down_at: Option<C>, now: C) -> Option<bool> {
    let at = down_at?;
    (now >= at && now < at + C::secs(REGION_OUTAGE_S)).then(|| now >= at + C::secs(REGION_FAILOVER_S))
}

/// When the latest fault of `kind` among the scenario's (time-ordered) faults that has begun by `t` began, as the
/// engines apply them: the region outage in force (pair it with [`region_dark`]), the load balancer or primary
/// that died last, so a page can count down to its recovery.
pub fn latest_begun(faults: &[crate::scenario::Fault], kind: crate::scenario::FaultKind, t: f64) -> Option<f64> {
    faults.iter().filter(|f| f.kind == kind && f.at_s <= t).map(|f| f.at_s).next_back()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_replica_or_a_standby_shortens_the_outage() {
        assert!(db_down_s(true) < db_down_s(false));
        assert_eq!(db_down_s(true), FAILOVER_S);
        assert!(lb_down_s(true) < lb_down_s(false));
        assert_eq!(lb_down_s(false), LB_REPLACE_S);
    }

    #[test]
    fn a_region_is_dark_for_the_outage_and_its_users_move_after_the_failover() {
        assert_eq!(region_dark::<f64>(None, 10.0), None);
        assert_eq!(region_dark(Some(100.0), 99.0), None, "not yet");
        assert_eq!(region_dark(Some(100.0), 100.0), Some(false));
        assert_eq!(region_dark(Some(100.0), 100.0 + REGION_FAILOVER_S), Some(true));
        assert_eq!(region_dark(Some(100.0), 100.0 + REGION_OUTAGE_S), None, "back");
        let s = <u64 as Clock>::secs;
        assert_eq!(region_dark(Some(s(100.0)), s(100.0 + REGION_FAILOVER_S) - 1), Some(false), "in nanoseconds too");
        use crate::scenario::{Fault, FaultKind};
        let faults = [
            Fault { at_s: 50.0, kind: FaultKind::RegionOutage },
            Fault { at_s: 60.0, kind: FaultKind::KillAppServer },
            Fault { at_s: 3_000.0, kind: FaultKind::RegionOutage },
        ];
        assert_eq!(latest_begun(&faults, FaultKind::RegionOutage, 49.0), None);
        assert_eq!(latest_begun(&faults, FaultKind::RegionOutage, 50.0), Some(50.0), "from the second it is due");
        assert_eq!(latest_begun(&faults, FaultKind::RegionOutage, 2_999.0), Some(50.0));
        assert_eq!(latest_begun(&faults, FaultKind::RegionOutage, 4_000.0), Some(3_000.0), "the latest one begun");
    }
}
