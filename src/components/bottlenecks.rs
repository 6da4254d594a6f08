//! The symptom → bottleneck → metric → fix table: every row, the live ones highlighted with their value and
//! threshold, each fix a button that applies it. A polite live region announces the bottleneck when it changes.
use leptos::prelude::*;
use sim_core::diagnose::{first_fix, Row};

use crate::state::Sim;

/// A metric value in the unit its row uses.
pub fn show_value(row: &Row, v: f64) -> String {
    match row.id {
        "distance" | "replication-lag" => crate::format::ms(v),
        "sessions" => crate::format::count(v),
        _ => crate::format::pct(v),
    }
}

/// What the live region says for these rows.
pub fn announcement(rows: &[Row]) -> String {
    match first_fix(rows).or_else(|| rows.iter().find(|r| r.live)) {
        Some(r) => format!(
            "Bottleneck: {} — {} is {} (threshold {}).",
            r.component,
            r.metric.to_lowercase(),
            show_value(r, r.value),
            show_value(r, r.threshold)
        ),
        None => "No bottleneck at this load.".to_owned(),
    }
}

/// The table.
#[component]
pub fn Bottlenecks() -> impl IntoView {
    let sim = expect_context::<Sim>();
    let said = Memo::new(move |_| sim.rows.with(|r| announcement(r)));
    view! {
        <section class="panel bottlenecks" aria-labelledby="table-heading">
            <h2 id="table-heading">"Symptom → bottleneck → fix"</h2>
            <p id="bottleneck-status" class="status" aria-live="polite">{move || said.get()}</p>
            <div class="table-scroll">
                <table>
                    <thead>
                        <tr>
                            <th scope="col">"Symptom"</th>
                            <th scope="col">"Bottleneck"</th>
                            <th scope="col">"Metric"</th>
                            <th scope="col">"Now / threshold"</th>
                            <th scope="col">"Fix"</th>
                        </tr>
                    </thead>
                    <tbody>
                        {move || {
                            sim.rows
                                .get()
                                .into_iter()
                                .map(|row| {
                                    let live = row.live;
                                    let fix = row.fix;
                                    let value = format!("{} / {}", show_value(&row, row.value), show_value(&row, row.threshold));
                                    view! {
                                        <tr class:live=live data-row=row.id>
                                            <td>
                                                {live.then(|| view! { <strong class="badge">"LIVE"</strong> })}
                                                {row.symptom}
                                            </td>
                                            <td>{row.component}</td>
                                            <td>{row.metric}</td>
                                            <td class="num">{value}</td>
                                            <td>
                                                {match fix {
                                                    Some(fix) => {
                                                        let label = fix.label();
                                                        view! {
                                                            <button
                                                                type="button"
                                                                class:primary=live
                                                                on:click=move |_| sim.scenario.update(|s| *s = fix.apply(s))
                                                            >
                                                                {label}
                                                            </button>
                                                        }
                                                            .into_any()
                                                    }
                                                    None => view! { <span class="remedy">{row.remedy}</span> }.into_any(),
                                                }}
                                            </td>
                                        </tr>
                                    }
                                })
                                .collect_view()
                        }}
                    </tbody>
                </table>
            </div>
        </section>
    }
}
