//! `caselog import`: create cases from an export (caselog's or a help
//! desk's). Every row is checked before anything is written: one bad row
//! writes nothing, unless `--skip-invalid` says to import the rest.

use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use serde_json::{Map, Value};

use super::Session;
use super::args::{ByArg, CardArg, words};
use super::export::Format;
use crate::case::card;
use crate::case::exchange::{self, ImportContext, RowError};
use crate::case::file;
use crate::case::id::CaseId;
use crate::case::import_map::{self, Mapping};
use crate::case::lifecycle::{self, Correction};
use crate::case::redaction;
use crate::case::validate;
use crate::case::{Action, Case, EditField};
use crate::error::{EXIT_INPUT, EXIT_OK, InputError};
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
///
/// A help desk's or a regulator's own columns are mapped onto these with
/// --mapping FILE (a TOML mapping; examples/imports/ has CFPB and Zendesk
/// ones) or --map 'SOURCE COLUMN=field'; every source column must be
/// mapped or listed in the mapping's `ignore`. A row's `id` (a mapped
/// ticket number, or the case id in caselog's own export) is remembered:
/// importing the same export again skips the cases already imported, or
/// with --update corrects their changed fields (title, customer, contact,
/// reference, preferred_contact, channel, category, severity, tags, wants)
/// as `edited` events. A count of what was skipped and updated goes to
/// standard error.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The file ('-' for standard input)
    pub file: PathBuf,
    /// The file's format [default: from its extension]
    #[arg(long, value_parser = words::<Format>(Format::WORDS))]
    pub format: Option<Format>,
    /// A mapping file (TOML) from the source's columns to caselog's
    #[arg(long, value_name = "FILE")]
    pub mapping: Option<PathBuf>,
    /// Feed an import column from a source column, such as 'Date
    /// received=opened_at'; repeat for several columns, and for one field
    /// to take the first of its columns that is not empty
    #[arg(long = "map", value_name = "COLUMN=FIELD")]
    pub maps: Vec<String>,
    /// How the source writes dates, in chrono strftime, such as %m/%d/%Y;
    /// repeat to try several (ISO dates are always read)
    #[arg(long = "date-format", value_name = "FORMAT")]
    pub date_formats: Vec<String>,
    /// Correct the changed fields of cases imported before from the same
    /// source, instead of skipping them
    #[arg(long)]
    pub update: bool,
    /// Import the valid rows and report the others (exit code 2), instead of
    /// importing nothing
    #[arg(long)]
    pub skip_invalid: bool,
    #[command(flatten)]
    pub card: CardArg,
    #[command(flatten)]
    pub by: ByArg,
}

/// Rows with where each came from: "row 3" (CSV line) or "record 3", and
/// the import row, or why the source row cannot become one.
type Rows = Vec<(String, Result<Map<String, Value>, RowError>)>;

/// Each row's cells of a source, with where the row came from.
type SourceRows = Vec<(String, Vec<String>)>;

/// A source's header, and its rows.
type SourceTable = (Vec<String>, SourceRows);

/// For each record, its columns whose cell may not be what the file holds
/// (a number not as written, a list, a table), with why, and the import
/// columns that may take it all the same.
type Misread = Vec<Vec<(String, String, &'static [&'static str])>>;

/// The most a mapping file may hold: far above any real one.
const MAPPING_BYTES: u64 = 1024 * 1024;

/// A case already in the log that a row describes again.
struct Known {
    id: CaseId,
    redacted: bool,
}

/// What the log holds, as an import needs it.
#[derive(Default)]
struct KnownCases {
    /// Each case by every id a re-import may know it by.
    by_id: HashMap<String, Known>,
    /// Each case closed as a duplicate, and the id it names.
    duplicates: Vec<(CaseId, CaseId)>,
}

/// A correction to a case imported before, checked and ready to write.
struct Update {
    id: CaseId,
    corrections: Vec<Correction>,
    fields: Vec<EditField>,
}

