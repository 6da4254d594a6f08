//! Journeys: each seed's path from one server to a million users (and scalesim's own, which combines them) as a
//! sequence of runnable scenarios, each with a paragraph on what the stage adds, what it costs and what gives
//! out next, and the load at which it begins to break, found by the model ([`breaking_users`]).
use crate::ids::RowId;
use serde::Serialize;

use crate::diagnose::{diagnose, Row};
use crate::fluid::steady_state;
use crate::report::Summary;
use crate::scenario::{Scenario, STAGES, STAGE_NAMES};

/// One stage of a journey.
#[derive(Clone, Debug)]
pub struct Stage {
    /// Short title.
    pub title: &'static str,
    /// Users the source puts at this stage.
    pub users: u64,
    /// The system at this stage.
    pub scenario: Scenario,
    /// What the stage adds, what it costs, what gives out next (our words).
    pub about: &'static str,
    /// The query-string keys that turn the built-in stage into this one.
    pub edits: String,
    /// The users at which the stage begins to break and the row that goes live there, as [`breaking_users`]
    /// finds them (stored so the page need not search; a test checks them against the model).
    pub breaks: Option<(u64, RowId)>,
}

/// A named sequence of stages.
#[derive(Clone, Debug)]
pub struct Journey {
    /// Name used in URLs and the CLI.
    pub name: &'static str,
    /// Title.
    pub title: &'static str,
    /// Where the path comes from.
    pub source: &'static str,
    /// Stages in order.
    pub stages: Vec<Stage>,
}

/// Names of every journey, in the order [`journeys`] lists them.
pub const NAMES: [&str; 5] = ["scalesim", "bookmarks", "interview", "blog", "startup"];

/// Every journey.
pub fn journeys() -> Vec<Journey> {
    NAMES.iter().filter_map(|n| journey(n)).collect()
}

/// A journey by name.
pub fn journey(name: &str) -> Option<Journey> {
    let (mut j, breaks): (Journey, &[(u64, RowId)]) = match name {
        "scalesim" => (scalesim(), &BREAKS_SCALESIM),
        "bookmarks" => (bookmarks(), &BREAKS_BOOKMARKS),
        "interview" => (interview(), &BREAKS_INTERVIEW),
        "blog" => (blog(), &BREAKS_BLOG),
        "startup" => (startup(), &BREAKS_STARTUP),
        _ => return None,
    };
    for (st, &b) in j.stages.iter_mut().zip(breaks) {
        st.breaks = Some(b);
    }
    Some(j)
}

// Where each stage begins to break (`scalesim journey NAME` prints them; the
// journey tests fail when the model moves more than the bisection's 2 %).
const BREAKS_SCALESIM: [(u64, RowId); 12] = [
    (2_875, RowId::AppCpu),
    (11_492, RowId::AppCpu),
    (14_103, RowId::AppCpu),
    (56_355, RowId::AppCpu),
    (166_968, RowId::AppCpu),
    (355_438, RowId::DbWrites),
    (636_350, RowId::ReplicationLag),
    (636_350, RowId::ReplicationLag),
    (636_350, RowId::ReplicationLag),
    (1_420_149, RowId::DbWrites),
    (1_420_149, RowId::DbWrites),
    (1_420_149, RowId::DbWrites),
];
const BREAKS_BOOKMARKS: [(u64, RowId); 8] = [
    (2_699, RowId::AppCpu),
    (12_048, RowId::AppCpu),
    (48_148, RowId::AppCpu),
    (144_912, RowId::AppCpu),
    (355_438, RowId::DbWrites),
    (616_629, RowId::AppCpu),
    (636_350, RowId::ReplicationLag),
    (636_350, RowId::ReplicationLag),
];
const BREAKS_INTERVIEW: [(u64, RowId); 7] = [
    (2_875, RowId::AppCpu),
    (14_103, RowId::AppCpu),
    (56_355, RowId::AppCpu),
    (166_968, RowId::AppCpu),
    (636_350, RowId::ReplicationLag),
    (1_420_149, RowId::DbWrites),
    (1_420_149, RowId::DbWrites),
];
const BREAKS_BLOG: [(u64, RowId); 10] = [
    (2_875, RowId::AppCpu),
    (14_103, RowId::AppCpu),
    (54_608, RowId::AppCpu),
    (84_854, RowId::Errors),
    (161_793, RowId::AppCpu),
    (177_820, RowId::DbWrites),
    (225_174, RowId::AppCpu),
    (323_405, RowId::AppCpu),
    (636_350, RowId::ReplicationLag),
    (2_425_260, RowId::Services),
];
const BREAKS_STARTUP: [(u64, RowId); 4] =
    [(6_945, RowId::DbReads), (78_432, RowId::DbReads), (339_043, RowId::AppCpu), (1_420_149, RowId::DbWrites)];

