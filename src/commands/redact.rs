//! `caselog redact`: erase customers' personal data (GDPR art. 17) from
//! cases, keeping the numbers reports need; then say how to purge the old
//! versions from git history, or purge them (`--rewrite-history`).

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use chrono::{DateTime, Utc};
use clap::Args;

use super::Session;
use super::args::{ByArg, CardArg};
use crate::case::lifecycle;
use crate::case::personal;
use crate::case::redaction;
use crate::case::{Action, Case, Status};
use crate::error::{self, EXIT_OK, InputError};
use crate::git::{self, purge};
use crate::practice::deadlines;
use crate::refuse;
use crate::time::format_time;

/// Erase customers' personal data, keeping what reports need
///
/// Replaces the personal fields and free texts of the cases (as
/// caselog.toml's [personal_data] says; by default the customer's name,
/// contact, reference and preferred contact, the title, complaint, remedy
/// wanted, resolution, redress and every note) with a marker such as
/// `[redacted 2026-11-23]`, and records a `redacted` event: who, when, why
/// and which fields, never the old values. Dates, category, severity,
/// statuses, event kinds and times, outcome and root cause stay, so
/// `report`, `due` and `check` go on working; the customer's earlier cases
/// and repeat customers no longer match a redacted case. Redacting again
/// changes nothing. The old versions stay in git history: redact prints
/// the commands that purge them (git filter-repo, a force-push, and a new
/// clone for everyone), or runs the rewrite with --rewrite-history.
#[derive(Debug, Args)]
pub struct RedactArgs {
    /// The cases: ids, or unique prefixes or suffixes
    #[arg(required_unless_present_any = ["customer", "expired"])]
    pub ids: Vec<String>,
    /// Every case of this customer: name, contact or reference exactly this
    /// (any letter case), as repeat-customer matching finds them
    #[arg(long, value_name = "WHO", conflicts_with_all = ["ids", "expired"])]
    pub customer: Option<String>,
    /// Every case closed longer ago than the log's retention (caselog.toml);
    /// lists them unless --yes
    #[arg(long, conflicts_with = "ids")]
    pub expired: bool,
    /// With --expired: redact the cases, rather than list them
    #[arg(long, requires = "expired")]
    pub yes: bool,
    /// Why (kept on the record, so without naming the customer): "erasure
    /// request of 2026-11-20" [default with --expired: the retention]
    #[arg(long, value_name = "TEXT")]
    pub reason: Option<String>,
    /// Redact cases that are not closed too (their handling loses the
    /// customer's details)
    #[arg(long)]
    pub force: bool,
    /// Also write the commands that purge the old versions from git history
    /// to this file, as a shell script
    #[arg(long, value_name = "FILE")]
    pub purge_script: Option<PathBuf>,
    /// Then commit the redaction and rewrite git history with git
    /// filter-repo (refused when the repository has uncommitted changes)
    #[arg(long)]
    pub rewrite_history: bool,
    #[command(flatten)]
    pub by: ByArg,
    #[command(flatten)]
    pub card: CardArg,
}

/// A case to redact, as the pass found it.
struct Target {
    id: String,
    status: Status,
}

