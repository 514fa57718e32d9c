//! Payment card numbers, found so they are never stored: PCI DSS (3.3,
//! 3.4) forbids keeping a full card number, and a case log is copied to
//! every clone and kept in git history for good.
//!
//! A likely card number is 13 to 19 digits that pass the Luhn check, not
//! part of a longer word, written whole or in groups with one separator
//! between each two, of one kind throughout (any kinds between fours): a
//! blank (a space of any width, a tab, or a line break, as web pages, PDFs
//! and wrapped lines leave them), a dash of any kind or an underscore, a
//! dot or a slash (those three also with a blank either side). Characters
//! that show as nothing (a zero-width space, a soft hyphen) are read
//! through, since they hide nothing from whoever reads the file. Digits of
//! any script count (`４１１１`, `٤١١١`). The groups are those cards are
//! printed in (fours, or American Express's and Diners' 4-6-5 and 4-6-4),
//! or groups of two to four digits starting as a card network's numbers
//! do. Other groupings — case ids (`20261120-04269`), dates, order
//! numbers — and a number right after `+` (a phone number) are not card
//! numbers, even when their digits happen to pass the check. Every text
//! a change writes is scanned here ([`guard`]); a known false positive (a
//! tracking number that happens to pass) is let through on request, its
//! masked form recorded on the event.

use crate::case::{Action, Case, Event};
use crate::error::InputError;

/// The fewest and most digits a card number has.
const DIGITS: std::ops::RangeInclusive<usize> = 13..=19;
const MOST_DIGITS: usize = *DIGITS.end();

/// The leading digits card networks issue numbers under (their IIN
/// ranges), each range's ends written with as many digits as it is
/// judged by.
const NETWORKS: [(u32, u32); 15] = [
    (4, 4),       // Visa
    (51, 55),     // Mastercard
    (2221, 2720), // Mastercard
    (34, 34),     // American Express
    (37, 37),     // American Express
    (300, 305),   // Diners Club
    (36, 36),     // Diners Club
    (38, 39),     // Diners Club
    (6011, 6011), // Discover
    (644, 649),   // Discover
    (65, 65),     // Discover
    (3528, 3589), // JCB
    (62, 62),     // UnionPay
    (50, 50),     // Maestro
    (56, 69),     // Maestro
];

/// The zero of every decimal digit script after ASCII (Unicode 14's
/// `Nd`, each ten in a row), so a number typed with an East Asian input
/// method (`４`) or in Arabic-Indic or Devanagari digits is read too.
const ZEROS: [u32; 65] = [
    0x0660, 0x06F0, 0x07C0, 0x0966, 0x09E6, 0x0A66, 0x0AE6, 0x0B66, 0x0BE6, 0x0C66, 0x0CE6, 0x0D66,
    0x0DE6, 0x0E50, 0x0ED0, 0x0F20, 0x1040, 0x1090, 0x17E0, 0x1810, 0x1946, 0x19D0, 0x1A80, 0x1A90,
    0x1B50, 0x1BB0, 0x1C40, 0x1C50, 0xA620, 0xA8D0, 0xA900, 0xA9D0, 0xA9F0, 0xAA50, 0xABF0, 0xFF10,
    0x104A0, 0x10D30, 0x11066, 0x110F0, 0x11136, 0x111D0, 0x112F0, 0x11450, 0x114D0, 0x11650,
    0x116C0, 0x11730, 0x118E0, 0x11950, 0x11C50, 0x11D50, 0x11DA0, 0x16A60, 0x16AC0, 0x16B50,
    0x1D7CE, 0x1D7D8, 0x1D7E2, 0x1D7EC, 0x1D7F6, 0x1E140, 0x1E2F0, 0x1E950, 0x1FBF0,
];

/// Characters of the scripts most text is in that have no digits of
/// their own (Latin, Greek, Cyrillic, Hebrew; CJK and kana; Hangul):
/// passed over without a search of [`ZEROS`].
const NO_DIGITS: [std::ops::Range<u32>; 3] = [0x80..0x0660, 0x1C5A..0xA620, 0xABFA..0xFF10];

/// One likely card number in a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// Where it starts and ends, in bytes.
    pub start: usize,
    pub end: usize,
    /// Its masked form: every digit but the last four as `*`, in groups
    /// of four (`**** **** **** 1234`), as it may be written instead.
    pub masked: String,
}

/// The value of `c` if it is a decimal digit, of any script.
pub fn digit(c: char) -> Option<u8> {
    if c.is_ascii() {
        return c.to_digit(10).and_then(|d| u8::try_from(d).ok());
    }
    let code = u32::from(c);
    if NO_DIGITS.iter().any(|none| none.contains(&code)) {
        return None;
    }
    let zero = ZEROS[..ZEROS.partition_point(|&z| z <= code)].last()?;
    u8::try_from(code - zero).ok().filter(|&d| d < 10)
}

/// What separates the groups of a number; one kind throughout it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Separator {
    Blank,
    Dash,
    Dot,
    Slash,
    /// A dash, dot or slash with a blank either side: a kind of its own,
    /// so that two numbers joined by one (`555-123-4567 - 555-989-6543`)
    /// stay two.
    Spaced(SpacedKind),
}

