//! One chart: a canvas painted from a [`ChartSpec`] whenever the spec changes, a legend, and a data table as
//! its text alternative.
use leptos::html::Canvas;
use leptos::prelude::*;

use crate::charts::{self, ChartSpec};

/// Whether the system prefers a dark theme.
pub fn prefers_dark() -> bool {
    window().match_media("(prefers-color-scheme: dark)").ok().flatten().is_some_and(|m| m.matches())
}

/// A chart panel.
#[component]
pub fn Chart(
    /// Element id prefix.
    id: &'static str,
    /// What to draw.
    spec: Memo<ChartSpec>,
) -> impl IntoView {
    let canvas = NodeRef::<Canvas>::new();
    Effect::new(move |_| {
        let s = spec.get();
        if let Some(c) = canvas.get() {
            if let Err(e) = charts::draw(c, &s, prefers_dark()) {
                leptos::logging::warn!("chart {id}: {e}");
            }
        }
    });
    let summary = move || {
        spec.with(|s| {
            s.lines
                .iter()
                .filter(|l| !l.dashed)
                .filter_map(|l| l.points.last().map(|p| format!("{} {}", l.label, s.unit.fmt(p.1))))
                .collect::<Vec<_>>()
                .join(", ")
        })
    };
    view! {
        <figure class="panel chart" id=id>
            <figcaption>{move || spec.with(|s| s.title)}</figcaption>
            <canvas node_ref=canvas role="img" aria-label=move || format!("{}: latest {}", spec.with(|s| s.title), summary())></canvas>
            <ul class="legend">
                {move || {
                    spec.with(|s| {
                        s.lines
                            .iter()
                            .map(|l| {
                                let style = format!("--swatch: rgb({},{},{})", l.color.0, l.color.1, l.color.2);
                                let class = if l.dashed { "dashed" } else { "" };
                                view! { <li class=class style=style>{l.label.clone()}</li> }
                            })
                            .collect_view()
                    })
                }}
            </ul>
            <details>
                <summary>"Data table"</summary>
                <table>
                    <thead>
                        <tr>
                            <th scope="col">"Time"</th>
                            {move || spec.with(|s| s.lines.iter().map(|l| view! { <th scope="col">{l.label.clone()}</th> }).collect_view())}
                        </tr>
                    </thead>
                    <tbody>
                        {move || {
                            spec.with(|s| {
                                charts::table(s, 12)
                                    .into_iter()
                                    .map(|(t, values)| {
                                        view! {
                                            <tr>
                                                <th scope="row">{charts::fmt_time(t)}</th>
                                                {values.into_iter().map(|v| view! { <td>{v}</td> }).collect_view()}
                                            </tr>
                                        }
                                    })
                                    .collect_view()
                            })
                        }}
                    </tbody>
                </table>
            </details>
        </figure>
    }
}
