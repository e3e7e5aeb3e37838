//! The service-profit chain itself: sites, employees, customers and their encounters.

pub mod metrics;
pub mod people;
pub mod sampling;
mod servers;
pub mod site;
pub mod world;

pub use metrics::{Metric, WeekTally};
pub use site::{Context, Site};
pub use world::{Probe, ReplicationOutcome, simulate, simulate_arm, simulate_probed};
