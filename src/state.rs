//! The page's state: the scenario (the single source of truth, mirrored in the URL), what sim-core computes from
//! it, and playback. Components read it from context; the model lives in sim-core, never here.
use leptos::prelude::*;
use sim_core::diagnose::{diagnose, Row};
use sim_core::fluid::{self, Fluid};
use sim_core::model::Topology;
use sim_core::report::{Report, Sample};
use sim_core::Scenario;

/// Series points per run, about one per horizontal pixel of a chart.
pub const POINTS: f64 = 600.0;

/// Engine steps simulated as soon as the scenario changes: a whole 5-minute run.
pub const FIRST_SLICE: u32 = 300;

/// The page's address as last written to the address bar (after the short delay that follows a change).
#[derive(Clone, Copy)]
pub struct Address(pub RwSignal<String>);

/// Shared handles to the page's state.
#[derive(Clone, Copy)]
pub struct Sim {
    /// The scenario being shown.
    pub scenario: RwSignal<Scenario>,
    /// Notices from reading the URL (fields clamped, ignored or defaulted).
    pub notices: RwSignal<Vec<String>>,
    /// Steady state at the current knobs (exact percentiles).
    pub steady: Memo<Report>,
    /// The live run's series so far.
    pub series: RwSignal<Vec<Sample>>,
    /// How much of the live run is simulated, from 0 to 1.
    pub progress: RwSignal<f64>,
    /// Simulated second the playback cursor is at.
    pub cursor: RwSignal<f64>,
    /// Whether playback is running.
    pub playing: RwSignal<bool>,
    /// Simulated seconds per real second.
    pub speed: RwSignal<f64>,
    /// The sample at the cursor (the live run's, or the steady state before the run reaches the cursor).
    pub now: Memo<Sample>,
    /// The symptom → bottleneck → fix table at the cursor.
    pub rows: Memo<Vec<Row>>,
    engine: StoredValue<Option<Fluid>>,
    /// The scenario compiled for the steady state, kept for what else reads the topology (the explanations).
    compiled: StoredValue<Option<Topology>>,
}

impl Sim {
    /// Creates the state for `scenario` and starts its run.
    pub fn new(scenario: Scenario, notices: Vec<String>) -> Sim {
        let scenario = RwSignal::new(scenario);
        // Compiling a scenario is the costly part of a change: do it once for the steady state and the run.
        let compiled: StoredValue<Option<Topology>> = StoredValue::new(None);
        let steady = Memo::new(move |_| {
            let topo = compiled.with_value(|prev| Topology::new_reusing(&scenario.get(), prev.as_ref()));
            let report = fluid::steady_state_of(&topo);
            compiled.set_value(Some(topo));
            report
        });
        let series = RwSignal::new(Vec::<Sample>::new());
        let cursor = RwSignal::new(0.0);
        // A steady scenario (no daily curve, faults or scaling) shows its exact steady state, the numbers
        // `scalesim run` prints for the same URL; otherwise the run's point at the cursor.
        let steady_scenario =
            Memo::new(move |_| scenario.with(|s| !s.traffic.daily_curve && s.faults.is_empty() && !s.arch.autoscaling.enabled));
        let now = Memo::new(move |_| {
            let c = cursor.get();
            let from_run = if steady_scenario.get() { None } else { series.with(|s| at_cursor(s, c)) };
            from_run.unwrap_or_else(|| steady.with(|r| r.series[0].clone()))
        });
        let rows = Memo::new(move |_| {
            let s = scenario.get();
            // The month's bill depends on the scenario alone: the steady state has priced it already.
            let bill = steady.with(|r| r.summary.bill.clone());
            let judge = |topo: &Topology| now.with(|sample| diagnose(&s, &fluid::moment_summary(topo, sample, bill)));
            // The compiled topology of this scenario (the steady state's), borrowed, or compiled if it is not yet.
            compiled.with_value(|t| match t.as_ref().filter(|t| t.scenario == s) {
                Some(topo) => judge(topo),
                None => judge(&Topology::new(&s)),
            })
        });
        let sim = Sim {
            scenario,
            notices: RwSignal::new(notices),
            steady,
            series,
            progress: RwSignal::new(0.0),
            cursor,
            playing: RwSignal::new(false),
            speed: RwSignal::new(10.0),
            now,
            rows,
            engine: StoredValue::new(None),
            compiled,
        };
        // A new scenario restarts the run from zero (the cursor stays where it is) and simulates its first
        // stretch at once, so the charts follow the change in the same update.
        Effect::new(move |_| {
            let s = scenario.get();
            steady.track();
            let topo = compiled.get_value().filter(|t| t.scenario == s).unwrap_or_else(|| Topology::new(&s));
            sim.engine.set_value(Some(Fluid::with_topology(topo, 1.0)));
            series.set(Vec::new());
            sim.pump(FIRST_SLICE);
        });
        sim
    }

