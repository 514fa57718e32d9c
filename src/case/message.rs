//! E-mail on the record: the changes `caselog mail` and `caselog reply`
//! make to a case, each carrying the message's `Message-ID`, so the same
//! message is recorded once and a reply threads back to what it answers.
//!
//! Pure functions, as in [`lifecycle`]: the parsing and composing of mail
//! live in `crate::mail`, and no command-line syntax reaches here.

use crate::case::id::CaseId;
use crate::case::lifecycle::{self, NewComplaint, Refusal, Stamp};
use crate::case::redaction::{erased, erased_keyed, is_erased};
use crate::case::{Action, Case, Event, Replay};
use crate::error::InputError;

/// The longest Message-ID kept: RFC 5322 lines stop at 998 characters,
/// and real ids are far shorter.
pub const MESSAGE_ID_MAX: usize = 250;

/// The actions an event may carry a `message_id` on: a case opened from an
/// e-mail, a message from the customer, our reply or e-mail, and a note
/// recording an e-mail from another address than the case's contact.
pub const MESSAGE_ACTIONS: &[Action] = &[
    Action::Opened,
    Action::Customer,
    Action::Reply,
    Action::Email,
    Action::Note,
];

/// How the text of an event recording a received e-mail begins: the
/// sender follows (`E-mail from Maria <maria@example.com>`).
pub const FROM: &str = "E-mail from ";

/// An e-mail as an event records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// Its Message-ID without the angle brackets, when it has a usable one.
    pub id: Option<String>,
    /// What the event says of it: the sender, the subject, the text and
    /// the attachments' names, as the command wrote it down.
    pub text: String,
}

/// Whether `id` can be stored as a Message-ID: one token of printable
/// characters, no blanks, no angle brackets, not too long.
pub fn is_message_id(id: &str) -> bool {
    id.len() <= MESSAGE_ID_MAX && is_one_token(id)
}

/// Whether `id` is one token of printable characters, no blanks, no angle
/// brackets, whatever its length: a Message-ID a message may carry, kept
/// as it is or, when too long, as its digest ([`kept_message_id`]).
pub fn is_one_token(id: &str) -> bool {
    !id.is_empty()
        && !id.chars().any(|c| {
            c.is_whitespace()
                || c.is_control()
                || crate::untrusted::is_hazardous(c)
                || crate::untrusted::is_joiner(c)
                || c == '<'
                || c == '>'
        })
}

/// An id from elsewhere (a Message-ID, a help desk's ticket id) as it may
/// be stored: one that holds a likely card number becomes a one-way
/// digest keyed with the log's `secret` (`erased-…`, see
/// [`erased_keyed`]), so the same message or ticket is still recognised
/// when it comes again to a clone holding that secret, and no card number
/// is kept, nor one anyone could find again by trying numbers.
pub fn kept_id(id: &str, secret: &[u8]) -> String {
    if crate::case::card::find(id).is_empty() {
        id.to_string()
    } else {
        erased_keyed(secret, id)
    }
}

/// A received message's Message-ID as it is stored: as [`kept_id`], and
/// one longer than [`MESSAGE_ID_MAX`] as its plain digest (as a redaction
/// leaves an id, which [`records`] recognises), so a message delivered
/// again is still recorded once, however long the id its mailer chose.
pub fn kept_message_id(id: &str, secret: &[u8]) -> String {
    if id.len() > MESSAGE_ID_MAX && crate::case::card::find(id).is_empty() {
        erased(id)
    } else {
        kept_id(id, secret)
    }
}

/// What a caselog before keyed digests kept of an id holding a likely
/// card number (its unkeyed digest), so a log's old records are still
/// recognised; `None` for any other id.
pub fn kept_id_unkeyed(id: &str) -> Option<String> {
    (!crate::case::card::find(id).is_empty()).then(|| erased(id))
}

/// Whether `case` already records the message `id` (on any event), as it
/// came or as a redaction left it.
pub fn records(case: &Case, id: &str) -> bool {
    let gone = erased(id);
    case.events
        .iter()
        .filter_map(|e| e.message_id.as_deref())
        .any(|recorded| recorded == id || recorded == gone)
}

