//! HTML mail as plain text, in time that grows with its size only.
//!
//! An HTML parser's work grows with how deeply elements nest (each tag
//! looks through the elements still open), so one message of nested
//! `<div>`s could hold the CPU for minutes. Mail of ordinary size (up to
//! [`TAGS_MAX`] tags) is laid out by `html2text`; beyond that, the HTML
//! is read plainly: its text, a line for each block, no layout.

/// The most tags an HTML part may have to be laid out by `html2text`:
/// well above an ordinary message (even a forwarded receipt), and few
/// enough that the worst nesting of them parses in a fraction of a second.
pub const TAGS_MAX: usize = 5_000;

/// How wide HTML is laid out as text: wide enough that a paragraph is
/// rarely broken, narrow enough to read.
const WIDTH: usize = 100;

/// HTML as plain text: scripts, styles and markup go; never raw HTML.
pub fn to_text(html: &str) -> String {
    if tags(html) > TAGS_MAX {
        return plainly(html);
    }
    // A real parser and layout (links kept as footnotes).
    html2text::config::plain_no_decorate()
        .string_from_read(html.as_bytes(), WIDTH)
        .unwrap_or_default()
}

/// How many tags `html` has, counted generously (`<` and then a letter,
/// or `/` and a letter): more only sends it to [`plainly`].
fn tags(html: &str) -> usize {
    let bytes = html.as_bytes();
    bytes
        .iter()
        .enumerate()
        .filter(|&(i, &b)| {
            b == b'<' && {
                let next = bytes.get(i + 1).copied().unwrap_or(0);
                let after = bytes.get(i + 2).copied().unwrap_or(0);
                next.is_ascii_alphabetic() || (next == b'/' && after.is_ascii_alphabetic())
            }
        })
        .count()
}

/// Elements whose content is not text to read.
const HIDDEN: &[&str] = &["script", "style", "head", "title", "template"];

/// Elements that start a line of their own.
const BLOCKS: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "br",
    "caption",
    "dd",
    "div",
    "dl",
    "dt",
    "fieldset",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "li",
    "main",
    "nav",
    "ol",
    "p",
    "pre",
    "section",
    "table",
    "tr",
    "ul",
];

/// HTML read in one pass: the text between tags with character
/// references decoded and blanks folded, a line break at each block tag,
/// a blank between table cells, comments and hidden elements left out.
fn plainly(html: &str) -> String {
    let mut out = String::with_capacity(html.len() / 2);
    let mut rest = html;
    // Inside a hidden element: the name whose end tag ends it.
    let mut hidden: Option<String> = None;
    while let Some(lt) = rest.find('<') {
        if hidden.is_none() {
            text(&mut out, &rest[..lt]);
        }
        rest = &rest[lt..];
        if let Some(comment) = rest.strip_prefix("<!--") {
            rest = comment.find("-->").map_or("", |end| &comment[end + 3..]);
            continue;
        }
        let starts_tag = rest[1..]
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || matches!(c, '/' | '!' | '?'));
        let end = rest.find('>');
        let (Some(end), true) = (end, starts_tag) else {
            // A `<` that opens no tag is text.
            if hidden.is_none() {
                text(&mut out, "<");
            }
            rest = &rest[1..];
            continue;
        };
        let tag = &rest[1..end];
        rest = &rest[end + 1..];
        let closing = tag.starts_with('/');
        let name = tag
            .trim_start_matches('/')
            .split(|c: char| !c.is_ascii_alphanumeric())
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        if let Some(open) = &hidden {
            if closing && name == *open {
                hidden = None;
            }
            continue;
        }
        if !closing && HIDDEN.contains(&name.as_str()) && !tag.ends_with('/') {
            hidden = Some(name);
        } else if BLOCKS.contains(&name.as_str()) {
            out.push('\n');
        } else if matches!(name.as_str(), "td" | "th") && !out.ends_with([' ', '\n']) {
            out.push(' ');
        }
    }
    if hidden.is_none() {
        text(&mut out, rest);
    }
    lines(&out)
}

