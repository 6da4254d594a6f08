//! Errors from bad input. Each names the field at fault and what it accepts; none is a bug, and none is fatal to
//! the rest of a scenario. Bugs are panics, and the engines are tested never to panic on a valid scenario.
use thiserror::Error;

/// A scenario field that was out of range, unparseable, or inconsistent with the rest.
#[derive(Clone, Debug, PartialEq, Error)]
pub enum ScenarioError {
    /// A number outside the field's accepted range.
    #[error("{field} = {value} is out of range; accepted: {min} to {max}")]
    OutOfRange { field: &'static str, value: String, min: String, max: String },
    /// A value that could not be read as the field's type.
    #[error("{field} = \"{value}\" is not valid; expected {expected}")]
    Invalid { field: &'static str, value: String, expected: String },
    /// A combination the model cannot run, such as sticky sessions without a load balancer's servers.
    #[error("{field}: {reason}")]
    Inconsistent { field: &'static str, reason: String },
    /// A key the query-string format does not know.
    #[error("unknown key \"{key}\"")]
    UnknownKey { key: String },
    /// A query string of a format version this build does not read.
    #[error("v = \"{found}\" is not supported; this build reads v=1")]
    Version { found: String },
}

impl ScenarioError {
    /// The field (or key) the error is about.
    pub fn field(&self) -> &str {
        match self {
            ScenarioError::OutOfRange { field, .. } | ScenarioError::Invalid { field, .. } | ScenarioError::Inconsistent { field, .. } => {
                field
            }
            ScenarioError::UnknownKey { key } => key,
            ScenarioError::Version { .. } => "v",
        }
    }
}
