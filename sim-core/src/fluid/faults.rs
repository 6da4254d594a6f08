//! The scheduled faults as they fall due (dead servers and primaries, spikes, flushes, deploys, outages, write
//! bursts), the load offered now, and whether the scheduled batch job starts or stops.

use crate::policy::outage::{db_down_s, lb_down_s};
use crate::scenario::{FaultKind, DOWNSTREAM_OUTAGE_S, REGION_FAILOVER_S, SPIKE_FACTOR, SPIKE_S, WRITE_BURST_S};

use super::Fluid;

impl Fluid {
    /// Database primaries out of service now: one shard's, every one, or none.
    pub(super) fn primaries_down(&self) -> u32 {
        if self.t >= self.db_down_until {
            0
        } else if self.db_down_one_shard {
            1
        } else {
            self.topo.scenario.arch.shards.max(1)
        }
    }

    pub(super) fn apply_faults(&mut self) {
        while let Some(f) = self.topo.scenario.faults.get(self.next_fault).copied() {
            if f.at_s > self.t {
                break;
            }
            match f.kind {
                FaultKind::KillAppServer => {
                    let routed = self.routed();
                    if let Some(pos) = routed.iter().position(|&i| self.servers[i].died_at.is_none()) {
                        let h = self.topo.scenario.arch.health_check_s;
                        self.sessions_lost += self.sessions_on(pos, routed.len());
                        self.dirty = true;
                        let s = &mut self.servers[routed[pos]];
                        s.died_at = Some(f.at_s);
                        s.detected_at = crate::policy::health::detected_at(f.at_s, h);
                    }
                }
                FaultKind::TrafficSpike => self.spike_until = f.at_s + SPIKE_S,
                FaultKind::FlushCache => self.flushed_at = Some(f.at_s),
                FaultKind::Deploy => self.deploy = Some((f.at_s, 0)),
                FaultKind::KillDbPrimary => {
                    // One machine dies: the first shard's primary. With one shard that is the database.
                    let replicas = self.replicas();
                    self.db_down_one_shard = self.topo.scenario.arch.shards > 1 && !self.topo.db_on_app;
                    self.db_down_until = f.at_s + db_down_s(replicas > 0);
                    if replicas == 0 {
                        // Nothing to promote: the database comes back from its backups, without what they miss.
                        let backups = self.topo.scenario.arch.ops.backups;
                        self.writes_lost += self.backup_log.lost(backups, f.at_s);
                        self.db_down_until = f.at_s + self.backup_log.restore_s(backups, self.topo.apply_s);
                    }
                    if replicas > 0 {
                        // The hottest shard's replicas stand for the tier: they lose one only without sharding.
                        if !self.db_down_one_shard {
                            self.replicas_lost += 1;
                            self.apply_backlog = 0.0;
                        }
                    }
                }
                FaultKind::DownstreamOutage => {
                    self.downstream_since = f.at_s;
                    self.downstream_down_until = f.at_s + DOWNSTREAM_OUTAGE_S;
                }
                FaultKind::RegionOutage => {
                    self.region_down_at = Some(f.at_s);
                    // The busiest region holds the primary: another region's replica is promoted with the failover.
                    if self.topo.scenario.arch.regions > 1 {
                        self.db_down_until = self.db_down_until.max(f.at_s + REGION_FAILOVER_S);
                        self.db_down_one_shard = false;
                    }
                }
                FaultKind::KillLoadBalancer => {
                    self.lb_down_until = f.at_s + lb_down_s(self.topo.scenario.arch.resilience.lb_ha);
                }
                FaultKind::WriteBurst => self.burst_until = f.at_s + WRITE_BURST_S,
            }
            self.dirty = true;
            self.next_fault += 1;
        }
    }

    /// Requests per second offered now: the traffic curve, times the spike while one lasts.
    pub(super) fn offered_now(&self) -> f64 {
        let spike = if self.t < self.spike_until { SPIKE_FACTOR } else { 1.0 };
        self.topo.scenario.traffic.rps_at(self.t) * spike
    }

    /// Replicas in service.
    pub(super) fn replicas(&self) -> u32 {
        self.topo.scenario.arch.replicas.saturating_sub(self.replicas_lost)
    }

    /// Whether the scheduled batch job starts or stops by `t`: the flows must be evaluated again.
    pub(super) fn report_changes(&self, t: f64) -> bool {
        let job = &self.topo.scenario.arch.ops.report;
        job.start_hour.is_some()
            && !job.on_replica
            && crate::policy::batch::running(job, t, self.hold_peak) != (self.flows.report_qps > 0.0)
    }
}
