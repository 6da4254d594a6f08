//! scalesim-web: the Leptos page over `sim-core`. The page draws and controls; every figure comes from sim-core.
//!
//! `state` holds the scenario and what sim-core computes from it; `components/` has one file per panel;
//! `charts/` turns series into chart specs with pure functions and paints them with plotters; `hooks` has the
//! components' shared hooks (whether an element is on screen); `attempt` the challenge handed out and its verdict;
//! `embed/` the protocol an embedding lesson page speaks with the page; `exact/` the request-level engine in a
//! worker, loaded on first use.
pub mod attempt;
pub mod charts;
pub mod components;
pub mod embed;
pub mod exact;
pub mod format;
pub mod hooks;
pub mod state;
pub mod timeline;
pub mod view;

use std::time::Duration;

use leptos::prelude::*;
use sim_core::query;

use components::bill::BillPanel;
use components::bottlenecks::Bottlenecks;
use components::challenge::ChallengePanel;
use components::chart::Chart;
use components::compare::{Compare, ComparePanel};
use components::diagram::Diagram;
use components::exact::ExactPanel;
use components::faults::Faults;
use components::knobs::Knobs;
use components::load_slider::LoadSlider;
use components::metrics::Metrics;
use components::notices::Notices;
use components::planner::Planner;
use components::playback::Playback;
use components::share::Share;
use components::stage_picker::StagePicker;
use state::Sim;
use view::View;

/// Engine steps per tick of the run pump (ticks every 50 ms): a 5-minute run completes in one tick, a day in
/// about a second, and input never waits behind it.
const STEPS_PER_TICK: u32 = 2_000;
/// Real milliseconds the scenario must stay unchanged before the address bar is rewritten.
const URL_DELAY_MS: u64 = 150;
/// Real milliseconds between ticks.
const TICK_MS: u64 = 50;

/// The scenario and view the page was opened with, and notices about its link.
fn from_location() -> (sim_core::Scenario, View, Vec<String>) {
    let search = window().location().search().unwrap_or_default();
    let parsed = query::parse(&search);
    let (view, view_notices) = View::parse(&parsed.view, &parsed.scenario);
    let mut notices: Vec<String> = parsed.notices.into_iter().map(|n| n.to_string()).collect();
    notices.extend(view_notices);
    // A short link (`?stage=6`, `?journey=blog&step=3`) opens the journey stage the picker shows; a link that
    // names a built-in challenge and nothing about the system opens the challenge's own setup.
    let setup = view.challenge.as_ref().and_then(|c| c.id).and_then(sim_core::challenge::by_id).filter(|_| !query::sets_system(&search));
    let scenario = match setup {
        Some(c) => c.scenario(),
        None => sim_core::journey::stage_link(&search).unwrap_or(parsed.scenario),
    };
    (scenario, view, notices)
}

