//! Heatmaps: a two-factor grid of coloured cells.

use super::*;

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
