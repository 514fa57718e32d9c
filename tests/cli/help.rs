//! Every `--help` is a snapshot, so a change to the interface shows in review.

use crate::harness::Log;

const COMMANDS: &[&str] = &[
    "init",
    "open",
    "annotate",
    "mail",
    "reply",
    "assign",
    "wait",
    "propose",
    "agree",
    "escalate",
    "resolve",
    "follow-up",
    "close",
    "reopen",
    "edit",
    "redact",
    "show",
    "next",
    "similar",
    "search",
    "list",
    "due",
    "report",
    "site",
    "export",
    "import",
    "index",
    "check",
    "fmt",
    "changes",
    "log",
    "merge-driver",
    "completions",
    "man",
];

#[test]
fn every_help_text_is_as_reviewed() {
    let log = Log::empty();
    insta::assert_snapshot!("help", log.run(["--help"]).ok());
    for command in COMMANDS {
        insta::assert_snapshot!(format!("help-{command}"), log.run([command, "--help"]).ok());
    }
}

#[test]
fn every_subcommand_has_a_reviewed_help_text() {
    use clap::CommandFactory;
    let mut listed: Vec<&str> = COMMANDS.to_vec();
    let cli = caselog::cli::Cli::command();
    let mut defined: Vec<&str> = cli
        .get_subcommands()
        .map(|c| c.get_name())
        .filter(|name| *name != "help")
        .collect();
    listed.sort_unstable();
    defined.sort_unstable();
    assert_eq!(listed, defined);
}

#[test]
fn note_is_an_alias_of_annotate() {
    let log = Log::empty();
    assert_eq!(
        log.run(["note", "--help"]).ok(),
        log.run(["annotate", "--help"]).ok()
    );
}

#[test]
fn completions_and_the_man_page_come_from_the_definitions() {
    let log = Log::empty();
    let bash = log.run(["completions", "bash"]).ok();
    assert!(
        bash.contains("follow-up") && bash.contains("--preferred-contact"),
        "bash completions"
    );
    let zsh = log.run(["completions", "zsh"]).ok();
    assert!(zsh.contains("#compdef caselog"));
    let man = log.run(["man"]).ok();
    assert!(
        man.starts_with(".ie") || man.contains(".TH caselog"),
        "{}",
        &man[..200.min(man.len())]
    );
}
