//! Argument groups more than one command takes, and the value parser for
//! caselog's closed word sets. Each command's own arguments live in its
//! file; clap stops at this layer.

use std::collections::BTreeSet;
use std::str::FromStr;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::Result;
use chrono::{DateTime, Utc};
use clap::Args;
use clap::builder::{PossibleValuesParser, TypedValueParser};

use super::Session;
use crate::case::{Case, Severity, Status, WaitingOn};
use crate::practice::filter::Filter;
use crate::time::{self, When};

/// A value parser for a closed set of words, so help and completions list them.
pub fn words<T>(words: &'static [&'static str]) -> impl TypedValueParser<Value = T>
where
    T: FromStr<Err = String> + Clone + Send + Sync + 'static,
{
    PossibleValuesParser::new(words).try_map(|s| s.parse::<T>())
}

/// The acting person, for commands that change a case.
#[derive(Debug, Args)]
pub struct ByArg {
    /// Who is acting [default: $CASELOG_USER, else git's user.email]
    #[arg(long, value_name = "PERSON")]
    pub by: Option<String>,
}

/// The override for a known false positive of the card-number check,
/// for commands that write text.
#[derive(Debug, Args)]
pub struct CardArg {
    /// Write the text even though it holds what looks like a payment card
    /// number (13–19 digits passing the Luhn check), for a known false
    /// positive such as a tracking number; recorded on the event, masked
    #[arg(long)]
    pub allow_card_like_number: bool,
}

/// Which cases to keep: one group `list`, `due`, `report` and `export`
/// take, turned into a [`Filter`] here.
#[derive(Debug, Args)]
pub struct FilterArgs {
    /// Only cases with this status; repeat for several
    #[arg(long, value_name = "STATUS", value_parser = words::<Status>(Status::WORDS))]
    pub status: Vec<Status>,
    /// Only cases in this category
    #[arg(long, add = clap_complete::ArgValueCompleter::new(super::completions::categories))]
    pub category: Option<String>,
    /// Only cases assigned to this person
    #[arg(
        long,
        value_name = "PERSON",
        conflicts_with_all = ["mine", "unassigned"],
        add = clap_complete::ArgValueCompleter::new(super::completions::people)
    )]
    pub assignee: Option<String>,
    /// Only cases assigned to the acting person ($CASELOG_USER, else git's user.email)
    #[arg(long, conflicts_with = "unassigned")]
    pub mine: bool,
    /// Only cases assigned to nobody
    #[arg(long)]
    pub unassigned: bool,
    /// Only cases whose customer name, contact or reference holds this text
    /// (any letter case)
    #[arg(long, value_name = "TEXT")]
    pub customer: Option<String>,
    /// Only cases of this severity; repeat for several
    #[arg(long, value_name = "SEVERITY", value_parser = words::<Severity>(Severity::WORDS))]
    pub severity: Vec<Severity>,
    /// Only cases with this tag; repeat for any of several
    #[arg(long, value_name = "TAG", add = clap_complete::ArgValueCompleter::new(super::completions::tags))]
    pub tag: Vec<String>,
    /// Only cases opened at or after this time, or this long ago (30d)
    #[arg(long, value_name = "WHEN")]
    pub opened_since: Option<String>,
    /// Only cases opened before this time, or this long ago
    #[arg(long, value_name = "WHEN")]
    pub opened_until: Option<String>,
    /// Only cases with a deadline due or past
    #[arg(long)]
    pub overdue: bool,
    /// Only cases waiting on the customer or on a third party
    #[arg(long, value_name = "WHOM", value_parser = words::<WaitingOn>(WaitingOn::WORDS))]
    pub waiting_on: Option<WaitingOn>,
}

impl FilterArgs {
    /// The filter these flags ask for, as of the session's now (and its
    /// acting person, for --mine).
    pub fn filter(&self, session: &Session) -> Result<Filter> {
        let now = session.now()?;
        let when = |flag: &str, text: &Option<String>| -> Result<Option<DateTime<Utc>>> {
            Ok(match text.as_deref() {
                None => None,
                Some(text) => Some(match time::parse_when(flag, text, session.zone())? {
                    When::Span(span) => span.before(now, session.zone()),
                    When::At(at) => at,
                }),
            })
        };
        let assignee = match (&self.assignee, self.mine) {
            (_, true) => Some(session.person(None)?),
            (Some(person), false) => {
                session.check_person(person, "--assignee")?;
                Some(person.trim().to_string())
            }
            (None, false) => None,
        };
        Ok(Filter {
            statuses: self.status.clone(),
            category: self.category.clone(),
            assignee,
            unassigned: self.unassigned,
            customer: self.customer.clone().filter(|c| !c.trim().is_empty()),
            severities: self.severity.clone(),
            tags: self.tag.clone(),
            opened_since: when("--opened-since", &self.opened_since)?,
            opened_until: when("--opened-until", &self.opened_until)?,
            overdue: self.overdue,
            waiting_on: self.waiting_on,
        })
    }
}

/// Watches a pass over the log for the person a filter keeps the cases of
/// (`--assignee`, `due --for`): a name no case has ever mentioned is
/// likely a typo (in a crontab, it would stay silent), said on stderr once
/// the pass is over, with the closest name the cases do mention. It never
/// fails the command: the answer (nothing) is right for the name asked.
pub struct PersonCheck {
    /// The name, and the flag it came from; `None` when there is nothing
    /// to check (no such filter, or `--mine`).
    person: Option<(String, &'static str)>,
    named: AtomicBool,
    names: Mutex<BTreeSet<String>>,
}

impl PersonCheck {
    /// For the person `filter` keeps, named by `flag` (unless `--mine`,
    /// the acting person, who may have no case yet).
    pub fn new(filter: &Filter, args: &FilterArgs, flag: &'static str) -> PersonCheck {
        PersonCheck {
            person: filter
                .assignee
                .clone()
                .filter(|_| !args.mine)
                .map(|person| (person, flag)),
            named: AtomicBool::new(false),
            names: Mutex::new(BTreeSet::new()),
        }
    }

    /// Whether the check must see every case whole: a person may be
    /// named only in an event.
    pub fn sees_every_case(&self) -> bool {
        self.person.is_some()
    }

    /// Notes whether `case` names the person, and else whom it names.
    pub fn see(&self, case: &Case) {
        let Some((person, _)) = &self.person else {
            return;
        };
        if case.names(person) {
            self.named.store(true, Ordering::Relaxed);
        } else if !self.named.load(Ordering::Relaxed) {
            let mut names = self.names.lock().unwrap_or_else(|e| e.into_inner());
            names.extend(case.people().map(str::to_string));
        }
    }

    /// Says so when no case seen named the person.
    pub fn finish(self) {
        let Some((person, flag)) = self.person else {
            return;
        };
        if self.named.into_inner() {
            return;
        }
        let names = self.names.into_inner().unwrap_or_else(|e| e.into_inner());
        let hint = crate::words::closest(&person, names.iter().map(String::as_str))
            .map(|close| format!("; did you mean {close}?"))
            .unwrap_or_default();
        super::say(&format!("no case has ever named '{person}' ({flag}){hint}"));
    }
}
