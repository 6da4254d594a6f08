//! The limit finder: the most users a scenario serves within an [`Objective`], what breaks first just past that
//! load, and how far the table's next fix there moves the limit.
//!
//! Searched, not guessed: the engine is evaluated on a grid of loads a quarter of a decade apart, from 1 to
//! [`CEILING`] users, and the first step where the objective fails is bisected to 1 %. The whole grid is run
//! so that the answer can say whether it is monotone: a design can fail at one load and pass again at a higher
//! one (an auto-scaling group that steps up a size, a cache that warms as traffic grows). Then the limit is the
//! first failure from below, and [`Limit::meets_again_at`] says where it passes again.

use serde::Serialize;

use super::{Evaluator, Miss, Objective};
use crate::diagnose::{diagnose, first_fix, headline, Fix};
use crate::ids::{RowId, Tier};
use crate::report::Summary;
use crate::Scenario;

/// The largest load searched: ten million users.
pub const CEILING: u64 = 10_000_000;

/// How close the bisection brings the passing and the failing load: within 1 % of each other.
const PRECISION: f64 = 0.01;

/// Steps of the grid per decade.
const PER_DECADE: u32 = 4;

/// The loads the grid evaluates: 1 user, then a quarter of a decade apart up to [`CEILING`].
pub fn grid() -> Vec<u64> {
    let decades = libm::log10(CEILING as f64).round() as u32;
    let mut g: Vec<u64> = (0..=decades * PER_DECADE).map(|k| libm::pow(10.0, k as f64 / PER_DECADE as f64).round() as u64).collect();
    g.dedup();
    g
}

/// A design's headline figures at one load.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Figures {
    /// Users.
    pub users: u64,
    /// 99th-percentile latency in milliseconds.
    pub p99_ms: f64,
    /// Share of requests that failed.
    pub error_rate: f64,
    /// The month's bill in US dollars.
    pub cost_usd_per_month: f64,
}

impl Figures {
    fn of(users: u64, s: &Summary) -> Figures {
        Figures { users, p99_ms: s.latency_ms.p99, error_rate: s.error_rate, cost_usd_per_month: s.cost_usd_per_month }
    }
}

/// What gives out just past the limit: the objective's target missed and the table's row that names the cause.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Breaks {
    /// The load it was seen at (the failing end of the bisection).
    pub users: u64,
    /// The objective's target missed there.
    pub objective: Miss,
    /// The table's row that leads there, if any is live.
    pub row: Option<RowId>,
    /// What is saturated (the row's words; the objective's metric when no row is live).
    pub component: String,
    /// The row's metric.
    pub metric: String,
    /// Its value there.
    pub value: f64,
    /// The value past which the row is live.
    pub threshold: f64,
}

/// The table's fix at the breaking load and the limit with it applied.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NextFix {
    /// The change.
    pub fix: Fix,
    /// In words.
    pub label: String,
    /// The limit with the fix applied.
    pub max_users: u64,
    /// Whether the fixed design still meets the objective at [`CEILING`].
    pub holds_beyond_ceiling: bool,
}

/// The limit finder's answer.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Limit {
    /// The objective searched for.
    pub objective: Objective,
    /// The most users served within the objective (0 when even one user's load misses it; [`CEILING`] when it
    /// holds throughout).
    pub max_users: u64,
    /// The design meets the objective at every load searched, up to [`CEILING`].
    pub holds_beyond_ceiling: bool,
    /// Whether the objective, once missed, stays missed at every higher load of the grid.
    pub monotone: bool,
    /// The first grid load above the limit where the objective is met again (when not monotone).
    pub meets_again_at: Option<u64>,
    /// The figures at the limit.
    pub at_limit: Option<Figures>,
    /// What breaks just past it.
    pub breaks: Option<Breaks>,
    /// The table's next fix there and how far it moves the limit.
    pub next_fix: Option<NextFix>,
    /// Steady states evaluated, the nested search's included.
    pub evaluations: u32,
}

enum Phase {
    Grid(usize),
    Bisect { lo: u64, hi: u64 },
    Explain,
    Fix(Box<LimitSearch>, Fix),
    Done,
}

