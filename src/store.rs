//! The case log on disk: where it is, which file holds a case, and how a
//! case is changed safely.
//!
//! A full id maps straight to `cases/YYYY/MM/<id>.toml`, so a command about
//! one case never reads the others; only partial ids and archived cases
//! (moved into other folders below `cases/`) cost a walk of file names.
//! Every change runs under one lock for the whole log and lands with an
//! atomic rename, so concurrent commands never lose an update and a crash
//! never leaves half a file.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::case::Case;
use crate::case_file;
use crate::error::InputError;
use crate::id::{self, CaseId};

/// The folder that holds every case file.
pub const CASES_DIR: &str = "cases";
/// The settings file at the root of a case log.
pub const SETTINGS_FILE: &str = "caselog.toml";
/// The lock taken while a case is changed; never committed.
pub const LOCK_FILE: &str = ".caselog.lock";

/// A case log: a folder with `cases/` and, usually, `caselog.toml`.
#[derive(Debug, Clone)]
pub struct CaseLog {
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

/// What a change did.
#[derive(Debug)]
pub struct Changed {
    pub before: Case,
    pub after: Case,
    pub path: PathBuf,
    /// False when the change altered nothing and the file was left untouched.
    pub written: bool,
}

impl CaseLog {
    /// The case log rooted at `dir`, which must hold `cases/` or
    /// `caselog.toml` (git keeps no empty folder, so a fresh clone of a log
    /// with no cases yet has only the settings).
    pub fn at(dir: &Path, cwd: &Path) -> Result<CaseLog, InputError> {
        let root = cwd.join(dir);
        let cases = root.join(CASES_DIR);
        if !cases.is_dir() && !root.join(SETTINGS_FILE).is_file() {
            return Err(InputError::NotACaseLog(dir.to_path_buf()));
        }
        Ok(CaseLog {
            root,
            cases,
            cwd: cwd.to_path_buf(),
        })
    }

