//! The guard every figure passes on its way out of the engines and the bill: a leaf, so anything can use it
//! without importing the report.
//!
//! Transcendental maths (exp, ln, pow, cbrt, cos) goes through the `libm` crate everywhere in sim-core, never the
//! standard library's methods: natively those call the platform's C library and in wasm a port of musl's, and the
//! two differ in the last bits, so the page and the CLI would print different figures for the same link.
//! `sim-core/clippy.toml` forbids the std methods; a browser test compares the page's results with the CLI's.

/// Replaces NaN and infinities with 0 (a guard for outputs; the engines are tested not to need it).
pub fn finite(x: f64) -> f64 {
    if x.is_finite() {
        x
    } else {
        0.0
    }
}
