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

use anyhow::{Context, Result};
use minijinja::value::Serde;
use minijinja::{Environment, Value, context};
use serde::Serialize;

use crate::learning::measures::{Count, RepeatCustomer};
use case_page::{CasePage, Field};
use overview::{CaseRow, Chart, DueRow};

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
    /// Whether the site names nobody (`--pseudonymise`).
    pub pseudonymised: bool,
    pub headline: Vec<Field>,
    pub measures: Vec<Field>,
    pub charts: Vec<Chart>,
    pub categories: Vec<Count>,
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

/// Every page of the site: the index, the list of cases and one page per
/// case. A link to a case that has no page (a duplicate of a case not in
/// the log) is left out, so every link resolves.
pub fn render(index: &Index, cases: &[CaseRow], pages: &[CasePage]) -> Result<Vec<Page>> {
    let env = environment()?;
    let site = Value::from(Serde(index));
    let known: BTreeSet<&str> = pages.iter().map(|p| p.id.as_str()).collect();
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
            context! { root => "", style => STYLE, site => site.clone(), here => "index" },
        )?,
    });
    out.push(Page {
        path: "cases.html".into(),
        html: render(
            "cases.html",
            context! { root => "", style => STYLE, site => site.clone(), cases => Value::from(Serde(cases)), here => "cases" },
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
                    duplicate_linked => duplicate_linked,
                    here => "case",
                },
            )?,
        });
    }
    Ok(out)
}
