//! A deterministic, mergeable quantile sketch (DDSketch: Masson, Rim & Lee, VLDB 2019) with the
//! exact minimum and maximum, and an exact fixed-point mean. Counts merge by adding integers and
//! the extremes by a total order, so the result is the same whatever order replications,
//! threads or shards arrive in: agreement by construction.
//!
//! This is the fallback of a run too large to keep every value (see [`super::store`]). Its
//! error bound, for the `q` quantile `x` of the data (type 7 on the exact values):
//!
//! - the value reported for each neighbouring rank is within [`RELATIVE_ACCURACY`] (2%) of that
//!   rank's exact value `v`, for |v| at least 1/400 of the largest magnitude of its sign in the
//!   cell; smaller magnitudes are reported within about 1/400 of that largest (`MAX_SPAN`), and
//!   those under [`Sketch::MIN_MAGNITUDE`] as 0; so the interpolated `q` quantile is within
//!   2% of max(|x_lo|, |x_hi|), the two order statistics it lies between;
//! - every reported quantile (and the mean) is clamped into the cell's exact [min, max]: the
//!   exact quantile lies there, so the clamp never moves a value further from it, and a
//!   quantile is never outside the data;
//! - when min == max (a constant cell) every quantile and the mean are exactly that constant.

use serde::{Deserialize, Serialize};

/// Relative accuracy of every quantile: the reported value is within this fraction of a value
/// whose rank is the requested one, for magnitudes above 1/400 of the largest in the cell (the
/// smaller are reported within 1/400 of that largest: see `MAX_SPAN`).
pub const RELATIVE_ACCURACY: f64 = 0.02;
/// Ratio between successive bucket bounds: (1 + a) / (1 - a).
const GAMMA: f64 = (1.0 + RELATIVE_ACCURACY) / (1.0 - RELATIVE_ACCURACY);
/// Buckets kept below a store's largest: smaller magnitudes (under 1/e^(2a * MAX_SPAN), about
/// 1/400, of the largest seen) fold into the lowest kept bucket. Bounds memory per cell, and
/// since the fold depends only on the largest key, the result is the same in any order.
const MAX_SPAN: i32 = 150;
/// Fixed-point scale of the exact sum: values are summed in millionths.
const SUM_SCALE: f64 = 1e6;

/// A quantile sketch of one quantity across replications, with its exact mean and range.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sketch {
    /// Values seen (NaN values are not counted).
    pub count: u64,
    /// Sum of values in millionths (fixed point, so merging is exact and order-free).
    pub sum_micros: i128,
    /// Values of magnitude below [`Sketch::MIN_MAGNITUDE`], counted as zero.
    pub zeros: u64,
    /// (bucket key, count) of positive values, sorted by key (8 bytes a bucket: memory is
    /// what bounds a run of many replications).
    pub positive: Vec<(i32, u32)>,
    /// (bucket key, count) of negative values by magnitude, sorted by key.
    pub negative: Vec<(i32, u32)>,
    /// The smallest value seen (+inf when empty), as its bit pattern in files so it travels
    /// exactly.
    #[serde(with = "f64_bits")]
    pub min: f64,
    /// The largest value seen (-inf when empty), likewise.
    #[serde(with = "f64_bits")]
    pub max: f64,
}

impl Default for Sketch {
    /// An empty sketch.
    fn default() -> Sketch {
        Sketch {
            count: 0,
            sum_micros: 0,
            zeros: 0,
            positive: Vec::new(),
            negative: Vec::new(),
            min: f64::INFINITY,
            max: f64::NEG_INFINITY,
        }
    }
}

/// An `f64` as its IEEE-754 bit pattern (a `u64`): exact whatever the JSON reader, and able to
/// hold the infinities of an empty range.
mod f64_bits {
    use serde::{Deserialize, Deserializer, Serializer};

    /// The bits.
    pub(super) fn serialize<S: Serializer>(x: &f64, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(x.to_bits())
    }

    /// The value of the bits.
    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
        Ok(f64::from_bits(u64::deserialize(d)?))
    }
}

/// `x` kept within [lo, hi] (NaN passes through; lo <= hi).
fn within(x: f64, lo: f64, hi: f64) -> f64 {
    if x < lo {
        lo
    } else if x > hi {
        hi
    } else {
        x
    }
}

fn key(magnitude: f64) -> i32 {
    (magnitude.ln() / GAMMA.ln()).ceil() as i32
}

/// The value a bucket stands for: the point within relative accuracy of every value in it.
fn bucket_value(key: i32) -> f64 {
    2.0 * GAMMA.powi(key) / (GAMMA + 1.0)
}

