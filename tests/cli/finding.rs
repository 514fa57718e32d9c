//! Finding cases (the filters `list`, `due`, `report` and `export` share,
//! and `list`'s order), people and typos, and deadlines that fit the
//! practice: paused while waiting on the customer, fresh after a reopen,
//! regular updates, and follow-ups in working hours.

use serde_json::Value;

use crate::harness::Log;

fn open(log: &Log, at: &str, title: &str, extra: &[&str]) -> String {
    let mut args = vec![
        "open",
        "--quiet",
        "--title",
        title,
        "--customer",
        "Jo Bloggs",
        "--summary",
        "Text.",
    ];
    args.extend_from_slice(extra);
    log.run(args).at(at).ok().trim().to_string()
}

fn ids(listing: &str) -> Vec<String> {
    listing
        .lines()
        .skip(1)
        .filter_map(|l| l.split_whitespace().next())
        .map(str::to_string)
        .collect()
}

/// Three cases: a (high, tag courier, ana ), b (low, nobody,
/// contact bo@example.com), c (critical, ana, waiting on the customer).
fn three(log: &Log) -> [String; 3] {
    let a = open(
        log,
        "2026-11-01T09:00:00Z",
        "A",
        &[
            "--severity",
            "high",
            "--tag",
            "Courier",
            "--assignee",
            "ana@example.com",
            "--reference",
            "A-1",
        ],
    );
    let b = open(
        log,
        "2026-11-10T09:00:00Z",
        "B",
        &["--severity", "low", "--contact", "bo@example.com"],
    );
    let c = open(
        log,
        "2026-11-20T09:00:00Z",
        "C",
        &["--severity", "critical", "--assignee", "ana@example.com"],
    );
    log.run(["note", &c, "--kind", "reply", "Photos, please?"])
        .at("2026-11-20T10:00:00Z")
        .ok();
    log.run(["wait", &c, "--reason", "photos"])
        .at("2026-11-20T10:00:00Z")
        .ok();
    [a, b, c]
}

#[test]
fn list_filters_narrow_and_sorts_put_what_needs_attention_first() {
    let log = Log::new();
    let [a, b, c] = three(&log);
    let (a, b, c) = (a.as_str(), b.as_str(), c.as_str());
    let list = |args: &[&str]| {
        let mut all = vec!["list"];
        all.extend_from_slice(args);
        ids(&log.run(all).ok())
    };
    assert_eq!(list(&[]), [a, b, c]);
    assert_eq!(list(&["--customer", "BO@EXAMPLE"]), [b]);
    assert_eq!(list(&["--customer", "a-1"]), [a]);
    assert_eq!(
        list(&["--severity", "low", "--severity", "critical"]),
        [b, c]
    );
    assert_eq!(list(&["--tag", "courier"]), [a]);
    assert_eq!(list(&["--opened-since", "2026-11-10"]), [b, c]);
    assert_eq!(list(&["--opened-since", "5d"]), [c]);
    assert_eq!(list(&["--opened-until", "2026-11-10"]), [a]);
    assert_eq!(list(&["--unassigned"]), [b]);
    assert_eq!(list(&["--mine"]), [a, c]);
    assert_eq!(list(&["--waiting-on", "customer"]), [c]);
    assert!(list(&["--waiting-on", "third-party"]).is_empty());
    // No first response within 24h for a and b.
    assert_eq!(list(&["--overdue"]), [a, b]);
    assert_eq!(list(&["--sort", "severity"]), [c, a, b]);
    assert_eq!(list(&["--sort", "severity", "--reverse"]), [b, a, c]);
    assert_eq!(list(&["--sort", "updated", "--limit", "2"]), [a, b]);
    // a's first response was due 11-02, b's 11-11; c's resolution is paused.
    assert_eq!(list(&["--sort", "due"]), [a, b, c]);
    let stderr = log.run(["list", "--mine", "--unassigned"]).fails(2);
    assert!(stderr.contains("cannot be used with"), "{stderr}");
    let stderr = log.run(["list", "--opened-since", "last week"]).fails(2);
    assert!(
        stderr.contains("--opened-since 'last week' is neither"),
        "{stderr}"
    );
}

