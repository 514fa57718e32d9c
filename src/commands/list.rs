//! `caselog list`: a filtered table of cases, or JSON for programs.
//!
//! A file that cannot be read is reported on stderr and sets the exit
//! code, but does not hide the other cases. No match prints nothing.

use std::io::{IsTerminal, Write};

use anyhow::Result;
use comfy_table::{ContentArrangement, Table, presets};

use super::Session;
use super::args::{FilterArgs, words};
use crate::case::{Case, FollowUpState, Status, Void};
use crate::practice::deadlines;
use crate::practice::filter::{self, Sort};
use crate::settings::Settings;
use crate::untrusted::line;
use crate::words::word_enum;
use clap::Args;

word_enum!(
    /// How `list` prints cases.
    Format, "format" {
        Table => "table",
        Json => "json",
    }
);

/// List cases as a table (prints nothing when none match)
///
/// Filters narrow the list (repeating one widens it: --status open --status
/// waiting). --sort puts first what needs attention first: the oldest
/// opened, the longest untouched (updated), the earliest pending deadline
/// (due), or the most severe; --reverse turns it round.
#[derive(Debug, Args)]
pub struct ListArgs {
    #[command(flatten)]
    pub filter: FilterArgs,
    /// The order of the cases
    #[arg(long, default_value = "opened", value_parser = words::<Sort>(Sort::WORDS))]
    pub sort: Sort,
    /// Reverse the order
    #[arg(long)]
    pub reverse: bool,
    /// Show at most this many cases
    #[arg(long, value_name = "N")]
    pub limit: Option<usize>,
    #[arg(long, default_value = "table", value_parser = words::<Format>(Format::WORDS))]
    pub format: Format,
}

pub fn run(session: &Session, args: ListArgs, out: &mut dyn Write) -> Result<u8> {
    let now = session.now()?;
    let settings = session.settings()?;
    let filter = args.filter.filter(session)?;
    match args.format {
        // Every field, texts too: the files themselves.
        Format::Json => {
            let scan = session
                .every_full_case(|case| filter.keeps(&case, settings, now).then_some(case))?;
            let code = scan.exit_code();
            let mut cases = scan.cases;
            filter::sort(&mut cases, args.sort, args.reverse, settings, now);
            if let Some(limit) = args.limit {
                cases.truncate(limit);
            }
            super::json::write(out, &cases)?;
            Ok(code)
        }
        // One row per case, made as the case is read: a table of 100,000
        // cases holds their cells, not the cases.
        Format::Table => {
            let scan = session.every_case(|case| {
                filter.keeps(&case, settings, now).then(|| {
                    (
                        filter::sort_key(&case, args.sort, settings, now),
                        row(&case, settings, now),
                    )
                })
            })?;
            let code = scan.exit_code();
            let mut rows = scan.cases;
            rows.sort_by(|a, b| a.0.cmp(&b.0));
            if args.reverse {
                rows.reverse();
            }
            if let Some(limit) = args.limit {
                rows.truncate(limit);
            }
            if !rows.is_empty() {
                let rows: Vec<[String; 10]> = rows.into_iter().map(|(_, row)| row).collect();
                for line in table(rows).lines() {
                    writeln!(out, "{}", line.trim_end())?;
                }
            }
            Ok(code)
        }
    }
}

fn table(rows: Vec<[String; 10]>) -> Table {
    let mut table = Table::new();
    table.load_style(presets::NOTHING);
    if std::io::stdout().is_terminal() {
        table.set_content_arrangement(ContentArrangement::Dynamic);
    }
    table.set_header([
        "ID",
        "STATUS",
        "SEVERITY",
        "OPENED",
        "ASSIGNEE",
        "CATEGORY",
        "CUSTOMER",
        "FOLLOW-UP",
        "OVERDUE",
        "TITLE",
    ]);
    for column in table.column_iter_mut() {
        column.set_padding((0, 2));
    }
    for row in rows {
        table.add_row(row);
    }
    table
}

/// A case's cells in the table.
fn row(case: &Case, settings: &Settings, now: chrono::DateTime<chrono::Utc>) -> [String; 10] {
    {
        let follow_up = match case.follow_up_state(now) {
            Some(FollowUpState::Due { overdue: true, .. }) => "overdue".to_string(),
            Some(FollowUpState::Due { due, .. }) if case.status == Status::Resolved => {
                format!("due {}", due.format("%m-%d"))
            }
            Some(FollowUpState::Done {
                satisfied: Some(true),
            }) => "satisfied".into(),
            Some(FollowUpState::Done {
                satisfied: Some(false),
            }) => "not satisfied".into(),
            Some(FollowUpState::Done { satisfied: None }) => "no answer".into(),
            _ => String::new(),
        };
        let status = match case.void {
            Some(Void::Duplicate) => format!("{} (duplicate)", case.status),
            Some(Void::OpenedInError) => format!("{} (in error)", case.status),
            None => case.status.to_string(),
        };
        [
            case.id.to_string(),
            status,
            case.severity.to_string(),
            case.opened_at.0.format("%Y-%m-%d").to_string(),
            case.assignee
                .as_deref()
                .map(line)
                .unwrap_or_default()
                .into_owned(),
            case.category
                .as_deref()
                .map(line)
                .unwrap_or_default()
                .into_owned(),
            line(&case.customer.name).into_owned(),
            follow_up,
            overdue(case, settings, now),
            line(&case.title).into_owned(),
        ]
    }
}

/// The deadlines a case has missed, most overdue first.
fn overdue(case: &Case, settings: &Settings, now: chrono::DateTime<chrono::Utc>) -> String {
    deadlines::pending(case, settings, now)
        .iter()
        .filter(|d| d.is_due(now))
        .map(|d| d.kind.label())
        .collect::<Vec<_>>()
        .join(", ")
}
