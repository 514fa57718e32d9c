use std::process::ExitCode;

use caselog::{cli::Cli, error};
use clap::Parser;

fn main() -> ExitCode {
    match Cli::parse().run() {
        Ok(code) => ExitCode::from(code),
        Err(err) if error::is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("caselog: {err:#}");
            ExitCode::from(error::exit_code(&err))
        }
    }
}
