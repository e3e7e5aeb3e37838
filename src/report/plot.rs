//! Charts for the simulator's reports: a cumulative-profit fan chart and a
//! dashboard of small multiples for the links of the service-profit chain.
//!
//! Every chart is written twice, as PNG (quick viewing) and SVG (documents),
//! by one generic drawing routine per chart. Text uses an embedded DejaVu
//! Sans, so rendering never depends on fonts installed on the machine.
//!
//! Input contract, chosen so that reports never abort a long simulation run:
//! - non-finite values are skipped, and lines and bands break at such gaps
//!   instead of bridging them;
//! - within a [`BandSeries`], vectors of unequal length are truncated to the
//!   shortest one;
//! - input with nothing plottable (no series, no panels, all-NaN) still
//!   produces the files, with a "no data" note where the plot would be, and
//!   the functions return `Ok`.
//!
//! Files are replaced atomically: each is drawn under a temporary name in the
//! target directory and renamed into place only after both formats drew.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

use plotters::chart::ChartContext;
use plotters::coord::Shift;
use plotters::coord::cartesian::Cartesian2d;
use plotters::coord::types::{RangedCoordf64, RangedCoordi64};
use plotters::drawing::DrawingAreaErrorKind;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::{FontStyle, register_font};

/// A quantity by week across replications: median with 50% and 90% bands.
#[derive(Debug, Clone)]
pub struct BandSeries {
    /// Legend label (e.g. the arm's name).
    pub label: String,
    /// Week numbers (x axis), ascending.
    pub weeks: Vec<u32>,
    /// 5th percentile per week: lower edge of the 90% band.
    pub p05: Vec<f64>,
    /// 25th percentile per week: lower edge of the 50% band.
    pub p25: Vec<f64>,
    /// Median per week: the drawn line.
    pub p50: Vec<f64>,
    /// 75th percentile per week: upper edge of the 50% band.
    pub p75: Vec<f64>,
    /// 95th percentile per week: upper edge of the 90% band.
    pub p95: Vec<f64>,
}

/// One small multiple of the dashboard.
#[derive(Debug, Clone)]
pub struct Panel {
    /// Panel heading (e.g. "Employee satisfaction").
    pub title: String,
    /// Unit of the y axis, shown after the title; may be empty.
    pub unit: String,
    /// Series drawn in this panel; index `i` gets the same colour in every panel.
    pub series: Vec<BandSeries>,
}

/// Errors from drawing.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PlotError {
    /// The embedded font could not be parsed or registered with plotters.
    #[error("failed to register the embedded font as '{family}'")]
    Font {
        /// Family name the font was to be registered under.
        family: &'static str,
    },
    /// Plotters failed while drawing or encoding a chart.
    #[error("failed to draw '{}': {reason}", path.display())]
    Draw {
        /// The chart file that was being produced.
        path: PathBuf,
        /// Plotters' description of the failure (its error type is backend-specific).
        reason: String,
    },
    /// Creating the directory or moving a finished file into place failed.
    #[error("cannot write '{}': {source}", path.display())]
    Io {
        /// The directory or file concerned.
        path: PathBuf,
        /// The underlying error.
        source: io::Error,
    },
}

/// Writes `profit.png` and `profit.svg` into `dir`: cumulative profit (y, in
/// currency units, label given by `y_label`) over weeks, one median line per
/// series with a shaded 50% band (darker) and 90% band (lighter), legend, title.
///
/// `dir` is created if missing. Existing files are replaced atomically.
/// Empty or all-NaN input yields a chart with a "no data" note and `Ok(())`.
///
/// # Errors
///
/// [`PlotError::Io`] if `dir` cannot be created or a file cannot be moved
/// into place, [`PlotError::Draw`] if plotters fails to draw or encode, and
/// [`PlotError::Font`] if the embedded font is unusable. On error, earlier
/// `profit.*` files are left as they were.
pub fn profit_chart(
    dir: &Path,
    title: &str,
    y_label: &str,
    series: &[BandSeries],
) -> Result<(), PlotError> {
    band_chart(dir, "profit", title, y_label, series)
}

/// Writes `<stem>.png` and `<stem>.svg`: the same chart as [`profit_chart`] for any quantity
/// by week (e.g. `arms`, cumulative profit per arm; `delta`, the paired difference from the
/// baseline).
pub fn band_chart(
    dir: &Path,
    stem: &str,
    title: &str,
    y_label: &str,
    series: &[BandSeries],
) -> Result<(), PlotError> {
    write_chart(
        dir,
        stem,
        &ProfitChart {
            title,
            y_label,
            series,
        },
    )
}

/// One row of an interval chart: a point estimate with its interval.
#[derive(Debug, Clone)]
pub struct IntervalRow {
    /// Row label (the arm).
    pub label: String,
    /// Point estimate.
    pub estimate: f64,
    /// Lower end of the interval.
    pub lo: f64,
    /// Upper end of the interval.
    pub hi: f64,
}

