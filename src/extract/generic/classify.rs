//! The learned parts of the generic extractor: two small gradient-boosted tree
//! ensembles. The page-type model tells what kind of page this is (article, forum
//! thread, product, listing, …) from page-level features; the block model decides, for
//! each unit of text of a page ([`super::content::Unit`]), whether it is main content,
//! with the page-type probabilities among its features.
//!
//! The models are data: `pagetype.model` and `blocks.model`, text files embedded in the
//! binary, trained offline on the development sets by `tools/train_blocks.py` (see
//! `docs/GENERIC.md` for the one-command retrain). Evaluation is deterministic, CPU-only
//! and allocation-free per row: each tree is a flat array of splits walked from the root.
//!
//! File format (whitespace-separated, one record per line):
//! ```text
//! quire-gbdt 1
//! features <n> <name> <name> …        the feature names, in the order quire computes them
//! classes <k>                         1: binary (logistic); k > 1: softmax over k classes,
//!                                     tree i adds to class i mod k
//! threshold <t> [<k> [<d> [<f>]]]     decision thresholds on the probability (binary):
//!                                     <t> by default, <k> for units the rule-based choice
//!                                     keeps, <d> for units its boilerplate rules drop by
//!                                     tag or strong class name, <f> for those on a page
//!                                     the page-type model takes for a forum thread
//! base <b>                            initial raw score of every class
//! lexicon text <n>                    optional: then <n> lines "w <token> <weight>"
//! lexicon class <n>                   optional: the same for class/id name parts
//! tree <nodes> <leaves>               then <nodes> lines "split <feature> <threshold> <left> <right>"
//!                                     and <leaves> lines "leaf <value>"
//! ```
//! A child index `>= 0` is a split node (always after its parent); `< 0` is leaf
//! `-(index + 1)`. A row goes left when its feature value is `<=` the threshold.
//!
//! Owns: loading and evaluating the model. Must not: compute features (that is
//! [`super::features`]) or emit blocks.

use std::sync::LazyLock;

use super::features;

const BLOCKS_TEXT: &str = include_str!("blocks.model");
const PAGETYPE_TEXT: &str = include_str!("pagetype.model");

/// A loaded model.
#[derive(Debug)]
pub struct Model {
    trees: Vec<Tree>,
    /// `reach[i]`: the smallest and largest sum the trees from `i` on can still add
    /// (binary models; `reach[trees.len()]` is zero). Lets [`Model::above`] stop early.
    reach: Vec<(f32, f32)>,
    base: f32,
    classes: usize,
    features: usize,
    /// Probability above which a unit is kept (binary models).
    pub threshold: f32,
    /// The threshold for units the rule-based choice keeps (defaults to `threshold`).
    pub threshold_kept: f32,
    /// The threshold for units the rule-based boilerplate marks drop by tag or by a
    /// strong class name (defaults to `threshold`).
    pub threshold_dropped: f32,
    /// `threshold_dropped` on a page taken for a forum thread, whose posts carry
    /// comment and reply class names (defaults to `threshold_dropped`).
    pub threshold_dropped_forum: f32,
    /// Learned word and class-name weights (the block model's), empty when absent.
    pub lexicon: features::Lexicon,
}

#[derive(Debug)]
struct Tree {
    splits: Vec<Split>,
    leaves: Vec<f32>,
}

#[derive(Debug, Clone, Copy)]
struct Split {
    feature: u16,
    /// The largest f32 not above the trainer's (f64) threshold: for an f32 feature
    /// value x, `x <= threshold` then decides exactly as the trainer's comparison.
    threshold: f32,
    left: i32,
    right: i32,
}

/// Why a model file was refused.
#[derive(Debug, thiserror::Error)]
#[error("block model, line {line}: {what}")]
pub struct ModelError {
    line: usize,
    what: String,
}

/// Both built-in models, or `None` when either does not load.
static MODELS: LazyLock<Option<(Model, Model)>> = LazyLock::new(|| {
    let page_names = features::page_names();
    let page_names: Vec<&str> = page_names.iter().map(String::as_str).collect();
    match (
        parse(PAGETYPE_TEXT, &page_names),
        parse(BLOCKS_TEXT, features::NAMES),
    ) {
        (Ok(p), Ok(b)) if p.classes == features::PAGE_TYPES.len() && b.classes == 1 => Some((p, b)),
        (Err(e), _) | (_, Err(e)) => {
            tracing::error!("built-in extraction model unusable, falling back to rules: {e}");
            None
        }
        _ => {
            tracing::error!("built-in extraction models have the wrong number of classes");
            None
        }
    }
});

/// The built-in (page-type, block) models, or `None` when they do not load (the
/// extractor then falls back to the rule-based choice; a test makes sure the shipped
/// models load).
pub fn models() -> Option<&'static (Model, Model)> {
    MODELS.as_ref()
}

