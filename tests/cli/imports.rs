//! `caselog import` of real exports: the CFPB's and Zendesk's, through
//! the mappings shipped in examples/imports/; importing the same export
//! twice; `--update`; and mappings that are wrong.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::harness::Log;

/// When the imports run: after every date in the samples.
const IMPORTED_AT: &str = "2026-11-22T09:00:00Z";

fn example(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples/imports")
        .join(name)
}

/// Copies a shipped example into the log, as a user would have it there.
fn copy_example(log: &Log, name: &str) {
    std::fs::copy(example(name), log.path().join(name)).unwrap();
}

/// Copies a shipped mapping (`cfpb`, `zendesk`) and its sample export
/// into `log`, imports them and gives the ids printed.
fn import_sample(log: &Log, source: &str) -> String {
    let (mapping, sample) = (format!("{source}.toml"), format!("{source}-sample.csv"));
    copy_example(log, &mapping);
    copy_example(log, &sample);
    log.run(["import", sample.as_str(), "--mapping", mapping.as_str()])
        .at(IMPORTED_AT)
        .ok()
}

fn import(log: &Log, args: &[&str]) -> std::process::Output {
    let mut all = vec!["import"];
    all.extend_from_slice(args);
    log.run(all).at(IMPORTED_AT).output()
}

fn stdout(out: &std::process::Output) -> String {
    String::from_utf8(out.stdout.clone()).unwrap()
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8(out.stderr.clone()).unwrap()
}

/// The case imported from `source_id`, as `show --format json` has it.
fn case_from(log: &Log, ids: &str, source_id: &str) -> Value {
    ids.lines()
        .map(|id| log.case_json(id))
        .find(|case| {
            case["events"]
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["source_id"] == source_id)
        })
        .unwrap_or_else(|| panic!("no case imported from {source_id}"))
}

fn case_files(log: &Log) -> Vec<PathBuf> {
    log.files()
        .into_keys()
        .filter(|p| p.starts_with(log.path().join("cases")))
        .collect()
}

#[test]
fn the_cfpb_sample_imports_with_its_shipped_mapping() {
    let log = Log::new();
    let ids = import_sample(&log, "cfpb");
    assert_eq!(ids.lines().count(), 12, "{ids}");
    assert_eq!(case_files(&log).len(), 12);

    // A quoted, multi-line narrative arrives byte for byte.
    let closed = case_from(&log, &ids, "cfpb:9876511");
    assert_eq!(
        closed["complaint"]["summary"],
        "They closed my card without notice.\nI found out at the till, in front of my daughter.\nNobody has explained why."
    );
    assert_eq!(closed["title"], "Closing your account");
    assert_eq!(closed["category"], "Credit card");
    assert_eq!(closed["channel"], "email");
    assert_eq!(closed["status"], "closed");
    assert_eq!(closed["opened_at"], "2026-11-10T00:00:00Z");
    assert_eq!(
        closed["customer"]["name"],
        "CFPB consumer, complaint 9876511"
    );
    assert_eq!(
        closed["tags"],
        serde_json::json!([
            "General-purpose credit card or charge card",
            "Older American"
        ])
    );

    // No narrative: the issue and sub-issue stand in for it.
    let silent = case_from(&log, &ids, "cfpb:9876502");
    assert_eq!(
        silent["complaint"]["summary"],
        "Managing an account: Banking errors"
    );
    assert_eq!(silent["channel"], "phone");
    // An ISO date in a column of US dates, and non-ASCII text.
    let escrow = case_from(&log, &ids, "cfpb:9876503");
    assert_eq!(escrow["opened_at"], "2026-11-18T00:00:00Z");
    assert!(
        escrow["complaint"]["summary"]
            .as_str()
            .unwrap()
            .contains("José Núñez")
    );
    let payday = case_from(&log, &ids, "cfpb:9876512");
    assert!(
        payday["complaint"]["summary"]
            .as_str()
            .unwrap()
            .contains("誰も説明してくれなかった")
    );
    assert_eq!(case_from(&log, &ids, "cfpb:9876505")["channel"], "letter");
    assert_eq!(case_from(&log, &ids, "cfpb:9876507")["channel"], "other");
    assert_eq!(case_from(&log, &ids, "cfpb:9876501")["status"], "open");

    // The file as written: the imported event remembers where it came from.
    let id = ids.lines().next().unwrap();
    insta::assert_snapshot!(log.case_text(id).replace(id, "<ID>"));
    log.run(["check"]).ok();
}

#[test]
fn the_zendesk_sample_imports_with_its_shipped_mapping() {
    let log = Log::new();
    let ids = import_sample(&log, "zendesk");
    assert_eq!(ids.lines().count(), 12, "{ids}");
    assert_eq!(case_files(&log).len(), 12);

    let maria = case_from(&log, &ids, "zendesk:1041");
    assert_eq!(maria["title"], "Refund not received");
    assert_eq!(maria["customer"]["name"], "Maria López");
    assert_eq!(maria["customer"]["contact"], "maria@example.com");
    assert_eq!(maria["assignee"], "Ana Ruiz");
    assert_eq!(maria["category"], "Billing");
    assert_eq!(maria["channel"], "email");
    assert_eq!(maria["severity"], "high");
    assert_eq!(maria["tags"], serde_json::json!(["refund", "billing"]));
    assert_eq!(maria["opened_at"], "2026-11-02T09:15:00Z");
    assert_eq!(
        maria["complaint"]["summary"],
        "I cancelled order A-1001 on 2 November.\nStill no refund after three weeks.\n\nPlease call me back."
    );

    // Empty details: the subject stands in. Urgent is critical; solved
    // and closed tickets keep when they were solved.
    let chen = case_from(&log, &ids, "zendesk:1043");
    assert_eq!(chen["customer"]["name"], "Chen Wei 陈伟");
    assert_eq!(chen["complaint"]["summary"], "Charged twice");
    assert_eq!(chen["severity"], "critical");
    assert_eq!(chen["status"], "closed");
    assert_eq!(chen["resolution"]["resolved_at"], "2026-11-06T11:00:00Z");
    let bjorn = case_from(&log, &ids, "zendesk:1042");
    assert_eq!(bjorn["status"], "resolved");
    assert_eq!(bjorn["channel"], "web");
    assert_eq!(case_from(&log, &ids, "zendesk:1045")["status"], "waiting");
    assert_eq!(case_from(&log, &ids, "zendesk:1045")["channel"], "social");
    assert_eq!(case_from(&log, &ids, "zendesk:1052")["channel"], "other");
    log.run(["check"]).ok();
}

#[test]
fn importing_the_same_export_twice_creates_nothing_the_second_time() {
    let log = Log::new();
    import_sample(&log, "cfpb");
    let before = log.files();
    let again = import(&log, &["cfpb-sample.csv", "--mapping", "cfpb.toml"]);
    assert!(again.status.success(), "{}", stderr(&again));
    assert_eq!(stdout(&again), "");
    assert_eq!(
        stderr(&again),
        "caselog: imported 0, updated 0, skipped 12 imported before (--update corrects their changed fields)\n"
    );
    assert_eq!(log.files(), before);

    // A newer download adds only what is new.
    let mut newer = std::fs::read_to_string(log.path().join("cfpb-sample.csv")).unwrap();
    newer.push_str("11/21/2026,Mortgage,FHA mortgage,Closing on a mortgage,,Closing was delayed by a month.,,Northwind Bank,MA,021XX,,Consent provided,Web,11/21/2026,In progress,Yes,N/A,9876513\n");
    std::fs::write(log.path().join("newer.csv"), newer).unwrap();
    let out = import(&log, &["newer.csv", "--mapping", "cfpb.toml"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out).lines().count(), 1);
    assert!(
        stderr(&out).contains("imported 1, updated 0, skipped 12 imported before"),
        "{}",
        stderr(&out)
    );
    assert_eq!(case_files(&log).len(), 13);
}

