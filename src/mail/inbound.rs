//! One e-mail as caselog needs it: who sent it, when, about what, what it
//! says in plain text, what it carries attached, and which messages it
//! answers.
//!
//! `mail-parser` does the RFC 5322 and MIME work (multipart, quoted
//! printable, base64, encoded words, charsets); this module decides what
//! of it is kept and makes it safe: header values on one line without
//! control characters, HTML turned into text (never kept raw), the quoted
//! earlier message cut, the text capped.

use chrono::{DateTime, Utc};
use std::borrow::Cow;

use mail_parser::decoders::base64::base64_decode;
use mail_parser::decoders::charsets::map::charset_decoder;
use mail_parser::decoders::quoted_printable::quoted_printable_decode;
use mail_parser::{
    Encoding, HeaderName, Message, MessageParser, MessagePart, MimeHeaders, PartType,
};

use super::attachments::{Attachment, safe_name};
use super::{at_most, html, is_address, masked_fit, one_line, quoted};
use crate::case::card::masked;
use crate::case::message::{self, is_one_token};
use crate::error::InputError;

/// The longest subject kept as a case title, in bytes.
const SUBJECT_MAX: usize = 200;
/// The longest sender name kept, in bytes.
const NAME_MAX: usize = 200;

/// An e-mail from a customer, reduced to what a case records.
#[derive(Debug, Clone)]
pub struct Inbound {
    /// Its Message-ID without angle brackets, when it has a usable one.
    pub message_id: Option<String>,
    /// The sender's display name, on one line, when the From: has one.
    pub from_name: Option<String>,
    /// The sender's address.
    pub from_address: String,
    /// The address the sender asks replies to go to (`Reply-To:`), when
    /// it names one address that is not the sender's nor one the message
    /// went to (a list that sets Reply-To to itself): a web site's
    /// contact form, or a group re-sending a customer's mail from its
    /// own address, writes the customer's address there.
    pub reply_to: Option<String>,
    /// The display name beside [`Inbound::reply_to`], on one line.
    pub reply_to_name: Option<String>,
    /// The `Date:` header, when it has a valid one.
    pub date: Option<DateTime<Utc>>,
    /// When the last mail server (the topmost `Received:` header, which
    /// the receiving server adds) took the message, when it says.
    pub received: Option<DateTime<Utc>>,
    /// The subject on one line (empty when there is none).
    pub subject: String,
    /// The message's text, as a new case keeps it: plain text (HTML
    /// converted), whole (a forward is the complaint), at most the cap
    /// given to [`parse`].
    pub body_text: String,
    /// The text as a reply to a case keeps it: without the earlier message
    /// it quotes (never cut to nothing), at most the cap.
    pub reply_text: String,
    /// Whether the whole text was cut at the cap.
    pub truncated: bool,
    pub attachments: Vec<Attachment>,
    /// The Message-IDs it answers: `In-Reply-To`, then `References`
    /// (newest first).
    pub in_reply_to: Vec<String>,
    /// Why it was sent by a machine, when it says so (`Auto-Submitted:
    /// auto-replied`, `Precedence: bulk`…): an out-of-office answer to a
    /// reply is not the customer speaking.
    pub automatic: Option<String>,
}

impl Inbound {
    /// The sender as a person reads it: `Maria López <maria@example.com>`.
    pub fn sender(&self) -> String {
        named(self.from_name.as_deref(), &self.from_address)
    }

    /// Where replies are to go, as a person reads it, when it is not the
    /// sender: `Maria López <maria@example.com>`.
    pub fn reply_to_shown(&self) -> Option<String> {
        let address = self.reply_to.as_deref()?;
        Some(named(self.reply_to_name.as_deref(), address))
    }

    /// The customer's address: where they asked replies to go, else the
    /// sender's.
    pub fn contact(&self) -> &str {
        self.reply_to.as_deref().unwrap_or(&self.from_address)
    }

    /// The customer's name: the name beside the address replies go to
    /// (a form's or a group's name beside the sender is not theirs),
    /// else the sender's; the address when there is no name.
    pub fn customer(&self) -> String {
        let name = match self.reply_to {
            Some(_) => self.reply_to_name.as_deref(),
            None => self.from_name.as_deref(),
        };
        name.map_or_else(|| self.contact().to_string(), str::to_string)
    }

    /// Whether `address` is the sender's, or where the sender asked
    /// replies to go (ignoring case, as mail systems do).
    pub fn is_from(&self, address: &str) -> bool {
        address.eq_ignore_ascii_case(&self.from_address)
            || self
                .reply_to
                .as_deref()
                .is_some_and(|r| address.eq_ignore_ascii_case(r))
    }
}

fn named(name: Option<&str>, address: &str) -> String {
    match name {
        Some(name) => format!("{name} <{address}>"),
        None => address.to_string(),
    }
}

/// Reads one message. `max_text` caps the body text kept (longer text is
/// cut, and [`Inbound::truncated`] says so). A message caselog cannot
/// record (empty, no headers, no usable From: address) is refused.
pub fn parse(raw: &[u8], max_text: usize, secret: &[u8]) -> Result<Inbound, InputError> {
    if raw.iter().all(u8::is_ascii_whitespace) {
        return Err(InputError::Invalid("the message is empty".into()));
    }
    // A UTF-8 byte order mark, as Windows editors save a `.eml`, would
    // make the first header's name `\u{feff}From`, and the From: unseen.
    let raw = raw.strip_prefix(b"\xef\xbb\xbf").unwrap_or(raw);
    let messages = mbox_messages(raw);
    if messages > 1 {
        return Err(InputError::Invalid(format!(
            "this is an mbox file of {messages} messages, and caselog mail records one message at a time (examples/mail/import-mbox records each); nothing was written"
        )));
    }
    let raw = line_ends(raw);
    let message = MessageParser::default()
        .parse(raw.as_ref())
        .filter(|m| !m.headers().is_empty())
        .ok_or_else(|| {
            InputError::Invalid("this is not an e-mail message (no headers were found)".into())
        })?;
    let automatic = automatic(&message);
    one_sender(&message)?;
    let from = match sender(&message) {
        Ok(from) => Some(from),
        // A mail system's report may name no sender one can write to
        // (`From: MAILER-DAEMON`); it is not recorded, so not refused.
        Err(_) if automatic.is_some() => None,
        Err(e) => return Err(e),
    };
    let address = from
        .and_then(|f| f.address())
        .map(str::trim)
        .unwrap_or_default();
    // No card number is kept, wherever the sender put one. In an address,
    // the masked form goes without blanks: it stays one address. A mail
    // system's report that names no address is still told apart from
    // another (the same report delivered again is recorded once).
    let from_address = match masked(address).replace(' ', "") {
        none if none.is_empty() => "MAILER-DAEMON".to_string(),
        address => address,
    };
    let from_name = from
        .and_then(|f| f.name())
        .map(|n| {
            display_name(&repaired_name(&message, "From", n, |m| {
                m.from()?.first()?.name().map(str::to_string)
            }))
        })
        .filter(|n| !n.is_empty() && n != address && *n != from_address);
    let subject = match (message.subject(), eight_bit(&message, "Subject")) {
        (Some(subject), Some(raw)) if subject.contains(REPLACEMENT) => raw,
        (Some(subject), None) if subject.contains(REPLACEMENT) => {
            unknown_charsets(&message, "Subject")
                .as_ref()
                .and_then(|m| m.subject().map(str::to_string))
                .unwrap_or_else(|| subject.to_string())
        }
        (subject, _) => utf8_read_as_latin1(subject.unwrap_or_default()),
    };
    let reply_to = reply_to(&message, address);
    let reply_to_address = reply_to
        .and_then(|r| r.address())
        .map(|a| masked(a.trim()).replace(' ', ""));
    let reply_to_name = reply_to
        .and_then(|r| r.name())
        .map(|n| {
            display_name(&repaired_name(&message, "Reply-To", n, |m| {
                m.reply_to()?.first()?.name().map(str::to_string)
            }))
        })
        .filter(|n| !n.is_empty() && Some(n) != reply_to_address.as_ref());
    let (whole, answer) = text_of(&message);
    let (body, truncated) = capped(&whole, max_text);
    let (reply, _) = capped(&answer, max_text);
    let mut in_reply_to = answered(&message);
    in_reply_to.extend(reported(&message));
    Ok(Inbound {
        message_id: message
            .message_id()
            .and_then(clean_id)
            .map(|id| message::kept_message_id(&id, secret)),
        from_name,
        from_address,
        reply_to: reply_to_address,
        reply_to_name,
        date: message
            .date()
            .filter(|d| d.is_valid())
            .and_then(|d| DateTime::from_timestamp(d.to_timestamp(), 0)),
        received: message
            .received_all()
            .next()
            .and_then(|r| r.date.as_ref())
            .filter(|d| d.is_valid())
            .and_then(|d| DateTime::from_timestamp(d.to_timestamp(), 0)),
        subject: masked_fit(&one_line(&subject), |s| at_most(s, SUBJECT_MAX)),
        body_text: body,
        reply_text: reply,
        truncated,
        attachments: attachments_of(&message),
        in_reply_to,
        automatic,
    })
}

