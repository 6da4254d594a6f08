//! Runs one stage on both engines and prints their summaries side by side.
//!
//! ```text
//! cargo run -p sim-core --release --example compare -- STAGE USERS SECONDS [SEED]
//! ```
use sim_core::des::system::{run as des, DesOptions};
use sim_core::fluid::{run as fluid, FluidOptions};
use sim_core::scenario::Scenario;

fn main() {
    let args: Vec<f64> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    let (stage, users, secs, seed) = (args.first().copied().unwrap_or(4.0), args.get(1).copied().unwrap_or(1000.0), args.get(2).copied().unwrap_or(600.0), args.get(3).copied().unwrap_or(1.0));
    let mut s = Scenario::stage(stage as u32).with_users(users as u64);
    s.duration_s = secs;
    s.seed = seed as u64;
    let f = fluid(&s, FluidOptions { dt: 1.0, sample_every: 10.0 }).summary;
    let d = des(&s, DesOptions { sample_every: 10.0, warmup_fraction: 0.2, trace_limit: 0 });
    println!("fluid: {}", serde_json::to_string(&f).unwrap_or_default());
    println!("des:   {}", serde_json::to_string(&d.report.summary).unwrap_or_default());
    println!("des events: {}", d.events);
}
