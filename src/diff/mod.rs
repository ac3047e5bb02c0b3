//! What changed between two Article documents or two runs.
//!
//! Owns the typed diff of two [`Content`] parts ([`articles`], [`contents`]), applying
//! such a diff back ([`apply`]), its human rendering ([`render`]) and the comparison of
//! two crawl runs ([`changes`]). The document diff is a pure function: no I/O, no
//! clock, no store. `changes` only *reads* a store through its public API; nothing in
//! this module writes anything.
//!
//! The diff has two levels. Body blocks are aligned with `similar` (a block is equal to
//! another when the whole block is equal, so an edited image source is a change even
//! if its caption is not); an added paragraph is one [`BlockOp::Insert`]. Inside a pair
//! of blocks that were edited, words (whitespace-separated tokens, punctuation kept
//! attached) are aligned again, so a fixed typo is one deleted and one inserted word.
//! Metadata fields (everything in [`Content`] except `body`) are compared as JSON values.

use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use similar::{Algorithm, DiffOp};

use crate::model::{self, Article, Block, Content};

pub mod changes;
pub mod index;
pub mod pick;
pub mod render;

pub use changes::{compare_runs, RunComparison};

/// Upper bound on the time one alignment may take; past it `similar` falls back to a
/// coarser (still correct) answer. Keeps hostile inputs from hanging a diff.
const ALIGN_DEADLINE: Duration = Duration::from_secs(2);

/// Two edited blocks are shown as one [`BlockOp::Replace`] with word detail only when
/// at least this share of their words is common (`2 * equal / (old + new)`); below it,
/// the old block is deleted and the new one inserted.
const REPLACE_MIN_SIMILARITY: f64 = 0.3;

/// The difference between two contents, as operations a program can apply.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArticleDiff {
    /// `content_sha256` of the old content (computed, not copied from the document).
    pub old_sha256: String,
    /// `content_sha256` of the new content.
    pub new_sha256: String,
    /// Changed metadata fields, in [`Content`] field order.
    pub metadata: Vec<FieldChange>,
    /// Block operations producing the new body in order. Empty when the bodies are
    /// equal (then the old body is kept as it is).
    pub body: Vec<BlockOp>,
}

/// One changed metadata field. `old` and `new` are the field's JSON values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldChange {
    /// Field name as in the Article JSON ("title", "authors", "published", ...).
    pub field: String,
    /// Old value.
    pub old: serde_json::Value,
    /// New value.
    pub new: serde_json::Value,
}

/// One operation on the body. Applied in order, `Equal`, `Insert` and `Replace` each
/// append one block to the new body; `Delete` appends nothing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case", deny_unknown_fields)]
pub enum BlockOp {
    /// Old block `old_index` is kept, at `new_index`.
    Equal {
        /// Index in the old body.
        old_index: usize,
        /// Index in the new body.
        new_index: usize,
    },
    /// `block` is new, at `new_index`.
    Insert {
        /// Index in the new body.
        new_index: usize,
        /// The inserted block.
        block: Block,
    },
    /// Old block `old_index` is gone.
    Delete {
        /// Index in the old body.
        old_index: usize,
    },
    /// Old block `old_index` was edited into `block` at `new_index`; `words` is the
    /// word-level detail of the edit (old text → new text).
    Replace {
        /// Index in the old body.
        old_index: usize,
        /// Index in the new body.
        new_index: usize,
        /// Word operations turning the old block's text into the new one's.
        words: Vec<WordOp>,
        /// The new block, whole (type and attributes included).
        block: Block,
    },
}

/// A run of words inside an edited block. `text` is the words joined by one space.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case", deny_unknown_fields)]
pub enum WordOp {
    /// Words in both versions.
    Equal {
        /// The words.
        text: String,
    },
    /// Words only in the new version.
    Insert {
        /// The words.
        text: String,
    },
    /// Words only in the old version.
    Delete {
        /// The words.
        text: String,
    },
}

impl ArticleDiff {
    /// True when the two contents are identical.
    pub fn is_empty(&self) -> bool {
        self.metadata.is_empty()
            && self
                .body
                .iter()
                .all(|op| matches!(op, BlockOp::Equal { .. }))
    }

    /// Counts of (inserted, deleted, replaced) blocks.
    pub fn block_counts(&self) -> (usize, usize, usize) {
        let mut c = (0, 0, 0);
        for op in &self.body {
            match op {
                BlockOp::Insert { .. } => c.0 += 1,
                BlockOp::Delete { .. } => c.1 += 1,
                BlockOp::Replace { .. } => c.2 += 1,
                BlockOp::Equal { .. } => {}
            }
        }
        c
    }
}

