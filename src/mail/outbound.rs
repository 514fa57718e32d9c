//! A reply to the customer as an RFC 5322 message, composed with
//! `mail-builder`: its subject carries the case id (`Re: <title> [caselog
//! <id>]`), so the customer's answer threads back through `caselog mail`,
//! and `In-Reply-To`/`References` name the message it answers.
//!
//! Every header value passes [`one_line`] first, and a Message-ID that is
//! not one token is left out: a case field can never start a header of
//! its own (no `Bcc:` smuggled in through a title or a message id).

use chrono::{DateTime, Utc};
use mail_builder::MessageBuilder;
use mail_builder::headers::address::Address;
use mail_builder::headers::date::Date;
use mail_builder::headers::message_id::MessageId;

use super::{is_address, one_line};
use crate::case::Case;
use crate::case::message::is_message_id;
use crate::error::InputError;

/// What goes in a subject to name the case: `[caselog 20261122-7kq3m]`.
pub const TAG: &str = "caselog";

/// One mailbox: a display name, maybe, and an address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mailbox {
    pub name: Option<String>,
    pub address: String,
}

impl Mailbox {
    /// `Name <address>` or a bare `address`, as a setting or a case field
    /// holds it; `None` unless it is exactly one address.
    pub fn parse(text: &str) -> Option<Mailbox> {
        let text = text.trim();
        if let Some(open) = text.rfind('<')
            && let Some(inner) = text[open + 1..].strip_suffix('>')
        {
            let name = one_line(text[..open].trim().trim_matches('"'));
            let address = inner.trim();
            return is_address(address).then(|| Mailbox {
                name: (!name.is_empty()).then_some(name),
                address: address.to_string(),
            });
        }
        is_address(text).then(|| Mailbox {
            name: None,
            address: text.to_string(),
        })
    }

    fn header(&self) -> Address<'_> {
        match &self.name {
            Some(name) => (name.as_str(), self.address.as_str()).into(),
            None => self.address.as_str().into(),
        }
    }
}

/// A reply, ready to compose.
#[derive(Debug, Clone)]
pub struct Reply {
    pub from: Mailbox,
    pub to: Mailbox,
    pub subject: String,
    /// Without angle brackets.
    pub message_id: String,
    pub in_reply_to: Option<String>,
    pub references: Vec<String>,
    pub date: DateTime<Utc>,
    pub body: String,
}

/// The subject of a reply on `case`: `Re: <title> [caselog <id>]`. Any
/// tag the title holds is left out (a subject a customer wrote, an edit):
/// the answer to it would go to the case that tag names, the first in
/// the subject, with this customer's words.
pub fn subject(case: &Case) -> String {
    let title = one_line(&without_tags(&case.title));
    let title = title
        .strip_prefix("Re: ")
        .or_else(|| title.strip_prefix("RE: "))
        .unwrap_or(&title);
    if title.is_empty() {
        return format!("Re: [{TAG} {}]", case.id);
    }
    format!("Re: {title} [{TAG} {}]", case.id)
}

/// `title` without any `[caselog …]` in it.
fn without_tags(title: &str) -> String {
    let open = format!("[{TAG} ");
    let mut out = String::with_capacity(title.len());
    let mut rest = title;
    while let Some(start) = rest.find(&open) {
        let Some(end) = rest[start..].find(']') else {
            break;
        };
        out.push_str(&rest[..start]);
        out.push(' ');
        rest = &rest[start + end + 1..];
    }
    out.push_str(rest);
    out
}

/// A new Message-ID for a reply on case `case_id`, unique by the time and
/// a random part, in the sender's domain.
/// Never one that reads as a card number (the time and an all-digit
/// random part could), which the record would refuse and `check` flag.
pub fn new_message_id(case_id: &str, at: DateTime<Utc>, from: &Mailbox) -> anyhow::Result<String> {
    let domain = from
        .address
        .rsplit_once('@')
        .map_or("caselog.invalid", |(_, d)| d);
    for _ in 0..64 {
        let random = crate::hex::random(6)
            .map_err(|e| anyhow::anyhow!("no random bytes for a Message-ID: {e}"))?;
        let id = format!("caselog.{case_id}.{}.{random}@{domain}", at.timestamp());
        if crate::case::card::find(&id).is_empty() {
            return Ok(id);
        }
    }
    anyhow::bail!(
        "every Message-ID made for case {case_id} read as a payment card number: does the sender's address (mail.from) hold one?"
    )
}

