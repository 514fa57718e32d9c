//! One module per subcommand: its clap arguments and its `run`, plain
//! values in, output out.
//!
//! This layer turns arguments into calls on the domain (store, lifecycle,
//! practice, learning) through the run's [`Session`] and renders what
//! comes back. It is the only layer that prints, and where clap stops.

pub mod agree;
pub mod annotate;
pub mod args;
pub mod assign;
pub mod changes;
pub mod check;
pub mod close;
pub mod completions;
pub mod due;
pub mod edit;
pub mod escalate;
pub mod export;
pub mod fmt;
pub mod follow_up;
pub mod import;
pub mod index;
pub mod init;
mod input;
mod json;
mod lines;
pub mod list;
pub mod log;
pub mod mail;
pub mod merge_driver;
pub mod next;
pub mod open;
mod progress;
pub mod propose;
pub mod redact;
pub mod reopen;
pub mod reply;
pub mod report;
pub mod resolve;
pub mod search;
mod session;
pub mod show;
pub mod similar;
pub mod site;
pub mod suggest;
pub mod terminal;
pub mod wait;

use std::io::Write;

use anyhow::Result;

use crate::case::card;
use crate::error::EXIT_OK;
use crate::untrusted;

pub use session::{NOW_VARIABLE, Scan, Session, USER_VARIABLE};
pub use terminal::{Terminal, Tint};

/// Prints an error that does not stop the command (one bad file among many),
/// in the same form `main` uses for the error that does.
pub fn warn(err: &anyhow::Error) {
    say(&format!("{err:#}"));
}

/// Tells the person something on stderr, after `caselog: `, on one line
/// made safe for the terminal (messages quote paths and case text).
pub fn say(text: &str) {
    // What is said may quote input (a bad cell of an import, an id that
    // matched nothing), and cron mails it: a card number goes masked.
    // Not `eprintln!`, which panics when stderr cannot be written (a full
    // disk under `2>>file`): what cannot be said is not said, and the
    // exit code still tells.
    let _ = writeln!(
        std::io::stderr(),
        "caselog: {}",
        untrusted::line(&card::masked(text))
    );
}

/// The usual ending of a command that changed one case: one line saying so.
fn done(out: &mut dyn Write, line: std::fmt::Arguments<'_>) -> Result<u8> {
    writeln!(out, "{line}")?;
    Ok(EXIT_OK)
}
