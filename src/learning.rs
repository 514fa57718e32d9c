//! Learning from earlier complaints: the customer who complains again, and
//! the cases like this one, with how they ended.
//!
//! Both need a pass over every case, so both read cases without their
//! event logs (see [`CaseLog::load_each_without_events`]) and keep only a
//! few numbers per case; the handful of cases shown are read again whole.
//! Similarity is BM25, the standard TF-IDF ranking: it needs nothing but
//! each case's term counts and the log's document frequencies, which one
//! pass can gather.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use crate::case::Case;
use crate::store::CaseLog;

/// Whether two cases are from the same customer: the same reference (an
/// account or order number) when both have one, else the same contact.
/// Case and surrounding blanks do not count.
pub fn same_customer(a: &Case, b: &Case) -> bool {
    let same = |x: &Option<String>, y: &Option<String>| match (x, y) {
        (Some(x), Some(y)) => {
            let (x, y) = (x.trim(), y.trim());
            !x.is_empty() && x.eq_ignore_ascii_case(y)
        }
        _ => false,
    };
    let (a, b) = (&a.customer, &b.customer);
    if a.reference.is_some() && b.reference.is_some() {
        same(&a.reference, &b.reference)
    } else {
        same(&a.contact, &b.contact)
    }
}

/// Whether a file's raw text could hold `value`, a customer's reference or
/// contact, written as caselog writes strings. Lets a pass skip parsing
/// the files that cannot match.
fn may_hold(text: &str, value: &str) -> bool {
    let value = value.trim();
    // Such a value may be written escaped: no shortcut then.
    if value
        .chars()
        .any(|c| c == '"' || c == '\\' || c == '\'' || c.is_control())
    {
        return true;
    }
    let value = value.to_ascii_lowercase();
    text.to_ascii_lowercase().contains(&value)
}

/// An earlier case of the same customer.
#[derive(Debug, Clone)]
pub struct Earlier {
    pub path: PathBuf,
    pub id: String,
    pub opened_at: DateTime<Utc>,
}

/// The cases of `case`'s customer opened before it, oldest first.
pub fn earlier_cases(log: &CaseLog, case: &Case) -> (Vec<Earlier>, Vec<anyhow::Error>) {
    let keys: Vec<&str> = [&case.customer.reference, &case.customer.contact]
        .into_iter()
        .flatten()
        .map(|s| s.as_str())
        .filter(|s| !s.trim().is_empty())
        .collect();
    if keys.is_empty() {
        return (Vec::new(), Vec::new());
    }
    let (mut found, errors) = log.load_each_without_events(
        |text| keys.iter().any(|k| may_hold(text, k)),
        |path, other| {
            let earlier = (other.opened_at, other.id.as_str()) < (case.opened_at, case.id.as_str());
            (earlier && same_customer(case, &other)).then(|| Earlier {
                path: path.to_path_buf(),
                id: other.id.to_string(),
                opened_at: other.opened_at.0,
            })
        },
    );
    found.sort_by(|a, b| (a.opened_at, &a.id).cmp(&(b.opened_at, &b.id)));
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
fn case_terms(case: &Case) -> Vec<String> {
    let title = terms(&case.title);
    let mut out = title.clone();
    out.extend(title);
    out.extend(terms(&case.complaint.summary));
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

/// What one pass keeps of a case: its counts of the query's terms.
struct Candidate {
    path: PathBuf,
    id: String,
    counts: Vec<(usize, u32)>,
    length: usize,
    same_category: bool,
}

/// The cases most like `case`, best first, at most `limit`, each sharing
/// at least one meaningful word with it. `case` itself is left out.
pub fn similar(log: &CaseLog, case: &Case, limit: usize) -> (Vec<Match>, Vec<anyhow::Error>) {
    let query_terms = case_terms(case);
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
    // Every case yields its length; only those sharing a word are kept whole.
    let (seen, errors) = log.load_each_without_events(
        |_| true,
        |path: &Path, other: Case| {
            if other.id == case.id {
                return None;
            }
            let words = case_terms(&other);
            let counts = count_terms(&words);
            Some(Candidate {
                path: path.to_path_buf(),
                id: other.id.to_string(),
                counts,
                length: words.len(),
                same_category: case.category.is_some() && other.category == case.category,
            })
        },
    );
    let query = Candidate {
        path: PathBuf::new(),
        id: case.id.to_string(),
        counts: count_terms(&query_terms),
        length: query_terms.len(),
        same_category: true,
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
    if best <= 0.0 {
        return (Vec::new(), errors);
    }
    let mut found: Vec<Match> = seen
        .into_iter()
        .filter(|c| !c.counts.is_empty())
        .map(|c| {
            let similarity = (score(&c) / best).min(1.0);
            let boost = if c.same_category {
                SAME_CATEGORY_BOOST
            } else {
                1.0
            };
            Match {
                score: similarity * boost,
                similarity,
                same_category: c.same_category,
                path: c.path,
                id: c.id,
            }
        })
        .collect();
    found.sort_by(|a, b| b.score.total_cmp(&a.score).then_with(|| a.id.cmp(&b.id)));
    found.truncate(limit);
    (found, errors)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms_drop_stop_words_case_and_plural_endings() {
        assert_eq!(
            terms("The deliveries were LATE, and the boxes' labels wrong!"),
            ["delivery", "late", "box", "label", "wrong"]
        );
        assert_eq!(terms("Café crème brûlée"), ["café", "crème", "brûlée"]);
    }
}
