//! The case file on disk: parsing with line-numbered errors, the canonical
//! layout caselog writes, and minimal edits to an existing file.
//!
//! Reviewers read case diffs, so layout is part of the product: one value
//! per line, fixed key order, lists one item per line, UTC timestamps.
//! A change is applied by diffing the case before and after and editing
//! only the keys that differ (through `toml_edit`), so hand-written
//! comments, blank lines and key order survive, and a change that alters
//! nothing leaves the file byte-identical.

use std::fmt::Write as _;

use anyhow::{Context, Result, bail};
use toml_edit::{ArrayOfTables, DocumentMut, Item, Table, TableLike, Value};

use crate::case::{Case, Event, FORMAT, Timestamp};
use crate::error::InputError;

/// Reads a case from its file's text. `shown_path` names the file in errors.
pub fn parse(shown_path: &str, text: &str) -> Result<Case, InputError> {
    let case: Case = toml::from_str(text).map_err(|e| {
        let line = e.span().map(|span| line_of(text, span.start)).unwrap_or(1);
        InputError::InvalidFile {
            path: shown_path.to_string(),
            line,
            message: one_line(e.message()),
        }
    })?;
    if case.format != FORMAT {
        return Err(InputError::InvalidFile {
            path: shown_path.to_string(),
            line: key_line(text, "format").unwrap_or(1),
            message: format!(
                "format {} is not supported (this caselog reads format {FORMAT})",
                case.format
            ),
        });
    }
    Ok(case)
}

/// Some fields of a case (`P`, a serde type that ignores the rest), read
/// from the part of `text` before the first `[[events]]` header, which is
/// where caselog writes the events. `None` when the file is laid out
/// otherwise or that part does not parse; the caller then reads it whole.
pub fn parse_head<P: serde::de::DeserializeOwned>(text: &str) -> Option<P> {
    let end = if text.starts_with("[[events]]") {
        0
    } else {
        text.find("\n[[events]]").map_or(text.len(), |i| i + 1)
    };
    // A section after the events would be missed: read such a file whole.
    let after = text[end..]
        .lines()
        .any(|l| l.starts_with('[') && l.trim_end() != "[[events]]");
    if after {
        return None;
    }
    toml::from_str(&text[..end]).ok()
}

/// The 1-based line holding byte `offset` of `text`.
pub fn line_of(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// The line where a top-level `key =` first appears, for messages.
fn key_line(text: &str, key: &str) -> Option<usize> {
    text.lines()
        .position(|l| {
            l.trim_start()
                .strip_prefix(key)
                .is_some_and(|rest| rest.trim_start().starts_with('='))
        })
        .map(|i| i + 1)
}

fn one_line(message: &str) -> String {
    message.trim().replace('\n', "; ")
}

/// The sections of a case file, in canonical order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Section {
    Root,
    Customer,
    Complaint,
    Resolution,
    FollowUp,
}

impl Section {
    pub(crate) fn header(self) -> Option<&'static str> {
        match self {
            Section::Root => None,
            Section::Customer => Some("customer"),
            Section::Complaint => Some("complaint"),
            Section::Resolution => Some("resolution"),
            Section::FollowUp => Some("follow_up"),
        }
    }
}

const EVENTS: &str = "events";

/// Canonical rank of a top-level table, so new tables land in order.
fn table_rank(name: &str) -> u8 {
    match name {
        "customer" => 1,
        "complaint" => 2,
        "resolution" => 3,
        "follow_up" => 4,
        EVENTS => 6,
        _ => 5,
    }
}

/// One key of a section with its TOML text, or `None` when unset.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Field {
    pub(crate) key: &'static str,
    pub(crate) literal: Option<String>,
}

fn field(key: &'static str, literal: Option<String>) -> Field {
    Field { key, literal }
}

fn text(s: &str) -> Option<String> {
    Some(string_literal(s))
}

fn opt_text(s: &Option<String>) -> Option<String> {
    s.as_deref().map(string_literal)
}

fn time(t: Timestamp) -> Option<String> {
    Some(t.to_rfc3339())
}

fn opt_bool(b: Option<bool>) -> Option<String> {
    b.map(|b| b.to_string())
}

