//! `caselog show`: one case, for a person (text) or a program (toml, json).

use std::io::Write;

use anyhow::Result;
use chrono::{DateTime, Utc};

use super::args::words;
use super::{Session, Terminal, Tint};
use crate::case::file;
use crate::case::lifecycle;
use crate::case::{Action, Case, FollowUpState, Status};
use crate::error::EXIT_OK;
use crate::learning::similar::{self as learning, Earlier};
use crate::practice::deadlines::{self, Deadline};
use crate::practice::next as practice;
use crate::time::{Zone, format_length, format_relative, format_time};
use crate::untrusted::{block, line};
use crate::words::word_enum;
use clap::Args;

word_enum!(
    /// How `show` prints a case.
    Format, "format" {
        Text => "text",
        Toml => "toml",
        Json => "json",
    }
);

/// Show one case: for a person (text) or a program (toml, json)
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The case: its id, or a unique prefix or suffix of it
    #[arg(add = clap_complete::ArgValueCompleter::new(super::completions::case_ids))]
    pub id: String,
    #[arg(long, default_value = "text", value_parser = words::<Format>(Format::WORDS))]
    pub format: Format,
}

pub fn run(session: &Session, args: ShowArgs, out: &mut dyn Write) -> Result<u8> {
    let store = session.store()?;
    let stored = store.load(&args.id)?;
    match args.format {
        Format::Text => {
            let pending = deadlines::pending(&stored.case, session.settings()?, session.now()?);
            write_text(
                out,
                &stored.case,
                &pending,
                session.now()?,
                session.zone(),
                session.terminal(),
            )?;
            // Costs a pass over every case; a file that cannot be read
            // there is `caselog check`'s business, not this case's.
            let (earlier, _) = learning::earlier_cases(
                store,
                &stored.case,
                session.use_index(),
                &super::progress::FirstBuild::new(),
            );
            write_earlier(out, &earlier, session.zone())?;
        }
        // Canonical, so every string is escaped: safe for any terminal.
        Format::Toml => write!(out, "{}", file::render(&stored.case))?,
        Format::Json => {
            super::json::write(out, &stored.case)?;
        }
    }
    Ok(EXIT_OK)
}

/// When and by whom a closed case was closed, and why when a reason was
/// given (`close --reason`): the exception on the record, at the top.
fn closed_line(case: &Case, zone: Zone) -> Option<String> {
    if case.status != Status::Closed {
        return None;
    }
    let closed = case
        .events
        .iter()
        .rev()
        .find(|e| e.action == Action::Closed)?;
    let reason = closed
        .text
        .as_deref()
        .map(|text| format!(": {}", line(text)))
        .unwrap_or_default();
    Some(format!(
        "{} by {}{reason}",
        format_time(closed.at.0, zone),
        line(&closed.by)
    ))
}

