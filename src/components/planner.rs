//! The planner panel: a service objective (p99 and error share, editable), how many users the current design
//! holds within it and what breaks first past that load (searched live in sim-core whenever the design
//! changes, a slice at a time), with buttons that move the slider there or apply the next fix; and the cheapest
//! design for a number of users, searched on request over the journey's stages, with an Apply button.
use leptos::prelude::*;
use sim_core::journey::{self, NAMES};
use sim_core::plan::cheapest::{CheapestSearch, Design};
use sim_core::plan::limit::{Limit, LimitSearch, CEILING};
use sim_core::plan::Objective;
use sim_core::Scenario;

use crate::components::bottlenecks::show_id_value;
use crate::components::stage_picker::Pick;
use crate::format;
use crate::hooks::{run_in_slices, Jobs};
use crate::state::Sim;

/// The objective from the two fields (p99 in milliseconds, errors in percent), or a message naming the field.
pub fn objective_from(p99: &str, errors_pct: &str) -> Result<Objective, String> {
    let p99: f64 =
        sim_core::decimal::parse(p99).filter(|v| v.is_finite()).ok_or_else(|| format!("p99: \"{p99}\" is not a number of milliseconds"))?;
    let e: f64 = sim_core::decimal::parse(errors_pct)
        .filter(|v| v.is_finite())
        .ok_or_else(|| format!("errors: \"{errors_pct}\" is not a percentage"))?;
    Objective::new(p99, e / 100.0).map_err(|err| match err.field() {
        "p99_ms" => "p99: give a latency from 1 to 600,000 ms".to_owned(),
        _ => "errors: give a share from 0 to 100 %".to_owned(),
    })
}

/// The objective in words: "p99 within 200 ms and at most 1 % of requests failing".
pub fn objective_words(o: &Objective) -> String {
    format!("p99 within {} and at most {} % of requests failing", format::ms(o.p99_ms), format::trim(o.max_error_rate * 100.0))
}

/// `s` with its first letter in lower case, unless its first word is an acronym ("App CPU" → "app CPU",
/// "CPU share" stays).
fn lower_first(s: &str) -> String {
    let first = s.split_whitespace().next().unwrap_or("");
    if first.len() > 1 && first.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit()) {
        return s.to_owned();
    }
    let mut c = s.chars();
    c.next().map(|f| f.to_lowercase().chain(c).collect()).unwrap_or_default()
}

/// What missing a target looks like, in words: "p99 reaches 206 ms", "2.1 % of requests fail".
fn miss_words(metric: &str, value: f64) -> String {
    match metric {
        "p99_ms" => format!("p99 reaches {}", format::ms(value)),
        "jobs_waiting_s" => format!("queued jobs wait {}", format::ms(value * 1e3)),
        _ => format!("{} of requests fail", format::pct(value)),
    }
}

/// The limit finder's answer as the panel's headline.
pub fn limit_headline(l: &Limit) -> String {
    if l.holds_beyond_ceiling {
        return format!("Holds every load searched, up to {} users, with {}.", format::thousands(CEILING), objective_words(&l.objective));
    }
    let Some(b) = &l.breaks else { return String::new() };
    let cause = match b.row {
        Some(id) => format!(
            "{} gives out ({} {}, threshold {})",
            b.component,
            lower_first(&b.metric),
            show_id_value(id, b.value),
            show_id_value(id, b.threshold)
        ),
        None => b.component.clone(),
    };
    if l.max_users == 0 {
        return format!("Misses the objective even at 1 user: {}. {cause}.", miss_words(b.objective.metric, b.objective.value));
    }
    format!(
        "Holds up to {} users with {} — then {cause}: at {} users {}.",
        format::thousands(l.max_users),
        objective_words(&l.objective),
        format::thousands(b.users),
        miss_words(b.objective.metric, b.objective.value)
    )
}

