//! A case's own fields as `edit` corrects them: each read and written by
//! name as one text (tags joined with "; "), so an `edited` event records
//! any of them alike, and `check` can tell which differ from what the
//! event log implies.

use chrono::{DateTime, Utc};

use crate::case::redaction;
use crate::case::{Action, Case, Channel, EditField, Event, Severity};
use crate::error::InputError;

/// A short value that must be present and fit on one line.
pub fn check_one_line(what: &str, value: &str) -> Result<(), InputError> {
    if value.trim().is_empty() {
        return Err(InputError::Invalid(format!("{what} is empty")));
    }
    if value.contains(['\n', '\r']) {
        return Err(InputError::Invalid(format!("{what} must be one line")));
    }
    Ok(())
}

/// Refuses a tag holding ';': tags are joined by it (in exports, in an
/// `edited` event), so one holding it would come back as two.
pub fn check_tag_separator(tag: &str) -> Result<(), InputError> {
    if tag.contains(';') {
        return Err(InputError::Invalid(format!(
            "the tag '{tag}' contains ';', which separates tags in exports"
        )));
    }
    Ok(())
}

/// How tags are joined into one value (exports join them so too).
pub const TAG_SEPARATOR: &str = "; ";

/// Tags as one value; `None` when there are none.
pub fn join_tags(tags: &[String]) -> Option<String> {
    (!tags.is_empty()).then(|| tags.join(TAG_SEPARATOR))
}

/// One value back into tags: trimmed, blanks dropped, each once.
pub fn split_tags(value: &str) -> Vec<String> {
    clean_tags(value.split(';'))
}

/// Tags as a person or a file gave them: each trimmed (blanks around a
/// tag are no part of it), blanks dropped, each once where first given.
pub fn clean_tags<'t>(given: impl IntoIterator<Item = &'t str>) -> Vec<String> {
    let mut tags: Vec<String> = Vec::new();
    for tag in given.into_iter().map(str::trim).filter(|t| !t.is_empty()) {
        if !tags.iter().any(|t| t == tag) {
            tags.push(tag.to_string());
        }
    }
    tags
}

impl EditField {
    /// The field's value on `case`; `None` when unset.
    pub fn get(self, case: &Case) -> Option<String> {
        match self {
            EditField::Title => Some(case.title.clone()),
            EditField::Customer => Some(case.customer.name.clone()),
            EditField::Contact => case.customer.contact.clone(),
            EditField::Reference => case.customer.reference.clone(),
            EditField::PreferredContact => case.customer.preferred_contact.map(|c| c.to_string()),
            EditField::Channel => Some(case.channel.to_string()),
            EditField::Category => case.category.clone(),
            EditField::Severity => Some(case.severity.to_string()),
            EditField::Tags => join_tags(&case.tags),
            EditField::Wants => case.complaint.wants.clone(),
        }
    }

    /// Whether every case has one (it can be changed, not cleared).
    pub fn required(self) -> bool {
        matches!(
            self,
            EditField::Title | EditField::Customer | EditField::Channel | EditField::Severity
        )
    }

