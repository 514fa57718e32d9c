//! The customer as a person: finding every case of one (an access or an
//! erasure request), and pseudonyms that let shared data be analysed
//! without naming anyone.
//!
//! A pseudonym is a keyed hash (HMAC-SHA256) of the customer's key with a
//! secret kept by the log (`.caselog/secret`, never committed): the same
//! customer gets the same pseudonym on every run, so repeat customers
//! still show, but someone holding only an export cannot compute it from a
//! name, a contact or a reference, nor reverse it.

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::case::redaction::is_marker;
use crate::case::{Action, Case, Customer, EditField};

/// What a customer is known by in a case, and the value it holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Known {
    Name,
    Contact,
    Reference,
}

impl Known {
    pub fn label(self) -> &'static str {
        match self {
            Known::Name => "name",
            Known::Contact => "contact",
            Known::Reference => "reference",
        }
    }
}

/// The customer's name, contact and reference, where not redacted: as
/// the case holds them now, and as `edited` events recorded them before
/// and after each correction. A person who wrote from an address since
/// corrected is still in the case under it (the old value is on the
/// record), so an access or erasure request giving that address finds it.
pub fn values(case: &Case) -> impl Iterator<Item = (Known, &str)> {
    let customer = &case.customer;
    let now = [
        (Known::Name, Some(customer.name.as_str())),
        (Known::Contact, customer.contact.as_deref()),
        (Known::Reference, customer.reference.as_deref()),
    ];
    let edited = case.events.iter().flat_map(|e| {
        let known = match (e.action, e.field) {
            (Action::Edited, Some(EditField::Customer)) => Some(Known::Name),
            (Action::Edited, Some(EditField::Contact)) => Some(Known::Contact),
            (Action::Edited, Some(EditField::Reference)) => Some(Known::Reference),
            _ => None,
        };
        known
            .into_iter()
            .flat_map(|known| [(known, e.old.as_deref()), (known, e.new.as_deref())])
    });
    now.into_iter()
        .chain(edited)
        .filter_map(|(known, value)| Some((known, value?)))
        .filter(|(_, value)| !is_marker(value))
}

/// A customer's name, contact or reference as every match compares it
/// (an access or erasure request, repeat customers, `similar`): the same
/// person typed twice may differ in letter case, in blanks (around, or a
/// run of them inside), in composed or decomposed accents (`é` as one
/// character or two), or in full-width letters; none of that counts.
pub fn normalised(value: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    let composed: std::borrow::Cow<str> = if value.is_ascii() {
        value.into()
    } else {
        value.nfkc().collect::<String>().into()
    };
    let mut out = String::with_capacity(composed.len());
    for word in composed.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        // A report keys every case's customer: most words are ASCII,
        // where lowering needs no tables.
        if word.is_ascii() {
            let from = out.len();
            out.push_str(word);
            out[from..].make_ascii_lowercase();
        } else {
            out.extend(word.chars().flat_map(char::to_lowercase));
        }
    }
    out
}

/// One value's key for matching, [`normalised`]; `None` when it is empty
/// or a redaction's marker (which names nobody, though every case
/// redacted that day holds the same one).
pub fn value_key(value: Option<&str>) -> Option<String> {
    value
        .filter(|v| !is_marker(v))
        .map(normalised)
        .filter(|v| !v.is_empty())
}

/// How `case`'s customer matches `wanted`: each of the name, contact and
/// reference that is exactly it (ignoring letter case and blanks around),
/// and each that only holds it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Match {
    pub exactly: Vec<(Known, String)>,
    pub partly: Vec<(Known, String)>,
}

impl Match {
    pub fn is_exact(&self) -> bool {
        !self.exactly.is_empty()
    }
}

/// How `case`'s customer matches `wanted`, by what the case holds now or
/// an edit recorded. A redacted value matches nothing.
pub fn matching(case: &Case, wanted: &str) -> Match {
    let wanted = normalised(wanted);
    let mut out = Match::default();
    if wanted.is_empty() {
        return out;
    }
    for (known, value) in values(case) {
        let value_n = normalised(value);
        let found = if value_n == wanted {
            &mut out.exactly
        } else if value_n.contains(&wanted) {
            &mut out.partly
        } else {
            continue;
        };
        // A value the case now holds and an edit recorded is one match.
        if !found
            .iter()
            .any(|(k, v)| *k == known && normalised(v) == value_n)
        {
            found.push((known, value.to_string()));
        }
    }
    out
}

/// The key a customer is known by across cases, as report's repeat
/// customers count them: the reference, else the name, normalised.
/// `None` once redacted.
pub fn customer_key(customer: &Customer) -> Option<String> {
    value_key(customer.reference.as_deref()).or_else(|| value_key(Some(&customer.name)))
}

/// How many base32 characters a pseudonym keeps (50 bits).
const PSEUDONYM_LENGTH: usize = 10;
const BASE32: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";

