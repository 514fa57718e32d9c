//! Merging a case edited on two branches: with real git, through
//! `caselog merge-driver`, and without it.

use std::path::Path;
use std::process::Command;

use crate::harness::Log;

/// Runs git in `dir` as a configured user; returns (success, stdout+stderr).
pub fn git(dir: &Path, args: &[&str]) -> (bool, String) {
    git_env(dir, args, &[])
}

/// As [`git`], with more variables in git's environment (which the merge
/// driver git runs inherits).
pub fn git_env(dir: &Path, args: &[&str], vars: &[(&str, &str)]) -> (bool, String) {
    let out = Command::new("git")
        .args([
            "-c",
            "user.name=Test",
            "-c",
            "user.email=test@example.com",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env_remove("CASELOG_DIR")
        .envs(vars.iter().copied())
        .output()
        .expect("git runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

#[track_caller]
pub fn git_ok(dir: &Path, args: &[&str]) -> String {
    let (ok, text) = git(dir, args);
    assert!(ok, "git {args:?} failed: {text}");
    text
}

/// A repository with a case log and one case committed on `main`.
pub fn repository(with_driver: bool) -> (Log, String) {
    let log = Log::empty();
    git_ok(log.path(), &["init", "-q", "-b", "main"]);
    let out = log.run(["init"]).ok();
    assert!(out.contains("registered the merge driver"), "{out}");
    if !with_driver {
        // As in a fresh clone: the attributes, but no driver in git config.
        git_ok(log.path(), &["config", "--remove-section", "merge.caselog"]);
    }
    let id = log.open(&["--assignee", "ana"]);
    git_ok(log.path(), &["add", "-A"]);
    git_ok(log.path(), &["commit", "-q", "-m", "open a case"]);
    (log, id)
}

/// Two branches that work on the same case in different ways.
fn diverge(log: &Log, id: &str, left_assignee: &str) {
    let dir = log.path();
    git_ok(dir, &["checkout", "-q", "-b", "left"]);
    log.run(["note", id, "--kind", "reply", "Sorry, looking"])
        .at("2026-11-20T10:00:00Z")
        .ok();
    log.run(["assign", id, left_assignee])
        .at("2026-11-20T10:05:00Z")
        .ok();
    git_ok(dir, &["commit", "-q", "-am", "left: reply and assign"]);
    git_ok(dir, &["checkout", "-q", "main"]);
    git_ok(dir, &["checkout", "-q", "-b", "right"]);
    log.run(["note", id, "--kind", "call", "Called the courier"])
        .at("2026-11-20T10:30:00Z")
        .ok();
    log.run(["resolve", id, "--summary", "Reshipped"])
        .at("2026-11-20T11:00:00Z")
        .ok();
    git_ok(dir, &["commit", "-q", "-am", "right: call and resolve"]);
    git_ok(dir, &["checkout", "-q", "left"]);
}

#[test]
fn init_registers_the_driver_and_the_attributes() {
    let (log, _) = repository(true);
    let attributes = std::fs::read_to_string(log.path().join(".gitattributes")).unwrap();
    assert!(attributes.contains("cases/**/*.toml merge=caselog"));
    let driver = git_ok(log.path(), &["config", "merge.caselog.driver"]);
    assert!(driver.contains("merge-driver %O %A %B %P %L"), "{driver}");
    let again = log.run(["init", "--git"]).ok();
    assert!(again.starts_with("kept .gitattributes\n"), "{again}");
}

#[test]
fn a_driver_that_cannot_run_leaves_both_sides_between_markers() {
    let (log, id) = repository(true);
    // caselog moved since `init --git` registered it.
    let driver = git_ok(log.path(), &["config", "merge.caselog.driver"]);
    let exe = driver.split("' merge-driver").next().unwrap();
    let moved = driver.replacen(exe, "'/nonexistent/caselog", 1);
    assert_ne!(moved, driver);
    git_ok(
        log.path(),
        &["config", "merge.caselog.driver", moved.trim_end()],
    );
    diverge(&log, &id, "ben");
    let (merged, text) = git(log.path(), &["merge", "--no-edit", "right"]);
    assert!(!merged, "{text}");
    let file = log.case_text(&id);
    assert!(file.contains("<<<<<<< ours"), "{file}");
    assert!(file.contains(">>>>>>> theirs"), "{file}");
    let out = log.run(["check"]).output();
    assert!(!out.status.success());
    let said = String::from_utf8_lossy(&out.stdout) + String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("merge conflict marker"), "{said}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(
            "caselog: the merge driver registered in this clone runs /nonexistent/caselog, which is gone, so git merged the case files line by line: run `caselog init --git`"
        ),
        "{stderr}"
    );
}

#[test]
fn git_merges_two_branches_through_the_driver_keeping_every_event() {
    let (log, id) = repository(true);
    diverge(&log, &id, "ben");
    let (merged, text) = git(log.path(), &["merge", "--no-edit", "right"]);
    assert!(merged, "{text}");
    let case = log.case_json(&id);
    let events: Vec<(String, String)> = case["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["at"].as_str().unwrap().into(),
                e["action"].as_str().unwrap().into(),
            )
        })
        .collect();
    let expected = [
        ("2026-11-20T09:15:00Z", "opened"),
        ("2026-11-20T10:00:00Z", "reply"),
        ("2026-11-20T10:05:00Z", "assigned"),
        ("2026-11-20T10:30:00Z", "call"),
        ("2026-11-20T11:00:00Z", "resolved"),
        ("2026-11-20T11:00:00Z", "follow-up-scheduled"),
    ];
    let expected: Vec<(String, String)> = expected
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    assert_eq!(events, expected);
    assert_eq!(case["status"], "resolved");
    assert_eq!(case["assignee"], "ben");
    log.run(["check"]).ok();
    // The result is canonical: `show --format toml` prints the file as it is.
    assert_eq!(
        log.run(["show", &id, "--format", "toml"]).ok(),
        log.case_text(&id)
    );
}

