//! `caselog check`: validate every case file (or the ones named), for CI on
//! pull requests and for a pre-commit hook. Lists each problem as
//! `path:line: message` (or a GitHub Actions annotation) and exits 1 when
//! there is any.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Result;

use super::Session;
use crate::clock;
use crate::error::EXIT_OK;
use crate::store::CaseLog;
use crate::validate::{self, Problem};
use crate::words::word_enum;

word_enum!(
    /// How `check` reports problems.
    Format, "format" {
        Text => "text",
        Github => "github",
    }
);

/// Exit code of `check` when it found a problem.
pub const EXIT_PROBLEMS: u8 = 1;

pub struct Request {
    /// Check only these files; every case file when empty.
    pub paths: Vec<PathBuf>,
    pub format: Format,
}

pub fn run(session: &Session, request: Request, out: &mut dyn Write) -> Result<u8> {
    let log = session.log()?;
    let settings = session.settings(&log)?;
    let now = clock::now()?;
    let (all_files, walk_errors) = log.case_files();
    let files: Vec<PathBuf> = if request.paths.is_empty() {
        all_files.clone()
    } else {
        request.paths.iter().map(|p| session.cwd.join(p)).collect()
    };

    let mut found: BTreeMap<String, Vec<Problem>> = BTreeMap::new();
    for err in walk_errors {
        found.entry(format!("{err:#}")).or_default();
    }
    let checked = parallel(&files, |path| check_file(&log, path, &settings, now));
    for (path, problems) in files.iter().zip(checked) {
        if !problems.is_empty() {
            found.entry(log.shown(path)).or_default().extend(problems);
        }
    }
    // The same id twice anywhere below cases/, judged by file name: a file
    // whose name and id differ is reported on its own.
    let mut by_id: BTreeMap<&str, Vec<&PathBuf>> = BTreeMap::new();
    for path in &all_files {
        if let Some(stem) = path.file_stem().and_then(|s| s.to_str()) {
            by_id.entry(stem).or_default().push(path);
        }
    }
    for path in &files {
        let Some(stem) = path.file_stem().and_then(|s| s.to_str()) else {
            continue;
        };
        let others: Vec<String> = by_id
            .get(stem)
            .into_iter()
            .flatten()
            .filter(|p| !same_file(p, path))
            .map(|p| log.shown(p))
            .collect();
        if !others.is_empty() {
            found.entry(log.shown(path)).or_default().push(Problem {
                line: 1,
                message: format!(
                    "case {stem} is also stored in {}: ids must be unique",
                    others.join(", ")
                ),
            });
        }
    }

    let mut any = false;
    for (path, problems) in &found {
        if problems.is_empty() {
            // A folder that could not be read.
            writeln!(out, "{path}")?;
            any = true;
        }
        for p in problems {
            any = true;
            match request.format {
                Format::Text => writeln!(out, "{path}:{}: {}", p.line, p.message)?,
                Format::Github => writeln!(
                    out,
                    "::error file={},line={},title=caselog check::{}",
                    github_property(path),
                    p.line,
                    github_message(&p.message)
                )?,
            }
        }
    }
    Ok(if any { EXIT_PROBLEMS } else { EXIT_OK })
}

fn same_file(a: &Path, b: &Path) -> bool {
    a == b || a.canonicalize().ok() == b.canonicalize().ok()
}

fn check_file(
    log: &CaseLog,
    path: &Path,
    settings: &crate::settings::Settings,
    now: chrono::DateTime<chrono::Utc>,
) -> Vec<Problem> {
    let text = match std::fs::read(path) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(text) => text,
            Err(_) => {
                return vec![Problem {
                    line: 1,
                    message: "not UTF-8 text".into(),
                }];
            }
        },
        Err(e) => {
            return vec![Problem {
                line: 1,
                message: format!("cannot be read: {e}"),
            }];
        }
    };
    let relative = path.strip_prefix(log.cases_dir()).unwrap_or(path);
    validate::check(&text, relative, settings, now)
}

/// Maps `check` over `items` on all cores, keeping their order.
fn parallel<T: Sync, R: Send>(items: &[T], check: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism()
        .map_or(1, usize::from)
        .min(items.len() / 64 + 1);
    let chunk = items.len().div_ceil(threads).max(1);
    let check = &check;
    std::thread::scope(|scope| {
        let workers: Vec<_> = items
            .chunks(chunk)
            .map(|part| scope.spawn(move || part.iter().map(check).collect::<Vec<R>>()))
            .collect();
        workers
            .into_iter()
            .flat_map(|w| {
                w.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    })
}

/// GitHub workflow commands need `%`, CR and LF escaped in messages…
fn github_message(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// …and also `:` and `,` in properties such as the file name.
fn github_property(text: &str) -> String {
    github_message(text).replace(':', "%3A").replace(',', "%2C")
}
