//! The complaint lifecycle: every change a command can make to a case, as a
//! pure function from the case before to the case after.
//!
//! `open` → (`waiting` ⇄ `open`) → `resolved` → `closed`; resolved and
//! closed cases can be reopened, and the reopen is an event that reports
//! count. Each function refuses an invalid transition with a message that
//! says what to do instead, and records exactly one event per thing that
//! happened. Nothing here touches files.

use chrono::{DateTime, Utc};

use crate::case::fields::{
    Unrecorded, check_one_line, check_tag_separator, clean_tags, join_tags, split_tags,
};
use crate::case::id::CaseId;
use crate::case::suggestion::{Advised, Step, Suggestion};
use crate::case::{
    Action, Case, Channel, Complaint, Customer, EditField, Event, FORMAT, FollowUp, FollowUpState,
    Outcome, PersonalField, Replay, Resolution, Severity, Status, Timestamp, Void, WaitingOn,
};
use crate::case::{personal, redaction};
use crate::error::InputError;
use crate::time::{Span, Zone, clock, format_relative, format_time};

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

/// Who is acting, and when; and the zone a refusal shows times in.
#[derive(Debug, Clone)]
pub struct Stamp {
    pub by: String,
    pub at: DateTime<Utc>,
    pub zone: Zone,
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
        check_tag_separator(tag)?;
    }
    if let Some(wants) = &new.wants {
        some_text("what the customer wants", wants)?;
    }
    some_text("the complaint summary", &new.summary)?;
    // A tag is a word: blanks around it are not part of it (exports join
    // tags with "; " and imports trim them). A repeated --tag is one tag;
    // the first spelling's position wins.
    let tags = clean_tags(new.tags.iter().map(String::as_str));
    Ok(Case {
        format: FORMAT,
        id,
        title: new.title,
        status: Status::Open,
        void: None,
        duplicate_of: None,
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

/// The stamp a new event on `case` takes. Events are appended, and an
/// event is never dated before the one it follows: when the clock reads
/// earlier than the case's last event (a teammate's clock a few minutes
/// ahead, or a back-dated `CASELOG_NOW`), the new event takes the last
/// event's time. The user's work is recorded either way.
pub fn in_order(case: &Case, stamp: &Stamp) -> Stamp {
    match case.last_event_at() {
        Some(last) if stamp.at < last => Stamp {
            at: last,
            ..stamp.clone()
        },
        _ => stamp.clone(),
    }
}

/// The time a new event will carry, in a refusal's words: now, or the
/// case's latest event when a clock behind it moved the event up to it.
fn time_of_the_event(stamp: &Stamp, moved: &Stamp) -> String {
    let at = format_time(moved.at, stamp.zone);
    if moved.at == stamp.at {
        format!("now ({at})")
    } else {
        format!("the case's latest event ({at}), which this clock is behind")
    }
}

/// Refuses a time computed for the file (a follow-up 48 hours on) that
/// falls where no time is kept: it would make the case unreadable.
fn storable(what: &str, t: DateTime<Utc>, zone: Zone) -> Result<(), Refusal> {
    match clock::storable(t) {
        Ok(_) => Ok(()),
        Err(bad) => refuse(format!(
            "{what} would fall at {}: {}",
            format_time(t, zone),
            bad.explain("that")
        )),
    }
}

/// The kinds of note `annotate` records: notes, contact with the customer,
/// and the handling steps the practice asks for.
pub const NOTE_KINDS: &[Action] = &[
    Action::Note,
    Action::Reply,
    Action::Call,
    Action::Email,
    Action::Customer,
    Action::Question,
    Action::Acknowledged,
    Action::Listened,
    Action::Apologised,
    Action::Thanked,
];

/// Adds a note. A reply puts a waiting case back to open, and so does a
/// message from the customer (`customer`) to a case waiting on them.
pub fn annotate(case: &Case, stamp: &Stamp, kind: Action, text: &str) -> Change {
    if !NOTE_KINDS.contains(&kind) {
        return refuse(format!("'{kind}' is not a kind of note"));
    }
    some_text("the note", text)?;
    let stamp = &in_order(case, stamp);
    let mut next = case.clone();
    let mut replay = Replay {
        status: case.status,
        waiting_on: case.waiting_on(),
    };
    replay.apply(kind, None);
    next.status = replay.status;
    next.events.push(stamp.event(kind).with_text(text));
    Ok(next)
}

/// Hands the case to a person. Assigning to the current assignee changes nothing.
pub fn assign(case: &Case, stamp: &Stamp, person: &str) -> Change {
    check_one_line("the assignee", person)?;
    if case.assignee.as_deref() == Some(person) {
        return Ok(case.clone());
    }
    let stamp = &in_order(case, stamp);
    let mut next = case.clone();
    next.assignee = Some(person.to_string());
    let mut event = stamp.event(Action::Assigned);
    event.to = Some(person.to_string());
    next.events.push(event);
    Ok(next)
}

/// What a wait is on: whom (when it says), until when, and why.
#[derive(Debug, Clone, Default)]
pub struct Wait<'r> {
    /// Whom the case waits on: on a new wait, the customer when not said;
    /// on a waiting case, unchanged when not said.
    pub on: Option<WaitingOn>,
    pub until: Option<DateTime<Utc>>,
    /// Needed to start a wait; optional when changing one.
    pub reason: Option<&'r str>,
}

/// Parks an open case while waiting on the customer or a third party,
/// optionally until a time after which someone should look again. On a
/// waiting case, moves the end of the wait or changes whom it waits on,
/// with another `waiting` event; asking for what is already so changes
/// nothing.
pub fn wait(case: &Case, stamp: &Stamp, wait: Wait) -> Change {
    if let Some(until) = wait.until {
        storable("the end of the wait", until, stamp.zone)?;
    }
    if let Some(reason) = wait.reason {
        some_text("the reason", reason)?;
    }
    let (on, until) = match case.status {
        Status::Open => {
            if wait.reason.is_none() {
                return refuse(format!(
                    "give --reason: what or whom case {} waits for",
                    case.id
                ));
            }
            (Some(wait.on.unwrap_or(WaitingOn::Customer)), wait.until)
        }
        Status::Waiting => {
            let (on_now, until_now) = (case.waiting_on(), case.waiting_until());
            if wait.on.is_none() && wait.until.is_none() {
                let on = on_now
                    .map(|o| format!(" on {}", waited_on(o)))
                    .unwrap_or_default();
                return refuse(format!(
                    "case {} is already waiting{on}; give --until to move the end of the wait, or --on to change whom it waits on",
                    case.id
                ));
            }
            let (on, until) = (wait.on.or(on_now), wait.until.or(until_now));
            if on == on_now && until == until_now && wait.reason.is_none() {
                return Ok(case.clone());
            }
            (on, until)
        }
        Status::Resolved | Status::Closed => {
            return refuse(format!(
                "case {} is {}; reopen it before waiting on anyone",
                case.id, case.status
            ));
        }
    };
    let moved = &in_order(case, stamp);
    if let Some(until) = wait.until
        && until <= moved.at
    {
        return refuse(format!(
            "--until {} is not after {}",
            format_time(until, stamp.zone),
            time_of_the_event(stamp, moved)
        ));
    }
    let stamp = moved;
    let mut next = case.clone();
    next.status = Status::Waiting;
    let mut event = stamp.event(Action::Waiting);
    event.text = wait.reason.map(str::to_string);
    event.until = until.map(Timestamp);
    event.on = on;
    next.events.push(event);
    Ok(next)
}

/// Whom a case waits on, as a person says it.
pub fn waited_on(on: WaitingOn) -> &'static str {
    match on {
        WaitingOn::Customer => "the customer",
        WaitingOn::ThirdParty => "a third party",
    }
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
    let stamp = &in_order(case, stamp);
    if let Some(due) = settlement.follow_up_due {
        storable("the follow-up", due, stamp.zone)?;
    }
    if let Some(due) = settlement.follow_up_due
        && due < stamp.at
    {
        return refuse(format!(
            "the follow-up cannot be due ({}) before the resolution ({})",
            format_time(due, stamp.zone),
            format_time(stamp.at, stamp.zone)
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
    let stamp = &in_order(case, stamp);
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
pub struct Agreement<'r> {
    pub how: Option<Channel>,
    pub contingency: Option<String>,
    pub monitor: Option<String>,
    /// The customer changed their mind: this agreement replaces the
    /// round's earlier one.
    pub replace: bool,
    /// Why, recorded as the event's text.
    pub reason: Option<&'r str>,
}

/// The numbers of `options`, as a person reads them: `options 1 to 3`, or
/// `options 1, 2 and 5` when they are not a run.
fn option_numbers(options: &[&Event]) -> String {
    let mut numbers: Vec<u32> = options.iter().filter_map(|e| e.option).collect();
    numbers.sort_unstable();
    numbers.dedup();
    let run = numbers.iter().zip(1..).all(|(n, i)| *n == i);
    match numbers.as_slice() {
        [one] => format!("option {one}"),
        [.., last] if run && numbers.len() > 1 => format!("options 1 to {last}"),
        [first @ .., last] => {
            let first: Vec<String> = first.iter().map(u32::to_string).collect();
            format!("options {} and {last}", first.join(", "))
        }
        [] => "no options".to_string(),
    }
}

/// Records that the customer agreed to option `number`. A customer who
/// changes their mind before the resolution agrees again with `replace`:
/// the later agreement is the one the resolution carries out.
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
            _ => refuse(format!(
                "case {} has no option {number} ({})",
                case.id,
                option_numbers(&options)
            )),
        };
    }
    if let Some(earlier) = agreement(case) {
        let agreed = earlier.option.unwrap_or(0);
        if agreed == number {
            return refuse(format!(
                "the customer already agreed to option {number} at {}",
                format_time(earlier.at.0, stamp.zone)
            ));
        }
        if !terms.replace {
            return advise(
                format!(
                    "the customer already agreed to option {agreed} at {}; if they changed their mind, record it with ",
                    format_time(earlier.at.0, stamp.zone)
                ),
                Suggestion::on(&case.id, Step::ChangeAgreement { option: number }),
                "",
            );
        }
    }
    if let Some(reason) = terms.reason {
        some_text("the reason", reason)?;
    }
    for (what, value) in [
        ("the contingency", &terms.contingency),
        ("the monitoring", &terms.monitor),
    ] {
        if let Some(v) = value {
            some_text(what, v)?;
        }
    }
    let stamp = &in_order(case, stamp);
    let mut next = case.clone();
    let mut event = stamp.event(Action::Agreed);
    event.option = Some(number);
    event.how = terms.how;
    event.contingency = terms.contingency;
    event.monitor = terms.monitor;
    event.text = terms.reason.map(str::to_string);
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
    let stamp = &in_order(case, stamp);
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
    storable("the follow-up", due, stamp.zone)?;
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
    let moved = &in_order(case, stamp);
    if due < moved.at {
        return refuse(format!(
            "the follow-up cannot be due ({}) before {}",
            format_time(due, stamp.zone),
            time_of_the_event(stamp, moved)
        ));
    }
    let stamp = moved;
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
    let stamp = &in_order(case, stamp);
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

/// Closes a case. Closing without a resolution, or with a scheduled
/// follow-up not yet done, needs a reason, so the exception is on the
/// record; a resolution with no follow-up scheduled already says so.
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
    let stamp = &in_order(case, stamp);
    let mut next = case.clone();
    next.status = Status::Closed;
    let mut event = stamp.event(Action::Closed);
    event.text = reason.map(str::to_string);
    next.events.push(event);
    Ok(next)
}

