//! Times in a time zone: `timezone` in caselog.toml, or the person's `TZ`;
//! files keep UTC, and every time a person reads has one format.

use crate::harness::Log;
use crate::merge::{git_ok, repository};

fn berlin_log() -> Log {
    let log = Log::new();
    std::fs::write(
        log.path().join("caselog.toml"),
        "timezone = \"Europe/Berlin\"\n",
    )
    .unwrap();
    log
}

#[test]
fn show_gives_times_in_the_log_s_zone_and_the_file_keeps_utc() {
    let log = berlin_log();
    let id = log.open(&[]);
    let shown = log.run(["show", &id]).ok();
    assert!(
        shown.contains("opened          2026-11-20 10:15 CET by"),
        "{shown}"
    );
    assert!(!shown.contains("UTC"), "{shown}");
    assert!(
        log.case_text(&id)
            .contains("opened_at = 2026-11-20T09:15:00Z")
    );
}

#[test]
fn the_person_s_tz_overrides_the_log_s_zone() {
    let log = berlin_log();
    let id = log.open(&[]);
    let shown = log.run(["show", &id]).env("TZ", "America/New_York").ok();
    assert!(shown.contains("2026-11-20 04:15 EST"), "{shown}");
    // A TZ that names no zone of the database leaves the log's zone.
    let shown = log.run(["show", &id]).env("TZ", "CET-1CEST").ok();
    assert!(shown.contains("2026-11-20 10:15 CET"), "{shown}");
}

#[test]
fn a_tz_that_names_no_zone_is_said_once_and_the_log_s_zone_stands() {
    let log = berlin_log();
    let id = log.open(&[]);
    log.run(["resolve", &id, "--summary", "Refunded."]).ok();
    let mut misspelt = vec![
        (
            "Europe/Berlinn".as_bytes(),
            "'Europe/Berlinn' is not a time zone",
        ),
        (b"utc", "'utc' is not a time zone"),
    ];
    #[cfg(unix)]
    misspelt.push((b"Europe/Berl\xffn", "TZ is not UTF-8 text"));
    for (tz, said) in misspelt {
        #[cfg(unix)]
        let tz = <std::ffi::OsStr as std::os::unix::ffi::OsStrExt>::from_bytes(tz);
        #[cfg(not(unix))]
        let tz = std::str::from_utf8(tz).unwrap();
        let plain = log.run(["show", &id]).ok();
        let out = log.run(["show", &id]).env("TZ", tz).output();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{stderr}");
        assert_eq!(String::from_utf8_lossy(&out.stdout), plain, "{said}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(
            stderr.contains(said) && stderr.contains("in the log's time zone instead"),
            "{stderr}"
        );
        // A typed time is read on the log's clock, as the warning says.
        let out = log
            .run(["follow-up", &id, "--at", "2026-11-25 09:00"])
            .env("TZ", tz)
            .output();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(String::from_utf8_lossy(&out.stdout).contains("09:00 CET"));
        assert!(log.case_text(&id).contains("due = 2026-11-25T08:00:00Z"));
    }
    let plain = log.run(["show", &id]).ok();
    // Unset, empty, or a POSIX rule: nothing said.
    assert_eq!(log.run(["show", &id]).env("TZ", "").ok(), plain);
    assert_eq!(
        log.run(["show", &id])
            .env("TZ", "CET-1CEST,M3.5.0,M10.5.0/3")
            .ok(),
        plain
    );
}

#[test]
fn typed_times_without_an_offset_are_on_the_zone_s_clock() {
    let log = berlin_log();
    let id = log.open(&[]);
    log.run(["resolve", &id, "--summary", "Refunded."]).ok();
    let out = log.run(["follow-up", &id, "--at", "2026-11-25 09:00"]).ok();
    assert_eq!(out, format!("{id}: follow-up due 2026-11-25 09:00 CET\n"));
    assert!(log.case_text(&id).contains("due = 2026-11-25T08:00:00Z"));
    let skipped = log
        .run(["follow-up", &id, "--at", "2027-03-28 02:30"])
        .fails(2);
    assert!(
        skipped.contains("does not exist in Europe/Berlin"),
        "{skipped}"
    );
}

