//! Cases as flat rows, for export and import: to spreadsheets and other
//! tools, and from help desks.
//!
//! One set of field names serves JSON, YAML and CSV alike, so a caselog
//! export imports back with every field intact, and a help-desk export
//! needs only the columns it has (at least title, customer, opened_at and
//! summary). In CSV, tags are joined with "; " and events are JSON text.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::case::card::masked;
use crate::case::fields::{check_one_line, clean_tags, split_tags};
use crate::case::id::CaseId;
use crate::case::message::kept_id;
use crate::case::{
    Action, Case, Channel, Complaint, Customer, Event, FORMAT, FollowUp, PersonalField, Resolution,
    Severity, Status, Timestamp, Void,
};
use crate::time::{self, Span, Zone};
use crate::untrusted;

/// Every field of a row, in the order exports write them.
pub const FIELDS: &[&str] = &[
    "id",
    "title",
    "status",
    "severity",
    "category",
    "channel",
    "tags",
    "opened_at",
    "opened_by",
    "assignee",
    "customer",
    "contact",
    "preferred_contact",
    "reference",
    "summary",
    "wants",
    "resolution",
    "agreed",
    "resolved_at",
    "resolved_by",
    "agreed_option",
    "outcome",
    "root_cause",
    "redress",
    "follow_up_due",
    "follow_up_done_at",
    "satisfied",
    "void",
    "duplicate_of",
    "events",
];

/// The fields every row must give: a case is nothing without them.
pub const REQUIRED: &[&str] = &["title", "customer", "opened_at", "summary"];

/// A case as one flat row (JSON and YAML keep lists and booleans native).
pub fn to_row(case: &Case) -> Map<String, Value> {
    let mut row = Map::new();
    let mut put = |key: &str, value: Value| {
        if !value.is_null() {
            row.insert(key.to_string(), value);
        }
    };
    let text = |s: &str| Value::String(s.to_string());
    let opt = |s: &Option<String>| s.as_deref().map_or(Value::Null, text);
    let time = |t: Timestamp| Value::String(t.to_rfc3339());
    put("id", text(case.id.as_str()));
    put("title", text(&case.title));
    put("status", text(case.status.as_str()));
    put("severity", text(case.severity.as_str()));
    put("category", opt(&case.category));
    put("channel", text(case.channel.as_str()));
    if !case.tags.is_empty() {
        put(
            "tags",
            Value::Array(case.tags.iter().map(|t| text(t)).collect()),
        );
    }
    put("opened_at", time(case.opened_at));
    put("opened_by", text(&case.opened_by));
    put("assignee", opt(&case.assignee));
    put("customer", text(&case.customer.name));
    put("contact", opt(&case.customer.contact));
    put(
        "preferred_contact",
        case.customer
            .preferred_contact
            .map_or(Value::Null, |c| text(c.as_str())),
    );
    put("reference", opt(&case.customer.reference));
    put("summary", text(&case.complaint.summary));
    put("wants", opt(&case.complaint.wants));
    if let Some(r) = &case.resolution {
        put("resolution", text(&r.summary));
        put("agreed", r.agreed.map_or(Value::Null, Value::Bool));
        put("resolved_at", time(r.resolved_at));
        put("resolved_by", text(&r.resolved_by));
        put("agreed_option", r.option.map_or(Value::Null, Value::from));
        put(
            "outcome",
            r.outcome.map_or(Value::Null, |o| text(o.as_str())),
        );
        put("root_cause", opt(&r.root_cause));
        put("redress", opt(&r.redress));
    }
    if let Some(f) = &case.follow_up {
        put("follow_up_due", time(f.due));
        put("follow_up_done_at", f.done_at.map_or(Value::Null, time));
        put("satisfied", f.satisfied.map_or(Value::Null, Value::Bool));
    }
    // Read from the events on import; here for whoever counts the rows:
    // a void case is no complaint of its own.
    put("void", case.void.map_or(Value::Null, |v| text(v.as_str())));
    put(
        "duplicate_of",
        case.duplicate_of
            .as_ref()
            .map_or(Value::Null, |id| text(id.as_str())),
    );
    put(
        "events",
        serde_json::to_value(&case.events).unwrap_or(Value::Null),
    );
    row
}

