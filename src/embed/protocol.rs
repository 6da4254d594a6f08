//! Embed protocol v1, the pure part: reading a host's message into a typed [`Command`] (or a [`Rejection`]
//! naming the field at fault), applying a command's change to a scenario through the URL's own reading
//! (`sim_core::query`), and building the fields of the events scalesim posts. Nothing here touches the browser,
//! so every rule is unit-tested natively. `public/embed-protocol.md` is the protocol's reference.
use sim_core::challenge::{Op, Over, Verdict};
use sim_core::diagnose::{first_fix, Fix, Row};
use sim_core::query;
use sim_core::Scenario;

use crate::view::{ChallengeView, View};

/// The protocol version every message carries as `v`.
pub const VERSION: f64 = 1.0;

/// The commands scalesim accepts, as `ready` lists them.
pub const COMMANDS: [&str; 11] =
    ["setScenario", "setStage", "setLoad", "setKnob", "applyFix", "addFault", "play", "pause", "seek", "setChallenge", "getState"];

/// Longest string accepted in a short field (a knob id, a value, a fix, a fault kind, a journey, a challenge id).
pub const MAX_TEXT: usize = 200;
/// Longest query string accepted (`setScenario`, `setChallenge`).
pub const MAX_QUERY: usize = 8_192;
/// Longest `request` tag echoed back.
pub const MAX_REQUEST: usize = 64;

/// A field of a host's message, as read from the JavaScript object.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// The field is absent (or `undefined`).
    Missing,
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number (possibly not finite).
    Num(f64),
    /// A string no longer than [`MAX_QUERY`].
    Text(String),
    /// A string longer than [`MAX_QUERY`] (not copied).
    TooLong,
    /// Anything else: an object, an array, a function.
    Other,
}

/// A field of a message to the host; converted to a plain JSON-compatible JavaScript value.
#[derive(Clone, Debug, PartialEq)]
pub enum Field {
    /// A number; a non-finite one is sent as `null`.
    Num(f64),
    /// A string.
    Text(String),
    /// `true` or `false`.
    Bool(bool),
    /// `null`.
    Null,
    /// An array.
    List(Vec<Field>),
    /// An object, its keys in order.
    Obj(Vec<(String, Field)>),
}

/// A command from the host, validated for its types and sizes (not yet against the scenario).
#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    /// Replace the scenario with the one a link's query string means.
    SetScenario { query: String },
    /// Open stage `stage` (from 1) of a journey as its picker shows it.
    SetStage { stage: u32, journey: String },
    /// Set the users, as the `users` key's text.
    SetLoad { users: String },
    /// Set one knob (a key of the query string) to a value, as its text.
    SetKnob { knob: String, value: String },
    /// Apply a row's fix (`first`: the first live row that has one).
    ApplyFix { fix: String },
    /// Schedule a fault (`at` in simulated seconds; `None`: at the playback cursor).
    AddFault { fault: String, at: Option<f64> },
    /// Start playback.
    Play,
    /// Pause playback.
    Pause,
    /// Move the playback cursor.
    Seek { t: f64 },
    /// Hand out a challenge, as the view keys of a link (`challenge=ID`, or `goals=`, `hints=`).
    SetChallenge { query: String },
    /// Ask for a `state` event.
    GetState,
}

impl Command {
    /// The command's name in messages.
    pub fn name(&self) -> &'static str {
        match self {
            Command::SetScenario { .. } => "setScenario",
            Command::SetStage { .. } => "setStage",
            Command::SetLoad { .. } => "setLoad",
            Command::SetKnob { .. } => "setKnob",
            Command::ApplyFix { .. } => "applyFix",
            Command::AddFault { .. } => "addFault",
            Command::Play => "play",
            Command::Pause => "pause",
            Command::Seek { .. } => "seek",
            Command::SetChallenge { .. } => "setChallenge",
            Command::GetState => "getState",
        }
    }
}

/// Why a command was not applied: answered with a `rejected` event. Nothing of the command is applied.
#[derive(Clone, Debug, PartialEq)]
pub struct Rejection {
    /// The command's `type`, as sent (capped).
    pub command: String,
    /// The message field at fault (`type`, `v`, `knob`, `value`, `users`, …).
    pub field: String,
    /// What was wrong, in words.
    pub message: String,
}

impl Rejection {
    fn new(command: &str, field: &str, message: impl Into<String>) -> Rejection {
        Rejection { command: command.to_owned(), field: field.to_owned(), message: message.into() }
    }
}

/// A command with the host's `request` tag, echoed in the answer (`state`, `rejected`).
#[derive(Clone, Debug, PartialEq)]
pub struct Envelope {
    /// The command.
    pub command: Command,
    /// The host's tag, if it sent one.
    pub request: Option<Field>,
}

