//! The complaint lifecycle: every change a command can make to a case, as a
//! pure function from the case before to the case after.
//!
//! `open` → (`waiting` ⇄ `open`) → `resolved` → `closed`; resolved and
//! closed cases can be reopened, and the reopen is an event that reports
//! count. Each function refuses an invalid transition with a message that
//! says what to do instead, and records exactly one event per thing that
//! happened. Nothing here touches files.

use chrono::{DateTime, Utc};

use crate::case::id::CaseId;
use crate::case::suggestion::{Advised, Step, Suggestion};
use crate::case::{
    Action, Case, Channel, Complaint, Customer, Event, FORMAT, FollowUp, Outcome, Resolution,
    Severity, Status, Timestamp,
};
use crate::error::InputError;
use crate::time::Span;

/// Why a change was refused: the user's input, or a step to take first.
#[derive(Debug, thiserror::Error)]
pub enum Refusal {
    #[error(transparent)]
    Input(#[from] InputError),
    #[error(transparent)]
    Advised(#[from] Advised),
}

impl Refusal {
    /// The refusal as an input error (exit 2), its suggestion rendered.
    pub fn into_input_error(self) -> InputError {
        match self {
            Refusal::Input(e) => e,
            Refusal::Advised(advised) => InputError::Invalid(advised.to_string()),
        }
    }
}

type Change = Result<Case, Refusal>;

fn refuse<T>(message: String) -> Result<T, Refusal> {
    Err(InputError::Invalid(message).into())
}

fn advise<T>(before: String, suggestion: Suggestion, after: &str) -> Result<T, Refusal> {
    Err(Advised {
        before,
        suggestion,
        after: after.to_string(),
    }
    .into())
}

/// Who is acting, and when.
#[derive(Debug, Clone)]
pub struct Stamp {
    pub by: String,
    pub at: DateTime<Utc>,
}

impl Stamp {
    fn event(&self, action: Action) -> Event {
        Event::new(self.at, &self.by, action)
    }
}

/// Everything known about a complaint when it is first recorded.
#[derive(Debug, Clone)]
pub struct NewComplaint {
    pub title: String,
    pub customer: String,
    pub contact: Option<String>,
    pub reference: Option<String>,
    pub preferred_contact: Option<Channel>,
    pub channel: Channel,
    pub category: Option<String>,
    pub severity: Severity,
    pub tags: Vec<String>,
    pub wants: Option<String>,
    pub assignee: Option<String>,
    pub summary: String,
}

/// A short value that must be present and fit on one line.
pub fn check_one_line(what: &str, value: &str) -> Result<(), InputError> {
    if value.trim().is_empty() {
        return Err(InputError::Invalid(format!("{what} is empty")));
    }
    if value.contains(['\n', '\r']) {
        return Err(InputError::Invalid(format!("{what} must be one line")));
    }
    Ok(())
}

fn optional_one_line(what: &str, value: &Option<String>) -> Result<(), InputError> {
    value.as_deref().map_or(Ok(()), |v| check_one_line(what, v))
}

/// Free text such as a note or summary: anything but blank.
fn some_text(what: &str, value: &str) -> Result<(), InputError> {
    if value.trim().is_empty() {
        return Err(InputError::Invalid(format!("{what} is empty")));
    }
    Ok(())
}

/// Records a new complaint as a case with its `opened` event.
pub fn open(id: CaseId, new: NewComplaint, stamp: &Stamp) -> Result<Case, InputError> {
    check_one_line("the title", &new.title)?;
    check_one_line("the customer name", &new.customer)?;
    optional_one_line("the contact", &new.contact)?;
    optional_one_line("the reference", &new.reference)?;
    optional_one_line("the category", &new.category)?;
    optional_one_line("the assignee", &new.assignee)?;
    for tag in &new.tags {
        check_one_line("a tag", tag)?;
        // Exports join tags with "; ".
        if tag.contains(';') {
            return Err(InputError::Invalid(format!(
                "the tag '{tag}' contains ';', which separates tags in exports"
            )));
        }
    }
    if let Some(wants) = &new.wants {
        some_text("what the customer wants", wants)?;
    }
    some_text("the complaint summary", &new.summary)?;
    // A repeated --tag is one tag; the first spelling's position wins.
    let mut tags: Vec<String> = Vec::with_capacity(new.tags.len());
    for tag in new.tags {
        if !tags.contains(&tag) {
            tags.push(tag);
        }
    }
    Ok(Case {
        format: FORMAT,
        id,
        title: new.title,
        status: Status::Open,
        severity: new.severity,
        category: new.category,
        channel: new.channel,
        tags,
        opened_at: Timestamp(stamp.at),
        opened_by: stamp.by.clone(),
        assignee: new.assignee.clone(),
        customer: Customer {
            name: new.customer,
            contact: new.contact,
            preferred_contact: new.preferred_contact,
            reference: new.reference,
        },
        complaint: Complaint {
            summary: new.summary,
            wants: new.wants,
        },
        resolution: None,
        follow_up: None,
        // The first assignee is on the event too, so the log alone tells
        // who had the case when (reports `--as-of`).
        events: vec![Event {
            to: new.assignee.clone(),
            ..stamp.event(Action::Opened)
        }],
    })
}

/// Events stay in time order: a back-dated change older than the log is refused.
fn check_time(case: &Case, stamp: &Stamp) -> Result<(), Refusal> {
    if let Some(last) = case.last_event_at()
        && stamp.at < last
    {
        return refuse(format!(
            "case {} already has an event at {}, later than {}; events must stay in time order",
            case.id,
            Timestamp(last).to_rfc3339(),
            Timestamp(stamp.at).to_rfc3339()
        ));
    }
    Ok(())
}

/// The kinds of note `annotate` records: notes, contact with the customer,
/// and the handling steps the practice asks for.
pub const NOTE_KINDS: &[Action] = &[
    Action::Note,
    Action::Reply,
    Action::Call,
    Action::Email,
    Action::Question,
    Action::Acknowledged,
    Action::Listened,
    Action::Apologised,
    Action::Thanked,
];

/// Adds a note. A reply to a case waiting on the customer puts it back to open.
pub fn annotate(case: &Case, stamp: &Stamp, kind: Action, text: &str) -> Change {
    if !NOTE_KINDS.contains(&kind) {
        return refuse(format!("'{kind}' is not a kind of note"));
    }
    some_text("the note", text)?;
    check_time(case, stamp)?;
    let mut next = case.clone();
    if kind == Action::Reply && case.status == Status::Waiting {
        next.status = Status::Open;
    }
    next.events.push(stamp.event(kind).with_text(text));
    Ok(next)
}

/// Hands the case to a person. Assigning to the current assignee changes nothing.
pub fn assign(case: &Case, stamp: &Stamp, person: &str) -> Change {
    check_one_line("the assignee", person)?;
    if case.assignee.as_deref() == Some(person) {
        return Ok(case.clone());
    }
    check_time(case, stamp)?;
    let mut next = case.clone();
    next.assignee = Some(person.to_string());
    let mut event = stamp.event(Action::Assigned);
    event.to = Some(person.to_string());
    next.events.push(event);
    Ok(next)
}

/// Parks an open case while waiting on the customer or a third party,
/// optionally until a time after which someone should look again.
pub fn wait(case: &Case, stamp: &Stamp, reason: &str, until: Option<DateTime<Utc>>) -> Change {
    some_text("the reason", reason)?;
    match case.status {
        Status::Open => {}
        Status::Waiting => return refuse(format!("case {} is already waiting", case.id)),
        Status::Resolved | Status::Closed => {
            return refuse(format!(
                "case {} is {}; reopen it before waiting on anyone",
                case.id, case.status
            ));
        }
    }
    if let Some(until) = until
        && until <= stamp.at
    {
        return refuse(format!(
            "--until {} is not after now ({})",
            Timestamp(until).to_rfc3339(),
            Timestamp(stamp.at).to_rfc3339()
        ));
    }
    check_time(case, stamp)?;
    let mut next = case.clone();
    next.status = Status::Waiting;
    let mut event = stamp.event(Action::Waiting).with_text(reason);
    event.until = until.map(Timestamp);
    next.events.push(event);
    Ok(next)
}

/// What a resolution records besides who and when.
#[derive(Debug, Clone, Default)]
pub struct Settlement {
    pub summary: String,
    /// Whether the customer agreed; from the agreement when not given.
    pub agreed: Option<bool>,
    pub outcome: Option<Outcome>,
    pub root_cause: Option<String>,
    pub redress: Option<String>,
    /// When the follow-up is due; none scheduled when `None`.
    pub follow_up_due: Option<DateTime<Utc>>,
}

/// The events since the case was last reopened: the current round of handling.
pub fn current_round(case: &Case) -> &[Event] {
    let start = case
        .events
        .iter()
        .rposition(|e| e.action == Action::Reopened)
        .map_or(0, |i| i + 1);
    &case.events[start..]
}

/// The option the customer agreed to in the current round, if any.
pub fn agreement(case: &Case) -> Option<&Event> {
    current_round(case)
        .iter()
        .rev()
        .find(|e| e.action == Action::Agreed)
}

/// The solutions proposed so far, by option number.
pub fn proposals(case: &Case) -> Vec<&Event> {
    case.events
        .iter()
        .filter(|e| e.action == Action::Proposed)
        .collect()
}

/// Records the resolution and, unless `follow_up_due` is `None`, schedules
/// the follow-up call. A follow-up of an earlier resolution is replaced.
/// The agreed option, if any, is recorded on the resolution.
pub fn resolve(case: &Case, stamp: &Stamp, settlement: Settlement) -> Change {
    some_text("the resolution summary", &settlement.summary)?;
    for (what, value) in [
        ("the root cause", &settlement.root_cause),
        ("the redress", &settlement.redress),
    ] {
        if let Some(v) = value {
            some_text(what, v)?;
        }
    }
    match case.status {
        Status::Open | Status::Waiting => {}
        Status::Resolved => {
            return refuse(format!(
                "case {} is already resolved; reopen it first to resolve it again",
                case.id
            ));
        }
        Status::Closed => {
            return refuse(format!("case {} is closed; reopen it first", case.id));
        }
    }
    check_time(case, stamp)?;
    if let Some(due) = settlement.follow_up_due
        && due < stamp.at
    {
        return refuse(format!(
            "the follow-up cannot be due ({}) before the resolution ({})",
            Timestamp(due).to_rfc3339(),
            Timestamp(stamp.at).to_rfc3339()
        ));
    }
    let agreed_option = agreement(case).and_then(|e| e.option);
    // On the event too, so reports as of any date see what was recorded then.
    let mut event = stamp
        .event(Action::Resolved)
        .with_text(settlement.summary.clone());
    event.outcome = settlement.outcome;
    event.root_cause = settlement.root_cause.clone();
    event.redress = settlement.redress.clone();
    let mut next = case.clone();
    next.status = Status::Resolved;
    next.resolution = Some(Resolution {
        summary: settlement.summary,
        agreed: settlement.agreed.or(agreed_option.map(|_| true)),
        resolved_at: Timestamp(stamp.at),
        resolved_by: stamp.by.clone(),
        option: agreed_option,
        outcome: settlement.outcome,
        root_cause: settlement.root_cause,
        redress: settlement.redress,
    });
    next.events.push(event);
    next.follow_up = None;
    if let Some(due) = settlement.follow_up_due {
        schedule(&mut next, stamp, due, None);
    }
    Ok(next)
}

fn require_unresolved(case: &Case, doing: &str) -> Result<(), Refusal> {
    match case.status {
        Status::Open | Status::Waiting => Ok(()),
        status => refuse(format!(
            "case {} is {status}; reopen it before {doing}",
            case.id
        )),
    }
}

/// Records a possible solution with its pluses and minuses, numbered in
/// the order proposed.
pub fn propose(case: &Case, stamp: &Stamp, text: &str, pros: &[String], cons: &[String]) -> Change {
    some_text("the solution", text)?;
    for point in pros.iter().chain(cons) {
        check_one_line("a plus or minus", point)?;
    }
    require_unresolved(case, "proposing a solution")?;
    check_time(case, stamp)?;
    let number = proposals(case)
        .iter()
        .filter_map(|e| e.option)
        .max()
        .unwrap_or(0)
        + 1;
    let mut next = case.clone();
    let mut event = stamp.event(Action::Proposed).with_text(text);
    event.option = Some(number);
    event.pros = pros.to_vec();
    event.cons = cons.to_vec();
    next.events.push(event);
    Ok(next)
}

/// What an agreement records besides the option.
#[derive(Debug, Clone, Default)]
pub struct Agreement {
    pub how: Option<Channel>,
    pub contingency: Option<String>,
    pub monitor: Option<String>,
}

/// Records that the customer agreed to option `number`.
pub fn agree(case: &Case, stamp: &Stamp, number: u32, terms: Agreement) -> Change {
    require_unresolved(case, "recording an agreement")?;
    let options = proposals(case);
    if !options.iter().any(|e| e.option == Some(number)) {
        return match options.len() {
            0 => advise(
                format!(
                    "case {} has no proposed solutions; record them with ",
                    case.id
                ),
                Suggestion::named(Step::Propose),
                "",
            ),
            n => refuse(format!(
                "case {} has no option {number} (options 1 to {n})",
                case.id
            )),
        };
    }
    if let Some(earlier) = agreement(case) {
        return refuse(format!(
            "the customer already agreed to option {} at {}; reopen the case to agree on another",
            earlier.option.unwrap_or(0),
            earlier.at.to_rfc3339()
        ));
    }
    for (what, value) in [
        ("the contingency", &terms.contingency),
        ("the monitoring", &terms.monitor),
    ] {
        if let Some(v) = value {
            some_text(what, v)?;
        }
    }
    check_time(case, stamp)?;
    let mut next = case.clone();
    let mut event = stamp.event(Action::Agreed);
    event.option = Some(number);
    event.how = terms.how;
    event.contingency = terms.contingency;
    event.monitor = terms.monitor;
    next.events.push(event);
    Ok(next)
}

/// Hands the case to someone senior, with the reason on the record.
pub fn escalate(case: &Case, stamp: &Stamp, to: &str, reason: &str) -> Change {
    check_one_line("the person escalated to", to)?;
    some_text("the reason", reason)?;
    require_unresolved(case, "escalating it")?;
    if to == stamp.by {
        return refuse(format!(
            "{to} cannot escalate case {} to themselves",
            case.id
        ));
    }
    if case.assignee.as_deref() == Some(to) {
        return refuse(format!("case {} is already with {to}", case.id));
    }
    check_time(case, stamp)?;
    let mut next = case.clone();
    next.assignee = Some(to.to_string());
    let mut event = stamp.event(Action::Escalated).with_text(reason);
    event.to = Some(to.to_string());
    next.events.push(event);
    Ok(next)
}

fn schedule(case: &mut Case, stamp: &Stamp, due: DateTime<Utc>, text: Option<&str>) {
    case.follow_up = Some(FollowUp {
        due: Timestamp(due),
        done_at: None,
        satisfied: None,
    });
    let mut event = stamp.event(Action::FollowUpScheduled);
    event.due = Some(Timestamp(due));
    event.text = text.map(str::to_string);
    case.events.push(event);
}

/// Schedules or reschedules the follow-up of a resolved case.
/// Rescheduling to the time already set changes nothing.
pub fn schedule_follow_up(case: &Case, stamp: &Stamp, due: DateTime<Utc>) -> Change {
    if case.status != Status::Resolved {
        return refuse(format!(
            "case {} is {}; a follow-up is scheduled only after it is resolved",
            case.id, case.status
        ));
    }
    if let Some(f) = &case.follow_up
        && f.done_at.is_none()
        && f.due.0 == due
    {
        return Ok(case.clone());
    }
    check_time(case, stamp)?;
    let mut next = case.clone();
    schedule(&mut next, stamp, due, None);
    Ok(next)
}

/// Records that the follow-up happened. A satisfied customer closes the
/// case; an unsatisfied one reopens it (and the reopen is counted); no
/// answer (`None`) leaves it resolved.
pub fn record_follow_up(
    case: &Case,
    stamp: &Stamp,
    satisfied: Option<bool>,
    text: Option<&str>,
) -> Change {
    let pending = case.follow_up.as_ref().is_some_and(|f| f.done_at.is_none());
    if case.status != Status::Resolved || !pending {
        let missing = format!("case {} has no follow-up waiting to be done", case.id);
        return match case.status {
            Status::Resolved => advise(
                format!("{missing}; schedule one with "),
                Suggestion::on(
                    &case.id,
                    Step::ScheduleFollowUp {
                        after: Span::days(1),
                    },
                ),
                "",
            ),
            _ => refuse(format!("{missing}; follow-ups come after a resolution")),
        };
    }
    if let Some(text) = text {
        some_text("the follow-up note", text)?;
    }
    check_time(case, stamp)?;
    let mut next = case.clone();
    if let Some(f) = next.follow_up.as_mut() {
        f.done_at = Some(Timestamp(stamp.at));
        f.satisfied = satisfied;
    }
    let mut event = stamp.event(Action::FollowedUp);
    event.satisfied = satisfied;
    event.text = text.map(str::to_string);
    next.events.push(event);
    match satisfied {
        Some(true) => {
            next.status = Status::Closed;
            next.events.push(
                stamp
                    .event(Action::Closed)
                    .with_text("customer satisfied at follow-up"),
            );
        }
        Some(false) => {
            next.status = Status::Open;
            next.events.push(
                stamp
                    .event(Action::Reopened)
                    .with_text("customer not satisfied at follow-up"),
            );
        }
        None => {}
    }
    Ok(next)
}

/// Closes a case. Closing without a done follow-up, or without a
/// resolution, needs a reason, so the exception is on the record.
pub fn close(case: &Case, stamp: &Stamp, reason: Option<&str>) -> Change {
    if let Some(reason) = reason {
        some_text("the reason", reason)?;
    }
    let pending_follow_up = case.follow_up.as_ref().is_some_and(|f| f.done_at.is_none());
    match case.status {
        Status::Closed => return refuse(format!("case {} is already closed", case.id)),
        Status::Open | Status::Waiting if reason.is_none() => {
            return refuse(format!(
                "case {} is {} and not resolved; give --reason to close it anyway",
                case.id, case.status
            ));
        }
        Status::Resolved if pending_follow_up && reason.is_none() => {
            return advise(
                format!(
                    "case {} has a follow-up not yet done; record it with ",
                    case.id
                ),
                Suggestion::on(
                    &case.id,
                    Step::RecordFollowUp {
                        ask_satisfied: false,
                    },
                ),
                ", or give --reason to close anyway",
            );
        }
        _ => {}
    }
    check_time(case, stamp)?;
    let mut next = case.clone();
    next.status = Status::Closed;
    let mut event = stamp.event(Action::Closed);
    event.text = reason.map(str::to_string);
    next.events.push(event);
    Ok(next)
}

/// Reopens a resolved or closed case (a counted reopen), or resumes a
/// waiting one. A pending follow-up is dropped: it belonged to the
/// resolution being undone, and its scheduling stays in the event log.
pub fn reopen(case: &Case, stamp: &Stamp, reason: &str) -> Change {
    some_text("the reason", reason)?;
    let action = match case.status {
        Status::Open => return refuse(format!("case {} is already open", case.id)),
        Status::Waiting => Action::Resumed,
        Status::Resolved | Status::Closed => Action::Reopened,
    };
    check_time(case, stamp)?;
    let mut next = case.clone();
    next.status = Status::Open;
    if next.follow_up.as_ref().is_some_and(|f| f.done_at.is_none()) {
        next.follow_up = None;
    }
    next.events.push(stamp.event(action).with_text(reason));
    Ok(next)
}
