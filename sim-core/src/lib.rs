//! # sim-core: the simulation behind scalesim
//!
//! A pure library: no I/O, no clock, no DOM. Every run is a function of a [`Scenario`] value and its seed, so the
//! same scenario gives the same numbers in the browser, in the CLI and in tests.
pub mod cache;
pub mod decimal;
pub mod des;
pub mod diagnose;
pub mod dist;
pub mod error;
pub mod fluid;
pub mod instance;
pub mod journey;
pub mod latency;
pub mod model;
pub mod policy;
pub mod query;
pub mod queueing;
pub mod report;
pub mod scenario;
pub mod time;
pub mod traffic;

pub use error::ScenarioError;
pub use scenario::Scenario;
pub use traffic::Traffic;
