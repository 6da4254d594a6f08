//! The symptom → bottleneck → metric → fix table: the live rows first, highlighted with their value and
//! threshold, then (folded away) the checks that pass; each fix is a button that applies it. A polite live
//! region announces the bottleneck when it changes. Outages lead; stale reads and unsafe set-ups are warnings of
//! their own kinds, listed after the bottleneck and never named as it. Under each live row, a "Why?" button opens
//! the formula behind its value (sim-core's `explain`); the first use of a glossary term in the table carries a
//! tooltip.
use leptos::prelude::*;
use sim_core::diagnose::Row;
use sim_core::ids::{RowId, RowKind};
use sim_core::Scenario;

use crate::components::explain::Why;
use crate::components::glossary::marked;
use crate::state::Sim;

/// A metric value in the unit its row uses.
pub fn show_value(row: &Row, v: f64) -> String {
    show_id_value(row.id, v)
}

/// A metric value in the unit of the row `id`.
pub fn show_id_value(id: sim_core::ids::RowId, v: f64) -> String {
    use sim_core::ids::RowId as R;
    match id {
        R::Distance | R::ReplicationLag => crate::format::ms(v),
        R::QueueDepth => crate::format::ms(v * 1e3),
        R::Sessions
        | R::DeadLetters
        | R::LbSpof
        | R::DataLoss
        | R::Exposed
        | R::DbDown
        | R::AppDown
        | R::LbDown
        | R::RegionDown
        | R::DownstreamDown => crate::format::count(v),
        R::HotShard => format!("{v:.1}×"),
        R::SlowJobs => crate::format::rps(v),
        _ => crate::format::pct(v),
    }
}

/// What the live region says for these rows: the bottleneck (an outage first), then any warnings.
pub fn announcement(rows: &[Row]) -> String {
    let said = |r: &Row| {
        format!(
            "{} — {} is {} (threshold {})",
            r.component,
            r.metric.to_ascii_lowercase(),
            show_value(r, r.value),
            show_value(r, r.threshold)
        )
    };
    let mut out = match sim_core::diagnose::headline(rows) {
        Some(r) if r.id.kind() == RowKind::Outage => format!("Outage: {}.", said(r)),
        Some(r) => format!("Bottleneck: {}.", said(r)),
        None => "No bottleneck at this load.".to_owned(),
    };
    for r in sim_core::diagnose::warnings(rows) {
        let kind = if r.id.kind() == RowKind::Consistency { "Consistency warning" } else { "Safety warning" };
        out.push_str(&format!(" {kind}: {}.", said(r)));
    }
    out
}

/// Live rows in the order a class should read them: outages, then bottlenecks, then consistency and safety
/// warnings, each group in the table's order.
pub fn ranked(mut live: Vec<Row>) -> Vec<Row> {
    let rank = |r: &Row| match r.id.kind() {
        RowKind::Outage => 0,
        RowKind::Capacity => 1,
        RowKind::Consistency => 2,
        RowKind::Safety => 3,
    };
    live.sort_by_key(rank);
    live
}

/// Whether each row's explanation is open, kept while the table is redrawn.
#[derive(Clone, Copy)]
struct Opened(StoredValue<Vec<(RowId, RwSignal<bool>)>>);

impl Opened {
    fn new() -> Opened {
        Opened(StoredValue::new(RowId::ALL.iter().map(|&id| (id, RwSignal::new(false))).collect()))
    }

    fn of(&self, id: RowId) -> RwSignal<bool> {
        self.0.with_value(|v| v.iter().find(|x| x.0 == id).map(|x| x.1)).unwrap_or_else(|| RwSignal::new(false))
    }
}

/// The row under a table row that opens its explanation, worked out from the moment the table was read at.
fn why_row(row: &Row, opened: Opened) -> impl IntoView {
    let sim = expect_context::<Sim>();
    let id = row.id;
    let fallback = row.clone();
    let explain = Callback::new(move |_| {
        sim.with_topology(|topo| {
            sim.now.with(|sample| {
                let bill = sim.steady.with(|r| r.summary.bill.clone());
                let summary = sim_core::fluid::moment_summary(topo, sample, bill);
                let now = sim.rows.with(|rows| rows.iter().find(|r| r.id == id).cloned()).unwrap_or_else(|| fallback.clone());
                sim_core::explain::row(topo, sample, &summary, &now)
            })
        })
    });
    let label = format!("{}: {}", row.metric, show_value(row, row.value));
    view! {
        <tr class="why-row" data-why-for=id.name()>
            <td colspan="5"><Why key=format!("row-{}", id.name()) label=label explain=explain open=opened.of(id)/></td>
        </tr>
    }
}

