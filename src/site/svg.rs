//! Charts as inline SVG, made by hand: the site must work opened from
//! disk with no script and no network, so a chart is markup, not code.
//!
//! Two shapes cover the site: vertical bars stacked by series (complaints
//! per week by category) and horizontal bars of shares (within target,
//! satisfied, reopened). Every label is text from the log (categories are
//! typed by people), so each passes through [`escape`]; numbers are
//! written by this module. Colours come from a fixed palette, so a chart
//! reads the same on every run.

use std::fmt::Write;
use unicode_segmentation::UnicodeSegmentation;

/// Colours for series, in order; the last one repeats for the rest.
const PALETTE: &[&str] = &[
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7",
    "#9c755f", "#bab0ac",
];

/// Text for an SVG text node or attribute value: shown as the rest of
/// the site shows case text (control and bidirectional characters as
/// visible escapes, by [`crate::untrusted`]'s one rule), on one line,
/// then escaped for markup.
pub fn escape(text: &str) -> String {
    // A likely card number masked, as the pages mask it (labels are
    // names, which allow none).
    let masked = crate::case::card::masked(text);
    let shown = super::without_noncharacters(&crate::untrusted::line(&masked));
    let mut out = String::with_capacity(shown.len());
    for c in shown.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The colour of the `index`-th series.
pub fn colour(index: usize) -> &'static str {
    PALETTE[index.min(PALETTE.len() - 1)]
}

/// One series of a stacked bar chart: its name and one value per bar.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub name: String,
    /// The name is caselog's (no category, 3 others), not typed by
    /// anyone: set in italics, so no category named alike passes for it.
    pub ours: bool,
    pub values: Vec<usize>,
}

/// How wide one of the legend's three columns is.
const LEGEND_COLUMN: f64 = 190.0;

/// How many columns (as a terminal counts them: a wide character is two)
/// of a name fit in a legend column, at the legend's font size.
const LEGEND_WIDTH: usize = 26;

/// `name` as the legend shows it (shown as the rest of the site shows
/// case text), and whether it was cut: whole when it fits its column,
/// else cut short with "…" between two characters, never inside the
/// visible escape of one.
fn legend_words(name: &str) -> (String, bool) {
    let shown = crate::untrusted::line(name);
    if unicode_width::UnicodeWidthStr::width(shown.as_ref()) <= LEGEND_WIDTH {
        return (shown.into_owned(), false);
    }
    let mut out = String::new();
    let mut width = 0;
    // Cut between user-perceived characters, each made safe as it stands
    // in the whole name (a joiner in an emoji sequence is kept).
    for (at, character) in name.grapheme_indices(true) {
        let piece = crate::untrusted::line_of(name, at..at + character.len());
        width += unicode_width::UnicodeWidthStr::width(piece.as_ref());
        if width >= LEGEND_WIDTH {
            break;
        }
        out.push_str(&piece);
    }
    out.push('…');
    (out, true)
}

/// A round step for an axis from 0 to `max`, about five ticks.
fn tick_step(max: usize) -> usize {
    let rough = max.div_ceil(5).max(1);
    let mut step = 1;
    loop {
        for m in [1, 2, 5] {
            if step * m >= rough {
                return step * m;
            }
        }
        step *= 10;
    }
}

