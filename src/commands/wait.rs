//! `caselog wait`: park an open case while waiting on someone.

use std::io::Write;

use anyhow::Result;

use super::{Session, done};
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
        Ok(lifecycle::wait(case, &stamp, &request.reason)?)
    })?;
    done(out, format_args!("{}: waiting", changed.after.id))
}
