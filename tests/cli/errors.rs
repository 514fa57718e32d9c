//! Bad input: a one-line error naming what is wrong, exit 2, nothing written.

use crate::harness::Log;

/// Runs `args`, expects exit 2 with one line on stderr containing each of
/// `expected`, and no file changed.
#[track_caller]
fn refused(log: &Log, args: &[&str], expected: &[&str]) {
    let before = log.files();
    let stderr = log.run(args).fails(2);
    assert_eq!(stderr.lines().count(), 1, "one line, not: {stderr}");
    for part in expected {
        assert!(
            stderr.contains(part),
            "{args:?}: expected {part:?} in: {stderr}"
        );
    }
    assert_eq!(log.files(), before, "{args:?} wrote something");
}

#[test]
fn unknown_ids_are_refused() {
    let log = Log::new();
    log.open(&[]);
    refused(
        &log,
        &["note", "20991231-zzzzz", "x"],
        &["no case matches '20991231-zzzzz'"],
    );
    refused(&log, &["show", "qqqqq"], &["no case matches 'qqqqq'"]);
}

#[test]
fn ids_that_look_like_paths_are_refused() {
    let log = Log::new();
    let id = log.open(&[]);
    for bad in [
        "../etc/passwd",
        "2026/11",
        "..",
        &format!("cases/2026/11/{id}"),
    ] {
        refused(&log, &["note", bad, "x"], &["is not a case id"]);
    }
}

#[test]
fn invalid_values_on_the_command_line_are_refused() {
    let log = Log::new();
    for (flag, value) in [
        ("--channel", "pigeon"),
        ("--severity", "urgent"),
        ("--preferred-contact", "fax"),
    ] {
        let before = log.files();
        let stderr = log
            .run([
                "open",
                "--title",
                "T",
                "--customer",
                "C",
                "--summary",
                "S",
                flag,
                value,
            ])
            .fails(2);
        assert!(
            stderr.contains(&format!("invalid value '{value}' for '{flag}")),
            "{stderr}"
        );
        assert!(stderr.contains("possible values"), "{stderr}");
        assert_eq!(log.files(), before);
    }
    refused(
        &log,
        &[
            "open",
            "--title",
            "   ",
            "--customer",
            "C",
            "--summary",
            "S",
        ],
        &["the title is empty"],
    );
    refused(
        &log,
        &[
            "open",
            "--title",
            "two\nlines",
            "--customer",
            "C",
            "--summary",
            "S",
        ],
        &["the title must be one line"],
    );
    refused(
        &log,
        &["open", "--title", "T", "--customer", "", "--summary", "S"],
        &["the customer name is empty"],
    );
    refused(
        &log,
        &[
            "open",
            "--title",
            "T",
            "--customer",
            "C",
            "--summary",
            " \n ",
        ],
        &["the complaint summary is empty"],
    );
    refused(
        &log,
        &["open", "--title", "T", "--customer", "C"],
        &["the complaint summary is empty"],
    );
}

#[test]
fn invalid_transitions_are_refused() {
    let log = Log::new();
    let id = log.open(&[]);
    refused(
        &log,
        &["follow-up", &id, "--done", "--satisfied", "yes"],
        &["has no follow-up waiting to be done"],
    );
    refused(
        &log,
        &["follow-up", &id, "--in", "2d"],
        &["a follow-up is scheduled only after it is resolved"],
    );
    refused(&log, &["close", &id], &["not resolved; give --reason"]);
    refused(
        &log,
        &["reopen", &id, "--reason", "x"],
        &["is already open"],
    );
    log.run(["resolve", &id, "--summary", "Refunded.", "--no-follow-up"])
        .ok();
    refused(
        &log,
        &["resolve", &id, "--summary", "Again"],
        &["already resolved"],
    );
    refused(
        &log,
        &["follow-up", &id, "--done"],
        &["has no follow-up waiting to be done", "--in 1d"],
    );
    log.run(["close", &id]).ok();
    refused(
        &log,
        &["resolve", &id, "--summary", "Again"],
        &["is closed; reopen it first"],
    );
    refused(&log, &["close", &id], &["already closed"]);
    refused(
        &log,
        &["wait", &id, "--reason", "x"],
        &["reopen it before waiting"],
    );
}

