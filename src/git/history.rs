//! What one change to a case file did, in the user's words: cases opened,
//! resolved, reopened, closed, followed up, reassigned, notes added.
//!
//! Computed from the two versions of the file: the events the later one
//! adds say what happened; other field edits are listed as `key: old → new`.

use serde::Serialize;

use crate::case::event_log::merge_events;
use crate::case::file::all_sections;
use crate::case::lifecycle::{self, void_words, waited_on};
use crate::case::redaction;
use crate::case::{Action, Case, EditField, Event, Replay, Status, Void, replay};
use crate::time::{Zone, format_time};

/// What happened to one case between two versions of its file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CaseChange {
    pub id: String,
    pub title: String,
    /// `added`, `deleted`, `modified` or `renamed`.
    pub file: &'static str,
    pub path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub renamed_from: Option<String>,
    /// One line per thing that happened, in order.
    pub summary: Vec<String>,
    /// The events the change added.
    pub events: Vec<Event>,
    /// The events the change took away or changed (their earlier
    /// versions): an event log only grows, so a reviewer must see these.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub removed_events: Vec<Event>,
    /// Fields changed other than through events.
    pub fields: Vec<FieldEdit>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldEdit {
    pub key: String,
    pub from: Option<String>,
    pub to: Option<String>,
}

/// Fields whose changes the events already tell.
const TOLD_BY_EVENTS: &[&str] = &[
    "status",
    "assignee",
    "resolution.summary",
    "resolution.agreed",
    "resolution.resolved_at",
    "resolution.resolved_by",
    "resolution.option",
    "resolution.outcome",
    "resolution.root_cause",
    "resolution.redress",
    "follow_up.due",
    "follow_up.done_at",
    "follow_up.satisfied",
    "void",
    "duplicate_of",
];

/// One version of a case file as git holds it: absent (`None`), a case,
/// or a file that is no case, with why (a conflict committed, a hand edit
/// gone wrong), named `shown`.
pub fn version(bytes: Option<Vec<u8>>, shown: &str) -> Result<Option<Case>, String> {
    let Some(bytes) = bytes else { return Ok(None) };
    let text = String::from_utf8(bytes).map_err(|_| format!("{shown}: not UTF-8 text"))?;
    crate::case::file::parse(shown, &text)
        .map(Some)
        .map_err(|e| e.to_string())
}

/// Describes the change from `before` to `after` (either may be absent:
/// an added or deleted file), with times shown in `zone`.
pub fn describe(
    before: Option<&Case>,
    after: Option<&Case>,
    file: &'static str,
    path: &str,
    renamed_from: Option<String>,
    zone: Zone,
) -> Option<CaseChange> {
    let shown = after.or(before)?;
    // A redaction changes what earlier events say: told as one redaction,
    // with the earlier version read as the redaction left it.
    let caught_up = match (before, after) {
        (Some(b), Some(a)) => Some(redaction::catch_up(b, a)),
        _ => None,
    };
    let before = caught_up.as_ref().or(before);
    let old_events: &[Event] = before.map_or(&[], |c| &c.events);
    let new_events: Vec<Event> = match after {
        Some(after) => {
            // Events present after but not before, even if re-ordered by a merge.
            let union = merge_events(old_events, &after.events);
            let mut remaining: Vec<&Event> = old_events.iter().collect();
            union
                .into_iter()
                .filter(|e| after.events.contains(e))
                .filter(|e| match remaining.iter().position(|o| *o == e) {
                    Some(i) => {
                        remaining.remove(i);
                        false
                    }
                    None => true,
                })
                .collect()
        }
        None => Vec::new(),
    };
    let mut summary = Vec::new();
    if after.is_none() {
        summary.push("case file deleted".to_string());
    }
    if let Some(from) = &renamed_from {
        summary.push(format!("moved from {from}"));
    }
    // An event log only grows: an event the earlier version holds and the
    // later one lacks was taken away (a `git revert` of a note, a hand
    // edit), and one rewritten shows as its new version added. Each is
    // told, or a reviewer would read a removal as no change at all.
    let removed_events = match after {
        Some(after) => taken_away(old_events, &after.events),
        None => Vec::new(),
    };
    let mut added = new_events.clone();
    for gone in &removed_events {
        let rewritten = added
            .iter()
            .position(|e| e.at == gone.at && e.by == gone.by && e.action == gone.action);
        let what = match rewritten {
            Some(i) => {
                added.remove(i);
                "changed"
            }
            None => "removed",
        };
        summary.push(format!(
            "{} event of {} by {} {what}",
            gone.action,
            format_time(gone.at.0, zone),
            crate::untrusted::line(&gone.by)
        ));
    }
    let start = before.map_or_else(Replay::default, |b| {
        replay(b.events.iter().map(|e| (e.action, e.on)))
    });
    let agreed = before.and_then(lifecycle::agreement).and_then(|e| e.option);
    summarise(&added, start, agreed, zone, &mut summary);
    let fields = match (before, after) {
        (Some(b), Some(a)) => field_edits(b, a, &new_events),
        _ => Vec::new(),
    };
    for edit in &fields {
        summary.push(format!(
            "{}: {} → {}",
            edit.key,
            edit.from.as_deref().unwrap_or("(none)"),
            edit.to.as_deref().unwrap_or("(none)")
        ));
    }
    if summary.is_empty() {
        summary.push("layout only (no change to the case)".to_string());
    }
    Some(CaseChange {
        id: shown.id.to_string(),
        title: shown.title.clone(),
        file,
        path: path.to_string(),
        renamed_from,
        summary,
        events: new_events,
        removed_events,
        fields,
    })
}

