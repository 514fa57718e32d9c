//! Writing case files: new ones, changes to one case, and `fmt`'s
//! rewrites, each under the lock and landing with an atomic rename, so a
//! crash never leaves half a file.

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::Path;

use anyhow::{Context, Result};

use super::Store;
use crate::case::Case;
use crate::case::file;
use crate::error::InputError;

/// What a change did.
#[derive(Debug)]
pub struct Changed {
    pub before: Case,
    pub after: Case,
    pub path: std::path::PathBuf,
    /// False when the change altered nothing and the file was left untouched.
    pub written: bool,
}

impl Store {
    /// Writes a new case file. Returns false, writing nothing, when a file
    /// for that id already exists.
    pub fn create(&self, case: &Case) -> Result<bool> {
        let path = case.id.path_in(&self.cases);
        let folder = path.parent().context("a case path always has a folder")?;
        fs::create_dir_all(folder).with_context(|| format!("creating {}", self.shown(folder)))?;
        let file = temp_file_beside(&path, None)?;
        let file = fill(file, &file::render(case), &path, self)?;
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
        let text = fs::read_to_string(path).with_context(|| format!("reading {shown}"))?;
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

    pub(super) fn replace(&self, path: &Path, text: &str) -> Result<()> {
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
    store: &Store,
) -> Result<tempfile::NamedTempFile> {
    let shown = store.shown(target);
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
