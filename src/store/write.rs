//! Writing case files: new ones, changes to one case, and `fmt`'s
//! rewrites, each landing with an atomic rename, so a crash never leaves
//! half a file. Temporary files are written in caselog's work folder
//! (git-ignored), never among the cases.

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use tempfile::NamedTempFile;

use super::{CASES_DIR, Store, WORK_DIR, safe};
use crate::case::Case;
use crate::case::file;
use crate::case::id::CaseId;
use crate::error::InputError;

/// What a change did.
#[derive(Debug)]
pub struct Changed {
    pub before: Case,
    pub after: Case,
    pub path: PathBuf,
    /// False when the change altered nothing and the file was left untouched.
    pub written: bool,
}

/// The folder for temporary files, inside the work folder.
const TEMP_DIR: &str = "tmp";
/// The names of temporary files, wherever they are.
pub(super) const TEMP_PREFIX: &str = ".caselog-";
pub(super) const TEMP_SUFFIX: &str = ".tmp";

impl Store {
    /// Writes a new case file. Returns false, writing nothing, when a file
    /// for that id already exists.
    pub fn create(&self, case: &Case) -> Result<bool> {
        let path = case.id.path_in(&self.cases);
        let folder = path.parent().context("a case path always has a folder")?;
        safe::create_folders(&self.root, folder, &|p| self.shown(p))?;
        let file = self.filled_temp_file(&file::render(case), &path, None)?;
        match self.land_new(file, &path) {
            Ok(landed) => Ok(landed),
            Err(e) => Err(e).with_context(|| format!("writing {}", self.shown(&path))),
        }
    }

