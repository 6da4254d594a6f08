//! "Why this number": for each headline figure and each row of the bottleneck table, the formula the model uses
//! with this run's values plugged in, as a typed [`Explanation`] the page renders when a learner opens it.
//!
//! An explanation recomputes its figure from its inputs (the scenario, the compiled [`Topology`] and the moment's
//! [`Sample`]), so the arithmetic on screen is the arithmetic that gives the number: utilisation is arrivals
//! times service time over servers, the cache hit ratio is the TTL sum over the key popularity, the replica's lag
//! is its replay queue, the bill is the sum of its parts. It also carries the figure the engine reported
//! (`shown`): the two agree in a steady system, and [`Explanation::agrees`] says when they do not (a fault, a
//! cache refilling, a queue still filling), which the page then says in words. Pure functions, computed only
//! when asked for.
use crate::bill::{discount, Bill};
use crate::diagnose::Row;
use crate::ids::{Component, RowId, Tier};
use crate::instance::HOURS_PER_MONTH;
use crate::model::{cost_items, Topology, Usage, REPLICATION_BASE_LAG_S, SERVICE_S};
use crate::queueing::Mmc;
use crate::report::{Sample, Summary};
use crate::traffic::GEOS;

/// The unit a value is shown in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    /// Requests (or jobs, or writes) per second.
    Rps,
    /// A share, 0 to 1, shown as a percentage.
    Share,
    /// Milliseconds.
    Ms,
    /// Seconds (shown in milliseconds or seconds, whichever reads better).
    Seconds,
    /// US dollars.
    Usd,
    /// US dollars per hour.
    UsdPerHour,
    /// A whole count (users, servers, keys, writes).
    Count,
    /// A multiple, such as 2.5×.
    Times,
    /// A plain number (an exponent, a factor).
    Number,
    /// Gigabytes.
    Gb,
    /// Hours.
    Hours,
}

/// One input of a formula: its symbol, what it is, and its value in this run.
#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    /// The symbol in the formula (unique within an explanation).
    pub symbol: &'static str,
    /// What the symbol stands for, in a few words.
    pub meaning: &'static str,
    /// Its value in this run.
    pub value: f64,
    /// Its unit.
    pub unit: Unit,
}

/// Why a figure is what it is.
#[derive(Clone, Debug, PartialEq)]
pub struct Explanation {
    /// What is explained.
    pub title: &'static str,
    /// The result's symbol.
    pub symbol: &'static str,
    /// The right-hand side of the formula, with each input written `{symbol}`.
    pub formula: String,
    /// The inputs, in the order a reader meets them.
    pub steps: Vec<Step>,
    /// The formula's result with these inputs.
    pub result: f64,
    /// The result's unit.
    pub unit: Unit,
    /// The figure the engine reported (what the page shows beside the button).
    pub shown: f64,
    /// A line about reading the figure, when there is something to add.
    pub note: Option<String>,
    /// The glossary term this explanation leans on ([`crate::glossary::TERMS`]).
    pub glossary: &'static str,
    /// Derivations of some of the inputs, one level deep.
    pub more: Vec<Explanation>,
}

impl Explanation {
    fn new(title: &'static str, symbol: &'static str, formula: impl Into<String>, glossary: &'static str) -> Explanation {
        Explanation {
            title,
            symbol,
            formula: formula.into(),
            steps: Vec::new(),
            result: 0.0,
            unit: Unit::Number,
            shown: 0.0,
            note: None,
            glossary,
            more: Vec::new(),
        }
    }

    fn step(mut self, symbol: &'static str, meaning: &'static str, value: f64, unit: Unit) -> Explanation {
        self.steps.push(Step { symbol, meaning, value, unit });
        self
    }

    fn gives(mut self, result: f64, unit: Unit, shown: f64) -> Explanation {
        self.result = crate::num::finite(result);
        self.unit = unit;
        self.shown = crate::num::finite(shown);
        self
    }

    /// Adds a sentence to the note.
    fn noted(mut self, note: impl Into<String>) -> Explanation {
        let note = note.into();
        self.note = Some(match self.note.take() {
            Some(before) => format!("{before} {note}"),
            None => note,
        });
        self
    }

    /// The value of the input `symbol`.
    pub fn value(&self, symbol: &str) -> Option<f64> {
        self.steps.iter().find(|s| s.symbol == symbol).map(|s| s.value)
    }

    /// The formula in symbols: `ρ = λ × S ÷ c`.
    pub fn symbolic(&self) -> String {
        format!("{} = {}", self.symbol, self.fill(|s| s.symbol.to_owned()))
    }

    /// The formula's right-hand side with each input replaced by its value as `show` writes it.
    pub fn plugged(&self, show: impl Fn(f64, Unit) -> String) -> String {
        self.fill(|s| show(s.value, s.unit))
    }

    fn fill(&self, each: impl Fn(&Step) -> String) -> String {
        let mut out = String::new();
        let mut rest = self.formula.as_str();
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let close = rest[open..].find('}').map_or(rest.len(), |c| open + c);
            let name = &rest[open + 1..close];
            match self.steps.iter().find(|s| s.symbol == name) {
                Some(step) => out.push_str(&each(step)),
                None => out.push_str(name),
            }
            rest = &rest[(close + 1).min(rest.len())..];
        }
        out.push_str(rest);
        out
    }

    /// The symbols the formula names, in order.
    pub fn named_symbols(&self) -> Vec<&str> {
        let mut out = Vec::new();
        let mut rest = self.formula.as_str();
        while let Some(open) = rest.find('{') {
            let close = rest[open..].find('}').map_or(rest.len(), |c| open + c);
            out.push(&rest[open + 1..close]);
            rest = &rest[(close + 1).min(rest.len())..];
        }
        out
    }

    /// Whether the result and the figure shown agree within what the page's rounding hides.
    pub fn agrees(&self) -> bool {
        let floor: f64 = match self.unit {
            Unit::Share => 0.0005,
            Unit::Ms => 0.05,
            Unit::Seconds => 0.00005,
            Unit::Usd | Unit::UsdPerHour => 0.005,
            Unit::Rps | Unit::Times | Unit::Number | Unit::Gb | Unit::Hours => 0.05,
            Unit::Count => 0.5,
        };
        (self.result - self.shown).abs() <= floor.max(0.005 * self.shown.abs())
    }
}

/// A headline figure of the page, by the name its element carries (`data-metric`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Metric {
    /// Requests per second offered.
    Offered,
    /// Requests per second answered.
    Served,
    /// Share of requests that fail.
    Errors,
    /// Median latency.
    P50,
    /// 99th-percentile latency.
    P99,
    /// Query-cache hit ratio.
    CacheHit,
    /// Replication lag.
    Lag,
    /// Share of reads that are stale.
    Stale,
    /// Sessions lost so far.
    SessionsLost,
    /// App servers serving.
    Instances,
    /// How long a queued job waits.
    JobsWait,
    /// Requests per second refused with 429.
    Limited,
    /// The running system's price per hour.
    CostNow,
    /// The month's bill.
    Bill,
    /// Writes lost with a dead primary.
    WritesLost,
    /// Private pages served to the wrong user.
    WrongUser,
}

impl Metric {
    /// Every headline figure, in the page's order.
    pub const ALL: [Metric; 16] = [
        Metric::Offered,
        Metric::Served,
        Metric::Errors,
        Metric::P50,
        Metric::P99,
        Metric::CacheHit,
        Metric::Lag,
        Metric::Stale,
        Metric::SessionsLost,
        Metric::Instances,
        Metric::JobsWait,
        Metric::Limited,
        Metric::CostNow,
        Metric::Bill,
        Metric::WritesLost,
        Metric::WrongUser,
    ];

    /// The figure's `data-metric` name on the page.
    pub const fn id(self) -> &'static str {
        match self {
            Metric::Offered => "offered",
            Metric::Served => "served",
            Metric::Errors => "errors",
            Metric::P50 => "p50",
            Metric::P99 => "p99",
            Metric::CacheHit => "cache-hit",
            Metric::Lag => "lag",
            Metric::Stale => "stale",
            Metric::SessionsLost => "sessions-lost",
            Metric::Instances => "instances",
            Metric::JobsWait => "jobs-wait",
            Metric::Limited => "limited",
            Metric::CostNow => "cost-now",
            Metric::Bill => "cost",
            Metric::WritesLost => "writes-lost",
            Metric::WrongUser => "wrong-user",
        }
    }

    /// The figure called `id`.
    pub fn from_id(id: &str) -> Option<Metric> {
        Metric::ALL.into_iter().find(|m| m.id() == id)
    }
}

