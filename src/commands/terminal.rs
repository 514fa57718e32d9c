//! What the person's terminal takes, read once per run: how wide it is,
//! whether it shows colour, and the pager long output goes through.
//!
//! Colour follows the usual conventions (clap's and anstream's): `--color
//! always|never|auto`, and in `auto` none when standard output is not a
//! terminal, or `NO_COLOR` is set. The pager is git's: `$CASELOG_PAGER`,
//! else `$PAGER`, else `less` (with `LESS=FRX` when `LESS` is unset), only
//! when standard output is a terminal; `--no-pager` or an empty
//! `CASELOG_PAGER` turns it off.

use std::io::{self, IsTerminal, Write};
use std::process::{Command, Stdio};

use anstyle::{AnsiColor, Style};
use unicode_segmentation::UnicodeSegmentation;

use crate::case::{Severity, Status};
use crate::untrusted;

/// The terminal's facts for this run.
#[derive(Debug, Clone, Default)]
pub struct Terminal {
    width: Option<u16>,
    colour: bool,
    pager: Option<String>,
}

/// What caselog colours, each in one style wherever it shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tint {
    /// Past its time: an overdue deadline or follow-up.
    Overdue,
    /// Falling due soon.
    DueSoon,
    /// Severity high.
    High,
    /// Severity critical.
    Critical,
    /// A word a search found, in its snippet.
    Found,
    /// A case's status, by status.
    Open,
    Waiting,
    Resolved,
    Closed,
}

impl Tint {
    /// A case's status, each in its own colour.
    pub fn status(status: Status) -> Tint {
        match status {
            Status::Open => Tint::Open,
            Status::Waiting => Tint::Waiting,
            Status::Resolved => Tint::Resolved,
            Status::Closed => Tint::Closed,
        }
    }

    /// High and critical severities stand out; the others do not.
    pub fn severity(severity: Severity) -> Option<Tint> {
        match severity {
            Severity::Critical => Some(Tint::Critical),
            Severity::High => Some(Tint::High),
            _ => None,
        }
    }

    fn style(self) -> Style {
        let colour = |c: AnsiColor| Style::new().fg_color(Some(c.into()));
        match self {
            Tint::Overdue => colour(AnsiColor::Red).bold(),
            Tint::DueSoon => colour(AnsiColor::Yellow),
            Tint::High => colour(AnsiColor::Yellow),
            Tint::Critical => colour(AnsiColor::Red).bold(),
            Tint::Found => Style::new().bold(),
            Tint::Open => colour(AnsiColor::Cyan),
            Tint::Waiting => colour(AnsiColor::Magenta),
            Tint::Resolved => colour(AnsiColor::Green),
            Tint::Closed => Style::new().dimmed(),
        }
    }
}

impl Terminal {
    /// The facts from the options (`--color`, `--no-pager`) and the
    /// environment (`COLUMNS`, `NO_COLOR`, `CLICOLOR…`, `CASELOG_PAGER`,
    /// `PAGER`).
    pub fn from_env(color: anstream::ColorChoice, no_pager: bool) -> Terminal {
        let stdout = io::stdout();
        let is_terminal = stdout.is_terminal();
        color.write_global();
        let colour = !matches!(
            anstream::AutoStream::choice(&stdout),
            anstream::ColorChoice::Never
        );
        // $COLUMNS, as `ls` takes it, else the terminal's own width; no
        // limit when the output goes to a file or a program.
        let width = std::env::var("COLUMNS")
            .ok()
            .and_then(|c| c.trim().parse::<u16>().ok())
            .filter(|&c| c > 0)
            .or_else(|| {
                is_terminal
                    .then(|| terminal_size::terminal_size_of(&stdout))
                    .flatten()
                    .map(|(w, _)| w.0)
            });
        let pager = match std::env::var("CASELOG_PAGER") {
            Ok(command) => Some(command),
            Err(_) => Some(
                std::env::var("PAGER")
                    .ok()
                    .filter(|p| !p.trim().is_empty())
                    .unwrap_or_else(|| "less".to_string()),
            ),
        }
        .filter(|command| !command.trim().is_empty() && command.trim() != "cat")
        .filter(|_| is_terminal && !no_pager);
        Terminal {
            width,
            colour,
            pager,
        }
    }

    /// How many columns output for people may take; `None`: no limit.
    pub fn width(&self) -> Option<u16> {
        self.width
    }

    /// Whether caselog's colours show.
    pub fn colour(&self) -> bool {
        self.colour
    }

    /// The pager long output goes through, if any.
    pub fn pager(&self) -> Option<&str> {
        self.pager.as_deref()
    }

    /// `text` (already safe, see [`untrusted::line`]) in `tint`.
    pub fn paint(&self, tint: Tint, text: &str) -> String {
        self.paint_if(Some(tint), text)
    }

