//! E-mail in (`caselog mail`) and out (`caselog reply --send`), with
//! real-looking messages from tests/fixtures/mail and a stand-in
//! sendmail that keeps what it is given.

use std::fs;
use std::path::{Path, PathBuf};

use crate::harness::{Log, redact};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/mail")
        .join(name)
}

fn fixture_bytes(name: &str) -> Vec<u8> {
    fs::read(fixture(name)).expect("the fixture")
}

/// A fixture with `{KEY}` placeholders filled in.
fn filled(name: &str, pairs: &[(&str, &str)]) -> Vec<u8> {
    let mut text = String::from_utf8(fixture_bytes(name)).expect("a UTF-8 fixture");
    for (key, value) in pairs {
        text = text.replace(&format!("{{{key}}}"), value);
    }
    text.into_bytes()
}

/// Runs `caselog mail` on a message; the id of the case it went to.
fn mailed(log: &Log, message: impl Into<Vec<u8>>) -> String {
    log.run(["mail", "--quiet"])
        .stdin(message)
        .ok()
        .trim()
        .to_string()
}

/// Runs `caselog mail` on a message; the text of the case it went to.
fn mailed_case(log: &Log, message: impl Into<Vec<u8>>) -> String {
    log.case_text(&mailed(log, message))
}

/// Runs `caselog mail` on a fixture; the new case's id.
fn mail_in(log: &Log, name: &str) -> String {
    mailed(log, fixture_bytes(name))
}

/// A log whose `[mail] sendmail` is a script keeping each message it is
/// given in `sent.eml` (and failing when `fail` is set); `[mail] from` set.
fn log_with_sendmail(fail: bool) -> Log {
    let log = Log::new();
    let script = log.path().join("sendmail.sh");
    let body = if fail {
        "#!/bin/sh\ncat > /dev/null\necho 'mail queue full' >&2\nexit 75\n"
    } else {
        "#!/bin/sh\n[ \"$1\" = \"-t\" ] || exit 64\ncat > \"$(dirname \"$0\")/sent.eml\"\n"
    };
    fs::write(&script, body).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(&script, fs::Permissions::from_mode(0o755)).unwrap();
    }
    let settings = log.path().join("caselog.toml");
    let mut text = fs::read_to_string(&settings).unwrap();
    text.push_str(&format!(
        "\n[mail]\nsendmail = \"'{}' -t -i\"\nfrom = \"Ferncliff Support <support@ferncliff.example>\"\n",
        script.display()
    ));
    fs::write(&settings, text).unwrap();
    log
}

fn sent(log: &Log) -> String {
    fs::read_to_string(log.path().join("sent.eml")).expect("a message was handed over")
}

#[test]
fn an_email_opens_a_case_from_its_sender_subject_and_text() {
    let log = Log::new();
    let out = log.run(["mail"]).stdin(fixture_bytes("plain.eml")).output();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let id = String::from_utf8(out.stdout).unwrap().trim().to_string();
    assert!(
        id.starts_with("20261120-"),
        "dated by its Date: header: {id}"
    );
    insta::assert_snapshot!(redact(&log.case_text(&id), &id));
}

#[test]
fn mail_from_a_file_is_read_like_mail_on_standard_input() {
    let log = Log::new();
    let file = fixture("plain.eml");
    let id = log
        .run(["mail", "--quiet", file.to_str().unwrap()])
        .ok()
        .trim()
        .to_string();
    assert!(
        log.case_text(&id)
            .contains("title = \"Refund not received\"")
    );
}

#[test]
fn a_repeat_customer_is_named_as_open_names_one() {
    let log = Log::new();
    let first = log
        .run([
            "open",
            "--quiet",
            "--title",
            "Coffee stale",
            "--customer",
            "Maria",
            "--contact",
            "maria@example.com",
            "--summary",
            "The beans were stale.",
        ])
        .at("2026-10-01T09:00:00Z")
        .ok()
        .trim()
        .to_string();
    let out = log.run(["mail"]).stdin(fixture_bytes("plain.eml")).output();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "this customer complained before (1 earlier case): {first}"
        )),
        "{stderr}"
    );
}

#[test]
fn attachments_are_listed_and_saved_only_inside_the_folder_given() {
    let log = Log::new();
    let dir = log.path().join("incoming");
    let id = log
        .run(["mail", "--quiet", "--attachments", "incoming"])
        .stdin(fixture_bytes("multipart-attachment.eml"))
        .ok()
        .trim()
        .to_string();
    let text = log.case_text(&id);
    assert!(
        text.contains("Attachments: invoice B-2207.pdf (77 bytes), bashrc (69 bytes)"),
        "{text}"
    );
    assert!(
        !text.contains("%PDF"),
        "the files are not in the case: {text}"
    );
    let saved: Vec<String> = fs::read_dir(dir.join(&id))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    assert_eq!(saved, ["bashrc", "invoice B-2207.pdf"]);
    assert!(
        fs::read(dir.join(&id).join("invoice B-2207.pdf"))
            .unwrap()
            .starts_with(b"%PDF")
    );
    // "../../.bashrc" went nowhere else, and no staging folder is left.
    assert!(!log.path().join(".bashrc").exists());
    assert_eq!(fs::read_dir(&dir).unwrap().count(), 1);
    // The text is the plain part, soft line breaks joined.
    assert!(
        text.contains("arrived today with a cracked hopper."),
        "{text}"
    );
}

#[test]
fn attachments_named_as_windows_devices_are_saved_under_names_windows_can_open() {
    let log = Log::new();
    let mut message = String::from(
        "From: tom@example.com\nSubject: Logs\nMessage-ID: <devices@example.com>\nContent-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\nLogs attached.\n",
    );
    for name in ["CON", "nul.txt", "Com1.log", "aux.tar.gz", "console.txt"] {
        message.push_str(&format!(
            "--b\nContent-Type: application/octet-stream\nContent-Disposition: attachment; filename=\"{name}\"\n\nxy\n"
        ));
    }
    message.push_str("--b--\n");
    let id = log
        .run(["mail", "--quiet", "--attachments", "incoming"])
        .stdin(message)
        .ok();
    let id = id.trim();
    let saved: std::collections::BTreeSet<String> =
        fs::read_dir(log.path().join("incoming").join(id))
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
    assert_eq!(
        saved.into_iter().collect::<Vec<_>>(),
        [
            "_CON",
            "_Com1.log",
            "_aux.tar.gz",
            "_nul.txt",
            "console.txt"
        ]
    );
    let text = log.case_text(id);
    assert!(
        text.contains("Attachments: _CON (2 bytes), _nul.txt (2 bytes), _Com1.log (2 bytes), _aux.tar.gz (2 bytes), console.txt (2 bytes)"),
        "{text}"
    );
}

#[test]
fn a_one_byte_attachment_is_listed_as_one_byte() {
    let log = Log::new();
    let message = "From: tom@example.com\nSubject: Flag\nMessage-ID: <one-byte@example.com>\nContent-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\nSee the flag file.\n--b\nContent-Type: application/octet-stream\nContent-Disposition: attachment; filename=\"flag\"\n\n1\n--b--\n";
    let text = mailed_case(&log, message);
    assert!(text.contains("Attachments: flag (1 byte)\"\"\""), "{text}");
}

#[cfg(unix)]
#[test]
fn an_attachments_folder_that_is_a_link_is_refused_and_nothing_written() {
    let log = Log::new();
    let elsewhere = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(elsewhere.path(), log.path().join("incoming")).unwrap();
    let before = log.files();
    let err = log
        .run(["mail", "--attachments", "incoming"])
        .stdin(fixture_bytes("multipart-attachment.eml"))
        .fails(2);
    assert!(err.contains("is not a folder"), "{err}");
    assert_eq!(log.files(), before);
    assert_eq!(fs::read_dir(elsewhere.path()).unwrap().count(), 0);
}

#[test]
fn a_latin1_quoted_printable_message_reads_as_text() {
    let log = Log::new();
    let id = mail_in(&log, "latin1-qp.eml");
    let text = log.case_text(&id);
    for expected in [
        "title = \"Café moulu trop fin – commande C-3310\"",
        "name = \"Jérôme Faure\"",
        "contact = \"jerome.faure@example.fr\"",
        "pour ma cafetière à piston. J'aimerais un échange.",
        "opened_at = 2026-11-22T06:30:00Z",
    ] {
        assert!(text.contains(expected), "{expected} in\n{text}");
    }
}

#[test]
fn an_eight_bit_latin1_body_without_a_charset_keeps_its_accents() {
    let log = Log::new();
    let mut message = b"From: =?utf-8?q?Ren=C3=A9?= <rene@example.com>\nSubject: Caf\xe9 froid\nMessage-ID: <latin1@example.com>\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n".to_vec();
    message.extend(b"Mon caf\xe9 est arriv\xe9 froid. \xc0 rembourser: 12 \x80.\n");
    let text = mailed_case(&log, message);
    assert!(
        text.contains("summary = \"Mon café est arrivé froid. À rembourser: 12 €.\""),
        "{text}"
    );
    assert!(text.contains("title = \"Café froid\""), "{text}");
    assert!(!text.contains('\u{FFFD}'), "{text}");
}

#[test]
fn utf8_text_labelled_latin1_reads_as_utf8() {
    let log = Log::new();
    for (n, (content_type, encoding, body)) in [
        (
            "text/plain; charset=iso-8859-1",
            "8bit",
            "Mon café est arrivé froid: 12 €.",
        ),
        (
            "text/html; charset=windows-1252",
            "quoted-printable",
            "<p>Mon caf=C3=A9 est arriv=C3=A9 froid: 12 =E2=82=AC.</p>",
        ),
    ]
    .into_iter()
    .enumerate()
    {
        let message = format!(
            "From: rene@example.com\nSubject: Froid\nMessage-ID: <mislabelled-{n}@example.com>\nContent-Type: {content_type}\nContent-Transfer-Encoding: {encoding}\n\n{body}\n"
        );
        let text = mailed_case(&log, message);
        assert!(
            text.contains("summary = \"Mon café est arrivé froid: 12 €.\""),
            "{text}"
        );
    }
}