#[test]
fn a_time_or_a_duration_that_is_a_skipped_time_says_the_clocks_skip_it() {
    let log = berlin_log();
    log.open(&[]);
    for args in [
        ["report", "--since", "2026-03-29 02:30"],
        ["list", "--opened-since", "2026-03-29 02:30"],
    ] {
        let refused = log.run(args).fails(2);
        assert!(
            refused.contains("does not exist in Europe/Berlin (the clocks skip it)"),
            "{refused}"
        );
        assert_eq!(refused.lines().count(), 1, "{refused}");
    }
}

#[test]
fn a_refusal_shows_its_times_in_the_zone_not_raw_rfc3339() {
    let log = berlin_log();
    let id = log.open(&[]);
    log.run(["propose", &id, "Refund"]).ok();
    log.run(["propose", &id, "Voucher"]).ok();
    log.run(["agree", &id, "1"]).ok();
    let refused = log.run(["agree", &id, "2"]).fails(2);
    assert!(
        refused.contains("already agreed to option 1 at 2026-11-22 10:00 CET"),
        "{refused}"
    );
    assert!(!refused.contains("T09:00:00Z"), "{refused}");
}

#[test]
fn a_bad_zone_in_the_settings_is_refused_with_its_line() {
    let log = Log::new();
    std::fs::write(log.path().join("caselog.toml"), "timezone = \"Berlin\"\n").unwrap();
    let err = log.run(["list"]).fails(2);
    assert!(err.contains("caselog.toml:1"), "{err}");
    assert!(err.contains("not a time zone"), "{err}");
}

#[test]
fn log_shows_commit_dates_in_the_zone() {
    let (log, id) = repository(true);
    std::fs::write(
        log.path().join("caselog.toml"),
        "timezone = \"Asia/Tokyo\"\n",
    )
    .unwrap();
    git_ok(log.path(), &["commit", "-qam", "zone"]);
    let out = log.run(["log", &id]).ok();
    let date = out.lines().next().unwrap().split("  ").nth(1).unwrap();
    assert!(
        date.ends_with(" JST") && date.len() == "2026-11-22 18:00 JST".len(),
        "{out}"
    );
}

#[test]
fn a_deadline_in_working_days_across_a_change_of_the_clocks_keeps_the_time_of_day() {
    let log = Log::new();
    std::fs::write(
        log.path().join("caselog.toml"),
        "timezone = \"Europe/Berlin\"\n\
         working_days = [\"mon\", \"tue\", \"wed\", \"thu\", \"fri\"]\n\
         resolve_within = \"1d\"\n",
    )
    .unwrap();
    // Friday 23:30 CET; the clocks go forward on Sunday.
    let spring = log
        .run([
            "open",
            "--quiet",
            "--title",
            "Late call",
            "--customer",
            "Ida",
            "--summary",
            "Cut off.",
        ])
        .at("2026-03-27T22:30:00Z")
        .ok();
    let spring = spring.trim();
    let shown = log.run(["show", spring]).at("2026-03-28T10:00:00Z").ok();
    assert!(
        shown.contains("resolution: due 2026-03-30 23:30 CEST"),
        "one working day after Friday 23:30 is Monday 23:30: {shown}"
    );
    // Friday 00:30 CEST; the clocks go back on Sunday.
    let autumn = log
        .run([
            "open",
            "--quiet",
            "--title",
            "Early call",
            "--customer",
            "Ida",
            "--summary",
            "Cut off.",
        ])
        .at("2026-10-22T22:30:00Z")
        .ok();
    let due = log
        .run(["due", "--all", "--format", "json"])
        .at("2026-10-23T10:00:00Z")
        .ok();
    let due: serde_json::Value = serde_json::from_str(&due).unwrap();
    let resolution = due
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["id"] == autumn.trim() && d["kind"] == "resolution")
        .unwrap_or_else(|| panic!("{due}"));
    assert_eq!(
        resolution["due"], "2026-10-25T23:30:00Z",
        "Monday 00:30 CET"
    );
}

