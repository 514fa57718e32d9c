//! A search as a person types it, read before SQLite sees it: FTS5's
//! syntax (words, "phrases", prefix*, AND, OR, NOT, parentheses, NEAR,
//! ^, columns), where a word may hold punctuation (an order number
//! `A-1001`, an address `maria@example.com`, `don't`, `45.90`) and is
//! then read as the phrase of its parts, as FTS5 alone refuses it.
//!
//! Reading it here is what lets a refusal say what is wrong in the
//! person's words ("AND needs words on both sides") instead of SQLite's
//! ("fts5: syntax error near \"\""), and what bounds the work one search
//! asks of SQLite: FTS5 weighs every place a word is found against every
//! other, so a pasted page of words took minutes.

use crate::error::InputError;

/// The columns a search can name, as the index calls them.
pub const COLUMNS: [&str; 4] = ["title", "summary", "notes", "customer"];
/// At most this many words in one search: far more than anyone types,
/// few enough that FTS5's work per case stays small.
pub const MOST_WORDS: usize = 64;
/// At most this many bytes in one search.
pub const MOST_BYTES: usize = 2048;
/// At most this deep in parentheses.
const MOST_DEPTH: usize = 16;

/// `text` as one FTS5 string (a word or a phrase), its quotes doubled:
/// never read as an operator, a column or a second word.
pub fn quoted(text: &str) -> String {
    format!("\"{}\"", text.replace('"', "\"\""))
}

/// A search read and checked, in the syntax FTS5 takes.
#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    fts5: String,
    /// Every phrase of it, any one wanted: what a snippet marks where the
    /// whole query matches no one piece of a long text.
    any_phrase: String,
    phrases: usize,
}

impl Query {
    /// Reads what a person typed; a search that cannot be read is the
    /// person's to fix, refused with what is wrong.
    pub fn read(text: &str) -> anyhow::Result<Query> {
        read(text).map_err(|why| {
            InputError::Invalid(format!(
                "{} is not a search caselog understands: {why}",
                shown(text)
            ))
            .into()
        })
    }

    /// The search in FTS5's own syntax, every word quoted.
    pub fn fts5(&self) -> &str {
        &self.fts5
    }

    /// Any of its phrases, in FTS5's syntax, wherever they are.
    pub fn any_phrase(&self) -> &str {
        &self.any_phrase
    }

    /// How many phrases it holds (a word alone is one).
    pub fn phrases(&self) -> usize {
        self.phrases
    }
}

/// The search as a refusal quotes it: cut short when long, as the
/// refusal must fit on one line.
fn shown(text: &str) -> String {
    const MOST: usize = 60;
    if text.chars().count() > MOST {
        let cut: String = text.chars().take(MOST - 1).collect();
        format!("'{cut}…'")
    } else {
        format!("'{text}'")
    }
}

fn read(text: &str) -> Result<Query, String> {
    if text.len() > MOST_BYTES {
        return Err(format!(
            "it is {} bytes long, and a search takes at most {MOST_BYTES} (to find cases like one, use `caselog similar ID`)",
            text.len()
        ));
    }
    let tokens = lex(text)?;
    if tokens.is_empty() {
        return Err("it has no words to look for".into());
    }
    let mut parser = Parser {
        tokens,
        at: 0,
        depth: 0,
        words: 0,
        phrases: Vec::new(),
    };
    let fts5 = parser.or()?;
    if let Some(token) = parser.peek() {
        return Err(match token {
            Token::Close => "a ')' closes no '('".into(),
            other => format!("{} is out of place", other.shown()),
        });
    }
    if parser.words > MOST_WORDS {
        return Err(format!(
            "it has {} words, and a search takes at most {MOST_WORDS}",
            parser.words
        ));
    }
    Ok(Query {
        fts5,
        phrases: parser.phrases.len(),
        any_phrase: parser.phrases.join(" OR "),
    })
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    /// A word as typed, punctuation and all.
    Word(String),
    /// What was between two quotes.
    Quoted(String),
    And,
    Or,
    Not,
    Open,
    Close,
    OpenBrace,
    CloseBrace,
    Colon,
    Comma,
    Plus,
    Star,
    Minus,
    Caret,
}

