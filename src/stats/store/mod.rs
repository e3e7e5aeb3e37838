//! Every replication's value of many quantities (a run's weekly cells), kept so their
//! percentiles are exact, or, for a run past its memory budget, one sketch per quantity.
//!
//! [`Samples`] keeps a row of values per replication, rows in replication order: pushing
//! replications in any order, or merging shards that each hold every N-th replication, gives
//! the same rows, so every figure is the same bit for bit on any thread count and any sharding.
//! Percentiles are Hyndman & Fan's type 7 ([`super::quantile_sorted`]) over the defined (not NaN)
//! values; means are summed in replication order ([`super::mean_in_order`]).
//!
//! [`QuantileStore`] is that or its fallback, a [`Sketch`] per quantity (bounded memory; error
//! bound in [`super::sketch`]). Which one a run uses is decided from its size alone (see
//! `runner::memory`), so every shard of a run makes the same choice; kept values can be turned
//! into the very sketches they would have made ([`QuantileStore::to_sketch`]).

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::Quantiles;
use super::bits;
use super::sketch::Sketch;

/// How percentiles across replications are computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QuantileMethod {
    /// Every value kept: exact type-7 percentiles.
    Exact,
    /// A DDSketch per quantity, clamped into its exact [min, max]: bounded memory, within the
    /// sketch's stated error.
    Sketch,
}

impl QuantileMethod {
    /// The method's name as files write it: `exact` or `sketch`.
    pub fn name(self) -> &'static str {
        match self {
            QuantileMethod::Exact => "exact",
            QuantileMethod::Sketch => "sketch",
        }
    }
}

/// Every replication's value of `width` quantities: one row per replication, rows sorted by
/// replication index. In files (a shard's `partial.json`) each row is the base64 of its values'
/// bit patterns, so the values come back bit for bit (NaN and infinities included).
#[derive(Debug, Clone, Deserialize)]
#[serde(try_from = "SamplesFile")]
pub struct Samples {
    /// Values per row.
    width: usize,
    /// Replication index of each row, strictly ascending.
    replications: Vec<u32>,
    /// The rows, one after another (`replications.len() * width` values).
    values: Vec<f64>,
}

impl PartialEq for Samples {
    /// The same replications with the same values, bit for bit (so NaN equals NaN and -0 does
    /// not equal +0): what "the same result" means for a run.
    fn eq(&self, other: &Samples) -> bool {
        self.width == other.width
            && self.replications == other.replications
            && self.values.len() == other.values.len()
            && self
                .values
                .iter()
                .zip(&other.values)
                .all(|(a, b)| a.to_bits() == b.to_bits())
    }
}

impl Serialize for Samples {
    /// `{"width": .., "replications": [..], "rows": ["<base64>", ..]}`, a row encoded at a time
    /// (a streamed file never holds the text of every row at once).
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        /// The rows, each as base64 when it is written.
        struct Rows<'a>(&'a Samples);
        impl Serialize for Rows<'_> {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let width = self.0.width.max(1);
                s.collect_seq(self.0.values.chunks_exact(width).map(bits::encode))
            }
        }
        let mut st = s.serialize_struct("Samples", 3)?;
        st.serialize_field("width", &self.width)?;
        st.serialize_field("replications", &self.replications)?;
        st.serialize_field("rows", &Rows(self))?;
        st.end()
    }
}

/// [`Samples`] as a file holds it, checked by [`Samples::try_from`].
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SamplesFile {
    width: usize,
    replications: Vec<u32>,
    rows: RowsFile,
}

/// Rows read from base64, decoded one at a time into one vector: (values, rows, length of
/// every row if they all agree).
struct RowsFile(Vec<f64>, usize, Option<usize>);

