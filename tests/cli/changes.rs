//! `caselog changes` and `caselog log`: what commits did to the cases, in
//! the user's words, read through git.

use crate::harness::Log;
use crate::merge::{git_ok, repository};

/// A repository whose second commit does a bit of everything.
fn busy_history() -> (Log, [String; 4]) {
    let (log, kept) = repository(true);
    let dir = log.path();
    let doomed = log.open(&[]);
    let moved = log.open(&[]);
    git_ok(dir, &["add", "-A"]);
    git_ok(dir, &["commit", "-q", "-m", "more cases"]);
    git_ok(dir, &["tag", "before"]);

    log.run(["note", &kept, "--kind", "reply", "Sorry"])
        .at("2026-11-21T09:00:00Z")
        .ok();
    log.run(["note", &kept, "--kind", "reply", "Still on it"])
        .at("2026-11-21T09:10:00Z")
        .ok();
    log.run(["note", &kept, "Internal: check stock"])
        .at("2026-11-21T09:20:00Z")
        .ok();
    log.run(["assign", &kept, "ben"])
        .at("2026-11-21T09:30:00Z")
        .ok();
    log.run([
        "resolve",
        &kept,
        "--summary",
        "Reshipped by express\nwith a note",
    ])
    .at("2026-11-21T10:00:00Z")
    .ok();
    log.run(["follow-up", &kept, "--done", "--satisfied", "yes"])
        .at("2026-11-22T10:00:00Z")
        .ok();
    let text = log
        .case_text(&kept)
        .replace("severity = \"normal\"", "severity = \"high\"");
    std::fs::write(log.case_path(&kept), text).unwrap();
    std::fs::remove_file(log.case_path(&doomed)).unwrap();
    let archive = dir.join("cases/archive");
    std::fs::create_dir_all(&archive).unwrap();
    std::fs::rename(log.case_path(&moved), archive.join(format!("{moved}.toml"))).unwrap();
    let fresh = log
        .run([
            "open",
            "--title",
            "New one",
            "--customer",
            "Di",
            "--summary",
            "S",
        ])
        .at("2026-11-22T11:00:00Z")
        .ok();
    git_ok(dir, &["add", "-A"]);
    git_ok(dir, &["commit", "-q", "-m", "a busy day"]);
    (log, [kept, doomed, moved, fresh.trim().to_string()])
}

#[test]
fn changes_tells_what_a_range_did_to_each_case() {
    let (log, [kept, doomed, moved, fresh]) = busy_history();
    let out = log.run(["changes", "before..HEAD"]).ok();
    let block = |id: &str| -> Vec<String> {
        out.split("\n\n")
            .find(|b| b.starts_with(id))
            .unwrap_or_else(|| panic!("{id} missing from:\n{out}"))
            .lines()
            .skip(1)
            .map(|l| l.trim().to_string())
            .collect()
    };
    assert_eq!(
        block(&kept),
        [
            "2 replies to the customer added",
            "note added",
            "reassigned to ben",
            "resolved: Reshipped by express",
            "follow-up scheduled for 2026-11-23 10:00 UTC",
            "followed up: customer satisfied",
            "closed: customer satisfied at follow-up",
            "severity: \"normal\" → \"high\"",
        ]
    );
    assert_eq!(block(&doomed), ["case file deleted"]);
    assert_eq!(
        block(&moved),
        [format!("moved from cases/2026/11/{moved}.toml")]
    );
    assert_eq!(block(&fresh), ["opened"]);
}

