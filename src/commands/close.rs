//! `caselog close`: close a case, with a reason where practice wants one.

use std::io::Write;

use anyhow::Result;
use clap::Args;

use super::args::{ByArg, CardArg};
use super::{Session, done};
use crate::case::id::CaseId;
use crate::case::lifecycle::{self, Voiding};
use crate::refuse;

/// Close a case
///
/// A resolved case whose follow-up is done (or that was resolved with
/// --no-follow-up) closes as it is; closing any other case needs --reason,
/// so the exception is on the record. A duplicate (--duplicate-of) or a
/// case opened in error (--opened-in-error) is closed as void: it stays on
/// disk and in git, and `list` and `show` mark it, but it counts in no
/// report measure, `due`, `similar` or repeat-customer match.
#[derive(Debug, Args)]
pub struct CloseArgs {
    /// The case: its id, or a unique prefix or suffix of it
    #[arg(add = clap_complete::ArgValueCompleter::new(super::completions::case_ids))]
    pub id: String,
    /// Why it is closed
    #[arg(long)]
    pub reason: Option<String>,
    /// The case repeats this one (an id, or a unique prefix or suffix)
    #[arg(long, value_name = "ID", conflicts_with = "opened_in_error")]
    pub duplicate_of: Option<String>,
    /// The case was never a complaint (needs --reason)
    #[arg(long)]
    pub opened_in_error: bool,
    #[command(flatten)]
    pub card: CardArg,
    #[command(flatten)]
    pub by: ByArg,
}

pub fn run(session: &Session, args: CloseArgs, out: &mut dyn Write) -> Result<u8> {
    let voiding = match (&args.duplicate_of, args.opened_in_error) {
        (Some(other), _) => Some(Voiding::DuplicateOf(original(session, other)?)),
        (None, true) => Some(Voiding::OpenedInError),
        (None, false) => None,
    };
    let changed = session.change(
        &args.id,
        args.by.by.as_deref(),
        args.card.allow_card_like_number,
        |case, stamp| match &voiding {
            Some(voiding) => lifecycle::close_void(case, stamp, voiding, args.reason.as_deref()),
            None => lifecycle::close(case, stamp, args.reason.as_deref()),
        },
    )?;
    match &voiding {
        Some(Voiding::DuplicateOf(other)) => done(
            out,
            format_args!("{}: closed as a duplicate of {other}", changed.after.id),
        ),
        Some(Voiding::OpenedInError) => done(
            out,
            format_args!("{}: closed as opened in error", changed.after.id),
        ),
        None => done(out, format_args!("{}: closed", changed.after.id)),
    }
}

/// The case a duplicate repeats: it must exist and not be void itself.
fn original(session: &Session, query: &str) -> Result<CaseId> {
    let other = session.store()?.load(query)?.case;
    if let Some(further) = &other.duplicate_of {
        refuse!(
            "case {} is itself closed as a duplicate of {further}; give --duplicate-of {further}",
            other.id
        );
    }
    if other.is_void() {
        refuse!(
            "case {} is closed as opened in error; a case cannot duplicate it",
            other.id
        );
    }
    Ok(other.id)
}
