//! Card numbers as people really type and paste them — in other
//! groupings, with the separators of web pages and PDFs, in the digits of
//! other scripts — are refused like any other; case ids, dates, phone and
//! order numbers still go through.

use crate::harness::{Log, Run};

const MASKED: &str = "**** **** **** 1111";

/// `open` with this complaint summary.
fn open_with(log: &Log, summary: &str) -> Run {
    log.run([
        "open",
        "-q",
        "--title",
        "t",
        "--customer",
        "c",
        "--summary",
        summary,
    ])
}

#[test]
fn card_numbers_as_people_type_and_paste_them_are_refused_and_nothing_written() {
    let log = Log::new();
    let before = log.files();
    for number in [
        // Groupings other than the printed ones, from a card network.
        "411 111 111 111 1111",
        "41 11 11 11 11 11 11 11",
        "4111 111 111 111 111",
        // Separators pasted from web pages and PDFs.
        "4111\u{A0}1111\u{A0}1111\u{A0}1111",
        "4111\u{202F}1111\u{202F}1111\u{202F}1111",
        "4111\u{2009}1111\u{2009}1111\u{2009}1111",
        "4111\u{2007}1111\u{2007}1111\u{2007}1111",
        "4111\t1111\t1111\t1111",
        "4111.1111.1111.1111",
        "4111/1111/1111/1111",
        "4111\u{2010}1111\u{2010}1111\u{2010}1111",
        "4111\u{2011}1111\u{2011}1111\u{2011}1111",
        "4111\u{2012}1111\u{2012}1111\u{2012}1111",
        "4111\u{2013}1111\u{2013}1111\u{2013}1111",
        "4111\u{2212}1111\u{2212}1111\u{2212}1111",
        "4111 1111\n1111 1111",
        // Invisible characters that web pages and chat apps leave between
        // digits, and what word processors and people type between groups.
        "4111\u{200B}1111\u{200B}1111\u{200B}1111",
        "4111\u{AD}1111\u{AD}1111\u{AD}1111",
        "4111\u{2060}1111\u{2060}1111\u{2060}1111",
        "4111 11\u{FEFF}11 1111 1111",
        "4111 \u{200D}1111 1111 1111",
        "41\u{200B}11111111111111",
        "4111\u{2014}1111\u{2014}1111\u{2014}1111",
        "4111_1111_1111_1111",
        "4111 - 1111 - 1111 - 1111",
        "4111 / 1111 / 1111 / 1111",
        // Digits of other scripts.
        "４１１１ １１１１ １１１１ １１１１",
        "٤١١١ ١١١١ ١١١١ ١١١١",
        "۴۱۱۱ ۱۱۱۱ ۱۱۱۱ ۱۱۱۱",
        "४१११ ११११ ११११ ११११",
        "৪১১১১১১১১১১১১১১১",
    ] {
        let stderr = open_with(&log, &format!("paid with {number}")).fails(2);
        let at = if number.contains('\n') {
            "line 1, character 11"
        } else {
            "character 11"
        };
        assert!(
            stderr.contains(&format!(
                "the complaint summary holds what looks like a payment card number at {at}: card numbers must never be stored; write it masked ({MASKED})"
            )),
            "{number:?}: {stderr}"
        );
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert_eq!(log.files(), before, "{number:?} was written");
    }
}

#[test]
fn a_card_number_after_other_numbers_is_found_and_named_where_it_starts() {
    let log = Log::new();
    for (summary, at) in [
        ("qty 2 4111 1111 1111 1111", "character 7"),
        // 42 and the card pass the check together: still the card is named.
        ("qty 42 4111 1111 1111 1111", "character 8"),
        ("order 12345678 411 111 111 111 1111", "character 16"),
        // Characters, not bytes, before a number of wide digits.
        (
            "Zahlung über ４１１１－１１１１－１１１１－１１１１",
            "character 14",
        ),
        // Japanese has no spaces between words to stop at.
        (
            "支払いは４１１１ １１１１ １１１１ １１１１でした",
            "character 5",
        ),
    ] {
        let stderr = open_with(&log, summary).fails(2);
        assert!(
            stderr.contains(&format!(
                "payment card number at {at}: card numbers must never be stored; write it masked ({MASKED})"
            )),
            "{summary}: {stderr}"
        );
    }
}