/// A stage: the built-in stage `base` at `users` users, changed by `edits` (query-string keys, the same
/// language as a share link). `edits` are checked by the journey tests.
fn stage(title: &'static str, users: u64, base: u32, about: &'static str, edits: &str) -> Stage {
    let text = format!("stage={base}&users={users}&{edits}");
    let scenario = crate::query::parse(&text).scenario;
    Stage { title, users, scenario, about, edits: edits.to_owned(), breaks: None }
}

fn scalesim() -> Journey {
    const ABOUT: [&str; STAGES as usize] = [
        "One small virtual machine runs the web server, the application and Postgres. It costs about $30 a month and \
         needs no coordination, but app and database fight over two vCPUs, and a single fault or deploy takes \
         everything offline. App CPU is the first thing to give out.",
        "The same design on a machine four times larger: no code changes, only a bigger bill. It buys headroom, not \
         redundancy, and the ceiling is the largest machine money can rent.",
        "Postgres moves to its own memory-optimised server, so each tier can be sized for its own job and a slow \
         query no longer starves the web process. Two machines to run; the database is still a single point of \
         failure and reads now cost a network hop.",
        "A Redis node answers hot reads in well under a millisecond, cache-aside with a 60 s TTL. Because reads \
         follow a Zipf curve, a short TTL already absorbs most of them. The price is staleness of up to one TTL and \
         another component to keep alive. The single app server, even a large one, is next to saturate.",
        "Stateless app servers behind a load balancer, with sessions in Redis so any server can answer any user. \
         Throughput grows almost linearly with servers and a dead server is routed around after two failed health \
         checks. The database primary now takes every cache miss and every write.",
        "Read replicas take the reads while the primary keeps the writes. Read capacity multiplies, but replicas \
         lag the primary, so a user may not see their own write unless those reads go to the primary. Writes are \
         now the limit: replicas cannot help them, and each replica replays every write on one thread.",
        "Static files (about 60 % of requests) are served by CDN edges a few milliseconds from users. Origin load \
         falls sharply and distant users load pages fast. Paying per gigabyte and purging stale assets are the new \
         chores.",
        "Half of all saves start a slow job (a link preview, an email). A message queue takes them off the request \
         path: the request answers 202 Accepted in milliseconds and a worker pool, scaled on queue depth, does the \
         work and retries failures. Results now arrive seconds later: eventual consistency.",
        "The app tier becomes an auto-scaling group that adds two servers when CPU stays above 70 % for two \
         minutes and removes one after ten quiet minutes. On a daily curve it costs far less than a fleet sized \
         for the peak, but new servers need minutes to boot, so sudden spikes hurt for a while. Near 550,000 users \
         replicas can no longer replay the primary's writes.",
        "The database splits into four shards by user id, each with its own primary and replicas, so writes and \
         replication spread four ways. Cross-shard reads become scatter-gather that waits for the slowest shard, \
         and an unlucky key spread can leave one shard hot.",
        "Users are now on three continents. A full stack runs in each region and geo-DNS sends users to the \
         nearest, cutting 200 ms round trips to 30 ms. Reads stay local; writes still travel to the one primary, \
         and a region outage costs its users a minute until DNS moves them.",
        "The monolith splits into services (users, content, media, notifications) that scale and deploy on their \
         own. Every request now fans out to four services and waits for the slowest, so rare hiccups in any one \
         of them show up in the tail.",
    ];
    // Users per stage, and each stage's components sized for them (found with `size_for`).
    const PLAN: [(u64, &str); STAGES as usize] = [
        (1_000, ""),
        (5_000, ""),
        (10_000, ""),
        (30_000, "size=m6i.4xlarge"),
        (100_000, "app=12&dbsize=m6i.8xlarge"),
        (250_000, "app=30&replicas=2&dbsize=m6i.8xlarge"),
        (400_000, "app=48&replicas=3&redis=2&dbsize=m6i.16xlarge"),
        (500_000, "app=60&replicas=3&redis=2&dbsize=m6i.16xlarge&max_workers=4096"),
        (500_000, "asg_min=20&asg_desired=60&asg_max=120&replicas=3&redis=2&dbsize=m6i.16xlarge&max_workers=4096"),
        (1_000_000, "asg_min=40&asg_desired=125&asg_max=250&replicas=3&redis=4&dbsize=m6i.8xlarge&max_workers=8192"),
        (1_000_000, "asg_min=20&asg_desired=70&asg_max=140&replicas=2&redis=2&dbsize=m6i.8xlarge&max_workers=8192"),
        (1_000_000, "asg_min=20&asg_desired=70&asg_max=140&replicas=2&redis=2&dbsize=m6i.8xlarge&max_workers=8192&svc_inst=40"),
    ];
    let stages = (1..=STAGES)
        .map(|n| {
            let i = n as usize - 1;
            stage(STAGE_NAMES[i], PLAN[i].0, n, ABOUT[i], PLAN[i].1)
        })
        .collect();
    Journey { name: "scalesim", title: "scalesim: one server to a million users", source: "all five seeds, combined", stages }
}

