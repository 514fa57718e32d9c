//! One run's context: where the case log is, what time it is, and who is
//! acting, each read once here; and the two shapes most commands take:
//! change one case, or read every case.

use std::cell::{OnceCell, RefCell};
use std::collections::HashSet;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use chrono::{DateTime, Utc};

use super::{Terminal, warn};
use crate::case::fields::check_one_line;
use crate::case::lifecycle::{Refusal, Stamp};
use crate::case::{Case, Glance, card};
use crate::error::{EXIT_INPUT, EXIT_OK, InputError};
use crate::git;
use crate::settings::{SETTINGS_FILE, Settings};
use crate::store::index::search::SearchIndex;
use crate::store::{Batch, Changed, DEFAULT_LOCK_WAIT, Store};
use crate::time::clock::parse_rfc3339;
use crate::time::{Clock, Zone, format_time};

/// The environment variable that pins the clock (RFC 3339).
pub const NOW_VARIABLE: &str = "CASELOG_NOW";
/// The environment variable that says what this machine's clock reads,
/// for tests that pin `CASELOG_NOW` to a date of their own and need the
/// "ahead of the clock" check to judge it against a pinned clock too.
pub const SYSTEM_CLOCK_VARIABLE: &str = "CASELOG_SYSTEM_CLOCK";
/// The environment variable that, when set, makes every command read the
/// case files instead of the index (to compare, or to rule the index out).
pub const NO_INDEX_VARIABLE: &str = "CASELOG_NO_INDEX";
/// The environment variable naming the acting person.
pub const USER_VARIABLE: &str = "CASELOG_USER";

/// What every command may need, read once per run.
pub struct Session {
    cwd: PathBuf,
    /// `--dir`, or `CASELOG_DIR` through clap.
    dir: Option<PathBuf>,
    /// The clock, or why `CASELOG_NOW` could not be read (said when used).
    clock: Result<Clock, String>,
    /// This machine's clock (pinned only by tests).
    system: Clock,
    /// `CASELOG_USER`, when set and not blank; an error when it is set to
    /// what is not text.
    user: Result<Option<String>, String>,
    /// `TZ`, when it names a zone of the tz database; else why a `TZ` that
    /// is set is passed over, said once when a time is shown or read.
    tz: Result<Option<Zone>, String>,
    tz_told: OnceCell<()>,
    /// False when `CASELOG_NO_INDEX` is set: every pass reads the files.
    use_index: bool,
    /// The terminal's width, colour and pager.
    terminal: Terminal,
    store: OnceCell<Store>,
    settings: OnceCell<Settings>,
    /// What passes over the files have said is wrong with one, this run:
    /// a command that reads every file twice (`index`: facts, then words)
    /// says each once.
    said: RefCell<HashSet<String>>,
}

/// What a pass over every case kept, and how many files could not be read
/// (each already reported on stderr).
pub struct Scan<T> {
    pub cases: Vec<T>,
    pub unreadable: usize,
}

impl<T> Scan<T> {
    /// How many case files could not be read, in words ("1 case file",
    /// "3 case files"); `None` when every one could.
    pub fn unreadable_files(&self) -> Option<String> {
        (self.unreadable > 0).then(|| crate::words::count(self.unreadable, "case file"))
    }

    /// Exit 2 when a file could not be read, else 0.
    pub fn exit_code(&self) -> u8 {
        if self.unreadable == 0 {
            EXIT_OK
        } else {
            EXIT_INPUT
        }
    }

    /// The exit code, as a command's last step: the values are left for
    /// the process's exit to free at once (the binary runs one command
    /// and exits). Freeing 100,000 cases' values one by one costs tens of
    /// milliseconds that nothing waits for.
    pub(crate) fn finish(self) -> u8 {
        let code = self.exit_code();
        std::mem::forget(self.cases);
        code
    }
}

fn read_settings(store: &Store) -> Result<Settings> {
    let shown = store.shown(&store.root().join(SETTINGS_FILE));
    Ok(Settings::from_file(
        store.settings_text()?.as_deref(),
        &shown,
    )?)
}

