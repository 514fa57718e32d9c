//! The index (`.caselog/facts`, `.caselog/search.sqlite`, `.caselog/checked`)
//! is a cache: with it or without it (`CASELOG_NO_INDEX=1`), deleted,
//! damaged, of an older layout, or rewritten by another caselog, every
//! command gives the same answer.
//!
//! A file changed within 2 s before an index was written is read again
//! (git's racy-clean rule), so a test that only ever looks right after a
//! change never sees the index trusted. These tests set case files' mtimes
//! into the past instead of sleeping, and then look twice: the first look
//! reads what changed (setting an mtime moves the ctime) and rewrites the
//! index; the second trusts it.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use chrono::{DateTime, Utc};
use proptest::prelude::*;
use serde_json::Value;

use crate::harness::{Log, NOW};
use crate::merge::git_ok;

/// Every whole-log command the index serves, for one case id and one word.
/// (`check` stands for itself with the index, and for `check --all`
/// without: it must validate whatever changed since it last found a file
/// clean.)
fn whole_log_commands(id: &str, word: &str) -> Vec<Vec<String>> {
    let commands: [&[&str]; 11] = [
        &["list"],
        &["list", "--status", "open", "--sort", "due"],
        &["due", "--all", "--format", "json"],
        &["report", "--format", "json"],
        &["report", "--by", "customer", "--format", "json"],
        &["search", word],
        &["search", word, "--format", "json"],
        &["similar", id, "--all"],
        &["show", id],
        &["check", "--all"],
        &["check"],
    ];
    commands
        .iter()
        .map(|c| c.iter().map(|s| s.to_string()).collect())
        .collect()
}

/// What one command answered: its words, exit code, stdout and stderr.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Answer {
    command: String,
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

fn answer(log: &Log, args: &[String], now: &str, no_index: bool) -> Answer {
    let mut run = if no_index && args == ["check"] {
        log.run(["check", "--all"])
    } else {
        log.run(args)
    };
    run = run.at(now);
    if no_index {
        run = run.env("CASELOG_NO_INDEX", "1");
    }
    let out = run.output();
    Answer {
        command: args.join(" "),
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn answers(log: &Log, commands: &[Vec<String>], now: &str, no_index: bool) -> Vec<Answer> {
    commands
        .iter()
        .map(|c| answer(log, c, now, no_index))
        .collect()
}

/// The first difference between two runs of the same commands, if any.
fn difference(what: &str, got: &[Answer], want: &[Answer]) -> Option<String> {
    got.iter().zip(want).find(|(g, w)| g != w).map(|(g, w)| {
        format!(
            "`caselog {}` {what} differs from --no-index:\n--- with the index (exit {:?})\nstdout:\n{}\nstderr:\n{}\n--- CASELOG_NO_INDEX=1 (exit {:?})\nstdout:\n{}\nstderr:\n{}",
            g.command, g.code, g.stdout, g.stderr, w.code, w.stdout, w.stderr
        )
    })
}

/// Runs `commands` with the index and without it and, when `twice`, with
/// the index again, so the second run trusts what the first wrote. Every
/// run must give the same answers, and none may fail as a system failure.
///
/// The runs without the index write no index, so they go on a second
/// thread beside the first run with it; all but `check`, which looks for
/// temporary files left in `.caselog/` and would see the index's own (see
/// `check_never_takes_an_index_being_written_for_an_interrupted_write`).
fn compare(log: &Log, commands: &[Vec<String>], now: &str, twice: bool) -> Result<(), String> {
    let alone = |c: &Vec<String>| c[0] == "check";
    let (first, mut plain) = std::thread::scope(|scope| {
        let plain = scope.spawn(|| {
            commands
                .iter()
                .map(|c| (!alone(c)).then(|| answer(log, c, now, true)))
                .collect::<Vec<_>>()
        });
        let first = answers(log, commands, now, false);
        (first, plain.join().expect("the run without the index"))
    });
    for (c, answered) in commands.iter().zip(&mut plain) {
        if answered.is_none() {
            *answered = Some(answer(log, c, now, true));
        }
    }
    let plain: Vec<Answer> = plain.into_iter().flatten().collect();
    let second = twice.then(|| answers(log, commands, now, false));
    if let Some(failed) = plain.iter().chain(&first).find(|a| a.code == Some(3)) {
        return Err(format!(
            "`caselog {}` failed: {}",
            failed.command, failed.stderr
        ));
    }
    if let Some(d) = difference("(first run)", &first, &plain) {
        return Err(d);
    }
    if let Some(second) = second
        && let Some(d) = difference("(second run, index trusted)", &second, &plain)
    {
        return Err(d);
    }
    Ok(())
}

#[track_caller]
fn assert_agrees(log: &Log, id: &str, word: &str) {
    if let Err(d) = compare(log, &whole_log_commands(id, word), NOW, true) {
        panic!("{d}");
    }
}

/// One command's stdout with the index, checked against the same command
/// without it.
#[track_caller]
fn agreed(log: &Log, args: &[&str]) -> Answer {
    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    let with = answer(log, &args, NOW, false);
    let without = answer(log, &args, NOW, true);
    if let Some(d) = difference("", std::slice::from_ref(&with), &[without]) {
        panic!("{d}");
    }
    with
}

// ---- Files and their stat identity ----

/// Every case file below `cases/`, in path order.
fn case_files(log: &Log) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = walkdir::WalkDir::new(log.path().join("cases"))
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file() && e.file_name().to_string_lossy().ends_with(".toml"))
        .map(walkdir::DirEntry::into_path)
        .collect();
    files.sort();
    files
}

fn stem(path: &Path) -> String {
    path.file_stem().unwrap().to_string_lossy().into_owned()
}

fn set_mtime(path: &Path, at: SystemTime) {
    fs::File::options()
        .write(true)
        .open(path)
        .and_then(|f| f.set_modified(at))
        .unwrap_or_else(|e| panic!("setting the mtime of {}: {e}", path.display()));
}

fn ago(seconds: u64) -> SystemTime {
    SystemTime::now() - Duration::from_secs(seconds)
}

/// Sets every case file's mtime `seconds` into the past, so an index
/// written from now on may trust it.
fn age_all(log: &Log, seconds: u64) {
    for file in case_files(log) {
        set_mtime(&file, ago(seconds));
    }
}

/// Rewrites a file in place (same inode) with `change` of its text, which
/// must keep its size, then puts its mtime back: only the ctime moves.
fn edit_keeping_size_and_mtime(path: &Path, change: impl FnOnce(&str) -> String) {
    let before = fs::metadata(path).unwrap();
    let text = fs::read_to_string(path).unwrap();
    let changed = change(&text);
    assert_eq!(changed.len(), text.len(), "the edit must keep the size");
    assert_ne!(changed, text, "the edit must change something");
    fs::write(path, changed).unwrap();
    set_mtime(path, before.modified().unwrap());
    let after = fs::metadata(path).unwrap();
    assert_eq!(after.len(), before.len());
    assert_eq!(after.modified().unwrap(), before.modified().unwrap());
}

/// A file's stat identity as the index sees it (to tell whether a command
/// rewrote it).
#[cfg(unix)]
fn identity(path: &Path) -> (u64, u64, i64, i64, i64, i64) {
    use std::os::unix::fs::MetadataExt;
    let m = fs::metadata(path).unwrap();
    (
        m.ino(),
        m.size(),
        m.mtime(),
        m.mtime_nsec(),
        m.ctime(),
        m.ctime_nsec(),
    )
}

/// `text` with the value of its top-level `key = "…"` line changed, as a
/// hand edit would.
fn edit_value(text: &str, key: &str, change: impl FnOnce(&str) -> String) -> String {
    let prefix = format!("{key} = \"");
    let start = text
        .find(&format!("\n{prefix}"))
        .map(|i| i + 1 + prefix.len())
        .unwrap_or_else(|| panic!("no {key} in\n{text}"));
    let end = start + text[start..].find('"').unwrap();
    format!(
        "{}{}{}",
        &text[..start],
        change(&text[start..end]),
        &text[end..]
    )
}

/// The title with one letter swapped for the next: the same size.
fn swap_a_letter(value: &str) -> String {
    let mut done = false;
    value
        .chars()
        .map(|c| {
            if done || !c.is_ascii_alphabetic() {
                return c;
            }
            done = true;
            match c {
                'z' => 'a',
                'Z' => 'A',
                c => char::from(c as u8 + 1),
            }
        })
        .collect()
}

/// `open` ↔ `Open`: a status no case can have, and back; the same size.
fn toggle_first_letter_case(value: &str) -> String {
    let mut chars = value.chars();
    let first = chars.next().unwrap();
    let first = if first.is_ascii_lowercase() {
        first.to_ascii_uppercase()
    } else {
        first.to_ascii_lowercase()
    };
    std::iter::once(first).chain(chars).collect()
}

fn work(log: &Log) -> PathBuf {
    log.path().join(".caselog")
}

fn facts(log: &Log) -> PathBuf {
    work(log).join("facts")
}

fn search_db(log: &Log) -> PathBuf {
    work(log).join("search.sqlite")
}

// ---- Logs to look at ----

fn step(log: &Log, at: &str, args: &[&str]) -> String {
    log.run(args).at(at).ok()
}

/// A small log: repeat customers, a note, a resolved case, a waiting case,
/// a void case and a case whose complaint is a placeholder.
fn sample_log() -> (Log, Vec<String>) {
    let log = Log::new();
    let open = |at: &str, title: &str, customer: &str, reference: &str, summary: &str| {
        step(
            &log,
            at,
            &[
                "open",
                "--quiet",
                "--title",
                title,
                "--customer",
                customer,
                "--reference",
                reference,
                "--summary",
                summary,
            ],
        )
        .trim()
        .to_string()
    };
    let a = open(
        "2026-11-01T09:00:00Z",
        "Refund not received",
        "Maria López",
        "A-1",
        "I cancelled order A-1001 and was promised a refund.",
    );
    let b = open(
        "2026-11-03T09:00:00Z",
        "Parcel arrived damaged",
        "Bob Stone",
        "B-7",
        "The parcel was crushed and the vase inside broken.",
    );
    let c = open(
        "2026-11-05T09:00:00Z",
        "Refund for the broken vase",
        "Bob Stone",
        "B-7",
        "Still no refund for the vase that arrived broken.",
    );
    let d = open(
        "2026-11-06T09:00:00Z",
        "Invoice charged twice",
        "Maria López",
        "A-1",
        "My card was charged twice for one invoice.",
    );
    let e = open(
        "2026-11-07T09:00:00Z",
        "Refund request",
        "Chen Wu",
        "C-3",
        "No narrative",
    );
    let f = open(
        "2026-11-08T09:00:00Z",
        "Refund opened twice",
        "Chen Wu",
        "C-3",
        "A refund case opened by mistake.",
    );
    step(
        &log,
        "2026-11-02T10:00:00Z",
        &["note", &a, "Called the bank about the refund"],
    );
    step(&log, "2026-11-04T10:00:00Z", &["assign", &b, "ben"]);
    step(
        &log,
        "2026-11-06T10:00:00Z",
        &[
            "resolve",
            &b,
            "--summary",
            "Sent a new vase",
            "--outcome",
            "upheld",
        ],
    );
    step(
        &log,
        "2026-11-08T10:00:00Z",
        &["close", &f, "--opened-in-error", "--reason", "a test"],
    );
    step(
        &log,
        "2026-11-09T10:00:00Z",
        &[
            "wait",
            &c,
            "--on",
            "customer",
            "--reason",
            "photos of the vase",
        ],
    );
    (log, vec![a, b, c, d, e, f])
}

// ---- The property ----

const TITLES: [&str; 6] = [
    "Refund not received",
    "Parcel arrived damaged",
    "Invoice charged twice",
    "Late delivery of the sofa",
    "Refund for a damaged parcel",
    "Rude call about the invoice",
];
const SUMMARIES: [&str; 4] = [
    "I cancelled the order and was promised a refund.",
    "The parcel was crushed and the sofa cushion torn.",
    "No narrative",
    "The courier was late and rude about the invoice.",
];
const CUSTOMERS: [(&str, &str); 3] = [("Maria", "A-1"), ("Bob", "B-7"), ("Chen", "C-3")];
const WORDS: [&str; 6] = ["refund", "parcel", "invoice", "sofa", "damaged", "late"];

