//! Human rendering of an [`ArticleDiff`], in the style of `git diff --word-diff`:
//! deleted words as `[-old-]`, inserted ones as `{+new+}`, optionally coloured with ANSI
//! escapes (red / green). Only edited blocks and fields are printed.
//!
//! Owns the text layout only. It does not decide whether the output is a terminal (the
//! caller passes [`RenderOptions::color`]) and it reads nothing but its arguments.

use std::io::{self, Write};

use super::{ArticleDiff, BlockOp, WordOp};
use crate::model::{Block, Content};

const RED: &str = "\x1b[31m";
const GREEN: &str = "\x1b[32m";
const CYAN: &str = "\x1b[36m";
const BOLD: &str = "\x1b[1m";
const RESET: &str = "\x1b[0m";

/// How to render.
#[derive(Debug, Clone, Copy, Default)]
pub struct RenderOptions {
    /// Emit ANSI colour escapes (only when writing to a terminal).
    pub color: bool,
    /// Inside an edited block, keep at most this many unchanged words on each side of
    /// a change and elide the rest with "…"; `None` prints the whole block.
    pub context_words: Option<usize>,
}

struct Painter {
    color: bool,
}

impl Painter {
    fn paint(&self, style: &str, s: &str) -> String {
        if self.color {
            format!("{style}{s}{RESET}")
        } else {
            s.to_string()
        }
    }
    fn del(&self, s: &str) -> String {
        self.paint(RED, &format!("[-{s}-]"))
    }
    fn ins(&self, s: &str) -> String {
        self.paint(GREEN, &format!("{{+{s}+}}"))
    }
}

fn kind(block: &Block) -> String {
    match block {
        Block::Paragraph { .. } => "paragraph".into(),
        Block::Heading { level, .. } => format!("heading {level}"),
        Block::Blockquote { .. } => "blockquote".into(),
        Block::List { ordered: true, .. } => "ordered list".into(),
        Block::List { .. } => "list".into(),
        Block::Image { .. } => "image".into(),
        Block::Preformatted { .. } => "preformatted".into(),
    }
}

fn value_text(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Null => "(none)".into(),
        serde_json::Value::Array(items) => {
            items.iter().map(value_text).collect::<Vec<_>>().join("; ")
        }
        serde_json::Value::Object(map) => match map.get("date") {
            Some(serde_json::Value::String(d)) => d.clone(),
            _ => v.to_string(),
        },
        other => other.to_string(),
    }
}

/// One-line description of what an image block points at, for image edits.
fn image_note(block: &Block) -> Option<String> {
    match block {
        Block::Image { src, .. } => Some(src.clone()),
        _ => None,
    }
}

/// Write the human diff of `old` → `new` to `out`.
pub fn render(
    diff: &ArticleDiff,
    old: &Content,
    new: &Content,
    opts: &RenderOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    let p = Painter { color: opts.color };
    if diff.is_empty() {
        writeln!(out, "no content changes")?;
        return Ok(());
    }
    for ch in &diff.metadata {
        writeln!(
            out,
            "{} {}{}",
            p.paint(BOLD, &format!("{}:", ch.field)),
            p.del(&value_text(&ch.old)),
            p.ins(&value_text(&ch.new))
        )?;
    }
    for op in &diff.body {
        match op {
            BlockOp::Equal { .. } => {}
            BlockOp::Insert { new_index, block } => {
                writeln!(
                    out,
                    "{}",
                    p.paint(CYAN, &format!("@@ +{} {} @@", new_index + 1, kind(block)))
                )?;
                if let Some(src) = image_note(block) {
                    writeln!(out, "{}", p.ins(&src))?;
                }
                writeln!(out, "{}", p.ins(&block.text()))?;
            }
            BlockOp::Delete { old_index } => {
                let block = old.body.get(*old_index);
                let k = block.map(kind).unwrap_or_default();
                writeln!(
                    out,
                    "{}",
                    p.paint(CYAN, &format!("@@ -{} {} @@", old_index + 1, k))
                )?;
                if let Some(src) = block.and_then(image_note) {
                    writeln!(out, "{}", p.del(&src))?;
                }
                writeln!(
                    out,
                    "{}",
                    p.del(&block.map(Block::text).unwrap_or_default())
                )?;
            }
            BlockOp::Replace {
                old_index,
                new_index,
                words,
                block,
            } => {
                writeln!(
                    out,
                    "{}",
                    p.paint(
                        CYAN,
                        &format!(
                            "@@ -{} +{} {} @@",
                            old_index + 1,
                            new_index + 1,
                            kind(block)
                        )
                    )
                )?;
                let old_block = old.body.get(*old_index);
                if let (Some(a), Some(b)) = (old_block.and_then(image_note), image_note(block)) {
                    if a != b {
                        writeln!(out, "{}{}", p.del(&a), p.ins(&b))?;
                    }
                }
                if old_block.map(kind) != Some(kind(block)) {
                    writeln!(
                        out,
                        "{}{}",
                        p.del(&old_block.map(kind).unwrap_or_default()),
                        p.ins(&kind(block))
                    )?;
                }
                let last = words.len().saturating_sub(1);
                let line: Vec<String> = words
                    .iter()
                    .enumerate()
                    .map(|(i, w)| match w {
                        WordOp::Equal { text } => {
                            elide(text, i == 0, i == last, opts.context_words)
                        }
                        WordOp::Delete { text } => p.del(text),
                        WordOp::Insert { text } => p.ins(text),
                    })
                    .collect();
                writeln!(out, "{}", join_word_ops(&line, words))?;
            }
        }
    }
    let _ = new;
    Ok(())
}

