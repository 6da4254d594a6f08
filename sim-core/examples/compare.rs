//! Runs one stage on both engines and prints their summaries side by side, or, with no arguments, a Markdown
//! table of every stage at the loads of `tests/integration/agreement.rs` (the README's table).
//!
//! ```text
//! cargo run -p sim-core --release --example compare -- STAGE USERS SECONDS [SEED]
//! cargo run -p sim-core --release --example compare
//! ```
use sim_core::des::system::{run as des, DesOptions};
use sim_core::fluid::{run as fluid, FluidOptions};
use sim_core::scenario::Scenario;

fn table() {
    println!("| stage | users | mean ms (fluid / des) | p99 ms (fluid / des) | busiest tier utilisation (fluid / des) | cache hit (fluid / des) |");
    println!("|---|---|---|---|---|---|");
    for (stage, users) in [
        (1u32, 2_500u64),
        (2, 8_000),
        (3, 12_000),
        (4, 15_000),
        (5, 20_000),
        (6, 20_000),
        (7, 20_000),
        (8, 20_000),
        (9, 20_000),
        (10, 20_000),
        (11, 20_000),
        (12, 20_000),
    ] {
        let mut s = Scenario::stage(stage).with_users(users);
        s.duration_s = 600.0;
        s.seed = 7 + stage as u64;
        let f = fluid(&s, FluidOptions { dt: 1.0, sample_every: 10.0 }).summary;
        let d = des(&s, DesOptions { sample_every: 10.0, warmup_fraction: 0.2, traces_per_s: 0 }).report.summary;
        let (tier, du) =
            d.utilization.iter().max_by(|a, b| a.1.total_cmp(b.1)).map(|(k, v)| (*k, *v)).unwrap_or((sim_core::ids::Tier::App, 0.0));
        let fu = f.utilization.get(&tier).copied().unwrap_or(0.0);
        println!(
            "| {stage} | {users} | {:.2} / {:.2} | {:.1} / {:.1} | {tier} {:.1} % / {:.1} % | {:.3} / {:.3} |",
            f.latency_ms.mean,
            d.latency_ms.mean,
            f.latency_ms.p99,
            d.latency_ms.p99,
            fu * 100.0,
            du * 100.0,
            f.cache_hit_rate,
            d.cache_hit_rate
        );
    }
}

fn main() {
    if std::env::args().len() == 1 {
        table();
        return;
    }
    let args: Vec<f64> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    let (stage, users, secs, seed) = (
        args.first().copied().unwrap_or(4.0),
        args.get(1).copied().unwrap_or(1000.0),
        args.get(2).copied().unwrap_or(600.0),
        args.get(3).copied().unwrap_or(1.0),
    );
    let mut s = Scenario::stage(stage as u32).with_users(users as u64);
    s.duration_s = secs;
    s.seed = seed as u64;
    let f = fluid(&s, FluidOptions { dt: 1.0, sample_every: 10.0 }).summary;
    let d = des(&s, DesOptions { sample_every: 10.0, warmup_fraction: 0.2, traces_per_s: 0 });
    println!("fluid: {}", serde_json::to_string(&f).unwrap_or_default());
    println!("des:   {}", serde_json::to_string(&d.report.summary).unwrap_or_default());
    println!("des events: {}", d.events);
}
