//! Putting the site on disk: built whole in a temporary folder beside
//! `--out`, then swapped in, so a reader (or a web server) never sees half
//! a site and a re-run leaves no page of a case that is gone.
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
    let mut builder = tempfile::Builder::new();
    builder.prefix(".caselog-site-");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(fs::Permissions::from_mode(0o777));
    }
    let building = builder
        .tempdir_in(&parent)
        .with_context(|| format!("making a temporary folder in {}", parent.display()))?;
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
    // The old site moves aside into a temporary folder of its own (removed
    // with it), the new one takes its name.
    let old = tempfile::Builder::new()
        .prefix(".caselog-site-old-")
        .tempdir_in(&parent)
        .with_context(|| format!("making a temporary folder in {}", parent.display()))?;
    let had_one = out.exists();
    if had_one {
        fs::rename(&out, old.path().join("site"))
            .with_context(|| format!("moving the previous site {shown} aside"))?;
    }
    let built = building.keep();
    if let Err(err) = fs::rename(&built, &out) {
        if had_one {
            // Put the old site back rather than leave none.
            let _ = fs::rename(old.path().join("site"), &out);
        }
        let _ = fs::remove_dir_all(&built);
        return Err(err).with_context(|| format!("moving the new site into {shown}"));
    }
    Ok(())
}
