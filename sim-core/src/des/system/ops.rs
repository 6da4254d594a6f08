//! Mechanisms about safety rather than speed: a CDN that caches logged-in pages by URL (one user's page served to
//! the next, seed 000) and the scheduled batch job on the database (seed 001's batch job contention). Their rules
//! are in [`crate::policy::edge_cache`] and [`crate::policy::batch`], shared with the aggregate engine.

use super::*;

impl System {
    /// With a CDN caching logged-in pages by URL: whether this read is one of those pages and the edge holds a
    /// copy of its URL (filled by whoever missed it last), which it then serves. A miss fills the edge.
    pub(super) fn private_page(&mut self, core: &mut Core, now: u64) -> bool {
        use crate::policy::edge_cache::{PRIVATE_SHARE, ROUTES, TTL_S};
        let a = &self.topo.scenario.arch;
        if !(a.cdn && a.ops.cdn_caches_private) || core.rng.random::<f64>() >= PRIVATE_SHARE {
            return false;
        }
        let route = core.rng.random_range(0..ROUTES) as usize;
        if self.private_pages[route] == u64::MAX {
            let t = &self.topo.scenario.traffic;
            let rate = t.rps_at(now as f64 / 1e9) * (1.0 - t.static_share) * (1.0 - t.write_fraction()) * PRIVATE_SHARE / ROUTES as f64;
            self.private_pages[route] = warm_expiry(&mut core.rng, rate, TTL_S, now);
        }
        let hit = now < self.private_pages[route];
        if !hit {
            self.private_pages[route] = now + ns(TTL_S);
        }
        hit
    }

    /// The scheduled batch job: while it runs, queries at its rate to a random shard's primary (the box's own
    /// database on a single server); between runs, a look at the clock every second.
    pub(super) fn report_query(&mut self, core: &mut Core, now: u64) {
        let job = self.topo.scenario.arch.ops.report.clone();
        if !crate::policy::batch::running(&job, now as f64 / 1e9, false) {
            self.schedule(core, now + ns(1.0), Timer::Report);
            return;
        }
        let sh = core.rng.random_range(0..self.primaries.len());
        if !self.primary_down(sh, now) {
            let id = core.alloc(now);
            let r = &mut core.requests[id as usize];
            (r.class, r.hop) = (REPORT, H_DB);
            r.aux = (if now >= self.warmup_ns { MEASURED } else { 0 }) | ((sh as u32) << SHARD_SHIFT) | T_PRIMARY;
            let service = Sampler::Exp(crate::policy::batch::QUERY_S).draw_ns(&mut core.rng);
            self.spawn.push((id, Next::Visit { station: self.primaries[sh], service }));
        }
        let gap = Sampler::Exp(1.0 / crate::policy::batch::query_rate(&job).max(1e-9)).draw_ns(&mut core.rng).max(1);
        self.schedule(core, now + gap, Timer::Report);
    }
}
