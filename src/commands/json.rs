//! JSON output, escaped as safely as the text output (see `untrusted`).

use std::io::Write;

use serde::Serialize;

use crate::untrusted::JsonEscaper;

/// Writes `value` as pretty JSON and a newline.
pub fn write(out: &mut dyn Write, value: &impl Serialize) -> anyhow::Result<()> {
    // The serializer writes token by token: through a buffer of its own
    // each is a copy, where through `out` each was a call through its
    // vtable (a tenth of `report --format json`).
    let mut buffered = std::io::BufWriter::with_capacity(64 * 1024, out);
    let mut serializer = serde_json::Serializer::with_formatter(&mut buffered, JsonEscaper::new());
    value.serialize(&mut serializer)?;
    writeln!(buffered)?;
    buffered.flush()?;
    Ok(())
}
