//! `caselog fmt`: rewrite case files into the canonical layout caselog
//! writes (key order, one value per line), keeping comments. `--check`
//! changes nothing and lists the files that would change.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Result;

use super::{Session, warn};
use crate::case::file;
use crate::error::{EXIT_INPUT, EXIT_OK};
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
    let files: Vec<PathBuf> = if args.ids.is_empty() {
        let (files, errors) = store.case_files();
        if let Some(e) = errors.into_iter().next() {
            return Err(e);
        }
        files
    } else {
        args.ids
            .iter()
            .map(|id| store.find(id))
            .collect::<Result<_>>()?
    };
    let (mut failed, mut would_change) = (false, false);
    for path in &files {
        let shown = store.shown(path);
        let outcome = if args.check {
            std::fs::read_to_string(path)
                .map_err(anyhow::Error::from)
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
            Err(err) => {
                warn(&err);
                failed = true;
            }
        }
    }
    Ok(if failed {
        EXIT_INPUT
    } else if would_change {
        EXIT_WOULD_CHANGE
    } else {
        EXIT_OK
    })
}
