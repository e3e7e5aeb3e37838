//! # chainsim: the service-profit chain as agents and events
//!
//! chainsim simulates how the support a firm gives its front-line staff drives their morale,
//! turnover and productivity, which drive the service customers get, their satisfaction and
//! loyalty, and finally revenue and profit (Heskett et al. 1994). Employees and customers are
//! agents; service encounters are events; Monte Carlo replications run in parallel.
//!
//! ```text
//!  scenario.ron ──> scenario::Scenario (checked) ──> runner::run_shard ──> report::write_run
//!                                                      │  runner::replicate: rayon over
//!                                                      │  replications, folded in order
//!                                                      v
//!                         model::Replication::run (one replication of one arm)
//!  calendar (engine::EventQueue, ordered by time then insertion):
//!    DayStart ─> Site::start_shift ─┐          WeeklyReview ─> Site::weekly_review
//!    ShiftEnd ─> Site::end_shift    │            (work pressure, fatigue, ISQ, morale,
//!    Quit, HireArrives, MonthEnd,   │             quits, hiring, word of mouth, ledger)
//!    DemandShock                    v
//!  between calendar events, each site's encounter loop (Site::advance_to):
//!    arrival (alias-table pick of a customer slot, thinned if a prospect)
//!      ─> earliest-free server (FIFO) or abandonment after patience
//!      ─> service time, competence, courtesy, waiting ─> perceived quality
//!      ─> disconfirmation ─> satisfaction ─> word of mouth, complaints, churn, revenue
//! ```
//!
//! Time is integer seconds ([`engine::SimTime`]); money is integer cents ([`ledger::Money`]);
//! every random draw comes from a stream named by (seed, replication, site, purpose).
//!
//! ## How the rooms depend on each other
//!
//! ```text
//!  cli (the binary) ─> sweep, validate, explain ─> runner ─> model ─> engine
//!   │                                                │         └────> scenario, ledger
//!   └──> report ─> runner's, sweep's, validate's and explain's results (reads results only)
//!  everyone may use: stats, scenario, ledger, files, suggest; stats and files use nothing above
//! ```
//!
//! Data flows one way: the studies compute plain results, `report` is the only writer of
//! outputs and [`report::format`](mod@report::format) the only place numbers become text. The rules are checked by
//! `tests/integration/architecture.rs`.
//!
//! ## Where to edit
//!
//! | to add | edit |
//! |---|---|
//! | a lever | `scenario/policy.rs` (declare, rule, parameters) and `model/site/policy.rs` (effect, ledger line) |
//! | a parameter | one row in `scenario/sections.rs`, then read it in the model |
//! | a weekly metric | one row in `model/metrics.rs`'s `metrics!` table, and its tally in `model/site/review.rs` (snapshot) |
//! | a chart kind | `report/plot/<kind>.rs`; choose when to draw it in `report/run.rs` (or the study's report file) |
//! | an output file | a typed row in `report/run.rs`, written in `write_run` |
//! | a validation check | `validate/<experiment>.rs` |
//! | a sweep design | `sweep/design.rs` (points) and `sweep/estimate.rs` (indices) |
//! | a study (a new way to use replications) | a module beside `sweep/`, running its jobs through [`runner::replicate()`] |
//! | a subcommand | `cli/<command>.rs` (arguments and handler), plus one line in `cli/mod.rs` |

pub mod engine;
pub mod explain;
pub mod files;
pub mod finance;
pub mod ledger;
pub mod model;
pub mod report;
pub mod runner;
pub mod scenario;
pub mod stats;
pub mod suggest;
pub mod sweep;
pub mod validate;
