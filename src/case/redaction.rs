//! Erasing a customer's personal data from a case (GDPR art. 17) while
//! keeping what reports need: dates, category, severity, statuses, the
//! kinds and times of events, outcome and root cause.
//!
//! Each personal value is replaced by a marker naming the day it was
//! erased (`[redacted 2026-11-23]`), so a reader sees that something was
//! there; a value that is a marker already stays as it is, so redacting a
//! case twice changes nothing. The preferred contact, a channel word, is
//! removed instead. Nothing here touches files.

use chrono::{DateTime, NaiveDate, Utc};

use crate::case::{Action, Case, EditField, Event, PersonalField};

/// The fields and free texts `[personal_data]` names by default: the
/// customer's own fields, and (with `free_text`) every free text.
pub const CUSTOMER_FIELDS: &[PersonalField] = &[
    PersonalField::Customer,
    PersonalField::Contact,
    PersonalField::Reference,
    PersonalField::PreferredContact,
];

/// The free texts, which `free_text = true` counts as personal.
pub const FREE_TEXT: &[PersonalField] = &[
    PersonalField::Title,
    PersonalField::Summary,
    PersonalField::Wants,
    PersonalField::Resolution,
    PersonalField::Redress,
    PersonalField::Notes,
];

/// The marker a value erased on `day` becomes.
pub fn marker(day: NaiveDate) -> String {
    format!("[redacted {}]", day.format("%Y-%m-%d"))
}

/// Whether `text` is a marker: what a redaction left, never the customer's.
pub fn is_marker(text: &str) -> bool {
    text.strip_prefix("[redacted ")
        .and_then(|rest| rest.strip_suffix(']'))
        .is_some_and(|day| day.len() == 10 && NaiveDate::parse_from_str(day, "%Y-%m-%d").is_ok())
}

/// What marks a Message-ID a redaction erased.
const ERASED: &str = "erased-";

/// What a redaction leaves of a Message-ID: a one-way digest of it. Many
/// mail programs build the id from the sender's address or host, so the
/// id goes with the customer's contact; the digest still tells the same
/// message delivered again, and is the same on every branch (a merge
/// converges).
pub fn erased(id: &str) -> String {
    use sha2::{Digest, Sha256};
    if is_erased(id) {
        return id.to_string();
    }
    let digest = Sha256::digest(id.as_bytes());
    format!("{ERASED}{}", crate::hex::of(&digest[..16]))
}

/// What an id from elsewhere that holds a likely card number is kept as:
/// `erased-` and a digest keyed with the log's `secret` (HMAC-SHA256). An
/// unkeyed digest of a card number is no protection: its last four digits
/// are shown, the first are a network's, the Luhn check fixes one more,
/// so the rest can be tried in minutes (PCI DSS 3.5.1.1 asks for a keyed
/// hash).
pub fn erased_keyed(secret: &[u8], id: &str) -> String {
    use hmac::{Hmac, Mac};
    // HMAC takes a key of any length; this cannot fail.
    let mut mac = match Hmac::<sha2::Sha256>::new_from_slice(secret) {
        Ok(mac) => mac,
        Err(_) => unreachable!("HMAC accepts keys of any length"),
    };
    mac.update(id.as_bytes());
    let digest = mac.finalize().into_bytes();
    format!("{ERASED}{}", crate::hex::of(&digest[..16]))
}

/// Whether a stored Message-ID is what a redaction left.
pub fn is_erased(id: &str) -> bool {
    id.starts_with(ERASED)
}

/// What a row digest (`row-…`, see `exchange::fingerprint`) becomes once
/// keyed: `row-k` and hex, which a plain digest (hex only) never starts with.
const KEYED_ROW: &str = "row-k";