/// The message's sender, when it names one e-mail address.
fn sender<'m>(message: &'m Message) -> Result<&'m mail_parser::Addr<'m>, InputError> {
    let from = message
        .from()
        .and_then(|from| from.first())
        .ok_or_else(|| InputError::Invalid("the message has no From: address".into()))?;
    let address = from.address().map(str::trim).unwrap_or_default();
    if address.is_empty() {
        return Err(InputError::Invalid(
            "the message has no From: address".into(),
        ));
    }
    if !is_address(address) {
        return Err(InputError::Invalid(format!(
            "the From: address '{}' is not one e-mail address",
            one_line(&masked(address))
        )));
    }
    Ok(from)
}

/// The display name `name` of the address in `header`, as `mail-parser`
/// read it, read again where it could not: written in 8-bit (the name is
/// what comes before the address, its bytes read as Windows-1252), or in
/// an encoded word of a charset it does not know (`again` finds it in the
/// header read anew); else UTF-8 that an encoded word called Latin-1.
fn repaired_name(
    message: &Message,
    header: &str,
    name: &str,
    again: impl Fn(&Message) -> Option<String>,
) -> String {
    match eight_bit(message, header) {
        Some(raw) if name.contains(REPLACEMENT) => raw
            .rsplit_once('<')
            .map_or(name.to_string(), |(before, _)| before.trim().to_string()),
        _ if name.contains(REPLACEMENT) => unknown_charsets(message, header)
            .as_ref()
            .and_then(again)
            .unwrap_or_else(|| name.to_string()),
        _ => utf8_read_as_latin1(name),
    }
}

/// A sender's display name as a case keeps it: on one line, without
/// quotes, card numbers masked, cut to [`NAME_MAX`]. No angle brackets:
/// the address in them is always the real one (a name "Maria
/// <maria@example.com>" cannot pose as it).
fn display_name(name: &str) -> String {
    let name = one_line(&name.replace(['<', '>'], " "));
    masked_fit(name.trim_matches('"'), |n| at_most(n, NAME_MAX))
}

/// Refuses a message whose From: headers name different senders: RFC
/// 5322 allows one, mail programs show one and a forger hopes the other
/// is believed, so which of them is the customer cannot be told.
fn one_sender(message: &Message) -> Result<(), InputError> {
    let mut senders: Vec<String> = Vec::new();
    for address in message
        .header_values(HeaderName::From)
        .filter_map(|v| v.as_address())
        .flat_map(|a| a.iter())
        .filter_map(|a| a.address())
    {
        let address = one_line(&masked(address.trim())).to_ascii_lowercase();
        if !address.is_empty() && !senders.contains(&address) {
            senders.push(address);
        }
    }
    if senders.len() > 1 && message.header_values(HeaderName::From).count() > 1 {
        return Err(InputError::Invalid(format!(
            "the message has more than one From: header, naming {}: which is the sender cannot be told (a forged message, or a broken mailer); nothing was written",
            at_most(&senders.join(" and "), 200)
        )));
    }
    Ok(())
}

/// The one address `Reply-To:` names, when it is the customer's rather
/// than the sender's (`from`), or an address the message went to: a list
/// that sets Reply-To to itself, so that answers go to every member, does
/// not make the list the customer.
fn reply_to<'m>(message: &'m Message, from: &str) -> Option<&'m mail_parser::Addr<'m>> {
    let mut named = message
        .header_values(HeaderName::ReplyTo)
        .filter_map(|v| v.as_address())
        .flat_map(|a| a.iter())
        .filter(|a| a.address().is_some_and(|a| !a.trim().is_empty()));
    let one = named.next()?;
    let address = one.address()?.trim();
    let recipients = message
        .to()
        .into_iter()
        .chain(message.cc())
        .flat_map(|a| a.iter())
        .filter_map(|a| a.address());
    let list_post = message.header_raw("List-Post").is_some_and(|v| {
        v.to_ascii_lowercase()
            .contains(&address.to_ascii_lowercase())
    });
    let others = named.any(|a| {
        a.address()
            .is_some_and(|a| !a.trim().eq_ignore_ascii_case(address))
    });
    let answered_to = recipients
        .map(str::trim)
        .any(|r| r.eq_ignore_ascii_case(address));
    (is_address(address)
        && !address.eq_ignore_ascii_case(from)
        && !others
        && !answered_to
        && !list_post)
        .then_some(one)
}

/// How many messages `raw` holds: more than one only when it is an mbox
/// file (its first line `From sender date`, as mail programs export a
/// mailbox) in which more than one `From ` line starts a message with a
/// sender. Read as one message, the others would be the first's text.
fn mbox_messages(raw: &[u8]) -> usize {
    if !raw.starts_with(b"From ") {
        return 1;
    }
    let parser = MessageParser::default();
    mail_parser::mailbox::mbox::MessageIterator::new(raw)
        .filter_map(Result::ok)
        .filter(|m| {
            parser
                .parse_headers(m.contents())
                .is_some_and(|h| h.from().is_some())
        })
        .count()
}

