//! The complaint-handling practice: which of its steps a case has been
//! through, and what to do next.
//!
//! Good handling (ISO 10002 and the practice literature) is a sequence a
//! person can forget under pressure: respond fast, listen and summarise
//! back, ask, apologise, weigh solutions, agree one, resolve, thank, follow
//! up. Everything here is derived from a case's fields and events each time
//! it is asked for; nothing is stored.

use chrono::{DateTime, Utc};

use crate::case::id::CaseId;
use crate::case::lifecycle;
use crate::case::suggestion::{Step as Suggested, Suggestion};
use crate::case::{Action, Case, Event, Status};
use crate::practice::deadlines::{self, Kind};
use crate::settings::Settings;
use crate::time::{Span, format_length, format_relative, format_time};
use crate::words::word_enum;

word_enum!(
    /// One handling step of the practice, in the order it takes them.
    Step, "step" {
        Responded => "responded",
        Listened => "listened",
        Questioned => "questioned",
        Apologised => "apologised",
        Proposed => "proposed",
        Agreed => "agreed",
        Resolved => "resolved",
        Thanked => "thanked",
        FollowedUp => "followed-up",
    }
);

impl Step {
    /// How a person says it, as a checklist item.
    pub fn label(self) -> &'static str {
        match self {
            Step::Responded => "acknowledged and responded to the customer",
            Step::Listened => "listened and summarised the complaint back",
            Step::Questioned => "asked questions to get the full facts",
            Step::Apologised => "apologised, without blaming",
            Step::Proposed => "proposed solutions, with pluses and minuses",
            Step::Agreed => "agreed a solution with the customer",
            Step::Resolved => "resolved",
            Step::Thanked => "thanked the customer",
            Step::FollowedUp => "followed up and asked if satisfied",
        }
    }

    /// Whether an event records this step.
    fn recorded_by(self, event: &Event) -> bool {
        match self {
            Step::Responded => event.action.is_customer_contact(),
            Step::Listened => event.action == Action::Listened,
            Step::Questioned => event.action == Action::Question,
            Step::Apologised => event.action == Action::Apologised,
            Step::Proposed => event.action == Action::Proposed,
            Step::Agreed => event.action == Action::Agreed,
            Step::Resolved => event.action == Action::Resolved,
            Step::Thanked => event.action == Action::Thanked,
            Step::FollowedUp => event.action == Action::FollowedUp,
        }
    }
}

/// One checklist item: a step and when it was first taken, if it was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    pub step: Step,
    pub at: Option<DateTime<Utc>>,
}

/// Which steps the case has been through (first time each) and which not.
pub fn checklist(case: &Case) -> Vec<Checked> {
    Step::ALL
        .iter()
        .map(|&step| Checked {
            step,
            at: case
                .events
                .iter()
                .find(|e| step.recorded_by(e))
                .map(|e| e.at.0),
        })
        .collect()
}

/// One thing to do next, and why the practice asks for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Advice {
    /// A stable word for scripts: `respond`, `propose`, `follow-up`…
    pub action: &'static str,
    /// What to do, in the user's words.
    pub what: String,
    /// Why, from the case's state and events.
    pub why: String,
    /// The steps that record it, as alternatives; none when nothing does.
    pub steps: Vec<Suggestion>,
}

fn advice(action: &'static str, what: &str, why: String, steps: Vec<Suggestion>) -> Advice {
    Advice {
        action,
        what: what.to_string(),
        why,
        steps,
    }
}

/// A note of one of `kinds` on the case.
fn note(case: &CaseId, kinds: &[Action]) -> Vec<Suggestion> {
    vec![Suggestion::on(
        case,
        Suggested::Note {
            kinds: kinds.to_vec(),
        },
    )]
}

fn on(case: &CaseId, step: Suggested) -> Vec<Suggestion> {
    vec![Suggestion::on(case, step)]
}

