//! The case file on disk, in four jobs: reading it with line-numbered
//! errors ([`parse`]), the canonical layout caselog writes ([`layout`]),
//! minimal edits that keep a person's comments ([`edit`]), and `fmt`'s
//! rewrite into the canonical layout ([`format`]).

mod edit;
mod format;
mod layout;
mod parse;

pub use edit::{comments, update};
pub use format::format;
pub(crate) use layout::{Field, Section, all_sections, event_fields, write_fields};
pub use layout::{render, string_literal};
pub use parse::{ConflictMarker, conflict_markers, parse};

/// A file whose every line ends in CR LF (as git's `core.autocrlf` checks
/// files out on Windows), as the same text with LF endings; `None` for
/// any other. CR LF is the file's, not its values': read as LF (TOML
/// would keep the CR in a multi-line text), and written back as CR LF so
/// a change touches only its own lines.
pub(crate) fn crlf_as_lf(text: &str) -> Option<String> {
    let lines = text.matches('\n').count();
    (lines > 0 && text.matches("\r\n").count() == lines).then(|| text.replace("\r\n", "\n"))
}

/// `change` made to `text` as if its lines ended in LF, and given back
/// with the line endings `text` has.
fn keeping_line_ends<E>(
    text: &str,
    change: impl FnOnce(&str) -> Result<String, E>,
) -> Result<String, E> {
    match crlf_as_lf(text) {
        Some(lf) => change(&lf).map(|changed| changed.replace('\n', "\r\n")),
        None => change(text),
    }
}
