//! `caselog completions` and `caselog man`: generated from the clap
//! definitions, so they never drift from the real options; and the
//! completions that know the log (case ids with their titles, categories,
//! people, tags), which clap_complete's dynamic completion asks for when
//! the shell runs `COMPLETE=bash caselog -- …`.

use std::ffi::{OsStr, OsString};
use std::io::Write;
use std::path::PathBuf;

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

/// The case log a completion looks in, as the command would find it:
/// the `--dir` typed before the word being completed, else
/// `$CASELOG_DIR`, else the nearest one up from the current folder.
fn session() -> Option<super::Session> {
    let words: Vec<OsString> = std::env::args_os().collect();
    let current = std::env::var("_CLAP_COMPLETE_INDEX")
        .ok()
        .and_then(|i| i.parse().ok());
    let dir = typed_dir(&words, current, std::env::var_os("HOME"))
        .or_else(|| std::env::var_os("CASELOG_DIR").map(PathBuf::from));
    super::Session::from_env(dir, super::Terminal::default()).ok()
}

/// The last `--dir DIR` or `--dir=DIR` on the line being completed, before
/// the word being completed. `args` are the completer's own: the shell's
/// words come after `--`, the program's name first; `current` is the
/// index of the word being completed among them (bash, zsh and elvish
/// give it; else it is the last). A leading `~/` is the home folder, as
/// the shell would have made it once the command ran.
fn typed_dir(args: &[OsString], current: Option<usize>, home: Option<OsString>) -> Option<PathBuf> {
    let start = args.iter().position(|a| a == "--")? + 1;
    let line = &args[start..];
    let current = current.unwrap_or(line.len().saturating_sub(1));
    let before = &line[..current.min(line.len())];
    let mut dir: Option<&OsStr> = None;
    let mut words = before.iter().skip(1);
    while let Some(word) = words.next() {
        if word == "--" {
            break; // only operands follow
        } else if word == "--dir" {
            // bash splits `--dir=X` at the `=` (COMP_WORDBREAKS).
            let value = match words.next() {
                Some(equals) if equals == "=" => words.next(),
                value => value,
            };
            dir = value.map(OsString::as_os_str).or(dir);
        } else if let Some(value) = word.to_str().and_then(|w| w.strip_prefix("--dir=")) {
            dir = Some(OsStr::new(value));
        }
    }
    let dir = dir?;
    match (dir.to_str().and_then(|d| d.strip_prefix("~/")), home) {
        (Some(below), Some(home)) => Some(PathBuf::from(home).join(below)),
        _ => Some(PathBuf::from(dir)),
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn line(words: &str) -> Vec<OsString> {
        ["caselog", "--"]
            .into_iter()
            .chain(words.split(' '))
            .map(OsString::from)
            .collect()
    }

    fn dir(words: &str, current: Option<usize>) -> Option<PathBuf> {
        typed_dir(&line(words), current, Some("/home/ana".into()))
    }

    #[test]
    fn the_dir_typed_before_the_word_is_the_log_completed_from() {
        assert_eq!(dir("caselog show 2026", None), None);
        assert_eq!(
            dir("caselog --dir logs show 2026", None),
            Some("logs".into())
        );
        assert_eq!(dir("caselog show --dir=a/b 2026", None), Some("a/b".into()));
        // As bash hands `--dir=a/b` over: split at the `=`.
        assert_eq!(
            dir("caselog --dir = a/b show 2026", Some(5)),
            Some("a/b".into())
        );
        assert_eq!(
            dir("caselog --dir a show --dir b 2", None),
            Some("b".into())
        );
        assert_eq!(
            dir("caselog --dir ~/logs show 2", None),
            Some("/home/ana/logs".into())
        );
    }

    #[test]
    fn a_dir_being_typed_or_after_the_word_or_an_operand_is_not() {
        // The value itself is being completed.
        assert_eq!(dir("caselog --dir lo", None), None);
        // bash completes a word in the middle: what follows it is not seen.
        assert_eq!(dir("caselog show 2026 --dir logs", Some(2)), None);
        assert_eq!(dir("caselog note 2026 -- --dir x", None), None);
        // No `--` at all: not a completion request.
        assert_eq!(typed_dir(&[OsString::from("caselog")], None, None), None);
    }
}
