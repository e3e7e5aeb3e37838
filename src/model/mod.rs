//! The service-profit chain itself: sites, employees, customers and their encounters.

pub mod metrics;
pub mod people;
pub mod prospects;
mod servers;
pub mod service_time;
pub mod site;
pub mod world;

pub use metrics::{Better, Metric, WeekTally};
pub use site::{Context, Site};
pub use world::{Probe, Replication, ReplicationOutcome};
