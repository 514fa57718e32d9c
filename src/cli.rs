//! The command line: clap types and help text, and nothing else.
//!
//! Each subcommand's arguments turn into the plain request of its module
//! under `commands/`; no clap type goes further down than that.

use std::path::PathBuf;
use std::str::FromStr;

use clap::builder::{PossibleValuesParser, TypedValueParser};
use clap::{Args, CommandFactory, Parser, Subcommand};

use crate::case::{Action, Channel, Outcome, Severity, Status};
use crate::commands::{
    agree, annotate, assign, changes, check, close, due, escalate, export, fmt, follow_up, import,
    init, list, log, merge_driver, next, open, propose, reopen, report, resolve, show, similar,
    wait,
};
use crate::deadlines::Kind;
use crate::lifecycle::{self, Agreement};
use crate::report::By;

const AFTER_HELP: &str = "\
Environment:
  CASELOG_DIR   the case log folder, as --dir
  CASELOG_NOW   the current time (RFC 3339), for reproducible or back-dated entries
  CASELOG_USER  the acting person, when --by is not given (else git's user.email)

Exit codes:
  0  done
  1  `due --exit-code` listed something
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

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    Init(InitArgs),
    Open(OpenArgs),
    #[command(visible_alias = "note")]
    Annotate(AnnotateArgs),
    Assign(AssignArgs),
    Wait(WaitArgs),
    Propose(ProposeArgs),
    Agree(AgreeArgs),
    Escalate(EscalateArgs),
    Resolve(ResolveArgs),
    FollowUp(FollowUpArgs),
    Close(CloseArgs),
    Reopen(ReopenArgs),
    Show(ShowArgs),
    Next(NextArgs),
    Similar(SimilarArgs),
    List(ListArgs),
    Due(DueArgs),
    Report(ReportArgs),
    Export(ExportArgs),
    Import(ImportArgs),
    Check(CheckArgs),
    Fmt(FmtArgs),
    Changes(ChangesArgs),
    Log(LogArgs),
    MergeDriver(MergeDriverArgs),
    Completions(CompletionsArgs),
    Man(ManArgs),
}

/// A value parser for a closed set of words, so help and completions list them.
fn words<T>(words: &'static [&'static str]) -> impl TypedValueParser<Value = T>
where
    T: FromStr<Err = String> + Clone + Send + Sync + 'static,
{
    PossibleValuesParser::new(words).try_map(|s| s.parse::<T>())
}

/// The acting person, for commands that change a case.
#[derive(Debug, Args)]
pub struct ByArg {
    /// Who is acting [default: $CASELOG_USER, else git's user.email]
    #[arg(long, value_name = "PERSON")]
    pub by: Option<String>,
}

/// Make a case log: cases/, caselog.toml, and the git merge driver
///
/// Writes cases/, a commented caselog.toml, the .gitignore line for the lock
/// file and the .gitattributes line that sends case files to caselog's merge
/// driver, and registers the driver in the clone's git config. git does not
/// clone config: in every fresh clone, run `caselog init --git`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// Where to make it [default: --dir, else the current folder]
    pub path: Option<PathBuf>,
    /// Only register the merge driver (what a fresh clone needs)
    #[arg(long)]
    pub git: bool,
}

