//! Integration tests: one binary, a module per behaviour.
// Test modules share helpers with `pub`; nothing here is an API, so unreachable_pub does not apply.
#![allow(unreachable_pub)]

mod architecture;
mod cli;
mod common;
mod determinism;
mod distributions;
mod extremes;
mod faults;
mod fingerprint;
mod fuzz;
mod fuzz_outputs;
mod hostile;
mod invariants;
mod lessons;
mod links;
mod merge_checks;
mod outputs;
mod plausibility;
mod policies;
mod quantiles;
mod queueing;
mod reference;
mod reports;
mod scenario_errors;
mod shards;
mod spill;
mod sweeps;
mod validation;
