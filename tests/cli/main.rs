//! The one test binary: every behaviour, through the real `caselog`.

mod harness;
mod histories;

mod cards;
mod changes;
mod check;
mod completion;
mod concurrency;
mod correcting;
mod crash;
mod docs;
mod due;
mod errors;
mod exchange;
mod files;
mod finding;
mod fmt;
mod fuzz;
mod habits;
mod help;
mod hostile;
mod ids;
mod imports;
mod index;
mod lifecycle;
mod mail;
mod merge;
mod output;
mod personal_data;
mod practice;
mod properties;
mod report;
mod site;
mod terminal;
mod zones;