/// Why headline figure `m` of `sample` (a moment of `topo`'s scenario, whose month's bill is `bill`) is what it is.
pub fn metric(m: Metric, topo: &Topology, sample: &Sample, bill: &Bill) -> Explanation {
    match m {
        Metric::Offered => offered(topo, sample),
        Metric::Served => served(sample),
        Metric::Errors => errors(sample),
        Metric::P50 => percentile(topo, sample, 50),
        Metric::P99 => percentile(topo, sample, 99),
        Metric::CacheHit => cache_hit(topo, sample),
        Metric::Lag => lag(topo, sample),
        Metric::Stale => stale(topo, sample),
        Metric::SessionsLost => sessions(topo, sample),
        Metric::Instances => instances(topo, sample),
        Metric::JobsWait => jobs_wait(topo, sample),
        Metric::Limited => limited(topo, sample),
        Metric::CostNow => cost_now(topo, sample),
        Metric::Bill => month(topo, bill),
        Metric::WritesLost => writes_lost(topo, sample),
        Metric::WrongUser => wrong_user(topo, sample),
    }
}

/// The arrival rates at each station at this moment, worked out from the sample's load as the engine routes it
/// with nothing failing: what the utilisation, cache and replica formulas take as inputs.
#[derive(Clone, Copy, Debug)]
struct Rates {
    /// Requests per second tried, retries included.
    attempts: f64,
    /// Static requests the origin serves (the CDN's misses).
    origin_static: f64,
    /// Dynamic requests past the rate limit and any edge cache of private pages.
    dynamic: f64,
    /// Share of routed app servers alive.
    reach: f64,
    /// Reads and writes per second that reach an app server.
    reads: f64,
    writes: f64,
    /// Share of the traffic the busiest region takes.
    region: f64,
    /// The cache's hit ratio and stale share at the busiest region's read rate.
    hit: f64,
    stale: f64,
    /// Reads that miss the cache.
    misses: f64,
    /// Share of misses sent to the primary (the rest go to replicas).
    to_primary: f64,
    /// Replicas in service.
    replicas: u32,
    /// Reads per second on one replica (the hottest shard's).
    replica_reads: f64,
    /// Share of users on the busiest shard, and of cross-shard reads.
    shard_hot: f64,
    cross: f64,
    /// Queries per second of the scheduled batch job on each primary, while it runs.
    report_qps: f64,
}

/// Share of all users the busiest region serves (geo-DNS with every region up).
fn busiest_region(topo: &Topology) -> f64 {
    let s = &topo.scenario;
    crate::policy::geo_dns::loads(s.traffic.worldwide, s.arch.regions as usize, None).busiest().1
}

fn rates(topo: &Topology, sample: &Sample) -> Rates {
    let s = &topo.scenario;
    let (a, t) = (&s.arch, &s.traffic);
    let offered = sample.offered_rps;
    let attempts = offered + sample.retry_rps;
    let retry_factor = if offered > 0.0 { attempts / offered } else { 1.0 };
    let all_static = attempts * t.static_share;
    let origin_static = all_static * (1.0 - topo.cdn_hit(all_static));
    let dynamic = (attempts - all_static - sample.rate_limited_rps * retry_factor - sample.wrong_user_rps).max(0.0);
    let routed = sample.instances + sample.app_down;
    let reach = if routed > 0 { 1.0 - sample.app_down as f64 / routed as f64 } else { 0.0 };
    let ok = dynamic * reach;
    let writes = ok * t.write_fraction();
    let reads = ok - writes;
    let region = busiest_region(topo);
    let (hit, stale) = topo.cache_hit(reads * region);
    let misses = reads * (1.0 - hit);
    let replicas = sample.tiers.iter().find(|x| x.name == Tier::Replica).map_or(0, |x| x.nodes);
    let to_primary = if replicas > 0 && (sample.edges.replicas > 0.0 || misses <= 0.0) { topo.read_your_writes_share(writes) } else { 1.0 };
    let cross = if a.shards > 1 { a.cross_shard_share } else { 0.0 };
    let shard_hot = topo.shard_shares.iter().copied().fold(0.0, f64::max);
    let replica_reads =
        if replicas > 0 { misses * region * (1.0 - to_primary) * ((1.0 - cross) * shard_hot + cross) / replicas as f64 } else { 0.0 };
    let job = &a.ops.report;
    let held = !t.daily_curve && s.faults.is_empty() && !a.autoscaling.enabled;
    let report_qps =
        if crate::policy::batch::running(job, sample.t_s, held) && !job.on_replica { crate::policy::batch::query_rate(job) } else { 0.0 };
    Rates {
        attempts,
        origin_static,
        dynamic,
        reach,
        reads,
        writes,
        region,
        hit,
        stale,
        misses,
        to_primary,
        replicas,
        replica_reads,
        shard_hot,
        cross,
        report_qps,
    }
}

/// The classes of work arriving at one node of `tier`: (rate per second, service time in seconds), and its
/// servers (vCPUs, or one for Redis and a replay thread).
fn loads(topo: &Topology, sample: &Sample, r: &Rates, tier: Tier) -> (Vec<(f64, f64)>, u32) {
    let a = &topo.scenario.arch;
    let wf = topo.scenario.traffic.write_fraction();
    match tier {
        Tier::App => {
            let n = (sample.instances + sample.app_down).max(1);
            let share = if topo.sticky() { topo.sticky_shares(n).into_iter().fold(0.0, f64::max) } else { 1.0 / n as f64 };
            let regional = r.dynamic * r.region * share;
            let mut l = vec![(r.origin_static * r.region * share, topo.static_s), (regional, topo.app_s)];
            if !a.jobs.queued && a.jobs.share > 0.0 {
                l.push((regional * r.reach * wf * a.jobs.share, a.jobs.cpu_ms / 1e3));
            }
            if topo.db_on_app {
                l.push((r.misses * r.to_primary, topo.db_read_s));
                l.push((r.writes, topo.db_write_s));
                l.push((r.report_qps, crate::policy::batch::QUERY_S));
            }
            (l, topo.app_vcpus)
        }
        Tier::DbPrimary => {
            let sh = r.shard_hot;
            let shards = topo.shard_shares.len().max(1) as f64;
            let l = vec![
                (r.misses * r.to_primary * ((1.0 - r.cross) * sh + r.cross), topo.db_read_s),
                (r.writes * sh, topo.db_write_s),
                (r.report_qps / shards, crate::policy::batch::QUERY_S),
            ];
            (l, topo.db_vcpus)
        }
        Tier::Replica => (vec![(r.replica_reads, topo.db_read_s)], topo.db_vcpus),
        Tier::ReplicaApply => (vec![(r.writes * r.shard_hot, topo.apply_s)], 1),
        Tier::Redis => {
            let ok = r.reads + r.writes;
            let ops = (if topo.session_in_redis() { ok } else { 0.0 } + if topo.cache_curve.is_some() { r.reads } else { 0.0 }) * r.region;
            let hottest = topo.redis_shares.iter().copied().fold(0.0, f64::max);
            (vec![(ops * hottest, topo.redis_s)], 1)
        }
        Tier::Services => {
            // Hedged, the calls that met a hiccup are sent twice.
            let copies = if a.resilience.hedge { 1.0 + crate::model::HICCUP_P } else { 1.0 };
            let per = r.dynamic * r.region * r.reach * copies / a.service_instances.max(1) as f64;
            (vec![(per, SERVICE_S)], topo.station_sizes()[3].0)
        }
        Tier::Workers => (vec![(sample.jobs.rps, (a.jobs.job_ms / 1e3).max(1e-3))], sample.jobs.workers.max(1)),
    }
}

/// What the page calls a tier.
fn tier_words(tier: Tier) -> &'static str {
    match tier {
        Tier::App => "an app server",
        Tier::DbPrimary => "the database primary",
        Tier::Redis => "the busiest Redis node",
        Tier::Replica => "a read replica",
        Tier::ReplicaApply => "a replica's replay",
        Tier::Services => "a service instance",
        Tier::Workers => "the queue's workers",
    }
}

