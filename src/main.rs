//! The `chainsim` binary: parse, dispatch, print the error, exit with its code (2 for bad
//! input, 1 for failures while running, 128 + the signal when Ctrl-C, SIGTERM or SIGHUP stopped a
//! run after writing what was complete; see `cli::CliError`).

mod cli;

use clap::Parser;

fn main() {
    let args = cli::Cli::parse();
    if let Err(e) = cli::dispatch(args) {
        // What the error quotes (a name, a path, a token of a file) never reaches the terminal
        // raw, and a path in the staging folder is named in the user's folder.
        eprintln!("{}", cli::user_message(&e));
        std::process::exit(e.exit_code());
    }
}
