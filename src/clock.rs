//! Time as caselog sees it: the current instant, user-written times and
//! durations, and how they are shown.
//!
//! The current instant comes from `CASELOG_NOW` when set, so tests and
//! back-dated entries are reproducible. Everything is UTC to the second:
//! files store UTC, and sub-second noise would only make diffs louder.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, SubsecRound, Utc, Weekday};

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
///
/// Weeks, days and hours are kept apart: with working days set, `2d` means
/// two working days and `1w` one working week, while `48h` is always 48 hours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    weeks: i64,
    days: i64,
    clock: Duration,
}

impl Span {
    pub fn hours(hours: i64) -> Span {
        Span {
            weeks: 0,
            days: 0,
            clock: Duration::hours(hours),
        }
    }

    pub fn days(days: i64) -> Span {
        Span {
            weeks: 0,
            days,
            clock: Duration::zero(),
        }
    }

    /// The span in calendar time.
    pub fn duration(self) -> Duration {
        Duration::days(self.weeks * 7 + self.days) + self.clock
    }

    /// The instant this span after `start`, counting only working days
    /// for the day part.
    pub fn after(self, start: DateTime<Utc>, calendar: &WorkingDays) -> DateTime<Utc> {
        calendar.add_days(start, self.weeks * calendar.days_a_week() + self.days) + self.clock
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
        // Bounded so day-by-day working-day arithmetic stays quick.
        const MAX_DAYS: i64 = 100 * 366;
        let mut span = Span {
            weeks: 0,
            days: 0,
            clock: Duration::zero(),
        };
        let mut digits = String::new();
        for c in trimmed.chars() {
            if c.is_ascii_digit() {
                digits.push(c);
                continue;
            }
            let amount: i64 = digits.parse().map_err(|_| bad())?;
            digits.clear();
            if amount > MAX_DAYS * 24 * 60 * 60 {
                return Err(bad());
            }
            match c {
                's' => span.clock += Duration::seconds(amount),
                'm' => span.clock += Duration::minutes(amount),
                'h' => span.clock += Duration::hours(amount),
                'd' => span.days += amount,
                'w' => span.weeks += amount,
                _ => return Err(bad()),
            }
        }
        if !digits.is_empty()
            || span.weeks * 7 + span.days > MAX_DAYS
            || span.clock > Duration::days(MAX_DAYS)
        {
            return Err(bad());
        }
        Ok(span)
    }
}

impl<'de> serde::Deserialize<'de> for Span {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Span, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

impl fmt::Display for Span {
    /// The shortest exact spelling that keeps days apart from hours.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.weeks == 0 && self.days == 0 && self.clock.is_zero() {
            return f.write_str("0m");
        }
        if self.weeks > 0 {
            write!(f, "{}w", self.weeks)?;
        }
        if self.days > 0 {
            write!(f, "{}d", self.days)?;
        }
        let mut seconds = self.clock.num_seconds();
        for (unit, size) in [("h", 3_600), ("m", 60), ("s", 1)] {
            if seconds >= size {
                write!(f, "{}{unit}", seconds / size)?;
                seconds %= size;
            }
        }
        Ok(())
    }
}

/// The days on which day-based deadlines count; every day when unset.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WorkingDays(Option<Vec<Weekday>>);

impl WorkingDays {
    pub fn only(days: Vec<Weekday>) -> WorkingDays {
        WorkingDays(Some(days))
    }

    /// How many days count in a week: 7, or the number of working days.
    pub fn days_a_week(&self) -> i64 {
        match &self.0 {
            Some(days) if !days.is_empty() => days.len() as i64,
            _ => 7,
        }
    }

    pub fn is_working(&self, day: Weekday) -> bool {
        self.0.as_ref().is_none_or(|days| days.contains(&day))
    }

    /// `start` moved forward `days` working days, keeping the time of day
    /// (days are UTC days). Starting on a day off counts from the next
    /// working day, as a Saturday complaint is answered from Monday.
    pub fn add_days(&self, start: DateTime<Utc>, days: i64) -> DateTime<Utc> {
        let Some(working) = &self.0 else {
            return start + Duration::days(days);
        };
        if working.is_empty() {
            return start + Duration::days(days);
        }
        let mut at = start;
        let mut left = days;
        while left > 0 {
            at += Duration::days(1);
            if working.contains(&at.weekday()) {
                left -= 1;
            }
        }
        at
    }
}

/// Parses `mon`…`sun` (or full English names).
pub fn parse_weekday(text: &str) -> Result<Weekday, InputError> {
    text.trim().parse::<Weekday>().map_err(|_| {
        InputError::Invalid(format!(
            "'{text}' is not a day of the week (mon, tue, wed, thu, fri, sat, sun)"
        ))
    })
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
    if d.num_seconds().abs() < 60 {
        "just now".to_string()
    } else if d >= Duration::zero() {
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
        for text in [
            "",
            "48",
            "h",
            "2x",
            "1.5h",
            "-2d",
            "99999999999999999w",
            "999999w",
        ] {
            assert!(text.parse::<Span>().is_err(), "{text} should be refused");
        }
    }

    #[test]
    fn spans_display_shortest_exact_form_keeping_days_apart() {
        assert_eq!("48h".parse::<Span>().unwrap().to_string(), "48h");
        assert_eq!("14d".parse::<Span>().unwrap().to_string(), "14d");
        assert_eq!("2w3d".parse::<Span>().unwrap().to_string(), "2w3d");
        assert_eq!("1d90m".parse::<Span>().unwrap().to_string(), "1d1h30m");
    }

    #[test]
    fn working_days_skip_the_weekend_for_days_but_not_hours() {
        let friday: DateTime<Utc> = "2026-11-20T16:00:00Z".parse().unwrap();
        let week = WorkingDays::only(vec![
            Weekday::Mon,
            Weekday::Tue,
            Weekday::Wed,
            Weekday::Thu,
            Weekday::Fri,
        ]);
        let monday = "2026-11-23T16:00:00Z".parse::<DateTime<Utc>>().unwrap();
        assert_eq!("1d".parse::<Span>().unwrap().after(friday, &week), monday);
        assert_eq!(
            "2d".parse::<Span>().unwrap().after(friday, &week),
            monday + Duration::days(1)
        );
        assert_eq!(
            "24h".parse::<Span>().unwrap().after(friday, &week),
            friday + Duration::hours(24)
        );
        assert_eq!(
            "1d".parse::<Span>()
                .unwrap()
                .after(friday, &WorkingDays::default()),
            friday + Duration::days(1)
        );
        // A week is a week: five working days, Friday to Friday.
        let week_span = "1w".parse::<Span>().unwrap();
        assert_eq!(week_span.after(friday, &week), friday + Duration::days(7));
        assert_eq!(
            week_span.after(friday, &WorkingDays::default()),
            friday + Duration::days(7)
        );
        let saturday = friday + Duration::days(1);
        assert_eq!("1d".parse::<Span>().unwrap().after(saturday, &week), monday);
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
