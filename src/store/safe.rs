//! File access that stays inside the case log.
//!
//! Case files arrive by `git pull`, so a committed symbolic link (a month
//! folder `cases/2026/12 -> /elsewhere`, a case file linking to
//! `~/.ssh/id_rsa`) must never make caselog read or write outside the log.
//! Below the log's root nothing is followed: every folder on the way must
//! be a real folder, and files are opened without following a final link
//! and without blocking on a FIFO, then must be regular files.

use std::fs::{self, File, OpenOptions};
use std::io;
use std::path::{Component, Path, PathBuf};

use anyhow::{Context, Result};

use crate::error::InputError;

/// A path below the log that caselog will not use, and why.
pub fn link_refused(shown: &str) -> InputError {
    InputError::Invalid(format!(
        "{shown} is a symbolic link; caselog never follows links inside a case log (replace it with the real file or folder)"
    ))
}

fn not_a(shown: &str, what: &str) -> InputError {
    InputError::Invalid(format!("{shown} is not a {what}"))
}

/// The parts of `below` (a path under the log's root), each a plain name
/// (or `.`):
/// a `..` (or a root) could lead out of the log whatever the folders on
/// the way are, so it is refused before any of them is looked at.
fn plain_parts<'p>(
    full: &Path,
    below: &'p Path,
    shown: &dyn Fn(&Path) -> String,
) -> Result<Vec<Component<'p>>> {
    let parts: Vec<Component> = below.components().collect();
    if parts
        .iter()
        .any(|part| !matches!(part, Component::Normal(_) | Component::CurDir))
    {
        return Err(InputError::Invalid(format!(
            "{} leads out of the case log; caselog only uses paths below it",
            shown(full)
        ))
        .into());
    }
    Ok(parts)
}

/// `path` (absolute) as it would be reached: its longest leading part
/// that exists resolved (links followed), short of the last part when
/// `last_as_written`, and the rest applied as written, `..` going up a
/// part. Nothing is made to find out, so a refusal judged on it writes
/// nothing.
pub fn resolved(path: &Path, last_as_written: bool) -> Result<PathBuf> {
    let parts: Vec<Component> = path.components().collect();
    let judged = parts.len() - usize::from(last_as_written && !parts.is_empty());
    let mut existing = PathBuf::new();
    let mut found = 0;
    for part in &parts[..judged] {
        let next = existing.join(part);
        if fs::symlink_metadata(&next).is_err() {
            break;
        }
        existing = next;
        found += 1;
    }
    let mut full = existing
        .canonicalize()
        .with_context(|| format!("finding {}", existing.display()))?;
    for part in &parts[found..] {
        match part {
            Component::ParentDir => {
                full.pop();
            }
            Component::CurDir => {}
            other => full.push(other),
        }
    }
    Ok(full)
}

/// Checks that every folder from `root` down to `path`'s parent that
/// exists is a real folder, not a link. Paths outside `root` are not
/// judged (the root itself may be reached any way the user likes).
pub fn check_folders(root: &Path, path: &Path, shown: &dyn Fn(&Path) -> String) -> Result<()> {
    let Ok(below) = path.strip_prefix(root) else {
        return Ok(());
    };
    let components = plain_parts(path, below, shown)?;
    let mut at = root.to_path_buf();
    for component in components.iter().take(components.len().saturating_sub(1)) {
        at.push(component);
        match fs::symlink_metadata(&at) {
            Ok(meta) if meta.file_type().is_symlink() => {
                return Err(link_refused(&shown(&at)).into());
            }
            Ok(meta) if !meta.is_dir() => return Err(not_a(&shown(&at), "folder").into()),
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(e).with_context(|| format!("reading {}", shown(&at))),
        }
    }
    Ok(())
}

