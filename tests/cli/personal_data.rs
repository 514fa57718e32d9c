//! Personal data has a lifecycle: no card numbers stored, everything held
//! about a person handed over (`export --customer`), erased on request
//! (`redact`, and purged from git history), erased when retention ends,
//! and shared only under pseudonyms.

use std::path::Path;

use crate::harness::Log;
use crate::merge::git_ok;

const CARD: &str = "4111 1111 1111 1111";
const MASKED: &str = "**** **** **** 1111";

/// Maria's three complaints (by name, contact and reference), each closed,
/// with notes and a resolution in her words; and Leo's one. Returns
/// Maria's ids and Leo's.
fn maria_and_leo(log: &Log) -> (Vec<String>, String) {
    let mut maria = Vec::new();
    for (n, extra) in [
        &["--contact", "maria@example.com", "--reference", "A-1001"][..],
        &["--contact", "maria@example.com"][..],
        &["--reference", "A-1001", "--preferred-contact", "phone"][..],
    ]
    .into_iter()
    .enumerate()
    {
        let mut args = vec![
            "open",
            "--quiet",
            "--title",
            "Marias grinder is broken",
            "--customer",
            "Maria López",
            "--category",
            "product",
            "--wants",
            "Maria wants a refund",
            "--summary",
            "Maria says the grinder from order A-1001 squeaks.",
        ];
        args.extend_from_slice(extra);
        let at = format!("2026-11-0{}T09:00:00Z", n + 1);
        let id = log.run(args).at(&at).ok().trim().to_string();
        log.run(["note", &id, "--kind", "reply", "Called Maria back."])
            .at(&format!("2026-11-0{}T10:00:00Z", n + 1))
            .ok();
        log.run([
            "resolve",
            &id,
            "--summary",
            "Refunded Maria by bank transfer.",
            "--outcome",
            "upheld",
            "--root-cause",
            "Faulty batch",
            "--redress",
            "Voucher for Maria",
        ])
        .at(&format!("2026-11-0{}T12:00:00Z", n + 1))
        .ok();
        log.run([
            "follow-up",
            &id,
            "--done",
            "--satisfied",
            "yes",
            "Maria is happy.",
        ])
        .at(&format!("2026-11-0{}T12:00:00Z", n + 3))
        .ok();
        maria.push(id);
    }
    let leo = log
        .run([
            "open",
            "--quiet",
            "--title",
            "Late parcel",
            "--customer",
            "Leo Martin",
            "--contact",
            "leo@example.com",
            "--summary",
            "My parcel is late.",
        ])
        .at("2026-11-10T09:00:00Z")
        .ok()
        .trim()
        .to_string();
    (maria, leo)
}

/// Every byte of every file below `dir` (the work folder and the lock
/// too), as text, for grepping the tree.
fn tree_text(dir: &Path) -> String {
    let mut all = String::new();
    for entry in walkdir::WalkDir::new(dir).into_iter().flatten() {
        if entry.file_type().is_file()
            && !entry.path().components().any(|c| c.as_os_str() == ".git")
        {
            all.push_str(&String::from_utf8_lossy(
                &std::fs::read(entry.path()).unwrap(),
            ));
        }
    }
    all
}

/// The report's numbers, without the repeat customers (which a redaction
/// is meant to change).
fn report_numbers(log: &Log) -> serde_json::Value {
    let out = log
        .run(["report", "--format", "json", "--by", "category"])
        .ok();
    let mut report: serde_json::Value = serde_json::from_str(&out).unwrap();
    report["learning"]
        .as_object_mut()
        .map(|t| t.remove("repeat_customers"));
    report
}

#[test]
fn open_annotate_edit_and_resolve_refuse_a_card_number_and_write_nothing() {
    let log = Log::new();
    let id = log.open(&[]);
    let before = log.files();
    let summary = format!("I paid with {CARD} twice.");
    let attempts: Vec<(Vec<&str>, &str)> = vec![
        (
            vec![
                "open",
                "--title",
                "Twice",
                "--customer",
                "Jo",
                "--summary",
                &summary,
            ],
            "the complaint summary holds what looks like a payment card number at character 13",
        ),
        (
            vec!["note", &id, "Card 4111-1111-1111-1111 declined"],
            "the note holds what looks like a payment card number at character 6",
        ),
        (
            vec!["edit", &id, "--wants", "Refund to 4111111111111111"],
            "what the customer wants holds what looks like a payment card number",
        ),
        (
            vec!["resolve", &id, "--summary", &summary],
            "the resolution summary holds what looks like a payment card number",
        ),
        (vec!["wait", &id, "--reason", &summary], "the reason holds"),
    ];
    for (args, message) in attempts {
        let stderr = log.run(&args).fails(2);
        assert!(stderr.contains(message), "{args:?}: {stderr}");
        assert!(
            stderr.contains(&format!(
                "write it masked ({MASKED}), or pass --allow-card-like-number"
            )),
            "{stderr}"
        );
        assert!(
            !stderr.contains("4111 1111"),
            "the number is never echoed: {stderr}"
        );
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert_eq!(log.files(), before, "{args:?} wrote something");
    }
}

#[test]
fn a_known_false_positive_is_let_through_and_recorded_on_the_event() {
    let log = Log::new();
    let id = log.open(&[]);
    log.run([
        "note",
        &id,
        "Tracking number 4111111111111111 (the courier's, not a card).",
        "--allow-card-like-number",
    ])
    .ok();
    let text = log.case_text(&id);
    assert!(
        text.contains(&format!(
            "allowed_card_like_numbers = [\n    \"{MASKED}\",\n]\n"
        )),
        "{text}"
    );
    // `check` accepts what was allowed, and later changes are not blocked.
    assert_eq!(log.run(["check"]).ok(), "");
    log.run(["note", &id, "Chased the courier."]).ok();
}

#[test]
fn import_refuses_a_row_with_a_card_number_and_imports_nothing() {
    let log = Log::new();
    let file = log.path().join("desk.csv");
    std::fs::write(
        &file,
        format!(
            "title,customer,opened_at,summary\nFine,Jo,2026-11-01T09:00:00Z,All good\nCard,Al,2026-11-02T09:00:00Z,Paid by {CARD}\n"
        ),
    )
    .unwrap();
    let before = log.files();
    let stderr = log.run(["import", "desk.csv"]).fails(2);
    assert!(
        stderr.contains("desk.csv: row 3: the complaint summary holds what looks like a payment card number at character 9"),
        "{stderr}"
    );
    assert_eq!(log.files(), before);
    let out = log
        .run(["import", "desk.csv", "--allow-card-like-number"])
        .ok();
    assert_eq!(out.lines().count(), 2);
}

