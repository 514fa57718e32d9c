//! `caselog list`: a filtered table of cases, or JSON for programs.
//!
//! A file that cannot be read is reported on stderr and sets the exit
//! code, but does not hide the other cases. No match prints nothing.

use std::fmt::Write as _;
use std::io::Write;

use anyhow::Result;

use super::Session;
use super::args::{FilterArgs, PersonCheck, words};
use super::terminal::{self, Terminal, Tint};
use crate::case::{Case, FollowUpState, Status, Void};
use crate::practice::deadlines;
use crate::practice::filter::{self, Sort};
use crate::settings::Settings;
use crate::time::{Zone, format_length_tight};
use crate::untrusted::line;
use crate::words::word_enum;
use clap::Args;

word_enum!(
    /// How `list` prints cases.
    Format, "format" {
        Table => "table",
        Json => "json",
    }
);

/// List cases as a table (prints nothing when none match)
///
/// Filters narrow the list (repeating one widens it: --status open --status
/// waiting). --sort puts first what needs attention first: the oldest
/// opened, the longest untouched (updated), the earliest pending deadline
/// (due), or the most severe; --reverse turns it round.
#[derive(Debug, Args)]
pub struct ListArgs {
    #[command(flatten)]
    pub filter: FilterArgs,
    /// The order of the cases
    #[arg(long, default_value = "opened", value_parser = words::<Sort>(Sort::WORDS))]
    pub sort: Sort,
    /// Reverse the order
    #[arg(long)]
    pub reverse: bool,
    /// Show at most this many cases
    #[arg(long, value_name = "N")]
    pub limit: Option<usize>,
    #[arg(long, default_value = "table", value_parser = words::<Format>(Format::WORDS))]
    pub format: Format,
}

pub fn run(session: &Session, args: ListArgs, out: &mut dyn Write) -> Result<u8> {
    let now = session.now()?;
    let settings = session.settings()?;
    let filter = args.filter.filter(session)?;
    let person_check = PersonCheck::new(&filter, &args.filter, "--assignee");
    let code = match args.format {
        // Every field, texts too: the files themselves.
        Format::Json => {
            let scan = session.every_full_case(|case| {
                person_check.see(&case);
                filter.keeps(&case, settings, now).then_some(case)
            })?;
            let code = scan.exit_code();
            let mut cases = scan.cases;
            filter::sort(&mut cases, args.sort, args.reverse, settings, now);
            if let Some(limit) = args.limit {
                cases.truncate(limit);
            }
            super::json::write(out, &cases)?;
            Ok(code)
        }
        // One row per case, made as the case is read: a table of 100,000
        // cases holds their cells, not the cases.
        Format::Table => {
            let (zone, terminal) = (session.zone(), session.terminal());
            // The row is boxed: the pass moves each value into place
            // twice, and a pointer moves at a fraction of a row's cost.
            // The key stays in line, where the sort reads it.
            let scan = session.every_case(|case| {
                person_check.see(case);
                filter.keeps(case, settings, now).then(|| {
                    (
                        filter::sort_key(case, args.sort, settings, now),
                        Box::new(row(case, settings, now, zone, terminal)),
                    )
                })
            })?;
            let keyed = &scan.cases;
            // The rows stay where they are; only their places are sorted.
            let mut order: Vec<usize> = (0..keyed.len()).collect();
            order.sort_by(|&a, &b| keyed[a].0.cmp(&keyed[b].0));
            if args.reverse {
                order.reverse();
            }
            if let Some(limit) = args.limit {
                order.truncate(limit);
            }
            if !order.is_empty() {
                let rows: Vec<&Row> = order.iter().map(|&i| &*keyed[i].1).collect();
                let cut = match session.terminal().width() {
                    Some(width) => fit(&rows, usize::from(width)),
                    None => Cut::NONE,
                };
                write_table(out, &rows, &cut)?;
            }
            Ok(scan.finish())
        }
    };
    person_check.finish();
    code
}