#[test]
fn changes_speaks_markdown_and_json() {
    let (log, [kept, ..]) = busy_history();
    let markdown = log
        .run(["changes", "before..HEAD", "--format", "markdown"])
        .ok();
    assert!(markdown.starts_with("### Case changes ("), "{markdown}");
    assert!(
        markdown.contains(&format!(
            "- **{kept}** Refund not received\n  - 2 replies to the customer added\n"
        )),
        "{markdown}"
    );
    let json: serde_json::Value = serde_json::from_str(
        &log.run(["changes", "before..HEAD", "--format", "json"])
            .ok(),
    )
    .unwrap();
    let entry = json
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == kept.as_str())
        .unwrap();
    assert_eq!(entry["file"], "modified");
    assert_eq!(entry["events"].as_array().unwrap().len(), 8);
    assert_eq!(entry["fields"][0]["key"], "severity");
    let kinds: Vec<&str> = json
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["file"].as_str().unwrap())
        .collect();
    for kind in ["added", "deleted", "renamed", "modified"] {
        assert!(kinds.contains(&kind), "{kinds:?}");
    }
    // A range that touches no case prints nothing.
    assert_eq!(log.run(["changes", "HEAD..HEAD"]).ok(), "");
    let stderr = log.run(["changes", "nosuch..HEAD"]).fails(2);
    assert!(stderr.contains("'nosuch' is not a commit here"), "{stderr}");
    // An empty range (an unset shell variable) is no range, not HEAD..HEAD.
    for empty in ["", "  "] {
        let stderr = log.run(["changes", empty]).fails(2);
        assert!(stderr.contains("the range is empty"), "{stderr}");
    }
}

#[test]
fn log_tells_a_cases_story_commit_by_commit() {
    let (log, [kept, _, moved, _]) = busy_history();
    let out = log.run(["log", &kept]).ok();
    let commits: Vec<&str> = out.split("\n\n").collect();
    assert_eq!(commits.len(), 2, "{out}");
    assert!(
        commits[0].contains("Test <test@example.com>  open a case\n  opened"),
        "{out}"
    );
    assert!(
        commits[1].contains(
            "a busy day\n  2 replies to the customer added\n  note added\n  reassigned to ben"
        ),
        "{out}"
    );
    // It follows a case into the archive.
    let archived = log.run(["log", &moved]).ok();
    assert!(archived.contains("more cases\n  opened"), "{archived}");
    assert!(
        archived.contains(&format!(
            "a busy day\n  moved from cases/2026/11/{moved}.toml"
        )),
        "{archived}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&log.run(["log", &kept, "--format", "json"]).ok()).unwrap();
    assert_eq!(json[1]["subject"], "a busy day");
    assert_eq!(json[1]["change"]["summary"][2], "reassigned to ben");
}

#[test]
fn log_tells_a_merge_what_it_brought_not_that_the_case_was_deleted() {
    let (log, id) = repository(true);
    let dir = log.path();
    git_ok(dir, &["checkout", "-q", "-b", "side"]);
    log.run(["note", &id, "On the side"])
        .at("2026-11-21T09:00:00Z")
        .ok();
    git_ok(dir, &["commit", "-q", "-am", "side"]);
    git_ok(dir, &["checkout", "-q", "main"]);
    log.run(["note", &id, "On main"])
        .at("2026-11-21T10:00:00Z")
        .ok();
    git_ok(dir, &["commit", "-q", "-am", "main"]);
    git_ok(dir, &["merge", "-q", "--no-edit", "side"]);
    let json: serde_json::Value =
        serde_json::from_str(&log.run(["log", &id, "--format", "json"]).ok()).unwrap();
    let merge = json
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["subject"].as_str().unwrap().starts_with("Merge"))
        .expect("the merge is told");
    assert_eq!(merge["change"]["file"], "modified", "{merge}");
    assert_eq!(
        merge["change"]["summary"],
        serde_json::json!(["note added"]),
        "{merge}"
    );
    let text = log.run(["log", &id]).ok();
    assert!(
        !text.contains("deleted") && !text.contains("moved from"),
        "{text}"
    );
}