/// Writes `<stem>.png` and `<stem>.svg`: one horizontal row per item, a dot at the estimate
/// and a whisker over the interval, with a reference line at zero. Rows with no finite
/// estimate are labelled "n/a".
pub fn interval_chart(
    dir: &Path,
    stem: &str,
    title: &str,
    x_label: &str,
    rows: &[IntervalRow],
) -> Result<(), PlotError> {
    let colors: Vec<usize> = (0..rows.len()).collect();
    interval_chart_coloured(dir, stem, title, x_label, rows, &colors)
}

/// [`interval_chart`] with row `i` drawn in palette colour `colors[i]`, so that a row keeps
/// the colour its arm has in the other charts (e.g. when the baseline has no row).
pub fn interval_chart_coloured(
    dir: &Path,
    stem: &str,
    title: &str,
    x_label: &str,
    rows: &[IntervalRow],
    colors: &[usize],
) -> Result<(), PlotError> {
    write_chart(
        dir,
        stem,
        &IntervalChart {
            title,
            x_label,
            rows,
            colors,
        },
    )
}

struct IntervalChart<'a> {
    title: &'a str,
    x_label: &'a str,
    rows: &'a [IntervalRow],
    colors: &'a [usize],
}

impl Chart for IntervalChart<'_> {
    fn size(&self) -> (u32, u32) {
        (PROFIT_SIZE.0, 220 + 70 * self.rows.len().max(1) as u32)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        root.fill(&WHITE)?;
        let finite = |x: f64| x.is_finite().then_some(x);
        let values: Vec<f64> = self
            .rows
            .iter()
            .flat_map(|r| [r.lo, r.hi, r.estimate])
            .filter_map(finite)
            .chain([0.0])
            .collect();
        let (mut lo, mut hi) = values
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| {
                (a.min(x), b.max(x))
            });
        if hi - lo < 1e-9 {
            lo -= 1.0;
            hi += 1.0;
        }
        let pad = 0.08 * (hi - lo);
        let n = self.rows.len().max(1);
        let title_size = fitted_size(root, self.title, 26.0);
        let mut chart = ChartBuilder::on(root)
            .caption(
                self.title,
                text_style(title_size, BLACK, HPos::Center, VPos::Top),
            )
            .margin(20)
            .x_label_area_size(60)
            .y_label_area_size(
                self.rows
                    .iter()
                    .map(|r| 40 + 11 * r.label.chars().count() as u32)
                    .max()
                    .unwrap_or(0)
                    .clamp(220, 520),
            )
            .build_cartesian_2d((lo - pad)..(hi + pad), -0.5f64..(n as f64 - 0.5))?;
        let labels: Vec<String> = self.rows.iter().map(|r| r.label.clone()).collect();
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(n)
            .y_label_formatter(&|y| {
                let i = y.round();
                if (y - i).abs() < 1e-6 && i >= 0.0 {
                    labels.get(i as usize).cloned().unwrap_or_default()
                } else {
                    String::new()
                }
            })
            .x_desc(self.x_label)
            .x_label_formatter(&|x| format_tick(*x, (hi - lo) / 8.0))
            .label_style(text_style(LABEL_FONT, BLACK, HPos::Center, VPos::Center))
            .axis_desc_style(text_style(AXIS_FONT, BLACK, HPos::Center, VPos::Center))
            .draw()?;
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(0.0, -0.5), (0.0, n as f64 - 0.5)],
            BLACK.mix(0.5),
        )))?;
        for (i, r) in self.rows.iter().enumerate() {
            let y = i as f64;
            let c = color(self.colors.get(i).copied().unwrap_or(i));
            if let (Some(a), Some(b)) = (finite(r.lo), finite(r.hi)) {
                chart.draw_series(std::iter::once(PathElement::new(
                    vec![(a, y), (b, y)],
                    c.stroke_width(4),
                )))?;
            }
            match finite(r.estimate) {
                Some(e) => {
                    chart.draw_series(std::iter::once(Circle::new((e, y), 8, c.filled())))?;
                }
                None => {
                    chart.draw_series(std::iter::once(Text::new(
                        "n/a",
                        (0.0, y),
                        text_style(LABEL_FONT, BLACK, HPos::Left, VPos::Center),
                    )))?;
                }
            }
        }
        Ok(())
    }
}

/// Writes `chain.png` and `chain.svg`: a grid of small multiples (3 columns;
/// rows as needed), one per panel, each with title + unit, median line and
/// 50%/90% bands per series, shared colours per series index across panels,
/// a single legend.
///
/// The legend takes the label of series `i` from the first panel that has
/// one. The image is 1600x1100 for up to 3 rows and grows 300 px per extra
/// row. `dir` is created if missing; files are replaced atomically. Empty
/// input (no panels, or panels without finite data) draws "no data" notes
/// and returns `Ok(())`.
///
/// # Errors
///
/// As for [`profit_chart`]; on error, earlier `chain.*` files are left as
/// they were.
pub fn chain_dashboard(dir: &Path, title: &str, panels: &[Panel]) -> Result<(), PlotError> {
    write_chart(dir, "chain", &Dashboard { title, panels })
}

