//! `caselog open`: record a new complaint and print only its id, so
//! `id=$(caselog open …)` works in scripts.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Result, bail};

use super::{Session, input};
use crate::case::{Case, Channel, Severity};
use crate::error::EXIT_OK;
use crate::id::CaseId;
use crate::learning;
use crate::lifecycle::{self, NewComplaint};
use crate::store::CaseLog;

pub struct Request {
    pub title: String,
    pub customer: String,
    pub contact: Option<String>,
    pub reference: Option<String>,
    pub preferred_contact: Option<Channel>,
    pub channel: Channel,
    pub category: Option<String>,
    pub severity: Severity,
    pub tags: Vec<String>,
    pub wants: Option<String>,
    pub assignee: Option<String>,
    pub summary: Option<String>,
    pub summary_file: Option<PathBuf>,
    /// Whether to look for the customer's earlier cases and similar ones.
    pub hints: bool,
    pub by: Option<String>,
}

/// How many similar cases `open` mentions, and how alike they must be.
const SIMILAR_HINTS: usize = 3;
const SIMILAR_ENOUGH: f64 = 0.2;

/// Random suffixes make a clash rare; a few retries make it harmless.
const ID_ATTEMPTS: usize = 8;

pub fn run(session: &Session, request: Request, out: &mut dyn Write) -> Result<u8> {
    let log = session.log()?;
    let settings = session.settings(&log)?;
    let stamp = session.stamp(&log, request.by.as_deref())?;
    if let Some(category) = &request.category {
        settings.check_category(category)?;
    }
    let summary = match (request.summary, &request.summary_file) {
        (Some(text), _) => text,
        (None, Some(path)) => input::file_text(path, "the complaint summary")?,
        (None, None) => input::missing_text(
            "the complaint summary",
            "Record the complaint in the customer's words.",
            "give --summary TEXT or --summary-file FILE, or pipe it in",
        )?,
    };
    let complaint = NewComplaint {
        title: request.title,
        customer: request.customer,
        contact: request.contact,
        reference: request.reference,
        preferred_contact: request.preferred_contact,
        channel: request.channel,
        category: request.category,
        severity: request.severity,
        tags: request.tags,
        wants: request.wants,
        assignee: request.assignee,
        summary,
    };
    for _ in 0..ID_ATTEMPTS {
        let case = lifecycle::open(CaseId::generate(stamp.at)?, complaint.clone(), &stamp)?;
        if log.create(&case)? {
            writeln!(out, "{}", case.id)?;
            out.flush()?;
            if request.hints {
                hint(&log, &case);
            }
            return Ok(EXIT_OK);
        }
    }
    bail!("found no free case id in {ID_ATTEMPTS} tries; nothing was written")
}

/// Tells the person recording a complaint, on stderr, what the log already
/// knows: the customer's earlier cases and the cases most like this one.
/// The case is written by then; a file that cannot be read here is left
/// to `caselog check`.
fn hint(log: &CaseLog, case: &Case) {
    let (learning::Hints { earlier, similar }, _) = learning::hints(log, case, SIMILAR_HINTS);
    if !earlier.is_empty() {
        let ids: Vec<&str> = earlier.iter().map(|e| e.id.as_str()).collect();
        let count = ids.len();
        eprintln!(
            "caselog: this customer complained before ({count} earlier case{}): {}",
            if count == 1 { "" } else { "s" },
            ids.join(", ")
        );
    }
    let matches: Vec<_> = similar
        .into_iter()
        .filter(|m| m.similarity >= SIMILAR_ENOUGH)
        .collect();
    if matches.is_empty() {
        return;
    }
    let (found, _) = super::similar::shown(log, matches);
    let listed: Vec<String> = found
        .iter()
        .map(|s| format!("{} ({})", s.id, super::similar::ending(s)))
        .collect();
    if !listed.is_empty() {
        eprintln!(
            "caselog: similar cases: {}; `caselog similar {}` shows how they were resolved",
            listed.join(", "),
            case.id
        );
    }
}
