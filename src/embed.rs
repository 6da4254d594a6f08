//! The postMessage API between an embedded scalesim and the lesson page around it.
//!
//! scalesim posts to its parent window objects with `source: "scalesim"`:
//! - `{type: "ready", stage, users}` once it is running;
//! - `{type: "stage", stage, name}` when the stage changes;
//! - `{type: "bottleneck", component, metric, value, threshold}` when the first live row changes
//!   (`component: null` when nothing is saturated);
//! - `{type: "height", height}` when the page's height changes, for auto-resizing the iframe;
//! - `{type: "error", message, url}` if scalesim stops after an internal error (a panic): the page then shows
//!   only a short message and links to `url` (the scenario as it was) and to a fresh start, and posts its new
//!   height.
//!
//! It accepts from the parent objects with `target: "scalesim"`:
//! - `{type: "setStage", stage}`: go to a stage of the journey (keeps the load);
//! - `{type: "setLoad", users}`: set the number of users.
//!
//! Unknown messages are ignored. Messages are plain JSON-compatible objects and carry `v: 1`.
//!
//! Security: commands are accepted only from the parent window (`event.source`), never from another frame. An
//! `origin=` view key pins the host's origin: then only messages from that origin are accepted and every message
//! is posted to it. Unpinned, messages are posted to the embedding page's origin as the referrer tells it, and
//! to `*` only when the browser sends no referrer. Nothing read from a message reaches the DOM as markup.
use std::cell::RefCell;

use leptos::prelude::*;
use wasm_bindgen::JsValue;

use crate::state::Sim;
use crate::view::origin_of;

/// A message from the host page.
#[derive(Debug, PartialEq)]
pub enum FromHost {
    /// Go to a stage.
    SetStage { stage: u32 },
    /// Set the load.
    SetLoad { users: u64 },
}

/// A field of a message to the host.
#[derive(Clone, Debug, PartialEq)]
pub enum Field {
    /// A number.
    Num(f64),
    /// A string.
    Text(String),
    /// `null`.
    Null,
}

/// Reads a host message from its fields; None unless it is addressed to scalesim and well-formed.
pub fn host_message(target: Option<String>, kind: Option<String>, stage: Option<f64>, users: Option<f64>) -> Option<FromHost> {
    if target.as_deref() != Some("scalesim") {
        return None;
    }
    let whole = |v: f64| (v.is_finite() && v >= 0.0).then_some(v.round());
    match kind.as_deref()? {
        "setStage" => Some(FromHost::SetStage { stage: whole(stage?)? as u32 }),
        "setLoad" => Some(FromHost::SetLoad { users: whole(users?)? as u64 }),
        _ => None,
    }
}

/// Where messages go and whom they are accepted from.
#[derive(Clone, Debug, Default, PartialEq)]
struct Host {
    /// The origin pinned by `origin=`.
    pinned: Option<String>,
    /// The target origin of posted messages.
    target: Option<String>,
}

thread_local! {
    static HOST: RefCell<Host> = RefCell::new(Host::default());
}

/// Sets the host's origin: `pinned` (from `origin=`) if given, else the referrer's origin, if any.
pub fn set_host(pinned: Option<String>) {
    let referrer = origin_of(&document().referrer());
    HOST.with(|h| *h.borrow_mut() = Host { target: pinned.clone().or(referrer), pinned });
}

/// Whether a message from `origin` is acceptable: always unless an origin is pinned, then only from it.
pub fn accepts(pinned: Option<&str>, origin: &str) -> bool {
    pinned.is_none_or(|p| p == origin)
}

/// Whether the page runs inside a frame.
pub fn in_frame() -> bool {
    let w = window();
    match (w.parent(), w.self_()) {
        (Ok(Some(parent)), me) => !js_sys::Object::is(&parent, &me),
        _ => false,
    }
}

/// Posts a message of `kind` with `fields` (and `source: "scalesim"`) to the parent window.
pub fn post(kind: &str, fields: &[(&str, Field)]) {
    if !in_frame() {
        return;
    }
    let Ok(Some(parent)) = window().parent() else {
        return;
    };
    let message = js_sys::Object::new();
    let set = |k: &str, v: JsValue| {
        let _ = js_sys::Reflect::set(&message, &JsValue::from_str(k), &v);
    };
    set("source", JsValue::from_str("scalesim"));
    set("v", JsValue::from_f64(1.0));
    set("type", JsValue::from_str(kind));
    for (k, v) in fields {
        set(
            k,
            match v {
                Field::Num(n) => JsValue::from_f64(*n),
                Field::Text(t) => JsValue::from_str(t),
                Field::Null => JsValue::NULL,
            },
        );
    }
    let target = HOST.with(|h| h.borrow().target.clone()).unwrap_or_else(|| "*".to_owned());
    let _ = parent.post_message(&message, &target);
}