/// Utilisation of the hottest node of `tier`: ρ = λ × S ÷ c, arrivals times mean service time over servers.
pub fn utilisation(topo: &Topology, sample: &Sample, tier: Tier) -> Explanation {
    let r = rates(topo, sample);
    let (l, c) = loads(topo, sample, &r, tier);
    let lambda: f64 = l.iter().map(|x| x.0).sum();
    let work: f64 = l.iter().map(|x| x.0 * x.1).sum();
    let mean_s = if lambda > 0.0 { work / lambda } else { l.first().map_or(0.0, |x| x.1) };
    let rho = work / c.max(1) as f64;
    let stat = sample.tiers.iter().find(|x| x.name == tier);
    let title = match tier {
        Tier::App => "App CPU utilisation",
        Tier::DbPrimary => "Database primary utilisation",
        Tier::Redis => "Redis utilisation",
        Tier::Replica => "Replica utilisation",
        Tier::ReplicaApply => "Replica replay utilisation",
        Tier::Services => "Service utilisation",
        Tier::Workers => "Worker utilisation",
    };
    // Busy all the time is as busy as a server gets: past that the formula says so with its cap.
    let formula = if rho > 1.0 { "min({λ} × {S} ÷ {c}, 100 %)" } else { "{λ} × {S} ÷ {c}" };
    let mut e = Explanation::new(title, "ρ", formula, "utilisation")
        .step("λ", "requests per second arriving at the node", lambda, Unit::Rps)
        .step("S", "mean service time of one request", mean_s * 1e3, Unit::Ms)
        .step("c", "servers working at once (vCPUs)", c as f64, Unit::Count)
        .gives(rho.min(1.0), Unit::Share, stat.map_or(0.0, |x| x.utilization));
    e.note = Some(if rho > 1.0 {
        format!(
            "Demand is {:.0} % of what {} can do: it is busy all the time and the excess waits or is refused.",
            rho * 100.0,
            tier_words(tier)
        )
    } else {
        format!("One request takes {:.1} ms of CPU, so one server does {:.0} a second at most.", mean_s * 1e3, 1.0 / mean_s.max(1e-9))
    });
    if tier == Tier::App && topo.db_on_app {
        e = e.noted("The database runs on the same box: its queries count in λ and in S.");
    }
    e
}

/// The mean time a request spends at an app server: the M/M/c wait (Erlang C) corrected for how regular arrivals
/// and service are (Allen–Cunneen), plus its service time.
pub fn queue_wait(topo: &Topology, sample: &Sample) -> Explanation {
    let r = rates(topo, sample);
    let (l, c) = loads(topo, sample, &r, Tier::App);
    let lambda: f64 = l.iter().map(|x| x.0).sum();
    let work: f64 = l.iter().map(|x| x.0 * x.1).sum();
    let mean_s = if lambda > 0.0 { work / lambda } else { topo.app_s };
    let second: f64 = if lambda > 0.0 { l.iter().map(|x| x.0 * 2.0 * x.1 * x.1).sum::<f64>() / lambda } else { 2.0 * mean_s * mean_s };
    let cs2 = (second / (mean_s * mean_s) - 1.0).max(0.0);
    let n = (sample.instances + sample.app_down) as usize;
    let ca2 = crate::policy::balancer::arrival_scv(topo.lb(), n, topo.sticky());
    let q = Mmc::new(c, lambda, 1.0 / mean_s.max(1e-12));
    let k = (ca2 + cs2) / 2.0;
    let stable = q.is_stable();
    let wait = if stable { q.mean_wait() * k } else { 0.0 };
    let stat = sample.tiers.iter().find(|x| x.name == Tier::App).map_or(0.0, |x| x.latency_ms);
    let e = Explanation::new("Time at an app server", "T", "{C} ÷ ({c} × {μ} − {λ}) × {k} + {S_page}", "erlang-c")
        .step("C", "chance a request has to wait (Erlang C)", if stable { q.p_wait() } else { 1.0 }, Unit::Share)
        .step("c", "vCPUs of the server", c as f64, Unit::Count)
        .step("μ", "requests one vCPU finishes per second (1 ÷ mean service time)", 1.0 / mean_s.max(1e-12), Unit::Rps)
        .step("λ", "requests per second arriving", lambda, Unit::Rps)
        .step("k", "variability: (arrivals' + service's squared spread) ÷ 2", k, Unit::Number)
        .step("S_page", "CPU time of one dynamic page", topo.app_s * 1e3, Unit::Ms)
        .gives((wait + topo.app_s) * 1e3, Unit::Ms, stat);
    if stable {
        e.noted(format!("At ρ = {:.0} % a request waits {:.1} ms on average before a vCPU is free.", q.rho() * 100.0, wait * 1e3))
    } else {
        e.noted("The arrivals exceed what the vCPUs can do: there is no steady wait, the queue grows until requests are refused.")
    }
}

fn offered(topo: &Topology, sample: &Sample) -> Explanation {
    let t = &topo.scenario.traffic;
    let peak = t.peak_rps();
    let curve = t.curve_at(sample.t_s);
    let spike = crate::scenario::SPIKE_FACTOR;
    // The moment's multiplier: the daily curve and a launch spike, or neither (a steady state holds the peak).
    let m = [1.0, curve, spike, curve * spike]
        .into_iter()
        .find(|m| (peak * m - sample.offered_rps).abs() <= 1e-6 * peak.max(1.0))
        .unwrap_or(if peak > 0.0 { sample.offered_rps / peak } else { 0.0 });
    Explanation::new("Offered load", "λ", "{N} × {r} × {f} × {m}", "offered-load")
        .step("N", "users", t.users as f64, Unit::Count)
        .step("r", "requests per user per second, on average", t.requests_per_user, Unit::Number)
        .step("f", "peak factor: the busiest minute over the average", t.peak_factor, Unit::Number)
        .step("m", "share of the peak at this moment (daily curve, spikes)", m, Unit::Number)
        .gives(peak * m, Unit::Rps, sample.offered_rps)
        .noted("Users send this whether or not the system can answer: capacity has to be compared with it.")
}

fn served(sample: &Sample) -> Explanation {
    Explanation::new("Requests answered", "X", "{λ} − {E}", "throughput")
        .step("λ", "requests offered per second", sample.offered_rps, Unit::Rps)
        .step("E", "requests per second that fail (refused, timed out, dead server, 429)", sample.error_rps, Unit::Rps)
        .gives((sample.offered_rps - sample.error_rps).max(0.0), Unit::Rps, sample.served_rps)
        .noted("Throughput stops growing with the load once a tier is saturated: the rest becomes errors or waiting.")
}

fn errors(sample: &Sample) -> Explanation {
    let e = Explanation::new("Error rate", "e", "{E} ÷ {λ}", "error-rate")
        .step("E", "requests per second that fail", sample.error_rps, Unit::Rps)
        .step("λ", "requests offered per second", sample.offered_rps, Unit::Rps)
        .gives(if sample.offered_rps > 0.0 { sample.error_rps / sample.offered_rps } else { 0.0 }, Unit::Share, sample.error_rate);
    if sample.error_rps > 0.0 {
        e.noted("The table's first live row names the tier that refuses them.")
    } else {
        e.noted("Nothing is refused: every tier has room for its arrivals.")
    }
}

/// The round trip of the average user to the region serving them (seconds).
fn round_trip(topo: &Topology) -> f64 {
    let s = &topo.scenario;
    let regions = s.arch.regions.clamp(1, GEOS.len() as u32) as usize;
    let mut sum = 0.0;
    let mut weight = 0.0;
    for (g, geo) in GEOS.iter().enumerate() {
        let share = crate::policy::geo_dns::share(s.traffic.worldwide, g);
        if let Some(r) = crate::policy::geo_dns::serving(g, regions, None) {
            sum += share * geo.rtt_s[r];
            weight += share;
        }
    }
    if weight > 0.0 {
        sum / weight
    } else {
        crate::model::CLIENT_RTT_S
    }
}

fn percentile(topo: &Topology, sample: &Sample, p: u32) -> Explanation {
    let (title, symbol, value, glossary) = if p == 50 {
        ("Median latency (p50)", "p50", sample.latency_ms.p50, "p50")
    } else {
        ("99th-percentile latency (p99)", "p99", sample.latency_ms.p99, "p99")
    };
    let time = |tier: Tier| sample.tiers.iter().find(|x| x.name == tier).map(|x| x.latency_ms);
    // A definition, not a sum: the inputs are what a request's time is made of.
    let mut e = Explanation::new(title, symbol, "the time within which {q} of requests finish", glossary)
        .step("q", "share of requests", p as f64 / 100.0, Unit::Share)
        .step("RTT", "round trip between the user and the region", round_trip(topo) * 1e3, Unit::Ms);
    for (tier, sym, meaning) in [
        (Tier::App, "T_app", "mean time at an app server (wait + CPU)"),
        (Tier::Redis, "T_redis", "mean time of a Redis call"),
        (Tier::DbPrimary, "T_db", "mean time of a query on the primary"),
        (Tier::Replica, "T_replica", "mean time of a query on a replica"),
        (Tier::Services, "T_services", "mean time of the slowest service call"),
    ] {
        if let Some(ms) = time(tier) {
            e = e.step(sym, meaning, ms, Unit::Ms);
        }
    }
    e = e
        .step("T̄", "mean latency over every path a request can take", sample.latency_ms.mean, Unit::Ms)
        .gives(value, Unit::Ms, value)
        .noted(
            "A request takes the round trip plus the time at each tier its path visits (a cache hit skips the \
             database). The times vary from request to request, a wait or none, so the engine reads the percentile \
             off their distribution: it is not the sum of the means.",
        );
    e.more.push(queue_wait(topo, sample));
    e
}

