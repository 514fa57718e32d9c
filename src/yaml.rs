//! YAML, in one place.
//!
//! serde_yaml is no longer maintained upstream. Every YAML read and write
//! goes through here, so moving to a maintained fork is a one-line change
//! (the `backend` alias below, or a `package =` rename in Cargo.toml).

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_yaml as backend;

/// Writes `value` as a YAML document.
pub fn to_string<T: Serialize>(value: &T) -> anyhow::Result<String> {
    Ok(backend::to_string(value)?)
}

/// A YAML parse error, with the 1-based line where the parser stopped.
#[derive(Debug)]
pub struct YamlError {
    pub line: Option<usize>,
    pub message: String,
}

/// Reads `text` as a YAML document.
pub fn from_str<T: DeserializeOwned>(text: &str) -> Result<T, YamlError> {
    backend::from_str(text).map_err(|e| YamlError {
        line: e.location().map(|l| l.line()),
        message: e.to_string().replace('\n', "; "),
    })
}