pub fn run(session: &Session, args: ImportArgs, out: &mut dyn Write) -> Result<u8> {
    let store = session.store()?;
    let settings = session.settings()?;
    let stamp = session.stamp(args.by.by.as_deref())?;
    let shown = args.file.display().to_string();
    let format = match args.format {
        Some(format) => format,
        None => guess_format(&args.file)?,
    };
    let mapping = mapping(&args)?;
    let (bytes, _) =
        super::input::file_bytes(&args.file, "the cases to import", limits::IMPORT_BYTES)?;
    let text = utf8(bytes, &shown)?;
    // Spreadsheets and help desks often start a UTF-8 file with a BOM.
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let text = match format {
        Format::Csv => without_separator_line(text)?,
        Format::Json | Format::Yaml => std::borrow::Cow::Borrowed(text),
    };
    let text = text.as_ref();
    let rows = match &mapping {
        Some(mapping) => parse_mapped(text, format, mapping, &shown, stamp.zone),
        None => parse(text, format).map(|rows| {
            rows.into_iter()
                .map(|(place, mut row)| {
                    let dated = import_map::read_dates(&mut row, &args.date_formats, stamp.zone)
                        .and_then(|()| exchange::numbers_as_written(&row, format == Format::Yaml))
                        .map(|()| row);
                    (place, dated)
                })
                .collect()
        }),
    }
    .with_context(|| format!("reading {shown}"))?;

    // The history names the file, not the folders it was in on one
    // person's machine.
    let source = args
        .file
        .file_name()
        .map_or_else(|| shown.clone(), |name| name.to_string_lossy().into_owned());
    // Made (under the lock) before the batch takes it.
    let secret = store.secret()?;
    let context = ImportContext {
        secret: &secret,
        by: &stamp.by,
        now: stamp.at,
        source: &source,
        source_name: mapping.as_ref().and_then(|m| m.source.as_deref()),
        categories: &settings.categories,
        max_text_bytes: settings.max_text_bytes,
        zone: stamp.zone,
        clock_tolerance: settings.clock_tolerance,
    };
    let rules = validate::Rules {
        categories: &settings.categories,
        now: stamp.at,
        tolerance: settings.clock_tolerance.duration(),
    };
    if rows.is_empty() {
        // Said, so that an export cut short is not taken for an import.
        super::say(&format!("{shown} holds no cases: nothing was imported"));
        return Ok(EXIT_OK);
    }
    // What the log already holds, by every id a re-import may know it by.
    let known = known_cases(session)?.by_id;

    // Each new case, with the ids the log may know its row by.
    let mut cases: Vec<(Case, Vec<String>)> = Vec::new();
    let mut updates: Vec<Update> = Vec::new();
    let mut skipped = 0usize;
    let mut problems: Vec<String> = Vec::new();
    // Each source id this file gives, and where: twice is a mistake.
    let mut seen: HashMap<String, String> = HashMap::new();
    // What --update found erased in the source, said once the import lands.
    let mut erased_notes: Vec<String> = Vec::new();
    // The ids of rows that are cases the log holds already: a duplicate
    // in the file may name its original by any of them.
    let mut held: Vec<Vec<String>> = Vec::new();
    for (place, row) in &rows {
        let row = match row {
            Ok(row) => row,
            Err(e) => {
                problems.push(format!("{shown}: {place}: {}", e.0));
                continue;
            }
        };
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
        let case = match case {
            Ok(case) => case,
            Err(e) => {
                problems.push(format!("{shown}: {place}: {}", e.0));
                continue;
            }
        };
        // A row whose case `check` would reject is refused now, not
        // discovered later.
        if let Some(error) = first_error(&case, &rules) {
            problems.push(format!("{shown}: {place}: {error}"));
            continue;
        }
        let ids = row_ids(&case, row, &context);
        if let Some(again) = ids.iter().find_map(|id| seen.get(id).map(|at| (id, at))) {
            let given = row
                .get("id")
                .is_some_and(|id| id.as_str().is_none_or(|id| !id.trim().is_empty()));
            problems.push(if given {
                format!(
                    "{shown}: {place}: id '{}' was given before, in {}",
                    again.0, again.1
                )
            } else {
                format!(
                    "{shown}: {place}: it has the title, customer, opened_at and summary of {} (a row without an id is known by them)",
                    again.1
                )
            });
            continue;
        }
        // Its duplicate_of is renumbered by the ids rows were given: its
        // own would make it a duplicate of itself.
        let source_name = context.source_name;
        if let Some(own) = case
            .events
            .iter()
            .filter_map(|e| e.duplicate_of.as_ref())
            .find(|of| ids.contains(&exchange::source_id(source_name, of.as_str(), &secret)))
        {
            problems.push(format!(
                "{shown}: {place}: it is closed as a duplicate of {own}, which is its own id"
            ));
            continue;
        }
        for id in &ids {
            seen.insert(id.clone(), place.clone());
        }
        let earlier = ids.iter().find_map(|id| known.get(id));
        if earlier.is_some() {
            held.push(ids.clone());
        }
        match earlier {
            None => cases.push((case, ids)),
            // A redacted case is never filled in again from an export.
            Some(earlier) if earlier.redacted => skipped += 1,
            Some(earlier) => {
                erased_notes.extend(erased_there(row, &case, earlier));
                if !args.update {
                    skipped += 1;
                    continue;
                }
                match correction(session, &stamp, earlier, row, &case, &args) {
                    Ok(Some(update)) => updates.push(update),
                    Ok(None) => skipped += 1,
                    Err(e) => problems.push(format!("{shown}: {place}: {}", e)),
                }
            }
        }
    }
    if !problems.is_empty() && !args.skip_invalid {
        // In row order; the last line says what came of it.
        for problem in &problems[..problems.len() - 1] {
            super::say(problem);
        }
        return Err(InputError::Invalid(format!(
            "{} ({} of {} invalid; nothing was imported; --skip-invalid imports the valid ones)",
            problems[problems.len() - 1],
            problems.len(),
            crate::words::count(rows.len(), "row")
        ))
        .into());
    }
    for problem in &problems {
        super::say(&format!("skipped {problem}"));
    }
    // All or nothing, new cases and corrections alike: every file is
    // written out before any lands, so a failing write (a full disk) or
    // a case that changed meanwhile into one the correction no longer
    // fits leaves the log as it was.
    // Another import of the same rows may have landed meanwhile: what the
    // log holds under the lock decides, so the same file imported twice
    // at once still creates each case once.
    let mut batch = store.batch()?;
    let KnownCases {
        by_id: now_known,
        duplicates,
    } = known_cases(session)?;
    let fresh_id = |case: &Case| CaseId::generate(case.opened_at.0);
    let mut new_cases: Vec<Case> = Vec::with_capacity(cases.len());
    let mut taken: HashSet<CaseId> = HashSet::new();
    // The cases this import adds, by every id the file gives them.
    let mut added: HashMap<String, CaseId> = HashMap::new();
    for (mut case, ids) in cases {
        if ids.iter().any(|id| now_known.contains_key(id)) {
            skipped += 1;
            held.push(ids);
            continue;
        }
        // Each id is settled before any is written, so a duplicate can
        // be pointed at its original's.
        case.id = batch
            .free_id(&case, &taken, fresh_id)
            .context("nothing was imported")?;
        taken.insert(case.id.clone());
        added.extend(ids.into_iter().map(|old| (old, case.id.clone())));
        new_cases.push(case);
    }
    // Every id an original may be named by in the file: of the cases
    // the log holds (and of the rows that are them), and of the cases
    // this import adds.
    let mut here: HashMap<String, CaseId> = now_known
        .iter()
        .map(|(old, known)| (old.clone(), known.id.clone()))
        .collect();
    // The ids a held row brings that the log did not know its case by
    // (an original back from a round trip), for the notes below.
    let mut learned: HashMap<String, CaseId> = HashMap::new();
    for ids in &held {
        if let Some(known) = ids.iter().find_map(|id| now_known.get(id)) {
            for old in ids {
                here.insert(old.clone(), known.id.clone());
                if !now_known.contains_key(old) {
                    learned.insert(old.clone(), known.id.clone());
                }
            }
        }
    }
    here.extend(added.iter().map(|(old, id)| (old.clone(), id.clone())));
    // Said once the import has landed: nothing else is worth saying.
    let mut notes: Vec<String> = erased_notes;
    let source_name = context.source_name;
    for case in &mut new_cases {
        let unknown = exchange::renumber_duplicate(case, |old| {
            here.get(&exchange::source_id(source_name, old.as_str(), &secret))
                .cloned()
        });
        for old in unknown {
            notes.push(format!(
                "{}: its original, {old}, is not in this log (an import that brings it says how to link the two)",
                case.id
            ));
        }
    }
    // A duplicate imported before its original names the original's old
    // id; its closing is history, not rewritten, but the user is told.
    for (duplicate, original) in &duplicates {
        let named = exchange::source_id(source_name, original.as_str(), &secret);
        let (now, how) = match (added.get(&named), learned.get(&named)) {
            (Some(now), _) => (now, "imported now as"),
            (None, Some(held)) => (held, "which this log holds as"),
            (None, None) => continue,
        };
        notes.push(format!(
            "{duplicate} is closed as a duplicate of {original}, {how} {now}: `caselog reopen {duplicate} --reason TEXT` and `caselog close {duplicate} --duplicate-of {now}` link them"
        ));
    }
    // Printed in the file's order; the files land originals first.
    let written: Vec<CaseId> = new_cases.iter().map(|c| c.id.clone()).collect();
    for case in exchange::originals_first(new_cases) {
        let settled = case.id.clone();
        let id = batch
            .create(case, fresh_id)
            .context("nothing was imported")?;
        if id != settled {
            // Only a case opened meanwhile without the lock can take it;
            // a duplicate may already name it.
            bail!(
                "case id {settled} was taken while importing; nothing was imported (run the import again)"
            );
        }
    }
    let mut updated: Vec<&Update> = Vec::with_capacity(updates.len());
    let mut staged = Vec::with_capacity(updates.len());
    for update in &updates {
        // From the file as it is now, under the lock.
        let change = session
            .change_in(
                &mut batch,
                update.id.as_str(),
                args.by.by.as_deref(),
                args.card.allow_card_like_number,
                |case, stamp| lifecycle::edit(case, stamp, &update.corrections),
            )
            .with_context(|| format!("updating case {}; nothing was imported", update.id))?;
        if change.changed.written {
            updated.push(update);
        } else {
            skipped += 1;
        }
        staged.push(change);
    }
    batch.land()?;
    for change in staged {
        change.landed();
    }
    for note in &notes {
        super::say(note);
    }
    let imported = written.len();
    for id in written {
        writeln!(out, "{id}")?;
    }
    for update in &updated {
        let fields: Vec<&str> = update.fields.iter().map(|f| f.as_str()).collect();
        super::say(&format!("updated {}: {}", update.id, fields.join(", ")));
    }
    let updated = updated.len();
    if skipped > 0 || updated > 0 {
        super::say(&format!(
            "imported {imported}, updated {updated}, skipped {skipped} imported before{}",
            if args.update || skipped == 0 {
                ""
            } else {
                " (--update corrects their changed fields)"
            }
        ));
    }
    // As `list` or `export` past a file they cannot read: the work is
    // done on the rest, and a script still learns some rows were not.
    if problems.is_empty() {
        Ok(EXIT_OK)
    } else {
        super::say(&format!(
            "{} of {} invalid and not imported (listed above)",
            problems.len(),
            crate::words::count(rows.len(), "row")
        ));
        Ok(EXIT_INPUT)
    }
}

