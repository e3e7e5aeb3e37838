//! The `chainsim` binary: parse, dispatch, print the error, exit with its code (2 for bad
//! input, 1 for failures while running, 130 when Ctrl-C stopped a run after writing what was
//! complete; see `cli::CliError`).

mod cli;

use clap::Parser;

fn main() {
    let args = cli::Cli::parse();
    if let Err(e) = cli::dispatch(args) {
        eprintln!("{e}");
        std::process::exit(e.exit_code());
    }
}