    /// `text` in `tint`, if any, added to `out`.
    pub fn paint_into(&self, out: &mut String, tint: Option<Tint>, text: &str) {
        match tint {
            Some(tint) if self.colour => out.push_str(&untrusted::paint(tint.style(), text)),
            _ => out.push_str(text),
        }
    }

    /// `text` in `tint`, if any.
    pub fn paint_if(&self, tint: Option<Tint>, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        self.paint_into(&mut out, tint, text);
        out
    }
}

/// How many columns `text` takes on a terminal (colour marks take none).
pub fn columns(text: &str) -> usize {
    if crate::untrusted::is_printable_ascii(text) {
        return text.len();
    }
    unicode_width::UnicodeWidthStr::width(text)
}

/// `text` cut to at most `width` columns, ending in `…` when cut. The
/// cut falls between user-perceived characters (grapheme clusters): an
/// accent, a skin tone or the rest of an emoji sequence is never cut
/// from the character it belongs to.
pub fn shorten(text: &str, width: usize) -> String {
    if columns(text) <= width {
        return text.to_string();
    }
    let mut out = String::new();
    let mut used = 0;
    for character in text.graphemes(true) {
        let w = columns(character);
        if used + w + 1 > width {
            break;
        }
        out.push_str(character);
        used += w;
    }
    out.push('…');
    out
}

/// `text` followed by the blanks that make it `width` columns wide (a
/// wide character takes two, an accent none), as `{:<width$}` would pad
/// it if it counted columns rather than characters.
pub fn pad(text: &str, width: usize) -> String {
    let mut out = String::with_capacity(text.len() + width);
    pad_into(&mut out, text, width);
    out
}

/// [`pad`], added to `out`: a listing's lines are made in one string.
pub fn pad_into(out: &mut String, text: &str, width: usize) {
    out.push_str(text);
    out.extend(std::iter::repeat_n(
        ' ',
        width.saturating_sub(columns(text)),
    ));
}

/// Shows `output` through `pager`. The pager never costs the output: one
/// that cannot start, or that fails before taking all of it, leaves it
/// printed on standard output instead. A pager the person quits early is
/// not an error.
pub fn page(pager: &str, output: &[u8]) -> io::Result<()> {
    if output.is_empty() {
        return Ok(());
    }
    let mut command = Command::new("sh");
    command.arg("-c").arg(pager).stdin(Stdio::piped());
    if std::env::var_os("LESS").is_none() {
        command.env("LESS", "FRX");
    }
    if std::env::var_os("LV").is_none() {
        command.env("LV", "-c");
    }
    let Ok(mut child) = command.spawn() else {
        return direct(output);
    };
    let written = child
        .stdin
        .take()
        .map(|mut stdin| stdin.write_all(output).and_then(|()| stdin.flush()));
    let status = child.wait();
    let finished = status.as_ref().is_ok_and(|s| s.success());
    // The shell's "not found" and "cannot run": no pager ever showed it.
    let missing = status
        .as_ref()
        .is_ok_and(|s| matches!(s.code(), Some(126 | 127)));
    match written {
        Some(Ok(())) if status.is_ok() && !missing => Ok(()),
        // Quit before the end: what the person chose.
        Some(Err(e)) if e.kind() == io::ErrorKind::BrokenPipe && finished => Ok(()),
        _ => direct(output),
    }
}

fn direct(output: &[u8]) -> io::Result<()> {
    let mut stdout = io::stdout().lock();
    stdout.write_all(output)?;
    stdout.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colour_marks_take_no_columns_and_text_shortens_with_an_ellipsis() {
        let terminal = Terminal {
            colour: true,
            ..Terminal::default()
        };
        assert_eq!(columns(&terminal.paint(Tint::Overdue, "overdue")), 7);
        assert_eq!(shorten("Charged twice for August", 12), "Charged twi…");
        assert_eq!(shorten("Café", 4), "Café");
        assert_eq!(shorten("日本語のタイトル", 7), "日本語…");
    }

    #[test]
    fn text_shortens_between_whole_characters_and_pads_by_columns() {
        // A decomposed accent, a skin tone, an emoji sequence and a flag
        // stay whole: the cut never leaves half of one before the `…`.
        for (text, width, short) in [
            ("Cafe\u{301}s and more", 5, "Cafe\u{301}…"),
            ("ab👍🏽cd and more", 5, "ab👍🏽…"),
            ("ab👍🏽cd and more", 4, "ab…"),
            ("a👩\u{200D}💻 b and more", 4, "a👩\u{200D}💻…"),
            ("a👩\u{200D}💻 b and more", 3, "a…"),
            ("🇫🇷🇩🇪 and more", 3, "🇫🇷…"),
        ] {
            let got = shorten(text, width);
            assert_eq!(got, short, "{text:?} at {width}");
            assert!(columns(&got) <= width, "{got:?}");
        }
        assert_eq!(pad("日本", 6), "日本  ");
        assert_eq!(pad("Cafe\u{301}", 6), "Cafe\u{301}  ");
        assert_eq!(pad("too wide", 3), "too wide");
    }
}
