//! The report's maths: what a manager needs to learn from complaints, computed
//! from each case's fields and event log (never from git).
//!
//! Each case is first reduced to [`Facts`]: the few fields and events the
//! measures use, with no complaint text, so a report over 100,000 cases
//! holds little in memory. Every measure is computed "as of" an instant by
//! ignoring later events, so last month's figures can be reproduced
//! exactly. Nothing here is quadratic: one pass per measure, plus sorting
//! for the percentiles. The README defines each measure as computed here.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use chrono::{DateTime, Datelike, Utc};
use serde::Serialize;

use crate::case::id::CaseId;
use crate::case::redaction;
use crate::case::{Action, Case, Channel, Outcome, Severity, Status, WaitingOn, replay};
use crate::practice::deadlines;
use crate::settings::Settings;
use crate::words::word_enum;

word_enum!(
    /// How a report groups cases.
    By, "grouping" {
        Category => "category",
        Channel => "channel",
        Severity => "severity",
        Assignee => "assignee",
        Customer => "customer",
        Month => "month",
        Week => "week",
    }
);

/// The period a report covers: `[since, until)`, seen as of `as_of`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Period {
    /// Start, inclusive; `None` is the beginning of the log.
    #[serde(serialize_with = "optional_time")]
    pub since: Option<DateTime<Utc>>,
    /// End, exclusive.
    #[serde(serialize_with = "time")]
    pub until: DateTime<Utc>,
    /// Events after this instant are ignored, as if not yet happened.
    #[serde(serialize_with = "time")]
    pub as_of: DateTime<Utc>,
}

impl Period {
    fn contains(&self, t: DateTime<Utc>) -> bool {
        self.since.is_none_or(|s| s <= t) && t < self.until
    }

    /// The instant "now" stands for when judging what is still pending.
    fn end(&self) -> DateTime<Utc> {
        self.until.min(self.as_of)
    }
}

fn time<S: serde::Serializer>(t: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&crate::case::Timestamp(*t).to_rfc3339())
}

fn optional_time<S: serde::Serializer>(t: &Option<DateTime<Utc>>, s: S) -> Result<S::Ok, S::Error> {
    match t {
        Some(t) => time(t, s),
        None => s.serialize_none(),
    }
}

/// Whether the measures look at events of this kind: those that move
/// the status (as [`replay`] reads them), reach the customer, escalate,
/// or belong to the follow-up. Notes, edits, proposals and the like are
/// left out of [`Facts`], which at 100,000 cases is most of a report's
/// memory.
fn counts(action: Action) -> bool {
    action.is_customer_contact()
        || matches!(
            action,
            Action::Opened
                | Action::Resumed
                | Action::Reopened
                | Action::Customer
                | Action::Waiting
                | Action::Resolved
                | Action::Closed
                | Action::Escalated
                | Action::FollowUpScheduled
                | Action::FollowedUp
        )
}

/// One event, reduced to what the measures need.
#[derive(Debug, Clone)]
struct FactEvent {
    at: DateTime<Utc>,
    action: Action,
    /// On waiting events: whom the case waits on.
    on: Option<WaitingOn>,
    satisfied: Option<bool>,
    /// On resolved events: the outcome then recorded (the root cause
    /// is kept beside the events: few have one).
    outcome: Option<Outcome>,
    /// Whether a redress was recorded.
    redress: bool,
}

/// A case reduced to what reports use, as of an instant.
#[derive(Debug, Clone)]
pub struct Facts {
    id: CaseId,
    opened_at: DateTime<Utc>,
    severity: Severity,
    /// Shared between the cases that name the same (see [`shared`]).
    category: Option<Arc<str>>,
    channel: Channel,
    /// The assignee as of the report's instant, from the event log.
    assignee: Option<Arc<str>>,
    /// Who the customer is, in any letter case: their reference, else
    /// their name (as `open` finds a repeat customer). `None` once
    /// redacted: an erased customer matches nobody.
    customer: Option<Box<str>>,
    /// How the customer is named in a report: `Name (reference)`.
    customer_label: Box<str>,
    events: Box<[FactEvent]>,
    /// The root causes recorded, each with its event's place in `events`.
    root_causes: Box<[(usize, Box<str>)]>,
    /// When each follow-up scheduled was due, with its event's place in
    /// `events` (beside them, as few events have one: 100,000 cases'
    /// events are held at once).
    follow_up_dues: Box<[(usize, DateTime<Utc>)]>,
}

/// One copy of each of the few names (categories, people) that 100,000
/// cases repeat: a report holds every case's facts at once.
fn shared(name: &str) -> Arc<str> {
    thread_local! {
        static NAMES: std::cell::RefCell<HashSet<Arc<str>>> = Default::default();
    }
    NAMES.with_borrow_mut(|names| match names.get(name) {
        Some(known) => Arc::clone(known),
        None => {
            let name: Arc<str> = Arc::from(name);
            // A log with a great many names only keeps so many.
            if names.len() < 4096 {
                names.insert(Arc::clone(&name));
            }
            name
        }
    })
}