/// Seed 000's bookmarking service: saves start slow jobs from day one.
fn bookmarks() -> Journey {
    Journey {
        name: "bookmarks",
        title: "A social bookmarking service, in eight stages",
        source: "seed 000",
        stages: vec![
            stage("Single server", 1_000, 1, "Everything on one t3.medium. Saving a bookmark fetches the page's preview and sends an email inside the request, so saves take seconds even when the box is idle; the shared CPU is what saturates first.", "jobs=0.5"),
            stage("Separate database", 5_000, 3, "Postgres gets its own memory-optimised server with backups. Each tier can now grow on its own; the database is still one machine, and every page view still hits it.", "jobs=0.5"),
            stage("Cache layer", 30_000, 4, "Redis answers hot reads (profiles, popular tags) with a 60 s TTL; most reads never reach Postgres. The single app server becomes the limit, however large.", "jobs=0.5&size=m6i.4xlarge"),
            stage("Load-balanced app tier", 100_000, 5, "Stateless app servers behind a load balancer, sessions in Redis. Capacity grows with servers; the load balancer must itself be redundant, and the primary database takes all misses and writes.", "jobs=0.5&app=12&dbsize=m6i.8xlarge"),
            stage("Read replicas", 300_000, 6, "Replicas serve reads; writes stay on the primary. Lag of tens of milliseconds is normal and must be alerted on past 500 ms.", "jobs=0.5&app=34&dbsize=m6i.8xlarge"),
            stage("CDN", 400_000, 7, "Images, scripts and styles come from edge caches near users, cutting origin traffic by well over half. What is left is the slow work inside each save.", "jobs=0.5&app=45&replicas=3&dbsize=m6i.16xlarge"),
            stage("Message queue", 500_000, 8, "Saves enqueue their jobs and return 202 Accepted; workers fetch previews and send emails, retrying when a provider is down. Response time drops from seconds to tens of milliseconds.", "app=60&replicas=3&redis=2&dbsize=m6i.16xlarge&max_workers=4096"),
            stage("Auto-scaling", 500_000, 9, "The app tier follows the daily curve (seed 000's rules: min 2, desired 4, max 12, here raised for half a million users). Pre-baked images shorten the minutes new servers need to boot.", "curve=1&dur=86400&asg_min=10&asg_desired=60&asg_max=120&replicas=3&redis=2&dbsize=m6i.16xlarge&max_workers=4096&boot=45"),
        ],
    }
}

