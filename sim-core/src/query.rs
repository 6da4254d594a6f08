//! The scenario's one text form: a URL query string with short, readable keys and a format version (`v=1`).
//!
//! [`parse`] is forgiving, for links people share: it keeps every field it can read, clamps out-of-range numbers
//! to the nearest accepted value, falls back to the stage default for a value it cannot read, ignores unknown
//! keys, and reports each of these as a [`ScenarioError`] naming the field. [`parse_strict`] turns any such
//! notice into an error (the CLI uses it). [`to_query`] writes every key, so a link keeps meaning the same
//! scenario even if a stage's defaults change. Every key is listed in [`FIELDS`], with its range and meaning.
//!
//! ```
//! use sim_core::query;
//! let parsed = query::parse("v=1&stage=4&users=20000&ttl=300");
//! assert!(parsed.notices.is_empty());
//! assert_eq!(parsed.scenario.traffic.users, 20_000);
//! assert_eq!(query::parse(&query::to_query(&parsed.scenario)).scenario, parsed.scenario);
//! ```

use std::fmt::Display;

use crate::error::ScenarioError;
use crate::instance;
use crate::scenario::{Fault, FaultKind, LbAlgorithm, Scenario, Sessions, STAGES};

/// The format version this build writes and reads.
pub const VERSION: &str = "1";

/// One key of the query string.
pub struct Field {
    /// The key.
    pub key: &'static str,
    /// Accepted values, for the README (only with the `docs` feature: the page does not carry them).
    #[cfg(feature = "docs")]
    pub accepts: &'static str,
    /// What it sets (only with the `docs` feature).
    #[cfg(feature = "docs")]
    pub doc: &'static str,
    /// Writes the field's value.
    pub get: fn(&Scenario) -> String,
    /// Reads a value into the scenario; returns a notice when it clamped or could not read it.
    pub set: fn(&mut Scenario, &str) -> Option<ScenarioError>,
}

/// A number type a field holds. Floats are read by [`crate::decimal`], not `str::parse` (see there why).
trait Number: PartialOrd + Display + Copy {
    fn read(raw: &str) -> Option<Self>;
}

impl Number for f64 {
    fn read(raw: &str) -> Option<f64> {
        crate::decimal::parse(raw)
    }
}

macro_rules! integer {
    ($($t:ty),*) => {$(
        impl Number for $t {
            fn read(raw: &str) -> Option<$t> {
                raw.trim().parse().ok()
            }
        }
    )*};
}
integer!(u8, u32, u64);

/// Parses a number and clamps it into [min, max]; an unreadable value leaves the field untouched.
fn num<T: Number>(field: &'static str, raw: &str, min: T, max: T, slot: &mut T) -> Option<ScenarioError> {
    let Some(v) = T::read(raw) else {
        return Some(ScenarioError::Invalid { field, value: raw.to_owned(), expected: format!("a number from {min} to {max}") });
    };
    // NaN is neither below nor above a bound; treat it as unreadable.
    if v.partial_cmp(&v).is_none() {
        return Some(ScenarioError::Invalid { field, value: raw.to_owned(), expected: format!("a number from {min} to {max}") });
    }
    if v < min || v > max {
        *slot = if v < min { min } else { max };
        return Some(ScenarioError::OutOfRange { field, value: raw.to_owned(), min: min.to_string(), max: max.to_string() });
    }
    *slot = v;
    None
}

/// Parses a switch: 1/0, true/false, on/off, yes/no.
fn flag(field: &'static str, raw: &str, slot: &mut bool) -> Option<ScenarioError> {
    match raw.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "on" | "yes" => *slot = true,
        "0" | "false" | "off" | "no" => *slot = false,
        _ => {
            return Some(ScenarioError::Invalid { field, value: raw.to_owned(), expected: "1 or 0".to_owned() });
        }
    }
    None
}

fn bit(b: bool) -> String {
    if b { "1" } else { "0" }.to_owned()
}

