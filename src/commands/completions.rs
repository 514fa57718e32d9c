//! `caselog completions` and `caselog man`: generated from the clap
//! definitions, so they never drift from the real options.

use std::io::Write;

use anyhow::{Context, Result};
use clap::Args;

use crate::error::EXIT_OK;

/// Print a shell completion script
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    pub shell: clap_complete::Shell,
}

/// Print the man page (roff)
#[derive(Debug, Args)]
pub struct ManArgs {}

/// Writes the completion script for `args.shell`; `command` is the whole
/// program's definition.
pub fn completions(
    args: CompletionsArgs,
    mut command: clap::Command,
    out: &mut dyn Write,
) -> Result<u8> {
    clap_complete::generate(args.shell, &mut command, "caselog", out);
    Ok(EXIT_OK)
}

pub fn man(command: clap::Command, out: &mut dyn Write) -> Result<u8> {
    clap_mangen::Man::new(command)
        .render(out)
        .context("writing the man page")?;
    Ok(EXIT_OK)
}