impl Facts {
    /// The case as it stood at `as_of`; `None` if it was not yet opened.
    /// A void case (a duplicate, or opened in error) has none: it was
    /// never a complaint of its own, whatever the as-of time.
    pub fn of(case: &Case, as_of: DateTime<Utc>) -> Option<Facts> {
        if case.opened_at.0 > as_of || case.is_void() {
            return None;
        }
        let counted = || {
            case.events
                .iter()
                .filter(|e| e.at.0 <= as_of && counts(e.action))
        };
        let events: Vec<FactEvent> = counted()
            .map(|e| FactEvent {
                at: e.at.0,
                action: e.action,
                on: e.on,
                satisfied: e.satisfied,
                outcome: e.outcome,
                redress: e.redress.as_deref().is_some_and(|r| !r.trim().is_empty()),
            })
            .collect();
        let root_causes: Vec<(usize, Box<str>)> = counted()
            .enumerate()
            .filter_map(|(i, e)| {
                let cause = e.root_cause.as_deref().map(str::trim)?;
                (!cause.is_empty()).then(|| (i, Box::from(cause)))
            })
            .collect();
        let follow_up_dues: Vec<(usize, DateTime<Utc>)> = counted()
            .enumerate()
            .filter(|(_, e)| e.action == Action::FollowUpScheduled)
            .filter_map(|(i, e)| Some((i, e.due?.0)))
            .collect();
        let logged_assignee = case
            .events
            .iter()
            .filter(|e| e.at.0 <= as_of && e.action.assigns())
            .filter_map(|e| e.to.as_deref())
            .next_back();
        // Older files may not name the first assignee on the opened event.
        let assigned_later = case
            .events
            .iter()
            .any(|e| e.at.0 > as_of && e.action.assigns() && e.action != Action::Opened);
        let assignee = logged_assignee
            .or_else(|| {
                (!assigned_later)
                    .then_some(case.assignee.as_deref())
                    .flatten()
            })
            .map(shared);
        Some(Facts {
            id: case.id.clone(),
            opened_at: case.opened_at.0,
            severity: case.severity,
            category: case.category.as_deref().map(shared),
            channel: case.channel,
            assignee,
            customer: [
                case.customer.reference.as_deref(),
                Some(&case.customer.name),
            ]
            .into_iter()
            .flatten()
            .map(str::trim)
            .find(|v| !v.is_empty() && !redaction::is_marker(v))
            .map(|v| v.to_lowercase().into_boxed_str()),
            customer_label: customer_label(&case.customer.name, case.customer.reference.as_deref())
                .into_boxed_str(),
            events: events.into_boxed_slice(),
            root_causes: root_causes.into_boxed_slice(),
            follow_up_dues: follow_up_dues.into_boxed_slice(),
        })
    }

    /// Whether the case was unresolved (open or waiting) just before `t`.
    fn open_before(&self, t: DateTime<Utc>) -> bool {
        if self.opened_at >= t {
            return false;
        }
        let status = replay(
            self.events
                .iter()
                .take_while(|e| e.at < t)
                .map(|e| (e.action, e.on)),
        )
        .status;
        matches!(status, Status::Open | Status::Waiting)
    }

    /// The stretches the case waited on the customer, up to `end`.
    fn customer_waits(&self, end: DateTime<Utc>) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
        deadlines::customer_waits(self.events.iter().map(|e| (e.at, e.action, e.on)), end)
    }

    /// The same facts with the customer known by `pseudonym` instead
    /// (`None`: redacted), so a shared report names nobody.
    pub fn with_customer(mut self, pseudonym: Option<String>) -> Facts {
        self.customer_label = pseudonym.as_deref().unwrap_or(REDACTED).into();
        self.customer = pseudonym.map(String::into_boxed_str);
        self
    }

    /// When the follow-up scheduled by event `i` was due.
    fn follow_up_due(&self, i: usize) -> Option<DateTime<Utc>> {
        // In the order of the events they belong to.
        self.follow_up_dues
            .binary_search_by_key(&i, |(at, _)| *at)
            .ok()
            .map(|found| self.follow_up_dues[found].1)
    }

    fn first(&self, wanted: impl Fn(Action) -> bool) -> Option<DateTime<Utc>> {
        self.events.iter().find(|e| wanted(e.action)).map(|e| e.at)
    }

    /// How the group `group` (this case's) is named in a report.
    fn label(&self, by: By) -> String {
        match by {
            By::Customer => self.customer_label.to_string(),
            _ => self.group(by),
        }
    }

    fn group(&self, by: By) -> String {
        match by {
            By::Category => self.category.as_deref().unwrap_or(NO_CATEGORY).into(),
            By::Channel => self.channel.to_string(),
            By::Severity => self.severity.to_string(),
            By::Assignee => self.assignee.as_deref().unwrap_or("(nobody)").into(),
            By::Customer => self.customer.as_deref().unwrap_or(REDACTED).into(),
            By::Month => self.opened_at.format("%Y-%m").to_string(),
            By::Week => iso_week(self.opened_at),
        }
    }
}

