//! `caselog next`: what the handling practice says to do next on a case,
//! each line with its reason.

use std::io::Write;

use anyhow::Result;
use serde::Serialize;

use super::Session;
use super::args::words;
use super::suggest::either;
use crate::error::EXIT_OK;
use crate::practice::next::{self as practice, Advice};
use crate::untrusted::line;
use crate::words::word_enum;
use clap::Args;

word_enum!(
    /// How `next` prints its advice.
    Format, "format" {
        Text => "text",
        Json => "json",
    }
);

/// What to do next on a case, by the handling practice, each with why
///
/// Derived from the case's status, events and deadlines: a reply not yet
/// sent, steps not taken (summarising back, apologising…), solutions to
/// propose or agree, the follow-up to make, a customer not satisfied.
#[derive(Debug, Args)]
pub struct NextArgs {
    /// The case: its id, or a unique prefix or suffix of it
    #[arg(add = clap_complete::ArgValueCompleter::new(super::completions::case_ids))]
    pub id: String,
    #[arg(long, default_value = "text", value_parser = words::<Format>(Format::WORDS))]
    pub format: Format,
}

#[derive(Serialize)]
struct Next<'a> {
    id: &'a str,
    status: &'a str,
    next: Vec<Item<'a>>,
}

/// One piece of advice as `--format json` shows it.
#[derive(Serialize)]
struct Item<'a> {
    action: &'static str,
    what: &'a str,
    why: &'a str,
    /// The command line that records it, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    command: Option<String>,
}

pub fn run(session: &Session, args: NextArgs, out: &mut dyn Write) -> Result<u8> {
    let case = session.store()?.load(&args.id)?.case;
    let advice = practice::next_steps(&case, session.settings()?, session.now()?, session.zone());
    let items: Vec<Item> = advice
        .iter()
        .map(|a: &Advice| Item {
            action: a.action,
            what: &a.what,
            why: &a.why,
            command: either(&a.steps),
        })
        .collect();
    match args.format {
        Format::Json => super::json::write(
            out,
            &Next {
                id: case.id.as_str(),
                status: case.status.as_str(),
                next: items,
            },
        )?,
        Format::Text => {
            writeln!(out, "{}  {} ({})", case.id, line(&case.title), case.status)?;
            for item in &items {
                writeln!(out, "- {}: {}", line(item.what), line(item.why))?;
                if let Some(command) = &item.command {
                    writeln!(out, "    {command}")?;
                }
            }
        }
    }
    Ok(EXIT_OK)
}
