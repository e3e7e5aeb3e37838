//! The discrete-event engine: integer time, the calendar of events, and random streams.
//! It knows no concrete agent: the model supplies the event type and handles each event.

pub mod queue;
pub mod rng;
pub mod sample;
pub mod time;

pub use queue::EventQueue;
pub use rng::{Purpose, stream};
pub use time::SimTime;