#[test]
fn check_reports_a_card_number_in_the_log_with_file_and_line() {
    let log = Log::new();
    let id = log.open(&[]);
    let path = log.case_path(&id);
    let text = std::fs::read_to_string(&path).unwrap();
    let text = text.replace(
        "was promised a refund.",
        &format!("was promised a refund.\\nCard: {CARD}"),
    );
    std::fs::write(&path, &text).unwrap();
    let line = text.lines().position(|l| l.contains(CARD)).unwrap() + 1;
    let out = log.run(["check"]).output();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        stdout,
        format!(
            "cases/{}/{}/{id}.toml:{line}: a likely payment card number ({MASKED}), which must never be stored: replace it with that masked form, and purge it from git history if it was committed\n",
            &id[0..4],
            &id[4..6]
        )
    );
    assert!(!stdout.contains(CARD));
    let github = log.run(["check", "--format", "github"]).output();
    assert!(String::from_utf8_lossy(&github.stdout).starts_with("::error file="));
}

#[test]
fn export_customer_hands_over_exactly_that_person_s_cases_and_says_what_matched() {
    let log = Log::new();
    let (maria, _) = maria_and_leo(&log);
    // Someone else whose address holds hers.
    let anna = log
        .run([
            "open",
            "--quiet",
            "--title",
            "Late",
            "--customer",
            "Anna Schmidt",
            "--contact",
            "anna.maria@example.com",
            "--summary",
            "Late.",
        ])
        .ok();
    let anna = anna.trim();
    let out = log
        .run(["export", "--customer", "maria@example.com"])
        .output();
    assert!(out.status.success());
    let rows: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(
        rows[0]["events"].as_array().unwrap().len(),
        6,
        "{:?}",
        rows[0]
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        format!(
            "caselog: 2 cases matched --customer 'maria@example.com' (name, contact or reference, however typed): exactly on contact 'maria@example.com' in 2\n\
             caselog: left out 1 that only hold it in part: {anna} (contact 'anna.maria@example.com'); if one is the same person, export again with its exact value\n"
        )
    );
    assert!(!String::from_utf8_lossy(&out.stdout).contains("Anna"));
    let out = log
        .run(["export", "--customer", "MARIA", "--format", "csv"])
        .output();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.starts_with("caselog: 0 cases matched --customer 'MARIA'"),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!(
            "caselog: left out 4 that only hold it in part: {} (name 'Maria López', contact 'maria@example.com')",
            maria[0]
        )),
        "{stderr}"
    );
    assert!(!String::from_utf8_lossy(&out.stdout).contains("Maria López"));
    let out = log
        .run(["export", "--customer", "MARIA  LÓPEZ", "--format", "csv"])
        .output();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout)
            .matches("Maria López")
            .count(),
        3
    );
}

#[test]
fn redacting_a_customer_leaves_no_byte_of_them_and_the_report_s_numbers_alone() {
    let log = Log::new();
    let (maria, leo) = maria_and_leo(&log);
    let report_before = report_numbers(&log);
    let repeat_before = log.run(["report", "--format", "json"]).ok();
    assert!(repeat_before.contains("A-1001"), "{repeat_before}");
    let out = log
        .run([
            "redact",
            "--customer",
            "  maria lópez ",
            "--reason",
            "erasure request of 2026-11-20",
        ])
        .at("2026-11-23T10:00:00Z")
        .ok();
    for id in &maria {
        assert!(out.contains(&format!("{id}: redacted customer, ")), "{out}");
    }
    assert!(
        out.contains("These cases name no customer any more"),
        "{out}"
    );
    assert!(out.contains("not in git"), "{out}");
    let tree = tree_text(log.path());
    for personal in [
        "Maria",
        "María",
        "López",
        "maria@example.com",
        "A-1001",
        "grinder",
        "squeaks",
        "refund",
        "Called",
        "bank transfer",
        "Voucher",
        "happy",
        "phone",
    ] {
        assert!(!tree.contains(personal), "{personal} is still in the tree");
    }
    // Leo is untouched; Maria's cases keep what reports need.
    assert!(log.case_text(&leo).contains("Leo Martin"));
    let text = log.case_text(&maria[0]);
    for kept in [
        "category = \"product\"",
        "root_cause = \"Faulty batch\"",
        "outcome = \"upheld\"",
        "status = \"closed\"",
    ] {
        assert!(text.contains(kept), "{kept}: {text}");
    }
    assert!(text.contains("name = \"[redacted 2026-11-23]\""), "{text}");
    assert!(
        text.contains("action = \"redacted\"\nfields = [\n    \"customer\","),
        "{text}"
    );
    assert!(
        text.contains("text = \"erasure request of 2026-11-20\""),
        "{text}"
    );
    assert_eq!(report_numbers(&log), report_before);
    let repeat_after = log.run(["report", "--format", "json"]).ok();
    assert!(!repeat_after.contains("redacted"), "{repeat_after}");
    assert_eq!(log.run(["check"]).at("2026-11-23T10:00:00Z").ok(), "");
    log.run(["due", "--all"]).ok();
    // Repeat-customer matching finds nobody among them.
    let stderr = String::from_utf8(
        log.run([
            "open",
            "--title",
            "Again",
            "--customer",
            "[redacted 2026-11-23]",
            "--contact",
            "[redacted 2026-11-23]",
            "--summary",
            "Again.",
        ])
        .output()
        .stderr,
    )
    .unwrap();
    assert!(!stderr.contains("complained before"), "{stderr}");
}

#[test]
fn redacting_twice_changes_no_byte() {
    let log = Log::new();
    let (maria, _) = maria_and_leo(&log);
    log.run(["redact", &maria[0], "--reason", "erasure request"])
        .at("2026-11-23T10:00:00Z")
        .ok();
    let before = log.files();
    let out = log
        .run(["redact", &maria[0], "--reason", "erasure request"])
        .at("2026-11-24T10:00:00Z")
        .ok();
    assert_eq!(out, format!("{}: nothing left to redact\n", maria[0]));
    assert_eq!(log.files(), before);
}

