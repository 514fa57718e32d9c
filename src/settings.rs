//! `caselog.toml`: the settings of one case log, with their defaults.
//!
//! Every setting is optional, so a log without the file works. Unknown keys
//! are refused with file and line, so a misspelt setting is never silently
//! ignored.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Deserializer};

use crate::case::redaction::{CUSTOMER_FIELDS, FREE_TEXT};
use crate::case::{PersonalField, Severity};
use crate::error::InputError;
use crate::time::{Span, WorkingDays, Zone, parse_weekday};

/// The settings file at the root of a case log.
pub const SETTINGS_FILE: &str = "caselog.toml";

/// The settings of a case log.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// When not empty, the only categories `open` accepts.
    #[serde(default)]
    pub categories: Vec<String>,
    /// How long after a resolution the follow-up is due.
    #[serde(default = "default_follow_up_after")]
    pub follow_up_after: Span,
    /// The first reply, call or email to the customer is due this long after opening.
    #[serde(default = "default_first_response_within")]
    pub first_response_within: Span,
    /// A case is due to be resolved this long after opening…
    #[serde(default = "default_resolve_within")]
    pub resolve_within: Span,
    /// …unless its severity has a deadline of its own.
    #[serde(default)]
    pub resolve_within_by_severity: BTreeMap<Severity, Span>,
    /// When set, day-based deadlines count only these days.
    #[serde(default, deserialize_with = "working_days")]
    pub working_days: WorkingDays,
    /// Dates (of `timezone`) on which no deadline counts days or working
    /// hours, whatever the day of the week: the team's public holidays.
    #[serde(default, deserialize_with = "holidays")]
    pub holidays: Vec<NaiveDate>,
    /// With working days set, whether the follow-up delay's hours count on
    /// working days only (48h after a Friday 16:00 resolution is Tuesday
    /// 16:00) or every hour.
    #[serde(default = "yes")]
    pub follow_up_in_working_hours: bool,
    /// Whether the resolution deadline pauses while a case waits on the
    /// customer.
    #[serde(default = "yes")]
    pub pause_while_waiting_on_customer: bool,
    /// How often the customer is told how their case is going, from the
    /// last contact; no such deadline when unset.
    #[serde(default)]
    pub update_every: Option<Span>,
    /// …per severity, where it differs.
    #[serde(default)]
    pub update_every_by_severity: BTreeMap<Severity, Span>,
    /// When not empty, the only people cases may name (as assignee, acting
    /// person, or `due --for`).
    #[serde(default)]
    pub people: Vec<String>,
    /// How far ahead of this machine's clock a time may be: a teammate's
    /// clock, or `CASELOG_NOW`.
    #[serde(default = "default_clock_tolerance")]
    pub clock_tolerance: Span,
    /// How long a change waits for another caselog holding the log's lock.
    #[serde(default = "default_lock_timeout")]
    pub lock_timeout: Span,
    /// The most bytes one text may hold (a note, a summary, a resolution).
    #[serde(default = "default_max_text_bytes", deserialize_with = "text_limit")]
    pub max_text_bytes: u64,
    /// How long a closed case keeps the customer's personal data, counted
    /// from its closing; kept for good when unset.
    #[serde(default)]
    pub retention: Option<Span>,
    /// Which of a case's fields hold personal data.
    #[serde(default)]
    pub personal_data: PersonalData,
    /// The zone times are shown in (files keep UTC); a person's `TZ`
    /// overrides it.
    #[serde(default, deserialize_with = "zone")]
    pub timezone: Zone,
    /// `[mail]`: how `caselog reply --send` hands a reply over.
    #[serde(default)]
    pub mail: MailSettings,
}

/// `[mail]`: the command a reply is handed to, and whom it is from.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MailSettings {
    /// The command that takes a whole message on its standard input and
    /// reads the recipients from its headers; split into words as a shell
    /// would, but run without one.
    #[serde(default = "default_sendmail")]
    pub sendmail: String,
    /// The reply's From: (`Name <address>` or an address); when unset,
    /// `reply --send` asks for it.
    #[serde(default)]
    pub from: Option<String>,
}

