//! The search index, `.caselog/search.sqlite`: SQLite's FTS5 over every
//! case's words (title, summary, notes, customer), ranked by the library's
//! bm25 with its porter stemmer, beside a row of facts per case (id,
//! status, dates, customer keys) that ranking and filtering need.
//!
//! Like the facts snapshot it is a cache judged file by file by stat
//! identity. It is built on first use (it costs a few times a plain scan,
//! so commands that never search never pay for it) and brought up to date
//! from the changed files at every later use. A damaged or older database
//! is rebuilt; one another caselog holds is waited for a while; and when
//! no database can be had at all (or the index is turned off), the same
//! tables are built in memory from the files, so the answers never differ.

pub mod query;

use std::path::Path;

use anyhow::{Context, Result};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use sha2::{Digest, Sha256};

use super::files::{Found, Identity};
use super::watch::Token;
use super::{Progress, RACY_NS};
use crate::case::personal::value_key;
use crate::case::redaction::is_marker;
use crate::case::{Action, Case, Status};
use crate::store::{Store, WORK_DIR, parallel_map};

/// The database's file name in the work folder.
const FILE: &str = "search.sqlite";
/// Its files, with SQLite's write-ahead log beside it.
pub const FILES: [&str; 3] = [FILE, "search.sqlite-wal", "search.sqlite-shm"];
/// The schema; a different one is rebuilt. 2 added the rows' fingerprint
/// (`meta.files`): a build that knew nothing of it would change the rows
/// and leave the fingerprint vouching for the old ones. 5 knows a
/// placeholder by its words ("N/A.", "(none)"): an older database's flags
/// would leave in what a fresh build leaves out. 6 indexes titles, which
/// `similar` counts (every case's title compared was a tenth of it).
const SCHEMA_VERSION: i64 = 6;
/// How many files are parsed at once while (re)indexing: enough for every
/// core, few enough that their texts need little memory.
const BATCH: usize = 512;

/// The tokenizer of every FTS5 table here: the index's and the one that
/// checks a query and makes snippets must read words alike.
macro_rules! tokenizer {
    () => {
        "porter unicode61 remove_diacritics 2"
    };
}

const SCHEMA: &str = concat!(
    "
CREATE TABLE meta (key TEXT PRIMARY KEY, value) WITHOUT ROWID;
CREATE TABLE doc (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    ctime_ns INTEGER NOT NULL,
    inode INTEGER NOT NULL,
    case_id TEXT NOT NULL,
    title TEXT NOT NULL,
    status TEXT NOT NULL,
    opened_at INTEGER NOT NULL,
    category TEXT,
    void INTEGER NOT NULL,
    placeholder INTEGER NOT NULL,
    reference_key TEXT,
    contact_key TEXT,
    redactions INTEGER NOT NULL
);
CREATE INDEX doc_reference ON doc (reference_key);
CREATE INDEX doc_contact ON doc (contact_key);
CREATE INDEX doc_case ON doc (case_id);
CREATE INDEX doc_title ON doc (title COLLATE NOCASE);
CREATE VIRTUAL TABLE fts USING fts5(
    title, summary, notes, customer,
    content = '', contentless_delete = 1,
    tokenize = '",
    tokenizer!(),
    "'
);
"
);

/// What the search index knows of one case besides its words.
#[derive(Debug, Clone, PartialEq)]
pub struct Doc {
    /// The key of its file (see `files::Found`).
    pub key: String,
    pub id: String,
    pub title: String,
    pub status: Status,
    pub opened_at: i64,
    pub category: Option<String>,
    /// A duplicate or a case opened in error.
    pub void: bool,
    /// Its complaint text is a placeholder ("No narrative"), so its words
    /// say nothing about what it is about.
    pub placeholder: bool,
    pub reference_key: Option<String>,
    pub contact_key: Option<String>,
}

/// A case found by a query, with its bm25 score (higher is better).
#[derive(Debug, Clone)]
pub struct Ranked {
    /// Its row in the index, for asking which words it holds.
    pub row: i64,
    pub doc: Doc,
    pub score: f64,
}

/// The weights of the four columns in a ranking: title, summary, notes,
/// customer.
pub type Weights = [f64; 4];

/// An open search index, up to date with the files.
pub struct SearchIndex {
    conn: Connection,
}

/// Complaint texts that say nothing (real exports fill empty narratives
/// with these), however they are written: only their words count, so
/// "N/A.", "(none)", "n.a." and "No narrative!" are placeholders as
/// "n/a", "none", "na" and "no narrative" are, and so is a text with no
/// word at all ("-", "?").
fn is_placeholder(text: &str) -> bool {
    let words = |text: &str| -> String {
        text.split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase()
    };
    let text = words(text);
    text.is_empty()
        || [
            "no narrative",
            "no narrative provided",
            "narrative not provided",
            "n a",
            "na",
            "none",
            "see attached",
            "no description",
            "no details",
        ]
        .contains(&text.as_str())
}