#[test]
fn case_ids_dates_phone_and_order_numbers_are_still_accepted() {
    let log = Log::new();
    // Each passes the Luhn check, in digits that start as a network's,
    // or in groups that would be a card's but for how they are written.
    for summary in [
        "Same as case 20261120-00040.",
        "Delivered 30.05.2026 04.07.2026, opened 2026-11-20 09:15.",
        "Call +49 30 1234 5678 11 or +44 7700 900123.",
        "She called from 555-123-4567 555-989-6543.",
        "She called from 555-123-4567 - 555-989-6543.",
        "Orders 61234567 41230000 went missing.",
        "Reference 111 111 111 111 1018.",
    ] {
        open_with(&log, summary).ok();
    }
    assert_eq!(log.run(["check"]).ok(), "");
}

#[test]
fn check_flags_a_card_number_in_digits_of_another_script() {
    let log = Log::new();
    let id = log.open(&[]);
    let path = log.case_path(&id);
    let text = log.case_text(&id);
    let text = text.replacen(
        "\n[customer]",
        "\n# ４１１１\u{3000}１１１１\u{3000}１１１１\u{3000}１１１１\n[customer]",
        1,
    );
    std::fs::write(&path, &text).unwrap();
    let line = text.lines().position(|l| l.contains('４')).unwrap() + 1;
    let out = log.run(["check"]).output();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains(&format!(
            "{id}.toml:{line}: a likely payment card number ({MASKED})"
        )),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn mail_masks_card_numbers_in_any_script_and_separator() {
    let log = Log::new();
    let message = "From: Sam <sam@example.com>\r\n\
        To: support@example.com\r\n\
        Subject: Charged on \u{FF14}\u{FF11}\u{FF11}\u{FF11} \u{FF11}\u{FF11}\u{FF11}\u{FF11} \u{FF11}\u{FF11}\u{FF11}\u{FF11} \u{FF11}\u{FF11}\u{FF11}\u{FF11}\r\n\
        Date: Sat, 21 Nov 2026 12:00:00 +0000\r\n\
        Message-ID: <cards-1@example.com>\r\n\
        Content-Type: text/plain; charset=utf-8\r\n\
        \r\n\
        My card 4111\u{A0}1111\u{A0}1111\u{A0}1111 was charged, and my wife's 5555 5555\r\n\
        5555 4444 too; call me on +44 7700 900123.\r\n";
    let id = log
        .run(["mail", "--quiet"])
        .stdin(message)
        .ok()
        .trim()
        .to_string();
    let text = log.case_text(&id);
    assert!(text.contains("Charged on **** **** **** 1111"), "{text}");
    assert!(
        text.contains("My card **** **** **** 1111 was charged"),
        "{text}"
    );
    assert!(text.contains("wife's **** **** **** 4444 too"), "{text}");
    assert!(text.contains("+44 7700 900123"), "{text}");
    assert!(!text.contains('１') && !text.contains("5555"), "{text}");
    assert_eq!(log.run(["check"]).ok(), "");
}

#[test]
fn people_named_on_a_change_refuse_a_card_number_too() {
    // The log's settings list no `people`, so any name would do.
    let log = Log::new();
    let id = log.open(&[]);
    let before = log.files();
    let open = |flag: &'static str| {
        vec![
            "open",
            "-q",
            "--title",
            "t",
            "--customer",
            "c",
            "--summary",
            "s",
            flag,
            "4111111111111111",
        ]
    };
    for (args, label) in [
        (open("--assignee"), "the assignee"),
        (open("--by"), "the acting person"),
        (
            vec![
                "escalate",
                &id,
                "--to",
                "4111-1111-1111-1111",
                "--reason",
                "Needs a senior",
            ],
            "the person escalated to",
        ),
        (vec!["assign", &id, "4111 1111 1111 1111"], "the assignee"),
        (
            vec!["note", &id, "Called.", "--by", "4111111111111111"],
            "the acting person",
        ),
    ] {
        let stderr = log.run(&args).fails(2);
        assert!(
            stderr.contains(&format!(
                "{label} holds what looks like a payment card number at character 1: card numbers must never be stored; write it masked ({MASKED})"
            )),
            "{args:?}: {stderr}"
        );
        assert!(!stderr.contains("4111"), "{stderr}");
        assert_eq!(log.files(), before, "{args:?} wrote something");
    }
    let stderr = log
        .run(["note", &id, "Called."])
        .env("CASELOG_USER", "4111 1111 1111 1111")
        .fails(2);
    assert!(stderr.contains("the acting person holds"), "{stderr}");
    // A known false positive goes through on request, on the record.
    log.run([
        "assign",
        &id,
        "4111111111111111",
        "--allow-card-like-number",
    ])
    .ok();
    assert!(log.case_text(&id).contains(&format!(
        "allowed_card_like_numbers = [\n    \"{MASKED}\",\n]\n"
    )));
    assert_eq!(log.run(["check"]).ok(), "");
}

