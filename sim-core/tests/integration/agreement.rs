//! The two engines agree where both run: for every stage of the journey the request-level engine models
//! (every stage), with slow jobs inline and queued, with
//! services and shards (fan-out and scatter-gather) and with auto-scaling, at loads the request-level engine can simulate: steady-state
//! mean latency and utilisation within 5 %, p99 within 10 %, and the cache, CDN and error figures close.
use sim_core::agreement;
use sim_core::des::system::{run as des, DesOptions};
use sim_core::fluid::{run as fluid, FluidOptions};
use sim_core::ids::Tier;
use sim_core::report::Summary;
use sim_core::scenario::{Scenario, STAGES};

/// Every stage of the built-in journey: both engines run them all.
fn shared_stages() -> Vec<u32> {
    (1..=STAGES).collect()
}

fn both(s: &Scenario) -> (Summary, Summary) {
    let f = fluid(s, FluidOptions { dt: 1.0, sample_every: 10.0 }).summary;
    let d = des(s, DesOptions { sample_every: 10.0, warmup_fraction: 0.2, traces_per_s: 0 }).report.summary;
    (f, d)
}

/// `close` at one of the tolerances the page shows differences beyond (`sim_core::agreement`).
fn within(what: &str, fluid: f64, des: f64, tol: agreement::Tolerance) -> Result<(), String> {
    close(what, fluid, des, tol.rel, tol.abs)
}

fn close(what: &str, fluid: f64, des: f64, rel: f64, abs: f64) -> Result<(), String> {
    let diff = (fluid - des).abs();
    if diff <= abs || diff <= rel * des.abs() {
        Ok(())
    } else {
        Err(format!("{what}: fluid {fluid:.4} vs des {des:.4} ({:.1} % apart)", diff / des.abs().max(1e-12) * 100.0))
    }
}

/// Runs a stage at `users` long enough for the caches to warm and compares.
fn compare(stage: u32, users: u64, duration_s: f64) -> Vec<String> {
    compare_scenario(Scenario::stage(stage).with_users(users), duration_s)
}

fn compare_scenario(mut s: Scenario, duration_s: f64) -> Vec<String> {
    let (stage, users) = (s.stage, s.traffic.users);
    s.duration_s = duration_s;
    s.seed = 7 + stage as u64;
    let (f, d) = both(&s);
    let mut errors = Vec::new();
    let tag = format!("stage {stage} at {users} users");
    errors.extend(within(&format!("{tag} mean latency"), f.latency_ms.mean, d.latency_ms.mean, agreement::MEAN_MS).err());
    errors.extend(within(&format!("{tag} p99"), f.latency_ms.p99, d.latency_ms.p99, agreement::P99_MS).err());
    for (tier, u) in &d.utilization {
        let fu = f.utilization.get(tier).copied().unwrap_or(0.0);
        // The worker pool sees few, long jobs at light load: allow three standard deviations of the busy time the
        // request-level run measured, when that is more than 5 %. Busy time sums n exponential job times, a
        // Poisson number of them: its relative deviation is √((1 + cs²)/n) = √(2/n).
        let rel = if *tier == Tier::Workers {
            let jobs = fu * f.workers as f64 / (s.arch.jobs.job_ms / 1e3) * duration_s * 0.8;
            0.05f64.max(3.0 * (2.0 / jobs.max(1.0)).sqrt())
        } else {
            0.05
        };
        errors.extend(close(&format!("{tag} {tier} utilisation"), fu, *u, rel, 0.01).err());
        let (fo, d_o) = (f.offered_utilization.get(tier).copied().unwrap_or(0.0), d.offered_utilization[tier]);
        errors.extend(close(&format!("{tag} {tier} offered utilisation"), fo, d_o, rel, 0.01).err());
    }
    errors.extend(within(&format!("{tag} cache hit"), f.cache_hit_rate, d.cache_hit_rate, agreement::HIT_RATE).err());
    errors.extend(within(&format!("{tag} CDN hit"), f.cdn_hit_rate, d.cdn_hit_rate, agreement::HIT_RATE).err());
    errors.extend(within(&format!("{tag} error rate"), f.error_rate, d.error_rate, agreement::ERROR_RATE).err());
    errors
}