#[test]
fn without_the_driver_the_conflict_is_visible_and_check_reports_it() {
    let (log, id) = repository(false);
    diverge(&log, &id, "ben");
    let (merged, _) = git(log.path(), &["merge", "--no-edit", "right"]);
    assert!(!merged, "a plain text merge of both appends must conflict");
    let out = log.run(["check"]).output();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        stdout.contains("merge conflict marker `<<<<<<<`"),
        "{stdout}"
    );
    // As in a fresh clone: check says why, and what to run.
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        "caselog: caselog's merge driver is not registered in this clone (git does not clone config), so git merged the case files line by line: run `caselog init --git`, then `git merge --abort` and merge again, to merge them event by event\n"
    );
}

#[test]
fn check_says_when_no_gitattributes_line_sends_case_files_to_the_driver() {
    let (log, id) = repository(true);
    std::fs::write(log.path().join(".gitattributes"), "").unwrap();
    git_ok(log.path(), &["commit", "-q", "-am", "no attributes"]);
    diverge(&log, &id, "ben");
    let (merged, _) = git(log.path(), &["merge", "--no-edit", "right"]);
    assert!(!merged);
    let out = log.run(["check"]).output();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.starts_with(
            "caselog: no .gitattributes line sends case files to caselog's merge driver, so git merged"
        ),
        "{stderr}"
    );
    // With the driver at work, a real conflict is no sign of a gap.
    git_ok(log.path(), &["merge", "--abort"]);
    git_ok(
        log.path(),
        &["checkout", "-q", "HEAD~2", "--", ".gitattributes"],
    );
    git_ok(log.path(), &["commit", "-q", "-am", "attributes back"]);
    git_ok(log.path(), &["checkout", "-q", "right"]);
    log.run(["assign", &id, "cleo"])
        .at("2026-11-20T11:30:00Z")
        .ok();
    git_ok(log.path(), &["commit", "-q", "-am", "right: assign"]);
    git_ok(log.path(), &["checkout", "-q", "left"]);
    let (merged, _) = git(log.path(), &["merge", "--no-edit", "right"]);
    assert!(!merged, "both sides reassigned the case");
    let out = log.run(["check"]).output();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(String::from_utf8(out.stderr).unwrap(), "");
}

