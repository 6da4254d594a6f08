//! The challenge panel: the task a link hands out (a built-in challenge or an author's goals), every goal's
//! target beside its live value (met / not yet), hints one at a time, and a passed state with the lesson; and a
//! list of the built-in challenges, with the ones passed remembered in local storage where the browser allows
//! it (a sandboxed frame without storage simply does not remember). The verdict is sim-core's
//! (`challenge::check`, the same as `scalesim check`), judged by [`crate::attempt`]; the challenge can be
//! replaced while the page runs (the host page's `setChallenge`), and the panel follows.
use leptos::prelude::*;
use sim_core::challenge::{Op, Over, CHALLENGES};

use crate::attempt::{passed_ids, Attempt};

/// A goal's target in words: "p99_ms ≤ 200 in every window".
pub fn goal_words(metric: &str, op: Op, target: f64, over: Over) -> String {
    let op = if op == Op::AtMost { "≤" } else { "≥" };
    let over = if over == Over::EveryWindow { " in every 10-second window" } else { " over the run" };
    format!("{metric} {op} {}{over}", show(metric, target))
}

/// A goal's value in its metric's unit (the compare table's formatting of the JSON name it stands for).
pub fn show(metric: &str, v: f64) -> String {
    if !v.is_finite() {
        return "—".to_owned();
    }
    crate::components::compare::show(sim_core::challenge::alias(metric), v)
}

/// The challenge panel.
#[component]
pub fn ChallengePanel() -> impl IntoView {
    let attempt = expect_context::<Attempt>();
    let verdict = attempt.verdict;
    let hints_shown = RwSignal::new(0usize);
    let passed_before = RwSignal::new(passed_ids());
    // A pass is remembered by the attempt; the list follows it. A new challenge starts with its hints hidden.
    Effect::new(move |_| {
        if verdict.with(|v| v.as_ref().is_some_and(|v| v.passed)) {
            passed_before.set(passed_ids());
        }
    });
    Effect::new(move |_| {
        attempt.challenge.track();
        hints_shown.set(0);
    });
    let current = move || attempt.challenge.with(|c| c.as_ref().and_then(|c| c.id));
    // Unfolded for a learner without a challenge on a wide screen; on a phone it starts folded, so the diagram is
    // on the first screen.
    let wide = window().match_media("(min-width: 900px)").ok().flatten().is_none_or(|m| m.matches());
    let open_list = wide && attempt.challenge.with_untracked(|c| c.is_none());
    let list = move || {
        let passed = passed_before.get();
        CHALLENGES
            .iter()
            .map(|c| {
                let done = passed.iter().any(|p| p == c.id);
                let href = format!("?v=1&challenge={}", c.id);
                view! {
                    <li class:current=move || current() == Some(c.id)>
                        <a href=href data-challenge=c.id>{c.title}</a>
                        {done.then(|| view! { <span class="done">" ✓ passed"</span> })}
                    </li>
                }
            })
            .collect_view()
    };
    let task = move || {
        attempt.challenge.get().map(|c| {
        let hints = c.hints.clone();
        let n_hints = hints.len();
        let lesson = c.lesson.clone();
        let goals = c.goals.clone();
        view! {
            <h3 data-challenge="title">{c.title.clone()}</h3>
            <p class="challenge-brief">{c.brief.clone()}</p>
            <ul class="challenge-goals">
                {move || {
                    let v = verdict.get();
                    goals
                        .iter()
                        .enumerate()
                        .map(|(i, g)| {
                            let result = v.as_ref().and_then(|v| v.goals.get(i).cloned());
                            let met = result.as_ref().is_some_and(|r| r.met);
                            // Until sim-core has judged the run, the goal is neither met nor missed.
                            let state = match &result {
                                None => " · checking",
                                Some(_) if met => " ✓ met",
                                Some(_) => " · not yet",
                            };
                            let actual = result.map_or("…".to_owned(), |r| show(&g.metric, r.actual));
                            view! {
                                <li class:met=met data-goal=g.metric.clone() data-met=met.to_string()>
                                    <span class="goal-target">{goal_words(&g.metric, g.op, g.target, g.over)}</span>
                                    " — now " <span class="goal-actual">{actual}</span>
                                    <strong class="goal-state">{state}</strong>
                                </li>
                            }
                        })
                        .collect_view()
                }}
            </ul>
            {move || verdict.with(|v| v.as_ref().filter(|v| v.passed).map(|_| view! {
                <div class="challenge-passed" role="status" data-challenge="passed">
                    <strong>"Passed!"</strong> " " {lesson.clone()}
                </div>
            }))}
            <ol class="challenge-hints">
                {move || hints.iter().take(hints_shown.get()).map(|h| view! { <li>{h.clone()}</li> }).collect_view()}
            </ol>
            {(n_hints > 0).then(|| view! {
                <button type="button" data-challenge="hint" disabled=move || { hints_shown.get() >= n_hints }
                    on:click=move |_| hints_shown.update(|n| *n += 1)>
                    {move || if hints_shown.get() >= n_hints { "No more hints".to_owned() } else { format!("Show a hint ({} of {n_hints})", hints_shown.get() + 1) }}
                </button>
            })}
        }
    })
    };
    view! {
        <section class="panel challenge" aria-labelledby="challenge-heading">
            <h2 id="challenge-heading">"Challenges"</h2>
            {task}
            <details open=open_list>
                <summary>"Built-in challenges"</summary>
                <ul class="challenge-list">{list}</ul>
            </details>
        </section>
    }
}
