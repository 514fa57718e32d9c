//! The report's maths: what a manager needs to learn from complaints, computed
//! from each case's fields and event log (never from git).
//!
//! Each case is first reduced to [`Facts`]: the few fields groups and
//! trends use, and what the case adds to each measure of the period, worked
//! out as the case is read (on the reading threads, with its events at
//! hand). No event is kept, only a record of a few hundred bytes a case,
//! and the whole report is then sums over these plus sorting for the
//! percentiles. Every measure is computed "as of" an instant by
//! ignoring later events, so last month's figures can be reproduced
//! exactly. The README defines each measure as computed here.

use std::collections::BTreeMap;

use foldhash::{HashMap, HashMapExt, HashSet};
use std::sync::Arc;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::Serialize;

use crate::case::id::CaseId;
use crate::case::{Action, Case, Channel, Event, Outcome, Severity, Status, replay};
use crate::case::{personal, redaction};
use crate::practice::deadlines;
use crate::settings::Settings;
use crate::time::{Span, Zone};
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
    /// The zone whose days, weeks and months the trend and the groups by
    /// week or month count in: the one times are shown in, so a case
    /// shown on 11 November is counted on 11 November.
    #[serde(skip)]
    pub zone: Zone,
}

impl Period {
    fn contains(&self, t: DateTime<Utc>) -> bool {
        self.since.is_none_or(|s| s <= t) && t < self.until
    }

    /// The instant "now" stands for when judging what is still pending.
    fn end(&self) -> DateTime<Utc> {
        self.until.min(self.as_of)
    }

    /// The day `t` falls on in the period's zone: what the trend counts by.
    fn day(&self, t: DateTime<Utc>) -> NaiveDate {
        self.zone.date(t)
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
/// passed over.
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

/// A case reduced to what reports use: who and what it is (for groups and
/// the trends), and what it adds to each measure of one period, worked out
/// while the case is read. The sums and percentiles over 100,000 cases
/// are then one pass over these, with no event kept.
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
    /// The root causes of the case's resolutions made in the period.
    root_causes: Box<[Box<str>]>,
    tally: Tally,
}

/// What one case adds to each measure of a period. Its counts are 32
/// bits (one case file is at most 64 MiB), and shares are worked out only
/// over the sums: 100,000 of these are held at once.
#[derive(Debug, Clone, Default)]
struct Tally {
    received: bool,
    open_at_start: bool,
    open_at_end: bool,
    /// Received, and escalated by the report's instant.
    escalated: bool,
    resolved: u32,
    closed: u32,
    reopened: u32,
    /// The first response and the resolution, for a case received in
    /// the period (`None` otherwise).
    first_response: Option<Milestone>,
    resolution: Option<Milestone>,
    follow_up: FollowUpCounts,
    updates: UpdateCounts,
    satisfaction: AnswerCounts,
    outcomes: OutcomeCounts,
}

/// One case's [`FollowUps`].
#[derive(Debug, Clone, Copy, Default)]
struct FollowUpCounts {
    resolutions: u32,
    on_time: u32,
    late: u32,
    missed: u32,
    not_scheduled: u32,
    pending: u32,
}

/// One case's [`Updates`].
#[derive(Debug, Clone, Copy, Default)]
struct UpdateCounts {
    on_time: u32,
    missed: u32,
}

/// One case's [`Satisfaction`].
#[derive(Debug, Clone, Copy, Default)]
struct AnswerCounts {
    satisfied: u32,
    not_satisfied: u32,
    unanswered: u32,
}

/// One case's [`Outcomes`].
#[derive(Debug, Clone, Copy, Default)]
struct OutcomeCounts {
    upheld: u32,
    partly_upheld: u32,
    not_upheld: u32,
    not_recorded: u32,
    with_redress: u32,
}

/// How far a received case got towards a milestone (the first response,
/// the resolution).
#[derive(Debug, Clone, Copy)]
enum Milestone {
    /// Reached this long after the opening; `within`: by its due time.
    Reached { seconds: i64, within: bool },
    /// Not reached; `missed`: its due time passed before the as-of time.
    Pending { missed: bool },
}

impl Milestone {
    fn of(
        reached: Option<DateTime<Utc>>,
        due: DateTime<Utc>,
        opened_at: DateTime<Utc>,
        period: &Period,
    ) -> Milestone {
        match reached {
            Some(at) => Milestone::Reached {
                seconds: (at - opened_at).num_seconds(),
                within: at <= due,
            },
            // Judged when the milestone is: as of the as-of time, so
            // a complaint never answered is missed as surely as one
            // answered late after the period.
            None => Milestone::Pending {
                missed: due < period.as_of,
            },
        }
    }
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
    /// The case as it stood at the period's `as_of`, measured over the
    /// period; `None` if it was not yet opened. A void case (a duplicate,
    /// or opened in error) has none: it was never a complaint of its own,
    /// whatever the as-of time.
    pub fn of(case: &Case, period: &Period, settings: &Settings) -> Option<Facts> {
        let as_of = period.as_of;
        if case.opened_at.0 > as_of || case.is_void() {
            return None;
        }
        // Sized once: collected from a filter, the list grew two or three
        // times per case.
        let mut events = Vec::with_capacity(case.events.len());
        events.extend(
            case.events
                .iter()
                .filter(|e| e.at.0 <= as_of && counts(e.action)),
        );
        let seen = Seen {
            opened_at: case.opened_at.0,
            events,
        };
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
            customer: personal::customer_key(&case.customer).map(String::into_boxed_str),
            customer_label: customer_label(&case.customer.name, case.customer.reference.as_deref()),
            root_causes: seen.root_causes(period),
            tally: seen.tally(case.severity, period, settings),
        })
    }

    /// The same facts with the customer known by `pseudonym` instead
    /// (`None`: redacted), so a shared report names nobody.
    pub fn with_customer(mut self, pseudonym: Option<String>) -> Facts {
        self.customer_label = pseudonym.as_deref().unwrap_or(REDACTED).into();
        self.customer = pseudonym.map(String::into_boxed_str);
        self
    }

    /// How the group `group` (this case's) is named in a report.
    fn label(&self, by: By, zone: Zone) -> String {
        match (by, self.group(by, zone)) {
            (By::Customer, _) => self.customer_label.to_string(),
            (_, Some(group)) => group,
            (By::Category, None) => NO_CATEGORY.into(),
            (By::Assignee, None) => NOBODY.into(),
            (_, None) => REDACTED.into(),
        }
    }

    /// The group of this case; weeks and months as `zone` counts them.
    /// `None` is the group of the cases with no value (no category, no
    /// assignee, a customer erased): never a name someone could type, so
    /// a category named "(none)" is a group of its own.
    fn group(&self, by: By, zone: Zone) -> Option<String> {
        match by {
            By::Category => self.category.as_deref().map(str::to_string),
            By::Channel => Some(self.channel.to_string()),
            By::Severity => Some(self.severity.to_string()),
            By::Assignee => self.assignee.as_deref().map(str::to_string),
            By::Customer => self.customer.as_deref().map(str::to_string),
            By::Month => Some(zone.date(self.opened_at).format("%Y-%m").to_string()),
            By::Week => Some(iso_week(zone.date(self.opened_at))),
        }
    }
}