// ---------------------------------------------------------------------------
// Styling

/// Family used by all text; the embedded font is registered under this name,
/// which is also plotters' default, so no text can fall back to a system font.
const FONT: &str = "sans-serif";
static FONT_BYTES: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/assets/fonts/DejaVuSans.ttf"
));

/// Every chart is slide-shaped, 1600 x 900 (16:9), or as wide with the height its rows need.
const PROFIT_SIZE: (u32, u32) = (1600, 900);
const DASH_WIDTH: u32 = 1600;
const DASH_MIN_HEIGHT: u32 = 1100;
const DASH_ROW_HEIGHT: u32 = 300;
const DASH_COLUMNS: usize = 3;

/// matplotlib's "tab10": ten hues that stay distinct as lines and as tints.
const PALETTE: [RGBColor; 10] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
    RGBColor(188, 189, 34),
    RGBColor(23, 190, 207),
];
/// Band opacities; the 50% band is drawn over the 90% band, so it ends up darker.
const ALPHA_90: f64 = 0.15;
const ALPHA_50: f64 = 0.30;
const GRID_COLOR: RGBAColor = RGBAColor(0, 0, 0, 0.08);
const NOTE_COLOR: RGBColor = RGBColor(90, 90, 90);
/// En spaces around the separators: SVG viewers collapse runs of ASCII spaces.
const BAND_NOTE: &str = "Line: median over replications\u{2002}\u{b7}\u{2002}Dark band: middle 50% (p25\u{2013}p75)\u{2002}\u{b7}\u{2002}Light band: 90% (p5\u{2013}p95)";

fn color(index: usize) -> RGBColor {
    PALETTE[index % PALETTE.len()]
}

/// Registers the embedded font once per process; plotters keeps it in a global table.
fn ensure_font() -> Result<(), PlotError> {
    static REGISTERED: OnceLock<bool> = OnceLock::new();
    let ok = *REGISTERED.get_or_init(|| register_font(FONT, FontStyle::Normal, FONT_BYTES).is_ok());
    if ok {
        Ok(())
    } else {
        Err(PlotError::Font { family: FONT })
    }
}

// ---------------------------------------------------------------------------
// File handling: one generic draw, two backends, atomic replacement

type DrawResult<DB> = Result<(), DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;

/// A chart that can be drawn on any plotters backend.
trait Chart {
    /// Image size in pixels (SVG uses the same user units).
    fn size(&self) -> (u32, u32);
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB>;
}

/// Draws `chart` as `<stem>.png` and `<stem>.svg` in `dir`, replacing old files
/// only once both have been drawn successfully.
fn write_chart<C: Chart>(dir: &Path, stem: &str, chart: &C) -> Result<(), PlotError> {
    ensure_font()?;
    fs::create_dir_all(dir).map_err(|source| PlotError::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    let png = dir.join(format!("{stem}.png"));
    let svg = dir.join(format!("{stem}.svg"));
    let png_tmp = staging_path(dir, stem, "png");
    let svg_tmp = staging_path(dir, stem, "svg");
    let size = chart.size();
    let result = render(BitMapBackend::new(&png_tmp, size), chart, &png)
        .and_then(|()| render(SVGBackend::new(&svg_tmp, size), chart, &svg))
        .and_then(|()| publish(&png_tmp, &png))
        .and_then(|()| publish(&svg_tmp, &svg));
    if result.is_err() {
        // Best effort: a staging file may not exist (or was already renamed).
        let _ = fs::remove_file(&png_tmp);
        let _ = fs::remove_file(&svg_tmp);
    }
    result
}

/// A unique hidden name in the target directory, so the final rename stays on
/// one file system. It keeps the real extension: the PNG encoder picks the
/// format from it.
fn staging_path(dir: &Path, stem: &str, ext: &str) -> PathBuf {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    dir.join(format!(".{stem}.{}-{n}.tmp.{ext}", std::process::id()))
}

fn render<DB: DrawingBackend, C: Chart>(
    backend: DB,
    chart: &C,
    target: &Path,
) -> Result<(), PlotError> {
    let root = backend.into_drawing_area();
    chart
        .draw(&root)
        .and_then(|()| root.present())
        .map_err(|e| PlotError::Draw {
            path: target.to_path_buf(),
            reason: e.to_string(),
        })
    // `root` drops here; if drawing failed its backend writes the staging
    // file on drop, which the caller then removes.
}

fn publish(tmp: &Path, target: &Path) -> Result<(), PlotError> {
    let io_err = |source| PlotError::Io {
        path: target.to_path_buf(),
        source,
    };
    // Flush before renaming so a crash cannot leave an empty file under the real name.
    fs::File::open(tmp)
        .and_then(|f| f.sync_all())
        .map_err(io_err)?;
    fs::rename(tmp, target).map_err(io_err)
}

// ---------------------------------------------------------------------------
// Data preparation

/// Plot extent: weeks on x, values on y, both padded so nothing sits on the frame.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Bounds {
    x: (i64, i64),
    y: (f64, f64),
}