/// A case's four columns of words (what a redaction left is no word).
pub fn columns(case: &Case) -> [String; 4] {
    let case = &without_markers(case);
    let mut summary = case.complaint.summary.clone();
    if let Some(wants) = &case.complaint.wants {
        summary.push('\n');
        summary.push_str(wants);
    }
    let mut notes = String::new();
    let mut add = |text: &str| {
        if !notes.is_empty() {
            notes.push('\n');
        }
        notes.push_str(text);
    };
    for e in &case.events {
        // A redacted or imported case's bookkeeping says nothing about it.
        if matches!(e.action, Action::Imported) {
            continue;
        }
        for text in [&e.text, &e.root_cause, &e.redress, &e.contingency]
            .into_iter()
            .flatten()
        {
            add(text);
        }
        for point in e.pros.iter().chain(&e.cons) {
            add(point);
        }
    }
    if let Some(r) = &case.resolution {
        add(&r.summary);
    }
    let customer = [
        Some(case.customer.name.as_str()),
        case.customer.contact.as_deref(),
        case.customer.reference.as_deref(),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join("\n");
    [case.title.clone(), summary, notes, customer]
}

/// `case` with every redaction marker emptied.
fn without_markers(case: &Case) -> Case {
    let mut case = case.clone();
    let clear = |text: &mut String| {
        if is_marker(text) {
            text.clear();
        }
    };
    let clear_opt = |text: &mut Option<String>| {
        if text.as_deref().is_some_and(is_marker) {
            *text = None;
        }
    };
    clear(&mut case.title);
    clear(&mut case.complaint.summary);
    clear_opt(&mut case.complaint.wants);
    clear(&mut case.customer.name);
    clear_opt(&mut case.customer.contact);
    clear_opt(&mut case.customer.reference);
    if let Some(r) = case.resolution.as_mut() {
        clear(&mut r.summary);
        clear_opt(&mut r.redress);
    }
    for e in &mut case.events {
        clear_opt(&mut e.text);
        clear_opt(&mut e.redress);
    }
    case
}

/// How many times a case was redacted: a rise means words to purge.
fn redactions(case: &Case) -> i64 {
    case.events
        .iter()
        .filter(|e| e.action == Action::Redacted)
        .count() as i64
}

fn doc_of(key: &str, case: &Case) -> Doc {
    Doc {
        key: key.to_string(),
        id: case.id.to_string(),
        title: case.title.clone(),
        status: case.status,
        opened_at: case.opened_at.0.timestamp(),
        category: case.category.clone(),
        void: case.void.is_some(),
        placeholder: is_placeholder(&case.complaint.summary),
        reference_key: value_key(case.customer.reference.as_deref()),
        contact_key: value_key(case.customer.contact.as_deref()),
    }
}

impl Store {
    /// Whether a search database has been made (by a search, `similar`,
    /// `open`'s hints or `caselog index`).
    pub fn has_search_index(&self) -> bool {
        self.root.join(WORK_DIR).join(FILE).exists()
    }

    /// Deletes the search database, so the next use builds it afresh.
    pub fn forget_search_index(&self) -> Result<()> {
        let work = self.root.join(WORK_DIR);
        for file in FILES {
            super::facts::remove(&work.join(file))?;
        }
        Ok(())
    }

    /// The search index, up to date with the case files, and the files
    /// that could not be read (left out, and reported by the caller).
    /// With `use_index` false, or when no database can be had, it is built
    /// in memory from every file.
    pub fn search_index(
        &self,
        use_index: bool,
        progress: &dyn Progress,
    ) -> Result<(SearchIndex, Vec<anyhow::Error>)> {
        let path = self.root.join(WORK_DIR).join(FILE);
        if use_index && let Some(index) = self.unchanged_search_index(&path) {
            return Ok((index, Vec::new()));
        }
        let (files, mut errors, walk) = self.files_to_index(use_index);
        // What the rows may be vouched for by next time: the watcher's
        // token, when this listing learnt everything there is (no file it
        // could not look at, no second name a change could come through).
        let watched = walk.watched.filter(|_| walk.clean && errors.is_empty());
        if use_index {
            match self.update_on_disk(&path, &files, watched, progress) {
                Ok((index, failed)) => {
                    errors.extend(failed);
                    return Ok((index, errors));
                }
                // A database that cannot be opened, read or brought up to
                // date: start it again, once, else do without it. Its
                // write-ahead log goes too: SQLite would replay an old one
                // into the new database.
                Err(_) => {
                    let _ = self.forget_search_index();
                    match self.update_on_disk(&path, &files, watched, progress) {
                        Ok((index, failed)) => {
                            errors.extend(failed);
                            return Ok((index, errors));
                        }
                        Err(e) => {
                            self.index_trouble(format!("keeping {}: {e:#}", self.shown(&path)))
                        }
                    }
                }
            }
        }
        let conn = Connection::open_in_memory().context("making a search index in memory")?;
        conn.execute_batch(SCHEMA)
            .context("making a search index in memory")?;
        let mut index = SearchIndex { conn };
        let failed = index.update(self, &files, i64::MAX, None, progress)?;
        errors.extend(failed);
        Ok((index, errors))
    }

    /// The search index on disk as it stands, when the log's watcher says
    /// no case file changed since the rows were last made from a clean
    /// listing (the token kept with them): then no file need be listed.
    fn unchanged_search_index(&self, path: &Path) -> Option<SearchIndex> {
        // Opening would make one.
        if !path.is_file() {
            return None;
        }
        let conn = open_on_disk(path).ok()?;
        if schema_of(&conn) != Some(SCHEMA_VERSION) {
            return None;
        }
        let token = watched_token(&conn).ok()??;
        self.unchanged_since(token).then_some(SearchIndex { conn })
    }

    fn update_on_disk(
        &self,
        path: &Path,
        files: &[Found],
        watched: Option<Token>,
        progress: &dyn Progress,
    ) -> Result<(SearchIndex, Vec<anyhow::Error>)> {
        self.temp_dir()?;
        let conn = open_on_disk(path)?;
        if schema_of(&conn) != Some(SCHEMA_VERSION) {
            conn.execute_batch(
                "DROP TABLE IF EXISTS meta; DROP TABLE IF EXISTS doc; DROP TABLE IF EXISTS fts;",
            )?;
            conn.execute_batch(SCHEMA)?;
            conn.execute(
                "INSERT INTO meta (key, value) VALUES ('schema', ?1)",
                params![SCHEMA_VERSION],
            )?;
        }
        let written_ns: i64 = conn
            .query_row(
                "SELECT value FROM meta WHERE key = 'written_ns'",
                [],
                |row| row.get(0),
            )
            .optional()?
            .unwrap_or(i64::MIN);
        let mut index = SearchIndex { conn };
        #[cfg(debug_assertions)]
        pause_for_a_test();
        let failed = index.update(self, files, written_ns, watched, progress)?;
        Ok((index, failed))
    }
}

/// Test builds only: waits, after listing the files and before bringing
/// the rows up to date with them, until the file that
/// `CASELOG_TEST_PAUSE_BEFORE_SEARCH_UPDATE` names exists (at most 30 s),
/// so a test can have another caselog update the rows meanwhile.
#[cfg(debug_assertions)]
fn pause_for_a_test() {
    let Some(release) = std::env::var_os("CASELOG_TEST_PAUSE_BEFORE_SEARCH_UPDATE") else {
        return;
    };
    let release = std::path::PathBuf::from(release);
    let _ = std::fs::write(release.with_extension("paused"), "");
    let until = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while !release.exists() && std::time::Instant::now() < until {
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}

/// The search database at `path`, opened (made when there is none).
fn open_on_disk(path: &Path) -> Result<Connection> {
    let conn = Connection::open(path).context("opening the search index")?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    conn.execute_batch(
        // Deleted rows are overwritten, not left in free pages: a
        // redacted customer's details must not linger in the cache.
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA secure_delete = ON;
         PRAGMA temp_store = MEMORY; PRAGMA cache_size = -8000; PRAGMA mmap_size = 0;",
    )?;
    Ok(conn)
}

/// The schema the database was made with, if it says.
fn schema_of(conn: &Connection) -> Option<i64> {
    conn.query_row("SELECT value FROM meta WHERE key = 'schema'", [], |row| {
        row.get(0)
    })
    .optional()
    .unwrap_or(None)
}

impl SearchIndex {
    /// Brings the tables up to date with `files`: rows of files that are
    /// gone are dropped, and files that are new, changed, or modified just
    /// before the last update (`written_ns`) are read and indexed again.
    ///
    /// `watched`: the watcher's token for the listing `files` came from,
    /// when it was clean; kept with the rows made from or checked against
    /// it, so that a search after which nothing changed lists no file.
    fn update(
        &mut self,
        store: &Store,
        files: &[Found],
        written_ns: i64,
        watched: Option<Token>,
        progress: &dyn Progress,
    ) -> Result<Vec<anyhow::Error>> {
        let mut by_key: Vec<&Found> = files.iter().collect();
        if !by_key.is_sorted_by(|a, b| a.key <= b.key) {
            by_key.sort_by(|a, b| a.key.cmp(&b.key));
        }
        let fingerprint = fingerprint(&by_key);
        let settled = |written_ns: i64| {
            by_key
                .iter()
                .all(|f| f.identity.mtime_ns < written_ns.saturating_sub(RACY_NS))
        };
        // The very files the rows were last made from, none modified near
        // then: the rows are trusted without reading them (a tenth of a
        // search's time at 10,000 cases).
        let vouched = |conn: &Connection| -> Result<bool> {
            let stored: Option<Vec<u8>> = conn
                .query_row("SELECT value FROM meta WHERE key = 'files'", [], |row| {
                    row.get(0)
                })
                .optional()?;
            Ok(stored.as_deref() == Some(&fingerprint[..]))
        };
        if vouched(&self.conn)? && settled(written_ns) {
            if watched_token(&self.conn)? == watched {
                return Ok(Vec::new());
            }
            // The rows stand as they are, and now for this token too (or,
            // for a listing that was not clean, for none): kept in a
            // write, where they are vouched for again.
            let tx = self
                .conn
                .transaction_with_behavior(TransactionBehavior::Immediate)?;
            if vouched(&tx)? {
                set_watched_token(&tx, watched)?;
            }
            tx.commit()?;
            return Ok(Vec::new());
        }
        // The rows are read and mended in one write transaction, so that
        // those it leaves are exactly the files' (what the fingerprint
        // stands for), whatever another caselog writes meanwhile.
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        // Each indexed file's row id and stat identity, by key.
        let mut known: Vec<(String, i64, Identity)> = {
            let mut rows =
                tx.prepare("SELECT id, key, size, mtime_ns, ctime_ns, inode FROM doc")?;
            let rows = rows.query_map([], |row| {
                Ok((
                    row.get::<_, String>(1)?,
                    row.get::<_, i64>(0)?,
                    Identity {
                        size: row.get::<_, i64>(2)? as u64,
                        mtime_ns: row.get(3)?,
                        ctime_ns: row.get(4)?,
                        inode: row.get::<_, i64>(5)? as u64,
                    },
                ))
            })?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        // Rows are added in path order, and later only for the files that
        // changed, so a table scan usually gives them nearly sorted, which
        // this sort sees in about one pass (any order is sorted right).
        known.sort_by(|a, b| a.0.cmp(&b.0));
        // The files and the rows side by side, in key order: a file with
        // no row is new, a row with no file is gone.
        let mut stale: Vec<&Found> = Vec::new();
        let mut gone: Vec<i64> = Vec::new();
        let mut rows = known.into_iter().peekable();
        for &found in &by_key {
            while let Some((_, rowid, _)) = rows.next_if(|(key, ..)| *key < found.key) {
                gone.push(rowid);
            }
            match rows.next_if(|(key, ..)| *key == found.key) {
                Some((_, _, identity))
                    if identity == found.identity
                        && found.identity.mtime_ns < written_ns.saturating_sub(RACY_NS) => {}
                _ => stale.push(found),
            }
        }
        gone.extend(rows.map(|(_, rowid, _)| rowid));
        if stale.is_empty() && gone.is_empty() {
            // Up to date, and from now on known to be without a look.
            if !vouched(&tx)? {
                set_fingerprint(&tx, Some(&fingerprint))?;
            }
            set_watched_token(&tx, watched)?;
            tx.commit()?;
            return Ok(Vec::new());
        }
        let mut failed = Vec::new();
        progress.reading(stale.len());
        let purged = {
            let mut forget_doc = tx.prepare("DELETE FROM doc WHERE id = ?1")?;
            let mut forget_words = tx.prepare("DELETE FROM fts WHERE rowid = ?1")?;
            let mut find = tx.prepare("SELECT id, redactions FROM doc WHERE key = ?1")?;
            let mut add_doc = tx.prepare(
                "INSERT INTO doc (key, size, mtime_ns, ctime_ns, inode, case_id, title, status,
                    opened_at, category, void, placeholder, reference_key, contact_key, redactions)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
            )?;
            let mut add_words = tx.prepare(
                "INSERT INTO fts (rowid, title, summary, notes, customer) VALUES (?1, ?2, ?3, ?4, ?5)",
            )?;
            // A case gone or newly redacted leaves its words in the
            // full-text index's older segments (a delete only marks them)
            // until they are merged: then they are merged at once.
            let mut purge = !gone.is_empty();
            for rowid in gone {
                forget_words.execute(params![rowid])?;
                forget_doc.execute(params![rowid])?;
            }
            for batch in stale.chunks(BATCH) {
                let read = parallel_map(batch, |found| {
                    store
                        .read_walked_case(&found.path(store.cases_dir()))
                        .map(|stored| {
                            (
                                columns(&stored.case),
                                doc_of(&found.key, &stored.case),
                                redactions(&stored.case),
                            )
                        })
                });
                for (found, outcome) in batch.iter().zip(read) {
                    progress.read_one();
                    let before = find
                        .query_row(params![found.key], |row| {
                            Ok((row.get::<_, i64>(0)?, row.get::<_, i64>(1)?))
                        })
                        .optional()?;
                    if let Some((rowid, _)) = before {
                        forget_words.execute(params![rowid])?;
                        forget_doc.execute(params![rowid])?;
                    }
                    let (words, doc, redactions) = match outcome {
                        Ok(read) => read,
                        Err(e) => {
                            failed.push(e);
                            continue;
                        }
                    };
                    let id = found.identity;
                    add_doc.execute(params![
                        doc.key,
                        id.size as i64,
                        id.mtime_ns,
                        id.ctime_ns,
                        id.inode as i64,
                        doc.id,
                        doc.title,
                        doc.status.as_str(),
                        doc.opened_at,
                        doc.category,
                        doc.void,
                        doc.placeholder,
                        doc.reference_key,
                        doc.contact_key,
                        redactions,
                    ])?;
                    purge |= before.is_some_and(|(_, earlier)| redactions > earlier);
                    let rowid = tx.last_insert_rowid();
                    add_words.execute(params![rowid, words[0], words[1], words[2], words[3]])?;
                }
            }
            // A build, or an update rewriting a good part of the index,
            // leaves many small segments, and FTS5 merges them all at once
            // (seconds) on some later change: merged now instead.
            let rebuilt = stale.len() > BATCH && stale.len() * 4 >= by_key.len();
            if purge || rebuilt {
                tx.execute("INSERT INTO fts (fts) VALUES ('optimize')", [])?;
            }
            let now = chrono::Utc::now().timestamp_nanos_opt().unwrap_or(i64::MAX);
            tx.execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES ('written_ns', ?1)",
                params![now],
            )?;
            // A file that failed has no row: no fingerprint, so that the
            // next update looks at the rows again and reports it again.
            set_fingerprint(&tx, failed.is_empty().then_some(&fingerprint))?;
            set_watched_token(&tx, watched.filter(|_| failed.is_empty()))?;
            purge
        };
        tx.commit()?;
        if purged {
            // The write-ahead log may still hold pages from before: emptied
            // now, unless another caselog is reading (its last close does).
            let _ = self.conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)");
        }
        progress.done();
        Ok(failed)
    }

    /// The cases matching `query` (FTS5 syntax), best first by bm25 with
    /// `weights`, at most `limit`. Words whose case has no row are damage
    /// (the two are written and dropped together), found by the outer
    /// join: the row's empty key fails, and the caller builds afresh
    /// rather than answer without the case.
    pub fn ranked(&self, query: &str, weights: Weights, limit: usize) -> Result<Vec<Ranked>> {
        let mut statement = self.conn.prepare_cached(
            "SELECT bm25(fts, ?2, ?3, ?4, ?5) AS rank, d.key, d.case_id, d.title, d.status,
                    d.opened_at, d.category, d.void, d.placeholder, d.reference_key, d.contact_key,
                    d.id
             FROM fts LEFT JOIN doc d ON d.id = fts.rowid
             WHERE fts MATCH ?1
             ORDER BY rank, d.case_id
             LIMIT ?6",
        )?;
        let rows = statement
            .query_map(
                params![
                    query,
                    weights[0],
                    weights[1],
                    weights[2],
                    weights[3],
                    i64::try_from(limit).unwrap_or(i64::MAX)
                ],
                |row| {
                    Ok(Ranked {
                        score: -row.get::<_, f64>(0)?,
                        doc: doc_from(row, 1)?,
                        row: row.get(11)?,
                    })
                },
            )
            .context("searching the index")?;
        rows.collect::<Result<_, _>>()
            .context("searching the index")
    }

    /// The cases that may be like one (`before`: opened before it, as
    /// `(opened_at, id)`, unless `None`; never itself, void or with a
    /// placeholder for a complaint) among the rows of `holding` (those
    /// holding a word of its complaint in their own title or summary, in
    /// rising order), best first by bm25 of `query` with `weights`, at
    /// most `limit`. The conditions are the query's, not a filter after
    /// it: cases left out afterwards filled the `limit` (300 later cases,
    /// or 300 that name the words in their notes only, and the one
    /// earlier case like it was never seen).
    pub fn ranked_alike(
        &self,
        query: &str,
        holding: &[i64],
        weights: Weights,
        limit: usize,
        own: &str,
        before: Option<i64>,
    ) -> Result<Vec<Ranked>> {
        // The holding rows are asked for by the caller, a word at a time:
        // asked inside the ranking (`rowid IN (… MATCH …)`), SQLite ran
        // that search again for every case ranked, and `similar` over
        // 10,000 cases took four seconds.
        // A row of words with no case row passes, and fails as in
        // `ranked`, so that damage is rebuilt rather than left out.
        let mut statement = self.conn.prepare_cached(
            "SELECT bm25(fts, ?2, ?3, ?4, ?5) AS rank, d.key, d.case_id, d.title, d.status,
                    d.opened_at, d.category, d.void, d.placeholder, d.reference_key, d.contact_key,
                    d.id, fts.rowid
             FROM fts LEFT JOIN doc d ON d.id = fts.rowid
             WHERE fts MATCH ?1
               AND (d.id IS NULL OR (d.case_id != ?6 AND NOT d.void AND NOT d.placeholder
                    AND (?7 IS NULL OR d.opened_at < ?7 OR (d.opened_at = ?7 AND d.case_id < ?6))))
             ORDER BY rank, d.case_id",
        )?;
        let mut rows = statement
            .query(params![
                query, weights[0], weights[1], weights[2], weights[3], own, before,
            ])
            .context("searching the index")?;
        let mut ranked = Vec::new();
        while ranked.len() < limit
            && let Some(row) = rows.next().context("searching the index")?
        {
            if holding.binary_search(&row.get::<_, i64>(12)?).is_err() {
                continue;
            }
            ranked.push(Ranked {
                score: -row.get::<_, f64>(0)?,
                doc: doc_from(row, 1)?,
                row: row.get(11)?,
            });
        }
        Ok(ranked)
    }

    /// The cases of the customer with this reference and contact, as
    /// repeat-customer matching compares them: the same reference when
    /// both cases have one, else the same contact.
    pub fn by_customer(&self, reference: Option<&str>, contact: Option<&str>) -> Result<Vec<Doc>> {
        let (reference, contact) = (value_key(reference), value_key(contact));
        // Both parameters are always bound; a missing one matches nothing.
        let condition = match (&reference, &contact) {
            (Some(_), Some(_)) => {
                "reference_key = ?1 OR (reference_key IS NULL AND contact_key = ?2)"
            }
            (Some(_), None) => "reference_key = ?1 AND ?2 IS NULL",
            (None, Some(_)) => "contact_key = ?2 AND ?1 IS NULL",
            (None, None) => return Ok(Vec::new()),
        };
        let mut statement = self.conn.prepare(&format!(
            "SELECT key, case_id, title, status, opened_at, category, void, placeholder,
                    reference_key, contact_key
             FROM doc WHERE {condition}"
        ))?;
        let rows = statement.query_map(params![reference, contact], |row| doc_from(row, 0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Answers `ask` from one view of the database: queries asked one
    /// after another see the same rows, whatever another caselog writes
    /// meanwhile (a case indexed again gets a new row id, and would drop
    /// out of an answer made of several queries).
    pub fn consistent<T>(&self, ask: impl FnOnce() -> Result<T>) -> Result<T> {
        // Only read: dropped, it ends without writing anything.
        let _view = self
            .conn
            .unchecked_transaction()
            .context("reading the search index")?;
        ask()
    }

    /// The rows of the cases holding `word` in their title or summary (as
    /// the stemmer reads it), in rising order.
    pub fn holders(&self, word: &str) -> Result<Vec<i64>> {
        let mut rows: Vec<i64> = self
            .conn
            .prepare_cached("SELECT rowid FROM fts WHERE fts MATCH ?1")?
            .query_map(params![texts_holding(word)], |row| row.get(0))
            .context("searching the index")?
            .collect::<Result<_, _>>()
            .context("searching the index")?;
        // FTS5 gives them in rowid order; nothing here relies on it.
        if !rows.is_sorted() {
            rows.sort_unstable();
        }
        Ok(rows)
    }

    /// How many cases carry this title, word for word (letter case
    /// aside).
    pub fn titled(&self, title: &str) -> Result<usize> {
        self.counted(
            "SELECT count(*) FROM doc WHERE title = ?1 COLLATE NOCASE",
            title,
        )
    }

    /// How many cases hold `word` in their title or summary, as
    /// [`SearchIndex::holders`] finds them.
    pub fn holding_count(&self, word: &str) -> Result<usize> {
        self.counted(
            "SELECT count(*) FROM fts WHERE fts MATCH ?1",
            &texts_holding(word),
        )
    }

    /// The count `sql` (a `SELECT count(*)` of one parameter) answers
    /// for `value`.
    fn counted(&self, sql: &str, value: &str) -> Result<usize> {
        let count: i64 = self
            .conn
            .prepare_cached(sql)?
            .query_row(params![value], |row| row.get(0))
            .context("searching the index")?;
        Ok(usize::try_from(count).unwrap_or(0))
    }

    /// Merges the full-text index's segments into one. Every change adds
    /// a small segment (and FTS5 merges only some of them as it goes),
    /// and every query reads every segment: after many writes `similar`
    /// is a fifth slower than on a fresh index. Safe at any time; it
    /// waits for, and is waited for by, other writers as any update is.
    pub fn optimize(&self) -> Result<()> {
        self.conn
            .execute("INSERT INTO fts (fts) VALUES ('optimize')", [])
            .context("merging the search index")?;
        Ok(())
    }

    /// Checks every page of the database (SQLite's `quick_check`): a page
    /// no query happened to reach may be damaged too.
    pub fn check_pages(&self) -> Result<()> {
        let verdict: String = self
            .conn
            .query_row("PRAGMA quick_check(1)", [], |row| row.get(0))
            .context("checking the search index")?;
        anyhow::ensure!(verdict == "ok", "the search index is damaged: {verdict}");
        Ok(())
    }

    /// Every case the index holds.
    pub fn count(&self) -> Result<usize> {
        Ok(self
            .conn
            .query_row("SELECT count(*) FROM doc", [], |row| row.get::<_, i64>(0))?
            as usize)
    }
}

/// An FTS5 query for one word in a complaint: its title or summary.
fn texts_holding(word: &str) -> String {
    format!("{{title summary}} : {}", query::quoted(word))
}

fn doc_from(row: &rusqlite::Row<'_>, first: usize) -> rusqlite::Result<Doc> {
    let status: String = row.get(first + 3)?;
    Ok(Doc {
        key: row.get(first)?,
        id: row.get(first + 1)?,
        title: row.get(first + 2)?,
        status: status.parse().unwrap_or(Status::Open),
        opened_at: row.get(first + 4)?,
        category: row.get(first + 5)?,
        void: row.get(first + 6)?,
        placeholder: row.get(first + 7)?,
        reference_key: row.get(first + 8)?,
        contact_key: row.get(first + 9)?,
    })
}

/// What the rows stand for: every file's key and stat identity, in key
/// order, hashed (SHA-256, so that no two walks share one by chance).
fn fingerprint(by_key: &[&Found]) -> [u8; 32] {
    let mut hash = Sha256::new();
    hash.update((by_key.len() as u64).to_le_bytes());
    for found in by_key {
        let id = &found.identity;
        // A key holds no NUL: it ends each one.
        hash.update(found.key.as_bytes());
        hash.update([0]);
        for n in [id.size, id.mtime_ns as u64, id.ctime_ns as u64, id.inode] {
            hash.update(n.to_le_bytes());
        }
    }
    hash.finalize().into()
}

/// The watcher's token kept with the rows (see [`SearchIndex::update`]).
fn watched_token(conn: &Connection) -> Result<Option<Token>> {
    let stored: Option<Vec<u8>> = conn
        .query_row("SELECT value FROM meta WHERE key = 'watched'", [], |row| {
            row.get(0)
        })
        .optional()?;
    Ok(stored.and_then(|bytes| {
        let instance = u64::from_le_bytes(bytes.get(..8)?.try_into().ok()?);
        let generation = u64::from_le_bytes(bytes.get(8..16)?.try_into().ok()?);
        Some(Token {
            instance,
            generation,
        })
    }))
}

/// Keeps `token`, the token of the listing the rows were just made from
/// or checked against, with them, in the same write: exactly that one,
/// even where another caselog kept a later one. Rows made from an older
/// listing than that token drop the cases added since it (a search that
/// listed before a case was opened, writing after one that listed it),
/// and a later token would vouch for what they no longer hold; an
/// earlier one only costs a listing. No token (a listing that was not
/// clean) forgets it, so that the next search lists every file.
fn set_watched_token(conn: &Connection, token: Option<Token>) -> Result<()> {
    match token {
        Some(token) => {
            let mut bytes = token.instance.to_le_bytes().to_vec();
            bytes.extend_from_slice(&token.generation.to_le_bytes());
            conn.execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES ('watched', ?1)",
                params![bytes],
            )?;
        }
        None => {
            conn.execute("DELETE FROM meta WHERE key = 'watched'", [])?;
        }
    }
    Ok(())
}

/// Records, or with `None` forgets, the fingerprint of the files the rows
/// now stand for.
fn set_fingerprint(conn: &Connection, fingerprint: Option<&[u8; 32]>) -> Result<()> {
    match fingerprint {
        Some(f) => conn.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES ('files', ?1)",
            params![&f[..]],
        )?,
        None => conn.execute("DELETE FROM meta WHERE key = 'files'", [])?,
    };
    Ok(())
}

/// A query checked against FTS5 on a table of its own in memory, with the
/// index's columns and tokenizer, where each hit's snippet is then made
/// (the index keeps no texts). Made once per search: a table costs about
/// half a millisecond to set up, which twenty hits each paid before.
pub struct Snippets {
    conn: Connection,
    query: String,
    any_phrase: String,
    /// The longest piece of a column a snippet is made from.
    window: usize,
}

/// Where a snippet's found word starts and ends. Case text brings none
/// to a snippet (one there is made U+FFFD first), so no case text can
/// pass for a found word: the output shows these as it likes.
pub const FOUND_START: char = '\u{E000}';
pub const FOUND_END: char = '\u{E001}';

/// `text` with none of the found-word marks in it.
fn without_found_marks(text: &str) -> std::borrow::Cow<'_, str> {
    if text.contains([FOUND_START, FOUND_END]) {
        text.replace([FOUND_START, FOUND_END], "\u{FFFD}").into()
    } else {
        text.into()
    }
}