/// Every section of `case`, present or not, each with all its keys in
/// canonical order (a missing section's keys are all unset).
pub(crate) fn all_sections(case: &Case) -> Vec<(Section, Vec<Field>)> {
    let mut out = sections(case);
    if case.resolution.is_none() {
        let keys = [
            "summary",
            "agreed",
            "resolved_at",
            "resolved_by",
            "option",
            "outcome",
            "root_cause",
            "redress",
        ];
        out.insert(
            3,
            (
                Section::Resolution,
                keys.iter().map(|k| field(k, None)).collect(),
            ),
        );
    }
    if case.follow_up.is_none() {
        out.push((
            Section::FollowUp,
            ["due", "done_at", "satisfied"]
                .iter()
                .map(|k| field(k, None))
                .collect(),
        ));
    }
    out
}

/// Every section present in `case`, each with all its keys in canonical order.
fn sections(case: &Case) -> Vec<(Section, Vec<Field>)> {
    let mut out = vec![
        (
            Section::Root,
            vec![
                field("format", Some(case.format.to_string())),
                field("id", text(case.id.as_str())),
                field("title", text(&case.title)),
                field("status", text(case.status.as_str())),
                field("severity", text(case.severity.as_str())),
                field("category", opt_text(&case.category)),
                field("channel", text(case.channel.as_str())),
                field("tags", list_literal(&case.tags)),
                field("opened_at", time(case.opened_at)),
                field("opened_by", text(&case.opened_by)),
                field("assignee", opt_text(&case.assignee)),
            ],
        ),
        (
            Section::Customer,
            vec![
                field("name", text(&case.customer.name)),
                field("contact", opt_text(&case.customer.contact)),
                field(
                    "preferred_contact",
                    case.customer
                        .preferred_contact
                        .and_then(|c| text(c.as_str())),
                ),
                field("reference", opt_text(&case.customer.reference)),
            ],
        ),
        (
            Section::Complaint,
            vec![
                field("summary", text(&case.complaint.summary)),
                field("wants", opt_text(&case.complaint.wants)),
            ],
        ),
    ];
    if let Some(r) = &case.resolution {
        out.push((
            Section::Resolution,
            vec![
                field("summary", text(&r.summary)),
                field("agreed", opt_bool(r.agreed)),
                field("resolved_at", time(r.resolved_at)),
                field("resolved_by", text(&r.resolved_by)),
                field("option", r.option.map(|n| n.to_string())),
                field("outcome", r.outcome.and_then(|o| text(o.as_str()))),
                field("root_cause", opt_text(&r.root_cause)),
                field("redress", opt_text(&r.redress)),
            ],
        ));
    }
    if let Some(f) = &case.follow_up {
        out.push((
            Section::FollowUp,
            vec![
                field("due", time(f.due)),
                field("done_at", f.done_at.and_then(time)),
                field("satisfied", opt_bool(f.satisfied)),
            ],
        ));
    }
    out
}

pub(crate) fn event_fields(e: &Event) -> Vec<Field> {
    vec![
        field("at", time(e.at)),
        field("by", text(&e.by)),
        field("action", text(e.action.as_str())),
        field("to", opt_text(&e.to)),
        field("option", e.option.map(|n| n.to_string())),
        field("due", e.due.and_then(time)),
        field("until", e.until.and_then(time)),
        field("satisfied", opt_bool(e.satisfied)),
        field("outcome", e.outcome.and_then(|o| text(o.as_str()))),
        field("root_cause", opt_text(&e.root_cause)),
        field("redress", opt_text(&e.redress)),
        field("how", e.how.and_then(|h| text(h.as_str()))),
        field("pros", list_literal(&e.pros)),
        field("cons", list_literal(&e.cons)),
        field("contingency", opt_text(&e.contingency)),
        field("monitor", opt_text(&e.monitor)),
        field("text", opt_text(&e.text)),
    ]
}

/// The canonical text of a case: what `open` writes, and what any sequence
/// of caselog commands on an untouched file leads to.
pub fn render(case: &Case) -> String {
    let mut out = String::new();
    for (section, fields) in sections(case) {
        if let Some(header) = section.header() {
            let _ = write!(out, "\n[{header}]\n");
        }
        write_fields(&mut out, &fields);
    }
    for event in &case.events {
        out.push_str("\n[[events]]\n");
        write_fields(&mut out, &event_fields(event));
    }
    out
}

pub(crate) fn write_fields(out: &mut String, fields: &[Field]) {
    for f in fields {
        if let Some(literal) = &f.literal {
            let _ = writeln!(out, "{} = {literal}", f.key);
        }
    }
}

