//! What people and programs read: tables, JSON, quiet empty results, pipes.

use std::process::{Command, Stdio};

use crate::harness::{BIN, Log};

#[test]
fn an_empty_list_prints_nothing() {
    let log = Log::new();
    assert_eq!(log.run(["list"]).ok(), "");
    log.open(&[]);
    assert_eq!(log.run(["list", "--status", "closed"]).ok(), "");
}

#[test]
fn list_filters_by_status_category_and_assignee() {
    let log = Log::new();
    let billing = log.open(&["--category", "billing", "--assignee", "ana"]);
    let delivery = log.open(&["--category", "delivery", "--assignee", "ben"]);
    log.run(["resolve", &delivery, "--summary", "Reshipped."])
        .ok();
    let only = |args: &[&str], id: &str, other: &str| {
        let mut full = vec!["list"];
        full.extend_from_slice(args);
        let out = log.run(full).ok();
        assert!(out.contains(id) && !out.contains(other), "{args:?}: {out}");
    };
    only(&["--category", "billing"], &billing, &delivery);
    only(&["--assignee", "ben"], &delivery, &billing);
    only(&["--status", "resolved"], &delivery, &billing);
    let both = log
        .run(["list", "--status", "open", "--status", "resolved"])
        .ok();
    assert!(both.contains(&billing) && both.contains(&delivery));
}

#[test]
fn list_shows_a_table_for_people() {
    let log = Log::new();
    let id = log.open(&[
        "--category",
        "billing",
        "--assignee",
        "ben@example.com",
        "--severity",
        "high",
    ]);
    log.run(["resolve", &id, "--summary", "Refunded."]).ok();
    let out = log.run(["list"]).at("2026-11-22T10:00:00Z").ok();
    insta::assert_snapshot!(out.replace(&id, "<ID>          "));
}

#[test]
fn list_marks_an_overdue_follow_up() {
    let log = Log::new();
    let id = log.open(&[]);
    log.run(["resolve", &id, "--summary", "Refunded."]).ok();
    let out = log.run(["list"]).at("2026-11-25T10:00:00Z").ok();
    assert!(out.contains("overdue"), "{out}");
    let shown = log.run(["show", &id]).at("2026-11-25T10:00:00Z").ok();
    assert!(
        shown.contains("follow-up       overdue: was due 2026-11-24 09:00 UTC (1d 1h ago)"),
        "{shown}"
    );
}

#[test]
fn list_and_show_json_carry_the_whole_case() {
    let log = Log::new();
    let id = log.open(&["--tag", "refund"]);
    let list: serde_json::Value =
        serde_json::from_str(&log.run(["list", "--format", "json"]).ok()).unwrap();
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0], log.case_json(&id));
    assert_eq!(list[0]["tags"][0], "refund");
    assert_eq!(list[0]["opened_at"], "2026-11-20T09:15:00Z");
    assert_eq!(
        log.run(["list", "--format", "json", "--status", "closed"])
            .ok(),
        "[]\n"
    );
}

#[test]
fn show_as_toml_is_the_canonical_file() {
    let log = Log::new();
    let id = log.open(&[]);
    assert_eq!(
        log.run(["show", &id, "--format", "toml"]).ok(),
        log.case_text(&id)
    );
}

#[test]
fn show_text_is_a_readable_case() {
    let log = Log::new();
    let id = log.open(&[
        "--contact",
        "maria@example.com",
        "--preferred-contact",
        "phone",
        "--reference",
        "A-1001",
        "--wants",
        "A refund",
        "--category",
        "billing",
    ]);
    log.run([
        "note",
        &id,
        "--kind",
        "reply",
        "Sorry about this.\nChecking with payments.",
    ])
    .ok();
    log.run(["assign", &id, "ben@example.com"]).ok();
    insta::assert_snapshot!(
        log.run(["show", &id])
            .at("2026-11-22T12:00:00Z")
            .ok()
            .replace(&id, "<ID>")
    );
}

#[test]
fn a_bad_file_among_many_is_reported_and_the_rest_still_listed() {
    let log = Log::new();
    let id = log.open(&[]);
    std::fs::write(
        log.path().join("cases/2026/11/20261101-bbbbb.toml"),
        "not = [toml",
    )
    .unwrap();
    let out = log.run(["list"]).output();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stdout).contains(&id));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("20261101-bbbbb.toml:1:"), "{stderr}");
}

#[test]
fn a_closed_pipe_is_not_an_error() {
    let log = Log::new();
    for _ in 0..3 {
        log.open(&[]);
    }
    let mut child = Command::new(BIN)
        .arg("list")
        .current_dir(log.path())
        .env("CASELOG_NOW", "2026-11-22T09:00:00Z")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Close the reading end before caselog writes, as `| head -0` would.
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{:?}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn init_is_safe_to_run_again() {
    let log = Log::empty();
    let first = log.run(["init"]).ok();
    assert_eq!(
        first,
        "created cases/\nwrote caselog.toml (settings, all commented out at their defaults)\n\
         added /.caselog.lock and /.caselog/ to .gitignore\nadded `cases/**/*.toml merge=caselog` to .gitattributes\n\
         not in a git repository: after `git init`, run `caselog init --git` to register the merge driver\n"
    );
    std::fs::write(
        log.path().join("caselog.toml"),
        "follow_up_after = \"1d\"\n",
    )
    .unwrap();
    let again = log.run(["init"]).ok();
    assert!(
        again.starts_with("kept cases/\nkept caselog.toml\nkept .gitignore\nkept .gitattributes\n"),
        "{again}"
    );
    assert_eq!(
        std::fs::read_to_string(log.path().join("caselog.toml")).unwrap(),
        "follow_up_after = \"1d\"\n"
    );
    let other = log.run(["init", "sub/log"]).ok();
    assert!(other.contains("created sub/log/cases/"), "{other}");
}

#[test]
fn the_demo_case_log_reads_cleanly() {
    let log = Log::empty();
    let demo = env!("CARGO_MANIFEST_DIR");
    let listed = log.run(["list", "--dir", demo, "--format", "json"]).ok();
    let cases: serde_json::Value = serde_json::from_str(&listed).unwrap();
    let cases = cases.as_array().unwrap();
    assert!(cases.len() >= 30, "the demo has {} cases", cases.len());
    for status in ["open", "waiting", "resolved", "closed"] {
        assert!(
            cases.iter().any(|c| c["status"] == status),
            "no {status} case in the demo"
        );
    }
    let due = log
        .run(["due", "--dir", demo])
        .at("2026-11-22T09:00:00Z")
        .ok();
    assert!(due.lines().count() >= 4, "{due}");
}

#[test]
fn a_count_of_one_is_said_in_the_singular() {
    let log = Log::new();
    log.open(&[]);
    let said = log.run(["index"]).ok();
    assert!(said.starts_with("1 case indexed (1 fact, "), "{said}");
    let one_column = "title\nA,B\n";
    std::fs::write(log.path().join("one.csv"), one_column).unwrap();
    let err = log.run(["import", "one.csv"]).fails(2);
    assert!(
        err.contains("row 2: 2 cells where the header has 1 column;"),
        "{err}"
    );
}
