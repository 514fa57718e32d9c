//! `caselog changes REV..REV`: what a range of commits did to the cases,
//! grouped per case, for a reviewer (text, markdown) or a bot (json).

use std::io::Write;

use anyhow::Result;

use super::Session;
use super::args::words;
use crate::case::Case;
use crate::error::{EXIT_INPUT, EXIT_OK};
use crate::git::history::{self, CaseChange};
use crate::git::{self, FileChange};
use crate::untrusted::{line, markdown};
use crate::words::word_enum;
use clap::Args;

word_enum!(
    /// How `changes` and `log` print.
    Format, "format" {
        Text => "text",
        Markdown => "markdown",
        Json => "json",
    }
);

/// What a range of commits did to the cases, for review
///
/// Cases opened, resolved, reopened, closed, followed up (with the
/// customer's answer), reassigned, and notes added, grouped per case with
/// its title. Reads the case files at both revisions through git, without
/// a checkout; handles added, deleted and moved files.
#[derive(Debug, Args)]
pub struct ChangesArgs {
    /// `A..B`, `A...B` (from their merge base, as a pull request shows), `A` (to HEAD), or `A^!` (the commit A alone, a first commit too)
    pub range: String,
    /// text, markdown for a pull request, json for bots
    #[arg(long, default_value = "text", value_parser = words::<Format>(Format::WORDS))]
    pub format: Format,
}

pub fn run(session: &Session, args: ChangesArgs, out: &mut dyn Write) -> Result<u8> {
    let root = session.store()?.root();
    git::require_history(root)?;
    let (from, to) = git::resolve_range(root, &args.range)?;
    let mut changes: Vec<CaseChange> = Vec::new();
    let mut blobs = git::Blobs::open(root)?;
    let mut unreadable = 0;
    for change in git::changed_case_files(root, &from, &to)? {
        let (old_path, new_path, kind) = match &change {
            FileChange::Added(p) => (None, Some(p.clone()), "added"),
            FileChange::Deleted(p) => (Some(p.clone()), None, "deleted"),
            FileChange::Modified(p) => (Some(p.clone()), Some(p.clone()), "modified"),
            FileChange::Renamed { from, to } => (Some(from.clone()), Some(to.clone()), "renamed"),
        };
        // A version that is no case (a conflict left in, a hand edit gone
        // wrong) is reported, and the other cases are still told.
        let mut read =
            |commit: &str, path: &Option<String>| -> Result<Result<Option<Case>, String>> {
                let Some(path) = path else {
                    return Ok(Ok(None));
                };
                let bytes = blobs.bytes(commit, path)?;
                Ok(history::version(bytes, &format!("{path} at {commit:.7}")))
            };
        let (before, after) = match (read(&from, &old_path)?, read(&to, &new_path)?) {
            (Ok(before), Ok(after)) => (before, after),
            (Err(why), _) | (_, Err(why)) => {
                super::say(&why);
                unreadable += 1;
                continue;
            }
        };
        let renamed_from = matches!(change, FileChange::Renamed { .. })
            .then(|| old_path.clone())
            .flatten();
        let path = new_path.or(old_path).unwrap_or_default();
        if let Some(described) = history::describe(
            before.as_ref(),
            after.as_ref(),
            kind,
            &path,
            renamed_from,
            session.zone(),
        ) {
            changes.push(described);
        }
    }
    changes.sort_by(|a, b| a.id.cmp(&b.id));
    let title = format!("{}..{}", &from[..7.min(from.len())], &to[..7.min(to.len())]);
    write_changes(out, &changes, args.format, &title)?;
    Ok(if unreadable == 0 { EXIT_OK } else { EXIT_INPUT })
}

/// Prints case changes; nothing at all (text) when there are none.
pub fn write_changes(
    out: &mut dyn Write,
    changes: &[CaseChange],
    format: Format,
    title: &str,
) -> Result<()> {
    match format {
        Format::Json => super::json::write(out, &changes)?,
        Format::Text => {
            for (i, c) in changes.iter().enumerate() {
                if i > 0 {
                    writeln!(out)?;
                }
                writeln!(out, "{}  {}", c.id, line(&c.title))?;
                for s in &c.summary {
                    writeln!(out, "  {s}")?;
                }
            }
        }
        Format::Markdown => {
            writeln!(out, "### Case changes ({title})\n")?;
            if changes.is_empty() {
                writeln!(out, "No case files changed.")?;
            }
            for c in changes {
                writeln!(out, "- **{}** {}", c.id, markdown(&c.title))?;
                for s in &c.summary {
                    writeln!(out, "  - {}", markdown(s))?;
                }
            }
        }
    }
    Ok(())
}
