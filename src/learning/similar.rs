//! Learning from earlier complaints: the customer who complains again, and
//! the cases like this one, with how they ended.
//!
//! A customer's earlier cases come from the facts of every case (one pass
//! through the index). Cases like this one come from the search index:
//! SQLite FTS5's bm25 ranking with its porter stemmer, over the words of
//! every case, the complaint and the notes weighing more than the title
//! (real exports file complaints under a fixed list of titles, which would
//! otherwise drown the customer's own words).

use chrono::{DateTime, Utc};

use crate::case::personal;
use crate::case::redaction::is_marker;
use crate::case::{Case, Status};
use crate::store::Store;
use crate::store::index::search::{SearchIndex, Weights, query};
use crate::store::index::{Progress, light};

/// The weights of the columns when ranking likeness: title, summary,
/// notes, customer (names say nothing about what a complaint is about).
const LIKENESS: Weights = [1.0, 1.5, 1.5, 0.0];
/// At most this many of a case's words make its query.
const QUERY_WORDS: usize = 32;
/// At most this many of a long case's words are weighed to choose them.
const WEIGHED_WORDS: usize = 128;
/// A title this many other cases carry word for word is a label from a
/// fixed list (real exports file complaints so), not the case's words.
const LABEL_CASES: usize = 3;
/// A case in the same category ranks as if its text matched this much better.
pub const SAME_CATEGORY_BOOST: f64 = 1.5;

/// An earlier case of the same customer.
#[derive(Debug, Clone)]
pub struct Earlier {
    pub id: String,
    pub opened_at: DateTime<Utc>,
    pub title: String,
    pub status: Status,
}

/// A customer as repeat-customer matching sees them.
#[derive(Debug, Clone, Default)]
struct CustomerKeys {
    reference: Option<String>,
    contact: Option<String>,
}

impl CustomerKeys {
    fn of(case: &Case) -> CustomerKeys {
        let key = |v: &Option<String>| personal::value_key(v.as_deref());
        CustomerKeys {
            reference: key(&case.customer.reference),
            contact: key(&case.customer.contact),
        }
    }

    /// Whether two cases are from the same customer: the same reference
    /// (an account or order number) when both have one, else the same
    /// contact. Letter case and surrounding blanks do not count.
    fn same(&self, other: &CustomerKeys) -> bool {
        match (&self.reference, &other.reference) {
            (Some(a), Some(b)) => a == b,
            _ => self.contact.is_some() && self.contact == other.contact,
        }
    }
}

/// Whether `other` is an earlier case of `case`'s customer.
fn is_earlier(case: &Case, other: &Case) -> bool {
    other.void.is_none()
        && (other.opened_at, other.id.as_str()) < (case.opened_at, case.id.as_str())
        && CustomerKeys::of(case).same(&CustomerKeys::of(other))
}

fn oldest_first(earlier: &mut [Earlier]) {
    earlier.sort_by(|a, b| (a.opened_at, &a.id).cmp(&(b.opened_at, &b.id)));
}

/// The cases of `case`'s customer opened before it, oldest first, from
/// the facts of every case; files that could not be read come back as
/// errors.
pub fn earlier_cases(
    store: &Store,
    case: &Case,
    use_index: bool,
    progress: &dyn Progress,
) -> (Vec<Earlier>, Vec<anyhow::Error>) {
    let keys = CustomerKeys::of(case);
    if keys.reference.is_none() && keys.contact.is_none() {
        return (Vec::new(), Vec::new());
    }
    let (mut found, errors) = store.every_light_case(use_index, progress, |other| {
        is_earlier(case, other).then(|| Earlier {
            id: other.id.to_string(),
            opened_at: other.opened_at.0,
            title: other.title.clone(),
            status: other.status,
        })
    });
    oldest_first(&mut found);
    (found, errors)
}