#[test]
fn a_message_saved_with_a_byte_order_mark_is_read() {
    let log = Log::new();
    // From: first, as a mail program saves a message it shows.
    let plain = String::from_utf8(fixture_bytes("plain.eml")).unwrap();
    let from = plain.find("From: ").unwrap();
    let mut message = b"\xef\xbb\xbf".to_vec();
    message.extend(&plain.as_bytes()[from..]);
    let file = log.path().join("saved.eml");
    fs::write(&file, message).unwrap();
    let id = log.run(["mail", "--quiet", "saved.eml"]).ok();
    let text = log.case_text(id.trim());
    assert!(text.contains("contact = \"maria@example.com\""), "{text}");
    assert!(text.contains("title = \"Refund not received\""), "{text}");
}

#[test]
fn a_subject_and_name_in_utf8_said_to_be_latin1_read_as_utf8() {
    let log = Log::new();
    let message = "From: =?iso-8859-1?Q?Ren=C3=A9_Lef=C3=A8vre?= <rene@example.com>\nSubject: =?iso-8859-1?Q?Caf=C3=A9_froid?=\nMessage-ID: <mislabelled-header@example.com>\n\nCold.\n";
    let text = mailed_case(&log, message);
    assert!(text.contains("title = \"Café froid\""), "{text}");
    assert!(text.contains("name = \"René Lefèvre\""), "{text}");
}

#[test]
fn mail_with_an_empty_plain_text_alternative_keeps_the_words_of_its_html() {
    let log = Log::new();
    let message = "From: tom@example.com\nSubject: Grinder\nMessage-ID: <empty-alt@example.com>\nContent-Type: multipart/alternative; boundary=A\n\n--A\nContent-Type: text/plain; charset=utf-8\n\n\n--A\nContent-Type: text/html; charset=utf-8\n\n<p>The grinder <b>died</b> after a week.</p>\n--A--\n";
    let text = mailed_case(&log, message);
    assert!(
        text.contains("summary = \"The grinder died after a week.\""),
        "{text}"
    );
}

#[test]
fn japanese_mail_in_shift_jis_and_iso_2022_jp_reads_as_written() {
    let log = Log::new();
    let mut message = b"From: =?ISO-2022-JP?B?GyRCOzNFRBsoQg==?= <yamada@example.jp>\nSubject: =?shift_jis?B?g2WDWINn?=\nMessage-ID: <sjis@example.jp>\nContent-Type: text/plain; charset=shift_jis\n\n".to_vec();
    message.extend(b"\x83\x65\x83\x58\x83\x67\n");
    let text = mailed_case(&log, message);
    assert!(text.contains("title = \"テスト\""), "{text}");
    assert!(text.contains("name = \"山田\""), "{text}");
    assert!(text.contains("summary = \"テスト\""), "{text}");
}

#[test]
fn html_only_mail_is_recorded_as_text_without_markup() {
    let log = Log::new();
    let id = mail_in(&log, "html-only.eml");
    let text = log.case_text(&id);
    assert!(
        text.contains("My subscription was charged twice this month.\n\nPlease refund one of the charges & confirm."),
        "{text}"
    );
    for raw in ["<p>", "<b>", "alert", "color: red", "&amp;"] {
        assert!(!text.contains(raw), "{raw} in\n{text}");
    }
}

#[test]
fn a_reply_naming_the_case_is_a_message_from_the_customer_without_the_quote() {
    let log = Log::new();
    let id = log.open(&["--contact", "maria@example.com", "--channel", "email"]);
    log.run([
        "wait",
        &id,
        "--on",
        "customer",
        "--reason",
        "bank statement",
    ])
    .at("2026-11-20T10:00:00Z")
    .ok();
    let before = log.case_text(&id);
    let short = &id[9..];
    let out = log
        .run(["mail"])
        .stdin(filled("reply-to-case.eml", &[("ID", short)]))
        .ok();
    assert_eq!(
        out,
        format!("{id}: e-mail from the customer added; back to open\n")
    );
    let after = log.case_text(&id);
    let added = after.strip_prefix(&before.replace("status = \"waiting\"", "status = \"open\""));
    let added = added.expect("only appended, and the status line changed");
    insta::assert_snapshot!(added.replace(short, "<SHORT-ID>"));
    assert_eq!(log.case_json(&id)["status"], "open");
}

#[test]
fn a_reply_telling_what_someone_wrote_keeps_the_customers_words_after_it() {
    let log = Log::new();
    let id = log.open(&["--contact", "maria@example.com", "--channel", "email"]);
    let message = message_from(
        "maria@example.com",
        &format!("Re: Refund [caselog {id}]"),
        "told@example.com",
        "Thanks for the reply.\n\nOn Monday your driver wrote:\n\"the parcel was delivered\"\n\nThat is not true! Nobody came.\n\nOn Sun, 22 Nov 2026 at 08:00, Ferncliff <support@ferncliff.example> wrote:\n> Our driver says it was delivered.",
    );
    log.run(["mail"]).stdin(message).ok();
    let text = log.case_text(&id);
    assert!(
        text.ends_with("Thanks for the reply.\n\nOn Monday your driver wrote:\n\"the parcel was delivered\"\n\nThat is not true! Nobody came.\"\"\"\n"),
        "{text}"
    );
}

#[test]
fn the_answer_to_a_reply_on_a_case_whose_title_names_another_case_comes_back_to_it() {
    let log = log_with_sendmail(false);
    let other = log.open(&["--contact", "maria@example.com"]);
    let id = log.open(&["--contact", "zed@example.com"]);
    log.run([
        "edit",
        &id,
        "--title",
        &format!("Re: Refund [caselog {other}]"),
    ])
    .ok();
    log.run(["reply", &id, "--send", "We are looking into it."])
        .ok();
    let subject = sent(&log)
        .lines()
        .find_map(|l| l.strip_prefix("Subject: "))
        .expect("a subject")
        .to_string();
    assert_eq!(subject, format!("Re: Refund [caselog {id}]"));
    // The customer answers it as their mail program does.
    let before = log.case_text(&other);
    let answer = message_from(
        "zed@example.com",
        &format!("Re: {subject}"),
        "zed-1@example.com",
        "Thank you.",
    );
    let out = log.run(["mail"]).stdin(answer).ok();
    assert_eq!(out, format!("{id}: e-mail from the customer added\n"));
    assert_eq!(log.case_text(&other), before);
}

#[test]
fn a_reply_pasting_a_letter_with_from_and_date_lines_keeps_the_customers_words() {
    let log = Log::new();
    let id = log.open(&["--contact", "maria@example.com", "--channel", "email"]);
    let text = "Here is what I sent the courier, again:\n\nFrom: Maria Lopez\nDate: 2 November 2026\nOrder: A-1001\nThe kettle arrived broken and leaks.\n\nPlease answer this time.";
    let message = message_from(
        "maria@example.com",
        &format!("Re: Refund [caselog {id}]"),
        "pasted@example.com",
        text,
    );
    log.run(["mail"]).stdin(message).ok();
    let case = log.case_text(&id);
    assert!(case.ends_with(&format!("{text}\"\"\"\n")), "{case}");
}

/// A log whose one case (Maria's) has a reply sent through the stand-in
/// sendmail; with the case's id and the reply's Message-ID.
fn replied_to_maria() -> (Log, String, String) {
    let log = log_with_sendmail(false);
    let id = log.open(&["--contact", "maria@example.com"]);
    log.run([
        "reply",
        &id,
        "--send",
        "Dear Maria, the refund left us today.",
    ])
    .ok();
    let ours = sent(&log)
        .lines()
        .find_map(|l| l.strip_prefix("Message-ID: <"))
        .and_then(|l| l.strip_suffix('>'))
        .expect("a Message-ID")
        .to_string();
    (log, id, ours)
}

#[test]
fn a_message_answering_our_reply_threads_back_to_its_case() {
    let (log, id, ours) = replied_to_maria();
    let out = log
        .run(["mail"])
        .stdin(filled("reply-by-thread.eml", &[("MSGID", &ours)]))
        .ok();
    assert_eq!(out, format!("{id}: e-mail from the customer added\n"));
    let text = log.case_text(&id);
    assert!(
        text.ends_with(
            "action = \"customer\"\nmessage_id = \"CAFthread1@mail.example.com\"\ntext = \"\"\"\nE-mail from maria@example.com\nSubject: Re: your e-mail\n\nThank you, the refund has arrived.\"\"\"\n"
        ),
        "{text}"
    );
}