/// Applies the difference between `old` and `new` to `text`, the file that
/// `old` was read from, touching only the lines that must change.
///
/// Events may only be appended: `old.events` must be a prefix of `new.events`.
pub fn update(text: &str, old: &Case, new: &Case) -> Result<String> {
    if !new.events.starts_with(&old.events) {
        bail!("internal error: an update may only append events");
    }
    let mut doc: DocumentMut = text
        .parse()
        .context("re-reading the case file to edit it")?;

    let old_sections = sections(old);
    let new_sections = sections(new);
    for (section, new_fields) in &new_sections {
        let old_fields = old_sections
            .iter()
            .find(|(s, _)| s == section)
            .map(|(_, f)| f);
        match (section.header(), old_fields) {
            (Some(header), None) => add_table(&mut doc, header, new_fields)?,
            (header, Some(old_fields)) => {
                let table = section_table(&mut doc, header)?;
                for (old_field, new_field) in old_fields.iter().zip(new_fields) {
                    if old_field.literal != new_field.literal {
                        set_key(table, new_field, new_fields)?;
                    }
                }
            }
            (None, None) => bail!("internal error: the root section is always present"),
        }
    }
    for (section, _) in &old_sections {
        if let Some(header) = section.header()
            && !new_sections.iter().any(|(s, _)| s == section)
        {
            remove_table(&mut doc, header);
        }
    }
    for event in &new.events[old.events.len()..] {
        append_event(&mut doc, event)?;
    }
    place_tables(&mut doc);
    Ok(doc.to_string())
}

fn section_table<'d>(
    doc: &'d mut DocumentMut,
    header: Option<&str>,
) -> Result<&'d mut dyn TableLike> {
    match header {
        None => Ok(doc.as_table_mut()),
        Some(name) => doc
            .get_mut(name)
            .and_then(Item::as_table_like_mut)
            .with_context(|| format!("the case file has no [{name}] table to edit")),
    }
}

fn parse_literal(literal: &str) -> Result<Value> {
    literal
        .parse::<Value>()
        .with_context(|| format!("internal error: caselog wrote invalid TOML {literal}"))
}

/// Sets or removes one key, keeping the decoration (trailing comment) of
/// the value it replaces, and placing a new key where canonical order puts it.
fn set_key(table: &mut dyn TableLike, new: &Field, canonical: &[Field]) -> Result<()> {
    let Some(literal) = &new.literal else {
        table.remove(new.key);
        return Ok(());
    };
    let mut value = parse_literal(literal)?;
    if let Some(item) = table.get_mut(new.key) {
        if let Some(old) = item.as_value() {
            *value.decor_mut() = old.decor().clone();
        }
        *item = Item::Value(value);
        return Ok(());
    }
    // Keys canonically after this one, which the new key must precede.
    let later: Vec<&str> = canonical
        .iter()
        .skip_while(|f| f.key != new.key)
        .skip(1)
        .map(|f| f.key)
        .collect();
    let present: Vec<String> = table.iter().map(|(k, _)| k.to_string()).collect();
    let tail_start = present
        .iter()
        .position(|k| later.contains(&k.as_str()))
        .unwrap_or(present.len());
    let mut tail = Vec::new();
    for key in &present[tail_start..] {
        if table.get(key).is_some_and(Item::is_value)
            && let Some(formatted) = table.key(key).cloned()
            && let Some(item) = table.remove(key)
        {
            tail.push((formatted, item));
        }
    }
    table.insert(new.key, Item::Value(value));
    for (key, item) in tail {
        table.entry_format(&key).or_insert(item);
    }
    Ok(())
}

fn new_table(fields: &[Field]) -> Result<Table> {
    let mut table = Table::new();
    table.decor_mut().set_prefix("\n");
    for f in fields {
        if let Some(literal) = &f.literal {
            table.insert(f.key, Item::Value(parse_literal(literal)?));
        }
    }
    Ok(table)
}

fn add_table(doc: &mut DocumentMut, name: &str, fields: &[Field]) -> Result<()> {
    doc.insert(name, Item::Table(new_table(fields)?));
    Ok(())
}

