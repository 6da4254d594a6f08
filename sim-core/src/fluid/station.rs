//! One station of the aggregate engine: its fluid state between steps, the step that combines the M/M/c/K steady
//! state at the current load with a queue filling or draining toward it, and the figures a step gives (merged
//! for several Redis nodes, or the slowest of several parallel visits).

use crate::latency::Visit;
use crate::tables::Tables;

/// One class of work arriving at a station.
#[derive(Clone, Copy, Debug)]
pub(super) struct Load {
    pub(super) rate: f64,
    pub(super) service_s: f64,
}

/// A station's figures for one step.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct StationOut {
    /// Whether the fluid queue sits at its steady state.
    pub(super) settled: bool,
    pub(super) utilization: f64,
    /// Offered utilisation λ / (c μ): demand over capacity, past 1 when overloaded.
    pub(super) offered: f64,
    pub(super) in_system: f64,
    pub(super) blocking: f64,
    pub(super) p_wait: f64,
    pub(super) wait_mean: f64,
    /// Gamma shape of the wait (1 = exponential).
    pub(super) wait_shape: f64,
    /// Gamma shape of the service (0 or 1 = exponential; larger for the slowest of several parallel visits).
    pub(super) service_shape: f64,
    pub(super) timeout: f64,
}

impl StationOut {
    pub(super) fn visit(&self, service_s: f64) -> Visit {
        Visit {
            p_wait: self.p_wait,
            wait_mean: self.wait_mean,
            service_mean: service_s,
            wait_shape: self.wait_shape,
            service_shape: self.service_shape,
        }
    }
    pub(super) fn mean_sojourn(&self, service_s: f64) -> f64 {
        self.p_wait * self.wait_mean + service_s
    }
    pub(super) fn success(&self) -> f64 {
        (1.0 - self.blocking) * (1.0 - self.timeout)
    }
}

/// A station's fluid state between steps.
#[derive(Clone, Debug)]
pub(super) struct Station {
    pub(super) table_index: usize,
    pub(super) q: f64,
}

/// Advances a station by `dt` under `loads` and returns its figures. `ca2` is the squared coefficient of
/// variation of arrivals (1 for Poisson, 1/n behind round-robin over n servers).
pub(super) fn advance(st: &mut Station, tables: &Tables, loads: &[Load], ca2: f64, timeout_s: f64, dt: f64) -> StationOut {
    let table = tables.get(st.table_index);
    let c = table.c as f64;
    let lambda: f64 = loads.iter().map(|l| l.rate).sum();
    if lambda <= 0.0 {
        st.q = (st.q - c / loads.iter().map(|l| l.service_s).fold(1e-6, f64::max) * dt).max(0.0);
        return StationOut { settled: st.q == 0.0, ..StationOut::default() };
    }
    let work: f64 = loads.iter().map(|l| l.rate * l.service_s).sum();
    let mean_s = work / lambda;
    let second: f64 = loads.iter().map(|l| l.rate * 2.0 * l.service_s * l.service_s).sum::<f64>() / lambda;
    let cs2 = (second / (mean_s * mean_s) - 1.0).max(0.0);
    let mu = 1.0 / mean_s;
    let cap = c * mu;
    let rho = lambda / cap;
    let [blocking, p_wait, wq_norm, l_norm, shape_ss] = table.at(rho);
    let factor = (ca2 + cs2) / 2.0;
    // The Allen–Cunneen correction scales the queue for variable service, but never past the station's K.
    let k = table.k as f64;
    let wq_ss = (wq_norm / mu * factor).min((k - c).max(0.0) / cap);
    let l_ss = (l_norm * c - lambda * (1.0 - blocking) * wq_norm / mu * (1.0 - factor)).clamp(0.0, k);
    // The fluid queue moves toward the steady state at the net rate of arrivals against service.
    let speed = (lambda - cap).abs().max(0.05 * cap);
    let target = l_ss;
    st.q = if st.q < target { (st.q + speed * dt).min(target) } else { (st.q - speed * dt).max(target) };
    let near = (st.q - l_ss).abs() <= 0.01 * l_ss.max(1.0);
    let (p_wait, wq, blocking, shape) = if near {
        (p_wait, wq_ss, blocking, shape_ss)
    } else {
        let queued = (st.q - c).max(0.0);
        let wq = (queued / cap).max(wq_ss.min(queued / cap + wq_ss));
        let pw = if st.q > c { 1.0 } else { p_wait };
        let b = if st.q < l_ss { blocking * libm::pow(st.q / l_ss, 4.0) } else { blocking };
        // An arrival behind `queued` others waits for that many departures: Erlang-like.
        (pw, wq, b, queued.max(shape_ss))
    };
    let wait_mean = if p_wait > 1e-12 { wq / p_wait } else { 0.0 };
    let timeout = if wait_mean > 0.0 { p_wait * crate::latency::gamma_survival(timeout_s, wait_mean, shape) } else { 0.0 };
    StationOut {
        settled: near,
        utilization: (lambda * (1.0 - blocking) / cap).min(1.0),
        offered: rho,
        in_system: st.q,
        blocking,
        p_wait,
        wait_mean,
        wait_shape: shape,
        service_shape: 1.0,
        timeout,
    }
}