/// A row as CSV cells, in [`FIELDS`] order, none of which a spreadsheet
/// would run as a formula.
pub fn to_csv_cells(row: &Map<String, Value>) -> Vec<String> {
    FIELDS
        .iter()
        .map(|field| match row.get(*field) {
            None | Some(Value::Null) => String::new(),
            Some(Value::String(s)) => s.clone(),
            Some(Value::Bool(b)) => b.to_string(),
            Some(Value::Array(items)) if *field == "tags" => items
                .iter()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join("; "),
            Some(other) => other.to_string(),
        })
        .map(|cell| untrusted::csv_cell(&cell).into_owned())
        .collect()
}

/// A CSV record read back into a row: empty cells are absent, and the
/// formula guard of [`to_csv_cells`] is undone. A column with no name is
/// left out (the caller refuses one that holds anything).
pub fn from_csv_record(header: &[String], record: &[String]) -> Map<String, Value> {
    header
        .iter()
        .zip(record)
        .filter(|(name, cell)| !cell.is_empty() && !name.trim().is_empty())
        .map(|(name, cell)| {
            (
                name.trim().to_string(),
                Value::String(untrusted::csv_cell_back(cell).into_owned()),
            )
        })
        .collect()
}

/// What an import does besides the row's own fields.
pub struct ImportContext<'a> {
    /// Who imports, for the `imported` event and missing `opened_by`.
    pub by: &'a str,
    pub now: DateTime<Utc>,
    /// Where the rows came from, for the `imported` event.
    pub source: &'a str,
    /// The name of the system the rows come from (a mapping's `source`),
    /// which prefixes each row's `id` in the case's `source_id`.
    pub source_name: Option<&'a str>,
    /// When not empty, the only categories accepted.
    pub categories: &'a [String],
    /// The most bytes one text field may hold.
    pub max_text_bytes: u64,
    /// The zone a time without an offset is read in.
    pub zone: Zone,
    /// How far ahead of this machine's clock a row's times may be: an
    /// export taken on a teammate's fast machine imports at once.
    pub clock_tolerance: Span,
    /// The log's secret, which keys the digest an id holding a card
    /// number is kept as.
    pub secret: &'a [u8],
}

/// Why one row cannot be imported, naming the field.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RowError(pub String);

type RowResult<T> = Result<T, RowError>;

fn row_error<T>(message: impl Into<String>) -> RowResult<T> {
    Err(RowError(message.into()))
}

/// Reads the fields of one row.
struct Reader<'r> {
    row: &'r Map<String, Value>,
    max_text_bytes: u64,
    zone: Zone,
}

