//! Three-way merge of one case, for the git merge driver: two branches
//! that both worked on a case merge without losing anything.
//!
//! Events are a union: everything either side added is kept once, in time
//! order (ties broken the same way whichever side is "ours", so merging A
//! into B and B into A agree). Fields merge key by key: a key changed on one
//! side takes that side's value; changed alike on both, it merges; changed
//! differently, it is a real conflict, written as standard conflict markers
//! around those lines only.

use std::fmt::Write as _;

use crate::case::Case;
use crate::case::event_log::merge_events;
use crate::case::file::{Field, Section, all_sections, event_fields, write_fields};

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
    for event in merge_events(&ours.events, &theirs.events) {
        text.push_str("\n[[events]]\n");
        write_fields(&mut text, &event_fields(&event));
    }
    Merged { text, conflicts }
}

/// The keys a section cannot do without.
fn required(section: Section) -> &'static [&'static str] {
    match section {
        Section::Resolution => &["summary", "resolved_at", "resolved_by"],
        Section::FollowUp => &["due"],
        _ => &[],
    }
}
