//! `caselog mail`: one e-mail in, from a file or a pipe (procmail,
//! `fetchmail --mda`, a Postfix pipe): a reply to a case is added to it as
//! a message from the customer, any other message opens a new case.
//!
//! The mail itself is read by `crate::mail`; this decides which case it
//! belongs to, writes it through the store, and says what it did.

use std::collections::HashMap;
use std::io::{IsTerminal, Read, Write};
use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use chrono::{DateTime, Utc};
use clap::Args;

use super::Session;
use super::args::{ByArg, CardArg, words};
use crate::case::card;
use crate::case::id::CaseId;
use crate::case::lifecycle::{NewComplaint, Stamp};
use crate::case::message::{self, Message};
use crate::case::redaction::{erased, erased_keyed, is_redacted};
use crate::case::{Case, Channel, Severity, Status};
use crate::error::{EXIT_OK, InputError};
use crate::limits;
use crate::mail::inbound::{self, Inbound};
use crate::mail::outbound::Mailbox;
use crate::mail::{self as mail_domain, MESSAGE_BYTES, attachments};
use crate::store::{Locked, Store};
use crate::time::{Zone, clock};

/// Record one e-mail: a reply to a case, or a new complaint
///
/// Reads one RFC 5322 message from FILE, or from standard input ('-' or
/// none): what a mail filter (procmail, maildrop, fetchmail --mda, a
/// Postfix pipe) hands on. A message whose subject names a case
/// ([caselog 20261122-7kq3m]), or that answers a message the log records,
/// is added to that case as a message from the customer (it ends a wait on
/// the customer), or as a note when it is from another address than the
/// case's contact, dated by its Date: header; a case closed as a duplicate
/// hands it on to the case it repeats. Any other message opens a new case
/// (channel email): the customer from the sender's name, the contact
/// from the address, the title from the subject, the summary from the
/// whole text (a forward is the complaint); it prints only the new id.
/// A reply to a case loses the earlier text it quotes; HTML-only mail is
/// turned into text, card numbers are masked. Attachments are
/// listed with their sizes; --attachments DIR saves them under DIR/<id>/.
/// The customer's address is the one Reply-To: names, when it names
/// another than the sender's and the message's recipients'. The same
/// message (same Message-ID and sender) is recorded once. Automatic
/// replies (Auto-Submitted, Precedence: bulk) and bounces and other mail
/// system reports are added as a note to the case they answer, and
/// otherwise not recorded, as mail from [mail] from is not (exit 0).
#[derive(Debug, Args)]
pub struct MailArgs {
    /// The message ('-' or none reads standard input)
    pub file: Option<PathBuf>,
    /// Save the attached files under DIR/<id>/ (names made safe, never
    /// replacing a file)
    #[arg(long, value_name = "DIR")]
    pub attachments: Option<PathBuf>,
    /// The category of a case the message opens
    #[arg(long, add = clap_complete::ArgValueCompleter::new(super::completions::categories))]
    pub category: Option<String>,
    /// The severity of a case the message opens
    #[arg(long, default_value = "normal", value_parser = words::<Severity>(Severity::WORDS))]
    pub severity: Severity,
    /// Who handles a case the message opens
    #[arg(long, value_name = "PERSON")]
    pub assignee: Option<String>,
    /// Print only the id of a new case: no hints about the customer's
    /// earlier cases and similar cases on stderr
    #[arg(long, short)]
    pub quiet: bool,
    /// Date the message by its Date: header however old it is (filing an
    /// old mailbox); without it, a header more than 5 days older than the
    /// message's arrival (its topmost Received: header, else now) is taken
    /// for a wrong clock, and the message is dated as it arrived
    #[arg(long)]
    pub any_date: bool,
    #[command(flatten)]
    pub card: CardArg,
    #[command(flatten)]
    pub by: ByArg,
}

/// Random suffixes make a clash rare; a few retries make it harmless.
const ID_ATTEMPTS: usize = 8;