/// A case's events up to the report's instant that the measures look at
/// (see [`counts`]), while the case is measured.
struct Seen<'c> {
    opened_at: DateTime<Utc>,
    events: Vec<&'c Event>,
}

impl Seen<'_> {
    fn tally(&self, severity: Severity, period: &Period, settings: &Settings) -> Tally {
        let mut tally = Tally {
            received: period.contains(self.opened_at),
            open_at_start: period.since.is_some_and(|since| self.open_before(since)),
            open_at_end: self.open_before(period.end()),
            follow_up: self.follow_ups(period),
            satisfaction: self.satisfaction(period),
            outcomes: self.outcomes(period),
            ..Tally::default()
        };
        for e in self.in_period(period) {
            match e.action {
                Action::Resolved => tally.resolved += 1,
                Action::Reopened => tally.reopened += 1,
                Action::Closed => tally.closed += 1,
                _ => {}
            }
        }
        if let Some(every) = settings.update_every(severity) {
            tally.updates = self.updates(every, period, settings);
        }
        if !tally.received {
            return tally;
        }
        // By the end of the period: an October case escalated in November
        // is not October's escalation, whenever the report is run.
        tally.escalated = self
            .events
            .iter()
            .any(|e| e.action == Action::Escalated && e.at.0 < period.until);
        let calendar = &settings.working_days;
        tally.first_response = Some(Milestone::of(
            self.first(Action::is_customer_contact),
            settings
                .first_response_within
                .after(self.opened_at, calendar),
            self.opened_at,
            period,
        ));
        let resolved = self.first(|a| a == Action::Resolved);
        // The clock stops while the case waits on the customer, as `due`
        // counts it, up to the resolution (or the as-of time).
        let pauses = self.customer_waits(resolved.unwrap_or(period.as_of), settings);
        let due = deadlines::paused_due(
            self.opened_at,
            settings.resolve_within(severity),
            &pauses,
            calendar,
        );
        tally.resolution = Some(Milestone::of(resolved, due, self.opened_at, period));
        tally
    }

    fn in_period<'s>(&'s self, period: &'s Period) -> impl Iterator<Item = &'s Event> {
        self.events
            .iter()
            .copied()
            .filter(|e| period.contains(e.at.0))
    }

    fn first(&self, wanted: impl Fn(Action) -> bool) -> Option<DateTime<Utc>> {
        self.events
            .iter()
            .find(|e| wanted(e.action))
            .map(|e| e.at.0)
    }

    /// Whether the case was unresolved (open or waiting) just before `t`.
    fn open_before(&self, t: DateTime<Utc>) -> bool {
        if self.opened_at >= t {
            return false;
        }
        let status = replay(
            self.events
                .iter()
                .take_while(|e| e.at.0 < t)
                .map(|e| (e.action, e.on)),
        )
        .status;
        matches!(status, Status::Open | Status::Waiting)
    }

    /// The stretches the case waited on the customer up to `end`, if the
    /// settings stop the clock then.
    fn customer_waits(
        &self,
        end: DateTime<Utc>,
        settings: &Settings,
    ) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
        let moments = self.events.iter().map(|e| (e.at.0, e.action, e.on));
        deadlines::pauses(moments, settings, end)
    }

    /// The root causes of the resolutions made in the period, as written
    /// (trimmed).
    fn root_causes(&self, period: &Period) -> Box<[Box<str>]> {
        self.resolutions(period)
            .filter_map(|e| {
                let cause = e.root_cause.as_deref().map(str::trim)?;
                (!cause.is_empty()).then(|| Box::from(cause))
            })
            .collect()
    }

    /// The resolutions made in the period.
    fn resolutions<'s>(&'s self, period: &'s Period) -> impl Iterator<Item = &'s Event> {
        self.in_period(period)
            .filter(|e| e.action == Action::Resolved)
    }

    fn outcomes(&self, period: &Period) -> OutcomeCounts {
        let mut out = OutcomeCounts::default();
        for e in self.resolutions(period) {
            if e.redress.as_deref().is_some_and(|r| !r.trim().is_empty()) {
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

    /// Each resolution made in the period, and what became of its
    /// follow-up (as last rescheduled before it fell due): the first
    /// follow-up done after it (on time or late), else
    /// a reopen or another resolution (missed, or never scheduled), else
    /// the schedule as it stands at the as-of time.
    fn follow_ups(&self, period: &Period) -> FollowUpCounts {
        let mut out = FollowUpCounts::default();
        for (i, e) in self.events.iter().enumerate() {
            if e.action != Action::Resolved || !period.contains(e.at.0) {
                continue;
            }
            out.resolutions += 1;
            let mut due: Option<DateTime<Utc>> = None;
            let mut outcome = None;
            for later in &self.events[i + 1..] {
                match later.action {
                    // A reschedule made once the follow-up was overdue
                    // does not move the time it is measured against, or
                    // a team could turn every miss into "on time".
                    Action::FollowUpScheduled if due.is_none_or(|d| later.at.0 <= d) => {
                        due = later.due.map(|d| d.0).or(due);
                    }
                    Action::FollowedUp => {
                        outcome = Some(match due {
                            Some(d) if later.at.0 <= d => &mut out.on_time,
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
                // As a follow-up done is seen up to the as-of time, so is
                // one never done: else doing nothing would look better
                // than doing it late.
                (None, Some(d)) if d < period.as_of => &mut out.missed,
                (None, Some(_)) => &mut out.pending,
            };
            *counter += 1;
        }
        out
    }

    /// Walks the case's log: every contact with the customer starts an
    /// update clock (`every`, stopped while the case waits on the
    /// customer); the next contact meets it, or comes late and it was
    /// missed at its time; a resolution or closing ends it; a clock still
    /// running at the end that has passed is missed. Counted in the period
    /// they are settled in: met at the contact, missed at the deadline.
    fn updates(&self, every: Span, period: &Period, settings: &Settings) -> UpdateCounts {
        let mut out = UpdateCounts::default();
        let calendar = &settings.working_days;
        let end = period.end();
        // Waits on the customer stop the update clock whatever the
        // resolution clock's pause setting, as in `due`.
        let moments = self.events.iter().map(|e| (e.at.0, e.action, e.on));
        let pauses = deadlines::customer_waits(moments, end);
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
        for e in &self.events {
            let at = e.at.0;
            replay.apply(e.action, e.on);
            if let Some(from) = clock {
                let due = due_from(from);
                if e.action.is_customer_contact() {
                    settle(at <= due, if at <= due { at } else { due });
                } else if matches!(replay.status, Status::Resolved | Status::Closed) {
                    if due < at {
                        settle(false, due);
                    }
                    clock = None;
                }
            }
            // A contact on an open case starts the next clock; so does a reopen.
            let open = matches!(replay.status, Status::Open | Status::Waiting);
            if (e.action.is_customer_contact() && open) || e.action == Action::Reopened {
                clock = Some(at);
            }
        }
        if let Some(from) = clock {
            let due = due_from(from);
            if due < end {
                settle(false, due);
            }
        }
        out
    }

    /// The customer's answers at the follow-ups done in the period.
    fn satisfaction(&self, period: &Period) -> AnswerCounts {
        let mut out = AnswerCounts::default();
        for e in self.in_period(period) {
            if e.action == Action::FollowedUp {
                match e.satisfied {
                    Some(true) => out.satisfied += 1,
                    Some(false) => out.not_satisfied += 1,
                    None => out.unanswered += 1,
                }
            }
        }
        out
    }
}

/// How a report names the group of cases with no category.
pub const NO_CATEGORY: &str = "(none)";

/// How a report names the group of cases nobody is assigned.
const NOBODY: &str = "(nobody)";

/// How a report names a customer whose details were erased.
const REDACTED: &str = "(redacted)";

/// `Name (reference)`, leaving out whatever was erased.
fn customer_label(name: &str, reference: Option<&str>) -> Box<str> {
    fn shown(v: &str) -> Option<&str> {
        let v = v.trim();
        (!v.is_empty() && !redaction::is_marker(v)).then_some(v)
    }
    match (shown(name), reference.and_then(shown)) {
        // Built by hand: one per case of 100,000, and `format!` costs more.
        (Some(name), Some(reference)) => [name, " (", reference, ")"].concat().into(),
        (Some(only), None) | (None, Some(only)) => only.into(),
        (None, None) => REDACTED.into(),
    }
}

fn iso_week(t: impl Datelike) -> String {
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
        // A team that never schedules one is told so, not shown a row of
        // noughts and a dash.
        if self.resolutions > 0 && self.resolutions == self.not_scheduled {
            return format!(
                "no follow-up scheduled · {} without one",
                crate::words::count(self.not_scheduled, "resolution"),
            );
        }
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
    Quarter,
    Year,
    Decade,
    Century,
}

/// The most bars a trend has: a chart a person reads at a glance, and
/// lines a terminal shows without scrolling through hundreds.
const MOST_BARS: i64 = 120;

impl Unit {
    pub fn as_str(self) -> &'static str {
        match self {
            Unit::Day => "day",
            Unit::Week => "week",
            Unit::Month => "month",
            Unit::Quarter => "quarter",
            Unit::Year => "year",
            Unit::Decade => "decade",
            Unit::Century => "century",
        }
    }

    /// Days for up to three weeks, weeks up to about six months, then
    /// the finest of months, quarters, years and decades that takes the
    /// whole period in at most [`MOST_BARS`] bars, centuries beyond: a
    /// case dated decades back (an import's typo) makes the bars coarser,
    /// never drops the recent ones.
    fn for_dates(first: NaiveDate, last: NaiveDate) -> Unit {
        let days = (last - first).num_days();
        if days <= 21 {
            Unit::Day
        } else if days <= 183 {
            Unit::Week
        } else {
            [Unit::Month, Unit::Quarter, Unit::Year, Unit::Decade]
                .into_iter()
                .find(|unit| unit.bucket(last) - unit.bucket(first) < MOST_BARS)
                .unwrap_or(Unit::Century)
        }
    }

    /// The bucket `date` falls in, numbered so the buckets of a period
    /// are consecutive: counting 100,000 cases formats no dates.
    fn bucket(self, date: NaiveDate) -> i64 {
        let year = i64::from(date.year());
        let month = i64::from(date.month0());
        match self {
            Unit::Day => i64::from(date.num_days_from_ce()),
            // 0001-01-01 was a Monday: weeks counted from it start on
            // Mondays, as ISO weeks do.
            Unit::Week => (i64::from(date.num_days_from_ce()) - 1).div_euclid(7),
            Unit::Month => year * 12 + month,
            Unit::Quarter => year * 4 + month / 3,
            Unit::Year => year,
            Unit::Decade => year.div_euclid(10),
            Unit::Century => year.div_euclid(100),
        }
    }

    /// The first day of `bucket`.
    fn start(self, bucket: i64) -> Option<NaiveDate> {
        let day = |days: i64| NaiveDate::from_num_days_from_ce_opt(i32::try_from(days).ok()?);
        let first_of = |year: i64, month0: i64| {
            NaiveDate::from_ymd_opt(
                i32::try_from(year).ok()?,
                u32::try_from(month0 + 1).ok()?,
                1,
            )
        };
        match self {
            Unit::Day => day(bucket),
            Unit::Week => day(bucket * 7 + 1),
            Unit::Month => first_of(bucket.div_euclid(12), bucket.rem_euclid(12)),
            Unit::Quarter => first_of(bucket.div_euclid(4), bucket.rem_euclid(4) * 3),
            Unit::Year => first_of(bucket, 0),
            Unit::Decade => first_of(bucket * 10, 0),
            Unit::Century => first_of(bucket * 100, 0),
        }
    }

    /// How a bucket is named: `2026-11-22`, `2026-W47`, `2026-11`,
    /// `2026-Q4`, `2026`, `2020s`, `2000–2099`.
    fn key(self, bucket: i64) -> String {
        let Some(start) = self.start(bucket) else {
            // Beyond the calendar: never for a time caselog takes.
            return bucket.to_string();
        };
        match self {
            Unit::Day => start.format("%Y-%m-%d").to_string(),
            Unit::Week => iso_week(start),
            Unit::Month => start.format("%Y-%m").to_string(),
            Unit::Quarter => format!("{}-Q{}", start.year(), start.month0() / 3 + 1),
            Unit::Year => start.year().to_string(),
            Unit::Decade => format!("{}s", start.year()),
            Unit::Century => format!("{}–{}", start.year(), start.year() + 99),
        }
    }
}

/// Complaints received per day, week, month or longer over the period.
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
    pub categories: Vec<CategoryCount>,
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

/// How many cases of one category were received.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CategoryCount {
    /// `None` (`null` in JSON) for the cases with no category: no name a
    /// category could have.
    pub key: Option<String>,
    pub count: usize,
}

impl CategoryCount {
    /// How a report's table names the category.
    pub fn label(&self) -> &str {
        self.key.as_deref().unwrap_or(NO_CATEGORY)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Group {
    /// How the report names the group.
    pub key: String,
    /// The group of the cases with no value (no category, nobody
    /// assigned, a customer erased), told apart from a value someone
    /// typed that reads the same ("(none)").
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub none: bool,
    /// The row past `--top`: how many smaller groups it holds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub others: Option<usize>,
    pub measures: Measures,
}

/// The name of the group holding the smaller groups past `--top`.
pub fn others(count: usize) -> String {
    format!("({})", crate::words::count(count, "other"))
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
/// The facts must be made for this `period` ([`Facts::of`]): each holds
/// its case's share of that period's measures.
pub fn compute(
    facts: &[&Facts],
    period: Period,
    by: Option<By>,
    top: Option<usize>,
    settings: &Settings,
) -> Report {
    let mut groups = Vec::new();
    if let Some(by) = by {
        let mut members: BTreeMap<Option<String>, Vec<&Facts>> = BTreeMap::new();
        for &f in facts {
            members.entry(f.group(by, period.zone)).or_default().push(f);
        }
        let mut measured: Vec<(String, bool, Vec<&Facts>, Measures)> = Vec::new();
        for (value, cases) in members {
            let measures = measures(&cases, settings);
            if measures != Measures::default() {
                // Named as the latest case names it (a customer's name).
                let label = cases
                    .iter()
                    .max_by_key(|f| f.opened_at)
                    .map(|f| f.label(by, period.zone))
                    .unwrap_or_default();
                measured.push((label, value.is_none(), cases, measures));
            }
        }
        measured.sort_by(|a, b| {
            b.3.received
                .cmp(&a.3.received)
                .then_with(|| b.3.resolved.cmp(&a.3.resolved))
                .then_with(|| a.0.cmp(&b.0))
                .then_with(|| a.1.cmp(&b.1))
        });
        let rest = match top {
            Some(top) if measured.len() > top => measured.split_off(top),
            _ => Vec::new(),
        };
        for (key, none, _, measures) in measured {
            groups.push(Group {
                key,
                none,
                others: None,
                measures,
            });
        }
        if !rest.is_empty() {
            let cases: Vec<&Facts> = rest
                .iter()
                .flat_map(|(_, _, c, _)| c.iter().copied())
                .collect();
            groups.push(Group {
                key: others(rest.len()),
                none: false,
                others: Some(rest.len()),
                measures: measures(&cases, settings),
            });
        }
    }
    // The summary and the trends read the same facts apart.
    let (learning, summary) = both(
        facts.len() >= SIDE_BY_SIDE_FROM,
        || trends(facts, &period),
        || measures(facts, settings),
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

/// Every measure over `cases`: the sums of what each adds.
fn measures(cases: &[&Facts], settings: &Settings) -> Measures {
    let mut out = Measures::default();
    let (mut first_response, mut resolution) = (Timings::default(), Timings::default());
    let mut updates = Updates::default();
    for tally in cases.iter().map(|f| &f.tally) {
        out.received += usize::from(tally.received);
        out.open_at_start += usize::from(tally.open_at_start);
        out.open_at_end += usize::from(tally.open_at_end);
        out.escalated += usize::from(tally.escalated);
        out.resolved += wide(tally.resolved);
        out.closed += wide(tally.closed);
        out.reopened += wide(tally.reopened);
        first_response.add(tally.first_response);
        resolution.add(tally.resolution);
        out.follow_up.add(&tally.follow_up);
        updates.add(&tally.updates);
        out.satisfaction.add(&tally.satisfaction);
        out.outcomes.add(&tally.outcomes);
    }
    out.reopen_rate = ratio(out.reopened, out.resolved);
    out.escalation_rate = ratio(out.escalated, out.received);
    (out.first_response, out.resolution) = both(
        out.received >= SIDE_BY_SIDE_FROM,
        || first_response.timing(),
        || resolution.timing(),
    );
    let follow_up = &mut out.follow_up;
    follow_up.compliance = ratio(
        follow_up.on_time,
        follow_up.on_time + follow_up.late + follow_up.missed + follow_up.not_scheduled,
    );
    let asked = settings.update_every.is_some() || !settings.update_every_by_severity.is_empty();
    out.updates = asked.then(|| {
        updates.compliance = ratio(updates.on_time, updates.on_time + updates.missed);
        updates
    });
    let satisfaction = &mut out.satisfaction;
    satisfaction.rate = ratio(
        satisfaction.satisfied,
        satisfaction.satisfied + satisfaction.not_satisfied,
    );
    out
}

/// The milestones of the cases received in the period, gathered for one
/// [`Timing`].
#[derive(Default)]
struct Timings {
    seconds: Vec<i64>,
    within: usize,
    missed_pending: usize,
    pending: usize,
}

impl Timings {
    fn add(&mut self, milestone: Option<Milestone>) {
        match milestone {
            None => {}
            Some(Milestone::Reached { seconds, within }) => {
                self.seconds.push(seconds);
                self.within += usize::from(within);
            }
            Some(Milestone::Pending { missed }) => {
                self.pending += 1;
                self.missed_pending += usize::from(missed);
            }
        }
    }

    fn timing(mut self) -> Timing {
        self.seconds.sort_unstable();
        Timing {
            measured: self.seconds.len(),
            median_seconds: percentile(&self.seconds, 0.5),
            p90_seconds: percentile(&self.seconds, 0.9),
            // With no milestone recorded at all, a share of 0 % would say
            // the team missed every target, when the log may simply not
            // record them (an import): no share is given.
            within_target: if self.seconds.is_empty() {
                None
            } else {
                ratio(self.within, self.seconds.len() + self.missed_pending)
            },
            pending: self.pending,
        }
    }
}

/// A case's count as a report's (which sums many cases').
fn wide(count: u32) -> usize {
    // Lossless: usize is at least 32 bits wherever caselog builds.
    count as usize
}

impl FollowUps {
    /// Adds one case's counts (the share is worked out last).
    fn add(&mut self, case: &FollowUpCounts) {
        self.resolutions += wide(case.resolutions);
        self.on_time += wide(case.on_time);
        self.late += wide(case.late);
        self.missed += wide(case.missed);
        self.not_scheduled += wide(case.not_scheduled);
        self.pending += wide(case.pending);
    }
}

impl Updates {
    /// Adds one case's counts (the share is worked out last).
    fn add(&mut self, case: &UpdateCounts) {
        self.on_time += wide(case.on_time);
        self.missed += wide(case.missed);
    }
}

impl Satisfaction {
    /// Adds one case's counts (the share is worked out last).
    fn add(&mut self, case: &AnswerCounts) {
        self.satisfied += wide(case.satisfied);
        self.not_satisfied += wide(case.not_satisfied);
        self.unanswered += wide(case.unanswered);
    }
}

impl Outcomes {
    /// Adds one case's counts.
    fn add(&mut self, case: &OutcomeCounts) {
        self.upheld += wide(case.upheld);
        self.partly_upheld += wide(case.partly_upheld);
        self.not_upheld += wide(case.not_upheld);
        self.not_recorded += wide(case.not_recorded);
        self.with_redress += wide(case.with_redress);
    }
}

/// Root causes of the resolutions made in the period, grouped regardless
/// of letter case and shown as first written.
fn root_causes(cases: &[&Facts]) -> Vec<Count> {
    let mut counts: BTreeMap<String, Count> = BTreeMap::new();
    // A few causes are written again and again: each text is lowered once.
    let mut lowered: HashMap<&str, String> = HashMap::new();
    for cause in cases.iter().flat_map(|f| &f.root_causes) {
        let key = lowered.entry(cause).or_insert_with(|| cause.to_lowercase());
        match counts.get_mut(key) {
            Some(count) => count.count += 1,
            None => {
                let count = Count {
                    key: cause.to_string(),
                    count: 1,
                };
                counts.insert(key.clone(), count);
            }
        }
    }
    let mut out: Vec<Count> = counts.into_values().collect();
    out.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.key.cmp(&b.key)));
    out
}

fn trends(cases: &[&Facts], period: &Period) -> Trends {
    let received: Vec<&Facts> = cases
        .iter()
        .copied()
        .filter(|f| period.contains(f.opened_at))
        .collect();
    // Finding who complained more than once is the larger half.
    let (repeat_customers, (categories, trend, root_causes)) = both(
        received.len() >= SIDE_BY_SIDE_FROM,
        || repeat_customers(&received),
        || {
            (
                categories(&received),
                trend(&received, period),
                root_causes(cases),
            )
        },
    );
    Trends {
        categories,
        repeat_customers,
        trend,
        root_causes,
    }
}

/// The categories of the cases received, most frequent first (those
/// with no category, when as many, before the named ones).
fn categories(received: &[&Facts]) -> Vec<CategoryCount> {
    let mut counts: HashMap<Option<&str>, usize> = HashMap::new();
    for f in received {
        *counts.entry(f.category.as_deref()).or_default() += 1;
    }
    let mut categories: Vec<CategoryCount> = counts
        .into_iter()
        .map(|(key, count)| CategoryCount {
            key: key.map(str::to_string),
            count,
        })
        .collect();
    categories.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.key.cmp(&b.key)));
    categories
}

/// The customers with more than one of the cases received, most
/// complaints first, each named as their latest case names them.
fn repeat_customers(received: &[&Facts]) -> Vec<RepeatCustomer> {
    let mut customers: HashMap<&str, Vec<&Facts>> = HashMap::new();
    for f in received {
        if let Some(customer) = &f.customer {
            customers.entry(customer).or_default().push(f);
        }
    }
    let mut repeats: Vec<(&str, &str, Vec<&Facts>)> = customers
        .into_iter()
        .filter(|(_, cases)| cases.len() > 1)
        .map(|(customer, mut cases)| {
            // Oldest first, so the latest are last wherever they are cut.
            cases.sort_by(|a, b| (a.opened_at, &a.id).cmp(&(b.opened_at, &b.id)));
            let label = cases.last().map_or("", |f| &*f.customer_label);
            (label, customer, cases)
        })
        .collect();
    // Most complaints first, then by name, then (two customers named
    // alike) by who they are.
    repeats.sort_by(|a, b| {
        b.2.len()
            .cmp(&a.2.len())
            .then_with(|| a.0.cmp(b.0))
            .then_with(|| a.1.cmp(b.1))
    });
    repeats
        .into_iter()
        .map(|(label, _, cases)| RepeatCustomer {
            customer: label.to_string(),
            complaints: cases.len(),
            cases: cases.iter().map(|f| f.id.as_str().to_owned()).collect(),
        })
        .collect()
}

/// Counts per day, week, month or longer (by the period's length) with
/// the empty ones filled in, from the period's start (or the first
/// complaint) to its end: every complaint received is in one of them.
fn trend(received: &[&Facts], period: &Period) -> Option<Trend> {
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
    let (first, last) = (period.day(first), period.day(last));
    let unit = Unit::for_dates(first, last);
    let from = unit.bucket(first);
    // The unit keeps the buckets to a few score (centuries: at most 81
    // from the year 1000 to 9000), so none is ever cut off.
    let mut counts = vec![0; usize::try_from(unit.bucket(last) - from + 1).unwrap_or(0)];
    for f in received {
        // Every complaint received falls between the first and the last.
        if let Some(count) = usize::try_from(unit.bucket(period.day(f.opened_at)) - from)
            .ok()
            .and_then(|i| counts.get_mut(i))
        {
            *count += 1;
        }
    }
    let counts = (from..)
        .zip(counts)
        .map(|(bucket, count)| Count {
            key: unit.key(bucket),
            count,
        })
        .collect();
    Some(Trend { unit, counts })
}

/// The trend of complaints received, split by category.
#[derive(Debug, Clone, PartialEq)]
pub struct CategoryTrend {
    /// All complaints per bucket, as `Trends::trend`.
    pub trend: Trend,
    /// Each category (most frequent first; `None`: no category) with its
    /// count per bucket.
    pub categories: Vec<(Option<String>, Vec<usize>)>,
}

/// The trend split by category: for each category received in the
/// period (most frequent first, as `Trends::categories`), its complaints
/// in each bucket of the period's trend (same unit, same buckets), so a
/// chart can stack them. `None` when nothing was received. The facts
/// must be made for this `period`, as for [`compute`].
pub fn trend_by_category(facts: &[&Facts], period: Period) -> Option<CategoryTrend> {
    let learning = trends(facts, &period);
    let total = learning.trend?;
    let slot: BTreeMap<&str, usize> = total
        .counts
        .iter()
        .enumerate()
        .map(|(i, c)| (c.key.as_str(), i))
        .collect();
    let mut split: Vec<(Option<String>, Vec<usize>)> = learning
        .categories
        .iter()
        .map(|c| (c.key.clone(), vec![0; total.counts.len()]))
        .collect();
    for f in facts.iter().filter(|f| period.contains(f.opened_at)) {
        let category = f.category.as_deref();
        if let (Some(row), Some(&i)) = (
            split.iter_mut().find(|(key, _)| key.as_deref() == category),
            slot.get(
                total
                    .unit
                    .key(total.unit.bucket(period.day(f.opened_at)))
                    .as_str(),
            ),
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
        let date = |text: &str| NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("a date");
        let unit = |first: &str, last: &str| Unit::for_dates(date(first), date(last));
        assert_eq!(unit("2026-11-01", "2026-11-07"), Unit::Day);
        assert_eq!(unit("2026-11-01", "2026-11-22"), Unit::Day);
        assert_eq!(unit("2026-11-01", "2026-11-23"), Unit::Week);
        assert_eq!(unit("2026-01-01", "2026-07-03"), Unit::Week);
        assert_eq!(unit("2018-06-01", "2026-11-22"), Unit::Month);
        // 120 months fit, 121 do not.
        assert_eq!(unit("2016-12-01", "2026-11-30"), Unit::Month);
        assert_eq!(unit("2016-11-30", "2026-11-30"), Unit::Quarter);
        assert_eq!(unit("1990-01-01", "2026-11-22"), Unit::Year);
        assert_eq!(unit("1970-01-01", "2026-11-22"), Unit::Year);
        assert_eq!(unit("1026-11-22", "2026-11-22"), Unit::Decade);
        assert_eq!(unit("1000-01-01", "8999-12-31"), Unit::Century);
    }

    #[test]
    fn buckets_are_consecutive_and_named_by_their_first_day() {
        let date = |text: &str| NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("a date");
        let named = |unit: Unit, text: &str| unit.key(unit.bucket(date(text)));
        assert_eq!(named(Unit::Day, "2026-11-22"), "2026-11-22");
        // 2026-11-22 is a Sunday, the last day of ISO week 47.
        assert_eq!(named(Unit::Week, "2026-11-22"), "2026-W47");
        assert_eq!(named(Unit::Week, "2026-11-23"), "2026-W48");
        // 2027-01-01 is a Friday of 2026's week 53.
        assert_eq!(named(Unit::Week, "2027-01-01"), "2026-W53");
        assert_eq!(named(Unit::Month, "2026-11-22"), "2026-11");
        assert_eq!(named(Unit::Quarter, "2026-11-22"), "2026-Q4");
        assert_eq!(named(Unit::Quarter, "2026-03-31"), "2026-Q1");
        assert_eq!(named(Unit::Year, "2026-11-22"), "2026");
        assert_eq!(named(Unit::Decade, "2026-11-22"), "2020s");
        assert_eq!(named(Unit::Century, "2026-11-22"), "2000–2099");
        for unit in [
            Unit::Day,
            Unit::Week,
            Unit::Month,
            Unit::Quarter,
            Unit::Year,
            Unit::Decade,
            Unit::Century,
        ] {
            let mut day = date("1999-12-20");
            while day < date("2001-02-01") {
                let next = day.succ_opt().expect("a day");
                let step = unit.bucket(next) - unit.bucket(day);
                assert!(step == 0 || step == 1, "{unit:?} {day}");
                assert_eq!(unit.start(unit.bucket(day)).map(|s| s <= day), Some(true));
                day = next;
            }
        }
    }

    #[test]
    fn the_trend_counts_days_in_the_period_s_zone() {
        use crate::case::lifecycle::tests::opened;
        let at = |text: &str| {
            DateTime::parse_from_rfc3339(text)
                .expect("a time")
                .with_timezone(&Utc)
        };
        let zone = Zone::named("Pacific/Kiritimati").expect("a zone");
        let period = Period {
            since: Some(at("2026-11-09T10:00:00Z")),
            until: at("2026-11-12T10:00:00Z"),
            as_of: at("2026-11-12T10:00:00Z"),
            zone,
        };
        let mut case = opened();
        // 08:00 on the 11th at UTC+14.
        case.opened_at = at("2026-11-10T18:00:00Z").into();
        for e in &mut case.events {
            e.at = case.opened_at;
        }
        let facts = Facts::of(&case, &period, &Settings::default()).expect("facts");
        let report = compute(
            &[&facts],
            period,
            Some(By::Month),
            None,
            &Settings::default(),
        );
        let trend = report.learning.trend.expect("a trend");
        let counted: Vec<(&str, usize)> = trend
            .counts
            .iter()
            .map(|c| (c.key.as_str(), c.count))
            .collect();
        assert_eq!(
            counted,
            [("2026-11-10", 0), ("2026-11-11", 1), ("2026-11-12", 0)]
        );
    }

    #[test]
    fn a_complaint_decades_back_makes_the_trend_coarser_and_drops_none() {
        use crate::case::lifecycle::tests::opened;
        let at = |text: &str| {
            DateTime::parse_from_rfc3339(text)
                .expect("a time")
                .with_timezone(&Utc)
        };
        let now = at("2026-11-22T09:00:00Z");
        let period = Period {
            since: None,
            until: now,
            as_of: now,
            zone: Zone::UTC,
        };
        let facts: Vec<Facts> = [
            "1970-01-01T00:00:00Z",
            "2026-11-10T09:00:00Z",
            "2026-11-21T09:00:00Z",
        ]
        .iter()
        .filter_map(|&t| {
            let mut case = opened();
            case.opened_at = at(t).into();
            for e in &mut case.events {
                e.at = at(t).into();
            }
            Facts::of(&case, &period, &Settings::default())
        })
        .collect();
        let facts: Vec<&Facts> = facts.iter().collect();
        let trend = compute(&facts, period, None, None, &Settings::default())
            .learning
            .trend
            .expect("a trend");
        assert_eq!(trend.unit, Unit::Year);
        assert_eq!(trend.counts.len(), 2026 - 1970 + 1);
        assert_eq!(trend.counts.iter().map(|c| c.count).sum::<usize>(), 3);
        let last = trend.counts.last().expect("a bar");
        assert_eq!((last.key.as_str(), last.count), ("2026", 2));
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
        let period = Period {
            since: None,
            until: day(60),
            as_of: day(60),
            zone: Zone::UTC,
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
                Facts::of(&case, &period, &Settings::default())
            })
            .collect();
        let facts: Vec<&Facts> = facts.iter().collect();
        let split = trend_by_category(&facts, period).expect("a trend");
        let total = compute(&facts, period, None, None, &Settings::default())
            .learning
            .trend
            .expect("a trend");
        assert_eq!(split.trend, total);
        assert_eq!(split.trend.unit, Unit::Week);
        let names: Vec<Option<&str>> = split.categories.iter().map(|(k, _)| k.as_deref()).collect();
        assert_eq!(names, [Some("billing"), None, Some("delivery")]);
        for (i, count) in total.counts.iter().enumerate() {
            let stacked: usize = split.categories.iter().map(|(_, v)| v[i]).sum();
            assert_eq!(stacked, count.count, "bucket {}", count.key);
        }
        assert_eq!(trend_by_category(&[], period), None);
    }
}