#[test]
fn a_bounce_of_a_reply_is_a_note_on_its_case_and_any_other_report_is_not_recorded() {
    let bounce = |ours: &str, id: &str| {
        String::from_utf8(filled("bounce.eml", &[("MSGID", ours), ("ID", id)])).unwrap()
    };
    // The same report as each sign alone would show it: none says
    // Auto-Submitted, and each is a machine's all the same.
    let signs = [
        ("Return-Path: <>\n", "Return-Path: <>"),
        (
            "From: Mail Delivery System <MAILER-DAEMON@mx.example.com>\n",
            "From: MAILER-DAEMON",
        ),
        (
            "Content-Type: multipart/report; report-type=delivery-status;\n",
            "Content-Type: multipart/report",
        ),
    ];
    for (kept, why) in signs {
        let (log, id, ours) = replied_to_maria();
        log.run([
            "wait",
            &id,
            "--on",
            "customer",
            "--reason",
            "her bank statement",
        ])
        .ok();
        let mut message = bounce(&ours, &id);
        for (other, _) in signs.iter().filter(|(line, _)| *line != kept) {
            let plain = match *other {
                "Return-Path: <>\n" => "Return-Path: <mx@mx.example.com>\n",
                "Content-Type: multipart/report; report-type=delivery-status;\n" => {
                    "Content-Type: multipart/mixed;\n"
                }
                _ => "From: Delivery <delivery@mx.example.com>\n",
            };
            message = message.replace(other, plain);
        }
        // Not in reply to anything: no case of its own, nothing written.
        let before = log.files();
        let unthreaded = message.replace(&format!("<{ours}>"), "<elsewhere@example.com>");
        let out = log.run(["mail"]).stdin(unthreaded).ok();
        assert_eq!(
            out,
            format!(
                "not recorded: a message sent by a machine ({why}) that answers no case of this log\n"
            ),
        );
        assert_eq!(log.files(), before);
        // In reply to our reply: the handler must learn it never arrived.
        let out = log.run(["mail"]).stdin(message.clone()).ok();
        assert_eq!(
            out,
            format!("{id}: e-mail sent by a machine ({why}) added as a note\n"),
            "{message}"
        );
        let case = log.case_text(&id);
        let from = if why == "From: MAILER-DAEMON" {
            "Mail Delivery System <MAILER-DAEMON@mx.example.com>"
        } else {
            "Delivery <delivery@mx.example.com>"
        };
        assert!(
            case.ends_with(&format!(
                "action = \"note\"\nmessage_id = \"20261122085930.A1B2C3@mx.example.com\"\ntext = \"\"\"\nE-mail from {from}\n(Sent by a machine: {why}. Recorded as a note, not as the customer's answer; caselog never answers it.)\nSubject: Undelivered Mail Returned to Sender\nAttachments: attachment (107 bytes), attachment (198 bytes)\n\nThis is the mail system at host mx.example.com.\n\nI'm sorry to have to inform you that your message could not\nbe delivered to one or more recipients.\n\n<maria@example.com>: host mail.example.com said: 550 5.1.1 User unknown\"\"\"\n"
            )),
            "{case}"
        );
        assert!(
            case.contains("status = \"waiting\""),
            "ends no wait: {case}"
        );
        // Delivered again: recorded once.
        let out = log.run(["mail"]).stdin(message).ok();
        assert!(out.ends_with("is already recorded (Message-ID <20261122085930.A1B2C3@mx.example.com>); nothing changed\n"), "{out}");
    }
    // A bounce that names our message only in the headers it returns
    // (no In-Reply-To, as many mail systems send it) finds the case too.
    let (log, id, ours) = replied_to_maria();
    let returned_only = bounce(&ours, &id)
        .replace(&format!("In-Reply-To: <{ours}>\n"), "")
        .replace(&format!("References: <{ours}>\n"), "");
    assert!(!returned_only.contains("In-Reply-To"));
    let out = log.run(["mail"]).stdin(returned_only).ok();
    assert_eq!(
        out,
        format!(
            "{id}: e-mail sent by a machine (Content-Type: multipart/report) added as a note\n"
        )
    );
    // A mail system may sign with no address at all: still a machine's
    // report, where a person's message so is refused.
    let (log, id, ours) = replied_to_maria();
    let bare = bounce(&ours, &id).replace(
        "From: Mail Delivery System <MAILER-DAEMON@mx.example.com>\n",
        "From: MAILER-DAEMON\n",
    );
    let out = log.run(["mail"]).stdin(bare.clone()).ok();
    assert_eq!(
        out,
        format!(
            "{id}: e-mail sent by a machine (Content-Type: multipart/report) added as a note\n"
        )
    );
    assert!(log.case_text(&id).contains("E-mail from MAILER-DAEMON\n"));
    let out = log.run(["mail"]).stdin(bare).ok();
    assert!(out.ends_with("nothing changed\n"), "{out}");
    let before = log.files();
    let stderr = log
        .run(["mail"])
        .stdin("From: Maria\nSubject: Hi\n\nMy order.\n")
        .fails(2);
    assert!(
        stderr.contains("the message has no From: address"),
        "{stderr}"
    );
    assert_eq!(log.files(), before);
}

#[test]
fn the_same_message_twice_is_recorded_once() {
    let log = Log::new();
    let id = mail_in(&log, "plain.eml");
    let before = log.files();
    let out = log.run(["mail"]).stdin(fixture_bytes("plain.eml")).ok();
    assert_eq!(
        out,
        format!(
            "{id}: this message is already recorded (Message-ID <CAF1a2b3c4@mail.example.com>); nothing changed\n"
        )
    );
    assert_eq!(log.files(), before);

    let short = &id[9..];
    let reply = filled("reply-to-case.eml", &[("ID", short)]);
    log.run(["mail"]).stdin(reply.clone()).ok();
    let before = log.files();
    let out = log.run(["mail"]).stdin(reply).ok();
    assert!(out.contains("already recorded"), "{out}");
    assert_eq!(log.files(), before, "byte-identical");
}

#[test]
fn a_message_without_a_sender_is_refused_on_one_line() {
    let log = Log::new();
    let before = log.files();
    let err = log
        .run(["mail"])
        .stdin(fixture_bytes("no-from.eml"))
        .fails(2);
    assert_eq!(
        err,
        "caselog: the message on standard input: the message has no From: address\n"
    );
    assert_eq!(log.files(), before);
    let err = log.run(["mail"]).stdin("").fails(2);
    assert!(err.contains("the message is empty"), "{err}");
    let err = log.run(["mail", "no-such.eml"]).fails(2);
    assert!(err.contains("no-such.eml: there is no such file"), "{err}");
}

#[test]
fn header_injection_and_terminal_escapes_are_recorded_harmless() {
    let log = Log::new();
    let out = log
        .run(["mail"])
        .stdin(fixture_bytes("header-injection.eml"))
        .output();
    assert!(out.status.success());
    let id = String::from_utf8(out.stdout).unwrap().trim().to_string();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains('\u{1b}'), "{stderr:?}");
    let text = log.case_text(&id);
    assert!(
        text.contains("title = \"Refund Bcc: all@evil.example]0;title\""),
        "{text}"
    );
    assert!(!text.contains('\u{1b}') && !text.contains('\u{7}') && !text.contains('\r'));
    let shown = log.run(["show", &id]).ok();
    assert!(
        !shown.contains('\u{1b}') && !shown.contains('\u{202e}'),
        "{shown:?}"
    );
    // A reply to it still has one header per line, and no Bcc.
    let message = log
        .run(["reply", &id, "--print", "Noted."])
        .env("CASELOG_USER", "ana@ferncliff.example")
        .ok();
    let headers = &message[..message.find("\n\n").unwrap()];
    assert!(
        !headers
            .lines()
            .any(|l| l.to_ascii_lowercase().starts_with("bcc:")),
        "{headers}"
    );
    assert!(log.run(["check"]).output().status.success());
}

#[test]
fn broken_mime_is_recorded_as_far_as_it_reads() {
    let log = Log::new();
    let id = mail_in(&log, "broken-mime.eml");
    let text = log.case_text(&id);
    assert!(text.contains("title = \"Broken\""), "{text}");
    assert!(log.run(["check"]).output().status.success());
}

#[test]
fn text_that_broken_mime_hides_is_kept_as_the_customers_words() {
    let log = Log::new();
    // A base64 text part with junk after it, in a multipart never closed.
    let id = mail_in(&log, "broken-mime.eml");
    let text = log.case_text(&id);
    assert!(text.contains("summary = \"The kettle leaks.\""), "{text}");
    assert!(
        text.contains("Attachments: attachment (6 bytes)\"\"\""),
        "{text}"
    );
    // A multipart without its boundary, and one whose boundary never comes.
    for (n, (content_type, body)) in [
        (
            "multipart/mixed",
            "--x\nContent-Type: text/plain\n\nMy order never came.\n--x--",
        ),
        (
            "multipart/alternative; boundary=gone",
            "My order never came.",
        ),
    ]
    .into_iter()
    .enumerate()
    {
        let message = format!(
            "From: tom@example.com\nSubject: Order\nMessage-ID: <unsplit-{n}@example.com>\nContent-Type: {content_type}\n\n{body}\n"
        );
        let text = mailed_case(&log, message);
        assert!(text.contains("My order never came."), "{text}");
        assert!(!text.contains("The e-mail has no text"), "{text}");
        assert!(!text.contains("Attachments:"), "{text}");
    }
    // Nested deeper than the parser follows.
    let mut message = String::from(
        "From: tom@example.com\nSubject: Deep\nMessage-ID: <deep@example.com>\nContent-Type: multipart/mixed; boundary=b0\n\n",
    );
    for depth in 1..200 {
        message.push_str(&format!(
            "--b{}\nContent-Type: multipart/mixed; boundary=b{depth}\n\n",
            depth - 1
        ));
    }
    message.push_str("--b199\nContent-Type: text/plain\n\nThe deep text.\n");
    assert!(mailed_case(&log, message).contains("summary = \"The deep text.\""));
    assert!(log.run(["check"]).output().status.success());
}

#[test]
fn card_numbers_in_mail_are_masked_before_they_are_stored() {
    let log = Log::new();
    let id = mail_in(&log, "card-number.eml");
    let text = log.case_text(&id);
    assert!(!text.contains("4111 1111 1111 1111"), "{text}");
    assert!(
        text.contains("You charged my card **** **** **** 1111 twice"),
        "{text}"
    );
}

#[test]
fn a_huge_body_is_cut_at_the_text_cap_and_a_huger_message_refused() {
    let log = Log::new();
    let mut message =
        b"From: big@example.com\r\nSubject: Big\r\nMessage-ID: <big@example.com>\r\n\r\n".to_vec();
    let line = b"all work and no play makes a long complaint\r\n";
    while message.len() < 50 * 1024 * 1024 {
        message.extend_from_slice(line);
    }
    let id = log
        .run(["mail", "--quiet"])
        .stdin(message.clone())
        .ok()
        .trim()
        .to_string();
    let size = fs::metadata(log.case_path(&id)).unwrap().len();
    assert!(size < 1024 * 1024 + 4096, "{size}");
    assert!(
        log.case_text(&id)
            .contains("[The rest of this message was cut: it was longer than caselog keeps.]")
    );

    while message.len() <= 64 * 1024 * 1024 {
        message.extend_from_slice(line);
    }
    let before = log.files();
    let err = log.run(["mail"]).stdin(message).fails(2);
    assert_eq!(
        err,
        "caselog: the message on standard input is larger than 64 MiB; nothing was written\n"
    );
    assert_eq!(log.files(), before);
}

