//! The request-level discrete-event engine: exact queueing behaviour, latency histograms and request traces.
//!
//! Time is integer nanoseconds ([`SimTime`]). One seeded, portable RNG (PCG-64 MCG) drives every random choice,
//! and events with equal times leave the heap in the order they were scheduled (a sequence number breaks ties),
//! so a seed gives one run on every platform.
//!
//! The [`Core`] holds the event heap, the stations (c servers, at most K requests in the system, FIFO queue) and
//! the requests. A [`Router`] decides where requests come from and where each goes next: [`station`] runs one
//! multi-server station for checking against queueing tables; [`system`] runs a whole scenario.
//!
//! Run loop: the router schedules the first arrival; each event is either an arrival (the router admits a new
//! request and names its first visit) or a service completion (the core starts the next queued request, the
//! router names the finished request's next visit or ends it). A request can also park while calls it fanned out
//! run as requests of their own; the router joins them and starts it again (fork-join).

pub mod station;
pub mod system;
pub mod trace;

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};

use rand::SeedableRng;
use rand_pcg::Pcg64Mcg;

pub use crate::time::SimTime;

/// Payload of an external-arrival event.
const ARRIVAL: u32 = u32::MAX;
/// Payload of a timer event (faults, detections); the router handles it.
const TIMER: u32 = u32::MAX - 1;

/// A station: `servers` parallel servers, at most `capacity` requests in the system.
#[derive(Clone, Debug)]
pub struct Station {
    /// Parallel servers.
    pub servers: u32,
    /// Most requests in the system (in service plus waiting).
    pub capacity: u32,
    /// Requests in service.
    pub busy: u32,
    /// Requests waiting, oldest first.
    pub queue: VecDeque<u32>,
    /// Whether the machine is dead: arrivals and completions there fail.
    pub dead: bool,
    /// Integral of the busy share of the servers (busy / servers) over time since the last reset (nanoseconds):
    /// utilisation × time, right even while the number of servers changes.
    pub busy_area: f64,
    /// Integral of requests in the system over time since the last reset.
    pub system_area: f64,
    /// Time of the last change of `busy` or the queue.
    pub last_change: u64,
    /// Work offered since the last reset, in server-nanoseconds per server: each arrival's service time over the
    /// servers at its arrival, refused arrivals included. Over a span it is the offered utilisation, which can
    /// exceed 1 where [`Station::busy_area`] stops at it.
    pub offered_area: f64,
    /// Largest number in the system seen since the last reset.
    pub peak: u32,
    /// Whether requests wait here as long as it takes (a message queue): the queue timeout does not apply.
    pub patient: bool,
}

impl Station {
    /// A station with `servers` servers admitting at most `capacity` requests.
    pub fn new(servers: u32, capacity: u32) -> Station {
        Station {
            servers: servers.max(1),
            capacity: capacity.max(servers.max(1)),
            busy: 0,
            queue: VecDeque::new(),
            dead: false,
            busy_area: 0.0,
            system_area: 0.0,
            offered_area: 0.0,
            last_change: 0,
            peak: 0,
            patient: false,
        }
    }

    /// Requests in the system.
    pub fn in_system(&self) -> u32 {
        self.busy + self.queue.len() as u32
    }

    fn account(&mut self, now: u64) {
        let dt = now.saturating_sub(self.last_change) as f64;
        self.busy_area += dt * self.busy as f64 / self.servers as f64;
        self.system_area += dt * self.in_system() as f64;
        self.last_change = now;
    }

    /// Utilisation since the last reset at `since`.
    pub fn utilization(&self, since: u64, now: u64) -> f64 {
        let span = now.saturating_sub(since) as f64;
        if span <= 0.0 {
            return 0.0;
        }
        let open = now.saturating_sub(self.last_change) as f64 * self.busy as f64 / self.servers as f64;
        ((self.busy_area + open) / span).clamp(0.0, 1.0)
    }

    /// Mean number in the system since the last reset at `since`.
    pub fn mean_in_system(&self, since: u64, now: u64) -> f64 {
        let span = now.saturating_sub(since) as f64;
        if span <= 0.0 {
            return 0.0;
        }
        let open = now.saturating_sub(self.last_change) as f64 * self.in_system() as f64;
        (self.system_area + open) / span
    }

    fn reset(&mut self, now: u64) {
        self.account(now);
        self.busy_area = 0.0;
        self.system_area = 0.0;
        self.offered_area = 0.0;
        self.peak = self.in_system();
    }
}