/// Where a message goes.
enum Target {
    /// A case the log has, by its id (or the part of it a subject gave).
    Case(String),
    /// A new case.
    New,
    /// A case that already records this message.
    Recorded(CaseId),
}

pub fn run(session: &Session, args: MailArgs, out: &mut dyn Write) -> Result<u8> {
    let settings = session.settings()?;
    let by = session.person(args.by.by.as_deref())?;
    settings.check_new_case(args.category.as_deref(), args.assignee.as_deref())?;
    if let Some(dir) = &args.attachments {
        let store = session.store()?;
        attachments::check_folder(dir, session.cwd(), store.root(), store.cases_dir())?;
    }
    let (raw, shown) = read_message(args.file.as_ref())?;
    let limit = usize::try_from(settings.max_text_bytes).unwrap_or(usize::MAX);
    // Keys the digest a Message-ID holding a card number is kept as; made
    // (under the lock) before the lock is taken below.
    let secret = session.store()?.secret()?;
    let mail = inbound::parse(&raw, limit, &secret)
        .map_err(|e| InputError::Invalid(format!("{shown}: {e}")))?;
    drop(raw);
    let own = settings.mail.from.as_deref().and_then(Mailbox::parse);
    // Our own reply, copied back to the support mailbox; a web form that
    // sends from our address on the customer's behalf names them in
    // Reply-To, and is theirs. A Reply-To in our own domain is a
    // colleague's (a team address), never a customer's.
    let domain = |address: &str| {
        address
            .rsplit_once('@')
            .map(|(_, d)| d.to_ascii_lowercase())
    };
    if own.is_some_and(|own| {
        own.address.eq_ignore_ascii_case(&mail.from_address)
            && mail
                .reply_to
                .as_deref()
                .is_none_or(|r| domain(r) == domain(&own.address))
    }) {
        writeln!(
            out,
            "not recorded: the message is from this log's own address ({}, [mail] from)",
            mail.from_address
        )?;
        return Ok(EXIT_OK);
    }

    if let Some(query) = tagged(session, &mail) {
        return add_to_case(session, &args, &by, &mail, &query, out);
    }
    // Whether the log records the message, and the case it opens if not,
    // are decided under the log's lock: two deliveries of one message at
    // once record it once.
    let decided = session
        .store()?
        .while_locked(|locked| match scan(session, &mail, &secret)? {
            Target::Recorded(id) => Ok(Decided::Recorded(id)),
            Target::Case(id) => Ok(Decided::Threaded(id)),
            // A machine's message opens no case: an out-of-office answer
            // or a bounce is no complaint.
            Target::New if mail.automatic.is_some() => Ok(Decided::Unplaced),
            Target::New => open_case(session, locked, &args, &by, &mail)
                .map(|(case, staged)| Decided::Opened(Box::new(case), staged)),
        })?;
    match decided {
        Decided::Recorded(id) => {
            already(&args, out, &id, &mail)?;
            Ok(EXIT_OK)
        }
        Decided::Threaded(id) => add_to_case(session, &args, &by, &mail, &id, out),
        Decided::Unplaced => {
            let why = mail.automatic.as_deref().unwrap_or_default();
            writeln!(
                out,
                "not recorded: a message sent by a machine ({why}) that answers no case of this log"
            )?;
            Ok(EXIT_OK)
        }
        Decided::Opened(case, staged) => {
            // In place before the id is printed: a reader gone from standard
            // output ends the run at the print.
            place(staged, &case.id)?;
            writeln!(out, "{}", case.id)?;
            out.flush()?;
            if !args.quiet {
                super::open::hint(session, &case);
            }
            Ok(EXIT_OK)
        }
    }
}

/// What became of a message no subject tag placed.
enum Decided {
    Recorded(CaseId),
    /// It answers a message of this case.
    Threaded(String),
    /// It opened this case; its attachments wait to be put in place.
    Opened(Box<Case>, Option<attachments::Staged>),
    /// A machine sent it, and it answers no case.
    Unplaced,
}