/// The next fix and how far it moves the limit, in words.
pub fn next_fix_words(l: &Limit) -> Option<String> {
    let f = l.next_fix.as_ref()?;
    Some(if f.holds_beyond_ceiling {
        format!("Next fix: {} — then it holds past {} users.", f.label, format::thousands(CEILING))
    } else if f.max_users > l.max_users {
        format!("Next fix: {} — then it holds up to {} users.", f.label, format::thousands(f.max_users))
    } else {
        format!("The table's fix there ({}) does not move the limit on its own.", f.label.to_ascii_lowercase())
    })
}

/// A note when the objective, once missed, is met again at a higher load.
pub fn monotone_note(l: &Limit) -> Option<String> {
    l.meets_again_at.map(|u| {
        format!(
            "Not monotone: the objective is met again at {} users (auto-scaling steps up, or a cache warms with load); the limit above is the first failure from below.",
            format::thousands(u)
        )
    })
}

/// The cheapest design's headline.
pub fn design_headline(d: &Design) -> String {
    match (d.cost_usd_per_month, &d.summary) {
        (Some(cost), Some(s)) => format!(
            "{} a month for {} users: p99 {}, {} of requests failing (from {}).",
            format::usd(cost),
            format::thousands(d.users),
            format::ms(s.latency_ms.p99),
            format::pct(s.error_rate),
            d.started_from.as_deref().unwrap_or("your design")
        ),
        _ => format!(
            "No design in the searched space serves {} users with {} ({} steady states from {} starting points).",
            format::thousands(d.users),
            objective_words(&d.objective),
            d.evaluations,
            d.starting_points
        ),
    }
}

/// A progress bar's text.
fn searching(p: f64) -> String {
    format!("Searching… {:.0} %", (p * 100.0).clamp(0.0, 99.0))
}

