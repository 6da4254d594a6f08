//! The planner: the questions an engineer brings to a design review, answered by searching the aggregate
//! engine rather than by rule of thumb.
//!
//! - [`limit`]: how many users does this design serve within a service objective, what breaks first just past
//!   that load, and how far does the table's next fix move the limit?
//! - [`cheapest`]: the lowest monthly bill that meets the objective at a given number of users, over the
//!   journey's stages and the scaling knobs of the components each stage has.
//! - [`compare`]: two scenarios' summaries side by side, every figure with its unit, its change and which way
//!   is better.
//!
//! Every evaluation is the steady state at the scenario's peak load ([`crate::fluid::steady_state`]: no daily
//! curve, no faults, an auto-scaling group at the fleet its rules settle on), the figures the page's headline
//! and table read. Both searches are step machines: each `step()` runs one evaluation, so the page can run a
//! few per frame and keep answering input; `find` runs one to the end, as the CLI and the tests do.

pub mod cheapest;
pub mod compare;
pub mod limit;

use serde::Serialize;

use crate::fluid::{steady_state_fast_of, steady_state_of};
use crate::model::Topology;
use crate::report::Summary;
use crate::{Scenario, ScenarioError};

/// A service objective: the 99th-percentile latency and the share of failed requests a design must stay within
/// (and, always, queued jobs that keep up: none waits over [`MAX_JOB_WAIT_S`]).
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Objective {
    /// The most the 99th-percentile latency may be, in milliseconds.
    pub p99_ms: f64,
    /// The largest share of requests that may fail (0.01 = 1 %).
    pub max_error_rate: f64,
}

impl Default for Objective {
    /// p99 within 200 ms and at most 1 % of requests failing.
    fn default() -> Self {
        Objective { p99_ms: 200.0, max_error_rate: 0.01 }
    }
}

/// Runs a step machine to the end: calls `step` until it gives its answer.
pub(crate) fn run_to_end<T: Clone>(mut step: impl FnMut() -> Option<T>) -> T {
    loop {
        if let Some(answer) = step() {
            return answer;
        }
    }
}

/// The longest a queued job may wait for a worker, in seconds: the table's queue-depth threshold. Part of every
/// objective.
pub const MAX_JOB_WAIT_S: f64 = 60.0;

/// Which target of the objective a summary misses, by the CLI's JSON name, with the value and the target.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Miss {
    /// `"error_rate"`, `"p99_ms"` or `"jobs_waiting_s"`.
    pub metric: &'static str,
    /// What the engine measured.
    pub value: f64,
    /// The objective's target.
    pub target: f64,
}

impl Objective {
    /// An objective from user input, naming the field of a value out of range.
    pub fn new(p99_ms: f64, max_error_rate: f64) -> Result<Objective, ScenarioError> {
        if !(p99_ms.is_finite() && (1.0..=600_000.0).contains(&p99_ms)) {
            return Err(ScenarioError::Invalid {
                field: "p99_ms",
                value: p99_ms.to_string(),
                expected: "a latency from 1 to 600000 milliseconds".to_owned(),
            });
        }
        if !(max_error_rate.is_finite() && (0.0..=1.0).contains(&max_error_rate)) {
            return Err(ScenarioError::Invalid {
                field: "max_errors",
                value: max_error_rate.to_string(),
                expected: "a share of requests from 0 to 1 (0.01 = 1 %)".to_owned(),
            });
        }
        Ok(Objective { p99_ms, max_error_rate })
    }

    /// The target `summary` misses (failures first: a design that drops requests has no latency worth
    /// reporting; then latency; then the jobs' wait), or `None` when it meets the objective. A design that serves
    /// nothing always misses.
    pub fn miss(&self, summary: &Summary) -> Option<Miss> {
        let p99 = summary.latency_ms.p99;
        if summary.served_rps <= 0.0 || summary.error_rate > self.max_error_rate {
            return Some(Miss { metric: "error_rate", value: summary.error_rate, target: self.max_error_rate });
        }
        if p99 > self.p99_ms || !p99.is_finite() {
            return Some(Miss { metric: "p99_ms", value: p99, target: self.p99_ms });
        }
        // Queued jobs are off the request's path, so neither target sees a pool that cannot keep up; a design
        // whose jobs pile up is broken, not cheap.
        (summary.jobs_waiting_s > MAX_JOB_WAIT_S).then_some(Miss {
            metric: "jobs_waiting_s",
            value: summary.jobs_waiting_s,
            target: MAX_JOB_WAIT_S,
        })
    }

    /// Whether `summary` meets the objective.
    pub fn met_by(&self, summary: &Summary) -> bool {
        self.miss(summary).is_none()
    }
}

/// Runs steady states one after another, compiling each scenario from the last one's topology (neighbouring
/// designs share their popularity tables), judges them against the objective, and counts them.
pub(crate) struct Evaluator {
    objective: Objective,
    prev: Option<Topology>,
    /// Evaluations so far.
    pub(crate) count: u32,
}

/// How close the fast p99 may come to the target before the exact inversion decides.
const CLOSE_CALL: f64 = 0.02;

impl Evaluator {
    pub(crate) fn new(objective: Objective) -> Evaluator {
        Evaluator { objective, prev: None, count: 0 }
    }

    fn compile(&mut self, s: &Scenario) -> Topology {
        self.count += 1;
        Topology::new_reusing(s, self.prev.as_ref())
    }

    /// The steady state of `s` at its peak load and whether it meets the objective. Its percentiles are the
    /// fast approximation's (within about 0.01 %), or the exact ones when the p99 or the error share is within
    /// 2 % of its target (timeouts turn the latency tail into errors, so the error share moves with the
    /// approximation too), so every verdict is the one the exact figures give.
    pub(crate) fn judge(&mut self, s: &Scenario) -> (Summary, bool) {
        let topo = self.compile(s);
        let mut summary = steady_state_fast_of(&topo).summary;
        let p99 = summary.latency_ms.p99;
        let close = |value: f64, target: f64| (value - target).abs() <= CLOSE_CALL * target;
        if close(p99, self.objective.p99_ms) || close(summary.error_rate, self.objective.max_error_rate) || !p99.is_finite() {
            summary = steady_state_of(&topo).summary;
        }
        self.prev = Some(topo);
        let met = self.objective.met_by(&summary);
        (summary, met)
    }

    /// The steady state of `s` with exact percentiles: the figures an answer reports.
    pub(crate) fn exact(&mut self, s: &Scenario) -> Summary {
        let topo = self.compile(s);
        let summary = steady_state_of(&topo).summary;
        self.prev = Some(topo);
        summary
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_objective_out_of_range_names_its_field() {
        assert!(Objective::new(200.0, 0.01).is_ok());
        for (p99, errors, field) in
            [(0.0, 0.01, "p99_ms"), (f64::NAN, 0.01, "p99_ms"), (200.0, 1.5, "max_errors"), (200.0, -0.1, "max_errors")]
        {
            let e = Objective::new(p99, errors).unwrap_err();
            assert!(e.to_string().contains(field), "{e}");
        }
    }

    #[test]
    fn a_design_that_serves_nothing_never_meets_an_objective() {
        let mut s = Summary::default();
        assert_eq!(Objective::default().miss(&s).map(|m| m.metric), Some("error_rate"));
        s.served_rps = 10.0;
        s.latency_ms.p99 = 150.0;
        assert!(Objective::default().met_by(&s));
        s.latency_ms.p99 = 250.0;
        assert_eq!(Objective::default().miss(&s), Some(Miss { metric: "p99_ms", value: 250.0, target: 200.0 }));
    }
}