#[test]
fn a_sent_reply_threads_and_is_recorded_as_the_first_response() {
    let log = log_with_sendmail(false);
    let id = mail_in(&log, "plain.eml");
    log.run(["edit", &id, "--title", "Remboursement non reçu"])
        .ok();
    let before = log.case_text(&id);
    let out = log
        .run(["reply", &id, "--send", "-"])
        .stdin("Dear María,\n\nThe refund left us today.\n")
        .ok();
    assert_eq!(
        out,
        format!("{id}: reply sent to maria@example.com and recorded\n")
    );
    let message = sent(&log);
    for header in [
        "From: \"Ferncliff Support\" <support@ferncliff.example>\r\n",
        "To: =?utf-8?B?TWFyw61hIEzDs3Bleg==?= <maria@example.com>\r\n",
        "In-Reply-To: <CAF1a2b3c4@mail.example.com>\r\n",
        "References: <CAF1a2b3c4@mail.example.com>\r\n",
        "Date: Sun, 22 Nov 2026 09:00:00 +0000\r\n",
    ] {
        assert!(message.contains(header), "{header:?} in\n{message}");
    }
    // Headers are ASCII: the subject is encoded words, and reads back whole.
    let headers = &message[..message.find("\r\n\r\n").unwrap()];
    assert!(headers.is_ascii(), "{headers}");
    let parsed = mail_parser::MessageParser::default()
        .parse(message.as_bytes())
        .unwrap();
    assert_eq!(
        parsed.subject(),
        Some(format!("Re: Remboursement non reçu [caselog {id}]").as_str())
    );
    assert_eq!(
        parsed.from().unwrap().first().unwrap().name(),
        Some("Ferncliff Support")
    );
    let after = log.case_text(&id);
    let added = after.strip_prefix(&before).expect("only appended");
    let added = added.replace(
        &message
            .lines()
            .find_map(|l| l.strip_prefix("Message-ID: <"))
            .and_then(|l| l.strip_suffix('>'))
            .unwrap()
            .to_string(),
        "<MESSAGE-ID>",
    );
    insta::assert_snapshot!(redact(&added, &id));
    let shown = log.run(["show", &id, "--no-pager"]).ok();
    let response = shown
        .lines()
        .find(|l| l.trim_start().starts_with("first response"))
        .expect("a first response line");
    assert!(response.contains("after opening"), "{shown}");
}

#[test]
fn a_message_id_edited_into_a_header_of_its_own_is_not_sent() {
    let log = log_with_sendmail(false);
    let id = mail_in(&log, "plain.eml");
    let path = log.case_path(&id);
    let text = fs::read_to_string(&path).unwrap().replace(
        "message_id = \"CAF1a2b3c4@mail.example.com\"",
        "message_id = \"CAF1a2b3c4@mail.example.com>\\r\\nBcc: leak@evil.example\\r\\nX-A: <z\"",
    );
    assert!(text.contains("leak@evil.example"), "{text}");
    fs::write(&path, text).unwrap();
    log.run(["reply", &id, "--send", "Checking with the bank."])
        .ok();
    let message = sent(&log);
    let headers = &message[..message.find("\r\n\r\n").unwrap()];
    assert!(!headers.to_ascii_lowercase().contains("bcc"), "{headers}");
    assert!(!headers.contains("leak@evil.example"), "{headers}");
    assert!(!headers.contains("In-Reply-To"), "{headers}");
}

#[test]
fn a_reply_the_mail_system_refuses_is_not_recorded() {
    let log = log_with_sendmail(true);
    let id = log.open(&["--contact", "maria@example.com"]);
    let before = log.files();
    let err = log.run(["reply", &id, "--send", "Sorry."]).fails(3);
    assert!(err.contains("was not sent; nothing was recorded"), "{err}");
    assert!(err.contains("mail queue full"), "{err}");
    assert_eq!(log.files(), before);
}

#[test]
fn print_shows_the_message_and_records_nothing() {
    let log = log_with_sendmail(false);
    let id = log.open(&["--contact", "maria@example.com"]);
    let before = log.files();
    let out = log.run(["reply", &id, "--print", "Sorry."]).ok();
    assert!(
        out.contains(&format!(
            "Subject: Re: Refund not received [caselog {id}]\n"
        )),
        "{out}"
    );
    assert!(
        out.contains("To: \"Maria López\" <maria@example.com>\n") || out.contains("To: =?utf-8?"),
        "{out}"
    );
    assert!(out.ends_with("Sorry.\n"), "{out}");
    assert_eq!(log.files(), before);
    assert!(!log.path().join("sent.eml").exists());
}

#[test]
fn a_template_is_filled_with_the_cases_fields() {
    let log = log_with_sendmail(false);
    let id = log.open(&["--contact", "maria@example.com"]);
    fs::create_dir(log.path().join("templates")).unwrap();
    fs::write(
        log.path().join("templates/apology.txt"),
        "Dear {{ case.customer.name }},\n\nWe are sorry about \"{{ case.title }}\".\n{% if text %}\n{{ text }}\n{% endif %}\n\n{{ me }}\n",
    )
    .unwrap();
    let out = log
        .run([
            "reply",
            &id,
            "--print",
            "--template",
            "apology",
            "We are looking into it.",
        ])
        .ok();
    assert!(
        out.ends_with("Dear Maria L=C3=B3pez,\n\nWe are sorry about \"Refund not received\".\nWe are looking into it.\n\nana@example.com\n"),
        "{out}"
    );
    let err = log
        .run(["reply", &id, "--print", "--template", "../caselog"])
        .fails(2);
    assert!(err.contains("is not a template name"), "{err}");
    let err = log
        .run(["reply", &id, "--print", "--template", "thanks"])
        .fails(2);
    assert!(
        err.contains("there is no template templates/thanks.txt"),
        "{err}"
    );
}

#[test]
fn a_case_without_an_email_address_cannot_be_replied_to() {
    let log = log_with_sendmail(false);
    let id = log.open(&["--contact", "+44 20 7946 0000"]);
    let before = log.files();
    let err = log.run(["reply", &id, "--send", "Hello"]).fails(2);
    assert!(
        err.contains("has no e-mail address to reply to (its contact is '+44 20 7946 0000')"),
        "{err}"
    );
    assert_eq!(log.files(), before);
    assert!(!log.path().join("sent.eml").exists());
    // No contact at all is said so, not as an empty one.
    let bare = log.open(&[]);
    let err = log.run(["reply", &bare, "--print", "Hello"]).fails(2);
    assert!(
        err.contains("has no e-mail address to reply to (it has no contact)"),
        "{err}"
    );
}

#[test]
fn a_card_number_in_a_reply_is_refused_before_it_is_sent() {
    let log = log_with_sendmail(false);
    let id = log.open(&["--contact", "maria@example.com"]);
    let before = log.files();
    let err = log
        .run(["reply", &id, "--send", "We refunded 4111 1111 1111 1111."])
        .fails(2);
    assert!(err.contains("payment card number"), "{err}");
    assert_eq!(log.files(), before);
}

#[test]
fn an_automatic_reply_opens_no_case_and_our_own_mail_is_not_recorded() {
    let log = log_with_sendmail(false);
    let before = log.files();
    let mut auto = b"Auto-Submitted: auto-replied\r\n".to_vec();
    auto.extend(fixture_bytes("plain.eml"));
    let out = log.run(["mail"]).stdin(auto).ok();
    assert_eq!(
        out,
        "not recorded: a message sent by a machine (Auto-Submitted: auto-replied) that answers no case of this log\n"
    );
    let own = String::from_utf8(fixture_bytes("plain.eml"))
        .unwrap()
        .replace(
            "From: =?UTF-8?Q?Mar=C3=ADa_L=C3=B3pez?= <maria@example.com>",
            "From: Support <Support@ferncliff.example>",
        );
    let out = log.run(["mail"]).stdin(own).ok();
    assert!(
        out.starts_with("not recorded: the message is from this log's own address"),
        "{out}"
    );
    assert_eq!(log.files(), before);
}

#[test]
fn an_out_of_office_answer_to_a_reply_is_a_note_that_ends_no_wait() {
    let (log, id, ours) = replied_to_maria();
    log.run([
        "wait",
        &id,
        "--on",
        "customer",
        "--reason",
        "her bank statement",
    ])
    .ok();
    for (header, why) in [
        (
            "Auto-Submitted: auto-replied",
            "Auto-Submitted: auto-replied",
        ),
        ("Precedence: junk", "Precedence: junk"),
        ("X-Autoreply: yes", "X-Autoreply"),
    ] {
        // By the subject's tag, as Outlook's "Automatic reply: Re: …".
        let tagged = format!(
            "From: Maria <maria@example.com>\n{header}\nSubject: Automatic reply: Re: Refund [caselog {id}]\nMessage-ID: <ooo-{why}@example.com>\nDate: Sun, 22 Nov 2026 08:59:00 +0000\n\nI am away until 30 November.\n"
        );
        let out = log.run(["mail"]).stdin(tagged).ok();
        assert_eq!(
            out,
            format!("{id}: e-mail sent by a machine ({why}) added as a note\n")
        );
    }
    // By In-Reply-To alone.
    let threaded = format!(
        "From: Maria <maria@example.com>\nAuto-Submitted: auto-replied\nSubject: Out of office\nIn-Reply-To: <{ours}>\nMessage-ID: <ooo-thread@example.com>\n\nAway.\n"
    );
    let out = log.run(["mail"]).stdin(threaded).ok();
    assert_eq!(
        out,
        format!("{id}: e-mail sent by a machine (Auto-Submitted: auto-replied) added as a note\n")
    );
    let case = log.case_text(&id);
    assert!(case.contains("status = \"waiting\""), "{case}");
    assert!(!case.contains("action = \"customer\""), "{case}");
    assert!(
        case.ends_with("action = \"note\"\nmessage_id = \"ooo-thread@example.com\"\ntext = \"\"\"\nE-mail from Maria <maria@example.com>\n(Sent by a machine: Auto-Submitted: auto-replied. Recorded as a note, not as the customer's answer; caselog never answers it.)\nSubject: Out of office\n\nAway.\"\"\"\n"),
        "{case}"
    );
}