/// Why a case is closed as void, for [`close_void`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Voiding {
    /// It repeats this other case (the other case is the complaint).
    DuplicateOf(CaseId),
    /// It was never a complaint: recorded by mistake.
    OpenedInError,
}

/// Closes a case as void: a duplicate of another case, or opened in error.
/// It stays on disk and in git, marked so, and counts in no measure. A
/// closed case can be voided too; one voided already is refused.
pub fn close_void(case: &Case, stamp: &Stamp, voiding: &Voiding, reason: Option<&str>) -> Change {
    if let Some(reason) = reason {
        some_text("the reason", reason)?;
    }
    if let Some(void) = case.void {
        let what = match &case.duplicate_of {
            Some(other) => format!("a duplicate of {other}"),
            None => void_words(void).to_string(),
        };
        return refuse(format!("case {} is already closed as {what}", case.id));
    }
    let (void, duplicate_of) = match voiding {
        Voiding::DuplicateOf(other) if *other == case.id => {
            return refuse(format!("case {} cannot be a duplicate of itself", case.id));
        }
        Voiding::DuplicateOf(other) => (Void::Duplicate, Some(other.clone())),
        Voiding::OpenedInError if reason.is_none() => {
            return refuse(format!(
                "give --reason: why case {} was opened in error",
                case.id
            ));
        }
        Voiding::OpenedInError => (Void::OpenedInError, None),
    };
    let stamp = &in_order(case, stamp);
    let mut next = case.clone();
    next.status = Status::Closed;
    next.void = Some(void);
    next.duplicate_of = duplicate_of.clone();
    let mut event = stamp.event(Action::Closed);
    event.void = Some(void);
    event.duplicate_of = duplicate_of;
    event.text = reason.map(str::to_string);
    next.events.push(event);
    Ok(next)
}

/// A void reason as a person says it.
pub fn void_words(void: Void) -> &'static str {
    match void {
        Void::Duplicate => "a duplicate",
        Void::OpenedInError => "opened in error",
    }
}

/// The status as a person reads it (`show`, the site): a void case says
/// why.
pub fn status_words(case: &Case) -> String {
    match (case.void, &case.duplicate_of) {
        (Some(_), Some(other)) => format!("{}: duplicate of {other}", case.status),
        (Some(void), None) => format!("{}: {}", case.status, void_words(void)),
        (None, _) => case.status.to_string(),
    }
}

/// The follow-up's state in one line (`show`, the site), times in `zone`.
pub fn follow_up_words(case: &Case, now: DateTime<Utc>, zone: Zone) -> Option<String> {
    Some(match case.follow_up_state(now)? {
        FollowUpState::Due { due, overdue: true } => format!(
            "overdue: was due {} ({})",
            format_time(due, zone),
            format_relative(due, now)
        ),
        FollowUpState::Due { due, .. } if case.status == Status::Resolved => format!(
            "due {} ({})",
            format_time(due, zone),
            format_relative(due, now)
        ),
        FollowUpState::Due { due, .. } => format!("was due {} (not done)", format_time(due, zone)),
        FollowUpState::Done { satisfied } => {
            let answer = match satisfied {
                Some(true) => "customer satisfied",
                Some(false) => "customer not satisfied",
                None => "no answer from the customer",
            };
            match case.follow_up.as_ref().and_then(|f| f.done_at) {
                Some(at) => format!("done {}: {answer}", format_time(at.0, zone)),
                None => format!("done: {answer}"),
            }
        }
    })
}

/// Corrections to a case's own fields, as `edit` takes them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Correction {
    /// Set a field (`None`: clear it).
    Set(EditField, Option<String>),
    AddTag(String),
    RemoveTag(String),
}