/// Seed 001's interview-style path with its user counts.
fn interview() -> Journey {
    Journey {
        name: "interview",
        title: "The interview path: seven stages by user count",
        source: "seed 001",
        stages: vec![
            stage("The single box", 1_000, 1, "One server for app and database. Cheap and simple; the first limit is CPU shared by both.", ""),
            stage("Split the database", 10_000, 3, "App and database on separate machines over a private network, with backups and monitoring. Every hot row is still read from the database each time.", ""),
            stage("Add a cache", 50_000, 4, "Roughly four in five reads ask for the same hot rows; Redis serves them. The one app server is now the ceiling, and it holds sessions in memory.", "size=m6i.4xlarge&dbsize=m6i.8xlarge"),
            stage("Load balancer, stateless servers", 100_000, 5, "Sessions move to Redis and identical servers sit behind a load balancer. Read pressure on the primary grows with every user.", "app=12&dbsize=m6i.8xlarge"),
            stage("Read replicas", 500_000, 6, "Replicas multiply read capacity; lag beyond 500 ms should page someone. The primary's write rate is the next wall.", "app=60&replicas=3&redis=2&cdn=1&dbsize=m6i.16xlarge"),
            stage("Shards and queues", 1_000_000, 10, "Writes split across shards by user id and slow writes go to a queue. Cross-shard joins turn into scatter-gather; queued work completes later.", "asg=0&app=125&replicas=3&redis=4&dbsize=m6i.8xlarge&max_workers=8192"),
            stage("Multi-region", 1_000_000, 11, "A stack per region and geo-routing bring distant users from 200 ms round trips to 30 ms. Writes still cross to one primary; partitions and data-residency rules are the new problems.", "asg=0&app=70&replicas=2&redis=2&dbsize=m6i.8xlarge&max_workers=8192"),
        ],
    }
}

/// Seed 002's ten stages of a blogging platform; stages 3 to 6 keep sessions in server memory.
fn blog() -> Journey {
    Journey {
        name: "blog",
        title: "A blogging platform, in ten stages",
        source: "seed 002",
        stages: vec![
            stage("Single server", 1_000, 1, "Frontend, backend, database and files share one machine. It is quick to build and costs almost nothing, but one failure stops everything and the shared CPU is the first limit.", ""),
            stage("Separate the database", 10_000, 3, "The database gets its own server and its own resources, at the price of a second machine and a network hop per query. The lone web server is the next thing to saturate.", ""),
            stage("Load balancer", 30_000, 5, "App servers behind a load balancer. Sessions still live in each server's memory, so the balancer pins users to servers and a lost server logs its users out.", "sessions=sticky&redis=0&ttl=0&app=4&dbsize=m6i.8xlarge"),
            stage("Database replication", 60_000, 6, "A primary for writes and replicas for reads. Replicas trail the primary, and reads still hit the database every time.", "sessions=sticky&redis=0&ttl=0&app=8&replicas=3"),
            stage("Caching layer", 100_000, 6, "Redis in front of the database absorbs repeated reads, so the replicas and primary see only misses. Cached pages can be a TTL out of date, and sticky sessions still tie users to servers.", "sessions=sticky&app=12&dbsize=m6i.4xlarge"),
            stage("CDN", 150_000, 7, "Static content comes from the edge, so the origin serves only dynamic pages and distant readers load faster. The bill now includes bandwidth, and app CPU is again the limit.", "sessions=sticky&app=12&dbsize=m6i.4xlarge"),
            stage("Stateless servers", 200_000, 7, "Sessions move to shared storage, so any server can serve anyone and servers can come and go without logging users out. Every request now reads its session from Redis, and writes start to weigh on the primary.", "app=14&dbsize=m6i.8xlarge"),
            stage("Message queues", 300_000, 8, "Emails, notifications and media processing run in the background, so requests return at once. The work now finishes later than the response, and the queue needs its own monitoring.", "app=20&dbsize=m6i.8xlarge&max_workers=2048"),
            stage("Scale horizontally", 500_000, 8, "More servers instead of bigger ones: cheaper growth and better fault tolerance. Near half a million users the one primary and its replicas cannot keep up with writes.", "app=60&replicas=3&redis=2&dbsize=m6i.16xlarge&max_workers=4096"),
            stage("Microservices", 2_000_000, 12, "Independent services with their own scaling and deploys. Each request now waits for its slowest call, and the data is sharded to keep up with writes.", "world=0&regions=1&asg=0&app=250&shards=8&replicas=3&redis=8&dbsize=m6i.8xlarge&max_workers=10000&svc_inst=120"),
        ],
    }
}

