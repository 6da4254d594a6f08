//! Golden outputs: `scalesim journey NAME --json` for all five journeys and `scalesim run --preset P --json` for
//! every preset, with both engines, against files under `sim-core/tests/data/golden/`. They pin the behaviour
//! before a refactor (issue 12's policy layer): a change that moves any figure fails here, naming the file and
//! the JSON path of the first difference. Numbers must agree to a relative 1e-9, so only a reordering of
//! floating-point operations passes; strings must match exactly. `SCALESIM_BLESS=1` rewrites the files after
//! an intended change of behaviour (say why in the commit).
#![cfg(feature = "cli")]
use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;
use sim_core::scenario::PRESETS;

const JOURNEYS: [&str; 5] = ["scalesim", "bookmarks", "interview", "blog", "startup"];

fn golden_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/golden")
}

fn scalesim(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_scalesim")).args(args).output().expect("the binary runs");
    assert!(out.status.success(), "scalesim {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

/// The JSON path of the first difference between `want` and `got`, if any.
fn first_difference(want: &Value, got: &Value, path: &str) -> Option<String> {
    match (want, got) {
        (Value::Number(a), Value::Number(b)) => {
            let (a, b) = (a.as_f64().unwrap_or(f64::NAN), b.as_f64().unwrap_or(f64::NAN));
            let close = a == b || (a - b).abs() <= 1e-9 * a.abs().max(b.abs()) || (a - b).abs() < 1e-12;
            (!close).then(|| format!("{path}: {a} became {b}"))
        }
        (Value::Array(a), Value::Array(b)) => {
            if a.len() != b.len() {
                return Some(format!("{path}: {} items became {}", a.len(), b.len()));
            }
            a.iter().zip(b).enumerate().find_map(|(i, (x, y))| first_difference(x, y, &format!("{path}[{i}]")))
        }
        (Value::Object(a), Value::Object(b)) => {
            let (ka, kb): (Vec<_>, Vec<_>) = (a.keys().collect(), b.keys().collect());
            if ka != kb {
                return Some(format!("{path}: keys {ka:?} became {kb:?}"));
            }
            a.iter().find_map(|(k, x)| first_difference(x, &b[k], &format!("{path}.{k}")))
        }
        _ => (want != got).then(|| format!("{path}: {want} became {got}")),
    }
}

fn check(file: &str, args: &[&str]) -> Option<String> {
    let got = scalesim(args);
    let path = golden_dir().join(file);
    if std::env::var_os("SCALESIM_BLESS").is_some() {
        std::fs::write(&path, &got).expect("golden file written");
        return None;
    }
    let want = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let (want, got): (Value, Value) = (serde_json::from_str(&want).expect("golden JSON"), serde_json::from_str(&got).expect("output JSON"));
    first_difference(&want, &got, "$").map(|d| format!("{file} (scalesim {}): {d}", args.join(" ")))
}

#[test]
fn every_journey_prints_what_its_golden_file_holds() {
    let diffs: Vec<String> = JOURNEYS.iter().filter_map(|j| check(&format!("journey-{j}.json"), &["journey", j, "--json"])).collect();
    assert!(diffs.is_empty(), "journeys moved:\n{}", diffs.join("\n"));
}

#[test]
fn every_preset_runs_to_its_golden_summary_in_both_engines() {
    let mut diffs = Vec::new();
    for p in PRESETS {
        diffs.extend(check(&format!("run-{}.json", p.name), &["run", "--preset", p.name, "--json"]));
        diffs.extend(check(&format!("des-{}.json", p.name), &["run", "--preset", p.name, "--engine", "des", "--json"]));
    }
    assert!(diffs.is_empty(), "presets moved:\n{}", diffs.join("\n"));
}

#[test]
fn the_comparison_finds_a_moved_figure_and_forgives_rounding() {
    let a: Value = serde_json::json!({"x": 1.0, "y": [1, 2], "s": "a"});
    assert_eq!(first_difference(&a, &serde_json::json!({"x": 1.0 + 1e-13, "y": [1, 2], "s": "a"}), "$"), None);
    assert!(first_difference(&a, &serde_json::json!({"x": 1.001, "y": [1, 2], "s": "a"}), "$").unwrap().starts_with("$.x"));
    assert!(first_difference(&a, &serde_json::json!({"x": 1.0, "y": [1, 3], "s": "a"}), "$").unwrap().starts_with("$.y[1]"));
    assert!(first_difference(&a, &serde_json::json!({"x": 1.0, "y": [1, 2], "s": "b"}), "$").is_some());
}