/// Corrects a case's own fields, with one `edited` event per field that
/// changes (its old and new value). Values are checked as `open` checks
/// them; corrections that change nothing leave the case as it was.
pub fn edit(case: &Case, stamp: &Stamp, corrections: &[Correction]) -> Change {
    let mut wanted = case.clone();
    for correction in corrections {
        match correction {
            Correction::Set(field, None) if field.required() => {
                return refuse(format!(
                    "the {} cannot be cleared, only changed",
                    field.label()
                ));
            }
            Correction::Set(field, None) => field.set(&mut wanted, None),
            Correction::Set(field, Some(value)) => {
                let value = field.check(value)?;
                field.set(&mut wanted, Some(&value));
            }
            Correction::AddTag(tag) => {
                check_tag_separator(tag)?;
                let tag = EditField::Tags.check(tag)?;
                let mut tags = wanted.tags.clone();
                tags.extend(split_tags(&tag));
                EditField::Tags.set(&mut wanted, join_tags(&tags).as_deref());
            }
            Correction::RemoveTag(tag) => {
                let before = wanted.tags.len();
                wanted.tags.retain(|t| t != tag.trim());
                if wanted.tags.len() == before {
                    let tags = join_tags(&case.tags).unwrap_or_else(|| "none".into());
                    return refuse(format!(
                        "case {} has no tag '{}' (its tags: {tags})",
                        case.id,
                        tag.escape_debug()
                    ));
                }
            }
        }
    }
    let changes: Vec<Unrecorded> = EditField::ALL
        .iter()
        .filter_map(|&field| {
            let (was, now) = (field.get(case), field.get(&wanted));
            (was != now).then_some(Unrecorded { field, was, now })
        })
        .collect();
    record_edits(&wanted, stamp, &changes)
}

/// Records fields already changed on `case` as `edited` events: what
/// `edit` writes, and what `fmt --record-edits` writes for a hand edit.
pub fn record_edits(case: &Case, stamp: &Stamp, changes: &[Unrecorded]) -> Change {
    let stamp = &in_order(case, stamp);
    let mut next = case.clone();
    for change in changes {
        let mut event = stamp.event(Action::Edited);
        event.field = Some(change.field);
        event.old = change.was.clone();
        event.new = change.now.clone();
        next.events.push(event);
    }
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
    let stamp = &in_order(case, stamp);
    let mut next = case.clone();
    next.status = Status::Open;
    next.void = None;
    next.duplicate_of = None;
    if next.follow_up.as_ref().is_some_and(|f| f.done_at.is_none()) {
        next.follow_up = None;
    }
    next.events.push(stamp.event(action).with_text(reason));
    Ok(next)
}

/// The words of a text, between anything that is not a letter or digit.
fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
}

/// Erases the customer's personal data from a case (`fields`, as the
/// log's `[personal_data]` names them), keeping what reports need, with a
/// `redacted` event saying who, when, why and which fields (never the old
/// values). A case with nothing left to erase is left as it was. A case not
/// yet closed is refused unless `force`: its handling still needs the data.
/// `secret` (the log's, as pseudonyms use it) keys what of the customer
/// an import's row digest holds.
pub fn redact(
    case: &Case,
    stamp: &Stamp,
    fields: &[PersonalField],
    reason: &str,
    force: bool,
    secret: &[u8],
) -> Change {
    some_text("the reason", reason)?;
    if case.status != Status::Closed && !force {
        return refuse(format!(
            "case {} is {}, not closed, and its handling may still need the customer's details; give --force to redact it anyway",
            case.id, case.status
        ));
    }
    // The reason stays on the record: it must not name what it erases,
    // whole or by a part of the name ("erasure request from Maria").
    let said = personal::normalised(reason);
    let said_words: Vec<&str> = words(&said).collect();
    // Its values now, and those an edit replaced: all of them are erased.
    for (known, value) in personal::values(case) {
        let what = known.label();
        let Some(value) = personal::value_key(Some(value)) else {
            continue;
        };
        let whole = value.chars().count() >= 3 && said.contains(&value);
        let part = known == personal::Known::Name
            && words(&value).any(|w| w.chars().count() >= 3 && said_words.contains(&w));
        if whole || part {
            return refuse(format!(
                "the reason holds the customer's {what}, which the redaction erases; say why without it (such as \"erasure request of 2026-11-20\")"
            ));
        }
    }
    let stamp = &in_order(case, stamp);
    let marker = redaction::marker(stamp.at.date_naive());
    let (mut next, changed) = redaction::erase_fields(case, fields, &marker, stamp.at, secret);
    if changed.is_empty() {
        return Ok(case.clone());
    }
    let mut event = stamp.event(Action::Redacted).with_text(reason);
    event.fields = changed;
    next.events.push(event);
    Ok(next)
}

#[cfg(test)]
pub(crate) mod tests {
    //! Also the small shared fixture of the domain's unit tests: a case
    //! opened at a fixed time, and stamps some hours after it.

    use super::*;
    use crate::case::EditField;

    /// `hours` after the fixture case was opened, 2026-11-22 09:00 UTC.
    pub(crate) fn at(hours: i64) -> DateTime<Utc> {
        let opened: DateTime<Utc> = "2026-11-22T09:00:00Z".parse().unwrap();
        opened + chrono::Duration::hours(hours)
    }

    /// `person` acting `hours` after the opening.
    pub(crate) fn stamp_by(person: &str, hours: i64) -> Stamp {
        Stamp {
            by: person.to_string(),
            at: at(hours),
            zone: Zone::UTC,
        }
    }

    /// ana, the fixture case's handler, acting `hours` after the opening.
    pub(crate) fn stamp(hours: i64) -> Stamp {
        stamp_by("ana", hours)
    }

    pub(crate) fn new_complaint() -> NewComplaint {
        NewComplaint {
            title: "Parcel arrived broken".into(),
            customer: "Jo Bloggs".into(),
            contact: None,
            reference: None,
            preferred_contact: None,
            channel: Channel::Email,
            category: None,
            severity: Severity::Normal,
            tags: Vec::new(),
            wants: None,
            assignee: Some("ana".into()),
            summary: "The vase was in pieces.".into(),
        }
    }

    /// The fixture case, opened by ana (and assigned to her) at hour 0.
    pub(crate) fn opened() -> Case {
        let id = CaseId::parse_full("20261122-7kq3m").unwrap();
        open(id, new_complaint(), &stamp(0)).unwrap()
    }

    /// A settlement with its follow-up due at hour `follow_up`, if any.
    pub(crate) fn settled(follow_up: Option<i64>) -> Settlement {
        Settlement {
            summary: "Refunded the vase.".into(),
            follow_up_due: follow_up.map(at),
            ..Settlement::default()
        }
    }

    /// The fixture case resolved at hour 1, its follow-up due at hour 49.
    pub(crate) fn resolved() -> Case {
        resolve(&opened(), &stamp(1), settled(Some(49))).unwrap()
    }

    /// A wait on whomever the lifecycle defaults to, for `reason`.
    pub(crate) fn waits(
        case: &Case,
        stamp: &Stamp,
        reason: &str,
        until: Option<DateTime<Utc>>,
    ) -> Change {
        wait(
            case,
            stamp,
            Wait {
                on: None,
                until,
                reason: Some(reason),
            },
        )
    }

    fn refusal(change: Change) -> String {
        change.unwrap_err().to_string()
    }

    fn actions(case: &Case) -> Vec<Action> {
        case.events.iter().map(|e| e.action).collect()
    }

    fn open_with(change: impl FnOnce(&mut NewComplaint)) -> Result<Case, InputError> {
        let mut new = new_complaint();
        change(&mut new);
        open(opened().id, new, &stamp(0))
    }

