//! Trustworthy under faults, hostile files and a team's clocks: links that
//! point out of the log, a lock file that is not a file or is held, formula
//! and escape-sequence text, stale temporary files, endless input, absurd
//! values, an id stored twice, clocks that disagree, and many writers.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::harness::{BIN, Log};

// ---------------------------------------------------------------------------
// Shared helpers

/// How a process ended.
struct Finished {
    /// `None` when it had to be killed.
    code: Option<i32>,
    stdout: String,
    stderr: String,
    /// From spawn to exit (or to the kill).
    took: Duration,
    /// Each stderr line with when it arrived, counted from spawn.
    stderr_lines: Vec<(Duration, String)>,
}

/// Runs `command`, feeding it `stdin` (which it may stop reading halfway:
/// that is no error here), and kills it if it is still running after
/// `limit`, so a hang fails the test instead of stalling the suite.
fn finish(mut command: Command, stdin: Option<Vec<u8>>, limit: Duration) -> Finished {
    if stdin.is_some() {
        command.stdin(Stdio::piped());
    }
    let start = Instant::now();
    let mut child = command.spawn().expect("caselog starts");
    let feeder = stdin.map(|bytes| {
        let mut pipe = child.stdin.take().expect("piped stdin");
        thread::spawn(move || {
            let _ = pipe.write_all(&bytes);
        })
    });
    let mut stdout = child.stdout.take().expect("piped stdout");
    let stdout = thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = stdout.read_to_end(&mut bytes);
        bytes
    });
    let stderr = BufReader::new(child.stderr.take().expect("piped stderr"));
    let stderr = thread::spawn(move || {
        let mut lines = Vec::new();
        for line in stderr.split(b'\n') {
            let Ok(line) = line else { break };
            lines.push((start.elapsed(), String::from_utf8_lossy(&line).into_owned()));
        }
        lines
    });
    let code = loop {
        if let Some(status) = child.try_wait().expect("caselog can be waited on") {
            break status.code();
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        thread::sleep(Duration::from_millis(10));
    };
    let took = start.elapsed();
    if let Some(feeder) = feeder {
        feeder.join().expect("stdin fed");
    }
    let stdout = String::from_utf8_lossy(&stdout.join().expect("stdout read")).into_owned();
    let stderr_lines = stderr.join().expect("stderr read");
    let stderr = stderr_lines
        .iter()
        .map(|(_, line)| format!("{line}\n"))
        .collect();
    Finished {
        code,
        stdout,
        stderr,
        took,
        stderr_lines,
    }
}

/// Exit code, stdout and stderr of a harness run.
fn outcome(run: crate::harness::Run) -> (Option<i32>, String, String) {
    let out = run.output();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Opens a case at `at` with `title`; its id.
fn open_at(log: &Log, at: &str, title: &str) -> String {
    log.run([
        "open",
        "--quiet",
        "--title",
        title,
        "--customer",
        "Maria López",
        "--summary",
        "I cancelled order A-1001 and was promised a refund.",
    ])
    .at(at)
    .ok()
    .trim()
    .to_string()
}

/// Every file below `dir` with its bytes (links are not followed).
fn files_below(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| (e.path().to_path_buf(), std::fs::read(e.path()).unwrap()))
        .collect()
}

fn symlink(target: &Path, link: &Path) {
    std::os::unix::fs::symlink(target, link).expect("a symbolic link");
}

/// The `id` of each element of a JSON array.
fn ids(json: &str) -> Vec<String> {
    let value: Value = serde_json::from_str(json).unwrap_or_else(|e| panic!("{e}: {json}"));
    value
        .as_array()
        .expect("a JSON array")
        .iter()
        .map(|c| c["id"].as_str().expect("an id").to_string())
        .collect()
}

/// Runs git in `dir`, with no user or system configuration.
fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args(["-c", "user.email=a@b", "-c", "user.name=A"])
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Appends a setting to the log's `caselog.toml`.
fn set(log: &Log, setting: &str) {
    let path = log.path().join("caselog.toml");
    let mut text = std::fs::read_to_string(&path).unwrap_or_default();
    text.push_str(setting);
    text.push('\n');
    std::fs::write(path, text).unwrap();
}

/// The 1-based number of the first line of `text` equal to `line`.
fn line_of(text: &str, line: &str) -> usize {
    text.lines().position(|l| l == line).expect(line) + 1
}

// ---------------------------------------------------------------------------
// 1. Nothing is read or written outside the log through a symbolic link.

/// The whole-log commands that must warn about a link and go on.
const WHOLE_LOG: &[&[&str]] = &[
    &["list", "--format", "json"],
    &["due", "--all", "--format", "json"],
    &["export", "--format", "json"],
];

/// Runs each whole-log command: exit 2, a warning naming `link`, and the
/// cases `listed` (ids) still listed, `hidden` never.
#[track_caller]
fn warns_and_goes_on(log: &Log, link: &str, listed: &str, hidden: &[&str]) {
    for args in WHOLE_LOG {
        let (code, stdout, stderr) = outcome(log.run(*args));
        assert_eq!(code, Some(2), "{args:?}: {stderr}");
        assert!(
            stderr.contains(&format!("{link} is a symbolic link")),
            "{args:?}: {stderr}"
        );
        assert!(
            ids(&stdout).contains(&listed.to_string()),
            "{args:?}: {stdout}"
        );
        for text in hidden {
            assert!(
                !stdout.contains(text),
                "{args:?} followed the link: {stdout}"
            );
        }
    }
    let (code, stdout, stderr) =
        outcome(log.run(["report", "--format", "json", "--since", "2026-01-01"]));
    assert_eq!(code, Some(2), "report: {stderr}");
    assert!(
        stderr.contains(&format!("{link} is a symbolic link")),
        "{stderr}"
    );
    let report: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(report["summary"]["received"], 1, "{stdout}");
}

#[test]
fn a_month_folder_linking_out_of_the_log_is_never_read_or_written_through() {
    let log = Log::new();
    let october = open_at(&log, "2026-10-05T10:00:00Z", "Beans arrived stale");
    // A real case elsewhere, reachable through the link were it followed.
    let elsewhere = Log::new();
    let foreign = open_at(&elsewhere, "2026-11-20T09:15:00Z", "Secret from elsewhere");
    let outside = tempfile::tempdir().unwrap();
    std::fs::copy(
        elsewhere.case_path(&foreign),
        outside.path().join(format!("{foreign}.toml")),
    )
    .unwrap();
    symlink(outside.path(), &log.path().join("cases/2026/11"));
    let outside_before = files_below(outside.path());
    let before = log.files();

    let stderr = log
        .run(["open", "--title", "T", "--customer", "C", "--summary", "S"])
        .fails(2);
    assert!(
        stderr.contains("cases/2026/11 is a symbolic link"),
        "{stderr}"
    );
    let stderr = log.run(["note", &foreign, "x"]).fails(2);
    assert!(stderr.contains("symbolic link"), "{stderr}");
    let stderr = log.run(["show", &foreign]).fails(2);
    assert!(stderr.contains("symbolic link"), "{stderr}");
    assert!(!stderr.contains("Secret"), "{stderr}");
    assert_eq!(files_below(outside.path()), outside_before);
    assert_eq!(log.files(), before);

    warns_and_goes_on(&log, "cases/2026/11", &october, &[&foreign, "Secret"]);

    let (code, stdout, _) = outcome(log.run(["check"]));
    assert_eq!(code, Some(1), "{stdout}");
    assert!(
        stdout.contains("cases/2026/11:1: a symbolic link"),
        "{stdout}"
    );
    assert_eq!(files_below(outside.path()), outside_before);
    assert_eq!(log.files(), before);
}

#[test]
fn a_cases_folder_that_is_a_link_is_never_read_or_written_through() {
    let log = Log::empty();
    log.run(["init"]).ok();
    let elsewhere = Log::new();
    let foreign = open_at(&elsewhere, "2026-11-20T09:15:00Z", "Secret from elsewhere");
    std::fs::remove_dir_all(log.path().join("cases")).unwrap();
    symlink(&elsewhere.path().join("cases"), &log.path().join("cases"));
    let outside_before = files_below(elsewhere.path());
    for args in [
        &["list", "--format", "json"][..],
        &["export", "--format", "json"],
        &["site", "--out", "site"],
        &["show", &foreign],
        &["note", &foreign, "x"],
        &["open", "--title", "T", "--customer", "C", "--summary", "S"],
    ] {
        let (code, stdout, stderr) = outcome(log.run(args));
        assert_eq!(code, Some(2), "{args:?}: {stderr}");
        assert!(
            stderr.contains("cases is a symbolic link"),
            "{args:?}: {stderr}"
        );
        assert!(
            !stdout.contains("Secret") && !stdout.contains(&foreign),
            "{args:?}: {stdout}"
        );
    }
    assert!(
        !log.path()
            .join("site")
            .join("case")
            .join(format!("{foreign}.html"))
            .exists()
    );
    let (code, stdout, _) = outcome(log.run(["check"]));
    assert_eq!(code, Some(1), "{stdout}");
    assert!(stdout.contains("cases:1: a symbolic link"), "{stdout}");
    assert_eq!(files_below(elsewhere.path()), outside_before);
}

