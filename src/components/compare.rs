//! Compare mode: "Compare" pins the current scenario as A, and every later change builds B (the page). The
//! charts draw A's lines dashed over B's, the diagram marks the parts B changed, and this panel lists every
//! summary figure for A, B and the change, with its unit and whether the change is for the better. The URL
//! carries A (`a=`), so a shared link opens the comparison; leaving compare mode keeps B.
use leptos::prelude::*;
use sim_core::fluid::{self, FluidOptions};
use sim_core::plan::compare::{deltas, unit_of, Better, Delta};
use sim_core::report::{Sample, Summary};
use sim_core::Scenario;

use crate::format;
use crate::state::Sim;

/// The pinned scenario A and what sim-core computes from it.
#[derive(Clone, Copy)]
pub struct Compare {
    /// Scenario A, while comparing.
    pub a: RwSignal<Option<Scenario>>,
    /// A's steady state at its peak load (what the delta table compares).
    pub steady: Memo<Option<Summary>>,
    /// A's whole run, sampled as the page samples B's, for the charts.
    pub series: Memo<Option<Vec<Sample>>>,
}

impl Compare {
    /// Compare mode with `a` pinned (or off).
    pub fn new(a: Option<Scenario>) -> Compare {
        let a = RwSignal::new(a);
        let steady = Memo::new(move |_| a.with(|a| a.as_ref().map(|s| fluid::steady_state(s).summary)));
        let series = Memo::new(move |_| {
            a.with(|a| {
                a.as_ref().map(|s| {
                    let every = (s.duration_s / crate::state::POINTS).max(1.0).round();
                    fluid::run(s, FluidOptions { dt: 1.0, sample_every: every }).series
                })
            })
        });
        Compare { a, steady, series }
    }

    /// The view key to write after the rest of the link (read without tracking).
    pub fn to_query_untracked(&self) -> String {
        self.a.with_untracked(|a| {
            a.as_ref().map(|s| format!("&a={}", sim_core::query::encode(&sim_core::query::to_query(s)))).unwrap_or_default()
        })
    }
}

/// The diagram's tiers whose part of the architecture differs between `a` and `b` (the names the diagram's
/// nodes carry).
pub fn differing_tiers(a: &Scenario, b: &Scenario) -> Vec<&'static str> {
    let (x, y) = (&a.arch, &b.arch);
    let mut out = Vec::new();
    let mut mark = |tier: &'static str, differs: bool| {
        if differs {
            out.push(tier);
        }
    };
    mark("app", x.app_servers != y.app_servers || x.app_size != y.app_size || x.autoscaling != y.autoscaling || x.sessions != y.sessions);
    mark("lb", x.lb_algorithm != y.lb_algorithm || x.resilience.lb_ha != y.resilience.lb_ha || x.regions != y.regions);
    mark("redis", x.redis_nodes != y.redis_nodes || x.redis_size != y.redis_size || x.cache_ttl_s != y.cache_ttl_s);
    mark(
        "db_primary",
        x.db_separate != y.db_separate
            || x.db_size != y.db_size
            || x.shards != y.shards
            || x.db_indexes != y.db_indexes
            || x.resilience.db_pool != y.resilience.db_pool,
    );
    mark("replica", x.replicas != y.replicas || x.replica_max_lag_ms != y.replica_max_lag_ms);
    mark("services", x.services != y.services || x.service_instances != y.service_instances);
    mark("workers", x.jobs.queued != y.jobs.queued || x.jobs.max_workers != y.jobs.max_workers || x.jobs.workers != y.jobs.workers);
    mark("cdn", x.cdn != y.cdn || x.cdn_ttl_s != y.cdn_ttl_s);
    out
}

/// The figures the table leads with, in this order; the rest follow folded away.
pub const HEADLINE: [&str; 10] = [
    "latency_ms.p99",
    "latency_ms.p50",
    "error_rate",
    "served_rps",
    "cost_usd_per_month",
    "cost_usd_per_million_requests",
    "cache_hit_rate",
    "stale_read_rate",
    "replication_lag_ms",
    "instances",
];