    #[test]
    fn open_records_the_complaint_with_an_opened_event_naming_the_assignee() {
        let case = opened();
        assert_eq!(case.status, Status::Open);
        assert_eq!(case.opened_at, Timestamp(at(0)));
        assert_eq!(case.opened_by, "ana");
        assert_eq!(case.assignee.as_deref(), Some("ana"));
        assert_eq!(actions(&case), [Action::Opened]);
        assert_eq!(case.events[0].to.as_deref(), Some("ana"));
        assert_eq!(case.events[0].at, Timestamp(at(0)));
    }

    #[test]
    fn open_refuses_an_empty_or_multi_line_title() {
        for (title, message) in [
            ("", "the title is empty"),
            ("  ", "the title is empty"),
            ("Broken\nvase", "the title must be one line"),
            ("Broken\rvase", "the title must be one line"),
        ] {
            let err = open_with(|new| new.title = title.into()).unwrap_err();
            assert_eq!(err.to_string(), message, "{title:?}");
        }
    }

    #[test]
    fn open_refuses_a_tag_holding_a_semicolon_or_nothing() {
        let err = open_with(|new| new.tags = vec!["post".into(), "a;b".into()]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "the tag 'a;b' contains ';', which separates tags in exports"
        );
        let err = open_with(|new| new.tags = vec![" ".into()]).unwrap_err();
        assert_eq!(err.to_string(), "a tag is empty");
    }

    #[test]
    fn open_refuses_a_blank_summary_or_customer() {
        let err = open_with(|new| new.summary = "\n".into()).unwrap_err();
        assert_eq!(err.to_string(), "the complaint summary is empty");
        let err = open_with(|new| new.customer = String::new()).unwrap_err();
        assert_eq!(err.to_string(), "the customer name is empty");
    }

    #[test]
    fn open_keeps_one_of_each_repeated_tag_where_it_first_appeared() {
        let case = open_with(|new| {
            new.tags = ["post", "glass", "post", "refund", "glass"]
                .map(String::from)
                .to_vec()
        })
        .unwrap();
        assert_eq!(case.tags, ["post", "glass", "refund"]);
    }

    #[test]
    fn annotate_records_every_note_kind_and_refuses_other_actions() {
        for &kind in NOTE_KINDS {
            let case = annotate(&opened(), &stamp(1), kind, "Said sorry.").unwrap();
            let last = case.events.last().unwrap();
            assert_eq!(last.action, kind);
            assert_eq!(last.text.as_deref(), Some("Said sorry."));
            assert_eq!(case.status, Status::Open);
        }
        for kind in [Action::Resolved, Action::Opened, Action::Proposed] {
            let err = refusal(annotate(&opened(), &stamp(1), kind, "x"));
            assert_eq!(err, format!("'{kind}' is not a kind of note"));
        }
    }

    #[test]
    fn annotate_refuses_an_empty_note() {
        let err = refusal(annotate(&opened(), &stamp(1), Action::Note, " \n"));
        assert_eq!(err, "the note is empty");
    }

    #[test]
    fn a_reply_to_a_waiting_case_puts_it_back_to_open() {
        let waiting = waits(&opened(), &stamp(1), "the customer's photos", None).unwrap();
        let case = annotate(&waiting, &stamp(2), Action::Reply, "Got them.").unwrap();
        assert_eq!(case.status, Status::Open);
        assert_eq!(actions(&case).last(), Some(&Action::Reply));
    }

    #[test]
    fn a_note_other_than_a_reply_leaves_a_waiting_case_waiting() {
        let waiting = waits(&opened(), &stamp(1), "the courier", None).unwrap();
        for kind in [Action::Note, Action::Call, Action::Email] {
            let case = annotate(&waiting, &stamp(2), kind, "Chased.").unwrap();
            assert_eq!(case.status, Status::Waiting, "{kind}");
        }
    }

    #[test]
    fn assign_hands_the_case_over_with_an_assigned_event() {
        let case = assign(&opened(), &stamp(1), "bo").unwrap();
        assert_eq!(case.assignee.as_deref(), Some("bo"));
        let last = case.events.last().unwrap();
        assert_eq!(last.action, Action::Assigned);
        assert_eq!(last.to.as_deref(), Some("bo"));
        assert_eq!(last.by, "ana");
    }

    #[test]
    fn assigning_to_the_current_assignee_changes_nothing() {
        let case = opened();
        assert_eq!(assign(&case, &stamp(1), "ana").unwrap(), case);
    }

    #[test]
    fn assign_refuses_a_blank_or_multi_line_person() {
        assert_eq!(
            refusal(assign(&opened(), &stamp(1), "")),
            "the assignee is empty"
        );
        assert_eq!(
            refusal(assign(&opened(), &stamp(1), "bo\nbe")),
            "the assignee must be one line"
        );
    }

    #[test]
    fn wait_parks_an_open_case_with_its_reason_and_until() {
        let case = waits(&opened(), &stamp(1), "the courier's report", Some(at(73))).unwrap();
        assert_eq!(case.status, Status::Waiting);
        let last = case.events.last().unwrap();
        assert_eq!(last.action, Action::Waiting);
        assert_eq!(last.text.as_deref(), Some("the courier's report"));
        assert_eq!(last.until, Some(Timestamp(at(73))));
        assert_eq!(case.waiting_until(), Some(at(73)));
    }

    #[test]
    fn wait_refuses_a_case_already_waiting_resolved_or_closed() {
        let waiting = waits(&opened(), &stamp(1), "the courier", None).unwrap();
        assert_eq!(
            refusal(waits(&waiting, &stamp(2), "again", None)),
            "case 20261122-7kq3m is already waiting on the customer; give --until to move the end of the wait, or --on to change whom it waits on"
        );
        assert_eq!(
            refusal(waits(&resolved(), &stamp(2), "the courier", None)),
            "case 20261122-7kq3m is resolved; reopen it before waiting on anyone"
        );
        let closed = close(&opened(), &stamp(1), Some("withdrawn")).unwrap();
        assert_eq!(
            refusal(waits(&closed, &stamp(2), "the courier", None)),
            "case 20261122-7kq3m is closed; reopen it before waiting on anyone"
        );
    }

    #[test]
    fn a_wait_is_on_the_customer_unless_it_says_otherwise() {
        let case = waits(&opened(), &stamp(1), "photos", None).unwrap();
        assert_eq!(case.waiting_on(), Some(WaitingOn::Customer));
        let on_courier = Wait {
            on: Some(WaitingOn::ThirdParty),
            until: None,
            reason: Some("the courier"),
        };
        let case = wait(&opened(), &stamp(1), on_courier).unwrap();
        assert_eq!(case.waiting_on(), Some(WaitingOn::ThirdParty));
        assert_eq!(case.events.last().unwrap().on, Some(WaitingOn::ThirdParty));
        let err = refusal(wait(&opened(), &stamp(1), Wait::default()));
        assert_eq!(
            err,
            "give --reason: what or whom case 20261122-7kq3m waits for"
        );
    }

    #[test]
    fn waiting_again_moves_the_end_of_the_wait_or_whom_it_waits_on() {
        let waiting = waits(&opened(), &stamp(1), "photos", Some(at(24))).unwrap();
        let longer = Wait {
            until: Some(at(72)),
            ..Wait::default()
        };
        let case = wait(&waiting, &stamp(2), longer.clone()).unwrap();
        assert_eq!(case.status, Status::Waiting);
        assert_eq!(case.waiting_until(), Some(at(72)));
        assert_eq!(case.waiting_on(), Some(WaitingOn::Customer));
        let last = case.events.last().unwrap();
        assert_eq!((last.action, last.text.as_deref()), (Action::Waiting, None));
        // The same again changes nothing.
        assert_eq!(wait(&case, &stamp(3), longer).unwrap(), case);
        let courier = Wait {
            on: Some(WaitingOn::ThirdParty),
            ..Wait::default()
        };
        let case = wait(&case, &stamp(3), courier).unwrap();
        assert_eq!(case.waiting_on(), Some(WaitingOn::ThirdParty));
        assert_eq!(case.waiting_until(), Some(at(72)), "the end is kept");
    }