#[test]
fn the_example_templates_fill_in_for_open_and_resolved_cases() {
    let log = log_with_sendmail(false);
    let templates = Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
    fs::create_dir(log.path().join("templates")).unwrap();
    let mut names = Vec::new();
    for entry in fs::read_dir(&templates).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "txt") {
            fs::copy(
                &path,
                log.path().join("templates").join(path.file_name().unwrap()),
            )
            .unwrap();
            names.push(path.file_stem().unwrap().to_str().unwrap().to_string());
        }
    }
    assert_eq!(names.len(), 3, "{names:?}");
    let open = log.open(&["--contact", "maria@example.com"]);
    let resolved = log.open(&["--contact", "maria@example.com"]);
    log.run([
        "resolve",
        &resolved,
        "--summary",
        "We refunded the order.",
        "--redress",
        "A full refund of 24.50 EUR",
    ])
    .ok();
    for name in &names {
        for id in [&open, &resolved] {
            let out = log
                .run([
                    "reply",
                    id,
                    "--print",
                    "--template",
                    name,
                    "Some more words.",
                ])
                .ok();
            assert!(out.contains("Kind regards,"), "{name} on {id}: {out}");
            assert!(!out.contains("{{") && !out.contains("{%"), "{name}: {out}");
        }
    }
    let out = log
        .run(["reply", &resolved, "--print", "--template", "resolved"])
        .ok();
    assert!(
        out.contains("We refunded the order.\nA full refund of 24.50 EUR\n\nWe will be in touch"),
        "{out}"
    );
}

#[test]
fn mail_to_a_resolved_case_is_recorded_and_says_how_to_reopen_it() {
    let log = Log::new();
    let id = log.open(&["--contact", "maria@example.com"]);
    log.run(["resolve", &id, "--summary", "Refunded."])
        .at("2026-11-20T10:00:00Z")
        .ok();
    let out = log
        .run(["mail"])
        .stdin(filled("reply-to-case.eml", &[("ID", &id)]))
        .ok();
    assert_eq!(
        out,
        format!(
            "{id}: e-mail from the customer added; the case is resolved: `caselog reopen {id} --reason TEXT` if it needs more work\n"
        )
    );
}

#[test]
fn one_message_delivered_several_times_at_once_opens_one_case() {
    let log = Log::new();
    let outputs: Vec<String> = std::thread::scope(|scope| {
        let runs: Vec<_> = (0..6)
            .map(|_| {
                scope.spawn(|| {
                    log.run(["mail", "--quiet"])
                        .stdin(fixture_bytes("plain.eml"))
                        .ok()
                })
            })
            .collect();
        runs.into_iter().map(|r| r.join().unwrap()).collect()
    });
    let cases = fs::read_dir(log.path().join("cases/2026/11"))
        .unwrap()
        .count();
    assert_eq!(cases, 1, "{outputs:?}");
    let opened = outputs
        .iter()
        .filter(|o| !o.contains("already recorded"))
        .count();
    assert_eq!(opened, 1, "{outputs:?}");
}

#[test]
fn a_shared_export_keeps_no_message_id() {
    let log = Log::new();
    mail_in(&log, "plain.eml");
    assert!(
        log.run(["export"])
            .ok()
            .contains("CAF1a2b3c4@mail.example.com")
    );
    for format in ["json", "csv", "yaml"] {
        let shared = log
            .run(["export", "--pseudonymise", "--format", format])
            .ok();
        assert!(!shared.contains("CAF1a2b3c4"), "{format}: {shared}");
        assert!(!shared.contains("mail.example.com"), "{format}: {shared}");
    }
}

#[test]
fn a_redaction_erases_the_message_id_and_the_same_message_is_still_recorded_once() {
    let log = Log::new();
    let id = mail_in(&log, "plain.eml");
    log.run(["close", &id, "--reason", "answered"]).ok();
    log.run(["redact", &id, "--reason", "erasure request"]).ok();
    let text = log.case_text(&id);
    assert!(!text.contains("CAF1a2b3c4"), "{text}");
    assert!(!text.contains("mail.example.com"), "{text}");
    assert!(text.contains("message_id = \"erased-"), "{text}");
    assert!(log.run(["check"]).ok().is_empty());
    // The same message delivered again finds the erased case.
    let before = log.files();
    let out = log.run(["mail"]).stdin(fixture_bytes("plain.eml")).ok();
    assert!(out.starts_with(&format!("{id}: ")), "{out}");
    assert!(out.contains("already recorded"), "{out}");
    assert_eq!(log.files(), before);
    // Redacting again changes nothing.
    log.run(["redact", &id, "--reason", "erasure request"]).ok();
    assert_eq!(log.files(), before);
}

#[test]
fn mail_for_a_case_closed_as_a_duplicate_goes_to_the_case_it_repeats() {
    let log = Log::new();
    let original = log.open(&["--contact", "maria@example.com"]);
    let repeat = log.open(&["--contact", "maria@example.com"]);
    log.run(["close", &repeat, "--duplicate-of", &original])
        .at("2026-11-20T12:00:00Z")
        .ok();
    let repeat_before = log.case_text(&repeat);

    let out = log
        .run(["mail"])
        .stdin(filled("reply-to-case.eml", &[("ID", &repeat[9..])]))
        .output();
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        format!(
            "caselog: case {repeat} is closed as a duplicate of {original}: the e-mail goes to {original}\n"
        )
    );
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        format!("{original}: e-mail from the customer added\n")
    );
    assert_eq!(log.case_text(&repeat), repeat_before);
    let events = log.case_json(&original)["events"].clone();
    let last = events.as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["action"], "customer");
    assert_eq!(last["message_id"], "CAF9z8y7@mail.example.com");
}

#[test]
fn mail_for_a_case_opened_in_error_stays_with_it() {
    let log = Log::new();
    let id = log.open(&["--contact", "maria@example.com"]);
    log.run([
        "close",
        &id,
        "--opened-in-error",
        "--reason",
        "a test entry",
    ])
    .at("2026-11-20T12:00:00Z")
    .ok();
    let out = log
        .run(["mail"])
        .stdin(filled("reply-to-case.eml", &[("ID", &id[9..])]))
        .ok();
    assert!(
        out.starts_with(&format!("{id}: e-mail from the customer added")),
        "{out}"
    );
}

#[test]
fn a_date_header_older_than_any_delivery_dates_the_case_as_received() {
    let log = Log::new();
    let plain = String::from_utf8(fixture_bytes("plain.eml")).unwrap();
    let old = plain.replace(
        "Date: Fri, 20 Nov 2026 09:15:00 +0100",
        "Date: Thu, 1 Jan 1998 00:00:00 +0000",
    );
    assert_ne!(old, plain);
    let out = log.run(["mail", "--quiet"]).stdin(old.clone()).output();
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        "caselog: the message's Date: header (1998-01-01 00:00 UTC) is more than 5 days before it arrived, longer than mail takes; it is dated as it reached the mail server (2026-11-20 08:15 UTC); --any-date believes the header\n"
    );
    let id = String::from_utf8(out.stdout).unwrap().trim().to_string();
    assert!(id.starts_with("20261120-"), "filed when it arrived: {id}");
    assert_eq!(log.case_json(&id)["opened_at"], "2026-11-20T08:15:02Z");

    // With no Received: header to say when it arrived, it is dated now.
    let unreceived: String = old
        .lines()
        .filter(|l| !l.starts_with("Received:") && !l.starts_with('\t'))
        .map(|l| format!("{l}\n"))
        .collect();
    let unreceived = unreceived.replace("Message-ID: <", "Message-ID: <unreceived.");
    let id = log.run(["mail", "--quiet"]).stdin(unreceived).output();
    let id = String::from_utf8(id.stdout).unwrap().trim().to_string();
    assert_eq!(log.case_json(&id)["opened_at"], "2026-11-22T09:00:00Z");

    // An old mailbox filed on purpose keeps its dates.
    let other = old.replace("Message-ID: <", "Message-ID: <other.");
    assert_ne!(other, old);
    let id = log
        .run(["mail", "--quiet", "--any-date"])
        .stdin(other)
        .ok()
        .trim()
        .to_string();
    assert!(id.starts_with("19980101-"), "dated by the header: {id}");
}

#[test]
fn a_message_delivered_again_after_its_case_became_a_duplicate_is_recorded_once() {
    let log = Log::new();
    let original = log.open(&["--contact", "maria@example.com"]);
    let repeat = log.open(&["--contact", "maria@example.com"]);
    let message = filled("reply-to-case.eml", &[("ID", &repeat[9..])]);
    log.run(["mail"]).stdin(message.clone()).ok();
    log.run(["close", &repeat, "--duplicate-of", &original])
        .at("2026-11-22T12:00:00Z")
        .ok();
    let before = log.files();

    // The same message again (a retried delivery): already on the
    // duplicate, so not added to the case it repeats.
    let out = log
        .run(["mail"])
        .stdin(message.clone())
        .at("2026-11-22T13:00:00Z")
        .ok();
    assert_eq!(
        out,
        format!(
            "{repeat}: this message is already recorded (Message-ID <CAF9z8y7@mail.example.com>); nothing changed\n"
        )
    );
    assert_eq!(log.files(), before);

    // Recorded on the original by a redirect, it is not recorded again
    // either way it arrives.
    let other = filled("reply-to-case.eml", &[("ID", &repeat[9..])]);
    let other = String::from_utf8(other)
        .unwrap()
        .replace("CAF9z8y7@", "CAF9z8y8@");
    log.run(["mail"])
        .stdin(other.clone())
        .at("2026-11-22T14:00:00Z")
        .output();
    let once = log.files();
    log.run(["mail"])
        .stdin(other)
        .at("2026-11-22T15:00:00Z")
        .ok();
    assert_eq!(log.files(), once);
    let recorded = log.case_text(&original).matches("CAF9z8y8@").count();
    assert_eq!(recorded, 1);
}

/// A message from `from` whose subject is `subject`, with its own id.
fn message_from(from: &str, subject: &str, id: &str, text: &str) -> String {
    format!("From: {from}\nSubject: {subject}\nMessage-ID: <{id}>\n\n{text}\n")
}

