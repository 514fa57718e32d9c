//! Three-way merge of one case, for the git merge driver: two branches
//! that both worked on a case merge without losing anything.
//!
//! Events are a union: everything either side added is kept once, in time
//! order (ties broken the same way whichever side is "ours", so merging A
//! into B and B into A agree). Fields merge key by key: a key changed on one
//! side takes that side's value; changed alike on both, it merges; changed
//! differently, it is a real conflict, written as standard conflict markers
//! around those lines only.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::case::event_log::merge_events;
use crate::case::event_log::order_key;
use crate::case::file::{Field, Section, all_sections, event_fields, write_fields};
use crate::case::redaction;
use crate::case::{Action, Case, Event, replay_status};

/// The merged file's text, and the keys in conflict (empty when clean).
#[derive(Debug, Clone, PartialEq)]
pub struct Merged {
    pub text: String,
    pub conflicts: Vec<String>,
}

/// One key's outcome.
enum Choice {
    Take(Option<String>),
    Conflict {
        ours: Option<String>,
        theirs: Option<String>,
    },
}

fn choose(base: Option<&Option<String>>, ours: &Option<String>, theirs: &Option<String>) -> Choice {
    if ours == theirs {
        Choice::Take(ours.clone())
    } else if base == Some(ours) {
        Choice::Take(theirs.clone())
    } else if base == Some(theirs) {
        Choice::Take(ours.clone())
    } else {
        Choice::Conflict {
            ours: ours.clone(),
            theirs: theirs.clone(),
        }
    }
}

