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
use crate::time::{Span, Zone, format_length, format_relative, format_time};
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
fn due_words(due: DateTime<Utc>, now: DateTime<Utc>, zone: Zone) -> String {
    if due <= now {
        format!(
            "overdue by {}, since {}",
            format_length(now - due),
            format_time(due, zone)
        )
    } else {
        format!(
            "due in {}, at {}",
            format_length(due - now),
            format_time(due, zone)
        )
    }
}

/// What the practice says to do next on `case`, most pressing first; the
/// reasons show times in `zone`.
pub fn next_steps(case: &Case, settings: &Settings, now: DateTime<Utc>, zone: Zone) -> Vec<Advice> {
    let id = &case.id;
    let pending = deadlines::pending(case, settings, now);
    // A paused deadline (waiting on the customer) presses on nothing.
    let deadline = |kind: Kind| {
        pending
            .iter()
            .find(|d| d.kind == kind && !d.paused)
            .map(|d| d.due)
    };
    let done = |step: Step| case.events.iter().any(|e| step.recorded_by(e));
    let mut out = Vec::new();
    match case.status {
        Status::Open | Status::Waiting => {
            advise_unresolved(case, now, zone, &deadline, &done, &mut out);
        }
        Status::Resolved => {
            let resolved_at = case.resolution.as_ref().map(|r| r.resolved_at.0);
            let resolved = resolved_at
                .map(|t| {
                    format!(
                        "resolved {} ({})",
                        format_time(t, zone),
                        format_relative(t, now)
                    )
                })
                .unwrap_or_else(|| "resolved".into());
            match &case.follow_up {
                Some(f) if f.done_at.is_none() => out.push(advice(
                    "follow-up",
                    "call the customer back and ask whether they are satisfied",
                    format!("follow-up {}; {resolved}", due_words(f.due.0, now, zone)),
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
                .map(|e| format!("closed {}", format_time(e.at.0, zone)))
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
    zone: Zone,
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
                format!("waiting on: {reason}; {}", due_words(until, now, zone)),
                on(id, Suggested::Reopen),
            )),
            Some(until) => out.push(advice(
                "wait",
                "wait, then look again",
                format!(
                    "waiting on: {reason}; look again {}",
                    due_words(until, now, zone)
                ),
                Vec::new(),
            )),
            None => out.push(advice(
                "wait",
                "wait, and set a time to look again",
                format!(
                    "waiting on: {reason}, since {} with no --until",
                    since.map(|e| format_time(e.at.0, zone)).unwrap_or_default()
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
                due_words(due, now, zone)
            ),
            note(id, &[Action::Reply, Action::Call, Action::Email]),
        ));
    }
    if let Some(due) = deadline(Kind::Update) {
        // The update clock runs from the last contact or the last reopen.
        let since = case
            .events
            .iter()
            .rev()
            .find(|e| e.action.is_customer_contact() || e.action == Action::Reopened)
            .map(|e| {
                let when = format_relative(e.at.0, now);
                if e.action == Action::Reopened {
                    format!("reopened {when}, no contact with the customer since")
                } else {
                    format!("last contact with the customer {when}")
                }
            })
            .unwrap_or_default();
        out.push(advice(
            "update",
            "tell the customer how their case is going",
            format!("{since}; update {}", due_words(due, now, zone)),
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
                format_time(follow_up.at.0, zone)
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
        .map(|due| format!("; resolution {}", due_words(due, now, zone)))
        .unwrap_or_default();
    match agreement {
        Some(agreed) => {
            let number = agreed.option.unwrap_or(0);
            out.push(advice(
                "resolve",
                &format!("carry out option {number} and record the resolution"),
                format!(
                    "the customer agreed to option {number} on {}{}{resolve_by}",
                    format_time(agreed.at.0, zone),
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
                    "{} {} proposed, none agreed yet{resolve_by}",
                    crate::words::plural(numbers.len(), "option"),
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
            format!("the resolution is {}", due_words(due, now, zone)),
            on(id, Suggested::Escalate),
        ));
    }
    if !done(Step::Thanked) {
        out.push(thank(id));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::lifecycle::tests::{at, opened, resolved, settled, stamp};
    use crate::case::lifecycle::{Agreement, agree, annotate, escalate, propose};

    /// The advice on `case` as of `hours` after its opening, with default settings.
    fn advice_at(case: &Case, hours: i64) -> Vec<Advice> {
        next_steps(case, &Settings::default(), at(hours), Zone::UTC)
    }

    fn actions_at(case: &Case, hours: i64) -> Vec<&'static str> {
        advice_at(case, hours).iter().map(|a| a.action).collect()
    }

    /// The one piece of advice with `action`.
    fn advised(case: &Case, hours: i64, action: &str) -> Advice {
        let all = advice_at(case, hours);
        let mut found = all.iter().filter(|a| a.action == action);
        let one = found
            .next()
            .unwrap_or_else(|| panic!("no {action} in {all:?}"));
        assert!(found.next().is_none(), "{all:?}");
        one.clone()
    }

    fn steps_of(case: &Case, hours: i64, action: &str) -> Vec<Suggested> {
        let advice = advised(case, hours, action);
        for suggestion in &advice.steps {
            assert_eq!(suggestion.case.as_ref(), Some(&case.id), "{advice:?}");
        }
        advice.steps.into_iter().map(|s| s.step).collect()
    }

    fn note(case: &Case, hours: i64, kind: Action) -> Case {
        annotate(case, &stamp(hours), kind, "Done.").unwrap()
    }

    fn noting(kinds: &[Action]) -> Vec<Suggested> {
        vec![Suggested::Note {
            kinds: kinds.to_vec(),
        }]
    }

    /// Every handling step before a proposal done: reply, listen, ask, apologise, thank.
    fn courteous(case: &Case, hours: i64) -> Case {
        [
            Action::Reply,
            Action::Listened,
            Action::Question,
            Action::Apologised,
            Action::Thanked,
        ]
        .into_iter()
        .fold(case.clone(), |case, kind| note(&case, hours, kind))
    }

    fn proposed(case: &Case, hours: i64, how_many: usize) -> Case {
        (0..how_many).fold(case.clone(), |case, _| {
            propose(&case, &stamp(hours), "Refund", &[], &[]).unwrap()
        })
    }

    fn waiting(until: Option<i64>) -> Case {
        lifecycle::tests::waits(
            &courteous(&opened(), 1),
            &stamp(2),
            "the courier\nand more",
            until.map(at),
        )
        .unwrap()
    }

    #[test]
    fn a_new_case_asks_for_every_early_step() {
        let case = opened();
        assert_eq!(
            actions_at(&case, 1),
            ["respond", "listen", "ask", "apologise", "propose", "thank"]
        );
        assert_eq!(
            steps_of(&case, 1, "respond"),
            noting(&[Action::Reply, Action::Call, Action::Email])
        );
        assert_eq!(steps_of(&case, 1, "listen"), noting(&[Action::Listened]));
        assert_eq!(steps_of(&case, 1, "ask"), noting(&[Action::Question]));
        assert_eq!(
            steps_of(&case, 1, "apologise"),
            noting(&[Action::Apologised])
        );
        assert_eq!(steps_of(&case, 1, "propose"), [Suggested::Propose]);
        assert_eq!(steps_of(&case, 1, "thank"), noting(&[Action::Thanked]));
    }

    #[test]
    fn the_first_response_is_due_a_day_after_opening() {
        let case = opened();
        assert!(advised(&case, 1, "respond").why.contains("due in 23h"));
        assert!(advised(&case, 30, "respond").why.contains("overdue by 6h"));
    }

    #[test]
    fn a_reply_stops_the_advice_to_respond() {
        for kind in [Action::Reply, Action::Call, Action::Acknowledged] {
            let case = note(&opened(), 1, kind);
            assert_eq!(
                actions_at(&case, 2),
                ["listen", "ask", "apologise", "propose", "thank"],
                "{kind}"
            );
        }
    }

    #[test]
    fn once_every_early_step_is_done_only_proposing_is_left() {
        assert_eq!(actions_at(&courteous(&opened(), 1), 2), ["propose"]);
    }

    #[test]
    fn a_wait_without_until_asks_for_a_time_to_look_again() {
        let case = waiting(None);
        assert_eq!(actions_at(&case, 3), ["wait", "propose"]);
        assert_eq!(
            steps_of(&case, 3, "wait"),
            [Suggested::Wait {
                until: Span::days(3)
            }]
        );
        let why = advised(&case, 3, "wait").why;
        assert_eq!(
            why,
            "waiting on: the courier, since 2026-11-22 11:00 UTC with no --until"
        );
    }

    #[test]
    fn a_wait_with_until_says_wait_until_it_is_over_then_chase() {
        let case = waiting(Some(10));
        assert_eq!(actions_at(&case, 9), ["wait", "propose"]);
        assert_eq!(steps_of(&case, 9, "wait"), []);
        for hours in [10, 11] {
            assert_eq!(actions_at(&case, hours), ["chase", "propose"]);
            assert_eq!(steps_of(&case, hours, "chase"), [Suggested::Reopen]);
        }
    }

    #[test]
    fn proposals_without_agreement_ask_for_one_to_be_agreed() {
        let case = proposed(&note(&opened(), 1, Action::Reply), 2, 2);
        assert_eq!(
            actions_at(&case, 3),
            ["listen", "apologise", "agree", "thank"]
        );
        assert_eq!(steps_of(&case, 3, "agree"), [Suggested::Agree]);
        assert!(
            advised(&case, 3, "agree")
                .why
                .starts_with("options 1, 2 proposed, none agreed yet; resolution due in")
        );
        let one = proposed(&opened(), 1, 1);
        assert!(
            advised(&one, 2, "agree")
                .why
                .starts_with("option 1 proposed,")
        );
    }

    #[test]
    fn an_agreement_asks_for_the_resolution() {
        let case = proposed(&courteous(&opened(), 1), 2, 2);
        let terms = Agreement {
            how: Some(crate::case::Channel::Phone),
            ..Agreement::default()
        };
        let case = agree(&case, &stamp(3), 2, terms).unwrap();
        assert_eq!(actions_at(&case, 4), ["resolve"]);
        assert_eq!(steps_of(&case, 4, "resolve"), [Suggested::Resolve]);
        let advice = advised(&case, 4, "resolve");
        assert_eq!(advice.what, "carry out option 2 and record the resolution");
        assert!(
            advice
                .why
                .starts_with("the customer agreed to option 2 on 2026-11-22 12:00 UTC by phone;"),
            "{}",
            advice.why
        );
    }

    #[test]
    fn an_overdue_resolution_suggests_escalating_unless_already_escalated() {
        let case = courteous(&opened(), 1);
        let fourteen_days = 14 * 24;
        assert_eq!(actions_at(&case, fourteen_days - 1), ["propose"]);
        assert_eq!(actions_at(&case, fourteen_days), ["propose", "escalate"]);
        assert_eq!(
            steps_of(&case, fourteen_days, "escalate"),
            [Suggested::Escalate]
        );
        let escalated = escalate(&case, &stamp(2), "cy", "too slow").unwrap();
        assert_eq!(actions_at(&escalated, fourteen_days + 1), ["propose"]);
    }

    #[test]
    fn a_resolution_with_its_follow_up_pending_asks_for_the_call_back() {
        let case = resolved();
        assert_eq!(actions_at(&case, 2), ["follow-up", "thank"]);
        assert_eq!(
            steps_of(&case, 2, "follow-up"),
            [Suggested::RecordFollowUp {
                ask_satisfied: true
            }]
        );
        assert!(
            advised(&case, 2, "follow-up")
                .why
                .starts_with("follow-up due in 1d 23h")
        );
        assert!(
            advised(&case, 50, "follow-up")
                .why
                .starts_with("follow-up overdue by 1h")
        );
        let thanked = note(&case, 2, Action::Thanked);
        assert_eq!(actions_at(&thanked, 3), ["follow-up"]);
    }

    #[test]
    fn a_follow_up_without_an_answer_suggests_closing() {
        let case = lifecycle::record_follow_up(&resolved(), &stamp(50), None, None).unwrap();
        assert_eq!(actions_at(&case, 51), ["close", "thank"]);
        assert_eq!(steps_of(&case, 51, "close"), [Suggested::Close]);
    }

    #[test]
    fn a_resolution_without_a_follow_up_asks_for_one_to_be_scheduled() {
        let case = lifecycle::resolve(&opened(), &stamp(1), settled(None)).unwrap();
        assert_eq!(actions_at(&case, 2), ["schedule-follow-up", "thank"]);
        assert_eq!(
            steps_of(&case, 2, "schedule-follow-up"),
            [Suggested::ScheduleFollowUp {
                after: Span::hours(48)
            }]
        );
    }

    #[test]
    fn a_closed_case_needs_nothing() {
        let case = lifecycle::close(&opened(), &stamp(1), Some("withdrawn")).unwrap();
        let advice = advice_at(&case, 2);
        assert_eq!(advice.len(), 1);
        assert_eq!(advice[0].action, "none");
        assert_eq!(advice[0].why, "the case is closed 2026-11-22 10:00 UTC");
        assert_eq!(advice[0].steps, []);
    }

    #[test]
    fn an_unsatisfied_follow_up_asks_for_rework_until_a_new_agreement() {
        let case = agree(
            &proposed(&courteous(&opened(), 1), 2, 1),
            &stamp(3),
            1,
            Agreement::default(),
        )
        .unwrap();
        let case = lifecycle::resolve(&case, &stamp(4), settled(Some(52))).unwrap();
        let case = lifecycle::record_follow_up(&case, &stamp(53), Some(false), None).unwrap();
        assert_eq!(actions_at(&case, 54), ["rework", "propose"]);
        assert_eq!(
            steps_of(&case, 54, "rework"),
            [Suggested::Propose, Suggested::Escalate]
        );
        assert!(
            advised(&case, 54, "propose")
                .why
                .starts_with("no solution proposed since the case was reopened (1 before)")
        );
        let case = proposed(&case, 55, 1);
        assert_eq!(actions_at(&case, 56), ["rework", "agree"]);
        let case = agree(&case, &stamp(56), 2, Agreement::default()).unwrap();
        assert_eq!(actions_at(&case, 57), ["resolve"]);
    }

    #[test]
    fn a_new_case_has_taken_no_step_of_the_checklist() {
        let list = checklist(&opened());
        let steps: Vec<Step> = list.iter().map(|c| c.step).collect();
        assert_eq!(steps, Step::ALL);
        assert!(list.iter().all(|c| c.at.is_none()), "{list:?}");
    }

    #[test]
    fn the_checklist_records_when_each_step_was_first_taken() {
        let case = note(&opened(), 1, Action::Acknowledged);
        let case = note(&case, 2, Action::Reply);
        let case = note(&case, 3, Action::Apologised);
        let case = note(&case, 4, Action::Apologised);
        let case = proposed(&case, 5, 2);
        let case = agree(&case, &stamp(6), 1, Agreement::default()).unwrap();
        let case = lifecycle::resolve(&case, &stamp(7), settled(Some(8))).unwrap();
        let case = lifecycle::record_follow_up(&case, &stamp(9), Some(true), None).unwrap();
        let taken: Vec<(Step, Option<DateTime<Utc>>)> =
            checklist(&case).iter().map(|c| (c.step, c.at)).collect();
        assert_eq!(
            taken,
            [
                (Step::Responded, Some(at(1))),
                (Step::Listened, None),
                (Step::Questioned, None),
                (Step::Apologised, Some(at(3))),
                (Step::Proposed, Some(at(5))),
                (Step::Agreed, Some(at(6))),
                (Step::Resolved, Some(at(7))),
                (Step::Thanked, None),
                (Step::FollowedUp, Some(at(9))),
            ]
        );
    }
}
