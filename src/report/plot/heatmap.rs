//! Heatmaps: a two-factor grid of coloured cells, with a colour bar that gives the scale.

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
/// two factors, each labelled with its value (e.g. a two-factor sweep's mean output), and a
/// colour bar beside it labelled `legend` (what the values are, with their unit).
/// `values[i][j]` belongs to `x.levels[i]` and `y.levels[j]`.
///
/// Values of both signs are coloured about zero (blue below, white at zero, orange above), so
/// the sign reads at a glance; values of one sign run from white to that sign's colour.
pub fn heatmap_chart(
    dir: &Path,
    stem: &str,
    title: &str,
    x: &HeatmapAxis,
    y: &HeatmapAxis,
    values: &[Vec<f64>],
    legend: &str,
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
            legend,
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
    legend: &'a str,
}

/// Below zero (or the low end).
const COLD: (f64, f64, f64) = (49.0, 130.0, 189.0);
/// Above zero (or the high end).
const WARM: (f64, f64, f64) = (230.0, 120.0, 40.0);
/// Width of the colour bar with its ticks and legend.
const BAR_AREA: u32 = 250;

/// The colour scale of a heatmap over values from `lo` to `hi`.
#[derive(Debug, Clone, Copy)]
struct Scale {
    lo: f64,
    hi: f64,
}

impl Scale {
    /// White at zero when the values have both signs; white at the end nearest zero otherwise.
    fn colour(self, v: f64) -> RGBColor {
        if !v.is_finite() {
            return RGBColor(200, 200, 200);
        }
        let (end, t) = if self.lo < 0.0 && self.hi > 0.0 {
            if v < 0.0 {
                (COLD, v / self.lo)
            } else {
                (WARM, v / self.hi)
            }
        } else if self.hi <= 0.0 {
            let span = self.hi - self.lo;
            (
                COLD,
                if span > 0.0 {
                    (self.hi - v) / span
                } else {
                    1.0
                },
            )
        } else {
            let span = self.hi - self.lo;
            (
                WARM,
                if span > 0.0 {
                    (v - self.lo) / span
                } else {
                    1.0
                },
            )
        };
        let t = t.clamp(0.0, 1.0);
        let mix = |c: f64| (255.0 + (c - 255.0) * t) as u8;
        RGBColor(mix(end.0), mix(end.1), mix(end.2))
    }
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
        let scale = Scale { lo, hi };
        let title_size = fitted_size(root, self.title, 26.0);
        let (w, _) = root.dim_in_pixel();
        let (head, body) = root.split_vertically(70);
        head.draw(&Text::new(
            self.title.to_owned(),
            ((w / 2) as i32, 20),
            text_style(title_size, BLACK, HPos::Center, VPos::Top),
        ))?;
        let (grid, bar) = body.split_horizontally(w.saturating_sub(BAR_AREA));
        let mut chart = ChartBuilder::on(&grid)
            .margin(30)
            .margin_top(0)
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
                chart.draw_series(std::iter::once(Rectangle::new(
                    [(x - 0.5, y - 0.5), (x + 0.5, y + 0.5)],
                    scale.colour(v).filled(),
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
        if all.is_empty() {
            return Ok(());
        }
        // The colour bar: the scale from the lowest to the highest value, ticks on its right.
        let (b0, b1) = if hi > lo {
            (lo, hi)
        } else {
            (lo - 0.5, hi + 0.5)
        };
        let mut legend = ChartBuilder::on(&bar)
            .margin_top(0)
            .margin_bottom(30 + 70)
            .margin_left(10)
            .margin_right(10)
            .right_y_label_area_size(150)
            .build_cartesian_2d(0.0f64..1.0, b0..b1)?;
        legend
            .configure_mesh()
            .disable_mesh()
            .disable_x_axis()
            .y_labels(6)
            .y_label_formatter(&|v| format_tick(*v, (b1 - b0) / 6.0))
            .y_desc(self.legend)
            .label_style(text_style(LABEL_FONT, BLACK, HPos::Center, VPos::Center))
            .axis_desc_style(text_style(AXIS_FONT, BLACK, HPos::Center, VPos::Center))
            .draw()?;
        const STRIPS: usize = 200;
        let step = (b1 - b0) / STRIPS as f64;
        legend.draw_series((0..STRIPS).map(|k| {
            let v0 = b0 + k as f64 * step;
            Rectangle::new(
                [(0.0, v0), (1.0, v0 + step)],
                scale.colour(v0 + step / 2.0).filled(),
            )
        }))?;
        legend.draw_series(std::iter::once(Rectangle::new(
            [(0.0, b0), (1.0, b1)],
            BLACK.stroke_width(1),
        )))?;
        Ok(())
    }
}
