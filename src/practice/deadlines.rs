//! Deadlines: what the complaint practice says must happen by when.
//!
//! Reply fast, keep the customer informed, resolve within the team's
//! target, follow up when scheduled, and look again when a wait runs out.
//! While a case waits on the customer, its resolution clock stops (as the
//! SLAs of Zendesk and Zammad pause), and a reopen starts a fresh one.
//! Deadlines are derived from a case's fields, its events and the settings
//! each time they are needed; they are never stored.

use chrono::{DateTime, Utc};

use crate::case::redaction;
use crate::case::{Action, Case, Event, Glance, PersonalField, Replay, Status, WaitingOn};
use crate::settings::Settings;
use crate::time::{Span, WorkingDays, Zone};
use crate::words::word_enum;

word_enum!(
    /// What is due.
    Kind, "deadline kind" {
        FirstResponse => "first-response",
        Update => "update",
        Resolution => "resolution",
        FollowUp => "follow-up",
        WaitOver => "wait-over",
        Retention => "retention",
    }
);

impl Kind {
    /// How a person says it.
    pub fn label(self) -> &'static str {
        match self {
            Kind::FirstResponse => "first response",
            Kind::Update => "update the customer",
            Kind::Resolution => "resolution",
            Kind::FollowUp => "follow-up",
            Kind::WaitOver => "wait over",
            Kind::Retention => "retention over",
        }
    }
}

/// One thing due on a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deadline {
    pub kind: Kind,
    /// When it falls due; for a paused deadline, when it would if the
    /// clock started again now.
    pub due: DateTime<Utc>,
    /// The clock is stopped: the case waits on the customer.
    pub paused: bool,
}

impl Deadline {
    /// Due now or past (a deadline falls due at its instant); a paused
    /// one never is.
    pub fn is_due(&self, now: DateTime<Utc>) -> bool {
        !self.paused && self.due <= now
    }
}

/// One event as the clocks see it.
pub type Moment = (DateTime<Utc>, Action, Option<WaitingOn>);

/// The stretches of time the case waited on the customer, in order; one
/// still going on ends at `end`.
pub fn customer_waits(
    events: impl IntoIterator<Item = Moment>,
    end: DateTime<Utc>,
) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
    let mut out = Vec::new();
    let mut replay = Replay::default();
    let mut since: Option<DateTime<Utc>> = None;
    for (at, action, on) in events {
        if at > end {
            break;
        }
        replay.apply(action, on);
        match (replay.waits_on_customer(), since) {
            (true, None) => since = Some(at),
            (false, Some(start)) => {
                out.push((start, at));
                since = None;
            }
            _ => {}
        }
    }
    if let Some(start) = since {
        out.push((start, end));
    }
    out
}

/// `target` after `start` with the clock stopped during `pauses`: each
/// pause that begins before the deadline moves it on by the time it
/// lasted, counted as the target counts time: working time for a target
/// in days when working days are set, every hour for one in hours (whose
/// clock ran through the weekend, so a wait over it gives the weekend
/// back).
pub fn paused_due(
    start: DateTime<Utc>,
    target: Span,
    pauses: &[(DateTime<Utc>, DateTime<Utc>)],
    calendar: &WorkingDays,
) -> DateTime<Utc> {
    let mut due = target.after(start, calendar);
    for &(from, to) in pauses {
        let from = from.max(start);
        if to <= from {
            continue;
        }
        if from >= due {
            break;
        }
        due = if target.counts_days() {
            calendar.add_working(due, calendar.working_between(from, to))
        } else {
            due + (to - from)
        };
    }
    due
}

/// When the current round of handling began: the last reopen, else the
/// opening. A reopened case gets fresh deadlines from there.
pub fn round_start(case: &Case) -> DateTime<Utc> {
    case.events
        .iter()
        .rev()
        .find(|e| e.action == Action::Reopened)
        .map_or(case.opened_at.0, |e| e.at.0)
}

/// The customer-wait pauses in `events` up to `end`, if the settings
/// pause (none otherwise).
pub fn pauses(
    events: impl IntoIterator<Item = Moment>,
    settings: &Settings,
    end: DateTime<Utc>,
) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
    if !settings.pause_while_waiting_on_customer {
        return Vec::new();
    }
    customer_waits(events, end)
}

