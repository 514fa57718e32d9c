//! Properties over random complaint histories: the file round-trips, an
//! edit equals the canonical rendering, and hand comments survive edits.

use caselog::case::{Action, Case, Channel, Severity};
use caselog::case_file::{parse, render, update};
use caselog::id::CaseId;
use caselog::lifecycle::{self, NewComplaint, Stamp};
use chrono::{DateTime, Duration, Utc};
use proptest::prelude::*;

fn start() -> DateTime<Utc> {
    "2026-11-20T09:00:00Z".parse().unwrap()
}

fn opened(title: String, summary: String, tags: Vec<String>) -> Option<Case> {
    let complaint = NewComplaint {
        title,
        customer: "Maria".into(),
        contact: None,
        reference: Some("A-1".into()),
        preferred_contact: Some(Channel::Phone),
        channel: Channel::Email,
        category: None,
        severity: Severity::High,
        tags,
        wants: None,
        assignee: None,
        summary,
    };
    let stamp = Stamp {
        by: "ana".into(),
        at: start(),
    };
    lifecycle::open(
        CaseId::parse_full("20261120-7kq3m").unwrap(),
        complaint,
        &stamp,
    )
    .ok()
}

/// One random step; refused steps leave the case as it was.
fn step(case: &Case, op: u8, text: &str, at: DateTime<Utc>) -> Case {
    let stamp = Stamp {
        by: format!("person {}", op % 3),
        at,
    };
    let result = match op % 10 {
        0 => lifecycle::annotate(case, &stamp, Action::Note, text),
        1 => lifecycle::annotate(case, &stamp, Action::Reply, text),
        2 => lifecycle::assign(case, &stamp, &format!("agent {}", op % 4)),
        3 => lifecycle::wait(
            case,
            &stamp,
            text,
            op.is_multiple_of(3).then(|| at + Duration::days(2)),
        ),
        4 => lifecycle::resolve(
            case,
            &stamp,
            text,
            [None, Some(true), Some(false)][usize::from(op % 3)],
            op.is_multiple_of(2).then(|| at + Duration::hours(48)),
        ),
        5 => lifecycle::schedule_follow_up(case, &stamp, at + Duration::hours(i64::from(op))),
        6 => lifecycle::record_follow_up(
            case,
            &stamp,
            [None, Some(true), Some(false)][usize::from(op % 3)],
            Some(text),
        ),
        7 => lifecycle::close(case, &stamp, Some(text)),
        8 => lifecycle::reopen(case, &stamp, text),
        _ => lifecycle::annotate(case, &stamp, Action::Call, text),
    };
    result.unwrap_or_else(|_| case.clone())
}

fn any_text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z ]{1,20}",
        "[\"'\\\\\n\r\t a-z\u{1b}\u{202e}é👩]{1,30}",
        any::<String>(),
    ]
    .prop_filter("not blank", |s| !s.trim().is_empty())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn every_history_round_trips_and_edits_match_the_canonical_layout(
        title in "[a-zA-Z][a-zA-Z ]{0,20}",
        summary in any_text(),
        tags in proptest::collection::vec("[a-z]{1,8}", 0..3),
        steps in proptest::collection::vec((any::<u8>(), any_text(), 0u32..600), 1..25),
    ) {
        let Some(mut case) = opened(title, summary, tags) else { return Ok(()) };
        let mut text = render(&case);
        let mut commented = text.replace("[complaint]\n", "# hand note\n[complaint]\n")
            + "# trailing hand note\n";
        let mut at = start();
        for (op, step_text, minutes) in steps {
            at += Duration::minutes(i64::from(minutes));
            let next = step(&case, op, &step_text, at);
            prop_assert_eq!(&parse("case.toml", &render(&next)).unwrap(), &next);
            let edited = update(&text, &case, &next).unwrap();
            prop_assert_eq!(&edited, &render(&next));
            commented = update(&commented, &case, &next).unwrap();
            prop_assert_eq!(&parse("case.toml", &commented).unwrap(), &next);
            prop_assert!(commented.contains("# hand note\n[complaint]"), "{}", commented);
            prop_assert!(commented.contains("# trailing hand note"), "{}", commented);
            if next == case {
                prop_assert_eq!(&edited, &text, "an unchanged case must leave the text unchanged");
            }
            case = next;
            text = edited;
        }
    }
}
