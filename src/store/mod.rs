//! The case log on disk: where it is, which file holds a case, and how
//! cases are read, walked and changed safely.
//!
//! A full id maps straight to `cases/YYYY/MM/<id>.toml`, so a command about
//! one case never reads the others; only partial ids and archived cases
//! (moved into other folders below `cases/`) cost a walk of file names.
//! Changes run under one lock for the whole log ([`lock`]) and land with an
//! atomic rename ([`write`]); whole-log passes run on every core ([`walk`]).
//! Nothing below the root is reached through a symbolic link ([`safe`]).

mod durable;
pub mod index;
mod landing;
mod lock;
mod safe;
mod secret;
mod walk;
mod write;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Result;

use crate::case::Case;
use crate::case::file;
use crate::case::id::{self, CaseId};
use crate::error::{InputError, line_of};
use crate::limits;
use crate::settings::SETTINGS_FILE;
use crate::untrusted;

pub use durable::write_whole;
pub use landing::Finished;
pub use lock::{DEFAULT_LOCK_WAIT, Locked, Stale, is_lock_failure};
pub use safe::{open_file, resolved};
pub use walk::{Walk, parallel_map, parallel_parts};
pub use write::{Batch, Changed};

/// The folder that holds every case file.
pub const CASES_DIR: &str = "cases";
/// The lock taken while a case is changed; never committed.
pub const LOCK_FILE: &str = ".caselog.lock";
/// caselog's own working folder (temporary files, caches). It ignores
/// itself for git with a `.gitignore` of `*`, so nothing in it is committed
/// even in a log whose `.gitignore` predates it.
pub const WORK_DIR: &str = ".caselog";