#[test]
fn a_subject_tag_shorter_than_the_random_part_names_no_case_and_opens_a_new_one() {
    let log = Log::new();
    let victim = log
        .run(["mail", "--quiet"])
        .stdin(message_from(
            "Maria <maria@example.com>",
            "Refund not received",
            "m1@example.com",
            "Refund for A-1001 please.",
        ))
        .ok()
        .trim()
        .to_string();
    let before = log.case_text(&victim);
    for (n, tag) in [&victim[13..], &victim[..8], &victim[10..]]
        .iter()
        .enumerate()
    {
        let out = log
            .run(["mail", "--quiet"])
            .stdin(message_from(
                "Mallory <mallory@attacker.example>",
                &format!("hello [caselog {tag}]"),
                &format!("forge{n}@attacker.example"),
                "Please pay the refund to IBAN XX00 instead.",
            ))
            .output();
        assert!(out.status.success());
        let opened = String::from_utf8(out.stdout).unwrap().trim().to_string();
        assert_ne!(opened, victim, "{tag}");
        assert!(log.case_text(&opened).contains("IBAN XX00"), "{tag}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains(&format!("tag [caselog {tag}] does not name a case")),
            "{tag}: {stderr}"
        );
    }
    assert_eq!(log.case_text(&victim), before);
}

#[test]
fn mail_from_another_address_than_the_contact_is_a_note_that_does_not_end_the_wait() {
    let log = Log::new();
    let id = log.open(&["--contact", "Maria <maria@example.com>"]);
    log.run([
        "wait",
        &id,
        "--on",
        "customer",
        "--reason",
        "bank statement",
    ])
    .at("2026-11-20T10:00:00Z")
    .ok();
    let out = log
        .run(["mail"])
        .stdin(message_from(
            "\"Maria López <maria@example.com>\" <mallory@attacker.example>",
            &format!("Re: Refund [caselog {id}]"),
            "forge@attacker.example",
            "Please pay the refund to IBAN XX00 instead.",
        ))
        .output();
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        format!("{id}: e-mail from another address than the case's contact added as a note\n")
    );
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains(&format!(
            "case {id}: the e-mail is from mallory@attacker.example, not the case's contact"
        )),
        "{stderr}"
    );
    let case = log.case_json(&id);
    assert_eq!(case["status"], "waiting");
    let last = case["events"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["action"], "note");
    assert_eq!(last["message_id"], "forge@attacker.example");
    let text = last["text"].as_str().unwrap();
    assert!(
        text.starts_with(
            "E-mail from Maria López maria@example.com <mallory@attacker.example>\n(Not from the case's contact address"
        ),
        "{text}"
    );
    assert!(log.run(["check"]).ok().is_empty());
    // The same message again is still recorded once; the customer's own
    // answer, from the contact's address in any case, ends the wait.
    let again = log
        .run(["mail"])
        .stdin(message_from(
            "mallory@attacker.example",
            &format!("Re: Refund [caselog {id}]"),
            "forge@attacker.example",
            "Please pay the refund to IBAN XX00 instead.",
        ))
        .ok();
    assert!(again.contains("already recorded"), "{again}");
    let out = log
        .run(["mail"])
        .stdin(message_from(
            "MARIA@example.com",
            &format!("Re: Refund [caselog {}]", &id[9..]),
            "real@example.com",
            "Here is the statement.",
        ))
        .ok();
    assert_eq!(
        out,
        format!("{id}: e-mail from the customer added; back to open\n")
    );
}

#[test]
fn attachments_are_never_saved_where_they_would_read_as_case_files() {
    let log = Log::new();
    // A sender's file named like a case file, planted under cases/.
    let planted = "format = 1\nid = \"20261101-zzzzz\"\ntitle = \"PLANTED\"\n";
    let message = format!(
        "From: Evil <evil@example.com>\nSubject: files\nMessage-ID: <plant@x>\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"b\"\n\n--b\nContent-Type: text/plain\n\nsee attached\n--b\nContent-Type: application/octet-stream\nContent-Disposition: attachment; filename=\"20261101-zzzzz.toml\"\n\n{planted}\n--b--\n"
    );
    fs::create_dir(log.path().join(".caselog")).ok();
    let before = log.files();
    for dir in ["cases", "cases/2026/11", ".caselog", ".git/incoming"] {
        let err = log
            .run(["mail", "--attachments", dir])
            .stdin(message.clone())
            .fails(2);
        assert!(
            err.starts_with(&format!("caselog: --attachments {dir} is inside ")),
            "{dir}: {err}"
        );
        assert_eq!(log.files(), before, "{dir}");
    }
    assert!(!log.path().join(".git").exists());
    assert!(log.run(["list"]).ok().is_empty());
}

/// `log`'s `max_text_bytes` set to `bytes`.
fn cap_text(log: &Log, bytes: usize) {
    let settings = log.path().join("caselog.toml");
    let text = fs::read_to_string(&settings).unwrap();
    let capped = text.replace(
        "# max_text_bytes = 1048576",
        &format!("max_text_bytes = {bytes}"),
    );
    assert_ne!(capped, text);
    fs::write(&settings, capped).unwrap();
}

#[test]
fn card_numbers_cut_by_the_cap_or_in_a_name_address_or_message_id_are_masked_not_kept() {
    let log = Log::new();
    cap_text(&log, 2000);
    let mut texts = Vec::new();
    // Every cut through the number: masked first, then cut.
    for lead in 1900..1935 {
        let message = format!(
            "From: a@example.com\nSubject: cap\nMessage-ID: <cap{lead}@x>\n\n{} 4111111111111111 is my card, please refund it.{}\n",
            "w".repeat(lead),
            " More words.".repeat(20)
        );
        let id = log
            .run(["mail", "--quiet"])
            .stdin(message)
            .ok()
            .trim()
            .to_string();
        let summary = log.case_json(&id)["complaint"]["summary"]
            .as_str()
            .unwrap()
            .to_string();
        assert!(summary.len() <= 2000, "{lead}: {}", summary.len());
        texts.push(log.case_text(&id));
    }
    // A card number in the file name, the sender's name or address, and
    // the Message-ID: recorded, masked.
    let message = "From: \"Card 4111 1111 1111 1111\" <4111111111111111@example.com>\nSubject: statement\nMessage-ID: <5500000000000004@mail.example>\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"b\"\n\n--b\nContent-Type: text/plain\n\nSee attached.\n--b\nContent-Type: application/pdf\nContent-Disposition: attachment; filename=\"card 4111 1111 1111 1111.pdf\"\n\nx\n--b--\n";
    let id = log
        .run(["mail", "--quiet", "--attachments", "incoming"])
        .stdin(message)
        .ok()
        .trim()
        .to_string();
    let text = log.case_text(&id);
    for expected in [
        "name = \"Card **** **** **** 1111\"",
        "contact = \"************1111@example.com\"",
        "Attachments: card ____ ____ ____ 1111.pdf (1 byte)",
        "message_id = \"erased-",
    ] {
        assert!(text.contains(expected), "{expected} in\n{text}");
    }
    assert!(
        log.path()
            .join("incoming")
            .join(&id)
            .join("card ____ ____ ____ 1111.pdf")
            .is_file()
    );
    texts.push(text);
    for text in &texts {
        assert!(
            !text.contains("41111111") && !text.contains("55000000"),
            "{text}"
        );
    }
    assert!(log.run(["check"]).ok().is_empty());
    // Its digest still tells the same message delivered again.
    let out = log.run(["mail"]).stdin(message).ok();
    assert!(out.contains("already recorded"), "{out}");
}

#[test]
fn a_huge_references_header_and_deeply_nested_html_are_read_in_linear_time() {
    let log = Log::new();
    let id = mail_in(&log, "plain.eml");
    // 60,000 ids answered (the old code compared each with every other,
    // for many seconds): the newest names the case's message, so the reply
    // threads to it.
    let mut references: Vec<String> = (0..60_000).map(|i| format!("<old{i}@x>")).collect();
    references.push("<CAF1a2b3c4@mail.example.com>".into());
    let reply = format!(
        "From: maria@example.com\nSubject: Re: your e-mail\nMessage-ID: <refs@x>\nReferences: {}\n\nStill no refund.\n",
        references.join(" ")
    );
    let out = log.run(["mail"]).stdin(reply).ok();
    assert_eq!(out, format!("{id}: e-mail from the customer added\n"));
    // 50,000 nested elements (the parser looked through every open one at
    // each tag, for half a minute): read plainly, the text kept.
    let html = format!(
        "From: t@example.com\nSubject: nested\nMessage-ID: <deep@x>\nContent-Type: text/html\n\n{}The kettle leaks &amp; hisses.{}\n",
        "<div>".repeat(50_000),
        "</div>".repeat(50_000)
    );
    let opened = log
        .run(["mail", "--quiet"])
        .stdin(html)
        .ok()
        .trim()
        .to_string();
    assert_eq!(
        log.case_json(&opened)["complaint"]["summary"],
        "The kettle leaks & hisses."
    );
}

#[test]
fn a_mail_command_that_does_not_read_the_reply_fails_and_nothing_is_recorded() {
    let log = Log::new();
    let settings = log.path().join("caselog.toml");
    let mut text = fs::read_to_string(&settings).unwrap();
    text.push_str(
        "\n[mail]\nsendmail = \"true\"\nfrom = \"Support <support@ferncliff.example>\"\n",
    );
    fs::write(&settings, text).unwrap();
    let id = log.open(&["--contact", "maria@example.com"]);
    let before = log.files();
    // Short enough for the pipe to hold it, and too long for that.
    for reply in ["Short reply.".to_string(), "word ".repeat(20_000)] {
        let err = log.run(["reply", &id, "--send", "-"]).stdin(reply).fails(3);
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(
            err.starts_with(&format!(
                "caselog: the reply on case {id} was not sent; nothing was recorded: 'true' exited without reading the whole message (0 of "
            )),
            "{err}"
        );
        assert_eq!(log.files(), before);
    }
}