/// One row of the table, and the row under it that explains its value.
fn row_view(scenario: RwSignal<Scenario>, row: Row, seen: &mut Vec<&'static str>, opened: Opened) -> impl IntoView {
    let live = row.live;
    let kind = row.id.kind();
    // Every row says why it reads what it reads, quiet ones too (they are drawn only while unfolded); a row whose
    // check applies only under some condition says so when it does not apply now.
    let why = why_row(&row, opened);
    let (symptom, component, metric) = (marked(row.symptom, seen), marked(row.component, seen), marked(row.metric, seen));
    let value = format!("{} / {}", show_value(&row, row.value), show_value(&row, row.threshold));
    let fix = match row.fix {
        Some(fix) => {
            let label = fix.label();
            view! {
                <button type="button" class:primary=live on:click=move |_| scenario.update(|s| *s = fix.apply(s))>
                    {label}
                </button>
            }
            .into_any()
        }
        None => view! { <span class="remedy">{row.remedy}</span> }.into_any(),
    };
    view! {
        <tr class:live=live data-row=row.id.name()>
            <td data-label="Symptom">
                {live.then(|| view! { <strong class="badge">"LIVE"</strong> })}
                {(live && kind != RowKind::Capacity).then(|| view! { <span class="kind">{kind.word()}</span> })}
                " "
                {symptom}
            </td>
            <td data-label="Bottleneck">{component}</td>
            <td data-label="Metric">{metric}</td>
            <td data-label="Now / threshold" class="num">{value}</td>
            <td data-label="Fix">{fix}</td>
        </tr>
        {why}
    }
}

/// A table of `rows` with the column headings.
fn table(scenario: RwSignal<Scenario>, rows: Vec<Row>, seen: &mut Vec<&'static str>, opened: Opened) -> impl IntoView {
    let body = rows.into_iter().map(|row| row_view(scenario, row, seen, opened)).collect_view();
    view! {
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
                <tbody>{body}</tbody>
            </table>
        </div>
    }
}

/// The table.
#[component]
pub fn Bottlenecks(
    /// The table's rows at the playback cursor.
    rows: Memo<Vec<Row>>,
    /// The scenario the fix buttons change.
    scenario: RwSignal<Scenario>,
) -> impl IntoView {
    let said = Memo::new(move |_| rows.with(|r| announcement(r)));
    // The fold stays as the user left it while the rows are redrawn.
    let open = RwSignal::new(false);
    let opened = Opened::new();
    view! {
        <section class="panel bottlenecks" aria-labelledby="table-heading">
            <h2 id="table-heading">"Symptom → bottleneck → fix"</h2>
            <p id="bottleneck-status" class="status" aria-live="polite">{move || said.get()}</p>
            {move || {
                let (live, quiet): (Vec<Row>, Vec<Row>) = rows.get().into_iter().partition(|r| r.live);
                let n = quiet.len();
                // A term's tooltip on its first use in the table, live rows first.
                let mut seen = Vec::new();
                let live = (!live.is_empty()).then(|| table(scenario, ranked(live), &mut seen, opened));
                let quiet = open.get().then(|| table(scenario, quiet, &mut seen, opened));
                view! {
                    {live}
                    <details
                        class="quiet-rows"
                        prop:open=open.get_untracked()
                        on:toggle=move |ev| {
                            let now = event_target::<web_sys::HtmlDetailsElement>(&ev).open();
                            if now != open.get_untracked() {
                                open.set(now);
                            }
                        }
                    >
                        <summary>{format!("Checks that pass ({n})")}</summary>
                        // Drawn only while unfolded: most inputs then redraw just the few live rows.
                        {quiet}
                    </details>
                }
            }}
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outages_count_what_is_down_not_a_percentage() {
        // A region outage takes four shards' primaries: "4", not "400 %"; one dead server is "1", not "100 %".
        assert_eq!(show_id_value(RowId::DbDown, 4.0), "4");
        assert_eq!(show_id_value(RowId::AppDown, 1.0), "1");
        assert_eq!(show_id_value(RowId::AppCpu, 0.85), crate::format::pct(0.85));
    }
}
