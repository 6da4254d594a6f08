//! One multi-server station on the request-level engine, for checking it against published queueing tables:
//! Poisson arrivals at rate λ, `c` servers, at most `K` in the system, a chosen service distribution.
use serde::Serialize;

use super::{Core, Next, Refusal, Router, SimTime, Station};
use crate::dist::{Sampler, ServiceDist};
use crate::report::finite;

/// What to run.
#[derive(Clone, Copy, Debug)]
pub struct StationSpec {
    /// Servers.
    pub servers: u32,
    /// Arrival rate per second.
    pub arrival_rate: f64,
    /// Service-time distribution.
    pub service: ServiceDist,
    /// Most requests in the system (None: unbounded).
    pub capacity: Option<u32>,
    /// Requests to simulate after the warm-up.
    pub requests: u64,
    /// Seed.
    pub seed: u64,
}

/// Measured figures (times in seconds).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct StationResult {
    /// Mean wait in queue.
    pub mean_wait: f64,
    /// Mean response time (wait plus service).
    pub mean_response: f64,
    /// Median response time.
    pub p50: f64,
    /// 95th-percentile response time.
    pub p95: f64,
    /// 99th-percentile response time.
    pub p99: f64,
    /// Share of arrivals turned away because the station was full.
    pub blocking_probability: f64,
    /// Busy fraction of the servers.
    pub utilization: f64,
    /// Time-average number in the system (L, for Little's law).
    pub mean_in_system: f64,
    /// Completed requests per second.
    pub throughput: f64,
    /// Events processed.
    pub events: u64,
}

struct One {
    interarrival: Sampler,
    service: Sampler,
    warmup: u64,
    arrivals: u64,
    measured_arrivals: u64,
    blocked: u64,
    responses: Vec<f64>,
    wait_sum: f64,
}

impl Router for One {
    fn next_arrival(&mut self, core: &mut Core, now: u64) -> Option<u64> {
        Some(now + self.interarrival.draw_ns(&mut core.rng))
    }
    fn admit(&mut self, core: &mut Core, now: u64) -> Option<(u32, Next)> {
        self.arrivals += 1;
        if self.arrivals == self.warmup {
            core.reset_stats();
        }
        let id = core.alloc(now);
        core.requests[id as usize].aux = (self.arrivals > self.warmup) as u32;
        if self.arrivals > self.warmup {
            self.measured_arrivals += 1;
        }
        let service = self.service.draw_ns(&mut core.rng);
        Some((id, Next::Visit { station: 0, service }))
    }
    fn after(&mut self, _core: &mut Core, _id: u32, _station: u32, _now: u64) -> Next {
        Next::Done
    }
    fn finish(&mut self, core: &mut Core, id: u32, ok: bool, refusal: Option<Refusal>, now: u64) {
        let req = core.requests[id as usize];
        if req.aux == 0 {
            return;
        }
        if ok {
            let response = (now - req.start) as f64 / 1e9;
            self.responses.push(response);
            self.wait_sum += response - req.service as f64 / 1e9;
        } else if refusal == Some(Refusal::Full) {
            self.blocked += 1;
        }
    }
}

/// The p-quantile of sorted values.
fn quantile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// Runs the station for `spec.requests` measured arrivals after a warm-up of a tenth as many.
pub fn run(spec: &StationSpec) -> StationResult {
    let capacity = spec.capacity.unwrap_or(u32::MAX);
    let stations = vec![Station::new(spec.servers, capacity)];
    let mut core = Core::new(stations, spec.seed, SimTime(u64::MAX));
    let warmup = (spec.requests / 10).max(1);
    let mut router = One {
        interarrival: Sampler::Exp(1.0 / spec.arrival_rate.max(1e-12)),
        service: spec.service.sampler(),
        warmup,
        arrivals: 0,
        measured_arrivals: 0,
        blocked: 0,
        responses: Vec::with_capacity(spec.requests as usize),
        wait_sum: 0.0,
    };
    // Run until every measured arrival has been seen, in chunks of simulated time.
    let chunk = ((spec.requests as f64 / spec.arrival_rate.max(1e-12)) * 1e9 / 20.0).max(1e6) as u64;
    let mut until = chunk;
    let start_events = core.events;
    while router.arrivals < warmup + spec.requests {
        core.run_until(&mut router, until);
        until = until.saturating_add(chunk);
    }
    let now = core.now;
    let since = core.reset_at;
    let station = &core.stations[0];
    let mut sorted = router.responses.clone();
    sorted.sort_by(|a, b| a.total_cmp(b));
    let n = sorted.len().max(1) as f64;
    StationResult {
        mean_wait: finite(router.wait_sum / n),
        mean_response: finite(sorted.iter().sum::<f64>() / n),
        p50: quantile(&sorted, 0.50),
        p95: quantile(&sorted, 0.95),
        p99: quantile(&sorted, 0.99),
        blocking_probability: finite(router.blocked as f64 / router.measured_arrivals.max(1) as f64),
        utilization: finite(station.utilization(since, now)),
        mean_in_system: finite(station.mean_in_system(since, now)),
        throughput: finite(sorted.len() as f64 / ((now - since) as f64 / 1e9).max(1e-12)),
        events: core.events - start_events,
    }
}
