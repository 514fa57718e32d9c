use std::io::Write;
use std::process::ExitCode;

// Whole-log passes build and drop many small values; mimalloc does that
// markedly faster than the system allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use caselog::case::card;
use caselog::{cli::Cli, error, untrusted};
use clap::error::ErrorKind;

fn main() -> ExitCode {
    // A write past `ulimit -f` then fails as an error (one line, exit 3,
    // nothing half-written) instead of killing caselog unannounced.
    #[cfg(unix)]
    // SAFETY: at the start of main, before any thread; SIG_IGN runs no
    // handler code.
    unsafe {
        libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
    }
    // `COMPLETE=bash caselog -- caselog show 2026…`: the shell asking
    // for completions (case ids, categories, people, tags); answers and
    // exits. Otherwise does nothing.
    clap_complete::CompleteEnv::with_factory(<Cli as clap::CommandFactory>::command).complete();
    let cli = match Cli::parse_args() {
        Ok(cli) => cli,
        Err(err)
            if matches!(
                err.kind(),
                ErrorKind::DisplayHelp | ErrorKind::DisplayVersion
            ) =>
        {
            let _ = err.print();
            return ExitCode::SUCCESS;
        }
        // clap's messages quote what was typed: never raw to the terminal,
        // nor a card number into the mail cron sends of it.
        Err(err) => {
            // Not `eprint!`, which panics when stderr cannot be written.
            let _ = write!(
                std::io::stderr(),
                "{}",
                untrusted::block(&card::masked(&err.to_string()))
            );
            return ExitCode::from(error::EXIT_INPUT);
        }
    };
    match cli.run() {
        Ok(code) => ExitCode::from(code),
        Err(err) if error::is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            let _ = writeln!(
                std::io::stderr(),
                "caselog: {}",
                untrusted::line(&card::masked(&format!("{err:#}")))
            );
            ExitCode::from(error::exit_code(&err))
        }
    }
}
