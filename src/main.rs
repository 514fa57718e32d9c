use std::process::ExitCode;

use caselog::{cli::Cli, commands, error};
use clap::Parser;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match commands::run(cli.dir, cli.command.into_request()) {
        Ok(code) => ExitCode::from(code),
        Err(err) if error::is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("caselog: {err:#}");
            ExitCode::from(error::exit_code(&err))
        }
    }
}
