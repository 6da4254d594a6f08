//! The month's bill beside the headline figures: the total, what each part costs, what auto-scaling saves against
//! a fleet sized for the peak, what the figure assumes, and how the always-on machines are bought.
use leptos::prelude::*;
use sim_core::bill::{assumptions, Bill};
use sim_core::ids::Component;
use sim_core::scenario::{Reservation, Scenario};

use crate::components::knob::SelectKnob;
use crate::format;

/// Names of the bill's parts as the page shows them.
fn part_name(part: Component) -> &'static str {
    match part {
        Component::App => "App servers",
        Component::Database => "Database",
        Component::Redis => "Redis",
        Component::LoadBalancer => "Load balancer",
        Component::Services => "Services",
        Component::Cdn => "CDN",
        Component::Queue => "Queue and workers",
        Component::Egress => "Data out",
    }
}

/// The bill's parts worth showing, dearest first.
pub fn parts(bill: &Bill) -> Vec<(&'static str, f64)> {
    let mut out: Vec<(&'static str, f64)> =
        bill.by_component.iter().filter(|(_, v)| **v >= 0.5).map(|(&k, v)| (part_name(k), *v)).collect();
    out.sort_by(|a, b| b.1.total_cmp(&a.1));
    out
}

/// The month's bill panel.
#[component]
pub fn BillPanel(
    /// The scenario (the reservation knob writes to it).
    scenario: RwSignal<Scenario>,
    /// The scenario's bill.
    #[prop(into)]
    bill: Signal<Bill>,
) -> impl IntoView {
    let reservation = Signal::derive(move || scenario.with(|s| s.arch.reservation.label().to_owned()));
    let options = vec![
        ("none".to_owned(), "On demand".to_owned()),
        ("1y".to_owned(), "Reserved 1 year (−38 %)".to_owned()),
        ("3y".to_owned(), "Reserved 3 years (−60 %)".to_owned()),
    ];
    let on_reserve = Callback::new(move |v: String| {
        if let Some(r) = Reservation::from_label(&v) {
            scenario.update(|s| s.arch.reservation = r);
        }
    });
    let saving = move || {
        scenario.with(|s| s.arch.autoscaling.enabled).then(|| {
            bill.with(|b| {
                format!(
                    "Auto-scaling: the app fleet costs {} less than the same fleet sized for the busiest minute all month ({} a month in all).",
                    format::pct(b.autoscaling_saving),
                    format::usd(b.peak_fleet_usd_per_month)
                )
            })
        })
    };
    view! {
        <section class="panel bill" aria-labelledby="bill-heading">
            <h2 id="bill-heading">
                "The month's bill: " <span data-metric="bill">{move || format::usd(bill.with(|b| b.usd_per_month))}</span>
            </h2>
            <p class="bill-per-million">
                {move || bill.with(|b| format!("{} per million requests, {} requests a month", format::usd(b.usd_per_million_requests), format::count(b.requests_per_month)))}
            </p>
            <ul class="bill-parts">
                {move || bill.with(|b| parts(b).into_iter().map(|(name, usd)| view! { <li><span>{name}</span> <span>{format::usd(usd)}</span></li> }).collect_view())}
            </ul>
            <p class="bill-saving" data-metric="asg-saving">{saving}</p>
            <p class="bill-assumptions">{move || scenario.with(|s| bill.with(|b| assumptions(s, b)))}</p>
            <SelectKnob id="reserve" label="Always-on machines" options=options value=reservation on_change=on_reserve/>
        </section>
    }
}
