//! Faults show their effect in the series and the system recovers, in both engines: a traffic spike, a cache flush
//! (cold cache, database load rising), a deploy (downtime on one server, none when rolling behind a load balancer,
//! sessions lost when they live in server memory), and a failed database primary (writes fail until failover).
use sim_core::des::system::{run as des, DesOptions};
use sim_core::fluid::{run as fluid, FluidOptions};
use sim_core::ids::{RowId, Tier};
use sim_core::report::Sample;
use sim_core::scenario::{Fault, FaultKind, Scenario, Sessions};

fn with_fault(mut s: Scenario, kind: FaultKind, at_s: f64, duration_s: f64) -> Scenario {
    s.faults = vec![Fault { at_s, kind }];
    s.duration_s = duration_s;
    s
}

fn at(series: &[Sample], t: f64) -> &Sample {
    series.iter().find(|x| x.t_s >= t).expect("a sample at that time")
}

#[test]
fn a_traffic_spike_triples_the_load_for_five_minutes() {
    let s = with_fault(Scenario::stage(5).with_users(5_000), FaultKind::TrafficSpike, 60.0, 600.0);
    for series in
        [fluid(&s, FluidOptions::default()).series, des(&s, DesOptions { sample_every: 10.0, ..DesOptions::default() }).report.series]
    {
        let before = at(&series, 50.0).offered_rps;
        let during = at(&series, 200.0).offered_rps;
        let after = at(&series, 500.0).offered_rps;
        assert!((during / before - 3.0).abs() < 0.3, "spike: {before:.0} → {during:.0} req/s");
        assert!((after / before - 1.0).abs() < 0.15, "after: {after:.0} vs {before:.0} req/s");
    }
}

#[test]
fn a_flushed_cache_starts_cold_loads_the_database_and_refills() {
    let s = with_fault(Scenario::stage(4).with_users(10_000), FaultKind::FlushCache, 120.0, 600.0);
    let f = fluid(&s, FluidOptions::default()).series;
    let steady = at(&f, 110.0).clone();
    let cold = at(&f, 121.0).clone();
    let db = |x: &Sample| x.tiers.iter().find(|t| t.name == Tier::DbPrimary).unwrap().utilization;
    assert!(
        cold.cache_hit_rate < steady.cache_hit_rate * 0.5,
        "hit {:.3} after the flush vs {:.3}",
        cold.cache_hit_rate,
        steady.cache_hit_rate
    );
    assert!(db(&cold) > db(&steady) * 1.3, "database {:.2} after the flush vs {:.2}", db(&cold), db(&steady));
    assert!((at(&f, 590.0).cache_hit_rate - steady.cache_hit_rate).abs() < 0.02, "refilled by the end");
    // The hottest keys refill within a second, so the request-level engine is looked at second by second.
    let d = des(&s, DesOptions { sample_every: 1.0, ..DesOptions::default() }).report.series;
    assert!(at(&d, 121.0).cache_hit_rate < at(&d, 115.0).cache_hit_rate * 0.6, "request-level cache is cold after the flush");
}