/// Extent over all finite quantiles (in practice p05..p95), or `None` when
/// nothing is plottable.
fn bounds(series: &[BandSeries]) -> Option<Bounds> {
    let mut x: Option<(i64, i64)> = None;
    let mut y: Option<(f64, f64)> = None;
    for s in series {
        let rows = s
            .weeks
            .iter()
            .zip(&s.p05)
            .zip(&s.p25)
            .zip(&s.p50)
            .zip(&s.p75)
            .zip(&s.p95);
        for (((((&w, &a), &b), &c), &d), &e) in rows {
            for v in [a, b, c, d, e].into_iter().filter(|v| v.is_finite()) {
                let (lo, hi) = y.unwrap_or((v, v));
                y = Some((lo.min(v), hi.max(v)));
                let w = i64::from(w);
                let (lo, hi) = x.unwrap_or((w, w));
                x = Some((lo.min(w), hi.max(w)));
            }
        }
    }
    let (mut x0, mut x1) = x?;
    let (y0, y1) = y?;
    if x0 == x1 {
        x0 -= 1;
        x1 += 1;
    }
    let span = y1 - y0;
    let pad = if span > y0.abs().max(y1.abs()) * 1e-9 {
        span * 0.05
    } else if y1 != 0.0 {
        // Flat data: give it visible room around its level.
        y1.abs() * 0.1
    } else {
        1.0
    };
    let (y0, y1) = (y0 - pad, y1 + pad);
    // Values near f64::MAX overflow once padded; plotters cannot scale those.
    (y0.is_finite() && y1.is_finite() && y1 > y0).then_some(Bounds {
        x: (x0, x1),
        y: (y0, y1),
    })
}

/// Splits `(week, lo, hi)` at non-finite values into runs, so that gaps stay
/// visible instead of being bridged by a line or band.
fn runs(weeks: &[u32], lo: &[f64], hi: &[f64]) -> Vec<Vec<(i64, f64, f64)>> {
    let mut out = Vec::new();
    let mut current = Vec::new();
    for ((&w, &l), &h) in weeks.iter().zip(lo).zip(hi) {
        if l.is_finite() && h.is_finite() {
            current.push((i64::from(w), l, h));
        } else if !current.is_empty() {
            out.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// Formats a y tick compactly (`1.2M`, `350k`, `-4.5B`, `0.25`), with just
/// enough decimals that ticks `step` apart stay distinguishable.
fn format_tick(v: f64, step: f64) -> String {
    if !v.is_finite() {
        return String::new();
    }
    let a = v.abs();
    let (scale, suffix) = if a >= 1e12 {
        (1e12, "T")
    } else if a >= 1e9 {
        (1e9, "B")
    } else if a >= 1e6 {
        (1e6, "M")
    } else if a >= 1e3 {
        (1e3, "k")
    } else {
        (1.0, "")
    };
    let step = step.abs() / scale;
    let decimals = if step.is_finite() && step > 0.0 {
        1.0 - step.log10().floor()
    } else {
        2.0
    };
    if a >= 1e15 || decimals > 6.0 {
        // Beyond suffixes, or steps too fine for fixed decimals: scientific keeps ticks distinct.
        return format!("{v:.3e}");
    }
    let mut s = format!("{:.*}", decimals.max(0.0) as usize, v / scale);
    if s.contains('.') {
        s.truncate(s.trim_end_matches('0').trim_end_matches('.').len());
    }
    if s == "-0" {
        // Float noise around zero would otherwise print as "-0".
        "0".clone_into(&mut s);
    }
    s + suffix
}

fn series_label(label: &str, index: usize) -> String {
    if label.trim().is_empty() {
        format!("series {}", index + 1)
    } else {
        label.to_owned()
    }
}

// ---------------------------------------------------------------------------
// Shared drawing pieces

type FanChart<'a, DB> = ChartContext<'a, DB, Cartesian2d<RangedCoordi64, RangedCoordf64>>;

fn text_style(size: f64, color: RGBColor, h: HPos, v: VPos) -> TextStyle<'static> {
    TextStyle {
        font: (FONT, size).into_font(),
        color: color.to_backend_color(),
        pos: Pos::new(h, v),
    }
}

/// The largest font size up to `max` (at least 14) at which `text` fits the area's width with
/// a margin: titles that state a finding can be long, and must not run off the page.
fn fitted_size<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, text: &str, max: f64) -> f64 {
    let room = f64::from(area.dim_in_pixel().0) - 40.0;
    let mut size = max;
    while size > 14.0 {
        match area.estimate_text_size(text, &text_style(size, BLACK, HPos::Center, VPos::Top)) {
            Ok((w, _)) if f64::from(w) > room => size -= 1.0,
            _ => break,
        }
    }
    size
}

/// Title and the note explaining what line and bands mean, centred at the top.
fn draw_header<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, title: &str) -> DrawResult<DB> {
    let (w, _) = area.dim_in_pixel();
    let cx = (w / 2) as i32;
    let size = fitted_size(area, title, 34.0);
    let title_style = text_style(size, BLACK, HPos::Center, VPos::Top);
    area.draw(&Text::new(title.to_owned(), (cx, 14), title_style))?;
    let note_style = text_style(17.0, NOTE_COLOR, HPos::Center, VPos::Top);
    area.draw(&Text::new(BAND_NOTE, (cx, 60), note_style))?;
    Ok(())
}

