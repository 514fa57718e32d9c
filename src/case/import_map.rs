//! Import mappings: how the columns of a help desk's or a regulator's
//! export become caselog's import columns, so a raw export imports
//! without a script.
//!
//! A mapping says, for each import column, which source column (or
//! columns) feed it; how the source writes its dates; how its words for
//! channels, statuses or severities translate; and which source columns
//! are deliberately left out. A source column the mapping neither uses
//! nor ignores is refused, so nothing is dropped silently. The mapping
//! file's format is described in docs/GUIDE.md (Import mappings).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use chrono::format::{Item, StrftimeItems};
use chrono::{NaiveDate, NaiveDateTime};
use serde::Deserialize;
use serde_json::{Map, Value};
use toml::Spanned;

use crate::case::exchange::{FIELDS, RowError};
use crate::case::{Channel, Outcome, Severity, Status};
use crate::error::{InputError, line_of};
use crate::time::{self, Zone};

/// The import columns that hold a time.
pub const TIME_FIELDS: &[&str] = &[
    "opened_at",
    "resolved_at",
    "follow_up_due",
    "follow_up_done_at",
];

/// Where one source column (or several) feed an import column.
#[derive(Debug, Clone, PartialEq)]
pub enum Source {
    /// One column, as it is.
    Column(String),
    /// The first of these that is not empty.
    First(Vec<Source>),
    /// Those that are not empty, joined by `with`.
    Join { parts: Vec<Source>, with: String },
    /// Text with `{Column}` placeholders; empty when every column it
    /// names is empty.
    Template(Vec<Piece>),
}

/// A part of a template.
#[derive(Debug, Clone, PartialEq)]
pub enum Piece {
    Text(String),
    Column(String),
}

impl Source {
    fn columns<'s>(&'s self, out: &mut Vec<&'s str>) {
        match self {
            Source::Column(c) => out.push(c),
            Source::First(parts) | Source::Join { parts, .. } => {
                parts.iter().for_each(|p| p.columns(out))
            }
            Source::Template(pieces) => out.extend(pieces.iter().filter_map(|p| match p {
                Piece::Column(c) => Some(c.as_str()),
                Piece::Text(_) => None,
            })),
        }
    }

    fn value(&self, cell: &dyn Fn(&str) -> String) -> String {
        match self {
            Source::Column(c) => cell(c),
            Source::First(parts) => parts
                .iter()
                .map(|p| p.value(cell))
                .find(|v| !v.trim().is_empty())
                .unwrap_or_default(),
            Source::Join { parts, with } => parts
                .iter()
                .map(|p| p.value(cell))
                .filter(|v| !v.trim().is_empty())
                .collect::<Vec<_>>()
                .join(with),
            Source::Template(pieces) => {
                let mut any = false;
                let mut out = String::new();
                for piece in pieces {
                    match piece {
                        Piece::Text(t) => out.push_str(t),
                        Piece::Column(c) => {
                            let v = cell(c);
                            any |= !v.trim().is_empty();
                            out.push_str(&v);
                        }
                    }
                }
                if any { out } else { String::new() }
            }
        }
    }
}

/// One import column and what feeds it.
#[derive(Debug, Clone)]
struct Feed {
    field: String,
    source: Source,
    /// Where it was said: `cfpb.toml:12` or `--map 'Issue=title'`.
    place: String,
}

/// A source's words for one import column's values, in caselog's words.
#[derive(Debug, Clone, Default)]
struct Words {
    pairs: Vec<(String, String)>,
    /// `"*"`: what any other non-empty value becomes.
    other: Option<String>,
}

impl Words {
    fn translate(&self, value: &str) -> Option<String> {
        let value = value.trim();
        if value.is_empty() {
            return None;
        }
        let found = self
            .pairs
            .iter()
            .find(|(from, _)| from == value)
            .or_else(|| {
                self.pairs
                    .iter()
                    .find(|(from, _)| from.eq_ignore_ascii_case(value))
            });
        Some(match (found, &self.other) {
            (Some((_, to)), _) => to.clone(),
            (None, Some(other)) => other.clone(),
            (None, None) => value.to_string(),
        })
    }
}

/// How a source's export becomes import rows.
#[derive(Debug, Clone, Default)]
pub struct Mapping {
    /// Names the source in the ids imported cases remember
    /// (`cfpb:1234567`), so two sources' ids never meet.
    pub source: Option<String>,
    feeds: Vec<Feed>,
    words: BTreeMap<String, Words>,
    ignore: Vec<String>,
    date_formats: Vec<String>,
    /// How the source separates tags in one cell, when not with ';'.
    tag_separator: Option<String>,
}