#[test]
fn caselog_s_own_export_imported_twice_creates_nothing_the_second_time() {
    let source = Log::new();
    source.open(&["--channel", "phone"]);
    source.open(&["--category", "billing"]);
    let export = source
        .run(["export", "--format", "csv"])
        .at(IMPORTED_AT)
        .ok();
    std::fs::write(source.path().join("cases.csv"), &export).unwrap();
    // Into the log it came from: every case is already there.
    let before = source.files();
    let out = import(&source, &["cases.csv"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), "");
    assert_eq!(source.files(), before);

    let target = Log::new();
    std::fs::write(target.path().join("cases.csv"), &export).unwrap();
    let ids = target.run(["import", "cases.csv"]).at(IMPORTED_AT).ok();
    assert_eq!(ids.lines().count(), 2);
    let before = target.files();
    let out = import(&target, &["cases.csv"]);
    assert_eq!(stdout(&out), "");
    assert!(
        stderr(&out).contains("imported 0, updated 0, skipped 2 imported before"),
        "{}",
        stderr(&out)
    );
    assert_eq!(target.files(), before);
}

#[test]
fn update_records_changed_fields_as_edits_and_leaves_the_rest_alone() {
    let log = Log::new();
    let ids = import_sample(&log, "zendesk");
    let maria = case_from(&log, &ids, "zendesk:1041");
    let maria_id = maria["id"].as_str().unwrap().to_string();
    let before = log.files();

    // Ticket 1041 got a new subject and priority in Zendesk; its empty
    // cells elsewhere erase nothing.
    let sample = std::fs::read_to_string(log.path().join("zendesk-sample.csv")).unwrap();
    let changed = sample.replace(
        ",1041,Maria López,360001,maria@example.com,example.com,Ana Ruiz,Billing,Refund not received,refund billing,Open,High,",
        ",1041,Maria López,360001,,example.com,Ana Ruiz,Billing,Refund still not received,refund billing,Open,Urgent,",
    );
    assert_ne!(changed, sample);
    std::fs::write(log.path().join("later.csv"), changed).unwrap();

    let out = log
        .run([
            "import",
            "later.csv",
            "--mapping",
            "zendesk.toml",
            "--update",
        ])
        .at("2026-11-23T10:00:00Z")
        .output();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), "", "no new case");
    assert_eq!(
        stderr(&out),
        format!(
            "caselog: updated {maria_id}: title, severity\ncaselog: imported 0, updated 1, skipped 11 imported before\n"
        )
    );
    let after = log.files();
    let maria_path = log.case_path(&maria_id);
    for (path, bytes) in &before {
        if *path != maria_path {
            assert_eq!(after.get(path), Some(bytes), "{} changed", path.display());
        }
    }
    let maria = log.case_json(&maria_id);
    assert_eq!(maria["title"], "Refund still not received");
    assert_eq!(maria["severity"], "critical");
    assert_eq!(maria["customer"]["contact"], "maria@example.com");
    let edits: Vec<&Value> = maria["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "edited")
        .collect();
    assert_eq!(edits.len(), 2);
    assert_eq!(edits[0]["field"], "title");
    assert_eq!(edits[0]["old"], "Refund not received");
    assert_eq!(edits[0]["new"], "Refund still not received");
    assert_eq!(edits[0]["at"], "2026-11-23T10:00:00Z");
    assert_eq!(edits[1]["field"], "severity");
    assert_eq!(edits[1]["new"], "critical");

    // The same again changes nothing.
    let before = log.files();
    let out = log
        .run([
            "import",
            "later.csv",
            "--mapping",
            "zendesk.toml",
            "--update",
        ])
        .at("2026-11-23T11:00:00Z")
        .output();
    assert!(
        stderr(&out).contains("imported 0, updated 0, skipped 12"),
        "{}",
        stderr(&out)
    );
    assert_eq!(log.files(), before);
}

#[test]
fn command_line_maps_and_a_date_format_import_a_raw_export() {
    let log = Log::new();
    std::fs::write(
        log.path().join("raw.csv"),
        "Ref,Received,Issue,Narrative,Name,Notes\n\
         A1,11/20/2026,Late refund,,Ann Lee,\n\
         A2,11/21/2026,Broken mug,\"It arrived\nin pieces.\",Bo Chan,\n",
    )
    .unwrap();
    let args = [
        "import",
        "raw.csv",
        "--map",
        "Ref=id",
        "--map",
        "Received=opened_at",
        "--map",
        "Issue=title",
        "--map",
        "Narrative=summary",
        "--map",
        "Issue=summary",
        "--map",
        "Name=customer",
        "--date-format",
        "%m/%d/%Y",
    ];
    // "Notes" is neither mapped nor ignored, though empty in every row.
    let before = log.files();
    let stderr_text = log.run(args).at(IMPORTED_AT).fails(2);
    assert_eq!(
        stderr_text,
        "caselog: reading raw.csv: raw.csv has column the mapping neither maps nor ignores: 'Notes' (map it, or list it in ignore = [...])\n"
    );
    assert_eq!(log.files(), before);

    let mut with_notes = args.to_vec();
    with_notes.extend(["--map", "Notes=wants"]);
    let ids = log.run(with_notes).at(IMPORTED_AT).ok();
    let ids: Vec<&str> = ids.lines().collect();
    assert_eq!(ids.len(), 2);
    let late = log.case_json(ids[0]);
    assert_eq!(late["opened_at"], "2026-11-20T00:00:00Z");
    assert_eq!(late["complaint"]["summary"], "Late refund", "falls back");
    let mug = log.case_json(ids[1]);
    assert_eq!(mug["complaint"]["summary"], "It arrived\nin pieces.");
    assert_eq!(
        mug["events"].as_array().unwrap().last().unwrap()["source_id"],
        "A2"
    );
}