#[test]
fn due_report_and_export_take_the_same_filters() {
    let log = Log::new();
    let [a, b, _] = three(&log);
    let due = log
        .run(["due", "--customer", "bloggs", "--severity", "high"])
        .ok();
    assert!(due.contains(&a) && !due.contains(&b), "{due}");
    let due = log.run(["due", "--unassigned"]).ok();
    assert!(due.starts_with(&b) && !due.contains(&a), "{due}");
    let report: Value = serde_json::from_str(
        &log.run(["report", "--format", "json", "--tag", "courier"])
            .ok(),
    )
    .unwrap();
    assert_eq!(report["summary"]["received"], 1);
    let export: Value = serde_json::from_str(&log.run(["export", "--unassigned"]).ok()).unwrap();
    assert_eq!(export.as_array().unwrap().len(), 1);
    assert_eq!(export[0]["id"], b.as_str());
}

#[test]
fn every_command_filtering_by_a_person_no_case_names_warns_of_a_typo() {
    let log = Log::new();
    three(&log);
    for args in [
        &["list", "--assignee", "Ana"][..],
        &["list", "--assignee", "Ana", "--format", "json"],
        &["report", "--assignee", "Ana"],
        &["export", "--assignee", "Ana"],
        &["search", "complaint", "--assignee", "Ana"],
        &["due", "--assignee", "Ana"],
    ] {
        let out = log.run(args).output();
        assert_eq!(out.status.code(), Some(0), "{args:?}");
        assert_eq!(
            String::from_utf8_lossy(&out.stderr),
            "caselog: no case has ever named 'Ana' (--assignee); did you mean ana@example.com?\n",
            "{args:?}"
        );
        let named = log
            .run(args.iter().map(|a| a.replace("Ana", "ana@example.com")))
            .output();
        assert!(named.stderr.is_empty(), "{args:?}: {named:?}");
    }
}

#[test]
fn due_for_a_person_no_case_names_warns_of_a_typo() {
    let log = Log::new();
    three(&log);
    let out = log
        .run(["due", "--for", "ana@exmaple.com", "--exit-code"])
        .output();
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stdout.is_empty());
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "caselog: no case has ever named 'ana@exmaple.com' (--for); did you mean ana@example.com?\n"
    );
    // A first name alone is how a person types a colleague.
    let stderr = log.run(["due", "--for", "Ana"]).output().stderr;
    assert_eq!(
        String::from_utf8_lossy(&stderr),
        "caselog: no case has ever named 'Ana' (--for); did you mean ana@example.com?\n"
    );
    let out = log
        .run(["due", "--for", "ana@example.com", "--exit-code"])
        .output();
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stderr.is_empty());
}

#[test]
fn a_people_list_refuses_unknown_names_with_did_you_mean() {
    let log = Log::new();
    let id = log.open(&[]);
    std::fs::write(
        log.path().join("caselog.toml"),
        "people = [\"ana@example.com\", \"ben@example.com\"]\n",
    )
    .unwrap();
    let before = log.files();
    let stderr = log.run(["assign", &id, "bne@example.com"]).fails(2);
    assert_eq!(
        stderr,
        "caselog: unknown person 'bne@example.com' (the assignee): did you mean ben@example.com?\n"
    );
    let stderr = log
        .run(["escalate", &id, "--to", "zed", "--reason", "x"])
        .fails(2);
    assert!(
        stderr.contains("caselog.toml's people are: ana@example.com, ben@example.com"),
        "{stderr}"
    );
    let stderr = log.run(["note", &id, "Hi"]).by("an@example.com").fails(2);
    assert!(
        stderr.contains("'an@example.com' (--by): did you mean ana@example.com?"),
        "{stderr}"
    );
    let stderr = log
        .run(["note", &id, "Hi"])
        .env("CASELOG_USER", "cy")
        .fails(2);
    assert!(stderr.contains("($CASELOG_USER)"), "{stderr}");
    let stderr = log.run(["due", "--for", "ben@exmple.com"]).fails(2);
    assert!(stderr.contains("did you mean ben@example.com?"), "{stderr}");
    assert_eq!(log.files(), before);
    log.run(["assign", &id, "ben@example.com"]).ok();
}

