//! Prints the scenario query string's keys as a Markdown table (the README's key table comes from here).
//!
//! ```text
//! cargo run -p sim-core --features docs --example keys
//! ```
fn main() {
    println!("| key | accepts | meaning |");
    println!("|---|---|---|");
    println!("| `v` | 1 | Format version |");
    println!(
        "| `stage` | 1–{} | Stage of the built-in journey the scenario starts from; the other keys override it |",
        sim_core::scenario::STAGES
    );
    for f in sim_core::query::FIELDS {
        println!("| `{}` | {} | {} |", f.key, f.accepts, f.doc);
    }
    for (key, doc) in sim_core::query::VIEW_KEYS {
        println!("| `{key}` | (view) | {doc} |");
    }
}
