//! Deadlines: what the complaint practice says must happen by when.
//!
//! Reply fast, resolve within the team's target, follow up when scheduled,
//! and look again when a wait runs out. Deadlines are derived from a case's
//! fields, its events and the settings each time they are needed; they
//! are never stored.

use chrono::{DateTime, Utc};

use crate::case::{Case, Status};
use crate::settings::Settings;
use crate::words::word_enum;

word_enum!(
    /// What is due.
    Kind, "deadline kind" {
        FirstResponse => "first-response",
        Resolution => "resolution",
        FollowUp => "follow-up",
        WaitOver => "wait-over",
    }
);

impl Kind {
    /// How a person says it.
    pub fn label(self) -> &'static str {
        match self {
            Kind::FirstResponse => "first response",
            Kind::Resolution => "resolution",
            Kind::FollowUp => "follow-up",
            Kind::WaitOver => "wait over",
        }
    }
}

/// One thing due on a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deadline {
    pub kind: Kind,
    pub due: DateTime<Utc>,
}

impl Deadline {
    /// Due now or past (a deadline falls due at its instant).
    pub fn is_due(&self, now: DateTime<Utc>) -> bool {
        self.due <= now
    }
}

/// Every deadline still open on `case`, earliest first.
pub fn pending(case: &Case, settings: &Settings) -> Vec<Deadline> {
    let mut out = Vec::new();
    if case.is_void() {
        return out;
    }
    let opened = case.opened_at.0;
    let unresolved = matches!(case.status, Status::Open | Status::Waiting);
    if unresolved && case.first_response().is_none() {
        out.push(Deadline {
            kind: Kind::FirstResponse,
            due: settings
                .first_response_within
                .after(opened, &settings.working_days),
        });
    }
    if unresolved {
        out.push(Deadline {
            kind: Kind::Resolution,
            due: settings
                .resolve_within(case.severity)
                .after(opened, &settings.working_days),
        });
    }
    if case.status == Status::Resolved
        && let Some(follow_up) = &case.follow_up
        && follow_up.done_at.is_none()
    {
        out.push(Deadline {
            kind: Kind::FollowUp,
            due: follow_up.due.0,
        });
    }
    if let Some(until) = case.waiting_until() {
        out.push(Deadline {
            kind: Kind::WaitOver,
            due: until,
        });
    }
    out.sort_by_key(|d| d.due);
    out
}