impl Reader<'_> {
    fn text(&self, field: &str) -> RowResult<Option<String>> {
        match self.row.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
            Some(Value::String(s)) if s.len() as u64 > self.max_text_bytes => row_error(format!(
                "{field} is larger than {}",
                crate::limits::size(self.max_text_bytes)
            )),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(Value::Number(n)) => Ok(Some(n.to_string())),
            Some(_) => row_error(format!("{field}: expected text")),
        }
    }

    fn required(&self, field: &str) -> RowResult<String> {
        self.text(field)?
            .ok_or_else(|| RowError(format!("{field} is missing")))
    }

    fn line(&self, field: &str) -> RowResult<Option<String>> {
        let value = self.text(field)?;
        if let Some(v) = &value {
            check_one_line(field, v).map_err(|e| RowError(e.to_string()))?;
        }
        Ok(value)
    }

    fn word<T: std::str::FromStr<Err = String>>(&self, field: &str) -> RowResult<Option<T>> {
        self.text(field)?
            .map(|v| {
                v.trim()
                    .parse::<T>()
                    .map_err(|e| RowError(format!("{field}: {e}")))
            })
            .transpose()
    }

    fn time(&self, field: &str) -> RowResult<Option<DateTime<Utc>>> {
        self.text(field)?
            .map(|v| time::parse_time(&v, self.zone).map_err(|e| RowError(format!("{field}: {e}"))))
            .transpose()
    }

    fn flag(&self, field: &str) -> RowResult<Option<bool>> {
        match self.row.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(Value::String(s)) => match s.trim().to_lowercase().as_str() {
                "" => Ok(None),
                "true" | "yes" | "y" | "1" => Ok(Some(true)),
                "false" | "no" | "n" | "0" => Ok(Some(false)),
                other => row_error(format!("{field}: '{other}' is not yes or no")),
            },
            Some(_) => row_error(format!("{field}: expected true or false")),
        }
    }

    fn tags(&self) -> RowResult<Vec<String>> {
        // In CSV, tags are one cell joined with ';'; elsewhere a list.
        // Trimmed and each once, from a CSV cell or a list alike, as
        // `open` keeps them.
        let tags: Vec<String> = match self.row.get("tags") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::String(s)) => split_tags(s),
            Some(Value::Array(items)) => clean_tags(
                items
                    .iter()
                    .map(|t| {
                        t.as_str()
                            .ok_or_else(|| RowError("tags: expected text".into()))
                    })
                    .collect::<RowResult<Vec<&str>>>()?,
            ),
            Some(_) => return row_error("tags: expected a list or text separated by ';'"),
        };
        if let Some(bad) = tags.iter().find(|t| t.contains(';') || t.contains('\n')) {
            return row_error(format!("tags: '{bad}' cannot hold ';' or a line break"));
        }
        Ok(tags)
    }

    fn events(&self) -> RowResult<Option<Vec<Event>>> {
        let value = match self.row.get("events") {
            None | Some(Value::Null) => return Ok(None),
            Some(Value::String(s)) if s.trim().is_empty() => return Ok(None),
            Some(Value::String(s)) => {
                crate::imported_value::from_json(s).map_err(|e| RowError(format!("events: {e}")))?
            }
            Some(other) => other.clone(),
        };
        serde_json::from_value(value)
            .map(Some)
            .map_err(|e| RowError(format!("events: {e}")))
    }
}