/// Seed 004's four stages of a startup.
fn startup() -> Journey {
    Journey {
        name: "startup",
        title: "A startup's four stages",
        source: "seed 004",
        stages: vec![
            stage("The monolith", 5_000, 3, "One app server and one Postgres database, without the indexes its queries need yet. Simple on purpose; slow queries are the first pain.", "idx=0&dbsize=m6i.2xlarge"),
            stage("First bottlenecks", 50_000, 3, "Indexes make queries three times faster and the queries fetch only what they need; a bigger app server absorbs the peak. One server of each kind is still one failure away from an outage.", "size=m6i.8xlarge&dbsize=m6i.8xlarge"),
            stage("Horizontal scaling", 300_000, 6, "App servers behind a least-connections balancer, Redis with a 5-minute TTL (about 85 % hits), read replicas and connection pooling. More moving parts to watch, and writes still funnel into one primary.", "app=24&ttl=300&lb=lc&pool=1&replicas=3&dbsize=m6i.8xlarge"),
            stage("Microservices", 1_000_000, 12, "User, content, media and notification services scale on their own; a circuit breaker protects against a failing downstream. The price is a request that waits for its slowest service, and distributed tracing to find which one.", "world=0&regions=1&asg=0&app=125&replicas=3&redis=4&svc_inst=70&breaker=1&pool=1&dbsize=m6i.8xlarge&max_workers=8192"),
        ],
    }
}

/// The scenario a short link means. A link that names only a stage (`stage=`, with `journey=` and `step=` view
/// keys, and perhaps `users` and `seed`) opens that journey stage as the picker shows it — sized, with its
/// edits — rather than the bare built-in stage at 1,000 users: `?stage=6` is the picker's stage 6. A link that
/// names a journey stage (`journey=`/`step=`, no `stage=`) and sets other keys means that stage with those keys
/// changed (`?journey=scalesim&step=5&faults=kill_app@60` is the picker's stage 5 losing a server). `None` when a
/// link with `stage=` sets anything else about the architecture (then it means exactly what it says, as every
/// link the page writes does).
pub fn stage_link(input: &str) -> Option<Scenario> {
    const SHORT: [&str; 4] = ["v", "stage", "users", "seed"];
    let parsed = crate::query::parse(input);
    let keys = crate::query::FIELDS.iter().map(|f| f.key);
    let pairs = crate::query::split(input);
    let set = |k: &str| pairs.iter().any(|(key, _)| key == k);
    let view = |k: &str| parsed.view.iter().find(|(key, _)| key == k).map(|(_, v)| v.clone());
    if keys.filter(|k| !SHORT.contains(k)).any(set) {
        if set("stage") || view("step").is_none() {
            return None;
        }
        let name = view("journey").filter(|n| NAMES.contains(&n.as_str())).unwrap_or_else(|| NAMES[0].to_owned());
        let j = journey(&name)?;
        let step = view("step").and_then(|s| s.trim().parse::<usize>().ok())?;
        let stage = j.stages.get(step.clamp(1, j.stages.len()) - 1)?;
        return Some(crate::query::parse_onto(stage.scenario.clone(), input).scenario);
    }
    let name = view("journey").filter(|n| NAMES.contains(&n.as_str())).unwrap_or_else(|| NAMES[0].to_owned());
    let j = journey(&name)?;
    let step = view("step").and_then(|s| s.trim().parse::<usize>().ok());
    let step = match step {
        Some(n) => n,
        None if set("stage") && name == NAMES[0] => parsed.scenario.stage as usize,
        None if set("stage") => return None,
        None => return None,
    };
    let stage = j.stages.get(step.clamp(1, j.stages.len()) - 1)?;
    let mut s = stage.scenario.clone();
    if set("users") {
        s.traffic.users = parsed.scenario.traffic.users;
    }
    if set("seed") {
        s.seed = parsed.scenario.seed;
    }
    Some(s)
}

