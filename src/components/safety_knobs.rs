//! The safety knobs: database backups, a database open to the internet, a CDN that caches logged-in pages, and
//! the daily batch job on the database. Each has a row in the table when it goes wrong; every change goes
//! through sim-core's repair, like the other knobs.
use leptos::prelude::*;
use sim_core::scenario::Backups;

use super::knob::{edit, locked, opts, switch, SelectKnob};
use crate::state::Sim;

/// Hours the batch job can start at, as (value, text); a start hour from a link that is not listed is added.
fn job_hours(current: Option<f64>) -> Vec<(String, String)> {
    let mut hours = opts(&[
        ("-1", "No batch job"),
        ("2", "02:00 (night)"),
        ("4", "04:00 (quietest hour)"),
        ("9.5", "09:30 (into the peak)"),
        ("14", "14:00 (afternoon)"),
    ]);
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
                options=opts(&[("none", "None"), ("nightly", "Nightly snapshot (03:00)"), ("pitr", "Point-in-time recovery")])
                value=Signal::derive(move || sim.scenario.with(|s| s.arch.ops.backups.label().to_owned()))
                on_change=Callback::new(move |v: String| edit(sim, |s| if let Some(b) = Backups::from_label(&v) { s.arch.ops.backups = b }))
                disabled=Signal::derive(|| locked("backup"))
            />
            {switch(sim, "db_public", "Database open to the internet", |s| s.arch.ops.db_public, |s, v| s.arch.ops.db_public = v, |_| false)}
            {switch(sim, "cdn_private", "CDN caches logged-in pages (no Vary: Cookie)", |s| s.arch.ops.cdn_caches_private, |s, v| s.arch.ops.cdn_caches_private = v, |s| !s.arch.cdn)}
            <SelectKnob
                id="report"
                label="Daily batch job on the database"
                options=job_hours(start)
                value=Signal::derive(move || sim.scenario.with(|s| hour_value(s.arch.ops.report.start_hour)))
                on_change=Callback::new(move |v: String| edit(sim, |s| {
                    let h = sim_core::decimal::parse(&v).unwrap_or(-1.0);
                    s.arch.ops.report.start_hour = (h >= 0.0).then_some(h.min(23.99));
                }))
                disabled=Signal::derive(|| locked("report"))
            />
            {switch(sim, "report_replica", "Batch job on an analytics replica", |s| s.arch.ops.report.on_replica, |s, v| s.arch.ops.report.on_replica = v, |s| s.arch.ops.report.start_hour.is_none())}
        </fieldset>
    }
}
