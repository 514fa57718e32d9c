//! Everything a case file can get wrong, with the line to look at: what
//! `caselog check` reports, so CI can tell a broken case from a good one.
//!
//! Parsing catches syntax, types, unknown keys and values; this module
//! adds what only the whole case can tell: merge conflict markers, events
//! out of order or with keys that do not fit them, a status the event log
//! contradicts, a resolution or follow-up with no event behind it. Key
//! order is not checked: `caselog fmt` fixes that.

use std::path::Path;

use chrono::{DateTime, Duration, Utc};
use toml_edit::{Document, Item};

use crate::case::card;
use crate::case::fields;
use crate::case::file;
use crate::case::message;
use crate::case::redaction::{self, is_marker};
use crate::case::{Action, Case, Status, Void, check_category, replay_status};
use crate::error::{InputError, line_of};
use crate::untrusted;

/// How much a problem matters to `caselog check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// The file is wrong: `check` fails.
    Error,
    /// Worth a look, but no reason to block a merge: `check` says so and
    /// passes (an event a teammate's fast clock dated ahead).
    Warning,
    /// Something the file does not record, said for the reader: a field
    /// edited by hand with no `edited` event. Never fails `check`.
    Note,
}

/// One thing wrong with a case file.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Problem {
    pub line: usize,
    pub message: String,
    pub severity: Severity,
}

impl Problem {
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// An error at `line`.
pub fn problem(line: usize, message: impl Into<String>) -> Problem {
    Problem {
        line,
        message: message.into(),
        severity: Severity::Error,
    }
}

/// A warning at `line`.
pub fn warning(line: usize, message: impl Into<String>) -> Problem {
    Problem {
        line,
        message: message.into(),
        severity: Severity::Warning,
    }
}

/// A note at `line`.
pub fn note(line: usize, message: impl Into<String>) -> Problem {
    Problem {
        line,
        message: message.into(),
        severity: Severity::Note,
    }
}

/// The conflict markers git left, as problems.
fn conflict_markers(text: &str) -> Vec<Problem> {
    file::conflict_markers(text)
        .into_iter()
        .map(|m| problem(m.line, m.message()))
        .collect()
}

/// Finds the line of a key for messages. The text is parsed for its
/// spans only when a message needs a line: most files have no problem,
/// and parsing each a second time was most of `check --all`'s time.
struct Lines<'t> {
    text: &'t str,
    parsed: std::cell::OnceCell<Option<Document<&'t str>>>,
}

impl<'t> Lines<'t> {
    fn new(text: &'t str) -> Lines<'t> {
        Lines {
            text,
            parsed: std::cell::OnceCell::new(),
        }
    }

    fn doc(&self) -> Option<&Document<&'t str>> {
        self.parsed
            .get_or_init(|| Document::parse(self.text).ok())
            .as_ref()
    }

    fn at(&self, span: Option<std::ops::Range<usize>>) -> usize {
        span.map_or(1, |s| line_of(self.text, s.start))
    }