/// A mapping file as TOML gives it; checked into a [`Mapping`].
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MappingFile {
    source: Option<Spanned<String>>,
    date_format: Option<Spanned<toml::Value>>,
    tag_separator: Option<Spanned<String>>,
    #[serde(default)]
    ignore: Vec<Spanned<String>>,
    #[serde(default)]
    columns: BTreeMap<Spanned<String>, Spanned<toml::Value>>,
    #[serde(default)]
    values: BTreeMap<Spanned<String>, BTreeMap<Spanned<String>, Spanned<String>>>,
}

/// The words an import column's values may take, when they are words.
fn check_word(field: &str, value: &str) -> Result<(), String> {
    let value = value.trim();
    match field {
        "channel" | "preferred_contact" => value.parse::<Channel>().map(drop),
        "status" => value.parse::<Status>().map(drop),
        "severity" => value.parse::<Severity>().map(drop),
        "outcome" => value.parse::<Outcome>().map(drop),
        "agreed" | "satisfied" => match value.to_lowercase().as_str() {
            "true" | "yes" | "y" | "1" | "false" | "no" | "n" | "0" => Ok(()),
            _ => Err(format!("'{value}' is not yes or no")),
        },
        "tags" if value.contains('\n') => Err("a tag must be one line".into()),
        _ => Ok(()),
    }
}

fn known_field(field: &str) -> Result<(), String> {
    if FIELDS.contains(&field) {
        Ok(())
    } else {
        Err(format!(
            "'{field}' is not an import column (they are: {})",
            FIELDS.join(", ")
        ))
    }
}

/// Checks a chrono strftime format: it must be one, and give a date.
pub fn check_date_format(format: &str) -> Result<(), String> {
    if StrftimeItems::new(format).any(|item| matches!(item, Item::Error)) {
        return Err(format!(
            "'{format}' is not a date format (chrono strftime, such as %m/%d/%Y)"
        ));
    }
    // Writing a known moment and reading it back proves the format names
    // a whole date, and that it can be read at all.
    let sample = NaiveDate::from_ymd_opt(2026, 11, 20)
        .and_then(|d| d.and_hms_opt(13, 45, 0))
        .ok_or_else(|| "a sample date".to_string())?;
    let mut written = String::new();
    if write!(written, "{}", sample.format(format)).is_err() {
        return Err(format!(
            "'{format}' cannot be used for dates without a time zone (such as %z)"
        ));
    }
    match read_with(&written, format) {
        Some(t) if t.date() == sample.date() => Ok(()),
        _ => Err(format!(
            "the date format '{format}' does not give a whole date (a year, month and day)"
        )),
    }
}

/// Reads `text` by one format: as a date and time, else a date (midnight).
fn read_with(text: &str, format: &str) -> Option<NaiveDateTime> {
    NaiveDateTime::parse_from_str(text, format)
        .ok()
        .or_else(|| {
            NaiveDate::parse_from_str(text, format)
                .ok()
                .and_then(|d| d.and_hms_opt(0, 0, 0))
        })
}

fn parse_template(text: &str) -> Result<Vec<Piece>, String> {
    let mut pieces = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find(['{', '}']) {
        if rest[open..].starts_with('}') {
            return Err(format!(
                "the template \"{text}\" has a '}}' without its '{{'"
            ));
        }
        if open > 0 {
            pieces.push(Piece::Text(rest[..open].to_string()));
        }
        let after = &rest[open + 1..];
        let close = after
            .find('}')
            .ok_or_else(|| format!("the template \"{text}\" has a '{{' without its '}}'"))?;
        let column = &after[..close];
        if column.trim().is_empty() || column.contains('{') {
            return Err(format!(
                "the template \"{text}\" needs a column name in each {{…}}"
            ));
        }
        pieces.push(Piece::Column(column.trim().to_string()));
        rest = &after[close + 1..];
    }
    if !rest.is_empty() {
        pieces.push(Piece::Text(rest.to_string()));
    }
    if !pieces.iter().any(|p| matches!(p, Piece::Column(_))) {
        return Err(format!(
            "the template \"{text}\" names no {{column}}; a fixed value would be the same for every row"
        ));
    }
    Ok(pieces)
}

const SOURCE_SHAPES: &str = "a column name, a list of them (the first not empty), { join = [...], with = \"...\" } or { template = \"... {Column} ...\" }";