/// The planner panel.
#[component]
pub fn Planner() -> impl IntoView {
    let sim = expect_context::<Sim>();
    let pick = expect_context::<Pick>().0;
    let p99 = RwSignal::new("200".to_owned());
    let errors = RwSignal::new("1".to_owned());
    let objective = Memo::new(move |_| objective_from(&p99.get(), &errors.get()));

    // The limit does not depend on the slider's load (it searches over load), only on the design.
    let design = Memo::new(move |_| sim.scenario.with(|s| s.clone().with_users(1)));
    let limit = RwSignal::new(None::<Limit>);
    let limit_progress = RwSignal::new(None::<f64>);
    let limit_jobs = Jobs::new();
    Effect::new(move |_| {
        let s = design.get();
        let Ok(o) = objective.get() else {
            limit_jobs.cancel();
            limit_progress.set(None);
            limit.set(None);
            return;
        };
        let ticket = limit_jobs.next();
        limit_progress.set(Some(0.0));
        let search = StoredValue::new_local(LimitSearch::new(&s, o));
        run_in_slices(
            limit_jobs,
            ticket,
            Box::new(move || match search.try_update_value(|x| x.step().cloned()) {
                Some(Some(answer)) => {
                    limit.set(Some(answer));
                    limit_progress.set(None);
                    true
                }
                Some(None) => false,
                None => true,
            }),
            Box::new(move || limit_progress.set(search.try_with_value(|x| x.progress()))),
        );
    });

    let target = RwSignal::new(String::new());
    // The answer with the design it was searched from and the design it proposes, read once.
    let cheapest = RwSignal::new(None::<(Scenario, Design, Option<Scenario>)>);
    let cheapest_progress = RwSignal::new(None::<f64>);
    let cheapest_error = RwSignal::new(None::<String>);
    let cheapest_jobs = Jobs::new();
    let target_users = move || {
        let raw = target.get();
        if raw.trim().is_empty() {
            return Ok(sim.scenario.with(|s| s.traffic.users));
        }
        match sim_core::decimal::parse(&raw.replace(',', "")) {
            Some(v) if v.is_finite() && (1.0..=CEILING as f64).contains(&v.round()) => Ok(v.round() as u64),
            _ => Err(format!("users: \"{raw}\" is not a number of users from 1 to {}", format::thousands(CEILING))),
        }
    };
    let find_cheapest = move |_| {
        let o = match objective.get_untracked() {
            Ok(o) => o,
            Err(e) => return cheapest_error.set(Some(e)),
        };
        let users = match untrack(target_users) {
            Ok(u) => u,
            Err(e) => return cheapest_error.set(Some(e)),
        };
        cheapest_error.set(None);
        let current = sim.scenario.get_untracked();
        let j = journey::journey(NAMES[pick.get_untracked().0]).unwrap_or_else(|| journey::journeys().remove(0));
        let ticket = cheapest_jobs.next();
        cheapest_progress.set(Some(0.0));
        let search = StoredValue::new_local(CheapestSearch::new(&current, &j, users, o));
        run_in_slices(
            cheapest_jobs,
            ticket,
            Box::new(move || match search.try_update_value(|x| x.step().cloned()) {
                Some(Some(answer)) => {
                    let proposed = answer.scenario.as_deref().and_then(|q| sim_core::query::parse_strict(q).ok());
                    cheapest.set(Some((current.clone(), answer, proposed)));
                    cheapest_progress.set(None);
                    true
                }
                Some(None) => false,
                None => true,
            }),
            Box::new(move || cheapest_progress.set(search.try_with_value(|x| x.progress()))),
        );
    };
    let apply_design = move |_| {
        let Some((_, d, Some(next))) = cheapest.get_untracked() else { return };
        if let Some(stage) = d.stage {
            pick.update(|p| p.1 = stage - 1);
        }
        sim.scenario.set(next);
    };
    // Whether the design shown is still about the page's design (or is the page's design, once applied).
    let stale = move || {
        cheapest.with(|c| {
            c.as_ref().is_some_and(|(from, _, proposed)| {
                sim.scenario.with(|now| {
                    // The load alone may move (the answer is for the users it names); anything else is a new design.
                    let mut traffic = now.traffic.clone();
                    traffic.users = from.traffic.users;
                    let same_design = now.arch == from.arch && traffic == from.traffic;
                    !same_design && proposed.as_ref() != Some(now)
                })
            })
        })
    };

    let limit_view = move || {
        limit.with(|l| {
            l.as_ref().map(|l| {
                let to = l.max_users;
                let fix = l.next_fix.as_ref().map(|f| f.fix);
                let can_move = to > 0 && !l.holds_beyond_ceiling;
                view! {
                    <p class="plan-headline" data-plan="limit" data-max-users=to.to_string()
                        data-breaks=l.breaks.as_ref().and_then(|b| b.row).map(|r| r.name()).unwrap_or("")>
                        {limit_headline(l)}
                    </p>
                    {monotone_note(l).map(|n| view! { <p class="plan-note">{n}</p> })}
                    {next_fix_words(l).map(|w| view! { <p class="plan-next">{w}</p> })}
                    <div class="plan-actions">
                        {can_move.then(|| view! {
                            <button type="button" data-plan="move-slider" on:click=move |_| sim.scenario.update(|s| s.traffic.users = to)>
                                {format!("Move the slider to {} users", format::thousands(to))}
                            </button>
                        })}
                        {fix.map(|fix| view! {
                            <button type="button" data-plan="apply-fix" on:click=move |_| sim.scenario.update(|s| *s = fix.apply(s))>
                                "Apply the next fix"
                            </button>
                        })}
                    </div>
                }
            })
        })
    };
    let design_view = move || {
        cheapest.with(|c| {
            c.as_ref().map(|(_, d, _)| {
                let found = d.scenario.is_some();
                let changes = d.changes.clone();
                view! {
                    <p class="plan-headline" data-plan="cheapest" data-cost=d.cost_usd_per_month.map(|c| format!("{c:.2}")).unwrap_or_default()>
                        {design_headline(d)}
                    </p>
                    {(!changes.is_empty()).then(|| view! {
                        <ul class="plan-changes">{changes.into_iter().map(|c| view! { <li>{c}</li> }).collect_view()}</ul>
                    })}
                    {found.then(|| view! {
                        <button type="button" class="primary" data-plan="apply-design" on:click=apply_design>"Apply this design"</button>
                    })}
                    <p class="plan-note">
                        {format!("Searched {} steady states from {} starting points: each stage of the journey and your design, sized by the table's fixes, then walked down one knob at a time while the bill falls and the objective holds (a local minimum, never dearer than the journey's own stage sized for this load).", d.evaluations, d.starting_points)}
                    </p>
                }
            })
        })
    };

    view! {
        <section class="panel plan" aria-labelledby="plan-heading">
            <h2 id="plan-heading">"Plan: how far does it hold?"</h2>
            <div class="plan-objective">
                <label for="plan-p99">"p99 within (ms)"</label>
                <input id="plan-p99" type="number" inputmode="decimal" min="1" max="600000" step="any"
                    prop:value=move || p99.get() on:change=move |ev| p99.set(event_target_value(&ev))/>
                <label for="plan-errors">"Errors at most (%)"</label>
                <input id="plan-errors" type="number" inputmode="decimal" min="0" max="100" step="any"
                    prop:value=move || errors.get() on:change=move |ev| errors.set(event_target_value(&ev))/>
            </div>
            {move || objective.get().err().map(|e| view! { <p class="plan-error" role="alert">{e}</p> })}
            <div aria-live="polite">
                {move || limit_progress.get().map(|p| view! { <p class="plan-progress" data-plan="limit-progress">{searching(p)}</p> })}
                {limit_view}
            </div>
            <h3>"Cheapest design for"</h3>
            <div class="plan-cheapest">
                <label for="plan-users" class="visually-hidden">"Number of users to find the cheapest design for"</label>
                <input id="plan-users" type="text" inputmode="numeric"
                    placeholder="same as the slider"
                    prop:value=move || target.get() on:change=move |ev| target.set(event_target_value(&ev))/>
                <span>"users"</span>
                <button type="button" data-plan="find-cheapest" on:click=find_cheapest>"Find it"</button>
            </div>
            {move || cheapest_error.get().map(|e| view! { <p class="plan-error" role="alert">{e}</p> })}
            <div aria-live="polite">
                {move || cheapest_progress.get().map(|p| view! {
                    <p class="plan-progress" data-plan="cheapest-progress">
                        <progress max="1" value=p></progress> {searching(p)}
                    </p>
                })}
                {move || stale().then(|| view! { <p class="plan-note">"Your design has changed since this search; search again for an answer about it."</p> })}
                {design_view}
            </div>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sim_core::plan::limit;

    #[test]
    fn the_objective_fields_name_what_is_wrong() {
        assert_eq!(objective_from("200", "1"), Ok(Objective { p99_ms: 200.0, max_error_rate: 0.01 }));
        assert!(objective_from("abc", "1").unwrap_err().starts_with("p99"));
        assert!(objective_from("0", "1").unwrap_err().starts_with("p99"));
        assert!(objective_from("200", "150").unwrap_err().starts_with("errors"));
        assert!(objective_from("200", "").unwrap_err().starts_with("errors"));
    }

    #[test]
    fn the_headline_names_the_load_the_cause_and_the_next_fix() {
        let s = sim_core::journey::stage_link("v=1&stage=1").unwrap();
        let l = limit::find(&s, Objective::default());
        let h = limit_headline(&l);
        assert!(h.starts_with(&format!("Holds up to {} users with p99 within 200 ms", format::thousands(l.max_users))), "{h}");
        assert!(h.contains("App server compute gives out (app CPU utilisation") && h.contains("p99 reaches"), "{h}");
        assert!(h.contains("at most 1 % of requests failing"), "{h}");
        let next = next_fix_words(&l).unwrap();
        assert!(next.starts_with("Next fix: Move to a bigger server") && next.contains("then it holds up to"), "{next}");
        assert!(monotone_note(&l).is_none());
    }
}
