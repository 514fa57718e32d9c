//! Fitting the terminal: tables at 80 and 120 columns, colour only where
//! wanted (and never from case text), and a pager for long output.

use crate::harness::{Log, in_terminal};

/// Opens a case titled `title` on 2026-11-20; its id.
fn open(log: &Log, title: &str, extra: &[&str]) -> String {
    let mut args = vec!["open", "--quiet", "--title", title, "--summary", "Text."];
    if !extra.contains(&"--customer") {
        args.extend(["--customer", "Jo"]);
    }
    args.extend_from_slice(extra);
    log.run(args)
        .at("2026-11-20T09:15:00Z")
        .ok()
        .trim()
        .to_string()
}

/// A log with cases whose names and titles are long.
fn busy_log() -> (Log, Vec<String>) {
    let log = Log::new();
    let mut ids = Vec::new();
    for (title, assignee, severity) in [
        (
            "Charged twice for the August subscription and no refund after three calls",
            "carla.longname@ferncliff.example",
            "critical",
        ),
        ("Order never arrived", "ben@ferncliff.example", "high"),
        (
            "Café wifi keeps disconnecting in the afternoon",
            "ana@ferncliff.example",
            "low",
        ),
    ] {
        ids.push(open(
            &log,
            title,
            &[
                "--assignee",
                assignee,
                "--severity",
                severity,
                "--category",
                "subscription",
                "--customer",
                "Priya Natarajan-Oyelaran",
            ],
        ));
    }
    log.run(["resolve", &ids[1], "--summary", "Reshipped."])
        .ok();
    (log, ids)
}

fn widest(text: &str) -> usize {
    text.lines().map(|l| l.chars().count()).max().unwrap_or(0)
}

#[test]
fn at_80_columns_list_shows_the_essentials_and_shortens_titles() {
    let (log, ids) = busy_log();
    let out = log.run(["list"]).env("COLUMNS", "80").ok();
    assert!(widest(&out) <= 80, "{out}");
    let header: Vec<&str> = out.lines().next().unwrap().split_whitespace().collect();
    assert_eq!(
        header,
        ["ID", "STATUS", "SEVERITY", "AGE", "ASSIGNEE", "TITLE"]
    );
    for id in &ids {
        assert!(out.contains(id.as_str()), "an id is never split: {out}");
    }
    assert!(out.contains("Charged twice for the"), "{out}");
    assert!(out.contains('…'), "{out}");
    assert_eq!(out.lines().count(), 4, "one line per case: {out}");
    assert!(out.contains("critical") && out.contains("1d23h"), "{out}");
}

#[test]
fn a_narrow_terminal_keeps_each_case_on_one_line_with_its_id_status_and_title() {
    let (log, ids) = busy_log();
    for (width, header) in [
        (
            70,
            &["ID", "STATUS", "SEVERITY", "AGE", "ASSIGNEE", "TITLE"][..],
        ),
        (60, &["ID", "STATUS", "SEVERITY", "AGE", "TITLE"][..]),
        (52, &["ID", "STATUS", "SEVERITY", "TITLE"][..]),
        (40, &["ID", "STATUS", "TITLE"][..]),
    ] {
        let out = log.run(["list"]).env("COLUMNS", width.to_string()).ok();
        assert!(widest(&out) <= width, "{width}: {out}");
        let shown: Vec<&str> = out.lines().next().unwrap().split_whitespace().collect();
        assert_eq!(shown, header, "{width}: {out}");
        for id in &ids {
            assert!(out.contains(id.as_str()), "{width}: {out}");
        }
        assert!(out.contains("Charged"), "{width}: {out}");
    }
}

#[test]
fn at_120_columns_list_shows_more_columns() {
    let (log, _) = busy_log();
    let out = log.run(["list"]).env("COLUMNS", "120").ok();
    assert!(widest(&out) <= 120, "{out}");
    let header = out.lines().next().unwrap();
    for column in ["FOLLOW-UP", "OVERDUE"] {
        assert!(header.contains(column), "{column}: {out}");
    }
    assert_eq!(out.lines().count(), 4, "{out}");
}

