//! TTL caches over Zipf-popular keys: the hit ratio comes from the TTL, the per-key request rates and the key
//! popularity, never from a fixed knob.
//!
//! Cache-aside with Redis sets a key with `EX ttl` on a miss and does not refresh it on a hit, so key i, read at
//! rate λᵢ, hits with probability hᵢ = λᵢT / (1 + λᵢT) (Jung, Berger & Balakrishnan, INFOCOM 2003). The overall
//! hit ratio is H = Σ pᵢhᵢ. Hits on an entry are spread evenly over its lifetime, so with writes to key i at rate
//! ω a hit returns stale data with probability 1 − (1 − e^{−ωT}) / (ωT). Reads follow the Zipf popularity;
//! writes (new rows, edits) land on keys uniformly, ω = W / N, so a hot key is read often but written no more
//! than any other.
//!
//! Sums over up to 10⁷ keys are taken over [`Popularity`] groups: the 1,024 hottest keys one by one, the tail in
//! geometric groups 2 % wide, so each evaluation costs about 1,500 terms whatever the key count.

use serde::{Deserialize, Serialize};

/// Keys summed one by one before grouping starts.
const EXACT_KEYS: u64 = 1_024;
/// Width ratio of the tail groups.
const GROUP_RATIO: f64 = 1.02;

/// Zipf popularity over `keys` keys with exponent `alpha`, as groups of keys of (almost) equal probability.
#[derive(Clone, Debug, PartialEq)]
pub struct Popularity {
    /// Zipf exponent.
    pub alpha: f64,
    /// Number of keys.
    pub keys: u64,
    /// (number of keys in the group, probability of one key in it); probabilities sum to 1.
    groups: Vec<(f64, f64)>,
}

impl Popularity {
    /// Popularity of `keys` keys (at least 1) under Zipf exponent `alpha` (0 = uniform).
    pub fn new(alpha: f64, keys: u64) -> Self {
        let keys = keys.max(1);
        let mut groups = Vec::new();
        let mut i = 1u64;
        while i <= keys.min(EXACT_KEYS) {
            groups.push((1.0, libm::pow(i as f64, -alpha)));
            i += 1;
        }
        while i <= keys {
            let end = (((i as f64) * GROUP_RATIO).ceil() as u64).clamp(i + 1, keys + 1);
            let count = (end - i) as f64;
            // Mean weight over the group, from the integral of x^−α.
            let (a, b) = (i as f64 - 0.5, end as f64 - 0.5);
            let w = if (alpha - 1.0).abs() < 1e-9 {
                libm::log(b / a) / count
            } else {
                (libm::pow(b, 1.0 - alpha) - libm::pow(a, 1.0 - alpha)) / ((1.0 - alpha) * count)
            };
            groups.push((count, w));
            i = end;
        }
        let total: f64 = groups.iter().map(|(n, w)| n * w).sum();
        for g in groups.iter_mut() {
            g.1 /= total;
        }
        Popularity { alpha, keys, groups }
    }

    /// Probability of the hottest key.
    pub fn top_share(&self) -> f64 {
        self.groups[0].1
    }

    /// Share of requests that go to the hottest `fraction` of keys.
    pub fn share_of_top(&self, fraction: f64) -> f64 {
        let limit = (self.keys as f64 * fraction).max(1.0);
        let mut seen = 0.0;
        let mut share = 0.0;
        for &(n, p) in &self.groups {
            let take = n.min(limit - seen);
            if take <= 0.0 {
                break;
            }
            share += take * p;
            seen += take;
        }
        share
    }

    /// Share of `rate` requests per second in all that exceed `limit` per second per key (per user, when the
    /// "keys" are users): what a per-client rate limit turns away.
    pub fn excess_share(&self, rate: f64, limit: f64) -> f64 {
        if rate <= 0.0 {
            return 0.0;
        }
        let over: f64 = self.groups.iter().map(|&(n, p)| n * (rate * p - limit).max(0.0)).sum();
        (over / rate).clamp(0.0, 1.0)
    }