    #[test]
    fn a_message_from_the_customer_ends_a_wait_on_them_only() {
        let on_them = waits(&opened(), &stamp(1), "photos", None).unwrap();
        let case = annotate(&on_them, &stamp(2), Action::Customer, "Photos attached.").unwrap();
        assert_eq!(case.status, Status::Open);
        assert_eq!(
            case.first_response(),
            None,
            "their message is not our response"
        );
        let on_courier = wait(
            &opened(),
            &stamp(1),
            Wait {
                on: Some(WaitingOn::ThirdParty),
                until: None,
                reason: Some("the courier"),
            },
        )
        .unwrap();
        let case = annotate(&on_courier, &stamp(2), Action::Customer, "Any news?").unwrap();
        assert_eq!(case.status, Status::Waiting);
        assert_eq!(crate::case::replay_status(&case.events), Status::Waiting);
    }

    #[test]
    fn a_duplicate_is_closed_as_void_naming_the_case_it_repeats() {
        let other = CaseId::parse_full("20261121-abcde").unwrap();
        let voiding = Voiding::DuplicateOf(other.clone());
        let case = close_void(&opened(), &stamp(1), &voiding, None).unwrap();
        assert_eq!(case.status, Status::Closed);
        assert_eq!(case.void, Some(Void::Duplicate));
        assert_eq!(case.duplicate_of.as_ref(), Some(&other));
        assert!(case.is_void());
        let last = case.events.last().unwrap();
        assert_eq!(
            (last.void, last.duplicate_of.clone()),
            (Some(Void::Duplicate), Some(other))
        );
        assert_eq!(case.void_in_log(), (case.void, case.duplicate_of.clone()));
        assert_eq!(
            refusal(close_void(
                &case,
                &stamp(2),
                &Voiding::OpenedInError,
                Some("x")
            )),
            "case 20261122-7kq3m is already closed as a duplicate of 20261121-abcde"
        );
        let reopened = reopen(&case, &stamp(2), "not a duplicate after all").unwrap();
        assert!(!reopened.is_void());
        assert_eq!(reopened.duplicate_of, None);
    }

    #[test]
    fn voiding_refuses_a_case_duplicating_itself_and_an_error_without_reason() {
        let own = Voiding::DuplicateOf(opened().id);
        assert_eq!(
            refusal(close_void(&opened(), &stamp(1), &own, None)),
            "case 20261122-7kq3m cannot be a duplicate of itself"
        );
        assert_eq!(
            refusal(close_void(
                &opened(),
                &stamp(1),
                &Voiding::OpenedInError,
                None
            )),
            "give --reason: why case 20261122-7kq3m was opened in error"
        );
        let closed = close(&opened(), &stamp(1), Some("withdrawn")).unwrap();
        let case = close_void(
            &closed,
            &stamp(2),
            &Voiding::OpenedInError,
            Some("a test case"),
        )
        .unwrap();
        assert_eq!(case.void, Some(Void::OpenedInError));
    }

    #[test]
    fn edit_records_one_event_per_field_that_changes() {
        let corrections = [
            Correction::Set(EditField::Title, Some("Vase broken in transit".into())),
            Correction::Set(EditField::Severity, Some("high".into())),
            Correction::Set(EditField::Channel, Some("email".into())),
            Correction::AddTag("glass".into()),
            Correction::AddTag("post".into()),
        ];
        let case = edit(&opened(), &stamp(1), &corrections).unwrap();
        assert_eq!(case.title, "Vase broken in transit");
        assert_eq!(case.severity, Severity::High);
        assert_eq!(case.tags, ["glass", "post"]);
        let edits: Vec<(Option<EditField>, Option<&str>, Option<&str>)> = case.events[1..]
            .iter()
            .map(|e| (e.field, e.old.as_deref(), e.new.as_deref()))
            .collect();
        assert_eq!(
            edits,
            [
                (
                    Some(EditField::Title),
                    Some("Parcel arrived broken"),
                    Some("Vase broken in transit")
                ),
                (Some(EditField::Severity), Some("normal"), Some("high")),
                (Some(EditField::Tags), None, Some("glass; post")),
            ]
        );
        assert!(case.events[1..].iter().all(|e| e.action == Action::Edited));
        assert_eq!(edit(&case, &stamp(2), &corrections).unwrap(), case);
        let case = edit(&case, &stamp(2), &[Correction::RemoveTag("glass".into())]).unwrap();
        let last = case.events.last().unwrap();
        assert_eq!(
            (last.old.as_deref(), last.new.as_deref()),
            (Some("glass; post"), Some("post"))
        );
    }

    #[test]
    fn edit_refuses_what_open_refuses_and_clearing_a_required_field() {
        let refused = |corrections: &[Correction]| refusal(edit(&opened(), &stamp(1), corrections));
        assert_eq!(
            refused(&[Correction::Set(EditField::Title, Some("a\nb".into()))]),
            "the title must be one line"
        );
        assert_eq!(
            refused(&[Correction::Set(EditField::Customer, None)]),
            "the customer name cannot be cleared, only changed"
        );
        assert!(
            refused(&[Correction::Set(EditField::Severity, Some("urgent".into()))])
                .starts_with("unknown severity 'urgent'")
        );
        assert_eq!(
            refused(&[Correction::RemoveTag("glass".into())]),
            "case 20261122-7kq3m has no tag 'glass' (its tags: none)"
        );
    }

    #[test]
    fn wait_refuses_an_until_not_after_now() {
        for until in [at(2), at(1)] {
            let err = refusal(waits(&opened(), &stamp(2), "the courier", Some(until)));
            assert_eq!(
                err,
                format!(
                    "--until {} is not after now (2026-11-22 11:00 UTC)",
                    format_time(until, Zone::UTC)
                )
            );
        }
    }

    #[test]
    fn a_time_that_must_come_later_is_weighed_against_the_latest_event_when_this_clock_is_behind() {
        // A colleague's event at 14:00; this clock says 12:00, so the new
        // event is recorded at 14:00 and 13:00 is already past for it.
        let behind = stamp(3);
        let latest = "the case's latest event (2026-11-22 14:00 UTC), which this clock is behind";
        let noted = annotate(&opened(), &stamp(5), Action::Note, "from a colleague").unwrap();
        let err = refusal(waits(&noted, &behind, "the courier", Some(at(4))));
        assert!(err.ends_with(latest), "{err}");
        let resolved = resolve(&opened(), &stamp(5), settled(Some(60))).unwrap();
        let err = refusal(schedule_follow_up(&resolved, &behind, at(4)));
        assert!(err.ends_with(latest), "{err}");
        let moved = schedule_follow_up(&resolved, &behind, at(6)).unwrap();
        assert_eq!(moved.events.last().unwrap().at, Timestamp(at(5)));
    }

    #[test]
    fn wait_refuses_a_blank_reason() {
        assert_eq!(
            refusal(waits(&opened(), &stamp(1), "", None)),
            "the reason is empty"
        );
    }

