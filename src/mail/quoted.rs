//! The earlier text a reply quotes is already on the record: keep only
//! what the customer wrote this time.
//!
//! A reply's body is cut at the line that introduces the quoted message
//! ("On … wrote:", and the common forms of other languages and mailers,
//! even when a mailer wrapped it over two lines; when it names an address
//! or `>` lines follow it, as a mailer writes it), and the `>` lines left
//! at its end are dropped. Quoted lines in the middle, answered one by
//! one, are kept: they are the context of what follows them.

/// Endings of an attribution line, lower-cased: "On Mon, 2 Nov 2026,
/// Ana <ana@example.com> wrote:", "Am … schrieb Ana:", "Le … a écrit :"…
const WROTE: &[&str] = &[
    "wrote:",
    "writes:",
    "schrieb:",
    "a écrit :",
    "a écrit:",
    "escribió:",
    "ha scritto:",
    "schreef:",
    "escreveu:",
    "skrev:",
    "kirjoitti:",
    "napisał(a):",
    "napisał:",
];

/// Beginnings of an attribution line, lower-cased, paired with the
/// endings above: "On …", "Am …", "Le …", "El …", "Il …", "Op …", "Em …",
/// "Den …", "Dnia …".
const ON: &[&str] = &[
    "on ", "am ", "le ", "el ", "il ", "op ", "em ", "den ", "dnia ", "w dniu ",
];

/// Lines that start a forwarded or quoted message in Outlook and others.
const SEPARATORS: &[&str] = &[
    "-----original message-----",
    "----- original message -----",
    "-----ursprüngliche nachricht-----",
    "-------- original message --------",
    "-------- message original --------",
    "-------- ursprüngliche nachricht --------",
];

/// `body` without the message it quotes; the whole of it when that would
/// leave nothing (a reply that is all quote, or a line that only looks
/// like an attribution at its top). Line breaks are `\n`.
pub fn cut(body: &str) -> String {
    let lines: Vec<&str> = body.lines().collect();
    let end = attribution(&lines).unwrap_or(lines.len());
    let mut kept = &lines[..end];
    // Quoted lines (and blanks) at the end answer nothing.
    while let Some((last, rest)) = kept.split_last() {
        let trimmed = last.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('>') {
            kept = rest;
        } else {
            break;
        }
    }
    let kept = kept.join("\n").trim_end().to_string();
    if kept.trim().is_empty() {
        return body.trim_end().to_string();
    }
    kept
}

/// The index of the first line that introduces quoted text, if any.
fn attribution(lines: &[&str]) -> Option<usize> {
    for (i, line) in lines.iter().enumerate() {
        let lower = line.trim().to_lowercase();
        if lower.is_empty() {
            continue;
        }
        if SEPARATORS.iter().any(|s| lower.starts_with(s)) {
            return Some(i);
        }
        if outlook_header(lines, i) {
            return Some(i);
        }
        if !ON.iter().any(|on| lower.starts_with(on)) {
            continue;
        }
        if ends_like_wrote(&lower) && introduces(&lower, &lines[i + 1..]) {
            return Some(i);
        }
        // A mailer may wrap a long attribution: "On …, Ana\n<ana@…> wrote:".
        if let Some(next) = lines.get(i + 1) {
            let joined = format!("{lower} {}", next.trim().to_lowercase());
            if ends_like_wrote(&joined)
                && next.trim().len() < 80
                && introduces(&joined, &lines[i + 2..])
            {
                return Some(i);
            }
        }
    }
    None
}

/// Whether an "On … wrote:" line is a mailer's attribution, not the
/// customer telling what someone wrote ("On Monday your driver wrote:"
/// and their own words after it): a mailer names the writer's address,
/// or quotes what follows with `>`.
fn introduces(attribution: &str, after: &[&str]) -> bool {
    attribution.contains('@')
        || after
            .iter()
            .map(|line| line.trim_start())
            .find(|line| !line.is_empty())
            .is_some_and(|line| line.starts_with('>'))
}

fn ends_like_wrote(lower: &str) -> bool {
    WROTE.iter().any(|w| {
        lower.ends_with(w)
            // "Am …, schrieb Ana <ana@example.com>:", "Op … schreef Ana:"
            // name the writer last.
            || (lower.ends_with(':') && lower.contains(&format!(" {} ", w.trim_end_matches(':').trim_end())))
    })
}