/// The events of `before` that `after` does not hold, each as often as
/// it is missing, in `before`'s order.
fn taken_away(before: &[Event], after: &[Event]) -> Vec<Event> {
    let mut held: Vec<&Event> = after.iter().collect();
    before
        .iter()
        .filter(|e| match held.iter().position(|h| h == e) {
            Some(i) => {
                held.remove(i);
                false
            }
            None => true,
        })
        .cloned()
        .collect()
}

/// One line per thing the new `events` did, told from where the case stood
/// before them (`state`, and the option agreed in the current round).
fn summarise(
    events: &[Event],
    mut state: Replay,
    mut agreed: Option<u32>,
    zone: Zone,
    out: &mut Vec<String>,
) {
    let mut notes: Vec<(Action, usize)> = Vec::new();
    let flush = |notes: &mut Vec<(Action, usize)>, out: &mut Vec<String>| {
        for (action, count) in notes.drain(..) {
            let noun = match action {
                Action::Note => "note",
                Action::Reply => "reply to the customer",
                Action::Call => "call",
                Action::Email => "email",
                Action::Customer => "message from the customer",
                _ => "question",
            };
            out.push(if count == 1 {
                format!("{noun} added")
            } else {
                format!("{count} {} added", plural(noun))
            });
        }
    };
    for e in events {
        let was = state;
        state.apply(e.action, e.on);
        let line = match e.action {
            Action::Note
            | Action::Reply
            | Action::Call
            | Action::Email
            | Action::Customer
            | Action::Question => {
                match notes.iter_mut().find(|(a, _)| *a == e.action) {
                    Some((_, count)) => *count += 1,
                    None => notes.push((e.action, 1)),
                }
                continue;
            }
            Action::Opened => "opened".to_string(),
            Action::Assigned => format!("reassigned to {}", e.to.as_deref().unwrap_or("?")),
            Action::Waiting => {
                let on =
                    e.on.map(|o| format!(" on {}", waited_on(o)))
                        .unwrap_or_default();
                let until = e
                    .until
                    .map(|t| format!(" until {}", format_time(t.0, zone)))
                    .unwrap_or_default();
                let why = e
                    .text
                    .as_deref()
                    .map(|t| format!(": {}", first_line(Some(t))))
                    .unwrap_or_default();
                if was.status == Status::Waiting {
                    format!("wait changed: now waiting{on}{until}{why}")
                } else {
                    format!("waiting{on}{until}{why}")
                }
            }
            Action::Edited => edited_words(e),
            Action::Resumed => "resumed".to_string(),
            Action::Resolved => {
                let mut told = format!("resolved: {}", first_line(e.text.as_deref()));
                if let Some(outcome) = e.outcome {
                    told.push_str(&format!(" ({outcome})"));
                }
                if let Some(cause) = &e.root_cause {
                    told.push_str(&format!("; root cause: {}", first_line(Some(cause))));
                }
                if let Some(redress) = &e.redress {
                    told.push_str(&format!("; redress: {}", first_line(Some(redress))));
                }
                told
            }
            Action::FollowUpScheduled => format!(
                "follow-up scheduled for {}",
                e.due.map(|d| format_time(d.0, zone)).unwrap_or_default()
            ),
            Action::FollowedUp => match e.satisfied {
                Some(true) => "followed up: customer satisfied".to_string(),
                Some(false) => "followed up: customer not satisfied".to_string(),
                None => "followed up: no answer".to_string(),
            },
            Action::Closed => {
                let why = e
                    .text
                    .as_deref()
                    .map(|t| first_line(Some(t)))
                    .map(|t| format!(": {t}"))
                    .unwrap_or_default();
                match (e.void, &e.duplicate_of) {
                    (Some(Void::Duplicate), Some(other)) => {
                        format!("closed as a duplicate of {other}{why}")
                    }
                    (Some(void), _) => format!("closed as {}{why}", void_words(void)),
                    (None, _) => format!("closed{why}"),
                }
            }
            Action::Reopened => {
                agreed = None;
                format!("reopened: {}", first_line(e.text.as_deref()))
            }
            Action::Imported => "imported".to_string(),
            Action::Redacted => {
                let fields: Vec<&str> = e.fields.iter().map(|f| f.as_str()).collect();
                format!(
                    "personal data redacted ({}): {}",
                    fields.join(", "),
                    first_line(e.text.as_deref())
                )
            }
            Action::Acknowledged => "acknowledged to the customer".to_string(),
            Action::Listened => "listened and summarised back".to_string(),
            Action::Apologised => "apologised".to_string(),
            Action::Thanked => "thanked the customer".to_string(),
            Action::Proposed => format!(
                "option {} proposed: {}",
                e.option.unwrap_or(0),
                first_line(e.text.as_deref())
            ),
            Action::Agreed => {
                let how = e.how.map(|h| format!(" ({h})")).unwrap_or_default();
                let option = e.option.unwrap_or(0);
                let told = match agreed {
                    Some(earlier) => format!(
                        "customer changed their mind: agreed to option {option} instead of option {earlier}{how}"
                    ),
                    None => format!("customer agreed to option {option}{how}"),
                };
                agreed = e.option;
                told
            }
            Action::Escalated => format!(
                "escalated to {}: {}",
                e.to.as_deref().unwrap_or("?"),
                first_line(e.text.as_deref())
            ),
        };
        flush(&mut notes, out);
        out.push(line);
    }
    flush(&mut notes, out);
}