/// When a closed case's personal data (the values of `personal`) is due
/// to be erased: `retention` after its closing. A case redacted since holds
/// none, unless something that may hold it was written after the
/// redaction (a note, a mail, an edit, a branch merged in): that is due
/// `retention` after it was written, or after the closing if later.
/// Counted in calendar time in `zone` (the log's), whatever the working days.
pub fn retention_due(
    case: &Case,
    retention: Span,
    personal: &[PersonalField],
    zone: Zone,
) -> Option<DateTime<Utc>> {
    retention_due_by(case, retention, zone, |field| personal.contains(&field))
}

/// [`retention_due`], where `personal` says whether a field counts as
/// personal: `due` asks it of every case, so without building a list.
fn retention_due_by(
    case: &Case,
    retention: Span,
    zone: Zone,
    personal: impl Fn(PersonalField) -> bool,
) -> Option<DateTime<Utc>> {
    if case.status != Status::Closed {
        return None;
    }
    let closed = case
        .events
        .iter()
        .rev()
        .find(|e| e.action == Action::Closed)?
        .at
        .0;
    // Every day counts, in the log's zone: the same date years on there.
    let calendar = WorkingDays::default().in_zone(zone);
    let Some(redacted) = case
        .events
        .iter()
        .rev()
        .find(|e| e.action == Action::Redacted && e.at.0 >= closed)
    else {
        return Some(retention.after(closed, &calendar));
    };
    let written = case
        .events
        .iter()
        .filter(|e| e.at.0 > redacted.at.0 && may_hold(e, &personal))
        .map(|e| e.at.0)
        .max()?;
    Some(retention.after(written.max(closed), &calendar))
}

/// Whether an event may hold what `personal` names, by its kind: whole-log
/// passes read events without their texts, and an event of these kinds
/// always has one (a note's text, an edit's values, a mail's Message-ID),
/// so the next redaction has something to erase and the case leaves the
/// list.
fn may_hold(e: &Event, personal: &impl Fn(PersonalField) -> bool) -> bool {
    let notes = personal(PersonalField::Notes);
    let contact = personal(PersonalField::Contact);
    let message_id = e
        .message_id
        .as_deref()
        .is_some_and(|id| !redaction::is_erased(id));
    match e.action {
        Action::Edited => e.field.and_then(redaction::personal).is_some_and(personal),
        Action::Note
        | Action::Reply
        | Action::Call
        | Action::Email
        | Action::Question
        | Action::Customer => notes || (contact && message_id),
        _ => false,
    }
}

/// Whether [`pending`] may find anything on a case, judged at a glance:
/// a whole-log pass reads only the cases that may have something due.
pub fn may_be_pending(case: &Glance, settings: &Settings) -> bool {
    let retained = settings.retention.is_some() && case.status == Status::Closed;
    let follow_up = case.status == Status::Resolved
        && case.follow_up.as_ref().is_some_and(|f| f.done_at.is_none());
    let unresolved = matches!(case.status, Status::Open | Status::Waiting);
    retained || (case.void.is_none() && (unresolved || follow_up))
}