/// Most trees and nodes a model file may hold: a hostile or damaged file cannot make
/// loading or evaluation unbounded.
const MAX_TREES: usize = 5_000;
const MAX_NODES: usize = 1 << 16;

/// Parse a model file whose features must be `names`, in order.
pub fn parse(text: &str, names: &[&str]) -> Result<Model, ModelError> {
    let mut lines = text
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim()))
        .filter(|(_, l)| !l.is_empty() && !l.starts_with('#'));
    let err = |line: usize, what: &str| ModelError {
        line,
        what: what.to_string(),
    };
    let mut next = |what: &str| {
        lines
            .next()
            .ok_or_else(|| err(0, &format!("missing {what}")))
    };
    let (ln, head) = next("header")?;
    if head != "quire-gbdt 1" {
        return Err(err(ln, "not a quire-gbdt 1 file"));
    }
    let (ln, feats) = next("features")?;
    let mut f = feats.split_ascii_whitespace();
    if f.next() != Some("features") {
        return Err(err(ln, "expected features"));
    }
    let n: usize = f
        .next()
        .and_then(|x| x.parse().ok())
        .ok_or_else(|| err(ln, "feature count"))?;
    let listed: Vec<&str> = f.collect();
    if n != names.len() || listed.len() != n || listed.iter().zip(names).any(|(a, b)| a != b) {
        return Err(err(
            ln,
            "feature names differ from this build's (retrain with tools/train_blocks.py)",
        ));
    }
    let (ln, cl) = next("classes")?;
    let classes: usize = cl
        .strip_prefix("classes ")
        .and_then(|x| x.trim().parse().ok())
        .filter(|&k| (1..=64).contains(&k))
        .ok_or_else(|| err(ln, "bad classes"))?;
    let (ln, tl) = next("threshold")?;
    let thresholds: Vec<f32> = tl
        .strip_prefix("threshold ")
        .map(|r| {
            r.split_ascii_whitespace()
                .map(|x| x.parse::<f32>())
                .collect::<Result<Vec<_>, _>>()
        })
        .and_then(Result::ok)
        .filter(|v| (1..=4).contains(&v.len()) && v.iter().all(|x| x.is_finite()))
        .ok_or_else(|| err(ln, "bad threshold"))?;
    let threshold = thresholds[0];
    let threshold_kept = thresholds.get(1).copied().unwrap_or(threshold);
    let threshold_dropped = thresholds.get(2).copied().unwrap_or(threshold);
    let threshold_dropped_forum = thresholds.get(3).copied().unwrap_or(threshold_dropped);
    let (ln, bl) = next("base")?;
    let base: f32 = bl
        .strip_prefix("base ")
        .and_then(|x| x.trim().parse().ok())
        .filter(|x: &f32| x.is_finite())
        .ok_or_else(|| err(ln, "bad base"))?;
    let mut trees = Vec::new();
    let mut lexicon = features::Lexicon::default();
    while let Some((ln, l)) = lines.next() {
        let mut p = l.split_ascii_whitespace();
        let kind = p.next();
        if kind == Some("lexicon") {
            let which = p.next();
            let count: usize = p
                .next()
                .and_then(|x| x.parse().ok())
                .filter(|&c| c <= MAX_NODES)
                .ok_or_else(|| err(ln, "bad lexicon size"))?;
            let table = match which {
                Some("text") => &mut lexicon.text,
                Some("class") => &mut lexicon.class,
                _ => return Err(err(ln, "unknown lexicon")),
            };
            for _ in 0..count {
                let (ln, l) = lines
                    .next()
                    .ok_or_else(|| err(ln, "missing lexicon entry"))?;
                let mut p = l.split_ascii_whitespace();
                let entry = (p.next() == Some("w"))
                    .then(|| {
                        let tok = p.next()?;
                        let w: f32 = p.next()?.parse().ok()?;
                        (w.is_finite() && tok.len() <= 30).then(|| (tok.to_string(), w))
                    })
                    .flatten()
                    .ok_or_else(|| err(ln, "bad lexicon entry"))?;
                table.insert(features::token_hash(&entry.0), entry.1);
            }
            continue;
        }
        if kind != Some("tree") {
            return Err(err(ln, "expected tree"));
        }
        let mut num = || -> Option<usize> { p.next()?.parse().ok() };
        let (Some(nodes), Some(leaves)) = (num(), num()) else {
            return Err(err(ln, "tree sizes"));
        };
        if nodes > MAX_NODES || leaves > MAX_NODES || leaves == 0 || trees.len() >= MAX_TREES {
            return Err(err(ln, "model too large"));
        }
        let mut splits = Vec::with_capacity(nodes);
        for _ in 0..nodes {
            let (ln, l) = lines.next().ok_or_else(|| err(ln, "missing split"))?;
            let p: Vec<&str> = l.split_ascii_whitespace().collect();
            let parsed = (|| {
                if p.len() != 5 || p[0] != "split" {
                    return None;
                }
                let feature: u16 = p[1].parse().ok()?;
                let t64: f64 = p[2].parse().ok()?;
                let mut threshold = t64 as f32;
                if f64::from(threshold) > t64 {
                    threshold = threshold.next_down();
                }
                let left: i32 = p[3].parse().ok()?;
                let right: i32 = p[4].parse().ok()?;
                let ok = |c: i32| {
                    if c >= 0 {
                        (c as usize) < nodes
                    } else {
                        ((-(c + 1)) as usize) < leaves
                    }
                };
                ((feature as usize) < n && !threshold.is_nan() && ok(left) && ok(right)).then_some(
                    Split {
                        feature,
                        threshold,
                        left,
                        right,
                    },
                )
            })();
            splits.push(parsed.ok_or_else(|| err(ln, "bad split"))?);
        }
        // Children must point forward, so evaluation always ends.
        for (k, s) in splits.iter().enumerate() {
            for c in [s.left, s.right] {
                if c >= 0 && (c as usize) <= k {
                    return Err(err(ln, "split points backwards"));
                }
            }
        }
        let mut leaf_values = Vec::with_capacity(leaves);
        for _ in 0..leaves {
            let (ln, l) = lines.next().ok_or_else(|| err(ln, "missing leaf"))?;
            let mut p = l.split_ascii_whitespace();
            let v = (p.next() == Some("leaf"))
                .then(|| p.next()?.parse::<f32>().ok())
                .flatten()
                .filter(|v| v.is_finite())
                .ok_or_else(|| err(ln, "bad leaf"))?;
            leaf_values.push(v);
        }
        trees.push(Tree {
            splits,
            leaves: leaf_values,
        });
    }
    if trees.is_empty() || trees.len() % classes != 0 {
        return Err(err(0, "no trees, or not a whole number of rounds"));
    }
    let mut reach = vec![(0f32, 0f32); trees.len() + 1];
    for i in (0..trees.len()).rev() {
        let leaves = &trees[i].leaves;
        let lo = leaves.iter().copied().fold(f32::INFINITY, f32::min);
        let hi = leaves.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        reach[i] = (reach[i + 1].0 + lo, reach[i + 1].1 + hi);
    }
    Ok(Model {
        trees,
        reach,
        base,
        classes,
        features: n,
        threshold,
        threshold_kept,
        threshold_dropped,
        threshold_dropped_forum,
        lexicon,
    })
}