/// Builds the case a row describes, ending with an `imported` event. The
/// row's `id`, if any, is kept in that event's text and its `source_id`
/// (see [`source_id`]): ids are new.
pub fn from_row(row: &Map<String, Value>, context: &ImportContext, id: CaseId) -> RowResult<Case> {
    let unknown: Vec<&str> = row
        .keys()
        .map(String::as_str)
        .filter(|k| !FIELDS.contains(k))
        .collect();
    if !unknown.is_empty() {
        return row_error(format!(
            "unknown {} {} (fields are: {})",
            crate::words::plural(unknown.len(), "field"),
            unknown.join(", "),
            FIELDS.join(", ")
        ));
    }
    let r = Reader {
        row,
        max_text_bytes: context.max_text_bytes,
        zone: context.zone,
    };
    let title = r.required("title")?;
    check_one_line("title", &title).map_err(|e| RowError(e.to_string()))?;
    let customer = r.required("customer")?;
    check_one_line("customer", &customer).map_err(|e| RowError(e.to_string()))?;
    let opened_at = r
        .time("opened_at")?
        .ok_or_else(|| RowError("opened_at is missing".into()))?;
    let summary = r.required("summary")?;
    let category = r.line("category")?;
    if let Some(c) = &category
        && !context.categories.is_empty()
        && !context.categories.contains(c)
    {
        return row_error(format!(
            "category: '{c}' is not in caselog.toml ({})",
            context.categories.join(", ")
        ));
    }
    let opened_by = r
        .line("opened_by")?
        .unwrap_or_else(|| context.by.to_string());
    let assignee = r.line("assignee")?;
    let resolved_at = r.time("resolved_at")?;
    let status = r
        .word::<Status>("status")?
        .unwrap_or(if resolved_at.is_some() {
            Status::Resolved
        } else {
            Status::Open
        });
    let follow_up_due = r.time("follow_up_due")?;
    let follow_up_done_at = r.time("follow_up_done_at")?;
    let satisfied = r.flag("satisfied")?;

    let resolution = match (resolved_at, r.text("resolution")?) {
        (Some(at), summary) => Some(Resolution {
            summary: summary
                .unwrap_or_else(|| "Resolved before import; no summary was recorded.".into()),
            agreed: r.flag("agreed")?,
            resolved_at: Timestamp(at),
            resolved_by: r.line("resolved_by")?.unwrap_or_else(|| opened_by.clone()),
            option: r
                .text("agreed_option")?
                .map(|n| {
                    n.trim()
                        .parse::<u32>()
                        .map_err(|_| RowError(format!("agreed_option: '{n}' is not a number")))
                })
                .transpose()?,
            outcome: r.word("outcome")?,
            root_cause: r.text("root_cause")?,
            redress: r.text("redress")?,
        }),
        (None, Some(_)) => return row_error("resolution is given without resolved_at"),
        (None, None) => {
            given_without(&r, RESOLUTION_PARTS, "resolved_at")?;
            None
        }
    };
    if status == Status::Resolved && resolution.is_none() {
        return row_error("status resolved needs resolved_at");
    }
    let follow_up = match (follow_up_due, follow_up_done_at) {
        (Some(due), done_at) => Some(FollowUp {
            due: Timestamp(due),
            done_at: done_at.map(Timestamp),
            satisfied,
        }),
        (None, Some(_)) => return row_error("follow_up_done_at is given without follow_up_due"),
        (None, None) => {
            given_without(&r, &["satisfied"], "follow_up_due")?;
            None
        }
    };

    let mut case = Case {
        format: FORMAT,
        id,
        title,
        status,
        void: None,
        duplicate_of: None,
        severity: r.word::<Severity>("severity")?.unwrap_or(Severity::Normal),
        category,
        channel: r.word::<Channel>("channel")?.unwrap_or(Channel::Other),
        tags: r.tags()?,
        opened_at: Timestamp(opened_at),
        opened_by: opened_by.clone(),
        assignee: assignee.clone(),
        customer: Customer {
            name: customer,
            contact: r.line("contact")?,
            preferred_contact: r.word::<Channel>("preferred_contact")?,
            reference: r.line("reference")?,
        },
        complaint: Complaint {
            summary,
            wants: r.text("wants")?,
        },
        resolution,
        follow_up,
        events: Vec::new(),
    };
    case.events = match r.events()? {
        Some(events) => events,
        None => history(&case, &opened_by, assignee),
    };
    // Ids from elsewhere that read as card numbers are kept as digests.
    for e in &mut case.events {
        e.message_id = e
            .message_id
            .as_deref()
            .map(|id| kept_id(id, context.secret));
        e.source_id = e.source_id.as_deref().map(|id| kept_id(id, context.secret));
    }
    check_events(&case, context)?;
    // A case closed as void says so on its closed event; the root fields
    // follow, and the export's columns of them must agree.
    (case.void, case.duplicate_of) = case.void_in_log();
    let void: Option<Void> = r.word("void")?;
    let duplicate_of = r.line("duplicate_of")?;
    let said = (
        void.map(Void::as_str),
        duplicate_of.as_deref().map(str::trim),
    );
    let logged = (
        case.void.map(Void::as_str),
        case.duplicate_of.as_ref().map(CaseId::as_str),
    );
    if said != (None, None) && said != logged {
        let words = |(void, of): (Option<&str>, Option<&str>)| match (void, of) {
            (None, _) => "not void".to_string(),
            (Some(void), None) => format!("void ({void})"),
            (Some(void), Some(of)) => format!("void ({void} of {of})"),
        };
        return row_error(format!(
            "void and duplicate_of say the case is {}, but its events say {} (a case is made void by its closed event)",
            words(said),
            words(logged)
        ));
    }
    // Never dated before the row's last event (a fast clock wrote it).
    let at = case
        .events
        .last()
        .map_or(context.now, |last| last.at.0.max(context.now));
    let mut imported = Event::new(at, context.by, Action::Imported);
    let old = r.line("id")?.map(|old| old.trim().to_string());
    imported.text = Some(match &old {
        Some(old) => format!("imported from {} (was {})", context.source, masked(old)),
        None => format!("imported from {}", context.source),
    });
    // A row without an id is known by what makes it this complaint, so
    // the same file (or a later export of the same rows) imported again
    // does not make its cases twice.
    let known_by = old.unwrap_or_else(|| fingerprint(&case));
    imported.source_id = Some(source_id(context.source_name, &known_by, context.secret));
    case.events.push(imported);
    Ok(case)
}