fn cache_hit(topo: &Topology, sample: &Sample) -> Explanation {
    let s = &topo.scenario;
    let r = rates(topo, sample);
    let ttl = s.arch.cache_ttl_s;
    // Invalidated on write, an entry lives until its TTL or its key's next write, whichever comes first.
    let life = topo.cache_life_s(r.reads * r.region);
    let e = Explanation::new("Cache hit ratio", "H", "Σ pᵢ·λᵢ{T} ÷ (1 + λᵢ{T}), λᵢ = pᵢ·{R}, pᵢ ∝ i^−{α} over {N} keys", "hit-ratio")
        .step("R", "reads per second reaching the cache", r.reads * r.region, Unit::Rps)
        .step(
            "T",
            if s.arch.cache_invalidate {
                "mean life of an entry: the TTL, or less when a write deletes it"
            } else {
                "TTL: how long an entry lives"
            },
            if s.arch.cache_invalidate { life } else { ttl },
            Unit::Seconds,
        )
        .step("N", "distinct keys", topo.keys.keys as f64, Unit::Count)
        .step("α", "Zipf exponent: how concentrated reads are on hot keys", topo.keys.alpha, Unit::Number);
    if topo.cache_curve.is_none() {
        return e
            .gives(0.0, Unit::Share, sample.cache_hit_rate)
            .noted("There is no cache (no Redis node, or a TTL of 0): every read goes to the database.");
    }
    let e = e.gives(r.hit, Unit::Share, sample.cache_hit_rate).noted(
        "Key i is read λᵢ times a second; an entry set on a miss lives T seconds, so it serves λᵢT reads for each miss. Hot keys hit almost always, the long tail rarely.",
    );
    if e.agrees() {
        e
    } else {
        e.noted("The cache is refilling after being emptied: keys miss until they are read again, so the live figure is below the formula's steady value.")
    }
}

fn lag(topo: &Topology, sample: &Sample) -> Explanation {
    let apply = sample.tiers.iter().find(|x| x.name == Tier::ReplicaApply);
    let mu = 1.0 / topo.apply_s;
    let e = Explanation::new("Replication lag", "L", "{L₀} + 1 ÷ ({μ} − {w}) + {B} ÷ {μ}", "replication-lag");
    let Some(apply) = apply else {
        let mut e = e
            .step("n", "read replicas", 0.0, Unit::Count)
            .gives(0.0, Unit::Ms, sample.replication_lag_ms)
            .noted("There is no replica, so nothing lags.");
        e.formula = "0 with {n} replicas".to_owned();
        return e;
    };
    // The replay load the engine measured, as writes per second on the hottest shard.
    let w = apply.offered * mu;
    let backlog = apply.queue;
    let sojourn = if w / mu < 0.98 { 1.0 / (mu - w) } else { 50.0 / mu };
    let e = e
        .step("L₀", "shipping and flushing the log with an idle replica", REPLICATION_BASE_LAG_S, Unit::Seconds)
        .step("μ", "writes one replica replays per second", mu, Unit::Rps)
        .step("w", "writes per second it must replay (the busiest shard's)", w, Unit::Rps)
        .step("B", "writes queued behind a burst", backlog, Unit::Count)
        .gives((REPLICATION_BASE_LAG_S + sojourn + backlog / mu) * 1e3, Unit::Ms, sample.replication_lag_ms);
    if w / mu >= 0.98 {
        e.noted("The replica replays writes one at a time and they arrive as fast as it can replay them: the lag grows until the writes slow down.")
    } else {
        e.noted(format!("The replay is {:.0} % busy; a read sent to a replica sees the primary as it was this long ago.", w / mu * 100.0))
    }
}

fn stale(topo: &Topology, sample: &Sample) -> Explanation {
    let r = rates(topo, sample);
    let s = &topo.scenario;
    let mu = 1.0 / topo.apply_s;
    let replica = if r.replicas > 0 && r.replica_reads > 0.0 {
        let w = r.writes * r.shard_hot;
        let apply = sample.tiers.iter().find(|x| x.name == Tier::ReplicaApply).map_or(0.0, |x| x.queue);
        let decay = if w < mu { mu - w } else { f64::INFINITY };
        topo.keys.lagged_stale_share(r.writes, REPLICATION_BASE_LAG_S + apply / mu, decay) * (1.0 - r.hit) * (1.0 - r.to_primary)
    } else {
        0.0
    };
    let writes_per_key = r.writes / topo.keys.keys.max(1) as f64;
    Explanation::new("Stale reads", "s", "{s_cache} + {s_replica}", "stale-read")
        .step("s_cache", "reads answered by a cache entry older than a write to its key", r.stale, Unit::Share)
        .step("s_replica", "reads answered by a replica that has not yet replayed a write", replica, Unit::Share)
        .gives(r.stale + replica, Unit::Share, sample.stale_read_rate)
        .noted(format!(
            "Each key is rewritten about every {} (writes spread over {} keys); an entry older than that, kept by a {} s TTL, or a replica that far behind, returns the old value.",
            duration_words(if writes_per_key > 0.0 { 1.0 / writes_per_key } else { f64::INFINITY }),
            topo.keys.keys,
            s.arch.cache_ttl_s
        ))
}

/// A duration in words: "3 minutes", "2.5 hours", "never".
fn duration_words(s: f64) -> String {
    if !s.is_finite() {
        "never".to_owned()
    } else if s < 120.0 {
        format!("{s:.0} s")
    } else if s < 7_200.0 {
        format!("{:.0} minutes", s / 60.0)
    } else if s < 172_800.0 {
        format!("{:.1} hours", s / 3_600.0)
    } else {
        format!("{:.0} days", s / 86_400.0)
    }
}

fn sessions(topo: &Topology, sample: &Sample) -> Explanation {
    let users = topo.scenario.traffic.users as f64;
    let n = (sample.instances + sample.app_down).max(1) as f64;
    let per = users / n;
    let e = Explanation::new("Sessions lost", "lost", "{k} × {U} ÷ {n}", "session")
        .step("U", "users, each with a session", users, Unit::Count)
        .step("n", "app servers holding them", n, Unit::Count);
    if !topo.sticky() {
        return e
            .step("k", "servers' worth of sessions lost", 0.0, Unit::Number)
            .gives(0.0, Unit::Count, sample.sessions_lost)
            .noted("Sessions live in Redis (or there is one server and no restart): losing a server loses none.");
    }
    let k = if per > 0.0 { sample.sessions_lost / per } else { 0.0 };
    e.step("k", "servers' worth of sessions lost (died, restarted or removed)", k, Unit::Number)
        .gives(k * per, Unit::Count, sample.sessions_lost)
        .noted("With sticky sessions each server keeps its users' sessions in memory: when it goes, they are logged out.")
}

fn instances(topo: &Topology, sample: &Sample) -> Explanation {
    let a = &topo.scenario.arch;
    let (meaning, planned) = if a.autoscaling.enabled {
        ("servers the auto-scaling group runs now", sample.instances + sample.app_down)
    } else {
        ("app servers configured", a.app_servers.max(1))
    };
    let down = planned.saturating_sub(sample.instances);
    Explanation::new("App servers up", "n_up", "{n} − {d}", if a.autoscaling.enabled { "auto-scaling-group" } else { "scale-out" })
        .step("n", meaning, planned as f64, Unit::Count)
        .step("d", "out of service now (dead, removed by health checks, restarting)", down as f64, Unit::Count)
        .gives(planned.saturating_sub(down) as f64, Unit::Count, sample.instances as f64)
        .noted("Each server up adds its vCPUs to the app tier's c; a dead server still in the pool takes its share of requests and fails them.")
}

