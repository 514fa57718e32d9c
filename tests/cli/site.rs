//! `caselog site`: a static web site people open from disk or any static
//! host. Pages are parsed as HTML (structure, links that resolve, no
//! script, hostile text escaped), checked against `report` and `due`,
//! written whole and safely, pseudonymised on request, and rendered by a
//! real browser when one is installed.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use scraper::{Html, Selector};

use crate::harness::Log;

const HOSTILE: &str = r#"<script>alert("x")</script> & "quotes""#;

/// A log with the cases a site must show: a hostile title, a case taken
/// through proposals, agreement, resolution and follow-up, an overdue
/// open case, and a duplicate (void). Returns the ids in that order.
fn log_with_cases() -> (Log, [String; 4]) {
    let log = Log::new();
    let hostile = log.open(&[
        "--contact",
        "maria@example.com",
        "--reference",
        "A-1001",
        "--category",
        "billing",
    ]);
    log.run(["edit", &hostile, "--title", HOSTILE])
        .at("2026-11-20T09:20:00Z")
        .ok();
    let settled = log
        .run([
            "open",
            "--quiet",
            "--title",
            "Grinder squeaks",
            "--customer",
            "Leo Martin",
            "--contact",
            "leo@example.com",
            "--category",
            "product",
            "--wants",
            "Leo wants a new grinder",
            "--summary",
            "Leo says the grinder squeaks loudly.",
        ])
        .at("2026-11-10T09:00:00Z")
        .ok()
        .trim()
        .to_string();
    log.run(["note", &settled, "--kind", "reply", "Called Leo back."])
        .at("2026-11-10T10:00:00Z")
        .ok();
    log.run([
        "propose",
        &settled,
        "Send Leo a new grinder",
        "--pro",
        "fast",
        "--con",
        "costly",
    ])
    .at("2026-11-10T11:00:00Z")
    .ok();
    log.run([
        "agree",
        &settled,
        "1",
        "--how",
        "phone",
        "--contingency",
        "Refund if out of stock",
    ])
    .at("2026-11-10T12:00:00Z")
    .ok();
    log.run([
        "resolve",
        &settled,
        "--summary",
        "Sent Leo a new grinder.",
        "--agreed",
        "--root-cause",
        "Faulty batch",
    ])
    .at("2026-11-11T09:00:00Z")
    .ok();
    log.run([
        "follow-up",
        &settled,
        "--done",
        "--satisfied",
        "yes",
        "Leo is happy.",
    ])
    .at("2026-11-12T09:00:00Z")
    .ok();
    let overdue = log
        .run([
            "open",
            "--quiet",
            "--title",
            "Parcel never came",
            "--customer",
            "Ida Berg",
            "--category",
            "delivery",
            "--summary",
            "Ida's parcel never came.",
        ])
        .at("2026-11-01T09:00:00Z")
        .ok()
        .trim()
        .to_string();
    let duplicate = log
        .run([
            "open",
            "--quiet",
            "--title",
            "Parcel still missing",
            "--customer",
            "Ida Berg",
            "--summary",
            "Ida writes again about her parcel.",
        ])
        .at("2026-11-02T09:00:00Z")
        .ok()
        .trim()
        .to_string();
    log.run(["close", &duplicate, "--duplicate-of", &overdue])
        .at("2026-11-02T10:00:00Z")
        .ok();
    (log, [hostile, settled, overdue, duplicate])
}

/// Every file below `dir`, by its path from `dir` (`/`-separated).
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let relative = e.path().strip_prefix(dir).expect("below").to_path_buf();
            (
                relative.to_string_lossy().replace('\\', "/"),
                std::fs::read(e.path()).expect("readable"),
            )
        })
        .collect()
}

fn pages(dir: &Path) -> BTreeMap<String, Html> {
    files(dir)
        .into_iter()
        .filter(|(path, _)| path.ends_with(".html"))
        .map(|(path, bytes)| {
            let text = String::from_utf8(bytes).expect("UTF-8 pages");
            (path, Html::parse_document(&text))
        })
        .collect()
}

fn select<'h>(html: &'h Html, css: &str) -> Vec<scraper::ElementRef<'h>> {
    let selector = Selector::parse(css).expect("a selector");
    html.select(&selector).collect()
}

fn text(element: &scraper::ElementRef) -> String {
    element.text().collect::<String>()
}

fn site(log: &Log, extra: &[&str]) -> PathBuf {
    let mut args = vec!["site", "--out", "site"];
    args.extend_from_slice(extra);
    let out = log.run(args).ok();
    assert!(out.starts_with("wrote site ("), "{out}");
    log.path().join("site")
}

