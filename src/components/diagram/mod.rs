//! The stage diagram: the scenario's components laid out left to right (users, CDN, load balancer, app servers,
//! Redis, database primary or shards, replicas, services, the job queue and its workers), each node showing its utilisation and health in colour and in words, edges
//! labelled with their request rates, the bottleneck marked, and dots flowing at a rate that follows the load
//! (hidden when the user prefers reduced motion).
use leptos::prelude::*;
use sim_core::ids::Tier;
use sim_core::policy::outage;
use sim_core::report::Sample;
use sim_core::scenario::{FaultKind, Scenario};

use crate::format;
use crate::state::Sim;

pub mod vertical;

/// How a node is doing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Health {
    /// Below 60 % busy.
    Ok,
    /// 60–80 % busy.
    Busy,
    /// 80 % or more.
    Saturated,
    /// Dead.
    Down,
    /// Not a capacity-limited node (users, CDN, load balancer).
    Neutral,
    /// Misconfigured in a way that endangers data (a database open to the internet, a CDN caching private pages).
    Unsafe,
    /// Up, but what it depends on is down (the queue while its downstream service fails).
    Degraded,
}

impl Health {
    fn of(util: f64) -> Health {
        if util >= sim_core::diagnose::SATURATED {
            Health::Saturated
        } else if util >= sim_core::diagnose::BUSY {
            Health::Busy
        } else {
            Health::Ok
        }
    }
    /// CSS class and the word that says the same as the colour.
    pub fn word(self) -> (&'static str, &'static str) {
        match self {
            Health::Ok => ("ok", "healthy"),
            Health::Busy => ("busy", "busy"),
            Health::Saturated => ("saturated", "saturated"),
            Health::Down => ("down", "down"),
            Health::Neutral => ("neutral", ""),
            Health::Unsafe => ("unsafe", "unsafe"),
            Health::Degraded => ("degraded", "degraded"),
        }
    }
}

/// A box in the diagram.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    /// Tier it belongs to (matches sim-core's tier names).
    pub tier: &'static str,
    /// Title.
    pub label: String,
    /// Second line: utilisation and size.
    pub detail: String,
    /// Position and size.
    pub x: f64,
    /// Top.
    pub y: f64,
    /// Width.
    pub w: f64,
    /// Height.
    pub h: f64,
    /// Health.
    pub health: Health,
    /// Whether this node is where the first live row points.
    pub bottleneck: bool,
}

/// An arrow between nodes, carrying a request rate.
#[derive(Clone, Debug, PartialEq)]
pub struct Edge {
    /// Start point.
    pub from: (f64, f64),
    /// End point.
    pub to: (f64, f64),
    /// Requests per second along it.
    pub rps: f64,
    /// Whether to print the rate (one edge of a fan carries the label for all).
    pub labelled: bool,
    /// Corners on the way, if the arrow bends (on the phone arrows run straight down and across the gaps).
    pub via: Vec<(f64, f64)>,
}

/// The diagram's nodes and edges.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Layout {
    /// Boxes.
    pub nodes: Vec<Node>,
    /// Arrows.
    pub edges: Vec<Edge>,
    /// Plain lines without arrows: the bus every app server calls its backends through.
    pub wires: Vec<((f64, f64), (f64, f64))>,
    /// With more than one region: a frame around the stack drawn (the busiest region's) and a card per region.
    pub regions: Vec<Region>,
}

/// A region in the diagram: the frame around the stack drawn in full (the busiest region's), or a card per region
/// under it with its own small stack, its share of the users and its state.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Region {
    /// Left, top, width and height.
    pub x: f64,
    /// Top.
    pub y: f64,
    /// Width.
    pub w: f64,
    /// Height.
    pub h: f64,
    /// First line, "Region 2 · Europe · primary" ("" for the frame around the stack).
    pub label: String,
    /// Second line: its state and share of the users ("up · 30 % of users", "dark · users fail, moved in 40 s").
    pub detail: String,
    /// The card's small stack: each box's name and whether it is down.
    pub stack: Vec<(&'static str, bool)>,
    /// Whether the region is out.
    pub down: bool,
    /// Whether it is the region the diagram draws in full.
    pub drawn: bool,
}

/// Width and height of the SVG's coordinate space.
pub const VIEW: (f64, f64) = (1090.0, 410.0);
/// Where the app tier's bus runs: each app server joins it, and every backend (Redis, the database, services,
/// the queue) is called from it, so the drawing says that every server calls them, not only the first.
const BUS_X: f64 = 548.0;
const SHOWN_SERVERS: usize = 4;

fn util_of(sample: &Sample, tier: Tier) -> f64 {
    sample.tiers.iter().find(|t| t.name == tier).map_or(0.0, |t| t.utilization)
}

/// "CPU 63 % · m6i.large", or, past saturation, "CPU 100 % · demand 187 %": the load it is asked for.
fn cpu_detail(sample: &Sample, tier: Tier, size: &str) -> String {
    let t = sample.tiers.iter().find(|t| t.name == tier);
    let (u, offered) = t.map_or((0.0, 0.0), |t| (t.utilization, t.offered));
    if offered > 1.005 {
        format!("CPU {} · demand {}", format::pct(u), format::pct(offered))
    } else {
        format!("CPU {} · {}", format::pct(u), size)
    }
}

fn right(n: &Node) -> (f64, f64) {
    (n.x + n.w, n.y + n.h / 2.0)
}

fn left(n: &Node) -> (f64, f64) {
    (n.x, n.y + n.h / 2.0)
}

/// What the table's headline blames: a tier, and whether it is an outage (then only the tier's nodes that are down
/// are marked: a dead server is the cause, not the healthy ones beside it).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Blame {
    /// The tier.
    pub tier: Tier,
    /// Whether the headline is an outage row.
    pub outage: bool,
}

