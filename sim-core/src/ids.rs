//! Typed names for what travels between the engines, the table, the page and the CLI's JSON: a tier of the
//! system, a priced component, a row of the bottleneck table. Each is an enum whose serde name is the string the
//! JSON has always carried, so a misspelt name is a compile error rather than a lookup that quietly finds nothing.
//!
//! Tiers and components are map keys in the summary; their variants are declared in the alphabetical order of
//! their names, so a `BTreeMap` keyed by them prints its keys in the order a string-keyed map did.
use std::fmt;

use serde::{Deserialize, Serialize};

/// Declares a unit enum with its serde names, `name()`, `ALL` and `Display`.
macro_rules! named {
    ($(#[$meta:meta])* $ty:ident, $case:literal, { $($(#[$vmeta:meta])* $variant:ident = $name:literal,)+ }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(rename_all = $case)]
        pub enum $ty {
            $($(#[$vmeta])* $variant,)+
        }

        impl $ty {
            /// Every value, in declaration order.
            pub const ALL: &'static [$ty] = &[$($ty::$variant,)+];

            /// The name in the JSON, the page and the CLI.
            pub const fn name(self) -> &'static str {
                match self {
                    $($ty::$variant => $name,)+
                }
            }

            /// The value called `name`, if there is one.
            pub fn from_name(name: &str) -> Option<$ty> {
                Self::ALL.iter().copied().find(|v| v.name() == name)
            }
        }

        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.name())
            }
        }
    };
}

named!(
    /// A tier of stations: what a [`crate::report::TierStat`] and the summary's per-tier maps are keyed by.
    Tier, "snake_case", {
        /// The app servers (the single box's server too).
        App = "app",
        /// The database primaries (one per shard).
        DbPrimary = "db_primary",
        /// The Redis nodes: query cache and session store.
        Redis = "redis",
        /// The read replicas answering queries.
        Replica = "replica",
        /// The replicas' apply threads replaying the primary's writes.
        ReplicaApply = "replica_apply",
        /// The internal services behind the app tier.
        Services = "services",
        /// The queue's workers.
        Workers = "workers",
    }
);

named!(
    /// A priced part of the system, and what the internet can reach.
    Component, "snake_case", {
        /// App servers.
        App = "app",
        /// The CDN's edge (bytes and requests).
        Cdn = "cdn",
        /// Database primaries and replicas.
        Database = "database",
        /// Bandwidth out of the origin.
        Egress = "egress",
        /// The load balancer (a pair when highly available).
        LoadBalancer = "load_balancer",
        /// The message queue and its worker machines.
        Queue = "queue",
        /// Redis nodes.
        Redis = "redis",
        /// Internal services' instances.
        Services = "services",
    }
);

named!(
    /// A row of the bottleneck table ([`crate::diagnose`]).
    RowId, "kebab-case", {
        /// A region is dark.
        RegionDown = "region-down",
        /// The load balancer is down.
        LbDown = "lb-down",
        /// The database is down.
        DbDown = "db-down",
        /// Dead app servers still take requests.
        AppDown = "app-down",
        /// The slow jobs' downstream service is down.
        DownstreamDown = "downstream-down",
        /// App servers' CPU.
        AppCpu = "app-cpu",
        /// Reads on the primary.
        DbReads = "db-reads",
        /// Writes on the primary.
        DbWrites = "db-writes",
        /// Cache misses reaching the database.
        CacheMiss = "cache-miss",
        /// A report job on the primary.
        Batch = "batch",
        /// A periodic spike.
        Periodic = "periodic",
        /// Users far from the one region.
        Distance = "distance",
        /// Writes lost with the primary.
        DataLoss = "data-loss",
        /// Private pages cached at the CDN.
        CdnPoisoning = "cdn-poisoning",
        /// The database open to the internet.
        Exposed = "exposed",
        /// The cache hit ratio.
        CacheHit = "cache-hit",
        /// Redis CPU.
        Redis = "redis",
        /// Replication lag.
        ReplicationLag = "replication-lag",
        /// Stale reads.
        Stale = "stale",
        /// Sessions lost with a server.
        Sessions = "sessions",
        /// The auto-scaling group at its maximum.
        AsgMax = "asg-max",
        /// Slow jobs inline.
        SlowJobs = "slow-jobs",
        /// The queue's depth.
        QueueDepth = "queue-depth",
        /// Jobs given up.
        DeadLetters = "dead-letters",
        /// One shard hotter than the rest.
        HotShard = "hot-shard",
        /// Calls fanned out to many services.
        FanOut = "fan-out",
        /// A busy service.
        Services = "services",
        /// Clients' retries adding load.
        RetryStorm = "retry-storm",
        /// Requests refused by the rate limit.
        RateLimited = "rate-limited",
        /// Too many database connections.
        Pool = "pool",
        /// One load balancer.
        LbSpof = "lb-spof",
        /// Errors with no other cause named.
        Errors = "errors",
        /// Static assets served by the origin.
        Static = "static",
    }
);