/// Why a diff could not be applied.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ApplyError {
    /// The content the diff is applied to is not the one it was made from.
    #[error("diff was made from content {expected}, not {actual}")]
    BaseMismatch {
        /// `old_sha256` of the diff.
        expected: String,
        /// Digest of the content given.
        actual: String,
    },
    /// A block operation names an old block that does not exist.
    #[error("block operation refers to old block {0}, which does not exist")]
    BadIndex(usize),
    /// A metadata change could not be applied (unknown field or ill-typed value).
    #[error("metadata field {field}: {detail}")]
    BadField {
        /// The field.
        field: String,
        /// What went wrong.
        detail: String,
    },
}

/// Diff two Article documents (their content parts; provenance is not compared).
pub fn articles(old: &Article, new: &Article) -> ArticleDiff {
    contents(&old.content, &new.content)
}

/// Diff two content parts.
pub fn contents(old: &Content, new: &Content) -> ArticleDiff {
    ArticleDiff {
        old_sha256: model::content_sha256(old),
        new_sha256: model::content_sha256(new),
        metadata: metadata_changes(old, new),
        body: if old.body == new.body {
            Vec::new()
        } else {
            body_ops(&old.body, &new.body)
        },
    }
}

/// Apply `diff` to `old`, giving the new content exactly.
pub fn apply(old: &Content, diff: &ArticleDiff) -> Result<Content, ApplyError> {
    let actual = model::content_sha256(old);
    if actual != diff.old_sha256 {
        return Err(ApplyError::BaseMismatch {
            expected: diff.old_sha256.clone(),
            actual,
        });
    }
    let mut out = old.clone();
    if !diff.metadata.is_empty() {
        out = apply_metadata(&out, &diff.metadata)?;
    }
    if !diff.body.is_empty() {
        let mut body = Vec::with_capacity(diff.body.len());
        for op in &diff.body {
            match op {
                BlockOp::Equal { old_index, .. } => body.push(
                    old.body
                        .get(*old_index)
                        .cloned()
                        .ok_or(ApplyError::BadIndex(*old_index))?,
                ),
                BlockOp::Delete { old_index } => {
                    if *old_index >= old.body.len() {
                        return Err(ApplyError::BadIndex(*old_index));
                    }
                }
                BlockOp::Insert { block, .. } | BlockOp::Replace { block, .. } => {
                    body.push(block.clone())
                }
            }
        }
        out.body = body;
    }
    Ok(out)
}

/// Every content field except `body`, as (name, JSON value) in declaration order.
fn metadata_fields(c: &Content) -> Vec<(String, serde_json::Value)> {
    match serde_json::to_value(c) {
        Ok(serde_json::Value::Object(map)) => {
            map.into_iter().filter(|(k, _)| k != "body").collect()
        }
        _ => Vec::new(),
    }
}

fn metadata_changes(old: &Content, new: &Content) -> Vec<FieldChange> {
    let new_fields = metadata_fields(new);
    metadata_fields(old)
        .into_iter()
        .zip(new_fields)
        .filter(|((_, o), (_, n))| o != n)
        .map(|((field, old), (_, new))| FieldChange { field, old, new })
        .collect()
}

fn apply_metadata(old: &Content, changes: &[FieldChange]) -> Result<Content, ApplyError> {
    let mut value = serde_json::to_value(old).map_err(|e| ApplyError::BadField {
        field: String::new(),
        detail: e.to_string(),
    })?;
    let map = value.as_object_mut().ok_or_else(|| ApplyError::BadField {
        field: String::new(),
        detail: "content is not an object".into(),
    })?;
    for ch in changes {
        if ch.field == "body" || !map.contains_key(&ch.field) {
            return Err(ApplyError::BadField {
                field: ch.field.clone(),
                detail: "not a metadata field".into(),
            });
        }
        map.insert(ch.field.clone(), ch.new.clone());
    }
    serde_json::from_value(value).map_err(|e| ApplyError::BadField {
        field: changes
            .iter()
            .map(|c| c.field.as_str())
            .collect::<Vec<_>>()
            .join(","),
        detail: e.to_string(),
    })
}

/// Whitespace tokens of a block's text; punctuation stays attached to its word.
pub fn words(text: &str) -> Vec<&str> {
    text.split_whitespace().collect()
}

