//! The charts drawn for real into a scratch directory, and their data preparation.

use super::*;

const PNG_MAGIC: &[u8] = b"\x89PNG\r\n\x1a\n";

/// A fan that widens over time around a trend, like cumulative profit does.
fn fan(label: &str, weeks: u32, level: f64, slope: f64, spread: f64) -> BandSeries {
    let weeks: Vec<u32> = (1..=weeks).collect();
    let at = |z: f64| -> Vec<f64> {
        weeks
            .iter()
            .map(|&w| {
                let w = f64::from(w);
                level + slope * w + z * spread * w.sqrt()
            })
            .collect()
    };
    BandSeries {
        label: label.to_owned(),
        p05: at(-1.645),
        p25: at(-0.674),
        p50: at(0.0),
        p75: at(0.674),
        p95: at(1.645),
        weeks,
    }
}

fn assert_outputs(dir: &Path, stem: &str, title: &str) {
    let png = fs::read(dir.join(format!("{stem}.png"))).expect("png written");
    assert!(png.starts_with(PNG_MAGIC), "not a PNG");
    let svg = fs::read_to_string(dir.join(format!("{stem}.svg"))).expect("svg written");
    assert!(svg.contains(title), "svg lacks the title");
    let leftovers: Vec<_> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.contains(".tmp."))
        .collect();
    assert!(leftovers.is_empty(), "staging files left: {leftovers:?}");
}

fn dashboard_panels() -> Vec<Panel> {
    let spec = [
        ("Employee satisfaction", "score", 60.0, 0.2, 2.0),
        ("Employee retention", "%", 90.0, -0.05, 0.8),
        ("Service quality", "index", 70.0, 0.15, 1.5),
        ("Customer satisfaction", "score", 65.0, 0.25, 2.5),
        ("Customer loyalty", "%", 40.0, 0.3, 1.2),
        ("Revenue", "$ / week", 250_000.0, 2_500.0, 9_000.0),
        ("Weekly profit", "$", 20_000.0, 800.0, 6_000.0),
    ];
    spec.iter()
        .map(|&(title, unit, level, slope, spread)| Panel {
            title: title.to_owned(),
            unit: unit.to_owned(),
            series: vec![
                fan("Baseline", 52, level, slope, spread),
                fan("Training programme", 52, level, slope * 1.4, spread * 1.2),
                fan("Wage increase", 52, level * 0.98, slope * 1.2, spread),
            ],
        })
        .collect()
}

#[test]
fn profit_chart_writes_png_and_svg() {
    let dir = tempfile::tempdir().unwrap();
    let series = vec![
        fan("Baseline", 104, 0.0, 9_000.0, 40_000.0),
        fan("Training programme", 104, -150_000.0, 12_500.0, 60_000.0),
        fan("Wage increase", 104, -60_000.0, 10_000.0, 50_000.0),
    ];
    profit_chart(
        dir.path(),
        "Cumulative profit by arm",
        "Cumulative profit ($)",
        &series,
    )
    .unwrap();
    assert_outputs(dir.path(), "profit", "Cumulative profit by arm");
}

#[test]
fn dashboard_writes_png_and_svg() {
    let dir = tempfile::tempdir().unwrap();
    chain_dashboard(dir.path(), "Service-profit chain", &dashboard_panels()).unwrap();
    assert_outputs(dir.path(), "chain", "Service-profit chain");
}

#[test]
fn empty_input_draws_no_data_charts() {
    let dir = tempfile::tempdir().unwrap();
    profit_chart(dir.path(), "Empty profit", "$", &[]).unwrap();
    assert_outputs(dir.path(), "profit", "Empty profit");
    assert!(
        fs::read_to_string(dir.path().join("profit.svg"))
            .unwrap()
            .contains("no data")
    );

    chain_dashboard(dir.path(), "Empty chain", &[]).unwrap();
    assert_outputs(dir.path(), "chain", "Empty chain");

    let empty_series = BandSeries {
        label: String::new(),
        weeks: vec![],
        p05: vec![],
        p25: vec![],
        p50: vec![],
        p75: vec![],
        p95: vec![],
    };
    profit_chart(
        dir.path(),
        "Empty series",
        "$",
        std::slice::from_ref(&empty_series),
    )
    .unwrap();
    let panels = vec![
        Panel {
            title: "Nothing".into(),
            unit: String::new(),
            series: vec![],
        },
        Panel {
            title: "Empty".into(),
            unit: "%".into(),
            series: vec![empty_series],
        },
    ];
    chain_dashboard(dir.path(), "Empty panels", &panels).unwrap();
    assert_outputs(dir.path(), "chain", "Empty panels");
}