    /// The line of `key` in `section` (`None`: the top level), or of the
    /// section's header when the key is absent.
    fn key(&self, section: Option<&str>, key: &str) -> usize {
        let Some(doc) = self.doc() else { return 1 };
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
        let Some(doc) = self.doc() else { return 1 };
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
    /// Now, by this machine's clock.
    pub now: DateTime<Utc>,
    /// How far ahead of `now` an event may be before it is worth a warning:
    /// teammates' clocks differ by minutes.
    pub tolerance: Duration,
}

/// Checks one case file's text. `relative` is its path below `cases/`.
pub fn check(text: &str, relative: &Path, rules: &Rules) -> Vec<Problem> {
    let mut out = problems(text, relative, rules);
    // Messages quote values from the file: one line each, always, so a
    // line break in a value cannot forge another `path:line:` line.
    for p in &mut out {
        p.message = untrusted::line(&p.message).into_owned();
    }
    out
}

fn problems(text: &str, relative: &Path, rules: &Rules) -> Vec<Problem> {
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
    check_events(&case, rules, &lines, &mut out);
    check_leap_seconds(&lines, &mut out);
    check_consistency(&case, &lines, &mut out);
    check_void(&case, &lines, &mut out);
    check_card_numbers(text, &case, &lines, &mut out);
    check_comments_after_redaction(text, &case, &mut out);
    for drift in fields::differing_from_log(&case) {
        out.push(unrecorded_note(
            &lines,
            &drift,
            "the last edited event for it says",
        ));
    }
    out.sort();
    out.dedup();
    out
}

/// Where a field is in the file: (section, key).
fn field_key(field: crate::case::EditField) -> (Option<&'static str>, &'static str) {
    match field.file_key().split_once('.') {
        Some((section, key)) => (Some(section), key),
        None => (None, field.file_key()),
    }
}

fn shown_value(value: &Option<String>) -> String {
    match value {
        Some(v) => format!("'{}'", v.escape_debug()),
        None => "unset".to_string(),
    }
}

/// A note that a field's value is not what `source` says, at its line.
fn unrecorded_note(lines: &Lines, drift: &fields::Unrecorded, source: &str) -> Problem {
    let (section, key) = field_key(drift.field);
    note(
        lines.key(section, key),
        format!(
            "{} is {} but {source} {}: edited by hand? `caselog fmt --record-edits` records it",
            drift.field,
            shown_value(&drift.now),
            shown_value(&drift.was)
        ),
    )
}

/// Notes for fields changed since an earlier version of the file (git's
/// HEAD) with no `edited` event: `check` adds them where the log is a git
/// repository. Empty when the text is not a valid case.
pub fn unrecorded_since(text: &str, earlier: &Case) -> Vec<Problem> {
    let Ok(case) = file::parse("", text) else {
        return Vec::new();
    };
    let lines = Lines::new(text);
    let mut out: Vec<Problem> = fields::changed_without_event(earlier, &case)
        .iter()
        // A field the log's own check already notes is said once.
        .filter(|d| {
            !fields::differing_from_log(&case)
                .iter()
                .any(|l| l.field == d.field)
        })
        .map(|d| unrecorded_note(&lines, d, "the last commit had"))
        .collect();
    for p in &mut out {
        p.message = untrusted::line(&p.message).into_owned();
    }
    out
}

/// A void case is closed, says so on its last closed event, and names the
/// case it duplicates (not itself) exactly when it is a duplicate.
fn check_void(case: &Case, lines: &Lines, out: &mut Vec<Problem>) {
    let (logged, logged_of) = case.void_in_log();
    if case.void != logged || case.duplicate_of != logged_of {
        let line = if case.void.is_some() {
            lines.key(None, "void")
        } else {
            lines.key(None, "status")
        };
        let said = |void: Option<Void>, of: &Option<crate::case::id::CaseId>| match (void, of) {
            (None, _) => "not void".to_string(),
            (Some(v), Some(of)) => format!("{v} of {of}"),
            (Some(v), None) => v.to_string(),
        };
        out.push(problem(
            line,
            format!(
                "the case is {} but its last closed event says {}",
                said(case.void, &case.duplicate_of),
                said(logged, &logged_of)
            ),
        ));
    }
    for (i, e) in case.events.iter().enumerate() {
        match (e.void, &e.duplicate_of) {
            (Some(Void::Duplicate), None) => out.push(problem(
                lines.event(i, Some("void")),
                "a duplicate needs `duplicate_of`, the case it repeats",
            )),
            (Some(Void::OpenedInError), Some(_)) => out.push(problem(
                lines.event(i, Some("duplicate_of")),
                "`duplicate_of` goes with void = \"duplicate\" only",
            )),
            (None, Some(_)) if e.action == Action::Closed => out.push(problem(
                lines.event(i, Some("duplicate_of")),
                "`duplicate_of` needs void = \"duplicate\"",
            )),
            _ => {}
        }
        if e.duplicate_of.as_ref() == Some(&case.id) {
            out.push(problem(
                lines.event(i, Some("duplicate_of")),
                "a case cannot be a duplicate of itself",
            ));
        }
    }
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
        if tag.trim().is_empty() || tag.contains([';', '\n', '\r']) {
            out.push(problem(
                lines.key(None, "tags"),
                format!(
                    "the tag '{}' is empty or holds ';' or a line break",
                    tag.escape_debug()
                ),
            ));
        } else if tag.trim() != tag {
            // `open` trims a tag, and an export read back would too: the
            // same tag would then be two, or change in a round trip.
            out.push(problem(
                lines.key(None, "tags"),
                format!(
                    "the tag '{}' has blanks around it, which are no part of a tag: write it '{}'",
                    tag.escape_debug(),
                    tag.trim().escape_debug()
                ),
            ));
        }
    }
}