#[test]
fn a_new_case_keeps_a_forwarded_or_quoting_complaint_whole() {
    let log = Log::new();
    // An Outlook forward: the header block of the forwarded mail first.
    let forward = "From: Paul <paul@example.com>\nSubject: FW: Broken grinder\nMessage-ID: <fwd1@x>\n\nFrom: Paul <paul@example.com>\nSent: Friday, 20 November 2026 10:00\nTo: sales@ferncliff.example\nSubject: Broken grinder\n\nThe grinder (order A-2002) died after two days. I want a refund.\n";
    let id = log
        .run(["mail", "--quiet"])
        .stdin(forward)
        .ok()
        .trim()
        .to_string();
    let summary = log.case_json(&id)["complaint"]["summary"].clone();
    assert!(
        summary
            .as_str()
            .unwrap()
            .ends_with("died after two days. I want a refund."),
        "{summary}"
    );
    // A line that reads like an attribution, in the customer's own words.
    let quoting = "From: Jo <jo@example.com>\nSubject: Parcel left in the rain\nMessage-ID: <w1@x>\n\nMy parcel was ruined.\nOn the delivery card the driver wrote:\n\"Left at front door\"\nBut I was home all day. I want a refund.\n";
    let id = log
        .run(["mail", "--quiet"])
        .stdin(quoting)
        .ok()
        .trim()
        .to_string();
    assert_eq!(
        log.case_json(&id)["complaint"]["summary"],
        "My parcel was ruined.\nOn the delivery card the driver wrote:\n\"Left at front door\"\nBut I was home all day. I want a refund."
    );
    // A reply to the case that is all quote keeps its text, not nothing.
    let reply = format!(
        "From: jo@example.com\nSubject: Re: Parcel [caselog {id}]\nMessage-ID: <w2@x>\n\nOn Fri, 20 Nov 2026, Ferncliff <s@ferncliff.example> wrote:\n> Which door?\n"
    );
    log.run(["mail"]).stdin(reply).ok();
    let events = log.case_json(&id)["events"].clone();
    let last = events.as_array().unwrap().last().unwrap()["text"].clone();
    assert!(last.as_str().unwrap().ends_with("> Which door?"), "{last}");
}

#[test]
fn a_message_id_reused_by_another_sender_is_not_taken_for_the_same_message() {
    let log = Log::new();
    // Someone sends first under the Message-ID the customer's mail will
    // have (a sender chooses it).
    let first = log
        .run(["mail", "--quiet"])
        .stdin(message_from(
            "mallory@attacker.example",
            "hello",
            "m1@example.com",
            "Nothing to see.",
        ))
        .ok()
        .trim()
        .to_string();
    let customer = message_from(
        "Maria <maria@example.com>",
        "Refund not received",
        "m1@example.com",
        "Refund for A-1001 please.",
    );
    let opened = log
        .run(["mail", "--quiet"])
        .stdin(customer.clone())
        .ok()
        .trim()
        .to_string();
    assert_ne!(opened, first);
    assert!(log.case_text(&opened).contains("Refund for A-1001 please."));
    // The customer's own message delivered again is still recorded once,
    // and so is a reuse of its id on a reply to the case.
    let again = log.run(["mail"]).stdin(customer).ok();
    assert!(again.contains("already recorded"), "{again}");
    let reply = |from: &str| {
        message_from(
            from,
            &format!("Re: Refund [caselog {opened}]"),
            "r1@example.com",
            "Any news?",
        )
    };
    log.run(["mail"]).stdin(reply("maria@example.com")).ok();
    let out = log
        .run(["mail"])
        .stdin(reply("mallory@attacker.example"))
        .output();
    assert!(out.status.success());
    let out = String::from_utf8(out.stdout).unwrap();
    assert!(out.contains("added as a note"), "{out}");
    assert_eq!(log.case_text(&opened).matches("r1@example.com").count(), 2);
}

#[test]
fn a_message_with_carriage_returns_alone_as_line_ends_is_read_by_its_lines() {
    let log = Log::new();
    let id = log
        .run(["mail", "--quiet"])
        .stdin("From: Ann <ann@example.com>\rSubject: Refund please\rMessage-ID: <1234.abc@mx.provider.example>\r\rMy order never arrived.\r")
        .ok()
        .trim()
        .to_string();
    let case = log.case_json(&id);
    assert_eq!(case["customer"]["contact"], "ann@example.com");
    assert_eq!(case["customer"]["name"], "Ann");
    assert_eq!(case["title"], "Refund please");
    assert_eq!(case["complaint"]["summary"], "My order never arrived.");
    assert_eq!(
        case["events"][0]["message_id"],
        "1234.abc@mx.provider.example"
    );
}

#[test]
fn the_list_of_attachments_in_an_event_is_capped_and_counts_the_rest() {
    let log = Log::new();
    cap_text(&log, 1000);
    let parts: String = (0..200)
        .map(|i| {
            format!(
                "--b\nContent-Disposition: attachment; filename=\"{i:03}{}.bin\"\n\nx\n",
                "n".repeat(90)
            )
        })
        .collect();
    let message = |id: &str, subject: &str| {
        format!(
            "From: m@example.com\nSubject: {subject}\nMessage-ID: <{id}>\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\n{}\n{parts}--b--\n",
            "Still broken. ".repeat(100)
        )
    };
    let id = log
        .run(["mail", "--quiet"])
        .stdin(message("many@x", "many"))
        .ok()
        .trim()
        .to_string();
    log.run(["mail"])
        .stdin(message("more@x", &format!("Re: many [caselog {id}]")))
        .ok();
    let case = log.case_json(&id);
    for event in case["events"].as_array().unwrap() {
        let text = event["text"].as_str().unwrap();
        assert!(text.len() <= 1000, "{}: {text}", text.len());
        assert!(
            text.contains("Attachments: 000nnn") && text.contains(" more (19"),
            "{text}"
        );
    }
    assert!(log.run(["check"]).ok().is_empty());
}

