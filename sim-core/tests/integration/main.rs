//! sim-core's integration tests: one binary, one module per behaviour.
//!
//! - `cli`: the `scalesim` binary (with the `cli` feature).
//! - `docs`: the README documents every query key.
//! - `faults`: each fault shows its effect and the system recovers.
//! - `growth`: the queue, shards, regions, services and resilience patterns against the seeds' claims.
//! - `agreement`: the request-level and aggregate engines give the same steady state.
//! - `robustness`: finite outputs, balanced books and forgiving parsing for any input.
//! - `theory`: the request-level engine against M/M/1, M/M/c, M/M/c/K, M/D/1 and Little's law.
mod agreement;
mod cli;
mod docs;
mod faults;
mod growth;
mod robustness;
mod theory;
