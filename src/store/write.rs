//! Writing case files: new ones, changes to one case, and `fmt`'s
//! rewrites, each landing with an atomic rename, so a crash never leaves
//! half a file. Temporary files are written in caselog's work folder
//! (git-ignored), never among the cases.

use std::collections::{HashMap, HashSet};
use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use tempfile::{NamedTempFile, TempPath};

use super::durable::{self, TEMP_PREFIX, TEMP_SUFFIX, copy_beside, is_cross_device, sync_folder};
use super::landing::{Fingerprint, ToLand};
use super::{CASES_DIR, Store, WORK_DIR, safe};
use crate::case::Case;
use crate::case::file;
use crate::case::id::CaseId;
use crate::error::InputError;
use crate::limits;

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

impl Store {
    /// Writes a new case file, holding the log's lock: `check --clean`
    /// removes the temporary files it finds while it holds the lock, so a
    /// write made without it could lose its file before it lands (and a
    /// batch a crash cut short lands first, as before any change).
    /// Returns false, writing nothing, when a file for that id already
    /// exists.
    pub fn create(&self, case: &Case) -> Result<bool> {
        let _lock = self.lock()?;
        self.create_locked(case)
    }

    /// [`Store::create`], for a caller that holds the lock already.
    pub(super) fn create_locked(&self, case: &Case) -> Result<bool> {
        let path = case.id.path_in(&self.cases);
        let folder = path.parent().context("a case path always has a folder")?;
        safe::create_folders(&self.root, folder, &|p| self.shown(p))?;
        let file = self.filled_temp_file(&file::render(case), &path, None, true)?;
        match self.land_new(file, &path, true) {
            Ok(landed) => Ok(landed),
            Err(e) => Err(e).with_context(|| format!("writing {}", self.shown(&path))),
        }
    }

