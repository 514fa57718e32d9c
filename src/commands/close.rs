//! `caselog close`: close a case, with a reason where practice wants one.

use std::io::Write;

use anyhow::Result;

use super::{Session, done};
use crate::lifecycle;

pub struct Request {
    pub id: String,
    pub reason: Option<String>,
    pub by: Option<String>,
}

pub fn run(session: &Session, request: Request, out: &mut dyn Write) -> Result<u8> {
    let log = session.log()?;
    let stamp = session.stamp(&log, request.by.as_deref())?;
    let changed = log.change(&request.id, |case| {
        Ok(lifecycle::close(case, &stamp, request.reason.as_deref())?)
    })?;
    done(out, format_args!("{}: closed", changed.after.id))
}