#[test]
fn a_field_changed_differently_on_both_sides_is_marked_alone() {
    let (log, id) = repository(true);
    let (merged, text) = merge_assigned_apart(&log, &id);
    assert!(!merged, "{text}");
    assert!(
        text.contains("both sides changed assignee differently"),
        "{text}"
    );
    let file = log.case_text(&id);
    assert!(
        file.contains(
            "<<<<<<< ours\nassignee = \"ben\"\n=======\nassignee = \"carla\"\n>>>>>>> theirs\n"
        ),
        "{file}"
    );
    assert_eq!(
        file.matches("<<<<<<<").count(),
        1,
        "only the assignee is in conflict"
    );
    // Both assignments are in the log, in time order.
    let events_at: Vec<&str> = file.lines().filter(|l| l.starts_with("at = ")).collect();
    assert_eq!(
        events_at,
        [
            "at = 2026-11-20T09:15:00Z",
            "at = 2026-11-20T10:10:00Z",
            "at = 2026-11-20T10:20:00Z"
        ]
    );
    let out = String::from_utf8(log.run(["check"]).output().stdout).unwrap();
    assert!(out.contains(":9: merge conflict marker `<<<<<<<`"), "{out}");
}

#[test]
fn the_driver_keeps_hand_comments_of_our_side() {
    let log = Log::new();
    let id = log.open(&[]);
    let base = log.case_text(&id);
    let ours = base.replace("[complaint]\n", "# Called twice before.\n[complaint]\n")
        + "\n[[events]]\nat = 2026-11-20T10:00:00Z\nby = \"ana\"\naction = \"note\"\ntext = \"ours\"\n";
    let theirs = base.clone()
        + "\n[[events]]\nat = 2026-11-20T11:00:00Z\nby = \"ben\"\naction = \"note\"\ntext = \"theirs\"\n";
    for (name, text) in [("base", &base), ("ours", &ours), ("theirs", &theirs)] {
        std::fs::write(log.path().join(name), text).unwrap();
    }
    log.run([
        "merge-driver",
        "base",
        "ours",
        "theirs",
        &format!("cases/2026/11/{id}.toml"),
    ])
    .ok();
    let merged = std::fs::read_to_string(log.path().join("ours")).unwrap();
    assert_eq!(
        merged,
        ours + "\n[[events]]\nat = 2026-11-20T11:00:00Z\nby = \"ben\"\naction = \"note\"\ntext = \"theirs\"\n"
    );
}

#[test]
fn the_example_pre_commit_hook_refuses_a_broken_staged_case() {
    let (log, id) = repository(true);
    let hook = log.path().join(".git/hooks/pre-commit");
    std::fs::copy(
        concat!(env!("CARGO_MANIFEST_DIR"), "/examples/git-hooks/pre-commit"),
        &hook,
    )
    .unwrap();
    let bin_dir = Path::new(crate::harness::BIN).parent().unwrap();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let commit = |message: &str| {
        Command::new("git")
            .args([
                "-c",
                "user.name=T",
                "-c",
                "user.email=t@example.com",
                "commit",
                "-qam",
                message,
            ])
            .current_dir(log.path())
            .env("PATH", &path)
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .output()
            .unwrap()
    };
    log.run(["note", &id, "fine"])
        .at("2026-11-21T09:00:00Z")
        .ok();
    assert!(commit("a good change").status.success());
    let broken = log
        .case_text(&id)
        .replace("status = \"open\"", "status = \"closed\"");
    std::fs::write(log.case_path(&id), broken).unwrap();
    let refused = commit("a bad change");
    assert!(!refused.status.success());
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&refused.stdout),
        String::from_utf8_lossy(&refused.stderr)
    );
    assert!(
        said.contains("status is 'closed' but the event log says 'open'"),
        "{said}"
    );
}