#[test]
fn engines_agree_with_and_without_a_connection_pool() {
    // The primary about 80 % busy with only 10 connections: refused queries without a pool, waits with one.
    let mut errors = Vec::new();
    for pool in [false, true] {
        let mut s = Scenario::stage(5).with_users(20_000);
        s.arch.app_servers = 20;
        s.arch.cache_ttl_s = 0.0;
        s.arch.db_max_connections = 10;
        s.arch.resilience.db_pool = pool;
        errors.extend(compare_scenario(s, 600.0));
    }
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}

#[test]
fn engines_agree_on_slow_jobs_inline_and_queued() {
    let mut errors = Vec::new();
    for queued in [false, true] {
        let mut s = Scenario::stage(7).with_users(10_000);
        s.traffic.read_write_ratio = 2.0;
        s.arch.jobs.share = 0.5;
        s.arch.jobs.queued = queued;
        // A pool about 90 % busy (the workers' utilisation is compared with the other tiers').
        s.arch.jobs.workers = 185;
        s.arch.jobs.max_workers = 185;
        errors.extend(compare_scenario(s, 600.0));
    }
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}

#[test]
fn engines_agree_on_every_stage_at_moderate_load() {
    let mut errors = Vec::new();
    for stage in shared_stages() {
        // Loads that put the stage's busiest tier at roughly 30–80 % utilisation.
        let users = match stage {
            1 => 2_500,
            2 => 8_000,
            3 => 12_000,
            4 => 15_000,
            _ => 20_000,
        };
        // Stage 1 sees the fewest requests and its p99 sits 7–9 % apart (the aggregate engine's gamma-shaped
        // waits): its run is long enough that sampling noise (±4 % over 600 s) does not push it past 10 %.
        errors.extend(compare(stage, users, if stage == 1 { 1_800.0 } else { 600.0 }));
    }
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}

#[test]
fn engines_agree_on_fan_out_and_scatter_gather() {
    // The request-level engine forks real calls and waits for the slowest; the aggregate engine approximates the
    // slowest of n as one visit with any-of-n waits and a gamma service of the maximum's mean and variance.
    let mut errors = Vec::new();
    let mut check = |name: &str, q: &str| {
        let mut s = sim_core::query::parse(q).scenario;
        s.duration_s = 600.0;
        s.seed = 11;
        let (f, d) = both(&s);
        errors.extend(within(&format!("{name} mean"), f.latency_ms.mean, d.latency_ms.mean, agreement::MEAN_MS).err());
        errors.extend(close(&format!("{name} p95"), f.latency_ms.p95, d.latency_ms.p95, 0.08, 0.5).err());
        errors.extend(within(&format!("{name} p99"), f.latency_ms.p99, d.latency_ms.p99, agreement::P99_MS).err());
        for (tier, u) in &d.utilization {
            let fu = f.utilization.get(tier).copied().unwrap_or(0.0);
            errors.extend(within(&format!("{name} {tier} utilisation"), fu, *u, agreement::UTILIZATION).err());
        }
        errors.extend(within(&format!("{name} error rate"), f.error_rate, d.error_rate, agreement::ERROR_RATE).err());
    };
    // Ten services of two instances each, about 40 % busy: every request waits for the slowest of ten calls.
    check("10 services", "v=1&stage=8&users=20000&services=10&svc_inst=2");
    // Three single-instance services at 80 %.
    check("3 busy services", "v=1&stage=8&users=20000&services=3&svc_inst=1");
    // Four shards with their primaries above 90 % and 30 % of reads scattered to all four.
    check("4 hot shards", "v=1&stage=5&users=20000&static=0&ttl=0&shards=4&xshard=0.3&replicas=0");
    // Eight shards, half the reads scattered over every shard's replicas.
    check("8 shards scatter", "v=1&stage=5&users=20000&static=0&ttl=0&shards=8&xshard=0.5&replicas=2");
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}

