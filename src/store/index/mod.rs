//! The index: a cache of every case's facts, so a command over the whole
//! log costs about a stat of each file, not a parse of it.
//!
//! The TOML files stay the truth. The index lives in caselog's work folder
//! (`.caselog/`, which ignores itself for git), may be deleted at any time,
//! and is judged file by file, as git judges its index: a file whose stat
//! identity changed, or that changed just before the index was written, is
//! read again. A missing, damaged or older index, or one another caselog
//! is rewriting, never changes an answer or fails a command: the pass reads
//! what it cannot trust, and a failure to write the index is ignored.

mod checked;
mod digest;
mod facts;
mod files;
pub mod search;
pub mod watch;
mod watched;

/// A file modified this close before an index was written is read again
/// next time: its change may share the index's timestamp granule (git's
/// "racy clean" rule).
const RACY_NS: i64 = 2_000_000_000;

/// The index's own temporary files: not the `.caselog-*.tmp` of a case
/// write, which `check` reports when an interrupted write leaves one, since
/// the index is written without the log's lock and a `check` may see one
/// mid-write.
const TEMP_PREFIX: &str = ".index-";

use std::path::Path;

use anyhow::Result;

pub use checked::Clean;
pub use digest::light;
pub use files::{Found, Identity, SEPARATOR, WalkError, Walked, threads, walk};

use super::{Store, WORK_DIR};
use crate::case::{Case, Glance};
use crate::error::InputError;
use facts::{Entry, Known, KnownRef, Piece, Snapshot};

/// What a pass is told as it goes, so a long first build can show
/// progress (the store itself prints nothing).
pub trait Progress: Sync {
    /// `files` files must be read (not trusted from the index).
    fn reading(&self, files: usize);
    /// One more file has been read.
    fn read_one(&self);
    /// The pass is over.
    fn done(&self);
}

/// A pass that tells nobody.
pub struct Quiet;

impl Progress for Quiet {
    fn reading(&self, _: usize) {}
    fn read_one(&self) {}
    fn done(&self) {}
}

/// One thread's share of a pass: what `reduce` kept of the cases the
/// snapshot vouched for (`kept`) and of the files read again (`read`), and
/// the files that failed, each with its file's place in the walk; the
/// pieces of a new snapshot; whether it differs from the old one; and
/// whether a file failed for want of the system (it could not be opened
/// or read), which leaves it out of the new snapshot.
struct Part<T> {
    kept: Kept<T>,
    read: Vec<(usize, T)>,
    failed: Vec<(usize, anyhow::Error)>,
    pieces: Vec<(usize, Piece)>,
    changed: bool,
    left_out: bool,
}

impl<T> Part<T> {
    fn new() -> Part<T> {
        Part {
            kept: Kept::new(),
            read: Vec::new(),
            failed: Vec::new(),
            pieces: Vec::new(),
            changed: false,
            left_out: false,
        }
    }
}

impl Store {
    /// Every case, as [`light`] makes it (no long texts), through `reduce`,
    /// in path order, on every core; each file that cannot be read is an
    /// error naming it, and the pass goes on. With `use_index`, files whose
    /// stat identity is unchanged are taken from the index, which is then
    /// brought up to date; without it, every file is read.
    ///
    /// `reduce` keeps what it returns and nothing else (at most a note
    /// that may be taken twice): a pass that takes its files from a
    /// snapshot it then finds damaged starts again from a walk, and sees
    /// some cases a second time.
    pub fn every_light_case<T, F>(
        &self,
        use_index: bool,
        progress: &dyn Progress,
        reduce: F,
    ) -> (Vec<T>, Vec<anyhow::Error>)
    where
        T: Send,
        F: Fn(&Case) -> Option<T> + Sync,
    {
        self.pass(use_index, progress, None::<&fn(&Glance) -> bool>, reduce)
    }