impl Model {
    /// Probability of the positive class (binary models). A row of the wrong length
    /// gives 0.
    pub fn predict(&self, x: &[f32]) -> f32 {
        if x.len() != self.features {
            return 0.0;
        }
        let mut score = self.base;
        for t in &self.trees {
            score += t.eval(x);
        }
        1.0 / (1.0 + (-score).exp())
    }

    /// `self.predict(x) > p`, the keep decision, usually without walking every tree:
    /// after each tree the score so far plus the least and the most the remaining
    /// trees can add ([`Model::reach`]) may already settle which side of the
    /// threshold's logit the final score falls. The early answer is taken only with a
    /// margin far above `f32` rounding over a few hundred terms; otherwise (and for
    /// multiclass models) the full prediction decides, so the answer is always that
    /// of `predict`.
    pub fn above(&self, x: &[f32], p: f32) -> bool {
        if x.len() != self.features || self.classes != 1 || !(p > 0.0 && p < 1.0) {
            return self.predict(x) > p;
        }
        const MARGIN: f32 = 1e-2;
        let logit = (p / (1.0 - p)).ln();
        let mut score = self.base;
        for (t, (lo, hi)) in self.trees.iter().zip(&self.reach[1..]) {
            score += t.eval(x);
            if score + lo > logit + MARGIN {
                return true;
            }
            if score + hi < logit - MARGIN {
                return false;
            }
        }
        1.0 / (1.0 + (-score).exp()) > p
    }

    /// Class probabilities (softmax) of a multiclass model, or of the two classes of
    /// a binary one. A row of the wrong length gives all zeros.
    pub fn predict_classes(&self, x: &[f32]) -> Vec<f32> {
        if x.len() != self.features {
            return vec![0.0; self.classes.max(2)];
        }
        if self.classes == 1 {
            let p = self.predict(x);
            return vec![1.0 - p, p];
        }
        let mut scores = vec![self.base; self.classes];
        for (i, t) in self.trees.iter().enumerate() {
            scores[i % self.classes] += t.eval(x);
        }
        let max = scores.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        let mut sum = 0.0;
        for s in scores.iter_mut() {
            *s = (*s - max).exp();
            sum += *s;
        }
        for s in scores.iter_mut() {
            *s /= sum;
        }
        scores
    }
}

