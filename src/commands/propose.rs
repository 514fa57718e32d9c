//! `caselog propose`: record a possible solution with its pluses and
//! minuses; options are numbered in the order proposed.

use std::io::Write;

use anyhow::Result;
use clap::Args;

use super::args::{ByArg, CardArg};
use super::{Session, done};
use crate::case::lifecycle;

/// Record a possible solution, with its pluses and minuses
///
/// Options are numbered 1, 2, 3… in the order proposed; prints the number.
/// When the customer chooses one, record it with `caselog agree`.
#[derive(Debug, Args)]
pub struct ProposeArgs {
    /// The case: its id, or a unique prefix or suffix of it
    #[arg(add = clap_complete::ArgValueCompleter::new(super::completions::case_ids))]
    pub id: String,
    /// The solution
    pub text: String,
    /// A plus of this solution; repeat for several
    #[arg(long = "pro", value_name = "TEXT")]
    pub pros: Vec<String>,
    /// A minus of this solution; repeat for several
    #[arg(long = "con", value_name = "TEXT")]
    pub cons: Vec<String>,
    #[command(flatten)]
    pub card: CardArg,
    #[command(flatten)]
    pub by: ByArg,
}

pub fn run(session: &Session, args: ProposeArgs, out: &mut dyn Write) -> Result<u8> {
    let changed = session.change(
        &args.id,
        args.by.by.as_deref(),
        args.card.allow_card_like_number,
        |case, stamp| lifecycle::propose(case, stamp, &args.text, &args.pros, &args.cons),
    )?;
    let number = lifecycle::proposals(&changed.after)
        .last()
        .and_then(|e| e.option)
        .unwrap_or(0);
    done(
        out,
        format_args!(
            "{}: option {number} proposed; when the customer chooses, `caselog agree {} {number}`",
            changed.after.id, changed.after.id
        ),
    )
}