    /// Where the field is in the case file, as `changes` names keys.
    pub fn file_key(self) -> &'static str {
        match self {
            EditField::Title => "title",
            EditField::Customer => "customer.name",
            EditField::Contact => "customer.contact",
            EditField::Reference => "customer.reference",
            EditField::PreferredContact => "customer.preferred_contact",
            EditField::Channel => "channel",
            EditField::Category => "category",
            EditField::Severity => "severity",
            EditField::Tags => "tags",
            EditField::Wants => "complaint.wants",
        }
    }

    /// How a person names the field in a sentence.
    pub fn label(self) -> &'static str {
        match self {
            EditField::Title => "title",
            EditField::Customer => "customer name",
            EditField::Contact => "contact",
            EditField::Reference => "reference",
            EditField::PreferredContact => "preferred contact",
            EditField::Channel => "channel",
            EditField::Category => "category",
            EditField::Severity => "severity",
            EditField::Tags => "tags",
            EditField::Wants => "remedy wanted",
        }
    }

    /// A value checked as `open` checks it, in the spelling it is kept in.
    pub fn check(self, value: &str) -> Result<String, InputError> {
        let what = format!("the {}", self.label());
        match self {
            EditField::Title
            | EditField::Customer
            | EditField::Contact
            | EditField::Reference
            | EditField::Category => {
                check_one_line(&what, value)?;
                Ok(value.to_string())
            }
            EditField::PreferredContact | EditField::Channel => value
                .trim()
                .parse::<Channel>()
                .map(|c| c.to_string())
                .map_err(InputError::Invalid),
            EditField::Severity => value
                .trim()
                .parse::<Severity>()
                .map(|s| s.to_string())
                .map_err(InputError::Invalid),
            EditField::Tags => {
                for tag in value.split(';') {
                    if tag.contains(['\n', '\r']) {
                        return Err(InputError::Invalid("a tag must be one line".into()));
                    }
                }
                join_tags(&split_tags(value))
                    .ok_or_else(|| InputError::Invalid("the tags are empty".into()))
            }
            EditField::Wants => {
                if value.trim().is_empty() {
                    return Err(InputError::Invalid(format!("{what} is empty")));
                }
                Ok(value.to_string())
            }
        }
    }

    /// Sets the field to a value [`EditField::check`] accepted, or clears it.
    pub(crate) fn set(self, case: &mut Case, value: Option<&str>) {
        let text = value.map(str::to_string);
        match self {
            EditField::Title => case.title = text.unwrap_or_default(),
            EditField::Customer => case.customer.name = text.unwrap_or_default(),
            EditField::Contact => case.customer.contact = text,
            EditField::Reference => case.customer.reference = text,
            EditField::PreferredContact => {
                case.customer.preferred_contact = value.and_then(|v| v.parse().ok());
            }
            EditField::Channel => {
                if let Some(channel) = value.and_then(|v| v.parse().ok()) {
                    case.channel = channel;
                }
            }
            EditField::Category => case.category = text,
            EditField::Severity => {
                if let Some(severity) = value.and_then(|v| v.parse().ok()) {
                    case.severity = severity;
                }
            }
            EditField::Tags => case.tags = value.map(split_tags).unwrap_or_default(),
            EditField::Wants => case.complaint.wants = text,
        }
    }
}

/// A field whose value is not what the event log accounts for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unrecorded {
    pub field: EditField,
    /// The value the log (or the earlier version) implies.
    pub was: Option<String>,
    /// The value the file holds.
    pub now: Option<String>,
}

/// Whether a field of `case` was edited after `at`: what it held at `at`
/// is then in those events' `old` values, which only a whole case file
/// has (the index keeps no edit's values).
pub fn edited_after(case: &Case, at: DateTime<Utc>) -> bool {
    case.events
        .iter()
        .any(|e| e.action == Action::Edited && e.at.0 > at)
}

/// `case` (read whole) with its own fields as they stood at `at`: each
/// edit after it undone, latest first. A report as of a past day groups
/// and judges the case by the category, severity and customer it had then.
pub fn as_it_stood(case: &Case, at: DateTime<Utc>) -> Case {
    let mut then = case.clone();
    for e in case.events.iter().rev().take_while(|e| e.at.0 > at) {
        if e.action == Action::Edited
            && let Some(field) = e.field
        {
            field.set(&mut then, e.old.as_deref());
        }
    }
    then
}

/// The last `edited` event for `field` among `events`.
fn last_edit(events: &[Event], field: EditField) -> Option<&Event> {
    events
        .iter()
        .rev()
        .find(|e| e.action == Action::Edited && e.field == Some(field))
}

/// Fields whose value differs from the `new` of the last `edited` event
/// for them: changed by hand since the log last recorded them.
pub fn differing_from_log(case: &Case) -> Vec<Unrecorded> {
    EditField::ALL
        .iter()
        .filter_map(|&field| {
            let edit = last_edit(&case.events, field)?;
            let now = field.get(case);
            // A redaction left a marker in the log, and in the field a
            // marker or nothing (a preferred contact is removed).
            let redacted = edit.new.as_deref().is_some_and(redaction::is_marker);
            if field == EditField::Tags {
                // Tags merge as a set: two branches that each tagged the
                // case leave both tags, which neither last edit names.
                let (was, held) = (tags_from_log(case), &case.tags);
                let same = was.len() == held.len() && was.iter().all(|t| held.contains(t));
                return (!same && !redacted).then(|| Unrecorded {
                    field,
                    was: join_tags(&was),
                    now,
                });
            }
            (now != edit.new && !redacted).then(|| Unrecorded {
                field,
                was: edit.new.clone(),
                now,
            })
        })
        .collect()
}

