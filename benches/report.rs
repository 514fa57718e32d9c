//! Is `caselog report` close to the time it takes just to read the files?
//! Generates N cases (1k, 10k, 100k) and, in one run, times side by side:
//! reading every case file's bytes (the floor), `caselog list --format
//! json` (parse everything), `caselog report --by category`, and the two
//! passes that learn from earlier cases: `caselog similar ID` and `caselog
//! open` with its hints (next to `open --quiet`, which skips them). Prints
//! medians of several runs and the ratios to the bare read.
//!
//! `cargo bench --bench report` (CASELOG_BENCH_SIZES="1000,10000" to choose).

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use caselog::case::file::render;
use caselog::case::id::CaseId;
use caselog::case::lifecycle::{self, NewComplaint, Settlement, Stamp};
use caselog::case::{Action, Channel, Severity};
use chrono::{DateTime, Duration as Span, Utc};

const BIN: &str = env!("CARGO_BIN_EXE_caselog");
const RUNS: usize = 5;

/// A log of `count` cases with a realistic mix of histories.
fn fill(root: &Path, count: usize) {
    std::fs::create_dir_all(root.join("cases")).unwrap();
    let start: DateTime<Utc> = "2022-01-01T09:00:00Z".parse().unwrap();
    for n in 0..count {
        let at = start + Span::minutes((n as i64 * 1_440_000) / count.max(1) as i64);
        let stamp = |minutes: i64| Stamp {
            by: format!("agent{}@example.com", n % 7),
            at: at + Span::minutes(minutes),
            zone: caselog::time::Zone::UTC,
        };
        let complaint = NewComplaint {
            title: format!(
                "{} {} {}",
                ["Late", "Damaged", "Wrong", "Missing", "Broken", "Faulty"][n % 6],
                ["parcel", "invoice", "sofa", "lamp", "refund", "voucher", "app"][n % 7],
                ["again", "twice", "order", "delivery", "charge"][n % 5],
            ),
            customer: format!("Customer {}", n % 5000),
            contact: Some(format!("c{}@example.com", n % 5000)),
            reference: Some(format!("FC-{}", n % 7000)),
            preferred_contact: None,
            channel: Channel::ALL[n % Channel::ALL.len()],
            category: Some(["billing", "delivery", "product", "service", "website"][n % 5].into()),
            severity: Severity::ALL[n % 4],
            tags: vec!["bench".into()],
            wants: Some("A refund".into()),
            assignee: Some(format!("agent{}@example.com", n % 7)),
            summary: "The parcel arrived late and one bag was open.\nThe customer wants a refund and an apology.".into(),
        };
        let mut case =
            lifecycle::open(CaseId::generate(at).unwrap(), complaint, &stamp(0)).unwrap();
        case = lifecycle::annotate(
            &case,
            &stamp(30 + (n % 90) as i64),
            Action::Reply,
            "Sorry, we are looking into it.",
        )
        .unwrap();
        if n % 4 != 0 {
            case = lifecycle::resolve(
                &case,
                &stamp(1440),
                Settlement {
                    summary: "Refunded.".into(),
                    agreed: Some(true),
                    follow_up_due: Some(at + Span::hours(72)),
                    ..Settlement::default()
                },
            )
            .unwrap();
            if n % 3 != 0 {
                case = lifecycle::record_follow_up(
                    &case,
                    &stamp(2900 + (n % 200) as i64),
                    Some(n % 5 != 0),
                    None,
                )
                .unwrap();
            }
        }
        let path = case.id.path_in(&root.join("cases"));
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, render(&case)).unwrap();
    }
}

fn read_all_bytes(root: &Path) -> usize {
    walkdir::WalkDir::new(root.join("cases"))
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| std::fs::read(e.path()).unwrap().len())
        .sum()
}

/// Any one case's id, for the commands about one case.
fn some_id(root: &Path) -> String {
    walkdir::WalkDir::new(root.join("cases"))
        .into_iter()
        .filter_map(Result::ok)
        .find(|e| e.file_type().is_file())
        .and_then(|e| e.path().file_stem()?.to_str().map(String::from))
        .unwrap()
}

fn caselog(root: &Path, args: &[&str]) -> Duration {
    let started = Instant::now();
    let out = Command::new(BIN)
        .args(args)
        .env("CASELOG_DIR", root)
        .env("CASELOG_NOW", "2026-11-22T09:00:00Z")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    started.elapsed()
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn main() {
    let sizes: Vec<usize> = std::env::var("CASELOG_BENCH_SIZES")
        .unwrap_or_else(|_| "1000,10000,100000".into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    println!(
        "{:>8} {:>11} {:>11} {:>11} {:>11} {:>11} {:>11} {:>8} {:>8} {:>8}",
        "cases",
        "read files",
        "list json",
        "report",
        "similar",
        "open",
        "open -q",
        "report÷",
        "similar÷",
        "open÷"
    );
    let open = |quiet: bool| -> Vec<&'static str> {
        let mut args = vec![
            "open",
            "--title",
            "Damaged sofa delivery",
            "--customer",
            "Customer 7",
            "--reference",
            "FC-7",
            "--category",
            "delivery",
            "--summary",
            "The sofa arrived with a torn cushion.",
            "--by",
            "bench",
        ];
        if quiet {
            args.push("--quiet");
        }
        args
    };
    for size in sizes {
        let dir = tempfile::tempdir().unwrap();
        fill(dir.path(), size);
        read_all_bytes(dir.path()); // warm the page cache for all three alike
        let id = some_id(dir.path());
        let (mut read, mut list, mut report) = (Vec::new(), Vec::new(), Vec::new());
        let (mut similar, mut hinted, mut quiet) = (Vec::new(), Vec::new(), Vec::new());
        for _ in 0..RUNS {
            let started = Instant::now();
            read_all_bytes(dir.path());
            read.push(started.elapsed());
            list.push(caselog(dir.path(), &["list", "--format", "json"]));
            report.push(caselog(
                dir.path(),
                &["report", "--by", "category", "--format", "json"],
            ));
            similar.push(caselog(dir.path(), &["similar", &id]));
            hinted.push(caselog(dir.path(), &open(false)));
            quiet.push(caselog(dir.path(), &open(true)));
        }
        let (read, list, report) = (median(read), median(list), median(report));
        let (similar, hinted, quiet) = (median(similar), median(hinted), median(quiet));
        let per_read = |d: Duration| d.as_secs_f64() / read.as_secs_f64();
        println!(
            "{size:>8} {:>9.1}ms {:>9.1}ms {:>9.1}ms {:>9.1}ms {:>9.1}ms {:>9.1}ms {:>8.2} {:>8.2} {:>8.2}",
            ms(read),
            ms(list),
            ms(report),
            ms(similar),
            ms(hinted),
            ms(quiet),
            per_read(report),
            per_read(similar),
            per_read(hinted),
        );
    }
}
