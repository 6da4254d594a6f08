//! Background-job rows: slow work done inside the request, a worker pool that falls behind, and jobs that
//! never run.
use super::check::{servers_for, Check, Trips};
use super::fix::Fix;
use crate::ids::{RowId, Tier};

/// Slow jobs run inline, so the request waits for them.
pub(super) const SLOW_JOBS: Check = Check {
    id: RowId::SlowJobs,
    symptom: "Saving takes seconds",
    component: "Slow work inside the request",
    metric: "Jobs run inline per second",
    threshold: 1.0,
    trips: Trips::AtOrAbove,
    remedy: "Hand the work to a message queue and answer 202 Accepted",
    value: |cx| {
        if cx.a.jobs.queued {
            0.0
        } else {
            cx.t.peak_rps() * (1.0 - cx.t.static_share) * cx.t.write_fraction() * cx.a.jobs.share
        }
    },
    fix: |cx| (!cx.a.jobs.queued).then_some(Fix::AddQueue),
};

/// The service the slow jobs call (email, payments, previews) is down: behind a queue its jobs wait and retry
/// while users carry on; run inline, every save that needs it fails.
pub(super) const DOWNSTREAM_DOWN: Check = Check {
    id: RowId::DownstreamDown,
    symptom: "Emails and receipts stop; saves that wait on them fail",
    component: "Downstream service down",
    metric: "Downstream services out",
    threshold: 1.0,
    trips: Trips::AtOrAbove,
    remedy: "Call it from a queue's workers with retries, and a circuit breaker so nothing waits on it while it is down",
    value: |cx| if cx.a.jobs.share > 0.0 { cx.summary.downstream_down as f64 } else { 0.0 },
    fix: |cx| {
        if !cx.a.jobs.queued {
            Some(Fix::AddQueue)
        } else {
            (!cx.a.resilience.circuit_breaker).then_some(Fix::CircuitBreaker)
        }
    },
};

/// Queued jobs wait too long for a worker.
pub(super) const DEPTH: Check = Check {
    id: RowId::QueueDepth,
    symptom: "Emails and previews arrive minutes late",
    component: "Worker pool",
    metric: "Longest job wait (s)",
    threshold: 60.0,
    trips: Trips::AtOrAbove,
    remedy: "Add workers; scale them on queue depth",
    value: |cx| if cx.a.jobs.queued { cx.summary.jobs_waiting_s } else { 0.0 },
    fix: |cx| {
        // Sized from the jobs' demand on the workers running, and at least twice the pool when the backlog, not
        // the rate, is what keeps jobs waiting.
        let j = &cx.a.jobs;
        (j.max_workers < 10_000).then(|| {
            let demand = servers_for(cx.summary.workers.max(1), cx.offered(Tier::Workers));
            Fix::Workers { to: demand.max(j.max_workers * 2).min(10_000) }
        })
    },
};

/// Jobs that ran out of retries.
pub(super) const DEAD_LETTERS: Check = Check {
    id: RowId::DeadLetters,
    symptom: "Some jobs never run",
    component: "Retries exhausted",
    metric: "Jobs dead-lettered",
    threshold: 1.0,
    trips: Trips::AtOrAbove,
    remedy: "Inspect the dead-letter queue and replay it once the downstream service is back",
    value: |cx| cx.summary.jobs_dead_lettered,
    fix: |_| None,
};