#[test]
fn a_case_file_linking_out_of_the_log_is_neither_changed_nor_shown() {
    let log = Log::new();
    let mine = log.open(&[]);
    let elsewhere = Log::new();
    let foreign = open_at(&elsewhere, "2026-11-20T10:00:00Z", "Secret from elsewhere");
    let outside = tempfile::tempdir().unwrap();
    let target = outside.path().join("loot.toml");
    std::fs::copy(elsewhere.case_path(&foreign), &target).unwrap();
    let link = format!("cases/2026/11/{foreign}.toml");
    symlink(&target, &log.path().join(&link));
    let outside_before = files_below(outside.path());
    let before = log.files();

    for args in [
        vec!["note", foreign.as_str(), "x"],
        vec!["assign", foreign.as_str(), "ben"],
        vec!["show", foreign.as_str()],
        vec!["show", foreign.as_str(), "--format", "toml"],
        vec!["show", foreign.as_str(), "--format", "json"],
    ] {
        let stderr = log.run(&args).fails(2);
        assert!(
            stderr.contains(&format!("{link} is a symbolic link")),
            "{args:?}: {stderr}"
        );
        assert!(!stderr.contains("Secret"), "{args:?}: {stderr}");
    }
    // By a part of its id, the link is not found at all.
    let stderr = log.run(["note", &foreign[9..], "x"]).fails(2);
    assert!(!stderr.contains("Secret"), "{stderr}");
    assert_eq!(files_below(outside.path()), outside_before);
    assert_eq!(log.files(), before);

    warns_and_goes_on(&log, &link, &mine, &[&foreign, "Secret"]);

    let (code, stdout, _) = outcome(log.run(["check"]));
    assert_eq!(code, Some(1), "{stdout}");
    assert!(
        stdout.contains(&format!("{link}:1: a symbolic link")),
        "{stdout}"
    );
    assert!(!stdout.contains("Secret"), "{stdout}");
    assert_eq!(files_below(outside.path()), outside_before);
}

#[test]
fn a_settings_file_that_is_a_link_is_refused() {
    let log = Log::new();
    let id = log.open(&[]);
    let outside = tempfile::tempdir().unwrap();
    let target = outside.path().join("caselog.toml");
    std::fs::rename(log.path().join("caselog.toml"), &target).unwrap();
    symlink(&target, &log.path().join("caselog.toml"));
    let outside_before = files_below(outside.path());
    let before = log.files();
    for args in [vec!["note", id.as_str(), "x"], vec!["list"]] {
        let stderr = log.run(&args).fails(2);
        assert!(
            stderr.contains("caselog.toml is a symbolic link"),
            "{args:?}: {stderr}"
        );
    }
    assert_eq!(log.files(), before);
    assert_eq!(files_below(outside.path()), outside_before);
}

// ---------------------------------------------------------------------------
// 2. The lock file must be a plain file: a link or a FIFO is refused, fast.

#[test]
fn a_lock_file_that_is_a_dangling_link_refuses_changes_and_creates_nothing() {
    let log = Log::new();
    let id = log.open(&[]);
    let outside = tempfile::tempdir().unwrap();
    let target = outside.path().join("planted");
    let lock = log.path().join(".caselog.lock");
    let _ = std::fs::remove_file(&lock);
    symlink(&target, &lock);
    let before = log.files();
    let stderr = log.run(["note", &id, "x"]).fails(2);
    assert!(
        stderr.contains(".caselog.lock is a symbolic link"),
        "{stderr}"
    );
    assert!(!target.exists(), "a file appeared at the link's target");
    assert!(files_below(outside.path()).is_empty());
    assert_eq!(log.files(), before);
}

#[test]
fn a_lock_file_that_is_a_fifo_refuses_changes_at_once() {
    let log = Log::new();
    let id = log.open(&[]);
    let lock = log.path().join(".caselog.lock");
    let _ = std::fs::remove_file(&lock);
    let made = Command::new("mkfifo")
        .arg(&lock)
        .status()
        .expect("mkfifo runs");
    assert!(made.success());
    let before = log.files();
    let run = finish(
        log.command(&["note", &id, "x"]),
        None,
        Duration::from_secs(10),
    );
    assert!(
        run.code.is_some(),
        "hung on the FIFO; killed after {:?}",
        run.took
    );
    assert!(run.took < Duration::from_secs(5), "took {:?}", run.took);
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    assert!(
        run.stderr.contains(".caselog.lock is not a regular file"),
        "{}",
        run.stderr
    );
    assert_eq!(log.files(), before);
}

// ---------------------------------------------------------------------------
// 3. A held lock: a change waits, says so, and gives up after lock_timeout.

/// Holds the log's lock as another caselog would.
fn hold_lock(log: &Log) -> std::fs::File {
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(log.path().join(".caselog.lock"))
        .unwrap();
    file.lock().expect("the lock is free");
    file
}

#[test]
fn a_change_waits_for_a_held_lock_says_so_and_gives_up_after_the_timeout() {
    let log = Log::new();
    let id = log.open(&[]);
    set(&log, "lock_timeout = \"2s\"");
    let before = log.files();
    let _held = hold_lock(&log);
    let run = finish(
        log.command(&["note", &id, "x"]),
        None,
        Duration::from_secs(60),
    );
    assert_eq!(run.code, Some(3), "{}", run.stderr);
    assert!(
        run.took >= Duration::from_millis(1900),
        "gave up after {:?}",
        run.took
    );
    assert!(
        run.took < Duration::from_secs(20),
        "gave up after {:?}",
        run.took
    );
    let (said_at, _) = run
        .stderr_lines
        .iter()
        .find(|(_, line)| line.contains("waiting for another caselog"))
        .unwrap_or_else(|| panic!("no word about waiting: {}", run.stderr));
    assert!(
        *said_at >= Duration::from_millis(900),
        "said at {said_at:?}"
    );
    let last = run.stderr.lines().last().unwrap();
    assert!(
        last.contains(".caselog.lock") && last.contains("nothing was written"),
        "{}",
        run.stderr
    );
    assert_eq!(log.files(), before);
}

#[test]
fn a_change_waiting_for_the_lock_goes_ahead_once_it_is_released() {
    let log = Log::new();
    let id = log.open(&[]);
    // Generous, so a slow machine's late release is still within it.
    set(&log, "lock_timeout = \"10s\"");
    let held = hold_lock(&log);
    let releaser = thread::spawn(move || {
        thread::sleep(Duration::from_millis(1500));
        drop(held);
    });
    let run = finish(
        log.command(&["note", &id, "after the wait"]),
        None,
        Duration::from_secs(60),
    );
    releaser.join().unwrap();
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(
        run.took >= Duration::from_millis(1400),
        "took {:?}",
        run.took
    );
    let case = log.case_json(&id);
    assert_eq!(case["events"][1]["text"], "after the wait");
}

/// `fmt` takes the lock afresh for each file it rewrites. While another
/// caselog held it, each file waited out the lock wait and said so: over
/// a log of 10,000 cases that is days, and 10,000 lines mailed by cron.
/// The first failure to take the lock now ends the run, said once.
#[test]
fn fmt_stops_at_the_first_file_it_cannot_lock_instead_of_waiting_for_each() {
    let log = Log::new();
    let ids: Vec<String> = (0..4).map(|_| log.open(&[])).collect();
    for id in &ids {
        // Two keys swapped: a layout for `fmt` to rewrite.
        let text = log.case_text(id);
        let mut lines: Vec<&str> = text.split('\n').collect();
        let title = lines.iter().position(|l| l.starts_with("title = "));
        let status = lines.iter().position(|l| l.starts_with("status = "));
        lines.swap(title.unwrap(), status.unwrap());
        std::fs::write(log.case_path(id), lines.join("\n")).unwrap();
    }
    set(&log, "lock_timeout = \"1s\"");
    let before = log.files();
    let held = hold_lock(&log);
    let run = finish(log.command(&["fmt"]), None, Duration::from_secs(60));
    drop(held);
    assert_eq!(run.code, Some(3), "{}", run.stderr);
    let refusals = run
        .stderr
        .lines()
        .filter(|l| l.contains("held the lock"))
        .count();
    assert_eq!(refusals, 1, "{}", run.stderr);
    assert!(
        run.took < Duration::from_secs(3),
        "waited {:?} for a lock wait of 1s",
        run.took
    );
    assert_eq!(log.files(), before);
    // With the lock free, it formats them all.
    assert_eq!(log.run(["fmt"]).ok().lines().count(), ids.len());
}