/// The table's columns: those every width shows, then the others in the
/// order they are dropped as the terminal narrows (the title shortens
/// with `…` before any is dropped below its shortest).
const HEADER: [&str; COLUMNS] = [
    "ID",
    "STATUS",
    "SEVERITY",
    "AGE",
    "OPENED",
    "ASSIGNEE",
    "CATEGORY",
    "CUSTOMER",
    "FOLLOW-UP",
    "OVERDUE",
    "TITLE",
];
const COLUMNS: usize = 11;
const TITLE: usize = 10;
const ASSIGNEE: usize = 5;
/// Optional columns, the most wanted first.
const OPTIONAL: [usize; 5] = [9, 8, 7, 6, 4];
/// The narrowest a title is cut to before a column is dropped for it.
const TITLE_AT_LEAST: usize = 24;
/// The widest a name (assignee, customer, category) is shown.
const NAME_AT_MOST: usize = 22;
/// The narrowest an assignee (or, in a very narrow terminal, a title) is
/// cut to.
const NAME_AT_LEAST: usize = 12;
const GAP: usize = 2;
/// What pads a cell, a slice at a time.
const SPACES: &str = "                                                                ";

/// One case's cells, end to end: one allocation a row, not eleven (a
/// table of 100,000 cases is held whole, to be sorted); with where each
/// cell ends and the columns it takes, measured as the row is made (on
/// every core) rather than while the table is written.
struct Row {
    text: Box<str>,
    ends: [u32; COLUMNS],
    columns: [u32; COLUMNS],
}

impl Row {
    /// A row made cell by cell, each written straight into the row's
    /// one string.
    fn build() -> RowBuilder {
        RowBuilder {
            text: String::with_capacity(160),
            ends: [0; COLUMNS],
            columns: [0; COLUMNS],
            cells: 0,
        }
    }

    /// Each cell with the columns it takes.
    fn cells(&self) -> impl Iterator<Item = (&str, usize)> {
        // A case's cells are far below 4 GiB (a case file is at most a
        // few megabytes), so the ends are exact.
        let starts = std::iter::once(0).chain(self.ends.iter().map(|&e| e as usize));
        starts
            .zip(self.ends.iter().map(|&e| e as usize))
            .zip(self.columns.iter().map(|&c| c as usize))
            .map(|((start, end), columns)| (self.text.get(start..end).unwrap_or(""), columns))
    }
}

/// A [`Row`] being made.
struct RowBuilder {
    text: String,
    ends: [u32; COLUMNS],
    columns: [u32; COLUMNS],
    cells: usize,
}

impl RowBuilder {
    /// The next cell: what `write` puts in it.
    fn cell(&mut self, write: impl FnOnce(&mut String)) -> &mut RowBuilder {
        let start = self.text.len();
        write(&mut self.text);
        if let (Some(end), Some(columns)) = (
            self.ends.get_mut(self.cells),
            self.columns.get_mut(self.cells),
        ) {
            let size = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
            *end = size(self.text.len());
            *columns = size(terminal::columns(&self.text[start..]));
            self.cells += 1;
        }
        self
    }

    /// The next cell: `text`.
    fn text(&mut self, text: &str) -> &mut RowBuilder {
        self.cell(|row| row.push_str(text))
    }

    fn done(&mut self) -> Row {
        Row {
            text: std::mem::take(&mut self.text).into_boxed_str(),
            ends: self.ends,
            columns: self.columns,
        }
    }
}

/// How the table fits a terminal: the columns kept, and the most columns
/// each cell may take (titles and names are shortened with `…`).
struct Cut {
    keep: [bool; COLUMNS],
    at_most: [usize; COLUMNS],
}

impl Cut {
    /// Every column, in full (output to a file or program).
    const NONE: Cut = Cut {
        keep: [true; COLUMNS],
        at_most: [usize::MAX; COLUMNS],
    };