#[test]
fn engines_agree_on_auto_scaling() {
    // Stage 9's group (4 servers, out above 70 % for 120 s by 2, in below 30 % for 600 s by 1) under a load that
    // puts 4 servers near 88 %: both engines launch 2 more at the same check and settle at 6; under a light load
    // both shed servers at the same pace.
    for (q, want) in [("v=1&stage=9&users=70000&boot=45", 6), ("v=1&stage=9&users=8000&asg_desired=8", 6)] {
        let mut s = sim_core::query::parse(q).scenario;
        // Not a multiple of the scale-in time: a rule firing at the very last instant would be a coin toss.
        s.duration_s = 1_750.0;
        let f = fluid(&s, FluidOptions { dt: 1.0, sample_every: 10.0 });
        let d = des(&s, DesOptions { sample_every: 10.0, warmup_fraction: 0.2, traces_per_s: 0 }).report;
        let change =
            |series: &[sim_core::report::Sample]| series.iter().find(|p| p.instances != series[0].instances).map(|p| (p.t_s, p.instances));
        let (fc, dc) = (change(&f.series).expect("the fluid fleet changes"), change(&d.series).expect("the des fleet changes"));
        assert_eq!(fc.1, dc.1, "{q}: first change to {} (fluid) vs {} (des) servers", fc.1, dc.1);
        assert!((fc.0 - dc.0).abs() <= 20.0, "{q}: first change at {} s (fluid) vs {} s (des)", fc.0, dc.0);
        assert_eq!((f.summary.instances, d.summary.instances), (want, want), "{q}: final fleet");
        let (fu, du) = (f.series.last().unwrap(), d.series.last().unwrap());
        let cpu = |p: &sim_core::report::Sample| p.tiers.iter().find(|t| t.name == Tier::App).map_or(0.0, |t| t.utilization);
        assert!((cpu(fu) - cpu(du)).abs() < 0.05, "{q}: app CPU at the end {:.3} (fluid) vs {:.3} (des)", cpu(fu), cpu(du));
    }
}

#[test]
fn engines_agree_on_regions_and_a_region_outage() {
    // Users on three continents, one, two or three regions: the request-level engine runs every region (the
    // aggregate one simulates the busiest and lets it stand for the others).
    let mut errors = Vec::new();
    for regions in 1..=3 {
        let mut s = sim_core::query::parse(&format!("v=1&stage=11&users=20000&world=1&regions={regions}")).scenario;
        s.duration_s = 600.0;
        let (f, d) = both(&s);
        let tag = format!("{regions} region(s)");
        errors.extend(within(&format!("{tag} mean"), f.latency_ms.mean, d.latency_ms.mean, agreement::MEAN_MS).err());
        errors.extend(close(&format!("{tag} p95"), f.latency_ms.p95, d.latency_ms.p95, 0.05, 0.5).err());
        errors.extend(within(&format!("{tag} p99"), f.latency_ms.p99, d.latency_ms.p99, agreement::P99_MS).err());
        errors.extend(
            within(&format!("{tag} app utilisation"), f.utilization[&Tier::App], d.utilization[&Tier::App], agreement::UTILIZATION).err(),
        );
    }
    // The first region goes dark at 60 s: North America's half of the users fails until geo-DNS moves it (60 s),
    // and writes fail until a replica elsewhere is promoted.
    let mut s = sim_core::query::parse("v=1&stage=11&users=20000&world=1&regions=3&faults=kill_region@60").scenario;
    s.duration_s = 300.0;
    let f = fluid(&s, FluidOptions { dt: 1.0, sample_every: 10.0 }).series;
    let d = des(&s, DesOptions { sample_every: 10.0, warmup_fraction: 0.1, traces_per_s: 0 }).report.series;
    for t in [90.0, 200.0] {
        let (a, b) = (f.iter().find(|p| p.t_s >= t).unwrap(), d.iter().find(|p| p.t_s >= t).unwrap());
        errors.extend(close(&format!("error rate at {t} s of a region outage"), a.error_rate, b.error_rate, 0.05, 0.005).err());
        assert_eq!((a.regions_up, b.regions_up), (2, 2), "one region dark at {t} s");
    }
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}

#[test]
fn engines_agree_at_light_load() {
    let mut errors = Vec::new();
    // Light load warms the caches slowly: run longer so hit ratios settle.
    for stage in shared_stages() {
        errors.extend(compare(stage, 1_000, 1_800.0));
    }
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}