/// One step of a history.
#[derive(Debug, Clone)]
enum Op {
    /// `caselog open`, quietly or with its hints (which use the index).
    Open {
        title: usize,
        summary: usize,
        customer: usize,
        minutes: u32,
        quiet: bool,
    },
    /// A caselog command on a case, `minutes` after the last.
    Command {
        kind: u8,
        case: usize,
        minutes: u32,
    },
    /// A letter of the title changed by hand, size and mtime kept.
    SwapLetter {
        case: usize,
    },
    /// The status made unreadable by hand (`Open`), or readable again,
    /// size and mtime kept.
    ToggleStatus {
        case: usize,
    },
    /// A line that breaks the TOML added by hand, or removed again.
    ToggleBrokenLine {
        case: usize,
    },
    Delete {
        case: usize,
    },
    /// Moved into `cases/archive/`, or back from it.
    Archive {
        case: usize,
    },
    /// Copied, so the id is stored twice.
    Duplicate {
        case: usize,
    },
    /// Everything committed, and the other branch checked out.
    Checkout,
    /// A new mtime, the same bytes.
    Touch {
        case: usize,
        into_the_past: bool,
    },
    /// Every case file's mtime set this far into the past.
    Age {
        seconds: u64,
    },
    /// `.caselog/` deleted.
    ForgetIndex,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (0..TITLES.len(), 0..SUMMARIES.len(), 0..CUSTOMERS.len(), 0u32..3000, any::<bool>())
            .prop_map(|(title, summary, customer, minutes, quiet)| Op::Open {
                title,
                summary,
                customer,
                minutes,
                quiet
            }),
        6 => (0u8..10, 0usize..64, 0u32..3000)
            .prop_map(|(kind, case, minutes)| Op::Command { kind, case, minutes }),
        3 => (0usize..64).prop_map(|case| Op::SwapLetter { case }),
        2 => (0usize..64).prop_map(|case| Op::ToggleStatus { case }),
        1 => (0usize..64).prop_map(|case| Op::ToggleBrokenLine { case }),
        1 => (0usize..64).prop_map(|case| Op::Delete { case }),
        1 => (0usize..64).prop_map(|case| Op::Archive { case }),
        1 => (0usize..64).prop_map(|case| Op::Duplicate { case }),
        1 => Just(Op::Checkout),
        1 => (0usize..64, any::<bool>())
            .prop_map(|(case, into_the_past)| Op::Touch { case, into_the_past }),
        2 => (10u64..100_000).prop_map(|seconds| Op::Age { seconds }),
        1 => Just(Op::ForgetIndex),
    ]
}

/// When to compare after a step.
#[derive(Debug, Clone, Copy)]
enum Look {
    Not,
    /// Right away: files just changed are racy, the rest trusted.
    Now,
    /// After setting every mtime into the past, twice, so the second run
    /// trusts every file.
    Aged,
}

fn look() -> impl Strategy<Value = Look> {
    prop_oneof![2 => Just(Look::Not), 1 => Just(Look::Now), 1 => Just(Look::Aged)]
}

/// A case log in git with two branches that hold different cases.
struct History {
    log: Log,
    /// The pinned clock of the next command.
    at: DateTime<Utc>,
    branch: &'static str,
    /// A watcher keeping account of the log's changes, where one is
    /// asked for; started again when `.caselog/` (its socket) is deleted.
    watcher: Option<Watcher>,
}

fn rfc3339(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

impl History {
    fn new() -> History {
        let log = Log::empty();
        git_ok(log.path(), &["init", "-q", "-b", "main"]);
        log.run(["init"]).ok();
        let mut history = History {
            log,
            at: "2026-11-01T09:00:00Z".parse().unwrap(),
            branch: "main",
            watcher: None,
        };
        for (title, summary, customer) in [(0, 0, 0), (1, 1, 1), (2, 3, 0)] {
            history.open(title, summary, customer, 60, true);
        }
        history.commit();
        git_ok(history.log.path(), &["checkout", "-q", "-b", "other"]);
        let first = case_files(&history.log)[0].clone();
        fs::remove_file(first).unwrap();
        for (title, summary, customer) in [(3, 1, 2), (4, 0, 1)] {
            history.open(title, summary, customer, 90, true);
        }
        history.commit();
        git_ok(history.log.path(), &["checkout", "-q", "main"]);
        history
    }

    fn commit(&self) {
        git_ok(self.log.path(), &["add", "-A"]);
        git_ok(
            self.log.path(),
            &["commit", "-q", "--allow-empty", "--no-verify", "-m", "step"],
        );
    }

    fn now(&self) -> String {
        rfc3339(self.at)
    }

    fn open(&mut self, title: usize, summary: usize, customer: usize, minutes: u32, quiet: bool) {
        self.at += chrono::Duration::minutes(i64::from(minutes));
        let (name, reference) = CUSTOMERS[customer];
        let mut args = vec![
            "open",
            "--title",
            TITLES[title],
            "--customer",
            name,
            "--reference",
            reference,
            "--summary",
            SUMMARIES[summary],
        ];
        if quiet {
            args.push("--quiet");
        }
        let out = self.log.run(args).at(&self.now()).output();
        assert!(out.status.success(), "{out:?}");
    }

    /// The case file `n` picks (modulo how many there are).
    fn pick(&self, n: usize) -> PathBuf {
        let files = case_files(&self.log);
        files[n % files.len()].clone()
    }

    fn apply(&mut self, op: &Op) {
        match *op {
            Op::Open {
                title,
                summary,
                customer,
                minutes,
                quiet,
            } => self.open(title, summary, customer, minutes, quiet),
            Op::Command {
                kind,
                case,
                minutes,
            } => {
                self.at += chrono::Duration::minutes(i64::from(minutes));
                let id = stem(&self.pick(case));
                let id = id.as_str();
                let title = TITLES[case % TITLES.len()];
                let args: Vec<&str> = match kind {
                    0 => vec!["note", id, "Spoke to the courier about the refund"],
                    1 => vec!["annotate", "--kind", "reply", id, "We are on it"],
                    2 => vec![
                        "resolve",
                        id,
                        "--summary",
                        "Refunded the order",
                        "--outcome",
                        "upheld",
                    ],
                    3 => vec!["close", id],
                    4 => vec!["reopen", id, "--reason", "The customer wrote again"],
                    5 => vec!["assign", id, "ben"],
                    6 => vec!["edit", id, "--title", title],
                    7 => vec!["wait", id, "--on", "customer", "--reason", "photos"],
                    8 => vec!["close", id, "--opened-in-error", "--reason", "a test"],
                    _ => vec!["follow-up", id, "--done", "--satisfied", "yes"],
                };
                // Refusals (a closed case resolved, a broken file) are
                // answers like any other; only a system failure is wrong.
                let out = self.log.run(args).at(&self.now()).output();
                assert_ne!(out.status.code(), Some(3), "{out:?}");
            }
            Op::SwapLetter { case } => {
                edit_keeping_size_and_mtime(&self.pick(case), |text| {
                    edit_value(text, "title", swap_a_letter)
                });
            }
            Op::ToggleStatus { case } => {
                edit_keeping_size_and_mtime(&self.pick(case), |text| {
                    edit_value(text, "status", toggle_first_letter_case)
                });
            }
            Op::ToggleBrokenLine { case } => {
                const BROKEN: &str = "[[[ not toml\n";
                let path = self.pick(case);
                let text = fs::read_to_string(&path).unwrap();
                let changed = match text.strip_suffix(BROKEN) {
                    Some(fixed) => fixed.to_string(),
                    None => format!("{text}{BROKEN}"),
                };
                fs::write(&path, changed).unwrap();
            }
            Op::Delete { case } => {
                // Never the last file: an empty log is a bug of its own
                // (see `a_log_that_was_empty_lists_the_cases_opened_since`).
                if case_files(&self.log).len() > 1 {
                    fs::remove_file(self.pick(case)).unwrap();
                }
            }
            Op::Archive { case } => {
                let path = self.pick(case);
                let id = stem(&path);
                let archive = self.log.path().join("cases/archive");
                let target = if path.starts_with(&archive) {
                    self.log.case_path(&id)
                } else {
                    archive.join(format!("{id}.toml"))
                };
                if !target.exists() {
                    fs::create_dir_all(target.parent().unwrap()).unwrap();
                    fs::rename(&path, &target).unwrap();
                }
            }
            Op::Duplicate { case } => {
                let path = self.pick(case);
                let copy = self
                    .log
                    .path()
                    .join("cases/copies")
                    .join(path.file_name().unwrap());
                if !copy.exists() {
                    fs::create_dir_all(copy.parent().unwrap()).unwrap();
                    fs::copy(&path, &copy).unwrap();
                }
            }
            Op::Checkout => {
                self.commit();
                self.branch = if self.branch == "main" {
                    "other"
                } else {
                    "main"
                };
                git_ok(self.log.path(), &["checkout", "-q", self.branch]);
            }
            Op::Touch {
                case,
                into_the_past,
            } => {
                let at = if into_the_past {
                    ago(3600)
                } else {
                    SystemTime::now()
                };
                set_mtime(&self.pick(case), at);
            }
            Op::Age { seconds } => age_all(&self.log, seconds),
            Op::ForgetIndex => {
                let _ = fs::remove_dir_all(work(&self.log));
                if let Some(watcher) = self.watcher.take() {
                    drop(watcher);
                    self.watcher = Some(Watcher::start(&self.log));
                }
            }
        }
    }

    /// Every whole-log command, with the index and without, the same.
    fn compare(&self, look: Look, case: usize, word: usize) -> Result<(), String> {
        if let Look::Aged = look {
            age_all(&self.log, 60);
        }
        let id = stem(&self.pick(case));
        let commands = whole_log_commands(&id, WORDS[word % WORDS.len()]);
        // A while after the last event, so deadlines are pending and past.
        let now = rfc3339(self.at + chrono::Duration::hours(30));
        compare(&self.log, &commands, &now, matches!(look, Look::Aged))
    }
}

impl History {
    /// Takes each step, comparing every whole-log command with the index
    /// and without after each step that looks (the last always does,
    /// aged); `looked` is told after each comparison.
    fn take(
        &mut self,
        steps: &[(Op, Look, usize, usize)],
        mut looked: impl FnMut(&History),
    ) -> Result<(), String> {
        for (i, (op, look, case, word)) in steps.iter().enumerate() {
            self.apply(op);
            let last = i + 1 == steps.len();
            let look = if last { Look::Aged } else { *look };
            if matches!(look, Look::Not) {
                continue;
            }
            self.compare(look, *case, *word)
                .map_err(|d| format!("after step {i} ({op:?}), looked at {look:?}: {d}"))?;
            looked(self);
        }
        Ok(())
    }
}

fn property_cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(6)
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: property_cases(),
        // Each case runs caselog a few hundred times: shrink a failure a
        // while, not for ever.
        max_shrink_iters: 64,
        max_shrink_time: 180_000,
        ..ProptestConfig::default()
    })]

    /// After random caselog commands, hand edits (same-size ones with the
    /// mtime put back too), deletions, renames, copies, touches and
    /// `git checkout`s, every whole-log command answers the same with the
    /// index as without it, whether the index had to read the changed
    /// files (they are racy) or could trust the rest.
    #[test]
    fn every_whole_log_command_answers_the_same_with_the_index_as_without(
        steps in proptest::collection::vec((op(), look(), 0usize..64, 0usize..64), 3..9),
    ) {
        let mut history = History::new();
        if let Err(d) = history.compare(Look::Now, 0, 0) {
            prop_assert!(false, "before any step: {}", d);
        }
        if let Err(d) = history.take(&steps, |_| {}) {
            prop_assert!(false, "{}", d);
        }
    }

    /// The same, with a watcher telling each pass what changed: a pass
    /// that learns from it answers as one that looks at every file.
    #[test]
    #[cfg(target_os = "linux")]
    fn every_whole_log_command_answers_the_same_with_a_watcher_as_without_the_index(
        steps in proptest::collection::vec((op(), look(), 0usize..64, 0usize..64), 3..9),
    ) {
        let mut history = History::new();
        history.watcher = Some(Watcher::start(&history.log));
        let mut learnt = 0;
        let took = history.take(&steps, |history| {
            learnt += usize::from(learnt_from_the_watcher(&history.log));
        });
        if let Err(d) = took {
            prop_assert!(false, "{}", d);
        }
        // Every look ends with passes that had the watcher's token, and
        // a log with no copy or link in it has them learn from it.
        let clean = history.log.run(["check", "--all"]).output().status.success();
        prop_assert!(learnt > 0 || !clean, "no pass learnt from the watcher");
    }
}