impl Token {
    /// How a refusal names it.
    fn shown(&self) -> String {
        match self {
            Token::Word(w) => format!("'{w}'"),
            Token::Quoted(q) => format!("'\"{q}\"'"),
            Token::And => "AND".into(),
            Token::Or => "OR".into(),
            Token::Not => "NOT".into(),
            Token::Open => "'('".into(),
            Token::Close => "')'".into(),
            Token::OpenBrace => "'{'".into(),
            Token::CloseBrace => "'}'".into(),
            Token::Colon => "':'".into(),
            Token::Comma => "','".into(),
            Token::Plus => "'+'".into(),
            Token::Star => "'*'".into(),
            Token::Minus => "'-'".into(),
            Token::Caret => "'^'".into(),
        }
    }
}

/// The characters FTS5's syntax gives a meaning of their own; a word is
/// any run of others (a '-' inside a word is the word's).
fn is_syntax(c: char) -> bool {
    matches!(c, '"' | '(' | ')' | '{' | '}' | ':' | ',' | '+' | '*' | '^')
}

fn lex(text: &str) -> Result<Vec<Token>, String> {
    let mut tokens = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        let token = match c {
            c if c.is_whitespace() || c.is_control() => continue,
            '"' => {
                let mut inside = String::new();
                loop {
                    match chars.next() {
                        Some((_, '"')) if chars.next_if(|&(_, c)| c == '"').is_some() => {
                            inside.push('"')
                        }
                        Some((_, '"')) => break,
                        Some((_, c)) => inside.push(c),
                        None => {
                            return Err(format!(
                                "the quote (\") at character {} is never closed (a quote inside a phrase is written twice: \"\")",
                                text[..at].chars().count() + 1
                            ));
                        }
                    }
                }
                Token::Quoted(inside)
            }
            '(' => Token::Open,
            ')' => Token::Close,
            '{' => Token::OpenBrace,
            '}' => Token::CloseBrace,
            ':' => Token::Colon,
            ',' => Token::Comma,
            '+' => Token::Plus,
            '*' => Token::Star,
            '^' => Token::Caret,
            '-' => Token::Minus,
            _ => {
                let mut end = at + c.len_utf8();
                while let Some((next, c)) =
                    chars.next_if(|&(_, c)| !(c.is_whitespace() || c.is_control() || is_syntax(c)))
                {
                    end = next + c.len_utf8();
                }
                match &text[at..end] {
                    "AND" => Token::And,
                    "OR" => Token::Or,
                    "NOT" => Token::Not,
                    word => Token::Word(word.to_string()),
                }
            }
        };
        tokens.push(token);
    }
    Ok(tokens)
}

