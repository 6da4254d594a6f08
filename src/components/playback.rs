//! Playback: play or pause, speed from 1× to 3600×, a timeline to scrub, and a jump to the next event.
use leptos::prelude::*;

use crate::state::Sim;

/// Formats a simulated time as `1 h 02 min 05 s`.
pub fn clock(t: f64) -> String {
    let t = t.max(0.0).round() as u64;
    let (h, m, s) = (t / 3_600, t / 60 % 60, t % 60);
    if h > 0 {
        format!("{h} h {m:02} min {s:02} s")
    } else if m > 0 {
        format!("{m} min {s:02} s")
    } else {
        format!("{s} s")
    }
}

/// The next moment after `cursor` at which something changes: a scheduled fault, or a change in the number of
/// serving instances in `instances` (time, count) pairs.
pub fn next_event(cursor: f64, faults: &[f64], instances: &[(f64, u32)]) -> Option<f64> {
    let fault = faults.iter().copied().filter(|&t| t > cursor + 1e-9).fold(f64::INFINITY, f64::min);
    let change = instances.windows(2).find(|w| w[1].0 > cursor + 1e-9 && w[1].1 != w[0].1).map_or(f64::INFINITY, |w| w[1].0);
    let t = fault.min(change);
    t.is_finite().then_some(t)
}

/// The playback controls.
#[component]
pub fn Playback() -> impl IntoView {
    let sim = expect_context::<Sim>();
    let duration = Memo::new(move |_| sim.scenario.with(|s| s.duration_s));
    let jump = move |_| {
        let faults: Vec<f64> = sim.scenario.with_untracked(|s| s.faults.iter().map(|f| f.at_s).collect());
        let instances: Vec<(f64, u32)> = sim.series.with_untracked(|s| s.iter().map(|x| (x.t_s, x.instances)).collect());
        if let Some(t) = next_event(sim.cursor.get_untracked(), &faults, &instances) {
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
                <button type="button" on:click=jump>"Next event"</button>
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
                <input
                    id="timeline"
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
            </div>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clock_reads_naturally() {
        assert_eq!(clock(5.0), "5 s");
        assert_eq!(clock(125.0), "2 min 05 s");
        assert_eq!(clock(3_725.0), "1 h 02 min 05 s");
    }

    #[test]
    fn next_event_finds_faults_and_fleet_changes() {
        let inst = [(1.0, 3), (2.0, 3), (3.0, 2), (4.0, 2)];
        assert_eq!(next_event(0.0, &[10.0], &inst), Some(3.0));
        assert_eq!(next_event(3.0, &[10.0], &inst), Some(10.0));
        assert_eq!(next_event(10.0, &[10.0], &inst), None);
    }
}