    /// Starts a [`Batch`], holding the log's lock until it lands or is
    /// dropped. While it lives, nothing else in this process may take
    /// the lock (`while_locked`, another batch): the lock is
    /// per open file, so that would wait out the lock wait and fail.
    pub fn batch(&self) -> Result<Batch<'_>> {
        Ok(Batch {
            store: self,
            staged: Vec::new(),
            staged_paths: HashMap::new(),
            made_folders: Vec::new(),
            landed: false,
            _lock: self.lock()?,
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
        let file = self.replacement(path, text, true)?;
        self.land(file, path, true)
            .with_context(|| format!("writing {}", self.shown(path)))
    }

    /// `text` staged to replace the file at `path`, with its permissions,
    /// once the folders on the way are known to be real.
    fn replacement(&self, path: &Path, text: &str, sync: bool) -> Result<TempPath> {
        safe::check_folders(&self.root, path, &|p| self.shown(p))?;
        let permissions = fs::symlink_metadata(path).ok().map(|m| m.permissions());
        // A rename would replace a read-only file as readily as any other:
        // someone made it so (a legal hold, an archive), so it is left be.
        // So would it one this user may not write (another's file, with
        // no write permission for the rest), and make it theirs.
        if permissions.as_ref().is_some_and(fs::Permissions::readonly) || !may_write(path) {
            return Err(InputError::Invalid(format!(
                "{} is read-only, and caselog changes no case file made read-only; make it writable to change it; nothing was written",
                self.shown(path)
            ))
            .into());
        }
        self.filled_temp_file(text, path, permissions, sync)
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
        if let Some(temp) = self.temp_dir.get() {
            return Ok(temp.clone());
        }
        let work = self.root.join(WORK_DIR);
        let temp = work.join(TEMP_DIR);
        safe::create_folders(&self.root, &temp, &|p| self.shown(p))?;
        self.keep_work_dir_ignored(&work);
        Ok(self.temp_dir.get_or_init(|| temp).clone())
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
        let written = durable::temp_file_in(work, None).and_then(|mut file| {
            file.as_file_mut()
                .write_all(b"# caselog's work folder: never committed.\n*\n")?;
            file.as_file().sync_all()?;
            file.persist(&ignore).map_err(|e| e.error)?;
            Ok(())
        });
        let _ = written;
    }

    /// A temporary file holding `text`, written (and synced, with `sync`:
    /// a batch syncs its files together before they land), ready to land
    /// on `target`.
    fn filled_temp_file(
        &self,
        text: &str,
        target: &Path,
        permissions: Option<fs::Permissions>,
        sync: bool,
    ) -> Result<TempPath> {
        // A file no command could read again would lock the case away:
        // refused before anything is written.
        if text.len() as u64 > limits::CASE_FILE_BYTES {
            return Err(InputError::Invalid(format!(
                "{} would be larger than {}, which no case file may be; nothing was written",
                self.shown(target),
                limits::size(limits::CASE_FILE_BYTES)
            ))
            .into());
        }
        let folder = self.temp_dir()?;
        let mut file = durable::temp_file_in(&folder, permissions)
            .with_context(|| format!("creating a temporary file in {}", self.shown(&folder)))?;
        // Through the plain file: `NamedTempFile`'s own errors name the
        // temporary file's absolute path, which means nothing to the user.
        file.as_file_mut()
            .write_all(text.as_bytes())
            .and_then(|()| {
                if sync {
                    file.as_file().sync_all()
                } else {
                    Ok(())
                }
            })
            .with_context(|| format!("writing {}", self.shown(target)))?;
        // Closed now: a batch of thousands of cases must not hold a file
        // open for each (the usual limit is 1,024), only its name.
        Ok(file.into_temp_path())
    }

    /// Renames a temporary file onto `target`, replacing it (see
    /// [`durable::rename_over`]), and syncs the folder (with `sync`; a
    /// batch syncs its folders once, at the end).
    fn land(&self, file: TempPath, target: &Path, sync: bool) -> io::Result<()> {
        durable::rename_over(&file, target)?;
        // Its temporary name is gone: nothing is left for a drop to remove.
        let _ = file.keep();
        if sync && let Some(folder) = target.parent() {
            sync_folder(folder);
        }
        Ok(())
    }

    /// Like `land`, but never replaces: false when `target` exists.
    fn land_new(&self, file: TempPath, target: &Path, sync: bool) -> io::Result<bool> {
        let landed = match file.persist_noclobber(target) {
            Ok(()) => Ok(()),
            Err(e) if is_cross_device(&e.error) => {
                let beside = copy_beside(&e.path, target)?;
                beside
                    .persist_noclobber(target)
                    .map(|_| ())
                    .map_err(|e| e.error)
            }
            Err(e) => Err(e.error),
        };
        match landed {
            Ok(()) => {
                if sync && let Some(folder) = target.parent() {
                    sync_folder(folder);
                }
                Ok(true)
            }
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Ok(false),
            Err(e) => Err(e),
        }
    }
}

/// Whether this user may write the existing file at `path` in place, as
/// the system judges it (owner, group, others; an immutable file). A
/// file that is gone, or a system that cannot say, is not refused here:
/// the write itself fails, or not, then.
fn may_write(path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let Ok(name) = std::ffi::CString::new(path.as_os_str().as_bytes()) else {
            return true;
        };
        // SAFETY: `name` is a NUL-terminated string that outlives the call.
        let allowed = unsafe { libc::access(name.as_ptr(), libc::W_OK) };
        allowed == 0
            || !matches!(
                io::Error::last_os_error().raw_os_error(),
                Some(libc::EACCES) | Some(libc::EPERM)
            )
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        true
    }
}

/// Case files written together, all or nothing, under the log's lock:
/// each new text is written to a temporary file as it is added, so a
/// failing read, change or write (a full disk) leaves the log as it was;
/// [`Batch::land`] then syncs them all, renames them into place, and puts
/// back the ones it landed should a later rename fail. Dropped unlanded,
/// it writes nothing.
pub struct Batch<'a> {
    store: &'a Store,
    staged: Vec<Staged>,
    /// Where each staged path is in `staged`: an import stages thousands,
    /// and each new one is looked up.
    staged_paths: HashMap<PathBuf, usize>,
    /// Month folders made for new cases, deepest last: removed again
    /// (when still empty) if the batch does not land.
    made_folders: Vec<PathBuf>,
    landed: bool,
    _lock: File,
}

