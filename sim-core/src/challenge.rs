//! Challenges: a scenario with goals a learner must meet by changing it, as a teacher hands out a task.
//!
//! A goal names a figure of the run as the CLI's JSON does (`p99_ms`, `error_rate`, `cost_usd_per_month`,
//! `stale_read_rate`, any dotted summary figure such as `utilization.app`), a bound (`<=` or `>=`) and whether it
//! holds over the whole run (the summary) or in every sampled window (`@every`: each 10-second sample after the
//! first 30 s, so a fault's worst moment counts). Written in a link as `goals=p99_ms<=200,error_rate<=0.01@every`.
//! A run that serves nothing never passes.
//!
//! [`CHALLENGES`] are the built-in ones, from the seeds' stories: each has a brief, hints, a lesson shown after
//! passing, the knobs the learner may touch, the fix it teaches and a tempting wrong one (its tests check that
//! the untouched scenario fails, the fix passes and the decoy fails).

use serde::Serialize;

use crate::fluid::{self, FluidOptions};
use crate::plan::compare::figures;
use crate::report::Sample;
use crate::{Scenario, ScenarioError};

/// Seconds between the samples that `@every` goals read.
pub const WINDOW_S: f64 = 10.0;
/// Samples before this second are the run filling from empty, not a window a goal judges.
pub const SETTLE_S: f64 = 30.0;

/// A bound's direction.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Op {
    /// `<=`.
    #[serde(rename = "<=")]
    AtMost,
    /// `>=`.
    #[serde(rename = ">=")]
    AtLeast,
}

/// What a goal is judged over.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Over {
    /// The whole run's summary.
    Run,
    /// Every sampled window after the first [`SETTLE_S`] seconds.
    EveryWindow,
}

/// One goal.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Goal {
    /// The figure, as written (`p99_ms`, `error_rate`, …).
    pub metric: String,
    /// Its bound's direction.
    pub op: Op,
    /// The bound.
    pub target: f64,
    /// Over the run or in every window.
    pub over: Over,
}

/// The JSON name a goal's metric stands for (`p99_ms` is `latency_ms.p99`).
pub fn alias(metric: &str) -> &str {
    match metric {
        "p99_ms" => "latency_ms.p99",
        "p95_ms" => "latency_ms.p95",
        "p50_ms" => "latency_ms.p50",
        "mean_ms" => "latency_ms.mean",
        m => m,
    }
}

/// A window's figure by name, for the metrics a sample has.
fn window_value(s: &Sample, metric: &str) -> Option<f64> {
    Some(match alias(metric) {
        "latency_ms.p99" => s.latency_ms.p99,
        "latency_ms.p95" => s.latency_ms.p95,
        "latency_ms.p50" => s.latency_ms.p50,
        "latency_ms.mean" => s.latency_ms.mean,
        "error_rate" => s.error_rate,
        "served_rps" => s.served_rps,
        "cache_hit_rate" => s.cache_hit_rate,
        "cdn_hit_rate" => s.cdn_hit_rate,
        "stale_read_rate" => s.stale_read_rate,
        "replication_lag_ms" => s.replication_lag_ms,
        "cost_usd_per_hour" => s.cost_usd_per_hour,
        "instances" => s.instances as f64,
        "sessions_lost" => s.sessions_lost,
        "writes_lost" => s.writes_lost,
        "jobs_waiting_s" => s.jobs.waiting_s,
        _ => return None,
    })
}

/// Whether `metric` is a per-tier or per-component figure (`utilization.app`, `cost_usd_per_hour_by_component.cdn`).
fn per_part(metric: &str) -> bool {
    use crate::ids::{Component, Tier};
    match metric.split_once('.') {
        Some(("utilization" | "offered_utilization" | "tier_latency_ms" | "queue_depth", t)) => Tier::from_name(t).is_some(),
        Some(("cost_usd_per_hour_by_component", c)) => Component::from_name(c).is_some(),
        _ => false,
    }
}

