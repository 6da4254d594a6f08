//! "Follow one request": in exact mode, the learner picks a traced request — the slowest of the second at the
//! playback cursor, a failed one, any one — and sees its waterfall (one bar per hop: network, queue wait and
//! service in three shades, times in ms), its hops as a list for screen readers, and its path marked on the
//! diagram. The rows come from the pure `charts::waterfall`.
use leptos::prelude::*;

use crate::charts::waterfall::{self, Pick, Row};
use crate::exact::Exact;
use crate::state::Sim;

/// The waterfall's proportions: its width, the column of hop names left of the bars, a row's height, and whether
/// each name sits above its bar (on a phone the bars take the whole width) rather than beside it.
#[derive(Clone, Copy)]
struct Geometry {
    width: f64,
    label_w: f64,
    row_h: f64,
    stacked: bool,
}

const WIDE: Geometry = Geometry { width: 640.0, label_w: 190.0, row_h: 22.0, stacked: false };
const PHONE: Geometry = Geometry { width: 340.0, label_w: 6.0, row_h: 36.0, stacked: true };
/// Height of the axis under the rows.
const AXIS_H: f64 = 30.0;

/// The panel: shown in exact mode.
#[component]
pub fn TracePanel() -> impl IntoView {
    let exact = expect_context::<Exact>();
    let sim = expect_context::<Sim>();
    let draws = StoredValue::new(0u32);
    let missing = RwSignal::new(None::<&'static str>);
    let choose = move |p: Pick| {
        let cursor = sim.cursor.get_untracked();
        let found = exact.traces.with_untracked(|ts| waterfall::pick(ts, p, cursor).map(|i| ts[i].clone()));
        missing.set(found.is_none().then_some(match p {
            Pick::Failed => "No traced request has failed in this run.",
            _ => "No request traced yet: the exact run is still starting.",
        }));
        exact.followed.set(found);
    };
    let count = move || exact.traces.with(Vec::len);
    let narrow = crate::hooks::use_narrow();
    view! {
        <Show when=move || exact.on.get()>
            <section class="panel trace" aria-labelledby="trace-heading">
                <h2 id="trace-heading">"Follow one request"</h2>
                <p class="hint">
                    {move || format!(
                        "{} requests traced so far, up to {} per simulated second, the failed and the slowest first.",
                        crate::format::count(count() as f64),
                        crate::exact::protocol::TRACES_PER_S
                    )}
                </p>
                <div class="trace-picks" role="group" aria-label="Pick a request to follow">
                    <button type="button" on:click=move |_| choose(Pick::Slowest)>"Slowest at the cursor"</button>
                    <button type="button" on:click=move |_| choose(Pick::Failed)>"A failed one"</button>
                    <button type="button" on:click=move |_| {
                        let n = draws.get_value();
                        draws.set_value(n.wrapping_add(1));
                        choose(Pick::Random(n));
                    }>"Any one"</button>
                </div>
                {move || missing.get().map(|m| view! { <p role="status">{m}</p> })}
                {move || exact.followed.get().map(|t| waterfall_view(&t, if narrow.get() { PHONE } else { WIDE }))}
            </section>
        </Show>
    }
}

/// The waterfall of one trace: the picture, its one-line summary and its hops as a list.
fn waterfall_view(trace: &sim_core::des::trace::Trace, g: Geometry) -> impl IntoView {
    let rows = waterfall::rows(trace);
    let axis = waterfall::axis(&rows);
    let summary = waterfall::summary(trace);
    let plot_w = g.width - g.label_w - 12.0;
    let x = move |ms: f64| g.label_w + ms / axis.max.max(1e-9) * plot_w;
    let height = rows.len() as f64 * g.row_h + AXIS_H;
    let bars = rows.iter().enumerate().map(|(i, r)| bar_view(r, i as f64 * g.row_h, &x, g)).collect_view();
    let ticks = axis
        .ticks
        .iter()
        .zip(&axis.labels)
        .map(|(&t, label)| {
            let tx = x(t);
            let y = rows.len() as f64 * g.row_h;
            view! {
                <line class="tick" x1=tx y1="0" x2=tx y2=y + 4.0></line>
                <text class="tick-label" x=tx y=y + 16.0 text-anchor="middle">{label.clone()}</text>
            }
        })
        .collect_view();
    let items = rows.iter().map(|r| view! { <li class:failed=r.failed>{waterfall::describe(r)}</li> }).collect_view();
    let list_name = format!("Hops of request #{}", trace.id);
    view! {
        <div class="waterfall" class:failed=!trace.ok>
            <p class="trace-summary" id="trace-summary">{summary}</p>
            <div class="svg-scroll">
            <svg viewBox=format!("0 0 {} {height}", g.width) role="img" aria-labelledby="trace-summary" class="waterfall-plot" class:stacked=g.stacked>
                {ticks}
                {bars}
                {if g.stacked {
                    view! { <text class="axis-title" x=g.width - 4.0 y=height - 2.0 text-anchor="end">"ms from its start"</text> }
                } else {
                    view! { <text class="axis-title" x=g.label_w - 8.0 y=height - AXIS_H + 16.0 text-anchor="end">"ms from its start"</text> }
                }}
            </svg>
            </div>
            <ul class="legend">
                <li class="part-net">"network"</li>
                <li class="part-wait">"queue wait"</li>
                <li class="part-service">"service"</li>
            </ul>
            <ol class="hops" aria-label=list_name>{items}</ol>
        </div>
    }
}

/// One row: the hop's name, then its three parts as adjacent rectangles, and its outcome after the bar.
fn bar_view(r: &Row, y: f64, x: &impl Fn(f64) -> f64, g: Geometry) -> impl IntoView {
    let indent = if r.depth > 0 { 14.0 } else { 0.0 };
    let parts = [("part-net", r.net_ms), ("part-wait", r.wait_ms), ("part-service", r.service_ms)];
    let mut at = r.at_ms;
    let rects = parts
        .into_iter()
        .filter(|p| p.1 > 0.0)
        .map(|(class, ms)| {
            let (x0, x1) = (x(at), x(at + ms));
            at += ms;
            let (top, h) = if g.stacked { (y + 17.0, 13.0) } else { (y + 4.0, g.row_h - 8.0) };
            view! { <rect class=class x=x0 y=top width=(x1 - x0).max(1.0) height=h></rect> }
        })
        .collect_view();
    let end = x(r.end_ms());
    // Beside the bars, the outcome goes after the bar, or before it when the bar reaches the right edge; above
    // them (a phone), at the end of the name's line.
    let (ox, oy, anchor) = if g.stacked {
        (g.width - 4.0, y + 12.0, "end")
    } else if end + 90.0 < g.width {
        (end + 4.0, y + g.row_h - 7.0, "start")
    } else {
        (x(r.at_ms) - 4.0, y + g.row_h - 7.0, "end")
    };
    let label_y = if g.stacked { y + 12.0 } else { y + g.row_h - 7.0 };
    view! {
        <g class="hop" class:failed=r.failed>
            <text class="hop-label" x=4.0 + indent y=label_y>{r.label.clone()}</text>
            {rects}
            <text class="outcome" x=ox y=oy text-anchor=anchor>{r.outcome}</text>
        </g>
    }
}