#[test]
fn a_side_git_takes_for_binary_is_left_whole_between_markers_never_as_ours_alone() {
    let (log, id) = repository(true);
    let dir = log.path();
    let path = log.case_path(&id);
    git_ok(dir, &["checkout", "-q", "-b", "theirs"]);
    log.run(["note", &id, "Their note"])
        .at("2026-11-20T10:00:00Z")
        .ok();
    // A NUL byte: git merge-file refuses the file as binary.
    let mut bytes = std::fs::read(&path).unwrap();
    bytes.extend_from_slice(b"# x \0 y\n");
    std::fs::write(&path, bytes).unwrap();
    git_ok(dir, &["commit", "-q", "-am", "theirs"]);
    git_ok(dir, &["checkout", "-q", "main"]);
    log.run(["note", &id, "Our note"])
        .at("2026-11-20T10:30:00Z")
        .ok();
    git_ok(dir, &["commit", "-q", "-am", "ours"]);
    let (merged, text) = git(dir, &["merge", "--no-edit", "theirs"]);
    assert!(!merged, "{text}");
    assert!(
        text.contains("both versions are left between conflict markers"),
        "{text}"
    );
    assert!(!text.contains("Cannot merge binary files"), "{text}");
    let left = String::from_utf8_lossy(&std::fs::read(&path).unwrap()).into_owned();
    for expected in [
        "<<<<<<< ours",
        "Our note",
        "=======",
        "Their note",
        ">>>>>>> theirs",
    ] {
        assert!(left.contains(expected), "{expected} missing from:\n{left}");
    }
    // `check` stops the commit that would drop either side.
    let check = log.run(["check"]).output();
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&check.stdout),
        String::from_utf8_lossy(&check.stderr)
    );
    assert_eq!(check.status.code(), Some(1), "{said}");
    assert!(said.contains("conflict"), "{said}");
}

/// The driver run as git runs it, on three files in the log's folder;
/// `ours` is replaced by the result.
fn drive(log: &Log, base: &[u8], ours: &[u8], theirs: &[u8]) -> (Option<i32>, String, Vec<u8>) {
    for (name, bytes) in [("O", base), ("A", ours), ("B", theirs)] {
        std::fs::write(log.path().join(name), bytes).unwrap();
    }
    let out = log
        .run(["merge-driver", "O", "A", "B", "cases/2026/11/x.toml", "7"])
        .output();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        std::fs::read(log.path().join("A")).unwrap(),
    )
}

#[test]
fn both_versions_left_between_markers_keep_their_bytes_as_they_were() {
    let log = Log::new();
    let (code, stderr, merged) = drive(&log, b"base\n", b"ours \xff\x00 bytes\n", b"theirs\n");
    assert_eq!(code, Some(1), "{stderr}");
    assert_eq!(
        merged,
        b"<<<<<<< ours\nours \xff\x00 bytes\n=======\ntheirs\n>>>>>>> theirs\n"
    );
}

#[test]
fn a_merge_larger_than_any_case_file_may_be_stops_as_a_conflict() {
    let log = Log::new();
    // Each side adds about 33 MiB of lines, at opposite ends: a clean
    // line merge of 66 MiB.
    let lines = |side: &str| -> Vec<u8> {
        (0..1_000_000)
            .flat_map(|i| format!("{side} line {i:024}\n").into_bytes())
            .collect()
    };
    let base = b"the middle\n".to_vec();
    let ours = [lines("ours"), base.clone()].concat();
    let theirs = [base.clone(), lines("theirs")].concat();
    let (code, stderr, merged) = drive(&log, &base, &ours, &theirs);
    assert!(merged.len() > 64 * 1024 * 1024, "{}", merged.len());
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains("larger than 64 MiB, which no command reads"),
        "{stderr}"
    );
    assert!(merged.starts_with(b"ours line") && merged.ends_with(b"999999\n"));
}

