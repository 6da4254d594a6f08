//! Summaries: a series into one [`Summary`] (rates averaged, peaks kept, the hourly price by component), a
//! summary of one moment, and the steady state at the scenario's peak load that the page and the table read.

use crate::ids::Tier;
use crate::model::Topology;
use crate::report::{finite, Counts, LatencyMs, Measured, Report, Sample, Summary, TierFigures};
use crate::scenario::Scenario;

use super::Fluid;

/// A summary of one moment of `topo`'s scenario, for judging the system at that moment (the bottleneck table
/// reads it).
pub fn summary_of(topo: &Topology, sample: &Sample) -> Summary {
    moment_summary(topo, sample, crate::bill::month(topo))
}

/// [`summary_of`] with the scenario's month's `bill` already worked out: what the page's table reads at every
/// move of the cursor, pricing the month once per scenario rather than once per moment.
pub fn moment_summary(topo: &Topology, sample: &Sample, bill: crate::bill::Bill) -> Summary {
    let counts = one_second(sample);
    let m = measured(&topo.scenario, std::slice::from_ref(sample), sample.latency_ms, counts, sample.cost_usd_per_hour, sample);
    Summary::build(topo, moment(m, sample), bill)
}

/// One second's requests at `sample`'s rates: the counts of a moment's summary.
fn one_second(sample: &Sample) -> Counts {
    Counts { offered: sample.offered_rps.max(0.0), served: sample.served_rps, rejected: sample.error_rps, in_flight: 0.0 }
}

/// `m` as the summary of the moment `sample`: its window is the second ending there, with that second's counts.
fn moment<'a>(mut m: Measured<'a>, sample: &Sample) -> Measured<'a> {
    m.window = crate::report::Span { from: (sample.t_s - 1.0).max(0.0), to: sample.t_s };
    m.window_counts = one_second(sample);
    m
}

/// What the aggregate engine measured over `series`: rates and ratios averaged over its samples, peaks of
/// queues, the error share from `counts`; `ran` is the scenario as run and `last` the moment the window ends.
pub(crate) fn measured<'a>(
    ran: &'a Scenario,
    series: &[Sample],
    latency_ms: LatencyMs,
    counts: Counts,
    cost_per_hour: f64,
    last: &'a Sample,
) -> Measured<'a> {
    let n = series.len().max(1) as f64;
    let avg = |f: &dyn Fn(&Sample) -> f64| finite(series.iter().map(f).sum::<f64>() / n);
    let mut tiers = TierFigures::default();
    for sample in series {
        for t in &sample.tiers {
            *tiers.utilization.entry(t.name).or_insert(0.0) += t.utilization / n;
            *tiers.offered_utilization.entry(t.name).or_insert(0.0) += t.offered / n;
            *tiers.tier_latency_ms.entry(t.name).or_insert(0.0) += t.latency_ms / n;
            let q = tiers.queue_depth.entry(t.name).or_insert(0.0f64);
            *q = q.max(t.queue);
        }
    }
    let offered_rps = avg(&|s| s.offered_rps);
    let share = |f: &dyn Fn(&Sample) -> f64| if offered_rps > 0.0 { finite(avg(f) / offered_rps) } else { 0.0 };
    Measured {
        engine: "fluid",
        offered_rps,
        served_rps: avg(&|s| s.served_rps),
        latency_ms,
        tiers,
        cache_hit_rate: avg(&|s| s.cache_hit_rate),
        cdn_hit_rate: avg(&|s| s.cdn_hit_rate),
        replication_lag_ms: avg(&|s| s.replication_lag_ms),
        stale_read_rate: avg(&|s| s.stale_read_rate),
        rate_limited_rate: share(&|s| s.rate_limited_rps),
        retry_rate: share(&|s| s.retry_rps),
        wrong_user_rate: share(&|s| s.wrong_user_rps),
        cost_usd_per_hour: cost_per_hour,
        jobs_waiting_s: series.iter().map(|s| s.jobs.waiting_s).fold(0.0, f64::max),
        jobs_dead_lettered: last.jobs.dead_lettered,
        counts,
        // The aggregate engine has no warm-up: its figures cover the whole run.
        window: crate::report::Span { from: 0.0, to: last.t_s },
        window_counts: counts,
        last,
        ran,
    }
}

/// The steady state of `scenario` at its peak load with its starting fleet (no curve, faults or scaling), with
/// exact latency percentiles: what the page shows for the current knobs, and what the bottleneck table reads.
pub fn steady_state(scenario: &Scenario) -> Report {
    steady_state_of(&Topology::new(scenario))
}

/// [`steady_state`] of an already compiled topology.
pub fn steady_state_of(topo: &Topology) -> Report {
    steady_state_with(topo, true)
}

/// [`steady_state_of`] with the latency percentiles from the fast approximation (within about 0.01 % of the
/// exact ones, several times quicker): for searches that run hundreds of steady states and check the close
/// calls exactly.
pub fn steady_state_fast_of(topo: &Topology) -> Report {
    steady_state_with(topo, false)
}

fn steady_state_with(topo: &Topology, exact: bool) -> Report {
    // The bill is the scenario's as configured (its auto-scaling included), not the held moment's.
    let configured = topo;
    let mut s = topo.scenario.clone();
    s.traffic.daily_curve = false;
    s.faults.clear();
    let asg = s.arch.autoscaling.clone();
    if asg.enabled {
        s.arch.app_servers = asg.desired;
        s.arch.autoscaling.enabled = false;
    }
    let mut report = hold(topo, &s, configured, exact);
    // An auto-scaling group held at the peak runs the fleet its rules settle on there: grown until the CPU is
    // under the scale-out threshold, or shrunk while it is under the scale-in one, within min and max.
    if asg.enabled {
        let n = s.arch.app_servers;
        let offered = report.summary.offered_utilization.get(&Tier::App).copied().unwrap_or(0.0);
        let settled = crate::policy::scaling::settled_fleet(&asg, n, offered);
        if settled != n {
            s.arch.app_servers = settled;
            report = hold(topo, &s, configured, exact);
        }
    }
    report
}

/// Runs `s` (a variant of `topo`'s scenario without curve, faults or scaling) to its steady state.
fn hold(topo: &Topology, s: &Scenario, configured: &Topology, exact: bool) -> Report {
    let mut topo = topo.clone();
    topo.scenario = s.clone();
    let mut engine = Fluid::with_topology(topo, 1.0);
    engine.hold_peak = true;
    for _ in 0..600 {
        engine.step();
        if engine.settled && engine.t >= 3.0 {
            break;
        }
    }
    let sample = engine.sample(exact);
    let m = measured(s, std::slice::from_ref(&sample), sample.latency_ms, engine.counts, sample.cost_usd_per_hour, &sample);
    let mut summary = Summary::build(configured, moment(m, &sample), crate::bill::month(configured));
    // The state reached, not the fill from empty that led to it.
    summary.offered_rps = sample.offered_rps;
    Report { summary, series: vec![sample] }
}
