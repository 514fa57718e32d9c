//! Passes over every case file: the walk that finds them, and the one
//! parallel map that reads them on every core.

use std::path::{Path, PathBuf};

use anyhow::Result;

use std::collections::{BTreeMap, HashSet};

use super::index::{self, Found, WalkError, Walked};
use super::{Store, safe};
use crate::case::Case;

use crate::case::id::CaseId;
use crate::error::InputError;

/// What a walk below `cases/` found.
#[derive(Debug, Default)]
pub struct Walk {
    /// Case files (`*.toml`, not hidden), sorted.
    pub files: Vec<PathBuf>,
    /// Symbolic links, which no command follows.
    pub links: Vec<PathBuf>,
    /// Folders that could not be read.
    pub errors: Vec<anyhow::Error>,
}

impl Store {
    /// Every case file below `cases/`, sorted, and every symbolic link
    /// (which no command follows), with any folder that could not be read.
    pub fn walk(&self) -> Walk {
        self.walk_of(self.walk_found()).0
    }

    /// A walk with identities, as [`Store::walk`] gives it, and its files
    /// with their identities, in the same order.
    pub fn walk_of(&self, walked: Walked) -> (Walk, Vec<Found>) {
        let walk = Walk {
            files: walked.files.iter().map(|f| f.path(&self.cases)).collect(),
            links: walked.links,
            errors: self.walk_errors(walked.errors),
        };
        (walk, walked.files)
    }

    /// The walk with each file's stat identity, on every core, after
    /// landing any batch a crash cut short.
    pub fn walk_found(&self) -> Walked {
        if !self.cases.exists() {
            return Walked::default();
        }
        self.land_interrupted_batch();
        self.walk_landed()
    }

    /// The walk with identities, once any interrupted batch has landed.
    pub(super) fn walk_landed(&self) -> Walked {
        if !self.cases.exists() {
            return Walked::default();
        }
        index::walk(&self.cases, index::threads())
    }

    fn walk_errors(&self, errors: Vec<(PathBuf, WalkError)>) -> Vec<anyhow::Error> {
        errors
            .into_iter()
            .map(|(path, e)| match e {
                // The log's content to fix (exit 2), not a failure of the
                // system.
                WalkError::RefusedName(why) => {
                    InputError::Invalid(format!("reading {}: {why}", self.shown(&path))).into()
                }
                WalkError::Unreadable(e) => {
                    anyhow::Error::new(e).context(format!("reading {}", self.shown(&path)))
                }
            })
            .collect()
    }

    /// The case files a whole-log command reads: each case once. A link,
    /// a folder that cannot be read, or a case stored twice is an error
    /// naming the paths; of a case stored twice, the copy at its own path
    /// (`cases/YYYY/MM/<id>.toml`) is read, else the first.
    pub fn case_files(&self) -> (Vec<PathBuf>, Vec<anyhow::Error>) {
        let (files, errors) = self.chosen_files();
        (files.iter().map(|f| f.path(&self.cases)).collect(), errors)
    }

    /// [`Store::case_files`] with each file's stat identity.
    pub(super) fn chosen_files(&self) -> (Vec<Found>, Vec<anyhow::Error>) {
        self.choose(self.walk_found())
    }