/// Removes a section. Comments a person wrote in it move to the next table
/// (or the end of the file) rather than vanish with it.
fn remove_table(doc: &mut DocumentMut, name: &str) {
    let Some(item) = doc.remove(name) else { return };
    let mut comments = String::new();
    if let Some(table) = item.as_table() {
        collect_comments(table.decor().prefix(), &mut comments);
        for (key, value) in table.iter() {
            if let Some(formatted) = table.key(key) {
                collect_comments(formatted.leaf_decor().prefix(), &mut comments);
            }
            if let Some(v) = value.as_value() {
                collect_comments(v.decor().suffix(), &mut comments);
            }
        }
    }
    if comments.is_empty() {
        return;
    }
    let next = ordered_tables(doc)
        .into_iter()
        .find(|(table_name, _, _)| table_rank(table_name) > table_rank(name));
    match next {
        Some((next_name, index, _)) => {
            if let Some(table) = table_at(doc, &next_name, index) {
                let old = table
                    .decor()
                    .prefix()
                    .and_then(|p| p.as_str())
                    .unwrap_or("\n")
                    .to_string();
                table
                    .decor_mut()
                    .set_prefix(format!("\n{comments}{}", old.trim_start_matches('\n')));
            }
        }
        None => {
            let old = doc.trailing().as_str().unwrap_or("").to_string();
            doc.set_trailing(format!("{old}\n{comments}"));
        }
    }
}

fn collect_comments(raw: Option<&toml_edit::RawString>, out: &mut String) {
    let Some(text) = raw.and_then(|r| r.as_str()) else {
        return;
    };
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('#') {
            out.push_str(line);
            out.push('\n');
        }
    }
}

fn append_event(doc: &mut DocumentMut, event: &Event) -> Result<()> {
    let table = new_table(&event_fields(event))?;
    match doc.get_mut(EVENTS) {
        None => {
            let mut events = ArrayOfTables::new();
            events.push(table);
            doc.insert(EVENTS, Item::ArrayOfTables(events));
        }
        Some(Item::ArrayOfTables(events)) => events.push(table),
        Some(Item::Value(Value::Array(events))) => {
            events.push(table.into_inline_table());
        }
        Some(_) => bail!("the case file's `events` is not a list of tables"),
    }
    Ok(())
}

/// The document's top-level tables in rendering order: (name, index within
/// an array of tables, position). Tables added by this edit have no position.
fn ordered_tables(doc: &DocumentMut) -> Vec<(String, usize, Option<isize>)> {
    let mut out = Vec::new();
    for (name, item) in doc.iter() {
        match item {
            Item::Table(t) if !t.is_dotted() => out.push((name.to_string(), 0, t.position())),
            Item::ArrayOfTables(a) => {
                for (i, t) in a.iter().enumerate() {
                    out.push((name.to_string(), i, t.position()));
                }
            }
            _ => {}
        }
    }
    let mut placed: Vec<_> = out.iter().filter(|t| t.2.is_some()).cloned().collect();
    placed.sort_by_key(|t| t.2);
    for new in out.into_iter().filter(|t| t.2.is_none()) {
        let rank = table_rank(&new.0);
        let at = placed
            .iter()
            .position(|t| table_rank(&t.0) > rank)
            .unwrap_or(placed.len());
        placed.insert(at, new);
    }
    placed
}

fn table_at<'d>(doc: &'d mut DocumentMut, name: &str, index: usize) -> Option<&'d mut Table> {
    match doc.get_mut(name)? {
        Item::Table(t) => Some(t),
        Item::ArrayOfTables(a) => a.get_mut(index),
        _ => None,
    }
}

/// Gives every top-level table an explicit position: existing tables keep
/// their order, new ones go where canonical order puts them.
fn place_tables(doc: &mut DocumentMut) {
    let order = ordered_tables(doc);
    let base = doc.as_table().position().unwrap_or(0) + 1;
    for (offset, (name, index, _)) in order.iter().enumerate() {
        if let Some(table) = table_at(doc, name, *index) {
            table.set_position(Some(base + offset as isize));
        }
    }
}

