//! Service-tier rows: the tail latency of fanning out to many services, and a saturated service.
use super::check::{servers_for, Check, Trips};
use super::fix::Fix;
use super::SATURATED;
use crate::ids::{RowId, Tier};

/// Fanning out to many services makes the slowest call everyone's tail: once more than 1 % of requests wait out
/// a stalled call, the p99 is that stall (each call stalls 1 % of the time; a request of K calls waits for the
/// slowest, so 1 − 0.99^K of requests do).
pub(super) const FAN_OUT: Check = Check {
    id: RowId::FanOut,
    symptom: "p99 far above p50",
    component: "Fan-out to services (tail at scale)",
    metric: "Requests waiting out a stalled service call",
    threshold: 0.01,
    trips: Trips::AtOrAbove,
    remedy: "Call fewer services per request; hedge or cache slow calls; set per-call timeouts",
    value: |cx| if cx.a.services > 1 { crate::model::stalled_shares(cx.a.services, cx.a.resilience.hedge).0 } else { 0.0 },
    fix: |cx| (!cx.a.resilience.hedge).then_some(Fix::HedgeCalls),
};

/// The service instances are saturated.
pub(super) const BUSY: Check = Check {
    id: RowId::Services,
    symptom: "Every request slows, one service pegged",
    component: "Service instances",
    metric: "Service CPU utilisation",
    threshold: SATURATED,
    trips: Trips::AtOrAbove,
    remedy: "Scale the busy service on its own",
    value: |cx| cx.util(Tier::Services),
    fix: |cx| (cx.a.services > 0).then(|| Fix::ServiceInstances { to: servers_for(cx.a.service_instances, cx.offered(Tier::Services)) }),
};