/// The pseudonym of a customer `key` under the log's `secret`:
/// `cust-` and ten base32 characters of HMAC-SHA256(secret, key).
pub fn pseudonym(secret: &[u8], key: &str) -> String {
    // HMAC takes a key of any length; this cannot fail.
    let mut mac = match Hmac::<Sha256>::new_from_slice(secret) {
        Ok(mac) => mac,
        Err(_) => unreachable!("HMAC accepts keys of any length"),
    };
    mac.update(key.as_bytes());
    let digest = mac.finalize().into_bytes();
    let mut bits: u64 = 0;
    for &byte in &digest[..8] {
        bits = (bits << 8) | u64::from(byte);
    }
    let mut out = String::from("cust-");
    for i in 0..PSEUDONYM_LENGTH {
        let index = (bits >> (64 - 5 * (i + 1))) & 31;
        out.push(char::from(BASE32[index as usize]));
    }
    out
}

/// The pseudonym of `customer`, or `None` when there is nobody to name
/// (redacted).
pub fn customer_pseudonym(secret: &[u8], customer: &Customer) -> Option<String> {
    customer_key(customer).map(|key| pseudonym(secret, &key))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::lifecycle::tests::opened;
    use unicode_normalization::UnicodeNormalization;

    fn customer(name: &str, reference: Option<&str>) -> Customer {
        Customer {
            name: name.into(),
            contact: None,
            preferred_contact: None,
            reference: reference.map(str::to_string),
        }
    }

    #[test]
    fn one_person_typed_twice_has_one_key() {
        let same = [
            "María López",
            "Mari\u{301}a Lo\u{301}pez",
            "  MARÍA   LÓPEZ ",
            "María\tLópez",
            "\u{FF2D}aría López",
        ];
        for typed in same {
            assert_eq!(normalised(typed), "maría lópez", "{typed:?}");
        }
        assert_eq!(normalised("A-1001"), "a-1001");
        assert_ne!(normalised("Maria Lopez"), normalised("María López"));
        assert_eq!(value_key(Some("  ")), None);
        assert_eq!(value_key(Some("[redacted 2026-11-23]")), None);
    }

    #[test]
    fn ascii_words_lower_as_unicode_lowering_does() {
        let every_ascii: String = (0u8..128).map(char::from).collect();
        let mixed = format!("Ünïcode {every_ascii} ÀB cd");
        for typed in [every_ascii.as_str(), mixed.as_str(), "ABC É\u{301}F Ghi"] {
            let by_char: Vec<String> = typed
                .nfkc()
                .collect::<String>()
                .split_whitespace()
                .map(|w| w.chars().flat_map(char::to_lowercase).collect())
                .collect();
            assert_eq!(normalised(typed), by_char.join(" "), "{typed:?}");
        }
    }

    #[test]
    fn a_pseudonym_is_stable_keyed_and_blind_to_letter_case() {
        let secret = b"0123456789abcdef0123456789abcdef";
        let one = pseudonym(secret, "a-1001");
        assert_eq!(one, pseudonym(secret, "a-1001"));
        assert_ne!(one, pseudonym(b"another secret", "a-1001"));
        assert_ne!(one, pseudonym(secret, "a-1002"));
        assert!(one.starts_with("cust-") && one.len() == 15, "{one}");
        assert!(one[5..].bytes().all(|b| BASE32.contains(&b)), "{one}");
        assert_eq!(
            customer_pseudonym(secret, &customer("Maria", Some(" A-1001 "))),
            Some(one)
        );
        assert_eq!(
            customer_pseudonym(secret, &customer("Leo Martin", None)),
            customer_pseudonym(secret, &customer("leo martin ", None))
        );
        assert_eq!(
            customer_pseudonym(secret, &customer("[redacted 2026-11-23]", None)),
            None
        );
    }

    #[test]
    fn matching_tells_exact_from_partial_and_never_matches_a_marker() {
        let mut case = opened();
        case.customer.contact = Some("Jo@Example.com".into());
        case.customer.reference = Some("[redacted 2026-11-23]".into());
        let found = matching(&case, " jo@example.com");
        assert_eq!(
            found.exactly,
            [(Known::Contact, "Jo@Example.com".to_string())]
        );
        let found = matching(&case, "jo");
        assert!(!found.is_exact());
        assert_eq!(found.partly.len(), 2, "{found:?}");
        assert_eq!(matching(&case, "redacted"), Match::default());
    }

    #[test]
    fn a_value_an_edit_replaced_still_matches_once() {
        use crate::case::lifecycle::tests::stamp;
        use crate::case::lifecycle::{Correction, edit};
        let mut case = opened();
        case.customer.contact = Some("jo@old.test".into());
        let set = |field, value: &str| Correction::Set(field, Some(value.into()));
        let case = edit(&case, &stamp(1), &[set(EditField::Contact, "jo@new.test")]).unwrap();
        let case = edit(&case, &stamp(2), &[set(EditField::Contact, "jo@old.test")]).unwrap();
        let found = matching(&case, "JO@old.test");
        assert_eq!(found.exactly, [(Known::Contact, "jo@old.test".to_string())]);
        let case = edit(
            &case,
            &stamp(3),
            &[set(EditField::Contact, "jo@third.test")],
        )
        .unwrap();
        assert!(matching(&case, "jo@new.test").is_exact());
        assert!(matching(&case, "jo@old.test").is_exact());
    }
}
