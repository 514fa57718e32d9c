//! `caselog next`: what the handling practice says to do next on a case,
//! each line with its reason.

use std::io::Write;

use anyhow::Result;
use serde::Serialize;

use super::Session;
use crate::clock;
use crate::error::EXIT_OK;
use crate::practice::{self, Advice};
use crate::terminal::line;
use crate::words::word_enum;

word_enum!(
    /// How `next` prints its advice.
    Format, "format" {
        Text => "text",
        Json => "json",
    }
);

pub struct Request {
    pub id: String,
    pub format: Format,
}

#[derive(Serialize)]
struct Next<'a> {
    id: &'a str,
    status: &'a str,
    next: &'a [Advice],
}

pub fn run(session: &Session, request: Request, out: &mut dyn Write) -> Result<u8> {
    let log = session.log()?;
    let settings = session.settings(&log)?;
    let case = log.load(&request.id)?.case;
    let advice = practice::next_steps(&case, &settings, clock::now()?);
    match request.format {
        Format::Json => super::json::write(
            out,
            &Next {
                id: case.id.as_str(),
                status: case.status.as_str(),
                next: &advice,
            },
        )?,
        Format::Text => {
            writeln!(out, "{}  {} ({})", case.id, line(&case.title), case.status)?;
            for item in &advice {
                writeln!(out, "- {}: {}", line(&item.what), line(&item.why))?;
                if let Some(command) = &item.command {
                    writeln!(out, "    {command}")?;
                }
            }
        }
    }
    Ok(EXIT_OK)
}
