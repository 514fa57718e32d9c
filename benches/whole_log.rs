//! Does a command over the whole log cost about what it takes to stat the
//! files, not to parse them? Builds case logs of 10,000 and 100,000 cases
//! cloned from the demo log (realistic cases, about 4 KB each, their dates
//! spread over five years and their words varied), then, in one run, times
//! each whole-log command against the read floor (every case file's bytes
//! read on two threads), pair by pair: with a fresh index, with the index
//! turned off (`CASELOG_NO_INDEX=1`, every file read and parsed, as before
//! the index), and for the first run after a clone (no index yet). At
//! 10,000 cases it also times taskwarrior's `task count` and `task list`
//! over as many tasks, when `task` is installed. Last, on Linux, each
//! command again with a watcher running (`caselog index --watch`), which
//! tells it what changed instead of a stat of every file.
//!
//! `cargo bench --bench whole_log` (CASELOG_BENCH_SIZES="10000" to choose;
//! the logs are kept in target/bench-logs/ for the next run).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use caselog::case::Timestamp;
use caselog::case::file::{parse, render};
use caselog::case::id::CaseId;
use chrono::{DateTime, Duration as Span, Utc};

const BIN: &str = env!("CARGO_BIN_EXE_caselog");
const NOW: &str = "2026-11-22T09:00:00Z";

/// Words mixed into the clones' titles and complaints, so the search index
/// has a vocabulary to rank.
const WORDS: &[&str] = &[
    "courier",
    "parcel",
    "grinder",
    "kettle",
    "subscription",
    "invoice",
    "voucher",
    "refund",
    "beans",
    "roast",
    "filter",
    "espresso",
    "delivery",
    "damaged",
    "missing",
    "late",
    "broken",
    "leaking",
    "charged",
    "twice",
    "address",
    "label",
    "warehouse",
    "depot",
    "weekend",
    "bag",
    "seal",
    "stale",
    "bitter",
    "sour",
    "website",
    "password",
    "login",
    "basket",
    "discount",
    "code",
    "gift",
    "card",
    "replacement",
    "return",
];

fn demo_cases() -> Vec<caselog::case::Case> {
    let mut cases = Vec::new();
    for entry in walkdir::WalkDir::new(concat!(env!("CARGO_MANIFEST_DIR"), "/cases")) {
        let entry = entry.unwrap();
        if entry.path().extension().is_some_and(|e| e == "toml") {
            let text = std::fs::read_to_string(entry.path()).unwrap();
            cases.push(parse("demo", &text).unwrap());
        }
    }
    cases.sort_by(|a, b| a.id.cmp(&b.id));
    cases
}

/// A log of `count` cases cloned from the demo, built once and kept.
fn log_of(count: usize) -> PathBuf {
    let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("bench-logs/{count}"));
    if root.join("complete").exists() {
        return root;
    }
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(root.join("cases")).unwrap();
    std::fs::copy(
        concat!(env!("CARGO_MANIFEST_DIR"), "/caselog.toml"),
        root.join("caselog.toml"),
    )
    .unwrap();
    let demo = demo_cases();
    let start: DateTime<Utc> = "2022-01-03T08:00:00Z".parse().unwrap();
    let span_minutes = (NOW.parse::<DateTime<Utc>>().unwrap() - start).num_minutes() - 60 * 24 * 30;
    eprintln!("building a log of {count} cases in {}", root.display());
    for n in 0..count {
        let mut case = demo[n % demo.len()].clone();
        let opened = start + Span::minutes(span_minutes * n as i64 / count as i64);
        let shift = opened - case.opened_at.0;
        let moved = |t: &mut Timestamp| t.0 += shift;
        moved(&mut case.opened_at);
        for e in &mut case.events {
            moved(&mut e.at);
            if let Some(t) = e.due.as_mut() {
                moved(t);
            }
            if let Some(t) = e.until.as_mut() {
                moved(t);
            }
        }
        if let Some(r) = case.resolution.as_mut() {
            moved(&mut r.resolved_at);
        }
        if let Some(f) = case.follow_up.as_mut() {
            moved(&mut f.due);
            if let Some(t) = f.done_at.as_mut() {
                moved(t);
            }
        }
        // Events later than now would be in the future: leave them out.
        let now: DateTime<Utc> = NOW.parse().unwrap();
        if case.events.iter().any(|e| e.at.0 > now) {
            case = demo[0].clone();
            case.opened_at = Timestamp(opened);
            let shift = opened - demo[0].opened_at.0;
            for e in &mut case.events {
                e.at.0 += shift;
            }
            case.events.truncate(1);
            case.resolution = None;
            case.follow_up = None;
            case.status = caselog::case::Status::Open;
            case.void = None;
            case.duplicate_of = None;
            case.assignee = case.events[0].to.clone();
        }
        case.id = CaseId::generate(opened).unwrap();
        let word = |k: usize| WORDS[(n * 7 + k * 13) % WORDS.len()];
        case.title = format!("{} ({} {})", case.title, word(1), word(2));
        case.complaint.summary = format!(
            "{}\nAlso: the {} and the {} were {}.",
            case.complaint.summary,
            word(3),
            word(4),
            word(5)
        );
        if let Some(reference) = case.customer.reference.as_mut() {
            *reference = format!("{reference}-{}", n % 9000);
        }
        let path = case.id.path_in(&root.join("cases"));
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, render(&case)).unwrap();
    }
    std::fs::write(root.join("complete"), "").unwrap();
    root
}

