//! The static web site (`caselog site`): the report, the due list and
//! every case as HTML pages, for the people who do not use a terminal.
//!
//! The pages need no server, no script and no network: inline CSS, inline
//! SVG charts ([`svg`]), and relative links, so they work opened from disk
//! and from any static host. Templates (minijinja, auto-escaping HTML) lay
//! out plain values from [`overview`] and [`case_page`]; [`output`] puts
//! the site on disk whole.

pub mod case_page;
pub mod output;
pub mod overview;
pub mod svg;

use std::collections::BTreeSet;
use std::fmt::Write;

use anyhow::{Context, Result};
use minijinja::value::Serde;
use minijinja::{Environment, Value, context};
use serde::Serialize;

use crate::learning::measures::{Count, RepeatCustomer};
use case_page::{CasePage, Field};
use overview::{CaseRow, CategoryRow, Chart, DueRow};

/// One file of the site: its path below the site's folder (`/`-separated)
/// and its content.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    pub path: String,
    pub html: String,
}

/// What the index page shows.
#[derive(Debug, Clone, Serialize)]
pub struct Index {
    /// What the period covers, in words (`the beginning to 2026-11-22 09:00 UTC`).
    pub period: String,
    /// When the site was made, in the log's time zone.
    pub generated: String,
    /// The time zone every time is shown in.
    pub zone: String,
    /// On a site to share (`--pseudonymise`): what it leaves out, in a
    /// sentence for the top of every page.
    pub shared: Option<String>,
    /// When some case files could not be read: that they are left out, in
    /// a sentence the index and the list of cases show.
    pub unreadable: Option<String>,
    /// Whether the tables have a title column (not when titles are left
    /// out): header and rows alike.
    pub titles: bool,
    pub headline: Vec<Field>,
    pub measures: Vec<Field>,
    pub charts: Vec<Chart>,
    pub categories: Vec<CategoryRow>,
    pub root_causes: Vec<Count>,
    pub repeat_customers: Vec<RepeatCustomer>,
    /// How far ahead the due list looks (`7d`).
    pub within: String,
    pub due: Vec<DueRow>,
}

/// The path of a case's page, from the site's folder.
pub fn case_path(id: &str) -> String {
    format!("case/{id}.html")
}

const STYLE: &str = include_str!("templates/style.css");

fn environment() -> Result<Environment<'static>> {
    let mut env = Environment::new();
    // Case text is untrusted: bidirectional overrides and control
    // characters are shown as visible escapes (as on a terminal), so no
    // text can disguise itself; then HTML escaping as usual.
    env.set_formatter(|out, state, value| match value.as_str() {
        Some(text) if !value.is_safe() => {
            minijinja::escape_formatter(out, state, &Value::from(shown(state, text)))
        }
        _ => minijinja::escape_formatter(out, state, value),
    });
    env.add_filter("breakable", breakable);
    // `.html` templates escape every value unless marked safe (the SVG).
    for (name, source) in [
        ("base.html", include_str!("templates/base.html")),
        ("index.html", include_str!("templates/index.html")),
        ("cases.html", include_str!("templates/cases.html")),
        ("case.html", include_str!("templates/case.html")),
    ] {
        env.add_template(name, source)
            .with_context(|| format!("reading the site template {name}"))?;
    }
    Ok(env)
}

/// Case text as every page shows it: a likely payment card number masked
/// (`**** **** **** 1111`), unless an event of the case allows it (a
/// known false positive); then control and bidirectional characters as
/// visible escapes. A number can reach a case file only by hand (every
/// command refuses one, and `check` reports it), and the site is a copy
/// that may leave the team: it never carries one.
fn shown(state: &minijinja::State, text: &str) -> String {
    let allowed = state.lookup("allowed_cards");
    let is_allowed = |masked: &str| {
        allowed
            .as_ref()
            .and_then(|a| a.try_iter().ok())
            .is_some_and(|mut a| a.any(|v| v.as_str() == Some(masked)))
    };
    let mut masked = String::new();
    let mut from = 0;
    for found in crate::case::card::find(text) {
        if !is_allowed(&found.masked) {
            masked.push_str(&text[from..found.start]);
            masked.push_str(&found.masked);
            from = found.end;
        }
    }
    let text = match from {
        0 => text,
        _ => {
            masked.push_str(&text[from..]);
            &masked
        }
    };
    without_noncharacters(&crate::untrusted::block(text))
}

/// Whether HTML forbids `c` in a page: the noncharacters (U+FDD0 to
/// U+FDEF, and the last two of every plane). Text from elsewhere (a mail,
/// an import) may hold one; a page holding one is not valid HTML.
fn is_noncharacter(c: char) -> bool {
    ('\u{FDD0}'..='\u{FDEF}').contains(&c) || u32::from(c) & 0xFFFE == 0xFFFE
}

