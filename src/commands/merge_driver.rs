//! `caselog merge-driver %O %A %B %P %L`: the git merge driver for case
//! files. git runs it when both branches changed a case; it writes the
//! result over %A and exits 0 (merged) or 1 (conflicts left, marked).

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

use super::Session;
use crate::case::Case;
use crate::case_file;
use crate::clock;
use crate::error::EXIT_OK;
use crate::merge;
use crate::settings::Settings;
use crate::validate;

/// Exit code when the merge left conflicts or an invalid case.
pub const EXIT_CONFLICT: u8 = 1;

pub struct Request {
    /// %O: the common ancestor's version (empty when there is none).
    pub base: PathBuf,
    /// %A: our version; the result is written here.
    pub ours: PathBuf,
    /// %B: their version.
    pub theirs: PathBuf,
    /// %P: the case file's path in the repository, for messages.
    pub path: Option<String>,
    /// %L: the conflict marker size.
    pub marker_size: usize,
}

pub fn run(session: &Session, request: Request, _out: &mut dyn std::io::Write) -> Result<u8> {
    let at = |p: &Path| session.cwd.join(p);
    let read = |p: &Path| {
        std::fs::read_to_string(at(p)).with_context(|| format!("reading {}", p.display()))
    };
    let shown = request
        .path
        .clone()
        .unwrap_or_else(|| request.ours.display().to_string());
    let (base_text, ours_text, theirs_text) = (
        read(&request.base)?,
        read(&request.ours)?,
        read(&request.theirs)?,
    );
    let parse = |text: &str| case_file::parse(&shown, text).ok();
    let base = if base_text.trim().is_empty() {
        None
    } else {
        parse(&base_text)
    };
    let (Some(ours), Some(theirs)) = (parse(&ours_text), parse(&theirs_text)) else {
        eprintln!("caselog: {shown}: one side is not a valid case; merging it as plain text");
        return text_merge(&at(&request.ours), &at(&request.base), &at(&request.theirs));
    };
    if base.is_none() && !base_text.trim().is_empty() {
        eprintln!(
            "caselog: {shown}: the common ancestor is not a valid case; every difference is a conflict"
        );
    }
    let merged = merge::merge(base.as_ref(), &ours, &theirs, request.marker_size);
    if !merged.conflicts.is_empty() {
        write(&at(&request.ours), &merged.text)?;
        eprintln!(
            "caselog: {shown}: both sides changed {} differently; keep the right lines between the markers, then run `caselog check`",
            merged.conflicts.join(", ")
        );
        return Ok(EXIT_CONFLICT);
    }
    let merged_case =
        case_file::parse(&shown, &merged.text).context("re-reading the merged case")?;
    let text = keep_hand_edits(&merged_case, [(&ours_text, &ours), (&theirs_text, &theirs)])
        .unwrap_or(merged.text);
    write(&at(&request.ours), &text)?;
    let below_cases = shown
        .rsplit_once("cases/")
        .map_or(shown.as_str(), |(_, rest)| rest);
    let problems = validate::check(
        &text,
        Path::new(below_cases),
        &Settings::default(),
        clock::now()?,
    );
    if !problems.is_empty() {
        for p in &problems {
            eprintln!("caselog: {shown}:{}: {} (after merging)", p.line, p.message);
        }
        return Ok(EXIT_CONFLICT);
    }
    Ok(EXIT_OK)
}

/// The merge applied as an edit to one side's file, so that side's
/// comments and layout survive; possible when its events are a prefix.
fn keep_hand_edits(merged: &Case, sides: [(&String, &Case); 2]) -> Option<String> {
    sides.into_iter().find_map(|(text, case)| {
        merged
            .events
            .starts_with(&case.events)
            .then(|| case_file::update(text, case, merged).ok())
            .flatten()
    })
}

fn write(path: &Path, text: &str) -> Result<()> {
    let folder = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut file = tempfile::NamedTempFile::new_in(folder)
        .context("creating a temporary file for the merge")?;
    std::io::Write::write_all(&mut file, text.as_bytes()).context("writing the merge")?;
    file.persist(path)
        .map_err(|e| e.error)
        .with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}

/// What git would do without a driver: a line merge with markers.
fn text_merge(ours: &Path, base: &Path, theirs: &Path) -> Result<u8> {
    let status = Command::new("git")
        .args(["merge-file", "-L", "ours", "-L", "base", "-L", "theirs"])
        .args([ours, base, theirs])
        .status()
        .context("running git merge-file")?;
    match status.code() {
        Some(0) => Ok(EXIT_OK),
        Some(n) if n > 0 => Ok(EXIT_CONFLICT),
        _ => bail!("git merge-file failed ({status})"),
    }
}
