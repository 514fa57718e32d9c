//! `caselog open`: record a new complaint and print only its id, so
//! `id=$(caselog open …)` works in scripts.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Result, bail};

use super::{Session, input};
use crate::case::{Channel, Severity};
use crate::error::EXIT_OK;
use crate::id::CaseId;
use crate::lifecycle::{self, NewComplaint};

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
    pub by: Option<String>,
}

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
            return Ok(EXIT_OK);
        }
    }
    bail!("found no free case id in {ID_ATTEMPTS} tries; nothing was written")
}
