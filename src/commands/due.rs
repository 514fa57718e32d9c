//! `caselog due`: the deadlines that are due, for people and for cron.
//!
//! Prints nothing when nothing is due, because cron mails any output.
//! It reads every case once and never writes.

use std::io::Write;

use anyhow::Result;
use chrono::{DateTime, Utc};
use icalendar::{Calendar, Component, Todo, TodoStatus};
use serde::Serialize;

use super::args::{FilterArgs, PersonCheck, words};
use super::terminal::{columns, pad, pad_into};
use super::{Session, Terminal, Tint};
use crate::case::id::CaseId;
use crate::case::{Case, Glance, Severity, Status};
use crate::error::EXIT_OK;
use crate::practice::deadlines::{self, Deadline, Kind};
use crate::time::{Span, format_length};
use crate::untrusted::{block, line};
use crate::words::word_enum;
use clap::Args;

word_enum!(
    /// How `due` prints what is due.
    Format, "format" {
        Text => "text",
        Json => "json",
        Ics => "ics",
    }
);

/// Exit code of `due --exit-code` when something is listed.
pub const EXIT_SOMETHING_DUE: u8 = 1;

const DUE_AFTER_HELP: &str = "\
Deadlines (caselog.toml): first response within first_response_within (24h)
of opening; update the customer every update_every (off unless set) from
the last contact; resolution within resolve_within (14d, or per severity)
of opening or the last reopen, paused while waiting on the customer; the
follow-up at its scheduled time; a wait at its --until; a closed case's
personal data retention (off unless set) after its closing, until it is
redacted (`caselog redact --expired`).

Exit codes:
  0  nothing listed, or something listed without --exit-code
  1  something listed, with --exit-code
  2  bad usage or input, or some case files could not be read
  3  the system failed (I/O, permissions)";

/// List what is due or overdue: the command cron runs
///
/// One line per deadline, most overdue first: the case, what is due, how long
/// overdue or until due, the assignee and the title. Prints nothing at all
/// when nothing is due, so cron mails only when there is work.
#[derive(Debug, Args)]
#[command(after_help = DUE_AFTER_HELP)]
pub struct DueArgs {
    /// Also list what falls due within this long (90m, 2d, 1w)
    #[arg(long, value_name = "DURATION", conflicts_with = "all")]
    pub within: Option<String>,
    /// List every pending deadline, however far off (for a calendar feed)
    #[arg(long)]
    pub all: bool,
    /// Only cases assigned to this person (as --assignee)
    #[arg(
        long = "for",
        value_name = "PERSON",
        conflicts_with_all = ["assignee", "mine", "unassigned"],
        add = clap_complete::ArgValueCompleter::new(super::completions::people)
    )]
    pub person: Option<String>,
    /// Only this kind of deadline; repeat for several
    #[arg(long, value_name = "KIND", value_parser = words::<Kind>(Kind::WORDS))]
    pub kind: Vec<Kind>,
    /// text for people, json for scripts, ics (iCalendar VTODOs) for calendars
    #[arg(long, default_value = "text", value_parser = words::<Format>(Format::WORDS))]
    pub format: Format,
    /// Exit 1 when something is listed, 0 when nothing is (as `git diff --exit-code`)
    #[arg(long)]
    pub exit_code: bool,
    #[command(flatten)]
    pub filter: FilterArgs,
}

/// What the listing shows of a case with something due: at 100,000
/// cases, holding whole cases (their events above all) would be most of
/// the memory.
struct Listed {
    id: CaseId,
    title: Box<str>,
    assignee: Option<Box<str>>,
    customer: Box<str>,
    contact: Option<Box<str>>,
    severity: Severity,
    status: Status,
}

impl Listed {
    fn of(case: &Case) -> Listed {
        Listed {
            id: case.id.clone(),
            title: case.title.as_str().into(),
            assignee: case.assignee.as_deref().map(Into::into),
            customer: case.customer.name.as_str().into(),
            contact: case.customer.contact.as_deref().map(Into::into),
            severity: case.severity,
            status: case.status,
        }
    }
}