/// The ids the log may know a row's case by: the row's own (or its
/// digest), the digest as a redaction keyed it with this log's secret,
/// and an id holding a card number as a caselog before keyed digests kept it.
fn row_ids(case: &Case, row: &Map<String, Value>, context: &ImportContext) -> Vec<String> {
    let mut ids: Vec<String> = exchange::known_as(case).into_iter().skip(1).collect();
    let keyed: Vec<String> = ids
        .iter()
        .filter_map(|id| redaction::keyed_row(context.secret, id))
        .collect();
    ids.extend(keyed);
    let given = match row.get("id") {
        Some(Value::String(id)) => Some(id.trim().to_string()),
        Some(Value::Number(id)) => Some(id.to_string()),
        _ => None,
    };
    ids.extend(given.and_then(|id| exchange::unkeyed_source_id(context.source_name, &id)));
    ids
}

/// Every case the log holds, by every id a re-import may know it by (the
/// index keeps each imported event's source id).
fn known_cases(session: &Session) -> Result<KnownCases> {
    let scan = session.every_case(|case| {
        let redacted = case.events.iter().any(|e| e.action == Action::Redacted);
        Some((
            exchange::known_as(case),
            case.id.clone(),
            redacted,
            case.duplicate_of.clone(),
        ))
    })?;
    if let Some(files) = scan.unreadable_files() {
        return Err(InputError::Invalid(format!(
            "{files} could not be read, so cases imported before might be imported again; nothing was imported (fix them first: caselog check)"
        ))
        .into());
    }
    let mut known = KnownCases::default();
    for (ids, id, redacted, duplicate_of) in scan.cases {
        if let Some(original) = duplicate_of {
            known.duplicates.push((id.clone(), original));
        }
        for old in ids {
            known.by_id.insert(
                old,
                Known {
                    id: id.clone(),
                    redacted,
                },
            );
        }
    }
    Ok(known)
}

