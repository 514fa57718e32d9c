//! One module per subcommand: a plain request in, output out.
//!
//! This layer turns requests into calls on the domain (store, lifecycle,
//! clock) and renders what comes back. It is the only layer that prints.

pub mod agree;
pub mod annotate;
pub mod assign;
pub mod changes;
pub mod check;
pub mod close;
pub mod completions;
pub mod due;
pub mod escalate;
pub mod export;
pub mod fmt;
pub mod follow_up;
pub mod import;
pub mod init;
pub mod input;
pub mod json;
pub mod list;
pub mod log;
pub mod merge_driver;
pub mod next;
pub mod open;
pub mod propose;
pub mod reopen;
pub mod report;
pub mod resolve;
pub mod show;
pub mod similar;
pub mod wait;

use std::io::{self, BufWriter, Write};
use std::path::PathBuf;

use anyhow::{Context, Result};

use crate::clock;
use crate::error::EXIT_OK;
use crate::lifecycle::Stamp;
use crate::person;
use crate::settings::Settings;
use crate::store::{CaseLog, SETTINGS_FILE};

/// A parsed command line, ready to run.
pub enum Request {
    Init(init::Request),
    Open(open::Request),
    Annotate(annotate::Request),
    Assign(assign::Request),
    Wait(wait::Request),
    Propose(propose::Request),
    Agree(agree::Request),
    Escalate(escalate::Request),
    Resolve(resolve::Request),
    FollowUp(follow_up::Request),
    Close(close::Request),
    Reopen(reopen::Request),
    Show(show::Request),
    Next(next::Request),
    Similar(similar::Request),
    List(list::Request),
    Due(due::Request),
    Report(report::Request),
    Export(export::Request),
    Check(check::Request),
    Fmt(fmt::Request),
    Changes(changes::Request),
    Log(log::Request),
    MergeDriver(merge_driver::Request),
    Import(import::Request),
    Completions(clap_complete::Shell, clap::Command),
    Man(clap::Command),
}

/// What every command may need: where the log is, and where we are.
pub struct Session {
    /// `--dir` or `CASELOG_DIR`.
    pub dir: Option<PathBuf>,
    pub cwd: PathBuf,
}

impl Session {
    /// The case log this command works on.
    pub fn log(&self) -> Result<CaseLog> {
        Ok(match &self.dir {
            Some(dir) => CaseLog::at(dir, &self.cwd)?,
            None => CaseLog::discover(&self.cwd)?,
        })
    }

    /// Who is acting, and when.
    pub fn stamp(&self, log: &CaseLog, by: Option<&str>) -> Result<Stamp> {
        Ok(Stamp {
            by: person::acting_person(by, log.root())?,
            at: clock::now()?,
        })
    }

    pub fn settings(&self, log: &CaseLog) -> Result<Settings> {
        Settings::load(log.root(), &log.shown(&log.root().join(SETTINGS_FILE)))
    }
}

/// Runs one request, writing to standard output; returns the exit code.
pub fn run(dir: Option<PathBuf>, request: Request) -> Result<u8> {
    let session = Session {
        dir,
        cwd: std::env::current_dir().context("finding the current folder")?,
    };
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let code = match request {
        Request::Init(r) => init::run(&session, r, &mut out)?,
        Request::Open(r) => open::run(&session, r, &mut out)?,
        Request::Annotate(r) => annotate::run(&session, r, &mut out)?,
        Request::Assign(r) => assign::run(&session, r, &mut out)?,
        Request::Wait(r) => wait::run(&session, r, &mut out)?,
        Request::Propose(r) => propose::run(&session, r, &mut out)?,
        Request::Agree(r) => agree::run(&session, r, &mut out)?,
        Request::Escalate(r) => escalate::run(&session, r, &mut out)?,
        Request::Resolve(r) => resolve::run(&session, r, &mut out)?,
        Request::FollowUp(r) => follow_up::run(&session, r, &mut out)?,
        Request::Close(r) => close::run(&session, r, &mut out)?,
        Request::Reopen(r) => reopen::run(&session, r, &mut out)?,
        Request::Show(r) => show::run(&session, r, &mut out)?,
        Request::Next(r) => next::run(&session, r, &mut out)?,
        Request::Similar(r) => similar::run(&session, r, &mut out)?,
        Request::List(r) => list::run(&session, r, &mut out)?,
        Request::Due(r) => due::run(&session, r, &mut out)?,
        Request::Report(r) => report::run(&session, r, &mut out)?,
        Request::Export(r) => export::run(&session, r, &mut out)?,
        Request::Check(r) => check::run(&session, r, &mut out)?,
        Request::Fmt(r) => fmt::run(&session, r, &mut out)?,
        Request::Changes(r) => changes::run(&session, r, &mut out)?,
        Request::Log(r) => log::run(&session, r, &mut out)?,
        Request::MergeDriver(r) => merge_driver::run(&session, r, &mut out)?,
        Request::Import(r) => import::run(&session, r, &mut out)?,
        Request::Completions(shell, command) => completions::completions(shell, command, &mut out)?,
        Request::Man(command) => completions::man(command, &mut out)?,
    };
    out.flush().context("writing output")?;
    Ok(code)
}

/// Prints an error that does not stop the command (one bad file among many),
/// in the same form `main` uses for the error that does.
pub fn report_error(err: &anyhow::Error) {
    eprintln!("caselog: {err:#}");
}

/// The usual ending of a command that changed one case.
fn done(out: &mut dyn Write, line: std::fmt::Arguments<'_>) -> Result<u8> {
    writeln!(out, "{line}")?;
    Ok(EXIT_OK)
}