/// Lays out `scenario` with the figures of `sample`; `blame` is what the table's headline blames, if anything.
pub fn layout(scenario: &Scenario, sample: &Sample, blame: Option<Blame>) -> Layout {
    let bottleneck = blame.map(|b| b.tier);
    let outage = blame.is_some_and(|b| b.outage);
    let a = &scenario.arch;
    let mut nodes = Vec::new();
    let mut edges = Vec::new();
    let mark = |tier: Tier| bottleneck == Some(tier);
    // With several regions: each one now, worked out once for the arrows' share and the cards.
    let regions_now = if a.regions > 1 { regions_at(scenario, sample.t_s) } else { Vec::new() };
    let regional = drawn_share(&regions_now);
    let users = Node {
        tier: "users",
        label: "Users".into(),
        detail: format!("{} · {} req/s", format::compact(scenario.traffic.users as f64), format::compact(sample.offered_rps)),
        x: 10.0,
        y: 160.0,
        w: 120.0,
        h: 60.0,
        health: Health::Neutral,
        bottleneck: false,
    };
    let mut entry = right(&users);
    nodes.push(users);
    if a.cdn {
        let cdn = Node {
            tier: "cdn",
            label: "CDN edge".into(),
            detail: if a.ops.cdn_caches_private {
                format!("{}/s to wrong user", format::compact(sample.wrong_user_rps))
            } else {
                format!("hit {}", format::pct(sample.cdn_hit_rate))
            },
            x: 180.0,
            y: 30.0,
            w: 110.0,
            h: 56.0,
            health: if a.ops.cdn_caches_private { Health::Unsafe } else { Health::Neutral },
            bottleneck: false,
        };
        edges.push(Edge { from: entry, to: left(&cdn), rps: sample.edges.edge, labelled: true, via: Vec::new() });
        nodes.push(cdn);
    }
    if scenario.has_load_balancer() {
        let lb_down = sample.lb_down > 0;
        let lb = Node {
            tier: "lb",
            label: if a.resilience.lb_ha { "LB pair".into() } else { "Load balancer".into() },
            detail: if lb_down {
                // Counted down from the death the engines act on: the pair's standby takes over, or a lone one
                // is replaced.
                let left = recovery_left(scenario, FaultKind::KillLoadBalancer, sample.t_s, outage::lb_down_s(a.resilience.lb_ha));
                if a.resilience.lb_ha {
                    format!("standby in {}", format::countdown(left))
                } else {
                    format!("replaced in {}", format::countdown(left))
                }
            } else {
                match a.lb_algorithm {
                    sim_core::scenario::LbAlgorithm::RoundRobin => "round-robin",
                    sim_core::scenario::LbAlgorithm::LeastConnections => "least connections",
                }
                .to_owned()
            },
            x: 180.0,
            y: 160.0,
            w: 120.0,
            h: 60.0,
            health: if lb_down { Health::Down } else { Health::Neutral },
            bottleneck: lb_down,
        };
        edges.push(Edge { from: entry, to: left(&lb), rps: sample.edges.origin * regional, labelled: true, via: Vec::new() });
        entry = right(&lb);
        nodes.push(lb);
    }
    // App servers: up to four boxes, the last standing for the rest.
    // A dead server the load balancer still sends requests to is drawn, down, until its health checks notice.
    let dead = sample.app_down as usize;
    let configured = if a.autoscaling.enabled { (sample.instances + sample.app_down).max(1) } else { a.app_servers };
    let up = sample.instances.min(configured) as usize;
    let total = (configured as usize).max(up);
    let shown = total.min(SHOWN_SERVERS);
    let app_util = util_of(sample, Tier::App);
    let box_h = if shown > 2 { 52.0 } else { 64.0 };
    let top = 190.0 - (shown as f64 * (box_h + 12.0) - 12.0) / 2.0;
    let single = !a.db_separate;
    // A dead load balancer passes nothing on: the arrows to the servers carry nothing until it is back.
    let per_server = if sample.lb_down > 0 { 0.0 } else { sample.edges.origin * regional / up.max(1) as f64 };
    // A rolling deploy takes one server out at a time: drawn as restarting, not as dead.
    let deploying = scenario.faults.iter().any(|f| {
        f.kind == FaultKind::Deploy
            && sample.t_s >= f.at_s
            && sample.t_s < f.at_s + sim_core::scenario::DEPLOY_RESTART_S * total.max(1) as f64
    });
    let gone = if deploying { "restarting (deploy)" } else { "down" };
    // A rolling deploy restarts the servers in order, one every 30 s (as the engines do): which one is out now.
    let rolling = outage::latest_begun(&scenario.faults, FaultKind::Deploy, sample.t_s)
        .filter(|_| deploying && scenario.has_load_balancer())
        .map(|at| ((sample.t_s - at) / sim_core::scenario::DEPLOY_RESTART_S).floor() as usize);
    let boxes = app_boxes(AppFleet { total, shown, up, single, rolling });
    // A dead server stays in the pool until the load balancer's health checks notice it.
    let noticed_in = outage::latest_begun(&scenario.faults, FaultKind::KillAppServer, sample.t_s)
        .map_or(0.0, |at| sim_core::policy::health::detected_at(at, a.health_check_s) - sample.t_s);
    let last_up = boxes.iter().rposition(|b| !b.down).unwrap_or(usize::MAX);
    let first_up = boxes.iter().position(|b| !b.down);
    let mut app_rows = Vec::new();
    for (i, AppBox { label, down, out_inside, first }) in boxes.into_iter().enumerate() {
        let health = if down { Health::Down } else { Health::of(app_util) };
        let node = Node {
            tier: Tier::App.name(),
            label,
            detail: if down && first >= up && first < up + dead {
                format!("still sent requests · out in {}", format::countdown(noticed_in))
            } else if down {
                gone.into()
            } else if out_inside > 0 {
                // The box that stands for the rest says how many of them are out.
                format!("{} {} · CPU {}", out_inside, if deploying { "restarting" } else { "down" }, format::pct(app_util))
            } else if sample.booting > 0 && i == last_up {
                // Auto-scaling's new servers take no traffic until they have booted.
                format!("+{} booting · CPU {}", sample.booting, format::pct(app_util))
            } else {
                cpu_detail(sample, Tier::App, a.app_size.name)
            },
            x: 350.0,
            y: top + i as f64 * (box_h + 12.0),
            w: 180.0,
            h: box_h,
            health,
            bottleneck: mark(Tier::App) && down == outage,
        };
        // The fan's rate is printed on the first arrow that carries it.
        let labelled = Some(i) == first_up;
        edges.push(Edge { from: entry, to: left(&node), rps: if down { 0.0 } else { per_server }, labelled, via: Vec::new() });
        if !down {
            app_rows.push(right(&node).1);
        }
        nodes.push(node);
    }
    // The bus: a backend's edge starts on it at the backend's own height.
    let bus = |to: (f64, f64)| (BUS_X, to.1);
    let mut called = Vec::new();
    if a.services > 0 {
        let u = util_of(sample, Tier::Services);
        let node = Node {
            tier: Tier::Services.name(),
            label: format!("{} services", a.services),
            detail: format!("CPU {} · ×{} each", format::pct(u), a.service_instances),
            x: 628.0,
            y: 14.0,
            w: 150.0,
            h: 56.0,
            health: Health::of(u),
            bottleneck: mark(Tier::Services),
        };
        let to = left(&node);
        let rps = (sample.edges.origin - sample.edges.edge) * regional;
        edges.push(Edge { from: bus(to), to, rps, labelled: false, via: Vec::new() });
        called.push(to.1);
        nodes.push(node);
    }
    if a.redis_nodes > 0 {
        let u = util_of(sample, Tier::Redis);
        let redis = Node {
            tier: Tier::Redis.name(),
            label: if a.redis_nodes > 1 { format!("Redis ×{}", a.redis_nodes) } else { "Redis".into() },
            detail: format!("CPU {} · hit {}", format::pct(u), format::pct(sample.cache_hit_rate)),
            x: 628.0,
            y: 86.0,
            w: 150.0,
            h: 56.0,
            health: Health::of(u),
            bottleneck: mark(Tier::Redis),
        };
        let to = left(&redis);
        edges.push(Edge { from: bus(to), to, rps: sample.edges.redis * regional, labelled: true, via: Vec::new() });
        called.push(to.1);
        nodes.push(redis);
    }
    let mut primary_anchor = None;
    if a.db_separate {
        let u = util_of(sample, Tier::DbPrimary);
        let db = Node {
            tier: Tier::DbPrimary.name(),
            label: if a.shards > 1 { format!("Postgres ×{} shards", a.shards) } else { "Postgres primary".into() },
            detail: if sample.primaries_down > 0 {
                // A region outage takes the primaries with it: a replica elsewhere is promoted when geo-DNS moves
                // the users; otherwise the primary's own death, failed over or restored.
                let region = outage::latest_begun(&scenario.faults, FaultKind::RegionOutage, sample.t_s)
                    .filter(|&at| outage::region_dark(Some(at), sample.t_s).is_some());
                let left = match region {
                    Some(at) if a.regions > 1 => at + sim_core::scenario::REGION_FAILOVER_S - sample.t_s,
                    Some(at) => at + sim_core::scenario::REGION_OUTAGE_S - sample.t_s,
                    None => recovery_left(scenario, FaultKind::KillDbPrimary, sample.t_s, outage::db_down_s(a.replicas > 0)),
                };
                if a.replicas > 0 {
                    format!("promoting a replica · {}", format::countdown(left))
                } else {
                    format!("restoring from backup · {}", format::countdown(left))
                }
            } else if a.ops.db_public {
                "open to the internet".to_owned()
            } else if a.shards > 1 {
                format!("hottest CPU {}", format::pct(u))
            } else {
                cpu_detail(sample, Tier::DbPrimary, a.db_size.name)
            },
            x: 628.0,
            y: 165.0,
            w: 150.0,
            h: 60.0,
            health: if sample.primaries_down > 0 {
                Health::Down
            } else if a.ops.db_public && u < 0.8 {
                Health::Unsafe
            } else {
                Health::of(u)
            },
            bottleneck: mark(Tier::DbPrimary),
        };
        let to = left(&db);
        edges.push(Edge { from: bus(to), to, rps: sample.edges.primary, labelled: true, via: Vec::new() });
        called.push(to.1);
        primary_anchor = Some(right(&db));
        nodes.push(db);
    }
    // Replicas replay the primary's writes (and take reads); with app and database on one box, that box.
    let primary_anchor = primary_anchor.unwrap_or_else(|| nodes.iter().find(|n| n.tier == Tier::App.name()).map_or((0.0, 0.0), right));
    if a.replicas > 0 {
        let u = util_of(sample, Tier::Replica);
        let shown = (a.replicas as usize).min(3);
        let per = sample.edges.replicas * regional / a.replicas as f64;
        for i in 0..shown {
            let label = if i == shown - 1 && a.replicas as usize > shown {
                format!("Replicas {}–{}", i + 1, a.replicas)
            } else {
                format!("Replica {}", i + 1)
            };
            let node = Node {
                tier: Tier::Replica.name(),
                label,
                // Past the lag limit the app stops reading from a replica (the reads go to the primary): it gets no
                // reads while its replay thread still cannot keep up.
                detail: if sample.replication_lag_ms > a.replica_max_lag_ms {
                    let lag_s = sample.replication_lag_ms / 1e3;
                    let lag = if lag_s >= 10.0 { format!("{lag_s:.0} s") } else { format::ms(sample.replication_lag_ms) };
                    format!("lag {lag} · no reads")
                } else {
                    format!("CPU {} · lag {}", format::pct(u), format::ms(sample.replication_lag_ms))
                },
                x: 805.0,
                y: 120.0 + i as f64 * 70.0,
                w: 130.0,
                h: 56.0,
                health: if sample.replication_lag_ms > sim_core::model::LAG_ALERT_MS { Health::Saturated } else { Health::of(u) },
                bottleneck: mark(Tier::Replica),
            };
            edges.push(Edge { from: primary_anchor, to: left(&node), rps: per, labelled: i == 0, via: Vec::new() });
            nodes.push(node);
        }
    }
    if a.jobs.queued && a.jobs.share > 0.0 {
        let u = util_of(sample, Tier::Workers);
        let downstream_down = sample.downstream_down > 0;
        let node = Node {
            tier: Tier::Workers.name(),
            label: format!("Queue → {} workers", format::count(sample.jobs.workers as f64)),
            // The downstream service the workers call is not drawn: while it is down the queue says so.
            detail: if downstream_down {
                format!("downstream down · {} queued", format::compact(sample.jobs.queue_depth))
            } else {
                format!("depth {} · wait {}", format::count(sample.jobs.queue_depth), format::ms(sample.jobs.waiting_s * 1e3))
            },
            x: 618.0,
            y: 262.0,
            w: 175.0,
            h: 56.0,
            health: if downstream_down { Health::Degraded } else { Health::of(u) },
            bottleneck: mark(Tier::Workers),
        };
        let to = left(&node);
        edges.push(Edge { from: bus(to), to, rps: sample.jobs.rps, labelled: true, via: Vec::new() });
        called.push(to.1);
        nodes.push(node);
    }
    // Each serving app server joins the bus, and the bus runs from the highest of them and the backends to the
    // lowest.
    let mut wires = Vec::new();
    if !called.is_empty() && !app_rows.is_empty() {
        let app_x = 530.0;
        for &y in &app_rows {
            wires.push(((app_x, y), (BUS_X, y)));
        }
        let ys = app_rows.iter().chain(&called);
        let (lo, hi) = ys.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &y| (lo.min(y), hi.max(y)));
        wires.push(((BUS_X, lo), (BUS_X, hi)));
    }
    if outage {
        // An outage marks what is down (or, for a dead downstream service, the queue that stands for it).
        for n in &mut nodes {
            n.bottleneck &= matches!(n.health, Health::Down | Health::Degraded);
        }
    }
    let mut layout = Layout { nodes, edges, wires, regions: Vec::new() };
    if a.regions > 1 {
        geo_dns_in_front(&mut layout, sample, a.regions);
    }
    if !regions_now.is_empty() {
        let cards = region_cards(&layout.nodes, &regions_now, scenario, sample.t_s);
        layout.regions = region_frames(&layout.nodes, cards);
    }
    close_empty_entry_column(&mut layout);
    layout
}