/// The mapping the arguments describe, if any: the file, then `--map`
/// and `--date-format` over it.
fn mapping(args: &ImportArgs) -> Result<Option<Mapping>> {
    let mut mapping = match &args.mapping {
        Some(path) if path.as_os_str() == "-" && args.file.as_os_str() == "-" => {
            return Err(InputError::Invalid(
                "the export and the mapping cannot both come from standard input".into(),
            )
            .into());
        }
        Some(path) => {
            let text = super::input::file_text(path, "the import mapping", MAPPING_BYTES)?;
            Mapping::read(&path.display().to_string(), &text)?
        }
        None if args.maps.is_empty() => {
            // Dates only, if anything: caselog's own columns, read by
            // these formats, which are checked before any row is read.
            for format in &args.date_formats {
                import_map::check_date_format(format)
                    .map_err(|why| InputError::Invalid(format!("--date-format: {why}")))?;
            }
            return Ok(None);
        }
        None => Mapping::default(),
    };
    let mut from_command_line = Vec::new();
    for map in &args.maps {
        mapping.add_map(map, &mut from_command_line)?;
    }
    if !args.date_formats.is_empty() {
        mapping.set_date_formats(&args.date_formats)?;
    }
    Ok(Some(mapping))
}

/// What `--update` would change on the case a row was imported as, or
/// `None` when the row says nothing new. Only the fields the row gives
/// are compared: an empty cell never erases a value.
fn correction(
    session: &Session,
    stamp: &lifecycle::Stamp,
    earlier: &Known,
    row: &Map<String, Value>,
    from_row: &Case,
    args: &ImportArgs,
) -> Result<Option<Update>> {
    let stored = session.store()?.load(earlier.id.as_str())?;
    let given = |field: &EditField| {
        row.get(field.as_str())
            .is_some_and(|v| !v.is_null() && v.as_str().is_none_or(|s| !s.trim().is_empty()))
    };
    // A redaction's marker is no value: written as an edit, it would keep
    // the erased value as the edit's old one, in a case that looks redacted
    // and is not (see `erased_there`).
    let marker = |field: &EditField| {
        field
            .get(from_row)
            .is_some_and(|value| redaction::is_marker(&value))
    };
    let fields: Vec<EditField> = EditField::ALL
        .iter()
        .filter(|field| {
            given(field) && !marker(field) && field.get(from_row) != field.get(&stored.case)
        })
        .copied()
        .collect();
    if fields.is_empty() {
        return Ok(None);
    }
    let corrections: Vec<Correction> = fields
        .iter()
        .map(|&field| Correction::Set(field, field.get(from_row)))
        .collect();
    let after = lifecycle::edit(&stored.case, stamp, &corrections)
        .map_err(|refusal| InputError::Invalid(refusal.into_input_error().to_string()))?;
    card::guard(Some(&stored.case), after, args.card.allow_card_like_number)?;
    Ok(Some(Update {
        id: earlier.id.clone(),
        corrections,
        fields,
    }))
}

