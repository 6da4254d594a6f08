//! scalesim-web: the Leptos page over `sim-core`. The page draws and controls; every figure comes from sim-core.
//!
//! `state` holds the scenario and what sim-core computes from it; `components/` has one file per panel;
//! `charts/` turns series into chart specs with pure functions and paints them with plotters.
pub mod charts;
pub mod components;
pub mod format;
pub mod state;

use std::time::Duration;

use leptos::prelude::*;
use sim_core::query;

use components::bottlenecks::Bottlenecks;
use components::chart::Chart;
use components::diagram::Diagram;
use components::faults::Faults;
use components::knobs::Knobs;
use components::load_slider::LoadSlider;
use components::metrics::Metrics;
use components::notices::Notices;
use components::playback::Playback;
use components::stage_picker::StagePicker;
use state::Sim;

/// Engine steps per tick of the run pump (ticks every 50 ms): a 5-minute run completes in one tick, a day in
/// about a second, and input never waits behind it.
const STEPS_PER_TICK: u32 = 2_000;
/// Real milliseconds the scenario must stay unchanged before the address bar is rewritten.
const URL_DELAY_MS: u64 = 150;
/// Real milliseconds between ticks.
const TICK_MS: u64 = 50;

/// The scenario the page was opened with, and notices about its link.
fn from_location() -> (sim_core::Scenario, Vec<String>) {
    let search = window().location().search().unwrap_or_default();
    let parsed = query::parse(&search);
    (parsed.scenario, parsed.notices.into_iter().map(|n| n.to_string()).collect())
}

/// The whole page.
#[component]
pub fn App() -> impl IntoView {
    let (scenario, notices) = from_location();
    let sim = Sim::new(scenario, notices);
    provide_context(sim);

    // The address bar follows the scenario, replacing the entry (not one entry per slider tick), once the
    // scenario has been still for a moment.
    let pending = StoredValue::new(None::<TimeoutHandle>);
    Effect::new(move |_| {
        let q = sim.scenario.with(query::to_query);
        if let Some(h) = pending.get_value() {
            h.clear();
        }
        let write = move || {
            if let Ok(history) = window().history() {
                let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&format!("?{q}")));
            }
        };
        pending.set_value(set_timeout_with_handle(write, Duration::from_millis(URL_DELAY_MS)).ok());
    });

    // The run pump and playback clock.
    if let Ok(handle) = set_interval_with_handle(
        move || {
            sim.pump(STEPS_PER_TICK);
            if sim.playing.get_untracked() {
                let duration = sim.scenario.with_untracked(|s| s.duration_s);
                let next = sim.cursor.get_untracked() + sim.speed.get_untracked() * TICK_MS as f64 / 1e3;
                if next >= duration {
                    sim.cursor.set(duration);
                    sim.playing.set(false);
                } else {
                    sim.cursor.set(next);
                }
            }
        },
        Duration::from_millis(TICK_MS),
    ) {
        on_cleanup(move || handle.clear());
    }

    let width = 600;
    let latency = Memo::new(move |_| {
        let expected = sim.steady.with(|r| r.summary.latency_ms);
        sim.series.with(|s| charts::latency::spec(s, &expected, width))
    });
    let throughput = Memo::new(move |_| sim.series.with(|s| charts::throughput::spec(s, width)));
    let utilization = Memo::new(move |_| sim.series.with(|s| charts::utilization::spec(s, width)));
    let cache = Memo::new(move |_| {
        let expected = sim.steady.with(|r| r.summary.cache_hit_rate);
        sim.series.with(|s| charts::cache::spec(s, expected, width))
    });
    let lag = Memo::new(move |_| sim.series.with(|s| charts::lag::spec(s, width)));
    let instances = Memo::new(move |_| sim.series.with(|s| charts::instances::spec(s, width)));
    let cost = Memo::new(move |_| sim.series.with(|s| charts::cost::spec(s, width)));

    view! {
        <header class="masthead">
            <h1>"scalesim"</h1>
            <p class="tagline">"How a web system grows from one server to a million users, simulated live."</p>
        </header>
        <main class="workspace">
            <div class="side">
                <Notices/>
                <StagePicker/>
                <section class="panel controls" aria-label="Load">
                    <LoadSlider/>
                </section>
                <Knobs/>
            </div>
            <div class="stage-view">
                <Diagram/>
                <Playback/>
                <Faults/>
                <Metrics/>
                <Bottlenecks/>
                <div class="charts">
                    <Chart id="chart-latency" spec=latency/>
                    <Chart id="chart-throughput" spec=throughput/>
                    <Chart id="chart-utilization" spec=utilization/>
                    <Chart id="chart-cache" spec=cache/>
                    <Chart id="chart-lag" spec=lag/>
                    <Chart id="chart-instances" spec=instances/>
                    <Chart id="chart-cost" spec=cost/>
                </div>
            </div>
        </main>
    }
}
