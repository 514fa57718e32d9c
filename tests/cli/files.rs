//! What caselog leaves on disk: the exact file it writes, and edits that
//! touch only the lines they must.

use crate::harness::{Log, redact};

#[test]
fn open_prints_only_the_id_and_writes_the_month_folder() {
    let log = Log::new();
    let out = log
        .run([
            "open",
            "--quiet",
            "--title",
            "Late delivery",
            "--customer",
            "Jo",
            "--summary",
            "Two weeks late.",
        ])
        .at("2026-11-22T10:30:00Z")
        .ok();
    let id = out.strip_suffix('\n').expect("one line");
    assert!(!id.contains('\n'));
    assert!(id.starts_with("20261122-") && id.len() == 14, "{id}");
    assert!(
        log.path()
            .join(format!("cases/2026/11/{id}.toml"))
            .is_file()
    );
}

#[test]
fn open_writes_the_canonical_file() {
    let log = Log::new();
    let id = log.open(&[
        "--contact",
        "maria@example.com",
        "--reference",
        "A-1001",
        "--preferred-contact",
        "phone",
        "--channel",
        "email",
        "--category",
        "billing",
        "--severity",
        "high",
        "--tag",
        "refund",
        "--tag",
        "card",
        "--wants",
        "A full refund",
        "--assignee",
        "ben@example.com",
    ]);
    insta::assert_snapshot!(redact(&log.case_text(&id), &id));
}

#[test]
fn unset_optional_fields_are_absent_not_empty() {
    let log = Log::new();
    let id = log.open(&[]);
    let text = log.case_text(&id);
    for key in [
        "category",
        "tags",
        "assignee",
        "contact",
        "reference",
        "preferred_contact",
        "wants",
        "resolution",
        "follow_up",
    ] {
        assert!(!text.contains(key), "{key} should be absent:\n{text}");
    }
    assert!(!text.contains("\"\""), "no empty strings:\n{text}");
}

#[test]
fn annotating_only_appends_lines() {
    let log = Log::new();
    let id = log.open(&[]);
    let before = log.case_text(&id);
    log.run(["note", &id, "Called the bank; refund is on its way."])
        .ok();
    let after = log.case_text(&id);
    assert!(after.starts_with(&before), "the old text must be untouched");
    insta::assert_snapshot!(&after[before.len()..]);
}

#[test]
fn resolving_changes_the_status_line_and_adds_the_resolution() {
    let log = Log::new();
    let id = log.open(&[]);
    let before = log.case_text(&id);
    log.run([
        "resolve",
        &id,
        "--summary",
        "Refunded 45.90 EUR.",
        "--agreed",
    ])
    .ok();
    let after = log.case_text(&id);
    // Every old line but the status line is still there, in order.
    let mut after_lines = after.lines();
    for line in before.lines() {
        let expected = if line == "status = \"open\"" {
            "status = \"resolved\""
        } else {
            line
        };
        assert!(
            after_lines.any(|l| l == expected),
            "lost or moved: {line}\n{after}"
        );
    }
    insta::assert_snapshot!(redact(&after, &id));
}

#[test]
fn a_command_that_changes_nothing_leaves_the_file_byte_identical() {
    let log = Log::new();
    let id = log.open(&["--assignee", "ben@example.com"]);
    log.run(["resolve", &id, "--summary", "Refunded."]).ok();
    log.run(["follow-up", &id, "--at", "2026-11-25T09:00:00Z"])
        .ok();
    let before = log.files();
    let modified = std::fs::metadata(log.case_path(&id))
        .unwrap()
        .modified()
        .unwrap();

    let out = log.run(["assign", &id, "ben@example.com"]).ok();
    assert!(out.contains("nothing changed"), "{out}");
    log.run(["follow-up", &id, "--at", "2026-11-25 09:00"]).ok();

    assert_eq!(log.files(), before);
    assert_eq!(
        std::fs::metadata(log.case_path(&id))
            .unwrap()
            .modified()
            .unwrap(),
        modified
    );
}

