//! `caselog report`: a fixed scenario whose every measure is worked out by
//! hand, every format read back by a real parser, `--as-of`, and the
//! empty and one-case periods.

use serde_json::{Value, json};

use crate::harness::Log;

/// Opens a case at `at` and returns its id.
fn open(log: &Log, at: &str, customer: &str, extra: &[&str]) -> String {
    let mut args = vec![
        "open",
        "--quiet",
        "--title",
        "Complaint",
        "--customer",
        customer,
        "--summary",
        "Text.",
    ];
    args.extend_from_slice(extra);
    log.run(args).at(at).ok().trim().to_string()
}

fn step(log: &Log, at: &str, args: &[&str]) {
    log.run(args).at(at).ok();
}

/// The scenario, as the log stood on 2026-11-12 00:00 (`early`) and on
/// 2026-11-30 12:00 (all of it). Cases, with default targets (first
/// response 24h, resolution 14d, follow-up 48h after resolving):
///
/// - A opened 10-25, replied, still open: open at the start and the end.
/// - B opened 11-02 09:00, reply after 1h, resolved after 24h,
///   followed up on time (satisfied), so closed.
/// - C opened 11-05 09:00, first call after 30h (misses 24h), resolved
///   after 5d; follow-up a day late, not satisfied, so reopened; resolved
///   again 11-14 with no follow-up.
/// - D opened 11-10 09:00: no response, not resolved, both targets passed.
/// - E opened 11-20 09:00, email after 30m, resolved after 24h; follow-up
///   due 11-23 never done.
/// - F opened 11-30 06:00: nothing yet, nothing due yet.
/// - G (again) opened 11-15 09:00, reply after 10m, escalated,
///   resolved after 24h, followed up an hour late with no answer.
///
/// Outcomes and root causes: B upheld (courier damage), C's first
/// resolution partly upheld (the same cause, other letter case), C's
/// second upheld (stock error) with a voucher as redress; E and G record
/// none. D is escalated on
/// 11-11, G on 11-15.
struct Scenario {
    log: Log,
    ids: [String; 7],
}

fn scenario(until_early: bool) -> Scenario {
    let log = Log::new();
    let a = open(
        &log,
        "2026-10-25T10:00:00Z",
        "Ann",
        &["--category", "billing"],
    );
    step(
        &log,
        "2026-10-25T11:00:00Z",
        &["note", &a, "--kind", "reply", "Looking"],
    );
    let b = open(
        &log,
        "2026-11-02T09:00:00Z",
        "Bob",
        &["--reference", "R-1", "--category", "billing"],
    );
    step(
        &log,
        "2026-11-02T10:00:00Z",
        &["note", &b, "--kind", "reply", "Sorry"],
    );
    step(
        &log,
        "2026-11-03T09:00:00Z",
        &[
            "resolve",
            &b,
            "--summary",
            "Refunded",
            "--outcome",
            "upheld",
            "--root-cause",
            "Courier damage",
        ],
    );
    step(
        &log,
        "2026-11-05T08:00:00Z",
        &["follow-up", &b, "--done", "--satisfied", "yes"],
    );
    let c = open(
        &log,
        "2026-11-05T09:00:00Z",
        "Cy",
        &["--category", "delivery"],
    );
    step(
        &log,
        "2026-11-06T15:00:00Z",
        &["note", &c, "--kind", "call", "Called"],
    );
    step(
        &log,
        "2026-11-10T09:00:00Z",
        &[
            "resolve",
            &c,
            "--summary",
            "Reshipped",
            "--outcome",
            "partly-upheld",
            "--root-cause",
            "courier damage",
        ],
    );
    let d = open(
        &log,
        "2026-11-10T09:00:00Z",
        "Di",
        &["--category", "delivery"],
    );
    step(
        &log,
        "2026-11-11T09:00:00Z",
        &["escalate", &d, "--to", "lead", "--reason", "No stock"],
    );
    let mut ids = [a, b, c, d, String::new(), String::new(), String::new()];
    if until_early {
        return Scenario { log, ids };
    }
    let c = ids[2].clone();
    step(
        &log,
        "2026-11-13T09:00:00Z",
        &["follow-up", &c, "--done", "--satisfied", "no"],
    );
    step(
        &log,
        "2026-11-14T09:00:00Z",
        &[
            "resolve",
            &c,
            "--summary",
            "Refunded",
            "--no-follow-up",
            "--outcome",
            "upheld",
            "--root-cause",
            "Stock error",
            "--redress",
            "Voucher",
        ],
    );
    let g = open(
        &log,
        "2026-11-15T09:00:00Z",
        "Gil",
        &["--reference", "R-1", "--category", "billing"],
    );
    step(
        &log,
        "2026-11-15T09:10:00Z",
        &["note", &g, "--kind", "reply", "Sorry"],
    );
    step(
        &log,
        "2026-11-15T10:00:00Z",
        &["escalate", &g, "--to", "lead", "--reason", "Big refund"],
    );
    step(
        &log,
        "2026-11-16T09:00:00Z",
        &["resolve", &g, "--summary", "Voucher"],
    );
    step(&log, "2026-11-18T10:00:00Z", &["follow-up", &g, "--done"]);
    let e = open(
        &log,
        "2026-11-20T09:00:00Z",
        "Eve",
        &["--category", "product"],
    );
    step(
        &log,
        "2026-11-20T09:30:00Z",
        &["note", &e, "--kind", "email", "Sorry"],
    );
    step(
        &log,
        "2026-11-21T09:00:00Z",
        &["resolve", &e, "--summary", "Fixed"],
    );
    let f = open(&log, "2026-11-30T06:00:00Z", "Fay", &[]);
    ids[4] = e;
    ids[5] = f;
    ids[6] = g;
    Scenario { log, ids }
}