/// How a report names the group of cases with no category.
const NO_CATEGORY: &str = "(none)";

/// How a report names a customer whose details were erased.
const REDACTED: &str = "(redacted)";

/// `Name (reference)`, leaving out whatever was erased.
fn customer_label(name: &str, reference: Option<&str>) -> String {
    let shown = |v: &str| {
        let v = v.trim();
        (!v.is_empty() && !redaction::is_marker(v)).then(|| v.to_string())
    };
    match (shown(name), reference.and_then(shown)) {
        (Some(name), Some(reference)) => format!("{name} ({reference})"),
        (Some(only), None) | (None, Some(only)) => only,
        (None, None) => REDACTED.into(),
    }
}

fn iso_week(t: DateTime<Utc>) -> String {
    let week = t.iso_week();
    format!("{}-W{:02}", week.year(), week.week())
}

/// Median, 90th percentile and target share of one kind of timing.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Timing {
    /// Cases that reached the milestone.
    pub measured: usize,
    pub median_seconds: Option<i64>,
    pub p90_seconds: Option<i64>,
    /// Met the target ÷ (reached the milestone + target already missed without reaching it).
    pub within_target: Option<f64>,
    /// Received cases that have not reached the milestone yet.
    pub pending: usize,
}

impl Timing {
    /// The timing as a report line says it: median, 90th percentile, the
    /// share within target and how many are `waiting`; `unmeasured` when
    /// no case has reached the milestone (rather than 0 % within target).
    pub fn words(&self, unmeasured: &str, waiting: &str) -> String {
        if self.measured == 0 && self.pending == 0 {
            return "—".into();
        }
        if self.measured == 0 {
            return format!("{unmeasured} · {} {waiting}", self.pending);
        }
        format!(
            "median {} · p90 {} · {} within target · {} {waiting}",
            length_words(self.median_seconds),
            length_words(self.p90_seconds),
            percent_words(self.within_target),
            self.pending
        )
    }
}

/// A share as a whole percentage, `—` when there is none.
pub fn percent_words(share: Option<f64>) -> String {
    share.map_or("—".into(), |s| format!("{:.0}%", s * 100.0))
}

/// A length of time in seconds as people read it, `—` when there is none.
pub fn length_words(seconds: Option<i64>) -> String {
    seconds.map_or("—".into(), |s| {
        crate::time::format_length(chrono::Duration::seconds(s))
    })
}

/// Follow-ups of the resolutions made in the period.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct FollowUps {
    pub resolutions: usize,
    /// Done by the due time.
    pub on_time: usize,
    /// Done after the due time.
    pub late: usize,
    /// The due time passed, or the case was reopened, with no follow-up done.
    pub missed: usize,
    /// Resolved with no follow-up scheduled.
    pub not_scheduled: usize,
    /// Scheduled, not done, and not yet due.
    pub pending: usize,
    /// on_time ÷ (on_time + late + missed + not_scheduled).
    pub compliance: Option<f64>,
}

/// Whether the customer was updated every `update_every` while their case
/// was open: each update deadline settled in the period, met by a contact
/// by its time, or missed.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Updates {
    pub on_time: usize,
    pub missed: usize,
    /// on_time ÷ (on_time + missed).
    pub compliance: Option<f64>,
}

/// The customers' answers at follow-ups done in the period.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Satisfaction {
    pub satisfied: usize,
    pub not_satisfied: usize,
    pub unanswered: usize,
    /// satisfied ÷ (satisfied + not_satisfied).
    pub rate: Option<f64>,
}

/// Whether the complaints resolved in the period were found justified.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Outcomes {
    pub upheld: usize,
    pub partly_upheld: usize,
    pub not_upheld: usize,
    /// Resolved with no outcome recorded.
    pub not_recorded: usize,
    /// Resolutions that gave the customer something (a refund, a replacement…).
    pub with_redress: usize,
}

impl FollowUps {
    /// The follow-up counts in words, as report and the site show them.
    pub fn words(&self) -> String {
        format!(
            "{} on time · {} on time, {} late, {} missed, {} not scheduled, {} pending",
            percent_words(self.compliance),
            self.on_time,
            self.late,
            self.missed,
            self.not_scheduled,
            self.pending
        )
    }
}

impl Updates {
    /// The update counts in words, as report and the site show them.
    pub fn words(&self) -> String {
        format!(
            "{} on time · {} on time, {} missed",
            percent_words(self.compliance),
            self.on_time,
            self.missed
        )
    }
}

