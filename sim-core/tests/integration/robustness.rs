//! Whatever the scenario, both engines keep their books and their numbers: offered = served + rejected +
//! in flight, and no output is NaN or infinite. Scenarios come from proptest, including overloads, faults and
//! daily curves; query strings come mangled.
use proptest::prelude::*;
use sim_core::des::system::{run as des, DesOptions};
use sim_core::fluid::{run as fluid, FluidOptions};
use sim_core::query;
use sim_core::report::{Report, Sample, Summary};
use sim_core::scenario::{Fault, FaultKind, Scenario, STAGES};

fn all_finite_summary(s: &Summary) -> Result<(), String> {
    let v = serde_json::to_value(s).map_err(|e| e.to_string())?;
    check_value("summary", &v)
}

fn all_finite_sample(s: &Sample) -> Result<(), String> {
    let v = serde_json::to_value(s).map_err(|e| e.to_string())?;
    check_value("sample", &v)
}

/// serde_json writes NaN and infinities as null: any null number is a failure.
fn check_value(path: &str, v: &serde_json::Value) -> Result<(), String> {
    match v {
        serde_json::Value::Null => Err(format!("{path} is not a finite number")),
        serde_json::Value::Object(m) => m.iter().try_for_each(|(k, v)| check_value(&format!("{path}.{k}"), v)),
        serde_json::Value::Array(a) => a.iter().enumerate().try_for_each(|(i, v)| check_value(&format!("{path}[{i}]"), v)),
        _ => Ok(()),
    }
}

fn check_report(r: &Report) -> Result<(), String> {
    all_finite_summary(&r.summary)?;
    r.series.iter().try_for_each(all_finite_sample)?;
    let c = r.summary.counts;
    let gap = (c.offered - c.served - c.rejected - c.in_flight).abs();
    if gap > 1e-6 * c.offered.max(1.0) {
        return Err(format!("books do not balance: {c:?}"));
    }
    if c.served < 0.0 || c.rejected < 0.0 || c.in_flight < -1e-6 {
        return Err(format!("negative count: {c:?}"));
    }
    Ok(())
}

prop_compose! {
    fn scenario()(
        stage in 1..=STAGES,
        users in prop_oneof![1u64..100, 100u64..20_000, 20_000u64..10_000_000],
        ttl in prop_oneof![Just(0.0), 1.0f64..3_600.0],
        replicas in 0u32..=10,
        app in 1u32..=12,
        sticky in any::<bool>(),
        curve in any::<bool>(),
        asg in any::<bool>(),
        fault in prop::option::of((0.0f64..120.0, prop::sample::select(FaultKind::ALL.to_vec()))),
        seed in any::<u64>(),
        rw in 0.1f64..100.0,
        zipf in 0.0f64..1.5,
        later in (0.0f64..=1.0, any::<bool>(), 1u32..=64, 1u32..=3, any::<bool>(), 0u32..=20, 0u32..=5, any::<bool>()),
        limits in (prop_oneof![Just(0.0), 0.1f64..1_000.0], any::<bool>(), any::<bool>(), any::<bool>(), 1u32..=64, any::<bool>(), any::<bool>()),
    ) -> Scenario {
        let mut s = Scenario::stage(stage).with_users(users);
        s.arch.replicas = replicas;
        s.arch.app_servers = app;
        s.arch.autoscaling.enabled = asg;
        if stage >= 4 { s.arch.cache_ttl_s = ttl; }
        if sticky { s.arch.sessions = sim_core::scenario::Sessions::Sticky; }
        s.traffic.daily_curve = curve;
        s.traffic.read_write_ratio = rw;
        s.traffic.zipf_alpha = zipf;
        // The later stages' components, at random.
        let (jobs, queued, shards, regions, world, services, retries, breaker) = later;
        let (rate_limit, lb_ha, pool, coalesce, workers, hedge, invalidate) = limits;
        s.arch.jobs.share = jobs;
        s.arch.jobs.queued = queued;
        s.arch.jobs.workers = workers;
        s.arch.shards = shards;
        s.arch.regions = regions;
        s.traffic.worldwide = world;
        s.arch.services = services;
        s.arch.resilience = sim_core::scenario::Resilience { retries, circuit_breaker: breaker, rate_limit_per_min: rate_limit, lb_ha, db_pool: pool, hedge };
        s.arch.cache_coalescing = coalesce;
        s.arch.cache_invalidate = invalidate;
        s.repair();
        s.faults = fault.map(|(at_s, kind)| vec![Fault { at_s, kind }]).unwrap_or_default();
        s.seed = seed;
        s.duration_s = 120.0;
        s
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, .. ProptestConfig::default() })]

    #[test]
    fn fluid_outputs_are_finite_and_balanced(s in scenario()) {
        let r = fluid(&s, FluidOptions { dt: 1.0, sample_every: 5.0 });
        prop_assert!(check_report(&r).is_ok(), "{:?}", check_report(&r));
    }

    #[test]
    fn des_outputs_are_finite_and_balanced(mut s in scenario()) {
        // Keep the request count small enough for a quick test.
        s.traffic.users = s.traffic.users.min(3_000);
        s.duration_s = 60.0;
        let r = des(&s, DesOptions { sample_every: 5.0, warmup_fraction: 0.1, traces_per_s: 20 });
        prop_assert!(check_report(&r.report).is_ok(), "{:?}", check_report(&r.report));
        prop_assert!(r.traces.iter().all(|t| t.latency_ms.is_finite()));
    }

}

