//! How much caselog reads at most, so hostile or mistaken input (`annotate
//! ID - < /dev/zero`, a 10 GB "case file") cannot exhaust memory. Each cap
//! is documented in docs/GUIDE.md; text caps are a setting.

use std::io::Read;

use anyhow::{Context, Result};

use crate::error::InputError;

/// The default cap on one text a person gives (a note, a summary): 1 MiB.
pub const TEXT_BYTES: u64 = 1024 * 1024;
/// The cap on one case file: far above any real case, far below harm.
pub const CASE_FILE_BYTES: u64 = 64 * 1024 * 1024;
/// The cap on one file given to `import`.
pub const IMPORT_BYTES: u64 = 512 * 1024 * 1024;

/// Reads all of `reader` as UTF-8 text of at most `limit` bytes. Too much,
/// or not UTF-8, is the user's input to fix (exit 2), named by `what`.
pub fn read_text(reader: impl Read, limit: u64, what: &str) -> Result<String> {
    read_text_sized(reader, 0, limit, what)
}

/// The buffer to read a file of `length` bytes (at most `limit`) into:
/// the whole file and then some, so one read fills it and the next finds
/// the end (a file may grow while it is read). Nothing for an unknown
/// length (0), which reading grows as it goes.
pub fn room_for(length: u64, limit: u64) -> usize {
    if length == 0 {
        0
    } else {
        length.min(limit) as usize + 64
    }
}

/// [`read_text`] of a reader known to hold about `length` bytes (a file's
/// length): read in one go instead of a dozen growing reads.
pub fn read_text_sized(reader: impl Read, length: u64, limit: u64, what: &str) -> Result<String> {
    let bytes = read_bytes_sized(reader, length, limit, what)?;
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        InputError::Invalid(format!(
            "{what} is not UTF-8 text (invalid byte at offset {at})"
        ))
        .into()
    })
}

/// [`read_text_sized`] without the UTF-8 check, for a caller that says
/// itself what is wrong with bytes that are not text.
pub fn read_bytes_sized(reader: impl Read, length: u64, limit: u64, what: &str) -> Result<Vec<u8>> {
    let mut bytes = Vec::with_capacity(room_for(length, limit));
    reader
        .take(limit + 1)
        .read_to_end(&mut bytes)
        .with_context(|| format!("reading {what}"))?;
    if bytes.len() as u64 > limit {
        return Err(InputError::Invalid(format!(
            "{what} is larger than {}; nothing was written",
            size(limit)
        ))
        .into());
    }
    Ok(bytes)
}

/// A byte count for people: `1 MiB`, `512 KiB`, `300 bytes`.
pub fn size(bytes: u64) -> String {
    const KIB: u64 = 1024;
    if bytes >= KIB * KIB && bytes.is_multiple_of(KIB * KIB) {
        format!("{} MiB", bytes / (KIB * KIB))
    } else if bytes >= KIB && bytes.is_multiple_of(KIB) {
        format!("{} KiB", bytes / KIB)
    } else {
        format!("{bytes} bytes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endless_input_stops_at_the_cap_with_an_input_error() {
        let zeros = std::io::repeat(0);
        let err = read_text(zeros, 1024, "the note").unwrap_err();
        assert!(err.to_string().contains("larger than 1 KiB"), "{err}");
        assert!(err.chain().any(|c| c.is::<InputError>()));
    }

    #[test]
    fn invalid_utf8_is_an_input_error_naming_the_offset() {
        let err = read_text(&b"ok\xff"[..], 1024, "the note").unwrap_err();
        assert!(err.to_string().contains("offset 2"), "{err}");
        assert!(err.chain().any(|c| c.is::<InputError>()));
    }

    #[test]
    fn text_at_the_cap_is_read() {
        assert_eq!(read_text(&b"abc"[..], 3, "x").unwrap(), "abc");
    }
}