/// The search as a step machine: [`LimitSearch::step`] runs one evaluation.
pub struct LimitSearch {
    scenario: Scenario,
    objective: Objective,
    eval: Evaluator,
    grid: Vec<u64>,
    /// Whether each grid load met the objective.
    met: Vec<bool>,
    phase: Phase,
    /// The highest passing load below the first failure, with its summary.
    pass: Option<(u64, Summary)>,
    /// The lowest failing load above `pass`, with its summary.
    fail: Option<(u64, Summary)>,
    follow_fix: bool,
    result: Option<Limit>,
}

impl LimitSearch {
    /// A search for `scenario`'s limit under `objective`; it also searches the limit after the next fix.
    pub fn new(scenario: &Scenario, objective: Objective) -> LimitSearch {
        let grid = grid();
        LimitSearch {
            scenario: scenario.clone(),
            objective,
            eval: Evaluator::new(objective),
            met: Vec::with_capacity(grid.len()),
            grid,
            phase: Phase::Grid(0),
            pass: None,
            fail: None,
            follow_fix: true,
            result: None,
        }
    }

    /// How far along the search is, from 0 to 1 (the grid, about seven bisection steps, and the fixed design's
    /// own search).
    pub fn progress(&self) -> f64 {
        let own = self.grid.len() as f64 + 8.0;
        let total = if self.follow_fix { 2.0 * own } else { own };
        match &self.phase {
            Phase::Done => 1.0,
            Phase::Fix(inner, _) => (own + inner.progress() * own) / total,
            _ => (self.eval.count as f64).min(own) / total,
        }
    }

    /// The answer, once the search is done.
    pub fn result(&self) -> Option<&Limit> {
        self.result.as_ref()
    }

    /// Runs the next evaluation; `Some` with the answer once the search is done.
    pub fn step(&mut self) -> Option<&Limit> {
        match std::mem::replace(&mut self.phase, Phase::Done) {
            Phase::Grid(i) => {
                let users = self.grid[i];
                let (summary, ok) = self.eval.judge(&self.scenario.clone().with_users(users));
                self.met.push(ok);
                if self.fail.is_none() {
                    if ok {
                        self.pass = Some((users, summary));
                    } else {
                        self.fail = Some((users, summary));
                    }
                }
                self.phase = if i + 1 < self.grid.len() { Phase::Grid(i + 1) } else { self.after_grid() };
            }
            Phase::Bisect { lo, hi } => {
                let mid = (((lo as f64) * (hi as f64)).sqrt().round() as u64).clamp(lo + 1, hi - 1);
                let (summary, ok) = self.eval.judge(&self.scenario.clone().with_users(mid));
                let (lo, hi) = if ok {
                    self.pass = Some((mid, summary));
                    (mid, hi)
                } else {
                    self.fail = Some((mid, summary));
                    (lo, mid)
                };
                self.phase = Self::bisect_or_explain(lo, hi);
            }
            Phase::Explain => self.explain(),
            Phase::Fix(mut inner, fix) => {
                if inner.step().is_some() {
                    let after = inner.result.take().expect("a finished search has its answer");
                    let r = self.result.as_mut().expect("explained before the fix is searched");
                    r.evaluations += after.evaluations;
                    r.next_fix = Some(NextFix {
                        fix,
                        label: fix.label(),
                        max_users: after.max_users,
                        holds_beyond_ceiling: after.holds_beyond_ceiling,
                    });
                } else {
                    self.phase = Phase::Fix(inner, fix);
                }
            }
            Phase::Done => {}
        }
        if let Some(r) = self.result.as_mut() {
            if matches!(self.phase, Phase::Done) {
                r.evaluations = r.evaluations.max(self.eval.count);
                return self.result.as_ref();
            }
        }
        None
    }

    fn bisect_or_explain(lo: u64, hi: u64) -> Phase {
        if hi <= lo + 1 || hi as f64 <= lo as f64 * (1.0 + PRECISION) {
            Phase::Explain
        } else {
            Phase::Bisect { lo, hi }
        }
    }

    /// After the grid: done when nothing failed, else bisect the first failing step (explain at once when the
    /// first load already fails).
    fn after_grid(&mut self) -> Phase {
        let Some(first) = self.met.iter().position(|ok| !ok) else {
            self.result = Some(Limit {
                objective: self.objective,
                max_users: CEILING,
                holds_beyond_ceiling: true,
                monotone: true,
                meets_again_at: None,
                at_limit: self.pass.as_ref().map(|(u, s)| Figures::of(*u, s)),
                breaks: None,
                next_fix: None,
                evaluations: self.eval.count,
            });
            return Phase::Done;
        };
        if first == 0 {
            Phase::Explain
        } else {
            Self::bisect_or_explain(self.grid[first - 1], self.grid[first])
        }
    }