/// Record a new complaint; prints only the new id
///
/// The complaint summary, in the customer's words, comes from --summary,
/// --summary-file, standard input, or $VISUAL/$EDITOR at a terminal. On
/// stderr, it names the customer's earlier cases (same --reference, else
/// same --contact) and the most similar cases, as `caselog similar` does.
#[derive(Debug, Args)]
pub struct OpenArgs {
    /// A one-line title
    #[arg(long)]
    pub title: String,
    /// The customer's name
    #[arg(long, value_name = "NAME")]
    pub customer: String,
    /// How to reach the customer (email address, phone number…)
    #[arg(long, value_name = "CONTACT")]
    pub contact: Option<String>,
    /// An account or order number; finds repeat customers
    #[arg(long, value_name = "REF")]
    pub reference: Option<String>,
    /// How the customer prefers to be contacted
    #[arg(long, value_name = "HOW", value_parser = words::<Channel>(Channel::WORDS))]
    pub preferred_contact: Option<Channel>,
    /// How the complaint reached us
    #[arg(long, value_name = "CHANNEL", default_value = "other", value_parser = words::<Channel>(Channel::WORDS))]
    pub channel: Channel,
    /// The category (from caselog.toml's list, when it has one)
    #[arg(long)]
    pub category: Option<String>,
    /// How much it hurts the customer or the business
    #[arg(long, default_value = "normal", value_parser = words::<Severity>(Severity::WORDS))]
    pub severity: Severity,
    /// A tag; repeat for several
    #[arg(long = "tag", value_name = "TAG")]
    pub tags: Vec<String>,
    /// The remedy the customer asks for
    #[arg(long, value_name = "REMEDY")]
    pub wants: Option<String>,
    /// Who handles the case
    #[arg(long, value_name = "PERSON")]
    pub assignee: Option<String>,
    /// The complaint in the customer's words
    #[arg(long, value_name = "TEXT", conflicts_with = "summary_file")]
    pub summary: Option<String>,
    /// Read the summary from a file ('-' for standard input)
    #[arg(long, value_name = "FILE")]
    pub summary_file: Option<PathBuf>,
    /// Print only the id: skip the hints on stderr about the customer's
    /// earlier cases and similar cases (and the pass over every case they take)
    #[arg(long, short)]
    pub quiet: bool,
    #[command(flatten)]
    pub by: ByArg,
}

/// The kinds of note `annotate --kind` takes: the lifecycle's own list.
fn note_kinds() -> impl TypedValueParser<Value = Action> {
    PossibleValuesParser::new(lifecycle::NOTE_KINDS.iter().map(|kind| kind.as_str()))
        .try_map(|s| s.parse::<Action>())
}

/// Add a note, a contact with the customer, or a handling step
///
/// The text comes from TEXT, from standard input ('-' or a pipe), or from
/// $VISUAL/$EDITOR at a terminal. A reply, call, email or acknowledgement is
/// contact with the customer; the first one is the case's first response. A
/// reply to a waiting case puts it back to open. The handling steps
/// (acknowledged, listened: summarised back, question: asked, apologised,
/// thanked) show in the checklist of `caselog show` and guide `caselog next`.
#[derive(Debug, Args)]
pub struct AnnotateArgs {
    /// The case: its id, or a unique prefix or suffix of it
    pub id: String,
    /// The note ('-' reads standard input)
    pub text: Option<String>,
    /// What the note records
    #[arg(long, default_value = "note", value_parser = note_kinds())]
    pub kind: Action,
    #[command(flatten)]
    pub by: ByArg,
}

/// Hand a case to a person
#[derive(Debug, Args)]
pub struct AssignArgs {
    /// The case: its id, or a unique prefix or suffix of it
    pub id: String,
    /// Who handles it from now on
    pub person: String,
    #[command(flatten)]
    pub by: ByArg,
}

/// Park an open case while waiting on the customer or a third party
///
/// `caselog reopen`, or a note of kind reply, puts it back to open.
#[derive(Debug, Args)]
pub struct WaitArgs {
    /// The case: its id, or a unique prefix or suffix of it
    pub id: String,
    /// What or whom the case is waiting for
    #[arg(long)]
    pub reason: String,
    /// When to look again if nothing comes: a duration (3d) or a time;
    /// `caselog due` lists the case then
    #[arg(long, value_name = "WHEN")]
    pub until: Option<String>,
    #[command(flatten)]
    pub by: ByArg,
}

