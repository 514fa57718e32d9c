//! caselog: a git-friendly command-line case log for customer complaints.
//!
//! Layers, top to bottom: [`cli`] (clap types and help), [`commands`] (one
//! module per subcommand; the only printing), and the domain: the case
//! model, its file, the store, ids, the clock, settings, the lifecycle and
//! the handling practice.

pub mod case;
pub mod case_file;
pub mod cli;
pub mod clock;
pub mod commands;
pub mod deadlines;
pub mod error;
pub mod exchange;
pub mod git;
pub mod history;
pub mod id;
pub mod learning;
pub mod lifecycle;
pub mod merge;
pub mod person;
pub mod practice;
pub mod report;
pub mod settings;
pub mod store;
pub mod terminal;
pub mod validate;
mod words;
pub mod yaml;