#[test]
fn a_wrong_mapping_is_one_line_naming_what_and_where_and_nothing_is_written() {
    let log = Log::new();
    copy_example(&log, "cfpb-sample.csv");
    let cfpb = std::fs::read_to_string(example("cfpb.toml")).unwrap();
    let cases: Vec<(String, &str)> = vec![
        (
            cfpb.replace("title = \"Issue\"", "title = \"Issue title\""),
            "is fed from the column 'Issue title', which cfpb-sample.csv does not have",
        ),
        (
            cfpb.replace("\"Fax\" = \"other\"", "\"Fax\" = \"fax\""),
            "values.channel: unknown channel 'fax'",
        ),
        (
            cfpb.replace("\"Closed\" = \"closed\"", "\"Closed\" = \"done\""),
            "values.status: unknown status 'done'",
        ),
        (
            cfpb.replace("date_format = \"%m/%d/%Y\"", "date_format = \"%m/%d/%\""),
            "date_format: '%m/%d/%' is not a date format",
        ),
        (
            cfpb.replace("    \"State\",\n", ""),
            "cfpb-sample.csv has column the mapping neither maps nor ignores: 'State'",
        ),
        (cfpb.replace("[columns]", "[colums]"), "mapping.toml:"),
    ];
    let before = log.files();
    for (mapping, expected) in cases {
        std::fs::write(log.path().join("mapping.toml"), &mapping).unwrap();
        let err = log
            .run(["import", "cfpb-sample.csv", "--mapping", "mapping.toml"])
            .at(IMPORTED_AT)
            .fails(2);
        assert!(err.contains(expected), "{expected}: {err}");
        assert_eq!(err.lines().count(), 1, "{err}");
        assert_eq!(log.files().len(), before.len() + 1, "only the mapping file");
    }
    // A file-level mistake names the mapping's line.
    std::fs::write(
        log.path().join("mapping.toml"),
        cfpb.replace("\"Fax\" = \"other\"", "\"Fax\" = \"fax\""),
    )
    .unwrap();
    let line = cfpb.lines().position(|l| l.starts_with("\"Fax\"")).unwrap() + 1;
    let err = log
        .run(["import", "cfpb-sample.csv", "--mapping", "mapping.toml"])
        .at(IMPORTED_AT)
        .fails(2);
    assert!(err.contains(&format!("mapping.toml:{line}: ")), "{err}");

    let err = log
        .run([
            "import",
            "cfpb-sample.csv",
            "--map",
            "Issue=title",
            "--date-format",
            "%Y-%Q",
        ])
        .at(IMPORTED_AT)
        .fails(2);
    assert!(
        err.contains("--date-format: '%Y-%Q' is not a date format"),
        "{err}"
    );
    let err = log
        .run(["import", "cfpb-sample.csv", "--map", "Issue=priority"])
        .fails(2);
    assert!(
        err.contains("--map 'Issue=priority': 'priority' is not an import column"),
        "{err}"
    );
    let err = log
        .run(["import", "cfpb-sample.csv", "--mapping", "missing.toml"])
        .fails(2);
    assert!(err.contains("missing.toml"), "{err}");
    // A mapping file far larger than any real one is not read at all.
    let huge = format!("{cfpb}\n# {}\n", "x".repeat(2 * 1024 * 1024));
    std::fs::write(log.path().join("huge.toml"), huge).unwrap();
    let err = log
        .run(["import", "cfpb-sample.csv", "--mapping", "huge.toml"])
        .fails(2);
    assert!(err.contains("huge.toml"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert_eq!(case_files(&log).len(), 0);
}

#[test]
fn rows_a_mapping_cannot_read_are_reported_in_row_order() {
    let log = Log::new();
    copy_example(&log, "cfpb.toml");
    let sample = std::fs::read_to_string(example("cfpb-sample.csv")).unwrap();
    // Row 3 (the second complaint, on line 5 after a narrative of three
    // lines) gets a date in no format; the last row repeats a complaint id.
    let bad = sample
        .replacen("11/19/2026,Checking", "19.11.2026,Checking", 1)
        .replace(",9876512\n", ",9876509\n");
    assert_ne!(bad, sample);
    std::fs::write(log.path().join("bad.csv"), bad).unwrap();
    let before = log.files();
    let err = log
        .run(["import", "bad.csv", "--mapping", "cfpb.toml"])
        .at(IMPORTED_AT)
        .fails(2);
    let expected_first = "caselog: bad.csv: row 3 (line 5): opened_at: '19.11.2026' matches no date format given (%m/%d/%Y)";
    assert!(err.starts_with(expected_first), "{err}");
    assert!(
        err.contains("row 13 (line 17): id 'cfpb:9876509' was given before, in row 10 (line 12)"),
        "{err}"
    );
    assert!(
        err.contains("2 of 12 rows invalid; nothing was imported"),
        "{err}"
    );
    assert_eq!(log.files(), before);
}

#[test]
fn terminal_escapes_in_a_header_never_reach_the_terminal() {
    let log = Log::new();
    std::fs::write(
        log.path().join("evil.csv"),
        "Issue,\u{1b}[2Jwho\u{7},Date\nLate,x,2026-11-20\n",
    )
    .unwrap();
    let err = log
        .run([
            "import",
            "evil.csv",
            "--map",
            "Issue=title",
            "--map",
            "Date=opened_at",
        ])
        .fails(2);
    assert!(!err.contains('\u{1b}') && !err.contains('\u{7}'), "{err:?}");
    assert!(err.contains("neither maps nor ignores"), "{err}");
    assert_eq!(err.lines().count(), 1);
}

#[test]
fn a_redacted_case_is_never_filled_in_again_by_a_re_import() {
    let log = Log::new();
    let ids = import_sample(&log, "zendesk");
    let maria_id = case_from(&log, &ids, "zendesk:1041")["id"]
        .as_str()
        .unwrap()
        .to_string();
    log.run([
        "redact",
        "--customer",
        "Maria López",
        "--reason",
        "erasure request",
        "--force",
    ])
    .at("2026-11-23T10:00:00Z")
    .ok();
    let redacted = log.case_text(&maria_id);
    assert!(!redacted.contains("maria@example.com"));

    let sample = std::fs::read_to_string(log.path().join("zendesk-sample.csv")).unwrap();
    std::fs::write(
        log.path().join("later.csv"),
        sample.replace("Refund not received", "Refund still not received"),
    )
    .unwrap();
    for extra in [None, Some("--update")] {
        let mut args = vec!["import", "later.csv", "--mapping", "zendesk.toml"];
        args.extend(extra);
        let out = log.run(args).at("2026-11-23T11:00:00Z").output();
        assert!(out.status.success(), "{}", stderr(&out));
        assert_eq!(stdout(&out), "");
        assert!(
            stderr(&out).contains("imported 0, updated 0, skipped 12"),
            "{}",
            stderr(&out)
        );
        assert_eq!(log.case_text(&maria_id), redacted);
    }
}

#[test]
fn a_case_the_source_redacted_since_is_never_given_its_markers_as_edits_and_the_user_is_told() {
    let source = Log::new();
    let id = source
        .run([
            "open",
            "--quiet",
            "--title",
            "Card issue for Maria",
            "--customer",
            "Maria López",
            "--contact",
            "maria@example.com",
            "--summary",
            "Maria says the card failed.",
        ])
        .at("2026-11-01T09:00:00Z")
        .ok();
    let id = id.trim();
    let export = |name: &str| {
        let text = source.run(["export"]).at("2026-11-20T09:00:00Z").ok();
        std::fs::write(source.path().join(name), text).unwrap();
        source.path().join(name).to_str().unwrap().to_string()
    };
    let before = export("before.json");
    let here = Log::new();
    let ids = here
        .run(["import", &before])
        .at("2026-11-20T10:00:00Z")
        .ok();
    let imported = ids.trim().to_string();
    source
        .run(["redact", id, "--reason", "erasure request", "--force"])
        .at("2026-11-21T09:00:00Z")
        .ok();
    let after = export("after.json");
    let kept = here.case_text(&imported);
    for extra in [None, Some("--update")] {
        let mut args = vec!["import", after.as_str()];
        args.extend(extra);
        let out = here.run(args).at("2026-11-21T10:00:00Z").output();
        let said = stderr(&out);
        assert!(out.status.success(), "{said}");
        assert!(
            said.contains(&format!(
                "{imported}: the source has redacted its title, customer, contact since it was imported here"
            )),
            "{said}"
        );
        assert!(
            said.contains(&format!("`caselog redact {imported} --reason TEXT`")),
            "{said}"
        );
        assert!(said.contains("imported 0, updated 0, skipped 1"), "{said}");
        // No marker written as a value, with the erased one kept as its old.
        assert_eq!(here.case_text(&imported), kept);
    }
}

#[test]
fn a_mapping_reads_json_records_as_it_reads_csv_rows() {
    let log = Log::new();
    let records = r#"[
        {"ticket": 7, "subject": "Late parcel", "requester": "Ann Lee", "created": "20.11.2026 09:30", "via": "Mail", "body": null},
        {"ticket": 8, "subject": "Broken mug", "requester": "Bo Chan", "created": "21.11.2026 10:00", "via": "Fax", "body": "It arrived\nin pieces."}
    ]"#;
    std::fs::write(log.path().join("desk.json"), records).unwrap();
    std::fs::write(
        log.path().join("desk.toml"),
        "source = \"desk\"\n\
         date_format = \"%d.%m.%Y %H:%M\"\n\
         [columns]\n\
         id = \"ticket\"\n\
         title = \"subject\"\n\
         summary = [\"body\", \"subject\"]\n\
         customer = \"requester\"\n\
         opened_at = \"created\"\n\
         channel = \"via\"\n\
         [values.channel]\n\
         Mail = \"email\"\n\
         \"*\" = \"other\"\n",
    )
    .unwrap();
    let ids = log
        .run(["import", "desk.json", "--mapping", "desk.toml"])
        .at(IMPORTED_AT)
        .ok();
    let ids: Vec<&str> = ids.lines().collect();
    assert_eq!(ids.len(), 2);
    let late = log.case_json(ids[0]);
    assert_eq!(late["opened_at"], "2026-11-20T09:30:00Z");
    assert_eq!(late["complaint"]["summary"], "Late parcel");
    assert_eq!(late["channel"], "email");
    assert_eq!(
        late["events"].as_array().unwrap().last().unwrap()["source_id"],
        "desk:7"
    );
    let mug = log.case_json(ids[1]);
    assert_eq!(mug["complaint"]["summary"], "It arrived\nin pieces.");
    assert_eq!(mug["channel"], "other");

    let err = log
        .run(["import", "-", "--format", "json", "--mapping", "-"])
        .stdin(records)
        .fails(2);
    assert!(
        err.contains("cannot both come from standard input"),
        "{err}"
    );
}

#[test]
fn the_same_file_imported_several_times_at_once_creates_each_case_once() {
    let log = Log::new();
    copy_example(&log, "cfpb.toml");
    copy_example(&log, "cfpb-sample.csv");
    let outs: Vec<std::process::Output> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..4)
            .map(|_| scope.spawn(|| import(&log, &["cfpb-sample.csv", "--mapping", "cfpb.toml"])))
            .collect();
        workers.into_iter().map(|w| w.join().unwrap()).collect()
    });
    for out in &outs {
        assert!(out.status.success(), "{}", stderr(out));
    }
    let created: usize = outs.iter().map(|o| stdout(o).lines().count()).sum();
    assert_eq!(created, 12, "each row once, whichever import wrote it");
    assert_eq!(case_files(&log).len(), 12);
    assert!(log.run(["check"]).ok().is_empty());
}

