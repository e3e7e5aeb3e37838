//! The page of a run: what was simulated, the arms, the answer in plain words, the comparison
//! table, the charts, the chain at the end, and the assumptions.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use super::assumptions::assumptions;
use super::{figure, footer, html_page, incomplete_banner, read_json};
use crate::report::ReportError;
use crate::report::format::{
    escape_html as esc, money, number, percent, signed_money, week, years,
};
use crate::report::run::{
    COMPARISON_FILE, ComparisonRow, MANIFEST_FILE, RunManifest, SCENARIO_FILE, WEEKLY_FILE,
    WeeklyRow, percentiles_text, read_rows, read_rows_where,
};
use crate::report::text::finance_basis;
use crate::scenario::{Arm, Intervention};

/// One intervention in words: the lever and its parameters, when it acts, what it costs.
fn describe_intervention(iv: &Intervention) -> String {
    let params: Vec<String> = iv
        .lever
        .parameters()
        .iter()
        .map(|(k, v)| format!("{k} {}", number(*v)))
        .collect();
    let lever = if params.is_empty() {
        iv.lever.name().to_string()
    } else {
        format!("{} ({})", iv.lever.name(), params.join(", "))
    };
    let mut when = format!("from week {}", iv.start_week);
    if let Some(e) = iv.every_weeks {
        let _ = write!(when, ", every {e} weeks");
    }
    if let Some(e) = iv.end_week {
        let _ = write!(when, " to week {e}");
    }
    let costs: Vec<String> = [
        (iv.cost_per_site, "per site"),
        (iv.cost_per_employee, "per employee"),
    ]
    .iter()
    .filter(|(c, _)| *c != 0.0)
    .map(|(c, label)| format!("{} {label}", money(*c)))
    .collect();
    if costs.is_empty() {
        format!("{lever}, {when}")
    } else {
        format!("{lever}, {when}; costs {}", costs.join(" + "))
    }
}

/// What an arm does, one line per intervention and one for the links it cuts.
fn arm_does(a: &Arm) -> Vec<String> {
    let mut does: Vec<String> = a.interventions.iter().map(describe_intervention).collect();
    let off = a.links.off();
    if !off.is_empty() {
        does.push(format!("links switched off: {}", off.join(", ")));
    }
    if does.is_empty() {
        does.push("nothing: the firm as it is".to_string());
    }
    does
}

/// The plain-language reading of one arm's comparison with the baseline.
fn reading(c: &ComparisonRow, baseline: &str, horizon: &str) -> String {
    let d = c.delta_npv_mean;
    let verb = if d >= 0.0 { "adds" } else { "costs" };
    let mut t = format!(
        "<strong>{}</strong> {verb} <strong>{}</strong> of net present value over {horizon} compared with {} (mean; 95% CI of the mean {} to {}), and beats it in <strong>{}</strong> of {} paired replications.",
        esc(&c.arm),
        money(d.abs()),
        esc(baseline),
        signed_money(c.delta_npv_ci_lo),
        signed_money(c.delta_npv_ci_hi),
        percent(c.p_beats_baseline),
        c.replications,
    );
    if c.investment_mean > 0.0 && c.roi_mean.is_finite() {
        let (verb, roi) = if c.roi_mean >= 0.0 {
            ("gains", c.roi_mean)
        } else {
            ("loses", -c.roi_mean)
        };
        let _ = write!(
            t,
            " It invests {} (present value) and {verb} {}× that in NPV (ROI, mean; 95% confidence interval {} to {}).",
            money(c.investment_mean),
            number(roi),
            number(c.roi_ci_lo),
            number(c.roi_ci_hi),
        );
        if c.payback_week_median.is_finite() {
            let _ = write!(
                t,
                " It pays back in cash by week {} (median across replications; {} from discounted cash), and within the horizon in {} of replications.",
                week(c.payback_week_median),
                payback(c.discounted_payback_week_median),
                percent(c.paid_back_share),
            );
        } else {
            let _ = write!(
                t,
                " In most replications it does not pay back within the horizon (it does in {}).",
                percent(c.paid_back_share)
            );
        }
    }
    t
}

