//! E-mail in and out, the Unix way: a message read from a file or a pipe
//! becomes a case or an event on one, and a reply leaves through the
//! system's `sendmail`. No server, no mailbox of our own.
//!
//! [`inbound`] reads one RFC 5322 message (with `mail-parser`) into plain
//! values, [`html`] turns HTML mail into text, [`quoted`] cuts the earlier
//! text a reply quotes, [`attachments`]
//! keeps attached files safely outside the case, [`outbound`] composes a
//! reply (with `mail-builder`) and [`template`] fills in a reply template.
//! The hand-off to `sendmail` is [`send`]. Nothing here prints.

pub mod attachments;
pub mod html;
pub mod inbound;
pub mod outbound;
pub mod quoted;
pub mod send;
pub mod template;

use std::fmt::Write as _;

use attachments::size_words;
use inbound::Inbound;

use crate::case::card::masked;
use crate::case::id::CaseId;
use crate::case::message;

/// What the event of a message from another address than the case's
/// contact says of it, under who sent it.
pub const STRANGER: &str =
    "(Not from the case's contact address: recorded as a note, not as the customer's answer.)";

/// What the event of a message a machine sent (an out-of-office answer,
/// a bounce) says of it, under who sent it and why it is taken for a
/// machine's.
pub const AUTOMATIC: &str =
    "Recorded as a note, not as the customer's answer; caselog never answers it";

/// The largest message `caselog mail` reads: above what mail servers
/// accept (usually 25 to 50 MiB), far below harm. Its text is capped
/// further, at `max_text_bytes`.
pub const MESSAGE_BYTES: u64 = 64 * 1024 * 1024;

/// The tag in a subject, as a reply to a caselog e-mail carries it: what
/// is inside `[caselog …]`.
pub fn case_tag(subject: &str) -> Option<&str> {
    let start = subject.find(&format!("[{} ", outbound::TAG))? + outbound::TAG.len() + 2;
    let rest = &subject[start..];
    let query = rest[..rest.find(']')?].trim();
    (!query.is_empty() && query.len() <= 40).then_some(query)
}

/// How many characters of a case id a tag must give at least: the whole
/// random part after the dash. Fewer (`[caselog 5]`, a date) would let
/// anyone's mail land on a case they guessed.
pub const TAG_MIN: usize = 5;

/// The case query a tag stands for, when it names a case by its full id
/// or by an end of it holding the whole random part (`7kq3m`,
/// `22-7kq3m`); `None` for anything shorter or shaped otherwise. The
/// random part alone is looked up with its dash (`-7kq3m`), so it matches
/// only the end of an id, never a date at its start.
pub fn tag_query(tag: &str) -> Option<String> {
    if CaseId::parse_full(tag).is_some() {
        return Some(tag.to_string());
    }
    let split = tag.len().checked_sub(TAG_MIN)?;
    let (head, random) = (tag.get(..split)?, tag.get(split..)?);
    // The random part is five letters of the id alphabet: a real id with
    // it at its end says so.
    let shaped = CaseId::parse_full(&format!("20000101-{random}")).is_some()
        && (head.is_empty()
            || head
                .strip_suffix('-')
                .is_some_and(|date| date.len() < 9 && date.bytes().all(|b| b.is_ascii_digit())));
    shaped.then(|| {
        if head.is_empty() {
            format!("-{random}")
        } else {
            tag.to_string()
        }
    })
}

/// `text` with every likely card number masked, then made to fit by
/// `fit` (which cuts or cleans, never adds a digit). A cut can leave the
/// start of a longer number that now reads as a card, and masking makes
/// text longer: so it is masked and fitted again until no card number is
/// left, and as a last resort every digit is hidden. What comes out has
/// passed `fit` last, so it is within whatever cap `fit` keeps.
pub fn masked_fit(text: &str, fit: impl Fn(&str) -> String) -> String {
    let mut out = fit(&masked(text));
    for _ in 0..4 {
        if crate::case::card::find(&out).is_empty() {
            return out;
        }
        out = fit(&masked(&out));
    }
    if crate::case::card::find(&out).is_empty() {
        return out;
    }
    let hidden: String = out
        .chars()
        .map(|c| if c.is_numeric() { '*' } else { c })
        .collect();
    fit(&hidden)
}

/// The most bytes an event's list of attachments takes: a message may
/// carry thousands of files, and the case is text a reviewer reads.
pub const LISTED_MAX: usize = 4096;

