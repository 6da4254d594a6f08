//! Two scenarios' summaries side by side: every figure of a [`Summary`] by its JSON name (per-tier and
//! per-component figures as `utilization.app`, `cost_usd_per_hour_by_component.cdn`, …), its unit, both values,
//! the change and whether the change is for the better.

use serde::Serialize;

use crate::report::Summary;

/// Which way a figure is better.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Better {
    /// Less is better (latency, errors, cost).
    Lower,
    /// More is better (requests served, cache hits).
    Higher,
    /// Neither: a size or a load, not a quality.
    Neither,
}

/// One figure of both summaries.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Delta {
    /// The figure's JSON name (dotted for a map's entry).
    pub metric: String,
    /// Its unit: "ms", "req/s", "share", "USD", "count" or "requests".
    pub unit: &'static str,
    /// Which way is better.
    pub better: Better,
    /// Scenario A's value.
    pub a: f64,
    /// Scenario B's value.
    pub b: f64,
    /// B − A.
    pub change: f64,
    /// Whether B is better than A (false when equal, or when neither way is better).
    pub improved: bool,
    /// Whether B is worse than A.
    pub worsened: bool,
}

/// Every numeric figure of `s`, by its JSON name, in the order the JSON prints them.
pub fn figures(s: &Summary) -> Vec<(String, f64)> {
    let mut out: Vec<(String, f64)> = Vec::new();
    let mut one = |name: &str, v: f64| out.push((name.to_owned(), v));
    one("offered_rps", s.offered_rps);
    one("served_rps", s.served_rps);
    one("error_rate", s.error_rate);
    one("latency_ms.mean", s.latency_ms.mean);
    one("latency_ms.p50", s.latency_ms.p50);
    one("latency_ms.p95", s.latency_ms.p95);
    one("latency_ms.p99", s.latency_ms.p99);
    for (map, name) in [
        (&s.utilization, "utilization"),
        (&s.offered_utilization, "offered_utilization"),
        (&s.tier_latency_ms, "tier_latency_ms"),
        (&s.queue_depth, "queue_depth"),
    ] {
        for (tier, v) in map {
            one(&format!("{name}.{}", tier.name()), *v);
        }
    }
    one("cache_hit_rate", s.cache_hit_rate);
    one("cdn_hit_rate", s.cdn_hit_rate);
    one("replication_lag_ms", s.replication_lag_ms);
    one("stale_read_rate", s.stale_read_rate);
    one("sessions_lost", s.sessions_lost);
    one("instances", s.instances as f64);
    one("cost_usd_per_hour", s.cost_usd_per_hour);
    one("cost_usd_per_month", s.cost_usd_per_month);
    one("cost_usd_per_million_requests", s.cost_usd_per_million_requests);
    for (c, v) in &s.cost_usd_per_hour_by_component {
        one(&format!("cost_usd_per_hour_by_component.{}", c.name()), *v);
    }
    one("jobs_waiting_s", s.jobs_waiting_s);
    one("jobs_dead_lettered", s.jobs_dead_lettered);
    one("workers", s.workers as f64);
    one("shards", s.shards as f64);
    one("regions", s.regions as f64);
    one("rate_limited_rate", s.rate_limited_rate);
    one("retry_rate", s.retry_rate);
    one("wrong_user_rate", s.wrong_user_rate);
    one("writes_lost", s.writes_lost);
    one("app_down", s.app_down as f64);
    one("primaries_down", s.primaries_down as f64);
    one("lb_down", s.lb_down as f64);
    one("downstream_down", s.downstream_down as f64);
    one("counts.offered", s.counts.offered);
    one("counts.served", s.counts.served);
    one("counts.rejected", s.counts.rejected);
    one("counts.in_flight", s.counts.in_flight);
    one("measured_window_s.from", s.measured_window_s.from);
    one("measured_window_s.to", s.measured_window_s.to);
    one("measured_counts.offered", s.measured_counts.offered);
    one("measured_counts.served", s.measured_counts.served);
    one("measured_counts.rejected", s.measured_counts.rejected);
    one("measured_counts.in_flight", s.measured_counts.in_flight);
    out
}