#[test]
fn every_page_is_well_formed_html_linked_relatively_with_no_script() {
    let (log, ids) = log_with_cases();
    let dir = site(&log, &[]);
    let pages = pages(&dir);
    let mut expected: Vec<String> = ids.iter().map(|id| format!("case/{id}.html")).collect();
    expected.extend(["cases.html".to_string(), "index.html".to_string()]);
    expected.sort();
    assert_eq!(pages.keys().cloned().collect::<Vec<_>>(), expected);
    for (path, html) in &pages {
        assert!(html.errors.is_empty(), "{path}: {:?}", html.errors);
        for css in [
            "html[lang]",
            "head > meta[charset]",
            "head > title",
            "body main h1",
        ] {
            assert_eq!(select(html, css).len(), 1, "{path}: {css}");
        }
        assert!(select(html, "script").is_empty(), "{path} has a script");
        // The policy loads nothing but the page's own style, and leaves
        // nothing a <base> or a form could send elsewhere (default-src
        // does not cover those two).
        let policy = select(html, r#"head > meta[http-equiv="Content-Security-Policy"]"#);
        let policy: Vec<&str> = policy[0]
            .value()
            .attr("content")
            .expect("a policy")
            .split(';')
            .map(str::trim)
            .collect();
        assert_eq!(
            policy,
            [
                "default-src 'none'",
                "style-src 'unsafe-inline'",
                "base-uri 'none'",
                "form-action 'none'"
            ],
            "{path}"
        );
        assert!(
            select(html, "link[rel=stylesheet], img[src], iframe").is_empty(),
            "{path} loads something"
        );
        let from = Path::new(path).parent().unwrap_or(Path::new(""));
        for link in select(html, "a[href]") {
            let href = link.value().attr("href").expect("an href");
            assert!(
                !href.contains("://") && !href.starts_with('/'),
                "{path}: {href} is not relative"
            );
            let file = href.split('#').next().expect("a path");
            if file.is_empty() {
                continue;
            }
            let target = dir.join(from).join(file);
            assert!(target.is_file(), "{path}: {href} leads nowhere");
        }
    }
}

#[test]
fn a_hostile_title_is_shown_as_text_on_every_page() {
    let (log, [hostile, ..]) = log_with_cases();
    let dir = site(&log, &[]);
    let pages = pages(&dir);
    let page = &pages[&format!("case/{hostile}.html")];
    assert_eq!(
        text(&select(page, "h1 .title")[0]),
        HOSTILE,
        "the title, as typed"
    );
    let cases = &pages["cases.html"];
    assert!(select(cases, "td").iter().any(|cell| text(cell) == HOSTILE));
    for (path, html) in &pages {
        assert!(select(html, "script").is_empty(), "{path}");
    }
    let raw = std::fs::read_to_string(dir.join(format!("case/{hostile}.html"))).expect("page");
    assert!(!raw.contains("<script"), "escaped in the markup too");
    assert!(raw.contains("&lt;script&gt;"), "{raw}");
}

/// The longest run of characters without a space in one text node of
/// `element` (a `<wbr>` ends a text node).
fn longest_unbroken(element: &scraper::ElementRef) -> usize {
    element
        .text()
        .flat_map(str::split_whitespace)
        .map(|word| word.chars().count())
        .max()
        .unwrap_or(0)
}

#[test]
fn a_long_unbroken_word_wraps_in_tables_and_headings_instead_of_stretching_the_page() {
    let log = Log::new();
    let link = format!("https://example.com/orders/{}", "a1b2c3d4".repeat(30));
    let category = "CategoryWithAVeryLongNameThatNeverEnds".repeat(3);
    let id = log
        .run([
            "open",
            "--quiet",
            "--title",
            &link,
            "--customer",
            "Ida Berg",
            "--category",
            &category,
            "--summary",
            "A parcel went missing.",
        ])
        .at("2026-11-20T09:00:00Z")
        .ok()
        .trim()
        .to_string();
    let dir = site(&log, &[]);
    let pages = pages(&dir);
    let cases = &pages["cases.html"];
    let case = &pages[&format!("case/{id}.html")];
    let index = &pages["index.html"];
    let cells = [
        (
            select(cases, "tbody td")
                .into_iter()
                .last()
                .expect("the title"),
            &link,
        ),
        (select(cases, "tbody td")[3], &category),
        (select(case, "h1 .title")[0], &link),
        (select(case, "dl.fields dd")[3], &category),
        (select(index, "#due ~ table tbody td")[5], &link),
        (select(index, "#categories + table tbody td")[0], &category),
    ];
    for (cell, typed) in cells {
        assert_eq!(&text(&cell), typed, "the text copied is the text typed");
        assert!(longest_unbroken(&cell) <= 20, "{}", cell.html());
    }
    // A word of ordinary length is never broken.
    for cell in select(cases, "tbody td").into_iter().take(3) {
        assert!(!cell.html().contains("<wbr>"), "{}", cell.html());
    }
}

#[test]
fn a_card_number_written_into_a_case_file_by_hand_is_masked_on_every_page() {
    let log = Log::new();
    let id = log.open(&[]);
    let allowed = log
        .run([
            "open",
            "--quiet",
            "--title",
            "Tracking 4111 1111 1111 1111",
            "--customer",
            "Bo Lind",
            "--summary",
            "A parcel number.",
            "--allow-card-like-number",
        ])
        .at("2026-11-20T10:00:00Z")
        .ok()
        .trim()
        .to_string();
    // Every command refuses one; a hand edit is how one gets in.
    let path = log.case_path(&id);
    let file = std::fs::read_to_string(&path).expect("the case");
    let file = file.replace(
        "title = \"Refund not received\"",
        "title = \"Card 5500\\t0000 0000 0004\"",
    );
    let file = file.replace(
        "summary = \"I cancelled",
        "summary = \"She read out 4111-1111-1111-1111. I cancelled",
    );
    std::fs::write(&path, file).expect("edited");
    let dir = site(&log, &[]);
    for (path, bytes) in files(&dir) {
        let page = String::from_utf8(bytes).expect("UTF-8");
        for raw in ["0000 0000 0004", "4111-1111-1111-1111"] {
            assert!(!page.contains(raw), "{path} shows {raw}");
        }
    }
    let pages = pages(&dir);
    let page = &pages[&format!("case/{id}.html")];
    assert_eq!(
        text(&select(page, "h1 .title")[0]),
        "Card **** **** **** 0004"
    );
    assert!(
        text(&select(page, "#complaint + .text")[0])
            .starts_with("She read out **** **** **** 1111."),
        "{}",
        page.html()
    );
    // A number an event allows (a known false positive) is shown as typed.
    let page = &pages[&format!("case/{allowed}.html")];
    assert_eq!(
        text(&select(page, "h1 .title")[0]),
        "Tracking 4111 1111 1111 1111"
    );
    let cases = &pages["cases.html"];
    assert!(
        select(cases, "td")
            .iter()
            .any(|td| text(td) == "Tracking 4111 1111 1111 1111")
    );
}

#[test]
fn a_case_page_shows_the_event_log_the_steps_and_the_agreement() {
    let (log, [_, settled, ..]) = log_with_cases();
    let dir = site(&log, &[]);
    let pages = pages(&dir);
    let page = &pages[&format!("case/{settled}.html")];
    let events: Vec<String> = select(page, "table.events tbody tr td:nth-child(2)")
        .iter()
        .map(text)
        .collect();
    assert_eq!(
        events,
        [
            "opened",
            "reply",
            "proposed",
            "agreed",
            "resolved",
            "follow-up-scheduled",
            "followed-up",
            "closed"
        ]
    );
    let done = select(page, "ul.checklist li.done").len();
    assert!(done >= 4 && done < select(page, "ul.checklist li").len());
    let agreed = select(page, "ol.solutions li.agreed");
    assert_eq!(agreed.len(), 1);
    assert!(text(&agreed[0]).contains("Send Leo a new grinder"));
    let whole = page.html();
    assert!(whole.contains("Refund if out of stock"), "the contingency");
    assert!(whole.contains("2026-11-10 12:00 UTC"), "times in the zone");
}

#[test]
fn a_void_case_page_says_so_and_links_the_case_it_duplicates() {
    let (log, [_, _, overdue, duplicate]) = log_with_cases();
    let dir = site(&log, &[]);
    let pages = pages(&dir);
    let page = &pages[&format!("case/{duplicate}.html")];
    let void = select(page, "#void");
    assert_eq!(void.len(), 1);
    assert!(text(&void[0]).contains("Void case"), "{}", text(&void[0]));
    let link = select(page, "#void a")[0]
        .value()
        .attr("href")
        .map(str::to_string);
    assert_eq!(link, Some(format!("{overdue}.html")));
    let rows = select(&pages["cases.html"], "tr.void");
    assert_eq!(rows.len(), 1);
    assert!(text(&rows[0]).contains(&duplicate));
}

#[test]
fn the_index_has_the_report_s_numbers_charts_and_the_due_list() {
    let (log, [_, _, overdue, _]) = log_with_cases();
    let dir = site(&log, &[]);
    let report: serde_json::Value =
        serde_json::from_str(&log.run(["report", "--format", "json"]).ok()).expect("JSON");
    let index = &pages(&dir)["index.html"];
    let figures: BTreeMap<String, String> = select(index, ".figures li")
        .iter()
        .map(|li| {
            (
                text(&select_in(li, ".label")),
                text(&select_in(li, ".value")),
            )
        })
        .collect();
    let summary = &report["summary"];
    assert_eq!(figures["received"], summary["received"].to_string());
    assert_eq!(
        figures["open at the end"],
        summary["open_at_end"].to_string()
    );
    assert_eq!(figures["resolved"], summary["resolved"].to_string());
    assert_eq!(figures["satisfied"], "100%");
    // Three charts: the trend by category, times against target, rates.
    let charts = select(index, "figure > svg");
    assert_eq!(charts.len(), 3);
    let legend: Vec<String> = select(index, "figure svg text.legend")
        .iter()
        .map(text)
        .collect();
    assert_eq!(legend, ["billing", "delivery", "product"]);
    // The due list is `due --within 7d`'s.
    let due = log.run(["due", "--within", "7d", "--format", "json"]).ok();
    let due: Vec<serde_json::Value> = serde_json::from_str(&due).expect("JSON");
    let rows = select(index, "#due + table tbody tr");
    assert_eq!(rows.len(), due.len());
    assert!(
        rows.iter()
            .any(|r| text(r).contains(&overdue) && r.value().classes().any(|c| c == "overdue"))
    );
}

fn select_in<'h>(element: &scraper::ElementRef<'h>, css: &str) -> scraper::ElementRef<'h> {
    let selector = Selector::parse(css).expect("a selector");
    element.select(&selector).next().expect("an element")
}

