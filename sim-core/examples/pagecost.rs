//! Times, natively, the work the page does after one slider input: the steady state, a new run's first
//! 5-minute slice with its series points, and the diagnosis. A profiling aid for the page's frame budget.
use std::time::Instant;

use sim_core::diagnose::diagnose;
use sim_core::fluid::{self, Fluid};
use sim_core::model::Topology;
use sim_core::scenario::Scenario;

fn time<T>(label: &str, n: u32, mut f: impl FnMut() -> T) {
    let t = Instant::now();
    for _ in 0..n {
        std::hint::black_box(f());
    }
    println!("{label:<40} {:>8.3} ms", t.elapsed().as_secs_f64() * 1e3 / n as f64);
}

fn main() {
    let s = Scenario::stage(6).with_users(50_000);
    time("Topology::new", 50, || Topology::new(&s));
    time("Fluid::new", 50, || Fluid::new(&s, 1.0));
    time("steady_state", 50, || fluid::steady_state(&s));
    let steady = fluid::steady_state(&s);
    time("diagnose", 50, || diagnose(&s, &steady.summary));
    time("300 steps", 50, || {
        let mut e = Fluid::new(&s, 1.0);
        for _ in 0..300 {
            e.step();
        }
        e.now()
    });
    let mut e = Fluid::new(&s, 1.0);
    for _ in 0..10 {
        e.step();
    }
    time("sample(fast)", 300, || e.sample(false));
    time("sample(exact)", 50, || e.sample(true));
}
