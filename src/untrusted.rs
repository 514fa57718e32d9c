//! Complaint text is untrusted: it is shown, never obeyed.
//!
//! Anything a customer typed (and anything that arrives by `git pull`)
//! passes through here before it reaches a terminal or a program reading
//! caselog's output: escape sequences, other control characters and
//! bidirectional overrides are shown as visible escapes, not acted on.
//! One definition of what is hazardous serves every output: text for
//! people ([`line`], [`block`]), JSON ([`JsonEscaper`]) and the case file
//! itself (its string literals escape the same characters).

use std::borrow::Cow;
use std::fmt::Write as _;
use std::io::{self, Write};

use serde_json::ser::{Formatter, PrettyFormatter};

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

/// Text for one line or one table cell: line breaks shown as `⏎`.
pub fn line(text: &str) -> Cow<'_, str> {
    clean(text, false)
}

/// Text for a block of lines: line breaks kept, everything else made safe.
pub fn block(text: &str) -> Cow<'_, str> {
    clean(text, true)
}

fn clean(text: &str, keep_newlines: bool) -> Cow<'_, str> {
    if !text.chars().any(|c| is_hazardous(c) || c == '\t') {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' if keep_newlines => out.push('\n'),
            '\n' => out.push_str(" ⏎ "),
            '\r' if keep_newlines => {}
            '\t' => out.push_str("    "),
            c if is_hazardous(c) => {
                let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// A pretty JSON formatter that escapes every hazardous character.
///
/// serde_json escapes C0 controls but passes C1 controls and bidirectional
/// overrides through raw; this escapes those too, so piping `--format
/// json` to a terminal is harmless.
pub struct JsonEscaper<'a>(PrettyFormatter<'a>);

impl JsonEscaper<'_> {
    pub fn new() -> Self {
        JsonEscaper(PrettyFormatter::new())
    }
}

impl Default for JsonEscaper<'_> {
    fn default() -> Self {
        JsonEscaper::new()
    }
}

impl Formatter for JsonEscaper<'_> {
    fn write_string_fragment<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        let mut start = 0;
        for (i, c) in fragment.char_indices() {
            if is_hazardous(c) {
                writer.write_all(&fragment.as_bytes()[start..i])?;
                write!(writer, "\\u{:04x}", u32::from(c))?;
                start = i + c.len_utf8();
            }
        }
        writer.write_all(&fragment.as_bytes()[start..])
    }

    fn begin_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_array(w)
    }
    fn end_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_array(w)
    }
    fn begin_array_value<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.0.begin_array_value(w, first)
    }
    fn end_array_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_array_value(w)
    }
    fn begin_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_object(w)
    }
    fn end_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object(w)
    }
    fn begin_object_key<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.0.begin_object_key(w, first)
    }
    fn begin_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_object_value(w)
    }
    fn end_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object_value(w)
    }
}

/// Text for a Markdown table cell or list item: what would turn into
/// markup is escaped, and the text is made safe for a terminal.
pub fn markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in line(text).chars() {
        if matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '|'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_sequences_become_visible_text() {
        assert_eq!(line("a\u{1b}[2Jb"), "a\\u{1b}[2Jb");
        assert_eq!(line("x\u{202E}y"), "x\\u{202e}y");
        assert_eq!(block("one\r\ntwo\u{7}"), "one\ntwo\\u{7}");
        assert_eq!(line("one\ntwo"), "one ⏎ two");
    }

    #[test]
    fn plain_text_is_not_copied() {
        assert!(matches!(
            line("Refund not received — 3 weeks"),
            Cow::Borrowed(_)
        ));
    }

    #[test]
    fn json_escapes_c1_controls_and_bidi_overrides() {
        let mut out = Vec::new();
        let mut serializer = serde_json::Serializer::with_formatter(&mut out, JsonEscaper::new());
        serde::Serialize::serialize("a\u{9b}b\u{202e}c", &mut serializer).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), "\"a\\u009bb\\u202ec\"");
    }
}
