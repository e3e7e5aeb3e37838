//! What every writing command shares: where it writes (never silently over earlier results),
//! how Ctrl-C stops it, the flags that say how much it prints, and the bounds on numeric flags.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use chainsim::runner::Interrupt;

use super::CliError;

/// The flags of the commands that write results (`run`, `sweep`, `validate`).
#[derive(Debug, Clone, Default, clap::Args)]
pub(crate) struct Printing {
    /// Replace the results in an output directory given with --out. Without it an --out that
    /// already holds files is refused, and a default output directory that holds an earlier
    /// run's results gives way to a fresh one (`-2`, `-3`, ...), named on stdout.
    #[arg(long)]
    pub force: bool,
    /// Print nothing but errors (no progress, no summary).
    #[arg(long, short, conflicts_with = "json")]
    pub quiet: bool,
    /// Print a machine-readable summary (one JSON object) on stdout instead of the text.
    #[arg(long)]
    pub json: bool,
}

impl Printing {
    /// Whether the text summary and progress are shown.
    pub(crate) fn for_people(&self) -> bool {
        !self.quiet && !self.json
    }
}

/// Set by the first Ctrl-C; runs and sweeps stop starting replications once it is.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// Makes Ctrl-C stop the work gracefully: the first press asks the run to stop after the
/// replications in flight (it then writes what is complete); a second press quits at once.
/// Returns the interrupt to give the run.
pub(crate) fn catch_ctrl_c() -> Interrupt {
    let installed = ctrlc::set_handler(|| {
        if INTERRUPTED.swap(true, Ordering::SeqCst) {
            eprintln!("\ninterrupted again: quitting without writing");
            std::process::exit(130);
        }
        eprintln!(
            "\ninterrupted: finishing the replications in flight, then writing what is complete (Ctrl-C again quits at once)"
        );
    });
    if let Err(e) = installed {
        // Without the handler Ctrl-C still stops the process; only the partial results are lost.
        eprintln!("warning: cannot catch Ctrl-C ({e}); an interrupted run will write nothing");
    }
    Interrupt::on(&INTERRUPTED)
}

/// `value` of `--flag` if it is at most `max`; an input error saying both otherwise.
pub(crate) fn at_most(flag: &str, value: u32, max: u32) -> Result<u32, CliError> {
    if value > max {
        return Err(CliError::Input(format!(
            "--{flag}: expected at most {max}, found {value}"
        )));
    }
    Ok(value)
}

/// `v` if it is not zero; an input error naming `--flag` otherwise.
pub(crate) fn positive<T: PartialEq + Default + std::fmt::Display>(
    flag: &str,
    v: Option<T>,
) -> Result<Option<T>, CliError> {
    match v {
        Some(x) if x == T::default() => Err(CliError::Input(format!(
            "--{flag}: expected a number of at least 1, found {x}"
        ))),
        v => Ok(v),
    }
}

/// Creates the output directory before any long work, so an unwritable `--out` (under a
/// regular file, on a read-only disk) fails at once rather than after the simulation.
pub(crate) fn create_out(out: &Path) -> Result<(), CliError> {
    std::fs::create_dir_all(out)
        .map_err(|e| CliError::Runtime(format!("cannot write '{}': {e}", out.display())))
}

/// Whether `path` is a directory with something in it.
fn holds_files(path: &Path) -> bool {
    std::fs::read_dir(path).is_ok_and(|mut d| d.next().is_some())
}

/// Where a command writes: an `--out` that already holds files is refused unless `force`; the
/// default directory, when it holds an earlier run's results, gives way to the first fresh
/// `<default>-N`, which is named on stdout (on stderr when `stdout_is_data`: JSON or quiet).
/// Nothing is ever silently overwritten.
pub(crate) fn output_dir(
    given: Option<PathBuf>,
    default: PathBuf,
    force: bool,
    stdout_is_data: bool,
) -> Result<PathBuf, CliError> {
    if let Some(out) = given {
        if holds_files(&out) && !force {
            return Err(CliError::Input(format!(
                "{}: the output directory already holds files (an earlier run's results?); pass --force to replace them, or choose another --out",
                out.display()
            )));
        }
        return Ok(out);
    }
    if force || !holds_files(&default) {
        return Ok(default);
    }
    let name = default
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    let fresh = (2..)
        .map(|n| default.with_file_name(format!("{name}-{n}")))
        .find(|p| !holds_files(p))
        .expect("some numbered directory is free");
    let note = format!(
        "{} holds an earlier run's results; writing to {} (--force replaces them instead)",
        default.display(),
        fresh.display()
    );
    if stdout_is_data {
        eprintln!("{note}");
    } else {
        println!("{note}");
    }
    Ok(fresh)
}