    /// What a walk's files come to: each case once, with the errors of
    /// [`Store::case_files`].
    pub(super) fn choose(&self, walked: Walked) -> (Vec<Found>, Vec<anyhow::Error>) {
        let mut errors = self.walk_errors(walked.errors);
        for link in &walked.links {
            errors.push(safe::link_refused(&self.shown(link)).into());
        }
        // Each case once: most logs have no copies, so only the ids seen
        // twice are looked at again. Sorting the names finds them without
        // hashing 100,000 of them.
        // Where every case sits in its own month's folder, the walk has
        // seen the stems rise: no copies.
        if walked.stems_rise {
            return (walked.files, errors);
        }
        let mut stems: Vec<&str> = walked.files.iter().map(Found::stem).collect();
        stems.sort_unstable();
        let seen_twice: HashSet<&str> = stems
            .windows(2)
            .filter(|pair| pair[0] == pair[1])
            .map(|pair| pair[0])
            .collect();
        if seen_twice.is_empty() {
            return (walked.files, errors);
        }
        let twice: BTreeMap<&str, Vec<&Found>> = walked
            .files
            .iter()
            .filter(|f| seen_twice.contains(f.stem()))
            .fold(BTreeMap::new(), |mut by_id, f| {
                by_id.entry(f.stem()).or_insert_with(Vec::new).push(f);
                by_id
            });
        let mut dropped: HashSet<&str> = HashSet::new();
        for (id, copies) in &twice {
            let own = CaseId::parse_full(id).map(|full| full.path_in(&self.cases));
            let chosen = copies
                .iter()
                .find(|f| Some(f.path(&self.cases)) == own)
                .unwrap_or(&copies[0]);
            let shown: Vec<String> = copies
                .iter()
                .map(|f| self.shown(&f.path(&self.cases)))
                .collect();
            errors.push(
                InputError::Invalid(format!(
                    "case {id} is stored more than once ({}); read from {} only; remove the copies",
                    shown.join(", "),
                    self.shown(&chosen.path(&self.cases))
                ))
                .into(),
            );
            dropped.extend(
                copies
                    .iter()
                    .filter(|f| f.key != chosen.key)
                    .map(|f| f.key.as_str()),
            );
        }
        let dropped: HashSet<String> = dropped.into_iter().map(str::to_string).collect();
        let kept: Vec<Found> = walked
            .files
            .into_iter()
            .filter(|f| dropped.is_empty() || !dropped.contains(&f.key))
            .collect();
        (kept, errors)
    }

    /// Reads every case on all cores and keeps only what `reduce` makes of
    /// it, so a pass over 100,000 cases need not hold their text.
    pub fn load_each<T, F>(&self, reduce: F) -> (Vec<T>, Vec<anyhow::Error>)
    where
        T: Send,
        F: Fn(Case) -> Option<T> + Sync,
    {
        self.each_file(|path| {
            self.read_walked_case(path)
                .map(|stored| reduce(stored.case))
        })
    }

    /// Runs `each` on every case file, on all cores, keeping what it
    /// returns in path order, and every error.
    fn each_file<T, F>(&self, each: F) -> (Vec<T>, Vec<anyhow::Error>)
    where
        T: Send,
        F: Fn(&Path) -> Result<Option<T>> + Sync,
    {
        let (files, mut errors) = self.case_files();
        let mut kept = Vec::with_capacity(files.len());
        for result in parallel_map(&files, |path| each(path)) {
            match result {
                Ok(Some(value)) => kept.push(value),
                Ok(None) => {}
                Err(e) => errors.push(e),
            }
        }
        (kept, errors)
    }
}

/// Maps `each` over `items` on every core, keeping their order. Small
/// inputs stay on one thread: starting threads costs more than they save.
pub fn parallel_map<T: Sync, R: Send>(items: &[T], each: impl Fn(&T) -> R + Sync) -> Vec<R> {
    parallel_parts(items, |part| part.iter().map(&each).collect::<Vec<R>>())
        .into_iter()
        .flatten()
        .collect()
}

/// `each` of `items` split into one run of neighbours per core, in order
/// (one run when there are few items).
pub fn parallel_parts<T: Sync, R: Send>(items: &[T], each: impl Fn(&[T]) -> R + Sync) -> Vec<R> {
    const PER_THREAD: usize = 64;
    let threads = index::threads().min(items.len() / PER_THREAD + 1);
    if threads <= 1 {
        return vec![each(items)];
    }
    let chunk = items.len().div_ceil(threads).max(1);
    let each = &each;
    std::thread::scope(|scope| {
        let workers: Vec<_> = items
            .chunks(chunk)
            .map(|part| scope.spawn(move || each(part)))
            .collect();
        workers
            .into_iter()
            .map(|worker| {
                worker
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_parallel_map_keeps_order_on_any_size() {
        for n in [0, 1, 63, 64, 65, 1000] {
            let items: Vec<usize> = (0..n).collect();
            let doubled = parallel_map(&items, |i| i * 2);
            assert_eq!(doubled, items.iter().map(|i| i * 2).collect::<Vec<_>>());
        }
    }

    #[test]
    fn parallel_parts_are_neighbours_in_order_and_cover_every_item() {
        for n in [0, 1, 63, 64, 65, 1000, 100_001] {
            let items: Vec<usize> = (0..n).collect();
            let parts = parallel_parts(&items, <[usize]>::to_vec);
            assert!(parts.len() <= index::threads().max(1), "{n} items");
            assert_eq!(parts.concat(), items, "{n} items");
            if n >= 1000 && index::threads() > 1 {
                assert!(parts.len() > 1, "{n} items stayed on one thread");
            }
        }
    }
}