/// The same, from the search index (which `open` has at hand anyway).
pub fn earlier_in(index: &SearchIndex, case: &Case) -> anyhow::Result<Vec<Earlier>> {
    let light = light(case);
    let mut found: Vec<Earlier> = index
        .by_customer(
            light.customer.reference.as_deref(),
            light.customer.contact.as_deref(),
        )?
        .into_iter()
        .filter(|doc| {
            !doc.void
                && (doc.opened_at, doc.id.as_str())
                    < (case.opened_at.0.timestamp(), case.id.as_str())
        })
        .map(|doc| Earlier {
            opened_at: DateTime::from_timestamp(doc.opened_at, 0).unwrap_or_default(),
            id: doc.id,
            title: doc.title,
            status: doc.status,
        })
        .collect();
    oldest_first(&mut found);
    Ok(found)
}

/// One case found like the one asked about.
#[derive(Debug, Clone)]
pub struct Match {
    /// Where it is: its key in the index (see `Store::path_of_key`).
    pub key: String,
    pub id: String,
    /// How much of the complaint asked about this one's complaint also
    /// says: its words found in this one's title or summary, each weighted
    /// by how rare it is in the log (idf), 0 to 1.
    pub similarity: f64,
    pub same_category: bool,
    /// The ranking score: similarity, boosted for the same category.
    pub score: f64,
}

/// Words that say nothing about what a complaint is about.
const STOP_WORDS: &[&str] = &[
    "a", "about", "after", "again", "all", "also", "am", "an", "and", "any", "are", "as", "at",
    "be", "been", "before", "but", "by", "can", "could", "did", "do", "does", "for", "from", "had",
    "has", "have", "he", "her", "him", "his", "how", "i", "if", "in", "into", "is", "it", "its",
    "just", "me", "my", "no", "not", "now", "of", "on", "or", "our", "out", "she", "so", "than",
    "that", "the", "their", "them", "then", "there", "they", "this", "to", "too", "up", "us",
    "was", "we", "were", "what", "when", "which", "who", "why", "will", "with", "would", "you",
    "your",
];

/// The distinct words of a text that carry meaning, lower-cased, in the
/// order they first appear. (The search index stems them.)
pub fn words(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for word in text.split(|c: char| !c.is_alphanumeric()) {
        let word = word.to_lowercase();
        if word.chars().count() > 1 && !STOP_WORDS.contains(&word.as_str()) && !out.contains(&word)
        {
            out.push(word);
        }
    }
    out
}

/// The words a case is about: its title's and its complaint's (none of
/// what a redaction left). Of a long complaint, the rarest in the log:
/// its first words were taken, and a fixed vocabulary of titles and a
/// customer's opening courtesies pushed out the words that say what went
/// wrong (the thermostat in the 40th word). A word no other case holds
/// finds nothing, so it comes last.
fn case_words(index: &SearchIndex, case: &Case) -> anyhow::Result<Vec<String>> {
    // A label shared with many cases would make each of them as alike as
    // its words are rare: "Billing problem" on a tenth of the log made
    // every billing case 32% alike to a failed thermostat, above the bar
    // of `open`'s hints. (The case itself is one of those carrying it.)
    let label = index.titled(&case.title)? > LABEL_CASES;
    let mut text = String::new();
    let title = Some(&case.title).filter(|_| !label);
    for part in title.into_iter().chain([&case.complaint.summary]) {
        if !is_marker(part) {
            text.push_str(part);
            text.push('\n');
        }
    }
    let mut all = words(&text);
    if all.len() <= QUERY_WORDS {
        return Ok(all);
    }
    all.truncate(WEIGHED_WORDS);
    let mut weighed = Vec::with_capacity(all.len());
    for (at, word) in all.into_iter().enumerate() {
        let held = index.holding_count(&word)?;
        // The case itself is one of those holding it.
        weighed.push(((held <= 1, held, at), word));
    }
    weighed.sort();
    Ok(weighed
        .into_iter()
        .take(QUERY_WORDS)
        .map(|(_, word)| word)
        .collect())
}

/// An FTS5 query for any of `words` (each quoted, so none is read as an
/// operator), in `columns`.
fn any_of(columns: &str, words: &[String]) -> String {
    let quoted: Vec<String> = words.iter().map(|w| query::quoted(w)).collect();
    format!("{{{columns}}} : ({})", quoted.join(" OR "))
}