#[test]
fn the_resolution_pauses_while_waiting_on_the_customer() {
    let log = Log::new();
    let id = open(&log, "2026-11-01T09:00:00Z", "Late", &["--assignee", "ana"]);
    log.run(["note", &id, "--kind", "reply", "Photos?"])
        .at("2026-11-01T10:00:00Z")
        .ok();
    log.run(["wait", &id, "--reason", "photos"])
        .at("2026-11-02T09:00:00Z")
        .ok();
    // Fourteen days after opening, but waiting on the customer: not due.
    assert_eq!(log.run(["due"]).at("2026-11-16T09:00:00Z").ok(), "");
    let shown = log.run(["show", &id]).at("2026-11-16T09:00:00Z").ok();
    assert!(
        shown.contains("resolution: paused while waiting on the customer (1w 6d left)"),
        "{shown}"
    );
    // Ten days on hold: due ten days later than it was.
    log.run(["note", &id, "--kind", "customer", "Here they are."])
        .at("2026-11-12T09:00:00Z")
        .ok();
    assert_eq!(log.run(["due"]).at("2026-11-25T08:59:00Z").ok(), "");
    let due = log.run(["due"]).at("2026-11-25T09:00:00Z").ok();
    assert!(due.contains("resolution  due now"), "{due}");
    // The report judges the target on the same clock.
    log.run(["resolve", &id, "--summary", "Replaced."])
        .at("2026-11-24T09:00:00Z")
        .ok();
    let report: Value = serde_json::from_str(
        &log.run(["report", "--format", "json"])
            .at("2026-11-26T09:00:00Z")
            .ok(),
    )
    .unwrap();
    assert_eq!(report["summary"]["resolution"]["within_target"], 1.0);
    std::fs::write(
        log.path().join("caselog.toml"),
        "pause_while_waiting_on_customer = false\n",
    )
    .unwrap();
    let report: Value = serde_json::from_str(
        &log.run(["report", "--format", "json"])
            .at("2026-11-26T09:00:00Z")
            .ok(),
    )
    .unwrap();
    assert_eq!(report["summary"]["resolution"]["within_target"], 0.0);
}

#[test]
fn a_reopened_case_gets_a_fresh_resolution_deadline() {
    let log = Log::new();
    let id = open(&log, "2026-10-01T09:00:00Z", "Old", &["--assignee", "ana"]);
    log.run(["note", &id, "--kind", "reply", "Sorry"])
        .at("2026-10-01T10:00:00Z")
        .ok();
    log.run(["resolve", &id, "--summary", "Fixed", "--no-follow-up"])
        .at("2026-10-02T09:00:00Z")
        .ok();
    log.run(["reopen", &id, "--reason", "broke again"])
        .at("2026-11-20T09:00:00Z")
        .ok();
    assert_eq!(log.run(["due"]).at("2026-12-04T08:59:00Z").ok(), "");
    assert!(
        log.run(["due"])
            .at("2026-12-04T09:00:00Z")
            .ok()
            .contains("resolution")
    );
}

#[test]
fn update_every_keeps_the_customer_informed_in_due_show_next_and_report() {
    let log = Log::new();
    std::fs::write(log.path().join("caselog.toml"), "update_every = \"3d\"\n").unwrap();
    let id = open(&log, "2026-11-01T09:00:00Z", "Slow", &["--assignee", "ana"]);
    log.run(["note", &id, "--kind", "reply", "On it"])
        .at("2026-11-01T10:00:00Z")
        .ok();
    let due = log.run(["due"]).at("2026-11-04T10:00:00Z").ok();
    assert_eq!(
        due,
        format!("{id}  update the customer  due now  ana  Slow\n")
    );
    let shown = log.run(["show", &id]).at("2026-11-04T11:00:00Z").ok();
    assert!(
        shown.contains("update the customer: OVERDUE since 2026-11-04 10:00 UTC"),
        "{shown}"
    );
    let next = log.run(["next", &id]).at("2026-11-04T11:00:00Z").ok();
    assert!(
        next.contains("- tell the customer how their case is going: last contact with the customer 3d 1h ago; update overdue by 1h"),
        "{next}"
    );
    // Met on the 4th (late by a day: missed), then on time on the 6th.
    log.run(["note", &id, "--kind", "call", "Still checking"])
        .at("2026-11-05T10:00:00Z")
        .ok();
    log.run(["note", &id, "--kind", "email", "Nearly there"])
        .at("2026-11-06T10:00:00Z")
        .ok();
    log.run(["resolve", &id, "--summary", "Done"])
        .at("2026-11-07T10:00:00Z")
        .ok();
    assert_eq!(
        reported_updates(&log),
        serde_json::json!({"on_time": 1, "missed": 1, "compliance": 0.5})
    );
    let table = log.run(["report"]).at("2026-11-10T10:00:00Z").ok();
    assert!(
        table.contains("customer updates       50% on time · 1 on time, 1 missed"),
        "{table}"
    );
}