proptest! {
    // Parsing is cheap: thousands of mangled links.
    #![proptest_config(ProptestConfig { cases: 4_000, .. ProptestConfig::default() })]

    #[test]
    fn mangled_query_strings_never_panic_and_keep_what_they_can(raw in ".{0,300}", users in 1u64..10_000_000) {
        let parsed = query::parse(&raw);
        prop_assert!(query::validate(&parsed.scenario).is_ok(), "{:?}", query::validate(&parsed.scenario));
        // A good field survives next to garbage ('?' and '#' would make the garbage a path or a fragment).
        let mixed = format!("{}&users={users}", raw.replace(['?', '#'], "_"));
        let p = query::parse(&mixed);
        prop_assert_eq!(p.scenario.traffic.users, users);
    }

    #[test]
    fn links_with_every_key_mangled_never_panic(
        pairs in prop::collection::vec((prop::sample::select(sim_core::query::FIELDS.iter().map(|f| f.key).chain(["v", "stage", "embed", "lock"]).collect::<Vec<_>>()), ".{0,12}"), 0..30)
    ) {
        let text: String = pairs.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("&");
        let parsed = query::parse(&text);
        prop_assert!(query::validate(&parsed.scenario).is_ok());
        let again = query::parse(&query::to_query(&parsed.scenario));
        prop_assert!(again.notices.is_empty());
        prop_assert_eq!(again.scenario, parsed.scenario);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, .. ProptestConfig::default() })]

    #[test]
    fn written_scenarios_read_back_identically(s in scenario()) {
        let mut s = s;
        s.repair();
        let text = query::to_query(&s);
        let back = query::parse(&text);
        prop_assert!(back.notices.is_empty(), "{:?}", back.notices);
        prop_assert_eq!(back.scenario, s);
    }
}

