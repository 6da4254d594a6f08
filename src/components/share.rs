//! Share and export: copy the link, an iframe snippet for lessons, the scenario as JSON (and back), the run's
//! results as JSON, the series as CSV. Importing validates with sim-core and keeps the current scenario when the
//! text is wrong.
//!
//! The scenario's JSON form is a flat object with the query string's keys (`sim_core::query::JsonValue`), read and
//! written by the browser's own `JSON`. The results are written by serde_json, as the CLI writes them, so the
//! download and `scalesim run --scenario LINK --json` are the same text to the byte.
use leptos::prelude::*;
use sim_core::query::{self, JsonValue};
use sim_core::report::Sample;
use sim_core::Scenario;
use wasm_bindgen::{JsCast, JsValue};

use crate::state::Sim;

/// The series as CSV, one row per point.
pub fn csv(series: &[Sample]) -> String {
    let mut out = String::from("t_s,offered_rps,served_rps,error_rps,error_rate,latency_mean_ms,latency_p50_ms,latency_p95_ms,latency_p99_ms,cache_hit_rate,cdn_hit_rate,replication_lag_ms,stale_read_rate,sessions_lost,instances,cost_usd_per_hour\n");
    for s in series {
        let l = &s.latency_ms;
        out.push_str(&format!(
            "{},{:.3},{:.3},{:.3},{:.5},{:.3},{:.3},{:.3},{:.3},{:.5},{:.5},{:.3},{:.6},{:.0},{},{:.4}\n",
            s.t_s,
            s.offered_rps,
            s.served_rps,
            s.error_rps,
            s.error_rate,
            l.mean,
            l.p50,
            l.p95,
            l.p99,
            s.cache_hit_rate,
            s.cdn_hit_rate,
            s.replication_lag_ms,
            s.stale_read_rate,
            s.sessions_lost,
            s.instances,
            s.cost_usd_per_hour
        ));
    }
    out
}

/// The scenario's JSON form as keys and values, in the query string's order.
pub fn export_pairs(s: &Scenario) -> Vec<(&'static str, JsonValue)> {
    query::to_pairs(s).into_iter().map(|(k, v)| (k, JsonValue::of(&v))).collect()
}

/// Checks the keys and values of an imported JSON object, naming the first field at fault.
pub fn import_pairs(pairs: &[(String, JsonValue)]) -> Result<Scenario, String> {
    query::from_json_pairs(pairs).map_err(|e| e.to_string())
}

/// The scenario as pretty-printed JSON text, written by the browser's `JSON.stringify`.
fn export(s: &Scenario) -> String {
    let object = js_sys::Object::new();
    for (key, value) in export_pairs(s) {
        let v = match value {
            JsonValue::Number(n) => JsValue::from_f64(n),
            JsonValue::Text(t) => JsValue::from_str(&t),
        };
        let _ = js_sys::Reflect::set(&object, &JsValue::from_str(key), &v);
    }
    js_sys::JSON::stringify_with_replacer_and_space(&object, &JsValue::NULL, &JsValue::from_f64(2.0)).map(String::from).unwrap_or_default()
}

/// Reads a scenario from JSON text (parsed by the browser's `JSON.parse`) and checks every field.
pub fn import(text: &str) -> Result<Scenario, String> {
    let value = js_sys::JSON::parse(text).map_err(|_| "not a scenario: the text is not JSON".to_owned())?;
    if !value.is_object() || js_sys::Array::is_array(&value) {
        return Err("not a scenario: expected a JSON object of keys and values".to_owned());
    }
    let mut pairs = Vec::new();
    for entry in js_sys::Object::entries(value.unchecked_ref()).iter() {
        let entry: js_sys::Array = entry.unchecked_into();
        let key = entry.get(0).as_string().unwrap_or_default();
        let v = entry.get(1);
        let value = if let Some(n) = v.as_f64() {
            JsonValue::Number(n)
        } else if let Some(t) = v.as_string() {
            JsonValue::Text(t)
        } else if let Some(b) = v.as_bool() {
            JsonValue::Text(if b { "1" } else { "0" }.to_owned())
        } else {
            return Err(format!("not a scenario: {key} must be a number or text"));
        };
        pairs.push((key, value));
    }
    import_pairs(&pairs)
}

/// The run's results as `scalesim run --json` prints them for the same link: the aggregate engine's whole run of
/// `s` and the table's live rows, pretty-printed by the same serializer.
pub fn results_json(s: &Scenario) -> String {
    serde_json::to_string_pretty(&sim_core::results::fluid(s)).unwrap_or_default()
}