#[test]
fn a_reopened_case_never_contacted_is_due_an_update_in_due_next_and_report_alike() {
    let log = Log::new();
    std::fs::write(log.path().join("caselog.toml"), "update_every = \"1d\"\n").unwrap();
    let id = open(
        &log,
        "2026-11-02T09:00:00Z",
        "Quiet",
        &["--assignee", "ana"],
    );
    log.run(["resolve", &id, "--summary", "Done"])
        .at("2026-11-02T11:00:00Z")
        .ok();
    log.run(["reopen", &id, "--reason", "Not fixed"])
        .at("2026-11-02T12:00:00Z")
        .ok();
    let due = log
        .run(["due", "--kind", "update"])
        .at("2026-11-05T12:00:00Z")
        .ok();
    assert_eq!(
        due,
        format!("{id}  update the customer  overdue 2d  ana  Quiet\n")
    );
    let next = log.run(["next", &id]).at("2026-11-05T12:00:00Z").ok();
    assert!(
        next.contains("- tell the customer how their case is going: reopened 3d ago, no contact with the customer since; update overdue by 2d"),
        "{next}"
    );
    // The report counted this very deadline as missed all along.
    let report: Value = serde_json::from_str(
        &log.run(["report", "--format", "json"])
            .at("2026-11-05T12:00:00Z")
            .ok(),
    )
    .unwrap();
    assert_eq!(
        report["summary"]["updates"],
        serde_json::json!({"on_time": 0, "missed": 1, "compliance": 0.0})
    );
}

#[test]
fn time_waiting_on_the_customer_never_counts_against_an_update_whatever_the_pause_setting() {
    for pause in ["true", "false"] {
        let log = Log::new();
        std::fs::write(
            log.path().join("caselog.toml"),
            format!("update_every = \"1d\"\npause_while_waiting_on_customer = {pause}\n"),
        )
        .unwrap();
        let id = open(
            &log,
            "2026-11-02T09:00:00Z",
            "Photos",
            &["--assignee", "ana"],
        );
        log.run(["note", &id, "--kind", "reply", "Please send photos"])
            .at("2026-11-02T10:00:00Z")
            .ok();
        log.run(["wait", &id, "--on", "customer", "--reason", "photos"])
            .at("2026-11-02T11:00:00Z")
            .ok();
        // They answer three days later; the team replies within the hour.
        log.run(["note", &id, "--kind", "customer", "Here they are"])
            .at("2026-11-05T11:00:00Z")
            .ok();
        // The day's clock had an hour left when the wait began.
        let due = log
            .run(["due", "--kind", "update", "--format", "json"])
            .at("2026-11-05T11:30:00Z")
            .ok();
        let due: Value = serde_json::from_str(&due).unwrap();
        assert_eq!(due.as_array().unwrap().len(), 0, "pause {pause}: {due}");
        log.run(["note", &id, "--kind", "reply", "Thanks, refund on its way"])
            .at("2026-11-05T11:45:00Z")
            .ok();
        log.run(["resolve", &id, "--summary", "Refunded"])
            .at("2026-11-05T12:00:00Z")
            .ok();
        assert_eq!(
            reported_updates(&log),
            serde_json::json!({"on_time": 1, "missed": 0, "compliance": 1.0}),
            "pause {pause}"
        );
    }
}

#[test]
fn with_working_days_the_follow_up_counts_working_hours() {
    let log = Log::new();
    std::fs::write(
        log.path().join("caselog.toml"),
        "working_days = [\"mon\", \"tue\", \"wed\", \"thu\", \"fri\"]\n",
    )
    .unwrap();
    let id = log.open(&[]);
    let out = log
        .run(["resolve", &id, "--summary", "Refunded"])
        .at("2026-11-20T16:00:00Z")
        .ok();
    assert_eq!(
        out,
        format!("{id}: resolved; follow-up due 2026-11-24 16:00 UTC\n")
    );
    std::fs::write(
        log.path().join("caselog.toml"),
        "working_days = [\"mon\", \"tue\", \"wed\", \"thu\", \"fri\"]\nfollow_up_in_working_hours = false\n",
    )
    .unwrap();
    let other = log.open(&[]);
    let out = log
        .run(["resolve", &other, "--summary", "Refunded"])
        .at("2026-11-20T16:00:00Z")
        .ok();
    assert_eq!(
        out,
        format!("{other}: resolved; follow-up due 2026-11-22 16:00 UTC\n")
    );
}

/// The customer updates `report` counted, as of 2026-11-10 10:00.
fn reported_updates(log: &Log) -> Value {
    let report: Value = serde_json::from_str(
        &log.run(["report", "--format", "json"])
            .at("2026-11-10T10:00:00Z")
            .ok(),
    )
    .unwrap();
    report["summary"]["updates"].clone()
}