/// A figure's unit and which way is better, from its name.
pub fn unit_of(metric: &str) -> (&'static str, Better) {
    let leaf = metric.rsplit('.').next().unwrap_or(metric);
    let head = metric.split('.').next().unwrap_or(metric);
    match head {
        "latency_ms" | "tier_latency_ms" | "replication_lag_ms" => ("ms", Better::Lower),
        "utilization" | "offered_utilization" => ("share", Better::Neither),
        "queue_depth" => ("requests", Better::Lower),
        "cache_hit_rate" | "cdn_hit_rate" => ("share", Better::Higher),
        "served_rps" => ("req/s", Better::Higher),
        "offered_rps" => ("req/s", Better::Neither),
        "counts" | "measured_counts" if leaf == "served" => ("requests", Better::Higher),
        "counts" | "measured_counts" if leaf == "rejected" => ("requests", Better::Lower),
        "counts" | "measured_counts" => ("requests", Better::Neither),
        "measured_window_s" => ("s", Better::Neither),
        "jobs_waiting_s" => ("s", Better::Lower),
        "instances" | "workers" | "shards" | "regions" => ("count", Better::Neither),
        "sessions_lost" | "writes_lost" | "jobs_dead_lettered" | "app_down" | "primaries_down" | "lb_down" | "downstream_down" => {
            ("count", Better::Lower)
        }
        h if h.starts_with("cost_usd") => ("USD", Better::Lower),
        h if h.ends_with("_rate") => ("share", Better::Lower),
        _ => ("count", Better::Neither),
    }
}

/// Every figure of `a` and `b`, with the change from A to B. A figure only one summary has (a tier the other
/// design lacks) counts as 0 in the other.
pub fn deltas(a: &Summary, b: &Summary) -> Vec<Delta> {
    let (fa, fb) = (figures(a), figures(b));
    let mut names: Vec<&String> = fa.iter().map(|x| &x.0).collect();
    for (n, _) in &fb {
        if !names.contains(&n) {
            names.push(n);
        }
    }
    let get = |f: &[(String, f64)], n: &str| f.iter().find(|x| x.0 == n).map_or(0.0, |x| x.1);
    names
        .into_iter()
        .map(|n| {
            let (unit, better) = unit_of(n);
            let (va, vb) = (get(&fa, n), get(&fb, n));
            let change = vb - va;
            let scale = va.abs().max(vb.abs()).max(1e-12);
            let moved = change.abs() > 1e-9 * scale;
            let (improved, worsened) = match better {
                Better::Lower => (moved && change < 0.0, moved && change > 0.0),
                Better::Higher => (moved && change > 0.0, moved && change < 0.0),
                Better::Neither => (false, false),
            };
            Delta { metric: n.clone(), unit, better, a: va, b: vb, change, improved, worsened }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fluid::steady_state;
    use crate::Scenario;

    #[test]
    fn every_numeric_figure_of_the_json_is_compared() {
        let s = steady_state(&Scenario::stage(12).with_users(100_000)).summary;
        let json = serde_json::to_value(&s).unwrap();
        let mut leaves = Vec::new();
        fn walk(prefix: &str, v: &serde_json::Value, out: &mut Vec<String>) {
            match v {
                serde_json::Value::Number(_) => out.push(prefix.to_owned()),
                serde_json::Value::Object(m) => {
                    for (k, v) in m {
                        let p = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
                        walk(&p, v, out)
                    }
                }
                _ => {}
            }
        }
        walk("", &json, &mut leaves);
        let names: Vec<String> = figures(&s).into_iter().map(|x| x.0).collect();
        // The bill's own lines are the month's detail, compared through its total.
        for leaf in leaves.iter().filter(|l| !l.starts_with("bill.")) {
            assert!(names.contains(leaf), "{leaf} is not compared");
        }
    }

    #[test]
    fn more_replicas_cost_more_and_the_change_says_which_way_is_better() {
        let a = Scenario::stage(5).with_users(50_000);
        let mut b = a.clone();
        b.arch.replicas += 2;
        let d = deltas(&steady_state(&a).summary, &steady_state(&b).summary);
        let cost = d.iter().find(|x| x.metric == "cost_usd_per_month").unwrap();
        assert!(cost.change > 0.0 && cost.worsened && !cost.improved && cost.unit == "USD");
        let offered = d.iter().find(|x| x.metric == "offered_rps").unwrap();
        assert!(!offered.improved && !offered.worsened);
        let same = deltas(&steady_state(&a).summary, &steady_state(&a).summary);
        assert!(same.iter().all(|x| x.change == 0.0 && !x.improved && !x.worsened));
    }
}