/// A request in flight.
#[derive(Clone, Copy, Debug, Default)]
pub struct Request {
    /// When it entered the system.
    pub start: u64,
    /// When it joined its current station's queue.
    pub enqueued: u64,
    /// Service time it needs at its current station (ns).
    pub service: u64,
    /// Station it is at.
    pub station: u32,
    /// Router-defined class.
    pub class: u8,
    /// Router-defined step along its path.
    pub hop: u8,
    /// Router-defined data: a key, a user, a replica.
    pub key: u32,
    /// Router-defined data.
    pub aux: u32,
    /// Fixed network delay accumulated so far (ns).
    pub delay: u64,
    /// Router-defined data: a time (a write's commit time).
    pub tag: u64,
}

/// What happens to a request after a visit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Next {
    /// Visit `station` for `service` nanoseconds.
    Visit { station: u32, service: u64 },
    /// Answered.
    Done,
    /// Failed.
    Reject,
    /// Waits, at no station, until the router starts it again through [`Router::spawned`] (a request waiting
    /// for the calls it fanned out).
    Park,
}

/// Why a request was turned away by the core.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// The station was full.
    Full,
    /// It waited longer than the timeout.
    TimedOut,
    /// The machine was dead.
    Dead,
}

/// Decides arrivals and paths.
pub trait Router {
    /// Time of the next external arrival after `now`, if any.
    fn next_arrival(&mut self, core: &mut Core, now: u64) -> Option<u64>;
    /// A new request arrives at `now`: create it (with [`Core::alloc`]) and return it with its first step.
    fn admit(&mut self, core: &mut Core, now: u64) -> Option<(u32, Next)>;
    /// Request `id` finished its visit at `station`; say what it does next.
    fn after(&mut self, core: &mut Core, id: u32, station: u32, now: u64) -> Next;
    /// Request `id` ended: answered (`ok`) or refused.
    fn finish(&mut self, core: &mut Core, id: u32, ok: bool, refusal: Option<Refusal>, now: u64);
    /// A timer the router set with [`Core::set_timer`] fired.
    fn timer(&mut self, _core: &mut Core, _now: u64) {}
    /// A request the router created on its own (say, replaying a write on a replica), to start now.
    fn spawned(&mut self) -> Option<(u32, Next)> {
        None
    }
}

/// The engine's state, shared with the router.
pub struct Core {
    /// Simulated now (ns).
    pub now: u64,
    seq: u64,
    heap: BinaryHeap<Reverse<(u64, u64, u32)>>,
    /// Stations.
    pub stations: Vec<Station>,
    /// Requests (a slab: ids are reused).
    pub requests: Vec<Request>,
    free: Vec<u32>,
    /// The one random source.
    pub rng: Pcg64Mcg,
    /// Requests that waited longer than this in a queue are dropped when their turn comes (ns).
    pub timeout: u64,
    /// Events processed.
    pub events: u64,
    /// Requests in the system.
    pub in_flight: u64,
    /// When statistics were last reset (ns).
    pub reset_at: u64,
    /// Whether the first arrival has been scheduled.
    started: bool,
}

impl Core {
    /// A core with the given stations, seed and queue timeout.
    pub fn new(stations: Vec<Station>, seed: u64, timeout: SimTime) -> Core {
        Core {
            now: 0,
            seq: 0,
            heap: BinaryHeap::with_capacity(1024),
            stations,
            requests: Vec::with_capacity(1024),
            free: Vec::new(),
            rng: Pcg64Mcg::seed_from_u64(seed),
            timeout: timeout.0.max(1),
            events: 0,
            in_flight: 0,
            reset_at: 0,
            started: false,
        }
    }

    fn schedule(&mut self, at: u64, payload: u32) {
        self.seq += 1;
        self.heap.push(Reverse((at, self.seq, payload)));
    }

    /// Fires the router's `timer` at `at`.
    pub fn set_timer(&mut self, at: u64) {
        self.schedule(at, TIMER);
    }

    /// A fresh request entering at `now`.
    pub fn alloc(&mut self, now: u64) -> u32 {
        self.in_flight += 1;
        let req = Request { start: now, ..Request::default() };
        match self.free.pop() {
            Some(id) => {
                self.requests[id as usize] = req;
                id
            }
            None => {
                self.requests.push(req);
                (self.requests.len() - 1) as u32
            }
        }
    }

    fn release(&mut self, id: u32) {
        self.in_flight -= 1;
        self.free.push(id);
    }

    /// Resets utilisation and queue statistics (end of warm-up).
    pub fn reset_stats(&mut self) {
        let now = self.now;
        self.reset_at = now;
        for s in &mut self.stations {
            s.reset(now);
        }
    }

    /// Marks station `s` dead and refuses everything waiting there; requests in service fail when they finish.
    pub fn kill<R: Router>(&mut self, router: &mut R, s: u32) {
        let now = self.now;
        let st = &mut self.stations[s as usize];
        st.account(now);
        st.dead = true;
        let waiting: Vec<u32> = st.queue.drain(..).collect();
        for id in waiting {
            router.finish(self, id, false, Some(Refusal::Dead), now);
            self.release(id);
        }
    }

