//! The postMessage API between an embedded scalesim and the lesson page around it.
//!
//! scalesim posts to its parent window objects with `source: "scalesim"`:
//! - `{type: "ready", stage, users}` once it is running;
//! - `{type: "stage", stage, name}` when the stage changes;
//! - `{type: "bottleneck", component, metric, value, threshold}` when the first live row changes
//!   (`component: null` when nothing is saturated);
//! - `{type: "height", height}` when the page's height changes, for auto-resizing the iframe.
//!
//! It accepts from the parent objects with `target: "scalesim"`:
//! - `{type: "setStage", stage}`: go to a stage of the journey (keeps the load);
//! - `{type: "setLoad", users}`: set the number of users.
//!
//! Unknown messages are ignored. Messages are plain JSON-compatible objects.
use leptos::prelude::*;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::state::Sim;

/// A message from the host page.
#[derive(Debug, Deserialize, PartialEq)]
#[serde(tag = "type")]
pub enum FromHost {
    /// Go to a stage.
    #[serde(rename = "setStage")]
    SetStage { stage: u32 },
    /// Set the load.
    #[serde(rename = "setLoad")]
    SetLoad { users: u64 },
}

/// Reads a host message from its JSON text; None unless it is addressed to scalesim and well-formed.
pub fn parse_host_message(text: &str) -> Option<FromHost> {
    let v: Value = serde_json::from_str(text).ok()?;
    if v.get("target")?.as_str()? != "scalesim" {
        return None;
    }
    serde_json::from_value(v).ok()
}

/// Whether the page runs inside a frame.
pub fn in_frame() -> bool {
    let w = window();
    match (w.parent(), w.self_()) {
        (Ok(Some(parent)), me) => !js_sys::Object::is(&parent, &me),
        _ => false,
    }
}

/// Posts `message` (with `source: "scalesim"`) to the parent window.
pub fn post(mut message: Value) {
    if !in_frame() {
        return;
    }
    message["source"] = json!("scalesim");
    let Ok(Some(parent)) = window().parent() else { return };
    if let Ok(value) = js_sys::JSON::parse(&message.to_string()) {
        let _ = parent.post_message(&value, "*");
    }
}

/// Wires the bridge: answers host messages and announces stage, bottleneck and height changes.
pub fn connect(sim: Sim) {
    if !in_frame() {
        return;
    }
    let listener = window_event_listener(leptos::ev::message, move |ev| {
        let text = js_sys::JSON::stringify(&ev.data()).ok().and_then(|s| s.as_string()).unwrap_or_default();
        match parse_host_message(&text) {
            Some(FromHost::SetStage { stage }) => {
                let stage = stage.clamp(1, sim_core::scenario::STAGES);
                sim.scenario.update(|s| {
                    let mut next = sim_core::Scenario::stage(stage);
                    next.traffic = s.traffic.clone();
                    next.seed = s.seed;
                    next.duration_s = s.duration_s;
                    *s = next;
                });
            }
            Some(FromHost::SetLoad { users }) => sim.scenario.update(|s| s.traffic.users = users.clamp(1, 10_000_000)),
            None => {}
        }
    });
    on_cleanup(move || listener.remove());
    let (stage, users) = sim.scenario.with_untracked(|s| (s.stage, s.traffic.users));
    post(json!({"type": "ready", "stage": stage, "users": users}));
    let stage = Memo::new(move |_| sim.scenario.with(|s| s.stage));
    Effect::new(move |prev: Option<u32>| {
        let n = stage.get();
        if prev.is_some_and(|p| p != n) {
            post(json!({"type": "stage", "stage": n, "name": sim_core::scenario::STAGE_NAMES[n as usize - 1]}));
        }
        n
    });
    let first = Memo::new(move |_| sim.rows.with(|rows| sim_core::diagnose::first_fix(rows).map(|r| (r.component, r.metric))));
    Effect::new(move |_| {
        let message = match first.get() {
            Some((component, metric)) => {
                let (value, threshold) = sim.rows.with_untracked(|rows| {
                    sim_core::diagnose::first_fix(rows).map_or((0.0, 0.0), |r| (r.value, r.threshold))
                });
                json!({"type": "bottleneck", "component": component, "metric": metric, "value": value, "threshold": threshold})
            }
            None => json!({"type": "bottleneck", "component": null}),
        };
        post(message);
    });
}

/// Posts the page height when it changed since `last`; returns the height now.
pub fn report_height(last: i32) -> i32 {
    let height = document().document_element().map_or(0, |e| e.scroll_height());
    if height != last {
        post(json!({"type": "height", "height": height}));
    }
    height
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_messages_are_read_only_when_addressed_to_scalesim() {
        assert_eq!(parse_host_message(r#"{"target":"scalesim","type":"setStage","stage":3}"#), Some(FromHost::SetStage { stage: 3 }));
        assert_eq!(parse_host_message(r#"{"target":"scalesim","type":"setLoad","users":5000}"#), Some(FromHost::SetLoad { users: 5_000 }));
        assert_eq!(parse_host_message(r#"{"type":"setLoad","users":5000}"#), None);
        assert_eq!(parse_host_message(r#"{"target":"scalesim","type":"explode"}"#), None);
        assert_eq!(parse_host_message("not json"), None);
    }
}
