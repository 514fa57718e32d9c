//! `caselog index`: bring the index up to date, or build it afresh, merge
//! the search index's segments, and say what it holds. No command needs it
//! run: every command keeps the index current itself. It is a cache in
//! `.caselog/`, safe to delete. `--watch` runs the watcher that tells each
//! command what changed (Linux), `--stop-watching` stops it.

use std::io::Write;

use anyhow::Result;
use clap::Args;

use super::Session;
use crate::store::index::watch::Ended;

/// Bring the index up to date (or build it afresh) and say what it holds
///
/// The index is a cache of every case's facts and words in .caselog/
/// (ignored by git), so commands over the whole log need not read every
/// file. Every command keeps it up to date by itself, judging each file by
/// its size, times and inode; it is safe to delete at any time. Set
/// CASELOG_NO_INDEX=1 to make commands read the files instead.
///
/// It also checks every page of the search index, building it again if
/// any is damaged, and merges it into one piece. Every change adds a
/// small piece that each search reads, so after many changes search and
/// similar slow down a little: running this now and then (from cron, say)
/// keeps them at their fastest.
///
/// On Linux, `--watch` keeps a watcher running in the foreground (start it
/// with `&`, nohup or a service) that tells each command which files
/// changed, so commands over the whole log need not look at every file to
/// learn that nothing did. Without one, or when it cannot be sure, a
/// command looks at every file as before: the watcher can only make a
/// command faster, never change its answer.
#[derive(Debug, Args)]
pub struct IndexArgs {
    /// Delete the index and build it again from the case files
    #[arg(long, conflicts_with_all = ["watch", "stop_watching"])]
    pub rebuild: bool,
    /// Watch cases/ for changes until stopped (Linux), so commands learn
    /// what changed without looking at every file
    #[arg(long, conflicts_with = "stop_watching")]
    pub watch: bool,
    /// Stop the log's watcher
    #[arg(long)]
    pub stop_watching: bool,
}

pub fn run(session: &Session, args: IndexArgs, out: &mut dyn Write) -> Result<u8> {
    let store = session.store()?;
    if args.stop_watching {
        if store.stop_watching() {
            writeln!(out, "the watcher stopped")?;
        } else {
            writeln!(out, "no watcher was running")?;
        }
        return Ok(0);
    }
    if args.watch {
        return watch(session, out);
    }
    if args.rebuild {
        store.forget_index()?;
    }
    let facts = session.every_case(|_| Some(()))?;
    // Every page checked, as no command's queries need to: one found
    // damaged has the database built afresh.
    let (searchable, errors) = session.ask_search_index(|index| {
        index.check_pages()?;
        if session.use_index() {
            index.optimize()?;
        }
        index.count()
    })?;
    session.tally(&errors);
    // Every command answers without the index; this one's work was to
    // keep it, and it could not.
    if session.use_index()
        && let Some(why) = store.index_trouble_seen()
    {
        anyhow::bail!(
            "the index could not be kept ({why}); commands still answer, reading the case files"
        );
    }
    write!(
        out,
        "{} indexed ({}, {searchable} searchable)",
        crate::words::count(facts.cases.len(), "case"),
        crate::words::count(facts.cases.len(), "fact"),
    )?;
    match facts.unreadable_files() {
        Some(files) => writeln!(out, "; {files} could not be read")?,
        None => writeln!(out)?,
    }
    if store.last_pass_watched() {
        writeln!(out, "a watcher told this pass which files changed")?;
    } else if store.is_watched() {
        writeln!(
            out,
            "a watcher runs; this pass looked at every file (the next learns from the watcher)"
        )?;
    }
    Ok(facts.exit_code())
}

/// Runs the watcher until it is stopped or `cases/` goes. The first
/// command after it starts looks at every file and records the watcher's
/// token; the ones after learn from the watcher.
fn watch(session: &Session, out: &mut dyn Write) -> Result<u8> {
    let store = session.store()?;
    let ended = store.watch(&mut |folders| {
        let _ = writeln!(
            out,
            "watching {} below cases/ (stop with `caselog index --stop-watching`)",
            crate::words::count(folders, "folder")
        );
        let _ = out.flush();
    })?;
    let why = match ended {
        Ended::Stopped => "the watcher stopped",
        Ended::CasesGone => "the watcher stopped: cases/ was removed or moved",
        Ended::SocketGone => "the watcher stopped: its socket in .caselog/ was removed",
    };
    writeln!(out, "{why}")?;
    Ok(0)
}
