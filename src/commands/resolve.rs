//! `caselog resolve`: record the resolution and schedule the follow-up.

use std::io::Write;

use anyhow::Result;

use super::{Session, done};
use crate::clock;
use crate::lifecycle;

pub struct Request {
    pub id: String,
    pub summary: String,
    /// Whether the customer agreed; `None` when not recorded.
    pub agreed: Option<bool>,
    /// Whether to schedule the follow-up.
    pub follow_up: bool,
    pub by: Option<String>,
}

pub fn run(session: &Session, request: Request, out: &mut dyn Write) -> Result<u8> {
    let log = session.log()?;
    let settings = session.settings(&log)?;
    let stamp = session.stamp(&log, request.by.as_deref())?;
    let due = request.follow_up.then(|| {
        settings
            .follow_up_after
            .after(stamp.at, &settings.working_days)
    });
    let changed = log.change(&request.id, |case| {
        Ok(lifecycle::resolve(
            case,
            &stamp,
            &request.summary,
            request.agreed,
            due,
        )?)
    })?;
    match due {
        Some(due) => done(
            out,
            format_args!(
                "{}: resolved; follow-up due {}",
                changed.after.id,
                clock::format_time(due)
            ),
        ),
        None => done(
            out,
            format_args!("{}: resolved; no follow-up scheduled", changed.after.id),
        ),
    }
}