/// The same when the lock is taken by another caselog only once `fmt`
/// is under way: the files left are not each waited for.
#[test]
fn fmt_stops_at_a_lock_taken_from_it_part_way() {
    let log = Log::new();
    let first = log.open(&[]);
    let text = log.case_text(&first);
    let mut lines: Vec<&str> = text.split('\n').collect();
    let title = lines.iter().position(|l| l.starts_with("title = "));
    let status = lines.iter().position(|l| l.starts_with("status = "));
    lines.swap(title.unwrap(), status.unwrap());
    let disarranged = lines.join("\n");
    // Many look-alike files, all to rewrite, the first one first.
    let folder = log.case_path(&first).parent().unwrap().to_path_buf();
    for n in 0..300 {
        let id = format!("20261120-z{n:04}");
        std::fs::write(
            folder.join(format!("{id}.toml")),
            disarranged.replace(&first, &id),
        )
        .unwrap();
    }
    std::fs::write(log.case_path(&first), &disarranged).unwrap();
    set(&log, "lock_timeout = \"1s\"");
    let run = log.command(&["fmt"]).spawn().expect("fmt starts");
    // Once the first file is rewritten, the lock is taken from it.
    let waiting = Instant::now();
    while log.case_text(&first) == disarranged {
        assert!(
            waiting.elapsed() < Duration::from_secs(30),
            "fmt never began"
        );
        thread::sleep(Duration::from_millis(1));
    }
    let held = hold_lock(&log);
    let started = Instant::now();
    let out = run.wait_with_output().unwrap();
    let took = started.elapsed();
    drop(held);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let formatted = String::from_utf8_lossy(&out.stdout).lines().count();
    if formatted == 301 {
        eprintln!("skipped: fmt finished before the lock was taken from it");
        return;
    }
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    let refusals = stderr
        .lines()
        .filter(|l| l.contains("held the lock"))
        .count();
    assert_eq!(refusals, 1, "{stderr}");
    assert!(took < Duration::from_secs(5), "waited {took:?}");
}

// ---------------------------------------------------------------------------
// 4. Spreadsheet formula injection: CSV cells are neutralised, exactly
// reversibly; Markdown tables keep their columns.

/// The header and rows of a CSV text, as a list of name → cell maps.
fn csv_rows(text: &str) -> Vec<BTreeMap<String, String>> {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .expect("a CSV header")
        .iter()
        .map(String::from)
        .collect();
    reader
        .records()
        .map(|record| {
            let record = record.expect("a CSV record");
            header
                .iter()
                .cloned()
                .zip(record.iter().map(String::from))
                .collect()
        })
        .collect()
}

/// Whether a spreadsheet would run `cell` as a formula.
fn runs_as_formula(cell: &str) -> bool {
    cell.starts_with(['=', '+', '-', '@', '\t', '\r'])
}

#[test]
fn csv_export_neutralises_formula_cells_and_import_reads_them_back_exactly() {
    let log = Log::new();
    let first = log
        .run([
            "open",
            "--quiet",
            "--title==1+1",
            "--customer=+31 Maria",
            "--summary=\rcarriage return first",
            "--tag=@team",
            "--wants=\tgoodwill",
            "--contact=-contact",
            "--reference='=already quoted",
            "--category=@billing",
            "--assignee=+ben",
        ])
        .at("2026-11-20T09:00:00Z")
        .ok()
        .trim()
        .to_string();
    log.run(["note", &first, "--", "=cmd|' /C calc'!A0"])
        .at("2026-11-20T10:00:00Z")
        .ok();
    log.run(["note", &first, "--", "\rnote"])
        .at("2026-11-20T11:00:00Z")
        .ok();
    let second = log
        .run([
            "open",
            "--quiet",
            "--title=-5 stars",
            "--customer=@maria",
            "--summary==HYPERLINK(\"http://x\",\"y\")",
            "--tag=-1 star",
            "--wants='=already",
        ])
        .at("2026-11-20T12:00:00Z")
        .ok()
        .trim()
        .to_string();

    let csv = log.run(["export", "--format", "csv"]).ok();
    let rows = csv_rows(&csv);
    let row = |id: &str| rows.iter().find(|r| r["id"] == id).expect(id).clone();
    let (a, b) = (row(&first), row(&second));
    for (row, column, cell) in [
        (&a, "title", "'=1+1"),
        (&a, "customer", "'+31 Maria"),
        (&a, "summary", "'\rcarriage return first"),
        (&a, "tags", "'@team"),
        (&a, "wants", "'\tgoodwill"),
        (&a, "contact", "'-contact"),
        (&a, "reference", "''=already quoted"),
        (&a, "category", "'@billing"),
        (&a, "assignee", "'+ben"),
        (&b, "title", "'-5 stars"),
        (&b, "customer", "'@maria"),
        (&b, "summary", "'=HYPERLINK(\"http://x\",\"y\")"),
        (&b, "tags", "'-1 star"),
        (&b, "wants", "''=already"),
    ] {
        assert_eq!(row[column], cell, "{column}");
    }
    for row in &rows {
        for (column, cell) in row {
            assert!(!runs_as_formula(cell), "{column} would run: {cell:?}");
        }
    }

    // Round trip: what was exported is what is imported, to the byte.
    let original: Value = serde_json::from_str(&log.run(["export"]).ok()).unwrap();
    let other = Log::new();
    let file = other.path().join("cases.csv");
    std::fs::write(&file, &csv).unwrap();
    other.run(["import", "cases.csv"]).ok();
    std::fs::remove_file(&file).unwrap();
    let imported: Value = serde_json::from_str(&other.run(["export"]).ok()).unwrap();
    let imported = imported.as_array().unwrap();
    assert_eq!(imported.len(), 2);
    for case in original.as_array().unwrap() {
        let id = case["id"].as_str().unwrap();
        let copy = imported
            .iter()
            .find(|c| {
                let events = c["events"].as_array().unwrap();
                events.last().unwrap()["text"]
                    .as_str()
                    .is_some_and(|t| t.contains(&format!("(was {id})")))
            })
            .unwrap_or_else(|| panic!("{id} was not imported"));
        for (key, value) in case.as_object().unwrap() {
            if key == "id" || key == "events" {
                continue;
            }
            assert_eq!(&copy[key], value, "{id}: {key}");
        }
        let events = case["events"].as_array().unwrap();
        let copied = copy["events"].as_array().unwrap();
        assert_eq!(&copied[..copied.len() - 1], &events[..], "{id}: events");
    }
}

#[test]
fn tags_are_words_without_surrounding_blanks_so_the_csv_round_trip_is_exact() {
    let log = Log::new();
    let id = log.open(&["--tag=\tx", "--tag= spaced "]);
    assert_eq!(
        log.case_json(&id)["tags"],
        serde_json::json!(["x", "spaced"])
    );
    let csv = log.run(["export", "--format", "csv"]).ok();
    assert_eq!(csv_rows(&csv)[0]["tags"], "x; spaced");
    let other = Log::new();
    std::fs::write(other.path().join("cases.csv"), &csv).unwrap();
    other.run(["import", "cases.csv"]).ok();
    let imported: Value = serde_json::from_str(&other.run(["export"]).ok()).unwrap();
    assert_eq!(imported[0]["tags"], log.case_json(&id)["tags"]);
}

#[test]
fn csv_reports_neutralise_formula_groups() {
    let log = Log::new();
    log.run([
        "open",
        "--quiet",
        "--title",
        "Invoice link",
        "--customer",
        "=HYPERLINK(\"http://x\",\"y\")",
        "--summary",
        "S",
    ])
    .at("2026-11-20T09:00:00Z")
    .ok();
    let csv = log
        .run([
            "report", "--format", "csv", "--by", "customer", "--since", "30d",
        ])
        .ok();
    let rows = csv_rows(&csv);
    assert!(
        rows.iter()
            .any(|r| r["group"] == "'=HYPERLINK(\"http://x\",\"y\")"),
        "{csv}"
    );
    for row in &rows {
        for (column, cell) in row {
            assert!(!runs_as_formula(cell), "{column} would run: {cell:?}");
        }
    }
}

/// The number of cells in a Markdown table row: `|` not escaped by `\`.
fn markdown_cells(row: &str) -> usize {
    let mut count: usize = 0;
    let mut chars = row.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                chars.next();
            }
            '|' => count += 1,
            _ => {}
        }
    }
    count.saturating_sub(1)
}