#[test]
fn non_finite_and_degenerate_input_does_not_panic() {
    let dir = tempfile::tempdir().unwrap();
    let mut gappy = fan("Gappy", 30, 1_000.0, 50.0, 200.0);
    for i in [0, 5, 6, 12, 14, 29] {
        gappy.p50[i] = f64::NAN;
    }
    gappy.p05[8] = f64::NEG_INFINITY;
    gappy.p95[20] = f64::INFINITY;
    gappy.p75.truncate(25); // unequal lengths are truncated, not an error
    let all_nan = BandSeries {
        label: "All NaN".into(),
        weeks: vec![1, 2, 3],
        p05: vec![f64::NAN; 3],
        p25: vec![f64::NAN; 3],
        p50: vec![f64::NAN; 3],
        p75: vec![f64::NAN; 3],
        p95: vec![f64::NAN; 3],
    };
    let flat = BandSeries {
        label: "Flat".into(),
        weeks: vec![5],
        p05: vec![0.0],
        p25: vec![0.0],
        p50: vec![0.0],
        p75: vec![0.0],
        p95: vec![0.0],
    };
    let huge = BandSeries {
        label: "Huge".into(),
        weeks: vec![1, 2],
        p05: vec![-f64::MAX; 2],
        p25: vec![0.0; 2],
        p50: vec![0.0; 2],
        p75: vec![0.0; 2],
        p95: vec![f64::MAX; 2],
    };
    for series in [
        vec![gappy.clone(), all_nan.clone()],
        vec![all_nan.clone()],
        vec![flat.clone()],
        vec![huge.clone()],
    ] {
        profit_chart(dir.path(), "Odd data", "$", &series).unwrap();
        assert_outputs(dir.path(), "profit", "Odd data");
    }
    let panels: Vec<Panel> = [gappy, all_nan, flat, huge]
        .into_iter()
        .map(|s| Panel {
            title: s.label.clone(),
            unit: "u".into(),
            series: vec![s],
        })
        .collect();
    chain_dashboard(dir.path(), "Odd chain", &panels).unwrap();
    assert_outputs(dir.path(), "chain", "Odd chain");
}

/// A chart whose drawing always fails, to exercise the replacement logic.
struct Failing;
impl Chart for Failing {
    fn size(&self) -> (u32, u32) {
        (50, 50)
    }
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        root.fill(&RED)?;
        Err(DrawingAreaErrorKind::LayoutError)
    }
}

#[test]
fn failed_draw_keeps_previous_files() {
    let dir = tempfile::tempdir().unwrap();
    let series = vec![fan("A", 10, 0.0, 1.0, 1.0)];
    profit_chart(dir.path(), "Good chart", "$", &series).unwrap();
    let before = fs::read(dir.path().join("profit.png")).unwrap();
    let err = write_chart(dir.path(), "profit", &Failing).unwrap_err();
    assert!(matches!(err, PlotError::Draw { .. }), "{err:?}");
    assert!(err.to_string().contains("profit.png'"), "{err}");
    assert_eq!(fs::read(dir.path().join("profit.png")).unwrap(), before);
    assert_outputs(dir.path(), "profit", "Good chart");
}

#[test]
fn ticks_are_compact_and_distinct() {
    assert_eq!(format_tick(1_200_000.0, 200_000.0), "1.2M");
    assert_eq!(format_tick(350_000.0, 50_000.0), "350k");
    assert_eq!(format_tick(1_250_000.0, 250_000.0), "1.25M");
    assert_eq!(format_tick(-4_500_000_000.0, 500_000_000.0), "-4.5B");
    assert_eq!(format_tick(0.25, 0.05), "0.25");
    assert_eq!(format_tick(-1e-12, 0.1), "0");
    assert_eq!(format_tick(42.0, 10.0), "42");
    assert_eq!(format_tick(f64::NAN, 1.0), "");
    assert_eq!(format_tick(2.5e-7, 1e-8), "2.500e-7");
    assert_eq!(format_tick(3e20, 1e19), "3.000e20");
}

#[test]
fn bounds_pad_flat_data_and_skip_non_finite() {
    let s = BandSeries {
        label: "x".into(),
        weeks: vec![3, 4],
        p05: vec![f64::NAN, 10.0],
        p25: vec![10.0, 10.0],
        p50: vec![10.0, f64::INFINITY],
        p75: vec![10.0, 10.0],
        p95: vec![10.0, 10.0],
    };
    let b = bounds(std::slice::from_ref(&s)).unwrap();
    assert_eq!(b.x, (3, 4));
    assert!(b.y.0 < 10.0 && b.y.1 > 10.0);
    assert!(bounds(&[]).is_none());
}
