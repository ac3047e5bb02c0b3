//! The author's note (`bio`) of a page without a profile.
//!
//! Owns: finding the note about the article's author, in one of two places. An
//! *author box* (an element the boilerplate marking dropped by its name, such as
//! `author-box` or `about-author`) whose running text speaks of one of the page's
//! authors; or, failing that, the body's last paragraphs when they open with an
//! author's name and a verb of a biography ("Jane Doe is a freelance writer…",
//! "Jane founded the studio in 2014…"). Such paragraphs leave the body: a note about
//! the writer is not the article, as in the profiles.
//!
//! Must not touch: the authors themselves (metadata decides them; with no author
//! there is no bio), the rest of the body, or any rule keyed to a site. The scans are
//! bounded: at most [`MAX_BOXES`] author boxes of at most [`BOX_MAX_BYTES`] each, the
//! last [`TAIL_BLOCKS`] blocks of the body.

use super::tree::{self, Tag, Tree, Why};
use crate::model::Block;
use crate::normalize;

/// Blocks at the end of the body that may be the author's note.
const TAIL_BLOCKS: usize = 3;
/// Author boxes looked at per page.
const MAX_BOXES: usize = 20;
/// Largest author box read (bytes of raw text): a bigger one is a team page or a
/// sidebar, not one writer's note.
const BOX_MAX_BYTES: u32 = 3000;
/// Nodes visited per paragraph or box when reading its text.
const BOX_MAX_NODES: usize = 2000;
/// A note is at least this long (characters) and at most [`NOTE_MAX`].
const NOTE_MIN: usize = 40;
/// Longest note kept.
const NOTE_MAX: usize = 1500;
/// A paragraph after the note that is this long (characters) is running text: the
/// paragraphs before it were the article's, not a closing note.
const LONG_PARAGRAPH: usize = 200;
/// Text (characters) the body must hold before a closing note for the note to leave it.
const ARTICLE_MIN: usize = 500;

/// Verbs that follow a writer's name in a biography.
const VERBS: &[&str] = &[
    "is",
    "was",
    "has",
    "have",
    "had",
    "founded",
    "co-founded",
    "writes",
    "wrote",
    "lives",
    "holds",
    "serves",
    "joined",
    "teaches",
    "covers",
    "leads",
    "works",
    "brings",
    "specializes",
    "specialises",
    "enjoys",
    "began",
    "started",
    "studied",
    "received",
    "earned",
    "graduated",
    "reports",
    "edits",
    "hosts",
];

/// Honorifics that may stand before a surname ("Dr. Vedala is …").
const HONORIFICS: &[&str] = &["Dr", "Mr", "Mrs", "Ms", "Prof", "Professor"];

/// The ways a note may name the writer: the full name, the given name alone, an
/// honorific with the surname. Only for names of two capitalised words or more (a
/// one-word "author" is usually a brand or a desk).
fn name_forms(authors: &[String]) -> Vec<String> {
    let mut forms = Vec::new();
    for a in authors {
        let words: Vec<&str> = a.split_whitespace().collect();
        let capitalised = |w: &&str| w.chars().next().is_some_and(char::is_uppercase);
        if words.len() < 2 || !words.iter().all(capitalised) {
            continue;
        }
        forms.push(words.join(" "));
        let given = words[0];
        if given.chars().count() >= 3 && given.chars().all(char::is_alphabetic) {
            forms.push(given.to_string());
        }
        if let Some(surname) = words.last() {
            for h in HONORIFICS {
                forms.push(format!("{h}. {surname}"));
                forms.push(format!("{h} {surname}"));
            }
        }
    }
    // Longest first, so "Jane Doe" is tried before "Jane".
    forms.sort_by_key(|f| std::cmp::Reverse(f.len()));
    forms.dedup();
    forms
}

/// Does `text` open as a biography of the writer: an optional "(" or "About the
/// author:", one of the name forms, an optional apposition (", a freelance writer,"),
/// then one of [`VERBS`]?
fn opens_as_bio(text: &str, forms: &[String]) -> bool {
    let mut s = text.trim_start_matches(|c: char| {
        c.is_whitespace() || matches!(c, '(' | '[' | '*' | '—' | '–' | '-')
    });
    for label in [
        "About the author:",
        "About the authors:",
        "About the author",
    ] {
        if let Some(rest) = s.strip_prefix(label) {
            s = rest.trim_start();
        }
    }
    forms.iter().any(|form| {
        let Some(rest) = s.strip_prefix(form.as_str()) else {
            return false;
        };
        // The name ends at a word boundary.
        if rest.chars().next().is_some_and(char::is_alphanumeric) {
            return false;
        }
        let mut rest = rest.trim_start();
        if let Some(r) = rest.strip_prefix(',') {
            // An apposition of a few words, closed by a comma.
            match r.find(',') {
                Some(end) if end <= 80 => rest = r[end + 1..].trim_start(),
                _ => return false,
            }
        }
        let verb = rest
            .split(|c: char| !(c.is_alphanumeric() || c == '-'))
            .next()
            .unwrap_or("");
        VERBS.contains(&verb)
    })
}

/// The author's note, taken out of `body` when it closes it. See the module doc.
pub fn find(t: &Tree<'_>, body: &mut Vec<Block>, authors: &[String]) -> Option<String> {
    let forms = name_forms(authors);
    if forms.is_empty() {
        return None;
    }
    from_author_box(t, &forms).or_else(|| from_body_tail(body, &forms))
}

