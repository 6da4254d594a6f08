//! The architecture knobs: cache, replicas, app tier, sizes, read:write ratio, load balancing, sessions, CDN,
//! auto-scaling (the later stages' knobs are in [`super::growth_knobs`]) and the run's length. Every change goes through sim-core's repair, so combinations stay valid.
use leptos::prelude::*;
use sim_core::instance::SIZES;
use sim_core::scenario::{Autoscaling, LbAlgorithm, Scenario, Sessions};

use super::knob::{edit, opts, CheckKnob, RangeKnob, SelectKnob};
use crate::state::Sim;

fn sizes() -> Vec<(String, String)> {
    SIZES.iter().map(|s| (s.name.to_owned(), format!("{} ({} vCPU, ${:.3}/h)", s.name, s.vcpus, s.usd_per_hour))).collect()
}

/// All knobs, grouped.
#[component]
pub fn Knobs() -> impl IntoView {
    let sim = expect_context::<Sim>();
    let view_locks = super::knob::locked;
    let locked = move |id: &'static str| Signal::derive(move || view_locks(id));
    // A count of the auto-scaling group, disabled while auto-scaling is off or the knob is locked.
    let asg_count = move |id: &'static str, label: &'static str, max: f64, get: fn(&Autoscaling) -> u32, set: fn(&mut Autoscaling, u32)| {
        view! {
            <RangeKnob
                id=id
                label=label
                min=1.0 max=max step=1.0
                value=Signal::derive(move || sim.scenario.with(|s| get(&s.arch.autoscaling) as f64))
                shown=Signal::derive(move || sim.scenario.with(|s| get(&s.arch.autoscaling).to_string()))
                on_change=Callback::new(move |v: f64| edit(sim, |s| set(&mut s.arch.autoscaling, v as u32)))
                disabled=Signal::derive(move || sim.scenario.with(|s| !s.arch.autoscaling.enabled) || view_locks(id))
            />
        }
    };
    let read = move |f: fn(&Scenario) -> f64| Signal::derive(move || sim.scenario.with(f));
    // On a phone the knobs start folded, so the diagram is a short scroll below the load slider.
    let wide = window().match_media("(min-width: 900px)").ok().flatten().is_none_or(|m| m.matches());
    view! {
        <section class="panel knobs" aria-labelledby="knobs-heading">
            <details open=wide>
            <summary><h2 id="knobs-heading">"Knobs"</h2></summary>
            <fieldset>
                <legend>"Cache"</legend>
                <SelectKnob
                    id="ttl"
                    label="Cache TTL"
                    options=opts(&[("0", "off"), ("10", "10 s"), ("30", "30 s"), ("60", "60 s"), ("300", "5 min"), ("900", "15 min"), ("3600", "1 h")])
                    value=Signal::derive(move || format!("{}", sim.scenario.with(|s| s.arch.cache_ttl_s) as u64))
                    on_change=Callback::new(move |v: String| edit(sim, |s| {
                        s.arch.cache_ttl_s = sim_core::decimal::parse(&v).unwrap_or(0.0);
                        if s.arch.cache_ttl_s > 0.0 { s.arch.redis_nodes = s.arch.redis_nodes.max(1); }
                    }))
                    disabled=locked("ttl")
                />
                <RangeKnob
                    id="redis"
                    label="Redis nodes"
                    min=0.0 max=8.0 step=1.0
                    value=read(|s| s.arch.redis_nodes as f64)
                    shown=Signal::derive(move || sim.scenario.with(|s| s.arch.redis_nodes.to_string()))
                    on_change=Callback::new(move |v: f64| edit(sim, |s| s.arch.redis_nodes = v as u32))
                    disabled=locked("redis")
                />
                <CheckKnob
                    id="invalidate"
                    label="Invalidate on write"
                    checked=Signal::derive(move || sim.scenario.with(|s| s.arch.cache_invalidate))
                    on_change=Callback::new(move |v: bool| edit(sim, |s| s.arch.cache_invalidate = v))
                    disabled=locked("invalidate")
                />
            </fieldset>
            <fieldset>
                <legend>"App tier"</legend>
                <RangeKnob
                    id="app"
                    label="App servers"
                    min=1.0 max=50.0 step=1.0
                    value=read(|s| s.arch.app_servers as f64)
                    shown=Signal::derive(move || sim.scenario.with(|s| s.arch.app_servers.to_string()))
                    on_change=Callback::new(move |v: f64| edit(sim, |s| s.arch.app_servers = v as u32))
                    disabled=locked("app")
                />
                <SelectKnob
                    id="size"
                    label="App server size"
                    options=sizes()
                    value=Signal::derive(move || sim.scenario.with(|s| s.arch.app_size.name.to_owned()))
                    on_change=Callback::new(move |v: String| edit(sim, |s| if let Some(z) = sim_core::instance::by_name(&v) { s.arch.app_size = z }))
                    disabled=locked("size")
                />
                <SelectKnob
                    id="lb"
                    label="Load-balancing algorithm"
                    options=opts(&[("rr", "Round-robin"), ("lc", "Least connections")])
                    value=Signal::derive(move || sim.scenario.with(|s| if s.arch.lb_algorithm == LbAlgorithm::RoundRobin { "rr" } else { "lc" }.to_owned()))
                    on_change=Callback::new(move |v: String| edit(sim, |s| s.arch.lb_algorithm = if v == "lc" { LbAlgorithm::LeastConnections } else { LbAlgorithm::RoundRobin }))
                    disabled=locked("lb")
                />
                <SelectKnob
                    id="sessions"
                    label="Sessions"
                    options=opts(&[("redis", "In Redis (stateless servers)"), ("sticky", "In server memory (sticky)")])
                    value=Signal::derive(move || sim.scenario.with(|s| if s.arch.sessions == Sessions::Redis { "redis" } else { "sticky" }.to_owned()))
                    on_change=Callback::new(move |v: String| edit(sim, |s| s.arch.sessions = if v == "redis" { Sessions::Redis } else { Sessions::Sticky }))
                    disabled=locked("sessions")
                />
            </fieldset>
            <fieldset>
                <legend>"Database"</legend>
                <CheckKnob
                    id="db"
                    label="Database on its own server"
                    checked=Signal::derive(move || sim.scenario.with(|s| s.arch.db_separate))
                    on_change=Callback::new(move |v: bool| edit(sim, |s| s.arch.db_separate = v))
                    disabled=locked("db")
                />
                <SelectKnob
                    id="dbsize"
                    label="Database size"
                    options=sizes()
                    value=Signal::derive(move || sim.scenario.with(|s| s.arch.db_size.name.to_owned()))
                    on_change=Callback::new(move |v: String| edit(sim, |s| if let Some(z) = sim_core::instance::by_name(&v) { s.arch.db_size = z }))
                    disabled=locked("dbsize")
                />
                <RangeKnob
                    id="replicas"
                    label="Read replicas"
                    min=0.0 max=10.0 step=1.0
                    value=read(|s| s.arch.replicas as f64)
                    shown=Signal::derive(move || sim.scenario.with(|s| s.arch.replicas.to_string()))
                    on_change=Callback::new(move |v: f64| edit(sim, |s| s.arch.replicas = v as u32))
                    disabled=locked("replicas")
                />
                <RangeKnob
                    id="ryw"
                    label="Read-your-writes window"
                    min=0.0 max=60.0 step=1.0
                    value=read(|s| (s.arch.read_your_writes_ms / 1e3).round())
                    shown=Signal::derive(move || sim.scenario.with(|s| match (s.arch.read_your_writes_ms / 1e3).round() as u32 { 0 => "off".to_owned(), n => format!("{n} s") }))
                    on_change=Callback::new(move |v: f64| edit(sim, |s| s.arch.read_your_writes_ms = v * 1e3))
                    disabled=Signal::derive(move || sim.scenario.with(|s| s.arch.replicas == 0) || view_locks("ryw"))
                />
                <RangeKnob
                    id="rw"
                    label="Reads per write"
                    min=1.0 max=100.0 step=1.0
                    value=read(|s| s.traffic.read_write_ratio)
                    shown=Signal::derive(move || sim.scenario.with(|s| format!("{:.0} : 1", s.traffic.read_write_ratio)))
                    on_change=Callback::new(move |v: f64| edit(sim, |s| s.traffic.read_write_ratio = v))
                    disabled=locked("rw")
                />
            </fieldset>
            <fieldset>
                <legend>"Edge and elasticity"</legend>
                <CheckKnob
                    id="cdn"
                    label="CDN for static assets"
                    checked=Signal::derive(move || sim.scenario.with(|s| s.arch.cdn))
                    on_change=Callback::new(move |v: bool| edit(sim, |s| s.arch.cdn = v))
                    disabled=locked("cdn")
                />
                <CheckKnob
                    id="asg"
                    label="Auto-scaling group"
                    checked=Signal::derive(move || sim.scenario.with(|s| s.arch.autoscaling.enabled))
                    on_change=Callback::new(move |v: bool| edit(sim, |s| {
                        s.arch.autoscaling.enabled = v;
                        if v { s.arch.sessions = Sessions::Redis; }
                    }))
                    disabled=locked("asg")
                />
                {asg_count("asg_min", "Auto-scaling minimum", 200.0, |a| a.min, |a, v| a.min = v)}
                {asg_count("asg_desired", "Auto-scaling desired", 200.0, |a| a.desired, |a, v| a.desired = v)}
                {asg_count("asg_max", "Auto-scaling maximum", 400.0, |a| a.max, |a, v| a.max = v)}
                <RangeKnob
                    id="out_cpu"
                    label="Scale out above CPU"
                    min=0.3 max=0.95 step=0.05
                    value=read(|s| s.arch.autoscaling.out_cpu)
                    shown=Signal::derive(move || crate::format::pct(sim.scenario.with(|s| s.arch.autoscaling.out_cpu)))
                    on_change=Callback::new(move |v: f64| edit(sim, |s| s.arch.autoscaling.out_cpu = v))
                    disabled=Signal::derive(move || sim.scenario.with(|s| !s.arch.autoscaling.enabled) || view_locks("out_cpu"))
                />
                <RangeKnob
                    id="prewarm"
                    label="Pre-warm for the daily peak"
                    min=0.0 max=50.0 step=1.0
                    value=read(|s| s.arch.autoscaling.prewarm as f64)
                    shown=Signal::derive(move || sim.scenario.with(|s| match s.arch.autoscaling.prewarm { 0 => "off".to_owned(), n => format!("{n} servers") }))
                    on_change=Callback::new(move |v: f64| edit(sim, |s| s.arch.autoscaling.prewarm = v as u32))
                    disabled=Signal::derive(move || sim.scenario.with(|s| !s.arch.autoscaling.enabled || !s.traffic.daily_curve) || view_locks("prewarm"))
                />
            </fieldset>
            <super::growth_knobs::GrowthKnobs/>
            <super::safety_knobs::SafetyKnobs/>
            <fieldset>
                <legend>"Run"</legend>
                <CheckKnob
                    id="curve"
                    label="Daily load curve"
                    checked=Signal::derive(move || sim.scenario.with(|s| s.traffic.daily_curve))
                    on_change=Callback::new(move |v: bool| edit(sim, |s| {
                        s.traffic.daily_curve = v;
                        if v && s.duration_s < 86_400.0 { s.duration_s = 86_400.0; }
                    }))
                    disabled=locked("curve")
                />
                <SelectKnob
                    id="dur"
                    label="Run length"
                    options=opts(&[("300", "5 minutes"), ("3600", "1 hour"), ("86400", "1 day")])
                    value=Signal::derive(move || format!("{}", sim.scenario.with(|s| s.duration_s) as u64))
                    on_change=Callback::new(move |v: String| edit(sim, |s| s.duration_s = sim_core::decimal::parse(&v).unwrap_or(300.0)))
                    disabled=locked("dur")
                />
            </fieldset>
            </details>
        </section>
    }
}
