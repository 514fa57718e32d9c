//! The files a pass starts from, learnt from the log's watcher where one
//! runs: the snapshot's files, less what went, plus what the watcher says
//! changed, each of those stat'ed. Where anything is uncertain the pass
//! walks and stats every file instead, as without a watcher.

use std::collections::HashSet;
use std::fs;
use std::sync::atomic::Ordering;

use super::facts::{self, Snapshot, WalkRecord};
use super::files::{self, Found, Identity, SEPARATOR, Walked};
use super::watch::{self, Changed, Token};
use crate::store::{Store, WORK_DIR};

/// The files a pass starts from.
pub enum Files {
    /// Found by a walk, or learnt from the watcher: in path order.
    Listed(Vec<Found>),
    /// The snapshot's own, as the watcher vouches that none changed since
    /// it was written: a pass reads them from the snapshot as it reads
    /// their facts, with no list made first.
    AsInSnapshot,
}

/// The files a pass starts from, its walk's errors, and what the snapshot
/// it writes records of that walk.
pub struct Start {
    pub files: Files,
    pub errors: Vec<anyhow::Error>,
    pub walk: WalkRecord,
}

impl Store {
    /// Whether the last pass over every case learnt what changed from the
    /// log's watcher.
    pub fn last_pass_watched(&self) -> bool {
        self.watched_pass.load(Ordering::Relaxed)
    }

    /// Every case file with its stat identity, and the walk's errors, as
    /// [`Store::case_files`] finds them: learnt from the watcher where the
    /// facts snapshot allows, for a pass that keeps an index of its own.
    /// The record says what the listing learnt from, as a snapshot's does.
    pub(super) fn files_to_index(
        &self,
        use_index: bool,
    ) -> (Vec<Found>, Vec<anyhow::Error>, WalkRecord) {
        let snapshot = if use_index {
            Snapshot::open(&self.root.join(WORK_DIR).join(facts::FILE))
        } else {
            None
        };
        let start = self.start_pass(snapshot.as_ref(), use_index);
        self.listed(start, snapshot.as_ref())
    }

    /// Whether the log's watcher says that no case file changed since it
    /// handed out `token`; it is asked as a pass asks.
    pub(super) fn unchanged_since(&self, token: Token) -> bool {
        self.land_interrupted_batch();
        let unchanged = watch::ask(&self.root.join(WORK_DIR), Some(token)).is_some_and(
            |answer| matches!(&answer.changed, Changed::Paths(paths) if paths.is_empty()),
        );
        if unchanged {
            self.watched_pass.store(true, Ordering::Relaxed);
        }
        unchanged
    }

    /// The files a pass starts from: learnt from the watcher when one
    /// answers about the snapshot's token, else walked. The watcher is
    /// asked before any file is looked at, so what changes meanwhile is in
    /// its next answer.
    pub(super) fn start_pass(&self, snapshot: Option<&Snapshot>, use_index: bool) -> Start {
        // Before the question: the files a landing renames into place must
        // be in this answer, not the next.
        self.land_interrupted_batch();
        let answer = if use_index {
            watch::ask(
                &self.root.join(WORK_DIR),
                snapshot.and_then(|s| s.walk.watched),
            )
        } else {
            None
        };
        let watched = answer.as_ref().map(|a| a.token);
        if let (Some(answer), Some(snapshot)) = (&answer, snapshot)
            && let Changed::Paths(paths) = &answer.changed
            && snapshot.walk.clean
        {
            let walk = WalkRecord {
                watched,
                clean: true,
            };
            // A clean snapshot holds no case twice, and nothing was added.
            if paths.is_empty() {
                self.watched_pass.store(true, Ordering::Relaxed);
                return Start {
                    files: Files::AsInSnapshot,
                    errors: Vec::new(),
                    walk,
                };
            }
            if let Some(walked) = self.walked_since(snapshot, paths) {
                let (files, errors) = self.choose(walked);
                if errors.is_empty() {
                    self.watched_pass.store(true, Ordering::Relaxed);
                    return Start {
                        files: Files::Listed(files),
                        errors,
                        walk,
                    };
                }
            }
        }
        // Landed above, before the question.
        let (files, errors, walk) = self.walked_start(watched);
        Start {
            files: Files::Listed(files),
            errors,
            walk,
        }
    }

    /// The files a pass starts from, walked, its errors, and its record;
    /// `watched`: the watcher's token asked for before.
    fn walked_start(&self, watched: Option<Token>) -> (Vec<Found>, Vec<anyhow::Error>, WalkRecord) {
        self.watched_pass.store(false, Ordering::Relaxed);
        let walked = self.walk_landed();
        let hard_linked = walked.hard_linked;
        let (files, errors) = self.choose(walked);
        let clean = errors.is_empty() && !hard_linked;
        (files, errors, WalkRecord { watched, clean })
    }

