//! The file-system steps every write of the store is made of: the names of
//! temporary files, a rename that also works across file systems, and the
//! syncs that make a write survive a power cut. Below single writes
//! ([`super::write`]), the record of a batch ([`super::landing`]), the
//! secret, and files written whole that are not cases ([`write_whole`]).

use std::collections::HashSet;
use std::fs::{self, File};
use std::io;
use std::path::{Path, PathBuf};

use tempfile::NamedTempFile;

/// The names of temporary files, wherever they are.
pub(super) const TEMP_PREFIX: &str = ".caselog-";
pub(super) const TEMP_SUFFIX: &str = ".tmp";

/// An empty temporary file in `folder`, to be filled and renamed onto its
/// target: with `permissions` (a replaced file's), else those of any new
/// file (readable by all, less the umask). Its errors are the system's
/// alone: `tempfile` would add the temporary file's absolute path, which
/// means nothing to the person reading the message. Write to it through
/// `as_file_mut` for the same reason.
pub(super) fn temp_file_in(
    folder: &Path,
    permissions: Option<fs::Permissions>,
) -> io::Result<NamedTempFile> {
    #[cfg(unix)]
    let mode = {
        use std::os::unix::fs::PermissionsExt;
        permissions.map_or(0o666, |p| p.mode())
    };
    let made = tempfile::Builder::new()
        .prefix(TEMP_PREFIX)
        .suffix(TEMP_SUFFIX)
        .make_in(folder, |path| {
            let mut options = fs::OpenOptions::new();
            options.read(true).write(true).create_new(true);
            #[cfg(unix)]
            {
                use std::os::unix::fs::OpenOptionsExt;
                options.mode(mode);
            }
            options.open(path)
        })?;
    #[cfg(not(unix))]
    if let Some(p) = permissions {
        fs::set_permissions(made.path(), p)?;
    }
    Ok(made)
}

/// Writes `text` to `path` whole or not at all, keeping the file's
/// permissions: written beside it, synced, then renamed over it. For a
/// file that is not a case (a person's `.gitignore`), which truncated and
/// written again in place would be left cut short by a full disk or a
/// kill part-way.
pub fn write_whole(path: &Path, text: &[u8]) -> io::Result<()> {
    let folder = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let permissions = fs::metadata(path).ok().map(|m| m.permissions());
    let mut file = temp_file_in(folder, permissions)?;
    io::Write::write_all(file.as_file_mut(), text)?;
    file.as_file().sync_all()?;
    file.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// Renames `from` onto `target`, replacing it. Across file systems (a
/// `cases/` mounted apart) it is copied beside the target first, so the
/// last step is still one rename.
pub(super) fn rename_over(from: &Path, target: &Path) -> io::Result<()> {
    match fs::rename(from, target) {
        Ok(()) => Ok(()),
        Err(e) if is_cross_device(&e) => {
            let beside = copy_beside(from, target)?;
            beside.persist(target).map_err(|e| e.error)?;
            fs::remove_file(from)
        }
        Err(e) => Err(e),
    }
}

/// A synced copy of `from` in `target`'s folder, under a temporary name.
pub(super) fn copy_beside(from: &Path, target: &Path) -> io::Result<NamedTempFile> {
    let folder = target.parent().unwrap_or(Path::new("."));
    let mut beside = temp_file_in(folder, None)?;
    io::copy(&mut File::open(from)?, beside.as_file_mut())?;
    beside.as_file().sync_all()?;
    Ok(beside)
}

pub(super) fn is_cross_device(e: &io::Error) -> bool {
    e.kind() == io::ErrorKind::CrossesDevices
}

/// Flushes everything written to the file system `path` is on, in one
/// call (Linux's `syncfs`).
#[cfg(target_os = "linux")]
fn sync_file_system(path: &Path) -> io::Result<()> {
    use std::os::fd::AsRawFd;
    let file = File::open(path)?;
    // SAFETY: `syncfs` only reads the descriptor, which `file` keeps open
    // until after the call.
    if unsafe { libc::syncfs(file.as_raw_fd()) } == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

/// Makes a rename durable. Best effort: not every platform can sync a folder.
pub(super) fn sync_folder(folder: &Path) {
    if let Ok(dir) = File::open(folder) {
        let _ = dir.sync_all();
    }
}

/// From how many files a batch syncs the whole file system at once
/// rather than file by file: each sync costs about as much as the others
/// together, on a disk that flushes for every one.
const SYNC_ALL_FROM: usize = 32;

/// Makes a batch's written files durable before any lands.
pub(super) fn sync_files(files: &[&Path]) -> io::Result<()> {
    #[cfg(target_os = "linux")]
    if files.len() >= SYNC_ALL_FROM
        && let Some(first) = files.first()
    {
        return sync_file_system(first);
    }
    for file in files {
        File::open(file)?.sync_all()?;
    }
    Ok(())
}

/// Makes the renames into `folders` durable; best effort, as a folder
/// sync is (see [`sync_folder`]).
pub(super) fn sync_folders(folders: &HashSet<PathBuf>) {
    #[cfg(target_os = "linux")]
    if folders.len() >= SYNC_ALL_FROM
        && let Some(first) = folders.iter().next()
    {
        let _ = sync_file_system(first);
        return;
    }
    for folder in folders {
        sync_folder(folder);
    }
}