fn add_to(store: &mut Vec<(i32, u32)>, k: i32, n: u32) {
    let floor = store.last().map_or(k, |l| l.0.max(k)) - MAX_SPAN;
    let k = k.max(floor);
    match store.binary_search_by_key(&k, |e| e.0) {
        Ok(i) => store[i].1 += n,
        Err(i) => {
            // Grow by exactly one: a cell's buckets are few and long-lived, and doubling
            // capacity would waste a third of a run's memory on average.
            store.reserve_exact(1);
            store.insert(i, (k, n));
        }
    }
    // A new largest key raises the floor: fold what fell below it into the floor bucket.
    if store[0].0 < floor {
        let folded: u32 = store.iter().take_while(|e| e.0 < floor).map(|e| e.1).sum();
        store.retain(|e| e.0 >= floor);
        match store.binary_search_by_key(&floor, |e| e.0) {
            Ok(i) => store[i].1 += folded,
            Err(i) => store.insert(i, (floor, folded)),
        }
    }
}

impl Sketch {
    /// Magnitudes below this are counted as zero.
    pub const MIN_MAGNITUDE: f64 = 1e-9;

    /// Adds a value (NaN is ignored: the quantity was undefined in that replication).
    pub fn add(&mut self, x: f64) {
        if x.is_nan() {
            return;
        }
        self.count += 1;
        self.sum_micros += (x * SUM_SCALE).round() as i128;
        self.widen(x, x);
        if x.abs() < Self::MIN_MAGNITUDE {
            self.zeros += 1;
        } else if x > 0.0 {
            add_to(&mut self.positive, key(x), 1);
        } else {
            add_to(&mut self.negative, key(-x), 1);
        }
    }

    /// Widens the range to take in [lo, hi]. The comparison is IEEE's total order, so -0 and
    /// +0 are told apart and the result does not depend on the order values arrive in.
    fn widen(&mut self, lo: f64, hi: f64) {
        if lo.total_cmp(&self.min).is_lt() {
            self.min = lo;
        }
        if hi.total_cmp(&self.max).is_gt() {
            self.max = hi;
        }
    }

    /// Adds every value of `other`.
    pub fn merge(&mut self, other: &Sketch) {
        if other.count > 0 {
            self.widen(other.min, other.max);
        }
        self.count += other.count;
        self.sum_micros += other.sum_micros;
        self.zeros += other.zeros;
        for &(k, n) in &other.positive {
            add_to(&mut self.positive, k, n);
        }
        for &(k, n) in &other.negative {
            add_to(&mut self.negative, k, n);
        }
    }

    /// The mean (NaN if empty): exact to the millionth of a unit each value was rounded to,
    /// kept within [min, max], and exactly the constant when min == max.
    pub fn mean(&self) -> f64 {
        if self.count == 0 {
            f64::NAN
        } else if self.min == self.max {
            self.min
        } else {
            within(
                self.sum_micros as f64 / SUM_SCALE / self.count as f64,
                self.min,
                self.max,
            )
        }
    }

    /// The value of 0-based rank `r` in ascending order.
    fn value_at_rank(&self, mut r: u64) -> f64 {
        // Negative values ascend as their magnitude descends.
        for &(k, n) in self.negative.iter().rev() {
            let n = u64::from(n);
            if r < n {
                return -bucket_value(k);
            }
            r -= n;
        }
        if r < self.zeros {
            return 0.0;
        }
        r -= self.zeros;
        for &(k, n) in &self.positive {
            let n = u64::from(n);
            if r < n {
                return bucket_value(k);
            }
            r -= n;
        }
        self.positive.last().map_or(0.0, |&(k, _)| bucket_value(k))
    }

