//! App-tier rows: the app servers' CPU, the daily swing, sessions held in server memory and the auto-scaling
//! group at its maximum.
use super::check::{servers_for, vcpus_for, Check, Ctx, Trips};
use super::fix::Fix;
use super::SATURATED;
use crate::ids::RowId;
use crate::scenario::Sessions;

/// The app servers are saturated.
pub(super) const CPU: Check = Check {
    id: RowId::AppCpu,
    symptom: "High response latency, app CPU near 100 %",
    component: "App server compute",
    metric: "App CPU utilisation",
    threshold: SATURATED,
    trips: Trips::AtOrAbove,
    remedy: "Add stateless app servers behind the load balancer (separate the database and externalise sessions first)",
    value: |cx| cx.app,
    fix: |cx| Some(cpu_fix(cx)),
};

/// Seed 001's order of steps: a bigger box, then the database apart, then sessions out, then more servers.
fn cpu_fix(cx: &Ctx) -> Fix {
    let a = cx.a;
    if cx.db_on_app {
        if a.app_size.vcpus < 8 {
            Fix::BiggerAppServer { vcpus: vcpus_for(a.app_size, cx.app_offered).min(8) }
        } else {
            Fix::SeparateDatabase
        }
    } else if a.sessions == Sessions::Sticky && a.app_servers > 1 {
        Fix::SessionsToRedis
    } else if a.autoscaling.enabled {
        let serving = cx.summary.instances.max(1);
        let need = servers_for(serving, cx.app_offered);
        if serving < a.autoscaling.max {
            // The group may still grow, but not before the users wait: it adds servers a few at a time, each
            // after a boot. Start the busy hours with the fleet they need.
            Fix::AsgDesired { to: need.max(a.autoscaling.desired + 1).min(1_000) }
        } else {
            Fix::RaiseAsgMax { to: need.max(a.autoscaling.max + 1).min(1_000) }
        }
    } else {
        Fix::AppServers { to: servers_for(a.app_servers, cx.app_offered) }
    }
}

/// A dead server is still in the load balancer's pool: its share of requests fails until health checks notice.
pub(super) const DEAD: Check = Check {
    id: RowId::AppDown,
    symptom: "Some requests fail at random",
    component: "Dead app server still behind the load balancer",
    metric: "Dead servers in the pool",
    threshold: 1.0,
    trips: Trips::AtOrAbove,
    remedy: "Health checks often enough that a dead server leaves the pool in seconds; spare capacity to absorb its share",
    value: |cx| cx.summary.app_down as f64,
    fix: |cx| (cx.a.health_check_s > 5.0).then_some(Fix::HealthChecks { every_s: 5.0 }),
};

/// A fleet sized for the average sees its peak as a daily spike.
pub(super) const PERIODIC: Check = Check {
    id: RowId::Periodic,
    symptom: "Slow every day at the same busy hours",
    component: "Fleet sized for the average, not the peak",
    metric: "App CPU swing over the day",
    threshold: 0.5,
    trips: Trips::AtOrAbove,
    remedy: "Auto-scale, or scale on a schedule before the known peak",
    value: |cx| if cx.t.daily_curve { cx.app * (1.0 - cx.t.trough_fraction) } else { 0.0 },
    fix: |cx| (!cx.a.autoscaling.enabled && !cx.db_on_app).then_some(Fix::EnableAutoscaling),
};

/// Sessions kept in a server's memory die with it.
pub(super) const SESSIONS: Check = Check {
    id: RowId::Sessions,
    symptom: "Users logged out at random",
    component: "Sessions in server memory",
    metric: "Sessions lost",
    threshold: 1.0,
    trips: Trips::AtOrAbove,
    remedy: "Keep sessions in Redis so any server can serve any user",
    value: |cx| cx.summary.sessions_lost,
    fix: |cx| (cx.a.sessions == Sessions::Sticky).then_some(Fix::SessionsToRedis),
};

/// The auto-scaling group cannot grow any further.
pub(super) const ASG_MAX: Check = Check {
    id: RowId::AsgMax,
    symptom: "Latency climbs although auto-scaling is on",
    component: "Auto-scaling group at its maximum",
    metric: "Instances / maximum",
    threshold: 1.0,
    trips: Trips::AtOrAbove,
    remedy: "Raise the group's maximum",
    value: |cx| {
        let asg = &cx.a.autoscaling;
        if asg.enabled {
            cx.summary.instances as f64 / asg.max.max(1) as f64
        } else {
            0.0
        }
    },
    fix: |cx| {
        let asg = &cx.a.autoscaling;
        asg.enabled.then(|| Fix::RaiseAsgMax { to: servers_for(asg.max, cx.app_offered.max(asg.out_cpu)).max(asg.max + 1).min(1_000) })
    },
};
