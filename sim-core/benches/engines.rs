//! Speed of both engines (figures go in the README):
//! - aggregate engine: a 24-hour day at 1-second steps for the largest preset, at 1 request/s and at
//!   100,000,000 requests/s (the cost must not depend on the rate);
//! - request-level engine: events per second on one M/M/4 station and on the whole largest preset;
//! - request traces: the cache-and-replicas stage at 1k, 10k and 100k requests/s with tracing off and at 10
//!   traces per simulated second (tracing must cost under 5 %);
//! - the planner: the limit finder on the last stage, the cheapest design for 100,000 users from stage 4 and
//!   for 1,000,000 from the last stage (the default space: the scalesim journey's twelve stages).
use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use sim_core::des::station::{self, StationSpec};
use sim_core::des::system::{self, DesOptions};
use sim_core::dist::ServiceDist;
use sim_core::fluid::{Fluid, FluidOptions};
use sim_core::scenario::{Scenario, STAGES};

/// Stage `stage` over a day with the daily curve, at the given peak request rate.
fn day_at(stage: u32, peak_rps: f64) -> Scenario {
    let mut s = Scenario::stage(stage);
    s.traffic.daily_curve = true;
    s.traffic.users = 10_000_000;
    s.traffic.requests_per_user = peak_rps / (s.traffic.users as f64 * s.traffic.peak_factor);
    s.duration_s = 86_400.0;
    s
}

fn fluid_day(c: &mut Criterion) {
    let mut group = c.benchmark_group("fluid_24h_1s_steps");
    group.sample_size(20);
    // The CDN preset (stage 7), and the last stage (queue, auto-scaling, shards, three regions, services).
    for (name, stage, rps) in
        [("1_rps", 7, 1.0), ("100M_rps", 7, 1e8), ("last_stage_1_rps", STAGES, 1.0), ("last_stage_100M_rps", STAGES, 1e8)]
    {
        let s = day_at(stage, rps);
        // Stepping only: the engine's per-second cost.
        group.bench_function(format!("{name}_steps"), |b| {
            b.iter_batched(
                || Fluid::new(&s, 1.0),
                |mut engine| {
                    for _ in 0..86_400 {
                        engine.step();
                    }
                    engine.now()
                },
                BatchSize::LargeInput,
            )
        });
        // A whole run with a series point every minute (1,440 points) and the summary.
        group.bench_function(format!("{name}_run_1440_points"), |b| {
            b.iter(|| sim_core::fluid::run(&s, FluidOptions { dt: 1.0, sample_every: 60.0 }).summary.offered_rps)
        });
    }
    group.finish();
}

fn des_events(c: &mut Criterion) {
    let mut group = c.benchmark_group("des");
    group.sample_size(10);
    let spec = StationSpec {
        servers: 4,
        arrival_rate: 3.2,
        service: ServiceDist::Exponential { mean: 1.0 },
        capacity: None,
        requests: 1_000_000,
        seed: 1,
    };
    let events = station::run(&spec).events;
    group.throughput(Throughput::Elements(events));
    group.bench_function("mm4_station_1M_requests", |b| b.iter(|| station::run(&spec).events));

    let mut s = Scenario::stage(7).with_users(20_000);
    s.duration_s = 300.0;
    let opts = DesOptions { sample_every: 10.0, warmup_fraction: 0.1, traces_per_s: 0 };
    let events = system::run(&s, opts).events;
    group.throughput(Throughput::Elements(events));
    group.bench_function("cdn_preset_20k_users_300s", |b| b.iter(|| system::run(&s, opts).events));
    group.finish();
}

/// Stage 6 (sessions and a cache in Redis, two replicas) at `rps` requests/s for `duration_s` simulated seconds,
/// with an app server per 250 requests/s and a replica per 2,500 (at most 10, as a link allows) so it runs healthy
/// rather than refusing; `tests/browser/measure.mjs` runs the same scenarios in the page's worker.
fn cache_and_replicas_at(rps: f64, duration_s: f64) -> Scenario {
    let mut s = Scenario::stage(6);
    s.traffic.users = 1_000_000;
    s.traffic.requests_per_user = rps / (s.traffic.users as f64 * s.traffic.peak_factor);
    s.arch.app_servers = (rps / 250.0).ceil().max(3.0) as u32;
    s.arch.replicas = (rps / 2_500.0).ceil().clamp(2.0, 10.0) as u32;
    s.duration_s = duration_s;
    s
}

fn des_trace(c: &mut Criterion) {
    let mut group = c.benchmark_group("des_trace");
    group.sample_size(10);
    for (name, rps, duration_s) in [("1k_rps_60s", 1e3, 60.0), ("10k_rps_20s", 1e4, 20.0), ("100k_rps_5s", 1e5, 5.0)] {
        let s = cache_and_replicas_at(rps, duration_s);
        for (tracing, traces_per_s) in [("off", 0), ("10_per_s", 10)] {
            let opts = DesOptions { sample_every: 1.0, warmup_fraction: 0.1, traces_per_s };
            group.bench_function(format!("{name}_traces_{tracing}"), |b| b.iter(|| system::run(&s, opts).events));
        }
    }
    group.finish();
}

fn planner(c: &mut Criterion) {
    use sim_core::plan::{cheapest, limit, Objective};
    let mut group = c.benchmark_group("plan");
    group.sample_size(10);
    let objective = Objective::default();
    let last = sim_core::journey::stage_link("v=1&stage=12").expect("a stage link");
    let four = sim_core::journey::stage_link("v=1&stage=4").expect("a stage link");
    let j = sim_core::journey::journey("scalesim").expect("the journey");
    group.bench_function("limit_last_stage", |b| b.iter(|| limit::find(&last, objective).max_users));
    group.bench_function("cheapest_100k_users_from_stage_4", |b| b.iter(|| cheapest::find(&four, &j, 100_000, objective).evaluations));
    group.bench_function("cheapest_1M_users_from_last_stage", |b| b.iter(|| cheapest::find(&last, &j, 1_000_000, objective).evaluations));
    group.finish();
}

criterion_group!(benches, fluid_day, des_events, des_trace, planner);
criterion_main!(benches);