/// A redaction of several cases is one change: one case it may not
/// change (made read-only, a legal hold) leaves every case as it was,
/// not the ones before it redacted under a message that nothing was
/// written.
#[test]
fn a_redaction_refused_for_one_case_redacts_none() {
    let log = Log::new();
    let (maria, _) = maria_and_leo(&log);
    let held = log.case_path(&maria[2]);
    let mut permissions = std::fs::metadata(&held).unwrap().permissions();
    permissions.set_readonly(true);
    std::fs::set_permissions(&held, permissions).unwrap();
    let before = log.files();
    let stderr = log
        .run([
            "redact",
            &maria[0],
            &maria[1],
            &maria[2],
            "--reason",
            "erasure request",
        ])
        .at("2026-11-23T10:00:00Z")
        .fails(2);
    assert!(
        stderr.contains(&format!("{}.toml is read-only", maria[2]))
            && stderr.contains("nothing was written"),
        "{stderr}"
    );
    assert_eq!(log.files(), before);
    assert!(log.case_text(&maria[0]).contains("Maria"));
}

#[test]
fn redacting_a_case_not_closed_needs_force_and_the_reason_names_nobody() {
    let log = Log::new();
    let id = log.open(&["--contact", "maria@example.com"]);
    let before = log.files();
    let stderr = log
        .run(["redact", &id, "--reason", "erasure request"])
        .fails(2);
    assert!(stderr.contains(&format!("{id} (open)")), "{stderr}");
    assert!(stderr.contains("give --force"), "{stderr}");
    let stderr = log.run(["redact", &id, "--force"]).fails(2);
    assert!(stderr.contains("give --reason"), "{stderr}");
    for named in [
        "Maria López asked",
        "erasure request from Maria (phone call)",
        "LÓPEZ asked by phone",
        "asked by maria@example.com",
    ] {
        let stderr = log
            .run(["redact", &id, "--force", "--reason", named])
            .fails(2);
        assert!(
            stderr.contains("the reason holds the customer's"),
            "{named}: {stderr}"
        );
    }

    let stderr = log
        .run(["redact", "--customer", "mar", "--reason", "erasure request"])
        .fails(2);
    assert!(
        stderr
            .contains("no case's customer name, contact or reference is 'mar' (1 hold it in part"),
        "{stderr}"
    );
    assert_eq!(log.files(), before);
    log.run(["redact", &id, "--force", "--reason", "erasure request"])
        .ok();
    assert_eq!(log.run(["check"]).ok(), "");
    assert_eq!(log.case_json(&id)["status"], "open");
}

#[test]
fn retention_lists_the_cases_past_it_and_redact_expired_erases_them() {
    let log = Log::new();
    let (maria, leo) = maria_and_leo(&log);
    std::fs::write(log.path().join("caselog.toml"), "retention = \"3y\"\n").unwrap();
    let now = "2029-11-04T13:00:00Z";
    let due = log
        .run(["due", "--kind", "retention"])
        .at(now)
        .env("CASELOG_SYSTEM_CLOCK", "2100-01-01T00:00:00Z")
        .ok();
    let lines: Vec<&str> = due.lines().collect();
    assert_eq!(lines.len(), 2, "{due}");
    assert!(
        lines[0].starts_with(&format!("{}  retention over  overdue 1d", maria[0])),
        "{due}"
    );
    assert!(!due.contains(&leo));
    let before = log.files();
    let dry = log.run(["redact", "--expired"]).at(now).ok();
    assert!(dry.contains(&format!("would redact {} (closed 2026-11-03 12:00 UTC; retention 3y over since 2029-11-03 12:00 UTC)", maria[0])), "{dry}");
    assert!(
        dry.ends_with("run `caselog redact --expired --yes` to redact them\n"),
        "{dry}"
    );
    assert_eq!(log.files(), before);
    let out = log.run(["redact", "--expired", "--yes"]).at(now).ok();
    assert!(
        out.contains(&format!("{}: redacted customer", maria[1])),
        "{out}"
    );
    assert!(
        log.case_text(&maria[0])
            .contains("text = \"retention period (3y) over\"")
    );
    assert!(
        log.case_text(&maria[2]).contains("Maria López"),
        "not expired yet"
    );
    assert_eq!(log.run(["due", "--kind", "retention"]).at(now).ok(), "");
    assert_eq!(log.run(["redact", "--expired"]).at(now).ok(), "");
    // What is written after the redaction is kept a retention from then,
    // and erased when it is over, with and without the index.
    log.run([
        "note",
        &maria[0],
        "--kind",
        "customer",
        "Maria rang from 0170 1234",
    ])
    .at("2029-12-01T09:00:00Z")
    .ok();
    for (at, listed) in [
        ("2032-11-30T09:00:00Z", false),
        ("2032-12-02T09:00:00Z", true),
    ] {
        for no_index in [false, true] {
            let mut run = log.run(["due", "--kind", "retention"]).at(at);
            if no_index {
                run = run.env("CASELOG_NO_INDEX", "1");
            }
            let due = run.env("CASELOG_SYSTEM_CLOCK", "2100-01-01T00:00:00Z").ok();
            assert_eq!(due.contains(&maria[0]), listed, "{at}: {due}");
        }
    }
    let out = log
        .run(["redact", "--expired", "--yes"])
        .at("2032-12-02T09:00:00Z")
        .ok();
    assert!(
        out.contains(&format!("{}: redacted notes", maria[0])),
        "{out}"
    );
    assert!(!log.case_text(&maria[0]).contains("0170"));
    let due = log
        .run(["due", "--kind", "retention"])
        .at("2032-12-02T09:00:00Z")
        .ok();
    assert!(!due.contains(&maria[0]), "{due}");
    let stderr = {
        std::fs::write(log.path().join("caselog.toml"), "").unwrap();
        log.run(["redact", "--expired"]).fails(2)
    };
    assert!(stderr.contains("sets no retention"), "{stderr}");
}