#[test]
fn changes_tell_the_handling_practice_in_words() {
    let (log, id) = repository(true);
    let dir = log.path();
    git_ok(dir, &["tag", "before"]);
    let steps: [(&str, &[&str]); 5] = [
        (
            "2026-11-21T09:00:00Z",
            &["note", &id, "--kind", "apologised", "Sorry"],
        ),
        (
            "2026-11-21T09:10:00Z",
            &["propose", &id, "Refund", "--pro", "fast"],
        ),
        (
            "2026-11-21T09:20:00Z",
            &["agree", &id, "1", "--how", "phone"],
        ),
        (
            "2026-11-21T09:30:00Z",
            &["escalate", &id, "--to", "lead", "--reason", "Over my limit"],
        ),
        (
            "2026-11-21T10:00:00Z",
            &[
                "resolve",
                &id,
                "--summary",
                "Refunded",
                "--outcome",
                "upheld",
                "--root-cause",
                "Card refunds fail",
                "--redress",
                "Refund",
            ],
        ),
    ];
    for (at, args) in steps {
        log.run(args).at(at).ok();
    }
    git_ok(dir, &["commit", "-q", "-am", "handled"]);
    let out = log
        .run(["changes", "before..HEAD"])
        .at("2026-11-21T11:00:00Z")
        .ok();
    let lines: Vec<&str> = out.lines().skip(1).map(str::trim).collect();
    assert_eq!(
        lines,
        [
            "apologised",
            "option 1 proposed: Refund",
            "customer agreed to option 1 (phone)",
            "escalated to lead: Over my limit",
            "resolved: Refunded (upheld); root cause: Card refunds fail; redress: Refund",
            "follow-up scheduled for 2026-11-23 10:00 UTC",
        ],
        "{out}"
    );
}

#[test]
fn log_follows_a_case_into_a_folder_git_would_quote() {
    // `core.quotepath` (on by default) quotes names with letters beyond
    // ASCII; a quoted name names no file.
    let (log, id) = repository(true);
    let dir = log.path();
    let folder = dir.join("cases/archivé 2026");
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::rename(log.case_path(&id), folder.join(format!("{id}.toml"))).unwrap();
    git_ok(dir, &["add", "-A"]);
    git_ok(dir, &["commit", "-q", "-m", "archive"]);
    log.run(["note", &id, "Archived, then rang"])
        .at("2026-11-21T09:00:00Z")
        .ok();
    git_ok(dir, &["commit", "-q", "-am", "note"]);
    let out = log.run(["log", &id]).ok();
    let commits: Vec<&str> = out.split("\n\n").collect();
    assert_eq!(commits.len(), 3, "{out}");
    assert!(commits[0].ends_with("open a case\n  opened"), "{out}");
    assert!(
        commits[1].contains(&format!("archive\n  moved from cases/2026/11/{id}.toml")),
        "{out}"
    );
    assert!(commits[2].ends_with("note\n  note added\n"), "{out}");
}

#[test]
fn log_tells_a_commit_on_a_branch_against_its_own_parent_not_the_commit_listed_next() {
    let (log, id) = repository(true);
    let dir = log.path();
    git_ok(dir, &["checkout", "-q", "-b", "side"]);
    std::fs::create_dir_all(dir.join("cases/archive")).unwrap();
    git_ok(
        dir,
        &["mv", &format!("cases/2026/11/{id}.toml"), "cases/archive/"],
    );
    git_ok(dir, &["commit", "-q", "-m", "side: archive"]);
    git_ok(dir, &["checkout", "-q", "main"]);
    log.run(["note", &id, "On main"])
        .at("2026-11-21T10:00:00Z")
        .ok();
    git_ok(dir, &["commit", "-q", "-am", "main: note"]);
    git_ok(dir, &["merge", "-q", "--no-edit", "side"]);
    let json: serde_json::Value =
        serde_json::from_str(&log.run(["log", &id, "--format", "json"]).ok()).unwrap();
    let on_main = json
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["subject"] == "main: note")
        .expect("the commit is told");
    assert_eq!(on_main["change"]["file"], "modified", "{on_main}");
    assert_eq!(
        on_main["change"]["summary"],
        serde_json::json!(["note added"]),
        "{on_main}"
    );
}

#[test]
fn log_in_a_shallow_clone_does_not_tell_its_first_commit_as_the_opening() {
    let (log, id) = repository(true);
    log.run(["note", &id, "Later"])
        .at("2026-11-21T10:00:00Z")
        .ok();
    git_ok(log.path(), &["commit", "-q", "-am", "a note"]);
    let clone = tempfile::tempdir().unwrap();
    let url = format!("file://{}", log.path().display());
    git_ok(
        clone.path(),
        &["clone", "-q", "--depth", "1", &url, "shallow"],
    );
    let shallow = clone.path().join("shallow");
    let out = log
        .run(["log", &id])
        .current_dir(&shallow)
        .env_remove("CASELOG_DIR")
        .output();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(!stdout.contains("opened"), "{stdout}");
    assert!(stderr.contains("this clone is shallow"), "{stderr}");
    assert!(stderr.contains("git fetch --unshallow"), "{stderr}");
}

