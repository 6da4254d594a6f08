//! The components past stage 7 reproduce what the seeds claim, with the model's own numbers in the messages:
//! the queue, shards, regions, service fan-out, retries, the rate limit, the circuit breaker, the load
//! balancer pair, the connection pool, auto-scaling's saving and the write burst.
use sim_core::fluid::{run as fluid, steady_state, FluidOptions};
use sim_core::ids::Tier;
use sim_core::report::{Sample, Summary};
use sim_core::scenario::{Fault, FaultKind, Scenario};

fn steady(s: &Scenario) -> Summary {
    steady_state(s).summary
}

fn series(s: &Scenario) -> Vec<Sample> {
    fluid(s, FluidOptions::default()).series
}

fn at(series: &[Sample], t: f64) -> &Sample {
    series.iter().find(|x| x.t_s >= t).expect("a sample at that time")
}

fn with_fault(mut s: Scenario, kind: FaultKind, at_s: f64, duration_s: f64) -> Scenario {
    s.faults = vec![Fault { at_s, kind }];
    s.duration_s = duration_s;
    s
}

/// The series of both engines, named.
fn both_series(s: &Scenario) -> [(&'static str, Vec<Sample>); 2] {
    let d = sim_core::des::system::run(s, sim_core::des::system::DesOptions { sample_every: 5.0, ..Default::default() });
    [("fluid", series(s)), ("des", d.report.series)]
}

/// Stage 7 where every write starts seed 000's 2.5 s job, inline or queued.
fn slow_writes(queued: bool) -> Scenario {
    let mut s = Scenario::stage(7).with_users(2_000);
    s.traffic.read_write_ratio = 1.0;
    s.arch.jobs.share = 1.0;
    s.arch.jobs.queued = queued;
    s
}

#[test]
fn a_queue_cuts_slow_writes_from_about_2_5_s_to_under_100_ms() {
    // Half of dynamic requests are writes here, so the median dynamic request is a write.
    let inline = steady(&slow_writes(false));
    let queued = steady(&slow_writes(true));
    assert!(inline.latency_ms.p95 > 2_400.0, "inline: p95 {:.0} ms (seed 000: 2–3 s)", inline.latency_ms.p95);
    assert!(queued.latency_ms.p95 < 100.0, "queued: p95 {:.1} ms (seed 000: ~50 ms)", queued.latency_ms.p95);
    assert!(queued.utilization[&Tier::App] < inline.utilization[&Tier::App], "the job's CPU leaves the app servers");
}

#[test]
fn too_few_workers_grow_the_queue_and_scaling_on_depth_drains_it() {
    let mut fixed = slow_writes(true);
    fixed.arch.jobs.workers = 8;
    fixed.arch.jobs.max_workers = 8;
    fixed.duration_s = 300.0;
    for (engine, f) in both_series(&fixed) {
        let (early, late) = (at(&f, 60.0).jobs, at(&f, 290.0).jobs);
        assert!(
            late.queue_depth > early.queue_depth * 3.0 && late.queue_depth > 1_000.0,
            "{engine}: 8 workers: depth {:.0} → {:.0}",
            early.queue_depth,
            late.queue_depth
        );
    }
    let mut scaled = fixed.clone();
    scaled.arch.jobs.max_workers = 2_000;
    for (engine, s) in both_series(&scaled) {
        let end = at(&s, 290.0).jobs;
        assert!(
            end.workers > 8 && end.waiting_s < 10.0,
            "{engine}: scaling on depth: {} workers, jobs wait {:.1} s",
            end.workers,
            end.waiting_s
        );
    }
}

#[test]
fn a_downstream_outage_fails_inline_requests_unless_a_breaker_skips_the_job_and_queued_jobs_wait() {
    let run = |queued: bool, breaker: bool| {
        let mut s = with_fault(slow_writes(queued), FaultKind::DownstreamOutage, 60.0, 400.0);
        s.arch.resilience.circuit_breaker = breaker;
        both_series(&s)
    };
    for (engine, inline) in run(false, false) {
        let during = at(&inline, 120.0);
        assert!(during.error_rate > 0.1, "{engine}: inline without a breaker: {:.1} % errors while down", during.error_rate * 100.0);
    }
    for (engine, broken) in run(false, true) {
        assert!(at(&broken, 65.0).error_rate > 0.1, "{engine}: the breaker needs a window of failures before it opens");
        let open = at(&broken, 120.0);
        assert!(
            open.error_rate < 0.001 && open.jobs.skipped_rps > 0.0,
            "{engine}: breaker open: {:.2} % errors, jobs skipped",
            open.error_rate * 100.0
        );
    }
    for (engine, queued) in run(true, false) {
        let q = at(&queued, 170.0);
        assert!(q.error_rate < 0.001, "{engine}: queued: {:.2} % errors during the outage", q.error_rate * 100.0);
        assert!(q.jobs.queue_depth > 1_000.0, "{engine}: queued jobs pile up: {:.0}", q.jobs.queue_depth);
        let after = at(&queued, 390.0);
        assert!(after.jobs.queue_depth < q.jobs.queue_depth / 10.0, "{engine}: drained after recovery: {:.0}", after.jobs.queue_depth);
    }
}

#[test]
fn jobs_outliving_their_attempts_are_dead_lettered() {
    let mut s = with_fault(slow_writes(true), FaultKind::DownstreamOutage, 10.0, 300.0);
    s.arch.jobs.attempts = 3; // backoff 10 s + 20 s: a 30 s horizon inside the 120 s outage
    let end = series(&s).last().unwrap().jobs;
    assert!(end.dead_lettered > 100.0, "dead-lettered: {:.0}", end.dead_lettered);
    let d = sim_core::des::system::run(&s, sim_core::des::system::DesOptions { sample_every: 5.0, ..Default::default() });
    assert!(d.report.summary.jobs_dead_lettered > 100.0, "request-level dead-lettered: {:.0}", d.report.summary.jobs_dead_lettered);
}

#[test]
fn four_shards_take_about_a_quarter_of_the_writes_each() {
    let mut one = Scenario::stage(6).with_users(20_000);
    one.traffic.read_write_ratio = 1.0;
    one.arch.app_servers = 20;
    let mut four = one.clone();
    four.arch.shards = 4;
    let (u1, u4) = (steady(&one).utilization[&Tier::DbPrimary], steady(&four).utilization[&Tier::DbPrimary]);
    assert!(u4 < u1 * 0.4 && u4 > u1 * 0.2, "hottest primary: {u1:.2} with one shard, {u4:.2} with four");
}

#[test]
fn few_heavy_users_make_a_hot_shard() {
    let topo = sim_core::model::Topology::new(&{
        let mut s = Scenario::stage(10).with_users(20);
        s.arch.shards = 4;
        s
    });
    let hot = topo.shard_shares.iter().cloned().fold(0.0, f64::max);
    assert!(hot > 0.35, "20 users on 4 shards: the hottest holds {:.0} % of the traffic", hot * 100.0);
}

#[test]
fn scatter_gather_reads_wait_for_the_slowest_shard() {
    let mut s = Scenario::stage(10).with_users(50_000);
    s.arch.cache_ttl_s = 0.0;
    s.arch.replicas = 0;
    s.arch.cross_shard_share = 0.0;
    let local = steady(&s).latency_ms.p99;
    s.arch.cross_shard_share = 0.5;
    s.arch.shards = 16;
    let scattered = steady(&s).latency_ms.p99;
    assert!(scattered > local * 1.3, "p99 {local:.1} ms with single-shard reads, {scattered:.1} ms when half scatter over 16 shards");
}

#[test]
fn distant_users_wait_about_200_ms_until_a_region_is_near_them() {
    let mut s = Scenario::stage(9).with_users(10_000);
    s.traffic.worldwide = true;
    let one = steady(&s);
    assert!(one.latency_ms.p99 > 200.0, "one region: p99 {:.0} ms (Singapore–Virginia 180–220 ms)", one.latency_ms.p99);
    s.arch.regions = 3;
    let three = steady(&s);
    assert!(
        three.latency_ms.p95 < one.latency_ms.p95 / 2.0,
        "p95 {:.0} ms → {:.0} ms with three regions",
        one.latency_ms.p95,
        three.latency_ms.p95
    );
    // Writes still cross the ocean to the one primary.
    assert!(three.latency_ms.p99 > 100.0, "three regions: p99 {:.0} ms from cross-region writes", three.latency_ms.p99);
}

#[test]
fn a_region_outage_fails_its_users_until_geo_dns_moves_them() {
    let mut s = with_fault(Scenario::stage(11).with_users(10_000), FaultKind::RegionOutage, 60.0, 600.0);
    let f = series(&s);
    let during = at(&f, 90.0);
    let after = at(&f, 200.0);
    // North America's users (half of them) fail, except for static files the CDN still serves.
    assert!(during.error_rate > 0.2 && during.regions_up == 2, "before failover: {:.0} % errors", during.error_rate * 100.0);
    assert!(after.error_rate < 0.01, "after failover: {:.2} % errors", after.error_rate * 100.0);
    s.arch.regions = 1;
    let single = series(&s);
    let down = at(&single, 500.0);
    assert!(
        down.served_rps <= down.edges.edge * 1.001,
        "one region: only the CDN answers ({:.0} of {:.0} req/s)",
        down.served_rps,
        down.offered_rps
    );
}

#[test]
fn fan_out_to_many_services_stretches_the_tail() {
    let mut s = Scenario::stage(12).with_users(5_000);
    s.arch.services = 1;
    let one = steady(&s).latency_ms;
    s.arch.services = 20;
    s.arch.service_instances = 10;
    let twenty = steady(&s).latency_ms;
    // 1 − 0.99^20 = 18 % of requests meet a 100 ms hiccup.
    assert!(twenty.p95 > one.p95 + 80.0, "p95 {:.0} ms with 1 service, {:.0} ms with 20", one.p95, twenty.p95);
    assert!(twenty.p99 / twenty.p50 > 5.0, "20 services: p99 / p50 = {:.1}", twenty.p99 / twenty.p50);
}

#[test]
fn retries_amplify_load_on_an_overloaded_system() {
    let mut s = Scenario::stage(1).with_users(6_000);
    let calm = steady(&s);
    s.arch.resilience.retries = 3;
    let storm = steady(&s);
    assert!(storm.retry_rate > 0.2, "retries add {:.0} % more requests", storm.retry_rate * 100.0);
    assert!(
        storm.utilization[&Tier::App] >= calm.utilization[&Tier::App] - 0.01,
        "and the box stays saturated: {:.3} vs {:.3}",
        storm.utilization[&Tier::App],
        calm.utilization[&Tier::App]
    );
    // Request by request too, though the engines do not yet agree on how much (retries land on the same
    // saturated box at once and fail together, which the aggregate engine's independent-failure fixed point
    // does not capture): both only promise here that retries add load.
    s.duration_s = 300.0;
    let d = sim_core::des::system::run(&s, sim_core::des::system::DesOptions { sample_every: 10.0, ..Default::default() }).report.summary;
    assert!(d.retry_rate > 0.1, "des: retries add {:.0} % (aggregate: {:.0} %)", d.retry_rate * 100.0, storm.retry_rate * 100.0);
}

#[test]
fn a_rate_limit_turns_away_only_the_heaviest_users() {
    let mut s = Scenario::stage(7).with_users(1_000);
    // Each user averages 0.04 dynamic req/s = 2.4 per minute.
    s.arch.resilience.rate_limit_per_min = 6.7;
    let limited = steady(&s);
    assert!(
        limited.rate_limited_rate > 0.0 && limited.rate_limited_rate < 0.2,
        "seed 004's 100 per 15 min: {:.1} % get 429",
        limited.rate_limited_rate * 100.0
    );
    // Request by request (a token bucket per user holding 15 minutes of the limit), the same share is refused.
    let mut long = s.clone();
    long.duration_s = 3_600.0;
    let d =
        sim_core::des::system::run(&long, sim_core::des::system::DesOptions { sample_every: 60.0, warmup_fraction: 0.5, traces_per_s: 0 })
            .report
            .summary;
    assert!(
        (d.rate_limited_rate - limited.rate_limited_rate).abs() < 0.25 * limited.rate_limited_rate,
        "429s: {:.2} % request by request, {:.2} % aggregate",
        d.rate_limited_rate * 100.0,
        limited.rate_limited_rate * 100.0
    );
    s.arch.resilience.rate_limit_per_min = 1_000.0;
    assert_eq!(steady(&s).rate_limited_rate, 0.0);
}

#[test]
fn one_load_balancer_is_a_single_point_of_failure_and_a_pair_is_not() {
    let mut s = with_fault(Scenario::stage(5).with_users(5_000), FaultKind::KillLoadBalancer, 60.0, 600.0);
    s.arch.resilience.lb_ha = false;
    let single = series(&s);
    assert!(at(&single, 300.0).error_rate > 0.99, "a single load balancer: down until replaced (300 s)");
    assert!(at(&single, 400.0).error_rate < 0.01);
    // The request-level engine agrees, request by request.
    let d = sim_core::des::system::run(&s, sim_core::des::system::DesOptions { sample_every: 10.0, ..Default::default() }).report.series;
    assert!(
        at(&d, 300.0).error_rate > 0.99 && at(&d, 400.0).error_rate < 0.01,
        "des: {:.2} then {:.2}",
        at(&d, 300.0).error_rate,
        at(&d, 400.0).error_rate
    );
    s.arch.resilience.lb_ha = true;
    let pair = series(&s);
    assert!(at(&pair, 70.0).error_rate < 0.01, "an HA pair fails over in 5 s");
}

#[test]
fn a_connection_pool_queues_what_max_connections_would_refuse() {
    // The primary (8 vCPUs) at about 80 % busy with only 10 connections allowed.
    let mut s = Scenario::stage(5).with_users(20_000);
    s.arch.app_servers = 20;
    s.arch.cache_ttl_s = 0.0;
    s.arch.db_max_connections = 10;
    let refused = steady(&s);
    s.arch.resilience.db_pool = true;
    let pooled = steady(&s);
    assert!(
        refused.error_rate > 0.01 && pooled.error_rate < 1e-4,
        "errors {:.2} % without a pool, {:.4} % with",
        refused.error_rate * 100.0,
        pooled.error_rate * 100.0
    );
    assert!(pooled.latency_ms.p99 > refused.latency_ms.p99, "pooled queries wait instead");
}

#[test]
fn a_write_burst_puts_replicas_past_the_500_ms_alert() {
    let s = with_fault(Scenario::stage(6).with_users(50_000), FaultKind::WriteBurst, 60.0, 400.0);
    // 50,000 users write 180 times a second; the burst makes it 3,600, past a replica's 2,000 a second.
    for (engine, f) in both_series(&s) {
        let peak = f.iter().map(|x| x.replication_lag_ms).fold(0.0, f64::max);
        assert!(peak > 500.0, "{engine}: lag peaks at {peak:.0} ms");
        assert!(at(&f, 390.0).replication_lag_ms < 500.0, "{engine}: and recovers");
    }
}

#[test]
fn auto_scaling_on_a_daily_curve_costs_less_than_a_fleet_sized_for_the_peak() {
    let mut s = Scenario::stage(9).with_users(30_000);
    s.traffic.daily_curve = true;
    s.duration_s = 86_400.0;
    s.arch.jobs.share = 0.0;
    s.arch.autoscaling.max = 20;
    let day = fluid(&s, FluidOptions { dt: 1.0, sample_every: 60.0 }).series;
    let peak = day.iter().map(|x| x.instances).max().unwrap() as f64;
    let mean = day.iter().map(|x| x.instances as f64).sum::<f64>() / day.len() as f64;
    let saving = 1.0 - mean / peak;
    assert!(
        (0.3..0.7).contains(&saving),
        "{mean:.1} app servers on average against {peak} at the peak: {:.0} % saved (seed 000: 40–60 %)",
        saving * 100.0
    );
    let worst = day.iter().map(|x| x.error_rate).fold(0.0, f64::max);
    assert!(worst < 0.05, "while it grows: worst error rate {:.1} %", worst * 100.0);
}

#[test]
fn request_coalescing_tames_the_stampede_after_a_flush() {
    let run = |coalesce: bool| {
        // Very hot keys (Zipf 1.2), and a primary that is past saturation without the cache, with a pool so its
        // queue (and so each fill) can grow long.
        let mut s = with_fault(Scenario::stage(5).with_users(60_000), FaultKind::FlushCache, 60.0, 120.0);
        s.arch.app_servers = 8;
        s.traffic.zipf_alpha = 1.2;
        s.traffic.keys = 1_000_000;
        s.arch.resilience.db_pool = true;
        s.arch.cache_coalescing = coalesce;
        let f = series(&s);
        let db = |x: &Sample| x.tiers.iter().find(|t| t.name == Tier::DbPrimary).unwrap().utilization;
        f.iter().filter(|x| x.t_s > 60.0 && db(x) > 0.9).count()
    };
    let (stampede, coalesced) = (run(false), run(true));
    assert!(stampede > coalesced, "seconds the primary stays above 90 % after the flush: {stampede} without coalescing, {coalesced} with");
}

#[test]
fn scheduled_pre_warming_has_servers_up_before_the_morning_peak() {
    let run = |prewarm: u32| {
        let mut s = Scenario::stage(9).with_users(40_000);
        s.arch.jobs.share = 0.0;
        s.traffic.daily_curve = true;
        s.duration_s = 86_400.0;
        s.arch.autoscaling.max = 20;
        s.arch.autoscaling.prewarm = prewarm;
        fluid(&s, FluidOptions { dt: 1.0, sample_every: 60.0 }).series
    };
    let (plain, warm) = (run(0), run(10));
    let at8 = |f: &[Sample]| at(f, 8.0 * 3_600.0).instances;
    assert!(at8(&warm) >= 10 && at8(&warm) > at8(&plain), "instances at 08:00: {} pre-warmed, {} reactive", at8(&warm), at8(&plain));
    let worst =
        |f: &[Sample]| f.iter().filter(|x| (6.0 * 3_600.0..10.0 * 3_600.0).contains(&x.t_s)).map(|x| x.latency_ms.p99).fold(0.0, f64::max);
    assert!(
        worst(&warm) <= worst(&plain),
        "worst p99 on the morning ramp: {:.0} ms pre-warmed, {:.0} ms reactive",
        worst(&warm),
        worst(&plain)
    );
}
