//! Fuzzing what caselog reads from outside: case files (random text, and
//! valid files mangled at random) and `import` files (random CSV, JSON,
//! YAML and bytes, and mangled exports). Never a panic; every refusal is
//! one line naming the file, and a refused import writes nothing.

use caselog::case::file::render;
use caselog::case::id::CaseId;
use caselog::case::lifecycle::{self, NewComplaint, Stamp};
use caselog::case::{Case, Channel, Severity};
use chrono::Duration;

use crate::histories::{start, step};

/// The id of every generated case, and where its file lives.
const ID: &str = "20261120-7kq3m";
const SHOWN: &str = "cases/2026/11/20261120-7kq3m.toml";

/// A case with a history of `steps` (each: which step, its text, minutes
/// after the last), touching every optional part of the file.
fn history(steps: &[(u8, String, u32)]) -> Case {
    let complaint = NewComplaint {
        title: "Refund not received".into(),
        customer: "Maria López".into(),
        contact: Some("maria@example.com".into()),
        reference: Some("A-1001".into()),
        preferred_contact: Some(Channel::Phone),
        channel: Channel::Email,
        category: Some("billing".into()),
        severity: Severity::High,
        tags: vec!["refund".into(), "web".into()],
        wants: Some("The money back".into()),
        assignee: Some("ben".into()),
        summary: "I cancelled order A-1001.\nNo refund yet.".into(),
    };
    let stamp = Stamp {
        by: "ana".into(),
        at: start(),
        zone: caselog::time::Zone::UTC,
    };
    let mut case = lifecycle::open(CaseId::parse_full(ID).unwrap(), complaint, &stamp).unwrap();
    let mut at = start();
    for (op, text, minutes) in steps {
        at += Duration::minutes(i64::from(*minutes));
        case = step(&case, *op, text, at);
    }
    case
}

/// What a mangling inserts: TOML's syntax, and bytes that break text.
const TOKENS: &[&str] = &[
    "=",
    "\"",
    "'",
    "[",
    "]",
    "{",
    "}",
    ",",
    ".",
    "#",
    "\\",
    "\\u",
    "\n",
    "\r",
    "\t",
    "\0",
    "\"\"\"",
    "'''",
    "\u{feff}",
    "\u{202e}",
    "\u{1b}[2J",
    "é",
    "👩‍👩‍👧",
    "[[events]]\n",
    "[customer]\n",
    "[resolution]\n",
    "\n[[events]]\nat = 2026-11-20T09:00:00Z\nby = \"x\"\naction = \"note\"\n",
    "<<<<<<< HEAD\n",
    "=======\n",
    ">>>>>>> theirs\n",
    "x = 1\n",
    "events = []\n",
    "\"\"\"\n",
];

/// Numbers a mangling puts in place of one in the file.
const NUMBERS: &[&str] = &[
    "99999999999999999999999999",
    "18446744073709551616",
    "18446744073709551615",
    "9223372036854775807",
    "9223372036854775808",
    "-9223372036854775809",
    "4294967295",
    "4294967296",
    "-1",
    "-0",
    "0",
    "+1",
    "00",
    "1e400",
    "1.5",
    "nan",
    "inf",
    "-inf",
    "0x10",
    "0o7",
    "0b1",
    "1_0",
    "1__0",
];

/// Times a mangling puts in place of one in the file.
const TIMES: &[&str] = &[
    "0000-01-01T00:00:00+01:00",
    "9999-12-31T23:59:60Z",
    "9999-12-31T23:59:59Z",
    "9000-12-31T23:59:59Z",
    "9000-12-31T23:59:59-23:59",
    "9001-01-01T00:00:00Z",
    "0000-01-01T00:00:00Z",
    "0000-01-01T00:00:00-01:00",
    "0001-01-01T00:00:00+00:00",
    "2026-02-30T09:00:00Z",
    "2026-11-20T24:00:00Z",
    "2026-11-20T09:00:60Z",
    "2026-11-20T23:59:60+23:59",
    "2026-11-20T09:00:00+24:00",
    "2026-11-20T09:00:00-23:59",
    "2026-11-20T09:00:00+23:59",
    "2026-11-20T09:00:59.9999999999999Z",
    "1969-12-31T23:59:59.999999999Z",
    "2026-11-20",
    "09:00:00",
    "2026-11-20T09:00:00",
    "2026-11-20 09:00:00Z",
    "2026-11-20t09:00:00z",
    "2026-11-20T09:00:00.Z",
    "+2026-11-20T09:00:00Z",
    "20261-11-20T09:00:00Z",
];

/// Values a mangling gives a key.
const VALUES: &[&str] = &[
    "\"\"",
    "\"  \"",
    "\"x\"",
    "0",
    "-1",
    "4294967296",
    "true",
    "[]",
    "[\"\"]",
    "[\"a\", \"a\"]",
    "[1, \"a\"]",
    "{}",
    "{ a = 1 }",
    "{ name = \"x\" }",
    "2026-11-20T09:00:00Z",
    "2026-11-20",
    "09:00:00",
    "\"opened\"",
    "\"resolved\"",
    "\"closed\"",
    "\"waiting\"",
    "\"note\"",
    "\"imported\"",
    "\"proposed\"",
    "\"agreed\"",
    "\"follow-up-scheduled\"",
    "\"followed-up\"",
    "\"upheld\"",
    "\"phone\"",
    "\"bogus\"",
    "'literal'",
    "\"\\u0000\"",
    "\"a\\nb\"",
    "\"\\r\"",
    "\"\"\"\nx\n\"\"\"",
    "'''a'''",
    "nan",
    "1.5",
    "\"9999-12-31T23:59:59Z\"",
    "\"\\u202e\\u001b[31m\"",
];

