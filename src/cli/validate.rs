//! `chainsim validate`: the published facts about the chain, as experiments on the model.

use std::path::PathBuf;

use chainsim::scenario::MAX_REPLICATIONS;
use chainsim::validate::{EXPERIMENTS, ValidateOptions};
use chainsim::{report, runner};

use super::CliError;
use super::out::{self, Printing, at_most, positive};

/// Arguments of `validate`.
#[derive(Debug, clap::Args)]
pub(crate) struct ValidateArgs {
    /// Replications per experiment arm.
    #[arg(long, default_value_t = ValidateOptions::default().replications)]
    pub reps: u32,
    /// Master seed.
    #[arg(long, default_value_t = ValidateOptions::default().seed)]
    pub seed: u64,
    /// Worker threads (default: all cores).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Output directory (default: output/validation/).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Run only these experiments (comma-separated): facts, archetypes, sears, smile,
    /// not_maximise, reichheld, ablations, queueing.
    #[arg(long, value_delimiter = ',')]
    pub only: Option<Vec<String>>,
    /// How much to print, and whether to replace earlier results.
    #[command(flatten)]
    pub printing: Printing,
}

/// Runs the validation suite as the arguments say: the table (or `--json`'s one object) on
/// stdout, the files in the output directory; exit 1 when a check fails, 130 when Ctrl-C stopped
/// it (the experiments that ran to their end are written).
pub(crate) fn validate(args: ValidateArgs) -> Result<(), CliError> {
    let printing = &args.printing;
    let mut options = ValidateOptions {
        replications: args.reps,
        seed: args.seed,
        only: args.only.clone(),
        ..ValidateOptions::default()
    };
    let (reps, seed) = (options.replications, options.seed);
    if reps < 2 {
        return Err(CliError::Input(format!(
            "--reps: expected at least 2 (intervals need two replications), found {reps}"
        )));
    }
    at_most("reps", reps, MAX_REPLICATIONS)?;
    for name in options.only.iter().flatten() {
        if !EXPERIMENTS.contains(&name.as_str()) {
            let hint = chainsim::suggest::did_you_mean(name, EXPERIMENTS.iter().copied())
                .map_or(String::new(), |m| format!(" (did you mean `{m}`?)"));
            return Err(CliError::Input(format!(
                "--only: expected experiments from {}, found `{name}`{hint}",
                EXPERIMENTS.join(", ")
            )));
        }
    }
    let threads = positive("threads", args.threads)?.unwrap_or(0);
    let pool = runner::pool(threads)?;
    options.interrupt = out::catch_stop_signals();
    let staged = out::output_dir(
        args.out.clone(),
        PathBuf::from("output").join("validation"),
        printing.force,
        !printing.for_people(),
    )?;
    if printing.for_people() {
        tell!("chainsim validate: {reps} replications per arm, seed {seed}");
    }
    let started = std::time::Instant::now();
    let v = pool.install(|| chainsim::validate::validate(&options));
    if v.experiments.is_empty() && !v.complete() {
        return Err(CliError::Interrupted(
            "interrupted before any experiment ran to its end, so nothing was written".into(),
        ));
    }
    let written = report::validation::write_validation(&v, staged.dir())?;
    let out = staged.shown().to_path_buf();
    let written = out::commit(staged, &written)?;
    if printing.json {
        say_part!("{}", report::validation::validation_json(&v, &written));
    } else if !printing.quiet {
        say_part!("{}", report::validation::table(&v));
        say!(
            "wrote {} (validation.csv, validation.txt, charts, report.html) in {:.1} s",
            out.display(),
            started.elapsed().as_secs_f64()
        );
    }
    if !v.complete() {
        return Err(CliError::Interrupted(format!(
            "interrupted: wrote the {} of {} experiments that ran to their end to {} (manifest.json says \"complete\": false); left out: {}",
            v.experiments.len(),
            v.planned.len(),
            out.display(),
            v.planned[v.experiments.len()..].join(", ")
        )));
    }
    let failing = v.failing();
    if failing.is_empty() {
        Ok(())
    } else {
        Err(CliError::Runtime(format!(
            "{} check(s) failed: {}",
            failing.len(),
            failing.join(", ")
        )))
    }
}
