//! The time zone times are shown in, and typed times without an offset are
//! read in. Files keep UTC whatever it is: the zone is only for people.

use chrono::offset::LocalResult;
use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;

/// A zone of the tz database (`Europe/Berlin`), UTC unless the log's
/// `timezone` setting or the person's `TZ` names another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Zone(Tz);

impl Default for Zone {
    fn default() -> Zone {
        Zone::UTC
    }
}

impl Zone {
    pub const UTC: Zone = Zone(Tz::UTC);

    /// The zone a tz database name (`Europe/Berlin`, `UTC`) names; a `TZ`
    /// value may start with `:`, as POSIX allows.
    pub fn named(name: &str) -> Result<Zone, String> {
        let name = name.trim();
        let bare = name.strip_prefix(':').unwrap_or(name);
        bare.parse::<Tz>().map(Zone).map_err(|_| {
            format!("'{name}' is not a time zone of the tz database, such as Europe/Berlin or UTC")
        })
    }

    pub fn name(self) -> &'static str {
        self.0.name()
    }

    /// A time for people, the one format every command shows:
    /// `2026-11-22 10:30 CET` (`… UTC` in UTC).
    pub fn time(self, t: DateTime<Utc>) -> String {
        t.with_timezone(&self.0)
            .format("%Y-%m-%d %H:%M %Z")
            .to_string()
    }

    /// The calendar date at `t` here, for columns and charts of days.
    pub fn date(self, t: DateTime<Utc>) -> chrono::NaiveDate {
        // UTC needs no look-up in the zone's table of changes: deadlines
        // of 100,000 cases ask this many times each.
        if self.0 == Tz::UTC {
            return t.date_naive();
        }
        t.with_timezone(&self.0).date_naive()
    }

    /// The day of the week `t` falls on here.
    pub fn weekday(self, t: DateTime<Utc>) -> chrono::Weekday {
        use chrono::Datelike;
        self.date(t).weekday()
    }

    /// Whether a week of whole days (24 hours each) from `t` steps through
    /// each day of the week here exactly once: always in UTC; elsewhere
    /// when `t` is far enough from midnight that no change of the clocks
    /// (three hours at most) moves a step onto another date.
    pub fn steps_whole_weeks_from(self, t: DateTime<Utc>) -> bool {
        use chrono::Timelike;
        self.0 == Tz::UTC || (3..21).contains(&t.with_timezone(&self.0).hour())
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
        match self.0.from_local_datetime(&local) {
            LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => Ok(t.with_timezone(&Utc)),
            LocalResult::None => Err(format!(
                "{} does not exist in {} (the clocks skip it)",
                local.format("%Y-%m-%d %H:%M"),
                self.name()
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    #[test]
    fn utc_dates_and_weekdays_are_those_of_the_tz_database_s_utc() {
        use chrono::Datelike;
        let start = utc("2024-12-31T00:00:00Z");
        for hours in (0..24 * 800).step_by(7) {
            let t = start + chrono::Duration::hours(hours) + chrono::Duration::seconds(hours);
            let looked_up = t.with_timezone(&Tz::UTC);
            assert_eq!(Zone::UTC.date(t), looked_up.date_naive(), "{t}");
            assert_eq!(Zone::UTC.weekday(t), looked_up.weekday(), "{t}");
        }
        let sunday = utc("2026-11-29T23:59:59Z");
        assert_eq!(Zone::UTC.weekday(sunday), chrono::Weekday::Sun);
        assert_eq!(Zone::UTC.date(sunday).to_string(), "2026-11-29");
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
