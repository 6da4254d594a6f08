//! The seeds' figures, reproduced by the defaults: each test names the seed and the claim, and fails when the
//! model drifts out of the seed's range. (The queue's response time, seed 000's 2–3 s → ~50 ms, is checked in
//! `growth`; the rate limit's 100 requests per 15 minutes too.)
use sim_core::cache::Popularity;
use sim_core::fluid::steady_state;
use sim_core::ids::{Component, RowId, Tier};
use sim_core::journey::journeys;
use sim_core::report::Summary;
use sim_core::scenario::Scenario;
use sim_core::traffic::ZIPF_ALPHA;

fn steady(s: &Scenario) -> Summary {
    steady_state(s).summary
}

#[test]
fn seeds_000_001_the_first_server_costs_20_to_40_dollars_a_month() {
    // Seed 000: one t3.medium for about $30 a month; seed 001: a $20–40 VPS.
    let bill = steady(&Scenario::stage(1).with_users(1_000)).bill;
    let app = bill.by_component[&Component::App];
    assert!((20.0..=40.0).contains(&app), "the one server costs ${app:.2} a month");
    // Nothing else runs: the rest of the bill is the traffic it sends.
    for (part, usd) in &bill.by_component {
        assert!(*part == Component::App || *part == Component::Egress || *usd == 0.0, "{part} costs ${usd:.2} on a single server");
    }
}

#[test]
fn seed_001_the_hottest_rows_take_about_80_percent_of_reads() {
    // Seed 001: "roughly 80 %" of database reads are for the same hot rows. The hottest 1 % of keys, from a small
    // site's 100,000 keys to a large one's 10,000,000.
    for keys in [100_000u64, 1_000_000, 10_000_000] {
        let share = Popularity::new(ZIPF_ALPHA, keys).share_of_top(0.01);
        assert!((0.70..=0.90).contains(&share), "{keys} keys: the hottest 1 % take {:.1} % of reads", share * 100.0);
    }
}

#[test]
fn seed_000_a_60_s_cache_absorbs_80_to_95_percent_of_reads() {
    // Seed 000: a well-tuned cache absorbs 80–95 % of reads, with a TTL of e.g. 60 s (the cache stage's default).
    // Keys are read more often as users grow, so the ratio climbs with them: 79 % at 30,000 users, where a
    // longer TTL (the table's fix) is what tunes it.
    for users in [50_000u64, 100_000, 1_000_000, 10_000_000] {
        let s = Scenario::stage(4).with_users(users);
        assert_eq!(s.arch.cache_ttl_s, 60.0);
        let hit = steady(&s).cache_hit_rate;
        assert!((0.80..=0.95).contains(&hit), "{users} users: hit ratio {:.1} %", hit * 100.0);
    }
}

#[test]
fn seed_004_a_five_minute_ttl_hits_about_85_percent() {
    // Seed 004: 85 % hits with a 5-minute TTL (its startup serves tens of thousands of users).
    for users in [10_000u64, 50_000] {
        let mut s = Scenario::stage(4).with_users(users);
        s.arch.cache_ttl_s = 300.0;
        let hit = steady(&s).cache_hit_rate;
        assert!((0.80..=0.90).contains(&hit), "{users} users: hit ratio {:.1} %", hit * 100.0);
    }
}

#[test]
fn seed_000_redis_answers_in_about_a_millisecond_and_the_database_in_tens() {
    // Seed 000: a database round trip of ~20 ms against ~1 ms from Redis; seed 001: Redis ~0.5 ms.
    let s = steady(&Scenario::stage(4).with_users(20_000));
    let (redis, db) = (s.tier_latency_ms[&Tier::Redis], s.tier_latency_ms[&Tier::DbPrimary]);
    assert!((0.3..=1.5).contains(&redis), "Redis visit {redis:.2} ms");
    assert!(db >= 5.0 * redis, "a database visit ({db:.1} ms) should cost many Redis visits ({redis:.2} ms)");
}

#[test]
fn seeds_000_001_replicas_lag_10_to_100_ms() {
    // Seeds 000 and 001: asynchronous replicas run 10–100 ms behind the primary in normal operation.
    for users in [20_000u64, 100_000] {
        let lag = steady(&Scenario::stage(6).with_users(users)).replication_lag_ms;
        assert!((10.0..=100.0).contains(&lag), "{users} users: lag {lag:.1} ms");
    }
}