/// Reads the message, at most [`MESSAGE_BYTES`], as bytes (mail need not
/// be UTF-8); and how to name it in a message.
fn read_message(file: Option<&PathBuf>) -> Result<(Vec<u8>, String)> {
    let mut bytes = Vec::new();
    let shown = match file.filter(|f| f.as_os_str() != "-") {
        Some(path) => {
            let shown = path.display().to_string();
            let meta = std::fs::metadata(path).map_err(|e| match e.kind() {
                std::io::ErrorKind::NotFound => {
                    InputError::Invalid(format!("cannot read {shown}: there is no such file"))
                }
                _ => InputError::Invalid(format!("cannot read {shown}: {e}")),
            })?;
            if meta.is_dir() {
                return Err(
                    InputError::Invalid(format!("cannot read {shown}: it is a folder")).into(),
                );
            }
            std::fs::File::open(path)
                .with_context(|| format!("reading {shown}"))?
                .take(MESSAGE_BYTES + 1)
                .read_to_end(&mut bytes)
                .with_context(|| format!("reading {shown}"))?;
            shown
        }
        None => {
            if std::io::stdin().is_terminal() {
                return Err(InputError::Invalid(
                    "no message given: give FILE, or pipe one message in (caselog mail < message.eml)".into(),
                )
                .into());
            }
            std::io::stdin()
                .lock()
                .take(MESSAGE_BYTES + 1)
                .read_to_end(&mut bytes)
                .context("reading the message on standard input")?;
            "the message on standard input".to_string()
        }
    };
    if bytes.len() as u64 > MESSAGE_BYTES {
        return Err(InputError::Invalid(format!(
            "{shown} is larger than {}; nothing was written",
            limits::size(MESSAGE_BYTES)
        ))
        .into());
    }
    Ok((bytes, shown))
}

/// The case the message's subject names (`[caselog ID]`), by its full id,
/// when the log has it. Mail is untrusted: a tag names a case only by its
/// full id or at least its whole random part, and only when one case has
/// it; otherwise the message is placed as untagged mail is, and stderr
/// says why.
fn tagged(session: &Session, mail: &Inbound) -> Option<String> {
    let tag = mail_domain::case_tag(&mail.subject)?;
    let Some(query) = mail_domain::tag_query(tag) else {
        super::say(&format!(
            "the subject's tag [caselog {tag}] does not name a case (a case's full id, or at least its last {} characters, does); read as untagged mail",
            mail_domain::TAG_MIN
        ));
        return None;
    };
    let found = session.store().and_then(|store| store.find(&query));
    match found
        .as_deref()
        .map(|path| path.file_stem().and_then(|s| s.to_str()))
    {
        Ok(Some(id)) if CaseId::parse_full(id).is_some() => {
            let redacted = session
                .store()
                .and_then(|store| store.load(id))
                .is_ok_and(|stored| is_redacted(&stored.case));
            if redacted {
                super::say(&answers_redacted(id));
                return None;
            }
            Some(id.to_string())
        }
        Ok(_) => None,
        Err(err) => {
            super::say(&format!(
                "the subject names case '{tag}', but: {err:#}; looking further"
            ));
            None
        }
    }
}

