//! Lengths of time as people write them (`90m`, `48h`, `2d`, `1w`) and the
//! working days that day-based deadlines count.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Datelike, Days, Duration, NaiveDate, Utc, Weekday};

use crate::error::InputError;
use crate::time::Zone;

/// A length of time written the way people write it: `90m`, `48h`, `2d`,
/// `1w`, or several parts such as `1d12h`.
///
/// Weeks, days and hours are kept apart: with working days set, `2d` means
/// two working days and `1w` one working week, while `48h` is always 48 hours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    /// Calendar years: the same date so many years on.
    years: i64,
    weeks: i64,
    days: i64,
    clock: Duration,
}

impl Span {
    pub fn hours(hours: i64) -> Span {
        Span {
            years: 0,
            weeks: 0,
            days: 0,
            clock: Duration::hours(hours),
        }
    }

    pub fn minutes(minutes: i64) -> Span {
        Span::hours(0).plus(Duration::minutes(minutes))
    }

    pub fn seconds(seconds: i64) -> Span {
        Span::hours(0).plus(Duration::seconds(seconds))
    }

    fn plus(mut self, clock: Duration) -> Span {
        self.clock += clock;
        self
    }

    pub fn days(days: i64) -> Span {
        Span {
            years: 0,
            weeks: 0,
            days,
            clock: Duration::zero(),
        }
    }

    pub fn years(years: i64) -> Span {
        Span {
            years,
            ..Span::days(0)
        }
    }

    /// The span in calendar time (a year counted as 365 days).
    pub fn duration(self) -> Duration {
        Duration::days(self.years * 365 + self.weeks * 7 + self.days) + self.clock
    }

    /// `start` moved on by the span's whole years: the same date and time
    /// of day in `zone`, the log's (29 February becomes 28 February in a
    /// common year). Counted in UTC instead, a case closed on the evening
    /// of 28 February in California (29 February in UTC) would be a
    /// year on the evening of 27 February there: a retention the law
    /// sets as a minimum would end a day early.
    fn after_years(self, start: DateTime<Utc>, zone: Zone) -> DateTime<Utc> {
        if self.years == 0 {
            return start;
        }
        let months = u32::try_from(self.years * 12).unwrap_or(u32::MAX);
        zone.wall(start)
            .checked_add_months(chrono::Months::new(months))
            .and_then(|wall| zone.wall_instant(wall))
            .unwrap_or(start + Duration::days(self.years * 365))
    }

    /// The instant this span after `start`, counting only working days
    /// for the day part.
    pub fn after(self, start: DateTime<Utc>, calendar: &WorkingDays) -> DateTime<Utc> {
        let start = self.after_years(start, calendar.1);
        calendar.add_days(start, self.weeks * calendar.days_a_week() + self.days) + self.clock
    }

    /// Whether the span counts days or weeks, which working days skip;
    /// a span of hours (or years) counts every hour.
    pub fn counts_days(self) -> bool {
        self.weeks != 0 || self.days != 0
    }

    /// The instant this span before `end`, in calendar time (a period
    /// back from now, `--since 30d`): whole years to the same date (a year
    /// before 1 March 2028 is 1 March 2027, not 2 March), weeks and days
    /// to the same time of day in `zone`, then the hours.
    pub fn before(self, end: DateTime<Utc>, zone: Zone) -> DateTime<Utc> {
        // Years on the zone's calendar too, as `after_years` counts them:
        // in UTC, a year back from 29 February in Auckland (still the
        // 28th in UTC) would be 1 March there.
        let end = if self.years == 0 {
            end
        } else {
            let months = u32::try_from(self.years * 12).unwrap_or(u32::MAX);
            zone.wall(end)
                .checked_sub_months(chrono::Months::new(months))
                .and_then(|wall| zone.wall_instant(wall))
                .unwrap_or(end - Duration::days(self.years * 365))
        };
        let days = self.weeks * 7 + self.days;
        let back = if days == 0 {
            end
        } else {
            let wall = zone.wall(end);
            wall.date()
                .checked_sub_days(Days::new(days.unsigned_abs()))
                .and_then(|date| zone.wall_instant(date.and_time(wall.time())))
                .unwrap_or(end - Duration::days(days))
        };
        back - self.clock
    }