const HEADER_HEIGHT: u32 = 92;
const LEGEND_FONT: f64 = 19.0;
/// Tick labels of every full-size chart (the dashboard's small multiples use smaller ones).
const LABEL_FONT: f64 = 20.0;
/// Axis descriptions of every full-size chart.
const AXIS_FONT: f64 = 22.0;
const LEGEND_ROW: i32 = 30;
const SWATCH: i32 = 40;
/// Beyond this many rows the legend would crowd out the plot itself.
const LEGEND_MAX_ROWS: usize = 4;

/// Legend entries placed in centred rows that wrap at the image width; kept
/// outside the plot so it can never hide data.
struct Legend {
    /// (label, colour index, x, y centre), in pixels relative to the legend's top.
    entries: Vec<(String, usize, i32, i32)>,
    /// Note for entries cut off by [`LEGEND_MAX_ROWS`]: (text, y centre).
    overflow: Option<(String, i32)>,
    height: u32,
}

impl Legend {
    fn layout(labels: &[String], width: u32) -> Self {
        let font = (FONT, LEGEND_FONT).into_font();
        let max_row = width as i32 - 40;
        let mut rows: Vec<Vec<(usize, i32)>> = Vec::new();
        let mut row_width = 0;
        for (i, label) in labels.iter().enumerate() {
            let text_w = font.box_size(label).map_or_else(
                |_| label.chars().count() as i32 * LEGEND_FONT as i32 / 2,
                |(w, _)| w as i32,
            );
            let item = SWATCH + 8 + text_w + 32;
            match rows.last_mut() {
                Some(row) if row_width + item <= max_row => {
                    row.push((i, item));
                    row_width += item;
                }
                _ => {
                    rows.push(vec![(i, item)]);
                    row_width = item;
                }
            }
        }
        let hidden: usize = rows.iter().skip(LEGEND_MAX_ROWS).map(Vec::len).sum();
        rows.truncate(LEGEND_MAX_ROWS);
        let mut entries = Vec::with_capacity(labels.len());
        for (r, row) in rows.iter().enumerate() {
            // The last item's trailing gap is not part of the visible row.
            let used: i32 = row.iter().map(|&(_, w)| w).sum::<i32>() - 32;
            let mut x = ((width as i32 - used) / 2).max(10);
            let y = r as i32 * LEGEND_ROW + LEGEND_ROW / 2;
            for &(i, item) in row {
                entries.push((labels[i].clone(), i, x, y));
                x += item;
            }
        }
        let overflow = (hidden > 0).then(|| {
            let y = rows.len() as i32 * LEGEND_ROW + LEGEND_ROW / 2;
            (format!("\u{2026} and {hidden} more series"), y)
        });
        let lines = rows.len() + usize::from(overflow.is_some());
        Self {
            entries,
            overflow,
            height: lines as u32 * LEGEND_ROW as u32 + if lines == 0 { 0 } else { 8 },
        }
    }

    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>, top: i32) -> DrawResult<DB> {
        for (label, i, x, y) in &self.entries {
            let (x, y, c) = (*x, top + *y, color(*i));
            // Same layering as in the plot: 90% tint, 50% tint over it, median line.
            area.draw(&Rectangle::new(
                [(x, y - 10), (x + SWATCH, y + 10)],
                c.mix(ALPHA_90).filled(),
            ))?;
            area.draw(&Rectangle::new(
                [(x, y - 5), (x + SWATCH, y + 5)],
                c.mix(ALPHA_50).filled(),
            ))?;
            area.draw(&PathElement::new(
                vec![(x, y), (x + SWATCH, y)],
                c.stroke_width(3),
            ))?;
            let style = text_style(LEGEND_FONT, BLACK, HPos::Left, VPos::Center);
            area.draw(&Text::new(label.clone(), (x + SWATCH + 8, y), style))?;
        }
        if let Some((note, y)) = &self.overflow {
            let cx = (area.dim_in_pixel().0 / 2) as i32;
            let style = text_style(LEGEND_FONT, NOTE_COLOR, HPos::Center, VPos::Center);
            area.draw(&Text::new(note.clone(), (cx, top + *y), style))?;
        }
        Ok(())
    }
}

/// Placeholder for an area with nothing plottable, so the output still shows
/// which chart it is and why it is blank.
fn draw_no_data<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    caption: Option<&str>,
    font: f64,
) -> DrawResult<DB> {
    let (w, h) = area.dim_in_pixel();
    let (w, h) = (w as i32, h as i32);
    area.draw(&Rectangle::new(
        [(6, 6), (w - 6, h - 6)],
        RGBColor(200, 200, 200).stroke_width(1),
    ))?;
    if let Some(caption) = caption {
        let style = text_style(font, BLACK, HPos::Center, VPos::Top);
        area.draw(&Text::new(caption.to_owned(), (w / 2, 14), style))?;
    }
    let style = text_style(font, NOTE_COLOR, HPos::Center, VPos::Center);
    area.draw(&Text::new("no data", (w / 2, h / 2), style))?;
    Ok(())
}

