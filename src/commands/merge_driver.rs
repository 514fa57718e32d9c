//! `caselog merge-driver %O %A %B %P %L`: the git merge driver for case
//! files. git runs it when both branches changed a case; it writes the
//! result over %A and exits 0 (merged) or 1 (conflicts left, marked).

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use chrono::Duration;
use clap::Args;

use super::Session;
use crate::case::Case;
use crate::case::file;
use crate::case::validate;
use crate::error::EXIT_OK;
use crate::git;
use crate::git::merge;
use crate::limits;

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
    let read = |p: &Path| std::fs::read(at(p)).with_context(|| format!("reading {}", p.display()));
    let shown = args
        .path
        .clone()
        .unwrap_or_else(|| args.ours.display().to_string());
    let marker_size = usize::from(args.marker_size);
    let (ours_bytes, theirs_bytes) = (read(&args.ours)?, read(&args.theirs)?);
    match merge_sides(session, &args, &shown, &ours_bytes, &theirs_bytes) {
        Ok(code) => Ok(code),
        Err(error) => {
            // git takes any exit but 0 for a conflict and leaves %A as
            // ours: with no markers, `check` would pass ours alone and
            // the commit would drop theirs. So the failure is a conflict.
            super::say(&format!(
                "{shown}: {error:#}; both versions are left between conflict markers"
            ));
            leave_both(&at(&args.ours), &ours_bytes, &theirs_bytes, marker_size)
        }
    }
}