/// The fields a number may give however the file wrote it: `agreed_option`
/// is a number, and `id` only tells the row again, read alike each time.
pub const NUMBER_FIELDS: &[&str] = &["id", "agreed_option"];

/// Refuses a number where a row of JSON or YAML gives a text field
/// (every field but [`NUMBER_FIELDS`] is text, a word or a time), when the
/// number may not be the text the file wrote (see [`inexact_number`]).
pub fn numbers_as_written(row: &Map<String, Value>, yaml: bool) -> RowResult<()> {
    match row
        .iter()
        .filter(|(field, _)| !NUMBER_FIELDS.contains(&field.as_str()))
        .find_map(|(field, value)| inexact_number(field, value, yaml))
    {
        None => Ok(()),
        Some(why) => Err(RowError(why)),
    }
}

/// Why `value`, read from JSON or YAML where text is wanted (`what` names
/// the field or column), may not be the text the file wrote; `None` when
/// it is not a number, or is one written one way only. In JSON that is a
/// whole number within 64 bits (1.50 reads as 1.5, a long reference as
/// 1.23e21); in YAML no number is, which reads +44 20 as 4420, 0x1F as 31
/// and 1e3 as 1000.0. Quoted, each is kept as written.
pub fn inexact_number(what: &str, value: &Value, yaml: bool) -> Option<String> {
    let Value::Number(number) = value else {
        return None;
    };
    (yaml || number.is_f64()).then(|| {
        format!(
            "{what}: {} read as the number {number}, which may not be how the file wrote it ({}); put it in quotes to keep it as written",
            if yaml { "YAML" } else { "JSON" },
            if yaml {
                "+44, 044 and 0x2C are read as other numbers"
            } else {
                "1.50 is read as 1.5, and a long number rounded"
            }
        )
    })
}

/// The fields a case holds only in its resolution: without `resolved_at`
/// there is no resolution to hold them.
const RESOLUTION_PARTS: &[&str] = &[
    "agreed",
    "resolved_by",
    "agreed_option",
    "outcome",
    "root_cause",
    "redress",
];

/// Refuses a row that gives any of `parts` without `whole`, the field
/// they belong to: the case would have nowhere to keep them, and they
/// would be dropped without a word.
fn given_without(r: &Reader, parts: &[&str], whole: &str) -> RowResult<()> {
    let given: Vec<&str> = parts
        .iter()
        .filter(|part| match r.row.get(**part) {
            None | Some(Value::Null) => false,
            Some(Value::String(s)) => !s.trim().is_empty(),
            Some(_) => true,
        })
        .copied()
        .collect();
    match given.as_slice() {
        [] => Ok(()),
        [one] => row_error(format!("{one} is given without {whole}")),
        [rest @ .., last] => row_error(format!(
            "{} and {last} are given without {whole}",
            rest.join(", ")
        )),
    }
}

