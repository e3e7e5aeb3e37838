//! The experiments behind the checks. Each runs the agents under a design (arms on common random
//! numbers, cohorts followed through time, sites ranked, links cut) and measures what emerges.

use std::collections::BTreeMap;

use super::{CheckResult, Figure, FigureKind, Rule, ValidateOptions, Validation, replicate};
use crate::model::{Context, Probe, Replication, ReplicationOutcome, Site, WeekTally};
use crate::report::plot::{BandSeries, IntervalRow};
use crate::scenario::{Arm, Links, Range, Scenario};
use crate::stats::{Interval, mean_interval};

/// The archetype scenarios, built in so `validate` runs anywhere.
const ARCHETYPES: [(&str, &str); 3] = [
    (
        "retail_bank",
        include_str!("../../scenarios/retail_bank.ron"),
    ),
    (
        "call_centre",
        include_str!("../../scenarios/call_centre.ron"),
    ),
    (
        "restaurant_chain",
        include_str!("../../scenarios/restaurant_chain.ron"),
    ),
];

/// Week the first-year window ends (burn-in: the chain settles from its starting values).
const YEAR: u32 = 52;

/// The 1-5 survey rating of a satisfaction score: 5 from the top-box threshold, then 4, 3, 2 in
/// bands of 20 points below 60 (the survey instrument of the Xerox check).
pub fn survey_rating(satisfaction: f64, top_box_threshold: f64) -> u8 {
    if satisfaction >= top_box_threshold {
        5
    } else if satisfaction >= 60.0 {
        4
    } else if satisfaction >= 40.0 {
        3
    } else if satisfaction >= 20.0 {
        2
    } else {
        1
    }
}

fn archetype(name: &str) -> Scenario {
    let (label, text) = ARCHETYPES
        .iter()
        .find(|(n, _)| *n == name)
        .expect("a built-in archetype");
    Scenario::parse(text, label).expect("built-in archetypes are valid")
}

/// `s` with its arms replaced by `arms` (RON list of arms); the first is the baseline.
fn with_arms(mut s: Scenario, arms: &str) -> Scenario {
    s.arms = ron::from_str::<Vec<Arm>>(arms).expect("experiment arms are valid RON");
    s.baseline_arm = String::new();
    s
}

/// What the chain probe sees of one replication.
#[derive(Debug, Clone, Default)]
struct ChainProbe {
    /// Per site, the snapshot cohort at the end of year one: (slot, rating).
    cohort: Vec<Vec<(u32, u8)>>,
    /// Customers by rating at the snapshot, and how many were still customers a year later.
    by_rating: [(f64, f64); 5],
    /// Customers of the starting book still active, by week.
    initial_survivors: Vec<f64>,
    /// Sum and count of new hires' effectiveness by weeks of tenure (1-26).
    ramp: Vec<(f64, f64)>,
    /// Lost output and trainers' time of each hire over their first year, currency, keyed by
    /// (site, slot, week of hire).
    ramp_cost: BTreeMap<(usize, usize, u32), f64>,
}

impl Probe for ChainProbe {
    fn after_review(&mut self, ctx: &Context, week: u32, sites: &[Site]) {
        let scn = ctx.scenario;
        let top = scn.customers.top_box_threshold;
        if week + 1 == YEAR {
            self.cohort = sites
                .iter()
                .map(|s| {
                    let c = &s.customers;
                    (0..c.market())
                        .filter(|&k| c.slots[k].active)
                        .map(|k| (k as u32, survey_rating(c.slots[k].satisfaction, top)))
                        .collect()
                })
                .collect();
        }
        if week + 1 == 2 * YEAR {
            for (s, cohort) in sites.iter().zip(&self.cohort) {
                let c = &s.customers;
                for &(k, rating) in cohort {
                    let k = k as usize;
                    // A slot lost and re-acquired since holds a different customer.
                    let kept = c.slots[k].active && c.slots[k].joined_week <= YEAR;
                    let cell = &mut self.by_rating[usize::from(rating) - 1];
                    cell.0 += 1.0;
                    cell.1 += f64::from(u8::from(kept));
                }
            }
        }
        let initial: usize = sites
            .iter()
            .map(|s| {
                let c = &s.customers;
                c.slots
                    .iter()
                    .filter(|c| c.active && c.joined_week == 0)
                    .count()
            })
            .sum();
        self.initial_survivors.push(initial as f64);

        // New hires: tenure counts reviews since hire, so a hire has tenure <= week + 1 while
        // the starting staff (26-104 weeks at the start) always have more.
        self.ramp.resize(27, (0.0, 0.0));
        let e = &scn.employees;
        let hours = ctx.shift_hours * f64::from(scn.clock.open_days_per_week);
        for s in sites {
            let wage = s.wage_per_hour(ctx);
            for k in s.employees.active() {
                let tenure = s.employees.tenure_weeks[k];
                if tenure > f64::from(week + 1) || tenure > 52.0 {
                    continue;
                }
                let eff = s.employees.effectiveness[k];
                if tenure <= 26.0 {
                    let cell = &mut self.ramp[tenure as usize];
                    cell.0 += eff;
                    cell.1 += 1.0;
                }
                let trainer = if scn.links.trainer_time && eff < e.rookie_threshold {
                    e.trainer_time_per_rookie
                } else {
                    0.0
                };
                let hired = week + 1 - tenure as u32;
                *self.ramp_cost.entry((s.index, k, hired)).or_default() +=
                    ((1.0 - eff) + trainer) * hours * wage;
            }
        }
    }
}

/// A replication reduced to what the checks need.
#[derive(Debug, Clone, Default)]
struct Rep {
    /// Firm-wide figures by week.
    firm: Vec<FirmWeek>,
    /// Per site, figures over the window after year one.
    sites: Vec<SiteWindow>,
    /// Firm tallies summed over the window after year one.
    window: WeekTally,
    /// Cumulative profit at the horizon, currency.
    profit: f64,
    /// The probe.
    probe: ChainProbe,
}

#[derive(Debug, Clone, Copy, Default)]
struct FirmWeek {
    morale: f64,
    satisfaction: f64,
    revenue: f64,
}

#[derive(Debug, Clone, Copy, Default)]
struct SiteWindow {
    morale: f64,
    satisfaction: f64,
    /// Share of active customers rating 5.
    top_box: f64,
    /// Mean perceived quality of encounters.
    quality: f64,
    profit: f64,
    /// Quits per employee-year.
    turnover: f64,
}

fn ratio(a: f64, b: f64) -> f64 {
    if b != 0.0 { a / b } else { f64::NAN }
}