/// The cases most like `case`, best first, at most `limit`: found by the
/// search index's bm25 (its notes count too), each sharing at least one
/// meaningful word of complaint with it, not void, and with more to say
/// than a placeholder; ordered by how much of its complaint they share.
/// Only cases opened before it, unless `all`.
pub fn similar(
    index: &SearchIndex,
    case: &Case,
    limit: usize,
    all: bool,
) -> anyhow::Result<Vec<Match>> {
    index.consistent(|| most_alike(index, case, limit, all))
}

/// [`similar`], asked of one view of the index.
fn most_alike(
    index: &SearchIndex,
    case: &Case,
    limit: usize,
    all: bool,
) -> anyhow::Result<Vec<Match>> {
    let words = case_words(index, case)?;
    if words.is_empty() {
        return Ok(Vec::new());
    }
    // The cases holding each word of complaint, and any of them: one
    // look at each word's cases answers both.
    let holders = words
        .iter()
        .map(|word| index.holders(word))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let mut holding: Vec<i64> = holders.concat();
    holding.sort_unstable();
    holding.dedup();
    // Only cases that may be listed, sharing a word of complaint: enough
    // of them that the order by share below finds the best.
    let ranked = index.ranked_alike(
        &any_of("title summary notes", &words),
        &holding,
        LIKENESS,
        limit.saturating_mul(10).max(50),
        case.id.as_str(),
        (!all).then(|| case.opened_at.0.timestamp()),
    )?;
    if ranked.is_empty() {
        return Ok(Vec::new());
    }
    // The share of the case's words each found case holds, rare words
    // counting most (BM25's idf, with the +1 that keeps it positive).
    let documents = index.count()? as f64;
    let mut shared = vec![0.0; ranked.len()];
    let mut total = 0.0;
    for held in &holders {
        let n = held.len() as f64;
        let idf = (1.0 + (documents - n + 0.5) / (n + 0.5)).ln();
        total += idf;
        for (i, r) in ranked.iter().enumerate() {
            if held.binary_search(&r.row).is_ok() {
                shared[i] += idf;
            }
        }
    }
    let mut found: Vec<Match> = ranked
        .into_iter()
        .zip(shared)
        .map(|(r, shared)| {
            let similarity = if total > 0.0 {
                (shared / total).min(1.0)
            } else {
                0.0
            };
            let same_category = case.category.is_some() && r.doc.category == case.category;
            let boost = if same_category {
                SAME_CATEGORY_BOOST
            } else {
                1.0
            };
            Match {
                key: r.doc.key,
                id: r.doc.id,
                similarity,
                same_category,
                score: similarity * boost,
            }
        })
        .collect();
    // A case found only through its notes shares no words of complaint.
    found.retain(|m| m.similarity > 0.0);
    // Most alike first; among equals, bm25's order (the sort is stable).
    found.sort_by(|a, b| b.score.total_cmp(&a.score));
    found.truncate(limit);
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_drop_stop_words_case_and_repeats() {
        assert_eq!(
            words("The deliveries were LATE, and the late boxes' labels wrong!"),
            ["deliveries", "late", "boxes", "labels", "wrong"]
        );
        assert_eq!(words("Café crème brûlée"), ["café", "crème", "brûlée"]);
    }

    #[test]
    fn the_same_customer_is_the_same_reference_else_the_same_contact() {
        let keys = |reference: Option<&str>, contact: Option<&str>| CustomerKeys {
            reference: reference.map(str::to_string),
            contact: contact.map(str::to_string),
        };
        assert!(keys(Some("a-1"), Some("x")).same(&keys(Some("a-1"), Some("y"))));
        assert!(!keys(Some("a-1"), Some("x")).same(&keys(Some("a-2"), Some("x"))));
        assert!(keys(Some("a-1"), Some("x")).same(&keys(None, Some("x"))));
        assert!(!keys(None, None).same(&keys(None, None)));
    }
}
