//! One case as a web page: what `show` tells a person at a terminal, as
//! plain values a template lays out (every value is text the template
//! escapes). A page to share leaves out what `[personal_data]` names, as
//! `export --pseudonymise` does.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::case::exchange::with_shared_events;
use crate::case::{Action, Case, PersonalField, Status, lifecycle};
use crate::practice::deadlines::Deadline;
use crate::practice::next::checklist;
use crate::time::{Zone, format_length, format_relative, format_time};

/// A label and its value, one row of a definition list.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Field {
    pub label: String,
    pub value: String,
}

fn field(label: &str, value: impl Into<String>) -> Field {
    Field {
        label: label.to_string(),
        value: value.into(),
    }
}

/// The latest resolution.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResolutionView {
    pub heading: String,
    pub line: String,
    pub summary: Option<String>,
    pub details: Vec<Field>,
}

/// A solution proposed, and whether it is the one agreed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Solution {
    pub number: u32,
    pub text: Option<String>,
    pub pros: Vec<String>,
    pub cons: Vec<String>,
    pub agreed: bool,
}

/// One step of the handling practice, done (when) or not.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Step {
    pub label: String,
    pub at: Option<String>,
}

/// One entry of the event log.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EventView {
    pub at: String,
    pub action: String,
    pub by: String,
    pub detail: String,
    pub text: Option<String>,
}

/// Everything a case page shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CasePage {
    pub id: String,
    /// Absent on a shared page when titles are personal data.
    pub title: Option<String>,
    pub status: String,
    /// Why the case is void, when it is: it counts in no measure.
    pub void: Option<String>,
    /// The case this one duplicates, when it is a duplicate.
    pub duplicate_of: Option<String>,
    pub fields: Vec<Field>,
    pub customer: Vec<Field>,
    pub complaint: Option<String>,
    pub wants: Option<String>,
    pub resolution: Option<ResolutionView>,
    pub solutions: Vec<Solution>,
    /// The agreement's terms: when, how, with whom, contingency, monitoring.
    pub agreement: Vec<Field>,
    pub checklist: Vec<Step>,
    pub deadlines: Vec<Field>,
    pub events: Vec<EventView>,
    /// The card-like numbers the case's events allow (masked): a page
    /// masks every other likely card number.
    #[serde(skip)]
    pub allowed_cards: Vec<String>,
}

/// How a shared page names the customer and what it leaves out.
pub struct Shared<'a> {
    pub personal: &'a [PersonalField],
    /// The customer's pseudonym; `None` when redacted.
    pub pseudonym: Option<String>,
}

fn deadline_words(deadline: &Deadline, now: DateTime<Utc>, zone: Zone) -> String {
    if deadline.paused {
        format!(
            "paused while waiting on the customer ({} left)",
            format_length((deadline.due - now).max(chrono::Duration::zero()))
        )
    } else if deadline.is_due(now) {
        format!(
            "OVERDUE since {} ({})",
            format_time(deadline.due, zone),
            format_relative(deadline.due, now)
        )
    } else {
        format!(
            "due {} ({})",
            format_time(deadline.due, zone),
            format_relative(deadline.due, now)
        )
    }
}

fn event_detail(e: &crate::case::Event, zone: Zone) -> String {
    let mut parts: Vec<String> = Vec::new();
    if let Some(to) = &e.to {
        parts.push(format!("→ {to}"));
    }
    if let Some(field) = e.field {
        let value = |v: &Option<String>| v.clone().unwrap_or_else(|| "(none)".into());
        match (&e.old, &e.new) {
            (None, None) => parts.push(format!("{field} changed")),
            _ => parts.push(format!("{field}: {} → {}", value(&e.old), value(&e.new))),
        }
    }
    if let Some(on) = e.on {
        parts.push(format!("on {}", lifecycle::waited_on(on)));
    }
    if let Some(until) = e.until {
        parts.push(format!("until {}", format_time(until.0, zone)));
    }
    match (e.void, &e.duplicate_of) {
        (Some(_), Some(other)) => parts.push(format!("duplicate of {other}")),
        (Some(void), None) => parts.push(lifecycle::void_words(void).to_string()),
        _ => {}
    }
    if let Some(due) = e.due {
        parts.push(format!("due {}", format_time(due.0, zone)));
    }
    if let Some(option) = e.option {
        parts.push(format!("option {option}"));
    }
    if let Some(how) = e.how {
        parts.push(format!("by {how}"));
    }
    if let Some(satisfied) = e.satisfied {
        parts.push(
            if satisfied {
                "satisfied"
            } else {
                "not satisfied"
            }
            .into(),
        );
    }
    if let Some(outcome) = e.outcome {
        parts.push(format!("outcome {outcome}"));
    }
    if !e.fields.is_empty() {
        let fields: Vec<&str> = e.fields.iter().map(|f| f.as_str()).collect();
        parts.push(format!("erased {}", fields.join(", ")));
    }
    parts.join(" · ")
}

