//! Reading a case file: the case with line-numbered errors, a quick read
//! of the fields before the event log, and the conflict markers git leaves.

use crate::case::{Case, FORMAT};
use crate::error::InputError;

/// Reads a case from its file's text. `shown_path` names the file in errors.
pub fn parse(shown_path: &str, text: &str) -> Result<Case, InputError> {
    let lf = super::crlf_as_lf(text);
    let text = lf.as_deref().unwrap_or(text);
    let case: Case =
        toml::from_str(text).map_err(|e| InputError::from_toml(shown_path, text, &e))?;
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

/// A line git writes around a conflict it could not merge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConflictMarker {
    pub line: usize,
    /// The marker itself: `<<<<<<<`, `=======`, `|||||||` or `>>>>>>>`.
    pub marker: String,
}

impl ConflictMarker {
    /// What is wrong and what to do about it.
    pub fn message(&self) -> String {
        format!(
            "merge conflict marker `{}` left in the file: keep the right lines, delete the markers",
            self.marker
        )
    }
}

/// Every conflict marker line in `text`.
pub fn conflict_markers(text: &str) -> Vec<ConflictMarker> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| {
            ["<<<<<<<", ">>>>>>>", "|||||||"]
                .iter()
                .any(|m| l.starts_with(m))
                || l.trim_end() == "======="
        })
        .map(|(i, l)| ConflictMarker {
            line: i + 1,
            marker: l.split_whitespace().next().unwrap_or(l).to_string(),
        })
        .collect()
}
