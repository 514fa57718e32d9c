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
use unicode_segmentation::UnicodeSegmentation;

/// Characters that must never reach a terminal raw: C0 and C1 controls,
/// DEL, the bidirectional overrides that can disguise text, the
/// invisible characters that make two different names or ids look the
/// same (zero-width space, word joiner, byte order mark and the other
/// invisible format characters), and the invisible tag characters
/// (which also carry caselog's own colours through [`TerminalSafe`]).
///
/// The zero-width joiner and non-joiner are hazardous only where they
/// join nothing: see [`is_joiner`].
pub fn is_hazardous(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061C}'
                | '\u{180E}'
                | '\u{200B}'
                | '\u{200E}'
                | '\u{200F}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{FEFF}'
        )
        || ('\u{202A}'..='\u{202E}').contains(&c)
        || ('\u{2060}'..='\u{2064}').contains(&c)
        || ('\u{2066}'..='\u{206F}').contains(&c)
        || ('\u{FFF9}'..='\u{FFFB}').contains(&c)
        || ('\u{1BCA0}'..='\u{1BCA3}').contains(&c)
        || ('\u{1D173}'..='\u{1D17A}').contains(&c)
        || TAGS.contains(&c)
}

/// The zero-width joiner and non-joiner: needed inside an emoji sequence
/// (👩\u{200D}💻), between letters of the scripts that join (Arabic, Persian,
/// the Indic scripts), and hazardous anywhere else, where they only make
/// `ana` and `a\u{200D}na` look the same. [`joins`] tells which.
pub fn is_joiner(c: char) -> bool {
    matches!(c, ZWNJ | ZWJ)
}

const ZWNJ: char = '\u{200C}';
const ZWJ: char = '\u{200D}';

/// Whether the joiner `joiner`, between the text `before` and `after`
/// it, does the work it exists for: it holds an emoji sequence together
/// (the joiner and what follows are one grapheme cluster, Unicode's
/// user-perceived character), or it stands between two letters of a
/// script that joins. Anywhere else it only hides.
pub fn joins(before: &str, joiner: char, after: &str) -> bool {
    let (Some(previous), Some(next)) = (before.chars().next_back(), after.chars().next()) else {
        return false;
    };
    if script_joins(previous) && script_joins(next) {
        return true;
    }
    if joiner != ZWJ {
        return false;
    }
    // The last user-perceived character before the joiner is enough:
    // Unicode's emoji rule looks back to its pictograph and no further.
    let near = &before[floor_char_boundary(before, before.len().saturating_sub(JOINER_CONTEXT))..];
    let last = near.graphemes(true).next_back().unwrap_or("");
    // A sequence holding a character that is shown escaped (a tag, a
    // stray non-joiner) is broken on screen: nothing is left to join.
    if last.chars().any(|c| is_hazardous(c) || c == ZWNJ) {
        return false;
    }
    let mut joined = String::with_capacity(last.len() + 8);
    joined.push_str(last);
    joined.push(joiner);
    joined.push(next);
    // What follows must be a character of its own that the joiner
    // joins on, not a mark (or another joiner) that clings to anything.
    let clings = |c: char| {
        let mut pair = String::from("a");
        pair.push(c);
        pair.graphemes(true).nth(1).is_none()
    };
    joined.graphemes(true).nth(1).is_none() && !clings(next)
}

/// The scripts whose letters a zero-width (non-)joiner sits between in
/// ordinary writing: Arabic and the other joining scripts of its region
/// (with their presentation forms), the Indic scripts, Myanmar and
/// Mongolian.
fn script_joins(c: char) -> bool {
    matches!(c,
        '\u{0620}'..='\u{08FF}'
            | '\u{0900}'..='\u{0DFF}'
            | '\u{1000}'..='\u{109F}'
            | '\u{1800}'..='\u{18AF}'
            | '\u{FB50}'..='\u{FDFF}'
            | '\u{FE70}'..='\u{FEFC}')
}