    /// As [`Span::after`], but the hours count only on working days too:
    /// a Friday 16:00 resolution with 48h is followed up on Tuesday at
    /// 16:00 (8 hours on Friday, 24 on Monday, 16 on Tuesday).
    pub fn after_working(self, start: DateTime<Utc>, calendar: &WorkingDays) -> DateTime<Utc> {
        let start = self.after_years(start, calendar.1);
        let days = calendar.add_days(start, self.weeks * calendar.days_a_week() + self.days);
        calendar.add_working(days, self.clock)
    }
}

impl FromStr for Span {
    type Err = InputError;

    fn from_str(text: &str) -> Result<Span, InputError> {
        let bad = || {
            InputError::Invalid(format!(
                "'{text}' is not a duration: write a number and a unit (m, h, d, w, y), e.g. 90m, 48h, 2d, 1w, 3y or 1d12h"
            ))
        };
        let trimmed = text.trim();
        if trimmed.is_empty() {
            return Err(bad());
        }
        // Bounded so day-by-day working-day arithmetic stays quick.
        const MAX_DAYS: i64 = 100 * 366;
        let mut span = Span {
            years: 0,
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
                'y' => span.years += amount,
                _ => return Err(bad()),
            }
        }
        if !digits.is_empty()
            || span.years * 366 + span.weeks * 7 + span.days > MAX_DAYS
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
        if self.years == 0 && self.weeks == 0 && self.days == 0 && self.clock.is_zero() {
            return f.write_str("0m");
        }
        if self.years > 0 {
            write!(f, "{}y", self.years)?;
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

/// The days on which day-based deadlines count (every day when unset),
/// as days of the log's time zone: a Saturday in Berlin starts at 23:00
/// UTC on Friday in winter. Holidays (dates, sorted) never count.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WorkingDays(Option<Vec<Weekday>>, Zone, Vec<NaiveDate>);

const WEEK: [Weekday; 7] = [
    Weekday::Mon,
    Weekday::Tue,
    Weekday::Wed,
    Weekday::Thu,
    Weekday::Fri,
    Weekday::Sat,
    Weekday::Sun,
];

impl WorkingDays {
    /// These days, each once however often it is listed (`fri` and
    /// `friday`): a week counts as many days as it has working days.
    pub fn only(mut days: Vec<Weekday>) -> WorkingDays {
        days.sort_by_key(|d| d.num_days_from_monday());
        days.dedup();
        WorkingDays(Some(days), Zone::UTC, Vec::new())
    }

    /// The same days, less these dates (the log's holidays).
    pub fn with_holidays(mut self, mut dates: Vec<NaiveDate>) -> WorkingDays {
        dates.sort();
        dates.dedup();
        self.2 = dates;
        self
    }

    /// The same days, counted in `zone` (the log's `timezone`: the same
    /// for everyone, whatever their own `TZ`).
    pub fn in_zone(self, zone: Zone) -> WorkingDays {
        WorkingDays(self.0, zone, self.2)
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

    /// Whether `date` counts: a working day of the week, not a holiday.
    pub fn counts(&self, date: NaiveDate) -> bool {
        self.is_working(date.weekday()) && self.2.binary_search(&date).is_err()
    }

    /// Every hour counts: no working days set and no holidays.
    fn every_hour_counts(&self) -> bool {
        self.days_a_week() == 7 && self.2.is_empty()
    }

    /// Whether a holiday falls after `after` and on or before `through`.
    fn holiday_in(&self, after: NaiveDate, through: NaiveDate) -> bool {
        let first = self.2.partition_point(|h| *h <= after);
        self.2.get(first).is_some_and(|h| *h <= through)
    }

    /// `start` moved forward `days` working days, keeping the time of day
    /// (days of the log's time zone: a day across a change of the clocks is
    /// 23 or 25 hours, so Friday 23:30 plus one working day is Monday
    /// 23:30, never Monday 00:30). Starting on a day off counts from the
    /// next working day, as a Saturday complaint is answered from Monday.
    pub fn add_days(&self, start: DateTime<Utc>, days: i64) -> DateTime<Utc> {
        if days <= 0 {
            return start;
        }
        let zone = self.1;
        let wall = zone.wall(start);
        let Some(date) = self.add_dates(wall.date(), days) else {
            return start + Duration::days(days);
        };
        let moved = date.and_time(wall.time());
        // Beyond the years the zone's rules cover: whole days of 24 hours.
        zone.wall_instant(moved)
            .unwrap_or_else(|| start + (moved - wall))
    }

    /// The date `days` working days after `date`; None past the calendar's end.
    fn add_dates(&self, date: NaiveDate, days: i64) -> Option<NaiveDate> {
        if self.every_hour_counts() {
            return date.checked_add_days(Days::new(days.unsigned_abs()));
        }
        // Whole weeks without a holiday are skipped in one step: a
        // deadline of 14 working days is not 20 steps.
        let a_week = self.working_weekdays();
        let mut date = date;
        let mut left = days;
        while left > 0 {
            if left > a_week {
                let next = date.checked_add_days(Days::new(7))?;
                if !self.holiday_in(date, next) {
                    date = next;
                    left -= a_week;
                    continue;
                }
            }
            date = date.checked_add_days(Days::new(1))?;
            if self.counts(date) {
                left -= 1;
            }
        }
        Some(date)
    }
}

impl WorkingDays {
    /// How much working time lies between `from` and `to`: all of it with
    /// no working days set, else only the hours on working days.
    pub fn working_between(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Duration {
        if to <= from {
            return Duration::zero();
        }
        if self.every_hour_counts() {
            return to - from;
        }
        if self.1.is_utc()
            && let Some(total) = self.working_between_utc(from, to)
        {
            return total;
        }
        let mut total = Duration::zero();
        let mut at = from;
        let mut weeks = SteadyWeeks::new(self);
        while at < to {
            if let Some(next) = weeks.step(at).filter(|next| *next <= to) {
                total += weeks.working;
                at = next;
                continue;
            }
            let end = self.1.next_midnight(at).min(to);
            if self.counts(self.1.date(at)) {
                total += end - at;
            }
            at = end;
        }
        total
    }

    /// `start` moved forward by `length` of working time: hours on days
    /// off do not count, and counting starts at the next working day when
    /// `start` is on a day off.
    pub fn add_working(&self, start: DateTime<Utc>, length: Duration) -> DateTime<Utc> {
        if self.every_hour_counts() || length <= Duration::zero() {
            return start + length;
        }
        let mut at = start;
        let mut left = length;
        let mut weeks = SteadyWeeks::new(self);
        loop {
            // A whole week is taken only when some of `left` is still
            // left after it: else the end falls inside it.
            if left > weeks.working
                && let Some(next) = weeks.step(at)
            {
                left -= weeks.working;
                at = next;
                continue;
            }
            let end = self.1.next_midnight(at);
            if self.counts(self.1.date(at)) {
                if left <= end - at {
                    return at + left;
                }
                left -= end - at;
            }
            at = end;
        }
    }
}

/// Weeks taken in one step where walking them a day at a time could
/// only add up their working days' 24 hours: from a midnight, seven days
/// with no holiday and no change of the clocks (a wait of a year is 52
/// steps, not 365).
struct SteadyWeeks<'c> {
    calendar: &'c WorkingDays,
    /// A week's working time.
    working: Duration,
    /// The first change of the clocks after the last step asked about,
    /// once looked up (it is asked for again only once passed).
    change: Option<Option<DateTime<Utc>>>,
}

impl<'c> SteadyWeeks<'c> {
    fn new(calendar: &'c WorkingDays) -> SteadyWeeks<'c> {
        SteadyWeeks {
            calendar,
            working: Duration::days(calendar.working_weekdays()),
            change: None,
        }
    }

    /// The end of the week from `at`, when it may be taken in one step.
    fn step(&mut self, at: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let zone = self.calendar.1;
        if self.working <= Duration::zero() || zone.wall(at).time() != chrono::NaiveTime::MIN {
            return None;
        }
        let next = at.checked_add_signed(Duration::days(7))?;
        let change = match self.change {
            Some(change) if change.is_none_or(|c| c > at) => change,
            _ => *self.change.insert(zone.next_change(at)),
        };
        let steady = change.is_none_or(|c| c > next);
        // The seven days from `at`'s on.
        let first = zone.date(at);
        let free = !self
            .calendar
            .holiday_in(first.pred_opt()?, first.checked_add_days(Days::new(6))?);
        (steady && free).then_some(next)
    }
}

impl WorkingDays {
    /// How many days of the week are working days.
    fn working_weekdays(&self) -> i64 {
        WEEK.iter().filter(|d| self.is_working(**d)).count() as i64
    }

    /// How many of the dates from `first` up to `end` (not counting it)
    /// count: whole weeks at once, then the days left, less the holidays
    /// on working days among them.
    fn counted_dates(&self, first: NaiveDate, end: NaiveDate) -> i64 {
        let days = (end - first).num_days();
        if days <= 0 {
            return 0;
        }
        let weeks = days / 7;
        let rest = (weeks * 7..days)
            .filter(|i| {
                first
                    .checked_add_days(Days::new(i.unsigned_abs()))
                    .is_some_and(|d| self.is_working(d.weekday()))
            })
            .count() as i64;
        let holidays =
            &self.2[self.2.partition_point(|h| *h < first)..self.2.partition_point(|h| *h < end)];
        let off = holidays
            .iter()
            .filter(|h| self.is_working(h.weekday()))
            .count() as i64;
        weeks * self.working_weekdays() + rest - off
    }

    /// [`WorkingDays::working_between`] in UTC, where every day lasts 24
    /// hours: the first and last days' hours, and the whole days between
    /// counted, not walked (a wait of a year was 365 steps). `None` at the
    /// calendar's end.
    fn working_between_utc(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Option<Duration> {
        let (first, last) = (from.date_naive(), to.date_naive());
        if first == last {
            return Some(if self.counts(first) {
                to - from
            } else {
                Duration::zero()
            });
        }
        let second = first.succ_opt()?;
        let mut total = Duration::zero();
        if self.counts(first) {
            total += second.and_time(chrono::NaiveTime::MIN).and_utc() - from;
        }
        total += Duration::days(self.counted_dates(second, last));
        if self.counts(last) {
            total += to - last.and_time(chrono::NaiveTime::MIN).and_utc();
        }
        Some(total)
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
        assert_eq!("3y".parse::<Span>().unwrap().to_string(), "3y");
    }

    #[test]
    fn years_are_calendar_years() {
        let at = |t: &str| t.parse::<DateTime<Utc>>().unwrap();
        let three = "3y".parse::<Span>().unwrap();
        assert_eq!(three, Span::years(3));
        assert_eq!(
            three.after(at("2026-11-20T10:00:00Z"), &WorkingDays::default()),
            at("2029-11-20T10:00:00Z")
        );
        assert_eq!(
            Span::years(1).after(at("2028-02-29T10:00:00Z"), &weekdays()),
            at("2029-02-28T10:00:00Z")
        );
        assert!("101y".parse::<Span>().is_err());
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

    /// `add_days` a day at a time: each step to the next date of the
    /// zone, at the same time of day.
    fn add_days_a_day_at_a_time(
        calendar: &WorkingDays,
        start: DateTime<Utc>,
        days: i64,
    ) -> DateTime<Utc> {
        let wall = calendar.1.wall(start);
        let mut date = wall.date();
        let mut left = days;
        while left > 0 {
            date = date.succ_opt().unwrap();
            if calendar.is_working(date.weekday()) {
                left -= 1;
            }
        }
        calendar.1.wall_instant(date.and_time(wall.time())).unwrap()
    }

    proptest::proptest! {
        /// Skipping whole weeks lands where stepping day by day does, in
        /// any zone (across its changes of the clocks), from any time, and
        /// every working day added keeps the time of day there.
        #[test]
        fn working_days_skip_weeks_exactly(
            seconds in 1_700_000_000i64..1_900_000_000,
            days in 0i64..400,
            mask in 1u8..128,
            zone in proptest::sample::select(vec![
                "UTC", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe",
                "Pacific/Apia", "Antarctica/Troll", "Asia/Kolkata",
            ]),
        ) {
            let working: Vec<Weekday> = WEEK
                .iter()
                .enumerate()
                .filter(|(i, _)| mask & (1 << i) != 0)
                .map(|(_, d)| *d)
                .collect();
            let calendar = WorkingDays::only(working).in_zone(Zone::named(zone).unwrap());
            let start = DateTime::from_timestamp(seconds, 0).unwrap();
            proptest::prop_assert_eq!(
                calendar.add_days(start, days),
                add_days_a_day_at_a_time(&calendar, start, days)
            );
        }
    }

    /// Working time between, found one day at a time.
    fn working_between_a_day_at_a_time(
        calendar: &WorkingDays,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Duration {
        let mut total = Duration::zero();
        let mut at = from;
        while at < to {
            let end = calendar.1.next_midnight(at).min(to);
            if calendar.counts(calendar.1.date(at)) {
                total += end - at;
            }
            at = end;
        }
        total
    }

    /// Working time added, one day at a time.
    fn add_working_a_day_at_a_time(
        calendar: &WorkingDays,
        start: DateTime<Utc>,
        length: Duration,
    ) -> DateTime<Utc> {
        if length <= Duration::zero() {
            return start + length;
        }
        let (mut at, mut left) = (start, length);
        loop {
            let end = calendar.1.next_midnight(at);
            if calendar.counts(calendar.1.date(at)) {
                if left <= end - at {
                    return at + left;
                }
                left -= end - at;
            }
            at = end;
        }
    }

    proptest::proptest! {
        /// Working time is counted in whole weeks (in UTC, weeks and
        /// days), not walked: it comes out as walking one day at a time
        /// does, in any zone across its changes of the clocks, over any
        /// working week, holidays, and waits of up to three years.
        #[test]
        fn working_time_is_counted_as_walking_day_by_day_counts_it(
            week in proptest::collection::btree_set(0u8..7, 1..=7),
            holidays in proptest::collection::vec(0u64..1200, 0..24),
            from in 0i64..(3 * 365 * 86_400),
            span in 0i64..(3 * 365 * 86_400),
            length in 0i64..(400 * 86_400),
            // Midnights and whole days, where a step may end exactly.
            at_midnight in proptest::bool::ANY,
            whole_days in proptest::bool::ANY,
            zone in proptest::sample::select(vec![
                "UTC", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe",
                "America/Santiago", "Pacific/Apia", "Asia/Kolkata",
            ]),
        ) {
            let day = 86_400;
            let (from, length) = (
                if at_midnight { from / day * day } else { from },
                if whole_days { length / day * day } else { length },
            );
            let first = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
            let week: Vec<Weekday> = week.iter().map(|d| WEEK[*d as usize]).collect();
            let holidays: Vec<NaiveDate> =
                holidays.iter().map(|d| first + Days::new(*d)).collect();
            let zone = Zone::named(zone).unwrap();
            let calendar = WorkingDays::only(week).in_zone(zone).with_holidays(holidays);
            // A midnight there (or, where the clocks skip it, where they
            // start the day), and seconds on from it.
            let midnight = zone.next_midnight(
                zone.wall_instant(first.and_time(chrono::NaiveTime::MIN)).unwrap(),
            );
            let from = midnight + Duration::seconds(from);
            let to = from + Duration::seconds(span);
            proptest::prop_assert_eq!(
                calendar.working_between(from, to),
                working_between_a_day_at_a_time(&calendar, from, to)
            );
            let length = Duration::seconds(length);
            proptest::prop_assert_eq!(
                calendar.add_working(from, length),
                add_working_a_day_at_a_time(&calendar, from, length)
            );
        }
    }

    fn weekdays() -> WorkingDays {
        WorkingDays::only(vec![
            Weekday::Mon,
            Weekday::Tue,
            Weekday::Wed,
            Weekday::Thu,
            Weekday::Fri,
        ])
    }

    fn time(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    #[test]
    fn working_hours_count_only_on_working_days() {
        let hours = "48h".parse::<Span>().unwrap();
        // Thursday 16:00: 8 hours on Thursday, 24 on Friday, 16 on Monday.
        let thursday = time("2026-11-19T16:00:00Z");
        assert_eq!(
            hours.after_working(thursday, &weekdays()),
            time("2026-11-23T16:00:00Z")
        );
        // Friday 16:00: 8 on Friday, 24 on Monday, 16 on Tuesday.
        let friday = time("2026-11-20T16:00:00Z");
        assert_eq!(
            hours.after_working(friday, &weekdays()),
            time("2026-11-24T16:00:00Z")
        );
        // Not Saturday, as every hour would make it.
        assert_eq!(
            hours.after(thursday, &weekdays()),
            time("2026-11-21T16:00:00Z")
        );
        // A Saturday start counts from Monday 00:00.
        let saturday = time("2026-11-21T10:00:00Z");
        assert_eq!(
            "24h"
                .parse::<Span>()
                .unwrap()
                .after_working(saturday, &weekdays()),
            time("2026-11-24T00:00:00Z")
        );
        // Without working days every hour counts.
        assert_eq!(
            hours.after_working(thursday, &WorkingDays::default()),
            time("2026-11-21T16:00:00Z")
        );
        // Days still count as working days, then the hours.
        assert_eq!(
            "1d12h"
                .parse::<Span>()
                .unwrap()
                .after_working(friday, &weekdays()),
            time("2026-11-24T04:00:00Z")
        );
    }

    #[test]
    fn working_time_between_two_instants_skips_days_off() {
        let week = weekdays();
        let friday = time("2026-11-20T16:00:00Z");
        let monday = time("2026-11-23T10:00:00Z");
        assert_eq!(week.working_between(friday, monday), Duration::hours(18));
        assert_eq!(week.working_between(monday, friday), Duration::zero());
        assert_eq!(
            WorkingDays::default().working_between(friday, monday),
            Duration::hours(66)
        );
    }

    #[test]
    fn working_days_are_days_of_the_log_s_time_zone() {
        use chrono::TimeZone;
        let weekdays = vec![
            Weekday::Mon,
            Weekday::Tue,
            Weekday::Wed,
            Weekday::Thu,
            Weekday::Fri,
        ];
        let berlin =
            WorkingDays::only(weekdays.clone()).in_zone(Zone::named("Europe/Berlin").unwrap());
        let utc = WorkingDays::only(weekdays);
        // Friday 23:00 UTC to Saturday 23:00 UTC, in winter: all of it
        // Saturday in Berlin, one hour of Friday in UTC.
        let from = Utc.with_ymd_and_hms(2026, 11, 27, 23, 0, 0).unwrap();
        let to = Utc.with_ymd_and_hms(2026, 11, 28, 23, 0, 0).unwrap();
        assert_eq!(berlin.working_between(from, to), Duration::zero());
        assert_eq!(utc.working_between(from, to), Duration::hours(1));
        // Two hours of work from Friday 22:30 UTC (23:30 in Berlin): half
        // an hour on Friday, then Monday from midnight Berlin time.
        let start = Utc.with_ymd_and_hms(2026, 11, 27, 22, 30, 0).unwrap();
        assert_eq!(
            berlin.add_working(start, Duration::hours(2)),
            Utc.with_ymd_and_hms(2026, 11, 30, 0, 30, 0).unwrap()
        );
        // A working day added from Friday evening in Berlin is Monday.
        assert_eq!(
            berlin.add_days(start, 1),
            Utc.with_ymd_and_hms(2026, 11, 30, 22, 30, 0).unwrap()
        );
    }

    #[test]
    fn holidays_count_for_no_day_and_no_working_hour() {
        let christmas = ["2026-12-24", "2026-12-25", "2026-12-31", "2027-01-01"]
            .iter()
            .map(|d| d.parse::<NaiveDate>().unwrap())
            .collect();
        let week = weekdays().with_holidays(christmas);
        // Wednesday 23 December 09:00 and two working days: Monday 28th,
        // Tuesday 29th.
        assert_eq!(
            week.add_days(time("2026-12-23T09:00:00Z"), 2),
            time("2026-12-29T09:00:00Z")
        );
        // From the holiday itself, the next working day counts first.
        assert_eq!(
            week.add_days(time("2026-12-25T09:00:00Z"), 1),
            time("2026-12-28T09:00:00Z")
        );
        // A working week from Monday 28th: 29, 30, then 4, 5 and 6 January.
        assert_eq!(
            "1w".parse::<Span>()
                .unwrap()
                .after(time("2026-12-28T09:00:00Z"), &week),
            time("2027-01-06T09:00:00Z")
        );
        // 48 working hours from Wednesday 23rd, 16:00: 8 that day, then
        // Monday 28th and Tuesday 29th until 16:00.
        assert_eq!(
            week.add_working(time("2026-12-23T16:00:00Z"), Duration::hours(48)),
            time("2026-12-29T16:00:00Z")
        );
        // Holidays alone, every day of the week counting otherwise.
        let every = WorkingDays::default().with_holidays(vec!["2026-12-25".parse().unwrap()]);
        assert_eq!(
            every.add_days(time("2026-12-24T09:00:00Z"), 1),
            time("2026-12-26T09:00:00Z")
        );
        assert_eq!(
            every.working_between(time("2026-12-24T12:00:00Z"), time("2026-12-26T12:00:00Z")),
            Duration::hours(24)
        );
    }

    #[test]
    fn a_day_across_a_change_of_the_clocks_keeps_the_time_of_day() {
        let berlin = Zone::named("Europe/Berlin").unwrap();
        let week = weekdays().in_zone(berlin);
        // Friday 27 March 2026, 23:30 CET; the clocks go forward on Sunday.
        let friday = time("2026-03-27T22:30:00Z");
        assert_eq!(
            week.add_days(friday, 1),
            time("2026-03-30T21:30:00Z"),
            "Monday 23:30 CEST, not Monday 00:30"
        );
        // Friday 23 October 2026, 00:30 CEST; the clocks go back on Sunday.
        let friday = time("2026-10-22T22:30:00Z");
        assert_eq!(
            week.add_days(friday, 1),
            time("2026-10-25T23:30:00Z"),
            "Monday 00:30 CET, not Monday 23:30"
        );
        // Every day counting: 14 days from 09:00 CET is 09:00 CEST.
        let every = WorkingDays::default().in_zone(berlin);
        assert_eq!(
            every.add_days(time("2026-03-20T08:00:00Z"), 14),
            time("2026-04-03T07:00:00Z")
        );
        // A time of day the clocks skip is as late as the skip.
        let new_york = WorkingDays::default().in_zone(Zone::named("America/New_York").unwrap());
        assert_eq!(
            new_york.add_days(time("2026-03-07T07:30:00Z"), 1),
            time("2026-03-08T07:30:00Z"),
            "02:30 EST on Saturday, then 03:30 EDT on Sunday"
        );
        // In UTC a day is 24 hours, as ever.
        assert_eq!(
            weekdays().add_days(time("2026-03-27T22:30:00Z"), 1),
            time("2026-03-30T22:30:00Z")
        );
    }

    proptest::proptest! {
        /// Working days with holidays land where counting one day at a
        /// time lands (the whole-week step skips no holiday), and working
        /// time added is the working time between.
        #[test]
        fn holidays_are_skipped_as_counting_day_by_day_skips_them(
            week in proptest::collection::btree_set(0u8..7, 1..=7),
            holidays in proptest::collection::vec(0u64..150, 0..12),
            start in 0u64..30,
            days in 0i64..60,
            minutes in 0i64..(6 * 24 * 60),
            zone in proptest::sample::select(vec!["UTC", "Europe/Berlin", "America/New_York"]),
        ) {
            let first = NaiveDate::from_ymd_opt(2026, 10, 1).unwrap();
            let week: Vec<Weekday> = week.iter().map(|d| WEEK[*d as usize]).collect();
            let holidays: Vec<NaiveDate> =
                holidays.iter().map(|d| first + Days::new(*d)).collect();
            let zone = Zone::named(zone).unwrap();
            let calendar = WorkingDays::only(week).in_zone(zone).with_holidays(holidays);
            let from = first + Days::new(start);
            let mut stepped = from;
            let mut left = days;
            while left > 0 {
                stepped = stepped + Days::new(1);
                if calendar.counts(stepped) {
                    left -= 1;
                }
            }
            proptest::prop_assert_eq!(calendar.add_dates(from, days), Some(stepped));
            let at = zone
                .wall_instant(from.and_hms_opt(10, 30, 0).unwrap())
                .unwrap();
            let length = Duration::minutes(minutes);
            let end = calendar.add_working(at, length);
            proptest::prop_assert_eq!(calendar.working_between(at, end), length);
            if minutes > 0 {
                // It ends on a day that counts (or at the midnight after one).
                let last = zone.date(end - Duration::seconds(1));
                proptest::prop_assert!(calendar.counts(last), "{end}");
            }
        }

        /// Whole years back land on the same date and time of day in the
        /// zone (29 February on the 28th), wherever the instant falls.
        #[test]
        fn years_back_keep_the_zone_s_date_and_time_of_day(
            seconds in 1_500_000_000i64..2_500_000_000,
            years in 1i64..5,
            zone in proptest::sample::select(vec![
                "UTC", "Europe/Berlin", "Pacific/Auckland", "America/Los_Angeles", "Asia/Kolkata",
            ]),
        ) {
            let zone = Zone::named(zone).unwrap();
            let end = DateTime::from_timestamp(seconds, 0).unwrap();
            let back = Span::years(years).before(end, zone);
            let (from, to) = (zone.wall(back), zone.wall(end));
            proptest::prop_assert_eq!(from.year() + years as i32, to.year());
            proptest::prop_assert_eq!(from.month(), to.month());
            let clamped = to.month() == 2 && to.day() == 29 && from.day() == 28;
            proptest::prop_assert!(from.day() == to.day() || clamped, "{from} {to}");
            // Unless the clocks skip that time of day a year back.
            if zone.instant(to.date().with_year(from.year()).unwrap_or(from.date()).and_time(to.time())).is_ok() {
                proptest::prop_assert_eq!(from.time(), to.time());
            }
        }
    }

    #[test]
    fn a_span_back_counts_calendar_years_and_the_zone_s_days() {
        let year = "1y".parse::<Span>().unwrap();
        assert_eq!(
            year.before(time("2028-03-01T00:00:00Z"), Zone::UTC),
            time("2027-03-01T00:00:00Z"),
            "not 365 days back, across 29 February"
        );
        assert_eq!(
            year.before(time("2028-02-29T12:00:00Z"), Zone::UTC),
            time("2027-02-28T12:00:00Z")
        );
        // 29 February 2028, 09:00 in Auckland (the 28th in UTC): a year
        // back is 28 February 2027 there, not 1 March.
        let auckland = Zone::named("Pacific/Auckland").unwrap();
        assert_eq!(
            year.before(time("2028-02-28T20:00:00Z"), auckland),
            time("2027-02-27T20:00:00Z")
        );
        // The clocks went forward in Berlin on 28 March 2027, a day later
        // in the year than in 2026: 09:00 CEST back to 09:00 CET.
        let berlin = Zone::named("Europe/Berlin").unwrap();
        assert_eq!(
            year.before(time("2027-03-28T07:00:00Z"), berlin),
            time("2026-03-28T08:00:00Z")
        );
        // A week back from Monday 30 March 2026, 09:00 CEST, is Monday
        // 23 March, 09:00 CET: 167 hours, the clocks went forward between.
        let berlin = Zone::named("Europe/Berlin").unwrap();
        assert_eq!(
            "1w".parse::<Span>()
                .unwrap()
                .before(time("2026-03-30T07:00:00Z"), berlin),
            time("2026-03-23T08:00:00Z")
        );
        assert_eq!(
            "1d12h"
                .parse::<Span>()
                .unwrap()
                .before(time("2026-11-22T12:00:00Z"), Zone::UTC),
            time("2026-11-21T00:00:00Z")
        );
    }
}
