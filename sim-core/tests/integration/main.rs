//! sim-core's integration tests: one binary, one module per behaviour.
//!
//! - `challenges`: each built-in challenge fails untouched, passes with its fix and fails with its decoy.
//! - `cli`: the `scalesim` binary (with the `cli` feature).
//! - `docs`: the README documents every query key.
//! - `golden`: the CLI's JSON for every journey and preset, in both engines, against files under `tests/data/golden/`.
//! - `faults`: each fault shows its effect and the system recovers.
//! - `growth`: the queue, shards, regions, services and resilience patterns against the seeds' claims.
//! - `journeys`: every journey's stages hold their load, and the first fixes walk 1,000 to 1,000,000 users.
//! - `agreement`: the request-level and aggregate engines give the same steady state.
//! - `seeds`: the seeds' figures (cost, cache absorption, hot rows, latencies, lag, auto-scaling's saving).
//! - `plan`: the limit finder's and the cheapest design's answers hold in the engine; `plan` and `compare` in the CLI.
//! - `robustness`: finite outputs, balanced books and forgiving parsing for any input.
//! - `theory`: the request-level engine against M/M/1, M/M/c, M/M/c/K, M/D/1 and Little's law.
//! - `traces`: request traces' spans, topology and sampling, and the run advanced in chunks.
mod agreement;
mod challenges;
mod cli;
mod docs;
mod faults;
mod golden;
mod growth;
mod journeys;
mod plan;
mod robustness;
mod seeds;
mod theory;
mod traces;
