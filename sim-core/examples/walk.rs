//! Applies the first live row's fix again and again while raising the load, and prints the path: how the
//! bottleneck table walks a system from one server upward.
//!
//! ```text
//! cargo run -p sim-core --release --example walk
//! ```
use sim_core::diagnose::{diagnose, first_fix};
use sim_core::fluid::{run, FluidOptions};
use sim_core::scenario::Scenario;

fn main() {
    let mut s = Scenario::stage(1);
    s.duration_s = 120.0;
    for users in [1_000u64, 3_000, 10_000, 30_000, 100_000, 300_000, 1_000_000] {
        s.traffic.users = users;
        for _ in 0..12 {
            let summary = run(&s, FluidOptions { dt: 1.0, sample_every: 10.0 }).summary;
            let rows = diagnose(&s, &summary);
            match first_fix(&rows) {
                Some(row) => {
                    let fix = row.fix.expect("first_fix has a fix");
                    println!(
                        "{users:>9} users  p99 {:>8.1} ms  err {:>5.1} %  {} = {:.3} (≥ {:.2})  → {}",
                        summary.latency_ms.p99,
                        summary.error_rate * 100.0,
                        row.metric,
                        row.value,
                        row.threshold,
                        fix.label()
                    );
                    s = fix.apply(&s);
                }
                None => {
                    let live: Vec<_> = rows.iter().filter(|r| r.live).map(|r| r.id).collect();
                    println!(
                        "{users:>9} users  p99 {:>8.1} ms  err {:>5.1} %  ${:.0}/month  live without a fix: {live:?}",
                        summary.latency_ms.p99,
                        summary.error_rate * 100.0,
                        summary.cost_usd_per_month
                    );
                    break;
                }
            }
        }
    }
}
