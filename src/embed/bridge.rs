//! The embed bridge: wires the protocol ([`super::protocol`]) to the page. It answers the host's commands and
//! posts events (`ready`, `change`, `stage`, `bottleneck`, `challenge`, `result`, `state`, `rejected`, `height`,
//! `error`) to the parent window, each with `source: "scalesim"` and `v: 1`.
//!
//! Security: commands are accepted only from the parent window (`event.source`), never from another frame. An
//! `origin=` view key pins the host's origin: then only messages from that origin are accepted and every message
//! is posted to it. Unpinned, messages are posted to the embedding page's origin as the referrer tells it, and
//! to `*` only when the browser sends no referrer; `result` is posted only to a pinned origin. Every value read
//! from a message is validated by the protocol module and goes through the URL's own parsing; nothing read from
//! a message reaches the DOM as markup.
use std::cell::RefCell;
use std::time::Duration;

use leptos::prelude::*;
use wasm_bindgen::{JsCast, JsValue};

use super::protocol::{self, Command, Field, Inbound, Outcome, Refusal, Value};
use crate::attempt::Attempt;
use crate::components::stage_picker::Pick;
use crate::state::Sim;
use crate::view::origin_of;

/// Real milliseconds the scenario must stay unchanged before a `change` event is posted (as the address bar).
const CHANGE_DELAY_MS: u64 = 150;

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
    /// The query a host command set last, until the `change` event that reports it (then `user: false`).
    static HOST_SET: RefCell<Option<String>> = const { RefCell::new(None) };
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

/// A message field as a plain JavaScript value (non-finite numbers as `null`).
fn to_js(field: &Field) -> JsValue {
    match field {
        Field::Num(n) if n.is_finite() => JsValue::from_f64(*n),
        Field::Num(_) | Field::Null => JsValue::NULL,
        Field::Text(t) => JsValue::from_str(t),
        Field::Bool(b) => JsValue::from_bool(*b),
        Field::List(items) => items.iter().map(to_js).collect::<js_sys::Array>().into(),
        Field::Obj(fields) => {
            let o = js_sys::Object::new();
            for (k, v) in fields {
                let _ = js_sys::Reflect::set(&o, &JsValue::from_str(k), &to_js(v));
            }
            o.into()
        }
    }
}

/// Posts a message of `kind` with `fields` (and `source: "scalesim"`, `v: 1`) to the parent window: to the pinned
/// origin, else the embedding page's as the referrer gives it, and to nobody when neither is known (never `*`).
pub fn post(kind: &str, fields: &[(&str, Field)]) {
    if let Some(target) = HOST.with(|h| h.borrow().target.clone()) {
        post_to(&target, kind, fields);
    }
}

/// Posts only to a pinned origin (the `result` event): nothing when the link pins no origin.
fn post_pinned(kind: &str, fields: &[(&str, Field)]) {
    if let Some(pinned) = HOST.with(|h| h.borrow().pinned.clone()) {
        post_to(&pinned, kind, fields);
    }
}

fn post_to(target: &str, kind: &str, fields: &[(&str, Field)]) {
    if !in_frame() {
        return;
    }
    let Ok(Some(parent)) = window().parent() else {
        return;
    };
    let mut all = vec![
        ("source".to_owned(), Field::Text("scalesim".into())),
        ("v".to_owned(), Field::Num(protocol::VERSION)),
        ("type".to_owned(), Field::Text(kind.into())),
    ];
    all.extend(fields.iter().map(|(k, v)| ((*k).to_owned(), v.clone())));
    let _ = parent.post_message(&to_js(&Field::Obj(all)), target);
}

/// Tells the host that scalesim has stopped (called from the panic hook, after the page has been replaced):
/// posts the error event with the scenario's address, then `height`, the failure page's (measured from its
/// content: the document's scroll height never drops below the frame's).
pub fn post_error(message: &str, url: &str, height: i32) {
    post("error", &[("message", Field::Text(message.to_owned())), ("url", Field::Text(url.to_owned()))]);
    post("height", &[("height", Field::Num(height as f64))]);
}

/// Reads one field of a message for the protocol, without copying an overlong string.
fn read_value(data: &JsValue, key: &str) -> Value {
    let v = js_sys::Reflect::get(data, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED);
    if v.is_undefined() {
        Value::Missing
    } else if v.is_null() {
        Value::Null
    } else if let Some(b) = v.as_bool() {
        Value::Bool(b)
    } else if let Some(n) = v.as_f64() {
        Value::Num(n)
    } else if let Some(s) = v.dyn_ref::<js_sys::JsString>() {
        if s.length() as usize > protocol::MAX_QUERY {
            Value::TooLong
        } else {
            s.as_string().map_or(Value::Other, Value::Text)
        }
    } else {
        Value::Other
    }
}

