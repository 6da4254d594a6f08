//! Edge rows: the distance to the origin, a single load balancer, and static files served by the origin.
use super::check::{Check, Trips};
use super::fix::Fix;
use crate::ids::RowId;
use crate::scenario::Scenario;

/// Distant users wait on the round trip alone: not time spent queueing, which the other rows judge.
pub(super) const DISTANCE: Check = Check {
    id: RowId::Distance,
    symptom: "Response times over 200 ms for distant users",
    component: "Network round trips",
    metric: "Farthest users' round trip to their region (ms)",
    threshold: 200.0,
    trips: Trips::AtOrAbove,
    remedy: "Serve static assets from a CDN; cache at the edge; go multi-region",
    value: |cx| farthest_rtt_ms(cx.scenario),
    fix: |cx| {
        if !cx.a.cdn {
            Some(Fix::AddCdn)
        } else {
            // A second region copies the whole stack: worth it once one region's stack scales out (a load
            // balancer in front, the database on its own), not for a single box.
            let scales_out = cx.scenario.has_load_balancer() && cx.a.db_separate;
            (scales_out && cx.a.regions < 3).then_some(Fix::Regions { to: cx.a.regions + 1 })
        }
    },
};

/// The worst round trip any users have to the region serving them, in milliseconds.
fn farthest_rtt_ms(s: &Scenario) -> f64 {
    let regions = s.arch.regions.clamp(1, 3) as usize;
    crate::traffic::GEOS
        .iter()
        .enumerate()
        .filter(|(g, _)| s.traffic.worldwide || *g == 0)
        .map(|(_, geo)| geo.rtt_s[..regions].iter().cloned().fold(f64::INFINITY, f64::min))
        .fold(0.0, f64::max)
        * 1e3
}

/// The load balancer is out: every request through it fails until its standby takes over or it is replaced.
pub(super) const LB_DOWN: Check = Check {
    id: RowId::LbDown,
    symptom: "Every page fails at once",
    component: "Load balancer down",
    metric: "Load balancers out of service",
    threshold: 1.0,
    trips: Trips::AtOrAbove,
    remedy: "Run a pair: the standby takes over in seconds, where a lone one takes minutes to replace",
    value: |cx| cx.summary.lb_down as f64,
    fix: |cx| (!cx.a.resilience.lb_ha).then_some(Fix::LbPair),
};

/// A region is dark: its users fail until geo-DNS moves them to the next nearest region, which then carries them.
pub(super) const REGION_DOWN: Check = Check {
    id: RowId::RegionDown,
    symptom: "A continent's users all fail, then get slower",
    component: "Region dark",
    metric: "Regions out of service",
    threshold: 1.0,
    trips: Trips::AtOrAbove,
    remedy: "Run several regions behind geo-DNS with health checks (users move in about a minute) and room to take a neighbour's users",
    value: |cx| cx.a.regions.clamp(1, 3).saturating_sub(cx.summary.regions) as f64,
    fix: |cx| {
        let scales_out = cx.scenario.has_load_balancer() && cx.a.db_separate;
        (scales_out && cx.a.regions < 2).then_some(Fix::Regions { to: 2 })
    },
};

/// A lone load balancer is a single point of failure.
pub(super) const LB_SPOF: Check = Check {
    id: RowId::LbSpof,
    symptom: "One failure takes the site down",
    component: "A single load balancer",
    metric: "Load balancers that can fail alone",
    threshold: 1.0,
    trips: Trips::AtOrAbove,
    remedy: "Run the load balancer as a redundant pair (or a managed one)",
    value: |cx| if cx.scenario.has_load_balancer() && !cx.a.resilience.lb_ha { 1.0 } else { 0.0 },
    fix: |cx| (!cx.a.resilience.lb_ha).then_some(Fix::LbPair),
};

/// A busy origin spends its time serving files a CDN could serve.
pub(super) const STATIC: Check = Check {
    id: RowId::Static,
    symptom: "Origin busy serving files",
    component: "Static assets at the origin",
    metric: "Share of requests that are static files at the origin",
    threshold: 0.3,
    trips: Trips::AtOrAbove,
    remedy: "Serve static assets from a CDN",
    value: |cx| {
        // Only once the servers are busy: static files on an idle origin cost nothing anyone feels.
        if cx.app >= super::BUSY {
            cx.t.static_share * if cx.a.cdn { 1.0 - cx.summary.cdn_hit_rate } else { 1.0 }
        } else {
            0.0
        }
    },
    fix: |cx| (!cx.a.cdn).then_some(Fix::AddCdn),
};