/// `raw` with each lone CR (`\r` not before `\n`: the line end of old Mac
/// mailers and some scripts) made a line end, when its headers have one:
/// read as one long line, a From: header would run on into the headers
/// after it (and the sender be read from the Message-ID).
fn line_ends(raw: &[u8]) -> Cow<'_, [u8]> {
    let lone = |i: usize| raw[i] == b'\r' && raw.get(i + 1) != Some(&b'\n');
    // The headers end at the first empty line, whatever the line ends.
    let mut empty = true;
    let mut lone_in_headers = false;
    let mut i = 0;
    while i < raw.len() {
        if !matches!(raw[i], b'\r' | b'\n') {
            empty = false;
            i += 1;
            continue;
        }
        if empty {
            break;
        }
        lone_in_headers |= lone(i);
        empty = true;
        i += if raw[i..].starts_with(b"\r\n") { 2 } else { 1 };
    }
    if !lone_in_headers {
        return Cow::Borrowed(raw);
    }
    let ends: Vec<u8> = (0..raw.len())
        .map(|i| if lone(i) { b'\n' } else { raw[i] })
        .collect();
    Cow::Owned(ends)
}

/// The header that says a machine sent the message, as `Name: value`.
fn automatic(message: &Message) -> Option<String> {
    let value = |name: &str| {
        message
            .header_raw(name)
            .map(|v| one_line(v).to_ascii_lowercase())
    };
    // RFC 3834: any keyword but `no` (comments aside) says a machine sent
    // it; an empty header says nothing.
    if let Some(v) = value("Auto-Submitted").filter(|v| !matches!(keyword(v), "" | "no")) {
        return Some(format!("Auto-Submitted: {}", at_most(&v, 40)));
    }
    // Not `list`: a list or a Google Group as the support address marks
    // every customer's message so (Mailman and Google Groups add it), and
    // a person wrote each one.
    if let Some(v) =
        value("Precedence").filter(|v| matches!(v.as_str(), "bulk" | "junk" | "auto_reply"))
    {
        return Some(format!("Precedence: {v}"));
    }
    if value("X-Autoreply").is_some() {
        return Some("X-Autoreply".to_string());
    }
    bounce(message)
}

/// The sign that the message is a mail system's report (a bounce, a read
/// receipt, an abuse report) rather than a person writing: such reports
/// need not say `Auto-Submitted`, and recorded, a bounce of our own reply
/// would open a case of its own, or answer the customer's case in the
/// mail server's words.
fn bounce(message: &Message) -> Option<String> {
    if is_report(message) {
        return Some("Content-Type: multipart/report".to_string());
    }
    // RFC 5321 4.5.5: reports go out from the null reverse path, which the
    // delivering server writes down as `Return-Path: <>`.
    if message
        .header_raw("Return-Path")
        .is_some_and(|v| matches!(one_line(v).as_str(), "<>" | "< >"))
    {
        return Some("Return-Path: <>".to_string());
    }
    // Exim's bounces name the addresses that failed.
    if message.header_raw("X-Failed-Recipients").is_some() {
        return Some("X-Failed-Recipients".to_string());
    }
    // RFC 3834 2: the mail system's own sender name.
    let sender = message
        .from()
        .and_then(|from| from.first())
        .and_then(|f| f.address())?;
    let local = sender.rsplit_once('@').map_or(sender, |(local, _)| local);
    local
        .trim()
        .eq_ignore_ascii_case("mailer-daemon")
        .then(|| "From: MAILER-DAEMON".to_string())
}

/// Whether the message is a mail system's report: RFC 6522 makes every
/// delivery, read or feedback report multipart/report.
fn is_report(message: &Message) -> bool {
    message.content_type().is_some_and(|t| {
        t.ctype().eq_ignore_ascii_case("multipart")
            && t.subtype()
                .is_some_and(|s| s.eq_ignore_ascii_case("report"))
    })
}

/// The Message-IDs of the message a mail system's report is about (a
/// bounce returns ours whole, `message/rfc822`, or its headers,
/// `text/rfc822-headers`), so that a bounce of a reply finds its case.
fn reported(message: &Message) -> Vec<String> {
    if !is_report(message) {
        return Vec::new();
    }
    let parser = MessageParser::default();
    message
        .attachments()
        .filter_map(|part| {
            if let PartType::Message(returned) = &part.body {
                return returned.message_id().and_then(clean_id);
            }
            let headers_only = part.content_type().is_some_and(|t| {
                t.subtype()
                    .is_some_and(|s| s.eq_ignore_ascii_case("rfc822-headers"))
            });
            if !headers_only {
                return None;
            }
            parser
                .parse_headers(part.contents())
                .and_then(|h| h.message_id().and_then(clean_id))
        })
        .collect()
}

/// A structured header's keyword: what comes before its parameters (`;`),
/// without comments (`(…)`, which may nest) or blanks.
fn keyword(value: &str) -> &str {
    let mut depth = 0usize;
    let mut start = None;
    let mut end = 0;
    for (i, c) in value.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            ';' if depth == 0 => break,
            c if depth == 0 && !c.is_whitespace() => {
                start.get_or_insert(i);
                end = i + c.len_utf8();
            }
            _ => {}
        }
    }
    start.map_or("", |start| &value[start..end])
}

/// What a byte that is not UTF-8 becomes when read as UTF-8.
const REPLACEMENT: char = '\u{FFFD}';

/// The bytes of the first header `name` (in any letter case), as sent.
fn raw_header<'m>(message: &'m Message, name: &str) -> Option<&'m [u8]> {
    let header = message
        .headers()
        .iter()
        .find(|h| h.name.as_str().eq_ignore_ascii_case(name))?;
    message
        .raw_message
        .get(header.offset_start as usize..header.offset_end as usize)
}

/// A header written in 8-bit without encoded words (older mailers send
/// Latin-1 so), its bytes that are not UTF-8 read as Windows-1252 (of
/// which Latin-1 is part), as a body's are; `None` when its bytes are
/// UTF-8 (then `mail-parser` has read it already) or there is no such
/// header.
fn eight_bit(message: &Message, name: &str) -> Option<String> {
    let bytes = raw_header(message, name)?;
    if std::str::from_utf8(bytes).is_ok() {
        return None;
    }
    Some(lenient(bytes))
}