/// When a deadline falls, for a reason: `due in 3h, at 2026-11-22 12:00
/// UTC` or `overdue by 2d, since …`.
fn due_words(due: DateTime<Utc>, now: DateTime<Utc>) -> String {
    if due <= now {
        format!(
            "overdue by {}, since {}",
            format_length(now - due),
            format_time(due)
        )
    } else {
        format!(
            "due in {}, at {}",
            format_length(due - now),
            format_time(due)
        )
    }
}

/// What the practice says to do next on `case`, most pressing first.
pub fn next_steps(case: &Case, settings: &Settings, now: DateTime<Utc>) -> Vec<Advice> {
    let id = &case.id;
    let pending = deadlines::pending(case, settings);
    let deadline = |kind: Kind| pending.iter().find(|d| d.kind == kind).map(|d| d.due);
    let done = |step: Step| case.events.iter().any(|e| step.recorded_by(e));
    let mut out = Vec::new();
    match case.status {
        Status::Open | Status::Waiting => {
            advise_unresolved(case, now, &deadline, &done, &mut out);
        }
        Status::Resolved => {
            let resolved_at = case.resolution.as_ref().map(|r| r.resolved_at.0);
            let resolved = resolved_at
                .map(|t| format!("resolved {} ({})", format_time(t), format_relative(t, now)))
                .unwrap_or_else(|| "resolved".into());
            match &case.follow_up {
                Some(f) if f.done_at.is_none() => out.push(advice(
                    "follow-up",
                    "call the customer back and ask whether they are satisfied",
                    format!("follow-up {}; {resolved}", due_words(f.due.0, now)),
                    on(
                        id,
                        Suggested::RecordFollowUp {
                            ask_satisfied: true,
                        },
                    ),
                )),
                Some(_) => out.push(advice(
                    "close",
                    "close the case, or try the customer again",
                    "the follow-up is done but the customer gave no answer".into(),
                    on(id, Suggested::Close),
                )),
                None => out.push(advice(
                    "schedule-follow-up",
                    "schedule the follow-up call",
                    format!("{resolved} with no follow-up scheduled"),
                    on(
                        id,
                        Suggested::ScheduleFollowUp {
                            after: settings.follow_up_after,
                        },
                    ),
                )),
            }
            if !done(Step::Thanked) {
                out.push(thank(id));
            }
        }
        Status::Closed => {
            let closed = case
                .events
                .iter()
                .rev()
                .find(|e| e.action == Action::Closed)
                .map(|e| format!("closed {}", format_time(e.at.0)))
                .unwrap_or_else(|| "closed".into());
            out.push(advice(
                "none",
                "nothing to do",
                format!("the case is {closed}"),
                Vec::new(),
            ));
        }
    }
    out
}

fn thank(id: &CaseId) -> Advice {
    advice(
        "thank",
        "thank the customer for raising it",
        "no thanks recorded; a complaint is a second chance".into(),
        note(id, &[Action::Thanked]),
    )
}