/// The greatest character boundary of `text` at or below `at`.
fn floor_char_boundary(text: &str, mut at: usize) -> usize {
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// Whether the character `c` at byte `at` of `text` must be shown
/// escaped: a hazardous one, or a joiner that joins nothing.
pub fn hides(text: &str, at: usize, c: char) -> bool {
    is_hazardous(c) || (is_joiner(c) && !joins(&text[..at], c, &text[at + c.len_utf8()..]))
}

/// Whether `text` is printable ASCII only: one column a byte, nothing to
/// escape. Most text is, and is checked a byte at a time.
pub fn is_printable_ascii(text: &str) -> bool {
    run_of(text.as_bytes(), printable) == text.len()
}

fn printable(b: u8) -> bool {
    (b' '..0x7f).contains(&b)
}

/// How many of `bytes`' first bytes `ok` passes, looked at sixteen at a
/// time: a whole chunk is checked without a branch per byte (the
/// compiler makes it a few vector instructions), and a long listing's
/// output is mostly one long run of plain text.
fn run_of(bytes: &[u8], ok: fn(u8) -> bool) -> usize {
    const CHUNK: usize = 16;
    let mut done = 0;
    for chunk in bytes.chunks_exact(CHUNK) {
        if !chunk.iter().fold(true, |all, &b| all & ok(b)) {
            break;
        }
        done += CHUNK;
    }
    done + bytes[done..].iter().take_while(|&&b| ok(b)).count()
}

/// Unicode's tag characters: invisible, zero-width, and never in text
/// caselog writes itself except as the colour marks below.
const TAGS: std::ops::RangeInclusive<char> = '\u{E0000}'..='\u{E007F}';
/// Where a colour mark starts and ends; between them, in tag characters
/// (U+E0020 + ASCII), this run's secret and the SGR parameters (`1;31`).
const MARK_START: char = '\u{E0001}';
const MARK_END: char = '\u{E007F}';
/// The longest mark [`TerminalSafe`] waits for across writes.
const MARK_MAX_CHARS: usize = 40;

/// A secret of this run, in every colour mark: text that reached the
/// output without [`line`] or [`block`] (which escape tag characters)
/// still cannot forge one.
fn secret() -> &'static str {
    static SECRET: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    SECRET.get_or_init(|| {
        // No randomness (never on the systems caselog runs on) still
        // leaves the tag characters escaped in case text.
        crate::hex::random(6).unwrap_or_else(|_| crate::hex::of(&[0; 6]))
    })
}

fn mark(parameters: &str) -> String {
    std::iter::once(MARK_START)
        .chain(
            secret()
                .chars()
                .chain(parameters.chars())
                .filter_map(|c| char::from_u32(0xE0000 + u32::from(c))),
        )
        .chain(std::iter::once(MARK_END))
        .collect()
}

/// `text`, already made safe ([`line`]), in `style` when the output shows
/// colour. The colour travels as an invisible, zero-width mark that only
/// [`TerminalSafe`] turns into an SGR sequence (and drops when colour is
/// off), so table widths are unchanged and case text cannot forge one.
pub fn paint(style: anstyle::Style, text: &str) -> String {
    // anstyle writes one sequence per effect (`ESC[1m ESC[31m`): their
    // parameters, joined, are one sequence (`1;31`).
    let on = style
        .render()
        .to_string()
        .split('\x1b')
        .filter_map(|s| s.strip_prefix('[')?.strip_suffix('m'))
        .collect::<Vec<_>>()
        .join(";");
    if on.is_empty() || text.is_empty() {
        return text.to_string();
    }
    format!("{}{text}{}", mark(&on), mark("0"))
}

/// The SGR parameters of the mark at the start of `rest` (just after
/// [`MARK_START`]), and how many bytes it takes with its end; `None` when
/// it is not one of this run's marks.
fn read_mark(rest: &str) -> Option<(String, usize)> {
    let end = rest.find(MARK_END)?;
    let body: String = rest[..end]
        .chars()
        .map(|c| char::from_u32(u32::from(c).wrapping_sub(0xE0000)).unwrap_or('\0'))
        .collect();
    let parameters = body.strip_prefix(secret())?;
    parameters
        .chars()
        .all(|c| c.is_ascii_digit() || c == ';')
        .then(|| (parameters.to_string(), end + MARK_END.len_utf8()))
}