    /// Reads the table at the failing load, builds the answer, and starts the fixed design's search.
    fn explain(&mut self) {
        let first = self.met.iter().position(|ok| !ok).unwrap_or(self.met.len());
        let meets_again_at = self.met[first..].iter().position(|ok| *ok).map(|k| self.grid[first + k]);
        // The figures reported are the exact ones (the verdicts already were).
        for end in [&mut self.pass, &mut self.fail].into_iter().flatten() {
            end.1 = self.eval.exact(&self.scenario.clone().with_users(end.0));
        }
        let (users, summary) = self.fail.as_ref().expect("a failing load was seen");
        let at = self.scenario.clone().with_users(*users);
        let rows = diagnose(&at, summary);
        // The verdicts were the exact figures', so the failing load misses; should a figure still land on the
        // target itself, the latency target is named rather than nothing.
        let miss = self.objective.miss(summary).unwrap_or(crate::plan::Miss {
            metric: "p99_ms",
            value: summary.latency_ms.p99,
            target: self.objective.p99_ms,
        });
        let culprit = culprit(&miss, self.pass.as_ref().map(|p| &p.1), summary);
        let of_culprit = |capacity: bool| {
            rows.iter().find(|r| {
                r.live && r.id.tier() == culprit && (!capacity || crate::journey::breaking_row(std::slice::from_ref(r)).is_some())
            })
        };
        let row = culprit
            .and_then(|_| of_culprit(true).or_else(|| of_culprit(false)))
            .or_else(|| crate::journey::breaking_row(&rows))
            .or_else(|| headline(&rows));
        let breaks = match row {
            Some(r) => Breaks {
                users: *users,
                objective: miss,
                row: Some(r.id),
                component: r.component.to_owned(),
                metric: r.metric.to_owned(),
                value: r.value,
                threshold: r.threshold,
            },
            None => Breaks {
                users: *users,
                objective: miss,
                row: None,
                component: "End-to-end latency".to_owned(),
                metric: miss.metric.to_owned(),
                value: miss.value,
                threshold: miss.target,
            },
        };
        let fix = row.and_then(|r| r.fix).or_else(|| first_fix(&rows).and_then(|r| r.fix));
        self.result = Some(Limit {
            objective: self.objective,
            max_users: self.pass.as_ref().map_or(0, |p| p.0),
            holds_beyond_ceiling: false,
            monotone: meets_again_at.is_none(),
            meets_again_at,
            at_limit: self.pass.as_ref().map(|(u, s)| Figures::of(*u, s)),
            breaks: Some(breaks),
            next_fix: None,
            evaluations: self.eval.count,
        });
        self.phase = match fix {
            Some(fix) if self.follow_fix => {
                let mut inner = LimitSearch::new(&fix.apply(&self.scenario), self.objective);
                inner.follow_fix = false;
                Phase::Fix(Box::new(inner), fix)
            }
            _ => Phase::Done,
        };
    }
}

/// The tier that gives out first: for a latency miss, the tier on the request's path whose latency rose most
/// from the passing load to the failing one (its queue is what grows at the knee); for failures, the tier whose
/// demand is furthest past its capacity. Queue workers (off the request's path once jobs are queued) and replicas
/// replaying writes (lag, not latency) are left out.
fn culprit(miss: &Miss, pass: Option<&Summary>, fail: &Summary) -> Option<Tier> {
    let on_path = |t: &&Tier| !matches!(t, Tier::Workers | Tier::ReplicaApply);
    let best =
        |score: &dyn Fn(Tier) -> f64| fail.utilization.keys().filter(on_path).copied().max_by(|a, b| score(*a).total_cmp(&score(*b)));
    if miss.metric == "jobs_waiting_s" {
        return Some(Tier::Workers);
    }
    if miss.metric == "error_rate" {
        best(&|t| fail.offered_utilization.get(&t).copied().unwrap_or(0.0))
    } else {
        let before = |t: Tier| pass.and_then(|p| p.tier_latency_ms.get(&t)).copied().unwrap_or(0.0);
        best(&|t| fail.tier_latency_ms.get(&t).copied().unwrap_or(0.0) - before(t))
    }
}

