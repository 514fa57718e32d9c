//! The case model: one customer complaint and its append-only event log.
//!
//! These types mirror format 1 of the case file exactly (key names, which
//! keys are optional). Unknown keys are refused so a typo in a hand edit is
//! caught instead of silently ignored. Derived values (ages, overdue flags,
//! first response) are computed here and never stored.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::case::id::CaseId;
use crate::error::InputError;
use crate::time::clock::{self, BadTime};
use crate::words::word_enum;

/// The file format version this build reads and writes.
pub const FORMAT: u32 = 1;

/// A point in time, stored in the file as a TOML offset date-time in UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(pub DateTime<Utc>);

impl Timestamp {
    /// RFC 3339 in UTC to the second: the one spelling caselog writes.
    pub fn to_rfc3339(self) -> String {
        self.0.format("%Y-%m-%dT%H:%M:%SZ").to_string()
    }
}

impl From<DateTime<Utc>> for Timestamp {
    fn from(t: DateTime<Utc>) -> Timestamp {
        Timestamp(t)
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_rfc3339())
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    /// A TOML offset date-time (case files) or an RFC 3339 string (JSON and
    /// YAML exports), in either case with a date, a time and an offset.
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Timestamp, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = Timestamp;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a date-time with offset, such as 2026-11-22T09:30:00Z")
            }

            fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<Timestamp, E> {
                match clock::parse_rfc3339(text) {
                    Ok(t) => Ok(Timestamp(t)),
                    Err(bad @ BadTime::OutOfRange) => {
                        Err(E::custom(bad.explain(&format!("'{text}'"))))
                    }
                    Err(BadTime::Unreadable) => Err(E::custom(format!(
                        "'{text}' is not a date-time with offset, such as 2026-11-22T09:30:00Z"
                    ))),
                }
            }

            fn visit_map<M: serde::de::MapAccess<'de>>(
                self,
                map: M,
            ) -> Result<Timestamp, M::Error> {
                use serde::de::Error;
                let toml_time = toml::value::Datetime::deserialize(
                    serde::de::value::MapAccessDeserializer::new(map),
                )?;
                if toml_time.date.is_none()
                    || toml_time.time.is_none()
                    || toml_time.offset.is_none()
                {
                    return Err(M::Error::custom(format!(
                        "{toml_time} is not a full date-time with offset, such as 2026-11-22T09:30:00Z"
                    )));
                }
                self.visit_str(&toml_time.to_string())
            }
        }
        d.deserialize_any(Visitor)
    }
}

word_enum!(
    /// Where a case stands in its lifecycle.
    Status, "status" {
        Open => "open",
        Waiting => "waiting",
        Resolved => "resolved",
        Closed => "closed",
    }
);

word_enum!(
    /// How much a complaint hurts the customer or the business.
    Severity, "severity" {
        Low => "low",
        Normal => "normal",
        High => "high",
        Critical => "critical",
    }
);

word_enum!(
    /// How the complaint reached us, or how the customer prefers to be contacted.
    Channel, "channel" {
        Email => "email",
        Phone => "phone",
        Chat => "chat",
        Web => "web",
        Letter => "letter",
        InPerson => "in-person",
        Social => "social",
        Other => "other",
    }
);

word_enum!(
    /// What an event records.
    Action, "event action" {
        Opened => "opened",
        Note => "note",
        Reply => "reply",
        Call => "call",
        Email => "email",
        Question => "question",
        Assigned => "assigned",
        Waiting => "waiting",
        Resumed => "resumed",
        Resolved => "resolved",
        FollowUpScheduled => "follow-up-scheduled",
        FollowedUp => "followed-up",
        Closed => "closed",
        Reopened => "reopened",
        Imported => "imported",
        Acknowledged => "acknowledged",
        Listened => "listened",
        Apologised => "apologised",
        Thanked => "thanked",
        Proposed => "proposed",
        Agreed => "agreed",
        Escalated => "escalated",
        Customer => "customer",
        Edited => "edited",
        Redacted => "redacted",
    }
);

word_enum!(
    /// Whom a waiting case waits on.
    WaitingOn, "party waited on" {
        Customer => "customer",
        ThirdParty => "third-party",
    }
);

word_enum!(
    /// Why a case is void: not a complaint of its own.
    Void, "void reason" {
        Duplicate => "duplicate",
        OpenedInError => "opened-in-error",
    }
);