/// Whether two stations' figures are the same (so their request classes can be merged).
pub(super) fn same(a: &StationOut, b: &StationOut) -> bool {
    a.utilization == b.utilization
        && a.p_wait == b.p_wait
        && a.wait_mean == b.wait_mean
        && a.blocking == b.blocking
        && a.timeout == b.timeout
}

/// The slowest of `n` parallel visits to stations like `out` (scatter-gather, fan-out): it waits if any visit
/// waits, fails if any fails, and its service is the maximum of `n` exponentials: mean Hₙ times one, variance
/// Σ 1/k² times one's square, so a gamma of shape Hₙ² / Σ 1/k² (an exponential of mean Hₙ would put the p99 of
/// an 8-shard scatter about a third too high, against the request-level engine). Returns the figures and Hₙ.
pub(super) fn max_of(out: StationOut, n: u32) -> (StationOut, f64) {
    let n = n.max(1);
    let any = |p: f64| 1.0 - libm::pow(1.0 - p, f64::from(n as i32));
    let mut o = out;
    o.p_wait = any(out.p_wait);
    o.blocking = any(out.blocking);
    o.timeout = any(out.timeout);
    let h: f64 = (1..=n).map(|k| 1.0 / k as f64).sum();
    let h2: f64 = (1..=n).map(|k| 1.0 / (k * k) as f64).sum();
    o.service_shape = h * h / h2;
    (o, h)
}

/// Share-weighted average of station figures, for treating several Redis nodes as one visit.
pub(super) fn average(outs: &[StationOut], shares: &[f64]) -> StationOut {
    let mut avg = StationOut { settled: outs.iter().all(|o| o.settled), ..StationOut::default() };
    let total: f64 = shares.iter().take(outs.len()).sum();
    if outs.is_empty() || total <= 0.0 {
        return avg;
    }
    for (o, &w) in outs.iter().zip(shares) {
        let w = w / total;
        avg.utilization = avg.utilization.max(o.utilization);
        avg.offered = avg.offered.max(o.offered);
        avg.in_system += w * o.in_system;
        avg.blocking += w * o.blocking;
        avg.p_wait += w * o.p_wait;
        avg.wait_mean += w * o.p_wait * o.wait_mean;
        avg.wait_shape += w * o.p_wait * o.wait_shape.max(1.0);
        avg.timeout += w * o.timeout;
    }
    if avg.p_wait > 0.0 {
        avg.wait_mean /= avg.p_wait;
        avg.wait_shape /= avg.p_wait;
    } else {
        avg.wait_shape = 1.0;
    }
    avg
}