impl<'de> Deserialize<'de> for RowsFile {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<RowsFile, D::Error> {
        /// Decodes each string as it is read.
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = RowsFile;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a list of base64 rows of values")
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<RowsFile, A::Error> {
                let mut out = RowsFile(Vec::new(), 0, None);
                while let Some(row) = seq.next_element::<String>()? {
                    let n =
                        bits::decode_into(&row, &mut out.0).map_err(serde::de::Error::custom)?;
                    out.2 = match (out.1, out.2) {
                        (0, _) => Some(n),
                        (_, Some(m)) if m == n => Some(m),
                        _ => None,
                    };
                    out.1 += 1;
                }
                Ok(out)
            }
        }
        d.deserialize_seq(Visitor)
    }
}

/// Rows read from a file that do not match their replications or width.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct SamplesError(String);

impl TryFrom<SamplesFile> for Samples {
    type Error = SamplesError;

    fn try_from(f: SamplesFile) -> Result<Samples, SamplesError> {
        let RowsFile(values, rows, length) = f.rows;
        if rows != f.replications.len() {
            return Err(SamplesError(format!(
                "{rows} rows of values for {} replications",
                f.replications.len()
            )));
        }
        if rows > 0 && length != Some(f.width) {
            return Err(SamplesError(format!(
                "rows of {} values expected, found rows of another length",
                f.width
            )));
        }
        if !f.replications.windows(2).all(|w| w[0] < w[1]) {
            return Err(SamplesError(
                "replications out of order or repeated".to_string(),
            ));
        }
        Ok(Samples {
            width: f.width,
            replications: f.replications,
            values,
        })
    }
}

impl Samples {
    /// No rows of `width` values.
    pub fn new(width: usize) -> Samples {
        Samples {
            width,
            replications: Vec::new(),
            values: Vec::new(),
        }
    }

    /// No rows of `width` values, with room for `rows` rows (a run knows how many it will
    /// keep: reserved once, the values never move).
    pub fn with_capacity(width: usize, rows: usize) -> Samples {
        Samples {
            width,
            replications: Vec::with_capacity(rows),
            values: Vec::with_capacity(width.saturating_mul(rows)),
        }
    }

    /// Values per row.
    pub fn width(&self) -> usize {
        self.width
    }

    /// Replication index of each row, ascending.
    pub fn replications(&self) -> &[u32] {
        &self.replications
    }

    /// The values, row after row.
    pub fn values(&self) -> &[f64] {
        &self.values
    }

    /// Adds the row of `replication`, in its place among the rows.
    ///
    /// # Panics
    ///
    /// If `row` is not `width` values long, or `replication` already has a row.
    pub fn push(&mut self, replication: u32, row: &[f64]) {
        assert_eq!(row.len(), self.width, "a row of {} values", self.width);
        match self.replications.last() {
            Some(&last) if last >= replication => {
                let at = match self.replications.binary_search(&replication) {
                    Ok(_) => panic!("replication {replication} is already stored"),
                    Err(at) => at,
                };
                self.replications.insert(at, replication);
                let tail = self.values.split_off(at * self.width);
                self.values.extend_from_slice(row);
                self.values.extend(tail);
            }
            _ => {
                self.replications.push(replication);
                self.values.extend_from_slice(row);
            }
        }
    }

    /// Adds the rows of `other` (other replications of the same quantities), keeping rows in
    /// replication order: the result is the same whatever the order shards are merged in.
    ///
    /// # Panics
    ///
    /// If the widths differ or a replication is in both.
    pub fn merge(&mut self, other: Samples) {
        assert_eq!(self.width, other.width, "samples of different widths");
        let after = match (self.replications.last(), other.replications.first()) {
            (Some(a), Some(b)) => a < b,
            _ => true,
        };
        self.replications.extend(other.replications);
        self.values.extend(other.values);
        if after {
            return; // the common case of a run extended by later replications
        }
        // order[i]: the row now at position order[i] goes to position i.
        let mut order: Vec<usize> = (0..self.replications.len()).collect();
        order.sort_unstable_by_key(|&i| self.replications[i]);
        assert!(
            order
                .windows(2)
                .all(|w| self.replications[w[0]] < self.replications[w[1]]),
            "a replication is stored twice"
        );
        self.replications = order.iter().map(|&i| self.replications[i]).collect();
        permute_rows(&mut self.values, self.width, &order);
    }