    /// [`Store::every_light_case`], for the cases `wants` judges worth
    /// reading by their [`Glance`]: only those are read and go through
    /// `reduce`. A glance at a case in the index costs a tenth of
    /// reading it, and `due`, say, has nothing to list of a closed case.
    pub fn every_light_case_where<T, W, F>(
        &self,
        use_index: bool,
        progress: &dyn Progress,
        wants: W,
        reduce: F,
    ) -> (Vec<T>, Vec<anyhow::Error>)
    where
        T: Send,
        W: Fn(&Glance) -> bool + Sync,
        F: Fn(&Case) -> Option<T> + Sync,
    {
        self.pass(use_index, progress, Some(&wants), reduce)
    }

    /// A pass over every case; with `wants`, only over those it wants
    /// (without, no case is glanced at).
    fn pass<T, W, F>(
        &self,
        use_index: bool,
        progress: &dyn Progress,
        wants: Option<&W>,
        reduce: F,
    ) -> (Vec<T>, Vec<anyhow::Error>)
    where
        T: Send,
        W: Fn(&Glance) -> bool + Sync,
        F: Fn(&Case) -> Option<T> + Sync,
    {
        let snapshot_path = self.root.join(WORK_DIR).join(facts::FILE);
        let snapshot = if use_index {
            Snapshot::open(&snapshot_path)
        } else {
            None
        };
        let start = self.start_pass(snapshot.as_ref(), use_index);
        let pass = Pass {
            store: self,
            snapshot: snapshot.as_ref(),
            use_index,
            progress,
            wants,
            reduce: &reduce,
        };
        let (results, mut errors, mut walk) = match start.files {
            watched::Files::AsInSnapshot => match pass.over_snapshot() {
                Some(results) => (results, start.errors, start.walk),
                // Damaged: its files are no longer known, so the pass
                // starts again from a walk (what `reduce` kept is dropped).
                None => {
                    let (files, errors, walk) = self.listed(start, None);
                    (pass.over(&files), errors, walk)
                }
            },
            watched::Files::Listed(ref files) => (pass.over(files), start.errors, start.walk),
        };
        progress.done();
        // The parts follow each other in path order; each chunk of their
        // values is freed as soon as it has been moved.
        let total = results.iter().map(|p| p.kept.at.len() + p.read.len()).sum();
        let mut kept: Vec<T> = Vec::with_capacity(total);
        let mut pieces = Vec::new();
        // A snapshot records the walk it was made from: a first answer
        // from a new watcher, or a walk that finds something amiss where
        // the last did not (or the other way), is worth writing down.
        let mut changed = snapshot.as_ref().is_none_or(|s| {
            s.walk.clean != walk.clean
                || (walk.watched.is_some()
                    && s.walk.watched.map(|t| t.instance) != walk.watched.map(|t| t.instance))
        });
        for part in results {
            changed |= part.changed;
            // The snapshot will not hold that file: a pass learning from
            // the watcher would take its files from the snapshot and lose
            // it, so the next one looks at every file.
            walk.clean &= !part.left_out;
            errors.extend(part.failed.into_iter().map(|(_, e)| e));
            pieces.extend(part.pieces);
            part.kept.append_in_path_order(part.read, &mut kept);
        }
        if use_index && changed {
            // Best effort: a log on a read-only disk, or a writer racing
            // us, only leaves the index as it was.
            if let Err(e) = self.write_index(&snapshot_path, walk, &pieces, snapshot.as_ref()) {
                self.index_trouble(format!("writing {}: {e:#}", self.shown(&snapshot_path)));
            }
        }
        (kept, errors)
    }