#[test]
fn request_level_cache_matches_the_ttl_formula() {
    // Stage 4: cache-aside with a 60 s TTL over 10,000 keys (ten per user) of the default Zipf skew; 36 reads/s.
    // Formula: H = Σ pᵢ·λᵢT/(1+λᵢT).
    let mut s = Scenario::stage(4).with_users(1_000);
    s.duration_s = 20_000.0;
    let (f, d) = both(&s);
    assert_eq!(s.traffic.key_count(), 10_000);
    let pop = sim_core::cache::Popularity::new(s.traffic.zipf_alpha, s.traffic.key_count());
    let reads = s.traffic.peak_rps() * (1.0 - s.traffic.static_share) * (1.0 - s.traffic.write_fraction());
    let formula = pop.ttl_hit_ratio(reads, 60.0);
    assert!((d.cache_hit_rate - formula).abs() < 0.005, "request-level hit ratio {:.4} vs TTL formula {formula:.4}", d.cache_hit_rate);
    assert!((f.cache_hit_rate - formula).abs() < 0.003, "aggregate hit ratio {:.4} vs TTL formula {formula:.4}", f.cache_hit_rate);
}

#[test]
fn engines_agree_past_saturation_with_and_without_retries() {
    // Stage 1 past what the box serves: its queue sits nearly full and waits are nearly deterministic (about
    // K/cμ), which the aggregate engine's gamma-shaped waits follow. A request's query comes back to the box it
    // just left and is not refused twice; failed requests are resent (a retry storm).
    let mut errors = Vec::new();
    for (users, retries) in [(4_000, 0), (4_000, 2), (6_000, 3)] {
        let mut s = Scenario::stage(1).with_users(users);
        s.arch.resilience.retries = retries;
        s.duration_s = 600.0;
        let f = sim_core::fluid::steady_state(&s).summary;
        let d = des(&s, DesOptions { sample_every: 10.0, warmup_fraction: 0.2, traces_per_s: 0 }).report.summary;
        let tag = format!("{users} users, {retries} retries");
        errors.extend(close(&format!("{tag}: p50"), f.latency_ms.p50, d.latency_ms.p50, 0.15, 1.0).err());
        errors.extend(close(&format!("{tag}: p99"), f.latency_ms.p99, d.latency_ms.p99, 0.20, 1.0).err());
        errors.extend(close(&format!("{tag}: error rate"), f.error_rate, d.error_rate, 0.0, 0.015).err());
        errors.extend(close(&format!("{tag}: retries per request"), f.retry_rate, d.retry_rate, 0.0, 0.20).err());
        // Demand over capacity goes past 1 where the busy share stops, in both engines alike. With retries the
        // request-level engine counts only the first visit's work of a refused attempt (its query never comes
        // back to the box), the aggregate engine the whole request's, so they are compared without retries.
        let (fo, d_o) = (f.offered_utilization[&Tier::App], d.offered_utilization[&Tier::App]);
        if retries == 0 {
            errors.extend(close(&format!("{tag}: app offered utilisation"), fo, d_o, 0.10, 0.0).err());
        }
        if fo <= 1.0 {
            errors.push(format!("{tag}: app offered utilisation {fo:.3} should be past 1 on a saturated box"));
        }
    }
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}