const NOW: &str = "2026-11-30T12:00:00Z";

fn json_report(log: &Log, now: &str, args: &[&str]) -> Value {
    let mut full = vec!["report", "--format", "json"];
    full.extend_from_slice(args);
    serde_json::from_str(&log.run(full).at(now).ok()).expect("report json")
}

#[test]
fn every_measure_matches_the_hand_computed_scenario() {
    let s = scenario(false);
    let [_, b, _, _, _, _, g] = &s.ids;
    let report = json_report(
        &s.log,
        NOW,
        &["--since", "2026-11-01", "--until", "2026-12-01"],
    );
    assert_eq!(
        report["period"],
        json!({"since": "2026-11-01T00:00:00Z", "until": "2026-12-01T00:00:00Z", "as_of": NOW})
    );
    assert_eq!(
        report["summary"],
        json!({
            "received": 6, "open_at_start": 1, "open_at_end": 3,
            "resolved": 5, "closed": 1, "reopened": 1, "reopen_rate": 0.2,
            // B 1h, C 30h, E 30m, G 10m; D missed its target, F is not due yet.
            "first_response": {"measured": 4, "median_seconds": 1800, "p90_seconds": 108000,
                               "within_target": 0.6, "pending": 2},
            // B, E, G 24h and C 5d, all within 14d; D missed, F not due yet.
            "resolution": {"measured": 4, "median_seconds": 86400, "p90_seconds": 432000,
                           "within_target": 0.8, "pending": 2},
            // B on time; C and G late; E missed; C's second resolution unscheduled.
            "follow_up": {"resolutions": 5, "on_time": 1, "late": 2, "missed": 1,
                          "not_scheduled": 1, "pending": 0, "compliance": 0.2},
            // Measured only when caselog.toml sets update_every.
            "updates": null,
            "satisfaction": {"satisfied": 1, "not_satisfied": 1, "unanswered": 1, "rate": 0.5},
            // D and G of the six received.
            "escalated": 2, "escalation_rate": 2.0 / 6.0,
            // B and C's second; C's first; E and G record none: five resolutions.
            "outcomes": {"upheld": 2, "partly_upheld": 1, "not_upheld": 0, "not_recorded": 2,
                         "with_redress": 1}
        })
    );
    assert_eq!(
        report["learning"]["root_causes"],
        json!([{"key": "Courier damage", "count": 2}, {"key": "Stock error", "count": 1}])
    );
    assert_eq!(
        report["learning"]["categories"],
        json!([{"key": "billing", "count": 2}, {"key": "delivery", "count": 2},
               {"key": null, "count": 1}, {"key": "product", "count": 1}])
    );
    assert_eq!(
        report["learning"]["repeat_customers"],
        json!([{"customer": "Gil (R-1)", "complaints": 2, "cases": [b, g]}])
    );
    assert_eq!(
        report["learning"]["trend"],
        json!({"unit": "week", "counts": [{"key": "2026-W44", "count": 0}, {"key": "2026-W45", "count": 2},
               {"key": "2026-W46", "count": 2}, {"key": "2026-W47", "count": 1},
               {"key": "2026-W48", "count": 0}, {"key": "2026-W49", "count": 1}]})
    );
}

