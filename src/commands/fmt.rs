//! `caselog fmt`: rewrite case files into the canonical layout caselog
//! writes (key order, one value per line), keeping comments. `--check`
//! changes nothing and lists the files that would change.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Result;

use super::{Session, warn};
use crate::case::file;
use crate::error::{self, EXIT_OK};
use clap::Args;

/// Exit code of `fmt --check` when a file is not canonical.
pub const EXIT_WOULD_CHANGE: u8 = 1;

/// Rewrite case files into caselog's canonical layout, keeping comments
///
/// Key order, one value per line, lists one item per line, one spelling of
/// every value. Prints each file it changes. With --check it changes
/// nothing, lists the files that would change and exits 1 if any would.
#[derive(Debug, Args)]
pub struct FmtArgs {
    /// The cases to format: ids, or unique prefixes or suffixes [default: every case]
    pub ids: Vec<String>,
    /// Change nothing; list the files that are not canonical and exit 1 if any
    #[arg(long)]
    pub check: bool,
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
            Err(err) => fail(&err),
        }
    }
    Ok(match failed {
        Some(code) => code,
        None if would_change => EXIT_WOULD_CHANGE,
        None => EXIT_OK,
    })
}
