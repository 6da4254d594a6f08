//! One request's waterfall: a row per hop (a fan-out's calls indented under it), each a bar on one millisecond
//! axis made of its network, queue-wait and service parts, with the hop's outcome in words. Pure, so the page's
//! SVG and its text alternative come from the same rows, and both are tested natively.
use sim_core::des::trace::{Class, Hop, Node, NodeKind, Outcome, Trace};
use sim_core::traffic::GEOS;

use super::axis::{value_axis, Axis};

/// One row of the waterfall.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    /// 0 for the request's own hops, 1 for a fan-out's calls.
    pub depth: u8,
    /// The node, in words ("App server 3").
    pub label: String,
    /// Start (ms from the request's start), and the three parts of the bar (ms).
    pub at_ms: f64,
    pub net_ms: f64,
    pub wait_ms: f64,
    pub service_ms: f64,
    /// What happened there, in words.
    pub outcome: &'static str,
    /// Whether the request failed there (drawn and said as a failure).
    pub failed: bool,
    /// The client's attempt the hop belongs to (from 1).
    pub attempt: u32,
}

impl Row {
    /// Where the bar ends (ms).
    pub fn end_ms(&self) -> f64 {
        self.at_ms + self.net_ms + self.wait_ms + self.service_ms
    }
}

/// The rows of `trace`, in order, each fan-out followed by its calls.
pub fn rows(trace: &Trace) -> Vec<Row> {
    let mut out = Vec::with_capacity(trace.hops.len() + 4);
    for hop in &trace.hops {
        out.push(row(hop, 0));
        out.extend(hop.calls.iter().map(|c| row(c, 1)));
    }
    out
}

fn row(hop: &Hop, depth: u8) -> Row {
    Row {
        depth,
        label: node_label(&hop.node),
        at_ms: finite(hop.at_ms),
        net_ms: finite(hop.net_ms),
        wait_ms: finite(hop.wait_ms),
        service_ms: finite(hop.service_ms),
        outcome: outcome_words(hop.outcome),
        failed: failed(hop.outcome),
        attempt: hop.attempt.max(1),
    }
}

fn finite(v: f64) -> f64 {
    if v.is_finite() {
        v.max(0.0)
    } else {
        0.0
    }
}

/// A node in words, numbered from 1 as the diagram numbers them.
pub fn node_label(node: &Node) -> String {
    let n = node.index + 1;
    match node.kind {
        NodeKind::Edge => format!("CDN edge {n}"),
        NodeKind::Region => format!("To {}", GEOS.get(node.region as usize).map_or("the region", |g| g.name)),
        NodeKind::LoadBalancer => "Load balancer".to_owned(),
        NodeKind::App => format!("App server {n}"),
        NodeKind::Session => format!("Session in Redis {n}"),
        NodeKind::Cache => format!("Cache (Redis {n})"),
        NodeKind::Primary => format!("Primary {n}"),
        NodeKind::Replica => format!("Replica {n}"),
        NodeKind::Queue => "Job queue".to_owned(),
        NodeKind::Job => "Slow job".to_owned(),
        NodeKind::Services => "Services (fan-out)".to_owned(),
        NodeKind::Service => format!("Service {n}"),
        NodeKind::Shards => "All shards (scatter-gather)".to_owned(),
        NodeKind::Retry => "Client retry".to_owned(),
    }
}

/// The diagram's tier (its nodes' `data-tier` name) that stands for a node of a trace: the trip to the region is
/// geo-DNS's (a box only with several regions), a client's retry the users' side.
pub fn diagram_tier(kind: NodeKind) -> &'static str {
    match kind {
        NodeKind::Edge => "cdn",
        NodeKind::LoadBalancer => "lb",
        NodeKind::App | NodeKind::Job => "app",
        NodeKind::Session | NodeKind::Cache => "redis",
        NodeKind::Primary | NodeKind::Shards => "db_primary",
        NodeKind::Replica => "replica",
        NodeKind::Queue => "workers",
        NodeKind::Services | NodeKind::Service => "services",
        NodeKind::Region => "dns",
        NodeKind::Retry => "users",
    }
}

