//! `caselog resolve`: record the resolution and schedule the follow-up.

use std::io::Write;

use anyhow::Result;
use clap::Args;

use super::args::{ByArg, CardArg, words};
use super::{Session, done};
use crate::case::Outcome;
use crate::case::lifecycle::{self, Settlement};
use crate::time;

/// Record the resolution and schedule the follow-up
///
/// The follow-up is due `follow_up_after` (caselog.toml, default 48h) after
/// the resolution, its hours counted on working days when `working_days` is
/// set. The option the customer agreed to, if any, is recorded
/// with the resolution (and counts as the customer's agreement).
#[derive(Debug, Args)]
pub struct ResolveArgs {
    /// The case: its id, or a unique prefix or suffix of it
    #[arg(add = clap_complete::ArgValueCompleter::new(super::completions::case_ids))]
    pub id: String,
    /// What was done, and what was agreed with the customer
    #[arg(long, value_name = "TEXT")]
    pub summary: String,
    /// The customer agreed to the resolution
    #[arg(long, conflicts_with = "not_agreed")]
    pub agreed: bool,
    /// The customer did not agree to the resolution
    #[arg(long)]
    pub not_agreed: bool,
    /// Whether the complaint was found justified
    #[arg(long, value_name = "OUTCOME", value_parser = words::<Outcome>(Outcome::WORDS))]
    pub outcome: Option<Outcome>,
    /// What caused the problem, so it can be fixed for everyone
    #[arg(long, value_name = "TEXT")]
    pub root_cause: Option<String>,
    /// What the customer was given: a refund, a replacement, a goodwill gesture
    #[arg(long, value_name = "TEXT")]
    pub redress: Option<String>,
    /// Schedule no follow-up
    #[arg(long)]
    pub no_follow_up: bool,
    #[command(flatten)]
    pub card: CardArg,
    #[command(flatten)]
    pub by: ByArg,
}

pub fn run(session: &Session, args: ResolveArgs, out: &mut dyn Write) -> Result<u8> {
    let settings = session.settings()?;
    let mut settlement = Settlement {
        summary: args.summary,
        agreed: match (args.agreed, args.not_agreed) {
            (true, _) => Some(true),
            (_, true) => Some(false),
            _ => None,
        },
        outcome: args.outcome,
        root_cause: args.root_cause,
        redress: args.redress,
        follow_up_due: None,
    };
    let mut due = None;
    let changed = session.change(
        &args.id,
        args.by.by.as_deref(),
        args.card.allow_card_like_number,
        |case, stamp| {
            // From the time the event will carry: a clock behind the
            // case's latest event records it at that event's time.
            let resolved_at = lifecycle::in_order(case, stamp).at;
            due = (!args.no_follow_up)
                .then(|| settings.follow_up_due(settings.follow_up_after, resolved_at));
            settlement.follow_up_due = due;
            lifecycle::resolve(case, stamp, settlement)
        },
    )?;
    let option = changed
        .after
        .resolution
        .as_ref()
        .and_then(|r| r.option)
        .map(|n| format!(" (option {n})"))
        .unwrap_or_default();
    match due {
        Some(due) => done(
            out,
            format_args!(
                "{}: resolved{option}; follow-up due {}",
                changed.after.id,
                time::format_time(due, session.zone())
            ),
        ),
        None => done(
            out,
            format_args!(
                "{}: resolved{option}; no follow-up scheduled",
                changed.after.id
            ),
        ),
    }
}