#[test]
fn markdown_reports_escape_a_pipe_so_the_table_keeps_its_columns() {
    let log = Log::new();
    log.open(&["--category", "billing|refunds"]);
    let markdown = log
        .run([
            "report", "--format", "markdown", "--by", "category", "--since", "30d",
        ])
        .ok();
    let table: Vec<&str> = markdown
        .lines()
        .skip_while(|l| !l.starts_with("#### By category"))
        .skip(2)
        .take_while(|l| l.starts_with('|'))
        .collect();
    assert!(table.len() >= 3, "{markdown}");
    let columns = markdown_cells(table[0]);
    let row = table
        .iter()
        .find(|l| l.contains("billing"))
        .unwrap_or_else(|| panic!("{markdown}"));
    assert!(row.contains("billing\\|refunds"), "{row}");
    for line in &table {
        assert_eq!(markdown_cells(line), columns, "{line}");
    }
}

// ---------------------------------------------------------------------------
// 5. Untrusted text never reaches a terminal raw: case fields, names and
// values typed on the command line, file names, git subjects.

/// Window title, clear screen, hyperlink, clipboard write, a right-to-left
/// override, a C1 control (CSI), and the invisible characters that make
/// two names look the same: zero-width space, word joiner, byte order
/// mark and a joiner between letters that do not join.
const HOSTILE: &str = "\u{1b}]0;X\u{7}\u{1b}[2J\u{1b}]8;;http://x\u{7}\u{1b}]52;c;aGk=\u{7}\u{202e}\u{9b}\
     \u{200b}\u{2060}\u{feff}a\u{200d}b";
/// The same hazards with no `;` (tags may not hold one) and no `/` (for a
/// file name).
const HOSTILE_SHORT: &str = "\u{1b}[2J\u{7}\u{202e}\u{9b}\u{200b}a\u{200d}b";

/// Fails when `output` holds anything that would drive a terminal: ESC,
/// BEL, any other control but a line break or tab (a `\r` only before a
/// `\n`), a C1 control, a bidirectional override, or an invisible
/// character (the hostile text has no emoji for a joiner to join).
#[track_caller]
fn assert_terminal_safe(what: &str, output: &str) {
    let mut chars = output.chars().peekable();
    while let Some(c) = chars.next() {
        let hazard = match c {
            '\n' | '\t' => false,
            '\r' => chars.peek() != Some(&'\n'),
            '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' => true,
            '\u{200b}'..='\u{200d}' | '\u{2060}' | '\u{feff}' => true,
            c => c.is_control(),
        };
        assert!(
            !hazard,
            "{what}: raw {c:?} reached the output: {}",
            output.escape_debug()
        );
    }
}

/// Whether `output` shows the hostile text, escaped visibly. (YAML has its
/// own escape for ESC; clap drops escape sequences from the values it
/// quotes, leaving the override.)
fn shows_escaped(output: &str) -> bool {
    ["\\u{1b}", "\\u001b", "\\e]0;X", "\\u{202e}"]
        .iter()
        .any(|shown| output.contains(shown))
}

/// Runs `run` and checks both of its streams; its exit code, stdout and
/// stderr.
#[track_caller]
fn safe_run(run: crate::harness::Run, what: &str) -> (Option<i32>, String, String) {
    let (code, stdout, stderr) = outcome(run);
    assert_terminal_safe(&format!("{what} (stdout)"), &stdout);
    assert_terminal_safe(&format!("{what} (stderr)"), &stderr);
    (code, stdout, stderr)
}

/// A log in git with two cases full of hostile text in every field, one
/// open and one through its whole life; their ids.
fn hostile_log() -> (Log, String, String) {
    let log = Log::new();
    git(log.path(), &["init", "-q"]);
    git(log.path(), &["add", "-A"]);
    git(log.path(), &["commit", "-q", "-m", "an empty case log"]);
    let h = |prefix: &str| format!("{prefix}{HOSTILE}");
    let open = |at: &str| {
        log.run([
            "open",
            "--quiet",
            &format!("--title=Refund {HOSTILE}"),
            &format!("--customer={}", h("Maria ")),
            &format!("--summary={}", h("I want my money ")),
            &format!("--tag=t{HOSTILE_SHORT}"),
            &format!("--category={}", h("billing")),
            &format!("--assignee={}", h("ben")),
            &format!("--wants={}", h("refund ")),
            &format!("--contact={}", h("maria@")),
            &format!("--reference={}", h("A-1")),
        ])
        .at(at)
        .ok()
        .trim()
        .to_string()
    };
    let open_case = open("2026-11-20T09:00:00Z");
    let done = open("2026-11-20T10:00:00Z");
    let at = "2026-11-21T09:00:00Z";
    for args in [
        vec!["note", &open_case, &h("called ")],
        vec!["note", &done, &h("called ")],
        vec!["wait", &done, "--reason", &h("bank ")],
        vec!["reopen", &done, "--reason", &h("bank said ")],
        vec![
            "propose",
            &done,
            &h("refund "),
            "--pro",
            &h("p "),
            "--con",
            &h("c "),
        ],
        vec![
            "agree",
            &done,
            "1",
            "--contingency",
            &h("k "),
            "--monitor",
            &h("m "),
        ],
        vec!["escalate", &done, "--to", &h("boss "), "--reason", &h("e ")],
        vec![
            "resolve",
            &done,
            "--summary",
            &h("refunded "),
            "--root-cause",
            &h("cause "),
            "--redress",
            &h("voucher "),
            "--outcome",
            "upheld",
        ],
        vec!["close", &done, "--reason", &h("unreachable ")],
    ] {
        log.run(&args).at(at).by(&h("ana ")).ok();
    }
    git(log.path(), &["add", "-A"]);
    git(log.path(), &["commit", "-q", "-m", &h("cases ")]);
    (log, open_case, done)
}

#[test]
fn case_text_never_reaches_the_terminal_raw() {
    let (log, open_case, done) = hostile_log();
    let mut runs: Vec<Vec<&str>> = Vec::new();
    for id in [open_case.as_str(), done.as_str()] {
        runs.push(vec!["show", id]);
        runs.push(vec!["show", id, "--format", "json"]);
        runs.push(vec!["show", id, "--format", "toml"]);
        runs.push(vec!["next", id]);
        runs.push(vec!["next", id, "--format", "json"]);
        runs.push(vec!["similar", id]);
        runs.push(vec!["similar", id, "--format", "json"]);
        runs.push(vec!["log", id]);
        runs.push(vec!["log", id, "--format", "markdown"]);
        runs.push(vec!["log", id, "--format", "json"]);
    }
    for args in [
        &["list"][..],
        &["list", "--format", "json"],
        &["due", "--all"],
        &["due", "--all", "--format", "json"],
        &["due", "--all", "--format", "ics"],
        &["export"],
        &["export", "--format", "json"],
        &["changes", "HEAD~1..HEAD"],
        &["changes", "HEAD~1..HEAD", "--format", "markdown"],
        &["changes", "HEAD~1..HEAD", "--format", "json"],
        &["search", "Refund"],
        &["search", "money"],
        &["search", "money", "--format", "json"],
        &["due"],
        &["fmt", "--check"],
        &["check"],
        &["check", "--format", "github"],
    ] {
        runs.push(args.to_vec());
    }
    for by in ["customer", "category", "assignee"] {
        for format in ["table", "markdown", "json"] {
            runs.push(vec![
                "report", "--since", "30d", "--by", by, "--format", format,
            ]);
        }
    }
    let mut shown = 0;
    for args in &runs {
        let (code, stdout, stderr) = safe_run(log.run(args), &format!("{args:?}"));
        assert_eq!(code, Some(0), "{args:?}: {stderr}");
        // Made safe, JSON is still JSON.
        if args.contains(&"json") {
            let parsed = serde_json::from_str::<serde_json::Value>(&stdout);
            assert!(parsed.is_ok(), "{args:?}: {parsed:?}: {stdout}");
        }
        if shows_escaped(&stdout) {
            shown += 1;
        }
    }
    // The text was there to be escaped: most of these print it.
    assert!(
        shown >= runs.len() / 2,
        "only {shown} of {} showed it",
        runs.len()
    );
    for args in [
        vec!["show", open_case.as_str()],
        vec!["list"],
        vec!["due", "--all"],
        vec!["export"],
        vec!["changes", "HEAD~1..HEAD"],
        vec!["log", done.as_str()],
        vec!["report", "--since", "30d", "--by", "customer"],
    ] {
        let (_, stdout, _) = outcome(log.run(&args));
        assert!(shows_escaped(&stdout), "{args:?} did not show the text");
    }
}

