//! Service-tier rows: the tail latency of fanning out to many services, and a saturated service.
use super::check::{servers_for, Check, Trips};
use super::fix::Fix;
use super::SATURATED;
use crate::ids::{RowId, Tier};

/// Fanning out to many services makes the slowest call everyone's tail.
pub(super) const FAN_OUT: Check = Check {
    id: RowId::FanOut,
    symptom: "p99 far above p50",
    component: "Fan-out to services (tail at scale)",
    metric: "p99 / p50",
    threshold: 10.0,
    trips: Trips::AtOrAbove,
    remedy: "Call fewer services per request; hedge or cache slow calls; set per-call timeouts",
    value: |cx| if cx.a.services > 1 { cx.summary.latency_ms.p99 / cx.summary.latency_ms.p50.max(1e-9) } else { 0.0 },
    fix: |_| None,
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