impl Satisfaction {
    /// The follow-up answers in words, as report and the site show them.
    pub fn words(&self) -> String {
        format!(
            "{} satisfied · {} satisfied, {} not, {} unanswered",
            percent_words(self.rate),
            self.satisfied,
            self.not_satisfied,
            self.unanswered
        )
    }
}

impl Measures {
    /// How many were escalated, and what share of those received.
    pub fn escalation_words(&self) -> String {
        format!(
            "{} ({} of received)",
            self.escalated,
            percent_words(self.escalation_rate)
        )
    }
}

impl Outcomes {
    /// The outcomes in words, as report and the site show them.
    pub fn words(&self) -> String {
        format!(
            "{} upheld, {} partly upheld, {} not upheld, {} not recorded",
            self.upheld, self.partly_upheld, self.not_upheld, self.not_recorded
        )
    }
}

/// Every measure over one set of cases.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Measures {
    pub received: usize,
    pub open_at_start: usize,
    pub open_at_end: usize,
    pub resolved: usize,
    pub closed: usize,
    pub reopened: usize,
    /// reopened ÷ resolved.
    pub reopen_rate: Option<f64>,
    pub first_response: Timing,
    pub resolution: Timing,
    pub follow_up: FollowUps,
    /// Updates to the customer (`update_every`), when the log asks for them.
    pub updates: Option<Updates>,
    pub satisfaction: Satisfaction,
    /// Cases received in the period that were escalated (by the report's instant).
    pub escalated: usize,
    /// escalated ÷ received.
    pub escalation_rate: Option<f64>,
    /// Outcomes of the resolutions made in the period (they add up to `resolved`).
    pub outcomes: Outcomes,
}

/// The unit of the trend chart, chosen by the period's length.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Unit {
    Day,
    Week,
    Month,
}

impl Unit {
    pub fn as_str(self) -> &'static str {
        match self {
            Unit::Day => "day",
            Unit::Week => "week",
            Unit::Month => "month",
        }
    }

    /// Days for up to three weeks, weeks up to about six months, months
    /// beyond: a chart of a few dozen lines at most, whatever the period.
    fn for_days(days: i64) -> Unit {
        if days <= 21 {
            Unit::Day
        } else if days <= 183 {
            Unit::Week
        } else {
            Unit::Month
        }
    }

    fn key(self, t: DateTime<Utc>) -> String {
        match self {
            Unit::Day => t.format("%Y-%m-%d").to_string(),
            Unit::Week => iso_week(t),
            Unit::Month => t.format("%Y-%m").to_string(),
        }
    }

    /// The bucket `t` falls in, as a number that sorts as [`Unit::key`]
    /// does: counting 100,000 cases formats no dates.
    fn bucket(self, t: DateTime<Utc>) -> i64 {
        match self {
            Unit::Day => i64::from(t.date_naive().num_days_from_ce()),
            Unit::Week => {
                let week = t.iso_week();
                i64::from(week.year()) * 100 + i64::from(week.week())
            }
            Unit::Month => i64::from(t.year()) * 100 + i64::from(t.month()),
        }
    }
}

/// Complaints received per day, week or month over the period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Trend {
    pub unit: Unit,
    pub counts: Vec<Count>,
}

/// How many complaints came from one customer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RepeatCustomer {
    pub customer: String,
    pub complaints: usize,
    pub cases: Vec<String>,
}

