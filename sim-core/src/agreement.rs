//! How closely the two engines promise to agree, and where one run's two answers differ by more.
//!
//! The agreement tests (`tests/integration/agreement.rs`) hold the engines to these tolerances over every stage;
//! the page, running the request-level engine beside the aggregate one, shows a figure side by side only when the
//! two answers are further apart than promised — "p99 212 ms exact · 198 ms aggregate" is news, a 2 % wobble is not.
use serde::{Deserialize, Serialize};

use crate::report::Summary;

/// A figure agrees when the answers are within `abs` of each other, or within `rel` of the exact one.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Tolerance {
    /// Relative to the request-level engine's figure.
    pub rel: f64,
    /// Absolute, in the figure's unit.
    pub abs: f64,
}

impl Tolerance {
    /// Whether `aggregate` and `exact` agree.
    pub fn holds(&self, aggregate: f64, exact: f64) -> bool {
        let diff = (aggregate - exact).abs();
        diff <= self.abs || diff <= self.rel * exact.abs()
    }
}

/// Mean latency (ms).
pub const MEAN_MS: Tolerance = Tolerance { rel: 0.05, abs: 0.3 };
/// 99th-percentile latency (ms).
pub const P99_MS: Tolerance = Tolerance { rel: 0.10, abs: 0.5 };
/// A tier's busy share.
pub const UTILIZATION: Tolerance = Tolerance { rel: 0.05, abs: 0.01 };
/// Cache and CDN hit ratios.
pub const HIT_RATE: Tolerance = Tolerance { rel: 0.05, abs: 0.02 };
/// Share of requests that failed.
pub const ERROR_RATE: Tolerance = Tolerance { rel: 0.10, abs: 0.002 };
/// Share of reads answered with stale data.
pub const STALE_RATE: Tolerance = Tolerance { rel: 0.15, abs: 0.003 };

/// The headline figures of one engine's run, compared across engines.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Figures {
    /// Mean latency (ms).
    pub mean_ms: f64,
    /// 99th-percentile latency (ms).
    pub p99_ms: f64,
    /// Share of requests that failed.
    pub error_rate: f64,
    /// Query-cache hit ratio.
    pub cache_hit_rate: f64,
    /// Share of reads answered with stale data.
    pub stale_read_rate: f64,
    /// Requests answered per second.
    pub served_rps: f64,
    /// The aggregate engine's word on how far one request-level run's stale-read share strays from the average
    /// by chance: its standard deviation for a run measured as long ([`stale_spread`]); 0 where not worked out.
    pub stale_spread: f64,
}

impl Figures {
    /// The figures of a run's summary.
    pub fn of(s: &Summary) -> Figures {
        Figures {
            mean_ms: s.latency_ms.mean,
            p99_ms: s.latency_ms.p99,
            error_rate: s.error_rate,
            cache_hit_rate: s.cache_hit_rate,
            stale_read_rate: s.stale_read_rate,
            served_rps: s.served_rps,
            stale_spread: 0.0,
        }
    }
}

/// The standard deviation of the stale-read share a request-level run of `topo`'s scenario measures over
/// `measured_s` seconds, around the aggregate engine's average in `summary`: the query cache's episodes of stale
/// reads (`Popularity::ttl_stale_spread`) at the busiest region's read and write rates. 0 without a cache or with
/// invalidation on write (no cached read is stale then).
pub fn stale_spread(topo: &crate::model::Topology, summary: &Summary, measured_s: f64) -> f64 {
    let s = &topo.scenario;
    if topo.cache_curve.is_none() || s.arch.cache_invalidate {
        return 0.0;
    }
    let region = crate::policy::geo_dns::loads(s.traffic.worldwide, s.arch.regions as usize, None).busiest().1;
    let dynamic = summary.served_rps * (1.0 - s.traffic.static_share) * region;
    let w = s.traffic.write_fraction();
    topo.keys.ttl_stale_spread(dynamic * (1.0 - w), dynamic * w, s.arch.cache_ttl_s, measured_s)
}

/// How far apart the two stale-read shares may be: the promised tolerance, or twice the spread one run of this
/// length shows by chance (about 95 % of runs land within it), whichever is wider.
pub fn stale_tolerance(aggregate: &Figures) -> Tolerance {
    Tolerance { abs: STALE_RATE.abs.max(2.0 * aggregate.stale_spread), ..STALE_RATE }
}

/// Which figure differs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Figure {
    MeanMs,
    P99Ms,
    ErrorRate,
    CacheHitRate,
    StaleReadRate,
}

/// A figure whose two answers are further apart than the engines promise.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Difference {
    /// The figure.
    pub figure: Figure,
    /// The request-level engine's answer.
    pub exact: f64,
    /// The aggregate engine's answer.
    pub aggregate: f64,
}

/// The figures on which `exact` and `aggregate` disagree by more than their tolerance, in the order a reader
/// cares about: latency, errors, the cache, stale reads.
pub fn differences(exact: &Figures, aggregate: &Figures) -> Vec<Difference> {
    [
        (Figure::P99Ms, P99_MS, exact.p99_ms, aggregate.p99_ms),
        (Figure::MeanMs, MEAN_MS, exact.mean_ms, aggregate.mean_ms),
        (Figure::ErrorRate, ERROR_RATE, exact.error_rate, aggregate.error_rate),
        (Figure::CacheHitRate, HIT_RATE, exact.cache_hit_rate, aggregate.cache_hit_rate),
        (Figure::StaleReadRate, stale_tolerance(aggregate), exact.stale_read_rate, aggregate.stale_read_rate),
    ]
    .into_iter()
    .filter(|&(_, tol, e, a)| !tol.holds(a, e))
    .map(|(figure, _, exact, aggregate)| Difference { figure, exact, aggregate })
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_figure_differs_only_beyond_its_tolerance() {
        let exact = Figures { p99_ms: 212.0, mean_ms: 40.0, error_rate: 0.01, cache_hit_rate: 0.8, ..Figures::default() };
        // p99 within 10 %, mean within 5 %, errors within 10 %: nothing to show.
        let close = Figures { p99_ms: 195.0, mean_ms: 38.5, error_rate: 0.0095, cache_hit_rate: 0.79, ..Figures::default() };
        assert!(differences(&exact, &close).is_empty());
        // p99 11 % apart and the cache 4 points apart (more than 0.02 and 5 % of 0.8).
        let far = Figures { p99_ms: 188.0, cache_hit_rate: 0.76, ..close };
        let d = differences(&exact, &far);
        assert_eq!(d.iter().map(|d| d.figure).collect::<Vec<_>>(), vec![Figure::P99Ms, Figure::CacheHitRate]);
        assert_eq!((d[0].exact, d[0].aggregate), (212.0, 188.0));
        // Tiny absolute gaps never count: 0.2 ms on a 1 ms mean.
        assert!(MEAN_MS.holds(1.2, 1.0));
        // Stale reads 0.44 % against 0.78 %: a difference unless runs this long spread that far by chance.
        let exact = Figures { stale_read_rate: 0.0044, ..Figures::default() };
        let aggregate = Figures { stale_read_rate: 0.0078, ..Figures::default() };
        assert_eq!(differences(&exact, &aggregate).len(), 1);
        assert!(differences(&exact, &Figures { stale_spread: 0.0025, ..aggregate }).is_empty());
    }
}