/// A payback week read back from `comparison.csv`, where empty (NaN) is "not within the
/// horizon".
fn payback(week_number: f64) -> String {
    if week_number.is_finite() {
        week(week_number)
    } else {
        "not within the horizon".to_string()
    }
}

/// The comparison table, every arm against the baseline.
fn comparison_table(b: &mut String, rows: &[ComparisonRow]) {
    b.push_str("<h2 id=\"comparison\">Comparison with the baseline</h2>\n<p>Means over replications with 95% confidence intervals; the difference in NPV (&Delta;NPV) is paired by replication. ROI = &Delta;NPV / present value of the arm's investment. Payback is the first week from which the arm's cumulative net cash flow minus the baseline's stays non-negative (capex counted when spent): the median and the 5th-95th percentiles across replications, undiscounted, and the median from discounted cash flows; a replication that does not pay back within the horizon counts as later than any week.</p>\n<table><thead><tr><th>arm</th><th class=\"num\">NPV<br><span class=\"small\">mean [95% CI of the mean]</span></th><th class=\"num\">&Delta;NPV vs baseline<br><span class=\"small\">mean [95% CI of the mean]</span></th><th class=\"num\">P(beats baseline)</th><th class=\"num\">investment (PV, mean)</th><th class=\"num\">ROI<br><span class=\"small\">[95% CI]</span></th><th class=\"num\">payback week<br><span class=\"small\">median; spread across replications (p05&ndash;p95)</span></th><th class=\"num\">P(best)</th></tr></thead><tbody>\n");
    for c in rows {
        let interval = |mean: String, lo: String, hi: String| {
            format!("{mean}<br><span class=\"small\">[{lo}, {hi}]</span>")
        };
        let (delta, p, roi, payback) = if c.baseline {
            Default::default()
        } else {
            let roi = if c.roi_mean.is_finite() {
                interval(number(c.roi_mean), number(c.roi_ci_lo), number(c.roi_ci_hi))
            } else {
                "n/a".to_string()
            };
            let payback = format!(
                "{}<br><span class=\"small\">p05&ndash;p95: {} to {}; discounted {}</span>",
                payback(c.payback_week_median),
                payback(c.payback_week_p05),
                payback(c.payback_week_p95),
                payback(c.discounted_payback_week_median),
            );
            (
                interval(
                    signed_money(c.delta_npv_mean),
                    signed_money(c.delta_npv_ci_lo),
                    signed_money(c.delta_npv_ci_hi),
                ),
                percent(c.p_beats_baseline),
                roi,
                payback,
            )
        };
        let delta = if c.baseline {
            "baseline".to_string()
        } else {
            delta
        };
        let _ = writeln!(
            b,
            "<tr><td><strong>{}</strong></td><td class=\"num\">{}</td><td class=\"num\">{delta}</td><td class=\"num\">{p}</td><td class=\"num\">{}</td><td class=\"num\">{roi}</td><td class=\"num\">{payback}</td><td class=\"num\">{}</td></tr>",
            esc(&c.arm),
            interval(money(c.npv_mean), money(c.npv_ci_lo), money(c.npv_ci_hi)),
            money(c.investment_mean),
            percent(c.p_best),
        );
    }
    b.push_str("</tbody></table>\n");
}