/// What an event says of an e-mail before its text: who sent it (and,
/// when `stranger`, that this is not the case's contact; when a machine
/// sent it, why it is taken for a machine's), where it asks replies to
/// go when that is elsewhere, its subject, and its attachments' names
/// and sizes (the files are not kept in the case). The list of
/// attachments fits in what `max` bytes leave, and at most
/// [`LISTED_MAX`]; the files it has no room for are counted.
pub fn heading(mail: &Inbound, stranger: bool, max: usize) -> String {
    let mut out = format!("{}{}", message::FROM, mail.sender());
    if let Some(why) = &mail.automatic {
        let _ = write!(out, "\n(Sent by a machine: {why}. {AUTOMATIC}.)");
    } else if stranger {
        let _ = write!(out, "\n{STRANGER}");
    }
    if let Some(reply_to) = mail.reply_to_shown() {
        let _ = write!(out, "\nReply-To: {reply_to}");
    }
    if !mail.subject.is_empty() {
        let _ = write!(out, "\nSubject: {}", mail.subject);
    }
    if !mail.attachments.is_empty() {
        let room = max.saturating_sub(out.len() + 1).min(LISTED_MAX);
        let _ = write!(out, "\n{}", listed(&mail.attachments, room));
    }
    out
}

/// `Attachments: a.pdf (12 KiB), b.jpg (1.5 MiB)` in at most `room`
/// bytes (given room for a word at least), ending `, and 3 more (2.0 MiB
/// in all)` when not all fit.
fn listed(files: &[attachments::Attachment], room: usize) -> String {
    // Room kept for the count of those left out: ", and 99999 more (999.9 MiB in all)".
    const COUNT: usize = 48;
    let mut out = String::from("Attachments: ");
    let mut shown = 0;
    for (i, file) in files.iter().enumerate() {
        let entry = format!("{} ({})", file.name, size_words(file.size()));
        let count = if i + 1 < files.len() { COUNT } else { 0 };
        let separator = if shown == 0 { 0 } else { 2 };
        if out.len() + separator + entry.len() + count > room {
            break;
        }
        if shown > 0 {
            out.push_str(", ");
        }
        out.push_str(&entry);
        shown += 1;
    }
    let left = &files[shown..];
    if !left.is_empty() {
        let size = size_words(left.iter().map(attachments::Attachment::size).sum());
        if shown == 0 {
            let _ = write!(
                out,
                "{} ({size} in all)",
                crate::words::count(left.len(), "file")
            );
        } else {
            let _ = write!(out, ", and {} more ({size} in all)", left.len());
        }
    }
    out
}

/// `text` on one line, safe in a header and a case field: line breaks,
/// tabs and other blanks become one space, control characters and
/// bidirectional overrides are dropped, and the ends are trimmed.
pub fn one_line(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut blank = false;
    for c in text.chars() {
        if c.is_whitespace() {
            blank = true;
        } else if crate::untrusted::is_hazardous(c) {
            continue;
        } else {
            if blank && !out.is_empty() {
                out.push(' ');
            }
            blank = false;
            out.push(c);
        }
    }
    out
}

/// At most `max` bytes of `text`, cut at a character boundary, with `…`
/// when it was cut.
pub fn at_most(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_string();
    }
    let mut end = max.saturating_sub('…'.len_utf8());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &text[..end])
}