word_enum!(
    /// A case's own fields, which `edit` corrects after opening. Each is
    /// spelt as in the editor's TOML and in `edited` events.
    EditField, "field" {
        Title => "title",
        Customer => "customer",
        Contact => "contact",
        Reference => "reference",
        PreferredContact => "preferred_contact",
        Channel => "channel",
        Category => "category",
        Severity => "severity",
        Tags => "tags",
        Wants => "wants",
    }
);

word_enum!(
    /// What holds a customer's personal data, as `[personal_data]` in
    /// caselog.toml names it and a `redacted` event lists what it erased:
    /// the customer's own fields, and the free texts (the title, the
    /// complaint, the remedy wanted, the resolution, the redress, and the
    /// notes: every event's text, a solution's pluses and minuses, an
    /// agreement's terms).
    PersonalField, "personal field" {
        Customer => "customer",
        Contact => "contact",
        Reference => "reference",
        PreferredContact => "preferred_contact",
        Title => "title",
        Summary => "summary",
        Wants => "wants",
        Resolution => "resolution",
        Redress => "redress",
        Notes => "notes",
    }
);

word_enum!(
    /// Whether the complaint was found justified.
    Outcome, "outcome" {
        Upheld => "upheld",
        PartlyUpheld => "partly-upheld",
        NotUpheld => "not-upheld",
    }
);

impl Action {
    /// Contact with the customer; the first one is the case's first response.
    pub fn is_customer_contact(self) -> bool {
        matches!(
            self,
            Action::Reply | Action::Call | Action::Email | Action::Acknowledged
        )
    }

    /// Events that hand the case to someone (and carry `to`).
    pub fn assigns(self) -> bool {
        matches!(self, Action::Opened | Action::Assigned | Action::Escalated)
    }
}

/// One complaint, as stored in `cases/YYYY/MM/<id>.toml`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    pub format: u32,
    pub id: CaseId,
    pub title: String,
    pub status: Status,
    /// Set on a case closed as a duplicate or as opened in error: it stays
    /// on disk and in git, but counts in no measure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub void: Option<Void>,
    /// The case this one duplicates (with `void = "duplicate"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duplicate_of: Option<CaseId>,
    pub severity: Severity,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    pub channel: Channel,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    pub opened_at: Timestamp,
    pub opened_by: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assignee: Option<String>,
    pub customer: Customer,
    pub complaint: Complaint,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolution: Option<Resolution>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub follow_up: Option<FollowUp>,
    #[serde(default)]
    pub events: Vec<Event>,
}

/// Who complained and how to reach them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Customer {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preferred_contact: Option<Channel>,
    /// An account or order number; finds repeat customers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
}

/// The complaint in the customer's words, and the remedy they ask for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Complaint {
    pub summary: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wants: Option<String>,
}

/// How the case was resolved (the latest resolution; earlier ones live in events).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Resolution {
    pub summary: String,
    /// Whether the customer agreed; absent when not recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agreed: Option<bool>,
    pub resolved_at: Timestamp,
    pub resolved_by: String,
    /// The agreed solution option this resolution carried out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub option: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<Outcome>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub root_cause: Option<String>,
    /// A refund, a replacement, a goodwill gesture.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redress: Option<String>,
}

impl Resolution {
    /// Whether the customer agreed, as `show` and the site say it, with
    /// the option carried out: `customer agreed, option 2`.
    pub fn agreement_words(&self) -> String {
        let agreement = match self.agreed {
            Some(true) => "customer agreed",
            Some(false) => "customer did not agree",
            None => "agreement not recorded",
        };
        match self.option {
            Some(n) => format!("{agreement}, option {n}"),
            None => agreement.to_string(),
        }
    }
}

/// A case at a glance: its fields that are neither text nor events. A
/// whole-log pass can tell these from the index for a fraction of what
/// reading the case costs, and pass over the cases a command has no use
/// for (`due` has nothing to list of a closed case).
#[derive(Debug, Clone, PartialEq)]
pub struct Glance {
    pub status: Status,
    pub void: Option<Void>,
    pub severity: Severity,
    pub follow_up: Option<FollowUp>,
}

/// The call back to the customer after a resolution.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FollowUp {
    pub due: Timestamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub done_at: Option<Timestamp>,
    /// The customer's answer; absent when they could not be reached.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub satisfied: Option<bool>,
}