/// The metrics `@every` goals can read.
pub const WINDOW_METRICS: &str = "p99_ms, p95_ms, p50_ms, mean_ms, error_rate, served_rps, cache_hit_rate, cdn_hit_rate, stale_read_rate, replication_lag_ms, cost_usd_per_hour, instances, sessions_lost, writes_lost, jobs_waiting_s";

impl Goal {
    /// Reads one goal, `metric<=target` or `metric>=target`, with `@every` for every window; the error names the
    /// goal and what was wrong.
    pub fn parse(text: &str) -> Result<Goal, ScenarioError> {
        let bad = |expected: String| ScenarioError::Invalid { field: "goals", value: text.to_owned(), expected };
        let t = text.trim();
        let (body, over) = match t.strip_suffix("@every") {
            Some(b) => (b, Over::EveryWindow),
            None => (t, Over::Run),
        };
        let (metric, op, target) = if let Some((m, v)) = body.split_once("<=") {
            (m, Op::AtMost, v)
        } else if let Some((m, v)) = body.split_once(">=") {
            (m, Op::AtLeast, v)
        } else {
            return Err(bad("metric<=number or metric>=number, e.g. p99_ms<=200".to_owned()));
        };
        let metric = metric.trim();
        let target = crate::decimal::parse(target.trim())
            .filter(|v| v.is_finite())
            .ok_or_else(|| bad(format!("a number after the bound of {metric}")))?;
        let known = match over {
            Over::EveryWindow => window_value(&Sample::default(), metric).is_some(),
            Over::Run => figures(&crate::report::Summary::default()).iter().any(|(n, _)| n == alias(metric)) || per_part(metric),
        };
        if !known {
            return Err(bad(match over {
                Over::EveryWindow => format!("a metric a window has: {WINDOW_METRICS}"),
                Over::Run => "a figure of the run's JSON, e.g. p99_ms, error_rate, cost_usd_per_month, stale_read_rate".to_owned(),
            }));
        }
        Ok(Goal { metric: metric.to_owned(), op, target, over })
    }

    fn holds(&self, v: f64) -> bool {
        v.is_finite()
            && match self.op {
                Op::AtMost => v <= self.target,
                Op::AtLeast => v >= self.target,
            }
    }
}

/// Reads a comma-separated list of goals.
pub fn parse_goals(list: &str) -> Result<Vec<Goal>, ScenarioError> {
    list.split(',').filter(|g| !g.trim().is_empty()).map(Goal::parse).collect()
}

/// Writes goals back as a link's `goals=` value.
pub fn goals_to_text(goals: &[Goal]) -> String {
    goals
        .iter()
        .map(|g| {
            let op = if g.op == Op::AtMost { "<=" } else { ">=" };
            format!("{}{op}{}{}", g.metric, g.target, if g.over == Over::EveryWindow { "@every" } else { "" })
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// One goal's outcome.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GoalResult {
    /// The goal.
    #[serde(flatten)]
    pub goal: Goal,
    /// The run's value (for `@every`, the worst window's).
    pub actual: f64,
    /// Whether it holds.
    pub met: bool,
}

/// A run judged against goals.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Verdict {
    /// Each goal's outcome.
    pub goals: Vec<GoalResult>,
    /// Every goal met, and the run served requests.
    pub passed: bool,
}

/// Judges an already-run series and summary against `goals`.
pub fn judge(goals: &[Goal], summary: &crate::report::Summary, series: &[Sample]) -> Verdict {
    let run = figures(summary);
    let results: Vec<GoalResult> = goals
        .iter()
        .map(|g| {
            let actual = match g.over {
                Over::Run => run.iter().find(|(n, _)| n == alias(&g.metric)).map_or(f64::NAN, |x| x.1),
                Over::EveryWindow => {
                    let values = series.iter().filter(|s| s.t_s >= SETTLE_S).filter_map(|s| window_value(s, &g.metric));
                    match g.op {
                        Op::AtMost => values.fold(f64::NEG_INFINITY, f64::max),
                        Op::AtLeast => values.fold(f64::INFINITY, f64::min),
                    }
                }
            };
            GoalResult { goal: g.clone(), actual, met: g.holds(actual) }
        })
        .collect();
    let passed = summary.served_rps > 0.0 && results.iter().all(|r| r.met);
    Verdict { goals: results, passed }
}

/// Runs `scenario` with the aggregate engine (a sample every [`WINDOW_S`] seconds) and judges it.
pub fn check(scenario: &Scenario, goals: &[Goal]) -> Verdict {
    let r = fluid::run(scenario, FluidOptions { dt: 1.0, sample_every: WINDOW_S });
    judge(goals, &r.summary, &r.series)
}

/// A built-in challenge.
#[derive(Clone, Copy, Debug)]
pub struct Challenge {
    /// Its id in links (`challenge=`).
    pub id: &'static str,
    /// Title.
    pub title: &'static str,
    /// The task, in a paragraph.
    pub brief: &'static str,
    /// The scenario handed out, as a query string.
    pub setup: &'static str,
    /// Its goals, as a `goals=` value.
    pub goals: &'static str,
    /// Hints, shown one at a time on request.
    pub hints: &'static [&'static str],
    /// What passing teaches, shown after.
    pub lesson: &'static str,
    /// The knobs the learner may touch (their ids), empty for any.
    pub allow: &'static [&'static str],
    /// The change it teaches, as query-string edits on the setup.
    pub intended: &'static str,
    /// A tempting change that does not meet the goals, as query-string edits.
    pub decoy: &'static str,
}