    /// Cell `i` as shown, and the columns it takes, from the cell and
    /// its columns in full.
    fn cell<'c>(
        &self,
        i: usize,
        cell: &'c str,
        columns: usize,
    ) -> (std::borrow::Cow<'c, str>, usize) {
        if columns <= self.at_most[i] {
            (std::borrow::Cow::Borrowed(cell), columns)
        } else {
            let short = terminal::shorten(cell, self.at_most[i]);
            let columns = terminal::columns(&short);
            (std::borrow::Cow::Owned(short), columns)
        }
    }
}

/// Writes the table: the columns `cut` keeps, ids, dates and numbers never
/// split, headers never broken, each case on one line.
fn write_table(out: &mut dyn Write, rows: &[&Row], cut: &Cut) -> std::io::Result<()> {
    // Laid out here rather than by a table crate: at 100,000 cases a
    // table of cells costs hundreds of megabytes, and every cell is one
    // line, so a column is as wide as its widest cell and the columns are
    // GAP apart.
    let widths = most_columns(rows, HEADER.map(terminal::columns), |i, cell, columns| {
        cut.cell(i, cell, columns).1
    });
    let write_line = |cells: &mut dyn Iterator<Item = (&str, usize)>, line: &mut String| {
        let start = line.len();
        for (i, (cell, columns)) in cells.enumerate().filter(|(i, _)| cut.keep[*i]) {
            let (cell, columns) = cut.cell(i, cell, columns);
            line.push_str(&cell);
            let pad = widths[i] - columns + GAP;
            for _ in 0..pad / SPACES.len() {
                line.push_str(SPACES);
            }
            line.push_str(&SPACES[..pad % SPACES.len()]);
        }
        let end = start + line[start..].trim_end().len();
        line.truncate(end);
        line.push('\n');
    };
    let mut header = String::new();
    write_line(
        &mut HEADER.into_iter().map(|h| (h, terminal::columns(h))),
        &mut header,
    );
    out.write_all(header.as_bytes())?;
    super::lines::write(out, rows, |row, line| write_line(&mut row.cells(), line))
}

/// The most columns each cell of `rows` takes as `shown` shows it (given
/// the column, the cell and its columns in full), or `least` when more;
/// measured on every core.
fn most_columns(
    rows: &[&Row],
    least: [usize; COLUMNS],
    shown: impl Fn(usize, &str, usize) -> usize + Sync,
) -> [usize; COLUMNS] {
    super::lines::widest(rows, least, |row| {
        let mut columns = [0; COLUMNS];
        for (i, (cell, full)) in row.cells().enumerate() {
            columns[i] = shown(i, cell, full);
        }
        columns
    })
}

/// Which columns fit in `width`, and how far names and titles are
/// shortened to fit.
fn fit(rows: &[&Row], width: usize) -> Cut {
    let content = most_columns(rows, HEADER.map(str::len), |_, _, columns| columns);
    let is_name = |i: usize| matches!(i, ASSIGNEE | 6 | 7);
    let title_least = content[TITLE].min(TITLE_AT_LEAST);
    let mut keep = [true; COLUMNS];
    // Narrower than the id, status, severity, age, a short assignee and
    // a short title take, the assignee goes, then the age, then the
    // severity: each case stays on one line with its id, status and title.
    let short_assignee = content[ASSIGNEE].min(NAME_AT_LEAST);
    let short_title = content[TITLE].min(NAME_AT_LEAST);
    // What the id, status, severity and age still kept take.
    let essentials = |keep: &[bool; COLUMNS]| -> usize {
        [0, 1, 2, 3]
            .iter()
            .filter(|&&i| keep[i])
            .map(|&i| content[i] + GAP)
            .sum()
    };
    for dropped in [ASSIGNEE, 3, 2] {
        let essentials = essentials(&keep);
        let assignee = if keep[ASSIGNEE] {
            short_assignee + GAP
        } else {
            0
        };
        if essentials + assignee + short_title <= width {
            break;
        }
        keep[dropped] = false;
    }
    let mut used = essentials(&keep);
    // The assignee gives way to the title down to a short name.
    let assignee = content[ASSIGNEE].min(NAME_AT_MOST).min(
        width
            .saturating_sub(used + GAP + title_least)
            .max(NAME_AT_LEAST),
    );
    if keep[ASSIGNEE] {
        used += assignee + GAP;
    }
    for i in OPTIONAL {
        let wide = if is_name(i) {
            content[i].min(NAME_AT_MOST)
        } else {
            content[i]
        } + GAP;
        if used + wide + title_least <= width {
            used += wide;
        } else {
            keep[i] = false;
        }
    }
    let title = width.saturating_sub(used).max(short_title);
    let mut at_most = [usize::MAX; COLUMNS];
    for (i, most) in at_most.iter_mut().enumerate() {
        *most = match i {
            TITLE => title,
            ASSIGNEE => assignee,
            i if is_name(i) => NAME_AT_MOST,
            _ => continue,
        };
    }
    Cut { keep, at_most }
}