#[test]
fn times_are_shown_in_the_log_s_time_zone() {
    let (log, [hostile, ..]) = log_with_cases();
    std::fs::write(
        log.path().join("caselog.toml"),
        "timezone = \"Europe/Paris\"\n",
    )
    .expect("settings");
    let dir = site(&log, &[]);
    let page = std::fs::read_to_string(dir.join(format!("case/{hostile}.html"))).expect("page");
    // Opened at 09:15 UTC: 10:15 in Paris in November.
    assert!(page.contains("2026-11-20 10:15"), "{page}");
    assert!(!page.contains("2026-11-20 09:15"));
}

#[test]
fn a_re_run_replaces_the_site_whole_leaving_no_stale_page() {
    let (log, _) = log_with_cases();
    let dir = site(&log, &[]);
    let stale = dir.join("case/20200101-aaaaa.html");
    std::fs::write(&stale, "a case that is gone").expect("written");
    site(&log, &[]);
    assert!(!stale.exists(), "the stale page is gone");
    assert!(dir.join("index.html").is_file());
    let leftovers: Vec<_> = std::fs::read_dir(log.path())
        .expect("the log")
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().starts_with(".caselog-site"))
        .collect();
    assert!(leftovers.is_empty(), "no temporary folder is left behind");
}

/// Test builds only: `caselog site` killed (as `kill -9`) right after the
/// first rename of its swap still leaves `--out` a whole site.
#[cfg(debug_assertions)]
#[test]
fn a_site_killed_while_it_is_swapped_in_leaves_a_whole_site_at_out() {
    let (log, ids) = log_with_cases();
    let dir = site(&log, &[]);
    let before = files(&dir);
    let added = log.open(&["--category", "product"]);
    let out = log
        .run(["site", "--out", "site"])
        .env("CASELOG_TEST_DIE_AFTER_SITE_RENAMES", "1")
        .output();
    assert!(!out.status.success(), "the run was to die part-way");
    let after = files(&dir);
    assert!(after.contains_key("index.html"), "{:?}", after.keys());
    assert!(after.contains_key(".caselog-site"), "{:?}", after.keys());
    assert_ne!(after, before, "the new site, not the old one");
    for id in ids.iter().chain([&added]) {
        assert!(after.contains_key(&format!("case/{id}.html")), "{id}");
    }
    // The next run is not put off by what the killed one left.
    site(&log, &[]);
}

