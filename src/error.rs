//! Errors a caller must branch on, and the exit codes they map to.
//!
//! Most failures travel as `anyhow::Error` with context naming the case or
//! file. Refusals of the user's input are an [`InputError`] somewhere in that
//! chain, so `main` can tell "you asked for something wrong" (exit 2) from
//! "the machine failed" (exit 3) without parsing messages.

use std::path::PathBuf;

/// Exit code: the command did what was asked.
pub const EXIT_OK: u8 = 0;
/// Exit code: bad usage or input; nothing was written.
pub const EXIT_INPUT: u8 = 2;
/// Exit code: the system failed (I/O, permissions, a missing program).
pub const EXIT_SYSTEM: u8 = 3;

/// Something the user asked for is wrong; nothing was written.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    /// A plain refusal whose message says what is wrong.
    #[error("{0}")]
    Invalid(String),
    /// No case log was found where one was looked for.
    #[error(
        "no case log in {0} or any folder above it (looked for caselog.toml or cases/); run `caselog init` to make one"
    )]
    NoCaseLog(PathBuf),
    /// `--dir` names a folder that is not a case log.
    #[error("{0} is not a case log (no cases/ folder); run `caselog init {0}` to make one")]
    NotACaseLog(PathBuf),
    /// No case id, prefix or suffix matches.
    #[error("no case matches '{0}'")]
    UnknownCase(String),
    /// More than one case matches a partial id.
    #[error("'{query}' matches {count} cases: {listed}; give more of the id")]
    AmbiguousCase {
        query: String,
        count: usize,
        listed: String,
    },
    /// A case or settings file that cannot be read as what it should be.
    #[error("{path}:{line}: {message}")]
    InvalidFile {
        path: String,
        line: usize,
        message: String,
    },
}

impl InputError {
    /// A TOML file that does not read as what it should be (a case, the
    /// settings), as `path:line: message` on one line.
    pub fn from_toml(shown_path: &str, text: &str, err: &toml::de::Error) -> InputError {
        InputError::InvalidFile {
            path: shown_path.to_string(),
            line: err.span().map_or(1, |span| line_of(text, span.start)),
            message: crate::untrusted::line(&err.message().trim().replace('\n', "; ")).into_owned(),
        }
    }
}

/// The 1-based line holding byte `offset` of `text`.
pub fn line_of(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// Shorthand for refusing input with a formatted message.
#[macro_export]
macro_rules! refuse {
    ($($arg:tt)*) => {
        return Err($crate::error::InputError::Invalid(format!($($arg)*)).into())
    };
}

/// The exit code for an error, from the kinds found in its chain.
pub fn exit_code(err: &anyhow::Error) -> u8 {
    if err.chain().any(|cause| cause.is::<InputError>()) {
        EXIT_INPUT
    } else {
        EXIT_SYSTEM
    }
}

/// A closed pipe (`caselog list | head`) ends output early; it is not a failure.
pub fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
