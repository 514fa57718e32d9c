//! The walk the index starts from: every case file below `cases/` with its
//! stat identity (size, mtime, ctime, inode, as git's index keeps), read
//! with one `statx` per file relative to its open folder, folders shared
//! between threads. The identity says whether a file may have changed
//! since it was indexed; nothing here reads a file's contents.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// What a file looked like when it was stat'ed: a change to its contents
/// changes at least one of these (a `touch -d` that restores the mtime
/// still moves the ctime).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Identity {
    pub size: u64,
    pub mtime_ns: i64,
    pub ctime_ns: i64,
    pub inode: u64,
}

impl Identity {
    pub fn of(meta: &fs::Metadata) -> Identity {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            Identity {
                size: meta.size(),
                mtime_ns: meta.mtime() * 1_000_000_000 + meta.mtime_nsec(),
                ctime_ns: meta.ctime() * 1_000_000_000 + meta.ctime_nsec(),
                inode: meta.ino(),
            }
        }
        #[cfg(not(unix))]
        {
            let mtime_ns = meta
                .modified()
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_nanos() as i64);
            Identity {
                size: meta.len(),
                mtime_ns,
                ctime_ns: mtime_ns,
                inode: 0,
            }
        }
    }
}

/// One case file found.
#[derive(Debug, Clone)]
pub struct Found {
    /// The path below `cases/`, its parts joined by [`SEPARATOR`]: the
    /// index's key, which sorts as the paths do, byte by byte.
    pub key: String,
    pub identity: Identity,
}

/// What joins the parts of a key: below every character a name can hold,
/// so a folder's files sort before the next folder's (`2026/11/x` before
/// `2026-old/y`), as paths do.
pub const SEPARATOR: char = '\u{1}';
// `Found::stem` looks for it byte by byte.
const _: () = assert!(SEPARATOR.is_ascii());

/// The key of `name` in the folder at `folder` (`""` for `cases/`).
/// Built by hand: one per file of 100,000, and `format!` costs more.
pub fn key_below(folder: &str, name: &str) -> String {
    let mut below = String::with_capacity(folder.len() + 1 + name.len());
    if !folder.is_empty() {
        below.push_str(folder);
        below.push(SEPARATOR);
    }
    below.push_str(name);
    below
}

/// The path of the file or folder at `key`, below `cases`.
pub fn path_of(cases: &Path, key: &str) -> PathBuf {
    let mut path = cases.to_path_buf();
    path.extend(key.split(SEPARATOR));
    path
}

impl Found {
    /// The file's path, below `cases`.
    pub fn path(&self, cases: &Path) -> PathBuf {
        path_of(cases, &self.key)
    }

    /// The file's name without `.toml`: the case id it should hold.
    pub fn stem(&self) -> &str {
        // By byte: a walk compares 100,000 stems, and the separator is
        // one byte that no other character's encoding holds.
        let name = match self
            .key
            .as_bytes()
            .iter()
            .rposition(|&b| b == SEPARATOR as u8)
        {
            Some(at) => &self.key[at + 1..],
            None => &self.key,
        };
        name.strip_suffix(".toml").unwrap_or(name)
    }
}

/// Whether the files' stems rise strictly, file after file: then no case
/// is stored twice among them. Each stem is found once.
pub fn stems_rise(files: &[Found]) -> bool {
    let mut stems = files.iter().map(Found::stem);
    let Some(mut last) = stems.next() else {
        return true;
    };
    stems.all(|stem| std::mem::replace(&mut last, stem) < stem)
}

/// What a walk below `cases/` found.
#[derive(Debug, Default)]
pub struct Walked {
    /// Case files (`*.toml`, not hidden), in path order.
    pub files: Vec<Found>,
    /// Symbolic links, which no command follows.
    pub links: Vec<PathBuf>,
    /// Folders and files that could not be read, and why.
    pub errors: Vec<(PathBuf, WalkError)>,
    /// Whether a case file has another name (a hard link) somewhere: a
    /// change made through that name is not seen by a watcher of this
    /// folder, only by a stat.
    pub hard_linked: bool,
    /// Whether the files' stems (case ids) rise strictly in path order, as
    /// where every case sits in its own month's folder: then no case is
    /// stored twice, and nobody need look at every name again to know.
    pub stems_rise: bool,
}

/// Why the walk did not read a folder or file.
#[derive(Debug, thiserror::Error)]
pub enum WalkError {
    /// The system could not list or stat it.
    #[error(transparent)]
    Unreadable(#[from] std::io::Error),
    /// Its name is one the walk refuses: the log's content to fix.
    #[error("{0}")]
    RefusedName(&'static str),
}

/// How many threads a pass over every file uses.
pub fn threads() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from)
}