#[test]
fn an_out_inside_cases_a_symlink_a_folder_of_other_files_or_below_a_file_is_refused() {
    let (log, _) = log_with_cases();
    let before = log.files();
    let err = log.run(["site", "--out", "cases/site"]).fails(2);
    assert!(err.contains("inside cases/"), "{err}");
    let err = log.run(["site", "--out", "cases/new/../new/site"]).fails(2);
    assert!(err.contains("inside cases/"), "{err}");
    assert!(!log.path().join("cases/new").exists(), "no folder made");
    let err = log.run(["site", "--out", "."]).fails(2);
    assert!(err.contains("holds the case log"), "{err}");
    let elsewhere = tempfile::tempdir().expect("a folder");
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(elsewhere.path(), log.path().join("linked")).expect("a link");
        let err = log.run(["site", "--out", "linked"]).fails(2);
        assert!(err.contains("symbolic link"), "{err}");
        std::fs::remove_file(log.path().join("linked")).expect("removed");
    }
    let mine = log.path().join("docs");
    std::fs::create_dir(&mine).expect("a folder");
    std::fs::write(mine.join("notes.txt"), "mine").expect("written");
    let err = log.run(["site", "--out", "docs"]).fails(2);
    assert!(err.contains("did not write"), "{err}");
    assert_eq!(
        std::fs::read_to_string(mine.join("notes.txt")).expect("kept"),
        "mine"
    );
    std::fs::remove_dir_all(&mine).expect("removed");
    std::fs::write(log.path().join("notes.txt"), "mine").expect("written");
    let err = log.run(["site", "--out", "notes.txt/site"]).fails(2);
    assert!(
        err.contains("notes.txt/site cannot be made") && err.contains("notes.txt is not a folder"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
    std::fs::remove_file(log.path().join("notes.txt")).expect("removed");
    assert_eq!(log.files(), before, "nothing written");
    assert_eq!(
        std::fs::read_dir(elsewhere.path()).expect("read").count(),
        0,
        "nothing written through the link"
    );
}

#[test]
fn a_pseudonymised_site_names_no_customer_and_holds_no_free_text() {
    let (log, _) = log_with_cases();
    let dir = site(&log, &["--pseudonymise"]);
    let secrets = [
        "Maria",
        "López",
        "maria@example.com",
        "A-1001",
        "Leo Martin",
        "leo@example.com",
        "Ida Berg",
        "squeaks",
        "new grinder",
        "Called Leo back",
        "Leo is happy",
        "Refund if out of stock",
        "Parcel",
        "Refund not received",
        "alert",
        "promised a refund",
    ];
    let all = files(&dir);
    assert!(all.len() > 4);
    for (path, bytes) in &all {
        let text = String::from_utf8_lossy(bytes);
        for secret in secrets {
            assert!(!text.contains(secret), "{path} holds '{secret}'");
        }
    }
    let index = String::from_utf8_lossy(&all["cases.html"]).into_owned();
    assert!(index.contains("Shared copy"), "says it is pseudonymised");
    let pages: Vec<String> = all
        .iter()
        .filter(|(p, _)| p.starts_with("case/"))
        .map(|(_, b)| String::from_utf8_lossy(b).into_owned())
        .collect();
    assert!(pages.iter().any(|p| p.contains("cust-")), "pseudonyms");
    // The numbers stay.
    assert!(index.contains("billing") || pages.iter().any(|p| p.contains("billing")));
}

/// The browser the real-browser test drives, when this machine has one.
fn chromium() -> Option<PathBuf> {
    ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.is_file())
}

