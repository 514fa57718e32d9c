//! `caselog index`: bring the index up to date, or build it afresh, merge
//! the search index's segments, and say what it holds. No command needs it
//! run: every command keeps the index current itself. It is a cache in
//! `.caselog/`, safe to delete.

use std::io::Write;

use anyhow::Result;
use clap::Args;

use super::Session;

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
#[derive(Debug, Args)]
pub struct IndexArgs {
    /// Delete the index and build it again from the case files
    #[arg(long)]
    pub rebuild: bool,
}

pub fn run(session: &Session, args: IndexArgs, out: &mut dyn Write) -> Result<u8> {
    let store = session.store()?;
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
    writeln!(
        out,
        "{} cases indexed ({} facts, {} searchable); {} files could not be read",
        facts.cases.len(),
        facts.cases.len(),
        searchable,
        facts.unreadable
    )?;
    Ok(facts.exit_code())
}
