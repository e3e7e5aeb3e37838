//! Interval charts: one row per item, a dot at the estimate and a whisker over its interval.

use super::*;

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
