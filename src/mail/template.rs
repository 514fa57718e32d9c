//! Reply templates: `templates/<name>.txt` in the case log, filled in with
//! the case's fields by minijinja, the engine the web site uses too.
//!
//! A template arrives by `git pull` like a case, so it is rendered in
//! minijinja's sandbox (no file or process access) with a fuel limit, and
//! a name is one word: it cannot point outside `templates/`.

use minijinja::syntax::SyntaxConfig;
use minijinja::value::Serde;
use minijinja::{Environment, UndefinedBehavior, Value};
use serde::Serialize;

use crate::case::Case;
use crate::error::InputError;

/// The folder of the log that holds reply templates.
pub const FOLDER: &str = "templates";
/// How much work one template may do before it is stopped.
const FUEL: u64 = 200_000;

/// What a template sees: `case` (every field of the case file:
/// `case.title`, `case.customer.name`, `case.resolution.summary`…), `me`
/// (the acting person) and `text` (the text given on the command line,
/// empty when none was).
#[derive(Debug, Serialize)]
pub struct Context<'c> {
    pub case: &'c Case,
    pub me: &'c str,
    pub text: &'c str,
}

/// Refuses a template name that is not one plain word (`apology`,
/// `refund-sent`), so it can only name a file in `templates/`.
pub fn check_name(name: &str) -> Result<(), InputError> {
    let plain = !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if plain {
        Ok(())
    } else {
        Err(InputError::Invalid(format!(
            "'{}' is not a template name: use letters, digits, '-' and '_' (the file is {FOLDER}/NAME.txt)",
            name.escape_debug()
        )))
    }
}

/// Renders `source` (the template `shown`) for `context`. A mistake in the
/// template (a syntax error, a field the case does not have) is refused
/// with the template's name and line.
pub fn render(source: &str, shown: &str, context: &Context) -> Result<String, InputError> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::SemiStrict);
    env.set_fuel(Some(FUEL));
    // Text, not HTML: a block tag's own line leaves no blank line behind.
    if let Ok(syntax) = SyntaxConfig::builder()
        .trim_blocks(true)
        .lstrip_blocks(true)
        .keep_trailing_newline(true)
        .build()
    {
        env.set_syntax(syntax);
    }
    let explain = |e: minijinja::Error| {
        let line = e.line().map(|l| format!(":{l}")).unwrap_or_default();
        InputError::Invalid(format!(
            "{shown}{line}: {}",
            e.detail().unwrap_or(&e.kind().to_string())
        ))
    };
    let template = env.template_from_str(source).map_err(explain)?;
    template
        .render(Value::from(Serde(context)))
        .map_err(explain)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::lifecycle::tests::{opened, resolved};

    #[test]
    fn a_template_sees_the_case_the_person_and_the_text() {
        let case = resolved();
        let context = Context {
            case: &case,
            me: "ana",
            text: "See you soon.",
        };
        let source = "Dear {{ case.customer.name }},\n\nabout \"{{ case.title }}\" ({{ case.id }}):\n{% if case.resolution %}\n{{ case.resolution.summary }}\n{% endif %}\n{{ text }}\n{{ me }}\n";
        let text = render(source, "templates/apology.txt", &context).unwrap();
        assert_eq!(
            text,
            "Dear Jo Bloggs,\n\nabout \"Parcel arrived broken\" (20261122-7kq3m):\nRefunded the vase.\nSee you soon.\nana\n"
        );
    }

    #[test]
    fn a_mistake_in_a_template_names_the_file_and_line() {
        let case = opened();
        let context = Context {
            case: &case,
            me: "ana",
            text: "",
        };
        let err = render(
            "Hello\n{{ case.resolution.summary }}\n",
            "templates/t.txt",
            &context,
        )
        .unwrap_err();
        assert!(err.to_string().starts_with("templates/t.txt:2: "), "{err}");
        let err = render("{% if %}", "templates/t.txt", &context).unwrap_err();
        assert!(err.to_string().starts_with("templates/t.txt:1: "), "{err}");
        let err = render(
            "{% for i in range(10000) %}{% for j in range(10000) %}{{ j }}{% endfor %}{% endfor %}",
            "templates/t.txt",
            &context,
        )
        .unwrap_err();
        assert!(err.to_string().contains("fuel"), "{err}");
    }

    #[test]
    fn a_name_is_one_word() {
        assert!(check_name("apology").is_ok());
        assert!(check_name("refund_sent-2").is_ok());
        for bad in ["", "../secret", "a/b", "a.txt", ".hidden", "a b"] {
            assert!(check_name(bad).is_err(), "{bad}");
        }
    }
}
