//! The current instant, times the user types, and how times and lengths
//! are shown.
//!
//! Everything is UTC to the second: files store UTC, and sub-second noise
//! would only make diffs louder. People see times, and type them without
//! an offset, in the log's zone ([`Zone`]).

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, SubsecRound, Timelike, Utc};
use std::fmt::Write as _;

use crate::error::InputError;
use crate::time::{Span, Zone};

/// Where "now" comes from: the system clock, or a time pinned for the run
/// (so tests and back-dated entries are reproducible).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Clock {
    System,
    Pinned(DateTime<Utc>),
}

impl Clock {
    /// The current instant, to the second.
    pub fn now(self) -> DateTime<Utc> {
        match self {
            Clock::System => Utc::now().trunc_subsecs(0),
            Clock::Pinned(at) => at,
        }
    }
}

/// The first and last years caselog takes in a time: far around any
/// complaint, and far enough inside the years 0000 to 9999 that deadlines
/// computed from any time (and the four-digit year of an id) still fit.
pub const FIRST_YEAR: i32 = 1000;
pub const LAST_YEAR: i32 = 9000;

/// Why a time cannot be taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BadTime {
    /// Not a time in the expected form.
    Unreadable,
    /// Before [`FIRST_YEAR`] or after [`LAST_YEAR`] (in UTC).
    OutOfRange,
}

impl BadTime {
    /// Why `text` (shown as `what`) is refused, in a sentence.
    pub fn explain(self, what: &str) -> String {
        match self {
            BadTime::Unreadable => {
                format!("{what} is not an RFC 3339 time such as 2026-11-22T09:30:00Z")
            }
            BadTime::OutOfRange => format!(
                "{what} is outside the years {FIRST_YEAR} to {LAST_YEAR} (UTC), which caselog takes"
            ),
        }
    }
}

/// A time as caselog keeps it: UTC to the second, a leap second (`:60`,
/// which other TOML readers refuse) as the second before it, and no later
/// than [`LAST_YEAR`].
pub fn storable(t: DateTime<Utc>) -> Result<DateTime<Utc>, BadTime> {
    let t = if t.nanosecond() >= 1_000_000_000 {
        t.with_nanosecond(0).unwrap_or(t)
    } else {
        t.trunc_subsecs(0)
    };
    if !(FIRST_YEAR..=LAST_YEAR).contains(&t.year()) {
        return Err(BadTime::OutOfRange);
    }
    Ok(t)
}

/// Reads an RFC 3339 time, as `CASELOG_NOW` holds it.
pub fn parse_rfc3339(text: &str) -> Result<DateTime<Utc>, BadTime> {
    let t = DateTime::parse_from_rfc3339(text.trim()).map_err(|_| BadTime::Unreadable)?;
    storable(t.with_timezone(&Utc))
}

fn out_of_range(text: &str) -> InputError {
    InputError::Invalid(BadTime::OutOfRange.explain(&format!("'{text}'")))
}

/// Parses a time the user typed: RFC 3339, `YYYY-MM-DD HH:MM` (a `T` for
/// the blank and seconds allowed) or `YYYY-MM-DD` (midnight), the last two
/// on the clock of `zone` (the zone times are shown in, UTC unless set).
pub fn parse_time(text: &str, zone: Zone) -> Result<DateTime<Utc>, InputError> {
    read_time(text, zone)?.ok_or_else(|| {
        InputError::Invalid(format!(
            "'{}' is not a time: use RFC 3339 (2026-11-24T09:00:00Z), '2026-11-24 09:00' ({}) or 2026-11-24",
            text.trim(),
            zone.name()
        ))
    })
}

/// [`parse_time`], with `None` for text in none of the layouts, so that a
/// caller reading a time or something else can tell that from a time
/// that is refused for a reason of its own (the clocks skip it).
fn read_time(text: &str, zone: Zone) -> Result<Option<DateTime<Utc>>, InputError> {
    let text = text.trim();
    let checked = |t: NaiveDateTime| {
        let t = zone
            .instant(t)
            .map_err(|why| InputError::Invalid(format!("'{text}': {why}")))?;
        storable(t).map_err(|_| out_of_range(text))
    };
    match parse_rfc3339(text) {
        Ok(t) => return Ok(Some(t)),
        Err(BadTime::OutOfRange) => return Err(out_of_range(text)),
        Err(BadTime::Unreadable) => {}
    }
    // Help desks' exports write local times either way, with seconds.
    for layout in [
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M:%S",
    ] {
        if let Ok(t) = NaiveDateTime::parse_from_str(text, layout) {
            return checked(t).map(Some);
        }
    }
    // An offset as people type one: without seconds (09:00+01:00,
    // 09:00Z) or after a blank, which RFC 3339 does not take.
    let utc = text
        .strip_suffix(['Z', 'z'])
        .map(|rest| format!("{}+00:00", rest.trim_end()));
    let offset_text = utc.as_deref().unwrap_or(text);
    for layout in [
        "%Y-%m-%d %H:%M%#z",
        "%Y-%m-%dT%H:%M%#z",
        "%Y-%m-%d %H:%M %#z",
        "%Y-%m-%d %H:%M:%S%#z",
        "%Y-%m-%d %H:%M:%S %#z",
    ] {
        if let Ok(t) = DateTime::parse_from_str(offset_text, layout) {
            return storable(t.with_timezone(&Utc))
                .map(Some)
                .map_err(|_| out_of_range(text));
        }
    }
    if let Ok(d) = NaiveDate::parse_from_str(text, "%Y-%m-%d")
        && let Some(t) = d.and_hms_opt(0, 0, 0)
    {
        // A date is the start of that day: where the clocks skip midnight
        // (Santiago, Havana), the first instant the day has.
        return match zone.wall_instant(t) {
            Some(start) => storable(start).map_err(|_| out_of_range(text)),
            None => checked(t),
        }
        .map(Some);
    }
    Ok(None)
}

