//! Random complaint histories for the property and fuzz tests: each byte
//! picks one step of the lifecycle, so that a few dozen bytes reach every
//! kind of event and every optional part of a case file. A step the
//! lifecycle refuses leaves the case as it was, as the command would.

use caselog::case::lifecycle::{self, Agreement, Correction, Settlement, Stamp, Wait};
use caselog::case::{Action, Case, Channel, EditField, Outcome, WaitingOn};
use chrono::{DateTime, Duration, Utc};

/// When every generated case is opened.
pub fn start() -> DateTime<Utc> {
    "2026-11-20T09:00:00Z".parse().unwrap()
}

/// The case after one step `op` with `text`, taken at `at` by one of three
/// people.
pub fn step(case: &Case, op: u8, text: &str, at: DateTime<Utc>) -> Case {
    let stamp = Stamp {
        by: format!("person {}", op % 3),
        at,
        zone: caselog::time::Zone::UTC,
    };
    let one_of_three = usize::from(op % 3);
    let result = match op % 15 {
        0 => lifecycle::annotate(case, &stamp, Action::Note, text),
        1 => lifecycle::annotate(case, &stamp, Action::Reply, text),
        2 => lifecycle::assign(case, &stamp, &format!("agent {}", op % 4)),
        3 => lifecycle::wait(
            case,
            &stamp,
            Wait {
                on: [None, Some(WaitingOn::Customer), Some(WaitingOn::ThirdParty)][one_of_three],
                until: op.is_multiple_of(2).then(|| at + Duration::days(2)),
                reason: Some(text),
            },
        ),
        4 => lifecycle::resolve(
            case,
            &stamp,
            Settlement {
                summary: text.to_string(),
                agreed: [None, Some(true), Some(false)][one_of_three],
                outcome: [None, Some(Outcome::Upheld), Some(Outcome::NotUpheld)][one_of_three],
                root_cause: op.is_multiple_of(2).then(|| text.to_string()),
                redress: op.is_multiple_of(5).then(|| text.to_string()),
                follow_up_due: op.is_multiple_of(2).then(|| at + Duration::hours(48)),
            },
        ),
        5 => lifecycle::schedule_follow_up(case, &stamp, at + Duration::hours(i64::from(op))),
        6 => lifecycle::record_follow_up(
            case,
            &stamp,
            [None, Some(true), Some(false)][one_of_three],
            Some(text),
        ),
        7 => lifecycle::close(case, &stamp, Some(text)),
        8 => lifecycle::reopen(case, &stamp, text),
        9 => lifecycle::propose(
            case,
            &stamp,
            text,
            &[text.to_string(), "quick".into()],
            &["costly".to_string()],
        ),
        10 => lifecycle::agree(
            case,
            &stamp,
            u32::from(op % 2) + 1,
            Agreement {
                how: Some(Channel::Phone),
                contingency: op.is_multiple_of(2).then(|| text.to_string()),
                monitor: Some("weekly call".into()),
                replace: op.is_multiple_of(5),
                reason: None,
            },
        ),
        11 => lifecycle::escalate(case, &stamp, &format!("lead {}", op % 2), text),
        12 => lifecycle::annotate(case, &stamp, Action::Customer, text),
        13 => lifecycle::edit(
            case,
            &stamp,
            &[
                Correction::Set(EditField::Title, Some(text.to_string())),
                Correction::AddTag(format!("tag {}", op % 4)),
            ],
        ),
        _ => lifecycle::annotate(case, &stamp, Action::Call, text),
    };
    result.unwrap_or_else(|_| case.clone())
}