pub fn run(session: &Session, args: RedactArgs, out: &mut dyn Write) -> Result<u8> {
    let store = session.store()?;
    let settings = session.settings()?;
    let now = session.now()?;
    let reason = match (&args.reason, args.expired) {
        (Some(reason), _) => reason.clone(),
        (None, true) => match settings.retention {
            Some(retention) => format!("retention period ({retention}) over"),
            None => String::new(),
        },
        (None, false) => {
            refuse!(
                "give --reason: why the data is erased, without naming the customer (such as \"erasure request of 2026-11-20\")"
            )
        }
    };
    let root = store.root().to_path_buf();
    if args.rewrite_history {
        check_rewrite_possible(&root)?;
    }
    let targets = if args.expired {
        let Some(retention) = settings.retention else {
            refuse!(
                "caselog.toml sets no retention, so no case is past it; set one, such as retention = \"3y\""
            );
        };
        let personal = settings.personal_data.all();
        let scan = session.every_case(|case| {
            let due = deadlines::retention_due(case, retention, &personal, settings.timezone)?;
            (due <= now).then(|| (due, closed_at(case), target(case)))
        })?;
        let code = scan.exit_code();
        let mut expired = scan.cases;
        expired.sort_by(|a, b| (a.0, &a.2.id).cmp(&(b.0, &b.2.id)));
        if !args.yes {
            for (due, closed, t) in &expired {
                writeln!(
                    out,
                    "would redact {} (closed {}; retention {retention} over since {})",
                    t.id,
                    closed
                        .map(|t| format_time(t, session.zone()))
                        .unwrap_or_default(),
                    format_time(*due, session.zone())
                )?;
            }
            if !expired.is_empty() {
                writeln!(
                    out,
                    "run `caselog redact --expired --yes` to redact {}",
                    crate::words::one_or_many(expired.len(), "it", "them")
                )?;
            }
            return Ok(code);
        }
        expired.into_iter().map(|(_, _, t)| t).collect()
    } else if let Some(wanted) = &args.customer {
        customer_targets(session, wanted)?
    } else {
        let mut targets: Vec<Target> = Vec::new();
        for query in &args.ids {
            let case = store.load(query)?.case;
            if !targets.iter().any(|t| t.id == case.id.as_str()) {
                targets.push(target(&case));
            }
        }
        targets
    };
    if !args.force {
        let open: Vec<String> = targets
            .iter()
            .filter(|t| t.status != Status::Closed)
            .map(|t| format!("{} ({})", t.id, t.status))
            .collect();
        if !open.is_empty() {
            refuse!(
                "not closed, so their handling may still need the customer's details: {}; give --force to redact them anyway",
                open.join(", ")
            );
        }
    }
    let fields = settings.personal_data.all();
    if fields.is_empty() {
        refuse!("caselog.toml's [personal_data] names no field to redact");
    }
    let mut redacted: Vec<(Case, PathBuf)> = Vec::new();
    // Cases redacted before, whose history a purge asked for still covers.
    let mut purgeable: Vec<(Case, PathBuf)> = Vec::new();
    // Every case in one batch, landing together or not at all: a case
    // refused part-way (made read-only, a full disk) must not leave the
    // ones before it redacted by a command that says nothing was written.
    let by = args.by.by.as_deref();
    let allow = args.card.allow_card_like_number;
    // Made (under the lock) before the batch takes it.
    let secret = store.secret()?;
    let mut batch = store.batch()?;
    let mut staged = Vec::with_capacity(targets.len());
    for t in &targets {
        staged.push(
            session.change_in(&mut batch, &t.id, by, allow, |case, stamp| {
                lifecycle::redact(case, stamp, &fields, &reason, args.force, &secret)
            })?,
        );
    }
    batch.land()?;
    for staged in staged {
        let changed = staged.landed();
        if changed.written {
            let erased: Vec<&str> = changed
                .after
                .events
                .last()
                .map(|e| e.fields.iter().map(|f| f.as_str()).collect())
                .unwrap_or_default();
            writeln!(out, "{}: redacted {}", changed.after.id, erased.join(", "))?;
            redacted.push((changed.after.clone(), changed.path.clone()));
            purgeable.push((changed.after, changed.path));
        } else {
            writeln!(out, "{}: nothing left to redact", changed.after.id)?;
            if redaction::is_redacted(&changed.after) {
                purgeable.push((changed.after, changed.path));
            }
        }
    }
    if !redacted.is_empty() {
        if session.use_index() {
            // The index keeps each case's facts: brought up to date now, so
            // no copy of what was erased lingers in it.
            session.every_case(|_| None::<()>)?;
            // So is the search database, when there is one: the erased words
            // leave its file now, not at the next search. (A failure leaves
            // that to the next search, which reports any file it cannot read.)
            if store.has_search_index() {
                let _ = session.search_index();
            }
        } else {
            // With the index turned off it is not brought up to date, and
            // would keep the erased values until a command used it again:
            // deleted instead (a cache; the next command that uses it
            // builds it afresh).
            store.forget_index().with_context(|| {
                "the cases are redacted (listed above), but the index in .caselog/ still holds their old values: delete .caselog/facts and .caselog/search.sqlite*"
            })?;
        }
        writeln!(
            out,
            "\nThese cases name no customer any more: `open` and `show` no longer count them among a customer's earlier cases, `report` counts no repeat customer on them, and `export --customer` does not find them."
        )?;
    }
    let asked = args.purge_script.is_some() || args.rewrite_history;
    if !redacted.is_empty() || (asked && !purgeable.is_empty()) {
        purge_history(session, &args, &reason, &purgeable, out).map_err(after_landing)?;
    }
    Ok(EXIT_OK)
}

