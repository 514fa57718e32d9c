//! `caselog similar`: earlier cases like this one, with how they were
//! resolved and whether the customer was satisfied, so the person handling
//! it starts from what worked.

use std::io::Write;

use anyhow::Result;
use serde::Serialize;

use super::{Session, report_error};
use crate::case::{Action, Case, Outcome, Status};
use crate::error::{EXIT_INPUT, EXIT_OK};
use crate::learning::{self, Match};
use crate::store::CaseLog;
use crate::terminal::line;
use crate::words::word_enum;

word_enum!(
    /// How `similar` prints what it found.
    Format, "format" {
        Text => "text",
        Json => "json",
    }
);

pub struct Request {
    pub id: String,
    pub limit: usize,
    pub format: Format,
}

/// A similar case as shown: how it ended is the point.
#[derive(Debug, Serialize)]
pub struct Shown {
    pub id: String,
    /// Text similarity to the case asked about, 0 to 1.
    pub similarity: f64,
    pub same_category: bool,
    pub title: String,
    pub status: Status,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resolution: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outcome: Option<Outcome>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub redress: Option<String>,
    /// The customer's answer at the follow-up, if one was given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub satisfied: Option<bool>,
}

/// Reads each match whole, for what it shows. A match that cannot be read
/// now (changed since the pass) is reported and left out.
pub fn shown(log: &CaseLog, matches: Vec<Match>) -> (Vec<Shown>, Vec<anyhow::Error>) {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for m in matches {
        match log.read(&m.path) {
            Ok(stored) => out.push(describe(&m, stored.case)),
            Err(e) => errors.push(e),
        }
    }
    (out, errors)
}

fn describe(m: &Match, case: Case) -> Shown {
    let satisfied = case
        .events
        .iter()
        .rev()
        .find(|e| e.action == Action::FollowedUp)
        .and_then(|e| e.satisfied);
    let resolution = case.resolution;
    Shown {
        id: m.id.clone(),
        similarity: (m.similarity * 100.0).round() / 100.0,
        same_category: m.same_category,
        title: case.title,
        status: case.status,
        category: case.category,
        outcome: resolution.as_ref().and_then(|r| r.outcome),
        redress: resolution.as_ref().and_then(|r| r.redress.clone()),
        resolution: resolution.map(|r| r.summary),
        satisfied,
    }
}

/// How a similar case ended, in a few words.
pub fn ending(case: &Shown) -> String {
    let answer = match case.satisfied {
        Some(true) => ", customer satisfied",
        Some(false) => ", customer not satisfied",
        None => "",
    };
    let outcome = case.outcome.map(|o| format!(", {o}")).unwrap_or_default();
    format!("{}{outcome}{answer}", case.status)
}

pub fn run(session: &Session, request: Request, out: &mut dyn Write) -> Result<u8> {
    let log = session.log()?;
    let case = log.load(&request.id)?.case;
    let (matches, mut errors) = learning::similar(&log, &case, request.limit);
    let (found, more) = shown(&log, matches);
    errors.extend(more);
    for err in &errors {
        report_error(err);
    }
    match request.format {
        Format::Json => super::json::write(out, &found)?,
        Format::Text => {
            for similar in &found {
                writeln!(
                    out,
                    "{}  {:>3.0}%  {}{}",
                    similar.id,
                    similar.similarity * 100.0,
                    line(&similar.title),
                    if similar.same_category {
                        "  (same category)"
                    } else {
                        ""
                    }
                )?;
                writeln!(out, "    {}", ending(similar))?;
                if let Some(summary) = &similar.resolution {
                    let first = summary.lines().next().unwrap_or_default();
                    writeln!(out, "    resolved: {}", line(first))?;
                }
                if let Some(redress) = &similar.redress {
                    writeln!(out, "    redress: {}", line(redress))?;
                }
            }
        }
    }
    Ok(if errors.is_empty() {
        EXIT_OK
    } else {
        EXIT_INPUT
    })
}
