//! The journey: pick one of sim-core's journeys (each seed's path, or scalesim's combined one) and a stage of
//! it, step to the previous or next stage, and read what the stage adds, what it costs, what breaks next, and
//! the load at which the model finds it starts to break. Choosing a stage loads its scenario, keeping the seed.
use leptos::prelude::*;
use sim_core::journey::{self, Journey, NAMES};

use crate::format;
use crate::state::Sim;

/// The journey and stage (0-based) picked; the URL keeps them as `journey=` and `step=`.
#[derive(Clone, Copy)]
pub struct Pick(pub RwSignal<(usize, usize)>);

impl Pick {
    /// The pick named by the URL's view keys, or the combined journey at the scenario's built-in stage.
    pub fn from_view(journey: Option<&str>, step: Option<usize>, builtin_stage: u32) -> (usize, usize) {
        let j = journey.and_then(|name| NAMES.iter().position(|n| *n == name)).unwrap_or(0);
        let len = journey::journey(NAMES[j]).map_or(1, |x| x.stages.len());
        let step = step.unwrap_or(if j == 0 { builtin_stage as usize } else { 1 });
        (j, step.clamp(1, len) - 1)
    }

    /// The view keys to write (read without tracking).
    pub fn to_query_untracked(&self) -> String {
        let (j, s) = self.0.get_untracked();
        format!("&journey={}&step={}", NAMES[j], s + 1)
    }
}

/// Journey and stage selects with previous and next buttons, the stage's explanation and its breaking load.
#[component]
pub fn StagePicker() -> impl IntoView {
    let sim = expect_context::<Sim>();
    let pick = expect_context::<Pick>().0;
    let locked = move || super::knob::locked("stage");
    let journeys: StoredValue<Vec<Journey>> = StoredValue::new(journey::journeys());
    let stages = move |j: usize| journeys.with_value(|js| js[j].stages.len());
    let go = move |j: usize, step: usize| {
        let step = step.min(stages(j) - 1);
        pick.set((j, step));
        let next = journeys.with_value(|js| js[j].stages[step].scenario.clone());
        sim.scenario.update(|s| {
            let seed = s.seed;
            *s = next;
            s.seed = seed;
        });
    };
    let about = move || {
        let (j, s) = pick.get();
        journeys.with_value(|js| js[j].stages[s].about)
    };
    let breaks = move || {
        let (j, s) = pick.get();
        journeys.with_value(|js| breaking_text(&js[j].stages[s]))
    };
    // What the learner's own changes have built since this stage, so the story follows them.
    let built = move || {
        let (j, s) = pick.get();
        let words = sim.scenario.with(|now| journeys.with_value(|js| sim_core::changes::changes(&js[j].stages[s].scenario, now)));
        (!words.is_empty())
            .then(|| view! { <p class="built" data-built="">{format!("Since this stage you have built: {}.", words.join("; "))}</p> })
    };
    view! {
        <section class="panel stage" aria-labelledby="stage-heading">
            <h2 id="stage-heading">"Scaling journey"</h2>
            <div class="journey-pick">
                <label for="journey">"Journey"</label>
                <select id="journey" disabled=locked prop:value=move || pick.get().0.to_string() on:change=move |ev| go(event_target_value(&ev).parse().unwrap_or(0), 0)>
                    {journeys.with_value(|js| js.iter().enumerate().map(|(i, j)| {
                        let label = format!("{} ({})", j.title, j.source);
                        view! { <option value=i.to_string() selected=move || pick.get().0 == i>{label}</option> }
                    }).collect_view())}
                </select>
            </div>
            <div class="stage-nav">
                <button type="button" on:click=move |_| { let (j, s) = pick.get(); go(j, s.saturating_sub(1)) } disabled=move || { locked() || pick.get().1 == 0 } aria-label="Previous stage">
                    "◀"
                </button>
                <label class="visually-hidden" for="stage">"Stage"</label>
                <select id="stage" disabled=locked prop:value=move || (pick.get().1 + 1).to_string() on:change=move |ev| go(pick.get().0, event_target_value(&ev).parse::<usize>().unwrap_or(1).saturating_sub(1))>
                    {move || {
                        let j = pick.get().0;
                        journeys.with_value(|js| js[j].stages.iter().enumerate().map(|(i, st)| {
                            let label = format!("{}. {}", i + 1, st.title);
                            view! { <option value=(i + 1).to_string() selected=move || pick.get().1 == i>{label}</option> }
                        }).collect_view())
                    }}
                </select>
                <button type="button" on:click=move |_| { let (j, s) = pick.get(); go(j, s + 1) } disabled=move || { let (j, s) = pick.get(); locked() || s + 1 >= stages(j) } aria-label="Next stage">
                    "▶"
                </button>
            </div>
            // First uses of glossary terms in the stage's text carry their meaning as a tooltip.
            {move || {
                let mut seen = Vec::new();
                let about = crate::components::glossary::marked(about(), &mut seen);
                let breaks = crate::components::glossary::marked(&breaks(), &mut seen);
                view! {
                    <p class="explain">{about}</p>
                    <p class="breaks">{breaks}</p>
                }
            }}
            {built}
        </section>
    }
}

/// "Sized for N users; begins to break at about M users (what gives out)." for a stage, from the breaking
/// load sim-core stores with it (tested against the model).
fn breaking_text(st: &journey::Stage) -> String {
    let sized = format::count(st.users as f64);
    match st.breaks {
        Some((u, id)) => {
            // Two significant figures: the search is good to about 2 %.
            let scale = 10f64.powi((u as f64).log10().floor() as i32 - 1);
            let about = (u as f64 / scale).round() * scale;
            format!("Sized for {sized} users; begins to break at about {} users ({}).", format::count(about), journey::capacity_words(id))
        }
        None => format!("Sized for {sized} users; holds beyond 10 million."),
    }
}