#[test]
fn a_date_where_the_clocks_skip_midnight_starts_that_day() {
    // Havana goes from 00:00 CST to 01:00 CDT on 8 March 2026: the day
    // has no midnight, but it has a beginning.
    let log = Log::new();
    std::fs::write(
        log.path().join("caselog.toml"),
        "timezone = \"America/Havana\"\n",
    )
    .unwrap();
    log.run([
        "open",
        "--quiet",
        "--title",
        "Cut off",
        "--customer",
        "Ida",
        "--summary",
        "Cut off.",
    ])
    .at("2026-03-08T06:00:00Z")
    .ok();
    let report = log
        .run([
            "report",
            "--since",
            "2026-03-08",
            "--until",
            "2026-03-09",
            "--format",
            "json",
        ])
        .at("2026-03-10T12:00:00Z")
        .ok();
    let report: serde_json::Value = serde_json::from_str(&report).unwrap();
    assert_eq!(report["period"]["since"], "2026-03-08T05:00:00Z");
    assert_eq!(report["summary"]["received"], 1);
    let listed = log
        .run(["list", "--opened-since", "2026-03-08"])
        .at("2026-03-10T12:00:00Z")
        .ok();
    assert!(listed.contains("Cut off"), "{listed}");
}

#[test]
fn a_time_typed_with_its_offset_and_no_seconds_is_read_at_that_offset() {
    let log = berlin_log();
    let id = log.open(&[]);
    log.run(["resolve", &id, "--summary", "Refunded."]).ok();
    // An agent in Tokyo says which clock the time is on.
    let out = log
        .run(["follow-up", &id, "--at", "2026-11-25 18:00+09:00"])
        .env("TZ", "Asia/Tokyo")
        .ok();
    assert_eq!(out, format!("{id}: follow-up due 2026-11-25 18:00 JST\n"));
    assert!(log.case_text(&id).contains("due = 2026-11-25T09:00:00Z"));
    let reopened = log.open(&[]);
    let out = log
        .run([
            "wait",
            &reopened,
            "--on",
            "customer",
            "--reason",
            "photos",
            "--until",
            "2026-11-26T09:00Z",
        ])
        .ok();
    assert_eq!(
        out,
        format!("{reopened}: waiting on the customer until 2026-11-26 10:00 CET\n")
    );
}

#[cfg(unix)]
#[test]
fn a_tz_naming_a_zone_file_shows_that_zone_and_says_nothing() {
    let log = berlin_log();
    let id = log.open(&[]);
    let plain = log.run(["show", &id]).ok();
    let files = tempfile::tempdir().unwrap();
    // A digit in the folders, as in most temporary folders' names: a
    // path, not a POSIX rule.
    let tokyo = files.path().join("v2/zoneinfo/Asia/Tokyo");
    std::fs::create_dir_all(tokyo.parent().unwrap()).unwrap();
    std::fs::write(&tokyo, "TZif").unwrap();
    let localtime = files.path().join("localtime");
    std::os::unix::fs::symlink(&tokyo, &localtime).unwrap();
    // POSIX's `:/etc/localtime`, a link into the zone files; and a path.
    for tz in [
        format!(":{}", localtime.display()),
        tokyo.display().to_string(),
    ] {
        let shown = log.run(["show", &id]).env("TZ", &tz).ok();
        assert!(shown.contains("2026-11-20 18:15 JST"), "{tz}: {shown}");
    }
    // A copy of a zone file outside the zone files is the machine's own
    // rule: the log's zone, and no word that cron would mail each day.
    let copy = files.path().join("copied");
    std::fs::write(&copy, "TZif").unwrap();
    assert_eq!(
        log.run(["show", &id])
            .env("TZ", format!(":{}", copy.display()))
            .ok(),
        plain
    );
    // A file that is not there is said, as a misspelt zone is.
    let out = log
        .run(["show", &id])
        .env("TZ", format!(":{}", files.path().join("gone").display()))
        .output();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("is not a time zone file that can be read"),
        "{stderr}"
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout), plain);
}