// ---- One behaviour each ----

#[test]
fn deleting_the_work_folder_changes_no_answer() {
    let (log, ids) = sample_log();
    age_all(&log, 3600);
    assert_agrees(&log, &ids[1], "refund");
    let before = answers(&log, &whole_log_commands(&ids[1], "refund"), NOW, false);
    fs::remove_dir_all(work(&log)).unwrap();
    let after = answers(&log, &whole_log_commands(&ids[1], "refund"), NOW, false);
    if let Some(d) = difference("after deleting .caselog/", &after, &before) {
        panic!("{d}");
    }
    assert!(facts(&log).is_file() && search_db(&log).is_file());
    assert_agrees(&log, &ids[1], "refund");
}

/// Builds and trusts the index: every case file old, two looks.
fn trusted_index(log: &Log, id: &str) {
    age_all(log, 3600);
    assert_agrees(log, id, "refund");
}

#[test]
fn a_damaged_facts_file_gives_the_same_answers_and_is_rebuilt() {
    let (log, ids) = sample_log();
    trusted_index(&log, &ids[0]);
    let good = fs::read(facts(&log)).unwrap();
    assert!(good.starts_with(b"caselog-facts\n"));
    let garbage: Vec<u8> = (0..good.len()).map(|i| (i * 151 % 251) as u8).collect();
    let mut garbage_after_header = good.clone();
    for (i, byte) in garbage_after_header.iter_mut().enumerate().skip(30) {
        *byte = (i * 37 % 256) as u8;
    }
    let damages: [(&str, Vec<u8>); 6] = [
        ("garbage", garbage),
        ("garbage after the header", garbage_after_header),
        ("truncated to half", good[..good.len() / 2].to_vec()),
        (
            "truncated to its header",
            good[..40.min(good.len())].to_vec(),
        ),
        ("cut by one byte", good[..good.len() - 1].to_vec()),
        ("zero bytes", Vec::new()),
    ];
    for (what, damaged) in damages {
        fs::write(facts(&log), &damaged).unwrap();
        let commands = whole_log_commands(&ids[0], "refund");
        if let Err(d) = compare(&log, &commands, NOW, true) {
            panic!("facts {what}: {d}");
        }
        let rebuilt = fs::read(facts(&log)).unwrap();
        assert!(
            rebuilt.starts_with(b"caselog-facts\n") && rebuilt != damaged,
            "facts {what}: not rebuilt"
        );
    }
}

#[test]
fn a_facts_file_changed_inside_a_case_is_not_trusted() {
    let (log, ids) = sample_log();
    trusted_index(&log, &ids[0]);
    let mut bytes = fs::read(facts(&log)).unwrap();
    let title = b"Invoice charged twice";
    let at = bytes
        .windows(title.len())
        .position(|w| w == title)
        .expect("the title is in the digest");
    bytes[at] = b'X';
    fs::write(facts(&log), bytes).unwrap();
    let list = agreed(&log, &["list"]);
    assert!(
        list.stdout.contains("Invoice charged twice"),
        "{}",
        list.stdout
    );
}

#[test]
fn a_facts_file_of_an_older_layout_is_rebuilt() {
    let (log, ids) = sample_log();
    trusted_index(&log, &ids[0]);
    let good = fs::read(facts(&log)).unwrap();
    // The header: 14 bytes of magic, then the layout (u32, little-endian).
    let layout = u32::from_le_bytes(good[14..18].try_into().unwrap());
    for older in [layout - 1, layout ^ (1 << 16), 1] {
        let mut old = good.clone();
        old[14..18].copy_from_slice(&older.to_le_bytes());
        fs::write(facts(&log), &old).unwrap();
        assert_agrees(&log, &ids[0], "refund");
        let rebuilt = fs::read(facts(&log)).unwrap();
        assert_eq!(
            u32::from_le_bytes(rebuilt[14..18].try_into().unwrap()),
            layout,
            "layout {older:#x} not rebuilt"
        );
    }
}

/// The one value the search database answers `sql` with.
fn search_value<T: rusqlite::types::FromSql>(log: &Log, sql: &str) -> rusqlite::Result<T> {
    rusqlite::Connection::open(search_db(log))?.query_row(sql, [], |r| r.get(0))
}

fn schema_of(log: &Log) -> i64 {
    search_value(log, "SELECT value FROM meta WHERE key = 'schema'").unwrap()
}

fn searchable(log: &Log) -> i64 {
    search_value(log, "SELECT count(*) FROM doc").unwrap()
}

fn search_written_ns(log: &Log) -> i64 {
    search_value(log, "SELECT value FROM meta WHERE key = 'written_ns'").unwrap()
}

/// The search index's files as they are (with no SQLite connection open).
fn search_files(log: &Log) -> Vec<u8> {
    for extra in ["search.sqlite-wal", "search.sqlite-shm"] {
        let _ = fs::remove_file(work(log).join(extra));
    }
    fs::read(search_db(log)).unwrap()
}

fn search_commands(id: &str) -> Vec<Vec<String>> {
    [
        vec!["search", "refund"],
        vec!["search", "refund", "--format", "json"],
        vec!["search", "vase", "--status", "waiting"],
        vec!["similar", id, "--all"],
        vec!["similar", id],
    ]
    .into_iter()
    .map(|c| c.into_iter().map(String::from).collect())
    .collect()
}

#[test]
fn a_damaged_search_index_gives_the_same_answers_and_is_rebuilt() {
    let (log, ids) = sample_log();
    trusted_index(&log, &ids[2]);
    let good = search_files(&log);
    assert!(good.starts_with(b"SQLite format 3\0"));
    let schema = schema_of(&log);
    let garbage: Vec<u8> = (0..good.len()).map(|i| (i * 151 % 251) as u8).collect();
    let damages: [(&str, Vec<u8>); 5] = [
        ("garbage", garbage),
        ("truncated to half", good[..good.len() / 2].to_vec()),
        ("truncated to 100 bytes", good[..100].to_vec()),
        ("zero bytes", Vec::new()),
        ("not a database", b"caselog was here\n".to_vec()),
    ];
    for (what, damaged) in damages {
        fs::write(search_db(&log), &damaged).unwrap();
        if let Err(d) = compare(&log, &search_commands(&ids[2]), NOW, true) {
            panic!("search.sqlite {what}: {d}");
        }
        assert_eq!(schema_of(&log), schema, "search.sqlite {what}: not rebuilt");
        assert_eq!(searchable(&log), 6, "search.sqlite {what}: not rebuilt");
    }
}