#[test]
fn log_tells_the_first_commit_whatever_log_show_root_says() {
    let (log, id) = repository(true);
    git_ok(log.path(), &["config", "log.showRoot", "false"]);
    let out = log.run(["log", &id]).ok();
    assert!(out.contains("open a case\n  opened"), "{out}");
}

#[test]
fn changes_between_unrelated_histories_says_they_share_no_commit() {
    let (log, _) = repository(true);
    let dir = log.path();
    git_ok(dir, &["checkout", "-q", "--orphan", "other"]);
    git_ok(dir, &["commit", "-q", "--allow-empty", "-m", "unrelated"]);
    let said = log.run(["changes", "main...other"]).fails(2);
    assert!(
        said.starts_with("caselog: 'main' and 'other' have no commit in common here"),
        "{said}"
    );
    assert_eq!(said.lines().count(), 1, "{said}");
}

#[test]
fn a_case_file_that_is_no_case_is_reported_and_the_other_cases_still_told() {
    let (log, id) = repository(true);
    let dir = log.path();
    git_ok(dir, &["tag", "before"]);
    let broken = log.open(&[]);
    log.run(["note", &id, "Fine"])
        .at("2026-11-21T09:00:00Z")
        .ok();
    let text = log.case_text(&broken) + "<<<<<<< ours\n";
    std::fs::write(log.case_path(&broken), text).unwrap();
    git_ok(dir, &["add", "-A"]);
    git_ok(dir, &["commit", "-q", "-m", "a conflict left in"]);
    let out = log.run(["changes", "before..HEAD"]).output();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stdout.contains(&format!("{id}  Refund not received\n  note added")),
        "{stdout}"
    );
    assert!(
        stderr.contains(&format!("cases/2026/11/{broken}.toml at ")),
        "{stderr}"
    );
    // `log` says so too, rather than nothing (or "opened" once it is mended).
    let told = log.run(["log", &broken]).ok();
    assert!(
        told.contains("a conflict left in\n  the case file here is not a valid case: "),
        "{told}"
    );
    std::fs::write(
        log.case_path(&broken),
        log.case_text(&broken).replace("<<<<<<< ours\n", ""),
    )
    .unwrap();
    git_ok(dir, &["commit", "-q", "-am", "mended"]);
    let told = log.run(["log", &broken]).ok();
    assert!(!told.contains("mended\n  opened"), "{told}");
    assert!(
        told.contains("mended\n  the case file before this commit is not a valid case"),
        "{told}"
    );
}

#[test]
fn changes_and_log_outside_git_or_before_any_commit_say_so_in_one_line() {
    let log = Log::new();
    let id = log.open(&[]);
    for args in [vec!["log", id.as_str()], vec!["changes", "HEAD"]] {
        let said = log.run(&args).fails(2);
        assert!(said.contains("is not in a git repository"), "{said}");
        assert_eq!(said.lines().count(), 1, "{said}");
    }
    git_ok(log.path(), &["init", "-q"]);
    assert_eq!(log.run(["log", &id]).ok(), "");
    let said = log.run(["changes", "HEAD"]).fails(2);
    assert_eq!(
        said,
        "caselog: 'HEAD' is not a commit here (this repository has no commits yet)\n"
    );
}