/// A moment as the user wrote it: a time, or a length of time from now
/// (`--until 3d`) or back from now (`--since 30d`); the caller knows which.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    At(DateTime<Utc>),
    Span(Span),
}

/// Reads `text` as a duration, else as a time. `what` names the value in
/// the message (`--until`).
pub fn parse_when(what: &str, text: &str, zone: Zone) -> Result<When, InputError> {
    if let Ok(span) = text.parse::<Span>() {
        return Ok(When::Span(span));
    }
    // A time refused for a reason of its own says it, with the option.
    read_time(text, zone)
        .map_err(|why| InputError::Invalid(format!("{what} {why}")))?
        .map(When::At)
        .ok_or_else(|| {
            InputError::Invalid(format!(
                "{what} '{text}' is neither a time (2026-11-24 09:00) nor a duration (3d, 48h)"
            ))
        })
}

/// A time for people, in the zone times are shown in: `2026-11-22 09:30
/// UTC`, `2026-11-22 10:30 CET`. Every time a person reads goes through
/// here (files and JSON keep RFC 3339 in UTC).
pub fn format_time(t: DateTime<Utc>, zone: Zone) -> String {
    zone.time(t)
}

/// A rough length for people, two largest units: `1d 3h`, `45m`, `under
/// a minute`.
pub fn format_length(d: Duration) -> String {
    if d.num_seconds().abs() < 60 {
        return "under a minute".to_string();
    }
    length_in_units(d, " ")
}

/// [`format_length`] without blanks, for a table's narrow column: `1d3h`,
/// `45m`, and `<1m` for under a minute.
pub fn format_length_tight(d: Duration) -> String {
    if d.num_seconds().abs() < 60 {
        return "<1m".to_string();
    }
    length_in_units(d, "")
}

