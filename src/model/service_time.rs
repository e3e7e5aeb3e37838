//! Service times of a given mean in the scenario's distribution, from one random word.

use crate::engine::sample::{WordRng, exp1_fast, gamma_mean, inverse_normal, unit_open0};
use crate::scenario::ServiceTimeDistribution;

/// Draws service times of a given mean in the scenario's distribution.
#[derive(Debug, Clone, Copy)]
pub struct ServiceTimeSampler {
    dist: ServiceTimeDistribution,
    /// Lognormal sigma, from the coefficient of variation.
    sigma: f64,
    /// Gamma shape, from the coefficient of variation.
    shape: f64,
}

impl ServiceTimeSampler {
    /// A sampler for `dist` with coefficient of variation `cv` (ignored by Exponential and Fixed).
    pub fn new(dist: ServiceTimeDistribution, cv: f64) -> Self {
        ServiceTimeSampler {
            dist,
            sigma: (1.0 + cv * cv).ln().sqrt(),
            shape: 1.0 / (cv * cv),
        }
    }

    /// A service time with mean `mean`, determined by the word `word` alone.
    #[inline]
    pub fn sample(&self, mean: f64, word: u64) -> f64 {
        match self.dist {
            ServiceTimeDistribution::Exponential => mean * exp1_fast(&mut WordRng::new(word)),
            ServiceTimeDistribution::Fixed => mean,
            ServiceTimeDistribution::LogNormal => {
                let z = inverse_normal(unit_open0(word));
                mean * (self.sigma * z - 0.5 * self.sigma * self.sigma).exp()
            }
            ServiceTimeDistribution::Gamma => gamma_mean(&mut WordRng::new(word), self.shape, mean),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::rng::{Purpose, stream};
    use rand::Rng;

    #[test]
    fn service_time_means_match() {
        let mut rng = stream(3, 0, 0, Purpose::Setup);
        for dist in [
            ServiceTimeDistribution::Exponential,
            ServiceTimeDistribution::LogNormal,
            ServiceTimeDistribution::Gamma,
            ServiceTimeDistribution::Fixed,
        ] {
            let s = ServiceTimeSampler::new(dist, 0.6);
            let n = 200_000;
            let mean: f64 = (0..n).map(|_| s.sample(5.0, rng.next_u64())).sum::<f64>() / n as f64;
            // sd of the mean <= 5 * 1 / sqrt(2e5) = 0.0112; 5 sd = 0.056.
            assert!((mean - 5.0).abs() < 0.056, "{dist:?}: {mean}");
        }
    }
}
