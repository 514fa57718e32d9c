//! `caselog init`: make a case log in a folder, or finish making one.
//!
//! Running it again is safe: what exists is kept and said so.

use std::fs;
use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, Result};

use super::Session;
use crate::error::EXIT_OK;
use crate::settings::TEMPLATE;
use crate::store::{CASES_DIR, LOCK_FILE, SETTINGS_FILE};

pub struct Request {
    /// Where to make the log; `--dir`, else the current folder, when absent.
    pub path: Option<PathBuf>,
}

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

    let gitignore = root.join(".gitignore");
    let existing = match fs::read_to_string(&gitignore) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(e).with_context(|| format!("reading {}", shown(".gitignore"))),
    };
    let entry = format!("/{LOCK_FILE}");
    if existing.lines().any(|l| l.trim() == entry) {
        writeln!(out, "kept {}", shown(".gitignore"))?;
    } else {
        let separator = if existing.is_empty() || existing.ends_with('\n') {
            ""
        } else {
            "\n"
        };
        fs::write(
            &gitignore,
            format!("{existing}{separator}# caselog's lock file\n{entry}\n"),
        )
        .with_context(|| format!("writing {}", shown(".gitignore")))?;
        writeln!(out, "added {entry} to {}", shown(".gitignore"))?;
    }
    Ok(EXIT_OK)
}
