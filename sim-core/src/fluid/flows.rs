//! The per-step evaluation of every flow: offered load into arrival rates at each station (CDN and cache hits,
//! reads split between primaries and replicas, app traffic by the load balancer, regions by geo-DNS), each station
//! advanced, errors, retries and rate limits counted; and the replicas' replay queues.

use crate::model::{CLIENT_RTT_S, LAN_RTT_S, REPLICATION_BASE_LAG_S, SERVICE_S};
use crate::policy::balancer::arrival_scv;
use crate::policy::geo_dns;
use crate::policy::outage::region_dark;
use crate::scenario::WRITE_BURST_FACTOR;
use crate::traffic::GEOS;

use super::station::{advance, average, Load, StationOut};
use super::Fluid;

/// Rates and station figures of the current step, kept for [`Fluid::sample`].
#[derive(Clone, Debug, Default)]
pub(super) struct Flows {
    pub(super) offered: f64,
    pub(super) edge: f64,
    pub(super) origin_static: f64,
    pub(super) reads: f64,
    pub(super) writes: f64,
    pub(super) failed: f64,
    pub(super) cdn_hit: f64,
    pub(super) cache_hit: f64,
    pub(super) cache_stale: f64,
    pub(super) to_primary_share: f64,
    /// Share of primary-bound reads whose shard's primary is alive (below 1 while one shard's primary is dead
    /// and there is no replica to read instead).
    pub(super) primary_reach: f64,
    pub(super) replica_reads: f64,
    pub(super) lag_s: f64,
    pub(super) apply_rho: f64,
    /// (server index, routing share, dead, figures) per routed server.
    pub(super) app: Vec<(usize, f64, bool, StationOut)>,
    pub(super) box_index: Option<usize>,
    pub(super) redis: Vec<StationOut>,
    pub(super) primary: StationOut,
    pub(super) replica: StationOut,
    pub(super) error_rps: f64,
    /// Whether the database primary is down this step.
    pub(super) primary_down: bool,
    /// Replicas in service (configured less those promoted after a primary failure).
    pub(super) replicas: u32,
    /// App servers restarting for a deploy this step.
    pub(super) restarting: u32,
    /// Requests per second tried, retries included.
    pub(super) attempts: f64,
    /// Requests per second answered, as users see them (after retries).
    pub(super) served: f64,
    /// Requests per second refused with 429.
    pub(super) limited: f64,
    /// Share of origin static requests that reach a server (0 while the load balancer or the region is down).
    pub(super) static_reach: f64,
    /// Share of all users the simulated (busiest) region serves.
    pub(super) region_share: f64,
    /// Regions serving.
    pub(super) regions_up: u32,
    /// (share of users, round trip to their region, extra round trip of a write to the primary) per geography.
    pub(super) geo: Vec<(f64, f64, f64)>,
    /// Each shard's primary, their share-weighted average, and the hottest.
    pub(super) shards: Vec<StationOut>,
    pub(super) primary_hot: StationOut,
    /// One instance of a service.
    pub(super) services: StationOut,
    /// Batch writes per second from a write burst.
    pub(super) batch_writes: f64,
    /// Queries per second from the scheduled batch job, on each primary (0 while it does not run).
    pub(super) report_qps: f64,
    /// Logged-in pages per second the CDN answers with another user's cached copy.
    pub(super) wrong_user: f64,
    /// Jobs per second put on the queue.
    pub(super) jobs_rps: f64,
    /// Jobs per second skipped by an open circuit breaker.
    pub(super) jobs_skipped: f64,
    /// Whether requests run their job inline, and whether those requests fail (dead downstream, no breaker).
    pub(super) jobs_inline: bool,
    pub(super) jobs_failing: bool,
}

/// Where users go: the busiest serving region's share of all users, the share whose region is down and not yet
/// failed over, regions up, and (share, round trip, write detour) per geography.
pub(super) struct Route {
    pub(super) busiest: f64,
    pub(super) failing: f64,
    pub(super) up: u32,
    pub(super) geo: Vec<(f64, f64, f64)>,
}