/// Where the digest of a row's `source_id` starts (after a source's
/// `name:`), if the id is a row digest, plain or keyed.
fn row_digest_at(source_id: &str) -> Option<usize> {
    let at = source_id.rfind("row-")?;
    let before_ok = at == 0 || source_id[..at].ends_with(':');
    let digest = source_id[at + "row-".len()..].trim_start_matches('k');
    let hex_ok = digest.len() == 16 && digest.bytes().all(|b| b.is_ascii_hexdigit());
    (before_ok && hex_ok).then_some(at)
}

/// Whether `source_id` is a row digest a redaction keyed.
fn is_keyed_row(source_id: &str) -> bool {
    row_digest_at(source_id).is_some_and(|at| source_id[at..].starts_with(KEYED_ROW))
}

/// A plain row digest keyed with the log's `secret` (HMAC-SHA256), as a
/// redaction leaves it; `None` for any other id. The plain digest is an
/// unkeyed hash of the row's title, customer, opened_at and summary: once
/// the case is redacted, anyone holding the file could confirm a guessed
/// name with it (the title and summary stay when `[personal_data]` does
/// not count free text). Keyed, only a holder of the secret can, which
/// an import does to recognise the row when it comes again.
pub fn keyed_row(secret: &[u8], source_id: &str) -> Option<String> {
    use hmac::{Hmac, Mac};
    let at = row_digest_at(source_id)?;
    if is_keyed_row(source_id) {
        return None;
    }
    // HMAC takes a key of any length; this cannot fail.
    let mut mac = match Hmac::<sha2::Sha256>::new_from_slice(secret) {
        Ok(mac) => mac,
        Err(_) => unreachable!("HMAC accepts keys of any length"),
    };
    mac.update(source_id.as_bytes());
    let digest = mac.finalize().into_bytes();
    Some(format!(
        "{}{KEYED_ROW}{}",
        &source_id[..at],
        crate::hex::of(&digest[..8])
    ))
}

/// Keys every plain row digest on `case`'s events at or before `upto`;
/// whether one was.
fn key_rows(case: &mut Case, secret: &[u8], upto: DateTime<Utc>) -> bool {
    let mut did = false;
    for e in case.events.iter_mut().filter(|e| e.at.0 <= upto) {
        if let Some(keyed) = e.source_id.as_deref().and_then(|id| keyed_row(secret, id)) {
            e.source_id = Some(keyed);
            did = true;
        }
    }
    did
}

/// Takes the row digests `other` keyed where `case`'s same `imported`
/// event holds them plain, or keyed with another clone's secret (the
/// smaller then, so both sides agree): a branch that redacted a case
/// merges with one that did not without bringing the plain digest back,
/// and without needing the redacting clone's secret.
fn take_keyed_rows(case: &mut Case, other: &Case) {
    for e in case
        .events
        .iter_mut()
        .filter(|e| e.action == Action::Imported)
    {
        let Some(mine) = e
            .source_id
            .as_deref()
            .filter(|id| row_digest_at(id).is_some())
        else {
            continue;
        };
        let theirs = other
            .events
            .iter()
            .filter(|o| o.action == Action::Imported && o.at == e.at && o.by == e.by)
            .filter_map(|o| o.source_id.as_deref())
            .find(|theirs| is_keyed_row(theirs));
        if let Some(theirs) = theirs
            && (!is_keyed_row(mine) || theirs < mine)
        {
            e.source_id = Some(theirs.to_string());
        }
    }
}

/// Whether a case has been redacted (it holds a `redacted` event).
pub fn is_redacted(case: &Case) -> bool {
    case.events.iter().any(|e| e.action == Action::Redacted)
}

/// The personal field an `edit` field is, if it is one.
pub fn personal(field: EditField) -> Option<PersonalField> {
    match field {
        EditField::Title => Some(PersonalField::Title),
        EditField::Customer => Some(PersonalField::Customer),
        EditField::Contact => Some(PersonalField::Contact),
        EditField::Reference => Some(PersonalField::Reference),
        EditField::PreferredContact => Some(PersonalField::PreferredContact),
        EditField::Wants => Some(PersonalField::Wants),
        _ => None,
    }
}