/// The diagram's tiers a request passed through, in order, each once.
pub fn path_tiers(trace: &Trace) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = vec!["users"];
    for hop in trace.hops.iter().flat_map(|h| std::iter::once(h).chain(h.calls.iter())) {
        let tier = diagram_tier(hop.node.kind);
        if !out.contains(&tier) {
            out.push(tier);
        }
    }
    out
}

/// An outcome in words.
pub fn outcome_words(o: Outcome) -> &'static str {
    match o {
        Outcome::Served => "served",
        Outcome::Hit => "cache hit",
        Outcome::Miss => "cache miss",
        Outcome::Stale => "stale data",
        Outcome::Full => "refused: full",
        Outcome::TimedOut => "timed out",
        Outcome::Dead => "machine down",
        Outcome::Retried => "failed, retried",
        Outcome::Accepted => "202 accepted",
        Outcome::FailedOver => "failed over",
        Outcome::RateLimited => "429 rate-limited",
        Outcome::WrongUser => "another user's page",
        Outcome::NoRegion => "no region up",
        Outcome::Stalled => "stalled",
        Outcome::Hedged => "hedged",
        Outcome::Refused => "refused",
    }
}

/// Whether the request failed at a hop with this outcome.
pub fn failed(o: Outcome) -> bool {
    matches!(
        o,
        Outcome::Full | Outcome::TimedOut | Outcome::Dead | Outcome::Retried | Outcome::RateLimited | Outcome::NoRegion | Outcome::Refused
    )
}

/// A class in words.
pub fn class_words(c: Class) -> &'static str {
    match c {
        Class::Static => "Static file",
        Class::Read => "Read",
        Class::Write => "Save",
    }
}

/// The request in one sentence: what, when, how it ended, after how long.
pub fn summary(trace: &Trace) -> String {
    let ended = if trace.ok { "answered" } else { "failed" };
    let attempts = if trace.attempts > 1 { format!(" after {} attempts", trace.attempts) } else { String::new() };
    format!(
        "{} request #{} at {:.1} s: {ended} in {}{attempts}, {} hops",
        class_words(trace.class),
        trace.id,
        trace.start_s,
        ms(trace.latency_ms),
        trace.hops.len()
    )
}

/// One row in words, for screen readers and the list under the picture.
pub fn describe(row: &Row) -> String {
    let mut parts = vec![format!("at {}", ms(row.at_ms))];
    if row.net_ms > 0.0 {
        parts.push(format!("network {}", ms(row.net_ms)));
    }
    if row.wait_ms > 0.0 {
        parts.push(format!("queued {}", ms(row.wait_ms)));
    }
    if row.service_ms > 0.0 {
        parts.push(format!("served {}", ms(row.service_ms)));
    }
    let attempt = if row.attempt > 1 { format!(" (attempt {})", row.attempt) } else { String::new() };
    format!("{}{attempt}: {} — {}", row.label, parts.join(", "), row.outcome)
}

/// Milliseconds with a precision that suits the size: `0.42 ms`, `123.4 ms`, `1,234 ms`.
pub fn ms(v: f64) -> String {
    if !v.is_finite() {
        "—".to_owned()
    } else if v < 1.0 {
        format!("{v:.2} ms")
    } else if v < 1_000.0 {
        format!("{v:.1} ms")
    } else {
        format!("{} ms", crate::format::thousands(v.round() as u64))
    }
}

/// The time axis for `rows`: from 0 to a round value past the last bar's end.
pub fn axis(rows: &[Row]) -> Axis {
    let end = rows.iter().map(Row::end_ms).fold(0.0, f64::max);
    value_axis(end, None, false, 6)
}