/// What a mangling puts at the start of a line.
const LAYOUTS: &[&str] = &["# a hand note\n", "\n", "  ", "\t", "#\n", "# [[events]]\n"];

/// Keys a mangling renames one to.
const KEYS: &[&str] = &[
    "format",
    "id",
    "title",
    "status",
    "tags",
    "opened_at",
    "events",
    "customer",
    "name",
    "summary",
    "at",
    "by",
    "action",
    "text",
    "option",
    "due",
    "to",
    "agreed",
    "unknown_key",
    "customer.name",
    "\"quoted key\"",
    "ÿ",
];

/// The byte ranges of the lines of `bytes`, each with its line break.
fn lines(bytes: &[u8]) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let mut begin = 0;
    for (i, b) in bytes.iter().enumerate() {
        if *b == b'\n' {
            out.push(begin..i + 1);
            begin = i + 1;
        }
    }
    if begin < bytes.len() {
        out.push(begin..bytes.len());
    }
    out
}

/// The byte ranges of every run of digits.
fn numbers(bytes: &[u8]) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i].is_ascii_digit() {
            let begin = i;
            while i < bytes.len() && bytes[i].is_ascii_digit() {
                i += 1;
            }
            out.push(begin..i);
        } else {
            i += 1;
        }
    }
    out
}

/// The byte ranges of every date-time (`dddd-dd-ddTdd:dd:dd…`).
fn times(bytes: &[u8]) -> Vec<std::ops::Range<usize>> {
    const SHAPE: &[u8] = b"0000-00-00T00:00:00";
    let fits = |w: &[u8]| {
        w.iter().zip(SHAPE).all(|(b, s)| {
            if *s == b'0' {
                b.is_ascii_digit()
            } else {
                b == s
            }
        })
    };
    let mut out = Vec::new();
    let mut i = 0;
    while i + SHAPE.len() <= bytes.len() {
        if fits(&bytes[i..i + SHAPE.len()]) {
            let mut end = i + SHAPE.len();
            while end < bytes.len() && b"0123456789.:+-Z".contains(&bytes[end]) {
                end += 1;
            }
            out.push(i..end);
            i = end;
        } else {
            i += 1;
        }
    }
    out
}

/// The lines that set a key, with where the key and the value are.
fn settings(bytes: &[u8]) -> Vec<(std::ops::Range<usize>, std::ops::Range<usize>)> {
    lines(bytes)
        .into_iter()
        .filter_map(|line| {
            let text = &bytes[line.clone()];
            let eq = text.iter().position(|b| *b == b'=')?;
            let key = text[..eq].trim_ascii();
            if key.is_empty() || !key.iter().all(|b| b.is_ascii_alphanumeric() || *b == b'_') {
                return None;
            }
            let key_begin = line.start + text.iter().position(|b| !b.is_ascii_whitespace())?;
            let end = line.end - usize::from(text.ends_with(b"\n"));
            Some((key_begin..key_begin + key.len(), line.start + eq + 1..end))
        })
        .collect()
}

/// One random change to a file: `(what, where, another where, which)`.
type Mangling = (u8, usize, usize, usize);

