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

pub use crate::stats::series::{BandSeries, IntervalRow, ScatterPoint};

mod band;
mod dashboard;
mod heatmap;
mod interval;
mod scatter;
#[cfg(test)]
mod tests;

pub use band::{band_chart, profit_chart};
pub use dashboard::{Panel, chain_dashboard};
pub use heatmap::{HeatmapAxis, heatmap_chart};
pub use interval::{interval_chart, interval_chart_coloured};
pub use scatter::scatter_chart;

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
/// What the line and bands are: percentiles of the outcomes across replications (their spread),
/// not confidence intervals.
const BAND_NOTE: &str = "Line: median across replications\u{2002}\u{b7}\u{2002}Bands: spread across replications, p25\u{2013}p75 (dark) and p05\u{2013}p95 (light)";

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
