//! Case ids: the opening date plus a short random suffix, e.g. `20261122-7kq3m`.
//!
//! Ids are never "max + 1", so two branches opening cases on the same day
//! do not collide, and a full id names its file's path without a scan.

use std::fmt;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Datelike, Utc};
use serde::{Deserialize, Serialize};

use crate::error::InputError;

/// Crockford's base32, lower case: no i, l, o or u to misread.
const ALPHABET: &[u8; 32] = b"0123456789abcdefghjkmnpqrstvwxyz";
/// Whether a byte is one of [`ALPHABET`]'s, by table: a whole-log pass
/// checks 100,000 ids.
const IN_ALPHABET: [bool; 256] = {
    let mut table = [false; 256];
    let mut i = 0;
    while i < ALPHABET.len() {
        table[ALPHABET[i] as usize] = true;
        i += 1;
    }
    table
};
const SUFFIX_LEN: usize = 5;
const DATE_LEN: usize = 8;

/// A full, well-formed case id.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CaseId(String);

impl CaseId {
    /// A fresh id for a case opened at `opened_at`.
    pub fn generate(opened_at: DateTime<Utc>) -> anyhow::Result<CaseId> {
        let mut random = [0u8; SUFFIX_LEN];
        getrandom::fill(&mut random)
            .map_err(|e| anyhow::anyhow!("cannot get random bytes for a case id: {e}"))?;
        let suffix: String = random
            .iter()
            .map(|b| char::from(ALPHABET[usize::from(b % 32)]))
            .collect();
        Ok(CaseId(format!("{}-{suffix}", opened_at.format("%Y%m%d"))))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The file a case lives in: `cases/YYYY/MM/<id>.toml`.
    pub fn path_in(&self, cases_dir: &Path) -> PathBuf {
        // A CaseId is validated ASCII `YYYYMMDD-xxxxx`, so these slices hold.
        cases_dir
            .join(&self.0[0..4])
            .join(&self.0[4..6])
            .join(format!("{}.toml", self.0))
    }

    /// Whether this id's date matches the year and month of `t`.
    pub fn matches_month(&self, t: DateTime<Utc>) -> bool {
        self.0[0..4] == format!("{:04}", t.year()) && self.0[4..6] == format!("{:02}", t.month())
    }

    /// Whether `text` is a full id (as opposed to a prefix or suffix).
    pub fn parse_full(text: &str) -> Option<CaseId> {
        CaseId::try_from(text.to_string()).ok()
    }
}

impl TryFrom<String> for CaseId {
    type Error = String;

    fn try_from(text: String) -> Result<CaseId, String> {
        let bytes = text.as_bytes();
        let well_formed = bytes.len() == DATE_LEN + 1 + SUFFIX_LEN
            && bytes[..DATE_LEN].iter().all(u8::is_ascii_digit)
            && bytes[DATE_LEN] == b'-'
            && bytes[DATE_LEN + 1..]
                .iter()
                .all(|&b| IN_ALPHABET[usize::from(b)])
            && is_date(&bytes[..DATE_LEN]);
        if well_formed {
            Ok(CaseId(text))
        } else {
            Err(format!(
                "'{text}' is not a case id (date, '-', five base32 letters, e.g. 20261122-7kq3m)"
            ))
        }
    }
}

/// Whether eight ASCII digits are a date, `YYYYMMDD`: read as numbers,
/// not through a date format (a whole-log pass checks 100,000 ids).
fn is_date(digits: &[u8]) -> bool {
    let number = |range: std::ops::Range<usize>| {
        digits.get(range).and_then(|part| {
            part.iter().try_fold(0u32, |n, &b| {
                b.is_ascii_digit().then(|| n * 10 + u32::from(b - b'0'))
            })
        })
    };
    match (number(0..4), number(4..6), number(6..8)) {
        (Some(year), Some(month), Some(day)) => i32::try_from(year)
            .ok()
            .and_then(|year| chrono::NaiveDate::from_ymd_opt(year, month, day))
            .is_some(),
        _ => false,
    }
}

impl From<CaseId> for String {
    fn from(id: CaseId) -> String {
        id.0
    }
}

impl fmt::Display for CaseId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What the user typed to name a case: a full id, or a prefix or suffix of one.
/// Only letters, digits and `-` pass, so a query can never name a path.
pub fn check_query(text: &str) -> Result<&str, InputError> {
    if text.is_empty() {
        return Err(InputError::Invalid("a case id is needed".into()));
    }
    if !text
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        return Err(InputError::Invalid(format!(
            "'{}' is not a case id: ids hold only lower-case letters, digits and '-'",
            text.escape_debug()
        )));
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// Eight digits are a date exactly when chrono reads them as one.
        #[test]
        fn an_id_s_date_is_checked_as_chrono_reads_it(digits in "[0-9]{8}") {
            proptest::prop_assert_eq!(
                is_date(digits.as_bytes()),
                chrono::NaiveDate::parse_from_str(&digits, "%Y%m%d").is_ok()
            );
        }
    }

    proptest::proptest! {
        /// The suffix's table holds exactly the alphabet's letters.
        #[test]
        fn an_id_s_suffix_letters_are_the_alphabet_s(byte in 0u8..=255) {
            proptest::prop_assert_eq!(IN_ALPHABET[usize::from(byte)], ALPHABET.contains(&byte));
        }
    }

    #[test]
    fn only_real_dates_start_an_id() {
        for (digits, date) in [
            ("20261122", true),
            ("20240229", true),
            ("20230229", false),
            ("20261301", false),
            ("20261100", false),
            ("00000101", true),
        ] {
            assert_eq!(is_date(digits.as_bytes()), date, "{digits}");
            assert_eq!(
                chrono::NaiveDate::parse_from_str(digits, "%Y%m%d").is_ok(),
                date,
                "{digits}"
            );
        }
    }

    #[test]
    fn generated_ids_are_well_formed_and_dated() {
        let t: DateTime<Utc> = "2026-11-22T10:00:00Z".parse().unwrap();
        for _ in 0..200 {
            let id = CaseId::generate(t).unwrap();
            assert!(id.as_str().starts_with("20261122-"));
            assert!(CaseId::parse_full(id.as_str()).is_some(), "{id}");
        }
    }

    #[test]
    fn full_id_maps_to_month_folder() {
        let id = CaseId::parse_full("20261122-7kq3m").unwrap();
        assert_eq!(
            id.path_in(Path::new("cases")),
            Path::new("cases/2026/11/20261122-7kq3m.toml")
        );
    }

    #[test]
    fn malformed_ids_are_refused() {
        for text in [
            "20261122-7kq3",
            "20261322-7kq3m",
            "20261122-7kq3i",
            "2026112-27kq3m",
            "../../etc",
        ] {
            assert!(CaseId::parse_full(text).is_none(), "{text}");
        }
    }

    #[test]
    fn queries_cannot_carry_path_syntax() {
        for text in ["../x", "a/b", "a\\b", "", "7KQ3M", "a b"] {
            assert!(check_query(text).is_err(), "{text}");
        }
        assert!(check_query("7kq3m").is_ok());
    }
}
