//! Fault buttons: each schedules a fault at the playback cursor, and the run is simulated again with it.
use leptos::prelude::*;
use sim_core::scenario::{Fault, FaultKind, Scenario};

/// Every fault and its button's words.
const BUTTONS: [(FaultKind, &str); 9] = [
    (FaultKind::KillAppServer, "Kill an app server"),
    (FaultKind::KillDbPrimary, "Kill the database primary"),
    (FaultKind::FlushCache, "Flush the cache"),
    (FaultKind::Deploy, "Deploy"),
    (FaultKind::TrafficSpike, "Traffic spike (×3, 5 min)"),
    (FaultKind::WriteBurst, "Write burst (×20, 1 min)"),
    (FaultKind::DownstreamOutage, "Email provider down (2 min)"),
    (FaultKind::KillLoadBalancer, "Kill the load balancer"),
    (FaultKind::RegionOutage, "Region outage"),
];

/// The fault buttons the model supports, and a way to clear them.
#[component]
pub fn Faults(
    /// The scenario the faults are added to.
    scenario: RwSignal<Scenario>,
    /// The playback cursor, in simulated seconds: where a new fault happens.
    #[prop(into)]
    cursor: Signal<f64>,
) -> impl IntoView {
    let inject = move |kind: FaultKind| {
        let at_s = cursor.get_untracked().floor();
        scenario.update(|s| {
            s.faults.push(Fault { at_s, kind });
            sim_core::scenario::sort_faults(&mut s.faults);
        });
    };
    let count = Memo::new(move |_| scenario.with(|s| s.faults.len()));
    view! {
        <section class="panel faults" aria-labelledby="faults-heading">
            <h2 id="faults-heading">"Faults"</h2>
            <p class="hint">"Faults happen at the playback cursor."</p>
            <div class="buttons">
                {BUTTONS.iter().map(|&(kind, label)| view! {
                    <button type="button" on:click=move |_| inject(kind)>{label}</button>
                }).collect_view()}
                <button type="button" on:click=move |_| scenario.update(|s| s.faults.clear()) disabled=move || count.get() == 0>
                    "Clear faults"
                </button>
            </div>
            <p class="hint" aria-live="polite">
                {move || match count.get() {
                    0 => "No faults scheduled.".to_owned(),
                    1 => "1 fault scheduled.".to_owned(),
                    n => format!("{n} faults scheduled."),
                }}
            </p>
        </section>
    }
}
