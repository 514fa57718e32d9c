//! Payment card numbers, found so they are never stored: PCI DSS (3.3,
//! 3.4) forbids keeping a full card number, and a case log is copied to
//! every clone and kept in git history for good.
//!
//! A likely card number is 13 to 19 digits, written whole or in the
//! groups cards are printed in (fours, or American Express's and Diners'
//! 4-6-5 and 4-6-4) separated by single spaces or dashes, not part of a
//! longer word, that passes the Luhn check. Other groupings — case ids
//! (`20261120-04269`), dates, phone numbers — are not card numbers, even
//! when their digits happen to pass the check. Every text a change writes is scanned here
//! ([`guard`]); a known false positive (a tracking number that happens to
//! pass) is let through on request, its masked form recorded on the event.

use crate::case::{Case, Event};
use crate::error::InputError;

/// The fewest and most digits a card number has.
const DIGITS: std::ops::RangeInclusive<usize> = 13..=19;

/// One likely card number in a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// Where it starts and ends, in bytes.
    pub start: usize,
    pub end: usize,
    /// Its masked form: every digit but the last four as `*`, in groups
    /// of four (`**** **** **** 1234`), as it may be written instead.
    pub masked: String,
}

/// Whether `digits` (0–9 each) pass the Luhn check.
pub fn luhn(digits: &[u8]) -> bool {
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            let d = u32::from(d);
            if i % 2 == 1 {
                let twice = d * 2;
                if twice > 9 { twice - 9 } else { twice }
            } else {
                d
            }
        })
        .sum();
    !digits.is_empty() && sum.is_multiple_of(10)
}

/// The masked form of a number with these digits.
pub fn mask(digits: &[u8]) -> String {
    let hidden = digits.len().saturating_sub(4);
    let mut out = String::new();
    for i in 0..hidden {
        if i > 0 && i.is_multiple_of(4) {
            out.push(' ');
        }
        out.push('*');
    }
    if hidden > 0 {
        out.push(' ');
    }
    for d in &digits[hidden..] {
        out.push(char::from(b'0' + d));
    }
    out
}

/// Every likely card number in `text`, in order.
pub fn find(text: &str) -> Vec<Found> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if !bytes[i].is_ascii_digit() || !starts_token(text, i) {
            i += 1;
            continue;
        }
        // The groups of digits from here, separated by one space or dash.
        let mut groups: Vec<(usize, usize)> = Vec::new();
        let mut at = i;
        loop {
            let start = at;
            while at < bytes.len() && bytes[at].is_ascii_digit() {
                at += 1;
            }
            groups.push((start, at));
            let separated = at + 1 < bytes.len()
                && matches!(bytes[at], b' ' | b'-')
                && bytes[at + 1].is_ascii_digit();
            if !separated {
                break;
            }
            at += 1;
        }
        let mut next = 0;
        while next < groups.len() {
            match longest_card(text, &groups[next..]) {
                Some((last, found)) => {
                    out.push(found);
                    next += last + 1;
                }
                None => next += 1,
            }
        }
        i = groups.last().map_or(i + 1, |g| g.1);
    }
    out
}

/// The longest run of `groups` from the first that is a likely card
/// number: how many groups after the first it takes, and what it is.
fn longest_card(text: &str, groups: &[(usize, usize)]) -> Option<(usize, Found)> {
    let bytes = text.as_bytes();
    for last in (0..groups.len()).rev() {
        let (start, end) = (groups[0].0, groups[last].1);
        let digits: Vec<u8> = bytes[start..end]
            .iter()
            .filter(|b| b.is_ascii_digit())
            .map(|b| b - b'0')
            .collect();
        let lengths: Vec<usize> = groups[..=last].iter().map(|g| g.1 - g.0).collect();
        if DIGITS.contains(&digits.len())
            && printed_grouping(&lengths)
            && ends_token(text, end)
            && luhn(&digits)
        {
            return Some((
                last,
                Found {
                    start,
                    end,
                    masked: mask(&digits),
                },
            ));
        }
    }
    None
}