/// What to tell of a row whose case its source has redacted since it was
/// imported here, when this log's copy is not: an import leaves the
/// fields it erased as they are, and redacting here is a person's call.
fn erased_there(row: &Map<String, Value>, from_row: &Case, earlier: &Known) -> Option<String> {
    let erased: Vec<&str> = EditField::ALL
        .iter()
        .filter(|field| {
            row.contains_key(field.as_str())
                && field
                    .get(from_row)
                    .is_some_and(|value| redaction::is_marker(&value))
        })
        .map(|field| field.as_str())
        .collect();
    (!erased.is_empty() && !earlier.redacted).then(|| {
        format!(
            "{}: the source has redacted its {} since it was imported here, which an import does not copy; `caselog redact {} --reason TEXT` erases them here too",
            earlier.id,
            erased.join(", "),
            earlier.id
        )
    })
}

/// What `check` would first reject in the case a row makes, in words that
/// name the field (a file's line means nothing for a row).
fn first_error(case: &Case, rules: &validate::Rules) -> Option<String> {
    let text = file::render(case);
    // Said of the row here: the write would refuse it too, but could only
    // name the new case's file, which is not there.
    if text.len() as u64 > limits::CASE_FILE_BYTES {
        return Some(format!(
            "its case would be larger than {}, which no case file may be",
            limits::size(limits::CASE_FILE_BYTES)
        ));
    }
    let relative = case.id.path_in(std::path::Path::new(""));
    validate::check(&text, &relative, rules)
        .into_iter()
        .find(|p| p.is_error())
        .map(|p| p.message)
}

/// The file as text, or why it is not UTF-8, and where: spreadsheets
/// and help desks often save CSV as UTF-16 or in a Windows code page.
/// Said alike of a file and of standard input (`-`).
fn utf8(bytes: Vec<u8>, shown: &str) -> Result<String, InputError> {
    // UTF-16 of plain ASCII without a byte order mark is valid UTF-8
    // (every other byte is NUL), and would be read as columns nobody
    // knows: a NUL in either of the first two pairs of bytes tells it.
    let nul_pairs = bytes.len() >= 4
        && ((bytes[0] != 0 && bytes[1] == 0 && bytes[2] != 0 && bytes[3] == 0)
            || (bytes[0] == 0 && bytes[1] != 0 && bytes[2] == 0 && bytes[3] != 0));
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) || nul_pairs {
        return Err(InputError::Invalid(format!(
            "{shown} is UTF-16 text, which caselog does not read; save it as UTF-8 (a spreadsheet's \"CSV UTF-8\"); nothing was imported"
        )));
    }
    let error = match String::from_utf8(bytes) {
        Ok(text) => return Ok(text),
        Err(error) => error,
    };
    let bytes = error.as_bytes();
    let error = error.utf8_error();
    let at = error.valid_up_to();
    let before = &bytes[..at];
    let line = before.iter().filter(|b| **b == b'\n').count() + 1;
    let start = before
        .iter()
        .rposition(|b| *b == b'\n')
        .map_or(0, |i| i + 1);
    // Columns in characters: what comes before it on its line is UTF-8.
    let column = String::from_utf8_lossy(&bytes[start..at]).chars().count() + 1;
    Err(InputError::Invalid(format!(
        "{shown}: line {line}, column {column}: byte 0x{:02X} is not UTF-8 (the file may be Latin-1 or Windows-1252); save it as UTF-8 (a spreadsheet's \"CSV UTF-8\"); nothing was imported",
        bytes[at]
    )))
}

