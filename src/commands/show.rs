//! `caselog show`: one case, for a person (text) or a program (toml, json).

use std::io::Write;

use anyhow::Result;
use chrono::{DateTime, Utc};

use super::Session;
use crate::case::{Case, FollowUpState, Status};
use crate::case_file;
use crate::clock::{self, format_length, format_relative, format_time};
use crate::deadlines::{self, Deadline};
use crate::error::EXIT_OK;
use crate::terminal::{block, line};
use crate::words::word_enum;

word_enum!(
    /// How `show` prints a case.
    Format, "format" {
        Text => "text",
        Toml => "toml",
        Json => "json",
    }
);

pub struct Request {
    pub id: String,
    pub format: Format,
}

pub fn run(session: &Session, request: Request, out: &mut dyn Write) -> Result<u8> {
    let log = session.log()?;
    let stored = log.load(&request.id)?;
    match request.format {
        Format::Text => {
            let settings = session.settings(&log)?;
            let pending = deadlines::pending(&stored.case, &settings);
            write_text(out, &stored.case, &pending, clock::now()?)?;
        }
        // Canonical, so every string is escaped: safe for any terminal.
        Format::Toml => write!(out, "{}", case_file::render(&stored.case))?,
        Format::Json => {
            super::json::write(out, &stored.case)?;
        }
    }
    Ok(EXIT_OK)
}

/// One line of the follow-up's state, for `show` and `list`.
pub fn follow_up_line(case: &Case, now: DateTime<Utc>) -> Option<String> {
    Some(match case.follow_up_state(now)? {
        FollowUpState::Due { due, overdue: true } => {
            format!(
                "overdue: was due {} ({})",
                format_time(due),
                format_relative(due, now)
            )
        }
        FollowUpState::Due { due, .. } if case.status == Status::Resolved => {
            format!("due {} ({})", format_time(due), format_relative(due, now))
        }
        FollowUpState::Due { due, .. } => format!("was due {} (not done)", format_time(due)),
        FollowUpState::Done { satisfied } => {
            let answer = match satisfied {
                Some(true) => "customer satisfied",
                Some(false) => "customer not satisfied",
                None => "no answer from the customer",
            };
            let at = case.follow_up.as_ref().and_then(|f| f.done_at).map(|t| t.0);
            format!("done {}: {answer}", at.map(format_time).unwrap_or_default())
        }
    })
}

fn write_text(
    out: &mut dyn Write,
    case: &Case,
    pending: &[Deadline],
    now: DateTime<Utc>,
) -> Result<()> {
    writeln!(out, "{}  {}", case.id, line(&case.title))?;
    writeln!(out)?;
    let opened = case.opened_at.0;
    let mut field = |label: &str, value: &str| writeln!(out, "{label:<16}{value}");
    field("status", case.status.as_str())?;
    field("severity", case.severity.as_str())?;
    field("channel", case.channel.as_str())?;
    if let Some(category) = &case.category {
        field("category", &line(category))?;
    }
    if !case.tags.is_empty() {
        let tags: Vec<_> = case.tags.iter().map(|t| line(t)).collect();
        field("tags", &tags.join(", "))?;
    }
    field(
        "opened",
        &format!(
            "{} by {} ({})",
            format_time(opened),
            line(&case.opened_by),
            format_relative(opened, now)
        ),
    )?;
    field(
        "assignee",
        &case.assignee.as_deref().map_or("(nobody)".into(), line),
    )?;
    let response = match case.first_response() {
        Some(t) => format!(
            "{} ({} after opening)",
            format_time(t),
            format_length(t - opened)
        ),
        None if matches!(case.status, Status::Open | Status::Waiting) => {
            format!("none yet (opened {})", format_relative(opened, now))
        }
        None => "none recorded".to_string(),
    };
    field("first response", &response)?;
    let reopened = case.reopen_count();
    if reopened > 0 {
        field(
            "reopened",
            &format!("{reopened} time{}", if reopened == 1 { "" } else { "s" }),
        )?;
    }
    if let Some(follow_up) = follow_up_line(case, now) {
        field("follow-up", &follow_up)?;
    }
    for (i, deadline) in pending.iter().enumerate() {
        let when = if deadline.is_due(now) {
            format!(
                "OVERDUE since {} ({})",
                format_time(deadline.due),
                format_relative(deadline.due, now)
            )
        } else {
            format!(
                "due {} ({})",
                format_time(deadline.due),
                format_relative(deadline.due, now)
            )
        };
        field(
            if i == 0 { "deadlines" } else { "" },
            &format!("{}: {when}", deadline.kind.label()),
        )?;
    }

    let customer = &case.customer;
    writeln!(out, "\ncustomer        {}", line(&customer.name))?;
    if let Some(contact) = &customer.contact {
        let prefers = customer
            .preferred_contact
            .map(|c| format!(" (prefers {c})"))
            .unwrap_or_default();
        writeln!(out, "                {}{prefers}", line(contact))?;
    } else if let Some(prefers) = customer.preferred_contact {
        writeln!(out, "                prefers {prefers}")?;
    }
    if let Some(reference) = &customer.reference {
        writeln!(out, "                reference {}", line(reference))?;
    }

    writeln!(out, "\ncomplaint")?;
    write_block(out, &case.complaint.summary)?;
    if let Some(wants) = &case.complaint.wants {
        writeln!(out, "wants")?;
        write_block(out, wants)?;
    }

    if let Some(resolution) = &case.resolution {
        let heading = if case.status == Status::Open || case.status == Status::Waiting {
            "previous resolution (since reopened)"
        } else {
            "resolution"
        };
        let agreement = match resolution.agreed {
            Some(true) => "customer agreed",
            Some(false) => "customer did not agree",
            None => "agreement not recorded",
        };
        writeln!(
            out,
            "\n{heading}: {} by {}, {agreement}",
            format_time(resolution.resolved_at.0),
            line(&resolution.resolved_by)
        )?;
        write_block(out, &resolution.summary)?;
    }

    writeln!(out, "\nevents")?;
    for event in &case.events {
        let mut head = format!(
            "  {}  {:<20} {}",
            format_time(event.at.0),
            event.action.as_str(),
            line(&event.by)
        );
        if let Some(to) = &event.to {
            head.push_str(&format!(" → {}", line(to)));
        }
        if let Some(due) = event.due {
            head.push_str(&format!(" (due {})", format_time(due.0)));
        }
        if let Some(satisfied) = event.satisfied {
            head.push_str(if satisfied {
                " (satisfied)"
            } else {
                " (not satisfied)"
            });
        }
        writeln!(out, "{}", head.trim_end())?;
        if let Some(text) = &event.text {
            for text_line in block(text).lines() {
                writeln!(out, "      {text_line}")?;
            }
        }
    }
    Ok(())
}

fn write_block(out: &mut dyn Write, text: &str) -> std::io::Result<()> {
    for text_line in block(text).lines() {
        writeln!(out, "  {text_line}")?;
    }
    Ok(())
}
