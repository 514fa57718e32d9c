//! `caselog check`: validate every case file (or the ones named), for CI on
//! pull requests and for a pre-commit hook. Lists each problem as
//! `path:line: message` (or a GitHub Actions annotation) and exits 1 when
//! there is any.

use std::collections::BTreeMap;
use std::hash::{Hash, Hasher};
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Result;

use super::Session;
use super::args::words;
use crate::case::validate::{self, Problem, Severity};
use crate::case::{Case, file};
use crate::error::{EXIT_OK, InputError};
use crate::git;
use crate::settings::Settings;
use crate::store::index::{Clean, Found};
use crate::store::parallel_map;
use crate::store::{Finished, Store};
use crate::words::word_enum;
use clap::Args;

word_enum!(
    /// How `check` reports problems.
    Format, "format" {
        Text => "text",
        Github => "github",
    }
);

/// Exit code of `check` when it found a problem.
pub const EXIT_PROBLEMS: u8 = 1;

/// Up to how many leftover temporary files `check` names one by one.
const STALE_NAMED: usize = 10;

/// Validate every case file, for CI and pre-commit hooks
///
/// Each problem is listed as `path:line: message`: syntax and types,
/// unknown keys and values, leftover merge conflict markers, a file whose
/// path does not match its id, an id stored twice, events out of order, a
/// status the event log contradicts, and the like. Notes (`path:line:
/// note: …`) name fields edited by hand with no `edited` event, against the
/// event log and, in git, against HEAD; they never fail the check. Prints
/// nothing when all is well. Exit codes: 0 no problems, 1 problems listed,
/// 2 bad usage.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Check only these files [default: every case file]
    pub paths: Vec<PathBuf>,
    /// text, or github for GitHub Actions annotations (::error file=…,line=…::…)
    #[arg(long, default_value = "text", value_parser = words::<Format>(Format::WORDS))]
    pub format: Format,
    /// Remove the temporary files interrupted writes left (a crash, a full
    /// disk), when no other caselog is writing
    #[arg(long)]
    pub clean: bool,
    /// Validate every file [default: only the files changed since a check
    /// last found them clean]
    #[arg(long)]
    pub all: bool,
}