#[test]
fn grouping_splits_the_same_measures() {
    let s = scenario(false);
    let report = json_report(&s.log, NOW, &["--since", "2026-11-01", "--by", "category"]);
    let groups = report["groups"].as_array().unwrap();
    let keys: Vec<&str> = groups.iter().map(|g| g["key"].as_str().unwrap()).collect();
    // Most complaints first.
    assert_eq!(keys, ["billing", "delivery", "product", "(none)"]);
    let billing = &groups[0]["measures"];
    // A (before the period) is billing too: open at the start and the end.
    assert_eq!(billing["received"], 2);
    assert_eq!(billing["open_at_start"], 1);
    assert_eq!(billing["open_at_end"], 1);
    assert_eq!(billing["first_response"]["median_seconds"], 600);
    let total: u64 = groups
        .iter()
        .map(|g| g["measures"]["received"].as_u64().unwrap())
        .sum();
    assert_eq!(total, 6);
}

#[test]
fn as_of_reproduces_the_report_of_that_day_exactly() {
    let range = ["--since", "2026-11-01"];
    let then = scenario(true);
    let on_the_day = json_report(&then.log, "2026-11-12T00:00:00Z", &range);
    assert_eq!(
        on_the_day["summary"]["follow_up"]["pending"], 1,
        "C's follow-up was not yet due"
    );
    let later = scenario(false);
    let reproduced = json_report(
        &later.log,
        NOW,
        &["--since", "2026-11-01", "--as-of", "2026-11-12T00:00:00Z"],
    );
    assert_eq!(reproduced["summary"], on_the_day["summary"]);
    // C's first resolution as it stood, though a later one replaced it.
    assert_eq!(
        on_the_day["summary"]["outcomes"],
        json!({"upheld": 1, "partly_upheld": 1, "not_upheld": 0, "not_recorded": 0,
               "with_redress": 0})
    );
    assert_eq!(on_the_day["summary"]["escalated"], 1);
    assert_eq!(
        reproduced["learning"]["root_causes"],
        on_the_day["learning"]["root_causes"]
    );
    assert_eq!(
        reproduced["learning"]["categories"],
        on_the_day["learning"]["categories"]
    );
    assert_eq!(reproduced["period"]["until"], "2026-11-12T00:00:00Z");
}

#[test]
fn as_of_a_time_still_to_come_is_refused_rather_than_counting_misses_that_have_not_happened() {
    let s = scenario(false);
    // On the last day of November, as of 1 December: C's follow-up and the
    // first responses due before then would all count as missed.
    let refused = s
        .log
        .run(["report", "--as-of", "2026-12-01"])
        .at("2026-11-30T15:00:00Z")
        .fails(2);
    assert!(
        refused.contains("--as-of 2026-12-01 00:00 UTC is later than now (2026-11-30 15:00 UTC)"),
        "{refused}"
    );
    assert_eq!(refused.lines().count(), 1, "{refused}");
    // A period still running is --until, which stops at now.
    let running = json_report(&s.log, "2026-11-30T15:00:00Z", &["--until", "2026-12-01"]);
    assert_eq!(running["period"]["as_of"], "2026-11-30T15:00:00Z");
    // And as of now, exactly, is the report of now.
    let now = json_report(&s.log, NOW, &["--as-of", NOW]);
    assert_eq!(now["summary"], json_report(&s.log, NOW, &[])["summary"]);
}

#[test]
fn since_a_year_ago_is_the_same_date_a_year_back_across_a_leap_day() {
    let log = Log::new();
    log.run([
        "open",
        "--quiet",
        "--title",
        "Late",
        "--customer",
        "Ida",
        "--summary",
        "Late.",
    ])
    .at("2027-03-01T12:00:00Z")
    .ok();
    let report = json_report(&log, "2028-03-01T00:00:00Z", &["--since", "1y"]);
    assert_eq!(report["period"]["since"], "2027-03-01T00:00:00Z");
    assert_eq!(report["summary"]["received"], 1);
    let listed = log
        .run(["list", "--opened-since", "1y"])
        .at("2028-03-01T00:00:00Z")
        .ok();
    assert!(listed.contains("Late"), "{listed}");
}

#[test]
fn since_a_year_ago_counts_the_year_on_the_log_s_calendar() {
    let log = Log::new();
    std::fs::write(
        log.path().join("caselog.toml"),
        "timezone = \"Pacific/Auckland\"\n",
    )
    .unwrap();
    // 28 February 2027, 10:00 in Auckland: within a year of 29 February
    // 2028, 09:00 there (the 28th in UTC).
    open(&log, "2027-02-27T21:00:00Z", "Ida", &[]);
    let report = json_report(&log, "2028-02-28T20:00:00Z", &["--since", "1y"]);
    assert_eq!(report["period"]["since"], "2027-02-27T20:00:00Z");
    assert_eq!(report["summary"]["received"], 1);
}