/// Writes a float without trailing noise: integers without a decimal point.
fn real(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

macro_rules! number {
    ($key:literal, $accepts:literal, $doc:literal, $ty:ty, $min:expr, $max:expr, |$s:ident| $place:expr) => {
        Field {
            key: $key,
            #[cfg(feature = "docs")]
            accepts: $accepts,
            #[cfg(feature = "docs")]
            doc: $doc,
            get: |$s| $place.to_string(),
            set: |$s, raw| num::<$ty>($key, raw, $min, $max, &mut $place),
        }
    };
}

macro_rules! float {
    ($key:literal, $accepts:literal, $doc:literal, $min:expr, $max:expr, |$s:ident| $place:expr) => {
        Field {
            key: $key,
            #[cfg(feature = "docs")]
            accepts: $accepts,
            #[cfg(feature = "docs")]
            doc: $doc,
            get: |$s| real($place),
            set: |$s, raw| num::<f64>($key, raw, $min, $max, &mut $place),
        }
    };
}

macro_rules! switch {
    ($key:literal, $doc:literal, |$s:ident| $place:expr) => {
        Field {
            key: $key,
            #[cfg(feature = "docs")]
            accepts: "1 or 0",
            #[cfg(feature = "docs")]
            doc: $doc,
            get: |$s| bit($place),
            set: |$s, raw| flag($key, raw, &mut $place),
        }
    };
}

fn size_field(field: &'static str, raw: &str, slot: &mut instance::InstanceSize) -> Option<ScenarioError> {
    match instance::by_name(raw.trim()) {
        Some(size) => {
            *slot = size;
            None
        }
        None => Some(ScenarioError::Invalid { field, value: raw.to_owned(), expected: format!("one of {}", instance::names()) }),
    }
}

fn parse_faults(raw: &str) -> Result<Vec<Fault>, ScenarioError> {
    let bad = |what: &str| ScenarioError::Invalid {
        field: "faults",
        value: what.to_owned(),
        expected: format!("a comma-separated list of KIND@SECOND, KIND one of {}", FaultKind::ALL.map(|k| k.name()).join(", ")),
    };
    let mut faults = Vec::new();
    for item in raw.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let (name, at) = item.split_once('@').ok_or_else(|| bad(item))?;
        let kind = FaultKind::ALL.into_iter().find(|k| k.name() == name).ok_or_else(|| bad(item))?;
        let at_s = crate::decimal::parse(at).ok_or_else(|| bad(item))?;
        if !(0.0..=31_536_000.0).contains(&at_s) {
            return Err(bad(item));
        }
        faults.push(Fault { at_s, kind });
    }
    crate::scenario::sort_faults(&mut faults);
    Ok(faults)
}

