//! `caselog fmt`: rewrite case files into the canonical layout caselog
//! writes (key order, one value per line), keeping comments. `--check`
//! changes nothing and lists the files that would change.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Result;

use super::{Session, report_error};
use crate::case_file;
use crate::error::{EXIT_INPUT, EXIT_OK};

/// Exit code of `fmt --check` when a file is not canonical.
pub const EXIT_WOULD_CHANGE: u8 = 1;

pub struct Request {
    /// The cases to format; every case when empty.
    pub ids: Vec<String>,
    pub check: bool,
}

pub fn run(session: &Session, request: Request, out: &mut dyn Write) -> Result<u8> {
    let log = session.log()?;
    let files: Vec<PathBuf> = if request.ids.is_empty() {
        let (files, errors) = log.case_files();
        if let Some(e) = errors.into_iter().next() {
            return Err(e);
        }
        files
    } else {
        request
            .ids
            .iter()
            .map(|id| log.find(id))
            .collect::<Result<_>>()?
    };
    let (mut failed, mut would_change) = (false, false);
    for path in &files {
        let shown = log.shown(path);
        let outcome = if request.check {
            std::fs::read_to_string(path)
                .map_err(anyhow::Error::from)
                .and_then(|text| Ok(case_file::format(&shown, &text)? != text))
        } else {
            log.rewrite(path, case_file::format)
        };
        match outcome {
            Ok(true) if request.check => {
                writeln!(out, "{shown}")?;
                would_change = true;
            }
            Ok(true) => writeln!(out, "formatted {shown}")?,
            Ok(false) => {}
            Err(err) => {
                report_error(&err);
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
