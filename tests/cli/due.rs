//! `caselog due`: deadlines for cron, calendars and people.

use crate::harness::Log;

/// A case opened at `at`, assigned to ana unless `extra` says otherwise.
fn open_at(log: &Log, at: &str, extra: &[&str]) -> String {
    let mut args = vec![
        "open",
        "--quiet",
        "--title",
        "Late parcel",
        "--customer",
        "Jo",
        "--summary",
        "Late.",
    ];
    if !extra.contains(&"--assignee") {
        args.extend_from_slice(&["--assignee", "ana"]);
    }
    args.extend_from_slice(extra);
    log.run(args).at(at).ok().trim().to_string()
}

fn due_at(log: &Log, at: &str, extra: &[&str]) -> String {
    let mut args = vec!["due"];
    args.extend_from_slice(extra);
    log.run(args).at(at).ok()
}

#[test]
fn nothing_due_prints_nothing_and_exits_zero() {
    let log = Log::new();
    assert_eq!(due_at(&log, "2026-11-20T09:00:00Z", &[]), "");
    open_at(&log, "2026-11-20T09:00:00Z", &[]);
    assert_eq!(due_at(&log, "2026-11-20T10:00:00Z", &["--exit-code"]), "");
}

#[test]
fn exit_code_is_one_when_something_is_listed() {
    let log = Log::new();
    open_at(&log, "2026-11-20T09:00:00Z", &[]);
    let out = log
        .run(["due", "--exit-code"])
        .at("2026-11-21T09:00:00Z")
        .output();
    assert_eq!(out.status.code(), Some(1));
    assert!(!out.stdout.is_empty());
    let out = log.run(["due"]).at("2026-11-21T09:00:00Z").output();
    assert_eq!(
        out.status.code(),
        Some(0),
        "without --exit-code, listing is success"
    );
}

#[test]
fn the_first_response_falls_due_24_hours_after_opening() {
    let log = Log::new();
    let id = open_at(&log, "2026-11-20T09:00:00Z", &[]);
    assert_eq!(due_at(&log, "2026-11-21T08:59:59Z", &[]), "");
    let out = due_at(&log, "2026-11-21T09:00:00Z", &[]);
    assert_eq!(
        out,
        format!("{id}  first response  due now  ana  Late parcel\n")
    );
    let out = due_at(&log, "2026-11-21T10:30:00Z", &[]);
    assert!(out.contains("first response  overdue 1h 30m"), "{out}");
    // A call is a response: the deadline is met.
    log.run(["note", &id, "--kind", "call", "Called back"])
        .at("2026-11-21T11:00:00Z")
        .ok();
    assert_eq!(due_at(&log, "2026-11-21T11:00:00Z", &[]), "");
}

#[test]
fn the_resolution_falls_due_after_resolve_within() {
    let log = Log::new();
    let id = open_at(&log, "2026-11-02T09:00:00Z", &[]);
    log.run(["note", &id, "--kind", "reply", "Sorry"])
        .at("2026-11-02T10:00:00Z")
        .ok();
    assert_eq!(due_at(&log, "2026-11-16T08:59:00Z", &[]), "");
    let out = due_at(&log, "2026-11-16T09:01:00Z", &[]);
    assert!(
        out.starts_with(&format!("{id}  resolution  overdue 1m")),
        "{out}"
    );
}

#[test]
fn the_follow_up_falls_due_at_its_scheduled_time() {
    let log = Log::new();
    let id = open_at(&log, "2026-11-20T09:00:00Z", &[]);
    log.run(["note", &id, "--kind", "reply", "Sorry"])
        .at("2026-11-20T09:30:00Z")
        .ok();
    log.run(["resolve", &id, "--summary", "Refunded"])
        .at("2026-11-20T10:00:00Z")
        .ok();
    assert_eq!(due_at(&log, "2026-11-22T09:59:59Z", &[]), "");
    let out = due_at(&log, "2026-11-22T10:00:00Z", &[]);
    assert_eq!(out, format!("{id}  follow-up  due now  ana  Late parcel\n"));
    log.run(["follow-up", &id, "--done", "--satisfied", "yes"])
        .at("2026-11-22T11:00:00Z")
        .ok();
    assert_eq!(due_at(&log, "2026-11-22T11:00:00Z", &["--all"]), "");
}