/// Whether digit groups of these lengths are a card number as people
/// copy it: whole, in fours (the last group may be shorter), or in
/// American Express's 4-6-5 or Diners' 4-6-4.
fn printed_grouping(lengths: &[usize]) -> bool {
    match lengths {
        [_] => true,
        [4, 6, 5] | [4, 6, 4] => true,
        [fours @ .., last] => fours.iter().all(|&n| n == 4) && (1..=4).contains(last),
        [] => false,
    }
}

/// Whether a number starting at byte `i` is not the tail of a word.
fn starts_token(text: &str, i: usize) -> bool {
    text[..i]
        .chars()
        .next_back()
        .is_none_or(|c| !c.is_alphanumeric())
}

/// Whether a number ending at byte `i` is not the head of a word.
fn ends_token(text: &str, i: usize) -> bool {
    text[i..]
        .chars()
        .next()
        .is_none_or(|c| !c.is_alphanumeric())
}

/// Where byte `offset` is in `text`, as a person counts: `character 12`
/// on one line, `line 2, character 5` in a text of several.
pub fn position(text: &str, offset: usize) -> String {
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
    if text.contains('\n') {
        format!("line {line}, character {column}")
    } else {
        format!("character {column}")
    }
}

/// A text a change writes, by where it is in the case.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Place {
    Field(&'static str),
    Tag(usize),
    /// Event number, its key, and the item of a list.
    Event(usize, &'static str, usize),
}

/// Every text of `case` a person wrote, with where it is and how a
/// person names it. People (who acted, the assignee) are left out: they
/// are names checked elsewhere.
fn texts(case: &Case) -> Vec<(Place, String, &str)> {
    let resolution = case.resolution.as_ref();
    let fields: [(&'static str, &str, Option<&str>); 10] = [
        ("title", "the title", Some(&case.title)),
        ("customer", "the customer name", Some(&case.customer.name)),
        ("contact", "the contact", case.customer.contact.as_deref()),
        (
            "reference",
            "the reference",
            case.customer.reference.as_deref(),
        ),
        ("category", "the category", case.category.as_deref()),
        (
            "summary",
            "the complaint summary",
            Some(&case.complaint.summary),
        ),
        (
            "wants",
            "what the customer wants",
            case.complaint.wants.as_deref(),
        ),
        (
            "resolution",
            "the resolution summary",
            resolution.map(|r| r.summary.as_str()),
        ),
        (
            "root_cause",
            "the root cause",
            resolution.and_then(|r| r.root_cause.as_deref()),
        ),
        (
            "redress",
            "the redress",
            resolution.and_then(|r| r.redress.as_deref()),
        ),
    ];
    let mut out: Vec<(Place, String, &str)> = fields
        .into_iter()
        .filter_map(|(key, label, value)| Some((Place::Field(key), label.to_string(), value?)))
        .collect();
    for (i, tag) in case.tags.iter().enumerate() {
        out.push((Place::Tag(i), "a tag".into(), tag));
    }
    for (i, e) in case.events.iter().enumerate() {
        out.extend(event_texts(i, e));
    }
    out
}

fn event_texts(i: usize, e: &Event) -> Vec<(Place, String, &str)> {
    use crate::case::Action;
    let text_label = match e.action {
        a if crate::case::lifecycle::NOTE_KINDS.contains(&a) => "the note",
        Action::Resolved => "the resolution summary",
        Action::Proposed => "the solution",
        Action::FollowedUp => "the follow-up note",
        _ => "the reason",
    };
    let field = e.field.map_or("value", |f| f.label());
    let keys: [(&'static str, String, Option<&str>); 7] = [
        ("text", text_label.into(), e.text.as_deref()),
        ("old", format!("the old {field}"), e.old.as_deref()),
        ("new", format!("the {field}"), e.new.as_deref()),
        (
            "root_cause",
            "the root cause".into(),
            e.root_cause.as_deref(),
        ),
        ("redress", "the redress".into(), e.redress.as_deref()),
        (
            "contingency",
            "the contingency".into(),
            e.contingency.as_deref(),
        ),
        ("monitor", "the monitoring".into(), e.monitor.as_deref()),
    ];
    let mut out: Vec<(Place, String, &str)> = keys
        .into_iter()
        .filter_map(|(key, label, value)| Some((Place::Event(i, key, 0), label, value?)))
        .collect();
    for (k, pro) in e.pros.iter().enumerate() {
        out.push((Place::Event(i, "pros", k), "a plus".into(), pro));
    }
    for (k, con) in e.cons.iter().enumerate() {
        out.push((Place::Event(i, "cons", k), "a minus".into(), con));
    }
    out
}

/// Refuses a change that would write a likely card number: the texts
/// `after` holds that `before` (the case before the change; `None` for a
/// new case) did not. With `allow`, lets them through and records their
/// masked forms on the change's last event instead.
pub fn guard(before: Option<&Case>, mut after: Case, allow: bool) -> Result<Case, InputError> {
    let old = before.map(texts).unwrap_or_default();
    let mut masked: Vec<String> = Vec::new();
    for (place, label, text) in texts(&after) {
        if old.iter().any(|(p, _, t)| *p == place && *t == text) {
            continue;
        }
        for found in find(text) {
            if !allow {
                return Err(InputError::Invalid(format!(
                    "{label} holds what looks like a payment card number at {}: card numbers must never be stored; write it masked ({}), or pass --allow-card-like-number if it is not a card number",
                    position(text, found.start),
                    found.masked
                )));
            }
            if !masked.contains(&found.masked) {
                masked.push(found.masked);
            }
        }
    }
    if let Some(last) = after.events.last_mut() {
        for m in masked {
            if !last.allowed_card_like_numbers.contains(&m) {
                last.allowed_card_like_numbers.push(m);
            }
        }
    }
    Ok(after)
}

/// Whether an `allowed_card_like_numbers` entry is masked: at most the
/// last four digits shown.
pub fn is_masked(entry: &str) -> bool {
    entry.chars().filter(char::is_ascii_digit).count() <= 4
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::Action;
    use crate::case::lifecycle::tests::{opened, stamp};
    use crate::case::lifecycle::{self, NewComplaint};

    fn masks(text: &str) -> Vec<String> {
        find(text).into_iter().map(|f| f.masked).collect()
    }

    #[test]
    fn the_luhn_check_passes_test_card_numbers_and_fails_one_digit_off() {
        let digits = |s: &str| s.bytes().map(|b| b - b'0').collect::<Vec<u8>>();
        for good in [
            "4111111111111111",
            "5555555555554444",
            "378282246310005",
            "4222222222222",
            "6011111111111117",
        ] {
            assert!(luhn(&digits(good)), "{good}");
        }
        for bad in ["4111111111111112", "1234567812345678", ""] {
            assert!(!luhn(&digits(bad)), "{bad}");
        }
    }

    #[test]
    fn card_numbers_are_found_whole_or_grouped_by_spaces_or_dashes() {
        assert_eq!(masks("card 4111111111111111."), ["**** **** **** 1111"]);
        assert_eq!(
            masks("paid with 4111 1111 1111 1111 yesterday"),
            ["**** **** **** 1111"]
        );
        assert_eq!(masks("4111-1111-1111-1111"), ["**** **** **** 1111"]);
        assert_eq!(masks("amex 3782 822463 10005"), ["**** **** *** 0005"]);
        assert_eq!(masks("(4111111111111111)"), ["**** **** **** 1111"]);
        // A number after another in the same run of groups is still found.
        assert_eq!(
            masks("order 12 4111 1111 1111 1111"),
            ["**** **** **** 1111"]
        );
        let text = "first 4111111111111111, then 5555-5555-5555-4444";
        let found = find(text);
        assert_eq!(found.len(), 2);
        assert_eq!(&text[found[0].start..found[0].end], "4111111111111111");
        assert_eq!(&text[found[1].start..found[1].end], "5555-5555-5555-4444");
    }

    #[test]
    fn what_is_not_a_card_number_is_left_alone() {
        for text in [
            "4111111111111112",            // fails the Luhn check
            "411111111111",                // 12 digits: too short
            "41111111111111111111111",     // 23 digits: too long
            "4111  1111 1111 1111",        // a double space splits it
            "4111--1111-1111-1111",        // so does a double dash
            "INV4111111111111111",         // part of a word
            "4111111111111111x",           // the head of one
            "opened 2026-11-20T09:15:00Z", // dates and times
            "+44 20 7946 0958",            // a phone number
            "order A-1001, case 20261120-h39ys",
            "2026-11-20 2026-11-28", // two dates whose digits pass Luhn
            "20261120-04269",        // a case id of digits that passes
            "4111 11111111 1111",    // not a grouping cards are printed in
            "**** **** **** 1111",   // already masked
        ] {
            assert_eq!(masks(text), Vec::<String>::new(), "{text}");
        }
    }

    #[test]
    fn no_case_id_is_ever_taken_for_a_card_number() {
        // Ids are random: one in a few thousand has a suffix of digits,
        // and a tenth of those pass the Luhn check.
        for suffix in 0..100_000 {
            let id = format!("20261120-{suffix:05}");
            assert_eq!(
                masks(&format!("id = \"{id}\"")),
                Vec::<String>::new(),
                "{id}"
            );
        }
    }

    #[test]
    fn positions_count_characters_and_lines_as_a_person_does() {
        assert_eq!(position("é 4111", 3), "character 3");
        assert_eq!(position("one\ntwo 4111", 8), "line 2, character 5");
    }

    #[test]
    fn a_change_writing_a_card_number_is_refused_naming_where_it_is() {
        let case = opened();
        let noted = lifecycle::annotate(
            &case,
            &stamp(1),
            Action::Note,
            "She read out 4111 1111 1111 1111 on the phone.",
        )
        .unwrap();
        let err = guard(Some(&case), noted.clone(), false).unwrap_err();
        assert_eq!(
            err.to_string(),
            "the note holds what looks like a payment card number at character 14: card numbers must never be stored; write it masked (**** **** **** 1111), or pass --allow-card-like-number if it is not a card number"
        );
        let allowed = guard(Some(&case), noted, true).unwrap();
        assert_eq!(
            allowed.events.last().unwrap().allowed_card_like_numbers,
            ["**** **** **** 1111"]
        );
    }

    #[test]
    fn only_new_text_is_judged_so_an_allowed_number_does_not_block_later_changes() {
        let new = NewComplaint {
            summary: "Tracking 4111111111111111 never moved.".into(),
            ..lifecycle::tests::new_complaint()
        };
        let id = opened().id;
        let case = lifecycle::open(id, new, &stamp(0)).unwrap();
        assert!(guard(None, case.clone(), false).is_err());
        let case = guard(None, case, true).unwrap();
        assert_eq!(
            case.events[0].allowed_card_like_numbers,
            ["**** **** **** 1111"]
        );
        let noted = lifecycle::annotate(&case, &stamp(1), Action::Note, "Chased.").unwrap();
        assert!(guard(Some(&case), noted, false).is_ok());
    }

    #[test]
    fn every_text_a_change_writes_is_judged() {
        let case = opened();
        let number = "5555555555554444";
        let mut changed = case.clone();
        changed.complaint.wants = Some(format!("Refund to {number}"));
        let err = guard(Some(&case), changed, false).unwrap_err();
        assert!(
            err.to_string().starts_with("what the customer wants"),
            "{err}"
        );
        let proposed =
            lifecycle::propose(&case, &stamp(1), "Refund", &[format!("to {number}")], &[]).unwrap();
        let err = guard(Some(&case), proposed, false).unwrap_err();
        assert!(err.to_string().starts_with("a plus holds"), "{err}");
    }

    #[test]
    fn only_masked_entries_count_as_masked() {
        assert!(is_masked("**** **** **** 1111"));
        assert!(!is_masked("4111 1111 1111 1111"));
    }
}
