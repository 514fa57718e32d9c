//! The examples in README.md and docs/GUIDE.md, run as written. A
//! ```` ```console ```` block right after a `<!-- runs: fresh -->` (an empty
//! git repository), `<!-- runs: log -->` (where `caselog init` ran) or
//! `<!-- runs: demo -->` (a copy of the demo log) line
//! is replayed in one shell, command by command, and each command must
//! print what the page shows (stdout and stderr as they come). Case ids
//! are made at random, so an id the page shows is matched to the one the
//! run made where they first meet, and stands for it after that. A last
//! line `…` means the page shows only the start of the output.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, ChildStdout};

use crate::harness::Log;

/// Where an example runs.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Setting {
    /// An empty git repository, nothing else.
    Fresh,
    /// A folder where `caselog init` ran.
    Log,
    /// A copy of the demo log (`cases/` and `caselog.toml`).
    Demo,
}

/// One command of an example and what the page shows it printing.
struct Step {
    command: String,
    shown: Vec<String>,
}

/// One runnable console block.
struct Example {
    /// The page and the line of the block's opening fence.
    place: String,
    setting: Setting,
    steps: Vec<Step>,
}

/// The runnable console blocks of a page, in order.
fn examples(page: &str) -> Vec<Example> {
    let root = env!("CARGO_MANIFEST_DIR");
    let text = std::fs::read_to_string(Path::new(root).join(page)).expect("the page");
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let setting = match line.trim() {
            "<!-- runs: fresh -->" => Setting::Fresh,
            "<!-- runs: log -->" => Setting::Log,
            "<!-- runs: demo -->" => Setting::Demo,
            _ => continue,
        };
        let fence = i + 1;
        assert_eq!(
            lines.get(fence).map(|l| l.trim()),
            Some("```console"),
            "{page}:{}: a runs marker must come right before a console block",
            i + 1
        );
        let body = lines[fence + 1..]
            .iter()
            .take_while(|l| l.trim() != "```")
            .map(|l| l.trim_end());
        out.push(Example {
            place: format!("{page}:{}", fence + 1),
            setting,
            steps: steps(body),
        });
    }
    out
}

/// A block's lines as commands (`$ ` lines, with their `\` continuation
/// lines) and what each prints (the lines up to the next command).
fn steps<'a>(body: impl Iterator<Item = &'a str>) -> Vec<Step> {
    let mut steps: Vec<Step> = Vec::new();
    let mut continued = false;
    for line in body {
        if let Some(command) = line.strip_prefix("$ ") {
            steps.push(Step {
                command: command.to_string(),
                shown: Vec::new(),
            });
        } else if continued {
            let step = steps.last_mut().expect("a command to continue");
            step.command.push('\n');
            step.command.push_str(line);
        } else {
            steps
                .last_mut()
                .expect("a block starts with a command")
                .shown
                .push(line.to_string());
        }
        continued = line.ends_with('\\');
    }
    for step in &mut steps {
        while step.shown.last().is_some_and(|l| l.is_empty()) {
            step.shown.pop();
        }
    }
    steps
}

/// One `bash` that runs an example's commands in turn, keeping what they
/// set (`export`, `id=$(…)`) for the next.
struct Shell {
    child: Child,
    input: ChildStdin,
    output: BufReader<ChildStdout>,
}

/// Ends a command's output: no command prints it.
const DONE: &str = "::caselog-docs-test:done::";

impl Shell {
    fn new(log: &Log) -> Shell {
        let mut child = log.shell().spawn().expect("bash starts");
        let mut input = child.stdin.take().expect("piped");
        let output = BufReader::new(child.stdout.take().expect("piped"));
        writeln!(input, "exec 2>&1").expect("bash reads");
        Shell {
            child,
            input,
            output,
        }
    }

    /// Runs `command` (with no input of its own: the shell reads its
    /// commands from the same pipe) and returns what it printed.
    fn run(&mut self, command: &str) -> Vec<String> {
        writeln!(self.input, "{{\n{command}\n}} </dev/null\necho \"{DONE}\"").expect("bash reads");
        self.input.flush().expect("bash reads");
        let mut printed = Vec::new();
        loop {
            let mut line = String::new();
            let read = self.output.read_line(&mut line).expect("bash's output");
            assert!(read > 0, "bash ended during {command:?}: {printed:?}");
            let line = line.trim_end_matches('\n');
            if let Some(before) = line.strip_suffix(DONE) {
                if !before.is_empty() {
                    printed.push(before.to_string());
                }
                break;
            }
            printed.push(line.to_string());
        }
        while printed.last().is_some_and(|l| l.is_empty()) {
            printed.pop();
        }
        printed
    }
}