/// A deadline of a listed case, with how it stands (`overdue 2d`) when
/// the listing is text: worked out on the reading threads.
struct Due {
    deadline: Deadline,
    state: Box<str>,
}

/// One line of the listing.
struct Item<'c> {
    case: &'c Listed,
    deadline: Deadline,
    state: &'c str,
}

pub fn run(session: &Session, args: DueArgs, out: &mut dyn Write) -> Result<u8> {
    let settings = session.settings()?;
    let now = session.now()?;
    let horizon = match (&args.within, args.all) {
        (_, true) => None,
        (Some(span), false) => Some(span.parse::<Span>()?.after(now, &settings.working_days)),
        (None, false) => Some(now),
    };
    let mut filter = args.filter.filter(session)?;
    if let Some(person) = &args.person {
        session.check_person(person, "--for")?;
        filter.assignee = Some(person.trim().to_string());
    }
    let flag = if args.person.is_some() {
        "--for"
    } else {
        "--assignee"
    };
    let person_check = PersonCheck::new(&filter, &args.filter, flag);
    // Only the cases with something to list are kept, with what is due;
    // the rest (most are closed) are passed over at a glance.
    let wants =
        |case: &Glance| person_check.sees_every_case() || deadlines::may_be_pending(case, settings);
    let scan = session.every_case_where(wants, |case| {
        person_check.see(case);
        if !filter.keeps(case, settings, now) {
            return None;
        }
        let due: Box<[Due]> = deadlines::pending(case, settings, now)
            .into_iter()
            // A paused deadline (waiting on the customer) cannot fall due.
            .filter(|d| !d.paused)
            .filter(|d| args.kind.is_empty() || args.kind.contains(&d.kind))
            .filter(|d| horizon.is_none_or(|h| d.due <= h))
            .map(|deadline| Due {
                state: match args.format {
                    Format::Text => state(&deadline, now).into(),
                    Format::Json | Format::Ics => "".into(),
                },
                deadline,
            })
            .collect();
        (!due.is_empty()).then(|| (Listed::of(case), due))
    })?;
    person_check.finish();
    let mut items: Vec<Item> = scan
        .cases
        .iter()
        .flat_map(|(case, due)| {
            due.iter().map(move |due| Item {
                case,
                deadline: due.deadline,
                state: &due.state,
            })
        })
        .collect();
    items.sort_by(|a, b| {
        (a.deadline.due, &a.case.id, a.deadline.kind).cmp(&(
            b.deadline.due,
            &b.case.id,
            b.deadline.kind,
        ))
    });

    match args.format {
        Format::Text => write_text(out, &items, now, session.terminal())?,
        Format::Json => {
            let rows: Vec<JsonItem> = items.iter().map(|i| JsonItem::new(i, now)).collect();
            super::json::write(out, &rows)?;
        }
        Format::Ics => write!(out, "{}", calendar(&items, now))?,
    }
    let something_due = !items.is_empty();
    drop(items);
    Ok(match scan.finish() {
        EXIT_OK if args.exit_code && something_due => EXIT_SOMETHING_DUE,
        code => code,
    })
}

/// `overdue 1d 2h`, `due now`, or `due in 5h`.
fn state(deadline: &Deadline, now: DateTime<Utc>) -> String {
    if deadline.due == now {
        "due now".to_string()
    } else if deadline.due < now {
        format!("overdue {}", format_length(now - deadline.due))
    } else {
        format!("due in {}", format_length(deadline.due - now))
    }
}

/// The colour of a deadline's state: red once due, yellow within a day.
fn tint(deadline: &Deadline, now: DateTime<Utc>) -> Option<Tint> {
    if deadline.due <= now {
        Some(Tint::Overdue)
    } else if deadline.due - now <= chrono::Duration::days(1) {
        Some(Tint::DueSoon)
    } else {
        None
    }
}