/// The person's zone from `TZ`: none when it is unset or empty, or a
/// POSIX rule (`CET-1CEST,M3.5.0,M10.5.0/3`, which names no zone of the
/// database, and always holds a digit); an error saying why it is passed
/// over when it is anything else, since a misspelt zone would otherwise
/// read every typed time in another zone unannounced.
fn person_zone(tz: Option<std::ffi::OsString>) -> Result<Option<Zone>, String> {
    let Some(tz) = tz.filter(|tz| !tz.is_empty()) else {
        return Ok(None);
    };
    let fallback = "times are shown and typed times read in the log's time zone instead";
    let Some(name) = tz.to_str() else {
        return Err(format!(
            "TZ is not UTF-8 text, so it names no time zone; {fallback}"
        ));
    };
    match Zone::named(name) {
        Ok(zone) => Ok(Some(zone)),
        // A path first: a folder's name may hold a digit too.
        Err(_) if name.trim_start_matches(':').starts_with('/') => zone_file(name, fallback),
        Err(_) if name.bytes().any(|b| b.is_ascii_digit()) => Ok(None),
        Err(why) => Err(format!("TZ: {why}; {fallback}")),
    }
}

/// The zone a `TZ` naming a file holds (POSIX's `:/etc/localtime`, or
/// `/usr/share/zoneinfo/Asia/Tokyo`), by where the file, its links
/// followed, lies in a `zoneinfo` folder. A file that lies elsewhere (a
/// copy) is the machine's own rule and leaves the log's zone, as a POSIX
/// rule does, without a word: cron would mail one every run. A file that
/// is not there is said.
fn zone_file(name: &str, fallback: &str) -> Result<Option<Zone>, String> {
    let path = std::path::Path::new(name.trim_start_matches(':'));
    let Ok(file) = std::fs::canonicalize(path) else {
        return Err(format!(
            "TZ: {} is not a time zone file that can be read; {fallback}",
            path.display()
        ));
    };
    let named = file
        .to_str()
        .and_then(|f| f.rsplit_once("/zoneinfo/"))
        .map(|(_, zone)| {
            zone.strip_prefix("posix/")
                .or_else(|| zone.strip_prefix("right/"))
                .unwrap_or(zone)
        });
    Ok(named.and_then(|zone| Zone::named(zone).ok()))
}

/// Told once when a change has waited a second for another caselog.
fn say_waiting(lock_file: &str) {
    super::say(&format!(
        "waiting for another caselog changing this log (it holds {lock_file})…"
    ));
}

impl Session {
    /// The run's context from the process: the current folder and the
    /// `CASELOG_*` variables; `dir` is `--dir` (or `CASELOG_DIR`), and
    /// `terminal` what the terminal takes.
    pub fn from_env(dir: Option<PathBuf>, terminal: Terminal) -> Result<Session> {
        let clock = match std::env::var(NOW_VARIABLE) {
            Ok(text) => parse_rfc3339(&text)
                .map(Clock::Pinned)
                .map_err(|bad| bad.explain(&format!("{NOW_VARIABLE}='{text}'"))),
            Err(std::env::VarError::NotPresent) => Ok(Clock::System),
            // Never the system clock instead: a pinned time silently
            // dropped would date events wrongly.
            Err(std::env::VarError::NotUnicode(_)) => Err(format!(
                "{NOW_VARIABLE} is not UTF-8 text; give a time such as 2026-11-22T09:00:00Z, or unset it"
            )),
        };
        let system = std::env::var(SYSTEM_CLOCK_VARIABLE)
            .ok()
            .and_then(|text| parse_rfc3339(&text).ok())
            .map_or(Clock::System, Clock::Pinned);
        let use_index = std::env::var_os(NO_INDEX_VARIABLE).is_none();
        let user = match std::env::var(USER_VARIABLE) {
            Ok(user) => Ok(Some(user).filter(|u| !u.trim().is_empty())),
            Err(std::env::VarError::NotPresent) => Ok(None),
            Err(std::env::VarError::NotUnicode(_)) => Err(format!(
                "{USER_VARIABLE} is not UTF-8 text; give a name or e-mail address, or unset it"
            )),
        };
        let tz = person_zone(std::env::var_os("TZ"));
        Ok(Session {
            cwd: std::env::current_dir().context("finding the current folder")?,
            dir,
            clock,
            system,
            user,
            tz,
            tz_told: OnceCell::new(),
            use_index,
            terminal,
            store: OnceCell::new(),
            settings: OnceCell::new(),
            said: RefCell::new(HashSet::new()),
        })
    }

