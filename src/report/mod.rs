//! Output files: formatting only. Every file is written to a temporary name and renamed into
//! place, so a failed or interrupted run never leaves a half-written file over a good one.

pub mod html;
pub mod plot;

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use serde_json::json;

use crate::engine::rng::GENERATOR_NAME;
use crate::model::Metric;
use crate::runner::RunResult;
use crate::stats::Summary;
use crate::stats::compare::{ArmComparison, Interval, compare};
use plot::{BandSeries, IntervalRow, Panel};

/// Errors from writing outputs.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReportError {
    /// A file or directory could not be written.
    #[error("cannot write '{path}': {source}")]
    Write {
        /// The path.
        path: PathBuf,
        /// The operating system's reason.
        source: std::io::Error,
    },
    /// A chart could not be drawn.
    #[error(transparent)]
    Plot(#[from] plot::PlotError),
    /// An output file could not be read back (for `report`).
    #[error("cannot read '{path}': {reason}")]
    Read {
        /// The path.
        path: PathBuf,
        /// What went wrong.
        reason: String,
    },
}

/// Where the scenario came from, for the manifest.
#[derive(Debug, Clone)]
pub struct Provenance {
    /// The file as given, or the built-in label.
    pub file: String,
    /// SHA-256 of the scenario text, hex.
    pub sha256: String,
    /// The scenario text itself (written beside the results as `scenario.ron`).
    pub text: String,
}

impl Provenance {
    /// Provenance of scenario text from `file`.
    pub fn of(file: &str, text: &str) -> Provenance {
        use sha2::Digest;
        let digest = sha2::Sha256::digest(text.as_bytes());
        let sha256 = digest.iter().fold(String::new(), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        });
        Provenance {
            file: file.to_string(),
            sha256,
            text: text.to_string(),
        }
    }
}

/// Writes `contents` to `path` atomically: to a temporary file beside it, synced, then renamed
/// over `path`. On failure (a full disk, say) the temporary file is removed and `path` keeps
/// what it held.
pub fn write_atomic(path: &Path, contents: &[u8]) -> Result<(), ReportError> {
    use std::io::Write as _;
    let tmp = path.with_extension(format!(
        "{}.tmp",
        path.extension().and_then(|e| e.to_str()).unwrap_or("")
    ));
    let written = fs::File::create(&tmp)
        .and_then(|mut f| {
            f.write_all(contents)?;
            // Synced before the rename, so a crash cannot leave an empty file under the name.
            f.sync_all()
        })
        .and_then(|()| fs::rename(&tmp, path));
    written.map_err(|source| {
        let _ = fs::remove_file(&tmp);
        ReportError::Write {
            path: path.to_path_buf(),
            source,
        }
    })
}

/// A CSV field quoted as RFC 4180 asks: in double quotes, with quotes doubled, when it holds a
/// comma, a quote or a line break (arm names are the user's free text).
pub fn csv_field(text: &str) -> std::borrow::Cow<'_, str> {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\"")).into()
    } else {
        text.into()
    }
}

fn num(x: f64) -> String {
    if x.is_finite() {
        format!("{x}")
    } else {
        String::new()
    }
}

/// `weekly.csv`: tidy rows `arm,site,week,metric,mean,p05,p25,p50,p75,p95`.
pub fn weekly_csv(r: &RunResult) -> String {
    let mut s = String::from("arm,site,week,metric,mean,p05,p25,p50,p75,p95\n");
    for arm in &r.arms {
        for row in 0..=r.sites {
            let site = if row == r.sites {
                "all".to_string()
            } else {
                row.to_string()
            };
            for week in 0..r.options.weeks as usize {
                for (k, m) in r.metrics.iter().enumerate() {
                    let c = arm.weekly[r.cell(row, week, k)];
                    let _ = writeln!(
                        s,
                        "{},{site},{week},{},{},{},{},{},{},{}",
                        csv_field(&arm.name),
                        m.name(),
                        num(c.mean),
                        num(c.p[0]),
                        num(c.p[1]),
                        num(c.p[2]),
                        num(c.p[3]),
                        num(c.p[4])
                    );
                }
            }
        }
    }
    s
}

/// `replications.csv`: one row per arm and replication.
pub fn replications_csv(r: &RunResult) -> String {
    let mut s = String::from(
        "arm,replication,npv,cumulative_profit,revenue,final_customers,mean_satisfaction,mean_morale,mean_isq,annual_turnover,annual_customer_churn,loss_service_share,mean_wait_minutes,investment,payback_week,encounters\n",
    );
    for arm in &r.arms {
        for x in &arm.replications {
            let cols = [
                x.npv,
                x.cumulative_profit,
                x.revenue,
                x.final_customers,
                x.mean_satisfaction,
                x.mean_morale,
                x.mean_isq,
                x.annual_turnover,
                x.annual_customer_churn,
                x.loss_service_share,
                x.mean_wait_minutes,
                x.investment,
                x.payback_week,
            ]
            .map(num)
            .join(",");
            let _ = writeln!(
                s,
                "{},{},{cols},{}",
                csv_field(&arm.name),
                x.replication,
                x.encounters
            );
        }
    }
    s
}