/// What to learn: where complaints come from and whether they repeat.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Trends {
    /// Categories of the cases received, most frequent first.
    pub categories: Vec<Count>,
    /// Customers with more than one complaint received in the period.
    pub repeat_customers: Vec<RepeatCustomer>,
    /// Complaints received per day, ISO week or month, every one of the
    /// range (none when nothing was received).
    pub trend: Option<Trend>,
    /// Root causes of the resolutions made in the period, most frequent
    /// first (the same words in any letter case count as one).
    pub root_causes: Vec<Count>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Count {
    pub key: String,
    pub count: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Group {
    pub key: String,
    pub measures: Measures,
}

/// The name of the group holding the smaller groups past `--top`.
pub fn others(count: usize) -> String {
    format!("({count} others)")
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub period: Period,
    pub summary: Measures,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub by: Option<By>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<Group>,
    pub learning: Trends,
}

impl Report {
    /// Whether anything at all happened in the period.
    pub fn is_empty(&self) -> bool {
        self.summary == Measures::default()
    }
}

/// Computes the whole report; groups (when `by` is given) come most
/// complaints first, and past the `top` largest the rest are one group.
pub fn compute(
    facts: &[Facts],
    period: Period,
    by: Option<By>,
    top: Option<usize>,
    settings: &Settings,
) -> Report {
    let all: Vec<&Facts> = facts.iter().collect();
    let mut groups = Vec::new();
    if let Some(by) = by {
        let mut members: BTreeMap<String, Vec<&Facts>> = BTreeMap::new();
        for f in facts {
            members.entry(f.group(by)).or_default().push(f);
        }
        let mut measured: Vec<(String, Vec<&Facts>, Measures)> = Vec::new();
        for (_, cases) in members {
            let measures = measures(&cases, &period, settings);
            if measures != Measures::default() {
                // Named as the latest case names it (a customer's name).
                let label = cases
                    .iter()
                    .max_by_key(|f| f.opened_at)
                    .map(|f| f.label(by))
                    .unwrap_or_default();
                measured.push((label, cases, measures));
            }
        }
        measured.sort_by(|a, b| {
            b.2.received
                .cmp(&a.2.received)
                .then_with(|| b.2.resolved.cmp(&a.2.resolved))
                .then_with(|| a.0.cmp(&b.0))
        });
        let rest = match top {
            Some(top) if measured.len() > top => measured.split_off(top),
            _ => Vec::new(),
        };
        for (key, _, measures) in measured {
            groups.push(Group { key, measures });
        }
        if !rest.is_empty() {
            let cases: Vec<&Facts> = rest
                .iter()
                .flat_map(|(_, c, _)| c.iter().copied())
                .collect();
            groups.push(Group {
                key: others(rest.len()),
                measures: measures(&cases, &period, settings),
            });
        }
    }
    // The summary and the trends read the same facts apart.
    let (learning, summary) = both(
        all.len() >= SIDE_BY_SIDE_FROM,
        || trends(&all, &period),
        || measures(&all, &period, settings),
    );
    Report {
        period,
        summary,
        by,
        groups,
        learning,
    }
}

/// How many cases make a measure worth a thread of its own.
const SIDE_BY_SIDE_FROM: usize = 10_000;

/// `a()` and `b()`; side by side on two threads when `side_by_side` (there
/// is enough work to pay for a thread).
fn both<A: Send, B>(
    side_by_side: bool,
    a: impl FnOnce() -> A + Send,
    b: impl FnOnce() -> B,
) -> (A, B) {
    if !side_by_side {
        return (a(), b());
    }
    std::thread::scope(|scope| {
        let a = scope.spawn(a);
        let b = b();
        let a = a
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (a, b)
    })
}

fn ratio(part: usize, whole: usize) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

/// Nearest-rank percentile: the smallest value with at least `q` of the
/// values at or below it. `values` must be sorted.
fn percentile(values: &[i64], q: f64) -> Option<i64> {
    if values.is_empty() {
        return None;
    }
    let rank = (q * values.len() as f64).ceil() as usize;
    Some(values[rank.clamp(1, values.len()) - 1])
}

fn measures(cases: &[&Facts], period: &Period, settings: &Settings) -> Measures {
    let received: Vec<&&Facts> = cases
        .iter()
        .filter(|f| period.contains(f.opened_at))
        .collect();
    // One walk over every event counts them all.
    let (mut resolved, mut reopened, mut closed) = (0, 0, 0);
    for e in cases.iter().flat_map(|f| &f.events) {
        if period.contains(e.at) {
            match e.action {
                Action::Resolved => resolved += 1,
                Action::Reopened => reopened += 1,
                Action::Closed => closed += 1,
                _ => {}
            }
        }
    }
    let escalated = received
        .iter()
        .filter(|f| f.events.iter().any(|e| e.action == Action::Escalated))
        .count();
    let calendar = &settings.working_days;
    let first_response = |f: &Facts| {
        (
            f.first(Action::is_customer_contact),
            settings.first_response_within.after(f.opened_at, calendar),
        )
    };
    let resolution = |f: &Facts| {
        let resolved = f.first(|a| a == Action::Resolved);
        // The clock stops while the case waits on the customer, as
        // `due` counts it, up to the resolution (or the end).
        let until = resolved.unwrap_or_else(|| period.end());
        let pauses = if settings.pause_while_waiting_on_customer {
            f.customer_waits(until)
        } else {
            Vec::new()
        };
        let due = deadlines::paused_due(
            f.opened_at,
            settings.resolve_within(f.severity),
            &pauses,
            calendar,
        );
        (resolved, due)
    };
    let (first_response, resolution) = both(
        received.len() >= SIDE_BY_SIDE_FROM,
        || timing(&received, period, first_response),
        || timing(&received, period, resolution),
    );
    Measures {
        received: received.len(),
        open_at_start: period.since.map_or(0, |since| {
            cases.iter().filter(|f| f.open_before(since)).count()
        }),
        open_at_end: cases.iter().filter(|f| f.open_before(period.end())).count(),
        resolved,
        closed,
        reopened,
        reopen_rate: ratio(reopened, resolved),
        first_response,
        resolution,
        follow_up: follow_ups(cases, period),
        updates: (settings.update_every.is_some() || !settings.update_every_by_severity.is_empty())
            .then(|| updates(cases, period, settings)),
        satisfaction: satisfaction(cases, period),
        escalated,
        escalation_rate: ratio(escalated, received.len()),
        outcomes: outcomes(cases, period),
    }
}

/// The resolved events of the period: each resolution, counted once.
fn resolutions<'a>(cases: &'a [&Facts], period: &'a Period) -> impl Iterator<Item = &'a FactEvent> {
    cases
        .iter()
        .flat_map(|f| &f.events)
        .filter(|e| e.action == Action::Resolved && period.contains(e.at))
}

fn outcomes(cases: &[&Facts], period: &Period) -> Outcomes {
    let mut out = Outcomes::default();
    for e in resolutions(cases, period) {
        if e.redress {
            out.with_redress += 1;
        }
        *match e.outcome {
            Some(Outcome::Upheld) => &mut out.upheld,
            Some(Outcome::PartlyUpheld) => &mut out.partly_upheld,
            Some(Outcome::NotUpheld) => &mut out.not_upheld,
            None => &mut out.not_recorded,
        } += 1;
    }
    out
}

/// Root causes of the resolutions made in the period, grouped regardless
/// of letter case and shown as first written.
fn root_causes(cases: &[&Facts], period: &Period) -> Vec<Count> {
    let mut counts: BTreeMap<String, Count> = BTreeMap::new();
    for f in cases {
        for (i, cause) in &f.root_causes {
            let resolved = f
                .events
                .get(*i)
                .is_some_and(|e| e.action == Action::Resolved && period.contains(e.at));
            if resolved {
                counts
                    .entry(cause.to_lowercase())
                    .or_insert_with(|| Count {
                        key: cause.to_string(),
                        count: 0,
                    })
                    .count += 1;
            }
        }
    }
    let mut out: Vec<Count> = counts.into_values().collect();
    out.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.key.cmp(&b.key)));
    out
}