#[test]
fn hostile_files_and_typed_values_never_reach_the_terminal_raw() {
    let (log, open_case, _) = hostile_log();
    // A case file whose name holds escapes, one with a hostile status and
    // one with a hostile key.
    let text = log.case_text(&open_case);
    let folder = log.path().join("cases/2026/11");
    std::fs::write(folder.join(format!("{HOSTILE_SHORT}.toml")), &text).unwrap();
    let quoted: String = HOSTILE
        .chars()
        .map(|c| {
            if c.is_ascii() && !c.is_control() {
                c.to_string()
            } else {
                format!("\\u{:04X}", u32::from(c))
            }
        })
        .collect();
    let bad_status = "20261120-badst";
    std::fs::write(
        folder.join(format!("{bad_status}.toml")),
        text.replace(&open_case, bad_status)
            .replace("status = \"open\"", &format!("status = \"{quoted}\"")),
    )
    .unwrap();
    let bad_key = "20261120-badky";
    std::fs::write(
        folder.join(format!("{bad_key}.toml")),
        text.replace(&open_case, bad_key)
            .replace("[customer]\n", &format!("[customer]\n\"{quoted}\" = 1\n")),
    )
    .unwrap();

    for (args, code) in [
        (vec!["check"], 1),
        (vec!["check", "--format", "github"], 1),
        (vec!["fmt", "--check"], 2),
        (vec!["list"], 2),
        (vec!["list", "--format", "json"], 2),
        (vec!["due", "--all"], 2),
        (vec!["export"], 2),
        (vec!["report", "--since", "30d"], 2),
        (vec!["show", bad_status], 2),
        (vec!["show", bad_key], 2),
        (vec!["note", bad_status, "x"], 2),
    ] {
        let (got, stdout, stderr) = safe_run(log.run(&args), &format!("{args:?}"));
        assert_eq!(got, Some(code), "{args:?}: {stderr}");
        assert!(
            shows_escaped(&stdout) || shows_escaped(&stderr),
            "{args:?} did not name the hostile file or value: {stdout}{stderr}"
        );
    }

    // Values typed on the command line, echoed in errors.
    let h = HOSTILE;
    for args in [
        vec!["list", "--status", h],
        vec![
            "open",
            "--title",
            "T",
            "--customer",
            "C",
            "--summary",
            "S",
            "--severity",
            h,
        ],
        vec![
            "open",
            "--title",
            "T",
            "--customer",
            "C",
            "--summary",
            "S",
            "--channel",
            h,
        ],
        vec!["wait", &open_case, "--reason", "r", "--until", h],
        vec!["report", "--until", h],
        vec!["report", "--since", h],
        vec!["due", "--within", h],
        vec!["show", h],
        vec!["note", h, "x"],
        vec!["list", "--dir", h],
        vec!["import", h],
        vec!["changes", h],
        vec!["log", h],
        vec![h],
    ] {
        let before = log.files();
        let (code, _, stderr) = safe_run(log.run(&args), &format!("{args:?}"));
        assert_eq!(code, Some(2), "{args:?}: {stderr}");
        assert!(shows_escaped(&stderr), "{args:?}: not echoed: {stderr}");
        assert_eq!(log.files(), before, "{args:?} wrote something");
    }
    let (code, _, stderr) = safe_run(
        log.run(["note", &open_case, "x"]).env("CASELOG_NOW", h),
        "CASELOG_NOW",
    );
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("CASELOG_NOW"), "{stderr}");
    // A file named on the command line that is not there is a problem.
    let (code, stdout, _) = safe_run(log.run(["check", h]), "check HOSTILE");
    assert_eq!(code, Some(1));
    assert!(shows_escaped(&stdout), "{stdout}");
}

#[test]
fn csv_and_yaml_to_a_pipe_carry_the_text_exactly() {
    let (log, open_case, _) = hostile_log();
    let title = format!("Refund {HOSTILE}");
    // Data for programs keeps its bytes: that is what a pipe gets.
    let csv = log.run(["export", "--format", "csv"]).ok();
    let rows = csv_rows(&csv);
    let row = rows.iter().find(|r| r["id"] == open_case).unwrap();
    assert_eq!(row["title"], title);
    assert_eq!(row["customer"], format!("Maria {HOSTILE}"));
    let yaml = log.run(["export", "--format", "yaml"]).ok();
    let cases: Vec<serde_yaml::Value> = serde_yaml::from_str(&yaml).unwrap();
    let case = cases
        .iter()
        .find(|c| c["id"].as_str() == Some(open_case.as_str()))
        .unwrap();
    assert_eq!(case["title"].as_str(), Some(title.as_str()));
    // A customer is named with their reference, when there is one.
    let reference = format!("A-1{HOSTILE}");
    let customer_suffix = format!("({reference})");
    let csv = log
        .run([
            "report", "--format", "csv", "--by", "customer", "--since", "30d",
        ])
        .ok();
    assert!(
        csv_rows(&csv)
            .iter()
            .any(|r| r["group"].ends_with(&customer_suffix)),
        "{csv}"
    );
    let yaml = log
        .run([
            "report", "--format", "yaml", "--by", "customer", "--since", "30d",
        ])
        .ok();
    let report: serde_yaml::Value = serde_yaml::from_str(&yaml).unwrap();
    let groups = report["groups"].as_sequence().expect("groups");
    assert!(
        groups.iter().any(|g| g["key"]
            .as_str()
            .is_some_and(|k| k.ends_with(&customer_suffix))),
        "{yaml}"
    );

    // To a terminal, the same commands are escaped like all other output.
    for args in [
        &["export", "--format", "csv"][..],
        &["export", "--format", "yaml"],
        &[
            "report", "--format", "csv", "--by", "customer", "--since", "30d",
        ],
        &[
            "report", "--format", "yaml", "--by", "customer", "--since", "30d",
        ],
    ] {
        let shown = on_a_terminal(&log, args);
        assert_terminal_safe(&format!("{args:?} to a terminal"), &shown);
        assert!(shows_escaped(&shown), "{args:?}: {shown}");
    }
}

/// Runs `args` with stdout on a pseudo-terminal; what it printed there.
fn on_a_terminal(log: &Log, args: &[&str]) -> String {
    use std::os::fd::{FromRawFd, OwnedFd};
    let (mut leader, mut follower) = (0, 0);
    // SAFETY: openpty writes two descriptors into the given integers; the
    // other arguments may be null.
    let made = unsafe {
        libc::openpty(
            &mut leader,
            &mut follower,
            std::ptr::null_mut(),
            std::ptr::null(),
            std::ptr::null(),
        )
    };
    assert_eq!(made, 0, "a pseudo-terminal");
    // SAFETY: both descriptors were just opened and are owned by nobody else.
    let (mut leader, follower) = unsafe {
        (
            std::fs::File::from_raw_fd(leader),
            OwnedFd::from_raw_fd(follower),
        )
    };
    let mut command = log.command(args);
    // What caselog itself writes, not what a pager makes of it.
    command.arg("--no-pager");
    command.stdout(Stdio::from(follower));
    let mut child = command.spawn().expect("caselog starts");
    // The follower's last copy goes with the command, so reading the
    // leader ends once caselog exits.
    drop(command);
    let reader = thread::spawn(move || {
        let mut bytes = Vec::new();
        let mut chunk = [0u8; 4096];
        // Linux says EIO once the other side is closed and drained.
        while let Ok(n) = leader.read(&mut chunk) {
            if n == 0 {
                break;
            }
            bytes.extend_from_slice(&chunk[..n]);
        }
        bytes
    });
    let status = child.wait().expect("caselog finishes");
    assert!(status.success(), "{args:?} on a terminal: {status}");
    String::from_utf8_lossy(&reader.join().unwrap()).into_owned()
}

// ---------------------------------------------------------------------------
// 6. Temporary files stay in the self-ignoring work folder; stale ones are
// ignored, reported by `check` and removed by `check --clean`.

fn temporary_files(root: &Path) -> Vec<PathBuf> {
    walkdir::WalkDir::new(root)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| {
            let name = e.file_name().to_string_lossy();
            name.starts_with(".caselog-") && name.ends_with(".tmp")
        })
        .map(|e| e.into_path())
        .collect()
}