/// Width of the column geo-DNS takes between the users and the regions.
const DNS_COLUMN: f64 = 150.0;

/// With several regions, users reach them through geo-DNS: a box of its own between the users and the regions'
/// load balancers (everything right of the users moves a column right), saying how many regions it can send users
/// to. Static files still go from the users to the CDN.
fn geo_dns_in_front(l: &mut Layout, sample: &Sample, regions: u32) {
    let Some(users) = l.nodes.iter().find(|n| n.tier == "users").cloned() else { return };
    let from_users = right(&users);
    let cdn_in = l.nodes.iter().find(|n| n.tier == "cdn").map(left);
    shift_right_of(l, users.x + users.w, DNS_COLUMN);
    let dns = Node {
        tier: "dns",
        label: "geo-DNS".into(),
        detail: format!("{} of {} regions up", sample.regions_up, regions),
        x: users.x + users.w + 30.0,
        y: users.y,
        w: 110.0,
        h: users.h,
        health: if sample.regions_up == 0 { Health::Down } else { Health::Neutral },
        bottleneck: false,
    };
    // Dynamic requests go through geo-DNS; the CDN's edge keeps its own arrow from the users.
    let cdn_in = cdn_in.map(|(x, y)| (x + DNS_COLUMN, y));
    for e in l.edges.iter_mut().filter(|e| e.from == from_users && Some(e.to) != cdn_in) {
        e.from = right(&dns);
    }
    l.edges.push(Edge { from: from_users, to: left(&dns), rps: sample.edges.origin, labelled: false, via: Vec::new() });
    l.nodes.insert(1, dns);
}

/// With several regions, each runs the whole stack behind its load balancer; the drawing shows the busiest one in
/// full inside a frame around `nodes`' stack, and under it, in a row, the `cards` ([`region_cards`]).
fn region_frames(nodes: &[Node], cards: Vec<Region>) -> Vec<Region> {
    let Some(frame) = frame_around(nodes) else { return Vec::new() };
    if cards.is_empty() {
        return Vec::new();
    }
    let gap = 8.0;
    let card_w = (frame.w - gap * (cards.len() - 1) as f64) / cards.len() as f64;
    let (y, x) = (frame.y + frame.h + 6.0, frame.x);
    let placed = cards.into_iter().enumerate().map(|(i, c)| Region { x: x + i as f64 * (card_w + gap), y, w: card_w, h: CARD_H, ..c });
    std::iter::once(frame).chain(placed).collect()
}

/// The dashed frame around the stack a region runs (every box but the users, the CDN and geo-DNS).
pub fn frame_around(nodes: &[Node]) -> Option<Region> {
    let stack = nodes.iter().filter(|n| !matches!(n.tier, "users" | "cdn" | "dns"));
    let (x0, y0, x1, y1) = stack.fold((f64::INFINITY, f64::INFINITY, 0.0f64, 0.0f64), |(x0, y0, x1, y1), n| {
        (x0.min(n.x), y0.min(n.y), x1.max(n.x + n.w), y1.max(n.y + n.h))
    });
    x0.is_finite().then(|| Region {
        x: x0 - 8.0,
        y: y0 - 8.0,
        w: (x1 + 4.0).min(VIEW.0 - 1.0) - (x0 - 8.0),
        h: y1 - y0 + 16.0,
        drawn: true,
        ..Region::default()
    })
}

/// Height of a region's card.
pub const CARD_H: f64 = 62.0;

/// Seconds until what the latest fault of `kind` (begun by `t`) broke is back, `lasts` seconds after it.
fn recovery_left(scenario: &Scenario, kind: FaultKind, t: f64, lasts: f64) -> f64 {
    outage::latest_begun(&scenario.faults, kind, t).map_or(0.0, |at| at + lasts - t)
}

/// The app tier as the diagram counts it: servers in all, boxes to draw, servers serving, whether the first box is
/// the single box with the database, and which server a rolling deploy has out.
#[derive(Clone, Copy, Debug)]
struct AppFleet {
    total: usize,
    shown: usize,
    up: usize,
    single: bool,
    rolling: Option<usize>,
}

/// One app box: its label, whether it is down, how many servers out it stands for (a box for several), and the
/// index of its first server.
#[derive(Clone, Debug, PartialEq)]
struct AppBox {
    label: String,
    down: bool,
    out_inside: usize,
    first: usize,
}

/// The app boxes: the first servers one by one and the last box for the rest. A rolling deploy's server is drawn
/// restarting where it is in the order (the box for the rest says so once the roll reaches it); other servers out
/// (dead, or scaled away) get a box of their own at the end rather than hiding in the box for the rest, as long as
/// the first boxes can be up.
fn app_boxes(f: AppFleet) -> Vec<AppBox> {
    let AppFleet { total, shown, up, single, rolling } = f;
    let one = |label: String, down: bool, first: usize| AppBox { label, down, out_inside: 0, first };
    let rest = |from: usize, out_inside: usize| AppBox {
        label: format!("App servers {}–{total}", from + 1),
        down: false,
        out_inside,
        first: from,
    };
    let out = total - up;
    if let Some(k) = rolling.filter(|&k| k < total) {
        return (0..shown)
            .map(|i| {
                if i == shown - 1 && total > shown {
                    rest(i, usize::from(k >= i))
                } else {
                    one(format!("App server {}", i + 1), i == k, i)
                }
            })
            .collect();
    }
    if total > shown && out > 0 && up + 1 >= shown {
        let mut b: Vec<AppBox> = (1..shown - 1).map(|k| one(format!("App server {k}"), false, k - 1)).collect();
        let k = shown - 1;
        b.push(if up > k {
            AppBox { label: format!("App servers {k}–{up}"), down: false, out_inside: 0, first: k - 1 }
        } else {
            one(format!("App server {up}"), false, k - 1)
        });
        b.push(if out == 1 {
            one(format!("App server {total}"), true, up)
        } else {
            AppBox { label: format!("App servers {}–{total}", up + 1), down: true, out_inside: 0, first: up }
        });
        return b;
    }
    (0..shown)
        .map(|i| {
            if i == shown - 1 && total > shown {
                // The servers out that are not drawn one by one above.
                rest(i, out.saturating_sub((shown - 1).saturating_sub(up)))
            } else if single && i == 0 {
                let label = if total > 1 { "Server 1: app + Postgres" } else { "Server: app + Postgres" };
                one(label.to_owned(), i >= up, i)
            } else {
                one(format!("App server {}", i + 1), i >= up, i)
            }
        })
        .collect()
}