/// Every key, in the order [`to_query`] writes them. `v` and `stage` are handled first, outside this table.
pub const FIELDS: &[Field] = &[
    number!("users", "1–10000000", "People active in the busiest hour", u64, 1, 10_000_000, |s| s.traffic.users),
    number!("seed", "0–18446744073709551615", "Seed of every random choice", u64, 0, u64::MAX, |s| s.seed),
    float!("dur", "1–604800", "Simulated seconds to run", 1.0, 604_800.0, |s| s.duration_s),
    float!("rpu", "0.0001–10", "Requests per second per active user", 0.0001, 10.0, |s| s.traffic.requests_per_user),
    float!("peak", "1–10", "Busiest minute over the busiest hour's average", 1.0, 10.0, |s| s.traffic.peak_factor),
    float!("rw", "0.1–1000", "Reads per write", 0.1, 1_000.0, |s| s.traffic.read_write_ratio),
    float!("static", "0–0.95", "Share of requests for static assets", 0.0, 0.95, |s| s.traffic.static_share),
    float!("zipf", "0–2", "Zipf exponent of key popularity", 0.0, 2.0, |s| s.traffic.zipf_alpha),
    number!("keys", "0–1000000000", "Distinct keys read and written (0: ten per user, growing with users)", u64, 0, 1_000_000_000, |s| s.traffic.keys),
    switch!("curve", "Follow a daily load curve (trough at 04:00, peak at 10:00)", |s| s.traffic.daily_curve),
    float!("trough", "0.01–1", "Load at 04:00 as a fraction of the peak (daily curve)", 0.01, 1.0, |s| s.traffic.trough_fraction),
    switch!("db", "The database has its own server (0: app and DB share one box)", |s| s.arch.db_separate),
    number!("app", "1–1000", "App servers", u32, 1, 1_000, |s| s.arch.app_servers),
    Field {
        key: "size",
        #[cfg(feature = "docs")]
        accepts: "an instance name",
        #[cfg(feature = "docs")]
        doc: "Size of each app server",
        get: |s| s.arch.app_size.name.to_owned(),
        set: |s, raw| size_field("size", raw, &mut s.arch.app_size),
    },
    Field {
        key: "dbsize",
        #[cfg(feature = "docs")]
        accepts: "an instance name",
        #[cfg(feature = "docs")]
        doc: "Size of the database primary and each replica",
        get: |s| s.arch.db_size.name.to_owned(),
        set: |s, raw| size_field("dbsize", raw, &mut s.arch.db_size),
    },
    number!("redis", "0–64", "Redis nodes (query cache and session store)", u32, 0, 64, |s| s.arch.redis_nodes),
    Field {
        key: "redis_size",
        #[cfg(feature = "docs")]
        accepts: "an instance name",
        #[cfg(feature = "docs")]
        doc: "Size of each Redis node",
        get: |s| s.arch.redis_size.name.to_owned(),
        set: |s, raw| size_field("redis_size", raw, &mut s.arch.redis_size),
    },
    float!("ttl", "0–86400", "Cache-aside TTL in seconds (0: no query cache)", 0.0, 86_400.0, |s| s.arch.cache_ttl_s),
    Field {
        key: "sessions",
        #[cfg(feature = "docs")]
        accepts: "redis or sticky",
        #[cfg(feature = "docs")]
        doc: "Where sessions live: Redis (stateless servers) or server memory with sticky routing",
        get: |s| match s.arch.sessions {
            Sessions::Redis => "redis".to_owned(),
            Sessions::Sticky => "sticky".to_owned(),
        },
        set: |s, raw| {
            match raw.trim() {
                "redis" => s.arch.sessions = Sessions::Redis,
                "sticky" => s.arch.sessions = Sessions::Sticky,
                _ => return Some(ScenarioError::Invalid { field: "sessions", value: raw.to_owned(), expected: "redis or sticky".to_owned() }),
            }
            None
        },
    },
    Field {
        key: "lb",
        #[cfg(feature = "docs")]
        accepts: "rr or lc",
        #[cfg(feature = "docs")]
        doc: "Load-balancing algorithm: round-robin or least-connections",
        get: |s| match s.arch.lb_algorithm {
            LbAlgorithm::RoundRobin => "rr".to_owned(),
            LbAlgorithm::LeastConnections => "lc".to_owned(),
        },
        set: |s, raw| {
            match raw.trim() {
                "rr" => s.arch.lb_algorithm = LbAlgorithm::RoundRobin,
                "lc" => s.arch.lb_algorithm = LbAlgorithm::LeastConnections,
                _ => return Some(ScenarioError::Invalid { field: "lb", value: raw.to_owned(), expected: "rr or lc".to_owned() }),
            }
            None
        },
    },
    Field {
        key: "reserve",
        #[cfg(feature = "docs")]
        accepts: "none, 1y or 3y",
        #[cfg(feature = "docs")]
        doc: "Always-on machines bought on demand, or reserved for one or three years (the bill's baseline)",
        get: |s| s.arch.reservation.label().to_owned(),
        set: |s, raw| match crate::scenario::Reservation::from_label(raw.trim()) {
            Some(r) => {
                s.arch.reservation = r;
                None
            }
            None => Some(ScenarioError::Invalid { field: "reserve", value: raw.to_owned(), expected: "none, 1y or 3y".to_owned() }),
        },
    },
    Field {
        key: "backup",
        #[cfg(feature = "docs")]
        accepts: "none, nightly or pitr",
        #[cfg(feature = "docs")]
        doc: "Database backups: none, a nightly snapshot, or point-in-time recovery (snapshot plus archived log)",
        get: |s| s.arch.ops.backups.label().to_owned(),
        set: |s, raw| match crate::scenario::Backups::from_label(raw.trim()) {
            Some(b) => {
                s.arch.ops.backups = b;
                None
            }
            None => Some(ScenarioError::Invalid { field: "backup", value: raw.to_owned(), expected: "none, nightly or pitr".to_owned() }),
        },
    },
    switch!("db_public", "The database accepts connections from the internet, not only from the app servers", |s| s.arch.ops.db_public),
    switch!("cdn_private", "The CDN caches logged-in pages by URL alone (no Vary: Cookie)", |s| s.arch.ops.cdn_caches_private),
    Field {
        key: "report",
        #[cfg(feature = "docs")]
        accepts: "-1 or 0–23.99",
        #[cfg(feature = "docs")]
        doc: "Hour a daily batch job (a report) starts on the database (-1: none)",
        get: |s| s.arch.ops.report.start_hour.map_or("-1".to_owned(), real),
        set: |s, raw| {
            let mut hour = s.arch.ops.report.start_hour.unwrap_or(-1.0);
            let err = num::<f64>("report", raw, -1.0, 23.99, &mut hour);
            // Anything under zero (the clamped -1 included) means no job; an unreadable value keeps the old one.
            s.arch.ops.report.start_hour = (hour >= 0.0).then_some(hour);
            err
        },
    },
    float!("report_min", "1–1440", "Minutes the daily batch job runs", 1.0, 1_440.0, |s| s.arch.ops.report.minutes),
    float!("report_cpu", "0.5–128", "Database vCPUs the batch job keeps busy while it runs", 0.5, 128.0, |s| s.arch.ops.report.vcpus),
    switch!("report_replica", "The batch job runs on a dedicated analytics replica", |s| s.arch.ops.report.on_replica),
    float!("hc", "1–300", "Seconds between health checks (two failures take a server out)", 1.0, 300.0, |s| s.arch.health_check_s),
    number!("replicas", "0–10", "Database read replicas", u32, 0, 10, |s| s.arch.replicas),
    float!("ryw", "0–60000", "Read-your-writes window in ms (0: off)", 0.0, 60_000.0, |s| s.arch.read_your_writes_ms),
    float!("maxlag", "100–600000", "Replica lag in ms past which a replica stops taking reads", 100.0, 600_000.0, |s| s.arch.replica_max_lag_ms),
    switch!("cdn", "A CDN serves static assets", |s| s.arch.cdn),
    float!("cdn_ttl", "1–31536000", "CDN cache lifetime of an asset in seconds", 1.0, 31_536_000.0, |s| s.arch.cdn_ttl_s),
    switch!("idx", "The database has the indexes its queries need", |s| s.arch.db_indexes),
    number!("maxconn", "1–10000", "Postgres max_connections", u32, 1, 10_000, |s| s.arch.db_max_connections),
    float!("timeout", "10–120000", "Request timeout in ms", 10.0, 120_000.0, |s| s.arch.timeout_ms),
    switch!("asg", "The app tier auto-scales", |s| s.arch.autoscaling.enabled),
    number!("asg_min", "1–1000", "Auto-scaling: fewest instances", u32, 1, 1_000, |s| s.arch.autoscaling.min),
    number!("asg_desired", "1–1000", "Auto-scaling: instances at the start", u32, 1, 1_000, |s| s.arch.autoscaling.desired),
    number!("asg_max", "1–1000", "Auto-scaling: most instances", u32, 1, 1_000, |s| s.arch.autoscaling.max),
    float!("out_cpu", "0.05–1", "Auto-scaling: scale out above this CPU fraction", 0.05, 1.0, |s| s.arch.autoscaling.out_cpu),
    float!("out_for", "1–3600", "Auto-scaling: seconds above it before scaling out", 1.0, 3_600.0, |s| s.arch.autoscaling.out_for_s),
    number!("out_add", "1–100", "Auto-scaling: instances added per scale-out", u32, 1, 100, |s| s.arch.autoscaling.out_add),
    float!("in_cpu", "0–0.95", "Auto-scaling: scale in below this CPU fraction", 0.0, 0.95, |s| s.arch.autoscaling.in_cpu),
    float!("in_for", "1–86400", "Auto-scaling: seconds below it before scaling in", 1.0, 86_400.0, |s| s.arch.autoscaling.in_for_s),
    number!("in_remove", "1–100", "Auto-scaling: instances removed per scale-in", u32, 1, 100, |s| s.arch.autoscaling.in_remove),
    float!("boot", "0–1800", "Auto-scaling: seconds from launch to serving", 0.0, 1_800.0, |s| s.arch.autoscaling.boot_s),
    float!("jobs", "0–1", "Share of writes that start a slow job (preview, email)", 0.0, 1.0, |s| s.arch.jobs.share),
    float!("job_ms", "1–600000", "Wall time of one slow job in milliseconds", 1.0, 600_000.0, |s| s.arch.jobs.job_ms),
    float!("job_cpu", "0–10000", "CPU one job costs in milliseconds", 0.0, 10_000.0, |s| s.arch.jobs.cpu_ms),
    switch!("queue", "Slow jobs go through a message queue (202 Accepted) instead of running inline", |s| s.arch.jobs.queued),
    number!("workers", "1–10000", "Queue workers at the start (and the fewest)", u32, 1, 10_000, |s| s.arch.jobs.workers),
    number!("max_workers", "1–10000", "Most queue workers when scaling on queue depth", u32, 1, 10_000, |s| s.arch.jobs.max_workers),
    number!("attempts", "1–20", "Attempts per job before it is dead-lettered", u32, 1, 20, |s| s.arch.jobs.attempts),
    number!("shards", "1–64", "Database shards by user-id hash", u32, 1, 64, |s| s.arch.shards),
    float!("xshard", "0–1", "Share of database reads that need every shard (scatter-gather)", 0.0, 1.0, |s| s.arch.cross_shard_share),
    number!("regions", "1–3", "Regions with a full stack (geo-routed)", u32, 1, 3, |s| s.arch.regions),
    switch!("world", "Users spread over three continents (50 / 30 / 20 %)", |s| s.traffic.worldwide),
    number!("services", "0–20", "Services each request fans out to (0: monolith)", u32, 0, 20, |s| s.arch.services),
    number!("svc_inst", "1–1000", "Instances of each service", u32, 1, 1_000, |s| s.arch.service_instances),
    number!("retries", "0–5", "Client retries of a failed request", u32, 0, 5, |s| s.arch.resilience.retries),
    switch!("breaker", "Circuit breaker around the slow job's downstream service", |s| s.arch.resilience.circuit_breaker),
    float!("ratelimit", "0–100000", "Requests per user per minute before 429 (0: no limit)", 0.0, 100_000.0, |s| s.arch.resilience.rate_limit_per_min),
    switch!("lb_ha", "The load balancer is a redundant pair", |s| s.arch.resilience.lb_ha),
    switch!("pool", "Database connection pool (excess queries wait instead of being refused)", |s| s.arch.resilience.db_pool),
    switch!("coalesce", "Request coalescing: concurrent misses on a key share one database read", |s| s.arch.cache_coalescing),
    switch!("invalidate", "A write deletes its key from the query cache (no stale cache hits; entries live until the next write)", |s| s.arch.cache_invalidate),
    switch!("hedge", "Hedged service calls: a call not back within 10 ms is sent again to another instance, the first answer wins", |s| s.arch.resilience.hedge),
    number!("prewarm", "0–1000", "Auto-scaling: instances held around the daily peak (scheduled pre-warming; 0: off)", u32, 0, 1_000, |s| s.arch.autoscaling.prewarm),
    float!("app_ms", "0.01–10000", "App CPU ms per dynamic request", 0.01, 10_000.0, |s| s.arch.work.app_ms),
    float!("db_read_ms", "0.01–10000", "Database CPU ms per read (with indexes)", 0.01, 10_000.0, |s| s.arch.work.db_read_ms),
    float!("db_write_ms", "0.01–10000", "Database CPU ms per write", 0.01, 10_000.0, |s| s.arch.work.db_write_ms),
    Field {
        key: "faults",
        #[cfg(feature = "docs")]
        accepts: "KIND@SECOND,…",
        #[cfg(feature = "docs")]
        doc: "Scheduled faults: kill_app, spike, flush_cache, deploy, kill_db, downstream, kill_region, kill_lb, write_burst, e.g. kill_app@120,spike@300",
        get: |s| s.faults.iter().map(|f| format!("{}@{}", f.kind.name(), real(f.at_s))).collect::<Vec<_>>().join(","),
        set: |s, raw| match parse_faults(raw) {
            Ok(faults) => {
                s.faults = faults;
                None
            }
            Err(e) => Some(e),
        },
    },
];

