//! The chain dashboard: small multiples, one per link of the service-profit chain.

use super::*;
use band::draw_fans;

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