    /// Mean and percentiles of each quantity over the rows (NaN values left out; see
    /// [`Quantiles::of`]), in quantity order. Quantities are summarised in parallel blocks, each
    /// on its own: the result does not depend on the thread count.
    pub fn quantiles(&self) -> Vec<Quantiles> {
        // Blocks of adjacent quantities read each row's values a cache line at a time.
        const BLOCK: usize = 32;
        let rows = self.replications.len();
        let starts: Vec<usize> = (0..self.width).step_by(BLOCK).collect();
        let blocks: Vec<Vec<Quantiles>> = starts
            .par_iter()
            .map(|&first| {
                let n = BLOCK.min(self.width - first);
                let mut columns = vec![Vec::with_capacity(rows); n];
                for r in 0..rows {
                    let row = &self.values[r * self.width + first..][..n];
                    for (column, &x) in columns.iter_mut().zip(row) {
                        column.push(x);
                    }
                }
                columns
                    .iter_mut()
                    .map(|column| Quantiles::of(column))
                    .collect()
            })
            .collect();
        blocks.concat()
    }
}

/// Moves row `order[i]` of `values` (rows of `width`) to position `i`, in place, following the
/// permutation's cycles with one row of scratch.
fn permute_rows(values: &mut [f64], width: usize, order: &[usize]) {
    let mut placed = vec![false; order.len()];
    let mut scratch = vec![0.0; width];
    for start in 0..order.len() {
        if placed[start] {
            continue;
        }
        scratch.copy_from_slice(&values[start * width..][..width]);
        let mut to = start;
        loop {
            placed[to] = true;
            let from = order[to];
            if from == start {
                values[to * width..][..width].copy_from_slice(&scratch);
                break;
            }
            values.copy_within(from * width..(from + 1) * width, to * width);
            to = from;
        }
    }
}

/// Every replication's value of some quantities, or a sketch of each: what a run keeps of its
/// weekly cells, by [`QuantileMethod`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QuantileStore {
    /// Every value ([`QuantileMethod::Exact`]).
    Exact(Samples),
    /// A sketch per quantity ([`QuantileMethod::Sketch`]).
    Sketched(Vec<Sketch>),
}

impl QuantileStore {
    /// An empty store of `width` quantities, kept as `method` says.
    pub fn new(method: QuantileMethod, width: usize) -> QuantileStore {
        match method {
            QuantileMethod::Exact => QuantileStore::Exact(Samples::new(width)),
            QuantileMethod::Sketch => QuantileStore::Sketched(vec![Sketch::default(); width]),
        }
    }

    /// An empty store of `width` quantities, kept as `method` says, with room for the values
    /// of `rows` replications when they are kept.
    pub fn with_capacity(method: QuantileMethod, width: usize, rows: usize) -> QuantileStore {
        match method {
            QuantileMethod::Exact => QuantileStore::Exact(Samples::with_capacity(width, rows)),
            QuantileMethod::Sketch => QuantileStore::new(method, width),
        }
    }

    /// Quantities stored.
    pub fn width(&self) -> usize {
        match self {
            QuantileStore::Exact(s) => s.width,
            QuantileStore::Sketched(cells) => cells.len(),
        }
    }

    /// The replications whose values are kept, ascending (None for sketches, which do not say).
    pub fn replications(&self) -> Option<&[u32]> {
        match self {
            QuantileStore::Exact(s) => Some(&s.replications),
            QuantileStore::Sketched(_) => None,
        }
    }