/// The merge proper, of the two sides' bytes as git gave them.
fn merge_sides(
    session: &Session,
    args: &MergeDriverArgs,
    shown: &str,
    ours_bytes: &[u8],
    theirs_bytes: &[u8],
) -> Result<u8> {
    let at = |p: &Path| session.cwd().join(p);
    let marker_size = usize::from(args.marker_size);
    let base_bytes = std::fs::read(at(&args.base))
        .with_context(|| format!("reading {}", args.base.display()))?;
    let texts = (
        String::from_utf8(base_bytes),
        std::str::from_utf8(ours_bytes),
        std::str::from_utf8(theirs_bytes),
    );
    let (Ok(base_text), Ok(ours_text), Ok(theirs_text)) = texts else {
        super::say(&format!(
            "{shown}: one side is not UTF-8 text; merging it as plain text"
        ));
        return text_merge(
            shown,
            &at(&args.ours),
            &at(&args.base),
            &at(&args.theirs),
            marker_size,
        );
    };
    let parse = |text: &str| file::parse(shown, text).ok();
    let base = if base_text.trim().is_empty() {
        None
    } else {
        parse(&base_text)
    };
    let (Some(ours), Some(theirs)) = (parse(ours_text), parse(theirs_text)) else {
        super::say(&format!(
            "{shown}: one side is not a valid case; merging it as plain text"
        ));
        return text_merge(
            shown,
            &at(&args.ours),
            &at(&args.base),
            &at(&args.theirs),
            marker_size,
        );
    };
    if base.is_none() && !base_text.trim().is_empty() {
        super::say(&format!(
            "{shown}: the common ancestor is not a valid case; every difference is a conflict"
        ));
    }
    // A side that took away an event the ancestor holds (a `git revert`,
    // a note deleted by hand) would get it back from the union of the
    // events without a word: that is for a person to settle.
    if let Some(base) = &base {
        for (name, side, other) in [("ours", &ours, &theirs), ("theirs", &theirs, &ours)] {
            if let Some(e) = merge::dropped_event(base, side, other) {
                // A cherry-pick (a rebase too) hands git the picked
                // commit's parent as the ancestor: ours may never have
                // held what that parent added, which looks the same.
                let picked = if name == "ours" {
                    " (in a cherry-pick or a rebase, ours may never have had it: the commit taken follows one that recorded it, not taken; take that one first)"
                } else {
                    ""
                };
                bail!(
                    "{name} removes or changes the {} event of {} by {} that the common ancestor holds, which a merge would bring back{picked}",
                    e.action,
                    e.at.to_rfc3339(),
                    e.by
                );
            }
        }
    }
    let merged = merge::merge(base.as_ref(), &ours, &theirs, marker_size);
    let wanted = wanted_comments(&base_text, ours_text, theirs_text);
    if !merged.conflicts.is_empty() {
        // The keys in conflict are marked in caselog's own layout, which
        // holds no comment: settling the markers would drop them unseen.
        if let Some(lost) = lost_comment(&wanted, &merged.text) {
            super::say(&format!(
                "{shown}: both sides changed {} differently, and marked alone the case would lose the comment `{lost}`; both versions are left between conflict markers",
                merged.conflicts.join(", ")
            ));
            return leave_both(&at(&args.ours), ours_bytes, theirs_bytes, marker_size);
        }
        write(
            &at(&args.ours),
            with_line_ends_of(ours_text, merged.text).as_bytes(),
        )?;
        super::say(&format!(
            "{shown}: both sides changed {} differently; keep the right lines between the markers, then run `caselog check`",
            merged.conflicts.join(", ")
        ));
        return Ok(EXIT_CONFLICT);
    }
    let text = file::parse(shown, &merged.text)
        .ok()
        .and_then(|merged_case| {
            keep_hand_edits(
                &merged_case,
                [(ours_text, &ours), (theirs_text, &theirs)],
                &wanted,
            )
        })
        .unwrap_or(merged.text);
    // Judge the result only on what a merge can break: the log's settings
    // may differ on the two branches, and an event a teammate's fast clock
    // dated ahead is no reason to stop a merge (`check` warns of it). With
    // no limit ahead, the clock only dates that warning: a `CASELOG_NOW`
    // the shell running git holds, however wrong, must not stop a merge.
    let below_cases = shown.rsplit_once("cases/").map_or(shown, |(_, rest)| rest);
    let rules = validate::Rules {
        categories: &[],
        now: session.now().unwrap_or_else(|_| chrono::Utc::now()),
        tolerance: Duration::MAX,
    };
    let errors: Vec<_> = validate::check(&text, Path::new(below_cases), &rules)
        .into_iter()
        .filter(|p| p.is_error())
        .collect();
    // A comment a person wrote is theirs to move or drop: a merge that
    // cannot keep every one leaves both versions for them.
    if errors.is_empty()
        && let Some(lost) = lost_comment(&wanted, &text)
    {
        super::say(&format!(
            "{shown}: merged, the case would lose the comment `{lost}`; both versions are left between conflict markers"
        ));
        return leave_both(&at(&args.ours), ours_bytes, theirs_bytes, marker_size);
    }
    if errors.is_empty() {
        let text = with_line_ends_of(ours_text, text);
        write(&at(&args.ours), text.as_bytes())?;
        return Ok(if too_large(shown, text.len() as u64) {
            EXIT_CONFLICT
        } else {
            EXIT_OK
        });
    }
    // Merged field by field, the case contradicts itself: leave both
    // versions for a person, between markers `check` reports.
    for p in &errors {
        super::say(&format!(
            "{shown}:{}: {} (after merging); both versions are left between conflict markers",
            p.line, p.message
        ));
    }
    leave_both(&at(&args.ours), ours_bytes, theirs_bytes, marker_size)
}

/// Leaves both sides whole between conflict markers in our file, for a
/// person to settle (`check` reports the markers).
fn leave_both(ours_path: &Path, ours: &[u8], theirs: &[u8], marker_size: usize) -> Result<u8> {
    write(ours_path, &whole_file_conflict(ours, theirs, marker_size))?;
    Ok(EXIT_CONFLICT)
}