/// Advice for an open or waiting case.
fn advise_unresolved(
    case: &Case,
    now: DateTime<Utc>,
    deadline: &dyn Fn(Kind) -> Option<DateTime<Utc>>,
    done: &dyn Fn(Step) -> bool,
    out: &mut Vec<Advice>,
) {
    let id = &case.id;
    let opened = case.opened_at.0;
    if case.status == Status::Waiting {
        let since = case
            .events
            .iter()
            .rev()
            .find(|e| e.action == Action::Waiting);
        let reason = since
            .and_then(|e| e.text.as_deref())
            .map(|t| t.lines().next().unwrap_or_default().to_string())
            .unwrap_or_else(|| "someone".into());
        match deadline(Kind::WaitOver) {
            Some(until) if until <= now => out.push(advice(
                "chase",
                "the wait is over: chase it, or reopen the case",
                format!("waiting on: {reason}; {}", due_words(until, now)),
                on(id, Suggested::Reopen),
            )),
            Some(until) => out.push(advice(
                "wait",
                "wait, then look again",
                format!("waiting on: {reason}; look again {}", due_words(until, now)),
                Vec::new(),
            )),
            None => out.push(advice(
                "wait",
                "wait, and set a time to look again",
                format!(
                    "waiting on: {reason}, since {} with no --until",
                    since.map(|e| format_time(e.at.0)).unwrap_or_default()
                ),
                on(
                    id,
                    Suggested::Wait {
                        until: Span::days(3),
                    },
                ),
            )),
        }
    }
    if let Some(due) = deadline(Kind::FirstResponse) {
        out.push(advice(
            "respond",
            "acknowledge the complaint and reply to the customer",
            format!(
                "no reply to the customer yet (opened {}; first response {})",
                format_relative(opened, now),
                due_words(due, now)
            ),
            note(id, &[Action::Reply, Action::Call, Action::Email]),
        ));
    }
    let round = lifecycle::current_round(case);
    let unsatisfied = case
        .events
        .iter()
        .rev()
        .find(|e| e.action == Action::FollowedUp)
        .filter(|e| e.satisfied == Some(false));
    let escalated = round.iter().any(|e| e.action == Action::Escalated);
    let agreement = lifecycle::agreement(case);
    if let Some(follow_up) = unsatisfied
        && agreement.is_none()
    {
        out.push(advice(
            "rework",
            "find a new solution with the customer, or escalate",
            format!(
                "customer not satisfied at the follow-up {}",
                format_time(follow_up.at.0)
            ),
            vec![
                Suggestion::on(id, Suggested::Propose),
                Suggestion::on(id, Suggested::Escalate),
            ],
        ));
    }
    if !done(Step::Listened) {
        out.push(advice(
            "listen",
            "summarise the complaint back to the customer",
            "no record that the customer heard it summarised back".into(),
            note(id, &[Action::Listened]),
        ));
    }
    let proposals: Vec<&Event> = round
        .iter()
        .filter(|e| e.action == Action::Proposed)
        .collect();
    if proposals.is_empty() && !done(Step::Questioned) {
        out.push(advice(
            "ask",
            "ask questions to get the full facts",
            "no questions recorded".into(),
            note(id, &[Action::Question]),
        ));
    }
    if !done(Step::Apologised) {
        out.push(advice(
            "apologise",
            "apologise for the experience, without blaming",
            "no apology recorded".into(),
            note(id, &[Action::Apologised]),
        ));
    }
    let resolution_due = deadline(Kind::Resolution);
    let resolve_by = resolution_due
        .map(|due| format!("; resolution {}", due_words(due, now)))
        .unwrap_or_default();
    match agreement {
        Some(agreed) => {
            let number = agreed.option.unwrap_or(0);
            out.push(advice(
                "resolve",
                &format!("carry out option {number} and record the resolution"),
                format!(
                    "the customer agreed to option {number} on {}{}{resolve_by}",
                    format_time(agreed.at.0),
                    agreed.how.map(|h| format!(" by {h}")).unwrap_or_default()
                ),
                on(id, Suggested::Resolve),
            ));
        }
        None if proposals.is_empty() => {
            let earlier = lifecycle::proposals(case).len();
            let why = if earlier > 0 {
                format!(
                    "no solution proposed since the case was reopened ({earlier} before){resolve_by}"
                )
            } else {
                format!("no solution proposed yet{resolve_by}")
            };
            out.push(advice(
                "propose",
                "list the possible solutions, with pluses and minuses",
                why,
                on(id, Suggested::Propose),
            ));
        }
        None => {
            let numbers: Vec<String> = proposals
                .iter()
                .filter_map(|e| e.option)
                .map(|n| n.to_string())
                .collect();
            out.push(advice(
                "agree",
                "agree one of the options with the customer",
                format!(
                    "option{} {} proposed, none agreed yet{resolve_by}",
                    if numbers.len() == 1 { "" } else { "s" },
                    numbers.join(", ")
                ),
                on(id, Suggested::Agree),
            ));
        }
    }
    if let Some(due) = resolution_due
        && due <= now
        && !escalated
    {
        out.push(advice(
            "escalate",
            "consider escalating to someone senior",
            format!("the resolution is {}", due_words(due, now)),
            on(id, Suggested::Escalate),
        ));
    }
    if !done(Step::Thanked) {
        out.push(thank(id));
    }
}
