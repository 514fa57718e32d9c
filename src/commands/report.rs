//! `caselog report`: counts and timings over a period, grouped as asked,
//! for a terminal, a pull request (markdown), or a program (json, yaml, csv).

use std::io::Write;

use anyhow::{Context, Result};
use comfy_table::{ContentArrangement, Table, presets};

use super::Session;
use super::args::{FilterArgs, PersonCheck, words};
use crate::case::{fields, personal};
use crate::error::InputError;
use crate::learning::measures::{
    self, By, Facts, Measures, Period, Report, length_words, percent_words,
};
use crate::time::{self, When, Zone, format_time};
use crate::untrusted::{self, line};
use crate::words::word_enum;
use clap::Args;

word_enum!(
    /// How `report` prints.
    Format, "format" {
        Table => "table",
        Markdown => "markdown",
        Json => "json",
        Yaml => "yaml",
        Csv => "csv",
    }
);

/// Counts and timings over a period: what to learn from the complaints
///
/// Received, open, resolved, closed and reopened cases; time to first
/// response and to resolution (median, 90th percentile, share within
/// target, the resolution's clock paused while waiting on the customer);
/// follow-up compliance; updates to the customer (with update_every);
/// satisfaction; top categories, repeat customers and the trend (per day,
/// week, month or longer, by the period's length).
/// The guide defines each measure. Void cases count in none.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Start of the period: a time (2026-11-01) or a duration before now (30d)
    /// [default: the beginning]
    #[arg(long, value_name = "WHEN")]
    pub since: Option<String>,
    /// End of the period, exclusive [default: now]
    #[arg(long, value_name = "TIME")]
    pub until: Option<String>,
    /// Compute the report as it looked at this time, ignoring later events
    #[arg(long, value_name = "TIME")]
    pub as_of: Option<String>,
    /// Also a table per group, most complaints first (customers by name,
    /// with their reference)
    #[arg(long, value_name = "GROUPING", value_parser = words::<By>(By::WORDS))]
    pub by: Option<By>,
    /// With --by, only the N largest groups, the rest as one
    #[arg(long, value_name = "N", requires = "by", value_parser = at_least_one)]
    pub top: Option<usize>,
    /// table for a terminal, markdown for a pull request, json/yaml/csv for programs
    #[arg(long, default_value = "table", value_parser = words::<Format>(Format::WORDS))]
    pub format: Format,
    /// Which cases to report on, by their state now
    #[command(flatten)]
    pub filter: FilterArgs,
    /// Name each customer (repeat customers, --by customer) by a stable
    /// pseudonym, a keyed hash with the log's secret in .caselog/secret, as
    /// `export --pseudonymise` does, so the report can be shared
    #[arg(long)]
    pub pseudonymise: bool,
}

pub fn run(session: &Session, args: ReportArgs, out: &mut dyn Write) -> Result<u8> {
    let settings = session.settings()?;
    let period = period(session, &args)?;
    let filter = args.filter.filter(session)?;
    let now = session.now()?;
    let secret = match args.pseudonymise {
        true => Some(session.store()?.secret()?),
        false => None,
    };
    let store = session.store()?;
    let person_check = PersonCheck::new(&filter, &args.filter, "--assignee");
    let scan = session.every_case(|case| {
        person_check.see(case);
        if !filter.keeps(case, settings, now) {
            return None;
        }
        // A case edited after the as-of time is measured with the fields
        // it had then, which only its whole file holds (rare: read once).
        let then = fields::edited_after(case, period.as_of)
            .then(|| store.load(case.id.as_str()).ok())
            .flatten()
            .map(|whole| fields::as_it_stood(&whole.case, period.as_of));
        let case = then.as_ref().unwrap_or(case);
        let facts = Facts::of(case, &period, settings)?;
        // Boxed: the pass moves each value into place twice, and a
        // pointer moves at a fraction of the cost of the facts (the lists
        // it moves them through hold pointers, not two copies of them).
        Some(Box::new(match &secret {
            Some(secret) => {
                facts.with_customer(personal::customer_pseudonym(secret, &case.customer))
            }
            None => facts,
        }))
    })?;
    person_check.finish();
    let facts: Vec<&Facts> = scan.cases.iter().map(|f| &**f).collect();
    let report = measures::compute(&facts, period, args.by, args.top, settings);
    match args.format {
        Format::Table => write_human(
            out,
            &report,
            Style::Terminal(session.terminal().width()),
            session.zone(),
        )?,
        Format::Markdown => write_human(out, &report, Style::Markdown, session.zone())?,
        Format::Json => super::json::write(out, &report)?,
        Format::Yaml => write!(out, "{}", crate::yaml::to_string(&report)?)?,
        Format::Csv => write_csv(out, &report)?,
    }
    drop(facts);
    Ok(scan.finish())
}

