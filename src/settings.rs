//! `caselog.toml`: the settings of one case log, with their defaults.
//!
//! Every setting is optional, so a log without the file works. Unknown keys
//! are refused with file and line, so a misspelt setting is never silently
//! ignored.

use std::path::Path;

use anyhow::{Context, Result};
use serde::{Deserialize, Deserializer};

use crate::case_file::line_of;
use crate::clock::Span;
use crate::error::InputError;
use crate::store::SETTINGS_FILE;

/// The settings of a case log.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// When not empty, the only categories `open` accepts.
    #[serde(default)]
    pub categories: Vec<String>,
    /// How long after a resolution the follow-up is due.
    #[serde(default = "default_follow_up_after", deserialize_with = "span")]
    pub follow_up_after: Span,
}

fn default_follow_up_after() -> Span {
    Span::from_duration(chrono::Duration::hours(48))
}

fn span<'de, D: Deserializer<'de>>(d: D) -> Result<Span, D::Error> {
    let text = String::deserialize(d)?;
    text.parse().map_err(serde::de::Error::custom)
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            categories: Vec::new(),
            follow_up_after: default_follow_up_after(),
        }
    }
}

impl Settings {
    /// Reads `caselog.toml` from the log's root; defaults when there is none.
    pub fn load(root: &Path, shown: &str) -> Result<Settings> {
        let path = root.join(SETTINGS_FILE);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Settings::default()),
            Err(e) => return Err(e).with_context(|| format!("reading {shown}")),
        };
        Settings::parse(&text, shown).map_err(Into::into)
    }

    pub fn parse(text: &str, shown: &str) -> Result<Settings, InputError> {
        toml::from_str(text).map_err(|e| InputError::InvalidFile {
            path: shown.to_string(),
            line: e.span().map_or(1, |s| line_of(text, s.start)),
            message: e.message().trim().replace('\n', "; "),
        })
    }

    /// Refuses a category the settings do not list, naming the ones they do.
    pub fn check_category(&self, category: &str) -> Result<(), InputError> {
        if self.categories.is_empty() || self.categories.iter().any(|c| c == category) {
            return Ok(());
        }
        Err(InputError::Invalid(format!(
            "unknown category '{}' (caselog.toml lists: {})",
            category.escape_debug(),
            self.categories.join(", ")
        )))
    }
}

/// What `caselog init` writes: every setting, documented, at its default.
pub const TEMPLATE: &str = r#"# Settings of this case log, read by caselog.
# Every setting is optional: a commented-out line shows the default.

# The categories complaints are filed under. When this list is not empty,
# `caselog open --category` accepts only these, so reports group cleanly.
# categories = ["billing", "delivery", "product", "service", "website"]

# How long after a resolution the follow-up with the customer is due.
# Good practice is to ask within 48 hours whether the customer is satisfied.
# Durations are written 90m, 48h, 2d, 1w, or combined, such as 1d12h.
# follow_up_after = "48h"
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_template_parses_to_the_defaults() {
        let settings = Settings::parse(TEMPLATE, "caselog.toml").unwrap();
        assert!(settings.categories.is_empty());
        assert_eq!(settings.follow_up_after.duration().num_hours(), 48);
    }

    #[test]
    fn unknown_settings_name_their_line() {
        let err =
            Settings::parse("categories = []\nfollowup = \"2d\"\n", "caselog.toml").unwrap_err();
        assert!(
            err.to_string()
                .starts_with("caselog.toml:2: unknown field `followup`"),
            "{err}"
        );
    }

    #[test]
    fn bad_durations_are_refused() {
        let err = Settings::parse("follow_up_after = \"soon\"\n", "caselog.toml").unwrap_err();
        assert!(
            err.to_string().contains("'soon' is not a duration"),
            "{err}"
        );
    }
}