/// The two largest units of a length of a minute or more, `between` them.
fn length_in_units(d: Duration, between: &str) -> String {
    let mut seconds = d.num_seconds().abs();
    // One string, not one a part: `list` words 100,000 ages.
    let mut out = String::with_capacity(12);
    let mut parts = 0;
    for (unit, size) in [('w', 604_800), ('d', 86_400), ('h', 3_600), ('m', 60)] {
        if seconds >= size && parts < 2 {
            if parts > 0 {
                out.push_str(between);
            }
            let _ = write!(out, "{}{unit}", seconds / size);
            seconds %= size;
            parts += 1;
        } else if parts > 0 {
            break;
        }
    }
    out
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
    fn times_accept_rfc3339_dates_and_minutes() {
        let expected = "2026-11-24T09:00:00Z".parse::<DateTime<Utc>>().unwrap();
        assert_eq!(
            parse_time("2026-11-24T10:00:00+01:00", Zone::UTC).unwrap(),
            expected
        );
        assert_eq!(parse_time("2026-11-24 09:00", Zone::UTC).unwrap(), expected);
        for local in [
            "2026-11-24T09:00:00",
            "2026-11-24 09:00:00",
            "2026-11-24T09:00",
        ] {
            assert_eq!(parse_time(local, Zone::UTC).unwrap(), expected, "{local}");
        }
        assert_eq!(
            parse_time("2026-11-24", Zone::UTC).unwrap(),
            expected - Duration::hours(9)
        );
        assert!(parse_time("next tuesday", Zone::UTC).is_err());
    }

    #[test]
    fn an_offset_typed_without_seconds_or_after_a_blank_is_read() {
        let expected = "2026-11-24T09:00:00Z".parse::<DateTime<Utc>>().unwrap();
        let berlin = Zone::named("Europe/Berlin").unwrap();
        for typed in [
            "2026-11-24T18:00+09:00",
            "2026-11-24 18:00+09:00",
            "2026-11-24 18:00 +09:00",
            "2026-11-24 18:00+0900",
            "2026-11-24 18:00+09",
            "2026-11-24 18:00:00 +09:00",
            "2026-11-24T09:00Z",
            "2026-11-24 09:00Z",
            "2026-11-24 09:00 Z",
            "2026-11-24 09:00:00Z",
            "2026-11-24 04:00-05:00",
        ] {
            assert_eq!(parse_time(typed, berlin).unwrap(), expected, "{typed}");
        }
        for wrong in [
            "2026-11-24 09:00+25:00",
            "2026-11-24 09:00 CET",
            "2026-11-24Z",
        ] {
            assert!(parse_time(wrong, berlin).is_err(), "{wrong}");
        }
        assert!(parse_time("9001-01-01 09:00Z", berlin).is_err());
    }

    #[test]
    fn a_date_is_the_start_of_its_day_even_where_the_clocks_skip_midnight() {
        let utc = |t: &str| t.parse::<DateTime<Utc>>().unwrap();
        // Santiago goes from 00:00 -04 to 01:00 -03 on 6 September 2026.
        let santiago = Zone::named("America/Santiago").unwrap();
        assert_eq!(
            parse_time("2026-09-06", santiago).unwrap(),
            utc("2026-09-06T04:00:00Z")
        );
        // Havana goes from 00:00 CST to 01:00 CDT on 8 March 2026.
        let havana = Zone::named("America/Havana").unwrap();
        assert_eq!(
            parse_time("2026-03-08", havana).unwrap(),
            utc("2026-03-08T05:00:00Z")
        );
        assert!(parse_when("--since", "2026-03-08", havana).is_ok());
        // A time of day the clocks skip is still refused: it names no instant.
        assert!(parse_time("2026-03-08 00:30", havana).is_err());
        // An ordinary midnight is midnight.
        assert_eq!(
            parse_time("2026-03-07", havana).unwrap(),
            utc("2026-03-07T05:00:00Z")
        );
    }

    #[test]
    fn lengths_show_two_largest_units() {
        assert_eq!(format_length(Duration::seconds(27 * 3600 + 120)), "1d 3h");
        assert_eq!(format_length(Duration::minutes(45)), "45m");
        // Two parts at most, none after a gap.
        assert_eq!(format_length(Duration::hours(14 * 24 + 3)), "2w");
        assert_eq!(
            format_length(Duration::hours(-(254 * 168 + 6 * 24 + 5))),
            "254w 6d"
        );
        assert_eq!(format_length(Duration::seconds(3 * 3600 + 59)), "3h");
        assert_eq!(format_length(Duration::seconds(5)), "under a minute");
        assert_eq!(format_length_tight(Duration::seconds(5)), "<1m");
        assert_eq!(
            format_length_tight(Duration::seconds(86_400 + 3 * 3_600 + 59)),
            "1d3h"
        );
    }

    #[test]
    fn a_leap_second_is_read_as_the_second_before_it() {
        let t = parse_time("2016-12-31T23:59:60Z", Zone::UTC).unwrap();
        assert_eq!(t, "2016-12-31T23:59:59Z".parse::<DateTime<Utc>>().unwrap());
        assert_eq!(t.format("%S").to_string(), "59");
    }

    #[test]
    fn times_past_the_last_year_are_refused_as_input() {
        let err = parse_time("9999-12-31T00:00:00Z", Zone::UTC)
            .unwrap_err()
            .to_string();
        assert!(err.contains("outside the years 1000 to 9000"), "{err}");
        assert!(parse_time("9999-12-31", Zone::UTC).is_err());
        assert_eq!(
            parse_rfc3339("9001-01-01T00:00:00Z"),
            Err(BadTime::OutOfRange)
        );
        assert_eq!(
            parse_rfc3339("0000-01-01T00:00:00+01:00"),
            Err(BadTime::OutOfRange)
        );
        assert!(parse_time("0999-12-31", Zone::UTC).is_err());
        assert!(parse_time("9000-12-31T23:59:59Z", Zone::UTC).is_ok());
    }

    #[test]
    fn a_duration_or_a_time_reads_as_either_and_names_the_option_when_neither() {
        assert_eq!(
            parse_when("--until", "3d", Zone::UTC).unwrap(),
            When::Span(Span::days(3))
        );
        assert!(matches!(
            parse_when("--since", "2026-11-01", Zone::UTC).unwrap(),
            When::At(_)
        ));
        let err = parse_when("--since", "soon", Zone::UTC)
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("--since 'soon' is neither"), "{err}");
        // A time refused for a reason of its own says that reason.
        let berlin = Zone::named("Europe/Berlin").unwrap();
        let err = parse_when("--since", "2026-03-29 02:30", berlin)
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("--since '2026-03-29 02:30': "), "{err}");
        assert!(err.contains("the clocks skip it"), "{err}");
        let err = parse_when("--until", "9999-01-01", Zone::UTC)
            .unwrap_err()
            .to_string();
        assert!(err.contains("outside the years"), "{err}");
    }
}