impl Challenge {
    /// The scenario handed out.
    pub fn scenario(&self) -> Scenario {
        crate::query::parse(self.setup).scenario
    }

    /// The setup with `edits` (query-string keys) applied on top.
    pub fn edited(&self, edits: &str) -> Scenario {
        crate::query::parse(&format!("{}&{edits}", self.setup)).scenario
    }

    /// Its goals.
    pub fn goals(&self) -> Vec<Goal> {
        parse_goals(self.goals).unwrap_or_default()
    }
}

/// The built-in challenge called `id`.
pub fn by_id(id: &str) -> Option<&'static Challenge> {
    CHALLENGES.iter().find(|c| c.id == id)
}

/// The built-in challenges, from the seeds' stories.
pub const CHALLENGES: &[Challenge] = &[
    Challenge {
        id: "lb-single-point",
        title: "The load balancer dies",
        brief: "Three app servers sit behind one load balancer. Two minutes in, the load balancer's machine fails and takes five minutes to replace; every request in that time fails. Keep failures under 1 % of the run.",
        setup: "v=1&stage=5&users=20000&lb_ha=0&dur=900&faults=kill_lb@120",
        goals: "error_rate<=0.01",
        hints: &["More app servers do not help when nothing can reach them.", "What if the load balancer had a partner ready to take over?"],
        lesson: "Redundancy has to cover every hop: a pair of load balancers fails over in seconds, while a single one is a single point of failure however many servers stand behind it.",
        allow: &["lb_ha", "app", "size"],
        intended: "lb_ha=1",
        decoy: "app=10",
    },
    Challenge {
        id: "primary-failover",
        title: "The database primary crashes",
        brief: "The only database server crashes two minutes in. Without a replica it is restored from last night's snapshot, which takes minutes, and every write and uncached read fails meanwhile. Keep failures under 1 % of the run.",
        setup: "v=1&stage=5&users=20000&replicas=0&dur=900&faults=kill_db@120",
        goals: "error_rate<=0.01",
        hints: &["A bigger machine crashes just the same.", "A standby that already has the data can be promoted in about 30 seconds."],
        lesson: "A read replica is also a warm standby: promoting it takes seconds, restoring a backup takes minutes (and loses the writes since the backup).",
        allow: &["replicas", "dbsize"],
        intended: "replicas=1",
        decoy: "dbsize=m6i.8xlarge",
    },
    Challenge {
        id: "deploy-logs-everyone-out",
        title: "A deploy logs everyone out",
        brief: "Sessions live in each app server's memory, pinned by sticky sessions. A rolling deploy two minutes in restarts every server, and every logged-in user on them is thrown out. Deploy without losing a single session.",
        setup: "v=1&stage=5&users=20000&sessions=sticky&dur=600&faults=deploy@120",
        goals: "sessions_lost<=0",
        hints: &["More servers only spread the same loss.", "Where could a session live so that any server can read it?"],
        lesson: "Stateless app servers keep sessions in a shared store such as Redis; then servers can restart, scale in or die without anyone noticing.",
        allow: &["sessions", "app"],
        intended: "sessions=redis",
        decoy: "app=10",
    },
    Challenge {
        id: "region-outage",
        title: "A whole region goes dark",
        brief: "Users on three continents are served from one region. Two minutes in, that region fails and stays down for half an hour. Keep failures under 10 % of the half-hour run.",
        setup: "v=1&stage=11&users=200000&regions=1&dur=1800&faults=kill_region@120",
        goals: "error_rate<=0.1",
        hints: &["Another hundred servers in the same region fail with it.", "Geo-DNS can send users to another region within a minute, if there is one."],
        lesson: "Regions are the unit of disaster: with a second one, geo-DNS moves the failed region's users after about a minute instead of leaving them down for the outage.",
        allow: &["regions", "app"],
        intended: "regions=2",
        decoy: "app=60",
    },
    Challenge {
        id: "slow-saves",
        title: "Saves take seconds",
        brief: "Half of all writes start a slow job (a preview, an e-mail) that runs inside the request, so the slowest requests take seconds. Bring p99 under 300 ms.",
        setup: "v=1&stage=5&users=20000&jobs=0.5&dur=300",
        goals: "p99_ms<=300",
        hints: &["The servers are not busy: they are waiting.", "Does the user have to wait for the e-mail to be sent?"],
        lesson: "Work the user does not need to wait for belongs on a queue: the request answers 202 Accepted in milliseconds and workers do the job behind it.",
        allow: &["queue", "app", "max_workers"],
        intended: "queue=1",
        decoy: "app=12",
    },
    Challenge {
        id: "dead-server-in-pool",
        title: "A dead server keeps getting traffic",
        brief: "One of three app servers dies a minute in, but the load balancer only checks health every 30 s and needs two failed checks, so it keeps sending a third of the requests into the void. Keep failures under 2 % of the run.",
        setup: "v=1&stage=5&users=20000&hc=30&dur=300&faults=kill_app@60",
        goals: "error_rate<=0.02",
        hints: &["A faster server dies just as fast.", "How soon does the load balancer notice?"],
        lesson: "Detection time is part of every outage: two failed checks at a short interval take a dead server out of the pool in seconds.",
        allow: &["hc", "size", "app"],
        intended: "hc=2",
        decoy: "size=m6i.2xlarge",
    },
    Challenge {
        id: "static-files-swamp",
        title: "Images and scripts swamp the servers",
        brief: "At 60,000 users the app servers spend most of their time sending the same images, scripts and stylesheets, and 13 % of requests fail. Get failures under 1 %.",
        setup: "v=1&stage=5&users=60000&dur=300",
        goals: "error_rate<=0.01",
        hints: &["Look at what the requests are, not at the database.", "Static files do not need your servers at all."],
        lesson: "A CDN serves static assets from the edge: the origin only answers dynamic requests, and users far away get their files from nearby.",
        allow: &["cdn", "dbsize", "app"],
        intended: "cdn=1",
        decoy: "dbsize=m6i.8xlarge",
    },
    Challenge {
        id: "launch-day-spike",
        title: "Launch day",
        brief: "A minute in, traffic triples for five minutes (the launch post is on the front page). Keep failures under 1 % in every 10-second window, the spike's included.",
        setup: "v=1&stage=5&users=20000&dur=600&faults=spike@60",
        goals: "error_rate<=0.01@every",
        hints: &["Which tier saturates when the load triples?", "A known spike can be met by a fleet sized for it."],
        lesson: "Capacity has to be there before the peak: size (or pre-warm) the fleet for the spike you expect, because new servers take minutes to boot.",
        allow: &["app", "size", "dbsize", "asg", "prewarm"],
        intended: "app=8",
        decoy: "dbsize=m6i.8xlarge",
    },
    Challenge {
        id: "budget-ceiling",
        title: "Same service, smaller bill",
        brief: "The finance team wants the monthly bill under $3,400 without the service getting slower: p99 within 70 ms and under 1 % failing.",
        setup: "v=1&stage=5&users=20000&dur=300",
        goals: "cost_usd_per_month<=3400,p99_ms<=70,error_rate<=0.01",
        hints: &["Cheaper machines are slower machines.", "The same machines can cost less if you promise to keep them."],
        lesson: "Always-on machines bought as one-year reservations cost about 38 % less than on demand; burstable machines are cheap until the load is steady.",
        allow: &["reserve", "size", "app", "dbsize"],
        intended: "reserve=1y",
        decoy: "size=t3.medium",
    },
    Challenge {
        id: "stale-reads",
        title: "Users see old data",
        brief: "The cache keeps query results for five minutes, so almost 5 % of reads return data that has since changed. Bring stale reads under 0.5 % of reads in every window.",
        setup: "v=1&stage=6&users=50000&ttl=300&dur=300",
        goals: "stale_read_rate<=0.005@every",
        hints: &["The replicas are not the ones serving old data here.", "How long may a cached answer live?"],
        lesson: "A TTL trades freshness for load: a shorter one serves fewer stale reads at the price of a few more misses reaching the database.",
        allow: &["ttl", "replicas", "ryw"],
        intended: "ttl=10",
        decoy: "replicas=6",
    },
    Challenge {
        id: "missing-indexes",
        title: "Every query scans the table",
        brief: "The database has no indexes on the columns its queries filter by, so every read costs three times what it should. Bring p99 within 70 ms.",
        setup: "v=1&stage=5&users=20000&maxconn=50&idx=0&dur=300",
        goals: "p99_ms<=70",
        hints: &["A bigger database scans faster, but still scans.", "What makes a lookup cheap instead of a scan?"],
        lesson: "Indexes are the cheapest capacity there is: the right one makes a query several times faster on the same machine.",
        allow: &["idx", "dbsize", "pool"],
        intended: "idx=1",
        decoy: "dbsize=m6i.8xlarge",
    },
    Challenge {
        id: "read-heavy-database",
        title: "Reads drown the primary",
        brief: "Without a cache, every read goes to the one database primary, which is past its capacity at 40,000 users: 16 % of requests fail. Get failures under 1 % with p99 within 100 ms.",
        setup: "v=1&stage=5&users=40000&ttl=0&app=8&dur=300",
        goals: "error_rate<=0.01,p99_ms<=100",
        hints: &["The app servers are waiting for the database, not computing.", "Reads can go to copies of the database."],
        lesson: "Read replicas share the read load (and a cache absorbs most of it); adding app servers only adds more callers to the same saturated primary.",
        allow: &["replicas", "ttl", "app", "redis"],
        intended: "replicas=3",
        decoy: "app=16",
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn goals_read_and_write_back_and_bad_ones_are_named() {
        let g = parse_goals("p99_ms<=200, error_rate<=0.01@every,cache_hit_rate>=0.8").unwrap();
        assert_eq!(g.len(), 3);
        assert_eq!((g[1].op, g[1].over, g[2].op), (Op::AtMost, Over::EveryWindow, Op::AtLeast));
        assert_eq!(parse_goals(&goals_to_text(&g)).unwrap(), g);
        for bad in ["p99_ms<200", "p99_ms<=abc", "wings<=3", "utilization.app<=0.5@every"] {
            let e = parse_goals(bad).unwrap_err();
            assert_eq!(e.field(), "goals", "{bad}: {e}");
        }
        assert!(parse_goals("utilization.app<=0.5").is_ok());
    }

    #[test]
    fn a_run_that_serves_nothing_never_passes() {
        let goals = parse_goals("error_rate<=1").unwrap();
        let mut s = crate::report::Summary::default();
        assert!(!judge(&goals, &s, &[]).passed);
        s.served_rps = 1.0;
        assert!(judge(&goals, &s, &[]).passed);
    }
}