/// A case whose summary line is replaced by `line`, by hand; `check`'s
/// report of it.
fn check_with_summary(line: &str) -> (String, usize, String) {
    let log = Log::new();
    let id = log.open(&[]);
    let path = log.case_path(&id);
    let text = log.case_text(&id).replace(
        "summary = \"I cancelled order A-1001 and was promised a refund.\"",
        line,
    );
    std::fs::write(&path, &text).unwrap();
    let at = text.lines().position(|l| l.starts_with("summary")).unwrap() + 1;
    let out = log.run(["check"]).output();
    assert_eq!(out.status.code(), Some(1), "{line}");
    (id, at, String::from_utf8(out.stdout).unwrap())
}

#[test]
fn check_flags_a_card_number_a_file_escapes_or_a_line_break_splits() {
    for (summary, below) in [
        // A tab in a one-line string is written `\t`.
        ("summary = \"paid with 4111\\t1111\\t1111\\t1111\"", 0),
        (
            "summary = \"paid with 4111\\u00A01111\\u00A01111\\u00A01111\"",
            0,
        ),
        ("summary = \"\"\"\npaid with 4111 1111\n1111 1111\"\"\"", 1),
    ] {
        let (id, at, stdout) = check_with_summary(summary);
        assert_eq!(
            stdout,
            format!(
                "cases/{}/{}/{id}.toml:{}: a likely payment card number ({MASKED}), which must never be stored: replace it with that masked form, and purge it from git history if it was committed\n",
                &id[0..4],
                &id[4..6],
                at + below
            ),
            "{summary}"
        );
    }
}

#[test]
fn every_command_that_names_a_person_takes_the_override_its_refusal_names() {
    let log = Log::new();
    let id = log.open(&[]);
    let before = log.files();
    let redact = |extra: &'static str| {
        let mut args = vec![
            "redact",
            id.as_str(),
            "--force",
            "--reason",
            "erasure request",
            "--by",
            "4111111111111111",
        ];
        args.extend([extra].into_iter().filter(|a| !a.is_empty()));
        log.run(args)
    };
    let stderr = redact("").fails(2);
    assert!(
        stderr.contains("the acting person holds") && stderr.contains("--allow-card-like-number"),
        "{stderr}"
    );
    assert_eq!(log.files(), before, "a refused redaction wrote something");
    redact("--allow-card-like-number").ok();
    assert!(log.case_text(&id).contains(&format!(
        "allowed_card_like_numbers = [\n    \"{MASKED}\",\n]\n"
    )));
    // The class: a refusal may name the override to any command that
    // records who acted, so each of them must take it.
    let help = log.run(["--help"]).ok();
    let commands: Vec<&str> = help
        .lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| !l.is_empty())
        .filter(|l| l.starts_with("  ") && !l.starts_with("   "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|&command| command != "help")
        .collect();
    assert!(commands.contains(&"redact"), "{help}");
    let mut with_person = 0;
    for command in commands {
        let help = log.run([command, "--help"]).ok();
        if help.contains("--by <PERSON>") {
            with_person += 1;
            assert!(
                help.contains("--allow-card-like-number"),
                "`{command}` records who acted but has no --allow-card-like-number"
            );
        }
    }
    assert!(with_person >= 15, "only {with_person} commands take --by");
}

#[test]
fn ids_from_elsewhere_that_read_as_cards_are_kept_as_digests_and_still_recognised() {
    let log = Log::new();
    let examples = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/imports");
    let sample = std::fs::read_to_string(examples.join("zendesk-sample.csv")).unwrap();
    let carded = sample.replace(",1041,", ",4111111111111111,");
    assert_ne!(carded, sample);
    std::fs::write(log.path().join("tickets.csv"), carded).unwrap();
    std::fs::copy(
        examples.join("zendesk.toml"),
        log.path().join("zendesk.toml"),
    )
    .unwrap();
    let import = || log.run(["import", "tickets.csv", "--mapping", "zendesk.toml"]);
    let ids = import().ok();
    let tree: String = log
        .files()
        .into_iter()
        .filter(|(path, _)| path.starts_with(log.path().join("cases")))
        .map(|(_, bytes)| String::from_utf8_lossy(&bytes).into_owned())
        .collect();
    assert!(
        !tree.contains("4111111111111111"),
        "a card-like id was stored"
    );
    assert!(tree.contains("(was **** **** **** 1111)"), "{tree}");
    assert!(tree.contains("source_id = \"erased-"), "{tree}");
    // `check`, which reads every line, finds nothing; the same export
    // imported again is recognised by the digest, ticket for ticket.
    assert_eq!(log.run(["check"]).ok(), "");
    let before = log.files();
    let again = import().output();
    assert!(again.status.success());
    assert_eq!(String::from_utf8_lossy(&again.stdout), "");
    assert_eq!(log.files(), before);
    assert!(ids.lines().count() > 1);

    // A Message-ID in caselog's own export.
    let source = Log::new();
    source.open(&["--channel", "email"]);
    let export = source.run(["export", "--format", "json"]).ok();
    let mut cases: serde_json::Value = serde_json::from_str(&export).unwrap();
    cases[0]["events"][0]["message_id"] = "4111111111111111@mail.example".into();
    let target = Log::new();
    std::fs::write(target.path().join("cases.json"), cases.to_string()).unwrap();
    let id = target.run(["import", "cases.json"]).ok();
    let text = target.case_text(id.trim());
    assert!(!text.contains("4111111111111111"), "{text}");
    assert!(text.contains("message_id = \"erased-"), "{text}");
    assert_eq!(target.run(["check"]).ok(), "");
}

