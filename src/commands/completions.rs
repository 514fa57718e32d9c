//! `caselog completions` and `caselog man`: generated from the clap
//! definitions, so they never drift from the real options; and the
//! completions that know the log (case ids with their titles, categories,
//! people, tags), which clap_complete's dynamic completion asks for when
//! the shell runs `COMPLETE=bash caselog -- …`.

use std::ffi::OsStr;
use std::io::Write;

use anyhow::{Context, Result};
use clap::Args;
use clap_complete::engine::CompletionCandidate;

use crate::case::id::CaseId;
use crate::untrusted;

use crate::error::EXIT_OK;

/// Print a shell completion script
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    pub shell: clap_complete::Shell,
}

/// Print the man page (roff)
#[derive(Debug, Args)]
pub struct ManArgs {}

/// Writes the completion script for `args.shell`; `command` is the whole
/// program's definition.
pub fn completions(
    args: CompletionsArgs,
    mut command: clap::Command,
    out: &mut dyn Write,
) -> Result<u8> {
    // Generated whole first: clap_complete panics on a failed write (a
    // closed pipe), which here is no error.
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut command, "caselog", &mut script);
    out.write_all(&script)?;
    Ok(EXIT_OK)
}

pub fn man(command: clap::Command, out: &mut dyn Write) -> Result<u8> {
    clap_mangen::Man::new(command)
        .render(out)
        .context("writing the man page")?;
    Ok(EXIT_OK)
}

/// The case log a completion looks in: `$CASELOG_DIR`, else the nearest
/// one up from the current folder (`--dir` on the line is not seen).
fn session() -> Option<super::Session> {
    let dir = std::env::var_os("CASELOG_DIR").map(std::path::PathBuf::from);
    super::Session::from_env(dir, super::Terminal::default()).ok()
}

/// The most candidates whose titles are read for the shell to show.
const TITLED: usize = 64;

/// Case ids starting with what was typed, from the files' names alone (no
/// case is parsed: fast at 100,000 cases); when few are left, each with
/// its title as the description (zsh and fish show it).
pub fn case_ids(current: &OsStr) -> Vec<CompletionCandidate> {
    let Some(session) = session() else {
        return Vec::new();
    };
    let Ok(store) = session.store() else {
        return Vec::new();
    };
    let typed = current.to_string_lossy().to_lowercase();
    let mut found: Vec<(String, std::path::PathBuf)> = walkdir::WalkDir::new(store.cases_dir())
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .filter_map(|e| {
            let name = e.file_name().to_str()?;
            let id = name.strip_suffix(".toml")?;
            (CaseId::parse_full(id).is_some() && id.starts_with(&typed))
                .then(|| (id.to_string(), e.path().to_path_buf()))
        })
        .collect();
    found.sort();
    let titled = found.len() <= TITLED;
    found
        .into_iter()
        .map(|(id, path)| {
            let title = titled.then(|| title_of(&path)).flatten();
            CompletionCandidate::new(id)
                .help(title.map(|t| untrusted::line(&t).into_owned().into()))
        })
        .collect()
}

/// A case's title from the top of its file, without parsing the rest.
fn title_of(path: &std::path::Path) -> Option<String> {
    use std::io::Read;
    let mut head = vec![0; 2048];
    let read = std::fs::File::open(path).ok()?.read(&mut head).ok()?;
    let head = String::from_utf8_lossy(&head[..read]);
    let line = head.lines().find(|l| l.starts_with("title = "))?;
    let value: toml::Table = toml::from_str(line).ok()?;
    value.get("title")?.as_str().map(str::to_string)
}

/// Values of one field across the log (light cases, through the index).
fn from_log(values: impl Fn(&crate::case::Case) -> Vec<String> + Sync) -> Vec<String> {
    let Some(session) = session() else {
        return Vec::new();
    };
    let mut all: Vec<String> = session
        .every_case(|case| Some(values(case)))
        .map(|scan| scan.cases.into_iter().flatten().collect())
        .unwrap_or_default();
    all.sort();
    all.dedup();
    all
}

fn candidates(values: Vec<String>, current: &OsStr) -> Vec<CompletionCandidate> {
    let typed = current.to_string_lossy().to_lowercase();
    values
        .into_iter()
        .filter(|v| v.to_lowercase().starts_with(&typed))
        .map(CompletionCandidate::new)
        .collect()
}

/// Categories: the settings' list, else those the log uses.
pub fn categories(current: &OsStr) -> Vec<CompletionCandidate> {
    let listed = session()
        .and_then(|s| s.settings().ok().map(|s| s.categories.clone()))
        .unwrap_or_default();
    let values = if listed.is_empty() {
        from_log(|case| case.category.iter().cloned().collect())
    } else {
        listed
    };
    candidates(values, current)
}

/// People: the settings' list, else everyone the log names as assignee.
pub fn people(current: &OsStr) -> Vec<CompletionCandidate> {
    let listed = session()
        .and_then(|s| s.settings().ok().map(|s| s.people.clone()))
        .unwrap_or_default();
    let values = if listed.is_empty() {
        from_log(|case| {
            case.assignee
                .iter()
                .cloned()
                .chain(case.events.iter().filter_map(|e| e.to.clone()))
                .collect()
        })
    } else {
        listed
    };
    candidates(values, current)
}

/// Tags the log uses.
pub fn tags(current: &OsStr) -> Vec<CompletionCandidate> {
    candidates(from_log(|case| case.tags.clone()), current)
}