/// Points an imported duplicate at its original by the id this log gives
/// it. An export's events name the ids of the log it came from, and an
/// import gives every case a new id, so each `duplicate_of` is looked up
/// through `here` (an old id to the id of the case this log imported it
/// as, now or before). The import's own event (the last) says what was
/// changed, so the old id stays in the record. Returns the old ids this
/// log does not know, which are left as they were.
pub fn renumber_duplicate(
    case: &mut Case,
    here: impl Fn(&CaseId) -> Option<CaseId>,
) -> Vec<CaseId> {
    let mut unknown = Vec::new();
    let mut renamed: Vec<(CaseId, CaseId)> = Vec::new();
    for event in &mut case.events {
        let Some(old) = &event.duplicate_of else {
            continue;
        };
        match here(old) {
            Some(new) if new != *old => {
                if !renamed.iter().any(|(was, _)| was == old) {
                    renamed.push((old.clone(), new.clone()));
                }
                event.duplicate_of = Some(new);
            }
            Some(_) => {}
            None if !unknown.contains(old) => unknown.push(old.clone()),
            None => {}
        }
    }
    if !renamed.is_empty()
        && let Some(imported) = case
            .events
            .last_mut()
            .filter(|e| e.action == Action::Imported)
    {
        let said: Vec<String> = renamed
            .iter()
            .map(|(old, new)| format!("the case it repeats, {old} there, is {new} here"))
            .collect();
        let text = imported.text.get_or_insert_default();
        text.push_str("; ");
        text.push_str(&said.join("; "));
    }
    (case.void, case.duplicate_of) = case.void_in_log();
    unknown
}

/// `cases` (with their ids settled) in an order that lands each original
/// before any of them that is its duplicate, so a crash between the files
/// of an import leaves at worst an original without its duplicate, which
/// importing again completes (never a duplicate naming a case that is
/// not there). Otherwise in the order given; a loop of duplicates, which
/// no log makes, stays in that order.
pub fn originals_first(cases: Vec<Case>) -> Vec<Case> {
    let ids: std::collections::HashSet<CaseId> = cases.iter().map(|c| c.id.clone()).collect();
    let mut placed: std::collections::HashSet<CaseId> = std::collections::HashSet::new();
    let mut ordered = Vec::with_capacity(cases.len());
    let mut waiting = cases;
    while !waiting.is_empty() {
        let (ready, rest): (Vec<Case>, Vec<Case>) =
            waiting
                .into_iter()
                .partition(|case| match &case.duplicate_of {
                    Some(original) => !ids.contains(original) || placed.contains(original),
                    None => true,
                });
        if ready.is_empty() {
            ordered.extend(rest);
            break;
        }
        placed.extend(ready.iter().map(|c| c.id.clone()));
        ordered.extend(ready);
        waiting = rest;
    }
    ordered
}

/// What an imported case remembers of where it came from: the row's `id`
/// (a caselog id, a ticket number), prefixed by the source's name when a
/// mapping gives one (`cfpb:3456789`), so two systems' numbers never meet;
/// one that reads as a card number as its digest, the same every time.
pub fn source_id(source_name: Option<&str>, id: &str, secret: &[u8]) -> String {
    kept_id(&named_id(source_name, id), secret)
}

/// What a caselog before keyed digests kept of a row's `id` that reads as
/// a card number, so a case it imported is still known; `None` for other ids.
pub fn unkeyed_source_id(source_name: Option<&str>, id: &str) -> Option<String> {
    crate::case::message::kept_id_unkeyed(&named_id(source_name, id))
}

fn named_id(source_name: Option<&str>, id: &str) -> String {
    match source_name {
        Some(name) => format!("{name}:{id}"),
        None => id.to_string(),
    }
}

/// What a row without an `id` is known by: `row-` and a digest of what
/// makes it this complaint (its title, customer, opened_at and summary,
/// which every row gives), so the same row imported again is recognised
/// even when its status or other fields have moved on since.
pub fn fingerprint(case: &Case) -> String {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    for part in [
        case.title.as_str(),
        case.customer.name.as_str(),
        &case.opened_at.to_rfc3339(),
        case.complaint.summary.as_str(),
    ] {
        hasher.update(part.as_bytes());
        hasher.update([0]);
    }
    let digest = hasher.finalize();
    format!("row-{}", crate::hex::of(&digest[..8]))
}

