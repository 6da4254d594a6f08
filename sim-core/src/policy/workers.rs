//! The worker pool's scale-on-depth rule: enough workers to run the jobs arriving at 70 % busy and to drain what
//! waits within two minutes, between the configured pool and its maximum.

/// Busy share the pool is sized for.
pub const TARGET_BUSY: f64 = 0.7;
/// Seconds within which the backlog should drain.
pub const DRAIN_S: f64 = 120.0;

/// Workers for `arrivals` jobs per second of `job_s` seconds each with `backlog` jobs waiting, between `min`
/// and `max` (a `max` below `min` means a fixed pool of `min`).
pub fn pool_size(arrivals: f64, backlog: f64, job_s: f64, min: u32, max: u32) -> u32 {
    ((arrivals * job_s / TARGET_BUSY + backlog * job_s / DRAIN_S).ceil() as u32).clamp(min, max.max(min))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pool_runs_arrivals_at_seventy_percent_and_drains_the_backlog_in_two_minutes() {
        assert_eq!(pool_size(70.0, 0.0, 0.1, 1, 100), 10);
        assert_eq!(pool_size(70.0, 1_200.0, 0.1, 1, 100), 11);
        assert_eq!(pool_size(7_000.0, 0.0, 0.1, 1, 100), 100, "held at the maximum");
        assert_eq!(pool_size(0.0, 0.0, 0.1, 4, 100), 4, "held at the configured pool");
        assert_eq!(pool_size(70.0, 0.0, 0.1, 4, 2), 4, "a maximum below the pool is a fixed pool");
    }
}