    /// The `q` quantile, interpolating linearly between the values at the neighbouring ranks as
    /// type 7 does on exact data, clamped into [min, max] (NaN if empty; exactly the constant
    /// when min == max). See the module's error bound.
    pub fn quantile(&self, q: f64) -> f64 {
        if self.count == 0 {
            return f64::NAN;
        }
        if self.min == self.max {
            return self.min;
        }
        let h = (self.count - 1) as f64 * q;
        let lo = h.floor() as u64;
        let hi = h.ceil() as u64;
        // The extreme ranks are known exactly.
        let at = |r: u64| {
            if r == 0 {
                self.min
            } else if r + 1 == self.count {
                self.max
            } else {
                self.value_at_rank(r)
            }
        };
        let (a, b) = (at(lo), at(hi));
        within(a + (h - lo as f64) * (b - a), self.min, self.max)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::quantile_sorted;

    #[test]
    fn quantiles_are_within_the_stated_accuracy() {
        let values: Vec<f64> = (0..1001)
            .map(|i| -300.0 + 1.7 * f64::from(i) + (f64::from(i) * 0.37).sin())
            .collect();
        let mut s = Sketch::default();
        for &v in &values {
            s.add(v);
        }
        let mut sorted = values.clone();
        sorted.sort_by(f64::total_cmp);
        for q in [0.05, 0.25, 0.5, 0.75, 0.95] {
            let exact = quantile_sorted(&sorted, q);
            // Each neighbouring order statistic x is reported within a|x|, so the interpolation
            // is within a * max(|x_lo|, |x_hi|) <= a * (|exact| + spacing); spacing <= 1.7 + 2.
            let tol = RELATIVE_ACCURACY * (exact.abs() + 3.7);
            assert!(
                (s.quantile(q) - exact).abs() <= tol,
                "q {q}: {} vs {exact}",
                s.quantile(q)
            );
        }
        let mean = values.iter().sum::<f64>() / values.len() as f64;
        assert!((s.mean() - mean).abs() < 1e-6);
    }

    #[test]
    fn tiny_values_fold_and_memory_stays_bounded() {
        let mut s = Sketch::default();
        for i in 0..100_000 {
            s.add(1e-8 * 1.0001f64.powi(i)); // spans eight orders of magnitude
        }
        assert!(
            s.positive.len() <= MAX_SPAN as usize + 1,
            "{} buckets",
            s.positive.len()
        );
        let mut a = Sketch::default();
        let mut b = Sketch::default();
        for i in 0..1000 {
            let x = 10f64.powf(f64::from(i % 97) / 10.0 - 5.0);
            if i % 2 == 0 { a.add(x) } else { b.add(x) }
        }
        let mut ab = a.clone();
        ab.merge(&b);
        let mut ba = b.clone();
        ba.merge(&a);
        assert_eq!(ab, ba);
    }

    #[test]
    fn merging_is_exact_and_order_free() {
        let xs: Vec<f64> = (0..300).map(|i| (f64::from(i) * 1.3).cos() * 1e6).collect();
        let mut whole = Sketch::default();
        xs.iter().for_each(|&x| whole.add(x));
        let mut parts = [Sketch::default(), Sketch::default(), Sketch::default()];
        for (i, &x) in xs.iter().enumerate() {
            parts[i % 3].add(x);
        }
        let mut merged = Sketch::default();
        for p in parts.iter().rev() {
            merged.merge(p);
        }
        assert_eq!(merged, whole);
        let json = serde_json::to_string(&merged).unwrap();
        assert_eq!(serde_json::from_str::<Sketch>(&json).unwrap(), merged);
        let mut nan = Sketch::default();
        nan.add(f64::NAN);
        assert_eq!(nan.count, 0);
        assert!(nan.quantile(0.5).is_nan());
    }

    #[test]
    fn quantiles_are_clamped_into_the_data_and_constants_are_exact() {
        // The two figures of issue 17: a fixed overhead and a fixed headcount.
        for c in [150_000.0, 10.0, -42.5, 0.1] {
            let mut s = Sketch::default();
            (0..37).for_each(|_| s.add(c));
            s.add(f64::NAN);
            assert_eq!(s.count, 37);
            for q in crate::stats::PERCENTILES {
                assert_eq!(s.quantile(q).to_bits(), c.to_bits(), "{c} at {q}");
            }
            assert_eq!(s.mean().to_bits(), c.to_bits());
        }
        // Two close values: the bucket values lie outside [100, 100.5], the quantiles may not.
        let mut s = Sketch::default();
        for i in 0..20 {
            s.add(if i % 4 == 0 { 100.5 } else { 100.0 });
        }
        assert_eq!((s.min, s.max), (100.0, 100.5));
        for q in [0.0, 0.05, 0.5, 0.95, 1.0] {
            let v = s.quantile(q);
            assert!((100.0..=100.5).contains(&v), "{q}: {v}");
        }
        assert_eq!(s.quantile(0.0), 100.0);
        assert_eq!(s.quantile(1.0), 100.5);
        // The range merges exactly, whatever the order, and -0 is told from +0.
        let (mut a, mut b) = (Sketch::default(), Sketch::default());
        a.add(0.0);
        b.add(-0.0);
        let mut ab = a.clone();
        ab.merge(&b);
        let mut ba = b.clone();
        ba.merge(&a);
        assert_eq!(ab.min.to_bits(), (-0.0f64).to_bits());
        assert_eq!(ab.min.to_bits(), ba.min.to_bits());
        assert_eq!(ab.max.to_bits(), ba.max.to_bits());
        let mut empty = Sketch::default();
        empty.merge(&Sketch::default());
        assert_eq!(empty, Sketch::default());
    }
}