/// Runs replication `r` of arm `arm` with the chain probe and reduces it.
fn run_rep(s: &Scenario, arm: usize, seed: u64, r: u64) -> Rep {
    let mut probe = ChainProbe::default();
    let o = Replication::new(s, seed, r).arm(arm).run_probed(&mut probe);
    reduce(&o, probe)
}

fn reduce(o: &ReplicationOutcome, probe: ChainProbe) -> Rep {
    let firm_week = |row: &[WeekTally]| {
        let mut t = WeekTally::default();
        row.iter().for_each(|x| t.add(x));
        t
    };
    let firm: Vec<FirmWeek> = o
        .weekly
        .iter()
        .map(|row| {
            let t = firm_week(row);
            FirmWeek {
                morale: ratio(t.morale_sum, t.employees),
                satisfaction: ratio(t.satisfaction_sum, t.customers),
                revenue: t.money.get(crate::ledger::Line::Revenue).to_currency(),
            }
        })
        .collect();
    let n_sites = o.weekly.first().map_or(0, Vec::len);
    let after = o.weekly.iter().skip(YEAR as usize);
    let mut window = WeekTally::default();
    let mut per_site = vec![WeekTally::default(); n_sites];
    for row in after {
        for (acc, t) in per_site.iter_mut().zip(row) {
            acc.add(t);
            window.add(t);
        }
    }
    let sites = per_site
        .iter()
        .map(|t| SiteWindow {
            morale: ratio(t.morale_sum, t.employees),
            satisfaction: ratio(t.satisfaction_sum, t.customers),
            top_box: ratio(t.top_box, t.customers),
            quality: ratio(t.quality_sum, t.served + t.abandoned),
            profit: t.money.profit().to_currency(),
            turnover: ratio(t.quits * 52.0, t.employees),
        })
        .collect();
    let profit = o
        .weekly
        .iter()
        .map(|row| firm_week(row).money.profit().to_currency())
        .sum();
    Rep {
        firm,
        sites,
        window,
        profit,
        probe,
    }
}

/// Runs `reps` replications of every arm of `s`; result indexed [arm][replication].
fn run_arms(s: &Scenario, seed: u64, reps: u32) -> Vec<Vec<Rep>> {
    (0..s.arms.len())
        .map(|a| replicate(reps, |r| run_rep(s, a, seed, r)))
        .collect()
}

/// Mean over the window after year one of a firm series.
fn window_mean(rep: &Rep, f: impl Fn(&FirmWeek) -> f64) -> f64 {
    let v: Vec<f64> = rep.firm.iter().skip(YEAR as usize).map(f).collect();
    v.iter().sum::<f64>() / v.len().max(1) as f64
}

/// An interval from a single value (no replication spread: a derived figure).
fn point(x: f64) -> Interval {
    Interval {
        mean: x,
        lo: f64::NAN,
        hi: f64::NAN,
        n: 1,
    }
}

/// Pearson correlation of two equally long samples.
fn correlation(x: &[f64], y: &[f64]) -> f64 {
    let n = x.len() as f64;
    let (mx, my) = (x.iter().sum::<f64>() / n, y.iter().sum::<f64>() / n);
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in x.iter().zip(y) {
        sxy += (a - mx) * (b - my);
        sxx += (a - mx).powi(2);
        syy += (b - my).powi(2);
    }
    ratio(sxy, (sxx * syy).sqrt())
}

/// Mean cross-site correlation of morale and satisfaction over replications, averaged on
/// Fisher's z scale and transformed back with its interval.
fn morale_satisfaction_correlation(reps: &[Rep]) -> Interval {
    let z = mean_interval(
        reps.iter()
            .map(|r| site_correlation(r).clamp(-0.999_999, 0.999_999).atanh()),
    );
    Interval {
        mean: z.mean.tanh(),
        lo: z.lo.tanh(),
        hi: z.hi.tanh(),
        n: z.n,
    }
}

pub(super) fn run_all(o: &ValidateOptions, out: &mut Validation) {
    let wanted = |name: &str| {
        o.only
            .as_deref()
            .is_none_or(|only| only.iter().any(|x| x == name))
    };
    let bank = archetype("retail_bank");
    let needs_base = ["facts", "smile", "reichheld", "ablations"];
    let bank_reps = if needs_base.iter().any(|n| wanted(n)) {
        replicate(o.replications, |r| run_rep(&bank, 0, o.seed, r))
    } else {
        Vec::new()
    };
    if wanted("facts") {
        published_facts(&bank, &bank_reps, out);
    }
    if wanted("archetypes") {
        for name in ["call_centre", "restaurant_chain"] {
            let s = archetype(name);
            let reps = replicate(o.replications, |r| run_rep(&s, 0, o.seed, r));
            loyalty_checks(name, &reps, out);
        }
    }
    if wanted("sears") {
        sears(o, &bank, out);
    }
    if wanted("smile") {
        smile(o, &bank, &bank_reps, out);
    }
    if wanted("not_maximise") {
        not_maximise_everything(o, &bank, out);
    }
    if wanted("reichheld") {
        reichheld(o, &bank, &bank_reps, out);
    }
    if wanted("ablations") {
        ablations(o, &bank, &bank_reps, out);
    }
    if wanted("queueing") {
        queueing(o, out);
    }
}

/// Loyalty facts measured on one archetype's baseline: Xerox, satisfied still leave, why
/// customers leave.
fn loyalty_checks(name: &'static str, reps: &[Rep], out: &mut Validation) {
    let id = |check: &str| format!("{check}.{name}");
    let defect = |r: &Rep, rating: usize| {
        let (n, kept) = r.probe.by_rating[rating - 1];
        ratio(n - kept, n)
    };
    // Xerox: odds of repurchase (staying a customer) at rating 5 against rating 4.
    let odds = mean_interval(reps.iter().map(|r| {
        let odds = |rating| {
            let d = defect(r, rating);
            ratio(1.0 - d, d)
        };
        odds(5) / odds(4)
    }));
    let rate = |rating| mean_interval(reps.iter().map(|r| defect(r, rating)));
    out.results.push(
        CheckResult::judge(
            id("xerox_loyalty"),
            "customers rating 5 repurchase far more than those rating 4",
            "odds ~6x (rating 5 vs 4)",
            "Heskett et al. 1994",
            (4.0, 9.0),
            Rule::Overlaps,
            "x",
            odds,
        )
        .with_detail(format!(
            "one-year defection of the year-1 cohort by rating 1..5: {}",
            (1..=5)
                .map(|k| format!("{:.1}%", 100.0 * rate(k).mean))
                .collect::<Vec<_>>()
                .join(", ")
        )),
    );
    out.results.push(CheckResult::judge(
        id("satisfied_still_leave"),
        "merely satisfied customers still defect",
        "15-40% of rating-4 defect/yr",
        "multi-industry survey 1996",
        (0.15, 0.40),
        Rule::Overlaps,
        "share/yr",
        rate(4),
    ));
    let share = mean_interval(
        reps.iter()
            .map(|r| ratio(r.window.lost_service, r.window.lost())),
    );
    out.results.push(CheckResult::judge(
        id("why_customers_leave"),
        "most losses come from service treatment under a baseline",
        "~2/3 (68%) service treatment",
        "LeBoeuf; TARP",
        (0.55, 0.80),
        Rule::Overlaps,
        "share",
        share,
    ));
    if name == "retail_bank" {
        let rows = (1..=5)
            .map(|k| {
                let i = rate(k);
                IntervalRow {
                    label: format!("rating {k}"),
                    estimate: 100.0 * i.mean,
                    lo: 100.0 * i.lo,
                    hi: 100.0 * i.hi,
                }
            })
            .collect();
        out.figures.push(Figure {
            stem: "loyalty_curve",
            title: "Loyalty is nonlinear: one-year defection by survey rating (retail bank)"
                .to_string(),
            kind: FigureKind::Intervals {
                rows,
                x_label: "customers lost within a year, % of those giving the rating",
            },
        });
    }
}

