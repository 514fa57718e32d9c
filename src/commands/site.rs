//! `caselog site`: a static web site of the report, the due list and every
//! case, for the people who do not use a terminal. It reads every case
//! once, computes with the same code as `report` and `due`, and writes
//! only below `--out`.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Result;
use chrono::{DateTime, Utc};

use super::Session;
use crate::case::personal;
use crate::case::{Case, PersonalField};
use crate::error::InputError;
use crate::learning::measures::{self, Facts, Period};
use crate::practice::deadlines::{self, Deadline};
use crate::site::case_page::{self, Shared};
use crate::site::{self, Index, overview};
use crate::time::{self, Span, When, format_time};
use clap::Args;

/// Write a static web site of the report, what is due, and every case
///
/// For people without a terminal: an index with the report's numbers and
/// charts (complaints per day, week, month or longer by category; response
/// and resolution against target; satisfaction and reopens), the due list,
/// and one page per case (its steps, agreement and events). Plain HTML
/// with inline SVG: no script, no network; it works opened from disk and
/// from any static host. Times are in the log's time zone. The folder is
/// replaced whole on each run.
#[derive(Debug, Args)]
pub struct SiteArgs {
    /// The folder to write the site in: new, empty, or one `caselog site`
    /// wrote before (never inside cases/, never a symbolic link)
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Start of the report's period: a time (2026-11-01) or a duration
    /// before now (30d) [default: the beginning]
    #[arg(long, value_name = "WHEN")]
    pub since: Option<String>,
    /// The due list also shows what falls due within this long (90m, 2d, 1w)
    #[arg(long, value_name = "DURATION", default_value = "7d")]
    pub within: String,
    /// For a site that leaves the team: customers by stable pseudonyms, as
    /// `report --pseudonymise`, and the personal fields and free texts
    /// ([personal_data] in caselog.toml) left out, as `export --pseudonymise`
    #[arg(long)]
    pub pseudonymise: bool,
}

pub fn run(session: &Session, args: SiteArgs, out: &mut dyn Write) -> Result<u8> {
    let settings = session.settings()?;
    let now = session.now()?;
    let zone = session.zone();
    let within: Span = args.within.parse()?;
    let horizon = within.after(now, &settings.working_days);
    let since = match args.since.as_deref() {
        None => None,
        Some(text) => Some(match time::parse_when("--since", text, zone)? {
            When::Span(span) => span.before(now, zone),
            When::At(at) => at,
        }),
    };
    if since.is_some_and(|s| s >= now) {
        return Err(InputError::Invalid(format!(
            "the period is empty: --since {} is not before now",
            args.since.as_deref().unwrap_or_default()
        ))
        .into());
    }
    let period = Period {
        since,
        until: now,
        as_of: now,
        zone,
    };
    let store = session.store()?;
    let secret = match args.pseudonymise {
        true => Some(store.secret()?),
        false => None,
    };
    let personal: Vec<PersonalField> = match args.pseudonymise {
        true => settings.personal_data.all(),
        false => Vec::new(),
    };
    let scan = session.every_full_case(Some)?;
    let mut cases = scan.cases;
    cases.sort_by(|a, b| a.opened_at.cmp(&b.opened_at).then_with(|| a.id.cmp(&b.id)));

    let pseudonym = |case: &Case| {
        secret
            .as_ref()
            .and_then(|secret| personal::customer_pseudonym(secret, &case.customer))
    };
    let facts: Vec<Facts> = cases
        .iter()
        .filter_map(|case| {
            let facts = Facts::of(case, &period, settings)?;
            Some(match &secret {
                Some(_) => facts.with_customer(pseudonym(case)),
                None => facts,
            })
        })
        .collect();
    let facts: Vec<&Facts> = facts.iter().collect();
    let report = measures::compute(&facts, period, None, None, settings);
    let by_category = measures::trend_by_category(&facts, period);

    let pending: Vec<Vec<Deadline>> = cases
        .iter()
        .map(|case| deadlines::pending(case, settings, now))
        .collect();
    let due = due_list(&cases, &pending, horizon);

    let index = Index {
        period: period_words(&period, zone),
        generated: format_time(now, zone),
        zone: zone.name().to_string(),
        shared: args.pseudonymise.then(|| overview::shared_words(&personal)),
        unreadable: overview::unreadable_words(scan.unreadable),
        titles: overview::shows_titles(&personal),
        headline: overview::headline(&report.summary),
        measures: overview::measures(&report.summary),
        charts: overview::charts(&report, by_category.as_ref()),
        categories: overview::category_rows(&report.learning.categories),
        root_causes: report.learning.root_causes.clone(),
        repeat_customers: report.learning.repeat_customers.clone(),
        within: args.within.trim().to_string(),
        due: overview::due_rows(&due, now, zone, &personal),
    };
    let rows = overview::case_rows(&cases, zone, &personal);
    let pages: Vec<case_page::CasePage> = cases
        .iter()
        .zip(&pending)
        .map(|(case, pending)| {
            let shared = secret.as_ref().map(|_| Shared {
                personal: &personal,
                pseudonym: pseudonym(case),
            });
            case_page::case_page(case, pending, now, zone, shared.as_ref())
        })
        .collect();
    let files = site::render(&index, &rows, &pages)?;
    site::output::replace(
        &args.out,
        session.cwd(),
        store.root(),
        store.cases_dir(),
        &files,
    )?;
    writeln!(
        out,
        "wrote {} ({}); open {}",
        args.out.display(),
        crate::words::count(pages.len(), "case page"),
        args.out.join("index.html").display()
    )?;
    Ok(scan_code(scan.unreadable))
}

/// Exit 2 when some case file could not be read (each reported), else 0.
fn scan_code(unreadable: usize) -> u8 {
    if unreadable > 0 {
        crate::error::EXIT_INPUT
    } else {
        crate::error::EXIT_OK
    }
}

fn period_words(period: &Period, zone: time::Zone) -> String {
    let since = period
        .since
        .map_or("the beginning".into(), |t| format_time(t, zone));
    format!("{since} to {}", format_time(period.until, zone))
}

/// What `due --within` lists: every deadline not paused and due by
/// `horizon`, soonest (most overdue) first.
fn due_list<'c>(
    cases: &'c [Case],
    pending: &[Vec<Deadline>],
    horizon: DateTime<Utc>,
) -> Vec<(&'c Case, Deadline)> {
    let mut items: Vec<(&Case, Deadline)> = cases
        .iter()
        .zip(pending)
        .flat_map(|(case, deadlines)| {
            deadlines
                .iter()
                .filter(|d| !d.paused && d.due <= horizon)
                .map(move |d| (case, *d))
        })
        .collect();
    items.sort_by(|a, b| (a.1.due, &a.0.id, a.1.kind).cmp(&(b.1.due, &b.0.id, b.1.kind)));
    items
}
