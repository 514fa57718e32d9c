//! Small things a person notices in the first week: what `init --git`
//! says, piped text, the reason a case was closed, exit codes in the help,
//! and what an unknown command suggests.

use crate::harness::Log;
use crate::merge::{git_ok, repository};

#[test]
fn init_git_does_not_tell_the_user_to_run_init_git() {
    let (log, _) = repository(true);
    let again = log.run(["init", "--git"]).ok();
    assert!(again.contains("registered the merge driver"), "{again}");
    assert!(!again.contains("run `caselog init --git`"), "{again}");
    // The first `init` in a repository still tells about fresh clones.
    let fresh = Log::empty();
    git_ok(fresh.path(), &["init", "-q", "-b", "main"]);
    let first = fresh.run(["init"]).ok();
    assert!(
        first.contains("in each new clone, run `caselog init --git`"),
        "{first}"
    );
}

#[test]
fn init_git_outside_git_is_refused_and_writes_nothing() {
    let log = Log::new();
    let before = log.files();
    let err = log.run(["init", "--git"]).fails(2);
    assert_eq!(
        err,
        "caselog: this folder is not in a git repository: run `git init` first; nothing was written\n"
    );
    assert_eq!(log.files(), before);
    let err = log.run(["init", "--git", "nowhere"]).fails(2);
    assert_eq!(
        err,
        "caselog: nowhere does not exist; nothing was written\n"
    );
    assert!(!log.path().join("nowhere").exists());
}

#[test]
fn piped_text_loses_the_one_line_break_echo_adds() {
    let log = Log::new();
    let id = log.open(&[]);
    log.run(["note", &id]).stdin("Called the bank.\n").ok();
    log.run(["note", &id, "-"])
        .stdin("Two lines.\nSecond.\n\n")
        .ok();
    let summary = log.path().join("summary.txt");
    std::fs::write(&summary, "From a file.\n").unwrap();
    let other = log
        .run([
            "open",
            "--quiet",
            "--title",
            "T",
            "--customer",
            "C",
            "--summary-file",
            summary.to_str().unwrap(),
        ])
        .ok();
    let case = log.case_json(&id);
    let texts: Vec<&str> = case["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["text"].as_str())
        .collect();
    assert_eq!(texts, ["Called the bank.", "Two lines.\nSecond.\n"]);
    assert_eq!(
        log.case_json(other.trim())["complaint"]["summary"],
        "From a file."
    );
}

#[test]
fn show_says_why_a_case_was_closed_in_its_header() {
    let log = Log::new();
    let id = log.open(&[]);
    log.run(["close", &id, "--reason", "Customer withdrew the complaint"])
        .at("2026-11-21T10:00:00Z")
        .ok();
    let shown = log.run(["show", &id]).ok();
    let header = shown.split("\ncustomer").next().unwrap();
    assert!(
        header.contains(
            "closed          2026-11-21 10:00 UTC by ana@example.com: Customer withdrew the complaint"
        ),
        "{shown}"
    );
}

#[test]
fn the_top_level_help_lists_every_use_of_exit_code_1() {
    let help = Log::empty().run(["--help"]).ok();
    for use_of_1 in ["`due --exit-code`", "`check`", "`fmt --check`", "conflict"] {
        assert!(help.contains(use_of_1), "{use_of_1}: {help}");
    }
}

#[test]
fn an_unknown_command_suggests_what_was_meant_or_nothing() {
    let log = Log::empty();
    let delete = log.run(["delete", "x"]).fails(2);
    assert!(!delete.contains("escalate"), "{delete}");
    assert!(delete.contains("--opened-in-error"), "{delete}");
    let typo = log.run(["folowup"]).fails(2);
    assert!(typo.contains("'follow-up'"), "{typo}");
    let nonsense = log.run(["xyzzy"]).fails(2);
    assert!(!nonsense.contains("similar"), "{nonsense}");
    let new = log.run(["new"]).fails(2);
    assert!(new.contains("caselog open"), "{new}");
}

#[test]
fn log_credits_the_person_who_acted_beside_the_commit_author() {
    let (log, id) = repository(true);
    let out = log.run(["log", &id]).ok();
    // ana opened the case; Test committed it.
    assert!(
        out.contains("  ana@example.com, committed by Test <test@example.com>  open a case"),
        "{out}"
    );
    log.run(["note", &id, "Checked."])
        .by("test@example.com")
        .ok();
    git_ok(log.path(), &["commit", "-qam", "a note"]);
    let out = log.run(["log", &id]).ok();
    assert!(out.contains("  Test <test@example.com>  a note"), "{out}");
    let json: serde_json::Value =
        serde_json::from_str(&log.run(["log", &id, "--format", "json"]).ok()).unwrap();
    assert_eq!(json[0]["acted"], serde_json::json!(["ana@example.com"]));
}