/// The marker values are erased to. A marker left by an earlier redaction
/// is kept; when one redaction is replayed onto another branch's copy
/// (`converge`), a marker dated later than this one takes this one's date,
/// so two branches that redacted the same case agree on every value.
#[derive(Clone, Copy)]
struct Marker<'m> {
    text: &'m str,
    converge: bool,
}

/// Replaces `value` by the marker unless it is one already; whether it changed.
fn erase(value: &mut String, marker: Marker) -> bool {
    if is_marker(value) && !(marker.converge && value.as_str() > marker.text) {
        return false;
    }
    *value = marker.text.to_string();
    true
}

fn erase_opt(value: &mut Option<String>, marker: Marker) -> bool {
    value.as_mut().is_some_and(|v| erase(v, marker))
}

fn erase_all(values: &mut [String], marker: Marker) -> bool {
    let mut changed = false;
    for v in values {
        changed |= erase(v, marker);
    }
    changed
}

/// `case` with the values of `fields` erased: the case's own fields, and
/// what events at or before `upto` say (a resolution only if made by
/// then). Every erased value becomes `marker`. Returns the case and the
/// fields that held something to erase, in `fields`' order; `redacted`
/// events' own texts (the reason) are kept.
pub fn erase_fields(
    case: &Case,
    fields: &[PersonalField],
    marker: &str,
    upto: DateTime<Utc>,
    secret: &[u8],
) -> (Case, Vec<PersonalField>) {
    let marker = Marker {
        text: marker,
        converge: false,
    };
    let (mut next, mut changed) = erase_with(case, fields, marker, upto, &[]);
    // A row's digest is made of its customer, title and summary: keyed
    // along with the first of them erased.
    let digested = [
        PersonalField::Customer,
        PersonalField::Title,
        PersonalField::Summary,
    ];
    if let Some(&field) = digested.iter().find(|f| fields.contains(f))
        && key_rows(&mut next, secret, upto)
        && !changed.contains(&field)
    {
        changed.push(field);
        changed.sort_by_key(|f| PersonalField::ALL.iter().position(|a| a == f));
    }
    (next, changed)
}

/// [`erase_fields`], keeping the case's own values of the fields in
/// `current` (they were set after `upto`).
fn erase_with(
    case: &Case,
    fields: &[PersonalField],
    marker: Marker,
    upto: DateTime<Utc>,
    current: &[PersonalField],
) -> (Case, Vec<PersonalField>) {
    let mut next = case.clone();
    let mut changed: Vec<PersonalField> = Vec::new();
    for &field in PersonalField::ALL {
        if !fields.contains(&field) {
            continue;
        }
        let c = &mut next;
        let resolution = c.resolution.as_mut().filter(|r| r.resolved_at.0 <= upto);
        let mut did = match field {
            _ if current.contains(&field) => false,
            PersonalField::Customer => erase(&mut c.customer.name, marker),
            PersonalField::Contact => erase_opt(&mut c.customer.contact, marker),
            PersonalField::Reference => erase_opt(&mut c.customer.reference, marker),
            PersonalField::PreferredContact => c.customer.preferred_contact.take().is_some(),
            PersonalField::Title => erase(&mut c.title, marker),
            PersonalField::Summary => erase(&mut c.complaint.summary, marker),
            PersonalField::Wants => erase_opt(&mut c.complaint.wants, marker),
            PersonalField::Resolution => resolution.is_some_and(|r| erase(&mut r.summary, marker)),
            PersonalField::Redress => resolution.is_some_and(|r| erase_opt(&mut r.redress, marker)),
            PersonalField::Notes => false,
        };
        for e in c.events.iter_mut().filter(|e| e.at.0 <= upto) {
            did |= erase_event(e, field, marker);
        }
        if did {
            changed.push(field);
        }
    }
    (next, changed)
}