/// What stands between the blanks of a [`Separator::Spaced`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SpacedKind {
    Dash,
    Dot,
    Slash,
}

/// The separator at byte `at` of `text`, and its length in bytes.
fn separator_at(text: &str, at: usize) -> Option<(Separator, usize)> {
    let rest = text.get(at..)?;
    if rest.starts_with("\r\n") {
        return Some((Separator::Blank, 2));
    }
    let c = rest.chars().next()?;
    let kind = one_separator(c)?;
    // A dash, dot or slash with a blank either side (`4111 - 1111`), as
    // people space out what they type, is one separator, of a kind of its own.
    if kind == Separator::Blank {
        let mut after = rest[c.len_utf8()..].chars();
        if let (Some(middle), Some(blank)) = (after.next(), after.next())
            && let (Some(middle_kind), Some(Separator::Blank)) =
                (one_separator(middle), one_separator(blank))
            && !matches!(blank, '\n' | '\r')
            && !matches!(c, '\n' | '\r')
        {
            let spaced = match middle_kind {
                Separator::Dash => Some(SpacedKind::Dash),
                Separator::Dot => Some(SpacedKind::Dot),
                Separator::Slash => Some(SpacedKind::Slash),
                _ => None,
            };
            if let Some(spaced) = spaced {
                let len = c.len_utf8() + middle.len_utf8() + blank.len_utf8();
                return Some((Separator::Spaced(spaced), len));
            }
        }
    }
    Some((kind, c.len_utf8()))
}

/// The kind of separator one character is, if it is one.
fn one_separator(c: char) -> Option<Separator> {
    Some(match c {
        // A line break where a number wrapped; the no-break, thin and
        // figure spaces of web pages and PDFs; the ideographic space.
        ' '
        | '\t'
        | '\n'
        | '\u{A0}'
        | '\u{2000}'..='\u{200A}'
        | '\u{202F}'
        | '\u{205F}'
        | '\u{3000}' => Separator::Blank,
        // Hyphens and dashes up to the em dash and horizontal bar, as word
        // processors turn a typed `-` into them; the underscore of file
        // names and links.
        '-'
        | '_'
        | '\u{2010}'..='\u{2015}'
        | '\u{2212}'
        | '\u{FE58}'
        | '\u{FE63}'
        | '\u{FF0D}'
        | '\u{FF3F}' => Separator::Dash,
        '.' | '\u{FF0E}' => Separator::Dot,
        '/' | '\u{FF0F}' => Separator::Slash,
        _ => return None,
    })
}

/// A run of digits in a text, one group of a number.
#[derive(Debug, Clone, Copy)]
struct Group {
    /// Where it starts and ends, in bytes.
    start: usize,
    end: usize,
    digits: usize,
    /// The separator before it: none before the first of a run.
    separator: Option<Separator>,
    /// Already part of a number found.
    taken: bool,
}

/// Whether `digits` (0–9 each) pass the Luhn check.
pub fn luhn(digits: &[u8]) -> bool {
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            let d = u32::from(d);
            if i % 2 == 1 {
                let twice = d * 2;
                if twice > 9 { twice - 9 } else { twice }
            } else {
                d
            }
        })
        .sum();
    !digits.is_empty() && sum.is_multiple_of(10)
}

/// Whether a number with these digits starts as a card network's do.
fn network(digits: &[u8]) -> bool {
    NETWORKS.iter().any(|&(low, high)| {
        let width = low.ilog10() as usize + 1;
        let leading = digits
            .iter()
            .take(width)
            .fold(0, |n, &d| n * 10 + u32::from(d));
        digits.len() >= width && (low..=high).contains(&leading)
    })
}

/// The masked form of a number with these digits.
pub fn mask(digits: &[u8]) -> String {
    let hidden = digits.len().saturating_sub(4);
    let mut out = String::new();
    for i in 0..hidden {
        if i > 0 && i.is_multiple_of(4) {
            out.push(' ');
        }
        out.push('*');
    }
    if hidden > 0 {
        out.push(' ');
    }
    for d in &digits[hidden..] {
        out.push(char::from(b'0' + d));
    }
    out
}

/// The digits of a piece of text of at most [`MOST_DIGITS`] digits (any
/// more are dropped), and how many there are, without allocating.
fn digits_of(text: &str) -> ([u8; MOST_DIGITS], usize) {
    let mut out = [0; MOST_DIGITS];
    let mut count = 0;
    for d in text.chars().filter_map(digit) {
        if let Some(slot) = out.get_mut(count) {
            *slot = d;
            count += 1;
        }
    }
    (out, count)
}