/// Time from opening to a milestone, for the cases received in the period;
/// `milestone` gives when it was reached, if it was, and when it was due.
fn timing(
    received: &[&&Facts],
    period: &Period,
    milestone: impl Fn(&Facts) -> (Option<DateTime<Utc>>, DateTime<Utc>),
) -> Timing {
    let mut seconds = Vec::new();
    let (mut within, mut missed_pending, mut pending) = (0, 0, 0);
    for f in received {
        let (reached, due) = milestone(f);
        match reached {
            Some(at) => {
                seconds.push((at - f.opened_at).num_seconds());
                if at <= due {
                    within += 1;
                }
            }
            None => {
                pending += 1;
                if due < period.end() {
                    missed_pending += 1;
                }
            }
        }
    }
    seconds.sort_unstable();
    Timing {
        measured: seconds.len(),
        median_seconds: percentile(&seconds, 0.5),
        p90_seconds: percentile(&seconds, 0.9),
        // With no milestone recorded at all, a share of 0 % would say the
        // team missed every target, when the log may simply not record
        // them (an import): no share is given.
        within_target: if seconds.is_empty() {
            None
        } else {
            ratio(within, seconds.len() + missed_pending)
        },
        pending,
    }
}

fn follow_ups(cases: &[&Facts], period: &Period) -> FollowUps {
    let mut out = FollowUps::default();
    for f in cases {
        for (i, e) in f.events.iter().enumerate() {
            if e.action != Action::Resolved || !period.contains(e.at) {
                continue;
            }
            out.resolutions += 1;
            let mut due: Option<DateTime<Utc>> = None;
            let mut outcome = None;
            for (j, later) in f.events.iter().enumerate().skip(i + 1) {
                match later.action {
                    Action::FollowUpScheduled => due = f.follow_up_due(j).or(due),
                    Action::FollowedUp => {
                        outcome = Some(match due {
                            Some(d) if later.at <= d => &mut out.on_time,
                            _ => &mut out.late,
                        });
                        break;
                    }
                    Action::Reopened | Action::Resolved => {
                        outcome = Some(if due.is_some() {
                            &mut out.missed
                        } else {
                            &mut out.not_scheduled
                        });
                        break;
                    }
                    _ => {}
                }
            }
            let counter = match (outcome, due) {
                (Some(counter), _) => counter,
                (None, None) => &mut out.not_scheduled,
                (None, Some(d)) if d < period.end() => &mut out.missed,
                (None, Some(_)) => &mut out.pending,
            };
            *counter += 1;
        }
    }
    out.compliance = ratio(
        out.on_time,
        out.on_time + out.late + out.missed + out.not_scheduled,
    );
    out
}