#[test]
fn writes_leave_no_temporary_file_and_git_never_sees_the_work_folder() {
    let log = Log::new();
    git(log.path(), &["init", "-q"]);
    let id = log.open(&[]);
    log.run(["note", &id, "called back"]).ok();
    assert_eq!(temporary_files(log.path()), Vec::<PathBuf>::new());
    // What a crash would leave in the work folder is not for git either.
    let work = log.path().join(".caselog/tmp");
    std::fs::create_dir_all(&work).unwrap();
    std::fs::write(work.join(".caselog-crash.tmp"), "half a case").unwrap();
    let status = git(
        log.path(),
        &["status", "--porcelain", "--untracked-files=all"],
    );
    assert!(
        !status.lines().any(|l| l[3..].starts_with(".caselog/")),
        "{status}"
    );
    assert!(
        status.contains(&format!("cases/2026/11/{id}.toml")),
        "{status}"
    );
}

#[test]
fn stale_temporary_files_are_ignored_reported_by_check_and_removed_by_clean() {
    let log = Log::new();
    let id = log.open(&[]);
    log.run(["note", &id, "called back"]).ok();
    // Half-written copies of the case, as a crash leaves them.
    let stale = log
        .case_text(&id)
        .replace("Refund not received", "STALE COPY");
    let in_work = log.path().join(".caselog/tmp/.caselog-x.tmp");
    let beside = log.path().join("cases/2026/11/.caselog-y.tmp");
    std::fs::create_dir_all(in_work.parent().unwrap()).unwrap();
    std::fs::write(&in_work, &stale).unwrap();
    std::fs::write(&beside, &stale).unwrap();

    for args in [
        vec!["list"],
        vec!["list", "--format", "json"],
        vec!["show", id.as_str()],
        vec!["export"],
        vec!["due", "--all", "--format", "json"],
        vec!["report", "--format", "json", "--since", "30d"],
        vec!["similar", id.as_str()],
        vec!["fmt", "--check"],
    ] {
        let out = log.run(&args).ok();
        assert!(!out.contains("STALE"), "{args:?} read a stale file: {out}");
    }
    assert_eq!(ids(&log.run(["export"]).ok()), vec![id.clone()]);
    log.run(["note", &id, "later"]).ok();
    assert!(
        in_work.exists() && beside.exists(),
        "only --clean removes them"
    );

    let out = log.run(["check"]).output();
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stdout.is_empty(), "the cases are fine");
    let stderr = String::from_utf8_lossy(&out.stderr);
    for path in [
        ".caselog/tmp/.caselog-x.tmp",
        "cases/2026/11/.caselog-y.tmp",
    ] {
        assert!(
            stderr.contains(&format!("{path}: a temporary file")),
            "{stderr}"
        );
    }
    assert!(stderr.contains("caselog check --clean"), "{stderr}");
    assert!(
        in_work.exists() && beside.exists(),
        "check alone removes nothing"
    );

    let out = log.run(["check", "--clean"]).output();
    assert_eq!(out.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("removed .caselog/tmp/.caselog-x.tmp"),
        "{stderr}"
    );
    assert!(
        stderr.contains("removed cases/2026/11/.caselog-y.tmp"),
        "{stderr}"
    );
    assert_eq!(temporary_files(log.path()), Vec::<PathBuf>::new());
    assert_eq!(log.run(["check"]).ok(), "");
    assert!(log.case_text(&id).contains("later"));
}

// ---------------------------------------------------------------------------
// 7. Unbounded input: text is capped, must be UTF-8, and must be a file.

#[test]
fn a_note_or_summary_over_the_text_cap_is_refused_and_nothing_written() {
    let log = Log::new();
    let id = log.open(&[]);
    let big = vec![b'a'; 2 * 1024 * 1024];
    let input = tempfile::tempdir().unwrap();
    let big_file = input.path().join("summary.txt");
    std::fs::write(&big_file, &big).unwrap();
    let before = log.files();

    let run = finish(
        log.command(&["note", &id, "-"]),
        Some(big.clone()),
        Duration::from_secs(60),
    );
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    assert!(run.stderr.contains("larger than 1 MiB"), "{}", run.stderr);
    assert!(run.stdout.is_empty());
    let stderr = log
        .run([
            "open",
            "--title",
            "T",
            "--customer",
            "C",
            "--summary-file",
            big_file.to_str().unwrap(),
        ])
        .fails(2);
    assert!(stderr.contains("larger than 1 MiB"), "{stderr}");
    assert_eq!(log.files(), before);

    set(&log, "max_text_bytes = 100");
    let before = log.files();
    let long = "x".repeat(200);
    let stderr = log
        .run([
            "open",
            "--title",
            "T",
            "--customer",
            "C",
            "--summary",
            &long,
        ])
        .fails(2);
    assert!(stderr.contains("larger than 100 bytes"), "{stderr}");
    let stderr = log.run(["note", &id, &long]).fails(2);
    assert!(stderr.contains("larger than 100 bytes"), "{stderr}");
    assert_eq!(log.files(), before);
    log.run(["note", &id, &"x".repeat(100)]).ok();
}

#[test]
fn input_that_is_not_utf8_or_not_a_file_is_refused() {
    let log = Log::new();
    let id = log.open(&[]);
    let before = log.files();
    let run = finish(
        log.command(&["note", &id, "-"]),
        Some(b"ok\xff then more".to_vec()),
        Duration::from_secs(60),
    );
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    assert!(
        run.stderr.contains("not UTF-8") && run.stderr.contains("offset 2"),
        "{}",
        run.stderr
    );
    let folder = tempfile::tempdir().unwrap();
    for file in ["no-such-file.txt", folder.path().to_str().unwrap()] {
        let stderr = log
            .run([
                "open",
                "--title",
                "T",
                "--customer",
                "C",
                "--summary-file",
                file,
            ])
            .fails(2);
        assert!(stderr.contains(file), "{stderr}");
    }
    assert_eq!(log.files(), before);
}

// ---------------------------------------------------------------------------
// 8. Bad input is refused with the right code, never a panic or a crash.