/// Appends HTML text: blanks folded to one space, references decoded.
fn text(out: &mut String, html: &str) {
    let mut rest = html;
    while !rest.is_empty() {
        let (c, used) = match rest.strip_prefix('&').and_then(reference) {
            Some((c, used)) => (c, used + 1),
            None => {
                let c = rest.chars().next().unwrap_or(' ');
                (c, c.len_utf8())
            }
        };
        rest = &rest[used..];
        if matches!(c, ' ' | '\t' | '\n' | '\r' | '\u{c}') {
            if !out.ends_with([' ', '\n']) && !out.is_empty() {
                out.push(' ');
            }
        } else {
            out.push(c);
        }
    }
}

/// The character a reference (after its `&`) stands for, and the bytes it
/// takes with its `;`: `amp;`, `#233;`, `#xE9;`, and the common names.
fn reference(rest: &str) -> Option<(char, usize)> {
    let end = rest.bytes().take(12).position(|b| b == b';')?;
    let name = &rest[..end];
    let c = if let Some(number) = name.strip_prefix('#') {
        let code = match number.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => number.parse().ok()?,
        };
        char::from_u32(code)?
    } else {
        match name {
            "amp" => '&',
            "lt" => '<',
            "gt" => '>',
            "quot" => '"',
            "apos" => '\'',
            "nbsp" => '\u{a0}',
            "shy" => '\u{ad}',
            "ndash" => '–',
            "mdash" => '—',
            "hellip" => '…',
            "euro" => '€',
            "pound" => '£',
            "copy" => '©',
            "lsquo" => '‘',
            "rsquo" => '’',
            "ldquo" => '“',
            "rdquo" => '”',
            _ => return None,
        }
    };
    Some((c, end + 1))
}

/// Lines trimmed, and never more than one blank line in a row.
fn lines(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut blanks = 0;
    for line in text.lines().map(str::trim) {
        if line.is_empty() {
            blanks += 1;
            continue;
        }
        if !out.is_empty() {
            out.push_str(if blanks > 0 { "\n\n" } else { "\n" });
        }
        blanks = 0;
        out.push_str(line);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_html_is_laid_out_by_a_real_parser() {
        let text = to_text("<p>The <b>grinder</b> broke.</p><p>Second &amp; last.</p>");
        assert!(text.contains("The grinder broke."), "{text}");
        assert!(text.contains("Second & last."), "{text}");
    }

    #[test]
    fn html_with_more_tags_than_a_parser_is_given_is_read_plainly() {
        let deep = format!(
            "{}Still broken &amp; cold.{}",
            "<div>".repeat(30_000),
            "</div>".repeat(30_000)
        );
        assert!(tags(&deep) > TAGS_MAX);
        assert_eq!(to_text(&deep), "Still broken & cold.");
    }

    #[test]
    fn a_plain_reading_keeps_the_text_and_its_lines_and_nothing_else() {
        let html = "<html><head><title>T</title><style>p{color:red}</style></head><body>\
            <script>alert(1)</script><!-- a <p> comment -->\
            <p>The  grinder\n broke.</p><p>Order&nbsp;A-1001 &lt;2&gt; caf&#233; caf&#xE9;<br>Maria</p>\
            <table><tr><td>one</td><td>two</td></tr></table>a < b &unknown; <SCRIPT type=x>x</script>end";
        assert_eq!(
            plainly(html),
            "The grinder broke.\n\nOrder\u{a0}A-1001 <2> café café\nMaria\n\none two\n\na < b &unknown; end"
        );
        assert_eq!(plainly("no tags at all"), "no tags at all");
        assert_eq!(plainly("<p>cut off <b"), "cut off <b");
        assert_eq!(plainly("<script>never closed"), "");
    }
}