/// An `edited` event in words: `edited the title: "A" → "B"`.
fn edited_words(e: &Event) -> String {
    let value = |v: &Option<String>| match v {
        Some(v) => format!("\"{}\"", first_line(Some(v))),
        None => "(none)".to_string(),
    };
    let field = e.field.map_or("a field", EditField::label);
    format!("edited the {field}: {} → {}", value(&e.old), value(&e.new))
}

fn plural(noun: &str) -> String {
    match noun {
        "reply to the customer" => "replies to the customer".into(),
        "message from the customer" => "messages from the customer".into(),
        other => format!("{other}s"),
    }
}

fn first_line(text: Option<&str>) -> String {
    let line = text.unwrap_or("").lines().next().unwrap_or("");
    crate::untrusted::line(line).into_owned()
}

/// Fields changed other than through events: not told by any event kind,
/// nor by an `edited` event among the new ones (a hand edit shows here).
fn field_edits(before: &Case, after: &Case, new_events: &[Event]) -> Vec<FieldEdit> {
    let edited: Vec<&str> = new_events
        .iter()
        .filter(|e| e.action == Action::Edited)
        .filter_map(|e| e.field.map(EditField::file_key))
        .collect();
    let mut out = Vec::new();
    for ((section, old), (_, new)) in all_sections(before).iter().zip(all_sections(after)) {
        for (o, n) in old.iter().zip(new) {
            let key = match section.header() {
                Some(h) => format!("{h}.{}", o.key),
                None => o.key.to_string(),
            };
            if o.literal != n.literal
                && !TOLD_BY_EVENTS.contains(&key.as_str())
                && !edited.contains(&key.as_str())
            {
                out.push(FieldEdit {
                    key,
                    from: o
                        .literal
                        .as_deref()
                        .map(|l| crate::untrusted::line(l).into_owned()),
                    to: n
                        .literal
                        .as_deref()
                        .map(|l| crate::untrusted::line(l).into_owned()),
                });
            }
        }
    }
    out
}
