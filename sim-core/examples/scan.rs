//! Prints the aggregate engine's steady-state summary for every stage of the built-in journey at a range of
//! loads: a quick way to see where each stage breaks.
//!
//! ```text
//! cargo run -p sim-core --release --example scan
//! ```
use sim_core::fluid::{run, FluidOptions};
use sim_core::scenario::{Scenario, STAGES, STAGE_NAMES};

fn main() {
    for stage in 1..=STAGES {
        println!("stage {stage}: {}", STAGE_NAMES[stage as usize - 1]);
        for users in [100, 1_000, 3_000, 10_000, 30_000, 100_000, 300_000, 1_000_000] {
            let mut s = Scenario::stage(stage).with_users(users);
            s.duration_s = 120.0;
            let r = run(&s, FluidOptions::default()).summary;
            let hot =
                r.utilization.iter().max_by(|a, b| a.1.total_cmp(b.1)).map(|(k, v)| format!("{k} {:.0}%", v * 100.0)).unwrap_or_default();
            println!(
                "  {users:>9} users {:>9.0} rps  err {:>5.1}%  mean {:>7.1} ms  p99 {:>8.1} ms  hit {:>4.0}%  lag {:>6.0} ms  stale {:>5.2}%  hottest {hot}  ${:.0}/mo",
                r.offered_rps, r.error_rate * 100.0, r.latency_ms.mean, r.latency_ms.p99, r.cache_hit_rate * 100.0,
                r.replication_lag_ms, r.stale_read_rate * 100.0, r.cost_usd_per_month
            );
        }
    }
}