/// Walks `cases` on `threads` threads, level by level.
pub fn walk(cases: &Path, threads: usize) -> Walked {
    let mut walked = Walked::default();
    // `cases/` itself may arrive by `git pull` as a link, like any folder
    // below it: not followed.
    if fs::symlink_metadata(cases).is_ok_and(|meta| meta.file_type().is_symlink()) {
        walked.links.push(cases.to_path_buf());
        return walked;
    }
    let mut level = vec![(cases.to_path_buf(), String::new())];
    // Where one folder's run of files meets the next, and whether the
    // stems rise within every run.
    let mut joins: Vec<usize> = Vec::new();
    let mut runs_rise = true;
    while !level.is_empty() {
        // Folders in key order, each one's files sorted by the thread
        // that read it, joined in that order: one sorted run per level.
        level.sort_unstable_by(|a, b| a.1.cmp(&b.1));
        let next = AtomicUsize::new(0);
        let found = Mutex::new(Walked::default());
        let runs = Mutex::new(Vec::new());
        let deeper = Mutex::new(Vec::new());
        let work = || {
            let mut mine = Walked::default();
            let mut my_runs = Vec::new();
            let mut my_folders = Vec::new();
            loop {
                let at = next.fetch_add(1, Ordering::Relaxed);
                let Some((folder, key)) = level.get(at) else {
                    break;
                };
                let mut files = Vec::new();
                read_folder(folder, key, &mut files, &mut mine, &mut my_folders);
                files.sort_unstable_by(|a: &Found, b: &Found| a.key.cmp(&b.key));
                // Measured here, while the names are at hand.
                let rise = stems_rise(&files);
                my_runs.push((at, files, rise));
            }
            lock(&found).absorb(mine);
            lock(&runs).extend(my_runs);
            lock(&deeper).extend(my_folders);
        };
        let threads = threads.clamp(1, level.len());
        if threads == 1 {
            work();
        } else {
            std::thread::scope(|scope| {
                for _ in 0..threads {
                    scope.spawn(work);
                }
            });
        }
        walked.absorb(found.into_inner().unwrap_or_else(|e| e.into_inner()));
        let mut runs = runs.into_inner().unwrap_or_else(|e| e.into_inner());
        runs.sort_unstable_by_key(|(at, _, _)| *at);
        for (_, files, rise) in runs {
            if files.is_empty() {
                continue;
            }
            if !walked.files.is_empty() {
                joins.push(walked.files.len());
            }
            runs_rise &= rise;
            walked.files.extend(files);
        }
        level = deeper.into_inner().unwrap_or_else(|e| e.into_inner());
    }
    // Each run is in order; so is the whole when each join is. Levels
    // interleave only where a folder holds case files beside subfolders,
    // and a stable sort then merges the runs.
    let files = &walked.files;
    let in_order = joins.iter().all(|&at| files[at - 1].key < files[at].key);
    walked.stems_rise = in_order
        && runs_rise
        && joins
            .iter()
            .all(|&at| files[at - 1].stem() < files[at].stem());
    if !in_order {
        walked.files.sort_by(|a, b| a.key.cmp(&b.key));
    }
    walked.links.sort();
    walked.errors.sort_by(|a, b| a.0.cmp(&b.0));
    walked
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A panicking walker thread re-raises through the scope; the data
    // it left is still sound to read.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Walked {
    fn absorb(&mut self, other: Walked) {
        self.files.extend(other.files);
        self.links.extend(other.links);
        self.errors.extend(other.errors);
        self.hard_linked |= other.hard_linked;
    }
}

