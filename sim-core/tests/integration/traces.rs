//! Request traces: contiguous per-hop spans that add up to the latency, hops that match the topology, sampling that
//! is reproducible, within its budget and keen on failures, and that never changes the run; a run advanced in
//! chunks is the same run.
use sim_core::des::system::{run as des, DesOptions, DesReport, Hop, NodeKind, Outcome, Run, Trace};
use sim_core::scenario::{Fault, FaultKind, Scenario, STAGES};

/// 1 µs, in milliseconds.
const US: f64 = 1e-3;

fn opts(traces_per_s: u32) -> DesOptions {
    DesOptions { sample_every: 5.0, warmup_fraction: 0.1, traces_per_s }
}

/// Stage `n` at `users` users for `duration_s` seconds.
fn stage(n: u32, users: u64, duration_s: f64) -> Scenario {
    let mut s = Scenario::stage(n).with_users(users);
    s.duration_s = duration_s;
    s
}

fn with_fault(mut s: Scenario, kind: FaultKind, at_s: f64) -> Scenario {
    s.faults = vec![Fault { at_s, kind }];
    s
}

/// Every hop of a trace, fan-out calls included.
fn all_hops(t: &Trace) -> impl Iterator<Item = &Hop> {
    t.hops.iter().flat_map(|h| std::iter::once(h).chain(&h.calls))
}

/// The spans' invariants: contiguous from 0, adding up to the latency; a fan-out's calls start with it and end
/// within it.
fn spans_hold(t: &Trace) -> Result<(), String> {
    let first = t.hops.first().ok_or("no hops")?;
    if first.at_ms.abs() > US {
        return Err(format!("first hop at {} ms", first.at_ms));
    }
    for w in t.hops.windows(2) {
        if (w[1].at_ms - (w[0].at_ms + w[0].duration_ms())).abs() > US {
            return Err(format!("gap between {:?} and {:?}", w[0], w[1]));
        }
    }
    let total: f64 = t.hops.iter().map(Hop::duration_ms).sum();
    if (total - t.latency_ms).abs() > US {
        return Err(format!("hops add up to {total} ms, latency {} ms", t.latency_ms));
    }
    for h in &t.hops {
        if h.net_ms < 0.0 || h.wait_ms < 0.0 || h.service_ms < 0.0 {
            return Err(format!("negative part in {h:?}"));
        }
        for c in &h.calls {
            if (c.at_ms - h.at_ms).abs() > US || c.at_ms + c.duration_ms() > h.at_ms + h.duration_ms() + US {
                return Err(format!("call {c:?} outside its fan-out {:?}", h.node));
            }
        }
        if !h.calls.is_empty() && (h.net_ms != 0.0 || h.wait_ms != 0.0) {
            return Err(format!("a fan-out has network or queue time: {h:?}"));
        }
    }
    if !t.ok && !t.hops.iter().any(|h| h.outcome.failed()) {
        return Err("a failed request with no failed hop".to_owned());
    }
    Ok(())
}

/// The hops match the scenario's topology.
fn topology_holds(s: &Scenario, t: &Trace) -> Result<(), String> {
    let a = &s.arch;
    let kinds: Vec<NodeKind> = all_hops(t).map(|h| h.node.kind).collect();
    let has = |k: NodeKind| kinds.contains(&k);
    if a.replicas == 0 && has(NodeKind::Replica) {
        return Err("a replica hop without replicas".to_owned());
    }
    if (a.redis_nodes == 0 || a.cache_ttl_s <= 0.0) && has(NodeKind::Cache) {
        return Err("a cache hop without a cache".to_owned());
    }
    if !s.has_load_balancer() && has(NodeKind::LoadBalancer) {
        return Err("a load balancer hop without one".to_owned());
    }
    for (i, h) in t.hops.iter().enumerate() {
        if h.node.kind == NodeKind::Cache && matches!(h.outcome, Outcome::Hit | Outcome::Stale) {
            let data = t.hops[i + 1..]
                .iter()
                .take_while(|n| n.attempt == h.attempt)
                .any(|n| matches!(n.node.kind, NodeKind::Primary | NodeKind::Replica | NodeKind::Shards));
            if data {
                return Err("a cache hit followed by the database".to_owned());
            }
        }
    }
    if t.hops.iter().any(|h| h.node.kind == NodeKind::Edge && h.outcome == Outcome::Hit) && t.hops.len() != 1 {
        return Err("a static file from the edge has more than its edge hop".to_owned());
    }
    if all_hops(t).any(|h| h.node.kind == NodeKind::Service && h.node.index >= a.services) {
        return Err("a service index beyond the services".to_owned());
    }
    Ok(())
}