/// The firm-level value of each key metric in the last week, per arm: the mean over
/// replications and the spread across them (p05 to p95).
fn final_state(
    out: &mut String,
    dir: &Path,
    arms: &[String],
    weeks: u32,
) -> Result<(), ReportError> {
    let path = dir.join(WEEKLY_FILE);
    if !path.is_file() || weeks == 0 {
        return Ok(());
    }
    let last = weeks - 1;
    let weekly: Vec<WeeklyRow> =
        read_rows_where(&path, |r: &WeeklyRow| r.site == "all" && r.week == last)?;
    let wanted = [
        ("isq", "Internal service quality", "0-100", 1.0),
        ("morale", "Employee morale", "0-100", 1.0),
        ("turnover_annualised", "Staff turnover", "% per year", 100.0),
        ("rookie_share", "Rookies among staff", "%", 100.0),
        (
            "productivity_served_per_hour",
            "Productivity",
            "served per staffed hour",
            1.0,
        ),
        (
            "perceived_quality",
            "Service quality",
            "perceived, 0-100",
            1.0,
        ),
        ("wait_minutes", "Wait", "minutes", 1.0),
        ("satisfaction", "Customer satisfaction", "0-100", 1.0),
        ("top_box_share", "Top-box (rating 5) share", "%", 100.0),
        (
            "retention_annualised",
            "Customer retention",
            "% per year",
            100.0,
        ),
        ("active_customers", "Active customers", "people", 1.0),
        ("revenue", "Revenue", "currency per week", 1.0),
        (
            "operating_profit",
            "Operating profit",
            "currency per week",
            1.0,
        ),
        ("cash_flow", "Net cash flow", "currency per week", 1.0),
        (
            "cumulative_cash_flow",
            "Cumulative net cash flow",
            "currency",
            1.0,
        ),
        (
            "cumulative_operating_profit",
            "Cumulative operating profit",
            "currency",
            1.0,
        ),
    ];
    let value: BTreeMap<(&str, &str), [f64; 3]> = weekly
        .iter()
        .map(|r| ((r.arm.as_str(), r.metric.as_str()), [r.mean, r.p05, r.p95]))
        .collect();
    let _ = write!(
        out,
        "<h2 id=\"chain-state\">The chain at the end (the last of {weeks} weeks)</h2>\n<p>Firm-level means over replications in the last simulated week, each with the spread across replications (p05&ndash;p95, the range of the middle 90% of outcomes; not a confidence interval); each link of the chain from internal service quality to profit.</p>\n<table><thead><tr><th>link</th><th>unit</th>"
    );
    for a in arms {
        let _ = write!(out, "<th class=\"num\">{}</th>", esc(a));
    }
    out.push_str("</tr></thead><tbody>\n");
    for (metric, label, unit, scale) in wanted {
        let _ = write!(out, "<tr><td>{label}</td><td>{unit}</td>");
        for a in arms {
            let [mean, p05, p95] = value
                .get(&(a.as_str(), metric))
                .copied()
                .unwrap_or([f64::NAN; 3])
                .map(|v| v * scale);
            let f = |v: f64| {
                if unit.starts_with("currency") {
                    money(v)
                } else {
                    number(v)
                }
            };
            let _ = write!(
                out,
                "<td class=\"num\">{}<br><span class=\"small\">p05&ndash;p95: {} to {}</span></td>",
                f(mean),
                f(p05),
                f(p95)
            );
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody></table>\n");
    Ok(())
}

/// The page of a run's output directory.
pub(super) fn page(dir: &Path) -> Result<String, ReportError> {
    let manifest: RunManifest = read_json(&dir.join(MANIFEST_FILE))?;
    let scenario = &manifest.scenario;
    let text = std::fs::read_to_string(dir.join(SCENARIO_FILE)).ok();
    let (weeks, reps) = (manifest.weeks, manifest.replications);
    let horizon = years(f64::from(weeks));
    let mut b = String::new();
    let _ = writeln!(
        b,
        "<header><h1>{}</h1><p class=\"lede\">{}</p></header>",
        esc(&scenario.name),
        esc(&scenario.description)
    );
    if !manifest.header.complete {
        incomplete_banner(
            &mut b,
            "run",
            u64::from(manifest.replications_done),
            Some(u64::from(
                manifest
                    .replications_requested
                    .unwrap_or(manifest.replications),
            )),
            "replications",
        );
    }
    let sites = &scenario.sites;
    let _ = write!(
        b,
        "<h2 id=\"simulated\">What was simulated</h2>\n<p>{} sites, each with {} front-line staff and {} customers to start (a market of {} people per site), over {weeks} weeks ({horizon}); {reps} Monte Carlo replications of every arm, seed {}. Every encounter between a customer and an employee is simulated; profit is what the ledger holds at the end, not a formula. Arms share their random numbers replication by replication (common random numbers), so differences between arms are paired. {}. Percentiles across replications (the bands of the charts, the spread of outcomes) are {}; intervals around means are 95% confidence intervals of the mean.</p>\n",
        sites.count,
        sites.employees_per_site,
        sites.customers_per_site,
        sites.market_per_site,
        manifest.header.seed,
        esc(&finance_basis(scenario, weeks)),
        esc(&percentiles_text(manifest.quantile_method)),
    );

    b.push_str("<h2 id=\"arms\">The arms</h2>\n<table><thead><tr><th>arm</th><th>what it represents</th><th>what it does</th></tr></thead><tbody>\n");
    for a in &scenario.arms {
        let _ = writeln!(
            b,
            "<tr><td><strong>{}</strong></td><td>{}</td><td>{}</td></tr>",
            esc(&a.name),
            esc(&a.description),
            arm_does(a)
                .iter()
                .map(|d| esc(d))
                .collect::<Vec<_>>()
                .join("<br>")
        );
    }
    b.push_str("</tbody></table>\n");

    // The comparison, read in plain words first.
    let comparison = dir.join(COMPARISON_FILE);
    if comparison.is_file() {
        let rows: Vec<ComparisonRow> = read_rows(&comparison)?;
        let baseline = rows
            .iter()
            .find(|r| r.baseline)
            .map_or_else(String::new, |r| r.arm.clone());
        b.push_str("<h2 id=\"answer\">The answer</h2>\n<ul class=\"findings\">\n");
        for c in rows.iter().filter(|r| !r.baseline) {
            let _ = writeln!(b, "<li>{}</li>", reading(c, &baseline, &horizon));
        }
        if let Some(best) = rows.iter().max_by(|x, y| x.npv_mean.total_cmp(&y.npv_mean)) {
            let _ = writeln!(
                b,
                "<li>Highest expected NPV: <strong>{}</strong>, the best arm in {} of the paired replications.</li>",
                esc(&best.arm),
                percent(best.p_best)
            );
        }
        b.push_str("</ul>\n");
        comparison_table(&mut b, &rows);
    }

    b.push_str("<h2 id=\"charts\">Charts</h2>\n");
    for (stem, caption) in [
        (
            "delta",
            "Each arm's cumulative net cash flow minus the baseline's, paired by replication (median; bands: spread across replications, p25–p75 and p05–p95): from where the line stays above zero the arm has paid back.",
        ),
        (
            "arms",
            "Cumulative net cash flow of every arm over time (median; bands: spread across replications, p25–p75 and p05–p95).",
        ),
        (
            "roi",
            "Return on the extra investment against the baseline: mean ΔNPV over the mean present value of the extra spending, with 95% confidence intervals.",
        ),
        (
            "profit",
            "Cumulative operating profit, capex depreciated (median; bands: spread across replications, p25–p75 and p05–p95).",
        ),
    ] {
        figure(&mut b, dir, stem, caption);
    }
    b.push_str("<h2 id=\"dashboard\">The chain dashboard</h2>\n<p>Every link of the service-profit chain, firm level, week by week: internal service quality drives morale, morale drives turnover and productivity, which drive service quality, customer satisfaction, retention, revenue and profit.</p>\n");
    figure(
        &mut b,
        dir,
        "chain",
        "The service-profit chain, link by link (median; bands: spread across replications, p25–p75 and p05–p95).",
    );
    let arm_names: Vec<String> = scenario.arms.iter().map(|a| a.name.clone()).collect();
    final_state(&mut b, dir, &arm_names, weeks)?;
    assumptions(&mut b, scenario, text.as_deref());
    let execution = manifest.execution.as_ref();
    let items = [
        ("chainsim", manifest.header.chainsim_version.clone()),
        ("seed", manifest.header.seed.to_string()),
        ("scenario", manifest.scenario_file.clone()),
        ("scenario SHA-256", manifest.scenario_sha256.clone()),
        ("generator", manifest.header.generator.clone()),
        (
            "threads",
            execution.map_or(String::new(), |e| e.threads.to_string()),
        ),
        (
            "wall time (s)",
            execution.map_or(String::new(), |e| format!("{:.1}", e.wall_seconds)),
        ),
    ];
    footer(&mut b, &items, manifest.header.command.as_deref(), dir);
    Ok(html_page(&format!("chainsim: {}", scenario.name), &b))
}