/// The scenario and the picker's journey and stage as one query string, as `change` and `state` report them.
fn query_now(sim: Sim, pick: Option<Pick>) -> String {
    sim.scenario.with_untracked(sim_core::query::to_query) + &pick.map(|p| p.to_query_untracked()).unwrap_or_default()
}

/// The `challenge` fields of the attempt now, if a challenge is handed out.
fn challenge_now(attempt: Attempt) -> Option<Vec<(&'static str, Field)>> {
    attempt.challenge.with_untracked(|c| c.as_ref().map(|c| attempt.verdict.with_untracked(|v| protocol::challenge_fields(c, v.as_ref()))))
}

/// Posts the attempt's result to a pinned origin, once per attempt.
fn post_result(attempt: Attempt, outcome: Outcome) {
    if attempt.ended.get_value() {
        return;
    }
    attempt.ended.set_value(true);
    let fields = attempt.challenge.with_untracked(|c| {
        c.as_ref().map(|c| attempt.verdict.with_untracked(|v| protocol::result_fields(outcome, c, v.as_ref(), attempt.seconds())))
    });
    if let Some(fields) = fields {
        post_pinned("result", &fields);
    }
}

/// Carries out a valid command; a refusal names the field at fault and leaves everything as it was.
fn run(command: &Command, request: Option<&Field>, sim: Sim, pick: Option<Pick>, attempt: Attempt) -> Result<(), Refusal> {
    let current = sim.scenario.get_untracked();
    // The new scenario and, if it moves the picker, the picker's journey and stage.
    let (next, picked): (Option<sim_core::Scenario>, Option<(usize, usize)>) = match command {
        Command::SetScenario { query } => {
            let (s, journey, step) = protocol::scenario_of(query)?;
            let picked = Pick::from_view(journey.as_deref(), step, s.stage);
            (Some(s), Some(picked))
        }
        Command::SetStage { stage, journey } => {
            let (s, picked) = protocol::stage_of(journey, *stage, current.seed)?;
            (Some(s), Some(picked))
        }
        Command::SetLoad { users } => (Some(protocol::with_knob(&current, "users", users).map_err(|(_, m)| ("users", m))?), None),
        Command::SetKnob { knob, value } => (Some(protocol::with_knob(&current, knob, value)?), None),
        Command::ApplyFix { fix } => {
            let fix = sim.rows.with_untracked(|rows| protocol::fix_of(rows, fix))?;
            (Some(fix.apply(&current)), None)
        }
        Command::AddFault { fault, at } => {
            let at = at.unwrap_or_else(|| sim.cursor.get_untracked().floor());
            (Some(protocol::with_fault(&current, fault, at)?), None)
        }
        Command::Play => {
            sim.playing.set(true);
            (None, None)
        }
        Command::Pause => {
            sim.playing.set(false);
            (None, None)
        }
        Command::Seek { t } => {
            sim.cursor.set(protocol::seek_to(*t, current.duration_s)?);
            (None, None)
        }
        Command::SetChallenge { query } => {
            let (challenge, scenario) = protocol::challenge_of(query)?;
            let same = attempt.challenge.with_untracked(|c| c.as_ref() == Some(&challenge));
            if same && scenario.as_ref().is_none_or(|s| *s == current) {
                // Already handed out on this very system: nothing to do.
                return Ok(());
            }
            // The attempt being replaced ends: failed if the learner worked on it and it did not pass.
            if attempt.challenge.with_untracked(Option::is_some) && attempt.learner_changed.get_value() {
                post_result(attempt, Outcome::Failed);
            }
            let picked = scenario.as_ref().map(|s| Pick::from_view(None, None, s.stage));
            if let Some(s) = scenario.filter(|s| *s != current) {
                sim.scenario.set(s);
            }
            if let (Some(pick), Some(p)) = (pick, picked) {
                pick.0.set(p);
            }
            attempt.hand_out(Some(challenge));
            HOST_SET.with(|h| *h.borrow_mut() = Some(query_now(sim, pick)));
            (None, None)
        }
        Command::GetState => {
            let bottleneck = sim.rows.with_untracked(|rows| protocol::bottleneck_fields(rows));
            let mut fields = vec![
                ("query", Field::Text(query_now(sim, pick))),
                ("summary", sim.steady.with_untracked(|r| protocol::summary_field(&r.summary))),
                ("bottleneck", Field::Obj(bottleneck.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())),
                (
                    "challenge",
                    challenge_now(attempt).map_or(Field::Null, |c| Field::Obj(c.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())),
                ),
                ("t", Field::Num(sim.cursor.get_untracked())),
                ("playing", Field::Bool(sim.playing.get_untracked())),
            ];
            fields.extend(request.map(|r| ("request", r.clone())));
            post("state", &fields);
            (None, None)
        }
    };
    let before = query_now(sim, pick);
    if let (Some(pick), Some(p)) = (pick, picked) {
        if pick.0.get_untracked() != p {
            pick.0.set(p);
        }
    }
    if let Some(s) = next.filter(|s| *s != current) {
        sim.scenario.set(s);
        if attempt.challenge.with_untracked(Option::is_some) {
            attempt.host_changed.set_value(true);
        }
    }
    // What the host set, so that the `change` event reporting it says `user: false`.
    let after = query_now(sim, pick);
    if after != before {
        HOST_SET.with(|h| *h.borrow_mut() = Some(after));
    }
    Ok(())
}