/// Every deadline still open on `case` as of `now`, earliest first. A void
/// case has none but its retention: it holds personal data too.
pub fn pending(case: &Case, settings: &Settings, now: DateTime<Utc>) -> Vec<Deadline> {
    let mut out = Vec::new();
    if let Some(due) = settings.retention.and_then(|retention| {
        retention_due_by(case, retention, settings.timezone, |field| {
            settings.personal_data.holds(field)
        })
    }) {
        out.push(Deadline {
            kind: Kind::Retention,
            due,
            paused: false,
        });
    }
    if case.is_void() {
        return out;
    }
    let calendar = &settings.working_days;
    let opened = case.opened_at.0;
    let unresolved = matches!(case.status, Status::Open | Status::Waiting);
    let on_customer =
        case.status == Status::Waiting && case.waiting_on() == Some(WaitingOn::Customer);
    // Waits on the customer stop the update clock always, and the
    // resolution clock when the settings pause it.
    let waits = customer_waits(case.events.iter().map(|e| (e.at.0, e.action, e.on)), now);
    let pauses: &[_] = if settings.pause_while_waiting_on_customer {
        &waits
    } else {
        &[]
    };
    let first_response = case.first_response();
    if unresolved && first_response.is_none() {
        out.push(Deadline {
            kind: Kind::FirstResponse,
            due: settings.first_response_within.after(opened, calendar),
            paused: false,
        });
    }
    if unresolved {
        let due = paused_due(
            round_start(case),
            settings.resolve_within(case.severity),
            pauses,
            calendar,
        );
        // Only a clock still running when the wait began stops: a
        // deadline missed before it stays missed (the report counts it
        // so), or setting a case waiting would hide it from `due`.
        let paused = on_customer
            && settings.pause_while_waiting_on_customer
            && waits.last().is_some_and(|&(from, _)| from < due);
        out.push(Deadline {
            kind: Kind::Resolution,
            due,
            paused,
        });
    }
    // The update clock runs from the last contact or the last reopen,
    // whichever is later, as the report counts it: a reopened case the
    // customer has not yet heard from is due an update too.
    let reopened = case
        .events
        .iter()
        .rev()
        .find(|e| e.action == Action::Reopened)
        .map(|e| e.at.0);
    let last_contact = case
        .events
        .iter()
        .rev()
        .find(|e| e.action.is_customer_contact())
        .map(|e| e.at.0);
    if let Some(every) = settings.update_every(case.severity)
        && unresolved
        && !on_customer
        && let Some(from) = last_contact.max(reopened)
    {
        // Time waiting on the customer never counts against an update,
        // whatever the resolution clock's pause setting: there is nothing
        // to tell them while they owe the answer.
        out.push(Deadline {
            kind: Kind::Update,
            due: paused_due(from, every, &waits, calendar),
            paused: false,
        });
    }
    if case.status == Status::Resolved
        && let Some(follow_up) = &case.follow_up
        && follow_up.done_at.is_none()
    {
        out.push(Deadline {
            kind: Kind::FollowUp,
            due: follow_up.due.0,
            paused: false,
        });
    }
    if let Some(until) = case.waiting_until() {
        out.push(Deadline {
            kind: Kind::WaitOver,
            due: until,
            paused: false,
        });
    }
    out.sort_by_key(|d| d.due);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::EditField;
    use crate::case::lifecycle::tests::{at, opened, stamp, waits};
    use crate::case::lifecycle::{self, Correction, Settlement, Wait};
    use chrono::Duration;

    fn resolution(case: &Case, settings: &Settings, hours: i64) -> Deadline {
        pending(case, settings, at(hours))
            .into_iter()
            .find(|d| d.kind == Kind::Resolution)
            .unwrap()
    }

    #[test]
    fn the_resolution_clock_stops_while_the_case_waits_on_the_customer() {
        let settings = Settings::default();
        let fourteen_days = at(0) + Duration::days(14);
        assert_eq!(resolution(&opened(), &settings, 1).due, fourteen_days);
        let waiting = waits(&opened(), &stamp(10), "photos", None).unwrap();
        let now = resolution(&waiting, &settings, 34);
        assert!(now.paused && !now.is_due(at(10_000)));
        assert_eq!(now.due, fourteen_days + Duration::hours(24));
        let back = lifecycle::annotate(&waiting, &stamp(34), Action::Customer, "Here.").unwrap();
        let after = resolution(&back, &settings, 100);
        assert!(!after.paused);
        assert_eq!(
            after.due,
            fourteen_days + Duration::hours(24),
            "a day on hold"
        );
        let off = Settings {
            pause_while_waiting_on_customer: false,
            ..Settings::default()
        };
        assert_eq!(resolution(&back, &off, 100).due, fourteen_days);
    }

    proptest::proptest! {
        /// Over any history of waits: a running resolution clock's
        /// deadline stays put as time passes; a paused one only moves
        /// later, and never had passed when the wait began.
        #[test]
        fn a_running_deadline_stays_put_and_a_paused_one_only_moves_later(
            steps in proptest::collection::vec((0u8..3, 1i64..60), 0..8),
            days in proptest::option::of(1i64..10),
            hours in 1i64..200,
            weekdays in proptest::bool::ANY,
            later in 1i64..300,
        ) {
            use chrono::Weekday::{Fri, Mon, Thu, Tue, Wed};
            let berlin = Zone::named("Europe/Berlin").unwrap();
            let settings = Settings {
                resolve_within: days.map_or(Span::hours(hours), Span::days),
                working_days: if weekdays {
                    WorkingDays::only(vec![Mon, Tue, Wed, Thu, Fri]).in_zone(berlin)
                } else {
                    WorkingDays::default()
                },
                ..Settings::default()
            };
            let mut case = opened();
            let mut hour = 0;
            for (what, gap) in steps {
                hour += gap;
                let next = match what {
                    0 => waits(&case, &stamp(hour), "photos", None),
                    1 => lifecycle::annotate(&case, &stamp(hour), Action::Customer, "Here."),
                    _ => lifecycle::wait(
                        &case,
                        &stamp(hour),
                        Wait {
                            on: Some(WaitingOn::ThirdParty),
                            until: None,
                            reason: Some("the courier"),
                        },
                    ),
                };
                if let Ok(next) = next {
                    case = next;
                }
            }
            let then = resolution(&case, &settings, hour);
            let after = resolution(&case, &settings, hour + later);
            if then.paused {
                proptest::prop_assert!(after.paused && after.due >= then.due);
                let began = case
                    .events
                    .iter()
                    .rev()
                    .find(|e| e.action == Action::Waiting)
                    .map(|e| e.at.0);
                proptest::prop_assert!(began.is_some_and(|b| b < then.due), "{then:?}");
            } else {
                proptest::prop_assert_eq!(after, then);
            }
        }
    }

    proptest::proptest! {
        /// `due` leaves unread a case `may_be_pending` turns away at a
        /// glance: whatever its events, it has nothing pending.
        #[test]
        fn a_case_turned_away_by_its_fields_has_nothing_pending(
            status in proptest::sample::select(Status::ALL),
            void in proptest::option::of(proptest::sample::select(crate::case::Void::ALL)),
            follow_up in proptest::option::of(proptest::option::of(0i64..900)),
            retention in proptest::bool::ANY,
            events in proptest::collection::vec(
                (
                    proptest::sample::select(Action::ALL),
                    1i64..600,
                    proptest::option::of(proptest::sample::select(WaitingOn::ALL)),
                    proptest::option::of(0i64..900),
                ),
                0..12,
            ),
            now in 0i64..1200,
        ) {
            let settings = Settings {
                retention: retention.then(|| Span::days(30)),
                update_every: Some(Span::hours(12)),
                ..Settings::default()
            };
            let mut case = opened();
            case.status = status;
            case.void = void;
            case.follow_up = follow_up.map(|done| crate::case::FollowUp {
                due: at(500).into(),
                done_at: done.map(|h| at(h).into()),
                satisfied: None,
            });
            let glance = case.glance();
            case.events = events
                .into_iter()
                .map(|(action, hour, on, until)| {
                    let mut event = Event::new(at(hour), "Sam", action);
                    event.on = on;
                    event.until = until.map(|h| at(h).into());
                    event
                })
                .collect();
            case.events.sort_by_key(|e| e.at);
            if !may_be_pending(&glance, &settings) {
                proptest::prop_assert_eq!(pending(&case, &settings, at(now)), vec![]);
            }
        }
    }

    #[test]
    fn a_resolution_missed_before_the_wait_on_the_customer_stays_due() {
        let settings = Settings {
            resolve_within: Span::hours(48),
            ..Settings::default()
        };
        // Due at hour 48; the case waits on the customer from hour 60.
        let waiting = waits(&opened(), &stamp(60), "photos", None).unwrap();
        let late = resolution(&waiting, &settings, 70);
        assert!(!late.paused && late.is_due(at(70)), "{late:?}");
        assert_eq!(late.due, at(48));
        // From hour 40, with 8 hours left: paused, those 8 hours kept.
        let waiting = waits(&opened(), &stamp(40), "photos", None).unwrap();
        let early = resolution(&waiting, &settings, 70);
        assert!(early.paused && !early.is_due(at(70)), "{early:?}");
        assert_eq!(early.due, at(78));
    }

    #[test]
    fn a_wait_on_a_third_party_does_not_stop_the_clock() {
        let courier = Wait {
            on: Some(WaitingOn::ThirdParty),
            until: None,
            reason: Some("the courier"),
        };
        let waiting = lifecycle::wait(&opened(), &stamp(10), courier).unwrap();
        let deadline = resolution(&waiting, &Settings::default(), 34);
        assert!(!deadline.paused);
        assert_eq!(deadline.due, at(0) + Duration::days(14));
    }

    #[test]
    fn a_reopened_case_gets_a_fresh_resolution_deadline() {
        let settled = Settlement {
            summary: "Refunded.".into(),
            ..Settlement::default()
        };
        let case = lifecycle::resolve(&opened(), &stamp(5), settled).unwrap();
        let case = lifecycle::reopen(&case, &stamp(400), "bounced").unwrap();
        assert_eq!(
            resolution(&case, &Settings::default(), 401).due,
            at(400) + Duration::days(14)
        );
    }

    #[test]
    fn the_customer_is_updated_every_so_often_from_the_last_contact() {
        let settings = Settings {
            update_every: Some(Span::days(3)),
            ..Settings::default()
        };
        let update = |case: &Case, hours| {
            pending(case, &settings, at(hours))
                .into_iter()
                .find(|d| d.kind == Kind::Update)
        };
        assert_eq!(update(&opened(), 1), None, "the first response comes first");
        let replied = lifecycle::annotate(&opened(), &stamp(2), Action::Reply, "On it.").unwrap();
        assert_eq!(update(&replied, 3).unwrap().due, at(2) + Duration::days(3));
        let waiting = waits(&replied, &stamp(20), "photos", None).unwrap();
        assert_eq!(update(&waiting, 30), None, "not while it waits on them");
        let back = lifecycle::annotate(&waiting, &stamp(44), Action::Customer, "Here.").unwrap();
        assert_eq!(
            update(&back, 45).unwrap().due,
            at(2) + Duration::days(3) + Duration::hours(24),
            "the day on hold does not count"
        );
        assert_eq!(update(&back, 45).map(|d| d.paused), Some(false));
        assert_eq!(
            update(&replied, 3).map(|d| d.kind.label()),
            Some("update the customer")
        );
    }

    #[test]
    fn a_reopened_case_is_due_an_update_from_the_reopen_even_with_no_contact_before() {
        let settings = Settings {
            update_every: Some(Span::days(1)),
            ..Settings::default()
        };
        let settled = Settlement {
            summary: "Refunded.".into(),
            ..Settlement::default()
        };
        let resolved = lifecycle::resolve(&opened(), &stamp(2), settled).unwrap();
        let reopened = lifecycle::reopen(&resolved, &stamp(3), "bounced").unwrap();
        let update = pending(&reopened, &settings, at(4))
            .into_iter()
            .find(|d| d.kind == Kind::Update);
        assert_eq!(update.map(|d| d.due), Some(at(3) + Duration::days(1)));
    }

    #[test]
    fn a_closed_case_is_due_for_erasure_a_retention_after_closing_until_redacted() {
        let settings = Settings {
            retention: Some(Span::years(3)),
            ..Settings::default()
        };
        let retention = |case: &Case| {
            pending(case, &settings, at(0))
                .into_iter()
                .find(|d| d.kind == Kind::Retention)
        };
        assert_eq!(retention(&opened()), None, "only closed cases");
        let closed = lifecycle::close(&opened(), &stamp(5), Some("no answer")).unwrap();
        let due = retention(&closed).unwrap();
        assert_eq!(
            due.due,
            "2029-11-22T14:00:00Z".parse::<DateTime<Utc>>().unwrap()
        );
        let void = lifecycle::close_void(
            &opened(),
            &stamp(5),
            &lifecycle::Voiding::OpenedInError,
            Some("test"),
        )
        .unwrap();
        assert!(
            retention(&void).is_some(),
            "void cases hold personal data too"
        );
        let fields = crate::case::PersonalField::ALL;
        let redacted =
            lifecycle::redact(&closed, &stamp(6), fields, "retention", false, b"s").unwrap();
        assert_eq!(retention(&redacted), None);
        assert_eq!(
            retention_due(&closed, Span::years(3), fields, Zone::UTC),
            Some(due.due)
        );
        assert_eq!(pending(&closed, &Settings::default(), at(0)), []);
    }

    #[test]
    fn what_is_written_after_a_redaction_is_due_for_erasure_a_retention_later() {
        let fields = crate::case::PersonalField::ALL;
        let closed = lifecycle::close(&opened(), &stamp(5), Some("no answer")).unwrap();
        let redacted =
            lifecycle::redact(&closed, &stamp(6), fields, "erasure", false, b"s").unwrap();
        let three_years = Span::years(3);
        assert_eq!(
            retention_due(&redacted, three_years, fields, Zone::UTC),
            None
        );
        // Nothing personal: still none.
        let category = lifecycle::edit(
            &redacted,
            &stamp(7),
            &[Correction::Set(EditField::Category, Some("billing".into()))],
        )
        .unwrap();
        assert_eq!(
            retention_due(&category, three_years, fields, Zone::UTC),
            None
        );
        let noted = lifecycle::annotate(&category, &stamp(60), Action::Customer, "Call me on 0170")
            .unwrap();
        let due = retention_due(&noted, three_years, fields, Zone::UTC).unwrap();
        assert_eq!(due, three_years.after(at(60), &WorkingDays::default()));
        // Not when notes are not personal data here; and the next redaction
        // erases the note, so the case leaves the list.
        assert_eq!(
            retention_due(&noted, three_years, &[PersonalField::Customer], Zone::UTC),
            None
        );
        let again = lifecycle::redact(&noted, &stamp(61), fields, "erasure", false, b"s").unwrap();
        assert_eq!(retention_due(&again, three_years, fields, Zone::UTC), None);
        // A whole-log pass sees the case without texts, and agrees.
        let light = crate::store::index::light(&noted);
        assert_eq!(
            retention_due(&light, three_years, fields, Zone::UTC),
            Some(due)
        );
    }

    #[test]
    fn a_wait_gives_back_the_time_as_the_target_counts_it() {
        use chrono::Weekday::{Fri, Mon, Thu, Tue, Wed};
        let weekdays = WorkingDays::only(vec![Mon, Tue, Wed, Thu, Fri]);
        let time = |t: &str| t.parse::<DateTime<Utc>>().unwrap();
        let friday = time("2026-11-20T09:00:00Z");
        // Waiting from Friday 10:00 to Monday 08:00: 70 hours, of which
        // 22 on working days.
        let wait = [(time("2026-11-20T10:00:00Z"), time("2026-11-23T08:00:00Z"))];
        let hours: Span = "72h".parse().unwrap();
        assert_eq!(
            paused_due(friday, hours, &wait, &weekdays),
            time("2026-11-23T09:00:00Z") + Duration::hours(70),
            "a target in hours ran through the weekend: all 70 hours come back"
        );
        let days: Span = "3d".parse().unwrap();
        assert_eq!(
            paused_due(friday, days, &wait, &weekdays),
            time("2026-11-26T07:00:00Z"),
            "a target in working days: 22 working hours on from Wednesday 09:00"
        );
        let wait_in_the_week = [(time("2026-11-20T10:00:00Z"), time("2026-11-20T12:00:00Z"))];
        assert_eq!(
            paused_due(friday, hours, &wait_in_the_week, &weekdays),
            time("2026-11-23T11:00:00Z")
        );
    }

    #[test]
    fn customer_waits_are_the_stretches_waiting_on_them() {
        let case = waits(&opened(), &stamp(1), "photos", None).unwrap();
        let case = lifecycle::annotate(&case, &stamp(3), Action::Reply, "Thanks.").unwrap();
        let case = waits(&case, &stamp(5), "more photos", None).unwrap();
        let moments = case.events.iter().map(|e| (e.at.0, e.action, e.on));
        assert_eq!(
            customer_waits(moments, at(9)),
            [(at(1), at(3)), (at(5), at(9))]
        );
    }
}
