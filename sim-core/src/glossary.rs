//! The glossary: every term the page uses, each with a one-line meaning and a line on why it matters, as data.
//! The page shows it as a panel (each entry at `#term-<id>`) and as tooltips on a term's first use in the
//! stage text and the bottleneck table; [`mark`] finds those first uses. [`crate::explain`] links each
//! explanation to its term here.

/// One glossary entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Term {
    /// Stable identifier, used in links (`#term-<id>`): lowercase words joined by hyphens.
    pub id: &'static str,
    /// The term as a heading.
    pub term: &'static str,
    /// What it means, in one line.
    pub meaning: &'static str,
    /// Why it matters when a system grows, in one line.
    pub why: &'static str,
    /// Lowercase ASCII spellings that name the term in running text (a plural `s` is matched too).
    pub forms: &'static [&'static str],
}

macro_rules! term {
    ($id:literal, $term:literal, [$($form:literal),*], $meaning:literal, $why:literal) => {
        Term { id: $id, term: $term, meaning: $meaning, why: $why, forms: &[$($form),*] }
    };
}

/// Every term, alphabetical by heading.
pub const TERMS: &[Term] = &[
    term!(
        "accepted-202",
        "202 Accepted",
        ["202 accepted"],
        "An HTTP answer that says the request was taken on and will be finished later.",
        "Lets a save return in milliseconds while a queue does the slow part."
    ),
    term!(
        "auto-scaling-group",
        "Auto-scaling group",
        ["auto-scaling group", "auto-scaling", "autoscaling"],
        "A pool of identical servers that a rule grows or shrinks between a minimum and a maximum.",
        "Pays for the peak only while it lasts; at its maximum it stops helping."
    ),
    term!(
        "backpressure",
        "Backpressure",
        ["backpressure"],
        "A busy part of the system telling the parts upstream to slow down instead of piling up work.",
        "Without it queues grow without bound and everything behind them times out."
    ),
    term!(
        "backup",
        "Backup",
        ["backup"],
        "A copy of the database kept somewhere else, to restore from after a loss.",
        "Whatever was written since the last copy is gone when the database dies."
    ),
    term!(
        "batch-job",
        "Batch job",
        ["batch job", "scheduled job"],
        "Heavy work run on a timetable (a report, an export) rather than for one user's request.",
        "Run at the busy hour on the primary, it competes with users for the same CPU."
    ),
    term!(
        "bottleneck",
        "Bottleneck",
        ["bottleneck"],
        "The one part that runs out of capacity first and so caps the whole system.",
        "Capacity added anywhere else buys nothing until this part is fixed."
    ),
    term!(
        "cache",
        "Cache",
        ["cache"],
        "A fast store of answers already computed, so the same question is not asked of the database again.",
        "Each hit is a query the database never sees."
    ),
    term!(
        "cache-aside",
        "Cache-aside",
        ["cache-aside"],
        "The app looks in the cache first and, on a miss, reads the database and stores the answer with a TTL.",
        "Simple and common; its entries go stale until their TTL runs out."
    ),
    term!(
        "cache-miss",
        "Cache miss",
        ["cache miss", "miss"],
        "A lookup the cache cannot answer, so the request goes on to the database.",
        "Misses, not hits, set the database's load."
    ),
    term!(
        "cache-poisoning",
        "CDN cache poisoning",
        ["vary: cookie", "private page"],
        "An edge cache storing one user's logged-in page under a shared URL and handing it to others.",
        "A privacy breach, not a slowdown: users see each other's accounts."
    ),
    term!(
        "cache-stampede",
        "Cache stampede",
        ["cache stampede", "stampede"],
        "Many requests missing the same key at once and all going to the database to refill it.",
        "Right after a flush or expiry it can flatten a database that normally copes."
    ),
    term!(
        "cdn",
        "CDN",
        ["cdn", "content delivery network"],
        "A network of servers near users that keeps copies of files such as images, scripts and styles.",
        "Takes static traffic off the origin and cuts the distance to far-away users."
    ),
    term!(
        "circuit-breaker",
        "Circuit breaker",
        ["circuit breaker", "breaker"],
        "A switch that stops calling a failing dependency for a while after too many errors.",
        "Fails fast instead of tying up every server waiting on timeouts."
    ),
    term!(
        "connection-pool",
        "Connection pool",
        ["connection pool", "pgbouncer"],
        "A fixed set of open database connections that requests borrow and give back.",
        "Queries wait for a free connection instead of being refused."
    ),
    term!(
        "cross-shard-query",
        "Cross-shard query",
        ["cross-shard"],
        "A query whose data lives on several shards, so every shard has to answer it.",
        "It gains nothing from sharding and waits for the slowest shard."
    ),
    term!(
        "daily-curve",
        "Daily curve",
        ["daily curve", "daily swing", "busy hours"],
        "How load rises to a peak during the day and falls at night.",
        "A fleet sized for the average is overwhelmed at the peak and idle at night."
    ),
    term!(
        "dead-letter-queue",
        "Dead-letter queue",
        ["dead-letter queue", "dead-letter", "dead-lettered", "dead letter"],
        "A side queue where jobs go after their last retry failed.",
        "Failed work is kept for inspection and replay instead of vanishing."
    ),
    term!(
        "egress",
        "Egress",
        ["egress", "data out", "data transfer out"],
        "Data sent from the cloud out to the internet, billed per gigabyte.",
        "Grows with traffic and can outgrow the price of the servers."
    ),
    term!(
        "erlang-c",
        "Erlang C",
        ["erlang c"],
        "The formula for the chance that a request has to wait when c servers share one queue.",
        "It shows why waiting explodes as utilisation nears 100 %."
    ),
    term!(
        "error-rate",
        "Error rate",
        ["error rate", "errors"],
        "The share of requests that fail: refused, timed out or sent to a dead server.",
        "Users feel errors first; a rising rate means something is saturated or down."
    ),
    term!(
        "eventual-consistency",
        "Eventual consistency",
        ["eventual consistency", "eventually consistent"],
        "Copies of data agree in the end, but a read may briefly return an older value.",
        "Replicas and caches scale reads at the price of briefly stale answers."
    ),
    term!(
        "exponential-backoff",
        "Exponential backoff",
        ["exponential backoff", "backoff"],
        "Waiting twice as long before each new retry.",
        "Gives a struggling service room to recover instead of hammering it."
    ),
    term!(
        "failover",
        "Failover",
        ["failover", "fail over", "promote"],
        "Switching to a standby (a replica promoted to primary, another region) when the active one dies.",
        "Turns an outage of hours into one of seconds, if a standby exists."
    ),
    term!(
        "fan-out",
        "Fan-out",
        ["fan-out", "fanning out", "fans out"],
        "One request calling many services or shards at the same time.",
        "The request is as slow as the slowest call, so rare delays become common."
    ),
    term!(
        "geo-dns",
        "Geo-DNS",
        ["geo-dns"],
        "DNS that answers each user with the address of the nearest region.",
        "Sends users to a nearby copy of the system and away from a dead one."
    ),
    term!(
        "health-check",
        "Health check",
        ["health check"],
        "A regular probe by the load balancer to see that each server still answers.",
        "How fast a dead server leaves the pool depends on how often it runs."
    ),
    term!(
        "hit-ratio",
        "Hit ratio",
        ["hit ratio", "hit rate"],
        "The share of lookups the cache answers itself.",
        "At 80 % the database sees a fifth of the reads; at 50 %, half."
    ),
    term!(
        "hot-key",
        "Hot key",
        ["hot key", "hot rows"],
        "One of the few keys that draw most of the reads.",
        "Hot keys make caches effective, and can overload the one node that holds them."
    ),
    term!(
        "hot-shard",
        "Hot shard",
        ["hot shard"],
        "A shard that receives far more than its share of the traffic.",
        "The busiest shard, not the average one, decides when the database is full."
    ),
    term!(
        "http-429",
        "429 Too Many Requests",
        ["429"],
        "The HTTP answer a rate limit gives to a client that sent too much.",
        "Protects the system from a few heavy clients, but refuses real users if set too low."
    ),
    term!(
        "idempotency",
        "Idempotency",
        ["idempotency", "idempotent"],
        "A request that has the same effect whether it runs once or several times.",
        "Makes retries safe: a repeated payment must not charge twice."
    ),
    term!(
        "index",
        "Database index",
        ["indexes", "index"],
        "A sorted lookup structure that lets the database find rows without reading the whole table.",
        "A missing index can make a query many times slower."
    ),
    term!(
        "instance",
        "Instance",
        ["instance"],
        "One rented virtual machine of a given size and hourly price.",
        "Capacity and the bill are both counted in instances."
    ),
    term!(
        "jitter",
        "Jitter",
        ["jitter"],
        "Randomness added to retry delays so clients do not all retry at the same moment.",
        "Spreads a wave of retries out instead of sending it back in one lump."
    ),
    term!(
        "latency",
        "Latency",
        ["latency", "response time"],
        "The time from sending a request to receiving its answer.",
        "Users feel latency directly; it grows sharply once a part is saturated."
    ),
    term!(
        "littles-law",
        "Little's law",
        ["little's law"],
        "Requests in a system = arrival rate × time each spends there (L = λW).",
        "Links queue length, throughput and latency: know two and you know the third."
    ),
    term!(
        "load-balancer",
        "Load balancer",
        ["load balancer"],
        "The front door that spreads incoming requests over several app servers.",
        "Lets you add servers, and takes dead ones out of rotation."
    ),
    term!(
        "max-connections",
        "max_connections",
        ["max_connections", "too many connections"],
        "The database's limit on open connections at once.",
        "Beyond it new connections are refused and requests fail."
    ),
    term!(
        "message-queue",
        "Message queue",
        ["message queue", "queue"],
        "A buffer where work is left for workers to pick up later.",
        "Takes slow work out of the request and absorbs bursts."
    ),
    term!(
        "mmc-queue",
        "M/M/c queue",
        ["m/m/c"],
        "The textbook model of c servers sharing one queue with random arrivals and random service times.",
        "Its formulas predict waits and utilisation from a few numbers."
    ),
    term!(
        "offered-load",
        "Offered load",
        ["offered load", "offered"],
        "The requests per second users send, whether or not the system can answer them.",
        "Compared with capacity, it says how close to the edge the system runs."
    ),
    term!(
        "on-demand",
        "On-demand price",
        ["on demand", "on-demand"],
        "Paying for a machine by the hour with no commitment.",
        "Flexible but dearest; fine for peaks, costly for machines that always run."
    ),
    term!(
        "origin",
        "Origin",
        ["origin"],
        "The servers that produce the answers, behind any CDN.",
        "Everything the CDN does not answer lands here."
    ),
    term!("p50", "p50 (median)", ["p50", "median"], "The time within which half of the requests finish.", "The typical user's experience."),
    term!("p95", "p95", ["p95"], "The time within which 95 of every 100 requests finish.", "A common target for service levels."),
    term!(
        "p99",
        "p99",
        ["p99"],
        "The time within which 99 of every 100 requests finish.",
        "A page that makes 100 requests almost always meets one this slow."
    ),
    term!(
        "peak-factor",
        "Peak factor",
        ["peak factor"],
        "How much busier the busiest minute is than the day's average.",
        "Capacity has to cover the peak, not the average."
    ),
    term!(
        "pitr",
        "PITR backups",
        ["point-in-time recovery", "pitr"],
        "Backups plus a continuous log of changes, so the database can be restored to any moment.",
        "Loses minutes of writes at most, instead of a day's."
    ),
    term!(
        "primary",
        "Primary",
        ["primary"],
        "The one database server that accepts writes; replicas copy from it.",
        "Every write lands on it, so it is the hardest part to scale."
    ),
    term!(
        "rate-limit",
        "Rate limit",
        ["rate limit"],
        "A cap on how many requests one client may send per minute.",
        "Stops one heavy client from starving everyone else."
    ),
    term!(
        "read-replica",
        "Read replica",
        ["read replica", "replica"],
        "A copy of the database that follows the primary and answers reads.",
        "Takes read load off the primary; its copy may lag behind."
    ),
    term!(
        "read-your-writes",
        "Read-your-writes",
        ["read-your-writes", "read your own writes", "read your writes"],
        "A user's reads go to the primary for a short while after they wrote, so they see their own change.",
        "Hides replica lag from the person most likely to notice it."
    ),
    term!(
        "redis",
        "Redis",
        ["redis"],
        "An in-memory key-value store used as a cache and to hold sessions.",
        "Answers in well under a millisecond, but one node has one CPU for commands."
    ),
    term!(
        "region",
        "Region",
        ["region"],
        "A separate data-centre location of the cloud provider, such as one on each continent.",
        "Serving users from a nearby region cuts round trips; a second region survives a whole-region outage."
    ),
    term!(
        "replication-lag",
        "Replication lag",
        ["replication lag", "replica lag", "lag"],
        "How far a replica's copy is behind the primary, in time.",
        "Reads from a lagging replica return old data."
    ),
    term!(
        "reserved-instance",
        "Reserved instance",
        ["reserved instance", "reserved", "reservation"],
        "A machine paid for one or three years ahead at a discount.",
        "Cuts the bill of always-on machines by a third or more."
    ),
    term!(
        "retry-storm",
        "Retry storm",
        ["retry storm"],
        "Clients retrying failed requests and so adding load to a system already failing.",
        "Turns a brief overload into a lasting one."
    ),
    term!(
        "rolling-deploy",
        "Rolling deploy",
        ["rolling deploy", "deploy"],
        "Restarting servers one at a time with new code while the others keep serving.",
        "No downtime, as long as no server holds state users need."
    ),
    term!(
        "round-trip",
        "Round trip (RTT)",
        ["round trip", "rtt"],
        "The time for a message to reach a server and the answer to come back, set by distance.",
        "No server upgrade shortens it; only moving closer does."
    ),
    term!(
        "saturation",
        "Saturation",
        ["saturated", "saturation"],
        "A part working at or near its full capacity.",
        "Past this point queues grow and latency climbs steeply."
    ),
    term!("scale-in", "Scale in", ["scale in", "scale-in"], "Removing servers when load falls.", "Stops paying for capacity nobody uses."),
    term!(
        "scale-out",
        "Scale out",
        ["scale out", "scale-out", "horizontal scaling"],
        "Adding more servers of the same kind.",
        "Grows capacity without a ceiling, if the servers keep no state."
    ),
    term!(
        "scale-up",
        "Scale up",
        ["scale up", "scale-up", "bigger box", "vertical scaling"],
        "Moving to a bigger machine.",
        "Quick and needs no code change, but the biggest machine is a hard ceiling."
    ),
    term!(
        "scatter-gather",
        "Scatter-gather",
        ["scatter-gather", "scatter"],
        "Sending one query to many shards and combining their answers.",
        "Waits for the slowest shard, so it gets slower as shards are added."
    ),
    term!(
        "security-group",
        "Security group",
        ["security group", "segmentation"],
        "A firewall rule set saying which machines may connect to which ports.",
        "Keeps the database reachable by the app servers only, not the whole internet."
    ),
    term!(
        "service",
        "Service",
        ["services", "service"],
        "A separately deployed part of the product that others call over the network.",
        "Scales and fails on its own, and every call adds a network hop."
    ),
    term!(
        "service-time",
        "Service time",
        ["service time"],
        "The CPU time one request needs from a server when it does not wait.",
        "Its inverse is the service rate: how many requests per second one CPU can do."
    ),
    term!(
        "session",
        "Session",
        ["session"],
        "What the site remembers about a logged-in user between requests.",
        "Kept in one server's memory, it dies with that server."
    ),
    term!(
        "shard",
        "Shard",
        ["shard"],
        "One slice of a database split by key, each on its own primary.",
        "Spreads writes over many machines when one primary is not enough."
    ),
    term!(
        "shard-key",
        "Shard key",
        ["shard key"],
        "The field that decides which shard a row lives on, such as the user id.",
        "A poor choice puts too much on one shard."
    ),
    term!(
        "single-point-of-failure",
        "Single point of failure",
        ["single point of failure", "spof"],
        "A part whose failure alone takes the whole system down.",
        "Redundancy is only as good as its weakest unduplicated part."
    ),
    term!(
        "stale-read",
        "Stale read",
        ["stale read", "stale", "old data"],
        "A read that returns a value older than the latest write.",
        "Users see their change missing, or a price that has moved."
    ),
    term!(
        "stateless",
        "Stateless",
        ["stateless"],
        "A server that keeps nothing between requests, so any server can answer any request.",
        "Only stateless servers can be added, removed or lost freely."
    ),
    term!(
        "static-asset",
        "Static asset",
        ["static asset", "static file"],
        "A file that is the same for every user: an image, a script, a style sheet.",
        "Cheap to serve from a CDN, wasteful to serve from app servers."
    ),
    term!(
        "sticky-session",
        "Sticky session",
        ["sticky session", "sticky"],
        "A load balancer rule that sends each user back to the same server.",
        "Keeps in-memory sessions working, but a dead server logs its users out and load spreads unevenly."
    ),
    term!(
        "tail-latency",
        "Tail latency",
        ["tail latency", "tail at scale"],
        "The slow end of the latency distribution: p99 and beyond.",
        "At scale many users hit the tail on every page."
    ),
    term!(
        "throughput",
        "Throughput",
        ["throughput", "answered", "served"],
        "Requests per second the system actually answers.",
        "When it stops rising with offered load, the system is full."
    ),
    term!(
        "timeout",
        "Timeout",
        ["timeout", "timed out"],
        "The longest a caller waits for an answer before giving up.",
        "Too long and stuck calls tie up servers; too short and slow answers fail."
    ),
    term!(
        "ttl",
        "TTL (time to live)",
        ["ttl", "time to live"],
        "How long a cached entry is kept before it expires.",
        "Longer raises the hit ratio and the staleness together."
    ),
    term!(
        "utilisation",
        "Utilisation",
        ["utilisation", "utilization", "cpu"],
        "The share of time a server is busy: arrivals ÷ (servers × service rate).",
        "Waits grow slowly up to about 70 % and explode near 100 %."
    ),
    term!(
        "vcpu",
        "vCPU",
        ["vcpu"],
        "A virtual CPU: one request can run on it at a time.",
        "A machine's vCPUs are its servers in the queueing formulas."
    ),
    term!(
        "worker",
        "Worker",
        ["worker"],
        "A process that takes jobs off a queue and runs them.",
        "More workers drain the queue faster; too few and jobs wait minutes."
    ),
    term!(
        "write-ahead-log",
        "Write-ahead log (WAL)",
        ["write-ahead log", "wal"],
        "The database's record of every change, written before the change itself.",
        "Replicas replay it to stay current; point-in-time recovery replays it after a restore."
    ),
    term!(
        "zipf",
        "Zipf popularity",
        ["zipf"],
        "A pattern where a few items are very popular and a long tail is rarely asked for.",
        "It is why a small cache can answer most reads."
    ),
];

