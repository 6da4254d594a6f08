//! End-to-end latency distributions built from per-station pieces.
//!
//! A request's latency is a fixed network delay plus, at each station it visits, a wait and an exponential service
//! time. A wait is zero with probability 1 − C and otherwise gamma with mean `m` and shape `k`: exponential (k = 1)
//! is exact for M/M/c; a nearly full finite queue makes waits nearly deterministic (k large), which the aggregate
//! engine computes from the M/M/c/K distribution. Requests of different classes (a cache hit, a miss served by a
//! replica, a write, …) form a mixture.
//!
//! Two ways to read quantiles off a mixture:
//! - [`Mixture::quantile`] inverts the Laplace transform numerically (Abate–Whitt's Euler algorithm): exact to
//!   about 1e−6, used for steady-state summaries. A gamma wait enters it as the Erlang mixture with the same mean
//!   and variance (Tijms), whose transform needs only whole powers.
//! - [`Mixture::quantile_fast`] fits each class a shifted gamma by its mean and variance and uses the
//!   Wilson–Hilferty normal approximation: a few microseconds, used for per-second series.

use std::f64::consts::PI;

/// One station visit: an optional wait, then exponential service.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Visit {
    /// Probability of waiting at all.
    pub p_wait: f64,
    /// Mean of the wait, given that there is one (seconds).
    pub wait_mean: f64,
    /// Mean service time (seconds).
    pub service_mean: f64,
    /// Gamma shape of the wait given that there is one (1 = exponential; larger is more regular).
    pub wait_shape: f64,
    /// Gamma shape of the service (1 or less = exponential; the slowest of several parallel calls is more
    /// regular than one exponential of the same mean).
    pub service_shape: f64,
}

/// Largest wait shape used (a wait's coefficient of variation of about 0.14): steeper CDFs gain nothing visible
/// and strain the numerical inversion.
pub const MAX_WAIT_SHAPE: f64 = 50.0;

impl Visit {
    /// Mean sojourn.
    pub fn mean(&self) -> f64 {
        self.p_wait * self.wait_mean + self.service_mean
    }
    /// Variance of the sojourn.
    pub fn variance(&self) -> f64 {
        let k = self.shape();
        let w2 = self.p_wait * (1.0 + 1.0 / k) * self.wait_mean * self.wait_mean;
        let w1 = self.p_wait * self.wait_mean;
        (w2 - w1 * w1) + self.service_mean * self.service_mean / self.service_k()
    }
    /// Laplace transform of the sojourn at complex s = (re, im).
    fn transform(&self, s: C) -> C {
        let service = if self.service_mean > 0.0 { erlang_mix_transform(self.service_mean, self.service_k(), s) } else { C(1.0, 0.0) };
        let wait = if self.p_wait > 0.0 && self.wait_mean > 0.0 {
            // The gamma wait's two moments, matched by Tijms' mixture of Erlang(n−1) and Erlang(n) with a common
            // rate (n = ⌈k⌉; exactly Erlang(k) for a whole k). Whole powers need no complex logarithm, which made
            // the gamma's own transform ten times slower to evaluate.
            let g = erlang_mix_transform(self.wait_mean, self.shape(), s);
            C(1.0 - self.p_wait, 0.0).add(C(self.p_wait, 0.0).mul(g))
        } else {
            C(1.0, 0.0)
        };
        service.mul(wait)
    }

    fn service_k(&self) -> f64 {
        if self.service_shape.is_finite() {
            self.service_shape.clamp(1.0, MAX_WAIT_SHAPE)
        } else {
            1.0
        }
    }

    fn shape(&self) -> f64 {
        if self.wait_shape.is_finite() {
            self.wait_shape.clamp(1.0, MAX_WAIT_SHAPE)
        } else {
            1.0
        }
    }
}

/// One request class: its share, fixed delay and station visits.
#[derive(Clone, Debug, PartialEq)]
pub struct Class {
    /// Share of requests in this class (weights need not sum to 1; they are normalised).
    pub weight: f64,
    /// Fixed delay: network round trips (seconds).
    pub delay: f64,
    /// Station visits in order.
    pub visits: Vec<Visit>,
}