#[test]
fn attachments_are_in_place_even_when_nobody_reads_the_printed_id() {
    let log = Log::new();
    let out = log
        .run(["mail", "--attachments", "incoming"])
        .stdin(fixture_bytes("multipart-attachment.eml"))
        .output_into_a_closed_pipe();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let cases: Vec<_> = fs::read_dir(log.path().join("cases/2026/11"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(cases.len(), 1);
    let id = cases[0].file_stem().unwrap().to_str().unwrap();
    let saved = log.path().join("incoming").join(id);
    assert!(saved.join("invoice B-2207.pdf").is_file(), "{saved:?}");
    assert!(saved.join("bashrc").is_file());
}

#[test]
fn a_complaint_through_a_google_group_or_mailing_list_opens_a_case() {
    let log = Log::new();
    let mut message = b"Precedence: list\r\nMailing-list: list support@ferncliff.example; contact support+owners@ferncliff.example\r\nList-ID: <support.ferncliff.example>\r\n".to_vec();
    message.extend(fixture_bytes("plain.eml"));
    let out = log.run(["mail", "--quiet"]).stdin(message).ok();
    assert!(out.starts_with("20261120-"), "{out}");
    let text = log.case_text(out.trim());
    assert!(text.contains("contact = \"maria@example.com\""), "{text}");
}

#[test]
fn auto_submitted_no_with_a_comment_or_empty_is_a_person_writing() {
    let log = Log::new();
    for (n, value) in ["no (sent by a person)", ""].iter().enumerate() {
        let mut message = format!("Auto-Submitted: {value}\r\n").into_bytes();
        message.extend(
            String::from_utf8(fixture_bytes("plain.eml"))
                .unwrap()
                .replace("Message-ID: <", &format!("Message-ID: <{n}."))
                .into_bytes(),
        );
        let out = log.run(["mail", "--quiet"]).stdin(message).ok();
        assert!(out.starts_with("20261120-"), "{value:?}: {out}");
    }
}

#[test]
fn a_message_not_recorded_leaves_no_attachments_folder_behind() {
    let log = Log::new();
    let id = log.open(&["--contact", "jo@example.com"]);
    let reply = format!(
        "From: jo@example.com\nSubject: Re: x [caselog {id}]\nMessage-ID: <att@x>\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\nPhoto attached.\n--b\nContent-Disposition: attachment; filename=\"photo.jpg\"\n\njpeg\n--b--\n"
    );
    log.run(["mail", "--attachments", "incoming"])
        .stdin(reply.clone())
        .ok();
    assert!(
        log.path()
            .join("incoming")
            .join(&id)
            .join("photo.jpg")
            .is_file()
    );
    // Delivered again, to a folder not made yet: nothing is recorded, and
    // no folder is made.
    let out = log
        .run(["mail", "--attachments", "elsewhere/incoming"])
        .stdin(reply)
        .ok();
    assert!(out.contains("already recorded"), "{out}");
    assert!(!log.path().join("elsewhere").exists());
}

#[test]
fn attachments_that_could_not_be_saved_are_saved_when_the_mail_system_tries_again() {
    let log = Log::new();
    let id = log.open(&["--contact", "ben.okafor@example.net"]);
    let message = String::from_utf8(fixture_bytes("multipart-attachment.eml"))
        .unwrap()
        .replace(
            "Subject: Grinder arrived with a cracked hopper",
            &format!("Subject: Re: Grinder [caselog {id}]"),
        );
    // A file where the case's folder of attachments goes.
    let incoming = log.path().join("incoming");
    fs::create_dir(&incoming).unwrap();
    fs::write(incoming.join(&id), "in the way").unwrap();
    let err = log
        .run(["mail", "--attachments", "incoming"])
        .stdin(message.clone())
        .fails(3);
    assert!(
        err.contains(&format!(
            "case {id} is recorded, but its attachments could not be saved"
        )),
        "{err}"
    );
    fs::remove_file(incoming.join(&id)).unwrap();
    let case = log.case_text(&id);
    // The mail system delivers the message again.
    let out = log
        .run(["mail", "--attachments", "incoming"])
        .stdin(message.clone())
        .ok();
    assert!(
        out.starts_with(&format!("{id}: this message is already recorded")),
        "{out}"
    );
    assert!(
        out.contains("attachments not yet saved in incoming saved now"),
        "{out}"
    );
    assert_eq!(log.case_text(&id), case, "recorded once");
    let saved = |folder: &std::path::Path| {
        let mut names: Vec<String> = fs::read_dir(folder)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    };
    let names = saved(&incoming.join(&id));
    assert!(
        names.contains(&"invoice B-2207.pdf".to_string()),
        "{names:?}"
    );
    // Once more: nothing is missing, and nothing is saved twice.
    let out = log
        .run(["mail", "--attachments", "incoming"])
        .stdin(message)
        .ok();
    assert!(out.ends_with("; nothing changed\n"), "{out}");
    assert_eq!(saved(&incoming.join(&id)), names);
}

#[test]
fn a_message_with_a_message_id_too_long_to_keep_is_still_recorded_once() {
    let log = Log::new();
    let long = format!("{}@mail.example.com", "a1b2".repeat(80));
    let message = message_from("Maria <maria@example.com>", "Grinder", &long, "It broke.");
    let id = log.run(["mail", "--quiet"]).stdin(message.clone()).ok();
    let id = id.trim();
    let case = log.case_text(id);
    let kept = case
        .lines()
        .find_map(|l| l.strip_prefix("message_id = \""))
        .and_then(|l| l.strip_suffix('"'))
        .expect("a message_id kept");
    assert!(kept.starts_with("erased-") && kept.len() < 60, "{kept}");
    let before = log.files();
    let out = log.run(["mail"]).stdin(message).ok();
    assert_eq!(
        out,
        format!("{id}: this message is already recorded (Message-ID <{kept}>); nothing changed\n")
    );
    assert_eq!(log.files(), before);
    // A reply naming it in References threads to the case.
    let reply = format!(
        "From: maria@example.com\nSubject: More\nReferences: <{long}>\nMessage-ID: <r2@mail.example.com>\n\nAnd the lid.\n"
    );
    let out = log.run(["mail"]).stdin(reply).ok();
    assert_eq!(out, format!("{id}: e-mail from the customer added\n"));
}

#[test]
fn the_customers_address_is_where_a_contact_form_or_group_asks_replies_to_go() {
    let log = log_with_sendmail(false);
    // A web site's form, sent from the log's own address on the
    // customer's behalf.
    let form = "From: Ferncliff web site <support@ferncliff.example>\nTo: support@ferncliff.example\nReply-To: Ann Lee <Ann.Lee@example.com>\nSubject: Contact form: stale beans\nMessage-ID: <form1@ferncliff.example>\nDate: Sun, 22 Nov 2026 08:00:00 +0000\n\nThe beans I got were stale.\n";
    let id = mailed(&log, form);
    assert_eq!(
        redact(&log.case_text(&id), &id),
        "format = 1\nid = \"<ID>\"\ntitle = \"Contact form: stale beans\"\nstatus = \"open\"\nseverity = \"normal\"\nchannel = \"email\"\nopened_at = 2026-11-22T08:00:00Z\nopened_by = \"ana@example.com\"\n\n[customer]\nname = \"Ann Lee\"\ncontact = \"Ann.Lee@example.com\"\n\n[complaint]\nsummary = \"The beans I got were stale.\"\n\n[[events]]\nat = 2026-11-22T08:00:00Z\nby = \"ana@example.com\"\naction = \"opened\"\nmessage_id = \"form1@ferncliff.example\"\ntext = \"\"\"\nE-mail from Ferncliff web site <support@ferncliff.example>\nReply-To: Ann Lee <Ann.Lee@example.com>\nSubject: Contact form: stale beans\"\"\"\n"
    );
    // The reply goes to her.
    log.run(["reply", &id, "--send", "Sorry, a new bag is on its way."])
        .ok();
    assert!(
        sent(&log).contains("To: \"Ann Lee\" <Ann.Lee@example.com>\r\n"),
        "{}",
        sent(&log)
    );
    // Her answer through a group that re-sends it from its own address
    // (and an address differing only in case) is hers, not a stranger's.
    let group = format!(
        "From: 'Ann Lee' via Support <support@groups.example>\nTo: support@groups.example\nReply-To: ann.lee@EXAMPLE.com\nSubject: Re: Contact form [caselog {id}]\nMessage-ID: <g2@groups.example>\n\nThank you!\n"
    );
    let out = log.run(["mail"]).stdin(group).ok();
    assert_eq!(out, format!("{id}: e-mail from the customer added\n"));
    // A list that sets Reply-To to itself does not make the list the
    // customer: the sender is.
    let list = "From: Bo <bo@example.com>\nTo: support@lists.example\nReply-To: support@lists.example\nList-Post: <mailto:support@lists.example>\nSubject: Late parcel\nMessage-ID: <l1@example.com>\n\nWhere is it?\n";
    let case = mailed_case(&log, list);
    assert!(
        case.contains("name = \"Bo\"\ncontact = \"bo@example.com\"\n"),
        "{case}"
    );
    assert!(!case.contains("Reply-To"), "{case}");
    // Our own mail without a Reply-To, or with one in our own domain (a
    // colleague's), stays unrecorded.
    for reply_to in ["", "Reply-To: Team <team@FERNCLIFF.example>\n"] {
        let own = format!(
            "From: Support <support@ferncliff.example>\n{reply_to}Subject: Re: x\nMessage-ID: <own@ferncliff.example>\n\nCopy.\n"
        );
        let out = log.run(["mail"]).stdin(own).ok();
        assert!(
            out.starts_with("not recorded: the message is from this log's own address"),
            "{out}"
        );
    }
}

#[test]
fn a_message_forwarded_as_an_attachment_keeps_its_text_in_the_complaint() {
    let log = Log::new();
    let message = "From: Bob <bob@example.com>\nSubject: Fwd: your courier\nMessage-ID: <fw1@example.com>\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\nSee what your courier wrote.\n--b\nContent-Type: message/rfc822\n\nFrom: Courier <noreply@courier.example>\nSubject: Parcel 12345 lost\nDate: Fri, 20 Nov 2026 10:00:00 +0000\nContent-Type: multipart/alternative; boundary=c\n\n--c\nContent-Type: text/html\n\n<p>We lost your parcel 12345.</p>\n--c--\n--b--\n";
    let case = mailed_case(&log, message);
    assert!(
        case.contains("[complaint]\nsummary = \"\"\"\nSee what your courier wrote.\n\n---------- Forwarded message ----------\nFrom: Courier <noreply@courier.example>\nDate: Fri, 20 Nov 2026 10:00:00 +0000\nSubject: Parcel 12345 lost\n\nWe lost your parcel 12345.\"\"\"\n"),
        "{case}"
    );
    // Still listed as a file it carries.
    assert!(case.contains("Attachments: message.eml ("), "{case}");
}

#[test]
fn an_mbox_of_several_messages_is_refused_and_one_of_one_is_read() {
    let log = Log::new();
    let before = log.files();
    let mbox = "From maria@example.com Fri Nov 20 09:00:00 2026\nFrom: Maria <maria@example.com>\nSubject: One\nMessage-ID: <mb1@example.com>\n\nFirst.\nFrom here on the lid leaked.\n\nFrom maria@example.com Fri Nov 20 10:00:00 2026\nFrom: Maria <maria@example.com>\nSubject: Two\nMessage-ID: <mb2@example.com>\n\nSecond.\n";
    let stderr = log.run(["mail"]).stdin(mbox).fails(2);
    assert_eq!(
        stderr,
        "caselog: the message on standard input: this is an mbox file of 2 messages, and caselog mail records one message at a time (examples/mail/import-mbox records each); nothing was written\n"
    );
    assert_eq!(log.files(), before);
    // One message with its mbox line, and a line of its text starting
    // "From ", is one message.
    let one = &mbox[..mbox.find("\n\nFrom maria").unwrap() + 1];
    let case = mailed_case(&log, one);
    assert!(
        case.contains("summary = \"\"\"\nFirst.\nFrom here on the lid leaked.\"\"\"\n"),
        "{case}"
    );
}

#[test]
fn a_message_with_two_from_headers_naming_different_senders_is_refused() {
    let log = Log::new();
    let before = log.files();
    let stderr = log
        .run(["mail"])
        .stdin("From: Real <real@example.com>\nFrom: Fake <fake@example.net>\nSubject: x\n\nText\n")
        .fails(2);
    assert_eq!(
        stderr,
        "caselog: the message on standard input: the message has more than one From: header, naming real@example.com and fake@example.net: which is the sender cannot be told (a forged message, or a broken mailer); nothing was written\n"
    );
    assert_eq!(log.files(), before);
    // The same address twice is one sender.
    log.run(["mail", "--quiet"])
        .stdin("From: Real <real@example.com>\nFrom: real@EXAMPLE.com\nSubject: x\n\nText\n")
        .ok();
}

#[test]
fn mail_answering_a_redacted_case_opens_a_new_one_and_leaves_the_erased_record_be() {
    let (log, id, ours) = replied_to_maria();
    log.run(["close", &id, "--reason", "answered"]).ok();
    log.run(["redact", &id, "--reason", "erasure request", "--force"])
        .ok();
    let redacted = log.case_text(&id);
    for message in [
        format!(
            "From: Maria <maria@example.com>\nSubject: Re: Refund\nIn-Reply-To: <{ours}>\nMessage-ID: <again1@example.com>\n\nIt happened again.\n"
        ),
        format!(
            "From: Maria <maria@example.com>\nSubject: Re: Refund [caselog {id}]\nMessage-ID: <again2@example.com>\n\nAnd again.\n"
        ),
    ] {
        let out = log.run(["mail"]).stdin(message).output();
        assert!(out.status.success());
        let new = String::from_utf8(out.stdout).unwrap();
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert!(new.starts_with("20261122-") && new.trim() != id, "{new}");
        assert!(
            stderr.contains(&format!("the e-mail answers case {id}, whose customer's personal data is redacted: it is not added to it, and is placed as mail that answers no case\n")),
            "{stderr}"
        );
        let case = log.case_text(new.trim());
        assert!(case.contains("contact = \"maria@example.com\""), "{case}");
    }
    assert_eq!(log.case_text(&id), redacted);
    // A bounce of the erased reply is not recorded anywhere.
    let bounce = String::from_utf8(filled("bounce.eml", &[("MSGID", &ours), ("ID", "x")])).unwrap();
    let out = log.run(["mail"]).stdin(bounce).output();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        stdout.starts_with("not recorded: a message sent by a machine"),
        "{stdout}"
    );
    assert_eq!(log.case_text(&id), redacted);
}

#[test]
fn a_subject_and_name_in_a_charset_unknown_keep_their_accents() {
    let log = Log::new();
    let id = log
        .run(["mail", "--quiet"])
        .stdin("From: =?unknown-8bit?Q?Jos=E9_Pe=F1a?= <jose@example.com>\nSubject: =?x-bogus?B?Q2Fm6SBmcm9pZA==?=\n\nCold.\n")
        .ok();
    let case = log.case_text(id.trim());
    assert!(case.contains("title = \"Café froid\"\n"), "{case}");
    assert!(case.contains("name = \"José Peña\"\n"), "{case}");
}
