//! The complaint-handling practice: handling steps, solutions and the
//! customer's agreement, escalation, what to do next, and learning from
//! earlier cases (repeat customers, similar cases).

use serde_json::Value;

use crate::harness::Log;

/// Runs one step at `at`, as the default person (ana@example.com).
fn step(log: &Log, at: &str, args: &[&str]) -> String {
    log.run(args).at(at).ok()
}

/// What `next` advises, as its stable action words.
fn next(log: &Log, id: &str, at: &str) -> Vec<String> {
    let out = log.run(["next", id, "--format", "json"]).at(at).ok();
    let json: Value = serde_json::from_str(&out).expect("next --format json");
    json["next"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["action"].as_str().unwrap().to_string())
        .collect()
}

/// The `why` of one piece of advice.
fn why(log: &Log, id: &str, at: &str, action: &str) -> String {
    let out = log.run(["next", id, "--format", "json"]).at(at).ok();
    let json: Value = serde_json::from_str(&out).unwrap();
    json["next"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["action"] == action)
        .unwrap_or_else(|| panic!("no '{action}' advice in {json}"))["why"]
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn a_case_goes_through_every_step_of_the_practice() {
    let log = Log::new();
    let id = log.open(&["--assignee", "ana@example.com", "--reference", "A-1001"]);
    let at = |t: &str| format!("2026-11-20T{t}:00Z");
    assert_eq!(
        next(&log, &id, &at("11:15")),
        ["respond", "listen", "ask", "apologise", "propose", "thank"]
    );
    assert_eq!(
        why(&log, &id, &at("11:15"), "respond"),
        "no reply to the customer yet (opened 2h ago; first response due in 22h, \
         at 2026-11-21 09:15 UTC)"
    );
    step(
        &log,
        &at("09:30"),
        &[
            "note",
            &id,
            "--kind",
            "acknowledged",
            "We have your complaint.",
        ],
    );
    step(
        &log,
        &at("09:40"),
        &[
            "note",
            &id,
            "--kind",
            "listened",
            "So the refund never came.",
        ],
    );
    step(
        &log,
        &at("09:45"),
        &["note", &id, "--kind", "question", "Which card was it?"],
    );
    step(
        &log,
        &at("09:50"),
        &["note", &id, "--kind", "apologised", "We are sorry."],
    );
    let out = step(
        &log,
        &at("10:00"),
        &[
            "propose",
            &id,
            "Refund again by bank transfer",
            "--pro",
            "arrives in 2 days",
            "--con",
            "needs her IBAN",
        ],
    );
    assert_eq!(
        out,
        format!("{id}: option 1 proposed; when the customer chooses, `caselog agree {id} 1`\n")
    );
    step(
        &log,
        &at("10:05"),
        &[
            "propose",
            &id,
            "Store credit of 120%",
            "--pro",
            "at once",
            "--con",
            "she wants money",
        ],
    );
    assert_eq!(next(&log, &id, &at("10:06")), ["agree", "thank"]);
    assert!(
        why(&log, &id, &at("10:06"), "agree").starts_with("options 1, 2 proposed, none agreed yet"),
    );
    step(
        &log,
        &at("10:30"),
        &[
            "agree",
            &id,
            "1",
            "--how",
            "phone",
            "--contingency",
            "If the transfer bounces, pay by cheque",
            "--monitor",
            "Check the bank statement on Friday",
        ],
    );
    assert_eq!(next(&log, &id, &at("10:31")), ["resolve", "thank"]);
    step(
        &log,
        &at("11:00"),
        &[
            "escalate",
            &id,
            "--to",
            "lead@example.com",
            "--reason",
            "Transfers over 100 need a lead",
        ],
    );
    step(
        &log,
        &at("12:00"),
        &[
            "note",
            &id,
            "--kind",
            "thanked",
            "Thank you for telling us.",
        ],
    );
    let out = log
        .run([
            "resolve",
            &id,
            "--summary",
            "Refunded by transfer",
            "--outcome",
            "upheld",
            "--root-cause",
            "Card refunds fail for closed cards",
            "--redress",
            "Refund plus a 10 voucher",
        ])
        .at(&at("13:00"))
        .by("lead@example.com")
        .ok();
    assert_eq!(
        out,
        format!("{id}: resolved (option 1); follow-up due 2026-11-22 13:00 UTC\n")
    );
    assert_eq!(next(&log, &id, "2026-11-22T09:00:00Z"), ["follow-up"]);
    step(
        &log,
        "2026-11-22T10:00:00Z",
        &["follow-up", &id, "--done", "--satisfied", "yes"],
    );
    assert_eq!(next(&log, &id, "2026-11-22T10:01:00Z"), ["none"]);

    insta::assert_snapshot!("every_step_file", log.case_text(&id).replace(&id, "<ID>"));
    let shown = log.run(["show", &id]).at("2026-11-22T10:01:00Z").ok();
    insta::assert_snapshot!("every_step_show", shown.replace(&id, "<ID>"));
    log.run(["check"]).at("2026-11-22T10:01:00Z").ok();
}

#[test]
fn handling_steps_left_out_show_as_open_boxes() {
    let log = Log::new();
    let id = log.open(&[]);
    step(
        &log,
        "2026-11-20T10:00:00Z",
        &["note", &id, "--kind", "reply", "Looking."],
    );
    let shown = log.run(["show", &id]).at("2026-11-20T11:00:00Z").ok();
    let checklist: Vec<&str> = shown
        .lines()
        .skip_while(|l| *l != "handling steps")
        .skip(1)
        .take_while(|l| !l.is_empty())
        .collect();
    assert_eq!(checklist.len(), 9, "{shown}");
    assert!(
        checklist[0].starts_with("  [x] acknowledged and responded"),
        "{shown}"
    );
    assert!(checklist[0].ends_with("2026-11-20 10:00 UTC"), "{shown}");
    assert!(
        checklist[1..].iter().all(|l| l.starts_with("  [ ] ")),
        "{shown}"
    );
}

/// A refusal by the command line parser: exit 2, the problem named, nothing written.
#[track_caller]
fn refused_usage(log: &Log, args: &[&str], message: &str) {
    let before = log.files();
    let stderr = log.run(args).at("2026-11-20T12:00:00Z").fails(2);
    assert!(stderr.contains(message), "{args:?}: {stderr}");
    assert!(log.files() == before, "{args:?} wrote something");
}

/// Each refusal: exit 2, one line naming the problem, nothing written.
#[track_caller]
fn refused(log: &Log, args: &[&str], message: &str) {
    let before = log.files();
    let stderr = log.run(args).at("2026-11-20T12:00:00Z").fails(2);
    assert!(stderr.contains(message), "{args:?}: {stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(log.files() == before, "{args:?} wrote something");
}

#[test]
fn solutions_agreement_and_escalation_refuse_bad_input_and_write_nothing() {
    let log = Log::new();
    let id = log.open(&["--assignee", "ben@example.com"]);
    refused(
        &log,
        &["agree", &id, "1"],
        "has no proposed solutions; record them with `caselog propose`",
    );
    step(&log, "2026-11-20T10:00:00Z", &["propose", &id, "Refund"]);
    step(&log, "2026-11-20T10:01:00Z", &["propose", &id, "Voucher"]);
    refused(
        &log,
        &["agree", &id, "3"],
        "has no option 3 (options 1 to 2)",
    );
    refused(&log, &["agree", &id, "0"], "has no option 0");
    refused_usage(&log, &["agree", &id, "two"], "invalid value 'two'");
    refused(&log, &["propose", &id, "  "], "the solution");
    refused(
        &log,
        &["propose", &id, "Refund", "--pro", "a\nb"],
        "a plus or minus",
    );
    refused_usage(
        &log,
        &["agree", &id, "1", "--how", "pigeon"],
        "invalid value 'pigeon'",
    );
    refused(
        &log,
        &["agree", &id, "1", "--contingency", ""],
        "the contingency",
    );
    step(&log, "2026-11-20T10:30:00Z", &["agree", &id, "1"]);
    refused(
        &log,
        &["agree", &id, "2"],
        "the customer already agreed to option 1",
    );
    refused(
        &log,
        &["agree", &id, "1"],
        "the customer already agreed to option 1",
    );
    refused(
        &log,
        &["escalate", &id, "--to", "ana@example.com", "--reason", "x"],
        "ana@example.com cannot escalate case",
    );
    refused(
        &log,
        &["escalate", &id, "--to", "ben@example.com", "--reason", "x"],
        "is already with ben@example.com",
    );
    refused(
        &log,
        &["escalate", &id, "--to", "lead", "--reason", " "],
        "the reason",
    );
    refused_usage(
        &log,
        &["resolve", &id, "--summary", "Done", "--outcome", "maybe"],
        "invalid value 'maybe'",
    );
    refused(
        &log,
        &["resolve", &id, "--summary", "Done", "--root-cause", ""],
        "the root cause",
    );
    step(
        &log,
        "2026-11-20T11:00:00Z",
        &["resolve", &id, "--summary", "Refunded"],
    );
    refused(
        &log,
        &["propose", &id, "Another"],
        "reopen it before proposing a solution",
    );
    refused(
        &log,
        &["escalate", &id, "--to", "lead", "--reason", "x"],
        "reopen it before escalating",
    );
    refused(
        &log,
        &["propose", "nope", "Another"],
        "no case matches 'nope'",
    );
}

#[test]
fn after_a_reopen_the_customer_may_agree_to_another_option() {
    let log = Log::new();
    let id = log.open(&[]);
    step(&log, "2026-11-20T10:00:00Z", &["propose", &id, "Refund"]);
    step(&log, "2026-11-20T10:01:00Z", &["agree", &id, "1"]);
    step(
        &log,
        "2026-11-20T11:00:00Z",
        &["resolve", &id, "--summary", "Refunded"],
    );
    step(
        &log,
        "2026-11-22T11:00:00Z",
        &["follow-up", &id, "--done", "--satisfied", "no"],
    );
    assert_eq!(log.case_json(&id)["status"], "open");
    // It never had a reply either: that comes first, then the rework.
    assert_eq!(
        next(&log, &id, "2026-11-22T11:01:00Z")[..2],
        ["respond", "rework"]
    );
    assert_eq!(
        why(&log, &id, "2026-11-22T11:01:00Z", "rework"),
        "customer not satisfied at the follow-up 2026-11-22 11:00 UTC"
    );
    assert!(
        why(&log, &id, "2026-11-22T11:01:00Z", "propose")
            .starts_with("no solution proposed since the case was reopened (1 before)")
    );
    let out = step(
        &log,
        "2026-11-22T12:00:00Z",
        &["propose", &id, "Replacement"],
    );
    assert!(out.contains("option 2 proposed"), "{out}");
    step(
        &log,
        "2026-11-22T12:05:00Z",
        &["agree", &id, "2", "--how", "email"],
    );
    step(
        &log,
        "2026-11-22T13:00:00Z",
        &["resolve", &id, "--summary", "Replaced"],
    );
    let case = log.case_json(&id);
    assert_eq!(case["resolution"]["option"], 2);
    assert_eq!(case["resolution"]["agreed"], true);
}

#[test]
fn resolving_without_an_agreement_names_no_option() {
    let log = Log::new();
    let id = log.open(&[]);
    step(&log, "2026-11-20T10:00:00Z", &["propose", &id, "Refund"]);
    let out = step(
        &log,
        "2026-11-20T11:00:00Z",
        &["resolve", &id, "--summary", "Refunded", "--not-agreed"],
    );
    assert!(!out.contains("option"), "{out}");
    let case = log.case_json(&id);
    assert_eq!(case["resolution"].get("option"), None);
    assert_eq!(case["resolution"]["agreed"], false);
}

#[test]
fn next_says_what_to_do_in_each_state_and_why() {
    let log = Log::new();
    // Open, nothing done, both targets long past: respond first, escalate.
    let late = log.open(&[]);
    let advice = next(&log, &late, "2026-12-10T09:00:00Z");
    assert_eq!(advice.first().map(String::as_str), Some("respond"));
    assert!(advice.contains(&"escalate".to_string()), "{advice:?}");
    assert!(why(&log, &late, "2026-12-10T09:00:00Z", "respond").contains("overdue by 2w 4d"));
    assert_eq!(
        why(&log, &late, "2026-12-10T09:00:00Z", "escalate"),
        "the resolution is overdue by 5d 23h, since 2026-12-04 09:15 UTC"
    );
    // Waiting past its --until: chase.
    let waiting = log.open(&[]);
    step(
        &log,
        "2026-11-20T10:00:00Z",
        &["note", &waiting, "--kind", "reply", "Asking the bank"],
    );
    step(
        &log,
        "2026-11-20T10:05:00Z",
        &["wait", &waiting, "--reason", "the bank", "--until", "1d"],
    );
    assert_eq!(next(&log, &waiting, "2026-11-21T09:00:00Z")[0], "wait");
    assert_eq!(next(&log, &waiting, "2026-11-21T11:00:00Z")[0], "chase");
    assert!(
        why(&log, &waiting, "2026-11-21T11:00:00Z", "chase")
            .starts_with("waiting on: the bank; overdue by")
    );
    // Resolved: the follow-up, with when it is due.
    let resolved = log.open(&[]);
    step(
        &log,
        "2026-11-20T10:00:00Z",
        &["resolve", &resolved, "--summary", "Refunded"],
    );
    assert_eq!(
        next(&log, &resolved, "2026-11-21T14:00:00Z"),
        ["follow-up", "thank"]
    );
    assert!(
        why(&log, &resolved, "2026-11-21T14:00:00Z", "follow-up")
            .starts_with("follow-up due in 20h, at 2026-11-22 10:00 UTC")
    );
    // Resolved with no follow-up: schedule one.
    let unscheduled = log.open(&[]);
    step(
        &log,
        "2026-11-20T10:00:00Z",
        &[
            "resolve",
            &unscheduled,
            "--summary",
            "Done",
            "--no-follow-up",
        ],
    );
    assert_eq!(
        next(&log, &unscheduled, "2026-11-21T10:00:00Z")[0],
        "schedule-follow-up"
    );
    // Followed up with no answer: close or try again.
    step(
        &log,
        "2026-11-22T10:00:00Z",
        &["follow-up", &resolved, "--done"],
    );
    assert_eq!(next(&log, &resolved, "2026-11-22T11:00:00Z")[0], "close");
    // Closed: nothing.
    step(&log, "2026-11-22T11:00:00Z", &["close", &resolved]);
    assert_eq!(next(&log, &resolved, "2026-11-22T12:00:00Z"), ["none"]);
    let text = log.run(["next", &resolved]).at("2026-11-22T12:00:00Z").ok();
    assert!(
        text.contains("- nothing to do: the case is closed 2026-11-22 11:00 UTC"),
        "{text}"
    );
}

/// Opens a complaint, not quietly, and returns (id, stderr).
fn open_with_hints(log: &Log, at: &str, args: &[&str]) -> (String, String) {
    let mut full = vec!["open", "--summary", "It happened."];
    full.extend_from_slice(args);
    let out = log.run(full).at(at).output();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (
        String::from_utf8(out.stdout).unwrap().trim().to_string(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn open_and_show_name_the_customers_earlier_cases() {
    let log = Log::new();
    let (first, hints) = open_with_hints(
        &log,
        "2026-11-01T09:00:00Z",
        &[
            "--title",
            "Wrong invoice",
            "--customer",
            "Ann",
            "--reference",
            "A-1",
            "--contact",
            "ann@x.example",
        ],
    );
    assert_eq!(hints, "", "nothing to say about a first complaint");
    // Same reference, other letter case: a repeat, found on stdout's id alone.
    let (second, hints) = open_with_hints(
        &log,
        "2026-11-05T09:00:00Z",
        &[
            "--title",
            "Parcel never came",
            "--customer",
            "Ann B.",
            "--reference",
            " a-1 ",
        ],
    );
    assert_eq!(
        hints,
        format!("caselog: this customer complained before (1 earlier case): {first}\n")
    );
    // No reference: the same contact counts.
    let (third, hints) = open_with_hints(
        &log,
        "2026-11-09T09:00:00Z",
        &[
            "--title",
            "Rude driver",
            "--customer",
            "Ann",
            "--contact",
            "ANN@x.example",
        ],
    );
    assert_eq!(
        hints,
        format!("caselog: this customer complained before (1 earlier case): {first}\n")
    );
    // Both have references and they differ: another customer, whatever the
    // contact; the third case, with no reference, matches by contact.
    let (_, hints) = open_with_hints(
        &log,
        "2026-11-10T09:00:00Z",
        &[
            "--title",
            "Rude driver",
            "--customer",
            "Ann",
            "--reference",
            "B-2",
            "--contact",
            "ann@x.example",
        ],
    );
    assert!(
        hints.starts_with(&format!(
            "caselog: this customer complained before (1 earlier case): {third}\n"
        )),
        "{hints}"
    );
    // --quiet: only the id, no pass over the log.
    let out = log
        .run([
            "open",
            "--quiet",
            "--title",
            "Again",
            "--customer",
            "Ann",
            "--reference",
            "A-1",
            "--summary",
            "x",
        ])
        .at("2026-11-11T09:00:00Z")
        .ok();
    assert_eq!(out.trim().len(), 14);

    let shown = log.run(["show", &second]).at("2026-11-12T09:00:00Z").ok();
    let earlier: Vec<&str> = shown
        .lines()
        .skip_while(|l| *l != "earlier cases of this customer")
        .skip(1)
        .collect();
    assert_eq!(
        earlier,
        [format!(
            "  {first}  2026-11-01 09:00 UTC  open  Wrong invoice"
        )],
        "{shown}"
    );
    let shown = log.run(["show", &first]).at("2026-11-12T09:00:00Z").ok();
    assert!(
        !shown.contains("earlier cases"),
        "only earlier ones: {shown}"
    );
    let shown = log.run(["show", &third]).at("2026-11-12T09:00:00Z").ok();
    assert!(shown.contains(&format!("  {first}  ")), "{shown}");
}

/// A small log where the right order is known.
fn similar_set(log: &Log) -> Vec<String> {
    let open = |at: &str, title: &str, category: &str, summary: &str| -> String {
        log.run([
            "open",
            "--quiet",
            "--title",
            title,
            "--customer",
            "C",
            "--category",
            category,
            "--summary",
            summary,
        ])
        .at(at)
        .ok()
        .trim()
        .to_string()
    };
    let torn = open(
        "2026-10-01T09:00:00Z",
        "Sofa cushion torn",
        "delivery",
        "The sofa cushion was torn when the courier delivered it.",
    );
    step(
        log,
        "2026-10-02T09:00:00Z",
        &[
            "resolve",
            &torn,
            "--summary",
            "Sent a new cushion",
            "--outcome",
            "upheld",
            "--redress",
            "New cushion",
        ],
    );
    step(
        log,
        "2026-10-04T09:00:00Z",
        &["follow-up", &torn, "--done", "--satisfied", "yes"],
    );
    let late_sofa = open(
        "2026-10-03T09:00:00Z",
        "Sofa delivered late",
        "product",
        "The sofa came a week after the promised date.",
    );
    let invoice = open(
        "2026-10-05T09:00:00Z",
        "Invoice charged twice",
        "billing",
        "My card was charged twice for one invoice.",
    );
    let lamp = open(
        "2026-10-06T09:00:00Z",
        "Lamp missing",
        "delivery",
        "Only the shade arrived.",
    );
    let query = open(
        "2026-11-20T09:00:00Z",
        "Torn cushion on my new sofa",
        "delivery",
        "The courier delivered the sofa with a torn cushion.",
    );
    vec![query, torn, late_sofa, invoice, lamp]
}

#[test]
fn similar_ranks_shared_rare_words_first_and_shows_how_cases_ended() {
    let log = Log::new();
    let ids = similar_set(&log);
    let (query, torn, late_sofa) = (&ids[0], &ids[1], &ids[2]);
    let out = log.run(["similar", query, "--format", "json"]).ok();
    let found: Value = serde_json::from_str(&out).unwrap();
    let order: Vec<&str> = found
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap())
        .collect();
    // The invoice shares no word, and the lamp only the category: not similar.
    assert_eq!(order, [torn.as_str(), late_sofa.as_str()]);
    let best = &found[0];
    assert_eq!(best["same_category"], true);
    assert_eq!(best["status"], "closed");
    assert_eq!(best["resolution"], "Sent a new cushion");
    assert_eq!(best["outcome"], "upheld");
    assert_eq!(best["redress"], "New cushion");
    assert_eq!(best["satisfied"], true);
    let (a, b) = (
        best["similarity"].as_f64().unwrap(),
        found[1]["similarity"].as_f64().unwrap(),
    );
    assert!(a > b && a <= 1.0 && b > 0.0, "{a} {b}");

    let text = log.run(["similar", query]).ok();
    let first: Vec<&str> = text.lines().take(4).collect();
    assert!(first[0].starts_with(&format!("{torn} ")), "{text}");
    assert!(
        first[0].ends_with("Sofa cushion torn  (same category)"),
        "{text}"
    );
    assert_eq!(first[1], "    closed, upheld, customer satisfied");
    assert_eq!(first[2], "    resolved: Sent a new cushion");
    assert_eq!(first[3], "    redress: New cushion");
    assert_eq!(
        log.run(["similar", query, "--limit", "1"])
            .ok()
            .lines()
            .filter(|l| !l.starts_with(' '))
            .count(),
        1
    );
}

#[test]
fn open_hints_at_similar_cases() {
    let log = Log::new();
    let ids = similar_set(&log);
    let (_, hints) = open_with_hints(
        &log,
        "2026-11-21T09:00:00Z",
        &[
            "--title",
            "Cushion torn",
            "--customer",
            "Dee",
            "--category",
            "delivery",
        ],
    );
    assert!(hints.starts_with("caselog: similar cases: "), "{hints}");
    assert!(
        hints.contains(&format!("{} (closed, upheld, customer satisfied)", ids[1])),
        "{hints}"
    );
    assert!(!hints.contains(&ids[3]), "{hints}");
}

#[test]
fn check_flags_solutions_that_do_not_add_up() {
    let log = Log::new();
    let id = log.open(&[]);
    step(&log, "2026-11-20T10:00:00Z", &["propose", &id, "Refund"]);
    step(&log, "2026-11-20T10:01:00Z", &["agree", &id, "1"]);
    let path = log.case_path(&id);
    let text = log.case_text(&id);
    let broken = text
        .replace(
            "action = \"agreed\"\noption = 1",
            "action = \"agreed\"\noption = 5",
        )
        .replace("action = \"opened\"", "action = \"opened\"\noption = 3");
    std::fs::write(&path, broken).unwrap();
    let out = log.run(["check"]).output();
    assert_eq!(out.status.code(), Some(1));
    let report = String::from_utf8(out.stdout).unwrap();
    assert!(
        report.contains("an 'opened' event has no `option`"),
        "{report}"
    );
    assert!(
        report.contains("agreed to option 5, which was not proposed before"),
        "{report}"
    );
}
