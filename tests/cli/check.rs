//! `caselog check`: every problem a hand edit can cause, with its line.

use crate::harness::Log;

/// A log with one resolved, assigned case; returns it and the case's id.
fn log_with_case() -> (Log, String) {
    let log = Log::new();
    let id = log.open(&["--assignee", "ana"]);
    log.run(["note", &id, "--kind", "reply", "Sorry"])
        .at("2026-11-20T10:00:00Z")
        .ok();
    log.run(["resolve", &id, "--summary", "Refunded"])
        .at("2026-11-20T11:00:00Z")
        .ok();
    (log, id)
}

/// Applies `edit` to the case file and returns `check`'s exit code and output.
fn check_after(log: &Log, id: &str, edit: impl Fn(&str) -> String) -> (i32, String) {
    let path = log.case_path(id);
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, edit(&text)).unwrap();
    let out = log.run(["check"]).output();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
    )
}

/// The 1-based line of the first line of `text` starting with `prefix`.
fn line(text: &str, prefix: &str) -> usize {
    text.lines()
        .position(|l| l.starts_with(prefix))
        .expect(prefix)
        + 1
}

#[test]
fn a_clean_log_prints_nothing_and_exits_zero() {
    let (log, _) = log_with_case();
    assert_eq!(log.run(["check"]).ok(), "");
    assert_eq!(Log::new().run(["check"]).ok(), "");
}

#[test]
fn leftover_conflict_markers_are_reported_with_their_lines() {
    let (log, id) = log_with_case();
    let (code, out) = check_after(&log, &id, |t| {
        t.replace(
            "status = \"resolved\"\n",
            "<<<<<<< ours\nstatus = \"resolved\"\n=======\nstatus = \"waiting\"\n>>>>>>> theirs\n",
        )
    });
    assert_eq!(code, 1);
    let path = format!("cases/2026/11/{id}.toml");
    assert!(
        out.contains(&format!("{path}:4: merge conflict marker `<<<<<<<`")),
        "{out}"
    );
    assert!(
        out.contains(&format!("{path}:6: merge conflict marker `=======`")),
        "{out}"
    );
    assert!(
        out.contains(&format!("{path}:8: merge conflict marker `>>>>>>>`")),
        "{out}"
    );
    let stderr = log.run(["show", &id]).fails(2);
    assert!(stderr.contains(":4: merge conflict marker"), "{stderr}");
}

#[test]
fn syntax_types_and_unknown_keys_are_reported_with_their_lines() {
    let (log, id) = log_with_case();
    let (code, out) = check_after(&log, &id, |t| {
        t.replace("[customer]\n", "[customer]\nphone = \"5\"\n")
    });
    assert_eq!(code, 1);
    let text = log.case_text(&id);
    assert!(
        out.contains(&format!(
            "{id}.toml:{}: unknown field `phone`",
            line(&text, "phone")
        )),
        "{out}"
    );
    let (_, out) = check_after(&log, &id, |t| {
        t.replace("phone = \"5\"\n", "")
            .replace("severity = \"normal\"", "severity = 3")
    });
    assert!(
        out.contains(&format!(
            ":{}: invalid type",
            line(&log.case_text(&id), "severity")
        )),
        "{out}"
    );
}

#[test]
fn a_path_that_does_not_match_the_id_is_reported() {
    let (log, id) = log_with_case();
    let wrong_month = log.path().join("cases/2026/10");
    std::fs::create_dir_all(&wrong_month).unwrap();
    std::fs::rename(log.case_path(&id), wrong_month.join(format!("{id}.toml"))).unwrap();
    let out = log.run(["check"]).output();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        stdout.contains(&format!(
            "cases/2026/10/{id}.toml:2: case {id} belongs in cases/2026/11/"
        )),
        "{stdout}"
    );
    let renamed = wrong_month.join("20261001-aaaaa.toml");
    std::fs::rename(wrong_month.join(format!("{id}.toml")), &renamed).unwrap();
    let stdout = String::from_utf8(log.run(["check"]).output().stdout).unwrap();
    assert!(
        stdout.contains(&format!(
            "20261001-aaaaa.toml:2: the id {id} does not match the file name"
        )),
        "{stdout}"
    );
}