/// `--top N`: keeping no group would fold every one into "others".
fn at_least_one(text: &str) -> Result<usize, String> {
    match text.trim().parse::<usize>() {
        Ok(0) => Err("keep at least one group (1 or more)".to_string()),
        Ok(n) => Ok(n),
        Err(_) => Err(format!("'{text}' is not a number of groups")),
    }
}

fn period(session: &Session, args: &ReportArgs) -> Result<Period> {
    let now = session.now()?;
    let as_of = match &args.as_of {
        Some(text) => time::parse_time(text, session.zone())?,
        None => now,
    };
    // As of a time still to come, every deadline before it would count as
    // missed though there is time left: a report sees only what happened.
    if as_of > now {
        return Err(InputError::Invalid(format!(
            "--as-of {} is later than now ({}): a report sees only what has happened; for a period still running, give --until instead",
            format_time(as_of, session.zone()),
            format_time(now, session.zone())
        ))
        .into());
    }
    let until = match &args.until {
        Some(text) => time::parse_time(text, session.zone())?,
        None => as_of,
    };
    let since = match args.since.as_deref() {
        None => None,
        Some(text) => Some(match time::parse_when("--since", text, session.zone())? {
            When::Span(span) => span.before(as_of, session.zone()),
            When::At(at) => at,
        }),
    };
    if let Some(since) = since
        && since >= until
    {
        // Named as the person gave the end, or as it came by default.
        let end = match (&args.until, &args.as_of) {
            (Some(_), _) => "--until",
            (None, Some(_)) => "--as-of (the end when --until is not given)",
            (None, None) => "now",
        };
        return Err(InputError::Invalid(format!(
            "the period is empty: --since {} is not before {end} {}",
            format_time(since, session.zone()),
            format_time(until, session.zone())
        ))
        .into());
    }
    Ok(Period {
        since,
        until,
        as_of,
        zone: session.zone(),
    })
}

#[derive(Clone, Copy, PartialEq)]
enum Style {
    /// For people, at most this many columns wide (no limit into a file
    /// or a program).
    Terminal(Option<u16>),
    Markdown,
}

fn new_table(style: Style) -> Table {
    let mut table = Table::new();
    match style {
        Style::Terminal(width) => {
            table.load_style(presets::NOTHING);
            // As wide as `COLUMNS` or the terminal says, as `list` is.
            if let Some(width) = width {
                table.set_width(width);
                table.set_content_arrangement(ContentArrangement::Dynamic);
            }
        }
        Style::Markdown => {
            table.load_style(presets::ASCII_MARKDOWN);
        }
    }
    table
}

/// Case text in a table cell: safe for a terminal, and in Markdown unable
/// to break the table (`|`) or turn into markup.
fn cell(style: Style, text: &str) -> String {
    match style {
        Style::Terminal(_) => line(text).into_owned(),
        Style::Markdown => untrusted::markdown(text),
    }
}

fn period_line(period: &Period, zone: Zone) -> String {
    let since = period
        .since
        .map_or("the beginning".into(), |t| format_time(t, zone));
    let mut text = format!("{since} to {}", format_time(period.until, zone));
    if period.as_of != period.until {
        text.push_str(&format!(", as of {}", format_time(period.as_of, zone)));
    }
    text
}