#[test]
fn closing_before_the_follow_up_needs_a_reason() {
    let log = Log::new();
    let id = log.open(&[]);
    log.run(["resolve", &id, "--summary", "Refunded."]).ok();
    refused(
        &log,
        &["close", &id],
        &["follow-up not yet done", "--reason"],
    );
    log.run(["close", &id, "--reason", "customer unreachable for a month"])
        .ok();
}

#[test]
fn bad_times_and_durations_are_refused() {
    let log = Log::new();
    let id = log.open(&[]);
    log.run(["resolve", &id, "--summary", "Refunded."]).ok();
    refused(
        &log,
        &["follow-up", &id, "--at", "tomorrow-ish"],
        &["'tomorrow-ish' is not a time"],
    );
    refused(
        &log,
        &["follow-up", &id, "--in", "2 days"],
        &["'2 days' is not a duration"],
    );
    refused(
        &log,
        &["follow-up", &id, "--in", "48"],
        &["'48' is not a duration"],
    );
    let before = log.files();
    let stderr = log.run(["note", &id, "x"]).at("yesterday").fails(2);
    assert!(
        stderr.contains("CASELOG_NOW='yesterday' is not an RFC 3339 time"),
        "{stderr}"
    );
    assert_eq!(log.files(), before);
}

#[test]
fn an_event_dated_before_the_last_one_is_recorded_at_the_last_one_s_time() {
    let log = Log::new();
    let id = log.open(&[]);
    // A clock well behind the case's last event (opened 2026-11-20 09:15):
    // the note is kept, in order, and the person is told.
    let out = log
        .run(["note", &id, "called back"])
        .at("2026-11-01T00:00:00Z")
        .output();
    assert!(out.status.success());
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("dated 2026-11-20 09:15 UTC"), "{stderr}");
    let case = log.case_json(&id);
    assert_eq!(case["events"][1]["text"], "called back");
    assert_eq!(case["events"][1]["at"], "2026-11-20T09:15:00Z");
    log.run(["check"]).ok();
    // A teammate's clock a minute behind is not worth a word.
    log.run(["note", &id, "again"])
        .at("2026-11-20T09:14:00Z")
        .ok();
}