/// A failure once the redaction has landed (git out of room for the
/// redacted version, a broken repository) must say the erasure is done,
/// so nobody tells the customer it failed; and it is the system's, never
/// the input's (exit 3), though `git` reads a failing git as the input's.
fn after_landing(err: anyhow::Error) -> anyhow::Error {
    if error::is_broken_pipe(&err) {
        return err;
    }
    anyhow::anyhow!(
        "the cases are redacted (listed above), but purging their old versions from git failed (redact their ids again with --purge-script FILE once it is fixed): {err:#}"
    )
}

fn target(case: &Case) -> Target {
    Target {
        id: case.id.to_string(),
        status: case.status,
    }
}

fn closed_at(case: &Case) -> Option<DateTime<Utc>> {
    case.events
        .iter()
        .rev()
        .find(|e| e.action == Action::Closed)
        .map(|e| e.at.0)
}

/// Every case whose customer is exactly `wanted`, by name, contact or
/// reference. None is refused, saying whether some hold it in part.
fn customer_targets(session: &Session, wanted: &str) -> Result<Vec<Target>> {
    if wanted.trim().is_empty() {
        refuse!("--customer is empty");
    }
    // Whole cases: an edit's old value (an address since corrected) is
    // the customer's too, and the index keeps no edit's values.
    let scan = session.every_full_case(|case| {
        let found = personal::matching(&case, wanted);
        (found.is_exact() || !found.partly.is_empty()).then(|| (found.is_exact(), target(&case)))
    })?;
    // An erasure request covers every case of the customer: one in a file
    // that cannot be read might be theirs, so none is erased until it is.
    if let Some(files) = scan.unreadable_files() {
        let them = crate::words::one_or_many(scan.unreadable, "it", "them");
        return Err(InputError::Invalid(format!(
            "{files} could not be read (said above) and may hold this customer; nothing was redacted: make {them} readable (`caselog check` says what is wrong) and redact again"
        ))
        .into());
    }
    let partly = scan.cases.iter().filter(|(exact, _)| !exact).count();
    let targets: Vec<Target> = scan
        .cases
        .into_iter()
        .filter(|(exact, _)| *exact)
        .map(|(_, t)| t)
        .collect();
    if targets.is_empty() {
        let hint = if partly > 0 {
            format!(
                " ({partly} hold it in part: `caselog export --customer` lists them; give the whole name, contact or reference)"
            )
        } else {
            String::new()
        };
        return Err(InputError::Invalid(format!(
            "no case's customer name, contact or reference is '{}'{hint}",
            wanted.trim()
        ))
        .into());
    }
    Ok(targets)
}

/// Refuses `--rewrite-history` where it cannot run safely, before anything
/// is written.
fn check_rewrite_possible(root: &Path) -> Result<()> {
    if !git::is_work_tree(root) {
        refuse!(
            "--rewrite-history: the case log is not in a git repository, so there is no history to rewrite"
        );
    }
    if !git::has_filter_repo(root) {
        refuse!(
            "--rewrite-history needs git filter-repo, which is not installed (pip install git-filter-repo); or leave the flag out and run the printed commands later"
        );
    }
    if git::has_uncommitted_changes(root)? {
        refuse!(
            "--rewrite-history: the repository has uncommitted changes; commit or stash them first, as a history rewrite resets the work tree"
        );
    }
    Ok(())
}

