//! The index page's content: the report's headline numbers and measures
//! (computed by `learning::measures`, only worded here), its charts, the
//! due list and the list of cases.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::case_page::Field;
use super::svg::{self, Series, Share};
use crate::case::{Case, PersonalField};
use crate::learning::measures::{
    CategoryCount, CategoryTrend, Measures, Report, length_words, percent_words,
};
use crate::practice::deadlines::Deadline;
use crate::time::{Zone, format_length, format_relative, format_time};

/// A chart with its heading and a sentence saying what it shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Chart {
    pub heading: String,
    pub caption: String,
    /// Markup made by [`svg`], every label in it escaped.
    pub svg: String,
}

/// One line of the due list.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DueRow {
    pub id: String,
    pub what: String,
    pub state: String,
    pub due: String,
    pub overdue: bool,
    pub assignee: String,
    pub title: Option<String>,
}

/// One line of the list of cases.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CaseRow {
    pub id: String,
    pub status: String,
    pub void: bool,
    pub severity: String,
    pub category: String,
    pub opened: String,
    pub assignee: String,
    pub title: Option<String>,
}

/// The numbers a manager reads first, as `report` puts them.
pub fn headline(m: &Measures) -> Vec<Field> {
    let f = |label: &str, value: String| Field {
        label: label.into(),
        value,
    };
    vec![
        f("received", m.received.to_string()),
        f("open at the end", m.open_at_end.to_string()),
        f("resolved", m.resolved.to_string()),
        f(
            "first response (median)",
            length_words(m.first_response.median_seconds),
        ),
        f(
            "resolution (median)",
            length_words(m.resolution.median_seconds),
        ),
        f("satisfied", percent_words(m.satisfaction.rate)),
        f("reopened, of resolved", percent_words(m.reopen_rate)),
    ]
}

/// Every measure of the report, one row each, in `report`'s words.
pub fn measures(m: &Measures) -> Vec<Field> {
    let f = |label: &str, value: String| Field {
        label: label.into(),
        value,
    };
    let fu = &m.follow_up;
    let s = &m.satisfaction;
    let mut rows = vec![
        f("received", m.received.to_string()),
        f("open at start", m.open_at_start.to_string()),
        f("open at end", m.open_at_end.to_string()),
        f("resolved", m.resolved.to_string()),
        f("closed", m.closed.to_string()),
        f(
            "reopened",
            format!(
                "{} ({} of resolved)",
                m.reopened,
                percent_words(m.reopen_rate)
            ),
        ),
        f(
            "first response",
            m.first_response
                .words("none recorded", "without a response"),
        ),
        f(
            "resolution",
            m.resolution.words("none recorded", "not resolved"),
        ),
        f("follow-up compliance", fu.words()),
    ];
    if let Some(u) = &m.updates {
        rows.push(f("customer updates", u.words()));
    }
    rows.extend([
        f("satisfaction", s.words()),
        f("escalated", m.escalation_words()),
        f("outcome", m.outcomes.words()),
    ]);
    rows
}

/// How the site names the cases with no category, set apart (in
/// italics) from any category typed.
const NO_CATEGORY: &str = "no category";

/// One row of the table of categories.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CategoryRow {
    pub name: String,
    /// The row of the cases with no category: its name is caselog's.
    pub none: bool,
    pub count: usize,
}

/// The categories received, most first, as the table shows them.
pub fn category_rows(categories: &[CategoryCount]) -> Vec<CategoryRow> {
    categories
        .iter()
        .map(|c| CategoryRow {
            name: c.key.clone().unwrap_or_else(|| NO_CATEGORY.into()),
            none: c.key.is_none(),
            count: c.count,
        })
        .collect()
}

/// Most categories a chart stacks; the rest are one series.
const MOST_SERIES: usize = 8;

/// The charts: complaints per bucket by category, times against target,
/// and the rates.
pub fn charts(report: &Report, by_category: Option<&CategoryTrend>) -> Vec<Chart> {
    let mut charts = Vec::new();
    if let Some(CategoryTrend {
        trend,
        categories: split,
    }) = by_category
    {
        let labels: Vec<String> = trend.counts.iter().map(|c| c.key.clone()).collect();
        let mut series: Vec<Series> = split
            .iter()
            .take(MOST_SERIES)
            .map(|(name, values)| Series {
                name: name.clone().unwrap_or_else(|| NO_CATEGORY.into()),
                ours: name.is_none(),
                values: values.clone(),
            })
            .collect();
        if split.len() > MOST_SERIES {
            let mut rest = vec![0; labels.len()];
            for (_, values) in &split[MOST_SERIES..] {
                for (sum, v) in rest.iter_mut().zip(values) {
                    *sum += v;
                }
            }
            series.push(Series {
                name: crate::learning::measures::others(split.len() - MOST_SERIES),
                ours: true,
                values: rest,
            });
        }
        let unit = trend.unit.as_str();
        charts.push(Chart {
            heading: format!("Complaints received per {unit}, by category"),
            caption: format!(
                "Each bar is one {unit} of the period; its parts are the categories of the complaints received in it."
            ),
            svg: svg::stacked_bars(
                &format!("Complaints received per {unit}, by category"),
                &labels,
                &series,
            ),
        });
    }
    let m = &report.summary;
    charts.push(Chart {
        heading: "Response and resolution against target".into(),
        caption: format!(
            "Share of the complaints received that met the target (first_response_within, resolve_within in caselog.toml). First response: median {}, 90th percentile {}. Resolution: median {}, 90th percentile {}.",
            length_words(m.first_response.median_seconds),
            length_words(m.first_response.p90_seconds),
            length_words(m.resolution.median_seconds),
            length_words(m.resolution.p90_seconds)
        ),
        svg: svg::share_bars(
            "Share within target",
            &[
                Share {
                    label: "first response in target".into(),
                    share: m.first_response.within_target,
                },
                Share {
                    label: "resolution in target".into(),
                    share: m.resolution.within_target,
                },
                Share {
                    label: "follow-ups on time".into(),
                    share: m.follow_up.compliance,
                },
            ],
        ),
    });
    charts.push(Chart {
        heading: "Satisfaction and reopens".into(),
        caption: "Satisfied: of the customers who answered at the follow-up. Reopened: reopens per resolution. Escalated: of the complaints received.".into(),
        svg: svg::share_bars(
            "Rates",
            &[
                Share {
                    label: "customers satisfied".into(),
                    share: m.satisfaction.rate,
                },
                Share {
                    label: "reopened".into(),
                    share: m.reopen_rate,
                },
                Share {
                    label: "escalated".into(),
                    share: m.escalation_rate,
                },
            ],
        ),
    });
    charts
}