/// The term with identifier `id`.
pub fn term(id: &str) -> Option<&'static Term> {
    TERMS.iter().find(|t| t.id == id)
}

/// A piece of running text: plain words, or the first use of a glossary term.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Piece<'a> {
    /// Text to show as it is.
    Text(&'a str),
    /// The words that name `term`, at its first use.
    Term(&'a str, &'static Term),
}

/// Splits `text` into plain text and the first use of each glossary term not already in `seen` (which the first
/// uses found are added to): the longest spelling at each word start wins, matched without regard to case, with
/// an optional plural `s` or `es`.
pub fn mark<'a>(text: &'a str, seen: &mut Vec<&'static str>) -> Vec<Piece<'a>> {
    let bytes = text.as_bytes();
    let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let mut out = Vec::new();
    let mut plain = 0;
    let mut i = 0;
    while i < bytes.len() {
        let starts_word = text.is_char_boundary(i) && (i == 0 || !word(bytes[i - 1]));
        let found = if starts_word { longest_at(bytes, i, &word) } else { None };
        match found {
            Some((len, t)) if !seen.contains(&t.id) => {
                if plain < i {
                    out.push(Piece::Text(&text[plain..i]));
                }
                out.push(Piece::Term(&text[i..i + len], t));
                seen.push(t.id);
                i += len;
                plain = i;
            }
            Some((len, _)) => i += len,
            None => i += 1,
        }
    }
    if plain < bytes.len() {
        out.push(Piece::Text(&text[plain..]));
    }
    out
}

