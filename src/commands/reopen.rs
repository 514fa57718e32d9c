//! `caselog reopen`: reopen a resolved or closed case, or resume a waiting one.

use std::io::Write;

use anyhow::Result;
use clap::Args;

use super::args::{ByArg, CardArg};
use super::{Session, done};
use crate::case::Status;
use crate::case::lifecycle;

/// Reopen a resolved or closed case (counted as a reopen), or resume a waiting one
#[derive(Debug, Args)]
pub struct ReopenArgs {
    /// The case: its id, or a unique prefix or suffix of it
    #[arg(add = clap_complete::ArgValueCompleter::new(super::completions::case_ids))]
    pub id: String,
    /// Why it is reopened
    #[arg(long)]
    pub reason: String,
    #[command(flatten)]
    pub card: CardArg,
    #[command(flatten)]
    pub by: ByArg,
}

pub fn run(session: &Session, args: ReopenArgs, out: &mut dyn Write) -> Result<u8> {
    let changed = session.change(
        &args.id,
        args.by.by.as_deref(),
        args.card.allow_card_like_number,
        |case, stamp| lifecycle::reopen(case, stamp, &args.reason),
    )?;
    let verb = if changed.before.status == Status::Waiting {
        "resumed"
    } else {
        "reopened"
    };
    done(out, format_args!("{}: {verb}", changed.after.id))
}