/// Every region at simulated second `t`, from the scenario's faults.
fn regions_at(scenario: &Scenario, t: f64) -> Vec<sim_core::policy::geo_dns::RegionNow> {
    use sim_core::policy::geo_dns;
    let dark = outage::region_dark(outage::latest_begun(&scenario.faults, FaultKind::RegionOutage, t), t);
    geo_dns::regions_now(scenario.traffic.worldwide, scenario.arch.regions as usize, dark)
}

/// The region drawn in full: the busiest one up (of equals the later, as the request-level engine picks).
fn drawn_region(now: &[sim_core::policy::geo_dns::RegionNow]) -> Option<usize> {
    (0..now.len()).filter(|&r| now[r].dark.is_none()).max_by(|&p, &q| now[p].share.total_cmp(&now[q].share))
}

/// The share of the users whose requests the drawn stack carries: the drawn region's with several regions (`now`),
/// else everyone. The arrows inside the region's frame carry that share of the system's rates; those to the
/// primaries carry every region's writes.
fn drawn_share(now: &[sim_core::policy::geo_dns::RegionNow]) -> f64 {
    if now.is_empty() {
        return 1.0;
    }
    drawn_region(now).map_or(0.0, |r| now[r].share)
}

/// What each region's card says at `t` (positions left to the caller), from the regions `now` ([`regions_at`]:
/// the same routing the engines use). The drawn region is the busiest one up (of equals the later, as the
/// request-level engine picks); its stack is the drawing above, so its card says so.
fn region_cards(nodes: &[Node], now: &[sim_core::policy::geo_dns::RegionNow], scenario: &Scenario, t: f64) -> Vec<Region> {
    use sim_core::policy::geo_dns;
    let down_at = outage::latest_begun(&scenario.faults, FaultKind::RegionOutage, t);
    let drawn = drawn_region(now);
    // The small stack: the drawn stack's kinds of box, in order; writes go to the primaries' region only.
    let mut kinds: Vec<&'static str> = Vec::new();
    for n in nodes {
        let short = match n.tier {
            "lb" => "LB",
            "app" => "App",
            "redis" => "Cache",
            "db_primary" => "Primary",
            "replica" => "Replica",
            "services" => "Svc",
            "workers" => "Queue",
            _ => continue,
        };
        if !kinds.contains(&short) {
            kinds.push(short);
        }
    }
    let moved_to = geo_dns::serving(0, now.len(), Some(true)).map(|r| now[r].place);
    now.iter()
        .enumerate()
        .map(|(r, region)| {
            let primary = if region.primary { " · primary" } else { "" };
            let detail = match region.dark {
                Some(false) => {
                    let left = down_at.map_or(0.0, |at| at + sim_core::scenario::REGION_FAILOVER_S - t).max(0.0);
                    format!("dark · users fail, moved in {}", format::countdown(left))
                }
                Some(true) => match moved_to {
                    Some(to) => format!("dark · its users moved to {to}"),
                    None => "dark · no other region to move to".to_owned(),
                },
                None if Some(r) == drawn => format!("drawn above · {} of users", format::pct(region.share)),
                None if region.share > 0.0 => format!("up · {} of users", format::pct(region.share)),
                None => "up · standing by, no users nearest".to_owned(),
            };
            let down = region.dark.is_some();
            let stack = kinds.iter().filter(|&&k| k != "Primary" || region.primary || kinds.len() == 1).map(|&k| (k, down)).collect();
            Region {
                label: format!("Region {} · {}{primary}", r + 1, region.place),
                detail,
                stack,
                down,
                drawn: Some(r) == drawn,
                ..Region::default()
            }
        })
        .collect()
}

/// Left edge of the app column and width of the entry column before it (CDN, load balancer).
const APP_X: f64 = 350.0;
const ENTRY_COLUMN: f64 = 170.0;

/// Without a CDN or a load balancer the column between the users and the app tier is empty: everything right of
/// it moves left, so a two-box stage is drawn as two boxes close together (readable on a phone), not two boxes
/// at the ends of a wide empty drawing.
fn close_empty_entry_column(l: &mut Layout) {
    let occupied = l.nodes.iter().any(|n| n.x >= APP_X - ENTRY_COLUMN && n.x < APP_X);
    if occupied {
        return;
    }
    shift_right_of(l, APP_X - 1.0, -ENTRY_COLUMN);
}

/// Moves everything that starts right of `beyond` (boxes, arrow and wire points, region frames) by `dx`: how a
/// column is opened (geo-DNS) or closed (an empty entry column).
fn shift_right_of(l: &mut Layout, beyond: f64, dx: f64) {
    let shift = |x: &mut f64| {
        if *x > beyond {
            *x += dx;
        }
    };
    for n in &mut l.nodes {
        shift(&mut n.x);
    }
    for e in &mut l.edges {
        for p in std::iter::once(&mut e.from).chain(std::iter::once(&mut e.to)).chain(e.via.iter_mut()) {
            shift(&mut p.0);
        }
    }
    for w in &mut l.wires {
        shift(&mut w.0 .0);
        shift(&mut w.1 .0);
    }
    for r in &mut l.regions {
        shift(&mut r.x);
    }
}

/// The viewBox that fits the layout's nodes with a margin: full width, only the height in use.
pub fn view_box(layout: &Layout) -> String {
    let (x, y, w, h) = crop(layout);
    format!("{x:.0} {y:.0} {w:.0} {h:.0}")
}

/// The part of the coordinate space the nodes use, with a margin: (x, y, width, height). A two-box stage is
/// drawn as two boxes, not as two boxes in a page of empty space (what made stage 1 tiny on a phone).
fn crop(layout: &Layout) -> (f64, f64, f64, f64) {
    let (mut x0, mut y0, mut x1, mut y1) = (f64::INFINITY, f64::INFINITY, 0.0f64, 0.0f64);
    for n in &layout.nodes {
        (x0, y0, x1, y1) = (x0.min(n.x), y0.min(n.y), x1.max(n.x + n.w), y1.max(n.y + n.h));
    }
    for r in &layout.regions {
        (x0, y0, x1, y1) = (x0.min(r.x), y0.min(r.y), x1.max(r.x + r.w), y1.max(r.y + r.h));
    }
    if !x0.is_finite() || x1 <= x0 || y1 <= y0 {
        return (0.0, 0.0, VIEW.0, VIEW.1);
    }
    let (x, y) = ((x0 - 16.0).max(0.0), (y0 - 16.0).max(0.0));
    (x, y, x1 - x + 16.0, y1 - y + 16.0)
}

/// The narrowest the diagram may be drawn, in CSS pixels, so its labels stay readable (wider boxes scroll).
pub fn min_width_px(layout: &Layout) -> f64 {
    (crop(layout).2 * 0.7).round()
}

