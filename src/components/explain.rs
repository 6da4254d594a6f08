//! "Why this number": a disclosure button beside a figure that opens sim-core's [`Explanation`] of it in place,
//! below the figure: the formula in symbols, the same formula with this run's values, each input in words, and
//! a link to the glossary. The explanation is worked out only while it is open.
use leptos::prelude::*;
use sim_core::explain::{Explanation, Unit};

use crate::format;

/// A value in its unit, written the way the page writes the figure it explains.
pub fn show(v: f64, unit: Unit) -> String {
    match unit {
        Unit::Rps => format::rps(v),
        Unit::Share => format::pct(v),
        Unit::Ms => format::ms(v),
        Unit::Seconds => format::ms(v * 1e3),
        Unit::Usd => format::usd(v),
        Unit::UsdPerHour => format!("{}/h", format::usd(v)),
        Unit::Count => format::count(v),
        Unit::Times => format!("{v:.1}×"),
        Unit::Number => format::trim(v),
        Unit::Gb => format!("{} GB", format::count(v)),
        Unit::Hours => format!("{} h", format::count(v)),
    }
}

/// An input's value: as [`show`], with two significant figures where that would round a small value to zero
/// (an Erlang C of 0.04 %, a Redis call of 0.05 ms), so the plugged-in formula never reads "0.0 ÷ …".
pub fn show_input(v: f64, unit: Unit) -> String {
    match unit {
        Unit::Share if v > 0.0 && v < 0.001 => format!("{} %", significant(v * 100.0)),
        Unit::Ms if v > 0.0 && v < 0.1 => format!("{} ms", significant(v)),
        Unit::Seconds if v > 0.0 && v < 1e-4 => format!("{} ms", significant(v * 1e3)),
        Unit::Rps if v > 0.0 && v < 0.1 => format!("{} req/s", significant(v)),
        _ => show(v, unit),
    }
}

/// A small positive number to two significant figures: 0.042, 0.0031.
fn significant(v: f64) -> String {
    let decimals = (1.0 - v.log10().floor()).clamp(1.0, 12.0) as usize;
    format!("{v:.decimals$}")
}

/// One explanation: formula, plugged-in values, inputs, note, glossary link; `top` marks the figure's own (its
/// result carries `data-why-result`), as against a derivation of one of its inputs.
fn body(mut e: Explanation, top: bool) -> AnyView {
    let result = show(e.result, e.unit);
    let plugged = e.plugged(show_input);
    let symbolic = e.symbolic();
    let differs = (!e.agrees()).then(|| {
        view! {
            <p class="why-differs">
                {format!("The engine reports {} at this moment: the formula gives the steady value, and the live figure has not reached it.", show(e.shown, e.unit))}
            </p>
        }
    });
    let term = sim_core::glossary::term(e.glossary);
    let link = term.map(|t| {
        let id = t.id;
        view! {
            <p class="why-term">
                "Term: " <a href=format!("#term-{id}") on:click=move |ev| crate::components::glossary::jump(&ev, id)>{t.term}</a>
            </p>
        }
    });
    let steps = e
        .steps
        .iter()
        .map(|s| {
            let value = show_input(s.value, s.unit);
            view! {
                <div class="why-step">
                    <dt>{s.symbol}</dt>
                    <dd>{format!("{}: ", s.meaning)}<span class="why-value">{value}</span></dd>
                </div>
            }
        })
        .collect_view();
    let more = if top {
        std::mem::take(&mut e.more).into_iter().map(|m| view! { <div class="why-more">{body(m, false)}</div> }).collect_view().into_any()
    } else {
        ().into_any()
    };
    let title = e.title;
    view! {
        <p class="why-title">{title}</p>
        <p class="why-formula"><span class="visually-hidden">"Formula: "</span><span class="why-symbols">{symbolic}</span></p>
        <p class="why-plugged">
            <span class="visually-hidden">"With this run's values: "</span>
            <span class="why-numbers">{format!("{} = {plugged}", e.symbol)}</span>
            " = "
            {if top { view! { <strong data-why-result="">{result}</strong> }.into_any() } else { view! { <strong>{result}</strong> }.into_any() }}
        </p>
        <dl class="why-steps">{steps}</dl>
        {e.note.map(|n| view! { <p class="why-note">{n}</p> })}
        {differs}
        {link}
        {more}
    }
    .into_any()
}

/// A "Why?" button for the figure called `label`, opening `explain`'s explanation below it. `key` makes the
/// panel's id unique on the page.
#[component]
pub fn Why(
    /// Unique key for the panel's id (`why-<key>`).
    key: String,
    /// The figure's name, read after "Why?" by screen readers.
    label: String,
    /// Works the explanation out (called only while open, and again when what it reads changes).
    explain: Callback<(), Explanation>,
    /// Whether the panel is open (owned by the caller, so it survives the caller's redraws).
    open: RwSignal<bool>,
) -> impl IntoView {
    let panel = format!("why-{key}");
    let region = format!("Why: {label}");
    view! {
        <button
            type="button"
            class="why"
            aria-expanded=move || if open.get() { "true" } else { "false" }
            aria-controls=panel.clone()
            on:click=move |_| open.update(|o| *o = !*o)
        >
            "Why?"
            <span class="visually-hidden">{format!(" {label}")}</span>
        </button>
        // A labelled region only while open: closed, it is an empty hidden box that names nothing.
        <div
            id=panel
            class="why-panel"
            role=move || open.get().then_some("region")
            aria-label=move || open.get().then(|| region.clone())
            hidden=move || !open.get()
        >
            {move || open.get().then(|| body(explain.run(()), true))}
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_inputs_keep_two_significant_figures_and_results_read_as_the_figures_do() {
        assert_eq!(show_input(0.000_42, Unit::Share), "0.042 %");
        assert_eq!(show_input(0.031, Unit::Ms), "0.031 ms");
        assert_eq!(show_input(0.5, Unit::Share), "50 %");
        assert_eq!(show(0.000_42, Unit::Share), format::pct(0.000_42));
        assert_eq!(show(1_234.0, Unit::UsdPerHour), "$1,234/h");
        assert_eq!(show(0.25, Unit::Seconds), "250 ms");
    }
}