#[test]
fn damage_to_any_page_of_the_search_index_never_fails_a_search() {
    let (log, ids) = sample_log();
    trusted_index(&log, &ids[2]);
    let good = search_files(&log);
    let page = 4096;
    let mut failures = Vec::new();
    for n in 0..good.len() / page {
        let mut damaged = good.clone();
        for (i, byte) in damaged[n * page..(n + 1) * page].iter_mut().enumerate() {
            *byte = (i * 7 + 13) as u8;
        }
        search_files(&log);
        fs::write(search_db(&log), &damaged).unwrap();
        if let Err(d) = compare(&log, &search_commands(&ids[2]), NOW, false) {
            failures.push(format!("page {n} damaged: {d}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn a_search_index_of_an_older_schema_is_rebuilt() {
    let (log, ids) = sample_log();
    trusted_index(&log, &ids[2]);
    let schema = schema_of(&log);
    {
        let conn = rusqlite::Connection::open(search_db(&log)).unwrap();
        conn.execute(
            "UPDATE meta SET value = ?1 WHERE key = 'schema'",
            [schema - 1],
        )
        .unwrap();
        // What an older build might have left: rows this one never wrote.
        conn.execute("DELETE FROM doc", []).unwrap();
    }
    if let Err(d) = compare(&log, &search_commands(&ids[2]), NOW, true) {
        panic!("{d}");
    }
    assert_eq!(schema_of(&log), schema);
    assert_eq!(searchable(&log), 6);
}

#[test]
fn a_hand_edit_that_keeps_size_and_mtime_is_still_seen() {
    let (log, ids) = sample_log();
    trusted_index(&log, &ids[0]);
    // "received" and "returned" are as long as each other.
    edit_keeping_size_and_mtime(&log.case_path(&ids[0]), |text| {
        text.replace(
            "title = \"Refund not received\"",
            "title = \"Refund not returned\"",
        )
    });
    let list = agreed(&log, &["list"]);
    assert!(
        list.stdout.contains("Refund not returned"),
        "{}",
        list.stdout
    );
    assert!(
        !list.stdout.contains("Refund not received"),
        "{}",
        list.stdout
    );
    let found = agreed(&log, &["search", "title:returned"]);
    assert!(found.stdout.starts_with(&ids[0]), "{}", found.stdout);
    assert_eq!(agreed(&log, &["search", "title:received"]).stdout, "");
    assert_agrees(&log, &ids[0], "returned");

    // A status made unreadable the same way is seen too.
    edit_keeping_size_and_mtime(&log.case_path(&ids[3]), |text| {
        edit_value(text, "status", toggle_first_letter_case)
    });
    let list = agreed(&log, &["list"]);
    assert_eq!(list.code, Some(2));
    assert!(
        list.stderr.contains(&format!("{}.toml:", ids[3])),
        "{}",
        list.stderr
    );
    assert!(!list.stdout.contains(&ids[3]), "{}", list.stdout);
    assert_agrees(&log, &ids[0], "invoice");
}

#[test]
#[cfg(unix)]
fn a_file_touched_but_unchanged_is_read_once_then_trusted() {
    let (log, ids) = sample_log();
    trusted_index(&log, &ids[0]);
    let expected = agreed(&log, &["list"]);
    let settled = identity(&facts(&log));
    assert_eq!(agreed(&log, &["list"]), expected);
    assert_eq!(
        identity(&facts(&log)),
        settled,
        "nothing changed: not rewritten"
    );

    // A new mtime, the same bytes: read again once, and the index with it.
    set_mtime(&log.case_path(&ids[1]), ago(7200));
    assert_eq!(agreed(&log, &["list"]), expected);
    let rewritten = identity(&facts(&log));
    assert_ne!(rewritten, settled, "the touched file was not read again");
    assert_eq!(agreed(&log, &["list"]), expected);
    assert_eq!(agreed(&log, &["due", "--all"]).code, Some(0));
    assert_eq!(
        identity(&facts(&log)),
        rewritten,
        "read again a second time"
    );

    // The same for the search index.
    let expected = agreed(&log, &["search", "refund"]);
    let written = search_written_ns(&log);
    assert_eq!(agreed(&log, &["search", "refund"]), expected);
    assert_eq!(
        search_written_ns(&log),
        written,
        "nothing changed: not updated"
    );
    set_mtime(&log.case_path(&ids[2]), ago(7200));
    assert_eq!(agreed(&log, &["search", "refund"]), expected);
    let updated = search_written_ns(&log);
    assert_ne!(updated, written, "the touched file was not read again");
    assert_eq!(agreed(&log, &["search", "refund"]), expected);
    assert_eq!(search_written_ns(&log), updated, "read again a second time");
}

fn search_fingerprint(log: &Log) -> Option<Vec<u8>> {
    search_value(log, "SELECT value FROM meta WHERE key = 'files'").ok()
}

#[test]
fn a_file_that_cannot_be_read_is_reported_by_every_search_even_once_it_is_old() {
    let (log, ids) = sample_log();
    trusted_index(&log, &ids[0]);
    assert!(
        search_fingerprint(&log).is_some(),
        "a settled index vouches for its rows"
    );
    let broken = log.case_path(&ids[3]);
    let whole = fs::read(&broken).unwrap();
    fs::write(&broken, "status = [\n").unwrap();
    // Old enough that only the missing row, not its mtime, says to look.
    set_mtime(&broken, ago(7200));
    for time in 1..=3 {
        let found = agreed(&log, &["search", "refund"]);
        assert_eq!(found.code, Some(2), "search {time}: {}", found.stderr);
        assert!(
            found.stderr.contains(&format!("{}.toml", ids[3])),
            "search {time}: {}",
            found.stderr
        );
        assert_eq!(search_fingerprint(&log), None, "search {time}");
    }
    // Mended, the index vouches for its rows again.
    fs::write(&broken, whole).unwrap();
    set_mtime(&broken, ago(7200));
    assert_eq!(agreed(&log, &["search", "refund"]).code, Some(0));
    assert!(search_fingerprint(&log).is_some());
}
#[test]
fn commands_updating_the_index_at_once_never_fail_and_agree_at_the_end() {
    let (log, ids) = sample_log();
    for round in 0..2 {
        // From no index at all: every reader starts by building one.
        let _ = fs::remove_dir_all(work(&log));
        std::thread::scope(|scope| {
            let (log, ids) = (&log, &ids);
            scope.spawn(move || {
                for n in 0..12 {
                    log.run([
                        "note",
                        ids[n % 3].as_str(),
                        &format!("refund call {round}.{n}"),
                    ])
                    .by("ben")
                    .ok();
                }
            });
            let readers: [&[&str]; 2] = [
                &["report", "--format", "json"],
                &["search", "refund", "--limit", "50"],
            ];
            for reader in readers {
                scope.spawn(move || {
                    for _ in 0..12 {
                        let out = log.run(reader).output();
                        let stderr = String::from_utf8_lossy(&out.stderr);
                        assert!(out.status.success(), "{reader:?}: {stderr}");
                        assert!(stderr.is_empty(), "{reader:?}: {stderr}");
                    }
                });
            }
            scope.spawn(move || {
                for _ in 0..6 {
                    log.run(["list"]).ok();
                    log.run(["similar", ids[0].as_str(), "--all"]).ok();
                }
            });
        });
        assert_agrees(&log, &ids[0], "refund");
    }
}

#[test]
fn check_never_takes_an_index_being_written_for_an_interrupted_write() {
    let (log, ids) = sample_log();
    let done = std::sync::atomic::AtomicBool::new(false);
    std::thread::scope(|scope| {
        let (log, ids, done) = (&log, &ids, &done);
        scope.spawn(move || {
            // Each touch makes the next `list` read a file and rewrite
            // the facts: a temporary file, then a rename.
            while !done.load(std::sync::atomic::Ordering::Relaxed) {
                set_mtime(&log.case_path(&ids[0]), SystemTime::now());
                log.run(["list"]).ok();
            }
        });
        // The window is a few milliseconds of each `list`: enough checks
        // to fall into it (one in fifty did on a 2-core machine).
        let mut warned = None;
        for n in 0..300 {
            let out = log.run(["check"]).output();
            let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
            if !stderr.is_empty() {
                warned = Some((n, stderr));
                break;
            }
        }
        done.store(true, std::sync::atomic::Ordering::Relaxed);
        if let Some((n, stderr)) = warned {
            panic!("check {n} warned: {stderr}");
        }
    });
}

#[test]
fn index_rebuild_builds_the_index_afresh() {
    let (log, ids) = sample_log();
    trusted_index(&log, &ids[0]);
    let said = "6 cases indexed (6 facts, 6 searchable)\n";
    assert_eq!(log.run(["index"]).ok(), said);
    let (old_facts, old_search) = (fs::read(facts(&log)).unwrap(), search_files(&log));
    fs::write(facts(&log), b"garbage").unwrap();
    fs::write(search_db(&log), b"garbage").unwrap();
    assert_eq!(log.run(["index", "--rebuild"]).ok(), said);
    let (new_facts, new_search) = (fs::read(facts(&log)).unwrap(), search_files(&log));
    assert!(new_facts.starts_with(b"caselog-facts\n"));
    assert_eq!(new_facts.len(), old_facts.len(), "the same cases");
    assert_ne!(
        new_facts, old_facts,
        "written afresh (a new time in its header)"
    );
    assert!(new_search.starts_with(b"SQLite format 3\0"));
    assert_ne!(new_search, old_search);
    assert_eq!(searchable(&log), 6);
    assert_agrees(&log, &ids[0], "refund");
    // Without an index to start from, the same.
    fs::remove_dir_all(work(&log)).unwrap();
    assert_eq!(log.run(["index", "--rebuild"]).ok(), said);
}

#[test]
fn check_validates_what_changed_even_when_size_and_mtime_are_kept() {
    let (log, ids) = sample_log();
    let path = log.case_path(&ids[3]);
    let shown = format!("cases/{}/{}/{}.toml", &ids[3][..4], &ids[3][4..6], ids[3]);
    assert_eq!(log.run(["check"]).ok(), "");
    edit_keeping_size_and_mtime(&path, |text| {
        edit_value(text, "status", toggle_first_letter_case)
    });
    let out = log.run(["check"]).output();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).starts_with(&format!("{shown}:")));

    // Fixed, and old enough to be vouched for once found clean.
    edit_keeping_size_and_mtime(&path, |text| {
        edit_value(text, "status", toggle_first_letter_case)
    });
    age_all(&log, 3600);
    assert_eq!(log.run(["check"]).ok(), "");
    assert_eq!(log.run(["check"]).ok(), "");

    // Broken again in place, the size and the old mtime kept: the ctime
    // moved, so it is validated again.
    edit_keeping_size_and_mtime(&path, |text| {
        edit_value(text, "status", toggle_first_letter_case)
    });
    for args in [&["check"][..], &["check", "--all"]] {
        let out = log.run(args).output();
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let report = String::from_utf8_lossy(&out.stdout);
        assert!(
            report.starts_with(&format!("{shown}:")),
            "{args:?}: {report}"
        );
        assert_eq!(report.lines().count(), 1, "{args:?}: {report}");
    }
}

/// A log whose only event is at `2026-11-22T09:00`, found clean by `check`
/// then, and old enough to be vouched for. A clock pinned earlier makes
/// that event "in the future": the one verdict that does not follow from
/// the file's bytes alone.
fn log_found_clean() -> (Log, String) {
    let log = Log::new();
    let id = log
        .run([
            "open",
            "--quiet",
            "--title",
            "Late",
            "--customer",
            "Ann",
            "--summary",
            "Late.",
        ])
        .ok();
    let id = id.trim().to_string();
    age_all(&log, 3600);
    assert_eq!(log.run(["check"]).ok(), "");
    (log, id)
}

#[test]
fn check_answers_the_same_from_its_record_when_the_clock_moves_either_way() {
    let (log, id) = log_found_clean();
    let shown = format!("cases/2026/11/{id}.toml");
    // Found clean at 2026-11-22T09:00: still clean later, and the record
    // vouches for it.
    let later = "2026-11-25T09:00:00Z";
    assert_eq!(log.run(["check"]).at(later).ok(), "");
    assert_eq!(log.run(["check", "--all"]).at(later).ok(), "");
    // Earlier, its event is in the future: a record judged later vouches
    // for nothing then, so every file is validated again.
    let earlier = "2026-11-20T09:00:00Z";
    let all = log.run(["check", "--all"]).at(earlier).ok();
    assert!(
        all.starts_with(&format!("{shown}:")) && all.contains("in the future"),
        "{all}"
    );
    assert_eq!(log.run(["check"]).at(earlier).ok(), all);
    assert_eq!(log.run(["check", &shown]).at(earlier).ok(), all);
    // And again at the later time, once more from a record.
    assert_eq!(log.run(["check"]).at(later).ok(), "");
    assert_eq!(log.run(["check"]).at(earlier).ok(), all);
}

#[test]
fn check_rewrites_its_record_only_when_what_it_vouches_for_changed() {
    let (log, id) = log_found_clean();
    let record = work(&log).join("checked");
    let read = || fs::read(&record).unwrap();
    let first = read();
    assert_eq!(log.run(["check"]).ok(), "");
    assert_eq!(
        read(),
        first,
        "nothing changed: the record is left as it is"
    );

    // A new case is validated, and the record rewritten to hold it too.
    let other = log.open(&[]);
    age_all(&log, 3600);
    assert_eq!(log.run(["check"]).ok(), "");
    let both = read();
    assert_ne!(both, first);
    for case in [&id, &other] {
        let name = format!("{case}.toml");
        assert!(
            both.windows(name.len()).any(|w| w == name.as_bytes()),
            "{case}"
        );
    }

    // A case removed is forgotten.
    fs::remove_file(log.case_path(&id)).unwrap();
    assert_eq!(log.run(["check"]).ok(), "");
    let after = read();
    let name = format!("{id}.toml");
    assert!(!after.windows(name.len()).any(|w| w == name.as_bytes()));
    assert_eq!(log.run(["check"]).ok(), "");
    assert_eq!(read(), after);
}

#[test]
fn with_no_index_check_validates_every_file() {
    let (log, id) = log_found_clean();
    let out = log
        .run(["check"])
        .at("2026-11-20T09:00:00Z")
        .env("CASELOG_NO_INDEX", "1")
        .ok();
    assert!(out.contains(&format!("{id}.toml:")), "{out}");
}

#[test]
fn a_log_that_was_empty_lists_the_cases_opened_since() {
    let log = Log::new();
    assert_eq!(log.run(["list"]).ok(), "");
    let id = log.open(&[]);
    let list = agreed(&log, &["list"]);
    assert!(list.stdout.contains(&id), "{}", list.stdout);
    assert_agrees(&log, &id, "refund");
}

/// A case file written directly, as many as a big log has.
fn write_case(log: &Log, n: usize) -> String {
    const ALPHABET: &[u8; 32] = b"0123456789abcdefghjkmnpqrstvwxyz";
    let suffix: String = (0..5)
        .rev()
        .map(|i| char::from(ALPHABET[(n >> (5 * i)) & 31]))
        .collect();
    let id = format!("20261101-{suffix}");
    let text = format!(
        r#"format = 1
id = "{id}"
title = "Parcel {n} arrived damaged"
status = "open"
severity = "normal"
channel = "other"
opened_at = 2026-11-01T09:00:00Z
opened_by = "ana"

[customer]
name = "Customer {n}"
reference = "R-{r}"

[complaint]
summary = "Parcel number {n} came wet and crushed, the {w} inside broken."

[[events]]
at = 2026-11-01T09:00:00Z
by = "ana"
action = "opened"
"#,
        r = n % 97,
        w = ["vase", "lamp", "mirror", "plate"][n % 4],
    );
    let path = log.case_path(&id);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
    id
}

#[test]
fn progress_never_shows_when_stderr_is_not_a_terminal() {
    let log = Log::new();
    // More files than the fewest a bar is shown for: on a terminal, both
    // first builds below show one (a debug build takes over the second it
    // waits before showing it).
    let ids: Vec<String> = (0..2100).map(|n| write_case(&log, n)).collect();
    assert_eq!(log.run(["list"]).ok().lines().count(), 2101);
    let found = log.run(["search", "mirror", "--limit", "3"]).ok();
    assert_eq!(found.lines().count(), 6, "{found}");
    assert!(
        log.run(["similar", &ids[7], "--limit", "3"])
            .ok()
            .contains("%")
    );
}

#[test]
fn the_work_folder_stays_invisible_to_git_status() {
    let log = Log::empty();
    git_ok(log.path(), &["init", "-q", "-b", "main"]);
    log.run(["init"]).ok();
    let id = log.open(&[]);
    git_ok(log.path(), &["add", "-A"]);
    git_ok(log.path(), &["commit", "-q", "-m", "a case"]);
    let status = || {
        git_ok(
            log.path(),
            &["status", "--porcelain", "--untracked-files=all"],
        )
    };
    for args in [
        &["list"][..],
        &["search", "refund"],
        &["similar", id.as_str()],
        &["check"],
        &["index", "--rebuild"],
    ] {
        log.run(args).ok();
        assert_eq!(status(), "", "after {args:?}");
    }
    let ignore = work(&log).join(".gitignore");
    assert!(
        fs::read_to_string(&ignore)
            .unwrap()
            .lines()
            .any(|l| l == "*")
    );
    // A work folder whose .gitignore went missing gets it back.
    fs::remove_file(&ignore).unwrap();
    log.run(["list"]).ok();
    assert_eq!(status(), "");
    assert!(ignore.is_file());
}

// ---- search ----

/// Cases to search, opened a day apart; the second one resolved.
fn search_log() -> (Log, Vec<String>) {
    let log = Log::new();
    let cases = [
        (
            "Torn cushion on the sofa",
            "The sofa cushion arrived torn. The cushion cover is ripped.",
        ),
        (
            "Sofa delivered late",
            "The sofa came a week late and the driver was rude.",
        ),
        (
            "Refund not received",
            "I sent the cushion covers back and want my refund.",
        ),
        (
            "Invoice charged twice",
            "My card was charged twice for one invoice.",
        ),
        ("Delivery missed", "The courier never delivered my parcel."),
        (
            "Blender broke",
            "The blender \u{1b}[31mexploded\u{1b}[0m in my kitchen \u{7} today.",
        ),
    ];
    let ids: Vec<String> = cases
        .iter()
        .enumerate()
        .map(|(n, (title, summary))| {
            let at = format!("2026-11-{:02}T09:00:00Z", n + 1);
            let args = [
                "open",
                "--quiet",
                "--title",
                title,
                "--customer",
                "Pat",
                "--summary",
                summary,
            ];
            step(&log, &at, &args).trim().to_string()
        })
        .collect();
    step(
        &log,
        "2026-11-10T09:00:00Z",
        &["resolve", &ids[1], "--summary", "Apologised"],
    );
    (log, ids)
}

/// The ids of the hits, in order.
fn hits(log: &Log, query: &[&str]) -> Vec<String> {
    let mut args = vec!["search"];
    args.extend_from_slice(query);
    agreed(log, &args)
        .stdout
        .lines()
        .filter(|l| !l.starts_with(' '))
        .map(|l| l.split_whitespace().next().unwrap().to_string())
        .collect()
}

#[test]
fn search_ranks_hits_and_marks_the_words_found() {
    let (log, ids) = search_log();
    let out = agreed(&log, &["search", "cushion"]);
    assert_eq!(out.code, Some(0));
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(lines.len(), 4, "{}", out.stdout);
    // The case about a cushion first, the one that mentions one after.
    assert_eq!(
        lines[0],
        format!("{}  2026-11-01  open  Torn cushion on the sofa", ids[0])
    );
    assert!(
        lines[1].starts_with("    ") && lines[1].contains("[cushion]"),
        "{}",
        lines[1]
    );
    assert!(lines[2].starts_with(&format!("{}  2026-11-03  open  ", ids[2])));
    assert!(lines[3].contains("[cushion]"), "{}", lines[3]);
    let json: Value =
        serde_json::from_str(&agreed(&log, &["search", "cushion", "--format", "json"]).stdout)
            .unwrap();
    let scores: Vec<f64> = json
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["score"].as_f64().unwrap())
        .collect();
    assert!(scores[0] > scores[1] && scores[1] > 0.0, "{scores:?}");
    // Any form of a word finds it.
    assert_eq!(hits(&log, &["refunds"]), [ids[2].clone()]);
    assert_eq!(hits(&log, &["charges"]), [ids[3].clone()]);
}

#[test]
fn search_understands_phrases_prefixes_operators_and_columns() {
    let (log, ids) = search_log();
    let id = |n: usize| ids[n].clone();
    assert_eq!(hits(&log, &["\"sofa cushion\""]), [id(0)]);
    assert_eq!(hits(&log, &["\"cushion sofa\""]), Vec::<String>::new());
    let mut delivered = hits(&log, &["deliver*"]);
    delivered.sort();
    assert_eq!(delivered, [id(1), id(4)]);
    assert_eq!(hits(&log, &["sofa AND late"]), [id(1)]);
    let mut either = hits(&log, &["invoice OR refund"]);
    either.sort();
    assert_eq!(either, [id(2), id(3)]);
    assert_eq!(hits(&log, &["sofa NOT cushion"]), [id(1)]);
    assert_eq!(hits(&log, &["(sofa OR blender) NOT late"]).len(), 2);
    assert_eq!(hits(&log, &["title:cushion"]), [id(0)]);
    let mut in_summaries = hits(&log, &["summary:sofa"]);
    in_summaries.sort();
    assert_eq!(in_summaries, [id(0), id(1)]);
    assert_eq!(hits(&log, &["customer:pat", "--limit", "2"]).len(), 2);
}

#[test]
fn search_applies_the_list_filters() {
    let (log, ids) = search_log();
    assert_eq!(
        hits(&log, &["sofa", "--status", "resolved"]),
        [ids[1].clone()]
    );
    assert_eq!(hits(&log, &["sofa", "--status", "open"]), [ids[0].clone()]);
    assert_eq!(
        hits(&log, &["sofa", "--opened-since", "2026-11-02"]),
        [ids[1].clone()]
    );
    assert_eq!(
        hits(&log, &["sofa", "--customer", "nobody"]),
        Vec::<String>::new()
    );
    assert_eq!(hits(&log, &["sofa", "--limit", "1"]).len(), 1);
}

#[test]
fn search_refuses_a_malformed_query_in_one_line() {
    let (log, _) = search_log();
    for query in ["AND", "sofa AND", "NEAR(", "title:(", "\"a\" +"] {
        let stderr = log.run(["search", query]).fails(2);
        assert_eq!(stderr.lines().count(), 1, "{query}: {stderr}");
        assert!(
            stderr.starts_with(&format!(
                "caselog: '{query}' is not a search caselog understands"
            )),
            "{query}: {stderr}"
        );
        let stderr = log
            .run(["search", query])
            .env("CASELOG_NO_INDEX", "1")
            .fails(2);
        assert_eq!(stderr.lines().count(), 1, "{query}: {stderr}");
    }
}

#[test]
fn search_refuses_every_malformed_query_as_the_users_to_fix() {
    let (log, _) = search_log();
    for query in ["\"unterminated", "colour:red", "*"] {
        let stderr = log.run(["search", query]).fails(2);
        assert_eq!(stderr.lines().count(), 1, "{query}: {stderr}");
        assert!(
            stderr.contains("is not a search caselog understands"),
            "{query}: {stderr}"
        );
    }
}

#[test]
fn search_refuses_a_malformed_query_saying_what_is_wrong_never_in_sqlites_words() {
    let (log, _) = search_log();
    for (query, says) in [
        ("", "no words"),
        (" \t ", "no words"),
        ("OR", "OR needs words on both sides"),
        ("NOT sofa", "NOT needs words on both sides"),
        ("sofa -cushion", "to leave out a word, write NOT"),
        ("-", "a '-' leaves out a column"),
        ("{title summary}", "followed by ':'"),
        ("colour:red", "'colour' is not a column"),
        ("*sofa", "'*' ends a word"),
        ("^", "'^' begins a word"),
        ("NEAR(sofa cushion, far)", "NEAR takes words"),
        ("(sofa", "'(' is never closed"),
        ("sofa)", "closes no '('"),
        ("\"sofa", "never closed"),
    ] {
        for format in ["text", "json"] {
            for no_index in ["", "1"] {
                let out = log
                    .run(["search", query, "--format", format])
                    .env("CASELOG_NO_INDEX", no_index)
                    .output();
                assert_eq!(out.status.code(), Some(2), "{query}");
                assert!(out.stdout.is_empty(), "{query}");
                let stderr = String::from_utf8(out.stderr).unwrap();
                assert_eq!(stderr.lines().count(), 1, "{query}: {stderr}");
                assert!(stderr.contains(says), "{query}: {stderr}");
                for sqlite in ["fts5", "syntax error", "no such column", "special query"] {
                    assert!(!stderr.contains(sqlite), "{query}: {stderr}");
                }
            }
        }
    }
}

#[test]
fn search_finds_a_word_holding_punctuation_as_typed() {
    let log = Log::new();
    let id = step(
        &log,
        "2026-11-01T09:00:00Z",
        &[
            "open",
            "--quiet",
            "--title",
            "Refund not received",
            "--customer",
            "Maria López",
            "--contact",
            "maria@example.com",
            "--reference",
            "A-1001",
            "--summary",
            "I don't have my 45.90 refund for order A-1001, by e-mail or post.",
        ],
    )
    .trim()
    .to_string();
    step(
        &log,
        "2026-11-02T09:00:00Z",
        &[
            "open",
            "--quiet",
            "--title",
            "Late",
            "--customer",
            "Pat",
            "--summary",
            "Order 1001 came a day late.",
        ],
    );
    for query in [
        "A-1001",
        "maria@example.com",
        "don't",
        "45.90",
        "e-mail",
        "customer:A-1001",
        "refund, e-mail",
        "\"order A-1001\"",
        "A-10*",
    ] {
        assert_eq!(hits(&log, &[query]), std::slice::from_ref(&id), "{query}");
    }
    assert_eq!(hits(&log, &["maria@example.org"]), Vec::<String>::new());
}

#[test]
fn a_search_leaving_out_a_column_is_a_query_not_an_option() {
    let (log, ids) = search_log();
    // `-title:cushion` starts with '-', as options do.
    let mut found = hits(&log, &["-title:cushion"]);
    found.sort();
    assert_eq!(found, [ids[0].clone(), ids[2].clone()]);
    assert_eq!(
        hits(
            &log,
            &["--opened-since", "2026-11-02", "-{title customer}:cushion"]
        ),
        [ids[2].clone()]
    );
    assert!(
        log.run(["search", "-h"])
            .ok()
            .contains("Usage: caselog search")
    );
}

#[test]
fn search_refuses_a_query_too_long_to_answer_fast_and_answers_one_of_many_words() {
    let (log, ids) = search_log();
    let huge = "sofa ".repeat(20_000);
    let started = std::time::Instant::now();
    let stderr = log.run(["search", &huge]).fails(2);
    assert!(started.elapsed() < Duration::from_secs(10));
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.len() < 300, "{stderr}");
    assert!(stderr.contains("bytes long"), "{stderr}");
    let many = "sofa ".repeat(65);
    assert!(log.run(["search", &many]).fails(2).contains("at most 64"));
    let deep = format!("{}sofa{}", "(".repeat(40), ")".repeat(40));
    assert!(log.run(["search", &deep]).fails(2).contains("deep"));
    // The most words a search takes, the same word each time: FTS5
    // weighs every place each is found against every other.
    let started = std::time::Instant::now();
    assert_eq!(
        hits(&log, &[&"cushion ".repeat(64)]),
        [ids[0].clone(), ids[2].clone()]
    );
    assert!(started.elapsed() < Duration::from_secs(20));
}