/// The arms compared with the baseline (see [`crate::stats::compare`]).
pub fn comparisons(r: &RunResult) -> Vec<ArmComparison> {
    compare(&r.arms, r.scenario.baseline_index())
}

/// `comparison.csv`: one row per arm with its figures and its paired comparison with the
/// baseline (intervals are 95%).
pub fn comparison_csv(r: &RunResult) -> String {
    let mut s = String::from(
        "arm,baseline,replications,npv_mean,npv_lo,npv_hi,cumulative_profit_mean,cumulative_profit_lo,cumulative_profit_hi,investment_mean,investment_lo,investment_hi,delta_npv_mean,delta_npv_lo,delta_npv_hi,p_beats_baseline,roi_mean,roi_lo,roi_hi,payback_week_median,payback_week_p05,payback_week_p95,paid_back_share,p_best\n",
    );
    let base = r.scenario.baseline_index();
    for (k, c) in comparisons(r).iter().enumerate() {
        let i = |x: &Interval| [x.mean, x.lo, x.hi].map(num).join(",");
        let _ = writeln!(
            s,
            "{},{},{},{},{},{},{},{},{},{},{},{}",
            csv_field(&c.arm),
            k == base,
            c.replications,
            i(&c.npv),
            i(&c.cumulative_profit),
            i(&c.investment),
            i(&c.delta_npv),
            num(c.p_beats_baseline),
            i(&c.roi),
            c.payback_week.map(num).join(","),
            num(c.paid_back_share),
            num(c.p_best),
        );
    }
    s
}

/// `manifest.json`: what was run, how, and the resolved scenario. `include_run_details` adds
/// what differs between equivalent runs (threads, shards, wall time); it is false when
/// comparing runs byte for byte.
pub fn manifest_json(r: &RunResult, provenance: &Provenance, include_run_details: bool) -> String {
    let mut m = json!({
        "chainsim_version": env!("CARGO_PKG_VERSION"),
        "scenario_file": provenance.file,
        "scenario_sha256": provenance.sha256,
        "seed": r.options.seed,
        "generator": GENERATOR_NAME,
        "replications": r.options.replications,
        // Read by other tools: whether the run went to the end, and how many replications
        // its outputs hold (an interrupted run keeps those completed, in order).
        "complete": r.interrupted_at.is_none(),
        "replications_done": r.options.replications,
        "weeks": r.options.weeks,
        "arms": r.arms.iter().map(|a| a.name.clone()).collect::<Vec<_>>(),
        "encounters": r.encounters,
        "percentiles": format!(
            "DDSketch quantiles across replications (relative accuracy {}), interpolated between neighbouring ranks as type 7; means are exact",
            crate::stats::sketch::RELATIVE_ACCURACY
        ),
        "money_unit": "currency units; the ledger is kept in integer cents",
        "scenario": r.scenario,
    });
    if let Some(requested) = r.interrupted_at {
        m["replications_requested"] = json!(requested);
    }
    if include_run_details {
        m["command"] = json!(command_line());
        m["threads"] = json!(r.threads);
        m["shards"] = json!(r.shards);
        m["wall_seconds"] = json!(r.wall_seconds);
        m["encounters_per_second"] = json!(r.encounters as f64 / r.wall_seconds.max(1e-9));
    }
    serde_json::to_string_pretty(&m).unwrap_or_default() + "\n"
}