/// The header `name` read again, alone, with each of its encoded words
/// that names a charset `mail-parser` does not know (`unknown-8bit`, as
/// some gateways write, `x-user-defined`, a misspelling) taken as
/// Windows-1252 (of which Latin-1 is part), as a body in such a charset
/// is: read as UTF-8, every accented letter became `U+FFFD`. `None`
/// when it has no such word.
fn unknown_charsets(message: &Message, name: &str) -> Option<Message<'static>> {
    let raw = raw_header(message, name)?;
    let mut out = format!("{name}:").into_bytes();
    let mut rest = raw;
    let mut changed = false;
    while let Some(at) = rest.windows(2).position(|w| w == b"=?") {
        let (before, word) = rest.split_at(at + 2);
        out.extend_from_slice(before);
        let Some(end) = word.iter().position(|&b| b == b'?') else {
            rest = word;
            break;
        };
        // RFC 2231 lets a language follow the charset: `utf-8*en`.
        let charset = word[..end].split(|&b| b == b'*').next().unwrap_or_default();
        let known = charset_decoder(charset).is_some()
            || charset.eq_ignore_ascii_case(b"utf-8")
            || charset.eq_ignore_ascii_case(b"utf8");
        if known || charset.is_empty() {
            out.extend_from_slice(&word[..end]);
        } else {
            out.extend_from_slice(b"windows-1252");
            changed = true;
        }
        // The rest of the word, `?Q?text?=`, is copied as it is: its
        // text may hold `=?` (base64 padding before `?=`).
        let tail = &word[end..];
        let close = tail
            .get(3..)
            .and_then(|t| t.windows(2).position(|w| w == b"?="))
            .map_or(tail.len(), |at| at + 5);
        out.extend_from_slice(&tail[..close]);
        rest = &tail[close..];
    }
    out.extend_from_slice(rest);
    out.extend_from_slice(b"\r\n\r\n");
    if !changed {
        return None;
    }
    MessageParser::default()
        .parse_headers(&out)
        .map(Message::into_owned)
}

/// A Message-ID as stored: without angle brackets or blanks; `None` when
/// what is left could not be kept.
fn clean_id(id: &str) -> Option<String> {
    let id = id
        .trim()
        .trim_start_matches('<')
        .trim_end_matches('>')
        .trim();
    // One too long to keep is kept as its digest (`kept_message_id`).
    is_one_token(id).then(|| id.to_string())
}

/// The ids of `In-Reply-To`, then those of `References` newest first,
/// each once (in time that grows with their number only: a References
/// header may be made huge).
fn answered(message: &Message) -> Vec<String> {
    let ids = |value: &mail_parser::HeaderValue| -> Vec<String> {
        match value.as_text_list() {
            Some(list) => list.iter().filter_map(|id| clean_id(id)).collect(),
            None => value.as_text().and_then(clean_id).into_iter().collect(),
        }
    };
    let mut references = ids(message.references());
    references.reverse();
    let mut seen = std::collections::HashSet::new();
    ids(message.in_reply_to())
        .into_iter()
        .chain(references)
        .filter(|id| seen.insert(id.clone()))
        .collect()
}

/// The message's text, whole and as an answer (each part without the
/// earlier message it quotes): its plain-text parts, or its HTML converted
/// to text when they hold none, or the text broken MIME set aside. Each
/// kind of part is decoded once, when first wanted, for both.
fn text_of(message: &Message) -> (String, String) {
    let (whole, answer) = own_text_of(message);
    let forwards = forwarded(message);
    if forwards.is_empty() {
        return (whole, answer);
    }
    let with = |own: String| {
        std::iter::once(own)
            .chain(forwards.iter().cloned())
            .filter(|text| !text.is_empty())
            .collect::<Vec<_>>()
            .join("\n\n")
    };
    (with(whole), with(answer))
}

/// How a message forwarded whole begins, as mail programs write it.
const FORWARDED: &str = "---------- Forwarded message ----------";

/// Each message attached whole (a forward as an attachment,
/// `message/rfc822`), as a mail program shows a forward: who sent it,
/// when, its subject, then its own text (and those it forwards in turn,
/// as deep as `mail-parser` follows). The customer's words may be only
/// "see below": the complaint is in there. Not a report's: a bounce
/// returns our own message.
fn forwarded(message: &Message) -> Vec<String> {
    if is_report(message) {
        return Vec::new();
    }
    message
        .attachments()
        .filter_map(|part| match &part.body {
            PartType::Message(inner) => Some(inner),
            _ => None,
        })
        .map(|inner| {
            let mut out = String::from(FORWARDED);
            if let Some(from) = inner.from().and_then(|f| f.first()) {
                let address = from.address().map(str::trim).unwrap_or_default();
                let shown = match from.name().map(|n| one_line(&n.replace(['<', '>'], " "))) {
                    Some(name) if !name.is_empty() && !address.is_empty() => {
                        format!("{name} <{address}>")
                    }
                    Some(name) if !name.is_empty() => name,
                    _ => address.to_string(),
                };
                out.push_str(&format!("\nFrom: {}", one_line(&shown)));
            }
            if let Some(date) = inner.header_raw("Date") {
                out.push_str(&format!("\nDate: {}", one_line(date)));
            }
            if let Some(subject) = inner.subject() {
                out.push_str(&format!("\nSubject: {}", one_line(subject)));
            }
            let (text, _) = text_of(inner);
            if !text.is_empty() {
                out.push_str("\n\n");
                out.push_str(&text);
            }
            out
        })
        .collect()
}

/// The message's own text, whole and as an answer, without the messages
/// it forwards as attachments.
fn own_text_of(message: &Message) -> (String, String) {
    let mut decoded: [Option<Vec<String>>; 3] = Default::default();
    let mut pick = |answer: bool| -> String {
        for (kind, parts) in decoded.iter_mut().enumerate() {
            let parts = parts.get_or_insert_with(|| match kind {
                0 => texts(message, message.text_bodies(), false),
                // A plain-text alternative left empty (some mailers send
                // one) does not make the HTML beside it, the message's
                // words, nothing.
                1 => texts(message, message.html_bodies(), false),
                _ => texts(message, set_aside(message).into_iter(), true),
            });
            let kept: Vec<String> = parts
                .iter()
                .map(|text| {
                    if answer {
                        quoted::cut(text)
                    } else {
                        text.clone()
                    }
                })
                .filter(|text| !text.trim().is_empty())
                .collect();
            if !kept.is_empty() {
                return kept.join("\n\n");
            }
        }
        String::new()
    };
    (pick(false), pick(true))
}

/// The text of each of `parts`; `stray` when they are parts [`set_aside`]
/// found.
fn texts<'a>(
    message: &Message,
    parts: impl Iterator<Item = &'a MessagePart<'a>>,
    stray: bool,
) -> Vec<String> {
    let mut out = Vec::new();
    for part in parts {
        let text = match &part.body {
            PartType::Text(text) if part.is_encoding_problem => normalise(&salvaged(part, text)),
            PartType::Text(text) => normalise(&eight_bit_text(message, part, text)),
            PartType::Html(html) => normalise(&html::to_text(&eight_bit_text(message, part, html))),
            // Only a multipart that could not be split, never an inline
            // image a mailer listed with the text.
            PartType::Binary(bytes) | PartType::InlineBinary(bytes) if stray => {
                normalise(&String::from_utf8_lossy(bytes))
            }
            _ => continue,
        };
        out.push(text);
    }
    out
}