/// The case that already records the message, else the one recording a
/// message it answers, else a new one.
fn scan(session: &Session, mail: &Inbound, secret: &[u8]) -> Result<Target> {
    // One pass over every case: the Message-IDs live in the index. Each id
    // the message answers is looked up by its form as stored (as it came,
    // or as a redaction left it), so the pass takes time in proportion to
    // the ids and the events, however many ids there are.
    let mut answered: HashMap<String, usize> = HashMap::new();
    for (at, id) in mail.in_reply_to.iter().enumerate() {
        answered.entry(erased(id)).or_insert(at);
        // One holding a card number was kept as its keyed digest.
        answered.entry(erased_keyed(secret, id)).or_insert(at);
        answered.entry(id.clone()).or_insert(at);
    }
    let own = mail.message_id.as_deref();
    let scan = session.every_case(|case| {
        // The index holds no event texts, so who sent a message recorded
        // under this id is read below, from the few cases that have it.
        let records_own = own.is_some_and(|id| message::records(case, id));
        let answers = case
            .events
            .iter()
            .filter_map(|e| answered.get(e.message_id.as_deref()?))
            .min()
            .copied();
        (records_own || answers.is_some()).then_some((
            case.id.clone(),
            records_own,
            answers,
            is_redacted(case),
        ))
    })?;
    let store = session.store()?;
    for (id, _, _, _) in scan.cases.iter().filter(|(_, own, _, _)| *own) {
        // A case that cannot be read now is taken at its id's word.
        let same = store.load(id.as_str()).map_or(true, |stored| {
            own.is_some_and(|own| {
                message::records_from(&stored.case, own, Some(&mail.from_address))
            })
        });
        if same {
            return Ok(Target::Recorded(id.clone()));
        }
    }
    // The newest message answered wins (In-Reply-To comes first); a
    // redacted case takes no new mail.
    let answering = |redacted: bool| {
        scan.cases
            .iter()
            .filter(|(_, _, _, gone)| *gone == redacted)
            .filter_map(|(id, _, at, _)| at.map(|at| (at, id)))
            .min_by_key(|(at, _)| *at)
    };
    Ok(match answering(false) {
        Some((_, id)) => Target::Case(id.to_string()),
        None => {
            if let Some((_, id)) = answering(true) {
                super::say(&answers_redacted(id.as_str()));
            }
            Target::New
        }
    })
}

/// What stderr says of mail for a redacted case: an erasure is not undone
/// by the customer's next message landing on the erased record, where
/// nobody reads it (the case is closed) and it ties them to it again.
fn answers_redacted(id: &str) -> String {
    format!(
        "the e-mail answers case {id}, whose customer's personal data is redacted: it is not added to it, and is placed as mail that answers no case"
    )
}

/// Says the message is recorded already; its attachments that are not
/// saved (an earlier delivery recorded the message but could not save
/// them, and the mail system tried again) are saved now.
fn already(args: &MailArgs, out: &mut dyn Write, id: &CaseId, mail: &Inbound) -> Result<()> {
    let message_id = mail.message_id.as_deref().unwrap_or_default();
    // Only into a DIR that exists: the try that recorded the message made
    // it; a folder not made yet is no retry's, and none is made for it.
    let dir = args
        .attachments
        .as_deref()
        .filter(|dir| std::fs::symlink_metadata(dir).is_ok_and(|m| m.is_dir()));
    let missing = dir.map_or_else(Vec::new, |dir| {
        attachments::not_saved(dir, id.as_str(), &mail.attachments)
    });
    if let Some(dir) = dir.filter(|_| !missing.is_empty()) {
        place(Some(attachments::stage(dir, &missing)?), id)?;
        let count = crate::words::count(missing.len(), "attachment");
        writeln!(
            out,
            "{id}: this message is already recorded (Message-ID <{message_id}>); its {count} not yet saved in {} saved now",
            dir.display()
        )?;
        return Ok(());
    }
    writeln!(
        out,
        "{id}: this message is already recorded (Message-ID <{message_id}>); nothing changed"
    )?;
    Ok(())
}

/// How long mail may honestly take to arrive: servers give up retrying
/// after 4 to 5 days (RFC 5321, 4.5.4.1).
const LONGEST_DELIVERY: chrono::TimeDelta = chrono::TimeDelta::days(5);