    /// Sends request `id` on its next step.
    fn route<R: Router>(&mut self, router: &mut R, id: u32, next: Next) {
        let now = self.now;
        match next {
            Next::Done => {
                router.finish(self, id, true, None, now);
                self.release(id);
            }
            Next::Reject => {
                router.finish(self, id, false, None, now);
                self.release(id);
            }
            Next::Park => {}
            Next::Visit { station, service } => {
                let st = &mut self.stations[station as usize];
                if !st.dead {
                    st.offered_area += service as f64 / st.servers as f64;
                }
                let refusal = if st.dead {
                    Some(Refusal::Dead)
                } else if st.in_system() >= st.capacity {
                    Some(Refusal::Full)
                } else {
                    None
                };
                if let Some(r) = refusal {
                    router.finish(self, id, false, Some(r), now);
                    self.release(id);
                    return;
                }
                st.account(now);
                let req = &mut self.requests[id as usize];
                req.station = station;
                req.service = service;
                req.enqueued = now;
                if st.busy < st.servers {
                    st.busy += 1;
                    st.peak = st.peak.max(st.in_system());
                    self.schedule(now + service, id);
                } else {
                    st.queue.push_back(id);
                    st.peak = st.peak.max(st.in_system());
                }
            }
        }
    }

    /// Runs events until simulated time `until` (ns) or until none are left.
    pub fn run_until<R: Router>(&mut self, router: &mut R, until: u64) {
        if !self.started {
            self.started = true;
            if let Some(t) = router.next_arrival(self, 0) {
                self.schedule(t, ARRIVAL);
            }
        }
        while let Some(&Reverse((t, _, payload))) = self.heap.peek() {
            if t > until {
                break;
            }
            self.heap.pop();
            self.now = t;
            self.events += 1;
            match payload {
                ARRIVAL => {
                    if let Some(next) = router.next_arrival(self, t) {
                        self.schedule(next, ARRIVAL);
                    }
                    if let Some((id, step)) = router.admit(self, t) {
                        self.route(router, id, step);
                    }
                    self.start_spawned(router);
                }
                TIMER => {
                    router.timer(self, t);
                    self.start_spawned(router);
                }
                id => self.complete(router, id),
            }
        }
        self.now = self.now.max(until.min(self.heap.peek().map_or(until, |r| r.0 .0)));
    }

    /// Request `id` finished service at its station.
    fn complete<R: Router>(&mut self, router: &mut R, id: u32) {
        let now = self.now;
        let s = self.requests[id as usize].station;
        let st = &mut self.stations[s as usize];
        st.account(now);
        st.busy -= 1;
        let dead = st.dead;
        // Start the next waiting request, dropping those that waited past the timeout (unless the station has
        // fewer servers now than are busy).
        if !dead && self.stations[s as usize].busy < self.stations[s as usize].servers {
            let patient = self.stations[s as usize].patient;
            while let Some(next) = self.stations[s as usize].queue.pop_front() {
                let waited = now - self.requests[next as usize].enqueued;
                if waited > self.timeout && !patient {
                    router.finish(self, next, false, Some(Refusal::TimedOut), now);
                    self.release(next);
                    continue;
                }
                self.stations[s as usize].busy += 1;
                let service = self.requests[next as usize].service;
                self.schedule(now + service, next);
                break;
            }
        }
        if dead {
            router.finish(self, id, false, Some(Refusal::Dead), now);
            self.release(id);
            return;
        }
        let next = router.after(self, id, s, now);
        self.route(router, id, next);
        self.start_spawned(router);
    }

    /// Gives station `s` `n` servers (at least one). New servers start waiting requests at once; when there are
    /// fewer, the busy ones finish what they are doing and take no more until the count is below the new one.
    pub fn set_servers(&mut self, s: u32, n: u32) {
        let now = self.now;
        self.stations[s as usize].account(now);
        self.stations[s as usize].servers = n.max(1);
        while self.stations[s as usize].busy < self.stations[s as usize].servers {
            let Some(next) = self.stations[s as usize].queue.pop_front() else {
                break;
            };
            self.stations[s as usize].busy += 1;
            let service = self.requests[next as usize].service;
            self.schedule(now + service, next);
        }
    }

    fn start_spawned<R: Router>(&mut self, router: &mut R) {
        while let Some((id, step)) = router.spawned() {
            self.route(router, id, step);
        }
    }

    /// Brings a station's time integrals up to `now` and returns (busy area, system area, offered area).
    pub fn areas(&mut self, s: u32) -> (f64, f64, f64) {
        let now = self.now;
        let st = &mut self.stations[s as usize];
        st.account(now);
        (st.busy_area, st.system_area, st.offered_area)
    }
}