/// A figure's name in words (its JSON name stays on the row for scripts): the headline ones by name, the
/// rest from their JSON names ("utilization.app" → "utilization · app").
pub fn label(metric: &str) -> String {
    let named = match metric {
        "latency_ms.p99" => "p99 latency",
        "latency_ms.p95" => "p95 latency",
        "latency_ms.p50" => "Median latency",
        "latency_ms.mean" => "Mean latency",
        "error_rate" => "Requests failing",
        "served_rps" => "Requests served",
        "offered_rps" => "Requests offered",
        "cost_usd_per_month" => "Monthly bill",
        "cost_usd_per_million_requests" => "Cost per million requests",
        "cost_usd_per_hour" => "Cost per hour at the peak",
        "cache_hit_rate" => "Cache hit ratio",
        "cdn_hit_rate" => "CDN hit ratio",
        "stale_read_rate" => "Stale reads",
        "replication_lag_ms" => "Replication lag",
        "instances" => "App instances",
        _ => return metric.replace('.', " · ").replace('_', " "),
    };
    named.to_owned()
}

/// A figure's value in its unit.
pub fn show(metric: &str, v: f64) -> String {
    match unit_of(metric).0 {
        "ms" => format::ms(v),
        "req/s" => format::rps(v),
        "share" => format::pct(v),
        "USD" if metric.starts_with("cost_usd_per_hour") => format!("{}/h", format::usd(v)),
        "USD" => format::usd(v),
        "s" => format::ms(v * 1e3),
        _ => format::count(v),
    }
}

/// A change in words with its sign: "+12 ms", "−$340", "+2.1 %" (percentage points for shares).
pub fn show_change(d: &Delta) -> String {
    if d.change == 0.0 {
        return "same".to_owned();
    }
    let sign = if d.change > 0.0 { "+" } else { "−" };
    let size = show(&d.metric, d.change.abs());
    let size = if unit_of(&d.metric).0 == "share" { size.replace(" %", " pts") } else { size };
    format!("{sign}{size}")
}

/// The delta table's rows: the headline figures first (in [`HEADLINE`] order), then every other figure that is
/// not zero in both; `true` marks a headline row.
pub fn rows(a: &Summary, b: &Summary) -> Vec<(bool, Delta)> {
    let all = deltas(a, b);
    let mut out: Vec<(bool, Delta)> =
        HEADLINE.iter().filter_map(|m| all.iter().find(|d| d.metric == *m).cloned()).map(|d| (true, d)).collect();
    out.extend(all.into_iter().filter(|d| !HEADLINE.contains(&d.metric.as_str()) && (d.a != 0.0 || d.b != 0.0)).map(|d| (false, d)));
    out
}

fn row_view(d: Delta) -> impl IntoView {
    let verdict = if d.improved {
        "better"
    } else if d.worsened {
        "worse"
    } else {
        ""
    };
    let direction = match d.better {
        Better::Lower => "lower is better",
        Better::Higher => "higher is better",
        Better::Neither => "",
    };
    view! {
        <tr class=verdict data-delta=d.metric.clone()>
            <th scope="row">{label(&d.metric)} <span class="delta-unit">{format!("({}{}{})", d.unit, if direction.is_empty() { "" } else { ", " }, direction)}</span></th>
            <td class="num">{show(&d.metric, d.a)}</td>
            <td class="num">{show(&d.metric, d.b)}</td>
            <td class="num">{show_change(&d)} {(!verdict.is_empty()).then(|| view! { <span class="verdict">{verdict}</span> })}</td>
        </tr>
    }
}