#[test]
fn list_takes_the_terminal_s_own_width() {
    let (log, _) = busy_log();
    let (code, out) = in_terminal(log.run(["list", "--color", "never"]), 80);
    assert_eq!(code, Some(0));
    assert!(widest(&out) <= 80, "{out}");
    let (_, wide) = in_terminal(log.run(["list", "--color", "never"]), 200);
    assert!(wide.lines().next().unwrap().contains("OPENED"), "{wide}");
}

#[test]
fn piped_list_keeps_every_column_in_full() {
    let (log, _) = busy_log();
    let out = log.run(["list"]).ok();
    assert!(out.contains("and no refund after three calls"), "{out}");
    assert!(out.contains("carla.longname@ferncliff.example"), "{out}");
    assert!(!out.contains('\u{1b}'), "no colour into a pipe: {out}");
}

#[test]
fn colour_shows_on_a_terminal_and_never_comes_from_case_text() {
    let log = Log::new();
    let hostile = open(
        &log,
        "Refund \u{1b}[31mRED\u{1b}[0m \u{e0001}\u{e0033}\u{e0031}\u{e007f}tag",
        &["--severity", "critical"],
    );
    let id = log.open(&["--severity", "high"]);
    log.run(["resolve", &id, "--summary", "Done."]).ok();
    let out = log
        .run(["list", "--color", "always"])
        .at("2026-11-25T10:00:00Z")
        .ok();
    // caselog's own: status, severity, the overdue follow-up.
    assert!(out.contains("\u{1b}[1;31mcritical\u{1b}[0m"), "{out:?}");
    assert!(out.contains("\u{1b}[33mhigh\u{1b}[0m"), "{out:?}");
    assert!(out.contains("\u{1b}[1;31moverdue\u{1b}[0m"), "{out:?}");
    // The title's escapes are shown as text, never sent.
    assert!(out.contains("Refund \\u{1b}[31mRED"), "{out:?}");
    assert!(out.contains("\\u{e0001}"), "{out:?}");
    let line = out.lines().find(|l| l.contains(&hostile)).unwrap();
    let raw: Vec<&str> = line.split('\u{1b}').skip(1).collect();
    assert!(
        raw.iter()
            .all(|s| s.starts_with("[0m") || s.starts_with("[1;31m") || s.starts_with("[36m")),
        "only caselog's own sequences: {line:?}"
    );
    let (_, shown) = in_terminal(log.run(["show", &hostile, "--no-pager"]), 100);
    assert!(shown.contains("\u{1b}[1;31mcritical"), "{shown:?}");
    assert!(!shown.contains("\u{1b}[31mRED"), "{shown:?}");
}

#[test]
fn no_color_and_color_never_turn_colour_off() {
    let (log, _) = busy_log();
    let (_, auto) = in_terminal(log.run(["list"]), 120);
    assert!(auto.contains('\u{1b}'), "colour on a terminal: {auto:?}");
    let (_, no_color) = in_terminal(log.run(["list"]).env("NO_COLOR", "1"), 120);
    assert!(!no_color.contains('\u{1b}'), "{no_color:?}");
    let (_, never) = in_terminal(log.run(["list", "--color", "never"]), 120);
    assert!(!never.contains('\u{1b}'), "{never:?}");
    let due = log
        .run(["due", "--all", "--color", "always"])
        .at("2026-11-25T10:00:00Z")
        .ok();
    assert!(due.contains("\u{1b}[1;31moverdue"), "{due:?}");
}