/// The iframe snippet for the page at `href`, embedded compactly with the author's choices: `panels` shown (all of
/// them: no `panels=` key) and `locked` knobs. The address's own `embed`, `panels` and `lock` keys give way to
/// these; everything else (the scenario, the journey, the playback position, a challenge) is kept.
pub fn snippet_for(href: &str, panels: &[String], locked: &[String], knobs: &[String]) -> String {
    let (base, query) = href.split_once('?').unwrap_or((href, ""));
    let mut keys: Vec<String> = query
        .split('&')
        .filter(|kv| !kv.is_empty())
        .filter(|kv| !matches!(kv.split('=').next(), Some("embed" | "panels" | "lock" | "knobs")))
        .map(str::to_owned)
        .collect();
    keys.push("embed=1".to_owned());
    if panels.len() < crate::view::PANELS.len() {
        keys.push(format!("panels={}", panels.join(",")));
    }
    if !locked.is_empty() {
        keys.push(format!("lock={}", locked.join(",")));
    }
    if knobs.len() < crate::view::PANEL_KNOBS.len() {
        keys.push(format!("knobs={}", knobs.join(",")));
    }
    let src = format!("{base}?{}", keys.join("&")).replace('"', "%22");
    format!("<iframe src=\"{src}\" title=\"scalesim\" width=\"100%\" height=\"760\" loading=\"lazy\" style=\"border:0\"></iframe>")
}

/// A `data:` URL holding `text`.
fn data_url(mime: &str, text: &str) -> String {
    format!("data:{mime};charset=utf-8,{}", String::from(js_sys::encode_uri_component(text)))
}