/// Text for one line or one table cell: line breaks shown as `⏎`.
pub fn line(text: &str) -> Cow<'_, str> {
    clean(text, 0..text.len(), false)
}

/// [`line`] of the piece `within` of `text` (a user-perceived character,
/// say, for text cut short), a joiner judged by what stands either side
/// of it in the whole text.
pub fn line_of(text: &str, within: std::ops::Range<usize>) -> Cow<'_, str> {
    clean(text, within, false)
}

/// Text for a block of lines: line breaks kept, everything else made safe.
pub fn block(text: &str) -> Cow<'_, str> {
    clean(text, 0..text.len(), true)
}

fn clean(whole: &str, within: std::ops::Range<usize>, keep_newlines: bool) -> Cow<'_, str> {
    let text = &whole[within.clone()];
    // Joiners are looked at in their place: most are in emoji sequences.
    let plain = |c: char| !(is_hazardous(c) || is_joiner(c) || c == '\t');
    // The plain ASCII start is a character boundary: only the rest is
    // looked at character by character.
    let ascii = run_of(text.as_bytes(), printable);
    if text[ascii..].chars().all(plain) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for (at, c) in text.char_indices() {
        match c {
            '\n' if keep_newlines => out.push('\n'),
            '\n' => out.push_str(" ⏎ "),
            '\r' if keep_newlines => {}
            '\t' => out.push_str("    "),
            c if hides(whole, within.start + at, c) => {
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
///
/// The one exception is caselog's own colour ([`paint`]): with colour on,
/// a mark of this run becomes its SGR sequence; with colour off it is
/// dropped. Anything else that looks like one is escaped as text.
pub struct TerminalSafe<W: Write> {
    inner: W,
    /// Bytes of a character (or a `\r`, a joiner, or a colour mark)
    /// split across two writes.
    pending: Vec<u8>,
    /// The end of the text already written: what a joiner at the start
    /// of the next write joins (or not).
    tail: String,
    colour: bool,
}

/// How much of the text before a joiner [`joins`] needs at most.
const JOINER_CONTEXT: usize = 64;

impl<W: Write> TerminalSafe<W> {
    /// A writer that shows caselog's colours when `colour` is on.
    pub fn new(inner: W, colour: bool) -> Self {
        TerminalSafe {
            inner,
            pending: Vec::new(),
            tail: String::new(),
            colour,
        }
    }

    /// Writes out `text`, which ends on a character boundary, with every
    /// hazardous character escaped; a final `\r`, or a colour mark not
    /// yet complete, waits for the next write. Runs of harmless text go
    /// out as they are: most output has nothing to escape.
    fn write_clean(&mut self, text: &str, at_end: bool) -> io::Result<()> {
        let bytes = text.as_bytes();
        let mut plain_from = 0;
        let mut i = 0;
        while i < bytes.len() {
            i += run_of(&bytes[i..], |b| printable(b) || b == b'\n' || b == b'\t');
            if i == bytes.len() {
                break;
            }
            // `i` is on a character boundary: only whole characters are
            // stepped over.
            let Some(c) = text[i..].chars().next() else {
                break;
            };
            let width = c.len_utf8();
            let rest = &text[i + width..];
            if is_joiner(c) && rest.is_empty() && !at_end {
                // What it joins is in the next write.
                self.inner.write_all(&bytes[plain_from..i])?;
                self.remember(&text[..i]);
                self.pending.extend_from_slice(&bytes[i..]);
                return Ok(());
            }
            let hides = is_hazardous(c) || (is_joiner(c) && !self.joins(&text[..i], c, rest));
            if !hides {
                i += width;
                continue;
            }
            self.inner.write_all(&bytes[plain_from..i])?;
            let mut taken = width;
            match c {
                '\r' if rest.starts_with('\n') => self.inner.write_all(b"\r")?,
                '\r' if rest.is_empty() && !at_end => self.pending.push(b'\r'),
                MARK_START => match read_mark(rest) {
                    Some((parameters, length)) => {
                        if self.colour {
                            write!(self.inner, "\x1b[{parameters}m")?;
                        }
                        taken += length;
                    }
                    None if !at_end
                        && rest.chars().count() < MARK_MAX_CHARS
                        && !rest.contains(MARK_END) =>
                    {
                        self.remember(&text[..i]);
                        self.pending.extend_from_slice(&bytes[i..]);
                        return Ok(());
                    }
                    None => write!(self.inner, "\\u{{{:x}}}", u32::from(c))?,
                },
                c => write!(self.inner, "\\u{{{:x}}}", u32::from(c))?,
            }
            i += taken;
            plain_from = i;
        }
        self.remember(text);
        self.inner.write_all(&bytes[plain_from..])
    }

    /// Whether a joiner after `before` (this write's text up to it)
    /// joins, with the text of earlier writes before that.
    fn joins(&self, before: &str, joiner: char, after: &str) -> bool {
        if before.len() >= JOINER_CONTEXT || self.tail.is_empty() {
            return joins(before, joiner, after);
        }
        joins(&format!("{}{before}", self.tail), joiner, after)
    }

    /// Keeps the end of `written` (following what was kept before) for
    /// a joiner in the next write.
    fn remember(&mut self, written: &str) {
        if written.len() >= JOINER_CONTEXT {
            self.tail.clear();
            let from = floor_char_boundary(written, written.len() - JOINER_CONTEXT);
            self.tail.push_str(&written[from..]);
        } else {
            self.tail.push_str(written);
            if self.tail.len() > 2 * JOINER_CONTEXT {
                let from = floor_char_boundary(&self.tail, self.tail.len() - JOINER_CONTEXT);
                self.tail.drain(..from);
            }
        }
    }

    /// Writes what of `bytes` is whole characters; up to three bytes of
    /// a character still on their way wait in `pending`.
    fn write_bytes(&mut self, bytes: &[u8]) -> io::Result<()> {
        let (text, rest): (Cow<str>, &[u8]) = match std::str::from_utf8(bytes) {
            Ok(text) => (Cow::Borrowed(text), &[]),
            Err(e) if e.error_len().is_none() => {
                let (done, rest) = bytes.split_at(e.valid_up_to());
                (String::from_utf8_lossy(done), rest)
            }
            Err(_) => (String::from_utf8_lossy(bytes), &[]),
        };
        self.write_clean(&text, false)?;
        self.pending.extend_from_slice(rest);
        Ok(())
    }
}

impl<W: Write> Write for TerminalSafe<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.pending.is_empty() {
            self.write_bytes(buf)?;
        } else {
            let mut bytes = std::mem::take(&mut self.pending);
            bytes.extend_from_slice(buf);
            self.write_bytes(&bytes)?;
        }
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
/// serde_json escapes C0 controls but passes C1 controls, bidirectional
/// overrides and invisible characters through raw; this escapes those
/// too (and every zero-width joiner), so piping `--format json` to a
/// terminal is harmless and the JSON stays JSON.
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
        // Most strings (ids, names, times) have nothing to escape.
        if is_printable_ascii(fragment) {
            return writer.write_all(fragment.as_bytes());
        }
        let mut start = 0;
        for (i, c) in fragment.char_indices() {
            // Every joiner, even one that joins: JSON is data, and
            // written to a terminal it passes [`TerminalSafe`], which
            // must find nothing to escape in it or the JSON would break.
            if is_hazardous(c) || is_joiner(c) {
                writer.write_all(&fragment.as_bytes()[start..i])?;
                // Above U+FFFF, JSON escapes the UTF-16 surrogate pair.
                for unit in c.encode_utf16(&mut [0; 2]) {
                    write!(writer, "\\u{:04x}", unit)?;
                }
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
    fn invisible_characters_become_visible_text() {
        for (text, shown) in [
            ("ana\u{200B}@example.com", "ana\\u{200b}@example.com"),
            ("a\u{2060}b\u{FEFF}c", "a\\u{2060}b\\u{feff}c"),
            (
                "a\u{180E}b\u{2064}c\u{206A}d",
                "a\\u{180e}b\\u{2064}c\\u{206a}d",
            ),
            // A joiner between letters that do not join only hides.
            ("a\u{200D}na", "a\\u{200d}na"),
            ("a\u{200C}na", "a\\u{200c}na"),
            ("\u{200D}start", "\\u{200d}start"),
            ("end\u{200D}", "end\\u{200d}"),
            ("👩\u{200D}x", "👩\\u{200d}x"),
            // Nor one before a mark or another joiner, nor one after a
            // character that is itself shown escaped.
            ("é\u{200D}\u{200C}", "é\\u{200d}\\u{200c}"),
            ("💻\u{200C}\u{200D}💻", "💻\\u{200c}\\u{200d}💻"),
            ("👩\u{E007F}\u{200D}😀", "👩\\u{e007f}\\u{200d}😀"),
        ] {
            assert_eq!(line(text), shown, "{text:?}");
            assert_eq!(block(text), shown, "{text:?}");
        }
    }

    #[test]
    fn joiners_that_join_are_left_alone() {
        for text in [
            // Emoji sequences: a person at work, with a skin tone, a
            // gendered one ending in a presentation selector, a family.
            "👩\u{200D}💻",
            "👩🏽\u{200D}💻",
            "🤦\u{200D}♀\u{FE0F}",
            "❤\u{FE0F}\u{200D}🔥",
            "👨\u{200D}👩\u{200D}👧\u{200D}👦",
            // Persian (a non-joiner between Arabic letters) and Hindi
            // (a joiner after a virama).
            "می\u{200C}خواهم",
            "क्\u{200D}ष",
        ] {
            assert_eq!(line(text), text, "{text:?}");
        }
    }

    #[test]
    fn the_terminal_safe_writer_judges_a_joiner_split_across_writes() {
        let text = "👩\u{200D}💻 and a\u{200D}na\u{200B}";
        let whole = painted(false, &[text]);
        assert_eq!(whole, "👩\u{200D}💻 and a\\u{200d}na\\u{200b}");
        for split in 0..=text.len() {
            if text.is_char_boundary(split) {
                let (one, two) = text.split_at(split);
                assert_eq!(painted(false, &[one, two]), whole, "split at {split}");
            }
        }
        // A joiner that ends the output joins nothing.
        assert_eq!(painted(false, &["👩\u{200D}"]), "👩\\u{200d}");
    }

    #[test]
    fn a_piece_of_text_judges_its_joiners_by_the_whole() {
        let text = "می\u{200C}خواهم a\u{200D}b";
        let pieces: String = text
            .grapheme_indices(true)
            .map(|(at, g)| line_of(text, at..at + g.len()).into_owned())
            .collect();
        assert_eq!(pieces, line(text));
        assert_eq!(pieces, "می\u{200C}خواهم a\\u{200d}b");
    }

    #[test]
    fn plain_text_is_not_copied() {
        assert!(matches!(
            line("Refund not received — 3 weeks"),
            Cow::Borrowed(_)
        ));
    }

    #[test]
    fn a_hazard_is_found_wherever_it_falls_against_the_sixteen_byte_chunks() {
        for len in 0..50 {
            let plain = "a".repeat(len);
            assert!(is_printable_ascii(&plain));
            assert_eq!(run_of(plain.as_bytes(), printable), len);
            for at in 0..len {
                let mut text = plain.clone();
                text.replace_range(at..=at, "\u{1b}");
                assert_eq!(run_of(text.as_bytes(), printable), at, "{len} {at}");
                assert!(!is_printable_ascii(&text));
                assert_eq!(line(&text).matches("\\u{1b}").count(), 1, "{len} {at}");
                assert_eq!(
                    through_terminal_safe(&[text.as_bytes()]),
                    format!("{}\\u{{1b}}{}", &plain[..at], &plain[at + 1..])
                );
            }
        }
    }

    fn through_terminal_safe(chunks: &[&[u8]]) -> String {
        let mut out = TerminalSafe::new(Vec::new(), false);
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

    proptest::proptest! {
        /// However the bytes are split across writes, what comes out is
        /// the same, and nothing hazardous but a `\r\n` line end is in it.
        #[test]
        fn the_terminal_safe_writer_gives_one_answer_for_any_split(
            text in "[a\\x1b\\x07\\r\\n\\t\\u{9b}\\u{202e}\\u{e0001}\\u{e007f}é€😀 ;\\u{200b}\\u{200c}\\u{200d}👩💻🏽م]{0,40}",
            splits in proptest::collection::vec(0usize..200, 0..6),
        ) {
            let bytes = text.as_bytes();
            let mut cuts: Vec<usize> = splits.iter().map(|s| s % (bytes.len() + 1)).collect();
            cuts.sort_unstable();
            let mut chunks: Vec<&[u8]> = Vec::new();
            let mut from = 0;
            for cut in cuts {
                chunks.push(&bytes[from..cut]);
                from = cut;
            }
            chunks.push(&bytes[from..]);
            let whole = through_terminal_safe(&[bytes]);
            proptest::prop_assert_eq!(through_terminal_safe(&chunks), whole.clone());
            let stripped = whole.replace("\r\n", "\n");
            proptest::prop_assert!(
                !stripped.chars().any(|c| is_hazardous(c) && c != '\n' && c != '\t'),
                "{:?}", whole
            );
            // A joiner let through joins what stands either side of it.
            for (at, c) in whole.char_indices() {
                if is_joiner(c) {
                    proptest::prop_assert!(
                        joins(&whole[..at], c, &whole[at + c.len_utf8()..]),
                        "{:?}", whole
                    );
                }
            }
        }

        /// Text made safe has nothing left to make safe.
        #[test]
        fn a_line_made_safe_is_safe(
            text in "[a\\x1b\\n\\t\\u{202e}é😀 \\u{200b}\\u{200c}\\u{200d}👩💻🏽مक्]{0,40}",
        ) {
            let shown = line(&text);
            proptest::prop_assert!(!shown.chars().any(is_hazardous), "{:?}", shown);
            proptest::prop_assert_eq!(line(&shown), shown.clone());
            proptest::prop_assert_eq!(painted(false, &[&shown]), shown.into_owned());
        }
    }

    fn painted(colour: bool, chunks: &[&str]) -> String {
        let mut out = TerminalSafe::new(Vec::new(), colour);
        for chunk in chunks {
            out.write_all(chunk.as_bytes()).unwrap();
        }
        out.flush().unwrap();
        String::from_utf8(out.inner).unwrap()
    }

    #[test]
    fn caselog_s_colours_pass_only_when_colour_is_on_and_only_its_own() {
        let red = anstyle::Style::new().fg_color(Some(anstyle::AnsiColor::Red.into()));
        let text = format!("a {} b", paint(red, "overdue"));
        assert_eq!(painted(true, &[&text]), "a \x1b[31moverdue\x1b[0m b");
        assert_eq!(painted(false, &[&text]), "a overdue b");
        // Split anywhere across writes, the mark still arrives whole.
        for split in 0..text.len() {
            if text.is_char_boundary(split) {
                let (one, two) = text.split_at(split);
                assert_eq!(painted(true, &[one, two]), "a \x1b[31moverdue\x1b[0m b");
            }
        }
        // A mark without this run's secret is shown, not obeyed.
        let forged: String = std::iter::once(MARK_START)
            .chain(
                "31".chars()
                    .map(|c| char::from_u32(0xE0000 + c as u32).unwrap()),
            )
            .chain(std::iter::once(MARK_END))
            .collect();
        let shown = painted(true, &[&format!("x{forged}y")]);
        assert!(
            !shown.contains('\x1b') && shown.contains("\\u{e0001}"),
            "{shown}"
        );
        // Case text made safe first cannot carry one either.
        assert!(!line(&text).contains(MARK_START));
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
        serde::Serialize::serialize("a\u{9b}b\u{202e}c\u{200b}d\u{200d}e", &mut serializer)
            .unwrap();
        let json = String::from_utf8(out).unwrap();
        assert_eq!(json, "\"a\\u009bb\\u202ec\\u200bd\\u200de\"");
        // What the terminal-safe writer then finds to escape: nothing.
        assert_eq!(painted(false, &[&json]), json);
        let mut out = Vec::new();
        let mut serializer = serde_json::Serializer::with_formatter(&mut out, JsonEscaper::new());
        serde::Serialize::serialize("\u{e0001}", &mut serializer).unwrap();
        let json = String::from_utf8(out).unwrap();
        assert_eq!(json, "\"\\udb40\\udc01\"");
        assert_eq!(serde_json::from_str::<String>(&json).unwrap(), "\u{e0001}");
    }
}
