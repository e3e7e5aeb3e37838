//! What charts are drawn from: plain series of numbers, computed by the studies and drawn by
//! `report::plot`. They live here so that a study can say what it would plot without knowing
//! how plotting is done.

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