fn jobs_wait(topo: &Topology, sample: &Sample) -> Explanation {
    let j = &topo.scenario.arch.jobs;
    let e = Explanation::new("Job wait", "W", "{C} ÷ ({c} ÷ {S} − {λ}) + {B} × {S} ÷ {c}", "message-queue");
    if !(j.queued && j.share > 0.0) {
        let mut e = e
            .step("j", "share of writes that start a slow job", j.share, Unit::Share)
            .gives(0.0, Unit::Seconds, sample.jobs.waiting_s)
            .noted("There is no queue: a slow job runs inside its request, and the user waits for it there instead.");
        e.formula = "0: no queue holds the {j} of writes that start a slow job".to_owned();
        return e;
    }
    let job_s = (j.job_ms / 1e3).max(1e-3);
    let c = sample.jobs.workers.max(1);
    let lambda = sample.jobs.rps - sample.jobs.skipped_rps;
    let q = Mmc::new(c, lambda, 1.0 / job_s);
    let stable = lambda > 0.0 && q.is_stable();
    let wq = if stable { q.mean_wait() } else { 0.0 };
    let backlog = (sample.jobs.queue_depth - lambda * wq).max(0.0);
    let e = e
        .step("C", "chance a job waits for a worker (Erlang C)", if stable { q.p_wait() } else { 1.0 }, Unit::Share)
        .step("c", "workers", c as f64, Unit::Count)
        .step("S", "time one job takes", job_s, Unit::Seconds)
        .step("λ", "jobs per second put on the queue", lambda, Unit::Rps)
        .step("B", "jobs backed up beyond the steady queue", backlog, Unit::Count)
        .gives(wq + backlog * job_s / c as f64, Unit::Seconds, sample.jobs.waiting_s);
    if e.agrees() {
        e.noted("Little's law in reverse: a backlog of B jobs drains at c ÷ S jobs a second.")
    } else {
        e.noted(
            "The downstream service is failing: jobs are retried with backoff, so they wait until it is back or their attempts run out.",
        )
    }
}

fn limited(topo: &Topology, sample: &Sample) -> Explanation {
    let a = &topo.scenario.arch;
    let t = &topo.scenario.traffic;
    let per_s = a.resilience.rate_limit_per_min / 60.0;
    let attempts = sample.offered_rps + sample.retry_rps;
    let dynamic = attempts * (1.0 - t.static_share);
    let excess = if per_s > 0.0 { topo.users.excess_share(dynamic, per_s) } else { 0.0 };
    let retry = if sample.offered_rps > 0.0 { attempts / sample.offered_rps } else { 1.0 };
    let e = Explanation::new("Requests refused with 429", "λ₄₂₉", "{D} × Σ max(0, pᵤ·{D} − {L}) ÷ {D} over {U} users", "rate-limit")
        .step("D", "dynamic requests per second", dynamic, Unit::Rps)
        .step("L", "the limit, per user per second", per_s, Unit::Rps)
        .step("U", "users (a few heavy, many light: Zipf 0.6)", t.users as f64, Unit::Count)
        .gives(dynamic * excess / retry, Unit::Rps, sample.rate_limited_rps);
    if per_s > 0.0 {
        e.noted("Each user's requests beyond the limit are refused at the door: only users heavier than the limit are touched.")
    } else {
        e.noted("No rate limit is set: nothing is refused with 429.")
    }
}

/// The name of a priced part.
fn part_words(c: Component) -> (&'static str, &'static str) {
    match c {
        Component::App => ("App", "app servers"),
        Component::Database => ("DB", "database primaries and replicas"),
        Component::Redis => ("Redis", "Redis nodes"),
        Component::LoadBalancer => ("LB", "load balancer: hourly charge and capacity units"),
        Component::Services => ("Svc", "service instances"),
        Component::Cdn => ("CDN", "CDN: bytes and requests served at the edge"),
        Component::Queue => ("Queue", "message queue and its worker machines"),
        Component::Egress => ("Out", "data sent from the origin to the internet"),
    }
}

/// A sum of priced parts as a formula: the parts worth a cent or more, each a step.
fn sum_of(mut e: Explanation, parts: &[(Component, f64)], unit: Unit) -> Explanation {
    let mut terms = Vec::new();
    for &(c, v) in parts {
        if v >= 0.005 {
            let (sym, meaning) = part_words(c);
            terms.push(format!("{{{sym}}}"));
            e = e.step(sym, meaning, v, unit);
        }
    }
    e.formula = if terms.is_empty() { "0".to_owned() } else { terms.join(" + ") };
    e
}

fn cost_now(topo: &Topology, sample: &Sample) -> Explanation {
    let s = &topo.scenario;
    let usage = Usage {
        app_instances: sample.instances as f64,
        origin_rps: sample.edges.origin,
        cdn_rps: sample.edges.edge,
        workers: sample.jobs.workers,
        jobs_rps: sample.jobs.rps,
    };
    let items = cost_items(s, &usage);
    let total: f64 = items.iter().map(|x| x.1).sum();
    let mut e = sum_of(Explanation::new("Price of the system now", "$/h", "", "on-demand"), &items, Unit::UsdPerHour)
        .gives(total, Unit::UsdPerHour, sample.cost_usd_per_hour)
        .noted("On-demand list prices for what runs at this moment; the month's bill below follows a whole day instead.");
    let a = &s.arch;
    let regions = a.regions.max(1) as f64;
    e.more.push(
        Explanation::new("App servers now", "App", "{n} × {p} × {g}", "instance")
            .step("n", "app servers up", sample.instances as f64, Unit::Count)
            .step("p", "price of one per hour", a.app_size.usd_per_hour, Unit::UsdPerHour)
            .step("g", "regions", regions, Unit::Count)
            .gives(sample.instances as f64 * a.app_size.usd_per_hour * regions, Unit::UsdPerHour, items[0].1),
    );
    e
}

fn month(topo: &Topology, bill: &Bill) -> Explanation {
    let parts: Vec<(Component, f64)> = bill.by_component.iter().map(|(&k, &v)| (k, v)).collect();
    let total: f64 = parts.iter().map(|x| x.1).sum();
    let mut e = sum_of(Explanation::new("The month's bill", "bill", "", "reserved-instance"), &parts, Unit::Usd)
        .gives(total, Unit::Usd, bill.usd_per_month)
        .noted("A month of ordinary days (730 hours): machines are paid by the hour, traffic by what the average day carries.");
    let a = &topo.scenario.arch;
    let off = 1.0 - discount(a.reservation);
    let app = bill.by_component.get(&Component::App).copied().unwrap_or(0.0);
    if a.autoscaling.enabled {
        e.more.push(
            Explanation::new("App servers for the month", "App", "{h} × {p} − {b} × {p} × {d}", "auto-scaling-group")
                .step("h", "instance-hours the group runs over the month", bill.app_instance_hours, Unit::Hours)
                .step("p", "on-demand price per hour", a.app_size.usd_per_hour, Unit::UsdPerHour)
                .step(
                    "b",
                    "reserved instance-hours (the overnight floor, all month)",
                    bill.reserved_instances * HOURS_PER_MONTH,
                    Unit::Hours,
                )
                .step("d", "reservation discount", 1.0 - off, Unit::Share)
                .gives(
                    bill.app_instance_hours * a.app_size.usd_per_hour
                        - bill.reserved_instances * HOURS_PER_MONTH * a.app_size.usd_per_hour * (1.0 - off),
                    Unit::Usd,
                    app,
                ),
        );
    } else {
        let regions = a.regions.clamp(1, GEOS.len() as u32) as f64;
        let n = a.app_servers.max(1) as f64;
        e.more.push(
            Explanation::new("App servers for the month", "App", "{n} × {g} × {p} × {h} × (1 − {d})", "instance")
                .step("n", "app servers per region", n, Unit::Count)
                .step("g", "regions", regions, Unit::Count)
                .step("p", "on-demand price per hour", a.app_size.usd_per_hour, Unit::UsdPerHour)
                .step("h", "hours in a month", HOURS_PER_MONTH, Unit::Hours)
                .step("d", "reservation discount", 1.0 - off, Unit::Share)
                .gives(n * regions * a.app_size.usd_per_hour * HOURS_PER_MONTH * off, Unit::Usd, app),
        );
    }
    let database = bill.by_component.get(&Component::Database).copied().unwrap_or(0.0);
    if database > 0.0 {
        let regions = a.regions.clamp(1, GEOS.len() as u32) as f64;
        let shards = a.shards.max(1) as f64;
        let analytics = (a.ops.report.on_replica && a.ops.report.start_hour.is_some()) as u32 as f64;
        let machines = if a.db_separate { shards } else { 0.0 } + a.replicas as f64 * regions * shards + analytics;
        e.more.push(
            Explanation::new("Database for the month", "DB", "{m} × {p} × {h} × (1 − {d})", "primary")
                .step("m", "database machines: primaries, replicas in every region, any analytics replica", machines, Unit::Count)
                .step("p", "on-demand price per hour", a.db_size.usd_per_hour, Unit::UsdPerHour)
                .step("h", "hours in a month", HOURS_PER_MONTH, Unit::Hours)
                .step("d", "reservation discount", 1.0 - off, Unit::Share)
                .gives(machines * a.db_size.usd_per_hour * HOURS_PER_MONTH * off, Unit::Usd, database),
        );
    }
    e
}