/// What kind of trouble a table row reports: only outages and capacity are bottlenecks; stale data and unsafe
/// set-ups are warnings of their own kinds, shown beside the bottleneck rather than in its place.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RowKind {
    /// Something is down right now.
    Outage,
    /// A component has run out of room: the system's bottleneck.
    Capacity,
    /// Users may read old data.
    Consistency,
    /// Data at risk, a door left open, a single point of failure.
    Safety,
}

impl RowKind {
    /// The kind in a word, for the page.
    pub fn word(self) -> &'static str {
        match self {
            RowKind::Outage => "outage",
            RowKind::Capacity => "bottleneck",
            RowKind::Consistency => "consistency",
            RowKind::Safety => "safety",
        }
    }
}

impl RowId {
    /// The kind of trouble the row reports. Written out in full, so a new row must say which it is.
    pub fn kind(self) -> RowKind {
        use RowId as R;
        match self {
            R::RegionDown | R::LbDown | R::AppDown | R::DbDown | R::DownstreamDown => RowKind::Outage,
            R::Stale | R::ReplicationLag => RowKind::Consistency,
            R::DataLoss | R::Exposed | R::CdnPoisoning | R::LbSpof => RowKind::Safety,
            R::AppCpu
            | R::DbReads
            | R::DbWrites
            | R::CacheMiss
            | R::Batch
            | R::Periodic
            | R::Distance
            | R::CacheHit
            | R::Redis
            | R::Sessions
            | R::AsgMax
            | R::SlowJobs
            | R::QueueDepth
            | R::DeadLetters
            | R::HotShard
            | R::FanOut
            | R::Services
            | R::RetryStorm
            | R::RateLimited
            | R::Pool
            | R::Errors
            | R::Static => RowKind::Capacity,
        }
    }

    /// The tier a row is about, drawn as the culprit on the diagram and read by the limit finder; `None` for a
    /// row about the whole system (distance, retries, the load balancer, errors with no other cause, …). Written
    /// out in full, so a new row must say which tier it belongs to.
    pub fn tier(self) -> Option<Tier> {
        use RowId as R;
        match self {
            R::AppCpu | R::Periodic | R::AsgMax | R::Sessions | R::AppDown => Some(Tier::App),
            R::DbReads | R::DbWrites | R::HotShard | R::Pool | R::DbDown | R::Batch | R::DataLoss | R::Exposed => Some(Tier::DbPrimary),
            R::QueueDepth | R::DownstreamDown => Some(Tier::Workers),
            R::Services | R::FanOut => Some(Tier::Services),
            R::Redis => Some(Tier::Redis),
            R::ReplicationLag | R::CacheMiss => Some(Tier::Replica),
            // Static files at the origin are a waste of the whole origin, not a busy app tier: the servers may
            // idle while the row is live, so none is marked as the culprit.
            R::Static
            | R::Distance
            | R::CdnPoisoning
            | R::CacheHit
            | R::Stale
            | R::SlowJobs
            | R::DeadLetters
            | R::RetryStorm
            | R::RateLimited
            | R::LbSpof
            | R::LbDown
            | R::RegionDown
            | R::Errors => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn map_keys_sort_as_their_names_do() {
        // The summary's maps are keyed by these; the JSON must print its keys in the order strings would.
        for all in [Tier::ALL.iter().map(|t| t.name()).collect::<Vec<_>>(), Component::ALL.iter().map(|c| c.name()).collect()] {
            let mut sorted = all.clone();
            sorted.sort_unstable();
            assert_eq!(all, sorted);
        }
    }

    #[test]
    fn serde_names_are_the_names() {
        for t in Tier::ALL {
            assert_eq!(serde_json::to_string(t).unwrap(), format!("\"{}\"", t.name()));
        }
        for c in Component::ALL {
            assert_eq!(serde_json::to_string(c).unwrap(), format!("\"{}\"", c.name()));
        }
        for r in RowId::ALL {
            assert_eq!(serde_json::to_string(r).unwrap(), format!("\"{}\"", r.name()));
            assert_eq!(RowId::from_name(r.name()), Some(*r));
        }
    }
}