/// `scenario` with its existing components scaled (more servers, replicas, Redis nodes, workers, service
/// instances, shards once sharded, a bigger database) by following the bottleneck table's fixes until no
/// capacity row is live. No new component is added: that is the next stage's job.
pub fn size_for(scenario: &Scenario) -> Scenario {
    let mut s = scenario.clone();
    for _ in 0..80 {
        let rows = diagnose(&s, &steady_state(&s).summary);
        let Some(next) = scaled(&s, &rows) else { break };
        s = next;
    }
    s
}

/// One step of [`size_for`]: `s` with the first live capacity row's fix applied, as far as it scales a
/// component `s` already has (a lone app server scaled up instead of out; a database without replicas or shards
/// made bigger); `None` when no such fix is left or it changes nothing. The planner sizes its designs the same way.
pub fn scaled(s: &Scenario, rows: &[Row]) -> Option<Scenario> {
    use crate::diagnose::Fix;
    let a = &s.arch;
    let lone = !s.has_load_balancer();
    let bigger_db = (a.db_separate && crate::instance::SIZES.iter().any(|z| z.vcpus > a.db_size.vcpus))
        .then_some(Fix::BiggerDatabase { vcpus: a.db_size.vcpus + 1 });
    let pick = |f: Fix| match f {
        Fix::AppServers { to } if lone => Some(Fix::BiggerAppServer { vcpus: a.app_size.vcpus * to }),
        Fix::SeparateDatabase if lone => Some(Fix::BiggerAppServer { vcpus: a.app_size.vcpus + 1 }),
        Fix::AppServers { .. } => (!a.autoscaling.enabled).then_some(f),
        Fix::BiggerAppServer { .. } => lone.then_some(f),
        Fix::RaiseAsgMax { .. } => a.autoscaling.enabled.then_some(f),
        Fix::Replicas { .. } if a.replicas > 0 => Some(f),
        // Without replicas or shards, the one database grows instead.
        Fix::Replicas { .. } | Fix::AddIndexes | Fix::AddCache | Fix::RaiseTtl { .. } | Fix::AddQueue => bigger_db,
        Fix::Shards { .. } if a.shards == 1 => bigger_db,
        Fix::BiggerDatabase { .. } => bigger_db.and(Some(f)),
        Fix::RedisNodes { .. } | Fix::Workers { .. } | Fix::ServiceInstances { .. } => Some(f),
        Fix::Shards { .. } => (a.shards > 1).then_some(f),
        _ => None,
    };
    let fix = rows.iter().filter(|r| r.live && CAPACITY_ROWS.contains(&r.id)).find_map(|r| r.fix.and_then(pick))?;
    let mut next = fix.apply(s);
    if next.arch.autoscaling.enabled {
        next.arch.autoscaling.desired = next.arch.autoscaling.max;
    }
    (next != *s).then_some(next)
}