impl Tree {
    fn eval(&self, x: &[f32]) -> f32 {
        if self.splits.is_empty() {
            return self.leaves[0];
        }
        let mut i = 0usize;
        loop {
            let s = self.splits[i];
            let c = if x[s.feature as usize] <= s.threshold {
                s.left
            } else {
                s.right
            };
            if c < 0 {
                return self.leaves[(-(c + 1)) as usize];
            }
            i = c as usize;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header() -> String {
        format!(
            "quire-gbdt 1\nfeatures {} {}\nclasses 1\nthreshold 0.5\nbase 0\n",
            features::N,
            features::NAMES.join(" ")
        )
    }

    fn parse(text: &str) -> Result<Model, ModelError> {
        super::parse(text, features::NAMES)
    }

    #[test]
    fn the_shipped_models_load() {
        let (page, blocks) = models().expect("pagetype.model and blocks.model load");
        assert_eq!(page.classes, features::PAGE_TYPES.len());
        assert_eq!(blocks.classes, 1);
        assert!((0.0..1.0).contains(&blocks.threshold));
        let p = page.predict_classes(&vec![0.0; features::NP]);
        assert!((p.iter().sum::<f32>() - 1.0).abs() < 1e-4);
    }

    #[test]
    fn a_stump_splits_on_its_feature() {
        let text = header() + "tree 1 2\nsplit 0 2.5 -1 -2\nleaf -3\nleaf 3\n";
        let m = parse(&text).unwrap();
        let mut x = [0f32; features::N];
        x[0] = 1.0;
        assert!(m.predict(&x) < 0.1);
        x[0] = 4.0;
        assert!(m.predict(&x) > 0.9);
        assert_eq!(m.predict(&x[..3]), 0.0, "a short row is refused");
    }

    /// The early-exit decision is the full prediction's, on the shipped model, for
    /// rows built from every feature's typical range and for every threshold used.
    #[test]
    fn early_exit_decides_as_the_full_prediction() {
        let (_, m) = models().expect("models load");
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed >> 40) as f32 / (1u64 << 24) as f32
        };
        let thresholds = [
            m.threshold,
            m.threshold_kept,
            m.threshold_dropped,
            m.threshold_dropped_forum,
            0.5,
            0.01,
            0.99,
        ];
        let (mut kept, mut total) = (0usize, 0usize);
        for _ in 0..20_000 {
            let row: Vec<f32> = (0..features::N)
                .map(|_| {
                    let u = next();
                    // Flags, shares, and log-scaled counts.
                    if u < 0.3 {
                        (u * 10.0).floor() / 3.0
                    } else {
                        u * 8.0 - 1.0
                    }
                })
                .collect();
            let full = m.predict(&row);
            for &p in &thresholds {
                total += 1;
                let above = m.above(&row, p);
                assert_eq!(above, full > p, "p {p}, probability {full}");
                kept += usize::from(above);
            }
        }
        assert!(
            kept > 0 && kept < total,
            "both answers exercised: {kept} of {total}"
        );
    }

    #[test]
    fn multiclass_trees_add_to_their_class() {
        let text =
            header().replace("classes 1", "classes 2") + "tree 0 1\nleaf 1\ntree 0 1\nleaf -1\n";
        let m = parse(&text).unwrap();
        let p = m.predict_classes(&[0f32; features::N]);
        assert!(p[0] > 0.85 && p[1] < 0.15, "{p:?}");
    }

    #[test]
    fn damaged_files_are_refused_not_trusted() {
        for bad in [
            String::new(),
            "quire-gbdt 2\n".to_string(),
            "quire-gbdt 1\nfeatures 1 len_log\nclasses 1\nthreshold 0.5\nbase 0\n".to_string(),
            header(),
            header().replace("classes 1", "classes 0"),
            header().replace("classes 1", "classes 2") + "tree 0 1\nleaf 1\n",
            header() + "tree 1 2\nsplit 0 1 0 -1\nleaf 1\nleaf 2\n", // a loop
            header() + "tree 1 2\nsplit 0 1 5 -1\nleaf 1\nleaf 2\n", // out of range
            header() + "tree 1 2\nsplit 9999 1 -1 -2\nleaf 1\nleaf 2\n",
            header() + "tree 1 2\nsplit 0 NaN -1 -2\nleaf 1\nleaf 2\n",
            header() + "tree 1 2\nsplit 0 1 -1 -2\nleaf inf\nleaf 2\n",
            header() + "tree 99999999 1\n",
        ] {
            assert!(parse(&bad).is_err(), "accepted: {bad:?}");
        }
    }
}
