//! The knobs of the stages past the CDN: slow jobs and the queue, shards, regions, services, and the
//! resilience patterns (retries, circuit breaker, rate limit, load-balancer pair, connection pool, indexes).
//! Like the other knobs, every change goes through sim-core's repair.
use leptos::prelude::*;
use sim_core::scenario::Scenario;

use super::knob::{edit, locked, opts, switch, RangeKnob, SelectKnob};
use crate::state::Sim;

/// A whole-number knob read and written through plain functions (one instantiation for all of them).
fn count(
    sim: Sim,
    locked: fn(&str) -> bool,
    id: &'static str,
    label: &'static str,
    max: f64,
    get: fn(&Scenario) -> u32,
    set: fn(&mut Scenario, u32),
) -> impl IntoView {
    let min = if matches!(id, "shards" | "regions" | "workers" | "max_workers" | "svc_inst") { 1.0 } else { 0.0 };
    view! {
        <RangeKnob
            id=id
            label=label
            min=min max=max step=1.0
            value=Signal::derive(move || sim.scenario.with(|s| get(s) as f64))
            shown=Signal::derive(move || sim.scenario.with(|s| get(s).to_string()))
            on_change=Callback::new(move |v: f64| edit(sim, |s| set(s, v as u32)))
            disabled=Signal::derive(move || locked(id))
        />
    }
}

/// The knobs of stages 8 to 12 and the resilience patterns, grouped.
#[component]
pub fn GrowthKnobs() -> impl IntoView {
    let sim = expect_context::<Sim>();
    view! {
        <fieldset>
            <legend>"Slow jobs and the queue"</legend>
            <SelectKnob
                id="jobs"
                label="Writes that start a slow job"
                options=opts(&[("0", "none"), ("0.1", "10 %"), ("0.5", "half"), ("1", "all")])
                value=Signal::derive(move || format!("{}", sim.scenario.with(|s| s.arch.jobs.share)))
                on_change=Callback::new(move |v: String| edit(sim, |s| s.arch.jobs.share = sim_core::decimal::parse(&v).unwrap_or(0.0)))
                disabled=Signal::derive(|| locked("jobs"))
            />
            {switch(sim, "queue", "Message queue (202 Accepted)", |s| s.arch.jobs.queued, |s, v| s.arch.jobs.queued = v, |_| false)}
            {count(sim, locked, "max_workers", "Most queue workers", 4_096.0, |s| s.arch.jobs.max_workers, |s, v| s.arch.jobs.max_workers = v)}
        </fieldset>
        <fieldset>
            <legend>"Shards, regions, services"</legend>
            {count(sim, locked, "shards", "Database shards", 64.0, |s| s.arch.shards, |s, v| s.arch.shards = v)}
            {count(sim, locked, "regions", "Regions", 3.0, |s| s.arch.regions, |s, v| s.arch.regions = v)}
            {switch(sim, "world", "Users on three continents", |s| s.traffic.worldwide, |s, v| s.traffic.worldwide = v, |_| false)}
            {count(sim, locked, "services", "Services per request (fan-out)", 20.0, |s| s.arch.services, |s, v| s.arch.services = v)}
            {count(sim, locked, "svc_inst", "Instances of each service", 200.0, |s| s.arch.service_instances, |s, v| s.arch.service_instances = v)}
        </fieldset>
        <fieldset>
            <legend>"Resilience"</legend>
            {count(sim, locked, "retries", "Client retries", 5.0, |s| s.arch.resilience.retries, |s, v| s.arch.resilience.retries = v)}
            {switch(sim, "breaker", "Circuit breaker on the job's downstream", |s| s.arch.resilience.circuit_breaker, |s, v| s.arch.resilience.circuit_breaker = v, |_| false)}
            <SelectKnob
                id="ratelimit"
                label="Rate limit per user"
                options=opts(&[("0", "none"), ("6.7", "100 per 15 min"), ("60", "60 per min"), ("600", "600 per min")])
                value=Signal::derive(move || format!("{}", sim.scenario.with(|s| s.arch.resilience.rate_limit_per_min)))
                on_change=Callback::new(move |v: String| edit(sim, |s| s.arch.resilience.rate_limit_per_min = sim_core::decimal::parse(&v).unwrap_or(0.0)))
                disabled=Signal::derive(|| locked("ratelimit"))
            />
            {switch(sim, "lb_ha", "Load balancer as a redundant pair", |s| s.arch.resilience.lb_ha, |s, v| s.arch.resilience.lb_ha = v, |_| false)}
            {switch(sim, "pool", "Database connection pool", |s| s.arch.resilience.db_pool, |s, v| s.arch.resilience.db_pool = v, |_| false)}
            {switch(sim, "idx", "Database indexes", |s| s.arch.db_indexes, |s, v| s.arch.db_indexes = v, |_| false)}
            {switch(sim, "coalesce", "Coalesce concurrent cache misses", |s| s.arch.cache_coalescing, |s, v| s.arch.cache_coalescing = v, |_| false)}
            {switch(sim, "hedge", "Hedge slow service calls", |s| s.arch.resilience.hedge, |s, v| s.arch.resilience.hedge = v, |_| false)}
        </fieldset>
    }
}