impl Snippets {
    /// Refuses a query FTS5 cannot read (one [`query::Query`] let past
    /// would be a fault of its reading, still the query's to fix). It is
    /// tried on an empty table of its own, so a failure is the query's,
    /// never a damaged database's (which the caller rebuilds instead).
    pub fn for_query(checked: &query::Query) -> Result<Snippets> {
        let query = checked.fts5();
        let conn = Connection::open_in_memory().context("making a search table in memory")?;
        conn.execute_batch(concat!(
            "CREATE VIRTUAL TABLE t USING fts5(title, summary, notes, customer, tokenize = '",
            tokenizer!(),
            "');"
        ))
        .context("making a search table in memory")?;
        let tried = conn.query_row(
            "SELECT count(*) FROM t WHERE t MATCH ?1",
            params![query],
            |row| row.get::<_, i64>(0),
        );
        match tried {
            Ok(_) => Ok(Snippets {
                conn,
                query: query.to_string(),
                any_phrase: checked.any_phrase().to_string(),
                // FTS5 weighs every place any phrase is found against
                // every other: the pieces shrink as the phrases grow, so
                // that the places in one piece stay few.
                window: (SNIPPET_WINDOW / checked.phrases().max(1)).max(SMALLEST_WINDOW),
            }),
            Err(e) => {
                let why = match &e {
                    rusqlite::Error::SqliteFailure(_, Some(message)) => message.clone(),
                    other => other.to_string(),
                };
                Err(crate::error::InputError::Invalid(format!(
                    "'{query}' is not a search caselog understands ({why}): use words, \"phrases\", prefix*, AND, OR, NOT, parentheses, and the columns title, summary, notes, customer"
                ))
                .into())
            }
        }
    }