#[test]
fn as_of_groups_by_the_category_severity_and_customer_the_case_had_then() {
    let log = Log::new();
    let id = open(
        &log,
        "2026-11-10T09:00:00Z",
        "Ida",
        &[
            "--reference",
            "A-1",
            "--category",
            "billing",
            "--severity",
            "critical",
        ],
    );
    let id = id.as_str();
    let args = ["--by", "category", "--as-of", "2026-11-12T00:00:00Z"];
    let on_the_day = json_report(&log, "2026-11-12T00:00:00Z", &args);
    log.run([
        "edit",
        id,
        "--category",
        "delivery",
        "--severity",
        "low",
        "--reference",
        "B-2",
    ])
    .at("2026-11-15T00:00:00Z")
    .ok();
    let later = json_report(&log, NOW, &args);
    assert_eq!(later["groups"], on_the_day["groups"]);
    assert_eq!(later["groups"][0]["key"], "billing");
    for (by, then) in [("severity", "critical"), ("customer", "Ida (A-1)")] {
        let grouped = json_report(&log, NOW, &["--by", by, "--as-of", "2026-11-12T00:00:00Z"]);
        assert_eq!(grouped["groups"][0]["key"], then, "{by}");
    }
    // Without --as-of, the case is reported as it is now.
    let now = json_report(&log, NOW, &["--by", "category"]);
    assert_eq!(now["groups"][0]["key"], "delivery");
}

#[test]
fn a_case_escalated_after_the_period_is_not_counted_escalated_in_it() {
    let log = Log::new();
    let id = open(
        &log,
        "2026-10-20T09:00:00Z",
        "Ida",
        &["--assignee", "ana@example.com"],
    );
    log.run([
        "escalate",
        &id,
        "--to",
        "lead@example.com",
        "--reason",
        "Over my limit",
    ])
    .at("2026-11-05T09:00:00Z")
    .ok();
    let october = ["--since", "2026-10-01", "--until", "2026-11-01"];
    let on_the_first = json_report(&log, "2026-11-01T00:00:00Z", &october);
    let later = json_report(&log, NOW, &october);
    assert_eq!(on_the_first["summary"]["escalated"], 0);
    assert_eq!(later["summary"]["escalated"], 0, "escalated on 5 November");
    let november = json_report(&log, NOW, &["--since", "2026-10-01"]);
    assert_eq!(november["summary"]["escalated"], 1);
}

#[test]
fn as_of_groups_by_the_assignee_of_that_time() {
    let log = Log::new();
    let id = open(&log, "2026-11-02T09:00:00Z", "Jo", &["--assignee", "ana"]);
    step(&log, "2026-11-10T09:00:00Z", &["assign", &id, "ben"]);
    let before = json_report(&log, NOW, &["--by", "assignee", "--as-of", "2026-11-05"]);
    assert_eq!(before["groups"][0]["key"], "ana");
    let after = json_report(&log, NOW, &["--by", "assignee"]);
    assert_eq!(after["groups"][0]["key"], "ben");
}

#[test]
fn an_empty_period_says_so_and_divides_by_nothing() {
    let s = scenario(false);
    // Before the log began: nothing received, nothing open.
    let range = ["--since", "2020-01-01", "--until", "2020-02-01"];
    let mut args = vec!["report"];
    args.extend_from_slice(&range);
    let table = s.log.run(&args).at("2030-03-01T00:00:00Z").ok();
    assert!(table.contains("no cases in this period"), "{table}");
    for format in ["json", "yaml", "csv", "markdown"] {
        let mut with_format = args.clone();
        with_format.extend(["--format", format]);
        let out = s.log.run(&with_format).at("2030-03-01T00:00:00Z").ok();
        let tokens: Vec<String> = out
            .split(|c: char| !c.is_alphanumeric())
            .map(str::to_lowercase)
            .collect();
        assert!(
            !tokens.iter().any(|t| t == "nan" || t == "inf"),
            "{format}: {out}"
        );
    }
    let report = json_report(&s.log, "2030-03-01T00:00:00Z", &range);
    assert_eq!(report["summary"]["received"], 0);
    assert_eq!(report["summary"]["reopen_rate"], Value::Null);
    assert_eq!(
        report["summary"]["first_response"]["median_seconds"],
        Value::Null
    );
    // A empty log reports no cases too.
    assert!(
        Log::new()
            .run(["report"])
            .ok()
            .contains("no cases in this period")
    );
}

#[test]
fn a_one_case_period_has_its_own_figures_as_percentiles() {
    let s = scenario(false);
    let report = json_report(
        &s.log,
        NOW,
        &["--since", "2026-11-20", "--until", "2026-11-21"],
    );
    let summary = &report["summary"];
    assert_eq!(summary["received"], 1);
    assert_eq!(summary["first_response"]["median_seconds"], 1800);
    assert_eq!(summary["first_response"]["p90_seconds"], 1800);
    assert_eq!(summary["first_response"]["within_target"], 1.0);
}

