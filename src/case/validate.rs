//! Everything a case file can get wrong, with the line to look at: what
//! `caselog check` reports, so CI can tell a broken case from a good one.
//!
//! Parsing catches syntax, types, unknown keys and values; this module
//! adds what only the whole case can tell: merge conflict markers, events
//! out of order or with keys that do not fit them, a status the event log
//! contradicts, a resolution or follow-up with no event behind it. Key
//! order is not checked: `caselog fmt` fixes that.

use std::path::Path;

use chrono::{DateTime, Utc};
use toml_edit::{Document, Item};

use crate::case::file;
use crate::case::{Action, Case, Status, check_category, replay_status};
use crate::error::{InputError, line_of};

/// One thing wrong with a case file.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Problem {
    pub line: usize,
    pub message: String,
}

fn problem(line: usize, message: impl Into<String>) -> Problem {
    Problem {
        line,
        message: message.into(),
    }
}

/// The conflict markers git left, as problems.
fn conflict_markers(text: &str) -> Vec<Problem> {
    file::conflict_markers(text)
        .into_iter()
        .map(|m| problem(m.line, m.message()))
        .collect()
}

/// Finds the line of a key for messages.
struct Lines<'t> {
    text: &'t str,
    doc: Option<Document<&'t str>>,
}

impl<'t> Lines<'t> {
    fn new(text: &'t str) -> Lines<'t> {
        Lines {
            text,
            doc: Document::parse(text).ok(),
        }
    }

    fn at(&self, span: Option<std::ops::Range<usize>>) -> usize {
        span.map_or(1, |s| line_of(self.text, s.start))
    }

    /// The line of `key` in `section` (`None`: the top level), or of the
    /// section's header when the key is absent.
    fn key(&self, section: Option<&str>, key: &str) -> usize {
        let Some(doc) = &self.doc else { return 1 };
        let table = match section {
            None => Some(doc.as_table() as &dyn toml_edit::TableLike),
            Some(name) => doc.get(name).and_then(Item::as_table_like),
        };
        let Some(table) = table else { return 1 };
        match table.key(key) {
            Some(k) => self.at(k.span()),
            None => section
                .and_then(|name| doc.as_table().key(name))
                .map_or(1, |k| self.at(k.span())),
        }
    }

    /// The line of event `index`, or of its `key` when given and present.
    fn event(&self, index: usize, key: Option<&str>) -> usize {
        let Some(doc) = &self.doc else { return 1 };
        let table = match doc.get("events") {
            Some(Item::ArrayOfTables(events)) => events.get(index),
            _ => None,
        };
        let Some(table) = table else { return 1 };
        if let Some(k) = key.and_then(|k| table.key(k)) {
            return self.at(k.span());
        }
        // The header line sits just above the first key.
        table
            .iter()
            .next()
            .and_then(|(k, _)| table.key(k))
            .map_or(1, |k| self.at(k.span()).saturating_sub(1).max(1))
    }
}

/// What a check measures a case against: the log's settings and the time.
#[derive(Debug, Clone, Copy)]
pub struct Rules<'a> {
    /// When not empty, the only categories a case may have.
    pub categories: &'a [String],
    /// Events after this are in the future.
    pub now: DateTime<Utc>,
}

/// Checks one case file's text. `relative` is its path below `cases/`.
pub fn check(text: &str, relative: &Path, rules: &Rules) -> Vec<Problem> {
    let markers = conflict_markers(text);
    if !markers.is_empty() {
        return markers;
    }
    let case = match file::parse("", text) {
        Ok(case) => case,
        Err(InputError::InvalidFile { line, message, .. }) => return vec![problem(line, message)],
        Err(other) => return vec![problem(1, other.to_string())],
    };
    let lines = Lines::new(text);
    let mut out = Vec::new();
    check_path(&case, relative, &lines, &mut out);
    check_fields(&case, rules.categories, &lines, &mut out);
    check_events(&case, rules.now, &lines, &mut out);
    check_consistency(&case, &lines, &mut out);
    out.sort();
    out.dedup();
    out
}