    /// Where the query's words are in one case, each found word between
    /// [`FOUND_START`] and [`FOUND_END`], on one line (the columns' line
    /// breaks read as a gap); empty when the case's words do not match. The table holds only this case while
    /// FTS5 looks, as its snippet is about one row.
    ///
    /// FTS5 weighs every place a word is against every other, so a column
    /// holding a word thousands of times took minutes, and as long again
    /// for each more phrase of the query that finds it there. A column
    /// longer than [`SNIPPET_WINDOW`] (shared among the query's phrases)
    /// is cut at spaces into pieces that short, one row each (the short
    /// columns in every row), and the snippet is of the first piece the
    /// query matches, or, when the words it wants together fall in
    /// different pieces, of the first piece holding any of its phrases:
    /// never of the whole text, which took hours. The same as before for
    /// every case of ordinary length.
    pub fn of(&self, case: &Case) -> Result<String> {
        let columns = columns(case);
        let pieces: Vec<Vec<&str>> = columns
            .iter()
            .map(|text| pieces(text, self.window))
            .collect();
        let rows = pieces.iter().map(Vec::len).max().unwrap_or(1);
        let piece = |column: usize, row: usize| -> &str {
            match pieces[column].as_slice() {
                [whole] => whole,
                many => many.get(row).copied().unwrap_or(""),
            }
        };
        let every_row =
            || (0..rows).map(|row| [piece(0, row), piece(1, row), piece(2, row), piece(3, row)]);
        let mut text = self.snippet_of(&self.query, every_row())?;
        // Words the query wants together in different pieces (AND, NEAR,
        // a phrase across a cut): where any of them is.
        if text.is_none() && rows > 1 {
            text = self.snippet_of(&self.any_phrase, every_row())?;
        }
        Ok(text.unwrap_or_default().replace('\n', " · "))
    }