/// Which trace to follow.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pick {
    /// The slowest request of the simulated second ending at the cursor (of the last traced second before it).
    Slowest,
    /// The failed request nearest the cursor.
    Failed,
    /// Any request, the `n`th draw.
    Random(u32),
}

/// The index in `traces` of the request `pick` names at simulated second `cursor`, if there is one.
pub fn pick(traces: &[Trace], pick: Pick, cursor: f64) -> Option<usize> {
    if traces.is_empty() {
        return None;
    }
    match pick {
        Pick::Slowest => {
            // The last second with traces at or before the cursor (the run's last traced second if the cursor is
            // before them all).
            let before = traces.iter().map(|t| t.start_s).filter(|&s| s <= cursor).fold(f64::NEG_INFINITY, f64::max);
            let end = if before.is_finite() { before } else { traces.iter().map(|t| t.start_s).fold(0.0, f64::max) };
            let second = end.floor();
            traces
                .iter()
                .enumerate()
                .filter(|(_, t)| t.start_s.floor() == second)
                .max_by(|a, b| a.1.latency_ms.total_cmp(&b.1.latency_ms))
                .map(|(i, _)| i)
        }
        Pick::Failed => traces
            .iter()
            .enumerate()
            .filter(|(_, t)| !t.ok)
            .min_by(|a, b| (a.1.start_s - cursor).abs().total_cmp(&(b.1.start_s - cursor).abs()))
            .map(|(i, _)| i),
        Pick::Random(n) => {
            // A fixed scramble of the draw number: the same button presses pick the same requests.
            let h = (u64::from(n).wrapping_add(1)).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 17;
            Some((h % traces.len() as u64) as usize)
        }
    }
}

