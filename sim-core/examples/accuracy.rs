//! Prints the request-level engine against closed-form queueing theory at the test points of
//! `tests/integration/theory.rs`, as a Markdown table (the README's accuracy table comes from here).
//!
//! ```text
//! cargo run -p sim-core --release --example accuracy
//! ```
use sim_core::des::station::{run, StationSpec};
use sim_core::dist::ServiceDist;
use sim_core::queueing::{mg1_mean_wait, mmck, Mmc};

fn pct(got: f64, want: f64) -> String {
    format!("{:+.2} %", (got - want) / want * 100.0)
}

fn main() {
    println!("| queue | ρ | requests | mean response (sim / theory) | p99 (sim / theory) | other |");
    println!("|---|---|---|---|---|---|");
    for &(c, rho, n) in
        &[(1u32, 0.5f64, 1_000_000u64), (1, 0.8, 4_000_000), (4, 0.8, 4_000_000), (10, 0.9, 8_000_000), (16, 0.3, 1_000_000)]
    {
        let lambda = rho * c as f64;
        let q = Mmc::new(c, lambda, 1.0);
        let r = run(&StationSpec {
            servers: c,
            arrival_rate: lambda,
            service: ServiceDist::Exponential { mean: 1.0 },
            capacity: None,
            requests: n,
            seed: 7,
        });
        println!(
            "| M/M/{c} | {rho} | {n} | {:.4} / {:.4} ({}) | {:.3} / {:.3} ({}) | mean wait {} ; Little L=λW {} |",
            r.mean_response,
            q.mean_response(),
            pct(r.mean_response, q.mean_response()),
            r.p99,
            q.response_quantile(0.99),
            pct(r.p99, q.response_quantile(0.99)),
            pct(r.mean_wait, q.mean_wait()),
            pct(r.mean_in_system, lambda * r.mean_response)
        );
    }
    for &(c, k, rho) in &[(2u32, 5u32, 0.9f64), (4, 8, 1.2)] {
        let lambda = rho * c as f64;
        let want = mmck(c, k, lambda, 1.0);
        let r = run(&StationSpec {
            servers: c,
            arrival_rate: lambda,
            service: ServiceDist::Exponential { mean: 1.0 },
            capacity: Some(k),
            requests: 1_000_000,
            seed: 7,
        });
        println!(
            "| M/M/{c}/{k} | {rho} | 1000000 | {:.4} / {:.4} ({}) | — | blocking {:.4} / {:.4} ({}) |",
            r.mean_response,
            want.mean_response,
            pct(r.mean_response, want.mean_response),
            r.blocking_probability,
            want.blocking,
            pct(r.blocking_probability, want.blocking)
        );
    }
    for &rho in &[0.5f64, 0.8] {
        let r = run(&StationSpec {
            servers: 1,
            arrival_rate: rho,
            service: ServiceDist::Deterministic { mean: 1.0 },
            capacity: None,
            requests: 4_000_000,
            seed: 7,
        });
        let want = mg1_mean_wait(rho, 1.0, 0.0);
        println!("| M/D/1 | {rho} | 4000000 | — | — | mean wait {:.4} / {:.4} ({}) |", r.mean_wait, want, pct(r.mean_wait, want));
    }
}