pub fn run(session: &Session, args: CheckArgs, out: &mut dyn Write) -> Result<u8> {
    let store = session.store()?;
    let settings = session.settings()?;
    let now = session.now()?;
    // First, so a batch a crash cut short lands before the files are read.
    let mut warnings: Vec<String> = Vec::new();
    if let Some(stale) = store.stale_files()? {
        for landing in &stale.landings {
            match landing {
                Finished::Nothing => {}
                Finished::Landed { rest, of } => warnings.push(format!(
                    "landed the last {rest} of {of} case files a change was writing together when it was interrupted"
                )),
                Finished::LeftAlone { of: 0, why, .. } => warnings.push(format!(
                    "a change writing case files together was interrupted, and {why}: check the cases changed last"
                )),
                Finished::LeftAlone { landed, of, why } => warnings.push(format!(
                    "a change writing {of} case files together was interrupted after {landed}, and the rest were not landed, as {why}: check the cases changed last"
                )),
            }
        }
        // A killed import can leave thousands: a few are named, more counted.
        let many = stale.files.len() > STALE_NAMED;
        let mut removed = 0;
        for file in &stale.files {
            let shown = store.shown(file);
            if args.clean {
                match std::fs::remove_file(file) {
                    Ok(()) if many => removed += 1,
                    Ok(()) => warnings.push(format!("removed {shown}")),
                    Err(e) => warnings.push(format!("{shown}: cannot be removed: {e}")),
                }
            } else if !many {
                warnings.push(format!(
                    "{shown}: a temporary file an interrupted write left (not one of the log's cases, which are each whole); `caselog check --clean` removes it"
                ));
            }
        }
        if many && args.clean {
            warnings.push(format!(
                "removed {removed} temporary files interrupted writes left"
            ));
        } else if many {
            warnings.push(format!(
                "{} temporary files interrupted writes left, such as {} (none is one of the log's cases, which are each whole); `caselog check --clean` removes them",
                stale.files.len(),
                store.shown(&stale.files[0])
            ));
        }
    }
    // The walk's files with their stat identities; `all_files` holds
    // their paths in the same order.
    let (walk, candidates) = store.walk_of(store.walk_found());
    let all_files = walk.files;
    // A file found clean before, unchanged since, under the same rules,
    // is not validated again (unless --all, or files are named).
    let rules = rules_fingerprint(settings);
    // With CASELOG_NO_INDEX every file is read, and nothing remembered.
    let remember = args.paths.is_empty() && session.use_index();
    let clean = if args.all || !remember {
        Clean::default()
    } else {
        store.clean_files(rules, now.timestamp())
    };
    let given: Vec<PathBuf> = args.paths.iter().map(|p| session.cwd().join(p)).collect();
    let files: &[PathBuf] = if args.paths.is_empty() {
        &all_files
    } else {
        &given
    };
    // By place: only the walk's own files are ever vouched for (files
    // named on the command line are all checked). `remember` means no
    // files were named, so `files` is `all_files`, one to one with
    // `candidates`: a place in one is the same file in the other.
    let to_check: Vec<(usize, &PathBuf)> = files
        .iter()
        .enumerate()
        .filter(|&(i, _)| !(remember && clean.vouches_for(&candidates[i])))
        .collect();

    let mut found: BTreeMap<String, Vec<Problem>> = BTreeMap::new();
    for err in walk.errors {
        found.entry(format!("{err:#}")).or_default();
    }
    if args.paths.is_empty() {
        for link in &walk.links {
            found.entry(store.shown(link)).or_default().push(validate::problem(
                1,
                "a symbolic link: caselog never follows links inside a case log; replace it with the real file or folder",
            ));
        }
    }
    let checked = parallel_map(&to_check, |(_, path)| {
        check_file(store, path, settings, now)
    });
    // By place in `files`: those with a problem are not remembered clean.
    let mut troubled = vec![false; files.len()];
    for (&(i, path), problems) in to_check.iter().zip(checked) {
        if !problems.is_empty() {
            troubled[i] = true;
            found.entry(store.shown(path)).or_default().extend(problems);
        }
    }
    for (path, notes) in edited_since_head(store, files) {
        found.entry(store.shown(&path)).or_default().extend(notes);
    }
    // A merge git left unsettled without markers (one side deleted the
    // case, the other changed it) reads as a whole, valid file.
    // Outside git, the listing fails and finds nothing.
    if args.paths.is_empty() {
        let unmerged = git::unmerged(store.root()).unwrap_or_default();
        // A merge stopped on a case file that git merged line by line, as
        // it does in a clone nobody ran `init --git` in: why, and the fix.
        if let Some(gap) = unmerged
            .first()
            .and_then(|path| git::driver_gap(store.root(), path))
        {
            warnings.push(driver_gap_words(&gap));
        }
        for relative in unmerged {
            found
                .entry(store.shown(&store.root().join(relative)))
                .or_default()
                .push(validate::problem(
                    1,
                    "git has not settled a merge of this file (such as one side deleting the case while the other changed it): settle it, then `git add` or `git rm` it",
                ));
        }
    }
    // The same id twice anywhere below cases/, judged by file name: a file
    // whose name and id differ is reported on its own. The files by name
    // (in walk order among equals), each name found by binary search.
    let mut by_id: Vec<(&str, &PathBuf)> = all_files
        .iter()
        .filter_map(|path| Some((path.file_stem()?.to_str()?, path)))
        .collect();
    by_id.sort_by(|a, b| a.0.cmp(b.0));
    for path in files {
        let Some(stem) = path.file_stem().and_then(|s| s.to_str()) else {
            continue;
        };
        let first = by_id.partition_point(|(id, _)| *id < stem);
        let others: Vec<String> = by_id[first..]
            .iter()
            .take_while(|(id, _)| *id == stem)
            .filter(|(_, p)| !same_file(p, path))
            .map(|(_, p)| store.shown(p))
            .collect();
        if !others.is_empty() {
            found
                .entry(store.shown(path))
                .or_default()
                .push(validate::problem(
                    1,
                    format!(
                        "case {stem} is also stored in {}: ids must be unique",
                        others.join(", ")
                    ),
                ));
        }
    }

    let mut any = false;
    for problems in found.values_mut() {
        problems.sort();
    }
    for (path, problems) in &found {
        if problems.is_empty() {
            // A folder that could not be read.
            writeln!(out, "{path}")?;
            any = true;
        }
        for p in problems {
            any |= p.is_error();
            let (level, prefix) = match p.severity {
                Severity::Error => ("error", ""),
                Severity::Warning => ("warning", "warning: "),
                Severity::Note => ("notice", "note: "),
            };
            match args.format {
                Format::Text => writeln!(out, "{path}:{}: {prefix}{}", p.line, p.message)?,
                Format::Github => writeln!(
                    out,
                    "::{level} file={},line={},title=caselog check::{}",
                    github_property(path),
                    p.line,
                    github_message(&p.message)
                )?,
            }
        }
    }
    // Housekeeping, not a problem with any case: said, but not failed on.
    for warning in &warnings {
        super::say(warning);
    }
    // With every file vouched for and none gone, the record would say
    // again what it says: it is left as it is.
    let unchanged = to_check.is_empty() && clean.count() == candidates.len();
    if remember && !unchanged {
        let now_clean: Vec<&Found> = candidates
            .iter()
            .zip(&troubled)
            .filter(|(_, troubled)| !**troubled)
            .map(|(found, _)| found)
            .collect();
        let _ = store.remember_clean(rules, now.timestamp(), &now_clean);
    }
    Ok(if any { EXIT_PROBLEMS } else { EXIT_OK })
}