/// A recursive descent over FTS5's grammar, with its precedence (words
/// side by side bind first, then NOT, AND, OR), writing the query back
/// with every word quoted and every group in parentheses.
struct Parser {
    tokens: Vec<Token>,
    at: usize,
    depth: usize,
    words: usize,
    /// Each phrase as written back, for [`Query::any_phrase`].
    phrases: Vec<String>,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }

    fn peek_at(&self, ahead: usize) -> Option<&Token> {
        self.tokens.get(self.at + ahead)
    }

    fn next(&mut self) -> Option<Token> {
        let token = self.tokens.get(self.at).cloned();
        self.at += 1;
        token
    }

    fn eat(&mut self, token: &Token) -> bool {
        if self.peek() == Some(token) {
            self.at += 1;
            true
        } else {
            false
        }
    }

    /// A binary operator's right or left side that is missing.
    fn wants_sides(&self, operator: &str) -> String {
        let example = match operator {
            "NOT" => "beans NOT grinder: what follows NOT is left out of what comes before it",
            "AND" => "beans AND grinder",
            _ => "beans OR grinder",
        };
        format!(
            "{operator} needs words on both sides ({example}); to look for the word itself, write it in lower case"
        )
    }

    fn binary(
        &mut self,
        operator: Token,
        name: &str,
        side: fn(&mut Parser) -> Result<String, String>,
    ) -> Result<String, String> {
        if self.peek() == Some(&operator) {
            return Err(self.wants_sides(name));
        }
        let mut left = side(self)?;
        while self.eat(&operator) {
            if !self.starts_part() {
                return Err(self.wants_sides(name));
            }
            let right = side(self)?;
            left = format!("({left}) {name} ({right})");
        }
        Ok(left)
    }

    fn or(&mut self) -> Result<String, String> {
        self.binary(Token::Or, "OR", Parser::and)
    }

    fn and(&mut self) -> Result<String, String> {
        self.binary(Token::And, "AND", Parser::not)
    }

    fn not(&mut self) -> Result<String, String> {
        self.binary(Token::Not, "NOT", Parser::side_by_side)
    }

    /// Whether the next token begins something to look for.
    fn starts_part(&self) -> bool {
        matches!(
            self.peek(),
            Some(
                Token::Word(_)
                    | Token::Quoted(_)
                    | Token::Open
                    | Token::OpenBrace
                    | Token::Minus
                    | Token::Caret
            )
        )
    }

    /// Parts side by side, all wanted. Commas between them read as
    /// spaces: people list words so.
    fn side_by_side(&mut self) -> Result<String, String> {
        let mut parts: Vec<(String, bool)> = Vec::new();
        loop {
            while self.eat(&Token::Comma) {}
            if !self.starts_part() {
                break;
            }
            parts.push(self.part()?);
        }
        if parts.is_empty() {
            return Err(match self.peek() {
                None if self.depth > 0 => "a '(' is never closed".into(),
                None => "it has no words to look for".into(),
                Some(Token::Close) => "a ')' closes no '(', or a '(' holds nothing".into(),
                Some(Token::Star) => {
                    "a '*' ends a word, to find every word it begins (refund*)".into()
                }
                Some(Token::Plus) => "a '+' joins two words into a phrase (sofa + cushion)".into(),
                Some(Token::Colon) => "a ':' follows a column's name (title:voucher)".into(),
                Some(Token::CloseBrace) => "a '}' closes no '{'".into(),
                Some(other) => format!("{} is out of place", other.shown()),
            });
        }
        // Each part is written as FTS5 reads it side by side, except a
        // group, which FTS5 only takes joined by AND.
        let mut out = String::new();
        for (i, (text, group)) in parts.iter().enumerate() {
            if i > 0 {
                out.push_str(if *group || parts[i - 1].1 {
                    " AND "
                } else {
                    " "
                });
            }
            out.push_str(text);
        }
        Ok(out)
    }

    /// One thing to look for, maybe in named columns; and whether it is
    /// a group in parentheses.
    fn part(&mut self) -> Result<(String, bool), String> {
        let columns = self.columns()?;
        let prefix = columns.map(|c| format!("{c} : ")).unwrap_or_default();
        if self.eat(&Token::Open) {
            self.depth += 1;
            if self.depth > MOST_DEPTH {
                return Err(format!("it nests parentheses more than {MOST_DEPTH} deep"));
            }
            let inside = self.or()?;
            if !self.eat(&Token::Close) {
                return Err(match self.peek() {
                    None => "a '(' is never closed".into(),
                    Some(other) => format!("{} is out of place", other.shown()),
                });
            }
            self.depth -= 1;
            return Ok((format!("{prefix}({inside})"), true));
        }
        if matches!(self.peek(), Some(Token::Word(w)) if w == "NEAR")
            && self.peek_at(1) == Some(&Token::Open)
        {
            self.at += 2;
            return Ok((format!("{prefix}{}", self.near()?), false));
        }
        let caret = if self.eat(&Token::Caret) { "^" } else { "" };
        if !matches!(self.peek(), Some(Token::Word(_) | Token::Quoted(_))) {
            return Err(if caret.is_empty() {
                match self.peek() {
                    None => "a column's name is followed by what to look for in it (title:voucher)"
                        .into(),
                    Some(other) => format!("{} is out of place", other.shown()),
                }
            } else {
                "a '^' begins a word, to find it first in its column (^refund)".into()
            });
        }
        Ok((format!("{prefix}{caret}{}", self.phrase()?), false))
    }

    /// The columns named before a ':', if any: `title`, `-title`,
    /// `{title summary}`, `-{notes customer}`.
    fn columns(&mut self) -> Result<Option<String>, String> {
        let minus = self.peek() == Some(&Token::Minus);
        let start = self.at;
        if minus {
            self.at += 1;
        }
        let names: Vec<String> = match self.peek() {
            Some(Token::OpenBrace) => {
                self.at += 1;
                let mut names = Vec::new();
                loop {
                    match self.next() {
                        Some(Token::Word(w)) => names.push(w),
                        Some(Token::CloseBrace) => break,
                        _ => {
                            return Err(
                                "a '{' holds column names and a '}' closes it ({title summary}:refund)"
                                    .into(),
                            );
                        }
                    }
                }
                if names.is_empty() {
                    return Err("'{}' names no column ({title summary}:refund)".into());
                }
                if !self.eat(&Token::Colon) {
                    return Err(
                        "columns in '{' '}' are followed by ':' and what to look for in them ({title summary}:refund)"
                            .into(),
                    );
                }
                names
            }
            Some(Token::Word(w)) if self.peek_at(1) == Some(&Token::Colon) => {
                let name = w.clone();
                self.at += 2;
                vec![name]
            }
            _ if minus => {
                let word = match self.peek() {
                    Some(Token::Word(w)) => format!("'-{w}'"),
                    _ => "'-'".into(),
                };
                return Err(format!(
                    "{word}: a '-' leaves out a column (-customer:lopez); to leave out a word, write NOT before it (refund NOT courier), and quote a word that begins with '-'"
                ));
            }
            _ => {
                self.at = start;
                return Ok(None);
            }
        };
        let mut known = Vec::with_capacity(names.len());
        for name in &names {
            let lower = name.to_lowercase();
            match COLUMNS.iter().find(|c| **c == lower) {
                Some(column) => known.push(*column),
                None => {
                    return Err(format!(
                        "'{name}' is not a column to search in: title, summary, notes or customer (quote a word holding a ':', as \"10:30\")"
                    ));
                }
            }
        }
        let minus = if minus { "-" } else { "" };
        Ok(Some(if known.len() == 1 {
            format!("{minus}{}", known[0])
        } else {
            format!("{minus}{{{}}}", known.join(" "))
        }))
    }

    /// Words joined by '+' into one phrase, each maybe a prefix.
    fn phrase(&mut self) -> Result<String, String> {
        let mut out = self.term()?;
        while self.eat(&Token::Plus) {
            if !matches!(self.peek(), Some(Token::Word(_) | Token::Quoted(_))) {
                return Err("a '+' joins two words into a phrase (sofa + cushion)".into());
            }
            out.push_str(" + ");
            out.push_str(&self.term()?);
        }
        self.phrases.push(out.clone());
        Ok(out)
    }

    /// A word or a quoted phrase, quoted anew, maybe with a '*'.
    fn term(&mut self) -> Result<String, String> {
        let text = match self.next() {
            Some(Token::Word(w)) => w,
            Some(Token::Quoted(q)) => q,
            _ => return Err("a word is missing".into()),
        };
        self.words += text.split_whitespace().count().max(1);
        let star = if self.eat(&Token::Star) { "*" } else { "" };
        Ok(format!("{}{star}", quoted(&text)))
    }

    /// `NEAR(` read: phrases, then maybe `, N`, then `)`.
    fn near(&mut self) -> Result<String, String> {
        const SHAPE: &str = "NEAR takes words and at most how many words apart they may be: NEAR(refund courier, 5)";
        let mut phrases = Vec::new();
        while matches!(self.peek(), Some(Token::Word(_) | Token::Quoted(_))) {
            phrases.push(self.phrase()?);
        }
        if phrases.is_empty() {
            return Err(SHAPE.into());
        }
        let mut distance = String::new();
        if self.eat(&Token::Comma) {
            match self.next() {
                Some(Token::Word(n)) if n.chars().all(|c| c.is_ascii_digit()) && n.len() <= 9 => {
                    distance = format!(", {n}");
                }
                _ => return Err(SHAPE.into()),
            }
        }
        if !self.eat(&Token::Close) {
            return Err(SHAPE.into());
        }
        Ok(format!("NEAR({}{distance})", phrases.join(" ")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fts5(text: &str) -> String {
        read(text).unwrap_or_else(|e| panic!("{text}: {e}")).fts5
    }

    fn refused(text: &str) -> String {
        read(text).expect_err(text)
    }

    #[test]
    fn words_are_quoted_and_punctuation_stays_inside_them() {
        assert_eq!(fts5("refund"), "\"refund\"");
        assert_eq!(fts5("A-1001"), "\"A-1001\"");
        assert_eq!(
            fts5("maria@example.com don't"),
            "\"maria@example.com\" \"don't\""
        );
        assert_eq!(fts5("refund*"), "\"refund\"*");
        assert_eq!(fts5("\"sofa \"\"cushion\"\"\""), "\"sofa \"\"cushion\"\"\"");
        assert_eq!(fts5("refund, courier"), "\"refund\" \"courier\"");
        assert_eq!(fts5("sofa + cushion"), "\"sofa\" + \"cushion\"");
        assert_eq!(fts5("^refund"), "^\"refund\"");
        let query = read("a NOT (b + c* OR NEAR(d e, 2)) title:^f").unwrap();
        assert_eq!(
            query.any_phrase,
            "\"a\" OR \"b\" + \"c\"* OR \"d\" OR \"e\" OR \"f\""
        );
        assert_eq!(query.phrases, 5);
        // Lower-case operators are words, as FTS5 reads them.
        assert_eq!(fts5("and or not near"), "\"and\" \"or\" \"not\" \"near\"");
    }

    #[test]
    fn operators_keep_fts5s_precedence_in_parentheses() {
        assert_eq!(fts5("a OR b AND c"), "(\"a\") OR ((\"b\") AND (\"c\"))");
        assert_eq!(fts5("a NOT b c"), "(\"a\") NOT (\"b\" \"c\")");
        assert_eq!(fts5("(a OR b) c"), "((\"a\") OR (\"b\")) AND \"c\"");
        assert_eq!(
            fts5("title:(a b) -{notes CUSTOMER}:c"),
            "title : (\"a\" \"b\") AND -{notes customer} : \"c\""
        );
        assert_eq!(
            fts5("NEAR(refund courier, 5)"),
            "NEAR(\"refund\" \"courier\", 5)"
        );
        assert_eq!(fts5("customer: NEAR(a b)"), "customer : NEAR(\"a\" \"b\")");
    }

    #[test]
    fn every_malformed_search_is_refused_saying_what_is_wrong() {
        for (text, says) in [
            ("", "no words"),
            ("   ", "no words"),
            ("AND", "AND needs words on both sides"),
            ("sofa AND", "AND needs words on both sides"),
            ("NOT x", "NOT needs words on both sides"),
            ("x OR", "OR needs words on both sides"),
            (
                "\"unterminated",
                "quote (\") at character 1 is never closed",
            ),
            ("refund -courier", "to leave out a word, write NOT"),
            ("-", "a '-' leaves out a column"),
            ("colour:red", "'colour' is not a column"),
            ("*", "'*' ends a word"),
            ("*refund", "'*' ends a word"),
            ("(", "'(' is never closed"),
            (")", "closes no '('"),
            ("a)", "closes no '('"),
            ("()", "'(' holds nothing"),
            ("title:", "followed by what to look for"),
            ("{title summary}", "followed by ':'"),
            ("{}:x", "names no column"),
            ("NEAR(", "NEAR takes words"),
            ("NEAR(a b, x)", "NEAR takes words"),
            ("^", "'^' begins a word"),
            ("a +", "'+' joins two words"),
            ("\"a\" +", "'+' joins two words"),
        ] {
            let why = refused(text);
            assert!(why.contains(says), "{text}: {why}");
            assert!(
                !why.contains("fts5") && !why.contains('\n'),
                "{text}: {why}"
            );
        }
    }

    #[test]
    fn a_search_too_long_too_wordy_or_too_deep_is_refused() {
        assert!(refused(&"refund ".repeat(400)).contains("bytes long"));
        assert!(refused(&"a ".repeat(MOST_WORDS + 1)).contains("at most 64"));
        assert!(read(&"a ".repeat(MOST_WORDS)).is_ok());
        let deep = format!("{}a{}", "(".repeat(20), ")".repeat(20));
        assert!(refused(&deep).contains("more than 16 deep"));
        assert!(refused(&"(".repeat(2000)).contains("more than 16 deep"));
    }

    #[test]
    fn a_refusal_quotes_a_long_search_cut_short() {
        let err = Query::read(&format!("{} AND", "word ".repeat(30))).unwrap_err();
        let text = err.to_string();
        assert!(text.starts_with("'word word"), "{text}");
        assert!(text.contains("…' is not a search"), "{text}");
        assert!(text.len() < 250, "{text}");
    }
}