    /// Runs `f` on the current scenario's compiled topology (the steady state's, or compiled afresh if it is not
    /// ready yet). Tracks the scenario and the steady state, so a reactive caller follows both.
    pub fn with_topology<R>(&self, f: impl FnOnce(&Topology) -> R) -> R {
        self.steady.track();
        let s = self.scenario.get();
        let mut f = Some(f);
        let out = self.compiled.with_value(|t| t.as_ref().filter(|t| t.scenario == s).map(|t| (f.take().expect("called once"))(t)));
        match out {
            Some(r) => r,
            None => (f.take().expect("called once"))(&Topology::new(&s)),
        }
    }

    /// Seconds between series points for the current run.
    pub fn sample_every(&self) -> f64 {
        (self.scenario.with_untracked(|s| s.duration_s) / POINTS).max(1.0).round()
    }

    /// Advances the live run by at most `steps_budget` engine steps (sim-core has no clock, so work is counted in
    /// steps), stopping at the end of the run. Returns whether the run is complete.
    pub fn pump(&self, steps_budget: u32) -> bool {
        let duration = self.scenario.with_untracked(|s| s.duration_s);
        let every = self.sample_every() as u64;
        let mut fresh = Vec::new();
        let mut done = false;
        let mut progress = 1.0;
        self.engine.update_value(|engine| {
            let Some(engine) = engine else {
                done = true;
                return;
            };
            for _ in 0..steps_budget {
                if engine.now() >= duration {
                    done = true;
                    break;
                }
                engine.step();
                if (engine.now().round() as u64) % every == 0 {
                    fresh.push(engine.sample(false));
                }
            }
            progress = if done || duration <= 0.0 { 1.0 } else { (engine.now() / duration).min(1.0) };
        });
        // Set only when it moves: the pump ticks on after the run is complete.
        if self.progress.get_untracked() != progress {
            self.progress.set(progress);
        }
        if !fresh.is_empty() {
            self.series.update(|s| s.extend(fresh));
        }
        done
    }
}

/// The first sample at or after `cursor`, or the last one before it when the run has not reached it yet.
fn at_cursor(series: &[Sample], cursor: f64) -> Option<Sample> {
    if series.is_empty() {
        return None;
    }
    let i = series.partition_point(|s| s.t_s < cursor);
    if i >= series.len() {
        // The run has not reached the cursor.
        return None;
    }
    Some(series[i].clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(t: f64) -> Sample {
        let mut s = fluid::steady_state(&Scenario::stage(1)).series[0].clone();
        s.t_s = t;
        s
    }

    #[test]
    fn cursor_picks_the_first_sample_at_or_after_it() {
        let series: Vec<Sample> = [1.0, 2.0, 3.0].into_iter().map(sample).collect();
        assert_eq!(at_cursor(&series, 0.0).unwrap().t_s, 1.0);
        assert_eq!(at_cursor(&series, 1.5).unwrap().t_s, 2.0);
        assert!(at_cursor(&series, 3.5).is_none());
        assert!(at_cursor(&[], 0.0).is_none());
    }
}