fn guess_format(file: &std::path::Path) -> Result<Format> {
    // Windows tools and mail attachments often name a file EXPORT.CSV.
    let extension = file
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match extension.as_deref() {
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

/// Rows of caselog's own columns.
fn parse(text: &str, format: Format) -> Result<Vec<(String, Map<String, Value>)>> {
    let records = match format {
        Format::Csv => return parse_csv(text),
        Format::Json | Format::Yaml => parse_values(text, format, "cases")?,
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

fn parse_csv(text: &str) -> Result<Vec<(String, Map<String, Value>)>> {
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
    other_delimiter(&header)?;
    // (A column with no name is passed over if it holds nothing: below.)
    let unknown: Vec<&str> = header
        .iter()
        .map(|name| name.trim())
        .filter(|name| !name.is_empty() && !exchange::FIELDS.contains(name))
        .collect();
    if !unknown.is_empty() {
        return Err(InputError::Invalid(format!(
            "the CSV header names unknown {} {} (columns are: {})",
            crate::words::plural(unknown.len(), "column"),
            unknown.join(", "),
            exchange::FIELDS.join(", ")
        ))
        .into());
    }
    twice(&header, "the CSV header")?;
    let mut rows = Vec::new();
    let mut last = None;
    let mut starts = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let record = record.map_err(|e| csv_row_error(text, i, &e))?;
        let cells: Vec<String> = record.iter().map(str::to_string).collect();
        let place = csv_place(text, i, record.position());
        nameless_holds_nothing(&header, &cells, &place)?;
        last = record.position().cloned().map(|p| (place.clone(), p));
        starts.extend(record.position().map(|p| (place.clone(), p.byte())));
        if holds_nothing(&record) {
            continue;
        }
        rows.push((place, exchange::from_csv_record(&header, &cells)));
    }
    last_quote_closed(text, last.as_ref().map(|(place, p)| (place.as_str(), p)))?;
    nothing_after_closing_quotes(text, &starts)?;
    // A column every case needs, missing, would fail every row: said
    // once, as a wrong header is. (A file of no rows says so instead.)
    let missing: Vec<&str> = exchange::REQUIRED
        .iter()
        .filter(|field| !header.iter().any(|name| name.trim() == **field))
        .copied()
        .collect();
    if !rows.is_empty() && !missing.is_empty() {
        return Err(InputError::Invalid(missing_columns(
            &format!("the CSV header has no {}", columns(&missing)),
            "",
        ))
        .into());
    }
    Ok(rows)
}

/// `column summary` or `columns opened_at and summary`.
fn columns(names: &[&str]) -> String {
    match names {
        [one] => format!("column {one}"),
        [rest @ .., last] => format!("columns {} and {last}", rest.join(", ")),
        [] => String::new(),
    }
}

/// Says that `what` is missing, which every case needs, and `how` to give it.
fn missing_columns(what: &str, how: &str) -> String {
    format!(
        "{what}, which every case needs ({}){how}; nothing was imported",
        exchange::REQUIRED.join(", ")
    )
}

/// Rows of a source's own columns, through `mapping`: the header is
/// checked against it once, then each row mapped.
fn parse_mapped(
    text: &str,
    format: Format,
    mapping: &Mapping,
    shown: &str,
    zone: time::Zone,
) -> Result<Rows> {
    let (header, records, inexact) = match format {
        Format::Csv => {
            let (header, records) = source_csv(text)?;
            (header, records, Vec::new())
        }
        Format::Json | Format::Yaml => source_records(
            parse_values(text, format, "records")?,
            format == Format::Yaml,
        )?,
    };
    if format == Format::Csv {
        other_delimiter(&header)?;
    }
    twice(&header, "the header")?;
    for (place, cells) in &records {
        nameless_holds_nothing(&header, cells, place)?;
    }
    mapping.check_header(&header, shown)?;
    // An import column every case needs that nothing feeds would fail
    // every row: said once. (A file of no rows says so instead.)
    let unfed = mapping.unfed(exchange::REQUIRED);
    if !records.is_empty() && !unfed.is_empty() {
        return Err(InputError::Invalid(missing_columns(
            &format!("nothing feeds the import {}", columns(&unfed)),
            &format!(
                ": map a source column to {} in the mapping's [columns], or give --map 'SOURCE COLUMN={}'",
                if unfed.len() == 1 { "it" } else { "each" },
                unfed[0]
            ),
        ))
        .into());
    }
    Ok(records
        .into_iter()
        .enumerate()
        .map(|(i, (place, cells))| {
            // A cell not as the file holds it, in a column that feeds an
            // import column that cannot take it (a column the mapping
            // ignores may hold anything).
            let misread = inexact.get(i).and_then(|columns| {
                columns.iter().find(|(column, _, takes)| {
                    mapping
                        .fed_from(column)
                        .iter()
                        .any(|field| !takes.contains(field))
                })
            });
            let row = match misread {
                Some((_, why, _)) => Err(RowError(why.clone())),
                None => mapping.row(&header, &cells, zone),
            };
            (place, row)
        })
        .collect())
}

/// A CSV without the line `sep=,` that Excel may write first to name its
/// delimiter, which is no header: left blank, so that lines are numbered
/// as in the file. A `sep=` naming another delimiter is refused, saying so.
fn without_separator_line(text: &str) -> Result<std::borrow::Cow<'_, str>> {
    let first = text.lines().next().unwrap_or_default();
    let Some(delimiter) = first.strip_prefix("sep=") else {
        return Ok(std::borrow::Cow::Borrowed(text));
    };
    if delimiter != "," {
        return Err(InputError::Invalid(format!(
            "the file's first line, 'sep={}', says its cells are separated by it: caselog reads CSV separated by commas; save the file with commas (a spreadsheet's \"CSV UTF-8 (comma delimited)\")",
            crate::untrusted::line(delimiter)
        ))
        .into());
    }
    Ok(std::borrow::Cow::Owned(text[first.len()..].to_string()))
}

/// Refuses, saying why, a CSV header that is one column holding another
/// delimiter: a spreadsheet set to a European locale writes `;`, and
/// some help desks tabs, where caselog reads commas.
fn other_delimiter(header: &[String]) -> Result<()> {
    let [only] = header else {
        return Ok(());
    };
    match [(';', "semicolons"), ('\t', "tabs"), ('|', "'|'")]
        .into_iter()
        .find(|(c, _)| only.contains(*c))
    {
        Some((_, name)) => Err(InputError::Invalid(format!(
            "the CSV header is one column, with {name} between its names: caselog reads CSV separated by commas; save the file with commas (a spreadsheet's \"CSV UTF-8 (comma delimited)\")"
        ))
        .into()),
        None => Ok(()),
    }
}

/// Refuses a header that names one column twice (a column with no name
/// may come more than once: see [`nameless_holds_nothing`]).
fn twice(header: &[String], what: &str) -> Result<()> {
    for (i, name) in header.iter().enumerate() {
        let name = name.trim();
        if !name.is_empty() && header[..i].iter().any(|other| other.trim() == name) {
            return Err(
                InputError::Invalid(format!("{what} names the column '{name}' twice")).into(),
            );
        }
    }
    Ok(())
}

/// A column with no name, as a spreadsheet leaves after a trailing
/// delimiter on every line, is passed over while it holds nothing; a
/// cell in it that holds something is refused, as an unknown column is,
/// since nothing says where it belongs.
fn nameless_holds_nothing(header: &[String], cells: &[String], place: &str) -> Result<()> {
    let held = header
        .iter()
        .zip(cells)
        .enumerate()
        .find(|(_, (name, cell))| name.trim().is_empty() && !cell.trim().is_empty());
    match held {
        None => Ok(()),
        Some((i, (_, cell))) => Err(InputError::Invalid(format!(
            "{place}: column {} has no name in the header but holds '{}' here; name the column or empty it",
            i + 1,
            crate::untrusted::line(&cell.chars().take(40).collect::<String>())
        ))
        .into()),
    }
}

/// Whether every cell of a CSV row is blank (`,,,`), as a spreadsheet
/// leaves a row whose cells were cleared: passed over as a blank line is,
/// since it holds nothing to lose (rows after it keep their numbers).
fn holds_nothing(record: &csv::StringRecord) -> bool {
    record.iter().all(|cell| cell.trim().is_empty())
}

/// Where the `index`th CSV record after the header of `text` is: its
/// row, as a spreadsheet numbers the rows of a file without blank lines
/// or cells of several lines (the header is row 1), and the line it
/// starts on when that differs.
fn csv_place(text: &str, index: usize, position: Option<&csv::Position>) -> String {
    let row = index + 2;
    let Some(position) = position else {
        return format!("row {row}");
    };
    // The csv crate places a record where the one before it ended, so
    // blank lines it passed over come first.
    let skipped = text
        .as_bytes()
        .get(usize::try_from(position.byte()).unwrap_or(usize::MAX)..)
        .unwrap_or_default()
        .iter()
        .take_while(|b| matches!(b, b'\n' | b'\r'))
        .filter(|b| **b == b'\n')
        .count() as u64;
    match position.line() + skipped {
        line if line != row as u64 => format!("row {row} (line {line})"),
        _ => format!("row {row}"),
    }
}

/// A CSV row that cannot be read, where it is (as [`csv_place`] says) and,
/// for a row of the wrong width, how many cells it has against the
/// header's (the csv crate says "record 1" and "the previous record").
fn csv_row_error(text: &str, index: usize, error: &csv::Error) -> InputError {
    let row = csv_place(text, index, error.position());
    match error.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } if len < expected_len && error.position().is_some_and(|p| unclosed_quote(text, p)) => {
            InputError::Invalid(unclosed_quote_error(&row))
        }
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => InputError::Invalid(format!(
            "{row}: {} where the header has {}{}",
            crate::words::count(usize::try_from(*len).unwrap_or(usize::MAX), "cell"),
            crate::words::count(
                usize::try_from(*expected_len).unwrap_or(usize::MAX),
                "column"
            ),
            if len > expected_len {
                "; quote a cell that holds a comma"
            } else {
                ""
            }
        )),
        _ => InputError::Invalid(format!("{row}: {error}")),
    }
}

