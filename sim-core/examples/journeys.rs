//! Prints every journey's stages with the load each holds and the load at which it begins to break.
//!
//! ```text
//! cargo run -p sim-core --release --example journeys
//! ```
fn main() {
    for j in sim_core::journey::journeys() {
        println!("{} ({}): {}", j.name, j.source, j.title);
        for r in sim_core::journey::report(&j) {
            let live: Vec<&str> = r.bottlenecks.iter().map(|b| b.id).collect();
            println!(
                "  {:>2}. {:<32} {:>9} users  p99 {:>7.1} ms  err {:>5.2} %  breaks at {:>10} on {:<16} live {:?}",
                r.stage,
                r.title,
                r.users,
                r.summary.latency_ms.p99,
                r.summary.error_rate * 100.0,
                r.breaks_at_users.map_or("—".to_owned(), |u| u.to_string()),
                r.breaks_on.unwrap_or_default(),
                live
            );
        }
    }
}