#[test]
fn every_format_is_read_back_by_a_real_parser() {
    let s = scenario(false);
    let run = |format: &str| {
        s.log
            .run([
                "report",
                "--since",
                "2026-11-01",
                "--by",
                "category",
                "--format",
                format,
            ])
            .at(NOW)
            .ok()
    };
    let from_json: Value = serde_json::from_str(&run("json")).unwrap();
    let from_yaml: Value = caselog::yaml::from_str(&run("yaml")).unwrap();
    assert_eq!(from_yaml, from_json);

    let csv_text = run("csv");
    let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
    let header = reader.headers().unwrap().clone();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 1 + 4, "all, then one row per category");
    let cell = |row: &csv::StringRecord, name: &str| {
        row[header.iter().position(|h| h == name).unwrap()].to_string()
    };
    assert_eq!(cell(&rows[0], "group"), "all");
    assert_eq!(cell(&rows[0], "received"), "6");
    assert_eq!(cell(&rows[0], "first_response_median_seconds"), "1800");
    assert_eq!(cell(&rows[0], "follow_up_compliance"), "0.2000");
    assert_eq!(cell(&rows[1], "group"), "billing");

    let markdown = run("markdown");
    assert!(
        markdown.starts_with("### Complaints, 2026-11-01 00:00 UTC to 2026-11-30 12:00 UTC"),
        "{markdown}"
    );
    let table_rows: Vec<&str> = markdown.lines().filter(|l| l.starts_with('|')).collect();
    assert!(
        table_rows
            .iter()
            .any(|l| l.contains("| received ") && l.contains("| 6 ")),
        "{markdown}"
    );
    for block in markdown.split("\n\n") {
        let pipes: Vec<usize> = block
            .lines()
            .filter(|l| l.starts_with('|'))
            .map(|l| l.matches('|').count())
            .collect();
        assert!(
            pipes.windows(2).all(|w| w[0] == w[1]),
            "ragged markdown table: {block}"
        );
    }
}

#[test]
fn the_table_teaches_at_a_glance() {
    let s = scenario(false);
    let table = s.log.run(["report", "--since", "2026-11-01"]).at(NOW).ok();
    insta::assert_snapshot!(table.replace(&s.ids[1], "<B>").replace(&s.ids[6], "<G>"));
}

#[test]
fn bad_periods_are_refused() {
    let log = Log::new();
    let stderr = log
        .run(["report", "--since", "2026-12-01", "--until", "2026-11-01"])
        .fails(2);
    assert!(stderr.contains("the period is empty"), "{stderr}");
    let stderr = log.run(["report", "--since", "last month"]).fails(2);
    assert!(stderr.contains("neither a time"), "{stderr}");
}

#[test]
fn an_empty_period_names_the_end_as_it_was_given() {
    let log = Log::new();
    let refused = |args: &[&str]| {
        let mut full = vec!["report"];
        full.extend_from_slice(args);
        log.run(full).at("2026-11-22T09:00:00Z").fails(2)
    };
    assert_eq!(
        refused(&["--since", "2026-11-10", "--as-of", "2026-11-01"]),
        "caselog: the period is empty: --since 2026-11-10 00:00 UTC is not before --as-of (the end when --until is not given) 2026-11-01 00:00 UTC\n"
    );
    assert_eq!(
        refused(&["--since", "2026-12-01"]),
        "caselog: the period is empty: --since 2026-12-01 00:00 UTC is not before now 2026-11-22 09:00 UTC\n"
    );
    assert!(
        refused(&["--since", "2026-12-01", "--until", "2026-11-01"])
            .contains("is not before --until 2026-11-01 00:00 UTC")
    );
}

#[test]
fn since_takes_a_duration_before_now() {
    let s = scenario(false);
    let report = json_report(&s.log, NOW, &["--since", "1w"]);
    assert_eq!(report["period"]["since"], "2026-11-23T12:00:00Z");
    assert_eq!(report["summary"]["received"], 1);
}

#[test]
fn the_guide_shows_the_demo_report_as_caselog_prints_it() {
    let root = env!("CARGO_MANIFEST_DIR");
    let guide = std::fs::read_to_string(format!("{root}/docs/GUIDE.md")).unwrap();
    let start = guide
        .find("<!-- demo-report:start -->\n")
        .expect("start marker")
        + "<!-- demo-report:start -->\n".len();
    let end = guide.find("<!-- demo-report:end -->").expect("end marker");
    let live = Log::empty()
        .run([
            "report",
            "--dir",
            root,
            "--as-of",
            "2026-11-22T09:00:00Z",
            "--by",
            "assignee",
            "--format",
            "markdown",
        ])
        .ok();
    assert_eq!(
        &guide[start..end],
        live,
        "re-render the demo report in docs/GUIDE.md"
    );
}

