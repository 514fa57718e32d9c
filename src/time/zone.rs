//! The time zone times are shown in, and typed times without an offset are
//! read in. Files keep UTC whatever it is: the zone is only for people.

use std::sync::{Mutex, PoisonError};

use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use jiff::tz::{AmbiguousOffset, TimeZone};

/// A zone of the tz database (`Europe/Berlin`), UTC unless the log's
/// `timezone` setting or the person's `TZ` names another.
///
/// Copy, so it goes everywhere by value: a named zone is looked up once
/// per process and kept for its life (a command names one or two).
#[derive(Debug, Clone, Copy)]
pub struct Zone(Option<&'static TimeZone>);

/// Every zone other than UTC looked up so far (each knows its name), so
/// a name looked up again is not kept twice.
static LOOKED_UP: Mutex<Vec<&'static TimeZone>> = Mutex::new(Vec::new());

impl PartialEq for Zone {
    fn eq(&self, other: &Zone) -> bool {
        self.name() == other.name()
    }
}

impl Eq for Zone {}

impl Default for Zone {
    fn default() -> Zone {
        Zone::UTC
    }
}

impl Zone {
    pub const UTC: Zone = Zone(None);

    /// The zone a tz database name (`Europe/Berlin`, `UTC`) names; a `TZ`
    /// value may start with `:`, as POSIX allows.
    pub fn named(name: &str) -> Result<Zone, String> {
        let name = name.trim();
        let bare = name.strip_prefix(':').unwrap_or(name);
        let unknown = || {
            format!("'{name}' is not a time zone of the tz database, such as Europe/Berlin or UTC")
        };
        // Names are exact, as in the tz database itself ("utc" is not one).
        if bare == "UTC" {
            return Ok(Zone::UTC);
        }
        let mut looked_up = LOOKED_UP.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(named) = looked_up.iter().find(|n| n.iana_name() == Some(bare)) {
            return Ok(Zone(Some(named)));
        }
        let rules = TimeZone::get(bare).map_err(|_| unknown())?;
        if rules.iana_name() != Some(bare) {
            return Err(unknown());
        }
        let named: &'static TimeZone = Box::leak(Box::new(rules));
        looked_up.push(named);
        Ok(Zone(Some(named)))
    }

    pub fn name(self) -> &'static str {
        // Every zone kept was found by the name it answers to.
        self.0.and_then(TimeZone::iana_name).unwrap_or("UTC")
    }

    /// The wall-clock time here at `t`, and the abbreviation the zone
    /// uses then (`CET`) when asked for.
    fn local(self, t: DateTime<Utc>, abbreviated: bool) -> (NaiveDateTime, Option<String>) {
        let naive = t.naive_utc();
        let Some(named) = self.0 else {
            return (naive, None);
        };
        // Beyond the years the tz rules cover: shown in UTC.
        let Ok(at) = jiff::Timestamp::from_second(t.timestamp()) else {
            return (naive, None);
        };
        let (offset, abbreviation) = if abbreviated {
            let info = named.to_offset_info(at);
            (info.offset(), Some(info.abbreviation().to_string()))
        } else {
            (named.to_offset(at), None)
        };
        let local = naive
            .checked_add_signed(Duration::seconds(i64::from(offset.seconds())))
            .unwrap_or(naive);
        (local, abbreviation)
    }

    /// A time for people, the one format every command shows:
    /// `2026-11-22 10:30 CET` (`… UTC` in UTC).
    pub fn time(self, t: DateTime<Utc>) -> String {
        let (local, abbreviation) = self.local(t, true);
        format!(
            "{} {}",
            local.format("%Y-%m-%d %H:%M"),
            abbreviation.as_deref().unwrap_or("UTC")
        )
    }

    /// The calendar date at `t` here, for columns and charts of days.
    pub fn date(self, t: DateTime<Utc>) -> chrono::NaiveDate {
        // UTC needs no look-up in the zone's table of changes: deadlines
        // of 100,000 cases ask this many times each.
        match self.0 {
            None => t.date_naive(),
            Some(_) => self.local(t, false).0.date(),
        }
    }

    /// The day of the week `t` falls on here.
    pub fn weekday(self, t: DateTime<Utc>) -> chrono::Weekday {
        use chrono::Datelike;
        self.date(t).weekday()
    }

    /// Whether this is UTC, where every day lasts 24 hours from midnight.
    pub fn is_utc(self) -> bool {
        self.0.is_none()
    }

    /// The first change of the clocks here after `t`, if one is to come.
    /// Where the rules cannot tell (beyond the years they cover), `t`
    /// itself: no caller may count on steady days there.
    pub fn next_change(self, t: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let named = self.0?;
        let Ok(at) = jiff::Timestamp::from_second(t.timestamp()) else {
            return Some(t);
        };
        let change = named.following(at).next()?;
        Some(DateTime::from_timestamp(change.timestamp().as_second(), 0).unwrap_or(t))
    }

    /// The wall-clock time here at `t`.
    pub fn wall(self, t: DateTime<Utc>) -> NaiveDateTime {
        self.local(t, false).0
    }

    /// A wall-clock time here as an instant, for a deadline so many days
    /// on: one the clocks skip (the hour lost in spring) is as late as the
    /// skip (02:30 becomes 03:30), one they pass twice (autumn) is the
    /// first. None beyond the years the rules cover.
    pub fn wall_instant(self, local: NaiveDateTime) -> Option<DateTime<Utc>> {
        let Some(named) = self.0 else {
            return Some(local.and_utc());
        };
        let offset = match named.to_ambiguous_timestamp(civil(local)?).offset() {
            AmbiguousOffset::Unambiguous { offset } => offset,
            AmbiguousOffset::Fold { before, .. } | AmbiguousOffset::Gap { before, .. } => before,
        };
        local
            .checked_sub_signed(Duration::seconds(i64::from(offset.seconds())))
            .map(|t| t.and_utc())
    }

    /// The start of the next day here after `t` (where the clocks skip
    /// midnight, the first hour that exists); always later than `t`.
    pub fn next_midnight(self, t: DateTime<Utc>) -> DateTime<Utc> {
        let day = self.date(t);
        let next = day.succ_opt().unwrap_or(day);
        (0..3)
            .filter_map(|hour| next.and_hms_opt(hour, 0, 0))
            .find_map(|local| self.instant(local).ok())
            .filter(|m| *m > t)
            .unwrap_or_else(|| t + chrono::Duration::hours(1))
    }

    /// A wall-clock time here as an instant. A time the clocks skip (the
    /// hour lost in spring) is refused; one they pass twice (autumn) is
    /// the first.
    pub fn instant(self, local: NaiveDateTime) -> Result<DateTime<Utc>, String> {
        let Some(named) = self.0 else {
            return Ok(local.and_utc());
        };
        let out_of_range = || {
            format!(
                "{} is outside the years the time zone rules cover",
                local.format("%Y-%m-%d %H:%M")
            )
        };
        let civil = civil(local).ok_or_else(out_of_range)?;
        let offset = match named.to_ambiguous_timestamp(civil).offset() {
            AmbiguousOffset::Unambiguous { offset } => offset,
            // Passed twice: the first time is before the clocks go back.
            AmbiguousOffset::Fold { before, .. } => before,
            AmbiguousOffset::Gap { .. } => {
                return Err(format!(
                    "{} does not exist in {} (the clocks skip it)",
                    local.format("%Y-%m-%d %H:%M"),
                    self.name()
                ));
            }
        };
        local
            .checked_sub_signed(Duration::seconds(i64::from(offset.seconds())))
            .map(|t| t.and_utc())
            .ok_or_else(out_of_range)
    }
}