impl Drop for Batch<'_> {
    fn drop(&mut self) {
        if self.landed {
            return;
        }
        // Best effort: a folder something else has filled meanwhile is
        // not empty, and stays.
        for folder in self.made_folders.iter().rev() {
            let _ = fs::remove_dir(folder);
        }
    }
}

/// One file of a batch, ready to land.
struct Staged {
    path: PathBuf,
    file: TempPath,
    /// The new text of a changed case, for a later change to it in the
    /// batch (a new case cannot be found by a change before it lands).
    text: Option<String>,
    /// What the file held before (to put back), or `None` for a new case.
    before: Option<String>,
    /// Of the text it lands, for the record of the landing.
    new: Fingerprint,
}

impl Batch<'_> {
    /// Adds a new case file. A case whose id is taken (on disk or earlier
    /// in the batch) is given a fresh one by `fresh_id`, as `open` does on
    /// a clash of random ids; returns the id it will have.
    pub fn create(
        &mut self,
        mut case: Case,
        fresh_id: impl Fn(&Case) -> Result<CaseId>,
    ) -> Result<CaseId> {
        let store = self.store;
        case.id = self.free_id(&case, &HashSet::new(), fresh_id)?;
        let path = case.id.path_in(&store.cases);
        let folder = path.parent().context("a case path always has a folder")?;
        let missing: Vec<PathBuf> = folder
            .ancestors()
            .take_while(|f| f.starts_with(&store.cases) && fs::symlink_metadata(f).is_err())
            .map(Path::to_path_buf)
            .collect();
        safe::create_folders(&store.root, folder, &|p| store.shown(p))?;
        self.made_folders.extend(missing.into_iter().rev());
        let text = file::render(&case);
        let file = store.filled_temp_file(&text, &path, None, false)?;
        self.staged_paths.insert(path.clone(), self.staged.len());
        self.staged.push(Staged {
            path,
            file,
            text: None,
            before: None,
            new: Fingerprint::of(text.as_bytes()),
        });
        Ok(case.id)
    }

    /// An id for `case` that no file has, nor anything staged in this
    /// batch, nor any of `also_taken`: its own when free, else one
    /// `fresh_id` gives. Taken ids are rare (ids end in random letters),
    /// so a few tries settle it.
    pub fn free_id(
        &self,
        case: &Case,
        also_taken: &HashSet<CaseId>,
        fresh_id: impl Fn(&Case) -> Result<CaseId>,
    ) -> Result<CaseId> {
        let mut id = case.id.clone();
        for _ in 0..8 {
            let path = id.path_in(&self.store.cases);
            if fs::symlink_metadata(&path).is_err()
                && self.staged_at(&path).is_none()
                && !also_taken.contains(&id)
            {
                return Ok(id);
            }
            id = fresh_id(case)?;
        }
        bail!(
            "no free case id for a case opened {} after 8 tries",
            case.opened_at.0.format("%Y-%m-%d")
        )
    }

    /// Adds a change to the case `query` names: reads it (as this batch
    /// left it, if it changed it already), applies `change`, and stages
    /// the text with only the lines that differ changed. Nothing is
    /// staged when `change` fails or alters nothing.
    pub fn change<F>(&mut self, query: &str, change: F) -> Result<Changed>
    where
        F: FnOnce(&Case) -> Result<Case>,
    {
        let store = self.store;
        let path = store.find(query)?;
        let earlier = self.staged_at(&path);
        let stored = match earlier {
            Some(at) => {
                // `find` finds only files on disk, so never a new one.
                let text = self.staged[at]
                    .text
                    .clone()
                    .context("a case new in this batch cannot be changed in it")?;
                store.stored(&path, text.into_bytes())?
            }
            None => store.read(&path)?,
        };
        let after = change(&stored.case)?;
        let text = if after == stored.case {
            stored.text.clone()
        } else {
            file::update(&stored.text, &stored.case, &after)
                .with_context(|| format!("editing {}", store.shown(&path)))?
        };
        let written = text != stored.text;
        if written {
            let file = store.replacement(&path, &text, false)?;
            let new = Fingerprint::of(text.as_bytes());
            match earlier {
                Some(at) => {
                    self.staged[at].file = file;
                    self.staged[at].text = Some(text);
                    self.staged[at].new = new;
                }
                None => {
                    self.staged_paths.insert(path.clone(), self.staged.len());
                    self.staged.push(Staged {
                        path: path.clone(),
                        file,
                        text: Some(text),
                        before: Some(stored.text.clone()),
                        new,
                    });
                }
            }
        }
        Ok(Changed {
            before: stored.case,
            after,
            path,
            written,
        })
    }

    fn staged_at(&self, path: &Path) -> Option<usize> {
        self.staged_paths.get(path).copied()
    }

    /// Renames every staged file into place, in the order added. Should
    /// one fail, the ones landed before it are put back as they were
    /// (the lock is still held, so no other caselog change has built on
    /// them; a reader may have glimpsed them), and the error says so.
    /// Should the process die part-way, the record written first lets
    /// the next command that takes the lock land the rest
    /// ([`super::landing`]).
    pub fn land(mut self) -> Result<()> {
        let store = self.store;
        let total = self.staged.len();
        let staged: Vec<&Path> = self.staged.iter().map(|s| &*s.file).collect();
        durable::sync_files(&staged).context("writing the cases to disk; nothing was written")?;
        let recorded = total > 1;
        if recorded {
            let mut files = Vec::with_capacity(total);
            for staged in &self.staged {
                let old = match &staged.before {
                    Some(_) => Some(Fingerprint::of(&store.read_bytes(&staged.path)?)),
                    None => None,
                };
                files.push(ToLand {
                    target: &staged.path,
                    staged: &staged.file,
                    new: staged.new,
                    old,
                });
            }
            store.record_landing(&files)?;
        }
        let folders: HashSet<PathBuf> = self
            .staged
            .iter()
            .filter_map(|s| s.path.parent().map(Path::to_path_buf))
            .collect();
        let result = self.land_recorded();
        // Renames made durable before the record that could redo them goes.
        durable::sync_folders(&folders);
        if recorded {
            store.end_landing();
        }
        result
    }

    fn land_recorded(&mut self) -> Result<()> {
        let store = self.store;
        let total = self.staged.len();
        let mut landed: Vec<LandedFile> = Vec::with_capacity(total);
        for (i, staged) in std::mem::take(&mut self.staged).into_iter().enumerate() {
            // The file it replaces keeps a second name until the batch
            // has landed, unless nothing can fail after it (the last).
            let kept = match &staged.before {
                Some(_) if i + 1 < total => store.second_name(&staged.path),
                _ => None,
            };
            let outcome = match &staged.before {
                None => store
                    .land_new(staged.file, &staged.path, false)
                    .and_then(|new| {
                        if new {
                            Ok(())
                        } else {
                            Err(io::Error::new(
                                io::ErrorKind::AlreadyExists,
                                "a case file with its id appeared meanwhile",
                            ))
                        }
                    }),
                Some(_) => store.land(staged.file, &staged.path, false),
            };
            if let Err(e) = outcome {
                let failed = format!("writing {}: {e}", store.shown(&staged.path));
                if landed.is_empty() {
                    anyhow::bail!("{failed}");
                }
                let count = landed.len();
                let not_undone = store.put_back(landed);
                if not_undone.is_empty() {
                    anyhow::bail!(
                        "{failed}; the {} written before it {} put back, so nothing was written",
                        crate::words::count(count, "file"),
                        crate::words::one_or_many(count, "was", "were"),
                    );
                }
                anyhow::bail!(
                    "{failed}; of the {} written before it, these could not be put back and hold the new text: {}",
                    crate::words::count(count, "file"),
                    not_undone.join(", ")
                );
            }
            landed.push(LandedFile {
                path: staged.path,
                before: staged.before,
                kept,
            });
            #[cfg(debug_assertions)]
            die_for_a_test(landed.len());
        }
        self.landed = true;
        Ok(())
    }
}