/// Tells the host that scalesim has stopped (called from the panic hook, after the page has been replaced):
/// posts the error event with the scenario's address, then `height`, the failure page's (measured from its
/// content: the document's scroll height never drops below the frame's).
pub fn post_error(message: &str, url: &str, height: i32) {
    post("error", &[("message", Field::Text(message.to_owned())), ("url", Field::Text(url.to_owned()))]);
    post("height", &[("height", Field::Num(height as f64))]);
}

/// Reads a field of a JS object as a string or a number.
fn get(data: &JsValue, key: &str) -> JsValue {
    js_sys::Reflect::get(data, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// Wires the bridge: answers host messages and announces stage, bottleneck and height changes.
pub fn connect(sim: Sim) {
    if !in_frame() {
        return;
    }
    let pick = use_context::<crate::components::stage_picker::Pick>();
    let listener = window_event_listener(leptos::ev::message, move |ev| {
        // Only the parent window may command, and only from the pinned origin when there is one.
        let from_parent = match (ev.source(), window().parent()) {
            (Some(source), Ok(Some(parent))) => js_sys::Object::is(&source, &parent),
            _ => false,
        };
        let pinned = HOST.with(|h| h.borrow().pinned.clone());
        if !from_parent || !accepts(pinned.as_deref(), &ev.origin()) {
            return;
        }
        let data = ev.data();
        if !data.is_object() {
            return;
        }
        let message = host_message(
            get(&data, "target").as_string(),
            get(&data, "type").as_string(),
            get(&data, "stage").as_f64(),
            get(&data, "users").as_f64(),
        );
        match message {
            Some(FromHost::SetStage { stage }) => {
                let stage = stage.clamp(1, sim_core::scenario::STAGES);
                // The built-in stages are the combined journey's: the picker follows.
                if let Some(pick) = pick {
                    pick.0.set((0, stage as usize - 1));
                }
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
    post("ready", &[("stage", Field::Num(stage as f64)), ("users", Field::Num(users as f64))]);
    let stage = Memo::new(move |_| sim.scenario.with(|s| s.stage));
    Effect::new(move |prev: Option<u32>| {
        let n = stage.get();
        if prev.is_some_and(|p| p != n) {
            post(
                "stage",
                &[("stage", Field::Num(n as f64)), ("name", Field::Text(sim_core::scenario::STAGE_NAMES[n as usize - 1].to_owned()))],
            );
        }
        n
    });
    let first = Memo::new(move |_| sim.rows.with(|rows| sim_core::diagnose::first_fix(rows).map(|r| (r.component, r.metric))));
    Effect::new(move |_| match first.get() {
        Some((component, metric)) => {
            let (value, threshold) =
                sim.rows.with_untracked(|rows| sim_core::diagnose::first_fix(rows).map_or((0.0, 0.0), |r| (r.value, r.threshold)));
            post(
                "bottleneck",
                &[
                    ("component", Field::Text(component.to_owned())),
                    ("metric", Field::Text(metric.to_owned())),
                    ("value", Field::Num(value)),
                    ("threshold", Field::Num(threshold)),
                ],
            );
        }
        None => post("bottleneck", &[("component", Field::Null)]),
    });
}

/// Posts the page height when it changed since `last`; returns the height now.
pub fn report_height(last: i32) -> i32 {
    // Reading the height forces a layout: only a framed page needs it.
    if !in_frame() {
        return last;
    }
    let height = document().document_element().map_or(0, |e| e.scroll_height());
    if height != last {
        post("height", &[("height", Field::Num(height as f64))]);
    }
    height
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_read_strictly_and_a_pinned_one_is_the_only_one_accepted() {
        assert_eq!(origin_of("https://Course.example.org/lessons/1?x=2").as_deref(), Some("https://course.example.org"));
        assert_eq!(origin_of("http://127.0.0.1:8080").as_deref(), Some("http://127.0.0.1:8080"));
        for bad in ["", "javascript:alert(1)", "file:///etc", "https://", "https://a b", "ftp://x.org"] {
            assert_eq!(origin_of(bad), None, "{bad}");
        }
        assert!(accepts(None, "https://any.example"));
        assert!(accepts(Some("https://a.example"), "https://a.example"));
        assert!(!accepts(Some("https://a.example"), "https://evil.example"));
    }

    #[test]
    fn host_messages_are_read_only_when_addressed_to_scalesim() {
        let s = |v: &str| Some(v.to_owned());
        assert_eq!(host_message(s("scalesim"), s("setStage"), Some(3.0), None), Some(FromHost::SetStage { stage: 3 }));
        assert_eq!(host_message(s("scalesim"), s("setLoad"), None, Some(5_000.0)), Some(FromHost::SetLoad { users: 5_000 }));
        assert_eq!(host_message(None, s("setLoad"), None, Some(5_000.0)), None);
        assert_eq!(host_message(s("scalesim"), s("explode"), None, None), None);
        assert_eq!(host_message(s("scalesim"), s("setLoad"), None, Some(f64::NAN)), None);
        assert_eq!(host_message(s("scalesim"), s("setStage"), None, None), None);
    }
}