#[test]
fn a_wait_is_over_at_its_until() {
    let log = Log::new();
    let id = open_at(&log, "2026-11-20T09:00:00Z", &[]);
    log.run(["note", &id, "--kind", "reply", "Need your order number"])
        .at("2026-11-20T09:10:00Z")
        .ok();
    let out = log
        .run(["wait", &id, "--reason", "order number", "--until", "2d"])
        .at("2026-11-20T09:15:00Z")
        .ok();
    assert!(
        out.contains("waiting on the customer until 2026-11-22 09:15 UTC"),
        "{out}"
    );
    assert_eq!(
        due_at(&log, "2026-11-22T09:14:00Z", &["--kind", "wait-over"]),
        ""
    );
    let out = due_at(&log, "2026-11-22T09:16:00Z", &[]);
    assert!(out.contains("wait over  overdue 1m"), "{out}");
    log.run(["wait", &id, "--reason", "x", "--until", "2026-11-01"])
        .at("2026-11-22T09:20:00Z")
        .fails(2);
}

#[test]
fn a_case_handled_in_time_never_shows_up() {
    let log = Log::new();
    let id = open_at(&log, "2026-11-16T09:00:00Z", &[]);
    log.run(["note", &id, "--kind", "reply", "Sorry"])
        .at("2026-11-16T10:00:00Z")
        .ok();
    log.run(["resolve", &id, "--summary", "Refunded"])
        .at("2026-11-17T09:00:00Z")
        .ok();
    log.run(["follow-up", &id, "--done", "--satisfied", "yes"])
        .at("2026-11-18T09:00:00Z")
        .ok();
    for now in [
        "2026-11-18T10:00:00Z",
        "2026-12-31T00:00:00Z",
        "2027-06-01T00:00:00Z",
    ] {
        assert_eq!(due_at(&log, now, &["--all"]), "", "at {now}");
    }
}

#[test]
fn working_days_carry_day_deadlines_over_the_weekend() {
    let log = Log::new();
    std::fs::write(
        log.path().join("caselog.toml"),
        "resolve_within = \"2d\"\nworking_days = [\"mon\", \"tue\", \"wed\", \"thu\", \"fri\"]\n",
    )
    .unwrap();
    // Friday 16:00: two working days later is Tuesday 16:00, not Sunday.
    let id = open_at(&log, "2026-11-20T16:00:00Z", &[]);
    log.run(["note", &id, "--kind", "reply", "Sorry"])
        .at("2026-11-20T16:05:00Z")
        .ok();
    assert_eq!(due_at(&log, "2026-11-22T16:00:00Z", &[]), "");
    assert_eq!(due_at(&log, "2026-11-24T15:59:00Z", &[]), "");
    assert!(due_at(&log, "2026-11-24T16:00:00Z", &[]).contains("resolution  due now"));
    // Hours stay hours: a 24h first response from Friday falls due on Saturday.
    let other = open_at(&log, "2026-11-20T16:00:00Z", &[]);
    assert!(
        due_at(&log, "2026-11-21T16:00:00Z", &[])
            .contains(&format!("{other}  first response  due now"))
    );
}

#[test]
fn severity_overrides_shorten_the_resolution_deadline() {
    let log = Log::new();
    std::fs::write(
        log.path().join("caselog.toml"),
        "[resolve_within_by_severity]\ncritical = \"2d\"\n",
    )
    .unwrap();
    let critical = open_at(&log, "2026-11-10T09:00:00Z", &["--severity", "critical"]);
    let normal = open_at(&log, "2026-11-10T09:00:00Z", &[]);
    let out = due_at(&log, "2026-11-12T09:00:00Z", &["--kind", "resolution"]);
    assert!(out.contains(&critical) && !out.contains(&normal), "{out}");
    let out = due_at(&log, "2026-11-24T09:00:00Z", &["--kind", "resolution"]);
    assert!(out.contains(&critical) && out.contains(&normal), "{out}");
}