    #[test]
    fn resolve_records_the_resolution_and_its_event() {
        let settlement = Settlement {
            outcome: Some(Outcome::Upheld),
            root_cause: Some("thin packaging".into()),
            redress: Some("full refund".into()),
            agreed: Some(false),
            ..settled(None)
        };
        let waiting = waits(&opened(), &stamp(1), "the courier", None).unwrap();
        let case = resolve(&waiting, &stamp(2), settlement).unwrap();
        assert_eq!(case.status, Status::Resolved);
        let resolution = case.resolution.as_ref().unwrap();
        assert_eq!(resolution.summary, "Refunded the vase.");
        assert_eq!(resolution.agreed, Some(false));
        assert_eq!(resolution.resolved_at, Timestamp(at(2)));
        assert_eq!(resolution.resolved_by, "ana");
        assert_eq!(resolution.option, None);
        assert_eq!(resolution.outcome, Some(Outcome::Upheld));
        let last = case.events.last().unwrap();
        assert_eq!(last.action, Action::Resolved);
        assert_eq!(last.text.as_deref(), Some("Refunded the vase."));
        assert_eq!(last.outcome, Some(Outcome::Upheld));
        assert_eq!(last.root_cause.as_deref(), Some("thin packaging"));
        assert_eq!(last.redress.as_deref(), Some("full refund"));
        assert_eq!(case.follow_up, None);
    }

    #[test]
    fn resolve_refuses_a_resolved_or_closed_case() {
        assert_eq!(
            refusal(resolve(&resolved(), &stamp(2), settled(None))),
            "case 20261122-7kq3m is already resolved; reopen it first to resolve it again"
        );
        let closed = close(&opened(), &stamp(1), Some("withdrawn")).unwrap();
        assert_eq!(
            refusal(resolve(&closed, &stamp(2), settled(None))),
            "case 20261122-7kq3m is closed; reopen it first"
        );
    }

    #[test]
    fn resolve_refuses_a_blank_summary_or_root_cause() {
        let blank_summary = Settlement {
            summary: " ".into(),
            ..settled(None)
        };
        assert_eq!(
            refusal(resolve(&opened(), &stamp(1), blank_summary)),
            "the resolution summary is empty"
        );
        let blank_cause = Settlement {
            root_cause: Some(String::new()),
            ..settled(None)
        };
        assert_eq!(
            refusal(resolve(&opened(), &stamp(1), blank_cause)),
            "the root cause is empty"
        );
    }

    #[test]
    fn resolve_refuses_a_follow_up_due_before_the_resolution() {
        assert_eq!(
            refusal(resolve(&opened(), &stamp(5), settled(Some(4)))),
            "the follow-up cannot be due (2026-11-22 13:00 UTC) before the resolution (2026-11-22 14:00 UTC)"
        );
        // Due at the very moment of the resolution is allowed.
        let case = resolve(&opened(), &stamp(5), settled(Some(5))).unwrap();
        assert_eq!(case.follow_up.unwrap().due, Timestamp(at(5)));
    }

    #[test]
    fn resolve_schedules_the_follow_up_at_the_given_time() {
        let case = resolved();
        assert_eq!(
            case.follow_up,
            Some(FollowUp {
                due: Timestamp(at(49)),
                done_at: None,
                satisfied: None,
            })
        );
        assert_eq!(
            actions(&case),
            [Action::Opened, Action::Resolved, Action::FollowUpScheduled]
        );
        let scheduled = case.events.last().unwrap();
        assert_eq!(scheduled.due, Some(Timestamp(at(49))));
        assert_eq!(scheduled.at, Timestamp(at(1)));
    }

    #[test]
    fn resolve_carries_the_agreed_option_onto_the_resolution() {
        let mut case = opened();
        for text in ["Refund", "Replace"] {
            case = propose(&case, &stamp(1), text, &[], &[]).unwrap();
        }
        case = agree(&case, &stamp(2), 2, Agreement::default()).unwrap();
        let case = resolve(&case, &stamp(3), settled(None)).unwrap();
        let resolution = case.resolution.unwrap();
        assert_eq!(resolution.option, Some(2));
        // An agreement counts as the customer's agreement unless told otherwise.
        assert_eq!(resolution.agreed, Some(true));
    }

    #[test]
    fn resolve_replaces_the_follow_up_of_an_earlier_resolution() {
        let done = record_follow_up(&resolved(), &stamp(50), Some(false), None).unwrap();
        let case = resolve(&done, &stamp(60), settled(None)).unwrap();
        assert_eq!(case.follow_up, None);
        let case = resolve(&done, &stamp(60), settled(Some(108))).unwrap();
        assert_eq!(case.follow_up.unwrap().due, Timestamp(at(108)));
    }

    #[test]
    fn propose_numbers_options_in_order_with_pros_and_cons() {
        let pros = vec!["quick".to_string()];
        let cons = vec!["costly".to_string(), "no lesson learnt".to_string()];
        let case = propose(&opened(), &stamp(1), "Refund", &pros, &cons).unwrap();
        let case = propose(&case, &stamp(2), "Replace", &[], &[]).unwrap();
        let options: Vec<_> = proposals(&case).iter().map(|e| e.option).collect();
        assert_eq!(options, [Some(1), Some(2)]);
        let first = proposals(&case)[0];
        assert_eq!(first.text.as_deref(), Some("Refund"));
        assert_eq!(first.pros, pros);
        assert_eq!(first.cons, cons);
    }

    #[test]
    fn propose_numbers_one_past_the_highest_option_even_with_gaps() {
        let mut case = propose(&opened(), &stamp(1), "Refund", &[], &[]).unwrap();
        // A hand edit or a merge can leave gaps.
        case.events.last_mut().unwrap().option = Some(5);
        let case = propose(&case, &stamp(2), "Replace", &[], &[]).unwrap();
        assert_eq!(case.events.last().unwrap().option, Some(6));
    }

    #[test]
    fn propose_refuses_a_multi_line_plus_and_a_resolved_case() {
        let err = refusal(propose(
            &opened(),
            &stamp(1),
            "Refund",
            &["quick\nand easy".into()],
            &[],
        ));
        assert_eq!(err, "a plus or minus must be one line");
        let err = refusal(propose(&resolved(), &stamp(2), "Refund", &[], &[]));
        assert_eq!(
            err,
            "case 20261122-7kq3m is resolved; reopen it before proposing a solution"
        );
    }

    #[test]
    fn agree_records_the_option_and_its_terms() {
        let case = propose(&opened(), &stamp(1), "Refund", &[], &[]).unwrap();
        let terms = Agreement {
            how: Some(Channel::Phone),
            contingency: Some("replace if out of stock".into()),
            monitor: Some("check the bank transfer".into()),
            ..Agreement::default()
        };
        let case = agree(&case, &stamp(2), 1, terms).unwrap();
        let last = case.events.last().unwrap();
        assert_eq!(last.action, Action::Agreed);
        assert_eq!(last.option, Some(1));
        assert_eq!(last.how, Some(Channel::Phone));
        assert_eq!(last.contingency.as_deref(), Some("replace if out of stock"));
        assert_eq!(last.monitor.as_deref(), Some("check the bank transfer"));
        assert_eq!(agreement(&case), Some(last));
    }

    #[test]
    fn agree_without_proposals_suggests_caselog_propose() {
        let err = agree(&opened(), &stamp(1), 1, Agreement::default()).unwrap_err();
        assert!(matches!(err, Refusal::Advised(_)), "{err:?}");
        assert_eq!(
            err.into_input_error().to_string(),
            "case 20261122-7kq3m has no proposed solutions; record them with `caselog propose`"
        );
    }

    #[test]
    fn agree_refuses_an_option_never_proposed() {
        let case = propose(&opened(), &stamp(1), "Refund", &[], &[]).unwrap();
        let case = propose(&case, &stamp(1), "Replace", &[], &[]).unwrap();
        for number in [0, 3] {
            assert_eq!(
                refusal(agree(&case, &stamp(2), number, Agreement::default())),
                format!("case 20261122-7kq3m has no option {number} (options 1 to 2)")
            );
        }
    }

