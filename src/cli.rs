//! The command line's top level: the program's parser, its global options
//! and the help that belongs to the whole program. Each subcommand's
//! arguments live beside its `run` under `commands/`.

use std::io::{self, BufWriter, IsTerminal, Write};
use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::{CommandFactory, Parser, Subcommand};

use crate::commands::{
    Session, Terminal, agree, annotate, assign, changes, check, close, completions, due, edit,
    escalate, export, fmt, follow_up, import, index, init, list, log, mail, merge_driver, next,
    open, propose, redact, reopen, reply, report, resolve, search, show, similar, site, terminal,
    wait,
};
use crate::untrusted::TerminalSafe;

const AFTER_HELP: &str = "\
Environment:
  CASELOG_DIR   the case log folder, as --dir
  CASELOG_NOW   the current time (RFC 3339), for reproducible or back-dated entries
  CASELOG_USER  the acting person, when --by is not given (else git's user.email)
  TZ            the time zone times are shown in (else caselog.toml's timezone, else UTC)
  CASELOG_PAGER, PAGER  the pager for show, log and report on a terminal [default: less]
  NO_COLOR      no colour (as --color never); COLUMNS: the width tables fit

Exit codes:
  0  done
  1  something to report: `due --exit-code` listed something, `check` found a
     problem, `fmt --check` found a file to format, a merge left a conflict
  2  bad usage or input: nothing was written
  3  the system failed (I/O, permissions)";

/// A git-friendly case log for customer complaints.
///
/// Each complaint is one TOML file under cases/YYYY/MM/; its history lives in
/// git. Record a complaint with `open`, work it with `annotate`, `assign` and
/// `wait`, settle it with `resolve`, and close it with `follow-up --done`.
#[derive(Debug, Parser)]
#[command(name = "caselog", version, after_help = AFTER_HELP, max_term_width = 100)]
pub struct Cli {
    /// The case log folder (holding caselog.toml and cases/) [default: found
    /// by walking up from the current folder]
    #[arg(long, global = true, env = "CASELOG_DIR", value_name = "DIR")]
    pub dir: Option<PathBuf>,

    /// When to colour the output: auto (on a terminal, unless NO_COLOR is
    /// set), always or never
    #[arg(long, global = true, value_name = "WHEN", default_value = "auto")]
    pub color: clap::ColorChoice,

    /// Do not send long output (show, log, report) through the pager
    #[arg(long, global = true)]
    pub no_pager: bool,

    #[command(subcommand)]
    pub command: Command,
}

/// Each command's arguments are built only for the command that runs
/// (`defer`): building them all costs a one-case command about a sixth of
/// its time. So the listing in `caselog --help` takes each line below,
/// while a command's own help comes from its `…Args`; a test keeps the
/// two the same.
#[derive(Debug, Subcommand)]
#[command(defer = true)]
pub enum Command {
    /// Make a case log: cases/, caselog.toml, and the git merge driver
    Init(init::InitArgs),
    /// Record a new complaint; prints only the new id
    Open(open::OpenArgs),
    /// Add a note, a contact with the customer, or a handling step
    #[command(visible_alias = "note")]
    Annotate(annotate::AnnotateArgs),
    /// Record one e-mail: a reply to a case, or a new complaint
    Mail(mail::MailArgs),
    /// Send the customer an e-mail reply, and record it
    Reply(reply::ReplyArgs),
    /// Hand a case to a person
    Assign(assign::AssignArgs),
    /// Park an open case while waiting on the customer or a third party
    Wait(wait::WaitArgs),
    /// Record a possible solution, with its pluses and minuses
    Propose(propose::ProposeArgs),
    /// Record that the customer agreed to a proposed solution
    Agree(agree::AgreeArgs),
    /// Hand a case to someone senior, with the reason
    Escalate(escalate::EscalateArgs),
    /// Record the resolution and schedule the follow-up
    Resolve(resolve::ResolveArgs),
    /// Schedule, reschedule or record the follow-up with the customer
    FollowUp(follow_up::FollowUpArgs),
    /// Close a case
    Close(close::CloseArgs),
    /// Reopen a resolved or closed case (counted as a reopen), or resume a waiting one
    Reopen(reopen::ReopenArgs),
    /// Correct a case's own fields, each change recorded as an event
    Edit(edit::EditArgs),
    /// Erase customers' personal data, keeping what reports need
    Redact(redact::RedactArgs),
    /// Show one case: for a person (text) or a program (toml, json)
    Show(show::ShowArgs),
    /// What to do next on a case, by the handling practice, each with why
    Next(next::NextArgs),
    /// Cases like this one, and how they ended
    Similar(similar::SimilarArgs),
    /// Search every case's words
    Search(search::SearchArgs),
    /// List cases as a table (prints nothing when none match)
    List(list::ListArgs),
    /// List what is due or overdue: the command cron runs
    Due(due::DueArgs),
    /// Counts and timings over a period: what to learn from the complaints
    Report(report::ReportArgs),
    /// Write a static web site of the report, what is due, and every case
    Site(site::SiteArgs),
    /// Every case as JSON, YAML or CSV, for migration and analysis
    Export(export::ExportArgs),
    /// Create cases from an export: caselog's own, or a help desk's
    Import(import::ImportArgs),
    /// Bring the index up to date (or build it afresh) and say what it holds
    Index(index::IndexArgs),
    /// Validate every case file, for CI and pre-commit hooks
    Check(check::CheckArgs),
    /// Rewrite case files into caselog's canonical layout, keeping comments
    Fmt(fmt::FmtArgs),
    /// What a range of commits did to the cases, for review
    Changes(changes::ChangesArgs),
    /// The history of one case from git: each commit that touched it, with author, date, and what it did to the case
    Log(log::LogArgs),
    /// The git merge driver for case files (git runs it; see `caselog init`)
    MergeDriver(merge_driver::MergeDriverArgs),
    /// Print a shell completion script
    Completions(completions::CompletionsArgs),
    /// Print the man page (roff)
    Man(completions::ManArgs),
}

impl Command {
    /// Whether this command's output can be long enough to page, as git
    /// pages `log` and `show`.
    fn pages(&self) -> bool {
        matches!(
            self,
            Command::Show(_) | Command::Log(_) | Command::Report(_)
        )
    }

    /// Whether this command writes data whose bytes must be kept exactly
    /// (CSV, YAML), rather than text for people or escaped JSON.
    fn writes_data(&self) -> bool {
        match self {
            Command::Export(args) => {
                matches!(args.format, export::Format::Csv | export::Format::Yaml)
            }
            Command::Report(args) => {
                matches!(args.format, report::Format::Csv | report::Format::Yaml)
            }
            _ => false,
        }
    }
}

/// Words people try for a command caselog names otherwise, with what to
/// type instead: a closest spelling would point somewhere unrelated.
const OTHER_WORDS: &[(&[&str], &str)] = &[
    (
        &["delete", "remove", "rm", "del", "drop"],
        "caselog keeps every case; close one opened by mistake with `caselog close ID --opened-in-error --reason TEXT`, or a repeat with `--duplicate-of OTHER`",
    ),
    (
        &["new", "create", "add"],
        "record a complaint with `caselog open`",
    ),
    (&["comment"], "add a note with `caselog note ID TEXT`"),
    (
        &["view", "cat", "get"],
        "see one case with `caselog show ID`",
    ),
    (&["ls"], "list cases with `caselog list`"),
    (
        &["solve", "done", "finish"],
        "record the resolution with `caselog resolve ID --summary TEXT`",
    ),
    (
        &["stats", "summary"],
        "counts and timings are `caselog report`",
    ),
    (
        &["validate", "lint"],
        "validate the case files with `caselog check`",
    ),
    (
        &["history"],
        "one case's history from git is `caselog log ID`",
    ),
    (
        &["reassign"],
        "hand a case to someone with `caselog assign ID PERSON`",
    ),
];

impl Cli {
    /// Parses the command line. An unknown command is answered with what
    /// to type instead when it is a word people use for one of caselog's,
    /// else with the command it is a likely typo of, else with no guess
    /// (clap's own guess takes `delete` for `escalate`).
    pub fn parse_args() -> Result<Cli, clap::Error> {
        Cli::try_parse().map_err(|err| match err.kind() {
            clap::error::ErrorKind::InvalidUtf8 => name_non_utf8_argument(err, std::env::args_os()),
            _ => suggest_command(err),
        })
    }

    /// Runs the command, writing to standard output; returns the exit code.
    pub fn run(self) -> Result<u8> {
        let color = match self.color {
            clap::ColorChoice::Always => anstream::ColorChoice::Always,
            clap::ColorChoice::Never => anstream::ColorChoice::Never,
            clap::ColorChoice::Auto => anstream::ColorChoice::Auto,
        };
        let session = Session::from_env(self.dir, Terminal::from_env(color, self.no_pager))?;
        let terminal = session.terminal().clone();
        let stdout = io::stdout();
        // Data for another program (CSV, YAML) goes out as it is, unless
        // it is going to a terminal; everything else passes through the
        // terminal-safe writer. Long output for a terminal is gathered,
        // then shown through the pager.
        let raw = self.command.writes_data() && !stdout.is_terminal();
        let pager = terminal.pager().filter(|_| self.command.pages());
        let mut paged: Vec<u8> = Vec::new();
        let result = {
            let mut out: Box<dyn Write + '_> = if raw {
                Box::new(BufWriter::new(stdout.lock()))
            } else if pager.is_some() {
                Box::new(BufWriter::new(TerminalSafe::new(
                    &mut paged,
                    terminal.colour(),
                )))
            } else {
                Box::new(BufWriter::new(TerminalSafe::new(
                    stdout.lock(),
                    terminal.colour(),
                )))
            };
            let result = self.command.run(&session, &mut out);
            out.flush().context("writing output").and(result)
        };
        // What was written is shown even when the command then failed.
        if let Some(pager) = pager {
            terminal::page(pager, &paged).context("writing output")?;
        }
        result
    }
}

impl Command {
    fn run(self, s: &Session, o: &mut Box<dyn Write + '_>) -> Result<u8> {
        Ok(match self {
            Command::Init(args) => init::run(s, args, o)?,
            Command::Open(args) => open::run(s, args, o)?,
            Command::Annotate(args) => annotate::run(s, args, o)?,
            Command::Mail(args) => mail::run(s, args, o)?,
            Command::Reply(args) => reply::run(s, args, o)?,
            Command::Assign(args) => assign::run(s, args, o)?,
            Command::Wait(args) => wait::run(s, args, o)?,
            Command::Propose(args) => propose::run(s, args, o)?,
            Command::Agree(args) => agree::run(s, args, o)?,
            Command::Escalate(args) => escalate::run(s, args, o)?,
            Command::Resolve(args) => resolve::run(s, args, o)?,
            Command::FollowUp(args) => follow_up::run(s, args, o)?,
            Command::Close(args) => close::run(s, args, o)?,
            Command::Reopen(args) => reopen::run(s, args, o)?,
            Command::Edit(args) => edit::run(s, args, o)?,
            Command::Redact(args) => redact::run(s, args, o)?,
            Command::Show(args) => show::run(s, args, o)?,
            Command::Next(args) => next::run(s, args, o)?,
            Command::Similar(args) => similar::run(s, args, o)?,
            Command::Search(args) => search::run(s, args, o)?,
            Command::List(args) => list::run(s, args, o)?,
            Command::Due(args) => due::run(s, args, o)?,
            Command::Report(args) => report::run(s, args, o)?,
            Command::Site(args) => site::run(s, args, o)?,
            Command::Export(args) => export::run(s, args, o)?,
            Command::Import(args) => import::run(s, args, o)?,
            Command::Index(args) => index::run(s, args, o)?,
            Command::Check(args) => check::run(s, args, o)?,
            Command::Fmt(args) => fmt::run(s, args, o)?,
            Command::Changes(args) => changes::run(s, args, o)?,
            Command::Log(args) => log::run(s, args, o)?,
            Command::MergeDriver(args) => merge_driver::run(s, args, o)?,
            Command::Completions(args) => completions::completions(args, Cli::command(), o)?,
            Command::Man(_) => completions::man(Cli::command(), o)?,
        })
    }
}

/// clap says only that some argument is not UTF-8: this says which (by its
/// place and as it shows), and that only file and folder names may be.
fn name_non_utf8_argument(
    err: clap::Error,
    args: impl IntoIterator<Item = std::ffi::OsString>,
) -> clap::Error {
    let Some((place, arg)) = args
        .into_iter()
        .enumerate()
        .skip(1)
        .find(|(_, arg)| arg.to_str().is_none())
    else {
        return err;
    };
    clap::Error::raw(
        err.kind(),
        format!(
            "argument {place} ('{}') is not UTF-8 text, which only a file or folder name may be\n",
            arg.to_string_lossy()
        ),
    )
}

fn suggest_command(mut err: clap::Error) -> clap::Error {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    if err.kind() != ErrorKind::InvalidSubcommand {
        return err;
    }
    let Some(ContextValue::String(typed)) = err.get(ContextKind::InvalidSubcommand).cloned() else {
        return err;
    };
    err.remove(ContextKind::SuggestedSubcommand);
    let typed = typed.trim().to_lowercase();
    if let Some((_, tip)) = OTHER_WORDS
        .iter()
        .find(|(words, _)| words.contains(&typed.as_str()))
    {
        err.insert(
            ContextKind::Suggested,
            ContextValue::StyledStrs(vec![(*tip).into()]),
        );
        return err;
    }
    let command = Cli::command();
    let names = command
        .get_subcommands()
        .flat_map(|c| std::iter::once(c.get_name()).chain(c.get_visible_aliases()));
    if let Some(close) = crate::words::closest(&typed, names) {
        err.insert(
            ContextKind::SuggestedSubcommand,
            ContextValue::String(close.to_string()),
        );
    }
    err
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_help_listing_describes_each_command_as_its_own_help_does() {
        let listed = Cli::command();
        let mut built = Cli::command();
        built.build();
        let mut compared = 0;
        for command in listed.get_subcommands() {
            let name = command.get_name();
            let own = built
                .find_subcommand(name)
                .unwrap_or_else(|| panic!("{name} is built"));
            let about = |c: &clap::Command| c.get_about().map(ToString::to_string);
            assert!(about(command).is_some(), "{name} has a line in the listing");
            assert_eq!(about(command), about(own), "{name}");
            compared += 1;
        }
        assert!(compared > 30, "{compared}");
    }
}