/// Applies one mangling to `bytes`; each picks its place modulo what the
/// file has, so any numbers make a valid mangling.
fn mangle(bytes: &mut Vec<u8>, (what, a, b, pick): Mangling) {
    let spliced = |bytes: &mut Vec<u8>, range: std::ops::Range<usize>, with: &[u8]| {
        bytes.splice(range, with.iter().copied());
    };
    let all = lines(bytes);
    match what % 15 {
        0 if !all.is_empty() => spliced(bytes, all[a % all.len()].clone(), b""),
        1 if !all.is_empty() => {
            let line = all[a % all.len()].clone();
            let copy = bytes[line.clone()].to_vec();
            spliced(bytes, line.start..line.start, &copy);
        }
        2 if all.len() > 1 => {
            let (x, y) = (a % all.len(), b % all.len());
            if x == y {
                return;
            }
            let (first, second) = (all[x.min(y)].clone(), all[x.max(y)].clone());
            let mut out = bytes[..first.start].to_vec();
            out.extend_from_slice(&bytes[second.clone()]);
            out.extend_from_slice(&bytes[first.end..second.start]);
            out.extend_from_slice(&bytes[first]);
            out.extend_from_slice(&bytes[second.end..]);
            *bytes = out;
        }
        3 if !bytes.is_empty() => {
            let at = a % bytes.len();
            bytes[at] ^= (b as u8).max(1);
        }
        4 => bytes.truncate(a % (bytes.len() + 1)),
        5 => {
            let at = a % (bytes.len() + 1);
            spliced(bytes, at..at, TOKENS[pick % TOKENS.len()].as_bytes());
        }
        6 => {
            let found = numbers(bytes);
            if !found.is_empty() {
                let with = NUMBERS[pick % NUMBERS.len()].as_bytes();
                spliced(bytes, found[a % found.len()].clone(), with);
            }
        }
        7 => {
            let found = times(bytes);
            if !found.is_empty() {
                let with = TIMES[pick % TIMES.len()].as_bytes();
                spliced(bytes, found[a % found.len()].clone(), with);
            }
        }
        8 => {
            let found = settings(bytes);
            if !found.is_empty() {
                let with = format!(" {}", VALUES[pick % VALUES.len()]);
                spliced(bytes, found[a % found.len()].1.clone(), with.as_bytes());
            }
        }
        9 => {
            let found = settings(bytes);
            if !found.is_empty() {
                let with = KEYS[pick % KEYS.len()].as_bytes();
                spliced(bytes, found[a % found.len()].0.clone(), with);
            }
        }
        // A whole section (a header and its keys) dropped.
        10 => {
            let headers: Vec<usize> = all
                .iter()
                .enumerate()
                .filter(|(_, l)| bytes[l.start..].starts_with(b"["))
                .map(|(i, _)| i)
                .collect();
            if !headers.is_empty() {
                let first = headers[a % headers.len()];
                let last = headers
                    .iter()
                    .find(|h| **h > first)
                    .map_or(all.len(), |h| *h);
                spliced(bytes, all[first].start..all[last - 1].end, b"");
            }
        }
        // Deep nesting, closed or not, where a value goes.
        11 => {
            let found = settings(bytes);
            if !found.is_empty() {
                let depth = [2, 40, 200, 5_000][b % 4];
                let (open, close) = if pick.is_multiple_of(2) {
                    ("[", "]")
                } else {
                    ("{a=", "}")
                };
                let mut with = format!(" {}1", open.repeat(depth));
                if pick % 3 != 0 {
                    with.push_str(&close.repeat(depth));
                }
                spliced(bytes, found[a % found.len()].1.clone(), with.as_bytes());
            }
        }
        // What a person editing by hand adds: comments, blank lines, indents.
        12 if !all.is_empty() => {
            let at = all[a % all.len()].start;
            spliced(bytes, at..at, LAYOUTS[pick % LAYOUTS.len()].as_bytes());
        }
        13 if !all.is_empty() => {
            let line = all[a % all.len()].clone();
            let end = line.end - usize::from(bytes[line.clone()].ends_with(b"\n"));
            spliced(bytes, end..end, b"  # why");
        }
        // A line's end cut off, mid-character or not.
        14 if !all.is_empty() => {
            let line = all[a % all.len()].clone();
            let cut = line.start + b % (line.len() + 1);
            spliced(bytes, cut..line.end, b"\n");
        }
        _ => {}
    }
}