#[test]
fn search_prints_nothing_when_nothing_matches() {
    let (log, _) = search_log();
    assert_eq!(log.run(["search", "zebra"]).ok(), "");
    assert_eq!(
        log.run(["search", "zebra"])
            .env("CASELOG_NO_INDEX", "1")
            .ok(),
        ""
    );
    assert_eq!(log.run(["search", "sofa", "--status", "waiting"]).ok(), "");
}

#[test]
fn search_escapes_terminal_control_characters_in_snippets() {
    let (log, ids) = search_log();
    let out = agreed(&log, &["search", "kitchen"]).stdout;
    assert!(out.starts_with(&ids[5]), "{out}");
    assert!(!out.chars().any(|c| c.is_control() && c != '\n'), "{out:?}");
    assert!(
        out.contains("\\u{1b}[31mexploded") && out.contains("[kitchen] \\u{7}"),
        "{out}"
    );
}

// ---- similar ----

#[test]
fn similar_ranks_earlier_cases_unless_all_and_leaves_out_void_and_placeholder_cases() {
    let log = Log::new();
    let open = |at: &str, title: &str, summary: &str| {
        step(
            &log,
            at,
            &[
                "open",
                "--quiet",
                "--title",
                title,
                "--customer",
                "Pat",
                "--summary",
                summary,
            ],
        )
        .trim()
        .to_string()
    };
    let earlier = open(
        "2026-10-01T09:00:00Z",
        "Sofa cushion torn",
        "The courier delivered the sofa with a torn cushion.",
    );
    let void = open(
        "2026-10-02T09:00:00Z",
        "Sofa cushion torn",
        "The courier delivered the sofa with a torn cushion, again.",
    );
    step(
        &log,
        "2026-10-02T10:00:00Z",
        &["close", &void, "--opened-in-error", "--reason", "a test"],
    );
    let duplicate = open(
        "2026-10-03T09:00:00Z",
        "Torn sofa cushion",
        "A torn cushion on the sofa the courier delivered.",
    );
    step(
        &log,
        "2026-10-03T10:00:00Z",
        &["close", &duplicate, "--duplicate-of", &earlier],
    );
    let placeholder = open(
        "2026-10-04T09:00:00Z",
        "Torn cushion on the sofa",
        "No narrative",
    );
    let unrelated = open(
        "2026-10-05T09:00:00Z",
        "Invoice charged twice",
        "Charged twice.",
    );
    let query = open(
        "2026-10-10T09:00:00Z",
        "Torn cushion",
        "My new sofa arrived with a torn cushion.",
    );
    let later = open(
        "2026-10-20T09:00:00Z",
        "Cushion torn again",
        "The sofa cushion is torn, delivered by the courier.",
    );
    let found = |args: &[&str]| -> Vec<String> {
        let mut all = vec!["similar", query.as_str(), "--format", "json"];
        all.extend_from_slice(args);
        let json: Value = serde_json::from_str(&agreed(&log, &all).stdout).unwrap();
        json.as_array()
            .unwrap()
            .iter()
            .map(|m| m["id"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(found(&[]), std::slice::from_ref(&earlier));
    let mut all = found(&["--all"]);
    all.sort();
    assert_eq!(all, [earlier.clone(), later.clone()]);
    for left_out in [&void, &duplicate, &placeholder, &unrelated, &query] {
        assert!(!all.contains(left_out), "{left_out} in {all:?}");
    }
    // The earlier case sees none before it, the later one both.
    let earlier_sees = agreed(&log, &["similar", &earlier]).stdout;
    assert_eq!(earlier_sees, "");
    let later_sees = agreed(&log, &["similar", &later, "--format", "json"]).stdout;
    let later_sees: Value = serde_json::from_str(&later_sees).unwrap();
    let mut ids: Vec<&str> = later_sees
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap())
        .collect();
    ids.sort();
    let mut expected = [earlier.as_str(), query.as_str()];
    expected.sort();
    assert_eq!(ids, expected);
    assert_agrees(&log, &query, "cushion");
}

/// Writes a case opened on `day` (1 to 28 of October 2026) with these
/// words, numbered `n` for its id; its id.
/// `similar ID --limit 1` as JSON, the same with and without the index.
fn most_alike(log: &Log, id: &str) -> Value {
    let answer = agreed(log, &["similar", id, "--limit", "1", "--format", "json"]);
    serde_json::from_str(&answer.stdout).unwrap()
}

fn write_words(log: &Log, n: usize, day: u32, title: &str, summary: &str, note: &str) -> String {
    const ALPHABET: &[u8; 32] = b"0123456789abcdefghjkmnpqrstvwxyz";
    let suffix: String = (0..5)
        .rev()
        .map(|i| char::from(ALPHABET[(n >> (5 * i)) & 31]))
        .collect();
    let id = format!("202610{day:02}-{suffix}");
    let at = format!("2026-10-{day:02}T09:00:00Z");
    let mut text = format!(
        "format = 1\nid = \"{id}\"\ntitle = \"{title}\"\nstatus = \"open\"\nseverity = \"normal\"\n\
         channel = \"other\"\nopened_at = {at}\nopened_by = \"ana\"\n\n[customer]\nname = \"Pat\"\n\n\
         [complaint]\nsummary = \"{summary}\"\n\n[[events]]\nat = {at}\nby = \"ana\"\naction = \"opened\"\n"
    );
    if !note.is_empty() {
        text.push_str(&format!(
            "\n[[events]]\nat = {at}\nby = \"ana\"\naction = \"note\"\ntext = \"{note}\"\n"
        ));
    }
    let path = log.case_path(&id);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
    id
}

#[test]
fn similar_finds_the_earlier_case_however_many_cases_it_must_leave_out_rank_above_it() {
    const WORDS: &str = "espresso machine leaking water boiler";
    let alike = "Since Monday the espresso machine has been leaking some water from under the boiler, the counter is wet";
    // Cases that match the words better than the earlier case but must not
    // be listed: later ones, ones with a placeholder for a complaint, ones naming the words
    // in their notes only. Each crowd is more than `similar` looked at.
    type Crowd = fn(&Log, usize);
    let crowds: [(&str, Crowd); 3] = [
        ("later", |log, n| {
            write_words(log, n, 20, WORDS, WORDS, WORDS);
        }),
        ("placeholder", |log, n| {
            write_words(log, n, 2, WORDS, "No narrative", WORDS);
        }),
        ("in notes only", |log, n| {
            write_words(
                log,
                n,
                2,
                "Beans stale",
                "stale",
                &format!("{WORDS} {WORDS}"),
            );
        }),
    ];
    for (what, crowd) in crowds {
        let log = Log::new();
        let earlier = write_words(&log, 1, 1, "Leak", alike, "");
        let query = write_words(
            &log,
            2,
            10,
            "Espresso machine leaking water",
            "The espresso machine is leaking water from the boiler",
            "",
        );
        for n in 0..300 {
            crowd(&log, 100 + n);
        }
        let json = most_alike(&log, &query);
        assert_eq!(json[0]["id"], earlier.as_str(), "{what}: {json}");
    }
}

#[test]
fn similar_finds_the_case_sharing_the_rare_words_at_the_end_of_a_long_complaint() {
    let log = Log::new();
    let earlier = write_words(&log, 1, 1, "Other", "The thermostat failed", "");
    // Forty cases filed under the same title, in the same courtesies.
    let courtesies = "Hello, I am writing to you today because I have a problem with an order I \
                      placed last month through your website and I would like to explain \
                      everything in detail so that you understand what happened to my family \
                      over the past several weeks since ordering";
    for n in 0..40 {
        write_words(
            &log,
            100 + n,
            2,
            "Customer service complaint",
            courtesies,
            "",
        );
    }
    let query = write_words(
        &log,
        2,
        10,
        "Customer service complaint",
        &format!(
            "{courtesies}, and the courier was polite but slow, the packaging looked fine, the \
             manual seemed complete, the colour matched the photo; then the thermostat failed."
        ),
        "",
    );
    let json = most_alike(&log, &query);
    assert_eq!(json[0]["id"], earlier.as_str(), "{json}");
}

#[test]
fn similar_leaves_out_a_placeholder_complaint_however_it_is_written() {
    let log = Log::new();
    let title = "Espresso machine leaking water";
    let earlier = write_words(
        &log,
        1,
        1,
        "Leak",
        "The espresso machine is leaking water",
        "",
    );
    for (n, placeholder) in [
        "N/A.",
        "(none)",
        "n.a.",
        "No narrative!",
        "NO NARRATIVE PROVIDED",
        "?",
        "-",
    ]
    .iter()
    .enumerate()
    {
        write_words(&log, 100 + n, 2, title, placeholder, "");
    }
    let query = write_words(
        &log,
        2,
        10,
        title,
        "The espresso machine is leaking water",
        "",
    );
    let json: Value =
        serde_json::from_str(&agreed(&log, &["similar", &query, "--format", "json"]).stdout)
            .unwrap();
    let found: Vec<&str> = json
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap())
        .collect();
    assert_eq!(found, [earlier.as_str()], "{json}");
}

#[test]
fn a_title_from_a_fixed_list_makes_no_case_alike_in_similar_or_opens_hints() {
    let log = Log::new();
    let labels = [
        "Billing problem",
        "Delivery delay",
        "Product defect",
        "Rude staff",
        "Website error",
    ];
    let things = [
        "beans", "grinder", "kettle", "mug", "filter", "voucher", "parcel", "driver",
    ];
    let earlier = write_words(
        &log,
        1,
        1,
        "Heating issue",
        "The thermostat failed after a day",
        "",
    );
    for n in 0..100 {
        let summary = format!("The {} and the {}", things[n % 8], things[(n / 8) % 8]);
        write_words(&log, 100 + n, 2, labels[n % 5], &summary, "");
    }
    let query = write_words(&log, 2, 10, "Billing problem", "The thermostat failed", "");
    let json: Value =
        serde_json::from_str(&agreed(&log, &["similar", &query, "--format", "json"]).stdout)
            .unwrap();
    let found: Vec<&str> = json
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap())
        .collect();
    assert_eq!(found, [earlier.as_str()], "{json}");
    // open's hints name the same case, and no billing case.
    let out = log
        .run([
            "open",
            "--title",
            "Billing problem",
            "--customer",
            "Kim",
            "--summary",
            "The thermostat failed",
        ])
        .output();
    assert!(out.status.success());
    let hints = String::from_utf8(out.stderr).unwrap();
    let line = hints
        .lines()
        .find(|l| l.contains("similar cases"))
        .unwrap_or_default();
    assert!(line.contains(&earlier), "{hints}");
    assert!(!line.contains("20261002-"), "{hints}");
}