#[test]
fn an_archived_case_is_fine_but_a_copy_is_a_duplicate() {
    let (log, id) = log_with_case();
    let archive = log.path().join("cases/archive/2026");
    std::fs::create_dir_all(&archive).unwrap();
    std::fs::copy(log.case_path(&id), archive.join(format!("{id}.toml"))).unwrap();
    let out = String::from_utf8(log.run(["check"]).output().stdout).unwrap();
    assert!(
        out.contains(&format!(
            "cases/2026/11/{id}.toml:1: case {id} is also stored in cases/archive/2026/{id}.toml"
        )),
        "{out}"
    );
    assert!(
        out.contains(&format!(
            "cases/archive/2026/{id}.toml:1: case {id} is also stored in cases/2026/11/{id}.toml"
        )),
        "{out}"
    );
    std::fs::remove_file(log.case_path(&id)).unwrap();
    assert_eq!(
        log.run(["check"]).ok(),
        "",
        "an archived case alone is fine"
    );
}

#[test]
fn events_out_of_order_and_a_status_the_log_contradicts_are_reported() {
    let (log, id) = log_with_case();
    let (code, out) = check_after(&log, &id, |t| {
        t.replace("at = 2026-11-20T10:00:00Z", "at = 2026-11-20T08:00:00Z")
            .replace("status = \"resolved\"", "status = \"closed\"")
    });
    assert_eq!(code, 1);
    let text = log.case_text(&id);
    assert!(
        out.contains(&format!(
            ":{}: event at 2026-11-20T08:00:00Z comes after one at 2026-11-20T09:15:00Z",
            line(&text, "at = 2026-11-20T08:00:00Z")
        )),
        "{out}"
    );
    assert!(out.contains(":4: status is 'closed' but the event log says 'resolved' (last change: resolved at 2026-11-20T11:00:00Z)"), "{out}");
}

#[test]
fn a_resolution_or_follow_up_with_no_event_behind_it_is_reported() {
    let (log, id) = log_with_case();
    let (_, out) = check_after(&log, &id, |t| {
        t.replace(
            "resolved_at = 2026-11-20T11:00:00Z",
            "resolved_at = 2026-11-20T12:00:00Z",
        )
        .replace(
            "[follow_up]\ndue = 2026-11-22T11:00:00Z",
            "[follow_up]\ndue = 2026-11-23T11:00:00Z\nsatisfied = true",
        )
    });
    assert!(
        out.contains("no resolved event at 2026-11-20T12:00:00Z"),
        "{out}"
    );
    assert!(
        out.contains("no follow-up-scheduled event for the due time 2026-11-23T11:00:00Z"),
        "{out}"
    );
    assert!(
        out.contains("satisfied is given but the follow-up is not done"),
        "{out}"
    );
}

#[test]
fn a_case_resolved_and_followed_up_twice_in_one_second_passes_check() {
    // A teammate's clock ahead makes later commands share its time (each
    // is dated no earlier than the last event): two rounds in one second.
    let log = Log::new();
    let id = log.open(&[]);
    let now = "2026-11-20T09:15:00Z";
    for args in [
        vec![
            "resolve",
            &id,
            "--summary",
            "Refunded",
            "--outcome",
            "upheld",
        ],
        vec!["follow-up", &id, "--done", "--satisfied", "no"],
        vec![
            "resolve",
            &id,
            "--summary",
            "Refunded again",
            "--outcome",
            "not-upheld",
        ],
        vec!["follow-up", &id, "--done", "--satisfied", "yes"],
    ] {
        log.run(args).at(now).ok();
    }
    let checked = log.run(["check"]).at(now).output();
    assert!(
        checked.status.success(),
        "{}",
        String::from_utf8_lossy(&checked.stdout)
    );
}