#[test]
fn pseudonymised_exports_and_reports_name_nobody_and_agree_run_after_run() {
    let log = Log::new();
    let (_, _) = maria_and_leo(&log);
    let export = log.run(["export", "--pseudonymise"]).ok();
    assert_eq!(export, log.run(["export", "--pseudonymise"]).ok(), "stable");
    for personal in [
        "Maria", "maria@", "A-1001", "grinder", "Called", "Leo", "parcel", "phone",
    ] {
        assert!(!export.contains(personal), "{personal} in {export}");
    }
    let rows: Vec<serde_json::Value> = serde_json::from_str(&export).unwrap();
    let pseudonym = rows[0]["customer"].as_str().unwrap().to_string();
    assert!(
        pseudonym.starts_with("cust-") && pseudonym.len() == 15,
        "{pseudonym}"
    );
    // Maria's cases with her reference share a pseudonym, as in the report.
    assert_eq!(rows[2]["customer"], rows[0]["customer"]);
    assert_eq!(rows[0]["category"], "product");
    assert_eq!(rows[0]["events"].as_array().unwrap().len(), 6);
    let report = log
        .run([
            "report",
            "--by",
            "customer",
            "--pseudonymise",
            "--format",
            "json",
        ])
        .ok();
    assert!(report.contains(&pseudonym), "{report}");
    assert!(
        !report.contains("A-1001") && !report.contains("Leo"),
        "{report}"
    );
    // The secret stays in the work folder, for its owner only.
    let secret = log.path().join(".caselog/secret");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&secret).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    std::fs::remove_file(&secret).unwrap();
    let other = log.run(["export", "--pseudonymise"]).ok();
    assert!(!other.contains(&pseudonym), "a new secret, new pseudonyms");
}

#[test]
fn the_report_never_prints_free_text() {
    let log = Log::new();
    maria_and_leo(&log);
    for format in ["table", "markdown", "json", "yaml", "csv"] {
        let out = log
            .run(["report", "--by", "customer", "--format", format])
            .ok();
        for text in [
            "grinder", "squeaks", "Called", "transfer", "Voucher", "happy", "parcel",
        ] {
            assert!(!out.contains(text), "{format}: {text} in {out}");
        }
    }
}

fn has_filter_repo() -> bool {
    std::process::Command::new("git")
        .args(["filter-repo", "--version"])
        .output()
        .is_ok_and(|o| o.status.success())
}

/// A git repository holding Maria's and Leo's cases, committed step by step.
fn repository_with_history() -> (Log, Vec<String>) {
    let log = Log::empty();
    git_ok(log.path(), &["init", "-q", "-b", "main"]);
    git_ok(log.path(), &["config", "user.email", "test@example.com"]);
    git_ok(log.path(), &["config", "user.name", "Test"]);
    log.run(["init"]).ok();
    let (maria, _) = maria_and_leo(&log);
    git_ok(log.path(), &["add", "-A"]);
    git_ok(log.path(), &["commit", "-q", "-m", "cases"]);
    log.run(["note", &maria[0], "Maria rang again."])
        .at("2026-11-12T09:00:00Z")
        .ok();
    git_ok(log.path(), &["commit", "-q", "-am", "a note"]);
    (log, maria)
}

/// Every object in the repository's history, as text.
fn history_text(dir: &Path) -> String {
    let objects = git_ok(dir, &["rev-list", "--all", "--objects"]);
    let mut all = String::new();
    for line in objects.lines() {
        let id = line.split_whitespace().next().unwrap();
        all.push_str(&git_ok(dir, &["cat-file", "-p", id]));
    }
    all
}