/// A part's text in the charset its bytes are in, when that is not the
/// one it declares: bytes that are not UTF-8 are read as Windows-1252 (of
/// which Latin-1 is part) when it declares no charset, UTF-8 or US-ASCII,
/// or one unknown, as older mailers send 8-bit Latin-1 (read as UTF-8,
/// every accented letter would be lost to `U+FFFD`; valid UTF-8 in it
/// stays as it is); and text said to be Latin-1 or US-ASCII whose bytes
/// are UTF-8 is read as UTF-8, as mailers mislabel it (`cafÃ©` for
/// `café`): Latin-1 text is all but never valid UTF-8 by chance.
fn eight_bit_text<'a>(message: &Message, part: &MessagePart, text: &'a str) -> Cow<'a, str> {
    let declared = part
        .content_type()
        .and_then(|t| t.attribute("charset"))
        .map(|c| c.trim().to_ascii_lowercase());
    let read_as_utf8 = match declared.as_deref() {
        None | Some("utf-8" | "utf8" | "us-ascii" | "ascii") => true,
        Some(other) => charset_decoder(other.as_bytes()).is_none(),
    };
    let read_as_latin = matches!(
        declared.as_deref(),
        Some(
            "iso-8859-1"
                | "iso8859-1"
                | "latin1"
                | "iso-8859-15"
                | "windows-1252"
                | "cp1252"
                | "us-ascii"
                | "ascii"
        )
    );
    let lost = read_as_utf8 && text.contains(REPLACEMENT);
    let mislabelled = read_as_latin && !text.is_ascii();
    let body = message
        .raw_message
        .get(part.offset_body as usize..part.offset_end as usize);
    let Some(body) = body.filter(|_| lost || mislabelled) else {
        return Cow::Borrowed(text);
    };
    let bytes = match part.encoding {
        Encoding::None => Some(body.to_vec()),
        Encoding::QuotedPrintable => quoted_printable_decode(body),
        Encoding::Base64 => {
            let digits: Vec<u8> = body
                .iter()
                .copied()
                .filter(|b| !b.is_ascii_whitespace())
                .collect();
            base64_decode(&digits)
        }
    };
    match bytes.as_deref().map(|b| (b, std::str::from_utf8(b))) {
        Some((_, Ok(utf8))) if mislabelled => Cow::Owned(utf8.to_string()),
        Some((bytes, Err(_))) if lost => Cow::Owned(lenient(bytes)),
        _ => Cow::Borrowed(text),
    }
}

/// A header's text as UTF-8 when it was UTF-8 read as Latin-1 (an
/// encoded word said `iso-8859-1` of UTF-8 bytes: `CafÃ©`): every
/// character one byte, and those bytes UTF-8 beyond ASCII, which Latin-1
/// text all but never is by chance. Else as it is.
fn utf8_read_as_latin1(text: &str) -> String {
    if text.is_ascii() {
        return text.to_string();
    }
    let bytes: Option<Vec<u8>> = text.chars().map(|c| u8::try_from(c).ok()).collect();
    bytes
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .unwrap_or_else(|| text.to_string())
}

/// `bytes` as text: UTF-8 where they are UTF-8, each other byte read as
/// Windows-1252.
fn lenient(bytes: &[u8]) -> String {
    let Some(windows_1252) = charset_decoder(b"windows-1252") else {
        return String::from_utf8_lossy(bytes).into_owned();
    };
    let mut out = String::with_capacity(bytes.len() + bytes.len() / 8);
    for chunk in bytes.utf8_chunks() {
        out.push_str(chunk.valid());
        if !chunk.invalid().is_empty() {
            out.push_str(&windows_1252(chunk.invalid()));
        }
    }
    out
}

/// The text parts `mail-parser` set aside with the attachments because
/// the MIME around them is broken (a multipart whose boundary is missing
/// or never comes, a base64 part that does not decode, nesting deeper
/// than it follows), when the message has no other text: they are the
/// customer's words, not files, so they must not be lost to a case that
/// reads "(The e-mail has no text.)". A part with a file name, or marked
/// as an attachment, is a file the sender attached.
fn set_aside<'a>(message: &'a Message) -> Vec<&'a MessagePart<'a>> {
    let has_text = message
        .text_bodies()
        .chain(message.html_bodies())
        .any(|part| match &part.body {
            PartType::Text(text) | PartType::Html(text) => !text.trim().is_empty(),
            _ => false,
        });
    if has_text {
        return Vec::new();
    }
    message
        .attachments()
        // Text by what the sender declared (no Content-Type is text/plain),
        // or a multipart that could not be split: a file that did not
        // decode (`mail-parser` then gives its bytes as text) stays a file.
        .filter(|part| {
            let declared = part.content_type().map_or("text", |t| t.ctype());
            ["text", "multipart"]
                .iter()
                .any(|kind| declared.eq_ignore_ascii_case(kind))
                && !matches!(part.body, PartType::Message(_) | PartType::Multipart(_))
        })
        .filter(|part| part.attachment_name().is_none())
        .filter(|part| {
            !part
                .content_disposition()
                .is_some_and(|d| d.is_attachment())
        })
        .collect()
}

/// The text of a part whose transfer encoding did not decode, which
/// `mail-parser` gives raw: a base64 part is decoded as far as it is
/// base64 (a mailer cut it short, or junk follows), anything else kept
/// as it came.
fn salvaged(part: &MessagePart, raw: &str) -> String {
    if !part
        .content_transfer_encoding()
        .is_some_and(|e| e.trim().eq_ignore_ascii_case("base64"))
    {
        return raw.to_string();
    }
    let mut digits: Vec<u8> = raw
        .bytes()
        .filter(|b| !b.is_ascii_whitespace())
        .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/'))
        .collect();
    // Whole groups of four, padded as base64 pads a short last group.
    match digits.len() % 4 {
        1 => {
            digits.pop();
        }
        2 => digits.extend(b"=="),
        3 => digits.push(b'='),
        _ => {}
    }
    base64_decode(&digits).map_or_else(
        || raw.to_string(),
        |bytes| String::from_utf8_lossy(&bytes).into_owned(),
    )
}

/// Line breaks as `\n`, no control character but tabs, no blanks at the
/// ends of lines or of the text.
fn normalise(text: &str) -> String {
    let unified = text.replace("\r\n", "\n").replace('\r', "\n");
    let clean: String = unified
        .chars()
        .filter(|&c| c == '\n' || c == '\t' || !c.is_control())
        .collect();
    let lines: Vec<&str> = clean.lines().map(str::trim_end).collect();
    lines.join("\n").trim().to_string()
}

/// `text` with its card numbers masked, within `max` bytes: masked first
/// (a cut must not leave most of a card number behind), then cut at a
/// line (else a character) boundary, saying so at the end; and whether it
/// was cut.
pub fn capped(text: &str, max: usize) -> (String, bool) {
    let masked = masked(text);
    if masked.len() <= max {
        return (masked, false);
    }
    (masked_fit(&masked, |t| cut(t, max)), true)
}

/// `text` within `max` bytes, cut at a line (else a character) boundary,
/// saying so at the end.
fn cut(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_string();
    }
    let note = "\n\n[The rest of this message was cut: it was longer than caselog keeps.]";
    if max < 2 * note.len() {
        return at_most(text, max);
    }
    let mut end = max.saturating_sub(note.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let kept = match text[..end].rfind('\n') {
        Some(line) if line > end / 2 => &text[..line],
        _ => &text[..end],
    };
    format!("{}{note}", kept.trim_end())
}

