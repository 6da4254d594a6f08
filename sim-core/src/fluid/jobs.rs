//! The message queue and its worker pool: backlog, retries with backoff while the downstream service is down,
//! dead letters, the pool scaling on depth, and the circuit breaker around the downstream.

use crate::model::{JOB_BACKOFF_S, WORKER_SCALE_EVERY_S};
use crate::queueing::Mmc;
use crate::scenario::Scenario;

use super::Fluid;

/// The message queue and its worker pool.
#[derive(Clone, Debug, Default)]
pub(super) struct JobQueue {
    pub(super) backlog: f64,
    pub(super) workers: u32,
    pub(super) next_scale_at: f64,
    pub(super) dead: f64,
    pub(super) wait_s: f64,
    pub(super) depth: f64,
}

impl Fluid {
    /// Whether the circuit breaker around the downstream service is open now: it opens once a window of
    /// failures shows the error threshold, and closes at the first half-open probe after the service is back.
    pub(super) fn breaker_open(&self) -> bool {
        crate::policy::breaker::is_open(&self.topo.scenario, self.downstream_since, self.downstream_down_until, self.t)
    }

    /// Advances the message queue by one step under `arrivals` jobs per second: workers finish jobs while the
    /// downstream service is up; while it is down every attempt fails and is retried with backoff, and jobs
    /// that outlive their attempts are dead-lettered. The pool scales on queue depth.
    pub(super) fn advance_jobs(&mut self, arrivals: f64) {
        let jobs = &self.topo.scenario.arch.jobs;
        if !jobs.queued || jobs.share <= 0.0 {
            return;
        }
        let (dt, t) = (self.dt, self.t);
        let job_s = (jobs.job_ms / 1e3).max(1e-3);
        let down = t < self.downstream_down_until && t >= self.downstream_since;
        let horizon = JOB_BACKOFF_S * (libm::pow(2.0, f64::from(jobs.attempts.saturating_sub(1) as i32)) - 1.0);
        let q = &mut self.jobs;
        let cap = if down { 0.0 } else { q.workers as f64 / job_s };
        q.backlog = (q.backlog + (arrivals - cap) * dt).max(0.0);
        if down && t - self.downstream_since > horizon {
            // Jobs that arrived more than the retry horizon ago have used their attempts.
            let dead = (arrivals * dt).min(q.backlog);
            q.dead += dead;
            q.backlog -= dead;
        }
        let wq = if !down && arrivals > 0.0 && arrivals < cap { Mmc::new(q.workers, arrivals, 1.0 / job_s).mean_wait() } else { 0.0 };
        q.wait_s = if down { (t - self.downstream_since).min(horizon) } else { wq + q.backlog / cap.max(1e-9) };
        q.depth = q.backlog + arrivals * wq;
        if jobs.max_workers > jobs.workers && t >= q.next_scale_at {
            // Enough workers to run arrivals at 70 % busy and drain the backlog within two minutes.
            q.workers = crate::policy::workers::pool_size(arrivals, q.backlog, job_s, jobs.workers, jobs.max_workers);
            q.next_scale_at = t + WORKER_SCALE_EVERY_S;
        }
    }
}

/// Workers a pool that scales on depth runs at the scenario's peak once settled (70 % busy), within its
/// bounds; a fixed pool has its `workers`. Runs start with it, as the app tier starts at its desired count.
pub(crate) fn settled_workers(s: &Scenario) -> u32 {
    let j = &s.arch.jobs;
    let t = &s.traffic;
    let jobs = t.peak_rps() * (1.0 - t.static_share) * t.write_fraction() * j.share;
    crate::policy::workers::pool_size(jobs, 0.0, (j.job_ms / 1e3).max(1e-3), j.workers, j.max_workers)
}
