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