/// Record a possible solution, with its pluses and minuses
///
/// Options are numbered 1, 2, 3… in the order proposed; prints the number.
/// When the customer chooses one, record it with `caselog agree`.
#[derive(Debug, Args)]
pub struct ProposeArgs {
    /// The case: its id, or a unique prefix or suffix of it
    pub id: String,
    /// The solution
    pub text: String,
    /// A plus of this solution; repeat for several
    #[arg(long = "pro", value_name = "TEXT")]
    pub pros: Vec<String>,
    /// A minus of this solution; repeat for several
    #[arg(long = "con", value_name = "TEXT")]
    pub cons: Vec<String>,
    #[command(flatten)]
    pub by: ByArg,
}

/// Record that the customer agreed to a proposed solution
///
/// Write the agreement down as the practice asks: how it was made, what
/// happens if conditions change, and how it will be kept. `caselog resolve`
/// then refers to the agreed option.
#[derive(Debug, Args)]
pub struct AgreeArgs {
    /// The case: its id, or a unique prefix or suffix of it
    pub id: String,
    /// The option the customer chose, as `caselog propose` numbered it
    pub option: u32,
    /// How the agreement was made
    #[arg(long, value_name = "HOW", value_parser = words::<Channel>(Channel::WORDS))]
    pub how: Option<Channel>,
    /// What happens if conditions change
    #[arg(long, value_name = "TEXT")]
    pub contingency: Option<String>,
    /// How keeping the agreement will be monitored
    #[arg(long, value_name = "TEXT")]
    pub monitor: Option<String>,
    #[command(flatten)]
    pub by: ByArg,
}

/// Hand a case to someone senior, with the reason
///
/// The case is assigned to PERSON and the escalation is recorded; `caselog
/// report` counts the escalation rate. The practice wants the person who
/// took the complaint to solve it where they can, so a rising rate is a
/// signal.
#[derive(Debug, Args)]
pub struct EscalateArgs {
    /// The case: its id, or a unique prefix or suffix of it
    pub id: String,
    /// Who takes the case over
    #[arg(long, value_name = "PERSON")]
    pub to: String,
    /// Why it needs someone senior
    #[arg(long, value_name = "TEXT")]
    pub reason: String,
    #[command(flatten)]
    pub by: ByArg,
}

/// Record the resolution and schedule the follow-up
///
/// The follow-up is due `follow_up_after` (caselog.toml, default 48h) after
/// the resolution. The option the customer agreed to, if any, is recorded
/// with the resolution (and counts as the customer's agreement).
#[derive(Debug, Args)]
pub struct ResolveArgs {
    /// The case: its id, or a unique prefix or suffix of it
    pub id: String,
    /// What was done, and what was agreed with the customer
    #[arg(long, value_name = "TEXT")]
    pub summary: String,
    /// The customer agreed to the resolution
    #[arg(long, conflicts_with = "not_agreed")]
    pub agreed: bool,
    /// The customer did not agree to the resolution
    #[arg(long)]
    pub not_agreed: bool,
    /// Whether the complaint was found justified
    #[arg(long, value_name = "OUTCOME", value_parser = words::<Outcome>(Outcome::WORDS))]
    pub outcome: Option<Outcome>,
    /// What caused the problem, so it can be fixed for everyone
    #[arg(long, value_name = "TEXT")]
    pub root_cause: Option<String>,
    /// What the customer was given: a refund, a replacement, a goodwill gesture
    #[arg(long, value_name = "TEXT")]
    pub redress: Option<String>,
    /// Schedule no follow-up
    #[arg(long)]
    pub no_follow_up: bool,
    #[command(flatten)]
    pub by: ByArg,
}

/// Schedule, reschedule or record the follow-up with the customer
///
/// With --done, a satisfied customer closes the case and an unsatisfied one
/// reopens it; without --satisfied (no answer) the case stays resolved.
#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("what").required(true).args(["in_", "at", "done"]))]
pub struct FollowUpArgs {
    /// The case: its id, or a unique prefix or suffix of it
    pub id: String,
    /// A note on the follow-up call (with --done)
    #[arg(requires = "done")]
    pub text: Option<String>,
    /// Schedule it this long from now (90m, 48h, 2d, 1w)
    #[arg(long = "in", value_name = "DURATION")]
    pub in_: Option<String>,
    /// Schedule it at this time (RFC 3339, '2026-11-24 09:00' UTC, or a date)
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
    /// Record that the follow-up happened
    #[arg(long)]
    pub done: bool,
    /// The customer's answer
    #[arg(long, requires = "done", value_parser = ["yes", "no"])]
    pub satisfied: Option<String>,
    #[command(flatten)]
    pub by: ByArg,
}

