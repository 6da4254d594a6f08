//! The cheapest design for N users: the lowest monthly bill that meets an [`Objective`] at that load.
//!
//! A documented heuristic, not an exhaustive search (the space of every knob's every value is far too large to
//! enumerate in the browser). The space it claims:
//! - **starting points**: the current design and every stage of the journey, each facing the current workload
//!   at N users;
//! - **sizing**: from each, the table's capacity fixes are followed as the journeys size their stages
//!   ([`crate::journey::scaled`]: more app servers, replicas, Redis nodes, workers, service instances, shards
//!   once sharded, a bigger database or single box), until no capacity row is live and the objective holds;
//! - **walking down**: one knob at a time — half, a quarter, an eighth … fewer, down to one fewer, app
//!   servers, replicas, Redis nodes, service instances, queue workers, shards, regions and auto-scaling
//!   maximum; the next cheaper app, database and Redis size (of the role's family, never from a steady
//!   machine to a burstable one) — a step is kept when the objective still holds
//!   and the bill falls (or, for a count, does not rise: a ceiling above what a pool uses comes down to what
//!   it needs), until no single step does. A start whose sizing already costs more than the best
//!   design found stops growing there (sizing only adds machines).
//!
//! Its bound: the answer is a local minimum of that walk (no single step down from it is cheaper within the
//! objective), and it never costs more than any sized starting point that met the objective, the journey's own
//! stage sized for N users among them. Kept as the user set them: the
//! workload, the cache TTL and read-your-writes window (they trade correctness, not capacity), the load
//! balancer's algorithm, faults and seed.

use serde::Serialize;

use super::{Evaluator, Objective};
use crate::diagnose::diagnose;
use crate::instance::{InstanceSize, SIZES};
use crate::journey::Journey;
use crate::report::Summary;
use crate::Scenario;

/// Sizing steps per starting point before it is given up.
const MAX_SIZING: u32 = 80;

/// The cheapest design found.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Design {
    /// The objective it meets.
    pub objective: Objective,
    /// The load it was sized for.
    pub users: u64,
    /// The design as a query string (the page's share format); `None` when no design in the space meets the
    /// objective.
    pub scenario: Option<String>,
    /// Its monthly bill in US dollars.
    pub cost_usd_per_month: Option<f64>,
    /// Where the walk started: "your design" or the journey stage's title.
    pub started_from: Option<String>,
    /// The journey stage it started from (1-based), `None` when it started from the current design.
    pub stage: Option<usize>,
    /// What it changes from the current design, in words.
    pub changes: Vec<String>,
    /// Its steady state at `users`.
    pub summary: Option<Summary>,
    /// Steady states evaluated.
    pub evaluations: u32,
    /// Starting points tried.
    pub starting_points: usize,
}

enum Walk {
    /// Sizing `s`, after `steps` fixes.
    Size { s: Scenario, steps: u32 },
    /// Walking down from `best` (costing `cost`): knob `knob` of the round's list, `changed` when the round has
    /// kept a step.
    Down { best: Scenario, cost: f64, knobs: Vec<Knob>, knob: usize, search: Gallop, changed: bool },
}

/// A count knob's search downwards: one fewer first; while steps hold, twice as many fewer each time; after a
/// step fails, bisection between it and the last that held.
#[derive(Clone, Copy, Debug, Default)]
struct Gallop {
    /// How many fewer the next try takes (galloping).
    step: u32,
    /// The highest value seen to miss the objective, once one has.
    bad: Option<u32>,
}

/// A knob the walk down turns.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Knob {
    AppServers,
    AsgMax,
    Replicas,
    RedisNodes,
    ServiceInstances,
    Workers,
    Shards,
    Regions,
    AppSize,
    DbSize,
    RedisSize,
}