    /// Extra misses, as a share of reads, from a cache stampede between `age` and `age + dt` seconds after a
    /// flush: each key's first miss takes `fill_s` to fill, and reads of that key arriving meanwhile miss too.
    /// Key i's first miss falls in the interval with probability e^(−λᵢ·age) − e^(−λᵢ·(age+dt)) and drags
    /// λᵢ·fill_s more misses, so the share of the interval's R·dt reads is fill_s·Σ pᵢ·(that probability) / dt.
    pub fn stampede_share(&self, read_rate: f64, age: f64, dt: f64, fill_s: f64) -> f64 {
        let r = read_rate.max(0.0);
        let (a, dt) = (age.max(0.0), dt.max(1e-9));
        let first = self.weighted_sum(|p| libm::exp(-r * p * a) - libm::exp(-r * p * (a + dt)));
        (fill_s.max(0.0) * first / dt).clamp(0.0, 1.0)
    }

    /// Σ over keys of pᵢ·f(pᵢ).
    fn weighted_sum(&self, f: impl Fn(f64) -> f64) -> f64 {
        self.groups.iter().map(|&(n, p)| n * p * f(p)).sum()
    }

    /// Hit ratio of a no-refresh TTL cache read at `read_rate` per second in all, with TTL `ttl` seconds.
    pub fn ttl_hit_ratio(&self, read_rate: f64, ttl: f64) -> f64 {
        let x = (read_rate * ttl).max(0.0);
        self.weighted_sum(|p| p * x / (1.0 + p * x)).clamp(0.0, 1.0)
    }