/// Every case file's bytes, read on two threads: the floor.
fn floor(root: &Path) -> Duration {
    let started = Instant::now();
    let files: Vec<PathBuf> = walkdir::WalkDir::new(root.join("cases"))
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| e.into_path())
        .collect();
    let half = files.len() / 2;
    let (a, b) = files.split_at(half);
    std::thread::scope(|s| {
        for part in [a, b] {
            s.spawn(move || {
                let mut bytes = 0;
                for f in part {
                    bytes += std::fs::read(f).map_or(0, |b| b.len());
                }
                bytes
            });
        }
    });
    started.elapsed()
}

fn caselog(root: &Path, args: &[&str], no_index: bool) -> Duration {
    let mut command = Command::new(BIN);
    command
        .args(args)
        .current_dir(root)
        .env("CASELOG_NOW", NOW)
        .env("CASELOG_USER", "bench@example.com")
        .env("CASELOG_SYSTEM_CLOCK", "2100-01-01T00:00:00Z")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    if no_index {
        command.env("CASELOG_NO_INDEX", "1");
    } else {
        command.env_remove("CASELOG_NO_INDEX");
    }
    let started = Instant::now();
    let status = command.status().unwrap();
    let took = started.elapsed();
    assert!(status.code().is_some_and(|c| c <= 2), "{args:?}: {status}");
    took
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// Times `run` against the floor, in turns; the median time and the
/// median of the pairwise ratios.
fn against_floor(root: &Path, runs: usize, mut run: impl FnMut() -> Duration) -> (f64, f64) {
    let (mut times, mut ratios) = (Vec::new(), Vec::new());
    for _ in 0..runs {
        let f = floor(root).as_secs_f64();
        let t = run().as_secs_f64();
        times.push(t);
        ratios.push(t / f);
    }
    (median(times), median(ratios))
}

fn some_id(root: &Path) -> String {
    let out = Command::new(BIN)
        .args([
            "list", "--status", "resolved", "--limit", "1", "--sort", "updated",
        ])
        .current_dir(root)
        .env("CASELOG_NOW", NOW)
        .env("CASELOG_SYSTEM_CLOCK", "2100-01-01T00:00:00Z")
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .nth(1)
        .and_then(|l| l.split_whitespace().next())
        .unwrap_or_default()
        .to_string()
}

/// Taskwarrior over `count` tasks, when installed: `task count` and
/// `task list`, against the same floor.
fn taskwarrior(root: &Path, count: usize, runs: usize) -> Option<[(f64, f64); 2]> {
    Command::new("task").arg("--version").output().ok()?;
    let data = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("bench-logs/task-{count}"));
    let rc = data.join("taskrc");
    if !data.join("complete").exists() {
        let _ = std::fs::remove_dir_all(&data);
        std::fs::create_dir_all(&data).unwrap();
        std::fs::write(
            &rc,
            format!(
                "data.location={}\nconfirmation=off\nverbose=nothing\n",
                data.display()
            ),
        )
        .unwrap();
        let tasks: Vec<String> = (0..count)
            .map(|n| {
                format!(
                    r#"{{"description":"Complaint {n} about a {} {}","status":"pending","entry":"20260101T000000Z","project":"p{}","due":"20261201T000000Z"}}"#,
                    WORDS[n % WORDS.len()],
                    WORDS[(n * 3) % WORDS.len()],
                    n % 5
                )
            })
            .collect();
        let file = data.join("tasks.json");
        std::fs::write(&file, format!("[{}]", tasks.join(","))).unwrap();
        let ok = Command::new("task")
            .env("TASKRC", &rc)
            .arg("import")
            .arg(&file)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .ok()?
            .success();
        if !ok {
            return None;
        }
        std::fs::write(data.join("complete"), "").unwrap();
    }
    let task = |arg: &str| task(&rc, arg);
    Some([
        against_floor(root, runs, || task("count")),
        against_floor(root, runs, || task("list")),
    ])
}

/// One run of `task ARG` with this taskrc.
fn task(rc: &Path, arg: &str) -> Duration {
    let started = Instant::now();
    Command::new("task")
        .env("TASKRC", rc)
        .arg(arg)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap();
    started.elapsed()
}

