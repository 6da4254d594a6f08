//! The request-level engine against closed-form queueing theory. Each run simulates one to eight million requests
//! after a warm-up (more near saturation, where samples are strongly correlated); means must agree within 2–3 %
//! and tail quantiles within 3 %.
use sim_core::des::station::{run, StationResult, StationSpec};
use sim_core::dist::ServiceDist;
use sim_core::queueing::{erlang_b, mg1_mean_wait, mmck, Mmc};

/// Requests to simulate at utilisation ρ: correlation time grows like 1/(1 − ρ)², so heavy load needs more.
fn requests_for(rho: f64) -> u64 {
    if rho >= 0.85 {
        8_000_000
    } else if rho >= 0.75 {
        4_000_000
    } else {
        1_000_000
    }
}

fn station(c: u32, lambda: f64, service: ServiceDist, capacity: Option<u32>, seed: u64) -> StationResult {
    let rho = lambda * service.mean() / c as f64;
    let requests = if capacity.is_some() { 1_000_000 } else { requests_for(rho) };
    run(&StationSpec { servers: c, arrival_rate: lambda, service, capacity, requests, seed })
}

fn within(name: &str, got: f64, want: f64, tol: f64) {
    let err = (got - want).abs() / want.abs();
    assert!(err <= tol, "{name}: simulated {got:.6} vs theory {want:.6} ({:.2} % off, allowed {:.1} %)", err * 100.0, tol * 100.0);
}

fn check_mmc(c: u32, rho: f64, seed: u64) {
    let mu = 1.0;
    let lambda = rho * c as f64 * mu;
    let q = Mmc::new(c, lambda, mu);
    let r = station(c, lambda, ServiceDist::Exponential { mean: 1.0 / mu }, None, seed);
    let tag = format!("M/M/{c} at ρ={rho}");
    within(&format!("{tag} mean response"), r.mean_response, q.mean_response(), 0.03);
    if q.mean_wait() > 0.02 {
        within(&format!("{tag} mean wait"), r.mean_wait, q.mean_wait(), 0.03);
    }
    within(&format!("{tag} p50"), r.p50, q.response_quantile(0.50), 0.03);
    within(&format!("{tag} p95"), r.p95, q.response_quantile(0.95), 0.03);
    within(&format!("{tag} p99"), r.p99, q.response_quantile(0.99), 0.03);
    within(&format!("{tag} utilisation"), r.utilization, rho, 0.02);
    // Little's law: L = λW.
    within(&format!("{tag} Little's law"), r.mean_in_system, lambda * r.mean_response, 0.02);
}

#[test]
fn mm1_matches_theory_at_light_load() {
    check_mmc(1, 0.5, 11);
}

#[test]
fn mm1_matches_theory_at_heavy_load() {
    check_mmc(1, 0.8, 12);
}

#[test]
fn mmc_matches_erlang_c_with_four_servers_at_80_percent() {
    check_mmc(4, 0.8, 13);
}

#[test]
fn mmc_matches_erlang_c_with_ten_servers_at_90_percent() {
    check_mmc(10, 0.9, 14);
}

#[test]
fn mmc_matches_theory_at_light_load_with_many_servers() {
    check_mmc(16, 0.3, 15);
}

#[test]
fn mmck_blocking_matches_the_product_form() {
    for &(c, k, rho, seed) in &[(2u32, 5u32, 0.9f64, 21u64), (4, 8, 1.2, 22), (8, 8, 0.7, 23)] {
        let lambda = rho * c as f64;
        let want = mmck(c, k, lambda, 1.0);
        let r = station(c, lambda, ServiceDist::Exponential { mean: 1.0 }, Some(k), seed);
        within(&format!("M/M/{c}/{k} at ρ={rho} blocking"), r.blocking_probability, want.blocking, 0.03);
        within(&format!("M/M/{c}/{k} at ρ={rho} mean response"), r.mean_response, want.mean_response, 0.03);
        // Little's law with the admitted rate.
        within(&format!("M/M/{c}/{k} Little's law"), r.mean_in_system, lambda * (1.0 - r.blocking_probability) * r.mean_response, 0.02);
        if k == c {
            within("Erlang B", r.blocking_probability, erlang_b(c, lambda), 0.03);
        }
    }
}

#[test]
fn md1_matches_pollaczek_khinchine() {
    for &(rho, seed) in &[(0.5f64, 31u64), (0.8, 32)] {
        let r = station(1, rho, ServiceDist::Deterministic { mean: 1.0 }, None, seed);
        within(&format!("M/D/1 at ρ={rho} mean wait"), r.mean_wait, mg1_mean_wait(rho, 1.0, 0.0), 0.03);
    }
}

#[test]
fn mg1_with_lognormal_service_matches_pollaczek_khinchine() {
    let r = station(1, 0.7, ServiceDist::LogNormal { mean: 1.0, cv: 1.5 }, None, 41);
    within("M/G/1 (log-normal, cv 1.5) at ρ=0.7 mean wait", r.mean_wait, mg1_mean_wait(0.7, 1.0, 1.5), 0.05);
}

#[test]
fn same_seed_gives_the_same_run() {
    let a = station(3, 2.4, ServiceDist::Exponential { mean: 1.0 }, Some(20), 99);
    let b = station(3, 2.4, ServiceDist::Exponential { mean: 1.0 }, Some(20), 99);
    assert_eq!(a, b);
}