fn check_events(case: &Case, rules: &Rules, lines: &Lines, out: &mut Vec<Problem>) {
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
        let limit = rules.now.checked_add_signed(rules.tolerance);
        if limit.is_some_and(|limit| e.at.0 > limit) {
            out.push(warning(
                lines.event(i, Some("at")),
                format!(
                    "event at {} is in the future, more than {} ahead of this machine's clock (whose clock wrote it?)",
                    e.at.to_rfc3339(),
                    crate::time::format_length(rules.tolerance)
                ),
            ));
        }
        if e.by.trim().is_empty() || e.by.contains(['\n', '\r']) {
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
                        format!("{} '{}' event has no `{key}`", article(e.action), e.action),
                    ))
                } else if required && allowed_here && !present && e.action != Action::Opened {
                    Some(problem(
                        lines.event(i, None),
                        format!("{} '{}' event needs `{key}`", article(e.action), e.action),
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
        out.extend(fits("on", e.on.is_some(), &[Action::Waiting], false));
        out.extend(fits(
            "source_id",
            e.source_id.is_some(),
            &[Action::Imported],
            false,
        ));
        let edited = [Action::Edited];
        out.extend(fits("field", e.field.is_some(), &edited, true));
        out.extend(fits("old", e.old.is_some(), &edited, false));
        out.extend(fits("new", e.new.is_some(), &edited, false));
        out.extend(fits(
            "fields",
            !e.fields.is_empty(),
            &[Action::Redacted],
            true,
        ));
        out.extend(fits(
            "message_id",
            e.message_id.is_some(),
            message::MESSAGE_ACTIONS,
            false,
        ));
        if let Some(id) = &e.message_id
            && !message::is_message_id(id)
        {
            out.push(problem(
                lines.event(i, Some("message_id")),
                format!(
                    "message_id must be one e-mail Message-ID without angle brackets: no blanks or control characters, at most {} bytes",
                    message::MESSAGE_ID_MAX
                ),
            ));
        }
        if e.action == Action::Redacted && e.text.as_deref().is_none_or(|t| t.trim().is_empty()) {
            out.push(problem(
                lines.event(i, None),
                "a 'redacted' event needs `text`, the reason",
            ));
        }
        if let Some(entry) = e
            .allowed_card_like_numbers
            .iter()
            .find(|entry| !card::is_masked(entry))
        {
            out.push(problem(
                lines.event(i, Some("allowed_card_like_numbers")),
                format!(
                    "allowed_card_like_numbers holds '{}', which is not masked: keep at most its last four digits",
                    card::mask_digits(entry)
                ),
            ));
        }
        let closed = [Action::Closed];
        out.extend(fits("void", e.void.is_some(), &closed, false));
        out.extend(fits(
            "duplicate_of",
            e.duplicate_of.is_some(),
            &closed,
            false,
        ));
        if e.action == Action::Edited {
            if e.old.is_none() && e.new.is_none() {
                out.push(problem(
                    lines.event(i, None),
                    "an 'edited' event needs `old` or `new`",
                ));
            } else if e.old == e.new && !e.new.as_deref().is_some_and(is_marker) {
                out.push(problem(
                    lines.event(i, Some("new")),
                    "an 'edited' event's `old` and `new` are the same",
                ));
            }
            if let Some(field) = e.field {
                for (key, value) in [("old", &e.old), ("new", &e.new)] {
                    if let Some(value) = value
                        && !is_marker(value)
                        && let Err(err) = field.check(value)
                    {
                        out.push(problem(lines.event(i, Some(key)), format!("{key}: {err}")));
                    }
                }
                if e.new.is_none() && field.required() {
                    out.push(problem(
                        lines.event(i, None),
                        format!(
                            "the {field} cannot be cleared: an 'edited' event for it needs `new`"
                        ),
                    ));
                }
            }
        }
        out.extend(fits(
            "satisfied",
            e.satisfied.is_some(),
            &[Action::FollowedUp],
            false,
        ));
    }
}

/// Likely payment card numbers in the file, by line, except those an
/// event records as allowed (a known false positive, masked): in its
/// text as written (comments too, and a number a line break splits), and
/// in each value as read, where an escape (`\t`) no longer hides one.
fn check_card_numbers(text: &str, case: &Case, lines: &Lines, out: &mut Vec<Problem>) {
    let allowed: Vec<&String> = case
        .events
        .iter()
        .flat_map(|e| &e.allowed_card_like_numbers)
        .collect();
    let mut reported: Vec<String> = Vec::new();
    for found in card::find(text) {
        if !allowed.contains(&&found.masked) {
            out.push(card_problem(line_of(text, found.start), &found.masked));
            reported.push(found.masked);
        }
    }
    // Without an escape, every value reads as it is written: found above.
    if !text.contains('\\') {
        return;
    }
    for (place, found) in card::in_case(case) {
        if allowed.contains(&&found.masked) || reported.contains(&found.masked) {
            continue;
        }
        let line = match place {
            card::Place::Field(section, key) => lines.key(section, key),
            card::Place::Tag(_) => lines.key(None, "tags"),
            card::Place::Event(i, key, _) => lines.event(i, Some(key)),
        };
        out.push(card_problem(line, &found.masked));
        reported.push(found.masked);
    }
}

/// Each comment in a redacted case: `redact` erases values, never what a
/// person wrote around them (`title = "…"  # she rang twice`), so a
/// comment naming the customer would outlive the erasure unseen. Said as
/// a warning, for a person to read and delete: most comments name nobody.
fn check_comments_after_redaction(text: &str, case: &Case, out: &mut Vec<Problem>) {
    if !redaction::is_redacted(case) {
        return;
    }
    for line in comment_lines(text) {
        out.push(warning(
            line,
            "a comment in a redacted case, which redact does not erase: delete it if it says anything of the customer",
        ));
    }
}

/// The lines (from 1) holding a TOML comment: a `#` outside any string,
/// single- or multi-line, basic or literal.
fn comment_lines(text: &str) -> Vec<usize> {
    enum In {
        Code,
        Basic,
        Literal,
        MultiBasic,
        MultiLiteral,
    }
    let mut lines = Vec::new();
    let mut state = In::Code;
    for (number, line) in text.lines().enumerate() {
        let bytes = line.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            let rest = &bytes[i..];
            match state {
                In::Code => match bytes[i] {
                    b'#' => {
                        lines.push(number + 1);
                        break;
                    }
                    b'"' if rest.starts_with(b"\"\"\"") => {
                        state = In::MultiBasic;
                        i += 2;
                    }
                    b'\'' if rest.starts_with(b"'''") => {
                        state = In::MultiLiteral;
                        i += 2;
                    }
                    b'"' => state = In::Basic,
                    b'\'' => state = In::Literal,
                    _ => {}
                },
                In::Basic | In::MultiBasic if bytes[i] == b'\\' => i += 1,
                In::Basic if bytes[i] == b'"' => state = In::Code,
                In::Literal if bytes[i] == b'\'' => state = In::Code,
                In::MultiBasic if rest.starts_with(b"\"\"\"") => {
                    state = In::Code;
                    i += 2;
                }
                In::MultiLiteral if rest.starts_with(b"'''") => {
                    state = In::Code;
                    i += 2;
                }
                _ => {}
            }
            i += 1;
        }
        // A single-line string never runs past its line.
        if matches!(state, In::Basic | In::Literal) {
            state = In::Code;
        }
    }
    lines
}

fn card_problem(line: usize, masked: &str) -> Problem {
    problem(
        line,
        format!(
            "a likely payment card number ({masked}), which must never be stored: replace it with that masked form, and purge it from git history if it was committed"
        ),
    )
}

/// "a" or "an", as the action's word is said.
fn article(action: Action) -> &'static str {
    if action.as_str().starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    }
}

