//! Passes over every case file: the walk that finds them, and the one
//! parallel map that reads them on every core.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use super::Store;
use crate::case::Case;
use crate::case::file;

impl Store {
    /// Every case file below `cases/`, sorted, with any folder that could
    /// not be read reported alongside.
    pub fn case_files(&self) -> (Vec<PathBuf>, Vec<anyhow::Error>) {
        let mut files = Vec::new();
        let mut errors = Vec::new();
        if !self.cases.exists() {
            return (files, errors);
        }
        for entry in walkdir::WalkDir::new(&self.cases).sort_by_file_name() {
            match entry {
                Ok(entry) if entry.file_type().is_file() && is_case_file_name(entry.path()) => {
                    files.push(entry.into_path());
                }
                Ok(_) => {}
                Err(e) => {
                    let shown = e.path().map(|p| self.shown(p)).unwrap_or_default();
                    errors.push(anyhow::Error::new(e).context(format!("reading {shown}")));
                }
            }
        }
        (files, errors)
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
        self.each_file(|path| self.read(path).map(|stored| reduce(stored.case)))
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
            if let Ok(text) = fs::read_to_string(path) {
                if !wanted(&text) {
                    return Ok(None);
                }
                if let Some(part) = file::parse_head(&text) {
                    return Ok(reduce(path, part));
                }
            }
            // The slow path gives the precise error, or reads the whole file.
            let stored = self.read(path)?;
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
