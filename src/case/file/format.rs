//! `caselog fmt`'s rewrite: a case file put into the canonical layout (key
//! order, one value per line, one spelling of every value) keeping its
//! comments.

use anyhow::{Context, Result};
use toml_edit::{ArrayOfTables, DocumentMut, Item, Table, Value};

use super::edit::{comment_lines, ordered_tables, parse_literal, table_at};
use super::layout::{EVENTS, Field, event_fields, sections, table_rank};
use super::parse::parse;

/// Rewrites a case file into the canonical layout (key order, one value
/// per line, canonical spelling of every value) while keeping its comments.
/// The text must hold a valid case.
pub fn format(shown_path: &str, text: &str) -> Result<String> {
    super::keeping_line_ends(text, |text| format_lf(shown_path, text))
}

fn format_lf(shown_path: &str, text: &str) -> Result<String> {
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
    let trailing = comment_lines(doc.trailing().as_str().unwrap_or(""));
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
    let comments = comment_lines(
        key.leaf_decor()
            .prefix()
            .and_then(|p| p.as_str())
            .unwrap_or(""),
    );
    key.leaf_decor_mut().set_prefix("");
    comments
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
            let own = comment_lines(
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
        let prefix = comment_lines(
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
