//! Rules both engines follow, one file each: small pure functions (or state structs) fed the simulated time and
//! observations, answering decisions. The aggregate engine calls them per step with rates, the request-level
//! engine per event; neither carries its own copy, so a rule cannot drift between them. Tests need no engine.
//!
//! - [`clock`]: the simulated time both kinds of engine pass in (seconds or nanoseconds).
//! - [`scaling`]: the auto-scaling group's scale-out and scale-in decisions.
//! - [`balancer`]: the load balancer's choice of server, and what it does to each server's arrivals.
//! - [`geo_dns`]: which region serves each geography's users.
//! - [`outage`]: how long each fault lasts and which recovery applies.
//! - [`rate_limit`]: the per-user limit and its token bucket.
//! - [`breaker`]: when the circuit breaker around the slow jobs' downstream is open.
//! - [`health`]: when a load balancer's health checks notice a dead server.
//! - [`replica_lag`]: when a lagging replica stops and resumes taking reads.
//! - [`prewarm`]: the instances a pre-warming schedule holds around the daily peak.
//! - [`workers`]: the worker pool's size from queue depth.
//! - [`backup`]: what a restore loses and how long it takes, under each backup policy.
//! - [`edge_cache`]: how often a CDN caching private pages by URL serves one user's page to another.
//! - [`batch`]: when the scheduled batch job runs and what it asks of the database.
pub mod backup;
pub mod balancer;
pub mod batch;
pub mod breaker;
pub mod clock;
pub mod edge_cache;
pub mod geo_dns;
pub mod health;
pub mod outage;
pub mod prewarm;
pub mod rate_limit;
pub mod replica_lag;
pub mod scaling;
pub mod workers;
