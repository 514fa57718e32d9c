//! Completions that know the log: the shell runs `COMPLETE=SHELL caselog
//! -- caselog …` and gets case ids (with titles), categories, people, tags.

use crate::harness::Log;

fn complete(log: &Log, shell: &str, words: &[&str]) -> String {
    let mut args = vec!["--", "caselog"];
    args.extend_from_slice(words);
    log.run(args)
        .env("COMPLETE", shell)
        .env("_CLAP_COMPLETE_INDEX", (words.len()).to_string())
        .ok()
}

#[test]
fn case_ids_complete_with_their_titles() {
    let log = Log::new();
    let id = log.open(&[]);
    let other = log
        .run([
            "open",
            "--quiet",
            "--title",
            "Mug chipped",
            "--customer",
            "Jo",
            "--summary",
            "S",
        ])
        .at("2026-10-02T09:00:00Z")
        .ok();
    let fish = complete(&log, "fish", &["show", "202611"]);
    assert_eq!(fish, format!("{id}\tRefund not received\n"));
    let both = complete(&log, "fish", &["note", "2026"]);
    assert_eq!(both.lines().count(), 2, "{both}");
    assert!(both.contains(other.trim()), "{both}");
    let bash = complete(&log, "bash", &["resolve", "202611"]);
    assert_eq!(bash.trim(), id);
}

#[test]
fn categories_people_and_tags_complete_from_the_settings_and_the_log() {
    let log = Log::new();
    log.open(&[
        "--category",
        "billing",
        "--assignee",
        "ben@example.com",
        "--tag",
        "refund",
    ]);
    assert_eq!(
        complete(&log, "fish", &["list", "--category", "bi"]),
        "billing\n"
    );
    assert_eq!(
        complete(&log, "fish", &["due", "--for", "b"]),
        "ben@example.com\n"
    );
    assert_eq!(complete(&log, "fish", &["list", "--tag", "re"]), "refund\n");
    std::fs::write(
        log.path().join("caselog.toml"),
        "categories = [\"delivery\", \"product\"]\npeople = [\"ana@example.com\"]\n",
    )
    .unwrap();
    assert_eq!(
        complete(&log, "fish", &["report", "--category", ""]),
        "delivery\nproduct\n"
    );
    assert_eq!(
        complete(&log, "fish", &["list", "--assignee", ""]),
        "ana@example.com\n"
    );
}

#[test]
fn the_static_scripts_still_come_and_a_closed_pipe_is_no_error() {
    let log = Log::new();
    let out = log.run(["completions", "fish"]).ok();
    assert!(out.contains("complete -c caselog"), "{out}");
}

#[test]
fn case_ids_complete_from_the_log_that_dir_names_on_the_line() {
    let log = Log::new();
    let id = log.open(&[]);
    let elsewhere = tempfile::tempdir().unwrap();
    let dir = log.path().to_str().unwrap();
    let words = ["--dir", dir, "show", "202611"];
    let mut args = vec!["--", "caselog"];
    args.extend_from_slice(&words);
    let fish = log
        .run(args)
        .current_dir(elsewhere.path())
        .env("COMPLETE", "fish")
        .ok();
    assert_eq!(fish, format!("{id}\tRefund not received\n"));
}
