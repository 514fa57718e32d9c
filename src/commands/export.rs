//! `caselog export`: every case (filtered as in `list`) as JSON, YAML or
//! CSV, for migration and analysis. `caselog import` reads it back.

use std::io::Write;

use anyhow::{Context, Result};
use serde_json::Value;

use super::{Session, list, report_error};
use crate::error::{EXIT_INPUT, EXIT_OK};
use crate::exchange;
use crate::words::word_enum;

word_enum!(
    /// The formats of export and import.
    Format, "format" {
        Json => "json",
        Yaml => "yaml",
        Csv => "csv",
    }
);

pub struct Request {
    pub filter: list::Filter,
    pub format: Format,
}

pub fn run(session: &Session, request: Request, out: &mut dyn Write) -> Result<u8> {
    let log = session.log()?;
    let (mut cases, errors) = log.load_all();
    for err in &errors {
        report_error(err);
    }
    cases.retain(|case| request.filter.keeps(case));
    cases.sort_by(|a, b| a.opened_at.cmp(&b.opened_at).then_with(|| a.id.cmp(&b.id)));
    let rows: Vec<_> = cases.iter().map(exchange::to_row).collect();
    match request.format {
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
    Ok(if errors.is_empty() {
        EXIT_OK
    } else {
        EXIT_INPUT
    })
}