fn source_of(value: &toml::Value) -> Result<Source, String> {
    match value {
        toml::Value::String(column) if column.trim().is_empty() => {
            Err("a column name cannot be empty".into())
        }
        toml::Value::String(column) => Ok(Source::Column(column.trim().to_string())),
        toml::Value::Array(items) if items.is_empty() => {
            Err(format!("an empty list feeds nothing; give {SOURCE_SHAPES}"))
        }
        toml::Value::Array(items) => Ok(Source::First(
            items.iter().map(source_of).collect::<Result<_, _>>()?,
        )),
        toml::Value::Table(table) => {
            let keys: Vec<&str> = table.keys().map(String::as_str).collect();
            match keys.as_slice() {
                ["template"] => match &table["template"] {
                    toml::Value::String(t) => Ok(Source::Template(parse_template(t)?)),
                    _ => Err("template must be text".into()),
                },
                ["join"] | ["join", "with"] | ["with", "join"] => {
                    let parts = match &table["join"] {
                        toml::Value::Array(items) if !items.is_empty() => {
                            items.iter().map(source_of).collect::<Result<_, _>>()?
                        }
                        _ => return Err("join must be a list of what to join".into()),
                    };
                    let with = match table.get("with") {
                        None => "\n\n".to_string(),
                        Some(toml::Value::String(w)) => w.clone(),
                        Some(_) => return Err("with must be text".into()),
                    };
                    Ok(Source::Join { parts, with })
                }
                _ => Err(format!(
                    "a table here takes template, or join with an optional with; give {SOURCE_SHAPES}"
                )),
            }
        }
        _ => Err(format!("expected {SOURCE_SHAPES}")),
    }
}

impl Mapping {
    /// Reads a mapping file; `shown` names it in errors, with the line.
    pub fn read(shown: &str, text: &str) -> Result<Mapping, InputError> {
        let file: MappingFile =
            toml::from_str(text).map_err(|e| InputError::from_toml(shown, text, &e))?;
        let at = |span: std::ops::Range<usize>, message: String| InputError::InvalidFile {
            path: shown.to_string(),
            line: line_of(text, span.start),
            message,
        };
        let mut mapping = Mapping {
            source: None,
            ..Mapping::default()
        };
        if let Some(source) = file.source {
            let name = source.get_ref().trim();
            if name.is_empty() || name.contains(['\n', '\r', ':']) {
                return Err(at(
                    source.span(),
                    "source must be a short name on one line, without ':' (such as \"cfpb\")"
                        .into(),
                ));
            }
            mapping.source = Some(name.to_string());
        }
        if let Some(formats) = &file.date_format {
            let list: Vec<String> = match formats.get_ref() {
                toml::Value::String(f) => vec![f.clone()],
                toml::Value::Array(items) => items
                    .iter()
                    .map(|f| f.as_str().map(str::to_string))
                    .collect::<Option<_>>()
                    .ok_or_else(|| {
                        at(
                            formats.span(),
                            "date_format must be a format or a list of them".into(),
                        )
                    })?,
                _ => {
                    return Err(at(
                        formats.span(),
                        "date_format must be a format or a list of them".into(),
                    ));
                }
            };
            for format in &list {
                check_date_format(format)
                    .map_err(|why| at(formats.span(), format!("date_format: {why}")))?;
            }
            mapping.date_formats = list;
        }
        if let Some(separator) = file.tag_separator {
            if separator.get_ref().is_empty() || separator.get_ref().contains('\n') {
                return Err(at(
                    separator.span(),
                    "tag_separator must be one or more characters on one line".into(),
                ));
            }
            mapping.tag_separator = Some(separator.into_inner());
        }
        for (field, source) in &file.columns {
            let name = field.get_ref().as_str();
            known_field(name).map_err(|why| at(field.span(), format!("columns: {why}")))?;
            let parsed = source_of(source.get_ref())
                .map_err(|why| at(source.span(), format!("columns.{name}: {why}")))?;
            mapping.feeds.push(Feed {
                field: name.to_string(),
                source: parsed,
                place: format!("{shown}:{}", line_of(text, source.span().start)),
            });
        }
        for (field, pairs) in &file.values {
            let name = field.get_ref().as_str();
            known_field(name).map_err(|why| at(field.span(), format!("values: {why}")))?;
            if !mapping.feeds.iter().any(|f| f.field == name) {
                return Err(at(
                    field.span(),
                    format!("values.{name}: no column feeds {name} (add it to [columns])"),
                ));
            }
            let mut words = Words::default();
            for (from, to) in pairs {
                check_word(name, to.get_ref())
                    .map_err(|why| at(to.span(), format!("values.{name}: {why}")))?;
                let to = to.get_ref().trim().to_string();
                if from.get_ref() == "*" {
                    words.other = Some(to);
                } else {
                    words.pairs.push((from.get_ref().trim().to_string(), to));
                }
            }
            mapping.words.insert(name.to_string(), words);
        }
        for column in &file.ignore {
            let name = column.get_ref().trim();
            if let Some(feed) = mapping.feeds.iter().find(|f| {
                let mut used = Vec::new();
                f.source.columns(&mut used);
                used.contains(&name)
            }) {
                return Err(at(
                    column.span(),
                    format!("ignore names '{name}', which columns.{} uses", feed.field),
                ));
            }
            mapping.ignore.push(name.to_string());
        }
        Ok(mapping)
    }