/// A case log's files: a folder with `cases/` and, usually, `caselog.toml`.
#[derive(Debug, Clone)]
pub struct Store {
    root: PathBuf,
    cases: PathBuf,
    /// Paths in messages are shown relative to this folder when below it.
    cwd: PathBuf,
    /// How long a change waits for another caselog's lock, and what it
    /// calls once when it starts waiting.
    lock_wait: Duration,
    on_wait: fn(&str),
    /// The temporary-file folder, once made and found ignored by git in
    /// this process: an import writes thousands of files there.
    temp_dir: std::sync::OnceLock<PathBuf>,
    /// Whether the last pass over every case learnt what changed from the
    /// log's watcher (instead of a stat of every file), for `index` to say.
    watched_pass: std::sync::Arc<std::sync::atomic::AtomicBool>,
    /// Why the index could last not be kept on disk, if it could not: the
    /// commands that only read carry on from the files; `index`, whose
    /// work it is, says so.
    index_trouble: std::sync::Arc<std::sync::Mutex<Option<String>>>,
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
            lock_wait: DEFAULT_LOCK_WAIT,
            on_wait: |_| {},
            temp_dir: std::sync::OnceLock::new(),
            watched_pass: Default::default(),
            index_trouble: Default::default(),
        })
    }

    /// How long changes wait for another caselog holding the lock, and
    /// what to call (with the lock file's path) when a wait begins.
    pub fn with_lock_wait(mut self, wait: Duration, on_wait: fn(&str)) -> Store {
        self.lock_wait = wait;
        self.on_wait = on_wait;
        self
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

    /// The path of the case file an index knows by `key`. Keys come from
    /// the walk, but the index is a file anyone may have written: a key
    /// whose parts could lead anywhere but down into `cases/` is refused.
    pub fn path_of_key(&self, key: &str) -> Result<PathBuf> {
        let mut path = self.cases.clone();
        for part in key.split(index::SEPARATOR) {
            let plain = std::path::Path::new(part)
                .components()
                .all(|c| matches!(c, std::path::Component::Normal(_)));
            if part.is_empty() || !plain || part.contains(['/', '\\']) {
                anyhow::bail!(
                    "the index names a case file that is not below cases/ ('{}'); run `caselog index --rebuild`",
                    key.replace(index::SEPARATOR, "/")
                );
            }
            path.push(part);
        }
        Ok(path)
    }

    /// A path as it should appear in a message: relative to the current
    /// folder when below it, and safe for a terminal (file names arrive by
    /// `git pull` too).
    pub fn shown(&self, path: &Path) -> String {
        let text = path
            .strip_prefix(&self.cwd)
            .unwrap_or(path)
            .display()
            .to_string();
        untrusted::line(&text).into_owned()
    }

    /// The file of the one case `query` names: a full id, or a unique
    /// prefix or suffix of one.
    pub fn find(&self, query: &str) -> Result<PathBuf> {
        let query = id::check_query(query)?;
        if let Some(full) = CaseId::parse_full(query) {
            let path = full.path_in(&self.cases);
            // Not `is_file`, which follows links: `read` refuses one with
            // a message naming it.
            if std::fs::symlink_metadata(&path).is_ok() {
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
        let bytes = self.read_bytes(path)?;
        self.stored(path, bytes)
    }

    /// `read` for a file a walk found.
    fn read_walked_case(&self, path: &Path) -> Result<StoredCase> {
        let bytes = self.read_walked(path)?;
        self.stored(path, bytes)
    }

    /// A case from its file's bytes, checked as `read` promises.
    fn stored(&self, path: &Path, bytes: Vec<u8>) -> Result<StoredCase> {
        let shown = self.shown(path);
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

    /// The text of `caselog.toml`, read under the same rules as a case
    /// file; `None` when the log has none.
    pub fn settings_text(&self) -> Result<Option<String>> {
        let path = self.root.join(SETTINGS_FILE);
        if std::fs::symlink_metadata(&path).is_err() {
            return Ok(None);
        }
        let shown = self.shown(&path);
        let (file, size) = safe::open_file_sized(&path, &shown)?;
        limits::read_text_sized(file, size, limits::CASE_FILE_BYTES, &shown).map(Some)
    }

    /// A file's bytes, read only if it is a regular file inside the log
    /// reached without a link, and no bigger than a case file can be.
    pub fn read_bytes(&self, path: &Path) -> Result<Vec<u8>> {
        safe::check_folders(&self.root, path, &|p| self.shown(p))?;
        self.read_walked(path)
    }

    /// `read_bytes` for a file a walk found, whose folders the walk has
    /// already seen are real (a walk never enters a link).
    fn read_walked(&self, path: &Path) -> Result<Vec<u8>> {
        let shown = self.shown(path);
        let (file, len) = safe::open_file_sized(path, &shown)?;
        let mut bytes = Vec::with_capacity(limits::room_for(len, limits::CASE_FILE_BYTES));
        file.take(limits::CASE_FILE_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| anyhow::Error::new(e).context(format!("reading {shown}")))?;
        if bytes.len() as u64 > limits::CASE_FILE_BYTES {
            return Err(InputError::InvalidFile {
                path: shown,
                line: 1,
                message: format!(
                    "larger than {}, which no case file is",
                    limits::size(limits::CASE_FILE_BYTES)
                ),
            }
            .into());
        }
        Ok(bytes)
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

#[cfg(test)]
mod tests {
    use super::{Store, index::SEPARATOR};

    #[test]
    fn a_key_that_could_lead_anywhere_but_down_into_cases_names_no_path() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("cases")).unwrap();
        let store = Store::at(dir.path(), dir.path()).unwrap();
        let key = |parts: &[&str]| parts.join(&SEPARATOR.to_string());
        assert_eq!(
            store
                .path_of_key(&key(&["2026", "11", "20261101-aaaaa.toml"]))
                .unwrap(),
            dir.path().join("cases/2026/11/20261101-aaaaa.toml")
        );
        for bad in [
            key(&["2026", "..", "..", "x.toml"]),
            key(&["..", "x.toml"]),
            key(&[".", "x.toml"]),
            key(&["", "x.toml"]),
            key(&["2026/11", "x.toml"]),
            key(&["/etc", "passwd"]),
            String::new(),
        ] {
            assert!(store.path_of_key(&bad).is_err(), "{bad:?}");
        }
    }
}