/// Shorten an unchanged run of words to its context: the tail when it opens the block,
/// the head when it closes it, head and tail in between.
fn elide(text: &str, first: bool, last: bool, context: Option<usize>) -> String {
    let Some(n) = context else {
        return text.to_string();
    };
    let w: Vec<&str> = text.split(' ').collect();
    let keep = match (first, last) {
        (true, true) => return text.to_string(),
        (true, false) | (false, true) => n,
        (false, false) => 2 * n,
    };
    if w.len() <= keep + 1 {
        return text.to_string();
    }
    match (first, last) {
        (true, _) => format!("… {}", w[w.len() - n..].join(" ")),
        (_, true) => format!("{} …", w[..n].join(" ")),
        _ => format!("{} … {}", w[..n].join(" "), w[w.len() - n..].join(" ")),
    }
}

/// Join rendered word runs with single spaces, except between a deletion and the
/// insertion that replaces it (`[-teh-]{+the+}`, as git prints them).
fn join_word_ops(rendered: &[String], ops: &[WordOp]) -> String {
    let mut s = String::new();
    for (i, r) in rendered.iter().enumerate() {
        if i > 0 {
            let glued = matches!(ops[i - 1], WordOp::Delete { .. })
                && matches!(ops[i], WordOp::Insert { .. });
            if !glued {
                s.push(' ');
            }
        }
        s.push_str(r);
    }
    s
}

/// Render to a `String` (convenience for tests and small outputs).
pub fn render_to_string(
    diff: &ArticleDiff,
    old: &Content,
    new: &Content,
    opts: &RenderOptions,
) -> String {
    let mut buf = Vec::new();
    // Writing into a Vec cannot fail.
    let _ = render(diff, old, new, opts, &mut buf);
    String::from_utf8_lossy(&buf).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::PageType;

    fn content(body: &[&str]) -> Content {
        Content {
            url: "http://e.test/".into(),
            canonical_url: None,
            site: None,
            section: vec![],
            page_type: PageType::Article,
            kicker: None,
            title: Some("T".into()),
            subtitle: None,
            authors: vec![],
            published: None,
            body: body
                .iter()
                .map(|t| Block::Paragraph {
                    text: (*t).to_string(),
                })
                .collect(),
            bio: None,
            original_publication: None,
            language: None,
            word_count: 0,
            entries: Vec::new(),
            issue: None,
            posts: Vec::new(),
        }
    }

    #[test]
    fn word_diff_style_without_colour() {
        let a = content(&["The quick brwon fox.", "Gone paragraph here."]);
        let mut b = content(&["The quick brown fox."]);
        b.title = Some("U".into());
        let d = super::super::contents(&a, &b);
        let s = render_to_string(&d, &a, &b, &RenderOptions::default());
        assert!(s.contains("title: [-T-]{+U+}"), "{s}");
        assert!(s.contains("The quick [-brwon-]{+brown+} fox."), "{s}");
        assert!(s.contains("[-Gone paragraph here.-]"), "{s}");
        assert!(!s.contains('\x1b'));
    }

    #[test]
    fn long_unchanged_runs_are_elided_around_the_change() {
        let long: Vec<String> = (0..40).map(|i| format!("w{i}")).collect();
        let mut edited = long.clone();
        edited[20] = "CHANGED".into();
        let a = content(&[&long.join(" ")]);
        let b = content(&[&edited.join(" ")]);
        let d = super::super::contents(&a, &b);
        let opts = RenderOptions {
            color: false,
            context_words: Some(3),
        };
        let s = render_to_string(&d, &a, &b, &opts);
        assert!(
            s.contains("… w17 w18 w19 [-w20-]{+CHANGED+} w21 w22 w23 …"),
            "{s}"
        );
        let full = render_to_string(&d, &a, &b, &RenderOptions::default());
        assert!(full.contains("w0 w1") && full.contains("w38 w39"), "{full}");
    }

    #[test]
    fn colour_only_when_asked() {
        let a = content(&["a b"]);
        let b = content(&["a c"]);
        let d = super::super::contents(&a, &b);
        let s = render_to_string(
            &d,
            &a,
            &b,
            &RenderOptions {
                color: true,
                ..Default::default()
            },
        );
        assert!(s.contains("\x1b[31m[-b-]\x1b[0m"), "{s:?}");
        assert!(s.contains("\x1b[32m{+c+}\x1b[0m"), "{s:?}");
    }
}