/// The command line this process was started with, for manifests: how to run it again.
pub fn command_line() -> String {
    std::env::args()
        .map(|a| {
            if a.is_empty() || a.contains(|c: char| c.is_whitespace() || c == '\'' || c == '"') {
                format!("'{}'", a.replace('\'', r"'\''"))
            } else {
                a
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The copy of the scenario text kept beside a run's results (comments and all).
pub const SCENARIO_FILE: &str = "scenario.ron";

/// Writes a shard's partial result (`partial.json`) into `dir`, for `chainsim merge`.
pub fn write_partial(p: &crate::runner::Partial, dir: &Path) -> Result<PathBuf, ReportError> {
    fs::create_dir_all(dir).map_err(|source| ReportError::Write {
        path: dir.to_path_buf(),
        source,
    })?;
    let path = dir.join(PARTIAL_FILE);
    let text = serde_json::to_string(p).map_err(|e| ReportError::Write {
        path: path.clone(),
        source: e.into(),
    })?;
    write_atomic(&path, text.as_bytes())?;
    Ok(path)
}

/// The file a shard writes and `merge` reads.
pub const PARTIAL_FILE: &str = "partial.json";

fn band(r: &RunResult, arm: usize, metric: Metric, scale: f64) -> BandSeries {
    let k = r.metric_index(metric);
    let cells: Vec<Summary> = (0..r.options.weeks as usize)
        .map(|w| r.arms[arm].weekly[r.cell(r.sites, w, k)])
        .collect();
    band_of(&r.arms[arm].name, &cells, scale)
}

/// A band series from one summary per week, scaled.
fn band_of(label: &str, cells: &[Summary], scale: f64) -> BandSeries {
    let col = |i: usize| cells.iter().map(|c| c.p[i] * scale).collect();
    BandSeries {
        label: label.to_string(),
        weeks: (0..cells.len() as u32).collect(),
        p05: col(0),
        p25: col(1),
        p50: col(2),
        p75: col(3),
        p95: col(4),
    }
}

/// Arm `a`'s median cumulative profit in the last week (firm level).
fn final_profit(r: &RunResult, a: usize) -> f64 {
    let k = r.metric_index(Metric::CumulativeProfit);
    r.arms[a].weekly[r.cell(r.sites, r.options.weeks as usize - 1, k)].median()
}

/// The arm whose median cumulative profit ends highest.
fn profit_leader(r: &RunResult) -> usize {
    (0..r.arms.len())
        .max_by(|&a, &b| final_profit(r, a).total_cmp(&final_profit(r, b)))
        .unwrap_or(0)
}

/// Draws `profit.png/svg` and `chain.png/svg`.
pub fn charts(r: &RunResult, dir: &Path) -> Result<(), ReportError> {
    let arms = 0..r.arms.len();
    let series = |m: Metric, scale: f64| {
        arms.clone()
            .map(|a| band(r, a, m, scale))
            .collect::<Vec<_>>()
    };
    // The title states the finding: where cumulative profit ends.
    let end = |a: usize| final_profit(r, a);
    let top = profit_leader(r);
    let title = if r.arms.len() == 1 {
        format!(
            "{}: cumulative profit reaches {} in {} weeks (median of {} replications)",
            r.scenario.name,
            html::money(end(0), false),
            r.options.weeks,
            r.options.replications
        )
    } else {
        format!(
            "{}: {} ends highest, {} cumulative profit in {} weeks (median of {} replications)",
            r.scenario.name,
            r.arms[top].name,
            html::money(end(top), false),
            r.options.weeks,
            r.options.replications
        )
    };
    plot::profit_chart(
        dir,
        &title,
        "cumulative profit (currency)",
        &series(Metric::CumulativeProfit, 1.0),
    )?;
    let panels = [
        ("Internal service quality", "0-100", Metric::Isq, 1.0),
        ("Employee morale", "0-100", Metric::Morale, 1.0),
        (
            "Staff turnover",
            "% per year",
            Metric::TurnoverAnnualised,
            100.0,
        ),
        (
            "Productivity",
            "served per staffed hour",
            Metric::Productivity,
            1.0,
        ),
        (
            "Service quality",
            "perceived, 0-100",
            Metric::PerceivedQuality,
            1.0,
        ),
        ("Customer satisfaction", "0-100", Metric::Satisfaction, 1.0),
        (
            "Customer retention",
            "% per year",
            Metric::RetentionAnnualised,
            100.0,
        ),
        (
            "Revenue",
            "currency per week",
            Metric::Money(crate::ledger::Line::Revenue),
            1.0,
        ),
        ("Profit", "currency per week", Metric::Profit, 1.0),
    ]
    .map(|(title, unit, m, scale)| Panel {
        title: title.to_string(),
        unit: unit.to_string(),
        series: series(m, scale),
    });
    let title = format!(
        "{}: the service-profit chain, firm level, by week",
        r.scenario.name
    );
    plot::chain_dashboard(dir, &title, &panels)?;
    Ok(())
}

/// Draws `arms`, `delta` and `roi` (png and svg): cumulative profit per arm, the paired
/// difference from the baseline over time (when does each arm pay back?), and ROI per arm.
pub fn comparison_charts(r: &RunResult, dir: &Path) -> Result<(), ReportError> {
    let base = r.scenario.baseline_index();
    let reps = r.options.replications;
    let arms: Vec<BandSeries> = (0..r.arms.len())
        .map(|a| band(r, a, Metric::CumulativeProfit, 1.0))
        .collect();
    let top = profit_leader(r);
    plot::band_chart(
        dir,
        "arms",
        &format!(
            "{}: {} ends highest, {} cumulative profit against {}'s {} (median of {reps})",
            r.scenario.name,
            arms[top].label,
            html::money(final_profit(r, top), false),
            arms[base].label,
            html::money(final_profit(r, base), false),
        ),
        "cumulative profit (currency)",
        &arms,
    )?;
    let last = r.options.weeks as usize - 1;
    let end = |s: &BandSeries| s.p50.get(last).copied().unwrap_or(f64::NAN);
    // The baseline's own line (zero) keeps every arm's colour the same as in the other charts.
    let delta: Vec<BandSeries> = r
        .arms
        .iter()
        .map(|a| band_of(&a.name, &a.delta, 1.0))
        .collect();
    let (gain, loss) = (0..delta.len()).filter(|&a| a != base).fold(
        (None::<usize>, None::<usize>),
        |(g, l), a| {
            let better = |x: Option<usize>, up: bool| match x {
                Some(b) if (end(&delta[a]) > end(&delta[b])) != up => Some(b),
                _ => Some(a),
            };
            (better(g, true), better(l, false))
        },
    );
    let mut finding = Vec::new();
    if let Some(g) = gain.filter(|&g| end(&delta[g]) > 0.0) {
        finding.push(format!(
            "{} gains most ({})",
            delta[g].label,
            html::money(end(&delta[g]), true)
        ));
    }
    if let Some(l) = loss.filter(|&l| end(&delta[l]) < 0.0) {
        finding.push(format!(
            "{} loses most ({})",
            delta[l].label,
            html::money(end(&delta[l]), true)
        ));
    }
    let title = format!(
        "{}: {} against {} by week {} (paired, median)",
        r.scenario.name,
        if finding.is_empty() {
            "no arm moves cumulative profit".to_string()
        } else {
            finding.join("; ")
        },
        r.arms[base].name,
        r.options.weeks
    );
    plot::band_chart(
        dir,
        "delta",
        &title,
        "difference in cumulative profit (currency)",
        &delta,
    )?;
    let (colors, rows): (Vec<usize>, Vec<IntervalRow>) = comparisons(r)
        .into_iter()
        .enumerate()
        .filter(|(k, _)| *k != base)
        .map(|(k, c)| {
            (
                k,
                IntervalRow {
                    label: c.arm,
                    estimate: c.roi.mean,
                    lo: c.roi.lo,
                    hi: c.roi.hi,
                },
            )
        })
        .unzip();
    let best = rows
        .iter()
        .filter(|x| x.estimate.is_finite())
        .max_by(|a, b| a.estimate.total_cmp(&b.estimate));
    let title = match best {
        Some(b) => format!(
            "{}: {} returns most per unit invested, ROI {:.1} against {} (mean, 95% interval)",
            r.scenario.name, b.label, b.estimate, r.arms[base].name
        ),
        None => format!(
            "{}: no arm invests, so no ROI against {}",
            r.scenario.name, r.arms[base].name
        ),
    };
    plot::interval_chart_coloured(
        dir,
        "roi",
        &title,
        "ROI = difference in NPV / present value of the investment",
        &rows,
        &colors,
    )?;
    Ok(())
}

/// Writes every output file into `dir` (created if needed).
pub fn write_all(
    r: &RunResult,
    provenance: &Provenance,
    dir: &Path,
) -> Result<Vec<PathBuf>, ReportError> {
    fs::create_dir_all(dir).map_err(|source| ReportError::Write {
        path: dir.to_path_buf(),
        source,
    })?;
    // A merged run may not have the text; the resolved scenario stands in for it.
    let text = if provenance.text.is_empty() {
        r.scenario.resolved_ron()
    } else {
        provenance.text.clone()
    };
    let files = [
        ("weekly.csv", weekly_csv(r)),
        ("replications.csv", replications_csv(r)),
        ("manifest.json", manifest_json(r, provenance, true)),
        (SCENARIO_FILE, text),
    ];
    let mut written = Vec::new();
    for (name, text) in files {
        let path = dir.join(name);
        write_atomic(&path, text.as_bytes())?;
        written.push(path);
    }
    charts(r, dir)?;
    written.extend(["profit.png", "profit.svg", "chain.png", "chain.svg"].map(|f| dir.join(f)));
    if r.arms.len() > 1 {
        let path = dir.join("comparison.csv");
        write_atomic(&path, comparison_csv(r).as_bytes())?;
        written.push(path);
        comparison_charts(r, dir)?;
        written.extend(
            [
                "arms.png",
                "arms.svg",
                "delta.png",
                "delta.svg",
                "roi.png",
                "roi.svg",
            ]
            .map(|f| dir.join(f)),
        );
    }
    written.push(html::write(dir)?);
    Ok(written)
}