/// Whether `case` already records the message `id` sent by `sender` (an
/// address; `None` for our own reply). An event with that Message-ID that
/// names another sender records another message that reused the id (a
/// sender chooses it); an event that names none (our reply, or a text a
/// redaction erased) cannot tell, and counts.
pub fn records_from(case: &Case, id: &str, sender: Option<&str>) -> bool {
    let gone = erased(id);
    case.events.iter().any(|e| {
        e.message_id
            .as_deref()
            .is_some_and(|recorded| recorded == id || recorded == gone)
            && match (sender, e.text.as_deref().and_then(sender_in)) {
                (Some(sender), Some(recorded)) => sender.eq_ignore_ascii_case(recorded),
                _ => true,
            }
    })
}

/// The sender's address a received e-mail's text names on its first line
/// (`E-mail from Maria <maria@example.com>`), if it is such a text.
pub fn sender_in(text: &str) -> Option<&str> {
    let from = text.lines().next()?.strip_prefix(FROM)?.trim_end();
    Some(
        from.strip_suffix('>')
            .and_then(|named| named.rsplit_once('<'))
            .map_or(from, |(_, address)| address),
    )
}

/// The Message-IDs recorded on `case` that a reply can name (not those a
/// redaction erased, nor one a hand edit or a pulled case file made into
/// something else: a line break in it would start a header of its own,
/// a `Bcc:`), oldest first.
pub fn recorded_ids(case: &Case) -> impl Iterator<Item = &str> {
    case.events
        .iter()
        .filter_map(|e| e.message_id.as_deref())
        .filter(|id| !is_erased(id) && is_message_id(id))
}

/// The last message the customer sent that the case records (a case opened
/// from an e-mail, or a `customer` event from one): what a reply answers.
pub fn last_inbound(case: &Case) -> Option<&Event> {
    case.events.iter().rev().find(|e| {
        e.message_id
            .as_deref()
            .is_some_and(|id| !is_erased(id) && is_message_id(id))
            && matches!(e.action, Action::Opened | Action::Customer)
    })
}

fn checked(message: &Message) -> Result<(), InputError> {
    if let Some(id) = &message.id
        && !is_message_id(id)
    {
        return Err(InputError::Invalid(format!(
            "'{}' is not a Message-ID caselog can keep (one token, no blanks or angle brackets, at most {MESSAGE_ID_MAX} bytes)",
            id.escape_debug()
        )));
    }
    if message.text.trim().is_empty() {
        return Err(InputError::Invalid("the message's text is empty".into()));
    }
    Ok(())
}

/// Opens a case from an e-mail: [`lifecycle::open`], with the message's
/// id and what it says (its sender, its attachments) on the `opened` event.
pub fn open(
    id: CaseId,
    new: NewComplaint,
    stamp: &Stamp,
    message: &Message,
) -> Result<Case, InputError> {
    checked(message)?;
    let mut case = lifecycle::open(id, new, stamp)?;
    let opened = &mut case.events[0];
    opened.message_id = message.id.clone();
    opened.text = Some(message.text.clone());
    Ok(case)
}

/// Records an e-mail from the customer: a `customer` event, which ends a
/// wait on the customer and is not a response. A message the case
/// already records changes nothing.
pub fn receive(case: &Case, stamp: &Stamp, message: &Message) -> Result<Case, Refusal> {
    append(case, stamp, Action::Customer, message)
}

/// Records an e-mail from another address than the case's contact: a
/// `note`, which ends no wait. It may be the customer writing from
/// elsewhere, or someone who knows the case's id; a person decides.
pub fn receive_as_note(case: &Case, stamp: &Stamp, message: &Message) -> Result<Case, Refusal> {
    append(case, stamp, Action::Note, message)
}