#[test]
fn hand_written_comments_and_blank_lines_survive_every_command() {
    let log = Log::new();
    let id = log.open(&["--assignee", "ana@example.com"]);
    let path = log.case_path(&id);
    let text = log
        .case_text(&id)
        .replace(
            "severity = \"normal\"\n",
            "severity = \"normal\" # raised with the manager\n\n",
        )
        .replace(
            "[complaint]\n",
            "# She called twice before writing.\n[complaint]\n",
        )
        .replace("[[events]]\n", "# Log starts here.\n[[events]]\n")
        + "\n# Keep this case for the quarterly review.\n";
    std::fs::write(&path, &text).unwrap();

    let steps: &[&[&str]] = &[
        &["note", &id, "--kind", "reply", "Sorry; looking into it."],
        &["assign", &id, "ben@example.com"],
        &["wait", &id, "--reason", "bank statement"],
        &[
            "note",
            &id,
            "--kind",
            "reply",
            "Statement received, thanks.",
        ],
        &["resolve", &id, "--summary", "Refunded.", "--not-agreed"],
        &["follow-up", &id, "--in", "3d"],
        &[
            "follow-up",
            &id,
            "--done",
            "--satisfied",
            "no",
            "Still unhappy",
        ],
        &[
            "resolve",
            &id,
            "--summary",
            "Refunded again with a voucher.",
            "--agreed",
        ],
        &["reopen", &id, "--reason", "voucher code invalid"],
        &["resolve", &id, "--summary", "New voucher sent."],
        &["follow-up", &id, "--done", "--satisfied", "yes"],
    ];
    for (minute, step) in steps.iter().enumerate() {
        log.run(*step)
            .at(&format!("2026-11-22T10:{minute:02}:00Z"))
            .ok();
    }
    let after = log.case_text(&id);
    for comment in [
        "severity = \"normal\" # raised with the manager\n\n",
        "# She called twice before writing.\n[complaint]",
        "# Log starts here.\n[[events]]",
        "# Keep this case for the quarterly review.",
    ] {
        assert!(after.contains(comment), "lost {comment:?}:\n{after}");
    }
    assert_eq!(log.case_json(&id)["status"], "closed");
}

#[test]
fn a_comment_inside_a_removed_section_moves_instead_of_vanishing() {
    let log = Log::new();
    let id = log.open(&[]);
    log.run(["resolve", &id, "--summary", "Refunded."]).ok();
    let path = log.case_path(&id);
    let text = log.case_text(&id).replace(
        "[follow_up]\n",
        "[follow_up]\n# Customer asked for an evening call.\n",
    );
    std::fs::write(&path, text).unwrap();
    // Reopening drops the pending follow-up section.
    log.run(["reopen", &id, "--reason", "refund bounced"])
        .at("2026-11-22T10:00:00Z")
        .ok();
    let after = log.case_text(&id);
    assert!(!after.contains("[follow_up]"), "{after}");
    assert!(
        after.contains("# Customer asked for an evening call."),
        "{after}"
    );
}

#[test]
fn complaint_text_is_stored_byte_exact() {
    let log = Log::new();
    let summary = "Line one with \"quotes\" and '''.\r\nTriple \"\"\" inside.\n\tTabbed — ünïcödé 👩‍💻\nends with a quote\"";
    let file = log.path().join("summary.txt");
    std::fs::write(&file, summary).unwrap();
    let id = log
        .run([
            "open",
            "--quiet",
            "--title",
            "Odd text",
            "--customer",
            "Zoë \"Z\" O'Neil",
            "--summary-file",
        ])
        .env("IGNORED", "")
        .output();
    assert!(!id.status.success(), "--summary-file needs a value");
    let id = log
        .run([
            "open",
            "--quiet",
            "--title",
            "Odd text",
            "--customer",
            "Zoë \"Z\" O'Neil",
            "--summary-file",
            file.to_str().unwrap(),
        ])
        .ok();
    let id = id.trim();
    let case = log.case_json(id);
    assert_eq!(case["complaint"]["summary"], summary);
    assert_eq!(case["customer"]["name"], "Zoë \"Z\" O'Neil");

    let piped = log
        .run([
            "open",
            "--quiet",
            "--title",
            "From stdin",
            "--customer",
            "Jo",
        ])
        .stdin(summary)
        .ok();
    assert_eq!(log.case_json(piped.trim())["complaint"]["summary"], summary);

    // A pipe's final line break is not part of the text (as `$(…)` drops
    // it): a text ending in one arrives with one more.
    let note = "Said: \"\"\"we'll see\"\"\"\\n — not a newline\n";
    log.run(["note", id, "-"]).stdin(format!("{note}\n")).ok();
    assert_eq!(log.case_json(id)["events"][1]["text"], note);
}