impl Class {
    /// Mean latency.
    pub fn mean(&self) -> f64 {
        self.delay + self.visits.iter().map(Visit::mean).sum::<f64>()
    }
    fn variance(&self) -> f64 {
        self.visits.iter().map(Visit::variance).sum()
    }
    /// Approximate CDF by a gamma fit of the random part (Wilson–Hilferty).
    fn cdf_fast(&self, t: f64) -> f64 {
        let x = t - self.delay;
        if x <= 0.0 {
            return 0.0;
        }
        let mean = self.mean() - self.delay;
        let var = self.variance();
        if mean <= 0.0 || var <= 0.0 {
            return 1.0;
        }
        let k = mean * mean / var;
        let theta = var / mean;
        let v = 1.0 / (9.0 * k);
        let z = (libm::cbrt(x / (k * theta)) - (1.0 - v)) / v.sqrt();
        normal_cdf(z)
    }
}

/// A mixture of request classes.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Mixture {
    /// The classes.
    pub classes: Vec<Class>,
}

impl Mixture {
    fn total_weight(&self) -> f64 {
        self.classes.iter().map(|c| c.weight).sum()
    }
    /// Mean latency over the mixture (0 for an empty mixture).
    pub fn mean(&self) -> f64 {
        let w = self.total_weight();
        if w <= 0.0 {
            return 0.0;
        }
        self.classes.iter().map(|c| c.weight * c.mean()).sum::<f64>() / w
    }
    /// Exact CDF at `t` by Euler inversion of the Laplace transform of the distribution.
    pub fn cdf(&self, t: f64) -> f64 {
        let w = self.total_weight();
        if w <= 0.0 || t <= 0.0 {
            return 0.0;
        }
        let mut total = 0.0;
        for class in &self.classes {
            if class.weight <= 0.0 {
                continue;
            }
            let x = t - class.delay;
            let p = if x <= 0.0 {
                0.0
            } else if class.visits.iter().all(|v| v.service_mean <= 0.0 && v.p_wait <= 0.0) {
                1.0
            } else {
                euler_cdf(x, |s| class.visits.iter().fold(C(1.0, 0.0), |acc, v| acc.mul(v.transform(s))))
            };
            total += class.weight * p.clamp(0.0, 1.0);
        }
        total / w
    }
    /// Approximate CDF from per-class gamma fits.
    pub fn cdf_fast(&self, t: f64) -> f64 {
        let w = self.total_weight();
        if w <= 0.0 {
            return 0.0;
        }
        self.classes.iter().map(|c| c.weight * c.cdf_fast(t)).sum::<f64>() / w
    }
    /// Exact p-quantile (seconds).
    pub fn quantile(&self, p: f64) -> f64 {
        self.quantiles(&[p])[0]
    }

    /// Exact quantiles for several p. Each search starts from a bracket around the fast estimate (within about
    /// 10 %) and uses the Illinois variant of regula falsi, turning to bisection if that has not converged in a
    /// dozen steps (a mixture's CDF can jump at a class's fixed delay). About 8 CDF evaluations per quantile where
    /// plain bisection from zero took 40.
    pub fn quantiles(&self, ps: &[f64]) -> Vec<f64> {
        if self.total_weight() <= 0.0 {
            return vec![0.0; ps.len()];
        }
        let guesses = self.quantiles_fast(ps);
        ps.iter().zip(guesses).map(|(&p, guess)| self.solve(p, guess)).collect()
    }