/// What a message from the host is.
#[derive(Clone, Debug, PartialEq)]
pub enum Inbound {
    /// Not addressed to scalesim (`target` is not `"scalesim"`): ignored without an answer.
    NotForUs,
    /// A valid command.
    Command(Envelope),
    /// Addressed to scalesim but not valid: answered with `rejected`.
    Rejected(Rejection, Option<Field>),
}

/// A number's text as the query string writes numbers (`300`, `0.5`).
pub fn number_text(v: f64) -> String {
    format!("{v}")
}

/// Cuts `s` to at most `max` characters (for echoing what a host sent).
fn capped(s: &str, max: usize) -> String {
    s.chars().take(max).collect()
}

/// Reads a host message, given a way to read each of its fields.
pub fn read(get: impl Fn(&str) -> Value) -> Inbound {
    if get("target") != Value::Text("scalesim".to_owned()) {
        return Inbound::NotForUs;
    }
    let kind = match get("type") {
        Value::Text(t) => capped(&t, MAX_TEXT),
        _ => String::new(),
    };
    let request = match get("request") {
        Value::Missing | Value::Null => None,
        Value::Num(n) if n.is_finite() => Some(Field::Num(n)),
        Value::Text(t) if t.chars().count() <= MAX_REQUEST => Some(Field::Text(t)),
        _ => {
            let why = format!("request must be a finite number or a string of at most {MAX_REQUEST} characters");
            return Inbound::Rejected(Rejection::new(&kind, "request", why), None);
        }
    };
    match command(&kind, &get) {
        Ok(command) => Inbound::Command(Envelope { command, request }),
        Err(r) => Inbound::Rejected(r, request),
    }
}

/// Reads the command of `kind` from its fields.
fn command(kind: &str, get: &impl Fn(&str) -> Value) -> Result<Command, Rejection> {
    let reject = |field: &str, message: String| Rejection::new(kind, field, message);
    match get("v") {
        Value::Missing => {}
        Value::Num(v) if v == VERSION => {}
        _ => return Err(reject("v", "v must be 1 (or left out): this scalesim speaks embed protocol v1".to_owned())),
    }
    // A string field, required, at most `max` characters.
    let text = |field: &str, max: usize| match get(field) {
        Value::Text(t) if t.chars().count() <= max => Ok(t),
        Value::Text(_) | Value::TooLong => Err(reject(field, format!("{field} is longer than {max} characters"))),
        Value::Missing | Value::Null => Err(reject(field, format!("{field} is missing"))),
        _ => Err(reject(field, format!("{field} must be a string"))),
    };
    // A number field, required, finite.
    let number = |field: &str| match get(field) {
        Value::Num(n) if n.is_finite() => Ok(n),
        Value::Num(_) => Err(reject(field, format!("{field} must be a finite number"))),
        Value::Missing | Value::Null => Err(reject(field, format!("{field} is missing"))),
        _ => Err(reject(field, format!("{field} must be a number"))),
    };
    // A value as its query-string text: numbers as the URL writes them, switches as 1 or 0, short strings.
    let value_text = |field: &str| match get(field) {
        Value::Num(n) if n.is_finite() => Ok(number_text(n)),
        Value::Bool(b) => Ok(if b { "1" } else { "0" }.to_owned()),
        Value::Text(_) | Value::TooLong => text(field, MAX_TEXT),
        Value::Num(_) => Err(reject(field, format!("{field} must be a finite number"))),
        Value::Missing | Value::Null => Err(reject(field, format!("{field} is missing"))),
        _ => Err(reject(field, format!("{field} must be a number, a string or true/false"))),
    };
    Ok(match kind {
        "setScenario" => Command::SetScenario { query: text("query", MAX_QUERY)? },
        "setStage" => {
            let stage = number("stage")?;
            if stage.fract() != 0.0 || !(1.0..=1_000.0).contains(&stage) {
                return Err(reject(
                    "stage",
                    format!("stage = {} is not a stage number; expected a whole number from 1", number_text(stage)),
                ));
            }
            let journey = match get("journey") {
                Value::Missing | Value::Null => sim_core::journey::NAMES[0].to_owned(),
                _ => text("journey", MAX_TEXT)?,
            };
            Command::SetStage { stage: stage as u32, journey }
        }
        "setLoad" => Command::SetLoad { users: value_text("users")? },
        "setKnob" => Command::SetKnob { knob: text("knob", MAX_TEXT)?, value: value_text("value")? },
        "applyFix" => Command::ApplyFix { fix: text("fix", MAX_TEXT)? },
        "addFault" => {
            let at = match get("at") {
                Value::Missing | Value::Null => None,
                _ => Some(number("at")?),
            };
            Command::AddFault { fault: text("fault", MAX_TEXT)?, at }
        }
        "play" => Command::Play,
        "pause" => Command::Pause,
        "seek" => Command::Seek { t: number("t")? },
        "setChallenge" => match (get("id"), get("query")) {
            (Value::Missing | Value::Null, Value::Missing | Value::Null) => {
                return Err(reject("id", "setChallenge needs id (a built-in challenge) or query (challenge=, goals=, hints=)".to_owned()))
            }
            (Value::Missing | Value::Null, _) => Command::SetChallenge { query: text("query", MAX_QUERY)? },
            _ => Command::SetChallenge { query: format!("challenge={}", query::encode(&text("id", MAX_TEXT)?)) },
        },
        "getState" => Command::GetState,
        "" => return Err(reject("type", "type is missing; expected the name of a command".to_owned())),
        other => return Err(reject("type", format!("\"{other}\" is not a command; known: {}", COMMANDS.join(", ")))),
    })
}