    /// Adds `--map 'SOURCE COLUMN=field'`. Several for one field are read
    /// in order, the first not empty; together they replace what a
    /// mapping file says for that field.
    pub fn add_map(
        &mut self,
        arg: &str,
        from_command_line: &mut Vec<String>,
    ) -> Result<(), InputError> {
        let place = format!("--map '{arg}'");
        let Some((column, field)) = arg.rsplit_once('=') else {
            return Err(InputError::Invalid(format!(
                "{place}: expected SOURCE COLUMN=FIELD, such as 'Date received=opened_at'"
            )));
        };
        let (column, field) = (column.trim(), field.trim());
        if column.is_empty() {
            return Err(InputError::Invalid(format!(
                "{place}: the source column is empty"
            )));
        }
        known_field(field).map_err(|why| InputError::Invalid(format!("{place}: {why}")))?;
        let source = Source::Column(column.to_string());
        if from_command_line.iter().any(|f| f == field) {
            if let Some(feed) = self.feeds.iter_mut().find(|f| f.field == field) {
                match &mut feed.source {
                    Source::First(parts) => parts.push(source),
                    other => *other = Source::First(vec![other.clone(), source]),
                }
            }
            return Ok(());
        }
        from_command_line.push(field.to_string());
        self.feeds.retain(|f| f.field != field);
        self.feeds.push(Feed {
            field: field.to_string(),
            source,
            place,
        });
        Ok(())
    }

    /// Sets the date formats (`--date-format`), replacing the file's.
    pub fn set_date_formats(&mut self, formats: &[String]) -> Result<(), InputError> {
        for format in formats {
            check_date_format(format)
                .map_err(|why| InputError::Invalid(format!("--date-format: {why}")))?;
        }
        self.date_formats = formats.to_vec();
        Ok(())
    }

    pub fn date_formats(&self) -> &[String] {
        &self.date_formats
    }

    /// Checks the mapping against the source's header: every column the
    /// mapping names must be there, and every column there must be used
    /// or ignored. `shown` names the source file.
    pub fn check_header(&self, header: &[String], shown: &str) -> Result<(), InputError> {
        let has = |column: &str| header.iter().any(|h| h.trim() == column);
        for feed in &self.feeds {
            let mut used = Vec::new();
            feed.source.columns(&mut used);
            if let Some(missing) = used.iter().find(|c| !has(c)) {
                return Err(InputError::Invalid(format!(
                    "{}: {} is fed from the column '{missing}', which {shown} does not have (its columns: {})",
                    feed.place,
                    feed.field,
                    header.join(", ")
                )));
            }
        }
        // A column with no name is the caller's: one that holds nothing
        // is passed over.
        let unused: Vec<&str> = header
            .iter()
            .map(|h| h.trim())
            .filter(|h| {
                !h.is_empty()
                    && !self.ignore.iter().any(|i| i == h)
                    && !self.feeds.iter().any(|f| {
                        let mut used = Vec::new();
                        f.source.columns(&mut used);
                        used.contains(h)
                    })
            })
            .collect();
        if !unused.is_empty() {
            return Err(InputError::Invalid(format!(
                "{shown} has {} the mapping neither maps nor ignores: {} (map {}, or list {} in ignore = [...])",
                crate::words::plural(unused.len(), "column"),
                unused
                    .iter()
                    .map(|c| format!("'{c}'"))
                    .collect::<Vec<_>>()
                    .join(", "),
                crate::words::one_or_many(unused.len(), "it", "them"),
                crate::words::one_or_many(unused.len(), "it", "them"),
            )));
        }
        Ok(())
    }

