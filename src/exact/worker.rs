//! The worker's side: a gloo-worker reactor that runs each job on sim-core's request-level engine, streams its
//! series back, and stops when a newer job (or a cancel) arrives. Compiled into the worker's own module
//! (`src/bin/exact-worker.rs`); the page only names its type to spawn it.
use futures::{FutureExt, SinkExt, StreamExt};
use gloo_worker::reactor::{reactor, ReactorScope};
use sim_core::agreement::Figures;
use sim_core::des::system::{self, DesOptions};
use sim_core::des::trace::Trace;

use crate::format::count;

use super::protocol::{requests_at_most, traced_every, FromWorker, Job, ToWorker, MAX_REQUESTS, TRACES_PER_S};

/// Requests simulated between two looks at the page's messages.
const CHUNK_REQUESTS: f64 = 100_000.0;

/// The reactor: one job at a time; a message that arrives while a job runs ends it and is handled next.
#[reactor]
pub async fn ExactEngine(mut scope: ReactorScope<ToWorker, FromWorker>) {
    let mut next: Option<ToWorker> = None;
    loop {
        let message = match next.take() {
            Some(m) => m,
            None => match scope.next().await {
                Some(m) => m,
                None => return,
            },
        };
        if let ToWorker::Run(job) = message {
            match run(&mut scope, job).await {
                Ok(interrupted) => next = interrupted,
                Err(()) => return,
            }
        }
    }
}

/// Runs `job`, sending its progress; returns the message that interrupted it, if one did (Err: the page is gone).
async fn run(scope: &mut ReactorScope<ToWorker, FromWorker>, job: Job) -> Result<Option<ToWorker>, ()> {
    let id = job.id;
    let scenario = sim_core::query::parse(&job.query).scenario;
    let most = requests_at_most(&scenario);
    if most > MAX_REQUESTS {
        let message = format!(
            "users × requests per user × duration: this run would simulate up to {} requests, and exact mode on the page \
             stops at {}. Lower the users or the duration, or run it with `scalesim run --engine des`.",
            count(most),
            count(MAX_REQUESTS)
        );
        scope.send(FromWorker::Refused { id, message }).await.map_err(|_| ())?;
        return Ok(None);
    }
    let every = job.sample_every.max(1.0);
    // Wall time of the request-level run alone (messages included, the aggregate run after it not), for the
    // panel and the README's figures.
    let started = js_sys::Date::now();
    let mut run = system::Run::new(&scenario, DesOptions { sample_every: every, warmup_fraction: 0.1, traces_per_s: TRACES_PER_S });
    let duration_s = run.duration_s();
    // Chunks of about CHUNK_REQUESTS requests: short enough that a newer job never waits long, long enough that
    // messages stay few.
    let chunk_s = (CHUNK_REQUESTS / scenario.traffic.peak_rps().max(1e-9)).clamp(every, duration_s.max(every));
    let thin = traced_every(duration_s);
    let sent = |traces: &[Trace]| -> Vec<Trace> { traces.iter().filter(|tr| (tr.start_s.max(0.0) as u64) % thin == 0).cloned().collect() };
    let mut taken = 0;
    let mut t = 0.0;
    while !run.done() {
        // A newer job (or a cancel) waiting ends this one.
        if let Some(m) = interrupted(scope).await {
            return Ok(Some(m));
        }
        t = (t + chunk_s).min(duration_s);
        let samples = run.advance(t);
        scope.send(FromWorker::Progress { id, samples, done_s: t, duration_s }).await.map_err(|_| ())?;
        let batch = run.take_traces();
        taken += batch.len();
        let traces = sent(&batch);
        if !traces.is_empty() {
            scope.send(FromWorker::Traces { id, traces }).await.map_err(|_| ())?;
        }
    }
    // The last second's traces are chosen when the run closes.
    let report = run.finish();
    let wall_ms = js_sys::Date::now() - started;
    let last = sent(report.traces.get(taken..).unwrap_or_default());
    if !last.is_empty() {
        scope.send(FromWorker::Traces { id, traces: last }).await.map_err(|_| ())?;
    }
    let aggregate = sim_core::fluid::run(&scenario, sim_core::results::FLUID).summary;
    // How far one run as long as this one strays from the aggregate's stale-read share by chance.
    let window = report.report.summary.measured_window_s;
    let topo = sim_core::model::Topology::new(&scenario);
    let stale_spread = sim_core::agreement::stale_spread(&topo, &aggregate, window.to - window.from);
    let done = FromWorker::Done {
        id,
        exact: Figures::of(&report.report.summary),
        aggregate: Figures { stale_spread, ..Figures::of(&aggregate) },
        events: report.events,
        wall_ms,
    };
    scope.send(done).await.map_err(|_| ())?;
    Ok(None)
}

/// Yields to the worker's event loop once, so that messages the page sent meanwhile are delivered, and returns
/// the first of them, if any.
async fn interrupted(scope: &mut ReactorScope<ToWorker, FromWorker>) -> Option<ToWorker> {
    gloo_timers::future::TimeoutFuture::new(0).await;
    scope.next().now_or_never().flatten()
}