#[test]
fn the_purge_script_leaves_no_earlier_version_in_history() {
    let (log, maria) = repository_with_history();
    let out = log
        .run([
            "redact",
            "--customer",
            "Maria López",
            "--reason",
            "erasure request",
            "--purge-script",
            "purge.sh",
        ])
        .at("2026-11-23T10:00:00Z")
        .ok();
    assert!(
        out.contains(
            "git filter-repo --force --prune-empty never --prune-degenerate never --blob-callback '"
        ),
        "{out}"
    );
    assert!(out.contains("git push --force --all REMOTE"), "{out}");
    let script = std::fs::read_to_string(log.path().join("purge.sh")).unwrap();
    assert!(script.starts_with("#!/bin/sh\n"), "{script}");
    assert!(history_text(log.path()).contains("Maria"));
    if !has_filter_repo() {
        eprintln!("skipped the history rewrite: git filter-repo is not installed");
        return;
    }
    std::fs::rename(
        log.path().join("purge.sh"),
        log.path().join("../purge-15.sh"),
    )
    .ok();
    let script_path = log.path().join("../purge-15.sh");
    let run = std::process::Command::new("sh")
        .arg(&script_path)
        .current_dir(log.path())
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .output()
        .unwrap();
    std::fs::remove_file(&script_path).ok();
    let history = history_text(log.path());
    assert!(
        !history.contains("Maria"),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(!history.contains("A-1001"));
    assert!(history.contains("Leo Martin"), "the other cases are kept");
    assert!(log.case_text(&maria[0]).contains("[redacted 2026-11-23]"));
    assert_eq!(log.run(["check"]).at("2026-11-23T10:00:00Z").ok(), "");
}

#[test]
fn rewrite_history_refuses_uncommitted_changes_then_purges_history() {
    let (log, maria) = repository_with_history();
    std::fs::write(log.path().join("caselog.toml"), "# changed\n").unwrap();
    let before = log.files();
    let stderr = log
        .run([
            "redact",
            &maria[0],
            "--reason",
            "erasure request",
            "--rewrite-history",
        ])
        .fails(2);
    if !has_filter_repo() {
        assert!(stderr.contains("needs git filter-repo"), "{stderr}");
        eprintln!("skipped the history rewrite: git filter-repo is not installed");
        return;
    }
    assert!(stderr.contains("uncommitted changes"), "{stderr}");
    assert_eq!(log.files(), before);
    git_ok(log.path(), &["commit", "-q", "-am", "settings"]);
    let commits = || git_ok(log.path(), &["log", "--format=%s"]);
    let before = commits();
    let out = log
        .run([
            "redact",
            &maria[0],
            "--reason",
            "erasure request",
            "--rewrite-history",
        ])
        .at("2026-11-23T10:00:00Z")
        .ok();
    assert!(out.contains("rewrote git history"), "{out}");
    // Every commit is kept, the redaction's own included, though the
    // rewrite leaves some of them changing nothing.
    let after = commits();
    assert_eq!(
        after.lines().skip(1).collect::<Vec<_>>(),
        before.lines().collect::<Vec<_>>()
    );
    assert!(after.starts_with("Redact"), "{after}");
    let history = history_text(log.path());
    assert!(
        !history.contains("Maria rang again"),
        "the note is gone from history"
    );
    assert!(history.contains("Maria"), "her other cases are kept");
    assert_eq!(git_ok(log.path(), &["status", "--porcelain"]), "");
}

/// A branch `other` adds a note saying `note` to the case at `id`, and
/// `main` redacts the case; both committed, `main` checked out.
fn noted_on_other_redacted_on_main(log: &Log, id: &str, note: &str) {
    let dir = log.path();
    git_ok(dir, &["checkout", "-q", "-b", "other"]);
    log.run(["note", id, note]).at("2026-11-20T11:00:00Z").ok();
    git_ok(dir, &["commit", "-q", "-am", "a note"]);
    git_ok(dir, &["checkout", "-q", "main"]);
    log.run(["redact", id, "--reason", "erasure request"])
        .at("2026-11-21T09:00:00Z")
        .ok();
    git_ok(dir, &["commit", "-q", "-am", "redact"]);
}

#[test]
fn the_merge_driver_keeps_a_redaction_whatever_the_other_branch_wrote() {
    let (log, id) = crate::merge::repository(true);
    let dir = log.path();
    log.run(["close", &id, "--reason", "sorted"])
        .at("2026-11-20T10:00:00Z")
        .ok();
    git_ok(dir, &["commit", "-q", "-am", "close"]);
    noted_on_other_redacted_on_main(&log, &id, "Maria López rang about A-1001 again");
    git_ok(dir, &["merge", "-q", "--no-edit", "other"]);
    let text = log.case_text(&id);
    for personal in ["Maria", "López", "A-1001", "rang"] {
        assert!(!text.contains(personal), "{personal}: {text}");
    }
    assert_eq!(text.matches("action = \"note\"").count(), 1, "{text}");
    assert_eq!(log.run(["check"]).ok(), "");
}

#[test]
fn an_edit_made_after_the_redaction_on_another_branch_brings_back_no_old_value() {
    let (log, id) = crate::merge::repository(true);
    let dir = log.path();
    log.run(["close", &id, "--reason", "sorted"])
        .at("2026-11-20T10:00:00Z")
        .ok();
    git_ok(dir, &["commit", "-q", "-am", "close"]);
    git_ok(dir, &["checkout", "-q", "-b", "other"]);
    // Later than the redaction, on a branch that has not seen it: the
    // edit records the name it replaced.
    log.run(["edit", &id, "--customer", "M. Ruiz"])
        .at("2026-11-23T09:00:00Z")
        .ok();
    git_ok(dir, &["commit", "-q", "-am", "edit"]);
    git_ok(dir, &["checkout", "-q", "main"]);
    log.run(["redact", &id, "--reason", "erasure request"])
        .at("2026-11-22T09:00:00Z")
        .ok();
    git_ok(dir, &["commit", "-q", "-am", "redact"]);
    // Both sides changed the name (one erased it, one set a new one): a
    // person decides, and neither side's lines hold the erased name.
    let (merged, said) = crate::merge::git(dir, &["merge", "-q", "--no-edit", "other"]);
    assert!(!merged, "{said}");
    assert!(said.contains("customer.name"), "{said}");
    let text = log.case_text(&id);
    for personal in ["Maria", "López"] {
        assert!(!text.contains(personal), "{personal}: {text}");
    }
    assert!(text.contains("new = \"M. Ruiz\""), "{text}");
}

#[test]
fn a_redaction_changes_only_the_lines_of_what_it_erases_and_keeps_comments() {
    let log = Log::new();
    let id = log.open(&["--contact", "maria@example.com", "--category", "billing"]);
    log.run(["close", &id, "--reason", "Maria withdrew it"])
        .ok();
    let path = log.case_path(&id);
    let text = std::fs::read_to_string(&path).unwrap().replace(
        "category = \"billing\"",
        "category = \"billing\" # checked by ana",
    );
    std::fs::write(&path, &text).unwrap();
    log.run(["redact", &id, "--reason", "erasure request"]).ok();
    let after = log.case_text(&id);
    let removed: Vec<&str> = text
        .lines()
        .filter(|l| !after.lines().any(|a| a == *l))
        .collect();
    assert_eq!(
        removed,
        [
            "title = \"Refund not received\"",
            "name = \"Maria López\"",
            "contact = \"maria@example.com\"",
            "summary = \"I cancelled order A-1001 and was promised a refund.\"",
            "text = \"Maria withdrew it\"",
        ],
        "{after}"
    );
    assert!(after.starts_with(&text[..text.find("title").unwrap()]));
    assert!(
        after.contains("category = \"billing\" # checked by ana"),
        "{after}"
    );
    assert!(
        after[text.len() - 40..].contains("action = \"redacted\""),
        "appended: {after}"
    );
}

/// How many times `needle` lies in the search cache's files, byte for byte.
fn held_in_search_cache(log: &Log, needle: &str) -> usize {
    let work = log.path().join(".caselog");
    ["search.sqlite", "search.sqlite-wal"]
        .iter()
        .filter_map(|name| std::fs::read(work.join(name)).ok())
        .map(|bytes| {
            bytes
                .windows(needle.len())
                .filter(|w| *w == needle.as_bytes())
                .count()
        })
        .sum()
}

#[test]
fn a_redacted_or_deleted_case_leaves_no_word_in_the_search_cache() {
    let log = Log::new();
    // Words the index keeps whole (no stem, no shared beginning with
    // another word) so their bytes can be looked for in its file.
    let redacted = log.open(&["--contact", "zq7maria7q@example.com"]);
    let deleted = log.open(&["--contact", "zq8leo8q@example.com"]);
    log.run(["note", &redacted, "Called qx7mobile7x about it"])
        .ok();
    let bystander = log.open(&["--contact", "zq9ana9q@example.com"]);
    assert!(log.run(["search", "zq7maria7q"]).ok().contains(&redacted));
    for word in ["zq7maria7q", "qx7mobile7x", "zq8leo8q", "zq9ana9q"] {
        assert!(held_in_search_cache(&log, word) > 0, "{word}: not indexed");
    }

    log.run([
        "redact",
        &redacted,
        "--reason",
        "erasure request",
        "--force",
    ])
    .ok();
    std::fs::remove_file(log.case_path(&deleted)).unwrap();
    for word in ["zq7maria7q", "zq8leo8q"] {
        assert_eq!(log.run(["search", word]).ok(), "", "{word}");
    }
    for word in ["zq7maria7q", "qx7mobile7x", "zq8leo8q"] {
        assert_eq!(held_in_search_cache(&log, word), 0, "{word}: still held");
    }
    // Everyone else is still found.
    assert!(log.run(["search", "zq9ana9q"]).ok().contains(&bystander));
}

#[test]
fn a_redaction_with_the_index_turned_off_leaves_no_erased_value_in_the_index() {
    let log = Log::new();
    let redacted = log.open(&["--contact", "zq7maria7q@example.com"]);
    log.run(["note", &redacted, "Called qx7mobile7x about it"])
        .ok();
    // Both the facts and the search database are made and hold her.
    log.run(["list"]).ok();
    assert!(log.run(["search", "zq7maria7q"]).ok().contains(&redacted));
    let facts = || std::fs::read(log.path().join(".caselog/facts")).unwrap_or_default();
    let in_facts = |needle: &str| {
        facts()
            .windows(needle.len())
            .any(|w| w == needle.as_bytes())
    };
    assert!(in_facts("zq7maria7q"));
    for word in ["zq7maria7q", "qx7mobile7x"] {
        assert!(held_in_search_cache(&log, word) > 0, "{word}: not indexed");
    }

    log.run([
        "redact",
        &redacted,
        "--reason",
        "erasure request",
        "--force",
    ])
    .env("CASELOG_NO_INDEX", "1")
    .ok();
    assert!(!in_facts("zq7maria7q"));
    for word in ["zq7maria7q", "qx7mobile7x"] {
        assert_eq!(held_in_search_cache(&log, word), 0, "{word}: still held");
    }
    // The index comes back, without her, for the next command using it.
    assert_eq!(log.run(["search", "zq7maria7q"]).ok(), "");
    assert!(log.run(["list"]).ok().contains(&redacted));
}

#[test]
fn a_customer_is_found_however_their_name_was_composed_or_spaced() {
    let log = Log::new();
    // The same name: accents composed, accents decomposed, a double blank.
    let typed = ["María López", "Mari\u{301}a Lo\u{301}pez", "MARÍA  LÓPEZ"];
    let ids: Vec<String> = typed
        .iter()
        .map(|name| {
            let id = opened_for(&log, name);
            log.run(["close", &id, "--reason", "done"]).ok();
            id
        })
        .collect();
    let other = opened_for(&log, "Maria Lopez");
    let export = log
        .run(["export", "--customer", "maría lópez", "--format", "json"])
        .output();
    assert!(export.status.success());
    let exported: serde_json::Value = serde_json::from_slice(&export.stdout).unwrap();
    let mut found: Vec<&str> = exported
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    found.sort();
    let mut want: Vec<&str> = ids.iter().map(String::as_str).collect();
    want.sort();
    assert_eq!(found, want, "not {other}");
    let out = log
        .run([
            "redact",
            "--customer",
            "Mari\u{301}a López",
            "--reason",
            "erasure request",
        ])
        .ok();
    for id in &ids {
        assert!(out.contains(&format!("{id}: redacted customer")), "{out}");
    }
    assert!(!out.contains(&other), "{out}");
}

fn opened_for(log: &Log, customer: &str) -> String {
    let args = [
        "open",
        "--quiet",
        "--title",
        "Late",
        "--customer",
        customer,
        "--summary",
        "Late.",
    ];
    log.run(args).ok().trim().to_string()
}

/// What anyone holding a case file can compute from a guess: the unkeyed
/// digest a row without an id is known by (title, customer, opened_at,
/// summary, each ended by a zero byte), as `row-` and 16 hex digits.
fn guessed_row_digest(title: &str, customer: &str, opened_at: &str, summary: &str) -> String {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    for part in [title, customer, opened_at, summary] {
        hasher.update(part.as_bytes());
        hasher.update([0]);
    }
    let digest = hasher.finalize();
    let hex: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
    format!("row-{hex}")
}

#[test]
fn a_redacted_row_s_digest_confirms_no_guessed_name_and_still_keeps_the_row_out() {
    let log = Log::new();
    // Only the customer's own fields are personal: the title and the
    // complaint stay, so a name is all a guess needs.
    let settings = log.path().join("caselog.toml");
    let mut toml = std::fs::read_to_string(&settings).unwrap();
    toml.push_str("\n[personal_data]\nfields = [\"customer\", \"contact\", \"reference\", \"preferred_contact\"]\nfree_text = false\n");
    std::fs::write(&settings, toml).unwrap();
    std::fs::write(
        log.path().join("rows.csv"),
        "title,customer,opened_at,summary,status\nGrinder squeaks,Maria López,2026-11-01T09:00:00Z,It squeaks,closed\n",
    )
    .unwrap();
    let id = log
        .run(["import", "rows.csv"])
        .at("2026-11-20T09:00:00Z")
        .ok()
        .trim()
        .to_string();
    let guess = guessed_row_digest(
        "Grinder squeaks",
        "Maria López",
        "2026-11-01T09:00:00Z",
        "It squeaks",
    );
    assert!(
        log.case_text(&id).contains(&guess),
        "the guess is the digest"
    );
    let said = log
        .run(["redact", &id, "--reason", "erasure request"])
        .at("2026-11-21T09:00:00Z")
        .ok();
    assert!(said.contains(&format!("{id}: redacted customer")), "{said}");
    let redacted = log.case_text(&id);
    assert!(!redacted.contains("Maria"), "{redacted}");
    assert!(
        !redacted.contains(&guess),
        "a guess confirms the name: {redacted}"
    );
    assert!(redacted.contains("source_id = \"row-k"), "{redacted}");
    assert_eq!(log.run(["check"]).ok(), "");
    // The same row, imported again, is still known and brings nothing back.
    let again = log
        .run(["import", "rows.csv"])
        .at("2026-11-22T09:00:00Z")
        .output();
    assert!(again.status.success());
    assert_eq!(String::from_utf8_lossy(&again.stdout), "");
    assert!(
        String::from_utf8_lossy(&again.stderr).contains("skipped 1 imported before"),
        "{again:?}"
    );
    assert_eq!(log.case_text(&id), redacted);

    // A case redacted before digests were keyed still keeps its row out,
    // and redacting it again keys its digest.
    std::fs::write(
        log.case_path(&id),
        redacted.replace(
            redacted
                .split("source_id = \"")
                .nth(1)
                .and_then(|rest| rest.split('"').next())
                .unwrap(),
            &guess,
        ),
    )
    .unwrap();
    let again = log
        .run(["import", "rows.csv"])
        .at("2026-11-22T10:00:00Z")
        .output();
    assert!(
        String::from_utf8_lossy(&again.stderr).contains("skipped 1 imported before"),
        "{again:?}"
    );
    let said = log
        .run(["redact", &id, "--reason", "erasure request"])
        .at("2026-11-23T09:00:00Z")
        .ok();
    assert!(said.contains(&format!("{id}: redacted customer")), "{said}");
    assert!(!log.case_text(&id).contains(&guess));
    let said = log
        .run(["redact", &id, "--reason", "erasure request"])
        .at("2026-11-24T09:00:00Z")
        .ok();
    assert!(said.contains("nothing left to redact"), "{said}");
}

#[test]
fn a_branch_that_never_saw_a_redaction_merges_in_without_the_row_s_plain_digest() {
    let (log, _) = crate::merge::repository(true);
    let dir = log.path();
    std::fs::write(
        dir.join("rows.csv"),
        "title,customer,opened_at,summary,status\nGrinder squeaks,Maria López,2026-11-01T09:00:00Z,It squeaks,closed\n",
    )
    .unwrap();
    let id = log
        .run(["import", "rows.csv"])
        .at("2026-11-20T09:00:00Z")
        .ok()
        .trim()
        .to_string();
    let plain = log.case_text(&id);
    git_ok(dir, &["add", "-A"]);
    git_ok(dir, &["commit", "-q", "-m", "import"]);
    noted_on_other_redacted_on_main(&log, &id, "Rang again");
    // Merged by a clone without the secret that keyed it.
    std::fs::remove_file(dir.join(".caselog/secret")).unwrap();
    git_ok(dir, &["merge", "-q", "--no-edit", "other"]);
    let text = log.case_text(&id);
    let digest = |text: &str| {
        text.split("source_id = \"")
            .skip(1)
            .map(|rest| rest.split('"').next().unwrap().to_string())
            .collect::<Vec<String>>()
    };
    assert_eq!(text.matches("action = \"imported\"").count(), 1, "{text}");
    let (before, after) = (digest(&plain), digest(&text));
    assert_eq!(after.len(), 1);
    assert_ne!(before, after, "{text}");
    assert!(after[0].starts_with("row-k"), "{text}");
    assert_eq!(log.run(["check"]).ok(), "");
}

#[test]
fn a_customer_known_by_an_address_since_corrected_is_found_and_erased_under_it() {
    let log = Log::new();
    let id = log
        .run([
            "open",
            "-q",
            "--title",
            "Grinder",
            "--customer",
            "Ann Old",
            "--contact",
            "ann.old@example.com",
            "--summary",
            "It broke",
        ])
        .at("2026-11-01T09:00:00Z")
        .ok()
        .trim()
        .to_string();
    log.run([
        "edit",
        &id,
        "--customer",
        "Ann New",
        "--contact",
        "ann.new@example.com",
    ])
    .at("2026-11-02T09:00:00Z")
    .ok();
    log.run(["close", &id, "--reason", "sorted"])
        .at("2026-11-03T09:00:00Z")
        .ok();
    // The access request under the old address hands the case over.
    let out = log
        .run(["export", "--customer", "ANN.OLD@example.com"])
        .output();
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("1 case matched --customer 'ANN.OLD@example.com'")
            && stderr.contains("exactly on contact 'ann.old@example.com' in 1"),
        "{stderr}"
    );
    let cases: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(cases[0]["id"], id.as_str());
    // The reason stays on the record: it may not name the old address
    // either, which the redaction erases.
    let before = log.files();
    let refused = log
        .run([
            "redact",
            "--customer",
            "ann.old@example.com",
            "--reason",
            "erasure request of old@example.com",
        ])
        .at("2026-11-04T09:00:00Z")
        .fails(2);
    assert!(
        refused.contains("the reason holds the customer's "),
        "{refused}"
    );
    assert_eq!(log.files(), before);
    // So does the erasure request, and nothing of either address is left.
    let said = log
        .run([
            "redact",
            "--customer",
            "ann.old@example.com",
            "--reason",
            "erasure request",
        ])
        .at("2026-11-04T09:00:00Z")
        .ok();
    assert!(
        said.contains(&format!("{id}: redacted customer, contact")),
        "{said}"
    );
    let text = log.case_text(&id);
    for personal in ["Ann", "ann.old", "ann.new"] {
        assert!(!text.contains(personal), "{personal}: {text}");
    }
}