/// The compare panel: a button to pin A, then the delta table and what B changed.
#[component]
pub fn ComparePanel() -> impl IntoView {
    let sim = expect_context::<Sim>();
    let compare = expect_context::<Compare>();
    let pin = move |_| compare.a.set(Some(sim.scenario.get_untracked()));
    let leave = move |_| compare.a.set(None);
    let table = move || {
        let b = sim.steady.with(|r| r.summary.clone());
        compare.steady.with(|a| {
            a.as_ref().map(|a| {
                let (head, rest): (Vec<_>, Vec<_>) = rows(a, &b).into_iter().partition(|r| r.0);
                let n = rest.len();
                view! {
                    <div class="table-scroll">
                        <table class="deltas" data-compare="deltas">
                            <thead><tr><th scope="col">"Figure"</th><th scope="col">"A (pinned)"</th><th scope="col">"B (now)"</th><th scope="col">"Change"</th></tr></thead>
                            <tbody>{head.into_iter().map(|(_, d)| row_view(d)).collect_view()}</tbody>
                        </table>
                    </div>
                    <details>
                        <summary>{format!("Every other figure ({n})")}</summary>
                        <div class="table-scroll">
                            <table class="deltas">
                                <tbody>{rest.into_iter().map(|(_, d)| row_view(d)).collect_view()}</tbody>
                            </table>
                        </div>
                    </details>
                }
            })
        })
    };
    let changed = move || {
        compare.a.with(|a| {
            a.as_ref().map(|a| {
                let words = sim.scenario.with(|b| sim_core::changes::changes(a, b));
                let load = sim.scenario.with(|b| {
                    (a.traffic.users != b.traffic.users)
                        .then(|| format!("{} users (A: {})", format::thousands(b.traffic.users), format::thousands(a.traffic.users)))
                });
                let all: Vec<String> = words.into_iter().chain(load).collect();
                if all.is_empty() {
                    "B is still A: change a knob, the load or the stage to compare.".to_owned()
                } else {
                    format!("B differs from A: {}.", all.join("; "))
                }
            })
        })
    };
    view! {
        <section class="panel compare" aria-labelledby="compare-heading">
            <h2 id="compare-heading">"Compare two designs"</h2>
            {move || match compare.a.with(Option::is_some) {
                false => view! {
                    <p class="compare-intro">"Pin this scenario as A, then change anything: the charts draw A dashed beside it, the diagram marks what you changed, and the table below lists every figure of both."</p>
                    <button type="button" data-compare="pin" on:click=pin>"Compare: pin this as A"</button>
                }.into_any(),
                true => view! {
                    <p class="compare-changed" data-compare="changed">{changed}</p>
                    {table}
                    <div class="plan-actions">
                        <button type="button" data-compare="repin" on:click=pin>"Pin B as the new A"</button>
                        <button type="button" data-compare="leave" on:click=leave>"Stop comparing (keep B)"</button>
                    </div>
                }.into_any(),
            }}
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_diagram_marks_only_the_parts_b_changed() {
        let a = Scenario::stage(6);
        let mut b = a.clone();
        assert!(differing_tiers(&a, &b).is_empty());
        b.arch.replicas += 2;
        b.arch.cache_ttl_s = 600.0;
        assert_eq!(differing_tiers(&a, &b), vec!["redis", "replica"]);
        assert!(differing_tiers(&a, &b.clone().with_users(50_000)) == vec!["redis", "replica"], "load is not architecture");
    }

    #[test]
    fn the_table_leads_with_the_headline_figures_and_signs_each_change() {
        let a = fluid::steady_state(&Scenario::stage(5).with_users(50_000)).summary;
        let mut s = Scenario::stage(5).with_users(50_000);
        s.arch.replicas += 2;
        let b = fluid::steady_state(&s).summary;
        let r = rows(&a, &b);
        assert_eq!(r[0].1.metric, "latency_ms.p99");
        assert!(r.iter().take(HEADLINE.len()).all(|x| x.0) && r.iter().skip(HEADLINE.len()).all(|x| !x.0));
        let cost = r.iter().find(|x| x.1.metric == "cost_usd_per_month").unwrap();
        assert!(show_change(&cost.1).starts_with('+') && cost.1.worsened);
        assert_eq!(show("error_rate", 0.25), "25 %");
        assert_eq!((label("latency_ms.p99").as_str(), label("utilization.app").as_str()), ("p99 latency", "utilization · app"));
        assert_eq!(show("cost_usd_per_hour", 2.5), "$2.50/h");
    }
}