/// The default mail command: recipients from the headers (`-t`), and a
/// line holding a lone `.` is not the end of the message (`-i`).
pub const DEFAULT_SENDMAIL: &str = "sendmail -t -i";

fn default_sendmail() -> String {
    DEFAULT_SENDMAIL.to_string()
}

impl Default for MailSettings {
    fn default() -> MailSettings {
        MailSettings {
            sendmail: default_sendmail(),
            from: None,
        }
    }
}

/// `[personal_data]`: what `redact` erases, `export --pseudonymise` leaves
/// out, and retention counts as personal.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PersonalData {
    /// The fields that hold personal data.
    #[serde(default = "default_personal_fields")]
    pub fields: Vec<PersonalField>,
    /// Whether free text (the title, summary, wants, resolution, redress
    /// and notes) counts as personal data too.
    #[serde(default = "yes")]
    pub free_text: bool,
}

fn default_personal_fields() -> Vec<PersonalField> {
    CUSTOMER_FIELDS.to_vec()
}

impl Default for PersonalData {
    fn default() -> PersonalData {
        PersonalData {
            fields: default_personal_fields(),
            free_text: true,
        }
    }
}

impl PersonalData {
    /// Every field that counts as personal, in the canonical order.
    pub fn all(&self) -> Vec<PersonalField> {
        PersonalField::ALL
            .iter()
            .copied()
            .filter(|&f| self.holds(f))
            .collect()
    }

    /// Whether `field` counts as personal.
    pub fn holds(&self, field: PersonalField) -> bool {
        self.fields.contains(&field) || (self.free_text && FREE_TEXT.contains(&field))
    }
}

fn yes() -> bool {
    true
}

fn default_clock_tolerance() -> Span {
    Span::minutes(5)
}

fn default_lock_timeout() -> Span {
    Span::seconds(30)
}

fn default_max_text_bytes() -> u64 {
    crate::limits::TEXT_BYTES
}

/// The least `max_text_bytes` may be: room for a sentence, and for the
/// words that say a mail was cut.
const LEAST_TEXT_BYTES: u64 = 100;

fn text_limit<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    let bytes = u64::deserialize(d)?;
    if bytes < LEAST_TEXT_BYTES {
        return Err(serde::de::Error::custom(format!(
            "max_text_bytes = {bytes} is too small: it must be at least {LEAST_TEXT_BYTES}"
        )));
    }
    Ok(bytes)
}

fn default_follow_up_after() -> Span {
    Span::hours(48)
}

fn default_first_response_within() -> Span {
    Span::hours(24)
}

fn default_resolve_within() -> Span {
    Span::days(14)
}

fn zone<'de, D: Deserializer<'de>>(d: D) -> Result<Zone, D::Error> {
    let name = String::deserialize(d)?;
    Zone::named(&name).map_err(serde::de::Error::custom)
}

fn holidays<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<NaiveDate>, D::Error> {
    // Quoted ("2026-12-25") or a TOML date (2026-12-25), as people write either.
    let values = Vec::<toml::Value>::deserialize(d)?;
    values
        .iter()
        .map(|value| {
            let text = match value {
                toml::Value::String(text) => text.trim().to_string(),
                toml::Value::Datetime(t) if t.time.is_none() && t.offset.is_none() => t.to_string(),
                other => other.to_string(),
            };
            NaiveDate::parse_from_str(&text, "%Y-%m-%d").map_err(|_| {
                serde::de::Error::custom(format!(
                    "holidays: '{text}' is not a date such as 2026-12-25"
                ))
            })
        })
        .collect()
}