    #[test]
    fn an_unknown_option_is_refused_naming_the_options_there_are() {
        let mut case = propose(&opened(), &stamp(1), "Refund", &[], &[]).unwrap();
        case = propose(&case, &stamp(1), "Replace", &[], &[]).unwrap();
        case.events.last_mut().unwrap().option = Some(5);
        let err = refusal(agree(&case, &stamp(2), 2, Agreement::default()));
        assert!(err.contains('5'), "{err}");
    }

    #[test]
    fn agree_refuses_a_second_agreement_in_the_same_round() {
        let case = propose(&opened(), &stamp(1), "Refund", &[], &[]).unwrap();
        let case = propose(&case, &stamp(1), "Replace", &[], &[]).unwrap();
        let case = agree(&case, &stamp(2), 1, Agreement::default()).unwrap();
        assert_eq!(
            refusal(agree(&case, &stamp(3), 2, Agreement::default())),
            "the customer already agreed to option 1 at 2026-11-22 11:00 UTC; if they changed their mind, record it with `caselog agree 20261122-7kq3m 2 --replace`"
        );
        assert_eq!(
            refusal(agree(&case, &stamp(3), 1, Agreement::default())),
            "the customer already agreed to option 1 at 2026-11-22 11:00 UTC"
        );
    }

    #[test]
    fn a_customer_who_changes_their_mind_agrees_again_with_replace() {
        let case = propose(&opened(), &stamp(1), "Refund", &[], &[]).unwrap();
        let case = propose(&case, &stamp(1), "Replace", &[], &[]).unwrap();
        let case = agree(&case, &stamp(2), 1, Agreement::default()).unwrap();
        let terms = Agreement {
            replace: true,
            reason: Some("prefers the money back"),
            ..Agreement::default()
        };
        let case = agree(&case, &stamp(3), 2, terms).unwrap();
        let last = agreement(&case).unwrap();
        assert_eq!(last.option, Some(2));
        assert_eq!(last.text.as_deref(), Some("prefers the money back"));
        let resolved = resolve(&case, &stamp(4), settled(None)).unwrap();
        assert_eq!(resolved.resolution.unwrap().option, Some(2));
    }

    #[test]
    fn agreeing_again_is_allowed_after_a_reopen() {
        let case = propose(&opened(), &stamp(1), "Refund", &[], &[]).unwrap();
        let case = propose(&case, &stamp(1), "Replace", &[], &[]).unwrap();
        let case = agree(&case, &stamp(2), 1, Agreement::default()).unwrap();
        let case = resolve(&case, &stamp(3), settled(None)).unwrap();
        let case = reopen(&case, &stamp(4), "the refund bounced").unwrap();
        assert_eq!(agreement(&case), None);
        let case = agree(&case, &stamp(5), 2, Agreement::default()).unwrap();
        assert_eq!(agreement(&case).and_then(|e| e.option), Some(2));
    }

    #[test]
    fn agree_refuses_a_resolved_case_and_a_blank_contingency() {
        assert_eq!(
            refusal(agree(&resolved(), &stamp(2), 1, Agreement::default())),
            "case 20261122-7kq3m is resolved; reopen it before recording an agreement"
        );
        let case = propose(&opened(), &stamp(1), "Refund", &[], &[]).unwrap();
        let blank = Agreement {
            contingency: Some(" ".into()),
            ..Agreement::default()
        };
        assert_eq!(
            refusal(agree(&case, &stamp(2), 1, blank)),
            "the contingency is empty"
        );
    }

    #[test]
    fn escalate_hands_the_case_to_someone_senior_with_the_reason() {
        let case = escalate(&opened(), &stamp(1), "cy", "customer threatens to sue").unwrap();
        assert_eq!(case.assignee.as_deref(), Some("cy"));
        let last = case.events.last().unwrap();
        assert_eq!(last.action, Action::Escalated);
        assert_eq!(last.to.as_deref(), Some("cy"));
        assert_eq!(last.text.as_deref(), Some("customer threatens to sue"));
    }

    #[test]
    fn escalate_refuses_the_escalator_themselves_and_the_current_assignee() {
        assert_eq!(
            refusal(escalate(&opened(), &stamp(1), "ana", "too hard")),
            "ana cannot escalate case 20261122-7kq3m to themselves"
        );
        let with_bo = assign(&opened(), &stamp(1), "bo").unwrap();
        assert_eq!(
            refusal(escalate(&with_bo, &stamp(2), "bo", "too hard")),
            "case 20261122-7kq3m is already with bo"
        );
        assert_eq!(
            refusal(escalate(&resolved(), &stamp(2), "cy", "too hard")),
            "case 20261122-7kq3m is resolved; reopen it before escalating it"
        );
    }

    #[test]
    fn schedule_follow_up_is_only_for_a_resolved_case() {
        for case in [
            opened(),
            close(&opened(), &stamp(1), Some("withdrawn")).unwrap(),
        ] {
            assert_eq!(
                refusal(schedule_follow_up(&case, &stamp(2), at(50))),
                format!(
                    "case 20261122-7kq3m is {}; a follow-up is scheduled only after it is resolved",
                    case.status
                )
            );
        }
    }

    #[test]
    fn schedule_follow_up_reschedules_with_an_event() {
        let case = schedule_follow_up(&resolved(), &stamp(2), at(72)).unwrap();
        assert_eq!(case.follow_up.as_ref().unwrap().due, Timestamp(at(72)));
        let last = case.events.last().unwrap();
        assert_eq!(last.action, Action::FollowUpScheduled);
        assert_eq!(last.due, Some(Timestamp(at(72))));
        let unscheduled = resolve(&opened(), &stamp(1), settled(None)).unwrap();
        let case = schedule_follow_up(&unscheduled, &stamp(2), at(50)).unwrap();
        assert_eq!(case.follow_up.unwrap().due, Timestamp(at(50)));
    }

    #[test]
    fn rescheduling_the_follow_up_to_the_time_already_set_changes_nothing() {
        let case = resolved();
        assert_eq!(schedule_follow_up(&case, &stamp(2), at(49)).unwrap(), case);
    }

    #[test]
    fn a_satisfied_follow_up_closes_the_case() {
        let case = record_follow_up(&resolved(), &stamp(50), Some(true), Some("Happy.")).unwrap();
        assert_eq!(case.status, Status::Closed);
        assert_eq!(
            case.follow_up,
            Some(FollowUp {
                due: Timestamp(at(49)),
                done_at: Some(Timestamp(at(50))),
                satisfied: Some(true),
            })
        );
        let new: Vec<_> = case.events[3..].iter().collect();
        assert_eq!(new[0].action, Action::FollowedUp);
        assert_eq!(new[0].satisfied, Some(true));
        assert_eq!(new[0].text.as_deref(), Some("Happy."));
        assert_eq!(new[1].action, Action::Closed);
        assert_eq!(new.len(), 2);
        assert_eq!(case.reopen_count(), 0);
    }

    #[test]
    fn an_unsatisfied_follow_up_reopens_the_case_and_counts_the_reopen() {
        let case = record_follow_up(&resolved(), &stamp(50), Some(false), None).unwrap();
        assert_eq!(case.status, Status::Open);
        assert_eq!(case.follow_up.as_ref().unwrap().satisfied, Some(false));
        assert_eq!(actions(&case)[3..], [Action::FollowedUp, Action::Reopened]);
        assert_eq!(case.reopen_count(), 1);
    }

    #[test]
    fn a_follow_up_without_an_answer_leaves_the_case_resolved() {
        let case = record_follow_up(&resolved(), &stamp(50), None, None).unwrap();
        assert_eq!(case.status, Status::Resolved);
        let follow_up = case.follow_up.as_ref().unwrap();
        assert_eq!(follow_up.done_at, Some(Timestamp(at(50))));
        assert_eq!(follow_up.satisfied, None);
        assert_eq!(actions(&case).last(), Some(&Action::FollowedUp));
    }