#[test]
fn the_chart_adapts_to_the_period_days_weeks_or_months() {
    let log = Log::new();
    for at in [
        "2024-01-10T09:00:00Z",
        "2025-06-01T09:00:00Z",
        "2026-11-10T09:00:00Z",
        "2026-11-12T09:00:00Z",
    ] {
        open(&log, at, "Ann", &[]);
    }
    let chart = |args: &[&str]| {
        let mut full = vec!["report"];
        full.extend_from_slice(args);
        let out = log.run(full).at("2026-11-22T09:00:00Z").ok();
        let lines: Vec<String> = out
            .split("Complaints received per ")
            .nth(1)
            .expect("a chart")
            .lines()
            .map(str::to_string)
            .collect();
        (out, lines)
    };
    let (_, days) = chart(&["--since", "14d"]);
    assert_eq!(days[0], "day");
    assert!(days[1].starts_with("2026-11-08  "), "{days:?}");
    assert_eq!(days.len(), 1 + 15);
    let (_, weeks) = chart(&["--since", "2026-09-01"]);
    assert_eq!(weeks[0], "week");
    assert!(weeks.len() < 20, "{weeks:?}");
    let (whole, months) = chart(&[]);
    assert_eq!(months[0], "month");
    assert!(months[1].starts_with("2024-01  "), "{months:?}");
    assert_eq!(months.len(), 1 + 35, "never hundreds of lines");
    // The whole log opens with its headline numbers, not a chart.
    let second = whole.lines().nth(2).unwrap();
    assert!(second.starts_with("4 received · "), "{whole}");
}