#[test]
fn retention_ends_on_the_same_date_years_on_in_the_log_s_time_zone() {
    let log = Log::new();
    let settings = log.path().join("caselog.toml");
    let toml = std::fs::read_to_string(&settings).unwrap();
    std::fs::write(
        &settings,
        format!("retention = \"1y\"\ntimezone = \"America/Los_Angeles\"\n{toml}"),
    )
    .unwrap();
    let id = log
        .run([
            "open",
            "-q",
            "--title",
            "t",
            "--customer",
            "c",
            "--summary",
            "s",
        ])
        .at("2024-02-28T09:00:00Z")
        .ok()
        .trim()
        .to_string();
    // 28 February, 21:00 in California: 29 February in UTC.
    log.run(["close", &id, "--reason", "sorted"])
        .at("2024-02-29T05:00:00Z")
        .ok();
    // 27 February, 22:00 there: the year is not over.
    for now in ["2025-02-28T06:00:00Z", "2025-03-01T04:00:00Z"] {
        assert_eq!(
            log.run(["due", "--kind", "retention"]).at(now).ok(),
            "",
            "{now}"
        );
        assert_eq!(log.run(["redact", "--expired"]).at(now).ok(), "", "{now}");
    }
    // 28 February, 21:00 there: it is.
    let due = log
        .run(["due", "--kind", "retention"])
        .at("2025-03-01T05:00:00Z")
        .output();
    assert!(
        String::from_utf8_lossy(&due.stdout).contains(&format!("{id}  retention over")),
        "{due:?}"
    );
}

