//! The M/M/c/K steady states tabulated over the load ρ, one table per station size (c, K), so the aggregate engine
//! reads a station's figures in O(1) per step. Engine-neutral: a [`crate::model::Topology`] builds and holds them
//! (shared between clones and reused when a recompiled topology keeps a station size); the formulas are
//! [`crate::queueing::mmck`]'s.

use crate::queueing::mmck;

/// M/M/c/K steady state tabulated over ρ for one (c, K), so a step costs O(1) per station.
#[derive(Clone, Debug)]
pub(crate) struct Table {
    /// Servers.
    pub(crate) c: u32,
    /// Most requests admitted (in service and queued).
    pub(crate) k: u32,
    /// Rows at ρ = i·STEP: (blocking, P(wait) of admitted, μ·Wq, mean number in system / c, gamma shape of the
    /// wait of those who wait).
    rows: Vec<[f64; 5]>,
}

const RHO_STEP: f64 = 1.0 / 256.0;
const RHO_MAX: f64 = 4.0;

impl Table {
    fn new(c: u32, k: u32) -> Table {
        let n = (RHO_MAX / RHO_STEP) as usize + 1;
        let rows = (0..n)
            .map(|i| {
                let rho = i as f64 * RHO_STEP;
                Self::exact(c, k, rho)
            })
            .collect();
        Table { c, k, rows }
    }

    /// The row at ρ computed directly (μ = 1).
    fn exact(c: u32, k: u32, rho: f64) -> [f64; 5] {
        let lambda = rho * c as f64;
        let r = mmck(c, k, lambda, 1.0);
        [r.blocking, r.p_wait, r.mean_wait, r.mean_in_system / c as f64, Self::wait_shape(c, k, rho)]
    }

    /// Gamma shape of the wait of an admitted arrival that waits in M/M/c/K at load ρ: finding j others queued
    /// (probability ∝ ρʲ, j = 0 … K − c − 1) it waits Erlang(j + 1, c), so the shape is E[W]²/Var[W] from
    /// Σρʲ(j+1) and Σρʲ(j+1)(j+2). Exponential (1) for an unbounded queue; large when the queue is nearly full.
    fn wait_shape(c: u32, k: u32, rho: f64) -> f64 {
        let n = k.saturating_sub(c) as usize;
        if n == 0 || rho <= 0.0 {
            return 1.0;
        }
        // Weights relative to the largest term, summed from the heavy end until they vanish.
        let (mut s0, mut s1, mut s2) = (0.0, 0.0, 0.0);
        let ratio = if rho <= 1.0 { rho } else { 1.0 / rho };
        let mut w = 1.0;
        for i in 0..n {
            let j = if rho <= 1.0 { i } else { n - 1 - i } as f64;
            s0 += w;
            s1 += w * (j + 1.0);
            s2 += w * (j + 1.0) * (j + 2.0);
            w *= ratio;
            if w < 1e-14 {
                break;
            }
        }
        let (m1, m2) = (s1 / s0, s2 / s0);
        let var = m2 - m1 * m1;
        if var <= 0.0 {
            crate::latency::MAX_WAIT_SHAPE
        } else {
            (m1 * m1 / var).clamp(1.0, crate::latency::MAX_WAIT_SHAPE)
        }
    }

    /// The row at load ρ, interpolated between the tabulated ones: (blocking, P(wait) of admitted, μ·Wq, mean
    /// number in system / c, gamma shape of the wait of those who wait).
    pub(crate) fn at(&self, rho: f64) -> [f64; 5] {
        if rho >= RHO_MAX {
            // Deep overload: the queue is full, servers always busy, and all but 1/ρ of arrivals are turned
            // away — the M/M/c/K limits, so the cost stays O(1) at any rate.
            let (c, k) = (self.c as f64, self.k as f64);
            return [1.0 - 1.0 / rho, 1.0, (k - c) / c, k / c, (k - c).clamp(1.0, crate::latency::MAX_WAIT_SHAPE)];
        }
        let pos = rho.max(0.0) / RHO_STEP;
        let i = (pos.floor() as usize).min(self.rows.len() - 2);
        let f = pos - i as f64;
        let (a, b) = (self.rows[i], self.rows[i + 1]);
        [0, 1, 2, 3, 4].map(|j| a[j] + f * (b[j] - a[j]))
    }
}

/// Tables shared by stations with the same (c, K); built when a topology is compiled.
#[derive(Clone, Debug, Default)]
pub struct Tables(Vec<Table>);

impl Tables {
    /// Tables for stations of the given sizes (c, K) (a topology's app, Redis, database and service stations),
    /// reusing those of `prev` that match.
    pub(crate) fn for_sizes(sizes: &[(u32, u32)], prev: Option<&Tables>) -> Tables {
        let mut t = Tables::default();
        for &(c, k) in sizes {
            match prev.and_then(|p| p.0.iter().find(|x| x.c == c && x.k == k)) {
                Some(table) => t.0.push(table.clone()),
                None => {
                    t.index(c, k);
                }
            }
        }
        t
    }

    /// Position of the (c, K) table, which [`Tables::for_sizes`] built.
    pub(crate) fn find(&self, c: u32, k: u32) -> usize {
        self.0.iter().position(|t| t.c == c && t.k == k).unwrap_or(0)
    }

    /// The table at position `i` (from [`Tables::find`]).
    pub(crate) fn get(&self, i: usize) -> &Table {
        &self.0[i]
    }

    fn index(&mut self, c: u32, k: u32) -> usize {
        if let Some(i) = self.0.iter().position(|t| t.c == c && t.k == k) {
            return i;
        }
        self.0.push(Table::new(c, k));
        self.0.len() - 1
    }
}