#[test]
fn control_characters_never_reach_the_terminal_raw() {
    let log = Log::new();
    let hostile = "Refund\u{1b}[2J\u{1b}]0;owned\u{7} now \u{202e}txt.exe\u{9b}31m";
    let id = log
        .run([
            "open",
            "--quiet",
            "--title",
            hostile,
            "--customer",
            "Eve\u{1b}[31m",
            "--summary",
            hostile,
        ])
        .ok();
    let id = id.trim();
    log.run(["note", id, hostile]).ok();
    let is_raw = |s: &str| {
        s.chars()
            .any(|c| c.is_control() && c != '\n' || c == '\u{202e}')
    };
    for args in [
        vec!["show", id],
        vec!["list"],
        vec!["show", id, "--format", "toml"],
        vec!["show", id, "--format", "json"],
        vec!["list", "--format", "json"],
    ] {
        let out = log.run(&args).ok();
        assert!(
            !is_raw(&out),
            "{args:?} printed a raw control character: {out:?}"
        );
        assert!(
            out.to_lowercase().contains("\\u{1b}[2j") || out.to_lowercase().contains("\\u001b[2j"),
            "{args:?} should show the escape visibly: {out}"
        );
    }
    // Nor the file itself, so `cat` and `git diff` are safe too.
    assert!(!is_raw(&log.case_text(id)));
    assert_eq!(log.case_json(id)["title"], hostile);
}

#[test]
fn a_repeated_tag_is_stored_once() {
    let log = Log::new();
    let id = log.open(&["--tag", "refund", "--tag", "card", "--tag", "refund"]);
    assert_eq!(
        log.case_json(&id)["tags"],
        serde_json::json!(["refund", "card"])
    );
}

#[test]
fn a_file_with_crlf_line_ends_keeps_them_and_its_texts_read_without_cr() {
    // As git's core.autocrlf checks files out on Windows.
    let log = Log::new();
    let id = log.open(&[]);
    log.run(["note", &id, "line one\nline two"]).ok();
    let path = log.case_path(&id);
    let lf = std::fs::read_to_string(&path).unwrap();
    let crlf = lf.replace('\n', "\r\n");
    std::fs::write(&path, &crlf).unwrap();

    let json = log.case_json(&id);
    assert_eq!(json["events"][1]["text"], "line one\nline two");
    assert_eq!(log.run(["check"]).ok(), "");
    // fmt finds nothing to change, and a change adds only its own lines,
    // ending as the others do.
    log.run(["fmt"]).ok();
    assert_eq!(std::fs::read_to_string(&path).unwrap(), crlf);
    log.run(["note", &id, "third\nline"]).ok();
    let after = std::fs::read_to_string(&path).unwrap();
    assert!(after.starts_with(&crlf), "{after:?}");
    assert!(!after.replace("\r\n", "").contains('\n'), "{after:?}");
    // The same case as from the file with LF ends.
    std::fs::write(&path, after.replace("\r\n", "\n")).unwrap();
    let from_lf = log.case_json(&id);
    std::fs::write(&path, &after).unwrap();
    assert_eq!(log.case_json(&id), from_lf);
    assert_eq!(from_lf["events"][2]["text"], "third\nline");
}