/// A valid case file mangled by `manglings`, as text.
fn mangled(steps: &[(u8, String, u32)], manglings: &[Mangling]) -> String {
    let mut bytes = render(&history(steps)).into_bytes();
    for m in manglings {
        mangle(&mut bytes, *m);
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

mod parser {
    //! The library's readers of case files, in process: thousands of
    //! inputs a second.

    use std::path::Path;

    use caselog::case::file::{format, parse, update};
    use caselog::case::validate::{self, Rules};
    use proptest::prelude::*;
    use proptest::test_runner::TestCaseError;

    use super::*;

    /// A refusal is `path:line: message`, the line one of the text's, on
    /// one line of output.
    fn assert_names_the_place(shown: &str, text: &str, message: &str) -> Result<(), TestCaseError> {
        let rest = message
            .strip_prefix(shown)
            .and_then(|r| r.strip_prefix(':'));
        prop_assert!(rest.is_some(), "does not start with '{shown}:': {message}");
        let (line, said) = rest.unwrap().split_once(": ").unwrap_or(("", ""));
        let line: usize = line
            .parse()
            .map_err(|_| TestCaseError::fail(format!("no line number: {message}")))?;
        let last = text.matches('\n').count() + 1;
        prop_assert!(
            (1..=last).contains(&line),
            "line {line} of {last}: {message}"
        );
        prop_assert!(!said.trim().is_empty(), "no message: {message}");
        // A control character quoted from the file (a raw CR) is the
        // printing layer's to escape; a line break of the message's own is not.
        prop_assert!(!message.contains('\n'), "more than one line: {message:?}");
        Ok(())
    }

    fn read_or_refuse(text: &str) -> Result<Option<Case>, TestCaseError> {
        match parse(SHOWN, text) {
            Ok(case) => Ok(Some(case)),
            Err(e) => {
                assert_names_the_place(SHOWN, text, &e.to_string())?;
                Ok(None)
            }
        }
    }

    fn rules() -> Rules<'static> {
        Rules {
            categories: &[],
            now: "2100-01-01T00:00:00Z".parse().unwrap(),
            tolerance: Duration::minutes(5),
        }
    }

    fn problems(text: &str) -> Vec<validate::Problem> {
        validate::check(text, Path::new("2026/11/20261120-7kq3m.toml"), &rules())
    }

    /// `check`'s problems point at a line of the text and say something,
    /// each in one line (some quote a value from the file).
    fn assert_checks(text: &str) -> Result<(), TestCaseError> {
        let last = text.matches('\n').count() + 1;
        for problem in problems(text) {
            prop_assert!((1..=last).contains(&problem.line), "{problem:?} of {last}");
            prop_assert!(!problem.message.trim().is_empty(), "{problem:?}");
            prop_assert!(!problem.message.contains(['\n', '\r']), "{problem:?}");
        }
        Ok(())
    }

    fn steps() -> impl Strategy<Value = Vec<(u8, String, u32)>> {
        proptest::collection::vec(
            (
                any::<u8>(),
                prop_oneof!["[a-z ]{1,12}", "[\"'\\\\\n\t a-z=\\[\\]#é]{1,20}"]
                    .prop_filter("not blank", |s| !s.trim().is_empty()),
                0u32..600,
            ),
            0..12,
        )
    }

    fn manglings(most: usize) -> impl Strategy<Value = Vec<Mangling>> {
        proptest::collection::vec(
            (any::<u8>(), any::<usize>(), any::<usize>(), any::<usize>()),
            1..=most,
        )
    }

    /// Manglings that often leave a valid case: other values, times and
    /// numbers, lines moved, comments and blank lines added.
    fn gentle_manglings(most: usize) -> impl Strategy<Value = Vec<Mangling>> {
        let gentle = prop::sample::select(vec![1u8, 2, 6, 7, 8, 8, 12, 12, 13, 13]);
        proptest::collection::vec(
            (gentle, any::<usize>(), any::<usize>(), any::<usize>()),
            1..=most,
        )
    }

    /// Text with TOML's shapes in it, more often near-valid than not.
    fn tomlish() -> impl Strategy<Value = String> {
        prop_oneof![
            any::<String>(),
            "([a-z_.\"]{1,8} ?= ?[-+0-9a-z\"'\\[\\]{},.:TZ ]{0,20}\n|\\[{1,2}[a-z.]{0,8}\\]{1,2}\n|#.*\n|\n){0,20}",
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn any_text_is_read_or_refused_with_its_path_and_line(text in tomlish()) {
            read_or_refuse(&text)?;
            assert_checks(&text)?;
        }

        #[test]
        fn a_mangled_case_file_is_read_or_refused_with_its_path_and_line(
            steps in steps(),
            manglings in manglings(4),
        ) {
            let text = mangled(&steps, &manglings);
            read_or_refuse(&text)?;
            assert_checks(&text)?;
        }

        /// What `fmt` and every change do to a file a person may have
        /// mangled into another valid case: `fmt` keeps the case and is
        /// done after one pass; a change lands as itself; nothing panics.
        #[test]
        fn fmt_and_changes_keep_a_mangled_but_valid_case(
            steps in steps(),
            manglings in gentle_manglings(3),
            change in (any::<u8>(), "[a-z ]{1,12}"),
        ) {
            let text = mangled(&steps, &manglings);
            let Some(case) = read_or_refuse(&text)? else { return Ok(()) };
            let formatted = format(SHOWN, &text);
            prop_assert!(formatted.is_ok(), "fmt refused a case that reads: {:?}\n{}", formatted, text);
            let formatted = formatted.unwrap();
            let again = parse(SHOWN, &formatted);
            prop_assert!(again.is_ok(), "fmt wrote what does not read: {:?}\n{}", again, formatted);
            prop_assert_eq!(again.unwrap(), case.clone(), "fmt changed the case:\n{}", formatted);
            let twice = format(SHOWN, &formatted);
            prop_assert_eq!(twice.ok(), Some(formatted.clone()), "fmt is not done after one pass");
            // Stamped as caselog stamps: now, or the last event's time if later.
            let now = start() + Duration::days(2);
            let at = case.last_event_at().map_or(now, |last| last.max(now));
            let changed = step(&case, change.0, &change.1, at);
            if changed != case {
                // A refused edit is the store's to report; a wrong one is a bug.
                if let Ok(edited) = update(&text, &case, &changed) {
                    let again = parse(SHOWN, &edited);
                    prop_assert!(again.is_ok(), "the edit does not read: {:?}\n{}", again, edited);
                    prop_assert_eq!(again.unwrap(), changed, "the edit is not the change:\n{}", edited);
                }
            }
        }

        #[test]
        fn yaml_of_any_shape_is_read_or_refused(text in prop_oneof![
            any::<String>(),
            "([- :?&*!|>{}\\[\\],#'\"a-z0-9\n\t]|---|\\.\\.\\.|<<){0,60}",
        ]) {
            if let Err(e) = caselog::yaml::from_str::<serde_json::Value>(&text) {
                prop_assert!(!e.message.contains('\n'), "{:?}", e.message);
            }
        }
    }
}

mod through_the_binary {
    //! The same inputs through the real `caselog`, fewer of them: what the
    //! library's callers make of a bad file (exit codes, messages, writes).

    use std::path::Path;
    use std::process::Output;

    use serde_json::{Map, Value, json};

    use super::*;
    use crate::harness::{Log, Rng};

    /// Rounds per test: each runs several commands.
    const ROUNDS: u64 = 60;

    /// One random mangling.
    fn random_mangling(rng: &mut Rng) -> Mangling {
        (
            rng.next() as u8,
            rng.next() as usize,
            rng.next() as usize,
            rng.next() as usize,
        )
    }

    /// Bytes of any kind, leaning to text and TOML's and CSV's syntax.
    fn random_bytes(rng: &mut Rng, most: usize) -> Vec<u8> {
        let mut out = Vec::new();
        for _ in 0..rng.below(most + 1) {
            match rng.below(4) {
                0 => out.push(rng.next() as u8),
                1 => out.extend_from_slice(rng.pick(TOKENS).as_bytes()),
                _ => out.push(b" =\"[],:\n-#abcxyz0129TZ"[rng.below(22)]),
            }
        }
        out
    }
    fn history_of(rng: &mut Rng) -> Case {
        let steps: Vec<(u8, String, u32)> = (0..rng.below(10))
            .map(|_| {
                let text = rng.pick(&["fine", "a \"quoted\" word", "two\nlines", "é ☃", "x = [1]"]);
                (rng.next() as u8, text.to_string(), rng.below(600) as u32)
            })
            .collect();
        history(&steps)
    }

    /// What every run must be: an exit code of caselog's own, no panic,
    /// each line of stderr a message of caselog's (no backtrace, no
    /// message running over several lines). Returns the exit code.
    #[track_caller]
    fn orderly(what: &str, out: &Output, codes: &[i32]) -> i32 {
        let stderr = String::from_utf8_lossy(&out.stderr);
        let Some(code) = out.status.code() else {
            panic!("{what}: died by a signal ({}): {stderr}", out.status);
        };
        assert!(codes.contains(&code), "{what}: exited {code}: {stderr}");
        assert!(!stderr.contains("panicked"), "{what}: {stderr}");
        for line in stderr.lines() {
            assert!(
                line.starts_with("caselog: "),
                "{what}: stderr line {line:?} in\n{stderr}"
            );
        }
        code
    }

    /// A refusal of a case file: one line, `caselog: path:line: message`.
    #[track_caller]
    fn refusal_names_the_file(what: &str, out: &Output) {
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(stderr.lines().count(), 1, "{what}: {stderr}");
        let rest = stderr
            .strip_prefix(&format!("caselog: {SHOWN}:"))
            .unwrap_or_else(|| panic!("{what}: does not name {SHOWN}: {stderr}"));
        let (line, message) = rest.split_once(": ").unwrap_or_default();
        assert!(
            line.parse::<usize>().is_ok_and(|n| n >= 1) && !message.trim().is_empty(),
            "{what}: no line number or message: {stderr}"
        );
    }

    /// A case file: mangled, or bytes of any kind now and then.
    fn case_file(rng: &mut Rng) -> Vec<u8> {
        if rng.chance(5) {
            let mut bytes = if rng.chance(2) {
                let mut valid = render(&history_of(rng)).into_bytes();
                valid.truncate(rng.below(valid.len()));
                valid
            } else {
                Vec::new()
            };
            bytes.extend(random_bytes(rng, 300));
            return bytes;
        }
        let mut bytes = render(&history_of(rng)).into_bytes();
        if rng.chance(2) {
            // Often still a valid case, for what commands do with one.
            for _ in 0..1 + rng.below(2) {
                let mut mangling = random_mangling(rng);
                mangling.0 = rng.pick(&[&7u8, &12, &13]).to_owned();
                mangle(&mut bytes, mangling);
            }
        } else {
            for _ in 0..1 + rng.below(4) {
                mangle(&mut bytes, random_mangling(rng));
            }
        }
        bytes
    }

    #[test]
    fn mangled_case_files_never_make_a_command_panic_and_each_refusal_names_the_file() {
        let log = Log::new();
        let path = log.case_path(ID);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let (mut refused, mut read) = (0, 0);
        for round in 0..ROUNDS {
            let mut rng = Rng(round);
            let bytes = case_file(&mut rng);
            std::fs::write(&path, &bytes).unwrap();
            let what = |command: &str| {
                format!(
                    "round {round}, {command}, of\n{}\n",
                    String::from_utf8_lossy(&bytes)
                )
            };

            let show = log.run(["show", ID]).output();
            let shown = orderly(&what("show"), &show, &[0, 2]);
            if shown == 2 {
                refusal_names_the_file(&what("show"), &show);
                refused += 1;
            } else {
                read += 1;
            }
            let json = log.run(["show", ID, "--format", "json"]).output();
            assert_eq!(orderly(&what("show --format json"), &json, &[0, 2]), shown);
            let before: Option<Value> = (shown == 0)
                .then(|| serde_json::from_slice(&json.stdout).expect("show --format json is JSON"));

            let list = log.run(["list"]).output();
            if orderly(&what("list"), &list, &[0, 2]) == 2 {
                refusal_names_the_file(&what("list"), &list);
            }

            let check = log.run(["check"]).output();
            if orderly(&what("check"), &check, &[0, 1]) == 1 {
                let stdout = String::from_utf8_lossy(&check.stdout);
                for line in stdout.lines() {
                    let rest = line.strip_prefix(&format!("{SHOWN}:"));
                    let number = rest.and_then(|r| r.split_once(": ")).map(|(n, _)| n);
                    assert!(
                        number.is_some_and(|n| n.parse::<usize>().is_ok()),
                        "{}{line}",
                        what("check")
                    );
                }
            }
            // Whatever `show` refuses, `check` fails on.
            if shown == 2 {
                assert_eq!(check.status.code(), Some(1), "{}", what("check"));
            }

            let fmt_check = log.run(["fmt", "--check"]).output();
            if orderly(&what("fmt --check"), &fmt_check, &[0, 1, 2]) == 2 {
                refusal_names_the_file(&what("fmt --check"), &fmt_check);
            }

            // `fmt` keeps the case, and leaves a file that reads.
            let fmt = log.run(["fmt"]).output();
            if orderly(&what("fmt"), &fmt, &[0, 2]) == 2 {
                refusal_names_the_file(&what("fmt"), &fmt);
                assert_eq!(std::fs::read(&path).unwrap(), bytes, "{}", what("fmt"));
            } else if let Some(before) = &before {
                assert_eq!(&log.case_json(ID), before, "{}", what("fmt"));
            }

            // A change lands on a case that reads, and is refused otherwise.
            let text = format!("fuzz note {round}");
            let note = log.run(["note", ID, &text]).output();
            if orderly(&what("note"), &note, &[0, 2]) == 0 {
                let after = log.case_json(ID);
                let last = after["events"].as_array().and_then(|e| e.last()).cloned();
                assert_eq!(
                    last.unwrap_or_default()["text"],
                    json!(text),
                    "{}",
                    what("note")
                );
            } else {
                refusal_names_the_file(&what("note"), &note);
            }
        }
        println!("{read} mangled case files read, {refused} refused");
        assert!(read >= 4 && refused >= 4, "read {read}, refused {refused}");
    }

    /// Cells of any kind, leaning to what import looks for.
    fn cell(rng: &mut Rng) -> String {
        match rng.below(8) {
            0 => String::new(),
            1 => rng.pick(TIMES).to_string(),
            2 => time(rng),
            3 => rng
                .pick(&[
                    "open",
                    "resolved",
                    "closed",
                    "waiting",
                    "high",
                    "urgent",
                    "email",
                    "phone",
                    "yes",
                    "no",
                    "maybe",
                    "upheld",
                    "1",
                    "-1",
                    "4294967296",
                    "Refund",
                    "Maria",
                ])
                .to_string(),
            4 => rng
                .pick(&[
                    "=1+1",
                    "+SUM(A1)",
                    "-2",
                    "@x",
                    "'=x",
                    "a\nb",
                    "a\"b\"",
                    "\u{1b}[31m",
                    "\u{202e}",
                    "a;b",
                    "a; ;b",
                    "👩",
                    "   ",
                    "\r",
                    "\0",
                ])
                .to_string(),
            5 => rng
                .pick(&[
                    "[]",
                    "null",
                    "{",
                    "[{\"at\":1}]",
                    "[{\"at\":\"2026-11-01T10:00:00Z\",\"by\":\"a\",\"action\":\"opened\"}]",
                    "[{\"at\":\"2026-11-01T10:00:00Z\",\"by\":\"a\",\"action\":\"note\"}]",
                ])
                .to_string(),
            6 => "x".repeat(rng.below(3000)),
            _ => String::from_utf8_lossy(&random_bytes(rng, 20)).into_owned(),
        }
    }

    /// A time import may take (the harness's now is 2026-11-22T09:00:00Z).
    fn time(rng: &mut Rng) -> String {
        if rng.chance(5) {
            return rng.pick(TIMES).to_string();
        }
        rng.pick(&[
            "2026-11-01T10:00:00Z",
            "2026-11-01 10:00",
            "2026-11-01",
            "2026-11-02T10:00:00+05:00",
            "2026-11-22T09:00:00Z",
            "0000-01-01T00:00:00Z",
            "0000-01-01T00:00:00+01:00",
            "1970-01-01T00:00:00Z",
            "2026-11-22T09:00:01Z",
        ])
        .to_string()
    }

    fn field(rng: &mut Rng) -> String {
        if rng.chance(6) {
            rng.pick(&[
                "",
                " title ",
                "Title",
                "x",
                "tïtle",
                "=cmd",
                "\u{feff}title",
            ])
            .to_string()
        } else {
            rng.pick(caselog::case::exchange::FIELDS).to_string()
        }
    }

    /// Rows that import often takes: the four fields it needs, and others.
    fn row(rng: &mut Rng) -> Vec<(String, String)> {
        let mut row = Vec::new();
        if !rng.chance(3) {
            // Valid but for the times, which may be any.
            row.push(("title".into(), "Parcel lost".into()));
            row.push(("customer".into(), "Ben".into()));
            row.push(("opened_at".into(), time(rng)));
            row.push(("summary".into(), "It never came.".into()));
            for (name, values) in [
                ("status", &["open", "waiting", "closed"][..]),
                ("severity", &["low", "high", "critical"]),
                ("tags", &["a; b", "x"]),
                ("follow_up_due", &["2026-11-30T00:00:00Z"]),
            ] {
                if rng.chance(3) {
                    row.push((name.into(), rng.pick(values).to_string()));
                }
            }
            return row;
        }
        if rng.chance(2) {
            row.push(("title".into(), "Parcel lost".into()));
            row.push(("customer".into(), "Ben".into()));
            row.push(("opened_at".into(), time(rng)));
            row.push(("summary".into(), "It never came.".into()));
        }
        for _ in 0..rng.below(5) {
            let name = field(rng);
            let value = if name.ends_with("_at") || name.ends_with("_due") {
                time(rng)
            } else {
                cell(rng)
            };
            row.push((name, value));
        }
        row
    }

    fn csv_cell(rng: &mut Rng, cell: &str) -> String {
        if cell.contains([',', '"', '\n', '\r']) && !rng.chance(10) {
            format!("\"{}\"", cell.replace('"', "\"\""))
        } else {
            cell.to_string()
        }
    }

    fn csv(rng: &mut Rng) -> Vec<u8> {
        let rows: Vec<Vec<(String, String)>> = (0..1 + rng.below(2)).map(|_| row(rng)).collect();
        let mut header: Vec<String> = Vec::new();
        for (name, _) in rows.iter().flatten() {
            if !header.contains(name) || rng.chance(30) {
                header.push(name.clone());
            }
        }
        if header.is_empty() {
            header.push(field(rng));
        }
        let mut text = header
            .iter()
            .map(|h| csv_cell(rng, h))
            .collect::<Vec<_>>()
            .join(",");
        text.push('\n');
        for row in &rows {
            let mut cells: Vec<String> = header
                .iter()
                .map(|h| {
                    let value = row.iter().find(|(n, _)| n == h).map_or("", |(_, v)| v);
                    csv_cell(rng, value)
                })
                .collect();
            if rng.chance(20) {
                cells.push("ragged".into());
            }
            text.push_str(&cells.join(","));
            text.push('\n');
        }
        text.into_bytes()
    }

    /// A JSON value of any type, `depth` levels deep at most.
    fn value(rng: &mut Rng, depth: usize) -> Value {
        match rng.below(if depth == 0 { 5 } else { 7 }) {
            0 => Value::Null,
            1 => json!(rng.chance(2)),
            2 => json!(*rng.pick(&[&0i64, &-1, &i64::MAX, &4_294_967_296])),
            3 => json!(*rng.pick(&[&1.5f64, &1e300, &-0.0])),
            4 => Value::String(cell(rng)),
            5 => Value::Array((0..rng.below(4)).map(|_| value(rng, depth - 1)).collect()),
            _ => Value::Object(
                (0..rng.below(4))
                    .map(|_| (field(rng), value(rng, depth - 1)))
                    .collect(),
            ),
        }
    }

    /// Records for JSON and YAML: rows with native values now and then.
    fn records(rng: &mut Rng) -> Value {
        if rng.chance(10) {
            return value(rng, 3);
        }
        Value::Array(
            (0..1 + rng.below(2))
                .map(|_| {
                    let mut record: Map<String, Value> = row(rng)
                        .into_iter()
                        .map(|(k, v)| (k, Value::String(v)))
                        .collect();
                    if rng.chance(3) {
                        record.insert(field(rng), value(rng, 2));
                    }
                    if rng.chance(6) {
                        let events = (0..rng.below(3))
                            .map(|_| {
                                let mut event = Map::new();
                                for key in ["at", "by", "action", "text", "to", "option", "due"] {
                                    if rng.chance(2) {
                                        event.insert(key.into(), value(rng, 1));
                                    }
                                }
                                event.insert(
                                    "action".into(),
                                    json!(rng.pick(&["opened", "note", "resolved", "bogus"])),
                                );
                                Value::Object(event)
                            })
                            .collect();
                        record.insert("events".into(), Value::Array(events));
                    }
                    Value::Object(record)
                })
                .collect(),
        )
    }

    /// What YAML alone has: anchors, aliases, tags, documents, and bombs.
    const YAML: &[&str] = &[
        "&a ",
        "*a",
        "!!binary ",
        "!!str ",
        "? ",
        "- ",
        ": ",
        "---\n",
        "...\n",
        "%YAML 1.2\n",
        "<<: *a\n",
        "\t",
        "|\n",
        ">-\n",
        "~",
        ".inf",
        ".nan",
        "0x1F",
        "1e999",
        "y",
        "null",
    ];

    fn yaml(rng: &mut Rng) -> Vec<u8> {
        if rng.chance(15) {
            // A billion laughs: nine levels of nine aliases each.
            let mut bomb = String::from(
                "- a: &a [\"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\"]\n",
            );
            for (level, name) in "bcdefghi".chars().enumerate() {
                let below = "abcdefgh".chars().nth(level).unwrap();
                let aliases = vec![format!("*{below}"); 9].join(", ");
                bomb.push_str(&format!("  {name}: &{name} [{aliases}]\n"));
            }
            return bomb.into_bytes();
        }
        if rng.chance(15) {
            let depth = 50 + rng.below(5_000);
            return if rng.chance(2) {
                format!("{}x", "- ".repeat(depth))
            } else {
                "[".repeat(depth)
            }
            .into_bytes();
        }
        let mut text = caselog::yaml::to_string(&records(rng)).expect("YAML");
        for _ in 0..rng.below(3) {
            let at = rng.below(text.len() + 1);
            if text.is_char_boundary(at) {
                text.insert_str(at, rng.pick(YAML));
            }
        }
        text.into_bytes()
    }

    fn json_file(rng: &mut Rng) -> Vec<u8> {
        if rng.chance(15) {
            return "[".repeat(50 + rng.below(5_000)).into_bytes();
        }
        serde_json::to_vec(&records(rng)).expect("JSON")
    }

    #[test]
    fn random_import_files_never_make_import_panic_and_a_refused_import_writes_nothing() {
        let log = Log::new();
        // Valid files to mangle: the log's own exports.
        let id = log.open(&["--tag", "web"]);
        log.run(["note", &id, "Called back."]).ok();
        log.run(["resolve", &id, "--summary", "Refunded.", "--agreed"])
            .ok();
        log.open(&[]);
        let exports: Vec<(&str, String)> = ["csv", "json", "yaml"]
            .into_iter()
            .map(|f| (f, log.run(["export", "--format", f]).ok()))
            .collect();
        let outside = tempfile::tempdir().unwrap();
        let (mut imported, mut refused) = (0, 0);
        for round in 0..3 * ROUNDS {
            let mut rng = Rng(1_000 + round);
            let (extension, mut bytes) = match rng.below(6) {
                0 | 1 => ("csv", csv(&mut rng)),
                2 => ("json", json_file(&mut rng)),
                3 => ("yaml", yaml(&mut rng)),
                4 => (
                    rng.pick(&["csv", "json", "yaml", "yml", "txt"]),
                    random_bytes(&mut rng, 200),
                ),
                _ => {
                    let (extension, text) = &exports[rng.below(exports.len())];
                    (*extension, text.clone().into_bytes())
                }
            };
            if rng.chance(3) {
                for _ in 0..1 + rng.below(3) {
                    mangle(&mut bytes, random_mangling(&mut rng));
                }
            }
            let file = outside.path().join(format!("round-{round}.{extension}"));
            std::fs::write(&file, &bytes).unwrap();
            let shown = file.display().to_string();
            let what = format!(
                "round {round}: import of\n{}\n",
                String::from_utf8_lossy(&bytes)
            );

            let before = log.files();
            let out = log.run([Path::new("import"), &file]).output();
            if orderly(&what, &out, &[0, 2]) == 2 {
                refused += 1;
                let stderr = String::from_utf8_lossy(&out.stderr);
                // Each bad row is one line; all name the file.
                for line in stderr.lines() {
                    assert!(line.contains(&shown), "{what}does not name {shown}: {line}");
                }
                assert_eq!(log.files(), before, "{what}a refused import wrote");
            } else {
                imported += 1;
                // What import writes reads back, and passes `check`.
                for id in String::from_utf8_lossy(&out.stdout).lines() {
                    log.run(["show", "--", id]).ok();
                }
                let check = log.run(["check"]).output();
                assert_eq!(
                    check.status.code(),
                    Some(0),
                    "{what}{}",
                    String::from_utf8_lossy(&check.stdout)
                );
            }
        }
        println!("{imported} random files imported, {refused} refused");
        assert!(
            imported >= 4 && refused >= 4,
            "imported {imported}, refused {refused}"
        );
    }
}

mod found {
    //! What fuzzing found, pinned one by one.

    use super::*;
    use crate::harness::Log;

    /// The times the generators above leave out until this is fixed.
    const BEFORE_YEAR_ZERO: &str = "0000-01-01T00:00:00+01:00";

    #[test]
    fn a_time_before_the_year_zero_in_utc_is_refused_or_written_readably() {
        // Imported.
        let log = Log::new();
        let outside = tempfile::tempdir().unwrap();
        let file = outside.path().join("help-desk.csv");
        std::fs::write(
            &file,
            format!("title,customer,opened_at,summary\nParcel lost,Ben,{BEFORE_YEAR_ZERO},It never came.\n"),
        )
        .unwrap();
        let before = log.files();
        let out = log.run([std::path::Path::new("import"), &file]).output();
        if out.status.code() == Some(2) {
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(stderr.contains(&file.display().to_string()), "{stderr}");
            assert_eq!(log.files(), before, "a refused import wrote");
        } else {
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            for id in String::from_utf8_lossy(&out.stdout).lines() {
                log.run(["show", "--", id]).ok();
            }
            log.run(["check"]).ok();
        }

        // Opened with the clock set to it.
        let log = Log::new();
        let out = log
            .run(["open", "--title", "T", "--customer", "C", "--summary", "S"])
            .at(BEFORE_YEAR_ZERO)
            .output();
        if out.status.success() {
            log.run(["check"]).ok();
        } else {
            assert_eq!(
                out.status.code(),
                Some(2),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
        }

        // Written by hand in a case file.
        let log = Log::new();
        let path = log.case_path(ID);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let text = render(&history(&[])).replace("2026-11-20T09:00:00Z", BEFORE_YEAR_ZERO);
        std::fs::write(&path, &text).unwrap();
        let show = log.run(["show", ID]).output();
        if show.status.success() {
            log.run(["fmt"]).ok();
            log.run(["show", ID, "--format", "toml"]).ok();
            log.case_json(ID);
        } else {
            let stderr = String::from_utf8_lossy(&show.stderr);
            assert!(
                stderr.starts_with(&format!("caselog: {SHOWN}:")),
                "{stderr}"
            );
        }
    }

    /// The forged line `check` prints for a case file holding a line break
    /// where `check` quotes it: CI reads check's output line by line.
    #[test]
    fn check_prints_each_problem_on_one_line() {
        let log = Log::new();
        let id = log.open(&[]);
        log.run(["assign", &id, "bob"]).ok();
        let path = log.case_path(&id);
        let text = std::fs::read_to_string(&path).unwrap().replace(
            "to = \"bob\"",
            "to = \"bob\\ncases/2026/11/20261101-forge.toml:1: forged\"",
        );
        std::fs::write(&path, text).unwrap();
        let out = log.run(["check"]).output();
        assert_eq!(out.status.code(), Some(1));
        let shown = path.strip_prefix(log.path()).unwrap().display().to_string();
        let stdout = String::from_utf8_lossy(&out.stdout);
        for line in stdout.lines() {
            assert!(line.starts_with(&format!("{shown}:")), "{stdout}");
        }
    }
}