/// Vertical bars, one per label, each stacked by series, with a y axis of
/// counts, the labels below (thinned out when many) and a legend.
/// `title` names the chart for screen readers.
pub fn stacked_bars(title: &str, labels: &[String], series: &[Series]) -> String {
    let totals: Vec<usize> = (0..labels.len())
        .map(|i| {
            series
                .iter()
                .map(|s| s.values.get(i).copied().unwrap_or(0))
                .sum()
        })
        .collect();
    let most = totals.iter().copied().max().unwrap_or(0).max(1);
    let step = tick_step(most);
    let top = most.div_ceil(step) * step;
    let (left, right, upper, plot_h) = (40.0, 10.0, 10.0, 200.0);
    let legend_rows = series.len().div_ceil(3);
    // The labels are periods as caselog writes them (2026-11-15,
    // 2026-W46): digits and dashes, about 7 px each at this size.
    let label_w = labels.iter().map(|l| l.chars().count()).max().unwrap_or(0) as f64 * 7.0;
    // Each bar has a slot of its own; when few, a slot is wide enough
    // for its label, so every bar is labelled.
    let count = labels.len().max(1) as f64;
    let mut bar_w = (560.0 / count).clamp(4.0, 40.0);
    if count * (label_w + 8.0) <= 560.0 {
        bar_w = bar_w.max(label_w + 8.0);
    }
    // A bar is at most 38 px wide, in the middle of its slot.
    let (bar_x, bar_width) = {
        let drawn = bar_w.min(40.0);
        ((bar_w - drawn) / 2.0 + 1.0, (drawn - 2.0).max(1.0))
    };
    let plot_w = bar_w * count;
    // Wide enough for the legend's three columns, however few the bars,
    // and for the last label, which starts at the last bar.
    let last_x = left + bar_w * labels.len().saturating_sub(1) as f64;
    let width = (left + plot_w + right).max(last_x + label_w).max(610.0);
    let height = upper + plot_h + 40.0 + 18.0 * legend_rows as f64;
    let y = |v: usize| upper + plot_h - plot_h * v as f64 / top as f64;
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 {width:.0} {height:.0}" width="{width:.0}" height="{height:.0}"><title>{}</title>"#,
        escape(title)
    );
    // The y axis: gridlines with their counts.
    let mut tick = 0;
    while tick <= top {
        let ty = y(tick);
        let _ = write!(
            svg,
            r##"<line x1="{left}" y1="{ty:.1}" x2="{:.1}" y2="{ty:.1}" stroke="#ddd"/><text x="{:.0}" y="{:.1}" text-anchor="end" font-size="11">{tick}</text>"##,
            left + plot_w,
            left - 4.0,
            ty + 4.0
        );
        tick += step;
    }
    let _ = write!(
        svg,
        r##"<line class="axis" x1="{left}" y1="{upper}" x2="{left}" y2="{:.1}" stroke="#333"/><line class="axis" x1="{left}" y1="{:.1}" x2="{:.1}" y2="{:.1}" stroke="#333"/>"##,
        upper + plot_h,
        upper + plot_h,
        left + plot_w,
        upper + plot_h
    );
    // At most eight labels, each clear of the next: the last (the latest
    // complaints) and every n-th before it show.
    let every = labels
        .len()
        .div_ceil(8)
        .max(((label_w + 8.0) / bar_w).ceil() as usize)
        .max(1);
    for (i, label) in labels.iter().enumerate() {
        let x = left + bar_w * i as f64;
        let mut base = 0;
        for (s, one) in series.iter().enumerate() {
            let value = one.values.get(i).copied().unwrap_or(0);
            if value == 0 {
                continue;
            }
            let (y0, y1) = (y(base), y(base + value));
            let _ = write!(
                svg,
                r#"<rect class="bar" x="{:.1}" y="{y1:.1}" width="{:.1}" height="{:.1}" fill="{}"><title>{}: {} {value}</title></rect>"#,
                x + bar_x,
                bar_width,
                y0 - y1,
                colour(s),
                escape(label),
                escape(&one.name)
            );
            base += value;
        }
        if (labels.len() - 1 - i).is_multiple_of(every) {
            let _ = write!(
                svg,
                r#"<text class="label" x="{:.1}" y="{:.1}" font-size="11">{}</text>"#,
                x,
                upper + plot_h + 16.0,
                escape(label)
            );
        }
    }
    for (s, one) in series.iter().enumerate() {
        let lx = left + LEGEND_COLUMN * (s % 3) as f64;
        let ly = upper + plot_h + 32.0 + 18.0 * (s / 3) as f64;
        // A name is held to its column (a nested viewport clips it), so a
        // long one cannot run over its neighbour; cut short, it says so
        // with "…" and its tooltip has it whole.
        let (shown, cut) = legend_words(&one.name);
        let tooltip = match cut {
            true => format!("<title>{}</title>", escape(&one.name)),
            false => String::new(),
        };
        let _ = write!(
            svg,
            r#"<rect x="{lx:.0}" y="{:.0}" width="10" height="10" fill="{}"/><svg class="legend-box" x="{:.0}" y="{:.0}" width="{:.0}" height="16" overflow="hidden">{tooltip}<text class="legend" x="0" y="13" font-size="11"{}>{}</text></svg>"#,
            ly - 9.0,
            colour(s),
            lx + 14.0,
            ly - 13.0,
            LEGEND_COLUMN - 20.0,
            if one.ours {
                r#" font-style="italic""#
            } else {
                ""
            },
            escape(&shown)
        );
    }
    svg.push_str("</svg>");
    svg
}

