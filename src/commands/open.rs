//! `caselog open`: record a new complaint and print only its id, so
//! `id=$(caselog open …)` works in scripts.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Result, bail};
use clap::Args;

use super::args::{ByArg, CardArg, words};
use super::{Session, input};
use crate::case::card;
use crate::case::id::CaseId;
use crate::case::lifecycle::{self, NewComplaint};
use crate::case::{Case, Channel, Severity};
use crate::error::EXIT_OK;
use crate::learning::similar as learning;

/// Record a new complaint; prints only the new id
///
/// The complaint summary, in the customer's words, comes from --summary,
/// --summary-file, standard input, or $VISUAL/$EDITOR at a terminal. On
/// stderr, it names the customer's earlier cases (same --reference, else
/// same --contact) and the most similar cases, as `caselog similar` does.
#[derive(Debug, Args)]
pub struct OpenArgs {
    /// A one-line title
    #[arg(long)]
    pub title: String,
    /// The customer's name
    #[arg(long, value_name = "NAME")]
    pub customer: String,
    /// How to reach the customer (email address, phone number…)
    #[arg(long, value_name = "CONTACT")]
    pub contact: Option<String>,
    /// An account or order number; finds repeat customers
    #[arg(long, value_name = "REF")]
    pub reference: Option<String>,
    /// How the customer prefers to be contacted
    #[arg(long, value_name = "HOW", value_parser = words::<Channel>(Channel::WORDS))]
    pub preferred_contact: Option<Channel>,
    /// How the complaint reached us
    #[arg(long, value_name = "CHANNEL", default_value = "other", value_parser = words::<Channel>(Channel::WORDS))]
    pub channel: Channel,
    /// The category (from caselog.toml's list, when it has one)
    #[arg(long)]
    pub category: Option<String>,
    /// How much it hurts the customer or the business
    #[arg(long, default_value = "normal", value_parser = words::<Severity>(Severity::WORDS))]
    pub severity: Severity,
    /// A tag; repeat for several
    #[arg(long = "tag", value_name = "TAG")]
    pub tags: Vec<String>,
    /// The remedy the customer asks for
    #[arg(long, value_name = "REMEDY")]
    pub wants: Option<String>,
    /// Who handles the case
    #[arg(long, value_name = "PERSON")]
    pub assignee: Option<String>,
    /// The complaint in the customer's words
    #[arg(long, value_name = "TEXT", conflicts_with = "summary_file")]
    pub summary: Option<String>,
    /// Read the summary from a file ('-' for standard input)
    #[arg(long, value_name = "FILE")]
    pub summary_file: Option<PathBuf>,
    /// Print only the id: skip the hints on stderr about the customer's
    /// earlier cases and similar cases (and the pass over every case they take)
    #[arg(long, short)]
    pub quiet: bool,
    #[command(flatten)]
    pub card: CardArg,
    #[command(flatten)]
    pub by: ByArg,
}

/// How many similar cases `open` mentions, and how alike they must be.
const SIMILAR_HINTS: usize = 3;
const SIMILAR_ENOUGH: f64 = 0.2;

/// Random suffixes make a clash rare; a few retries make it harmless.
const ID_ATTEMPTS: usize = 8;

pub fn run(session: &Session, args: OpenArgs, out: &mut dyn Write) -> Result<u8> {
    let store = session.store()?;
    let settings = session.settings()?;
    let stamp = session.stamp(args.by.by.as_deref())?;
    settings.check_new_case(args.category.as_deref(), args.assignee.as_deref())?;
    let limit = settings.max_text_bytes;
    let summary = match (args.summary, &args.summary_file) {
        (Some(text), _) => input::within(text, "the complaint summary", limit)?,
        (None, Some(path)) => {
            input::without_final_newline(input::file_text(path, "the complaint summary", limit)?)
        }
        (None, None) => input::missing_text(
            "the complaint summary",
            "Record the complaint in the customer's words.",
            "give --summary TEXT or --summary-file FILE, or pipe it in",
            limit,
        )?,
    };
    let complaint = NewComplaint {
        title: args.title,
        customer: args.customer,
        contact: args.contact,
        reference: args.reference,
        preferred_contact: args.preferred_contact,
        channel: args.channel,
        category: args.category,
        severity: args.severity,
        tags: args.tags,
        wants: args
            .wants
            .map(|w| input::within(w, "what the customer wants", limit))
            .transpose()?,
        assignee: args.assignee,
        summary,
    };
    for _ in 0..ID_ATTEMPTS {
        let case = lifecycle::open(CaseId::generate(stamp.at)?, complaint.clone(), &stamp)?;
        let case = card::guard(None, case, args.card.allow_card_like_number)?;
        if store.create(&case)? {
            writeln!(out, "{}", case.id)?;
            out.flush()?;
            if !args.quiet {
                hint(session, &case);
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
pub(super) fn hint(session: &Session, case: &Case) {
    // The case is written by now: a failure here only loses the hints.
    let Ok(store) = session.store() else { return };
    let Ok(((earlier, similar), _)) = session.ask_search_index(|index| {
        Ok((
            learning::earlier_in(index, case)?,
            learning::similar(index, case, SIMILAR_HINTS, false)?,
        ))
    }) else {
        return;
    };
    if !earlier.is_empty() {
        let ids: Vec<&str> = earlier.iter().map(|e| e.id.as_str()).collect();
        super::say(&format!(
            "this customer complained before ({}): {}",
            crate::words::count(ids.len(), "earlier case"),
            ids.join(", ")
        ));
    }
    let matches: Vec<_> = similar
        .into_iter()
        .filter(|m| m.similarity >= SIMILAR_ENOUGH)
        .collect();
    if matches.is_empty() {
        return;
    }
    let (found, _) = super::similar::shown(store, matches);
    let listed: Vec<String> = found
        .iter()
        .map(|s| format!("{} ({})", s.id, super::similar::ending(s)))
        .collect();
    if !listed.is_empty() {
        super::say(&format!(
            "similar cases: {}; `caselog similar {}` shows how they were resolved",
            listed.join(", "),
            case.id
        ));
    }
}