#[test]
fn seed_000_auto_scaling_cuts_the_app_fleets_bill_40_to_60_percent() {
    // Seed 000: an auto-scaling group following the day costs 40–60 % less than the fixed fleet before it. Every
    // journey's first auto-scaling stage against its previous stage at the same users, over a month of days.
    let mut checked = 0;
    for j in journeys() {
        let Some(i) = j.stages.iter().position(|st| st.scenario.arch.autoscaling.enabled) else { continue };
        if i == 0 || j.stages[i - 1].scenario.arch.autoscaling.enabled {
            continue;
        }
        let users = j.stages[i].users;
        let asg = steady(&j.stages[i].scenario).bill.by_component[&Component::App];
        let fixed = steady(&j.stages[i - 1].scenario.clone().with_users(users)).bill.by_component[&Component::App];
        let saving = 1.0 - asg / fixed;
        assert!(
            (0.40..=0.60).contains(&saving),
            "{} stage {}: app fleet ${asg:.0} a month against ${fixed:.0} fixed: {:.0} % saved",
            j.name,
            i + 1,
            saving * 100.0
        );
        checked += 1;
    }
    assert!(checked >= 2, "only {checked} journeys have an auto-scaling stage after a fixed one");
}

#[test]
fn seeds_000_001_backups_decide_what_a_dead_database_takes_with_it() {
    // Seed 000: losing the database means losing the product, so turn on backups and point-in-time recovery when
    // it moves to its own server; seed 001: nightly backups. The primary dies at 02:00 after a day of traffic.
    use sim_core::scenario::{Backups, Fault, FaultKind};
    let lost = |backups: Backups, replicas: u32| {
        let mut s = Scenario::stage(3).with_users(10_000);
        s.arch.ops.backups = backups;
        s.arch.replicas = replicas;
        s.traffic.daily_curve = true;
        s.faults = vec![Fault { at_s: 26.0 * 3_600.0, kind: FaultKind::KillDbPrimary }];
        s.duration_s = 27.0 * 3_600.0;
        let r = sim_core::fluid::run(&s, sim_core::fluid::FluidOptions::default());
        let down = r.series.iter().filter(|x| x.t_s > 26.0 * 3_600.0 && x.error_rate > 0.05).count();
        (r.summary.writes_lost, down)
    };
    let (none, _) = lost(Backups::None, 0);
    let (nightly, nightly_down) = lost(Backups::Nightly, 0);
    let (pitr, pitr_down) = lost(Backups::Pitr, 0);
    let (replica, replica_down) = lost(Backups::Pitr, 1);
    // 23 hours since the last 03:00 snapshot, five minutes since the archive, nothing with a replica to promote.
    assert!(none > nightly && nightly > 100.0 * pitr, "none {none:.0}, nightly {nightly:.0}, pitr {pitr:.0}");
    let writes_per_s = 10_000.0 * 0.05 * (1.0 - 0.6) / 11.0;
    assert!(pitr <= writes_per_s * 300.0 * 1.01, "PITR loses at most five minutes of writes: {pitr:.0}");
    assert_eq!(replica, 0.0);
    // Recovering to the last five minutes replays the log since the snapshot: a longer outage than the snapshot
    // alone, and far longer than promoting a replica.
    assert!(
        pitr_down > nightly_down && nightly_down > replica_down,
        "outage samples: pitr {pitr_down}, nightly {nightly_down}, replica {replica_down}"
    );
}

#[test]
fn seed_001_a_batch_job_at_the_peak_is_a_live_row_and_both_fixes_clear_it() {
    // Seed 001: periodic latency spikes at predictable times → batch job contention → move batch jobs off-peak;
    // use a dedicated read replica for analytics.
    use sim_core::diagnose::{diagnose, Fix};
    let mut s = Scenario::stage(3).with_users(10_000);
    s.arch.ops.report.start_hour = Some(9.5);
    let row = |s: &Scenario| diagnose(s, &steady(s)).into_iter().find(|r| r.id == RowId::Batch).unwrap();
    let live = row(&s);
    assert!(live.live && live.fix == Some(Fix::BatchOffPeak), "{live:?}");
    let busy = steady(&s).utilization[&Tier::DbPrimary];
    for fix in [Fix::BatchOffPeak, Fix::AnalyticsReplica] {
        let fixed = fix.apply(&s);
        assert!(!row(&fixed).live, "{fix:?} clears the row");
        assert!(steady(&fixed).utilization[&Tier::DbPrimary] < busy - 0.3, "{fix:?} takes the job's load off the primary");
    }
    // The analytics replica is a machine of its own on the bill.
    let replica = Fix::AnalyticsReplica.apply(&s);
    assert!(steady(&replica).bill.by_component[&Component::Database] > steady(&s).bill.by_component[&Component::Database] * 1.9);
}

