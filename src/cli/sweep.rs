//! `chainsim sweep` (and `merge` of sweep shards): which assumptions drive the answer.

use std::path::{Path, PathBuf};

use chainsim::runner::{self, Shard};
use chainsim::sweep::{Sweep, SweepError};

use super::CliError;
use super::out::{self, Printing, at_most, positive};
use super::suggest::with_path_hint;

/// Arguments of `sweep`.
#[derive(Debug, clap::Args)]
pub struct SweepArgs {
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

fn sweep_error(e: SweepError) -> CliError {
    match e {
        SweepError::Write(w) => CliError::Runtime(w.to_string()),
        other => CliError::Input(other.to_string()),
    }
}

/// Runs a sweep as the arguments say.
pub fn sweep(args: SweepArgs) -> Result<(), CliError> {
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
        SweepError::File(m) => CliError::Input(with_path_hint(m, file)),
        other => sweep_error(other),
    })?;
    runner::check_memory(&sweep.heaviest(), threads, runner::available_memory_bytes())?;
    let printing = &args.printing;
    let out = out::output_dir(
        args.out.clone(),
        chainsim::sweep::default_out(&sweep),
        printing.force,
        !printing.for_people(),
    )?;
    let pool = runner::pool(threads)?;
    if printing.for_people() {
        eprintln!(
            "chainsim sweep: {} ({}), {:?}, seed {}",
            sweep.file.name,
            file.display(),
            sweep.file.design,
            sweep.seed()
        );
    }
    let interrupt = out::catch_ctrl_c();
    let result = pool
        .install(|| sweep.run_shard(args.reps, shard, &out, interrupt))
        .map_err(sweep_error)?;
    if let Some(planned) = result.interrupted_at {
        return Err(CliError::Interrupted(if shard == Shard::WHOLE {
            format!(
                "interrupted: wrote the {} of {planned} points completed to {} (sweep.csv; manifest.json says \"complete\": false; no indices or charts: they need the whole design)",
                result.points.len(),
                out.join("sweep.csv").display()
            )
        } else {
            format!(
                "interrupted: sweep shard {shard} stopped before its end, so nothing was written (merge needs whole shards); run it again"
            )
        }));
    }
    if shard != Shard::WHOLE {
        if !printing.quiet {
            println!(
                "sweep shard {shard}: {} points, {} simulations in {:.1} s; wrote {} (combine the shards with `chainsim merge`)",
                result.points.len(),
                result.simulations,
                result.wall_seconds,
                out.join(chainsim::sweep::SWEEP_PARTIAL_FILE).display()
            );
        }
        return Ok(());
    }
    if !printing.quiet {
        print!("{}", chainsim::sweep::summary(&result));
        println!("wrote {}", out.display());
    }
    Ok(())
}

/// `chainsim merge` of sweep shards.
pub fn merge(dirs: &[PathBuf], out: &Path) -> Result<(), CliError> {
    let mut parts = Vec::new();
    for d in dirs {
        let path = d.join(chainsim::sweep::SWEEP_PARTIAL_FILE);
        let label = path.display().to_string();
        let text = chainsim::files::read_text(&path).map_err(|e| {
            CliError::Input(format!("{label}: cannot read partial sweep result: {e}"))
        })?;
        let p: chainsim::sweep::SweepPartial = serde_json::from_str(&text).map_err(|e| {
            CliError::Input(format!(
                "{label}:{}:{}: not a chainsim partial sweep result: {e}",
                e.line(),
                e.column()
            ))
        })?;
        parts.push((label, p));
    }
    let result = chainsim::sweep::merge(parts, out).map_err(sweep_error)?;
    print!("{}", chainsim::sweep::summary(&result));
    println!("wrote {}", out.display());
    Ok(())
}