/// `text` (already shown as [`crate::untrusted`] shows it) with each
/// noncharacter as a visible escape too, as a control character is.
fn without_noncharacters(text: &str) -> String {
    // Nearly every text has none: copied whole, not a character at a time.
    if text.is_ascii() || !text.chars().any(is_noncharacter) {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if is_noncharacter(c) {
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    out
}

/// How many characters without a space may stand on one line of a table
/// cell or a heading: longer than any word, shorter than a pasted link.
const LONGEST_UNBROKEN: usize = 20;

/// Case text for a table cell, a value beside its label or a heading:
/// shown and escaped as everywhere (the formatter's rule), with a place
/// to break (`<wbr>`) every [`LONGEST_UNBROKEN`] characters of a run
/// without a space. A long unbroken word (a pasted link, an address)
/// then wraps instead of stretching its table past the edge of the page
/// and hiding the columns after it; a word never breaks, and the text
/// copied from the page is the text typed.
fn breakable(state: &minijinja::State, value: Value) -> Value {
    let Some(text) = value.as_str().filter(|_| !value.is_safe()) else {
        return value;
    };
    let shown = shown(state, text);
    let mut out = String::with_capacity(shown.len() + 16);
    let mut piece = String::new();
    let mut run = 0;
    for c in shown.chars() {
        if c.is_whitespace() {
            run = 0;
        } else if run == LONGEST_UNBROKEN {
            let _ = write!(out, "{}<wbr>", minijinja::HtmlEscape(&piece));
            piece.clear();
            run = 1;
        } else {
            run += 1;
        }
        piece.push(c);
    }
    let _ = write!(out, "{}", minijinja::HtmlEscape(&piece));
    Value::from_safe_string(out)
}

/// Every page of the site: the index, the list of cases and one page per
/// case. A link to a case that has no page (a duplicate of a case not in
/// the log) is left out, so every link resolves.
pub fn render(index: &Index, cases: &[CaseRow], pages: &[CasePage]) -> Result<Vec<Page>> {
    let env = environment()?;
    let site = Value::from(Serde(index));
    let known: BTreeSet<&str> = pages.iter().map(|p| p.id.as_str()).collect();
    // The pages over every case let through what any case allows.
    let allowed_anywhere: Vec<String> = pages
        .iter()
        .flat_map(|p| p.allowed_cards.iter().cloned())
        .collect::<BTreeSet<String>>()
        .into_iter()
        .collect();
    let mut out = Vec::with_capacity(pages.len() + 2);
    let render = |name: &str, ctx: Value| -> Result<String> {
        env.get_template(name)
            .and_then(|t| t.render(ctx))
            .with_context(|| format!("laying out the site page {name}"))
    };
    out.push(Page {
        path: "index.html".into(),
        html: render(
            "index.html",
            context! { root => "", style => STYLE, site => site.clone(), allowed_cards => allowed_anywhere.clone(), here => "index" },
        )?,
    });
    out.push(Page {
        path: "cases.html".into(),
        html: render(
            "cases.html",
            context! { root => "", style => STYLE, site => site.clone(), allowed_cards => allowed_anywhere.clone(), cases => Value::from(Serde(cases)), here => "cases" },
        )?,
    });
    for page in pages {
        let duplicate_linked = page
            .duplicate_of
            .as_deref()
            .is_some_and(|d| known.contains(d));
        out.push(Page {
            path: case_path(&page.id),
            html: render(
                "case.html",
                context! {
                    root => "../",
                    style => STYLE,
                    site => site.clone(),
                    case => Value::from(Serde(page)),
                    allowed_cards => page.allowed_cards.clone(),
                    duplicate_linked => duplicate_linked,
                    here => "case",
                },
            )?,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::lifecycle::tests::opened;
    use crate::time::Zone;

    fn index() -> Index {
        Index {
            period: "the beginning to now".into(),
            generated: "now".into(),
            zone: "UTC".into(),
            shared: None,
            unreadable: None,
            titles: true,
            headline: Vec::new(),
            measures: Vec::new(),
            charts: Vec::new(),
            categories: Vec::new(),
            root_causes: Vec::new(),
            repeat_customers: Vec::new(),
            within: "7d".into(),
            due: Vec::new(),
        }
    }

    #[test]
    fn case_text_is_escaped_and_cannot_disguise_itself() {
        let mut case = opened();
        case.title = "<b>bold</b> \u{202e}txt.exe".into();
        case.complaint.summary = "line one\nline two\u{1b}[31m".into();
        let now = case.opened_at.0;
        let page = case_page::case_page(&case, &[], now, Zone::UTC, None);
        let pages = render(&index(), &[], &[page]).expect("rendered");
        assert_eq!(pages.len(), 3);
        let html = &pages[2].html;
        assert_eq!(pages[2].path, format!("case/{}.html", case.id));
        assert!(html.contains("&lt;b&gt;bold&lt;&#x2f;b&gt;"), "{html}");
        assert!(html.contains("\\u{202e}txt.exe"), "{html}");
        assert!(!html.contains('\u{202e}') && !html.contains('\u{1b}'));
        assert!(
            html.contains("line one\nline two\\u{1b}[31m"),
            "line breaks kept"
        );
    }

    #[test]
    fn pages_link_up_relatively() {
        let case = opened();
        let page = case_page::case_page(&case, &[], case.opened_at.0, Zone::UTC, None);
        let pages = render(&index(), &[], &[page]).expect("rendered");
        assert!(pages[0].html.contains(r#"href="cases.html""#));
        assert!(pages[2].html.contains(r#"href="../index.html""#));
        for page in &pages {
            assert!(!page.html.contains("href=\"http"), "{}", page.path);
            assert!(!page.html.contains("src="), "{}", page.path);
            assert!(!page.html.contains("<script"), "{}", page.path);
        }
    }
}