    /// How this store computes percentiles.
    pub fn method(&self) -> QuantileMethod {
        match self {
            QuantileStore::Exact(_) => QuantileMethod::Exact,
            QuantileStore::Sketched(_) => QuantileMethod::Sketch,
        }
    }

    /// Adds replication `replication`'s value of every quantity.
    ///
    /// # Panics
    ///
    /// As [`Samples::push`] does.
    pub fn push(&mut self, replication: u32, row: &[f64]) {
        match self {
            QuantileStore::Exact(s) => s.push(replication, row),
            QuantileStore::Sketched(cells) => {
                assert_eq!(row.len(), cells.len(), "a row of {} values", cells.len());
                for (cell, &x) in cells.iter_mut().zip(row) {
                    cell.add(x);
                }
            }
        }
    }

    /// Adds another share of the replications (exact, whatever the order).
    ///
    /// # Panics
    ///
    /// If the two stores use different methods or widths (shards of one run never do: check
    /// before merging what came from elsewhere).
    pub fn merge(&mut self, other: QuantileStore) {
        match (self, other) {
            (QuantileStore::Exact(a), QuantileStore::Exact(b)) => a.merge(b),
            (QuantileStore::Sketched(a), QuantileStore::Sketched(b)) => {
                assert_eq!(a.len(), b.len(), "sketches of different widths");
                for (x, y) in a.iter_mut().zip(&b) {
                    x.merge(y);
                }
            }
            _ => panic!("cannot merge exact values with sketches"),
        }
    }

    /// Turns kept values into a sketch per quantity (nothing to do if already sketched). The
    /// sketches are those the values would have made added one by one, in any order: a store
    /// converted part way through a run equals one that sketched from the start.
    pub fn to_sketch(&mut self) {
        if let QuantileStore::Exact(s) = self {
            let mut cells = vec![Sketch::default(); s.width];
            for row in s.values.chunks_exact(s.width.max(1)) {
                for (cell, &x) in cells.iter_mut().zip(row) {
                    cell.add(x);
                }
            }
            *self = QuantileStore::Sketched(cells);
        }
    }

