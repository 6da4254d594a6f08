//! The built-in challenges: each fails untouched, passes with the fix it teaches and fails with its decoy; and
//! `scalesim check` agrees, with exit status 0 for a pass and 1 for a fail.
use sim_core::challenge::{check, parse_goals, CHALLENGES};

#[test]
fn every_challenge_fails_untouched_passes_with_its_fix_and_fails_with_its_decoy() {
    assert!(CHALLENGES.len() >= 12);
    for c in CHALLENGES {
        let goals = parse_goals(c.goals).unwrap_or_else(|e| panic!("{}: {e}", c.id));
        assert!(!goals.is_empty(), "{}", c.id);
        let untouched = check(&c.scenario(), &goals);
        assert!(!untouched.passed, "{} passes untouched: {:?}", c.id, untouched.goals);
        let fixed = check(&c.edited(c.intended), &goals);
        assert!(fixed.passed, "{} fails with its fix {}: {:?}", c.id, c.intended, fixed.goals);
        let decoy = check(&c.edited(c.decoy), &goals);
        assert!(!decoy.passed, "{} passes with its decoy {}: {:?}", c.id, c.decoy, decoy.goals);
        // The setup parses cleanly, and the fix and the decoy touch knobs the challenge allows.
        assert!(sim_core::query::parse(c.setup).notices.is_empty(), "{}", c.id);
        for edit in [c.intended, c.decoy] {
            let key = edit.split('=').next().unwrap();
            assert!(c.allow.contains(&key), "{}: {key} is not among the allowed knobs", c.id);
        }
    }
}

#[test]
fn challenge_ids_are_unique() {
    let mut ids: Vec<&str> = CHALLENGES.iter().map(|c| c.id).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), CHALLENGES.len());
}

#[cfg(feature = "cli")]
#[test]
fn scalesim_check_agrees_and_exits_by_the_verdict() {
    use std::process::Command;
    let run = |q: &str| {
        let out = Command::new(env!("CARGO_BIN_EXE_scalesim")).args(["check", "--scenario", q, "--json"]).output().unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null);
        (out.status.code(), v)
    };
    for c in CHALLENGES {
        let (code, v) = run(&format!("v=1&challenge={}", c.id));
        assert_eq!((code, v["passed"].as_bool()), (Some(1), Some(false)), "{} untouched", c.id);
        let (code, v) = run(&format!("{}&{}&challenge={}", c.setup, c.intended, c.id));
        assert_eq!((code, v["passed"].as_bool()), (Some(0), Some(true)), "{} fixed", c.id);
        let lib = check(&c.edited(c.intended), &c.goals());
        assert_eq!(v["goals"][0]["actual"].as_f64().unwrap(), lib.goals[0].actual, "{}", c.id);
    }
    let out = Command::new(env!("CARGO_BIN_EXE_scalesim")).args(["check", "--scenario", "v=1&goals=p99_ms<200"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("goals"));
}
