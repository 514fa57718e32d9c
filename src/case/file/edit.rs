//! Minimal edits to an existing case file with `toml_edit`: only the keys
//! that differ between the case before and after are touched, so comments,
//! blank lines and key order a person wrote survive, and a change that
//! alters nothing leaves the file byte-identical.

use anyhow::{Context, Result, bail};
use toml_edit::{ArrayOfTables, DocumentMut, Item, Table, TableLike, Value};

use super::layout::{EVENTS, Field, event_fields, sections, table_rank};
use crate::case::{Case, Event};

/// Applies the difference between `old` and `new` to `text`, the file that
/// `old` was read from, touching only the lines that must change.
///
/// Events are appended; an existing event may change only in what it
/// says (a redaction erases its texts), never in when, who or what: the
/// keys that differ are edited in place.
pub fn update(text: &str, old: &Case, new: &Case) -> Result<String> {
    super::keeping_line_ends(text, |text| update_lf(text, old, new))
}

fn update_lf(text: &str, old: &Case, new: &Case) -> Result<String> {
    let kept = old.events.len();
    let same_events = new.events.len() >= kept
        && old
            .events
            .iter()
            .zip(&new.events)
            .all(|(o, n)| (o.at, &o.by, o.action) == (n.at, &n.by, n.action));
    if !same_events {
        bail!("internal error: an update may only append events or change what they say");
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
    for (index, (o, n)) in old.events.iter().zip(&new.events).enumerate() {
        if o != n {
            edit_event(&mut doc, index, o, n)?;
        }
    }
    for event in &new.events[kept..] {
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

pub(super) fn parse_literal(literal: &str) -> Result<Value> {
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
        comments.push_str(&comment_lines(raw_text(table.decor().prefix())));
        for (key, value) in table.iter() {
            if let Some(formatted) = table.key(key) {
                comments.push_str(&comment_lines(raw_text(formatted.leaf_decor().prefix())));
            }
            if let Some(v) = value.as_value() {
                comments.push_str(&comment_lines(raw_text(v.decor().suffix())));
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

/// The comment lines of a stretch of whitespace and comments, each ending
/// in a line break.
pub(super) fn comment_lines(raw: &str) -> String {
    let mut out = String::new();
    for line in raw.lines() {
        let line = line.trim();
        if line.starts_with('#') {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

fn raw_text(raw: Option<&toml_edit::RawString>) -> &str {
    raw.and_then(|r| r.as_str()).unwrap_or("")
}

/// Changes the keys of event `index` that differ from `old` to `new`.
fn edit_event(doc: &mut DocumentMut, index: usize, old: &Event, new: &Event) -> Result<()> {
    let table: &mut dyn TableLike = match doc.get_mut(EVENTS) {
        Some(Item::ArrayOfTables(events)) => events.get_mut(index).map(|t| t as &mut dyn TableLike),
        Some(Item::Value(Value::Array(events))) => events
            .get_mut(index)
            .and_then(Value::as_inline_table_mut)
            .map(|t| t as &mut dyn TableLike),
        _ => None,
    }
    .with_context(|| format!("the case file has no event {} to edit", index + 1))?;
    let new_fields = event_fields(new);
    for (o, n) in event_fields(old).iter().zip(&new_fields) {
        if o.literal != n.literal {
            set_key(table, n, &new_fields)?;
        }
    }
    Ok(())
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
pub(super) fn ordered_tables(doc: &DocumentMut) -> Vec<(String, usize, Option<isize>)> {
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

pub(super) fn table_at<'d>(
    doc: &'d mut DocumentMut,
    name: &str,
    index: usize,
) -> Option<&'d mut Table> {
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

/// Every comment line a case file's text holds, each trimmed, in the
/// order found (the merge driver checks none is dropped). Empty for a
/// text that is no TOML.
pub fn comments(text: &str) -> Vec<String> {
    fn raw(out: &mut String, raw: Option<&toml_edit::RawString>) {
        out.push_str(raw_text(raw));
        out.push('\n');
    }
    fn decor(out: &mut String, decor: &toml_edit::Decor) {
        raw(out, decor.prefix());
        raw(out, decor.suffix());
    }
    fn value(out: &mut String, v: &Value) {
        decor(out, v.decor());
        match v {
            Value::Array(array) => {
                for item in array.iter() {
                    value(out, item);
                }
                out.push_str(array.trailing().as_str().unwrap_or(""));
                out.push('\n');
            }
            Value::InlineTable(table) => {
                for (key, item) in table.iter() {
                    if let Some(key) = table.key(key) {
                        decor(out, key.leaf_decor());
                    }
                    value(out, item);
                }
            }
            _ => {}
        }
    }
    fn table(out: &mut String, t: &Table) {
        decor(out, t.decor());
        for (key, item) in t.iter() {
            if let Some(key) = t.key(key) {
                decor(out, key.leaf_decor());
            }
            match item {
                Item::Value(v) => value(out, v),
                Item::Table(inner) => table(out, inner),
                Item::ArrayOfTables(tables) => tables.iter().for_each(|inner| table(out, inner)),
                Item::None => {}
            }
        }
    }
    let Ok(doc) = text.parse::<DocumentMut>() else {
        return Vec::new();
    };
    let mut all = String::new();
    table(&mut all, doc.as_table());
    all.push_str(doc.trailing().as_str().unwrap_or(""));
    comment_lines(&all).lines().map(str::to_string).collect()
}

#[cfg(test)]
mod tests {
    use super::comments;

    #[test]
    fn every_comment_of_a_file_is_found_wherever_it_is() {
        let text = "# top\nformat = 1 # after a value\ntags = [\n    \"a\", # in a list\n    # before an item\n    \"b\",\n    # last in a list\n]\n\n# before a table\n[customer]\nname = \"Jo\"  # after a name\n\n[[events]]\n# in an event\nat = 2026-11-20T09:00:00Z\n# at the end\n";
        assert_eq!(
            comments(text),
            [
                "# top",
                "# after a value",
                "# in a list",
                "# before an item",
                "# last in a list",
                "# before a table",
                "# after a name",
                "# in an event",
                "# at the end",
            ]
        );
    }
}
