//! `caselog follow-up`: schedule the call back to the customer, or record
//! it and their satisfaction.

use std::io::Write;

use anyhow::Result;

use super::{Session, done};
use crate::case::Status;
use crate::clock::{self, Span};
use crate::lifecycle;

pub struct Request {
    pub id: String,
    pub what: What,
    pub by: Option<String>,
}

pub enum What {
    /// Schedule it this long from now (a duration as typed).
    ScheduleIn(String),
    /// Schedule it at this time (as typed).
    ScheduleAt(String),
    /// It happened; the customer's answer, if any, and a note.
    Done {
        satisfied: Option<bool>,
        text: Option<String>,
    },
}

pub fn run(session: &Session, request: Request, out: &mut dyn Write) -> Result<u8> {
    let log = session.log()?;
    let stamp = session.stamp(&log, request.by.as_deref())?;
    let due = match &request.what {
        What::ScheduleIn(span) => Some(stamp.at + span.parse::<Span>()?.duration()),
        What::ScheduleAt(time) => Some(clock::parse_time(time)?),
        What::Done { .. } => None,
    };
    if let Some(due) = due {
        let changed = log.change(&request.id, |case| {
            Ok(lifecycle::schedule_follow_up(case, &stamp, due)?)
        })?;
        let unchanged = if changed.written { "" } else { " (unchanged)" };
        return done(
            out,
            format_args!(
                "{}: follow-up due {}{unchanged}",
                changed.after.id,
                clock::format_time(due)
            ),
        );
    }
    let What::Done { satisfied, text } = request.what else {
        unreachable!("scheduling returned above")
    };
    let changed = log.change(&request.id, |case| {
        Ok(lifecycle::record_follow_up(
            case,
            &stamp,
            satisfied,
            text.as_deref(),
        )?)
    })?;
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
