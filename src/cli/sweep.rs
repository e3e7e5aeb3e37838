//! `chainsim sweep` (and `merge` of sweep shards): which assumptions drive the answer.

use std::path::PathBuf;

use chainsim::files::staging::Staged;

use chainsim::report::sweep::{self as report, PointCsv};
use chainsim::runner::{self, Interrupt, Shard};
use chainsim::sweep::{Sweep, SweepError, SweepShard};

use super::CliError;
use super::out::{self, Printing, at_most, positive};
use super::suggest::with_path_hint;

/// Arguments of `sweep`.
#[derive(Debug, clap::Args)]
pub(crate) struct SweepArgs {
    /// Sweep file (RON); see scenarios/sweeps/.
    pub file: PathBuf,
    /// Replications per point (default: the file's).
    #[arg(long)]
    pub reps: Option<u32>,
    /// Worker threads (default: all cores).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Output directory (default: output/sweeps/<name>/).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Run only shard K of N (1-based; points p with p % N == K - 1) and write a partial
    /// result for `chainsim merge`.
    #[arg(long, value_name = "K/N")]
    pub shard: Option<Shard>,
    /// How much to print, and whether to replace earlier results.
    #[command(flatten)]
    pub printing: Printing,
}

impl From<SweepError> for CliError {
    fn from(e: SweepError) -> CliError {
        match e {
            // What the sweep writes failing is the run's own doing; the rest is its input.
            SweepError::Sink(f) => f.into(),
            other => CliError::Input(other.to_string()),
        }
    }
}

/// Where a sweep writes by default: `output/sweeps/<name>/` (the name made safe).
fn default_out(sweep: &Sweep) -> Result<PathBuf, CliError> {
    Ok(PathBuf::from("output")
        .join("sweeps")
        .join(out::folder_name(&sweep.file.name)?))
}

/// Runs a sweep as the arguments say.
pub(crate) fn sweep(args: SweepArgs) -> Result<(), CliError> {
    let file = &args.file;
    let shard = args.shard.unwrap_or(Shard::WHOLE);
    if let Some(r) = args.reps {
        if r < 2 {
            return Err(CliError::Input(format!(
                "--reps: expected at least 2 (replication noise needs two), found {r}"
            )));
        }
        at_most("reps", r, chainsim::sweep::MAX_REPLICATIONS_PER_POINT)?;
    }
    let threads = positive("threads", args.threads)?.unwrap_or(0);
    let sweep = Sweep::load(file).map_err(|e| match e {
        SweepError::Read { .. } => CliError::Input(with_path_hint(e.to_string(), file)),
        other => other.into(),
    })?;
    runner::check_memory(
        &sweep.heaviest(),
        threads,
        0,
        runner::available_memory_bytes(),
    )?;
    // Refused before anything is created: factors that clash in combination.
    sweep.check_points()?;
    let printing = &args.printing;
    let interrupt = out::catch_stop_signals();
    let staged = out::output_dir(
        args.out.clone(),
        default_out(&sweep)?,
        printing.force,
        !printing.for_people(),
    )?;
    let pool = runner::pool(threads)?;
    if printing.for_people() {
        tell!(
            "chainsim sweep: {} ({}), {:?}, seed {}",
            sweep.file.name,
            file.display(),
            sweep.file.design,
            sweep.seed()
        );
    }
    if shard == Shard::WHOLE {
        run_whole(&sweep, args.reps, interrupt, staged, printing, &pool)
    } else {
        run_shard(&sweep, args.reps, shard, interrupt, staged, printing, &pool)
    }
}

/// The whole sweep: `sweep.csv` streamed as points finish, then indices, charts, manifest.
fn run_whole(
    sweep: &Sweep,
    reps: Option<u32>,
    interrupt: Interrupt,
    staged: Staged,
    printing: &Printing,
    pool: &rayon::ThreadPool,
) -> Result<(), CliError> {
    let mut csv = PointCsv::create(staged.dir(), &sweep.file)?;
    let result = pool.install(|| sweep.run(reps, interrupt, &mut |i, p| csv.point(i, p)))?;
    let mut written = vec![csv.finish()?];
    written.extend(report::write_sweep(&result, staged.dir())?);
    let out = staged.shown().to_path_buf();
    let written = out::commit(staged, &written)?;
    if let Some(planned) = result.interrupted_at {
        return Err(CliError::Interrupted(format!(
            "interrupted: wrote the {} of {planned} points completed to {} (sweep.csv; manifest.json says \"complete\": false; no indices or charts: they need the whole design)",
            result.points.len(),
            out.join(report::SWEEP_FILE).display()
        )));
    }
    if printing.json {
        say_part!("{}", report::summary_json(&result, &written));
    } else if !printing.quiet {
        say_part!("{}", report::summary(&result));
        say!("wrote {}", out.display());
    }
    Ok(())
}

/// One shard: its points kept for `merge`, nothing else written.
fn run_shard(
    sweep: &Sweep,
    reps: Option<u32>,
    shard: Shard,
    interrupt: Interrupt,
    staged: Staged,
    printing: &Printing,
    pool: &rayon::ThreadPool,
) -> Result<(), CliError> {
    let part = pool.install(|| sweep.run_shard(reps, shard, interrupt, &mut |_, _| Ok(())))?;
    if part.interrupted_at.is_some() {
        // A shard merges only whole: nothing of it is written.
        return Err(CliError::Interrupted(format!(
            "interrupted: sweep shard {shard} stopped before its end, so nothing was written (merge needs whole shards); run it again"
        )));
    }
    let path = report::write_sweep_shard(&part, staged.dir())?;
    let path = out::commit(staged, &[path])?.remove(0);
    if printing.json {
        say!(
            "{}",
            serde_json::json!({
                "shard": shard.to_string(),
                "points": part.points.len(),
                "simulations": part.simulations,
                "wall_seconds": part.wall_seconds,
                "files": [path],
            })
        );
    } else if !printing.quiet {
        say!(
            "sweep shard {shard}: {} points, {} simulations in {:.1} s; wrote {} (combine the shards with `chainsim merge`)",
            chainsim::report::format::grouped(part.points.len() as f64, 0),
            chainsim::report::format::grouped(part.simulations as f64, 0),
            part.wall_seconds,
            path.display()
        );
    }
    Ok(())
}

/// `chainsim merge` of sweep shards: every shard checked, then the files one sweep writes.
pub(crate) fn merge(dirs: &[PathBuf], staged: Staged) -> Result<(), CliError> {
    let parts = dirs
        .iter()
        .map(|d| report::read_sweep_shard(d))
        .collect::<Result<Vec<_>, _>>()?;
    let result = SweepShard::merge(parts)?;
    report::write_sweep_csv(&result, staged.dir())?;
    report::write_sweep(&result, staged.dir())?;
    let out = staged.commit()?;
    say_part!("{}", report::summary(&result));
    say!("wrote {}", out.display());
    Ok(())
}
