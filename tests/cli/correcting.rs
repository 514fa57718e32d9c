//! Correcting the record: `edit`, voiding a duplicate or a case opened in
//! error, hand edits that `check` notes and `fmt --record-edits` records,
//! and a customer who changes their mind.

use crate::harness::{BIN, Log, NOW, redact};
use crate::merge::{git_ok, repository};

fn edit(log: &Log, args: &[&str]) -> String {
    let mut all = vec!["edit"];
    all.extend_from_slice(args);
    log.run(all).at("2026-11-21T10:00:00Z").ok()
}

#[test]
fn edit_writes_one_event_per_field_and_changes_only_those_lines() {
    let log = Log::new();
    let id = log.open(&["--tag", "refund"]);
    let before = log.case_text(&id);
    let out = edit(
        &log,
        &[
            &id,
            "--title",
            "Refund for A-1001 not received",
            "--category",
            "billing",
            "--contact",
            "maria@example.com",
            "--add-tag",
            "bank",
            "--severity",
            "normal",
        ],
    );
    assert_eq!(
        out,
        format!("{id}: edited title, contact, category, tags\n")
    );
    let after = log.case_text(&id);
    insta::assert_snapshot!(redact(&after, &id));
    // Only the edited lines changed; the events were appended.
    let removed: Vec<&str> = before
        .lines()
        .filter(|l| !after.lines().any(|a| a == *l))
        .collect();
    assert_eq!(removed, ["title = \"Refund not received\""], "{after}");
}

#[test]
fn an_edit_that_changes_nothing_leaves_the_file_byte_identical() {
    let log = Log::new();
    let id = log.open(&["--category", "billing"]);
    let before = log.files();
    let out = edit(
        &log,
        &[&id, "--category", "billing", "--severity", "normal"],
    );
    assert_eq!(out, format!("{id}: nothing changed\n"));
    assert_eq!(log.files(), before);
}

#[test]
fn edit_refuses_what_open_refuses_and_writes_nothing() {
    let log = Log::new();
    std::fs::write(
        log.path().join("caselog.toml"),
        "categories = [\"billing\"]\n",
    )
    .unwrap();
    let id = log.open(&[]);
    let before = log.files();
    for (args, message) in [
        (vec!["--category", "biling"], "unknown category 'biling'"),
        (vec!["--title", "two\nlines"], "the title must be one line"),
        (vec!["--remove-tag", "nope"], "has no tag 'nope'"),
        (vec!["--add-tag", "a;b"], "contains ';'"),
    ] {
        let mut all = vec!["edit", id.as_str()];
        all.extend(args);
        let stderr = log.run(all).fails(2);
        assert!(stderr.contains(message), "{stderr}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
    }
    let stderr = log.run(["edit", &id]).fails(2);
    assert!(stderr.contains("nothing to change"), "{stderr}");
    assert_eq!(log.files(), before);
}

#[test]
fn edit_takes_the_fields_from_a_toml_file_leaving_the_rest() {
    let log = Log::new();
    let id = log.open(&["--contact", "maria@example.com", "--wants", "A refund"]);
    let out = log
        .run(["edit", &id, "--from-file", "-"])
        .stdin("customer = \"María López\"\nwants = \"\"\ntags = [\"refund\", \"bank\"]\n")
        .ok();
    assert_eq!(out, format!("{id}: edited customer, tags, wants\n"));
    let case = log.case_json(&id);
    assert_eq!(case["customer"]["name"], "María López");
    assert_eq!(case["customer"]["contact"], "maria@example.com");
    assert!(case["complaint"].get("wants").is_none());
    let stderr = log
        .run(["edit", &id, "--from-file", "-"])
        .stdin("titel = \"x\"\n")
        .fails(2);
    assert!(
        stderr.contains("standard input:1: unknown field `titel`"),
        "{stderr}"
    );
    // A tag holding the separator tags travel joined by is refused, not
    // split in two.
    let before = log.files();
    let stderr = log
        .run(["edit", &id, "--from-file", "-"])
        .stdin("tags = [\"a;b\"]\n")
        .fails(2);
    assert!(
        stderr.contains("the tag 'a;b' contains ';', which separates tags in exports"),
        "{stderr}"
    );
    assert_eq!(log.files(), before);
    assert_eq!(
        log.case_json(&id)["tags"],
        serde_json::json!(["refund", "bank"])
    );
}

#[test]
fn edit_at_a_terminal_opens_the_editor_on_the_fields() {
    if std::process::Command::new("script")
        .arg("--version")
        .output()
        .is_err()
    {
        return; // No `script` to give caselog a terminal.
    }
    let log = Log::new();
    let id = log.open(&["--contact", "maria@example.com"]);
    let editor = log.path().join("editor.sh");
    // The editor changes the title and deletes the contact line.
    std::fs::write(
        &editor,
        "#!/bin/sh\nsed -i -e 's/^title = .*/title = \"Refund still missing\"/' -e '/^contact = /d' \"$1\"\n",
    )
    .unwrap();
    let status = std::process::Command::new("script")
        .args(["-qec", &format!("{BIN} edit {id}"), "/dev/null"])
        .current_dir(log.path())
        .env("CASELOG_NOW", NOW)
        .env("CASELOG_SYSTEM_CLOCK", crate::harness::SYSTEM_CLOCK)
        .env("CASELOG_USER", "ana@example.com")
        .env("VISUAL", format!("sh {}", editor.display()))
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&status.stdout);
    assert!(said.contains("edited title, contact"), "{said}");
    let case = log.case_json(&id);
    assert_eq!(case["title"], "Refund still missing");
    assert!(case["customer"].get("contact").is_none());
}