/// Close a case
///
/// A resolved case whose follow-up is done closes as it is; closing any
/// other case needs --reason, so the exception is on the record.
#[derive(Debug, Args)]
pub struct CloseArgs {
    /// The case: its id, or a unique prefix or suffix of it
    pub id: String,
    /// Why it is closed
    #[arg(long)]
    pub reason: Option<String>,
    #[command(flatten)]
    pub by: ByArg,
}

/// Reopen a resolved or closed case (counted as a reopen), or resume a waiting one
#[derive(Debug, Args)]
pub struct ReopenArgs {
    /// The case: its id, or a unique prefix or suffix of it
    pub id: String,
    /// Why it is reopened
    #[arg(long)]
    pub reason: String,
    #[command(flatten)]
    pub by: ByArg,
}

/// Show one case: for a person (text) or a program (toml, json)
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The case: its id, or a unique prefix or suffix of it
    pub id: String,
    #[arg(long, default_value = "text", value_parser = words::<show::Format>(show::Format::WORDS))]
    pub format: show::Format,
}

/// What to do next on a case, by the handling practice, each with why
///
/// Derived from the case's status, events and deadlines: a reply not yet
/// sent, steps not taken (summarising back, apologising…), solutions to
/// propose or agree, the follow-up to make, a customer not satisfied.
#[derive(Debug, Args)]
pub struct NextArgs {
    /// The case: its id, or a unique prefix or suffix of it
    pub id: String,
    #[arg(long, default_value = "text", value_parser = words::<next::Format>(next::Format::WORDS))]
    pub format: next::Format,
}

/// Cases like this one, and how they ended
///
/// Ranks every other case by how much its title and complaint summary share
/// this case's words (BM25, a TF-IDF ranking; rare words count most), with
/// a boost for the same category. Shows each one's status, outcome,
/// resolution, redress and whether the customer was satisfied.
#[derive(Debug, Args)]
pub struct SimilarArgs {
    /// The case: its id, or a unique prefix or suffix of it
    pub id: String,
    /// Show at most this many
    #[arg(long, default_value_t = 5, value_name = "N")]
    pub limit: usize,
    #[arg(long, default_value = "text", value_parser = words::<similar::Format>(similar::Format::WORDS))]
    pub format: similar::Format,
}

/// Which cases to keep, for `list` and `export`.
#[derive(Debug, Args)]
pub struct FilterArgs {
    /// Only cases with this status; repeat for several
    #[arg(long, value_name = "STATUS", value_parser = words::<Status>(Status::WORDS))]
    pub status: Vec<Status>,
    /// Only cases in this category
    #[arg(long)]
    pub category: Option<String>,
    /// Only cases assigned to this person
    #[arg(long, value_name = "PERSON")]
    pub assignee: Option<String>,
}

impl FilterArgs {
    fn into_filter(self) -> list::Filter {
        list::Filter {
            statuses: self.status,
            category: self.category,
            assignee: self.assignee,
        }
    }
}

/// List cases as a table (prints nothing when none match)
#[derive(Debug, Args)]
pub struct ListArgs {
    #[command(flatten)]
    pub filter: FilterArgs,
    #[arg(long, default_value = "table", value_parser = words::<list::Format>(list::Format::WORDS))]
    pub format: list::Format,
}

/// Every case as JSON, YAML or CSV, for migration and analysis
///
/// One flat row per case with every field; in CSV, tags are joined with
/// "; " and events are JSON text. `caselog import` reads it back.
#[derive(Debug, Args)]
pub struct ExportArgs {
    #[command(flatten)]
    pub filter: FilterArgs,
    #[arg(long, default_value = "json", value_parser = words::<export::Format>(export::Format::WORDS))]
    pub format: export::Format,
}

