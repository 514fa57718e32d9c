//! `caselog list`: a filtered table of cases, or JSON for programs.
//!
//! A file that cannot be read is reported on stderr and sets the exit
//! code, but does not hide the other cases. No match prints nothing.

use std::io::{IsTerminal, Write};

use anyhow::Result;
use comfy_table::{ContentArrangement, Table, presets};

use super::{Session, report_error};
use crate::case::{Case, FollowUpState, Status};
use crate::clock;
use crate::deadlines;
use crate::error::{EXIT_INPUT, EXIT_OK};
use crate::settings::Settings;
use crate::terminal::line;
use crate::words::word_enum;

word_enum!(
    /// How `list` prints cases.
    Format, "format" {
        Table => "table",
        Json => "json",
    }
);

pub struct Request {
    pub filter: Filter,
    pub format: Format,
}

/// Which cases a listing keeps (`list`, `export`).
pub struct Filter {
    /// Keep cases with any of these statuses; all when empty.
    pub statuses: Vec<Status>,
    pub category: Option<String>,
    pub assignee: Option<String>,
}

impl Filter {
    pub fn keeps(&self, case: &Case) -> bool {
        (self.statuses.is_empty() || self.statuses.contains(&case.status))
            && self
                .category
                .as_ref()
                .is_none_or(|c| case.category.as_ref() == Some(c))
            && self
                .assignee
                .as_ref()
                .is_none_or(|a| case.assignee.as_ref() == Some(a))
    }
}

pub fn run(session: &Session, request: Request, out: &mut dyn Write) -> Result<u8> {
    let log = session.log()?;
    let now = clock::now()?;
    let settings = session.settings(&log)?;
    let (mut cases, errors) = log.load_all();
    for err in &errors {
        report_error(err);
    }
    cases.retain(|case| request.filter.keeps(case));
    cases.sort_by(|a, b| a.opened_at.cmp(&b.opened_at).then_with(|| a.id.cmp(&b.id)));

    match request.format {
        Format::Json => {
            super::json::write(out, &cases)?;
        }
        Format::Table if cases.is_empty() => {}
        Format::Table => {
            for row in table(&cases, &settings, now).lines() {
                writeln!(out, "{}", row.trim_end())?;
            }
        }
    }
    Ok(if errors.is_empty() {
        EXIT_OK
    } else {
        EXIT_INPUT
    })
}

fn table(cases: &[Case], settings: &Settings, now: chrono::DateTime<chrono::Utc>) -> Table {
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
    for case in cases {
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
        table.add_row([
            case.id.to_string(),
            case.status.to_string(),
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
        ]);
    }
    table
}

/// The deadlines a case has missed, most overdue first.
fn overdue(case: &Case, settings: &Settings, now: chrono::DateTime<chrono::Utc>) -> String {
    deadlines::pending(case, settings)
        .iter()
        .filter(|d| d.is_due(now))
        .map(|d| d.kind.label())
        .collect::<Vec<_>>()
        .join(", ")
}