/// One entry of the append-only log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Event {
    pub at: Timestamp,
    pub by: String,
    pub action: Action,
    /// The person a case was handed to (`opened`, `assigned`, `escalated`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    /// The field an `edited` event changed, its value before and after
    /// (absent: unset; tags joined with "; ").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<EditField>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub old: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new: Option<String>,
    /// A solution option's number (`proposed`, `agreed`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub option: Option<u32>,
    /// When a scheduled follow-up is due.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due: Option<Timestamp>,
    /// Until when a waiting case waits before someone should look again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<Timestamp>,
    /// Whom a `waiting` event waits on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on: Option<WaitingOn>,
    /// The customer's answer at a follow-up.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub satisfied: Option<bool>,
    /// Why a `closed` event voids the case, and the case it duplicates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub void: Option<Void>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duplicate_of: Option<CaseId>,
    /// Whether the complaint was found justified (`resolved`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<Outcome>,
    /// What caused the problem (`resolved`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub root_cause: Option<String>,
    /// What the customer was given (`resolved`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redress: Option<String>,
    /// How an agreement was made (phone, email…).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub how: Option<Channel>,
    /// A proposed solution's pluses and minuses.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pros: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cons: Vec<String>,
    /// What happens under an agreement if conditions change.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contingency: Option<String>,
    /// How an agreement will be monitored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub monitor: Option<String>,
    /// What a `redacted` event erased.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<PersonalField>,
    /// Card-like numbers `--allow-card-like-number` let through in the
    /// change this event records, masked (a known false positive).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub allowed_card_like_numbers: Vec<String>,
    /// The e-mail behind the event (`opened` and `customer` from `caselog
    /// mail`, `reply` from `caselog reply --send`): its Message-ID, without
    /// the angle brackets. The same message is recorded once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_id: Option<String>,
    /// What identifies an imported case where it came from (`imported`):
    /// a help desk's ticket id, or the case id in another log, so that
    /// importing the same export again creates nothing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

impl Event {
    /// An event with only the three keys every event has.
    pub fn new(at: DateTime<Utc>, by: &str, action: Action) -> Event {
        Event {
            at: Timestamp(at),
            by: by.to_string(),
            action,
            to: None,
            field: None,
            old: None,
            new: None,
            option: None,
            due: None,
            until: None,
            on: None,
            satisfied: None,
            void: None,
            duplicate_of: None,
            outcome: None,
            root_cause: None,
            redress: None,
            how: None,
            pros: Vec::new(),
            cons: Vec::new(),
            contingency: None,
            monitor: None,
            fields: Vec::new(),
            allowed_card_like_numbers: Vec::new(),
            message_id: None,
            source_id: None,
            text: None,
        }
    }

    pub fn with_text(mut self, text: impl Into<String>) -> Event {
        self.text = Some(text.into());
        self
    }
}

/// Where a case stands as its event log is replayed: its status, and whom
/// it waits on while it waits (`None` for a wait that does not say).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Replay {
    pub status: Status,
    pub waiting_on: Option<WaitingOn>,
}

impl Default for Replay {
    fn default() -> Replay {
        Replay {
            status: Status::Open,
            waiting_on: None,
        }
    }
}

impl Replay {
    /// One event's effect. A reply ends any wait; a message from the
    /// customer ends a wait on the customer.
    pub fn apply(&mut self, action: Action, on: Option<WaitingOn>) {
        let waiting = self.status == Status::Waiting;
        self.status = match action {
            Action::Opened | Action::Resumed | Action::Reopened => Status::Open,
            Action::Reply if waiting => Status::Open,
            Action::Customer if waiting && self.waiting_on == Some(WaitingOn::Customer) => {
                Status::Open
            }
            Action::Waiting => {
                self.waiting_on = on;
                Status::Waiting
            }
            Action::Resolved => Status::Resolved,
            Action::Closed => Status::Closed,
            _ => self.status,
        };
        if self.status != Status::Waiting {
            self.waiting_on = None;
        }
    }

    /// Whether the case waits on the customer.
    pub fn waits_on_customer(&self) -> bool {
        self.status == Status::Waiting && self.waiting_on == Some(WaitingOn::Customer)
    }
}

/// Where an event log leads, replaying `events` (action, and whom a
/// `waiting` event waits on) in order.
pub fn replay(events: impl IntoIterator<Item = (Action, Option<WaitingOn>)>) -> Replay {
    let mut replay = Replay::default();
    for (action, on) in events {
        replay.apply(action, on);
    }
    replay
}