/// Reads one folder: its case files into `files`, its links and errors
/// into `out`, its subfolders into `folders`.
fn read_folder(
    folder: &Path,
    key: &str,
    files: &mut Vec<Found>,
    out: &mut Walked,
    folders: &mut Vec<(PathBuf, String)>,
) {
    let entries = match fs::read_dir(folder) {
        Ok(entries) => entries,
        Err(e) => {
            out.errors.push((folder.to_path_buf(), e.into()));
            return;
        }
    };
    let below = |name: &str| key_below(key, name);
    for entry in entries {
        let entry = match entry {
            Ok(entry) => entry,
            Err(e) => {
                out.errors.push((folder.to_path_buf(), e.into()));
                continue;
            }
        };
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        let name = entry.file_name();
        // A key joins names with SEPARATOR and a path is made again by
        // splitting on it: a name holding it would become several names,
        // `..` among them, and lead outside the log. A folder's name that
        // is not UTF-8 would become another name. Neither is read.
        if let Some(why) = unreadable_name(&name, kind.is_dir(), kind.is_file()) {
            out.errors.push((entry.path(), WalkError::RefusedName(why)));
            continue;
        }
        if kind.is_symlink() {
            out.links.push(entry.path());
        } else if kind.is_dir() {
            folders.push((entry.path(), below(&name.to_string_lossy())));
        } else if kind.is_file()
            && let Some(name) = name.to_str()
            && is_case_file_name(name)
        {
            match entry.metadata() {
                Ok(meta) => {
                    out.hard_linked |= more_than_one_name(&meta);
                    files.push(Found {
                        key: below(name),
                        identity: Identity::of(&meta),
                    });
                }
                // Gone between the listing and the stat: not there.
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => out.errors.push((entry.path(), e.into())),
            }
        } else if !kind.is_file() && name.to_str().is_some_and(is_case_file_name) {
            // A pipe, socket or device where a case file would be: no
            // command reads one, and the case must not vanish unsaid.
            out.errors.push((
                entry.path(),
                WalkError::RefusedName("a pipe, socket or device, not a case file"),
            ));
        }
    }
}

/// Whether a file has more than one name (hard links).
pub fn more_than_one_name(meta: &fs::Metadata) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        meta.nlink() > 1
    }
    #[cfg(not(unix))]
    {
        let _ = meta;
        false
    }
}

/// Why a name below `cases/` is not read, if it is not: a folder's or a
/// case file's name holding [`SEPARATOR`] (U+0001, which no real name
/// holds and git carries), or a folder's name that is not UTF-8. Other
/// files are passed over whatever their names, as always.
fn unreadable_name(name: &std::ffi::OsStr, folder: bool, file: bool) -> Option<&'static str> {
    #[cfg(unix)]
    let holds_separator = {
        use std::os::unix::ffi::OsStrExt;
        name.as_bytes().contains(&(SEPARATOR as u8))
    };
    #[cfg(not(unix))]
    let holds_separator = name.to_string_lossy().contains(SEPARATOR);
    let case_file = file && name.to_str().is_some_and(is_case_file_name);
    if holds_separator && (folder || case_file) {
        Some("the name holds the control character U+0001, which no case file or folder may")
    } else if folder && name.to_str().is_none() {
        Some("the folder's name is not UTF-8, which no folder of cases may be")
    } else {
        None
    }
}