fn summary_rows(m: &Measures) -> Vec<[String; 2]> {
    let f = &m.follow_up;
    let s = &m.satisfaction;
    let mut rows = vec![
        ["received".into(), m.received.to_string()],
        ["open at start".into(), m.open_at_start.to_string()],
        ["open at end".into(), m.open_at_end.to_string()],
        ["resolved".into(), m.resolved.to_string()],
        ["closed".into(), m.closed.to_string()],
        [
            "reopened".into(),
            format!(
                "{} ({} of resolved)",
                m.reopened,
                percent_words(m.reopen_rate)
            ),
        ],
        [
            "first response".into(),
            m.first_response
                .words("no first response recorded", "without a response"),
        ],
        [
            "resolution".into(),
            m.resolution.words("no resolution recorded", "not resolved"),
        ],
        ["follow-up compliance".into(), f.words()],
        [
            "customer updates".into(),
            m.updates.as_ref().map(|u| u.words()).unwrap_or_default(),
        ],
        ["satisfaction".into(), s.words()],
        ["escalated".into(), m.escalation_words()],
        ["outcome".into(), m.outcomes.words()],
        [
            "redress".into(),
            format!(
                "{} of {} gave the customer something",
                m.outcomes.with_redress,
                crate::words::count(m.resolved, "resolution")
            ),
        ],
    ];
    // Updates are measured only where the log asks for them.
    if m.updates.is_none() {
        rows.retain(|row| row[0] != "customer updates");
    }
    rows
}

/// The numbers a manager reads first, on one line.
fn headline(m: &Measures, style: Style) -> String {
    let mut parts = vec![
        format!("{} received", m.received),
        format!("{} open at the end", m.open_at_end),
        format!("{} resolved", m.resolved),
    ];
    if m.first_response.measured > 0 {
        parts.push(format!(
            "first response in {} (median)",
            length_words(m.first_response.median_seconds)
        ));
    }
    if m.resolution.measured > 0 {
        parts.push(format!(
            "resolved in {} (median)",
            length_words(m.resolution.median_seconds)
        ));
    }
    if let Some(rate) = m.satisfaction.rate {
        parts.push(format!("{} satisfied", percent_words(Some(rate))));
    }
    let line = parts.join(" · ");
    match style {
        Style::Terminal(_) => line,
        Style::Markdown => format!("**{line}**"),
    }
}

fn heading(out: &mut dyn Write, style: Style, text: &str) -> std::io::Result<()> {
    match style {
        Style::Terminal(_) => writeln!(out, "\n{text}"),
        Style::Markdown => writeln!(out, "\n#### {text}\n"),
    }
}

fn write_table(out: &mut dyn Write, table: &mut Table, style: Style) -> std::io::Result<()> {
    if matches!(style, Style::Terminal(_)) {
        for column in table.column_iter_mut() {
            column.set_padding((0, 3));
        }
    }
    for row in table.lines() {
        writeln!(out, "{}", row.trim_end())?;
    }
    Ok(())
}

/// How many repeat customers the human report shows.
const REPEAT_CUSTOMERS_SHOWN: usize = 10;
/// How many of a repeat customer's cases it names, the latest.
const CASES_NAMED: usize = 3;

/// A repeat customer's latest cases (`cases` oldest first), saying how
/// many earlier ones are left out.
fn latest_cases(cases: &[String]) -> String {
    let earlier = cases.len().saturating_sub(CASES_NAMED);
    let latest = cases[earlier..].join(", ");
    match earlier {
        0 => latest,
        n => format!("{n} earlier, {latest}"),
    }
}

