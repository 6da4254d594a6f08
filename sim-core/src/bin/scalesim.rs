//! `scalesim`: run scalesim's engines from the command line.
//!
//! ```text
//! scalesim run --scenario 'v=1&stage=4&users=20000' [--engine fluid|des] [--duration S] [--json]
//! scalesim run --preset replicas --engine des --traces 10 --json   (with request traces, 10 per simulated second)
//! scalesim run --preset cache --users 20000 --json
//! scalesim presets
//! scalesim journey                 (lists the journeys)
//! scalesim journey bookmarks --json
//! scalesim station --servers 4 --arrival-rate 3.2 --service-mean 1 --service-dist exp --json
//! scalesim plan --scenario 'v=1&stage=4' --p99-ms 200 --json                 (how many users it holds)
//! scalesim plan --scenario 'v=1&stage=4' --users 100000 --p99-ms 200 --json  (the cheapest design for them)
//! scalesim compare --scenario 'v=1&stage=4' --scenario 'v=1&stage=4&replicas=4' --json
//! ```
//!
//! Bad input exits with status 2 and one line naming the field and what it accepts.
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use sim_core::des::station::{self, StationSpec};
use sim_core::des::system::{self, DesOptions};
use sim_core::diagnose::diagnose;
use sim_core::dist::ServiceDist;
use sim_core::fluid;
use sim_core::journey;
use sim_core::plan::{self, Objective};
use sim_core::query;
use sim_core::report::Summary;
use sim_core::results;
use sim_core::scenario::{self, Scenario, PRESETS, STAGE_NAMES};
use sim_core::ScenarioError;

#[derive(Parser)]
#[command(name = "scalesim", version, about = "Simulate a web system scaling from one server to millions of users")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum)]
enum Engine {
    /// The aggregate (time-stepped) engine: any load.
    Fluid,
    /// The request-level discrete-event engine: exact, for loads up to about a million requests per run.
    Des,
}

