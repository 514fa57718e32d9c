//! One complaint from the first call to closing, and the turns it can take.

use serde_json::Value;

use crate::harness::Log;

fn status(log: &Log, id: &str) -> Value {
    log.case_json(id)["status"].clone()
}

fn actions(case: &Value) -> Vec<&str> {
    case["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect()
}

#[test]
fn a_complaint_goes_from_open_to_closed() {
    let log = Log::new();
    let id = log.open(&["--assignee", "ana@example.com"]);
    log.run(["note", &id, "--kind", "reply", "Sorry — checking now."])
        .at("2026-11-20T10:00:00Z")
        .ok();
    log.run(["wait", &id, "--reason", "bank confirmation"])
        .at("2026-11-20T11:00:00Z")
        .ok();
    assert_eq!(status(&log, &id), "waiting");
    log.run(["note", &id, "--kind", "call", "Bank says three days."])
        .at("2026-11-20T12:00:00Z")
        .ok();
    assert_eq!(status(&log, &id), "waiting", "only a reply ends the wait");
    let out = log
        .run(["note", &id, "--kind", "reply", "Refund confirmed."])
        .at("2026-11-21T09:00:00Z")
        .ok();
    assert!(out.contains("back to open"), "{out}");
    let out = log
        .run([
            "resolve",
            &id,
            "--summary",
            "Refunded 45.90 EUR.",
            "--agreed",
        ])
        .at("2026-11-21T10:00:00Z")
        .ok();
    assert!(out.contains("follow-up due 2026-11-23 10:00 UTC"), "{out}");
    let out = log
        .run([
            "follow-up",
            &id,
            "--done",
            "--satisfied",
            "yes",
            "Happy with it.",
        ])
        .at("2026-11-23T09:00:00Z")
        .ok();
    assert!(out.contains("satisfied; closed"), "{out}");

    let case = log.case_json(&id);
    assert_eq!(case["status"], "closed");
    assert_eq!(case["resolution"]["agreed"], true);
    assert_eq!(case["follow_up"]["satisfied"], true);
    assert_eq!(
        actions(&case),
        [
            "opened",
            "reply",
            "waiting",
            "call",
            "reply",
            "resolved",
            "follow-up-scheduled",
            "followed-up",
            "closed"
        ]
    );
    let shown = log.run(["show", &id]).at("2026-11-23T10:00:00Z").ok();
    assert!(
        shown.contains("first response  2026-11-20 10:00 UTC (45m after opening)"),
        "{shown}"
    );
    assert!(
        shown.contains("follow-up       done 2026-11-23 09:00 UTC: customer satisfied"),
        "{shown}"
    );
}

#[test]
fn an_unsatisfied_customer_reopens_the_case_and_the_reopen_is_counted() {
    let log = Log::new();
    let id = log.open(&[]);
    log.run(["resolve", &id, "--summary", "Voucher sent."]).ok();
    let out = log
        .run(["follow-up", &id, "--done", "--satisfied", "no"])
        .at("2026-11-23T09:00:00Z")
        .ok();
    assert!(out.contains("not satisfied; reopened"), "{out}");
    let case = log.case_json(&id);
    assert_eq!(case["status"], "open");
    assert_eq!(case["follow_up"]["satisfied"], false);
    assert_eq!(actions(&case).last(), Some(&"reopened"));
    let shown = log.run(["show", &id]).at("2026-11-23T09:00:00Z").ok();
    assert!(shown.contains("reopened        1 time"), "{shown}");
    assert!(
        shown.contains("previous resolution (since reopened)"),
        "{shown}"
    );
}

#[test]
fn a_follow_up_without_an_answer_leaves_the_case_resolved() {
    let log = Log::new();
    let id = log.open(&[]);
    log.run(["resolve", &id, "--summary", "Refunded."]).ok();
    log.run(["follow-up", &id, "--done", "No answer, left voicemail"])
        .at("2026-11-24T09:00:00Z")
        .ok();
    let case = log.case_json(&id);
    assert_eq!(case["status"], "resolved");
    assert!(case["follow_up"].get("satisfied").is_none());
    log.run(["close", &id]).at("2026-11-24T09:00:00Z").ok();
    assert_eq!(status(&log, &id), "closed");
}

#[test]
fn the_follow_up_delay_comes_from_the_settings() {
    let log = Log::new();
    std::fs::write(
        log.path().join("caselog.toml"),
        "follow_up_after = \"3d\"\n",
    )
    .unwrap();
    let id = log.open(&[]);
    log.run(["resolve", &id, "--summary", "Refunded."])
        .at("2026-11-22T09:00:00Z")
        .ok();
    assert_eq!(
        log.case_json(&id)["follow_up"]["due"],
        "2026-11-25T09:00:00Z"
    );
}

#[test]
fn a_follow_up_can_be_skipped_rescheduled_and_scheduled_later() {
    let log = Log::new();
    let id = log.open(&[]);
    log.run(["resolve", &id, "--summary", "Refunded.", "--no-follow-up"])
        .ok();
    assert!(log.case_json(&id).get("follow_up").is_none());
    log.run(["follow-up", &id, "--in", "1d12h"])
        .at("2026-11-22T10:00:00Z")
        .ok();
    assert_eq!(
        log.case_json(&id)["follow_up"]["due"],
        "2026-11-23T22:00:00Z"
    );
    log.run(["follow-up", &id, "--at", "2026-11-30"])
        .at("2026-11-22T11:00:00Z")
        .ok();
    let case = log.case_json(&id);
    assert_eq!(case["follow_up"]["due"], "2026-11-30T00:00:00Z");
    let scheduled: Vec<_> = case["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "follow-up-scheduled")
        .map(|e| e["due"].clone())
        .collect();
    assert_eq!(scheduled, ["2026-11-23T22:00:00Z", "2026-11-30T00:00:00Z"]);
}

#[test]
fn reopening_a_waiting_case_resumes_it_without_counting_a_reopen() {
    let log = Log::new();
    let id = log.open(&[]);
    log.run(["wait", &id, "--reason", "courier"]).ok();
    let out = log.run(["reopen", &id, "--reason", "courier replied"]).ok();
    assert!(out.contains("resumed"), "{out}");
    let case = log.case_json(&id);
    assert_eq!(case["status"], "open");
    assert_eq!(actions(&case).last(), Some(&"resumed"));
}

#[test]
fn reopening_drops_the_pending_follow_up_and_keeps_its_history() {
    let log = Log::new();
    let id = log.open(&[]);
    log.run(["resolve", &id, "--summary", "Refunded."]).ok();
    log.run(["reopen", &id, "--reason", "refund bounced"])
        .at("2026-11-22T12:00:00Z")
        .ok();
    let case = log.case_json(&id);
    assert!(case.get("follow_up").is_none());
    assert_eq!(
        actions(&case),
        ["opened", "resolved", "follow-up-scheduled", "reopened"]
    );
    log.run(["resolve", &id, "--summary", "Refunded by transfer."])
        .at("2026-11-22T13:00:00Z")
        .ok();
    assert_eq!(
        log.case_json(&id)["resolution"]["summary"],
        "Refunded by transfer."
    );
}

#[test]
fn closing_an_unresolved_case_records_the_reason() {
    let log = Log::new();
    let id = log.open(&[]);
    log.run(["close", &id, "--reason", "customer withdrew the complaint"])
        .ok();
    let case = log.case_json(&id);
    assert_eq!(case["status"], "closed");
    assert_eq!(case["events"][1]["text"], "customer withdrew the complaint");
}

#[test]
fn assigning_records_who_to_in_the_event() {
    let log = Log::new();
    let id = log.open(&[]);
    log.run(["assign", &id, "ben@example.com"]).ok();
    let case = log.case_json(&id);
    assert_eq!(case["assignee"], "ben@example.com");
    assert_eq!(case["events"][1]["action"], "assigned");
    assert_eq!(case["events"][1]["to"], "ben@example.com");
}

/// Runs `caselog ARGS` with a terminal attached (util-linux `script`) and
/// `$EDITOR` writing `typed` into the file it is given.
fn with_editor(log: &Log, args: &str, typed: &str) -> std::process::Output {
    let editor = log.path().join("editor.sh");
    std::fs::write(
        &editor,
        format!("#!/bin/sh\nprintf '%s' '{typed}' > \"$1\"\n"),
    )
    .unwrap();
    std::fs::set_permissions(&editor, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    std::process::Command::new("script")
        .args([
            "-qec",
            &format!("{} {args}", crate::harness::BIN),
            "/dev/null",
        ])
        .current_dir(log.path())
        .env("CASELOG_NOW", crate::harness::NOW)
        .env("CASELOG_USER", "ana@example.com")
        .env("EDITOR", &editor)
        .env_remove("VISUAL")
        .env_remove("CASELOG_DIR")
        .output()
        .expect("util-linux script runs")
}

#[test]
fn at_a_terminal_the_note_comes_from_the_editor() {
    let log = Log::new();
    let id = log.open(&[]);
    let out = with_editor(
        &log,
        &format!("note {id} --kind call"),
        "Called back; refund confirmed.\n# a comment line is dropped\n",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let case = log.case_json(&id);
    assert_eq!(case["events"][1]["action"], "call");
    assert_eq!(case["events"][1]["text"], "Called back; refund confirmed.");
}

#[test]
fn an_empty_editor_text_records_nothing() {
    let log = Log::new();
    let id = log.open(&[]);
    let before = log.files();
    let out = with_editor(&log, &format!("note {id}"), "# only a comment\n\n");
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("the note is empty"));
    let after: Vec<_> = log
        .files()
        .into_keys()
        .filter(|p| !p.ends_with("editor.sh"))
        .collect();
    assert_eq!(after, before.into_keys().collect::<Vec<_>>());
}