    /// The reads-per-TTL product (read rate × TTL) at which the hit ratio is `hit`: the inverse of
    /// [`Popularity::ttl_hit_ratio`], found by bisection over 16 decades. A TTL that gives hit ratio `h` at read
    /// rate `r` becomes one that gives `hit` when multiplied by `reads_per_ttl(hit) / reads_per_ttl(h)`.
    pub fn reads_per_ttl(&self, hit: f64) -> f64 {
        let (mut lo, mut hi) = (-3.0f64, 13.0f64);
        for _ in 0..50 {
            let mid = (lo + hi) / 2.0;
            if self.ttl_hit_ratio(libm::pow(10.0, mid), 1.0) < hit {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        libm::pow(10.0, hi)
    }

    /// Hit ratio `age` seconds after the cache was emptied: key i misses until its first read after the flush
    /// (probability e^{−λᵢ·age} that none came yet), then hits at its steady-state rate — an approximation that
    /// reaches the steady state as every key is read again.
    pub fn ttl_hit_ratio_warming(&self, read_rate: f64, ttl: f64, age: f64) -> f64 {
        let x = (read_rate * ttl).max(0.0);
        let r = (read_rate * age.max(0.0)).max(0.0);
        self.weighted_sum(|p| p * x / (1.0 + p * x) * (1.0 - libm::exp(-p * r))).clamp(0.0, 1.0)
    }

    /// Share of all reads that are stale hits, when writes arrive at `write_rate` per second spread evenly over
    /// the keys and do not invalidate the cache.
    pub fn ttl_stale_share(&self, read_rate: f64, write_rate: f64, ttl: f64) -> f64 {
        let wt = (write_rate / self.keys as f64 * ttl).max(0.0);
        let stale = if wt < 1e-6 { wt / 2.0 } else { 1.0 - (1.0 - libm::exp(-wt)) / wt };
        (self.ttl_hit_ratio(read_rate, ttl) * stale).clamp(0.0, 1.0)
    }

    /// Standard deviation of the stale-read share that one run of `duration_s` seconds measures around
    /// [`Popularity::ttl_stale_share`]. Stale reads come in episodes: a write to key i (rate ω = W / N) that finds
    /// a copy cached (probability hᵢ) turns the reads of that copy's remaining life stale — a Poisson number with
    /// mean λᵢT/2 and second moment λᵢT/2 + λᵢ²T²/3, the remaining life being uniform over [0, T]. Episodes are
    /// independent, so the stale count over D seconds has variance D·Σ ω hᵢ (λᵢT/2 + λᵢ²T²/3) (compound Poisson),
    /// and the share the square root of it over the D·R reads. The hottest keys' rare episodes dominate: a run's
    /// share is usually under the average and now and then far over it.
    pub fn ttl_stale_spread(&self, read_rate: f64, write_rate: f64, ttl: f64, duration_s: f64) -> f64 {
        let (r, t, d) = (read_rate.max(0.0), ttl.max(0.0), duration_s.max(0.0));
        if r <= 0.0 || t <= 0.0 || d <= 0.0 {
            return 0.0;
        }
        let omega = write_rate.max(0.0) / self.keys.max(1) as f64;
        // Σ over keys of ω hᵢ (λᵢT/2 + λᵢ²T²/3), as a popularity-weighted sum (each term divided by its pᵢ).
        let per_key = |p: f64| {
            let x = p * r * t;
            omega * x / (1.0 + x) * (x / 2.0 + x * x / 3.0) / p
        };
        libm::sqrt(d * self.weighted_sum(per_key)) / (d * r)
    }

    /// Expected number of keys held in a no-refresh TTL cache (Σ hᵢ): what its memory must hold.
    pub fn ttl_keys_held(&self, read_rate: f64, ttl: f64) -> f64 {
        let x = (read_rate * ttl).max(0.0);
        self.groups.iter().map(|&(n, p)| n * p * x / (1.0 + p * x)).sum()
    }

    /// Share of reads served stale by a replica whose lag is `base` seconds plus an exponential delay with
    /// rate `decay` (an M/M/1 apply queue), when writes arrive at `write_rate` spread evenly over the keys:
    /// 1 − E[e^{−ωL}] with ω = W / N.
    pub fn lagged_stale_share(&self, write_rate: f64, base: f64, decay: f64) -> f64 {
        let w = write_rate / self.keys as f64;
        let fresh = libm::exp(-w * base) * if decay.is_finite() { decay / (decay + w) } else { 0.0 };
        (1.0 - fresh).clamp(0.0, 1.0)
    }
}

/// A cache's hit and stale-read behaviour as a function of its read rate, tabulated once so the aggregate
/// engine's per-step cost does not depend on the key count.
#[derive(Clone, Debug)]
pub struct TtlCurve {
    /// log10 of read_rate × ttl at the first table point.
    lo: f64,
    /// Table step in log10 units.
    step: f64,
    /// (hit ratio, stale share) at each point.
    table: Vec<(f64, f64)>,
}

impl TtlCurve {
    /// Tabulates `pop` with writes arriving at `writes_per_read` writes for each read.
    pub fn new(pop: &Popularity, writes_per_read: f64) -> Self {
        let (lo, hi, n) = (-3.0, 13.0, 321);
        let step = (hi - lo) / (n - 1) as f64;
        let table = (0..n)
            .map(|k| {
                let x = libm::pow(10.0, lo + step * k as f64);
                let hit = pop.ttl_hit_ratio(x, 1.0);
                let wt = x * writes_per_read / pop.keys as f64;
                let stale = if wt < 1e-6 { wt / 2.0 } else { 1.0 - (1.0 - libm::exp(-wt)) / wt };
                (hit, hit * stale)
            })
            .collect();
        TtlCurve { lo, step, table }
    }

    /// (hit ratio, stale share of reads) at `read_rate` per second with TTL `ttl` seconds.
    pub fn at(&self, read_rate: f64, ttl: f64) -> (f64, f64) {
        let x = read_rate * ttl;
        if x.is_nan() || x <= 0.0 {
            return (0.0, 0.0);
        }
        let pos = ((libm::log10(x) - self.lo) / self.step).clamp(0.0, (self.table.len() - 1) as f64);
        let i = (pos.floor() as usize).min(self.table.len() - 2);
        let f = pos - i as f64;
        let (a, b) = (self.table[i], self.table[i + 1]);
        (a.0 + f * (b.0 - a.0), a.1 + f * (b.1 - a.1))
    }
}

/// A CDN in front of the origin for static assets.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CdnModel {
    /// Distinct static assets (bundles, images, icons).
    pub assets: u64,
    /// Zipf exponent of asset popularity.
    pub alpha: f64,
    /// Edge locations traffic is spread over; each keeps its own copy.
    pub edges: u32,
}

impl Default for CdnModel {
    fn default() -> Self {
        CdnModel { assets: 2_000, alpha: 1.0, edges: 20 }
    }
}

impl CdnModel {
    /// Hit ratio of the CDN for `static_rps` requests per second of static assets cached for `ttl` seconds.
    pub fn hit_ratio(&self, static_rps: f64, ttl: f64) -> f64 {
        let per_edge = static_rps / self.edges.max(1) as f64;
        Popularity::new(self.alpha, self.assets).ttl_hit_ratio(per_edge, ttl)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The same sums taken key by key, for checking the grouping.
    fn exact_hit(alpha: f64, keys: u64, x: f64) -> f64 {
        let z: f64 = (1..=keys).map(|i| libm::pow(i as f64, -alpha)).sum();
        (1..=keys)
            .map(|i| {
                let p = libm::pow(i as f64, -alpha) / z;
                p * p * x / (1.0 + p * x)
            })
            .sum()
    }

    #[test]
    fn grouped_sums_match_key_by_key_sums() {
        for &(alpha, keys) in &[(0.9, 200_000u64), (1.2, 50_000), (0.0, 30_000)] {
            let pop = Popularity::new(alpha, keys);
            for &x in &[10.0, 1e3, 1e5, 1e7] {
                let grouped = pop.ttl_hit_ratio(x, 1.0);
                let exact = exact_hit(alpha, keys, x);
                assert!((grouped - exact).abs() < 2e-4, "α={alpha} N={keys} x={x}: {grouped} vs {exact}");
            }
        }
    }

    #[test]
    fn cache_hit_ratio_grows_with_ttl() {
        let pop = Popularity::new(0.9, 100_000);
        let mut last = 0.0;
        for ttl in [1.0, 10.0, 60.0, 300.0, 3_600.0] {
            let h = pop.ttl_hit_ratio(1_000.0, ttl);
            assert!(h > last, "ttl {ttl}: {h} should exceed {last}");
            last = h;
        }
    }

    #[test]
    fn uniform_popularity_has_the_single_key_formula() {
        // With one key, h = λT / (1 + λT).
        let pop = Popularity::new(0.0, 1);
        assert!((pop.ttl_hit_ratio(2.0, 3.0) - 6.0 / 7.0).abs() < 1e-12);
    }

    #[test]
    fn a_runs_stale_spread_shrinks_with_its_length_and_vanishes_without_writes() {
        let pop = Popularity::new(0.99, 20_000);
        assert_eq!(pop.ttl_stale_spread(70.0, 0.0, 60.0, 1_000.0), 0.0);
        let short = pop.ttl_stale_spread(70.0, 7.0, 60.0, 1_000.0);
        let long = pop.ttl_stale_spread(70.0, 7.0, 60.0, 4_000.0);
        assert!((short / long - 2.0).abs() < 1e-9, "1/√D: {short} vs {long}");
        // Hot keys make it wide: more than a quarter of the share itself over a thousand seconds here.
        assert!(short > 0.25 * pop.ttl_stale_share(70.0, 7.0, 60.0), "{short}");
    }

    #[test]
    fn stale_share_vanishes_without_writes_and_grows_with_ttl() {
        let pop = Popularity::new(0.9, 10_000);
        assert!(pop.ttl_stale_share(1_000.0, 0.0, 60.0) < 1e-12);
        assert!(pop.ttl_stale_share(1_000.0, 100.0, 300.0) > pop.ttl_stale_share(1_000.0, 100.0, 10.0));
    }

    #[test]
    fn curve_interpolates_the_direct_sum() {
        let pop = Popularity::new(0.9, 100_000);
        let curve = TtlCurve::new(&pop, 0.1);
        for &(rate, ttl) in &[(3.0, 60.0), (777.0, 60.0), (12_345.0, 300.0), (1e6, 5.0)] {
            let (h, s) = curve.at(rate, ttl);
            assert!((h - pop.ttl_hit_ratio(rate, ttl)).abs() < 2e-3);
            assert!((s - pop.ttl_stale_share(rate, rate * 0.1, ttl)).abs() < 2e-3);
        }
    }

    #[test]
    fn zipf_top_fifth_draws_most_reads() {
        // Seed 001: about 80 % of reads go to the same hot rows.
        let pop = Popularity::new(0.9, 100_000);
        let share = pop.share_of_top(0.2);
        assert!(share > 0.75 && share < 0.9, "top 20 % of keys draw {share:.3} of reads");
    }
}