/// An editor that saves an empty file (one that crashed on saving) is
/// refused with what happened, not with "the title cannot be cleared",
/// and the case is left byte-identical.
#[cfg(unix)]
#[test]
fn an_editor_that_leaves_the_fields_empty_changes_nothing_and_says_so() {
    let log = Log::new();
    let id = log.open(&["--contact", "maria@example.com"]);
    let editor = log.path().join("editor.sh");
    std::fs::write(&editor, "#!/bin/sh\n: > \"$1\"\n").unwrap();
    let before = log.files();
    let out = crate::harness::with_terminal_input(
        log.run(["edit", &id])
            .env("VISUAL", format!("sh {}", editor.display())),
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("the editor left the fields empty")
            && stderr.contains("nothing was written"),
        "{stderr}"
    );
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert_eq!(log.files(), before);
}

#[test]
fn changes_and_show_tell_edits_in_words() {
    let (log, id) = repository(true);
    let dir = log.path();
    edit(
        &log,
        &[&id, "--title", "Refund missing", "--severity", "high"],
    );
    git_ok(dir, &["commit", "-qam", "edit"]);
    let out = log.run(["changes", "HEAD~1..HEAD"]).ok();
    assert!(
        out.contains("edited the title: \"Refund not received\" → \"Refund missing\"")
            && out.contains("edited the severity: \"normal\" → \"high\""),
        "{out}"
    );
    assert!(!out.contains("\n  title: "), "told once: {out}");
    let logged = log.run(["log", &id]).ok();
    assert!(logged.contains("edited the severity"), "{logged}");
    let shown = log.run(["show", &id]).ok();
    assert!(
        shown.contains("edited               ana@example.com severity: normal → high"),
        "{shown}"
    );
}

#[test]
fn check_notes_a_hand_edit_and_fmt_record_edits_records_it() {
    let (log, id) = repository(true);
    let dir = log.path();
    // Against the event log: an edit, then the same field changed by hand.
    edit(&log, &[&id, "--category", "billing"]);
    git_ok(dir, &["commit", "-qam", "edit"]);
    let path = log.case_path(&id);
    let text = log.case_text(&id);
    let by_hand = text
        .replace("category = \"billing\"", "category = \"refunds\"")
        .replace("title = \"Refund not received\"", "title = \"Refund gone\"");
    std::fs::write(&path, by_hand).unwrap();
    let out = log.run(["check"]).ok();
    let shown = format!("cases/{}/{}/{id}.toml", &id[0..4], &id[4..6]);
    assert_eq!(
        out,
        format!(
            "{shown}:3: note: title is 'Refund gone' but the last commit had 'Refund not received': edited by hand? `caselog fmt --record-edits` records it\n\
             {shown}:6: note: category is 'refunds' but the last edited event for it says 'billing': edited by hand? `caselog fmt --record-edits` records it\n"
        )
    );
    let github = log.run(["check", "--format", "github"]).ok();
    assert!(github.starts_with("::notice file="), "{github}");
    let out = log.run(["fmt", "--record-edits"]).at(NOW).ok();
    assert_eq!(
        out,
        format!("recorded edits of title, category in {shown}\n")
    );
    assert_eq!(log.run(["check"]).ok(), "");
    let text = log.case_text(&id);
    assert!(
        text.ends_with(
            "action = \"edited\"\nfield = \"title\"\nold = \"Refund not received\"\nnew = \"Refund gone\"\n\n[[events]]\nat = 2026-11-22T09:00:00Z\nby = \"ana@example.com\"\naction = \"edited\"\nfield = \"category\"\nold = \"billing\"\nnew = \"refunds\"\n"
        ),
        "{text}"
    );
    // Nothing left to record: a second run changes nothing.
    assert_eq!(log.run(["fmt", "--record-edits"]).at(NOW).ok(), "");
}