#[test]
fn a_dead_single_server_fails_every_request_and_still_balances() {
    let mut s = Scenario::stage(1);
    s.faults = vec![Fault { at_s: 10.0, kind: FaultKind::KillAppServer }];
    s.duration_s = 60.0;
    let r = fluid(&s, FluidOptions::default());
    check_report(&r).unwrap();
    assert!(r.series.last().unwrap().error_rate > 0.99, "after the only server dies nothing is answered");
    let d = des(&s, DesOptions::default());
    check_report(&d.report).unwrap();
    assert!(d.report.series.last().unwrap().error_rate > 0.99);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3_000, .. ProptestConfig::default() })]

    /// A value a key does not take is named: the notice's field is the key. Values are drawn to hit the edges:
    /// numbers far out of range, negative, fractional, huge, NaN and infinity spelt out, markup, and junk.
    #[test]
    fn every_rejected_value_is_named_by_its_key(
        key in prop::sample::select(sim_core::query::FIELDS.iter().map(|f| f.key).collect::<Vec<_>>()),
        value in prop_oneof![
            any::<f64>().prop_map(|x| x.to_string()),
            any::<i64>().prop_map(|x| x.to_string()),
            (0u32..40).prop_map(|n| "9".repeat(n as usize + 1)),
            prop::sample::select(vec!["NaN", "inf", "-inf", "1e400", "-0", "0x10", "<script>", "1,5", " 3", "", "true"]).prop_map(str::to_owned),
            "[a-z0-9@,._-]{0,12}",
        ],
    ) {
        let text = format!("{key}={}", query::encode(&value));
        let parsed = query::parse(&text);
        // A refused or clamped value names its key; a value taken may move another field to keep the two
        // consistent (out_cpu below in_cpu moves in_cpu), and that notice names the field it moved.
        for n in &parsed.notices {
            let consequence = matches!(n, sim_core::ScenarioError::Inconsistent { .. });
            prop_assert!(consequence || n.field() == key, "{} gave a notice about another field: {}", text, n);
        }
        // What was taken prints and reads back as itself.
        let again = query::parse(&query::to_query(&parsed.scenario));
        prop_assert!(again.notices.is_empty(), "{:?}", again.notices);
        prop_assert_eq!(again.scenario, parsed.scenario);
    }
}

/// Conservation, finiteness, the error share's window and determinism for every built-in stage, with no fault and
/// with each fault, in both engines. Loads are kept small enough that the request-level engine stays quick: the
/// point is every combination, not the load.
#[test]
fn every_stage_fault_and_engine_keeps_its_books_and_repeats_itself() {
    let faults = std::iter::once(None).chain(FaultKind::ALL.iter().copied().map(Some));
    let mut combinations = 0;
    for kind in faults {
        for stage in 1..=STAGES {
            let mut s = Scenario::stage(stage).with_users(2_000);
            s.duration_s = 120.0;
            s.faults = kind.map(|kind| vec![Fault { at_s: 40.0, kind }]).unwrap_or_default();
            s.repair();
            let name = format!("stage {stage} with {}", kind.map_or("no fault", |k| k.name()));
            let f1 = fluid(&s, FluidOptions { dt: 1.0, sample_every: 10.0 });
            let f2 = fluid(&s, FluidOptions { dt: 1.0, sample_every: 10.0 });
            let d1 = des(&s, DesOptions { sample_every: 10.0, warmup_fraction: 0.1, traces_per_s: 0 }).report;
            let d2 = des(&s, DesOptions { sample_every: 10.0, warmup_fraction: 0.1, traces_per_s: 0 }).report;
            for (engine, r, again) in [("fluid", &f1, &f2), ("des", &d1, &d2)] {
                check_report(r).unwrap_or_else(|e| panic!("{name}, {engine}: {e}"));
                assert_eq!(r, again, "{name}, {engine}: the same scenario and seed ran differently");
                let (c, m) = (r.summary.counts, r.summary.measured_counts);
                for (what, k) in [("counts", c), ("measured_counts", m)] {
                    let gap = k.offered - k.served - k.rejected - k.in_flight;
                    let exact = if engine == "des" { gap == 0.0 } else { gap.abs() <= 1e-9 * k.offered.max(1.0) };
                    assert!(exact, "{name}, {engine}: {what} do not balance: {k:?}");
                }
                assert!(m.offered <= c.offered && m.rejected <= c.rejected, "{name}, {engine}: the window holds more than the run");
                let w = r.summary.measured_window_s;
                assert!(0.0 <= w.from && w.from < w.to && w.to <= s.duration_s + 1e-9, "{name}, {engine}: window {w:?}");
                let want = if m.offered > 0.0 { m.rejected / m.offered } else { 0.0 };
                assert_eq!(r.summary.error_rate, want, "{name}, {engine}: error_rate is not its window's rejected / offered");
            }
            combinations += 2;
        }
    }
    assert_eq!(combinations, 2 * STAGES as usize * (FaultKind::ALL.len() + 1));
}