    /// The t with cdf(t) = p, searched from `guess`.
    fn solve(&self, p: f64, guess: f64) -> f64 {
        let f = |t: f64| self.cdf(t) - p;
        let guess = if guess.is_finite() && guess > 0.0 { guess } else { self.mean().max(1e-6) };
        let (mut lo, mut hi) = (guess * 0.85, guess * 1.2);
        let (mut flo, mut fhi) = (f(lo), f(hi));
        let mut guard = 0;
        while flo >= 0.0 && guard < 80 {
            (hi, fhi) = (lo, flo);
            lo *= 0.5;
            flo = if lo < 1e-12 { -p } else { f(lo) };
            if lo < 1e-12 {
                lo = 0.0;
            }
            guard += 1;
        }
        while fhi < 0.0 && guard < 200 {
            (lo, flo) = (hi, fhi);
            hi *= 2.0;
            fhi = f(hi);
            guard += 1;
        }
        let mut kept = 0i8; // which end the last step kept: -1 low, 1 high
        for step in 0..100 {
            if hi - lo <= 1e-7 * hi {
                break;
            }
            // Illinois steps converge fast on a smooth CDF; past a dozen (a CDF with a jump), bisect.
            let mut t = if step < 12 { hi - fhi * (hi - lo) / (fhi - flo) } else { 0.5 * (lo + hi) };
            if !(t > lo && t < hi) {
                t = 0.5 * (lo + hi);
            }
            let ft = f(t);
            // The inversion itself is good to about 1e−8: closer than that is noise.
            if ft.abs() < 2e-8 {
                return t;
            }
            if ft < 0.0 {
                (lo, flo) = (t, ft);
                if kept == 1 {
                    fhi *= 0.5;
                }
                kept = 1;
            } else {
                (hi, fhi) = (t, ft);
                if kept == -1 {
                    flo *= 0.5;
                }
                kept = -1;
            }
        }
        0.5 * (lo + hi)
    }

    /// Approximate p-quantile (seconds), to about 0.01 %.
    pub fn quantile_fast(&self, p: f64) -> f64 {
        self.quantiles_fast(&[p])[0]
    }

    /// Approximate quantiles for several p at once: each class's gamma fit is computed once, and each search is
    /// bracketed by the classes' own closed-form quantiles (a mixture's quantile lies between them).
    pub fn quantiles_fast(&self, ps: &[f64]) -> Vec<f64> {
        let total = self.total_weight();
        let fits: Vec<Fit> = self.classes.iter().filter(|c| c.weight > 0.0).map(|c| Fit::of(c, total)).collect();
        ps.iter()
            .map(|&p| {
                if fits.is_empty() {
                    return 0.0;
                }
                let z = normal_quantile(p);
                let (mut lo, mut hi) = fits.iter().fold((f64::INFINITY, 0.0f64), |(lo, hi), f| {
                    let q = f.quantile(z);
                    (lo.min(q), hi.max(q))
                });
                let cdf = |t: f64| fits.iter().map(|f| f.weight * f.cdf(t)).sum::<f64>();
                lo = (lo * 0.999).max(0.0);
                hi = hi * 1.001 + 1e-12;
                for _ in 0..40 {
                    if hi - lo <= 1e-4 * hi {
                        break;
                    }
                    let mid = 0.5 * (lo + hi);
                    if cdf(mid) < p {
                        lo = mid;
                    } else {
                        hi = mid;
                    }
                }
                0.5 * (lo + hi)
            })
            .collect()
    }
}

/// A class's shifted-gamma fit, ready for repeated evaluation.
struct Fit {
    weight: f64,
    delay: f64,
    /// k·θ, the gamma's mean, and v = 1/(9k); `pure` classes are a fixed delay.
    scale: f64,
    v: f64,
    pure: bool,
}

impl Fit {
    fn of(c: &Class, total: f64) -> Fit {
        let mean = c.mean() - c.delay;
        let var = c.variance();
        let pure = mean <= 0.0 || var <= 0.0;
        let k = if pure { 1.0 } else { mean * mean / var };
        Fit { weight: c.weight / total, delay: c.delay, scale: mean.max(0.0), v: 1.0 / (9.0 * k), pure }
    }
    fn cdf(&self, t: f64) -> f64 {
        let x = t - self.delay;
        if x <= 0.0 {
            return 0.0;
        }
        if self.pure {
            return 1.0;
        }
        normal_cdf((libm::cbrt(x / self.scale) - (1.0 - self.v)) / self.v.sqrt())
    }
    /// Wilson–Hilferty quantile for standard-normal quantile `z`.
    fn quantile(&self, z: f64) -> f64 {
        if self.pure {
            return self.delay;
        }
        let r = (1.0 - self.v + z * self.v.sqrt()).max(0.0);
        self.delay + self.scale * r * r * r
    }
}