/// A change refused: the field at fault and why (the command's name is added by the caller).
pub type Refusal = (&'static str, String);

/// `s` with `knob` (a key of the query string) set to `value` exactly as a link's `knob=value` is read, and the
/// scenario's cross-field rules repaired; refused, with nothing applied, if the URL's reading would clamp,
/// replace or repair anything (the notice it would show is the message).
pub fn with_knob(s: &Scenario, knob: &str, value: &str) -> Result<Scenario, Refusal> {
    let Some(field) = query::FIELDS.iter().find(|f| f.key == knob) else {
        let hint = if knob == "stage" { " (use setStage)" } else { "" };
        return Err(("knob", format!("knob = \"{}\" is not a key of the scenario's query string{hint}", capped(knob, 40))));
    };
    let mut next = s.clone();
    if let Some(notice) = (field.set)(&mut next, value) {
        return Err(("value", notice.to_string()));
    }
    let before = s.clone().repair();
    if let Some(notice) = next.repair().into_iter().find(|n| !before.contains(n)) {
        return Err(("value", notice.to_string()));
    }
    Ok(next)
}

/// `s` with a fault of kind `fault` (a `faults=` kind) at `at` seconds, read as the `faults` key reads it.
pub fn with_fault(s: &Scenario, fault: &str, at: f64) -> Result<Scenario, Refusal> {
    if !sim_core::scenario::FaultKind::ALL.iter().any(|k| k.name() == fault) {
        let known: Vec<&str> = sim_core::scenario::FaultKind::ALL.iter().map(|k| k.name()).collect();
        return Err(("fault", format!("fault = \"{}\" is not a fault; known: {}", capped(fault, 40), known.join(", "))));
    }
    if !(0.0..=s.duration_s).contains(&at) {
        return Err(("at", format!("at = {} is outside the run; accepted: 0 to {}", number_text(at), number_text(s.duration_s))));
    }
    if s.faults.iter().any(|f| f.kind.name() == fault && f.at_s == at) {
        // Already scheduled: the command is idempotent.
        return Ok(s.clone());
    }
    let faults = query::FIELDS.iter().find(|f| f.key == "faults").map(|f| (f.get)(s)).unwrap_or_default();
    let list = if faults.is_empty() { format!("{fault}@{}", number_text(at)) } else { format!("{faults},{fault}@{}", number_text(at)) };
    with_knob(s, "faults", &list).map_err(|(_, m)| ("at", m))
}

/// The scenario a link's query string means (as the page opens it: a short stage link opens the picker's stage)
/// and the picker's journey and step from its `journey=` and `step=` keys; refused if the link would show any
/// notice, or carries view keys other than those two.
pub fn scenario_of(q: &str) -> Result<(Scenario, Option<String>, Option<usize>), Refusal> {
    let parsed = query::parse(q);
    if let Some(notice) = parsed.notices.first() {
        return Err(("query", notice.to_string()));
    }
    if let Some((key, _)) = parsed.view.iter().find(|(k, _)| k != "journey" && k != "step") {
        return Err(("query", format!("{key} is a view key; setScenario takes the scenario's keys and journey= and step=")));
    }
    let (view, notices) = View::parse(&parsed.view, &parsed.scenario);
    if let Some(n) = notices.first() {
        return Err(("query", n.clone()));
    }
    let scenario = sim_core::journey::stage_link(q).unwrap_or(parsed.scenario);
    Ok((scenario, view.journey, view.step))
}

/// Stage `stage` (from 1) of journey `journey` as its picker shows it, with `seed` kept (as the picker keeps it);
/// also the picker's (journey, stage) indexes.
pub fn stage_of(journey: &str, stage: u32, seed: u64) -> Result<(Scenario, (usize, usize)), Refusal> {
    let names = sim_core::journey::NAMES;
    let Some(j) = names.iter().position(|n| *n == journey) else {
        return Err(("journey", format!("journey = \"{}\" is not a journey; known: {}", capped(journey, 40), names.join(", "))));
    };
    let path = sim_core::journey::journey(names[j]).ok_or(("journey", format!("journey {journey} has no stages")))?;
    let Some(st) = path.stages.get((stage as usize).wrapping_sub(1)) else {
        return Err(("stage", format!("stage = {stage} is out of range; journey {journey} has stages 1 to {}", path.stages.len())));
    };
    let mut s = st.scenario.clone();
    s.seed = seed;
    Ok((s, (j, stage as usize - 1)))
}

/// The fix of the row called `id` in `rows` (the table's rows), or of the first live row that has one for
/// `"first"`.
pub fn fix_of(rows: &[Row], id: &str) -> Result<Fix, Refusal> {
    if id == "first" {
        return first_fix(rows).and_then(|r| r.fix).ok_or(("fix", "no live row has a fix now".to_owned()));
    }
    let Some(row) = rows.iter().find(|r| r.id.name() == id) else {
        let known: Vec<&str> = rows.iter().filter(|r| r.fix.is_some()).map(|r| r.id.name()).collect();
        return Err((
            "fix",
            format!("fix = \"{}\" is not a row of the table; rows with a fix now: first, {}", capped(id, 40), known.join(", ")),
        ));
    };
    row.fix.ok_or(("fix", format!("the row {id} has no fix now")))
}

/// A playback position, checked against the run's length.
pub fn seek_to(t: f64, duration: f64) -> Result<f64, Refusal> {
    if (0.0..=duration).contains(&t) {
        Ok(t)
    } else {
        Err(("t", format!("t = {} is outside the run; accepted: 0 to {}", number_text(t), number_text(duration))))
    }
}

/// A challenge handed out by a link's view keys, and the scenario it opens: a built-in challenge's setup when the
/// query sets nothing about the system, the query's scenario when it does, else `None` (the scenario stays).
pub fn challenge_of(q: &str) -> Result<(ChallengeView, Option<Scenario>), Refusal> {
    let parsed = query::parse(q);
    if let Some(notice) = parsed.notices.first() {
        return Err(("query", notice.to_string()));
    }
    let (view, notices) = View::parse(&parsed.view, &parsed.scenario);
    if let Some(n) = notices.first() {
        let field = if n.starts_with("challenge") { "id" } else { "query" };
        return Err((field, n.clone()));
    }
    let Some(challenge) = view.challenge else {
        return Err(("query", "the query hands out no challenge; expected challenge=ID or goals=".to_owned()));
    };
    let scenario = if query::sets_system(q) {
        Some(sim_core::journey::stage_link(q).unwrap_or(parsed.scenario))
    } else {
        challenge.id.and_then(sim_core::challenge::by_id).map(|c| c.scenario())
    };
    Ok((challenge, scenario))
}

/// A duration in ISO 8601, whole seconds: `PT1M30S`, `PT1H2M5S`, `PT0S`.
pub fn iso_duration(seconds: f64) -> String {
    let s = if seconds.is_finite() { seconds.max(0.0).round() as u64 } else { 0 };
    let (h, m, s) = (s / 3_600, s / 60 % 60, s % 60);
    let mut out = "PT".to_owned();
    if h > 0 {
        out.push_str(&format!("{h}H"));
    }
    if m > 0 {
        out.push_str(&format!("{m}M"));
    }
    if s > 0 || (h == 0 && m == 0) {
        out.push_str(&format!("{s}S"));
    }
    out
}

/// Each goal of a challenge with its outcome: `{metric, op, target, over, actual, met}`.
pub fn goal_fields(challenge: &ChallengeView, verdict: Option<&Verdict>) -> Field {
    Field::List(
        challenge
            .goals
            .iter()
            .enumerate()
            .map(|(i, g)| {
                let result = verdict.and_then(|v| v.goals.get(i));
                Field::Obj(vec![
                    ("metric".into(), Field::Text(g.metric.clone())),
                    ("op".into(), Field::Text(if g.op == Op::AtMost { "<=" } else { ">=" }.into())),
                    ("target".into(), Field::Num(g.target)),
                    ("over".into(), Field::Text(if g.over == Over::EveryWindow { "every" } else { "run" }.into())),
                    ("actual".into(), result.map_or(Field::Null, |r| Field::Num(r.actual))),
                    ("met".into(), Field::Bool(result.is_some_and(|r| r.met))),
                ])
            })
            .collect(),
    )
}

/// The `challenge` event's fields (also the `challenge` of `state`).
pub fn challenge_fields(challenge: &ChallengeView, verdict: Option<&Verdict>) -> Vec<(&'static str, Field)> {
    vec![
        ("id", challenge.id.map_or(Field::Null, |id| Field::Text(id.to_owned()))),
        ("title", Field::Text(challenge.title.clone())),
        ("goals", goal_fields(challenge, verdict)),
        ("passed", Field::Bool(verdict.is_some_and(|v| v.passed))),
    ]
}

/// How an attempt at a challenge ended, as the `result` event's xAPI verb.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The learner met every goal, without a host command changing the system during the attempt.
    Passed,
    /// Every goal was met, but a host command changed the system during the attempt: done, success not claimed.
    Completed,
    /// The attempt was replaced by another challenge before every goal was met, after the learner had worked on it.
    Failed,
}