/// When the message was sent, by its `Date:` header: never later than
/// now (a sender's clock may be ahead), and now when it has none. A date
/// older than any delivery takes, counted back from when the message
/// reached the mail server (its topmost `Received:` header, else now:
/// mail fetched late by fetchmail still counts from its arrival), is a
/// wrong clock or a forged header, not when the complaint came; unless
/// `any_date` (an old mailbox filed on purpose), the message is dated
/// as it arrived, and stderr says so.
fn sent_at(mail: &Inbound, now: DateTime<Utc>, zone: Zone, any_date: bool) -> DateTime<Utc> {
    // A time from a header: never later than now, and one a file can hold.
    let believable = |at: Option<DateTime<Utc>>| {
        at.filter(|at| *at <= now)
            .and_then(|at| clock::storable(at).ok())
    };
    let Some(date) = believable(mail.date) else {
        return now;
    };
    let (arrived, how) = match believable(mail.received) {
        Some(at) => (at, "as it reached the mail server"),
        None => (now, "as it was read"),
    };
    if !any_date && arrived - date > LONGEST_DELIVERY {
        super::say(&format!(
            "the message's Date: header ({}) is more than {} days before it arrived, longer than mail takes; it is dated {how} ({}); --any-date believes the header",
            clock::format_time(date, zone),
            LONGEST_DELIVERY.num_days(),
            clock::format_time(arrived, zone)
        ));
        return arrived;
    }
    date
}

/// Saves the attachments into DIR (not yet in place), when asked to.
fn stage(args: &MailArgs, mail: &Inbound) -> Result<Option<attachments::Staged>> {
    match &args.attachments {
        Some(dir) if !mail.attachments.is_empty() => {
            Ok(Some(attachments::stage(dir, &mail.attachments)?))
        }
        _ => Ok(None),
    }
}

/// Moves staged attachments to DIR/<id>/; the case is recorded by then.
fn place(staged: Option<attachments::Staged>, id: &CaseId) -> Result<()> {
    if let Some(staged) = staged {
        staged.place(id.as_str()).with_context(|| {
            format!("case {id} is recorded, but its attachments could not be saved")
        })?;
    }
    Ok(())
}

fn add_to_case(
    session: &Session,
    args: &MailArgs,
    by: &str,
    mail: &Inbound,
    query: &str,
    out: &mut dyn Write,
) -> Result<u8> {
    // The event's whole text within the cap: the text gets what the
    // heading leaves.
    let limit = usize::try_from(session.settings()?.max_text_bytes).unwrap_or(usize::MAX);
    let message = |stranger: bool| {
        let heading = mail_domain::heading(mail, stranger, limit);
        let room = limit.saturating_sub(heading.len() + 2);
        let (text, _) = inbound::capped(&mail.reply_text, room);
        Message {
            id: mail.message_id.clone(),
            text: if text.trim().is_empty() {
                heading
            } else {
                format!("{heading}\n\n{text}")
            },
        }
    };
    let staged = stage(args, mail)?;
    // Which case takes it is decided under the lock, so a `close
    // --duplicate-of` landing meanwhile cannot leave it on the duplicate.
    let store = session.store()?;
    let mut batch = store.batch()?;
    let query = match live_case(store, query, mail)? {
        Live::Case(query) => query,
        Live::Recorded(id) => {
            drop(batch);
            drop(staged);
            already(args, out, &id, mail)?;
            return Ok(EXIT_OK);
        }
    };
    // Whether the sender is the case's contact is decided on the case the
    // message lands on (a duplicate hands it on).
    let mut stranger = false;
    let staged_change = session.change_in(
        &mut batch,
        &query,
        Some(by),
        args.card.allow_card_like_number,
        |case, stamp| {
            let stamp = Stamp {
                at: sent_at(mail, stamp.at, stamp.zone, args.any_date),
                ..stamp.clone()
            };
            stranger = mail.automatic.is_none() && !from_contact(case, mail);
            if stranger || mail.automatic.is_some() {
                message::receive_as_note(case, &stamp, &message(true))
            } else {
                message::receive(case, &stamp, &message(false))
            }
        },
    )?;
    batch.land()?;
    let changed = staged_change.landed();
    if !changed.written {
        drop(staged);
        already(args, out, &changed.after.id, mail)?;
        return Ok(EXIT_OK);
    }
    place(staged, &changed.after.id)?;
    let id = &changed.after.id;
    if let Some(why) = &mail.automatic {
        writeln!(
            out,
            "{id}: e-mail sent by a machine ({why}) added as a note"
        )?;
        return Ok(EXIT_OK);
    }
    if stranger {
        super::say(&format!(
            "case {id}: the e-mail is from {address}, not the case's contact: it is recorded as a note and does not end a wait on the customer; if it is the customer writing from there, `caselog edit {id} --contact {address}` makes their later mail count",
            address = mail.contact()
        ));
        writeln!(
            out,
            "{id}: e-mail from another address than the case's contact added as a note"
        )?;
        return Ok(EXIT_OK);
    }
    let note = match (changed.before.status, changed.after.status) {
        (Status::Waiting, Status::Open) => "; back to open".to_string(),
        (_, status @ (Status::Resolved | Status::Closed)) => format!(
            "; the case is {status}: `caselog reopen {id} --reason TEXT` if it needs more work"
        ),
        _ => String::new(),
    };
    writeln!(out, "{id}: e-mail from the customer added{note}")?;
    Ok(EXIT_OK)
}

