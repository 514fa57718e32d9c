//! Naming cases: full ids, unique prefixes and suffixes, archives.

use crate::harness::Log;

#[test]
fn a_unique_prefix_or_suffix_names_a_case() {
    let log = Log::new();
    let id = log.open(&[]);
    let suffix = &id[9..];
    log.run(["note", suffix, "by suffix"]).ok();
    log.run(["note", &id[..11], "by prefix"]).ok();
    let events = log.case_json(&id)["events"].as_array().unwrap().len();
    assert_eq!(events, 3);
}

#[test]
fn an_ambiguous_id_lists_the_matches() {
    let log = Log::new();
    let first = log.open(&[]);
    let second = log.open(&[]);
    let stderr = log.run(["show", "20261120"]).fails(2);
    assert!(stderr.contains("'20261120' matches 2 cases"), "{stderr}");
    assert!(
        stderr.contains(&first) && stderr.contains(&second),
        "{stderr}"
    );
}

#[test]
fn a_case_archived_in_a_subfolder_is_still_found() {
    let log = Log::new();
    let id = log.open(&[]);
    let archive = log.path().join("cases/archive/2026");
    std::fs::create_dir_all(&archive).unwrap();
    let moved = archive.join(format!("{id}.toml"));
    std::fs::rename(log.case_path(&id), &moved).unwrap();
    log.run(["note", &id, "found in the archive"]).ok();
    log.run(["show", &id[9..]]).ok();
    assert!(
        std::fs::read_to_string(&moved)
            .unwrap()
            .contains("found in the archive")
    );
    assert!(
        !log.case_path(&id).exists(),
        "the case must stay where it was archived"
    );
}

#[test]
fn a_case_stored_twice_is_refused_rather_than_guessed() {
    let log = Log::new();
    let id = log.open(&[]);
    let copy = log.path().join("cases/old");
    std::fs::create_dir_all(&copy).unwrap();
    std::fs::copy(log.case_path(&id), copy.join(format!("{id}.toml"))).unwrap();
    let stderr = log.run(["show", &id[9..]]).fails(2);
    assert!(stderr.contains("is stored more than once"), "{stderr}");
}

#[test]
fn a_command_about_one_case_does_not_read_the_others() {
    let log = Log::new();
    let id = log.open(&[]);
    let broken = log.path().join("cases/2026/11/20261101-bbbbb.toml");
    std::fs::write(&broken, "this is [ not toml").unwrap();
    log.run(["note", &id, "still works"]).ok();
    log.run(["resolve", &id, "--summary", "done"]).ok();
    log.run(["show", &id]).ok();
}

#[test]
fn the_case_log_is_found_from_a_subfolder_or_by_dir() {
    let log = Log::new();
    let id = log.open(&[]);
    let deep = log.path().join("notes/deeper");
    std::fs::create_dir_all(&deep).unwrap();
    log.run(["show", &id]).current_dir(&deep).ok();
    let elsewhere = tempfile::tempdir().unwrap();
    log.run(["show", &id, "--dir", log.path().to_str().unwrap()])
        .current_dir(elsewhere.path())
        .ok();
    log.run(["show", &id])
        .env("CASELOG_DIR", log.path())
        .current_dir(elsewhere.path())
        .ok();
}

#[test]
fn the_acting_person_falls_back_to_git_user_email() {
    let log = Log::new();
    let id = log.open(&[]);
    let config = log.path().join("gitconfig");
    std::fs::write(&config, "[user]\n\temail = carla@example.com\n").unwrap();
    log.run(["note", &id, "hello"])
        .env_remove("CASELOG_USER")
        .env("GIT_CONFIG_GLOBAL", &config)
        .ok();
    log.run(["note", &id, "explicit"])
        .by("dan@example.com")
        .ok();
    let case = log.case_json(&id);
    assert_eq!(case["events"][1]["by"], "carla@example.com");
    assert_eq!(case["events"][2]["by"], "dan@example.com");
}