fn check_path(case: &Case, relative: &Path, lines: &Lines, out: &mut Vec<Problem>) {
    let id = case.id.as_str();
    let name = relative.file_name().and_then(|n| n.to_str()).unwrap_or("");
    if name != format!("{id}.toml") {
        out.push(problem(
            lines.key(None, "id"),
            format!("the id {id} does not match the file name {name}"),
        ));
        return;
    }
    // Directly in a YYYY/MM folder: the month must be the id's. Other
    // folders (archives) may hold any case.
    let folders: Vec<&str> = relative
        .parent()
        .map(|p| p.iter().filter_map(|c| c.to_str()).collect())
        .unwrap_or_default();
    let is_month_folder = folders.len() == 2
        && folders[0].len() == 4
        && folders[1].len() == 2
        && folders
            .iter()
            .all(|f| f.bytes().all(|b| b.is_ascii_digit()));
    if is_month_folder && (folders[0] != &id[0..4] || folders[1] != &id[4..6]) {
        out.push(problem(
            lines.key(None, "id"),
            format!(
                "case {id} belongs in cases/{}/{}/, not cases/{}/{}/",
                &id[0..4],
                &id[4..6],
                folders[0],
                folders[1]
            ),
        ));
    }
    if case.opened_at.0.format("%Y%m%d").to_string() != id[0..8] {
        out.push(problem(
            lines.key(None, "opened_at"),
            format!(
                "opened_at {} is not the date in the id {id}",
                case.opened_at.to_rfc3339()
            ),
        ));
    }
}

fn check_fields(case: &Case, categories: &[String], lines: &Lines, out: &mut Vec<Problem>) {
    let mut must_be_one_line = |section: Option<&str>, key: &str, value: &str| {
        if value.trim().is_empty() {
            out.push(problem(lines.key(section, key), format!("{key} is empty")));
        } else if value.contains(['\n', '\r']) {
            out.push(problem(
                lines.key(section, key),
                format!("{key} must be one line"),
            ));
        }
    };
    must_be_one_line(None, "title", &case.title);
    must_be_one_line(None, "opened_by", &case.opened_by);
    must_be_one_line(Some("customer"), "name", &case.customer.name);
    if let Some(a) = &case.assignee {
        must_be_one_line(None, "assignee", a);
    }
    if let Some(c) = &case.category {
        must_be_one_line(None, "category", c);
    }
    if case.complaint.summary.trim().is_empty() {
        out.push(problem(
            lines.key(Some("complaint"), "summary"),
            "the complaint summary is empty",
        ));
    }
    if let Some(c) = &case.category
        && let Err(e) = check_category(categories, c)
    {
        out.push(problem(lines.key(None, "category"), e.to_string()));
    }
    for (i, tag) in case.tags.iter().enumerate() {
        if case.tags[..i].contains(tag) {
            out.push(problem(
                lines.key(None, "tags"),
                format!("the tag '{tag}' is listed twice"),
            ));
        }
        if tag.trim().is_empty() || tag.contains([';', '\n']) {
            out.push(problem(
                lines.key(None, "tags"),
                format!(
                    "the tag '{}' is empty or holds ';' or a line break",
                    tag.escape_debug()
                ),
            ));
        }
    }
}

