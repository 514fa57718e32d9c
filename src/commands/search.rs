//! `caselog search QUERY`: full-text search over every case's title,
//! complaint, notes and customer, ranked, with a snippet of each hit.

use std::collections::HashSet;
use std::io::Write;

use anyhow::Result;
use clap::Args;
use serde::Serialize;

use super::Session;
use super::args::{FilterArgs, PersonCheck, words};
use super::terminal::{Terminal, Tint};
use crate::error::EXIT_OK;
use crate::practice::filter::Filter;
use crate::store::index::search::query::Query;
use crate::store::index::search::{self, Weights};
use crate::untrusted::line;
use crate::words::word_enum;

word_enum!(
    /// How `search` prints what it found.
    Format, "format" {
        Text => "text",
        Json => "json",
    }
);

/// How the columns weigh when searching: the complaint and notes as much
/// as the title, the customer's name and contact a little less.
const WEIGHTS: Weights = [1.0, 1.0, 1.0, 0.8];

/// Search every case's words
///
/// QUERY is words (any form of a word matches: "refunds" finds "refund"),
/// "a phrase", prefix*, AND, OR, NOT, parentheses and NEAR(a b, N); a
/// column may be named: title:, summary:, notes:, customer:. A word with
/// punctuation (A-1001, maria@example.com) is found as typed. At most 64
/// words. Hits are ranked (bm25: rare words count most), each with a
/// snippet of where the words are. The filters are those of `caselog
/// list`. Prints nothing when nothing matches.
#[derive(Debug, Args)]
pub struct SearchArgs {
    /// What to look for
    // A query may start with '-' (-notes:refund): a value, not an option.
    #[arg(allow_hyphen_values = true)]
    pub query: String,
    #[command(flatten)]
    pub filter: FilterArgs,
    /// Show at most this many
    #[arg(long, default_value_t = 20, value_name = "N")]
    pub limit: usize,
    #[arg(long, default_value = "text", value_parser = words::<Format>(Format::WORDS))]
    pub format: Format,
}

/// One hit as shown.
#[derive(Debug, Serialize)]
struct Hit {
    id: String,
    /// bm25 (higher is better).
    score: f64,
    title: String,
    status: String,
    opened_at: String,
    /// Where the words are, with each found word in `[` `]`.
    snippet: String,
}

pub fn run(session: &Session, args: SearchArgs, out: &mut dyn Write) -> Result<u8> {
    let query = Query::read(&args.query)?;
    let snippets = search::Snippets::for_query(&query)?;
    let store = session.store()?;
    let filter = args.filter.filter(session)?;
    // With filters, the cases they keep, from the facts of every case.
    let allowed: Option<HashSet<String>> = if filter == Filter::default() {
        None
    } else {
        let settings = session.settings()?;
        let now = session.now()?;
        let person_check = PersonCheck::new(&filter, &args.filter, "--assignee");
        let scan = session.every_case(|case| {
            person_check.see(case);
            filter
                .keeps(case, settings, now)
                .then(|| case.id.to_string())
        })?;
        person_check.finish();
        Some(scan.cases.into_iter().collect())
    };
    let wanted = args.limit;
    // Ranked hits, past the filter, until enough are kept.
    let (hits, errors) = session.ask_search_index(|index| {
        let mut asked = wanted.max(20);
        loop {
            let ranked = index.ranked(query.fts5(), WEIGHTS, asked)?;
            let exhausted = ranked.len() < asked;
            let kept: Vec<_> = ranked
                .into_iter()
                .filter(|r| allowed.as_ref().is_none_or(|ids| ids.contains(&r.doc.id)))
                .take(wanted)
                .collect();
            if kept.len() >= wanted || exhausted {
                return Ok(kept);
            }
            asked = asked.saturating_mul(4);
        }
    })?;
    let unreadable = session.tally(&errors);
    let mut shown = Vec::with_capacity(hits.len());
    let mut opened_dates = Vec::with_capacity(hits.len());
    let mut marked_snippets = Vec::with_capacity(hits.len());
    for hit in hits {
        let opened = chrono::DateTime::from_timestamp(hit.doc.opened_at, 0).unwrap_or_default();
        opened_dates.push(session.zone().date(opened));
        let snippet = match store
            .path_of_key(&hit.doc.key)
            .and_then(|path| store.read(&path))
        {
            Ok(stored) => snippets.of(&stored.case).unwrap_or_default(),
            Err(e) => {
                super::warn(&e);
                String::new()
            }
        };
        shown.push(Hit {
            id: hit.doc.id,
            score: (hit.score * 1000.0).round() / 1000.0,
            title: hit.doc.title,
            status: hit.doc.status.to_string(),
            opened_at: crate::case::Timestamp(opened).to_rfc3339(),
            snippet: snippet
                .replace(search::FOUND_START, "[")
                .replace(search::FOUND_END, "]"),
        });
        marked_snippets.push(snippet);
    }
    match args.format {
        Format::Json => super::json::write(out, &shown)?,
        Format::Text => {
            let terminal = session.terminal();
            for ((hit, opened), snippet) in shown.iter().zip(&opened_dates).zip(&marked_snippets) {
                writeln!(
                    out,
                    "{}  {}  {}  {}",
                    hit.id,
                    opened,
                    hit.status,
                    line(&hit.title)
                )?;
                if !snippet.is_empty() {
                    writeln!(out, "    {}", shown_snippet(snippet, terminal))?;
                }
            }
        }
    }
    Ok(if unreadable > 0 {
        crate::error::EXIT_INPUT
    } else {
        EXIT_OK
    })
}

/// A snippet for people, made safe: each found word in bold where colour
/// shows (which case text cannot fake), else between `[` `]`.
fn shown_snippet(marked: &str, terminal: &Terminal) -> String {
    let mut out = String::with_capacity(marked.len() + 8);
    // Case text brings no mark, so found words are every other piece.
    for (i, piece) in marked
        .split([search::FOUND_START, search::FOUND_END])
        .enumerate()
    {
        let piece = line(piece);
        if i % 2 == 0 {
            out.push_str(&piece);
        } else if terminal.colour() {
            terminal.paint_into(&mut out, Some(Tint::Found), &piece);
        } else {
            out.push('[');
            out.push_str(&piece);
            out.push(']');
        }
    }
    out
}
