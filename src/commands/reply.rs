//! `caselog reply ID --send`: an e-mail reply to the customer, handed to
//! the mail system, and a `reply` event recorded only once it was taken.
//! `--print` shows the message instead and records nothing.
//!
//! The message is composed by `crate::mail::outbound` (subject `Re: <title>
//! [caselog <id>]`, threaded to the customer's last e-mail), its text from
//! an argument, standard input, the editor, or a template in `templates/`.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};
use clap::{ArgGroup, Args};

use super::args::{ByArg, CardArg};
use super::{Session, input};
use crate::case::Case;
use crate::case::card;
use crate::case::message::{self, Message};
use crate::error::{EXIT_OK, InputError};
use crate::limits;
use crate::mail::outbound::{self, Mailbox, Reply};
use crate::mail::{send, template};
use crate::store::Store;

/// Send the customer an e-mail reply, and record it
///
/// Writes to the case's contact, with the subject "Re: <title> [caselog
/// <id>]" (so the answer comes back to the case through `caselog mail`),
/// answering the customer's last e-mail. The text comes from TEXT, from
/// standard input ('-' or a pipe), or from $VISUAL/$EDITOR at a terminal;
/// --template NAME fills in templates/NAME.txt with the case's fields (and
/// TEXT as `text`). --send hands the message to the mail system ([mail]
/// sendmail in caselog.toml, by default `sendmail -t -i`, with [mail] from
/// as the sender) and records a reply event, the case's first response if
/// it is the first, only when the mail system took it. --print shows the
/// message and records nothing.
#[derive(Debug, Args)]
#[command(group(ArgGroup::new("how").required(true).args(["send", "print"])))]
pub struct ReplyArgs {
    /// The case: its id, or a unique prefix or suffix of it
    #[arg(add = clap_complete::ArgValueCompleter::new(super::completions::case_ids))]
    pub id: String,
    /// The reply's text ('-' reads standard input)
    pub text: Option<String>,
    /// Fill in templates/NAME.txt (it sees `case`, `me` and `text`)
    #[arg(long, value_name = "NAME")]
    pub template: Option<String>,
    /// Hand the reply to the mail system and record it
    #[arg(long)]
    pub send: bool,
    /// Print the message instead; nothing is sent or recorded
    #[arg(long)]
    pub print: bool,
    #[command(flatten)]
    pub card: CardArg,
    #[command(flatten)]
    pub by: ByArg,
}

/// How many earlier Message-IDs a reply's `References:` names at most.
const REFERENCES_MAX: usize = 10;

pub fn run(session: &Session, args: ReplyArgs, out: &mut dyn Write) -> Result<u8> {
    let store = session.store()?;
    let settings = session.settings()?;
    let stamp = session.stamp(args.by.by.as_deref())?;
    let case = store.load(&args.id)?.case;
    let to = recipient(&case)?;
    let from = sender(settings.mail.from.as_deref(), &stamp.by)?;
    let limit = settings.max_text_bytes;
    let body = body(session, &args, &case, &stamp.by, limit)?;
    let body = input::within(body, "the reply", limit)?;
    if body.trim().is_empty() {
        return Err(InputError::Invalid("the reply is empty; nothing was sent".into()).into());
    }
    let recorded: Vec<String> = message::recorded_ids(&case).map(String::from).collect();
    let skip = recorded.len().saturating_sub(REFERENCES_MAX);
    let reply = Reply {
        message_id: outbound::new_message_id(case.id.as_str(), stamp.at, &from)?,
        from,
        to,
        subject: outbound::subject(&case),
        in_reply_to: message::last_inbound(&case).and_then(|e| e.message_id.clone()),
        references: recorded.into_iter().skip(skip).collect(),
        date: stamp.at,
        body,
    };
    let bytes = outbound::compose(&reply)?;
    let record = Message {
        id: Some(reply.message_id.clone()),
        text: format!(
            "E-mail to {}\nSubject: {}\n\n{}",
            shown_mailbox(&reply.to),
            reply.subject,
            reply.body.trim_end()
        ),
    };
    // Refused before anything leaves: a card number is never sent or kept.
    let would_be = message::replied(&case, &stamp, &record).map_err(|r| r.into_input_error())?;
    card::guard(Some(&case), would_be, args.card.allow_card_like_number)?;
    if args.print {
        let text = String::from_utf8_lossy(&bytes).replace("\r\n", "\n");
        write!(out, "{text}")?;
        return Ok(EXIT_OK);
    }
    send::hand_off(&settings.mail.sendmail, &bytes).with_context(|| {
        format!(
            "the reply on case {} was not sent; nothing was recorded",
            case.id
        )
    })?;
    let changed = session
        .change(
            case.id.as_str(),
            Some(&stamp.by),
            args.card.allow_card_like_number,
            |case, stamp| message::replied(case, stamp, &record),
        )
        .with_context(|| {
            format!(
                "the reply on case {} was sent, but not recorded: record it with `caselog note {} --kind reply`",
                case.id, case.id
            )
        })?;
    writeln!(
        out,
        "{}: reply sent to {} and recorded",
        changed.after.id, reply.to.address
    )?;
    Ok(EXIT_OK)
}

