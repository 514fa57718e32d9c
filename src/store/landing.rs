//! The record a batch of case files writes before it lands them, so a
//! crash or power cut part-way through the renames does not leave the log
//! with some of them: the next caselog command lands the rest (a reader
//! too, when no other caselog holds the lock), and `check` tells what
//! came of it.
//!
//! Each file of a batch is written whole and synced before any lands, so
//! once the record is on disk the batch can always be finished. A file
//! that changed since (a hand edit, a `git checkout` before the next
//! caselog command) is not the one the batch was made from: then nothing
//! more lands, and what had landed stays, as before this record existed.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};

use super::durable::{rename_over, sync_folder, temp_file_in};
use super::{Store, WORK_DIR, safe};

/// The record, in caselog's work folder while a batch lands.
const LANDING_FILE: &str = "landing.json";

#[derive(Debug, Serialize, Deserialize)]
struct Record {
    files: Vec<Entry>,
}

/// One file of a batch: paths from the log's root, with `/` between parts.
#[derive(Debug, Serialize, Deserialize)]
struct Entry {
    target: String,
    staged: String,
    new: Fingerprint,
    /// What the file held when the batch was made; `None` for a new case.
    old: Option<Fingerprint>,
}

/// Enough to tell two texts apart that are not made to collide: only
/// caselog's own record is compared with files, never anyone's input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct Fingerprint {
    bytes: u64,
    crc32: u32,
}

impl Fingerprint {
    pub(super) fn of(bytes: &[u8]) -> Fingerprint {
        Fingerprint {
            bytes: bytes.len() as u64,
            crc32: crc32fast::hash(bytes),
        }
    }
}

/// A file a batch is about to land.
pub(super) struct ToLand<'a> {
    pub target: &'a Path,
    pub staged: &'a Path,
    pub new: Fingerprint,
    pub old: Option<Fingerprint>,
}

/// What came of interrupted batches finished by commands other than
/// `check` (which alone reports them), one JSON line each, until `check`
/// tells them.
const OUTCOMES_FILE: &str = "landing-outcomes.jsonl";

/// What finishing an interrupted batch did.
#[derive(Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Finished {
    /// No batch was interrupted.
    Nothing,
    /// Landed the `rest` of the `of` files an interrupted batch had left.
    Landed { rest: usize, of: usize },
    /// Left an interrupted batch as it was, for `why`; `landed` of its
    /// `of` files had landed.
    LeftAlone {
        landed: usize,
        of: usize,
        why: Unfinished,
    },
}

/// Why an interrupted batch was left as it was.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum Unfinished {
    #[error("its record is damaged")]
    DamagedRecord,
    #[error("its record names a path outside the log")]
    PathOutsideTheLog,
    #[error("a file of it changed since")]
    FileChanged,
    #[error("the text it was to land is gone")]
    TextGone,
}

impl Store {
    pub(super) fn landing_path(&self) -> PathBuf {
        self.root.join(WORK_DIR).join(LANDING_FILE)
    }

