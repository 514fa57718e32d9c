//! Learning from earlier complaints: the customer who complains again, and
//! the cases like this one, with how they ended.
//!
//! Both need a pass over every case, so both read only a [`Profile`] of
//! each, from the part of its file before the event log (see
//! [`Store::load_each_part`]), and keep a few numbers per case; the
//! handful of cases shown are read again whole.
//! Similarity is BM25, the standard TF-IDF ranking: it needs nothing but
//! each case's term counts and the log's document frequencies, which one
//! pass can gather.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::Deserialize;

use crate::case::redaction::is_marker;
use crate::case::{Case, Status, Timestamp, Void};
use crate::store::Store;

/// What learning needs of a case; every other key is skipped unread.
#[derive(Debug, Clone, Deserialize)]
pub struct Profile {
    pub id: String,
    pub title: String,
    pub status: Status,
    /// Void cases (duplicates, opened in error) are left out of both passes.
    #[serde(default)]
    pub void: Option<Void>,
    #[serde(default)]
    pub category: Option<String>,
    pub opened_at: Timestamp,
    pub customer: ProfileCustomer,
    pub complaint: ProfileComplaint,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ProfileCustomer {
    #[serde(default)]
    pub contact: Option<String>,
    #[serde(default)]
    pub reference: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ProfileComplaint {
    pub summary: String,
}

impl Profile {
    pub fn of(case: &Case) -> Profile {
        Profile {
            id: case.id.to_string(),
            title: case.title.clone(),
            status: case.status,
            void: case.void,
            category: case.category.clone(),
            opened_at: case.opened_at,
            customer: ProfileCustomer {
                contact: case.customer.contact.clone(),
                reference: case.customer.reference.clone(),
            },
            complaint: ProfileComplaint {
                summary: case.complaint.summary.clone(),
            },
        }
    }

    /// This case as an earlier complaint of `query`'s customer, if it is one.
    fn earlier_case_of(&self, query: &Profile) -> Option<Earlier> {
        let before = (self.opened_at, self.id.as_str()) < (query.opened_at, query.id.as_str());
        (before && self.void.is_none() && same_customer(&query.customer, &self.customer)).then(
            || Earlier {
                id: self.id.clone(),
                opened_at: self.opened_at.0,
                title: self.title.clone(),
                status: self.status,
            },
        )
    }
}

/// Whether two cases are from the same customer: the same reference (an
/// account or order number) when both have one, else the same contact.
/// Case and surrounding blanks do not count.
pub fn same_customer(a: &ProfileCustomer, b: &ProfileCustomer) -> bool {
    // A redacted value is a marker, the same in every case redacted that
    // day: it names nobody, so it matches nothing.
    let usable = |v: &Option<String>| v.as_deref().filter(|v| !is_marker(v)).map(str::to_string);
    let (a, b) = (
        ProfileCustomer {
            contact: usable(&a.contact),
            reference: usable(&a.reference),
        },
        ProfileCustomer {
            contact: usable(&b.contact),
            reference: usable(&b.reference),
        },
    );
    let same = |x: &Option<String>, y: &Option<String>| match (x, y) {
        (Some(x), Some(y)) => {
            let (x, y) = (x.trim(), y.trim());
            !x.is_empty() && x.eq_ignore_ascii_case(y)
        }
        _ => false,
    };
    if a.reference.is_some() && b.reference.is_some() {
        same(&a.reference, &b.reference)
    } else {
        same(&a.contact, &b.contact)
    }
}

/// Whether a file's raw text, lower-cased, could hold `value`, a
/// customer's reference or contact, written as caselog writes strings.
/// Lets a pass skip parsing the files that cannot match.
fn may_hold(lowered_text: &str, value: &str) -> bool {
    let value = value.trim();
    // Such a value may be written escaped: no shortcut then.
    if value
        .chars()
        .any(|c| c == '"' || c == '\\' || c == '\'' || crate::untrusted::is_hazardous(c))
    {
        return true;
    }
    lowered_text.contains(&value.to_ascii_lowercase())
}

/// An earlier case of the same customer.
#[derive(Debug, Clone)]
pub struct Earlier {
    pub id: String,
    pub opened_at: DateTime<Utc>,
    pub title: String,
    pub status: Status,
}

fn oldest_first(earlier: &mut [Earlier]) {
    earlier.sort_by(|a, b| (a.opened_at, &a.id).cmp(&(b.opened_at, &b.id)));
}

/// The cases of `case`'s customer opened before it, oldest first.
pub fn earlier_cases(store: &Store, case: &Case) -> (Vec<Earlier>, Vec<anyhow::Error>) {
    let case = Profile::of(case);
    let keys: Vec<&str> = [&case.customer.reference, &case.customer.contact]
        .into_iter()
        .flatten()
        .map(|s| s.as_str())
        .filter(|s| !s.trim().is_empty())
        .collect();
    if keys.is_empty() {
        return (Vec::new(), Vec::new());
    }
    let (mut found, errors) = store.load_each_part(
        |text| {
            let lowered = text.to_ascii_lowercase();
            keys.iter().any(|k| may_hold(&lowered, k))
        },
        |_, other: Profile| other.earlier_case_of(&case),
    );
    oldest_first(&mut found);
    (found, errors)
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

/// The words of a text that carry meaning, lower-cased, with plural and
/// possessive endings dropped so "deliveries" meets "delivery".
pub fn terms(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| stem(&w.to_lowercase()))
        .filter(|w| w.chars().count() > 1 && !STOP_WORDS.contains(&w.as_str()))
        .collect()
}

fn stem(word: &str) -> String {
    let sibilant = ["sses", "xes", "ches", "shes", "zes"];
    if word.len() > 4 && sibilant.iter().any(|end| word.ends_with(end)) {
        word[..word.len() - 2].to_string()
    } else if word.len() > 4 && word.ends_with("ies") {
        format!("{}y", &word[..word.len() - 3])
    } else if word.len() > 3
        && word.ends_with('s')
        && !word.ends_with("ss")
        && !word.ends_with("us")
    {
        word[..word.len() - 1].to_string()
    } else {
        word.to_string()
    }
}

/// The words a case is about: its title (counted twice, as a title says
/// more per word) and the complaint summary.
fn case_terms(case: &Profile) -> Vec<String> {
    // What a redaction left says nothing about the complaint.
    let words = |text: &str| {
        if is_marker(text) {
            Vec::new()
        } else {
            terms(text)
        }
    };
    let title = words(&case.title);
    let mut out = title.clone();
    out.extend(title);
    out.extend(words(&case.complaint.summary));
    out
}

/// BM25's usual constants: how fast repeats of a word stop counting, and
/// how much a long text is discounted.
const K1: f64 = 1.2;
const B: f64 = 0.75;
/// A case in the same category ranks as if its text matched this much better.
pub const SAME_CATEGORY_BOOST: f64 = 1.5;

/// One case found like the one asked about.
#[derive(Debug, Clone)]
pub struct Match {
    pub path: PathBuf,
    pub id: String,
    /// The text score relative to the case's score against itself, 0 to 1.
    pub similarity: f64,
    pub same_category: bool,
    /// The ranking score: similarity, boosted for the same category.
    pub score: f64,
}

/// What one pass keeps of a case: its length and counts of the query's
/// terms; where it is, only if it shares a word; and whether it is an
/// earlier case of the same customer.
struct Candidate {
    whereabouts: Option<(PathBuf, String)>,
    counts: Vec<(usize, u32)>,
    length: usize,
    same_category: bool,
    earlier: Option<Earlier>,
}

/// What `open` tells about a new case: one pass for both.
#[derive(Debug, Default)]
pub struct Hints {
    pub earlier: Vec<Earlier>,
    pub similar: Vec<Match>,
}

/// The cases most like `case`, best first, at most `limit`, each sharing
/// at least one meaningful word with it. `case` itself is left out.
pub fn similar(store: &Store, case: &Case, limit: usize) -> (Vec<Match>, Vec<anyhow::Error>) {
    let (hints, errors) = look_back(store, case, limit, false);
    (hints.similar, errors)
}

/// The customer's earlier cases and the cases most like `case`, in one pass.
pub fn hints(store: &Store, case: &Case, limit: usize) -> (Hints, Vec<anyhow::Error>) {
    look_back(store, case, limit, true)
}

fn look_back(
    store: &Store,
    case: &Case,
    limit: usize,
    with_earlier: bool,
) -> (Hints, Vec<anyhow::Error>) {
    let case = Profile::of(case);
    let query_terms = case_terms(&case);
    let mut vocabulary: Vec<String> = query_terms.clone();
    vocabulary.sort();
    vocabulary.dedup();
    let index: HashMap<&str, usize> = vocabulary
        .iter()
        .enumerate()
        .map(|(i, t)| (t.as_str(), i))
        .collect();
    let count_terms = |words: &[String]| -> Vec<(usize, u32)> {
        let mut counts: HashMap<usize, u32> = HashMap::new();
        for w in words {
            if let Some(&i) = index.get(w.as_str()) {
                *counts.entry(i).or_default() += 1;
            }
        }
        let mut counts: Vec<_> = counts.into_iter().collect();
        counts.sort_unstable();
        counts
    };
    let (mut seen, errors) = store.load_each_part(
        |_| true,
        |path: &Path, other: Profile| {
            if other.id == case.id || other.void.is_some() {
                return None;
            }
            let words = case_terms(&other);
            let counts = count_terms(&words);
            let earlier = with_earlier.then(|| other.earlier_case_of(&case)).flatten();
            Some(Candidate {
                whereabouts: (!counts.is_empty()).then(|| (path.to_path_buf(), other.id)),
                counts,
                length: words.len(),
                same_category: case.category.is_some() && other.category == case.category,
                earlier,
            })
        },
    );
    let mut earlier: Vec<Earlier> = seen.iter_mut().filter_map(|c| c.earlier.take()).collect();
    oldest_first(&mut earlier);
    let query = Candidate {
        whereabouts: None,
        counts: count_terms(&query_terms),
        length: query_terms.len(),
        same_category: true,
        earlier: None,
    };
    // The collection the weights come from includes the case asked about.
    let documents = seen.len() + 1;
    let average =
        (seen.iter().map(|c| c.length).sum::<usize>() + query.length) as f64 / documents as f64;
    let mut frequency = vec![0usize; vocabulary.len()];
    for c in seen.iter().chain([&query]) {
        for &(i, _) in &c.counts {
            frequency[i] += 1;
        }
    }
    let weights: Vec<f64> = frequency
        .iter()
        .map(|&df| (1.0 + (documents as f64 - df as f64 + 0.5) / (df as f64 + 0.5)).ln())
        .collect();
    let query_counts: HashMap<usize, u32> = query.counts.iter().copied().collect();
    let score = |c: &Candidate| -> f64 {
        let norm = K1 * (1.0 - B + B * c.length as f64 / average.max(1.0));
        c.counts
            .iter()
            .map(|&(i, tf)| {
                let tf = f64::from(tf);
                let repeats = f64::from(query_counts.get(&i).copied().unwrap_or(0));
                weights[i] * repeats * tf * (K1 + 1.0) / (tf + norm)
            })
            .sum()
    };
    let best = score(&query);
    let mut similar: Vec<Match> = if best > 0.0 {
        seen.into_iter()
            .filter(|c| !c.counts.is_empty())
            .filter_map(|c| {
                let similarity = (score(&c) / best).min(1.0);
                let boost = if c.same_category {
                    SAME_CATEGORY_BOOST
                } else {
                    1.0
                };
                let (path, id) = c.whereabouts?;
                Some(Match {
                    score: similarity * boost,
                    similarity,
                    same_category: c.same_category,
                    path,
                    id,
                })
            })
            .collect()
    } else {
        Vec::new()
    };
    similar.sort_by(|a, b| b.score.total_cmp(&a.score).then_with(|| a.id.cmp(&b.id)));
    similar.truncate(limit);
    (Hints { earlier, similar }, errors)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_raw_text_test_skips_only_files_that_cannot_match() {
        let text = "[customer]\nreference = \"FC-10231\"\n".to_ascii_lowercase();
        assert!(may_hold(&text, " fc-10231 "));
        assert!(!may_hold(&text, "FC-10232"));
        // Written escaped in the file, so the bytes prove nothing.
        assert!(may_hold(&text, "O'Neil \"Z\""));
        assert!(may_hold(&text, "ref\u{202e}"));
    }

    #[test]
    fn terms_drop_stop_words_case_and_plural_endings() {
        assert_eq!(
            terms("The deliveries were LATE, and the boxes' labels wrong!"),
            ["delivery", "late", "box", "label", "wrong"]
        );
        assert_eq!(terms("Café crème brûlée"), ["café", "crème", "brûlée"]);
    }
}
