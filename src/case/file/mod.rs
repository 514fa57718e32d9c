//! The case file on disk, in four jobs: reading it with line-numbered
//! errors ([`parse`]), the canonical layout caselog writes ([`layout`]),
//! minimal edits that keep a person's comments ([`edit`]), and `fmt`'s
//! rewrite into the canonical layout ([`format`]).

mod edit;
mod format;
mod layout;
mod parse;

pub use edit::update;
pub use format::format;
pub(crate) use layout::{Field, Section, all_sections, event_fields, write_fields};
pub use layout::{render, string_literal};
pub use parse::{ConflictMarker, conflict_markers, parse};