    /// The snippet of the first of `rows` (each the four columns' texts)
    /// the query matches, if any: only the first match's is made, FTS5
    /// giving rows in rowid order. The table is left empty.
    fn snippet_of<'t>(
        &self,
        query: &str,
        rows: impl Iterator<Item = [&'t str; 4]>,
    ) -> Result<Option<String>> {
        for (at, [title, summary, notes, customer]) in rows.enumerate() {
            self.conn
                .execute(
                    "INSERT INTO t (rowid, title, summary, notes, customer) VALUES (?1, ?2, ?3, ?4, ?5)",
                    params![
                        at as i64 + 1,
                        without_found_marks(title),
                        without_found_marks(summary),
                        without_found_marks(notes),
                        without_found_marks(customer)
                    ],
                )
                .context("making a snippet")?;
        }
        let text: Option<String> = self
            .conn
            .query_row(
                "SELECT snippet(t, -1, ?2, ?3, '…', 16) FROM t WHERE t MATCH ?1
                 ORDER BY rowid LIMIT 1",
                params![query, FOUND_START.to_string(), FOUND_END.to_string()],
                |row| row.get(0),
            )
            .optional()
            .ok()
            .flatten();
        self.conn
            .execute("DELETE FROM t", [])
            .context("making a snippet")?;
        Ok(text)
    }
}