fn check_events(case: &Case, now: DateTime<Utc>, lines: &Lines, out: &mut Vec<Problem>) {
    let Some(first) = case.events.first() else {
        out.push(problem(
            lines.key(None, "opened_at"),
            "the case has no events; the first must be 'opened'",
        ));
        return;
    };
    if first.action != Action::Opened {
        out.push(problem(
            lines.event(0, Some("action")),
            format!("the first event is '{}', not 'opened'", first.action),
        ));
    } else if first.at != case.opened_at {
        out.push(problem(
            lines.event(0, Some("at")),
            format!(
                "the opened event is at {}, but opened_at is {}",
                first.at.to_rfc3339(),
                case.opened_at.to_rfc3339()
            ),
        ));
    }
    for (i, e) in case.events.iter().enumerate() {
        if i > 0 && e.action == Action::Opened {
            out.push(problem(
                lines.event(i, Some("action")),
                "a case is opened only once",
            ));
        }
        if i > 0 && e.at < case.events[i - 1].at {
            out.push(problem(
                lines.event(i, Some("at")),
                format!(
                    "event at {} comes after one at {}: events must be in time order",
                    e.at.to_rfc3339(),
                    case.events[i - 1].at.to_rfc3339()
                ),
            ));
        }
        if e.at.0 > now {
            out.push(problem(
                lines.event(i, Some("at")),
                format!("event at {} is in the future", e.at.to_rfc3339()),
            ));
        }
        if e.by.trim().is_empty() || e.by.contains('\n') {
            out.push(problem(
                lines.event(i, Some("by")),
                "by must name one person on one line",
            ));
        }
        let fits =
            |key: &str, present: bool, allowed: &[Action], required: bool| -> Option<Problem> {
                let allowed_here = allowed.contains(&e.action);
                if present && !allowed_here {
                    Some(problem(
                        lines.event(i, Some(key)),
                        format!("a '{}' event has no `{key}`", e.action),
                    ))
                } else if required && allowed_here && !present && e.action != Action::Opened {
                    Some(problem(
                        lines.event(i, None),
                        format!("a '{}' event needs `{key}`", e.action),
                    ))
                } else {
                    None
                }
            };
        let resolved = [Action::Resolved];
        out.extend(fits("outcome", e.outcome.is_some(), &resolved, false));
        out.extend(fits("root_cause", e.root_cause.is_some(), &resolved, false));
        out.extend(fits("redress", e.redress.is_some(), &resolved, false));
        let handed_over = [Action::Opened, Action::Assigned, Action::Escalated];
        out.extend(fits("to", e.to.is_some(), &handed_over, true));
        let solution = [Action::Proposed, Action::Agreed];
        out.extend(fits("option", e.option.is_some(), &solution, true));
        out.extend(fits("pros", !e.pros.is_empty(), &[Action::Proposed], false));
        out.extend(fits("cons", !e.cons.is_empty(), &[Action::Proposed], false));
        out.extend(fits("how", e.how.is_some(), &[Action::Agreed], false));
        let agreed = [Action::Agreed];
        out.extend(fits("contingency", e.contingency.is_some(), &agreed, false));
        out.extend(fits("monitor", e.monitor.is_some(), &agreed, false));
        out.extend(fits(
            "due",
            e.due.is_some(),
            &[Action::FollowUpScheduled],
            true,
        ));
        out.extend(fits("until", e.until.is_some(), &[Action::Waiting], false));
        out.extend(fits(
            "satisfied",
            e.satisfied.is_some(),
            &[Action::FollowedUp],
            false,
        ));
    }
}

