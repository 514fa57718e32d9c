//! `caselog init`: make a case log in a folder, or finish making one, and
//! register the git merge driver. Running it again is safe: what exists
//! is kept and said so.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use clap::Args;

use super::Session;
use crate::error::{EXIT_OK, InputError};
use crate::git;
use crate::settings::SETTINGS_FILE;
use crate::settings::TEMPLATE;
use crate::store::{CASES_DIR, LOCK_FILE, WORK_DIR, open_file, write_whole};

/// Make a case log: cases/, caselog.toml, and the git merge driver
///
/// Writes cases/, a commented caselog.toml, the .gitignore line for the lock
/// file and the .gitattributes line that sends case files to caselog's merge
/// driver, and registers the driver in the clone's git config. git does not
/// clone config: in every fresh clone, run `caselog init --git`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// Where to make it [default: --dir, else the current folder]
    pub path: Option<PathBuf>,
    /// Only register the merge driver (what a fresh clone needs)
    #[arg(long)]
    pub git: bool,
}

/// The `.gitattributes` line that sends case files to the merge driver.
pub const ATTRIBUTES: &str = "cases/**/*.toml merge=caselog";

pub fn run(session: &Session, args: InitArgs, out: &mut dyn Write) -> Result<u8> {
    let root = session.cwd().join(
        args.path
            .as_deref()
            .or(session.dir())
            .unwrap_or(Path::new("")),
    );
    let shown = |name: &str| {
        let path = root.join(name);
        path.strip_prefix(session.cwd())
            .unwrap_or(&path)
            .display()
            .to_string()
    };
    if args.git && !git::is_work_tree(&root) {
        // --git asks for the driver only; without git there is none to
        // register, and a .gitattributes alone would suggest there was.
        let folder = match shown("") {
            here if here.is_empty() => "this folder".to_string(),
            there => there,
        };
        if !root.is_dir() {
            return Err(InputError::Invalid(format!(
                "{folder} does not exist; nothing was written"
            ))
            .into());
        }
        git::runs().context("running git (is it installed?); nothing was written")?;
        return Err(InputError::Invalid(format!(
            "{folder} is not in a git repository: run `git init` first; nothing was written"
        ))
        .into());
    }
    // Files init adds lines to are read as any file of the log is (see
    // `ensure_line`): one that is a link or no plain file is refused
    // before anything is made.
    for name in [".gitignore", ".gitattributes"] {
        let path = root.join(name);
        if fs::symlink_metadata(&path).is_ok() {
            open_file(&path, &shown(name))?;
        }
    }
    if !args.git {
        make_log(&root, &shown, out)?;
    }
    set_up_git(&root, &shown, !args.git, out)?;
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
        write_whole(&settings, TEMPLATE.as_bytes())
            .with_context(|| format!("writing {}", shown(SETTINGS_FILE)))?;
        writeln!(
            out,
            "wrote {} (settings, all commented out at their defaults)",
            shown(SETTINGS_FILE)
        )?;
    }
    // The work folder ignores itself too; the line says so to a reader.
    let ignored = [format!("/{LOCK_FILE}"), format!("/{WORK_DIR}/")];
    let mut added = Vec::new();
    for entry in &ignored {
        let comment = if entry.ends_with('/') {
            "# caselog's index and temporary files (a cache, safe to delete)"
        } else {
            "# caselog's lock file"
        };
        if ensure_line(&root.join(".gitignore"), comment, entry)? {
            added.push(entry.as_str());
        }
    }
    if added.is_empty() {
        writeln!(out, "kept {}", shown(".gitignore"))?;
    } else {
        writeln!(
            out,
            "added {} to {}",
            added.join(" and "),
            shown(".gitignore")
        )?;
    }
    Ok(())
}

/// Adds `line` (after `comment`) to a file unless it holds it already;
/// whether it was added.
fn ensure_line(path: &Path, comment: &str, line: &str) -> Result<bool> {
    // Read as any file of the log is: a link (committed, so it arrives
    // by `git pull`) would have its target's text, from outside the log,
    // copied into the file git commits; a FIFO would hang the read.
    let existing = if fs::symlink_metadata(path).is_ok() {
        let shown = path.display().to_string();
        let mut text = String::new();
        std::io::Read::read_to_string(&mut open_file(path, &shown)?, &mut text)
            .with_context(|| format!("reading {shown}"))?;
        text
    } else {
        String::new()
    };
    if existing.lines().any(|l| l.trim() == line) {
        return Ok(false);
    }
    let separator = if existing.is_empty() || existing.ends_with('\n') {
        ""
    } else {
        "\n"
    };
    write_whole(
        path,
        format!("{existing}{separator}{comment}\n{line}\n").as_bytes(),
    )
    .with_context(|| format!("writing {}", path.display()))?;
    Ok(true)
}

/// The `.gitattributes` line, and the driver in this clone's git config
/// (git does not clone config, so every clone runs `caselog init --git`;
/// `tell_clones` says so, which `init --git` itself need not).
fn set_up_git(
    root: &Path,
    shown: &dyn Fn(&str) -> String,
    tell_clones: bool,
    out: &mut dyn Write,
) -> Result<()> {
    let comment = "# Case files merge through caselog's merge driver.";
    if ensure_line(&root.join(".gitattributes"), comment, ATTRIBUTES)? {
        writeln!(out, "added `{ATTRIBUTES}` to {}", shown(".gitattributes"))?;
    } else {
        writeln!(out, "kept {}", shown(".gitattributes"))?;
    }
    if !git::is_work_tree(root) {
        writeln!(
            out,
            "not in a git repository: after `git init`, run `caselog init --git` to register the merge driver"
        )?;
        return Ok(());
    }
    let exe = std::env::current_exe().context("finding caselog's own path for the merge driver")?;
    // git runs the driver through the shell.
    let quoted = format!("'{}'", exe.display().to_string().replace('\'', "'\\''"));
    // A driver that cannot run (caselog moved or removed since, a crash)
    // would leave our side alone, unmarked, for git to call merged: then
    // git's own text merge leaves both sides' lines between markers.
    let driver = format!(
        "{quoted} merge-driver %O %A %B %P %L || {{ [ $? -eq 1 ] || git merge-file -L ours -L base -L theirs --marker-size=%L %A %O %B; exit 1; }}"
    );
    git::set_config(root, "merge.caselog.name", "caselog case files")
        .and_then(|()| git::set_config(root, "merge.caselog.driver", &driver))
        .context("git config failed: the merge driver is not registered")?;
    let hint = if tell_clones {
        " (in each new clone, run `caselog init --git`)"
    } else {
        ""
    };
    writeln!(
        out,
        "registered the merge driver in this clone's git config{hint}"
    )?;
    Ok(())
}