/// Keys that describe the view rather than the scenario (embedding, locked knobs, visible panels, the playback
/// position). The parser hands them back untouched in [`Parsed::view`]; the page interprets them.
pub const VIEW_KEYS: &[(&str, &str)] = &[
    ("embed", "1: the compact layout for an iframe in a lesson page"),
    ("lock", "comma-separated knob ids shown but disabled, e.g. users,ttl,stage"),
    ("knobs", "comma-separated knob ids the knobs panel shows (the rest hidden), e.g. ttl,replicas"),
    ("panels", "comma-separated panels to show: diagram,controls,knobs,playback,faults,metrics,table,challenge,plan,compare,exact,charts"),
    ("t", "playback position in simulated seconds"),
    ("journey", "journey shown in the picker: scalesim, bookmarks, interview, blog or startup"),
    ("step", "stage of that journey, from 1"),
    ("a", "compare mode: scenario A as its own query string, percent-encoded (the rest of the link is B)"),
    ("challenge", "a built-in challenge by id (scalesim check lists them): its brief, goals, hints and lesson"),
    ("goals", "a challenge's goals, comma-separated: metric<=number or metric>=number, @every for every window, e.g. p99_ms<=200,error_rate<=0.01@every"),
    ("hints", "a challenge's hints, separated by |, shown one at a time"),
    ("origin", "the host page's origin when embedded, e.g. https://course.example.org: messages are accepted only from it and posted only to it"),
    ("allow", "the knob ids a challenge lets the learner touch, comma-separated (the rest are locked)"),
    ("engine", "des: open in exact mode (the request-level engine runs the scenario in a worker, beside the aggregate engine)"),
];

