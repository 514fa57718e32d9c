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
/// it exits 0 having read the whole message. What it said on its standard
/// error is in the error.
pub fn hand_off(command: &str, message: &[u8]) -> Result<()> {
    let words = words(command)?;
    let shown = one_line(command);
    // The message goes through a pipe whose reading end we keep as well:
    // once the command is done, what it left unread comes to us. Without
    // it, a command that exits 0 without reading (`true`) would go
    // unnoticed for a message the pipe's buffer holds, and a longer one
    // would end in a broken pipe, which reads as a closed `| head`.
    let (reader, mut writer) = std::io::pipe().context("making a pipe for the mail command")?;
    let mut unread = reader
        .try_clone()
        .context("making a pipe for the mail command")?;
    let child = Command::new(&words[0])
        .args(&words[1..])
        .stdin(Stdio::from(reader))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .with_context(|| format!("starting '{shown}' ([mail] sendmail in caselog.toml)"))?;
    // Written from a thread: a command that talks before it reads could
    // otherwise fill its pipe and wait for us while we wait for it.
    let bytes = message.to_vec();
    let writing = std::thread::spawn(move || writer.write_all(&bytes));
    let output = child
        .wait_with_output()
        .with_context(|| format!("waiting for '{shown}'"))?;
    // The command is gone: whatever is still in the pipe, it did not take.
    // Reading it to the end also lets a blocked writer finish.
    let left = std::io::copy(&mut unread, &mut std::io::sink()).unwrap_or(0);
    let written = writing
        .join()
        .unwrap_or_else(|_| Err(std::io::Error::other("the writing thread failed")));
    if !output.status.success() {
        let said = at_most(&one_line(&String::from_utf8_lossy(&output.stderr)), 300);
        bail!(
            "'{shown}' failed ({}){}",
            output.status,
            if said.is_empty() {
                String::new()
            } else {
                format!(": {said}")
            }
        );
    }
    if let Err(e) = written {
        // Said in words: an I/O error kept as the cause could read as a
        // broken standard output, which is not an error.
        bail!("handing the message to '{shown}' failed: {e}");
    }
    if left > 0 {
        bail!(
            "'{shown}' exited without reading the whole message ({} of {} bytes taken), so it cannot have sent it",
            message.len() as u64 - left.min(message.len() as u64),
            message.len()
        );
    }
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
        // A command that exits 0 without reading the message did not send
        // it, whether the pipe could hold it or not.
        for size in [10, 200_000] {
            let err = hand_off("true", &vec![b'x'; size]).unwrap_err().to_string();
            assert!(
                err.contains("exited without reading the whole message (0 of"),
                "{err}"
            );
        }
        // One that reads a part and stops took a part.
        let err = hand_off("head -c 5", &vec![b'x'; 1_000_000])
            .unwrap_err()
            .to_string();
        assert!(err.contains("of 1000000 bytes taken)"), "{err}");
        let marker = dir.path().join("marker");
        let _ = hand_off(&format!("true ; touch {}", marker.display()), b"x");
        assert!(!marker.exists());
    }
}
