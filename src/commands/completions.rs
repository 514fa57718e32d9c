//! `caselog completions` and `caselog man`: generated from the clap
//! definitions, so they never drift from the real options.

use std::io::Write;

use anyhow::{Context, Result};

use crate::error::EXIT_OK;

pub fn completions(
    shell: clap_complete::Shell,
    mut command: clap::Command,
    out: &mut dyn Write,
) -> Result<u8> {
    clap_complete::generate(shell, &mut command, "caselog", out);
    Ok(EXIT_OK)
}

pub fn man(command: clap::Command, out: &mut dyn Write) -> Result<u8> {
    clap_mangen::Man::new(command)
        .render(out)
        .context("writing the man page")?;
    Ok(EXIT_OK)
}