/// `other` assigns the case at `id` to carla, `main` to ben, and `other`
/// is merged into `main`: whether the merge went through, and git's words.
fn merge_assigned_apart(log: &Log, id: &str) -> (bool, String) {
    let dir = log.path();
    git_ok(dir, &["checkout", "-q", "-b", "other"]);
    log.run(["assign", id, "carla"])
        .at("2026-11-20T10:10:00Z")
        .ok();
    git_ok(dir, &["commit", "-q", "-am", "other: assign carla"]);
    git_ok(dir, &["checkout", "-q", "main"]);
    log.run(["assign", id, "ben"])
        .at("2026-11-20T10:20:00Z")
        .ok();
    git_ok(dir, &["commit", "-q", "-am", "main: assign ben"]);
    git(dir, &["merge", "--no-edit", "other"])
}

/// `main` and `side` each add a note to the case at `id`.
fn both_add_a_note(log: &Log, id: &str) {
    let dir = log.path();
    git_ok(dir, &["checkout", "-q", "-b", "side"]);
    log.run(["note", id, "Their note"])
        .at("2026-11-20T10:00:00Z")
        .ok();
    git_ok(dir, &["commit", "-q", "-am", "side"]);
    git_ok(dir, &["checkout", "-q", "main"]);
    log.run(["note", id, "Our note"])
        .at("2026-11-20T10:30:00Z")
        .ok();
    git_ok(dir, &["commit", "-q", "-am", "main"]);
}

#[test]
fn a_wrong_caselog_now_in_the_shell_running_git_does_not_stop_a_merge() {
    let (log, id) = repository(true);
    both_add_a_note(&log, &id);
    let (merged, text) = git_env(
        log.path(),
        &["merge", "--no-edit", "side"],
        &[("CASELOG_NOW", "yesterday")],
    );
    assert!(merged, "{text}");
    let file = log.case_text(&id);
    assert!(
        file.contains("Their note") && file.contains("Our note"),
        "{file}"
    );
}

#[test]
fn a_driver_that_cannot_merge_leaves_both_versions_between_markers_not_ours_alone() {
    // git takes the failure for a conflict and leaves ours as it was:
    // unmarked, `check` would pass it and the commit would drop theirs.
    let log = Log::new();
    let id = log.open(&[]);
    let case = log.case_text(&id);
    let note = |at: &str, text: &str| {
        format!(
            "{case}\n[[events]]\nat = {at}\nby = \"ana\"\naction = \"note\"\ntext = \"{text}\"\n"
        )
    };
    std::fs::write(log.path().join("A"), note("2026-11-22T10:00:00Z", "Ours")).unwrap();
    std::fs::write(log.path().join("B"), note("2026-11-22T11:00:00Z", "Theirs")).unwrap();
    let out = log
        .run([
            "merge-driver",
            "missing-base",
            "A",
            "B",
            &format!("cases/2026/11/{id}.toml"),
            "7",
        ])
        .output();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("reading missing-base"), "{stderr}");
    let merged = std::fs::read_to_string(log.path().join("A")).unwrap();
    assert!(
        merged.starts_with("<<<<<<< ours\n")
            && merged.contains("\"Ours\"")
            && merged.contains("\"Theirs\""),
        "{merged}"
    );
}