    /// Writes new case files all or nothing: every file is written and
    /// synced to a temporary file first, so a full disk or a failing write
    /// leaves the log as it was; only then are they renamed into place.
    /// A case whose id is taken is given a fresh one by `fresh_id`.
    /// Returns the ids written, in order.
    pub fn create_all(
        &self,
        mut cases: Vec<Case>,
        fresh_id: impl Fn(&Case) -> Result<CaseId>,
    ) -> Result<Vec<CaseId>> {
        let mut staged: Vec<(PathBuf, NamedTempFile)> = Vec::with_capacity(cases.len());
        for case in &mut cases {
            let mut path = case.id.path_in(&self.cases);
            for _ in 0..8 {
                let taken = fs::symlink_metadata(&path).is_ok()
                    || staged.iter().any(|(other, _)| *other == path);
                if !taken {
                    break;
                }
                case.id = fresh_id(case)?;
                path = case.id.path_in(&self.cases);
            }
            let folder = path.parent().context("a case path always has a folder")?;
            safe::create_folders(&self.root, folder, &|p| self.shown(p))?;
            let file = self.filled_temp_file(&file::render(case), &path, None)?;
            staged.push((path, file));
        }
        let total = staged.len();
        let mut written: Vec<CaseId> = Vec::with_capacity(total);
        for ((path, file), case) in staged.into_iter().zip(&cases) {
            let landed = self.land_new(file, &path);
            match landed {
                Ok(true) => written.push(case.id.clone()),
                outcome => {
                    let why = match outcome {
                        Err(e) => format!("{e:#}"),
                        _ => "a case with its id appeared meanwhile".to_string(),
                    };
                    let listed: Vec<&str> = written.iter().map(CaseId::as_str).collect();
                    anyhow::bail!(
                        "writing {} failed after {} of {total} cases were written ({}): {why}; the others were not written",
                        self.shown(&path),
                        written.len(),
                        if listed.is_empty() {
                            "none".to_string()
                        } else {
                            listed.join(", ")
                        }
                    );
                }
            }
        }
        Ok(written)
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
        let text = file::update(&stored.text, &stored.case, &after)
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
        let text = self.read_text(path)?;
        if let Some(marker) = file::conflict_markers(&text).into_iter().next() {
            return Err(InputError::InvalidFile {
                path: shown,
                line: marker.line,
                message: marker.message(),
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

    /// A case file's text, named in the error when it is not UTF-8.
    pub fn read_text(&self, path: &Path) -> Result<String> {
        let bytes = self.read_bytes(path)?;
        String::from_utf8(bytes).map_err(|e| {
            let valid = e.utf8_error().valid_up_to();
            InputError::InvalidFile {
                line: crate::error::line_of(&String::from_utf8_lossy(e.as_bytes()), valid),
                path: self.shown(path),
                message: "not UTF-8 text".into(),
            }
            .into()
        })
    }

    fn replace(&self, path: &Path, text: &str) -> Result<()> {
        safe::check_folders(&self.root, path, &|p| self.shown(p))?;
        let permissions = fs::symlink_metadata(path).ok().map(|m| m.permissions());
        let file = self.filled_temp_file(text, path, permissions)?;
        self.land(file, path)
            .with_context(|| format!("writing {}", self.shown(path)))?;
        if let Some(folder) = path.parent() {
            sync_folder(folder);
        }
        Ok(())
    }

    /// The temporary files of interrupted writes: in the work folder, and
    /// (from older versions of caselog) beside the cases.
    pub(super) fn temp_files(&self) -> Vec<PathBuf> {
        let is_temp = |p: &Path| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(TEMP_PREFIX) && n.ends_with(TEMP_SUFFIX))
        };
        let mut found = Vec::new();
        for dir in [
            self.root.join(WORK_DIR).join(TEMP_DIR),
            self.root.join(CASES_DIR),
        ] {
            for entry in walkdir::WalkDir::new(dir).into_iter().flatten() {
                if entry.file_type().is_file() && is_temp(entry.path()) {
                    found.push(entry.into_path());
                }
            }
        }
        found
    }

    /// The work folder's temporary-file folder, made (and made git-ignored)
    /// when missing.
    pub(super) fn temp_dir(&self) -> Result<PathBuf> {
        let work = self.root.join(WORK_DIR);
        let temp = work.join(TEMP_DIR);
        safe::create_folders(&self.root, &temp, &|p| self.shown(p))?;
        self.keep_work_dir_ignored(&work);
        Ok(temp)
    }

    /// Makes sure the work folder ignores itself for git: `.gitignore`
    /// holding `*`, written whole or not at all (a write killed half-way
    /// must not leave it empty), and repaired when it lacks the line. Best
    /// effort: failing only means git may list the folder.
    fn keep_work_dir_ignored(&self, work: &Path) {
        let ignore = work.join(".gitignore");
        let ignores_all = safe::open_file(&ignore, &self.shown(&ignore))
            .ok()
            .and_then(|file| crate::limits::read_text(file, 4096, ".gitignore").ok())
            .is_some_and(|text| text.lines().any(|l| l.trim() == "*"));
        if ignores_all {
            return;
        }
        let written = tempfile::Builder::new()
            .prefix(TEMP_PREFIX)
            .suffix(TEMP_SUFFIX)
            .tempfile_in(work)
            .and_then(|mut file| {
                file.write_all(b"# caselog's work folder: never committed.\n*\n")?;
                file.as_file().sync_all()?;
                file.persist(&ignore).map_err(|e| e.error)?;
                Ok(())
            });
        let _ = written;
    }

    /// A temporary file holding `text`, written and synced, ready to land
    /// on `target`.
    fn filled_temp_file(
        &self,
        text: &str,
        target: &Path,
        permissions: Option<fs::Permissions>,
    ) -> Result<NamedTempFile> {
        let folder = self.temp_dir()?;
        let mut builder = tempfile::Builder::new();
        builder.prefix(TEMP_PREFIX).suffix(TEMP_SUFFIX);
        #[cfg(unix)]
        let permissions = permissions.or_else(|| {
            use std::os::unix::fs::PermissionsExt;
            // Like any new file: readable by all, less the umask.
            Some(fs::Permissions::from_mode(0o666))
        });
        if let Some(p) = permissions {
            builder.permissions(p);
        }
        let mut file = builder
            .tempfile_in(&folder)
            .with_context(|| format!("creating a temporary file in {}", self.shown(&folder)))?;
        file.write_all(text.as_bytes())
            .and_then(|()| file.as_file().sync_all())
            .with_context(|| format!("writing {}", self.shown(target)))?;
        Ok(file)
    }

    /// Renames a temporary file onto `target`, replacing it. Across file
    /// systems (a `cases/` mounted apart) it is copied beside the target
    /// first, so the last step is still one rename.
    fn land(&self, file: NamedTempFile, target: &Path) -> io::Result<()> {
        match file.persist(target) {
            Ok(_) => Ok(()),
            Err(e) if is_cross_device(&e.error) => {
                let beside = self.copy_beside(e.file.path(), target)?;
                beside.persist(target).map(|_| ()).map_err(|e| e.error)
            }
            Err(e) => Err(e.error),
        }
    }

    /// Like `land`, but never replaces: false when `target` exists.
    fn land_new(&self, file: NamedTempFile, target: &Path) -> io::Result<bool> {
        let landed = match file.persist_noclobber(target) {
            Ok(_) => Ok(()),
            Err(e) if is_cross_device(&e.error) => {
                let beside = self.copy_beside(e.file.path(), target)?;
                beside
                    .persist_noclobber(target)
                    .map(|_| ())
                    .map_err(|e| e.error)
            }
            Err(e) => Err(e.error),
        };
        match landed {
            Ok(()) => {
                if let Some(folder) = target.parent() {
                    sync_folder(folder);
                }
                Ok(true)
            }
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Ok(false),
            Err(e) => Err(e),
        }
    }

    fn copy_beside(&self, from: &Path, target: &Path) -> io::Result<NamedTempFile> {
        let folder = target.parent().unwrap_or(Path::new("."));
        let mut beside = tempfile::Builder::new()
            .prefix(TEMP_PREFIX)
            .suffix(TEMP_SUFFIX)
            .tempfile_in(folder)?;
        io::copy(&mut File::open(from)?, &mut beside)?;
        beside.as_file().sync_all()?;
        Ok(beside)
    }
}

fn is_cross_device(e: &io::Error) -> bool {
    e.kind() == io::ErrorKind::CrossesDevices
}

/// Makes a rename durable. Best effort: not every platform can sync a folder.
fn sync_folder(folder: &Path) {
    if let Ok(dir) = File::open(folder) {
        let _ = dir.sync_all();
    }
}