#[test]
fn long_output_goes_through_the_pager_on_a_terminal_only() {
    let (log, ids) = busy_log();
    let paged = log.path().join("paged.txt");
    let pager = format!("echo \"LESS=$LESS\" > '{0}'; cat >> '{0}'", paged.display());
    let (code, screen) = in_terminal(log.run(["show", &ids[0]]).env("PAGER", &pager), 100);
    assert_eq!(code, Some(0));
    let text = std::fs::read_to_string(&paged).expect("the pager ran");
    assert!(text.starts_with("LESS=FRX\n"), "{text}");
    assert!(
        text.contains(&ids[0]) && text.contains("handling steps"),
        "{text}"
    );
    assert!(!screen.contains("handling steps"), "{screen}");
    std::fs::remove_file(&paged).unwrap();

    // --no-pager, an empty CASELOG_PAGER, and a pipe: no pager.
    for run in [
        log.run(["show", &ids[0], "--no-pager"])
            .env("PAGER", &pager),
        log.run(["show", &ids[0]])
            .env("PAGER", &pager)
            .env("CASELOG_PAGER", ""),
    ] {
        let (_, screen) = in_terminal(run, 100);
        assert!(screen.contains("handling steps"), "{screen}");
        assert!(!paged.exists());
    }
    log.run(["report"]).env("PAGER", &pager).ok();
    assert!(!paged.exists());
    // CASELOG_PAGER wins over PAGER.
    in_terminal(
        log.run(["report"])
            .env("PAGER", "false")
            .env("CASELOG_PAGER", &pager),
        100,
    );
    assert!(paged.exists());
}

#[test]
fn a_pager_that_fails_never_costs_the_output_or_the_exit_code() {
    let (log, ids) = busy_log();
    let (code, screen) = in_terminal(
        log.run(["show", &ids[0]])
            .env("PAGER", "no-such-pager-anywhere"),
        100,
    );
    assert_eq!(code, Some(0));
    assert!(screen.contains("handling steps"), "{screen}");
    // A pager the person quits at once is not an error.
    let (code, _) = in_terminal(log.run(["report"]).env("PAGER", "true"), 100);
    assert_eq!(code, Some(0));
}

#[test]
fn invisible_characters_show_escaped_and_joined_emoji_and_scripts_as_typed() {
    let log = Log::new();
    // An emoji sequence and a Persian word need their joiners; a
    // zero-width space or a joiner between Latin letters only makes a
    // name look like another.
    let title = "Laptop 👩\u{200D}💻 می\u{200C}خواهم";
    let id = open(
        &log,
        title,
        &["--customer", "an\u{200B}a", "--assignee", "b\u{200D}en"],
    );
    for (args, names) in [
        (vec!["list"], &["an\\u{200b}a", "b\\u{200d}en"][..]),
        (vec!["show", id.as_str()], &["an\\u{200b}a"][..]),
        (vec!["due", "--all"], &["b\\u{200d}en"][..]),
        (vec!["search", "Laptop"], &[][..]),
    ] {
        let out = log.run(&args).ok();
        assert!(out.contains(title), "{args:?}: {out}");
        for name in names {
            assert!(out.contains(name), "{args:?}: {name}: {out}");
        }
        assert!(
            !out.contains('\u{200B}') && !out.contains("b\u{200D}en"),
            "{args:?}: {}",
            out.escape_debug()
        );
    }
}

/// How many columns `text` takes on a terminal.
fn columns(text: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(text)
}

