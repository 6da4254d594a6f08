//! Regions: where geo-DNS sends each geography's users, which region is busiest, and a region going dark.

use super::*;
use crate::policy::geo_dns;
use crate::policy::outage::region_dark;

impl System {
    /// Where users of geography `g` are served now, by [`geo_dns::serving`].
    pub(super) fn serving_region(&self, g: usize, now: u64) -> Option<usize> {
        geo_dns::serving(g, self.regions.len(), region_dark(self.region_down_at, now))
    }

    /// The region with the most users now (it stands for the tier in the series, as in the aggregate engine).
    pub(super) fn busiest_region(&self, now: u64) -> usize {
        self.loads(now).busiest().0
    }

    /// Users region `rg` serves now.
    pub(super) fn region_users(&self, rg: usize, now: u64) -> f64 {
        self.loads(now).share[rg] * self.topo.scenario.traffic.users as f64
    }

    /// Each region's share of the users now, by [`geo_dns::loads`].
    fn loads(&self, now: u64) -> geo_dns::Loads {
        geo_dns::loads(self.topo.scenario.traffic.worldwide, self.regions.len(), region_dark(self.region_down_at, now))
    }

    /// Every station in region `rg` (app servers, Redis, services, replicas and their replay).
    pub(super) fn region_stations(&self, rg: usize) -> Vec<u32> {
        let region = &self.regions[rg];
        let mut all: Vec<u32> = region.app.iter().chain(&region.redis).chain(region.services.iter().flatten()).copied().collect();
        let shards = self.primaries.len();
        for pool in &self.active[rg * shards..(rg + 1) * shards] {
            for &r in pool {
                all.push(self.replicas[r]);
                all.push(self.applies[r]);
            }
        }
        all
    }

    /// The first region goes dark for [`crate::scenario::REGION_OUTAGE_S`]: every machine in it dies; its users
    /// fail until geo-DNS moves them to the next nearest region. The primaries live there: with another region,
    /// one of its replicas is promoted after the same failover; with none, everything waits for the region.
    pub(super) fn region_outage(&mut self, core: &mut Core, now: u64) {
        self.region_down_at = Some(now);
        let mut dead = self.region_stations(0);
        if !self.topo.db_on_app {
            dead.extend(self.primaries.iter().copied());
        }
        for station in dead {
            core.kill(self, station);
        }
        let shards = self.primaries.len();
        if self.regions.len() > 1 {
            self.primary_region = 1;
            for shard in 0..shards {
                self.db_down_until[shard] = now + ns(crate::scenario::REGION_FAILOVER_S);
                self.schedule(core, now + ns(crate::scenario::REGION_FAILOVER_S), Timer::Promote(shard, false));
            }
        } else {
            for shard in 0..shards {
                self.db_down_until[shard] = now + ns(crate::scenario::REGION_OUTAGE_S);
            }
        }
        self.schedule(core, now + ns(crate::scenario::REGION_OUTAGE_S), Timer::RegionBack);
    }
}
