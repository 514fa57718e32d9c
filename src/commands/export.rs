//! `caselog export`: every case (filtered as in `list`) as JSON, YAML or
//! CSV, for migration and analysis. `caselog import` reads it back.

use std::io::Write;

use anyhow::{Context, Result};
use serde_json::Value;

use super::Session;
use super::args::{FilterArgs, words};
use crate::case::exchange;
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
/// "; " and events are JSON text. `caselog import` reads it back.
#[derive(Debug, Args)]
pub struct ExportArgs {
    #[command(flatten)]
    pub filter: FilterArgs,
    #[arg(long, default_value = "json", value_parser = words::<Format>(Format::WORDS))]
    pub format: Format,
}

pub fn run(session: &Session, args: ExportArgs, out: &mut dyn Write) -> Result<u8> {
    let settings = session.settings()?;
    let now = session.now()?;
    let filter = args.filter.filter(session)?;
    let scan =
        session.every_full_case(|case| filter.keeps(&case, settings, now).then_some(case))?;
    let code = scan.exit_code();
    let mut cases = scan.cases;
    cases.sort_by(|a, b| a.opened_at.cmp(&b.opened_at).then_with(|| a.id.cmp(&b.id)));
    let rows: Vec<_> = cases.iter().map(exchange::to_row).collect();
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