    /// The nearest case log at or above `cwd`, as git finds `.git`.
    pub fn discover(cwd: &Path) -> Result<CaseLog, InputError> {
        for dir in cwd.ancestors() {
            if dir.join(SETTINGS_FILE).is_file() || dir.join(CASES_DIR).is_dir() {
                return CaseLog::at(dir, cwd);
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

    /// Every case file below `cases/`, sorted, with any folder that could
    /// not be read reported alongside.
    pub fn case_files(&self) -> (Vec<PathBuf>, Vec<anyhow::Error>) {
        let mut files = Vec::new();
        let mut errors = Vec::new();
        if !self.cases.exists() {
            return (files, errors);
        }
        for entry in walkdir::WalkDir::new(&self.cases).sort_by_file_name() {
            match entry {
                Ok(entry) if entry.file_type().is_file() && is_case_file_name(entry.path()) => {
                    files.push(entry.into_path());
                }
                Ok(_) => {}
                Err(e) => {
                    let shown = e.path().map(|p| self.shown(p)).unwrap_or_default();
                    errors.push(anyhow::Error::new(e).context(format!("reading {shown}")));
                }
            }
        }
        (files, errors)
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
                line: case_file::line_of(&String::from_utf8_lossy(e.as_bytes()), valid),
                path: shown.clone(),
                message: "not UTF-8 text".into(),
            }
        })?;
        if let Some(marker) = crate::validate::conflict_markers(&text).into_iter().next() {
            return Err(InputError::InvalidFile {
                path: shown,
                line: marker.line,
                message: format!("{}; `caselog check` lists every one", marker.message),
            }
            .into());
        }
        let case = case_file::parse(&shown, &text)?;
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

    /// Reads every case below `cases/`, in path order, on all cores. Each
    /// file that cannot be read is returned as an error naming it, so one
    /// bad file does not hide the others.
    pub fn load_all(&self) -> (Vec<Case>, Vec<anyhow::Error>) {
        self.load_each(Some)
    }

    /// Reads every case on all cores and keeps only what `reduce` makes of
    /// it, so a pass over 100,000 cases need not hold their text.
    pub fn load_each<T, F>(&self, reduce: F) -> (Vec<T>, Vec<anyhow::Error>)
    where
        T: Send,
        F: Fn(Case) -> Option<T> + Sync,
    {
        self.each_file(|path| self.read(path).map(|stored| reduce(stored.case)))
    }

    /// A pass over every case that needs only a few of its fields: `P` is
    /// a serde type of those fields (other keys are skipped, not checked).
    /// Each file is read without its event log where it can be: the part
    /// before `[[events]]`, where caselog writes the events. A file laid
    /// out otherwise is read whole, and one that does not parse is reported
    /// as `read` reports it. `wanted` sees the raw text first and may skip
    /// a file without parsing it.
    pub fn load_each_part<P, T, F, W>(&self, wanted: W, reduce: F) -> (Vec<T>, Vec<anyhow::Error>)
    where
        P: serde::de::DeserializeOwned,
        T: Send,
        F: Fn(&Path, P) -> Option<T> + Sync,
        W: Fn(&str) -> bool + Sync,
    {
        self.each_file(|path| {
            if let Ok(text) = fs::read_to_string(path) {
                if !wanted(&text) {
                    return Ok(None);
                }
                if let Some(part) = case_file::parse_head(&text) {
                    return Ok(reduce(path, part));
                }
            }
            // The slow path gives the precise error, or reads the whole file.
            let stored = self.read(path)?;
            let part = toml::from_str(&stored.text)
                .with_context(|| format!("reading {}", self.shown(path)))?;
            Ok(reduce(path, part))
        })
    }

    /// Runs `each` on every case file, on all cores, keeping what it
    /// returns in path order, and every error.
    fn each_file<T, F>(&self, each: F) -> (Vec<T>, Vec<anyhow::Error>)
    where
        T: Send,
        F: Fn(&Path) -> Result<Option<T>> + Sync,
    {
        let (files, mut errors) = self.case_files();
        let threads = std::thread::available_parallelism()
            .map_or(1, usize::from)
            .min(files.len() / 256 + 1);
        let chunk = files.len().div_ceil(threads).max(1);
        let each = &each;
        let results: Vec<Vec<Result<Option<T>>>> = std::thread::scope(|scope| {
            let workers: Vec<_> = files
                .chunks(chunk)
                .map(|part| scope.spawn(move || part.iter().map(|p| each(p)).collect::<Vec<_>>()))
                .collect();
            workers
                .into_iter()
                .map(|worker| {
                    worker
                        .join()
                        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
                })
                .collect()
        });
        let mut kept = Vec::with_capacity(files.len());
        for result in results.into_iter().flatten() {
            match result {
                Ok(Some(value)) => kept.push(value),
                Ok(None) => {}
                Err(e) => errors.push(e),
            }
        }
        (kept, errors)
    }

    /// Finds and reads the case `query` names.
    pub fn load(&self, query: &str) -> Result<StoredCase> {
        let path = self.find(query)?;
        self.read(&path)
    }

    /// Writes a new case file. Returns false, writing nothing, when a file
    /// for that id already exists.
    pub fn create(&self, case: &Case) -> Result<bool> {
        let path = case.id.path_in(&self.cases);
        let folder = path.parent().context("a case path always has a folder")?;
        fs::create_dir_all(folder).with_context(|| format!("creating {}", self.shown(folder)))?;
        let file = temp_file_beside(&path, None)?;
        let file = fill(file, &case_file::render(case), &path, self)?;
        match file.persist_noclobber(&path) {
            Ok(_) => {
                sync_folder(folder);
                Ok(true)
            }
            Err(e) if e.error.kind() == io::ErrorKind::AlreadyExists => Ok(false),
            Err(e) => Err(e.error).with_context(|| format!("writing {}", self.shown(&path))),
        }
    }

    /// Changes one case under the log's lock: reads it, applies `change`,
    /// and writes back only the lines that differ. Nothing is written when
    /// `change` fails or alters nothing.
    pub fn change<F>(&self, query: &str, change: F) -> Result<Changed>
    where
        F: FnOnce(&Case) -> Result<Case>,
    {
        let path = self.find(query)?;
        let _lock = self.lock()?;
        // Read under the lock: another command may have just changed it.
        let stored = self.read(&path)?;
        let after = change(&stored.case)?;
        if after == stored.case {
            return Ok(Changed {
                before: stored.case,
                after,
                path,
                written: false,
            });
        }
        let text = case_file::update(&stored.text, &stored.case, &after)
            .with_context(|| format!("editing {}", self.shown(&path)))?;
        let written = text != stored.text;
        if written {
            self.replace(&path, &text)?;
        }
        Ok(Changed {
            before: stored.case,
            after,
            path,
            written,
        })
    }

    /// Rewrites one file's text under the lock, as `rewrite` returns it;
    /// whether anything changed. Used by `fmt`, which changes layout only.
    pub fn rewrite<F>(&self, path: &Path, rewrite: F) -> Result<bool>
    where
        F: FnOnce(&str, &str) -> Result<String>,
    {
        let _lock = self.lock()?;
        let shown = self.shown(path);
        let text = fs::read_to_string(path).with_context(|| format!("reading {shown}"))?;
        if let Some(marker) = crate::validate::conflict_markers(&text).into_iter().next() {
            return Err(InputError::InvalidFile {
                path: shown,
                line: marker.line,
                message: marker.message,
            }
            .into());
        }
        let new = rewrite(&shown, &text)?;
        if new == text {
            return Ok(false);
        }
        self.replace(path, &new)?;
        Ok(true)
    }

    /// Holds the log-wide lock until the returned file is dropped.
    fn lock(&self) -> Result<File> {
        let path = self.root.join(LOCK_FILE);
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .with_context(|| format!("opening the lock file {}", self.shown(&path)))?;
        file.lock()
            .with_context(|| format!("locking {}", self.shown(&path)))?;
        Ok(file)
    }

    fn replace(&self, path: &Path, text: &str) -> Result<()> {
        let permissions = fs::metadata(path).ok().map(|m| m.permissions());
        let file = temp_file_beside(path, permissions)?;
        let file = fill(file, text, path, self)?;
        file.persist(path)
            .map_err(|e| e.error)
            .with_context(|| format!("writing {}", self.shown(path)))?;
        if let Some(folder) = path.parent() {
            sync_folder(folder);
        }
        Ok(())
    }
}

/// Whether a file below `cases/` is a case: `*.toml`, not hidden.
fn is_case_file_name(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "toml")
        && path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| !n.starts_with('.'))
}