/// Whether the record that starts at `position` in `text` ends inside a
/// quote never closed: a stray `"` that swallowed every line after it.
/// Told by adding a line break, a quote and a letter: inside an open
/// quote they close it and join its cell; after a whole record they
/// start another.
fn unclosed_quote(text: &str, position: &csv::Position) -> bool {
    let Some(rest) = usize::try_from(position.byte())
        .ok()
        .and_then(|start| text.as_bytes().get(start..))
    else {
        return false;
    };
    let first = |bytes: &[u8]| {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(bytes);
        let mut record = csv::ByteRecord::new();
        matches!(reader.read_byte_record(&mut record), Ok(true)).then_some(record)
    };
    let mut closed = rest.to_vec();
    closed.extend_from_slice(b"\n\"x");
    first(rest) != first(&closed)
}

/// Refuses a CSV holding a quoted cell that goes on after its closing
/// quote (`"He said "hi" to me"`, as a writer that quotes cells but does
/// not double the quotes inside them leaves it): the csv crate would drop
/// those quotes and join the rest, changing the customer's words without
/// a word. Blanks after the closing quote are let pass. `starts` is
/// where each record starts, with its place, to name the row.
fn nothing_after_closing_quotes(text: &str, starts: &[(String, u64)]) -> Result<()> {
    #[derive(Clone, Copy)]
    enum At {
        CellStart,
        Plain,
        Quoted,
        Closed,
    }
    let mut at = At::CellStart;
    for (i, byte) in text.bytes().enumerate() {
        at = match (at, byte) {
            (At::CellStart, b'"') => At::Quoted,
            (At::CellStart | At::Plain | At::Closed, b',' | b'\n' | b'\r') => At::CellStart,
            (At::CellStart | At::Plain, _) => At::Plain,
            (At::Quoted, b'"') => At::Closed,
            (At::Quoted, _) => At::Quoted,
            (At::Closed, b'"') => At::Quoted,
            (At::Closed, b' ' | b'\t') => At::Closed,
            (At::Closed, _) => {
                let place = starts
                    .iter()
                    .rev()
                    .find(|(_, start)| *start <= i as u64)
                    .map_or("the CSV header", |(place, _)| place.as_str());
                return Err(InputError::Invalid(format!(
                    "{place}: a quoted cell goes on after its closing quote (\"), so its quotes would be lost; in a quoted cell, double each quote inside it (\"He said \"\"hi\"\"\")"
                ))
                .into());
            }
        };
    }
    Ok(())
}

