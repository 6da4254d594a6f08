//! Backups and point-in-time recovery (seeds 000 and 001): which writes a dead database primary with no replica
//! to promote takes with it, and how long its restore takes. Both engines keep a [`WriteLog`], calling
//! [`WriteLog::record`] as writes commit on the first shard's primary (the machine the fault kills), and ask it at
//! the fault for [`WriteLog::lost`] and [`WriteLog::restore_s`].
//!
//! - **None**: the restore is a new, empty database; every write ever made is gone (the run's writes are
//!   counted, plus the day before the run's start that a real product would also have lost).
//! - **Nightly**: a snapshot at 03:00 each day; the restore loses every write since the last snapshot.
//! - **Point-in-time recovery**: the snapshot plus the write-ahead log shipped continuously; the restore loses
//!   the last [`PITR_WINDOW_S`] of writes and replays the log since the snapshot, at a replica's replay speed.
//!
//! A promoted replica loses nothing in this model (its replication lag's worth in reality: tens of writes).

use super::outage::RESTORE_S;
use crate::scenario::{Backups, FaultKind, Scenario};
use crate::traffic::{Traffic, DAY_SECONDS};

/// Hour of the nightly snapshot.
pub const SNAPSHOT_HOUR: f64 = 3.0;
/// Writes the newest this many seconds old are not yet archived (RDS: restorable to within about five minutes).
pub const PITR_WINDOW_S: f64 = 300.0;

/// Committed writes, kept as a backup policy needs them.
#[derive(Clone, Debug)]
pub struct WriteLog {
    /// Whether anything can ask: a run with no database fault keeps no log (recording costs each step).
    on: bool,
    /// Every write since the run began, plus the estimate for the day before it.
    total: f64,
    /// Writes since the last snapshot.
    since_snapshot: f64,
    /// Seconds since the last snapshot, at the last record.
    snapshot_age_s: f64,
    /// Writes per second of the newest [`PITR_WINDOW_S`] seconds, as (second, writes) in a ring.
    recent: Vec<(i64, f64)>,
    /// Second of the last record.
    last_s: f64,
}

impl WriteLog {
    /// The log a run of `scenario` keeps: [`WriteLog::new`] when a fault can kill its database primary, else one
    /// that records nothing (and so reports nothing lost).
    pub fn for_scenario(scenario: &Scenario) -> WriteLog {
        let mut log = WriteLog::new(&scenario.traffic);
        log.on = scenario.faults.iter().any(|f| f.kind == FaultKind::KillDbPrimary);
        log
    }

    /// An empty log for a run starting at midnight, seeded with the writes `traffic` makes between the last
    /// snapshot (the previous day's 03:00) and midnight, and over the day before for a product without backups.
    pub fn new(traffic: &Traffic) -> WriteLog {
        let dynamic = (1.0 - traffic.static_share) * traffic.write_fraction();
        let writes_between = |from_h: f64, to_h: f64| {
            // Hour by hour along the curve (the request rate is the peak minute's over the peak factor).
            let mut sum = 0.0;
            let mut h = from_h;
            while h < to_h {
                let step = (to_h - h).min(1.0);
                sum += traffic.rps_at((h + step / 2.0) * 3_600.0) / traffic.peak_factor.max(1.0) * dynamic * step * 3_600.0;
                h += step;
            }
            sum
        };
        let since_snapshot = writes_between(SNAPSHOT_HOUR, 24.0);
        WriteLog {
            on: true,
            total: writes_between(0.0, 24.0),
            since_snapshot,
            snapshot_age_s: (24.0 - SNAPSHOT_HOUR) * 3_600.0,
            recent: vec![(-1, 0.0); PITR_WINDOW_S as usize],
            last_s: 0.0,
        }
    }

    /// `writes` committed at simulated second `t_s` (times never go backwards).
    pub fn record(&mut self, t_s: f64, writes: f64) {
        if !self.on {
            return;
        }
        let snapshot_s = SNAPSHOT_HOUR * 3_600.0;
        let day = |t: f64| (t / DAY_SECONDS).floor();
        let snap_of = |t: f64| if t.rem_euclid(DAY_SECONDS) >= snapshot_s { day(t) } else { day(t) - 1.0 };
        if snap_of(t_s) > snap_of(self.last_s) {
            self.since_snapshot = 0.0;
        }
        self.snapshot_age_s = (t_s - (snap_of(t_s) * DAY_SECONDS + snapshot_s)).max(0.0);
        self.last_s = t_s;
        self.total += writes;
        self.since_snapshot += writes;
        let sec = t_s.floor() as i64;
        let slot = &mut self.recent[sec.rem_euclid(PITR_WINDOW_S as i64) as usize];
        if slot.0 != sec {
            *slot = (sec, 0.0);
        }
        slot.1 += writes;
    }

    /// Writes a restore under `backups` loses at simulated second `t_s`.
    pub fn lost(&self, backups: Backups, t_s: f64) -> f64 {
        match backups {
            Backups::None => self.total,
            Backups::Nightly => self.since_snapshot,
            Backups::Pitr => {
                let now = t_s.floor() as i64;
                self.recent.iter().filter(|(s, _)| *s > now - PITR_WINDOW_S as i64 && *s <= now).map(|x| x.1).sum()
            }
        }
    }

    /// Seconds the restore takes under `backups`: the snapshot (or an empty database) is up in [`RESTORE_S`];
    /// point-in-time recovery then replays the log since the snapshot, one write per `apply_s` seconds.
    pub fn restore_s(&self, backups: Backups, apply_s: f64) -> f64 {
        match backups {
            Backups::None | Backups::Nightly => RESTORE_S,
            Backups::Pitr => RESTORE_S + self.since_snapshot * apply_s.max(0.0),
        }
    }

    /// Seconds since the last snapshot, at the last record.
    pub fn snapshot_age_s(&self) -> f64 {
        self.snapshot_age_s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn log() -> WriteLog {
        let mut l = WriteLog::new(&Traffic { users: 10_000, ..Traffic::default() });
        // 10 writes a second from 02:00 to 04:00.
        let mut t = 2.0 * 3_600.0;
        while t < 4.0 * 3_600.0 {
            l.record(t, 10.0);
            t += 1.0;
        }
        l
    }

    #[test]
    fn each_policy_loses_less_than_the_one_before() {
        let l = log();
        let t = 4.0 * 3_600.0 - 1.0;
        let (none, nightly, pitr) = (l.lost(Backups::None, t), l.lost(Backups::Nightly, t), l.lost(Backups::Pitr, t));
        assert!((nightly - 36_000.0).abs() < 1e-6, "an hour since the 03:00 snapshot: {nightly}");
        assert!((pitr - 3_000.0).abs() < 1e-6, "the last five minutes: {pitr}");
        assert!(none > nightly + 36_000.0, "no backups loses the run and the day before: {none}");
    }

    #[test]
    fn point_in_time_recovery_takes_longer_to_restore() {
        let l = log();
        assert_eq!(l.restore_s(Backups::Nightly, 0.0005), RESTORE_S);
        assert!((l.restore_s(Backups::Pitr, 0.0005) - (RESTORE_S + 36_000.0 * 0.0005)).abs() < 1e-9);
        assert!((l.snapshot_age_s() - 3_599.0).abs() < 1e-9);
    }
}
