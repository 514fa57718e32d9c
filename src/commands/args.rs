//! Argument groups more than one command takes, and the value parser for
//! caselog's closed word sets. Each command's own arguments live in its
//! file; clap stops at this layer.

use std::str::FromStr;

use clap::Args;
use clap::builder::{PossibleValuesParser, TypedValueParser};

use crate::case::{Case, Status};

/// A value parser for a closed set of words, so help and completions list them.
pub fn words<T>(words: &'static [&'static str]) -> impl TypedValueParser<Value = T>
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
    /// Whether `case` passes every filter given.
    pub fn keeps(&self, case: &Case) -> bool {
        (self.status.is_empty() || self.status.contains(&case.status))
            && self
                .category
                .as_ref()
                .is_none_or(|c| case.category.as_ref() == Some(c))
            && self
                .assignee
                .as_ref()
                .is_none_or(|a| case.assignee.as_ref() == Some(a))
    }
}
