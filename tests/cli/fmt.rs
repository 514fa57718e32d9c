//! `caselog fmt`: the canonical layout, comments kept.

use crate::harness::Log;

const MESSY: &str = r#"# A hand-kept case.
id="ID"
format=1
title   =   'Refund not received'   # short title
severity = "high"
status = "open"
channel = "email"
tags = ["refund", "card"]
opened_by = "ana@example.com"
opened_at = 2026-11-20T09:15:00Z

customer = { name = "Maria", reference = "A-1" }


# The complaint itself.
[complaint]
wants = "refund"
summary = "Late."

[[events]]
by = "ana@example.com"
at = 2026-11-20T09:15:00Z
action = "opened"
# trailing note
"#;

#[test]
fn a_messy_file_becomes_canonical_and_keeps_its_comments() {
    let log = Log::new();
    let id = log.open(&[]);
    let path = log.case_path(&id);
    std::fs::write(&path, MESSY.replace("ID", &id)).unwrap();
    let relative = format!("cases/2026/11/{id}.toml");

    let out = log.run(["fmt", "--check"]).output();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        format!("{relative}\n")
    );
    assert_eq!(
        log.case_text(&id),
        MESSY.replace("ID", &id),
        "--check changes nothing"
    );

    assert_eq!(log.run(["fmt"]).ok(), format!("formatted {relative}\n"));
    insta::assert_snapshot!(log.case_text(&id).replace(&id, "<ID>"));
    assert_eq!(log.run(["fmt", "--check"]).ok(), "");
    assert_eq!(log.run(["fmt"]).ok(), "", "a canonical file is left alone");
    log.run(["check"]).ok();
}

#[test]
fn fmt_takes_ids_and_leaves_other_cases_alone() {
    let log = Log::new();
    let first = log.open(&[]);
    let second = log.open(&[]);
    for id in [&first, &second] {
        let messy = log
            .case_text(id)
            .replace("status = \"open\"\n", "")
            .replace("format = 1\n", "format = 1\nstatus = \"open\"\n");
        std::fs::write(log.case_path(id), messy).unwrap();
    }
    let before = log.case_text(&second);
    log.run(["fmt", &first[9..]]).ok();
    assert_eq!(log.case_text(&second), before);
    assert_eq!(log.run(["fmt", "--check", &first]).ok(), "");
}

#[test]
fn fmt_reports_a_broken_file_and_formats_the_rest() {
    let log = Log::new();
    let good = log.open(&[]);
    std::fs::write(
        log.case_path(&good),
        log.case_text(&good).replace("format = 1", "format=1"),
    )
    .unwrap();
    std::fs::write(
        log.path().join("cases/2026/11/20261101-bbbbb.toml"),
        "broken = [",
    )
    .unwrap();
    let out = log.run(["fmt"]).output();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("20261101-bbbbb.toml:1:"));
    assert!(log.case_text(&good).starts_with("format = 1\n"));
}

#[test]
fn the_demo_log_is_canonical() {
    Log::empty()
        .run(["fmt", "--check", "--dir", env!("CARGO_MANIFEST_DIR")])
        .ok();
}
