//! The seeds' figures, reproduced by the defaults: each test names the seed and the claim, and fails when the
//! model drifts out of the seed's range. (The queue's response time, seed 000's 2–3 s → ~50 ms, is checked in
//! `growth`; the rate limit's 100 requests per 15 minutes too.)
use sim_core::cache::Popularity;
use sim_core::fluid::steady_state;
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
    let app = bill.by_component["app"];
    assert!((20.0..=40.0).contains(&app), "the one server costs ${app:.2} a month");
    // Nothing else runs: the rest of the bill is the traffic it sends.
    for (part, usd) in &bill.by_component {
        assert!(part == "app" || part == "egress" || *usd == 0.0, "{part} costs ${usd:.2} on a single server");
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
    let (redis, db) = (s.tier_latency_ms["redis"], s.tier_latency_ms["db_primary"]);
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
        let asg = steady(&j.stages[i].scenario).bill.by_component["app"];
        let fixed = steady(&j.stages[i - 1].scenario.clone().with_users(users)).bill.by_component["app"];
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