#[test]
fn changes_tells_a_case_moved_and_changed_in_one_commit_as_moved_not_deleted_and_opened() {
    let (log, id) = repository(true);
    let dir = log.path();
    git_ok(dir, &["tag", "before"]);
    std::fs::create_dir_all(dir.join("cases/archive")).unwrap();
    git_ok(
        dir,
        &["mv", &format!("cases/2026/11/{id}.toml"), "cases/archive/"],
    );
    for i in 0..12 {
        log.run([
            "note",
            &id,
            &format!("Note {i}, long enough that git no longer sees the two files as one"),
        ])
        .at(&format!("2026-11-21T10:{:02}:00Z", 10 + i))
        .ok();
    }
    git_ok(dir, &["add", "-A"]);
    git_ok(dir, &["commit", "-q", "-m", "archive and notes"]);
    let listed = git_ok(dir, &["diff", "--name-status", "before", "HEAD"]);
    assert!(listed.starts_with('D'), "git pairs them itself: {listed}");
    let out = log.run(["changes", "before..HEAD"]).ok();
    assert_eq!(
        out,
        format!(
            "{id}  Refund not received\n  moved from cases/2026/11/{id}.toml\n  12 notes added\n"
        )
    );
}

#[test]
fn log_cannot_be_made_to_tell_a_forged_commit_by_a_commit_message() {
    let (log, id) = repository(true);
    let dir = log.path();
    log.run(["note", &id, "Called back."])
        .at("2026-11-20T10:00:00Z")
        .ok();
    // A subject holding the characters an older log split its records and
    // fields on, followed by a made-up commit.
    let forged = format!(
        "a note\u{1e}{}\u{1f}Mallory <m@evil.example>\u{1f}2020-01-01T00:00:00Z\u{1f}resolved by the boss",
        "f".repeat(40)
    );
    git_ok(dir, &["commit", "-q", "-am", &forged]);
    let out = log.run(["log", &id]).output();
    let said = String::from_utf8_lossy(&out.stdout) + String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{said}");
    assert!(!said.contains("Mallory <m@evil.example>  "), "{said}");
    assert!(said.contains("note added"), "{said}");
    let json: serde_json::Value =
        serde_json::from_str(&log.run(["log", &id, "--format", "json"]).ok()).unwrap();
    let commits = json.as_array().unwrap();
    assert_eq!(commits.len(), 2, "{json}");
    assert!(
        commits
            .iter()
            .all(|c| c["author"] != "Mallory <m@evil.example>")
    );
}

#[test]
fn log_tells_the_story_of_a_case_deleted_from_the_log_by_its_id_or_part_of_it() {
    let (log, [_, doomed, _, fresh]) = busy_history();
    for query in [doomed.as_str(), &doomed[doomed.len() - 5..]] {
        let out = log.run(["log", query]).ok();
        let commits: Vec<&str> = out.split("\n\n").collect();
        assert_eq!(commits.len(), 2, "{query}: {out}");
        assert!(commits[0].contains("more cases\n  opened"), "{out}");
        assert!(
            commits[1].contains("a busy day\n  case file deleted"),
            "{out}"
        );
    }
    // A case never in the log is still unknown; so is one never committed.
    let err = log.run(["log", "20260101-zzzzz"]).fails(2);
    assert!(err.contains("no case matches '20260101-zzzzz'"), "{err}");
    std::fs::remove_file(log.case_path(&fresh)).unwrap();
    let err = log.run(["log", &fresh]).fails(2);
    assert!(err.contains(&format!("no case matches '{fresh}'")), "{err}");
}

#[test]
fn a_part_of_an_id_naming_several_deleted_cases_is_refused_with_them() {
    let (log, _) = crate::merge::repository(true);
    let dir = log.path();
    let first = log.open(&[]);
    let second = log.open(&[]);
    git_ok(dir, &["add", "-A"]);
    git_ok(dir, &["commit", "-q", "-m", "two"]);
    git_ok(dir, &["rm", "-q", "-r", "cases"]);
    git_ok(dir, &["commit", "-q", "-m", "none"]);
    let shared = first
        .chars()
        .zip(second.chars())
        .take_while(|(a, b)| a == b)
        .map(|(a, _)| a)
        .collect::<String>();
    let err = log.run(["log", &shared]).fails(2);
    assert!(err.contains(&first) && err.contains(&second), "{err}");
    assert!(err.contains("(deleted)"), "{err}");
}

