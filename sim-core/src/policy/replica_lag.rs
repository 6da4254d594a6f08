//! Replica-lag cut-off (seed 001: read replicas and their lag): a replica whose lag passes the limit stops taking
//! reads, and takes them again once the lag is back under half the limit, so it does not flap at the edge.

/// Whether a replica takes reads now, given whether it did (`serving`), its lag and the limit (any one unit).
pub fn serving(serving: bool, lag: f64, max_lag: f64) -> bool {
    if lag > max_lag {
        false
    } else if lag < max_lag / 2.0 {
        true
    } else {
        serving
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lagging_replica_leaves_above_the_limit_and_returns_below_half_of_it() {
        assert!(!serving(true, 6.0, 5.0));
        assert!(!serving(false, 3.0, 5.0), "between half and the limit it stays out");
        assert!(serving(true, 3.0, 5.0), "between half and the limit it stays in");
        assert!(serving(false, 2.4, 5.0));
    }
}