#[test]
fn a_duplicate_stays_on_disk_marked_and_counts_nowhere() {
    let log = Log::new();
    let first = log.open(&["--reference", "A-1001", "--assignee", "ana"]);
    let again = log.open(&["--reference", "A-1001", "--assignee", "ana"]);
    let out = log
        .run(["close", &again, "--duplicate-of", &first[9..]])
        .ok();
    assert_eq!(out, format!("{again}: closed as a duplicate of {first}\n"));
    let text = log.case_text(&again);
    assert!(
        text.contains(&format!(
            "status = \"closed\"\nvoid = \"duplicate\"\nduplicate_of = \"{first}\"\n"
        )),
        "{text}"
    );
    let list = log.run(["list"]).ok();
    assert!(list.contains("closed (duplicate)"), "{list}");
    let shown = log.run(["show", &again]).ok();
    assert!(
        shown.contains(&format!("status          closed: duplicate of {first}")),
        "{shown}"
    );
    // Not a repeat customer, not similar, not received.
    let report = log.run(["report", "--format", "json"]).ok();
    let report: serde_json::Value = serde_json::from_str(&report).unwrap();
    assert_eq!(report["summary"]["received"], 1);
    assert_eq!(
        report["learning"]["repeat_customers"],
        serde_json::json!([])
    );
    assert_eq!(log.run(["similar", &first]).ok(), "");
    let third = log
        .run([
            "open",
            "--quiet",
            "--title",
            "Refund again",
            "--customer",
            "Maria López",
            "--reference",
            "A-1001",
            "--summary",
            "Still nothing.",
        ])
        .at("2026-11-21T09:00:00Z")
        .ok();
    let third = third.trim();
    let shown = log.run(["show", third]).ok();
    assert!(shown.contains(&first) && !shown.contains(&again), "{shown}");
    // And never due.
    assert!(!log.run(["due", "--all"]).ok().contains(&again));
}

#[test]
fn a_case_opened_in_error_needs_a_reason_and_is_left_out_of_due() {
    let log = Log::new();
    let id = log.open(&["--assignee", "ana"]);
    assert!(log.run(["due", "--all"]).ok().contains(&id));
    let stderr = log.run(["close", &id, "--opened-in-error"]).fails(2);
    assert!(stderr.contains("give --reason"), "{stderr}");
    let stderr = log.run(["close", &id, "--duplicate-of", &id]).fails(2);
    assert!(
        stderr.contains("cannot be a duplicate of itself"),
        "{stderr}"
    );
    log.run([
        "close",
        &id,
        "--opened-in-error",
        "--reason",
        "a test entry",
    ])
    .ok();
    assert_eq!(log.run(["due", "--all"]).ok(), "");
    let report = log.run(["report", "--format", "json"]).ok();
    assert!(report.contains("\"received\": 0"), "{report}");
    let stderr = log
        .run(["close", "--duplicate-of", &id, &log.open(&[])])
        .fails(2);
    assert!(stderr.contains("opened in error"), "{stderr}");
}

#[test]
fn waiting_on_the_customer_ends_when_they_write_and_can_be_extended() {
    let log = Log::new();
    let id = log.open(&[]);
    let out = log
        .run([
            "wait",
            &id,
            "--reason",
            "photos of the damage",
            "--until",
            "2d",
        ])
        .at("2026-11-20T10:00:00Z")
        .ok();
    assert_eq!(
        out,
        format!("{id}: waiting on the customer until 2026-11-22 10:00 UTC\n")
    );
    let out = log
        .run(["wait", &id, "--until", "2026-11-25"])
        .at("2026-11-21T10:00:00Z")
        .ok();
    assert_eq!(
        out,
        format!("{id}: waiting on the customer until 2026-11-25 00:00 UTC\n")
    );
    let stderr = log.run(["wait", &id, "--reason", "again"]).fails(2);
    assert!(
        stderr.contains("already waiting on the customer; give --until"),
        "{stderr}"
    );
    let out = log
        .run(["note", &id, "--kind", "customer", "Photos attached."])
        .at("2026-11-21T11:00:00Z")
        .ok();
    assert_eq!(out, format!("{id}: customer added; back to open\n"));
    let case = log.case_json(&id);
    assert_eq!(case["status"], "open");
    // Their message is not our first response.
    assert!(
        log.run(["show", &id])
            .ok()
            .contains("first response  none yet")
    );
    let on_courier = log.open(&[]);
    log.run([
        "wait",
        &on_courier,
        "--on",
        "third-party",
        "--reason",
        "the courier",
    ])
    .ok();
    let out = log
        .run(["note", &on_courier, "--kind", "customer", "Any news?"])
        .ok();
    assert_eq!(out, format!("{on_courier}: customer added\n"));
    assert_eq!(log.case_json(&on_courier)["status"], "waiting");
    assert_eq!(log.run(["check"]).ok(), "");
}

#[test]
fn a_customer_who_changes_their_mind_agrees_again_with_replace() {
    let log = Log::new();
    let id = log.open(&[]);
    log.run(["propose", &id, "Refund"]).ok();
    log.run(["propose", &id, "Replace"]).ok();
    log.run(["agree", &id, "1"]).ok();
    let stderr = log.run(["agree", &id, "2"]).fails(2);
    assert!(
        stderr.contains(&format!("record it with `caselog agree {id} 2 --replace`")),
        "{stderr}"
    );
    let out = log
        .run([
            "agree",
            &id,
            "2",
            "--replace",
            "--reason",
            "prefers a new one",
        ])
        .ok();
    assert_eq!(
        out,
        format!("{id}: the customer now agrees to option 2 (instead of option 1)\n")
    );
    let out = log
        .run(["resolve", &id, "--summary", "Sent a new one"])
        .ok();
    assert!(out.contains("resolved (option 2)"), "{out}");
    assert_eq!(log.run(["check"]).ok(), "");
}
