//! `caselog annotate` (alias `note`): add a note, reply, call, email or
//! question to a case. Only appends: the diff is the new event alone.

use std::io::Write;

use anyhow::Result;

use super::{Session, done, input};
use crate::case::{Action, Status};
use crate::lifecycle;

pub struct Request {
    pub id: String,
    /// The text; `-` reads standard input; absent asks stdin or the editor.
    pub text: Option<String>,
    pub kind: Action,
    pub by: Option<String>,
}

pub fn run(session: &Session, request: Request, out: &mut dyn Write) -> Result<u8> {
    let log = session.log()?;
    // Find the case before asking for text nobody could record.
    log.find(&request.id)?;
    let stamp = session.stamp(&log, request.by.as_deref())?;
    let text = match request.text.as_deref() {
        Some("-") => input::stdin_text("the note")?,
        Some(text) => text.to_string(),
        None => input::missing_text(
            "the note",
            &format!("Case {}, {}.", request.id, request.kind),
            "give TEXT, or - to read standard input",
        )?,
    };
    let changed = log.change(&request.id, |case| {
        Ok(lifecycle::annotate(case, &stamp, request.kind, &text)?)
    })?;
    let resumed = changed.before.status == Status::Waiting && changed.after.status == Status::Open;
    done(
        out,
        format_args!(
            "{}: {} added{}",
            changed.after.id,
            request.kind,
            if resumed { "; back to open" } else { "" }
        ),
    )
}
