//! Closed-form queueing theory: the yardstick both engines are checked against, and the formulas the aggregate
//! engine runs on.
//!
//! Notation follows `shared/REFERENCE.md`: λ arrival rate, μ service rate of one server, c servers,
//! a = λ/μ offered load in Erlangs, ρ = a/c. Times are in seconds. Every function returns a finite number for
//! every input: an unstable queue reports `f64::INFINITY`-free saturation values documented per function.

/// Erlang B: the blocking probability of M/M/c/c, by the stable recurrence B(k) = a·B(k−1) / (k + a·B(k−1)).
pub fn erlang_b(c: u32, a: f64) -> f64 {
    let mut b = 1.0;
    for k in 1..=c {
        b = a * b / (k as f64 + a * b);
    }
    b
}

/// Erlang C: the probability that an arrival waits in M/M/c. 1 when the queue is unstable (ρ ≥ 1).
pub fn erlang_c(c: u32, a: f64) -> f64 {
    let rho = a / c as f64;
    if rho >= 1.0 {
        return 1.0;
    }
    let b = erlang_b(c, a);
    b / (1.0 - rho * (1.0 - b))
}

/// Steady-state figures of an M/M/c queue.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Mmc {
    /// Servers.
    pub c: u32,
    /// Arrival rate (per second).
    pub lambda: f64,
    /// Service rate of one server (per second).
    pub mu: f64,
}