/// Says how to purge the old versions from git history, writes the
/// script when asked, and rewrites history with `--rewrite-history`.
fn purge_history(
    session: &Session,
    args: &RedactArgs,
    reason: &str,
    redacted: &[(Case, PathBuf)],
    out: &mut dyn Write,
) -> Result<()> {
    let store = session.store()?;
    let root = store.root();
    if !git::is_work_tree(root) {
        writeln!(
            out,
            "The case log is not in git, so no older version is kept; any copy elsewhere (a backup) still holds the data."
        )?;
        return Ok(());
    }
    let mut cases = Vec::new();
    for (case, path) in redacted {
        let at = case
            .events
            .iter()
            .rev()
            .find(|e| e.action == Action::Redacted)
            .map(|e| e.at.to_rfc3339())
            .unwrap_or_default();
        cases.push(purge::Purge {
            id: case.id.to_string(),
            redacted_at: at,
            blob: git::store_blob(root, path)
                .with_context(|| format!("storing the redacted {} in git", store.shown(path)))?,
        });
    }
    let message = format!(
        "Redact the personal data of {} ({})",
        crate::words::count(redacted.len(), "case"),
        reason.lines().next().unwrap_or("")
    );
    let remote = git::remote_url(root, "origin");
    let shown: Vec<String> = redacted.iter().map(|(_, p)| store.shown(p)).collect();
    if let Some(file) = &args.purge_script {
        let top = git::toplevel(root).unwrap_or_else(|| root.to_path_buf());
        let relative: Vec<String> = redacted
            .iter()
            .map(|(_, p)| {
                let real = p.canonicalize().unwrap_or_else(|_| p.clone());
                real.strip_prefix(&top)
                    .unwrap_or(&real)
                    .display()
                    .to_string()
            })
            .collect();
        let script = purge::script(&cases, &relative, &message, remote.as_deref());
        write_script(file, &script)?;
    }
    if args.rewrite_history {
        let paths: Vec<String> = redacted
            .iter()
            .map(|(_, p)| p.display().to_string())
            .collect();
        // The work tree was clean before: any change now is the redaction.
        if git::has_uncommitted_changes(root)? {
            git::commit_paths(root, &paths, &message).context("committing the redaction")?;
        }
        git::rewrite_history(root, &cases).context(
            "rewriting git history (the redaction is committed; run the purge again once the problem is fixed)",
        )?;
        writeln!(
            out,
            "\nCommitted the redaction and rewrote git history: no earlier version of these cases is left in this clone. Every commit id changed. Now publish it, and have everyone delete their clone and clone again (a pull would bring the old history back):"
        )?;
        for line in purge::push_commands(remote.as_deref()) {
            writeln!(out, "  {line}")?;
        }
        return Ok(());
    }
    writeln!(
        out,
        "\nThe old versions are still in git history, in every clone. To purge them (every commit id changes), commit the redaction, rewrite history and force-push:\n"
    )?;
    for line in purge::commit_commands(&shown, &message) {
        writeln!(out, "{line}")?;
    }
    writeln!(out, "{}", purge::filter_repo_command(&cases))?;
    for line in purge::push_commands(remote.as_deref()) {
        writeln!(out, "{line}")?;
    }
    writeln!(
        out,
        "\nThen everyone deletes their clone and clones again; copies the host keeps (pull requests, forks, caches) need the host's help. `caselog redact --rewrite-history` commits and rewrites for you{}.",
        match &args.purge_script {
            Some(file) => format!("; {} holds these commands", file.display()),
            None => String::new(),
        }
    )?;
    Ok(())
}

/// Writes the purge script, executable by its owner.
fn write_script(file: &Path, script: &str) -> Result<()> {
    std::fs::write(file, script).with_context(|| {
        format!(
            "writing the purge script {} (the cases are redacted)",
            file.display()
        )
    })?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(file, std::fs::Permissions::from_mode(0o700))
            .with_context(|| format!("making {} executable", file.display()))?;
    }
    Ok(())
}