/// One bar of a share chart: what it measures and the share, absent when
/// there was nothing to measure.
#[derive(Debug, Clone, PartialEq)]
pub struct Share {
    pub label: String,
    pub share: Option<f64>,
}

/// Horizontal bars from 0 % to 100 %, one per share, each with its value
/// written beside it ("—" when not measured), and an axis marked at each
/// quarter.
pub fn share_bars(title: &str, shares: &[Share]) -> String {
    let (left, plot_w, row_h, upper) = (190.0, 360.0, 26.0, 8.0);
    let width = left + plot_w + 60.0;
    let plot_h = row_h * shares.len() as f64;
    let height = upper + plot_h + 24.0;
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 {width:.0} {height:.0}" width="{width:.0}" height="{height:.0}"><title>{}</title>"#,
        escape(title)
    );
    for quarter in 0..=4 {
        let x = left + plot_w * quarter as f64 / 4.0;
        let _ = write!(
            svg,
            r##"<line x1="{x:.1}" y1="{upper}" x2="{x:.1}" y2="{:.1}" stroke="#ddd"/><text x="{x:.1}" y="{:.1}" text-anchor="middle" font-size="11">{}%</text>"##,
            upper + plot_h,
            upper + plot_h + 16.0,
            quarter * 25
        );
    }
    let _ = write!(
        svg,
        r##"<line class="axis" x1="{left}" y1="{upper}" x2="{left}" y2="{:.1}" stroke="#333"/>"##,
        upper + plot_h
    );
    for (i, one) in shares.iter().enumerate() {
        let ty = upper + row_h * i as f64;
        let _ = write!(
            svg,
            r#"<text class="label" x="{:.0}" y="{:.1}" text-anchor="end" font-size="12">{}</text>"#,
            left - 6.0,
            ty + row_h / 2.0 + 4.0,
            escape(&one.label)
        );
        let value = match one.share {
            Some(share) => {
                let share = share.clamp(0.0, 1.0);
                let _ = write!(
                    svg,
                    r#"<rect class="bar" x="{left}" y="{:.1}" width="{:.1}" height="{:.1}" fill="{}"/>"#,
                    ty + 4.0,
                    plot_w * share,
                    row_h - 8.0,
                    colour(i)
                );
                format!("{:.0}%", share * 100.0)
            }
            None => "—".to_string(),
        };
        let _ = write!(
            svg,
            r#"<text class="value" x="{:.0}" y="{:.1}" font-size="12">{value}</text>"#,
            left + plot_w + 6.0,
            ty + row_h / 2.0 + 4.0
        );
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    fn count(svg: &str, what: &str) -> usize {
        svg.matches(what).count()
    }

    #[test]
    fn escape_leaves_no_markup_and_no_controls() {
        assert_eq!(
            escape("<b>\"a\" & 'b'</b>\u{1b}"),
            "&lt;b&gt;&quot;a&quot; &amp; &#39;b&#39;&lt;/b&gt;\\u{1b}"
        );
    }

    #[test]
    fn escape_shows_every_hazardous_character_as_the_site_does() {
        for c in [
            '\u{202e}',
            '\u{2066}',
            '\u{200f}',
            '\u{061c}',
            '\u{e0041}',
            '\u{85}',
        ] {
            let text = format!("fee{c}gnp.exe");
            let escaped = escape(&text);
            assert!(!escaped.contains(c), "{c:?} raw in {escaped}");
            assert_eq!(
                escaped,
                crate::untrusted::line(&text),
                "as the HTML tables show it"
            );
        }
        assert_eq!(escape("two\nlines"), "two ⏎ lines");
    }

    #[test]
    fn a_long_legend_name_is_cut_between_whole_characters() {
        let family = "👨\u{200D}👩\u{200D}👧";
        let name = format!("{} and a\u{200D}b", family.repeat(20));
        let (shown, cut) = legend_words(&name);
        assert!(cut, "{shown}");
        assert!(shown.starts_with(family), "{shown}");
        assert!(!shown.contains("\\u{200d}"), "a joiner that joins: {shown}");
        let whole = shown.trim_end_matches('…');
        assert!(whole.ends_with(family), "{shown}");
    }

    #[test]
    fn ticks_are_round() {
        assert_eq!(tick_step(0), 1);
        assert_eq!(tick_step(4), 1);
        assert_eq!(tick_step(7), 2);
        assert_eq!(tick_step(23), 5);
        assert_eq!(tick_step(120), 50);
    }

    #[test]
    fn stacked_bars_draw_one_rect_per_nonzero_value_with_axis_and_legend() {
        let labels = vec!["2026-W45".to_string(), "2026-W46".to_string()];
        let series = vec![
            Series {
                name: "billing".into(),
                ours: false,
                values: vec![2, 0],
            },
            Series {
                name: "<delivery>".into(),
                ours: false,
                values: vec![1, 3],
            },
            Series {
                name: "no category".into(),
                ours: true,
                values: vec![0, 0],
            },
        ];
        let svg = stacked_bars("Complaints per week", &labels, &series);
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert_eq!(count(&svg, r#"class="bar""#), 3);
        assert_eq!(count(&svg, r#"class="axis""#), 2);
        assert_eq!(count(&svg, r#"class="label""#), 2);
        assert_eq!(count(&svg, r#"class="legend""#), 3);
        assert_eq!(count(&svg, r#"font-style="italic">no category<"#), 1);
        assert!(svg.contains("&lt;delivery&gt;") && !svg.contains("<delivery>"));
        // The tallest bar (3) reaches the top of the axis (3, with step 1).
        assert!(
            svg.contains(">3</text>") && !svg.contains(">4</text>"),
            "{svg}"
        );
        // The legend fits however few the bars.
        assert!(svg.contains(r#"width="610""#), "{svg}");
    }

    #[test]
    fn the_latest_bar_is_labelled_however_many_there_are() {
        let labels: Vec<String> = (1990..=2026).map(|y| y.to_string()).collect();
        let mut values = vec![0; labels.len()];
        values[labels.len() - 1] = 3;
        let series = [Series {
            name: "billing".into(),
            ours: false,
            values,
        }];
        let svg = stacked_bars("per year", &labels, &series);
        assert!(count(&svg, r#"class="label""#) <= 9, "{svg}");
        assert!(svg.contains(">2026</text>"), "{svg}");
    }

    #[test]
    fn stacked_bars_of_nothing_still_draw_an_axis() {
        let svg = stacked_bars("none", &[], &[]);
        assert_eq!(count(&svg, r#"class="axis""#), 2);
        assert_eq!(count(&svg, r#"class="bar""#), 0);
    }

    #[test]
    fn share_bars_write_each_value_and_dash_for_unmeasured() {
        let svg = share_bars(
            "Rates",
            &[
                Share {
                    label: "satisfied".into(),
                    share: Some(0.75),
                },
                Share {
                    label: "reopened".into(),
                    share: None,
                },
            ],
        );
        assert_eq!(count(&svg, r#"class="bar""#), 1);
        assert!(svg.contains(">75%</text>") && svg.contains(">—</text>"));
        assert!(svg.contains(">100%</text>") && svg.contains(">0%</text>"));
        // 75 % of the 360-wide plot.
        assert!(svg.contains(r#"width="270.0""#), "{svg}");
    }
}
