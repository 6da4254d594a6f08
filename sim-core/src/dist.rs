//! Service-time distributions for the request-level engine.
use rand::Rng;
use rand_distr::{Distribution, Exp1, LogNormal};
use serde::{Deserialize, Serialize};

use crate::error::ScenarioError;

/// A service-time distribution with a given mean (seconds).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub enum ServiceDist {
    /// Exponential (coefficient of variation 1).
    Exponential { mean: f64 },
    /// Always the mean (coefficient of variation 0).
    Deterministic { mean: f64 },
    /// Log-normal with coefficient of variation `cv`.
    LogNormal { mean: f64, cv: f64 },
}

impl ServiceDist {
    /// Parses `exp`, `det` or `lognormal:CV` with the given mean.
    pub fn parse(text: &str, mean: f64) -> Result<ServiceDist, ScenarioError> {
        let bad = || ScenarioError::Invalid {
            field: "service-dist",
            value: text.to_owned(),
            expected: "exp, det or lognormal:CV with CV from 0.01 to 10".to_owned(),
        };
        match text.trim() {
            "exp" => Ok(ServiceDist::Exponential { mean }),
            "det" => Ok(ServiceDist::Deterministic { mean }),
            t => {
                let cv = t.strip_prefix("lognormal:").and_then(crate::decimal::parse).ok_or_else(bad)?;
                if !(0.01..=10.0).contains(&cv) {
                    return Err(bad());
                }
                Ok(ServiceDist::LogNormal { mean, cv })
            }
        }
    }

    /// Mean.
    pub fn mean(&self) -> f64 {
        match *self {
            ServiceDist::Exponential { mean } | ServiceDist::Deterministic { mean } | ServiceDist::LogNormal { mean, .. } => mean,
        }
    }

    /// Squared coefficient of variation.
    pub fn cv2(&self) -> f64 {
        match *self {
            ServiceDist::Exponential { .. } => 1.0,
            ServiceDist::Deterministic { .. } => 0.0,
            ServiceDist::LogNormal { cv, .. } => cv * cv,
        }
    }

    /// A sampler for this distribution.
    pub fn sampler(&self) -> Sampler {
        match *self {
            ServiceDist::Exponential { mean } => Sampler::Exp(mean),
            ServiceDist::Deterministic { mean } => Sampler::Det(mean),
            ServiceDist::LogNormal { mean, cv } => {
                let sigma2 = libm::log(1.0 + cv * cv);
                let mu = libm::log(mean) - sigma2 / 2.0;
                match LogNormal::new(mu, sigma2.sqrt()) {
                    Ok(d) => Sampler::LogNormal(d),
                    Err(_) => Sampler::Det(mean),
                }
            }
        }
    }
}

/// A ready-to-draw sampler (seconds).
#[derive(Clone, Copy, Debug)]
pub enum Sampler {
    /// Exponential with this mean.
    Exp(f64),
    /// Constant.
    Det(f64),
    /// Log-normal.
    LogNormal(LogNormal<f64>),
}

impl Sampler {
    /// Draws one value in seconds.
    #[inline]
    pub fn draw<R: Rng>(&self, rng: &mut R) -> f64 {
        match self {
            Sampler::Exp(mean) => {
                let e: f64 = Exp1.sample(rng);
                e * mean
            }
            Sampler::Det(mean) => *mean,
            Sampler::LogNormal(d) => d.sample(rng),
        }
    }

    /// Draws one value in whole nanoseconds (at least 1).
    #[inline]
    pub fn draw_ns<R: Rng>(&self, rng: &mut R) -> u64 {
        ((self.draw(rng) * 1e9).round() as u64).max(1)
    }
}
