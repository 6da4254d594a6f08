//! The headline figures at the playback cursor, as a description list (readable by screen readers as is), each
//! with a "Why?" button that opens its formula with this moment's values (sim-core's `explain`).
use leptos::prelude::*;
use sim_core::explain::{self, Metric};
use sim_core::report::Sample;

use crate::components::explain::Why;
use crate::format;
use crate::state::Sim;

/// Headline figures.
#[component]
pub fn Metrics(
    /// The sample at the playback cursor.
    now: Memo<Sample>,
    /// The playback cursor, in simulated seconds (the heading's clock).
    #[prop(into)]
    cursor: Signal<f64>,
    /// The scenario's month's bill (a month of ordinary days, whatever moment the cursor shows).
    #[prop(into)]
    bill_per_month: Signal<f64>,
) -> impl IntoView {
    let sim = expect_context::<Sim>();
    let figure = move |id: &'static str, label: &'static str, value: Signal<String>| {
        let open = RwSignal::new(false);
        let why = Metric::from_id(id).map(|m| {
            // Worked out only while open: the topology, the moment and the month's bill the figure was read from.
            let explain = Callback::new(move |_| {
                sim.with_topology(|topo| now.with(|s| sim.steady.with(|r| explain::metric(m, topo, s, &r.summary.bill))))
            });
            view! { <dd class="why-cell"><Why key=id.to_owned() label=label.to_owned() explain=explain open=open/></dd> }
        });
        view! {
            <div class="metric" class:open=move || open.get()>
                <dt>{label}</dt>
                <dd data-metric=id>{move || value.get()}</dd>
                {why}
            </div>
        }
    };
    view! {
        <section class="panel metrics" aria-labelledby="metrics-heading">
            <h2 id="metrics-heading">{move || format!("At {}", crate::format::clock(cursor.get()))}</h2>
            <dl>
                {figure("offered", "Offered", Signal::derive(move || format::rps(now.with(|s| s.offered_rps))))}
                {figure("served", "Answered", Signal::derive(move || format::rps(now.with(|s| s.served_rps))))}
                {figure("errors", "Errors", Signal::derive(move || format::pct(now.with(|s| s.error_rate))))}
                {figure("p50", "p50 latency", Signal::derive(move || format::ms(now.with(|s| s.latency_ms.p50))))}
                {figure("p99", "p99 latency", Signal::derive(move || format::ms(now.with(|s| s.latency_ms.p99))))}
                {figure("cache-hit", "Cache hit ratio", Signal::derive(move || format::pct(now.with(|s| s.cache_hit_rate))))}
                {figure("lag", "Replication lag", Signal::derive(move || format::ms(now.with(|s| s.replication_lag_ms))))}
                {figure("stale", "Stale reads", Signal::derive(move || format::pct(now.with(|s| s.stale_read_rate))))}
                {figure("sessions-lost", "Sessions lost", Signal::derive(move || format::count(now.with(|s| s.sessions_lost))))}
                {figure("instances", "App servers up", Signal::derive(move || format::count(now.with(|s| s.instances as f64))))}
                {figure("jobs-wait", "Job wait", Signal::derive(move || format::ms(now.with(|s| s.jobs.waiting_s * 1e3))))}
                {figure("limited", "429s", Signal::derive(move || format::rps(now.with(|s| s.rate_limited_rps))))}
                {figure("cost-now", "Cost now", Signal::derive(move || format!("{}/h", format::usd(now.with(|s| s.cost_usd_per_hour)))))}
                {figure("cost", "Bill per month", Signal::derive(move || format::usd(bill_per_month.get())))}
                // Shown once they happen: a restore that lost writes, private pages served to the wrong user.
                {move || (now.with(|s| s.writes_lost) > 0.0)
                    .then(|| figure("writes-lost", "Writes lost", Signal::derive(move || format::count(now.with(|s| s.writes_lost)))))}
                {move || (now.with(|s| s.wrong_user_rps) > 0.0)
                    .then(|| figure("wrong-user", "Pages to the wrong user", Signal::derive(move || format::rps(now.with(|s| s.wrong_user_rps)))))}
            </dl>
        </section>
    }
}
