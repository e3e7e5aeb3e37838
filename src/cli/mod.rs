//! The command line: the subcommands, what each takes, and where each is handled. `main`
//! parses, calls [`dispatch`], prints the error and exits with its code ([`CliError`]).

/// Prints a line on stdout with every control or formatting character escaped
/// ([`chainsim::report::format::terminal_safe`]): what a scenario or a path holds never
/// reaches the terminal raw.
macro_rules! say {
    ($($t:tt)*) => {
        println!("{}", chainsim::report::format::terminal_safe(&format!($($t)*)))
    };
}

/// As [`say!`] without the line break (for text that ends with its own).
macro_rules! say_part {
    ($($t:tt)*) => {
        print!("{}", chainsim::report::format::terminal_safe(&format!($($t)*)))
    };
}

/// As [`say!`], on stderr.
macro_rules! tell {
    ($($t:tt)*) => {
        eprintln!("{}", chainsim::report::format::terminal_safe(&format!($($t)*)))
    };
}

mod error;
mod explain;
mod out;
mod run;
mod suggest;
mod sweep;
mod validate;

use std::path::PathBuf;

use clap::{CommandFactory, Parser, Subcommand};

use chainsim::report;
use chainsim::scenario::Scenario;

pub(crate) use error::CliError;

/// An error as the user reads it: paths in the user's folders, nothing raw for the terminal.
pub(crate) fn user_message(e: &CliError) -> String {
    chainsim::report::format::terminal_safe(&out::in_users_paths(&e.to_string())).into_owned()
}

/// chainsim version and the commit it was built from.
const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (commit ",
    env!("CHAINSIM_COMMIT"),
    ")"
);

/// chainsim: simulate the service-profit chain with agents and events.
#[derive(Debug, Parser)]
#[command(name = "chainsim", version = VERSION, about, long_about = None)]
pub(crate) struct Cli {
    /// What to do; with none, `run` the built-in default scenario.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Run a scenario's arms for many replications and write the outputs.
    Run(run::RunArgs),
    /// Check scenario files and report every problem (exit 2 if any).
    Check {
        /// Scenario files (RON).
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Print the reference of every scenario field (the text of docs/SCENARIO.md; the model itself, with every equation, is docs/MODEL.md).
    Reference,
    /// Run the validation suite: published facts about the chain as experiments on the
    /// archetypes. Prints the table, writes validation.csv and charts; exit 1 if any check fails.
    Validate(validate::ValidateArgs),
    /// Run a sensitivity sweep from a sweep file (RON): which assumptions drive the answer.
    /// Writes sweep.csv (streamed as points finish), indices.csv, charts and a manifest.
    Sweep(sweep::SweepArgs),
    /// Narrate one replication month by month in plain sentences: which link of the chain
    /// moved and why, with the numbers, read from the simulation's own state.
    Explain(explain::ExplainArgs),
    /// Rebuild `report.html` in an output directory of `run`, `sweep`, `validate` or `merge`
    /// from the files there (one self-contained page: open it offline, print it to PDF).
    Report {
        /// The output directory.
        dir: PathBuf,
    },
    /// Merge the partial results of `run --shard` (or `sweep --shard`) into the files a single
    /// run (or sweep) writes.
    Merge {
        /// Output directories of the shards (each holds a partial.json).
        #[arg(required = true)]
        dirs: Vec<PathBuf>,
        /// Where to write the merged outputs.
        #[arg(long)]
        out: PathBuf,
        /// Replace the results already in --out.
        #[arg(long)]
        force: bool,
    },
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell) on stdout.
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff) on stdout: `chainsim man > chainsim.1`.
    Man,
}

/// Runs the parsed command line.
///
/// # Errors
///
/// [`CliError`] saying what went wrong, with its exit code.
pub(crate) fn dispatch(cli: Cli) -> Result<(), CliError> {
    match cli.command.unwrap_or(Command::Run(run::RunArgs::default())) {
        Command::Run(args) => run::run(args),
        Command::Check { files } => check(&files),
        Command::Reference => {
            say_part!("{}", Scenario::reference_markdown());
            Ok(())
        }
        Command::Explain(args) => explain::explain(args),
        Command::Report { dir } => {
            let path = report::html::write(&dir)?;
            say!("wrote {}", path.display());
            Ok(())
        }
        Command::Merge { dirs, out, force } => {
            let out = out::output_dir(Some(out), PathBuf::new(), force, false)?;
            // Every shard is read and checked before the output folder is touched.
            if dirs
                .first()
                .is_some_and(|d| d.join(chainsim::sweep::SWEEP_PARTIAL_FILE).is_file())
            {
                sweep::merge(&dirs, out)
            } else {
                run::merge(&dirs, out)
            }
        }
        Command::Sweep(args) => sweep::sweep(args),
        Command::Validate(args) => validate::validate(args),
        Command::Completions { shell } => {
            clap_complete::generate(
                shell,
                &mut Cli::command(),
                "chainsim",
                &mut std::io::stdout(),
            );
            Ok(())
        }
        Command::Man => clap_mangen::Man::new(Cli::command())
            .render(&mut std::io::stdout())
            .map_err(|e| CliError::Runtime(format!("cannot write the manual page: {e}"))),
    }
}

/// `chainsim check FILE...`: every problem of every file, then exit 2 if there was one.
fn check(files: &[PathBuf]) -> Result<(), CliError> {
    let mut failed = Vec::new();
    for f in files {
        match Scenario::load(f) {
            Ok(s) => {
                // Said only when the folder name is not the name itself.
                let folder = out::folder_name(&s.name)?;
                let writes = if folder == s.name {
                    String::new()
                } else {
                    format!("; writes to output/{folder}/ by default")
                };
                say!(
                    "{}: ok ({}, {} arm{}{writes})",
                    f.display(),
                    s.name,
                    s.arms.len(),
                    if s.arms.len() == 1 { "" } else { "s" },
                )
            }
            Err(e) => failed.push(suggest::with_path_hint(e.to_string(), f)),
        }
    }
    if failed.is_empty() {
        Ok(())
    } else {
        Err(CliError::Input(failed.join("\n")))
    }
}
