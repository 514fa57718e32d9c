//! `caselog assign`: hand a case to a person.

use std::io::Write;

use anyhow::Result;
use clap::Args;

use super::args::{ByArg, CardArg};
use super::{Session, done};
use crate::case::lifecycle;
use crate::untrusted;

/// Hand a case to a person
#[derive(Debug, Args)]
pub struct AssignArgs {
    /// The case: its id, or a unique prefix or suffix of it
    #[arg(add = clap_complete::ArgValueCompleter::new(super::completions::case_ids))]
    pub id: String,
    /// Who handles it from now on
    pub person: String,
    #[command(flatten)]
    pub card: CardArg,
    #[command(flatten)]
    pub by: ByArg,
}

pub fn run(session: &Session, args: AssignArgs, out: &mut dyn Write) -> Result<u8> {
    let person = args.person.trim();
    session.check_person(person, "the assignee")?;
    let changed = session.change(
        &args.id,
        args.by.by.as_deref(),
        args.card.allow_card_like_number,
        |case, stamp| lifecycle::assign(case, stamp, person),
    )?;
    let person = untrusted::line(person);
    if changed.written {
        done(
            out,
            format_args!("{}: assigned to {person}", changed.after.id),
        )
    } else {
        done(
            out,
            format_args!(
                "{}: already assigned to {person}; nothing changed",
                changed.after.id
            ),
        )
    }
}
