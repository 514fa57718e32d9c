//! `caselog export`: every case (filtered as in `list`) as JSON, YAML or
//! CSV, for migration and analysis. `caselog import` reads it back.

use std::io::Write;

use anyhow::{Context, Result};
use serde_json::Value;

use super::Session;
use super::args::{FilterArgs, PersonCheck, words};
use crate::case::personal::{self, Known};
use crate::case::{Case, exchange};
use crate::words::word_enum;
use clap::Args;

word_enum!(
    /// The formats of export and import.
    Format, "format" {
        Json => "json",
        Yaml => "yaml",
        Csv => "csv",
    }
);

/// Every case as JSON, YAML or CSV, for migration and analysis
///
/// One flat row per case with every field; in CSV, tags are joined with
/// "; " and events are JSON text. `caselog import` reads it back. With
/// --customer, it is everything held about one person (an access request):
/// the cases whose name, contact or reference is exactly it; stderr says
/// how many matched, and on what, and names those left out that only
/// hold it in part.
#[derive(Debug, Args)]
// Here --customer is an access request, exact, not `list`'s text search.
#[command(mut_arg("customer", |arg| arg.value_name("WHO").help(
    "Every case whose customer name, contact or reference is exactly WHO (however typed), now or \
     before an edit corrected it: an access request; stderr names the cases that only hold it in part"
)))]
pub struct ExportArgs {
    #[command(flatten)]
    pub filter: FilterArgs,
    /// The output format
    #[arg(long, default_value = "json", value_parser = words::<Format>(Format::WORDS))]
    pub format: Format,
    /// For sharing: each customer becomes a stable pseudonym (a keyed hash
    /// with the log's secret in .caselog/secret), and the other personal
    /// fields and free texts ([personal_data] in caselog.toml) are left out
    #[arg(long)]
    pub pseudonymise: bool,
}

pub fn run(session: &Session, args: ExportArgs, out: &mut dyn Write) -> Result<u8> {
    let settings = session.settings()?;
    let now = session.now()?;
    let filter = args.filter.filter(session)?;
    let person_check = PersonCheck::new(&filter, &args.filter, "--assignee");
    let scan = session.every_full_case(|case| {
        person_check.see(&case);
        filter.keeps(&case, settings, now).then_some(case)
    })?;
    person_check.finish();
    let code = scan.exit_code();
    let unreadable = scan.unreadable_files();
    let mut cases = scan.cases;
    cases.sort_by(|a, b| a.opened_at.cmp(&b.opened_at).then_with(|| a.id.cmp(&b.id)));
    if let Some(wanted) = &filter.customer {
        cases = exact_matches(wanted, cases);
        // An access request answered from part of the log says so.
        if let Some(files) = &unreadable {
            super::say(&format!(
                "the export may be incomplete: {files} could not be read (said above) and may hold this customer"
            ));
        }
    }
    let rows: Vec<_> = if args.pseudonymise {
        let secret = session.store()?.secret()?;
        let personal = settings.personal_data.all();
        cases
            .iter()
            .map(|case| {
                let pseudonym = personal::customer_pseudonym(&secret, &case.customer);
                exchange::to_shared_row(case, &personal, pseudonym.as_deref())
            })
            .collect()
    } else {
        cases.iter().map(exchange::to_row).collect()
    };
    match args.format {
        Format::Json => super::json::write(out, &rows)?,
        Format::Yaml => {
            let rows: Vec<Value> = rows.into_iter().map(Value::Object).collect();
            write!(out, "{}", crate::yaml::to_string(&rows)?)?;
        }
        Format::Csv => {
            let mut writer = csv::Writer::from_writer(out);
            writer.write_record(exchange::FIELDS)?;
            for row in &rows {
                writer.write_record(exchange::to_csv_cells(row))?;
            }
            writer.flush().context("writing the CSV export")?;
        }
    }
    Ok(code)
}

/// The cases of an access request: those whose customer is exactly
/// `wanted` by name, contact or reference. Said on stderr: how many, on
/// what, and the cases that only hold it in part (a longer name, another
/// address), which are left out, since they may be someone else's.
fn exact_matches(wanted: &str, cases: Vec<Case>) -> Vec<Case> {
    let mut exact: Vec<(Known, String, usize)> = Vec::new();
    let mut partial: Vec<String> = Vec::new();
    let mut kept = Vec::with_capacity(cases.len());
    for case in cases {
        let found = personal::matching(&case, wanted);
        for (known, value) in &found.exactly {
            match exact.iter_mut().find(|(k, v, _)| {
                k == known && personal::normalised(v) == personal::normalised(value)
            }) {
                Some((_, _, count)) => *count += 1,
                None => exact.push((*known, value.clone(), 1)),
            }
        }
        if found.is_exact() {
            kept.push(case);
        } else {
            let on: Vec<String> = found
                .partly
                .iter()
                .map(|(known, value)| format!("{} '{value}'", known.label()))
                .collect();
            partial.push(format!("{} ({})", case.id, on.join(", ")));
        }
    }
    exact.sort();
    let on: Vec<String> = exact
        .iter()
        .map(|(known, value, count)| format!("{} '{value}' in {count}", known.label()))
        .collect();
    let count = kept.len();
    super::say(&format!(
        "{} matched --customer '{}' (name, contact or reference, however typed){}",
        crate::words::count(count, "case"),
        wanted.trim(),
        if on.is_empty() {
            String::new()
        } else {
            format!(": exactly on {}", on.join(", "))
        }
    ));
    if !partial.is_empty() {
        super::say(&format!(
            "left out {} that only hold it in part: {}; if one is the same person, export again with its exact value",
            partial.len(),
            partial.join(", ")
        ));
    }
    kept
}