/// Walks each case's log: every contact with the customer starts an update
/// clock (`update_every` for its severity, stopped while the case waits on
/// the customer); the next contact meets it, or comes late and it was
/// missed at its time; a resolution or closing ends it; a clock still
/// running at the end that has passed is missed. Counted in the period
/// they are settled in: met at the contact, missed at the deadline.
fn updates(cases: &[&Facts], period: &Period, settings: &Settings) -> Updates {
    let mut out = Updates::default();
    let calendar = &settings.working_days;
    let end = period.end();
    for f in cases {
        let Some(every) = settings.update_every(f.severity) else {
            continue;
        };
        let pauses = if settings.pause_while_waiting_on_customer {
            f.customer_waits(end)
        } else {
            Vec::new()
        };
        let due_from = |from| deadlines::paused_due(from, every, &pauses, calendar);
        let mut replay = crate::case::Replay::default();
        let mut clock: Option<DateTime<Utc>> = None;
        let mut settle = |met: bool, at: DateTime<Utc>| {
            if period.contains(at) {
                *if met {
                    &mut out.on_time
                } else {
                    &mut out.missed
                } += 1;
            }
        };
        for e in &f.events {
            replay.apply(e.action, e.on);
            if let Some(from) = clock {
                let due = due_from(from);
                if e.action.is_customer_contact() {
                    settle(e.at <= due, if e.at <= due { e.at } else { due });
                } else if matches!(replay.status, Status::Resolved | Status::Closed) {
                    if due < e.at {
                        settle(false, due);
                    }
                    clock = None;
                }
            }
            // A contact on an open case starts the next clock; so does a reopen.
            let open = matches!(replay.status, Status::Open | Status::Waiting);
            if (e.action.is_customer_contact() && open) || e.action == Action::Reopened {
                clock = Some(e.at);
            }
        }
        if let Some(from) = clock {
            let due = due_from(from);
            if due < end {
                settle(false, due);
            }
        }
    }
    out.compliance = ratio(out.on_time, out.on_time + out.missed);
    out
}

fn satisfaction(cases: &[&Facts], period: &Period) -> Satisfaction {
    let mut out = Satisfaction::default();
    for e in cases.iter().flat_map(|f| &f.events) {
        if e.action == Action::FollowedUp && period.contains(e.at) {
            match e.satisfied {
                Some(true) => out.satisfied += 1,
                Some(false) => out.not_satisfied += 1,
                None => out.unanswered += 1,
            }
        }
    }
    out.rate = ratio(out.satisfied, out.satisfied + out.not_satisfied);
    out
}

fn trends(cases: &[&Facts], period: &Period) -> Trends {
    let received: Vec<&&Facts> = cases
        .iter()
        .filter(|f| period.contains(f.opened_at))
        .collect();
    let mut categories: HashMap<&str, usize> = HashMap::new();
    let mut customers: HashMap<&str, Vec<&Facts>> = HashMap::new();
    for f in &received {
        *categories
            .entry(f.category.as_deref().unwrap_or(NO_CATEGORY))
            .or_default() += 1;
        if let Some(customer) = &f.customer {
            customers.entry(customer).or_default().push(f);
        }
    }
    let mut categories: Vec<Count> = categories
        .into_iter()
        .map(|(key, count)| Count {
            key: key.to_string(),
            count,
        })
        .collect();
    categories.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.key.cmp(&b.key)));
    let mut repeats: Vec<(&str, Vec<&Facts>)> = customers
        .into_iter()
        .filter(|(_, cases)| cases.len() > 1)
        .map(|(customer, mut cases)| {
            // Oldest first, so the latest are last wherever they are cut.
            cases.sort_by(|a, b| (a.opened_at, &a.id).cmp(&(b.opened_at, &b.id)));
            (customer, cases)
        })
        .collect();
    // Named as the latest case names them; most complaints first, then
    // by name, then (two customers named alike) by who they are.
    let label = |cases: &[&Facts]| -> String {
        cases
            .last()
            .map(|f| f.customer_label.to_string())
            .unwrap_or_default()
    };
    let mut repeats: Vec<(String, &str, Vec<&Facts>)> = repeats
        .drain(..)
        .map(|(customer, cases)| (label(&cases), customer, cases))
        .collect();
    repeats.sort_by(|a, b| {
        b.2.len()
            .cmp(&a.2.len())
            .then_with(|| a.0.cmp(&b.0))
            .then_with(|| a.1.cmp(b.1))
    });
    let repeat_customers: Vec<RepeatCustomer> = repeats
        .into_iter()
        .map(|(customer, _, cases)| RepeatCustomer {
            customer,
            complaints: cases.len(),
            cases: cases.iter().map(|f| f.id.to_string()).collect(),
        })
        .collect();
    Trends {
        categories,
        repeat_customers,
        trend: trend(&received, period),
        root_causes: root_causes(cases, period),
    }
}

