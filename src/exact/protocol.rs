//! The messages between the page and the exact engine's worker. gloo-worker carries them bincode-encoded; the
//! scenario travels as its query string, the page's own record of it, which the worker parses with sim-core.
use serde::{Deserialize, Serialize};
use sim_core::agreement::Figures;
use sim_core::des::trace::Trace;
use sim_core::report::Sample;

/// Most requests an exact run on the page may simulate (about ten seconds of a phone's worker at the worst).
pub const MAX_REQUESTS: f64 = 5_000_000.0;

/// Requests traced per simulated second (the request-level engine keeps the failed and the slowest first).
pub const TRACES_PER_S: u32 = 10;

/// Most traces a run sends the page: a long run sends those of every k-th second only.
pub const MAX_TRACES: f64 = 5_000.0;

/// Simulated seconds between the traced seconds sent for a run of `duration_s` (1: every second).
pub fn traced_every(duration_s: f64) -> u64 {
    (duration_s * f64::from(TRACES_PER_S) / MAX_TRACES).ceil().max(1.0) as u64
}

/// A run for the worker. A new job replaces the one running, which stops at its next chunk.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Job {
    /// The page's number for the job; every answer carries it, so answers to an older job are dropped.
    pub id: u32,
    /// The scenario as its query string.
    pub query: String,
    /// Seconds between series points (the page's resolution, so both engines' charts line up).
    pub sample_every: f64,
}

/// What the page sends.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum ToWorker {
    /// Run this job (stopping any other).
    Run(Job),
    /// Stop the job running.
    Cancel,
}

/// What the worker answers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum FromWorker {
    /// Series points simulated since the last message, and how far the run is.
    Progress { id: u32, samples: Vec<Sample>, done_s: f64, duration_s: f64 },
    /// Requests traced since the last message (spans per hop), for the page's "follow one request".
    Traces { id: u32, traces: Vec<Trace> },
    /// The run is complete: both engines' headline figures for the same scenario and window definitions, the
    /// events the request-level engine processed and the wall time it took (ms).
    Done { id: u32, exact: Figures, aggregate: Figures, events: u64, wall_ms: f64 },
    /// The job cannot run: the message names the field to change.
    Refused { id: u32, message: String },
}

/// Requests a run of `scenario` would simulate at most (its peak rate held for the whole run).
pub fn requests_at_most(scenario: &sim_core::Scenario) -> f64 {
    scenario.traffic.peak_rps() * scenario.duration_s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_runs_send_every_traced_second_and_a_day_stays_within_the_cap() {
        assert_eq!(traced_every(300.0), 1);
        assert_eq!(traced_every(500.0), 1);
        let day = traced_every(86_400.0);
        assert!(86_400.0 / day as f64 * f64::from(TRACES_PER_S) <= MAX_TRACES, "{day}");
    }
}