    /// The import columns fed from the source column `column`.
    pub fn fed_from(&self, column: &str) -> Vec<&str> {
        self.feeds
            .iter()
            .filter(|feed| {
                let mut used = Vec::new();
                feed.source.columns(&mut used);
                used.contains(&column)
            })
            .map(|feed| feed.field.as_str())
            .collect()
    }

    /// Which of `fields` no source column feeds.
    pub fn unfed<'f>(&self, fields: &[&'f str]) -> Vec<&'f str> {
        fields
            .iter()
            .filter(|field| !self.feeds.iter().any(|f| f.field == **field))
            .copied()
            .collect()
    }

    /// One source row (its cells in header order) as an import row:
    /// each import column fed, its words translated, its dates read.
    pub fn row(
        &self,
        header: &[String],
        cells: &[String],
        zone: Zone,
    ) -> Result<Map<String, Value>, RowError> {
        let cell = |column: &str| -> String {
            header
                .iter()
                .position(|h| h.trim() == column)
                .and_then(|i| cells.get(i))
                .cloned()
                .unwrap_or_default()
        };
        let mut row = Map::new();
        for feed in &self.feeds {
            let value = feed.source.value(&cell);
            let value = match self.words.get(&feed.field) {
                Some(words) => words.translate(&value),
                None => Some(value).filter(|v| !v.trim().is_empty()),
            };
            let value = match (&self.tag_separator, value) {
                (Some(separator), Some(value)) if feed.field == "tags" => Some(
                    value
                        .split(separator.as_str())
                        .collect::<Vec<_>>()
                        .join(";"),
                ),
                (_, value) => value,
            };
            if let Some(value) = value {
                row.insert(feed.field.clone(), Value::String(value));
            }
        }
        read_dates(&mut row, &self.date_formats, zone)?;
        Ok(row)
    }
}