/// Runs `s` with tracing, checks every trace, and returns the run.
fn checked(s: &Scenario, traces_per_s: u32) -> DesReport {
    let r = des(s, opts(traces_per_s));
    assert!(!r.traces.is_empty(), "stage {}: no traces", s.stage);
    for t in &r.traces {
        if let Err(e) = spans_hold(t).and_then(|_| topology_holds(s, t)) {
            panic!("stage {} {:?}: {e}\n{t:#?}", s.stage, s.faults);
        }
    }
    r
}

#[test]
fn every_stage_traces_contiguous_spans_that_match_its_topology() {
    for n in 1..=STAGES {
        checked(&stage(n, 2_000, 40.0), 50);
    }
}

#[test]
fn spans_hold_through_every_fault_with_and_without_retries() {
    for kind in FaultKind::ALL {
        for (n, retries) in [(3, 0), (6, 2), (8, 0), (12, 3)] {
            let mut s = with_fault(stage(n, 3_000, 40.0), kind, 10.0);
            s.arch.resilience.retries = retries;
            checked(&s, 30);
        }
    }
}

#[test]
fn retried_requests_show_each_attempt_and_a_retry_hop() {
    let mut s = with_fault(stage(5, 3_000, 40.0), FaultKind::KillAppServer, 5.0);
    s.arch.resilience.retries = 2;
    let r = checked(&s, 200);
    let retried: Vec<&Trace> = r.traces.iter().filter(|t| t.attempts > 1).collect();
    assert!(!retried.is_empty(), "a killed server behind a load balancer makes clients retry");
    for t in retried {
        assert!(t.hops.iter().any(|h| h.node.kind == NodeKind::Retry && h.outcome == Outcome::Retried), "{t:#?}");
        assert_eq!(t.hops.last().map(|h| h.attempt), Some(t.attempts), "{t:#?}");
    }
}

#[test]
fn a_retry_is_served_in_the_region_that_served_the_first_attempt() {
    // Users on three continents; the heaviest are refused with 429 by a tight rate limit and their clients retry.
    // Each retry goes back to the user's own region (it once went to the first region whatever the user's, which
    // traces made visible).
    let mut s = stage(12, 3_000, 40.0);
    s.arch.resilience.rate_limit_per_min = 1.0;
    s.arch.regions = 3;
    s.traffic.worldwide = true;
    s.arch.resilience.retries = 2;
    let r = checked(&s, 400);
    let app_regions = |t: &Trace| -> Vec<(u32, u8)> {
        t.hops.iter().filter(|h| h.node.kind == NodeKind::App).map(|h| (h.attempt, h.node.region)).collect()
    };
    let retried: Vec<Vec<(u32, u8)>> =
        r.traces.iter().filter(|t| t.attempts > 1).map(app_regions).filter(|a| a.iter().any(|&(k, _)| k > 1)).collect();
    assert!(!retried.is_empty(), "retried requests that reached an app server again");
    assert!(retried.iter().any(|a| a[0].1 != 0), "some retried users are served outside the first region");
    for a in retried {
        assert!(a.iter().all(|&(_, region)| region == a[0].1), "attempts served in different regions: {a:?}");
    }
}

