//! Which cases a listing keeps, and in what order: one plain filter that
//! `list`, `due`, `report` and `export` build from the same flags, so a
//! case is found the same way everywhere.

use chrono::{DateTime, Utc};

use crate::case::id::CaseId;
use crate::case::{Case, Severity, Status, Timestamp, WaitingOn};
use crate::practice::deadlines;
use crate::settings::Settings;
use crate::words::word_enum;

/// What a case must be to be kept. Each field narrows; a list keeps a case
/// that matches any of its items.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    pub statuses: Vec<Status>,
    pub category: Option<String>,
    /// Assigned to this person.
    pub assignee: Option<String>,
    /// Assigned to nobody.
    pub unassigned: bool,
    /// In the customer's name, contact or reference, ignoring letter case.
    pub customer: Option<String>,
    pub severities: Vec<Severity>,
    /// Tags, ignoring letter case.
    pub tags: Vec<String>,
    /// Opened at or after.
    pub opened_since: Option<DateTime<Utc>>,
    /// Opened before.
    pub opened_until: Option<DateTime<Utc>>,
    /// With a deadline due or past.
    pub overdue: bool,
    /// Waiting on this party.
    pub waiting_on: Option<WaitingOn>,
}

impl Filter {
    /// Whether `case` passes every condition, as of `now`.
    pub fn keeps(&self, case: &Case, settings: &Settings, now: DateTime<Utc>) -> bool {
        let lower = |s: &str| s.to_lowercase();
        (self.statuses.is_empty() || self.statuses.contains(&case.status))
            && self
                .category
                .as_ref()
                .is_none_or(|c| case.category.as_ref() == Some(c))
            && self
                .assignee
                .as_ref()
                .is_none_or(|a| case.assignee.as_ref() == Some(a))
            && (!self.unassigned || case.assignee.is_none())
            // Matched as an access or erasure request matches (what a
            // redaction left is nobody's: it matches no search).
            && self.customer.as_deref().is_none_or(|wanted| {
                let found = crate::case::personal::matching(case, wanted);
                !found.exactly.is_empty() || !found.partly.is_empty()
            })
            && (self.severities.is_empty() || self.severities.contains(&case.severity))
            && (self.tags.is_empty()
                || case
                    .tags
                    .iter()
                    .any(|t| self.tags.iter().any(|w| lower(w.trim()) == lower(t))))
            && self.opened_since.is_none_or(|t| case.opened_at.0 >= t)
            && self.opened_until.is_none_or(|t| case.opened_at.0 < t)
            && self
                .waiting_on
                .is_none_or(|on| case.waiting_on() == Some(on))
            && (!self.overdue
                || deadlines::pending(case, settings, now)
                    .iter()
                    .any(|d| d.is_due(now)))
    }
}

word_enum!(
    /// How `list` orders cases: each puts first what needs attention first.
    Sort, "sort order" {
        Opened => "opened",
        Updated => "updated",
        Due => "due",
        Severity => "severity",
    }
);

/// Where a case goes in a listing sorted one way: keys compare as the
/// cases should be listed (ties by opening, then id).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct SortKey {
    first: (bool, i64),
    opened: Timestamp,
    id: CaseId,
}

/// `case`'s place when sorting `by`: oldest opened, longest untouched
/// (oldest last event), earliest pending deadline (none last), or most
/// severe first.
pub fn sort_key(case: &Case, by: Sort, settings: &Settings, now: DateTime<Utc>) -> SortKey {
    let first = match by {
        Sort::Opened => (false, 0),
        Sort::Updated => match case.last_event_at() {
            None => (false, 0),
            Some(at) => (true, at.timestamp()),
        },
        Sort::Severity => (false, -i64::from(case.severity.index())),
        Sort::Due => {
            let due = deadlines::pending(case, settings, now)
                .iter()
                .map(|d| d.due)
                .min();
            (due.is_none(), due.map_or(0, |d| d.timestamp()))
        }
    };
    SortKey {
        first,
        opened: case.opened_at,
        id: case.id.clone(),
    }
}

