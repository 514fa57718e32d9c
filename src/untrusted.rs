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

/// A writer that lets no hazardous character through: every output for
/// people goes through one, so a path, a git subject or a case field that
/// some command forgot to clean still cannot drive the terminal. Line
/// breaks (`\n`, and `\r\n` as calendars write them) and tabs pass.
pub struct TerminalSafe<W: Write> {
    inner: W,
    /// Bytes of a character (or a `\r`) split across two writes.
    pending: Vec<u8>,
}

impl<W: Write> TerminalSafe<W> {
    pub fn new(inner: W) -> Self {
        TerminalSafe {
            inner,
            pending: Vec::new(),
        }
    }

    /// Writes out `text`, which ends on a character boundary, with every
    /// hazardous character escaped; a final `\r` waits for the next write.
    fn write_clean(&mut self, text: &str, at_end: bool) -> io::Result<()> {
        let mut clean = String::with_capacity(text.len());
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '\n' | '\t' => clean.push(c),
                '\r' if chars.peek() == Some(&'\n') => clean.push(c),
                '\r' if chars.peek().is_none() && !at_end => {
                    self.pending.push(b'\r');
                }
                c if is_hazardous(c) => {
                    let _ = write!(clean, "\\u{{{:x}}}", u32::from(c));
                }
                c => clean.push(c),
            }
        }
        self.inner.write_all(clean.as_bytes())
    }
}

impl<W: Write> Write for TerminalSafe<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let mut bytes = std::mem::take(&mut self.pending);
        bytes.extend_from_slice(buf);
        // Up to three bytes of a character may still be on their way.
        let complete = match std::str::from_utf8(&bytes) {
            Ok(_) => bytes.len(),
            Err(e) if e.error_len().is_none() => e.valid_up_to(),
            Err(_) => bytes.len(),
        };
        let (done, rest) = bytes.split_at(complete);
        let text = String::from_utf8_lossy(done);
        self.write_clean(&text, false)?;
        self.pending.extend_from_slice(rest);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        let rest = std::mem::take(&mut self.pending);
        if !rest.is_empty() {
            let text = String::from_utf8_lossy(&rest).into_owned();
            self.write_clean(&text, true)?;
        }
        self.inner.flush()
    }
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

/// What makes a spreadsheet run a cell as a formula (OWASP's list).
fn starts_formula(c: char) -> bool {
    matches!(c, '=' | '+' | '-' | '@' | '\t' | '\r')
}

/// A CSV cell a spreadsheet will show, not run: a cell that a spreadsheet
/// would take for a formula gets a leading `'`, as OWASP advises. So that
/// [`csv_cell_back`] can undo exactly that, a cell already starting with
/// quotes before such a character gets one more.
pub fn csv_cell(text: &str) -> Cow<'_, str> {
    let after_quotes = text.trim_start_matches('\'');
    match after_quotes.chars().next() {
        Some(c) if starts_formula(c) => Cow::Owned(format!("'{text}")),
        _ => Cow::Borrowed(text),
    }
}

/// Undoes [`csv_cell`]: `csv_cell_back(&csv_cell(x)) == x` for every `x`.
pub fn csv_cell_back(cell: &str) -> Cow<'_, str> {
    match cell.strip_prefix('\'') {
        Some(rest)
            if rest
                .trim_start_matches('\'')
                .chars()
                .next()
                .is_some_and(starts_formula) =>
        {
            Cow::Borrowed(rest)
        }
        _ => Cow::Borrowed(cell),
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

    fn through_terminal_safe(chunks: &[&[u8]]) -> String {
        let mut out = TerminalSafe::new(Vec::new());
        for chunk in chunks {
            out.write_all(chunk).unwrap();
        }
        out.flush().unwrap();
        String::from_utf8(out.inner).unwrap()
    }

    #[test]
    fn the_terminal_safe_writer_escapes_hazards_even_split_across_writes() {
        let bidi = "\u{202e}".as_bytes();
        assert_eq!(
            through_terminal_safe(&[b"a\x1b]0;X\x07b", &bidi[..1], &bidi[1..], b"c\r", b"\nd\r"]),
            "a\\u{1b}]0;X\\u{7}b\\u{202e}c\r\nd\\u{d}"
        );
        assert_eq!(through_terminal_safe(&[b"one\ttwo\n"]), "one\ttwo\n");
    }

    #[test]
    fn formula_cells_are_neutralised_and_read_back_exactly() {
        for (text, cell) in [
            ("=SUM(A1)", "'=SUM(A1)"),
            ("+1", "'+1"),
            ("-1", "'-1"),
            ("@cmd", "'@cmd"),
            ("\tx", "'\tx"),
            ("\rx", "'\rx"),
            ("'=x", "''=x"),
            ("'x", "'x"),
            ("plain", "plain"),
            ("", ""),
        ] {
            assert_eq!(csv_cell(text), cell, "{text:?}");
            assert_eq!(csv_cell_back(cell), text, "{cell:?}");
        }
    }

    proptest::proptest! {
        #[test]
        fn any_cell_survives_the_round_trip(text in "['=+@\t\r a-]{0,8}") {
            let cell = csv_cell(&text).into_owned();
            proptest::prop_assert_eq!(csv_cell_back(&cell), text.as_str());
        }
    }

    #[test]
    fn json_escapes_c1_controls_and_bidi_overrides() {
        let mut out = Vec::new();
        let mut serializer = serde_json::Serializer::with_formatter(&mut out, JsonEscaper::new());
        serde::Serialize::serialize("a\u{9b}b\u{202e}c", &mut serializer).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), "\"a\\u009bb\\u202ec\"");
    }
}