fn working_days<'de, D: Deserializer<'de>>(d: D) -> Result<WorkingDays, D::Error> {
    let names = Vec::<String>::deserialize(d)?;
    if names.is_empty() {
        return Err(serde::de::Error::custom(
            "working_days needs at least one day",
        ));
    }
    let days = names
        .iter()
        .map(|n| parse_weekday(n))
        .collect::<Result<Vec<_>, _>>()
        .map_err(serde::de::Error::custom)?;
    Ok(WorkingDays::only(days))
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            categories: Vec::new(),
            follow_up_after: default_follow_up_after(),
            first_response_within: default_first_response_within(),
            resolve_within: default_resolve_within(),
            resolve_within_by_severity: BTreeMap::new(),
            working_days: WorkingDays::default(),
            holidays: Vec::new(),
            follow_up_in_working_hours: true,
            pause_while_waiting_on_customer: true,
            update_every: None,
            update_every_by_severity: BTreeMap::new(),
            people: Vec::new(),
            clock_tolerance: default_clock_tolerance(),
            lock_timeout: default_lock_timeout(),
            max_text_bytes: default_max_text_bytes(),
            retention: None,
            personal_data: PersonalData::default(),
            timezone: Zone::UTC,
            mail: MailSettings::default(),
        }
    }
}

impl Settings {
    /// The settings in `text`, the file `shown`; defaults when there is
    /// no file (`None`).
    pub fn from_file(text: Option<&str>, shown: &str) -> Result<Settings, InputError> {
        match text {
            Some(text) => Settings::parse(text, shown),
            None => Ok(Settings::default()),
        }
    }

    pub fn parse(text: &str, shown: &str) -> Result<Settings, InputError> {
        let mut settings: Settings =
            toml::from_str(text).map_err(|e| InputError::from_toml(shown, text, &e))?;
        // Working days are the log's days, whoever counts them.
        settings.working_days = std::mem::take(&mut settings.working_days)
            .in_zone(settings.timezone)
            .with_holidays(settings.holidays.clone());
        Ok(settings)
    }

    /// How long a case of this severity has to be resolved.
    pub fn resolve_within(&self, severity: Severity) -> Span {
        self.resolve_within_by_severity
            .get(&severity)
            .copied()
            .unwrap_or(self.resolve_within)
    }

    /// How often a case of this severity is due an update to the customer,
    /// if the log asks for updates.
    pub fn update_every(&self, severity: Severity) -> Option<Span> {
        self.update_every_by_severity
            .get(&severity)
            .copied()
            .or(self.update_every)
    }

    /// When a follow-up `after` this long from `from` is due: in working
    /// hours when working days are set and `follow_up_in_working_hours`.
    pub fn follow_up_due(&self, after: Span, from: DateTime<Utc>) -> DateTime<Utc> {
        if self.follow_up_in_working_hours {
            after.after_working(from, &self.working_days)
        } else {
            after.after(from, &self.working_days)
        }
    }

    /// Refuses a person `people` does not list (when it lists any), naming
    /// the closest one; `what` says where the name came from (`--for`).
    pub fn check_person(&self, person: &str, what: &str) -> Result<(), InputError> {
        if self.people.is_empty() || self.people.iter().any(|p| p == person.trim()) {
            return Ok(());
        }
        let hint = match crate::words::closest(person, self.people.iter().map(String::as_str)) {
            Some(close) => format!("did you mean {close}?"),
            None => format!("caselog.toml's people are: {}", self.people.join(", ")),
        };
        Err(InputError::Invalid(format!(
            "unknown person '{}' ({what}): {hint}",
            person.escape_debug()
        )))
    }

    /// Refuses a category the settings do not list, naming the ones they do.
    pub fn check_category(&self, category: &str) -> Result<(), InputError> {
        crate::case::check_category(&self.categories, category)
    }

