//! Rules both engines follow, one file each: small pure functions (or state structs) fed the simulated time and
//! observations, answering decisions. The aggregate engine calls them per step with rates, the request-level
//! engine per event; neither carries its own copy, so a rule cannot drift between them. Tests need no engine.
//!
//! - [`breaker`]: when the circuit breaker around the slow jobs' downstream is open.
//! - [`health`]: when a load balancer's health checks notice a dead server.
//! - [`replica_lag`]: when a lagging replica stops and resumes taking reads.
//! - [`prewarm`]: the instances a pre-warming schedule holds around the daily peak.
//! - [`workers`]: the worker pool's size from queue depth.
pub mod breaker;
pub mod health;
pub mod prewarm;
pub mod replica_lag;
pub mod workers;
