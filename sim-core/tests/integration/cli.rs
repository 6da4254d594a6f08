//! The `scalesim` binary: real figures for every preset, JSON with the documented keys, and one-line errors
//! with exit status 2.
#![cfg(feature = "cli")]
use std::process::Command;

use sim_core::scenario::PRESETS;

fn scalesim(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_scalesim")).args(args).output().expect("the binary runs");
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn every_preset_prints_a_json_summary_with_real_figures() {
    for p in PRESETS {
        let (code, out, err) = scalesim(&["run", "--preset", p.name, "--json"]);
        assert_eq!(code, 0, "{}: {err}", p.name);
        let v: serde_json::Value = serde_json::from_str(&out).expect("JSON");
        for key in [
            "offered_rps",
            "served_rps",
            "error_rate",
            "cache_hit_rate",
            "replication_lag_ms",
            "stale_read_rate",
            "sessions_lost",
            "instances",
            "cost_usd_per_month",
            "jobs_waiting_s",
            "shards",
            "regions",
        ] {
            assert!(v[key].is_number(), "{}: {key} missing in {out}", p.name);
        }
        for q in ["mean", "p50", "p95", "p99"] {
            let ms = v["latency_ms"][q].as_f64().expect("latency");
            assert!(ms > 1.0 && ms < 10_000.0, "{}: latency {q} = {ms}", p.name);
        }
        assert!(v["utilization"]["app"].as_f64().expect("app utilisation") > 0.0);
        assert!((v["offered_rps"].as_f64().unwrap() - 100.0).abs() < 1e-6, "1,000 users offer 100 req/s");
        assert!(v["queue_depth"].is_object() && v["bottlenecks"].is_array(), "{}: queue_depth and bottlenecks", p.name);
    }
}

#[test]
fn a_saturated_run_lists_its_bottlenecks_with_value_threshold_and_fix() {
    let (code, out, err) = scalesim(&["run", "--preset", "single-server", "--users", "5000", "--json"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    let first = &v["bottlenecks"][0];
    assert_eq!(first["id"], "app-cpu", "{out}");
    assert!(first["value"].as_f64().unwrap() >= first["threshold"].as_f64().unwrap());
    for key in ["symptom", "component", "metric", "fix"] {
        assert!(first[key].is_string(), "{key}");
    }
}

#[test]
fn journey_prints_every_stage_with_its_breaking_load() {
    let (code, out, err) = scalesim(&["journey", "startup", "--json"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    let stages = v["stages"].as_array().expect("stages");
    assert_eq!(stages.len(), 4);
    for st in stages {
        let users = st["users"].as_u64().unwrap();
        let breaks = st["breaks_at_users"].as_u64().unwrap_or(u64::MAX);
        assert!(breaks > users, "{st}");
        assert!(st["summary"]["latency_ms"]["p99"].as_f64().unwrap() > 0.0 && st["bottlenecks"].is_array());
    }
    let (code, _, err) = scalesim(&["journey", "nope"]);
    assert_eq!(code, 2);
    assert!(err.contains("journey"), "{err}");
}

#[test]
fn the_same_query_string_gives_the_same_numbers_on_both_engines_runs() {
    let q = "v=1&stage=5&users=5000&seed=3&dur=120";
    let (_, a, _) = scalesim(&["run", "--scenario", q, "--json"]);
    let (_, b, _) = scalesim(&["run", "--scenario", &format!("https://example.org/s/?{q}"), "--json"]);
    assert_eq!(a, b);
    let (code, des, err) = scalesim(&["run", "--scenario", q, "--engine", "des", "--json"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&des).expect("JSON");
    assert_eq!(v["engine"], "des");
}

#[test]
fn station_matches_erlang_c() {
    let (code, out, _) =
        scalesim(&["station", "--servers", "4", "--arrival-rate", "3.2", "--service-mean", "1", "--requests", "2000000", "--json"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    let want = sim_core::queueing::Mmc::new(4, 3.2, 1.0).mean_wait();
    let got = v["mean_wait"].as_f64().unwrap();
    assert!((got - want).abs() < 0.03 * want, "mean wait {got} vs Erlang C {want}");
    for key in ["mean_response", "p50", "p95", "p99", "blocking_probability", "utilization"] {
        assert!(v[key].is_number(), "{key}");
    }
}

#[test]
fn bad_input_exits_2_with_one_line_naming_the_field() {
    let cases: [(&[&str], &str); 7] = [
        (&["run", "--scenario", "v=1&users=10000000&dur=86400", "--engine", "des"], "engine"),
        (&["run", "--scenario", "users=abc"], "users"),
        (&["run", "--scenario", "replicas=99"], "replicas"),
        (&["run", "--preset", "nope"], "preset"),
        (&["station", "--servers", "0", "--arrival-rate", "1", "--service-mean", "1"], "servers"),
        (&["station", "--servers", "1", "--arrival-rate", "2", "--service-mean", "1"], "arrival-rate"),
        (&["station", "--servers", "1", "--arrival-rate", "0.5", "--service-mean", "1", "--service-dist", "weibull"], "service-dist"),
    ];
    for (args, field) in cases {
        let (code, out, err) = scalesim(args);
        assert_eq!(code, 2, "{args:?}");
        assert!(out.is_empty());
        assert_eq!(err.trim_end().lines().count(), 1, "{args:?}: {err}");
        assert!(err.contains(field), "{args:?}: {err}");
    }
}

#[test]
fn the_pages_json_export_runs_like_its_url_and_bad_json_names_the_field() {
    let url = "v=1&stage=4&users=20000&sessions=sticky";
    let json = r#"{"v": 1, "stage": 4, "users": 20000, "sessions": "sticky"}"#;
    let (code, by_url, err) = scalesim(&["run", "--scenario", url, "--json"]);
    assert_eq!(code, 0, "{err}");
    let (code, by_json, err) = scalesim(&["run", "--scenario", json, "--json"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(by_url, by_json);
    let file = std::env::temp_dir().join(format!("scalesim-cli-{}.json", std::process::id()));
    std::fs::write(&file, json).unwrap();
    let (code, by_file, err) = scalesim(&["run", "--scenario", file.to_str().unwrap(), "--json"]);
    let _ = std::fs::remove_file(&file);
    assert_eq!(code, 0, "{err}");
    assert_eq!(by_url, by_file);
    let (code, _, err) = scalesim(&["run", "--scenario", r#"{"v": 1, "replicas": 99}"#]);
    assert_eq!(code, 2);
    assert!(err.contains("replicas"), "{err}");
}

#[test]
fn des_runs_print_request_traces_on_request_and_only_then() {
    let q = "v=1&stage=6&users=2000&dur=20";
    let (code, out, err) = scalesim(&["run", "--scenario", q, "--engine", "des", "--traces", "5", "--json"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    assert!(v["offered_rps"].is_number() && v["bottlenecks"].is_array(), "the usual results stay");
    let traces = v["traces"].as_array().expect("traces");
    assert!(!traces.is_empty() && traces.len() <= 5 * 20, "{} traces", traces.len());
    for key in ["id", "start_s", "latency_ms", "class", "ok", "attempts", "hops"] {
        assert!(!traces[0][key].is_null(), "{key} missing in {}", traces[0]);
    }
    let hop = &traces[0]["hops"][0];
    for key in ["node", "at_ms", "net_ms", "wait_ms", "service_ms", "outcome", "attempt", "calls"] {
        assert!(!hop[key].is_null(), "{key} missing in {hop}");
    }
    assert!(hop["node"]["kind"].is_string() && hop["node"]["index"].is_number() && hop["node"]["region"].is_number());

    let (_, plain, _) = scalesim(&["run", "--scenario", q, "--engine", "des", "--json"]);
    let (_, zero, _) = scalesim(&["run", "--scenario", q, "--engine", "des", "--traces", "0", "--json"]);
    assert!(!plain.contains("\"traces\"") && plain == zero, "no traces asked, the same JSON as ever");
    let (code, text, err) = scalesim(&["run", "--scenario", q, "--engine", "des", "--traces", "5"]);
    assert_eq!(code, 0, "{err}");
    assert!(text.contains("traces "), "{text}");
}

#[test]
fn traces_need_the_request_level_engine_and_a_sane_budget() {
    for args in [
        &["run", "--preset", "cache", "--traces", "5"][..],
        &["run", "--preset", "cache", "--engine", "fluid", "--traces", "5", "--json"],
        &["run", "--preset", "cache", "--engine", "des", "--traces", "1001"],
        &["run", "--preset", "cache", "--engine", "des", "--traces", "many"],
    ] {
        let (code, out, err) = scalesim(args);
        assert_eq!(code, 2, "{args:?}: {out}");
        assert!(err.contains("traces") && err.lines().count() == 1, "{args:?}: {err}");
    }
}
