//! Passes over every case file: the walk that finds them, and the one
//! parallel map that reads them on every core.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use std::collections::BTreeMap;

use super::{Store, file_stem, safe};
use crate::case::Case;
use crate::case::file;
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
        let mut walk = Walk::default();
        if !self.cases.exists() {
            return walk;
        }
        for entry in walkdir::WalkDir::new(&self.cases).sort_by_file_name() {
            match entry {
                Ok(entry) if entry.path_is_symlink() => walk.links.push(entry.into_path()),
                Ok(entry) if entry.file_type().is_file() && is_case_file_name(entry.path()) => {
                    walk.files.push(entry.into_path());
                }
                Ok(_) => {}
                Err(e) => {
                    let shown = e.path().map(|p| self.shown(p)).unwrap_or_default();
                    walk.errors
                        .push(anyhow::Error::new(e).context(format!("reading {shown}")));
                }
            }
        }
        walk
    }

    /// The case files a whole-log command reads: each case once. A link,
    /// a folder that cannot be read, or a case stored twice is an error
    /// naming the paths; of a case stored twice, the copy at its own path
    /// (`cases/YYYY/MM/<id>.toml`) is read, else the first.
    pub fn case_files(&self) -> (Vec<PathBuf>, Vec<anyhow::Error>) {
        let Walk {
            files,
            links,
            mut errors,
        } = self.walk();
        for link in &links {
            errors.push(safe::link_refused(&self.shown(link)).into());
        }
        let mut by_id: BTreeMap<&str, Vec<&PathBuf>> = BTreeMap::new();
        for path in &files {
            by_id.entry(file_stem(path)).or_default().push(path);
        }
        let mut kept: Vec<PathBuf> = Vec::with_capacity(files.len());
        for (id, paths) in by_id {
            if paths.len() == 1 {
                kept.push(paths[0].clone());
                continue;
            }
            let own = CaseId::parse_full(id).map(|full| full.path_in(&self.cases));
            let chosen = paths
                .iter()
                .find(|p| Some(p.as_path()) == own.as_deref())
                .unwrap_or(&paths[0]);
            let shown: Vec<String> = paths.iter().map(|p| self.shown(p)).collect();
            errors.push(
                InputError::Invalid(format!(
                    "case {id} is stored more than once ({}); read from {} only; remove the copies",
                    shown.join(", "),
                    self.shown(chosen)
                ))
                .into(),
            );
            kept.push((*chosen).clone());
        }
        kept.sort();
        (kept, errors)
    }

    /// Reads every case below `cases/`, in path order, on all cores. Each
    /// file that cannot be read is returned as an error naming it, so one
    /// bad file does not hide the others.
    pub fn load_all(&self) -> (Vec<Case>, Vec<anyhow::Error>) {
        self.load_each(Some)
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

    /// A pass over every case that needs only a few of its fields: `P` is
    /// a serde type of those fields (other keys are skipped, not checked).
    /// Each file is read without its event log where it can be: the part
    /// before `[[events]]`, where caselog writes the events. A file laid
    /// out otherwise is read whole, and one that does not parse is reported
    /// as `read` reports it. `wanted` sees the raw text first and may skip
    /// a file without parsing it.
    pub fn load_each_part<P, T, F, W>(&self, wanted: W, reduce: F) -> (Vec<T>, Vec<anyhow::Error>)
    where
        P: serde::de::DeserializeOwned,
        T: Send,
        F: Fn(&Path, P) -> Option<T> + Sync,
        W: Fn(&str) -> bool + Sync,
    {
        self.each_file(|path| {
            if let Ok(text) = self.read_walked(path).map(String::from_utf8) {
                let Ok(text) = text else {
                    // The slow path below names the file and the line.
                    return self.read_walked_case(path).map(|_| None);
                };
                if !wanted(&text) {
                    return Ok(None);
                }
                if let Some(part) = file::parse_head(&text) {
                    return Ok(reduce(path, part));
                }
            }
            // The slow path gives the precise error, or reads the whole file.
            let stored = self.read_walked_case(path)?;
            let part = toml::from_str(&stored.text)
                .with_context(|| format!("reading {}", self.shown(path)))?;
            Ok(reduce(path, part))
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
    const PER_THREAD: usize = 64;
    let threads = std::thread::available_parallelism()
        .map_or(1, usize::from)
        .min(items.len() / PER_THREAD + 1);
    if threads <= 1 {
        return items.iter().map(each).collect();
    }
    let chunk = items.len().div_ceil(threads).max(1);
    let each = &each;
    std::thread::scope(|scope| {
        let workers: Vec<_> = items
            .chunks(chunk)
            .map(|part| scope.spawn(move || part.iter().map(each).collect::<Vec<R>>()))
            .collect();
        workers
            .into_iter()
            .flat_map(|worker| {
                worker
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    })
}

/// Whether a file below `cases/` is a case: `*.toml`, not hidden.
fn is_case_file_name(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "toml")
        && path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| !n.starts_with('.'))
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
}
