//! Longer text from the user: an argument, standard input, a file, or an
//! editor on a temporary file, the way git takes a commit message.

use std::io::IsTerminal;
use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result, bail};

use crate::error::InputError;
use crate::limits;
use crate::refuse;

/// Reads all of standard input as text, at most `limit` bytes.
pub fn stdin_text(what: &str, limit: u64) -> Result<String> {
    limits::read_text(
        std::io::stdin().lock(),
        limit,
        &format!("{what} on standard input"),
    )
}

/// Reads text from a file, or from standard input for `-`, at most `limit`
/// bytes. A file that is missing, a folder, or not text is the user's to
/// fix (exit 2).
pub fn file_text(path: &Path, what: &str, limit: u64) -> Result<String> {
    let (bytes, shown) = file_bytes(path, what, limit)?;
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        InputError::Invalid(format!(
            "{what} {shown} is not UTF-8 text (invalid byte at offset {at})"
        ))
        .into()
    })
}

/// [`file_text`] as bytes, for a caller that says itself what is wrong
/// with bytes that are not text; with where they came from (`in FILE`,
/// `on standard input`).
pub fn file_bytes(path: &Path, what: &str, limit: u64) -> Result<(Vec<u8>, String)> {
    if path == Path::new("-") {
        let shown = "on standard input".to_string();
        let bytes = limits::read_bytes_sized(
            std::io::stdin().lock(),
            0,
            limit,
            &format!("{what} {shown}"),
        )?;
        return Ok((bytes, shown));
    }
    let shown = path.display().to_string();
    let file = match std::fs::File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            refuse!("cannot read {what} from {shown}: there is no such file")
        }
        Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => {
            refuse!("cannot read {what} from {shown}: permission denied")
        }
        Err(e) => return Err(e).with_context(|| format!("reading {what} from {shown}")),
    };
    let meta = file.metadata().ok();
    if meta.as_ref().is_some_and(|m| m.is_dir()) {
        refuse!("cannot read {what} from {shown}: it is a folder");
    }
    let size = meta.map_or(0, |m| m.len());
    let shown = format!("in {shown}");
    let bytes = limits::read_bytes_sized(file, size, limit, &format!("{what} {shown}"))?;
    Ok((bytes, shown))
}

/// A text as the person meant it: a file or a pipe ends its last line
/// with a line break (`echo`, an editor), which is not part of the text,
/// as `$(…)` drops it in the shell. One is removed; more are kept.
pub fn without_final_newline(mut text: String) -> String {
    if text.ends_with('\n') {
        text.pop();
        if text.ends_with('\r') {
            text.pop();
        }
    }
    text
}

/// Refuses a text given on the command line that is over `limit` bytes,
/// as text from anywhere else is.
pub fn within(text: String, what: &str, limit: u64) -> Result<String> {
    if text.len() as u64 > limit {
        refuse!(
            "{what} is larger than {}; nothing was written",
            limits::size(limit)
        );
    }
    Ok(text)
}

/// Text that was not given on the command line: piped standard input, or
/// the user's editor when a terminal is attached.
pub fn missing_text(what: &str, hint: &str, how_to_give: &str, limit: u64) -> Result<String> {
    if !std::io::stdin().is_terminal() {
        return stdin_text(what, limit).map(without_final_newline);
    }
    match editor() {
        Some(editor) => within(edit(&editor, what, hint, limit)?, what, limit),
        None => refuse!("no {what} given: {how_to_give} (or set $VISUAL or $EDITOR)"),
    }
}

fn editor() -> Option<String> {
    ["VISUAL", "EDITOR"]
        .iter()
        .filter_map(|v| std::env::var(v).ok())
        .find(|e| !e.trim().is_empty())
}

/// Opens `editor` on a temporary file; lines starting with `#` are dropped.
fn edit(editor: &str, what: &str, hint: &str, limit: u64) -> Result<String> {
    let initial = format!(
        "\n# Write {what} above. {hint}\n# Lines starting with '#' are ignored; an empty text records nothing.\n"
    );
    let text = in_editor(editor, &initial, ".txt", what, limit)?;
    let kept: Vec<&str> = text
        .lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .collect();
    Ok(kept.join("\n").trim().to_string())
}

/// The user's editor, when standard input is a terminal and one is set.
pub fn terminal_editor() -> Option<String> {
    std::io::stdin().is_terminal().then(editor).flatten()
}

/// Opens `editor` on a temporary file (named `*suffix`) holding `initial`,
/// and returns what the person saved, at most `limit` bytes and a little.
pub fn in_editor(
    editor: &str,
    initial: &str,
    suffix: &str,
    what: &str,
    limit: u64,
) -> Result<String> {
    let file = tempfile::Builder::new()
        .prefix("caselog-")
        .suffix(suffix)
        .tempfile()
        .context("creating a temporary file for the editor")?;
    std::fs::write(file.path(), initial).context("writing the editor's temporary file")?;
    // The editor setting may carry arguments (`code --wait`), so the shell splits it.
    let status = Command::new("sh")
        .arg("-c")
        .arg(format!("{editor} \"$1\""))
        .arg("caselog")
        .arg(file.path())
        .status()
        .with_context(|| format!("starting the editor '{editor}'"))?;
    if !status.success() {
        bail!("the editor '{editor}' failed ({status}); nothing was written");
    }
    limits::read_text(
        std::fs::File::open(file.path()).context("reading the editor's text")?,
        // Comment lines are dropped after reading: allow for them.
        limit + 4096,
        what,
    )
}