/// Merges `ours` and `theirs`, which both descend from `base` (`None`
/// when the two sides added the file independently).
pub fn merge(base: Option<&Case>, ours: &Case, theirs: &Case, marker_size: usize) -> Merged {
    // A side that redacted the case erased what the other side's copy
    // still says: it is erased there too, so the union of the events
    // brings none of it back.
    let (ours, theirs) = (
        &redaction::catch_up(ours, theirs),
        &redaction::catch_up(theirs, ours),
    );
    let (ours, theirs) = &renumber_options(base, ours, theirs);
    let events = merge_events(&ours.events, &theirs.events);
    // The status is what the event log says. Each side's said its own
    // log; the merged log says the merged status. Taken key by key, a
    // wait on one side and the customer's answer on the other would give
    // a status the merged events contradict.
    let status = replay_status(&events);
    // Tags are a set: a tag added on one branch and another on the other
    // are both kept, not a conflict over the whole list.
    let tags = merge_tags(base, ours, theirs);
    let (ours, theirs) = (
        &Case {
            status,
            tags: tags.clone().unwrap_or_else(|| ours.tags.clone()),
            ..ours.clone()
        },
        &Case {
            status,
            tags: tags.unwrap_or_else(|| theirs.tags.clone()),
            ..theirs.clone()
        },
    );
    let base_sections = base.map(all_sections);
    let ours_sections = all_sections(ours);
    let theirs_sections = all_sections(theirs);
    let marker = |c: char| c.to_string().repeat(marker_size);
    let mut text = String::new();
    let mut conflicts = Vec::new();
    for (index, (section, ours_fields)) in ours_sections.iter().enumerate() {
        let theirs_fields = &theirs_sections[index].1;
        let base_fields = base_sections.as_ref().map(|b| &b[index].1);
        let mut choices: Vec<(&'static str, Choice)> = ours_fields
            .iter()
            .zip(theirs_fields)
            .enumerate()
            .map(|(k, (o, t))| {
                let b = base_fields.map(|fields| &fields[k].literal);
                (o.key, choose(b, &o.literal, &t.literal))
            })
            .collect();
        // One side dropped a section the other changed (a reopen dropping
        // a follow-up the other side recorded as done): merged key by key,
        // it would lack a key it needs, so every differing key conflicts.
        let lacks_required = required(*section).iter().any(|key| {
            choices
                .iter()
                .any(|(k, c)| k == key && matches!(c, Choice::Take(None)))
        }) && choices
            .iter()
            .any(|(_, c)| matches!(c, Choice::Take(Some(_))));
        if lacks_required {
            for ((_, choice), (o, t)) in choices
                .iter_mut()
                .zip(ours_fields.iter().zip(theirs_fields))
            {
                if o.literal != t.literal {
                    *choice = Choice::Conflict {
                        ours: o.literal.clone(),
                        theirs: t.literal.clone(),
                    };
                }
            }
        }
        let present = choices.iter().any(|(_, c)| match c {
            Choice::Take(value) => value.is_some(),
            Choice::Conflict { .. } => true,
        });
        if !present {
            continue;
        }
        if let Some(header) = section.header() {
            let _ = write!(text, "\n[{header}]\n");
        }
        for (key, choice) in choices {
            match choice {
                Choice::Take(literal) => write_fields(&mut text, &[Field { key, literal }]),
                Choice::Conflict { ours, theirs } => {
                    conflicts.push(match section.header() {
                        Some(header) => format!("{header}.{key}"),
                        None => key.to_string(),
                    });
                    let _ = writeln!(text, "{} ours", marker('<'));
                    write_fields(&mut text, &[Field { key, literal: ours }]);
                    let _ = writeln!(text, "{}", marker('='));
                    write_fields(
                        &mut text,
                        &[Field {
                            key,
                            literal: theirs,
                        }],
                    );
                    let _ = writeln!(text, "{} theirs", marker('>'));
                }
            }
        }
    }
    for event in events {
        text.push_str("\n[[events]]\n");
        write_fields(&mut text, &event_fields(&event));
    }
    Merged { text, conflicts }
}

/// The tags both sides changed, merged as a set (`None` when at most one
/// side changed them): the ancestor's tags that neither side removed, in
/// its order, then those either side added, in alphabetical order, so the
/// result is the same whichever side is ours.
fn merge_tags(base: Option<&Case>, ours: &Case, theirs: &Case) -> Option<Vec<String>> {
    let base = base?;
    if ours.tags == theirs.tags || ours.tags == base.tags || theirs.tags == base.tags {
        return None;
    }
    let mut tags: Vec<String> = base
        .tags
        .iter()
        .filter(|t| ours.tags.contains(t) && theirs.tags.contains(t))
        .cloned()
        .collect();
    let mut added: Vec<String> = ours
        .tags
        .iter()
        .chain(&theirs.tags)
        .filter(|t| !base.tags.contains(t))
        .cloned()
        .collect();
    added.sort();
    added.dedup();
    tags.extend(added);
    Some(tags)
}

/// The first event of `base` that `side` no longer holds (taken away by
/// `git revert`, or changed or deleted by hand), once the redactions
/// either side recorded are applied to all three. The union of the
/// events would bring it back unasked, so the driver does not merge then.
pub fn dropped_event(base: &Case, side: &Case, other: &Case) -> Option<Event> {
    let base = redaction::catch_up(&redaction::catch_up(base, side), other);
    let side = redaction::catch_up(side, other);
    let mut held: Vec<&Event> = side.events.iter().collect();
    base.events
        .iter()
        .find(|e| match held.iter().position(|h| h == e) {
            Some(i) => {
                held.remove(i);
                false
            }
            None => true,
        })
        .cloned()
}

/// Each branch numbers the options it proposes from its own last one, so
/// two branches that both propose get the same number for two different
/// options. Before they merge, the later of two such proposals (by time,
/// then content, whichever side is ours) takes the next free number, and
/// its branch's agreement and resolution follow it.
fn renumber_options(base: Option<&Case>, ours: &Case, theirs: &Case) -> (Case, Case) {
    let base_events: &[Event] = base.map_or(&[], |b| &b.events);
    let new_start = |side: &Case| {
        side.events
            .iter()
            .zip(base_events)
            .take_while(|(a, b)| a == b)
            .count()
    };
    let proposals = |side: &Case| -> Vec<Event> {
        side.events[new_start(side)..]
            .iter()
            .filter(|e| e.action == Action::Proposed && e.option.is_some())
            .cloned()
            .collect()
    };
    let (ours_new, theirs_new) = (proposals(ours), proposals(theirs));
    let mut next_free = ours
        .events
        .iter()
        .chain(&theirs.events)
        .filter_map(|e| e.option)
        .max()
        .unwrap_or(0);
    let (mut ours_map, mut theirs_map) = (BTreeMap::new(), BTreeMap::new());
    let mut numbers: Vec<u32> = ours_new.iter().filter_map(|e| e.option).collect();
    numbers.sort_unstable();
    numbers.dedup();
    for number in numbers {
        let mine = ours_new.iter().find(|e| e.option == Some(number));
        let other = theirs_new.iter().find(|e| e.option == Some(number));
        let (Some(mine), Some(other)) = (mine, other) else {
            continue;
        };
        if mine == other {
            continue;
        }
        next_free += 1;
        if order_key(mine) <= order_key(other) {
            theirs_map.insert(number, next_free);
        } else {
            ours_map.insert(number, next_free);
        }
    }
    (
        renumbered(ours, base, new_start(ours), &ours_map),
        renumbered(theirs, base, new_start(theirs), &theirs_map),
    )
}

/// `side` with its own options renumbered by `map`: its new proposals and
/// agreements, and its resolution when this side recorded it.
fn renumbered(
    side: &Case,
    base: Option<&Case>,
    new_start: usize,
    map: &BTreeMap<u32, u32>,
) -> Case {
    let mut case = side.clone();
    if map.is_empty() {
        return case;
    }
    for e in &mut case.events[new_start..] {
        if matches!(e.action, Action::Proposed | Action::Agreed)
            && let Some(number) = e.option.and_then(|n| map.get(&n))
        {
            e.option = Some(*number);
        }
    }
    let base_resolution = base.and_then(|b| b.resolution.as_ref());
    if let Some(resolution) = case.resolution.as_mut()
        && Some(&*resolution) != base_resolution
        && let Some(number) = resolution.option.and_then(|n| map.get(&n))
    {
        resolution.option = Some(*number);
    }
    case
}

/// The keys a section cannot do without.
fn required(section: Section) -> &'static [&'static str] {
    match section {
        Section::Resolution => &["summary", "resolved_at", "resolved_by"],
        Section::FollowUp => &["due"],
        _ => &[],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::file::{parse, render};
    use crate::case::lifecycle::tests::{opened, resolved, stamp, stamp_by};
    use crate::case::lifecycle::{annotate, record_follow_up, reopen};
    use crate::case::{Action, Severity, Status};

    fn merged(base: &Case, ours: &Case, theirs: &Case) -> Merged {
        merge(Some(base), ours, theirs, 7)
    }

    /// The merged case, which must have merged without conflicts.
    fn clean(merged: &Merged) -> Case {
        assert_eq!(merged.conflicts, Vec::<String>::new(), "{}", merged.text);
        parse("merged", &merged.text).unwrap()
    }

    fn titled(case: &Case, title: &str) -> Case {
        Case {
            title: title.into(),
            ..case.clone()
        }
    }

    fn noted(case: &Case, hours: i64, by: &str, text: &str) -> Case {
        annotate(case, &stamp_by(by, hours), Action::Note, text).unwrap()
    }

    fn texts(case: &Case) -> Vec<&str> {
        case.events
            .iter()
            .map(|e| e.text.as_deref().unwrap_or(""))
            .collect()
    }

    #[test]
    fn a_key_changed_on_one_side_takes_that_side_s_value() {
        let base = opened();
        let ours = titled(&base, "Vase smashed in transit");
        let theirs = Case {
            severity: Severity::High,
            ..base.clone()
        };
        for case in [
            clean(&merged(&base, &ours, &theirs)),
            clean(&merged(&base, &theirs, &ours)),
        ] {
            assert_eq!(case.title, "Vase smashed in transit");
            assert_eq!(case.severity, Severity::High);
        }
    }

    #[test]
    fn tags_changed_on_both_sides_merge_as_a_set_whichever_side_is_ours() {
        let tagged = |case: &Case, tags: &[&str]| Case {
            tags: tags.iter().map(|t| t.to_string()).collect(),
            ..case.clone()
        };
        let base = tagged(&opened(), &["post", "glass"]);
        let ours = tagged(&base, &["post", "glass", "urgent"]);
        let theirs = tagged(&base, &["glass", "refund"]);
        for case in [
            clean(&merged(&base, &ours, &theirs)),
            clean(&merged(&base, &theirs, &ours)),
        ] {
            assert_eq!(case.tags, ["glass", "refund", "urgent"]);
        }
        // Independent additions of one file still conflict: no ancestor
        // says what either side added.
        assert_eq!(merge(None, &ours, &theirs, 7).conflicts, ["tags"]);
    }

    #[test]
    fn a_key_changed_alike_on_both_sides_merges() {
        let base = opened();
        let ours = noted(&titled(&base, "Vase smashed"), 1, "ana", "ours");
        let theirs = noted(&titled(&base, "Vase smashed"), 2, "bo", "theirs");
        let case = clean(&merged(&base, &ours, &theirs));
        assert_eq!(case.title, "Vase smashed");
        assert_eq!(texts(&case), ["", "ours", "theirs"]);
    }

    #[test]
    fn a_key_changed_differently_on_both_sides_is_marked_around_that_key_only() {
        let base = opened();
        let ours = titled(&base, "Vase smashed");
        let theirs = titled(&base, "Vase cracked");
        let result = merged(&base, &ours, &theirs);
        assert_eq!(result.conflicts, ["title"]);
        let block = "<<<<<<< ours\ntitle = \"Vase smashed\"\n=======\ntitle = \"Vase cracked\"\n>>>>>>> theirs\n";
        assert_eq!(result.text.matches(block).count(), 1, "{}", result.text);
        // Everything else is already merged: keeping one side leaves a valid case.
        let kept = parse(
            "merged",
            &result.text.replace(block, "title = \"Vase smashed\"\n"),
        );
        assert_eq!(kept.unwrap(), ours);
    }

    #[test]
    fn conflict_markers_have_the_size_git_asks_for() {
        let base = opened();
        let ours = titled(&base, "Vase smashed");
        let theirs = titled(&base, "Vase cracked");
        let result = merge(Some(&base), &ours, &theirs, 10);
        let markers: Vec<&str> = result
            .text
            .lines()
            .filter(|l| l.starts_with(['<', '=', '>']))
            .collect();
        assert_eq!(
            markers,
            ["<<<<<<<<<< ours", "==========", ">>>>>>>>>> theirs"]
        );
    }

    #[test]
    fn a_conflict_in_a_section_is_named_with_its_section() {
        let base = opened();
        let mut ours = base.clone();
        ours.customer.contact = Some("jo@example.com".into());
        let mut theirs = base.clone();
        theirs.customer.contact = Some("01234 567890".into());
        let result = merged(&base, &ours, &theirs);
        assert_eq!(result.conflicts, ["customer.contact"]);
        let customer = result.text.find("[customer]").unwrap();
        let marker = result.text.find("<<<<<<< ours").unwrap();
        let complaint = result.text.find("[complaint]").unwrap();
        assert!(customer < marker && marker < complaint, "{}", result.text);
    }

    #[test]
    fn without_a_base_keys_alike_merge_and_keys_that_differ_conflict() {
        let ours = opened();
        let result = merge(None, &ours, &ours, 7);
        assert_eq!(result.conflicts, Vec::<String>::new());
        assert_eq!(result.text, render(&ours));
        let theirs = titled(&noted(&ours, 1, "bo", "theirs"), "Vase cracked");
        let result = merge(None, &ours, &theirs, 7);
        assert_eq!(result.conflicts, ["title"]);
        assert!(result.text.contains("text = \"theirs\""), "{}", result.text);
    }

    #[test]
    fn a_follow_up_dropped_on_one_side_and_done_on_the_other_conflicts_key_by_key() {
        let base = resolved();
        let ours = reopen(&base, &stamp(2), "it broke again").unwrap();
        let theirs = record_follow_up(&base, &stamp(50), None, None).unwrap();
        let result = merged(&base, &ours, &theirs);
        // Taken key by key, the follow-up would be done but due never.
        assert_eq!(result.conflicts, ["follow_up.due", "follow_up.done_at"]);
        let section = &result.text[result.text.find("[follow_up]").unwrap()..];
        assert!(
            section.starts_with(
                "[follow_up]\n<<<<<<< ours\n=======\ndue = 2026-11-24T10:00:00Z\n>>>>>>> theirs\n"
            ),
            "{}",
            result.text
        );
        let other = merged(&base, &theirs, &ours);
        assert_eq!(other.conflicts, ["follow_up.due", "follow_up.done_at"]);
    }

    #[test]
    fn a_follow_up_dropped_on_one_side_and_untouched_on_the_other_stays_dropped() {
        let base = resolved();
        let ours = reopen(&base, &stamp(2), "it broke again").unwrap();
        let theirs = noted(&base, 3, "bo", "customer rang");
        let case = clean(&merged(&base, &ours, &theirs));
        assert_eq!(case.follow_up, None);
        assert_eq!(case.status, Status::Open);
        assert_eq!(case.events.len(), ours.events.len() + 1);
    }

    #[test]
    fn events_of_both_sides_are_kept_once_in_time_order() {
        let base = opened();
        let ours = noted(&noted(&base, 2, "ana", "o2"), 5, "ana", "both");
        let theirs = noted(
            &noted(&noted(&base, 1, "bo", "t1"), 3, "bo", "t3"),
            5,
            "ana",
            "both",
        );
        let case = clean(&merged(&base, &ours, &theirs));
        assert_eq!(texts(&case), ["", "t1", "o2", "t3", "both"]);
    }

    #[test]
    fn a_redaction_on_one_side_is_not_undone_by_the_other_side_s_notes() {
        use crate::case::PersonalField;
        use crate::case::lifecycle::{close, redact};
        let base = noted(&opened(), 1, "ana", "Jo rang from 01234 567890");
        let closed = close(&base, &stamp(2), Some("done")).unwrap();
        let ours = redact(
            &closed,
            &stamp(3),
            PersonalField::ALL,
            "erasure request",
            false,
            b"s",
        )
        .unwrap();
        let theirs = noted(&closed, 2, "bo", "Jo wrote again");
        for result in [
            merged(&closed, &ours, &theirs),
            merged(&closed, &theirs, &ours),
        ] {
            let case = clean(&result);
            assert!(!result.text.contains("Jo"), "{}", result.text);
            assert_eq!(case.customer.name, ours.customer.name);
            assert_eq!(case.events.len(), ours.events.len() + 1, "{}", result.text);
        }
    }

    #[test]
    fn an_event_a_side_took_away_is_found_but_a_redaction_takes_none_away() {
        use crate::case::PersonalField;
        use crate::case::lifecycle::{close, redact};
        let base = noted(&opened(), 1, "ana", "Meant for another case");
        let theirs = noted(&base, 2, "bo", "theirs");
        let mut ours = base.clone();
        ours.events.pop();
        let dropped = dropped_event(&base, &ours, &theirs).unwrap();
        assert_eq!(dropped.text.as_deref(), Some("Meant for another case"));
        assert_eq!(dropped_event(&base, &theirs, &ours), None);
        let closed = close(&base, &stamp(2), Some("done")).unwrap();
        let erased_at = |hour| {
            redact(
                &closed,
                &stamp(hour),
                PersonalField::ALL,
                "erasure request",
                false,
                b"s",
            )
        };
        let (erased, erased_later) = (erased_at(3).unwrap(), erased_at(30).unwrap());
        let added = noted(&closed, 2, "bo", "Jo wrote again");
        for (side, other) in [
            (&erased, &added),
            (&added, &erased),
            (&erased, &erased_later),
            (&erased_later, &erased),
        ] {
            assert_eq!(dropped_event(&closed, side, other), None);
        }
    }

    #[test]
    fn the_status_is_what_the_merged_events_say() {
        use crate::case::lifecycle::tests::waits;
        let base = opened();
        // A wait on the customer, and, on the other side, their answer.
        let ours = waits(&base, &stamp(1), "photos", None).unwrap();
        let theirs = annotate(&base, &stamp(2), Action::Customer, "Here they are").unwrap();
        for result in [merged(&base, &ours, &theirs), merged(&base, &theirs, &ours)] {
            assert_eq!(clean(&result).status, Status::Open, "{}", result.text);
        }
    }

    #[test]
    fn merging_either_way_gives_the_same_case() {
        let base = opened();
        let ours = noted(&noted(&base, 1, "ana", "from ana"), 2, "ana", "later");
        let theirs = noted(&noted(&base, 1, "bo", "from bo"), 2, "cy", "also later");
        let one_way = merged(&base, &ours, &theirs);
        let other_way = merged(&base, &theirs, &ours);
        assert_eq!(one_way, other_way);
        assert_eq!(clean(&one_way).events.len(), 5);
    }
}