#[test]
fn check_warns_of_each_comment_left_in_a_redacted_case_and_passes() {
    let log = Log::new();
    let id = log.open(&["--contact", "zed@example.com"]);
    log.run(["close", &id, "--reason", "sorted"]).ok();
    let path = log.case_path(&id);
    let text = std::fs::read_to_string(&path).unwrap().replacen(
        "\ntitle = ",
        "\n# Zed Quorp rang twice\ntitle = ",
        1,
    );
    let text = text.replace(
        "contact = \"zed@example.com\"",
        "contact = \"zed@example.com\" # a # in \"quotes\" too",
    );
    std::fs::write(&path, &text).unwrap();
    // Before the redaction a comment is the team's own business.
    assert_eq!(log.run(["check"]).ok(), "");
    log.run(["redact", &id, "--reason", "erasure request"]).ok();
    let out = log.run(["check"]).output();
    assert!(out.status.success(), "{out:?}");
    let said = String::from_utf8_lossy(&out.stdout);
    let comment_at = |needle: &str| {
        log.case_text(&id)
            .lines()
            .position(|l| l.contains(needle))
            .unwrap()
            + 1
    };
    for line in [comment_at("rang twice"), comment_at("in \"quotes\"")] {
        assert!(
            said.contains(&format!(
                ":{line}: warning: a comment in a redacted case, which redact does not erase"
            )),
            "{line}: {said}"
        );
    }
    assert_eq!(said.lines().count(), 2, "{said}");
}