#[test]
fn a_follow_up_counts_from_the_time_its_event_carries_when_the_clock_is_behind() {
    // Opened 2026-11-20 09:15 (a Friday); a clock three days behind.
    let behind = "2026-11-17T09:15:00Z";
    let log = Log::new();
    let id = log.open(&[]);
    // The resolution is dated at the opening; its follow-up is due the
    // usual 48 working hours after that, never before the resolution.
    let out = log
        .run([
            "resolve",
            &id,
            "--summary",
            "Refunded",
            "--outcome",
            "upheld",
        ])
        .at(behind)
        .output();
    assert!(out.status.success(), "{out:?}");
    let case = log.case_json(&id);
    let resolved = case["events"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(resolved["at"], "2026-11-20T09:15:00Z");
    let due = resolved["due"].as_str().unwrap().to_string();
    assert!(due.as_str() > "2026-11-20T09:15:00Z", "{due}");
    let ahead = log
        .run([
            "resolve",
            &log.open(&[]),
            "--summary",
            "Refunded",
            "--outcome",
            "upheld",
        ])
        .at("2026-11-20T09:15:00Z")
        .ok();
    assert!(ahead.contains(&time_in(&due)), "{ahead} / {due}");
    // A follow-up a day on, asked for with a clock behind, counts from the
    // time its event carries, not refused as due before the case's last
    // event.
    let other = log.open(&[]);
    log.run([
        "resolve",
        &other,
        "--summary",
        "Refunded",
        "--outcome",
        "upheld",
        "--no-follow-up",
    ])
    .at("2026-11-20T09:15:00Z")
    .ok();
    let out = log
        .run(["follow-up", "--in", "1d", &other])
        .at(behind)
        .output();
    assert!(out.status.success(), "{out:?}");
    let case = log.case_json(&other);
    let event = case["events"].as_array().unwrap().last().unwrap().clone();
    assert!(event["due"].as_str().unwrap() > event["at"].as_str().unwrap());
    log.run(["check"]).ok();
}

/// `2026-11-24T09:15:00Z` as caselog prints it (`2026-11-24 09:15`).
fn time_in(rfc3339: &str) -> String {
    rfc3339.replace('T', " ")[..16].to_string()
}

#[test]
fn a_missing_case_log_suggests_init() {
    let log = Log::empty();
    let stderr = log.run(["list"]).fails(2);
    assert!(
        stderr.contains("no case log in") && stderr.contains("run `caselog init`"),
        "{stderr}"
    );
    let stderr = log.run(["list", "--dir", "elsewhere"]).fails(2);
    assert!(
        stderr.contains("elsewhere is not a case log") && stderr.contains("caselog init elsewhere"),
        "{stderr}"
    );
    assert!(log.files().is_empty());
}

#[test]
fn a_case_file_that_is_not_valid_toml_is_named_with_its_line() {
    let log = Log::new();
    let id = log.open(&[]);
    let path = log.case_path(&id);
    let text = log.case_text(&id).replace("[customer]", "[customer\n");
    std::fs::write(&path, &text).unwrap();
    let line = text.lines().position(|l| l == "[customer").unwrap() + 1;
    refused(
        &log,
        &["note", &id, "x"],
        &[&format!("cases/2026/11/{id}.toml:{line}:")],
    );
    refused(&log, &["show", &id], &[&format!("{id}.toml:{line}:")]);
}

#[test]
fn an_unknown_key_in_a_case_file_names_file_line_and_key() {
    let log = Log::new();
    let id = log.open(&[]);
    let text = log
        .case_text(&id)
        .replace("[customer]\n", "[customer]\nphone_number = \"555\"\n");
    std::fs::write(log.case_path(&id), &text).unwrap();
    let line = text
        .lines()
        .position(|l| l.starts_with("phone_number"))
        .unwrap()
        + 1;
    refused(
        &log,
        &["assign", &id, "ben"],
        &[&format!("{id}.toml:{line}: unknown field `phone_number`")],
    );
}

#[test]
fn an_unknown_status_in_a_case_file_lists_the_allowed_ones() {
    let log = Log::new();
    let id = log.open(&[]);
    let text = log
        .case_text(&id)
        .replace("status = \"open\"", "status = \"pending\"");
    std::fs::write(log.case_path(&id), &text).unwrap();
    refused(
        &log,
        &["show", &id],
        &[
            "unknown status 'pending' (expected one of: open, waiting, resolved, closed)",
            ":4:",
        ],
    );
}

#[test]
fn a_case_whose_id_does_not_match_its_file_name_is_refused() {
    let log = Log::new();
    let id = log.open(&[]);
    let other = log.open(&[]);
    std::fs::write(log.case_path(&id), log.case_text(&other)).unwrap();
    refused(
        &log,
        &["note", &id, "x"],
        &[&format!("the id {other} does not match the file name")],
    );
}

#[test]
fn an_unknown_category_is_refused_when_settings_list_categories() {
    let log = Log::new();
    std::fs::write(
        log.path().join("caselog.toml"),
        "categories = [\"billing\", \"delivery\"]\n",
    )
    .unwrap();
    refused(
        &log,
        &[
            "open",
            "--title",
            "T",
            "--customer",
            "C",
            "--summary",
            "S",
            "--category",
            "biling",
        ],
        &["unknown category 'biling' (caselog.toml lists: billing, delivery)"],
    );
    log.open(&["--category", "billing"]);
}

#[test]
fn a_bad_settings_file_is_named_with_its_line() {
    let log = Log::new();
    let id = log.open(&[]);
    std::fs::write(
        log.path().join("caselog.toml"),
        "# settings\nfollow_up_after = \"two days\"\n",
    )
    .unwrap();
    refused(
        &log,
        &["resolve", &id, "--summary", "x"],
        &["caselog.toml:2:", "'two days' is not a duration"],
    );
}

#[test]
fn no_known_person_is_refused_with_the_ways_to_name_one() {
    let log = Log::new();
    let id = log.open(&[]);
    let before = log.files();
    let stderr = log
        .run(["note", &id, "x"])
        .env_remove("CASELOG_USER")
        .fails(2);
    assert!(
        stderr.contains("pass --by PERSON, set CASELOG_USER, or set git's user.email"),
        "{stderr}"
    );
    assert_eq!(log.files(), before);
}

#[test]
fn empty_notes_and_reasons_are_refused() {
    let log = Log::new();
    let id = log.open(&[]);
    refused(&log, &["note", &id, "  "], &["the note is empty"]);
    refused(&log, &["note", &id], &["the note is empty"]);
    refused(
        &log,
        &["wait", &id, "--reason", ""],
        &["the reason is empty"],
    );
}

#[test]
fn a_short_id_matching_a_stray_file_names_that_file() {
    let log = Log::new();
    let id = log.open(&[]);
    let path = log.case_path(&id);
    let stray = path.with_file_name(format!("{id} copy.toml"));
    std::fs::copy(&path, &stray).unwrap();
    let stderr = log.run(["note", "copy", "hello"]).fails(2);
    assert!(stderr.contains(&format!("{id} copy.toml")), "{stderr}");
    assert!(stderr.contains("does not match the file name"), "{stderr}");
}

#[test]
#[cfg(unix)]
fn a_pinned_time_or_person_that_is_not_text_is_refused_never_dropped() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;
    let log = Log::new();
    let id = log.open(&[]);
    let not_text = OsStr::from_bytes(b"2026-11-22T09:00:00Z\xff");
    for (variable, named) in [
        ("CASELOG_NOW", "CASELOG_NOW is not UTF-8 text"),
        ("CASELOG_USER", "CASELOG_USER is not UTF-8 text"),
    ] {
        let before = log.files();
        let stderr = log.run(["note", &id, "x"]).env(variable, not_text).fails(2);
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(stderr.contains(named), "{stderr}");
        assert_eq!(log.files(), before, "{variable}: written");
    }
    // `--by` names the person whatever the variable holds.
    log.run(["note", &id, "--by", "ana", "x"])
        .env("CASELOG_USER", not_text)
        .ok();
}

