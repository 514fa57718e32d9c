//! Putting the site on disk: built whole in a temporary folder beside
//! `--out`, then swapped in, so a reader (or a web server) never sees half
//! a site and a re-run leaves no page of a case that is gone. On Linux the
//! swap is one exchange of names, so even a kill leaves a whole site.
//!
//! Replacing a folder is dangerous, so the folder must be new, empty, or
//! one this writer made before (it holds [`MARKER`]); never a symbolic
//! link, never inside `cases/`, never the case log or a folder holding it.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use super::Page;
use crate::error::InputError;

/// The file that marks a folder as a site caselog wrote, safe to replace.
pub const MARKER: &str = ".caselog-site";

fn refuse(message: String) -> anyhow::Error {
    InputError::Invalid(message).into()
}

/// `path` made absolute without following a link in its last part: its
/// nearest existing folder resolved, then the parts below it taken as
/// they are (nothing is made yet, so a refusal writes nothing).
fn absolute(path: &Path, cwd: &Path) -> Result<PathBuf> {
    let path = cwd.join(path);
    if path.file_name().is_none() || path.ends_with("..") {
        return Err(refuse(format!(
            "--out {} names no folder of its own; give a folder such as site/",
            path.display()
        )));
    }
    // Short of the last part: a link there is refused, not followed.
    crate::store::resolved(&path, true)
}

/// Refuses an `--out` the site must not replace; `shown` is how the
/// person typed it.
fn check(out: &Path, log_root: &Path, cases_dir: &Path, shown: &str) -> Result<()> {
    let log_root = log_root
        .canonicalize()
        .with_context(|| format!("finding {}", log_root.display()))?;
    let cases_dir = cases_dir
        .canonicalize()
        .unwrap_or_else(|_| log_root.join("cases"));
    if out.starts_with(&cases_dir) {
        return Err(refuse(format!(
            "--out {shown} is inside cases/; the site goes outside the case files (e.g. --out site)"
        )));
    }
    if log_root.starts_with(out) {
        return Err(refuse(format!(
            "--out {shown} holds the case log itself; give a folder of its own (e.g. --out site)"
        )));
    }
    let Ok(meta) = fs::symlink_metadata(out) else {
        // The folder is new: the nearest part of its path that exists
        // must be a folder to make it in.
        if let Some(file) = out
            .ancestors()
            .skip(1)
            .find(|above| fs::symlink_metadata(above).is_ok())
            .filter(|above| !above.is_dir())
        {
            return Err(refuse(format!(
                "--out {shown} cannot be made: {} is not a folder",
                file.display()
            )));
        }
        return Ok(());
    };
    if meta.file_type().is_symlink() {
        return Err(refuse(format!(
            "--out {shown} is a symbolic link; give the real folder"
        )));
    }
    if !meta.is_dir() {
        return Err(refuse(format!("--out {shown} is not a folder")));
    }
    let mut entries = fs::read_dir(out).with_context(|| format!("reading {shown}"))?;
    let empty = entries.next().is_none();
    if !empty && !out.join(MARKER).is_file() {
        return Err(refuse(format!(
            "--out {shown} holds files caselog did not write (no {MARKER} in it); give a new or empty folder"
        )));
    }
    Ok(())
}

/// Writes `pages` as the site in `out` (relative to `cwd`), replacing the
/// site a previous run wrote there. `log_root` and `cases_dir` are the
/// case log's, which the site must stay out of.
pub fn replace(
    out: &Path,
    cwd: &Path,
    log_root: &Path,
    cases_dir: &Path,
    pages: &[Page],
) -> Result<()> {
    let shown = out.display().to_string();
    let out = absolute(out, cwd)?;
    check(&out, log_root, cases_dir, &shown)?;
    let parent = out.parent().unwrap_or(Path::new("/")).to_path_buf();
    fs::create_dir_all(&parent).with_context(|| format!("making {}", parent.display()))?;
    // The site replacing one keeps that folder's permissions (one made
    // private stays private); a new one is made as `mkdir` makes a
    // folder, so the umask says who may read it.
    let kept = match fs::symlink_metadata(&out) {
        Ok(meta) => Some(meta.permissions()),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => None,
        Err(err) => return Err(err).with_context(|| format!("reading {shown}")),
    };
    remove_leftovers(&parent);
    let mut builder = tempfile::Builder::new();
    builder.prefix(TEMP_PREFIX);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(fs::Permissions::from_mode(0o777));
    }
    let building = builder
        .tempdir_in(&parent)
        .with_context(|| format!("making a temporary folder in {}", parent.display()))?;
    // Held until this run ends: the folder is not a leftover.
    let _in_use = in_use(building.path());
    for page in pages {
        let path = building.path().join(&page.path);
        if let Some(folder) = path.parent() {
            fs::create_dir_all(folder).with_context(|| format!("making {}", folder.display()))?;
        }
        fs::write(&path, &page.html).with_context(|| format!("writing {shown}/{}", page.path))?;
    }
    fs::write(
        building.path().join(MARKER),
        "This folder is a site written by `caselog site`; the next run replaces it whole.\n",
    )
    .with_context(|| format!("writing {shown}/{MARKER}"))?;
    if let Some(kept) = kept {
        fs::set_permissions(building.path(), kept)
            .with_context(|| format!("giving {shown} the permissions it had"))?;
    }
    let built = building.keep();
    if let Err(err) = swap(&built, &out, &parent) {
        let _ = fs::remove_dir_all(&built);
        return Err(err).with_context(|| format!("moving the new site into {shown}"));
    }
    // After an exchange the old site has the temporary name (and is no
    // longer held: a run starting now may have removed it already).
    if fs::symlink_metadata(&built).is_ok() {
        remove_all(&built).with_context(|| {
            format!(
                "removing the previous site of {shown}, moved aside to {}",
                built.display()
            )
        })?;
    }
    Ok(())
}

