//! Suggestions rendered as the command lines that take them.
//!
//! The domain suggests steps as data (`case::suggestion`); this is the one
//! place that knows how each is typed, so a renamed option is one edit
//! here, and a test parses every rendering with the real parser.

use std::fmt;

use crate::case::suggestion::{Step, Suggestion};

/// One word of a rendered command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Word {
    /// Typed as is.
    Literal(String),
    /// Something the person fills in: TEXT, PERSON, N.
    Placeholder(&'static str),
    /// One of several values, shown as `a|b`.
    Choice(Vec<String>),
}

fn literal(text: impl Into<String>) -> Word {
    Word::Literal(text.into())
}

/// The words of the command line that takes `suggestion`. A suggestion
/// with no case names the command alone.
pub fn words(suggestion: &Suggestion) -> Vec<Word> {
    let (name, rest): (&str, Vec<Word>) = match &suggestion.step {
        Step::Note { kinds } => (
            "note",
            vec![
                literal("--kind"),
                Word::Choice(kinds.iter().map(|k| k.to_string()).collect()),
                Word::Placeholder("TEXT"),
            ],
        ),
        Step::Propose => (
            "propose",
            vec![
                Word::Placeholder("TEXT"),
                literal("--pro"),
                Word::Placeholder("TEXT"),
                literal("--con"),
                Word::Placeholder("TEXT"),
            ],
        ),
        Step::Agree => (
            "agree",
            vec![
                Word::Placeholder("N"),
                literal("--how"),
                literal("phone"),
                literal("--contingency"),
                Word::Placeholder("TEXT"),
            ],
        ),
        Step::ChangeAgreement { option } => (
            "agree",
            vec![literal(option.to_string()), literal("--replace")],
        ),
        Step::Escalate => (
            "escalate",
            vec![
                literal("--to"),
                Word::Placeholder("PERSON"),
                literal("--reason"),
                Word::Placeholder("TEXT"),
            ],
        ),
        Step::Resolve => (
            "resolve",
            vec![literal("--summary"), Word::Placeholder("TEXT")],
        ),
        Step::Wait { until } => (
            "wait",
            vec![
                literal("--reason"),
                Word::Placeholder("TEXT"),
                literal("--until"),
                literal(until.to_string()),
            ],
        ),
        Step::Reopen => (
            "reopen",
            vec![literal("--reason"), Word::Placeholder("TEXT")],
        ),
        Step::ScheduleFollowUp { after } => (
            "follow-up",
            vec![literal("--in"), literal(after.to_string())],
        ),
        Step::RecordFollowUp { ask_satisfied } => {
            let mut rest = vec![literal("--done")];
            if *ask_satisfied {
                rest.push(literal("--satisfied"));
                rest.push(Word::Choice(vec!["yes".into(), "no".into()]));
            }
            ("follow-up", rest)
        }
        Step::Close => ("close", Vec::new()),
        Step::Check => ("check", Vec::new()),
    };
    let mut out = vec![literal("caselog"), literal(name)];
    // Without a case, only the command is named: its arguments would mean
    // nothing on their own.
    if let Some(id) = &suggestion.case {
        out.push(literal(id.as_str()));
        out.extend(rest);
    }
    out
}

impl fmt::Display for Word {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Word::Literal(text) => f.write_str(text),
            Word::Placeholder(name) => f.write_str(name),
            Word::Choice(values) => f.write_str(&values.join("|")),
        }
    }
}

impl fmt::Display for Suggestion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let words: Vec<String> = words(self).iter().map(Word::to_string).collect();
        f.write_str(&words.join(" "))
    }
}

/// Alternatives, as people read them: `A  or  B`.
pub fn either(suggestions: &[Suggestion]) -> Option<String> {
    (!suggestions.is_empty()).then(|| {
        suggestions
            .iter()
            .map(Suggestion::to_string)
            .collect::<Vec<_>>()
            .join("  or  ")
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::Action;
    use crate::case::id::CaseId;
    use crate::cli::Cli;
    use crate::time::Span;
    use clap::Parser;

    fn every_suggestion() -> Vec<Suggestion> {
        let id = CaseId::parse_full("20261122-7kq3m").unwrap();
        let steps = vec![
            Step::Note {
                kinds: vec![Action::Reply, Action::Call, Action::Email],
            },
            Step::Note {
                kinds: vec![Action::Thanked],
            },
            Step::Propose,
            Step::Agree,
            Step::ChangeAgreement { option: 2 },
            Step::Escalate,
            Step::Resolve,
            Step::Wait {
                until: Span::days(3),
            },
            Step::Reopen,
            Step::ScheduleFollowUp {
                after: Span::hours(48),
            },
            Step::RecordFollowUp {
                ask_satisfied: true,
            },
            Step::RecordFollowUp {
                ask_satisfied: false,
            },
            Step::Close,
            Step::Check,
        ];
        let mut all: Vec<Suggestion> = steps
            .iter()
            .map(|step| Suggestion::on(&id, step.clone()))
            .collect();
        all.extend(steps.into_iter().map(Suggestion::named));
        all
    }

    /// Each filled-in command line a suggestion stands for: every choice,
    /// placeholders given plausible values.
    fn filled(words: &[Word]) -> Vec<Vec<String>> {
        let mut lines: Vec<Vec<String>> = vec![Vec::new()];
        for word in words {
            let options: Vec<String> = match word {
                Word::Literal(text) => vec![text.clone()],
                Word::Placeholder("N") => vec!["1".into()],
                Word::Placeholder("PERSON") => vec!["lee@example.com".into()],
                Word::Placeholder(_) => vec!["some text".into()],
                Word::Choice(values) => values.clone(),
            };
            lines = lines
                .into_iter()
                .flat_map(|line| {
                    options.iter().map(move |o| {
                        let mut next = line.clone();
                        next.push(o.clone());
                        next
                    })
                })
                .collect();
        }
        lines
    }

    #[test]
    fn every_suggestion_renders_to_a_command_line_the_parser_accepts() {
        for suggestion in every_suggestion() {
            let words = words(&suggestion);
            let complete = suggestion.case.is_some() || matches!(suggestion.step, Step::Check);
            for argv in filled(&words) {
                let parsed = Cli::try_parse_from(&argv);
                if complete {
                    assert!(parsed.is_ok(), "{argv:?}: {}", parsed.unwrap_err());
                } else {
                    // A step named alone names a real command.
                    let mut with_help = argv.clone();
                    with_help.push("--help".into());
                    let err = Cli::try_parse_from(&with_help).unwrap_err();
                    assert_eq!(err.kind(), clap::error::ErrorKind::DisplayHelp, "{argv:?}");
                }
            }
        }
    }

    #[test]
    fn suggestions_read_as_before() {
        let id = CaseId::parse_full("20261122-7kq3m").unwrap();
        assert_eq!(
            Suggestion::on(
                &id,
                Step::RecordFollowUp {
                    ask_satisfied: true
                }
            )
            .to_string(),
            "caselog follow-up 20261122-7kq3m --done --satisfied yes|no"
        );
        assert_eq!(
            Suggestion::named(Step::Propose).to_string(),
            "caselog propose"
        );
        assert_eq!(
            Suggestion::on(
                &id,
                Step::Note {
                    kinds: vec![Action::Reply, Action::Call, Action::Email]
                }
            )
            .to_string(),
            "caselog note 20261122-7kq3m --kind reply|call|email TEXT"
        );
    }
}
