//! Properties over random complaint histories: the file round-trips, an
//! edit equals the canonical rendering, and hand comments survive edits.

use caselog::case::file::{parse, render, update};
use caselog::case::id::CaseId;
use caselog::case::lifecycle::{self, NewComplaint, Stamp};
use caselog::case::{Action, Case, Channel, Event, Severity};
use chrono::Duration;

use crate::histories::{start, step};
use proptest::prelude::*;

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
        zone: caselog::time::Zone::UTC,
    };
    lifecycle::open(
        CaseId::parse_full("20261120-7kq3m").unwrap(),
        complaint,
        &stamp,
    )
    .ok()
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

mod merging {
    use super::*;
    use caselog::git::merge::merge;

    /// A branch's steps, each with a gap in minutes, by a branch-own person.
    fn branch(base: &Case, steps: &[(u8, String, u32)], who: &str) -> Case {
        let mut case = base.clone();
        let mut at = base.events.last().unwrap().at.0;
        for (op, text, minutes) in steps {
            at += Duration::minutes(i64::from(*minutes));
            let mut next = step(&case, *op, text, at);
            // Tag this branch's new events so they are distinct from the other's.
            for e in next.events.iter_mut().skip(case.events.len()) {
                e.by = format!("{who} {}", e.by);
            }
            if next.assignee.is_some() && next.assignee != case.assignee {
                next.assignee = next.events.iter().rev().find_map(|e| e.to.clone());
            }
            case = next;
        }
        case
    }

    fn steps() -> impl Strategy<Value = Vec<(u8, String, u32)>> {
        proptest::collection::vec((any::<u8>(), "[a-z ]{1,12}", 0u32..180), 0..8)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn merging_either_way_keeps_every_event_once_and_agrees(
            base_steps in steps(), left_steps in steps(), right_steps in steps(),
            both_propose in any::<bool>(),
        ) {
            let Some(opened) = opened("Case".into(), "Text".into(), vec![]) else { return Ok(()) };
            let base = branch(&opened, &base_steps, "base");
            // Half the time each branch starts by proposing an option (and
            // maybe agreeing to it), so option numbers collide.
            let start = |steps: &[(u8, String, u32)], text: &str| -> Vec<(u8, String, u32)> {
                let mut all = Vec::new();
                if both_propose {
                    all.push((10, text.to_string(), 1));
                    all.push((11, text.to_string(), 1));
                }
                all.extend_from_slice(steps);
                all
            };
            let left = branch(&base, &start(&left_steps, "left option"), "left");
            let right = branch(&base, &start(&right_steps, "right option"), "right");
            let one = merge(Some(&base), &left, &right, 7);
            let other = merge(Some(&base), &right, &left, 7);
            prop_assert_eq!(one.conflicts.is_empty(), other.conflicts.is_empty());
            prop_assert_eq!(&one.conflicts, &other.conflicts);
            if !one.conflicts.is_empty() {
                return Ok(());
            }
            prop_assert_eq!(&one.text, &other.text, "either order gives the same file");
            let merged = parse("merged.toml", &one.text).unwrap();
            prop_assert_eq!(render(&merged), one.text.clone(), "the result is canonical");
            let expected = base.events.len()
                + (left.events.len() - base.events.len())
                + (right.events.len() - base.events.len());
            prop_assert_eq!(merged.events.len(), expected, "no event dropped or duplicated");
            // Every event is kept; a branch's option numbers may have moved.
            let unnumbered = |e: &Event| Event { option: None, ..e.clone() };
            for e in left.events.iter().chain(&right.events) {
                prop_assert!(
                    merged.events.iter().any(|m| unnumbered(m) == unnumbered(e)),
                    "lost {:?}", e
                );
            }
            prop_assert!(merged.events.windows(2).all(|w| w[0].at <= w[1].at), "events in time order");
            // Options stay unique, and each agreement still names the
            // option its branch agreed to (found by its text).
            let proposed: Vec<&Event> = merged
                .events
                .iter()
                .filter(|e| e.action == Action::Proposed)
                .collect();
            let mut numbers: Vec<u32> = proposed.iter().filter_map(|e| e.option).collect();
            numbers.sort_unstable();
            let count = numbers.len();
            numbers.dedup();
            prop_assert_eq!(numbers.len(), count, "option numbers unique: {:?}", proposed);
            for branch in [&left, &right] {
                let text_of = |case: &Case, number: Option<u32>| {
                    case.events
                        .iter()
                        .find(|e| e.action == Action::Proposed && e.option == number)
                        .map(|e| (e.at, e.by.clone(), e.text.clone()))
                };
                for agreed in branch.events.iter().filter(|e| e.action == Action::Agreed) {
                    let kept = merged
                        .events
                        .iter()
                        .find(|m| unnumbered(m) == unnumbered(agreed))
                        .expect("agreement kept");
                    prop_assert_eq!(
                        text_of(&merged, kept.option),
                        text_of(branch, agreed.option),
                        "an agreement follows its option"
                    );
                }
            }
        }
    }
}

mod formatting {
    use super::*;
    use caselog::case::file::format;
    use toml_edit::{DocumentMut, Item};

    /// The same case in a layout a person might leave: keys reversed, odd
    /// spacing, the customer as an inline table.
    fn disarrange(text: &str) -> String {
        let mut doc: DocumentMut = text.parse().unwrap();
        let root = doc.as_table_mut();
        root.sort_values_by(|a, _, b, _| b.get().cmp(a.get()));
        let keys: Vec<String> = root
            .iter()
            .filter(|(_, i)| i.is_value())
            .map(|(k, _)| k.to_string())
            .collect();
        for key in keys {
            let mut k = root.key_mut(&key).unwrap();
            k.leaf_decor_mut().set_suffix("   ");
        }
        if let Some(Item::Table(customer)) = doc.remove("customer") {
            doc.insert(
                "customer",
                Item::Value(toml_edit::Value::InlineTable(customer.into_inline_table())),
            );
        }
        doc.to_string()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn fmt_restores_the_canonical_layout_of_any_history(
            summary in any_text(),
            steps in proptest::collection::vec((any::<u8>(), any_text(), 0u32..600), 0..12),
        ) {
            let Some(mut case) = opened("Title".into(), summary, vec!["a".into(), "b".into()]) else { return Ok(()) };
            let mut at = start();
            for (op, text, minutes) in steps {
                at += Duration::minutes(i64::from(minutes));
                case = step(&case, op, &text, at);
            }
            let canonical = render(&case);
            prop_assert_eq!(format("x.toml", &canonical).unwrap(), canonical.clone(), "canonical stays as it is");
            let messy = disarrange(&canonical);
            prop_assert_eq!(parse("x.toml", &messy).unwrap(), case.clone());
            prop_assert_eq!(format("x.toml", &messy).unwrap(), canonical.clone());
            // Comments survive: at the top, above a section, at the end.
            let commented = format!("# top\n{}# end\n", messy.replace("[complaint]", "# above\n[complaint]"));
            let formatted = format("x.toml", &commented).unwrap();
            let expected = format!("# top\n{}\n# end\n", canonical.replace("\n[complaint]", "\n# above\n[complaint]"));
            prop_assert_eq!(formatted, expected);
        }
    }
}
