//! `caselog wait`: park an open case while waiting on someone, optionally
//! until a time after which `caselog due` brings it back.

use std::io::Write;

use anyhow::Result;
use clap::Args;

use super::args::ByArg;
use super::{Session, done};
use crate::case::lifecycle;
use crate::time::{self, When};

/// Park an open case while waiting on the customer or a third party
///
/// `caselog reopen`, or a note of kind reply, puts it back to open.
#[derive(Debug, Args)]
pub struct WaitArgs {
    /// The case: its id, or a unique prefix or suffix of it
    pub id: String,
    /// What or whom the case is waiting for
    #[arg(long)]
    pub reason: String,
    /// When to look again if nothing comes: a duration (3d) or a time;
    /// `caselog due` lists the case then
    #[arg(long, value_name = "WHEN")]
    pub until: Option<String>,
    #[command(flatten)]
    pub by: ByArg,
}

pub fn run(session: &Session, args: WaitArgs, out: &mut dyn Write) -> Result<u8> {
    let until = args
        .until
        .as_deref()
        .map(|text| time::parse_when("--until", text))
        .transpose()?;
    // Only a duration counts working days.
    let settings = match until {
        Some(When::Span(_)) => Some(session.settings()?),
        _ => None,
    };
    let mut until_at = None;
    let changed = session.change(&args.id, args.by.by.as_deref(), |case, stamp| {
        until_at = until.map(|when| match (when, settings) {
            (When::Span(span), Some(settings)) => span.after(stamp.at, &settings.working_days),
            (When::Span(span), None) => stamp.at + span.duration(),
            (When::At(at), _) => at,
        });
        lifecycle::wait(case, stamp, &args.reason, until_at)
    })?;
    match until_at {
        Some(until) => done(
            out,
            format_args!(
                "{}: waiting until {}",
                changed.after.id,
                time::format_time(until)
            ),
        ),
        None => done(out, format_args!("{}: waiting", changed.after.id)),
    }
}