/// The message's bytes, with CRLF line ends as RFC 5322 wants them.
pub fn compose(reply: &Reply) -> Result<Vec<u8>, InputError> {
    let subject = one_line(&reply.subject);
    let mut builder = MessageBuilder::new()
        .from(reply.from.header())
        .to(reply.to.header())
        .subject(subject.as_str())
        .date(Date::new(reply.date.timestamp()))
        .message_id(MessageId::new(reply.message_id.as_str()));
    // Ids come from case files, which arrive by `git pull`: one that is
    // not one token (a line break, a `>`) is left out, never written.
    if let Some(answered) = reply.in_reply_to.as_deref().filter(|id| is_message_id(id)) {
        builder = builder.in_reply_to(MessageId::new(answered));
    }
    let ids: Vec<&str> = reply
        .references
        .iter()
        .map(String::as_str)
        .filter(|id| is_message_id(id))
        .collect();
    if !ids.is_empty() {
        builder = builder.references(MessageId::from(ids));
    }
    let mut body = reply.body.replace("\r\n", "\n");
    if !body.ends_with('\n') {
        body.push('\n');
    }
    builder
        .header("X-Mailer", mail_builder::headers::raw::Raw::new("caselog"))
        .text_body(body)
        .write_to_vec()
        .map_err(|e| InputError::Invalid(format!("composing the reply failed: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::lifecycle::tests::opened;

    #[test]
    fn a_new_message_id_never_reads_as_a_card_number() {
        let from = Mailbox::parse("support@ferncliff.example").unwrap();
        // Times whose digits, with an all-digit random part, could.
        for seconds in [1_764_496_800, 4_111_111_111, 5_500_000_000] {
            let at = DateTime::from_timestamp(seconds, 0).unwrap();
            for _ in 0..200 {
                let id = new_message_id("20261122-12345", at, &from).unwrap();
                assert!(crate::case::card::find(&id).is_empty(), "{id}");
                assert!(crate::case::message::is_message_id(&id), "{id}");
            }
        }
        let carded = Mailbox::parse("support@4111111111111111.example").unwrap();
        let err = new_message_id("20261122-12345", Utc::now(), &carded).unwrap_err();
        assert!(err.to_string().contains("mail.from"), "{err}");
        assert!(!err.to_string().contains("4111"), "{err}");
    }

    fn reply(subject: &str, to: Mailbox) -> Reply {
        Reply {
            from: Mailbox::parse("Ferncliff Support <support@ferncliff.example>").unwrap(),
            to,
            subject: subject.into(),
            message_id: "caselog.x.1.ab@ferncliff.example".into(),
            in_reply_to: Some("CAF1@mail.example.com".into()),
            references: vec![
                "CAF0@mail.example.com".into(),
                "CAF1@mail.example.com".into(),
            ],
            date: "2026-11-22T09:00:00Z".parse().unwrap(),
            body: "Dear Maria,\n\nYour refund left today.\n".into(),
        }
    }

    fn text(bytes: Vec<u8>) -> String {
        String::from_utf8(bytes).unwrap()
    }

    #[test]
    fn the_subject_names_the_case_once() {
        let mut case = opened();
        assert_eq!(
            subject(&case),
            "Re: Parcel arrived broken [caselog 20261122-7kq3m]"
        );
        case.title = "Re: Parcel".into();
        assert_eq!(subject(&case), "Re: Parcel [caselog 20261122-7kq3m]");
        // Another case's tag in the title would take the answer there.
        case.title = "Re: Parcel [caselog 20261120-h39ys] again [caselog 7kq3m]".into();
        assert_eq!(subject(&case), "Re: Parcel again [caselog 20261122-7kq3m]");
        case.title = "[caselog 20261120-h39ys]".into();
        assert_eq!(subject(&case), "Re: [caselog 20261122-7kq3m]");
    }

    #[test]
    fn a_reply_threads_to_what_it_answers() {
        let to = Mailbox::parse("maria@example.com").unwrap();
        let message = text(compose(&reply("Re: Refund [caselog 20261120-h39ys]", to)).unwrap());
        for header in [
            "From: \"Ferncliff Support\" <support@ferncliff.example>\r\n",
            "To: <maria@example.com>\r\n",
            "Subject: Re: Refund [caselog 20261120-h39ys]\r\n",
            "Message-ID: <caselog.x.1.ab@ferncliff.example>\r\n",
            "In-Reply-To: <CAF1@mail.example.com>\r\n",
            "References: <CAF0@mail.example.com> <CAF1@mail.example.com>\r\n",
        ] {
            assert!(message.contains(header), "{header:?} in\n{message}");
        }
        assert!(message.contains("Your refund left today."), "{message}");
        // It reads back as the same reply.
        let parsed = super::super::inbound::parse(message.as_bytes(), 4096, b"s").unwrap();
        assert_eq!(parsed.from_address, "support@ferncliff.example");
        assert_eq!(parsed.subject, "Re: Refund [caselog 20261120-h39ys]");
        assert_eq!(
            parsed.in_reply_to,
            ["CAF1@mail.example.com", "CAF0@mail.example.com"]
        );
    }

    #[test]
    fn no_case_field_can_start_a_header_of_its_own() {
        let to = Mailbox {
            name: Some("Eve\r\nBcc: all@example.com".into()),
            address: "eve@example.com".into(),
        };
        let mut reply = reply("Hi\r\nBcc: all@example.com", to);
        // Message-IDs from a hand-edited case file.
        reply.in_reply_to = Some("a@x>\r\nBcc: all@example.com\r\nX: <b".into());
        reply.references.push("c@x>\nBcc: all@example.com".into());
        let message = text(compose(&reply).unwrap());
        let headers = &message[..message.find("\r\n\r\n").unwrap()];
        assert!(!headers.contains("In-Reply-To"), "{headers}");
        assert!(
            headers.contains("References: <CAF0@mail.example.com> <CAF1@mail.example.com>\r\n"),
            "{headers}"
        );
        assert!(
            !headers
                .lines()
                .any(|l| l.to_ascii_lowercase().starts_with("bcc:")),
            "{headers}"
        );
    }

    #[test]
    fn a_mailbox_is_one_address_with_maybe_a_name() {
        assert_eq!(
            Mailbox::parse("Ferncliff Support <support@ferncliff.example>"),
            Some(Mailbox {
                name: Some("Ferncliff Support".into()),
                address: "support@ferncliff.example".into()
            })
        );
        assert_eq!(Mailbox::parse("ana@example.com").unwrap().name, None);
        for bad in ["ana", "a@b, c@d", "Ana <a@b> <c@d>x", "+44 20 7946 0000"] {
            assert_eq!(Mailbox::parse(bad), None, "{bad}");
        }
    }
}
