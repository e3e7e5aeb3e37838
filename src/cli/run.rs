//! `chainsim run` (and `merge` of run shards): a scenario's arms, replicated, written, summarised.

use std::path::PathBuf;

use chainsim::files::staging::Staged;

use chainsim::report::{self, PARTIAL_FILE};
use chainsim::runner::{self, RunOptions, RunResult, RunShard, Shard};
use chainsim::scenario::{MAX_REPLICATIONS, MAX_WEEKS, load_with_provenance};

use super::CliError;
use super::out::{self, Printing, at_most, positive};
use super::suggest::with_path_hint;

/// Arguments of `run`.
#[derive(Debug, clap::Args, Default)]
pub(crate) struct RunArgs {
    /// Scenario file (RON); the built-in smile-vs-tools comparison if omitted.
    pub scenario: Option<PathBuf>,
    /// Replications per arm (default: the scenario's).
    #[arg(long)]
    pub reps: Option<u32>,
    /// Master seed (default: the scenario's).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Worker threads (default: all cores).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Horizon in weeks (default: the scenario's).
    #[arg(long)]
    pub weeks: Option<u32>,
    /// Output directory (default: output/<scenario name>/).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Run only shard K of N (1-based; replications r with r % N == K - 1) and write a
    /// partial result for `chainsim merge`.
    #[arg(long, value_name = "K/N")]
    pub shard: Option<Shard>,
    /// Add replications (in batches of 20) until every arm's ΔNPV 95% interval against the
    /// baseline has a half-width of at most AMOUNT (currency); --reps is then ignored.
    #[arg(long, value_name = "AMOUNT")]
    pub precision: Option<f64>,
    /// With --precision: stop after this many replications even if not precise enough.
    #[arg(long, value_name = "N", default_value_t = 2000)]
    pub max_reps: u32,
    /// Temporary disk for exact percentiles across replications, MiB (default 4096): every
    /// replication's weekly values are kept in an unlinked file in TMPDIR (memory holds a
    /// block of them, whatever the replications); a run whose values would need more computes
    /// its percentiles from a sketch instead (within 2%; see the manifest). Give every shard
    /// of a run the same.
    #[arg(long, value_name = "MIB")]
    pub quantile_budget: Option<u64>,
    /// How much to print, and whether to replace earlier results.
    #[command(flatten)]
    pub printing: Printing,
}

/// Runs a scenario as the arguments say.
pub(crate) fn run(args: RunArgs) -> Result<(), CliError> {
    let (scenario, provenance) = load_with_provenance(args.scenario.as_deref()).map_err(|e| {
        let message = e.to_string();
        match &args.scenario {
            Some(p) => CliError::Input(with_path_hint(message, p)),
            None => CliError::Input(message),
        }
    })?;
    let printing = &args.printing;
    let mut options = RunOptions::from_scenario(&scenario);
    options.progress = printing.for_people();
    if let Some(r) = positive("reps", args.reps)? {
        options.replications = at_most("reps", r, MAX_REPLICATIONS)?;
    }
    if let Some(w) = positive("weeks", args.weeks)? {
        if w > MAX_WEEKS {
            return Err(CliError::Input(format!(
                "--weeks: expected at most {MAX_WEEKS} (50 years), found {w}"
            )));
        }
        options.weeks = w;
    }
    if let Some(t) = positive("threads", args.threads)? {
        options.threads = t;
    }
    if let Some(s) = args.seed {
        options.seed = s;
    }
    if let Some(mib) = args.quantile_budget {
        options.quantile_budget_bytes = mib.saturating_mul(1 << 20);
    }
    let interrupt = out::catch_stop_signals();
    let staged = out::output_dir(
        args.out.clone(),
        PathBuf::from("output").join(out::folder_name(&scenario.name)?),
        printing.force,
        !printing.for_people(),
    )?;
    if printing.for_people() {
        tell!(
            "chainsim: {} ({}), {} arm(s) x {} replications x {} weeks, seed {}",
            scenario.name,
            provenance.file,
            scenario.arms.len(),
            options.replications,
            options.weeks,
            options.seed
        );
    }
    if let Some(shard) = args.shard {
        options.shard = shard;
    }
    let mut sized = scenario.clone();
    sized.weeks = options.weeks;
    sized.replications = match args.precision {
        Some(_) => args.max_reps.max(2),
        None => options.replications,
    };
    runner::check_memory(
        &sized,
        options.threads,
        options.quantile_budget_bytes,
        runner::available_memory_bytes(),
    )?;
    if let Some(p) = args.precision {
        if !(p.is_finite() && p > 0.0) {
            return Err(CliError::Input(format!(
                "--precision: expected an amount greater than 0, found {p}"
            )));
        }
        if scenario.arms.len() < 2 {
            return Err(CliError::Input(
                "--precision: expected a scenario with at least two arms to compare, found one"
                    .into(),
            ));
        }
        if args.shard.is_some() {
            return Err(CliError::Input(
                "--precision cannot be combined with --shard: shards need a fixed --reps".into(),
            ));
        }
        at_most("max-reps", args.max_reps, MAX_REPLICATIONS)?;
    }
    options.interrupt = interrupt;
    let shard = match args.precision {
        None => runner::run_shard(&scenario, &provenance, &options)?,
        Some(p) => {
            let (shard, reached) = runner::run_to_precision(
                &scenario,
                &provenance,
                &options,
                p,
                args.max_reps.max(2),
            )?;
            let done = shard.header.replications;
            if reached {
                tell!("precision reached: every ΔNPV half-width <= {p} after {done} replications");
            } else if shard.interrupted_at.is_none() {
                tell!(
                    "precision NOT reached: stopped at --max-reps {done} with a ΔNPV half-width above {p}; raise --max-reps"
                );
            }
            shard
        }
    };
    if options.shard != Shard::WHOLE {
        return write_shard(&shard, options.shard, staged, printing);
    }
    let result = shard.into_result().map_err(runner::RunError::from)?;
    let out = staged.shown().to_path_buf();
    write_and_summarise(&result, staged, printing)?;
    match result.interrupted_at {
        None => Ok(()),
        Some(requested) => Err(CliError::Interrupted(format!(
            "interrupted: wrote {} of {requested} replications to {} (each file as a run of {0} replications would write it; manifest.json says \"complete\": false)",
            result.options.replications,
            out.display()
        ))),
    }
}