/// How many segments the full-text index is in: every update adds one.
fn search_segments(log: &Log) -> i64 {
    search_value(log, "SELECT count(DISTINCT segid) FROM fts_idx").unwrap()
}

#[test]
fn the_index_command_merges_the_search_index_into_one_segment_and_no_answer_changes() {
    let (log, ids) = sample_log();
    step(&log, "2026-11-01T09:00:00Z", &["search", "refund"]);
    for (i, id) in ids.iter().enumerate() {
        let at = format!("2026-11-15T{:02}:00:00Z", i + 1);
        step(
            &log,
            &at,
            &["note", id, "Called about the refund and the parcel"],
        );
        step(&log, &at, &["search", "parcel"]);
    }
    assert!(search_segments(&log) > 1, "{}", search_segments(&log));
    let now = "2026-11-20T09:00:00Z";
    let before = answers(&log, &search_commands(&ids[0]), now, false);
    step(&log, now, &["index"]);
    assert_eq!(search_segments(&log), 1);
    let after = answers(&log, &search_commands(&ids[0]), now, false);
    assert_eq!(difference("after `index`", &after, &before), None);
}

/// The page of the search index's `doc` table that holds its first rows:
/// a leaf below the table's root.
fn first_doc_leaf(log: &Log, bytes: &[u8]) -> usize {
    let root: i64 =
        search_value(log, "SELECT rootpage FROM sqlite_master WHERE name = 'doc'").unwrap();
    let page = 4096;
    let at = (root as usize - 1) * page;
    assert_eq!(bytes[at], 0x05, "doc's root is an interior page");
    // The root's first cell: the page number of its first child.
    let cell = u16::from_be_bytes([bytes[at + 12], bytes[at + 13]]) as usize;
    let child = u32::from_be_bytes(bytes[at + cell..at + cell + 4].try_into().unwrap()) as usize;
    let leaf = (child - 1) * page;
    assert_eq!(bytes[leaf], 0x0d, "a leaf of doc");
    leaf
}

#[test]
fn a_doc_page_whose_rows_cannot_be_found_changes_no_answer_and_index_mends_it() {
    let log = Log::new();
    let ids: Vec<String> = (0..300).map(|n| write_case(&log, n)).collect();
    age_all(&log, 3600);
    let commands: Vec<Vec<String>> = [
        vec!["search", "parcel", "--limit", "500"],
        vec!["search", "mirror"],
        vec!["similar", ids[5].as_str(), "--all"],
    ]
    .into_iter()
    .map(|c| c.into_iter().map(String::from).collect())
    .collect();
    if let Err(d) = compare(&log, &commands, NOW, true) {
        panic!("{d}");
    }
    assert!(search_fingerprint(&log).is_some());
    let good = search_files(&log);
    // Every cell pointer of the leaf leads to its first row: a look-up of
    // any other row there finds nothing, and no error says why.
    let mut damaged = good.clone();
    let leaf = first_doc_leaf(&log, &good);
    let cells = u16::from_be_bytes([good[leaf + 3], good[leaf + 4]]) as usize;
    assert!(cells > 2);
    for cell in 1..cells {
        damaged.copy_within(leaf + 8..leaf + 10, leaf + 8 + 2 * cell);
    }
    fs::write(search_db(&log), &damaged).unwrap();
    if let Err(d) = compare(&log, &commands, NOW, false) {
        panic!("{d}");
    }
    // The maintenance command checks every page, and builds afresh.
    fs::write(search_db(&log), &damaged).unwrap();
    log.run(["index"]).ok();
    let healthy: String = search_value(&log, "PRAGMA integrity_check").unwrap();
    assert_eq!(healthy, "ok");
    if let Err(d) = compare(&log, &commands, NOW, true) {
        panic!("{d}");
    }
}

