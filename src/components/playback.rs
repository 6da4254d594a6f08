//! Playback: play or pause, speed from 1× to 3600×, a timeline to scrub, and a jump to the next event.
use leptos::prelude::*;
use sim_core::scenario::{Fault, FaultKind};

use crate::charts::Mark;
use crate::state::Sim;

use crate::format::clock;

/// What "Next event" watches in each series point: servers serving, dead servers still in the pool, primaries
/// out, regions up, load balancers out, servers booting, and whether more than 1 % of requests fail. A change in
/// any of them is an event, so the button steps through what a fault sets off (the health checks' removal, a
/// promotion, a restore, a DNS move, a standby's takeover, a scale-out decision and its servers serving), not
/// only the faults themselves.
pub type State = [u32; 7];

/// The state of one series point.
pub fn state_of(s: &sim_core::report::Sample) -> State {
    [s.instances, s.app_down, s.primaries_down, s.regions_up, s.lb_down, s.booting, u32::from(s.error_rate > 0.01)]
}

/// The next moment after `cursor` at which something changes: a scheduled fault, or a change of state between two
/// series points. Moments within half a second of the cursor are the present, not the next event (the cursor
/// sits on a series point that the timeline may round).
pub fn next_event(cursor: f64, faults: impl IntoIterator<Item = f64>, points: &[(f64, State)]) -> Option<f64> {
    let after = cursor + 0.5;
    let fault = faults.into_iter().filter(|&t| t > after).fold(f64::INFINITY, f64::min);
    let change = points.windows(2).find(|w| w[1].0 > after && w[1].1 != w[0].1).map_or(f64::INFINITY, |w| w[1].0);
    let t = fault.min(change);
    t.is_finite().then_some(t)
}

/// What a fault is called where it is marked: what happened, not the button that did it.
pub fn fault_name(kind: FaultKind) -> &'static str {
    match kind {
        FaultKind::KillAppServer => "app server killed",
        FaultKind::KillDbPrimary => "database primary killed",
        FaultKind::FlushCache => "cache flushed",
        FaultKind::Deploy => "deploy",
        FaultKind::TrafficSpike => "traffic spike",
        FaultKind::WriteBurst => "write burst",
        FaultKind::DownstreamOutage => "email provider down",
        FaultKind::KillLoadBalancer => "load balancer killed",
        FaultKind::RegionOutage => "region outage",
    }
}

/// A change of [`State`] in words: "servers serving 3 → 2, errors above 1 %".
pub fn change_words(a: &State, b: &State) -> String {
    const NAMES: [&str; 6] =
        ["servers serving", "dead servers in the pool", "database primaries out", "regions up", "load balancers out", "servers booting"];
    let errors = NAMES.len();
    let mut parts: Vec<String> = (0..errors).filter(|&i| a[i] != b[i]).map(|i| format!("{} {} → {}", NAMES[i], a[i], b[i])).collect();
    if a[errors] != b[errors] {
        parts.push(if b[errors] == 1 { "errors above 1 %" } else { "errors back under 1 %" }.to_owned());
    }
    parts.join(", ")
}

/// What the charts and the timeline mark: each scheduled fault, and from the first fault on, each change of state
/// the series shows (what the faults set off: the moments "Next event" stops at), in time order.
pub fn marks(faults: &[Fault], points: &[(f64, State)]) -> Vec<Mark> {
    let Some(first) = faults.iter().map(|f| f.at_s).reduce(f64::min) else {
        return Vec::new();
    };
    let mut faults = faults.iter().map(|f| Mark {
        t: f.at_s,
        name: fault_name(f.kind).to_owned(),
        label: format!("{} at {}", fault_name(f.kind), clock(f.at_s)),
        fault: true,
    });
    let mut events = points.windows(2).filter(|w| w[1].0 >= first && w[1].1 != w[0].1).map(|w| Mark {
        t: w[1].0,
        name: change_words(&w[0].1, &w[1].1),
        label: format!("{} at {}", change_words(&w[0].1, &w[1].1), clock(w[1].0)),
        fault: false,
    });
    // Both come in time order (the scenario keeps its faults sorted): merge them, a fault before what it sets off.
    let mut out = Vec::new();
    let (mut f, mut e) = (faults.next(), events.next());
    loop {
        match (f.take(), e.take()) {
            (Some(a), Some(b)) if a.t <= b.t => {
                out.push(a);
                (f, e) = (faults.next(), Some(b));
            }
            (a, Some(b)) => {
                out.push(b);
                (f, e) = (a, events.next());
            }
            (Some(a), None) => {
                out.push(a);
                f = faults.next();
            }
            (None, None) => return out,
        }
    }
}

