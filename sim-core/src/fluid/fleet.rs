//! The app fleet: which servers the load balancer routes to and with what share (sticky or even), servers
//! launched, a rolling deploy's restarts, dead servers dropped and the auto-scaling rules applied.

use crate::policy::scaling::{top_up, Fleet, Scale};
use crate::scenario::DEPLOY_RESTART_S;

use super::station::Station;
use super::Fluid;

/// One app server of the fleet.
#[derive(Clone, Debug)]
pub(super) struct Server {
    /// Simulated second from which it serves.
    pub(super) ready_at: f64,
    /// Second it died, if it did.
    pub(super) died_at: Option<f64>,
    /// Second the load balancer notices (two failed health checks after the death).
    pub(super) detected_at: f64,
    /// Its fluid queue.
    pub(super) station: Station,
}

impl Fluid {
    /// Servers the load balancer sends traffic to: booted, and alive or not yet detected dead.
    pub(super) fn routed(&self) -> Vec<usize> {
        let mut out = Vec::with_capacity(self.servers.len());
        self.routed_into(&mut out);
        out
    }

    pub(super) fn routed_into(&self, out: &mut Vec<usize>) {
        out.clear();
        out.extend((0..self.servers.len()).filter(|&i| {
            let s = &self.servers[i];
            s.ready_at <= self.t && self.t < s.detected_at
        }));
    }

    pub(super) fn alive_count(&self) -> u32 {
        self.servers.iter().filter(|s| s.ready_at <= self.t && s.died_at.is_none()).count() as u32
    }

    /// Share of users pinned to routed server number `pos` of `n` (sticky), or an even share.
    pub(super) fn shares(&self, n: usize) -> Vec<f64> {
        if n == 0 {
            return Vec::new();
        }
        if self.topo.sticky() {
            self.topo.sticky_shares(n as u32)
        } else {
            vec![1.0 / n as f64; n]
        }
    }

    /// [`Self::shares`], recomputed only when the number of routed servers changes.
    pub(super) fn shares_cached(&mut self, n: usize) -> Vec<f64> {
        if self.share_cache.0 != n || self.share_cache.1.len() != n {
            self.share_cache = (n, self.shares(n));
        }
        std::mem::take(&mut self.share_cache.1)
    }

    pub(super) fn launch(&mut self, count: u32) {
        let boot = self.topo.scenario.arch.autoscaling.boot_s;
        for _ in 0..count {
            self.servers.push(Server {
                ready_at: self.t + boot,
                died_at: None,
                detected_at: f64::MAX,
                station: Station { table_index: self.app_table, q: 0.0 },
            });
        }
    }

    /// Sessions held by routed server number `pos`, lost if it goes (sticky sessions only).
    pub(super) fn sessions_on(&self, pos: usize, n: usize) -> f64 {
        if !self.topo.sticky() {
            return 0.0;
        }
        self.shares(n).get(pos).copied().unwrap_or(0.0) * self.topo.scenario.traffic.users as f64
    }

    /// The routed position taken out by a rolling deploy now (behind a load balancer), counting sessions lost as
    /// each server restarts; `Some(usize::MAX)` when a single server is restarting (everything fails).
    pub(super) fn deploying(&mut self, n: usize) -> Option<usize> {
        let (start, restarted) = self.deploy?;
        let k = ((self.t - start) / DEPLOY_RESTART_S).floor() as usize;
        let servers = if self.topo.has_lb() { n } else { 1 };
        if k >= servers {
            self.deploy = None;
            self.dirty = true;
            return None;
        }
        if k >= restarted {
            // A new server goes down for its restart: the sessions it held are gone.
            self.sessions_lost += self.sessions_on(k, n);
            self.deploy = Some((start, k + 1));
            self.dirty = true;
        }
        Some(if self.topo.has_lb() { k } else { usize::MAX })
    }

    /// Drops detected dead servers (replacing them under auto-scaling) and applies the scaling rules.
    pub(super) fn manage_fleet(&mut self) {
        let t = self.t;
        // Nothing to manage in a fixed fleet until a server dies.
        if !self.topo.scenario.arch.autoscaling.enabled && self.next_fault == 0 {
            return;
        }
        let before = self.servers.len();
        self.servers.retain(|s| !(s.died_at.is_some() && t >= s.detected_at));
        let replaced = (before - self.servers.len()) as u32;
        // A server finishing its boot or being removed changes where traffic goes.
        if replaced > 0 || self.servers.iter().any(|s| s.ready_at > t - self.dt && s.ready_at <= t) {
            self.dirty = true;
        }
        let asg = self.topo.scenario.arch.autoscaling.clone();
        if !asg.enabled {
            return;
        }
        if replaced > 0 {
            self.launch(replaced);
        }
        let floor = asg.min.max(self.prewarm_floor());
        let fleet = Fleet { total: self.servers.len() as u32, booting: self.servers.iter().any(|s| s.ready_at > t), floor };
        let cpu = self.app_cpu();
        match self.group.decide(&asg, t, t, cpu, fleet) {
            Scale::Out(add) => {
                self.launch(add);
                self.dirty = true;
            }
            Scale::In(remove) => {
                for _ in 0..remove {
                    let routed = self.routed();
                    if let Some(&last) = routed.last() {
                        self.sessions_lost += self.sessions_on(routed.len() - 1, routed.len());
                        self.servers.remove(last);
                    }
                }
                self.dirty = true;
            }
            Scale::Hold => {}
        }
        let add = top_up(self.servers.len() as u32, floor);
        if add > 0 {
            self.launch(add);
            self.dirty = true;
        }
    }

    pub(super) fn prewarm_floor(&self) -> u32 {
        crate::policy::prewarm::floor(&self.topo.scenario, self.t)
    }

    /// Average CPU of the serving app servers at the last step.
    pub(super) fn app_cpu(&self) -> f64 {
        let live: Vec<f64> = self.flows.app.iter().filter(|a| !a.2).map(|a| a.3.utilization).collect();
        if live.is_empty() {
            0.0
        } else {
            live.iter().sum::<f64>() / live.len() as f64
        }
    }
}