    /// The terminal's width, colour and pager.
    pub fn terminal(&self) -> &Terminal {
        &self.terminal
    }

    pub fn cwd(&self) -> &Path {
        &self.cwd
    }

    /// `--dir` as given, if it was.
    pub fn dir(&self) -> Option<&Path> {
        self.dir.as_deref()
    }

    /// The case log this command works on: `--dir`, else the nearest one
    /// at or above the current folder.
    pub fn store(&self) -> Result<&Store> {
        if let Some(store) = self.store.get() {
            return Ok(store);
        }
        let store = match &self.dir {
            Some(dir) => Store::at(dir, &self.cwd)?,
            None => Store::discover(&self.cwd)?,
        };
        // A settings file that does not read is reported by the commands
        // that need the settings; changes then wait the default time.
        let settings = read_settings(&store).ok();
        let wait = settings
            .as_ref()
            .and_then(|settings| settings.lock_timeout.duration().to_std().ok())
            .unwrap_or(DEFAULT_LOCK_WAIT);
        let store = store.with_lock_wait(wait, say_waiting);
        let store = self.store.get_or_init(|| store);
        // Read once: `settings()` takes these rather than reading again.
        if let Some(settings) = settings {
            let _ = self.settings.set(settings);
        }
        Ok(store)
    }

    /// The log's settings (defaults when it has no `caselog.toml`).
    pub fn settings(&self) -> Result<&Settings> {
        let store = self.store()?;
        // Finding the store reads them, when they read.
        if let Some(settings) = self.settings.get() {
            return Ok(settings);
        }
        let settings = read_settings(store)?;
        Ok(self.settings.get_or_init(|| settings))
    }

    /// The zone times are shown in, and typed times without an offset are
    /// read in: the person's `TZ`, else the log's `timezone`, else UTC.
    /// (A settings file that does not read is reported by the commands
    /// that need it.)
    pub fn zone(&self) -> Zone {
        let tz = match &self.tz {
            Ok(tz) => *tz,
            Err(why) => {
                self.tz_told.get_or_init(|| super::say(why));
                None
            }
        };
        tz.or_else(|| self.settings().ok().map(|s| s.timezone))
            .unwrap_or(Zone::UTC)
    }

    /// The current instant: pinned by `CASELOG_NOW`, else the system clock.
    pub fn now(&self) -> Result<DateTime<Utc>> {
        match &self.clock {
            Ok(clock) => Ok(clock.now()),
            Err(message) => Err(InputError::Invalid(message.clone()).into()),
        }
    }

    /// The person recorded as `by`: `--by`, else `CASELOG_USER`, else
    /// git's `user.email`.
    /// When the log's settings list `people`, the person must be one.
    pub fn person(&self, by: Option<&str>) -> Result<String> {
        let (person, source) = match (by, &self.user) {
            (Some(by), _) => (by.to_string(), "--by".to_string()),
            (None, Err(message)) => return Err(InputError::Invalid(message.clone()).into()),
            (None, Ok(Some(user))) => (user.clone(), format!("${USER_VARIABLE}")),
            (None, Ok(None)) => (
                git::user_email(self.store()?.root()).ok_or_else(|| {
                    InputError::Invalid(format!(
                        "who is acting? pass --by PERSON, set {USER_VARIABLE}, or set git's user.email"
                    ))
                })?,
                "git's user.email".to_string(),
            ),
        };
        check_one_line("the person (--by)", &person)?;
        let person = person.trim().to_string();
        self.check_person(&person, &source)?;
        Ok(person)
    }

    /// Refuses a person the log's `people` setting does not list, if it
    /// lists any; `what` names where the name came from. A settings file
    /// that cannot be read is left to the commands that need it.
    pub fn check_person(&self, person: &str, what: &str) -> Result<()> {
        if let Ok(settings) = self.settings() {
            settings.check_person(person, what)?;
        }
        Ok(())
    }