/// A leap second written `:60`: caselog reads it as the second before, but
/// other TOML readers refuse the file. Only a time value is one: a
/// customer's words that hold `T12:30:60` are text.
fn check_leap_seconds(lines: &Lines, out: &mut Vec<Problem>) {
    fn in_value(value: &toml_edit::Value, found: &mut Vec<Option<std::ops::Range<usize>>>) {
        match value {
            toml_edit::Value::Datetime(t)
                if t.value().time.is_some_and(|t| t.second == Some(60)) =>
            {
                found.push(t.span())
            }
            toml_edit::Value::Array(items) => items.iter().for_each(|v| in_value(v, found)),
            toml_edit::Value::InlineTable(table) => {
                table.iter().for_each(|(_, v)| in_value(v, found))
            }
            _ => {}
        }
    }
    fn in_item(item: &Item, found: &mut Vec<Option<std::ops::Range<usize>>>) {
        match item {
            Item::Value(value) => in_value(value, found),
            Item::Table(table) => table.iter().for_each(|(_, item)| in_item(item, found)),
            Item::ArrayOfTables(tables) => tables
                .iter()
                .flat_map(|table| table.iter())
                .for_each(|(_, item)| in_item(item, found)),
            Item::None => {}
        }
    }
    let Some(doc) = lines.doc() else { return };
    let mut found = Vec::new();
    in_item(doc.as_item(), &mut found);
    for span in found {
        out.push(problem(
            lines.at(span),
            "a leap second (:60), which other TOML readers refuse; `caselog fmt` writes it as :59",
        ));
    }
}