/// Draws every series' bands and medians. All 90% bands go first, then all
/// 50% bands, then all medians, so no series' band covers another's line.
fn draw_fans<DB: DrawingBackend>(
    chart: &mut FanChart<'_, DB>,
    series: &[BandSeries],
    line_width: u32,
) -> DrawResult<DB> {
    for (i, s) in series.iter().enumerate() {
        draw_band(chart, &s.weeks, &s.p05, &s.p95, color(i).mix(ALPHA_90))?;
    }
    for (i, s) in series.iter().enumerate() {
        draw_band(chart, &s.weeks, &s.p25, &s.p75, color(i).mix(ALPHA_50))?;
    }
    for (i, s) in series.iter().enumerate() {
        let style = color(i).stroke_width(line_width);
        for run in runs(&s.weeks, &s.p50, &s.p50) {
            if let [(x, y, _)] = run[..] {
                // A lone point between gaps would be invisible as a line.
                chart.draw_series(std::iter::once(Circle::new(
                    (x, y),
                    line_width + 2,
                    style.filled(),
                )))?;
            } else {
                chart.draw_series(LineSeries::new(
                    run.into_iter().map(|(x, y, _)| (x, y)),
                    style,
                ))?;
            }
        }
    }
    Ok(())
}

fn draw_band<DB: DrawingBackend>(
    chart: &mut FanChart<'_, DB>,
    weeks: &[u32],
    lo: &[f64],
    hi: &[f64],
    fill: RGBAColor,
) -> DrawResult<DB> {
    for run in runs(weeks, lo, hi).into_iter().filter(|r| r.len() >= 2) {
        // Upper edge left to right, then lower edge back: one closed outline.
        let outline: Vec<(i64, f64)> = run
            .iter()
            .map(|&(x, _, h)| (x, h))
            .chain(run.iter().rev().map(|&(x, l, _)| (x, l)))
            .collect();
        chart.draw_series(std::iter::once(Polygon::new(outline, fill.filled())))?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// The two charts

struct ProfitChart<'a> {
    title: &'a str,
    y_label: &'a str,
    series: &'a [BandSeries],
}

impl Chart for ProfitChart<'_> {
    fn size(&self) -> (u32, u32) {
        PROFIT_SIZE
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        root.fill(&WHITE)?;
        let (width, _) = root.dim_in_pixel();
        let labels: Vec<String> = self
            .series
            .iter()
            .enumerate()
            .map(|(i, s)| series_label(&s.label, i))
            .collect();
        let legend = Legend::layout(&labels, width);
        let (header, body) = root.split_vertically(HEADER_HEIGHT + legend.height);
        draw_header(&header, self.title)?;
        legend.draw(&header, HEADER_HEIGHT as i32)?;

        let Some(b) = bounds(self.series) else {
            return draw_no_data(&body.margin(10, 20, 20, 20), None, 28.0);
        };
        const Y_LABELS: usize = 10;
        let step = (b.y.1 - b.y.0) / Y_LABELS as f64;
        let y_fmt = move |v: &f64| format_tick(*v, step);
        let mut chart = ChartBuilder::on(&body)
            .margin(16)
            .margin_right(40)
            .x_label_area_size(64)
            .y_label_area_size(112)
            .build_cartesian_2d(b.x.0..b.x.1, b.y.0..b.y.1)?;
        chart
            .configure_mesh()
            .x_desc("Week")
            .y_desc(self.y_label)
            .x_labels(13)
            .y_labels(Y_LABELS)
            .y_label_formatter(&y_fmt)
            .label_style((FONT, LABEL_FONT))
            .axis_desc_style((FONT, AXIS_FONT))
            .bold_line_style(GRID_COLOR.stroke_width(1))
            .light_line_style(TRANSPARENT)
            .draw()?;
        if b.y.0 < 0.0 && b.y.1 > 0.0 {
            // Break-even reference: the point of a profit chart is above/below zero.
            let zero = PathElement::new(
                vec![(b.x.0, 0.0), (b.x.1, 0.0)],
                BLACK.mix(0.55).stroke_width(1),
            );
            chart.draw_series(std::iter::once(zero))?;
        }
        draw_fans(&mut chart, self.series, 3)
    }
}

struct Dashboard<'a> {
    title: &'a str,
    panels: &'a [Panel],
}

impl Dashboard<'_> {
    fn rows(&self) -> usize {
        self.panels.len().div_ceil(DASH_COLUMNS).max(1)
    }

    /// Label per series index, from the first panel that has that index.
    fn legend_labels(&self) -> Vec<String> {
        let count = self
            .panels
            .iter()
            .map(|p| p.series.len())
            .max()
            .unwrap_or(0);
        (0..count)
            .map(|i| {
                let label = self
                    .panels
                    .iter()
                    .find_map(|p| p.series.get(i))
                    .map_or("", |s| s.label.as_str());
                series_label(label, i)
            })
            .collect()
    }
}