/// The share panel.
#[component]
pub fn Share() -> impl IntoView {
    let sim = expect_context::<Sim>();
    let copied = RwSignal::new(String::new());
    // The address as last written: the snippet follows every change once the address bar has.
    let address = use_context::<crate::state::Address>();
    let link = move || address.map_or_else(|| window().location().href().unwrap_or_default(), |a| a.0.get());
    // The author's choices for the lesson's frame: the panels it shows and the knobs it locks, starting from what
    // this page shows and locks.
    let view = expect_context::<crate::view::View>();
    let panels = RwSignal::new(crate::view::PANELS.iter().filter(|p| view.shows(p)).map(|p| (*p).to_owned()).collect::<Vec<_>>());
    let locked = RwSignal::new(view.lock_keys.clone());
    let knobs = RwSignal::new(crate::view::PANEL_KNOBS.iter().filter(|k| view.shows_knob(k)).map(|k| (*k).to_owned()).collect::<Vec<_>>());
    let snippet = move || panels.with(|p| locked.with(|l| knobs.with(|k| snippet_for(&link(), p, l, k))));
    let toggle = move |list: RwSignal<Vec<String>>, order: &'static [&'static str], id: &'static str, on: bool| {
        list.update(|l| {
            l.retain(|x| x != id);
            if on {
                l.push(id.to_owned());
                // Kept in the page's own order, so the snippet does not depend on the order of clicks.
                l.sort_by_key(|x| order.iter().position(|o| o == x));
            }
        })
    };
    // One checkbox per id of `order`, ticked while `list` holds it.
    let boxes = move |list: RwSignal<Vec<String>>, order: &'static [&'static str]| {
        order
            .iter()
            .map(|&id| {
                view! {
                    <label class="check">
                        <input type="checkbox" prop:checked=move || list.with(|l| l.iter().any(|x| x == id))
                            on:change=move |ev| toggle(list, order, id, event_target_checked(&ev))/>
                        {id}
                    </label>
                }
            })
            .collect_view()
    };
    let embed_open = RwSignal::new(false);
    let copy = move |_| {
        let href = link();
        let clipboard = js_sys::Reflect::get(&window().navigator(), &"clipboard".into()).ok().filter(|c| !c.is_undefined());
        let done = clipboard
            .and_then(|c| {
                let write = js_sys::Reflect::get(&c, &"writeText".into()).ok()?;
                let f: js_sys::Function = wasm_bindgen::JsCast::dyn_into(write).ok()?;
                f.call1(&c, &href.clone().into()).ok()
            })
            .is_some();
        copied.set(if done { "Link copied.".to_owned() } else { format!("Copy this link: {href}") });
    };
    // The downloads are written when the pointer or focus reaches the link (and again on click), not on every
    // change: the CSV of a day's series is thousands of formatted numbers.
    let fill = move |ev: leptos::ev::Event, href: String| {
        if let Some(a) = ev.current_target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()) {
            let _ = a.set_attribute("href", &href);
        }
    };
    let json = move |ev: leptos::ev::Event| fill(ev, data_url("application/json", &sim.scenario.with_untracked(export)));
    // A whole run: written only when the link is focused or clicked, not when the pointer passes over it.
    let results = move |ev: leptos::ev::Event| fill(ev, data_url("application/json", &sim.scenario.with_untracked(results_json)));
    let csv_href = move |ev: leptos::ev::Event| fill(ev, data_url("text/csv", &sim.series.with_untracked(|s| csv(s))));
    let pasted = RwSignal::new(String::new());
    let import_status = RwSignal::new(String::new());
    let do_import = move |_| match import(&pasted.get_untracked()) {
        Ok(s) => {
            sim.scenario.set(s);
            import_status.set("Scenario imported.".to_owned());
        }
        Err(e) => import_status.set(format!("Not imported ({e}); the current scenario is kept.")),
    };
    view! {
        <section class="panel share" aria-labelledby="share-heading">
            <h2 id="share-heading">"Share and export"</h2>
            <div class="buttons">
                <button type="button" on:click=copy>"Copy link"</button>
                <a class="button" href="#" download="scalesim-scenario.json" on:pointerenter=move |ev| json(ev.into()) on:focus=move |ev| json(ev.into()) on:click=move |ev| json(ev.into())>
                    "Scenario (JSON)"
                </a>
                <a class="button" href="#" download="scalesim-series.csv" on:pointerenter=move |ev| csv_href(ev.into()) on:focus=move |ev| csv_href(ev.into()) on:click=move |ev| csv_href(ev.into())>
                    "Series (CSV)"
                </a>
                <a class="button" href="#" download="scalesim-results.json" on:focus=move |ev| results(ev.into()) on:click=move |ev| results(ev.into())>
                    "Results (JSON)"
                </a>
            </div>
            <p class="hint" aria-live="polite">{move || copied.get()}</p>
            <details on:toggle=move |ev| embed_open.set(event_target::<web_sys::HtmlDetailsElement>(&ev).open())>
                <summary>"Embed in a lesson"</summary>
                // Built while unfolded only: fifty checkboxes named after knobs and panels would otherwise share
                // their names with the knobs and panels themselves.
                {move || embed_open.get().then(|| view! {
                    <fieldset class="embed-choices">
                        <legend>"Panels the lesson shows"</legend>
                        {boxes(panels, &crate::view::PANELS)}
                    </fieldset>
                    <fieldset class="embed-choices">
                        <legend>"Knobs the knobs panel shows"</legend>
                        {boxes(knobs, crate::view::PANEL_KNOBS)}
                    </fieldset>
                    <fieldset class="embed-choices">
                        <legend>"Knobs the learner cannot change"</legend>
                        {boxes(locked, &crate::view::LOCKABLE)}
                    </fieldset>
                })}
                <label for="embed-snippet">"iframe snippet"</label>
                <textarea id="embed-snippet" readonly rows="4" prop:value=snippet></textarea>
            </details>
            <details>
                <summary>"Import a scenario"</summary>
                <label for="import-json">"Scenario JSON"</label>
                <textarea id="import-json" rows="5" on:input=move |ev| pasted.set(event_target_value(&ev))></textarea>
                <button type="button" on:click=do_import>"Import"</button>
                <p class="hint" aria-live="polite" id="import-status">{move || import_status.get()}</p>
            </details>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_snippet_carries_the_authors_panels_and_locks_in_place_of_the_pages() {
        let href = "https://x.example/lessons/?v=1&stage=4&users=20000&embed=1&panels=diagram&lock=users&journey=scalesim&step=4";
        let all: Vec<String> = crate::view::PANELS.iter().map(|p| (*p).to_owned()).collect();
        let knobs: Vec<String> = crate::view::PANEL_KNOBS.iter().map(|k| (*k).to_owned()).collect();
        let s = snippet_for(href, &all, &[], &knobs);
        assert!(s.contains("src=\"https://x.example/lessons/?v=1&stage=4&users=20000&journey=scalesim&step=4&embed=1\""), "{s}");
        let s = snippet_for(href, &["diagram".into(), "table".into()], &["ttl".into(), "replicas".into()], &["ttl".into()]);
        assert!(s.contains("&embed=1&panels=diagram,table&lock=ttl,replicas&knobs=ttl\""), "{s}");
        assert_eq!(s.matches("embed=").count(), 1);
        // A quote in the address cannot end the attribute.
        assert!(!snippet_for("https://x.example/?a=\"><script>", &all, &[], &knobs).contains("\"><script>"));
    }

    #[test]
    fn json_export_then_import_gives_the_same_scenario() {
        let s = Scenario::stage(6).with_users(12_345);
        let pairs: Vec<(String, JsonValue)> = export_pairs(&s).into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
        assert!(pairs.contains(&("users".to_owned(), JsonValue::Number(12_345.0))));
        assert_eq!(import_pairs(&pairs).unwrap(), s);
    }

    #[test]
    fn import_names_the_field_at_fault() {
        let mut pairs: Vec<(String, JsonValue)> = export_pairs(&Scenario::stage(2)).into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
        pairs.push(("replicas".to_owned(), JsonValue::Number(99.0)));
        let err = import_pairs(&pairs).unwrap_err();
        assert!(err.contains("replicas"), "{err}");
        let err = import_pairs(&[("broken".to_owned(), JsonValue::Text("1".into()))]).unwrap_err();
        assert!(err.contains("v ="), "{err}");
    }

    #[test]
    fn csv_has_a_row_per_point() {
        let sample = sim_core::fluid::steady_state(&Scenario::stage(1)).series[0].clone();
        let text = csv(&[sample.clone(), sample]);
        assert_eq!(text.lines().count(), 3);
        assert!(text.lines().nth(1).unwrap().split(',').count() == 16);
    }
}