#[test]
fn log_tells_a_redacted_case_s_story_without_what_the_redaction_erased() {
    let (log, id) = crate::merge::repository(true);
    let dir = log.path();
    log.run(["edit", &id, "--contact", "maria.new@example.com"])
        .at("2026-11-20T10:00:00Z")
        .ok();
    git_ok(dir, &["commit", "-q", "-am", "edit"]);
    log.run(["note", &id, "Maria rang from her mobile"])
        .at("2026-11-20T11:00:00Z")
        .ok();
    git_ok(dir, &["commit", "-q", "-am", "note"]);
    log.run(["close", &id, "--reason", "Maria is happy"])
        .at("2026-11-20T12:00:00Z")
        .ok();
    git_ok(dir, &["commit", "-q", "-am", "close"]);
    let before = log.run(["log", &id]).ok();
    assert!(before.contains("maria.new@example.com"), "{before}");
    log.run(["redact", &id, "--reason", "erasure request"])
        .at("2026-11-21T09:00:00Z")
        .ok();
    // Told without the erased values, before the redaction is committed
    // and after.
    for committed in [false, true] {
        if committed {
            git_ok(dir, &["commit", "-q", "-am", "redact"]);
        }
        let story = log.run(["log", &id]).ok();
        for personal in ["Maria", "maria", "López", "A-1001"] {
            assert!(!story.contains(personal), "{personal}: {story}");
        }
        assert!(story.contains("edited the contact"), "{story}");
    }
}

#[test]
fn an_erasure_request_erases_nothing_while_a_case_file_cannot_be_read() {
    let log = Log::new();
    let jo = opened_for(&log, "Jo Smith");
    let broken = opened_for(&log, "Jo Smith");
    let path = log.case_path(&broken);
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, format!("<<<<<<< ours\n{text}")).unwrap();
    let before = log.files();
    let stderr = log
        .run([
            "redact",
            "--customer",
            "Jo Smith",
            "--reason",
            "erasure request",
            "--force",
        ])
        .fails(2);
    assert!(
        stderr.contains(
            "1 case file could not be read (said above) and may hold this customer; nothing was redacted"
        ),
        "{stderr}"
    );
    assert_eq!(log.files(), before, "not even {jo}, which could be read");
    // An access request is answered from what can be read, and says so.
    let out = log.run(["export", "--customer", "Jo Smith"]).output();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(
            "the export may be incomplete: 1 case file could not be read (said above) and may hold this customer"
        ),
        "{stderr}"
    );
    std::fs::write(&path, text).unwrap();
    log.run([
        "redact",
        "--customer",
        "Jo Smith",
        "--reason",
        "erasure request",
        "--force",
    ])
    .ok();
    assert!(!log.case_text(&jo).contains("Jo Smith"));
    assert!(!log.case_text(&broken).contains("Jo Smith"));
}

/// Once the redaction has landed, git failing to store the redacted
/// version (a full disk) exited 2, as if the request were wrong, with
/// git's words alone: nothing said the erasure was done. It now says so,
/// and exits 3, a failure of the system.
#[cfg(unix)]
#[test]
fn git_failing_after_the_redaction_landed_says_it_is_done_and_fails_as_the_system() {
    use std::os::unix::fs::PermissionsExt;
    let (log, maria) = repository_with_history();
    let real = std::process::Command::new("sh")
        .args(["-c", "command -v git"])
        .output()
        .unwrap();
    let real = String::from_utf8(real.stdout).unwrap().trim().to_string();
    let bin = tempfile::tempdir().unwrap();
    let git = bin.path().join("git");
    std::fs::write(
        &git,
        format!(
            "#!/bin/sh\nif [ \"$1\" = hash-object ] && [ \"$2\" = -w ]; then\n  echo 'fatal: unable to write loose object file: No space left on device' >&2\n  exit 128\nfi\nexec {real} \"$@\"\n"
        ),
    )
    .unwrap();
    std::fs::set_permissions(&git, std::fs::Permissions::from_mode(0o755)).unwrap();
    let path = format!(
        "{}:{}",
        bin.path().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = log
        .run([
            "redact",
            "--customer",
            "Maria López",
            "--reason",
            "erasure request",
        ])
        .at("2026-11-23T10:00:00Z")
        .env("PATH", path)
        .output();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("the cases are redacted"), "{stderr}");
    assert!(stderr.contains("No space left on device"), "{stderr}");
    for id in &maria {
        assert!(!log.case_text(id).contains("Maria"), "{id}");
    }
}
