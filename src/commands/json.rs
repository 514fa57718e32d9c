//! JSON output, escaped as safely as the text output (see `untrusted`).

use std::io::Write;

use serde::Serialize;

use crate::untrusted::JsonEscaper;

/// Writes `value` as pretty JSON and a newline.
pub fn write(out: &mut dyn Write, value: &impl Serialize) -> anyhow::Result<()> {
    let mut serializer = serde_json::Serializer::with_formatter(&mut *out, JsonEscaper::new());
    value.serialize(&mut serializer)?;
    writeln!(out)?;
    Ok(())
}