/// The due list, most overdue first: `due` lists the same deadlines.
pub fn due_rows(
    due: &[(&Case, Deadline)],
    now: DateTime<Utc>,
    zone: Zone,
    personal: &[PersonalField],
) -> Vec<DueRow> {
    due.iter()
        .map(|(case, d)| DueRow {
            id: case.id.to_string(),
            what: d.kind.label().to_string(),
            state: if d.due == now {
                "due now".into()
            } else if d.due < now {
                format!("overdue {}", format_length(now - d.due))
            } else {
                format!("due {}", format_relative(d.due, now))
            },
            due: format_time(d.due, zone),
            overdue: d.due <= now,
            assignee: case.assignee.clone().unwrap_or_else(|| "(nobody)".into()),
            title: shows_titles(personal).then(|| case.title.clone()),
        })
        .collect()
}

/// Every case, newest first.
pub fn case_rows(cases: &[Case], zone: Zone, personal: &[PersonalField]) -> Vec<CaseRow> {
    let mut rows: Vec<&Case> = cases.iter().collect();
    rows.sort_by(|a, b| b.opened_at.cmp(&a.opened_at).then_with(|| b.id.cmp(&a.id)));
    rows.into_iter()
        .map(|case| CaseRow {
            id: case.id.to_string(),
            status: crate::case::lifecycle::status_words(case),
            void: case.is_void(),
            severity: case.severity.to_string(),
            category: case.category.clone().unwrap_or_default(),
            opened: format_time(case.opened_at.0, zone),
            assignee: case.assignee.clone().unwrap_or_else(|| "(nobody)".into()),
            title: shows_titles(personal).then(|| case.title.clone()),
        })
        .collect()
}

/// What the site says when `count` case files could not be read: the
/// numbers and lists are without them, which a reader must know.
pub fn unreadable_words(count: usize) -> Option<String> {
    match count {
        0 => None,
        1 => Some(
            "1 case file could not be read, so this site leaves it out: its numbers and lists are without it. `caselog check` names the file and says what is wrong."
                .into(),
        ),
        n => Some(format!(
            "{n} case files could not be read, so this site leaves them out: its numbers and lists are without them. `caselog check` names the files and says what is wrong."
        )),
    }
}

/// Whether the pages show case titles: not when `personal` (what a
/// shared site leaves out) names them. The tables' title column, header
/// and cells, follows this one rule.
pub fn shows_titles(personal: &[PersonalField]) -> bool {
    !personal.contains(&PersonalField::Title)
}

/// What a shared site says at the top of every page: how customers are
/// named, and what of `personal` it leaves out.
pub fn shared_words(personal: &[PersonalField]) -> String {
    let customers = if personal.contains(&PersonalField::Customer) {
        "customers are named by pseudonyms"
    } else {
        // The report's tables are pseudonymised whatever the settings.
        "customers are named by pseudonyms in the report's tables, by name on their cases' pages ([personal_data] does not count names as personal)"
    };
    let left_out: Vec<&str> = personal
        .iter()
        .filter_map(|field| {
            Some(match field {
                PersonalField::Customer => return None,
                PersonalField::Contact => "contacts",
                PersonalField::Reference => "references",
                PersonalField::PreferredContact => "preferred ways of contact",
                PersonalField::Title => "titles",
                PersonalField::Summary => "complaints",
                PersonalField::Wants => "what the customers want",
                PersonalField::Resolution => "resolution texts",
                PersonalField::Redress => "what was given as redress (shown as \"(given)\")",
                PersonalField::Notes => "notes and the other texts of events",
            })
        })
        .collect();
    match left_out.as_slice() {
        [] => format!(
            "Shared copy: {customers}; nothing else is left out ([personal_data] in caselog.toml names nothing more)."
        ),
        [one] => format!("Shared copy: {customers}; left out: {one}."),
        [rest @ .., last] => format!(
            "Shared copy: {customers}; left out: {} and {last}.",
            rest.join(", ")
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::PersonalData;

    #[test]
    fn a_shared_site_says_exactly_what_it_leaves_out() {
        let all = PersonalData::default().all();
        assert_eq!(
            shared_words(&all),
            "Shared copy: customers are named by pseudonyms; left out: contacts, references, preferred ways of contact, titles, complaints, what the customers want, resolution texts, what was given as redress (shown as \"(given)\") and notes and the other texts of events."
        );
        assert_eq!(
            shared_words(&[PersonalField::Customer, PersonalField::Title]),
            "Shared copy: customers are named by pseudonyms; left out: titles."
        );
        let nothing = shared_words(&[]);
        assert!(
            nothing.contains("by name on their cases' pages") && nothing.contains("nothing else"),
            "{nothing}"
        );
        assert!(shows_titles(&[PersonalField::Customer]));
        assert!(!shows_titles(&all));
    }
}
