//! Summaries: a series into one [`Summary`] (rates averaged, peaks kept, the hourly price by component), a
//! summary of one moment, and the steady state at the scenario's peak load that the page and the table read.

use std::collections::BTreeMap;

use crate::model::{self, Topology};
use crate::report::{finite, Counts, LatencyMs, Report, Sample, Summary};
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
    let scenario = &topo.scenario;
    let offered = sample.offered_rps.max(0.0);
    let counts = Counts {
        offered,
        served: sample.served_rps,
        rejected: sample.error_rps,
        in_flight: (offered - sample.served_rps - sample.error_rps).max(0.0),
    };
    let mut s = summarize("fluid", scenario, std::slice::from_ref(sample), sample.latency_ms, counts, sample.cost_usd_per_hour, sample)
        .with_bill_of(topo, bill);
    s.error_rate = sample.error_rate;
    s
}

/// Builds a summary from a series: rates and ratios averaged over the run, peaks of utilisation and queues.
pub(crate) fn summarize(
    engine: &str,
    scenario: &Scenario,
    series: &[Sample],
    latency_ms: LatencyMs,
    counts: Counts,
    cost_per_hour: f64,
    last: &Sample,
) -> Summary {
    let n = series.len().max(1) as f64;
    let avg = |f: &dyn Fn(&Sample) -> f64| finite(series.iter().map(f).sum::<f64>() / n);
    let mut utilization = BTreeMap::new();
    let mut offered_utilization = BTreeMap::new();
    let mut tier_latency_ms = BTreeMap::new();
    let mut queue_depth = BTreeMap::new();
    for sample in series {
        for t in &sample.tiers {
            let u = utilization.entry(t.name.clone()).or_insert(0.0f64);
            *u += t.utilization / n;
            let o = offered_utilization.entry(t.name.clone()).or_insert(0.0f64);
            *o += t.offered / n;
            let l = tier_latency_ms.entry(t.name.clone()).or_insert(0.0f64);
            *l += t.latency_ms / n;
            let q = queue_depth.entry(t.name.clone()).or_insert(0.0f64);
            *q = q.max(t.queue);
        }
    }
    let offered_rps = avg(&|s| s.offered_rps);
    Summary {
        engine: engine.to_owned(),
        offered_rps,
        served_rps: avg(&|s| s.served_rps),
        error_rate: if counts.offered > 0.0 { finite(counts.rejected / counts.offered) } else { 0.0 },
        latency_ms,
        utilization,
        offered_utilization,
        tier_latency_ms,
        queue_depth,
        cache_hit_rate: avg(&|s| s.cache_hit_rate),
        cdn_hit_rate: avg(&|s| s.cdn_hit_rate),
        replication_lag_ms: avg(&|s| s.replication_lag_ms),
        stale_read_rate: avg(&|s| s.stale_read_rate),
        sessions_lost: last.sessions_lost,
        instances: last.instances,
        cost_usd_per_hour: finite(cost_per_hour),
        cost_usd_per_month: 0.0,
        cost_usd_per_million_requests: 0.0,
        bill: Default::default(),
        counts,
        cost_usd_per_hour_by_component: by_component(scenario, last),
        jobs_waiting_s: finite(series.iter().map(|s| s.jobs.waiting_s).fold(0.0, f64::max)),
        jobs_dead_lettered: last.jobs.dead_lettered,
        workers: last.jobs.workers,
        shards: scenario.arch.shards.max(1),
        regions: last.regions_up,
        rate_limited_rate: if offered_rps > 0.0 { finite(avg(&|s| s.rate_limited_rps) / offered_rps) } else { 0.0 },
        retry_rate: if offered_rps > 0.0 { finite(avg(&|s| s.retry_rps) / offered_rps) } else { 0.0 },
        wrong_user_rate: if offered_rps > 0.0 { finite(avg(&|s| s.wrong_user_rps) / offered_rps) } else { 0.0 },
        writes_lost: last.writes_lost,
        app_down: last.app_down,
        primaries_down: last.primaries_down,
        internet_exposed: Vec::new(),
    }
}

/// The hourly price of each component at one moment.
pub(crate) fn by_component(scenario: &Scenario, at: &Sample) -> BTreeMap<String, f64> {
    let usage = model::Usage {
        app_instances: at.instances as f64,
        origin_rps: at.edges.origin,
        cdn_rps: at.edges.edge,
        workers: at.jobs.workers,
        jobs_rps: at.jobs.rps,
    };
    // Inserted one by one: collecting into a BTreeMap sorts first, and that sort is code the page would carry.
    let mut out = BTreeMap::new();
    for (k, v) in model::cost_items(scenario, &usage) {
        out.insert(k.to_owned(), finite(v));
    }
    out
}

/// The steady state of `scenario` at its peak load with its starting fleet (no curve, faults or scaling), with
/// exact latency percentiles: what the page shows for the current knobs, and what the bottleneck table reads.
pub fn steady_state(scenario: &Scenario) -> Report {
    steady_state_of(&Topology::new(scenario))
}

/// [`steady_state`] of an already compiled topology.
pub fn steady_state_of(topo: &Topology) -> Report {
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
    let mut report = hold(topo, &s, configured);
    // An auto-scaling group held at the peak runs the fleet its rules settle on there: grown until the CPU is
    // under the scale-out threshold, or shrunk while it is under the scale-in one, within min and max.
    if asg.enabled {
        let n = s.arch.app_servers;
        let offered = report.summary.offered_utilization.get("app").copied().unwrap_or(0.0);
        let settled = crate::policy::scaling::settled_fleet(&asg, n, offered);
        if settled != n {
            s.arch.app_servers = settled;
            report = hold(topo, &s, configured);
        }
    }
    report
}

/// Runs `s` (a variant of `topo`'s scenario without curve, faults or scaling) to its steady state.
fn hold(topo: &Topology, s: &Scenario, configured: &Topology) -> Report {
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
    let sample = engine.sample(true);
    let mut summary =
        summarize("fluid", s, std::slice::from_ref(&sample), sample.latency_ms, engine.counts, sample.cost_usd_per_hour, &sample)
            .with_bill(configured);
    // The state reached, not the fill from empty that led to it.
    summary.offered_rps = sample.offered_rps;
    summary.error_rate = sample.error_rate;
    Report { summary, series: vec![sample] }
}