impl Chart for Dashboard<'_> {
    fn size(&self) -> (u32, u32) {
        let rows = u32::try_from(self.rows()).unwrap_or(u32::MAX);
        let height = rows.saturating_mul(DASH_ROW_HEIGHT).saturating_add(200);
        // Cap far above any sensible panel count, keeping the bitmap allocatable.
        (DASH_WIDTH, height.clamp(DASH_MIN_HEIGHT, 20_000))
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        root.fill(&WHITE)?;
        let (width, _) = root.dim_in_pixel();
        let legend = Legend::layout(&self.legend_labels(), width);
        let (header, body) = root.split_vertically(HEADER_HEIGHT + legend.height);
        draw_header(&header, self.title)?;
        legend.draw(&header, HEADER_HEIGHT as i32)?;

        let body = body.margin(4, 10, 10, 10);
        if self.panels.is_empty() {
            return draw_no_data(&body, None, 28.0);
        }
        let cells = body.split_evenly((self.rows(), DASH_COLUMNS));
        let n = self.panels.len();
        for (i, (panel, cell)) in self.panels.iter().zip(&cells).enumerate() {
            // Only the lowest panel of each column names the x axis, to save space.
            draw_panel(cell, panel, i + DASH_COLUMNS >= n)?;
        }
        Ok(())
    }
}

fn draw_panel<DB: DrawingBackend>(
    cell: &DrawingArea<DB, Shift>,
    panel: &Panel,
    bottom: bool,
) -> DrawResult<DB> {
    let caption = if panel.unit.trim().is_empty() {
        panel.title.clone()
    } else {
        format!("{} ({})", panel.title, panel.unit)
    };
    let Some(b) = bounds(&panel.series) else {
        return draw_no_data(cell, Some(&caption), 20.0);
    };
    const Y_LABELS: usize = 6;
    let step = (b.y.1 - b.y.0) / Y_LABELS as f64;
    let y_fmt = move |v: &f64| format_tick(*v, step);
    let mut chart = ChartBuilder::on(cell)
        .margin(8)
        .margin_right(18)
        .caption(caption, (FONT, 21))
        .x_label_area_size(if bottom { 52 } else { 30 })
        .y_label_area_size(70)
        .build_cartesian_2d(b.x.0..b.x.1, b.y.0..b.y.1)?;
    let mut mesh = chart.configure_mesh();
    mesh.x_labels(8)
        .y_labels(Y_LABELS)
        .y_label_formatter(&y_fmt)
        .label_style((FONT, 15))
        .axis_desc_style((FONT, 16))
        .bold_line_style(GRID_COLOR.stroke_width(1))
        .light_line_style(TRANSPARENT);
    if bottom {
        mesh.x_desc("Week");
    }
    mesh.draw()?;
    draw_fans(&mut chart, &panel.series, 2)
}

#[cfg(test)]
mod tests {
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
}

/// One labelled point of a scatter chart.
#[derive(Debug, Clone)]
pub struct ScatterPoint {
    /// Label drawn next to the point.
    pub label: String,
    /// X value.
    pub x: f64,
    /// Y value.
    pub y: f64,
}

/// Writes `<stem>.png` and `<stem>.svg`: labelled points (e.g. Morris μ* against σ), axes from
/// zero.
pub fn scatter_chart(
    dir: &Path,
    stem: &str,
    title: &str,
    x_label: &str,
    y_label: &str,
    points: &[ScatterPoint],
) -> Result<(), PlotError> {
    write_chart(
        dir,
        stem,
        &ScatterChart {
            title,
            x_label,
            y_label,
            points,
        },
    )
}

struct ScatterChart<'a> {
    title: &'a str,
    x_label: &'a str,
    y_label: &'a str,
    points: &'a [ScatterPoint],
}

impl Chart for ScatterChart<'_> {
    fn size(&self) -> (u32, u32) {
        PROFIT_SIZE
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        root.fill(&WHITE)?;
        let finite: Vec<&ScatterPoint> = self
            .points
            .iter()
            .filter(|p| p.x.is_finite() && p.y.is_finite())
            .collect();
        let max = |f: fn(&ScatterPoint) -> f64| {
            finite
                .iter()
                .map(|p| f(p))
                .fold(0.0f64, f64::max)
                .max(1e-12)
                * 1.15
        };
        let (xmax, ymax) = (max(|p| p.x), max(|p| p.y));
        let title_size = fitted_size(root, self.title, 26.0);
        let mut chart = ChartBuilder::on(root)
            .caption(
                self.title,
                text_style(title_size, BLACK, HPos::Center, VPos::Top),
            )
            .margin(30)
            .x_label_area_size(70)
            .y_label_area_size(110)
            .build_cartesian_2d(0.0..xmax, 0.0..ymax)?;
        chart
            .configure_mesh()
            .x_desc(self.x_label)
            .y_desc(self.y_label)
            .x_label_formatter(&|x| format_tick(*x, xmax / 8.0))
            .y_label_formatter(&|y| format_tick(*y, ymax / 8.0))
            .label_style(text_style(LABEL_FONT, BLACK, HPos::Center, VPos::Center))
            .axis_desc_style(text_style(AXIS_FONT, BLACK, HPos::Center, VPos::Center))
            .draw()?;
        for (i, p) in finite.iter().enumerate() {
            let c = color(i);
            chart.draw_series(std::iter::once(Circle::new((p.x, p.y), 9, c.filled())))?;
            chart.draw_series(std::iter::once(Text::new(
                format!("  {}", p.label),
                (p.x, p.y),
                text_style(LABEL_FONT, BLACK, HPos::Left, VPos::Center),
            )))?;
        }
        if finite.is_empty() {
            chart.draw_series(std::iter::once(Text::new(
                "no data",
                (xmax / 2.0, ymax / 2.0),
                text_style(20.0, BLACK, HPos::Center, VPos::Center),
            )))?;
        }
        Ok(())
    }
}

