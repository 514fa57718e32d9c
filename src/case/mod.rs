//! The case: one complaint, its file, its id, its lifecycle and its checks.
//!
//! Everything here is pure: no clap, no printing, no file system (the store
//! reads and writes files; this says what they hold and how a case changes).

pub mod card;
pub mod event_log;
pub mod exchange;
pub mod fields;
pub mod file;
pub mod id;
pub mod import_map;
pub mod lifecycle;
pub mod message;
mod model;
pub mod personal;
pub mod redaction;
pub mod suggestion;
pub mod validate;

pub use model::*;