#[test]
fn event_keys_must_fit_the_action_and_the_assignee_the_log() {
    let (log, id) = log_with_case();
    let (_, out) = check_after(&log, &id, |t| {
        t.replace(
            "action = \"reply\"\n",
            "action = \"reply\"\nsatisfied = true\n",
        )
        .replace("assignee = \"ana\"", "assignee = \"ben\"")
    });
    assert!(out.contains("a 'reply' event has no `satisfied`"), "{out}");
    assert!(
        out.contains(":9: assignee is ben but the last assignment was to ana"),
        "{out}"
    );
}

#[test]
fn github_format_prints_annotations() {
    let (log, id) = log_with_case();
    let path = log.case_path(&id);
    let text = log
        .case_text(&id)
        .replace("status = \"resolved\"", "status = \"open\"");
    std::fs::write(&path, text).unwrap();
    let out = log.run(["check", "--format", "github"]).output();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        stdout.starts_with(&format!(
            "::error file=cases/2026/11/{id}.toml,line=4,title=caselog check::status is 'open'"
        )),
        "{stdout}"
    );
}

#[test]
fn named_files_are_checked_alone() {
    let (log, id) = log_with_case();
    let other = log.open(&[]);
    std::fs::write(log.case_path(&other), "broken = [").unwrap();
    let relative = format!("cases/2026/11/{id}.toml");
    assert_eq!(log.run(["check", &relative]).ok(), "");
    let out = log.run(["check"]).output();
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn the_demo_log_passes_check() {
    let log = Log::empty();
    log.run(["check", "--dir", env!("CARGO_MANIFEST_DIR")])
        .at("2026-11-22T09:00:00Z")
        .ok();
}

/// A file made unwritable for the length of a test: by its mode, or, for
/// root (whom modes do not stop), by `chattr +i`, undone when dropped so
/// the folder can be removed.
#[cfg(unix)]
struct Unwritable(std::path::PathBuf, bool);

#[cfg(unix)]
impl Unwritable {
    /// `None` when neither way works here (root on a file system without
    /// the immutable flag).
    fn make(path: &std::path::Path) -> Option<Unwritable> {
        use std::os::unix::fs::PermissionsExt;
        let writable = || std::fs::OpenOptions::new().write(true).open(path).is_ok();
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o444)).unwrap();
        if !writable() {
            return Some(Unwritable(path.to_path_buf(), false));
        }
        let made = std::process::Command::new("chattr")
            .arg("+i")
            .arg(path)
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        (made && !writable()).then(|| Unwritable(path.to_path_buf(), true))
    }
}

#[cfg(unix)]
impl Drop for Unwritable {
    fn drop(&mut self) {
        if self.1 {
            let _ = std::process::Command::new("chattr")
                .arg("-i")
                .arg(&self.0)
                .status();
        }
    }
}

/// `check` only reads the cases, so a log it cannot write (a read-only
/// checkout, as CI may mount one; a lock file of another user's) is
/// still checked, rather than failing on the lock file.
#[cfg(unix)]
#[test]
fn check_validates_a_log_whose_lock_file_it_cannot_write() {
    let log = Log::new();
    let id = log.open(&[]);
    let lock = log.path().join(".caselog.lock");
    assert!(lock.is_file(), "open leaves the lock file");
    let Some(_unwritable) = Unwritable::make(&lock) else {
        eprintln!("skipped: cannot make a file unwritable here");
        return;
    };
    assert_eq!(log.run(["check", "--all"]).ok(), "");
    let path = log.case_path(&id);
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, format!("{text}colour = \"red\"\n")).unwrap();
    let out = log.run(["check", "--all"]).output();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains(&format!("{id}.toml:")), "{stdout}");
}
