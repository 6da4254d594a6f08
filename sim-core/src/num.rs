//! The guard every figure passes on its way out of the engines and the bill: a leaf, so anything can use it
//! without importing the report.

/// Replaces NaN and infinities with 0 (a guard for outputs; the engines are tested not to need it).
pub fn finite(x: f64) -> f64 {
    if x.is_finite() {
        x
    } else {
        0.0
    }
}