/// An axis of a heatmap: its label and the levels along it.
#[derive(Debug, Clone)]
pub struct HeatmapAxis {
    /// Axis label.
    pub label: String,
    /// Level labels, in order.
    pub levels: Vec<String>,
}

/// Writes `<stem>.png` and `<stem>.svg`: a grid of coloured cells, one per pair of levels of
/// two factors, each labelled with its value (e.g. a two-factor sweep's mean output).
/// `values[i][j]` belongs to `x.levels[i]` and `y.levels[j]`.
pub fn heatmap_chart(
    dir: &Path,
    stem: &str,
    title: &str,
    x: &HeatmapAxis,
    y: &HeatmapAxis,
    values: &[Vec<f64>],
) -> Result<(), PlotError> {
    write_chart(
        dir,
        stem,
        &HeatmapChart {
            title,
            x_label: &x.label,
            y_label: &y.label,
            x_levels: &x.levels,
            y_levels: &y.levels,
            values,
        },
    )
}

struct HeatmapChart<'a> {
    title: &'a str,
    x_label: &'a str,
    y_label: &'a str,
    x_levels: &'a [String],
    y_levels: &'a [String],
    values: &'a [Vec<f64>],
}

impl Chart for HeatmapChart<'_> {
    fn size(&self) -> (u32, u32) {
        PROFIT_SIZE
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        root.fill(&WHITE)?;
        let (nx, ny) = (self.x_levels.len().max(1), self.y_levels.len().max(1));
        let all: Vec<f64> = self
            .values
            .iter()
            .flatten()
            .copied()
            .filter(|v| v.is_finite())
            .collect();
        let lo = all.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = all.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let span = if hi > lo { hi - lo } else { 1.0 };
        let title_size = fitted_size(root, self.title, 26.0);
        let mut chart = ChartBuilder::on(root)
            .caption(
                self.title,
                text_style(title_size, BLACK, HPos::Center, VPos::Top),
            )
            .margin(30)
            .x_label_area_size(70)
            .y_label_area_size(130)
            .build_cartesian_2d(-0.5f64..(nx as f64 - 0.5), -0.5f64..(ny as f64 - 0.5))?;
        let xl = self.x_levels.to_vec();
        let yl = self.y_levels.to_vec();
        let pick = |labels: &[String], v: f64| {
            let i = v.round();
            if (v - i).abs() < 1e-6 && i >= 0.0 {
                labels.get(i as usize).cloned().unwrap_or_default()
            } else {
                String::new()
            }
        };
        chart
            .configure_mesh()
            .disable_mesh()
            .x_labels(nx)
            .y_labels(ny)
            .x_label_formatter(&|x| pick(&xl, *x))
            .y_label_formatter(&|y| pick(&yl, *y))
            .x_desc(self.x_label)
            .y_desc(self.y_label)
            .label_style(text_style(LABEL_FONT, BLACK, HPos::Center, VPos::Center))
            .axis_desc_style(text_style(AXIS_FONT, BLACK, HPos::Center, VPos::Center))
            .draw()?;
        for (i, column) in self.values.iter().enumerate() {
            for (j, &v) in column.iter().enumerate() {
                let (x, y) = (i as f64, j as f64);
                // Low values blue, high values orange, through white.
                let t = if v.is_finite() { (v - lo) / span } else { 0.5 };
                let mix = |a: f64, b: f64| (a + (b - a) * t) as u8;
                let fill = RGBColor(mix(49.0, 230.0), mix(130.0, 120.0), mix(189.0, 40.0));
                chart.draw_series(std::iter::once(Rectangle::new(
                    [(x - 0.5, y - 0.5), (x + 0.5, y + 0.5)],
                    fill.filled(),
                )))?;
                let text = if v.is_finite() {
                    format_tick(v, span / 8.0)
                } else {
                    "n/a".to_string()
                };
                chart.draw_series(std::iter::once(Text::new(
                    text,
                    (x, y),
                    text_style(18.0, BLACK, HPos::Center, VPos::Center),
                )))?;
            }
        }
        Ok(())
    }
}
