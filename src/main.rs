//! The `chainsim` binary: parse, dispatch, print errors, exit with 2 for bad input, 1 for
//! failures while running, 130 when Ctrl-C stopped a run (after writing what was complete).

mod cli;

use clap::Parser;

fn main() {
    let args = cli::Cli::parse();
    match cli::dispatch(args) {
        Ok(()) => {}
        Err(cli::Failure::Input(msg)) => {
            eprintln!("{msg}");
            std::process::exit(2);
        }
        Err(cli::Failure::Runtime(msg)) => {
            eprintln!("error: {msg}");
            std::process::exit(1);
        }
        Err(cli::Failure::Interrupted(msg)) => {
            eprintln!("{msg}");
            std::process::exit(130);
        }
    }
}