/// The status an event log leads to.
pub fn replay_status(events: &[Event]) -> Status {
    replay(events.iter().map(|e| (e.action, e.on))).status
}

/// Where a follow-up stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FollowUpState {
    Due { due: DateTime<Utc>, overdue: bool },
    Done { satisfied: Option<bool> },
}

impl Case {
    /// The case at a glance.
    pub fn glance(&self) -> Glance {
        Glance {
            status: self.status,
            void: self.void,
            severity: self.severity,
            follow_up: self.follow_up.clone(),
        }
    }

    /// When the customer first heard back from us, if they have.
    pub fn first_response(&self) -> Option<DateTime<Utc>> {
        self.events
            .iter()
            .find(|e| e.action.is_customer_contact())
            .map(|e| e.at.0)
    }

    /// How many times the case was reopened after a resolution or closing.
    pub fn reopen_count(&self) -> usize {
        self.events
            .iter()
            .filter(|e| e.action == Action::Reopened)
            .count()
    }

    /// The `waiting` event a waiting case waits under (`None` when it is
    /// not waiting).
    fn current_wait(&self) -> Option<&Event> {
        if self.status != Status::Waiting {
            return None;
        }
        self.events
            .iter()
            .rev()
            .find(|e| e.action == Action::Waiting)
    }

    /// Until when a waiting case waits, as its latest `waiting` event says.
    pub fn waiting_until(&self) -> Option<DateTime<Utc>> {
        self.current_wait().and_then(|e| e.until).map(|t| t.0)
    }

    /// Whom a waiting case waits on, as its latest `waiting` event says
    /// (`None` when it is not waiting, or the event does not say).
    pub fn waiting_on(&self) -> Option<WaitingOn> {
        self.current_wait().and_then(|e| e.on)
    }

    /// Whether the case is void: closed as a duplicate or as opened in
    /// error. It stays on disk and in git, and `list` and `show` say so,
    /// but every pass that counts or matches cases (reports, `due`,
    /// `similar`, earlier cases of a customer) leaves it out here.
    pub fn is_void(&self) -> bool {
        self.void.is_some()
    }

    /// What the latest `closed` event says about voiding the case, when the
    /// case is closed: the root `void` and `duplicate_of` it implies.
    pub fn void_in_log(&self) -> (Option<Void>, Option<CaseId>) {
        if replay_status(&self.events) != Status::Closed {
            return (None, None);
        }
        self.events
            .iter()
            .rev()
            .find(|e| e.action == Action::Closed)
            .map_or((None, None), |e| (e.void, e.duplicate_of.clone()))
    }

    /// Everyone the case names: its opener, its assignee, and who acted
    /// or was handed the case in any event (some more than once).
    pub fn people(&self) -> impl Iterator<Item = &str> {
        [Some(self.opened_by.as_str()), self.assignee.as_deref()]
            .into_iter()
            .flatten()
            .chain(
                self.events
                    .iter()
                    .flat_map(|e| [Some(e.by.as_str()), e.to.as_deref()].into_iter().flatten()),
            )
    }

    /// Whether `person` is named anywhere on the case (see [`Case::people`]).
    pub fn names(&self, person: &str) -> bool {
        self.people().any(|named| named == person)
    }

    pub fn last_event_at(&self) -> Option<DateTime<Utc>> {
        self.events.last().map(|e| e.at.0)
    }

    /// The follow-up's state as of `now`, when one is scheduled.
    pub fn follow_up_state(&self, now: DateTime<Utc>) -> Option<FollowUpState> {
        let follow_up = self.follow_up.as_ref()?;
        Some(match follow_up.done_at {
            Some(_) => FollowUpState::Done {
                satisfied: follow_up.satisfied,
            },
            None => FollowUpState::Due {
                due: follow_up.due.0,
                overdue: follow_up.due.0 <= now && self.status == Status::Resolved,
            },
        })
    }
}

/// Refuses a category not in `categories` (when it lists any), naming the
/// ones it does.
pub fn check_category(categories: &[String], category: &str) -> Result<(), InputError> {
    if categories.is_empty() || categories.iter().any(|c| c == category) {
        return Ok(());
    }
    Err(InputError::Invalid(format!(
        "unknown category '{}' (caselog.toml lists: {})",
        category.escape_debug(),
        categories.join(", ")
    )))
}
