//! Longer text from the user: an argument, standard input, a file, or an
//! editor on a temporary file, the way git takes a commit message.

use std::io::{IsTerminal, Read};
use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result, bail};

use crate::refuse;

/// Reads all of standard input as text.
pub fn stdin_text(what: &str) -> Result<String> {
    let mut text = String::new();
    std::io::stdin()
        .read_to_string(&mut text)
        .with_context(|| format!("reading {what} from standard input"))?;
    Ok(text)
}

/// Reads text from a file, or from standard input for `-`.
pub fn file_text(path: &Path, what: &str) -> Result<String> {
    if path == Path::new("-") {
        return stdin_text(what);
    }
    std::fs::read_to_string(path).with_context(|| format!("reading {what} from {}", path.display()))
}

/// Text that was not given on the command line: piped standard input, or
/// the user's editor when a terminal is attached.
pub fn missing_text(what: &str, hint: &str, how_to_give: &str) -> Result<String> {
    if !std::io::stdin().is_terminal() {
        return stdin_text(what);
    }
    match editor() {
        Some(editor) => edit(&editor, what, hint),
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
fn edit(editor: &str, what: &str, hint: &str) -> Result<String> {
    let file = tempfile::Builder::new()
        .prefix("caselog-")
        .suffix(".txt")
        .tempfile()
        .context("creating a temporary file for the editor")?;
    std::fs::write(
        file.path(),
        format!("\n# Write {what} above. {hint}\n# Lines starting with '#' are ignored; an empty text records nothing.\n"),
    )
    .context("writing the editor's temporary file")?;
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
    let text = std::fs::read_to_string(file.path()).context("reading the editor's text")?;
    let kept: Vec<&str> = text
        .lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .collect();
    Ok(kept.join("\n").trim().to_string())
}