impl Fluid {
    /// Where each geography's users go now. Regions sit in [`GEOS`] order; users go to the nearest live region
    /// (geo-DNS). A dead region's users fail until the failover, then go to the next nearest. Writes travel from
    /// the serving region to the primary's (the first live region).
    pub(super) fn region_routing(&self) -> Route {
        let a = &self.topo.scenario.arch;
        let regions = a.regions.clamp(1, GEOS.len() as u32) as usize;
        let world = self.topo.scenario.traffic.worldwide;
        let dark = region_dark(self.region_down_at, self.t);
        let primary_region = geo_dns::primary_region(regions, dark);
        let loads = geo_dns::loads(world, regions, dark);
        let mut geo = Vec::with_capacity(GEOS.len());
        for (g, place) in GEOS.iter().enumerate() {
            let share = geo_dns::share(world, g);
            if share <= 0.0 {
                continue;
            }
            if let Some(r) = geo_dns::serving(g, regions, dark) {
                let detour = if r == primary_region { 0.0 } else { GEOS[r].rtt_s[primary_region] };
                geo.push((share, place.rtt_s[r], detour));
            }
        }
        if geo.is_empty() {
            // Nobody is served: keep one entry so latency stays defined.
            geo.push((1.0, CLIENT_RTT_S, 0.0));
        }
        // The shares split the traffic that gets through (the failing share is already taken out of it).
        let served: f64 = geo.iter().map(|g| g.0).sum();
        for g in &mut geo {
            g.0 /= served;
        }
        Route { busiest: loads.busiest().1, failing: loads.failing, up: (regions - dark.is_some() as usize) as u32, geo }
    }

    /// Requests in the system now, by Little's law over the current mean latency.
    pub(super) fn in_flight(&self) -> f64 {
        let f = &self.flows;
        f.app.iter().map(|a| a.3.in_system).sum::<f64>()
            + f.redis.iter().map(|r| r.in_system).sum::<f64>()
            + f.shards.iter().map(|p| p.in_system).sum::<f64>()
            + f.replica.in_system * f.replicas as f64
            + (f.offered - f.error_rps).max(0.0) * CLIENT_RTT_S
    }

