//! Closed sets of lower-case words (statuses, channels, output formats…)
//! that files and the command line spell the same way, and the words for
//! a number of things (`1 case`, `3 cases`), said one way everywhere.

/// Declares a closed set of lower-case words that the file and the command
/// line both spell the same way.
macro_rules! word_enum {
    ($(#[$meta:meta])* $name:ident, $what:literal { $($variant:ident => $word:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum $name { $($variant),+ }

        impl $name {
            /// Every value, in the order they are documented.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            /// Every spelling, for help text and completions.
            pub const WORDS: &'static [&'static str] = &[$($word),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $word),+ }
            }

            /// The value's place in [`Self::ALL`], for compact encodings.
            pub fn index(self) -> u8 {
                self as u8
            }

            /// The value at `index` in [`Self::ALL`].
            pub fn from_index(index: u8) -> Option<$name> {
                Self::ALL.get(usize::from(index)).copied()
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = String;
            fn from_str(text: &str) -> Result<$name, String> {
                match text {
                    $($word => Ok($name::$variant),)+
                    _ => Err(format!(
                        "unknown {} '{}' (expected one of: {})",
                        $what, text.escape_debug(), $name::WORDS.join(", ")
                    )),
                }
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<$name, D::Error> {
                let text = <String as serde::Deserialize>::deserialize(d)?;
                text.parse().map_err(serde::de::Error::custom)
            }
        }
    };
}

pub(crate) use word_enum;

/// `n` and `noun` in the number it takes: `1 case`, `0 cases`, `3 cases`.
pub fn count(n: usize, noun: &str) -> String {
    format!("{n} {}", plural(n, noun))
}

/// `noun` (a singular whose plural adds `s`: case, file, row, time) in
/// the number `n` takes, for a count said apart from it.
pub fn plural(n: usize, noun: &str) -> std::borrow::Cow<'_, str> {
    if n == 1 {
        noun.into()
    } else {
        format!("{noun}s").into()
    }
}

/// `one` for one thing, `many` for none or several: the words that do
/// not take an `s` (`was`/`were`, `it`/`them`, `reply`/`replies`).
pub fn one_or_many<'a>(n: usize, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 { one } else { many }
}

/// The candidate most like `word`, when one is close enough to be what was
/// meant (a typo): for "did you mean …" in refusals. A word typed without
/// an `@` is also weighed against the part of each e-mail address before
/// its `@`: people are named by address, and typed by their first name.
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let word = word.trim().to_lowercase();
    let likeness = |candidate: &str| strsim::normalized_damerau_levenshtein(&word, candidate);
    candidates
        .into_iter()
        .map(|c| {
            let c_lower = c.to_lowercase();
            let local = match c_lower.split_once('@') {
                Some((local, _)) if !word.contains('@') => likeness(local),
                _ => 0.0,
            };
            (likeness(&c_lower).max(local), c)
        })
        .filter(|(score, _)| *score >= 0.6)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_take_the_plural_except_for_one() {
        assert_eq!(count(0, "case"), "0 cases");
        assert_eq!(count(1, "case"), "1 case");
        assert_eq!(count(2, "file"), "2 files");
        assert_eq!(plural(1, "column"), "column");
        assert_eq!(plural(3, "column"), "columns");
        assert_eq!(one_or_many(1, "was", "were"), "was");
        assert_eq!(one_or_many(0, "was", "were"), "were");
    }

    #[test]
    fn the_closest_word_is_a_likely_typo_or_nothing() {
        let people = ["ana@example.com", "ben@example.com", "carla@example.com"];
        assert_eq!(closest("bne@example.com", people), Some("ben@example.com"));
        assert_eq!(
            closest("Carla@Example.com", people),
            Some("carla@example.com")
        );
        assert_eq!(closest("zed", people), None);
        assert_eq!(closest("Carla", people), Some("carla@example.com"));
        assert_eq!(closest("bne", people), Some("ben@example.com"));
    }
}