/// Create cases from an export: caselog's own, or a help desk's
///
/// Each row needs title, customer, opened_at and summary; every other
/// field of `caselog export` is optional (status, category, channel,
/// resolved_at…). Ids are new; each case gets an `imported` event. Every
/// row is checked first: one bad row (reported with its row number) means
/// nothing is written, unless --skip-invalid. Prints the new ids.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The file ('-' for standard input)
    pub file: PathBuf,
    /// The file's format [default: from its extension]
    #[arg(long, value_parser = words::<export::Format>(export::Format::WORDS))]
    pub format: Option<export::Format>,
    /// Import the valid rows and report the others, instead of importing nothing
    #[arg(long)]
    pub skip_invalid: bool,
    #[command(flatten)]
    pub by: ByArg,
}

const DUE_AFTER_HELP: &str = "\
Deadlines (caselog.toml): first response within first_response_within (24h)
of opening; resolution within resolve_within (14d, or per severity); the
follow-up at its scheduled time; a wait at its --until.

Exit codes:
  0  nothing listed, or something listed without --exit-code
  1  something listed, with --exit-code
  2  bad usage or input, or some case files could not be read
  3  the system failed (I/O, permissions)";

/// List what is due or overdue: the command cron runs
///
/// One line per deadline, most overdue first: the case, what is due, how long
/// overdue or until due, the assignee and the title. Prints nothing at all
/// when nothing is due, so cron mails only when there is work.
#[derive(Debug, Args)]
#[command(after_help = DUE_AFTER_HELP)]
pub struct DueArgs {
    /// Also list what falls due within this long (90m, 2d, 1w)
    #[arg(long, value_name = "DURATION", conflicts_with = "all")]
    pub within: Option<String>,
    /// List every pending deadline, however far off (for a calendar feed)
    #[arg(long)]
    pub all: bool,
    /// Only cases assigned to this person
    #[arg(long = "for", value_name = "PERSON")]
    pub person: Option<String>,
    /// Only this kind of deadline; repeat for several
    #[arg(long, value_name = "KIND", value_parser = words::<Kind>(Kind::WORDS))]
    pub kind: Vec<Kind>,
    /// text for people, json for scripts, ics (iCalendar VTODOs) for calendars
    #[arg(long, default_value = "text", value_parser = words::<due::Format>(due::Format::WORDS))]
    pub format: due::Format,
    /// Exit 1 when something is listed, 0 when nothing is (as `git diff --exit-code`)
    #[arg(long)]
    pub exit_code: bool,
}

/// Counts and timings over a period: what to learn from the complaints
///
/// Received, open, resolved, closed and reopened cases; time to first
/// response and to resolution (median, 90th percentile, share within
/// target); follow-up compliance; satisfaction; top categories, repeat
/// customers and the weekly trend. The README defines each measure.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Start of the period: a time (2026-11-01) or a duration before now (30d)
    /// [default: the beginning]
    #[arg(long, value_name = "WHEN")]
    pub since: Option<String>,
    /// End of the period, exclusive [default: now]
    #[arg(long, value_name = "TIME")]
    pub until: Option<String>,
    /// Compute the report as it looked at this time, ignoring later events
    #[arg(long, value_name = "TIME")]
    pub as_of: Option<String>,
    /// Also a table per group
    #[arg(long, value_name = "GROUPING", value_parser = words::<By>(By::WORDS))]
    pub by: Option<By>,
    /// table for a terminal, markdown for a pull request, json/yaml/csv for programs
    #[arg(long, default_value = "table", value_parser = words::<report::Format>(report::Format::WORDS))]
    pub format: report::Format,
}