#[test]
fn a_snippet_is_found_in_a_long_note_however_far_in_or_often_its_word_is() {
    let log = Log::new();
    let id = log.open(&[]);
    // The word only after 20 KB of other words; then a note that repeats
    // one word three thousand times.
    let far = format!(
        "Aardvark first. {} chandelier at last.",
        "filler words here ".repeat(1200)
    );
    log.run(["note", &id, "-"]).stdin(far).ok();
    log.run(["note", &id, "-"])
        .stdin("gravel ".repeat(3000))
        .ok();
    let found = agreed(&log, &["search", "chandelier"]);
    let lines: Vec<&str> = found.stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{}", found.stdout);
    assert!(lines[1].contains("[chandelier] at last"), "{}", lines[1]);
    let found = agreed(&log, &["search", "gravel"]);
    assert!(
        found.stdout.contains("[gravel] [gravel]"),
        "{}",
        found.stdout
    );
    // Words wanted together that fall in different pieces.
    let apart = agreed(&log, &["search", "aardvark AND chandelier"]);
    assert!(
        apart.stdout.lines().nth(1).is_some_and(|l| l.contains('[')),
        "{}",
        apart.stdout
    );
    // A phrase of the repeated word, and the word with a title's.
    assert!(
        agreed(&log, &["search", "\"gravel gravel\""])
            .stdout
            .contains("[gravel gravel")
    );
    let title = log.case_json(&id)["title"].as_str().unwrap().to_string();
    let word = title.split_whitespace().next().unwrap().to_lowercase();
    let both = agreed(&log, &["search", &format!("gravel AND title:{word}")]);
    assert!(both.stdout.contains("[gravel]"), "{}", both.stdout);
}

#[test]
fn a_snippet_costs_little_however_many_of_the_querys_phrases_a_long_note_repeats() {
    let log = Log::new();
    let id = log.open(&[]);
    // Every phrase finds every place of the note's word: FTS5's snippet
    // weighed each against every other, minutes for eight phrases.
    log.run(["note", &id, "-"]).stdin("a ".repeat(4000)).ok();
    let far = format!("{} aardvark", "b ".repeat(20_000));
    log.run(["note", &id, "-"]).stdin(far).ok();
    for query in [
        "a ".repeat(64),
        "a a* notes:a -title:a {notes customer}:a a + a NEAR(a a)".to_string(),
        format!("{}aardvark", "b AND ".repeat(30)),
    ] {
        let started = std::time::Instant::now();
        let found = agreed(&log, &["search", &query]);
        assert!(started.elapsed() < Duration::from_secs(30), "{query}");
        let lines: Vec<&str> = found.stdout.lines().collect();
        assert_eq!(lines.len(), 2, "{query}: {}", found.stdout);
        assert!(
            lines[1].contains("[a") || lines[1].contains("[b"),
            "{}",
            lines[1]
        );
    }
}

#[test]
fn a_search_index_built_from_many_cases_is_left_in_one_segment() {
    // Left in many, FTS5 merges them all at once on some later change:
    // seconds of a `note` then `search` at 10,000 cases.
    let log = Log::new();
    let mut csv = String::from("title,customer,summary,opened_at\n");
    let mut seed = 7u64;
    for row in 0..700 {
        let words: Vec<String> = (0..400)
            .map(|_| {
                seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                format!("w{:x}", seed >> 44)
            })
            .collect();
        csv.push_str(&format!(
            "Case {row},Customer {row},{},2026-11-01T09:00:00Z\n",
            words.join(" ")
        ));
    }
    fs::write(log.path().join("many.csv"), csv).unwrap();
    step(&log, "2026-11-20T09:00:00Z", &["import", "many.csv"]);
    step(&log, "2026-11-20T09:00:00Z", &["search", "refund"]);
    assert_eq!(searchable(&log), 700);
    assert_eq!(search_segments(&log), 1);
}

// ---- The watcher ----

/// A watcher (`caselog index --watch`) on a log, killed when dropped.
struct Watcher {
    child: std::process::Child,
    /// Its stdout, kept open so it can say why it stopped.
    _stdout: std::io::BufReader<std::process::ChildStdout>,
}

impl Watcher {
    /// Starts one and waits until it answers.
    fn start(log: &Log) -> Watcher {
        use std::io::BufRead;
        let mut child = log
            .command(&["index", "--watch"])
            .spawn()
            .expect("starting the watcher");
        let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        stdout.read_line(&mut line).unwrap();
        assert!(line.starts_with("watching "), "the watcher said {line:?}");
        Watcher {
            child,
            _stdout: stdout,
        }
    }
}

impl Drop for Watcher {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Whether a pass (`caselog index`) learns from the watcher what changed.
fn learnt_from_the_watcher(log: &Log) -> bool {
    let said = log.run(["index"]).output();
    String::from_utf8_lossy(&said.stdout).contains("a watcher told this pass")
}

/// Looks twice with a watcher: the first pass records its token, the
/// second must learn from it, and both answer as without the index.
#[track_caller]
fn assert_learns_and_agrees(log: &Log, id: &str, what: &str) {
    let _ = log.run(["index"]).output();
    assert!(
        learnt_from_the_watcher(log),
        "{what}: the pass did not learn from the watcher"
    );
    if let Err(d) = compare(log, &whole_log_commands(id, "refund"), NOW, true) {
        panic!("{what}: {d}");
    }
}

#[test]
#[cfg(target_os = "linux")]
fn a_watcher_tells_each_pass_what_changed_and_no_answer_changes() {
    let (log, ids) = sample_log();
    git_ok(log.path(), &["init", "-q", "-b", "main"]);
    git_ok(log.path(), &["add", "-A"]);
    git_ok(log.path(), &["commit", "-q", "--no-verify", "-m", "cases"]);
    let _watcher = Watcher::start(&log);
    trusted_index(&log, &ids[0]);
    assert_learns_and_agrees(&log, &ids[0], "nothing changed");

    // Each kind of change a walk would see, seen without one.
    edit_keeping_size_and_mtime(&log.case_path(&ids[1]), |text| {
        edit_value(text, "title", swap_a_letter)
    });
    assert_learns_and_agrees(&log, &ids[1], "a same-size edit with the mtime put back");
    set_mtime(&log.case_path(&ids[2]), ago(9000));
    assert_learns_and_agrees(&log, &ids[2], "a touch");
    log.run(["note", &ids[0], "Called the courier"])
        .at(NOW)
        .ok();
    assert_learns_and_agrees(&log, &ids[0], "a note");
    let archive = log.path().join("cases/archive/2025");
    fs::create_dir_all(&archive).unwrap();
    fs::rename(
        log.case_path(&ids[3]),
        archive.join(format!("{}.toml", ids[3])),
    )
    .unwrap();
    assert_learns_and_agrees(&log, &ids[3], "a case moved into a new folder");
    fs::rename(
        log.path().join("cases/archive"),
        log.path().join("cases/old"),
    )
    .unwrap();
    assert_learns_and_agrees(&log, &ids[3], "a folder renamed");
    fs::remove_file(log.case_path(&ids[2])).unwrap();
    assert_learns_and_agrees(&log, &ids[0], "a case deleted");
    fs::remove_dir_all(log.path().join("cases/old")).unwrap();
    assert_learns_and_agrees(&log, &ids[0], "a folder deleted");
    let broken = log.case_path(&ids[1]);
    let text = fs::read_to_string(&broken).unwrap();
    fs::write(&broken, format!("{text}[[[ not toml\n")).unwrap();
    assert_learns_and_agrees(&log, &ids[0], "a case broken by hand");
    fs::write(&broken, text).unwrap();
    git_ok(log.path(), &["stash", "-q", "--include-untracked"]);
    assert_learns_and_agrees(&log, &ids[0], "git stash");
    git_ok(log.path(), &["stash", "pop", "-q"]);
    assert_learns_and_agrees(&log, &ids[0], "git stash pop");

    // What only a walk reports: the pass walks while it is there, and
    // learns from the watcher again once it has gone.
    let copies = log.path().join("cases/copies");
    fs::create_dir_all(&copies).unwrap();
    fs::copy(
        log.case_path(&ids[0]),
        copies.join(format!("{}.toml", ids[0])),
    )
    .unwrap();
    for _ in 0..2 {
        assert!(
            !learnt_from_the_watcher(&log),
            "a copy is only seen by a walk"
        );
        assert_agrees(&log, &ids[0], "refund");
    }
    fs::remove_dir_all(&copies).unwrap();
    std::os::unix::fs::symlink("/tmp", log.path().join("cases/2026/link")).unwrap();
    for _ in 0..2 {
        assert!(
            !learnt_from_the_watcher(&log),
            "a link is only seen by a walk"
        );
        assert_agrees(&log, &ids[0], "refund");
    }
    fs::remove_file(log.path().join("cases/2026/link")).unwrap();
    assert_learns_and_agrees(&log, &ids[0], "the link removed");
}

/// A log with a trusted index and a watcher, for a test that makes a file
/// unreadable to caselog (see [`Log::run_unprivileged`]); `None`, said,
/// where nothing can be.
#[cfg(target_os = "linux")]
fn unreadable_ground() -> Option<(Log, Vec<String>, Watcher)> {
    if !Log::can_run_unprivileged() {
        eprintln!("skipped: run as root without setpriv, nothing here is unreadable");
        return None;
    }
    let (log, ids) = sample_log();
    let watcher = Watcher::start(&log);
    trusted_index(&log, &ids[0]);
    Some((log, ids, watcher))
}

#[cfg(target_os = "linux")]
fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).unwrap();
}

/// `args`, run without root's privilege to read, fails (exit 2) and
/// names `unreadable` on stderr.
#[track_caller]
#[cfg(target_os = "linux")]
fn assert_reported_unprivileged(log: &Log, args: &[&str], unreadable: &str) {
    let out = log.run_unprivileged(args).output();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
    assert!(
        stderr.contains(unreadable),
        "{args:?} did not report {unreadable}: {stderr}"
    );
}

/// `cases/` made unreadable is only seen by a walk: the watcher, which
/// watches the folders below it, must not let a pass take the index's
/// files instead.
#[test]
#[cfg(target_os = "linux")]
fn cases_made_unreadable_is_reported_by_every_pass_under_a_watcher() {
    let Some((log, ids, _watcher)) = unreadable_ground() else {
        return;
    };
    assert_learns_and_agrees(&log, &ids[0], "nothing changed");
    let cases = log.path().join("cases");
    set_mode(&cases, 0o000);
    for _ in 1..=2 {
        assert_reported_unprivileged(&log, &["list"], "cases");
    }
    set_mode(&cases, 0o755);
    assert_agrees(&log, &ids[0], "refund");
    assert_learns_and_agrees(&log, &ids[0], "cases readable again");
}

/// Two searches listing the files on either side of a case's opening:
/// the one that listed first but wrote last drops the new case's row, and
/// must not leave the rows vouched for by the other's later token.
#[test]
#[cfg(target_os = "linux")]
fn a_search_that_listed_before_a_case_was_opened_and_wrote_after_loses_no_case() {
    let (log, ids) = sample_log();
    let _watcher = Watcher::start(&log);
    trusted_index(&log, &ids[0]);
    agreed(&log, &["search", "vase"]);
    // A change, so that the next search lists the files and writes.
    log.run(["note", &ids[0], "Called the courier"])
        .at(NOW)
        .ok();
    let release = log.path().join("release");
    let mut first = log.command(&["search", "vase"]);
    first.env("CASELOG_TEST_PAUSE_BEFORE_SEARCH_UPDATE", &release);
    let first = first.spawn().unwrap();
    let paused = release.with_extension("paused");
    let until = SystemTime::now() + Duration::from_secs(30);
    while !paused.exists() {
        assert!(SystemTime::now() < until, "the first search never paused");
        std::thread::sleep(Duration::from_millis(10));
    }
    let opened = step(
        &log,
        "2026-11-06T09:00:00Z",
        &[
            "open",
            "--quiet",
            "--title",
            "Sparkplug missing",
            "--customer",
            "Zoe Quist",
            "--summary",
            "The sparkplug was missing from the kit.",
        ],
    );
    let opened = opened.trim();
    let found = agreed(&log, &["search", "sparkplug"]);
    assert!(found.stdout.contains(opened), "{}", found.stdout);
    fs::write(&release, "").unwrap();
    let out = first.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for time in 1..=2 {
        let found = agreed(&log, &["search", "sparkplug"]);
        assert!(
            found.stdout.contains(opened),
            "search {time}: {}",
            found.stdout
        );
    }
}