/// Runs the limit finder to the end.
pub fn find(scenario: &Scenario, objective: Objective) -> Limit {
    let mut search = LimitSearch::new(scenario, objective);
    super::run_to_end(|| search.step().cloned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fluid::steady_state;

    #[test]
    fn the_grid_runs_from_one_user_to_the_ceiling_a_quarter_decade_apart() {
        let g = grid();
        assert_eq!((g[0], g[1], g[4], *g.last().unwrap()), (1, 2, 10, CEILING));
        assert!(g.windows(2).all(|w| w[1] > w[0]));
        assert_eq!(g.len(), 29);
    }

    #[test]
    fn the_limit_holds_and_ten_percent_more_does_not() {
        let objective = Objective::default();
        for stage in [1, 3, 6] {
            let s = Scenario::stage(stage);
            let limit = find(&s, objective);
            assert!(limit.monotone && !limit.holds_beyond_ceiling, "stage {stage}: {limit:?}");
            let n = limit.max_users;
            assert!(n > 0, "stage {stage}");
            assert!(objective.met_by(&steady_state(&s.clone().with_users(n)).summary), "stage {stage} at {n}");
            let past = ((n as f64 * 1.1) as u64).max(n + 1);
            assert!(!objective.met_by(&steady_state(&s.clone().with_users(past)).summary), "stage {stage} at {past}");
            let breaks = limit.breaks.expect("something breaks");
            assert!(breaks.users > n && breaks.users <= (n as f64 * 1.01) as u64 + 1, "{breaks:?} vs {n}");
        }
    }

    #[test]
    fn the_single_box_breaks_on_its_cpu_and_the_next_fix_moves_the_limit() {
        let limit = find(&Scenario::stage(1), Objective::default());
        let breaks = limit.breaks.unwrap();
        assert_eq!(breaks.row, Some(RowId::AppCpu), "{breaks:?}");
        let next = limit.next_fix.expect("the table has a fix for the box's CPU");
        assert!(next.max_users > limit.max_users, "{next:?} vs {}", limit.max_users);
    }

    #[test]
    fn the_last_stage_breaks_on_its_services_and_more_instances_move_the_limit() {
        // Stage 12 at its limit: the primary's write share is past its (early-warning) threshold, but what
        // makes p99 miss is the service tier's queue.
        let s = crate::journey::stage_link("v=1&stage=12").unwrap();
        let limit = find(&s, Objective::default());
        assert_eq!(limit.breaks.as_ref().unwrap().row, Some(RowId::Services), "{:?}", limit.breaks);
        let next = limit.next_fix.unwrap();
        assert!(matches!(next.fix, Fix::ServiceInstances { .. }), "{next:?}");
        assert!(next.max_users > limit.max_users, "{next:?} vs {}", limit.max_users);
    }

    #[test]
    fn a_tighter_objective_holds_fewer_users() {
        let s = Scenario::stage(4);
        let loose = find(&s, Objective { p99_ms: 500.0, max_error_rate: 0.05 }).max_users;
        let tight = find(&s, Objective { p99_ms: 50.0, max_error_rate: 0.001 }).max_users;
        assert!(tight <= loose, "{tight} vs {loose}");
    }

    #[test]
    fn an_impossible_objective_holds_no_one_and_says_why() {
        let limit = find(&Scenario::stage(3), Objective { p99_ms: 1.0, max_error_rate: 0.01 });
        assert_eq!(limit.max_users, 0);
        let breaks = limit.breaks.unwrap();
        assert_eq!((breaks.users, breaks.objective.metric), (1, "p99_ms"));
        assert!(limit.at_limit.is_none());
    }

    #[test]
    fn the_step_machine_reports_progress_and_ends() {
        let mut search = LimitSearch::new(&Scenario::stage(2), Objective::default());
        let mut last = 0.0;
        let mut steps = 0;
        while search.step().is_none() {
            let p = search.progress();
            assert!((0.0..=1.0).contains(&p) && p >= last - 1e-9, "{p} after {last}");
            last = p;
            steps += 1;
            assert!(steps < 500, "the search ends");
        }
        assert_eq!(search.progress(), 1.0);
        // One evaluation a step, but for the steps that read the table (and re-run their two ends exactly).
        let evaluations = search.result().unwrap().evaluations as usize;
        assert!(evaluations > 29 && evaluations <= steps + 1 + 4, "{evaluations} evaluations in {steps} steps");
    }
}