impl Drop for Shell {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The case ids in `line` (`YYYYMMDD-xxxxx`), in order.
fn case_ids(line: &str) -> Vec<&str> {
    let bytes = line.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i + 14 <= bytes.len() {
        let word = &bytes[i..i + 14];
        let starts = i == 0 || !bytes[i - 1].is_ascii_alphanumeric();
        let ends = bytes.get(i + 14).is_none_or(|b| !b.is_ascii_alphanumeric());
        if starts
            && ends
            && word[..8].iter().all(u8::is_ascii_digit)
            && word[8] == b'-'
            && word[9..]
                .iter()
                .all(|b| b.is_ascii_digit() || b.is_ascii_lowercase())
        {
            out.push(&line[i..i + 14]);
            i += 14;
        } else {
            i += 1;
        }
    }
    out
}

/// `text` with every id the page showed put as the run made it: whole
/// ids, and the short forms (the part after the date) as whole words.
fn as_run(text: &str, ids: &BTreeMap<String, String>) -> String {
    let mut out = text.to_string();
    for (shown, made) in ids {
        out = out.replace(shown.as_str(), made);
    }
    for (shown, made) in ids {
        let (shown, made) = (&shown[9..], &made[9..]);
        let mut replaced = String::new();
        let mut rest = out.as_str();
        while let Some(at) = rest.find(shown) {
            let before = rest[..at].chars().next_back();
            let after = rest[at + shown.len()..].chars().next();
            let alone = |c: Option<char>| c.is_none_or(|c| !c.is_ascii_alphanumeric() && c != '-');
            replaced.push_str(&rest[..at]);
            replaced.push_str(if alone(before) && alone(after) {
                made
            } else {
                shown
            });
            rest = &rest[at + shown.len()..];
        }
        replaced.push_str(rest);
        out = replaced;
    }
    out
}

/// Learns which run-made id each page id stands for, where a shown line
/// and a printed one name as many ids: a printed id the page never shows
/// (`known` holds those it does), of the same day.
fn learn_ids(
    shown: &[String],
    printed: &[String],
    known: &[&str],
    ids: &mut BTreeMap<String, String>,
) {
    for (shown, printed) in shown.iter().zip(printed) {
        let (on_page, made) = (case_ids(shown), case_ids(printed));
        if on_page.len() != made.len() {
            continue;
        }
        for (on_page, made) in on_page.into_iter().zip(made) {
            if on_page != made
                && on_page[..8] == made[..8]
                && !known.contains(&made)
                && !ids.contains_key(on_page)
            {
                ids.insert(on_page.to_string(), made.to_string());
            }
        }
    }
}

fn copy_folder(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("a folder");
    for entry in std::fs::read_dir(from).expect("the folder") {
        let entry = entry.expect("an entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("its type").is_dir() {
            copy_folder(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).expect("a copy");
        }
    }
}

/// Runs an example; returns where it first differs from the page.
fn differences(example: &Example) -> Option<String> {
    let log = match example.setting {
        Setting::Log => Log::new(),
        _ => Log::empty(),
    };
    match example.setting {
        Setting::Log => {}
        Setting::Fresh => {
            let git = std::process::Command::new("git")
                .args(["init", "-q"])
                .current_dir(log.path())
                .env("GIT_CONFIG_GLOBAL", "/dev/null")
                .env("GIT_CONFIG_NOSYSTEM", "1")
                .status()
                .expect("git runs");
            assert!(git.success());
        }
        Setting::Demo => {
            let root = Path::new(env!("CARGO_MANIFEST_DIR"));
            copy_folder(&root.join("cases"), &log.path().join("cases"));
            std::fs::copy(root.join("caselog.toml"), log.path().join("caselog.toml"))
                .expect("the settings");
        }
    }
    let mut shell = Shell::new(&log);
    let mut ids = BTreeMap::new();
    let known: Vec<&str> = example
        .steps
        .iter()
        .flat_map(|s| s.shown.iter().chain([&s.command]))
        .flat_map(|l| case_ids(l))
        .collect();
    for step in &example.steps {
        let printed = shell.run(&as_run(&step.command, &ids));
        learn_ids(&step.shown, &printed, &known, &mut ids);
        let shown: Vec<String> = step.shown.iter().map(|l| as_run(l, &ids)).collect();
        let (shown, printed) = match shown.split_last() {
            Some((last, start)) if last == "…" => {
                (start, &printed[..start.len().min(printed.len())])
            }
            _ => (&shown[..], &printed[..]),
        };
        if shown != printed {
            return Some(format!(
                "{}: `$ {}`\n--- the page shows:\n{}\n--- caselog printed:\n{}",
                example.place,
                step.command,
                shown.join("\n"),
                printed.join("\n")
            ));
        }
    }
    None
}

#[test]
fn the_readme_and_the_guide_show_what_their_examples_print() {
    let examples: Vec<Example> = ["README.md", "docs/GUIDE.md"]
        .into_iter()
        .flat_map(examples)
        .collect();
    assert!(
        examples.len() >= 3,
        "the pages' runnable examples went missing"
    );
    let wrong: Vec<String> = examples.iter().filter_map(differences).collect();
    assert!(
        wrong.is_empty(),
        "{} example(s) print otherwise than the page shows; bring the page up to date:\n\n{}",
        wrong.len(),
        wrong.join("\n\n")
    );
}

#[test]
fn an_example_s_ids_stand_for_the_ones_the_run_made() {
    let mut ids = BTreeMap::new();
    learn_ids(
        &["20261120-h39ys: reply added".into()],
        &["20261120-x2k9q: reply added".into()],
        &["20261120-h39ys"],
        &mut ids,
    );
    assert_eq!(
        as_run(
            "caselog note h39ys; caselog show 20261120-h39ys; h39ysx",
            &ids
        ),
        "caselog note x2k9q; caselog show 20261120-x2k9q; h39ysx"
    );
    // Cases the page shows are in the log already: listed in another
    // order, they are a difference, not other ids.
    let mut ids = BTreeMap::new();
    learn_ids(
        &["20261105-cmst0".into(), "20261108-ky4rs".into()],
        &["20261108-ky4rs".into(), "20261105-cmst0".into()],
        &["20261105-cmst0", "20261108-ky4rs"],
        &mut ids,
    );
    assert!(ids.is_empty(), "{ids:?}");
}