/// Runs headless Chromium on `page` with `args`; its stdout, and the
/// console lines it logged (script errors, blocked content).
fn browse(browser: &Path, page: &Path, args: &[String]) -> (String, Vec<String>) {
    let profile = tempfile::tempdir().expect("a profile folder");
    let logs = tempfile::tempdir().expect("a folder for its output");
    let (stdout, stderr) = (logs.path().join("out"), logs.path().join("err"));
    let mut child = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(args)
        .arg(format!("file://{}", page.display()))
        .stdin(std::process::Stdio::null())
        .stdout(std::fs::File::create(&stdout).expect("a file"))
        .stderr(std::fs::File::create(&stderr).expect("a file"))
        .spawn()
        .expect("chromium starts");
    // A browser that hangs must not hang the test suite.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let status = loop {
        if let Some(status) = child.try_wait().expect("waiting for chromium") {
            break status;
        }
        if std::time::Instant::now() > deadline {
            child.kill().ok();
            child.wait().ok();
            panic!("chromium did not finish within 30 s on {}", page.display());
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    let out = std::process::Output {
        status,
        stdout: std::fs::read(&stdout).expect("its output"),
        stderr: std::fs::read(&stderr).expect("its errors"),
    };
    assert!(
        out.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let console = String::from_utf8_lossy(&out.stderr)
        .lines()
        .filter(|l| l.contains(":CONSOLE") || l.contains("Uncaught"))
        .map(str::to_string)
        .collect();
    (String::from_utf8_lossy(&out.stdout).into_owned(), console)
}

#[test]
fn a_real_browser_renders_the_index_and_a_case_page_without_errors() {
    let Some(browser) = chromium() else {
        println!("skipped: no chromium on this machine (install it to render the site)");
        return;
    };
    let (log, [hostile, ..]) = log_with_cases();
    let dir = site(&log, &[]);
    let index = dir.join("index.html");
    let case = dir.join(format!("case/{hostile}.html"));
    let shots = tempfile::tempdir().expect("a folder");
    let shot = |name: &str| shots.path().join(name);
    let jobs = [
        (
            index.clone(),
            vec![format!("--screenshot={}", shot("index.png").display())],
        ),
        (
            case.clone(),
            vec![format!("--screenshot={}", shot("case.png").display())],
        ),
        (case.clone(), vec!["--dump-dom".to_string()]),
    ];
    // One browser at a time: three at once load a small machine enough
    // to slow the tests running beside this one.
    let window = ["--window-size=1200,900".to_string()];
    let results: Vec<(String, Vec<String>)> = jobs
        .iter()
        .map(|(page, args)| {
            let args: Vec<String> = window.iter().chain(args).cloned().collect();
            browse(&browser, page, &args)
        })
        .collect();
    for (_, console) in &results {
        assert!(console.is_empty(), "console errors: {console:?}");
    }
    for name in ["index.png", "case.png"] {
        let size = std::fs::metadata(shot(name)).expect("a screenshot").len();
        // A blank 1200×900 PNG is a few kB; a rendered page is far more.
        assert!(size > 20_000 && size < 5_000_000, "{name}: {size} bytes");
    }
    let dom = Html::parse_document(&results[2].0);
    assert_eq!(text(&select(&dom, "h1 .id")[0]), hostile);
    assert_eq!(text(&select(&dom, "h1 .title")[0]), HOSTILE);
    assert!(select(&dom, "script").is_empty());
}

#[test]
fn a_case_held_by_two_files_gets_one_page_from_the_file_its_id_names() {
    let log = Log::new();
    let id = log.open(&[]);
    let other = log.open(&[]);
    // A stray copy, edited, in another month's folder (a bad merge, a
    // hand copy): `check` reports it; the site must not let it replace
    // the case's page, whichever of the two is read last.
    let copy = log
        .case_text(&id)
        .replace("Refund not received", "Stray copy");
    let stray_folder = log.path().join("cases/2026/10");
    std::fs::create_dir_all(&stray_folder).unwrap();
    std::fs::write(stray_folder.join(format!("{id}.toml")), copy).unwrap();

    let out = log.run(["site", "--out", "site"]).output();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert_eq!(
        stderr,
        format!(
            "caselog: case {id} is stored more than once (cases/2026/10/{id}.toml, cases/2026/11/{id}.toml); read from cases/2026/11/{id}.toml only; remove the copies\n"
        )
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.starts_with("wrote site (2 case pages)"), "{stdout}");
    let pages = pages(&log.path().join("site"));
    let page = &pages[&format!("case/{id}.html")];
    assert!(
        select(page, "h1")
            .iter()
            .any(|h| text(h).contains("Refund not received")),
        "the page of the file its id names"
    );
    let rows = select(&pages["cases.html"], "tbody tr");
    assert_eq!(rows.len(), 2, "one row per case");
    assert!(pages.contains_key(&format!("case/{other}.html")));
}

#[test]
fn the_index_says_no_follow_up_was_scheduled_as_the_report_does() {
    let log = Log::new();
    let id = log.open(&[]);
    log.run(["resolve", &id, "--summary", "Refunded.", "--no-follow-up"])
        .at("2026-11-21T09:00:00Z")
        .ok();
    let report = log.run(["report"]).at("2026-11-22T09:00:00Z").ok();
    let said = "no follow-up scheduled · 1 resolution without one";
    assert!(report.contains(said), "{report}");
    let out = log
        .run(["site", "--out", "site"])
        .at("2026-11-22T09:00:00Z")
        .ok();
    assert!(out.starts_with("wrote site ("), "{out}");
    let index = &pages(&log.path().join("site"))["index.html"];
    let row = select(index, "tr")
        .into_iter()
        .map(|tr| text(&tr))
        .find(|t| t.contains("follow-up compliance"))
        .expect("a follow-up row");
    assert!(row.contains(said), "{row}");
}

/// What each bar of the trend chart says it counts: its bucket, and how
/// many complaints of one category it holds.
fn trend_bars(index: &Html) -> Vec<(String, usize)> {
    select(index, "figure svg rect.bar > title")
        .iter()
        .map(text)
        .filter_map(|title| {
            let (bucket, rest) = title.split_once(": ")?;
            let count = rest.rsplit(' ').next()?.parse().ok()?;
            Some((bucket.to_string(), count))
        })
        .collect()
}

#[test]
fn a_period_of_decades_charts_every_complaint_in_coarser_bars() {
    let log = Log::new();
    for at in ["2026-11-10T09:00:00Z", "2026-11-12T09:00:00Z"] {
        log.run([
            "open",
            "--quiet",
            "--title",
            "Late",
            "--customer",
            "Ann",
            "--summary",
            "Late.",
            "--category",
            "billing",
        ])
        .at(at)
        .ok();
    }
    let bars = |dir: &Path| trend_bars(&pages(dir)["index.html"]);
    // A period reaching back decades, and a case dated 1970 by an import.
    let dir = site(&log, &["--since", "1990-01-01"]);
    assert_eq!(
        bars(&dir),
        [("2026".to_string(), 2)],
        "the recent complaints"
    );
    std::fs::write(
        log.path().join("old.json"),
        r#"[{"title":"Old","customer":"Olga","summary":"Old.","opened_at":"1970-01-01T00:00:00Z"}]"#,
    )
    .expect("written");
    log.run(["import", "old.json"]).ok();
    let dir = site(&log, &[]);
    let index = &pages(&dir)["index.html"];
    assert!(
        select(index, "figure h3")
            .iter()
            .any(|h| text(h) == "Complaints received per year, by category"),
        "a chart by year"
    );
    let bars = trend_bars(index);
    let total: usize = bars.iter().map(|(_, n)| n).sum();
    assert_eq!(total, 3, "every complaint: {bars:?}");
    assert!(bars.contains(&("2026".to_string(), 2)), "{bars:?}");
    assert!(bars.contains(&("1970".to_string(), 1)), "{bars:?}");
    // The report counts them alike: it shares the trend.
    let report: serde_json::Value =
        serde_json::from_str(&log.run(["report", "--format", "json"]).ok()).expect("JSON");
    let trend = &report["learning"]["trend"];
    assert_eq!(trend["unit"], "year");
    let counts = trend["counts"].as_array().expect("counts");
    assert_eq!(counts.len(), 2026 - 1970 + 1);
    let sum: u64 = counts
        .iter()
        .map(|c| c["count"].as_u64().expect("a count"))
        .sum();
    assert_eq!(sum, 3);
}

#[test]
fn bidi_and_control_characters_in_a_category_are_escaped_in_the_charts_too() {
    let log = Log::new();
    // Override, isolate and mark characters that would reorder the label.
    let category = "fee\u{202e}gnp.exe\u{2066}x\u{2069}\u{200f}";
    log.open(&["--category", category]);
    let dir = site(&log, &[]);
    let raw = std::fs::read_to_string(dir.join("index.html")).expect("the index");
    for c in ['\u{202e}', '\u{2066}', '\u{2069}', '\u{200f}'] {
        assert!(!raw.contains(c), "{c:?} reaches the page raw");
    }
    let shown = "fee\\u{202e}gnp.exe\\u{2066}x\\u{2069}\\u{200f}";
    let index = &pages(&dir)["index.html"];
    let legend: Vec<String> = select(index, "figure svg text.legend")
        .iter()
        .map(text)
        .collect();
    // Too long for its column, it is cut short between two characters,
    // never inside an escape, and whole in its tooltip.
    assert_eq!(
        legend,
        ["fee\\u{202e}gnp.exe…"],
        "the legend, as the table shows it"
    );
    let whole: Vec<String> = select(index, "figure svg svg.legend-box > title")
        .iter()
        .map(text)
        .collect();
    assert_eq!(whole, [shown]);
    let tooltips: Vec<String> = select(index, "figure svg rect.bar > title")
        .iter()
        .map(text)
        .collect();
    assert!(
        tooltips.iter().any(|t| t.contains(shown)),
        "the tooltip: {tooltips:?}"
    );
    let table: Vec<String> = select(index, "#categories + table td")
        .iter()
        .map(text)
        .collect();
    assert!(table.contains(&shown.to_string()), "{table:?}");
}

#[test]
fn a_long_category_is_cut_to_its_legend_column_and_whole_in_its_tooltip() {
    let log = Log::new();
    let long = "CategoryWithAVeryLongNameThatNeverEnds".repeat(3);
    log.open(&["--category", &format!("{long}-a")]);
    log.open(&["--category", "billing"]);
    let index = &pages(&site(&log, &[]))["index.html"];
    let columns = select(index, "figure svg svg.legend-box");
    assert_eq!(columns.len(), 2);
    for column in &columns {
        // Each name has its own viewport, narrower than the legend's
        // columns are apart (190), which clips what would run over.
        let width: f64 = column
            .value()
            .attr("width")
            .expect("a width")
            .parse()
            .expect("a number");
        assert!(width <= 175.0, "{}", column.html());
        assert_eq!(column.value().attr("overflow"), Some("hidden"));
    }
    let legend: Vec<String> = select(index, "figure svg text.legend")
        .iter()
        .map(text)
        .collect();
    assert_eq!(legend.len(), 2);
    let cut = legend
        .iter()
        .find(|l| l.starts_with("Category"))
        .expect("the long one");
    assert!(cut.ends_with('…') && cut.chars().count() <= 26, "{cut}");
    assert!(
        legend.contains(&"billing".to_string()),
        "a short one whole: {legend:?}"
    );
    let whole: Vec<String> = select(index, "figure svg svg.legend-box > title")
        .iter()
        .map(text)
        .collect();
    assert_eq!(
        whole,
        [format!("{long}-a")],
        "only the cut one has a tooltip"
    );
}

#[test]
fn the_chart_s_day_labels_stand_clear_of_each_other_and_inside_the_chart() {
    let log = Log::new();
    for day in 15..=20 {
        log.run([
            "open",
            "--quiet",
            "--title",
            "Late parcel",
            "--customer",
            "Ida Berg",
            "--summary",
            "It came late.",
        ])
        .at(&format!("2026-11-{day}T09:00:00Z"))
        .ok();
    }
    let out = log
        .run(["site", "--out", "site", "--since", "2026-11-15"])
        .at("2026-11-22T09:00:00Z")
        .ok();
    assert!(out.starts_with("wrote site"), "{out}");
    let index = &pages(&log.path().join("site"))["index.html"];
    let chart = select(index, "figure > svg")[0];
    let number = |element: &scraper::ElementRef, name: &str| -> f64 {
        let value = element.value().attr(name).expect("the attribute");
        value.parse().expect("a number")
    };
    let labels: Vec<(f64, String)> = select_all_in(&chart, "text.label")
        .iter()
        .map(|l| (number(l, "x"), text(l)))
        .collect();
    assert_eq!(labels.last().map(|l| l.1.as_str()), Some("2026-11-22"));
    // A date at this size is about 64 px wide (eight digits, two dashes).
    let room = |label: &str| label.chars().count() as f64 * 6.4;
    for pair in labels.windows(2) {
        assert!(pair[1].0 - pair[0].0 >= room(&pair[0].1), "{labels:?}");
    }
    let (x, last) = labels.last().expect("a label");
    assert!(
        x + room(last) <= number(&chart, "width"),
        "{}",
        chart.html()
    );
}

#[test]
fn a_noncharacter_which_html_forbids_is_shown_as_a_visible_escape() {
    let log = Log::new();
    let id = log.open(&["--category", "post\u{fdd0}", "--tag", "x\u{ffff}"]);
    log.run(["edit", &id, "--title", "Refund\u{fffe} late"])
        .at("2026-11-20T09:20:00Z")
        .ok();
    let dir = site(&log, &[]);
    for (path, bytes) in files(&dir) {
        let page = String::from_utf8(bytes).expect("UTF-8");
        for c in ['\u{fdd0}', '\u{fffe}', '\u{ffff}'] {
            assert!(!page.contains(c), "{path} holds {c:?}");
        }
    }
    let pages = pages(&dir);
    let page = &pages[&format!("case/{id}.html")];
    assert_eq!(text(&select(page, "h1 .title")[0]), "Refund\\u{fffe} late");
    let index = &pages["index.html"];
    let legend: Vec<String> = select(index, "figure svg text.legend")
        .iter()
        .map(text)
        .collect();
    assert_eq!(legend, ["post\\u{fdd0}"]);
}

#[test]
fn the_chart_counts_each_complaint_on_the_day_the_site_shows_it_opened() {
    let log = Log::new();
    std::fs::write(
        log.path().join("caselog.toml"),
        "timezone = \"Pacific/Kiritimati\"\n",
    )
    .expect("settings");
    // 18:00 UTC on the 10th is 08:00 on the 11th at UTC+14; the 30th of
    // November there is already December.
    for at in ["2026-11-10T18:00:00Z", "2026-11-30T18:00:00Z"] {
        log.run([
            "open",
            "--quiet",
            "--title",
            "Late",
            "--customer",
            "Ann",
            "--summary",
            "Late.",
            "--category",
            "billing",
        ])
        .at(at)
        .ok();
    }
    let now = "2026-12-05T09:00:00Z";
    let out = log
        .run(["site", "--out", "site", "--since", "2026-11-25"])
        .at(now)
        .ok();
    assert!(out.starts_with("wrote site ("), "{out}");
    let pages = pages(&log.path().join("site"));
    let opened: Vec<String> = select(&pages["cases.html"], "tbody td:nth-child(5)")
        .iter()
        .map(text)
        .collect();
    assert_eq!(opened, ["2026-12-01 08:00 +14", "2026-11-11 08:00 +14"]);
    assert_eq!(
        trend_bars(&pages["index.html"]),
        [("2026-12-01".to_string(), 1)],
        "the day as the zone counts it"
    );
    // The report counts alike, per day and in its groups by month.
    let report = |args: &[&str]| -> serde_json::Value {
        let mut full = vec!["report", "--format", "json"];
        full.extend_from_slice(args);
        serde_json::from_str(&log.run(full).at(now).ok()).expect("JSON")
    };
    let days = report(&["--since", "2026-11-10", "--until", "2026-11-13"]);
    assert_eq!(days["learning"]["trend"]["unit"], "day");
    assert_eq!(
        days["learning"]["trend"]["counts"],
        serde_json::json!([{"key": "2026-11-10", "count": 0}, {"key": "2026-11-11", "count": 1},
                           {"key": "2026-11-12", "count": 0}])
    );
    let months = report(&["--by", "month"]);
    let groups: Vec<&str> = months["groups"]
        .as_array()
        .expect("groups")
        .iter()
        .map(|g| g["key"].as_str().expect("a key"))
        .collect();
    assert_eq!(groups, ["2026-11", "2026-12"]);
}

#[cfg(unix)]
#[test]
fn a_private_site_folder_stays_private_and_a_new_one_follows_the_umask() {
    use std::os::unix::fs::PermissionsExt;
    let (log, _) = log_with_cases();
    let mode = |path: &Path| std::fs::metadata(path).expect("there").permissions().mode() & 0o7777;
    // A folder the user made private, written into twice.
    let private = log.path().join("private");
    std::fs::create_dir(&private).expect("a folder");
    std::fs::set_permissions(&private, std::fs::Permissions::from_mode(0o700)).expect("private");
    for _ in 0..2 {
        log.run(["site", "--out", "private"]).ok();
        assert_eq!(mode(&private), 0o700, "still private");
        assert!(private.join("index.html").is_file());
    }
    // A new folder, made under a umask that keeps others out.
    log.run_with_umask("027", ["site", "--out", "shared"]).ok();
    let shared = log.path().join("shared");
    assert_eq!(mode(&shared), 0o750);
    assert_eq!(mode(&shared.join("case")), 0o750);
    assert_eq!(mode(&shared.join("index.html")), 0o640);
    // Opened up by hand, it stays as opened whatever the umask.
    std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o755)).expect("opened");
    log.run_with_umask("077", ["site", "--out", "shared"]).ok();
    assert_eq!(mode(&shared), 0o755);
}

