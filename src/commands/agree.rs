//! `caselog agree`: the customer agreed to one proposed option, recorded
//! with how the agreement was made, its contingency and its monitoring.

use std::io::Write;

use anyhow::Result;
use clap::Args;

use super::args::{ByArg, CardArg, words};
use super::{Session, done};
use crate::case::Channel;
use crate::case::lifecycle::{self, Agreement};

/// Record that the customer agreed to a proposed solution
///
/// Write the agreement down as the practice asks: how it was made, what
/// happens if conditions change, and how it will be kept. `caselog resolve`
/// then refers to the agreed option. A customer who changes their mind
/// before the resolution agrees again with --replace (propose a new option
/// first if they want one not listed).
#[derive(Debug, Args)]
pub struct AgreeArgs {
    /// The case: its id, or a unique prefix or suffix of it
    #[arg(add = clap_complete::ArgValueCompleter::new(super::completions::case_ids))]
    pub id: String,
    /// The option the customer chose, as `caselog propose` numbered it
    pub option: u32,
    /// How the agreement was made
    #[arg(long, value_name = "HOW", value_parser = words::<Channel>(Channel::WORDS))]
    pub how: Option<Channel>,
    /// What happens if conditions change
    #[arg(long, value_name = "TEXT")]
    pub contingency: Option<String>,
    /// How keeping the agreement will be monitored
    #[arg(long, value_name = "TEXT")]
    pub monitor: Option<String>,
    /// The customer changed their mind: this agreement replaces the earlier one
    #[arg(long)]
    pub replace: bool,
    /// Why the customer changed their mind (with --replace)
    #[arg(long, value_name = "TEXT", requires = "replace")]
    pub reason: Option<String>,
    #[command(flatten)]
    pub card: CardArg,
    #[command(flatten)]
    pub by: ByArg,
}

pub fn run(session: &Session, args: AgreeArgs, out: &mut dyn Write) -> Result<u8> {
    let terms = Agreement {
        how: args.how,
        contingency: args.contingency,
        monitor: args.monitor,
        replace: args.replace,
        reason: args.reason.as_deref(),
    };
    let changed = session.change(
        &args.id,
        args.by.by.as_deref(),
        args.card.allow_card_like_number,
        |case, stamp| lifecycle::agree(case, stamp, args.option, terms),
    )?;
    let earlier = lifecycle::agreement(&changed.before).and_then(|e| e.option);
    match earlier {
        Some(earlier) => done(
            out,
            format_args!(
                "{}: the customer now agrees to option {} (instead of option {earlier})",
                changed.after.id, args.option
            ),
        ),
        None => done(
            out,
            format_args!(
                "{}: the customer agreed to option {}",
                changed.after.id, args.option
            ),
        ),
    }
}