/// Validate every case file, for CI and pre-commit hooks
///
/// Each problem is listed as `path:line: message`: syntax and types,
/// unknown keys and values, leftover merge conflict markers, a file whose
/// path does not match its id, an id stored twice, events out of order, a
/// status the event log contradicts, and the like. Prints nothing when all
/// is well. Exit codes: 0 no problems, 1 problems listed, 2 bad usage.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Check only these files [default: every case file]
    pub paths: Vec<PathBuf>,
    /// text, or github for GitHub Actions annotations (::error file=…,line=…::…)
    #[arg(long, default_value = "text", value_parser = words::<check::Format>(check::Format::WORDS))]
    pub format: check::Format,
}

/// Rewrite case files into caselog's canonical layout, keeping comments
///
/// Key order, one value per line, lists one item per line, one spelling of
/// every value. Prints each file it changes. With --check it changes
/// nothing, lists the files that would change and exits 1 if any would.
#[derive(Debug, Args)]
pub struct FmtArgs {
    /// The cases to format: ids, or unique prefixes or suffixes [default: every case]
    pub ids: Vec<String>,
    /// Change nothing; list the files that are not canonical and exit 1 if any
    #[arg(long)]
    pub check: bool,
}

/// What a range of commits did to the cases, for review
///
/// Cases opened, resolved, reopened, closed, followed up (with the
/// customer's answer), reassigned, and notes added, grouped per case with
/// its title. Reads the case files at both revisions through git, without
/// a checkout; handles added, deleted and moved files.
#[derive(Debug, Args)]
pub struct ChangesArgs {
    /// `A..B`, `A...B` (from their merge base, as a pull request shows), or `A` (to HEAD)
    pub range: String,
    /// text, markdown for a pull request, json for bots
    #[arg(long, default_value = "text", value_parser = words::<changes::Format>(changes::Format::WORDS))]
    pub format: changes::Format,
}

/// The history of one case from git: each commit that touched it, with
/// author, date, and what it did to the case
#[derive(Debug, Args)]
pub struct LogArgs {
    /// The case: its id, or a unique prefix or suffix of it
    pub id: String,
    #[arg(long, default_value = "text", value_parser = words::<changes::Format>(changes::Format::WORDS))]
    pub format: changes::Format,
}

/// The git merge driver for case files (git runs it; see `caselog init`)
///
/// Keeps every event of both sides, once each, in time order; merges each
/// field changed on one side, or alike on both; marks a field changed
/// differently on both sides with conflict markers around its lines and
/// exits 1.
#[derive(Debug, Args)]
pub struct MergeDriverArgs {
    /// %O: the common ancestor's version
    pub base: PathBuf,
    /// %A: our version, replaced by the result
    pub ours: PathBuf,
    /// %B: their version
    pub theirs: PathBuf,
    /// %P: the file's path, for messages
    pub path: Option<String>,
    /// %L: the conflict marker size
    #[arg(default_value_t = 7)]
    pub marker_size: usize,
}

/// Print a shell completion script
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    pub shell: clap_complete::Shell,
}

/// Print the man page (roff)
#[derive(Debug, Args)]
pub struct ManArgs {}

impl OpenArgs {
    pub fn into_request(self) -> open::Request {
        open::Request {
            title: self.title,
            customer: self.customer,
            contact: self.contact,
            reference: self.reference,
            preferred_contact: self.preferred_contact,
            channel: self.channel,
            category: self.category,
            severity: self.severity,
            tags: self.tags,
            wants: self.wants,
            assignee: self.assignee,
            summary: self.summary,
            summary_file: self.summary_file,
            hints: !self.quiet,
            by: self.by.by,
        }
    }
}