/// Every id by which a case is known to a re-import: its own, and the
/// `source_id` of each `imported` event (a case imported, exported and
/// imported again remembers both systems).
pub fn known_as(case: &Case) -> Vec<String> {
    let mut ids = vec![case.id.as_str().to_string()];
    ids.extend(
        case.events
            .iter()
            .filter(|e| e.action == Action::Imported)
            .filter_map(|e| e.source_id.clone()),
    );
    ids
}

/// The events a help-desk row implies, oldest first.
fn history(case: &Case, opened_by: &str, assignee: Option<String>) -> Vec<Event> {
    let mut events = vec![Event {
        to: assignee,
        ..Event::new(case.opened_at.0, opened_by, Action::Opened)
    }];
    let mut last = case.opened_at.0;
    if let Some(r) = &case.resolution {
        events.push(Event {
            outcome: r.outcome,
            root_cause: r.root_cause.clone(),
            redress: r.redress.clone(),
            ..Event::new(r.resolved_at.0, &r.resolved_by, Action::Resolved)
                .with_text(r.summary.clone())
        });
        last = r.resolved_at.0;
    }
    if let Some(f) = &case.follow_up {
        let mut scheduled = Event::new(last, opened_by, Action::FollowUpScheduled);
        scheduled.due = Some(f.due);
        events.push(scheduled);
        if let Some(done) = f.done_at {
            let mut followed = Event::new(done.0, opened_by, Action::FollowedUp);
            followed.satisfied = f.satisfied;
            events.push(followed);
            last = done.0;
        }
    }
    match case.status {
        Status::Closed => events
            .push(Event::new(last, opened_by, Action::Closed).with_text("closed before import")),
        Status::Waiting => {
            events.push(Event::new(last, opened_by, Action::Waiting).with_text("waiting at import"))
        }
        _ => {}
    }
    events
}

fn check_events(case: &Case, context: &ImportContext) -> RowResult<()> {
    // A time a little ahead of this machine's clock is a teammate's fast
    // clock, as `check` takes it; further ahead is a mistake.
    let limit = context
        .now
        .checked_add_signed(context.clock_tolerance.duration())
        .unwrap_or(DateTime::<Utc>::MAX_UTC);
    let ahead = |at: &Timestamp| {
        format!(
            "{} is in the future, more than {} ahead of this machine's clock (clock_tolerance in caselog.toml)",
            at.to_rfc3339(),
            context.clock_tolerance
        )
    };
    if case.opened_at.0 > limit {
        return row_error(format!("opened_at: {}", ahead(&case.opened_at)));
    }
    if case
        .events
        .first()
        .is_none_or(|e| e.action != Action::Opened)
    {
        return row_error("events: the first event must be 'opened'");
    }
    for pair in case.events.windows(2) {
        if pair[1].at < pair[0].at {
            return row_error(format!(
                "events: {} comes before the {} event before it; events must be in time order",
                pair[1].at.to_rfc3339(),
                pair[0].action
            ));
        }
    }
    if let Some(last) = case.events.last()
        && last.at.0 > limit
    {
        return row_error(format!("events: {}", ahead(&last.at)));
    }
    Ok(())
}