/// Every likely card number in `text`, in order.
pub fn find(text: &str) -> Vec<Found> {
    let mut out = Vec::new();
    // Most texts a change writes are ASCII without a digit: passed over
    // sixteen bytes at a time, without a branch per byte.
    let plain = |chunk: &[u8]| {
        chunk
            .iter()
            .fold(true, |all, &b| all & b.is_ascii() & !b.is_ascii_digit())
    };
    if text.as_bytes().chunks(16).all(plain) {
        return out;
    }
    let mut groups = Vec::new();
    let mut from = 0;
    for (i, c) in text.char_indices() {
        if i < from || digit(c).is_none() {
            continue;
        }
        let end = run_at(text, i, &mut groups);
        from = end;
        // Most runs are dates, times and short numbers.
        if groups.iter().map(|g| g.digits).sum::<usize>() < *DIGITS.start() {
            continue;
        }
        // A number that is not the tail of a word, nor a phone number's.
        let opens = text[..i]
            .chars()
            .next_back()
            .is_none_or(|p| !in_word(p) && !matches!(p, '+' | '\u{FF0B}'));
        let closes = text[end..].chars().next().is_none_or(|n| !in_word(n));
        cards_in(text, &mut groups, opens, closes, &mut out);
    }
    out
}

/// Scripts written without spaces between words (Thai, Lao, Myanmar,
/// Khmer, Chinese, Japanese), and Korean, whose particles follow a number
/// directly: their letters stand next to a number in any sentence.
const UNSPACED: [std::ops::RangeInclusive<char>; 12] = [
    '\u{0E00}'..='\u{0EFF}',   // Thai, Lao
    '\u{1000}'..='\u{109F}',   // Myanmar
    '\u{1100}'..='\u{11FF}',   // Hangul jamo
    '\u{1780}'..='\u{17FF}',   // Khmer
    '\u{3040}'..='\u{30FF}',   // hiragana, katakana
    '\u{3130}'..='\u{318F}',   // Hangul compatibility jamo
    '\u{3400}'..='\u{4DBF}',   // CJK extension A
    '\u{4E00}'..='\u{9FFF}',   // CJK
    '\u{AC00}'..='\u{D7AF}',   // Hangul syllables
    '\u{F900}'..='\u{FAFF}',   // CJK compatibility
    '\u{FF66}'..='\u{FF9F}',   // half-width katakana
    '\u{20000}'..='\u{3FFFF}', // CJK extensions B on
];

/// Whether `c` next to a number makes it part of a word (`INV4111…`).
fn in_word(c: char) -> bool {
    c.is_alphanumeric() && !UNSPACED.iter().any(|r| r.contains(&c))
}