fn write_human(out: &mut dyn Write, report: &Report, style: Style, zone: Zone) -> Result<()> {
    let title = format!("Complaints, {}", period_line(&report.period, zone));
    match style {
        Style::Terminal(_) => writeln!(out, "{title}")?,
        Style::Markdown => writeln!(out, "### {title}")?,
    }
    if report.is_empty() {
        writeln!(out, "\nno cases in this period")?;
        return Ok(());
    }
    writeln!(out)?;
    writeln!(out, "{}", headline(&report.summary, style))?;
    writeln!(out)?;
    let mut summary = new_table(style);
    summary.set_header(["measure", "value"]);
    for row in summary_rows(&report.summary) {
        summary.add_row(row);
    }
    write_table(out, &mut summary, style)?;

    let learning = &report.learning;
    if !learning.categories.is_empty() {
        heading(out, style, "Top categories")?;
        let mut table = new_table(style);
        table.set_header(["category", "received"]);
        for c in learning.categories.iter().take(5) {
            let name = c.key.as_deref().map_or(c.label().into(), typed);
            table.add_row([cell(style, &name), c.count.to_string()]);
        }
        write_table(out, &mut table, style)?;
    }
    if !learning.root_causes.is_empty() {
        heading(out, style, "Root causes")?;
        let mut table = new_table(style);
        table.set_header(["root cause", "resolutions"]);
        for c in learning.root_causes.iter().take(10) {
            table.add_row([cell(style, &c.key), c.count.to_string()]);
        }
        write_table(out, &mut table, style)?;
    }
    if !learning.repeat_customers.is_empty() {
        heading(out, style, "Customers who complained more than once")?;
        let mut table = new_table(style);
        table.set_header(["customer", "complaints", "cases"]);
        // A page a person reads: the customers who complained most, each
        // with their latest cases; the other formats list every one.
        for c in learning
            .repeat_customers
            .iter()
            .take(REPEAT_CUSTOMERS_SHOWN)
        {
            table.add_row([
                cell(style, &c.customer),
                c.complaints.to_string(),
                latest_cases(&c.cases),
            ]);
        }
        write_table(out, &mut table, style)?;
        let more = learning
            .repeat_customers
            .len()
            .saturating_sub(REPEAT_CUSTOMERS_SHOWN);
        if more > 0 {
            writeln!(
                out,
                "and {more} more {} (--format json lists every one)",
                crate::words::plural(more, "customer")
            )?;
        }
    }
    if let Some(trend) = &learning.trend {
        heading(
            out,
            style,
            &format!("Complaints received per {}", trend.unit.as_str()),
        )?;
        let most = trend
            .counts
            .iter()
            .map(|c| c.count)
            .max()
            .unwrap_or(0)
            .max(1);
        let key_width = trend.counts.iter().map(|c| c.key.len()).max().unwrap_or(0);
        if style == Style::Markdown {
            writeln!(out, "```")?;
        }
        for count in &trend.counts {
            let bar = (count.count * 30).div_ceil(most);
            writeln!(
                out,
                "{:<key_width$}  {:<30} {}",
                count.key,
                "█".repeat(bar),
                count.count
            )?;
        }
        if style == Style::Markdown {
            writeln!(out, "```")?;
        }
    }
    if let Some(by) = report.by {
        heading(out, style, &format!("By {by}"))?;
        let mut table = new_table(style);
        let with_updates = report.summary.updates.is_some();
        let mut header = vec![
            by.as_str(),
            "received",
            "open",
            "resolved",
            "reopened",
            "escalated",
            "1st response",
            "in target",
            "resolution",
            "in target",
            "follow-ups",
            "satisfied",
        ];
        if with_updates {
            header.push("updates");
        }
        table.set_header(header);
        for group in &report.groups {
            let m = &group.measures;
            let mut row = vec![
                cell(
                    style,
                    &if group.none || group.others.is_some() {
                        group.key.as_str().into()
                    } else {
                        typed(&group.key)
                    },
                ),
                m.received.to_string(),
                m.open_at_end.to_string(),
                m.resolved.to_string(),
                m.reopened.to_string(),
                m.escalated.to_string(),
                length_words(m.first_response.median_seconds),
                percent_words(m.first_response.within_target),
                length_words(m.resolution.median_seconds),
                percent_words(m.resolution.within_target),
                percent_words(m.follow_up.compliance),
                percent_words(m.satisfaction.rate),
            ];
            if with_updates {
                row.push(percent_words(m.updates.as_ref().and_then(|u| u.compliance)));
            }
            table.add_row(row);
        }
        write_table(out, &mut table, style)?;
    }
    Ok(())
}

