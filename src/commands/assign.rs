//! `caselog assign`: hand a case to a person.

use std::io::Write;

use anyhow::Result;

use super::{Session, done};
use crate::lifecycle;
use crate::terminal;

pub struct Request {
    pub id: String,
    pub person: String,
    pub by: Option<String>,
}

pub fn run(session: &Session, request: Request, out: &mut dyn Write) -> Result<u8> {
    let log = session.log()?;
    let stamp = session.stamp(&log, request.by.as_deref())?;
    let person = request.person.trim();
    let changed = log.change(&request.id, |case| {
        Ok(lifecycle::assign(case, &stamp, person)?)
    })?;
    let person = terminal::line(person);
    if changed.written {
        done(
            out,
            format_args!("{}: assigned to {person}", changed.after.id),
        )
    } else {
        done(
            out,
            format_args!(
                "{}: already assigned to {person}; nothing changed",
                changed.after.id
            ),
        )
    }
}
