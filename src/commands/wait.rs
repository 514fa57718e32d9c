//! `caselog wait`: park an open case while waiting on someone, optionally
//! until a time after which `caselog due` brings it back.

use std::io::Write;

use anyhow::Result;

use super::{Session, done};
use crate::clock::{self, Span};
use crate::error::InputError;
use crate::lifecycle;

pub struct Request {
    pub id: String,
    pub reason: String,
    /// A duration from now or a time, as typed.
    pub until: Option<String>,
    pub by: Option<String>,
}

pub fn run(session: &Session, request: Request, out: &mut dyn Write) -> Result<u8> {
    let log = session.log()?;
    let stamp = session.stamp(&log, request.by.as_deref())?;
    let until = match &request.until {
        None => None,
        Some(text) => Some(match text.parse::<Span>() {
            Ok(span) => span.after(stamp.at, &session.settings(&log)?.working_days),
            Err(_) => clock::parse_time(text).map_err(|_| {
                InputError::Invalid(format!(
                    "--until '{text}' is neither a duration (3d, 48h) nor a time (2026-11-24 09:00)"
                ))
            })?,
        }),
    };
    let changed = log.change(&request.id, |case| {
        Ok(lifecycle::wait(case, &stamp, &request.reason, until)?)
    })?;
    match until {
        Some(until) => done(
            out,
            format_args!(
                "{}: waiting until {}",
                changed.after.id,
                clock::format_time(until)
            ),
        ),
        None => done(out, format_args!("{}: waiting", changed.after.id)),
    }
}