/// How many header cells a table has, and how many cells each row has.
fn table_shape(table: &scraper::ElementRef) -> (usize, Vec<usize>) {
    let cells = |row: &scraper::ElementRef, css: &str| {
        let selector = Selector::parse(css).expect("a selector");
        row.select(&selector).count()
    };
    let header = cells(table, "thead th");
    let row = Selector::parse("tbody tr").expect("a selector");
    let rows = table.select(&row).map(|r| cells(&r, "td")).collect();
    (header, rows)
}

#[test]
fn a_shared_site_s_tables_have_a_title_column_in_header_and_rows_alike_and_it_says_what_it_leaves_out()
 {
    let (log, _) = log_with_cases();
    let settings = log.path().join("caselog.toml");
    let mut toml = std::fs::read_to_string(&settings).expect("settings");
    toml.push_str("\n[personal_data]\nfields = [\"customer\", \"contact\", \"reference\", \"preferred_contact\"]\nfree_text = false\n");
    std::fs::write(&settings, toml).expect("written");
    let dir = site(&log, &["--pseudonymise"]);
    let shared = pages(&dir);
    let tables = [
        (select(&shared["cases.html"], "table")[0], 7),
        (select(&shared["index.html"], "#due + table")[0], 6),
    ];
    for (table, columns) in &tables {
        let (header, rows) = table_shape(table);
        assert_eq!(header, *columns, "with a title column");
        assert!(
            !rows.is_empty() && rows.iter().all(|&cells| cells == header),
            "{rows:?}"
        );
    }
    // Titles are not personal here: they are shown, and the banner does
    // not say free text is left out.
    assert!(shared["cases.html"].html().contains("Grinder squeaks"));
    let banner = text(&select(&shared["index.html"], "p.shared")[0]);
    assert_eq!(
        banner,
        "Shared copy: customers are named by pseudonyms; left out: contacts, references and preferred ways of contact."
    );
    assert!(!shared["index.html"].html().contains("leo@example.com"));

    // With the default settings titles are left out: no column at all.
    let (log, _) = log_with_cases();
    let dir = site(&log, &["--pseudonymise"]);
    let pages = pages(&dir);
    for (table, columns) in [
        (select(&pages["cases.html"], "table")[0], 6),
        (select(&pages["index.html"], "#due + table")[0], 5),
    ] {
        let (header, rows) = table_shape(&table);
        assert_eq!(header, columns, "no title column");
        assert!(rows.iter().all(|&cells| cells == header), "{rows:?}");
    }
    let banner = text(&select(&pages["cases.html"], "p.shared")[0]);
    assert!(
        banner.contains("titles, complaints, what the customers want"),
        "{banner}"
    );
}

