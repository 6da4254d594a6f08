//! The planner: its answers hold when run back through the engine (property tests over stages and
//! objectives), and the CLI's `plan` and `compare` print them as JSON with the documented keys.
use proptest::prelude::*;
use sim_core::fluid::steady_state;
use sim_core::journey::{self, size_for};
use sim_core::plan::{cheapest, limit, Objective};
use sim_core::Scenario;

/// The journey's stage `n`, as a `?stage=n` link opens it.
fn stage(n: u32) -> Scenario {
    journey::stage_link(&format!("v=1&stage={n}")).expect("a stage link")
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, .. ProptestConfig::default() })]

    #[test]
    fn the_limit_meets_the_objective_and_ten_percent_more_does_not(n in 1u32..=12, p99 in 80.0f64..600.0, errors in 0.001f64..0.05) {
        let objective = Objective::new(p99, errors).unwrap();
        let s = stage(n);
        let l = limit::find(&s, objective);
        prop_assume!(!l.holds_beyond_ceiling && l.max_users > 0);
        let at = steady_state(&s.clone().with_users(l.max_users)).summary;
        prop_assert!(objective.met_by(&at), "stage {n} at its limit {}: {:?}", l.max_users, objective.miss(&at));
        if l.monotone {
            let past = ((l.max_users as f64 * 1.1) as u64).max(l.max_users + 1);
            let there = steady_state(&s.clone().with_users(past)).summary;
            prop_assert!(!objective.met_by(&there), "stage {n} still holds at {past} (limit {})", l.max_users);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 6, .. ProptestConfig::default() })]

    #[test]
    fn the_cheapest_design_meets_the_objective_and_costs_no_more_than_the_stage_sized_for_n(n in 1u32..=12, users in 5_000u64..2_000_000) {
        let objective = Objective::default();
        let j = journey::journey("scalesim").unwrap();
        let current = stage(n);
        let d = cheapest::find(&current, &j, users, objective);
        // The journey's own stage n, sized for the load as the journey sizes its stages.
        let mut own = j.stages[n as usize - 1].scenario.clone().with_users(users);
        own = size_for(&own);
        let own = steady_state(&own).summary;
        match (&d.scenario, d.cost_usd_per_month) {
            (Some(q), Some(cost)) => {
                let design = sim_core::query::parse_strict(q).unwrap();
                prop_assert!(objective.met_by(&steady_state(&design).summary), "{q}");
                if objective.met_by(&own) {
                    prop_assert!(cost <= own.cost_usd_per_month + 1e-6, "${cost:.0} against the stage's ${:.0}", own.cost_usd_per_month);
                }
            }
            _ => prop_assert!(!objective.met_by(&own), "no design found, but the stage sized for {users} meets the objective"),
        }
    }
}

#[cfg(feature = "cli")]
mod cli {
    use std::process::Command;

    fn scalesim(args: &[&str]) -> (i32, serde_json::Value, String) {
        let out = Command::new(env!("CARGO_BIN_EXE_scalesim")).args(args).output().expect("the binary runs");
        let json = serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null);
        (out.status.code().unwrap_or(-1), json, String::from_utf8_lossy(&out.stderr).into_owned())
    }

    #[test]
    fn plan_prints_the_limit_and_what_breaks() {
        let (code, v, err) = scalesim(&["plan", "--scenario", "v=1&stage=3", "--p99-ms", "200", "--json"]);
        assert_eq!(code, 0, "{err}");
        let max = v["max_users"].as_u64().expect("max_users");
        assert!(max > 1_000, "{v}");
        for key in ["component", "metric", "value", "threshold"] {
            assert!(!v["breaks"][key].is_null(), "breaks.{key} in {v}");
        }
        assert!(v["breaks"]["users"].as_u64().unwrap() > max);
        assert!(v["next_fix"]["label"].is_string() && v["next_fix"]["max_users"].as_u64().unwrap() > max, "{v}");
        // The same search as the library's.
        let s = sim_core::journey::stage_link("v=1&stage=3").unwrap();
        assert_eq!(sim_core::plan::limit::find(&s, sim_core::plan::Objective::default()).max_users, max);
    }

    #[test]
    fn plan_with_users_prints_the_cheapest_design_as_a_scenario() {
        let (code, v, err) = scalesim(&["plan", "--scenario", "v=1&stage=4", "--users", "100000", "--p99-ms", "200", "--json"]);
        assert_eq!(code, 0, "{err}");
        let q = v["scenario"].as_str().expect("a scenario");
        let cost = v["cost_usd_per_month"].as_f64().expect("a cost");
        let design = sim_core::query::parse_strict(q).expect("the design reads back");
        let s = sim_core::fluid::steady_state(&design).summary;
        assert_eq!(design.traffic.users, 100_000);
        assert!((s.cost_usd_per_month - cost).abs() < 1e-6 * cost && s.latency_ms.p99 <= 200.0, "{}", s.latency_ms.p99);
        assert!(v["summary"]["latency_ms"]["p99"].as_f64().unwrap() <= 200.0);
    }

    #[test]
    fn compare_prints_both_summaries_and_every_change() {
        let (code, v, err) = scalesim(&[
            "compare",
            "--scenario",
            "v=1&stage=5&users=50000&replicas=1",
            "--scenario",
            "v=1&stage=5&users=50000&replicas=4",
            "--json",
        ]);
        assert_eq!(code, 0, "{err}");
        assert!(v["a"]["summary"]["latency_ms"]["p99"].is_number() && v["b"]["summary"]["cost_usd_per_month"].is_number());
        let deltas = v["deltas"].as_array().expect("deltas");
        let cost = deltas.iter().find(|d| d["metric"] == "cost_usd_per_month").expect("the bill compared");
        assert!(cost["change"].as_f64().unwrap() > 0.0 && cost["worsened"] == true && cost["unit"] == "USD", "{cost}");
    }

    #[test]
    fn bad_objectives_and_a_lone_scenario_name_their_field() {
        for (args, field) in [
            (vec!["plan", "--scenario", "v=1&stage=3", "--p99-ms", "0"], "p99-ms"),
            (vec!["plan", "--scenario", "v=1&stage=3", "--max-errors", "2"], "max-errors"),
            (vec!["plan", "--scenario", "v=1&stage=3", "--users", "many"], "users"),
            (vec!["plan", "--scenario", "v=1&stage=3", "--users", "10", "--journey", "nope"], "journey"),
            (vec!["compare", "--scenario", "v=1&stage=3"], "scenario"),
        ] {
            let (code, _, err) = scalesim(&args);
            assert_eq!(code, 2, "{args:?}");
            assert!(err.contains(field) && err.lines().count() == 1, "{args:?}: {err}");
        }
    }
}

/// A case the property test found: at stage 10 the error share at the first failing load sat within the fast
/// approximation's reach of a 0.39 % target, the fast screen called it failing and the exact figures met it, and
/// the explanation panicked. Error shares near their target are now judged on the exact figures too.
#[test]
fn a_close_call_on_the_error_share_is_judged_exactly_and_explained() {
    let objective = Objective::new(137.48510317366308, 0.0038768560683865817).unwrap();
    let s = stage(10);
    let l = limit::find(&s, objective);
    if !l.holds_beyond_ceiling && l.max_users > 0 {
        let at = steady_state(&s.clone().with_users(l.max_users)).summary;
        assert!(objective.met_by(&at), "at its limit {}: {:?}", l.max_users, objective.miss(&at));
    }
}