/// Creates the folders from `root` down to `folder`, refusing any link on
/// the way (`create_dir_all` would follow one).
pub fn create_folders(root: &Path, folder: &Path, shown: &dyn Fn(&Path) -> String) -> Result<()> {
    let Ok(below) = folder.strip_prefix(root) else {
        return fs::create_dir_all(folder).with_context(|| format!("creating {}", shown(folder)));
    };
    let mut at = root.to_path_buf();
    for component in plain_parts(folder, below, shown)? {
        at.push(component);
        match fs::symlink_metadata(&at) {
            Ok(meta) if meta.file_type().is_symlink() => {
                return Err(link_refused(&shown(&at)).into());
            }
            Ok(meta) if !meta.is_dir() => return Err(not_a(&shown(&at), "folder").into()),
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => match fs::create_dir(&at) {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
                Err(e) => return Err(e).with_context(|| format!("creating {}", shown(&at))),
            },
            Err(e) => return Err(e).with_context(|| format!("reading {}", shown(&at))),
        }
    }
    Ok(())
}

/// Opens a file for reading without following a link at its own name and
/// without blocking on a FIFO; it must be a regular file.
pub fn open_file(path: &Path, shown: &str) -> Result<File> {
    open_file_sized(path, shown).map(|(file, _)| file)
}

/// [`open_file`], and the file's size when opened: room to read it in
/// one go (reading into an empty buffer takes a dozen small reads).
pub fn open_file_sized(path: &Path, shown: &str) -> Result<(File, u64)> {
    open_with(OpenOptions::new().read(true), path, shown)
        .with_context(|| format!("reading {shown}"))
}

/// Refuses a link or a non-file at `path` before it is opened.
fn look_first(path: &Path, shown: &str) -> Result<()> {
    match fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => Err(link_refused(shown).into()),
        Ok(meta) if !meta.is_file() => Err(not_a(shown, "regular file").into()),
        _ => Ok(()),
    }
}

/// Opens (creating it when missing) a file to lock, under the same rules.
pub fn open_lock_file(path: &Path, shown: &str) -> Result<File> {
    // A FIFO opened for writing fails (ENXIO) rather than hangs, but with
    // an unclear message: say what it is first.
    look_first(path, shown)?;
    open_with(
        OpenOptions::new().create(true).truncate(false).write(true),
        path,
        shown,
    )
    .map(|(file, _)| file)
    .with_context(|| format!("opening the lock file {shown}"))
}

/// Opens without following a final link and, on Unix, without blocking
/// on a FIFO (other platforms look first); then it must be a regular file.
fn open_with(options: &mut OpenOptions, path: &Path, shown: &str) -> Result<(File, u64)> {
    #[cfg(not(unix))]
    look_first(path, shown)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
    }
    let file = match options.open(path) {
        Ok(file) => file,
        Err(e) if is_link_refusal(&e) => return Err(link_refused(shown).into()),
        Err(e) => return Err(e.into()),
    };
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(not_a(shown, "regular file").into());
    }
    Ok((file, meta.len()))
}

/// What opening a link with no-follow gives: ELOOP (Linux, macOS) or
/// EMLINK (FreeBSD).
fn is_link_refusal(e: &io::Error) -> bool {
    #[cfg(unix)]
    {
        matches!(e.raw_os_error(), Some(libc::ELOOP) | Some(libc::EMLINK))
    }
    #[cfg(not(unix))]
    {
        let _ = e;
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(path: &Path) -> String {
        path.display().to_string()
    }

    #[test]
    fn a_path_climbing_out_of_the_log_is_refused_and_nothing_is_made() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("log");
        fs::create_dir_all(root.join("cases/2026")).unwrap();
        let climbing = root.join("cases/2026/../../../outside/11");

        let error = create_folders(&root, &climbing, &shown).unwrap_err();
        assert!(
            error.to_string().contains("leads out of the case log"),
            "{error}"
        );
        assert!(!dir.path().join("outside").exists());

        let file = climbing.join("x.toml");
        let error = check_folders(&root, &file, &shown).unwrap_err();
        assert!(
            error.to_string().contains("leads out of the case log"),
            "{error}"
        );
    }

    #[test]
    fn plain_folders_below_the_log_are_made_and_pass() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().to_path_buf();
        let folder = root.join("cases/2026/11");
        create_folders(&root, &folder, &shown).unwrap();
        assert!(folder.is_dir());
        check_folders(&root, &folder.join("x.toml"), &shown).unwrap();
    }
}