/// Why case files were merged line by line here, and what to run.
fn driver_gap_words(gap: &git::DriverGap) -> String {
    let why = match gap {
        git::DriverGap::NotAttributed => {
            "no .gitattributes line sends case files to caselog's merge driver".to_string()
        }
        git::DriverGap::NotRegistered => {
            "caselog's merge driver is not registered in this clone (git does not clone config)"
                .to_string()
        }
        git::DriverGap::Gone(program) => format!(
            "the merge driver registered in this clone runs {}, which is gone",
            crate::untrusted::line(&program.display().to_string())
        ),
    };
    format!(
        "{why}, so git merged the case files line by line: run `caselog init --git`, then `git merge --abort` and merge again, to merge them event by event"
    )
}

/// Notes for fields changed since git's HEAD with no `edited` event, for
/// the checked files that differ from HEAD.
fn edited_since_head(store: &Store, files: &[PathBuf]) -> Vec<(PathBuf, Vec<Problem>)> {
    let mut out = Vec::new();
    for (path, earlier) in head_versions(store, files) {
        let Ok(text) = store.read_text(&path) else {
            continue;
        };
        let notes = validate::unrecorded_since(&text, &earlier);
        if !notes.is_empty() {
            out.push((path, notes));
        }
    }
    out
}

/// The case at git's HEAD of each of `files` whose working copy differs
/// from it: one `git diff` and one `git cat-file` for them all. Nothing
/// when the log is not in git; a file new since HEAD, or unreadable
/// there, is left out.
pub(super) fn head_versions(store: &Store, files: &[PathBuf]) -> Vec<(PathBuf, Case)> {
    let root = store.root();
    if !git::is_work_tree(root) {
        return Vec::new();
    }
    let Ok(changed) = git::changed_since_head(root) else {
        return Vec::new();
    };
    if changed.is_empty() {
        return Vec::new();
    }
    let wanted: Vec<(PathBuf, &PathBuf)> = files
        .iter()
        .filter_map(|f| Some((f.canonicalize().ok()?, f)))
        .collect();
    let Ok(mut blobs) = git::Blobs::open(root) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for relative in changed {
        let Ok(real) = root.join(&relative).canonicalize() else {
            continue;
        };
        let Some((_, path)) = wanted.iter().find(|(r, _)| *r == real) else {
            continue;
        };
        if let Ok(Some(text)) = blobs.text("HEAD", &relative)
            && let Ok(case) = file::parse(&relative, &text)
        {
            out.push(((*path).clone(), case));
        }
    }
    out
}

/// What a file's validation depends on besides its bytes: the settings
/// `check` judges by, and caselog's own version (a new version may check
/// more).
fn rules_fingerprint(settings: &Settings) -> u64 {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    env!("CARGO_PKG_VERSION").hash(&mut hasher);
    settings.categories.hash(&mut hasher);
    settings.clock_tolerance.to_string().hash(&mut hasher);
    settings.people.hash(&mut hasher);
    hasher.finish()
}

fn same_file(a: &Path, b: &Path) -> bool {
    a == b || a.canonicalize().ok() == b.canonicalize().ok()
}

fn check_file(
    store: &Store,
    path: &Path,
    settings: &crate::settings::Settings,
    now: chrono::DateTime<chrono::Utc>,
) -> Vec<Problem> {
    let text = match store.read_text(path) {
        Ok(text) => text,
        Err(err) => {
            return vec![match err.downcast::<InputError>() {
                Ok(InputError::InvalidFile { line, message, .. }) => {
                    validate::problem(line, message)
                }
                Ok(other) => validate::problem(1, other.to_string()),
                Err(err) => validate::problem(1, format!("cannot be read: {}", err.root_cause())),
            }];
        }
    };
    let relative = path.strip_prefix(store.cases_dir()).unwrap_or(path);
    validate::check(
        &text,
        relative,
        &validate::Rules {
            categories: &settings.categories,
            now,
            tolerance: settings.clock_tolerance.duration(),
        },
    )
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
