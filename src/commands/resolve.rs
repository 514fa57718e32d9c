//! `caselog resolve`: record the resolution and schedule the follow-up.

use std::io::Write;

use anyhow::Result;

use super::{Session, done};
use crate::case::Outcome;
use crate::clock;
use crate::lifecycle::{self, Settlement};

pub struct Request {
    pub id: String,
    pub summary: String,
    /// Whether the customer agreed; `None` when not recorded.
    pub agreed: Option<bool>,
    pub outcome: Option<Outcome>,
    pub root_cause: Option<String>,
    pub redress: Option<String>,
    /// Whether to schedule the follow-up.
    pub follow_up: bool,
    pub by: Option<String>,
}

pub fn run(session: &Session, request: Request, out: &mut dyn Write) -> Result<u8> {
    let log = session.log()?;
    let settings = session.settings(&log)?;
    let stamp = session.stamp(&log, request.by.as_deref())?;
    let due = request.follow_up.then(|| {
        settings
            .follow_up_after
            .after(stamp.at, &settings.working_days)
    });
    let settlement = Settlement {
        summary: request.summary,
        agreed: request.agreed,
        outcome: request.outcome,
        root_cause: request.root_cause,
        redress: request.redress,
        follow_up_due: due,
    };
    let changed = log.change(&request.id, |case| {
        Ok(lifecycle::resolve(case, &stamp, settlement)?)
    })?;
    let option = changed
        .after
        .resolution
        .as_ref()
        .and_then(|r| r.option)
        .map(|n| format!(" (option {n})"))
        .unwrap_or_default();
    match due {
        Some(due) => done(
            out,
            format_args!(
                "{}: resolved{option}; follow-up due {}",
                changed.after.id,
                clock::format_time(due)
            ),
        ),
        None => done(
            out,
            format_args!(
                "{}: resolved{option}; no follow-up scheduled",
                changed.after.id
            ),
        ),
    }
}