/// The case with its events as they may be shared: every free text and
/// edited value `personal` names left out, the events keeping their
/// kinds, times and outcomes (a redress only as "(given)"). The case's
/// own fields are the caller's to leave out.
pub fn with_shared_events(case: &Case, personal: &[PersonalField]) -> Case {
    let has = |field: PersonalField| personal.contains(&field);
    let mut scrubbed = case.clone();
    for e in &mut scrubbed.events {
        // A Message-ID may hold the sender's address or host; a shared
        // copy has no use for it.
        e.message_id = None;
        // A help desk's ticket id finds the customer in that help desk.
        e.source_id = None;
        let edited_personal = e
            .field
            .and_then(crate::case::redaction::personal)
            .is_some_and(has);
        if edited_personal {
            e.old = None;
            e.new = None;
        }
        match e.action {
            Action::Redacted => {}
            Action::Resolved => {
                if has(PersonalField::Resolution) {
                    e.text = None;
                }
                if has(PersonalField::Redress) {
                    e.redress = e.redress.as_ref().map(|_| "(given)".to_string());
                }
            }
            _ if has(PersonalField::Notes) => {
                e.text = None;
                e.pros = Vec::new();
                e.cons = Vec::new();
                e.contingency = None;
                e.monitor = None;
            }
            _ => {}
        }
    }
    scrubbed
}

/// A case as a row to share for analysis: the customer known only by
/// `pseudonym` (absent when there is none: a redacted customer), and
/// every field and free text `personal` names left out, here and in the
/// events, which keep their kinds, times and outcomes.
pub fn to_shared_row(
    case: &Case,
    personal: &[PersonalField],
    pseudonym: Option<&str>,
) -> Map<String, Value> {
    let has = |field: PersonalField| personal.contains(&field);
    let scrubbed = with_shared_events(case, personal);
    let mut row = to_row(&scrubbed);
    let keys: [(PersonalField, &str); 9] = [
        (PersonalField::Customer, "customer"),
        (PersonalField::Contact, "contact"),
        (PersonalField::Reference, "reference"),
        (PersonalField::PreferredContact, "preferred_contact"),
        (PersonalField::Title, "title"),
        (PersonalField::Summary, "summary"),
        (PersonalField::Wants, "wants"),
        (PersonalField::Resolution, "resolution"),
        (PersonalField::Redress, "redress"),
    ];
    for (field, key) in keys {
        if has(field) {
            row.remove(key);
        }
    }
    if has(PersonalField::Redress)
        && case
            .resolution
            .as_ref()
            .is_some_and(|r| r.redress.is_some())
    {
        row.insert("redress".into(), Value::String("(given)".into()));
    }
    if has(PersonalField::Customer) {
        let shown = match pseudonym {
            Some(pseudonym) => Some(pseudonym.to_string()),
            // A redacted customer: the marker says so, and names nobody.
            None => Some(case.customer.name.clone())
                .filter(|name| crate::case::redaction::is_marker(name)),
        };
        if let Some(shown) = shown {
            row.insert("customer".into(), Value::String(shown));
        }
    }
    // Keep the export's field order.
    let mut ordered = Map::new();
    for field in FIELDS {
        if let Some(value) = row.remove(*field) {
            ordered.insert(field.to_string(), value);
        }
    }
    ordered
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::lifecycle::tests::opened;

    fn case(id: &str, duplicate_of: Option<&str>) -> Case {
        Case {
            id: CaseId::parse_full(id).unwrap(),
            duplicate_of: duplicate_of.map(|of| CaseId::parse_full(of).unwrap()),
            ..opened()
        }
    }

    fn ids(cases: &[Case]) -> Vec<&str> {
        cases.iter().map(|c| c.id.as_str()).collect()
    }

    #[test]
    fn an_import_lands_each_original_before_the_duplicates_that_name_it() {
        let cases = vec![
            case("20261101-rrrrr", Some("20261101-ggggg")),
            case("20261101-sssss", Some("20261101-rrrrr")),
            case("20261101-xxxxx", Some("20250101-zzzzz")),
            case("20261101-ggggg", None),
            case("20261101-aaaaa", Some("20261101-bbbbb")),
            case("20261101-bbbbb", Some("20261101-aaaaa")),
        ];
        assert_eq!(
            ids(&originals_first(cases)),
            [
                // An original named by no case here goes as it came.
                "20261101-xxxxx",
                "20261101-ggggg",
                "20261101-rrrrr",
                "20261101-sssss",
                // A loop (only a hand edit makes one) keeps its order.
                "20261101-aaaaa",
                "20261101-bbbbb",
            ]
        );
    }
}
