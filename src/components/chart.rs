//! One chart: a canvas painted from a [`ChartSpec`] whenever the spec changes, a legend, and a data table as
//! its text alternative.
use leptos::html::Canvas;
use leptos::prelude::*;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

use crate::charts::{self, ChartSpec, Mark, Plot};
use crate::hooks::use_visible;

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
    /// The scheduled faults and what they set off, marked on the time axis.
    #[prop(into)]
    marks: Signal<Vec<Mark>>,
    /// Simulated seconds the time axis spans (the whole run, so the lines grow into it as it is simulated).
    #[prop(into)]
    span: Signal<(f64, f64)>,
    /// The playback cursor, in simulated seconds.
    #[prop(into)]
    cursor: Signal<f64>,
) -> impl IntoView {
    let canvas = NodeRef::<Canvas>::new();
    // Canvas size in CSS pixels and the device-pixel ratio: measured when the canvas mounts and when the window is
    // resized (zooming the page changes the ratio and resizes the window).
    let size = RwSignal::new((0u32, 0u32, 1.0f64));
    let measure = move || {
        if let Some(c) = canvas.get_untracked() {
            let now = (c.client_width().max(0) as u32, c.client_height().max(0) as u32, window().device_pixel_ratio());
            if size.get_untracked() != now {
                size.set(now);
            }
        }
    };
    // Charts off screen are not redrawn; they catch up when they scroll into view.
    let visible = use_visible(canvas);
    canvas.on_load(move |_| measure());
    let resize = window_event_listener(leptos::ev::resize, move |_| measure());
    on_cleanup(move || resize.remove());
    // A window moved to a screen of another density changes the ratio without resizing: a media query on the
    // current ratio tells when it stops matching, and is replaced by one on the new ratio.
    let dpr = Memo::new(move |_| size.get().2);
    let watch = StoredValue::new_local(None::<(web_sys::MediaQueryList, Closure<dyn FnMut()>)>);
    let unwatch = move || {
        watch.update_value(|w| {
            if let Some((query, _)) = w.take() {
                query.set_onchange(None);
            }
        })
    };
    Effect::new(move |_| {
        let Ok(Some(query)) = window().match_media(&format!("(resolution: {}dppx)", dpr.get())) else { return };
        let on_change = Closure::<dyn FnMut()>::new(measure);
        query.set_onchange(Some(on_change.as_ref().unchecked_ref()));
        unwatch();
        watch.set_value(Some((query, on_change)));
    });
    on_cleanup(unwatch);
    // Where the last drawing put its plot: the cursor is laid over it, so moving the cursor redraws nothing.
    let plot = RwSignal::new(None::<Plot>);
    // The data table is built only while it is open.
    let open = RwSignal::new(false);
    Effect::new(move |_| {
        if !visible.get() {
            return;
        }
        let (w, h, dpr) = size.get();
        let Some(c) = canvas.get().filter(|_| w > 0) else { return };
        let drawn = spec.with(|s| marks.with(|m| charts::draw(c, s, m, span.get(), prefers_dark(), w, h, dpr)));
        match drawn {
            Ok(p) if plot.get_untracked() != Some(p) => plot.set(Some(p)),
            Ok(_) => {}
            Err(e) => leptos::logging::warn!("chart {id}: {e}"),
        }
    });
    let cursor_x = Memo::new(move |_| plot.get().and_then(|p| p.x_at(cursor.get()).map(|x| (x, p.top, p.bottom - p.top))));
    // In exact mode the lines are the request-level engine's: the caption and the accessible name say so.
    let exact = use_context::<crate::exact::Exact>().map(|e| e.on);
    let exact_on = move || exact.is_some_and(|on| on.get());
    let label = move || {
        let text = spec.with(|s| marks.with(|m| charts::describe(s, span.get(), m)));
        if exact_on() {
            format!("Exact engine. {text}")
        } else {
            text
        }
    };
    view! {
        <figure class="panel chart" id=id>
            <figcaption>
                {move || {
                    let title = spec.with(|s| s.title);
                    if exact_on() { format!("{title} · exact engine") } else { title.to_owned() }
                }}
            </figcaption>
            <div class="plot">
                <canvas node_ref=canvas role="img" aria-label=label></canvas>
                // The playback cursor: a line over the canvas, moved through the CSSOM (no style attribute).
                <div
                    class="cursor"
                    aria-hidden="true"
                    class:off=move || cursor_x.get().is_none()
                    style:transform=move || cursor_x.get().map(|c| format!("translate({:.1}px,{:.1}px)", c.0, c.1))
                    style:height=move || cursor_x.get().map(|c| format!("{:.1}px", c.2))
                ></div>
            </div>
            <ul class="legend">
                {move || {
                    spec.with(|s| {
                        s.lines
                            .iter()
                            .map(|l| {
                                // Set through the CSSOM (not a style attribute), which a strict style-src allows.
                                let swatch = format!("rgb({},{},{})", l.color.0, l.color.1, l.color.2);
                                let class = if l.dashed { "dashed" } else { "" };
                                view! { <li class=class style:--swatch=swatch>{l.label.clone()}</li> }
                            })
                            .collect_view()
                    })
                }}
                // What the vertical marks are: the cursor always, faults and their consequences when there are any.
                <li class="key">"playback position"</li>
                {move || {
                    let (faults, events) = marks.with(|m| (m.iter().any(|m| m.fault), m.iter().any(|m| !m.fault)));
                    (
                        faults.then(|| view! { <li class="key key-fault">"fault"</li> }),
                        events.then(|| view! { <li class="key key-event">"what it set off"</li> }),
                    )
                }}
            </ul>
            <a
                class="button png"
                href="#"
                download=move || format!("scalesim-{id}.png")
                aria-label=move || format!("Download the {} chart as PNG", spec.with(|s| s.title))
                on:click=move |ev| {
                    // Fill the link with the canvas's current picture just before the download starts.
                    if let (Some(c), Some(a)) = (canvas.get_untracked(), ev.current_target()) {
                        if let (Ok(url), Ok(a)) = (c.to_data_url(), wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(a)) {
                            let _ = a.set_attribute("href", &url);
                        }
                    }
                }
            >
                "PNG"
            </a>
            <details on:toggle=move |ev| {
                if let Some(d) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlDetailsElement>().ok()) {
                    open.set(d.open());
                }
            }>
                <summary>"Data table"</summary>
                <Show when=move || open.get()>
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
                </Show>
            </details>
        </figure>
    }
}