/// What one event holds of `field`, erased.
fn erase_event(e: &mut Event, field: PersonalField, marker: Marker) -> bool {
    let mut did = false;
    // A Message-ID often holds the sender's address or host.
    if field == PersonalField::Contact
        && let Some(id) = e.message_id.as_mut()
        && !is_erased(id)
    {
        *id = erased(id);
        did = true;
    }
    if e.action == Action::Edited && e.field.and_then(personal) == Some(field) {
        did |= erase_opt(&mut e.old, marker);
        did |= erase_opt(&mut e.new, marker);
    }
    match (field, e.action) {
        (_, Action::Redacted) => {}
        (PersonalField::Resolution, Action::Resolved) => did |= erase_opt(&mut e.text, marker),
        (PersonalField::Redress, Action::Resolved) => did |= erase_opt(&mut e.redress, marker),
        (PersonalField::Notes, Action::Resolved) => {}
        (PersonalField::Notes, _) => {
            did |= erase_opt(&mut e.text, marker);
            did |= erase_all(&mut e.pros, marker);
            did |= erase_all(&mut e.cons, marker);
            did |= erase_opt(&mut e.contingency, marker);
            did |= erase_opt(&mut e.monitor, marker);
        }
        _ => {}
    }
    did
}

/// What a `redacted` event erased, applied again to `case` as it was on
/// another branch: the values it held by then become the event's marker.
fn replay_redaction(case: &Case, redacted: &Event) -> Case {
    let text = marker(redacted.at.0.date_naive());
    let marker = Marker {
        text: &text,
        converge: true,
    };
    // The copy may have changed a field after the redaction without having
    // seen it (another branch). What it wrote then stays until the next
    // redaction, as on any copy: the field's value, and later edits' old
    // values. But its first such edit records, as the old value, what the
    // field held when it was redacted.
    let edited_after = |field: PersonalField| {
        case.events.iter().position(|e| {
            e.at.0 > redacted.at.0
                && e.action == Action::Edited
                && e.field.and_then(personal) == Some(field)
        })
    };
    let current: Vec<PersonalField> = redacted
        .fields
        .iter()
        .copied()
        .filter(|&f| edited_after(f).is_some())
        .collect();
    let mut out = erase_with(case, &redacted.fields, marker, redacted.at.0, &current).0;
    for &field in &current {
        if let Some(first) = edited_after(field) {
            erase_opt(&mut out.events[first].old, marker);
        }
    }
    out
}