/// `text` with every likely payment card number replaced by its masked
/// form (`**** **** **** 1234`): for text from elsewhere (a mail, an
/// import's ids), whose writer cannot be asked to write it again.
pub fn masked(text: &str) -> String {
    let found = find(text);
    if found.is_empty() {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for card in found {
        out.push_str(&text[at..card.start]);
        out.push_str(&card.masked);
        at = card.end;
    }
    out.push_str(&text[at..]);
    out
}

/// Reads into `groups` the run of digit groups that starts at byte
/// `start`, each two with one separator between; returns where it ends.
fn run_at(text: &str, start: usize, groups: &mut Vec<Group>) -> usize {
    groups.clear();
    let mut at = start;
    let mut separator = None;
    loop {
        let mut end = text.len();
        let mut digits = 0;
        for (i, c) in text[at..].char_indices() {
            if invisible(c) {
                continue;
            }
            if digit(c).is_none() {
                end = at + i;
                break;
            }
            digits += 1;
        }
        groups.push(Group {
            start: at,
            end,
            digits,
            separator,
            taken: false,
        });
        match separator_at(text, end) {
            Some((kind, len)) => {
                let next = past_invisible(text, end + len);
                if text[next..].chars().next().and_then(digit).is_none() {
                    return end;
                }
                separator = Some(kind);
                at = next;
            }
            None => return end,
        }
    }
}

/// Whether `c` shows as nothing: a soft hyphen, a zero-width space or
/// joiner, a word joiner, a byte order mark, a direction mark. Text copied
/// from web pages, PDFs and chat apps carries them between digits, where
/// they hide nothing of the number from whoever reads the file, so a
/// number is read through them.
fn invisible(c: char) -> bool {
    matches!(
        c,
        '\u{AD}'
            | '\u{34F}'
            | '\u{61C}'
            | '\u{180E}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{206F}'
            | '\u{FE00}'..='\u{FE0F}'
            | '\u{FEFF}'
    )
}

/// The byte after any invisible characters at byte `at` of `text`.
fn past_invisible(text: &str, at: usize) -> usize {
    text[at..]
        .char_indices()
        .find(|&(_, c)| !invisible(c))
        .map_or(text.len(), |(i, _)| at + i)
}

/// The card numbers in one run of digit groups: first those in the
/// groupings cards are printed in, then among the groups left those in
/// others, so a quantity before a card (`qty 42 4111 1111 1111 1111`) is
/// not taken for its first digits. `opens` and `closes` say whether the
/// run's first group may start a number and its last end one.
fn cards_in(text: &str, groups: &mut [Group], opens: bool, closes: bool, out: &mut Vec<Found>) {
    let before = out.len();
    for printed in [true, false] {
        let mut first = usize::from(!opens);
        while first < groups.len() {
            let last = if groups[first].taken {
                None
            } else {
                longest(text, groups, first, printed, closes)
            };
            let Some(last) = last else {
                first += 1;
                continue;
            };
            let (start, end) = (groups[first].start, groups[last].end);
            let (digits, count) = digits_of(&text[start..end]);
            out.push(Found {
                start,
                end,
                masked: mask(&digits[..count]),
            });
            for group in &mut groups[first..=last] {
                group.taken = true;
            }
            first = last + 1;
        }
    }
    out[before..].sort_by_key(|found| found.start);
}

/// The last group of the longest likely card number starting at group
/// `first`, in a grouping cards are printed in (`printed`) or another.
fn longest(
    text: &str,
    groups: &[Group],
    first: usize,
    printed: bool,
    closes: bool,
) -> Option<usize> {
    let kind = groups.get(first + 1).and_then(|g| g.separator);
    let mut digits = 0;
    let mut best = None;
    for (last, group) in groups.iter().enumerate().skip(first) {
        // Fours are a card whatever stands between them, as people retype
        // one (`4111-1111 1111 1111`); other groupings keep one separator.
        let fours = printed && groups[first..last].iter().all(|g| g.digits == 4);
        if last > first && (group.taken || (group.separator != kind && !fours)) {
            break;
        }
        digits += group.digits;
        if digits > MOST_DIGITS {
            break;
        }
        let window = &groups[first..=last];
        let grouped = if printed {
            printed_grouping(window)
        } else {
            other_grouping(window)
        };
        if !DIGITS.contains(&digits) || !grouped || (last + 1 == groups.len() && !closes) {
            continue;
        }
        let (number, count) = digits_of(&text[groups[first].start..group.end]);
        let number = &number[..count];
        if luhn(number) && (printed || network(number)) {
            best = Some(last);
        }
    }
    best
}

/// Whether groups are a card number as people copy it: whole, in fours
/// (the last group may be shorter), or in American Express's 4-6-5 or
/// Diners' 4-6-4.
fn printed_grouping(groups: &[Group]) -> bool {
    match groups {
        [_] => true,
        [a, b, c] if a.digits == 4 && b.digits == 6 && matches!(c.digits, 4 | 5) => true,
        [fours @ .., last] => fours.iter().all(|g| g.digits == 4) && (1..=4).contains(&last.digits),
        [] => false,
    }
}

/// Whether groups are a card number as people read it out or retype it
/// otherwise: in twos, threes and fours. Longer groups are order
/// numbers and the like.
fn other_grouping(groups: &[Group]) -> bool {
    groups.len() > 1 && groups.iter().all(|g| (2..=4).contains(&g.digits))
}

/// Where byte `offset` is in `text`, as a person counts: `character 12`
/// on one line, `line 2, character 5` in a text of several.
pub fn position(text: &str, offset: usize) -> String {
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
    if text.contains('\n') {
        format!("line {line}, character {column}")
    } else {
        format!("character {column}")
    }
}

/// Where a text is in a case file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// A key of a section (`None`: the top level).
    Field(Option<&'static str>, &'static str),
    Tag(usize),
    /// Event number, its key, and the item of a list.
    Event(usize, &'static str, usize),
}

/// How a person names a text: `the note`, `the old contact`.
#[derive(Debug, Clone, Copy)]
enum Label {
    Is(&'static str),
    Old(&'static str),
    New(&'static str),
}

impl std::fmt::Display for Label {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Label::Is(words) => f.write_str(words),
            Label::Old(field) => write!(f, "the old {field}"),
            Label::New(field) => write!(f, "the {field}"),
        }
    }
}

/// A key of a case's section (`None`: the top level), how a person
/// names it, and its text if it has one.
type Key<'c> = (
    Option<&'static str>,
    &'static str,
    &'static str,
    Option<&'c str>,
);

fn field((section, key, label, value): Key<'_>) -> Option<(Place, Label, &str)> {
    Some((Place::Field(section, key), Label::Is(label), value?))
}

/// Every text of `case`, with where it is and how a person names it:
/// what people wrote, and the people named (who acted, the assignee), as
/// a card number given for a name is stored like any other.
fn texts(case: &Case) -> Vec<(Place, Label, &str)> {
    let resolution = case.resolution.as_ref();
    let fields: [Key; 10] = [
        (None, "title", "the title", Some(&case.title)),
        (
            Some("customer"),
            "name",
            "the customer name",
            Some(&case.customer.name),
        ),
        (
            Some("customer"),
            "contact",
            "the contact",
            case.customer.contact.as_deref(),
        ),
        (
            Some("customer"),
            "reference",
            "the reference",
            case.customer.reference.as_deref(),
        ),
        (None, "category", "the category", case.category.as_deref()),
        (
            Some("complaint"),
            "summary",
            "the complaint summary",
            Some(&case.complaint.summary),
        ),
        (
            Some("complaint"),
            "wants",
            "what the customer wants",
            case.complaint.wants.as_deref(),
        ),
        (
            Some("resolution"),
            "summary",
            "the resolution summary",
            resolution.map(|r| r.summary.as_str()),
        ),
        (
            Some("resolution"),
            "root_cause",
            "the root cause",
            resolution.and_then(|r| r.root_cause.as_deref()),
        ),
        (
            Some("resolution"),
            "redress",
            "the redress",
            resolution.and_then(|r| r.redress.as_deref()),
        ),
    ];
    // People last: an event says best where a name came from (`--by`,
    // `--to`), and the case's own keys repeat it.
    let people: [Key; 3] = [
        (
            None,
            "opened_by",
            "the person who opened it",
            Some(&case.opened_by),
        ),
        (None, "assignee", "the assignee", case.assignee.as_deref()),
        (
            Some("resolution"),
            "resolved_by",
            "the person who resolved it",
            resolution.map(|r| r.resolved_by.as_str()),
        ),
    ];
    let mut out: Vec<(Place, Label, &str)> = fields.into_iter().filter_map(field).collect();
    for (i, tag) in case.tags.iter().enumerate() {
        out.push((Place::Tag(i), Label::Is("a tag"), tag));
    }
    for (i, e) in case.events.iter().enumerate() {
        out.extend(event_texts(i, e));
    }
    out.extend(people.into_iter().filter_map(field));
    out
}

fn event_texts(i: usize, e: &Event) -> Vec<(Place, Label, &str)> {
    let text_label = match e.action {
        a if crate::case::lifecycle::NOTE_KINDS.contains(&a) => "the note",
        Action::Resolved => "the resolution summary",
        Action::Proposed => "the solution",
        Action::FollowedUp => "the follow-up note",
        _ => "the reason",
    };
    let to_label = match e.action {
        Action::Escalated => "the person escalated to",
        _ => "the assignee",
    };
    let field = e.field.map_or("value", |f| f.label());
    let keys: [(&'static str, Label, Option<&str>); 11] = [
        ("text", Label::Is(text_label), e.text.as_deref()),
        ("old", Label::Old(field), e.old.as_deref()),
        ("new", Label::New(field), e.new.as_deref()),
        (
            "root_cause",
            Label::Is("the root cause"),
            e.root_cause.as_deref(),
        ),
        ("redress", Label::Is("the redress"), e.redress.as_deref()),
        (
            "contingency",
            Label::Is("the contingency"),
            e.contingency.as_deref(),
        ),
        ("monitor", Label::Is("the monitoring"), e.monitor.as_deref()),
        ("by", Label::Is("the acting person"), Some(&e.by)),
        ("to", Label::Is(to_label), e.to.as_deref()),
        // Ids from elsewhere: `check` reads the whole file, so a write
        // judges them as it judges texts.
        (
            "message_id",
            Label::Is("the Message-ID"),
            e.message_id.as_deref(),
        ),
        (
            "source_id",
            Label::Is("the source id"),
            e.source_id.as_deref(),
        ),
    ];
    let mut out: Vec<(Place, Label, &str)> = keys
        .into_iter()
        .filter_map(|(key, label, value)| Some((Place::Event(i, key, 0), label, value?)))
        .collect();
    for (k, pro) in e.pros.iter().enumerate() {
        out.push((Place::Event(i, "pros", k), Label::Is("a plus"), pro));
    }
    for (k, con) in e.cons.iter().enumerate() {
        out.push((Place::Event(i, "cons", k), Label::Is("a minus"), con));
    }
    out
}

/// Refuses a change that would write a likely card number: the texts
/// `after` holds that `before` (the case before the change; `None` for a
/// new case) did not. With `allow`, lets them through and records their
/// masked forms on the change's last event instead.
pub fn guard(before: Option<&Case>, mut after: Case, allow: bool) -> Result<Case, InputError> {
    let old = before.map(texts).unwrap_or_default();
    let mut masked: Vec<String> = Vec::new();
    for (place, label, text) in texts(&after) {
        if old.iter().any(|(p, _, t)| *p == place && *t == text) {
            continue;
        }
        for found in find(text) {
            if !allow {
                return Err(InputError::Invalid(format!(
                    "{label} holds what looks like a payment card number at {}: card numbers must never be stored; write it masked ({}), or pass --allow-card-like-number if it is not a card number",
                    position(text, found.start),
                    found.masked
                )));
            }
            if !masked.contains(&found.masked) {
                masked.push(found.masked);
            }
        }
    }
    if let Some(last) = after.events.last_mut() {
        for m in masked {
            if !last.allowed_card_like_numbers.contains(&m) {
                last.allowed_card_like_numbers.push(m);
            }
        }
    }
    Ok(after)
}

/// Every likely card number in `case`'s texts as read (escapes undone),
/// with where it is.
pub fn in_case(case: &Case) -> Vec<(Place, Found)> {
    let mut out = Vec::new();
    for (place, _, text) in texts(case) {
        out.extend(find(text).into_iter().map(|found| (place, found)));
    }
    out
}

/// Whether an `allowed_card_like_numbers` entry is masked: at most the
/// last four digits shown.
pub fn is_masked(entry: &str) -> bool {
    entry.chars().filter_map(digit).count() <= 4
}

/// The masked form of the digits `entry` holds, of any script.
pub fn mask_digits(entry: &str) -> String {
    mask(&entry.chars().filter_map(digit).collect::<Vec<u8>>())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::lifecycle::tests::{opened, stamp};
    use crate::case::lifecycle::{self, NewComplaint};

    fn masks(text: &str) -> Vec<String> {
        find(text).into_iter().map(|f| f.masked).collect()
    }

    #[test]
    fn the_luhn_check_passes_test_card_numbers_and_fails_one_digit_off() {
        let digits = |s: &str| s.bytes().map(|b| b - b'0').collect::<Vec<u8>>();
        for good in [
            "4111111111111111",
            "5555555555554444",
            "378282246310005",
            "4222222222222",
            "6011111111111117",
        ] {
            assert!(luhn(&digits(good)), "{good}");
        }
        for bad in ["4111111111111112", "1234567812345678", ""] {
            assert!(!luhn(&digits(bad)), "{bad}");
        }
    }

    #[test]
    fn card_numbers_are_found_whole_or_grouped_by_spaces_or_dashes() {
        assert_eq!(masks("card 4111111111111111."), ["**** **** **** 1111"]);
        assert_eq!(
            masks("paid with 4111 1111 1111 1111 yesterday"),
            ["**** **** **** 1111"]
        );
        assert_eq!(masks("4111-1111-1111-1111"), ["**** **** **** 1111"]);
        // Invisible characters pasted between the digits hide nothing.
        for hidden in ["\u{200B}", "\u{AD}", "\u{2060}", "\u{FEFF}", " \u{200B}"] {
            let text = format!("4111{hidden}1111{hidden}1111{hidden}1111");
            assert_eq!(masks(&text), ["**** **** **** 1111"], "{text:?}");
        }
        for spaced in [
            "4111 - 1111 - 1111 - 1111",
            "4111 / 1111 / 1111 / 1111",
            "411 - 111 - 111 - 111 - 1111",
        ] {
            assert_eq!(masks(spaced), ["**** **** **** 1111"], "{spaced}");
        }
        assert_eq!(masks("amex 3782 822463 10005"), ["**** **** *** 0005"]);
        assert_eq!(masks("(4111111111111111)"), ["**** **** **** 1111"]);
        // A number after another in the same run of groups is still found.
        assert_eq!(
            masks("order 12 4111 1111 1111 1111"),
            ["**** **** **** 1111"]
        );
        let text = "first 4111111111111111, then 5555-5555-5555-4444";
        let found = find(text);
        assert_eq!(found.len(), 2);
        assert_eq!(&text[found[0].start..found[0].end], "4111111111111111");
        assert_eq!(&text[found[1].start..found[1].end], "5555-5555-5555-4444");
    }

    #[test]
    fn what_is_not_a_card_number_is_left_alone() {
        for text in [
            "4111111111111112",            // fails the Luhn check
            "411111111111",                // 12 digits: too short
            "41111111111111111111111",     // 23 digits: too long
            "4111  1111 1111 1111",        // a double space splits it
            "4111--1111-1111-1111",        // so does a double dash
            "INV4111111111111111",         // part of a word
            "4111111111111111x",           // the head of one
            "opened 2026-11-20T09:15:00Z", // dates and times
            "+44 20 7946 0958",            // a phone number
            "order A-1001, case 20261120-h39ys",
            "2026-11-20 2026-11-28",       // two dates whose digits pass Luhn
            "555-123-4567 - 555-989-6543", // two phone numbers, spaced apart
            "20261120-04269",              // a case id of digits that passes
            "4111 11111111 1111",          // not a grouping cards are printed in
            "**** **** **** 1111",         // already masked
        ] {
            assert_eq!(masks(text), Vec::<String>::new(), "{text}");
        }
    }

    #[test]
    fn card_numbers_in_other_groupings_are_found_when_they_start_as_a_network_s() {
        for text in [
            "paid with 411 111 111 111 1111",
            "41 11 11 11 11 11 11 11",
            "4111 111 111 111 111",
            "55 55 555 555 554 444",
        ] {
            assert_eq!(masks(text).len(), 1, "{text}");
        }
        assert_eq!(masks("37 82 82 24 63 10 005"), ["**** **** *** 0005"]);
        // The same digits, passing the check, from no network: whole,
        // they are a card number; in threes, they are something else.
        assert_eq!(masks("1111111111111018"), ["**** **** **** 1018"]);
        assert_eq!(masks("111 111 111 111 1018"), Vec::<String>::new());
    }

    #[test]
    fn separators_pasted_from_web_pages_and_pdfs_are_read() {
        for separator in [
            " ", "\u{A0}", "\u{202F}", "\u{2009}", "\u{2007}", "\u{3000}", "\t", "-", "\u{2010}",
            "\u{2011}", "\u{2012}", "\u{2013}", "\u{2212}", "\u{FF0D}", ".", "/",
        ] {
            let text = format!("card 4111{separator}1111{separator}1111{separator}1111.");
            assert_eq!(masks(&text), ["**** **** **** 1111"], "{separator:?}");
            // Positions count characters, not the bytes of wide separators.
            let found = &find(&text)[0];
            assert_eq!(position(&text, found.start), "character 6");
            assert_eq!(&text[found.end..], ".");
        }
        for wrapped in ["4111 1111 1111\n1111", "4111 1111\r\n1111 1111"] {
            assert_eq!(masks(wrapped), ["**** **** **** 1111"], "{wrapped:?}");
        }
    }

    #[test]
    fn digits_of_other_scripts_are_read() {
        for text in [
            "４１１１ １１１１ １１１１ １１１１",
            "４１１１－１１１１－１１１１－１１１１",
            "٤١١١١١١١١١١١١١١١",
            "۴۱۱۱ ۱۱۱۱ ۱۱۱۱ ۱۱۱۱",
            "४१११ ११११ ११११ ११११",
            "৪১১১ ১১১১ ১১১১ ১১১১",
            "๔๑๑๑ ๑๑๑๑ ๑๑๑๑ ๑๑๑๑",
            "𝟒𝟏𝟏𝟏 𝟏𝟏𝟏𝟏 𝟏𝟏𝟏𝟏 𝟏𝟏𝟏𝟏",
        ] {
            assert_eq!(masks(text), ["**** **** **** 1111"], "{text}");
        }
        let text = "支払い ４１１１ １１１１ １１１１ １１１１ です";
        let found = &find(text)[0];
        assert_eq!(position(text, found.start), "character 5");
        assert_eq!(&text[found.end..], " です");
        // Other numerals are no digits.
        assert_eq!(digit('²'), None);
        assert_eq!(digit('Ⅳ'), None);
        assert_eq!(digit('٤'), Some(4));
    }

    #[test]
    fn a_number_right_next_to_words_of_unspaced_scripts_is_no_part_of_them() {
        for text in [
            "支払いは４１１１ １１１１ １１１１ １１１１でした",
            "カード番号4111111111111111",
            "카드 4111-1111-1111-1111로 결제했어요",
            "ชำระด้วยบัตร4111111111111111ค่ะ",
        ] {
            assert_eq!(masks(text), ["**** **** **** 1111"], "{text}");
        }
        // Letters of other scripts still make it part of a word.
        for text in [
            "INV4111111111111111",
            "счёт4111111111111111",
            "ＩＮＶ4111111111111111",
        ] {
            assert_eq!(masks(text), Vec::<String>::new(), "{text}");
        }
    }

    #[test]
    fn every_digit_script_is_ten_digits_in_a_row() {
        assert!(ZEROS.is_sorted());
        for none in NO_DIGITS {
            assert!(
                ZEROS
                    .iter()
                    .all(|z| !none.contains(z) && !none.contains(&(z + 9))),
                "{none:x?}"
            );
        }
        for zero in ZEROS {
            for d in 0..10 {
                let c = char::from_u32(zero + d).unwrap();
                assert!(c.is_numeric() && c.is_alphanumeric(), "{c:?}");
                assert_eq!(digit(c), Some(u8::try_from(d).unwrap()), "{c:?}");
            }
        }
    }

    #[test]
    fn a_quantity_before_a_card_is_not_taken_for_its_first_digits() {
        // 42 and the card pass the check together, and 42 is Visa's.
        let text = "qty 42 4111 1111 1111 1111";
        let found = find(text);
        assert_eq!(found.len(), 1);
        assert_eq!(&text[found[0].start..], "4111 1111 1111 1111");
        assert_eq!(found[0].masked, "**** **** **** 1111");
        assert_eq!(
            masks("order 12345678 411 111 111 111 1111"),
            ["**** **** **** 1111"]
        );
    }

    #[test]
    fn fours_are_a_card_whatever_separators_stand_between_them() {
        for text in [
            "4111-1111 1111 1111",
            "4111 1111.1111/1111",
            "card 4111\u{A0}1111-1111 1111 thanks",
        ] {
            let found = masks(text);
            assert_eq!(found.len(), 1, "{text}: {found:?}");
        }
        // Other groupings still need one kind: two dates, a case id and a time.
        for text in ["30.05.2026 04.07.2026", "20261120-04269 12:30"] {
            assert_eq!(masks(text), Vec::<String>::new(), "{text}");
        }
    }

    #[test]
    fn phone_numbers_dates_and_order_numbers_in_other_groupings_are_left_alone() {
        // Each would pass as a card number in groups of two to four from
        // a network, but for the rule its comment names.
        for text in [
            "+49 30 1234 5678 11",       // a number after + is a phone's
            "＋49 30 1234 5678 11",      // typed full width too
            "30.05.2026 04.07.2026",     // one kind of separator a number
            "555-123-4567 555-989-6543", // two phone numbers
            "orders 61234567 41230000",  // groups over four digits
            "+44 7700 900123",
        ] {
            assert_eq!(masks(text), Vec::<String>::new(), "{text}");
        }
        assert_eq!(masks("49 30 1234 5678 11").len(), 1);
    }

    proptest::proptest! {
        #[test]
        fn what_is_found_is_whole_characters_in_order_and_masked(
            text in "[0-9٠-٩０-９ \u{A0}\t\n.+a-]{0,60}"
        ) {
            let mut at = 0;
            for found in find(&text) {
                proptest::prop_assert!(at <= found.start && found.start < found.end);
                proptest::prop_assert!(text.is_char_boundary(found.start));
                proptest::prop_assert!(text.is_char_boundary(found.end));
                proptest::prop_assert!(is_masked(&found.masked));
                at = found.end;
            }
        }
    }

    #[test]
    fn no_case_id_is_ever_taken_for_a_card_number() {
        // Ids are random: one in a few thousand has a suffix of digits,
        // and a tenth of those pass the Luhn check.
        for suffix in 0..100_000 {
            let id = format!("20261120-{suffix:05}");
            assert_eq!(
                masks(&format!("id = \"{id}\"")),
                Vec::<String>::new(),
                "{id}"
            );
        }
    }

    #[test]
    fn positions_count_characters_and_lines_as_a_person_does() {
        assert_eq!(position("é 4111", 3), "character 3");
        assert_eq!(position("one\ntwo 4111", 8), "line 2, character 5");
    }

    #[test]
    fn a_change_writing_a_card_number_is_refused_naming_where_it_is() {
        let case = opened();
        let noted = lifecycle::annotate(
            &case,
            &stamp(1),
            Action::Note,
            "She read out 4111 1111 1111 1111 on the phone.",
        )
        .unwrap();
        let err = guard(Some(&case), noted.clone(), false).unwrap_err();
        assert_eq!(
            err.to_string(),
            "the note holds what looks like a payment card number at character 14: card numbers must never be stored; write it masked (**** **** **** 1111), or pass --allow-card-like-number if it is not a card number"
        );
        let allowed = guard(Some(&case), noted, true).unwrap();
        assert_eq!(
            allowed.events.last().unwrap().allowed_card_like_numbers,
            ["**** **** **** 1111"]
        );
    }

    #[test]
    fn only_new_text_is_judged_so_an_allowed_number_does_not_block_later_changes() {
        let new = NewComplaint {
            summary: "Tracking 4111111111111111 never moved.".into(),
            ..lifecycle::tests::new_complaint()
        };
        let id = opened().id;
        let case = lifecycle::open(id, new, &stamp(0)).unwrap();
        assert!(guard(None, case.clone(), false).is_err());
        let case = guard(None, case, true).unwrap();
        assert_eq!(
            case.events[0].allowed_card_like_numbers,
            ["**** **** **** 1111"]
        );
        let noted = lifecycle::annotate(&case, &stamp(1), Action::Note, "Chased.").unwrap();
        assert!(guard(Some(&case), noted, false).is_ok());
    }

    #[test]
    fn every_text_a_change_writes_is_judged() {
        let case = opened();
        let number = "5555555555554444";
        let mut changed = case.clone();
        changed.complaint.wants = Some(format!("Refund to {number}"));
        let err = guard(Some(&case), changed, false).unwrap_err();
        assert!(
            err.to_string().starts_with("what the customer wants"),
            "{err}"
        );
        let proposed =
            lifecycle::propose(&case, &stamp(1), "Refund", &[format!("to {number}")], &[]).unwrap();
        let err = guard(Some(&case), proposed, false).unwrap_err();
        assert!(err.to_string().starts_with("a plus holds"), "{err}");
    }

    #[test]
    fn people_a_change_names_are_judged_as_texts_are() {
        let number = "4111111111111111";
        let case = opened();
        let refusal = |after: Case| guard(Some(&case), after, false).unwrap_err().to_string();
        let by_number = lifecycle::tests::stamp_by(number, 1);
        let noted = lifecycle::annotate(&case, &by_number, Action::Note, "Called.").unwrap();
        assert!(refusal(noted).starts_with(
            "the acting person holds what looks like a payment card number at character 1"
        ),);
        let assigned = lifecycle::assign(&case, &stamp(1), number).unwrap();
        assert!(refusal(assigned).starts_with("the assignee holds"));
        let escalated =
            lifecycle::escalate(&case, &stamp(1), "4111-1111-1111-1111", "Needs a senior").unwrap();
        assert!(refusal(escalated).starts_with("the person escalated to holds"));
        let new = NewComplaint {
            assignee: Some(number.into()),
            ..lifecycle::tests::new_complaint()
        };
        let new_case = lifecycle::open(case.id.clone(), new, &stamp(0)).unwrap();
        let err = guard(None, new_case, false).unwrap_err().to_string();
        assert!(err.starts_with("the assignee holds"), "{err}");
        // A person already named is not judged again.
        let by_number = guard(
            None,
            lifecycle::open(
                case.id.clone(),
                lifecycle::tests::new_complaint(),
                &by_number,
            )
            .unwrap(),
            true,
        )
        .unwrap();
        let noted = lifecycle::annotate(&by_number, &stamp(1), Action::Note, "Called.").unwrap();
        assert!(guard(Some(&by_number), noted, false).is_ok());
    }

    #[test]
    fn only_masked_entries_count_as_masked() {
        assert!(is_masked("**** **** **** 1111"));
        assert!(!is_masked("4111 1111 1111 1111"));
        assert!(!is_masked("４１１１ １１１１ １１１１ １１１１"));
        assert_eq!(
            mask_digits("４１１１ １１１１ １１１１ １１１１"),
            "**** **** **** 1111"
        );
    }
}
