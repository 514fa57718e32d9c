//! `caselog close`: close a case, with a reason where practice wants one.

use std::io::Write;

use anyhow::Result;
use clap::Args;

use super::args::ByArg;
use super::{Session, done};
use crate::case::lifecycle;

/// Close a case
///
/// A resolved case whose follow-up is done (or that was resolved with
/// --no-follow-up) closes as it is; closing any other case needs --reason,
/// so the exception is on the record.
#[derive(Debug, Args)]
pub struct CloseArgs {
    /// The case: its id, or a unique prefix or suffix of it
    pub id: String,
    /// Why it is closed
    #[arg(long)]
    pub reason: Option<String>,
    #[command(flatten)]
    pub by: ByArg,
}

pub fn run(session: &Session, args: CloseArgs, out: &mut dyn Write) -> Result<u8> {
    let changed = session.change(&args.id, args.by.by.as_deref(), |case, stamp| {
        lifecycle::close(case, stamp, args.reason.as_deref())
    })?;
    done(out, format_args!("{}: closed", changed.after.id))
}