/// The facts measured on the retail bank's baseline run.
fn published_facts(bank: &Scenario, reps: &[Rep], out: &mut Validation) {
    loyalty_checks("retail_bank", reps, out);

    // Word of mouth and complaints, per encounter that dissatisfied or delighted.
    let neg = mean_interval(
        reps.iter()
            .map(|r| ratio(r.window.wom_negative, r.window.dissatisfied)),
    );
    let pos_share = mean_interval(reps.iter().map(|r| {
        ratio(r.window.wom_positive, r.window.delighted)
            / ratio(r.window.wom_negative, r.window.dissatisfied)
    }));
    let complain = mean_interval(
        reps.iter()
            .map(|r| ratio(r.window.dissatisfied, r.window.complaints)),
    );
    out.results.push(CheckResult::judge(
        "word_of_mouth_negative".into(),
        "a dissatisfied customer tells 9-10 people",
        "9-10 people",
        "TARP",
        (9.0, 10.0),
        Rule::Overlaps,
        "people",
        neg,
    ).with_detail("mechanism check: tells per dissatisfying encounter are an input (customers.wom_dissatisfied_tells); this guards the wiring, not the figure".into()));
    out.results.push(CheckResult::judge(
        "word_of_mouth_positive".into(),
        "a delighted customer tells about half as many",
        "~0.5 of the dissatisfied's",
        "TARP",
        (0.4, 0.6),
        Rule::Overlaps,
        "x",
        pos_share,
    ).with_detail("mechanism check: tells per delighting encounter are an input (customers.wom_delighted_tells)".into()));
    out.results.push(CheckResult::judge(
        "complaints".into(),
        "few dissatisfied customers complain",
        "1 in ~26",
        "TARP",
        (20.0, 32.0),
        Rule::Overlaps,
        "dissatisfied per complaint",
        complain,
    ).with_detail("mechanism check: the complaint probability is an input (customers.complaint_probability); the ratio is measured from the draws".into()));

    // Turnover cost: hiring and onboarding plus the output lost while a hire learns and the
    // trainers' time, as a share of a year's pay.
    let e = &bank.employees;
    let hours_per_year = f64::from(bank.clock.close_minute - bank.clock.open_minute) / 60.0
        * f64::from(bank.clock.open_days_per_week)
        * 52.0;
    let last_hire = bank.weeks.saturating_sub(YEAR);
    let share = mean_interval(reps.iter().map(|r| {
        let costs: Vec<f64> = r
            .probe
            .ramp_cost
            .iter()
            .filter(|((_, _, hired), _)| *hired < last_hire)
            .map(|(_, c)| *c)
            .collect();
        let ramp = costs.iter().sum::<f64>() / costs.len().max(1) as f64;
        (e.hiring_cost + e.onboarding_cost + ramp) / (e.wage_per_hour * hours_per_year)
    }));
    out.results.push(CheckResult::judge(
        "turnover_cost".into(),
        "replacing a front-line employee costs a share of a year's pay",
        "15-25% (median 21%)",
        "Boushey & Glynn 2012",
        (0.15, 0.25),
        Rule::Overlaps,
        "of annual pay",
        share,
    ));

    // Rookies: fit log(1 - effectiveness) = a + b * tenure over the first 26 weeks.
    let fits: Vec<(f64, f64)> = reps
        .iter()
        .map(|r| {
            let pts: Vec<(f64, f64)> = r
                .probe
                .ramp
                .iter()
                .enumerate()
                .filter(|(k, (_, n))| *k >= 1 && *n > 0.0)
                .map(|(k, (sum, n))| (k as f64, (1.0 - sum / n).max(1e-9).ln()))
                .collect();
            let n = pts.len() as f64;
            let (mx, my) = (
                pts.iter().map(|p| p.0).sum::<f64>() / n,
                pts.iter().map(|p| p.1).sum::<f64>() / n,
            );
            let sxy: f64 = pts.iter().map(|(x, y)| (x - mx) * (y - my)).sum();
            let sxx: f64 = pts.iter().map(|(x, _)| (x - mx).powi(2)).sum();
            let b = sxy / sxx;
            let a = my - b * mx;
            (1.0 - a.exp(), -1.0 / b)
        })
        .collect();
    out.results.push(CheckResult::judge(
        "rookie_start".into(),
        "a new hire starts far below an experienced employee",
        "~35% effective at hire",
        "Oliva & Sterman 2001",
        (0.25, 0.45),
        Rule::Overlaps,
        "of experienced",
        mean_interval(fits.iter().map(|f| f.0)),
    ).with_detail("fitted to the hires' learning curves; the start is an input (employees.rookie_effectiveness)".into()));
    out.results.push(CheckResult::judge(
        "rookie_ramp".into(),
        "and becomes experienced over about three months",
        "time constant ~12 weeks",
        "Oliva & Sterman 2001",
        (8.0, 16.0),
        Rule::Overlaps,
        "weeks",
        mean_interval(fits.iter().map(|f| f.1)),
    ).with_detail("fitted time constant: employees.learning_time_constant_weeks scaled by the skills stock the training budget sustains".into()));

    // Engagement quartiles: rank sites by morale within each replication.
    let quartiles: Vec<(f64, f64, f64, f64)> = reps
        .iter()
        .map(|r| {
            let mut order: Vec<&SiteWindow> = r.sites.iter().collect();
            order.sort_by(|a, b| a.morale.total_cmp(&b.morale));
            let q = (order.len() / 4).max(1);
            let mean = |v: &[&SiteWindow], f: fn(&SiteWindow) -> f64| {
                v.iter().map(|s| f(s)).sum::<f64>() / v.len() as f64
            };
            let (bottom, top) = (&order[..q], &order[order.len() - q..]);
            let rel = |f: fn(&SiteWindow) -> f64| mean(top, f) / mean(bottom, f);
            (
                rel(|s| s.top_box) - 1.0,
                (mean(top, |s| s.profit) - mean(bottom, |s| s.profit))
                    / mean(bottom, |s| s.profit).abs(),
                rel(|s| s.turnover),
                rel(|s| s.satisfaction) - 1.0,
            )
        })
        .collect();
    let top_box = mean_interval(quartiles.iter().map(|q| q.0));
    out.results.push(
        CheckResult::judge(
            "engagement_customers".into(),
            "top-morale quartile of units has more satisfied customers",
            "~+10% customer ratings",
            "Harter et al. (Gallup) 2013",
            (0.03, 0.20),
            Rule::Overlaps,
            "relative (mean satisfaction)",
            mean_interval(quartiles.iter().map(|q| q.3)),
        )
        .with_detail(format!(
            "sites ranked by morale in years 2-3; the top-box share differs by {:+.0}% [{:+.0}, {:+.0}]",
            100.0 * top_box.mean,
            100.0 * top_box.lo,
            100.0 * top_box.hi
        )),
    );
    out.results.push(CheckResult::judge(
        "engagement_profit".into(),
        "and is more profitable",
        "~+22% profitability",
        "Harter et al. (Gallup) 2013",
        (0.10, 0.45),
        Rule::Overlaps,
        "relative",
        mean_interval(quartiles.iter().map(|q| q.1)),
    ));
    out.results.push(CheckResult::judge(
        "engagement_turnover".into(),
        "and loses fewer staff",
        "lower turnover (~-25 to -65%)",
        "Harter et al. (Gallup) 2013",
        (0.35, 0.95),
        Rule::Overlaps,
        "top / bottom",
        mean_interval(quartiles.iter().map(|q| q.2)),
    ));
}

