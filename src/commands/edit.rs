//! `caselog edit`: correct a case's own fields after opening (title,
//! customer, contact, reference, preferred contact, channel, category,
//! severity, tags, wants), each change an `edited` event with the old and
//! new value. From flags, from a TOML file, or in `$VISUAL`/`$EDITOR`.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Result;
use clap::Args;
use serde::Deserialize;

use super::args::{ByArg, CardArg, words};
use super::{Session, done, input};
use crate::case::fields::{check_tag_separator, join_tags};
use crate::case::file::string_literal;
use crate::case::lifecycle::{self, Correction};
use crate::case::{Action, Case, Channel, EditField, Severity};
use crate::error::InputError;
use crate::refuse;

/// Correct a case's own fields, each change recorded as an event
///
/// Each field that changes gets an `edited` event naming it, with the old
/// and new value, and the file's diff touches only those lines. Values are
/// checked as `open` checks them; a change to what is already there
/// changes nothing. With no flags at a terminal, opens $VISUAL/$EDITOR on a
/// small TOML of these fields (delete a line to clear an optional field).
/// --from-file reads the same TOML ('-' for standard input): keys it leaves
/// out are kept, and an empty value clears one.
#[derive(Debug, Args)]
pub struct EditArgs {
    /// The case: its id, or a unique prefix or suffix of it
    #[arg(add = clap_complete::ArgValueCompleter::new(super::completions::case_ids))]
    pub id: String,
    /// A new one-line title
    #[arg(long)]
    pub title: Option<String>,
    /// The customer's name
    #[arg(long, value_name = "NAME")]
    pub customer: Option<String>,
    /// How to reach the customer
    #[arg(long, value_name = "CONTACT")]
    pub contact: Option<String>,
    /// An account or order number
    #[arg(long, value_name = "REF")]
    pub reference: Option<String>,
    /// How the customer prefers to be contacted
    #[arg(long, value_name = "HOW", value_parser = words::<Channel>(Channel::WORDS))]
    pub preferred_contact: Option<Channel>,
    /// How the complaint reached us
    #[arg(long, value_name = "CHANNEL", value_parser = words::<Channel>(Channel::WORDS))]
    pub channel: Option<Channel>,
    /// The category (from caselog.toml's list, when it has one)
    #[arg(long)]
    pub category: Option<String>,
    /// How much it hurts the customer or the business
    #[arg(long, value_parser = words::<Severity>(Severity::WORDS))]
    pub severity: Option<Severity>,
    /// Add a tag; repeat for several
    #[arg(long = "add-tag", value_name = "TAG")]
    pub add_tags: Vec<String>,
    /// Remove a tag; repeat for several
    #[arg(long = "remove-tag", value_name = "TAG")]
    pub remove_tags: Vec<String>,
    /// The remedy the customer asks for
    #[arg(long, value_name = "REMEDY")]
    pub wants: Option<String>,
    /// Clear an optional field; repeat for several
    #[arg(long, value_name = "FIELD", value_parser = words::<EditField>(OPTIONAL))]
    pub clear: Vec<EditField>,
    /// Read the fields from a TOML file ('-' for standard input), as the
    /// editor shows them
    #[arg(long, value_name = "FILE")]
    pub from_file: Option<PathBuf>,
    #[command(flatten)]
    pub card: CardArg,
    #[command(flatten)]
    pub by: ByArg,
}

/// The fields `--clear` takes: those a case may lack.
const OPTIONAL: &[&str] = &[
    "contact",
    "reference",
    "preferred_contact",
    "category",
    "tags",
    "wants",
];

impl EditArgs {
    /// The corrections the flags ask for, in the fields' order.
    fn corrections(&self) -> Vec<Correction> {
        let set = |field, value: Option<String>| value.map(|v| Correction::Set(field, Some(v)));
        let mut out: Vec<Correction> = [
            set(EditField::Title, self.title.clone()),
            set(EditField::Customer, self.customer.clone()),
            set(EditField::Contact, self.contact.clone()),
            set(EditField::Reference, self.reference.clone()),
            set(
                EditField::PreferredContact,
                self.preferred_contact.map(|c| c.to_string()),
            ),
            set(EditField::Channel, self.channel.map(|c| c.to_string())),
            set(EditField::Category, self.category.clone()),
            set(EditField::Severity, self.severity.map(|s| s.to_string())),
            set(EditField::Wants, self.wants.clone()),
        ]
        .into_iter()
        .flatten()
        .collect();
        out.extend(self.clear.iter().map(|&f| Correction::Set(f, None)));
        out.extend(self.add_tags.iter().cloned().map(Correction::AddTag));
        out.extend(self.remove_tags.iter().cloned().map(Correction::RemoveTag));
        out
    }
}

/// The fields as the editor and `--from-file` write them.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Fields {
    title: Option<String>,
    customer: Option<String>,
    contact: Option<String>,
    reference: Option<String>,
    preferred_contact: Option<String>,
    channel: Option<String>,
    category: Option<String>,
    severity: Option<String>,
    tags: Option<Vec<String>>,
    wants: Option<String>,
}