/// The `result` event's fields: `{verb, success, completion, score: {scaled, raw, max}, duration, challenge}`.
pub fn result_fields(outcome: Outcome, challenge: &ChallengeView, verdict: Option<&Verdict>, seconds: f64) -> Vec<(&'static str, Field)> {
    let max = challenge.goals.len() as f64;
    let raw = verdict.map_or(0.0, |v| v.goals.iter().filter(|g| g.met).count() as f64);
    let (verb, success, completion) = match outcome {
        Outcome::Passed => ("passed", Field::Bool(true), true),
        Outcome::Completed => ("completed", Field::Null, true),
        Outcome::Failed => ("failed", Field::Bool(false), false),
    };
    vec![
        ("verb", Field::Text(verb.into())),
        ("success", success),
        ("completion", Field::Bool(completion)),
        (
            "score",
            Field::Obj(vec![
                ("scaled".into(), Field::Num(if max > 0.0 { raw / max } else { 0.0 })),
                ("raw".into(), Field::Num(raw)),
                ("max".into(), Field::Num(max)),
            ]),
        ),
        ("duration", Field::Text(iso_duration(seconds))),
        ("challenge", challenge.id.map_or(Field::Null, |id| Field::Text(id.to_owned()))),
    ]
}

/// A run's figures by their JSON names (those `scalesim run` prints), as one object.
pub fn summary_field(summary: &sim_core::report::Summary) -> Field {
    Field::Obj(sim_core::plan::compare::figures(summary).into_iter().map(|(k, v)| (k, Field::Num(v))).collect())
}