#[test]
fn hedged_service_calls_and_cross_shard_reads_are_traced_as_calls() {
    let mut s = stage(12, 3_000, 30.0);
    s.arch.resilience.hedge = true;
    let r = checked(&s, 200);
    let calls: Vec<&Hop> =
        r.traces.iter().flat_map(|t| &t.hops).filter(|h| h.node.kind == NodeKind::Services).flat_map(|h| &h.calls).collect();
    assert!(calls.iter().all(|c| c.node.kind == NodeKind::Service));
    assert!(calls.iter().any(|c| c.outcome == Outcome::Hedged), "hiccups answered by the hedge");

    let mut s = stage(10, 3_000, 30.0);
    s.arch.cross_shard_share = 0.5;
    let r = checked(&s, 200);
    let scatter: Vec<&Hop> = r.traces.iter().flat_map(|t| &t.hops).filter(|h| h.node.kind == NodeKind::Shards).collect();
    assert!(!scatter.is_empty(), "cross-shard reads");
    for h in scatter {
        assert_eq!(h.calls.len(), s.arch.shards as usize);
        assert!(h.calls.iter().all(|c| matches!(c.node.kind, NodeKind::Primary | NodeKind::Replica)));
    }
}

#[test]
fn slow_jobs_queued_or_inline_through_a_downstream_outage() {
    let queued = with_fault(stage(8, 3_000, 40.0), FaultKind::DownstreamOutage, 5.0);
    let r = checked(&queued, 200);
    assert!(r.traces.iter().flat_map(|t| &t.hops).any(|h| h.node.kind == NodeKind::Queue && h.outcome == Outcome::Accepted));

    let mut inline = queued.clone();
    inline.arch.jobs.queued = false;
    let r = checked(&inline, 200);
    let timed_out = r.traces.iter().flat_map(|t| &t.hops).filter(|h| h.node.kind == NodeKind::Job && h.outcome == Outcome::TimedOut);
    assert!(timed_out.into_iter().all(|h| h.service_ms >= 3_000.0), "the inline job waits out the downstream's timeout");
    assert!(r.traces.iter().flat_map(|t| &t.hops).any(|h| h.node.kind == NodeKind::Job));
}

#[test]
fn sampling_is_reproducible_within_budget_and_prefers_failures() {
    let s = with_fault(stage(5, 3_000, 30.0), FaultKind::KillAppServer, 5.0);
    let a = checked(&s, 10);
    let b = checked(&s, 10);
    assert_eq!(a.traces, b.traces, "same seed, same traces");
    let mut other = s.clone();
    other.seed = 2;
    let c = checked(&other, 10);
    let ids = |r: &DesReport| r.traces.iter().map(|t| t.id).collect::<Vec<u64>>();
    assert_ne!(ids(&a), ids(&c), "another seed, other requests");
    // At most the budget of the requests finishing in each simulated second: a run advanced second by second
    // hands out each second's keepers once it is over.
    let mut run = Run::new(&s, opts(10));
    let mut kept = 0;
    while !run.done() {
        run.advance(run.now_s() + 1.0);
        let n = run.take_traces().len();
        assert!(n <= 10, "{n} traces in the second before {}", run.now_s());
        kept += n;
    }
    assert_eq!(kept, a.traces.len());
    assert!(a.traces.iter().any(|t| !t.ok), "the dead server's failures are kept");
}

#[test]
fn tracing_never_changes_the_run() {
    let mut retries = with_fault(stage(6, 4_000, 30.0), FaultKind::KillDbPrimary, 5.0);
    retries.arch.resilience.retries = 2;
    for s in [
        stage(4, 3_000, 30.0),
        with_fault(stage(5, 4_000, 30.0), FaultKind::KillAppServer, 5.0),
        retries,
        with_fault(stage(8, 3_000, 30.0), FaultKind::DownstreamOutage, 5.0),
        with_fault(stage(12, 3_000, 30.0), FaultKind::RegionOutage, 5.0),
    ] {
        let off = des(&s, opts(0));
        let on = des(&s, opts(100));
        assert!(off.traces.is_empty() && !on.traces.is_empty());
        assert_eq!(off.report, on.report, "stage {}", s.stage);
        assert_eq!(off.events, on.events);
    }
}