impl Knob {
    /// The knobs `s` has, counts first.
    fn of(s: &Scenario) -> Vec<Knob> {
        let a = &s.arch;
        let mut k = vec![if a.autoscaling.enabled { Knob::AsgMax } else { Knob::AppServers }, Knob::Replicas];
        if a.redis_nodes > 0 {
            k.push(Knob::RedisNodes);
        }
        if a.services > 0 {
            k.push(Knob::ServiceInstances);
        }
        if a.jobs.queued {
            k.push(Knob::Workers);
        }
        k.extend([Knob::Shards, Knob::Regions, Knob::AppSize]);
        if a.db_separate {
            k.push(Knob::DbSize);
        }
        if a.redis_nodes > 0 {
            k.push(Knob::RedisSize);
        }
        k
    }

    /// A count knob's value and the least the design needs (one app server, one Redis node while a cache or
    /// sessions use it, one instance of each service, one shard and region, the group's minimum); `None` for a
    /// machine size.
    fn count(self, s: &Scenario) -> Option<(u32, u32)> {
        let a = &s.arch;
        let redis_floor = u32::from(a.cache_ttl_s > 0.0 || a.sessions == crate::scenario::Sessions::Redis);
        Some(match self {
            Knob::AppServers => (a.app_servers, 1),
            Knob::AsgMax => (a.autoscaling.max, a.autoscaling.min.max(1)),
            Knob::Replicas => (a.replicas, 0),
            Knob::RedisNodes => (a.redis_nodes, redis_floor),
            Knob::ServiceInstances => (a.service_instances, 1),
            Knob::Workers => (a.jobs.max_workers, 1),
            Knob::Shards => (a.shards, 1),
            Knob::Regions => (a.regions, 1),
            Knob::AppSize | Knob::DbSize | Knob::RedisSize => return None,
        })
    }

    /// `s` with the knob one step down: a count set to `to`, a machine one price step cheaper. `None` when
    /// there is no such step or it changes nothing.
    fn down(self, s: &Scenario, to: u32) -> Option<Scenario> {
        let mut x = s.clone();
        let a = &mut x.arch;
        match self {
            Knob::AppServers => a.app_servers = to,
            Knob::AsgMax => {
                a.autoscaling.max = to;
                a.autoscaling.desired = a.autoscaling.desired.min(to);
            }
            Knob::Replicas => a.replicas = to,
            Knob::RedisNodes => a.redis_nodes = to,
            Knob::ServiceInstances => a.service_instances = to,
            Knob::Workers => {
                a.jobs.max_workers = to;
                a.jobs.workers = a.jobs.workers.min(to);
            }
            Knob::Shards => a.shards = to,
            Knob::Regions => a.regions = to,
            Knob::AppSize => a.app_size = cheaper(a.app_size, self)?,
            Knob::DbSize => a.db_size = cheaper(a.db_size, self)?,
            Knob::RedisSize => a.redis_size = cheaper(a.redis_size, self)?,
        }
        x.repair();
        (x != *s).then_some(x)
    }
}

/// The search as a step machine: [`CheapestSearch::step`] runs one evaluation.
pub struct CheapestSearch {
    current: Scenario,
    objective: Objective,
    users: u64,
    /// Each starting point: its words, its journey stage (1-based, `None` for the current design), the design.
    starts: Vec<(String, Option<usize>, Scenario)>,
    start: usize,
    walk: Option<Walk>,
    eval: Evaluator,
    /// The cheapest design that met the objective so far: its start's index, scenario, cost and summary.
    best: Option<(usize, Scenario, f64, Summary)>,
    /// The cheapest design this starting point has met the objective with, and its cost.
    start_best: Option<(Scenario, f64)>,
    result: Option<Design>,
}

