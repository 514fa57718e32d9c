//! `caselog similar`: earlier cases like this one, with how they were
//! resolved and whether the customer was satisfied, so the person handling
//! it starts from what worked.

use std::io::Write;

use anyhow::Result;
use serde::Serialize;

use super::Session;
use super::args::words;
use crate::case::{Action, Case, Outcome, Status};
use crate::error::{EXIT_INPUT, EXIT_OK};
use crate::learning::similar::{self as learning, Match};
use crate::store::Store;
use crate::untrusted::line;
use crate::words::word_enum;
use clap::Args;

word_enum!(
    /// How `similar` prints what it found.
    Format, "format" {
        Text => "text",
        Json => "json",
    }
);

/// Cases like this one, and how they ended
///
/// Ranks the cases opened before this one (every other case with --all) by
/// how much their words share this case's title and complaint: bm25 with
/// a stemmer (SQLite FTS5), rare words counting most, the complaint and
/// notes more than the title (a title more than three other cases carry
/// word for word is a label, and left out), with a boost for the same
/// category. Void
/// cases and cases whose complaint is a placeholder ("No narrative") are
/// left out. Shows each one's status, outcome, resolution, redress and
/// whether the customer was satisfied.
#[derive(Debug, Args)]
pub struct SimilarArgs {
    /// The case: its id, or a unique prefix or suffix of it
    #[arg(add = clap_complete::ArgValueCompleter::new(super::completions::case_ids))]
    pub id: String,
    /// Show at most this many
    #[arg(long, default_value_t = 5, value_name = "N")]
    pub limit: usize,
    /// Also cases opened after this one [default: only earlier cases, what
    /// was known when it came in]
    #[arg(long)]
    pub all: bool,
    #[arg(long, default_value = "text", value_parser = words::<Format>(Format::WORDS))]
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
pub fn shown(store: &Store, matches: Vec<Match>) -> (Vec<Shown>, Vec<anyhow::Error>) {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for m in matches {
        match store.path_of_key(&m.key).and_then(|path| store.read(&path)) {
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

pub fn run(session: &Session, args: SimilarArgs, out: &mut dyn Write) -> Result<u8> {
    let store = session.store()?;
    let case = store.load(&args.id)?.case;
    let (matches, mut errors) =
        session.ask_search_index(|index| learning::similar(index, &case, args.limit, args.all))?;
    let (found, more) = shown(store, matches);
    errors.extend(more);
    session.tally(&errors);
    match args.format {
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