/// Rewrites a case file into the canonical layout (key order, one value
/// per line, canonical spelling of every value) while keeping its comments.
/// The text must hold a valid case.
pub fn format(shown_path: &str, text: &str) -> Result<String> {
    let case = parse(shown_path, text)?;
    let mut doc: DocumentMut = text
        .parse()
        .context("re-reading the case file to format it")?;
    // Inline tables become standard ones, so each value gets its own line.
    let names: Vec<String> = doc.iter().map(|(k, _)| k.to_string()).collect();
    for name in names {
        let Some(item) = doc.get_mut(&name) else {
            continue;
        };
        let replacement = match std::mem::take(item) {
            Item::Value(Value::InlineTable(t)) => Item::Table(t.into_table()),
            Item::Value(Value::Array(a)) if a.iter().all(Value::is_inline_table) => {
                let mut tables = ArrayOfTables::new();
                for v in a.into_iter() {
                    if let Value::InlineTable(t) = v {
                        tables.push(t.into_table());
                    }
                }
                Item::ArrayOfTables(tables)
            }
            other => other,
        };
        let is_header_table = matches!(replacement, Item::Table(_) | Item::ArrayOfTables(_));
        *item = replacement;
        if !is_header_table {
            continue;
        }
        // A header's key carries no decoration of its own: comments above
        // the old `key = {…}` line move onto the table.
        let moved = match doc.key_mut(&name) {
            Some(mut key) => {
                key.leaf_decor_mut().set_suffix("");
                take_comments(&mut key)
            }
            None => String::new(),
        };
        if let Some(table) = doc.get_mut(&name).and_then(Item::as_table_mut) {
            let own = table
                .decor()
                .prefix()
                .and_then(|p| p.as_str())
                .unwrap_or("")
                .to_string();
            table.decor_mut().set_prefix(format!("{moved}{own}"));
        }
    }
    for (section, fields) in sections(&case) {
        let table = match section.header() {
            None => doc.as_table_mut(),
            Some(name) => match doc.get_mut(name).and_then(Item::as_table_mut) {
                Some(t) => t,
                None => continue,
            },
        };
        canonical_table(table, &fields, section.header().is_some())?;
    }
    if let Some(Item::ArrayOfTables(events)) = doc.get_mut(EVENTS) {
        for (table, event) in events.iter_mut().zip(&case.events) {
            canonical_table(table, &event_fields(event), true)?;
        }
    }
    // Every table in canonical order, events keeping theirs.
    let mut order: Vec<(String, usize)> = ordered_tables(&doc)
        .into_iter()
        .map(|(name, index, _)| (name, index))
        .collect();
    order.sort_by_key(|(name, index)| (table_rank(name), *index));
    for (offset, (name, index)) in order.iter().enumerate() {
        if let Some(table) = table_at(&mut doc, name, *index) {
            table.set_position(Some(1 + offset as isize));
        }
    }
    let trailing = comments_only(doc.trailing().as_str().unwrap_or(""));
    doc.set_trailing(if trailing.is_empty() {
        String::new()
    } else {
        format!("\n{trailing}")
    });
    Ok(doc.to_string())
}

/// Takes the comment lines above a key off it, leaving it undecorated
/// above, so they can be put back where they belong.
fn take_comments(key: &mut toml_edit::KeyMut<'_>) -> String {
    let comments = comments_only(
        key.leaf_decor()
            .prefix()
            .and_then(|p| p.as_str())
            .unwrap_or(""),
    );
    key.leaf_decor_mut().set_prefix("");
    comments
}

/// The comment lines of a stretch of whitespace and comments.
fn comments_only(raw: &str) -> String {
    let mut out = String::new();
    collect_comments_str(raw, &mut out);
    out
}

fn collect_comments_str(text: &str, out: &mut String) {
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('#') {
            out.push_str(line);
            out.push('\n');
        }
    }
}

/// Puts one table's keys in canonical order and spelling, keeping comments.
fn canonical_table(table: &mut Table, fields: &[Field], has_header: bool) -> Result<()> {
    for f in fields {
        match &f.literal {
            None => {
                table.remove(f.key);
            }
            Some(literal) => {
                let mut value = parse_literal(literal)?;
                let comment = table
                    .get(f.key)
                    .and_then(Item::as_value)
                    .and_then(|v| v.decor().suffix())
                    .and_then(|s| s.as_str())
                    .map(str::trim)
                    .filter(|s| s.starts_with('#'))
                    .map(|s| format!(" {s}"));
                value.decor_mut().set_prefix(" ");
                value.decor_mut().set_suffix(comment.unwrap_or_default());
                match table.get_mut(f.key) {
                    Some(item) => *item = Item::Value(value),
                    None => {
                        table.insert(f.key, Item::Value(value));
                    }
                }
            }
        }
    }
    // Comments above the first key open the file (or the table): they stay
    // first whichever key ends up there.
    let first_key = table
        .iter()
        .find(|(_, item)| item.is_value())
        .map(|(k, _)| k.to_string());
    let opening = match first_key.as_deref().and_then(|k| table.key_mut(k)) {
        Some(mut key) => take_comments(&mut key),
        None => String::new(),
    };
    let rank = |key: &str| {
        fields
            .iter()
            .position(|f| f.key == key)
            .unwrap_or(usize::MAX)
    };
    table.sort_values_by(|a, _, b, _| rank(a.get()).cmp(&rank(b.get())));
    let keys: Vec<String> = table
        .iter()
        .filter(|(_, item)| item.is_value())
        .map(|(k, _)| k.to_string())
        .collect();
    for (i, key) in keys.iter().enumerate() {
        if let Some(mut formatted) = table.key_mut(key) {
            let own = comments_only(
                formatted
                    .leaf_decor()
                    .prefix()
                    .and_then(|p| p.as_str())
                    .unwrap_or(""),
            );
            let prefix = if i == 0 {
                format!("{opening}{own}")
            } else {
                own
            };
            formatted.leaf_decor_mut().set_prefix(prefix);
            formatted.leaf_decor_mut().set_suffix(" ");
        }
    }
    if has_header {
        let prefix = comments_only(
            table
                .decor()
                .prefix()
                .and_then(|p| p.as_str())
                .unwrap_or(""),
        );
        table.decor_mut().set_prefix(format!("\n{prefix}"));
        table.decor_mut().set_suffix("");
    }
    Ok(())
}

