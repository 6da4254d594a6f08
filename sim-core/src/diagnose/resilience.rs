//! Resilience rows: retries that feed a storm, a rate limit that refuses real users, and requests that fail.
use super::check::{Check, Trips};
use super::fix::Fix;
use crate::ids::RowId;

/// Client retries add load exactly when the system can least take it.
pub(super) const RETRY_STORM: Check = Check {
    id: RowId::RetryStorm,
    symptom: "Load climbs while errors climb",
    component: "Client retries",
    metric: "Extra load from retries",
    threshold: 0.2,
    trips: Trips::AtOrAbove,
    remedy: "Retry with exponential backoff and jitter; cap retries; shed load early",
    value: |cx| cx.summary.retry_rate,
    fix: |cx| (cx.a.resilience.retries > 1).then_some(Fix::Retries { to: 1 }),
};

/// The rate limit refuses a noticeable share of requests.
pub(super) const RATE_LIMITED: Check = Check {
    id: RowId::RateLimited,
    symptom: "Active users get 429 Too Many Requests",
    component: "Rate limit",
    metric: "Share of requests refused with 429",
    threshold: 0.01,
    trips: Trips::AtOrAbove,
    remedy: "Raise the limit for real users; keep it for abusive clients",
    value: |cx| cx.summary.rate_limited_rate,
    fix: |cx| Some(Fix::RateLimit { to: cx.a.resilience.rate_limit_per_min * 4.0 }),
};

/// Requests fail: the catch-all, pointing back at the rows above.
pub(super) const ERRORS: Check = Check {
    id: RowId::Errors,
    symptom: "Requests fail",
    component: "A saturated or dead tier",
    metric: "Error rate",
    threshold: 0.01,
    trips: Trips::AtOrAbove,
    remedy: "Fix the first live row above",
    value: |cx| cx.summary.error_rate,
    fix: |_| None,
};