/// The series of both engines, named.
fn both(s: &Scenario) -> [(&'static str, Vec<Sample>); 2] {
    [
        ("fluid", fluid(s, FluidOptions::default()).series),
        ("des", des(s, DesOptions { sample_every: 5.0, ..DesOptions::default() }).report.series),
    ]
}

#[test]
fn a_deploy_takes_a_single_server_down_but_rolls_behind_a_load_balancer() {
    for (engine, single) in both(&with_fault(Scenario::stage(1), FaultKind::Deploy, 60.0, 300.0)) {
        assert!(at(&single, 75.0).error_rate > 0.99, "{engine}: single server restarting: everything fails");
        assert!(at(&single, 120.0).error_rate < 0.001, "{engine}: back after the restart");
    }
    for (engine, rolling) in both(&with_fault(Scenario::stage(5).with_users(5_000), FaultKind::Deploy, 60.0, 300.0)) {
        assert!(rolling.iter().all(|x| x.error_rate < 0.001), "{engine}: rolling deploy: no errors");
        assert!(at(&rolling, 75.0).instances < at(&rolling, 50.0).instances, "{engine}: one server out at a time");
        assert_eq!(rolling.last().unwrap().sessions_lost, 0.0);
    }
    let mut sticky = Scenario::stage(5).with_users(5_000);
    sticky.arch.sessions = Sessions::Sticky;
    for (engine, sticky) in both(&with_fault(sticky, FaultKind::Deploy, 60.0, 300.0)) {
        let lost = sticky.last().unwrap().sessions_lost;
        assert!((lost - 5_000.0).abs() < 1.0, "{engine}: every server restarted once: all 5,000 sessions lost, got {lost}");
    }
}

#[test]
fn a_failed_primary_fails_writes_until_a_replica_is_promoted() {
    let s = with_fault(Scenario::stage(6).with_users(5_000), FaultKind::KillDbPrimary, 60.0, 300.0);
    let t = &s.traffic;
    let write_share = (1.0 - t.static_share) * t.write_fraction();
    for (engine, f) in both(&s) {
        let during = at(&f, 75.0).error_rate;
        // The request-level engine's 5 s windows hold a few thousand requests: allow their sampling noise.
        assert!((during - write_share).abs() < 0.012, "{engine}: writes fail: {during:.3} vs write share {write_share:.3}");
        assert!(at(&f, 120.0).error_rate < 0.001, "{engine}: recovered after failover");
        let replicas = at(&f, 120.0).tiers.iter().find(|t| t.name == Tier::Replica).unwrap().nodes;
        assert_eq!(replicas, 1, "{engine}: one replica became the primary");
    }
    // Without replicas the database is down until the primary is restored: from a nightly snapshot, in five
    // minutes (point-in-time recovery would replay the log since the snapshot as well).
    let mut alone = Scenario::stage(3).with_users(5_000);
    alone.arch.ops.backups = sim_core::scenario::Backups::Nightly;
    for (engine, alone) in both(&with_fault(alone, FaultKind::KillDbPrimary, 60.0, 600.0)) {
        assert!(at(&alone, 200.0).error_rate > (1.0 - t.static_share) * 0.97, "{engine}: no replica: dynamic requests fail");
        assert!(at(&alone, 400.0).error_rate < 0.001, "{engine}: restored after five minutes");
    }
}

#[test]
fn a_failed_primary_of_a_sharded_database_fails_only_its_shards_writes() {
    // Four shards, the first one's primary dies: its users' writes fail until a replica is promoted; reads go
    // to the replicas meanwhile.
    let mut s = with_fault(Scenario::stage(10).with_users(20_000), FaultKind::KillDbPrimary, 60.0, 200.0);
    s.arch.autoscaling.enabled = false;
    let t = &s.traffic;
    let first = sim_core::model::Topology::new(&s).shard_shares[0];
    let want = (1.0 - t.static_share) * t.write_fraction() * first;
    for (engine, f) in both(&s) {
        let during = at(&f, 75.0).error_rate;
        assert!((during - want).abs() < 0.003, "{engine}: {during:.4} of requests fail, the first shard's writes are {want:.4}");
        assert!(at(&f, 120.0).error_rate < 0.001, "{engine}: recovered after failover");
    }
}

#[test]
fn an_outage_leads_the_table_while_it_lasts() {
    // Issue 13: during a database outage the headline is the dead database, not the static files or stale reads
    // that happen to be live beside it; a dead app server still in the pool leads until health checks notice.
    use sim_core::diagnose::{diagnose, headline};
    use sim_core::fluid::summary_of;
    use sim_core::model::Topology;
    // Stage 3 restores from a nightly snapshot (five minutes); stage 6 promotes a replica.
    let mut nightly = Scenario::stage(3).with_users(5_000);
    nightly.arch.ops.backups = sim_core::scenario::Backups::Nightly;
    for (s, t, id) in [
        (with_fault(nightly, FaultKind::KillDbPrimary, 60.0, 600.0), 90.0, RowId::DbDown),
        (with_fault(Scenario::stage(6).with_users(5_000), FaultKind::KillDbPrimary, 60.0, 600.0), 70.0, RowId::DbDown),
        (with_fault(Scenario::stage(5).with_users(5_000), FaultKind::KillAppServer, 60.0, 600.0), 65.0, RowId::AppDown),
    ] {
        let topo = Topology::new(&s);
        for (engine, series) in both(&s) {
            let moment = at(&series, t);
            let rows = diagnose(&s, &summary_of(&topo, moment));
            assert_eq!(headline(&rows).map(|r| r.id), Some(id), "{engine} stage {} at {t} s", s.stage);
            // Once it is over, the incident row is quiet again.
            let after = diagnose(&s, &summary_of(&topo, at(&series, 590.0)));
            assert!(after.iter().all(|r| r.id != id || !r.live), "{engine} stage {}: {id} still live at the end", s.stage);
        }
    }
}

#[test]
fn a_dead_load_balancer_fails_every_request_and_the_servers_behind_it_idle_in_both_engines() {
    // A lone load balancer dies at 60 s and is replaced in five minutes: everything fails at the door, so the app
    // servers behind it get no work (they used to stay busy in the aggregate engine), and both engines say the load
    // balancer is out.
    let mut s = with_fault(Scenario::stage(5).with_users(20_000), FaultKind::KillLoadBalancer, 60.0, 600.0);
    s.arch.resilience.lb_ha = false;
    let app = |x: &Sample| x.tiers.iter().find(|t| t.name == Tier::App).unwrap().utilization;
    for (engine, series) in both(&s) {
        let (before, during, after) = (at(&series, 50.0), at(&series, 200.0), at(&series, 500.0));
        assert!(app(before) > 0.1, "{engine}: app busy before ({:.3})", app(before));
        assert!(app(during) < 0.01, "{engine}: app idle behind the dead load balancer ({:.3})", app(during));
        assert!(during.error_rate > 0.99, "{engine}: every request fails ({:.3})", during.error_rate);
        assert_eq!((before.lb_down, during.lb_down, after.lb_down), (0, 1, 0), "{engine}");
        assert!(app(after) > 0.1 && after.error_rate < 0.01, "{engine}: back after the replacement");
    }
}