#[derive(Subcommand)]
enum Command {
    /// Run a scenario and print its summary.
    Run {
        /// A scenario query string, a full share URL, or the page's JSON export (the text, or a path to a .json file).
        #[arg(long, conflicts_with = "preset")]
        scenario: Option<String>,
        /// A preset name or stage number (see `scalesim presets`).
        #[arg(long)]
        preset: Option<String>,
        /// Override the number of users.
        #[arg(long)]
        users: Option<String>,
        /// Engine to run.
        #[arg(long, value_enum, default_value = "fluid")]
        engine: Engine,
        /// Simulated seconds (overrides the scenario's `dur`).
        #[arg(long)]
        duration: Option<String>,
        /// Request traces kept per simulated second (0 to 1000; request-level engine only), printed under "traces".
        #[arg(long)]
        traces: Option<String>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// List the presets.
    Presets,
    /// Run every stage of a journey: its steady state, live bottlenecks and breaking load. Without a name,
    /// list the journeys.
    Journey {
        /// scalesim, bookmarks, interview, blog or startup.
        name: Option<String>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Without --users: the most users the scenario serves within the objective, what breaks first past that
    /// load and how far the next fix moves it. With --users N: the cheapest design that meets the objective for
    /// N users, over the journey's stages and their scaling knobs.
    Plan {
        /// The scenario, as for `run` (a short `stage=` link means the journey's stage, as on the page).
        #[arg(long)]
        scenario: String,
        /// Find the cheapest design for this many users.
        #[arg(long)]
        users: Option<String>,
        /// The objective's 99th-percentile latency in milliseconds.
        #[arg(long = "p99-ms", default_value = "200")]
        p99_ms: String,
        /// The objective's largest share of failed requests (0.01 = 1 %).
        #[arg(long = "max-errors", default_value = "0.01")]
        max_errors: String,
        /// The journey whose stages the cheapest design starts from (default: the scenario's `journey=`, else scalesim).
        #[arg(long)]
        journey: Option<String>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Run two scenarios' steady states and print both summaries and every figure's change from A to B.
    Compare {
        /// Scenario A, then scenario B, as for `plan`.
        #[arg(long, num_args = 1, required = true)]
        scenario: Vec<String>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Judge a scenario against a challenge's goals (`challenge=ID` or `goals=…` in the query); exits 0 when it
    /// passes, 1 when it fails. Without --scenario, list the built-in challenges.
    Check {
        /// The scenario with its challenge keys; a link naming only a built-in challenge checks its setup.
        #[arg(long)]
        scenario: Option<String>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Run one multi-server station on the request-level engine.
    Station {
        /// Servers (c).
        #[arg(long)]
        servers: String,
        /// Arrivals per second (λ).
        #[arg(long = "arrival-rate")]
        arrival_rate: String,
        /// Mean service time in seconds.
        #[arg(long = "service-mean")]
        service_mean: String,
        /// exp, det or lognormal:CV.
        #[arg(long = "service-dist", default_value = "exp")]
        service_dist: String,
        /// Most requests in the system (K); unbounded if absent.
        #[arg(long)]
        capacity: Option<String>,
        /// Requests to measure.
        #[arg(long, default_value = "1000000")]
        requests: String,
        /// Seed.
        #[arg(long, default_value = "1")]
        seed: String,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

/// Parses a number for `field`, within [min, max].
/// Reads `--scenario`: a query string or share URL, or the page's JSON export given as text or as a file path.
fn scenario_arg(arg: &str) -> Result<Scenario, ScenarioError> {
    let file;
    let text = if arg.trim_end().ends_with(".json") && !arg.trim_start().starts_with('{') {
        file = std::fs::read_to_string(arg.trim()).map_err(|e| ScenarioError::Invalid {
            field: "scenario",
            value: arg.to_owned(),
            expected: format!("a readable JSON file ({e})"),
        })?;
        file.as_str()
    } else {
        arg
    };
    if !text.trim_start().starts_with('{') {
        return query::parse_strict(text);
    }
    let invalid = |expected: String| ScenarioError::Invalid { field: "scenario", value: arg.to_owned(), expected };
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| invalid(format!("JSON ({e})")))?;
    let object = value.as_object().ok_or_else(|| invalid("a JSON object of keys and values".to_owned()))?;
    let mut pairs = Vec::new();
    for (key, v) in object {
        let value = match v {
            serde_json::Value::Number(n) => query::JsonValue::Number(n.as_f64().unwrap_or(f64::NAN)),
            serde_json::Value::String(t) => query::JsonValue::Text(t.clone()),
            serde_json::Value::Bool(b) => query::JsonValue::Text(if *b { "1" } else { "0" }.to_owned()),
            _ => return Err(invalid(format!("{key} to be a number or text"))),
        };
        pairs.push((key.clone(), value));
    }
    query::from_json_pairs(&pairs)
}

/// Reads a scenario as the page does: a short link naming only a stage means that journey stage as the picker
/// shows it; anything else as [`scenario_arg`] reads it.
fn page_scenario(arg: &str) -> Result<Scenario, ScenarioError> {
    let s = scenario_arg(arg)?;
    if arg.trim_start().starts_with('{') || arg.trim_end().ends_with(".json") {
        return Ok(s);
    }
    Ok(journey::stage_link(arg).unwrap_or(s))
}

/// Reads `check`'s scenario and its goals: `goals=` if given, else the built-in `challenge=`'s; a link that sets
/// nothing but the challenge checks the challenge's own setup.
fn challenge_arg(text: &str) -> Result<(Scenario, Vec<sim_core::challenge::Goal>), ScenarioError> {
    use sim_core::challenge;
    let parsed = query::parse(text);
    let view = |k: &str| parsed.view.iter().find(|(key, _)| key == k).map(|(_, v)| v.clone());
    let built_in = match view("challenge") {
        Some(id) => Some(challenge::by_id(&id).ok_or_else(|| ScenarioError::Invalid {
            field: "challenge",
            value: id.clone(),
            expected: format!("one of {}", challenge::CHALLENGES.iter().map(|c| c.id).collect::<Vec<_>>().join(", ")),
        })?),
        None => None,
    };
    let goals = match (view("goals"), built_in) {
        (Some(g), _) => challenge::parse_goals(&g)?,
        (None, Some(c)) => c.goals(),
        (None, None) => {
            return Err(ScenarioError::Invalid {
                field: "goals",
                value: String::new(),
                expected: "goals=… or challenge=ID in the scenario".to_owned(),
            })
        }
    };
    let s = match built_in {
        Some(c) if !query::sets_system(text) => c.scenario(),
        _ => page_scenario(text)?,
    };
    if goals.is_empty() {
        return Err(ScenarioError::Invalid { field: "goals", value: String::new(), expected: "at least one goal".to_owned() });
    }
    Ok((s, goals))
}

fn number<T: std::str::FromStr + PartialOrd + std::fmt::Display + Copy>(
    field: &'static str,
    raw: &str,
    min: T,
    max: T,
) -> Result<T, ScenarioError> {
    let v: T = raw.trim().parse().map_err(|_| ScenarioError::Invalid {
        field,
        value: raw.into(),
        expected: format!("a number from {min} to {max}"),
    })?;
    if !(v >= min && v <= max) {
        return Err(ScenarioError::OutOfRange { field, value: raw.into(), min: min.to_string(), max: max.to_string() });
    }
    Ok(v)
}

fn print_summary(scenario: &Scenario, s: &Summary) {
    println!("engine            {}", s.engine);
    println!("offered           {:.1} req/s", s.offered_rps);
    println!("served            {:.1} req/s", s.served_rps);
    println!("errors            {:.2} %", s.error_rate * 100.0);
    println!(
        "latency (ms)      mean {:.1}  p50 {:.1}  p95 {:.1}  p99 {:.1}",
        s.latency_ms.mean, s.latency_ms.p50, s.latency_ms.p95, s.latency_ms.p99
    );
    for (tier, u) in &s.utilization {
        let offered = s.offered_utilization.get(tier).copied().unwrap_or(*u);
        if offered > u + 0.005 {
            println!("utilisation       {tier:<14} {:>5.1} %  (demand {:.0} % of capacity)", u * 100.0, offered * 100.0);
        } else {
            println!("utilisation       {tier:<14} {:>5.1} %", u * 100.0);
        }
    }
    println!("cache hit         {:.1} %", s.cache_hit_rate * 100.0);
    println!("CDN hit           {:.1} %", s.cdn_hit_rate * 100.0);
    println!("replication lag   {:.1} ms", s.replication_lag_ms);
    println!("stale reads       {:.3} %", s.stale_read_rate * 100.0);
    println!("sessions lost     {:.0}", s.sessions_lost);
    println!("app instances     {}", s.instances);
    if s.workers > 0 {
        println!(
            "queue workers     {}  (longest job wait {:.1} s, dead-lettered {:.0})",
            s.workers, s.jobs_waiting_s, s.jobs_dead_lettered
        );
    }
    println!("shards, regions   {}, {}", s.shards, s.regions);
    let parts: Vec<String> =
        s.cost_usd_per_hour_by_component.iter().filter(|(_, v)| **v > 0.0).map(|(k, v)| format!("{k} ${v:.2}")).collect();
    println!("cost per hour     {}", parts.join(", "));
    if s.rate_limited_rate > 0.0 || s.retry_rate > 0.0 {
        println!("429s, retries     {:.2} %, {:.2} %", s.rate_limited_rate * 100.0, s.retry_rate * 100.0);
    }
    println!("cost now          ${:.2}/hour at the run's load", s.cost_usd_per_hour);
    let b = &s.bill;
    let month: Vec<String> = b.by_component.iter().filter(|(_, v)| **v >= 0.5).map(|(k, v)| format!("{k} ${v:.0}")).collect();
    println!(
        "month's bill      ${:.0}/month, ${:.2} per million requests ({})",
        b.usd_per_month,
        b.usd_per_million_requests,
        month.join(", ")
    );
    if scenario.arch.autoscaling.enabled {
        println!(
            "auto-scaling      app fleet {:.0} % cheaper than one sized for the busiest minute (that bill: ${:.0}/month)",
            b.autoscaling_saving * 100.0,
            b.peak_fleet_usd_per_month
        );
    }
    println!("assumed           {}", sim_core::bill::assumptions(scenario, b));
}

/// A run's results with its request traces beside them (`run --traces N --json`).
#[derive(serde::Serialize)]
struct Traced {
    #[serde(flatten)]
    results: results::Results,
    traces: Vec<system::Trace>,
}

fn print_traces(traces: &[system::Trace], per_s: u32) {
    let failed = traces.iter().filter(|t| !t.ok).count();
    let slowest = traces.iter().map(|t| t.latency_ms).fold(0.0, f64::max);
    println!(
        "traces            {} kept (up to {per_s} per simulated second), {failed} failed, slowest {slowest:.1} ms; --json lists them",
        traces.len()
    );
}

fn print_limit(l: &plan::limit::Limit) {
    let o = &l.objective;
    let target = format!("p99 within {:.0} ms and at most {:.2} % of requests failing", o.p99_ms, o.max_error_rate * 100.0);
    if l.holds_beyond_ceiling {
        println!("holds               every load searched, up to {} users, with {target}", plan::limit::CEILING);
        return;
    }
    println!("holds up to         {} users with {target}", l.max_users);
    if let Some(f) = &l.at_limit {
        println!("there               p99 {:.1} ms, errors {:.2} %, ${:.0}/month", f.p99_ms, f.error_rate * 100.0, f.cost_usd_per_month);
    }
    if let Some(b) = &l.breaks {
        println!(
            "then, at {:<10} {} misses its target ({:.3} against {:.3}); {}: {} = {:.3} (threshold {:.3})",
            b.users, b.objective.metric, b.objective.value, b.objective.target, b.component, b.metric, b.value, b.threshold
        );
    }
    if let Some(f) = &l.next_fix {
        let to = if f.holds_beyond_ceiling { format!("over {}", plan::limit::CEILING) } else { f.max_users.to_string() };
        println!("next fix            {} → holds up to {to} users", f.label);
    }
    if let Some(u) = l.meets_again_at {
        println!("not monotone        the objective is met again at {u} users (auto-scaling or a cache warming with load)");
    }
    println!("searched            {} steady states", l.evaluations);
}

fn print_design(d: &plan::cheapest::Design) {
    let o = &d.objective;
    let (Some(q), Some(cost), Some(s)) = (&d.scenario, d.cost_usd_per_month, &d.summary) else {
        println!(
            "no design in the searched space serves {} users with p99 within {:.0} ms and at most {:.2} % failing ({} steady states, {} starting points)",
            d.users,
            o.p99_ms,
            o.max_error_rate * 100.0,
            d.evaluations,
            d.starting_points
        );
        return;
    };
    println!(
        "cheapest            ${cost:.0}/month for {} users: p99 {:.1} ms, errors {:.2} %",
        d.users,
        s.latency_ms.p99,
        s.error_rate * 100.0
    );
    println!("started from        {}", d.started_from.as_deref().unwrap_or("-"));
    println!("changes             {}", if d.changes.is_empty() { "none".to_owned() } else { d.changes.join("; ") });
    println!("scenario            {q}");
    println!("searched            {} steady states from {} starting points", d.evaluations, d.starting_points);
}

fn run(cli: Cli) -> Result<(), ScenarioError> {
    match cli.command {
        Command::Journey { name, json } => {
            let Some(name) = name else {
                for j in journey::journeys() {
                    println!("{:<10} {:>2} stages  {} ({})", j.name, j.stages.len(), j.title, j.source);
                }
                return Ok(());
            };
            let j = journey::journey(&name).ok_or_else(|| ScenarioError::Invalid {
                field: "journey",
                value: name.clone(),
                expected: format!("one of {}", journey::NAMES.join(", ")),
            })?;
            let stages = journey::report(&j);
            if json {
                let out: Vec<serde_json::Value> = stages
                    .iter()
                    .map(|st| {
                        let mut v = serde_json::to_value(st).unwrap_or_default();
                        v["bottlenecks"] = serde_json::to_value(results::live(&st.bottlenecks)).unwrap_or_default();
                        v
                    })
                    .collect();
                let doc = serde_json::json!({ "name": j.name, "title": j.title, "source": j.source, "stages": out });
                println!("{}", serde_json::to_string_pretty(&doc).unwrap_or_default());
            } else {
                println!("{} ({})", j.title, j.source);
                for st in &stages {
                    let live: Vec<&str> = st.bottlenecks.iter().map(|r| r.id.name()).collect();
                    println!(
                        "{:>2}. {:<34} {:>9} users  p99 {:>7.1} ms  errors {:>5.2} %  ${:>9.0}/month  breaks at {} users ({})  live: {}",
                        st.stage,
                        st.title,
                        st.users,
                        st.summary.latency_ms.p99,
                        st.summary.error_rate * 100.0,
                        st.summary.cost_usd_per_month,
                        st.breaks_at_users.map_or("over 10,000,000".to_owned(), |u| u.to_string()),
                        st.breaks_on.map_or("-", |r| r.name()),
                        if live.is_empty() { "none".to_owned() } else { live.join(", ") }
                    );
                }
            }
        }
        Command::Presets => {
            for p in PRESETS {
                let s = Scenario::stage(p.stage);
                println!("{:<14} stage {}  {:<18} {}", p.name, p.stage, STAGE_NAMES[p.stage as usize - 1], query::to_query(&s));
            }
        }
        Command::Run { scenario, preset, users, engine, duration, traces, json } => {
            let mut s = match (scenario, preset) {
                (Some(text), _) => scenario_arg(&text)?,
                (None, Some(name)) => {
                    let p = scenario::preset(&name).ok_or_else(|| ScenarioError::Invalid {
                        field: "preset",
                        value: name.clone(),
                        expected: format!("one of {}", PRESETS.iter().map(|p| p.name).collect::<Vec<_>>().join(", ")),
                    })?;
                    Scenario::stage(p.stage)
                }
                (None, None) => Scenario::default(),
            };
            if let Some(u) = users {
                s.traffic.users = number("users", &u, 1, 10_000_000)?;
            }
            if let Some(d) = duration {
                s.duration_s = number("duration", &d, 1.0, 604_800.0)?;
            }
            let traces_per_s = match (&traces, engine) {
                (Some(_), Engine::Fluid) => {
                    return Err(ScenarioError::Inconsistent {
                        field: "traces",
                        reason: "request traces come from the request-level engine; add --engine des".to_owned(),
                    })
                }
                (Some(n), Engine::Des) => number("traces", n, 0u32, 1000)?,
                (None, _) => 0,
            };
            let (summary, traces) = match engine {
                Engine::Fluid => (fluid::run(&s, results::FLUID).summary, Vec::new()),
                Engine::Des => {
                    let expected = s.traffic.peak_rps() * s.duration_s;
                    if expected > 50_000_000.0 {
                        return Err(ScenarioError::Inconsistent {
                            field: "engine",
                            reason: format!("des would simulate about {expected:.0} requests; keep users × rate × duration under 50,000,000 or use --engine fluid"),
                        });
                    }
                    let d = system::run(&s, DesOptions { sample_every: 10.0, warmup_fraction: 0.1, traces_per_s });
                    (d.report.summary, d.traces)
                }
            };
            let rows = diagnose(&s, &summary);
            if json && traces_per_s > 0 {
                let doc = Traced { results: results::of(&s, summary), traces };
                println!("{}", serde_json::to_string_pretty(&doc).unwrap_or_default());
            } else if json {
                println!("{}", serde_json::to_string_pretty(&results::of(&s, summary)).unwrap_or_default());
            } else {
                print_summary(&s, &summary);
                if traces_per_s > 0 {
                    print_traces(&traces, traces_per_s);
                }
                for r in rows.iter().filter(|r| r.live) {
                    println!(
                        "bottleneck        {}: {} = {:.3} (threshold {:.3}) → {}",
                        r.symptom,
                        r.metric,
                        r.value,
                        r.threshold,
                        r.fix.map(|f| f.label()).unwrap_or_else(|| r.remedy.to_owned())
                    );
                }
            }
        }
        Command::Plan { scenario, users, p99_ms, max_errors, journey: name, json } => {
            let s = page_scenario(&scenario)?;
            let objective = Objective::new(number("p99-ms", &p99_ms, 1.0, 600_000.0)?, number("max-errors", &max_errors, 0.0, 1.0)?)?;
            match users {
                None => {
                    let limit = plan::limit::find(&s, objective);
                    if json {
                        println!("{}", serde_json::to_string_pretty(&limit).unwrap_or_default());
                    } else {
                        print_limit(&limit);
                    }
                }
                Some(u) => {
                    let users = number("users", &u, 1, 10_000_000)?;
                    let view = query::parse(&scenario).view;
                    let name = name
                        .or_else(|| view.iter().find(|(k, _)| k == "journey").map(|(_, v)| v.clone()))
                        .unwrap_or_else(|| journey::NAMES[0].to_owned());
                    let j = journey::journey(&name).ok_or_else(|| ScenarioError::Invalid {
                        field: "journey",
                        value: name.clone(),
                        expected: format!("one of {}", journey::NAMES.join(", ")),
                    })?;
                    let design = plan::cheapest::find(&s, &j, users, objective);
                    if json {
                        println!("{}", serde_json::to_string_pretty(&design).unwrap_or_default());
                    } else {
                        print_design(&design);
                    }
                }
            }
        }
        Command::Compare { scenario, json } => {
            let [a, b] = scenario.as_slice() else {
                return Err(ScenarioError::Invalid {
                    field: "scenario",
                    value: scenario.len().to_string(),
                    expected: "exactly two --scenario values, A then B".to_owned(),
                });
            };
            let (sa, sb) = (page_scenario(a)?, page_scenario(b)?);
            let (a, b) = (fluid::steady_state(&sa).summary, fluid::steady_state(&sb).summary);
            let deltas = plan::compare::deltas(&a, &b);
            if json {
                let doc = serde_json::json!({
                    "a": { "scenario": query::to_query(&sa), "summary": a },
                    "b": { "scenario": query::to_query(&sb), "summary": b },
                    "deltas": deltas,
                });
                println!("{}", serde_json::to_string_pretty(&doc).unwrap_or_default());
            } else {
                println!("{:<44} {:>14} {:>14} {:>14}", "figure", "A", "B", "B - A");
                for d in deltas.iter().filter(|d| d.a != 0.0 || d.b != 0.0) {
                    let mark = if d.improved {
                        "better"
                    } else if d.worsened {
                        "worse"
                    } else {
                        ""
                    };
                    println!("{:<44} {:>14.4} {:>14.4} {:>+14.4} {:<6} {mark}", d.metric, d.a, d.b, d.change, d.unit);
                }
            }
        }
        Command::Check { scenario, json } => {
            let Some(text) = scenario else {
                for c in sim_core::challenge::CHALLENGES {
                    println!("{:<20} {}  (goals {})", c.id, c.title, c.goals);
                }
                return Ok(());
            };
            let (s, goals) = challenge_arg(&text)?;
            let verdict = sim_core::challenge::check(&s, &goals);
            if json {
                println!("{}", serde_json::to_string_pretty(&verdict).unwrap_or_default());
            } else {
                for g in &verdict.goals {
                    let op = if g.goal.op == sim_core::challenge::Op::AtMost { "<=" } else { ">=" };
                    let over = if g.goal.over == sim_core::challenge::Over::EveryWindow { " in every window" } else { "" };
                    println!(
                        "{:<6} {}{op}{}{over}: actual {:.6}",
                        if g.met { "met" } else { "missed" },
                        g.goal.metric,
                        g.goal.target,
                        g.actual
                    );
                }
                println!("{}", if verdict.passed { "passed" } else { "failed" });
            }
            if !verdict.passed {
                std::process::exit(1);
            }
        }
        Command::Station { servers, arrival_rate, service_mean, service_dist, capacity, requests, seed, json } => {
            let servers = number("servers", &servers, 1u32, 100_000)?;
            let arrival_rate = number("arrival-rate", &arrival_rate, 1e-9, 1e9)?;
            let mean = number("service-mean", &service_mean, 1e-9, 1e6)?;
            let service = ServiceDist::parse(&service_dist, mean)?;
            let capacity = match capacity {
                Some(k) => Some(number("capacity", &k, servers, 10_000_000)?),
                None => None,
            };
            let requests = number("requests", &requests, 1u64, 1_000_000_000)?;
            let seed = number("seed", &seed, 0u64, u64::MAX)?;
            if capacity.is_none() && arrival_rate * mean >= servers as f64 {
                return Err(ScenarioError::Inconsistent {
                    field: "arrival-rate",
                    reason: format!(
                        "an unbounded queue needs arrival-rate × service-mean below servers ({servers}); add --capacity or lower the rate"
                    ),
                });
            }
            let r = station::run(&StationSpec { servers, arrival_rate, service, capacity, requests, seed });
            if json {
                println!("{}", serde_json::to_string_pretty(&r).unwrap_or_default());
            } else {
                println!(
                    "mean_wait {:.6}  mean_response {:.6}  p50 {:.6}  p95 {:.6}  p99 {:.6}  blocking {:.6}  utilization {:.4}",
                    r.mean_wait, r.mean_response, r.p50, r.p95, r.p99, r.blocking_probability, r.utilization
                );
            }
        }
    }
    Ok(())
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            use clap::error::ErrorKind;
            if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand)
            {
                let _ = e.print();
                return ExitCode::SUCCESS;
            }
            let text = e.to_string();
            eprintln!("{}", text.lines().next().unwrap_or("invalid arguments"));
            return ExitCode::from(2);
        }
    };
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}