    /// The time an event is written at: now. A time pinned by
    /// `CASELOG_NOW` further ahead of the system clock than the log's
    /// `clock_tolerance` is refused, so a typo cannot date an event in the
    /// future for everyone.
    pub fn event_time(&self) -> Result<DateTime<Utc>> {
        let now = self.now()?;
        if let Ok(Clock::Pinned(pinned)) = self.clock {
            let tolerance = self.settings()?.clock_tolerance;
            let system = self.system.now();
            if pinned > system + tolerance.duration() {
                return Err(InputError::Invalid(format!(
                    "{NOW_VARIABLE} ({}) is more than {tolerance} ahead of this machine's clock ({}); events cannot be written in the future (clock_tolerance in caselog.toml)",
                    format_time(pinned, self.zone()),
                    format_time(system, self.zone())
                ))
                .into());
            }
        }
        Ok(now)
    }

    /// Who is acting, and now.
    pub fn stamp(&self, by: Option<&str>) -> Result<Stamp> {
        Ok(Stamp {
            by: self.person(by)?,
            at: self.event_time()?,
            zone: self.zone(),
        })
    }

    /// Changes the case `id` names by `change` (a lifecycle function),
    /// under the log's lock. The time is read once the lock is held, so
    /// commands queued on one case stamp their events in the order they
    /// land. A change that would write a likely payment card number is
    /// refused, unless `allow_card_like` lets it through
    /// (`--allow-card-like-number`: a known false positive), recorded
    /// masked on the change's last event.
    pub fn change(
        &self,
        id: &str,
        by: Option<&str>,
        allow_card_like: bool,
        change: impl FnOnce(&Case, &Stamp) -> Result<Case, Refusal>,
    ) -> Result<Changed> {
        let store = self.store()?;
        // A short id is looked up before the lock is taken: matching it
        // against every file name (a fraction of a second at 100,000
        // cases) would hold up every other writer meanwhile. Under the
        // lock the full id is one path to look at.
        let found = store.find(id)?;
        // A file whose name is no id keeps the query, and its error.
        let full = found
            .file_stem()
            .and_then(|stem| stem.to_str())
            .filter(|stem| crate::case::id::CaseId::parse_full(stem).is_some())
            .unwrap_or(id);
        let mut batch = store.batch()?;
        let staged = self.change_in(&mut batch, full, by, allow_card_like, change)?;
        batch.land()?;
        Ok(staged.landed())
    }

    /// [`Session::change`] as one of a [`Batch`]'s changes, which
    /// lands with the others or not at all; what there is to say of it
    /// waits for [`StagedChange::landed`].
    pub fn change_in(
        &self,
        batch: &mut Batch<'_>,
        id: &str,
        by: Option<&str>,
        allow_card_like: bool,
        change: impl FnOnce(&Case, &Stamp) -> Result<Case, Refusal>,
    ) -> Result<StagedChange> {
        let by = self.person(by)?;
        let mut asked_at = None;
        let changed = batch.change(id, |case| {
            let stamp = Stamp {
                by,
                at: self.event_time()?,
                zone: self.zone(),
            };
            asked_at = Some(stamp.at);
            let after = change(case, &stamp).map_err(Refusal::into_input_error)?;
            // Every text any change writes passes here: no card numbers.
            Ok(card::guard(Some(case), after, allow_card_like)?)
        })?;
        // An event is never dated before the one it follows; far behind
        // (more than a fast clock explains), say so.
        let mut note = None;
        if let (Some(asked), Some(dated)) = (asked_at, changed.after.last_event_at())
            && changed.written
            && dated - asked > self.settings()?.clock_tolerance.duration()
        {
            note = Some(format!(
                "case {} already had an event at {}, later than now ({}); the new one is dated {} to keep the log in order",
                changed.after.id,
                format_time(dated, self.zone()),
                format_time(asked, self.zone()),
                format_time(dated, self.zone())
            ));
        }
        Ok(StagedChange { changed, note })
    }