#[test]
fn seeds_000_003_a_cdn_caching_private_pages_and_an_open_database_are_live_rows_with_fixes() {
    use sim_core::diagnose::{diagnose, Fix};
    // Seed 000: a CDN that caches authenticated pages without the session in its cache key serves one user's
    // private data to another. The origin looks healthier for it, which is the trap.
    let mut s = Scenario::stage(7).with_users(20_000);
    s.arch.ops.cdn_caches_private = true;
    s.arch.ops.db_public = true;
    let sum = steady(&s);
    assert!(sum.wrong_user_rate > 0.05, "{:.3} of responses are someone else's page", sum.wrong_user_rate);
    assert!(sum.utilization[&Tier::App] < steady(&Scenario::stage(7).with_users(20_000)).utilization[&Tier::App]);
    assert_eq!(sum.internet_exposed, [Component::LoadBalancer, Component::Cdn, Component::Database]);
    let rows = diagnose(&s, &sum);
    let fix = |id: RowId| rows.iter().find(|r| r.id == id).filter(|r| r.live).and_then(|r| r.fix);
    assert_eq!(fix(RowId::CdnPoisoning), Some(Fix::NoPrivateCaching));
    // Seed 003: security groups let only the load balancer face the internet.
    assert_eq!(fix(RowId::Exposed), Some(Fix::PrivateDatabase));
    let fixed = Fix::PrivateDatabase.apply(&Fix::NoPrivateCaching.apply(&s));
    let after = steady(&fixed);
    assert_eq!(after.wrong_user_rate, 0.0);
    assert_eq!(after.internet_exposed, [Component::LoadBalancer, Component::Cdn]);
}

#[test]
fn seed_001_three_replicas_carry_three_to_four_times_the_reads() {
    // Seed 001: adding 1–3 read replicas; three give about four times the read capacity (the primary's own share
    // plus three copies). Reads here go to the replicas only, so the model's figure is the low end: 3×.
    let mut s = Scenario::stage(6).with_users(10_000);
    s.arch.cache_ttl_s = 0.0;
    s.arch.replicas = 0;
    let alone = steady(&s);
    let t = &s.traffic;
    let writes = t.peak_rps() * (1.0 - t.static_share) * t.write_fraction();
    let reads = t.peak_rps() * (1.0 - t.static_share) - writes;
    let vcpus = s.arch.db_size.vcpus as f64;
    let read_busy = reads * s.arch.work.db_read_ms / 1e3 / vcpus;
    assert!((alone.utilization[&Tier::DbPrimary] - read_busy - writes * s.arch.work.db_write_ms / 1e3 / vcpus).abs() < 0.02);
    s.arch.replicas = 3;
    let spread = steady(&s);
    let capacity = read_busy / spread.utilization[&Tier::Replica];
    assert!((2.9..=4.1).contains(&capacity), "three replicas carry {capacity:.2}× the reads one primary could");
}

#[test]
fn seed_000_stale_reads_last_about_a_ttl_and_a_shorter_one_clears_the_row() {
    // Seed 000: data can be stale for up to a TTL after an update. A 5-minute TTL over a large user base reads
    // stale a few times in a hundred; the table's fix shortens it while keeping the hit ratio at its target.
    use sim_core::diagnose::{diagnose, Fix};
    let j = sim_core::journey::journey("startup").unwrap();
    let s = j.stages[2].scenario.clone();
    assert_eq!(s.arch.cache_ttl_s, 300.0);
    let before = steady(&s);
    let row = diagnose(&s, &before).into_iter().find(|r| r.id == RowId::Stale).unwrap();
    assert!(row.live && (0.01..0.10).contains(&before.stale_read_rate), "{:.3}", before.stale_read_rate);
    let Some(Fix::LowerTtl { to }) = row.fix else { panic!("{:?}", row.fix) };
    let fixed = row.fix.unwrap().apply(&s);
    let after = steady(&fixed);
    assert!(after.stale_read_rate < 0.01, "TTL {to} s: {:.4} stale", after.stale_read_rate);
    assert!(after.cache_hit_rate >= 0.80, "TTL {to} s keeps {:.3} hits", after.cache_hit_rate);
}