/// Orders `cases` by [`sort_key`]; `reverse` turns the order round.
pub fn sort(cases: &mut [Case], by: Sort, reverse: bool, settings: &Settings, now: DateTime<Utc>) {
    cases.sort_by_cached_key(|c| sort_key(c, by, settings, now));
    if reverse {
        cases.reverse();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::lifecycle::tests::{at, opened, stamp};
    use crate::case::lifecycle::{self, Correction};
    use crate::case::{Action, EditField};

    fn keeps(filter: &Filter, case: &Case) -> bool {
        filter.keeps(case, &Settings::default(), at(1))
    }

    #[test]
    fn customer_matches_name_contact_or_reference_in_any_letter_case() {
        let fix = [
            Correction::Set(EditField::Contact, Some("JO@example.com".into())),
            Correction::Set(EditField::Reference, Some("A-1001".into())),
        ];
        let case = lifecycle::edit(&opened(), &stamp(0), &fix).unwrap();
        for wanted in ["bloggs", "jo@EXAMPLE", "a-100", " JO BLOGGS "] {
            let filter = Filter {
                customer: Some(wanted.into()),
                ..Filter::default()
            };
            assert!(keeps(&filter, &case), "{wanted}");
        }
        let other = Filter {
            customer: Some("maria".into()),
            ..Filter::default()
        };
        assert!(!keeps(&other, &case));
    }

    #[test]
    fn an_erased_customer_matches_no_customer_search() {
        let mut case = opened();
        let marker = crate::case::redaction::marker(at(1).date_naive());
        case.customer.name = marker.clone();
        case.customer.contact = Some(marker);
        for wanted in ["redacted", "[redacted", "2026", "]"] {
            let filter = Filter {
                customer: Some(wanted.into()),
                ..Filter::default()
            };
            assert!(!keeps(&filter, &case), "{wanted}");
        }
    }

    #[test]
    fn each_condition_narrows_and_a_list_keeps_any_of_its_items() {
        let case =
            lifecycle::edit(&opened(), &stamp(0), &[Correction::AddTag("Glass".into())]).unwrap();
        let tagged = Filter {
            tags: vec!["post".into(), "glass".into()],
            severities: vec![Severity::Normal, Severity::High],
            ..Filter::default()
        };
        assert!(keeps(&tagged, &case));
        let also_unassigned = Filter {
            unassigned: true,
            ..tagged.clone()
        };
        assert!(!keeps(&also_unassigned, &case), "assigned to ana");
        let since = Filter {
            opened_since: Some(at(0)),
            opened_until: Some(at(1)),
            ..Filter::default()
        };
        assert!(keeps(&since, &case));
        let until = Filter {
            opened_until: Some(at(0)),
            ..Filter::default()
        };
        assert!(!keeps(&until, &case), "until is exclusive");
    }

    #[test]
    fn overdue_and_waiting_on_look_at_the_case_now() {
        let case = opened();
        let overdue = Filter {
            overdue: true,
            ..Filter::default()
        };
        assert!(!overdue.keeps(&case, &Settings::default(), at(1)));
        assert!(
            overdue.keeps(&case, &Settings::default(), at(25)),
            "no reply in 24h"
        );
        let waiting = lifecycle::tests::waits(&case, &stamp(1), "photos", None).unwrap();
        let on_customer = Filter {
            waiting_on: Some(WaitingOn::Customer),
            ..Filter::default()
        };
        assert!(keeps(&on_customer, &waiting));
        assert!(!keeps(&on_customer, &case));
        let back = lifecycle::annotate(&waiting, &stamp(2), Action::Customer, "Here.").unwrap();
        assert!(!keeps(&on_customer, &back));
    }

    #[test]
    fn sorting_puts_what_needs_attention_first() {
        let quiet = opened();
        let mut loud = lifecycle::edit(
            &opened(),
            &stamp(0),
            &[Correction::Set(
                EditField::Severity,
                Some("critical".into()),
            )],
        )
        .unwrap();
        loud.id = crate::case::id::CaseId::parse_full("20261122-zzzzz").unwrap();
        let touched = lifecycle::annotate(&loud, &stamp(3), Action::Note, "x").unwrap();
        let settings = Settings::default();
        let ids =
            |cases: &[Case]| -> Vec<String> { cases.iter().map(|c| c.id.to_string()).collect() };
        let mut cases = vec![touched.clone(), quiet.clone()];
        sort(&mut cases, Sort::Severity, false, &settings, at(4));
        assert_eq!(ids(&cases), [touched.id.to_string(), quiet.id.to_string()]);
        sort(&mut cases, Sort::Updated, false, &settings, at(4));
        assert_eq!(ids(&cases), [quiet.id.to_string(), touched.id.to_string()]);
        sort(&mut cases, Sort::Updated, true, &settings, at(4));
        assert_eq!(ids(&cases), [touched.id.to_string(), quiet.id.to_string()]);
    }
}