    #[test]
    fn record_follow_up_needs_a_follow_up_waiting_to_be_done() {
        let unscheduled = resolve(&opened(), &stamp(1), settled(None)).unwrap();
        let err = record_follow_up(&unscheduled, &stamp(2), Some(true), None).unwrap_err();
        assert_eq!(
            err.into_input_error().to_string(),
            "case 20261122-7kq3m has no follow-up waiting to be done; schedule one with `caselog follow-up 20261122-7kq3m --in 1d`"
        );
        let done = record_follow_up(&resolved(), &stamp(50), None, None).unwrap();
        assert!(record_follow_up(&done, &stamp(51), Some(true), None).is_err());
        assert_eq!(
            refusal(record_follow_up(&opened(), &stamp(1), Some(true), None)),
            "case 20261122-7kq3m has no follow-up waiting to be done; follow-ups come after a resolution"
        );
    }

    #[test]
    fn closing_an_unresolved_case_needs_a_reason() {
        for case in [
            opened(),
            waits(&opened(), &stamp(1), "the courier", None).unwrap(),
        ] {
            assert_eq!(
                refusal(close(&case, &stamp(2), None)),
                format!(
                    "case 20261122-7kq3m is {} and not resolved; give --reason to close it anyway",
                    case.status
                )
            );
            let closed = close(&case, &stamp(2), Some("customer withdrew")).unwrap();
            assert_eq!(closed.status, Status::Closed);
            let last = closed.events.last().unwrap();
            assert_eq!(last.action, Action::Closed);
            assert_eq!(last.text.as_deref(), Some("customer withdrew"));
        }
    }

    #[test]
    fn closing_with_a_follow_up_not_yet_done_suggests_recording_it_or_a_reason() {
        let err = close(&resolved(), &stamp(2), None).unwrap_err();
        assert_eq!(
            err.into_input_error().to_string(),
            "case 20261122-7kq3m has a follow-up not yet done; record it with `caselog follow-up 20261122-7kq3m --done`, or give --reason to close anyway"
        );
        let closed = close(&resolved(), &stamp(2), Some("moved abroad")).unwrap();
        assert_eq!(closed.status, Status::Closed);
    }

    #[test]
    fn a_resolved_case_with_its_follow_up_done_closes_without_a_reason() {
        let done = record_follow_up(&resolved(), &stamp(50), None, None).unwrap();
        let closed = close(&done, &stamp(51), None).unwrap();
        assert_eq!(closed.status, Status::Closed);
        assert_eq!(closed.events.last().unwrap().text, None);
    }

    #[test]
    fn a_case_resolved_with_no_follow_up_closes_without_a_reason() {
        // `resolve --no-follow-up` already put the decision on record.
        let unscheduled = resolve(&opened(), &stamp(1), settled(None)).unwrap();
        assert_eq!(
            close(&unscheduled, &stamp(2), None).unwrap().status,
            Status::Closed
        );
    }

    #[test]
    fn close_refuses_a_closed_case_and_a_blank_reason() {
        let closed = close(&opened(), &stamp(1), Some("withdrawn")).unwrap();
        assert_eq!(
            refusal(close(&closed, &stamp(2), Some("again"))),
            "case 20261122-7kq3m is already closed"
        );
        assert_eq!(
            refusal(close(&opened(), &stamp(1), Some(" "))),
            "the reason is empty"
        );
    }

    #[test]
    fn reopening_a_waiting_case_resumes_it_without_counting_a_reopen() {
        let waiting = waits(&opened(), &stamp(1), "the courier", Some(at(9))).unwrap();
        let case = reopen(&waiting, &stamp(2), "courier answered").unwrap();
        assert_eq!(case.status, Status::Open);
        assert_eq!(actions(&case).last(), Some(&Action::Resumed));
        assert_eq!(case.reopen_count(), 0);
        assert_eq!(case.waiting_until(), None);
    }

    #[test]
    fn reopening_a_resolved_or_closed_case_is_a_counted_reopen() {
        let done = record_follow_up(&resolved(), &stamp(50), None, None).unwrap();
        let closed = close(&done, &stamp(51), None).unwrap();
        for case in [done, closed] {
            let case = reopen(&case, &stamp(52), "it broke again").unwrap();
            assert_eq!(case.status, Status::Open);
            let last = case.events.last().unwrap();
            assert_eq!(last.action, Action::Reopened);
            assert_eq!(last.text.as_deref(), Some("it broke again"));
            assert_eq!(case.reopen_count(), 1);
        }
    }

    #[test]
    fn reopening_drops_a_pending_follow_up_but_keeps_a_done_one() {
        let case = reopen(&resolved(), &stamp(2), "it broke again").unwrap();
        assert_eq!(case.follow_up, None);
        // The scheduling stays on the record.
        assert!(actions(&case).contains(&Action::FollowUpScheduled));
        let done = record_follow_up(&resolved(), &stamp(50), None, None).unwrap();
        let case = reopen(&done, &stamp(51), "it broke again").unwrap();
        assert_eq!(case.follow_up, done.follow_up);
    }

    #[test]
    fn reopen_refuses_an_open_case_and_a_blank_reason() {
        assert_eq!(
            refusal(reopen(&opened(), &stamp(1), "why not")),
            "case 20261122-7kq3m is already open"
        );
        assert_eq!(
            refusal(reopen(&resolved(), &stamp(2), "")),
            "the reason is empty"
        );
    }

    #[test]
    fn an_event_earlier_than_the_last_takes_the_last_event_s_time() {
        let case = annotate(&opened(), &stamp(5), Action::Note, "Called the courier.").unwrap();
        let early = stamp(4);
        let changes = [
            annotate(&case, &early, Action::Note, "late note"),
            assign(&case, &early, "bo"),
            waits(&case, &early, "the courier", None),
            resolve(&case, &early, settled(None)),
            propose(&case, &early, "Refund", &[], &[]),
            escalate(&case, &early, "cy", "too hard"),
            close(&case, &early, Some("withdrawn")),
        ];
        for change in changes {
            let after = change.unwrap();
            assert_eq!(after.last_event_at(), Some(at(5)));
            assert!(after.events.windows(2).all(|w| w[0].at <= w[1].at));
        }
        let resolved = resolve(&case, &stamp(6), settled(Some(50))).unwrap();
        assert_eq!(
            resolved.resolution.as_ref().unwrap().resolved_at,
            Timestamp(at(6))
        );
        for change in [
            record_follow_up(&resolved, &stamp(5), None, None),
            schedule_follow_up(&resolved, &stamp(5), at(60)),
            reopen(&resolved, &stamp(5), "it broke again"),
        ] {
            assert_eq!(change.unwrap().last_event_at(), Some(at(6)));
        }
        let late = resolve(&case, &early, settled(None)).unwrap();
        assert_eq!(late.resolution.unwrap().resolved_at, Timestamp(at(5)));
    }

    #[test]
    fn an_event_at_the_same_time_as_the_last_is_allowed() {
        let case = annotate(&opened(), &stamp(5), Action::Note, "Called the courier.").unwrap();
        let case = annotate(&case, &stamp(5), Action::Reply, "Sorry.").unwrap();
        assert_eq!(case.events.len(), 3);
    }

    #[test]
    fn the_current_round_starts_after_the_last_reopen() {
        let case = record_follow_up(&resolved(), &stamp(50), Some(false), None).unwrap();
        assert!(current_round(&case).is_empty());
        let case = annotate(&case, &stamp(51), Action::Call, "Called back.").unwrap();
        let round: Vec<_> = current_round(&case).iter().map(|e| e.action).collect();
        assert_eq!(round, [Action::Call]);
        assert_eq!(current_round(&opened()).len(), 1);
    }
}