#[test]
fn groups_come_by_volume_with_top_n_and_the_rest_as_one() {
    let log = Log::new();
    for (category, count) in [
        ("billing", 1),
        ("delivery", 3),
        ("product", 2),
        ("service", 1),
    ] {
        for _ in 0..count {
            open(
                &log,
                "2026-11-10T09:00:00Z",
                "Ann",
                &["--category", category],
            );
        }
    }
    let report = json_report(
        &log,
        "2026-11-22T09:00:00Z",
        &["--by", "category", "--top", "2"],
    );
    let keys: Vec<&str> = report["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["key"].as_str().unwrap())
        .collect();
    assert_eq!(keys, ["delivery", "product", "(2 others)"]);
    assert_eq!(report["groups"][2]["measures"]["received"], 2);
    assert_eq!(report["groups"][2]["others"], 2);
    assert_eq!(report["groups"][0].get("others"), None);
    let refused = log.run(["report", "--top", "2"]).fails(2);
    assert!(refused.contains("--by"), "{refused}");
}

#[test]
fn one_group_past_top_is_one_other_and_top_zero_is_refused() {
    let log = Log::new();
    for category in ["billing", "billing", "delivery"] {
        open(
            &log,
            "2026-11-10T09:00:00Z",
            "Ann",
            &["--category", category],
        );
    }
    let report = json_report(&log, NOW, &["--by", "category", "--top", "1"]);
    assert_eq!(report["groups"][1]["key"], "(1 other)");
    assert_eq!(report["groups"][1]["others"], 1);
    let refused = log
        .run(["report", "--by", "category", "--top", "0"])
        .fails(2);
    assert!(refused.contains("keep at least one group"), "{refused}");
}

#[test]
fn the_group_of_cases_with_no_value_is_told_apart_from_one_typed_alike() {
    let log = Log::new();
    open(
        &log,
        "2026-11-10T09:00:00Z",
        "Ann",
        &["--assignee", "(nobody)"],
    );
    open(&log, "2026-11-11T09:00:00Z", "Bo", &[]);
    open(&log, "2026-11-12T09:00:00Z", "Cy", &[]);
    let report = json_report(&log, "2026-11-22T09:00:00Z", &["--by", "assignee"]);
    let groups: Vec<(&str, bool, u64)> = report["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            (
                g["key"].as_str().unwrap(),
                g["none"].as_bool().unwrap_or(false),
                g["measures"]["received"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(groups, [("(nobody)", true, 2), ("(nobody)", false, 1)]);
    // In CSV too, where a group could also be typed as the whole period's
    // `all`: the `row` column says what each row is.
    open(&log, "2026-11-13T09:00:00Z", "Di", &["--assignee", "all"]);
    let csv_text = log
        .run([
            "report",
            "--since",
            "2026-11-01",
            "--by",
            "assignee",
            "--format",
            "csv",
        ])
        .at("2026-11-22T09:00:00Z")
        .ok();
    let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
    let header = reader.headers().unwrap().clone();
    let at = |name: &str| header.iter().position(|h| h == name).unwrap();
    let rows: Vec<(String, String)> = reader
        .records()
        .map(|row| {
            let row = row.unwrap();
            (row[at("group")].to_string(), row[at("row")].to_string())
        })
        .collect();
    let rows: Vec<(&str, &str)> = rows.iter().map(|(g, k)| (g.as_str(), k.as_str())).collect();
    assert_eq!(
        rows,
        [
            ("all", "all"),
            ("(nobody)", "none"),
            ("(nobody)", "group"),
            ("all", "group")
        ]
    );
}

#[test]
fn customers_are_named_and_matched_in_any_letter_case() {
    let log = Log::new();
    open(
        &log,
        "2026-11-10T09:00:00Z",
        "Maria López",
        &["--reference", "ACC-1001"],
    );
    open(
        &log,
        "2026-11-11T09:00:00Z",
        "maria lopez",
        &["--reference", "acc-1001"],
    );
    open(&log, "2026-11-12T09:00:00Z", "Jo Bloggs", &[]);
    open(&log, "2026-11-13T09:00:00Z", "JO BLOGGS ", &[]);
    let report = json_report(&log, "2026-11-22T09:00:00Z", &["--by", "customer"]);
    let groups: Vec<(&str, u64)> = report["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            (
                g["key"].as_str().unwrap(),
                g["measures"]["received"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(groups, [("JO BLOGGS", 2), ("maria lopez (acc-1001)", 2)]);
    assert_eq!(
        report["learning"]["repeat_customers"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
}

#[test]
fn a_measure_the_log_does_not_record_says_so_instead_of_zero() {
    let log = Log::new();
    let id = open(&log, "2026-10-01T09:00:00Z", "Ann", &[]);
    step(
        &log,
        "2026-10-02T09:00:00Z",
        &["resolve", &id, "--summary", "Done.", "--no-follow-up"],
    );
    open(&log, "2026-10-03T09:00:00Z", "Bo", &[]);
    let out = log.run(["report"]).at("2026-11-22T09:00:00Z").ok();
    let row = |name: &str| {
        out.lines()
            .find(|l| l.starts_with(name))
            .unwrap_or_else(|| panic!("{name}: {out}"))
            .to_string()
    };
    assert!(
        row("first response").contains("no first response recorded · 2 without a response"),
        "{out}"
    );
    assert!(!row("first response").contains('%'), "{out}");
    assert!(
        row("follow-up compliance").contains("no follow-up scheduled"),
        "{out}"
    );
    assert!(
        row("resolution").contains('%'),
        "a measured one keeps its share: {out}"
    );
    let json = json_report(&log, "2026-11-22T09:00:00Z", &[]);
    assert_eq!(
        json["summary"]["first_response"]["within_target"],
        Value::Null
    );
}

#[test]
fn the_table_names_the_ten_most_frequent_repeat_customers_and_their_latest_cases() {
    let log = Log::new();
    let mut maria = Vec::new();
    for day in 1..=5 {
        let at = format!("2026-11-{day:02}T09:00:00Z");
        maria.push(open(&log, &at, "Maria López", &["--reference", "ACC-1"]));
    }
    for n in 0..11 {
        for hour in [10, 11] {
            let at = format!("2026-11-06T{hour}:{n:02}:00Z");
            open(&log, &at, &format!("Customer {n:02}"), &[]);
        }
    }
    let table = log.run(["report"]).at("2026-11-22T09:00:00Z").ok();
    let latest = format!("2 earlier, {}, {}, {}", maria[2], maria[3], maria[4]);
    let first = table
        .lines()
        .find(|l| l.starts_with("Maria López (ACC-1)"))
        .expect(&table);
    assert!(first.contains(&latest), "{first}");
    assert!(!table.contains(&maria[0]), "{table}");
    let named = table.lines().filter(|l| l.starts_with("Customer ")).count();
    assert_eq!(named, 9, "{table}");
    assert!(
        table.contains("and 2 more customers (--format json lists every one)"),
        "{table}"
    );
    // Programs still get every customer and every case.
    let report = json_report(&log, "2026-11-22T09:00:00Z", &[]);
    let repeat = report["learning"]["repeat_customers"].as_array().unwrap();
    assert_eq!(repeat.len(), 12);
    assert_eq!(repeat[0]["cases"].as_array().unwrap().len(), 5);
}

#[test]
fn a_follow_up_rescheduled_once_overdue_still_counts_as_late_or_missed() {
    let log = Log::new();
    // Each is resolved on 10-02 09:00, its follow-up due 48h later, on
    // 10-04 09:00.
    let resolved = |customer: &str| {
        let id = open(&log, "2026-10-01T09:00:00Z", customer, &[]);
        step(
            &log,
            "2026-10-02T09:00:00Z",
            &["resolve", &id, "--summary", "Done."],
        );
        id
    };
    let moved_early = resolved("Ann");
    let moved_late_then_done = resolved("Bo");
    let moved_late_never_done = resolved("Cy");
    let reschedule = |id: &str, at: &str| {
        step(&log, at, &["follow-up", id, "--at", "2026-10-08T09:00:00Z"]);
    };
    reschedule(&moved_early, "2026-10-03T09:00:00Z");
    reschedule(&moved_late_then_done, "2026-10-05T09:00:00Z");
    reschedule(&moved_late_never_done, "2026-10-05T09:00:00Z");
    for id in [&moved_early, &moved_late_then_done] {
        step(&log, "2026-10-06T09:00:00Z", &["follow-up", id, "--done"]);
    }
    let report = json_report(
        &log,
        "2026-11-22T09:00:00Z",
        &["--since", "2026-10-01", "--until", "2026-11-01"],
    );
    let follow_up = &report["summary"]["follow_up"];
    assert_eq!(
        (
            &follow_up["on_time"],
            &follow_up["late"],
            &follow_up["missed"]
        ),
        (&json!(1), &json!(1), &json!(1)),
        "moved before it fell due: on time by the new time; moved once \
         overdue: measured against the time it missed: {follow_up}"
    );
}

#[test]
fn a_typed_value_that_reads_like_no_value_is_quoted_in_the_tables() {
    let log = Log::new();
    open(
        &log,
        "2026-11-02T09:00:00Z",
        "Ann",
        &["--category", "(none)"],
    );
    open(&log, "2026-11-03T09:00:00Z", "Bo", &[]);
    open(
        &log,
        "2026-11-04T09:00:00Z",
        "Cy",
        &["--category", "(2 others)"],
    );
    for format in ["table", "markdown"] {
        let out = log
            .run(["report", "--by", "category", "--format", format])
            .at("2026-11-22T09:00:00Z")
            .ok();
        let rows = |name: &str| out.lines().filter(|l| l.contains(name)).count();
        assert_eq!(
            (rows("\"(none)\""), rows("\"(2 others)\"")),
            (2, 2),
            "in the group table and the top categories, typed: {out}"
        );
        assert_eq!(
            rows("(none)") - rows("\"(none)\""),
            2,
            "and the cases with no category, unquoted: {out}"
        );
    }
}

#[test]
fn a_past_period_s_complaint_never_answered_counts_missed_as_one_answered_late_does() {
    // The week ends Monday 00:00. Two complaints came on Sunday evening,
    // due a first response (24h) on Monday evening; two more were
    // resolved on Sunday evening, their follow-ups (48h) due on Tuesday.
    let log = Log::new();
    let late = open(&log, "2026-11-22T20:00:00Z", "Lea", &[]);
    let _never = open(&log, "2026-11-22T20:00:00Z", "Nat", &[]);
    let followed = open(&log, "2026-11-22T20:00:00Z", "Ora", &[]);
    let forgotten = open(&log, "2026-11-22T20:00:00Z", "Pia", &[]);
    for id in [&followed, &forgotten] {
        step(
            &log,
            "2026-11-22T20:30:00Z",
            &["note", id, "--kind", "reply", "Sorry."],
        );
        step(
            &log,
            "2026-11-22T21:00:00Z",
            &["resolve", id, "--summary", "Done."],
        );
    }
    step(
        &log,
        "2026-11-24T09:00:00Z",
        &["note", &late, "--kind", "reply", "Sorry."],
    );
    step(
        &log,
        "2026-11-25T09:00:00Z",
        &["follow-up", &followed, "--done"],
    );
    // Reported on Friday, when every one of those deadlines had passed.
    let week = ["--since", "2026-11-16", "--until", "2026-11-23"];
    let summary = &json_report(&log, "2026-11-27T12:00:00Z", &week)["summary"];
    // Answered on time: the two resolved; late: one; never: one.
    assert_eq!(summary["first_response"]["within_target"], json!(0.5));
    assert_eq!(summary["first_response"]["pending"], json!(1));
    assert_eq!(
        summary["follow_up"],
        json!({"resolutions": 2, "on_time": 0, "late": 1, "missed": 1,
               "not_scheduled": 0, "pending": 0, "compliance": 0.0})
    );
    // As the week stood at its end, nothing was late yet.
    let then = &json_report(
        &log,
        "2026-11-27T12:00:00Z",
        &["--since", "2026-11-16", "--as-of", "2026-11-23"],
    )["summary"];
    assert_eq!(then["first_response"]["within_target"], json!(1.0));
    assert_eq!(then["follow_up"]["pending"], json!(2));
}