#[test]
fn a_category_named_none_is_kept_apart_from_the_cases_with_no_category() {
    let log = Log::new();
    log.open(&["--category", "(none)"]);
    log.open(&[]);
    let dir = site(&log, &[]);
    let index = &pages(&dir)["index.html"];
    let rows: Vec<(String, String, bool)> = select(index, "#categories + table tbody tr")
        .iter()
        .map(|row| {
            let cells = select_all_in(row, "td");
            let marked = !select_all_in(row, "td em.none").is_empty();
            (text(&cells[0]), text(&cells[1]), marked)
        })
        .collect();
    assert_eq!(
        rows,
        [
            ("no category".to_string(), "1".to_string(), true),
            ("(none)".to_string(), "1".to_string(), false),
        ]
    );
    let legend: Vec<(String, bool)> = select(index, "figure svg text.legend")
        .iter()
        .map(|t| (text(t), t.value().attr("font-style") == Some("italic")))
        .collect();
    assert_eq!(
        legend,
        [
            ("no category".to_string(), true),
            ("(none)".to_string(), false)
        ]
    );
    // The report keeps them apart too: no category is null in JSON.
    let report: serde_json::Value =
        serde_json::from_str(&log.run(["report", "--format", "json"]).ok()).expect("JSON");
    assert_eq!(
        report["learning"]["categories"],
        serde_json::json!([{"key": null, "count": 1}, {"key": "(none)", "count": 1}])
    );
    let grouped: serde_json::Value = serde_json::from_str(
        &log.run(["report", "--format", "json", "--by", "category"])
            .ok(),
    )
    .expect("JSON");
    let received: Vec<u64> = grouped["groups"]
        .as_array()
        .expect("groups")
        .iter()
        .map(|g| g["measures"]["received"].as_u64().expect("a count"))
        .collect();
    assert_eq!(received, [1, 1], "two groups, not one of two");
}