/// Test builds only: dies, as `kill -9` would, once
/// `CASELOG_TEST_DIE_AFTER_RENAMES` files of a batch have landed, so
/// tests can show the rest lands after all.
#[cfg(debug_assertions)]
fn die_for_a_test(landed: usize) {
    let at = std::env::var("CASELOG_TEST_DIE_AFTER_RENAMES").ok();
    if at.and_then(|n| n.parse().ok()) == Some(landed) {
        std::process::abort();
    }
}

/// A file a batch has landed, and how to undo it.
struct LandedFile {
    path: PathBuf,
    /// What a changed file held before; `None` for a new one.
    before: Option<String>,
    /// The file it replaced, under a second name.
    kept: Option<TempPath>,
}

impl Store {
    /// A second name (a hard link, in the work folder) for the file `path`
    /// names now: renamed back over a new text, it puts the very file
    /// back, which takes no room on a full disk, as writing its text
    /// again would. None across file systems.
    fn second_name(&self, path: &Path) -> Option<TempPath> {
        let folder = self.temp_dir().ok()?;
        tempfile::Builder::new()
            .prefix(TEMP_PREFIX)
            .suffix(TEMP_SUFFIX)
            .make_in(folder, |name| fs::hard_link(path, name))
            .map(NamedTempFile::into_temp_path)
            .ok()
    }