/// The whole page.
#[component]
pub fn App() -> impl IntoView {
    let (scenario, view, mut notices) = from_location();
    // Compare mode: scenario A travels in the link as `a=` (its own query string).
    let a = view.compare.as_deref().map(|q| {
        let parsed = query::parse(q);
        notices.extend(parsed.notices.into_iter().map(|n| format!("a (scenario A): {n}")));
        sim_core::journey::stage_link(q).unwrap_or(parsed.scenario)
    });
    let sim = Sim::new(scenario, notices);
    let compare = Compare::new(a);
    provide_context(compare);
    let exact = exact::Exact::new(view.exact);
    provide_context(exact);
    sim.cursor.set(view.t);
    provide_context(sim);
    provide_context(view.clone());
    let pick = components::stage_picker::Pick(RwSignal::new(components::stage_picker::Pick::from_view(
        view.journey.as_deref(),
        view.step,
        sim.scenario.with_untracked(|s| s.stage),
    )));
    provide_context(pick);
    let attempt = attempt::Attempt::new(sim, view.challenge.clone(), view.lock_keys.clone());
    provide_context(attempt);
    if view.embed {
        if let Some(body) = document().body() {
            let _ = body.class_list().add_1("embed");
        }
    }
    embed::set_host(view.origin.clone());
    components::glossary::listen_for_escape();
    embed::connect(sim, attempt);

    // The address bar follows the scenario, replacing the entry (not one entry per slider tick), once the
    // scenario has been still for a moment; a move to another stage adds an entry, so Back returns to the stage
    // before (and the page follows the address it goes back to).
    let pending = StoredValue::new(None::<TimeoutHandle>);
    let written_pick = StoredValue::new(pick.0.get_untracked());
    let back = window_event_listener(leptos::ev::popstate, move |_| {
        let (scenario, view, _) = from_location();
        let (j, s) = components::stage_picker::Pick::from_view(view.journey.as_deref(), view.step, scenario.stage);
        written_pick.set_value((j, s));
        pick.0.set((j, s));
        sim.cursor.set(view.t);
        sim.scenario.set(scenario);
    });
    on_cleanup(move || back.remove());
    // The address as last written, for what shows or copies it (the embed snippet): it follows the write, so it
    // never lags the page by one change.
    let address = state::Address(RwSignal::new(window().location().href().unwrap_or_default()));
    provide_context(address);
    let view_for_url = view.clone();
    Effect::new(move |_| {
        // Only the write is delayed; the query string is built then, not on every slider tick.
        sim.scenario.track();
        compare.a.track();
        pick.0.track();
        sim.cursor.track();
        attempt.challenge.track();
        exact.on.track();
        if let Some(h) = pending.get_value() {
            h.clear();
        }
        let view_for_url = view_for_url.clone();
        let write = move || {
            // The link keeps the challenge being played, which the host page may have replaced.
            let mut view_now = view_for_url.clone();
            view_now.challenge = attempt.challenge.get_untracked();
            view_now.locked = attempt.locked.get_untracked();
            view_now.exact = exact.on.get_untracked();
            let q = sim.scenario.with_untracked(query::to_query)
                + &pick.to_query_untracked()
                + &view_now.to_query(sim.cursor.get_untracked())
                + &compare.to_query_untracked();
            if let Ok(history) = window().history() {
                let url = format!("?{q}");
                let now = pick.0.get_untracked();
                if now != written_pick.get_value() {
                    written_pick.set_value(now);
                    let _ = history.push_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
                } else {
                    let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
                }
            }
            address.0.set(window().location().href().unwrap_or_default());
        };
        pending.set_value(set_timeout_with_handle(write, Duration::from_millis(URL_DELAY_MS)).ok());
    });

    // Warm-up: right after the first frame is painted, work the model over a few loads near the current one, so
    // the browser has optimised its hot code before the first drag of the slider (the first inputs after loading
    // were the slowest, while the wasm still ran unoptimised). Pure computation; nothing on the page changes.
    request_animation_frame(move || {
        set_timeout(
            move || {
                let base = sim.scenario.get_untracked();
                for factor in [0.5, 0.8, 1.25, 2.0, 3.0, 0.3] {
                    let s = base.clone().with_users(((base.traffic.users as f64 * factor) as u64).clamp(1, 10_000_000));
                    let report = sim_core::fluid::steady_state(&s);
                    let _ = sim_core::diagnose::diagnose(&s, &report.summary);
                }
            },
            Duration::ZERO,
        )
    });

    // The run pump, the playback clock, and the embed height report.
    let height = StoredValue::new(0);
    if let Ok(handle) = set_interval_with_handle(
        move || {
            sim.pump(STEPS_PER_TICK);
            height.set_value(embed::report_height(height.get_value()));
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
    // Each chart is B's (the page's) series, with A's drawn dashed over it while comparing. Only the latency
    // and cache charts read the steady state (their theory lines), so only they follow every slider move. In
    // exact mode the series is the request-level engine's, filling in as the worker streams it.
    let with_a = move |f: &dyn Fn(&[sim_core::report::Sample]) -> charts::ChartSpec| {
        let b = if exact.on.get() { exact.series.with(|s| f(s)) } else { sim.series.with(|s| f(s)) };
        charts::overlay(b, compare.series.with(|a| a.as_ref().map(|s| f(s))))
    };
    let latency = Memo::new(move |_| {
        let expected = sim.steady.with(|r| r.summary.latency_ms);
        with_a(&|s| charts::latency::spec(s, &expected, width))
    });
    let throughput = Memo::new(move |_| with_a(&|s| charts::throughput::spec(s, width)));
    let utilization = Memo::new(move |_| with_a(&|s| charts::utilization::spec(s, width)));
    let cache = Memo::new(move |_| {
        let expected = sim.steady.with(|r| r.summary.cache_hit_rate);
        with_a(&|s| charts::cache::spec(s, expected, width))
    });
    let lag = Memo::new(move |_| with_a(&|s| charts::lag::spec(s, width)));
    let instances = Memo::new(move |_| with_a(&|s| charts::instances::spec(s, width)));
    let cost = Memo::new(move |_| with_a(&|s| charts::cost::spec(s, width)));
    // The faults and what they set off, marked on every chart and the timeline; the run's span for the time axes.
    // Each series point's state, worked out once per series for the marks and Next event.
    let states = Memo::new(move |_| sim.series.with(|s| s.iter().map(|x| (x.t_s, components::playback::state_of(x))).collect::<Vec<_>>()));
    let marks = Memo::new(move |_| {
        let faults = sim.scenario.with(|s| s.faults.clone());
        if faults.is_empty() {
            return Vec::new();
        }
        states.with(|points| components::playback::marks(&faults, points))
    });
    let span = Memo::new(move |_| (0.0, sim.scenario.with(|s| s.duration_s)));
    let cursor = sim.cursor;

    let embedded = view.embed;
    let view_embed = move || embedded;
    let show = move |panel: &str| view.shows(panel);
    view! {
        // Keyboard users reach the diagram and the table without tabbing through every knob.
        <a class="skip-link" href="#results">"Skip to the diagram and the table"</a>
        <Show when=move || !view_embed()>
            <header class="masthead">
                <h1>"scalesim"</h1>
                <p class="tagline">"How a web system grows from one server to a million users, simulated live."</p>
            </header>
        </Show>
        <main class="workspace">
            <div class="side">
                <Notices notices=sim.notices/>
                {show("challenge").then(|| view! { <ChallengePanel/> })}
                {show("controls").then(|| view! {
                    <StagePicker/>
                    <section class="panel controls" aria-label="Load">
                        <LoadSlider scenario=sim.scenario/>
                        <components::undo::UndoRedo/>
                    </section>
                })}
                {show("knobs").then(|| view! { <Knobs/> })}
            </div>
            <div class="stage-view">
                {show("diagram").then(|| view! { <Diagram/> })}
                // The table right under the diagram: applying a fix keeps the diagram it changes in view.
                {show("table").then(|| view! { <Bottlenecks rows=sim.rows scenario=sim.scenario/> })}
                {show("playback").then(|| view! { <Playback marks=marks states=states/> })}
                {show("faults").then(|| view! { <Faults scenario=sim.scenario cursor=sim.cursor/> })}
                {show("metrics").then(|| {
                    let steady = sim.steady;
                    let bill = Signal::derive(move || steady.with(|r| r.summary.bill.clone()));
                    let per_month = Signal::derive(move || steady.with(|r| r.summary.bill.usd_per_month));
                    view! {
                        <Metrics now=sim.now cursor=sim.cursor bill_per_month=per_month/>
                        <BillPanel scenario=sim.scenario bill=bill/>
                    }
                })}
                {show("plan").then(|| view! { <Planner/> })}
                {show("compare").then(|| view! { <ComparePanel/> })}
                {show("exact").then(|| view! { <ExactPanel/> <components::trace::TracePanel/> })}
                {show("charts").then(|| view! {
                    <div class="charts">
                        <Chart id="chart-latency" spec=latency marks=marks span=span cursor=cursor/>
                        <Chart id="chart-throughput" spec=throughput marks=marks span=span cursor=cursor/>
                        <Chart id="chart-utilization" spec=utilization marks=marks span=span cursor=cursor/>
                        <Chart id="chart-cache" spec=cache marks=marks span=span cursor=cursor/>
                        <Chart id="chart-lag" spec=lag marks=marks span=span cursor=cursor/>
                        <Chart id="chart-instances" spec=instances marks=marks span=span cursor=cursor/>
                        <Chart id="chart-cost" spec=cost marks=marks span=span cursor=cursor/>
                    </div>
                })}
                // The glossary goes with whatever links into it: the explanations and the terms' first uses.
                {(show("metrics") || show("table") || show("controls")).then(|| view! { <components::glossary::GlossaryPanel/> })}
                {(!embedded).then(|| view! { <Share/> })}
            </div>
        </main>
    }
}
