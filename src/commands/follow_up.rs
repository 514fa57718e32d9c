//! `caselog follow-up`: schedule the call back to the customer, or record
//! it and their satisfaction.

use std::io::Write;

use anyhow::Result;
use clap::Args;

use super::args::{ByArg, CardArg};
use super::{Session, done};
use crate::case::Status;
use crate::case::lifecycle;
use crate::time::{self, Span};

/// Schedule, reschedule or record the follow-up with the customer
///
/// With --done, a satisfied customer closes the case and an unsatisfied one
/// reopens it; without --satisfied (no answer) the case stays resolved.
#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("what").required(true).args(["in_", "at", "done"]))]
pub struct FollowUpArgs {
    /// The case: its id, or a unique prefix or suffix of it
    #[arg(add = clap_complete::ArgValueCompleter::new(super::completions::case_ids))]
    pub id: String,
    /// A note on the follow-up call (with --done)
    #[arg(requires = "done")]
    pub text: Option<String>,
    /// Schedule it this long from now (90m, 48h, 2d, 1w)
    #[arg(long = "in", value_name = "DURATION")]
    pub in_: Option<String>,
    /// Schedule it at this time (RFC 3339, '2026-11-24 09:00' on the log's clock or TZ's, or a date)
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
    /// Record that the follow-up happened
    #[arg(long)]
    pub done: bool,
    /// The customer's answer
    #[arg(long, requires = "done", value_parser = ["yes", "no"])]
    pub satisfied: Option<String>,
    #[command(flatten)]
    pub card: CardArg,
    #[command(flatten)]
    pub by: ByArg,
}

pub fn run(session: &Session, args: FollowUpArgs, out: &mut dyn Write) -> Result<u8> {
    let by = args.by.by.as_deref();
    if !args.done {
        // Scheduling: in a span from now, or at a time.
        let span = args.in_.as_deref().map(str::parse::<Span>).transpose()?;
        let at = args
            .at
            .as_deref()
            .map(|text| time::parse_time(text, session.zone()))
            .transpose()?;
        let settings = match span {
            Some(_) => Some(session.settings()?),
            None => None,
        };
        let mut due = None;
        let changed = session.change(
            &args.id,
            by,
            args.card.allow_card_like_number,
            |case, stamp| {
                // From the time the event will carry: a clock behind the
                // case's latest event records it at that event's time.
                let from = lifecycle::in_order(case, stamp).at;
                let when = match (span, at, settings) {
                    (Some(span), _, Some(settings)) => settings.follow_up_due(span, from),
                    (_, Some(at), _) => at,
                    _ => from,
                };
                due = Some(when);
                lifecycle::schedule_follow_up(case, stamp, when)
            },
        )?;
        let unchanged = if changed.written { "" } else { " (unchanged)" };
        return done(
            out,
            format_args!(
                "{}: follow-up due {}{unchanged}",
                changed.after.id,
                due.map(|t| time::format_time(t, session.zone()))
                    .unwrap_or_default()
            ),
        );
    }
    let satisfied = args.satisfied.map(|s| s == "yes");
    let changed = session.change(
        &args.id,
        by,
        args.card.allow_card_like_number,
        |case, stamp| lifecycle::record_follow_up(case, stamp, satisfied, args.text.as_deref()),
    )?;
    let outcome = match (satisfied, changed.after.status) {
        (Some(true), Status::Closed) => "customer satisfied; closed",
        (Some(false), _) => "customer not satisfied; reopened",
        _ => "no answer recorded; still resolved",
    };
    done(
        out,
        format_args!("{}: follow-up done; {outcome}", changed.after.id),
    )
}