#[test]
fn within_also_lists_what_falls_due_soon_most_overdue_first() {
    let log = Log::new();
    let old = open_at(&log, "2026-11-19T09:00:00Z", &[]);
    let new = open_at(&log, "2026-11-20T12:00:00Z", &[]);
    assert_eq!(
        due_at(&log, "2026-11-20T13:00:00Z", &[]),
        format!("{old}  first response  overdue 4h  ana  Late parcel\n")
    );
    let out = due_at(&log, "2026-11-20T13:00:00Z", &["--within", "1d"]);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2, "{out}");
    assert!(lines[0].starts_with(&old));
    assert!(
        lines[1].starts_with(&format!("{new}  first response  due in 23h")),
        "{out}"
    );
}

#[test]
fn for_and_kind_keep_one_persons_items_of_one_kind() {
    let log = Log::new();
    let ana = open_at(&log, "2026-11-01T09:00:00Z", &[]);
    let ben = open_at(&log, "2026-11-01T09:00:00Z", &["--assignee", "ben"]);
    let out = due_at(&log, "2026-11-20T09:00:00Z", &["--for", "ben"]);
    assert!(out.contains(&ben) && !out.contains(&ana), "{out}");
    let out = due_at(&log, "2026-11-20T09:00:00Z", &["--kind", "first-response"]);
    assert!(
        !out.contains("resolution") && out.lines().count() == 2,
        "{out}"
    );
}

#[test]
fn json_lists_each_item_for_scripts() {
    let log = Log::new();
    let id = open_at(&log, "2026-11-20T09:00:00Z", &["--severity", "high"]);
    let out = due_at(&log, "2026-11-21T10:00:00Z", &["--format", "json"]);
    let items: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        items,
        serde_json::json!([{
            "id": id, "kind": "first-response", "due": "2026-11-21T09:00:00Z", "overdue": true,
            "seconds_overdue": 3600, "assignee": "ana", "title": "Late parcel", "customer": "Jo",
            "severity": "high", "status": "open"
        }])
    );
    assert_eq!(
        due_at(&log, "2026-11-20T09:00:00Z", &["--format", "json"]),
        "[]\n"
    );
}

#[test]
fn ics_is_a_calendar_a_real_parser_reads() {
    let log = Log::new();
    let first = open_at(
        &log,
        "2026-11-20T09:00:00Z",
        &["--severity", "critical", "--contact", "jo@example.com"],
    );
    let second = open_at(&log, "2026-11-20T10:00:00Z", &[]);
    log.run([
        "note",
        &second,
        "--kind",
        "reply",
        "Sorry, Zoë; a long note, with commas; and semicolons",
    ])
    .at("2026-11-20T10:30:00Z")
    .ok();
    log.run(["resolve", &second, "--summary", "Done"])
        .at("2026-11-20T11:00:00Z")
        .ok();
    let out = due_at(&log, "2026-11-20T12:00:00Z", &["--all", "--format", "ics"]);
    assert!(out.contains("\r\n"), "iCalendar lines end in CRLF");

    let mut calendars = ical::IcalParser::new(out.as_bytes());
    let calendar = calendars.next().expect("one calendar").expect("it parses");
    assert!(calendars.next().is_none());
    let todos: Vec<_> = calendar
        .todos
        .iter()
        .map(|todo| {
            let get = |name: &str| {
                todo.properties
                    .iter()
                    .find(|p| p.name == name)
                    .and_then(|p| p.value.clone())
                    .unwrap_or_default()
            };
            (
                get("UID"),
                get("DUE"),
                get("SUMMARY"),
                get("DESCRIPTION"),
                get("PRIORITY"),
            )
        })
        .collect();
    assert_eq!(todos.len(), 3, "{todos:?}");
    assert_eq!(todos[0].0, format!("{first}-first-response@caselog"));
    assert_eq!(todos[0].1, "20261121T090000Z");
    assert_eq!(todos[0].2, format!("First response: Late parcel ({first})"));
    assert!(
        todos[0].3.contains("Customer: Jo (jo@example.com)"),
        "{}",
        todos[0].3
    );
    assert_eq!(todos[0].4, "1");
    assert_eq!(todos[1].0, format!("{second}-follow-up@caselog"));
    assert_eq!(todos[1].1, "20261122T110000Z");
    assert_eq!(todos[2].0, format!("{first}-resolution@caselog"));
    // Stable UIDs: the same deadline keeps its UID the next day.
    let later = due_at(&log, "2026-11-21T12:00:00Z", &["--all", "--format", "ics"]);
    assert!(later.contains(&format!("UID:{first}-first-response@caselog")));
}