fn check_consistency(case: &Case, lines: &Lines, out: &mut Vec<Problem>) {
    let replayed = replay_status(&case.events);
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
        // The last at that instant: a case resolved, reopened and resolved
        // again within one second (a clock ahead makes later commands
        // share its time) carries the later resolution.
        Some(r) => match resolved_events.iter().rev().find(|e| e.at == r.resolved_at) {
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
                // The last at that instant, as for the resolution.
                let event = case
                    .events
                    .iter()
                    .rev()
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

#[cfg(test)]
mod tests {
    #[test]
    fn comments_are_told_from_a_hash_inside_a_string() {
        let text = "a = \"x # y\" # one\n# two\nb = 'c#d'\nc = \"\"\"\nno # here\n\"\"\" # three\nd = \"\\\"#\\\"\"\n";
        assert_eq!(comment_lines(text), [1, 2, 6]);
    }

    use super::*;
    use crate::case::file::render;
    use crate::case::id::CaseId;
    use crate::case::lifecycle::tests::{at, opened, resolved, settled, stamp};
    use crate::case::lifecycle::{self, Agreement};
    use crate::case::{Event, Outcome, Timestamp};

    const PATH: &str = "2026/11/20261122-7kq3m.toml";

    type EventEdit = fn(&mut Event);

    fn check_text(text: &str, path: &str, categories: &[String], now: i64) -> Vec<Problem> {
        let rules = Rules {
            categories,
            now: at(now),
            tolerance: Duration::minutes(5),
        };
        check(text, Path::new(path), &rules)
    }

    /// The problems of `case`'s file, checked a long while after it was opened.
    fn problems(case: &Case) -> Vec<Problem> {
        check_text(&render(case), PATH, &[], 1000)
    }

    fn messages(case: &Case) -> Vec<String> {
        problems(case).into_iter().map(|p| p.message).collect()
    }

    /// The 1-based line of `case`'s file that starts with `start`.
    fn line(case: &Case, start: &str) -> usize {
        let text = render(case);
        let lines: Vec<&str> = text.lines().collect();
        lines.iter().position(|l| l.starts_with(start)).unwrap() + 1
    }

    fn problem_at(case: &Case, start: &str, message: &str) -> Problem {
        problem(line(case, start), message)
    }

    fn with(case: &Case, change: impl FnOnce(&mut Case)) -> Case {
        let mut changed = case.clone();
        change(&mut changed);
        changed
    }

    fn noted(case: &Case, hours: i64) -> Case {
        lifecycle::annotate(case, &stamp(hours), Action::Note, "Rang the courier.").unwrap()
    }

    fn last_event(case: &mut Case) -> &mut Event {
        case.events.last_mut().unwrap()
    }

    fn proposed(case: &Case, hours: i64) -> Case {
        lifecycle::propose(case, &stamp(hours), "Refund", &[], &[]).unwrap()
    }

    #[test]
    fn every_case_the_lifecycle_makes_passes() {
        let handled = {
            let case = lifecycle::annotate(&opened(), &stamp(1), Action::Reply, "Sorry.").unwrap();
            let case = lifecycle::tests::waits(&case, &stamp(2), "photos", Some(at(9))).unwrap();
            let case = lifecycle::annotate(&case, &stamp(3), Action::Reply, "Thanks.").unwrap();
            let case = proposed(&proposed(&case, 4), 4);
            let case = lifecycle::agree(&case, &stamp(5), 2, Agreement::default()).unwrap();
            let case = lifecycle::escalate(&case, &stamp(6), "cy", "big refund").unwrap();
            let settlement = lifecycle::Settlement {
                outcome: Some(Outcome::Upheld),
                root_cause: Some("thin box".into()),
                ..settled(Some(60))
            };
            let case = lifecycle::resolve(&case, &stamp(7), settlement).unwrap();
            lifecycle::record_follow_up(&case, &stamp(61), Some(true), None).unwrap()
        };
        let reopened =
            lifecycle::record_follow_up(&resolved(), &stamp(50), Some(false), None).unwrap();
        for case in [opened(), resolved(), handled, reopened] {
            assert_eq!(problems(&case), [], "{}", render(&case));
        }
    }

    #[test]
    fn conflict_markers_are_the_only_problems_reported() {
        let text = render(&opened()).replace(
            "title = \"Parcel arrived broken\"\n",
            "<<<<<<< ours\ntitle = \"A\"\n=======\ntitle = \"B\"\n>>>>>>> theirs\n",
        );
        let found = check_text(&text, "elsewhere/wrong-name.toml", &[], 0);
        let lines: Vec<usize> = found.iter().map(|p| p.line).collect();
        assert_eq!(lines, [3, 5, 7]);
        assert_eq!(
            found[0].message,
            "merge conflict marker `<<<<<<<` left in the file: keep the right lines, delete the markers"
        );
    }

    #[test]
    fn a_file_that_does_not_parse_is_one_problem_at_its_line() {
        let text = render(&opened()).replace("format = 1", "format = 2");
        let found = check_text(&text, PATH, &[], 1000);
        assert_eq!(
            found,
            [problem(
                1,
                "format 2 is not supported (this caselog reads format 1)"
            )]
        );
        let text = render(&opened()).replace("status = \"open\"", "status = \"pending\"");
        let found = check_text(&text, PATH, &[], 1000);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].line, 4);
        assert!(
            found[0].message.contains("unknown status 'pending'"),
            "{found:?}"
        );
    }

    #[test]
    fn a_case_outside_its_month_folder_is_told_where_it_belongs() {
        let text = render(&opened());
        assert_eq!(
            check_text(&text, "2026/12/20261122-7kq3m.toml", &[], 1000),
            [problem(
                2,
                "case 20261122-7kq3m belongs in cases/2026/11/, not cases/2026/12/"
            )]
        );
        // Folders that are not a month (archives) may hold any case.
        for path in [
            "archive/20261122-7kq3m.toml",
            "20261122-7kq3m.toml",
            "old/2025/20261122-7kq3m.toml",
        ] {
            assert_eq!(check_text(&text, path, &[], 1000), [], "{path}");
        }
    }

    #[test]
    fn an_id_not_matching_the_file_name_is_reported_alone() {
        let text = render(&opened());
        assert_eq!(
            check_text(&text, "2026/12/20261122-aaaaa.toml", &[], 1000),
            [problem(
                2,
                "the id 20261122-7kq3m does not match the file name 20261122-aaaaa.toml"
            )]
        );
    }

    #[test]
    fn opened_at_must_fall_on_the_date_in_the_id() {
        let case = with(&opened(), |c| {
            c.id = CaseId::parse_full("20261121-7kq3m").unwrap();
        });
        let found = check_text(&render(&case), "2026/11/20261121-7kq3m.toml", &[], 1000);
        assert_eq!(
            found,
            [problem_at(
                &case,
                "opened_at",
                "opened_at 2026-11-22T09:00:00Z is not the date in the id 20261121-7kq3m"
            )]
        );
    }

    #[test]
    fn empty_and_multi_line_fields_are_reported_at_their_key() {
        let blank_title = with(&opened(), |c| c.title = " ".into());
        assert_eq!(problems(&blank_title), [problem(3, "title is empty")]);
        let two_line_title = with(&opened(), |c| c.title = "Broken\nvase".into());
        assert_eq!(
            problems(&two_line_title),
            [problem(3, "title must be one line")]
        );
        let blank_name = with(&opened(), |c| c.customer.name = String::new());
        assert_eq!(
            problems(&blank_name),
            [problem_at(&blank_name, "name", "name is empty")]
        );
        let blank_summary = with(&opened(), |c| c.complaint.summary = "\n".into());
        assert_eq!(
            problems(&blank_summary),
            [problem_at(
                &blank_summary,
                "summary",
                "the complaint summary is empty"
            )]
        );
        let two_line_category = with(&opened(), |c| c.category = Some("a\rb".into()));
        assert_eq!(messages(&two_line_category), ["category must be one line"]);
    }

    #[test]
    fn an_unknown_category_is_reported_only_when_categories_are_listed() {
        let case = with(&opened(), |c| c.category = Some("billing".into()));
        let text = render(&case);
        let listed = ["delivery".to_string(), "product".to_string()];
        assert_eq!(
            check_text(&text, PATH, &listed, 1000),
            [problem_at(
                &case,
                "category",
                "unknown category 'billing' (caselog.toml lists: delivery, product)"
            )]
        );
        assert_eq!(check_text(&text, PATH, &[], 1000), []);
        assert_eq!(check_text(&text, PATH, &["billing".to_string()], 1000), []);
    }

    #[test]
    fn repeated_and_malformed_tags_are_reported() {
        let case = with(&opened(), |c| {
            c.tags = ["post", "post", "a;b", " ", " glass\t"]
                .map(String::from)
                .to_vec();
        });
        assert_eq!(
            messages(&case),
            [
                "the tag ' ' is empty or holds ';' or a line break",
                "the tag ' glass\\t' has blanks around it, which are no part of a tag: write it 'glass'",
                "the tag 'a;b' is empty or holds ';' or a line break",
                "the tag 'post' is listed twice",
            ]
        );
        assert!(
            problems(&case)
                .iter()
                .all(|p| p.line == line(&case, "tags"))
        );
    }

    #[test]
    fn events_out_of_time_order_are_reported_at_the_later_one() {
        let case = with(&noted(&opened(), 5), |c| {
            c.events.push(Event::new(at(3), "ana", Action::Note));
        });
        assert_eq!(
            problems(&case),
            [problem_at(
                &case,
                "at = 2026-11-22T12:00:00Z",
                "event at 2026-11-22T12:00:00Z comes after one at 2026-11-22T14:00:00Z: events must be in time order"
            )]
        );
    }

    #[test]
    fn events_ahead_of_the_clock_beyond_the_tolerance_are_a_warning() {
        let case = noted(&opened(), 5);
        let found = check_text(&render(&case), PATH, &[], 4);
        assert_eq!(
            found,
            [warning(
                line(&case, "at = 2026-11-22T14:00:00Z"),
                "event at 2026-11-22T14:00:00Z is in the future, more than 5m ahead of this machine's clock (whose clock wrote it?)"
            )]
        );
        assert!(!found[0].is_error());
        assert_eq!(check_text(&render(&case), PATH, &[], 5), []);
    }

    #[test]
    fn events_a_few_minutes_ahead_are_a_fast_clock_not_a_problem() {
        let case = noted(&opened(), 5);
        let rules = Rules {
            categories: &[],
            now: at(5) - Duration::minutes(4),
            tolerance: Duration::minutes(5),
        };
        assert_eq!(check(&render(&case), Path::new(PATH), &rules), []);
    }

    #[test]
    fn a_leap_second_is_flagged_for_other_readers() {
        let text = render(&opened()).replace("T09:00:00Z", "T09:59:60Z");
        let found = check_text(&text, PATH, &[], 1000);
        assert!(
            found
                .iter()
                .any(|p| p.is_error() && p.message.starts_with("a leap second (:60)")),
            "{found:?}"
        );
    }

    #[test]
    fn the_first_event_must_be_the_opening_at_opened_at_and_the_only_one() {
        let not_opened = with(&opened(), |c| {
            c.events[0] = Event::new(at(0), "ana", Action::Note);
            c.assignee = None;
        });
        assert_eq!(
            problems(&not_opened),
            [problem_at(
                &not_opened,
                "action = \"note\"",
                "the first event is 'note', not 'opened'"
            )]
        );
        let late = with(&opened(), |c| c.events[0].at = Timestamp(at(1)));
        assert_eq!(
            messages(&late),
            ["the opened event is at 2026-11-22T10:00:00Z, but opened_at is 2026-11-22T09:00:00Z"]
        );
        let twice = with(&opened(), |c| {
            c.events.push(Event::new(at(1), "ana", Action::Opened));
        });
        assert_eq!(messages(&twice), ["a case is opened only once"]);
        let none = with(&opened(), |c| c.events.clear());
        assert_eq!(
            problems(&none),
            [problem_at(
                &none,
                "opened_at",
                "the case has no events; the first must be 'opened'"
            )]
        );
    }

    #[test]
    fn keys_that_do_not_fit_an_event_s_action_are_reported_at_the_key() {
        let with_outcome = with(&noted(&opened(), 1), |c| {
            last_event(c).outcome = Some(Outcome::Upheld);
        });
        assert_eq!(
            problems(&with_outcome),
            [problem_at(
                &with_outcome,
                "outcome",
                "a 'note' event has no `outcome`"
            )]
        );
        let cases: [(EventEdit, &str); 5] = [
            (
                |e| e.until = Some(Timestamp(at(9))),
                "a 'note' event has no `until`",
            ),
            (|e| e.option = Some(1), "a 'note' event has no `option`"),
            (
                |e| e.satisfied = Some(true),
                "a 'note' event has no `satisfied`",
            ),
            (|e| e.to = Some("bo".into()), "a 'note' event has no `to`"),
            (
                |e| e.pros = vec!["quick".into()],
                "a 'note' event has no `pros`",
            ),
        ];
        for (change, message) in cases {
            let case = with(&noted(&opened(), 1), |c| change(last_event(c)));
            assert_eq!(messages(&case), [message]);
        }
    }

    #[test]
    fn keys_an_event_s_action_needs_are_reported_when_missing() {
        let unassigned = with(
            &lifecycle::assign(&opened(), &stamp(1), "bo").unwrap(),
            |c| last_event(c).to = None,
        );
        // Reported at the event's header, where the key is missing.
        let header = render(&unassigned)
            .lines()
            .enumerate()
            .filter(|(_, l)| *l == "[[events]]")
            .map(|(i, _)| i + 1)
            .last()
            .unwrap();
        assert!(
            problems(&unassigned).contains(&problem(header, "an 'assigned' event needs `to`")),
            "{:?}",
            problems(&unassigned)
        );
        let undated = with(&resolved(), |c| last_event(c).due = None);
        assert!(
            messages(&undated).contains(&"a 'follow-up-scheduled' event needs `due`".to_string()),
            "{:?}",
            messages(&undated)
        );
        let unnumbered = with(&proposed(&opened(), 1), |c| last_event(c).option = None);
        assert_eq!(messages(&unnumbered), ["a 'proposed' event needs `option`"]);
        // A case may be opened without an assignee.
        let nobody = with(&opened(), |c| {
            c.assignee = None;
            c.events[0].to = None;
        });
        assert_eq!(problems(&nobody), []);
    }

    #[test]
    fn a_status_the_event_log_contradicts_is_reported_with_the_last_change() {
        let case = with(&noted(&opened(), 1), |c| c.status = Status::Closed);
        assert_eq!(
            problems(&case),
            [problem(
                4,
                "status is 'closed' but the event log says 'open' (last change: opened at 2026-11-22T09:00:00Z)"
            )]
        );
    }

    #[test]
    fn a_resolved_status_needs_a_resolution() {
        let case = with(&resolved(), |c| c.resolution = None);
        assert_eq!(
            messages(&case),
            ["status is 'resolved' but there is no [resolution]"]
        );
    }

    #[test]
    fn a_resolution_needs_a_resolved_event_at_its_time_that_agrees_with_it() {
        let moved = with(&resolved(), |c| {
            c.resolution.as_mut().unwrap().resolved_at = Timestamp(at(2));
        });
        assert_eq!(
            problems(&moved),
            [problem_at(
                &moved,
                "resolved_at",
                "no resolved event at 2026-11-22T11:00:00Z, the resolution's resolved_at"
            )]
        );
        let on_open = with(&opened(), |c| c.resolution = resolved().resolution);
        assert_eq!(
            messages(&on_open),
            ["no resolved event at 2026-11-22T10:00:00Z, the resolution's resolved_at"]
        );
        let other_outcome = with(&resolved(), |c| {
            c.resolution.as_mut().unwrap().outcome = Some(Outcome::NotUpheld);
        });
        assert_eq!(
            messages(&other_outcome),
            ["outcome differs from the resolved event's outcome"]
        );
    }

    #[test]
    fn a_follow_up_needs_a_scheduled_event_for_its_due_time() {
        let case = with(&resolved(), |c| {
            c.follow_up.as_mut().unwrap().due = Timestamp(at(50));
        });
        assert_eq!(
            problems(&case),
            [problem_at(
                &case,
                "due = 2026-11-24T11:00:00Z",
                "no follow-up-scheduled event for the due time 2026-11-24T11:00:00Z"
            )]
        );
    }

    #[test]
    fn a_follow_up_answer_needs_it_done_and_matching_its_event() {
        let undone = with(&resolved(), |c| {
            c.follow_up.as_mut().unwrap().satisfied = Some(true);
        });
        assert_eq!(
            problems(&undone),
            [problem_at(
                &undone,
                "satisfied",
                "satisfied is given but the follow-up is not done (no done_at)"
            )]
        );
        let unrecorded = with(&resolved(), |c| {
            c.follow_up.as_mut().unwrap().done_at = Some(Timestamp(at(50)));
        });
        assert_eq!(
            messages(&unrecorded),
            ["no followed-up event at 2026-11-24T11:00:00Z, the follow-up's done_at"]
        );
        let done = lifecycle::record_follow_up(&resolved(), &stamp(50), None, None).unwrap();
        let changed_answer = with(&done, |c| {
            c.follow_up.as_mut().unwrap().satisfied = Some(true);
        });
        assert_eq!(
            messages(&changed_answer),
            ["satisfied differs from the followed-up event's answer"]
        );
    }

    #[test]
    fn the_assignee_must_be_the_last_person_the_case_was_handed_to() {
        let other = with(&opened(), |c| c.assignee = Some("cy".into()));
        assert_eq!(
            problems(&other),
            [problem_at(
                &other,
                "assignee",
                "assignee is cy but the last assignment was to ana"
            )]
        );
        let nobody = with(&opened(), |c| c.assignee = None);
        assert_eq!(
            messages(&nobody),
            ["assignee is nobody but the last assignment was to ana"]
        );
        let escalated = lifecycle::escalate(&opened(), &stamp(1), "cy", "too hard").unwrap();
        let stale = with(&escalated, |c| c.assignee = Some("ana".into()));
        assert_eq!(
            messages(&stale),
            ["assignee is ana but the last assignment was to cy"]
        );
    }

    #[test]
    fn options_are_proposed_once_and_agreed_or_resolved_only_when_proposed() {
        let twice = with(&proposed(&opened(), 1), |c| {
            let again = c.events.last().unwrap().clone();
            c.events.push(again);
        });
        let last_option = render(&twice)
            .lines()
            .enumerate()
            .filter(|(_, l)| *l == "option = 1")
            .map(|(i, _)| i + 1)
            .last()
            .unwrap();
        assert_eq!(
            problems(&twice),
            [problem(last_option, "option 1 is proposed twice")]
        );
        let unproposed = with(&proposed(&opened(), 1), |c| {
            let mut agreed = Event::new(at(2), "ana", Action::Agreed);
            agreed.option = Some(7);
            c.events.push(agreed);
        });
        assert_eq!(
            messages(&unproposed),
            ["agreed to option 7, which was not proposed before"]
        );
        let agreed_first = with(&opened(), |c| {
            let mut agreed = Event::new(at(1), "ana", Action::Agreed);
            agreed.option = Some(1);
            c.events.push(agreed);
        });
        let agreed_first = proposed(&agreed_first, 2);
        assert_eq!(
            messages(&agreed_first),
            ["agreed to option 1, which was not proposed before"]
        );
        let resolved_unproposed = with(&resolved(), |c| {
            c.resolution.as_mut().unwrap().option = Some(9);
        });
        assert_eq!(
            problems(&resolved_unproposed),
            [problem_at(
                &resolved_unproposed,
                "option",
                "the resolution names option 9, which was never proposed"
            )]
        );
    }

    #[test]
    fn a_void_case_agrees_with_its_closed_event() {
        use crate::case::lifecycle::{Voiding, close_void};
        use crate::case::{Void, WaitingOn};
        let other = CaseId::parse_full("20261121-abcde").unwrap();
        let void = close_void(&opened(), &stamp(1), &Voiding::DuplicateOf(other), None).unwrap();
        assert_eq!(problems(&void), []);
        let unmarked = with(&void, |c| c.void = None);
        assert_eq!(
            messages(&unmarked),
            ["the case is not void but its last closed event says duplicate of 20261121-abcde"]
        );
        let open_but_void = with(&opened(), |c| c.void = Some(Void::OpenedInError));
        assert_eq!(
            messages(&open_but_void),
            ["the case is opened-in-error but its last closed event says not void"]
        );
        let no_original = with(&void, |c| {
            c.duplicate_of = None;
            last_event(c).duplicate_of = None;
        });
        assert_eq!(
            messages(&no_original),
            ["a duplicate needs `duplicate_of`, the case it repeats"]
        );
        let on_a_note = with(&noted(&opened(), 1), |c| {
            last_event(c).on = Some(WaitingOn::Customer);
        });
        assert_eq!(messages(&on_a_note), ["a 'note' event has no `on`"]);
    }

    #[test]
    fn an_edited_event_names_a_field_and_fits_its_values() {
        use crate::case::EditField;
        use crate::case::lifecycle::{Correction, edit};
        let fix = [Correction::Set(EditField::Severity, Some("high".into()))];
        let edited = edit(&opened(), &stamp(1), &fix).unwrap();
        assert_eq!(problems(&edited), []);
        let bad = with(&edited, |c| last_event(c).new = Some("urgent".into()));
        let found = messages(&bad);
        assert!(
            found.iter().any(|m| m.starts_with("new: unknown severity")),
            "{found:?}"
        );
        let nothing = with(&edited, |c| {
            last_event(c).old = None;
            last_event(c).new = None;
        });
        assert!(messages(&nothing).contains(&"an 'edited' event needs `old` or `new`".to_string()));
        let by_hand = with(&edited, |c| c.severity = crate::case::Severity::Low);
        let found = check_text(&render(&by_hand), PATH, &[], 1000);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].severity, Severity::Note);
        assert_eq!(
            found[0].message,
            "severity is 'low' but the last edited event for it says 'high': edited by hand? `caselog fmt --record-edits` records it"
        );
        assert_eq!(found[0].line, line(&by_hand, "severity"));
    }

    #[test]
    fn a_redacted_case_passes_and_its_event_says_what_and_why() {
        use crate::case::lifecycle::{Correction, edit, redact};
        use crate::case::{EditField, PersonalField};
        let fix = [
            Correction::Set(EditField::PreferredContact, Some("phone".into())),
            Correction::Set(EditField::Contact, Some("jo@example.com".into())),
        ];
        let case = edit(&resolved(), &stamp(2), &fix).unwrap();
        let case = lifecycle::close(&case, &stamp(3), Some("done")).unwrap();
        let redacted = redact(
            &case,
            &stamp(4),
            PersonalField::ALL,
            "erasure request",
            false,
            b"s",
        )
        .unwrap();
        assert_eq!(problems(&redacted), []);
        let no_fields = with(&redacted, |c| last_event(c).fields.clear());
        assert_eq!(messages(&no_fields), ["a 'redacted' event needs `fields`"]);
        let no_reason = with(&redacted, |c| last_event(c).text = None);
        assert_eq!(
            messages(&no_reason),
            ["a 'redacted' event needs `text`, the reason"]
        );
        let on_a_note = with(&noted(&opened(), 1), |c| {
            last_event(c).fields = vec![PersonalField::Notes];
        });
        assert_eq!(messages(&on_a_note), ["a 'note' event has no `fields`"]);
    }

    #[test]
    fn a_card_number_is_an_error_at_its_line_unless_allowed_masked() {
        let case = lifecycle::annotate(
            &opened(),
            &stamp(1),
            Action::Note,
            "Tracking 4111111111111111",
        )
        .unwrap();
        assert_eq!(
            problems(&case),
            [problem_at(
                &case,
                "text = \"Tracking",
                "a likely payment card number (**** **** **** 1111), which must never be stored: replace it with that masked form, and purge it from git history if it was committed"
            )]
        );
        let allowed = with(&case, |c| {
            last_event(c).allowed_card_like_numbers = vec!["**** **** **** 1111".into()];
        });
        assert_eq!(problems(&allowed), []);
        let unmasked = with(&noted(&opened(), 1), |c| {
            last_event(c).allowed_card_like_numbers = vec!["4111 1111 1111 1112".into()];
        });
        assert_eq!(
            messages(&unmasked),
            [
                "allowed_card_like_numbers holds '**** **** **** 1112', which is not masked: keep at most its last four digits"
            ]
        );
        let full_width = with(&noted(&opened(), 1), |c| {
            last_event(c).allowed_card_like_numbers =
                vec!["４１１１ １１１１ １１１１ １１１２".into()];
        });
        assert_eq!(messages(&full_width), messages(&unmasked));
    }

    #[test]
    fn a_carriage_return_in_a_tag_or_by_is_a_line_break_too() {
        let tagged = with(&opened(), |c| c.tags = vec!["post\rglass".into()]);
        assert_eq!(
            messages(&tagged),
            ["the tag 'post\\rglass' is empty or holds ';' or a line break"]
        );
        let signed = with(&noted(&opened(), 1), |c| {
            last_event(c).by = "ana\rbo".into()
        });
        assert_eq!(messages(&signed), ["by must name one person on one line"]);
    }

    #[test]
    fn a_message_id_fits_only_mail_events_and_must_be_one_token() {
        let received = with(&noted(&opened(), 1), |c| {
            let e = last_event(c);
            e.action = Action::Customer;
            e.message_id = Some("a1@mail.example.com".into());
        });
        assert_eq!(problems(&received), []);
        let on_a_call = with(&noted(&opened(), 1), |c| {
            let e = last_event(c);
            e.action = Action::Call;
            e.message_id = Some("a1@mail.example.com".into());
        });
        assert_eq!(messages(&on_a_call), ["a 'call' event has no `message_id`"]);
        let broken = with(&received, |c| {
            last_event(c).message_id = Some("<a1@x> Bcc: y".into());
        });
        assert_eq!(messages(&broken).len(), 1, "{:?}", messages(&broken));
        assert!(messages(&broken)[0].starts_with("message_id must be one e-mail Message-ID"));
    }
}