/// `stage`'s architecture facing `current`'s workload at `users` users: the stage's components and sizes, the
/// current traffic, per-request work, slow-job mix, faults, seed and run length.
fn facing(stage: &Scenario, current: &Scenario, users: u64) -> Scenario {
    let mut s = stage.clone();
    s.traffic = current.traffic.clone();
    s.traffic.users = users;
    s.arch.work = current.arch.work.clone();
    let (j, c) = (&mut s.arch.jobs, &current.arch.jobs);
    (j.share, j.job_ms, j.cpu_ms, j.attempts) = (c.share, c.job_ms, c.cpu_ms, c.attempts);
    s.faults = current.faults.clone();
    s.seed = current.seed;
    s.duration_s = current.duration_s;
    s.repair();
    s
}

impl CheapestSearch {
    /// A search for the cheapest design at `users` users, starting from `current` and from every stage of
    /// `journey`.
    pub fn new(current: &Scenario, journey: &Journey, users: u64, objective: Objective) -> CheapestSearch {
        let mut starts = vec![("your design".to_owned(), None, current.clone().with_users(users))];
        for (i, st) in journey.stages.iter().enumerate() {
            let s = facing(&st.scenario, current, users);
            if starts.iter().all(|(_, _, x)| *x != s) {
                starts.push((format!("stage {}: {}", i + 1, st.title), Some(i + 1), s));
            }
        }
        CheapestSearch {
            current: current.clone(),
            objective,
            users,
            starts,
            start: 0,
            walk: None,
            eval: Evaluator::new(objective),
            best: None,
            start_best: None,
            result: None,
        }
    }

    /// How far along the search is, from 0 to 1, by starting points done.
    pub fn progress(&self) -> f64 {
        if self.result.is_some() {
            return 1.0;
        }
        let within = match &self.walk {
            Some(Walk::Size { steps, .. }) => 0.5 * (*steps as f64 / 20.0).min(1.0),
            Some(Walk::Down { knobs, knob, .. }) => 0.5 + 0.5 * (*knob as f64 / knobs.len().max(1) as f64),
            None => 0.0,
        };
        ((self.start as f64 + within) / self.starts.len() as f64).min(0.999)
    }

    /// The answer, once the search is done.
    pub fn result(&self) -> Option<&Design> {
        self.result.as_ref()
    }

    /// Runs the next evaluation; `Some` with the answer once the search is done.
    pub fn step(&mut self) -> Option<&Design> {
        if self.result.is_some() {
            return self.result.as_ref();
        }
        let walk = match self.walk.take() {
            Some(w) => w,
            None if self.start < self.starts.len() => Walk::Size { s: self.starts[self.start].2.clone(), steps: 0 },
            None => {
                self.finish();
                return self.result.as_ref();
            }
        };
        self.walk = match walk {
            Walk::Size { s, steps } => self.size(s, steps),
            Walk::Down { best, cost, knobs, knob, search, changed } => self.down(best, cost, knobs, knob, search, changed),
        };
        if self.walk.is_none() {
            self.start += 1;
            self.start_best = None;
        }
        None
    }

    /// One sizing step: evaluate `s`; once no capacity row is live and the objective holds, walk down from it;
    /// otherwise follow the next capacity fix (giving up the start when none is left).
    fn size(&mut self, s: Scenario, steps: u32) -> Option<Walk> {
        let (summary, met) = self.eval.judge(&s);
        let rows = diagnose(&s, &summary);
        let capacity_left = crate::journey::breaking_row(&rows).is_some();
        if met {
            self.consider(&s, &summary);
        }
        // Sizing only adds machines: a start already dearer than the best design found cannot beat it by
        // growing, so its walk begins from what it has met the objective with (if anything).
        let dearer = self.best.as_ref().is_some_and(|b| summary.cost_usd_per_month >= b.2);
        if met && !capacity_left || steps >= MAX_SIZING || dearer {
            return self.walk_down_from_best_of_start();
        }
        match crate::journey::scaled(&s, &rows) {
            Some(next) => Some(Walk::Size { s: next, steps: steps + 1 }),
            None => self.walk_down_from_best_of_start(),
        }
    }