/// Issue 11's safety mechanisms, in both engines: what a restore loses under each backup policy, how often a CDN
/// caching logged-in pages serves one user's page to another, and the primary's load from a scheduled batch job.
#[test]
fn engines_agree_on_backups_private_pages_at_the_edge_and_the_batch_job() {
    use sim_core::scenario::{Backups, Fault, FaultKind};
    let mut errors = Vec::new();
    for backups in [Backups::None, Backups::Nightly, Backups::Pitr] {
        let mut s = Scenario::stage(3).with_users(10_000);
        s.arch.ops.backups = backups;
        s.faults = vec![Fault { at_s: 120.0, kind: FaultKind::KillDbPrimary }];
        s.duration_s = 600.0;
        let (f, d) = both(&s);
        errors.extend(close(&format!("{backups:?}: writes lost"), f.writes_lost, d.writes_lost, 0.05, 0.0).err());
    }
    let mut s = Scenario::stage(7).with_users(20_000);
    s.arch.ops.cdn_caches_private = true;
    s.duration_s = 600.0;
    let (f, d) = both(&s);
    errors.extend(close("pages served to the wrong user", f.wrong_user_rate, d.wrong_user_rate, 0.05, 0.0).err());
    errors.extend(
        close("app utilisation with private pages at the edge", f.utilization[&Tier::App], d.utilization[&Tier::App], 0.05, 0.0).err(),
    );
    // A job keeping one core of the eight busy from midnight. (Its p99 is not compared: one rare class of 0.5 s
    // queries among 8 ms ones is where the aggregate engine's Allen–Cunneen waits overstate the tail, 88 ms
    // against 70 ms here.)
    let mut s = Scenario::stage(3).with_users(10_000);
    s.arch.ops.report.start_hour = Some(0.0);
    s.arch.ops.report.vcpus = 1.0;
    s.duration_s = 600.0;
    let (f, d) = both(&s);
    errors.extend(
        close("primary utilisation with the batch job", f.utilization[&Tier::DbPrimary], d.utilization[&Tier::DbPrimary], 0.05, 0.0).err(),
    );
    errors.extend(close("mean latency with the batch job", f.latency_ms.mean, d.latency_ms.mean, 0.05, 0.0).err());
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}

#[test]
fn hedged_calls_cut_the_fan_out_tail_in_both_engines_and_they_agree() {
    // Stage 12's four services at a moderate load: a request meets a 100 ms hiccup in 1 − 0.99⁴ ≈ 3.9 % of cases,
    // so its p99 is the hiccup. Hedged, it waits 10 ms instead unless both copies stall (0.04 %).
    let mut errors = Vec::new();
    let mut p99 = Vec::new();
    for hedge in [false, true] {
        let mut s = sim_core::query::parse(&format!("v=1&stage=8&users=20000&services=4&svc_inst=3&hedge={}", hedge as u8)).scenario;
        s.duration_s = 600.0;
        s.seed = 5;
        let (f, d) = both(&s);
        let name = if hedge { "hedged" } else { "unhedged" };
        errors.extend(within(&format!("{name} mean"), f.latency_ms.mean, d.latency_ms.mean, agreement::MEAN_MS).err());
        errors.extend(within(&format!("{name} p99"), f.latency_ms.p99, d.latency_ms.p99, agreement::P99_MS).err());
        errors.extend(
            close(&format!("{name} services utilisation"), f.utilization[&Tier::Services], d.utilization[&Tier::Services], 0.05, 0.01)
                .err(),
        );
        p99.push((f.latency_ms.p99, d.latency_ms.p99));
    }
    assert!(errors.is_empty(), "{}", errors.join("\n"));
    // The hiccup (100 ms) leaves the p99 for the 10 ms hedge: at least 50 ms less in both engines.
    let [(f0, d0), (f1, d1)] = [p99[0], p99[1]];
    assert!(f0 - f1 > 50.0 && d0 - d1 > 50.0, "p99 unhedged {f0:.1} / {d0:.1} ms, hedged {f1:.1} / {d1:.1} ms");
}

#[test]
fn invalidation_on_write_removes_stale_cache_hits_in_both_engines_and_they_agree() {
    // A write-heavy cache stage without replicas: every stale read is a stale cache hit. With invalidation on
    // write none is, and an entry lives until its TTL or its key's next write: the hit ratio falls to the TTL
    // formula's at that shorter life.
    let mut hits = Vec::new();
    for invalidate in [false, true] {
        let mut s =
            sim_core::query::parse(&format!("v=1&stage=4&users=20000&rw=2&keys=20000&ttl=300&replicas=0&invalidate={}", invalidate as u8))
                .scenario;
        s.duration_s = 600.0;
        s.seed = 3;
        let (f, d) = both(&s);
        let errors: Vec<String> = [
            within("cache hit", f.cache_hit_rate, d.cache_hit_rate, agreement::HIT_RATE).err(),
            within("stale reads", f.stale_read_rate, d.stale_read_rate, agreement::STALE_RATE).err(),
        ]
        .into_iter()
        .flatten()
        .collect();
        assert!(errors.is_empty(), "invalidate={invalidate}: {}", errors.join("\n"));
        if invalidate {
            assert_eq!(f.stale_read_rate, 0.0);
            assert!(d.stale_read_rate < 0.002, "request-level stale share {:.4}", d.stale_read_rate);
        } else {
            assert!(
                f.stale_read_rate > 0.05 && d.stale_read_rate > 0.05,
                "stale without invalidation: {:.3} / {:.3}",
                f.stale_read_rate,
                d.stale_read_rate
            );
        }
        hits.push((f.cache_hit_rate, d.cache_hit_rate));
    }
    assert!(hits[1].0 < hits[0].0 && hits[1].1 < hits[0].1, "invalidation costs hits: {hits:?}");
}