/// The longest piece of a column a snippet is made from (see
/// [`Snippets::of`]): far longer than any ordinary note, short enough that
/// a word repeated throughout costs FTS5 milliseconds.
const SNIPPET_WINDOW: usize = 8 * 1024;
/// The shortest a piece gets, however many phrases the query holds.
const SMALLEST_WINDOW: usize = 128;

/// `text` in pieces of at most `most` bytes, each cut after a space or
/// line break where there is one (else at a character's edge); the whole
/// text as one piece when it is that short.
fn pieces(text: &str, most: usize) -> Vec<&str> {
    let mut pieces = Vec::new();
    let mut rest = text;
    while rest.len() > most {
        let mut end = most;
        while !rest.is_char_boundary(end) {
            end -= 1;
        }
        let cut = rest[..end]
            .rfind(char::is_whitespace)
            .map(|at| at + rest[at..].chars().next().map_or(1, char::len_utf8))
            .filter(|&at| at > 0)
            .unwrap_or(end);
        pieces.push(&rest[..cut]);
        rest = &rest[cut..];
    }
    pieces.push(rest);
    pieces
}

#[cfg(test)]
mod tests {
    use super::{is_placeholder, pieces};

    #[test]
    fn a_placeholder_is_known_by_its_words_however_it_is_written() {
        for text in [
            "No narrative",
            "no narrative.",
            "  NO NARRATIVE!  ",
            "N/A",
            "n.a.",
            "(none)",
            "-",
            "?",
            "",
            "See attached.",
            "[No description]",
        ] {
            assert!(is_placeholder(text), "{text:?}");
        }
        for text in ["No narrative about the grinder", "None of the beans", "NAS"] {
            assert!(!is_placeholder(text), "{text:?}");
        }
    }

    #[test]
    fn a_long_column_is_cut_after_spaces_into_pieces_that_make_it_up_again() {
        assert_eq!(pieces("", 8), [""]);
        assert_eq!(pieces("short text", 10), ["short text"]);
        let text = "one two three four five six seven";
        let cut = pieces(text, 10);
        assert_eq!(cut, ["one two ", "three ", "four five ", "six seven"]);
        assert_eq!(cut.concat(), text);
        // No space to cut after: at a character's edge, never inside one.
        let text = "ééééééé";
        let cut = pieces(text, 5);
        assert_eq!(cut, ["éé", "éé", "éé", "é"]);
        for text in [
            "a\nb\nc d e f g h i j k l m n o p",
            "日本語のテキスト と 空白 が ある",
            &"word ".repeat(1000),
        ] {
            for most in [4, 7, 16, 100] {
                let cut = pieces(text, most);
                assert_eq!(cut.concat(), text, "{most}");
                assert!(cut.iter().all(|p| p.len() <= most), "{most}: {cut:?}");
                assert!(cut.iter().all(|p| !p.is_empty()), "{most}: {cut:?}");
            }
        }
    }
}