/// Whether a file below `cases/` is a case: `*.toml`, not hidden.
pub fn is_case_file_name(name: &str) -> bool {
    name.ends_with(".toml") && !name.starts_with('.')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_walk_finds_case_files_links_and_folders_in_path_order() {
        let dir = tempfile::tempdir().unwrap();
        let cases = dir.path().join("cases");
        for folder in ["2026/11", "2026/10", "archive/2025"] {
            fs::create_dir_all(cases.join(folder)).unwrap();
        }
        for file in [
            "2026/11/20261102-bbbbb.toml",
            "2026/11/20261101-aaaaa.toml",
            "2026/10/20261001-ccccc.toml",
            "archive/2025/20250101-ddddd.toml",
            "2026/11/.hidden.toml",
            "2026/11/notes.txt",
        ] {
            fs::write(cases.join(file), "x").unwrap();
        }
        #[cfg(unix)]
        std::os::unix::fs::symlink("/tmp", cases.join("2026/12")).unwrap();
        for threads in [1, 2, 4] {
            let walked = walk(&cases, threads);
            let paths: Vec<PathBuf> = walked.files.iter().map(|f| f.path(&cases)).collect();
            assert_eq!(
                paths,
                [
                    "2026/10/20261001-ccccc.toml",
                    "2026/11/20261101-aaaaa.toml",
                    "2026/11/20261102-bbbbb.toml",
                    "archive/2025/20250101-ddddd.toml",
                ]
                .map(|p| cases.join(p))
            );
            assert_eq!(walked.files[1].stem(), "20261101-aaaaa");
            // The archive's older id comes after the newer ones.
            assert!(!walked.stems_rise);
            #[cfg(unix)]
            assert_eq!(walked.links, [cases.join("2026/12")]);
            assert!(walked.errors.is_empty());
        }
    }

    #[test]
    fn files_beside_folders_are_merged_into_path_order_and_copies_are_noticed() {
        let dir = tempfile::tempdir().unwrap();
        let cases = dir.path().join("cases");
        let layouts: [(&[&str], bool); 5] = [
            // Each case in its month's folder.
            (
                &[
                    "2026/10/20261001-a.toml",
                    "2026/11/20261101-b.toml",
                    "2026/11/20261102-c.toml",
                ],
                true,
            ),
            // Case files beside subfolders, at three levels: merged, and
            // then the stems are not vouched for (the caller sorts them).
            (
                &["c.toml", "2026/11/a.toml", "2026/b.toml", "d.toml"],
                false,
            ),
            // One id in two folders.
            (&["2026/10/x.toml", "2026/11/x.toml"], false),
            // Ids that fall as the paths rise.
            (&["2026/10/y.toml", "2026/11/b.toml"], false),
            (&["b/a.toml", "2026/11/c.toml"], false),
        ];
        for (files, rise) in layouts {
            // Each layout in a folder of its own making.
            let _ = fs::remove_dir_all(&cases);
            for folder in ["2026/11", "2026/10", "b"] {
                fs::create_dir_all(cases.join(folder)).unwrap();
            }
            for file in files {
                fs::write(cases.join(file), "x").unwrap();
            }
            for threads in [1, 2] {
                let walked = walk(&cases, threads);
                let keys: Vec<&str> = walked.files.iter().map(|f| f.key.as_str()).collect();
                let mut sorted = keys.clone();
                sorted.sort();
                assert_eq!(keys, sorted, "{files:?}");
                assert_eq!(keys.len(), files.len());
                assert_eq!(walked.stems_rise, rise, "{files:?}");
                let stems: Vec<&str> = walked.files.iter().map(Found::stem).collect();
                assert!(!rise || stems.is_sorted(), "{files:?}");
            }
        }
    }

    #[test]
    #[cfg(unix)]
    fn names_holding_the_separator_and_folders_not_in_utf8_are_errors_never_keys() {
        use std::os::unix::ffi::OsStrExt;
        let dir = tempfile::tempdir().unwrap();
        let cases = dir.path().join("cases");
        let odd = [
            cases.join("2026\u{1}..\u{1}..\u{1}out"),
            cases.join(std::ffi::OsStr::from_bytes(b"old\xe9")),
        ];
        for folder in &odd {
            fs::create_dir_all(folder).unwrap();
            fs::write(folder.join("20261101-aaaaa.toml"), "x").unwrap();
        }
        fs::create_dir_all(cases.join("2026/11")).unwrap();
        fs::write(cases.join("2026/11/20261102-bbbbb.toml"), "x").unwrap();
        fs::write(cases.join("2026/11/a\u{1}b.toml"), "x").unwrap();
        // Not a case file: passed over, as any other file.
        fs::write(cases.join("2026/11/notes\u{1}.txt"), "x").unwrap();
        let walked = walk(&cases, 2);
        let keys: Vec<&str> = walked.files.iter().map(|f| f.key.as_str()).collect();
        assert_eq!(
            keys,
            [format!("2026{SEPARATOR}11{SEPARATOR}20261102-bbbbb.toml")]
        );
        let mut refused: Vec<PathBuf> = walked.errors.iter().map(|(p, _)| p.clone()).collect();
        refused.sort();
        let mut expected = vec![
            odd[0].clone(),
            odd[1].clone(),
            cases.join("2026/11/a\u{1}b.toml"),
        ];
        expected.sort();
        assert_eq!(refused, expected);
        assert!(
            walked
                .errors
                .iter()
                .all(|(_, e)| matches!(e, WalkError::RefusedName(_)))
        );
    }

    #[test]
    fn keys_sort_as_paths_do() {
        let paths = [
            "2026-old/a.toml",
            "2026/11/b.toml",
            "2026/1/c.toml",
            "2026/11x/d.toml",
        ];
        let mut keys = paths.map(|p| p.replace('/', &SEPARATOR.to_string()));
        keys.sort();
        let mut sorted = paths.map(Path::new);
        sorted.sort();
        let keys = keys.map(|k| k.replace(SEPARATOR, "/"));
        assert_eq!(
            keys.map(|k| Path::new(&k).to_path_buf()),
            sorted.map(Path::to_path_buf)
        );
    }

    #[test]
    fn a_change_in_place_that_restores_the_mtime_still_changes_the_identity() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.toml");
        fs::write(&file, "one").unwrap();
        let before = Identity::of(&fs::metadata(&file).unwrap());
        std::thread::sleep(std::time::Duration::from_millis(20));
        let mtime = fs::metadata(&file).unwrap().modified().unwrap();
        fs::write(&file, "two").unwrap();
        fs::File::options()
            .write(true)
            .open(&file)
            .unwrap()
            .set_modified(mtime)
            .unwrap();
        let after = Identity::of(&fs::metadata(&file).unwrap());
        assert_eq!((before.size, before.mtime_ns), (after.size, after.mtime_ns));
        assert_ne!(before, after, "the ctime moved");
    }
}