/// The diagram.
#[component]
pub fn Diagram() -> impl IntoView {
    let sim = expect_context::<Sim>();
    // Below 600 px (a phone, a narrow lesson frame) the diagram flows top to bottom ([`vertical`]).
    let narrow = crate::hooks::use_narrow();
    let layout = Memo::new(move |_| {
        let blame = sim.rows.with(|rows| {
            sim_core::diagnose::headline(rows)
                .and_then(|r| r.id.tier().map(|tier| Blame { tier, outage: r.id.kind() == sim_core::ids::RowKind::Outage }))
        });
        let s = sim.scenario.get();
        sim.now.with(|sample| {
            let wide = layout(&s, sample, blame);
            if narrow.get() {
                vertical::vertical(&wide)
            } else {
                wide
            }
        })
    });
    // The moving dots change only when an edge moves or its dot count does, so their animations are not
    // restarted (nor their elements rebuilt) on every small change of load.
    // While comparing, the parts B changed from the pinned A are outlined.
    let compare = use_context::<crate::components::compare::Compare>();
    let differs = Memo::new(move |_| {
        compare
            .and_then(|c| c.a.with(|a| a.as_ref().map(|a| sim.scenario.with(|b| crate::components::compare::differing_tiers(a, b)))))
            .unwrap_or_default()
    });
    let dots = Memo::new(move |_| layout.with(|l| l.edges.iter().map(|e| (path_of(e), dot_count(e.rps))).collect::<Vec<_>>()));
    // In exact mode, the path of the request being followed is marked, and the dots are traced requests of the
    // second at the cursor, each on its own route.
    let exact = use_context::<crate::exact::Exact>();
    let routes = Memo::new(move |_| {
        let Some(e) = exact.filter(|e| e.on.get()) else { return Vec::new() };
        let cursor = sim.cursor.get();
        e.traces.with(|ts| {
            let shown = crate::charts::waterfall::around(ts, cursor, TRACE_DOTS);
            layout.with(|l| shown.iter().filter_map(|&i| trace_route(l, &ts[i]).map(|r| (r, ts[i].id))).collect::<Vec<_>>())
        })
    });
    // With reduced motion nothing moves: each edge says how many of the second's traced requests went along it.
    let counts = Memo::new(move |_| {
        let Some(e) = exact.filter(|e| e.on.get()) else { return Vec::new() };
        let cursor = sim.cursor.get();
        e.traces.with(|ts| {
            let second: Vec<&sim_core::des::trace::Trace> =
                crate::charts::waterfall::around(ts, cursor, usize::MAX).into_iter().map(|i| &ts[i]).collect();
            layout.with(|l| l.edges.iter().cloned().zip(edge_counts(l, &second)).filter(|(_, n)| *n > 0).collect::<Vec<_>>())
        })
    });
    let path = Memo::new(move |_| {
        exact.and_then(|e| e.followed.with(|t| t.as_ref().map(crate::charts::waterfall::path_tiers))).unwrap_or_default()
    });
    view! {
        <figure class="panel diagram" id="results" tabindex="-1">
            <figcaption>"Architecture"</figcaption>
            <div class="svg-scroll" tabindex="0" role="group" aria-label="Architecture diagram (scrolls sideways on small screens)">
            <svg viewBox=move || layout.with(view_box) style:min-width=move || format!("{}px", layout.with(min_width_px)) role="img" aria-label=move || describe(&layout.get())>
                <defs>
                    <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" markerHeight="6" orient="auto-start-reverse">
                        <path d="M 0 0 L 10 5 L 0 10 z" class="arrowhead"></path>
                    </marker>
                </defs>
                {move || layout.get().regions.into_iter().map(region_view).collect_view()}
                {move || layout.get().wires.into_iter().map(wire_view).collect_view()}
                {move || layout.get().edges.into_iter().map(edge_view).collect_view()}
                {move || {
                    let routes = routes.get();
                    if routes.is_empty() {
                        dots.get().into_iter().map(dots_view).collect_view().into_any()
                    } else {
                        let n = routes.len() as f64;
                        routes
                            .into_iter()
                            .enumerate()
                            .map(|(i, r)| {
                                let delay = r.0 .1 as f64 * SEGMENT_S * i as f64 / n;
                                // Clicking a dot follows its request (the trace panel's buttons do the same from
                                // the keyboard).
                                let id = r.1;
                                let follow = move |_| {
                                    if let Some(e) = exact {
                                        let t = e.traces.with_untracked(|ts| ts.iter().find(|t| t.id == id).cloned());
                                        e.followed.set(t);
                                    }
                                };
                                view! { <g class="trace-dot-hit" on:click=follow>{trace_dot_view(r.0, delay)}<title>{format!("Request #{id}: click to follow it")}</title></g> }
                            })
                            .collect_view()
                            .into_any()
                    }
                }}
                {move || {
                    let changed = differs.get();
                    let path = path.get();
                    layout
                        .get()
                        .nodes
                        .into_iter()
                        .map(|n| {
                            let (c, p) = (changed.contains(&n.tier), path.contains(&n.tier));
                            node_view(n, c, p)
                        })
                        .collect_view()
                }}
                {move || layout.get().edges.into_iter().filter(has_room_for_label).map(label_view).collect_view()}
                {move || counts.get().into_iter().map(|(e, n)| count_view(&e, n)).collect_view()}
            </svg>
            </div>
        </figure>
    }
}

/// A sentence describing the diagram for screen readers.
pub fn describe(layout: &Layout) -> String {
    let parts: Vec<String> = layout
        .nodes
        .iter()
        .map(|n| {
            let (_, word) = n.health.word();
            let mut s = format!("{} ({})", n.label, n.detail);
            if !word.is_empty() {
                s.push_str(&format!(", {word}"));
            }
            if n.bottleneck {
                s.push_str(", the bottleneck");
            }
            s
        })
        .collect();
    let regions: Vec<String> =
        layout.regions.iter().filter(|r| !r.label.is_empty()).map(|r| format!("{}: {}", r.label, r.detail)).collect();
    if regions.is_empty() {
        format!("Architecture: {}.", parts.join("; "))
    } else {
        format!("Architecture: {}. Regions: {}.", parts.join("; "), regions.join("; "))
    }
}

/// The SVG path of an edge.
fn path_of(e: &Edge) -> String {
    // The line stops 2 units short of the box, along its last leg, so the arrowhead touches the border.
    let last = e.via.last().copied().unwrap_or(e.from);
    let (dx, dy) = (e.to.0 - last.0, e.to.1 - last.1);
    let len = dx.hypot(dy).max(1e-9);
    let end = (e.to.0 - 2.0 * dx / len, e.to.1 - 2.0 * dy / len);
    let mut d = format!("M {:.1} {:.1}", e.from.0, e.from.1);
    for p in e.via.iter().chain(std::iter::once(&end)) {
        d += &format!(" L {:.1} {:.1}", p.0, p.1);
    }
    d
}

/// Requests drawn moving at once in exact mode, whatever the load: the traced ones of the second at the cursor.
pub const TRACE_DOTS: usize = 6;
/// Seconds a dot takes per segment of its path.
const SEGMENT_S: f64 = 0.45;

/// The boxes one traced request visited, in order, as indices into the layout's nodes (the `n`th app server or
/// replica when it is drawn, else the box that stands for it), from the users on.
fn visited(layout: &Layout, trace: &sim_core::des::trace::Trace) -> Vec<usize> {
    use sim_core::des::trace::NodeKind;
    let find = |tier: &str, index: u32| {
        let of_tier: Vec<usize> = (0..layout.nodes.len()).filter(|&i| layout.nodes[i].tier == tier).collect();
        of_tier.get((index as usize).min(of_tier.len().saturating_sub(1))).copied()
    };
    let mut out: Vec<usize> = find("users", 0).into_iter().collect();
    for hop in &trace.hops {
        let tier = crate::charts::waterfall::diagram_tier(hop.node.kind);
        let index = if matches!(hop.node.kind, NodeKind::App | NodeKind::Replica) { hop.node.index } else { 0 };
        if let Some(i) = find(tier, index) {
            if out.last() != Some(&i) {
                out.push(i);
            }
        }
    }
    out
}

/// The route of one traced request over the diagram, as an SVG path through the centres of the boxes it visited,
/// its number of segments, and whether it failed. An answered request travels back the way it came (a cache hit
/// turns back at the cache); a failed one stops where it failed.
pub fn trace_route(layout: &Layout, trace: &sim_core::des::trace::Trace) -> Option<(String, usize, bool)> {
    let centre = |i: &usize| {
        let n = &layout.nodes[*i];
        (n.x + n.w / 2.0, n.y + n.h / 2.0)
    };
    let mut points: Vec<(f64, f64)> = visited(layout, trace).iter().map(centre).collect();
    if points.is_empty() {
        return None;
    }
    if trace.ok {
        let back: Vec<(f64, f64)> = points.iter().rev().skip(1).copied().collect();
        points.extend(back);
    }
    let segments = points.len().saturating_sub(1);
    if segments == 0 {
        return None;
    }
    let d = points
        .iter()
        .enumerate()
        .map(|(i, p)| format!("{} {:.1} {:.1}", if i == 0 { "M" } else { "L" }, p.0, p.1))
        .collect::<Vec<_>>()
        .join(" ");
    Some((d, segments, !trace.ok))
}

/// For each edge of the layout, how many of `traces` went along it: what the diagram shows instead of moving dots
/// when the learner prefers reduced motion. An edge carries a request from box A to box B when it ends on B and
/// starts on A, or, for the app tier's calls, on the bus (which is no box).
pub fn edge_counts(layout: &Layout, traces: &[&sim_core::des::trace::Trace]) -> Vec<usize> {
    let on = |p: (f64, f64), n: &Node| p.0 >= n.x - 1.0 && p.0 <= n.x + n.w + 1.0 && p.1 >= n.y - 1.0 && p.1 <= n.y + n.h + 1.0;
    // The bus belongs to no box: an arrow from it carries what the app servers send.
    let from_bus = |e: &Edge| !layout.nodes.iter().any(|n| on(e.from, n));
    let carries = |e: &Edge, a: &Node, b: &Node| on(e.to, b) && (on(e.from, a) || (a.tier == "app" && from_bus(e)));
    let mut counts = vec![0; layout.edges.len()];
    for trace in traces {
        let route = visited(layout, trace);
        for (i, e) in layout.edges.iter().enumerate() {
            if route.windows(2).any(|w| carries(e, &layout.nodes[w[0]], &layout.nodes[w[1]])) {
                counts[i] += 1;
            }
        }
    }
    counts
}