    /// Reads every case, keeping what `reduce` makes of it; each file that
    /// cannot be read is reported on stderr and counted, and the pass goes on.
    ///
    /// The cases come without their long texts (summaries, notes: see
    /// `store::index::light`), taken from the index where it can vouch
    /// for them; [`Session::every_full_case`] reads every file whole.
    pub fn every_case<T, F>(&self, reduce: F) -> Result<Scan<T>>
    where
        T: Send,
        F: Fn(&Case) -> Option<T> + Sync,
    {
        let progress = super::progress::FirstBuild::new();
        let pass = self
            .store()?
            .every_light_case(self.use_index, &progress, reduce);
        Ok(self.scanned(pass))
    }

    /// [`Session::every_case`], for the cases `wants` judges worth
    /// reading by their glance.
    pub fn every_case_where<T, W, F>(&self, wants: W, reduce: F) -> Result<Scan<T>>
    where
        T: Send,
        W: Fn(&Glance) -> bool + Sync,
        F: Fn(&Case) -> Option<T> + Sync,
    {
        let progress = super::progress::FirstBuild::new();
        let pass = self
            .store()?
            .every_light_case_where(self.use_index, &progress, wants, reduce);
        Ok(self.scanned(pass))
    }

    /// A pass's values, its files that could not be read reported and
    /// counted.
    fn scanned<T>(&self, (cases, errors): (Vec<T>, Vec<anyhow::Error>)) -> Scan<T> {
        Scan {
            cases,
            unreadable: self.tally(&errors),
        }
    }

    /// Reads every case whole, with its texts, from its file.
    pub fn every_full_case<T, F>(&self, reduce: F) -> Result<Scan<T>>
    where
        T: Send,
        F: Fn(Case) -> Option<T> + Sync,
    {
        let pass = self.store()?.load_each(reduce);
        Ok(self.scanned(pass))
    }

    /// The search index, up to date with the case files; files that could
    /// not be read are reported on stderr and left out.
    pub fn search_index(&self) -> Result<(SearchIndex, Vec<anyhow::Error>)> {
        let progress = super::progress::FirstBuild::new();
        let (index, errors) = self.store()?.search_index(self.use_index, &progress)?;
        Ok((index, errors))
    }

    /// `ask` answered from the search index, and the files that could not
    /// be read. A failure that is not the user's (a damaged page of the
    /// database, found only when a query reaches it) never fails the
    /// command: the index is built again from the files, and when even
    /// that fails, `ask` is answered from an index in memory.
    pub fn ask_search_index<T>(
        &self,
        ask: impl Fn(&SearchIndex) -> Result<T>,
    ) -> Result<(T, Vec<anyhow::Error>)> {
        let users = |e: &anyhow::Error| e.downcast_ref::<InputError>().is_some();
        let (index, errors) = self.search_index()?;
        match ask(&index) {
            Ok(answer) => return Ok((answer, errors)),
            Err(e) if users(&e) || !self.use_index => return Err(e),
            Err(_) => {}
        }
        drop(index);
        let store = self.store()?;
        let progress = super::progress::FirstBuild::new();
        let _ = store.forget_search_index();
        if let Ok((index, errors)) = store.search_index(true, &progress) {
            match ask(&index) {
                Ok(answer) => return Ok((answer, errors)),
                Err(e) if users(&e) => return Err(e),
                Err(_) => {}
            }
        }
        let (index, errors) = store.search_index(false, &progress)?;
        Ok((ask(&index)?, errors))
    }

    /// Whether whole-log commands may use the index (`CASELOG_NO_INDEX`
    /// unset): the property tests compare answers with and without it.
    pub fn use_index(&self) -> bool {
        self.use_index
    }

    /// Reports each error of a pass on stderr, unless an earlier pass of
    /// this run said it already; how many there were.
    pub fn tally(&self, errors: &[anyhow::Error]) -> usize {
        let mut said = self.said.borrow_mut();
        for err in errors {
            if said.insert(format!("{err:#}")) {
                warn(err);
            }
        }
        errors.len()
    }
}

/// A change staged in a batch, and what to say of it once it has landed
/// (never before: a batch that fails wrote nothing to speak of).
#[must_use = "say what there is to say once the batch has landed"]
pub struct StagedChange {
    pub changed: Changed,
    note: Option<String>,
}

impl StagedChange {
    /// Says on stderr what there is to say of the change, now its batch
    /// has landed.
    pub fn landed(self) -> Changed {
        if let Some(note) = &self.note {
            super::say(note);
        }
        self.changed
    }
}
