//! Does a command about one case cost the same with 10 or 100,000 cases on
//! disk? Runs `open --quiet`, `annotate`, `resolve` and `show --format
//! toml` with a full id in a small and a large case log, side by side in
//! one run, and prints the median of several runs and the large/small
//! ratio. Two more rows measure what learning from earlier cases costs:
//! `open` with its hints and `show` with the customer's earlier cases, each
//! a pass over every case by design.
//!
//! `cargo bench --bench one_case` (set CASELOG_BENCH_CASES to change the
//! large log's size). A benchmark, never a timed test: figures go to
//! BENCHMARKS.md.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use caselog::case::file::render;
use caselog::case::id::CaseId;
use caselog::case::lifecycle::{self, NewComplaint, Stamp};
use caselog::case::{Channel, Severity};
use chrono::{DateTime, Duration as Span, Utc};

const BIN: &str = env!("CARGO_BIN_EXE_caselog");
const RUNS: usize = 15;

fn fill(root: &Path, count: usize) {
    std::fs::create_dir_all(root.join("cases")).unwrap();
    let start: DateTime<Utc> = "2024-01-01T09:00:00Z".parse().unwrap();
    for n in 0..count {
        let at = start + Span::minutes(n as i64 * 7);
        let stamp = Stamp {
            by: "ana@example.com".into(),
            at,
            zone: caselog::time::Zone::UTC,
        };
        let complaint = NewComplaint {
            title: format!("Complaint number {n}"),
            customer: format!("Customer {}", n % 5000),
            contact: Some(format!("c{n}@example.com")),
            reference: Some(format!("FC-{}", n % 7000)),
            preferred_contact: None,
            channel: Channel::ALL[n % Channel::ALL.len()],
            category: Some(["billing", "delivery", "product"][n % 3].into()),
            severity: Severity::Normal,
            tags: vec!["bench".into()],
            wants: None,
            assignee: Some("ben@example.com".into()),
            summary: "The parcel arrived late and one bag was open.\nThe customer wants a refund."
                .into(),
        };
        let case = lifecycle::open(CaseId::generate(at).unwrap(), complaint, &stamp).unwrap();
        let case =
            lifecycle::annotate(&case, &stamp, caselog::case::Action::Reply, "Sorry.").unwrap();
        let path = case.id.path_in(&root.join("cases"));
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, render(&case)).unwrap();
    }
}

fn caselog(root: &Path, now: &str, args: &[&str]) -> (Duration, String) {
    let started = Instant::now();
    let out = Command::new(BIN)
        .args(args)
        .env("CASELOG_DIR", root)
        .env("CASELOG_NOW", now)
        .env("CASELOG_USER", "bench@example.com")
        .output()
        .unwrap();
    let took = started.elapsed();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    (took, String::from_utf8(out.stdout).unwrap())
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

/// Median times of each command in one log, in the order of `COMMANDS`.
fn measure(root: &Path, round: usize) -> Vec<Duration> {
    let mut times = vec![Vec::new(); COMMANDS.len()];
    for run in 0..RUNS {
        let now = format!(
            "2030-01-{:02}T{:02}:{:02}:00Z",
            1 + round,
            run / 60,
            run % 60
        );
        let hinted = [
            "open",
            "--title",
            "Bench",
            "--customer",
            "B",
            "--summary",
            "S",
        ];
        let quiet = [&hinted[..], &["--quiet"]].concat();
        let (t, out) = caselog(root, &now, &quiet);
        times[0].push(t);
        let id = out.trim().to_string();
        times[1].push(caselog(root, &now, &["annotate", &id, "a note"]).0);
        times[2].push(caselog(root, &now, &["resolve", &id, "--summary", "done"]).0);
        times[3].push(caselog(root, &now, &["show", &id, "--format", "toml"]).0);
        times[4].push(caselog(root, &now, &hinted).0);
        times[5].push(caselog(root, &now, &["show", &id]).0);
    }
    times.into_iter().map(median).collect()
}

const COMMANDS: [&str; 6] = [
    "open --quiet",
    "annotate ID",
    "resolve ID",
    "show ID --format toml",
    "open (hints)",
    "show ID (text)",
];

fn main() {
    let large: usize = std::env::var("CASELOG_BENCH_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let small_dir = tempfile::tempdir().unwrap();
    let large_dir = tempfile::tempdir().unwrap();
    fill(small_dir.path(), 10);
    let started = Instant::now();
    fill(large_dir.path(), large);
    eprintln!("wrote {large} case files in {:.1?}", started.elapsed());

    // Interleave the two logs so machine noise hits both alike.
    let mut small = Vec::new();
    let mut big = Vec::new();
    for round in 0..3 {
        small.push(measure(small_dir.path(), round));
        big.push(measure(large_dir.path(), round));
    }
    println!(
        "{:<22} {:>12} {:>14} {:>7}",
        "command",
        "10 cases",
        format!("{large} cases"),
        "ratio"
    );
    for (i, name) in COMMANDS.iter().enumerate() {
        let s = median(small.iter().map(|r| r[i]).collect());
        let b = median(big.iter().map(|r| r[i]).collect());
        println!(
            "{name:<22} {:>10.2}ms {:>12.2}ms {:>7.2}",
            s.as_secs_f64() * 1e3,
            b.as_secs_f64() * 1e3,
            b.as_secs_f64() / s.as_secs_f64()
        );
    }
}
