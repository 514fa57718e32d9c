//! The canonical layout of a case file: what `open` writes and what every
//! edit converges to. Reviewers read case diffs, so layout is part of the
//! product: one value per line, fixed key order, lists one item per line,
//! UTC timestamps, every string escaped so `git diff` cannot drive a terminal.

use std::fmt::Write as _;

use crate::case::{Case, Event, Timestamp};
use crate::untrusted::hides;

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

pub(super) const EVENTS: &str = "events";

/// Canonical rank of a top-level table, so new tables land in order.
pub(super) fn table_rank(name: &str) -> u8 {
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
pub(super) fn sections(case: &Case) -> Vec<(Section, Vec<Field>)> {
    let mut out = vec![
        (
            Section::Root,
            vec![
                field("format", Some(case.format.to_string())),
                field("id", text(case.id.as_str())),
                field("title", text(&case.title)),
                field("status", text(case.status.as_str())),
                field("void", case.void.and_then(|v| text(v.as_str()))),
                field(
                    "duplicate_of",
                    case.duplicate_of.as_ref().and_then(|d| text(d.as_str())),
                ),
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
        field("field", e.field.and_then(|f| text(f.as_str()))),
        field("old", opt_text(&e.old)),
        field("new", opt_text(&e.new)),
        field("option", e.option.map(|n| n.to_string())),
        field("due", e.due.and_then(time)),
        field("until", e.until.and_then(time)),
        field("on", e.on.and_then(|o| text(o.as_str()))),
        field("satisfied", opt_bool(e.satisfied)),
        field("void", e.void.and_then(|v| text(v.as_str()))),
        field(
            "duplicate_of",
            e.duplicate_of.as_ref().and_then(|d| text(d.as_str())),
        ),
        field("outcome", e.outcome.and_then(|o| text(o.as_str()))),
        field("root_cause", opt_text(&e.root_cause)),
        field("redress", opt_text(&e.redress)),
        field("how", e.how.and_then(|h| text(h.as_str()))),
        field("pros", list_literal(&e.pros)),
        field("cons", list_literal(&e.cons)),
        field("contingency", opt_text(&e.contingency)),
        field("monitor", opt_text(&e.monitor)),
        field(
            "fields",
            list_literal(&e.fields.iter().map(|f| f.to_string()).collect::<Vec<_>>()),
        ),
        field(
            "allowed_card_like_numbers",
            list_literal(&e.allowed_card_like_numbers),
        ),
        field("message_id", opt_text(&e.message_id)),
        field("source_id", opt_text(&e.source_id)),
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

/// A TOML string literal that reads back as exactly `s`.
///
/// Text with line breaks becomes a multi-line basic string so a long
/// complaint diffs line by line. Every hazardous character is escaped, so
/// `git diff` or `cat` of a case file cannot drive the terminal.
pub fn string_literal(s: &str) -> String {
    let multi_line = s.contains('\n');
    let mut out = String::with_capacity(s.len() + 8);
    out.push_str(if multi_line { "\"\"\"\n" } else { "\"" });
    let mut chars = s.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            // In a multi-line string a quote is only dangerous next to another
            // quote or the closing delimiter.
            '"' if !multi_line || chars.peek().is_none_or(|&(_, n)| n == '"') => {
                out.push_str("\\\"")
            }
            '\n' if multi_line => out.push('\n'),
            '\t' if multi_line => out.push('\t'),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            // Above U+FFFF (the invisible tag characters), TOML's long escape.
            c if hides(s, at, c) && u32::from(c) > 0xFFFF => {
                let _ = write!(out, "\\U{:08X}", u32::from(c));
            }
            c if hides(s, at, c) => {
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
        let literal = string_literal(
            "a\u{1b}[2Jb\nc\u{7}d\u{202E}e\u{9b}f\u{200B}g\u{2060}h\u{FEFF}i\u{200D}j",
        );
        assert!(
            !literal
                .chars()
                .any(|c| crate::untrusted::is_hazardous(c) && c != '\n'),
            "{literal}"
        );
        assert!(literal.ends_with("i\\u200Dj\"\"\""), "{literal}");
        // A joiner that holds an emoji together stays as it is.
        assert_eq!(string_literal("👩\u{200D}💻"), "\"👩\u{200D}💻\"");
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