/// Outlook quotes as a header block: "From: …" then "Sent: …" or "Date: …"
/// (or their German forms) on the next lines.
fn outlook_header(lines: &[&str], i: usize) -> bool {
    let lower = lines[i].trim().to_lowercase();
    let is_from = ["from:", "von:", "de :", "de:"]
        .iter()
        .any(|f| lower.starts_with(f));
    if !is_from {
        return false;
    }
    // "Sent:" is Outlook's own word. "Date:" is also what a customer
    // writes in a letter they paste ("From: Maria\nDate: 2 November"),
    // so it starts the quote only under a From: that names an address,
    // as a mailer's header block does.
    let sent = ["sent:", "gesendet:", "envoyé :", "envoyé:"];
    let dated = ["date:", "datum:"];
    let names_address = lower.contains('@');
    lines.iter().skip(i + 1).take(3).any(|next| {
        let next = next.trim().to_lowercase();
        sent.iter().any(|s| next.starts_with(s))
            || (names_address && dated.iter().any(|s| next.starts_with(s)))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_attribution_and_everything_after_it_is_cut() {
        let body = "Still no refund.\n\nMaria\n\nOn Fri, 20 Nov 2026 at 10:00, Ferncliff <support@ferncliff.example> wrote:\n> We are sorry.\n> Ana\n";
        assert_eq!(cut(body), "Still no refund.\n\nMaria");
    }

    #[test]
    fn a_wrapped_attribution_is_found_across_two_lines() {
        let body = "Thanks.\n\nOn Fri, 20 Nov 2026 at 10:00, Ferncliff Support\n<support@ferncliff.example> wrote:\n\n> Hello";
        assert_eq!(cut(body), "Thanks.");
    }

    #[test]
    fn localized_attributions_are_cut() {
        for attribution in [
            "Am 20.11.2026 um 10:00 schrieb Ferncliff Support <support@ferncliff.example>:",
            "Le ven. 20 nov. 2026 à 10:00, Ferncliff <support@ferncliff.example> a écrit :",
            "El vie, 20 nov 2026 a las 10:00, Ferncliff escribió:",
            "Op vr 20 nov. 2026 om 10:00 schreef Ferncliff:",
            "-----Original Message-----",
        ] {
            let body = format!("Danke.\n\n{attribution}\n> Text");
            assert_eq!(cut(&body), "Danke.", "{attribution}");
        }
    }

    #[test]
    fn an_outlook_header_block_starts_the_quote() {
        let body = "See below.\n\nFrom: Ferncliff Support <support@ferncliff.example>\nSent: Friday, 20 November 2026 10:00\nTo: Maria\nSubject: Refund\n\nWe are sorry.";
        assert_eq!(cut(body), "See below.");
    }

    #[test]
    fn quoted_lines_at_the_end_go_but_answers_in_between_stay() {
        let body =
            "> Did it arrive?\nNo, it did not.\n> Which colour?\nBlue.\n\n> Ana\n> Ferncliff\n";
        assert_eq!(
            cut(body),
            "> Did it arrive?\nNo, it did not.\n> Which colour?\nBlue."
        );
    }

    #[test]
    fn a_letter_pasted_in_a_reply_is_not_taken_for_a_header_block() {
        let body = "What I sent the courier:\n\nFrom: Maria Lopez\nDate: 2 November 2026\nThe kettle leaks.\n\nPlease answer.";
        assert_eq!(cut(body), body);
        let body = "See below.\n\nFrom: Ferncliff <support@ferncliff.example>\nDate: Fri, 20 Nov 2026 10:00\nSubject: Refund\n\nWe are sorry.";
        assert_eq!(cut(body), "See below.");
        let body = "See below.\n\nFrom: Ferncliff Support\nSent: Friday, 20 November 2026 10:00\n\nWe are sorry.";
        assert_eq!(cut(body), "See below.");
    }

    #[test]
    fn a_cut_never_leaves_nothing() {
        let body = "From: Paul <paul@example.com>\nSent: Friday, 20 November 2026 10:00\nSubject: Grinder\n\nIt died.";
        assert_eq!(cut(body), body);
        assert_eq!(cut("> only\n> a quote"), "> only\n> a quote");
    }

    #[test]
    fn what_someone_wrote_told_in_the_customers_own_words_is_kept() {
        let body = "Thanks for the reply.\n\nOn Monday your driver wrote:\n\"the parcel was delivered\"\n\nThat is not true!";
        assert_eq!(cut(body), body);
        // Quoted after it, or naming an address, it is an attribution.
        let body = "Thanks.\n\nOn Monday Ana wrote:\n\n> We are sorry.";
        assert_eq!(cut(body), "Thanks.");
        let body =
            "Thanks.\n\nOn Mon, 2 Nov 2026, Ana <ana@ferncliff.example> wrote:\nWe are sorry.";
        assert_eq!(cut(body), "Thanks.");
    }

    #[test]
    fn text_that_merely_mentions_writing_is_kept() {
        let body = "On Monday I wrote to you about the grinder.\nIt is still broken.";
        assert_eq!(cut(body), body);
        let body = "From: the shop, I expected better.\nRegards";
        assert_eq!(cut(body), body);
    }
}
