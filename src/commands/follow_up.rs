//! `caselog follow-up`: schedule the call back to the customer, or record
//! it and their satisfaction.

use std::io::Write;

use anyhow::Result;
use chrono::{DateTime, Utc};

use super::{Session, done};
use crate::case::Status;
use crate::clock::{self, Span};
use crate::lifecycle::{self, Stamp};
use crate::store::CaseLog;

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
    match request.what {
        What::ScheduleIn(span) => {
            let settings = session.settings(&log)?;
            let due = span
                .parse::<Span>()?
                .after(stamp.at, &settings.working_days);
            schedule(&log, &stamp, &request.id, due, out)
        }
        What::ScheduleAt(time) => {
            schedule(&log, &stamp, &request.id, clock::parse_time(&time)?, out)
        }
        What::Done { satisfied, text } => {
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
    }
}

fn schedule(
    log: &CaseLog,
    stamp: &Stamp,
    id: &str,
    due: DateTime<Utc>,
    out: &mut dyn Write,
) -> Result<u8> {
    let changed = log.change(id, |case| {
        Ok(lifecycle::schedule_follow_up(case, stamp, due)?)
    })?;
    let unchanged = if changed.written { "" } else { " (unchanged)" };
    done(
        out,
        format_args!(
            "{}: follow-up due {}{unchanged}",
            changed.after.id,
            clock::format_time(due)
        ),
    )
}