/// The request-level engine starts its caches warm; copies filled before the run began must also be stale as
/// often as a running system's: their keys were written before the run too. With a one-hour TTL a five-minute
/// run reads mostly such copies: it once measured 8.7 % stale reads where the same system, run for 50 minutes,
/// settles at 37 %.
#[test]
fn a_warm_started_cache_is_as_stale_as_a_running_one() {
    let stale = |duration_s: f64| {
        let mut s = Scenario::stage(6).with_users(2_000);
        s.arch.cache_ttl_s = 3_600.0;
        s.arch.replicas = 0;
        s.duration_s = duration_s;
        des(&s, DesOptions { sample_every: 60.0, warmup_fraction: 0.1, traces_per_s: 0 }).report.summary.stale_read_rate
    };
    let (short, long) = (stale(300.0), stale(3_000.0));
    assert!(long > 0.2, "a one-hour TTL under writes serves many stale reads: {long}");
    assert!((short - long).abs() < 0.25 * long, "five minutes {short:.4} vs fifty {long:.4}");
}

/// One request-level run's stale-read share strays from the aggregate engine's average by chance, mostly through
/// rare writes to the most popular keys; `agreement::stale_spread` predicts how far. Over 100 seeds of a
/// twenty-minute run at stage 6 (2,000 users): the runs' mean is the aggregate's share within three standard
/// errors (no model gap — 16 or 24 seeds had suggested one), their spread is the predicted one within a factor of
/// 1.5, and at most 8 % of runs land further than twice it from the average (the page counts a gap as a difference
/// only beyond that). Measured once with 200 seeds: mean 0.747 % against 0.780 %, spread 0.300 % against 0.358 %
/// predicted, 5th–95th percentile 0.39–1.30 %, median 0.69 %.
#[test]
fn the_stale_read_spread_of_one_run_is_predicted_and_the_mean_is_the_aggregates() {
    let mut s = Scenario::stage(6).with_users(2_000);
    s.duration_s = 1_200.0;
    let opts = DesOptions { sample_every: 10.0, warmup_fraction: 0.1, traces_per_s: 0 };
    let aggregate = fluid(&s, FluidOptions { dt: 1.0, sample_every: 10.0 }).summary;
    let runs = 100;
    let shares: Vec<f64> = (1..=runs as u64)
        .map(|seed| {
            let mut run = s.clone();
            run.seed = seed;
            des(&run, opts).report.summary.stale_read_rate
        })
        .collect();
    let measured_s = s.duration_s * (1.0 - opts.warmup_fraction);
    let sd = agreement::stale_spread(&sim_core::model::Topology::new(&s), &aggregate, measured_s);
    let n = runs as f64;
    let mean = shares.iter().sum::<f64>() / n;
    let observed = (shares.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (n - 1.0)).sqrt();
    let se = observed / n.sqrt();
    let avg = aggregate.stale_read_rate;
    assert!((mean - avg).abs() < 3.0 * se, "mean {mean:.5} against the aggregate's {avg:.5} (se {se:.5})");
    assert!(observed / sd > 1.0 / 1.5 && observed / sd < 1.5, "observed spread {observed:.5} against predicted {sd:.5}");
    let outside = shares.iter().filter(|&&x| (x - avg).abs() > 2.0 * sd).count();
    assert!(outside as f64 <= 0.08 * n, "{outside} of {runs} runs beyond 2 sd ({sd:.5}) of {avg:.5}");
}
