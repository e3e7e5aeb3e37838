//! What every writing command shares: where it writes (never silently over earlier results,
//! never two runs in one folder), how Ctrl-C, SIGTERM and SIGHUP stop it, the flags that say how much it prints, and the bounds on numeric flags.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};

use chainsim::files::staging::{ClaimError, Staged};
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

/// Set by the first stop signal; runs and sweeps stop starting replications once it is.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// The signal that asked the work to stop (0: none).
static STOP_SIGNAL: AtomicI32 = AtomicI32::new(0);

/// SIGINT's number: what Ctrl-C sends (and the code a stop reports when no handler saw which).
const SIGINT: i32 = 2;

/// The name people know a signal by.
fn signal_name(sig: i32) -> &'static str {
    match sig {
        1 => "SIGHUP",
        2 => "Ctrl-C (SIGINT)",
        15 => "SIGTERM",
        _ => "a stop signal",
    }
}

/// What a stop signal does: the first asks the work to stop after the replications in flight
/// (it then writes what is complete); a second quits at once with the conventional code.
fn on_stop_signal(sig: i32) {
    if INTERRUPTED.swap(true, Ordering::SeqCst) {
        eprintln!("\n{} again: quitting without writing", signal_name(sig));
        std::process::exit(128 + sig);
    }
    STOP_SIGNAL.store(sig, Ordering::SeqCst);
    eprintln!(
        "\n{}: finishing the replications in flight, then writing what is complete (a second signal quits at once)",
        signal_name(sig)
    );
}

/// Makes Ctrl-C (SIGINT), SIGTERM and SIGHUP stop the work gracefully: Slurm, Kubernetes and a
/// closed terminal stop jobs with the last two, and each keeps what is complete as Ctrl-C does.
/// Returns the interrupt to give the run.
pub(crate) fn catch_stop_signals() -> Interrupt {
    static INSTALLED: std::sync::Once = std::sync::Once::new();
    INSTALLED.call_once(|| {
        #[cfg(unix)]
        let installed = {
            use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
            signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP]).map(|mut signals| {
                std::thread::spawn(move || {
                    for sig in signals.forever() {
                        on_stop_signal(sig);
                    }
                });
            })
        };
        #[cfg(not(unix))]
        let installed = ctrlc::set_handler(|| on_stop_signal(SIGINT));
        if let Err(e) = installed {
            // Without the handler a signal still stops the process; only partial results are lost.
            eprintln!(
                "warning: cannot catch stop signals ({e}); an interrupted run will write nothing"
            );
        }
    });
    Interrupt::on(&INTERRUPTED)
}

/// The exit code of work stopped by a signal: 128 plus the signal's number (130 for Ctrl-C, 143
/// for SIGTERM, 129 for SIGHUP).
pub(crate) fn stopped_exit_code() -> i32 {
    match STOP_SIGNAL.load(Ordering::SeqCst) {
        0 => 128 + SIGINT,
        sig => 128 + sig,
    }
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

/// Where a command writes, claimed ([`Staged`]): locked against other runs, checked writable
/// before any long work, written in a staging folder beside it and swapped into place by
/// [`Staged::commit`]. An `--out` that already holds files is refused unless `force`, and one
/// another run is writing is refused. The default directory, when it holds an earlier run's
/// results or another run is writing it, gives way to the first free `<default>-N`, which is
/// named on stdout (on stderr when `stdout_is_data`: JSON or quiet). Nothing is ever silently
/// overwritten, and `--force` replaces only a folder of chainsim's results.
pub(crate) fn output_dir(
    given: Option<PathBuf>,
    default: PathBuf,
    force: bool,
    stdout_is_data: bool,
) -> Result<Staged, CliError> {
    if let Some(out) = given {
        let staged = Staged::claim(&out, force).map_err(claim_error)?;
        remember(&staged);
        return Ok(staged);
    }
    let name = default
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    let mut why: Option<&str> = None;
    for n in 1u32.. {
        let candidate = if n == 1 {
            default.clone()
        } else {
            default.with_file_name(format!("{name}-{n}"))
        };
        let refused = match Staged::claim(&candidate, force) {
            Ok(staged) => {
                if let Some(why) = why {
                    let hint = if why.starts_with("holds") {
                        " (--force replaces them instead)"
                    } else {
                        ""
                    };
                    let note = format!(
                        "{} {why}; writing to {}{hint}",
                        default.display(),
                        candidate.display()
                    );
                    if stdout_is_data {
                        tell!("{note}");
                    } else {
                        say!("{note}");
                    }
                }
                remember(&staged);
                return Ok(staged);
            }
            Err(e) => e,
        };
        match refused {
            ClaimError::Busy { .. } => why = why.or(Some("is being written by another run")),
            ClaimError::HoldsFiles { .. } | ClaimError::Foreign { .. } => {
                why = why.or(Some("holds an earlier run's results"));
            }
            other => return Err(claim_error(other)),
        }
        if n >= 10_000 {
            break;
        }
    }
    Err(CliError::Runtime(format!(
        "{}: no free output folder among {name}-2 to {name}-10000; choose one with --out",
        default.display()
    )))
}

/// The staging folder being written and the folder it stands for, as the user named it: an
/// error naming a file in the staging folder names it in the user's folder instead.
static STAGING: std::sync::Mutex<Option<(String, String)>> = std::sync::Mutex::new(None);

fn remember(staged: &Staged) {
    let pair = (
        staged.dir().display().to_string(),
        staged.shown().display().to_string(),
    );
    *STAGING.lock().unwrap_or_else(|p| p.into_inner()) = Some(pair);
}

/// `message` (an error) with the staging folder's path replaced by the output folder's, and
/// saying that folder keeps what it held (nothing was swapped in).
pub(crate) fn in_users_paths(message: &str) -> String {
    match &*STAGING.lock().unwrap_or_else(|p| p.into_inner()) {
        Some((staging, shown)) if message.contains(staging.as_str()) => format!(
            "{} (nothing was put in place: '{shown}' keeps what it held)",
            message.replace(staging.as_str(), shown)
        ),
        _ => message.to_string(),
    }
}

/// A refused claim as the CLI reports it: a folder in use or holding files is the user's choice
/// to change (exit 2); one that cannot be read or written fails the command (exit 1).
fn claim_error(e: ClaimError) -> CliError {
    match e {
        ClaimError::File(f) => CliError::Runtime(f.to_string()),
        other => CliError::Input(other.to_string()),
    }
}

/// Swaps the staged folder into place and gives `written` (paths in the staging folder) as they
/// are once it is.
pub(crate) fn commit(staged: Staged, written: &[PathBuf]) -> Result<Vec<PathBuf>, CliError> {
    let paths = written.iter().map(|p| staged.final_path(p)).collect();
    staged.commit()?;
    Ok(paths)
}

/// The folder name of a scenario's or sweep's `name` under `output/` (the one way a name becomes
/// a path: [`chainsim::files::safe_folder_name`]).
pub(crate) fn folder_name(name: &str) -> Result<String, CliError> {
    chainsim::files::safe_folder_name(name).ok_or_else(|| {
        CliError::Input(format!(
            "name: expected a name with at least one letter or digit (it names the output folder), found {name:?}; or give --out"
        ))
    })
}