/// Sears: raise ISQ (leadership development, maintained) from the start of year two, with a dose
/// that puts mean morale 5 points above the control arm in year three, once the leadership stock
/// has built up; measure customers and revenue growth in that year.
fn sears(o: &ValidateOptions, bank: &Scenario, out: &mut Validation) {
    let arms = |points: f64| {
        with_arms(
            bank.clone(),
            &format!(
                "[(name: \"control\"), (name: \"isq\", interventions: [(lever: \
                 LeadershipDevelopment(points: {points}), start_week: {YEAR}, every_weeks: Some(4))])]"
            ),
        )
    };
    let year2 = (YEAR as usize)..(2 * YEAR as usize);
    let year3 = (2 * YEAR as usize)..(3 * YEAR as usize);
    let mean_over = |rep: &Rep, f: fn(&FirmWeek) -> f64| {
        rep.firm[year3.clone()].iter().map(f).sum::<f64>() / year3.len() as f64
    };
    let morale_gain = |s: &Scenario, seed: u64, reps: u32| {
        let r = run_arms(s, seed, reps);
        let d = r[1]
            .iter()
            .zip(&r[0])
            .map(|(t, c)| mean_over(t, |w| w.morale) - mean_over(c, |w| w.morale));
        d.sum::<f64>() / f64::from(reps)
    };
    // The dose is found on replications the measurement does not use.
    let calibration_seed = o.seed ^ 0x5EA2_5EA2;
    let (mut lo, mut hi) = (0.0, 40.0);
    for _ in 0..8 {
        let mid = 0.5 * (lo + hi);
        if morale_gain(&arms(mid), calibration_seed, 4) < 5.0 {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    let points = 0.5 * (lo + hi);
    let s = arms(points);
    let r = run_arms(&s, o.seed, o.replications);
    let revenue = |rep: &Rep, range: std::ops::Range<usize>| {
        rep.firm[range].iter().map(|w| w.revenue).sum::<f64>()
    };
    let pairs: Vec<(f64, f64, f64)> = r[1]
        .iter()
        .zip(&r[0])
        .map(|(t, c)| {
            let dm = mean_over(t, |w| w.morale) - mean_over(c, |w| w.morale);
            let ds = mean_over(t, |w| w.satisfaction) - mean_over(c, |w| w.satisfaction);
            let growth = |x: &Rep| revenue(x, year3.clone()) / revenue(x, year2.clone());
            let dg = 100.0 * (growth(t) - growth(c));
            (dm, ds, dg)
        })
        .collect();
    let dm = mean_interval(pairs.iter().map(|p| p.0));
    let per5 = |x: f64, m: f64| 5.0 * x / m;
    let ds = mean_interval(pairs.iter().map(|p| per5(p.1, p.0)));
    let dg = mean_interval(pairs.iter().map(|p| per5(p.2, p.0)));
    out.results.push(
        CheckResult::judge(
            "sears_customers".into(),
            "+5 units of employee attitude lift customer impression",
            "+1.3 units per +5",
            "Rucci, Kirn & Quinn 1998",
            (0.65, 2.6),
            Rule::Overlaps,
            "points per +5 morale",
            ds,
        )
        .with_detail(format!(
            "leadership development of {points:.1} points every 4 weeks from week {YEAR}: morale +{:.2} [{:.2}, {:.2}] in year three",
            dm.mean, dm.lo, dm.hi
        )),
    );
    out.results.push(CheckResult::judge(
        "sears_revenue".into(),
        "and then revenue growth",
        "+0.5 pt growth per +5",
        "Rucci, Kirn & Quinn 1998",
        (0.25, 1.0),
        Rule::Overlaps,
        "pt per +5 morale",
        dg,
    ));

    // Order of response: each quantity's mean delay after the start, the area between its
    // final level (the mean paired difference over the last half-year) and its paired difference
    // week by week, in weeks: for a first-order lag the delay is its time constant. Areas
    // integrate the weekly noise away where a first crossing would not.
    let weeks = s.weeks as usize;
    let diff = |f: fn(&FirmWeek) -> f64, t: &Rep, c: &Rep, k: usize| f(&t.firm[k]) - f(&c.firm[k]);
    // The final gap: the mean paired difference over the last half-year.
    let final_gap = |f: fn(&FirmWeek) -> f64| {
        r[1].iter()
            .zip(&r[0])
            .map(|(t, c)| (weeks - 26..weeks).map(|k| diff(f, t, c, k)).sum::<f64>() / 26.0)
            .sum::<f64>()
            / r[0].len() as f64
    };
    let delays = |f: fn(&FirmWeek) -> f64| -> Vec<f64> {
        let level = final_gap(f);
        r[1].iter()
            .zip(&r[0])
            .map(|(t, c)| {
                (YEAR as usize..weeks)
                    .map(|k| 1.0 - diff(f, t, c, k) / level)
                    .sum::<f64>()
            })
            .collect()
    };
    let (d_morale, d_sat, d_rev) = (
        delays(|w| w.morale),
        delays(|w| w.satisfaction),
        delays(|w| w.revenue),
    );
    let lag = |a: &[f64], b: &[f64]| mean_interval(a.iter().zip(b).map(|(a, b)| b - a));
    let (first, second) = (lag(&d_morale, &d_sat), lag(&d_sat, &d_rev));
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    let (tm, ts, tr) = (mean(&d_morale), mean(&d_sat), mean(&d_rev));
    out.results.push(
        CheckResult::judge(
            "sears_order".into(),
            "employees respond first, then customers, then revenue",
            "order: employee > customer > revenue",
            "Rucci, Kirn & Quinn 1998",
            (0.0, f64::INFINITY),
            Rule::Inside,
            "weeks (shorter lag)",
            point(first.mean.min(second.mean)),
        )
        .with_detail(format!(
            "mean delay after the start: morale {tm:.1} wk, satisfaction {ts:.1} wk, revenue {tr:.1} wk; lags {:.1} [{:.1}, {:.1}] and {:.1} [{:.1}, {:.1}] wk",
            first.mean, first.lo, first.hi, second.mean, second.lo, second.hi
        )),
    );
    out.figures.push(Figure {
        stem: "sears_chain",
        title: format!(
            "Sears chain: morale ~5 points up (leadership dose {points:.1} pts) moves customers and revenue"
        ),
        kind: FigureKind::Intervals {
            rows: vec![
                IntervalRow {
                    label: "morale, points".into(),
                    estimate: dm.mean,
                    lo: dm.lo,
                    hi: dm.hi,
                },
                IntervalRow {
                    label: "satisfaction per +5 morale".into(),
                    estimate: ds.mean,
                    lo: ds.lo,
                    hi: ds.hi,
                },
                IntervalRow {
                    label: "revenue growth per +5, pt".into(),
                    estimate: dg.mean,
                    lo: dg.lo,
                    hi: dg.hi,
                },
            ],
            x_label: "treatment minus control in year three (paired, 95% interval)",
        },
    });
    // The response over time: each paired difference (13-week trailing mean) as a share of its
    // mean level over the last half-year, with bands across replications.
    let response = |label: &str, f: fn(&FirmWeek) -> f64| {
        let pairs: Vec<(&Rep, &Rep)> = r[1].iter().zip(&r[0]).collect();
        let level = final_gap(f);
        let mut series = BandSeries {
            label: label.to_string(),
            weeks: Vec::new(),
            p05: Vec::new(),
            p25: Vec::new(),
            p50: Vec::new(),
            p75: Vec::new(),
            p95: Vec::new(),
        };
        for w in (YEAR as usize - 13)..weeks {
            let mut v: Vec<f64> = pairs
                .iter()
                .map(|(t, c)| {
                    let lo = w.saturating_sub(12);
                    (lo..=w).map(|k| diff(f, t, c, k)).sum::<f64>() / (w - lo + 1) as f64 / level
                })
                .collect();
            v.sort_by(f64::total_cmp);
            series.weeks.push(w as u32);
            for (q, out) in [
                (0.05, &mut series.p05),
                (0.25, &mut series.p25),
                (0.5, &mut series.p50),
                (0.75, &mut series.p75),
                (0.95, &mut series.p95),
            ] {
                out.push(crate::stats::quantile_sorted(&v, q));
            }
        }
        series
    };
    out.figures.push(Figure {
        stem: "sears_response",
        title: format!(
            "Raise ISQ at week {YEAR}: morale moves first, then satisfaction, then revenue"
        ),
        kind: FigureKind::Bands {
            series: vec![
                response("morale", |w| w.morale),
                response("satisfaction", |w| w.satisfaction),
                response("revenue", |w| w.revenue),
            ],
            y_label: "treatment - control, share of final gap (13-week mean)",
        },
    });
}

/// Smile training without ISQ support, against the baseline on common random numbers.
fn smile(o: &ValidateOptions, bank: &Scenario, base: &[Rep], out: &mut Validation) {
    let s = with_arms(
        bank.clone(),
        "[(name: \"baseline\"), (name: \"smile\", interventions: [(lever: \
         SmileTraining(display_points: 25.0), start_week: 4, every_weeks: Some(13), \
         cost_per_employee: 400.0)])]",
    );
    let treated = replicate(o.replications, |r| run_rep(&s, 1, o.seed, r));
    let delta = |f: fn(&WeekTally) -> f64| {
        mean_interval(
            treated
                .iter()
                .zip(base)
                .map(|(t, c)| f(&t.window) - f(&c.window)),
        )
    };
    out.results.push(CheckResult::judge(
        "smile_satisfaction".into(),
        "smile training without ISQ support does little for customers",
        "little or negative effect",
        "Hulsheger & Schewe 2011",
        (f64::NEG_INFINITY, 1.0),
        Rule::Inside,
        "satisfaction points",
        delta(|t| ratio(t.satisfaction_sum, t.customers)),
    ));
    out.results.push(CheckResult::judge(
        "smile_strain".into(),
        "but raises exhaustion",
        "higher exhaustion",
        "Hulsheger & Schewe 2011",
        (0.0, f64::INFINITY),
        Rule::Inside,
        "strain points",
        delta(|t| ratio(t.strain_sum, t.employees)),
    ));
    out.results.push(CheckResult::judge(
        "smile_quits".into(),
        "and quits",
        "more quits",
        "Grandey 2005",
        (0.0, f64::INFINITY),
        Rule::Inside,
        "quits/employee-yr",
        delta(|t| ratio(t.quits * 52.0, t.employees)),
    ));
}

/// Hogreve et al.: ever more spending on employees (ISQ bundles of rising size) keeps raising
/// morale, but profit peaks before morale does.
fn not_maximise_everything(o: &ValidateOptions, bank: &Scenario, out: &mut Validation) {
    let doses = [0.0, 0.5, 1.0, 2.0, 4.0, 8.0];
    let arms: Vec<String> = doses
        .iter()
        .map(|&k| {
            if k == 0.0 {
                "(name: \"x0\")".to_string()
            } else {
                format!(
                    "(name: \"x{k}\", interventions: [\
                     (lever: Tooling(amount: {}), start_week: 4, every_weeks: Some(52)),\
                     (lever: SkillsTraining(amount: {}), start_week: 4, every_weeks: Some(13)),\
                     (lever: LeadershipDevelopment(points: {}), start_week: 4, every_weeks: Some(13), cost_per_site: {}),\
                     (lever: PayRaise(percent: {}), start_week: 4)])",
                    10_000.0 * k,
                    150.0 * k,
                    4.0 * k,
                    2_000.0 * k,
                    2.5 * k
                )
            }
        })
        .collect();
    let s = with_arms(bank.clone(), &format!("[{}]", arms.join(",")));
    let r = run_arms(&s, o.seed, o.replications);
    let morale: Vec<f64> = r
        .iter()
        .map(|a| a.iter().map(|x| window_mean(x, |w| w.morale)).sum::<f64>() / a.len() as f64)
        .collect();
    let profit: Vec<f64> = r
        .iter()
        .map(|a| a.iter().map(|x| x.profit).sum::<f64>() / a.len() as f64)
        .collect();
    let argmax = |v: &[f64]| {
        (0..v.len())
            .max_by(|&a, &b| v[a].total_cmp(&v[b]))
            .unwrap_or(0)
    };
    let (top_morale, top_profit) = (argmax(&morale), argmax(&profit));
    let gap = mean_interval(
        r[top_morale]
            .iter()
            .zip(&r[top_profit])
            .map(|(a, b)| (a.profit - b.profit) / 1e6),
    );
    let fmt = |i: usize| {
        format!(
            "x{} morale {:.1} profit {:.2}M",
            doses[i],
            morale[i],
            profit[i] / 1e6
        )
    };
    out.results.push(
        CheckResult::judge(
            "not_maximise_everything".into(),
            "maximising employee satisfaction does not maximise profit",
            "profit peaks before morale",
            "Hogreve et al. 2017",
            (f64::NEG_INFINITY, 0.0),
            Rule::Inside,
            "M profit (top-morale - best)",
            gap,
        )
        .with_detail(format!(
            "ISQ bundles: {}",
            (0..doses.len()).map(fmt).collect::<Vec<_>>().join("; ")
        )),
    );
    out.figures.push(Figure {
        stem: "not_maximise_everything",
        title: "More spending on employees keeps raising morale; profit peaks first".into(),
        kind: FigureKind::Intervals {
            rows: (0..doses.len())
                .map(|i| {
                    let d = mean_interval(
                        r[i].iter()
                            .zip(&r[0])
                            .map(|(a, b)| (a.profit - b.profit) / 1e6),
                    );
                    IntervalRow {
                        label: format!("bundle x{} (morale {:.1})", doses[i], morale[i]),
                        estimate: d.mean,
                        lo: d.lo,
                        hi: d.hi,
                    }
                })
                .collect(),
            x_label: "3-year profit against no bundle, M (paired, 95% interval)",
        },
    });
}

/// Expected tenure of the starting book of customers: the area under its survival curve, with
/// the tail beyond the horizon extrapolated at the last year's hazard.
fn expected_tenure_years(rep: &Rep, n0: f64) -> f64 {
    let s = &rep.probe.initial_survivors;
    let t = s.len();
    let area: f64 = s.iter().map(|x| x / n0).sum();
    let last = s[t - 1] / n0;
    let hazard = (s[t - 1 - YEAR as usize] / s[t - 1]).ln() / f64::from(YEAR);
    (area + last / hazard) / 52.0
}

/// Reichheld & Sasser: halving every churn hazard should double customers' expected tenure.
fn reichheld(o: &ValidateOptions, bank: &Scenario, base: &[Rep], out: &mut Validation) {
    let mut s = bank.clone();
    let c = &mut s.customers;
    for h in [
        &mut c.churn_top_per_year,
        &mut c.churn_middle_per_year,
        &mut c.churn_bottom_per_year,
        &mut c.loss_product_per_year,
        &mut c.loss_competitor_per_year,
        &mut c.loss_moved_per_year,
        &mut c.catastrophe_loss_probability,
    ] {
        *h *= 0.5;
    }
    let halved = replicate(o.replications, |r| run_rep(&s, 0, o.seed, r));
    let n0 = f64::from(bank.sites.customers_per_site * bank.sites.count);
    let first_year_churn = |r: &Rep| 1.0 - r.probe.initial_survivors[YEAR as usize - 1] / n0;
    let churn_ratio = mean_interval(
        halved
            .iter()
            .zip(base)
            .map(|(h, b)| first_year_churn(h) / first_year_churn(b)),
    );
    let tenure = |reps: &[Rep]| mean_interval(reps.iter().map(|r| expected_tenure_years(r, n0)));
    out.results.push(
        CheckResult::judge(
            "reichheld_tenure".into(),
            "halving churn doubles customers' expected tenure",
            "x2 expected tenure",
            "Reichheld & Sasser 1990",
            (1.8, 2.2),
            Rule::Overlaps,
            "x",
            mean_interval(
                halved
                    .iter()
                    .zip(base)
                    .map(|(h, b)| expected_tenure_years(h, n0) / expected_tenure_years(b, n0)),
            ),
        )
        .with_detail(format!(
            "every loss hazard halved: first-year churn x{:.2}; expected tenure {:.1} -> {:.1} years",
            churn_ratio.mean,
            tenure(base).mean,
            tenure(&halved).mean
        )),
    );
}

/// Cross-site correlation of morale and satisfaction in one replication.
fn site_correlation(x: &Rep) -> f64 {
    let a: Vec<f64> = x.sites.iter().map(|s| s.morale).collect();
    let b: Vec<f64> = x.sites.iter().map(|s| s.satisfaction).collect();
    correlation(&a, &b)
}

/// Partial correlation of morale and satisfaction across sites, holding perceived service
/// quality fixed.
fn partial_correlation(x: &Rep) -> f64 {
    let col = |f: fn(&SiteWindow) -> f64| x.sites.iter().map(f).collect::<Vec<f64>>();
    let (m, c, q) = (
        col(|s| s.morale),
        col(|s| s.satisfaction),
        col(|s| s.quality),
    );
    let (rmc, rmq, rcq) = (
        correlation(&m, &c),
        correlation(&m, &q),
        correlation(&c, &q),
    );
    (rmc - rmq * rcq) / ((1.0 - rmq * rmq) * (1.0 - rcq * rcq)).sqrt()
}

/// Link ablations: the forward link (employees shape the service) and the mirror.
fn ablations(o: &ValidateOptions, bank: &Scenario, base: &[Rep], out: &mut Validation) {
    let with_links = |f: fn(&mut Links)| {
        let mut s = bank.clone();
        f(&mut s.links);
        replicate(o.replications, move |r| run_rep(&s, 0, o.seed, r))
    };
    out.results.push(CheckResult::judge(
        "chain_correlation".into(),
        "across sites, morale and customer satisfaction go together",
        "r ~ .2-.5 across units",
        "Brown & Lam 2008",
        (0.15, 0.6),
        Rule::Overlaps,
        "r",
        morale_satisfaction_correlation(base),
    ));
    let z = |x: f64| x.clamp(-0.999_999, 0.999_999).atanh();
    let partial = mean_interval(base.iter().map(|r| z(partial_correlation(r))));
    out.results.push(CheckResult::judge(
        "mediation_service_quality".into(),
        "holding service quality fixed, morale tells nothing more about customers",
        "fully mediated by service quality",
        "Brown & Lam 2008",
        (-0.2, 0.2),
        Rule::Overlaps,
        "partial r",
        Interval {
            mean: partial.mean.tanh(),
            lo: partial.lo.tanh(),
            hi: partial.hi.tanh(),
            n: partial.n,
        },
    ));
    // The employee -> service link: morale shows as courtesy and effort, and morale keeps staff
    // (retention -> service capability), directly and through the strain of surface acting. The
    // mirror is cut too so customers cannot move morale back.
    fn hide(l: &mut Links) {
        l.morale_to_courtesy = false;
        l.morale_to_effort = false;
        l.morale_to_quits = false;
        l.emotional_labour = false;
    }
    let hidden = with_links(hide);
    let neither = with_links(|l| {
        hide(l);
        l.satisfaction_mirror = false;
    });
    out.results.push(CheckResult::judge(
        "ablation_employee_service".into(),
        "cut employee -> service (and the mirror): the correlation vanishes",
        "effect runs through service",
        "Brown & Lam 2008",
        (-0.2, 0.2),
        Rule::Overlaps,
        "r",
        morale_satisfaction_correlation(&neither),
    ));
    let gain = mean_interval(
        hidden
            .iter()
            .zip(&neither)
            .map(|(m, n)| site_correlation(m) - site_correlation(n)),
    );
    out.results.push(CheckResult::judge(
        "ablation_mirror_morale".into(),
        "the mirror alone ties morale to customers' satisfaction",
        "the link runs both ways",
        "Schneider, White & Paul 1998",
        (0.0, f64::INFINITY),
        Rule::Inside,
        "r (mirror on - off)",
        gain,
    ));
    let dsat = mean_interval(hidden.iter().zip(&neither).map(|(m, n)| {
        ratio(m.window.satisfaction_sum, m.window.customers)
            - ratio(n.window.satisfaction_sum, n.window.customers)
    }));
    out.results.push(CheckResult::judge(
        "ablation_mirror_customers".into(),
        "and, with morale hidden from customers, changes nothing for them",
        "customers unchanged",
        "model structure",
        (-0.5, 0.5),
        Rule::Inside,
        "satisfaction points",
        dsat,
    ));
}

/// A single site open round the clock with every feedback link off, no churn and no
/// acquisition: an M/M/c queue (M/M/c+M with `patience_minutes`) with exponential service of
/// `service_minutes`, which must agree with queueing theory. Nearly identical visit rates make
/// the realised arrival rate the nominal one.
pub fn queue_scenario(
    servers: u32,
    arrivals_per_minute: f64,
    service_minutes: f64,
    patience_minutes: Option<f64>,
) -> Scenario {
    let mut s = Scenario::default();
    let off = ron::to_string(&Links::default())
        .expect("links serialise")
        .replace("true", "false");
    s.links = ron::from_str(&off).expect("links deserialise");
    s.sites.count = 1;
    s.sites.employees_per_site = servers;
    let customers = 10_000;
    s.sites.customers_per_site = customers;
    s.sites.market_per_site = customers;
    s.sites.demand_multiplier = Range::new(1.0, 1.0);
    s.clock.open_minute = 0;
    s.clock.close_minute = 1440;
    s.clock.open_days_per_week = 7;
    s.demand.visit_rate_shape = 1.0e9;
    s.demand.visits_per_customer_per_week = arrivals_per_minute * 10_080.0 / f64::from(customers);
    s.demand.seasonality_amplitude = 0.0;
    s.service.standard_time_minutes = service_minutes;
    s.service.abandonment = patience_minutes.is_some();
    s.service.patience_mean_minutes = patience_minutes.unwrap_or(1.0);
    s.employees.absence_probability = 0.0;
    let c = &mut s.customers;
    c.churn_top_per_year = 0.0;
    c.churn_middle_per_year = 0.0;
    c.churn_bottom_per_year = 0.0;
    c.loss_product_per_year = 0.0;
    c.loss_competitor_per_year = 0.0;
    c.loss_moved_per_year = 0.0;
    c.marketing_customers_per_site_per_week = 0.0;
    s.weeks = 3;
    s
}

/// Erlang C for M/M/c with `c` servers, arrival rate `lambda` and service rate `mu`: the
/// probability of waiting and the mean wait in queue (in the time unit of the rates).
pub fn erlang_c(c: u32, lambda: f64, mu: f64) -> (f64, f64) {
    let a = lambda / mu;
    let rho = a / f64::from(c);
    let mut term = 1.0;
    let mut sum = 0.0;
    for k in 0..c {
        if k > 0 {
            term *= a / f64::from(k);
        }
        sum += term;
    }
    let top = term * a / f64::from(c) / (1.0 - rho);
    let p_wait = top / (sum + top);
    (p_wait, p_wait / (f64::from(c) * mu - lambda))
}

/// Birth-death chain of M/M/c+M (Erlang A) with service rate 1: the mean wait in queue of all
/// arrivals (minutes) and the probability of abandoning.
fn erlang_a(c: u32, lambda: f64, theta: f64) -> (f64, f64) {
    let cap = 4000usize;
    let mut p = vec![1.0f64; cap];
    for n in 1..cap {
        let death = f64::from(c.min(n as u32)) + theta * (n as f64 - f64::from(c)).max(0.0);
        p[n] = p[n - 1] * lambda / death;
        if p[n] < 1e-300 {
            p.truncate(n);
            break;
        }
    }
    let total: f64 = p.iter().sum();
    let queue: f64 = p
        .iter()
        .enumerate()
        .map(|(n, x)| x / total * (n as f64 - f64::from(c)).max(0.0))
        .sum();
    // Little's law on the queue; abandonment rate theta x E[queue] over lambda.
    (queue / lambda, theta * queue / lambda)
}

fn queueing(o: &ValidateOptions, out: &mut Validation) {
    let reps = o.replications.clamp(4, 20);
    let measure = |s: &Scenario| {
        replicate(reps, |r| {
            let mut t = WeekTally::default();
            let outcome = Replication::new(s, o.seed, r).arm(0).run();
            // The first week is warm-up from an empty queue.
            for row in outcome.weekly.iter().skip(1) {
                row.iter().for_each(|x| t.add(x));
            }
            t
        })
    };
    let mut rows = Vec::new();
    let mut worst = (0.0f64, String::new());
    let configs = [(1, 0.7), (4, 3.4), (10, 9.0)];
    let mut ratios = Vec::new();
    for (c, lambda) in configs {
        let s = queue_scenario(c, lambda, 1.0, None);
        let (theory, _) = erlang_a(c, lambda, 0.0);
        let sim = measure(&s);
        let i = mean_interval(
            sim.iter()
                .map(|t| t.wait_seconds_sum / 60.0 / t.served / theory),
        );
        let label = format!("M/M/{c}, rho {:.2}", lambda / f64::from(c));
        if (i.mean - 1.0).abs() >= worst.0 {
            worst = ((i.mean - 1.0).abs(), label.clone());
        }
        rows.push(IntervalRow {
            label: label.clone(),
            estimate: i.mean,
            lo: i.lo,
            hi: i.hi,
        });
        ratios.push((label, i));
    }
    for (label, i) in &ratios {
        out.results.push(
            CheckResult::judge(
                format!("erlang_c.{}", label.replace([' ', ',', '/', '.'], "")),
                "with feedback off, mean waits follow Erlang C",
                "simulated / Erlang C = 1",
                "Erlang C (M/M/c)",
                (0.95, 1.05),
                Rule::Overlaps,
                "x theory",
                *i,
            )
            .with_detail(format!("{label}, exponential service of 1 min")),
        );
    }
    let (c, lambda, patience) = (3, 3.0, 2.0);
    let s = queue_scenario(c, lambda, 1.0, Some(patience));
    let (_, theory) = erlang_a(c, lambda, 1.0 / patience);
    let sim = measure(&s);
    let i = mean_interval(sim.iter().map(|t| t.abandoned / t.arrivals / theory));
    out.results.push(
        CheckResult::judge(
            "erlang_a_abandonment".into(),
            "and abandonment follows M/M/c+M (Erlang A)",
            "simulated / Erlang A = 1",
            "Erlang A (M/M/c+M)",
            (0.95, 1.05),
            Rule::Overlaps,
            "x theory",
            i,
        )
        .with_detail(format!(
            "M/M/3+M at offered load 1.0 per server, patience 2 min: P(abandon) {theory:.3} in theory"
        )),
    );
    rows.push(IntervalRow {
        label: "M/M/3+M abandonment".into(),
        estimate: i.mean,
        lo: i.lo,
        hi: i.hi,
    });
    out.figures.push(Figure {
        stem: "queueing",
        title: "With every feedback link off, the site is a textbook queue".into(),
        kind: FigureKind::Intervals {
            rows,
            x_label: "simulated / theoretical (mean wait; abandonment), 95% interval",
        },
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn erlang_a_without_abandonment_is_erlang_c() {
        for (c, lambda) in [(1, 0.7), (4, 3.4), (10, 9.0)] {
            let (wait, abandon) = erlang_a(c, lambda, 0.0);
            let exact = erlang_c(c, lambda, 1.0).1;
            assert!(
                (wait / exact - 1.0).abs() < 1e-6,
                "{c} {lambda}: {wait} vs {exact}"
            );
            assert_eq!(abandon, 0.0);
        }
    }

    #[test]
    fn erlang_a_single_server_matches_its_closed_form() {
        // M/M/1+M with theta = mu = 1: the queue is M/M/infinity shifted by one server, so
        // p(n) = p0 * lambda^n / n! and P(abandon) = 1 - (1 - p0) / lambda.
        let lambda: f64 = 1.5;
        let p0 = (-lambda).exp();
        let expected = 1.0 - (1.0 - p0) / lambda;
        let (_, abandon) = erlang_a(1, lambda, 1.0);
        assert!((abandon - expected).abs() < 1e-9, "{abandon} vs {expected}");
    }

    #[test]
    fn ratings_follow_the_cutoffs() {
        let r = |s| survey_rating(s, 80.0);
        assert_eq!(
            [
                r(0.0),
                r(19.9),
                r(20.0),
                r(40.0),
                r(59.9),
                r(60.0),
                r(79.9),
                r(80.0),
                r(100.0)
            ],
            [1, 1, 2, 3, 3, 4, 4, 5, 5]
        );
    }

    #[test]
    fn correlations_are_exact_on_lines_and_partial_correlation_removes_a_mediator() {
        let x = [1.0, 2.0, 3.0, 4.0, 5.0];
        let up: Vec<f64> = x.iter().map(|v| 2.0 * v + 1.0).collect();
        let down: Vec<f64> = x.iter().map(|v| -v).collect();
        assert!((correlation(&x, &up) - 1.0).abs() < 1e-12);
        assert!((correlation(&x, &down) + 1.0).abs() < 1e-12);
        // Morale drives quality, quality alone drives satisfaction: the partial correlation of
        // morale and satisfaction given quality is zero.
        let morale = [50.0, 55.0, 61.0, 64.0, 70.0, 72.0];
        let noise = [0.3, -0.2, 0.5, -0.4, 0.1, -0.3];
        let quality: Vec<f64> = morale.iter().zip(noise).map(|(m, n)| 0.5 * m + n).collect();
        let sites: Vec<SiteWindow> = morale
            .iter()
            .zip(&quality)
            .map(|(&m, &q)| SiteWindow {
                morale: m,
                satisfaction: 10.0 + 1.2 * q,
                quality: q,
                ..SiteWindow::default()
            })
            .collect();
        let rep = Rep {
            sites,
            ..Rep::default()
        };
        assert!(site_correlation(&rep) > 0.9);
        assert!(partial_correlation(&rep).abs() < 1e-6);
    }

    #[test]
    fn expected_tenure_of_a_constant_hazard_is_its_inverse() {
        // Survivors decaying at 10% a year: the area plus the extrapolated tail is 1/h.
        let h = 0.1 / 52.0;
        let survivors: Vec<f64> = (1..=156)
            .map(|w| 1000.0 * (-h * f64::from(w)).exp())
            .collect();
        let rep = Rep {
            probe: ChainProbe {
                initial_survivors: survivors,
                ..ChainProbe::default()
            },
            ..Rep::default()
        };
        let years = expected_tenure_years(&rep, 1000.0);
        // The weekly sum is a right Riemann sum of the survival curve: half a week short.
        assert!((years - 10.0).abs() < 0.02, "{years}");
    }
}
