//! `caselog init`: make a case log in a folder, or finish making one, and
//! register the git merge driver. Running it again is safe: what exists
//! is kept and said so.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use super::Session;
use crate::error::EXIT_OK;
use crate::settings::TEMPLATE;
use crate::store::{CASES_DIR, LOCK_FILE, SETTINGS_FILE};

pub struct Request {
    /// Where to make the log; `--dir`, else the current folder, when absent.
    pub path: Option<PathBuf>,
    /// Only the git set-up a fresh clone needs (the merge driver).
    pub git_only: bool,
}

/// The `.gitattributes` line that sends case files to the merge driver.
pub const ATTRIBUTES: &str = "cases/**/*.toml merge=caselog";

pub fn run(session: &Session, request: Request, out: &mut dyn Write) -> Result<u8> {
    let root = session.cwd.join(
        request
            .path
            .or_else(|| session.dir.clone())
            .unwrap_or_default(),
    );
    let shown = |name: &str| {
        let path = root.join(name);
        path.strip_prefix(&session.cwd)
            .unwrap_or(&path)
            .display()
            .to_string()
    };
    if !request.git_only {
        make_log(&root, &shown, out)?;
    }
    set_up_git(&root, &shown, out)?;
    Ok(EXIT_OK)
}

/// `cases/`, `caselog.toml` and the lock file's `.gitignore` line.
fn make_log(root: &Path, shown: &dyn Fn(&str) -> String, out: &mut dyn Write) -> Result<()> {
    let cases = root.join(CASES_DIR);
    if cases.is_dir() {
        writeln!(out, "kept {}/", shown(CASES_DIR))?;
    } else {
        fs::create_dir_all(&cases).with_context(|| format!("creating {}", shown(CASES_DIR)))?;
        writeln!(out, "created {}/", shown(CASES_DIR))?;
    }
    let settings = root.join(SETTINGS_FILE);
    if settings.exists() {
        writeln!(out, "kept {}", shown(SETTINGS_FILE))?;
    } else {
        fs::write(&settings, TEMPLATE)
            .with_context(|| format!("writing {}", shown(SETTINGS_FILE)))?;
        writeln!(
            out,
            "wrote {} (settings, all commented out at their defaults)",
            shown(SETTINGS_FILE)
        )?;
    }
    let entry = format!("/{LOCK_FILE}");
    let added = ensure_line(&root.join(".gitignore"), "# caselog's lock file", &entry)?;
    if added {
        writeln!(out, "added {entry} to {}", shown(".gitignore"))?;
    } else {
        writeln!(out, "kept {}", shown(".gitignore"))?;
    }
    Ok(())
}

/// Adds `line` (after `comment`) to a file unless it holds it already;
/// whether it was added.
fn ensure_line(path: &Path, comment: &str, line: &str) -> Result<bool> {
    let existing = match fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(e).with_context(|| format!("reading {}", path.display())),
    };
    if existing.lines().any(|l| l.trim() == line) {
        return Ok(false);
    }
    let separator = if existing.is_empty() || existing.ends_with('\n') {
        ""
    } else {
        "\n"
    };
    fs::write(path, format!("{existing}{separator}{comment}\n{line}\n"))
        .with_context(|| format!("writing {}", path.display()))?;
    Ok(true)
}

/// The `.gitattributes` line, and the driver in this clone's git config
/// (git does not clone config, so every clone runs `caselog init --git`).
fn set_up_git(root: &Path, shown: &dyn Fn(&str) -> String, out: &mut dyn Write) -> Result<()> {
    let comment = "# Case files merge through caselog's merge driver.";
    if ensure_line(&root.join(".gitattributes"), comment, ATTRIBUTES)? {
        writeln!(out, "added `{ATTRIBUTES}` to {}", shown(".gitattributes"))?;
    } else {
        writeln!(out, "kept {}", shown(".gitattributes"))?;
    }
    let inside =
        git(root, &["rev-parse", "--is-inside-work-tree"]).is_some_and(|o| o.trim() == "true");
    if !inside {
        writeln!(
            out,
            "not in a git repository: after `git init`, run `caselog init --git` to register the merge driver"
        )?;
        return Ok(());
    }
    let exe = std::env::current_exe().context("finding caselog's own path for the merge driver")?;
    // git runs the driver through the shell.
    let quoted = format!("'{}'", exe.display().to_string().replace('\'', "'\\''"));
    let driver = format!("{quoted} merge-driver %O %A %B %P %L");
    let registered = git(
        root,
        &["config", "merge.caselog.name", "caselog case files"],
    )
    .is_some()
        && git(root, &["config", "merge.caselog.driver", &driver]).is_some();
    if !registered {
        bail!("git config failed: the merge driver is not registered");
    }
    writeln!(
        out,
        "registered the merge driver in this clone's git config (in each new clone, run `caselog init --git`)"
    )?;
    Ok(())
}

/// Runs git in `dir`; its standard output on success.
fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let output = std::process::Command::new("git")
        .args(args)
        .current_dir(dir)
        .output()
        .ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).into_owned())
}
