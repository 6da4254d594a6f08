//! The app fleet over time, request by request: each region's auto-scaling group (the aggregate engine's rules
//! on measured CPU), rolling deploys, and the worker pool's scaling on queue depth.

use super::*;
use crate::policy::scaling::{top_up, Fleet, Scale};

impl System {
    /// Launches up to `count` app servers in region `rg`; each joins its load balancer after the boot time.
    pub(super) fn launch(&mut self, core: &mut Core, rg: usize, count: u32) {
        let ready = core.now + ns(self.topo.scenario.arch.autoscaling.boot_s);
        for _ in 0..count {
            if let Some(station) = self.regions[rg].spare.pop() {
                self.regions[rg].booting.push((station, ready));
                self.schedule(core, ready, Timer::Ready(rg, station));
            }
        }
    }

    /// Every region's auto-scaling group checks its rules.
    pub(super) fn autoscale(&mut self, core: &mut Core, now: u64) {
        // After the warm-up reset the busy times restart from zero.
        let fresh = core.reset_at != self.seen_reset;
        self.seen_reset = core.reset_at;
        let from = if fresh { core.reset_at } else { self.last_check };
        self.last_check = now;
        self.schedule(core, now + ns(SCALE_TICK_S), Timer::Scale);
        for rg in 0..self.regions.len() {
            self.autoscale_region(core, rg, now, from, fresh);
        }
    }

    /// One group's check: [`crate::policy::scaling`]'s rules on measured CPU, the serving servers' average busy
    /// share since the last check (`from`). Scale-in takes the newest server; sticky sessions on it are lost.
    pub(super) fn autoscale_region(&mut self, core: &mut Core, rg: usize, now: u64, from: u64, fresh: bool) {
        let asg = self.topo.scenario.arch.autoscaling.clone();
        let span = now.saturating_sub(from) as f64;
        let region = &mut self.regions[rg];
        let mut cpu = (0.0, 0);
        for i in 0..region.app.len() {
            let station = region.app[i];
            let (busy, _, _) = core.areas(station);
            let base = if fresh { 0.0 } else { region.last_busy[i] };
            region.last_busy[i] = busy;
            if span > 0.0 && region.routed.iter().any(|r| r.0 == station && !r.1) {
                cpu.0 += ((busy - base) / span).clamp(0.0, 1.0);
                cpu.1 += 1;
            }
        }
        if span <= 0.0 || cpu.1 == 0 {
            return; // nothing measured since the last check (the warm-up reset just happened)
        }
        let cpu = cpu.0 / cpu.1 as f64;
        let total = (region.routed.len() + region.booting.len()) as u32;
        let floor = asg.min.max(crate::policy::prewarm::floor(&self.topo.scenario, now as f64 / 1e9));
        let fleet = Fleet { total, booting: !region.booting.is_empty(), floor };
        match region.group.decide(&asg, from, now, cpu, fleet) {
            Scale::Out(add) => self.launch(core, rg, add),
            Scale::In(remove) => {
                let users = self.region_users(rg, now);
                for _ in 0..remove {
                    let region = &mut self.regions[rg];
                    let Some(pos) = region.routed.iter().rposition(|r| !r.1) else {
                        break;
                    };
                    if self.topo.sticky() {
                        let share = self.topo.sticky_shares(region.routed.len() as u32)[pos];
                        self.sessions_lost += share * users;
                    }
                    let (station, _) = region.routed.remove(pos);
                    region.spare.push(station);
                }
            }
            Scale::Hold => {}
        }
        let region = &self.regions[rg];
        let add = top_up((region.routed.len() + region.booting.len()) as u32, floor);
        if add > 0 {
            self.launch(core, rg, add);
        }
    }

    /// Takes the next server of a rolling deploy out for its restart (behind a load balancer it is drained first,
    /// so nothing fails; sticky sessions on it are lost) and puts the previous one back.
    pub(super) fn deploy_step(&mut self, core: &mut Core, rg: usize, now: u64) {
        let users = self.region_users(rg, now);
        let sticky = self.topo.sticky();
        let region = &mut self.regions[rg];
        let Some((next, out)) = region.deploy.take() else {
            return;
        };
        if let Some((pos, entry)) = out {
            let pos = pos.min(region.routed.len());
            region.routed.insert(pos, entry);
        }
        if next >= region.routed.len() {
            return;
        }
        if sticky {
            let share = self.topo.sticky_shares(region.routed.len() as u32)[next];
            self.sessions_lost += share * users;
        }
        let entry = region.routed.remove(next);
        region.deploy = Some((next + 1, Some((next, entry))));
        self.schedule(core, now + ns(crate::scenario::DEPLOY_RESTART_S), Timer::DeployStep(rg));
    }

    /// The worker pool's scale-on-depth rule, the aggregate engine's: every minute, enough workers to run the
    /// jobs arriving at 70 % busy and to drain what waits within two minutes, between the configured pool and its
    /// maximum. The first check, at the start, uses the expected arrival rate.
    pub(super) fn scale_workers(&mut self, core: &mut Core, now: u64) {
        let Some(&pool) = self.workers.first() else {
            return;
        };
        let jobs = self.topo.scenario.arch.jobs.clone();
        let job_s = (jobs.job_ms / 1e3).max(1e-3);
        let arrivals = if now == 0 {
            let t = &self.topo.scenario.traffic;
            t.rps_at(0.0) * (1.0 - t.static_share) * t.write_fraction() * jobs.share
        } else {
            self.jobs_enqueued as f64 / ((now - self.workers_checked) as f64 / 1e9).max(1e-9)
        };
        let backlog = core.stations[pool as usize].queue.len() as f64 + self.retrying as f64;
        let need = crate::policy::workers::pool_size(arrivals, backlog, job_s, jobs.workers, jobs.max_workers);
        core.set_servers(pool, need);
        self.jobs_enqueued = 0;
        self.workers_checked = now;
        self.schedule(core, now + ns(crate::model::WORKER_SCALE_EVERY_S), Timer::ScaleWorkers);
    }
}
