//! The log's secret for pseudonyms: random bytes in caselog's work folder
//! (`.caselog/secret`, never committed), made on first use, readable by
//! its owner only. Whoever holds it can recompute a customer's pseudonym
//! from their reference or name; nobody else can. It also keys the
//! digests that stand for a redacted row and for an id holding a card
//! number, so only its holder can test a guess against them.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};

use super::durable::temp_file_in;
use super::{Store, WORK_DIR, safe};
use crate::error::InputError;

/// The secret's file name in the work folder.
pub const SECRET_FILE: &str = "secret";
/// How many random bytes a new secret holds (written as hex).
const SECRET_BYTES: usize = 32;

impl Store {
    /// The log's secret for pseudonyms, made when there is none yet.
    /// Making it takes the log's lock: not to be called holding it (a
    /// `Batch`, `while_locked`), which would wait for itself.
    pub fn secret(&self) -> Result<Vec<u8>> {
        let work = self.root.join(WORK_DIR);
        let path = work.join(SECRET_FILE);
        let shown = self.shown(&path);
        if std::fs::symlink_metadata(&path).is_err() {
            self.make_secret(&path, &shown)?;
        }
        let file = safe::open_file(&path, &shown)?;
        let text = crate::limits::read_text(file, 4096, &shown)?;
        let secret = text.trim();
        if secret.len() < 32 {
            return Err(InputError::InvalidFile {
                path: shown,
                line: 1,
                message: "the secret for pseudonyms is too short (at least 32 characters); delete the file to make a new one, which changes every pseudonym".into(),
            }
            .into());
        }
        Ok(secret.as_bytes().to_vec())
    }

    /// Writes a new secret whole, then gives it its name only if no other
    /// caselog gave one first: a secret made in place could be read empty
    /// by a caselog starting at the same moment (or left empty by a kill),
    /// which refuses it. Under the lock, so `check --clean` leaves the
    /// temporary file be.
    fn make_secret(&self, path: &Path, shown: &str) -> Result<()> {
        let _lock = self.lock()?;
        if std::fs::symlink_metadata(path).is_ok() {
            return Ok(());
        }
        let hex = crate::hex::random(SECRET_BYTES)
            .map_err(|e| anyhow::anyhow!("no random numbers for the secret: {e}"))?;
        #[cfg(unix)]
        let owner_only = {
            use std::os::unix::fs::PermissionsExt;
            Some(std::fs::Permissions::from_mode(0o600))
        };
        #[cfg(not(unix))]
        let owner_only = None;
        let mut file = temp_file_in(&self.temp_dir()?, owner_only)
            .with_context(|| format!("creating {shown}"))?;
        file.as_file_mut()
            .write_all(format!("{hex}\n").as_bytes())
            .and_then(|()| file.as_file().sync_all())
            .with_context(|| format!("writing {shown}"))?;
        match file.persist_noclobber(path) {
            Ok(_) => Ok(()),
            // Made meanwhile by a caselog of an older version, which
            // takes no lock for it: theirs is the secret.
            Err(e) if e.error.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
            Err(e) => Err(e.error).with_context(|| format!("creating {shown}")),
        }
    }
}