/// A wall-clock time as jiff's; None beyond the years jiff covers.
fn civil(local: NaiveDateTime) -> Option<jiff::civil::DateTime> {
    use chrono::{Datelike, Timelike};
    jiff::civil::DateTime::new(
        i16::try_from(local.year()).ok()?,
        local.month() as i8,
        local.day() as i8,
        local.hour() as i8,
        local.minute() as i8,
        local.second() as i8,
        0,
    )
    .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    #[test]
    fn utc_dates_and_weekdays_are_those_of_the_tz_database_s_utc() {
        // Etc/UTC is looked up in the tz database; UTC is not.
        let looked_up = Zone::named("Etc/UTC").unwrap();
        assert_ne!(looked_up, Zone::UTC);
        let start = utc("2024-12-31T00:00:00Z");
        for hours in (0..24 * 800).step_by(7) {
            let t = start + chrono::Duration::hours(hours) + chrono::Duration::seconds(hours);
            assert_eq!(Zone::UTC.date(t), looked_up.date(t), "{t}");
            assert_eq!(Zone::UTC.weekday(t), looked_up.weekday(t), "{t}");
            assert_eq!(Zone::UTC.time(t), looked_up.time(t), "{t}");
        }
        let sunday = utc("2026-11-29T23:59:59Z");
        assert_eq!(Zone::UTC.weekday(sunday), chrono::Weekday::Sun);
        assert_eq!(Zone::UTC.date(sunday).to_string(), "2026-11-29");
    }

    #[test]
    fn zones_are_named_exactly_as_in_the_tz_database_and_kept_once() {
        for name in [
            "Europe/Berlin",
            "America/Sao_Paulo",
            "US/Eastern",
            "Asia/Calcutta",
            "Etc/GMT+5",
        ] {
            let zone = Zone::named(name).unwrap();
            assert_eq!(zone.name(), name);
            assert_eq!(Zone::named(name).unwrap(), zone);
            assert!(std::ptr::eq(
                zone.0.unwrap(),
                Zone::named(name).unwrap().0.unwrap()
            ));
        }
        assert_eq!(
            Zone::named(" :Europe/Berlin ").unwrap().name(),
            "Europe/Berlin"
        );
        for wrong in ["europe/berlin", "utc", "", "Europe/", "CET5"] {
            assert!(Zone::named(wrong).is_err(), "{wrong}");
        }
        assert_eq!(
            Zone::named("America/Sao_Paulo")
                .unwrap()
                .time(utc("2026-11-22T09:00:00Z")),
            "2026-11-22 06:00 -03"
        );
        assert_eq!(
            Zone::named("Asia/Kolkata")
                .unwrap()
                .time(utc("2026-11-22T09:00:00Z")),
            "2026-11-22 14:30 IST"
        );
    }

    #[test]
    fn times_are_shown_with_the_zone_s_abbreviation() {
        let berlin = Zone::named("Europe/Berlin").unwrap();
        assert_eq!(
            berlin.time(utc("2026-11-22T09:00:00Z")),
            "2026-11-22 10:00 CET"
        );
        assert_eq!(
            berlin.time(utc("2026-07-01T09:00:00Z")),
            "2026-07-01 11:00 CEST"
        );
        assert_eq!(
            Zone::UTC.time(utc("2026-11-22T09:00:00Z")),
            "2026-11-22 09:00 UTC"
        );
        assert_eq!(Zone::named(":UTC").unwrap(), Zone::UTC);
        assert!(Zone::named("Mars/Olympus").is_err());
    }

    #[test]
    fn wall_clock_times_read_in_the_zone_and_a_skipped_hour_is_refused() {
        let berlin = Zone::named("Europe/Berlin").unwrap();
        let local = |t: &str| NaiveDateTime::parse_from_str(t, "%Y-%m-%d %H:%M").unwrap();
        assert_eq!(
            berlin.instant(local("2026-11-24 09:00")).unwrap(),
            utc("2026-11-24T08:00:00Z")
        );
        assert!(berlin.instant(local("2026-03-29 02:30")).is_err());
        assert_eq!(
            berlin.instant(local("2026-10-25 02:30")).unwrap(),
            utc("2026-10-25T00:30:00Z")
        );
        assert_eq!(
            berlin.date(utc("2026-11-22T23:30:00Z")).to_string(),
            "2026-11-23"
        );
    }
}