/// Up to `n` traces of the latest traced second at or before `cursor` (the first traced second when the cursor
/// is before them all), as indices into `traces`: up to half of them failed ones, the rest answered ones, each
/// slowest first (all failed when nothing was answered, and the other way round).
pub fn around(traces: &[Trace], cursor: f64, n: usize) -> Vec<usize> {
    let before = traces.iter().map(|t| t.start_s.floor()).filter(|&s| s <= cursor).fold(f64::NEG_INFINITY, f64::max);
    let second = if before.is_finite() { before } else { traces.iter().map(|t| t.start_s.floor()).fold(f64::INFINITY, f64::min) };
    let slowest = |ok: bool| {
        let mut idx: Vec<usize> = (0..traces.len()).filter(|&i| traces[i].start_s.floor() == second && traces[i].ok == ok).collect();
        idx.sort_by(|&a, &b| traces[b].latency_ms.total_cmp(&traces[a].latency_ms));
        idx
    };
    let (failed, answered) = (slowest(false), slowest(true));
    let take_failed = failed.len().min(n.div_ceil(2).max(n.saturating_sub(answered.len())));
    let mut out: Vec<usize> = failed.into_iter().take(take_failed).collect();
    out.extend(answered.into_iter().take(n - out.len()));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hop(kind: NodeKind, index: u32, at: f64, parts: (f64, f64, f64), outcome: Outcome) -> Hop {
        Hop {
            node: Node { kind, index, region: 0 },
            at_ms: at,
            net_ms: parts.0,
            wait_ms: parts.1,
            service_ms: parts.2,
            outcome,
            attempt: 1,
            calls: Vec::new(),
        }
    }

    fn trace(id: u64, start_s: f64, latency_ms: f64, ok: bool) -> Trace {
        Trace { id, start_s, latency_ms, class: Class::Read, ok, attempts: 1, hops: Vec::new() }
    }

    #[test]
    fn rows_follow_the_hops_with_fan_out_calls_indented_and_failures_marked() {
        let mut fan = hop(NodeKind::Services, 0, 12.0, (0.0, 0.0, 30.0), Outcome::Served);
        fan.calls = vec![
            hop(NodeKind::Service, 0, 12.0, (0.5, 0.0, 4.0), Outcome::Served),
            hop(NodeKind::Service, 1, 12.0, (0.5, 0.0, 29.5), Outcome::Stalled),
        ];
        let t = Trace {
            hops: vec![
                hop(NodeKind::Region, 0, 0.0, (30.0, 0.0, 0.0), Outcome::Served),
                hop(NodeKind::App, 2, 30.0, (0.0, 1.5, 5.0), Outcome::Served),
                hop(NodeKind::Cache, 0, 36.5, (0.5, 0.0, 0.3), Outcome::Miss),
                fan,
                hop(NodeKind::Replica, 1, 67.3, (0.5, 40.0, 8.0), Outcome::TimedOut),
            ],
            ..trace(42, 12.3, 115.8, false)
        };
        let rows = rows(&t);
        let labels: Vec<&str> = rows.iter().map(|r| r.label.as_str()).collect();
        assert_eq!(
            labels,
            ["To North America", "App server 3", "Cache (Redis 1)", "Services (fan-out)", "Service 1", "Service 2", "Replica 2"]
        );
        assert_eq!(rows.iter().map(|r| r.depth).collect::<Vec<_>>(), [0, 0, 0, 0, 1, 1, 0]);
        assert!(rows[6].failed && !rows[2].failed);
        assert_eq!(describe(&rows[1]), "App server 3: at 30.0 ms, queued 1.5 ms, served 5.0 ms — served");
        assert_eq!(describe(&rows[6]), "Replica 2: at 67.3 ms, network 0.50 ms, queued 40.0 ms, served 8.0 ms — timed out");
        assert_eq!(summary(&t), "Read request #42 at 12.3 s: failed in 115.8 ms, 5 hops");
        assert_eq!(path_tiers(&t), ["users", "dns", "app", "redis", "services", "replica"]);
        // The axis reaches past the last bar's end, at a round value.
        let a = axis(&rows);
        assert!(a.max >= 115.8 && a.max <= 150.0 && a.ticks.len() >= 3, "{a:?}");
    }

    #[test]
    fn picks_the_slowest_of_the_second_at_the_cursor_the_nearest_failure_and_a_repeatable_random_one() {
        let traces = vec![
            trace(1, 3.1, 20.0, true),
            trace(2, 3.7, 90.0, true),
            trace(3, 4.2, 500.0, true),
            trace(4, 9.0, 10.0, false),
            trace(5, 2.0, 10.0, false),
        ];
        assert_eq!(pick(&traces, Pick::Slowest, 3.9), Some(1), "the slowest of second 3, not the later 500 ms");
        assert_eq!(pick(&traces, Pick::Slowest, 0.5), Some(3), "before every trace: the last traced second");
        assert_eq!(pick(&traces, Pick::Failed, 3.0), Some(4));
        assert_eq!(pick(&traces, Pick::Failed, 8.0), Some(3));
        assert_eq!(pick(&traces, Pick::Random(7), 0.0), pick(&traces, Pick::Random(7), 50.0));
        assert!(pick(&[], Pick::Slowest, 1.0).is_none());
        assert!(pick(&traces[..3], Pick::Failed, 1.0).is_none(), "no failed request, nothing to show");
        // The dots: second 3's requests, slowest first; before every trace, the first traced second's.
        assert_eq!(around(&traces, 3.5, 6), vec![1, 0]);
        assert_eq!(around(&traces, 9.5, 1), vec![3]);
        // Half failed, half answered when a second has both.
        let mixed: Vec<Trace> = (0..8).map(|i| trace(i, 5.5, 10.0 * i as f64, i % 2 == 0)).collect();
        assert_eq!(around(&mixed, 5.9, 4), vec![7, 5, 6, 4]);
        assert_eq!(around(&traces, 0.0, 6), vec![4], "second 2 is the first traced");
        assert!(around(&[], 1.0, 6).is_empty());
    }
}