#[test]
fn show_and_list_flag_overdue_deadlines() {
    let log = Log::new();
    let id = open_at(&log, "2026-11-20T09:00:00Z", &[]);
    let shown = log.run(["show", &id]).at("2026-11-21T12:00:00Z").ok();
    assert!(
        shown.contains(
            "deadlines       first response: OVERDUE since 2026-11-21 09:00 UTC (3h ago)"
        ),
        "{shown}"
    );
    assert!(
        shown.contains("                resolution: due 2026-12-04 09:00 UTC (in 1w 5d)"),
        "{shown}"
    );
    let listed = log.run(["list"]).at("2026-11-21T12:00:00Z").ok();
    assert!(listed.contains("first response"), "{listed}");
    assert!(
        !log.run(["list"])
            .at("2026-11-20T12:00:00Z")
            .ok()
            .contains("first response")
    );
}

#[test]
fn due_never_writes() {
    let log = Log::new();
    open_at(&log, "2026-11-01T09:00:00Z", &[]);
    let before = log.files();
    due_at(&log, "2026-11-20T09:00:00Z", &["--all", "--format", "ics"]);
    due_at(&log, "2026-11-20T09:00:00Z", &[]);
    assert_eq!(log.files(), before);
}

#[test]
fn a_bad_within_is_refused() {
    let log = Log::new();
    let stderr = log.run(["due", "--within", "soon"]).fails(2);
    assert!(stderr.contains("'soon' is not a duration"), "{stderr}");
}

#[test]
fn a_resolution_missed_before_the_case_waits_on_the_customer_stays_overdue() {
    let log = Log::new();
    std::fs::write(log.path().join("caselog.toml"), "resolve_within = \"2d\"\n").unwrap();
    let id = open_at(&log, "2026-11-02T09:00:00Z", &[]);
    log.run(["note", &id, "--kind", "reply", "Sorry"])
        .at("2026-11-02T10:00:00Z")
        .ok();
    // Due on the 4th; the case waits on the customer from the 6th.
    log.run(["wait", &id, "--on", "customer", "--reason", "photos"])
        .at("2026-11-06T09:00:00Z")
        .ok();
    let now = "2026-11-06T10:00:00Z";
    let listed = format!("{id}  resolution  overdue 2d 1h  ana  Late parcel\n");
    assert_eq!(due_at(&log, now, &[]), listed);
    let overdue = log.run(["list", "--overdue"]).at(now).ok();
    assert!(overdue.contains(&id), "{overdue}");
    let shown = log.run(["show", &id]).at(now).ok();
    assert!(
        shown.contains("resolution: OVERDUE since 2026-11-04 09:00 UTC"),
        "{shown}"
    );
    let next = log.run(["next", &id]).at(now).ok();
    assert!(next.contains("resolution overdue"), "{next}");
    // A wait begun with time left still stops the clock.
    let early = open_at(&log, "2026-11-05T09:00:00Z", &[]);
    log.run(["note", &early, "--kind", "reply", "Sorry"])
        .at("2026-11-05T10:00:00Z")
        .ok();
    log.run(["wait", &early, "--on", "customer", "--reason", "photos"])
        .at("2026-11-06T09:00:00Z")
        .ok();
    assert_eq!(
        due_at(&log, "2026-11-20T09:00:00Z", &[])
            .matches(&early)
            .count(),
        0
    );
    let shown = log.run(["show", &early]).at("2026-11-20T09:00:00Z").ok();
    assert!(
        shown.contains("resolution: paused while waiting on the customer (1d left)"),
        "{shown}"
    );
}

