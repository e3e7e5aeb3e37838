//! # chainsim: the service-profit chain as agents and events
//!
//! chainsim simulates how the support a firm gives its front-line staff drives their morale,
//! turnover and productivity, which drive the service customers get, their satisfaction and
//! loyalty, and finally revenue and profit (Heskett et al. 1994). Employees and customers are
//! agents; service encounters are events; Monte Carlo replications run in parallel.
//!
//! ```text
//!  scenario.ron ──> scenario::Scenario (checked) ──> runner::run ──> report::write_all
//!                                                      │  rayon over replications,
//!                                                      │  gathered in replication order
//!                                                      v
//!                         model::simulate (one replication of one arm)
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

pub mod engine;
pub mod explain;
pub mod files;
pub mod kernel;
pub mod ledger;
pub mod model;
pub mod report;
pub mod runner;
pub mod scenario;
pub mod stats;
pub mod suggest;
pub mod sweep;
pub mod validate;
