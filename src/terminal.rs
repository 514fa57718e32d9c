//! Complaint text is untrusted: it is shown, never obeyed.
//!
//! Anything a customer typed passes through here before it reaches a
//! terminal, so escape sequences, other control characters and
//! bidirectional overrides are shown as visible escapes, not acted on.

use std::borrow::Cow;
use std::fmt::Write as _;

use crate::case_file::is_hazardous;

/// Text for one line or one table cell: line breaks shown as `⏎`.
pub fn line(text: &str) -> Cow<'_, str> {
    clean(text, false)
}

/// Text for a block of lines: line breaks kept, everything else made safe.
pub fn block(text: &str) -> Cow<'_, str> {
    clean(text, true)
}

fn clean(text: &str, keep_newlines: bool) -> Cow<'_, str> {
    if !text.chars().any(|c| is_hazardous(c) || c == '\t') {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' if keep_newlines => out.push('\n'),
            '\n' => out.push_str(" ⏎ "),
            '\r' if keep_newlines => {}
            '\t' => out.push_str("    "),
            c if is_hazardous(c) => {
                let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_sequences_become_visible_text() {
        assert_eq!(line("a\u{1b}[2Jb"), "a\\u{1b}[2Jb");
        assert_eq!(line("x\u{202E}y"), "x\\u{202e}y");
        assert_eq!(block("one\r\ntwo\u{7}"), "one\ntwo\\u{7}");
        assert_eq!(line("one\ntwo"), "one ⏎ two");
    }

    #[test]
    fn plain_text_is_not_copied() {
        assert!(matches!(
            line("Refund not received — 3 weeks"),
            Cow::Borrowed(_)
        ));
    }
}