#[test]
fn a_revert_of_an_event_stops_as_a_conflict_rather_than_bringing_it_back() {
    let (log, id) = repository(true);
    let dir = log.path();
    log.run(["note", &id, "Meant for another case"])
        .at("2026-11-20T10:00:00Z")
        .ok();
    git_ok(dir, &["commit", "-q", "-am", "wrong note"]);
    log.run(["note", &id, "Called the courier"])
        .at("2026-11-20T10:30:00Z")
        .ok();
    git_ok(dir, &["commit", "-q", "-am", "right note"]);
    // The union of the events would keep the reverted note, silently.
    let (reverted, text) = git(dir, &["revert", "--no-edit", "HEAD~1"]);
    assert!(!reverted, "{text}");
    assert!(
        text.contains("theirs removes or changes the note event of 2026-11-20T10:00:00Z by ana"),
        "{text}"
    );
    let file = log.case_text(&id);
    assert!(file.starts_with("<<<<<<< ours\n"), "{file}");
    assert_eq!(log.run(["check"]).output().status.code(), Some(1));
    // A note deleted by hand on one branch, while another adds one, is
    // the same: both versions go to a person.
    git_ok(dir, &["revert", "--abort"]);
    git_ok(dir, &["checkout", "-q", "-b", "side"]);
    log.run(["note", &id, "Their note"])
        .at("2026-11-20T11:00:00Z")
        .ok();
    git_ok(dir, &["commit", "-q", "-am", "side"]);
    git_ok(dir, &["checkout", "-q", "main"]);
    let deleted = log.case_text(&id).replace(
        "\n[[events]]\nat = 2026-11-20T10:00:00Z\nby = \"ana@example.com\"\naction = \"note\"\ntext = \"Meant for another case\"\n",
        "",
    );
    assert!(!deleted.contains("Meant for"), "{deleted}");
    std::fs::write(log.case_path(&id), deleted).unwrap();
    git_ok(dir, &["commit", "-q", "-am", "delete the wrong note"]);
    let (merged, text) = git(dir, &["merge", "--no-edit", "side"]);
    assert!(!merged, "{text}");
    assert!(
        text.contains("theirs removes or changes") || text.contains("ours removes or changes"),
        "{text}"
    );
}

#[test]
fn a_case_file_with_cr_lf_line_ends_keeps_them_through_a_merge() {
    let log = Log::new();
    let id = log.open(&[]);
    let base = log.case_text(&id);
    let note = |at: &str, text: &str| {
        format!(
            "{base}\n[[events]]\nat = {at}\nby = \"ana\"\naction = \"note\"\ntext = \"{text}\"\n"
        )
    };
    // Ours, in CR LF, adds the later note: theirs' events come first.
    let ours = note("2026-11-22T11:00:00Z", "Ours").replace('\n', "\r\n");
    let theirs = note("2026-11-22T10:00:00Z", "Theirs");
    for (name, text) in [("O", &base), ("A", &ours), ("B", &theirs)] {
        std::fs::write(log.path().join(name), text).unwrap();
    }
    let path = format!("cases/2026/11/{id}.toml");
    log.run(["merge-driver", "O", "A", "B", &path, "7"]).ok();
    let merged = std::fs::read_to_string(log.path().join("A")).unwrap();
    let lines = merged.matches('\n').count();
    assert_eq!(merged.matches("\r\n").count(), lines, "{merged:?}");
    let theirs_at = merged.find("\"Theirs\"").unwrap();
    assert!(theirs_at < merged.find("\"Ours\"").unwrap(), "{merged}");
}

