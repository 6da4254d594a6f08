//! The faults that are not about the fleet or a region: the slow jobs' downstream outage (and the circuit
//! breaker around it) and a batch job's write burst.

use super::*;

impl System {
    /// Whether the slow jobs' downstream service is down now.
    pub(super) fn downstream_down(&self, now: u64) -> bool {
        let t = now as f64 / 1e9;
        t >= self.downstream.0 && t < self.downstream.1
    }

    /// Whether the circuit breaker on that downstream is open now (the aggregate engine's rule).
    pub(super) fn breaker_open(&self, now: u64) -> bool {
        crate::policy::breaker::is_open(&self.topo.scenario, self.downstream.0, self.downstream.1, now as f64 / 1e9)
    }

    /// A batch write of a write burst: a random key of a random user's shard, straight to that shard's primary,
    /// replayed on its replicas. Not a user's request: it loads the database and the replicas and is not counted.
    pub(super) fn batch_write(&mut self, core: &mut Core, now: u64) {
        if now >= self.burst_until {
            return;
        }
        let t = &self.topo.scenario.traffic;
        let rate = t.rps_at(now as f64 / 1e9) * (1.0 - t.static_share) * t.write_fraction() * (crate::scenario::WRITE_BURST_FACTOR - 1.0);
        let user = self.users.sample(&mut core.rng) as u64;
        let sh = if self.primaries.len() > 1 { bucket_of(user, self.primaries.len() as u32, SHARD_SALT) as usize } else { 0 };
        if !self.primary_down(sh, now) {
            let id = core.alloc(now);
            let key = core.rng.random_range(1..=t.key_count()) as u32;
            let r = &mut core.requests[id as usize];
            (r.class, r.hop, r.key) = (BATCH, H_DB, key);
            r.aux = (if now >= self.warmup_ns { MEASURED } else { 0 }) | ((sh as u32) << SHARD_SHIFT) | T_PRIMARY;
            let service = Sampler::Exp(crate::model::BATCH_WRITE_S).draw_ns(&mut core.rng);
            self.spawn.push((id, Next::Visit { station: self.primaries[sh], service }));
        }
        if rate > 0.0 {
            let gap = Sampler::Exp(1.0 / rate).draw_ns(&mut core.rng).max(1);
            self.schedule(core, now + gap, Timer::Batch);
        }
    }
}