/// The running text of the first author box that speaks of the writer: its
/// paragraphs from the first one that opens as a biography.
fn from_author_box(t: &Tree<'_>, forms: &[String]) -> Option<String> {
    let mut looked = 0;
    for (i, n) in t.nodes.iter().enumerate() {
        if !(n.junk_root && n.why == Why::AuthorBox) || n.raw_len > BOX_MAX_BYTES {
            continue;
        }
        looked += 1;
        if looked > MAX_BOXES {
            return None;
        }
        if let Some(note) = box_note(t, i as u32, forms) {
            return Some(note);
        }
    }
    None
}

/// The note inside one author box: the text of its paragraphs (or of the box, when
/// it has none) from the first that opens as a biography, headings and stand-alone
/// links left out ("About Jane Doe", "View all posts").
fn box_note(t: &Tree<'_>, root: u32, forms: &[String]) -> Option<String> {
    let mut paragraphs: Vec<String> = Vec::new();
    let mut buf = String::new();
    let end = super::subtree_end(t, root);
    let mut i = root;
    while i < end {
        if t.nodes[i as usize].tag == Tag::P {
            buf.clear();
            collect_prose(t, i, &mut buf);
            paragraphs.push(normalize::text(&buf));
            i = super::subtree_end(t, i);
        } else {
            i += 1;
        }
    }
    if paragraphs.is_empty() {
        buf.clear();
        collect_prose(t, root, &mut buf);
        paragraphs.push(normalize::text(&buf));
    }
    let start = paragraphs.iter().position(|p| opens_as_bio(p, forms))?;
    let note = paragraphs[start..]
        .iter()
        .filter(|p| !p.is_empty())
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(" ");
    (NOTE_MIN..=NOTE_MAX)
        .contains(&note.chars().count())
        .then_some(note)
}

/// Text below `root` in document order, without headings, scripts and links that
/// are the whole of their parent's text (a link inside a sentence stays: "she writes
/// for *The Times*"). Visits at most [`BOX_MAX_NODES`] nodes.
fn collect_prose(t: &Tree<'_>, root: u32, out: &mut String) {
    let end = super::subtree_end(t, root);
    let mut i = root;
    let mut seen = 0usize;
    while i < end && seen < BOX_MAX_NODES {
        seen += 1;
        let n = &t.nodes[i as usize];
        let skip = match n.tag {
            Tag::Text => {
                out.push_str(n.text);
                false
            }
            Tag::H(_) | Tag::Void | Tag::JsonLd | Tag::NoScript => true,
            Tag::A => i != root && stands_alone(t, i),
            tag => {
                if !tag.is_inline() {
                    out.push(' ');
                }
                false
            }
        };
        i = if skip {
            out.push(' ');
            super::subtree_end(t, i)
        } else {
            i + 1
        };
    }
}

/// Is the link at `a` the only text of its parent (a "View all posts" line, a social
/// icon), rather than a name inside a sentence?
fn stands_alone(t: &Tree<'_>, a: u32) -> bool {
    let n = &t.nodes[a as usize];
    let parent = n.parent;
    parent == tree::NONE || t.nodes[parent as usize].raw_len <= n.raw_len + 2
}

/// Paragraphs among the body's last [`TAIL_BLOCKS`] that open as the writer's
/// biography, when no long paragraph of other text follows them and at least
/// [`ARTICLE_MIN`] characters of article precede them: they leave the body and become
/// the note.
fn from_body_tail(body: &mut Vec<Block>, forms: &[String]) -> Option<String> {
    let from = body.len().saturating_sub(TAIL_BLOCKS);
    let is_note = |b: &Block| match b {
        Block::Paragraph { text } => {
            (NOTE_MIN..=NOTE_MAX).contains(&text.chars().count()) && opens_as_bio(text, forms)
        }
        _ => false,
    };
    let first = (from..body.len()).find(|&k| is_note(&body[k]))?;
    let long_other = body[first..].iter().any(|b| {
        !is_note(b)
            && matches!(b, Block::Paragraph { text } if text.chars().count() >= LONG_PARAGRAPH)
    });
    // The article stays: a page that is only the writer's note (an "About me" page)
    // keeps it as its body.
    let before: usize = body[..first].iter().map(|b| b.text().chars().count()).sum();
    if long_other || before < ARTICLE_MIN {
        return None;
    }
    let mut notes = Vec::new();
    let mut k = first;
    while k < body.len() {
        if is_note(&body[k]) {
            if let Block::Paragraph { text } = body.remove(k) {
                notes.push(text);
            }
        } else {
            k += 1;
        }
    }
    Some(notes.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn forms(names: &[&str]) -> Vec<String> {
        name_forms(&names.iter().map(|s| s.to_string()).collect::<Vec<_>>())
    }

    #[test]
    fn a_biography_opens_with_the_writer_and_a_verb() {
        let f = forms(&["Jane Doe"]);
        for yes in [
            "Jane Doe is a freelance writer based in Leeds.",
            "Jane founded the studio in 2014 to share her love of travel.",
            "(Jane Doe is an associate at the firm.)",
            "Dr. Doe teaches physics at the university.",
            "Jane Doe, a reporter for the Gazette, lives in Leeds.",
            "About the author: Jane Doe writes about food.",
        ] {
            assert!(opens_as_bio(yes, &f), "{yes}");
        }
        for no in [
            "Janet is a friend of the author.",
            "Jane Does is another person.",
            "The committee, Jane Doe said, is split.",
            "Jane Doe said the plan is late.",
            "Jane Doe, whose long apposition goes on and on without ever closing with a comma is here",
        ] {
            assert!(!opens_as_bio(no, &f), "{no}");
        }
        // A one-word author (a brand, a desk) has no forms: nothing is a bio.
        assert!(forms(&["Staff"]).is_empty());
        assert!(forms(&["the Lavazza Team"]).is_empty());
    }
}