/// Writes a shard's partial result for `merge`, or nothing if it was interrupted.
fn write_shard(
    shard: &RunShard,
    which: Shard,
    staged: Staged,
    printing: &Printing,
) -> Result<(), CliError> {
    if shard.interrupted_at.is_some() {
        // A shard merges only whole; its replications are not a shorter run's.
        return Err(CliError::Interrupted(format!(
            "interrupted: shard {which} stopped before its end, so nothing was written (merge needs whole shards); run it again"
        )));
    }
    let path = report::write_run_shard(shard, staged.dir())?;
    let path = out::commit(staged, &[path])?.remove(0);
    if printing.json {
        say!(
            "{}",
            serde_json::json!({
                "shard": which.to_string(),
                "encounters": shard.encounters,
                "wall_seconds": shard.wall_seconds.iter().sum::<f64>(),
                "files": [path],
            })
        );
    } else if !printing.quiet {
        say!(
            "shard {which}: {} encounters in {:.2} s; wrote {} (combine the shards with `chainsim merge`)",
            report::format::grouped(shard.encounters as f64, 0),
            shard.wall_seconds.iter().sum::<f64>(),
            path.display()
        );
    }
    Ok(())
}

/// Writes every output of `result` into the staged folder, puts it in place and prints the
/// summary as `printing` says.
fn write_and_summarise(
    result: &RunResult,
    staged: Staged,
    printing: &Printing,
) -> Result<(), CliError> {
    let written = report::write_run(result, staged.dir())?;
    let written = out::commit(staged, &written)?;
    if printing.json {
        say_part!("{}", report::text::run_json(result, &written));
    } else if !printing.quiet {
        say_part!("{}", report::text::run_summary(result, &written));
    }
    Ok(())
}

/// `chainsim merge` of run shards: every shard checked, then the files one run writes.
pub(crate) fn merge(dirs: &[PathBuf], out: Staged) -> Result<(), CliError> {
    let mut parts = Vec::new();
    let mut refused = Vec::new();
    for d in dirs {
        let path = d.join(PARTIAL_FILE);
        let label = path.display().to_string();
        // Streamed and without the size limit of input files: a shard's exact values can take
        // gigabytes.
        let file = std::fs::File::open(&path)
            .map_err(|e| CliError::Input(format!("{label}: cannot read partial result: {e}")))?;
        let mut text = String::new();
        std::io::Read::read_to_string(&mut std::io::BufReader::new(file), &mut text)
            .map_err(|e| CliError::Input(format!("{label}: cannot read partial result: {e}")))?;
        // Its checksum and its shape, before anything is merged; every shard's problems at once.
        match runner::shard_check::open_run_shard(&text, &label) {
            Ok(p) => parts.push((label, p)),
            Err(e) => refused.push(e.to_string()),
        }
    }
    if !refused.is_empty() {
        return Err(CliError::Input(refused.join("\n")));
    }
    let whole = RunShard::merge(parts)?;
    let result = whole.into_result().map_err(runner::RunError::from)?;
    write_and_summarise(&result, out, &Printing::default())
}