    /// Why the index could last not be kept on disk by this process, if
    /// it could not.
    pub fn index_trouble_seen(&self) -> Option<String> {
        self.index_trouble
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    fn index_trouble(&self, why: String) {
        *self.index_trouble.lock().unwrap_or_else(|e| e.into_inner()) = Some(why);
    }

    /// Deletes the index, so the next pass builds it afresh.
    pub fn forget_index(&self) -> Result<()> {
        let work = self.root.join(WORK_DIR);
        facts::remove(&work.join(facts::FILE))?;
        facts::remove(&work.join(checked::FILE))?;
        for file in search::FILES {
            facts::remove(&work.join(file))?;
        }
        // What a killed index write left behind.
        for entry in index_temp_files(&self.temp_dir()?) {
            facts::remove(&entry.path())?;
        }
        Ok(())
    }

    /// Splits the files between threads: one part per segment of the
    /// snapshot (files whose keys fall in its range), or even parts when
    /// there is no snapshot.
    fn partition<'s>(
        &self,
        files: &[Found],
        snapshot: Option<&'s Snapshot>,
    ) -> Vec<(std::ops::Range<usize>, Option<facts::SegmentReader<'s>>)> {
        // A snapshot of an empty log has no segments: with no reader to
        // hand, its files would be handed to no thread at all.
        let Some(snapshot) = snapshot.filter(|s| !facts::segment_readers(s).is_empty()) else {
            let threads = threads().min(files.len() / 64 + 1);
            let per = files.len().div_ceil(threads).max(1);
            return (0..threads)
                .map(|i| {
                    (
                        (i * per).min(files.len())..((i + 1) * per).min(files.len()),
                        None,
                    )
                })
                .collect();
        };
        let readers = facts::segment_readers(snapshot);
        if readers.is_empty() {
            // A snapshot of an empty log: every file is new.
            return self.partition(files, None);
        }
        let starts: Vec<usize> = readers
            .iter()
            .map(|(first, _)| match first {
                None => 0,
                Some(key) => files.partition_point(|f| f.key.as_str() < key.as_str()),
            })
            .collect();
        readers
            .into_iter()
            .enumerate()
            .map(|(i, (_, reader))| {
                let end = starts.get(i + 1).copied().unwrap_or(files.len());
                (starts[i]..end.max(starts[i]), Some(reader))
            })
            .collect()
    }
}

/// What one thread keeps from the snapshot: values in chunks of a fixed
/// size, each with its file's place in the walk. One growing list would
/// be copied as it grows and leave up to half of itself unused: tens of
/// megabytes at 100,000 cases.
struct Kept<T> {
    chunks: Vec<Vec<T>>,
    at: Vec<usize>,
}

impl<T> Kept<T> {
    const CHUNK: usize = 1024;

    fn new() -> Kept<T> {
        Kept {
            chunks: Vec::new(),
            at: Vec::new(),
        }
    }

    fn push(&mut self, at: usize, value: T) {
        match self.chunks.last_mut() {
            Some(chunk) if chunk.len() < Self::CHUNK => chunk.push(value),
            _ => {
                let mut chunk = Vec::with_capacity(Self::CHUNK);
                chunk.push(value);
                self.chunks.push(chunk);
            }
        }
        self.at.push(at);
    }

    /// Appends these values and those read again from their files
    /// (`read`, each at its place, in order) to `out`, in path order.
    fn append_in_path_order(self, read: Vec<(usize, T)>, out: &mut Vec<T>) {
        let mut read = read.into_iter().peekable();
        let mut places = self.at.into_iter();
        for chunk in self.chunks {
            for value in chunk {
                let at = places.next().unwrap_or(usize::MAX);
                while let Some((_, earlier)) = read.next_if(|(read_at, _)| *read_at < at) {
                    out.push(earlier);
                }
                out.push(value);
            }
        }
        out.extend(read.map(|(_, value)| value));
    }
}

/// What every thread of a pass shares.
struct Pass<'p, W, F> {
    store: &'p Store,
    snapshot: Option<&'p Snapshot>,
    use_index: bool,
    progress: &'p dyn Progress,
    /// Which cases to read, judged at a glance; `None`: all.
    wants: Option<&'p W>,
    reduce: &'p F,
}