/// Rows that mean a stage has run out of capacity.
const CAPACITY_ROWS: [RowId; 8] = [
    RowId::AppCpu,
    RowId::DbReads,
    RowId::DbWrites,
    RowId::Redis,
    RowId::ReplicationLag,
    RowId::QueueDepth,
    RowId::Services,
    RowId::Errors,
];

/// What gives out, in words, for a capacity row's id.
pub fn capacity_words(id: RowId) -> &'static str {
    match id {
        RowId::AppCpu => "app server CPU",
        RowId::DbReads => "database reads",
        RowId::DbWrites => "primary write throughput",
        RowId::Redis => "Redis CPU",
        RowId::ReplicationLag => "replicas replaying writes",
        RowId::QueueDepth => "queue workers",
        RowId::Services => "service instances",
        _ => "requests failing",
    }
}

/// The first capacity row live in `rows`.
pub fn breaking_row(rows: &[Row]) -> Option<&Row> {
    rows.iter().find(|r| r.live && CAPACITY_ROWS.contains(&r.id))
}

/// Whether `scenario` is out of capacity at its peak load.
fn broken(scenario: &Scenario) -> bool {
    let summary = steady_state(scenario).summary;
    breaking_row(&diagnose(scenario, &summary)).is_some()
}

/// The fewest users (to about 2 %) at which `scenario`'s architecture runs out of capacity: a tier past 80 %,
/// replication lag past 500 ms, jobs waiting over a minute, or more than 1 % of requests failing. `None` when
/// it holds up to 10,000,000 users.
pub fn breaking_users(scenario: &Scenario) -> Option<u64> {
    let at = |users: u64| broken(&scenario.clone().with_users(users));
    let (mut lo, mut hi) = (1u64, 10_000_000u64);
    if !at(hi) {
        return None;
    }
    if at(lo) {
        return Some(lo);
    }
    while hi > lo + lo / 50 + 1 {
        let mid = ((lo as f64) * (hi as f64)).sqrt() as u64;
        let mid = mid.clamp(lo + 1, hi - 1);
        if at(mid) {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    Some(hi)
}

/// A stage as the CLI reports it.
#[derive(Clone, Debug, Serialize)]
pub struct StageReport {
    /// Position in the journey (1-based).
    pub stage: usize,
    /// Title.
    pub title: &'static str,
    /// Users the source puts here.
    pub users: u64,
    /// The users at which it begins to break.
    pub breaks_at_users: Option<u64>,
    /// The row that breaks it there.
    pub breaks_on: Option<RowId>,
    /// Steady state at `users`.
    pub summary: Summary,
    /// Live rows at `users`.
    pub bottlenecks: Vec<Row>,
    /// The paragraph.
    pub about: &'static str,
    /// The scenario as a query string.
    pub query: String,
}

/// Runs every stage of `journey`: its steady state, its live rows and its breaking load.
pub fn report(journey: &Journey) -> Vec<StageReport> {
    journey
        .stages
        .iter()
        .enumerate()
        .map(|(i, st)| {
            let summary = steady_state(&st.scenario).summary;
            let bottlenecks: Vec<Row> = diagnose(&st.scenario, &summary).into_iter().filter(|r| r.live).collect();
            let breaks_at_users = breaking_users(&st.scenario);
            let breaks_on = breaks_at_users.and_then(|u| {
                let s = st.scenario.clone().with_users(u);
                breaking_row(&diagnose(&s, &steady_state(&s).summary)).map(|r| r.id)
            });
            StageReport {
                stage: i + 1,
                title: st.title,
                users: st.users,
                breaks_at_users,
                breaks_on,
                summary,
                bottlenecks,
                about: st.about,
                query: crate::query::to_query(&st.scenario),
            }
        })
        .collect()
}