    pub(super) fn evaluate(&mut self) -> Flows {
        let mut routed = std::mem::take(&mut self.routed_buf);
        self.routed_into(&mut routed);
        let deploying = self.deploying(routed.len());
        let single_restart = deploying == Some(usize::MAX);
        if let Some(k) = deploying.filter(|&k| k < routed.len()) {
            // Drained by the load balancer before the restart: no request fails, capacity drops.
            routed.remove(k);
        }
        let n = routed.len();
        let shares = self.shares_cached(n);
        let route = self.region_routing();
        let breaker_open = self.breaker_open();
        let downstream_down = self.t < self.downstream_down_until;
        let lb_down = self.topo.has_lb() && self.t < self.lb_down_until;
        let topo = &self.topo;
        let s = &topo.scenario;
        let a = &s.arch;
        let dt = self.dt;
        let timeout = a.timeout_ms / 1e3;
        let mut app_buf = std::mem::take(&mut self.flows.app);
        let mut redis_buf = std::mem::take(&mut self.flows.redis);
        let mut shard_buf = std::mem::take(&mut self.flows.shards);
        app_buf.clear();
        redis_buf.clear();
        shard_buf.clear();
        let mut f = Flows {
            offered: self.offered_now(),
            app: app_buf,
            redis: redis_buf,
            shards: shard_buf,
            restarting: deploying.is_some() as u32,
            ..Flows::default()
        };
        f.attempts = f.offered * self.retry_factor;
        let lam_static = f.attempts * s.traffic.static_share;
        f.cdn_hit = topo.cdn_hit(lam_static);
        f.edge = lam_static * f.cdn_hit;
        f.origin_static = lam_static - f.edge;
        let mut dynamic = f.attempts - lam_static;
        // Each user's requests beyond the rate limit get 429 at the door.
        let limit = a.resilience.rate_limit_per_min / 60.0;
        if limit > 0.0 {
            f.limited = dynamic * topo.users.excess_share(dynamic, limit);
            dynamic -= f.limited;
        }
        if a.cdn && a.ops.cdn_caches_private {
            // Logged-in pages cached by URL: the edge answers a share of them with someone else's page.
            let private = dynamic * (1.0 - s.traffic.write_fraction()) * crate::policy::edge_cache::PRIVATE_SHARE;
            f.wrong_user = private * crate::policy::edge_cache::hit_ratio(private);
            f.edge += f.wrong_user;
            dynamic -= f.wrong_user;
        }
        f.region_share = route.busiest;
        f.regions_up = route.up;
        f.geo = route.geo;

        let dead_share: f64 = routed.iter().zip(&shares).filter(|(&i, _)| self.servers[i].died_at.is_some()).map(|(_, s)| s).sum();
        let reach = if n == 0 || single_restart || lb_down { 0.0 } else { (1.0 - dead_share) * (1.0 - route.failing) };
        f.failed = (f.origin_static + dynamic) * (1.0 - reach);
        // Static files at the origin fail with the load balancer or the region; dead servers are handled per server.
        f.static_reach = if lb_down { 0.0 } else { 1.0 - route.failing };
        // The simulated (busiest) region's share of the traffic that gets through.
        let rf = if route.failing < 1.0 { route.busiest / (1.0 - route.failing) } else { 0.0 };
        let dyn_ok = dynamic * reach;
        f.writes = dyn_ok * s.traffic.write_fraction();
        f.reads = dyn_ok - f.writes;
        let (mut hit, stale) = topo.cache_hit(f.reads * rf);
        if let (Some(at), Some(_)) = (self.flushed_at, topo.cache_curve.as_ref()) {
            // Refilling after a flush: each key misses until it is read again (see Popularity::ttl_hit_ratio_warming).
            let warming = topo.keys.ttl_hit_ratio_warming(f.reads * rf, topo.cache_life_s(f.reads * rf), self.t - at);
            if warming >= hit * 0.999 {
                self.flushed_at = None;
            } else {
                // Without coalescing, reads of a key whose first miss is still in the database miss as well;
                // the slower the database, the bigger the stampede.
                let stampede = if s.arch.cache_coalescing {
                    0.0
                } else {
                    let fill = self.flows.primary.mean_sojourn(topo.db_read_s) + LAN_RTT_S;
                    topo.keys.stampede_share(f.reads * rf, self.t - at, dt, fill)
                };
                hit = (warming - stampede).max(0.0);
            }
        }
        f.cache_hit = hit;
        f.cache_stale = stale;
        let misses = f.reads * (1.0 - hit);
        f.replicas = self.replicas();
        let db_down = self.t < self.db_down_until;
        f.primary_down = db_down && !self.db_down_one_shard;
        // With one shard's primary dead, its users' writes fail, and reads that need it (its users' primary reads
        // and every cross-shard read) go to its replicas, or fail without them.
        let x = if a.shards > 1 { a.cross_shard_share } else { 0.0 };
        let lost_shard = if db_down && self.db_down_one_shard { topo.shard_shares[0] } else { 0.0 };
        let need_lost = if lost_shard > 0.0 { (1.0 - x) * lost_shard + x } else { 0.0 };
        if f.primary_down {
            // Writes fail until a replica is promoted (or the primary is restored); so do reads that need the primary.
            f.failed += f.writes;
            f.writes = 0.0;
        } else if lost_shard > 0.0 {
            f.failed += f.writes * lost_shard;
            f.writes *= 1.0 - lost_shard;
        }
        f.batch_writes = if self.t < self.burst_until { f.writes.max(1.0) * (WRITE_BURST_FACTOR - 1.0) } else { 0.0 };
        let job = &a.ops.report;
        f.report_qps = if crate::policy::batch::running(job, self.t, self.hold_peak) && !job.on_replica {
            crate::policy::batch::query_rate(job)
        } else {
            0.0
        };

        // Slow jobs: inline they hold the request (and fail with a dead downstream unless the breaker skips
        // them); queued they cost an enqueue.
        let job_writes = f.writes * a.jobs.share;
        let queued = a.jobs.queued;
        let wf = s.traffic.write_fraction();
        if job_writes > 0.0 {
            if queued {
                f.jobs_rps = job_writes;
            } else if downstream_down || breaker_open {
                if breaker_open {
                    f.jobs_skipped = job_writes;
                } else {
                    f.jobs_failing = true;
                }
            } else {
                f.jobs_inline = true;
            }
        }

        let shard_hot = topo.shard_shares.iter().cloned().fold(0.0, f64::max);
        let hot_db_share = (1.0 - x) * shard_hot + x;
        let (apply_rho, lag_s) = self.replicate((f.writes + f.batch_writes) * shard_hot);
        f.apply_rho = apply_rho;
        f.lag_s = lag_s;
        let topo = &self.topo;
        let a = &topo.scenario.arch;
        let ryw = topo.read_your_writes_share(f.writes);
        let replicas = f.replicas;
        f.to_primary_share = if replicas > 0 && (self.replicas_serving || f.primary_down) {
            if f.primary_down {
                0.0
            } else {
                ryw
            }
        } else {
            1.0
        };
        if need_lost > 0.0 {
            if replicas > 0 {
                f.to_primary_share *= 1.0 - need_lost;
            } else {
                f.failed += misses * need_lost;
            }
        }
        f.primary_reach = if replicas == 0 { 1.0 - need_lost } else { 1.0 };
        let primary_reads = if f.primary_down { 0.0 } else { misses * f.to_primary_share * f.primary_reach };
        if f.primary_down && replicas == 0 {
            f.failed += misses;
        }
        // Each region reads its own replicas; the hottest shard's replicas speak for them.
        f.replica_reads = if replicas > 0 { misses * rf * (1.0 - f.to_primary_share) * hot_db_share / replicas as f64 } else { 0.0 };

        // App servers. Round-robin spreads arrivals evenly (Erlang-n gaps); sticky and least-connections do not
        // smooth them here.
        let ca2 = arrival_scv(a.lb_algorithm, n, topo.sticky());
        f.box_index = if topo.db_on_app { routed.iter().position(|&i| self.servers[i].died_at.is_none()) } else { None };
        // Nothing gets past a dead load balancer: its requests fail at the door (the request-level engine refuses
        // them there), so the app servers behind it idle until it is back.
        let regional = if lb_down { 0.0 } else { dynamic * route.busiest };
        let origin_static = if lb_down { 0.0 } else { f.origin_static };
        let job_cpu = if f.jobs_inline { regional * reach * wf * a.jobs.share } else { 0.0 };
        // (share, figures, server index) of the last stateless server computed.
        let mut shared: Option<(f64, StationOut, usize)> = None;
        for (pos, &i) in routed.iter().enumerate() {
            let share = shares[pos];
            let dead = self.servers[i].died_at.is_some() || single_restart;
            if dead {
                self.servers[i].station.q = 0.0;
                f.app.push((i, share, true, StationOut::default()));
                continue;
            }
            let is_box = f.box_index == Some(pos);
            // Identical stateless servers share one computation.
            if let (Some((sh, out, rep)), false, false) = (shared, is_box, topo.sticky()) {
                if (sh - share).abs() < 1e-12 {
                    self.servers[i].station.q = self.servers[rep].station.q;
                    f.app.push((i, share, false, out));
                    continue;
                }
            }
            let loads = [
                Load { rate: origin_static * route.busiest * share, service_s: topo.static_s },
                Load { rate: regional * share, service_s: topo.app_s },
                Load { rate: job_cpu * share, service_s: a.jobs.cpu_ms / 1e3 },
                Load { rate: primary_reads, service_s: topo.db_read_s },
                Load { rate: f.writes, service_s: topo.db_write_s },
                Load { rate: f.batch_writes, service_s: crate::model::BATCH_WRITE_S },
                Load { rate: f.report_qps, service_s: crate::policy::batch::QUERY_S },
            ];
            let used = if is_box { 7 } else { 3 };
            let out = advance(&mut self.servers[i].station, &self.tables, &loads[..used], ca2, timeout, dt);
            if !is_box && !topo.sticky() {
                shared = Some((share, out, i));
            }
            f.app.push((i, share, false, out));
        }

        // Redis: sessions and cache gets, spread over nodes by key.
        let ops = (if topo.session_in_redis() { dyn_ok } else { 0.0 } + if topo.cache_curve.is_some() { f.reads } else { 0.0 }) * rf;
        for (j, st) in self.redis.iter_mut().enumerate() {
            let loads = [Load { rate: ops * topo.redis_shares[j], service_s: topo.redis_s }];
            f.redis.push(advance(st, &self.tables, &loads, 1.0, timeout, dt));
        }
        if !topo.db_on_app {
            // Every region's primary-bound reads and all writes reach the primaries; a cross-shard read visits
            // every shard.
            for (j, st) in self.primaries.iter_mut().enumerate() {
                let sh = topo.shard_shares[j];
                // A dead primary takes nothing.
                let alive = if j == 0 && lost_shard > 0.0 { 0.0 } else { 1.0 };
                let loads = [
                    Load { rate: alive * primary_reads * ((1.0 - x) * sh + x), service_s: topo.db_read_s },
                    Load { rate: alive * f.writes * sh, service_s: topo.db_write_s },
                    Load { rate: alive * f.batch_writes * sh, service_s: crate::model::BATCH_WRITE_S },
                    // The job scans every shard: each primary gets its share of the work.
                    Load { rate: alive * f.report_qps / topo.shard_shares.len().max(1) as f64, service_s: crate::policy::batch::QUERY_S },
                ];
                f.shards.push(advance(st, &self.tables, &loads, 1.0, timeout, dt));
            }
            f.primary = average(&f.shards, &topo.shard_shares);
            f.primary_hot = f.shards.iter().copied().max_by(|p, q| p.utilization.total_cmp(&q.utilization)).unwrap_or_default();
        }
        if replicas > 0 {
            let loads = [Load { rate: f.replica_reads, service_s: topo.db_read_s }];
            f.replica = advance(&mut self.replica, &self.tables, &loads, 1.0, timeout, dt);
        }
        if a.services > 0 {
            // Every dynamic request calls every service; each service spreads its calls over its instances.
            // Hedged, the calls that met a hiccup are sent twice.
            let copies = if a.resilience.hedge { 1.0 + crate::model::HICCUP_P } else { 1.0 };
            let per = regional * reach * copies / a.service_instances.max(1) as f64;
            let loads = [Load { rate: per, service_s: SERVICE_S }];
            f.services = advance(&mut self.services, &self.tables, &loads, 1.0 / a.service_instances.max(1) as f64, timeout, dt);
        }
        // What a user sees: a failure only when every attempt fails; a 429 is not retried.
        let answered = self.answered(&f);
        let tried = (f.attempts - f.limited).max(0.0);
        let fail = if tried > 0.0 { ((tried - answered) / tried).clamp(0.0, 1.0) } else { 0.0 };
        let retries = self.topo.scenario.arch.resilience.retries as i32;
        let limited_users = f.limited / self.retry_factor.max(1.0);
        f.error_rps = f.offered * (1.0 - limited_users / f.offered.max(1e-12)) * libm::pow(fail, f64::from(retries + 1)) + limited_users;
        f.served = (f.offered - f.error_rps).max(0.0);
        let factor: f64 = (0..=retries).map(|k| libm::pow(fail, f64::from(k))).sum();
        self.retry_moving = (factor - self.retry_factor).abs() > 1e-3 * self.retry_factor;
        self.retry_factor = factor;
        self.share_cache.1 = shares;
        self.routed_buf = routed;
        f
    }

    /// Advances each replica's replay queue by one step under `writes` per second: returns the replay
    /// utilisation and the lag, and marks the fleet dirty when replicas stop or resume taking reads.
    pub(super) fn replicate(&mut self, writes: f64) -> (f64, f64) {
        let a = &self.topo.scenario.arch;
        if a.replicas.saturating_sub(self.replicas_lost) == 0 {
            return (0.0, 0.0);
        }
        let dt = self.dt;
        let mu = 1.0 / self.topo.apply_s;
        let rho = writes / mu;
        if writes > mu {
            self.apply_backlog += (writes - mu) * dt;
        } else {
            self.apply_backlog = (self.apply_backlog - (mu - writes) * dt).max(0.0);
        }
        let sojourn = if rho < 0.98 { 1.0 / (mu - writes) } else { 50.0 / mu };
        let lag = REPLICATION_BASE_LAG_S + sojourn + self.apply_backlog / mu;
        let max_lag = a.replica_max_lag_ms / 1e3;
        let before = self.replicas_serving;
        self.replicas_serving = crate::policy::replica_lag::serving(before, lag, max_lag);
        if before != self.replicas_serving {
            self.dirty = true;
        }
        (rho, lag)
    }
}