#[test]
fn a_wait_on_one_branch_and_the_customer_s_answer_on_the_other_merge_into_the_status_the_events_say()
 {
    let (log, id) = repository(true);
    let dir = log.path();
    git_ok(dir, &["checkout", "-q", "-b", "side"]);
    log.run(["wait", &id, "--on", "customer", "--reason", "photos"])
        .at("2026-11-20T10:00:00Z")
        .ok();
    git_ok(dir, &["commit", "-q", "-am", "side: wait for photos"]);
    git_ok(dir, &["checkout", "-q", "main"]);
    log.run(["note", &id, "--kind", "customer", "Here are the photos"])
        .at("2026-11-20T10:30:00Z")
        .ok();
    git_ok(dir, &["commit", "-q", "-am", "main: the photos"]);
    let (merged, text) = git(dir, &["merge", "--no-edit", "side"]);
    assert!(merged, "{text}");
    let case = log.case_json(&id);
    assert_eq!(case["status"], "open");
    assert_eq!(case["events"].as_array().unwrap().len(), 3);
    log.run(["check"]).ok();
}

#[test]
fn check_fails_on_a_merge_git_left_unsettled_without_markers() {
    let (log, id) = repository(true);
    let dir = log.path();
    let path = log.case_path(&id);
    let relative = path
        .strip_prefix(dir)
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    git_ok(dir, &["checkout", "-q", "-b", "gone"]);
    git_ok(dir, &["rm", "-q", &relative]);
    git_ok(dir, &["commit", "-q", "-m", "remove the case"]);
    git_ok(dir, &["checkout", "-q", "main"]);
    log.run(["note", &id, "Called back."])
        .at("2026-11-20T10:00:00Z")
        .ok();
    git_ok(dir, &["commit", "-q", "-am", "a note"]);
    let (merged, text) = git(dir, &["merge", "--no-edit", "gone"]);
    assert!(!merged, "{text}");
    // The changed side is left whole, with no marker in it.
    assert!(!log.case_text(&id).contains("<<<<<<<"));
    let out = log.run(["check"]).output();
    assert!(!out.status.success());
    let said = String::from_utf8_lossy(&out.stdout) + String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains("git has not settled a merge of this file"),
        "{said}"
    );
    assert!(said.contains(&id), "{said}");
}

#[test]
fn tags_added_on_two_branches_merge_into_both_and_check_takes_them_as_recorded() {
    let (log, id) = repository(true);
    let dir = log.path();
    git_ok(dir, &["checkout", "-q", "-b", "side"]);
    log.run(["edit", &id, "--add-tag", "courier"])
        .at("2026-11-20T10:00:00Z")
        .ok();
    git_ok(dir, &["commit", "-q", "-am", "side: tag"]);
    git_ok(dir, &["checkout", "-q", "main"]);
    log.run(["edit", &id, "--add-tag", "refund"])
        .at("2026-11-20T10:30:00Z")
        .ok();
    git_ok(dir, &["commit", "-q", "-am", "main: tag"]);
    let (merged, text) = git(dir, &["merge", "--no-edit", "side"]);
    assert!(merged, "{text}");
    assert_eq!(
        log.case_json(&id)["tags"],
        serde_json::json!(["courier", "refund"])
    );
    assert_eq!(log.run(["check"]).ok(), "");
    // Nothing for `fmt --record-edits` to record either.
    let before = log.case_text(&id);
    log.run(["fmt", "--record-edits"]).ok();
    assert_eq!(log.case_text(&id), before);
}

#[test]
fn a_cherry_pick_of_a_commit_without_the_one_before_it_stops_and_says_to_take_that_one_first() {
    let (log, id) = repository(true);
    let dir = log.path();
    git_ok(dir, &["checkout", "-q", "-b", "side"]);
    for (at, text) in [
        ("10:00", "First on the side"),
        ("10:20", "Second on the side"),
    ] {
        log.run(["note", &id, text])
            .at(&format!("2026-11-20T{at}:00Z"))
            .ok();
        git_ok(dir, &["commit", "-q", "-am", text]);
    }
    git_ok(dir, &["checkout", "-q", "main"]);
    log.run(["note", &id, "On main"])
        .at("2026-11-20T10:10:00Z")
        .ok();
    git_ok(dir, &["commit", "-q", "-am", "main"]);
    let (picked, text) = git(dir, &["cherry-pick", "side"]);
    assert!(!picked, "{text}");
    assert!(
        text.contains("ours removes or changes the note event of 2026-11-20T10:00:00Z by ana@example.com that the common ancestor holds, which a merge would bring back (in a cherry-pick or a rebase, ours may never have had it"),
        "{text}"
    );
    // Nothing is lost: both versions are there for a person.
    let file = log.case_text(&id);
    for note in ["On main", "First on the side", "Second on the side"] {
        assert!(file.contains(note), "{file}");
    }
    // Taking the earlier commit first, the pick merges.
    git_ok(dir, &["cherry-pick", "--abort"]);
    git_ok(dir, &["cherry-pick", "side~1", "side"]);
    assert_eq!(log.run(["check"]).ok(), "");
}

