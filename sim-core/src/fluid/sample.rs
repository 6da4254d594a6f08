//! The engine's current state as a series point: each tier's figures, stale reads, edges, cost and counts.

use crate::ids::Tier;
use crate::model::{self, LAN_RTT_S, REPLICATION_BASE_LAG_S, SERVICE_S};
use crate::report::{finite, EdgeRates, JobStats, Sample, TierStat};

use super::station::{max_of, StationOut};
use super::Fluid;

impl Fluid {
    /// The current state as a series point. `exact` inverts the latency distribution exactly (slower).
    pub fn sample(&mut self, exact: bool) -> Sample {
        let latency_ms = self.latency(exact);
        let topo = &self.topo;
        let a = &topo.scenario.arch;
        let f = &self.flows;
        let mut tiers = Vec::new();
        let live: Vec<&(usize, f64, bool, StationOut)> = f.app.iter().filter(|x| !x.2).collect();
        if let Some(hot) = live.iter().max_by(|x, y| x.3.utilization.total_cmp(&y.3.utilization)) {
            tiers.push(TierStat {
                name: Tier::App,
                nodes: live.len() as u32,
                utilization: finite(hot.3.utilization),
                offered: finite(live.iter().map(|x| x.3.offered).fold(0.0, f64::max)),
                queue: finite(hot.3.in_system),
                latency_ms: finite(hot.3.mean_sojourn(topo.app_s) * 1e3),
            });
        } else {
            tiers.push(TierStat { name: Tier::App, nodes: 0, utilization: 0.0, offered: 0.0, queue: 0.0, latency_ms: 0.0 });
        }
        if let Some(hot) = f.redis.iter().max_by(|x, y| x.utilization.total_cmp(&y.utilization)) {
            tiers.push(TierStat {
                name: Tier::Redis,
                nodes: a.redis_nodes,
                utilization: finite(hot.utilization),
                offered: finite(f.redis.iter().map(|x| x.offered).fold(0.0, f64::max)),
                queue: finite(hot.in_system),
                latency_ms: finite((hot.mean_sojourn(topo.redis_s) + LAN_RTT_S) * 1e3),
            });
        }
        if !topo.db_on_app {
            // The hottest shard's primary speaks for the tier.
            tiers.push(TierStat {
                name: Tier::DbPrimary,
                nodes: a.shards.max(1),
                utilization: finite(f.primary_hot.utilization),
                offered: finite(f.primary_hot.offered),
                queue: finite(f.primary_hot.in_system),
                latency_ms: finite((f.primary_hot.mean_sojourn(topo.db_read_s) + LAN_RTT_S) * 1e3),
            });
        }
        if a.services > 0 {
            tiers.push(TierStat {
                name: Tier::Services,
                nodes: a.services * a.service_instances,
                utilization: finite(f.services.utilization),
                offered: finite(f.services.offered),
                queue: finite(f.services.in_system),
                latency_ms: finite(
                    (max_of(f.services, a.services).0.mean_sojourn(SERVICE_S * max_of(f.services, a.services).1) + LAN_RTT_S) * 1e3,
                ),
            });
        }
        let queued = a.jobs.queued && a.jobs.share > 0.0;
        if queued {
            let job_s = a.jobs.job_ms / 1e3;
            let down = self.t < self.downstream_down_until && self.t >= self.downstream_since;
            tiers.push(TierStat {
                name: Tier::Workers,
                nodes: self.jobs.workers,
                utilization: if down { 1.0 } else { finite((f.jobs_rps * job_s / self.jobs.workers.max(1) as f64).min(1.0)) },
                offered: if down { 1.0 } else { finite(f.jobs_rps * job_s / self.jobs.workers.max(1) as f64) },
                queue: finite(self.jobs.depth),
                latency_ms: finite(self.jobs.wait_s * 1e3),
            });
        }
        if f.replicas > 0 {
            tiers.push(TierStat {
                name: Tier::Replica,
                nodes: f.replicas,
                utilization: finite(f.replica.utilization),
                offered: finite(f.replica.offered),
                queue: finite(f.replica.in_system),
                latency_ms: finite((f.replica.mean_sojourn(topo.db_read_s) + LAN_RTT_S) * 1e3),
            });
            tiers.push(TierStat {
                name: Tier::ReplicaApply,
                nodes: f.replicas,
                utilization: finite(f.apply_rho.min(1.0)),
                offered: finite(f.apply_rho),
                queue: finite(self.apply_backlog),
                latency_ms: finite(f.lag_s * 1e3),
            });
        }
        // Stale reads: cache hits older than a write, plus replica reads behind a write.
        let replica_stale = if f.replicas > 0 && f.replica_reads > 0.0 {
            let mu = 1.0 / topo.apply_s;
            let writes = f.writes + f.batch_writes;
            // Each replica replays only its own shard's writes (the hottest shard's stand for them); a key is
            // rewritten at the whole key space's pace, keys being spread over the shards.
            let shard_writes = writes * topo.shard_shares.iter().cloned().fold(0.0, f64::max);
            let decay = if shard_writes < mu { mu - shard_writes } else { f64::INFINITY };
            let base = REPLICATION_BASE_LAG_S + self.apply_backlog / mu;
            topo.keys.lagged_stale_share(writes, base, decay) * f.reads * (1.0 - f.cache_hit) * (1.0 - f.to_primary_share)
        } else {
            0.0
        };
        let stale_rate = if f.reads > 0.0 { (f.cache_stale * f.reads + replica_stale) / f.reads } else { 0.0 };
        let instances = self.alive_count().saturating_sub(f.restarting);
        let dyn_ok = f.reads + f.writes;
        let misses = f.reads * (1.0 - f.cache_hit);
        let edges = EdgeRates {
            edge: finite(f.edge),
            origin: finite(f.offered - f.edge),
            redis: finite(if topo.session_in_redis() { dyn_ok } else { 0.0 } + if topo.cache_curve.is_some() { f.reads } else { 0.0 }),
            primary: finite(misses * f.to_primary_share + f.writes),
            replicas: finite(misses * (1.0 - f.to_primary_share) * (f.replicas > 0) as u8 as f64),
        };
        Sample {
            edges,
            t_s: self.t,
            offered_rps: finite(f.offered),
            served_rps: finite(f.served),
            error_rps: finite(f.error_rps),
            error_rate: if f.offered > 0.0 { finite(f.error_rps / f.offered) } else { 0.0 },
            latency_ms,
            tiers,
            cache_hit_rate: finite(f.cache_hit),
            cdn_hit_rate: finite(f.cdn_hit),
            replication_lag_ms: if f.replicas > 0 { finite(f.lag_s * 1e3) } else { 0.0 },
            stale_read_rate: finite(stale_rate.clamp(0.0, 1.0)),
            sessions_lost: finite(self.sessions_lost),
            instances,
            cost_usd_per_hour: finite(topo.cost_per_hour(&model::Usage {
                app_instances: instances as f64,
                origin_rps: f.offered - f.edge,
                cdn_rps: f.edge,
                workers: self.jobs.workers,
                jobs_rps: f.jobs_rps,
            })),
            jobs: JobStats {
                rps: finite(f.jobs_rps + f.jobs_skipped + if f.jobs_inline { f.writes * a.jobs.share } else { 0.0 }),
                queue_depth: if queued { finite(self.jobs.depth) } else { 0.0 },
                waiting_s: if queued { finite(self.jobs.wait_s) } else { 0.0 },
                workers: if queued { self.jobs.workers } else { 0 },
                dead_lettered: finite(self.jobs.dead),
                skipped_rps: finite(f.jobs_skipped),
            },
            rate_limited_rps: finite(f.limited / self.retry_factor.max(1.0)),
            retry_rps: finite((f.attempts - f.offered).max(0.0)),
            regions_up: f.regions_up,
            wrong_user_rps: finite(f.wrong_user),
            app_down: f.app.iter().filter(|x| x.2).count() as u32,
            primaries_down: self.primaries_down(),
            lb_down: u32::from(self.topo.has_lb() && self.t < self.lb_down_until),
            downstream_down: u32::from(self.t >= self.downstream_since && self.t < self.downstream_down_until),
            booting: self.servers.iter().filter(|s| s.ready_at > self.t).count() as u32,
            writes_lost: finite(self.writes_lost),
        }
    }
}
