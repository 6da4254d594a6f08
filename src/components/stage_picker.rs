//! The journey: pick a stage (or step to the previous or next one) and read what it adds, what it costs and
//! what breaks next. Choosing a stage keeps the load and the seed.
use leptos::prelude::*;
use sim_core::scenario::{Scenario, STAGES, STAGE_NAMES};

use crate::state::Sim;

/// What each stage adds, what it costs, and what breaks next, in our words.
pub const EXPLANATIONS: [&str; STAGES as usize] = [
    "Web server, application and Postgres share one t3.medium (2 vCPU, 4 GiB) for about $30 a month. Nothing to coordinate and deploys are trivial. But app and database compete for the same two vCPUs, so a burst of queries slows every page, and one hardware fault takes everything down. Raise the load and the box's CPU hits the wall first.",
    "The cheapest first move is a bigger machine: an m6i.2xlarge has 8 vCPUs and needs no code changes. It buys headroom, not a better shape: still one machine, still one point of failure, and prices climb steeply toward the 448-vCPU ceiling while app and database keep fighting over the same cores.",
    "Postgres moves to its own memory-optimised r6i.2xlarge and the app gets an m6i.xlarge, so each tier is sized on its own and a spike in one no longer starves the other. Two machines to run now, and the database is still a single point of failure. As reads grow, the database CPU becomes the limit.",
    "A Redis node sits beside the app: reads try Redis first and fill it from Postgres on a miss, with a 60 s TTL. How much it absorbs follows from the TTL, the read rate and how hot the popular keys are, so the hit ratio climbs with load. The price is staleness: a read may be up to one TTL old. Next, the single app server's CPU is the ceiling.",
    "Three identical app servers behind a load balancer, sessions kept in Redis so any server can answer any user. Capacity grows almost linearly with servers and deploys can roll one server at a time. The balancer must itself be redundant, and every server sends its misses and writes to one database primary: the next bottleneck.",
    "Two read replicas take the reads; the primary keeps every write. Replicas replay the primary's write-ahead log asynchronously, usually tens of milliseconds behind, so a user may not see their own write unless their reads go to the primary for a moment. Replicas add nothing for writes: replay lag and the primary's write load break next.",
    "Static files (bundles, stylesheets, images: about 60 % of requests) come from CDN edges near the user in a few milliseconds, and the origin sheds that load. Cache lifetimes and keys need care: never cache a private response. What remains is dynamic traffic and, at this scale, the write path.",
];

/// Stage select with previous and next buttons and the stage's explanation.
#[component]
pub fn StagePicker() -> impl IntoView {
    let sim = expect_context::<Sim>();
    let stage = Memo::new(move |_| sim.scenario.with(|s| s.stage));
    let locked = expect_context::<crate::view::View>().locks("stage");
    let go = move |n: u32| {
        let n = n.clamp(1, STAGES);
        sim.scenario.update(|s| {
            let mut next = Scenario::stage(n);
            next.traffic = s.traffic.clone();
            next.seed = s.seed;
            next.duration_s = s.duration_s;
            *s = next;
        });
    };
    view! {
        <section class="panel stage" aria-labelledby="stage-heading">
            <h2 id="stage-heading">"Journey"</h2>
            <div class="stage-nav">
                <button type="button" on:click=move |_| go(stage.get() - 1) disabled=move || { locked || stage.get() <= 1 } aria-label="Previous stage">
                    "◀"
                </button>
                <label class="visually-hidden" for="stage">"Stage"</label>
                <select id="stage" disabled=locked prop:value=move || stage.get().to_string() on:change=move |ev| go(event_target_value(&ev).parse().unwrap_or(1))>
                    {(1..=STAGES)
                        .map(|n| {
                            view! { <option value=n.to_string() selected=move || stage.get() == n>{format!("{n}. {}", STAGE_NAMES[n as usize - 1])}</option> }
                        })
                        .collect_view()}
                </select>
                <button type="button" on:click=move |_| go(stage.get() + 1) disabled=move || { locked || stage.get() >= STAGES } aria-label="Next stage">
                    "▶"
                </button>
            </div>
            <p class="explain">{move || EXPLANATIONS[stage.get() as usize - 1]}</p>
        </section>
    }
}