fn body_ops(old: &[Block], new: &[Block]) -> Vec<BlockOp> {
    // Blocks are compared whole: their canonical JSON is the alignment key.
    let old_keys: Vec<String> = old.iter().map(model::canonical_json).collect();
    let new_keys: Vec<String> = new.iter().map(model::canonical_json).collect();
    let deadline = Instant::now().checked_add(ALIGN_DEADLINE);
    let ops =
        similar::capture_diff_slices_deadline(Algorithm::Myers, &old_keys, &new_keys, deadline);
    let mut out = Vec::with_capacity(new.len().max(old.len()));
    for op in ops {
        match op {
            DiffOp::Equal {
                old_index,
                new_index,
                len,
            } => out.extend((0..len).map(|k| BlockOp::Equal {
                old_index: old_index + k,
                new_index: new_index + k,
            })),
            DiffOp::Delete {
                old_index, old_len, ..
            } => out.extend((0..old_len).map(|k| BlockOp::Delete {
                old_index: old_index + k,
            })),
            DiffOp::Insert {
                new_index, new_len, ..
            } => out.extend((0..new_len).map(|k| BlockOp::Insert {
                new_index: new_index + k,
                block: new[new_index + k].clone(),
            })),
            DiffOp::Replace {
                old_index,
                old_len,
                new_index,
                new_len,
            } => {
                for k in 0..old_len.max(new_len) {
                    let (oi, ni) = (old_index + k, new_index + k);
                    let paired = if k < old_len && k < new_len {
                        let (words, similarity) = word_ops(&old[oi].text(), &new[ni].text());
                        (similarity >= REPLACE_MIN_SIMILARITY).then_some(words)
                    } else {
                        None
                    };
                    match paired {
                        Some(words) => out.push(BlockOp::Replace {
                            old_index: oi,
                            new_index: ni,
                            words,
                            block: new[ni].clone(),
                        }),
                        None => {
                            if k < old_len {
                                out.push(BlockOp::Delete { old_index: oi });
                            }
                            if k < new_len {
                                out.push(BlockOp::Insert {
                                    new_index: ni,
                                    block: new[ni].clone(),
                                });
                            }
                        }
                    }
                }
            }
        }
    }
    out
}

