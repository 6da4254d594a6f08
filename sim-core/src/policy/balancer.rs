//! The load balancer's choice of app server (seed 001): round-robin takes servers in turn, least-connections the
//! one with the fewest requests in it; sticky sessions pin each user to one server by a hash of the user. The
//! request-level engine picks per request with [`Balancer::pick`]; the aggregate engine needs only what the
//! choice does to each server's arrivals, [`arrival_scv`].

use crate::scenario::LbAlgorithm;

/// Where a round-robin balancer stands.
#[derive(Clone, Copy, Debug, Default)]
pub struct Balancer {
    last: usize,
}

impl Balancer {
    /// The position (of `n` > 0 servers) the next request goes to; `in_system(i)` counts requests at server `i`.
    pub fn pick(&mut self, algo: LbAlgorithm, n: usize, in_system: impl Fn(usize) -> u32) -> usize {
        match algo {
            LbAlgorithm::RoundRobin => {
                self.last = (self.last + 1) % n;
                self.last
            }
            LbAlgorithm::LeastConnections => (0..n).min_by_key(|&i| in_system(i)).unwrap_or(0),
        }
    }
}

/// Squared coefficient of variation of the gaps between arrivals at one of `n` servers: round-robin hands each
/// server every n-th arrival of a Poisson stream (Erlang-n gaps, 1/n); sticky and least-connections do not smooth
/// the stream (1).
pub fn arrival_scv(algo: LbAlgorithm, n: usize, sticky: bool) -> f64 {
    if n > 1 && !sticky && algo == LbAlgorithm::RoundRobin {
        1.0 / n as f64
    } else {
        1.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_robin_takes_servers_in_turn() {
        let mut b = Balancer::default();
        let order: Vec<usize> = (0..6).map(|_| b.pick(LbAlgorithm::RoundRobin, 3, |_| 0)).collect();
        assert_eq!(order, [1, 2, 0, 1, 2, 0]);
    }

    #[test]
    fn least_connections_takes_the_emptiest() {
        let load = [5, 2, 7];
        assert_eq!(Balancer::default().pick(LbAlgorithm::LeastConnections, 3, |i| load[i]), 1);
    }

    #[test]
    fn only_round_robin_without_stickiness_smooths_arrivals() {
        assert_eq!(arrival_scv(LbAlgorithm::RoundRobin, 4, false), 0.25);
        assert_eq!(arrival_scv(LbAlgorithm::RoundRobin, 4, true), 1.0);
        assert_eq!(arrival_scv(LbAlgorithm::LeastConnections, 4, false), 1.0);
        assert_eq!(arrival_scv(LbAlgorithm::RoundRobin, 1, false), 1.0);
    }
}