    /// `start`'s files as a list (its walk's errors, and its record):
    /// made from `snapshot` where they are its own, walked where it turns
    /// out damaged.
    pub(super) fn listed(
        &self,
        start: Start,
        snapshot: Option<&Snapshot>,
    ) -> (Vec<Found>, Vec<anyhow::Error>, WalkRecord) {
        let Start {
            files,
            errors,
            walk,
        } = start;
        if let Files::Listed(files) = files {
            return (files, errors, walk);
        }
        if let Some(walked) = snapshot.and_then(|s| self.walked_since(s, &[])) {
            let (files, errors) = self.choose(walked);
            if errors.is_empty() {
                return (files, errors, walk);
            }
        }
        self.walked_start(walk.watched)
    }

    /// What a walk would find, from the snapshot's files and the paths
    /// changed since it; `None` where only a walk can tell (a link, a name
    /// the walk refuses, a file that cannot be stat'ed, a damaged
    /// snapshot).
    fn walked_since(&self, snapshot: &Snapshot, changed: &[String]) -> Option<Walked> {
        let mut found = Vec::new();
        // Keys the snapshot's entries no longer stand for, and folders
        // whose every entry is replaced by a walk of what is there now
        // (or by nothing, when gone).
        let mut gone: HashSet<&str> = HashSet::new();
        let mut replaced: HashSet<&str> = HashSet::new();
        let below_replaced = |replaced: &HashSet<&str>, key: &str| {
            !replaced.is_empty()
                && key
                    .match_indices(SEPARATOR)
                    .any(|(at, _)| replaced.contains(&key[..at]))
        };
        for key in changed {
            // A path below a folder walked again is in that walk (the
            // paths come sorted, each folder before what it holds).
            if below_replaced(&replaced, key) {
                continue;
            }
            // A key whose parts could lead anywhere but down into
            // `cases/` is no answer to trust.
            let path = self.path_of_key(key).ok()?;
            gone.insert(key);
            let meta = match fs::symlink_metadata(&path) {
                Ok(meta) => meta,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    replaced.insert(key);
                    continue;
                }
                Err(_) => return None,
            };
            let kind = meta.file_type();
            if kind.is_symlink() {
                return None;
            }
            if kind.is_dir() {
                let walked = files::walk(&path, 1);
                if !walked.links.is_empty() || !walked.errors.is_empty() || walked.hard_linked {
                    return None;
                }
                found.extend(walked.files.into_iter().map(|f| Found {
                    key: files::key_below(key, &f.key),
                    identity: f.identity,
                }));
                replaced.insert(key);
            } else {
                let name = key.rsplit(SEPARATOR).next().unwrap_or(key);
                if !files::is_case_file_name(name) {
                    continue;
                }
                // A pipe or device named as a case: the walk says so.
                if !kind.is_file() || files::more_than_one_name(&meta) {
                    return None;
                }
                found.push(Found {
                    key: key.clone(),
                    identity: Identity::of(&meta),
                });
            }
        }
        // The snapshot's segments side by side, each already in key order
        // and together in order.
        // Each with whether its stems rise, measured on its thread.
        let kept: Vec<Option<(Vec<Found>, bool)>> = std::thread::scope(|scope| {
            let readers: Vec<_> = facts::segment_readers(snapshot)
                .into_iter()
                .map(|(_, mut reader)| {
                    let (gone, replaced) = (&gone, &replaced);
                    scope.spawn(move || -> Option<(Vec<Found>, bool)> {
                        let mut kept = Vec::with_capacity(reader.left() as usize);
                        while reader.advance().ok()? {
                            let key = std::str::from_utf8(reader.key()?).ok()?;
                            if gone.contains(key) || below_replaced(replaced, key) {
                                continue;
                            }
                            kept.push(Found {
                                key: key.to_string(),
                                identity: reader.identity()?,
                            });
                        }
                        let rise = files::stems_rise(&kept);
                        Some((kept, rise))
                    })
                })
                .collect();
            readers
                .into_iter()
                .map(|reader| {
                    reader
                        .join()
                        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
                })
                .collect()
        });
        let parts = kept.into_iter().collect::<Option<Vec<_>>>()?;
        let mut all: Vec<Found> = Vec::with_capacity(
            found.len() + parts.iter().map(|(part, _)| part.len()).sum::<usize>(),
        );
        let mut stems_rise = true;
        for (part, rise) in parts {
            // Where two parts meet, the stems must rise too.
            let joined = match (all.last(), part.first()) {
                (Some(last), Some(first)) => last.stem() < first.stem(),
                _ => true,
            };
            stems_rise &= rise && joined;
            all.extend(part);
        }
        if !found.is_empty() {
            all.append(&mut found);
            all.sort_unstable_by(|a, b| a.key.cmp(&b.key));
            stems_rise = files::stems_rise(&all);
        }
        let found = all;
        Some(Walked {
            files: found,
            links: Vec::new(),
            errors: Vec::new(),
            hard_linked: false,
            stems_rise,
        })
    }
}