/// `id`'s file with `change` made to its text, committed on the branch.
fn hand_edit(log: &Log, id: &str, change: impl FnOnce(&str) -> String) {
    let path = log.case_path(id);
    std::fs::write(&path, change(&log.case_text(id))).unwrap();
    git_ok(log.path(), &["commit", "-q", "-am", "hand edit"]);
}

#[test]
fn a_comment_one_branch_wrote_survives_a_merge_or_stops_it_never_dropped() {
    let (log, id) = repository(true);
    let dir = log.path();
    // Their comment, our note: merged as an edit to their file.
    git_ok(dir, &["checkout", "-q", "-b", "side"]);
    hand_edit(&log, &id, |t| {
        t.replacen("severity", "# legal hold\nseverity", 1)
    });
    git_ok(dir, &["checkout", "-q", "main"]);
    log.run(["note", &id, "Our note"])
        .at("2026-11-20T10:30:00Z")
        .ok();
    git_ok(dir, &["commit", "-q", "-am", "main"]);
    let (merged, text) = git(dir, &["merge", "--no-edit", "side"]);
    assert!(merged, "{text}");
    let file = log.case_text(&id);
    assert!(
        file.contains("# legal hold\nseverity") && file.contains("Our note"),
        "{file}"
    );

    // A comment on each side and events from both interleaved: no side's
    // file can take the merge, so both versions are left whole.
    git_ok(dir, &["checkout", "-q", "-b", "other"]);
    hand_edit(&log, &id, |t| t.replacen("channel", "# theirs\nchannel", 1));
    log.run(["note", &id, "Their note"])
        .at("2026-11-20T11:00:00Z")
        .ok();
    git_ok(dir, &["commit", "-q", "-am", "other"]);
    git_ok(dir, &["checkout", "-q", "main"]);
    hand_edit(&log, &id, |t| t.replacen("title", "# ours\ntitle", 1));
    log.run(["note", &id, "Our second note"])
        .at("2026-11-20T11:30:00Z")
        .ok();
    git_ok(dir, &["commit", "-q", "-am", "main again"]);
    let (merged, text) = git(dir, &["merge", "--no-edit", "other"]);
    assert!(!merged, "{text}");
    assert!(
        text.contains("merged, the case would lose the comment `# "),
        "{text}"
    );
    let file = log.case_text(&id);
    for kept in [
        "# ours",
        "# theirs",
        "# legal hold",
        "Their note",
        "Our second note",
    ] {
        assert!(file.contains(kept), "{kept}: {file}");
    }
}

#[test]
fn a_field_in_conflict_in_a_case_with_a_comment_leaves_both_versions_keeping_it() {
    let (log, id) = repository(true);
    hand_edit(&log, &id, |t| {
        t.replacen("severity", "# keep this\nseverity", 1)
    });
    let (merged, text) = merge_assigned_apart(&log, &id);
    assert!(!merged, "{text}");
    assert!(
        text.contains("both sides changed assignee differently, and marked alone the case would lose the comment `# keep this`"),
        "{text}"
    );
    let file = log.case_text(&id);
    assert_eq!(file.matches("# keep this").count(), 2, "{file}");
}
