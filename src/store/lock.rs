//! The log-wide lock every change holds, so concurrent commands never lose
//! an update.

use std::fs::{File, OpenOptions};

use anyhow::{Context, Result};

use super::{LOCK_FILE, Store};

impl Store {
    /// Holds the log-wide lock until the returned file is dropped.
    pub(super) fn lock(&self) -> Result<File> {
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
}