/// Rewrites the time columns of `row` written in one of `formats` as RFC
/// 3339; a value in none of them is left for caselog's own reading, and
/// refused here only when that cannot read it either.
pub fn read_dates(
    row: &mut Map<String, Value>,
    formats: &[String],
    zone: Zone,
) -> Result<(), RowError> {
    if formats.is_empty() {
        return Ok(());
    }
    for field in TIME_FIELDS {
        let Some(Value::String(text)) = row.get(*field) else {
            continue;
        };
        let text = text.trim();
        if text.is_empty() {
            continue;
        }
        let read = formats.iter().find_map(|f| read_with(text, f));
        let value = match read {
            Some(local) => zone
                .instant(local)
                .map_err(|why| RowError(format!("{field}: '{text}': {why}")))?
                .format("%Y-%m-%dT%H:%M:%SZ")
                .to_string(),
            None => match time::parse_time(text, zone) {
                Ok(_) => continue,
                // Why caselog's own reading fails too: a time in a gap of
                // the clocks is written right, and must not be called
                // unreadable.
                Err(why) => {
                    return Err(RowError(format!(
                        "{field}: '{text}' matches no date format given ({}), and as caselog reads times: {why}",
                        formats.join(", ")
                    )));
                }
            },
        };
        row.insert(field.to_string(), Value::String(value));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const CFPB: &str = r#"
source = "cfpb"
date_format = "%m/%d/%Y"
ignore = ["Company"]

[columns]
id = "Complaint ID"
opened_at = "Date received"
title = "Issue"
summary = ["Consumer complaint narrative", { join = ["Issue", "Sub-issue"], with = ": " }]
customer = { template = "CFPB complaint {Complaint ID}" }
channel = "Submitted via"

[values.channel]
Web = "web"
"Postal mail" = "letter"
"*" = "other"
"#;

    fn header() -> Vec<String> {
        [
            "Date received",
            "Issue",
            "Sub-issue",
            "Consumer complaint narrative",
            "Submitted via",
            "Company",
            "Complaint ID",
        ]
        .map(String::from)
        .to_vec()
    }

    fn cells(values: &[&str]) -> Vec<String> {
        values.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn a_mapping_feeds_translates_and_reads_dates() {
        let mapping = Mapping::read("cfpb.toml", CFPB).unwrap();
        mapping.check_header(&header(), "x.csv").unwrap();
        let row = mapping
            .row(
                &header(),
                &cells(&["11/20/2026", "Fees", "Late fee", "", "Fax", "Acme", "42"]),
                Zone::default(),
            )
            .unwrap();
        assert_eq!(row["opened_at"], "2026-11-20T00:00:00Z");
        assert_eq!(row["summary"], "Fees: Late fee");
        assert_eq!(row["customer"], "CFPB complaint 42");
        assert_eq!(row["channel"], "other");
        assert_eq!(row["id"], "42");
        let row = mapping
            .row(
                &header(),
                &cells(&["2026-11-19", "Fees", "", "It hurt.", "web", "", "43"]),
                Zone::default(),
            )
            .unwrap();
        assert_eq!(
            row["opened_at"], "2026-11-19",
            "left for caselog's own reading"
        );
        assert_eq!(row["summary"], "It hurt.");
        assert_eq!(row["channel"], "web");
    }

    #[test]
    fn mistakes_in_a_mapping_file_name_their_line() {
        let cases = [
            (
                "[columns]\ntitel = \"Issue\"\n",
                "m.toml:2: columns: 'titel' is not an import column",
            ),
            (
                "[columns]\nchannel = \"Via\"\n[values.channel]\nFax = \"fax\"\n",
                "m.toml:4: values.channel: unknown channel 'fax'",
            ),
            (
                "date_format = \"%Q\"\n",
                "m.toml:1: date_format: '%Q' is not a date format",
            ),
            ("date_format = \"%H:%M\"\n", "does not give a whole date"),
            (
                "[columns]\ntitle = { template = \"{Issue\" }\n",
                "m.toml:2: columns.title: the template",
            ),
            ("colums = 1\n", "m.toml:1:"),
            (
                "ignore = [\"Issue\"]\n[columns]\ntitle = \"Issue\"\n",
                "m.toml:1: ignore names 'Issue', which columns.title uses",
            ),
        ];
        for (text, expected) in cases {
            let err = Mapping::read("m.toml", text).unwrap_err().to_string();
            assert!(
                err.starts_with(expected) || err.contains(expected),
                "{text}: {err}"
            );
            assert_eq!(err.lines().count(), 1, "{err}");
        }
    }

    #[test]
    fn a_header_must_match_the_mapping_both_ways() {
        let mapping = Mapping::read("cfpb.toml", CFPB).unwrap();
        let mut extra = header();
        extra.push("State".into());
        let err = mapping
            .check_header(&extra, "x.csv")
            .unwrap_err()
            .to_string();
        assert!(err.contains("neither maps nor ignores: 'State'"), "{err}");
        let short: Vec<String> = header().into_iter().filter(|h| h != "Issue").collect();
        let err = mapping
            .check_header(&short, "x.csv")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("cfpb.toml:"), "{err}");
        assert!(
            err.contains("the column 'Issue', which x.csv does not have"),
            "{err}"
        );
    }

    #[test]
    fn command_line_maps_replace_the_files_and_fall_back_in_order() {
        let mut mapping = Mapping::read("cfpb.toml", CFPB).unwrap();
        let mut seen = Vec::new();
        mapping.add_map("Sub-issue=title", &mut seen).unwrap();
        mapping.add_map("Issue=title", &mut seen).unwrap();
        let row = mapping
            .row(
                &header(),
                &cells(&["11/20/2026", "Fees", "", "", "", "", "42"]),
                Zone::default(),
            )
            .unwrap();
        assert_eq!(row["title"], "Fees");
        assert!(mapping.add_map("Issue", &mut seen).is_err());
        assert!(mapping.add_map("Issue=priority", &mut seen).is_err());
    }

    #[test]
    fn the_guide_s_example_mapping_reads() {
        let guide = include_str!("../../docs/GUIDE.md");
        let marker = "A mapping file is TOML:\n\n```toml\n";
        let start = guide.find(marker).expect("the example in the guide") + marker.len();
        let end = start + guide[start..].find("```").expect("its end");
        let mapping = Mapping::read("GUIDE.md", &guide[start..end]).unwrap();
        assert_eq!(mapping.source.as_deref(), Some("cfpb"));
    }

    #[test]
    fn a_date_in_no_format_is_refused() {
        let mut row = Map::new();
        row.insert("opened_at".into(), Value::String("31/12/2026".into()));
        let err = read_dates(&mut row, &["%m/%d/%Y".into()], Zone::default()).unwrap_err();
        assert!(
            err.0.contains("matches no date format given (%m/%d/%Y)"),
            "{err:?}"
        );
    }
}
