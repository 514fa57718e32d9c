//! Purging redacted cases from git history: the working tree is not
//! enough, as every earlier version of a case file stays in every clone.
//!
//! The purge rewrites history with `git filter-repo`: every version of a
//! redacted case's file from before the redaction (in any folder: a case's
//! file is recognised by its `id` line, so archived copies count too) is
//! replaced by the redacted version. Versions written after the redaction
//! (they hold its `redacted` event) are kept as they are. Nothing else in
//! the repository changes, but every commit id does.

/// One redacted case to purge: its id, when it was redacted, and the git
/// blob holding its redacted file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Purge {
    pub id: String,
    /// The `redacted` event's time, RFC 3339 as the file writes it.
    pub redacted_at: String,
    pub blob: String,
}

/// The Python body of `git filter-repo --blob-callback` that replaces the
/// earlier versions of `cases`. It holds no single quote, so it can be
/// given in single quotes to a shell.
pub fn blob_callback(cases: &[Purge]) -> String {
    let mut out = String::from("import re, subprocess\nredacted = {\n");
    for case in cases {
        out.push_str(&format!(
            "    b\"{}\": (b\"{}\", \"{}\"),\n",
            case.id, case.redacted_at, case.blob
        ));
    }
    out.push_str(
        r#"}
for case_id, (at, blob_id) in redacted.items():
    if not re.search(rb"(?m)^\s*id\s*=\s*\"" + re.escape(case_id) + rb"\"", blob.data):
        continue
    since = any(
        re.search(rb"(?m)^\s*action\s*=\s*\"redacted\"", part)
        and re.search(rb"(?m)^\s*at\s*=\s*" + re.escape(at) + rb"\s*$", part)
        for part in blob.data.split(b"[[events]]")[1:]
    )
    if not since:
        blob.data = subprocess.check_output(["git", "cat-file", "blob", blob_id])
    break
"#,
    );
    out
}

/// The command that rewrites history, ready for a shell.
pub fn filter_repo_command(cases: &[Purge]) -> String {
    format!(
        "git filter-repo --force {} --blob-callback '\n{}'",
        KEEP_EVERY_COMMIT.join(" "),
        blob_callback(cases)
    )
}

/// What keeps every commit through the rewrite: by default filter-repo
/// drops a commit the rewrite leaves empty (a later change to a case whose
/// earlier versions become the redacted text, the redaction's own commit),
/// and `log` would then credit its changes to an earlier commit.
pub const KEEP_EVERY_COMMIT: [&str; 4] = ["--prune-empty", "never", "--prune-degenerate", "never"];

/// What to run after the rewrite: put the remote back (filter-repo drops
/// `origin`, so the old history is not pushed back by mistake) and
/// force-push every branch and tag.
pub fn push_commands(remote_url: Option<&str>) -> Vec<String> {
    let mut out = Vec::new();
    let remote = match remote_url {
        Some(url) => {
            out.push(format!("git remote add origin {}", shell_word(url)));
            "origin"
        }
        None => "REMOTE",
    };
    out.push(format!("git push --force --all {remote}"));
    out.push(format!("git push --force --tags {remote}"));
    out
}

/// `word` quoted for a POSIX shell when it needs quoting.
pub fn shell_word(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:@=+,%".contains(c));
    if plain {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', "'\\''"))
    }
}

/// The commit that records the redaction, for the paths of the files.
pub fn commit_commands(paths: &[String], message: &str) -> Vec<String> {
    let paths: Vec<String> = paths.iter().map(|p| shell_word(p)).collect();
    vec![
        format!("git add -- {}", paths.join(" ")),
        format!(
            "git commit -m {} -- {}",
            shell_word(message),
            paths.join(" ")
        ),
    ]
}

/// A shell script that commits the redaction and purges the earlier
/// versions from history, then says how to publish the rewrite.
pub fn script(
    cases: &[Purge],
    paths: &[String],
    message: &str,
    remote_url: Option<&str>,
) -> String {
    let mut out = String::from(
        "#!/bin/sh\n\
         # Written by `caselog redact`: purges the personal data it erased from git\n\
         # history. Run it in the case log's repository, with no other uncommitted\n\
         # changes. It needs git filter-repo (pip install git-filter-repo).\n\
         # Every commit id changes: afterwards force-push, and everyone deletes\n\
         # their clone and clones again (a pull would bring the old history back).\n\
         set -eu\n\
         cd \"$(git rev-parse --show-toplevel)\"\n\n\
         # 1. Commit the redaction.\n",
    );
    for line in commit_commands(paths, message) {
        out.push_str(&format!("{line} || true\n"));
    }
    out.push_str(
        "if ! git diff --quiet HEAD --; then\n  \
         echo 'uncommitted changes: commit or stash them first' >&2\n  \
         exit 1\n\
         fi\n\n\
         # 2. Replace every earlier version of the redacted cases.\n",
    );
    out.push_str(&filter_repo_command(cases));
    out.push_str("\n\n# 3. Publish the new history.\n");
    for line in push_commands(remote_url) {
        out.push_str(&line);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_callback_can_be_single_quoted_and_names_each_case() {
        let purge = [Purge {
            id: "20261120-h39ys".into(),
            redacted_at: "2026-11-23T10:00:00Z".into(),
            blob: "0123456789abcdef0123456789abcdef01234567".into(),
        }];
        let callback = blob_callback(&purge);
        assert!(!callback.contains('\''));
        assert!(callback.contains(
            "b\"20261120-h39ys\": (b\"2026-11-23T10:00:00Z\", \"0123456789abcdef0123456789abcdef01234567\"),"
        ));
    }

    #[test]
    fn shell_words_are_quoted_only_when_they_must_be() {
        assert_eq!(shell_word("cases/2026/11/a.toml"), "cases/2026/11/a.toml");
        assert_eq!(shell_word("it's"), "'it'\\''s'");
        assert_eq!(shell_word("two words"), "'two words'");
        assert_eq!(
            push_commands(Some("git@example.com:support/log.git")),
            [
                "git remote add origin git@example.com:support/log.git",
                "git push --force --all origin",
                "git push --force --tags origin"
            ]
        );
    }
}