/// Counts per day, week or month (by the period's length) with the empty
/// ones filled in, from the period's start (or the first complaint) to
/// its end.
fn trend(received: &[&&Facts], period: &Period) -> Option<Trend> {
    let first = period
        .since
        .or_else(|| received.iter().map(|f| f.opened_at).min())?;
    let last = received
        .iter()
        .map(|f| f.opened_at)
        .max()
        .map_or(period.end(), |latest| {
            latest.max(period.end() - chrono::Duration::seconds(1))
        });
    let unit = Unit::for_days((last - first).num_days());
    let mut counts: HashMap<i64, usize> = HashMap::new();
    for f in received {
        *counts.entry(unit.bucket(f.opened_at)).or_default() += 1;
    }
    let mut out: Vec<Count> = Vec::new();
    let mut at = first;
    let end = unit.bucket(last);
    let mut previous = None;
    // Steps of a day reach every day, week and month; each bucket once.
    while out.len() < 400 {
        let bucket = unit.bucket(at);
        if previous != Some(bucket) {
            if bucket > end {
                break;
            }
            previous = Some(bucket);
            out.push(Count {
                count: counts.get(&bucket).copied().unwrap_or(0),
                key: unit.key(at),
            });
        }
        at += chrono::Duration::days(1);
    }
    Some(Trend { unit, counts: out })
}

/// The trend of complaints received, split by category.
#[derive(Debug, Clone, PartialEq)]
pub struct CategoryTrend {
    /// All complaints per bucket, as `Trends::trend`.
    pub trend: Trend,
    /// Each category (most frequent first) with its count per bucket.
    pub categories: Vec<(String, Vec<usize>)>,
}

/// The trend split by category: for each category received in the
/// period (most frequent first, as `Trends::categories`), its complaints
/// in each bucket of the period's trend (same unit, same buckets), so a
/// chart can stack them. `None` when nothing was received.
pub fn trend_by_category(facts: &[Facts], period: Period) -> Option<CategoryTrend> {
    let all: Vec<&Facts> = facts.iter().collect();
    let learning = trends(&all, &period);
    let total = learning.trend?;
    let slot: BTreeMap<&str, usize> = total
        .counts
        .iter()
        .enumerate()
        .map(|(i, c)| (c.key.as_str(), i))
        .collect();
    let mut split: Vec<(String, Vec<usize>)> = learning
        .categories
        .iter()
        .map(|c| (c.key.clone(), vec![0; total.counts.len()]))
        .collect();
    for f in facts.iter().filter(|f| period.contains(f.opened_at)) {
        let category = f.group(By::Category);
        if let (Some(row), Some(&i)) = (
            split.iter_mut().find(|(key, _)| *key == category),
            slot.get(total.unit.key(f.opened_at).as_str()),
        ) {
            row.1[i] += 1;
        }
    }
    Some(CategoryTrend {
        trend: total,
        categories: split,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_use_the_nearest_rank() {
        let values = [10, 20, 30, 40];
        assert_eq!(percentile(&values, 0.5), Some(20));
        assert_eq!(percentile(&values, 0.9), Some(40));
        assert_eq!(percentile(&[7], 0.9), Some(7));
        assert_eq!(percentile(&[], 0.5), None);
        let ten: Vec<i64> = (1..=10).collect();
        assert_eq!(percentile(&ten, 0.9), Some(9));
    }

    #[test]
    fn the_chart_s_unit_follows_the_period_s_length() {
        assert_eq!(Unit::for_days(6), Unit::Day);
        assert_eq!(Unit::for_days(21), Unit::Day);
        assert_eq!(Unit::for_days(22), Unit::Week);
        assert_eq!(Unit::for_days(183), Unit::Week);
        assert_eq!(Unit::for_days(3000), Unit::Month);
    }

    #[test]
    fn ratios_of_nothing_are_absent_not_nan() {
        assert_eq!(ratio(0, 0), None);
        assert_eq!(ratio(1, 4), Some(0.25));
    }

    #[test]
    fn the_trend_by_category_splits_the_trend_s_buckets() {
        use crate::case::lifecycle::tests::opened;
        let day = |d: i64| {
            chrono::DateTime::parse_from_rfc3339("2026-09-01T09:00:00Z")
                .expect("a time")
                .with_timezone(&Utc)
                + chrono::Duration::days(d)
        };
        let facts: Vec<Facts> = [(0, "billing"), (1, "billing"), (40, "delivery"), (41, "")]
            .iter()
            .filter_map(|&(d, category)| {
                let mut case = opened();
                case.opened_at = day(d).into();
                for e in &mut case.events {
                    e.at = day(d).into();
                }
                case.category = (!category.is_empty()).then(|| category.to_string());
                Facts::of(&case, day(60))
            })
            .collect();
        let period = Period {
            since: None,
            until: day(60),
            as_of: day(60),
        };
        let split = trend_by_category(&facts, period).expect("a trend");
        let total = compute(&facts, period, None, None, &Settings::default())
            .learning
            .trend
            .expect("a trend");
        assert_eq!(split.trend, total);
        assert_eq!(split.trend.unit, Unit::Week);
        let names: Vec<&str> = split.categories.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(names, ["billing", "(none)", "delivery"]);
        for (i, count) in total.counts.iter().enumerate() {
            let stacked: usize = split.categories.iter().map(|(_, v)| v[i]).sum();
            assert_eq!(stacked, count.count, "bucket {}", count.key);
        }
        assert_eq!(trend_by_category(&[], period), None);
    }
}