/// One traced request's dot, moving along its route, starting `delay` seconds in. A failed request's dot travels
/// for three quarters of its cycle, then stops where it failed and turns vermillion for the rest.
fn trace_dot_view((path, segments, failed): (String, usize, bool), delay: f64) -> impl IntoView {
    let dur = format!("{:.2}s", segments as f64 * SEGMENT_S / if failed { 0.75 } else { 1.0 });
    let begin = format!("-{delay:.2}s");
    if failed {
        view! {
            <circle r="4.5" class="dot trace-dot failed" fill="rgb(0,114,178)">
                <animateMotion dur=dur.clone() begin=begin.clone() repeatCount="indefinite" path=path calcMode="linear" keyPoints="0;1;1" keyTimes="0;0.75;1"></animateMotion>
                <animate attributeName="fill" dur=dur begin=begin repeatCount="indefinite" calcMode="discrete" values="rgb(0,114,178);rgb(213,94,0)" keyTimes="0;0.75"></animate>
            </circle>
        }
        .into_any()
    } else {
        view! {
            <circle r="4.5" class="dot trace-dot">
                <animateMotion dur=dur begin=begin repeatCount="indefinite" path=path></animateMotion>
            </circle>
        }
        .into_any()
    }
}

/// Dots on an edge: one more per factor of ten in its rate, up to five; none when idle.
pub fn dot_count(rps: f64) -> usize {
    if rps > 0.0 {
        (1.0 + rps.log10().max(0.0)).min(5.0) as usize
    } else {
        0
    }
}

fn dots_view((path, dots): (String, usize)) -> impl IntoView {
    let dur = 1.6;
    (0..dots)
        .map(|i| {
            // Negative offsets: every dot is already under way, none waits at the origin.
            let begin = format!("-{:.2}s", i as f64 * dur / dots as f64);
            view! {
                <circle r="3.5" class="dot">
                    <animateMotion dur=format!("{dur}s") begin=begin repeatCount="indefinite" path=path.clone()></animateMotion>
                </circle>
            }
        })
        .collect_view()
}

fn region_view(r: Region) -> impl IntoView {
    if r.label.is_empty() {
        return view! { <g class="region"><rect x=r.x y=r.y width=r.w height=r.h rx="10"></rect></g> }.into_any();
    }
    // The card's small stack: a row of boxes along its bottom, each as wide as its name needs.
    let (pad, gap) = (8.0, 3.0);
    let weight = |name: &str| name.len() as f64 + 2.0;
    let total: f64 = r.stack.iter().map(|b| weight(b.0)).sum::<f64>().max(1.0);
    let unit = (r.w - 2.0 * pad - gap * (r.stack.len().max(1) - 1) as f64) / total;
    let mut x = r.x + pad;
    let boxes = r
        .stack
        .iter()
        .map(|&(name, down)| {
            let bw = weight(name) * unit;
            let at = x;
            x += bw + gap;
            view! {
                <g class="mini" class:down=down>
                    <rect x=at y=r.y + 38.0 width=bw height="16" rx="3"></rect>
                    <text x=at + bw / 2.0 y=r.y + 50.0 text-anchor="middle">{name}</text>
                    <title>{mini_title(name, down)}</title>
                </g>
            }
        })
        .collect_view();
    view! {
        <g class="region card" class:down=r.down class:drawn=r.drawn>
            <rect x=r.x y=r.y width=r.w height=r.h rx="8"></rect>
            <text class="title" x=r.x + 8.0 y=r.y + 15.0>{r.label.clone()}</text>
            <text x=r.x + 8.0 y=r.y + 30.0>{r.detail.clone()}</text>
            {boxes}
        </g>
    }
    .into_any()
}

/// A card's small box in words (its tooltip).
fn mini_title(short: &str, down: bool) -> String {
    let long = match short {
        "LB" => "load balancer",
        "App" => "app servers",
        "Cache" => "Redis cache",
        "Primary" => "database primaries (every region's writes come here)",
        "Replica" => "read replicas (this region's reads)",
        "Svc" => "internal services",
        "Queue" => "message queue and workers",
        other => other,
    };
    if down {
        format!("{long}: down with the region")
    } else {
        long.to_owned()
    }
}

fn wire_view((from, to): ((f64, f64), (f64, f64))) -> impl IntoView {
    view! { <line class="wire" x1=from.0 y1=from.1 x2=to.0 y2=to.1></line> }
}

fn edge_view(e: Edge) -> impl IntoView {
    view! {
        <g class="edge">
            <path d=path_of(&e) marker-end="url(#arrow)"></path>
        </g>
    }
}

/// Shortest edge (in view units) whose rate is printed on it: a shorter one would put the label over the boxes.
const LABEL_ROOM: f64 = 60.0;

/// Whether an edge carries a rate label: the one of its fan that speaks for all, busy, and long enough.
pub fn has_room_for_label(e: &Edge) -> bool {
    e.labelled && e.rps > 0.0 && (e.to.0 - e.from.0).hypot(e.to.1 - e.from.1) >= LABEL_ROOM
}

/// How many traced requests went along an edge, under its middle (shown only with reduced motion, by the
/// stylesheet, in place of the moving dots).
fn count_view(e: &Edge, n: usize) -> impl IntoView {
    let mid = (e.from.0 + (e.to.0 - e.from.0) * 0.5, e.from.1 + (e.to.1 - e.from.1) * 0.5 + 14.0);
    view! { <text x=mid.0 y=mid.1 text-anchor="middle" class="trace-count">{format!("{n} traced")}</text> }
}

/// An edge's rate, at its middle and above the line, drawn over the boxes with a halo.
fn label_view(e: Edge) -> impl IntoView {
    // On its last leg, which leads into the box it names the rate of.
    let last = e.via.last().copied().unwrap_or(e.from);
    let mid = (last.0 + (e.to.0 - last.0) * 0.5, last.1 + (e.to.1 - last.1) * 0.5 - 6.0);
    view! { <text x=mid.0 y=mid.1 text-anchor="middle" class="rate">{format::rps(e.rps)}</text> }
}

