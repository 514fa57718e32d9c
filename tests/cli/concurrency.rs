//! Concurrent commands on one case never lose an update.

use std::thread;

use crate::harness::Log;

#[test]
fn two_processes_annotating_one_case_lose_no_event() {
    let log = Log::new();
    let id = log.open(&[]);
    const EACH: usize = 100;
    thread::scope(|scope| {
        for writer in ["ana", "ben"] {
            let (log, id) = (&log, &id);
            scope.spawn(move || {
                for n in 0..EACH {
                    log.run(["note", id, &format!("{writer} {n}")])
                        .by(writer)
                        .ok();
                }
            });
        }
    });
    let case = log.case_json(&id);
    let events = case["events"].as_array().unwrap();
    assert_eq!(events.len(), 1 + 2 * EACH);
    for writer in ["ana", "ben"] {
        let texts: Vec<_> = events
            .iter()
            .filter(|e| e["by"] == writer)
            .map(|e| e["text"].as_str().unwrap().to_string())
            .collect();
        let expected: Vec<_> = (0..EACH).map(|n| format!("{writer} {n}")).collect();
        assert_eq!(texts, expected, "{writer}'s notes, each once, in order");
    }
    let leftovers: Vec<_> = std::fs::read_dir(log.case_path(&id).parent().unwrap())
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left behind");
}

/// `check --clean` removes temporary files while it holds the log's lock;
/// an `open` writing its new case at that moment must hold the lock too,
/// or its file is taken away before it lands and the open fails.
#[test]
fn check_clean_never_takes_away_the_file_an_open_is_writing() {
    use std::sync::atomic::{AtomicBool, Ordering};

    let log = Log::new();
    const OPENS: usize = 60;
    let done = AtomicBool::new(false);
    let outputs: Vec<std::process::Output> = thread::scope(|scope| {
        let (log, done) = (&log, &done);
        scope.spawn(move || {
            while !done.load(Ordering::Relaxed) {
                log.run(["check", "--clean"]).output();
            }
        });
        let outputs = (0..OPENS)
            .map(|n| {
                let title = format!("Parcel {n} lost");
                log.run([
                    "open",
                    "--quiet",
                    "--title",
                    &title,
                    "--customer",
                    "Ben",
                    "--summary",
                    "It never came.",
                ])
                .output()
            })
            .collect();
        // Before any assertion, so a failing one cannot leave the
        // cleaner running for ever.
        done.store(true, Ordering::Relaxed);
        outputs
    });
    for (n, out) in outputs.iter().enumerate() {
        assert!(
            out.status.success(),
            "open {n}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let id = String::from_utf8_lossy(&out.stdout).trim().to_string();
        assert!(log.case_path(&id).is_file(), "{id} is missing");
    }
}

/// The secret behind pseudonyms is made by the first command that needs
/// it. Made in place, a second command starting at the same moment read
/// it empty and refused it as too short (telling the person to delete
/// it, which would change every pseudonym); it is now written whole
/// before it has its name, so every command reads the same secret.
#[test]
fn commands_making_the_secret_at_once_all_read_the_same_whole_secret() {
    let log = Log::new();
    log.open(&["--reference", "SOFA-2231"]);
    let secret = log.path().join(".caselog/secret");
    for round in 0..40 {
        let _ = std::fs::remove_file(&secret);
        let outputs: Vec<std::process::Output> = thread::scope(|scope| {
            let runs: Vec<_> = (0..16)
                .map(|_| {
                    scope.spawn(|| {
                        log.run(["export", "--pseudonymise", "--format", "json"])
                            .output()
                    })
                })
                .collect();
            runs.into_iter().map(|r| r.join().unwrap()).collect()
        });
        for out in &outputs {
            assert!(
                out.status.success(),
                "round {round}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            assert_eq!(out.stdout, outputs[0].stdout, "round {round}");
        }
        let text = std::fs::read_to_string(&secret).unwrap();
        assert_eq!(text.trim().len(), 64, "round {round}: {text:?}");
    }
}