fn write_text(
    out: &mut dyn Write,
    case: &Case,
    pending: &[Deadline],
    now: DateTime<Utc>,
    zone: Zone,
    terminal: &Terminal,
) -> Result<()> {
    writeln!(out, "{}  {}", case.id, line(&case.title))?;
    writeln!(out)?;
    let opened = case.opened_at.0;
    let mut field = |label: &str, value: &str| writeln!(out, "{label:<16}{value}");
    let status_tint = Tint::status(case.status);
    field(
        "status",
        &terminal.paint(status_tint, &lifecycle::status_words(case)),
    )?;
    if case.status == Status::Waiting
        && let Some(on) = case.waiting_on()
    {
        field("waiting on", lifecycle::waited_on(on))?;
    }
    let severity = terminal.paint_if(Tint::severity(case.severity), case.severity.as_str());
    field("severity", &severity)?;
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
            format_time(opened, zone),
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
            format_time(t, zone),
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
        field("reopened", &crate::words::count(reopened, "time"))?;
    }
    if let Some(follow_up) = lifecycle::follow_up_words(case, now, zone) {
        let overdue = matches!(
            case.follow_up_state(now),
            Some(FollowUpState::Due { overdue: true, .. })
        );
        field(
            "follow-up",
            &terminal.paint_if(overdue.then_some(Tint::Overdue), &follow_up),
        )?;
    }
    if let Some(closed) = closed_line(case, zone) {
        field("closed", &closed)?;
    }
    for (i, deadline) in pending.iter().enumerate() {
        let when = if deadline.paused {
            format!(
                "paused while waiting on the customer ({} left)",
                format_length((deadline.due - now).max(chrono::Duration::zero()))
            )
        } else if deadline.is_due(now) {
            terminal.paint(
                Tint::Overdue,
                &format!(
                    "OVERDUE since {} ({})",
                    format_time(deadline.due, zone),
                    format_relative(deadline.due, now)
                ),
            )
        } else {
            format!(
                "due {} ({})",
                format_time(deadline.due, zone),
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
        writeln!(
            out,
            "\n{heading}: {} by {}, {}",
            format_time(resolution.resolved_at.0, zone),
            line(&resolution.resolved_by),
            resolution.agreement_words()
        )?;
        write_block(out, &resolution.summary)?;
        if let Some(outcome) = resolution.outcome {
            writeln!(out, "outcome         {outcome}")?;
        }
        if let Some(cause) = &resolution.root_cause {
            writeln!(out, "root cause")?;
            write_block(out, cause)?;
        }
        if let Some(redress) = &resolution.redress {
            writeln!(out, "redress")?;
            write_block(out, redress)?;
        }
    }

    write_solutions(out, case, zone)?;
    write_escalations(out, case, zone)?;

    writeln!(out, "\nhandling steps")?;
    for item in practice::checklist(case) {
        match item.at {
            Some(at) => writeln!(
                out,
                "  [x] {:<46} {}",
                item.step.label(),
                format_time(at, zone)
            )?,
            None => writeln!(out, "  [ ] {}", item.step.label())?,
        }
    }

    writeln!(out, "\nevents")?;
    for event in &case.events {
        let mut head = format!(
            "  {}  {:<20} {}",
            format_time(event.at.0, zone),
            event.action.as_str(),
            line(&event.by)
        );
        if let Some(to) = &event.to {
            head.push_str(&format!(" → {}", line(to)));
        }
        if let Some(field) = event.field {
            let value = |v: &Option<String>| -> String {
                v.as_deref()
                    .map_or("(none)".into(), |v| line(v).into_owned())
            };
            head.push_str(&format!(
                " {field}: {} → {}",
                value(&event.old),
                value(&event.new)
            ));
        }
        if let Some(on) = event.on {
            head.push_str(&format!(" (on {})", lifecycle::waited_on(on)));
        }
        if let Some(until) = event.until {
            head.push_str(&format!(" (until {})", format_time(until.0, zone)));
        }
        match (event.void, &event.duplicate_of) {
            (Some(_), Some(other)) => head.push_str(&format!(" (duplicate of {other})")),
            (Some(void), None) => head.push_str(&format!(" ({})", lifecycle::void_words(void))),
            _ => {}
        }
        if let Some(due) = event.due {
            head.push_str(&format!(" (due {})", format_time(due.0, zone)));
        }
        if let Some(option) = event.option {
            head.push_str(&format!(" (option {option})"));
        }
        if let Some(how) = event.how {
            head.push_str(&format!(" by {how}"));
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

/// The solutions proposed, which one the customer agreed to, and the terms.
fn write_solutions(out: &mut dyn Write, case: &Case, zone: Zone) -> Result<()> {
    let proposals = lifecycle::proposals(case);
    if proposals.is_empty() {
        return Ok(());
    }
    let agreed = lifecycle::agreement(case);
    writeln!(out, "\nsolutions")?;
    for proposal in proposals {
        let number = proposal.option.unwrap_or(0);
        let chosen = agreed.is_some_and(|a| a.option == Some(number));
        let mark = if chosen { "agreed" } else { "" };
        let mut text = block(proposal.text.as_deref().unwrap_or_default()).into_owned();
        if text.is_empty() {
            text.push('-');
        }
        let mut lines = text.lines();
        writeln!(
            out,
            "  {number}. {}{}",
            lines.next().unwrap_or_default(),
            if chosen {
                format!("  [{mark}]")
            } else {
                String::new()
            }
        )?;
        for more in lines {
            writeln!(out, "     {more}")?;
        }
        for pro in &proposal.pros {
            writeln!(out, "     + {}", line(pro))?;
        }
        for con in &proposal.cons {
            writeln!(out, "     - {}", line(con))?;
        }
    }
    if let Some(agreement) = agreed {
        let how = agreement
            .how
            .map(|h| format!(" by {h}"))
            .unwrap_or_default();
        writeln!(
            out,
            "  agreed {}{how} with {}",
            format_time(agreement.at.0, zone),
            line(&agreement.by)
        )?;
        if let Some(contingency) = &agreement.contingency {
            writeln!(out, "  if conditions change: {}", line(contingency))?;
        }
        if let Some(monitor) = &agreement.monitor {
            writeln!(out, "  monitored by: {}", line(monitor))?;
        }
    }
    Ok(())
}

fn write_escalations(out: &mut dyn Write, case: &Case, zone: Zone) -> Result<()> {
    let escalations: Vec<_> = case
        .events
        .iter()
        .filter(|e| e.action == Action::Escalated)
        .collect();
    if escalations.is_empty() {
        return Ok(());
    }
    writeln!(out, "\nescalated")?;
    for e in escalations {
        writeln!(
            out,
            "  {} by {} to {}: {}",
            format_time(e.at.0, zone),
            line(&e.by),
            e.to.as_deref().map_or("?".into(), line),
            line(
                e.text
                    .as_deref()
                    .unwrap_or_default()
                    .lines()
                    .next()
                    .unwrap_or_default()
            )
        )?;
    }
    Ok(())
}

/// The customer's earlier complaints, so a repeat is never handled blind.
fn write_earlier(out: &mut dyn Write, earlier: &[Earlier], zone: Zone) -> Result<()> {
    if earlier.is_empty() {
        return Ok(());
    }
    writeln!(out, "\nearlier cases of this customer")?;
    for e in earlier {
        writeln!(
            out,
            "  {}  {}  {}  {}",
            e.id,
            format_time(e.opened_at, zone),
            e.status,
            line(&e.title)
        )?;
    }
    Ok(())
}