/// Refuses a CSV whose last record ends inside a quote never closed:
/// its cell holds every line after the quote, rows that would otherwise
/// be lost in it without a word.
fn last_quote_closed(text: &str, last: Option<(&str, &csv::Position)>) -> Result<()> {
    match last {
        Some((place, position)) if unclosed_quote(text, position) => {
            Err(InputError::Invalid(unclosed_quote_error(place)).into())
        }
        _ => Ok(()),
    }
}

fn unclosed_quote_error(place: &str) -> String {
    format!(
        "{place}: a cell opens a quote (\") that is never closed, so the rest of the file was read as that one cell; close the quote, or double a quote inside a quoted cell (\"\")"
    )
}

/// A source CSV as its header and its rows' cells, as they are (a help
/// desk's cells carry no caselog formula guard to undo).
fn source_csv(text: &str) -> Result<SourceTable> {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| InputError::Invalid(format!("the CSV header: {e}")))?
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
    let mut rows = Vec::new();
    let mut last = None;
    let mut starts = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let record = record.map_err(|e| csv_row_error(text, i, &e))?;
        let place = csv_place(text, i, record.position());
        last = record.position().cloned().map(|p| (place.clone(), p));
        starts.extend(record.position().map(|p| (place.clone(), p.byte())));
        if holds_nothing(&record) {
            continue;
        }
        rows.push((place, record.iter().map(str::to_string).collect()));
    }
    last_quote_closed(text, last.as_ref().map(|(place, p)| (place.as_str(), p)))?;
    nothing_after_closing_quotes(text, &starts)?;
    Ok((header, rows))
}

/// A JSON or YAML file as its list of `what` (cases, a source's records).
fn parse_values(text: &str, format: Format, what: &str) -> Result<Vec<Value>> {
    Ok(match format {
        Format::Yaml => crate::imported_value::list_from_yaml(text).map_err(|e| {
            InputError::Invalid(format!(
                "line {}: not a YAML list of {what}: {}",
                e.line.unwrap_or(1),
                e.message
            ))
        })?,
        _ => crate::imported_value::list_from_json(text).map_err(|e| {
            InputError::Invalid(format!("line {}: not a JSON list of {what}: {e}", e.line()))
        })?,
    })
}

/// Why the cell a record's `value` makes of it for the column `key` may
/// not be what the file holds, and the import columns that may take it
/// all the same; `None` when it is text (or nothing, true or false).
fn misread(
    key: &str,
    value: &Value,
    yaml: bool,
) -> Option<(String, String, &'static [&'static str])> {
    let column = format!("column '{key}'");
    let why = match value {
        Value::Number(_) => {
            return exchange::inexact_number(&column, value, yaml)
                .map(|why| (key.to_string(), why, exchange::NUMBER_FIELDS));
        }
        Value::Array(items) if items.iter().all(Value::is_string) => (
            format!("{column} holds a list, which only tags takes"),
            &["tags"][..],
        ),
        Value::Array(_) => (format!("{column} holds a list of more than texts"), &[][..]),
        Value::Object(fields) => (
            format!(
                "{column} holds a table of fields ({}), not text; flatten the export, or list the column in ignore",
                fields
                    .keys()
                    .map(String::as_str)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            &[][..],
        ),
        _ => return None,
    };
    Some((key.to_string(), why.0, why.1))
}

/// JSON or YAML records as a header (every key, in the order first seen)
/// and cells, so a mapping reads them as it reads CSV (a list of texts
/// as tags joined by `;`); and for each record, its columns whose cell
/// may not be what the file holds (see [`misread`]).
fn source_records(records: Vec<Value>, yaml: bool) -> Result<(Vec<String>, SourceRows, Misread)> {
    let mut header: Vec<String> = Vec::new();
    let mut tables = Vec::with_capacity(records.len());
    for (i, record) in records.into_iter().enumerate() {
        let Value::Object(table) = record else {
            return Err(
                InputError::Invalid(format!("record {}: not a table of fields", i + 1)).into(),
            );
        };
        for key in table.keys() {
            if !header.contains(key) {
                header.push(key.clone());
            }
        }
        tables.push(table);
    }
    let inexact = tables
        .iter()
        .map(|table| {
            table
                .iter()
                .filter_map(|(key, value)| misread(key, value, yaml))
                .collect()
        })
        .collect();
    let rows = tables
        .into_iter()
        .enumerate()
        .map(|(i, table)| {
            let cells = header
                .iter()
                .map(|key| match table.get(key) {
                    None | Some(Value::Null) => String::new(),
                    Some(Value::String(s)) => s.clone(),
                    // A list of tags, one cell of them as CSV has it.
                    Some(Value::Array(items)) if items.iter().all(Value::is_string) => items
                        .iter()
                        .filter_map(Value::as_str)
                        .collect::<Vec<_>>()
                        .join(";"),
                    Some(other) => other.to_string(),
                })
                .collect();
            (format!("record {}", i + 1), cells)
        })
        .collect();
    Ok((header, rows, inexact))
}
