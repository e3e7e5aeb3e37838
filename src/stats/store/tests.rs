//! Tests of the stores: exact percentiles, rows in replication order whatever the merge, files
//! bit for bit, the sketch fallback, and spilled stores equal to stores kept in memory.
use proptest::prelude::*;

use super::*;
use crate::stats::bits;
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
        s.push(r, &row(r)).unwrap();
    }
    let q = s.quantiles().unwrap();
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
    (0..30).for_each(|r| whole.push(r, &row(r)).unwrap());
    // Three shards (every third replication), merged out of order; one pushed backwards.
    let mut shards = [Samples::new(70), Samples::new(70), Samples::new(70)];
    for r in (0..30).rev() {
        shards[r as usize % 3].push(r, &row(r)).unwrap();
    }
    let [a, b, c] = shards;
    let mut merged = c;
    merged.merge(a).unwrap();
    merged.merge(b).unwrap();
    assert_eq!(merged.replications(), whole.replications());
    let bits = |s: &Samples| s.values().iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    assert_eq!(bits(&merged), bits(&whole));
    // Later replications appended, as a precision run does.
    let mut later = Samples::new(70);
    (30..35).for_each(|r| later.push(r, &row(r)).unwrap());
    merged.merge(later).unwrap();
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
    let one =
        serde_json::json!({"width": 3, "replications": [0], "rows": [bits::encode(&[1.0, 2.0])]});
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
        exact.push(r, &row(r)).unwrap();
        sketched.push(r, &row(r)).unwrap();
    }
    assert_eq!(sketched.method(), QuantileMethod::Sketch);
    // Kept values turned into sketches part way give the sketches made from the start.
    let mut converted = exact.clone();
    converted.to_sketch().unwrap();
    assert_eq!(
        serde_json::to_string(&converted).unwrap(),
        serde_json::to_string(&sketched).unwrap()
    );
    for (k, (e, s)) in exact
        .quantiles()
        .unwrap()
        .iter()
        .zip(sketched.quantiles().unwrap())
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

/// A value of any kind a cell can hold: NaN, infinities, signed zeros, tiny and huge numbers.
fn any_value() -> impl Strategy<Value = f64> {
    prop_oneof![
        4 => -1e6..1e6f64,
        1 => Just(f64::NAN),
        1 => Just(f64::INFINITY),
        1 => Just(f64::NEG_INFINITY),
        1 => Just(-0.0),
        1 => Just(0.0),
        1 => Just(150_000.0),
        1 => any::<f64>(),
    ]
}

/// Every figure of `q`, as bits.
fn quantile_bits(q: &[Quantiles]) -> Vec<u64> {
    q.iter()
        .flat_map(|q| {
            [q.count, q.mean.to_bits()]
                .into_iter()
                .chain(q.p.map(f64::to_bits))
        })
        .collect()
}