#[test]
fn wide_characters_accents_and_emoji_keep_columns_lined_up_and_are_cut_whole() {
    let log = Log::new();
    let japanese = "日本語のタイトルがとても長いですね本当に長いタイトルです";
    let emoji = "Cafe\u{301} 👩\u{200D}💻👩\u{200D}💻👩\u{200D}💻👩\u{200D}💻👍🏽👍🏽🇫🇷🇫🇷 wifi";
    open(&log, japanese, &["--assignee", "山田太郎@example.jp"]);
    open(&log, emoji, &["--assignee", "ben@example.com"]);
    // The title starts at one column on every line of `due`.
    let due = log.run(["due", "--all"]).ok();
    let starts: Vec<usize> = due
        .lines()
        .map(|l| {
            let at = l.find("日本語").or_else(|| l.find("Cafe")).unwrap();
            columns(&l[..at])
        })
        .collect();
    assert!(starts.windows(2).all(|w| w[0] == w[1]), "{starts:?}\n{due}");
    // Cut to the terminal, every line fits and each cut title ends on a
    // whole character: no half emoji sequence, no joiner left dangling.
    for width in 40..=110 {
        let list = log.run(["list"]).env("COLUMNS", width.to_string()).ok();
        for l in list.lines() {
            assert!(columns(l) <= width, "{width}: {l}");
            assert!(
                !l.contains("\u{200D}…") && !l.contains("👍…"),
                "{width}: {l}"
            );
            let flags = l.matches(|c| ('🇦'..='🇿').contains(&c)).count();
            assert_eq!(flags % 2, 0, "{width}: half a flag: {l}");
        }
    }
}

#[test]
fn a_case_opened_under_a_minute_ago_has_a_readable_age() {
    let log = Log::new();
    log.open(&[]);
    log.run([
        "open",
        "--quiet",
        "--title",
        "New",
        "--customer",
        "Jo",
        "--summary",
        "S",
    ])
    .ok();
    let list = log.run(["list"]).ok();
    assert!(list.contains(" <1m "), "{list}");
    assert!(!list.contains("underaminute"), "{list}");
}

#[test]
fn report_tables_fit_the_width_columns_gives_and_are_whole_into_a_pipe() {
    let (log, _) = busy_log();
    let args = ["report", "--since", "30d", "--by", "customer"];
    // The tables, from the first one's header on (the headline above is
    // a sentence, which the terminal wraps).
    let tables = |text: &str| -> Vec<String> {
        text.lines()
            .skip_while(|l| !l.starts_with("measure"))
            .map(|l| l.trim_end_matches('\r').to_string())
            .collect()
    };
    let narrow = log.run(args).env("COLUMNS", "60").ok();
    assert!(!tables(&narrow).is_empty(), "{narrow}");
    for l in tables(&narrow) {
        assert!(columns(&l) <= 60, "{l}\n{narrow}");
    }
    let piped = log.run(args).ok();
    assert!(
        piped.lines().any(|l| columns(l) > 60),
        "nothing to fit: {piped}"
    );
    let mut coloured = args.to_vec();
    coloured.extend(["--color", "never"]);
    let (_, shown) = in_terminal(log.run(coloured), 60);
    for l in tables(&shown) {
        assert!(columns(&l) <= 60, "{l}\n{shown}");
    }
}

#[test]
fn a_search_shows_found_words_in_bold_which_case_text_cannot_fake() {
    let log = Log::new();
    log.run([
        "open",
        "--quiet",
        "--title",
        "Refund",
        "--customer",
        "Jo",
        "--summary",
        "I was charged [twice] and \u{E000}again\u{E001} for August.",
    ])
    .ok();
    let bold = "\u{1b}[1mcharged\u{1b}[0m";
    let shown = log.run(["search", "charged", "--color", "always"]).ok();
    assert!(shown.contains(bold), "{}", shown.escape_debug());
    assert_eq!(
        shown.matches("\u{1b}[1m").count(),
        1,
        "{}",
        shown.escape_debug()
    );
    assert!(shown.contains("[twice]"), "{shown}");
    assert!(!shown.contains('\u{E000}'), "{}", shown.escape_debug());
    // Without colour the found word is between brackets, as JSON has it.
    let plain = log.run(["search", "charged"]).ok();
    assert!(plain.contains("I was [charged] [twice]"), "{plain}");
    let json = log.run(["search", "charged", "--format", "json"]).ok();
    let hits: serde_json::Value = serde_json::from_str(&json).unwrap();
    let snippet = hits[0]["snippet"].as_str().unwrap();
    assert!(snippet.contains("[charged] [twice]"), "{snippet}");
}
