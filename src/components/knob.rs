//! Small labelled inputs shared by the knobs: a range, a select and a checkbox. Each has a visible label tied
//! to its input, so its accessible name is the label. Also what every knob group does the same way: apply an
//! edit through sim-core's repair, build select options, ask the view whether a knob is locked.
use leptos::prelude::*;
use sim_core::Scenario;

use crate::state::Sim;

/// Applies `f` to the scenario and repairs cross-field rules, so combinations stay valid.
pub fn edit(sim: Sim, f: impl FnOnce(&mut Scenario)) {
    sim.scenario.update(|s| {
        f(s);
        s.repair();
    });
}

/// Select options from (value, text) pairs.
pub fn opts(items: &[(&str, &str)]) -> Vec<(String, String)> {
    items.iter().map(|(v, t)| (v.to_string(), t.to_string())).collect()
}

/// Whether knob `id` is locked (a lesson's `lock=`, or a challenge that does not allow it); tracked, since the
/// host page may hand out another challenge.
pub fn locked(id: &str) -> bool {
    use_context::<crate::attempt::Attempt>().is_some_and(|a| a.locks(id))
}

/// Whether the knobs panel shows knob `id` (a lesson's `knobs=` may show only some).
fn shown(id: &str) -> bool {
    use_context::<crate::view::View>().is_none_or(|v| v.shows_knob(id))
}

/// A labelled range input showing its current value.
#[component]
pub fn RangeKnob(
    /// Element id (also ties the label).
    id: &'static str,
    /// Visible label and accessible name.
    label: &'static str,
    /// Smallest value.
    min: f64,
    /// Largest value.
    max: f64,
    /// Step.
    step: f64,
    /// Current value.
    #[prop(into)]
    value: Signal<f64>,
    /// The value as shown next to the label.
    #[prop(into)]
    shown: Signal<String>,
    /// Called with a new value.
    on_change: Callback<f64>,
    /// Whether the knob is locked.
    #[prop(into, optional)]
    disabled: Signal<bool>,
) -> impl IntoView {
    if !self::shown(id) {
        return ().into_any();
    }
    view! {
        <div class="control">
            <label for=id>{label}</label>
            <span class="value">{move || shown.get()}</span>
            <input
                id=id
                type="range"
                min=min.to_string()
                max=max.to_string()
                step=step.to_string()
                prop:value=move || value.get().to_string()
                aria-valuetext=move || shown.get()
                disabled=move || disabled.get()
                on:input=move |ev| {
                    if let Some(v) = sim_core::decimal::parse(&event_target_value(&ev)) {
                        on_change.run(v);
                    }
                }
            />
        </div>
    }
    .into_any()
}

/// A labelled select over (value, text) options.
#[component]
pub fn SelectKnob(
    /// Element id.
    id: &'static str,
    /// Visible label and accessible name.
    label: &'static str,
    /// (value, text) pairs.
    options: Vec<(String, String)>,
    /// Selected value.
    #[prop(into)]
    value: Signal<String>,
    /// Called with the chosen value.
    on_change: Callback<String>,
    /// Whether the knob is locked.
    #[prop(into, optional)]
    disabled: Signal<bool>,
) -> impl IntoView {
    if !shown(id) {
        return ().into_any();
    }
    view! {
        <div class="control">
            <label for=id>{label}</label>
            <select id=id prop:value=move || value.get() disabled=move || disabled.get() on:change=move |ev| on_change.run(event_target_value(&ev))>
                {options
                    .into_iter()
                    .map(|(v, text)| {
                        let v2 = v.clone();
                        view! { <option value=v selected=move || value.get() == v2>{text}</option> }
                    })
                    .collect_view()}
            </select>
        </div>
    }
    .into_any()
}

/// A labelled checkbox.
#[component]
pub fn CheckKnob(
    /// Element id.
    id: &'static str,
    /// Visible label and accessible name.
    label: &'static str,
    /// Whether it is ticked.
    #[prop(into)]
    checked: Signal<bool>,
    /// Called with the new state.
    on_change: Callback<bool>,
    /// Whether the knob is locked.
    #[prop(into, optional)]
    disabled: Signal<bool>,
) -> impl IntoView {
    if !shown(id) {
        return ().into_any();
    }
    view! {
        <div class="control check">
            <input id=id type="checkbox" prop:checked=move || checked.get() disabled=move || disabled.get() on:change=move |ev| on_change.run(event_target_checked(&ev))/>
            <label for=id>{label}</label>
        </div>
    }
    .into_any()
}

/// A switch read and written through plain functions, greyed out while `off` holds (or the view locks it).
pub fn switch(
    sim: Sim,
    id: &'static str,
    label: &'static str,
    get: fn(&Scenario) -> bool,
    set: fn(&mut Scenario, bool),
    off: fn(&Scenario) -> bool,
) -> impl IntoView {
    view! {
        <CheckKnob
            id=id
            label=label
            checked=Signal::derive(move || sim.scenario.with(get))
            on_change=Callback::new(move |v: bool| edit(sim, |s| set(s, v)))
            disabled=Signal::derive(move || sim.scenario.with(off) || locked(id))
        />
    }
}