/// `text` with the line ends of our side's file (CR LF when its every
/// line ends so), so that the merge shows as a change to ours and not as
/// every line rewritten.
fn with_line_ends_of(ours: &str, text: String) -> String {
    match (file::crlf_as_lf(ours).is_some(), file::crlf_as_lf(&text)) {
        (true, None) => text.replace('\n', "\r\n"),
        (false, Some(lf)) => lf,
        _ => text,
    }
}

/// Whether a merged file is larger than any command reads a case file
/// (each side smaller), said in one line: then the merge is stopped as a
/// conflict, not committed by git as a case no command could read.
fn too_large(shown: &str, len: u64) -> bool {
    let over = len > limits::CASE_FILE_BYTES;
    if over {
        super::say(&format!(
            "{shown}: merged, the case is larger than {}, which no command reads; cut it down by hand, then run `caselog check`",
            limits::size(limits::CASE_FILE_BYTES)
        ));
    }
    over
}

/// Both versions of a file between conflict markers, as git writes them,
/// byte for byte (a side need not be UTF-8).
fn whole_file_conflict(ours: &[u8], theirs: &[u8], marker_size: usize) -> Vec<u8> {
    let marker = |c: u8| vec![c; marker_size];
    let ending = |text: &[u8]| -> &[u8] { if text.ends_with(b"\n") { b"" } else { b"\n" } };
    [
        &marker(b'<')[..],
        b" ours\n",
        ours,
        ending(ours),
        &marker(b'=')[..],
        b"\n",
        theirs,
        ending(theirs),
        &marker(b'>')[..],
        b" theirs\n",
    ]
    .concat()
}

/// The merge applied as an edit to one side's file, so that side's
/// comments and layout survive; possible when its events are a prefix.
/// Of the two sides, the first that keeps every comment `wanted`.
fn keep_hand_edits(merged: &Case, sides: [(&str, &Case); 2], wanted: &[String]) -> Option<String> {
    let edited: Vec<String> = sides
        .into_iter()
        .filter_map(|(text, case)| {
            merged
                .events
                .starts_with(&case.events)
                .then(|| file::update(text, case, merged).ok())
                .flatten()
        })
        .collect();
    edited
        .iter()
        .find(|text| lost_comment(wanted, text).is_none())
        .or(edited.first())
        .cloned()
}

/// The comments a merged file must keep: each side's, but for those the
/// other side took away from the common ancestor.
fn wanted_comments(base: &str, ours: &str, theirs: &str) -> Vec<String> {
    let (base, ours, theirs) = (
        file::comments(base),
        file::comments(ours),
        file::comments(theirs),
    );
    let kept = |side: &[String], other: &[String]| -> Vec<String> {
        side.iter()
            .filter(|c| !base.contains(c) || other.contains(c))
            .cloned()
            .collect()
    };
    let mut wanted = kept(&ours, &theirs);
    wanted.extend(kept(&theirs, &ours));
    wanted
}

/// The first comment of `wanted` that `text` does not hold.
fn lost_comment(wanted: &[String], text: &str) -> Option<String> {
    let held = file::comments(text);
    wanted.iter().find(|c| !held.contains(c)).cloned()
}

fn write(path: &Path, text: &[u8]) -> Result<()> {
    crate::store::write_whole(path, text).with_context(|| format!("writing {}", path.display()))
}

/// What git would do without a driver: a line merge with markers. Where
/// even that fails (binary files), an error: the caller leaves both
/// versions between markers.
fn text_merge(
    shown: &str,
    ours: &Path,
    base: &Path,
    theirs: &Path,
    marker_size: usize,
) -> Result<u8> {
    match git::merge_file(ours, base, theirs, marker_size) {
        Ok(true) => {
            let len = std::fs::metadata(ours).map_or(0, |m| m.len());
            Ok(if too_large(shown, len) {
                EXIT_CONFLICT
            } else {
                EXIT_OK
            })
        }
        Ok(false) => Ok(EXIT_CONFLICT),
        Err(_) => bail!("git cannot merge it line by line"),
    }
}