#[test]
fn a_part_of_an_id_naming_a_case_in_the_log_and_a_deleted_one_is_refused_with_both() {
    let (log, _) = crate::merge::repository(true);
    let dir = log.path();
    // Opened on a day of their own, so the day names these two alone.
    let open = || {
        log.run([
            "open",
            "--quiet",
            "--title",
            "Late",
            "--customer",
            "Jo",
            "--summary",
            "Late.",
        ])
        .at("2026-12-01T09:00:00Z")
        .ok()
        .trim()
        .to_string()
    };
    let (kept, gone) = (open(), open());
    git_ok(dir, &["add", "-A"]);
    git_ok(dir, &["commit", "-q", "-m", "two"]);
    std::fs::remove_file(log.case_path(&gone)).unwrap();
    git_ok(dir, &["commit", "-q", "-am", "one gone"]);
    let err = log.run(["log", "20261201"]).fails(2);
    assert!(
        err.contains(&kept) && err.contains(&format!("{gone} (deleted)")),
        "{err}"
    );
    // The whole id names one case.
    log.run(["log", &kept]).ok();
    log.run(["log", &gone]).ok();
}

#[test]
fn changes_and_log_tell_an_event_taken_away_or_rewritten_never_as_no_change() {
    let (log, id) = repository(true);
    let dir = log.path();
    log.run(["note", &id, "Called, no answer"])
        .at("2026-11-21T10:00:00Z")
        .ok();
    git_ok(dir, &["commit", "-q", "-am", "note"]);
    git_ok(dir, &["tag", "noted"]);
    git_ok(dir, &["revert", "--no-edit", "HEAD"]);
    let told = "note event of 2026-11-21 10:00 UTC by ana@example.com removed";
    let out = log.run(["changes", "noted..HEAD"]).ok();
    assert_eq!(out, format!("{id}  Refund not received\n  {told}\n"));
    let json: serde_json::Value =
        serde_json::from_str(&log.run(["changes", "noted..HEAD", "--format", "json"]).ok())
            .unwrap();
    assert_eq!(json[0]["removed_events"][0]["text"], "Called, no answer");
    assert!(log.run(["log", &id]).ok().ends_with(&format!("  {told}\n")));

    // A note's text rewritten by hand is a change, not a note added.
    git_ok(dir, &["reset", "-q", "--hard", "noted"]);
    let path = log.case_path(&id);
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replace("Called, no answer", "Called, all fine")).unwrap();
    git_ok(dir, &["commit", "-q", "-am", "hand edit"]);
    let out = log.run(["changes", "noted..HEAD"]).ok();
    assert_eq!(
        out,
        format!(
            "{id}  Refund not received\n  note event of 2026-11-21 10:00 UTC by ana@example.com changed\n"
        )
    );
}

#[test]
fn log_tells_an_invalid_case_file_deleted_as_deleted() {
    let (log, id) = repository(true);
    let dir = log.path();
    let path = log.case_path(&id);
    std::fs::write(&path, log.case_text(&id) + "<<<<<<< ours\n").unwrap();
    git_ok(dir, &["commit", "-q", "-am", "a conflict left in"]);
    git_ok(dir, &["rm", "-q", &format!("cases/2026/11/{id}.toml")]);
    git_ok(dir, &["commit", "-q", "-m", "gone"]);
    let told = log.run(["log", &id]).ok();
    assert!(
        told.contains("gone\n  case file deleted (it was not a valid case: "),
        "{told}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&log.run(["log", &id, "--format", "json"]).ok()).unwrap();
    assert_eq!(json[2]["change"]["file"], "deleted");
}

#[test]
fn changes_tells_one_commit_alone_even_the_first_one() {
    let (log, id) = repository(true);
    let dir = log.path();
    log.run(["note", &id, "Called"])
        .at("2026-11-21T09:00:00Z")
        .ok();
    git_ok(dir, &["commit", "-q", "-am", "note"]);
    let first = git_ok(dir, &["rev-list", "--max-parents=0", "HEAD"]);
    let first = first.trim();
    let opened = format!("{id}  Refund not received\n  opened\n");
    assert_eq!(log.run(["changes", &format!("{first}^!")]).ok(), opened);
    assert_eq!(
        log.run(["changes", "HEAD^!"]).ok(),
        format!("{id}  Refund not received\n  note added\n")
    );
    let said = log.run(["changes", "nosuch^!"]).fails(2);
    assert_eq!(said, "caselog: 'nosuch' is not a commit here\n");
}