fn select_all_in<'h>(element: &scraper::ElementRef<'h>, css: &str) -> Vec<scraper::ElementRef<'h>> {
    let selector = Selector::parse(css).expect("a selector");
    element.select(&selector).collect()
}

#[test]
fn a_case_file_that_cannot_be_read_is_named_on_the_index_as_left_out() {
    let (log, [hostile, settled, ..]) = log_with_cases();
    site(&log, &[]);
    let path = log.case_path(&hostile);
    let mut broken = std::fs::read_to_string(&path).expect("the case file");
    broken.push_str("broken\n");
    std::fs::write(&path, broken).expect("written");
    let out = log.run(["site", "--out", "site"]).output();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains(&format!("{hostile}.toml")), "{stderr}");
    // The site is written, without the case, and says so where the
    // numbers and the lists are.
    let written = pages(&log.path().join("site"));
    assert!(!written.contains_key(&format!("case/{hostile}.html")));
    assert!(written.contains_key(&format!("case/{settled}.html")));
    for page in ["index.html", "cases.html"] {
        let notice = select(&written[page], "#unreadable");
        assert_eq!(notice.len(), 1, "{page}");
        assert!(
            text(&notice[0])
                .starts_with("1 case file could not be read, so this site leaves it out"),
            "{page}: {}",
            text(&notice[0])
        );
    }
    assert!(select(&written[&format!("case/{settled}.html")], "#unreadable").is_empty());
    // Mended, the notice goes.
    let mended = log.case_text(&hostile).replace("broken\n", "");
    std::fs::write(&path, mended).expect("written");
    site(&log, &[]);
    let index = &pages(&log.path().join("site"))["index.html"];
    assert!(select(index, "#unreadable").is_empty());
}

/// A run killed part-way left its folder beside `--out` for good: the
/// half-built site, or (killed once the new site was in) the previous
/// one, with every case page as it was, where git lists it. The next run
/// removes them, but never the folder of a run still at work.
#[cfg(debug_assertions)]
#[test]
fn the_next_run_removes_what_a_killed_run_left_beside_out_but_not_a_running_ones() {
    let (log, _) = log_with_cases();
    site(&log, &[]);
    let out = log
        .run(["site", "--out", "site"])
        .env("CASELOG_TEST_DIE_AFTER_SITE_RENAMES", "1")
        .output();
    assert!(!out.status.success(), "the run was to die part-way");
    let half_built = log.path().join(".caselog-site-k1lled");
    std::fs::create_dir_all(half_built.join("case")).unwrap();
    std::fs::write(half_built.join("index.html"), "<p>half a site").unwrap();
    let running = log.path().join(".caselog-site-running");
    std::fs::create_dir(&running).unwrap();
    let held = std::fs::File::open(&running).unwrap();
    held.try_lock().expect("the running site's folder");
    let left = |log: &Log| -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(log.path())
            .unwrap()
            .filter_map(Result::ok)
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|name| name.starts_with(".caselog-site"))
            .collect();
        names.sort();
        names
    };
    assert_eq!(left(&log).len(), 3, "{:?}", left(&log));

    site(&log, &[]);
    assert_eq!(left(&log), [".caselog-site-running"]);
    drop(held);
    site(&log, &[]);
    assert_eq!(left(&log), Vec::<String>::new());
}