    /// Starts the walk down from the cheapest design this start has met the objective with, if any.
    fn walk_down_from_best_of_start(&mut self) -> Option<Walk> {
        let (best, cost) = self.start_best.clone()?;
        Some(Walk::Down { knobs: Knob::of(&best), best, cost, knob: 0, search: Gallop { step: 1, bad: None }, changed: false })
    }

    /// One step down: try the knob's next value; keep it when cheaper and within the objective. A knob is done
    /// when its next step misses (a count: once the step just below the last that held has missed); the round
    /// ends after the last knob, and another begins while a round keeps any step.
    fn down(&mut self, best: Scenario, cost: f64, knobs: Vec<Knob>, knob: usize, search: Gallop, changed: bool) -> Option<Walk> {
        let fresh = Gallop { step: 1, bad: None };
        let Some(&k) = knobs.get(knob) else {
            return changed.then(|| Walk::Down { knobs: Knob::of(&best), best, cost, knob: 0, search: fresh, changed: false });
        };
        let next_knob =
            |best: Scenario, changed| Some(Walk::Down { best, cost, knobs: knobs.clone(), knob: knob + 1, search: fresh, changed });
        let to = match (k.count(&best), search.bad) {
            (Some((n, floor)), None) => n.saturating_sub(search.step).max(floor),
            (Some((n, _)), Some(bad)) => bad + (n - bad) / 2,
            (None, _) => 0,
        };
        let candidate = match k.count(&best) {
            Some((n, _)) if to >= n || search.bad.is_some_and(|bad| bad + 1 >= n) => None,
            _ => k.down(&best, to),
        };
        let Some(candidate) = candidate else { return next_knob(best, changed) };
        let (summary, met) = self.eval.judge(&candidate);
        let c = summary.cost_usd_per_month;
        // A count that lowers nothing on the bill (a ceiling above what the pool or group uses) is still kept
        // when the objective holds: the design states what it needs.
        if met && (c < cost || c <= cost && k.count(&best).is_some()) {
            self.consider(&candidate, &summary);
            let search = Gallop { step: search.step.saturating_mul(2), bad: search.bad };
            return Some(Walk::Down { best: candidate, cost: c, knobs, knob, search, changed: true });
        }
        match k.count(&best) {
            Some(_) => Some(Walk::Down { best, cost, knobs, knob, search: Gallop { step: search.step, bad: Some(to) }, changed }),
            None => next_knob(best, changed),
        }
    }

    /// Keeps `s` if it is the cheapest design within the objective so far.
    fn consider(&mut self, s: &Scenario, summary: &Summary) {
        let cost = summary.cost_usd_per_month;
        if self.start_best.as_ref().is_none_or(|b| cost < b.1) {
            self.start_best = Some((s.clone(), cost));
        }
        if self.best.as_ref().is_none_or(|b| cost < b.2) {
            self.best = Some((self.start, s.clone(), cost, summary.clone()));
        }
    }

    fn finish(&mut self) {
        let mut best = self.best.take();
        // The figures reported are the exact ones (the verdicts already were).
        if let Some(b) = best.as_mut() {
            b.3 = self.eval.exact(&b.1);
        }
        self.result = Some(Design {
            objective: self.objective,
            users: self.users,
            scenario: best.as_ref().map(|b| crate::query::to_query(&b.1)),
            cost_usd_per_month: best.as_ref().map(|b| b.2),
            started_from: best.as_ref().map(|b| self.starts[b.0].0.clone()),
            stage: best.as_ref().and_then(|b| self.starts[b.0].1),
            changes: best.as_ref().map(|b| crate::changes::changes(&self.current, &b.1)).unwrap_or_default(),
            summary: best.map(|b| b.3),
            evaluations: self.eval.count,
            starting_points: self.starts.len(),
        });
    }
}

