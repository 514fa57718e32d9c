//! caselog: a git-friendly command-line case log for customer complaints.
//!
//! Layers, top to bottom: [`cli`] (the top-level parser), [`commands`] (one
//! module per subcommand with its arguments; the only printing), and the
//! domain, grouped by what it is about: [`case`] (the model, its file, id,
//! lifecycle and checks), [`store`] (files on disk), [`time`], [`practice`]
//! (deadlines and next steps), [`learning`] (reports and similar cases), [`site`] (the static web
//! pages) and [`git`]. README.md's "Code map" follows one command from argv to disk.

pub mod case;
pub mod cli;
pub mod commands;
pub mod error;
pub mod git;
pub mod hex;
pub mod imported_value;
pub mod learning;
pub mod limits;
pub mod mail;
pub mod practice;
pub mod settings;
pub mod site;
pub mod store;
pub mod time;
pub mod untrusted;
mod words;
pub mod yaml;