impl Mmc {
    /// A queue with `c` servers, arrival rate `lambda` and per-server service rate `mu`.
    pub fn new(c: u32, lambda: f64, mu: f64) -> Self {
        Mmc { c: c.max(1), lambda: lambda.max(0.0), mu }
    }
    /// Offered load in Erlangs.
    pub fn offered(&self) -> f64 {
        self.lambda / self.mu
    }
    /// Utilisation ρ = λ / (cμ).
    pub fn rho(&self) -> f64 {
        self.offered() / self.c as f64
    }
    /// Whether the queue has a steady state.
    pub fn is_stable(&self) -> bool {
        self.rho() < 1.0
    }
    /// Probability of waiting (Erlang C).
    pub fn p_wait(&self) -> f64 {
        erlang_c(self.c, self.offered())
    }
    /// Decay rate θ = cμ − λ of the waiting-time tail.
    fn theta(&self) -> f64 {
        self.c as f64 * self.mu - self.lambda
    }
    /// Mean wait in queue Wq = C / (cμ − λ).
    pub fn mean_wait(&self) -> f64 {
        if !self.is_stable() {
            return f64::MAX;
        }
        self.p_wait() / self.theta()
    }
    /// Mean response time W = Wq + 1/μ.
    pub fn mean_response(&self) -> f64 {
        if !self.is_stable() {
            return f64::MAX;
        }
        self.mean_wait() + 1.0 / self.mu
    }
    /// p-quantile of the wait: ln(C / (1 − p)) / (cμ − λ) when p > 1 − C, else 0.
    pub fn wait_quantile(&self, p: f64) -> f64 {
        let c = self.p_wait();
        if p <= 1.0 - c {
            0.0
        } else {
            libm::log(c / (1.0 - p)) / self.theta()
        }
    }
    /// P(T > t) for the response time T (wait plus service).
    pub fn response_tail(&self, t: f64) -> f64 {
        let mu = self.mu;
        let c = self.p_wait();
        let theta = self.theta();
        let no_wait = (1.0 - c) * libm::exp(-mu * t);
        let waited = if (theta - mu).abs() < 1e-9 * mu {
            // Limit θ → μ: wait ~ Exp(μ) plus service ~ Exp(μ) is Erlang-2.
            c * (1.0 + mu * t) * libm::exp(-mu * t)
        } else {
            c * (theta * libm::exp(-mu * t) - mu * libm::exp(-theta * t)) / (theta - mu)
        };
        (no_wait + waited).clamp(0.0, 1.0)
    }
    /// p-quantile of the response time, found by bisection on the tail.
    pub fn response_quantile(&self, p: f64) -> f64 {
        if !self.is_stable() {
            return f64::MAX;
        }
        let target = 1.0 - p;
        let mut hi = 1.0 / self.mu;
        while self.response_tail(hi) > target {
            hi *= 2.0;
        }
        let mut lo = 0.0;
        for _ in 0..100 {
            let mid = 0.5 * (lo + hi);
            if self.response_tail(mid) > target {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        0.5 * (lo + hi)
    }
}

/// Steady state of M/M/c/K: at most `k` requests in the system (c in service, k − c waiting).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MmcK {
    /// Probability an arrival finds the system full and is turned away.
    pub blocking: f64,
    /// Probability an admitted arrival has to wait.
    pub p_wait: f64,
    /// Mean number in the system.
    pub mean_in_system: f64,
    /// Mean response time of admitted requests, W = L / (λ(1 − p_K)).
    pub mean_response: f64,
    /// Mean wait of admitted requests.
    pub mean_wait: f64,
    /// Utilisation of the servers (fraction busy).
    pub utilization: f64,
}

/// M/M/c/K from the product form p_n ∝ aⁿ/n! (n ≤ c), (a^c/c!)·ρ^{n−c} (c < n ≤ K), with the queue part summed
/// in closed form (geometric series) and every term scaled in logs, so the cost is O(c) and large c, large K
/// and ρ > 1 stay finite.
pub fn mmck(c: u32, k: u32, lambda: f64, mu: f64) -> MmcK {
    let c = c.max(1);
    let k = k.max(c);
    let a = (lambda / mu).max(0.0);
    if a <= 0.0 {
        return MmcK { blocking: 0.0, p_wait: 0.0, mean_in_system: 0.0, mean_response: 1.0 / mu, mean_wait: 0.0, utilization: 0.0 };
    }
    let cf = c as f64;
    let rho = a / cf;
    let m = (k - c) as f64; // queue places
                            // ln tₙ = n·ln a − ln n!, for n = 0..=c.
    let ln_a = libm::log(a);
    let mut ln_t = Vec::with_capacity(c as usize + 1);
    let mut acc = 0.0;
    ln_t.push(0.0);
    for n in 1..=c {
        acc += ln_a - libm::log(n as f64);
        ln_t.push(acc);
    }
    let ln_tc = ln_t[c as usize];
    // Queue part: terms t_c·ρ^j for j = 0..=m. Scale by the largest of them.
    let (scale, s0, s1, top) = if rho <= 1.0 {
        // Σ ρ^j, Σ j ρ^j, and ρ^m relative to t_c.
        let (s0, s1) = geometric(rho, m);
        (ln_tc, s0, s1, libm::pow(rho, m))
    } else {
        // Relative to t_c·ρ^m: Σ_{i} r^i with r = 1/ρ, and Σ (m − i) r^i.
        let r = 1.0 / rho;
        let (g0, g1) = geometric(r, m);
        (ln_tc + m * libm::log(rho), g0, m * g0 - g1, 1.0)
    };
    // Below c: n = 0..c−1.
    let mut below = 0.0;
    let mut below_n = 0.0;
    for (n, &ln) in ln_t.iter().enumerate().take(c as usize) {
        let t = libm::exp(ln - scale);
        below += t;
        below_n += n as f64 * t;
    }
    // With ρ ≤ 1, queue terms relative to t_c are ρ^j; with ρ > 1 they are r^(m−j) relative to the top.
    let queue_mass = s0;
    let queue_n = if rho <= 1.0 { cf * s0 + s1 } else { (cf + m) * s0 - (m * s0 - s1) };
    let total = below + queue_mass;
    let blocking = top / total;
    let mean_in_system = (below_n + queue_n) / total;
    let p_queue = queue_mass / total; // P(n ≥ c)
    let busy = (below_n + cf * queue_mass) / total;
    let admitted = lambda * (1.0 - blocking);
    let mean_response = if admitted > 0.0 { mean_in_system / admitted } else { 1.0 / mu };
    let p_wait = if blocking < 1.0 { ((p_queue - blocking) / (1.0 - blocking)).clamp(0.0, 1.0) } else { 1.0 };
    MmcK {
        blocking,
        p_wait,
        mean_in_system,
        mean_response,
        mean_wait: (mean_response - 1.0 / mu).max(0.0),
        utilization: (busy / cf).clamp(0.0, 1.0),
    }
}

/// (Σ_{j=0}^{m} x^j, Σ_{j=0}^{m} j·x^j) for 0 ≤ x ≤ 1.
fn geometric(x: f64, m: f64) -> (f64, f64) {
    if (1.0 - x).abs() < 1e-9 {
        return (m + 1.0, m * (m + 1.0) / 2.0);
    }
    let xm = libm::pow(x, m);
    let s0 = (1.0 - xm * x) / (1.0 - x);
    let s1 = x * (1.0 - (m + 1.0) * xm + m * xm * x) / ((1.0 - x) * (1.0 - x));
    (s0, s1)
}

/// Pollaczek–Khinchine mean wait of M/G/1: Wq = ρ/(1−ρ) · (1 + cs²)/2 · E\[S\].
pub fn mg1_mean_wait(lambda: f64, mean_service: f64, cv_service: f64) -> f64 {
    let rho = lambda * mean_service;
    if rho >= 1.0 {
        return f64::MAX;
    }
    rho / (1.0 - rho) * (1.0 + cv_service * cv_service) / 2.0 * mean_service
}

/// Allen–Cunneen mean wait of G/G/c: Wq(M/M/c) · (ca² + cs²)/2.
pub fn allen_cunneen_wait(c: u32, lambda: f64, mean_service: f64, ca2: f64, cs2: f64) -> f64 {
    Mmc::new(c, lambda, 1.0 / mean_service).mean_wait() * (ca2 + cs2) / 2.0
}

/// Universal Scalability Law: relative capacity of N nodes, N / (1 + σ(N−1) + κN(N−1)).
pub fn usl_capacity(n: f64, sigma: f64, kappa: f64) -> f64 {
    n / (1.0 + sigma * (n - 1.0) + kappa * n * (n - 1.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol * b.abs().max(1e-12)
    }

    #[test]
    fn erlang_b_matches_published_table() {
        // Classic table value: 10 servers offered 5 Erlangs block 1.84 % of calls.
        assert!(close(erlang_b(10, 5.0), 0.018_385, 1e-3));
        assert!(close(erlang_b(1, 1.0), 0.5, 1e-12));
    }

    #[test]
    fn erlang_c_matches_published_table() {
        // Two servers at a = 1 (ρ = 0.5): C = 1/3.
        assert!(close(erlang_c(2, 1.0), 1.0 / 3.0, 1e-12));
        // Ten servers at a = 8: C ≈ 0.4092 (Erlang C tables).
        assert!(close(erlang_c(10, 8.0), 0.4092, 1e-3));
    }

    #[test]
    fn mm1_reduces_to_textbook_forms() {
        let q = Mmc::new(1, 8.0, 10.0);
        assert!(close(q.mean_response(), 1.0 / 2.0, 1e-12));
        assert!(close(q.mean_wait(), 0.8 / 2.0, 1e-12));
        // Response time is Exp(μ − λ): p99 = ln(100)/2.
        assert!(close(q.response_quantile(0.99), libm::log(100.0) / 2.0, 1e-6));
    }

    #[test]
    fn mmc_response_tail_is_a_distribution() {
        let q = Mmc::new(4, 3.0, 1.0);
        assert!(close(q.response_tail(0.0), 1.0, 1e-12));
        assert!(q.response_tail(1e3) < 1e-12);
        // Mean from integrating the tail equals the closed form.
        let dt = 1e-3;
        let integral: f64 = (0..200_000).map(|i| q.response_tail((i as f64 + 0.5) * dt) * dt).sum();
        assert!(close(integral, q.mean_response(), 1e-4), "{integral} vs {}", q.mean_response());
    }

    #[test]
    fn mmck_with_k_equal_c_is_erlang_b() {
        let r = mmck(10, 10, 5.0, 1.0);
        assert!(close(r.blocking, erlang_b(10, 5.0), 1e-9));
    }

    #[test]
    fn mmck_with_large_k_approaches_mmc() {
        let r = mmck(4, 2_000, 3.0, 1.0);
        assert!(close(r.mean_response, Mmc::new(4, 3.0, 1.0).mean_response(), 1e-9));
        assert!(r.blocking < 1e-12);
    }

    /// The product form summed term by term, for checking the closed form.
    fn mmck_by_terms(c: u32, k: u32, a: f64) -> (f64, f64) {
        let rho = a / c as f64;
        let mut terms = vec![1.0f64];
        for n in 1..=k {
            let prev = terms[n as usize - 1];
            terms.push(prev * if n <= c { a / n as f64 } else { rho });
        }
        let total: f64 = terms.iter().sum();
        let l: f64 = terms.iter().enumerate().map(|(n, t)| n as f64 * t).sum::<f64>() / total;
        (terms[k as usize] / total, l)
    }

    #[test]
    fn mmck_closed_form_matches_the_term_by_term_sum() {
        for &(c, k, a) in &[(1u32, 1u32, 0.5f64), (1, 10, 0.9), (2, 5, 1.8), (4, 8, 4.8), (3, 30, 3.0), (8, 200, 12.0), (16, 40, 4.0)] {
            let (b, l) = mmck_by_terms(c, k, a);
            let r = mmck(c, k, a, 1.0);
            assert!(close(r.blocking, b, 1e-9), "c={c} K={k} a={a}: {} vs {b}", r.blocking);
            assert!(close(r.mean_in_system, l, 1e-9), "c={c} K={k} a={a}: L {} vs {l}", r.mean_in_system);
        }
    }

    #[test]
    fn mmck_stays_finite_in_overload_and_at_large_sizes() {
        let r = mmck(448, 5_000, 2_000.0, 1.0);
        assert!(r.blocking.is_finite() && r.mean_response.is_finite());
        assert!(r.blocking > 0.7);
    }

    #[test]
    fn pk_formula_halves_the_wait_for_deterministic_service() {
        assert!(close(mg1_mean_wait(0.5, 1.0, 0.0), 0.5 * mg1_mean_wait(0.5, 1.0, 1.0), 1e-12));
    }

    #[test]
    fn usl_peaks_where_theory_says() {
        let (s, k): (f64, f64) = (0.0277, 1.044e-4);
        let peak = ((1.0 - s) / k).sqrt();
        assert!(usl_capacity(peak, s, k) > usl_capacity(peak * 0.8, s, k));
        assert!(usl_capacity(peak, s, k) > usl_capacity(peak * 1.2, s, k));
    }
}