/// The outcome of a forgiving parse: the scenario, and a notice for each thing that was not taken as written.
#[derive(Clone, Debug, PartialEq)]
pub struct Parsed {
    /// The scenario, with every readable field applied.
    pub scenario: Scenario,
    /// What was clamped, replaced by its default, or ignored, each naming its field.
    pub notices: Vec<ScenarioError>,
    /// View keys and their raw values, in the order given.
    pub view: Vec<(String, String)>,
}

/// Percent-encodes `s` for use as one query-string value: everything but letters, digits and `-._~` is
/// written as `%XX`, so a whole query string (with its `&` and `=`) travels as the value of one key.
pub fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3 / 2);
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Decodes `%XX` escapes and `+` as a space.
fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok().and_then(|h| u8::from_str_radix(h, 16).ok());
                match hex {
                    Some(b) => {
                        out.push(b);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The key/value pairs of a query string or a full share URL (anything before `?` and after `#` is dropped).
/// The key/value pairs of a query string or share URL, decoded, as [`parse`] reads them.
pub fn split(input: &str) -> Vec<(String, String)> {
    pairs(input)
}

fn pairs(input: &str) -> Vec<(String, String)> {
    let query = match input.split_once('?') {
        Some((_, q)) => q,
        None => input,
    };
    let query = query.split('#').next().unwrap_or("");
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (decode(k), decode(v)),
            None => (decode(p), String::new()),
        })
        .collect()
}