impl Fields {
    /// Each field's value as written (`None`: the key is absent; an empty
    /// text or list clears).
    fn get(&self, field: EditField) -> Option<Option<String>> {
        let text = |v: &Option<String>| {
            v.as_ref()
                .map(|v| (!v.trim().is_empty()).then(|| v.clone()))
        };
        match field {
            EditField::Title => text(&self.title),
            EditField::Customer => text(&self.customer),
            EditField::Contact => text(&self.contact),
            EditField::Reference => text(&self.reference),
            EditField::PreferredContact => text(&self.preferred_contact),
            EditField::Channel => text(&self.channel),
            EditField::Category => text(&self.category),
            EditField::Severity => text(&self.severity),
            EditField::Tags => self.tags.as_ref().map(|t| join_tags(t)),
            EditField::Wants => text(&self.wants),
        }
    }

    fn parse(text: &str, shown: &str) -> Result<Fields, InputError> {
        let fields: Fields =
            toml::from_str(text).map_err(|e| InputError::from_toml(shown, text, &e))?;
        // Checked before the tags are joined into one value, where a tag
        // holding ';' would already be two (a line break is refused later,
        // as in any value).
        for tag in fields.tags.iter().flatten() {
            check_tag_separator(tag).map_err(|e| InputError::Invalid(format!("{shown}: {e}")))?;
        }
        Ok(fields)
    }
}

/// The TOML the editor opens on: every field, an unset one commented out.
fn editable(case: &Case) -> String {
    let mut out = format!(
        "# Case {}: correct its own fields, then save and quit.\n\
         # Each change is recorded as an `edited` event. Delete a line to clear\n\
         # an optional field; a file left as it is changes nothing.\n",
        case.id
    );
    for &field in EditField::ALL {
        let value = field.get(case);
        let literal = match (field, &value) {
            (EditField::Tags, Some(_)) => {
                let tags: Vec<String> = case.tags.iter().map(|t| string_literal(t)).collect();
                format!("[{}]", tags.join(", "))
            }
            (EditField::Tags, None) => "[]".to_string(),
            (_, Some(v)) => string_literal(v),
            (_, None) => "\"\"".to_string(),
        };
        let hint = match field {
            EditField::PreferredContact | EditField::Channel => {
                format!("  # {}", Channel::WORDS.join(", "))
            }
            EditField::Severity => format!("  # {}", Severity::WORDS.join(", ")),
            _ => String::new(),
        };
        let unset = if value.is_none() && field != EditField::Tags {
            "# "
        } else {
            ""
        };
        out.push_str(&format!("{unset}{field} = {literal}{hint}\n"));
    }
    out
}

/// What the person changed in the editor: every field that differs from
/// what it showed, a deleted line clearing it.
fn edited_in(case: &Case, fields: &Fields) -> Vec<Correction> {
    EditField::ALL
        .iter()
        .filter_map(|&field| {
            let wanted = fields.get(field).flatten();
            (wanted != field.get(case)).then_some(Correction::Set(field, wanted))
        })
        .collect()
}

/// What a `--from-file` TOML asks for: the keys it holds.
fn given_in(fields: &Fields) -> Vec<Correction> {
    EditField::ALL
        .iter()
        .filter_map(|&field| fields.get(field).map(|value| Correction::Set(field, value)))
        .collect()
}

pub fn run(session: &Session, args: EditArgs, out: &mut dyn Write) -> Result<u8> {
    let store = session.store()?;
    let settings = session.settings()?;
    let limit = settings.max_text_bytes;
    let mut corrections = args.corrections();
    if let Some(path) = &args.from_file {
        let text = input::file_text(path, "the fields", limit)?;
        let shown = if path.as_os_str() == "-" {
            "standard input".to_string()
        } else {
            path.display().to_string()
        };
        corrections.extend(given_in(&Fields::parse(&text, &shown)?));
    } else if corrections.is_empty() {
        let Some(editor) = input::terminal_editor() else {
            refuse!(
                "nothing to change: give a flag such as --title or --category, --from-file FILE, or run at a terminal with $VISUAL or $EDITOR set"
            );
        };
        let case = store.load(&args.id)?.case;
        let text = input::in_editor(&editor, &editable(&case), ".toml", "the fields", limit)?;
        // An editor that saved nothing (one that crashed on saving) did
        // not ask to clear every field; and the title cannot be cleared,
        // which is all the person would be told.
        if text
            .lines()
            .all(|l| l.trim().is_empty() || l.trim_start().starts_with('#'))
        {
            refuse!(
                "the editor left the fields empty, so nothing was changed; nothing was written (delete a line to clear that field only)"
            );
        }
        corrections = edited_in(&case, &Fields::parse(&text, "the edited fields")?);
    }
    for correction in &corrections {
        match correction {
            Correction::Set(EditField::Category, Some(category)) => {
                settings.check_category(category)?;
            }
            Correction::Set(EditField::Wants, Some(wants)) if wants.len() as u64 > limit => {
                refuse!("what the customer wants is too long");
            }
            _ => {}
        }
    }
    let changed = session.change(
        &args.id,
        args.by.by.as_deref(),
        args.card.allow_card_like_number,
        |case, stamp| lifecycle::edit(case, stamp, &corrections),
    )?;
    let fields: Vec<String> = changed.after.events[changed.before.events.len()..]
        .iter()
        .filter(|e| e.action == Action::Edited)
        .filter_map(|e| e.field.map(|f| f.to_string()))
        .collect();
    if fields.is_empty() {
        done(out, format_args!("{}: nothing changed", changed.after.id))
    } else {
        done(
            out,
            format_args!("{}: edited {}", changed.after.id, fields.join(", ")),
        )
    }
}