/// Opens a case whose file is about 40 KiB: more than the write limit
/// `ulimit -f 16` sets, when a case of a few lines is far less.
fn open_large(log: &Log) -> String {
    let long = "The courier left the parcel at the wrong address again. ".repeat(700);
    log.run([
        "open",
        "--quiet",
        "--title",
        "Parcel lost",
        "--customer",
        "Jon Berg",
        "--summary",
        &long,
    ])
    .at("2026-11-21T09:00:00Z")
    .ok()
    .trim()
    .to_string()
}

#[test]
fn an_import_that_fails_to_write_one_case_writes_none_of_its_new_cases_or_corrections() {
    let log = Log::new();
    let small = log.open(&[]);
    let large = open_large(&log);
    let exported = log.run(["export", "--format", "json"]).ok();
    let rows: Vec<Value> = serde_json::from_str(&exported).unwrap();
    let row_of = |id: &str| rows.iter().find(|r| r["id"] == id).unwrap().clone();
    // Corrections to both cases, the small one first, and a new case.
    let mut corrected_small = row_of(&small);
    corrected_small["title"] = "Refund still not received".into();
    let mut corrected_large = row_of(&large);
    corrected_large["title"] = "Parcel delivered to the wrong address".into();
    let mut new = row_of(&small);
    new["id"] = "T-9001".into();
    new["title"] = "Charged twice".into();
    std::fs::write(
        log.path().join("later.json"),
        serde_json::to_string(&vec![new, corrected_small, corrected_large]).unwrap(),
    )
    .unwrap();
    let before = log.files();

    let out = log
        .run_limited("-f 16", ["import", "later.json", "--update"])
        .at("2026-11-23T10:00:00Z")
        .output();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(3), "a failure of the system: {err}");
    assert_eq!(stdout(&out), "", "no id of a case that was not written");
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    assert!(err.contains(&format!("updating case {large}")), "{err}");
    assert!(err.contains("nothing was imported"), "{err}");
    assert!(err.contains("too large"), "{err}");
    assert_eq!(log.files(), before, "the log is as it was");

    // Nothing but the limit was wrong: without it, the same import lands.
    let out = import(&log, &["later.json", "--update"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out).lines().count(), 1, "the new case");
    assert!(
        stderr(&out).contains("imported 1, updated 2, skipped 0"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        log.case_json(&large)["title"],
        "Parcel delivered to the wrong address"
    );
}

#[test]
fn an_import_of_more_cases_than_files_may_be_open_at_once_lands_whole() {
    let log = Log::new();
    // Ten times the open files allowed below: each case is staged to a
    // temporary file before any lands, and none may stay open meanwhile.
    let rows: Vec<String> = (0..640)
        .map(|n| {
            format!(
                r#"{{"title":"Complaint {n}","customer":"Customer {n}","opened_at":"2026-11-0{}T09:00:00Z","summary":"The parcel {n} never came."}}"#,
                n % 9 + 1
            )
        })
        .collect();
    std::fs::write(
        log.path().join("many.json"),
        format!("[{}]", rows.join(",")),
    )
    .unwrap();
    let out = log
        .run_limited("-n 64", ["import", "many.json"])
        .at(IMPORTED_AT)
        .output();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out).lines().count(), 640);
    let listed = log.run(["list", "--format", "json"]).ok();
    let listed: Vec<Value> = serde_json::from_str(&listed).unwrap();
    assert_eq!(listed.len(), 640);
}

