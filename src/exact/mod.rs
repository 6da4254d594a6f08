//! Exact mode: sim-core's request-level engine runs the page's scenario in a Web Worker, beside the aggregate
//! engine the page always runs.
//!
//! The worker is a second wasm module (`src/bin/exact-worker.rs`, built by Trunk as a worker). Nothing of it is
//! fetched until exact mode is first asked for; then `public/exact-worker.js` loads it with the build's version in
//! the query (worker files are not content-hashed, so the version busts stale caches). `protocol` has the
//! messages, `worker` the reactor that runs in the worker; this file is the page's side: the state the panel and
//! the charts read, and one task that owns the worker's bridge.
pub mod protocol;
pub mod worker;

use futures::channel::mpsc::{unbounded, UnboundedSender};
use futures::{SinkExt, StreamExt};
use gloo_worker::Spawnable;
use leptos::prelude::*;
use sim_core::agreement::Figures;
use sim_core::des::trace::Trace;
use sim_core::report::Sample;

use protocol::{FromWorker, Job, ToWorker};
use worker::ExactEngine;

/// Where the exact run stands.
#[derive(Clone, Debug, PartialEq)]
pub enum Status {
    /// Exact mode is off.
    Off,
    /// Waiting for the worker's first answer (its module may still be loading).
    Starting,
    /// Simulating: the share of the run done.
    Running(f64),
    /// Stopped by the learner at this simulated second.
    Cancelled(f64),
    /// Complete, with the events simulated and the worker's wall time (ms).
    Done { exact: Figures, aggregate: Figures, events: u64, wall_ms: f64 },
    /// The run cannot be done on the page; the message names the field.
    Refused(String),
}

/// The exact run's state, shared through context.
#[derive(Clone, Copy)]
pub struct Exact {
    /// Whether exact mode is on (the link's `engine=des`).
    pub on: RwSignal<bool>,
    /// The request-level engine's series so far.
    pub series: RwSignal<Vec<Sample>>,
    /// Where the run stands.
    pub status: RwSignal<Status>,
    /// The requests traced so far (spans per hop), oldest first.
    pub traces: RwSignal<Vec<Trace>>,
    /// The request being followed: its waterfall is shown and its path marked on the diagram.
    pub followed: RwSignal<Option<Trace>>,
    /// The job the page waits on; answers to others are dropped.
    job: StoredValue<u32>,
    /// The channel to the task that owns the worker; None until the worker is first needed.
    outbox: StoredValue<Option<UnboundedSender<ToWorker>>, LocalStorage>,
}

impl Exact {
    /// The state, off or on as the link says. Nothing is loaded yet.
    pub fn new(on: bool) -> Exact {
        Exact {
            on: RwSignal::new(on),
            series: RwSignal::new(Vec::new()),
            status: RwSignal::new(Status::Off),
            traces: RwSignal::new(Vec::new()),
            followed: RwSignal::new(None),
            job: StoredValue::new(0),
            outbox: StoredValue::new_local(None),
        }
    }

    /// Starts a run of the scenario `query` (stopping the one running), loading the worker if it is not yet.
    pub fn run(&self, query: String, sample_every: f64) {
        let id = self.job.get_value().wrapping_add(1);
        self.job.set_value(id);
        self.series.set(Vec::new());
        self.traces.set(Vec::new());
        self.followed.set(None);
        if self.outbox.with_value(Option::is_none) {
            if let Err(why) = can_start_worker() {
                self.status.set(Status::Refused(why));
                return;
            }
        }
        self.status.set(Status::Starting);
        self.send(ToWorker::Run(Job { id, query, sample_every }));
    }

    /// Stops the run, keeping what it simulated.
    pub fn cancel(&self) {
        // Answers still on their way belong to a job nobody waits for.
        self.job.set_value(self.job.get_value().wrapping_add(1));
        if let Status::Running(_) | Status::Starting = self.status.get_untracked() {
            let at = self.series.with_untracked(|s| s.last().map_or(0.0, |x| x.t_s));
            self.status.set(Status::Cancelled(at));
        }
        if self.outbox.with_value(Option::is_some) {
            self.send(ToWorker::Cancel);
        }
    }