/// A store of `width` values a row that never writes a block.
fn in_memory(width: usize) -> Samples {
    Samples::spilling(width, 1 << 20, None)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn a_spilled_store_is_bit_for_bit_the_store_kept_in_memory(
        (width, rows, order) in (0usize..5, 0usize..40).prop_flat_map(|(w, n)| {
            (
                Just(w),
                proptest::collection::vec(
                    (0u32..90, proptest::collection::vec(any_value(), w)),
                    n,
                ),
                Just((0..n).collect::<Vec<usize>>()).prop_shuffle(),
            )
        }),
        block_rows in 1usize..5,
        shards in 1u32..4,
    ) {
        // Distinct replications, pushed in a random order.
        let mut seen = std::collections::BTreeSet::new();
        let order: Vec<usize> = order.into_iter().filter(|&i| seen.insert(rows[i].0)).collect();
        let mut memory = in_memory(width);
        let mut spilled = Samples::spilling(width, block_rows, None);
        for &i in &order {
            memory.push(rows[i].0, &rows[i].1).unwrap();
            spilled.push(rows[i].0, &rows[i].1).unwrap();
        }
        let n = order.len();
        let written = if width == 0 { 0 } else { n / block_rows * block_rows };
        prop_assert_eq!(memory.spilled_rows(), 0);
        prop_assert_eq!(spilled.spilled_rows(), written);
        prop_assert_eq!(memory.replications(), spilled.replications());
        // Percentiles and means: type 7 and mean_in_order of each column in replication order.
        let by_replication: std::collections::BTreeMap<u32, &Vec<f64>> =
            order.iter().map(|&i| (rows[i].0, &rows[i].1)).collect();
        let oracle: Vec<Quantiles> = (0..width)
            .map(|c| {
                let mut column: Vec<f64> = by_replication.values().map(|r| r[c]).collect();
                Quantiles::of(&mut column)
            })
            .collect();
        let q = quantile_bits(&spilled.quantiles().unwrap());
        prop_assert_eq!(&q, &quantile_bits(&memory.quantiles().unwrap()));
        prop_assert_eq!(&q, &quantile_bits(&oracle));
        // The same rows, the same file text, the same sketches.
        let bits = |s: &Samples| s.values().iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        prop_assert_eq!(bits(&spilled), bits(&memory));
        prop_assert!(spilled == memory);
        let text = serde_json::to_string(&spilled).unwrap();
        prop_assert_eq!(&text, &serde_json::to_string(&memory).unwrap());
        let (mut a, mut b) = (QuantileStore::Exact(memory.clone()), QuantileStore::Exact(spilled.clone()));
        a.to_sketch().unwrap();
        b.to_sketch().unwrap();
        prop_assert_eq!(serde_json::to_string(&a).unwrap(), serde_json::to_string(&b).unwrap());
        // Read back into a spilled store: the same again.
        TEST_BLOCK_ROWS.set(Some(block_rows));
        let back: Result<Samples, _> = serde_json::from_str(&text);
        TEST_BLOCK_ROWS.set(None);
        let back = back.unwrap();
        prop_assert_eq!(back.spilled_rows(), written);
        prop_assert!(back == memory);
        prop_assert_eq!(quantile_bits(&back.quantiles().unwrap()), q.clone());
        // Shards (every `shards`-th replication), each spilled, merged in any order.
        let mut parts: Vec<Samples> =
            (0..shards).map(|_| Samples::spilling(width, block_rows, None)).collect();
        for &i in order.iter().rev() {
            parts[(rows[i].0 % shards) as usize].push(rows[i].0, &rows[i].1).unwrap();
        }
        parts.rotate_left(1);
        let mut merged = parts.remove(0);
        merged.merge_many(parts).unwrap();
        prop_assert!(merged == memory);
        prop_assert_eq!(quantile_bits(&merged.quantiles().unwrap()), q);
        prop_assert_eq!(serde_json::to_string(&merged).unwrap(), text);
    }
}

#[test]
fn clones_share_the_blocks_written_and_part_when_one_writes() {
    let mut a = Samples::spilling(70, 2, None);
    (0..5).for_each(|r| a.push(r, &row(r)).unwrap());
    assert_eq!(a.spilled_rows(), 4);
    let mut b = a.clone();
    // Each writes its own third block: b copies the file first, a keeps writing it.
    b.push(5, &row(5)).unwrap();
    a.push(7, &row(7)).unwrap();
    a.push(8, &row(8)).unwrap();
    b.push(6, &row(6)).unwrap();
    let rows_of = |s: &Samples| {
        let mut v = Vec::new();
        s.for_each_row(|r, x| v.push((r, x.iter().map(|x| x.to_bits()).collect::<Vec<_>>())))
            .unwrap();
        v
    };
    let want = |reps: &[u32]| {
        reps.iter()
            .map(|&r| (r, row(r).iter().map(|x| x.to_bits()).collect::<Vec<_>>()))
            .collect::<Vec<_>>()
    };
    assert_eq!(rows_of(&a), want(&[0, 1, 2, 3, 4, 7, 8]));
    assert_eq!(rows_of(&b), want(&[0, 1, 2, 3, 4, 5, 6]));
    // A row that belongs among the blocks written: the store is written again around it.
    a.push(1_000, &row(1_000)).unwrap();
    a.push(5, &row(5)).unwrap();
    assert_eq!(rows_of(&a), want(&[0, 1, 2, 3, 4, 5, 7, 8, 1_000]));
    assert_eq!(a.spilled_rows(), 8);
}

#[test]
fn a_store_that_cannot_write_its_file_says_so_and_keeps_its_rows() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("gone");
    let mut s = Samples::spilling(70, 2, Some(missing.clone()));
    s.push(0, &row(0)).unwrap();
    let e = s.push(1, &row(1)).unwrap_err();
    assert!(
        e.to_string().contains(&missing.display().to_string()),
        "{e}"
    );
    assert_eq!(s.replications(), [0, 1]);
    assert_eq!(s.values().len(), 140);
    std::fs::create_dir(&missing).unwrap();
    s.push(2, &row(2)).unwrap();
    assert_eq!(s.spilled_rows(), 2);
    assert_eq!(s.quantiles().unwrap().len(), 70);
}