/// Every attached file, with a safe name.
fn attachments_of(message: &Message) -> Vec<Attachment> {
    let text = set_aside(message);
    message
        .attachments()
        .filter(|part| !text.iter().any(|t| std::ptr::eq(*t, *part)))
        .map(|part| Attachment {
            name: safe_name(&name_of(part)),
            content: part.contents().to_vec(),
        })
        .collect()
}

fn name_of(part: &MessagePart) -> String {
    if let Some(name) = part.attachment_name() {
        return name.to_string();
    }
    if part.is_message() {
        return "message.eml".to_string();
    }
    let extension = part
        .content_type()
        .and_then(|t| t.subtype())
        .filter(|s| s.chars().all(|c| c.is_ascii_alphanumeric()) && s.len() <= 8)
        .map(|s| format!(".{s}"))
        .unwrap_or_default();
    format!("attachment{extension}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::redaction::{erased, erased_keyed};

    const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";

    fn read(text: &str) -> Inbound {
        read_bytes(text.as_bytes())
    }

    fn read_bytes(raw: &[u8]) -> Inbound {
        parse(raw, 1024 * 1024, SECRET).unwrap()
    }

    #[test]
    fn a_plain_message_gives_its_sender_date_subject_and_text() {
        let mail = read(
            "From: \"Maria López\" <maria@example.com>\r\nTo: support@ferncliff.example\r\nSubject: Refund not received\r\nDate: Fri, 20 Nov 2026 09:15:00 +0100\r\nMessage-ID: <CAF1@mail.example.com>\r\n\r\nI cancelled order A-1001.\r\n",
        );
        assert_eq!(mail.from_name.as_deref(), Some("Maria López"));
        assert_eq!(mail.from_address, "maria@example.com");
        assert_eq!(mail.sender(), "Maria López <maria@example.com>");
        assert_eq!(mail.subject, "Refund not received");
        assert_eq!(mail.date.unwrap().to_rfc3339(), "2026-11-20T08:15:00+00:00");
        assert_eq!(mail.message_id.as_deref(), Some("CAF1@mail.example.com"));
        assert_eq!(mail.body_text, "I cancelled order A-1001.");
        assert!(mail.attachments.is_empty() && !mail.truncated);
    }

    #[test]
    fn html_only_mail_becomes_text_without_markup_or_scripts() {
        let mail = read(
            "From: a@example.com\nSubject: x\nContent-Type: text/html; charset=utf-8\n\n<html><head><style>p{color:red}</style><script>alert(1)</script></head><body><p>The <b>grinder</b> broke.</p><p>Second &amp; last.</p></body></html>\n",
        );
        assert!(
            mail.body_text.contains("The grinder broke."),
            "{}",
            mail.body_text
        );
        assert!(
            mail.body_text.contains("Second & last."),
            "{}",
            mail.body_text
        );
        for raw in ["<", "alert", "color:red"] {
            assert!(!mail.body_text.contains(raw), "{raw}: {}", mail.body_text);
        }
    }

    #[test]
    fn eight_bit_latin1_headers_are_read_as_latin1() {
        let mail = read_bytes(
            b"From: \"Maria L\xf3pez\" <maria@example.com>\nSubject: Caf\xe9 froid\n\nx\n",
        );
        assert_eq!(mail.from_name.as_deref(), Some("Maria López"));
        assert_eq!(mail.subject, "Café froid");
        assert_eq!(mail.from_address, "maria@example.com");
    }

    #[test]
    fn an_eight_bit_body_without_a_charset_it_keeps_is_read_as_windows_1252() {
        for (headers, body) in [
            ("", b"Mon caf\xe9 est arriv\xe9 froid \x80 5.".to_vec()),
            (
                "Content-Type: text/plain; charset=utf-8\n",
                b"Mon caf\xe9 est arriv\xe9 froid \x80 5.".to_vec(),
            ),
            (
                "Content-Type: text/plain; charset=x-unknown\n",
                b"Mon caf\xe9 est arriv\xe9 froid \x80 5.".to_vec(),
            ),
            (
                "Content-Type: text/html\n",
                b"<p>Mon caf\xe9 est arriv\xe9 froid \x80 5.</p>".to_vec(),
            ),
            (
                "Content-Type: text/plain; charset=us-ascii\nContent-Transfer-Encoding: base64\n",
                b"TW9uIGNhZukgZXN0IGFycml26SBmcm9pZCCAIDUu".to_vec(),
            ),
        ] {
            let mut raw = format!("From: a@example.com\n{headers}\n").into_bytes();
            raw.extend(body);
            let mail = read_bytes(&raw);
            assert_eq!(
                mail.body_text, "Mon café est arrivé froid € 5.",
                "{headers}"
            );
        }
        // UTF-8 with a stray byte keeps its UTF-8.
        let mail = read_bytes(
            "From: a@example.com\n\nCafé \u{2014} "
                .bytes()
                .chain(*b"d\xe9j\xe0")
                .collect::<Vec<u8>>()
                .as_slice(),
        );
        assert_eq!(mail.body_text, "Café \u{2014} déjà");
        // UTF-8 said to be Latin-1 is UTF-8; Latin-1 said so stays Latin-1.
        for (charset, body, text) in [
            (
                "iso-8859-1",
                "Caf\u{e9} \u{20ac}".as_bytes(),
                "Caf\u{e9} \u{20ac}",
            ),
            (
                "windows-1252",
                b"Caf\xc3\xa9 \xe2\x82\xac".as_slice(),
                "Caf\u{e9} \u{20ac}",
            ),
            ("iso-8859-1", b"Caf\xe9".as_slice(), "Caf\u{e9}"),
            ("us-ascii", b"Caf\xc3\xa9".as_slice(), "Caf\u{e9}"),
        ] {
            let mut raw =
                format!("From: a@example.com\nContent-Type: text/plain; charset={charset}\n\n")
                    .into_bytes();
            raw.extend(body);
            assert_eq!(read_bytes(&raw).body_text, text, "{charset} {body:?}");
        }
        // A charset it knows is its own.
        let mail = read_bytes(
            b"From: a@example.com\nContent-Type: text/plain; charset=iso-8859-7\n\n\xe1\xe2\n",
        );
        assert_eq!(mail.body_text, "\u{3b1}\u{3b2}");
    }

    #[test]
    fn utf8_in_an_encoded_word_said_to_be_latin1_reads_as_utf8() {
        let mail = read(
            "From: =?iso-8859-1?Q?Ren=C3=A9?= <rene@example.com>\nSubject: =?ISO-8859-1?B?Q2Fmw6kgZnJvaWQ=?=\n\nx\n",
        );
        assert_eq!(mail.from_name.as_deref(), Some("Ren\u{e9}"));
        assert_eq!(mail.subject, "Caf\u{e9} froid");
        // Latin-1 that is Latin-1 stays so, and so does what it spells.
        let mail = read("From: a@example.com\nSubject: =?iso-8859-1?Q?Caf=E9_=C3=A9t=E9?=\n\nx\n");
        assert_eq!(mail.subject, "Caf\u{e9} \u{c3}\u{a9}t\u{e9}");
    }

    #[test]
    fn a_reply_to_name_is_read_again_as_the_senders_is() {
        // In 8-bit Latin-1, and in a charset mail-parser does not know.
        let mail = read_bytes(
            b"From: Form <form@shop.example>\nReply-To: \"Maria L\xf3pez\" <maria@example.com>\n\nx\n",
        );
        assert_eq!(mail.reply_to_name.as_deref(), Some("Maria López"));
        let mail = read(
            "From: Form <form@shop.example>\nReply-To: =?x-bogus?Q?Jos=E9?= <jose@example.com>\n\nx\n",
        );
        assert_eq!(mail.reply_to_name.as_deref(), Some("Jos\u{e9}"));
        assert_eq!(mail.reply_to.as_deref(), Some("jose@example.com"));
    }

    #[test]
    fn encoded_words_in_a_charset_unknown_read_as_windows_1252() {
        let mail = read(
            "From: =?x-bogus?Q?Jos=E9?= <jose@example.com>\nSubject: =?unknown-8bit?B?Y2Fm6Q==?= =?utf-8?Q?_ok?=\n\nx\n",
        );
        assert_eq!(mail.from_name.as_deref(), Some("Jos\u{e9}"));
        assert_eq!(mail.subject, "caf\u{e9} ok");
        // A charset it knows is its own; no word, nothing read again.
        let mail =
            read("From: a@example.com\nSubject: =?iso-8859-7?Q?=E1?= =?x-bogus?Q?=E9?=\n\nx\n");
        assert_eq!(mail.subject, "\u{3b1}\u{e9}");
    }

    #[test]
    fn reply_to_names_the_customer_only_when_it_is_someone_else() {
        let contact = |headers: &str| {
            let mail = read(&format!("From: Form <form@shop.example>\n{headers}\nx\n"));
            (mail.contact().to_string(), mail.customer())
        };
        assert_eq!(
            contact("Reply-To: Ann <ann@example.com>\nTo: support@shop.example\n"),
            ("ann@example.com".into(), "Ann".into())
        );
        assert_eq!(
            contact("Reply-To: ann@example.com\n"),
            ("ann@example.com".into(), "ann@example.com".into())
        );
        for not_theirs in [
            "Reply-To: form@SHOP.example\n",
            "Reply-To: list@shop.example\nTo: list@shop.example\n",
            "Reply-To: list@shop.example\nList-Post: <mailto:list@shop.example>\n",
            "Reply-To: a@example.com, b@example.com\n",
            "Reply-To: not an address\n",
        ] {
            assert_eq!(
                contact(not_theirs),
                ("form@shop.example".into(), "Form".into()),
                "{not_theirs}"
            );
        }
    }

    #[test]
    fn only_the_text_of_a_reply_loses_the_quote() {
        let mail = read(
            "From: a@example.com\n\nStill broken.\n\nOn Fri, 20 Nov 2026, Ferncliff <s@f.example> wrote:\n> Sorry.\n",
        );
        assert_eq!(mail.reply_text, "Still broken.");
        assert!(
            mail.body_text.ends_with("wrote:\n> Sorry."),
            "{}",
            mail.body_text
        );
    }

    #[test]
    fn a_byte_order_mark_before_the_headers_is_not_part_of_them() {
        let mail =
            read_bytes(b"\xef\xbb\xbfFrom: Ann <ann@example.com>\r\nSubject: Hi\r\n\r\nx\r\n");
        assert_eq!(mail.from_address, "ann@example.com");
        assert_eq!(mail.subject, "Hi");
        assert!(
            matches!(parse(b"\xef\xbb\xbf", 100, SECRET), Err(e) if e.to_string().contains("no headers"))
        );
    }

    #[test]
    fn lone_carriage_returns_end_lines() {
        let mail = read(
            "From: Ann <ann@example.com>\rSubject: Refund please\rMessage-ID: <1234.abc@mx.provider.example>\r\rMy order never arrived.\rTwice.\r",
        );
        assert_eq!(mail.from_address, "ann@example.com");
        assert_eq!(mail.subject, "Refund please");
        assert_eq!(
            mail.message_id.as_deref(),
            Some("1234.abc@mx.provider.example")
        );
        assert_eq!(mail.body_text, "My order never arrived.\nTwice.");
        // CRLF and LF messages are read as they are.
        assert_eq!(
            line_ends(b"A: b\r\n\r\nx\ry\r\n").as_ref(),
            b"A: b\r\n\r\nx\ry\r\n"
        );
        assert_eq!(line_ends(b"A: b\n\nx\ry").as_ref(), b"A: b\n\nx\ry");
    }

    #[test]
    fn a_machine_sent_message_says_so() {
        assert_eq!(read("From: a@example.com\n\nx\n").automatic, None);
        for person in ["no", "No", "no (sent by a person)", "(c) no ; x=y", ""] {
            assert_eq!(
                read(&format!(
                    "From: a@example.com\nAuto-Submitted: {person}\n\nx\n"
                ))
                .automatic,
                None,
                "{person}"
            );
        }
        assert_eq!(
            read("From: a@example.com\nAuto-Submitted: auto-generated (no)\n\nx\n")
                .automatic
                .as_deref(),
            Some("Auto-Submitted: auto-generated (no)")
        );
        assert_eq!(
            read("From: a@example.com\nAuto-Submitted: Auto-Replied\n\nx\n")
                .automatic
                .as_deref(),
            Some("Auto-Submitted: auto-replied")
        );
        assert_eq!(
            read("From: a@example.com\nPrecedence: bulk\n\nx\n")
                .automatic
                .as_deref(),
            Some("Precedence: bulk")
        );
    }

    #[test]
    fn mail_through_a_list_or_group_is_a_person_writing() {
        let mail = read(
            "From: a@example.com\nPrecedence: list\nList-ID: <support.ferncliff.example>\nMailing-list: list support@ferncliff.example\n\nx\n",
        );
        assert_eq!(mail.automatic, None);
    }

    #[test]
    fn a_mail_systems_report_says_a_machine_sent_it() {
        for (headers, why) in [
            (
                "From: Mail Delivery System <MAILER-DAEMON@mx.example.com>\n",
                "From: MAILER-DAEMON",
            ),
            (
                "From: postmaster@example.com\nContent-Type: Multipart/Report; report-type=delivery-status; boundary=b\n",
                "Content-Type: multipart/report",
            ),
            (
                "Return-Path: <>\nFrom: Ana <ana@example.com>\n",
                "Return-Path: <>",
            ),
            (
                "From: ana@example.com\nX-Failed-Recipients: maria@example.com\n",
                "X-Failed-Recipients",
            ),
        ] {
            let mail = read(&format!("{headers}Subject: x\n\n--b\n\nx\n--b--\n"));
            assert_eq!(mail.automatic.as_deref(), Some(why), "{headers}");
        }
        for person in [
            "Return-Path: <ana@example.com>\nFrom: ana@example.com\n",
            "From: daemon-fan@example.com\nContent-Type: multipart/mixed; boundary=b\n",
        ] {
            assert_eq!(read(&format!("{person}\nx\n")).automatic, None, "{person}");
        }
    }

    #[test]
    fn the_answered_ids_come_from_in_reply_to_then_references() {
        let mail = read(
            "From: a@example.com\nIn-Reply-To: <b@x>\nReferences: <a@x> <b@x>\nSubject: Re: y\n\nok\n",
        );
        assert_eq!(mail.in_reply_to, ["b@x", "a@x"]);
    }

    #[test]
    fn a_message_without_a_usable_sender_is_refused() {
        for (text, expected) in [
            ("", "the message is empty"),
            ("Subject: hi\n\nno sender\n", "no From: address"),
            ("From: Maria\n\nno address\n", "no From: address"),
            ("From: <a@b@c>\n\nx\n", "is not one e-mail address"),
        ] {
            let err = parse(text.as_bytes(), 1024, SECRET)
                .unwrap_err()
                .to_string();
            assert!(err.contains(expected), "{text:?}: {err}");
        }
    }

    #[test]
    fn a_sender_name_cannot_pose_as_an_address() {
        let mail =
            read("From: \"Maria <maria@example.com>\" <mallory@example.net>\nSubject: x\n\nx\n");
        assert_eq!(
            mail.sender(),
            "Maria maria@example.com <mallory@example.net>"
        );
    }

    #[test]
    fn header_values_are_one_line_and_harmless() {
        let mail = read(
            "From: =?utf-8?q?Eve=0D=0ABcc=3A_x=40evil=2Eexample?= <eve@example.com>\nSubject: =?utf-8?q?Hi=0D=0ABcc=3A_x=1B=5B31m?=\nMessage-ID: <bad id@x>\n\nx\n",
        );
        assert_eq!(mail.from_name.as_deref(), Some("Eve Bcc: x@evil.example"));
        assert_eq!(mail.subject, "Hi Bcc: x[31m");
        assert_eq!(mail.message_id, None, "an id with a blank is not kept");
    }

    #[test]
    fn a_long_text_is_cut_at_the_cap_and_says_so() {
        let body = "line of text\n".repeat(1000);
        let mail = parse(
            format!("From: a@example.com\n\n{body}").as_bytes(),
            2000,
            SECRET,
        )
        .unwrap();
        assert!(mail.truncated);
        assert!(mail.body_text.len() <= 2000, "{}", mail.body_text.len());
        assert!(mail.body_text.ends_with("longer than caselog keeps.]"));
    }

    #[test]
    fn no_card_number_is_kept_in_any_field_of_a_message() {
        let mail = read_bytes(b"From: \"Card 4111 1111 1111 1111\" <5500000000000004@example.com>\nSubject: card 4111111111111111\nMessage-ID: <4111111111111111@example.com>\nContent-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\nMy card 4111 1111 1111 1111 was charged.\n--b\nContent-Type: application/pdf\nContent-Disposition: attachment; filename=\"card 4111 1111 1111 1111.pdf\"\n\nx\n--b--\n");
        assert_eq!(mail.from_address, "************0004@example.com");
        assert!(is_address(&mail.from_address));
        assert_eq!(mail.from_name.as_deref(), Some("Card **** **** **** 1111"));
        assert_eq!(mail.subject, "card **** **** **** 1111");
        assert_eq!(mail.body_text, "My card **** **** **** 1111 was charged.");
        assert_eq!(mail.attachments[0].name, "card ____ ____ ____ 1111.pdf");
        let id = mail.message_id.unwrap();
        assert_eq!(id, erased_keyed(SECRET, "4111111111111111@example.com"));
        assert_ne!(id, erased("4111111111111111@example.com"), "keyed");
    }

    #[test]
    fn a_card_number_across_the_text_cap_is_masked_whole() {
        let message = format!(
            "From: a@example.com\n\n{}4111111111111111 is my card{}\n",
            "word ".repeat(300),
            ", please refund".repeat(20)
        );
        // Every cut from before the number to past it.
        for cap in 1500..1620 {
            let mail = parse(message.as_bytes(), cap, SECRET).unwrap();
            assert!(mail.truncated, "{cap}");
            assert!(
                mail.body_text.len() <= cap,
                "{cap}: {}",
                mail.body_text.len()
            );
            assert!(
                !mail.body_text.contains("4111"),
                "{cap}: {}",
                mail.body_text
            );
        }
        let body = &message[message.find("\n\n").unwrap()..];
        let short = parse(
            format!("From: a@example.com\n{body}").as_bytes(),
            4096,
            SECRET,
        )
        .unwrap();
        assert!(
            short
                .body_text
                .contains("**** **** **** 1111 is my card, please")
        );
    }

    #[test]
    fn an_empty_plain_text_alternative_leaves_the_html_as_the_text() {
        let mail = read(
            "From: a@example.com\nContent-Type: multipart/alternative; boundary=A\n\n--A\nContent-Type: text/plain\n\n \n--A\nContent-Type: text/html\n\n<p>The words are <b>only</b> here.</p>\n--A--\n",
        );
        assert_eq!(mail.body_text, "The words are only here.");
        assert_eq!(mail.reply_text, "The words are only here.");
        assert!(mail.attachments.is_empty());
    }

    #[test]
    fn text_broken_mime_set_aside_is_still_the_messages_text() {
        for (message, text) in [
            (
                "Content-Type: multipart/mixed\n\n--b\nContent-Type: text/plain\n\nThe kettle leaks.\n--b--\n",
                "--b\nContent-Type: text/plain\n\nThe kettle leaks.\n--b--",
            ),
            (
                "Content-Type: multipart/mixed; boundary=never\n\nThe kettle leaks.\n",
                "The kettle leaks.",
            ),
            (
                "Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\nContent-Transfer-Encoding: base64\n\nVGhlIGtldHRsZSBs\nZWFrcy4=!!!junk\n--b--\n",
                "The kettle leaks.",
            ),
        ] {
            let mail = read(&format!("From: a@example.com\n{message}"));
            assert_eq!(mail.body_text, text, "{message}");
            assert_eq!(mail.reply_text, text, "{message}");
            assert!(mail.attachments.is_empty(), "{message}");
        }
        // A file the sender attached stays a file, and text found stays
        // the only text.
        let mail = read(
            "From: a@example.com\nContent-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\nSee the log.\n--b\nContent-Type: text/plain\nContent-Disposition: attachment\n\nlog line\n--b\nContent-Type: text/csv; name=a.csv\n\n1,2\n--b--\n",
        );
        assert_eq!(mail.body_text, "See the log.");
        assert_eq!(mail.attachments.len(), 2);
    }

    #[test]
    fn control_characters_in_the_text_are_dropped_but_lines_kept() {
        let mail = read("From: a@example.com\n\nred \u{1b}[31mtext\u{7}\r\nnext\tline\n");
        assert_eq!(mail.body_text, "red [31mtext\nnext\tline");
    }
}