#[test]
fn a_time_past_the_year_9000_is_bad_input_not_a_failure() {
    let log = Log::new();
    let id = log.open(&[]);
    let before = log.files();
    let stderr = log
        .run(["resolve", &id, "--summary", "Refunded"])
        .at("9999-12-31T00:00:00Z")
        .fails(2);
    assert!(
        stderr.contains("outside the years 1000 to 9000"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(log.files(), before);
}

#[test]
fn a_leap_second_is_written_as_the_second_before_and_check_flags_a_hand_written_one() {
    let log = Log::new();
    let id = open_at(&log, "2016-12-31T23:59:60Z", "Refund not received");
    let text = log.case_text(&id);
    assert!(text.contains("opened_at = 2016-12-31T23:59:59Z"), "{text}");
    assert!(!text.contains(":60"), "{text}");
    log.run(["check"]).ok();
    let hand_written = text.replace("at = 2016-12-31T23:59:59Z", "at = 2016-12-31T23:59:60Z");
    std::fs::write(log.case_path(&id), &hand_written).unwrap();
    let (code, stdout, _) = outcome(log.run(["check"]));
    assert_eq!(code, Some(1), "{stdout}");
    let line = line_of(&hand_written, "at = 2016-12-31T23:59:60Z");
    assert!(
        stdout.contains(&format!("cases/2016/12/{id}.toml:{line}: a leap second")),
        "{stdout}"
    );
}

#[test]
fn the_merge_driver_refuses_an_absurd_marker_size_without_panicking() {
    let log = Log::new();
    let id = log.open(&[]);
    let path = format!("cases/2026/11/{id}.toml");
    for side in ["base", "ours", "theirs"] {
        std::fs::copy(log.case_path(&id), log.path().join(side)).unwrap();
    }
    let before = log.files();
    let (code, stdout, stderr) = outcome(log.run([
        "merge-driver",
        "base",
        "ours",
        "theirs",
        &path,
        "99999999999",
    ]));
    assert_eq!(code, Some(2), "{stdout}{stderr}");
    assert!(stderr.contains("99999999999"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(log.files(), before);
}

#[test]
fn a_follow_up_in_the_past_is_refused() {
    let log = Log::new();
    let id = log.open(&[]);
    log.run(["resolve", &id, "--summary", "Refunded", "--no-follow-up"])
        .ok();
    let before = log.files();
    let stderr = log.run(["follow-up", &id, "--at", "2026-01-01"]).fails(2);
    assert!(stderr.contains("before now"), "{stderr}");
    assert_eq!(log.files(), before);
}

#[test]
fn an_import_with_a_repeated_column_or_bytes_that_are_not_utf8_is_refused() {
    let log = Log::new();
    let input = tempfile::tempdir().unwrap();
    let repeated = input.path().join("repeated.csv");
    std::fs::write(
        &repeated,
        "title,title,customer,summary\nRefund,Other,Maria,No refund\n",
    )
    .unwrap();
    let latin1 = input.path().join("latin1.csv");
    std::fs::write(
        &latin1,
        b"title,customer,summary\nRefund,Mar\xeda,No refund\n",
    )
    .unwrap();
    let before = log.files();
    let stderr = log.run(["import", repeated.to_str().unwrap()]).fails(2);
    assert!(stderr.contains("'title' twice"), "{stderr}");
    let stderr = log.run(["import", latin1.to_str().unwrap()]).fails(2);
    assert!(stderr.contains("not UTF-8"), "{stderr}");
    assert_eq!(log.files(), before);
}

#[test]
fn fmt_check_names_a_case_file_that_is_not_utf8() {
    let log = Log::new();
    let id = log.open(&[]);
    let mut bytes = std::fs::read(log.case_path(&id)).unwrap();
    bytes.extend_from_slice(b"# caf\xe9\n");
    std::fs::write(log.case_path(&id), &bytes).unwrap();
    let before = log.files();
    let (code, _, stderr) = outcome(log.run(["fmt", "--check"]));
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains(&format!("cases/2026/11/{id}.toml")) && stderr.contains("not UTF-8"),
        "{stderr}"
    );
    assert_eq!(log.files(), before);
}

// ---------------------------------------------------------------------------
// 9. A case stored twice is counted once, and both copies are named.

#[test]
fn a_case_stored_twice_is_counted_once_and_both_paths_named() {
    let log = Log::new();
    let id = log.open(&[]);
    open_at(&log, "2026-11-21T09:00:00Z", "Beans arrived stale");
    let passes: [&[&str]; 4] = [
        &["list", "--format", "json"],
        &["due", "--all", "--format", "json"],
        &["export", "--format", "json"],
        &["report", "--format", "json", "--since", "30d"],
    ];
    let alone: Vec<String> = passes.iter().map(|args| log.run(*args).ok()).collect();
    let archive = log.path().join("cases/archive/2026");
    std::fs::create_dir_all(&archive).unwrap();
    std::fs::copy(log.case_path(&id), archive.join(format!("{id}.toml"))).unwrap();
    let before = log.files();
    for (args, alone) in passes.iter().zip(&alone) {
        let (code, stdout, stderr) = outcome(log.run(*args));
        assert_eq!(code, Some(2), "{args:?}: {stderr}");
        assert_eq!(
            &stdout, alone,
            "{args:?}: the case once, as before the copy"
        );
        for path in [
            format!("cases/2026/11/{id}.toml"),
            format!("cases/archive/2026/{id}.toml"),
        ] {
            assert!(stderr.contains(&path), "{args:?}: {stderr}");
        }
    }
    assert_eq!(log.files(), before);
}

// ---------------------------------------------------------------------------
// 10. A team's clocks: no event written ahead of the machine's clock, a
// teammate's slightly fast clock tolerated, a far-off one warned about.

/// The machine's clock in these tests.
const MACHINE: &str = "2026-11-22T09:00:00Z";

#[test]
fn a_pinned_time_ahead_of_the_machine_clock_is_refused_for_writes() {
    let log = Log::new();
    let id = log.open(&[]);
    let before = log.files();
    let open = [
        "open",
        "--quiet",
        "--title",
        "T",
        "--customer",
        "C",
        "--summary",
        "S",
    ];
    for args in [&open[..], &["note", &id, "from the future"]] {
        let stderr = log
            .run(args)
            .env("CASELOG_SYSTEM_CLOCK", MACHINE)
            .at("2026-11-22T09:06:00Z")
            .fails(2);
        assert!(
            stderr.contains("ahead of this machine's clock"),
            "{args:?}: {stderr}"
        );
    }
    assert_eq!(log.files(), before);
    // Reading is not writing.
    log.run(["show", &id])
        .env("CASELOG_SYSTEM_CLOCK", MACHINE)
        .at("2026-11-22T09:06:00Z")
        .ok();
    let fine = log
        .run(open)
        .env("CASELOG_SYSTEM_CLOCK", MACHINE)
        .at("2026-11-22T09:04:00Z")
        .ok();
    assert!(
        log.case_text(fine.trim())
            .contains("opened_at = 2026-11-22T09:04:00Z")
    );
    set(&log, "clock_tolerance = \"10m\"");
    let later = log
        .run(open)
        .env("CASELOG_SYSTEM_CLOCK", MACHINE)
        .at("2026-11-22T09:06:00Z")
        .ok();
    assert!(
        log.case_text(later.trim())
            .contains("opened_at = 2026-11-22T09:06:00Z")
    );
}

#[test]
fn a_teammate_s_slightly_fast_clock_passes_check_and_later_notes_keep_the_order() {
    let log = Log::new();
    // Written on a teammate's machine three minutes fast.
    let id = log
        .run([
            "open",
            "--quiet",
            "--title",
            "T",
            "--customer",
            "C",
            "--summary",
            "S",
        ])
        .env("CASELOG_SYSTEM_CLOCK", "2026-11-22T09:03:00Z")
        .at("2026-11-22T09:03:00Z")
        .ok()
        .trim()
        .to_string();
    let here = |run: crate::harness::Run| run.env("CASELOG_SYSTEM_CLOCK", MACHINE).at(MACHINE);
    assert_eq!(here(log.run(["check"])).ok(), "");
    here(log.run(["note", &id, "called back"])).ok();
    let case = log.case_json(&id);
    assert_eq!(case["events"][1]["text"], "called back");
    assert_eq!(case["events"][1]["at"], "2026-11-22T09:03:00Z");
    assert_eq!(here(log.run(["check"])).ok(), "");
}

#[test]
fn an_event_far_ahead_of_the_clock_is_a_warning_with_its_line_not_an_error() {
    let log = Log::new();
    // Written by a clock two hours fast.
    let id = open_at(&log, "2026-11-22T11:00:00Z", "Refund not received");
    let text = log.case_text(&id);
    let (code, stdout, stderr) = outcome(
        log.run(["check"])
            .env("CASELOG_SYSTEM_CLOCK", MACHINE)
            .at(MACHINE),
    );
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    let line = line_of(&text, "at = 2026-11-22T11:00:00Z");
    assert!(
        stdout.contains(&format!(
            "cases/2026/11/{id}.toml:{line}: warning: event at 2026-11-22T11:00:00Z is in the future"
        )),
        "{stdout}"
    );
}

// ---------------------------------------------------------------------------
// 11. Many writers on one case, on the real clock: no event lost, all in
// time order.

#[test]
fn eight_processes_annotating_one_case_lose_nothing_and_keep_time_order() {
    const WRITERS: usize = 8;
    const EACH: usize = 40;
    let log = Log::new();
    let id = open_at(&log, "2020-01-01T00:00:00Z", "Refund not received");
    thread::scope(|scope| {
        for writer in 0..WRITERS {
            let (log, id) = (&log, &id);
            scope.spawn(move || {
                for n in 0..EACH {
                    let text = format!("writer {writer} note {n}");
                    let (code, _, stderr) = outcome(
                        log.run(["note", id, &text])
                            .env_remove("CASELOG_NOW")
                            .env_remove("CASELOG_SYSTEM_CLOCK"),
                    );
                    assert_eq!(code, Some(0), "{text}: {stderr}");
                }
            });
        }
    });
    let case = log.case_json(&id);
    let events = case["events"].as_array().unwrap();
    assert_eq!(events.len(), 1 + WRITERS * EACH);
    let texts: Vec<&str> = events[1..]
        .iter()
        .map(|e| e["text"].as_str().unwrap())
        .collect();
    for writer in 0..WRITERS {
        let mine: Vec<&str> = texts
            .iter()
            .copied()
            .filter(|t| t.starts_with(&format!("writer {writer} ")))
            .collect();
        let expected: Vec<String> = (0..EACH)
            .map(|n| format!("writer {writer} note {n}"))
            .collect();
        assert_eq!(
            mine, expected,
            "writer {writer}'s notes, each once, in order"
        );
    }
    let times: Vec<&str> = events.iter().map(|e| e["at"].as_str().unwrap()).collect();
    assert!(
        times.windows(2).all(|pair| pair[0] <= pair[1]),
        "events out of time order: {times:?}"
    );
    log.run(["check"])
        .env_remove("CASELOG_NOW")
        .env_remove("CASELOG_SYSTEM_CLOCK")
        .ok();
    assert_eq!(temporary_files(log.path()), Vec::<PathBuf>::new());
}

/// The race behind the test above, made certain: a change that waited for
/// the lock while another one wrote a later event is stamped after it, not
/// refused and not dated before it.
#[test]
fn a_change_queued_on_the_lock_is_stamped_after_the_change_ahead_of_it() {
    let log = Log::new();
    let id = open_at(&log, "2020-01-01T00:00:00Z", "Refund not received");
    let held = hold_lock(&log);
    let mut command = log.command(&["note", &id, "waited"]);
    command
        .env_remove("CASELOG_NOW")
        .env_remove("CASELOG_SYSTEM_CLOCK");
    let waiting = thread::spawn(move || finish(command, None, Duration::from_secs(60)));
    // Long enough for the clock to pass a second while the note waits.
    thread::sleep(Duration::from_millis(2000));
    let ahead = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let mut text = log.case_text(&id);
    text.push_str(&format!(
        "\n[[events]]\nat = {ahead}\nby = \"ben@example.com\"\naction = \"note\"\ntext = \"got in first\"\n"
    ));
    std::fs::write(log.case_path(&id), text).unwrap();
    drop(held);
    let run = waiting.join().unwrap();
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let case = log.case_json(&id);
    let events = case["events"].as_array().unwrap();
    assert_eq!(events.len(), 3);
    assert_eq!(events[1]["text"], "got in first");
    assert_eq!(events[2]["text"], "waited");
    assert!(
        events[2]["at"].as_str().unwrap() >= ahead.as_str(),
        "{events:?}"
    );
    log.run(["check"])
        .env_remove("CASELOG_NOW")
        .env_remove("CASELOG_SYSTEM_CLOCK")
        .ok();
}

#[test]
fn a_change_that_would_make_a_case_too_large_to_read_is_refused_and_writes_nothing() {
    let log = Log::new();
    let id = log.open(&[]);
    let path = log.case_path(&id);
    // A case just under the 64 MiB any case file may be (a hand-made
    // comment, which changes keep).
    let mut text = std::fs::read_to_string(&path).unwrap();
    let room = 64 * 1024 * 1024 - text.len() - 4096;
    text.push_str("# ");
    text.push_str(&"x".repeat(room));
    text.push('\n');
    std::fs::write(&path, &text).unwrap();
    let before = log.files();
    let note = "n".repeat(8192);
    let stderr = log.run(["note", &id, &note]).fails(2);
    assert!(
        stderr.contains("would be larger than 64 MiB") && stderr.contains("nothing was written"),
        "{stderr}"
    );
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert_eq!(log.files(), before);
    // A change that fits still lands, and the case can still be read.
    log.run(["note", &id, "Still here"]).ok();
    assert!(log.run(["show", &id]).ok().contains("Still here"));
}

#[test]
#[cfg(unix)]
fn a_write_past_the_file_size_limit_is_an_error_not_a_silent_death() {
    let log = Log::new();
    let id = log.open(&[]);
    let before = log.files();
    // As a shell with `ulimit -f` runs it: SIGXFSZ left as it comes.
    let plain = log.command(&[]);
    let mut command = Command::new("bash");
    command
        .arg("-c")
        .arg("trap - XFSZ; ulimit -f 2; exec \"$0\" \"$@\"")
        .arg(BIN)
        .args(["note", &id, &"a".repeat(5000)])
        .current_dir(log.path())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (key, value) in plain.get_envs() {
        match value {
            Some(value) => command.env(key, value),
            None => command.env_remove(key),
        };
    }
    let out = command.output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.starts_with("caselog: "), "{stderr}");
    assert_eq!(log.files(), before);
}

#[test]
#[cfg(unix)]
fn a_folder_name_holding_the_key_separator_never_leads_outside_the_log() {
    let log = Log::new();
    let id = log.open(&[]);
    // A case outside `cases/`, and a folder whose name, split where the
    // index joins names (U+0001), reads `2026/../../outside`.
    let outsider = id.replace(&id[9..], "0tsd1");
    let outside = log.path().join("outside");
    std::fs::create_dir_all(&outside).unwrap();
    let text = log.case_text(&id).replace(&id, &outsider).replacen(
        "title = \"",
        "title = \"OUTSIDE THE LOG ",
        1,
    );
    std::fs::write(outside.join(format!("{outsider}.toml")), &text).unwrap();
    let sneaky = log
        .path()
        .join("cases")
        .join("2026\u{1}..\u{1}..\u{1}outside");
    std::fs::create_dir_all(&sneaky).unwrap();
    std::fs::write(sneaky.join(format!("{outsider}.toml")), "").unwrap();
    let before = std::fs::read(outside.join(format!("{outsider}.toml"))).unwrap();
    for no_index in [false, true] {
        let mut run = log.run(["list"]);
        if no_index {
            run = run.env("CASELOG_NO_INDEX", "1");
        }
        let out = run.output();
        let (stdout, stderr) = (
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr),
        );
        assert!(!stdout.contains("OUTSIDE"), "{stdout}");
        assert!(stdout.contains(&id), "{stdout}");
        assert!(stderr.contains("U+0001"), "{stderr}");
        assert_eq!(out.status.code(), Some(2), "{stderr}");
    }
    let stderr = log.run(["note", "0tsd1", "written?"]).fails(2);
    assert!(stderr.contains("U+0001"), "{stderr}");
    assert_eq!(
        std::fs::read(outside.join(format!("{outsider}.toml"))).unwrap(),
        before
    );
}

#[test]
#[cfg(unix)]
fn a_case_file_made_read_only_is_never_changed_by_any_command() {
    use std::os::unix::fs::PermissionsExt;
    let log = Log::new();
    let held = log.open(&[]);
    let path = log.case_path(&held);
    // Unformatted, so that `fmt` has something to change.
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replacen("title = ", "title =  ", 1)).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o444)).unwrap();
    let before = log.files();
    let shown = format!("cases/2026/11/{held}.toml is read-only");
    for args in [
        vec!["note", held.as_str(), "x"],
        vec!["fmt"],
        vec!["redact", held.as_str(), "--reason", "erasure", "--force"],
    ] {
        let stderr = log.run(&args).fails(2);
        assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
        assert!(stderr.contains(&shown), "{args:?}: {stderr}");
        assert!(stderr.contains("nothing was written"), "{args:?}: {stderr}");
        assert_eq!(log.files(), before, "{args:?}");
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o444, "{args:?}");
    }
    // Made writable again, it changes as any other.
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    log.run(["note", &held, "x"]).ok();
}

