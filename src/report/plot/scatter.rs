//! Scatter charts: labelled points (Morris screening).

use super::*;

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
