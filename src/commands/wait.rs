//! `caselog wait`: park an open case while waiting on someone, optionally
//! until a time after which `caselog due` brings it back.

use std::io::Write;

use anyhow::Result;
use clap::Args;

use super::args::{ByArg, CardArg, words};
use super::{Session, done};
use crate::case::WaitingOn;
use crate::case::lifecycle::{self, Wait, waited_on};
use crate::time::{self, When};

/// Park an open case while waiting on the customer or a third party
///
/// `caselog reopen`, or a note of kind reply, puts it back to open; so does
/// a message from the customer (note --kind customer) to a case waiting on
/// them. While a case waits on the customer its resolution deadline pauses.
/// On a waiting case, --until moves the end of the wait and --on changes
/// whom it waits on.
#[derive(Debug, Args)]
pub struct WaitArgs {
    /// The case: its id, or a unique prefix or suffix of it
    #[arg(add = clap_complete::ArgValueCompleter::new(super::completions::case_ids))]
    pub id: String,
    /// What or whom the case is waiting for (needed to start a wait)
    #[arg(long)]
    pub reason: Option<String>,
    /// Whom it waits on [default: customer; on a waiting case, unchanged]
    #[arg(long, value_name = "WHOM", value_parser = words::<WaitingOn>(WaitingOn::WORDS))]
    pub on: Option<WaitingOn>,
    /// When to look again if nothing comes: a duration (3d) or a time;
    /// `caselog due` lists the case then
    #[arg(long, value_name = "WHEN")]
    pub until: Option<String>,
    #[command(flatten)]
    pub card: CardArg,
    #[command(flatten)]
    pub by: ByArg,
}

pub fn run(session: &Session, args: WaitArgs, out: &mut dyn Write) -> Result<u8> {
    let until = args
        .until
        .as_deref()
        .map(|text| time::parse_when("--until", text, session.zone()))
        .transpose()?;
    // Only a duration counts working days.
    let settings = match until {
        Some(When::Span(_)) => Some(session.settings()?),
        _ => None,
    };
    let changed = session.change(
        &args.id,
        args.by.by.as_deref(),
        args.card.allow_card_like_number,
        |case, stamp| {
            let until = until.map(|when| match (when, settings) {
                (When::Span(span), Some(settings)) => span.after(stamp.at, &settings.working_days),
                (When::Span(span), None) => stamp.at + span.duration(),
                (When::At(at), _) => at,
            });
            let wait = Wait {
                on: args.on,
                until,
                reason: args.reason.as_deref(),
            };
            lifecycle::wait(case, stamp, wait)
        },
    )?;
    let after = &changed.after;
    let on = after
        .waiting_on()
        .map(|o| format!(" on {}", waited_on(o)))
        .unwrap_or_default();
    let until = after
        .waiting_until()
        .map(|t| format!(" until {}", time::format_time(t, session.zone())))
        .unwrap_or_default();
    let unchanged = if changed.written { "" } else { " (unchanged)" };
    done(
        out,
        format_args!("{}: waiting{on}{until}{unchanged}", after.id),
    )
}
