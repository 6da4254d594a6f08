//! The safety knobs: database backups, a database open to the internet, a CDN that caches logged-in pages, and
//! the daily batch job on the database. Each has a row in the table when it goes wrong; every change goes
//! through sim-core's repair, like the other knobs.
use leptos::prelude::*;
use sim_core::scenario::{Backups, Scenario};

use super::knob::{CheckKnob, SelectKnob};
use crate::state::Sim;

fn edit(sim: Sim, f: impl FnOnce(&mut Scenario)) {
    sim.scenario.update(|s| {
        f(s);
        sim_core::query::repair(s);
    });
}

/// Whether the page's view locks knob `id`.
fn locked(id: &'static str) -> Signal<bool> {
    let view = use_context::<crate::view::View>();
    Signal::derive(move || view.as_ref().is_some_and(|v| v.locks(id)))
}

/// Hours the batch job can start at, as (value, text); a start hour from a link that is not listed is added.
fn job_hours(current: Option<f64>) -> Vec<(String, String)> {
    let mut hours: Vec<(String, String)> = [
        ("-1", "No batch job"),
        ("2", "02:00 (night)"),
        ("4", "04:00 (quietest hour)"),
        ("9.5", "09:30 (into the peak)"),
        ("14", "14:00 (afternoon)"),
    ]
    .iter()
    .map(|(v, t)| (v.to_string(), t.to_string()))
    .collect();
    if let Some(h) = current.filter(|h| !hours.iter().any(|(v, _)| sim_core::decimal::parse(v) == Some(*h))) {
        hours.push((hour_value(Some(h)), format!("{:02}:{:02}", h as u32, ((h.fract() * 60.0).round() as u32).min(59))));
    }
    hours
}

fn hour_value(h: Option<f64>) -> String {
    match h {
        None => "-1".to_owned(),
        Some(h) if h.fract() == 0.0 => format!("{}", h as u32),
        Some(h) => format!("{h}"),
    }
}

/// Backups, exposure, private pages at the edge, the batch job.
#[component]
pub fn SafetyKnobs() -> impl IntoView {
    let sim = expect_context::<Sim>();
    let start = sim.scenario.with_untracked(|s| s.arch.ops.report.start_hour);
    view! {
        <fieldset>
            <legend>"Safety"</legend>
            <SelectKnob
                id="backup"
                label="Database backups"
                options=vec![
                    ("none".to_owned(), "None".to_owned()),
                    ("nightly".to_owned(), "Nightly snapshot (03:00)".to_owned()),
                    ("pitr".to_owned(), "Point-in-time recovery".to_owned()),
                ]
                value=Signal::derive(move || sim.scenario.with(|s| s.arch.ops.backups.label().to_owned()))
                on_change=Callback::new(move |v: String| edit(sim, |s| if let Some(b) = Backups::from_label(&v) { s.arch.ops.backups = b }))
                disabled=locked("backup")
            />
            <CheckKnob
                id="db_public"
                label="Database open to the internet"
                checked=Signal::derive(move || sim.scenario.with(|s| s.arch.ops.db_public))
                on_change=Callback::new(move |v: bool| edit(sim, |s| s.arch.ops.db_public = v))
                disabled=locked("db_public")
            />
            <CheckKnob
                id="cdn_private"
                label="CDN caches logged-in pages (no Vary: Cookie)"
                checked=Signal::derive(move || sim.scenario.with(|s| s.arch.ops.cdn_caches_private))
                on_change=Callback::new(move |v: bool| edit(sim, |s| s.arch.ops.cdn_caches_private = v))
                disabled=Signal::derive(move || sim.scenario.with(|s| !s.arch.cdn) || locked("cdn_private").get())
            />
            <SelectKnob
                id="report"
                label="Daily batch job on the database"
                options=job_hours(start)
                value=Signal::derive(move || sim.scenario.with(|s| hour_value(s.arch.ops.report.start_hour)))
                on_change=Callback::new(move |v: String| edit(sim, |s| {
                    let h = sim_core::decimal::parse(&v).unwrap_or(-1.0);
                    s.arch.ops.report.start_hour = (h >= 0.0).then_some(h.min(23.99));
                }))
                disabled=locked("report")
            />
            <CheckKnob
                id="report_replica"
                label="Batch job on an analytics replica"
                checked=Signal::derive(move || sim.scenario.with(|s| s.arch.ops.report.on_replica))
                on_change=Callback::new(move |v: bool| edit(sim, |s| s.arch.ops.report.on_replica = v))
                disabled=Signal::derive(move || sim.scenario.with(|s| s.arch.ops.report.start_hour.is_none()) || locked("report_replica").get())
            />
        </fieldset>
    }
}