    /// Writes the record of the files a batch lands, in the order it will
    /// land them, before the first rename: written whole or not at all.
    pub(super) fn record_landing(&self, files: &[ToLand<'_>]) -> Result<()> {
        let relative = |path: &Path| -> Result<String> {
            let rest = path.strip_prefix(&self.root).ok();
            match rest.and_then(Path::to_str) {
                Some(rest) => Ok(rest.replace(std::path::MAIN_SEPARATOR, "/")),
                None => bail!("{} is not a plain path below the log", path.display()),
            }
        };
        let record = Record {
            files: files
                .iter()
                .map(|f| {
                    Ok(Entry {
                        target: relative(f.target)?,
                        staged: relative(f.staged)?,
                        new: f.new,
                        old: f.old,
                    })
                })
                .collect::<Result<_>>()?,
        };
        let text = serde_json::to_vec(&record).context("recording a batch's files")?;
        let path = self.landing_path();
        temp_file_in(&self.temp_dir()?, None)
            .and_then(|mut file| {
                file.as_file_mut().write_all(&text)?;
                file.as_file().sync_all()?;
                file.persist(&path).map(|_| ()).map_err(|e| e.error)
            })
            .with_context(|| format!("writing {}", self.shown(&path)))?;
        sync_folder(&self.root.join(WORK_DIR));
        Ok(())
    }

    /// Removes the record once its batch has landed, or been put back.
    pub(super) fn end_landing(&self) {
        // Best effort: a record left behind finds every file landed, or
        // its text gone, and changes nothing.
        if fs::remove_file(self.landing_path()).is_ok() {
            sync_folder(&self.root.join(WORK_DIR));
        }
    }

    /// Lands the rest of a batch a crash interrupted, when every file of
    /// it is as the batch left it. Call holding the log's lock.
    pub(super) fn finish_landing(&self) -> Result<Finished> {
        let path = self.landing_path();
        let text = match fs::read(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Finished::Nothing),
            Err(e) => return Err(e).with_context(|| format!("reading {}", self.shown(&path))),
        };
        let Ok(record) = serde_json::from_slice::<Record>(&text) else {
            self.end_landing();
            return Ok(Finished::LeftAlone {
                landed: 0,
                of: 0,
                why: Unfinished::DamagedRecord,
            });
        };
        let of = record.files.len();
        let mut pending = Vec::new();
        let mut landed = 0;
        let mut why = None;
        for entry in &record.files {
            let (Some(target), Some(staged)) =
                (self.below(&entry.target), self.below(&entry.staged))
            else {
                why = Some(Unfinished::PathOutsideTheLog);
                break;
            };
            let now = match fs::read(&target) {
                Ok(bytes) => Some(Fingerprint::of(&bytes)),
                Err(e) if e.kind() == io::ErrorKind::NotFound => None,
                Err(e) => {
                    return Err(e).with_context(|| format!("reading {}", self.shown(&target)));
                }
            };
            if now == Some(entry.new) {
                landed += 1;
            } else if now != entry.old {
                why = Some(Unfinished::FileChanged);
                break;
            } else if fs::read(&staged).map(|b| Fingerprint::of(&b)).ok() != Some(entry.new) {
                why = Some(Unfinished::TextGone);
                break;
            } else {
                pending.push((target, staged));
            }
        }
        if let Some(why) = why {
            self.end_landing();
            return Ok(Finished::LeftAlone { landed, of, why });
        }
        let rest = pending.len();
        for (target, staged) in pending {
            if let Some(folder) = target.parent() {
                safe::create_folders(&self.root, folder, &|p| self.shown(p))?;
            }
            rename_over(&staged, &target)
                .with_context(|| format!("writing {}", self.shown(&target)))?;
            if let Some(folder) = target.parent() {
                sync_folder(folder);
            }
        }
        self.end_landing();
        Ok(Finished::Landed { rest, of })
    }

    /// Finishes an interrupted batch for a command that reports nothing of
    /// it (any but `check`), keeping what came of it for `check` to tell.
    /// Best effort, as the command goes on whatever came of it.
    pub(super) fn finish_landing_for_check(&self) {
        let done = match self.finish_landing() {
            Ok(Finished::Nothing) | Err(_) => return,
            Ok(done) => done,
        };
        let Ok(mut line) = serde_json::to_vec(&done) else {
            return;
        };
        line.push(b'\n');
        let path = self.root.join(WORK_DIR).join(OUTCOMES_FILE);
        if let Ok(mut file) = fs::OpenOptions::new().create(true).append(true).open(&path) {
            let _ = file.write_all(&line).and_then(|()| file.sync_all());
        }
    }

    /// What came of interrupted batches other commands finished since
    /// `check` last told, oldest first, forgotten once read. Call holding
    /// the log's lock.
    pub(super) fn earlier_landings(&self) -> Vec<Finished> {
        let path = self.root.join(WORK_DIR).join(OUTCOMES_FILE);
        let Ok(text) = fs::read(&path) else {
            return Vec::new();
        };
        let _ = fs::remove_file(&path);
        // A line cut short by a crash is passed over.
        text.split(|&b| b == b'\n')
            .filter_map(|line| serde_json::from_slice(line).ok())
            .collect()
    }

