//! `caselog escalate`: hand a case to someone senior, with the reason on
//! the record (reports count the escalation rate).

use std::io::Write;

use anyhow::Result;
use clap::Args;

use super::args::{ByArg, CardArg};
use super::{Session, done};
use crate::case::lifecycle;
use crate::untrusted;

/// Hand a case to someone senior, with the reason
///
/// The case is assigned to PERSON and the escalation is recorded; `caselog
/// report` counts the escalation rate. The practice wants the person who
/// took the complaint to solve it where they can, so a rising rate is a
/// signal.
#[derive(Debug, Args)]
pub struct EscalateArgs {
    /// The case: its id, or a unique prefix or suffix of it
    #[arg(add = clap_complete::ArgValueCompleter::new(super::completions::case_ids))]
    pub id: String,
    /// Who takes the case over
    #[arg(long, value_name = "PERSON")]
    pub to: String,
    /// Why it needs someone senior
    #[arg(long, value_name = "TEXT")]
    pub reason: String,
    #[command(flatten)]
    pub card: CardArg,
    #[command(flatten)]
    pub by: ByArg,
}

pub fn run(session: &Session, args: EscalateArgs, out: &mut dyn Write) -> Result<u8> {
    let to = args.to.trim();
    session.check_person(to, "--to")?;
    let changed = session.change(
        &args.id,
        args.by.by.as_deref(),
        args.card.allow_card_like_number,
        |case, stamp| lifecycle::escalate(case, stamp, to, &args.reason),
    )?;
    done(
        out,
        format_args!("{}: escalated to {}", changed.after.id, untrusted::line(to)),
    )
}