/// A bottleneck as the `bottleneck` event describes it: the row the page leads with (an outage, else a capacity
/// row: [`sim_core::diagnose::headline`]), its kind, its row id (for `applyFix`) and its fix's label (empty when the
/// row has none); `component: null` when there is none.
pub fn bottleneck_fields(rows: &[Row]) -> Vec<(&'static str, Field)> {
    match sim_core::diagnose::headline(rows) {
        Some(r) => vec![
            ("kind", Field::Text(r.id.kind().word().to_owned())),
            ("component", Field::Text(r.component.to_owned())),
            ("metric", Field::Text(r.metric.to_owned())),
            ("value", Field::Num(r.value)),
            ("threshold", Field::Num(r.threshold)),
            ("fix", Field::Text(r.id.name().to_owned())),
            ("label", Field::Text(r.fix.map(|f| f.label()).unwrap_or_default())),
        ],
        None => vec![("component", Field::Null)],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A message from pairs; every other field is missing.
    fn msg<'a>(pairs: &'a [(&'a str, Value)]) -> impl Fn(&str) -> Value + 'a {
        move |k| pairs.iter().find(|(key, _)| *key == k).map_or(Value::Missing, |(_, v)| v.clone())
    }
    fn t(s: &str) -> Value {
        Value::Text(s.to_owned())
    }
    fn command(pairs: &[(&str, Value)]) -> Command {
        let mut all = vec![("target", t("scalesim"))];
        all.extend_from_slice(pairs);
        match read(msg(&all)) {
            Inbound::Command(e) => e.command,
            other => panic!("{other:?}"),
        }
    }
    fn rejected(pairs: &[(&str, Value)]) -> Rejection {
        let mut all = vec![("target", t("scalesim"))];
        all.extend_from_slice(pairs);
        match read(msg(&all)) {
            Inbound::Rejected(r, _) => r,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn only_messages_addressed_to_scalesim_are_read() {
        assert_eq!(read(msg(&[("type", t("play"))])), Inbound::NotForUs);
        assert_eq!(read(msg(&[("target", t("other")), ("type", t("play"))])), Inbound::NotForUs);
        assert_eq!(read(msg(&[("target", Value::Num(1.0)), ("type", t("play"))])), Inbound::NotForUs);
        assert_eq!(command(&[("type", t("play"))]), Command::Play);
    }

    #[test]
    fn every_command_reads_with_its_fields() {
        let n = Value::Num;
        assert_eq!(command(&[("type", t("setScenario")), ("query", t("stage=3"))]), Command::SetScenario { query: "stage=3".into() });
        assert_eq!(command(&[("type", t("setStage")), ("stage", n(5.0))]), Command::SetStage { stage: 5, journey: "scalesim".into() });
        assert_eq!(
            command(&[("type", t("setStage")), ("stage", n(2.0)), ("journey", t("blog"))]),
            Command::SetStage { stage: 2, journey: "blog".into() }
        );
        assert_eq!(command(&[("type", t("setLoad")), ("users", n(5_000.0))]), Command::SetLoad { users: "5000".into() });
        assert_eq!(
            command(&[("type", t("setKnob")), ("knob", t("ttl")), ("value", n(300.0))]),
            Command::SetKnob { knob: "ttl".into(), value: "300".into() }
        );
        assert_eq!(
            command(&[("type", t("setKnob")), ("knob", t("cdn")), ("value", Value::Bool(true))]),
            Command::SetKnob { knob: "cdn".into(), value: "1".into() }
        );
        assert_eq!(command(&[("type", t("applyFix")), ("fix", t("first"))]), Command::ApplyFix { fix: "first".into() });
        assert_eq!(
            command(&[("type", t("addFault")), ("fault", t("kill_app")), ("at", n(60.0))]),
            Command::AddFault { fault: "kill_app".into(), at: Some(60.0) }
        );
        assert_eq!(command(&[("type", t("addFault")), ("fault", t("spike"))]), Command::AddFault { fault: "spike".into(), at: None });
        assert_eq!(command(&[("type", t("pause"))]), Command::Pause);
        assert_eq!(command(&[("type", t("seek")), ("t", n(42.5))]), Command::Seek { t: 42.5 });
        assert_eq!(
            command(&[("type", t("setChallenge")), ("id", t("slow-saves"))]),
            Command::SetChallenge { query: "challenge=slow-saves".into() }
        );
        assert_eq!(
            command(&[("type", t("setChallenge")), ("id", t("a&goals=x"))]),
            Command::SetChallenge { query: "challenge=a%26goals%3Dx".into() },
            "an id cannot smuggle keys"
        );
        assert_eq!(
            command(&[("type", t("setChallenge")), ("query", t("goals=p99_ms<=200"))]),
            Command::SetChallenge { query: "goals=p99_ms<=200".into() }
        );
        assert_eq!(command(&[("type", t("getState")), ("v", n(1.0))]), Command::GetState);
        assert_eq!(COMMANDS.len(), 11);
    }

    #[test]
    fn bad_and_absurd_values_are_rejected_naming_the_field() {
        let n = Value::Num;
        let cases: Vec<(Vec<(&str, Value)>, &str)> = vec![
            (vec![("type", t("explode"))], "type"),
            (vec![], "type"),
            (vec![("type", t("play")), ("v", n(2.0))], "v"),
            (vec![("type", t("play")), ("v", t("1"))], "v"),
            (vec![("type", t("setLoad")), ("users", n(f64::NAN))], "users"),
            (vec![("type", t("setLoad")), ("users", n(f64::INFINITY))], "users"),
            (vec![("type", t("setLoad"))], "users"),
            (vec![("type", t("setLoad")), ("users", Value::Other)], "users"),
            (vec![("type", t("setStage")), ("stage", n(2.5))], "stage"),
            (vec![("type", t("setStage")), ("stage", n(-1.0))], "stage"),
            (vec![("type", t("setStage")), ("stage", n(1e300))], "stage"),
            (vec![("type", t("setStage")), ("stage", t("3"))], "stage"),
            (vec![("type", t("setStage")), ("stage", n(2.0)), ("journey", Value::Num(1.0))], "journey"),
            (vec![("type", t("setKnob")), ("value", n(1.0))], "knob"),
            (vec![("type", t("setKnob")), ("knob", t("ttl"))], "value"),
            (vec![("type", t("setKnob")), ("knob", t("ttl")), ("value", t(&"9".repeat(MAX_TEXT + 1)))], "value"),
            (vec![("type", t("setScenario")), ("query", Value::TooLong)], "query"),
            (vec![("type", t("seek")), ("t", n(f64::NEG_INFINITY))], "t"),
            (vec![("type", t("addFault")), ("fault", t("spike")), ("at", t("soon"))], "at"),
            (vec![("type", t("setChallenge"))], "id"),
            (vec![("type", t("play")), ("request", Value::Other)], "request"),
            (vec![("type", t("play")), ("request", t(&"r".repeat(MAX_REQUEST + 1)))], "request"),
        ];
        for (pairs, field) in cases {
            let r = rejected(&pairs);
            assert_eq!(r.field, field, "{pairs:?}: {r:?}");
            assert!(!r.message.is_empty());
        }
        // An absurd type name is echoed capped.
        assert_eq!(rejected(&[("type", t(&"x".repeat(5_000)))]).command.chars().count(), MAX_TEXT);
    }

    #[test]
    fn the_request_tag_is_echoed() {
        let pairs = [("target", t("scalesim")), ("type", t("getState")), ("request", Value::Num(7.0))];
        assert_eq!(read(msg(&pairs)), Inbound::Command(Envelope { command: Command::GetState, request: Some(Field::Num(7.0)) }));
        let pairs = [("target", t("scalesim")), ("type", t("nope")), ("request", t("r1"))];
        assert!(matches!(read(msg(&pairs)), Inbound::Rejected(_, Some(Field::Text(ref r))) if r == "r1"));
    }

    #[test]
    fn knobs_go_through_the_url_reading_and_are_never_applied_half() {
        let s = Scenario::stage(4);
        let ttl = with_knob(&s, "ttl", "300").unwrap();
        assert_eq!(ttl.arch.cache_ttl_s, 300.0);
        assert_eq!(query::parse(&format!("{}&ttl=300", query::to_query(&s))).scenario, ttl, "the same as the link");
        for (knob, value, field, words) in [
            ("ttl", "banana", "value", "ttl"),
            ("ttl", "999999", "value", "out of range"),
            ("users", "0", "value", "users"),
            ("wings", "1", "knob", "wings"),
            ("stage", "3", "knob", "setStage"),
            ("sessions", "cookies", "value", "redis or sticky"),
            ("ttl", "NaN", "value", "ttl"),
        ] {
            let (f, message) = with_knob(&s, knob, value).unwrap_err();
            assert_eq!(f, field, "{knob}={value}");
            assert!(message.contains(words), "{knob}={value}: {message}");
        }
        // A value the repair would undo (a query cache on the single box, which has no Redis node) is refused.
        assert_eq!(Scenario::stage(1).arch.redis_nodes, 0);
        let (f, message) = with_knob(&Scenario::stage(1), "ttl", "60").unwrap_err();
        assert!(f == "value" && message.contains("needs a Redis node"), "{message}");
    }

    #[test]
    fn faults_are_added_as_the_faults_key_reads_them() {
        let s = Scenario::stage(5);
        let one = with_fault(&s, "kill_app", 60.0).unwrap();
        let two = with_fault(&one, "spike", 30.0).unwrap();
        assert_eq!(two.faults.iter().map(|f| (f.kind.name(), f.at_s)).collect::<Vec<_>>(), [("spike", 30.0), ("kill_app", 60.0)]);
        assert_eq!(with_fault(&two, "spike", 30.0).unwrap(), two, "the same fault again changes nothing");
        assert_eq!(with_fault(&s, "meteor", 10.0).unwrap_err().0, "fault");
        assert_eq!(with_fault(&s, "spike", s.duration_s + 1.0).unwrap_err().0, "at");
        assert_eq!(with_fault(&s, "spike", -1.0).unwrap_err().0, "at");
    }

    #[test]
    fn scenarios_stages_fixes_and_seeks_are_checked() {
        let (s, journey, step) = scenario_of("v=1&stage=4&users=20000&ttl=300&journey=scalesim&step=4").unwrap();
        assert_eq!((s.stage, s.traffic.users, s.arch.cache_ttl_s, journey.as_deref(), step), (4, 20_000, 300.0, Some("scalesim"), Some(4)));
        assert_eq!(
            scenario_of("stage=6").unwrap().0,
            sim_core::journey::stage_link("stage=6").unwrap(),
            "a short link opens the picker's stage"
        );
        assert_eq!(scenario_of("users=abc").unwrap_err().0, "query");
        assert!(scenario_of("users=5&embed=1").unwrap_err().1.contains("embed"));
        assert_eq!(scenario_of("journey=nowhere").unwrap_err().0, "query");
        let (s, pick) = stage_of("scalesim", 5, 99).unwrap();
        assert_eq!((s.seed, pick), (99, (0, 4)));
        assert_eq!(s, {
            let mut x = sim_core::journey::journey("scalesim").unwrap().stages[4].scenario.clone();
            x.seed = 99;
            x
        });
        assert_eq!(stage_of("blog", 2, 1).unwrap().1, (3, 1));
        assert_eq!(stage_of("scalesim", 99, 1).unwrap_err().0, "stage");
        assert_eq!(stage_of("scalesim", 0, 1).unwrap_err().0, "stage");
        assert_eq!(stage_of("<b>x</b>", 1, 1).unwrap_err().0, "journey");
        assert_eq!(seek_to(30.0, 300.0), Ok(30.0));
        assert_eq!(seek_to(301.0, 300.0).unwrap_err().0, "t");
        assert_eq!(seek_to(-0.5, 300.0).unwrap_err().0, "t");
    }

    #[test]
    fn fixes_are_found_by_the_rows_id_or_first() {
        let s = Scenario::stage(1).with_users(20_000);
        let report = sim_core::fluid::steady_state(&s);
        let rows = sim_core::diagnose::diagnose(&s, &report.summary);
        let first = first_fix(&rows).expect("a single server at 20,000 users has a live row with a fix");
        assert_eq!(fix_of(&rows, "first"), Ok(first.fix.unwrap()));
        assert_eq!(fix_of(&rows, first.id.name()), Ok(first.fix.unwrap()));
        let (field, message) = fix_of(&rows, "warp-drive").unwrap_err();
        assert!(field == "fix" && message.contains(first.id.name()), "{message}");
        let calm = Scenario::stage(1).with_users(1);
        let rows = sim_core::diagnose::diagnose(&calm, &sim_core::fluid::steady_state(&calm).summary);
        assert_eq!(fix_of(&rows, "first").unwrap_err().0, "fix");
        // The bottleneck event names the fix the table shows.
        let fields = bottleneck_fields(&sim_core::diagnose::diagnose(&s, &report.summary));
        assert!(fields.iter().any(|(k, v)| *k == "fix" && *v == Field::Text(first.id.name().to_owned())));
    }

    #[test]
    fn challenges_are_handed_out_as_a_link_does() {
        let (c, s) = challenge_of("challenge=slow-saves").unwrap();
        assert_eq!(c.id, Some("slow-saves"));
        assert_eq!(s, Some(sim_core::challenge::by_id("slow-saves").unwrap().scenario()), "its setup");
        let (c, s) = challenge_of("goals=p99_ms<=200&hints=a|b").unwrap();
        assert_eq!((c.id, c.goals.len(), c.hints.len(), s), (None, 1, 2, None));
        let (_, s) = challenge_of("challenge=slow-saves&stage=2&users=50").unwrap();
        assert_eq!(s.map(|s| (s.stage, s.traffic.users)), Some((2, 50)));
        assert_eq!(challenge_of("challenge=nope").unwrap_err().0, "id");
        assert_eq!(challenge_of("goals=p99<=1").unwrap_err().0, "query");
        assert_eq!(challenge_of("users=5").unwrap_err().0, "query");
    }

    #[test]
    fn results_are_xapi_shaped() {
        assert_eq!(iso_duration(90.0), "PT1M30S");
        assert_eq!(iso_duration(3_725.4), "PT1H2M5S");
        assert_eq!(iso_duration(3_600.0), "PT1H");
        assert_eq!(iso_duration(0.2), "PT0S");
        assert_eq!(iso_duration(f64::NAN), "PT0S");
        let (c, _) = challenge_of("challenge=lb-single-point").unwrap();
        let s = sim_core::challenge::by_id("lb-single-point").unwrap().edited("lb_ha=1");
        let v = sim_core::challenge::check(&s, &c.goals);
        assert!(v.passed);
        let fields = result_fields(Outcome::Passed, &c, Some(&v), 95.0);
        let get = |k: &str| fields.iter().find(|(key, _)| *key == k).map(|(_, v)| v.clone()).unwrap();
        assert_eq!(get("verb"), Field::Text("passed".into()));
        assert_eq!(get("success"), Field::Bool(true));
        assert_eq!(get("duration"), Field::Text("PT1M35S".into()));
        assert_eq!(
            get("score"),
            Field::Obj(vec![("scaled".into(), Field::Num(1.0)), ("raw".into(), Field::Num(1.0)), ("max".into(), Field::Num(1.0))])
        );
        let failed = result_fields(Outcome::Failed, &c, None, 10.0);
        assert!(failed.contains(&("verb", Field::Text("failed".into()))) && failed.contains(&("completion", Field::Bool(false))));
        let completed = result_fields(Outcome::Completed, &c, Some(&v), 10.0);
        assert!(completed.contains(&("success", Field::Null)) && completed.contains(&("completion", Field::Bool(true))));
        let challenge = challenge_fields(&c, Some(&v));
        assert!(challenge.contains(&("passed", Field::Bool(true))));
    }
}