/// Wires the bridge: answers host commands and announces what changes.
pub fn connect(sim: Sim, attempt: Attempt) {
    if !in_frame() {
        return;
    }
    let pick = use_context::<Pick>();
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
        let refused = match protocol::read(|k| read_value(&data, k)) {
            Inbound::NotForUs => return,
            Inbound::Rejected(r, request) => Some((r.command, r.field, r.message, request)),
            Inbound::Command(e) => run(&e.command, e.request.as_ref(), sim, pick, attempt)
                .err()
                .map(|(field, message)| (e.command.name().to_owned(), field.to_owned(), message, e.request)),
        };
        if let Some((command, field, message, request)) = refused {
            let mut fields = vec![("command", Field::Text(command)), ("field", Field::Text(field)), ("message", Field::Text(message))];
            fields.extend(request.map(|r| ("request", r)));
            post("rejected", &fields);
        }
    });
    on_cleanup(move || listener.remove());

    let (stage, users) = sim.scenario.with_untracked(|s| (s.stage, s.traffic.users));
    post(
        "ready",
        &[
            ("commands", Field::List(protocol::COMMANDS.iter().map(|c| Field::Text((*c).to_owned())).collect())),
            ("stage", Field::Num(stage as f64)),
            ("users", Field::Num(users as f64)),
        ],
    );

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

    // The bottleneck, when the row the page leads with (or its fix) changes.
    let first = Memo::new(move |_| {
        sim.rows.with(|rows| sim_core::diagnose::headline(rows).map(|r| (r.component, r.metric, r.id.name(), r.fix.map(|f| f.label()))))
    });
    Effect::new(move |_| {
        // Read, not merely tracked: a memo that has never run has no sources to hear from.
        first.with(|_| ());
        post("bottleneck", &sim.rows.with_untracked(|rows| protocol::bottleneck_fields(rows)));
    });

    // A change of the scenario or the picker, once it has been still for a moment: the learner's unless it is
    // what a host command set.
    let pending = StoredValue::new(None::<TimeoutHandle>);
    let last = StoredValue::new(query_now(sim, pick));
    Effect::new(move |first_run: Option<()>| {
        sim.scenario.track();
        if let Some(p) = pick {
            p.0.track();
        }
        if first_run.is_none() {
            return;
        }
        if let Some(h) = pending.get_value() {
            h.clear();
        }
        let write = move || {
            let q = query_now(sim, pick);
            if last.with_value(|l| *l == q) {
                return;
            }
            last.set_value(q.clone());
            let by_host = HOST_SET.with(|h| h.borrow_mut().take()).is_some_and(|h| h == q);
            if !by_host && attempt.challenge.with_untracked(Option::is_some) {
                attempt.learner_changed.set_value(true);
            }
            post("change", &[("query", Field::Text(q)), ("user", Field::Bool(!by_host))]);
        };
        pending.set_value(set_timeout_with_handle(write, Duration::from_millis(CHANGE_DELAY_MS)).ok());
    });

    // The challenge's goals whenever their values or states change, and the result when every goal is met after
    // a change (passed if only the learner changed the system, completed if a host command did).
    let posted = StoredValue::new(None::<Vec<(&'static str, Field)>>);
    Effect::new(move |_| {
        attempt.verdict.track();
        attempt.challenge.track();
        let Some(fields) = challenge_now(attempt) else {
            return;
        };
        if attempt.verdict.with_untracked(Option::is_none) || posted.with_value(|p| p.as_ref() == Some(&fields)) {
            return;
        }
        posted.set_value(Some(fields.clone()));
        post("challenge", &fields);
        let passed = attempt.verdict.with_untracked(|v| v.as_ref().is_some_and(|v| v.passed));
        let touched = attempt.learner_changed.get_value() || attempt.host_changed.get_value();
        if passed && touched {
            post_result(attempt, if attempt.host_changed.get_value() { Outcome::Completed } else { Outcome::Passed });
        }
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
}
