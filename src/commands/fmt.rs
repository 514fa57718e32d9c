//! `caselog fmt`: rewrite case files into the canonical layout caselog
//! writes (key order, one value per line), keeping comments. `--check`
//! changes nothing and lists the files that would change.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Result;

use super::args::{ByArg, CardArg};
use super::{Session, warn};
use crate::case::{fields, file, lifecycle};
use crate::error::{self, EXIT_OK};
use crate::store::is_lock_failure;
use clap::Args;

/// Exit code of `fmt --check` when a file is not canonical.
pub const EXIT_WOULD_CHANGE: u8 = 1;

/// Rewrite case files into caselog's canonical layout, keeping comments
///
/// Key order, one value per line, lists one item per line, one spelling of
/// every value. Prints each file it changes. With --check it changes
/// nothing, lists the files that would change and exits 1 if any would.
/// With --record-edits it first records, as `edited` events, the fields
/// edited by hand that `caselog check` notes.
#[derive(Debug, Args)]
pub struct FmtArgs {
    /// The cases to format: ids, or unique prefixes or suffixes [default: every case]
    #[arg(add = clap_complete::ArgValueCompleter::new(super::completions::case_ids))]
    pub ids: Vec<String>,
    /// Change nothing; list the files that are not canonical and exit 1 if any
    #[arg(long, conflicts_with = "record_edits")]
    pub check: bool,
    /// Record fields edited by hand (differing from the event log, or from
    /// git's HEAD with no event) as `edited` events
    #[arg(long)]
    pub record_edits: bool,
    #[command(flatten)]
    pub card: CardArg,
    #[command(flatten)]
    pub by: ByArg,
}

pub fn run(session: &Session, args: FmtArgs, out: &mut dyn Write) -> Result<u8> {
    let store = session.store()?;
    // The worst failure sets the exit code: 3 for the system (a full
    // disk), else 2 for a file that is not a valid case.
    let mut failed: Option<u8> = None;
    let mut fail = |err: &anyhow::Error| {
        warn(err);
        failed = failed.max(Some(error::exit_code(err)));
    };
    let files: Vec<PathBuf> = if args.ids.is_empty() {
        let (files, errors) = store.case_files();
        errors.iter().for_each(&mut fail);
        files
    } else {
        args.ids
            .iter()
            .map(|id| store.find(id))
            .collect::<Result<_>>()?
    };
    // A lock that cannot be had (a read-only checkout, a lock file that is
    // a link) is said once, before any file, not once for each.
    if !args.check {
        store.while_locked(|_| Ok(()))?;
    }
    if args.record_edits {
        let allow = args.card.allow_card_like_number;
        record_edits(
            session,
            &files,
            args.by.by.as_deref(),
            allow,
            out,
            &mut fail,
        )?;
    }
    let mut would_change = false;
    for path in &files {
        let shown = store.shown(path);
        let outcome = if args.check {
            store
                .read_text(path)
                .and_then(|text| Ok(file::format(&shown, &text)? != text))
        } else {
            store.rewrite(path, file::format)
        };
        match outcome {
            Ok(true) if args.check => {
                writeln!(out, "{shown}")?;
                would_change = true;
            }
            Ok(true) => writeln!(out, "formatted {shown}")?,
            Ok(false) => {}
            // Each file waits for the lock afresh: the next would wait
            // as long and fail alike, so the run stops at the first.
            Err(err) if is_lock_failure(&err) => return Err(err),
            Err(err) => fail(&err),
        }
    }
    Ok(match failed {
        Some(code) => code,
        None if would_change => EXIT_WOULD_CHANGE,
        None => EXIT_OK,
    })
}

/// Records each file's hand edits as `edited` events, saying which.
fn record_edits(
    session: &Session,
    files: &[PathBuf],
    by: Option<&str>,
    allow_card_like: bool,
    out: &mut dyn Write,
    fail: &mut dyn FnMut(&anyhow::Error),
) -> Result<()> {
    let store = session.store()?;
    let heads = super::check::head_versions(store, files);
    for path in files {
        let earlier = heads.iter().find(|(p, _)| p == path).map(|(_, c)| c);
        let Some(id) = path.file_stem().and_then(|s| s.to_str()) else {
            continue;
        };
        let mut recorded = Vec::new();
        let changed = session.change(id, by, allow_card_like, |case, stamp| {
            recorded = fields::unrecorded(earlier, case);
            lifecycle::record_edits(case, stamp, &recorded)
        });
        match changed {
            Ok(changed) if changed.written => {
                let names: Vec<&str> = recorded.iter().map(|u| u.field.as_str()).collect();
                writeln!(
                    out,
                    "recorded edits of {} in {}",
                    names.join(", "),
                    store.shown(path)
                )?;
            }
            Ok(_) => {}
            Err(err) if is_lock_failure(&err) => return Err(err),
            Err(err) => fail(&err),
        }
    }
    Ok(())
}