#[test]
fn a_working_day_listed_twice_counts_once_in_a_week() {
    let log = Log::new();
    std::fs::write(
        log.path().join("caselog.toml"),
        "working_days = [\"mon\", \"tue\", \"wed\", \"thu\", \"fri\", \"Friday\"]\nresolve_within = \"1w\"\n",
    )
    .unwrap();
    // Monday 23 November: a working week on is Monday 30 November.
    let id = open_at(&log, "2026-11-23T09:00:00Z", &[]);
    log.run(["note", &id, "--kind", "reply", "Sorry"])
        .at("2026-11-23T09:30:00Z")
        .ok();
    assert_eq!(due_at(&log, "2026-11-30T08:59:59Z", &[]), "");
    assert_eq!(
        due_at(&log, "2026-11-30T09:00:00Z", &[]),
        format!("{id}  resolution  due now  ana  Late parcel\n")
    );
}

#[test]
fn holidays_count_for_no_day_of_a_deadline_or_hour_of_a_follow_up() {
    let log = Log::new();
    std::fs::write(
        log.path().join("caselog.toml"),
        "timezone = \"Europe/Berlin\"\n\
         working_days = [\"mon\", \"tue\", \"wed\", \"thu\", \"fri\"]\n\
         holidays = [2026-12-24, \"2026-12-25\"]\n\
         resolve_within = \"2d\"\n",
    )
    .unwrap();
    // Wednesday 23 December, 10:00 CET: the 24th and 25th are holidays,
    // so two working days are Monday 28th and Tuesday 29th.
    let id = open_at(&log, "2026-12-23T09:00:00Z", &[]);
    log.run(["note", &id, "--kind", "reply", "Sorry"])
        .at("2026-12-23T09:30:00Z")
        .ok();
    let shown = log.run(["show", &id]).at("2026-12-23T10:00:00Z").ok();
    assert!(
        shown.contains("resolution: due 2026-12-29 10:00 CET"),
        "{shown}"
    );
    assert_eq!(due_at(&log, "2026-12-29T08:59:59Z", &[]), "");
    // The follow-up's 48 working hours from Wednesday 17:00: 7 that day,
    // all of Monday, and Tuesday until 17:00.
    let out = log
        .run(["resolve", &id, "--summary", "Refunded."])
        .at("2026-12-23T16:00:00Z")
        .ok();
    assert!(out.contains("follow-up due 2026-12-29 17:00 CET"), "{out}");
    // A morning digest on Christmas Eve: nothing until Monday.
    assert_eq!(
        due_at(&log, "2026-12-24T06:30:00Z", &["--within", "1d"]),
        ""
    );
    assert_eq!(
        due_at(&log, "2026-12-28T06:30:00Z", &["--within", "2d"]),
        format!("{id}  follow-up  due in 1d 9h  ana  Late parcel\n")
    );
}

#[test]
fn at_the_second_a_deadline_falls_due_every_command_calls_it_overdue() {
    let log = Log::new();
    let id = open_at(&log, "2026-11-20T09:00:00Z", &[]);
    // The first response is due 24 hours on, to the second.
    let at = "2026-11-21T09:00:00Z";
    let json: serde_json::Value =
        serde_json::from_str(&due_at(&log, at, &["--format", "json"])).unwrap();
    let first = &json.as_array().unwrap()[0];
    assert_eq!(first["due"], at, "{json}");
    assert_eq!(first["overdue"], true, "{json}");
    assert!(log.run(["show", &id]).at(at).ok().contains("OVERDUE"));
    assert!(log.run(["list", "--overdue"]).at(at).ok().contains(&id));
}