/// The digest anyone could compute of an id, by trying card numbers whose
/// last four digits the file shows: what ids holding one were kept as
/// before digests were keyed.
fn unkeyed_digest(id: &str) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(id.as_bytes());
    let hex: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
    format!("erased-{hex}")
}

#[test]
fn an_id_holding_a_card_number_is_kept_keyed_and_old_unkeyed_digests_still_count() {
    let log = Log::new();
    std::fs::write(
        log.path().join("rows.csv"),
        "id,title,customer,opened_at,summary\n4111111111111111,Grinder,Ann,2026-11-01T09:00:00Z,It broke\n",
    )
    .unwrap();
    let import = || log.run(["import", "rows.csv"]).output();
    let out = import();
    assert!(out.status.success(), "{out:?}");
    let id = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let text = log.case_text(&id);
    let unkeyed = unkeyed_digest("4111111111111111");
    assert!(text.contains("source_id = \"erased-"), "{text}");
    assert!(!text.contains(&unkeyed), "trying numbers finds it: {text}");
    let again = import();
    assert_eq!(String::from_utf8_lossy(&again.stdout), "");
    // A case imported by a caselog before keyed digests is still known.
    let keyed = text
        .split("source_id = \"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_string();
    std::fs::write(log.case_path(&id), text.replace(&keyed, &unkeyed)).unwrap();
    let before = log.files();
    let again = import();
    assert!(again.status.success(), "{again:?}");
    assert_eq!(String::from_utf8_lossy(&again.stdout), "");
    assert_eq!(log.files(), before);

    // A Message-ID holding one, delivered twice, is recorded once.
    let mail = "From: Ann <ann@example.com>\nSubject: Grinder\nMessage-ID: <4111111111111111@mail.example>\n\nIt broke.\n";
    let first = log.run(["mail"]).stdin(mail).output();
    assert!(first.status.success(), "{first:?}");
    let first = String::from_utf8_lossy(&first.stdout).into_owned();
    let case = first.split(':').next().unwrap().trim().to_string();
    let text = log.case_text(&case);
    assert!(text.contains("message_id = \"erased-"), "{text}");
    assert!(
        !text.contains(&unkeyed_digest("4111111111111111@mail.example")),
        "trying numbers finds it: {text}"
    );
    let second = log.run(["mail"]).stdin(mail).output();
    let second = String::from_utf8_lossy(&second.stdout);
    assert!(second.contains("already recorded"), "{second}");
}

#[test]
fn an_error_quoting_input_masks_a_card_number_in_it() {
    let log = Log::new();
    let id = log.open(&[]);
    std::fs::write(
        log.path().join("rows.csv"),
        "title,customer,opened_at,summary\nt,c,4111111111111111,s\nt,c,2026-11-01T09:00:00Z,s\n",
    )
    .unwrap();
    let said = [
        log.run(["show", "4111111111111111"]).fails(2),
        log.run(["follow-up", &id, "--at", "4111 1111 1111 1111"])
            .fails(2),
        log.run(["edit", &id, "--severity", "4111111111111111"])
            .fails(2),
        log.run(["import", "rows.csv"]).fails(2),
        // Skipped rows are said as the import goes on, as cron mails it.
        String::from_utf8_lossy(
            &log.run(["import", "rows.csv", "--skip-invalid"])
                .output()
                .stderr,
        )
        .into_owned(),
    ];
    for stderr in said {
        assert!(!stderr.contains("4111111111111111"), "{stderr}");
        assert!(!stderr.contains("4111 1111 1111 1111"), "{stderr}");
        assert!(stderr.contains(MASKED), "{stderr}");
    }
}