fn file_stem(path: &Path) -> &str {
    path.file_stem().and_then(|s| s.to_str()).unwrap_or("")
}

/// A temporary file in the target's own folder, so the final rename is atomic.
fn temp_file_beside(
    target: &Path,
    permissions: Option<fs::Permissions>,
) -> Result<tempfile::NamedTempFile> {
    let folder = target.parent().context("a case path always has a folder")?;
    let mut builder = tempfile::Builder::new();
    builder.prefix(".caselog-").suffix(".tmp");
    #[cfg(unix)]
    let permissions = permissions.or_else(|| {
        use std::os::unix::fs::PermissionsExt;
        // Like any new file: readable by all, less the umask.
        Some(fs::Permissions::from_mode(0o666))
    });
    if let Some(p) = permissions {
        builder.permissions(p);
    }
    builder
        .tempfile_in(folder)
        .with_context(|| format!("creating a temporary file in {}", folder.display()))
}

fn fill(
    mut file: tempfile::NamedTempFile,
    text: &str,
    target: &Path,
    log: &CaseLog,
) -> Result<tempfile::NamedTempFile> {
    let shown = log.shown(target);
    file.write_all(text.as_bytes())
        .and_then(|()| file.as_file().sync_all())
        .with_context(|| format!("writing {shown}"))?;
    Ok(file)
}

/// Makes a rename durable. Best effort: not every platform can sync a folder.
fn sync_folder(folder: &Path) {
    if let Ok(dir) = File::open(folder) {
        let _ = dir.sync_all();
    }
}
