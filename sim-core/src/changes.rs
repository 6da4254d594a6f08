//! What a scenario's architecture has that another's has not, in words: how a page tells a learner what their
//! fixes have built since the stage they started from ("34 app servers, up from 3; a CDN").

use crate::scenario::Scenario;

/// The differences of `now`'s architecture from `from`'s, one short phrase each, in the order a system grows.
/// Load, seed, faults and run length are not architecture and are not compared.
pub fn changes(from: &Scenario, now: &Scenario) -> Vec<String> {
    let (a, b) = (&from.arch, &now.arch);
    let mut out = Vec::new();
    let mut count = |what: &str, x: u32, y: u32| {
        if x != y {
            out.push(format!("{y} {what}, {} from {x}", if y > x { "up" } else { "down" }));
        }
    };
    count("app servers", a.app_servers, b.app_servers);
    count("Redis nodes", a.redis_nodes, b.redis_nodes);
    count("read replicas", a.replicas, b.replicas);
    count("database shards", a.shards, b.shards);
    count("regions", a.regions, b.regions);
    count("services", a.services, b.services);
    if b.services > 0 {
        count("instances of each service", a.service_instances, b.service_instances);
    }
    let mut flag = |what: &str, x: bool, y: bool| {
        if x != y {
            out.push(if y { what.to_owned() } else { format!("no {what}") });
        }
    };
    flag("database on its own server", a.db_separate, b.db_separate);
    flag("CDN", a.cdn, b.cdn);
    flag("message queue for slow jobs", a.jobs.queued, b.jobs.queued);
    flag("auto-scaling", a.autoscaling.enabled, b.autoscaling.enabled);
    flag("connection pool", a.resilience.db_pool, b.resilience.db_pool);
    flag("database indexes", a.db_indexes, b.db_indexes);
    flag("redundant load balancer", a.resilience.lb_ha, b.resilience.lb_ha);
    flag("cache invalidated on write", a.cache_invalidate, b.cache_invalidate);
    flag("hedged service calls", a.resilience.hedge, b.resilience.hedge);
    if a.app_size != b.app_size {
        out.push(format!("app servers are {} (were {})", b.app_size.name, a.app_size.name));
    }
    if a.db_size != b.db_size {
        out.push(format!("database is {} (was {})", b.db_size.name, a.db_size.name));
    }
    if a.redis_size != b.redis_size && b.redis_nodes > 0 {
        out.push(format!("Redis nodes are {} (were {})", b.redis_size.name, a.redis_size.name));
    }
    if a.read_your_writes_ms != b.read_your_writes_ms && b.replicas > 0 {
        out.push(if b.read_your_writes_ms > 0.0 {
            format!("read-your-writes for {:.0} s after a write", b.read_your_writes_ms / 1e3)
        } else {
            "no read-your-writes".to_owned()
        });
    }
    if a.cache_ttl_s != b.cache_ttl_s {
        out.push(format!("cache TTL {:.0} s (was {:.0} s)", b.cache_ttl_s, a.cache_ttl_s));
    }
    if a.sessions != b.sessions {
        out.push(format!("sessions {}", if b.sessions == crate::scenario::Sessions::Redis { "in Redis" } else { "in server memory" }));
    }
    if a.autoscaling.max != b.autoscaling.max && b.autoscaling.enabled {
        out.push(format!("auto-scaling up to {} (was {})", b.autoscaling.max, a.autoscaling.max));
    }
    if a.autoscaling.desired != b.autoscaling.desired && b.autoscaling.enabled && a.autoscaling.enabled {
        out.push(format!("auto-scaling starts at {} (was {})", b.autoscaling.desired, a.autoscaling.desired));
    }
    if a.jobs.max_workers != b.jobs.max_workers && b.jobs.queued {
        out.push(format!("up to {} queue workers (was {})", b.jobs.max_workers, a.jobs.max_workers));
    }
    if a.ops.backups != b.ops.backups {
        out.push(format!("backups: {}", b.ops.backups.label()));
    }
    if a.health_check_s != b.health_check_s {
        out.push(format!("health checks every {:.0} s (were {:.0} s)", b.health_check_s, a.health_check_s));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnose::Fix;

    #[test]
    fn fixes_read_back_as_what_they_built() {
        let from = Scenario::stage(1);
        assert!(changes(&from, &from.clone().with_users(50_000)).is_empty(), "load is not architecture");
        let now = Fix::AppServers { to: 34 }.apply(&Fix::SeparateDatabase.apply(&from));
        let words = changes(&from, &now);
        assert_eq!(words[0], "34 app servers, up from 1");
        assert!(words.iter().any(|w| w == "database on its own server"), "{words:?}");
        assert!(words.iter().any(|w| w == "sessions in Redis"), "{words:?}");
    }
}