fn writes_lost(topo: &Topology, sample: &Sample) -> Explanation {
    let r = rates(topo, sample);
    let w = r.writes.max(1e-9);
    let backups = topo.scenario.arch.ops.backups;
    let e = Explanation::new("Writes lost", "lost", "{w} × {t}", "pitr")
        .step("w", "writes per second", r.writes, Unit::Rps)
        .step("t", "seconds of writes no backup holds when the primary died", sample.writes_lost / w, Unit::Seconds)
        .gives(sample.writes_lost, Unit::Count, sample.writes_lost);
    e.noted(match backups {
        crate::scenario::Backups::None => "No backups: a dead primary with no replica takes every write since the start with it.",
        crate::scenario::Backups::Nightly => "Nightly snapshots: everything written since the last one is gone.",
        crate::scenario::Backups::Pitr => "Point-in-time recovery replays the log: only the last moments before the crash are lost.",
    })
}

fn wrong_user(topo: &Topology, sample: &Sample) -> Explanation {
    let r = rates(topo, sample);
    let t = &topo.scenario.traffic;
    let a = &topo.scenario.arch;
    let private = if a.cdn && a.ops.cdn_caches_private {
        (r.attempts * (1.0 - t.static_share) - sample.rate_limited_rps)
            * (1.0 - t.write_fraction())
            * crate::policy::edge_cache::PRIVATE_SHARE
    } else {
        0.0
    };
    let x = private / crate::policy::edge_cache::ROUTES as f64 * crate::policy::edge_cache::TTL_S;
    Explanation::new("Pages served to the wrong user", "λ_wrong", "{P} × {x} ÷ (1 + {x})", "cache-poisoning")
        .step("P", "logged-in page reads per second", private, Unit::Rps)
        .step("x", "reads of one URL while its cached copy lives (P ÷ 20 URLs × 60 s)", x, Unit::Number)
        .gives(private * x / (1.0 + x), Unit::Rps, sample.wrong_user_rps)
        .noted("The first reader of a URL fills the edge with their own page; everyone after them until it expires gets that page.")
}

/// Why the bottleneck table's `row` reads what it does, for `topo`'s scenario at the moment `sample` whose
/// summary `summary` the table was computed from.
pub fn row(topo: &Topology, sample: &Sample, summary: &Summary, row: &Row) -> Explanation {
    use RowId as R;
    let a = &topo.scenario.arch;
    let t = &topo.scenario.traffic;
    let util = |tier: Tier| summary.utilization.get(&tier).copied().unwrap_or(0.0);
    let app = util(Tier::App);
    let db = if topo.db_on_app { app } else { util(Tier::DbPrimary) };
    let mut e = match row.id {
        R::AppCpu => utilisation(topo, sample, Tier::App),
        R::DbReads => {
            let e = utilisation(topo, sample, if topo.db_on_app { Tier::App } else { Tier::DbPrimary });
            gate(
                e,
                app < crate::diagnose::SATURATED,
                "This row counts the database only while app CPU is under 80 % (else the app row is the one to act on).",
            )
        }
        R::DbWrites => {
            let w = write_share(topo, summary);
            Explanation::new("Primary utilisation from writes", "ρ_w", "{ρ} × {w}", "primary")
                .step("ρ", "primary utilisation", db, Unit::Share)
                .step("w", "share of the primary's work that is writes", w, Unit::Share)
                .gives(db * w, Unit::Share, row.value)
        }
        R::CacheMiss => {
            let applies = a.replicas > 0 && a.cache_ttl_s > 0.0 && util(Tier::Replica) >= 0.5;
            gate(
                cache_hit(topo, sample),
                applies,
                "This row reads the hit ratio only while replicas are at least half busy behind a cache.",
            )
        }
        R::CacheHit => {
            let applies = a.cache_ttl_s > 0.0 && db >= 0.5;
            gate(
                cache_hit(topo, sample),
                applies,
                "This row reads the hit ratio only while the database is at least half busy: at light load misses cost nothing.",
            )
        }
        R::Redis => utilisation(topo, sample, Tier::Redis),
        R::Services => gate(
            utilisation(topo, sample, Tier::Services),
            a.services > 0,
            "This row reads the services' utilisation only when requests call services; this system has none.",
        ),
        R::ReplicationLag => lag(topo, sample),
        R::Stale => stale(topo, sample),
        R::Sessions => sessions(topo, sample),
        R::AsgMax => Explanation::new("Auto-scaling group at its maximum", "f", "{n} ÷ {max}", "auto-scaling-group")
            .step("n", "servers the group runs", summary.instances as f64, Unit::Count)
            .step("max", "the group's maximum", a.autoscaling.max.max(1) as f64, Unit::Count)
            .gives(
                if a.autoscaling.enabled { summary.instances as f64 / a.autoscaling.max.max(1) as f64 } else { 0.0 },
                Unit::Share,
                row.value,
            ),
        R::SlowJobs => {
            let inline = !a.jobs.queued;
            Explanation::new("Slow jobs run inside requests", "λ_jobs", "{λ} × (1 − {s}) × {w} × {j}", "message-queue")
                .step("λ", "peak requests per second", t.peak_rps(), Unit::Rps)
                .step("s", "share that are static files", t.static_share, Unit::Share)
                .step("w", "share of dynamic requests that are writes", t.write_fraction(), Unit::Share)
                .step("j", "share of writes that start a slow job", a.jobs.share, Unit::Share)
                .gives(
                    if inline { t.peak_rps() * (1.0 - t.static_share) * t.write_fraction() * a.jobs.share } else { 0.0 },
                    Unit::Rps,
                    row.value,
                )
                .noted(if inline {
                    "Each of these holds its request until the job is done."
                } else {
                    "The jobs go to the queue: no request waits for them."
                })
        }
        R::QueueDepth => jobs_wait(topo, sample),
        R::DeadLetters => Explanation::new("Jobs dead-lettered", "dead", "{λ} × {t}", "dead-letter-queue")
            .step("λ", "jobs per second arriving while the downstream is down", sample.jobs.rps, Unit::Rps)
            .step(
                "t",
                "seconds past the retry horizon",
                if sample.jobs.rps > 0.0 { summary.jobs_dead_lettered / sample.jobs.rps } else { 0.0 },
                Unit::Seconds,
            )
            .gives(summary.jobs_dead_lettered, Unit::Count, row.value)
            .noted(format!(
                "A job gets {} attempts, each after twice the previous wait; jobs older than that go to the dead-letter queue.",
                a.jobs.attempts
            )),
        R::HotShard => {
            let hot = Topology::hottest_shard_share(&topo.scenario);
            let applies = a.shards > 1 && db >= 0.5;
            gate(
                Explanation::new("Hottest shard's load over an even share", "h", "{n} × {s}", "hot-shard")
                    .step("n", "shards", summary.shards as f64, Unit::Count)
                    .step("s", "share of users on the busiest shard", hot, Unit::Share)
                    .gives(summary.shards as f64 * hot, Unit::Times, row.value),
                applies,
                "This row counts only with several shards and a database at least half busy.",
            )
        }
        R::FanOut => {
            let k = a.services;
            let p = crate::model::HICCUP_P;
            // Hedged, a call stalls fully only when its copy meets a hiccup too.
            let per_call = if a.resilience.hedge { p * p } else { p };
            let e = Explanation::new("Requests waiting out a stalled service call", "s", "1 − (1 − {p})^{K}", "fan-out")
                .step("p", if a.resilience.hedge { "chance a hedged call and its copy both stall" } else { "chance one call stalls (a pause, a noisy neighbour)" }, per_call, Unit::Share)
                .step("K", "services each request calls", k as f64, Unit::Count)
                .gives(1.0 - libm::pow(1.0 - per_call, k as f64), Unit::Share, row.value)
                .noted(format!(
                    "A request waits for its slowest call, so it stalls if any of its {k} calls does: the more services, the more often a rare delay becomes the user's."
                ));
            gate(e, k > 1, "This row counts only when requests fan out to more than one service.")
        }
        R::RetryStorm => share_of(
            "Extra load from retries",
            "r",
            "retried requests per second",
            sample.retry_rps,
            sample.offered_rps,
            "retry-storm",
            row.value,
        ),
        R::RateLimited => {
            let mut e = limited(topo, sample);
            e.title = "Share of requests refused with 429";
            let l = e.result;
            let mut s = share_of(
                "Share of requests refused with 429",
                "q",
                "requests per second refused with 429",
                l,
                sample.offered_rps,
                "http-429",
                row.value,
            );
            s.more.push(e);
            s
        }
        R::Pool => gate(
            errors(sample),
            !a.resilience.db_pool && db >= 0.5,
            "This row counts errors only without a connection pool and with the database at least half busy.",
        ),
        R::Errors => errors(sample),
        R::LbSpof => Explanation::new("Load balancers that can fail alone", "spof", "{lb} − {pair}", "single-point-of-failure")
            .step("lb", "load balancers in front", topo.has_lb() as u32 as f64, Unit::Count)
            .step("pair", "of them with a standby partner", (topo.has_lb() && a.resilience.lb_ha) as u32 as f64, Unit::Count)
            .gives((topo.has_lb() && !a.resilience.lb_ha) as u32 as f64, Unit::Count, row.value),
        R::Static => gate(
            Explanation::new("Static files served by the origin", "s_o", "{s} × (1 − {h})", "static-asset")
                .step("s", "share of requests that are static files", t.static_share, Unit::Share)
                .step("h", "CDN hit ratio", if a.cdn { summary.cdn_hit_rate } else { 0.0 }, Unit::Share)
                .gives(t.static_share * if a.cdn { 1.0 - summary.cdn_hit_rate } else { 1.0 }, Unit::Share, row.value),
            app >= crate::diagnose::BUSY,
            "This row counts only while app CPU is at least 60 % busy (what the diagram calls busy).",
        ),
        R::Distance => {
            let (far, region, rtt) = farthest(topo);
            Explanation::new("Farthest users' round trip", "RTT", "{RTT}", "round-trip")
                .step("RTT", "round trip from the farthest users to the nearest region", rtt * 1e3, Unit::Ms)
                .gives(rtt * 1e3, Unit::Ms, row.value)
                .noted(format!(
                    "Users in {far} are served from {region}: no faster server shortens the distance, a nearer region or a CDN does."
                ))
        }
        R::Batch => {
            let job = &a.ops.report;
            let vcpus = if topo.db_on_app { a.app_size.vcpus } else { a.db_size.vcpus };
            let day = crate::traffic::Traffic { daily_curve: true, ..t.clone() };
            let applies = crate::policy::batch::in_busy_hours(job, |x| day.curve_at(x)) && !job.on_replica;
            gate(
                Explanation::new("Primary CPU the scheduled job takes", "b", "{v} ÷ {c}", "batch-job")
                    .step("v", "vCPUs the job keeps busy", job.vcpus, Unit::Number)
                    .step("c", "vCPUs of the primary", vcpus as f64, Unit::Count)
                    .gives(job.vcpus / vcpus.max(1) as f64, Unit::Share, row.value),
                applies,
                "This row counts only while the job runs in the busy hours on the primary.",
            )
        }
        R::Periodic => gate(
            Explanation::new("App CPU swing over the day", "Δρ", "{ρ} × (1 − {τ})", "daily-curve")
                .step("ρ", "app CPU at the peak", app, Unit::Share)
                .step("τ", "night's load as a share of the peak", t.trough_fraction, Unit::Share)
                .gives(app * (1.0 - t.trough_fraction), Unit::Share, row.value),
            t.daily_curve,
            "This row counts only when the traffic follows the daily curve.",
        ),
        R::DataLoss => writes_lost(topo, sample),
        R::CdnPoisoning => {
            let w = wrong_user(topo, sample);
            let mut s = share_of(
                "Share of responses that are another user's page",
                "q",
                "pages per second to the wrong user",
                w.result,
                sample.offered_rps,
                "cache-poisoning",
                row.value,
            );
            s.more.push(w);
            s
        }
        R::Exposed => Explanation::new("Inner tiers the internet can reach", "exposed", "{db}", "security-group")
            .step("db", "database open to the internet", a.ops.db_public as u32 as f64, Unit::Count)
            .gives(a.ops.db_public as u32 as f64, Unit::Count, row.value),
        R::DbDown => Explanation::new("Primaries out of service", "down", "{d}", "failover")
            .step("d", "primaries failing over or being restored", summary.primaries_down as f64, Unit::Count)
            .gives(summary.primaries_down as f64, Unit::Count, row.value)
            .noted(if a.replicas > 0 {
                "A replica is promoted: writes fail for seconds."
            } else {
                "No replica to promote: the database is restored from backups, which takes minutes or hours."
            }),
        R::LbDown => Explanation::new("Load balancers out of service", "down", "{d}", "load-balancer")
            .step("d", "load balancers taking over or being replaced", summary.lb_down as f64, Unit::Count)
            .gives(summary.lb_down as f64, Unit::Count, row.value)
            .noted(if a.resilience.lb_ha {
                format!("The pair's standby takes over in {} s.", crate::policy::outage::LB_FAILOVER_S)
            } else {
                format!("A lone load balancer is replaced in {} minutes.", crate::policy::outage::LB_REPLACE_S / 60.0)
            }),
        R::RegionDown => {
            let regions = a.regions.clamp(1, 3) as f64;
            Explanation::new("Regions out of service", "dark", "{r} − {up}", "region")
                .step("r", "regions", regions, Unit::Count)
                .step("up", "regions serving", summary.regions as f64, Unit::Count)
                .gives((regions - summary.regions as f64).max(0.0), Unit::Count, row.value)
                .noted(format!(
                    "Geo-DNS moves a dark region's users after {} s (health checks and the record's TTL); the region is back after {} minutes.",
                    crate::policy::outage::REGION_FAILOVER_S,
                    crate::policy::outage::REGION_OUTAGE_S / 60.0
                ))
        }
        R::DownstreamDown => {
            let jobs = if a.jobs.share > 0.0 { 1.0 } else { 0.0 };
            Explanation::new("Downstream services out", "down", "{out} × {jobs}", "circuit-breaker")
                .step("out", "the slow jobs' downstream service down now", summary.downstream_down as f64, Unit::Count)
                .step("jobs", "saves with a slow job to run", jobs, Unit::Count)
                .gives(summary.downstream_down as f64 * jobs, Unit::Count, row.value)
                .noted(if !a.jobs.queued {
                    "Run inline, each save waits on the dead service and fails."
                } else if a.resilience.circuit_breaker {
                    "Behind the queue, the breaker stops the calls; jobs wait and run when it is back."
                } else {
                    "Behind the queue, users carry on; the jobs fail, back off and retry until it is back."
                })
        }
        R::AppDown => Explanation::new("Dead servers in the pool", "dead", "{d}", "health-check")
            .step("d", "dead servers the health checks have not yet removed", summary.app_down as f64, Unit::Count)
            .gives(summary.app_down as f64, Unit::Count, row.value)
            .noted(format!(
                "A check every {} s must fail {} times before the load balancer stops sending to a dead server.",
                a.health_check_s,
                crate::model::UNHEALTHY_CHECKS
            )),
    };
    e.shown = row.value;
    e
}