/// Whether the message comes from the address the case has for the
/// customer (its sender, or where it asks replies to go: a form or a
/// group sends on the customer's behalf). A case without an e-mail
/// contact has no such address.
fn from_contact(case: &Case, mail: &Inbound) -> bool {
    case.customer
        .contact
        .as_deref()
        .and_then(Mailbox::parse)
        .is_some_and(|contact| mail.is_from(&contact.address))
}

/// Where a message for a case goes.
enum Live {
    /// To the case this query names.
    Case(String),
    /// Nowhere: this case, on the way, records it already.
    Recorded(CaseId),
}

/// How many cases closed as duplicates a message is handed along at most
/// (`close` makes one step; more are hand edits).
const MOST_HANDED_ON: usize = 8;

/// The case a message for `query` belongs in. A case closed as a
/// duplicate hands it on to the case it repeats, where the complaint is
/// handled: the customer's words must reach whoever handles it, not a
/// closed record nobody reads. Said on stderr when it happens. A case on
/// the way that records the message already keeps it: the same message
/// is recorded once. The caller holds the lock.
fn live_case(store: &Store, query: &str, mail: &Inbound) -> Result<Live> {
    let recorded = |case: &Case| {
        mail.message_id
            .as_deref()
            .is_some_and(|id| message::records_from(case, id, Some(&mail.from_address)))
    };
    let mut case = store.load(query)?.case;
    // The cases the message passed through, the one it is at last.
    let mut chain: Vec<CaseId> = vec![case.id.clone()];
    loop {
        if recorded(&case) {
            return Ok(Live::Recorded(case.id));
        }
        // `close` never makes a duplicate of a void case, but a hand edit
        // can chain them, or loop: a few steps, never the same case twice.
        let Some(original) = case.duplicate_of.clone() else {
            break;
        };
        if chain.len() > MOST_HANDED_ON || chain.contains(&original) {
            break;
        }
        match store.load(original.as_str()) {
            Ok(stored) => {
                chain.push(original);
                case = stored.case;
            }
            Err(e) => {
                super::say(&format!(
                    "case {} is closed as a duplicate of {original}, which cannot be read ({e:#}); the e-mail stays with {}",
                    case.id, case.id
                ));
                break;
            }
        }
    }
    if let [first, second, ..] = chain.as_slice() {
        super::say(&format!(
            "case {first} is closed as a duplicate of {second}: the e-mail goes to {}",
            case.id
        ));
        return Ok(Live::Case(case.id.to_string()));
    }
    Ok(Live::Case(query.to_string()))
}

