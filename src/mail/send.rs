//! The hand-off to the mail system, the Unix way: the message on the
//! standard input of `sendmail -t -i` (or whatever `[mail] sendmail` in
//! `caselog.toml` says), which reads the recipients from its headers.
//!
//! The command is split into words as a shell would (quotes, backslashes)
//! but run without one: no pipes, no variables, no globbing. It comes
//! from `caselog.toml`, which is committed, so a change to it deserves
//! the review a script gets.

use std::io::Write;
use std::process::{Command, Stdio};

use anyhow::{Context, Result, bail};

use super::{at_most, one_line};
use crate::error::InputError;

/// The command's words, or why they cannot be run.
pub fn words(command: &str) -> Result<Vec<String>, InputError> {
    let words = shell_words::split(command).map_err(|e| {
        InputError::Invalid(format!(
            "[mail] sendmail = '{}' in caselog.toml does not split into words: {e}",
            one_line(command)
        ))
    })?;
    if words.is_empty() {
        return Err(InputError::Invalid(
            "[mail] sendmail in caselog.toml is empty".into(),
        ));
    }
    Ok(words)
}

/// Runs `command` with `message` on its standard input; succeeds only when
/// it exits 0. What it said on its standard error is in the error.
pub fn hand_off(command: &str, message: &[u8]) -> Result<()> {
    let words = words(command)?;
    let mut child = Command::new(&words[0])
        .args(&words[1..])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .with_context(|| {
            format!(
                "starting '{}' ([mail] sendmail in caselog.toml)",
                one_line(command)
            )
        })?;
    let mut stdin = child
        .stdin
        .take()
        .context("the mail command's standard input")?;
    // Written from a thread: a command that talks before it reads could
    // otherwise fill its pipe and wait for us while we wait for it.
    let bytes = message.to_vec();
    let writer = std::thread::spawn(move || stdin.write_all(&bytes));
    let output = child
        .wait_with_output()
        .with_context(|| format!("waiting for '{}'", one_line(command)))?;
    if !output.status.success() {
        let said = at_most(&one_line(&String::from_utf8_lossy(&output.stderr)), 300);
        bail!(
            "'{}' failed ({}){}",
            one_line(command),
            output.status,
            if said.is_empty() {
                String::new()
            } else {
                format!(": {said}")
            }
        );
    }
    // A command that exits 0 without reading its input took nothing.
    let written = writer
        .join()
        .unwrap_or_else(|_| Err(std::io::Error::other("the writing thread failed")));
    written.with_context(|| format!("handing the message to '{}'", one_line(command)))?;
    Ok(())
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn the_command_is_split_like_a_shell_but_run_without_one() {
        assert_eq!(words("sendmail -t -i").unwrap(), ["sendmail", "-t", "-i"]);
        assert_eq!(
            words("'/opt/my mail/send' -f 'support@x'").unwrap(),
            ["/opt/my mail/send", "-f", "support@x"]
        );
        assert!(words("").is_err());
        assert!(words("sendmail 'unclosed").is_err());
    }

    #[test]
    fn the_message_reaches_the_command_and_a_failure_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        let command = format!("sh -c 'cat > \"$0\"' {}", out.display());
        hand_off(&command, b"Subject: x\r\n\r\nbody\r\n").unwrap();
        assert_eq!(std::fs::read(&out).unwrap(), b"Subject: x\r\n\r\nbody\r\n");
        let err = hand_off("sh -c 'echo refused >&2; exit 75'", b"x").unwrap_err();
        assert!(err.to_string().contains("refused"), "{err}");
        assert!(hand_off("/nonexistent/sendmail", b"x").is_err());
        // No shell runs the setting: `;` is an argument, not a new command.
        let marker = dir.path().join("marker");
        let _ = hand_off(&format!("true ; touch {}", marker.display()), b"x");
        assert!(!marker.exists());
    }
}
