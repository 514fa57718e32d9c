//! The case log on disk: where it is, which file holds a case, and how
//! cases are read, walked and changed safely.
//!
//! A full id maps straight to `cases/YYYY/MM/<id>.toml`, so a command about
//! one case never reads the others; only partial ids and archived cases
//! (moved into other folders below `cases/`) cost a walk of file names.
//! Changes run under one lock for the whole log ([`lock`]) and land with an
//! atomic rename ([`write`]); whole-log passes run on every core ([`walk`]).

mod lock;
mod walk;
mod write;

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::case::Case;
use crate::case::file;
use crate::case::id::{self, CaseId};
use crate::error::{InputError, line_of};
use crate::settings::SETTINGS_FILE;

pub use walk::parallel_map;
pub use write::Changed;

/// The folder that holds every case file.
pub const CASES_DIR: &str = "cases";
/// The lock taken while a case is changed; never committed.
pub const LOCK_FILE: &str = ".caselog.lock";

/// A case log's files: a folder with `cases/` and, usually, `caselog.toml`.
#[derive(Debug, Clone)]
pub struct Store {
    root: PathBuf,
    cases: PathBuf,
    /// Paths in messages are shown relative to this folder when below it.
    cwd: PathBuf,
}

/// A case as read from its file.
#[derive(Debug, Clone)]
pub struct StoredCase {
    pub path: PathBuf,
    pub text: String,
    pub case: Case,
}

impl Store {
    /// The case log rooted at `dir`, which must hold `cases/` or
    /// `caselog.toml` (git keeps no empty folder, so a fresh clone of a log
    /// with no cases yet has only the settings).
    pub fn at(dir: &Path, cwd: &Path) -> Result<Store, InputError> {
        let root = cwd.join(dir);
        let cases = root.join(CASES_DIR);
        if !cases.is_dir() && !root.join(SETTINGS_FILE).is_file() {
            return Err(InputError::NotACaseLog(dir.to_path_buf()));
        }
        Ok(Store {
            root,
            cases,
            cwd: cwd.to_path_buf(),
        })
    }

    /// The nearest case log at or above `cwd`, as git finds `.git`.
    pub fn discover(cwd: &Path) -> Result<Store, InputError> {
        for dir in cwd.ancestors() {
            if dir.join(SETTINGS_FILE).is_file() || dir.join(CASES_DIR).is_dir() {
                return Store::at(dir, cwd);
            }
        }
        Err(InputError::NoCaseLog(cwd.to_path_buf()))
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn cases_dir(&self) -> &Path {
        &self.cases
    }

    /// A path as it should appear in a message.
    pub fn shown(&self, path: &Path) -> String {
        path.strip_prefix(&self.cwd)
            .unwrap_or(path)
            .display()
            .to_string()
    }

    /// The file of the one case `query` names: a full id, or a unique
    /// prefix or suffix of one.
    pub fn find(&self, query: &str) -> Result<PathBuf> {
        let query = id::check_query(query)?;
        if let Some(full) = CaseId::parse_full(query) {
            let path = full.path_in(&self.cases);
            if path.is_file() {
                return Ok(path);
            }
        }
        let (files, mut errors) = self.case_files();
        if let Some(e) = errors.pop() {
            return Err(e);
        }
        let mut matches: Vec<PathBuf> = files
            .into_iter()
            .filter(|p| {
                let stem = file_stem(p);
                stem.starts_with(query) || stem.ends_with(query)
            })
            .collect();
        let mut ids: Vec<&str> = matches.iter().map(|p| file_stem(p)).collect();
        ids.dedup();
        match ids.len() {
            0 => Err(InputError::UnknownCase(query.to_string()).into()),
            1 if matches.len() == 1 => Ok(matches.remove(0)),
            1 => {
                let shown: Vec<String> = matches.iter().map(|p| self.shown(p)).collect();
                Err(InputError::Invalid(format!(
                    "case {} is stored more than once ({}); remove the copies, `caselog check` lists them",
                    ids[0],
                    shown.join(", ")
                ))
                .into())
            }
            count => {
                let mut listed = ids.iter().take(8).copied().collect::<Vec<_>>().join(", ");
                if count > 8 {
                    listed.push_str(&format!(" and {} more", count - 8));
                }
                Err(InputError::AmbiguousCase {
                    query: query.to_string(),
                    count,
                    listed,
                }
                .into())
            }
        }
    }

    /// Reads and validates one case file.
    pub fn read(&self, path: &Path) -> Result<StoredCase> {
        let shown = self.shown(path);
        let bytes = fs::read(path).with_context(|| format!("reading {shown}"))?;
        let text = String::from_utf8(bytes).map_err(|e| {
            let valid = e.utf8_error().valid_up_to();
            InputError::InvalidFile {
                line: line_of(&String::from_utf8_lossy(e.as_bytes()), valid),
                path: shown.clone(),
                message: "not UTF-8 text".into(),
            }
        })?;
        if let Some(marker) = file::conflict_markers(&text).into_iter().next() {
            return Err(InputError::InvalidFile {
                path: shown,
                line: marker.line,
                message: format!("{}; `caselog check` lists every one", marker.message()),
            }
            .into());
        }
        let case = file::parse(&shown, &text)?;
        if case.id.as_str() != file_stem(path) {
            return Err(InputError::InvalidFile {
                line: text
                    .lines()
                    .position(|l| l.trim_start().starts_with("id"))
                    .map_or(1, |i| i + 1),
                path: shown,
                message: format!("the id {} does not match the file name", case.id),
            }
            .into());
        }
        Ok(StoredCase {
            path: path.to_path_buf(),
            text,
            case,
        })
    }

    /// Finds and reads the case `query` names.
    pub fn load(&self, query: &str) -> Result<StoredCase> {
        let path = self.find(query)?;
        self.read(&path)
    }
}

fn file_stem(path: &Path) -> &str {
    path.file_stem().and_then(|s| s.to_str()).unwrap_or("")
}