/// The tags the event log accounts for: from what the first `edited`
/// event for tags found, each such event's tags added and removed in turn.
/// One after another, that is what the last one set; merged from two
/// branches, it is both branches' changes, as the merge driver keeps them.
fn tags_from_log(case: &Case) -> Vec<String> {
    let mut edits = case
        .events
        .iter()
        .filter(|e| e.action == Action::Edited && e.field == Some(EditField::Tags));
    let Some(first) = edits.next() else {
        return case.tags.clone();
    };
    let mut tags = split_tags(first.old.as_deref().unwrap_or(""));
    for e in std::iter::once(first).chain(edits) {
        let (old, new) = (
            split_tags(e.old.as_deref().unwrap_or("")),
            split_tags(e.new.as_deref().unwrap_or("")),
        );
        tags.retain(|t| new.contains(t) || !old.contains(t));
        for tag in new {
            if !old.contains(&tag) && !tags.contains(&tag) {
                tags.push(tag);
            }
        }
    }
    tags
}

/// Fields changed from `earlier` (the same case at an earlier version,
/// say git's HEAD) to `case` with no `edited` event for them among the
/// events `case` added since.
pub fn changed_without_event(earlier: &Case, case: &Case) -> Vec<Unrecorded> {
    let added: Vec<Event> = case
        .events
        .iter()
        .filter(|e| !earlier.events.contains(e))
        .cloned()
        .collect();
    EditField::ALL
        .iter()
        .filter_map(|&field| {
            let (was, now) = (field.get(earlier), field.get(case));
            let redacted = added.iter().any(|e| {
                e.action == Action::Redacted
                    && redaction::personal(field).is_some_and(|p| e.fields.contains(&p))
            });
            (was != now && last_edit(&added, field).is_none() && !redacted).then_some(Unrecorded {
                field,
                was,
                now,
            })
        })
        .collect()
}

/// Every field a case holds unrecorded: first against its own log, then
/// against an earlier version when there is one; each field once.
pub fn unrecorded(earlier: Option<&Case>, case: &Case) -> Vec<Unrecorded> {
    let mut out = differing_from_log(case);
    if let Some(earlier) = earlier {
        for found in changed_without_event(earlier, case) {
            if !out.iter().any(|u| u.field == found.field) {
                out.push(found);
            }
        }
    }
    out.sort_by_key(|u| u.field);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::lifecycle::tests::{opened, stamp};
    use crate::case::lifecycle::{Correction, edit};

    fn retitled() -> Case {
        let fix = [Correction::Set(
            EditField::Title,
            Some("Vase broken".into()),
        )];
        edit(&opened(), &stamp(1), &fix).unwrap()
    }

    #[test]
    fn a_field_changed_after_its_last_edited_event_differs_from_the_log() {
        assert_eq!(differing_from_log(&retitled()), []);
        let mut by_hand = retitled();
        by_hand.title = "Vase smashed".into();
        by_hand.category = Some("delivery".into());
        // The category has no edited event: the log alone cannot tell.
        assert_eq!(
            differing_from_log(&by_hand),
            [Unrecorded {
                field: EditField::Title,
                was: Some("Vase broken".into()),
                now: Some("Vase smashed".into()),
            }]
        );
    }

    #[test]
    fn a_field_changed_since_an_earlier_version_needs_an_event_among_the_new_ones() {
        let earlier = opened();
        assert_eq!(changed_without_event(&earlier, &retitled()), []);
        let mut by_hand = earlier.clone();
        by_hand.tags = vec!["glass".into()];
        assert_eq!(
            changed_without_event(&earlier, &by_hand),
            [Unrecorded {
                field: EditField::Tags,
                was: None,
                now: Some("glass".into()),
            }]
        );
        // An event from before the earlier version does not account for it.
        let mut again = retitled();
        again.title = "Parcel arrived broken".into();
        assert_eq!(unrecorded(Some(&retitled()), &again).len(), 1);
    }

    #[test]
    fn tags_join_and_split_as_exports_do() {
        assert_eq!(split_tags(" a ; b;a;; "), ["a", "b"]);
        assert_eq!(join_tags(&split_tags("a;b")).as_deref(), Some("a; b"));
        assert_eq!(join_tags(&[]), None);
    }
}