    /// Mean and percentiles of each quantity, in quantity order.
    pub fn quantiles(&self) -> Vec<Quantiles> {
        match self {
            QuantileStore::Exact(s) => s.quantiles(),
            QuantileStore::Sketched(cells) => cells
                .iter()
                .map(|c| Quantiles {
                    count: c.count,
                    mean: c.mean(),
                    p: super::PERCENTILES.map(|q| c.quantile(q)),
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::quantile_sorted;

    /// A row of 70 values for replication `r`: a constant, a NaN now and then, a spread.
    fn row(r: u32) -> Vec<f64> {
        (0..70)
            .map(|k| match k % 3 {
                0 => 150_000.0,
                1 if (r + k).is_multiple_of(5) => f64::NAN,
                _ => (f64::from(r * 70 + k) * 0.37).sin() * 1e3 + f64::from(k),
            })
            .collect()
    }

    #[test]
    fn exact_quantiles_match_type_7_over_the_defined_values() {
        let mut s = Samples::new(70);
        for r in 0..41 {
            s.push(r, &row(r));
        }
        let q = s.quantiles();
        assert_eq!(q.len(), 70);
        for (k, q) in q.iter().enumerate() {
            let mut column: Vec<f64> = (0..41).map(|r| row(r)[k]).filter(|x| !x.is_nan()).collect();
            let in_order = crate::stats::mean_in_order(&column);
            column.sort_by(f64::total_cmp);
            assert_eq!(q.count, column.len() as u64);
            assert_eq!(q.mean.to_bits(), in_order.to_bits());
            for (p, &level) in q.p.iter().zip(&crate::stats::PERCENTILES) {
                assert_eq!(p.to_bits(), quantile_sorted(&column, level).to_bits());
                assert!((column[0]..=column[column.len() - 1]).contains(p));
            }
            if k % 3 == 0 {
                assert!(q.p.iter().all(|&p| p == 150_000.0) && q.mean == 150_000.0);
            }
        }
    }

    #[test]
    fn rows_end_in_replication_order_whatever_the_merge() {
        let mut whole = Samples::new(70);
        (0..30).for_each(|r| whole.push(r, &row(r)));
        // Three shards (every third replication), merged out of order; one pushed backwards.
        let mut shards = [Samples::new(70), Samples::new(70), Samples::new(70)];
        for r in (0..30).rev() {
            shards[r as usize % 3].push(r, &row(r));
        }
        let [a, b, c] = shards;
        let mut merged = c;
        merged.merge(a);
        merged.merge(b);
        assert_eq!(merged.replications(), whole.replications());
        let bits = |s: &Samples| s.values().iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&merged), bits(&whole));
        // Later replications appended, as a precision run does.
        let mut later = Samples::new(70);
        (30..35).for_each(|r| later.push(r, &row(r)));
        merged.merge(later);
        assert_eq!(merged.replications(), (0..35).collect::<Vec<_>>());
        // Values travel through JSON bit for bit, NaN included.
        let json = serde_json::to_string(&merged).unwrap();
        let back: Samples = serde_json::from_str(&json).unwrap();
        assert_eq!(back.replications(), merged.replications());
        assert_eq!(bits(&back), bits(&merged));
        assert_eq!(back, merged, "equal bit for bit, NaN included");
        // Files whose rows do not fit their replications or width are refused.
        let mut v: serde_json::Value = serde_json::from_str(&json).unwrap();
        v["replications"][0] = serde_json::json!(99);
        assert!(
            serde_json::from_value::<Samples>(v.clone()).is_err(),
            "out of order"
        );
        v["replications"] = serde_json::json!([0]);
        assert!(
            serde_json::from_value::<Samples>(v.clone()).is_err(),
            "rows and replications"
        );
        let one = serde_json::json!({"width": 3, "replications": [0], "rows": [bits::encode(&[1.0, 2.0])]});
        assert!(
            serde_json::from_value::<Samples>(one).is_err(),
            "a short row"
        );
    }

    #[test]
    fn the_sketch_store_is_clamped_and_exact_on_constants() {
        let mut exact = QuantileStore::new(QuantileMethod::Exact, 70);
        let mut sketched = QuantileStore::new(QuantileMethod::Sketch, 70);
        for r in 0..25 {
            exact.push(r, &row(r));
            sketched.push(r, &row(r));
        }
        assert_eq!(sketched.method(), QuantileMethod::Sketch);
        // Kept values turned into sketches part way give the sketches made from the start.
        let mut converted = exact.clone();
        converted.to_sketch();
        assert_eq!(
            serde_json::to_string(&converted).unwrap(),
            serde_json::to_string(&sketched).unwrap()
        );
        for (k, (e, s)) in exact
            .quantiles()
            .iter()
            .zip(sketched.quantiles())
            .enumerate()
        {
            let column: Vec<f64> = (0..25).map(|r| row(r)[k]).filter(|x| !x.is_nan()).collect();
            let lo = column.iter().copied().fold(f64::INFINITY, f64::min);
            let hi = column.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            assert_eq!(e.count, s.count);
            if lo == hi {
                assert_eq!(s.p, [lo; 5], "a constant is exact");
                assert_eq!(s.mean, lo);
            }
            // Each neighbouring order statistic within 2% of its magnitude (or 1/400 of the
            // cell's largest, for the smallest): within 2.5% of the largest magnitude.
            let scale = lo.abs().max(hi.abs());
            for (x, y) in e.p.iter().zip(&s.p) {
                assert!((lo..=hi).contains(y), "{y} outside [{lo}, {hi}]");
                assert!((x - y).abs() <= 0.025 * scale, "{x} vs {y}");
            }
            assert!((e.mean - s.mean).abs() < 1e-6 * scale.max(1.0));
        }
    }
}