/// A case file caselog may not open has no entry in the index, so a pass
/// that took its files from the index would lose it: under a watcher that
/// says nothing changed, every pass must still report it.
#[test]
#[cfg(target_os = "linux")]
fn a_case_file_that_cannot_be_opened_is_reported_by_every_pass_under_a_watcher() {
    let Some((log, ids, _watcher)) = unreadable_ground() else {
        return;
    };
    let shut = log.case_path(&ids[2]);
    set_mode(&shut, 0o000);
    let file = format!("{}.toml", ids[2]);
    let commands: [&[&str]; 5] = [
        &["list"],
        &["list"],
        &["list"],
        &["report", "--format", "json"],
        &["search", "vase"],
    ];
    for args in commands {
        assert_reported_unprivileged(&log, args, &file);
    }
    set_mode(&shut, 0o644);
    assert_agrees(&log, &ids[0], "refund");
    assert_learns_and_agrees(&log, &ids[0], "the file readable again");
}

/// Whether the search database keeps a watcher's token with its rows.
fn search_keeps_a_token(log: &Log) -> bool {
    search_value::<i64>(log, "SELECT count(*) FROM meta WHERE key = 'watched'").unwrap() == 1
}

/// A search the watcher says nothing changed for lists no file; any
/// change after the token the rows keep is still seen, and a listing that
/// was not clean keeps no token at all.
#[test]
#[cfg(target_os = "linux")]
fn a_search_the_watcher_vouches_for_still_sees_every_change() {
    let (log, ids) = sample_log();
    let _watcher = Watcher::start(&log);
    trusted_index(&log, &ids[0]);
    agreed(&log, &["search", "vase"]);
    assert!(
        search_keeps_a_token(&log),
        "no token kept after a clean listing"
    );
    let before = agreed(&log, &["search", "vase"]);
    assert!(before.stdout.contains(&ids[1]), "{}", before.stdout);
    // The word changed in place, size and mtime kept: only the watcher
    // can tell.
    edit_keeping_size_and_mtime(&log.case_path(&ids[1]), |text| text.replace("vase", "vasx"));
    let after = agreed(&log, &["search", "vase"]);
    assert!(!after.stdout.contains(&ids[1]), "{}", after.stdout);
    let found = agreed(&log, &["search", "vasx"]);
    assert!(found.stdout.contains(&ids[1]), "{}", found.stdout);
    // A link only a walk sees: no token, and every search walks.
    std::os::unix::fs::symlink("/tmp", log.path().join("cases/2026/link")).unwrap();
    agreed(&log, &["search", "vase"]);
    assert!(
        !search_keeps_a_token(&log),
        "a token kept after a listing with a link"
    );
    fs::remove_file(log.path().join("cases/2026/link")).unwrap();
    agreed(&log, &["search", "vasx"]);
    agreed(&log, &["search", "vasx"]);
    assert!(search_keeps_a_token(&log), "no token once the link is gone");
}

/// With a watcher saying nothing changed, a pass takes the files from the
/// snapshot itself: damage there must not lose a case, but walk instead.
#[test]
#[cfg(target_os = "linux")]
fn a_facts_file_damaged_after_its_header_under_a_watcher_is_walked_and_rebuilt() {
    let (log, ids) = sample_log();
    let _watcher = Watcher::start(&log);
    trusted_index(&log, &ids[0]);
    assert_learns_and_agrees(&log, &ids[0], "nothing changed");
    let good = fs::read(facts(&log)).unwrap();
    let flipped = |at: usize| {
        let mut bytes = good.clone();
        bytes[at] ^= 0x55;
        bytes
    };
    let damages: [(&str, Vec<u8>); 4] = [
        ("cut by one byte", good[..good.len() - 1].to_vec()),
        ("truncated to half", good[..good.len() / 2].to_vec()),
        ("a byte changed halfway", flipped(good.len() / 2)),
        ("a byte changed in its last entry", flipped(good.len() - 9)),
    ];
    for (what, damaged) in damages {
        fs::write(facts(&log), &damaged).unwrap();
        agreed(&log, &["list"]);
        let rebuilt = fs::read(facts(&log)).unwrap();
        assert!(
            rebuilt.starts_with(b"caselog-facts\n") && rebuilt != damaged,
            "facts {what}: not rebuilt"
        );
        fs::write(facts(&log), &damaged).unwrap();
        if let Err(d) = compare(&log, &whole_log_commands(&ids[0], "refund"), NOW, true) {
            panic!("facts {what}: {d}");
        }
        assert_learns_and_agrees(&log, &ids[0], what);
    }
}

#[test]
#[cfg(target_os = "linux")]
fn a_case_file_with_a_second_name_is_stat_ed_by_every_pass_under_a_watcher() {
    // A change made through a name outside `cases/` is told to no
    // watcher of `cases/`: while a walk finds a case file with a second
    // name, every pass walks.
    let (log, ids) = sample_log();
    let outside = log.path().join("outside.toml");
    fs::hard_link(log.case_path(&ids[1]), &outside).unwrap();
    let _watcher = Watcher::start(&log);
    for _ in 0..2 {
        assert!(
            !learnt_from_the_watcher(&log),
            "a second name is seen by a walk"
        );
        assert_agrees(&log, &ids[1], "refund");
    }
    let text = fs::read_to_string(&outside).unwrap();
    fs::write(
        &outside,
        text.replacen("title = \"", "title = \"Urgent: ", 1),
    )
    .unwrap();
    assert!(!learnt_from_the_watcher(&log));
    assert_agrees(&log, &ids[1], "refund");
    assert!(log.run(["list"]).ok().contains("Urgent: "));
    fs::remove_file(&outside).unwrap();
    assert_learns_and_agrees(&log, &ids[1], "the second name removed");
}

#[test]
#[cfg(target_os = "linux")]
fn a_watcher_that_does_not_answer_costs_a_moment_and_changes_no_answer() {
    let (log, ids) = sample_log();
    let watcher = Watcher::start(&log);
    assert_learns_and_agrees(&log, &ids[0], "watched");
    let pid = watcher.child.id().to_string();
    let signal = |which: &str| {
        assert!(
            std::process::Command::new("kill")
                .args([which, &pid])
                .status()
                .unwrap()
                .success()
        );
    };
    // Stopped, as by Ctrl-Z: asked, it never answers.
    signal("-STOP");
    log.run(["note", &ids[1], "Changed while the watcher slept"])
        .at(NOW)
        .ok();
    let started = std::time::Instant::now();
    assert_agrees(&log, &ids[1], "refund");
    assert!(!learnt_from_the_watcher(&log));
    // Many more than its queue of connections takes, and none waits for
    // ever on it.
    let many: Vec<_> = (0..150)
        .map(|_| log.command(&["due", "--all"]).spawn().unwrap())
        .collect();
    for child in many {
        assert!(child.wait_with_output().unwrap().status.success());
    }
    assert!(
        started.elapsed() < Duration::from_secs(120),
        "{:?}",
        started.elapsed()
    );
    signal("-CONT");
    assert_learns_and_agrees(&log, &ids[1], "woken");
}

#[test]
#[cfg(target_os = "linux")]
fn a_watcher_killed_or_stopped_changes_no_answer_and_another_may_start() {
    let (log, ids) = sample_log();
    trusted_index(&log, &ids[0]);
    let mut watcher = Watcher::start(&log);
    assert_learns_and_agrees(&log, &ids[0], "watched");
    // Killed: its socket stays behind, and nothing answers on it.
    watcher.child.kill().unwrap();
    watcher.child.wait().unwrap();
    assert!(work(&log).join("watch.sock").exists());
    log.run(["note", &ids[1], "Changed while nobody watched"])
        .at(NOW)
        .ok();
    assert!(!learnt_from_the_watcher(&log));
    assert_agrees(&log, &ids[1], "refund");
    // A new watcher takes the stale socket's place; a second is refused.
    let _watcher = Watcher::start(&log);
    let refused = log.run(["index", "--watch"]).output();
    assert_eq!(refused.status.code(), Some(2), "{refused:?}");
    assert!(String::from_utf8_lossy(&refused.stderr).contains("another watcher"));
    log.run(["note", &ids[2], "Changed under the new watcher"])
        .at(NOW)
        .ok();
    assert_learns_and_agrees(&log, &ids[2], "a new watcher");
    // Stopped: it lets go of its socket.
    assert_eq!(
        log.run(["index", "--stop-watching"]).ok(),
        "the watcher stopped\n"
    );
    assert!(!work(&log).join("watch.sock").exists());
    assert_eq!(
        log.run(["index", "--stop-watching"]).ok(),
        "no watcher was running\n"
    );
    assert!(!learnt_from_the_watcher(&log));
    assert_agrees(&log, &ids[2], "refund");
}

#[test]
#[cfg(target_os = "linux")]
fn a_watcher_ends_when_cases_go_and_a_pass_then_walks() {
    let (log, ids) = sample_log();
    let mut watcher = Watcher::start(&log);
    assert_learns_and_agrees(&log, &ids[0], "watched");
    let cases = log.path().join("cases");
    fs::rename(&cases, log.path().join("elsewhere")).unwrap();
    let ended = watcher.child.wait().unwrap();
    assert!(ended.success(), "{ended:?}");
    fs::rename(log.path().join("elsewhere"), &cases).unwrap();
    assert!(!learnt_from_the_watcher(&log));
    assert_agrees(&log, &ids[0], "refund");
}

#[test]
#[cfg(target_os = "linux")]
fn a_pipe_named_as_a_case_is_reported_by_every_whole_log_command_watched_or_not() {
    let (log, ids) = sample_log();
    let _watcher = Watcher::start(&log);
    assert_learns_and_agrees(&log, &ids[0], "watched");
    // Where `ids[2]`'s file was: the case must not vanish without a word.
    let path = log.case_path(&ids[2]);
    fs::remove_file(&path).unwrap();
    let made = std::process::Command::new("mkfifo")
        .arg(&path)
        .status()
        .unwrap();
    assert!(made.success());
    for _ in 0..2 {
        assert!(!learnt_from_the_watcher(&log), "only a walk reports it");
        assert_agrees(&log, &ids[0], "refund");
        let listed = log.run(["list"]).output();
        assert_eq!(listed.status.code(), Some(2), "{listed:?}");
        let said = String::from_utf8_lossy(&listed.stderr);
        assert!(
            said.contains(&format!("{}.toml", ids[2])) && said.contains("not a case file"),
            "{said}"
        );
    }
    // `check` lists it among its findings.
    let checked = log.run(["check"]).output();
    assert_eq!(checked.status.code(), Some(1), "{checked:?}");
    assert!(String::from_utf8_lossy(&checked.stdout).contains("not a case file"));
    fs::remove_file(&path).unwrap();
    assert_learns_and_agrees(&log, &ids[0], "the pipe removed");
}

#[test]
fn index_says_when_it_could_not_keep_the_index_and_other_commands_still_answer() {
    for (what, blocked) in [("facts", "facts"), ("search", "search.sqlite")] {
        let (log, ids) = sample_log();
        // Something no file can be written over: as a full or read-only
        // disk would, the index cannot be kept.
        let path = work(&log).join(blocked);
        let _ = fs::remove_file(&path);
        fs::create_dir_all(path.join("in-the-way")).unwrap();
        let out = log.run(["index"]).output();
        assert_eq!(out.status.code(), Some(3), "{what}: {out:?}");
        let said = String::from_utf8_lossy(&out.stderr);
        assert!(
            said.contains("the index could not be kept") && said.contains(blocked),
            "{what}: {said}"
        );
        // Every other command answers as without the index.
        assert_agrees(&log, &ids[0], "refund");
    }
}