/// Whether `input` sets anything about the system (a stage or any scenario key), rather than only view keys:
/// a link that names only a challenge opens the challenge's setup.
pub fn sets_system(input: &str) -> bool {
    pairs(input).iter().any(|(k, _)| k == "stage" || FIELDS.iter().any(|f| f.key == k))
}

/// Reads a query string (or a whole URL) forgivingly; see the module docs.
pub fn parse(input: &str) -> Parsed {
    parse_pairs(&pairs(input))
}

/// Reads `input`'s scenario keys onto `base` (its `stage` key aside), forgivingly: a journey stage's link that
/// also sets a few keys (`?journey=blog&step=6&faults=kill_app@60`) means that stage with those keys changed.
pub fn parse_onto(base: Scenario, input: &str) -> Parsed {
    let pairs: Vec<(String, String)> = pairs(input).into_iter().filter(|(k, _)| k != "stage").collect();
    read_onto(base, &pairs, Vec::new())
}

/// Reads already-split key/value pairs forgivingly, as [`parse`] does (the JSON form arrives this way).
pub fn parse_pairs(pairs: &[(String, String)]) -> Parsed {
    let mut notices = Vec::new();
    if let Some((_, v)) = pairs.iter().find(|(k, _)| k == "v") {
        if v.trim() != VERSION {
            notices.push(ScenarioError::Version { found: v.clone() });
        }
    }
    let mut stage = 1u32;
    if let Some((_, raw)) = pairs.iter().find(|(k, _)| k == "stage") {
        if let Some(n) = num::<u32>("stage", raw, 1, STAGES, &mut stage) {
            notices.push(n);
        }
    }
    read_onto(Scenario::stage(stage), pairs, notices)
}

/// `pairs` read onto `scenario` (`v` and `stage` skipped), after the `notices` so far.
fn read_onto(mut scenario: Scenario, pairs: &[(String, String)], mut notices: Vec<ScenarioError>) -> Parsed {
    let mut view = Vec::new();
    for (key, value) in pairs {
        if key == "v" || key == "stage" {
            continue;
        }
        if VIEW_KEYS.iter().any(|(k, _)| k == key) {
            view.push((key.clone(), value.clone()));
            continue;
        }
        match FIELDS.iter().find(|f| f.key == key) {
            Some(field) => notices.extend((field.set)(&mut scenario, value)),
            None => notices.push(ScenarioError::UnknownKey { key: key.clone() }),
        }
    }
    notices.extend(scenario.repair());
    Parsed { scenario, notices, view }
}

/// Reads a query string and fails on the first thing that is not exactly right.
pub fn parse_strict(input: &str) -> Result<Scenario, ScenarioError> {
    let parsed = parse(input);
    match parsed.notices.into_iter().next() {
        Some(e) => Err(e),
        None => Ok(parsed.scenario),
    }
}

/// Every key of the scenario with its value, in the order [`to_query`] writes them (`v` and `stage` first; no
/// `faults` when there are none).
pub fn to_pairs(s: &Scenario) -> Vec<(&'static str, String)> {
    let mut out = vec![("v", VERSION.to_owned()), ("stage", s.stage.to_string())];
    for field in FIELDS {
        let value = (field.get)(s);
        if field.key == "faults" && value.is_empty() {
            continue;
        }
        out.push((field.key, value));
    }
    out
}

/// Writes the scenario as a query string with every key.
pub fn to_query(s: &Scenario) -> String {
    let mut out = String::new();
    for (key, value) in to_pairs(s) {
        if !out.is_empty() {
            out.push('&');
        }
        out.push_str(key);
        out.push('=');
        out.push_str(&value.replace('%', "%25").replace('&', "%26").replace('#', "%23").replace(' ', "%20"));
    }
    out
}

/// One value of the scenario's JSON form: a flat object with the query string's keys, for example
/// `{"v": 1, "stage": 4, "users": 20000, "sessions": "sticky"}`. Numbers are JSON numbers, the rest strings.
#[derive(Clone, Debug, PartialEq)]
pub enum JsonValue {
    /// A number, written exactly as the query string writes it.
    Number(f64),
    /// Anything else: a name, a list of faults.
    Text(String),
}

impl JsonValue {
    /// How a query-string value is written in JSON: as a number when it reads back as exactly the same text.
    pub fn of(value: &str) -> JsonValue {
        match crate::decimal::parse(value) {
            Some(n) if n.is_finite() && n.to_string() == value => JsonValue::Number(n),
            _ => JsonValue::Text(value.to_owned()),
        }
    }

    /// The query-string text of a JSON value.
    pub fn text(&self) -> String {
        match self {
            JsonValue::Number(n) => n.to_string(),
            JsonValue::Text(t) => t.clone(),
        }
    }
}