/// Standard normal quantile (Acklam's rational approximation, relative error < 1.2e−9).
fn normal_quantile(p: f64) -> f64 {
    let p = p.clamp(1e-12, 1.0 - 1e-12);
    const A: [f64; 6] =
        [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.383_577_518_672_69e2, -3.066479806614716e1, 2.506628277459239];
    const B: [f64; 5] = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
    const C: [f64; 6] =
        [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
    const D: [f64; 4] = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
    let tail = |q: f64| {
        (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5]) / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    };
    if p < 0.02425 {
        tail((-2.0 * libm::log(p)).sqrt())
    } else if p > 1.0 - 0.02425 {
        -tail((-2.0 * libm::log(1.0 - p)).sqrt())
    } else {
        let q = p - 0.5;
        let r = q * q;
        (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
            / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
    }
}

/// Standard normal CDF.
fn normal_cdf(z: f64) -> f64 {
    0.5 * erfc(-z / std::f64::consts::SQRT_2)
}

/// Complementary error function (Numerical Recipes' Chebyshev fit, relative error < 1.2e−7).
fn erfc(x: f64) -> f64 {
    let z = x.abs();
    let t = 1.0 / (1.0 + 0.5 * z);
    let r = t * libm::exp(
        -z * z - 1.265_512_23
            + t * (1.000_023_68
                + t * (0.374_091_96
                    + t * (0.096_784_18
                        + t * (-0.186_288_06
                            + t * (0.278_868_07 + t * (-1.135_203_98 + t * (1.488_515_87 + t * (-0.822_152_23 + t * 0.170_872_77)))))))),
    );
    if x >= 0.0 {
        r
    } else {
        2.0 - r
    }
}

/// A complex number, just enough for the inversion.
#[derive(Clone, Copy, Debug)]
struct C(f64, f64);

impl C {
    fn add(self, o: C) -> C {
        C(self.0 + o.0, self.1 + o.1)
    }
    fn mul(self, o: C) -> C {
        C(self.0 * o.0 - self.1 * o.1, self.0 * o.1 + self.1 * o.0)
    }
    fn div(self, o: C) -> C {
        let d = o.0 * o.0 + o.1 * o.1;
        C((self.0 * o.0 + self.1 * o.1) / d, (self.1 * o.0 - self.0 * o.1) / d)
    }
    fn scale(self, k: f64) -> C {
        C(self.0 * k, self.1 * k)
    }
    /// z^n by repeated squaring.
    fn powi(self, mut n: u32) -> C {
        let (mut base, mut out) = (self, C(1.0, 0.0));
        while n > 0 {
            if n & 1 == 1 {
                out = out.mul(C(base.0, base.1));
            }
            base = C(base.0 * base.0 - base.1 * base.1, 2.0 * base.0 * base.1);
            n >>= 1;
        }
        out
    }
}

/// Laplace transform at `s` of the Erlang mixture with mean `mean` and squared coefficient of variation 1/k
/// (see [`erlang_mix`]); an exponential for k = 1, the common case, without the mixture's arithmetic.
fn erlang_mix_transform(mean: f64, k: f64, s: C) -> C {
    if k <= 1.0 {
        let mu = 1.0 / mean;
        return C(mu, 0.0).div(C(mu + s.0, s.1));
    }
    let (n, p) = erlang_mix(k);
    let mu = (n as f64 - p) / mean;
    let z = C(mu, 0.0).div(C(mu + s.0, s.1));
    let below = z.powi(n - 1);
    below.scale(p).add(below.mul(z).scale(1.0 - p))
}

/// Tijms' two-moment fit of a distribution with squared coefficient of variation 1/k (k ≥ 1): with probability
/// p an Erlang(n−1), otherwise an Erlang(n), both with the same rate. Returns (n, p).
fn erlang_mix(k: f64) -> (u32, f64) {
    let n = k.ceil().max(1.0);
    if n <= 1.0 {
        return (1, 0.0);
    }
    let cv2 = 1.0 / k;
    let p = (n * cv2 - (n * (1.0 + cv2) - n * n * cv2).max(0.0).sqrt()) / (1.0 + cv2);
    (n as u32, p.clamp(0.0, 1.0))
}

/// P(W > t) for a gamma wait of mean `mean` and shape `k` (exact for k = 1, Wilson–Hilferty otherwise).
pub fn gamma_survival(t: f64, mean: f64, k: f64) -> f64 {
    if mean <= 0.0 {
        return 0.0;
    }
    let k = if k.is_finite() { k.clamp(1.0, MAX_WAIT_SHAPE) } else { 1.0 };
    if k == 1.0 {
        return libm::exp(-t / mean);
    }
    let v = 1.0 / (9.0 * k);
    1.0 - normal_cdf((libm::cbrt(t / mean) - (1.0 - v)) / v.sqrt())
}

/// CDF at `t` of a distribution with Laplace transform `lt`, by the Euler algorithm (Abate & Whitt 1995)
/// applied to F̂(s) = lt(s)/s.
fn euler_cdf(t: f64, lt: impl Fn(C) -> C) -> f64 {
    const A: f64 = 18.4; // discretisation error about e^−A
    const N: usize = 15; // terms before Euler summation
    const M: usize = 11; // binomial averaging terms
    let f = |s: C| lt(s).div(s);
    let x = A / (2.0 * t);
    let h = PI / t;
    let mut partial = Vec::with_capacity(N + M + 1);
    let mut sum = f(C(x, 0.0)).0 / 2.0;
    for k in 1..=(N + M) {
        let term = f(C(x, k as f64 * h)).0;
        sum += if k % 2 == 0 { term } else { -term };
        if k >= N {
            partial.push(sum);
        }
    }
    // Binomial (Euler) averaging of the last M+1 partial sums.
    let mut avg = 0.0;
    let mut binom = 1.0;
    for (j, s) in partial.iter().enumerate() {
        if j > 0 {
            binom *= (M + 1 - j) as f64 / j as f64;
        }
        avg += binom * s;
    }
    avg /= libm::pow(2.0, f64::from(M as i32));
    libm::exp(A / 2.0) / t * avg
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::queueing::Mmc;

    fn mmc_class(q: &Mmc) -> Class {
        let c = q.p_wait();
        Class {
            weight: 1.0,
            delay: 0.0,
            visits: vec![Visit {
                p_wait: c,
                wait_mean: 1.0 / (q.c as f64 * q.mu - q.lambda),
                service_mean: 1.0 / q.mu,
                wait_shape: 1.0,
                service_shape: 1.0,
            }],
        }
    }

    #[test]
    fn exact_quantiles_match_mmc_closed_forms() {
        for q in [Mmc::new(1, 0.5, 1.0), Mmc::new(1, 0.9, 1.0), Mmc::new(8, 6.4, 1.0), Mmc::new(4, 1.0, 1.0)] {
            let mix = Mixture { classes: vec![mmc_class(&q)] };
            for p in [0.5, 0.95, 0.99] {
                let want = q.response_quantile(p);
                let got = mix.quantile(p);
                assert!((got - want).abs() < 1e-4 * want, "{q:?} p{p}: {got} vs {want}");
            }
            assert!((mix.mean() - q.mean_response()).abs() < 1e-12);
        }
    }

    #[test]
    fn fast_quantiles_stay_within_ten_percent_of_exact() {
        let a = mmc_class(&Mmc::new(2, 1.6, 1.0));
        let mut b = mmc_class(&Mmc::new(4, 2.0, 10.0));
        b.delay = 0.03;
        let mix =
            Mixture { classes: vec![a.clone(), Class { weight: 2.0, visits: [a.visits.clone(), b.visits.clone()].concat(), delay: 0.03 }] };
        for p in [0.5, 0.95, 0.99] {
            let (exact, fast) = (mix.quantile(p), mix.quantile_fast(p));
            assert!((fast - exact).abs() < 0.1 * exact, "p{p}: fast {fast} vs exact {exact}");
        }
    }

    #[test]
    fn batched_fast_quantiles_match_single_ones() {
        let a = mmc_class(&Mmc::new(2, 1.6, 1.0));
        let mix = Mixture { classes: vec![a.clone(), Class { weight: 3.0, delay: 0.01, visits: a.visits.clone() }] };
        let batch = mix.quantiles_fast(&[0.5, 0.99]);
        for (p, q) in [(0.5, batch[0]), (0.99, batch[1])] {
            let exact = mix.quantile(p);
            assert!((q - exact).abs() < 0.1 * exact, "p{p}: {q} vs {exact}");
            assert!((mix.cdf_fast(q) - p).abs() < 1e-3);
        }
        assert!((normal_quantile(0.99) - 2.326_347_874).abs() < 1e-8);
    }

    #[test]
    fn erlang_mixture_waits_keep_the_gammas_two_moments() {
        for k in [1.0, 1.3, 2.0, 2.5, 7.9, 50.0] {
            let (n, p) = erlang_mix(k);
            let mean = 1.0; // wait mean; common rate mu = (n − p)/mean
            let mu = (n as f64 - p) / mean;
            let m1 = (n as f64 - p) / mu;
            // E[X²] of Erlang(j, mu) is j(j+1)/mu²
            let m2 = (p * ((n - 1) * n) as f64 + (1.0 - p) * (n * (n + 1)) as f64) / (mu * mu);
            let cv2 = m2 / (m1 * m1) - 1.0;
            assert!((m1 - mean).abs() < 1e-12 && (cv2 - 1.0 / k).abs() < 1e-9, "k {k}: mean {m1}, cv² {cv2}");
        }
        // A whole shape is exactly Erlang: compare the inverted CDF with the closed form.
        let v = Visit { p_wait: 1.0, wait_mean: 0.3, service_mean: 0.0, wait_shape: 3.0, service_shape: 1.0 };
        let mix = Mixture { classes: vec![Class { weight: 1.0, delay: 0.0, visits: vec![v] }] };
        let rate = 3.0 / 0.3;
        for t in [0.05, 0.2, 0.3, 0.6, 1.2] {
            let x: f64 = rate * t;
            let want = 1.0 - libm::exp(-x) * (1.0 + x + x * x / 2.0);
            assert!((mix.cdf(t) - want).abs() < 1e-6, "t {t}: {} against {want}", mix.cdf(t));
        }
    }

    /// Plain bisection on the exact CDF: slow, but obviously right.
    fn bisect(mix: &Mixture, p: f64) -> f64 {
        let (mut lo, mut hi) = (0.0, 1e3);
        for _ in 0..200 {
            let mid = 0.5 * (lo + hi);
            if mix.cdf(mid) < p {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        0.5 * (lo + hi)
    }

    #[test]
    fn the_bracketed_search_finds_the_same_quantiles_as_bisection() {
        let gamma = |p_wait, wait_mean, wait_shape| Visit { p_wait, wait_mean, service_mean: 0.004, wait_shape, service_shape: 1.0 };
        let mixtures = [
            Mixture { classes: vec![mmc_class(&Mmc::new(1, 0.95, 1.0))] },
            Mixture {
                classes: vec![
                    Class { weight: 0.7, delay: 0.002, visits: vec![] },
                    Class { weight: 0.3, delay: 0.03, visits: vec![gamma(0.6, 0.05, 8.0), gamma(0.2, 0.01, 1.0)] },
                ],
            },
            Mixture {
                classes: vec![
                    Class { weight: 0.98, delay: 0.0, visits: vec![gamma(0.99, 2.0, 50.0)] },
                    Class { weight: 0.02, delay: 0.2, visits: vec![gamma(0.0, 0.0, 1.0)] },
                ],
            },
        ];
        for mix in &mixtures {
            let got = mix.quantiles(&[0.5, 0.95, 0.99]);
            for (p, q) in [0.5, 0.95, 0.99].into_iter().zip(got) {
                let want = bisect(mix, p);
                assert!((q - want).abs() <= 1e-6 * want.max(1e-3), "p{p}: {q} against {want}");
            }
        }
    }

    #[test]
    fn a_pure_delay_class_is_a_step() {
        let mix = Mixture { classes: vec![Class { weight: 1.0, delay: 0.005, visits: vec![] }] };
        assert_eq!(mix.cdf(0.004), 0.0);
        assert_eq!(mix.cdf(0.006), 1.0);
        assert!((mix.quantile(0.99) - 0.005).abs() < 1e-6);
    }
}
