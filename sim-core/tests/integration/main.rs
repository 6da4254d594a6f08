//! sim-core's integration tests: one binary, one module per behaviour.
//!
//! - `agreement`: the request-level and aggregate engines give the same steady state.
//! - `theory`: the request-level engine against M/M/1, M/M/c, M/M/c/K, M/D/1 and Little's law.
mod agreement;
mod theory;