/// A list, one item per line, so adding an item is a one-line diff.
fn list_literal(items: &[String]) -> Option<String> {
    if items.is_empty() {
        return None;
    }
    let mut out = String::from("[\n");
    for item in items {
        let _ = writeln!(out, "    {},", string_literal(item));
    }
    out.push(']');
    Some(out)
}

/// Characters that must never reach a terminal raw: C0 and C1 controls,
/// DEL, and the bidirectional overrides that can disguise text.
pub fn is_hazardous(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{2028}' | '\u{2029}'
        )
        || ('\u{202A}'..='\u{202E}').contains(&c)
        || ('\u{2066}'..='\u{2069}').contains(&c)
}

/// A TOML string literal that reads back as exactly `s`.
///
/// Text with line breaks becomes a multi-line basic string so a long
/// complaint diffs line by line. Every hazardous character is escaped, so
/// `git diff` or `cat` of a case file cannot drive the terminal.
pub fn string_literal(s: &str) -> String {
    let multi_line = s.contains('\n');
    let mut out = String::with_capacity(s.len() + 8);
    out.push_str(if multi_line { "\"\"\"\n" } else { "\"" });
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            // In a multi-line string a quote is only dangerous next to another
            // quote or the closing delimiter.
            '"' if !multi_line || chars.peek().is_none_or(|&n| n == '"') => out.push_str("\\\""),
            '\n' if multi_line => out.push('\n'),
            '\t' if multi_line => out.push('\t'),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if is_hazardous(c) => {
                let _ = write!(out, "\\u{:04X}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push_str(if multi_line { "\"\"\"" } else { "\"" });
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn read_back(literal: &str) -> String {
        let doc: toml::Table = toml::from_str(&format!("x = {literal}\n")).unwrap();
        doc["x"].as_str().unwrap().to_string()
    }

    #[test]
    fn awkward_strings_read_back_exactly() {
        for s in [
            "",
            "\"",
            "\"\"",
            "\"\"\"",
            "a\n\"\"\"\nb",
            "ends with quote\n\"",
            "\n",
            "\n\nx",
            "x\n",
            "back\\slash\n\\",
            "tab\there\nnext",
            "crlf\r\nline",
            "esc \u{1b}[31mred\nx",
            "bidi \u{202E}abc",
            "emoji 👩\u{200D}💻\n",
            "'''\n'''",
            "c1 \u{9b}x",
        ] {
            assert_eq!(read_back(&string_literal(s)), s, "{s:?}");
        }
    }

    #[test]
    fn escapes_keep_terminal_controls_out_of_the_file() {
        let literal = string_literal("a\u{1b}[2Jb\nc\u{7}d\u{202E}e\u{9b}f");
        assert!(
            !literal.chars().any(|c| is_hazardous(c) && c != '\n'),
            "{literal}"
        );
    }

    proptest! {
        #[test]
        fn any_string_round_trips_through_its_literal(s in any::<String>()) {
            prop_assert_eq!(read_back(&string_literal(&s)), s);
        }

        #[test]
        fn quote_heavy_multiline_text_round_trips(s in "[\"\\\\\n\r\t a'´]{0,40}") {
            prop_assert_eq!(read_back(&string_literal(&s)), s);
        }
    }
}