    /// Leaves exact mode: the run stops and the charts go back to the aggregate engine.
    pub fn leave(&self) {
        self.cancel();
        self.on.set(false);
        self.status.set(Status::Off);
        self.series.set(Vec::new());
        self.traces.set(Vec::new());
        self.followed.set(None);
    }

    fn send(&self, message: ToWorker) {
        if self.outbox.with_value(Option::is_none) {
            let tx = self.connect();
            self.outbox.set_value(Some(tx));
        }
        self.outbox.with_value(|tx| {
            if let Some(tx) = tx {
                let _ = tx.unbounded_send(message);
            }
        });
    }

    /// Spawns the worker and a task that forwards the page's messages to it and its answers to the state.
    fn connect(&self) -> UnboundedSender<ToWorker> {
        let (tx, rx) = unbounded::<ToWorker>();
        let url = worker_url();
        let bridge = ExactEngine::spawner().with_loader(true).as_module(false).spawn(&url);
        let (mut to_worker, from_worker) = bridge.split();
        let this = *self;
        enum Event {
            Out(ToWorker),
            In(FromWorker),
        }
        let mut events = futures::stream::select(rx.map(Event::Out), from_worker.map(Event::In));
        leptos::task::spawn_local(async move {
            while let Some(event) = events.next().await {
                match event {
                    Event::Out(m) => {
                        if to_worker.send(m).await.is_err() {
                            break;
                        }
                    }
                    Event::In(m) => this.receive(m),
                }
            }
        });
        tx
    }

    fn receive(&self, message: FromWorker) {
        let current = self.job.get_value();
        match message {
            FromWorker::Progress { id, samples, done_s, duration_s } if id == current => {
                if !samples.is_empty() {
                    self.series.update(|s| s.extend(samples));
                }
                let share = if duration_s > 0.0 { (done_s / duration_s).clamp(0.0, 1.0) } else { 1.0 };
                self.status.set(Status::Running(share));
            }
            FromWorker::Traces { id, traces } if id == current => self.traces.update(|t| t.extend(traces)),
            FromWorker::Done { id, exact, aggregate, events, wall_ms } if id == current => {
                self.status.set(Status::Done { exact, aggregate, events, wall_ms });
            }
            FromWorker::Refused { id, message } if id == current => self.status.set(Status::Refused(message)),
            _ => {}
        }
    }
}

/// Whether this page may start the worker; if not, why, in words for the panel. A frame sandboxed without
/// `allow-same-origin` has an opaque origin, and a worker must come from the page's own origin; anything else that
/// makes the browser refuse (a host's policy) is found by starting one and stopping it at once. gloo-worker treats
/// a refusal as fatal, so it is asked only once this says yes.
fn can_start_worker() -> Result<(), String> {
    if window().origin() == "null" {
        return Err("Exact mode cannot run in this frame: the lesson embeds scalesim in a sandbox without its own \
                    origin, and a background worker needs one. Open scalesim in its own tab to run it request by \
                    request."
            .to_owned());
    }
    match web_sys::Worker::new(&worker_url()) {
        Ok(probe) => {
            probe.terminate();
            Ok(())
        }
        Err(_) => Err("Exact mode cannot run here: the browser refused to start its background worker (the hosting \
                       page's security policy may forbid workers). The aggregate engine above is unaffected."
            .to_owned()),
    }
}

/// The worker's loader, relative to the page (so the site works from any path), with the build's version.
fn worker_url() -> String {
    let version =
        document().query_selector("meta[name=scalesim-worker]").ok().flatten().and_then(|m| m.get_attribute("content")).unwrap_or_default();
    let base = document().base_uri().ok().flatten().unwrap_or_default();
    let path = format!("public/exact-worker.js?v={version}");
    web_sys::Url::new_with_base(&path, &base).map(|u| u.href()).unwrap_or(path)
}