#[test]
fn a_note_about_a_correction_is_said_only_when_the_import_lands() {
    let log = Log::new();
    let small = log.open(&[]);
    // Its last event is days after the import's clock: the correction's
    // event is dated after it, which deserves a note, once written.
    log.run(["note", &small, "Called the customer back"])
        .at("2026-11-28T09:00:00Z")
        .ok();
    let large = open_large(&log);
    let exported = log.run(["export", "--format", "json"]).ok();
    let rows: Vec<Value> = serde_json::from_str(&exported).unwrap();
    let corrected = |id: &str, title: &str| {
        let mut row = rows.iter().find(|r| r["id"] == id).unwrap().clone();
        row["title"] = title.into();
        // Its history from its fields, all of it before the import.
        row.as_object_mut().unwrap().remove("events");
        row
    };
    std::fs::write(
        log.path().join("later.json"),
        serde_json::to_string(&vec![
            corrected(&small, "Refund still not received"),
            corrected(&large, "Parcel delivered to the wrong address"),
        ])
        .unwrap(),
    )
    .unwrap();
    let before = log.files();
    let note = format!("case {small} already had an event at");

    let out = log
        .run_limited("-f 16", ["import", "later.json", "--update"])
        .at("2026-11-23T10:00:00Z")
        .output();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert!(
        !err.contains(&note),
        "nothing was written to speak of: {err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
    assert_eq!(log.files(), before);

    let out = log
        .run(["import", "later.json", "--update"])
        .at("2026-11-23T10:00:00Z")
        .output();
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert!(err.contains(&note), "{err}");
}

#[test]
fn a_csv_row_of_the_wrong_width_is_named_by_its_row_and_the_header_s_width() {
    let log = Log::new();
    let before = log.files();
    let header = "title,customer,summary,opened_at\n";
    let text =
        format!("{header}A,B,C,2026-11-20T10:00:00Z\nA,B,C, with a comma,2026-11-20T10:00:00Z\n");
    std::fs::write(log.path().join("wide.csv"), text).unwrap();
    let err = log.run(["import", "wide.csv"]).at(IMPORTED_AT).fails(2);
    assert!(
        err.contains("row 3: 5 cells where the header has 4 columns"),
        "{err}"
    );
    assert!(err.contains("quote a cell that holds a comma"), "{err}");
    assert!(!err.contains("record"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert_eq!(log.files().len(), before.len() + 1, "only the CSV file");
    let text = format!("{header}A,B,2026-11-20T10:00:00Z\n");
    std::fs::write(log.path().join("narrow.csv"), text).unwrap();
    let err = log.run(["import", "narrow.csv"]).at(IMPORTED_AT).fails(2);
    assert!(
        err.contains("row 2: 3 cells where the header has 4 columns") && !err.contains("quote"),
        "{err}"
    );
}

#[test]
fn a_csv_row_after_blank_lines_or_a_cell_of_several_lines_is_also_named_by_its_line() {
    let log = Log::new();
    let header = "title,customer,summary,opened_at\n";
    let text = format!(
        "{header}\nA,B,C,2026-11-20T10:00:00Z\n\nA,B,\"two\nlines\",2026-11-20T10:00:00Z\nA,B,C,yesterday\n"
    );
    std::fs::write(log.path().join("gaps.csv"), text).unwrap();
    let err = log.run(["import", "gaps.csv"]).at(IMPORTED_AT).fails(2);
    assert!(
        err.contains("gaps.csv: row 4 (line 7): opened_at: 'yesterday' is not a time"),
        "{err}"
    );
    let text = format!("{header}A,B,C,2026-11-20T10:00:00Z\n\n\nA,B,C,D,E\n");
    std::fs::write(log.path().join("wide.csv"), text).unwrap();
    let err = log.run(["import", "wide.csv"]).at(IMPORTED_AT).fails(2);
    assert!(
        err.contains("row 3 (line 5): 5 cells where the header has 4 columns"),
        "{err}"
    );
}

#[test]
fn a_record_whose_case_would_be_too_large_to_read_is_named_by_its_record() {
    let log = Log::new();
    let before = log.files();
    // 70 notes of 1 MB: each within what one text may be, together past
    // the 64 MiB of a case file.
    let note = "word ".repeat(200_000);
    let mut events = vec![serde_json::json!({
        "at": "2026-11-20T09:00:00Z", "action": "opened", "by": "desk"
    })];
    for minute in 0..70 {
        events.push(serde_json::json!({
            "at": format!("2026-11-20T{}:{:02}:00Z", 10 + minute / 60, minute % 60),
            "action": "note", "by": "desk", "text": note,
        }));
    }
    let records = serde_json::json!([
        {"id": "Z-1", "title": "Small", "customer": "A", "summary": "s",
         "opened_at": "2026-11-20T09:00:00Z"},
        {"id": "Z-2", "title": "Huge", "customer": "B", "summary": "s",
         "opened_at": "2026-11-20T09:00:00Z", "events": events},
    ]);
    std::fs::write(log.path().join("huge.json"), records.to_string()).unwrap();
    let err = log.run(["import", "huge.json"]).at(IMPORTED_AT).fails(2);
    assert!(
        err.contains("huge.json: record 2: its case would be larger than 64 MiB"),
        "{err}"
    );
    assert!(err.contains("nothing was imported"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert_eq!(log.files().len(), before.len() + 1, "only the JSON file");
}

#[test]
fn a_file_with_no_cases_says_that_nothing_was_imported() {
    let log = Log::new();
    for (name, text) in [
        ("header.csv", "title,customer,summary,opened_at\n"),
        ("blank.csv", ""),
        ("none.json", "[]"),
    ] {
        std::fs::write(log.path().join(name), text).unwrap();
        let before = log.files();
        let out = import(&log, &[name]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        assert_eq!(stdout(&out), "");
        assert_eq!(
            stderr(&out),
            format!("caselog: {name} holds no cases: nothing was imported\n")
        );
        assert_eq!(log.files(), before);
    }
}

#[test]
fn a_column_every_case_needs_missing_is_said_once_and_nothing_is_written() {
    let log = Log::new();
    let mut own = String::from("title,customer,summary\n");
    let mut raw = String::from("Ticket,Subject,Requester,Created\n");
    for i in 0..300 {
        own.push_str(&format!("T{i},C,S\n"));
        raw.push_str(&format!("{i},T{i},C,2026-11-01\n"));
    }
    std::fs::write(log.path().join("own.csv"), own).unwrap();
    std::fs::write(log.path().join("raw.csv"), raw).unwrap();
    let before = log.files();
    let maps = [
        "--map",
        "Ticket=id",
        "--map",
        "Subject=title",
        "--map",
        "Requester=customer",
        "--map",
        "Created=opened_at",
    ];
    let tries: [(Vec<&str>, &str); 3] = [
        (
            vec!["own.csv"],
            "caselog: reading own.csv: the CSV header has no column opened_at, which every case needs (title, customer, opened_at, summary); nothing was imported",
        ),
        // Every row would fail: --skip-invalid has nothing to import.
        (
            vec!["own.csv", "--skip-invalid"],
            "the CSV header has no column opened_at",
        ),
        (
            [&["raw.csv"][..], &maps[..]].concat(),
            "caselog: reading raw.csv: nothing feeds the import column summary, which every case needs (title, customer, opened_at, summary): map a source column to it in the mapping's [columns], or give --map 'SOURCE COLUMN=summary'; nothing was imported",
        ),
    ];
    for (args, expected) in tries {
        let out = import(&log, &args);
        let said = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {said}");
        assert_eq!(said.lines().count(), 1, "{args:?}: {said}");
        assert!(said.contains(expected), "{args:?}: {said}");
        assert_eq!(log.files(), before, "{args:?}");
    }
}

#[test]
fn rows_without_an_id_imported_again_are_not_made_twice() {
    let log = Log::new();
    let csv = "title,customer,opened_at,summary\nLate,Jo,2026-11-01,It was late.\nBroken,Al,2026-11-02,It broke.\n";
    std::fs::write(log.path().join("plain.csv"), csv).unwrap();
    let first = import(&log, &["plain.csv"]);
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    assert_eq!(stdout(&first).lines().count(), 2);
    let before = log.files();
    let again = import(&log, &["plain.csv"]);
    assert_eq!(again.status.code(), Some(0), "{}", stderr(&again));
    assert_eq!(stdout(&again), "");
    assert!(
        stderr(&again).contains("imported 0, updated 0, skipped 2 imported before"),
        "{}",
        stderr(&again)
    );
    assert_eq!(log.files(), before);
    // A later export whose rows have moved on (a status) is known too.
    let csv = "title,customer,opened_at,summary,status,resolved_at\nLate,Jo,2026-11-01T00:00:00Z,It was late.,resolved,2026-11-03\nBroken,Al,2026-11-02,It broke.,,\n";
    std::fs::write(log.path().join("later.csv"), csv).unwrap();
    let before = log.files();
    let later = import(&log, &["later.csv", "--update"]);
    assert_eq!(later.status.code(), Some(0), "{}", stderr(&later));
    assert_eq!(stdout(&later), "");
    assert_eq!(log.files(), before);
    // A complaint told otherwise is a new one; the same one twice in one
    // file is named.
    let csv = "title,customer,opened_at,summary\nLate,Jo,2026-11-01,It was late.\nLate,Jo,2026-11-01,It was very late.\nLate,Jo,2026-11-01,It was very late.\n";
    std::fs::write(log.path().join("changed.csv"), csv).unwrap();
    let before = log.files();
    let out = import(&log, &["changed.csv"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains(
            "changed.csv: row 4: it has the title, customer, opened_at and summary of row 3"
        ),
        "{}",
        stderr(&out)
    );
    assert_eq!(log.files(), before);
    let out = import(&log, &["changed.csv", "--skip-invalid"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert_eq!(stdout(&out).lines().count(), 1, "{}", stderr(&out));
}

#[test]
fn a_file_that_is_not_utf8_is_named_with_its_line_and_how_to_save_it() {
    let log = Log::new();
    let mut utf16 = vec![0xFF, 0xFE];
    for unit in "title,customer,opened_at,summary\nT,C,2026-11-01,S\n".encode_utf16() {
        utf16.extend_from_slice(&unit.to_le_bytes());
    }
    std::fs::write(log.path().join("utf16.csv"), utf16).unwrap();
    std::fs::write(
        log.path().join("latin1.csv"),
        b"title,customer,opened_at,summary\nT,Bj\xf6rn,2026-11-01,S\n",
    )
    .unwrap();
    let before = log.files();
    for (name, expected) in [
        (
            "utf16.csv",
            "caselog: utf16.csv is UTF-16 text, which caselog does not read; save it as UTF-8",
        ),
        (
            "latin1.csv",
            "caselog: latin1.csv: line 2, column 5: byte 0xF6 is not UTF-8 (the file may be Latin-1 or Windows-1252); save it as UTF-8",
        ),
    ] {
        let out = import(&log, &[name]);
        let said = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{said}");
        assert_eq!(said.lines().count(), 1, "{said}");
        assert!(said.starts_with(expected), "{said}");
        assert_eq!(log.files(), before);
    }
}

#[test]
fn utf16_without_a_byte_order_mark_and_standard_input_are_named_as_a_file_is() {
    let log = Log::new();
    let text = "title,customer,opened_at,summary\nT,Bj\u{f6}rn,2026-11-01,S\n";
    let utf16 = |big_endian: bool| -> Vec<u8> {
        text.encode_utf16()
            .flat_map(|unit| {
                if big_endian {
                    unit.to_be_bytes()
                } else {
                    unit.to_le_bytes()
                }
            })
            .collect()
    };
    // Plain ASCII in UTF-16 is valid UTF-8, every other byte a NUL.
    let ascii: Vec<u8> = "title,customer\n"
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    std::fs::write(log.path().join("le.csv"), utf16(false)).unwrap();
    std::fs::write(log.path().join("be.csv"), utf16(true)).unwrap();
    std::fs::write(log.path().join("ascii.csv"), &ascii).unwrap();
    let before = log.files();
    for name in ["le.csv", "be.csv", "ascii.csv"] {
        let out = import(&log, &[name]);
        let said = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{said}");
        assert!(
            said.starts_with(&format!(
                "caselog: {name} is UTF-16 text, which caselog does not read; save it as UTF-8"
            )),
            "{said}"
        );
    }
    let mut with_bom = vec![0xFF, 0xFE];
    with_bom.extend(utf16(false));
    for (bytes, expected) in [
        (
            with_bom,
            "caselog: - is UTF-16 text, which caselog does not read",
        ),
        (
            ascii,
            "caselog: - is UTF-16 text, which caselog does not read",
        ),
        (
            b"title,customer,opened_at,summary\nT,Bj\xf6rn,2026-11-01,S\n".to_vec(),
            "caselog: -: line 2, column 5: byte 0xF6 is not UTF-8 (the file may be Latin-1 or Windows-1252); save it as UTF-8",
        ),
    ] {
        let said = log
            .run(["import", "-", "--format", "csv"])
            .stdin(bytes)
            .at(IMPORTED_AT)
            .fails(2);
        assert_eq!(said.lines().count(), 1, "{said}");
        assert!(said.starts_with(expected), "{said}");
    }
    assert_eq!(log.files(), before);
}

#[test]
fn a_mapped_record_s_number_that_may_not_be_as_written_is_refused_in_a_column_the_mapping_reads() {
    let log = Log::new();
    std::fs::write(
        log.path().join("desk.toml"),
        "source = \"desk\"\nignore = [\"Score\"]\n[columns]\nid = \"Ticket\"\ntitle = \"Subject\"\ncustomer = \"Who\"\nopened_at = \"When\"\nsummary = \"Text\"\ncontact = \"Phone\"\nreference = \"Order\"\n",
    )
    .unwrap();
    let yaml = |phone: &str, order: &str| {
        format!(
            "- Ticket: 7\n  Subject: Late\n  Who: Jo\n  When: 2026-11-01\n  Text: Body\n  Phone: {phone}\n  Order: {order}\n  Score: 1.50\n"
        )
    };
    std::fs::write(log.path().join("phone.yaml"), yaml("+4420794600", "A-1")).unwrap();
    std::fs::write(
        log.path().join("order.json"),
        r#"[{"Ticket": 7, "Subject": "Late", "Who": "Jo", "When": "2026-11-01", "Text": "Body",
            "Phone": "+4420794600", "Order": 1.50, "Score": 1.50}]"#,
    )
    .unwrap();
    let before = log.files();
    for (name, expected) in [
        (
            "phone.yaml",
            "phone.yaml: record 1: column 'Phone': YAML read as the number 4420794600",
        ),
        (
            "order.json",
            "order.json: record 1: column 'Order': JSON read as the number 1.5",
        ),
    ] {
        let out = import(&log, &[name, "--mapping", "desk.toml"]);
        let said = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{said}");
        assert!(said.contains(expected), "{said}");
        assert!(said.contains("put it in quotes"), "{said}");
    }
    assert_eq!(log.files(), before);
    // Quoted, the phone is kept as written; the ignored column may hold
    // any number, and so may the id, which only tells the row again.
    std::fs::write(
        log.path().join("quoted.yaml"),
        yaml("'+4420794600'", "'0012'"),
    )
    .unwrap();
    let out = import(&log, &["quoted.yaml", "--mapping", "desk.toml"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let case = log.case_json(stdout(&out).trim());
    assert_eq!(case["customer"]["contact"], "+4420794600", "{case}");
    assert_eq!(case["customer"]["reference"], "0012", "{case}");
    let imported = case["events"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(imported["source_id"], "desk:7", "{imported}");
}

#[test]
fn a_mapped_record_s_list_becomes_tags_and_a_table_or_other_list_is_refused_not_written_as_json() {
    let log = Log::new();
    let maps = [
        "--map",
        "Ticket=id",
        "--map",
        "Subject=title",
        "--map",
        "Who=customer",
        "--map",
        "When=opened_at",
        "--map",
        "Text=summary",
        "--map",
        "Tags=tags",
    ];
    let record = |who: &str, tags: &str| {
        format!(
            r#"[{{"Ticket": 7, "Subject": "Late", "Who": {who}, "When": "2026-11-01", "Text": "Body", "Tags": {tags}}}]"#
        )
    };
    std::fs::write(
        log.path().join("table.json"),
        record(
            r#"{"name": "Jo", "email": "jo@example.com"}"#,
            r#"["refund"]"#,
        ),
    )
    .unwrap();
    std::fs::write(
        log.path().join("list.json"),
        record(r#"["Jo"]"#, r#"["refund"]"#),
    )
    .unwrap();
    std::fs::write(
        log.path().join("mixed.json"),
        record(r#""Jo""#, r#"["refund", 2]"#),
    )
    .unwrap();
    std::fs::write(
        log.path().join("tags.json"),
        record(r#""Jo""#, r#"["refund", "late"]"#),
    )
    .unwrap();
    let before = log.files();
    for (name, expected) in [
        (
            "table.json",
            "table.json: record 1: column 'Who' holds a table of fields (name, email), not text",
        ),
        (
            "list.json",
            "list.json: record 1: column 'Who' holds a list, which only tags takes",
        ),
        (
            "mixed.json",
            "mixed.json: record 1: column 'Tags' holds a list of more than texts",
        ),
    ] {
        let mut args = vec![name];
        args.extend_from_slice(&maps);
        let out = import(&log, &args);
        let said = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{said}");
        assert!(said.contains(expected), "{said}");
    }
    assert_eq!(log.files(), before);
    let mut args = vec!["tags.json"];
    args.extend_from_slice(&maps);
    let out = import(&log, &args);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let case = log.case_json(stdout(&out).trim());
    assert_eq!(
        case["tags"],
        serde_json::json!(["refund", "late"]),
        "{case}"
    );
}

#[test]
fn a_quoted_cell_going_on_after_its_closing_quote_is_refused_not_read_without_its_quotes() {
    let log = Log::new();
    // A writer that quotes every cell but doubles no quote inside one.
    std::fs::write(
        log.path().join("naive.csv"),
        "title,customer,opened_at,summary\n\"T\",\"B\",\"2026-11-01\",\"He said \"hi\" to me\"\n",
    )
    .unwrap();
    // Further down, after a blank line and a cell of two lines.
    std::fs::write(
        log.path().join("later.csv"),
        "title,customer,opened_at,summary\nA,B,2026-11-01,S\n\n\"T\",B,2026-11-01,\"two\nlines\"\nU,\"Bo\"b,2026-11-01,S\n",
    )
    .unwrap();
    std::fs::write(
        log.path().join("mapped.csv"),
        "Subject,Who,When,Text\nT,B,2026-11-01,\"It \"broke\" again\"\n",
    )
    .unwrap();
    let before = log.files();
    for (args, expected) in [
        (
            vec!["naive.csv"],
            "naive.csv: row 2: a quoted cell goes on after its closing quote",
        ),
        (
            vec!["later.csv"],
            "later.csv: row 4 (line 6): a quoted cell goes on after its closing quote",
        ),
        (
            vec![
                "mapped.csv",
                "--map",
                "Subject=title",
                "--map",
                "Who=customer",
                "--map",
                "When=opened_at",
                "--map",
                "Text=summary",
            ],
            "mapped.csv: row 2: a quoted cell goes on after its closing quote",
        ),
    ] {
        let out = import(&log, &args);
        let said = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{said}");
        assert_eq!(said.lines().count(), 1, "{said}");
        assert!(said.contains(expected), "{said}");
    }
    assert_eq!(log.files(), before);
    // Quotes doubled inside a quoted cell, and blanks after one, are fine.
    std::fs::write(
        log.path().join("fine.csv"),
        "title,customer,opened_at,summary\r\n\"T\" ,B,2026-11-01,\"He said \"\"hi\"\" to me\"\r\n",
    )
    .unwrap();
    let out = import(&log, &["fine.csv"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let case = log.case_json(stdout(&out).trim());
    assert_eq!(
        case["complaint"]["summary"], "He said \"hi\" to me",
        "{case}"
    );
}

#[test]
fn excel_s_first_line_naming_the_delimiter_is_no_header() {
    let log = Log::new();
    std::fs::write(
        log.path().join("comma.csv"),
        "sep=,\r\ntitle,customer,opened_at,summary\r\nT,B,2026-11-01,S\r\nU,,2026-11-01,S\r\n",
    )
    .unwrap();
    std::fs::write(
        log.path().join("semicolon.csv"),
        "sep=;\ntitle;customer;opened_at;summary\nT;B;2026-11-01;S\n",
    )
    .unwrap();
    std::fs::write(
        log.path().join("tab.csv"),
        "sep=\t\ntitle\tcustomer\topened_at\tsummary\nT\tB\t2026-11-01\tS\n",
    )
    .unwrap();
    let before = log.files();
    // Its rows are numbered as the spreadsheet shows them, and lines as
    // the file has them.
    let out = import(&log, &["comma.csv"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).starts_with("caselog: comma.csv: row 3 (line 4): customer is missing"),
        "{}",
        stderr(&out)
    );
    for name in ["semicolon.csv", "tab.csv"] {
        let out = import(&log, &[name]);
        let said = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{said}");
        assert!(said.contains("first line, 'sep="), "{said}");
        assert!(
            said.contains("caselog reads CSV separated by commas"),
            "{said}"
        );
    }
    assert_eq!(log.files(), before);
    let out = import(&log, &["comma.csv", "--skip-invalid"]);
    assert_eq!(stdout(&out).lines().count(), 1, "{}", stderr(&out));
}

#[test]
fn a_csv_row_of_empty_cells_is_passed_over_as_a_blank_line_is() {
    let log = Log::new();
    std::fs::write(
        log.path().join("cleared.csv"),
        "title,customer,opened_at,summary\nT,B,2026-11-01,S\n,,,\n , ,\"\",\nU,,2026-11-01,S\n,,,\n",
    )
    .unwrap();
    std::fs::write(
        log.path().join("mapped.csv"),
        "Subject,Who,When,Text\nT,B,2026-11-01,S\n,,,\n",
    )
    .unwrap();
    let before = log.files();
    // The rows after it keep the numbers the spreadsheet shows.
    let out = import(&log, &["cleared.csv"]);
    let said = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{said}");
    assert!(
        said.starts_with("caselog: cleared.csv: row 5: customer is missing (1 of 2 rows invalid"),
        "{said}"
    );
    assert_eq!(log.files(), before);
    let out = import(
        &log,
        &[
            "mapped.csv",
            "--map",
            "Subject=title",
            "--map",
            "Who=customer",
            "--map",
            "When=opened_at",
            "--map",
            "Text=summary",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stdout(&out).lines().count(), 1);
}

#[test]
fn a_time_in_a_gap_of_the_clocks_is_said_to_be_one_not_unreadable() {
    let log = Log::new();
    let settings = log.path().join("caselog.toml");
    let mut text = std::fs::read_to_string(&settings).unwrap();
    text.push_str("timezone = \"America/New_York\"\n");
    std::fs::write(&settings, text).unwrap();
    std::fs::write(
        log.path().join("spring.csv"),
        "title,customer,opened_at,summary\nT,C,2026-03-08 02:30,S\n",
    )
    .unwrap();
    let before = log.files();
    let out = import(&log, &["spring.csv", "--date-format", "%m/%d/%Y %H:%M"]);
    let said = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{said}");
    assert!(
        said.contains("spring.csv: row 2: opened_at: '2026-03-08 02:30' matches no date format given (%m/%d/%Y %H:%M), and as caselog reads times: '2026-03-08 02:30': 2026-03-08 02:30 does not exist in America/New_York"),
        "{said}"
    );
    assert_eq!(log.files(), before);
}

#[test]
fn a_column_with_no_name_is_passed_over_while_it_holds_nothing() {
    let log = Log::new();
    // Spreadsheets often end every line with a delimiter.
    let own = "title,customer,opened_at,summary,\nT,C,2026-11-01,S,\nU,D,2026-11-02,R, \n";
    std::fs::write(log.path().join("own.csv"), own).unwrap();
    let out = import(&log, &["own.csv"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stdout(&out).lines().count(), 2);
    let raw = "Ticket,Subject,Requester,Created,Text,\n7,T,C,2026-11-01,S,\n";
    std::fs::write(log.path().join("raw.csv"), raw).unwrap();
    let out = import(
        &log,
        &[
            "raw.csv",
            "--map",
            "Ticket=id",
            "--map",
            "Subject=title",
            "--map",
            "Requester=customer",
            "--map",
            "Created=opened_at",
            "--map",
            "Text=summary",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stdout(&out).lines().count(), 1);
    // A cell with no column name to say where it belongs is refused.
    let held = "title,customer,opened_at,summary,\nT,C,2026-11-03,S,\nU,D,2026-11-04,R,stray\n";
    std::fs::write(log.path().join("held.csv"), held).unwrap();
    let before = log.files();
    let out = import(&log, &["held.csv"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        "caselog: reading held.csv: row 3: column 5 has no name in the header but holds 'stray' here; name the column or empty it\n"
    );
    assert_eq!(log.files(), before);
}

#[test]
fn a_csv_separated_by_semicolons_or_tabs_is_named_as_such() {
    let log = Log::new();
    std::fs::write(
        log.path().join("semi.csv"),
        "title;customer;opened_at;summary\nT;C;2026-11-01;S\n",
    )
    .unwrap();
    std::fs::write(log.path().join("tabs.csv"), "Ticket\tSubject\n7\tT\n").unwrap();
    let before = log.files();
    for (args, name) in [
        (vec!["semi.csv"], "semicolons"),
        (vec!["tabs.csv", "--map", "Ticket=id"], "tabs"),
    ] {
        let out = import(&log, &args);
        let said = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{said}");
        assert!(
            said.contains(&format!("the CSV header is one column, with {name} between its names: caselog reads CSV separated by commas")),
            "{said}"
        );
        assert_eq!(said.lines().count(), 1, "{said}");
    }
    assert_eq!(log.files(), before);
}

#[test]
fn a_quote_never_closed_is_named_by_the_row_it_opens_in() {
    let log = Log::new();
    let csv = "title,customer,opened_at,summary\nT,C,2026-11-01,S\n\"U,D,2026-11-02,R\nV,E,2026-11-03,Q\n";
    std::fs::write(log.path().join("open.csv"), csv).unwrap();
    let before = log.files();
    let out = import(&log, &["open.csv"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        "caselog: reading open.csv: row 3: a cell opens a quote (\") that is never closed, so the rest of the file was read as that one cell; close the quote, or double a quote inside a quoted cell (\"\")\n"
    );
    assert_eq!(log.files(), before);
    // A row that is only short is said to be short.
    let csv = "title,customer,opened_at,summary\nT,C,2026-11-01,S\nU,D\n";
    std::fs::write(log.path().join("short.csv"), csv).unwrap();
    let out = import(&log, &["short.csv"]);
    assert!(
        stderr(&out).contains("row 3: 2 cells where the header has 4 columns"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_quote_never_closed_in_the_last_column_does_not_swallow_the_rows_after_it() {
    let log = Log::new();
    // Row 3's summary opens a quote: the csv reader takes row 4 into it,
    // and the cell count still fits.
    let csv = "title,customer,opened_at,summary\nT,C,2026-11-01,S\nU,D,2026-11-02,\"R\nV,E,2026-11-03,Q\n";
    std::fs::write(log.path().join("open.csv"), csv).unwrap();
    let raw = "Subject,Requester,Created,Text\nU,D,2026-11-02,\"R\nV,E,2026-11-03,Q\n";
    std::fs::write(log.path().join("raw.csv"), raw).unwrap();
    // A cell of several lines, closed, is no mistake.
    let fine = "title,customer,opened_at,summary\nT,C,2026-11-01,\"S\non two lines\"\n";
    std::fs::write(log.path().join("fine.csv"), fine).unwrap();
    let before = log.files();
    let out = import(&log, &["open.csv"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out)
            .contains("reading open.csv: row 3: a cell opens a quote (\") that is never closed"),
        "{}",
        stderr(&out)
    );
    let maps = [
        "--map",
        "Subject=title",
        "--map",
        "Requester=customer",
        "--map",
        "Created=opened_at",
        "--map",
        "Text=summary",
    ];
    let out = import(&log, &[&["raw.csv"][..], &maps[..]].concat());
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out)
            .contains("reading raw.csv: row 2: a cell opens a quote (\") that is never closed"),
        "{}",
        stderr(&out)
    );
    assert_eq!(log.files(), before);
    let out = import(&log, &["fine.csv"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn a_record_giving_one_field_twice_is_refused_with_its_line_and_nothing_is_written() {
    let log = Log::new();
    let before = log.files();
    // caselog's own columns, a mapped export, an `events` cell holding
    // JSON, and YAML: each a place a hand edit can repeat a key.
    let own = "[\n{\"title\": \"Late parcel\", \"customer\": \"Ann Lee\",\n\"customer\": \"Bo Chan\", \"summary\": \"Late\", \"opened_at\": \"2026-11-20T09:30:00Z\", \"channel\": \"email\"}\n]";
    let mapped = "[{\"ticket\": 7, \"subject\": \"Late\",\n \"subject\": \"Early\"}]";
    let events_cell = "title,customer,summary,opened_at,channel,events\n\
        Late,Ann Lee,Late,2026-11-20T09:30:00Z,email,\"[{\"\"at\"\": \"\"2026-11-20T09:30:00Z\"\", \"\"at\"\": \"\"2026-11-21T09:30:00Z\"\"}]\"\n";
    let yaml = "- title: Late parcel\n  customer: Ann Lee\n  customer: Bo Chan\n";
    std::fs::write(log.path().join("own.json"), own).unwrap();
    std::fs::write(log.path().join("mapped.json"), mapped).unwrap();
    std::fs::write(log.path().join("cell.csv"), events_cell).unwrap();
    std::fs::write(log.path().join("own.yaml"), yaml).unwrap();
    std::fs::write(
        log.path().join("desk.toml"),
        "source = \"desk\"\n[columns]\nid = \"ticket\"\ntitle = \"subject\"\n",
    )
    .unwrap();
    for (args, said) in [
        (&["import", "own.json"][..], "line 3"),
        (
            &["import", "mapped.json", "--mapping", "desk.toml"][..],
            "line 2",
        ),
        (&["import", "cell.csv"][..], "\"at\" is given twice"),
        (&["import", "own.yaml"][..], "\"customer\" is given twice"),
    ] {
        let err = log.run(args).at(IMPORTED_AT).fails(2);
        assert!(err.contains(said), "{args:?}: {err}");
        assert!(
            err.contains("twice") || err.contains("duplicate"),
            "{args:?}: {err}"
        );
        assert_eq!(err.trim().lines().count(), 1, "{args:?}: {err}");
    }
    let mut after = log.files();
    for name in [
        "own.json",
        "mapped.json",
        "cell.csv",
        "own.yaml",
        "desk.toml",
    ] {
        after.remove(&log.path().join(name));
    }
    assert_eq!(
        after.keys().collect::<Vec<_>>(),
        before.keys().collect::<Vec<_>>()
    );
}

#[test]
fn tags_are_trimmed_and_kept_once_from_a_json_list_as_from_a_csv_cell() {
    let log = Log::new();
    let record = |tags: &str| {
        format!(
            "[{{\"title\": \"Late\", \"customer\": \"Ann\", \"summary\": \"Late\", \"opened_at\": \"2026-11-20T09:30:00Z\", \"channel\": \"email\", \"tags\": {tags}}}]"
        )
    };
    std::fs::write(
        log.path().join("tags.json"),
        record(r#"[" post ", "post", "glass\t", ""]"#),
    )
    .unwrap();
    let id = log.run(["import", "tags.json"]).at(IMPORTED_AT).ok();
    let case = log.case_json(id.trim());
    assert_eq!(case["tags"], serde_json::json!(["post", "glass"]));
    assert_eq!(log.run(["check"]).ok(), "");
}