/// Reads the JSON form (already split into keys and values by a JSON parser) strictly: the first field that is not
/// exactly right is an error naming it. The object must carry the format version `v`.
pub fn from_json_pairs(pairs: &[(String, JsonValue)]) -> Result<Scenario, ScenarioError> {
    if !pairs.iter().any(|(k, _)| k == "v") {
        return Err(ScenarioError::Invalid { field: "v", value: String::new(), expected: format!("the format version, {VERSION}") });
    }
    let text: Vec<(String, String)> = pairs.iter().map(|(k, v)| (k.clone(), v.text())).collect();
    if let Some((key, _)) = text.iter().find(|(k, _)| VIEW_KEYS.iter().any(|(v, _)| v == k)) {
        return Err(ScenarioError::UnknownKey { key: key.clone() });
    }
    let parsed = parse_pairs(&text);
    match parsed.notices.into_iter().next() {
        Some(e) => Err(e),
        None => Ok(parsed.scenario),
    }
}

/// Fixes cross-field inconsistencies in place, with a notice naming the field it changed: [`Scenario::repair`]
/// (kept for the page, which calls it by this path).
pub fn repair(s: &mut Scenario) -> Vec<ScenarioError> {
    s.repair()
}

/// Checks a scenario value (for example one imported as JSON) against every field's range and the cross-field
/// rules, naming the first field at fault.
pub fn validate(s: &Scenario) -> Result<(), ScenarioError> {
    if !(1..=STAGES).contains(&s.stage) {
        return Err(ScenarioError::OutOfRange { field: "stage", value: s.stage.to_string(), min: "1".into(), max: STAGES.to_string() });
    }
    let mut copy = s.clone();
    for field in FIELDS {
        let text = (field.get)(s);
        if let Some(e) = (field.set)(&mut copy, &text) {
            return Err(e);
        }
    }
    match copy.repair().into_iter().next() {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_stage_round_trips() {
        for n in 1..=STAGES {
            let s = Scenario::stage(n);
            let text = to_query(&s);
            let parsed = parse(&text);
            assert!(parsed.notices.is_empty(), "stage {n}: {:?}", parsed.notices);
            assert_eq!(parsed.scenario, s, "stage {n}");
            assert!(validate(&s).is_ok());
        }
    }

    #[test]
    fn the_json_form_round_trips_every_stage_with_numbers_as_numbers() {
        for n in 1..=STAGES {
            let mut s = Scenario::stage(n).with_users(12_345);
            s.arch.sessions = Sessions::Sticky;
            let json: Vec<(String, JsonValue)> = to_pairs(&s).into_iter().map(|(k, v)| (k.to_owned(), JsonValue::of(&v))).collect();
            assert_eq!(json.iter().find(|(k, _)| k == "users").map(|(_, v)| v.clone()), Some(JsonValue::Number(12_345.0)));
            assert_eq!(json.iter().find(|(k, _)| k == "sessions").map(|(_, v)| v.clone()), Some(JsonValue::Text("sticky".into())));
            assert_eq!(from_json_pairs(&json).unwrap(), s, "stage {n}");
        }
    }

    #[test]
    fn the_json_form_is_read_strictly_naming_the_field() {
        let text = |k: &str, v: &str| (k.to_owned(), JsonValue::Text(v.to_owned()));
        let no_version = from_json_pairs(&[text("users", "5")]).unwrap_err();
        assert_eq!(no_version.field(), "v");
        let unknown = from_json_pairs(&[text("v", "1"), text("broken", "true")]).unwrap_err();
        assert_eq!(unknown.field(), "broken");
        let view = from_json_pairs(&[text("v", "1"), text("embed", "1")]).unwrap_err();
        assert_eq!(view.field(), "embed");
        let far = from_json_pairs(&[text("v", "1"), ("replicas".to_owned(), JsonValue::Number(99.0))]).unwrap_err();
        assert_eq!(far.field(), "replicas");
        let ok = from_json_pairs(&[text("v", "1"), text("stage", "3"), ("users".to_owned(), JsonValue::Number(777.0))]).unwrap();
        assert_eq!((ok.stage, ok.traffic.users), (3, 777));
    }

    #[test]
    fn required_keys_are_present() {
        let text = to_query(&Scenario::stage(5));
        for key in ["v", "stage", "users", "seed", "ttl", "replicas", "app", "asg_min", "asg_max"] {
            assert!(text.split('&').any(|p| p.starts_with(&format!("{key}="))), "{key} missing from {text}");
        }
    }

    #[test]
    fn out_of_range_values_are_clamped_with_a_notice_naming_the_field() {
        let parsed = parse("v=1&users=99999999999&replicas=3");
        assert_eq!(parsed.scenario.traffic.users, 10_000_000);
        assert_eq!(parsed.scenario.arch.replicas, 3);
        assert_eq!(parsed.notices.len(), 1);
        assert_eq!(parsed.notices[0].field(), "users");
    }

    #[test]
    fn unreadable_values_fall_back_to_the_stage_default_only_for_that_field() {
        let parsed = parse("stage=4&ttl=banana&users=5000");
        assert_eq!(parsed.scenario.arch.cache_ttl_s, 60.0);
        assert_eq!(parsed.scenario.traffic.users, 5_000);
        assert_eq!(parsed.notices[0].field(), "ttl");
    }

    #[test]
    fn unknown_keys_and_wrong_versions_are_reported() {
        let parsed = parse("v=9&colour=blue&users=10");
        let fields: Vec<_> = parsed.notices.iter().map(|n| n.field().to_owned()).collect();
        assert_eq!(fields, ["v", "colour"]);
        assert_eq!(parsed.scenario.traffic.users, 10);
    }

    #[test]
    fn full_share_urls_are_accepted() {
        let parsed = parse("https://example.org/lessons/scalesim/?v=1&stage=2&users=300#top");
        assert!(parsed.notices.is_empty());
        assert_eq!(parsed.scenario.stage, 2);
        assert_eq!(parsed.scenario.traffic.users, 300);
    }

    #[test]
    fn faults_round_trip() {
        let parsed = parse("stage=5&faults=kill_app@120,kill_app@60");
        assert!(parsed.notices.is_empty());
        assert_eq!(parsed.scenario.faults.len(), 2);
        assert_eq!(parsed.scenario.faults[0].at_s, 60.0);
        assert_eq!(parse(&to_query(&parsed.scenario)).scenario, parsed.scenario);
    }

    #[test]
    fn nan_and_infinity_are_refused() {
        let parsed = parse("ttl=NaN&rw=inf");
        assert_eq!(parsed.scenario.arch.cache_ttl_s, 0.0);
        assert_eq!(parsed.scenario.traffic.read_write_ratio, Scenario::stage(1).traffic.read_write_ratio);
        assert_eq!(parsed.notices.iter().map(|n| n.field()).collect::<Vec<_>>(), ["ttl", "rw"]);
        // A number too large for f64 reads as infinite and is clamped like any other.
        let parsed = parse("rw=1e400");
        assert_eq!(parsed.scenario.traffic.read_write_ratio, 1_000.0);
        assert_eq!(parsed.notices[0].field(), "rw");
    }

    #[test]
    fn an_encoded_query_travels_as_one_value() {
        let a = to_query(&Scenario::stage(4).with_users(20_000));
        let link = format!("v=1&stage=5&a={}", encode(&a));
        let parsed = parse(&link);
        assert!(parsed.notices.is_empty(), "{:?}", parsed.notices);
        assert_eq!(parsed.view, vec![("a".to_owned(), a.clone())]);
        assert_eq!(parse(&a).scenario, Scenario::stage(4).with_users(20_000));
        assert_eq!(encode("a b&c=d/é"), "a%20b%26c%3Dd%2F%C3%A9");
    }

    #[test]
    fn view_keys_are_handed_back_not_reported() {
        let parsed = parse("stage=2&embed=1&lock=users,ttl&t=30");
        assert!(parsed.notices.is_empty());
        assert_eq!(parsed.view, vec![("embed".into(), "1".into()), ("lock".into(), "users,ttl".into()), ("t".into(), "30".into())]);
    }

    #[test]
    fn strict_parsing_names_the_field() {
        let err = parse_strict("users=0").unwrap_err();
        assert_eq!(err.field(), "users");
        assert!(err.to_string().contains("1 to 10000000"), "{err}");
    }

    #[test]
    fn the_safety_keys_refuse_or_clamp_bad_values_naming_the_field_and_keep_the_rest() {
        let parsed = parse("stage=4&users=5000&backup=weekly&report=99&report_cpu=abc&report_min=0&db_public=maybe&cdn_private=1");
        let fields: Vec<_> = parsed.notices.iter().map(|n| n.field().to_owned()).collect();
        assert_eq!(fields, ["backup", "report", "report_cpu", "report_min", "db_public"]);
        let s = &parsed.scenario;
        assert_eq!(s.traffic.users, 5_000);
        assert_eq!(s.arch.ops.backups, crate::scenario::Backups::Pitr, "stage 4's default kept");
        assert_eq!(s.arch.ops.report.start_hour, Some(23.99), "clamped to the last hour");
        assert_eq!(s.arch.ops.report.vcpus, 4.0, "unreadable: the default kept");
        assert_eq!(s.arch.ops.report.minutes, 1.0, "clamped to a minute");
        assert!(!s.arch.ops.db_public);
        assert!(s.arch.ops.cdn_caches_private);
        // Round trip, and "no job" written back as -1.
        let parsed = parse("stage=7&backup=nightly&report=-1&cdn_private=1&db_public=1");
        assert!(parsed.notices.is_empty(), "{:?}", parsed.notices);
        assert!(to_query(&parsed.scenario).contains("report=-1"));
        assert_eq!(parse(&to_query(&parsed.scenario)).scenario, parsed.scenario);
    }
}
