//! Who is acting: `--by`, else `CASELOG_USER`, else git's `user.email`.

use std::path::Path;
use std::process::Command;

use crate::error::InputError;
use crate::lifecycle::one_line;

/// The environment variable naming the acting person.
pub const USER_VARIABLE: &str = "CASELOG_USER";

/// The person recorded as `by` on the events a command adds.
pub fn acting_person(by: Option<&str>, log_root: &Path) -> Result<String, InputError> {
    let person = match by {
        Some(by) => by.to_string(),
        None => match std::env::var(USER_VARIABLE) {
            Ok(user) if !user.trim().is_empty() => user,
            _ => git_email(log_root).ok_or_else(|| {
                InputError::Invalid(format!(
                    "who is acting? pass --by PERSON, set {USER_VARIABLE}, or set git's user.email"
                ))
            })?,
        },
    };
    one_line("the person (--by)", &person)?;
    Ok(person.trim().to_string())
}

fn git_email(dir: &Path) -> Option<String> {
    let output = Command::new("git")
        .args(["config", "--get", "user.email"])
        .current_dir(dir)
        .output()
        .ok()?;
    let email = String::from_utf8(output.stdout).ok()?;
    let email = email.trim();
    (output.status.success() && !email.is_empty()).then(|| email.to_string())
}
