//! The files `check` found clean, by stat identity, so the next `check`
//! validates only what changed since (`check --all` validates everything).
//! A cache like the others: `.caselog/checked`, judged file by file with
//! the racy-clean rule, and void when the rules it was judged by changed
//! or the time it was judged at is later than now (an event then in the
//! past may be in the future now; the reverse never happens).

use std::collections::HashMap;
use std::fs;
use std::io::{BufWriter, Write};

use anyhow::{Context, Result};

use super::RACY_NS;
use super::files::{Found, Identity};
use crate::store::{Store, WORK_DIR};

pub(super) const FILE: &str = "checked";
/// The second layout: the time the files were judged at follows the
/// rules.
const MAGIC: &[u8; 16] = b"caselog-checkd2\n";

/// The files found clean under some rules.
#[derive(Debug, Default)]
pub struct Clean {
    written_ns: i64,
    files: HashMap<String, Identity>,
}

impl Clean {
    /// How many files were found clean.
    pub fn count(&self) -> usize {
        self.files.len()
    }

    /// Whether `found` is as it was when it was found clean.
    pub fn vouches_for(&self, found: &Found) -> bool {
        self.files.get(&found.key).is_some_and(|identity| {
            *identity == found.identity
                && found.identity.mtime_ns < self.written_ns.saturating_sub(RACY_NS)
        })
    }
}

impl Store {
    /// The files found clean under the rules `rules` stands for (a
    /// fingerprint of the settings and of caselog's own version), judged
    /// at or before `now` (seconds); none when there is no record, or it
    /// was made under other rules or at a later time.
    pub fn clean_files(&self, rules: u64, now: i64) -> Clean {
        let path = self.root.join(WORK_DIR).join(FILE);
        let Ok(bytes) = fs::read(&path) else {
            return Clean::default();
        };
        read(&bytes, rules, now).unwrap_or_default()
    }

    /// Records `files` as found clean under `rules` at `now` (seconds).
    /// Best effort: it is a cache, so a failure only means the next
    /// `check` does more work.
    pub fn remember_clean(&self, rules: u64, now: i64, files: &[&Found]) -> Result<()> {
        let temp = self.temp_dir()?;
        let mut file = tempfile::Builder::new()
            .prefix(super::TEMP_PREFIX)
            .suffix(".tmp")
            .tempfile_in(&temp)
            .context("creating the check record")?;
        {
            let mut out = BufWriter::new(file.as_file_mut());
            out.write_all(MAGIC)?;
            out.write_all(&rules.to_le_bytes())?;
            out.write_all(&now.to_le_bytes())?;
            let written_ns = chrono::Utc::now().timestamp_nanos_opt().unwrap_or(i64::MAX);
            out.write_all(&written_ns.to_le_bytes())?;
            out.write_all(&(files.len() as u64).to_le_bytes())?;
            for found in files {
                out.write_all(&(found.key.len() as u32).to_le_bytes())?;
                out.write_all(found.key.as_bytes())?;
                let id = found.identity;
                for n in [id.size, id.mtime_ns as u64, id.ctime_ns as u64, id.inode] {
                    out.write_all(&n.to_le_bytes())?;
                }
            }
            out.flush()?;
        }
        file.persist(self.root.join(WORK_DIR).join(FILE))
            .map_err(|e| e.error)
            .context("writing the check record")?;
        Ok(())
    }
}

fn read(bytes: &[u8], rules: u64, now: i64) -> Option<Clean> {
    let mut at = 0;
    let mut take = |n: usize| {
        let part = bytes.get(at..at + n)?;
        at += n;
        Some(part)
    };
    let u64_at = |b: &[u8]| u64::from_le_bytes(b.try_into().unwrap_or([0; 8]));
    if take(16)? != MAGIC || u64_at(take(8)?) != rules || u64_at(take(8)?) as i64 > now {
        return None;
    }
    let written_ns = u64_at(take(8)?) as i64;
    let count = u64_at(take(8)?) as usize;
    let mut files = HashMap::with_capacity(count.min(1 << 20));
    for _ in 0..count {
        let len = u32::from_le_bytes(take(4)?.try_into().ok()?) as usize;
        let key = String::from_utf8(take(len)?.to_vec()).ok()?;
        let identity = Identity {
            size: u64_at(take(8)?),
            mtime_ns: u64_at(take(8)?) as i64,
            ctime_ns: u64_at(take(8)?) as i64,
            inode: u64_at(take(8)?),
        };
        files.insert(key, identity);
    }
    Some(Clean { written_ns, files })
}