/// The longest spelling of a term at byte `i` of `bytes` that ends at a word boundary (after an optional plural
/// ending): its length and the term.
fn longest_at(bytes: &[u8], i: usize, word: &dyn Fn(u8) -> bool) -> Option<(usize, &'static Term)> {
    let mut best: Option<(usize, &'static Term)> = None;
    for t in TERMS {
        for form in t.forms {
            let f = form.as_bytes();
            let end = i + f.len();
            if end > bytes.len() || !bytes[i..end].eq_ignore_ascii_case(f) {
                continue;
            }
            // A plural ending, then a word boundary.
            let len = [2usize, 1, 0]
                .into_iter()
                .map(|extra| (extra, end + extra))
                .find(|&(extra, stop)| {
                    let suffix_ok = match extra {
                        0 => true,
                        1 => stop <= bytes.len() && bytes[end].eq_ignore_ascii_case(&b's'),
                        _ => stop <= bytes.len() && bytes[end..stop].eq_ignore_ascii_case(b"es"),
                    };
                    suffix_ok && (stop == bytes.len() || !word(bytes[stop]))
                })
                .map(|(_, stop)| stop - i);
            if let Some(len) = len {
                if best.is_none_or(|(b, _)| len > b) {
                    best = Some((len, t));
                }
            }
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn there_are_at_least_sixty_terms_with_unique_ids_and_full_lines() {
        assert!(TERMS.len() >= 60, "{} terms", TERMS.len());
        for (i, t) in TERMS.iter().enumerate() {
            assert!(TERMS[..i].iter().all(|u| u.id != t.id), "{} twice", t.id);
            assert!(t.id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'), "{}", t.id);
            for line in [t.term, t.meaning, t.why] {
                assert!(!line.trim().is_empty(), "{}: an empty line", t.id);
            }
            assert!(t.meaning.ends_with('.') && t.why.ends_with('.'), "{}: one sentence each", t.id);
            assert!(!t.forms.is_empty(), "{}: no spelling to find it by", t.id);
            for f in t.forms {
                assert!(f.is_ascii() && *f == f.to_ascii_lowercase(), "{}: {f}", t.id);
            }
        }
    }

    #[test]
    fn the_seeds_vocabulary_is_covered() {
        for id in [
            "load-balancer",
            "stateless",
            "sticky-session",
            "read-replica",
            "replication-lag",
            "cache-aside",
            "ttl",
            "hit-ratio",
            "cache-stampede",
            "cdn",
            "message-queue",
            "worker",
            "dead-letter-queue",
            "backpressure",
            "auto-scaling-group",
            "scale-out",
            "scale-in",
            "health-check",
            "failover",
            "primary",
            "shard",
            "shard-key",
            "hot-shard",
            "scatter-gather",
            "region",
            "geo-dns",
            "fan-out",
            "tail-latency",
            "p50",
            "p95",
            "p99",
            "utilisation",
            "throughput",
            "erlang-c",
            "littles-law",
            "connection-pool",
            "max-connections",
            "rate-limit",
            "retry-storm",
            "circuit-breaker",
            "read-your-writes",
            "eventual-consistency",
            "idempotency",
            "reserved-instance",
            "egress",
            "pitr",
        ] {
            assert!(term(id).is_some(), "{id} missing");
        }
    }

    #[test]
    fn marking_links_the_first_use_only_and_keeps_the_text() {
        let text = "Put a load balancer in front; two load balancers, then Redis sessions.";
        let mut seen = Vec::new();
        let pieces = mark(text, &mut seen);
        let joined: String = pieces
            .iter()
            .map(|p| match p {
                Piece::Text(s) | Piece::Term(s, _) => *s,
            })
            .collect();
        assert_eq!(joined, text);
        let terms: Vec<&str> =
            pieces.iter().filter_map(|p| if let Piece::Term(s, t) = p { Some((*s, t.id)) } else { None }).map(|x| x.1).collect();
        assert_eq!(terms, ["load-balancer", "redis", "session"]);
        // Already seen: not marked again in the next text.
        assert!(mark("A load balancer.", &mut seen).iter().all(|p| matches!(p, Piece::Text(_))));
    }

    #[test]
    fn the_longest_spelling_wins_and_words_must_be_whole() {
        let mut seen = Vec::new();
        let pieces = mark("The service time, and a serviceable replicas.", &mut seen);
        assert!(matches!(pieces[1], Piece::Term("service time", t) if t.id == "service-time"));
        assert!(pieces.iter().all(|p| !matches!(p, Piece::Term("service", _))), "serviceable is not service");
        assert!(pieces.iter().any(|p| matches!(p, Piece::Term("replicas", t) if t.id == "read-replica")));
        // Not inside a word, and multi-byte text around terms is kept whole.
        let mut seen = Vec::new();
        let pieces = mark("Symptom → bottleneck × CDNs", &mut seen);
        assert!(matches!(pieces[1], Piece::Term("bottleneck", _)));
        assert!(matches!(pieces[3], Piece::Term("CDNs", _)));
    }
}
