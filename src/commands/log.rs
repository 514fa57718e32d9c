//! `caselog log ID`: the history of one case from git, commit by commit:
//! who changed it when, and what each commit did to it.

use std::io::Write;

use anyhow::Result;
use serde::Serialize;

use super::Session;
use super::args::words;
use super::changes::Format;
use crate::case::Case;
use crate::case::redaction;
use crate::error::{EXIT_OK, InputError};
use crate::git;
use crate::git::history::{self, CaseChange};
use crate::time::format_time;
use crate::untrusted::line;
use clap::Args;

/// The history of one case from git: each commit that touched it, with
/// author, date, and what it did to the case
#[derive(Debug, Args)]
pub struct LogArgs {
    /// The case: its id, or a unique prefix or suffix of it; also a case
    /// since deleted from the log
    #[arg(add = clap_complete::ArgValueCompleter::new(super::completions::case_ids))]
    pub id: String,
    #[arg(long, default_value = "text", value_parser = words::<Format>(Format::WORDS))]
    pub format: Format,
}

#[derive(Serialize)]
struct Entry {
    commit: String,
    author: String,
    date: String,
    subject: String,
    /// The people the commit's events name as acting (`by`), in order,
    /// each once: who did the work, which the commit author (a teammate
    /// committing for others, a bot) may not be.
    acted: Vec<String>,
    change: CaseChange,
}

/// The people who acted in `change`, each once, in the order they acted.
fn acted(change: &CaseChange) -> Vec<String> {
    let mut people: Vec<String> = Vec::new();
    for event in &change.events {
        if !people.contains(&event.by) {
            people.push(event.by.clone());
        }
    }
    people
}

/// Whether `person` (an event's `by`) is the commit's author, `Name
/// <email>`, by name or by address in any letter case.
fn is_author(person: &str, author: &str) -> bool {
    let person = person.trim().to_lowercase();
    let author = author.to_lowercase();
    let (name, email) = match author.split_once(" <") {
        Some((name, rest)) => (name.trim(), rest.trim_end_matches('>').trim()),
        None => (author.trim(), ""),
    };
    person == name || person == email || person == author
}

/// The author column: the commit's author, and beside it whoever acted
/// when that was someone else.
fn credit(entry: &Entry) -> String {
    let others: Vec<&str> = entry
        .acted
        .iter()
        .filter(|p| !is_author(p, &entry.author))
        .map(String::as_str)
        .collect();
    if others.is_empty() {
        line(&entry.author).into_owned()
    } else {
        format!(
            "{}, committed by {}",
            line(&others.join(", ")),
            line(&entry.author)
        )
    }
}

/// The deleted cases `query` names (by their id, or a prefix or suffix of
/// it, as for a case in the log), but `live`, the case the log holds.
fn deleted_cases(root: &std::path::Path, query: &str, live: Option<&str>) -> Result<Vec<String>> {
    Ok(git::deleted_case_ids(root)?
        .into_iter()
        .filter(|id| id.starts_with(query) || id.ends_with(query))
        .filter(|id| Some(id.as_str()) != live)
        .collect())
}

/// The one deleted case `query` names, if any.
fn deleted_case(root: &std::path::Path, query: &str) -> Result<Option<String>> {
    let mut matches = deleted_cases(root, query, None)?;
    match matches.len() {
        0 | 1 => Ok(matches.pop()),
        count => Err(InputError::AmbiguousCase {
            query: query.to_string(),
            count,
            listed: format!("{} (deleted)", matches.join(", ")),
        }
        .into()),
    }
}