/// The next cheaper machine than `size` for a role, if there is one: app servers run on EC2 sizes, the database
/// also on RDS ones (`db.`), Redis on ElastiCache ones (`cache.`); a steady machine never steps down to a
/// burstable one (`t3`, whose CPU credits would run out at a steady load).
fn cheaper(size: InstanceSize, role: Knob) -> Option<InstanceSize> {
    let burstable = |z: &InstanceSize| z.name.starts_with("t3") || z.name.starts_with("cache.t3");
    let fits = |z: &InstanceSize| match role {
        Knob::RedisSize => z.name.starts_with("cache."),
        Knob::DbSize => !z.name.starts_with("cache."),
        _ => !z.name.starts_with("cache.") && !z.name.starts_with("db."),
    };
    SIZES
        .iter()
        .copied()
        .filter(|z| z.usd_per_hour < size.usd_per_hour && fits(z) && (burstable(&size) || !burstable(z)))
        .max_by(|a, b| a.usd_per_hour.total_cmp(&b.usd_per_hour))
}

/// The single steps down from `s`: each count knob one lower, each machine one price step cheaper.
#[cfg(test)]
fn moves(s: &Scenario) -> Vec<Scenario> {
    Knob::of(s).into_iter().filter_map(|k| k.down(s, k.count(s).map_or(0, |(n, _)| n.saturating_sub(1)))).collect()
}

/// Runs the search to the end.
pub fn find(current: &Scenario, journey: &Journey, users: u64, objective: Objective) -> Design {
    let mut search = CheapestSearch::new(current, journey, users, objective);
    super::run_to_end(|| search.step().cloned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fluid::steady_state;
    use crate::journey::{journey, size_for};

    #[test]
    fn the_cheapest_design_meets_the_objective_and_costs_no_more_than_the_journeys_own_stage() {
        let objective = Objective::default();
        let j = journey("scalesim").unwrap();
        for (stage, users) in [(1, 20_000), (4, 100_000)] {
            let current = Scenario::stage(stage);
            let d = find(&current, &j, users, objective);
            let q = d.scenario.as_deref().expect("a design within the objective");
            let design = crate::query::parse_strict(q).unwrap();
            let summary = steady_state(&design).summary;
            assert!(objective.met_by(&summary), "stage {stage} at {users}: {summary:?}");
            assert!((summary.cost_usd_per_month - d.cost_usd_per_month.unwrap()).abs() < 1e-6 * summary.cost_usd_per_month.max(1.0));
            // Every stage of the journey, sized for the load the way the journey sizes it: none is cheaper
            // while meeting the objective.
            for st in &j.stages {
                let sized = size_for(&facing(&st.scenario, &current, users));
                let s = steady_state(&sized).summary;
                if objective.met_by(&s) {
                    assert!(
                        d.cost_usd_per_month.unwrap() <= s.cost_usd_per_month + 1e-6,
                        "{} costs ${:.0} within the objective; the planner found ${:.0}",
                        st.title,
                        s.cost_usd_per_month,
                        d.cost_usd_per_month.unwrap()
                    );
                }
            }
        }
    }

    #[test]
    fn no_single_step_down_is_cheaper_and_still_meets_the_objective() {
        let objective = Objective::default();
        let j = journey("scalesim").unwrap();
        let d = find(&Scenario::stage(6), &j, 200_000, objective);
        let design = crate::query::parse_strict(d.scenario.as_deref().unwrap()).unwrap();
        for m in moves(&design) {
            let s = steady_state(&m).summary;
            assert!(!(objective.met_by(&s) && s.cost_usd_per_month < d.cost_usd_per_month.unwrap()), "{:?}", crate::query::to_query(&m));
        }
    }

    #[test]
    fn an_impossible_objective_finds_no_design() {
        let j = journey("scalesim").unwrap();
        let d = find(&Scenario::stage(3), &j, 10_000, Objective { p99_ms: 1.0, max_error_rate: 0.0 });
        assert!(d.scenario.is_none() && d.cost_usd_per_month.is_none() && d.summary.is_none());
        assert!(d.evaluations > 0 && d.starting_points > 1);
    }
}
