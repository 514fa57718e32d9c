//! `caselog propose`: record a possible solution with its pluses and
//! minuses; options are numbered in the order proposed.

use std::io::Write;

use anyhow::Result;

use super::{Session, done};
use crate::lifecycle;

pub struct Request {
    pub id: String,
    pub text: String,
    pub pros: Vec<String>,
    pub cons: Vec<String>,
    pub by: Option<String>,
}

pub fn run(session: &Session, request: Request, out: &mut dyn Write) -> Result<u8> {
    let log = session.log()?;
    let stamp = session.stamp(&log, request.by.as_deref())?;
    let changed = log.change(&request.id, |case| {
        Ok(lifecycle::propose(
            case,
            &stamp,
            &request.text,
            &request.pros,
            &request.cons,
        )?)
    })?;
    let number = lifecycle::proposals(&changed.after)
        .last()
        .and_then(|e| e.option)
        .unwrap_or(0);
    done(
        out,
        format_args!(
            "{}: option {number} proposed; when the customer chooses, `caselog agree {} {number}`",
            changed.after.id, changed.after.id
        ),
    )
}