/// The page of `case` as of `now`, with its pending deadlines; shared
/// (`Some`), the personal fields and free texts are left out.
pub fn case_page(
    case: &Case,
    pending: &[Deadline],
    now: DateTime<Utc>,
    zone: Zone,
    shared: Option<&Shared>,
) -> CasePage {
    let has = |f: PersonalField| shared.is_some_and(|s| s.personal.contains(&f));
    let scrubbed;
    let case = match shared {
        Some(s) => {
            scrubbed = with_shared_events(case, s.personal);
            &scrubbed
        }
        None => case,
    };
    let keep = |f: PersonalField, text: &str| (!has(f)).then(|| text.to_string());
    let opened = case.opened_at.0;

    let mut fields = vec![field("status", lifecycle::status_words(case))];
    if case.status == Status::Waiting
        && let Some(on) = case.waiting_on()
    {
        fields.push(field("waiting on", lifecycle::waited_on(on)));
    }
    fields.push(field("severity", case.severity.as_str()));
    fields.push(field("channel", case.channel.as_str()));
    if let Some(category) = &case.category {
        fields.push(field("category", category.as_str()));
    }
    if !case.tags.is_empty() {
        fields.push(field("tags", case.tags.join(", ")));
    }
    fields.push(field(
        "opened",
        format!("{} by {}", format_time(opened, zone), case.opened_by),
    ));
    fields.push(field(
        "assignee",
        case.assignee.as_deref().unwrap_or("(nobody)"),
    ));
    fields.push(field(
        "first response",
        match case.first_response() {
            Some(t) => format!(
                "{} ({} after opening)",
                format_time(t, zone),
                format_length(t - opened)
            ),
            None if matches!(case.status, Status::Open | Status::Waiting) => "none yet".into(),
            None => "none recorded".into(),
        },
    ));
    let reopened = case.reopen_count();
    if reopened > 0 {
        fields.push(field("reopened", crate::words::count(reopened, "time")));
    }
    if let Some(words) = lifecycle::follow_up_words(case, now, zone) {
        fields.push(field("follow-up", words));
    }
    if case.status == Status::Closed
        && let Some(closed) = case
            .events
            .iter()
            .rev()
            .find(|e| e.action == Action::Closed)
    {
        let reason = closed
            .text
            .as_deref()
            .map(|t| format!(": {t}"))
            .unwrap_or_default();
        fields.push(field(
            "closed",
            format!(
                "{} by {}{reason}",
                format_time(closed.at.0, zone),
                closed.by
            ),
        ));
    }

    let c = &case.customer;
    let mut customer = Vec::new();
    match shared {
        Some(s) if has(PersonalField::Customer) => customer.push(field(
            "customer",
            s.pseudonym.clone().unwrap_or_else(|| "(redacted)".into()),
        )),
        _ => customer.push(field("customer", c.name.as_str())),
    }
    if let Some(contact) = c
        .contact
        .as_deref()
        .and_then(|v| keep(PersonalField::Contact, v))
    {
        customer.push(field("contact", contact));
    }
    if let Some(prefers) = c
        .preferred_contact
        .filter(|_| !has(PersonalField::PreferredContact))
    {
        customer.push(field("prefers", prefers.as_str()));
    }
    if let Some(reference) = c
        .reference
        .as_deref()
        .and_then(|v| keep(PersonalField::Reference, v))
    {
        customer.push(field("reference", reference));
    }

    let resolution = case.resolution.as_ref().map(|r| {
        let heading = if matches!(case.status, Status::Open | Status::Waiting) {
            "Previous resolution (since reopened)"
        } else {
            "Resolution"
        };
        let mut details = Vec::new();
        if let Some(outcome) = r.outcome {
            details.push(field("outcome", outcome.as_str()));
        }
        if let Some(cause) = &r.root_cause {
            details.push(field("root cause", cause.as_str()));
        }
        if let Some(redress) = &r.redress {
            details.push(field(
                "redress",
                keep(PersonalField::Redress, redress).unwrap_or_else(|| "(given)".into()),
            ));
        }
        ResolutionView {
            heading: heading.into(),
            line: format!(
                "{} by {}, {}",
                format_time(r.resolved_at.0, zone),
                r.resolved_by,
                r.agreement_words()
            ),
            summary: keep(PersonalField::Resolution, &r.summary),
            details,
        }
    });

    let agreed = lifecycle::agreement(case);
    let solutions = lifecycle::proposals(case)
        .into_iter()
        .map(|p| {
            let number = p.option.unwrap_or(0);
            Solution {
                number,
                text: p.text.clone(),
                pros: p.pros.clone(),
                cons: p.cons.clone(),
                agreed: agreed.is_some_and(|a| a.option == Some(number)),
            }
        })
        .collect();
    let mut agreement = Vec::new();
    if let Some(a) = agreed {
        let how = a.how.map(|h| format!(" by {h}")).unwrap_or_default();
        let option = a
            .option
            .map(|n| format!(" to option {n}"))
            .unwrap_or_default();
        agreement.push(field(
            "agreed",
            format!("{}{how} with {}{option}", format_time(a.at.0, zone), a.by),
        ));
        if let Some(text) = &a.text {
            agreement.push(field("terms", text.as_str()));
        }
        if let Some(contingency) = &a.contingency {
            agreement.push(field("if conditions change", contingency.as_str()));
        }
        if let Some(monitor) = &a.monitor {
            agreement.push(field("monitored by", monitor.as_str()));
        }
    }

    CasePage {
        id: case.id.to_string(),
        title: keep(PersonalField::Title, &case.title),
        status: lifecycle::status_words(case),
        void: case.void.map(|v| lifecycle::void_words(v).to_string()),
        duplicate_of: case.duplicate_of.as_ref().map(|d| d.to_string()),
        fields,
        customer,
        complaint: keep(PersonalField::Summary, &case.complaint.summary),
        wants: case
            .complaint
            .wants
            .as_deref()
            .and_then(|w| keep(PersonalField::Wants, w)),
        resolution,
        solutions,
        agreement,
        checklist: checklist(case)
            .into_iter()
            .map(|item| Step {
                label: item.step.label().to_string(),
                at: item.at.map(|t| format_time(t, zone)),
            })
            .collect(),
        deadlines: pending
            .iter()
            .map(|d| field(d.kind.label(), deadline_words(d, now, zone)))
            .collect(),
        allowed_cards: case
            .events
            .iter()
            .flat_map(|e| e.allowed_card_like_numbers.iter().cloned())
            .collect(),
        events: case
            .events
            .iter()
            .map(|e| EventView {
                at: format_time(e.at.0, zone),
                action: e.action.as_str().to_string(),
                by: e.by.clone(),
                detail: event_detail(e, zone),
                text: e.text.clone(),
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::lifecycle::tests::opened;

    fn now() -> DateTime<Utc> {
        "2026-11-22T09:00:00Z".parse().expect("a time")
    }

    #[test]
    fn a_shared_page_leaves_out_what_personal_data_names() {
        let mut case = opened();
        case.customer.contact = Some("jo@example.com".into());
        let personal = PersonalField::ALL.to_vec();
        let shared = Shared {
            personal: &personal,
            pseudonym: Some("cust-abcdefghij".into()),
        };
        let page = case_page(&case, &[], now(), Zone::UTC, Some(&shared));
        assert_eq!(page.title, None);
        assert_eq!(page.complaint, None);
        assert_eq!(page.customer, [field("customer", "cust-abcdefghij")]);
        let text = format!("{page:?}");
        assert!(!text.contains(&case.customer.name), "{text}");
        assert!(!text.contains("jo@example.com"), "{text}");
        assert!(!text.contains(&case.complaint.summary), "{text}");
    }

    #[test]
    fn a_page_for_the_team_shows_everything() {
        let case = opened();
        let page = case_page(&case, &[], now(), Zone::UTC, None);
        assert_eq!(page.title.as_deref(), Some(case.title.as_str()));
        assert_eq!(page.customer[0].value, case.customer.name);
        assert_eq!(page.events.len(), case.events.len());
        assert!(page.checklist.iter().any(|s| s.at.is_none()));
        assert_eq!(page.void, None);
    }
}
