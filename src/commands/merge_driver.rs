//! `caselog merge-driver %O %A %B %P %L`: the git merge driver for case
//! files. git runs it when both branches changed a case; it writes the
//! result over %A and exits 0 (merged) or 1 (conflicts left, marked).

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use clap::Args;

use super::Session;
use crate::case::Case;
use crate::case::file;
use crate::case::validate;
use crate::error::EXIT_OK;
use crate::git;
use crate::git::merge;

/// The longest conflict marker taken: git's default is 7; anything near
/// this is a mistake, and a huge one would only exhaust memory.
const MAX_MARKER_SIZE: i64 = 1000;

/// Exit code when the merge left conflicts or an invalid case.
pub const EXIT_CONFLICT: u8 = 1;

/// The git merge driver for case files (git runs it; see `caselog init`)
///
/// Keeps every event of both sides, once each, in time order; merges each
/// field changed on one side, or alike on both; marks a field changed
/// differently on both sides with conflict markers around its lines and
/// exits 1.
#[derive(Debug, Args)]
pub struct MergeDriverArgs {
    /// %O: the common ancestor's version
    pub base: PathBuf,
    /// %A: our version, replaced by the result
    pub ours: PathBuf,
    /// %B: their version
    pub theirs: PathBuf,
    /// %P: the file's path, for messages
    pub path: Option<String>,
    /// %L: the conflict marker size
    #[arg(default_value_t = 7, value_parser = clap::value_parser!(u16).range(1..=MAX_MARKER_SIZE))]
    pub marker_size: u16,
}

pub fn run(session: &Session, args: MergeDriverArgs, _out: &mut dyn std::io::Write) -> Result<u8> {
    let at = |p: &Path| session.cwd().join(p);
    let read = |p: &Path| {
        std::fs::read_to_string(at(p)).with_context(|| format!("reading {}", p.display()))
    };
    let shown = args
        .path
        .clone()
        .unwrap_or_else(|| args.ours.display().to_string());
    let (base_text, ours_text, theirs_text) =
        (read(&args.base)?, read(&args.ours)?, read(&args.theirs)?);
    let parse = |text: &str| file::parse(&shown, text).ok();
    let base = if base_text.trim().is_empty() {
        None
    } else {
        parse(&base_text)
    };
    let (Some(ours), Some(theirs)) = (parse(&ours_text), parse(&theirs_text)) else {
        super::say(&format!(
            "{shown}: one side is not a valid case; merging it as plain text"
        ));
        return text_merge(&at(&args.ours), &at(&args.base), &at(&args.theirs));
    };
    if base.is_none() && !base_text.trim().is_empty() {
        super::say(&format!(
            "{shown}: the common ancestor is not a valid case; every difference is a conflict"
        ));
    }
    let merged = merge::merge(base.as_ref(), &ours, &theirs, usize::from(args.marker_size));
    if !merged.conflicts.is_empty() {
        write(&at(&args.ours), &merged.text)?;
        super::say(&format!(
            "{shown}: both sides changed {} differently; keep the right lines between the markers, then run `caselog check`",
            merged.conflicts.join(", ")
        ));
        return Ok(EXIT_CONFLICT);
    }
    let merged_case = file::parse(&shown, &merged.text).context("re-reading the merged case")?;
    let text = keep_hand_edits(&merged_case, [(&ours_text, &ours), (&theirs_text, &theirs)])
        .unwrap_or(merged.text);
    write(&at(&args.ours), &text)?;
    let below_cases = shown
        .rsplit_once("cases/")
        .map_or(shown.as_str(), |(_, rest)| rest);
    // The log's categories may differ on the two branches: judge the
    // merge only on what a merge can break.
    let rules = validate::Rules {
        categories: &[],
        now: session.now()?,
    };
    let problems = validate::check(&text, Path::new(below_cases), &rules);
    if !problems.is_empty() {
        for p in &problems {
            super::say(&format!(
                "{shown}:{}: {} (after merging)",
                p.line, p.message
            ));
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
            .then(|| file::update(text, case, merged).ok())
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
    Ok(if git::merge_file(ours, base, theirs)? {
        EXIT_OK
    } else {
        EXIT_CONFLICT
    })
}
