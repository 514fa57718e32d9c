//! The log-wide lock every change holds, so concurrent commands never lose
//! an update; and the temporary files an interrupted write leaves behind,
//! which are stale exactly when nobody holds the lock.

use std::fs::File;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use super::{Finished, LOCK_FILE, Store, safe};
use crate::case::Case;
use crate::error::InputError;

/// How long a change waits for another caselog before giving up.
pub const DEFAULT_LOCK_WAIT: Duration = Duration::from_secs(30);
/// How long a change waits quietly before saying it is waiting.
const QUIET_WAIT: Duration = Duration::from_secs(1);
const POLL: Duration = Duration::from_millis(20);

/// Temporary files left by writes that were interrupted (a crash, `kill
/// -9`, a full disk): safe to remove, since nobody holds the lock.
#[derive(Debug)]
pub struct Stale {
    pub files: Vec<PathBuf>,
    /// What became of batches of files a crash cut short: landed or left
    /// by other commands since `check` last told, then by this one.
    pub landings: Vec<Finished>,
    /// Held while the list is acted on, so no write starts meanwhile.
    _lock: File,
}

/// The log-wide lock could not be taken: another caselog held it past
/// the lock wait, or the lock file cannot be opened (a read-only
/// checkout). Every other change in the same run would fail alike, so a
/// command changing many cases one by one stops at the first
/// ([`is_lock_failure`]) rather than wait and say so once per case. Its
/// message is the whole of the failure's.
#[derive(Debug)]
pub struct LockFailed(anyhow::Error);

impl std::fmt::Display for LockFailed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:#}", self.0)
    }
}

impl std::error::Error for LockFailed {}

/// Whether `err` is (or was caused by) a [`LockFailed`].
pub fn is_lock_failure(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| cause.is::<LockFailed>())
}

/// What may be done while [`Store::while_locked`] holds the lock: the
/// lock is per open file, so taking it again in the same process would
/// wait for itself.
pub struct Locked<'a> {
    store: &'a Store,
}

impl Locked<'_> {
    /// [`Store::create`] under the lock already held.
    pub fn create(&self, case: &Case) -> Result<bool> {
        self.store.create_locked(case)
    }
}

impl Store {
    /// Runs `f` holding the log-wide lock: for a decision over the whole
    /// log and the new case it leads to, which no other change may come
    /// between (`caselog mail`: does any case record this message? if
    /// not, open one, through `Locked`). `f` must not change a case
    /// through a `Batch`, which takes the lock itself.
    pub fn while_locked<T>(&self, f: impl FnOnce(&Locked<'_>) -> Result<T>) -> Result<T> {
        let _lock = self.lock()?;
        f(&Locked { store: self })
    }

    /// Holds the log-wide lock until the returned file is dropped. Waits
    /// for another caselog holding it: quietly for a second, then saying
    /// so once, and gives up after the store's lock wait. Its failure is a
    /// [`LockFailed`], but for a lock file that is not one (a link, a
    /// FIFO): that is the log's to fix, and refused as such.
    pub(super) fn lock(&self) -> Result<File> {
        self.take_lock().map_err(|e| {
            if e.chain().any(|cause| cause.is::<InputError>()) {
                e
            } else {
                anyhow::Error::new(LockFailed(e))
            }
        })
    }

    fn take_lock(&self) -> Result<File> {
        let path = self.root.join(LOCK_FILE);
        let shown = self.shown(&path);
        let file = safe::open_lock_file(&path, &shown)?;
        let start = Instant::now();
        let mut told = false;
        loop {
            match file.try_lock() {
                Ok(()) => {
                    // A batch a crash cut short lands before anything
                    // builds on it. Should that fail (a full disk), its
                    // record stays for the next command; this change
                    // goes on, and `check` tells what came of it.
                    self.finish_landing_for_check();
                    return Ok(file);
                }
                Err(std::fs::TryLockError::WouldBlock) => {}
                Err(std::fs::TryLockError::Error(e)) => {
                    return Err(e).with_context(|| format!("locking {shown}"));
                }
            }
            let waited = start.elapsed();
            if waited >= self.lock_wait {
                bail!(
                    "another caselog has held the lock {shown} for over {}s; nothing was written (if no caselog is running, the holder died: try again)",
                    self.lock_wait.as_secs()
                );
            }
            if !told && waited >= QUIET_WAIT {
                (self.on_wait)(&shown);
                told = true;
            }
            std::thread::sleep(POLL);
        }
    }

    /// Lands a batch a crash cut short, when one is recorded and no
    /// caselog holds the lock, so a read after the crash sees the whole
    /// batch rather than the part that had landed. Costs a stat when
    /// there is none. Never waits, never fails the read: a writer at work
    /// (whose batch this may be), or a log on a read-only disk, is read
    /// as it is.
    pub(super) fn land_interrupted_batch(&self) {
        if std::fs::symlink_metadata(self.landing_path()).is_err() {
            return;
        }
        let path = self.root.join(LOCK_FILE);
        let Ok(file) = safe::open_lock_file(&path, &self.shown(&path)) else {
            return;
        };
        if file.try_lock().is_ok() {
            self.finish_landing_for_check();
        }
    }

    /// The temporary files interrupted writes left, when no write is under
    /// way; `None` when another caselog holds the lock right now (its
    /// temporary files are not stale), or when this user cannot write the
    /// lock file (a read-only checkout, as CI may mount one), so nothing
    /// could be cleaned or landed anyway. A batch a crash cut short is
    /// landed first, when it can be, so its files are not among them.
    pub fn stale_files(&self) -> Result<Option<Stale>> {
        let path = self.root.join(LOCK_FILE);
        if std::fs::symlink_metadata(&path).is_err() {
            // No lock file: no change was ever made here, or it was removed.
            if self.temp_files().is_empty() {
                return Ok(None);
            }
        }
        let file = match safe::open_lock_file(&path, &self.shown(&path)) {
            Ok(file) => file,
            // `check` only reads the cases: it must not fail for this.
            Err(e) if cannot_write(&e) => return Ok(None),
            Err(e) => return Err(e),
        };
        match file.try_lock() {
            Ok(()) => {
                let mut landings = self.earlier_landings();
                landings.push(self.finish_landing()?);
                landings.retain(|done| *done != Finished::Nothing);
                Ok(Some(Stale {
                    files: self.temp_files(),
                    landings,
                    _lock: file,
                }))
            }
            Err(std::fs::TryLockError::WouldBlock) => Ok(None),
            Err(std::fs::TryLockError::Error(e)) => {
                Err(e).with_context(|| format!("locking {}", self.shown(&path)))
            }
        }
    }
}

/// Whether opening failed because the file system or the file is not
/// this user's to write.
fn cannot_write(e: &anyhow::Error) -> bool {
    e.root_cause()
        .downcast_ref::<std::io::Error>()
        .is_some_and(|e| {
            matches!(
                e.kind(),
                std::io::ErrorKind::ReadOnlyFilesystem | std::io::ErrorKind::PermissionDenied
            )
        })
}
