//! The scheduled batch job (seed 001's "batch job contention"): when it runs and what it costs the database. Both
//! engines ask [`running`] each step or event; the aggregate engine adds its work as a load on the primary, the
//! request-level engine sends its queries there.

use crate::scenario::ReportJob;
use crate::traffic::{DAY_SECONDS, PEAK_HOUR};

/// CPU seconds of one of the job's queries (a scan over a day of rows, far heavier than a user's query).
pub const QUERY_S: f64 = 0.5;

/// Whether `job` is running at simulated second `t_s` of a run that starts at midnight. `hold_peak` stands for a
/// steady state held at the busiest minute of the day ([`PEAK_HOUR`]): the job counts if it runs then.
pub fn running(job: &ReportJob, t_s: f64, hold_peak: bool) -> bool {
    let Some(start) = job.start_hour else { return false };
    let hour = if hold_peak { PEAK_HOUR } else { t_s.rem_euclid(DAY_SECONDS) / 3_600.0 };
    let since = (hour - start).rem_euclid(24.0);
    since < job.minutes / 60.0
}

/// Queries per second the job sends while it runs: enough to keep `job.vcpus` database cores busy.
pub fn query_rate(job: &ReportJob) -> f64 {
    job.vcpus.max(0.0) / QUERY_S
}

/// Whether the job overlaps the busy part of the day (the curve above half its peak, 06:00 to about 19:00 with
/// the default curve): what makes it a row of the table rather than a quiet night's work.
pub fn in_busy_hours(job: &ReportJob, curve_at: impl Fn(f64) -> f64) -> bool {
    let Some(start) = job.start_hour else { return false };
    let steps = (job.minutes / 10.0).ceil().max(1.0) as usize;
    (0..steps).any(|i| curve_at(((start + i as f64 * 10.0 / 60.0) * 3_600.0).rem_euclid(DAY_SECONDS)) >= 0.5)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_job_runs_in_its_window_across_midnight_too() {
        let job = ReportJob { start_hour: Some(23.5), minutes: 60.0, ..ReportJob::default() };
        assert!(running(&job, 23.75 * 3_600.0, false));
        assert!(running(&job, 0.25 * 3_600.0, false));
        assert!(!running(&job, 0.75 * 3_600.0, false));
        assert!(!running(&job, 0.0, true), "not at the peak hour");
        let at_peak = ReportJob { start_hour: Some(9.5), ..job };
        assert!(running(&at_peak, 0.0, true));
        assert!(!running(&ReportJob::default(), 0.0, true), "no job");
        assert!((query_rate(&at_peak) - 8.0).abs() < 1e-12);
    }
}