impl<W, F> Pass<'_, W, F>
where
    W: Fn(&Glance) -> bool + Sync,
    F: Sync,
{
    /// The pass over `files`, each thread over a part of them.
    fn over<T>(&self, files: &[Found]) -> Vec<Part<T>>
    where
        T: Send,
        F: Fn(&Case) -> Option<T>,
    {
        let parts = self.store.partition(files, self.snapshot);
        on_threads(parts, |(range, reader)| {
            self.merge(range.start, &files[range], reader)
        })
    }

    /// The pass over the snapshot's own files (see
    /// [`watched::Files::AsInSnapshot`]), a thread to each segment; `None`
    /// when it is damaged.
    fn over_snapshot<T>(&self) -> Option<Vec<Part<T>>>
    where
        T: Send,
        F: Fn(&Case) -> Option<T>,
    {
        let readers = facts::segment_readers(self.snapshot?);
        // Each entry's place in the whole snapshot.
        let mut first = 0;
        let segments: Vec<_> = readers
            .into_iter()
            .map(|(_, reader)| {
                let at = first;
                first += reader.left() as usize;
                (at, reader)
            })
            .collect();
        on_threads(segments, |(first, reader)| {
            self.merge_segment(first, reader)
        })
        .into_iter()
        .collect()
    }

    /// One thread's share of a pass: its files (from `first`, their
    /// place in the whole list) merged with its segment of the snapshot.
    fn merge<T>(
        &self,
        first: usize,
        files: &[Found],
        mut reader: Option<facts::SegmentReader<'_>>,
    ) -> Part<T>
    where
        F: Fn(&Case) -> Option<T>,
    {
        let mut part = Part::new();
        // Moves to the reader's next entry; at the end, or at damage
        // (what is left of a damaged snapshot is not trusted), drops it.
        let advance = |reader: &mut Option<facts::SegmentReader<'_>>, changed: &mut bool| {
            let more = reader
                .as_mut()
                .map(|r| r.advance().inspect_err(|_| *changed = true));
            if !matches!(more, Some(Ok(true))) {
                *reader = None;
            }
        };
        advance(&mut reader, &mut part.changed);
        let mut to_read: Vec<usize> = Vec::new();
        // The case decoded last lends its strings to the next.
        let mut spare: Option<Case> = None;
        for (i, found) in files.iter().enumerate() {
            let key = found.key.as_bytes();
            // Entries for files that are gone.
            while reader
                .as_ref()
                .and_then(|r| r.key())
                .is_some_and(|k| k < key)
            {
                part.changed = true;
                advance(&mut reader, &mut part.changed);
            }
            let matched = reader.as_ref().and_then(|r| r.key()) == Some(key);
            let trusted = matched
                && reader.as_ref().is_some_and(|r| {
                    self.take(
                        r,
                        &found.identity,
                        first + i,
                        &found.key,
                        &mut part,
                        &mut spare,
                    )
                });
            if !trusted {
                part.changed |= self.use_index;
                to_read.push(i);
            }
            if matched {
                advance(&mut reader, &mut part.changed);
            }
        }
        if reader.is_some() {
            part.changed = true;
        }
        let to_read = to_read.into_iter().map(|i| (first + i, &files[i]));
        self.read_again(to_read, &mut part);
        part
    }

    /// One thread's share of a pass over the snapshot's own files: every
    /// entry of its segment (from `first`, their place in the whole
    /// snapshot); `None` at damage.
    fn merge_segment<T>(
        &self,
        first: usize,
        mut reader: facts::SegmentReader<'_>,
    ) -> Option<Part<T>>
    where
        F: Fn(&Case) -> Option<T>,
    {
        let mut part = Part::new();
        let mut to_read: Vec<(usize, Found)> = Vec::new();
        let mut spare: Option<Case> = None;
        let mut at = first;
        while reader.advance().ok()? {
            let key = std::str::from_utf8(reader.key()?).ok()?;
            // The file stands as the entry says (the watcher saw no
            // change), so only the racy rule can distrust it.
            let identity = reader.identity()?;
            if !self.take(&reader, &identity, at, key, &mut part, &mut spare) {
                part.changed |= self.use_index;
                to_read.push((
                    at,
                    Found {
                        key: key.to_string(),
                        identity,
                    },
                ));
            }
            at += 1;
        }
        self.read_again(to_read.iter().map(|(at, found)| (*at, found)), &mut part);
        Some(part)
    }

    /// Takes what the snapshot's entry at `reader` knows of the file `key`
    /// (at `at`, found with `identity`) into `part`, when it can be
    /// trusted: whether it was.
    fn take<T>(
        &self,
        reader: &facts::SegmentReader<'_>,
        identity: &Identity,
        at: usize,
        key: &str,
        part: &mut Part<T>,
        spare: &mut Option<Case>,
    ) -> bool
    where
        F: Fn(&Case) -> Option<T>,
    {
        let trusted = self.snapshot.is_some_and(|snapshot| {
            reader
                .identity()
                .is_some_and(|stored| snapshot.trusts(&stored, identity))
        });
        if !trusted {
            return false;
        }
        let trusted = match reader.known() {
            Some(KnownRef::Digest(bytes))
                if self.wants.is_some_and(|wants| {
                    digest::glance(bytes).is_some_and(|glance| !wants(&glance))
                }) =>
            {
                true
            }
            Some(KnownRef::Digest(bytes)) => match digest::decode_reusing(bytes, spare.take()) {
                Some(case) => {
                    if let Some(value) = (self.reduce)(&case) {
                        part.kept.push(at, value);
                    }
                    *spare = Some(case);
                    true
                }
                None => false,
            },
            Some(KnownRef::Invalid { line, message }) => {
                part.failed.push((
                    at,
                    InputError::InvalidFile {
                        path: self.store.shown(&files::path_of(&self.store.cases, key)),
                        line,
                        message: String::from_utf8_lossy(message).into_owned(),
                    }
                    .into(),
                ));
                true
            }
            None => false,
        };
        if trusted && self.use_index {
            part.pieces.push((
                at,
                Piece::Old {
                    span: reader.span(),
                },
            ));
        }
        trusted
    }

    /// Reads the files the snapshot could not vouch for, each with its
    /// place, into `part`; then puts `part`'s lists in path order.
    fn read_again<'f, T>(
        &self,
        to_read: impl ExactSizeIterator<Item = (usize, &'f Found)>,
        part: &mut Part<T>,
    ) where
        F: Fn(&Case) -> Option<T>,
    {
        self.progress.reading(to_read.len());
        for (at, found) in to_read {
            let known = self
                .store
                .read_for_index(found, (self.wants, self.reduce), at, part);
            self.progress.read_one();
            part.left_out |= known.is_none();
            if let Some(known) = known.filter(|_| self.use_index) {
                part.pieces.push((
                    at,
                    Piece::New(Box::new(Entry {
                        key: found.key.clone(),
                        identity: found.identity,
                        known,
                    })),
                ));
            }
        }
        part.failed.sort_by_key(|(at, _)| *at);
        part.pieces.sort_by_key(|(at, _)| *at);
    }
}