/// A case's cells in the table; colours from `terminal` on the cells
/// that say something is wrong or pressing (made safe before painting).
fn row(
    case: &Case,
    settings: &Settings,
    now: chrono::DateTime<chrono::Utc>,
    zone: Zone,
    terminal: &Terminal,
) -> Row {
    use std::borrow::Cow;
    let follow_up: Cow<str> = match case.follow_up_state(now) {
        Some(FollowUpState::Due { overdue: true, .. }) => {
            terminal.paint(Tint::Overdue, "overdue").into()
        }
        Some(FollowUpState::Due { due, .. }) if case.status == Status::Resolved => {
            let text = format!("due {}", zone.date(due).format("%m-%d"));
            if due - now <= chrono::Duration::days(1) {
                terminal.paint(Tint::DueSoon, &text).into()
            } else {
                text.into()
            }
        }
        Some(FollowUpState::Done {
            satisfied: Some(true),
        }) => "satisfied".into(),
        Some(FollowUpState::Done {
            satisfied: Some(false),
        }) => "not satisfied".into(),
        Some(FollowUpState::Done { satisfied: None }) => "no answer".into(),
        _ => "".into(),
    };
    let status: Cow<str> = match case.void {
        Some(Void::Duplicate) => format!("{} (duplicate)", case.status).into(),
        Some(Void::OpenedInError) => format!("{} (in error)", case.status).into(),
        None => case.status.as_str().into(),
    };
    Row::build()
        .text(case.id.as_str())
        .cell(|row| terminal.paint_into(row, Some(Tint::status(case.status)), &status))
        .cell(|row| terminal.paint_into(row, Tint::severity(case.severity), case.severity.as_str()))
        .cell(|row| row.push_str(&format_length_tight(now - case.opened_at.0)))
        .cell(|row| {
            let _ = write!(row, "{}", zone.date(case.opened_at.0));
        })
        .text(&shown(&case.assignee))
        .text(&shown(&case.category))
        .text(&line(&case.customer.name))
        .text(&follow_up)
        .cell(|row| {
            let overdue = overdue(case, settings, now);
            terminal.paint_into(row, Some(Tint::Overdue), &overdue);
        })
        .text(&line(&case.title))
        .done()
}

/// An optional field, made safe to show; empty when unset.
fn shown(text: &Option<String>) -> std::borrow::Cow<'_, str> {
    text.as_deref().map(line).unwrap_or_default()
}

/// The deadlines a case has missed, most overdue first.
fn overdue(case: &Case, settings: &Settings, now: chrono::DateTime<chrono::Utc>) -> String {
    deadlines::pending(case, settings, now)
        .iter()
        .filter(|d| d.is_due(now))
        .map(|d| d.kind.label())
        .collect::<Vec<_>>()
        .join(", ")
}