/// `e`, with a note that the row reads its idle value while the rule `rule` says it does not apply.
fn gate(e: Explanation, applies: bool, rule: &str) -> Explanation {
    if applies {
        e
    } else {
        e.noted(format!("{rule} That is not the case now, so the row stays quiet whatever the formula gives."))
    }
}

/// A share of the offered load: `part` ÷ λ.
fn share_of(
    title: &'static str,
    symbol: &'static str,
    meaning: &'static str,
    part: f64,
    offered: f64,
    glossary: &'static str,
    shown: f64,
) -> Explanation {
    Explanation::new(title, symbol, "{x} ÷ {λ}", glossary)
        .step("x", meaning, part, Unit::Rps)
        .step("λ", "requests offered per second", offered, Unit::Rps)
        .gives(if offered > 0.0 { part / offered } else { 0.0 }, Unit::Share, shown)
}

/// Share of the primary's work that is writes, as the table works it out from the peak load.
fn write_share(topo: &Topology, summary: &Summary) -> f64 {
    let (a, t) = (&topo.scenario.arch, &topo.scenario.traffic);
    let dynamic = t.peak_rps() * (1.0 - t.static_share);
    let writes = dynamic * t.write_fraction();
    let reads_to_db = (dynamic - writes) * (1.0 - summary.cache_hit_rate) * if a.replicas > 0 { 0.0 } else { 1.0 };
    let write_work = writes * topo.db_write_s;
    write_work / (write_work + reads_to_db * topo.db_read_s).max(1e-12)
}

