//! Rows about keeping the product and its users' data safe rather than fast: the batch job that fights users for
//! the database (seed 001), writes lost with a database that had no replica and no recent backup (seeds 000 and
//! 001), a database the internet can reach (seed 003), and a CDN serving one user's private page to another
//! (seed 000).
use super::check::{Check, Trips};
use super::fix::Fix;
use crate::ids::{Component, RowId};
use crate::scenario::Backups;

/// A scheduled job's heavy queries share the primary with users at busy hours.
pub(super) const BATCH: Check = Check {
    id: RowId::Batch,
    symptom: "Periodic latency spikes at predictable times",
    component: "Batch job contention",
    metric: "Primary CPU the scheduled job takes in busy hours",
    threshold: 0.10,
    trips: Trips::AtOrAbove,
    remedy: "Move batch jobs off-peak; run analytics on a dedicated read replica",
    value: |cx| {
        let job = &cx.a.ops.report;
        // Busy hours by the shape of the day, whether or not the run follows it.
        let day = crate::traffic::Traffic { daily_curve: true, ..cx.t.clone() };
        let busy = crate::policy::batch::in_busy_hours(job, |t| day.curve_at(t));
        if busy && !job.on_replica {
            let vcpus = if cx.db_on_app { cx.a.app_size.vcpus } else { cx.a.db_size.vcpus };
            job.vcpus / vcpus.max(1) as f64
        } else {
            0.0
        }
    },
    fix: |cx| {
        let job = &cx.a.ops.report;
        // A job short enough for the night moves there; one that is not gets a replica of its own.
        if job.start_hour.is_none() || job.on_replica {
            None
        } else if job.minutes <= 240.0 {
            Some(Fix::BatchOffPeak)
        } else {
            Some(Fix::AnalyticsReplica)
        }
    },
};

/// The database died with nothing to promote, and its backups missed writes.
pub(super) const DATA_LOSS: Check = Check {
    id: RowId::DataLoss,
    symptom: "Recent orders, posts or sign-ups are gone after the database died",
    component: "Backups and point-in-time recovery",
    metric: "Writes lost",
    threshold: 1.0,
    trips: Trips::AtOrAbove,
    remedy: "Automated backups with point-in-time recovery; a replica to promote",
    value: |cx| cx.summary.writes_lost,
    fix: |cx| match cx.a.ops.backups {
        Backups::None | Backups::Nightly => Some(Fix::PointInTimeRecovery),
        Backups::Pitr if cx.a.replicas == 0 && cx.a.db_separate => Some(Fix::Replicas { to: 1 }),
        Backups::Pitr => None,
    },
};

/// The database accepts connections from anywhere.
pub(super) const EXPOSED: Check = Check {
    id: RowId::Exposed,
    symptom: "Scanners and password guesses hit the database port",
    component: "Network segmentation (security groups)",
    metric: "Inner tiers the internet can reach",
    threshold: 1.0,
    trips: Trips::AtOrAbove,
    remedy: "Only the load balancer faces the internet; the database accepts the app servers' security group alone",
    value: |cx| cx.summary.internet_exposed.iter().filter(|&&t| t == Component::Database).count() as f64,
    fix: |cx| cx.a.ops.db_public.then_some(Fix::PrivateDatabase),
};

/// The CDN caches logged-in pages by URL: users get each other's pages.
pub(super) const POISONED: Check = Check {
    id: RowId::CdnPoisoning,
    symptom: "Users see someone else's account page",
    component: "CDN caching private pages (no Vary: Cookie)",
    metric: "Share of responses that are another user's page",
    threshold: 1e-6,
    trips: Trips::AtOrAbove,
    remedy: "Never cache authenticated responses at the edge: Vary: Cookie, or a separate uncached path for them",
    value: |cx| cx.summary.wrong_user_rate,
    fix: |cx| cx.a.ops.cdn_caches_private.then_some(Fix::NoPrivateCaching),
};
