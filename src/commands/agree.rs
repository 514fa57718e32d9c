//! `caselog agree`: the customer agreed to one proposed option, recorded
//! with how the agreement was made, its contingency and its monitoring.

use std::io::Write;

use anyhow::Result;

use super::{Session, done};
use crate::lifecycle::{self, Agreement};

pub struct Request {
    pub id: String,
    pub option: u32,
    pub terms: Agreement,
    pub by: Option<String>,
}

pub fn run(session: &Session, request: Request, out: &mut dyn Write) -> Result<u8> {
    let log = session.log()?;
    let stamp = session.stamp(&log, request.by.as_deref())?;
    let changed = log.change(&request.id, |case| {
        Ok(lifecycle::agree(
            case,
            &stamp,
            request.option,
            request.terms,
        )?)
    })?;
    done(
        out,
        format_args!(
            "{}: the customer agreed to option {}",
            changed.after.id, request.option
        ),
    )
}
