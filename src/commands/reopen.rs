//! `caselog reopen`: reopen a resolved or closed case, or resume a waiting one.

use std::io::Write;

use anyhow::Result;

use super::{Session, done};
use crate::case::Status;
use crate::lifecycle;

pub struct Request {
    pub id: String,
    pub reason: String,
    pub by: Option<String>,
}

pub fn run(session: &Session, request: Request, out: &mut dyn Write) -> Result<u8> {
    let log = session.log()?;
    let stamp = session.stamp(&log, request.by.as_deref())?;
    let changed = log.change(&request.id, |case| {
        Ok(lifecycle::reopen(case, &stamp, &request.reason)?)
    })?;
    let verb = if changed.before.status == Status::Waiting {
        "resumed"
    } else {
        "reopened"
    };
    done(out, format_args!("{}: {verb}", changed.after.id))
}