    /// Refuses what a new case (`open`, `mail`) is given: a category not
    /// listed, or an `--assignee` that `people` does not name.
    pub fn check_new_case(
        &self,
        category: Option<&str>,
        assignee: Option<&str>,
    ) -> Result<(), InputError> {
        if let Some(category) = category {
            self.check_category(category)?;
        }
        if let Some(assignee) = assignee {
            self.check_person(assignee, "--assignee")?;
        }
        Ok(())
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

# Deadlines that `caselog due` reminds of (and `show` and `list` flag):
# the first reply, call or email to the customer within this long of opening…
# first_response_within = "24h"
# …and the resolution within this long of opening.
# resolve_within = "14d"

# When set, deadlines written in days (2d, 1w) count only these days;
# deadlines in hours (24h) count every hour, except the follow-up delay (see
# below). Days are days of `timezone` (below): a deadline in days keeps
# its time of day when the clocks change.
# working_days = ["mon", "tue", "wed", "thu", "fri"]

# Dates (of `timezone`) that count as days off whatever day of the week
# they fall on, for deadlines in days and working hours alike: the team's
# public holidays. Deadlines in hours still count every hour.
# holidays = ["2026-12-25", "2026-12-26", "2027-01-01"]

# With working_days set, the follow-up delay's hours count on working days
# only: 48h after a Friday 16:00 resolution is Tuesday 16:00. false counts
# every hour (Sunday 16:00).
# follow_up_in_working_hours = true

# While a case waits on the customer (`caselog wait --on customer`), its
# resolution deadline pauses, and moves on by the time it waited.
# pause_while_waiting_on_customer = true

# Keep the customer informed: an "update the customer" deadline this long
# after the last reply, call or email to them while the case is open (not
# while it waits on them). Off when unset; per severity below.
# update_every = "3d"

# When not empty, the only people caselog accepts as an assignee, the acting
# person (--by) or `due --for`; others are refused with "did you mean …".
# people = ["ana@example.com", "ben@example.com"]

# How far ahead of this machine's clock a time may be. A teammate's clock a
# few minutes fast is normal; CASELOG_NOW further ahead than this is refused,
# and `caselog check` warns of events further ahead.
# clock_tolerance = "5m"

# How long a command waits for another caselog changing this log before it
# gives up (it says it is waiting after a second).
# lock_timeout = "30s"

# The most bytes one text may hold: a note, a summary, a resolution
# (at least 100).
# max_text_bytes = 1048576

# How long a closed case keeps the customer's personal data, counted from
# its closing (the UK FCA keeps complaint records 3 years). `caselog due`
# lists the cases past it (kind retention); `caselog redact --expired`
# erases their personal data. Kept for good when unset.
# retention = "3y"
# The time zone caselog shows times in, and reads typed times without an
# offset in (a tz database name); files keep UTC. A person's TZ overrides it.
# timezone = "UTC"

# Shorter resolution deadlines for some severities, if you like.
# (A table: keep it after every plain setting above.)
# [resolve_within_by_severity]
# critical = "2d"
# high = "5d"

# More frequent updates for some severities (a table too).
# [update_every_by_severity]
# critical = "1d"

# Which case fields hold personal data: what `caselog redact` erases and
# `caselog export --pseudonymise` leaves out. fields: any of customer,
# contact, reference, preferred_contact (and title, summary, wants,
# resolution, redress, notes); with free_text, those last six count too.
# [personal_data]
# fields = ["customer", "contact", "reference", "preferred_contact"]
# free_text = true

# How `caselog reply ID --send` sends a reply: the command that takes the
# whole message on its standard input and reads the recipients from its
# headers (split into words like a shell, run without one), and the From:
# of replies (required to send).
# [mail]
# sendmail = "sendmail -t -i"
# from = "Support <support@example.com>"
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_template_parses_to_the_defaults() {
        let settings = Settings::parse(TEMPLATE, "caselog.toml").unwrap();
        assert!(settings.categories.is_empty());
        assert_eq!(settings.follow_up_after.duration().num_hours(), 48);
        assert_eq!(settings.first_response_within, Span::hours(24));
        assert_eq!(settings.resolve_within(Severity::Critical), Span::days(14));
        assert_eq!(settings.working_days, WorkingDays::default());
        assert_eq!(settings.retention, None);
        assert_eq!(settings.personal_data, PersonalData::default());
        assert_eq!(settings.personal_data.all(), PersonalField::ALL);
    }

    #[test]
    fn personal_data_can_leave_free_text_out() {
        let settings = Settings::parse(
            "retention = \"3y\"\n[personal_data]\nfields = [\"customer\", \"title\"]\nfree_text = false\n",
            "caselog.toml",
        )
        .unwrap();
        assert_eq!(
            settings.personal_data.all(),
            [PersonalField::Customer, PersonalField::Title]
        );
        assert_eq!(settings.retention, Some(Span::years(3)));
        let err =
            Settings::parse("[personal_data]\nfields = [\"email\"]\n", "caselog.toml").unwrap_err();
        assert!(
            err.to_string().contains("unknown personal field 'email'"),
            "{err}"
        );
    }

    #[test]
    fn the_commented_out_examples_parse_too() {
        let uncommented: String = TEMPLATE
            .lines()
            .map(|l| {
                l.strip_prefix("# ")
                    .filter(|r| r.contains(" = ") || r.starts_with('['))
                    .unwrap_or(l)
            })
            .collect::<Vec<_>>()
            .join("\n");
        let settings = Settings::parse(&uncommented, "caselog.toml").unwrap();
        assert_eq!(settings.resolve_within(Severity::Critical), Span::days(2));
        assert_eq!(settings.resolve_within(Severity::Low), Span::days(14));
        assert!(!settings.working_days.is_working(chrono::Weekday::Sat));
        let christmas = NaiveDate::from_ymd_opt(2026, 12, 25).unwrap();
        assert!(!settings.working_days.counts(christmas));
        assert!(
            settings
                .working_days
                .counts(christmas.pred_opt().unwrap().pred_opt().unwrap())
        );
        assert_eq!(settings.categories.len(), 5);
        assert_eq!(settings.mail.sendmail, DEFAULT_SENDMAIL);
        assert_eq!(
            settings.mail.from.as_deref(),
            Some("Support <support@example.com>")
        );
    }

    #[test]
    fn bad_working_days_are_refused() {
        let err =
            Settings::parse("working_days = [\"mon\", \"funday\"]\n", "caselog.toml").unwrap_err();
        assert!(
            err.to_string()
                .contains("'funday' is not a day of the week"),
            "{err}"
        );
        assert!(Settings::parse("working_days = []\n", "caselog.toml").is_err());
        let err = Settings::parse("holidays = [\"25/12/2026\"]\n", "caselog.toml").unwrap_err();
        assert!(
            err.to_string()
                .contains("holidays: '25/12/2026' is not a date such as 2026-12-25"),
            "{err}"
        );
        assert!(Settings::parse("holidays = [2026-12-25T09:00:00Z]\n", "caselog.toml").is_err());
        let both =
            Settings::parse("holidays = [2026-12-25, \"2026-12-26\"]\n", "caselog.toml").unwrap();
        assert_eq!(both.holidays.len(), 2);
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
    fn a_text_limit_below_a_paragraph_is_refused() {
        for small in ["0", "1", "99"] {
            let err = Settings::parse(&format!("max_text_bytes = {small}\n"), "caselog.toml")
                .unwrap_err();
            assert!(
                err.to_string()
                    .contains(&format!("max_text_bytes = {small} is too small")),
                "{err}"
            );
        }
        let settings = Settings::parse("max_text_bytes = 100\n", "caselog.toml").unwrap();
        assert_eq!(settings.max_text_bytes, 100);
        assert!(Settings::parse("max_text_bytes = -1\n", "caselog.toml").is_err());
    }

    #[test]
    fn bad_durations_are_refused() {
        let err = Settings::parse("follow_up_after = \"soon\"\n", "caselog.toml").unwrap_err();
        assert!(
            err.to_string().contains("'soon' is not a duration"),
            "{err}"
        );
    }

    #[test]
    fn working_days_count_in_the_log_s_time_zone() {
        use chrono::TimeZone;
        let text = "timezone = \"Europe/Berlin\"\nworking_days = [\"mon\", \"tue\", \"wed\", \"thu\", \"fri\"]\n";
        let settings = Settings::parse(text, "caselog.toml").unwrap();
        // Friday 23:00 to Saturday 23:00 UTC is all Saturday in Berlin.
        let from = Utc.with_ymd_and_hms(2026, 11, 27, 23, 0, 0).unwrap();
        let to = Utc.with_ymd_and_hms(2026, 11, 28, 23, 0, 0).unwrap();
        assert_eq!(
            settings.working_days.working_between(from, to),
            chrono::Duration::zero()
        );
    }
}