/// `init` adds its lines to a person's `.gitignore`. Truncating the file
/// and writing it again, a full disk (or a kill) part-way left it cut
/// short; it is now written whole beside it and renamed over it, so it
/// is either as it was or with the lines added.
#[test]
fn init_on_a_full_disk_leaves_the_gitignore_as_it_was() {
    let log = Log::empty();
    let gitignore = log.path().join(".gitignore");
    // Larger than the 16 KiB a file may grow to below.
    let text: String = (0..2000).map(|n| format!("/build-{n:05}/\n")).collect();
    std::fs::write(&gitignore, &text).unwrap();
    let out = log.run_limited("-f 16", ["init"]).output();
    assert_eq!(
        out.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let kept = std::fs::read_to_string(&gitignore).unwrap();
    assert!(
        kept == text,
        "the .gitignore holds {} of its {} bytes",
        kept.len(),
        text.len()
    );
    let leftovers: Vec<_> = std::fs::read_dir(log.path())
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".tmp"))
        .collect();
    assert_eq!(leftovers, Vec::<String>::new());
    // With room, it goes through, keeping every line.
    log.run(["init"]).ok();
    let after = std::fs::read_to_string(&gitignore).unwrap();
    assert!(
        after.starts_with(&text) && after.ends_with("/.caselog/\n"),
        "{}",
        &after[text.len().min(after.len())..]
    );
}

/// A write that fails part-way names the file it was writing, and only
/// that: the temporary file it wrote first is caselog's business, but
/// its absolute path (`at path "/…/.caselog-Xb3kQz.tmp"`) was appended
/// to the message wherever the text went through `tempfile`'s own
/// writer: settings, `.gitignore`, the secret, a batch's record.
#[test]
fn a_write_failing_part_way_names_the_file_and_not_its_temporary_file() {
    let log = Log::empty();
    let out = log.run_limited("-f 0", ["init"]).output();
    let init = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(3), "{init}");
    assert_eq!(init.lines().count(), 1, "{init}");
    assert!(init.contains("writing caselog.toml: "), "{init}");

    let log = Log::new();
    std::fs::write(log.path().join("cases.json"), "[]").unwrap();
    let import = log.run_limited("-f 0", ["import", "cases.json"]).fails(3);
    assert_eq!(import.lines().count(), 1, "{import}");
    assert!(import.contains("writing .caselog/secret: "), "{import}");

    for said in [init, import] {
        assert!(!said.contains("at path"), "{said}");
        assert!(!said.contains(".caselog-"), "{said}");
    }
}

/// `init` read the `.gitignore` and `.gitattributes` it adds its lines
/// to through any link: one arriving by `git pull`, pointing out of the
/// log, had its target's text copied into the file git commits (and a
/// FIFO hung it). Now each is refused, naming it, before anything is made.
#[cfg(unix)]
#[test]
fn init_refuses_a_gitignore_or_gitattributes_that_is_a_link_and_makes_nothing() {
    for name in [".gitignore", ".gitattributes"] {
        let log = Log::empty();
        let outside = tempfile::tempdir().unwrap();
        let target = outside.path().join("private");
        std::fs::write(&target, "a line from outside the log\n").unwrap();
        std::os::unix::fs::symlink(&target, log.path().join(name)).unwrap();
        let out = log.run(["init"]).output();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{name}: {stderr}");
        assert!(
            stderr.contains(&format!("{name} is a symbolic link")),
            "{name}: {stderr}"
        );
        assert_eq!(stderr.lines().count(), 1, "{name}: {stderr}");
        let link = std::fs::symlink_metadata(log.path().join(name)).unwrap();
        assert!(link.file_type().is_symlink(), "{name} was replaced");
        assert_eq!(
            std::fs::read_to_string(&target).unwrap(),
            "a line from outside the log\n"
        );
        let made: Vec<_> = std::fs::read_dir(log.path())
            .unwrap()
            .filter_map(Result::ok)
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n != name)
            .collect();
        assert_eq!(made, Vec::<String>::new(), "{name}");
    }
}