/// The farthest geography from its nearest region: its name, the region's and the round trip (seconds).
fn farthest(topo: &Topology) -> (&'static str, &'static str, f64) {
    let s = &topo.scenario;
    let regions = s.arch.regions.clamp(1, 3) as usize;
    let mut worst = (GEOS[0].name, GEOS[0].name, 0.0);
    for (g, geo) in GEOS.iter().enumerate().filter(|(g, _)| s.traffic.worldwide || *g == 0) {
        let _ = g;
        let (r, rtt) =
            geo.rtt_s[..regions].iter().copied().enumerate().fold((0, f64::INFINITY), |b, (i, x)| if x < b.1 { (i, x) } else { b });
        if rtt > worst.2 {
            worst = (geo.name, GEOS[r].name, rtt);
        }
    }
    worst
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fluid;
    use crate::scenario::Scenario;

    fn steady(s: &Scenario) -> (Topology, Sample, Summary) {
        let topo = Topology::new(s);
        let report = fluid::steady_state_of(&topo);
        (topo, report.series[0].clone(), report.summary)
    }

    fn close(a: f64, b: f64, rel: f64, abs: f64) -> bool {
        (a - b).abs() <= abs.max(rel * b.abs())
    }

    /// Every stage of the combined journey at its own load and at twice it, and the last stage with its cache
    /// invalidated on write and its service calls hedged.
    fn scenarios() -> Vec<Scenario> {
        let mut out = Vec::new();
        for stage in 1..=12 {
            let s = Scenario::stage(stage);
            let users = s.traffic.users;
            out.push(s.clone());
            out.push(s.with_users(users * 2));
        }
        let mut s = Scenario::stage(12);
        s.arch.cache_invalidate = true;
        s.arch.resilience.hedge = true;
        out.push(s);
        out
    }

    #[test]
    fn utilisation_is_arrivals_times_service_time_over_servers() {
        for s in scenarios() {
            let (topo, sample, summary) = steady(&s);
            for tier in [Tier::App, Tier::DbPrimary, Tier::Redis, Tier::Replica, Tier::Services] {
                let Some(&busy) = summary.utilization.get(&tier) else { continue };
                let e = utilisation(&topo, &sample, tier);
                // The plugged-in formula is the result.
                let (l, sv, c) = (e.value("λ").unwrap(), e.value("S").unwrap() / 1e3, e.value("c").unwrap());
                assert!(close(e.result, (l * sv / c).min(1.0), 1e-9, 1e-12));
                assert!(
                    close(e.result, busy, 0.01, 0.002),
                    "stage {} users {} {tier}: formula {} vs engine {busy}",
                    s.stage,
                    s.traffic.users,
                    e.result
                );
                assert!(e.agrees(), "stage {} {tier}", s.stage);
            }
        }
    }

    #[test]
    fn every_headline_figure_is_reproduced_in_a_steady_system() {
        for s in scenarios() {
            let (topo, sample, summary) = steady(&s);
            for m in Metric::ALL {
                let e = metric(m, &topo, &sample, &summary.bill);
                assert!(e.agrees(), "stage {} users {} {}: formula {} vs shown {}", s.stage, s.traffic.users, m.id(), e.result, e.shown);
                for p in e.named_symbols() {
                    assert!(e.value(p).is_some(), "{}: {{{p}}} names no step", m.id());
                }
                assert!(crate::glossary::term(e.glossary).is_some(), "{}: {}", m.id(), e.glossary);
            }
        }
    }

    #[test]
    fn the_shown_figures_are_the_samples_own() {
        let (topo, sample, summary) = steady(&Scenario::stage(5).with_users(20_000));
        let shown = |m| metric(m, &topo, &sample, &summary.bill).shown;
        assert_eq!(shown(Metric::Offered), sample.offered_rps);
        assert_eq!(shown(Metric::P99), sample.latency_ms.p99);
        assert_eq!(shown(Metric::CacheHit), sample.cache_hit_rate);
        assert_eq!(shown(Metric::Bill), summary.cost_usd_per_month);
        assert_eq!(shown(Metric::CostNow), sample.cost_usd_per_hour);
    }

    #[test]
    fn the_cache_formula_is_the_ttl_sum_over_the_keys() {
        let s = Scenario::stage(5).with_users(20_000);
        let (topo, sample, _) = steady(&s);
        let e = cache_hit(&topo, &sample);
        // The exact sum over every key group, from the explanation's own inputs.
        let pop = crate::cache::Popularity::new(e.value("α").unwrap(), e.value("N").unwrap() as u64);
        let exact = pop.ttl_hit_ratio(e.value("R").unwrap(), e.value("T").unwrap());
        assert!(close(e.result, exact, 0.0, 0.003), "{} vs {exact}", e.result);
        assert!(close(e.result, sample.cache_hit_rate, 0.0, 0.0005));
        assert!(e.result > 0.3 && e.result < 1.0);
    }

    #[test]
    fn the_bills_parts_sum_to_the_total_and_the_app_part_is_instances_times_price_times_hours() {
        for stage in [1, 3, 5, 8, 10, 12] {
            let (topo, sample, summary) = steady(&Scenario::stage(stage));
            let e = metric(Metric::Bill, &topo, &sample, &summary.bill);
            let parts: f64 = e.steps.iter().map(|s| s.value).sum();
            assert!(close(parts, summary.cost_usd_per_month, 1e-9, 0.01), "stage {stage}: {parts} vs {}", summary.cost_usd_per_month);
            assert!(e.agrees());
            for sub in &e.more {
                assert!(sub.agrees(), "stage {stage} {}: {} vs {}", sub.title, sub.result, sub.shown);
            }
            let now = metric(Metric::CostNow, &topo, &sample, &summary.bill);
            assert!(now.agrees() && now.more.iter().all(|m| m.agrees()), "stage {stage}");
        }
    }

    #[test]
    fn the_app_server_wait_is_erlang_c_within_the_engines_figure() {
        for s in [Scenario::stage(1).with_users(3_000), Scenario::stage(5).with_users(20_000), Scenario::stage(2).with_users(4_000)] {
            let (topo, sample, _) = steady(&s);
            let e = queue_wait(&topo, &sample);
            assert!(close(e.result, e.shown, 0.05, 0.05), "stage {}: {} ms vs engine {} ms", s.stage, e.result, e.shown);
            assert!(e.value("C").unwrap() > 0.0 && e.value("C").unwrap() < 1.0);
        }
    }

    #[test]
    fn percentiles_lie_beyond_the_round_trip_and_the_service_time() {
        let (topo, sample, summary) = steady(&Scenario::stage(5).with_users(20_000));
        let p50 = metric(Metric::P50, &topo, &sample, &summary.bill);
        let p99 = metric(Metric::P99, &topo, &sample, &summary.bill);
        let floor = p50.value("RTT").unwrap() + topo.app_s * 1e3;
        assert!(p50.result >= floor * 0.9 && p99.result > p50.result, "{} {} {floor}", p50.result, p99.result);
    }

    #[test]
    fn replica_lag_grows_with_the_write_load() {
        let mut s = Scenario::stage(6);
        let (topo, sample, _) = steady(&s);
        let light = lag(&topo, &sample);
        assert!(light.agrees() && light.result > REPLICATION_BASE_LAG_S * 1e3);
        // The replay load the lag reads matches the writes the scenario sends to the busiest shard.
        let r = rates(&topo, &sample);
        assert!(close(light.value("w").unwrap(), r.writes * r.shard_hot, 0.01, 1e-6));
        s.traffic.read_write_ratio = 1.0;
        let (topo, sample, _) = steady(&s);
        let heavy = lag(&topo, &sample);
        assert!(heavy.result > light.result && heavy.agrees());
    }

    #[test]
    fn every_row_opens_with_a_formula_whose_terms_exist() {
        for s in scenarios() {
            let (topo, sample, summary) = steady(&s);
            for r in crate::diagnose::diagnose(&s, &summary) {
                let e = row(&topo, &sample, &summary, &r);
                assert_eq!(e.shown, r.value);
                for p in e.named_symbols() {
                    assert!(e.value(p).is_some(), "{}: {{{p}}}", r.id);
                }
                assert!(crate::glossary::term(e.glossary).is_some(), "{}: {}", r.id, e.glossary);
                // A live row's explanation gives the row's own value.
                if r.live {
                    assert!(e.agrees(), "stage {} live {}: {} vs {}", s.stage, r.id, e.result, e.shown);
                }
            }
        }
    }

    #[test]
    fn formulas_read_in_symbols_and_in_numbers() {
        let (topo, sample, _) = steady(&Scenario::stage(5).with_users(20_000));
        let e = utilisation(&topo, &sample, Tier::App);
        assert_eq!(e.symbolic(), "ρ = λ × S ÷ c");
        // Saturated, the cap is part of the formula, so the arithmetic on screen is right.
        let (topo, sample, _) = steady(&Scenario::stage(1).with_users(5_000));
        let e = utilisation(&topo, &sample, Tier::App);
        assert_eq!(e.symbolic(), "ρ = min(λ × S ÷ c, 100 %)");
        assert_eq!(e.result, 1.0);
        let plugged = e.plugged(|v, _| format!("{v:.0}"));
        assert_eq!(plugged.matches('×').count(), 1);
        assert!(!plugged.contains('{'));
    }
}