/// Each command with a watcher running (`caselog index --watch`, Linux):
/// its median and its median ratio to the floor, and at 10,000 cases to
/// `task count`, each timed in turn with it.
#[cfg(target_os = "linux")]
fn with_a_watcher(root: &Path, count: usize, runs: usize, commands: &[(&str, Vec<&str>)]) {
    use std::io::BufRead;
    let mut watcher = Command::new(BIN)
        .args(["index", "--watch"])
        .current_dir(root)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut said = String::new();
    std::io::BufReader::new(watcher.stdout.take().unwrap())
        .read_line(&mut said)
        .unwrap();
    assert!(said.starts_with("watching"), "{said}");
    // The first run records the watcher's token in the index.
    for (_, args) in commands {
        caselog(root, args, false);
        caselog(root, args, false);
    }
    let rc = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("bench-logs/task-{count}/taskrc"));
    let taskwarrior = count == 10_000 && rc.exists();
    println!("\nwith a watcher running:");
    println!("| command | with a watcher | × floor | × `task count` |");
    println!("|---|---:|---:|---:|");
    for (name, args) in commands {
        let (with, ratio) = against_floor(root, runs, || caselog(root, args, false));
        let against_task = if taskwarrior {
            let ratios: Vec<f64> = (0..runs * 2)
                .map(|_| {
                    let t = task(&rc, "count").as_secs_f64();
                    caselog(root, args, false).as_secs_f64() / t
                })
                .collect();
            format!("{:.2}", median(ratios))
        } else {
            String::new()
        };
        println!(
            "| `{name}` | {:.0} ms | {ratio:.2} | {against_task} |",
            with * 1000.0
        );
    }
    caselog(root, &["index", "--stop-watching"], false);
    let _ = watcher.wait();
}

fn main() {
    let sizes: Vec<usize> = std::env::var("CASELOG_BENCH_SIZES")
        .unwrap_or_else(|_| "10000,100000".into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    for count in sizes {
        let root = log_of(count);
        let runs = if count >= 100_000 { 3 } else { 7 };
        let id = some_id(&root);
        let commands: Vec<(&str, Vec<&str>)> = vec![
            ("report --format json", vec!["report", "--format", "json"]),
            ("list", vec!["list"]),
            ("due", vec!["due"]),
            ("similar ID", vec!["similar", &id]),
            ("show ID (text)", vec!["show", &id]),
            ("search refund", vec!["search", "refund"]),
            ("check", vec!["check"]),
            ("export --format json", vec!["export", "--format", "json"]),
        ];
        // Warm everything: the page cache, and a fresh index.
        for (_, args) in &commands {
            caselog(&root, args, false);
        }
        let floor_median = median((0..runs).map(|_| floor(&root).as_secs_f64()).collect());
        println!(
            "\n{count} cases: read floor (2 threads) median {:.0} ms",
            floor_median * 1000.0
        );
        println!("| command | fresh index | × floor | no index | × floor |");
        println!("|---|---:|---:|---:|---:|");
        for (name, args) in &commands {
            let (with, with_ratio) = against_floor(&root, runs, || caselog(&root, args, false));
            let (without, without_ratio) =
                against_floor(&root, runs.min(3), || caselog(&root, args, true));
            println!(
                "| `{name}` | {:.0} ms | {with_ratio:.2} | {:.0} ms | {without_ratio:.2} |",
                with * 1000.0,
                without * 1000.0
            );
        }
        // `open` with its hints writes a case each time: timed apart.
        let open = [
            "open",
            "--title",
            "Parcel late again",
            "--customer",
            "Bench",
            "--summary",
            "The courier left the parcel at the depot.",
        ];
        let (with, ratio) = against_floor(&root, runs, || caselog(&root, &open, false));
        println!(
            "| `open` (with hints) | {:.0} ms | {ratio:.2} | | |",
            with * 1000.0
        );
        // The first run after a clone: no index yet.
        for (name, args) in [
            ("report --format json", &commands[0].1),
            ("list", &commands[1].1),
        ] {
            let (first, ratio) = against_floor(&root, 1, || {
                let _ = std::fs::remove_dir_all(root.join(".caselog"));
                caselog(&root, args, false)
            });
            let (plain, plain_ratio) = against_floor(&root, 1, || caselog(&root, args, true));
            println!(
                "first `{name}` after a clone: {:.1} s ({ratio:.1} × floor; a plain scan {:.1} s, {plain_ratio:.1} × floor: {:.2} × the scan)",
                first,
                plain,
                first / plain
            );
        }
        let (search_first, ratio) = against_floor(&root, 1, || {
            let _ = std::fs::remove_file(root.join(".caselog/search.sqlite"));
            caselog(&root, &["search", "refund"], false)
        });
        println!(
            "first `search` (builds the search index): {search_first:.1} s ({ratio:.1} × floor)"
        );
        if count == 10_000 {
            match taskwarrior(&root, count, runs) {
                Some([(count_t, count_r), (list_t, list_r)]) => println!(
                    "taskwarrior over {count} tasks: `task count` {:.0} ms ({count_r:.2} × floor), `task list` {:.0} ms ({list_r:.2} × floor)",
                    count_t * 1000.0,
                    list_t * 1000.0
                ),
                None => println!("taskwarrior: not installed, not compared"),
            }
        }
        #[cfg(target_os = "linux")]
        with_a_watcher(&root, count, runs, &commands);
    }
}