/// Word-level operations from `old` to `new`, and their similarity
/// (`2 * equal words / (old words + new words)`, 1.0 for two empty texts).
pub fn word_ops(old: &str, new: &str) -> (Vec<WordOp>, f64) {
    let (ow, nw) = (words(old), words(new));
    let deadline = Instant::now().checked_add(ALIGN_DEADLINE);
    let ops = similar::capture_diff_slices_deadline(Algorithm::Myers, &ow, &nw, deadline);
    let mut out: Vec<WordOp> = Vec::new();
    let mut equal = 0usize;
    let join = |s: &[&str]| s.join(" ");
    for op in ops {
        match op {
            DiffOp::Equal { old_index, len, .. } => {
                equal += len;
                out.push(WordOp::Equal {
                    text: join(&ow[old_index..old_index + len]),
                });
            }
            DiffOp::Delete {
                old_index, old_len, ..
            } => out.push(WordOp::Delete {
                text: join(&ow[old_index..old_index + old_len]),
            }),
            DiffOp::Insert {
                new_index, new_len, ..
            } => out.push(WordOp::Insert {
                text: join(&nw[new_index..new_index + new_len]),
            }),
            DiffOp::Replace {
                old_index,
                old_len,
                new_index,
                new_len,
            } => {
                out.push(WordOp::Delete {
                    text: join(&ow[old_index..old_index + old_len]),
                });
                out.push(WordOp::Insert {
                    text: join(&nw[new_index..new_index + new_len]),
                });
            }
        }
    }
    let total = ow.len() + nw.len();
    let similarity = if total == 0 {
        1.0
    } else {
        (2 * equal) as f64 / total as f64
    };
    (out, similarity)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{DatePrecision, PageType, PublishedDate};

    fn para(t: &str) -> Block {
        Block::Paragraph { text: t.into() }
    }

    fn content(title: &str, body: Vec<Block>) -> Content {
        Content {
            url: "http://example.test/a.html".into(),
            canonical_url: None,
            site: Some("Example".into()),
            section: vec!["Politics".into()],
            page_type: PageType::Article,
            kicker: None,
            title: Some(title.into()),
            subtitle: None,
            authors: vec!["A. Writer".into()],
            published: Some(PublishedDate {
                date: "1998-09".into(),
                precision: DatePrecision::Month,
                source: None,
            }),
            body,
            bio: None,
            original_publication: None,
            language: Some("en".into()),
            word_count: 0,
            entries: Vec::new(),
            issue: None,
            posts: Vec::new(),
        }
    }

    fn roundtrip(a: &Content, b: &Content) -> ArticleDiff {
        let d = contents(a, b);
        let json = serde_json::to_string(&d).unwrap();
        let back: ArticleDiff = serde_json::from_str(&json).unwrap();
        assert_eq!(back, d);
        let applied = apply(a, &back).unwrap();
        assert_eq!(&applied, b);
        assert_eq!(model::content_sha256(&applied), d.new_sha256);
        d
    }

    #[test]
    fn identical_contents_give_an_empty_diff() {
        let a = content("T", vec![para("one two"), para("three")]);
        let d = roundtrip(&a, &a);
        assert!(d.is_empty());
        assert!(d.metadata.is_empty());
        assert!(d.body.is_empty());
    }

    #[test]
    fn a_fixed_typo_is_one_word() {
        let a = content(
            "T",
            vec![para("The quick brwon fox jumps."), para("Second.")],
        );
        let b = content(
            "T",
            vec![para("The quick brown fox jumps."), para("Second.")],
        );
        let d = roundtrip(&a, &b);
        assert!(d.metadata.is_empty());
        assert_eq!(d.block_counts(), (0, 0, 1));
        let BlockOp::Replace { words, .. } = &d.body[0] else {
            panic!("expected a replace, got {:?}", d.body[0]);
        };
        assert_eq!(
            words,
            &vec![
                WordOp::Equal {
                    text: "The quick".into()
                },
                WordOp::Delete {
                    text: "brwon".into()
                },
                WordOp::Insert {
                    text: "brown".into()
                },
                WordOp::Equal {
                    text: "fox jumps.".into()
                },
            ]
        );
    }

    #[test]
    fn an_added_paragraph_is_one_block() {
        let a = content("T", vec![para("one"), para("three")]);
        let b = content(
            "T",
            vec![para("one"), para("two is new here"), para("three")],
        );
        let d = roundtrip(&a, &b);
        assert_eq!(d.block_counts(), (1, 0, 0));
        assert!(matches!(d.body[1], BlockOp::Insert { new_index: 1, .. }));
    }

    #[test]
    fn removed_and_rewritten_blocks() {
        let a = content(
            "T",
            vec![
                para("keep"),
                para("drop me entirely"),
                para("alpha beta gamma"),
            ],
        );
        let b = content(
            "T",
            vec![
                para("keep"),
                para("totally different words here"),
                para("alpha beta delta"),
                Block::Heading {
                    level: 3,
                    text: "New".into(),
                },
            ],
        );
        let d = roundtrip(&a, &b);
        let (ins, del, rep) = d.block_counts();
        assert!(ins >= 1 && rep >= 1, "{:?}", d.body);
        assert_eq!(ins + rep, 3);
        assert_eq!(del + rep, 2);
    }

    #[test]
    fn metadata_changes_are_fields() {
        let a = content("Old title", vec![para("x")]);
        let mut b = content("New title", vec![para("x")]);
        b.authors = vec!["A. Writer".into(), "B. Other".into()];
        b.published = None;
        let d = roundtrip(&a, &b);
        let fields: Vec<&str> = d.metadata.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, vec!["title", "authors", "published"]);
        assert_eq!(d.metadata[0].old, serde_json::json!("Old title"));
        assert!(d.body.is_empty());
    }

    #[test]
    fn image_and_list_changes_apply_exactly() {
        let img = |src: &str| Block::Image {
            src: src.into(),
            alt: None,
            caption: Some("A caption".into()),
            credit: Some("Wikipedia Commons".into()),
        };
        let a = content(
            "T",
            vec![
                img("http://e.test/1.jpg"),
                Block::List {
                    ordered: false,
                    items: vec!["a b".into(), "c".into()],
                },
            ],
        );
        let b = content(
            "T",
            vec![
                img("http://e.test/2.jpg"),
                Block::List {
                    ordered: true,
                    items: vec!["a b".into(), "c d".into()],
                },
            ],
        );
        let d = roundtrip(&a, &b);
        assert!(!d.is_empty());
    }

    #[test]
    fn empty_bodies_both_ways() {
        let a = content("T", vec![]);
        let b = content("T", vec![para("new"), para("more")]);
        assert_eq!(roundtrip(&a, &b).block_counts(), (2, 0, 0));
        assert_eq!(roundtrip(&b, &a).block_counts(), (0, 2, 0));
    }

    #[test]
    fn applying_to_the_wrong_base_is_an_error() {
        let a = content("T", vec![para("x")]);
        let b = content("U", vec![para("y")]);
        let d = contents(&a, &b);
        assert!(matches!(
            apply(&b, &d),
            Err(ApplyError::BaseMismatch { .. })
        ));
    }
}