/// Runs `work` on each of `shares` on a thread of its own; the results in
/// order. A thread's panic goes on in the caller.
fn on_threads<S, R>(shares: Vec<S>, work: impl Fn(S) -> R + Sync) -> Vec<R>
where
    S: Send,
    R: Send,
{
    std::thread::scope(|scope| {
        let work = &work;
        let workers: Vec<_> = shares
            .into_iter()
            .map(|share| scope.spawn(move || work(share)))
            .collect();
        workers
            .into_iter()
            .map(|w| {
                w.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    })
}

impl Store {
    /// Reads one file: its outcome for the pass, and what the index keeps
    /// of it (nothing for a failure of the system, tried again next time).
    fn read_for_index<T, W, F>(
        &self,
        found: &Found,
        (wants, reduce): (Option<&W>, &F),
        at: usize,
        part: &mut Part<T>,
    ) -> Option<Known>
    where
        W: Fn(&Glance) -> bool,
        F: Fn(&Case) -> Option<T>,
    {
        match self.read_walked_case(&found.path(&self.cases)) {
            Ok(stored) => {
                let light = light(&stored.case);
                let known = Known::Digest(digest::encode(&light));
                if wants.is_none_or(|wants| wants(&light.glance()))
                    && let Some(value) = reduce(&light)
                {
                    part.read.push((at, value));
                }
                Some(known)
            }
            Err(err) => {
                let known = match err.downcast_ref::<InputError>() {
                    Some(InputError::InvalidFile { line, message, .. }) => Some(Known::Invalid {
                        line: *line,
                        message: message.clone(),
                    }),
                    _ => None,
                };
                part.failed.push((at, err));
                known
            }
        }
    }

    fn write_index(
        &self,
        path: &Path,
        walk: facts::WalkRecord,
        pieces: &[(usize, Piece)],
        old: Option<&Snapshot>,
    ) -> Result<()> {
        let temp = self.temp_dir()?;
        sweep_abandoned(&temp);
        let written_ns = chrono::Utc::now().timestamp_nanos_opt().unwrap_or(i64::MAX);
        facts::write(
            path,
            &temp,
            facts::Stamp { written_ns, walk },
            pieces,
            old,
            threads(),
        )
    }
}

/// The index's own temporary files in `temp` (none when it cannot be
/// listed).
fn index_temp_files(temp: &Path) -> impl Iterator<Item = std::fs::DirEntry> {
    std::fs::read_dir(temp)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|entry| entry.file_name().to_string_lossy().starts_with(TEMP_PREFIX))
}

/// How old an index's temporary file must be to be another's abandoned
/// one: writing the index takes seconds even at 100,000 cases.
const ABANDONED_AFTER: std::time::Duration = std::time::Duration::from_secs(3600);

/// Removes the temporary files of index writes a kill cut short (a read
/// command killed while it wrote the index): nobody else would, as index
/// writes take no lock and `check` cannot tell one being written from one
/// abandoned. At 100,000 cases each is megabytes. Best effort.
fn sweep_abandoned(temp: &Path) {
    let now = std::time::SystemTime::now();
    for entry in index_temp_files(temp) {
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|modified| now.duration_since(modified).ok())
            .is_some_and(|age| age > ABANDONED_AFTER);
        if old {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Kept;

    #[test]
    fn only_index_temporary_files_abandoned_an_hour_ago_are_swept() {
        let dir = tempfile::tempdir().unwrap();
        let made = |name: &str, age: u64| {
            let path = dir.path().join(name);
            std::fs::write(&path, "x").unwrap();
            let then = std::time::SystemTime::now() - std::time::Duration::from_secs(age);
            std::fs::File::options()
                .write(true)
                .open(&path)
                .unwrap()
                .set_modified(then)
                .unwrap();
            path
        };
        let abandoned = made(".index-abc.tmp", 7200);
        let being_written = made(".index-def.tmp", 60);
        let a_case_write = made(".caselog-ghi.tmp", 7200);
        super::sweep_abandoned(dir.path());
        assert!(!abandoned.exists());
        assert!(being_written.exists() && a_case_write.exists());
    }

    fn in_path_order(kept: &[(usize, String)], read: &[(usize, String)]) -> Vec<String> {
        let mut chunks = Kept::new();
        for (at, value) in kept {
            chunks.push(*at, value.clone());
        }
        let mut out = vec!["before".to_string()];
        chunks.append_in_path_order(read.to_vec(), &mut out);
        out
    }

    #[test]
    fn values_read_again_join_the_snapshot_s_in_path_order() {
        let values = |places: &[usize]| -> Vec<(usize, String)> {
            places.iter().map(|&at| (at, format!("v{at}"))).collect()
        };
        assert_eq!(
            in_path_order(&values(&[1, 3, 4]), &values(&[0, 2, 5, 6])),
            ["before", "v0", "v1", "v2", "v3", "v4", "v5", "v6"]
        );
        assert_eq!(in_path_order(&values(&[7]), &[]), ["before", "v7"]);
        assert_eq!(in_path_order(&[], &values(&[3])), ["before", "v3"]);
        // Across chunks.
        let many: Vec<usize> = (0..5000).filter(|i| i % 7 != 0).collect();
        let again: Vec<usize> = (0..5000).filter(|i| i % 7 == 0).collect();
        let expected: Vec<String> = std::iter::once("before".to_string())
            .chain((0..5000).map(|at| format!("v{at}")))
            .collect();
        assert_eq!(in_path_order(&values(&many), &values(&again)), expected);
    }
}