impl Command {
    /// The request this command makes of its module under `commands/`.
    pub fn into_request(self) -> crate::commands::Request {
        use crate::commands::Request;
        match self {
            Command::Init(a) => Request::Init(init::Request {
                path: a.path,
                git_only: a.git,
            }),
            Command::Open(a) => Request::Open(a.into_request()),
            Command::Annotate(a) => Request::Annotate(annotate::Request {
                id: a.id,
                text: a.text,
                kind: a.kind,
                by: a.by.by,
            }),
            Command::Assign(a) => Request::Assign(assign::Request {
                id: a.id,
                person: a.person,
                by: a.by.by,
            }),
            Command::Wait(a) => Request::Wait(wait::Request {
                id: a.id,
                reason: a.reason,
                until: a.until,
                by: a.by.by,
            }),
            Command::Propose(a) => Request::Propose(propose::Request {
                id: a.id,
                text: a.text,
                pros: a.pros,
                cons: a.cons,
                by: a.by.by,
            }),
            Command::Agree(a) => Request::Agree(agree::Request {
                id: a.id,
                option: a.option,
                terms: Agreement {
                    how: a.how,
                    contingency: a.contingency,
                    monitor: a.monitor,
                },
                by: a.by.by,
            }),
            Command::Escalate(a) => Request::Escalate(escalate::Request {
                id: a.id,
                to: a.to,
                reason: a.reason,
                by: a.by.by,
            }),
            Command::Resolve(a) => Request::Resolve(resolve::Request {
                id: a.id,
                summary: a.summary,
                agreed: match (a.agreed, a.not_agreed) {
                    (true, _) => Some(true),
                    (_, true) => Some(false),
                    _ => None,
                },
                outcome: a.outcome,
                root_cause: a.root_cause,
                redress: a.redress,
                follow_up: !a.no_follow_up,
                by: a.by.by,
            }),
            Command::FollowUp(a) => Request::FollowUp(follow_up::Request {
                id: a.id,
                what: match (a.in_, a.at) {
                    (Some(span), _) => follow_up::What::ScheduleIn(span),
                    (_, Some(time)) => follow_up::What::ScheduleAt(time),
                    _ => follow_up::What::Done {
                        satisfied: a.satisfied.map(|s| s == "yes"),
                        text: a.text,
                    },
                },
                by: a.by.by,
            }),
            Command::Close(a) => Request::Close(close::Request {
                id: a.id,
                reason: a.reason,
                by: a.by.by,
            }),
            Command::Reopen(a) => Request::Reopen(reopen::Request {
                id: a.id,
                reason: a.reason,
                by: a.by.by,
            }),
            Command::Show(a) => Request::Show(show::Request {
                id: a.id,
                format: a.format,
            }),
            Command::Next(a) => Request::Next(next::Request {
                id: a.id,
                format: a.format,
            }),
            Command::Similar(a) => Request::Similar(similar::Request {
                id: a.id,
                limit: a.limit,
                format: a.format,
            }),
            Command::List(a) => Request::List(list::Request {
                filter: a.filter.into_filter(),
                format: a.format,
            }),
            Command::Export(a) => Request::Export(export::Request {
                filter: a.filter.into_filter(),
                format: a.format,
            }),
            Command::Import(a) => Request::Import(import::Request {
                file: a.file,
                format: a.format,
                skip_invalid: a.skip_invalid,
                by: a.by.by,
            }),
            Command::Due(a) => Request::Due(due::Request {
                within: a.within,
                all: a.all,
                person: a.person,
                kinds: a.kind,
                format: a.format,
                exit_code: a.exit_code,
            }),
            Command::Report(a) => Request::Report(report::Request {
                since: a.since,
                until: a.until,
                as_of: a.as_of,
                by: a.by,
                format: a.format,
            }),
            Command::Check(a) => Request::Check(check::Request {
                paths: a.paths,
                format: a.format,
            }),
            Command::Fmt(a) => Request::Fmt(fmt::Request {
                ids: a.ids,
                check: a.check,
            }),
            Command::Changes(a) => Request::Changes(changes::Request {
                range: a.range,
                format: a.format,
            }),
            Command::Log(a) => Request::Log(log::Request {
                id: a.id,
                format: a.format,
            }),
            Command::MergeDriver(a) => Request::MergeDriver(merge_driver::Request {
                base: a.base,
                ours: a.ours,
                theirs: a.theirs,
                path: a.path,
                marker_size: a.marker_size,
            }),
            Command::Completions(a) => Request::Completions(a.shell, Cli::command()),
            Command::Man(_) => Request::Man(Cli::command()),
        }
    }
}