/// The names of the folders a run builds the site in, and moves the old
/// one aside to, beside `--out`.
const TEMP_PREFIX: &str = ".caselog-site-";

/// Marks a folder of this run's as in use until the returned file is
/// dropped (or the process dies, killed or not): a lock on the folder.
fn in_use(folder: &Path) -> Option<fs::File> {
    let file = fs::File::open(folder).ok()?;
    file.try_lock().ok()?;
    Some(file)
}

/// Removes the folders runs killed part-way left beside `--out` (a
/// half-built site, or the previous one moved aside), which nothing else
/// would ever remove: in the log's own folder, git lists them, and they
/// hold the pages of the cases as they were (a redacted customer's too).
/// A folder another run holds ([`in_use`]) is left be; one a run has made
/// but not yet locked (a moment) may not be, and that run then fails,
/// naming the page it could not write. Best effort: what cannot be
/// removed stays for the next run.
fn remove_leftovers(parent: &Path) {
    let Ok(entries) = fs::read_dir(parent) else {
        return;
    };
    for entry in entries.flatten() {
        let named = entry.file_name().to_string_lossy().starts_with(TEMP_PREFIX);
        let folder = entry.file_type().is_ok_and(|t| t.is_dir());
        if named && folder && in_use(&entry.path()).is_some() {
            let _ = remove_all(&entry.path());
        }
    }
}

/// `remove_dir_all`, done when it is already gone.
fn remove_all(folder: &Path) -> std::io::Result<()> {
    match fs::remove_dir_all(folder) {
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(()),
        done => done,
    }
}

/// Puts the folder `built` at `out`; the site `out` held is then gone, or
/// (after an exchange) at `built`, for the caller to remove. Where the
/// system can (Linux), one call exchanges the two names, so `out` holds
/// the old site whole or the new one whole at every moment, even when
/// caselog is killed; elsewhere (or on a file system that cannot exchange)
/// the old site moves aside first and comes back if the new one cannot
/// take its place.
fn swap(built: &Path, out: &Path, parent: &Path) -> std::io::Result<()> {
    if fs::symlink_metadata(out).is_err() {
        fs::rename(built, out)?;
        die_for_a_test(1);
        return Ok(());
    }
    #[cfg(target_os = "linux")]
    match exchange(built, out) {
        Ok(()) => {
            die_for_a_test(1);
            return Ok(());
        }
        Err(err)
            if matches!(
                err.raw_os_error(),
                Some(libc::EINVAL) | Some(libc::ENOSYS) | Some(libc::EOPNOTSUPP)
            ) => {}
        Err(err) => return Err(err),
    }
    // The old site waits in a temporary folder of its own, removed with it.
    let old = tempfile::Builder::new()
        .prefix(&format!("{TEMP_PREFIX}old-"))
        .tempdir_in(parent)?;
    let _in_use = in_use(old.path());
    fs::rename(out, old.path().join("site"))?;
    die_for_a_test(1);
    if let Err(err) = fs::rename(built, out) {
        // Put the old site back rather than leave none.
        let _ = fs::rename(old.path().join("site"), out);
        return Err(err);
    }
    Ok(())
}

/// Exchanges the names `a` and `b` in one step (`renameat2` with
/// `RENAME_EXCHANGE`).
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let c = |p: &Path| {
        CString::new(p.as_os_str().as_bytes())
            .map_err(|_| std::io::Error::from(std::io::ErrorKind::InvalidInput))
    };
    let (a, b) = (c(a)?, c(b)?);
    // SAFETY: both are NUL-terminated strings that live until the call
    // returns; the call only reads them.
    let done = unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            a.as_ptr(),
            libc::AT_FDCWD,
            b.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if done == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

/// Test builds only: dies, as `kill -9` would, once the swap has made
/// `CASELOG_TEST_DIE_AFTER_SITE_RENAMES` renames, so tests can show that
/// `--out` holds a whole site at that moment.
fn die_for_a_test(renames: usize) {
    #[cfg(debug_assertions)]
    {
        let at = std::env::var("CASELOG_TEST_DIE_AFTER_SITE_RENAMES").ok();
        if at.and_then(|n| n.parse().ok()) == Some(renames) {
            std::process::abort();
        }
    }
    #[cfg(not(debug_assertions))]
    let _ = renames;
}