/// The case's contact as the reply's recipient, with the customer's name.
fn recipient(case: &Case) -> Result<Mailbox, InputError> {
    let contact = case.customer.contact.as_deref().unwrap_or_default().trim();
    let mut to = Mailbox::parse(contact).ok_or_else(|| {
        let held = if contact.is_empty() {
            "it has no contact".to_string()
        } else {
            format!("its contact is '{}'", contact.escape_debug())
        };
        InputError::Invalid(format!(
            "case {} has no e-mail address to reply to ({held}); set one with `caselog edit {} --contact ADDRESS`",
            case.id, case.id
        ))
    })?;
    if to.name.is_none() {
        let name = crate::mail::one_line(&case.customer.name);
        to.name = (!name.is_empty()).then_some(name);
    }
    Ok(to)
}

/// Who the reply is from: `[mail] from`, else the acting person when that
/// is an address.
fn sender(setting: Option<&str>, by: &str) -> Result<Mailbox, InputError> {
    match setting {
        Some(from) => Mailbox::parse(from).ok_or_else(|| {
            InputError::Invalid(format!(
                "[mail] from = '{}' in caselog.toml is not one e-mail address",
                from.escape_debug()
            ))
        }),
        None => Mailbox::parse(by).ok_or_else(|| {
            InputError::Invalid(
                "whom is the reply from? set `from` under [mail] in caselog.toml".into(),
            )
        }),
    }
}

fn shown_mailbox(mailbox: &Mailbox) -> String {
    match &mailbox.name {
        Some(name) => format!("{name} <{}>", mailbox.address),
        None => mailbox.address.clone(),
    }
}

/// The reply's text: the template filled in (with TEXT as `text`), or TEXT,
/// standard input or the editor.
fn body(session: &Session, args: &ReplyArgs, case: &Case, me: &str, limit: u64) -> Result<String> {
    let given = match args.text.as_deref() {
        Some("-") => Some(input::without_final_newline(input::stdin_text(
            "the reply",
            limit,
        )?)),
        Some(text) => Some(text.to_string()),
        None => None,
    };
    let Some(name) = &args.template else {
        return match given {
            Some(text) => Ok(text),
            None => input::missing_text(
                "the reply",
                &format!("Reply to the customer on case {}.", case.id),
                "give TEXT, or - to read standard input",
                limit,
            ),
        };
    };
    template::check_name(name)?;
    let store = session.store()?;
    let relative = Path::new(template::FOLDER).join(format!("{name}.txt"));
    let shown = relative.display().to_string();
    let source = read_template(store, &store.root().join(&relative), &shown, limit)?;
    let context = template::Context {
        case,
        me,
        text: given.as_deref().unwrap_or_default(),
    };
    let filled = template::render(&source, &shown, &context)?;
    // At a terminal, the filled-in template is a draft to read first.
    match input::terminal_editor() {
        Some(editor) if given.is_none() => {
            input::in_editor(&editor, &filled, ".txt", "the reply", limit)
        }
        _ => Ok(filled),
    }
}

/// A template file of the log, read as a case file is: never through a
/// link (templates arrive by `git pull`, and a link could point anywhere).
fn read_template(store: &Store, path: &Path, shown: &str, limit: u64) -> Result<String> {
    if std::fs::symlink_metadata(path).is_err_and(|e| e.kind() == std::io::ErrorKind::NotFound) {
        return Err(InputError::Invalid(format!(
            "there is no template {shown}; write one, or leave out --template"
        ))
        .into());
    }
    let bytes = store.read_bytes(path)?;
    if bytes.len() as u64 > limit {
        return Err(
            InputError::Invalid(format!("{shown} is larger than {}", limits::size(limit))).into(),
        );
    }
    String::from_utf8(bytes)
        .map_err(|_| InputError::Invalid(format!("{shown} is not UTF-8 text")).into())
}