fn check_consistency(case: &Case, lines: &Lines, out: &mut Vec<Problem>) {
    let replayed = replay_status(case.events.iter().map(|e| e.action));
    if replayed != case.status {
        let last = case.events.iter().rev().find(|e| {
            matches!(
                e.action,
                Action::Resolved
                    | Action::Closed
                    | Action::Reopened
                    | Action::Waiting
                    | Action::Resumed
                    | Action::Opened
            )
        });
        out.push(problem(
            lines.key(None, "status"),
            format!(
                "status is '{}' but the event log says '{replayed}'{}",
                case.status,
                last.map(|e| format!(" (last change: {} at {})", e.action, e.at.to_rfc3339()))
                    .unwrap_or_default()
            ),
        ));
    }
    let resolved_events: Vec<_> = case
        .events
        .iter()
        .filter(|e| e.action == Action::Resolved)
        .collect();
    match &case.resolution {
        None if matches!(case.status, Status::Resolved) => {
            out.push(problem(
                lines.key(None, "status"),
                "status is 'resolved' but there is no [resolution]",
            ));
        }
        Some(r) => match resolved_events.iter().find(|e| e.at == r.resolved_at) {
            None => out.push(problem(
                lines.key(Some("resolution"), "resolved_at"),
                format!(
                    "no resolved event at {}, the resolution's resolved_at",
                    r.resolved_at.to_rfc3339()
                ),
            )),
            Some(e) if e.outcome != r.outcome => out.push(problem(
                lines.key(Some("resolution"), "outcome"),
                "outcome differs from the resolved event's outcome",
            )),
            Some(e) if e.root_cause != r.root_cause => out.push(problem(
                lines.key(Some("resolution"), "root_cause"),
                "root_cause differs from the resolved event's root_cause",
            )),
            Some(e) if e.redress != r.redress => out.push(problem(
                lines.key(Some("resolution"), "redress"),
                "redress differs from the resolved event's redress",
            )),
            Some(_) => {}
        },
        _ => {}
    }
    check_solutions(case, lines, out);
    if let Some(f) = &case.follow_up {
        let scheduled = case
            .events
            .iter()
            .any(|e| e.action == Action::FollowUpScheduled && e.due == Some(f.due));
        if !scheduled {
            out.push(problem(
                lines.key(Some("follow_up"), "due"),
                format!(
                    "no follow-up-scheduled event for the due time {}",
                    f.due.to_rfc3339()
                ),
            ));
        }
        match f.done_at {
            Some(done) => {
                let event = case
                    .events
                    .iter()
                    .find(|e| e.action == Action::FollowedUp && e.at == done);
                match event {
                    None => out.push(problem(
                        lines.key(Some("follow_up"), "done_at"),
                        format!(
                            "no followed-up event at {}, the follow-up's done_at",
                            done.to_rfc3339()
                        ),
                    )),
                    Some(e) if e.satisfied != f.satisfied => out.push(problem(
                        lines.key(Some("follow_up"), "satisfied"),
                        "satisfied differs from the followed-up event's answer",
                    )),
                    Some(_) => {}
                }
            }
            None if f.satisfied.is_some() => {
                out.push(problem(
                    lines.key(Some("follow_up"), "satisfied"),
                    "satisfied is given but the follow-up is not done (no done_at)",
                ));
            }
            None => {}
        }
    }
    let logged_assignee = case
        .events
        .iter()
        .filter(|e| e.action.assigns())
        .filter_map(|e| e.to.as_deref())
        .next_back();
    if let Some(logged) = logged_assignee
        && case.assignee.as_deref() != Some(logged)
    {
        out.push(problem(
            lines.key(None, "assignee"),
            format!(
                "assignee is {} but the last assignment was to {logged}",
                case.assignee.as_deref().unwrap_or("nobody")
            ),
        ));
    }
}

/// Options are numbered once each, and agreements and resolutions refer to
/// options that were proposed.
fn check_solutions(case: &Case, lines: &Lines, out: &mut Vec<Problem>) {
    let mut proposed: Vec<u32> = Vec::new();
    for (i, e) in case.events.iter().enumerate() {
        let Some(number) = e.option else { continue };
        match e.action {
            Action::Proposed if proposed.contains(&number) => out.push(problem(
                lines.event(i, Some("option")),
                format!("option {number} is proposed twice"),
            )),
            Action::Proposed => proposed.push(number),
            Action::Agreed if !proposed.contains(&number) => out.push(problem(
                lines.event(i, Some("option")),
                format!("agreed to option {number}, which was not proposed before"),
            )),
            _ => {}
        }
    }
    if let Some(number) = case.resolution.as_ref().and_then(|r| r.option)
        && !proposed.contains(&number)
    {
        out.push(problem(
            lines.key(Some("resolution"), "option"),
            format!("the resolution names option {number}, which was never proposed"),
        ));
    }
}