#[test]
#[cfg(unix)]
fn an_argument_that_is_not_text_is_named_by_its_place_in_one_line() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;
    let log = Log::new();
    let id = log.open(&[]);
    let before = log.files();
    let not_text = OsStr::from_bytes(b"late \xff again");
    let stderr = log
        .run([OsStr::new("note"), OsStr::new(&id), not_text])
        .fails(2);
    assert_eq!(
        stderr,
        "error: argument 3 ('late \u{fffd} again') is not UTF-8 text, which only a file or folder name may be\n"
    );
    assert_eq!(log.files(), before);
    // A file name may be any bytes: it is looked for, not refused.
    let stderr = log
        .run([OsStr::new("import"), OsStr::from_bytes(b"\xff.json")])
        .fails(2);
    assert!(stderr.contains(".json"), "{stderr}");
    assert!(!stderr.contains("not UTF-8"), "{stderr}");
}

#[test]
#[cfg(target_os = "linux")]
fn a_stderr_that_cannot_be_written_leaves_the_exit_code_to_tell() {
    // `2>/dev/full`, as a full disk under `2>>file` behaves: every write
    // to stderr fails. Each way caselog speaks there (clap's refusal, a
    // warning about one file among many, the error that stops a command)
    // must end in its documented exit code, never a panic's 101.
    let log = Log::new();
    let id = log.open(&[]);
    let other = log.open(&[]);
    std::fs::write(log.case_path(&other), "[[[ not toml\n").unwrap();
    for (args, code) in [
        (vec!["list", "--no-such-flag"], 2),
        (vec!["list"], 2),
        (vec!["show", "nothing-like-it"], 2),
        (vec!["note", &id, "Called back"], 0),
    ] {
        let full = std::fs::File::options()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let out = log.command(&args).stderr(full).output().unwrap();
        assert_eq!(out.status.code(), Some(code), "{args:?}: {out:?}");
    }
}

#[test]
fn a_bad_case_file_is_named_once_by_every_whole_log_command() {
    let log = Log::new();
    let id = log.open(&[]);
    let folder = log.path().join("cases/2026/11");
    std::fs::write(folder.join("20261120-brokn.toml"), "garbage = [\n").unwrap();
    // `index` reads every file for its facts and again for its words, as
    // a filtered search does; the others once, some through the search
    // index.
    for args in [
        &["index"][..],
        &["index", "--rebuild"],
        &["search", "refund", "--status", "open"],
        &["similar", &id],
        &["list"],
        &["due", "--all"],
        &["search", "refund"],
        &["report", "--since", "30d"],
    ] {
        let out = log.run(args).output();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(
            stderr.matches("20261120-brokn.toml").count(),
            1,
            "{args:?}: {stderr}"
        );
    }
}
