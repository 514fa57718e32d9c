//! `caselog escalate`: hand a case to someone senior, with the reason on
//! the record (reports count the escalation rate).

use std::io::Write;

use anyhow::Result;

use super::{Session, done};
use crate::lifecycle;
use crate::terminal;

pub struct Request {
    pub id: String,
    pub to: String,
    pub reason: String,
    pub by: Option<String>,
}

pub fn run(session: &Session, request: Request, out: &mut dyn Write) -> Result<u8> {
    let log = session.log()?;
    let stamp = session.stamp(&log, request.by.as_deref())?;
    let to = request.to.trim();
    let changed = log.change(&request.id, |case| {
        Ok(lifecycle::escalate(case, &stamp, to, &request.reason)?)
    })?;
    done(
        out,
        format_args!("{}: escalated to {}", changed.after.id, terminal::line(to)),
    )
}