/// Percent of the run simulated so far, rounded down so that it reads 100 only when the run is complete.
pub fn percent(progress: f64) -> u32 {
    (progress.clamp(0.0, 1.0) * 100.0).floor() as u32
}

/// The playback controls.
#[component]
pub fn Playback(
    /// The faults and what they set off, marked on the timeline.
    #[prop(into)]
    marks: Signal<Vec<Mark>>,
    /// Each series point's time and [`State`].
    #[prop(into)]
    states: Signal<Vec<(f64, State)>>,
) -> impl IntoView {
    let sim = expect_context::<Sim>();
    let duration = Memo::new(move |_| sim.scenario.with(|s| s.duration_s));
    // The next event after the cursor, kept up to date so the button can say when there is none left (it used
    // to do nothing after the last one, which read as stuck).
    // A scan per cursor move, nothing allocated: the states are worked out once per series.
    let next = Memo::new(move |_| {
        let cursor = sim.cursor.get();
        sim.scenario.with(|s| states.with(|points| next_event(cursor, s.faults.iter().map(|f| f.at_s), points)))
    });
    let jump = move |_| {
        if let Some(t) = next.get_untracked() {
            sim.cursor.set(t);
        }
    };
    view! {
        <section class="panel playback" aria-labelledby="playback-heading">
            <h2 id="playback-heading">"Playback"</h2>
            <div class="row">
                <button type="button" on:click=move |_| sim.playing.update(|p| *p = !*p) aria-pressed=move || sim.playing.get().to_string()>
                    {move || if sim.playing.get() { "Pause" } else { "Play" }}
                </button>
                <button
                    type="button"
                    on:click=jump
                    disabled=move || next.with(Option::is_none)
                    title=move || next.get().map_or_else(|| "No more events in this run".to_owned(), |t| format!("Next: {}", clock(t)))
                >
                    "Next event"
                </button>
                <label for="speed">"Speed"</label>
                <select id="speed" prop:value=move || sim.speed.get().to_string() on:change=move |ev| sim.speed.set(sim_core::decimal::parse(&event_target_value(&ev)).unwrap_or(10.0))>
                    {[1.0, 10.0, 60.0, 600.0, 3600.0]
                        .into_iter()
                        .map(|v| view! { <option value=v.to_string() selected=move || sim.speed.get() == v>{format!("{v}×")}</option> })
                        .collect_view()}
                </select>
            </div>
            <div class="control">
                <label for="timeline">"Timeline"</label>
                <span class="value" id="clock">{move || clock(sim.cursor.get())}</span>
                // Each scheduled fault is a tick on the timeline.
                <datalist id="fault-ticks">
                    {move || sim.scenario.with(|s| s.faults.iter().map(|f| view! { <option value=f.at_s.to_string()></option> }).collect_view())}
                </datalist>
                <input
                    id="timeline"
                    list="fault-ticks"
                    type="range"
                    min="0"
                    max=move || duration.get().to_string()
                    step="1"
                    prop:value=move || sim.cursor.get().to_string()
                    aria-valuetext=move || clock(sim.cursor.get())
                    on:input=move |ev| {
                        if let Some(t) = sim_core::decimal::parse(&event_target_value(&ev)) {
                            sim.cursor.set(t);
                        }
                    }
                />
                // Under the track: a flag for each fault (a button to go there) and a tick for each thing it set off.
                <div class="timeline-marks">
                    {move || {
                        let d = duration.get().max(1.0);
                        let left = move |t: f64| format!("{:.3}%", t / d * 100.0);
                        marks.with(|all| {
                            let on = || all.iter().filter(|m| m.t <= d);
                            let flags = on()
                                .filter(|m| m.fault)
                                .map(|m| {
                                    let t = m.t;
                                    view! {
                                        <button
                                            type="button"
                                            class="mark fault"
                                            style:left=left(t)
                                            aria-label=format!("Go to the fault: {}", m.label)
                                            title=m.label.clone()
                                            on:click=move |_| sim.cursor.set(t)
                                        ></button>
                                    }
                                })
                                .collect_view();
                            let ticks = on()
                                .filter(|m| !m.fault)
                                .map(|m| view! { <span class="mark event" style:left=left(m.t) title=m.label.clone() aria-hidden="true"></span> })
                                .collect_view();
                            (ticks, flags)
                        })
                    }}
                </div>
            </div>
            // While a long run is simulated slice by slice: how far it has got.
            <Show when=move || { sim.progress.get() < 1.0 }>
                <div class="run-progress">
                    <label for="run-progress">{move || format!("Simulating… {} %", percent(sim.progress.get()))}</label>
                    <progress id="run-progress" max="100" value=move || percent(sim.progress.get()).to_string()></progress>
                </div>
            </Show>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_event_finds_faults_and_what_they_set_off() {
        let p = |t: f64, serving: u32, dead: u32| (t, [serving, dead, 0, 1, 0, 0, 0]);
        // A server dies at 10 s (still in the pool), the health checks take it out at 30 s.
        let points = [p(5.0, 3, 0), p(10.0, 3, 0), p(11.0, 2, 1), p(20.0, 2, 1), p(31.0, 2, 0), p(40.0, 2, 0)];
        assert_eq!(next_event(0.0, [10.0], &points), Some(10.0));
        assert_eq!(next_event(10.0, [10.0], &points), Some(11.0));
        assert_eq!(next_event(11.0, [10.0], &points), Some(31.0), "past the first second after the fault");
        assert_eq!(next_event(30.8, [10.0], &points), None, "within half a second is now");
    }

    #[test]
    fn marks_name_each_fault_and_what_it_sets_off_in_time_order() {
        let p = |t: f64, serving: u32, dead: u32, errors: u32| (t, [serving, dead, 0, 1, 0, 0, errors]);
        // Scaling before the fault is not the fault's doing and is not marked.
        let points = [p(1.0, 2, 0, 0), p(5.0, 3, 0, 0), p(10.0, 3, 0, 0), p(11.0, 2, 1, 1), p(31.0, 2, 0, 0)];
        let faults = [Fault { at_s: 10.0, kind: FaultKind::KillAppServer }];
        let m = marks(&faults, &points);
        let labels: Vec<(&str, bool)> = m.iter().map(|m| (m.label.as_str(), m.fault)).collect();
        assert_eq!(
            labels,
            [
                ("app server killed at 10 s", true),
                ("servers serving 3 → 2, dead servers in the pool 0 → 1, errors above 1 % at 11 s", false),
                ("dead servers in the pool 1 → 0, errors back under 1 % at 31 s", false),
            ]
        );
        assert!(marks(&[], &points).is_empty(), "no fault, nothing marked");
        // A second fault between the first one's consequences: all in time order, each fault before what follows.
        let two = [faults[0], Fault { at_s: 20.0, kind: FaultKind::Deploy }];
        let times: Vec<(f64, bool)> = marks(&two, &points).iter().map(|m| (m.t, m.fault)).collect();
        assert_eq!(times, [(10.0, true), (11.0, false), (20.0, true), (31.0, false)]);
    }

    #[test]
    fn progress_reads_100_only_when_done() {
        assert_eq!(percent(0.0), 0);
        assert_eq!(percent(0.437), 43);
        assert_eq!(percent(0.9999), 99);
        assert_eq!(percent(1.0), 100);
    }
}
