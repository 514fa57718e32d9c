//! `caselog annotate` (alias `note`): add a note, reply, call, email or
//! question to a case. Only appends: the diff is the new event alone.

use std::io::Write;

use anyhow::Result;
use clap::Args;
use clap::builder::{PossibleValuesParser, TypedValueParser};

use super::args::{ByArg, CardArg};
use super::{Session, done, input};
use crate::case::lifecycle::{self, NOTE_KINDS};
use crate::case::{Action, Status};

/// Add a note, a contact with the customer, or a handling step
///
/// The text comes from TEXT, from standard input ('-' or a pipe), or from
/// $VISUAL/$EDITOR at a terminal. A reply, call, email or acknowledgement is
/// contact with the customer; the first one is the case's first response. A
/// reply to a waiting case puts it back to open. A message, call or email
/// from the customer (customer) is not a response; it ends a wait on the
/// customer. The handling steps
/// (acknowledged, listened: summarised back, question: asked, apologised,
/// thanked) show in the checklist of `caselog show` and guide `caselog next`.
#[derive(Debug, Args)]
pub struct AnnotateArgs {
    /// The case: its id, or a unique prefix or suffix of it
    #[arg(add = clap_complete::ArgValueCompleter::new(super::completions::case_ids))]
    pub id: String,
    /// The note ('-' reads standard input)
    pub text: Option<String>,
    /// What the note records
    #[arg(long, default_value = "note", value_parser = note_kinds())]
    pub kind: Action,
    #[command(flatten)]
    pub card: CardArg,
    #[command(flatten)]
    pub by: ByArg,
}

/// The kinds of note `--kind` takes: the lifecycle's own list.
fn note_kinds() -> impl TypedValueParser<Value = Action> {
    PossibleValuesParser::new(NOTE_KINDS.iter().map(|kind| kind.as_str()))
        .try_map(|s| s.parse::<Action>())
}

pub fn run(session: &Session, args: AnnotateArgs, out: &mut dyn Write) -> Result<u8> {
    // Find the case and the person before asking for text nobody could record.
    session.store()?.find(&args.id)?;
    let by = session.person(args.by.by.as_deref())?;
    let limit = session.settings()?.max_text_bytes;
    let text = match args.text {
        Some(text) if text == "-" => {
            input::without_final_newline(input::stdin_text("the note", limit)?)
        }
        Some(text) => input::within(text, "the note", limit)?,
        None => input::missing_text(
            "the note",
            &format!("Case {}, {}.", args.id, args.kind),
            "give TEXT, or - to read standard input",
            limit,
        )?,
    };
    let changed = session.change(
        &args.id,
        Some(&by),
        args.card.allow_card_like_number,
        |case, stamp| lifecycle::annotate(case, stamp, args.kind, &text),
    )?;
    let resumed = changed.before.status == Status::Waiting && changed.after.status == Status::Open;
    done(
        out,
        format_args!(
            "{}: {} added{}",
            changed.after.id,
            args.kind,
            if resumed { "; back to open" } else { "" }
        ),
    )
}