#[test]
fn a_run_advanced_in_chunks_is_the_whole_run() {
    let mut s = with_fault(stage(12, 3_000, 60.0), FaultKind::KillAppServer, 10.0);
    s.arch.resilience.retries = 1;
    let whole = des(&s, opts(20));
    let mut run = Run::new(&s, opts(20));
    let (mut series, mut traces) = (Vec::new(), Vec::new());
    for until in [7.0, 7.5, 37.5, 1e9] {
        series.extend(run.advance(until));
        traces.extend(run.take_traces());
        assert!((run.now_s() - until.min(run.duration_s())).abs() < 1e-9);
    }
    assert!(run.done());
    let last = run.finish();
    assert_eq!(last, whole, "chunked == whole");
    assert_eq!(series, whole.report.series, "the points handed out");
    assert_eq!(traces, whole.traces, "the traces handed out");
}

#[test]
fn a_series_point_ending_where_the_warm_up_ends_keeps_its_interval() {
    // 300 s with points every 10 s: the warm-up (10 %) ends on the point at 30 s. That point once divided its
    // counts by a zero-length span (two hundred billion requests a second on the page's chart).
    let s = stage(6, 2_000, 300.0);
    let peak = s.traffic.peak_rps();
    let series = des(&s, DesOptions { sample_every: 10.0, warmup_fraction: 0.1, traces_per_s: 0 }).report.series;
    assert_eq!(series.len(), 30);
    for p in &series {
        assert!(
            p.offered_rps < 1.5 * peak && p.offered_rps > 0.5 * peak,
            "{} s: offered {} req/s at a peak of {peak}",
            p.t_s,
            p.offered_rps
        );
        assert!(p.tiers.iter().all(|t| t.utilization <= 1.0), "{} s", p.t_s);
    }
    let at_30 = series.iter().find(|p| p.t_s == 30.0).expect("the point at 30 s");
    let at_40 = series.iter().find(|p| p.t_s == 40.0).expect("the point at 40 s");
    let app = |p: &sim_core::report::Sample| p.tiers.iter().find(|t| t.name == sim_core::ids::Tier::App).map_or(0.0, |t| t.utilization);
    assert!(app(at_30) > 0.0 && app(at_40) > 0.0, "utilisation on both sides of the warm-up's end");
}

#[test]
fn a_write_that_fails_before_its_slow_job_shows_no_job() {
    // Writes that start a queued job, some sent to a dead server: those fail at the server, and their trace ends
    // there — no job hop for a job that never ran, and a latency without its enqueue time.
    let mut s = with_fault(stage(8, 3_000, 40.0), FaultKind::KillAppServer, 5.0);
    s.arch.jobs.share = 1.0;
    let r = checked(&s, 400);
    let failed: Vec<&Trace> = r
        .traces
        .iter()
        .filter(|t| !t.ok && t.class == sim_core::des::trace::Class::Write && t.hops.iter().any(|h| h.outcome == Outcome::Dead))
        .collect();
    assert!(!failed.is_empty(), "writes refused by the dead server");
    for t in failed {
        assert!(t.hops.iter().all(|h| !matches!(h.node.kind, NodeKind::Queue | NodeKind::Job)), "{t:#?}");
    }
    let saved = r.traces.iter().find(|t| t.ok && t.class == sim_core::des::trace::Class::Write).expect("a saved write");
    assert!(saved.hops.iter().any(|h| h.node.kind == NodeKind::Queue && h.outcome == Outcome::Accepted), "{saved:#?}");
}