const CSV_HEADER: &[&str] = &[
    "group",
    "received",
    "open_at_start",
    "open_at_end",
    "resolved",
    "closed",
    "reopened",
    "reopen_rate",
    "first_response_measured",
    "first_response_median_seconds",
    "first_response_p90_seconds",
    "first_response_within_target",
    "first_response_pending",
    "resolution_measured",
    "resolution_median_seconds",
    "resolution_p90_seconds",
    "resolution_within_target",
    "resolution_pending",
    "follow_up_resolutions",
    "follow_up_on_time",
    "follow_up_late",
    "follow_up_missed",
    "follow_up_not_scheduled",
    "follow_up_pending",
    "follow_up_compliance",
    "updates_on_time",
    "updates_missed",
    "updates_compliance",
    "satisfied",
    "not_satisfied",
    "unanswered",
    "satisfaction_rate",
    "escalated",
    "escalation_rate",
    "upheld",
    "partly_upheld",
    "not_upheld",
    "outcome_not_recorded",
    "with_redress",
    // Last, so sheets reading columns by place are not shifted.
    "row",
];

/// What a CSV row is, in its `row` column: the group's name alone cannot
/// say, as a category may be typed `all` or `(none)`.
fn row_kind(group: &crate::learning::measures::Group) -> &'static str {
    if group.none {
        "none"
    } else if group.others.is_some() {
        "others"
    } else {
        "group"
    }
}

/// One CSV row: the group's name, its measures, and what the row is
/// (`kind`, see [`row_kind`]).
fn csv_row(group: &str, m: &Measures, kind: &str) -> Vec<String> {
    let n = |v: usize| v.to_string();
    let o = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
    let r = |v: Option<f64>| v.map(|v| format!("{v:.4}")).unwrap_or_default();
    let (fr, rs, f, s) = (
        &m.first_response,
        &m.resolution,
        &m.follow_up,
        &m.satisfaction,
    );
    vec![
        group.to_string(),
        n(m.received),
        n(m.open_at_start),
        n(m.open_at_end),
        n(m.resolved),
        n(m.closed),
        n(m.reopened),
        r(m.reopen_rate),
        n(fr.measured),
        o(fr.median_seconds),
        o(fr.p90_seconds),
        r(fr.within_target),
        n(fr.pending),
        n(rs.measured),
        o(rs.median_seconds),
        o(rs.p90_seconds),
        r(rs.within_target),
        n(rs.pending),
        n(f.resolutions),
        n(f.on_time),
        n(f.late),
        n(f.missed),
        n(f.not_scheduled),
        n(f.pending),
        r(f.compliance),
        m.updates.as_ref().map(|u| n(u.on_time)).unwrap_or_default(),
        m.updates.as_ref().map(|u| n(u.missed)).unwrap_or_default(),
        r(m.updates.as_ref().and_then(|u| u.compliance)),
        n(s.satisfied),
        n(s.not_satisfied),
        n(s.unanswered),
        r(s.rate),
        n(m.escalated),
        r(m.escalation_rate),
        n(m.outcomes.upheld),
        n(m.outcomes.partly_upheld),
        n(m.outcomes.not_upheld),
        n(m.outcomes.not_recorded),
        n(m.outcomes.with_redress),
        kind.to_string(),
    ]
}

/// One row for the whole period ("all"), then one per group.
fn write_csv(out: &mut dyn Write, report: &Report) -> Result<()> {
    let mut writer = csv::Writer::from_writer(out);
    writer.write_record(CSV_HEADER)?;
    let safe = |row: Vec<String>| -> Vec<String> {
        row.iter()
            .map(|cell| untrusted::csv_cell(cell).into_owned())
            .collect()
    };
    writer.write_record(safe(csv_row("all", &report.summary, "all")))?;
    for group in &report.groups {
        writer.write_record(safe(csv_row(&group.key, &group.measures, row_kind(group))))?;
    }
    writer.flush().context("writing the CSV report")?;
    Ok(())
}

/// A value someone typed, as a table names it: one that reads like the
/// table's own names for no value or the rest ("(none)", "(3 others)") is
/// quoted, so that the two cannot be taken for each other.
fn typed(value: &str) -> std::borrow::Cow<'_, str> {
    if value.starts_with('(') && value.ends_with(')') {
        format!("\"{value}\"").into()
    } else {
        value.into()
    }
}
