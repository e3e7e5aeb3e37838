//! Random draws on top of the streams: uniforms from raw 64-bit words, inverse-transform and
//! ziggurat exponentials, normals, Poisson and Gamma draws, an alias table for picking by weight,
//! and table interpolation. Generic: the model and the studies both use them.

use std::convert::Infallible;

use rand::{Rng, TryRng};
use rand_distr::{Distribution, Exp1, Gamma, Poisson};

/// A uniform in [0, 1) from the top 53 bits of a word.
#[inline(always)]
pub fn unit(word: u64) -> f64 {
    (word >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// A uniform in (0, 1] from the top 53 bits of a word (safe for `ln`).
#[inline(always)]
pub fn unit_open0(word: u64) -> f64 {
    ((word >> 11) + 1) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// A uniform in [0, 1) from the low 32 bits of a word (for a second, cheaper draw).
#[inline(always)]
pub fn unit_low32(word: u64) -> f64 {
    (word & 0xFFFF_FFFF) as f64 * (1.0 / 4_294_967_296.0)
}

/// A standard exponential by inversion.
#[inline(always)]
pub fn exp1(word: u64) -> f64 {
    -unit_open0(word).ln()
}

/// A standard exponential by the ziggurat method: one word almost always (about 1.1% of
/// draws take more), and no logarithm on the fast path.
#[inline(always)]
pub fn exp1_fast<R: Rng + ?Sized>(rng: &mut R) -> f64 {
    Exp1.sample(rng)
}

/// A generator that expands one random word into a short SplitMix64 sequence, so that a draw
/// needing a variable number of words (ziggurat, Gamma) still depends on that word alone.
#[derive(Debug, Clone, Copy)]
pub struct WordRng(u64);

impl WordRng {
    /// A sequence seeded by `word`.
    #[inline(always)]
    pub fn new(word: u64) -> WordRng {
        WordRng(word)
    }
}

impl TryRng for WordRng {
    type Error = Infallible;

    #[inline(always)]
    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        Ok((self.try_next_u64()? >> 32) as u32)
    }

    #[inline(always)]
    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let z = (self.0 ^ (self.0 >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        let z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        Ok(z ^ (z >> 31))
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        for chunk in dst.chunks_mut(8) {
            let w = self.try_next_u64()?.to_le_bytes();
            chunk.copy_from_slice(&w[..chunk.len()]);
        }
        Ok(())
    }
}

/// A standard normal draw (Box-Muller from two words; the second variate is discarded to keep
/// draws per call fixed).
pub fn normal<R: Rng + ?Sized>(rng: &mut R) -> f64 {
    let u1 = unit_open0(rng.next_u64());
    let u2 = unit(rng.next_u64());
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

/// A Poisson count with mean `lambda` (0 for a non-positive or non-finite mean).
pub fn poisson<R: Rng + ?Sized>(rng: &mut R, lambda: f64) -> u64 {
    if !(lambda > 0.0 && lambda.is_finite()) {
        return 0;
    }
    match Poisson::new(lambda) {
        Ok(p) => p.sample(rng) as u64,
        Err(_) => 0,
    }
}

/// A Gamma draw with the given shape and mean (the mean if the shape is invalid).
pub fn gamma_mean<R: Rng + ?Sized>(rng: &mut R, shape: f64, mean: f64) -> f64 {
    match Gamma::new(shape, mean / shape) {
        Ok(g) => g.sample(rng),
        Err(_) => mean,
    }
}

/// The inverse of the standard normal CDF (Acklam's rational approximation, relative error
/// below 1.2e-9), used so a lognormal service time needs exactly one uniform.
pub fn inverse_normal(p: f64) -> f64 {
    const A: [f64; 6] = [
        -3.969683028665376e1,
        2.209460984245205e2,
        -2.759285104469687e2,
        1.38357751867269e2,
        -3.066479806614716e1,
        2.506628277459239,
    ];
    const B: [f64; 5] = [
        -5.447609879822406e1,
        1.615858368580409e2,
        -1.556989798598866e2,
        6.680131188771972e1,
        -1.328068155288572e1,
    ];
    const C: [f64; 6] = [
        -7.784894002430293e-3,
        -3.223964580411365e-1,
        -2.400758277161838,
        -2.549732539343734,
        4.374664141464968,
        2.938163982698783,
    ];
    const D: [f64; 4] = [
        7.784695709041462e-3,
        3.224671290700398e-1,
        2.445134137142996,
        3.754408661907416,
    ];
    let p = p.clamp(1e-300, 1.0 - 1e-16);
    if p < 0.02425 {
        let q = (-2.0 * p.ln()).sqrt();
        (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    } else if p <= 1.0 - 0.02425 {
        let q = p - 0.5;
        let r = q * q;
        (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
            / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
    } else {
        -inverse_normal(1.0 - p)
    }
}

/// Walker's alias table: picks index i with probability w_i / sum(w) from one 64-bit word.
#[derive(Debug, Clone)]
pub struct AliasTable {
    /// Per column: the acceptance threshold scaled to 2^32, and the alias. Kept side by side
    /// so a pick reads one cache line.
    columns: Vec<(u32, u32)>,
}

impl AliasTable {
    /// A table for non-negative weights (all zero gives a uniform pick).
    pub fn new(weights: &[f64]) -> AliasTable {
        let n = weights.len();
        let total: f64 = weights.iter().sum();
        let mut scaled: Vec<f64> = if total > 0.0 {
            weights.iter().map(|w| w * n as f64 / total).collect()
        } else {
            vec![1.0; n]
        };
        let mut threshold = vec![u32::MAX; n];
        let mut alias: Vec<u32> = (0..n as u32).collect();
        let (mut small, mut large): (Vec<usize>, Vec<usize>) =
            (0..n).partition(|&i| scaled[i] < 1.0);
        while let (Some(s), Some(&l)) = (small.pop(), large.last()) {
            threshold[s] = (scaled[s] * 4_294_967_296.0).min(u32::MAX as f64) as u32;
            alias[s] = l as u32;
            scaled[l] -= 1.0 - scaled[s];
            if scaled[l] < 1.0 {
                large.pop();
                small.push(l);
            }
        }
        AliasTable {
            columns: threshold.into_iter().zip(alias).collect(),
        }
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.columns.len()
    }

    /// Whether the table is empty.
    pub fn is_empty(&self) -> bool {
        self.columns.is_empty()
    }

    /// The column `word` reads: its high 32 bits choose it.
    #[inline(always)]
    fn column(&self, word: u64) -> usize {
        (((word >> 32) * self.columns.len() as u64) >> 32) as usize
    }

    /// Where [`AliasTable::pick`] will read for `word`, for a prefetch: in a large table the
    /// read is a cache miss.
    #[inline(always)]
    pub fn column_for(&self, word: u64) -> &(u32, u32) {
        &self.columns[self.column(word)]
    }

    /// The index picked by `word`: the high 32 bits choose the column, the low 32 the coin.
    #[inline(always)]
    pub fn pick(&self, word: u64) -> usize {
        let col = self.column(word);
        // A select, not a branch: the coin is a fair guess for the branch predictor.
        let (threshold, alias) = self.columns[col];
        std::hint::select_unpredictable((word as u32) < threshold, col, alias as usize)
    }
}

/// Linear interpolation in a table of (x, y) points sorted by x, flat beyond the ends.
pub fn interpolate(table: &[(f64, f64)], x: f64) -> f64 {
    if x.is_nan() {
        // Undefined in, undefined out (never an index below the table).
        return f64::NAN;
    }
    let (first, last) = (table[0], table[table.len() - 1]);
    if x <= first.0 {
        return first.1;
    }
    if x >= last.0 {
        return last.1;
    }
    let i = table.partition_point(|&(tx, _)| tx <= x);
    let ((x0, y0), (x1, y1)) = (table[i - 1], table[i]);
    y0 + (y1 - y0) * (x - x0) / (x1 - x0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::rng::{Purpose, stream};

    #[test]
    fn alias_table_follows_weights() {
        let table = AliasTable::new(&[1.0, 3.0, 0.0, 4.0]);
        let mut rng = stream(7, 0, 0, Purpose::Setup);
        let mut counts = [0u32; 4];
        let n = 400_000;
        for _ in 0..n {
            counts[table.pick(rng.next_u64())] += 1;
        }
        assert_eq!(counts[2], 0);
        // Binomial sd of a share p over n draws is sqrt(p(1-p)/n) < 0.0008; 5 sd = 0.004.
        for (c, p) in counts.iter().zip([0.125, 0.375, 0.0, 0.5]) {
            assert!((*c as f64 / n as f64 - p).abs() < 0.004, "{counts:?}");
        }
    }

    #[test]
    fn inverse_normal_is_accurate() {
        assert!(inverse_normal(0.5).abs() < 1e-9);
        assert!((inverse_normal(0.975) - 1.959_963_985).abs() < 1e-6);
        assert!((inverse_normal(0.001) + 3.090_232_306).abs() < 1e-6);
    }

    #[test]
    fn interpolation_is_flat_outside() {
        let t = [(1.0, 1.0), (2.0, 0.5)];
        assert_eq!(interpolate(&t, 0.0), 1.0);
        assert_eq!(interpolate(&t, 1.5), 0.75);
        assert_eq!(interpolate(&t, 3.0), 0.5);
    }
}
