//! Share and export: copy the link, an iframe snippet for lessons, the scenario as JSON (and back), the series as
//! CSV. Importing validates with sim-core and keeps the current scenario when the text is wrong.
use leptos::prelude::*;
use sim_core::report::Sample;
use sim_core::Scenario;

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

/// Reads a scenario from JSON and checks every field, naming the first one at fault.
pub fn import(text: &str) -> Result<Scenario, String> {
    let s: Scenario = serde_json::from_str(text).map_err(|e| format!("not a scenario: {e}"))?;
    sim_core::query::validate(&s).map_err(|e| e.to_string())?;
    Ok(s)
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
    let link = move || window().location().href().unwrap_or_default();
    let snippet = move || {
        let _ = sim.scenario.get();
        let href = link();
        let sep = if href.contains('?') { "&" } else { "?" };
        let src = if href.contains("embed=1") { href } else { format!("{href}{sep}embed=1") };
        format!("<iframe src=\"{src}\" title=\"scalesim\" width=\"100%\" height=\"760\" loading=\"lazy\" style=\"border:0\"></iframe>")
    };
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
    let json = move || data_url("application/json", &sim.scenario.with(|s| serde_json::to_string_pretty(s).unwrap_or_default()));
    let csv_href = move || data_url("text/csv", &sim.series.with(|s| csv(s)));
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
                <a class="button" href=json download="scalesim-scenario.json">"Scenario (JSON)"</a>
                <a class="button" href=csv_href download="scalesim-series.csv">"Series (CSV)"</a>
            </div>
            <p class="hint" aria-live="polite">{move || copied.get()}</p>
            <details>
                <summary>"Embed in a lesson"</summary>
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
    fn json_export_then_import_gives_the_same_scenario() {
        let s = Scenario::stage(6).with_users(12_345);
        let text = serde_json::to_string_pretty(&s).unwrap();
        assert_eq!(import(&text).unwrap(), s);
    }

    #[test]
    fn import_names_the_field_at_fault() {
        let mut s = Scenario::stage(2);
        s.arch.replicas = 99;
        let err = import(&serde_json::to_string(&s).unwrap()).unwrap_err();
        assert!(err.contains("replicas"), "{err}");
        assert!(import("{nope").unwrap_err().starts_with("not a scenario"));
    }

    #[test]
    fn csv_has_a_row_per_point() {
        let sample = sim_core::fluid::steady_state(&Scenario::stage(1)).series[0].clone();
        let text = csv(&[sample.clone(), sample]);
        assert_eq!(text.lines().count(), 3);
        assert!(text.lines().nth(1).unwrap().split(',').count() == 16);
    }
}