/// Opens a case from the message (its attachments staged, not yet in
/// place); the caller holds the log's lock.
fn open_case(
    session: &Session,
    locked: &Locked<'_>,
    args: &MailArgs,
    by: &str,
    mail: &Inbound,
) -> Result<(Case, Option<attachments::Staged>)> {
    let now = session.stamp(Some(by))?;
    let stamp = Stamp {
        at: sent_at(mail, now.at, now.zone, args.any_date),
        ..now
    };
    let customer = mail.customer();
    let title = if mail.subject.is_empty() {
        format!("E-mail from {customer}")
    } else {
        mail.subject.clone()
    };
    let summary = if mail.body_text.trim().is_empty() {
        "(The e-mail has no text.)".to_string()
    } else {
        mail.body_text.clone()
    };
    let complaint = NewComplaint {
        title,
        customer,
        contact: Some(mail.contact().to_string()),
        reference: None,
        preferred_contact: None,
        channel: Channel::Email,
        category: args.category.clone(),
        severity: args.severity,
        tags: Vec::new(),
        wants: None,
        assignee: args.assignee.clone(),
        summary,
    };
    let message = Message {
        id: mail.message_id.clone(),
        text: mail_domain::heading(
            mail,
            false,
            usize::try_from(session.settings()?.max_text_bytes).unwrap_or(usize::MAX),
        ),
    };
    let staged = stage(args, mail)?;
    for _ in 0..ID_ATTEMPTS {
        let case = message::open(
            CaseId::generate(stamp.at)?,
            complaint.clone(),
            &stamp,
            &message,
        )?;
        let case = card::guard(None, case, args.card.allow_card_like_number)?;
        if locked.create(&case)? {
            return Ok((case, staged));
        }
    }
    bail!("found no free case id in {ID_ATTEMPTS} tries; nothing was written")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_date_is_never_later_than_now() {
        let now: DateTime<Utc> = "2026-11-22T09:00:00Z".parse().unwrap();
        let mut mail = inbound::parse(b"From: a@example.com\n\nx\n", 100, b"s").unwrap();
        assert_eq!(sent_at(&mail, now, Zone::UTC, false), now);
        mail.date = Some("2026-11-21T08:00:00Z".parse().unwrap());
        assert_eq!(
            sent_at(&mail, now, Zone::UTC, false).to_rfc3339(),
            "2026-11-21T08:00:00+00:00"
        );
        mail.date = Some("2026-11-23T08:00:00Z".parse().unwrap());
        assert_eq!(sent_at(&mail, now, Zone::UTC, false), now);
        assert_eq!(sent_at(&mail, now, Zone::UTC, true), now);
    }

    #[test]
    fn a_date_older_than_any_delivery_is_believed_only_when_asked() {
        let now: DateTime<Utc> = "2026-11-22T09:00:00Z".parse().unwrap();
        let mut mail = inbound::parse(b"From: a@example.com\n\nx\n", 100, b"s").unwrap();
        let within: DateTime<Utc> = "2026-11-17T09:00:00Z".parse().unwrap();
        mail.date = Some(within);
        assert_eq!(
            sent_at(&mail, now, Zone::UTC, false),
            within,
            "5 days is a slow delivery"
        );
        let older: DateTime<Utc> = "2026-11-17T08:59:59Z".parse().unwrap();
        mail.date = Some(older);
        assert_eq!(sent_at(&mail, now, Zone::UTC, false), now);
        assert_eq!(sent_at(&mail, now, Zone::UTC, true), older);
        // Fetched late: counted from when the mail server took it.
        let arrived: DateTime<Utc> = "2026-11-18T09:00:00Z".parse().unwrap();
        mail.received = Some(arrived);
        assert_eq!(sent_at(&mail, now, Zone::UTC, false), older);
        mail.date = Some("2026-11-01T00:00:00Z".parse().unwrap());
        assert_eq!(sent_at(&mail, now, Zone::UTC, false), arrived);
        // A server clock ahead of this one is not believed either.
        mail.received = Some("2026-11-23T09:00:00Z".parse().unwrap());
        assert_eq!(sent_at(&mail, now, Zone::UTC, false), now);
    }
}