/// Read-only was judged by the file's mode alone: a case file another
/// user owns, writable by its owner only, was replaced all the same by a
/// rename in the folder (which the acting user may write), and became
/// the acting user's. It is read-only to them, and left be.
#[test]
#[cfg(unix)]
fn a_case_file_another_user_owns_and_only_they_may_write_is_never_changed() {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    // SAFETY: geteuid only reads the process's ids.
    if unsafe { libc::geteuid() } != 0 {
        eprintln!("skipped: acting as another user needs root");
        return;
    }
    const NOBODY: u32 = 65534;
    let log = Log::new();
    let held = log.open(&[]);
    let path = log.case_path(&held);
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replacen("title = ", "title =  ", 1)).unwrap();
    for entry in walkdir::WalkDir::new(log.path()) {
        std::os::unix::fs::chown(entry.unwrap().path(), Some(NOBODY), Some(NOBODY)).unwrap();
    }
    std::os::unix::fs::chown(&path, Some(0), Some(0)).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    let as_nobody = |args: &str| -> (String, String) {
        let mut shell = log.shell().spawn().expect("bash");
        let line = format!(
            "setpriv --reuid={NOBODY} --regid={NOBODY} --clear-groups caselog {args} 2>&1; echo \"exit $?\"\n"
        );
        shell
            .stdin
            .take()
            .unwrap()
            .write_all(line.as_bytes())
            .unwrap();
        let out = shell.wait_with_output().unwrap();
        let out = String::from_utf8_lossy(&out.stdout).into_owned();
        let (said, code) = out.trim_end().rsplit_once('\n').unwrap_or(("", out.trim()));
        (said.to_string(), code.to_string())
    };
    if as_nobody("--version").1 != "exit 0" {
        eprintln!("skipped: cannot run caselog as another user here (setpriv, or its folder)");
        return;
    }
    let before = log.files();
    let shown = format!("cases/2026/11/{held}.toml is read-only");
    for args in [
        format!("note {held} x"),
        "fmt".to_string(),
        format!("redact {held} --reason erasure --force"),
    ] {
        let (said, code) = as_nobody(&args);
        assert_eq!(code, "exit 2", "{args}: {said}");
        assert_eq!(said.lines().count(), 1, "{args}: {said}");
        assert!(said.contains(&shown), "{args}: {said}");
        assert_eq!(log.files(), before, "{args}");
        assert_eq!(std::fs::metadata(&path).unwrap().uid(), 0, "{args}");
    }
    // Writable by others too, it changes as any other.
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o666)).unwrap();
    assert_eq!(as_nobody(&format!("note {held} x")).1, "exit 0");
}
