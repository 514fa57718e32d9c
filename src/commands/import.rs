//! `caselog import`: create cases from an export (caselog's or a help
//! desk's). Every row is checked before anything is written: one bad row
//! writes nothing, unless `--skip-invalid` says to import the rest.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, Result};
use serde_json::{Map, Value};

use super::Session;
use super::args::{ByArg, CardArg, words};
use super::export::Format;
use crate::case::Case;
use crate::case::card;
use crate::case::exchange::{self, ImportContext};
use crate::case::file;
use crate::case::id::CaseId;
use crate::case::validate;
use crate::error::{EXIT_OK, InputError};
use crate::limits;
use crate::time;
use clap::Args;

/// Create cases from an export: caselog's own, or a help desk's
///
/// Each row needs title, customer, opened_at and summary; every other
/// field of `caselog export` is optional (status, category, channel,
/// resolved_at…). Ids are new; each case gets an `imported` event. Every
/// row is checked first: one bad row (reported with its row number) means
/// nothing is written, unless --skip-invalid. Prints the new ids.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The file ('-' for standard input)
    pub file: PathBuf,
    /// The file's format [default: from its extension]
    #[arg(long, value_parser = words::<Format>(Format::WORDS))]
    pub format: Option<Format>,
    /// Import the valid rows and report the others, instead of importing nothing
    #[arg(long)]
    pub skip_invalid: bool,
    #[command(flatten)]
    pub card: CardArg,
    #[command(flatten)]
    pub by: ByArg,
}

/// Rows with where each came from: "row 3" (CSV line) or "record 3".
type Rows = Vec<(String, Map<String, Value>)>;

pub fn run(session: &Session, args: ImportArgs, out: &mut dyn Write) -> Result<u8> {
    let store = session.store()?;
    let settings = session.settings()?;
    let stamp = session.stamp(args.by.by.as_deref())?;
    let shown = args.file.display().to_string();
    let format = match args.format {
        Some(format) => format,
        None => guess_format(&args.file)?,
    };
    let text = super::input::file_text(&args.file, "the cases to import", limits::IMPORT_BYTES)?;
    let rows = parse(&text, format).with_context(|| format!("reading {shown}"))?;

    let context = ImportContext {
        by: &stamp.by,
        now: stamp.at,
        source: &shown,
        categories: &settings.categories,
        max_text_bytes: settings.max_text_bytes,
        zone: stamp.zone,
    };
    let rules = validate::Rules {
        categories: &settings.categories,
        now: stamp.at,
        tolerance: settings.clock_tolerance.duration(),
    };
    let mut cases: Vec<Case> = Vec::new();
    let mut problems: Vec<String> = Vec::new();
    for (place, row) in &rows {
        let opened_at = row
            .get("opened_at")
            .and_then(Value::as_str)
            .and_then(|t| time::parse_time(t, context.zone).ok())
            .unwrap_or(context.now);
        let case =
            exchange::from_row(row, &context, CaseId::generate(opened_at)?).and_then(|case| {
                card::guard(None, case, args.card.allow_card_like_number)
                    .map_err(|e| exchange::RowError(e.to_string()))
            });
        match case {
            Ok(case) => match first_error(&case, &rules) {
                // A row whose case `check` would reject is refused now,
                // not discovered later.
                Some(error) => problems.push(format!("{shown}: {place}: {error}")),
                None => cases.push(case),
            },
            Err(e) => problems.push(format!("{shown}: {place}: {}", e.0)),
        }
    }
    if !problems.is_empty() && !args.skip_invalid {
        // In row order; the last line says what came of it.
        for problem in &problems[..problems.len() - 1] {
            super::say(problem);
        }
        return Err(InputError::Invalid(format!(
            "{} ({} of {} rows invalid; nothing was imported; --skip-invalid imports the valid ones)",
            problems[problems.len() - 1],
            problems.len(),
            rows.len()
        ))
        .into());
    }
    for problem in &problems {
        super::say(&format!("skipped {problem}"));
    }
    // All or nothing: every case is written out before any lands, so a
    // full disk leaves the log as it was. A clash of random ids is rare;
    // such a case gets a fresh one, as `open` does.
    let written = store.create_all(cases, |case| CaseId::generate(case.opened_at.0))?;
    for id in written {
        writeln!(out, "{id}")?;
    }
    Ok(EXIT_OK)
}

/// What `check` would first reject in the case a row makes, in words that
/// name the field (a file's line means nothing for a row).
fn first_error(case: &Case, rules: &validate::Rules) -> Option<String> {
    let text = file::render(case);
    let relative = case.id.path_in(std::path::Path::new(""));
    validate::check(&text, &relative, rules)
        .into_iter()
        .find(|p| p.is_error())
        .map(|p| p.message)
}

fn guess_format(file: &std::path::Path) -> Result<Format> {
    match file.extension().and_then(|e| e.to_str()) {
        Some("json") => Ok(Format::Json),
        Some("yaml" | "yml") => Ok(Format::Yaml),
        Some("csv") => Ok(Format::Csv),
        _ => Err(InputError::Invalid(format!(
            "cannot tell the format of {} from its name; give --format json, yaml or csv",
            file.display()
        ))
        .into()),
    }
}

fn parse(text: &str, format: Format) -> Result<Rows> {
    let records: Vec<Value> = match format {
        Format::Json => serde_json::from_str(text).map_err(|e| {
            InputError::Invalid(format!("line {}: not a JSON list of cases: {e}", e.line()))
        })?,
        Format::Yaml => crate::yaml::from_str(text).map_err(|e| {
            InputError::Invalid(format!(
                "line {}: not a YAML list of cases: {}",
                e.line.unwrap_or(1),
                e.message
            ))
        })?,
        Format::Csv => return parse_csv(text),
    };
    records
        .into_iter()
        .enumerate()
        .map(|(i, record)| match record {
            Value::Object(row) => Ok((format!("record {}", i + 1), row)),
            _ => {
                Err(InputError::Invalid(format!("record {}: not a table of fields", i + 1)).into())
            }
        })
        .collect()
}

fn parse_csv(text: &str) -> Result<Rows> {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| InputError::Invalid(format!("the CSV header: {e}")))?
        .iter()
        .map(str::to_string)
        .collect();
    // A wrong header is one problem, said once, not once per row; and a
    // column caselog does not know is refused even when every cell of it
    // is empty.
    let unknown: Vec<&str> = header
        .iter()
        .map(|name| name.trim())
        .filter(|name| !exchange::FIELDS.contains(name))
        .collect();
    if !unknown.is_empty() {
        return Err(InputError::Invalid(format!(
            "the CSV header names unknown column{} {} (columns are: {})",
            if unknown.len() == 1 { "" } else { "s" },
            unknown.join(", "),
            exchange::FIELDS.join(", ")
        ))
        .into());
    }
    for (i, name) in header.iter().enumerate() {
        if header[..i].iter().any(|other| other.trim() == name.trim()) {
            return Err(InputError::Invalid(format!(
                "the CSV header names the column '{}' twice",
                name.trim()
            ))
            .into());
        }
    }
    let mut rows = Vec::new();
    // Rows are numbered as a spreadsheet shows them: the header is row 1.
    for (i, record) in reader.records().enumerate() {
        let row = i + 2;
        let record = record.map_err(|e| InputError::Invalid(format!("row {row}: {e}")))?;
        let cells: Vec<String> = record.iter().map(str::to_string).collect();
        rows.push((
            format!("row {row}"),
            exchange::from_csv_record(&header, &cells),
        ));
    }
    Ok(rows)
}