fn node_view(n: Node, changed: bool, on_path: bool) -> impl IntoView {
    let (class, word) = n.health.word();
    let class = format!(
        "node {class}{}{}{}",
        if n.bottleneck { " bottleneck" } else { "" },
        if changed { " changed" } else { "" },
        if on_path { " on-path" } else { "" }
    );
    let cx = n.x + n.w / 2.0;
    let has_status = !word.is_empty() || n.bottleneck || changed;
    // Two or three lines, 14 units apart, centred in the box (baselines 3 units above each line's bottom).
    let lines = if has_status { 3.0 } else { 2.0 };
    let top = n.y + (n.h - 14.0 * lines) / 2.0;
    let (label_y, detail_y, status_y) = (top + 11.0, top + 25.0, top + 39.0);
    view! {
        <g class=class data-tier=n.tier>
            <rect x=n.x y=n.y width=n.w height=n.h rx="8"></rect>
            <text x=cx y=label_y text-anchor="middle" class="label">{n.label.clone()}</text>
            <text x=cx y=detail_y text-anchor="middle" class="detail">{n.detail.clone()}</text>
            {has_status
                .then(|| {
                    let status = if n.bottleneck { format!("{word} · bottleneck") } else { word.to_owned() };
                    let status = match (changed, status.is_empty()) {
                        (true, true) => "changed from A".to_owned(),
                        (true, false) => format!("{status} · changed"),
                        (false, _) => status,
                    };
                    view! { <text x=cx y=status_y text-anchor="middle" class="status">{status}</text> }
                })}
        </g>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sim_core::fluid::steady_state;
    use sim_core::scenario::STAGES;

    #[test]
    fn traced_requests_travel_their_own_routes_over_the_diagram() {
        use sim_core::des::system::{run, DesOptions};
        use sim_core::des::trace::{NodeKind, Outcome};
        let mut s = Scenario::stage(6).with_users(2_000);
        s.duration_s = 120.0;
        s.faults = vec![sim_core::scenario::Fault { kind: FaultKind::KillAppServer, at_s: 30.0 }];
        let traces = run(&s, DesOptions { sample_every: 10.0, warmup_fraction: 0.1, traces_per_s: 10 }).traces;
        let l = layout(&s, &steady_state(&s).series[0], None);
        let centre =
            |tier: &str| l.nodes.iter().find(|n| n.tier == tier).map(|n| format!("{:.1} {:.1}", n.x + n.w / 2.0, n.y + n.h / 2.0)).unwrap();
        // A cache hit goes users → load balancer → app → Redis and back the same way: it never reaches a database.
        let hit = traces.iter().find(|t| t.ok && t.hops.iter().any(|h| h.outcome == Outcome::Hit)).expect("a traced cache hit");
        let (path, segments, failed) = trace_route(&l, hit).unwrap();
        assert!(!failed && path.starts_with(&format!("M {}", centre("users"))) && path.ends_with(&centre("users")), "{path}");
        assert!(path.contains(&centre("redis")) && !path.contains(&centre("db_primary")) && !path.contains(&centre("replica")), "{path}");
        assert_eq!(segments % 2, 0, "there and back: {path}");
        // A request that met the dead server stops there.
        let dead = traces.iter().find(|t| !t.ok && t.hops.last().is_some_and(|h| h.node.kind == NodeKind::App)).expect("a failed trace");
        let (path, _, failed) = trace_route(&l, dead).unwrap();
        let app = l.nodes.iter().filter(|n| n.tier == "app").nth(dead.hops.last().unwrap().node.index as usize).unwrap();
        assert!(failed && path.ends_with(&format!("{:.1} {:.1}", app.x + app.w / 2.0, app.y + app.h / 2.0)), "{path}");
        // Without motion, the edges count them: both went from the users to the load balancer, only the hit on to
        // Redis, neither to the primary.
        let counts = edge_counts(&l, &[hit, dead]);
        let into = |tier: &str| {
            let n = l.nodes.iter().find(|n| n.tier == tier).unwrap();
            l.edges.iter().zip(&counts).filter(|(e, _)| e.to == left(n)).map(|(_, c)| *c).sum::<usize>()
        };
        assert_eq!((into("lb"), into("redis"), into("db_primary")), (2, 1, 0));
    }

    #[test]
    fn every_stage_lays_out_inside_the_view_without_overlap() {
        for n in 1..=STAGES {
            let s = Scenario::stage(n).with_users(20_000);
            let sample = steady_state(&s).series[0].clone();
            let wide = layout(&s, &sample, Some(Blame { tier: Tier::App, outage: false }));
            let phone = vertical::vertical(&wide);
            for (l, (w, h)) in [(&wide, VIEW), (&phone, (vertical::WIDTH, f64::INFINITY))] {
                for a in &l.nodes {
                    assert!(a.x >= 0.0 && a.y >= 0.0 && a.x + a.w <= w && a.y + a.h <= h, "stage {n}: {a:?} outside");
                    for b in &l.nodes {
                        if a != b {
                            let apart = a.x + a.w <= b.x || b.x + b.w <= a.x || a.y + a.h <= b.y || b.y + b.h <= a.y;
                            assert!(apart, "stage {n}: {} overlaps {}", a.label, b.label);
                        }
                    }
                }
                // Every arrow of the wide drawing is drawn, and (on the phone) points down.
                assert_eq!(l.edges.len(), wide.edges.len(), "stage {n}");
                for r in &l.regions {
                    assert!(r.x >= 0.0 && r.x + r.w <= w, "stage {n}: region {r:?} outside");
                }
            }
            assert!(phone.edges.iter().all(|e| e.to.1 > e.from.1), "stage {n}: an arrow points up on the phone");
            // On the phone every leg runs straight down or across, and none passes through a box.
            for e in &phone.edges {
                let mut points = vec![e.from];
                points.extend(&e.via);
                points.push(e.to);
                for leg in points.windows(2) {
                    let ((x1, y1), (x2, y2)) = (leg[0], leg[1]);
                    assert!(x1 == x2 || y1 == y2, "stage {n}: a slanted leg {leg:?}");
                    for b in &phone.nodes {
                        let inside_x = x1.max(x2) > b.x + 1.5 && x1.min(x2) < b.x + b.w - 1.5;
                        let inside_y = y1.max(y2) > b.y + 1.5 && y1.min(y2) < b.y + b.h - 1.5;
                        assert!(!(inside_x && inside_y), "stage {n}: a leg {leg:?} crosses {}", b.label);
                    }
                }
            }
            assert!(crop(&phone).2 <= vertical::WIDTH + 16.0, "stage {n}: the phone drawing is narrow");
        }
    }

    #[test]
    fn health_is_said_in_words_as_well_as_colour() {
        let s = Scenario::stage(1).with_users(10_000);
        let sample = steady_state(&s).series[0].clone();
        let text = describe(&layout(&s, &sample, Some(Blame { tier: Tier::App, outage: false })));
        assert!(text.contains("saturated") && text.contains("the bottleneck"), "{text}");
    }

    #[test]
    fn every_serving_app_server_calls_the_backends_through_the_bus() {
        // Stage 12: four app boxes, services, Redis, shards and the queue.
        let s = Scenario::stage(12);
        let sample = steady_state(&s).series[0].clone();
        let l = layout(&s, &sample, None);
        // With several regions, geo-DNS's column moves the stack right.
        let bus_x = if s.arch.regions > 1 { BUS_X + DNS_COLUMN } else { BUS_X };
        let apps = l.nodes.iter().filter(|n| n.tier == Tier::App.name()).count();
        let stubs = l.wires.iter().filter(|(a, b)| a.1 == b.1 && b.0 == bus_x).count();
        assert_eq!(stubs, apps, "each app box joins the bus");
        for tier in [Tier::Services, Tier::Redis, Tier::DbPrimary, Tier::Workers] {
            let node = l.nodes.iter().find(|n| n.tier == tier.name()).unwrap_or_else(|| panic!("{tier} drawn"));
            let edge = l.edges.iter().find(|e| e.to == left(node)).unwrap_or_else(|| panic!("{tier} called"));
            assert_eq!(edge.from.0, bus_x, "{tier} is called from the app tier's bus");
        }
        let bus = l.wires.iter().find(|(a, b)| a.0 == bus_x && b.0 == bus_x).expect("the bus");
        let reach = |y: f64| bus.0 .1 <= y && y <= bus.1 .1;
        assert!(l.edges.iter().filter(|e| e.from.0 == bus_x).all(|e| reach(e.from.1)), "the bus reaches every backend");
    }

    #[test]
    fn regions_are_drawn_as_a_frame_and_a_card_each_inside_the_view() {
        let s = Scenario::stage(11);
        assert!(s.arch.regions > 1);
        let mut sample = steady_state(&s).series[0].clone();
        let l = layout(&s, &sample, None);
        assert_eq!(l.regions.len(), 1 + s.arch.regions as usize);
        for r in &l.regions {
            assert!(r.x >= 0.0 && r.y >= 0.0 && r.x + r.w <= VIEW.0 && r.y + r.h <= VIEW.1, "{r:?} outside");
        }
        let frame = &l.regions[0];
        for n in l.nodes.iter().filter(|n| !matches!(n.tier, "users" | "cdn" | "dns")) {
            assert!(
                n.x >= frame.x && n.x + n.w <= frame.x + frame.w && n.y >= frame.y && n.y + n.h <= frame.y + frame.h,
                "{} outside its region",
                n.label
            );
        }
        assert!(l.regions.iter().all(|r| !r.down));
        // Geo-DNS stands in front of the regions: the users' dynamic requests reach the load balancer through it.
        let dns = l.nodes.iter().find(|n| n.tier == "dns").expect("a geo-DNS box");
        let users = &l.nodes[0];
        assert!(dns.x > users.x + users.w && dns.x + dns.w < frame.x, "between the users and the regions");
        assert!(l.edges.iter().any(|e| e.from == right(users) && e.to == left(dns)));
        let lb = l.nodes.iter().find(|n| n.tier == "lb").expect("a load balancer");
        assert!(l.edges.iter().any(|e| e.from == right(dns) && e.to == left(lb)));
        assert!(dns.detail.ends_with(&format!("{} of {} regions up", s.arch.regions, s.arch.regions)));
        // Every region's card has its own small stack; only the primaries' region has the primary in it.
        let cards = &l.regions[1..];
        assert!(cards.iter().all(|c| c.stack.iter().any(|b| b.0 == "App") && c.stack.iter().any(|b| b.0 == "LB")));
        assert_eq!(cards.iter().filter(|c| c.stack.iter().any(|b| b.0 == "Primary")).count(), 1);
        assert!(cards[0].label.ends_with("North America · primary"), "{}", cards[0].label);
        assert_eq!(cards.iter().filter(|c| c.drawn).count(), 1);
        // The arrows inside the frame carry the drawn region's share (half the users live in North America); the
        // users' arrow to geo-DNS carries everyone's.
        let into = |l: &Layout, tier: &str| {
            let n = l.nodes.iter().find(|n| n.tier == tier).unwrap();
            l.edges.iter().find(|e| e.to == left(n)).unwrap().rps
        };
        assert!((into(&l, "lb") - sample.edges.origin * 0.5).abs() < 1e-6);
        assert!((into(&l, "dns") - sample.edges.origin).abs() < 1e-6);
        // A region outage at 100 s: the first region is dark and its users fail until geo-DNS moves them (60 s),
        // then they go to the nearest other region, whose replica became the primary.
        let mut s = s;
        s.faults.push(sim_core::scenario::Fault { at_s: 100.0, kind: FaultKind::RegionOutage });
        sample.t_s = 120.0;
        let l = layout(&s, &sample, None);
        let cards = &l.regions[1..];
        assert!(cards[0].down && cards[0].detail == "dark · users fail, moved in 40 s", "{:?}", cards[0]);
        assert!(cards[0].stack.iter().all(|b| b.1), "every box of a dark region is down");
        assert!(cards[1].label.ends_with("Europe · primary"));
        assert!(!cards[0].drawn, "a dark region is not the one drawn");
        assert!((into(&l, "lb") - sample.edges.origin * 0.3).abs() < 1e-6, "Europe's users, before the move");
        sample.t_s = 200.0;
        let l = layout(&s, &sample, None);
        assert_eq!(l.regions.iter().filter(|r| r.down).count(), 1);
        assert!(describe(&l).contains("dark · its users moved to Europe"), "{}", describe(&l));
        let moved_to = &l.regions[2];
        assert!(moved_to.drawn && moved_to.detail.starts_with("drawn above"), "{moved_to:?}");
        // Back after the outage.
        sample.t_s = 100.0 + sim_core::scenario::REGION_OUTAGE_S;
        assert!(layout(&s, &sample, None).regions.iter().all(|r| !r.down));
    }

    #[test]
    fn a_killed_server_is_drawn_down() {
        let s = Scenario::stage(5).with_users(5_000);
        let mut sample = steady_state(&s).series[0].clone();
        sample.instances = 2;
        let l = layout(&s, &sample, None);
        assert_eq!(l.nodes.iter().filter(|n| n.health == Health::Down).count(), 1);
        // Blamed as an outage, the dead server is the one marked, not the healthy ones beside it; blamed as the
        // app tier's capacity, the serving ones are.
        let marked = |outage| {
            let l = layout(&s, &sample, Some(Blame { tier: Tier::App, outage }));
            l.nodes.iter().filter(|n| n.bottleneck).map(|n| n.health).collect::<Vec<_>>()
        };
        assert_eq!(marked(true), vec![Health::Down]);
        assert!(!marked(false).is_empty() && !marked(false).contains(&Health::Down));
    }

    /// The journey's stage `step` with `fault` at 60 s, run by the aggregate engine: its sample at second `t`.
    fn faulted(step: usize, fault: FaultKind, t: f64, edit: impl Fn(&mut Scenario)) -> (Scenario, Sample) {
        let mut s = sim_core::journey::journey("scalesim").unwrap().stages[step - 1].scenario.clone();
        edit(&mut s);
        s.duration_s = 600.0;
        s.faults = vec![sim_core::scenario::Fault { kind: fault, at_s: 60.0 }];
        let r = sim_core::fluid::run(&s, sim_core::fluid::FluidOptions::default());
        let sample = r.series.iter().find(|p| p.t_s >= t).unwrap().clone();
        (s, sample)
    }

    #[test]
    fn each_fault_is_drawn_at_its_node_with_the_time_to_recovery() {
        // A dead app server among twelve: a box of its own, down, still sent requests until the health checks
        // notice (a check every 10 s, three failures: out at 90 s).
        let (s, sample) = faulted(5, FaultKind::KillAppServer, 62.0, |_| {});
        let l = layout(&s, &sample, None);
        let dead: Vec<&Node> = l.nodes.iter().filter(|n| n.health == Health::Down).collect();
        assert_eq!(dead.len(), 1, "{:?}", l.nodes.iter().map(|n| (&n.label, &n.detail)).collect::<Vec<_>>());
        let left = sim_core::policy::health::detected_at(60.0, s.arch.health_check_s) - sample.t_s;
        assert_eq!(dead[0].label, format!("App server {}", s.arch.app_servers));
        assert_eq!(dead[0].detail, format!("still sent requests · out in {}", format::countdown(left)));
        assert!(l.nodes.iter().any(|n| n.label.starts_with("App servers 3–")), "the rest stand together");
        // A lone load balancer: down, the bottleneck, replaced in five minutes.
        let (s, sample) = faulted(5, FaultKind::KillLoadBalancer, 65.0, |s| s.arch.resilience.lb_ha = false);
        let lb = layout(&s, &sample, None).nodes.into_iter().find(|n| n.tier == "lb").unwrap();
        assert_eq!((lb.health, lb.bottleneck), (Health::Down, true));
        let l = layout(&s, &sample, None);
        let lb_right = right(l.nodes.iter().find(|n| n.tier == "lb").unwrap());
        assert!(l.edges.iter().filter(|e| e.from == lb_right).all(|e| e.rps == 0.0), "nothing passes a dead load balancer");
        assert_eq!(lb.detail, format!("replaced in {}", format::countdown(60.0 + 300.0 - sample.t_s)));
        // A pair: the standby within five seconds.
        let (s, sample) = faulted(5, FaultKind::KillLoadBalancer, 62.0, |s| s.arch.resilience.lb_ha = true);
        let lb = layout(&s, &sample, None).nodes.into_iter().find(|n| n.tier == "lb").unwrap();
        assert!(lb.detail.starts_with("standby in "), "{}", lb.detail);
        // The primary: a replica promoted within 30 s.
        let (s, sample) = faulted(6, FaultKind::KillDbPrimary, 65.0, |_| {});
        let db = layout(&s, &sample, None).nodes.into_iter().find(|n| n.tier == Tier::DbPrimary.name()).unwrap();
        assert_eq!(db.health, Health::Down);
        assert_eq!(db.detail, format!("promoting a replica · {}", format::countdown(90.0 - sample.t_s)));
        // The downstream service the queue's workers call (not drawn): the queue says it is down, and an outage
        // blamed on it marks the queue.
        let (s, sample) = faulted(8, FaultKind::DownstreamOutage, 120.0, |_| {});
        let l = layout(&s, &sample, Some(Blame { tier: Tier::Workers, outage: true }));
        let queue = l.nodes.iter().find(|n| n.tier == Tier::Workers.name()).unwrap();
        assert_eq!((queue.health, queue.bottleneck), (Health::Degraded, true));
        assert!(queue.detail.starts_with("downstream down · ") && queue.detail.ends_with(" queued"), "{}", queue.detail);
        // A spike on the auto-scaling stage: the servers it launches are drawn booting until they serve.
        let mut s = sim_core::journey::journey("scalesim").unwrap().stages[8].scenario.clone();
        assert!(s.arch.autoscaling.enabled);
        s.duration_s = 900.0;
        s.faults = vec![sim_core::scenario::Fault { kind: FaultKind::TrafficSpike, at_s: 60.0 }];
        let series = sim_core::fluid::run(&s, sim_core::fluid::FluidOptions::default()).series;
        let booting = series.iter().find(|p| p.booting > 0).expect("auto-scaling launches servers in the spike");
        let l = layout(&s, booting, None);
        let want = format!("+{} booting · ", booting.booting);
        assert!(l.nodes.iter().any(|n| n.detail.starts_with(&want)), "{:?}", l.nodes.iter().map(|n| &n.detail).collect::<Vec<_>>());
        // Its replicas fall minutes behind in the spike: past the lag limit they serve no reads, and say so.
        let behind = series.iter().find(|p| p.replication_lag_ms > s.arch.replica_max_lag_ms).expect("replicas fall behind");
        let replica = layout(&s, behind, None).nodes.into_iter().find(|n| n.tier == Tier::Replica.name()).unwrap();
        assert!(replica.detail.ends_with(" · no reads"), "{}", replica.detail);
    }

    #[test]
    fn app_boxes_show_a_rolling_deploy_moving_down_the_list_and_dead_servers_on_their_own() {
        let fleet = |up: usize, rolling: Option<usize>| AppFleet { total: 12, shown: 4, up, single: false, rolling };
        let down = |b: &[AppBox]| b.iter().filter(|b| b.down).map(|b| b.label.clone()).collect::<Vec<_>>();
        // The roll restarts server 1, then 2, then 3, then the rest, in the engines' order.
        for k in 0..3 {
            assert_eq!(down(&app_boxes(fleet(11, Some(k)))), vec![format!("App server {}", k + 1)]);
        }
        let later = app_boxes(fleet(11, Some(7)));
        assert!(down(&later).is_empty());
        assert_eq!((later[3].label.as_str(), later[3].out_inside), ("App servers 4–12", 1));
        // A dead server: a box of its own at the end, the rest together.
        let dead = app_boxes(fleet(11, None));
        assert_eq!(down(&dead), vec!["App server 12".to_owned()]);
        assert_eq!(dead[2].label, "App servers 3–11");
        // Most of them out: the first boxes show who is down, the last counts the others out, not all of them.
        let most = app_boxes(fleet(2, None));
        assert_eq!(down(&most), vec!["App server 3".to_owned()]);
        assert_eq!(most[3].out_inside, 9);
    }
}