/// Records a reply sent to the customer by e-mail: a `reply` event (the
/// first response when it is the first), with the Message-ID it was sent
/// under.
pub fn replied(case: &Case, stamp: &Stamp, message: &Message) -> Result<Case, Refusal> {
    append(case, stamp, Action::Reply, message)
}

fn append(case: &Case, stamp: &Stamp, action: Action, message: &Message) -> Result<Case, Refusal> {
    checked(message)?;
    if let Some(id) = &message.id
        && records_from(case, id, sender_in(&message.text))
    {
        return Ok(case.clone());
    }
    let stamp = lifecycle::in_order(case, stamp);
    let mut next = case.clone();
    let mut replay = Replay {
        status: case.status,
        waiting_on: case.waiting_on(),
    };
    replay.apply(action, None);
    next.status = replay.status;
    let mut event = Event::new(stamp.at, &stamp.by, action).with_text(message.text.clone());
    event.message_id = message.id.clone();
    next.events.push(event);
    Ok(next)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::lifecycle::tests::{new_complaint, opened, stamp};
    use crate::case::{Status, WaitingOn, validate};

    fn mail(id: &str, text: &str) -> Message {
        Message {
            id: Some(id.into()),
            text: text.into(),
        }
    }

    #[test]
    fn a_message_from_the_customer_is_a_customer_event_with_its_id() {
        let case = receive(
            &opened(),
            &stamp(2),
            &mail("a1@example.com", "Still broken."),
        )
        .unwrap();
        let last = case.events.last().unwrap();
        assert_eq!(last.action, Action::Customer);
        assert_eq!(last.message_id.as_deref(), Some("a1@example.com"));
        assert_eq!(last.text.as_deref(), Some("Still broken."));
        assert_eq!(case.first_response(), None, "not a response");
    }

    #[test]
    fn an_erased_message_id_is_one_way_stable_and_still_recognised() {
        let id = "maria.lopez.1@example.com";
        let gone = erased(id);
        assert!(is_erased(&gone) && is_message_id(&gone), "{gone}");
        assert!(!gone.contains("maria") && !gone.contains("example"));
        assert_eq!(erased(&gone), gone, "erasing twice changes nothing");
        assert_eq!(erased(id), gone, "the same on every branch");
        let mut case = receive(&opened(), &stamp(2), &mail(id, "Hi")).unwrap();
        case.events.last_mut().unwrap().message_id = Some(gone);
        assert!(records(&case, id));
        assert_eq!(recorded_ids(&case).count(), 0, "not named in a reply");
        assert!(last_inbound(&case).is_none());
    }

    #[test]
    fn the_same_message_twice_is_recorded_once() {
        let once = receive(&opened(), &stamp(2), &mail("a1@example.com", "Hi")).unwrap();
        let twice = receive(&once, &stamp(3), &mail("a1@example.com", "Hi")).unwrap();
        assert_eq!(once, twice);
        assert!(records(&twice, "a1@example.com"));
        assert!(!records(&twice, "other@example.com"));
    }

    #[test]
    fn the_same_message_id_from_another_sender_is_another_message() {
        let maria = mail(
            "m1@example.com",
            "E-mail from Maria <maria@example.com>\n\nHi",
        );
        let once = receive(&opened(), &stamp(2), &maria).unwrap();
        assert_eq!(receive(&once, &stamp(3), &maria).unwrap(), once);
        let shouting = mail("m1@example.com", "E-mail from MARIA@example.com\n\nHi");
        assert_eq!(receive(&once, &stamp(3), &shouting).unwrap(), once);
        let mallory = mail("m1@example.com", "E-mail from mallory@example.net\n\nHi");
        let twice = receive(&once, &stamp(3), &mallory).unwrap();
        assert_eq!(twice.events.len(), once.events.len() + 1);
        assert!(records_from(
            &twice,
            "m1@example.com",
            Some("mallory@example.net")
        ));
        assert!(!records_from(
            &once,
            "m1@example.com",
            Some("mallory@example.net")
        ));
        assert!(records_from(&once, "m1@example.com", None));
        // A text that names no sender (erased by a redaction) cannot tell.
        let mut erased_text = once.clone();
        erased_text.events.last_mut().unwrap().text = Some("[redacted 2026-11-23]".into());
        assert!(records_from(
            &erased_text,
            "m1@example.com",
            Some("x@example.net")
        ));
        assert_eq!(
            sender_in("E-mail from a@b.example\n(Not from …)"),
            Some("a@b.example")
        );
        assert_eq!(sender_in("E-mail to Maria <maria@example.com>"), None);
    }

    #[test]
    fn a_message_ends_a_wait_on_the_customer_and_a_reply_is_the_first_response() {
        let wait = lifecycle::Wait {
            on: Some(WaitingOn::Customer),
            until: None,
            reason: Some("photos"),
        };
        let waiting = lifecycle::wait(&opened(), &stamp(1), wait).unwrap();
        let answered = receive(
            &waiting,
            &stamp(2),
            &mail("p@example.com", "Photos attached."),
        )
        .unwrap();
        assert_eq!(answered.status, Status::Open);
        let replied = replied(&answered, &stamp(3), &mail("r@caselog", "Thank you.")).unwrap();
        assert_eq!(replied.first_response(), Some(stamp(3).at));
        assert_eq!(
            last_inbound(&replied).unwrap().message_id.as_deref(),
            Some("p@example.com")
        );
        assert_eq!(
            recorded_ids(&replied).collect::<Vec<_>>(),
            ["p@example.com", "r@caselog"]
        );
    }

    #[test]
    fn a_message_from_another_address_is_a_note_that_ends_no_wait() {
        let wait = lifecycle::Wait {
            on: Some(WaitingOn::Customer),
            until: None,
            reason: Some("photos"),
        };
        let waiting = lifecycle::wait(&opened(), &stamp(1), wait).unwrap();
        let noted =
            receive_as_note(&waiting, &stamp(2), &mail("x@example.net", "E-mail from x")).unwrap();
        assert_eq!(noted.status, Status::Waiting);
        let last = noted.events.last().unwrap();
        assert_eq!(last.action, Action::Note);
        assert_eq!(last.message_id.as_deref(), Some("x@example.net"));
        assert!(records(&noted, "x@example.net"));
        assert!(
            last_inbound(&noted).is_none(),
            "a reply answers the customer"
        );
    }

    #[test]
    fn a_case_opened_from_an_e_mail_carries_its_id_and_passes_the_check() {
        let id = CaseId::parse_full("20261122-7kq3m").unwrap();
        let case = open(
            id,
            new_complaint(),
            &stamp(0),
            &mail("first@example.com", "E-mail from Maria"),
        )
        .unwrap();
        assert_eq!(
            case.events[0].message_id.as_deref(),
            Some("first@example.com")
        );
        assert_eq!(last_inbound(&case).unwrap().action, Action::Opened);
        let case = receive(&case, &stamp(1), &mail("second@example.com", "More")).unwrap();
        let text = crate::case::file::render(&case);
        let rules = validate::Rules {
            categories: &[],
            now: stamp(10).at,
            tolerance: chrono::Duration::minutes(5),
        };
        let problems = validate::check(
            &text,
            std::path::Path::new("2026/11/20261122-7kq3m.toml"),
            &rules,
        );
        assert_eq!(problems, [], "{text}");
    }

    #[test]
    fn ids_that_could_break_a_header_or_a_terminal_are_refused() {
        for bad in [
            "",
            "a b",
            "a\r\nBcc: x",
            "<a@b>",
            "a\u{1b}[31m",
            &"x".repeat(MESSAGE_ID_MAX + 1),
        ] {
            assert!(!is_message_id(bad), "{bad:?}");
            assert!(
                receive(&opened(), &stamp(1), &mail(bad, "Hi")).is_err(),
                "{bad:?}"
            );
        }
        assert!(is_message_id("CAF=x+y_z.1@mail.example.com"));
        assert!(receive(&opened(), &stamp(1), &mail("a@b", " \n")).is_err());
    }
}