    /// `path` of a record below the root, reached through no `..` and no
    /// linked folder ([`safe::check_folders`]).
    fn below(&self, path: &str) -> Option<PathBuf> {
        let full = self.root.join(path);
        let plain = Path::new(path).is_relative()
            && safe::check_folders(&self.root, &full, &|p| self.shown(p)).is_ok();
        plain.then_some(full)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::CASES_DIR;

    fn log_in(dir: &Path) -> Store {
        fs::create_dir_all(dir.join(CASES_DIR)).unwrap();
        fs::create_dir_all(dir.join(WORK_DIR)).unwrap();
        Store::at(dir, dir).unwrap()
    }

    #[test]
    fn a_record_naming_a_path_outside_the_log_lands_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let store = log_in(dir.path());
        let outside = dir.path().join("outside.txt");
        fs::write(dir.path().join(WORK_DIR).join("text"), "x").unwrap();
        let new = Fingerprint::of(b"x");
        let record = format!(
            r#"{{"files":[{{"target":"../outside.txt","staged":".caselog/text","new":{},"old":null}}]}}"#,
            serde_json::to_string(&new).unwrap()
        );
        fs::write(store.landing_path(), record).unwrap();
        assert_eq!(
            store.finish_landing().unwrap(),
            Finished::LeftAlone {
                landed: 0,
                of: 1,
                why: Unfinished::PathOutsideTheLog
            }
        );
        assert!(!outside.exists());
        assert!(!store.landing_path().exists());
        assert_eq!(store.finish_landing().unwrap(), Finished::Nothing);
    }

    #[test]
    fn what_other_commands_finished_is_kept_for_check_once_and_a_cut_line_passed_over() {
        let dir = tempfile::tempdir().unwrap();
        let store = log_in(dir.path());
        store.finish_landing_for_check();
        assert_eq!(store.earlier_landings(), []);
        fs::write(store.landing_path(), "{\"files\": [").unwrap();
        store.finish_landing_for_check();
        let outcomes = dir.path().join(WORK_DIR).join(OUTCOMES_FILE);
        let mut text = fs::read(&outcomes).unwrap();
        text.extend_from_slice(b"{\"Landed\":{\"rest\":2,\"of\":");
        fs::write(&outcomes, text).unwrap();
        assert_eq!(
            store.earlier_landings(),
            [Finished::LeftAlone {
                landed: 0,
                of: 0,
                why: Unfinished::DamagedRecord
            }]
        );
        assert_eq!(store.earlier_landings(), []);
    }

    #[test]
    fn a_damaged_record_is_removed_and_changes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let store = log_in(dir.path());
        fs::write(store.landing_path(), "{\"files\": [").unwrap();
        assert!(matches!(
            store.finish_landing().unwrap(),
            Finished::LeftAlone { of: 0, .. }
        ));
        assert!(!store.landing_path().exists());
    }

    #[test]
    fn a_record_lands_what_it_had_not_and_leaves_what_it_had() {
        let dir = tempfile::tempdir().unwrap();
        let store = log_in(dir.path());
        let cases = dir.path().join(CASES_DIR);
        let (a, b) = (cases.join("a.toml"), cases.join("2026/11/b.toml"));
        fs::write(&a, "new a").unwrap();
        let staged = store.temp_dir().unwrap().join(".caselog-b.tmp");
        fs::write(&staged, "new b").unwrap();
        let staged_a = store.temp_dir().unwrap().join(".caselog-a.tmp");
        store
            .record_landing(&[
                ToLand {
                    target: &a,
                    staged: &staged_a,
                    new: Fingerprint::of(b"new a"),
                    old: Some(Fingerprint::of(b"old a")),
                },
                ToLand {
                    target: &b,
                    staged: &staged,
                    new: Fingerprint::of(b"new b"),
                    old: None,
                },
            ])
            .unwrap();
        assert_eq!(
            store.finish_landing().unwrap(),
            Finished::Landed { rest: 1, of: 2 }
        );
        assert_eq!(fs::read_to_string(&b).unwrap(), "new b");
        assert!(!staged.exists() && !store.landing_path().exists());
    }
}