    /// Undoes landed writes of a batch: a new file is removed, a changed
    /// one is put back (the very file, when it kept a second name; else
    /// its old text is written again). Returns the files it could not undo.
    fn put_back(&self, landed: Vec<LandedFile>) -> Vec<String> {
        let mut failed = Vec::new();
        for LandedFile { path, before, kept } in landed.into_iter().rev() {
            // `replace` syncs the folder itself; a removal or a rename back
            // is made durable here.
            let sync = || {
                if let Some(folder) = path.parent() {
                    sync_folder(folder);
                }
            };
            let undone = match (before, kept) {
                (None, _) => fs::remove_file(&path)
                    .map(|()| sync())
                    .map_err(anyhow::Error::from),
                (Some(text), Some(kept)) => match kept.persist(&path) {
                    Ok(()) => {
                        sync();
                        Ok(())
                    }
                    Err(_) => self.replace(&path, &text),
                },
                (Some(text), None) => self.replace(&path, &text),
            };
            if undone.is_err() {
                failed.push(self.shown(&path));
            }
        }
        failed
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::lifecycle::tests::opened;

    fn log_in(dir: &Path) -> Store {
        fs::create_dir_all(dir.join(CASES_DIR)).unwrap();
        Store::at(dir, dir).unwrap()
    }

    fn case_with_id(id: &str) -> Case {
        Case {
            id: CaseId::parse_full(id).unwrap(),
            ..opened()
        }
    }

    #[test]
    fn a_batch_that_cannot_land_a_file_puts_back_the_ones_it_landed() {
        let dir = tempfile::tempdir().unwrap();
        let store = log_in(dir.path());
        let changed = case_with_id("20261122-aaaaa");
        assert!(store.create(&changed).unwrap());
        let changed_path = changed.id.path_in(&store.cases);
        let before = fs::read(&changed_path).unwrap();
        let inode_before = inode(&changed_path);
        let new = case_with_id("20261122-bbbbb");
        let blocked = case_with_id("20261122-ccccc");
        let no_clash = |_: &Case| -> Result<CaseId> { anyhow::bail!("no clash expected") };

        let mut batch = store.batch().unwrap();
        let change = batch
            .change(changed.id.as_str(), |case| {
                Ok(Case {
                    title: "Vase broken twice".into(),
                    ..case.clone()
                })
            })
            .unwrap();
        assert!(change.written);
        batch.create(new.clone(), no_clash).unwrap();
        batch.create(blocked.clone(), no_clash).unwrap();
        // After staging, a file takes the last case's place (no caselog
        // would: it waits for the lock), so that one cannot land.
        let blocked_path = blocked.id.path_in(&store.cases);
        fs::write(&blocked_path, "not a case").unwrap();
        let error = batch.land().unwrap_err().to_string();

        assert!(error.contains("appeared meanwhile"), "{error}");
        assert!(
            error.contains("the 2 files written before it were put back, so nothing was written"),
            "{error}"
        );
        assert_eq!(fs::read(&changed_path).unwrap(), before);
        // The very file is back, renamed from a second name: putting it
        // back wrote nothing, so a full disk could not stop it.
        assert_eq!(inode(&changed_path), inode_before);
        assert!(!new.id.path_in(&store.cases).exists());
        assert_eq!(fs::read(&blocked_path).unwrap(), b"not a case");
        assert_eq!(leftovers(&store), Vec::<PathBuf>::new());
    }

    #[cfg(unix)]
    fn inode(path: &Path) -> u64 {
        std::os::unix::fs::MetadataExt::ino(&fs::metadata(path).unwrap())
    }

    #[cfg(not(unix))]
    fn inode(_: &Path) -> u64 {
        0
    }

    /// Temporary files left anywhere in the log.
    fn leftovers(store: &Store) -> Vec<PathBuf> {
        walkdir::WalkDir::new(&store.root)
            .into_iter()
            .map(|e| e.unwrap().into_path())
            .filter(|p| p.to_string_lossy().ends_with(TEMP_SUFFIX))
            .collect()
    }

    #[test]
    fn a_batch_that_lands_leaves_no_second_name_behind() {
        let dir = tempfile::tempdir().unwrap();
        let store = log_in(dir.path());
        let ids = ["20261122-aaaaa", "20261122-bbbbb", "20261122-ccccc"];
        for id in ids {
            assert!(store.create(&case_with_id(id)).unwrap());
        }
        let mut batch = store.batch().unwrap();
        for id in ids {
            batch
                .change(id, |case| {
                    Ok(Case {
                        title: "Vase broken twice".into(),
                        ..case.clone()
                    })
                })
                .unwrap();
        }
        batch.land().unwrap();
        for id in ids {
            let text = fs::read_to_string(CaseId::parse_full(id).unwrap().path_in(&store.cases));
            assert!(text.unwrap().contains("Vase broken twice"));
        }
        assert_eq!(leftovers(&store), Vec::<PathBuf>::new());
    }

    #[test]
    fn a_batch_changing_one_case_twice_keeps_both_changes() {
        let dir = tempfile::tempdir().unwrap();
        let store = log_in(dir.path());
        let case = case_with_id("20261122-aaaaa");
        assert!(store.create(&case).unwrap());

        let mut batch = store.batch().unwrap();
        batch
            .change(case.id.as_str(), |case| {
                Ok(Case {
                    severity: crate::case::Severity::High,
                    ..case.clone()
                })
            })
            .unwrap();
        let second = batch
            .change(case.id.as_str(), |case| {
                Ok(Case {
                    title: "Second title".into(),
                    ..case.clone()
                })
            })
            .unwrap();
        assert_eq!(second.before.severity, crate::case::Severity::High);
        batch.land().unwrap();

        let stored = store.read(&case.id.path_in(&store.cases)).unwrap();
        assert_eq!(stored.case.title, "Second title");
        assert_eq!(stored.case.severity, crate::case::Severity::High);
    }

    #[test]
    fn a_batch_dropped_before_landing_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let store = log_in(dir.path());
        let case = case_with_id("20261122-aaaaa");
        {
            let mut batch = store.batch().unwrap();
            batch
                .create(case.clone(), |_| anyhow::bail!("no clash expected"))
                .unwrap();
        }
        assert!(!case.id.path_in(&store.cases).exists());
        assert!(store.temp_files().is_empty(), "{:?}", store.temp_files());
        // Nor the month folders made for it.
        assert!(!store.cases.join("2026").exists());
        assert!(store.cases.is_dir());
    }
}