pub fn run(session: &Session, args: LogArgs, out: &mut dyn Write) -> Result<u8> {
    let store = session.store()?;
    let root = store.root();
    let id = match store.find(&args.id) {
        Ok(path) => {
            git::require_history(root)?;
            let id = path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            // A part of an id may also name a case since deleted: which
            // one's story is wanted is asked, never guessed.
            let query = args.id.trim();
            if query != id {
                let deleted = deleted_cases(root, query, Some(&id))?;
                if !deleted.is_empty() {
                    return Err(InputError::AmbiguousCase {
                        query: query.to_string(),
                        count: deleted.len() + 1,
                        listed: format!("{id}, {} (deleted)", deleted.join(", ")),
                    }
                    .into());
                }
            }
            id
        }
        // A case deleted from the log still has its story in git.
        Err(err) if matches!(err.downcast_ref(), Some(InputError::UnknownCase(_))) => {
            git::require_history(root)?;
            deleted_case(root, &args.id)?.ok_or(err)?
        }
        Err(err) => return Err(err),
    };
    let mut blobs = git::Blobs::open(root)?;
    let commits = git::case_history(root, &id, &mut blobs)?;
    let shallow = git::shallow_commits(root)?;
    // Every path the case has had, newest first: a commit's parent holds
    // the case at one of them (the commit listed next may be on another
    // branch, with the case in another folder).
    let mut paths: Vec<&str> = Vec::new();
    for commit in &commits {
        if !paths.contains(&commit.path.as_str()) {
            paths.push(&commit.path);
        }
    }
    // The case as it is now (its file, and its newest commit): what a
    // redaction since erased, every earlier version is told without, as
    // `changes` tells a range that holds the redaction.
    let mut now: Vec<Case> = Vec::new();
    if let Ok(stored) = store.load(&id) {
        now.push(stored.case);
    }
    if let Some(newest) = commits.first() {
        let bytes = blobs.bytes(&newest.hash, &newest.path)?;
        now.extend(history::version(bytes, &newest.path).ok().flatten());
    }
    let as_now = |version: Result<Option<Case>, String>| {
        version.map(|version| {
            version.map(|case| {
                now.iter()
                    .fold(case, |case, now| redaction::catch_up(&case, now))
            })
        })
    };
    let mut cut_off = 0;
    let mut entries = Vec::new();
    for (i, commit) in commits.iter().enumerate() {
        if shallow.contains(&commit.hash) {
            // Its parent is not in this clone: told as if the case began
            // here, it would be a false story.
            cut_off += 1;
            continue;
        }
        let parent = format!("{}^", commit.hash);
        let next = commits.get(i + 1).map(|c| c.path.as_str());
        let mut older_path = commit.path.as_str();
        let mut before_bytes = None;
        let mut tried: Vec<&str> = Vec::new();
        for candidate in std::iter::once(commit.path.as_str())
            .chain(next)
            .chain(paths.iter().copied())
        {
            if tried.contains(&candidate) {
                continue;
            }
            tried.push(candidate);
            // A root commit has no parent: nothing before it.
            if let Some(bytes) = blobs.bytes(&parent, candidate)? {
                older_path = candidate;
                before_bytes = Some(bytes);
                break;
            }
        }
        let after_bytes = blobs.bytes(&commit.hash, &commit.path)?;
        let before = as_now(history::version(before_bytes, older_path));
        let after = as_now(history::version(after_bytes, &commit.path));
        let renamed_from = (older_path != commit.path).then(|| older_path.to_string());
        let change = match (before, after) {
            (Ok(before), Ok(after)) => {
                let kind = match (&before, &after) {
                    (None, Some(_)) => "added",
                    (Some(_), None) => "deleted",
                    _ if renamed_from.is_some() => "renamed",
                    _ => "modified",
                };
                history::describe(
                    before.as_ref(),
                    after.as_ref(),
                    kind,
                    &commit.path,
                    renamed_from,
                    session.zone(),
                )
            }
            // A version that is no case (a conflict committed, a hand edit
            // gone wrong) is said, not told as the case opened or deleted.
            (before, after) => {
                let title = [&after, &before]
                    .into_iter()
                    .find_map(|v| v.as_ref().ok().cloned().flatten())
                    .map_or_else(String::new, |c| c.title);
                let deleted = matches!(after, Ok(None));
                let said = match (before, after) {
                    (_, Err(why)) => format!("the case file here is not a valid case: {why}"),
                    // Whatever the file held, the commit took it away.
                    (Err(why), Ok(None)) => {
                        format!("case file deleted (it was not a valid case: {why})")
                    }
                    (Err(why), _) => format!(
                        "the case file before this commit is not a valid case ({why}), so what the commit changed cannot be told"
                    ),
                    _ => String::new(),
                };
                Some(CaseChange {
                    id: id.clone(),
                    title,
                    file: if deleted { "deleted" } else { "modified" },
                    path: commit.path.clone(),
                    renamed_from,
                    summary: vec![line(&said).into_owned()],
                    events: Vec::new(),
                    removed_events: Vec::new(),
                    fields: Vec::new(),
                })
            }
        };
        if let Some(change) = change {
            entries.push(Entry {
                commit: commit.hash.clone(),
                author: commit.author.clone(),
                date: commit.date.clone(),
                subject: commit.subject.clone(),
                acted: acted(&change),
                change,
            });
        }
    }
    if cut_off > 0 {
        super::say(&format!(
            "this clone is shallow: what the first {cut_off} commit(s) here did to {id} is not told, as the history before them is missing; `git fetch --unshallow` fetches it"
        ));
    }
    entries.reverse(); // oldest first, as a case's story is told
    match args.format {
        Format::Json => super::json::write(out, &entries)?,
        Format::Text | Format::Markdown => {
            for (i, e) in entries.iter().enumerate() {
                if i > 0 {
                    writeln!(out)?;
                }
                // git gives the date with the author's offset; people
                // read it in the log's zone, as every other time.
                let date = chrono::DateTime::parse_from_rfc3339(&e.date).map_or_else(
                    |_| e.date.clone(),
                    |t| format_time(t.with_timezone(&chrono::Utc), session.zone()),
                );
                writeln!(
                    out,
                    "{}  {date}  {}  {}",
                    &e.commit[..10.min(e.commit.len())],
                    credit(e),
                    line(&e.subject)
                )?;
                for s in &e.change.summary {
                    writeln!(out, "  {s}")?;
                }
            }
        }
    }
    Ok(EXIT_OK)
}
