//! # sim-core: the simulation behind scalesim
//!
//! A pure library: no I/O, no clock, no DOM. Every run is a function of a [`Scenario`] value and its seed, so the
//! same scenario gives the same numbers in the browser, in the CLI and in tests.
//!
//! ## The concepts, in calling order
//!
//! 1. **Scenario** ([`scenario`]): what is built and what it faces: the architecture's knobs, the traffic
//!    ([`traffic`]), scheduled faults, duration and seed. [`Scenario::stage`] gives the twelve stages of the
//!    journey from one box to services; [`query`] reads and writes a scenario as a share URL's query string,
//!    naming the field of any bad value; [`journey`] strings scenarios into the five guided journeys.
//! 2. **Topology** ([`model`]): a scenario compiled once into what both engines read: tiers, their sizes and
//!    service times, the cache's and CDN's popularity tables, the stations' M/M/c/K tables ([`tables`]), prices.
//!    The model imports no engine; both engines import it.
//! 3. **Engine**: [`fluid`] integrates rates through exact M/M/c/K stations step by step (fast enough to run as a
//!    slider moves); [`des`] simulates every request as events (slower, for checking the first and for
//!    request-level traces). Rules they share (auto-scaling, health checks, breakers, geo-DNS, outages, rate
//!    limits, …) live once in [`policy`], which both call; [`agreement`] names how closely the two promise to
//!    agree.
//! 4. **Report** ([`report`]): a series of [`report::Sample`]s over simulated time and one
//!    [`report::Summary`]: throughput, error rate, latency percentiles, each tier's busy share, cache and
//!    replica figures, the bill. Both engines hand what they measured to one builder,
//!    [`report::Summary::build`]. Tiers, priced components and table rows are typed names ([`ids`]).
//! 5. **Table** ([`diagnose`]): reads a summary and says which symptom → bottleneck → fix rows are live, each
//!    with a fix that changes the scenario and a kind (outage, capacity, consistency, safety: only the first two
//!    are ever the bottleneck); [`changes`] says in words what a run of fixes has built; [`results`] puts a
//!    summary and its live rows together as `scalesim run --json` and the page's download print them.
//! 6. **Explanations** ([`explain`]): "why this number" for each headline figure and table row — the formula
//!    with the run's values plugged in — and the [`glossary`] of the terms the page uses.
//!
//! Figures are the same to the bit natively and in wasm: transcendental maths goes through the `libm` crate
//! (see [`num`]), and `clippy.toml` forbids the standard library's versions.
//!
//! Time is simulated: nothing here reads a wall clock, so a 24-hour day runs in milliseconds and the same seed
//! always gives the same figures.
//!
//! ```
//! use sim_core::{fluid, Scenario};
//!
//! // Stage 3 (app, database and a cache), 60 simulated seconds, one step per second.
//! let mut scenario = Scenario::stage(3);
//! scenario.duration_s = 60.0;
//! let report = fluid::run(&scenario, fluid::FluidOptions::default());
//!
//! // The simulated clock ends where the scenario does.
//! assert_eq!(report.series.last().unwrap().t_s, 60.0);
//! // A thousand users' load gets through: what is served is what was offered, within 1 %.
//! let s = &report.summary;
//! assert!(s.offered_rps > 0.0 && (s.served_rps - s.offered_rps).abs() < 0.01 * s.offered_rps);
//! // And the table has no live row at this load.
//! assert!(sim_core::diagnose::diagnose(&scenario, s).iter().all(|row| !row.live));
//! ```
pub mod agreement;
pub mod bill;
pub mod cache;
pub mod challenge;
pub mod changes;
pub mod decimal;
pub mod des;
pub mod diagnose;
pub mod dist;
pub mod error;
pub mod explain;
pub mod fluid;
pub mod glossary;
pub mod ids;
pub mod instance;
pub mod journey;
pub mod latency;
pub mod model;
pub mod num;
pub mod plan;
pub mod policy;
pub mod query;
pub mod queueing;
pub mod report;
pub mod results;
pub mod scenario;
pub mod tables;
pub mod time;
pub mod traffic;

pub use error::ScenarioError;
pub use scenario::Scenario;
pub use traffic::Traffic;
