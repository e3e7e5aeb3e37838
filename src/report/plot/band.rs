//! Band charts: medians over weeks with 50% and 90% bands across replications (cumulative
//! profit, one quantity per arm).

use super::*;

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

/// Draws every series' bands and medians. All 90% bands go first, then all
/// 50% bands, then all medians, so no series' band covers another's line.
pub(super) fn draw_fans<DB: DrawingBackend>(
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