/// `case` with every redaction `other` holds and it lacks applied, so that
/// two versions of one case (two branches; a commit and its parent) agree
/// on what was erased. The merge driver relies on it: a branch that
/// redacted a case never gets the personal data back from a branch that
/// did not.
pub fn catch_up(case: &Case, other: &Case) -> Case {
    let mut out = case.clone();
    for e in other
        .events
        .iter()
        .filter(|e| e.action == Action::Redacted && !case.events.contains(e))
    {
        out = replay_redaction(&out, e);
    }
    take_keyed_rows(&mut out, other);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::lifecycle::tests::{at, opened, stamp};
    use crate::case::lifecycle::{self, Correction};

    #[test]
    fn two_branches_that_redacted_a_case_on_different_days_agree_on_every_value() {
        let closed = lifecycle::close(&opened(), &stamp(1), Some("done")).unwrap();
        let all = PersonalField::ALL;
        let one =
            lifecycle::redact(&closed, &stamp(2), all, "erasure request", false, b"s").unwrap();
        let two =
            lifecycle::redact(&closed, &stamp(30), all, "erasure request", false, b"s").unwrap();
        let (one_caught, two_caught) = (catch_up(&one, &two), catch_up(&two, &one));
        assert_eq!(one_caught, one, "an earlier marker stays");
        assert_eq!(two_caught.customer.name, one.customer.name);
        assert_eq!(two_caught.events[..2], one.events[..2]);
    }

    #[test]
    fn an_edit_on_a_branch_that_never_saw_the_redaction_loses_the_erased_old_value() {
        let closed = lifecycle::close(&opened(), &stamp(1), Some("done")).unwrap();
        let redacted = lifecycle::redact(
            &closed,
            &stamp(2),
            PersonalField::ALL,
            "erasure request",
            false,
            b"s",
        )
        .unwrap();
        let customer = |case: &Case, value: &str, minute| {
            lifecycle::edit(
                case,
                &stamp(minute),
                &[Correction::Set(EditField::Customer, Some(value.into()))],
            )
            .unwrap()
        };
        // The other branch changed the contact twice, after the redaction.
        let other = customer(&customer(&closed, "Jo New", 3), "Jo Newer", 4);
        let caught = catch_up(&other, &redacted);
        let edits: Vec<(&Option<String>, &Option<String>)> = caught
            .events
            .iter()
            .filter(|e| e.field == Some(EditField::Customer))
            .map(|e| (&e.old, &e.new))
            .collect();
        let gone = Some(marker(at(2).date_naive()));
        assert_eq!(
            edits,
            [
                (&gone, &Some("Jo New".to_string())),
                (&Some("Jo New".to_string()), &Some("Jo Newer".to_string())),
            ]
        );
        let before = other
            .events
            .iter()
            .find(|e| e.field == Some(EditField::Customer));
        assert_ne!(before.unwrap().old, gone, "the old value was personal data");
    }

    #[test]
    fn a_row_digest_is_keyed_once_keeping_its_source_and_other_ids_are_left_alone() {
        let plain = "row-262f0fd897f5f625";
        let keyed = keyed_row(b"one", plain).unwrap();
        assert!(keyed.starts_with("row-k") && keyed.len() == plain.len() + 1);
        assert_ne!(keyed, keyed_row(b"two", plain).unwrap());
        assert_eq!(keyed_row(b"one", &keyed), None, "keyed once");
        let named = keyed_row(b"one", &format!("cfpb:{plain}")).unwrap();
        assert!(named.starts_with("cfpb:row-k"), "{named}");
        for other in [
            "zendesk:1041",
            "row-x",
            "20261101-wzyxb",
            "arrow-262f0fd897f5f625",
        ] {
            assert_eq!(keyed_row(b"one", other), None, "{other}");
        }
    }

    #[test]
    fn markers_are_told_from_the_customer_s_words() {
        let day = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        assert_eq!(marker(day), "[redacted 2026-11-23]");
        assert!(is_marker(&marker(day)));
        for text in [
            "[redacted]",
            "[redacted 2026-13-01]",
            "x [redacted 2026-11-23]",
            "Maria",
        ] {
            assert!(!is_marker(text), "{text}");
        }
    }

    #[test]
    fn erasing_keeps_what_reports_need_and_edits_record_only_markers() {
        let case = lifecycle::annotate(&opened(), &stamp(1), Action::Reply, "Hi Jo").unwrap();
        let case = lifecycle::edit(
            &case,
            &stamp(2),
            &[Correction::Set(
                EditField::Contact,
                Some("jo@x.test".into()),
            )],
        )
        .unwrap();
        let all: Vec<PersonalField> = PersonalField::ALL.to_vec();
        let (erased, changed) = erase_fields(&case, &all, "[redacted 2026-11-23]", at(5), b"s");
        assert_eq!(
            changed,
            [
                PersonalField::Customer,
                PersonalField::Contact,
                PersonalField::Title,
                PersonalField::Summary,
                PersonalField::Notes,
            ]
        );
        assert_eq!(erased.customer.name, "[redacted 2026-11-23]");
        assert_eq!(
            erased.events[1].text.as_deref(),
            Some("[redacted 2026-11-23]")
        );
        assert_eq!(
            erased.events[2].new.as_deref(),
            Some("[redacted 2026-11-23]")
        );
        assert_eq!(erased.events[2].old, None);
        assert_eq!(erased.status, case.status);
        assert_eq!(erased.events.len(), case.events.len());
        // Again: nothing left to erase, whatever the day.
        let (again, changed) = erase_fields(&erased, &all, "[redacted 2027-01-01]", at(9), b"s");
        assert_eq!(changed, []);
        assert_eq!(again, erased);
    }
}
