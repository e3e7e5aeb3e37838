//! `chainsim explain`: one replication narrated month by month.

use std::path::PathBuf;

use chainsim::report::narrative::narrate;
use chainsim::runner;
use chainsim::scenario::{MAX_WEEKS, load_with_provenance};

use super::CliError;
use super::out::{at_most, positive};
use super::suggest::with_path_hint;

/// Arguments of `explain`.
#[derive(Debug, clap::Args)]
pub(crate) struct ExplainArgs {
    /// Scenario file (RON); the built-in smile-vs-tools comparison if omitted.
    pub scenario: Option<PathBuf>,
    /// The arm to explain (default: the baseline).
    #[arg(long)]
    pub arm: Option<String>,
    /// One site (from 0); default: the whole firm.
    #[arg(long)]
    pub site: Option<usize>,
    /// Master seed (default: the scenario's).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Which replication (from 0; the same streams as replication N of `run`).
    #[arg(long, default_value_t = 0)]
    pub replication: u64,
    /// Horizon in weeks (default: the scenario's).
    #[arg(long)]
    pub weeks: Option<u32>,
}

/// Narrates one replication as the arguments say.
pub(crate) fn explain(args: ExplainArgs) -> Result<(), CliError> {
    let (scenario, _) = load_with_provenance(args.scenario.as_deref()).map_err(|e| {
        let message = e.to_string();
        match &args.scenario {
            Some(p) => CliError::Input(with_path_hint(message, p)),
            None => CliError::Input(message),
        }
    })?;
    let names: Vec<&str> = scenario.arms.iter().map(|a| a.name.as_str()).collect();
    let arm = match &args.arm {
        None => scenario.baseline_index(),
        Some(name) => names.iter().position(|a| a == name).ok_or_else(|| {
            let hint = chainsim::suggest::did_you_mean(name, names.iter().copied())
                .map_or(String::new(), |m| format!(" (did you mean `{m}`?)"));
            CliError::Input(format!(
                "--arm: expected one of the scenario's arms ({}), found `{name}`{hint}",
                names.join(", ")
            ))
        })?,
    };
    if let Some(i) = args.site
        && i >= scenario.sites.count as usize
    {
        return Err(CliError::Input(format!(
            "--site: expected a site from 0 to {}, found {i}",
            scenario.sites.count - 1
        )));
    }
    let weeks = match positive("weeks", args.weeks)? {
        Some(w) => at_most("weeks", w, MAX_WEEKS)?,
        None => scenario.weeks,
    };
    let mut sized = scenario.clone();
    sized.weeks = weeks;
    runner::check_memory(&sized, 1, 0, runner::available_memory_bytes())?;
    let options = chainsim::explain::ExplainOptions {
        arm,
        site: args.site,
        seed: args.seed.unwrap_or(scenario.seed),
        replication: args.replication,
        weeks,
    };
    let explanation = chainsim::explain::explain(&scenario, &options);
    say_part!("{}", narrate(&scenario, &options, &explanation));
    Ok(())
}
