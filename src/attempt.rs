//! The challenge handed out (by the link, or later by the host page's `setChallenge`) and the learner's attempt
//! at it: sim-core's verdict on the scenario, worked out a moment after the scenario stops changing, and who
//! changed the system during the attempt. Shared by the challenge panel and the embed bridge, so the verdict is
//! judged once and the host hears it even when the panel is not shown.
use std::time::Duration;

use leptos::prelude::*;
use sim_core::challenge::{check, Verdict};

use crate::hooks::Jobs;
use crate::state::Sim;
use crate::view::{locks_with, ChallengeView};

/// Real milliseconds the scenario must stay unchanged before the run is judged again.
const JUDGE_DELAY_MS: u64 = 200;

/// Local-storage key of the passed built-in challenges (comma-separated ids).
const PASSED_KEY: &str = "scalesim.passed";

/// The browser's local storage, if this page may use it (a sandboxed frame without storage may not).
fn storage() -> Option<web_sys::Storage> {
    window().local_storage().ok().flatten()
}

/// The built-in challenges passed so far, if the browser keeps them.
pub fn passed_ids() -> Vec<String> {
    storage().and_then(|s| s.get_item(PASSED_KEY).ok().flatten()).map(|v| v.split(',').map(str::to_owned).collect()).unwrap_or_default()
}

fn remember(id: &str) {
    let mut ids = passed_ids();
    if !ids.iter().any(|x| x == id) {
        ids.push(id.to_owned());
        if let Some(s) = storage() {
            let _ = s.set_item(PASSED_KEY, &ids.join(","));
        }
    }
}

/// The challenge being played and the attempt at it.
#[derive(Clone, Copy)]
pub struct Attempt {
    /// The challenge handed out, if any.
    pub challenge: RwSignal<Option<ChallengeView>>,
    /// sim-core's verdict on the current scenario (`None` until judged).
    pub verdict: RwSignal<Option<Verdict>>,
    /// When the attempt started (`Date.now()`, ms).
    pub started_ms: StoredValue<f64>,
    /// Whether the learner changed the system during the attempt.
    pub learner_changed: StoredValue<bool>,
    /// Whether a host command changed the system during the attempt.
    pub host_changed: StoredValue<bool>,
    /// Whether the attempt has ended with a result.
    pub ended: StoredValue<bool>,
    /// The knobs locked now: the link's `lock=` and those the challenge does not allow.
    pub locked: RwSignal<Vec<String>>,
    /// The link's own `lock=` ids.
    lock_keys: StoredValue<Vec<String>>,
}

impl Attempt {
    /// The attempt at `challenge` (from the link), judged whenever the scenario or the challenge changes; the
    /// link locks `lock_keys` with its `lock=`.
    pub fn new(sim: Sim, challenge: Option<ChallengeView>, lock_keys: Vec<String>) -> Attempt {
        let attempt = Attempt {
            locked: RwSignal::new(locks_with(&lock_keys, challenge.as_ref())),
            lock_keys: StoredValue::new(lock_keys),
            challenge: RwSignal::new(challenge),
            verdict: RwSignal::new(None),
            started_ms: StoredValue::new(js_sys::Date::now()),
            learner_changed: StoredValue::new(false),
            host_changed: StoredValue::new(false),
            ended: StoredValue::new(false),
        };
        let jobs = Jobs::new();
        Effect::new(move |_| {
            sim.scenario.track();
            let Some(goals) = attempt.challenge.with(|c| c.as_ref().map(|c| c.goals.clone())) else {
                jobs.cancel();
                return;
            };
            let ticket = jobs.next();
            set_timeout(
                move || {
                    if !jobs.live(ticket) {
                        return;
                    }
                    let v = sim.scenario.with_untracked(|s| check(s, &goals));
                    if v.passed {
                        if let Some(id) = attempt.challenge.with_untracked(|c| c.as_ref().and_then(|c| c.id)) {
                            remember(id);
                        }
                    }
                    attempt.verdict.set(Some(v));
                },
                Duration::from_millis(JUDGE_DELAY_MS),
            );
        });
        attempt
    }

    /// Hands out `challenge` (or none): a new attempt, not yet judged, with the knobs it does not allow locked.
    pub fn hand_out(&self, challenge: Option<ChallengeView>) {
        self.locked.set(self.lock_keys.with_value(|keys| locks_with(keys, challenge.as_ref())));
        self.verdict.set(None);
        self.started_ms.set_value(js_sys::Date::now());
        self.learner_changed.set_value(false);
        self.host_changed.set_value(false);
        self.ended.set_value(false);
        self.challenge.set(challenge);
    }

    /// Whether knob `id` is locked (tracked: a new challenge may lock or unlock it).
    pub fn locks(&self, id: &str) -> bool {
        self.locked.with(|l| l.iter().any(|x| x == id))
    }

    /// Seconds since the attempt started.
    pub fn seconds(&self) -> f64 {
        (js_sys::Date::now() - self.started_ms.get_value()) / 1e3
    }
}