/// Whether `text` is one plain e-mail address (`local@domain`), nothing
/// more: no display name, no list, no blanks or characters that could
/// start another header or another recipient.
pub fn is_address(text: &str) -> bool {
    let Some((local, domain)) = text.rsplit_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.is_empty()
        && !local.contains('@')
        && text.len() <= 254
        && !domain.contains('@')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !text.chars().any(|c| {
            c.is_whitespace()
                || c.is_control()
                || crate::untrusted::is_hazardous(c)
                || crate::untrusted::is_joiner(c)
                || matches!(
                    c,
                    ',' | ';' | '<' | '>' | '"' | '(' | ')' | '[' | ']' | '\\' | ':'
                )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_case_tag_is_found_anywhere_in_the_subject() {
        assert_eq!(
            case_tag("Re: Refund [caselog 20261122-7kq3m]"),
            Some("20261122-7kq3m")
        );
        assert_eq!(case_tag("AW: [caselog 7kq3m] Re: Refund"), Some("7kq3m"));
        assert_eq!(case_tag("Refund [caselog ]"), None);
        assert_eq!(case_tag("Refund [caselog 7kq3m"), None);
        assert_eq!(case_tag("Refund"), None);
    }

    #[test]
    fn a_tag_names_a_case_only_by_its_whole_random_part_or_more() {
        assert_eq!(
            tag_query("20261122-7kq3m").as_deref(),
            Some("20261122-7kq3m")
        );
        assert_eq!(tag_query("7kq3m").as_deref(), Some("-7kq3m"));
        assert_eq!(tag_query("-7kq3m").as_deref(), Some("-7kq3m"));
        assert_eq!(tag_query("22-7kq3m").as_deref(), Some("22-7kq3m"));
        for not_a_tag in [
            "5",
            "m",
            "q3m",
            "7kq3",
            "20261122",
            "2026112",
            "122-7",
            "x-7kq3m",
            "7kq3m-",
            "7KQ3M",
            "7kq3u",
            "a b c",
            "123456789-7kq3m",
        ] {
            assert_eq!(tag_query(not_a_tag), None, "{not_a_tag}");
        }
    }

    #[test]
    fn card_numbers_are_masked_and_the_rest_kept() {
        assert_eq!(
            masked("card 4111 1111 1111 1111, order A-1001"),
            "card **** **** **** 1111, order A-1001"
        );
        assert_eq!(masked("nothing here"), "nothing here");
    }

    #[test]
    fn a_card_number_is_masked_before_a_cut_and_the_cut_stays_within_it() {
        // Cut after masking: the card is masked whole, not left 15 digits.
        let text = "paid with 4111111111111111 twice";
        let fitted = masked_fit(text, |t| at_most(t, 24));
        assert!(fitted.starts_with("paid with ****"), "{fitted}");
        assert!(fitted.len() <= 24 && !fitted.contains('1'), "{fitted}");
        // Masking lengthens: still within the cap.
        let fitted = masked_fit(text, |t| at_most(t, 32));
        assert!(fitted.len() <= 32, "{fitted}");
        assert!(crate::case::card::find(&fitted).is_empty(), "{fitted}");
        // A cut that leaves the start of a longer number reading as a card
        // (20 digits are no card; their first 16 pass the Luhn check).
        let long = "ref 41111111111111111234 end";
        assert!(crate::case::card::find(long).is_empty());
        let fitted = masked_fit(long, |t| at_most(t, 23));
        assert!(crate::case::card::find(&fitted).is_empty(), "{fitted}");
        assert!(fitted.len() <= 23, "{fitted}");
    }

    #[test]
    fn the_list_of_attachments_fits_its_room_and_counts_the_rest() {
        let files: Vec<attachments::Attachment> = (0..20_000)
            .map(|i| attachments::Attachment {
                name: format!("{i:05}{}.bin", "n".repeat(90)),
                content: vec![0; 10],
            })
            .collect();
        let line = listed(&files, 1000);
        assert!(line.len() <= 1000, "{}", line.len());
        assert!(line.starts_with("Attachments: 00000nnn"), "{line}");
        assert!(line.ends_with(" more (195 KiB in all)"), "{line}");
        let line = listed(&files, 60);
        assert_eq!(line, "Attachments: 20000 files (195 KiB in all)");
        let line = listed(&files[..2], 1000);
        assert!(line.ends_with(".bin (10 bytes)"), "{line}");
        assert_eq!(line.matches(" (10 bytes)").count(), 2, "{line}");
    }

    #[test]
    fn one_line_folds_breaks_and_drops_what_a_terminal_would_obey() {
        assert_eq!(
            one_line("  Refund\r\nBcc: evil@example.com\t "),
            "Refund Bcc: evil@example.com"
        );
        assert_eq!(one_line("a\u{1b}[31mred\u{202e}"), "a[31mred");
        assert_eq!(one_line(""), "");
    }

    #[test]
    fn at_most_cuts_at_a_character_boundary() {
        assert_eq!(at_most("short", 10), "short");
        let cut = at_most("ééééé", 6);
        assert!(cut.len() <= 6 && cut.ends_with('…'), "{cut}");
    }

    #[test]
    fn an_address_is_one_address_and_nothing_else() {
        for good in [
            "maria@example.com",
            "a.b+c@mail.example.co.uk",
            "ops@localhost",
        ] {
            assert!(is_address(good), "{good}");
        }
        for bad in [
            "",
            "maria",
            "@example.com",
            "maria@",
            "Maria <maria@example.com>",
            "a@example.com, b@example.com",
            "a@example.com\r\nBcc: b@example.com",
            "a b@example.com",
            "a@b@c",
            "+44 20 7946 0000",
        ] {
            assert!(!is_address(bad), "{bad:?}");
        }
    }
}