fn write_text(
    out: &mut dyn Write,
    items: &[Item],
    now: DateTime<Utc>,
    terminal: &Terminal,
) -> Result<()> {
    // Widths first, then each line as it is written: 50,000 lines need
    // not be held as cells. Both on every core.
    // Measured in columns: an assignee may be written in a script whose
    // characters take two, or hold an accent that takes none.
    let widths = super::lines::widest(items, [0; 4], |item| {
        [
            columns(item.case.id.as_str()),
            columns(item.deadline.kind.label()),
            columns(item.state),
            columns(&assignee(item)),
        ]
    });
    super::lines::write(out, items, |item, text| {
        // Made in place: 50,000 lines of cells each in a string of its
        // own cost the listing a third of its time.
        pad_into(text, item.case.id.as_str(), widths[0]);
        text.push_str("  ");
        pad_into(text, item.deadline.kind.label(), widths[1]);
        text.push_str("  ");
        // Padded first, then painted: the colour takes no column.
        match tint(&item.deadline, now) {
            Some(tint) => terminal.paint_into(text, Some(tint), &pad(item.state, widths[2])),
            None => pad_into(text, item.state, widths[2]),
        }
        text.push_str("  ");
        pad_into(text, &assignee(item), widths[3]);
        text.push_str("  ");
        text.push_str(&line(&item.case.title));
        text.push('\n');
    })?;
    Ok(())
}

/// Who the line's case is assigned to, made safe to show.
fn assignee<'c>(item: &Item<'c>) -> std::borrow::Cow<'c, str> {
    item.case
        .assignee
        .as_deref()
        .map_or("(nobody)".into(), line)
}

#[derive(Serialize)]
struct JsonItem<'c> {
    id: &'c str,
    kind: &'static str,
    due: String,
    overdue: bool,
    /// Positive when overdue, negative while there is time left.
    seconds_overdue: i64,
    assignee: Option<&'c str>,
    title: &'c str,
    customer: &'c str,
    severity: &'static str,
    status: &'static str,
}

impl<'c> JsonItem<'c> {
    fn new(item: &Item<'c>, now: DateTime<Utc>) -> JsonItem<'c> {
        JsonItem {
            id: item.case.id.as_str(),
            kind: item.deadline.kind.as_str(),
            due: crate::case::Timestamp(item.deadline.due).to_rfc3339(),
            overdue: item.deadline.is_due(now),
            seconds_overdue: (now - item.deadline.due).num_seconds(),
            assignee: item.case.assignee.as_deref(),
            title: &item.case.title,
            customer: &item.case.customer,
            severity: item.case.severity.as_str(),
            status: item.case.status.as_str(),
        }
    }
}

/// An iCalendar file with one VTODO per deadline. UIDs come from the case
/// id and the kind, so a subscribed calendar updates items instead of
/// duplicating them.
fn calendar(items: &[Item], now: DateTime<Utc>) -> Calendar {
    let mut calendar = Calendar::new();
    calendar.name("caselog deadlines");
    for item in items {
        let case = item.case;
        let kind = item.deadline.kind;
        let mut description = format!(
            "Case {}: {}\nCustomer: {}",
            case.id, case.title, case.customer
        );
        if let Some(contact) = &case.contact {
            description.push_str(&format!(" ({contact})"));
        }
        description.push_str(&format!(
            "\nSeverity: {}, status: {}",
            case.severity, case.status
        ));
        if let Some(assignee) = &case.assignee {
            description.push_str(&format!("\nAssignee: {assignee}"));
        }
        let mut todo = Todo::new();
        todo.uid(&format!("{}-{}@caselog", case.id, kind))
            .timestamp(now)
            .summary(&line(&format!(
                "{}: {} ({})",
                capitalised(kind.label()),
                case.title,
                case.id
            )))
            .description(&block(&description))
            .priority(priority(case.severity))
            .due(item.deadline.due)
            .status(TodoStatus::NeedsAction);
        calendar.push(todo.done());
    }
    calendar.done()
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// RFC 5545 priority: 1 highest, 9 lowest.
fn priority(severity: Severity) -> u32 {
    match severity {
        Severity::Critical => 1,
        Severity::High => 3,
        Severity::Normal => 5,
        Severity::Low => 9,
    }
}
