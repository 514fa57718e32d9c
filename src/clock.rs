//! Time as caselog sees it: the current instant, user-written times and
//! durations, and how they are shown.
//!
//! The current instant comes from `CASELOG_NOW` when set, so tests and
//! back-dated entries are reproducible. Everything is UTC to the second:
//! files store UTC, and sub-second noise would only make diffs louder.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, SubsecRound, Utc};

use crate::error::InputError;

/// The environment variable that pins the clock.
pub const NOW_VARIABLE: &str = "CASELOG_NOW";

/// The current instant: `CASELOG_NOW` (RFC 3339) when set, else the system clock.
pub fn now() -> Result<DateTime<Utc>, InputError> {
    match std::env::var(NOW_VARIABLE) {
        Ok(text) => parse_rfc3339(&text).map_err(|_| {
            InputError::Invalid(format!(
                "{NOW_VARIABLE}='{text}' is not an RFC 3339 time such as 2026-11-22T09:30:00Z"
            ))
        }),
        Err(_) => Ok(Utc::now().trunc_subsecs(0)),
    }
}

fn parse_rfc3339(text: &str) -> Result<DateTime<Utc>, chrono::ParseError> {
    DateTime::parse_from_rfc3339(text.trim()).map(|t| t.with_timezone(&Utc).trunc_subsecs(0))
}

/// Parses a time the user typed: RFC 3339, `YYYY-MM-DD HH:MM` (UTC) or
/// `YYYY-MM-DD` (midnight UTC).
pub fn parse_time(text: &str) -> Result<DateTime<Utc>, InputError> {
    let text = text.trim();
    if let Ok(t) = parse_rfc3339(text) {
        return Ok(t);
    }
    for layout in ["%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S"] {
        if let Ok(t) = NaiveDateTime::parse_from_str(text, layout) {
            return Ok(t.and_utc());
        }
    }
    if let Ok(d) = NaiveDate::parse_from_str(text, "%Y-%m-%d")
        && let Some(t) = d.and_hms_opt(0, 0, 0)
    {
        return Ok(t.and_utc());
    }
    Err(InputError::Invalid(format!(
        "'{text}' is not a time: use RFC 3339 (2026-11-24T09:00:00Z), '2026-11-24 09:00' (UTC) or 2026-11-24"
    )))
}

/// A length of time written the way people write it: `90m`, `48h`, `2d`,
/// `1w`, or several parts such as `1d12h`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span(Duration);

impl Span {
    pub fn from_duration(d: Duration) -> Span {
        Span(d)
    }

    pub fn duration(self) -> Duration {
        self.0
    }
}

impl FromStr for Span {
    type Err = InputError;

    fn from_str(text: &str) -> Result<Span, InputError> {
        let bad = || {
            InputError::Invalid(format!(
                "'{text}' is not a duration: write a number and a unit (m, h, d, w), e.g. 90m, 48h, 2d, 1w or 1d12h"
            ))
        };
        let trimmed = text.trim();
        if trimmed.is_empty() {
            return Err(bad());
        }
        let mut total = Duration::zero();
        let mut digits = String::new();
        for c in trimmed.chars() {
            if c.is_ascii_digit() {
                digits.push(c);
                continue;
            }
            let amount: i64 = digits.parse().map_err(|_| bad())?;
            digits.clear();
            let part = match c {
                's' => Duration::try_seconds(amount),
                'm' => Duration::try_minutes(amount),
                'h' => Duration::try_hours(amount),
                'd' => Duration::try_days(amount),
                'w' => Duration::try_weeks(amount),
                _ => None,
            };
            total = part.and_then(|p| total.checked_add(&p)).ok_or_else(bad)?;
        }
        if !digits.is_empty() {
            return Err(bad());
        }
        Ok(Span(total))
    }
}

impl fmt::Display for Span {
    /// The shortest exact spelling, so settings round-trip (`48h` stays `2d`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut seconds = self.0.num_seconds();
        if seconds == 0 {
            return f.write_str("0m");
        }
        if seconds < 0 {
            f.write_str("-")?;
            seconds = -seconds;
        }
        for (unit, size) in [
            ("w", 604_800),
            ("d", 86_400),
            ("h", 3_600),
            ("m", 60),
            ("s", 1),
        ] {
            if seconds >= size {
                write!(f, "{}{unit}", seconds / size)?;
                seconds %= size;
            }
        }
        Ok(())
    }
}

/// A time for people: `2026-11-22 09:30 UTC`.
pub fn format_time(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// A rough length for people, two largest units: `1d 3h`, `45m`, `now`.
pub fn format_length(d: Duration) -> String {
    let mut seconds = d.num_seconds().abs();
    if seconds < 60 {
        return "under a minute".to_string();
    }
    let mut parts = Vec::new();
    for (unit, size) in [("w", 604_800), ("d", 86_400), ("h", 3_600), ("m", 60)] {
        if seconds >= size && parts.len() < 2 {
            parts.push(format!("{}{unit}", seconds / size));
            seconds %= size;
        } else if !parts.is_empty() {
            break;
        }
    }
    parts.join(" ")
}

/// `in 1d 3h` or `2h ago`, relative to `now`.
pub fn format_relative(t: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let d = t - now;
    if d >= Duration::zero() {
        format!("in {}", format_length(d))
    } else {
        format!("{} ago", format_length(d))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_parse_each_unit_and_combinations() {
        let cases = [
            ("90m", 90 * 60),
            ("48h", 48 * 3600),
            ("2d", 2 * 86400),
            ("1w", 604_800),
            ("1d12h", 36 * 3600),
            ("30s", 30),
        ];
        for (text, seconds) in cases {
            assert_eq!(
                text.parse::<Span>().unwrap().duration().num_seconds(),
                seconds,
                "{text}"
            );
        }
    }

    #[test]
    fn spans_refuse_missing_units_and_unknown_units() {
        for text in ["", "48", "h", "2x", "1.5h", "-2d", "99999999999999999w"] {
            assert!(text.parse::<Span>().is_err(), "{text} should be refused");
        }
    }

    #[test]
    fn spans_display_shortest_exact_form() {
        assert_eq!("48h".parse::<Span>().unwrap().to_string(), "2d");
        assert_eq!("90m".parse::<Span>().unwrap().to_string(), "1h30m");
    }

    #[test]
    fn times_accept_rfc3339_dates_and_minutes() {
        let expected = "2026-11-24T09:00:00Z".parse::<DateTime<Utc>>().unwrap();
        assert_eq!(parse_time("2026-11-24T10:00:00+01:00").unwrap(), expected);
        assert_eq!(parse_time("2026-11-24 09:00").unwrap(), expected);
        assert_eq!(
            parse_time("2026-11-24").unwrap(),
            expected - Duration::hours(9)
        );
        assert!(parse_time("next tuesday").is_err());
    }

    #[test]
    fn lengths_show_two_largest_units() {
        assert_eq!(format_length(Duration::seconds(27 * 3600 + 120)), "1d 3h");
        assert_eq!(format_length(Duration::minutes(45)), "45m");
        assert_eq!(format_length(Duration::seconds(5)), "under a minute");
    }
}
