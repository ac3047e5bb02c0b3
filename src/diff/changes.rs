//! `changes`: which articles were added, removed, changed or left alone between two
//! crawl runs. An article changed when its `content_sha256` differs; chrome, whitespace,
//! encoding and fetch time never reach that digest, so they are never changes.
//!
//! Owns the comparison rules and the streaming merge-join. It reads the store only
//! through `Store::for_each_entry` / `Store::read_capture` and never writes. Memory is
//! independent of run size: the two runs are streamed side by side (sorted by URL, as
//! `for_each_entry` promises), each from its own read-only handle on a helper thread
//! through a bounded channel, and merge-joined; only the URL lists of the answer grow, and they
//! grow with the number of *differences*.
//!
//! Rules, per URL (old run entry → new run entry):
//! - new `Captured`/`NotModified` with a digest equal to the old one → unchanged;
//!   different → changed; no old content (absent, `Failed` or `Gone`) → added.
//! - new `Gone`, or absent from a *finished* new run, with old content → removed.
//! - new `Failed` → `failed` (neither removed nor changed: we do not know).
//! - Index pages (`page_type = index`) are not articles: they are left out of every
//!   list and count and only counted in `index_pages`. The page type comes with the
//!   store's entries; when an entry lacks it, an added/removed/changed candidate's
//!   record is read to find out (an unchanged one is counted as an article).
//! - Aliases (a URL that redirected to an article recorded under its final URL) are
//!   not articles either: an alias entry is never added, removed or changed; the
//!   article is judged under its own URL, and aliases are counted in `alias_urls` and
//!   listed per reported article in `aliases`.
//! - An article that *moved* is one article: when the old run has content under `A`
//!   and the new run records `A` as an alias of `T` (directly or through other
//!   aliases) with content under `T` that `T` did not have in the old run, `T` is
//!   judged against the old content of `A` (changed or unchanged), not as added while
//!   `A` vanishes; a content that differs only in its `url` is unchanged. Likewise
//!   the other way (old alias `A` → `T`, new content under `A`,
//!   none under `T`). This also pairs an old store's captures, which were keyed by the
//!   URL requested (through a redirect), with the new run's final URLs. Found by a
//!   pre-pass over the runs' alias entries (few), with point lookups; memory grows
//!   with the number of moved articles only.
//! - An old article whose URL now leads to a page with no content is not silently
//!   dropped: when that page failed, the failure is reported there (with the
//!   article's URL among its aliases); when it is gone or was never fetched, the
//!   article is judged as absent from the new run (removed, once the run finished).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::mpsc;

use serde::Serialize;

use crate::model::PageType;
use crate::store::{CaptureId, EntryKind, RunEntry, RunId, Store, StoreError};

/// How many old-run entries may wait in the channel between the two streams.
const CHANNEL_DEPTH: usize = 1024;

/// The comparison of two runs. URL lists are sorted.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunComparison {
    /// The older run.
    pub old: RunId,
    /// The newer run.
    pub new: RunId,
    /// Articles in the new run only.
    pub added: Vec<String>,
    /// Articles of the old run gone from the new one (HTTP 404/410, or not reached by a
    /// finished run).
    pub removed: Vec<String>,
    /// Articles whose `content_sha256` differs.
    pub changed: Vec<String>,
    /// Number of articles with the same `content_sha256` in both runs.
    pub unchanged: u64,
    /// URLs that failed in the new run: neither removed nor changed.
    pub failed: Vec<String>,
    /// Index/listing pages (home, archive and issue pages) left out of the lists and
    /// counts above: they are not articles.
    pub index_pages: u64,
    /// URLs of the new run that redirected to an article (its aliases), left out of
    /// the lists and counts above: the article is judged under its own URL.
    pub alias_urls: u64,
    /// For each URL in the lists above that has aliases: its aliases (in the new run;
    /// for a removed article, in the old run), sorted.
    pub aliases: BTreeMap<String, Vec<String>>,
}

/// One side of one URL, reduced to what the comparison needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Side {
    /// The run has content for the URL: its digest and the capture holding it.
    Content {
        /// `content_sha256`.
        sha: String,
        /// The capture record (to look up the page type when needed).
        capture: CaptureId,
        /// Whether it is an index page, when the entry says.
        index: Option<bool>,
    },
    /// The URL failed in this run.
    Failed,
    /// The URL is gone (404/410) in this run.
    Gone,
    /// The URL redirected to another in this run (an alias): its article is judged
    /// under the URL it led to.
    Alias,
}

impl Side {
    /// Reduce a store entry.
    pub fn of(entry: RunEntry) -> Side {
        let index = entry.page_type.map(|t| t == PageType::Index);
        match entry.kind {
            EntryKind::Captured {
                capture,
                content_sha256,
                ..
            }
            | EntryKind::NotModified {
                capture,
                content_sha256,
                ..
            } => Side::Content {
                sha: content_sha256,
                capture,
                index,
            },
            EntryKind::Gone { .. } => Side::Gone,
            EntryKind::Alias { .. } => Side::Alias,
            _ => Side::Failed,
        }
    }
}

/// The capture a verdict is about, and whether it is an index page (when known).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subject {
    /// The capture (the new one, or the old one for a removal).
    pub capture: CaptureId,
    /// `Some(true)` for an index page, `None` when the entry did not say.
    pub index: Option<bool>,
}

/// What the merge decided for one URL, before the index-page filter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Same digest.
    Unchanged(Subject),
    /// Only in the new run.
    Added(Subject),
    /// Only in the old run.
    Removed(Subject),
    /// Different digests.
    Changed(Subject),
    /// Failed in the new run.
    Failed,
    /// Nothing to say (e.g. gone in both, failed before and gone now).
    Nothing,
}

/// Decide one URL. `new_finished` says whether absence from the new run means removal.
pub fn verdict(old: Option<Side>, new: Option<Side>, new_finished: bool) -> Verdict {
    let subject = |capture: CaptureId, index: Option<bool>| Subject { capture, index };
    match (old, new) {
        (
            Some(Side::Content {
                sha: a, index: ia, ..
            }),
            Some(Side::Content {
                sha: b,
                capture,
                index,
            }),
        ) => {
            let s = subject(capture, index.or(ia));
            if a == b {
                Verdict::Unchanged(s)
            } else {
                Verdict::Changed(s)
            }
        }
        // An alias is not an article: its article is judged under its own URL.
        (_, Some(Side::Alias)) => Verdict::Nothing,
        (_, Some(Side::Content { capture, index, .. })) => Verdict::Added(subject(capture, index)),
        (_, Some(Side::Failed)) => Verdict::Failed,
        (Some(Side::Content { capture, index, .. }), Some(Side::Gone)) => {
            Verdict::Removed(subject(capture, index))
        }
        (Some(Side::Content { capture, index, .. }), None) if new_finished => {
            Verdict::Removed(subject(capture, index))
        }
        _ => Verdict::Nothing,
    }
}

/// Merge-join two URL-sorted streams of `(url, side)`, calling `f` for every URL with
/// its verdict. Pure: the store wiring is in [`compare_runs`].
pub fn merge<E>(
    mut old: impl Iterator<Item = Result<(String, Side), E>>,
    mut new: impl Iterator<Item = Result<(String, Side), E>>,
    new_finished: bool,
    mut f: impl FnMut(String, Verdict) -> Result<(), E>,
) -> Result<(), E> {
    let mut a = old.next().transpose()?;
    let mut b = new.next().transpose()?;
    loop {
        match (a.take(), b.take()) {
            (None, None) => return Ok(()),
            (Some((ua, sa)), None) => {
                f(ua, verdict(Some(sa), None, new_finished))?;
                a = old.next().transpose()?;
            }
            (None, Some((ub, sb))) => {
                f(ub, verdict(None, Some(sb), new_finished))?;
                b = new.next().transpose()?;
            }
            (Some((ua, sa)), Some((ub, sb))) => match ua.cmp(&ub) {
                std::cmp::Ordering::Less => {
                    f(ua, verdict(Some(sa), None, new_finished))?;
                    a = old.next().transpose()?;
                    b = Some((ub, sb));
                }
                std::cmp::Ordering::Greater => {
                    f(ub, verdict(None, Some(sb), new_finished))?;
                    b = new.next().transpose()?;
                    a = Some((ua, sa));
                }
                std::cmp::Ordering::Equal => {
                    f(ub, verdict(Some(sa), Some(sb), new_finished))?;
                    a = old.next().transpose()?;
                    b = new.next().transpose()?;
                }
            },
        }
    }
}

type Item = Result<(String, Side), StoreError>;

/// Stream the entries of `run` (from a new reader on `root`) into a bounded channel.
fn stream_run<'scope>(
    scope: &'scope std::thread::Scope<'scope, '_>,
    root: &std::path::Path,
    run: &RunId,
) -> mpsc::Receiver<Item> {
    let (tx, rx) = mpsc::sync_channel::<Item>(CHANNEL_DEPTH);
    let (root, run) = (root.to_path_buf(), run.clone());
    scope.spawn(move || {
        let reader = match Store::open_reader(&root) {
            Ok(r) => r,
            Err(e) => {
                let _ = tx.send(Err(e));
                return;
            }
        };
        let res = reader.for_each_entry(&run, |e: RunEntry| {
            // A closed channel means the consumer stopped early (on an error): stop too.
            tx.send(Ok((e.url.clone(), Side::of(e))))
                .map_err(|_| StoreError::NotFound("comparison stopped".into()))
        });
        if let Err(e) = res {
            let _ = tx.send(Err(e));
        }
    });
    rx
}

/// The two runs compared when none is named: the last two, passing over runs that
/// hold only an import's earlier captures ([`crate::store::RunInfo::holds_earlier_captures`]);
/// `None` when the store has fewer than two.
pub fn default_pair(store: &Store) -> Result<Option<(RunId, RunId)>, StoreError> {
    let runs: Vec<_> = store
        .runs()?
        .into_iter()
        .filter(|r| !r.holds_earlier_captures())
        .collect();
    Ok(match runs.as_slice() {
        [.., a, b] => Some((a.id.clone(), b.id.clone())),
        _ => None,
    })
}

/// Compare two runs of `store`: see the module doc for the rules.
pub fn compare_runs(store: &Store, old: &RunId, new: &RunId) -> Result<RunComparison, StoreError> {
    let new_finished = store
        .runs()?
        .iter()
        .any(|r| &r.id == new && r.finished_at.is_some());
    let mut cmp = RunComparison {
        old: old.clone(),
        new: new.clone(),
        added: Vec::new(),
        removed: Vec::new(),
        changed: Vec::new(),
        unchanged: 0,
        failed: Vec::new(),
        index_pages: 0,
        alias_urls: 0,
        aliases: BTreeMap::new(),
    };
    let moves = find_moves(store, old, new)?;
    cmp.alias_urls = moves.new_aliases;
    let is_index = |s: &Subject| -> Result<bool, StoreError> {
        match s.index {
            Some(known) => Ok(known),
            None => Ok(store.read_capture(&s.capture)?.content.page_type == PageType::Index),
        }
    };
    let root = store.root().to_path_buf();

    let mut record = |url: String, v: Verdict| -> Result<(), StoreError> {
        if moves.skip.contains(&url) {
            return Ok(());
        }
        // A moved article whose content differs only in its URL is unchanged.
        let v = match (v, moves.old_side.get(&url)) {
            (
                Verdict::Changed(s),
                Some(Side::Content {
                    capture: old_cap, ..
                }),
            ) if same_but_url(store, old_cap, &s.capture)? => Verdict::Unchanged(s),
            (v, _) => v,
        };
        match v {
            Verdict::Unchanged(Subject {
                index: Some(true), ..
            }) => cmp.index_pages += 1,
            Verdict::Unchanged(_) => cmp.unchanged += 1,
            Verdict::Failed => cmp.failed.push(url),
            Verdict::Nothing => {}
            Verdict::Added(s) | Verdict::Removed(s) | Verdict::Changed(s) if is_index(&s)? => {
                cmp.index_pages += 1
            }
            Verdict::Added(_) => cmp.added.push(url),
            Verdict::Removed(_) => cmp.removed.push(url),
            Verdict::Changed(_) => cmp.changed.push(url),
        }
        Ok(())
    };
    std::thread::scope(|scope| -> Result<(), StoreError> {
        // Each run streams from its own read-only handle on a helper thread into a
        // bounded channel, so at most 2 * CHANNEL_DEPTH entries are in memory.
        let old_rx = stream_run(scope, &root, old);
        let new_rx = stream_run(scope, &root, new);
        // A moved article is judged against the old content of its other URL.
        let old_items = old_rx.iter().map(|item| {
            item.map(|(url, side)| match moves.old_side.get(&url) {
                Some(moved) => (url, moved.clone()),
                None => (url, side),
            })
        });
        // An old side stands in for a URL the old run did not have at all.
        let old_items = with_moved_in(old_items, &moves.old_side);
        let new_items = new_rx.iter().filter(|item| match item {
            Ok((url, _)) => !moves.vanished.contains(url),
            Err(_) => true,
        });
        merge(old_items, new_items, new_finished, &mut record)
        // Leaving the scope drops the receivers; a producer still sending then stops.
    })?;
    for (list, run) in [
        (&cmp.added, new),
        (&cmp.changed, new),
        (&cmp.failed, new),
        (&cmp.removed, old),
    ] {
        for url in list {
            let a = store.aliases_of(url, Some(run))?;
            if !a.is_empty() {
                cmp.aliases.insert(url.clone(), a);
            }
        }
    }
    Ok(cmp)
}

/// True when two captures' contents are equal once their `url` is set alike (an
/// article that moved, or an old store's capture keyed by the URL it was requested as).
fn same_but_url(store: &Store, a: &CaptureId, b: &CaptureId) -> Result<bool, StoreError> {
    let (a, b) = (store.read_capture(a)?, store.read_capture(b)?);
    let mut ac = a.content;
    ac.url = b.content.url.clone();
    Ok(crate::model::content_sha256(&ac) == crate::model::content_sha256(&b.content))
}

/// Articles that moved between the runs (see the module doc).
#[derive(Debug, Default)]
struct Moves {
    /// URL → the old side to judge it against (the old content of its other URL).
    old_side: HashMap<String, Side>,
    /// URLs whose verdict is carried by their moved article's URL.
    skip: HashSet<String>,
    /// Old articles that became aliases of a page with no content in the new run and
    /// no failure to report (gone, or never fetched): judged as absent from the new
    /// run, so a finished run reports them removed.
    vanished: HashSet<String>,
    /// How many alias entries the new run has.
    new_aliases: u64,
}

fn side_of(store: &Store, run: &RunId, url: &str) -> Result<Option<Side>, StoreError> {
    Ok(store.entry(run, url)?.map(Side::of))
}

fn find_moves(store: &Store, old: &RunId, new: &RunId) -> Result<Moves, StoreError> {
    let is_content = |s: &Option<Side>| matches!(s, Some(Side::Content { .. }));
    let mut moves = Moves::default();
    // Forward: old content under A, new alias A → T with content, T without old content.
    store.for_each_alias(new, |a, _| {
        moves.new_aliases += 1;
        let t = store.resolve_alias_in(&a, Some(new))?;
        if t == a || moves.old_side.contains_key(&t) {
            return Ok(());
        }
        let old_a = side_of(store, old, &a)?;
        if !is_content(&old_a) {
            return Ok(());
        }
        let new_t = side_of(store, new, &t)?;
        if !is_content(&new_t) {
            // A failed target is reported where it failed, with `a` as its alias.
            if !matches!(new_t, Some(Side::Failed)) {
                moves.vanished.insert(a);
            }
        } else if !is_content(&side_of(store, old, &t)?) {
            if let Some(side) = old_a {
                moves.old_side.insert(t, side);
                moves.skip.insert(a);
            }
        }
        Ok(())
    })?;
    // Back: old alias A → T with content, new content under A, T without new content.
    store.for_each_alias(old, |a, _| {
        let t = store.resolve_alias_in(&a, Some(old))?;
        if t == a || moves.old_side.contains_key(&a) || moves.skip.contains(&t) {
            return Ok(());
        }
        let old_t = side_of(store, old, &t)?;
        let new_t = side_of(store, new, &t)?;
        if is_content(&old_t)
            && is_content(&side_of(store, new, &a)?)
            && matches!(new_t, None | Some(Side::Gone) | Some(Side::Alias))
        {
            if let Some(side) = old_t {
                moves.old_side.insert(a, side);
                moves.skip.insert(t);
            }
        }
        Ok(())
    })?;
    Ok(moves)
}

/// The old stream, with an entry inserted (in URL order) for every moved-in URL the
/// old run had no entry for, so the merge sees the old side of a moved article at
/// its new URL.
fn with_moved_in<'a, E: 'a>(
    old: impl Iterator<Item = Result<(String, Side), E>> + 'a,
    moved: &'a HashMap<String, Side>,
) -> impl Iterator<Item = Result<(String, Side), E>> + 'a {
    let mut extra: Vec<(String, Side)> =
        moved.iter().map(|(u, s)| (u.clone(), s.clone())).collect();
    extra.sort_by(|a, b| b.0.cmp(&a.0)); // popped from the end: ascending
    let mut old = old.peekable();
    std::iter::from_fn(move || {
        let next_extra = extra.last().map(|(u, _)| u.clone());
        match (old.peek(), next_extra) {
            (Some(Ok((u, _))), Some(x)) if x.as_str() < u.as_str() => extra.pop().map(Ok),
            (Some(Ok((u, _))), Some(x)) if x.as_str() == u.as_str() => {
                // The old run has an entry here too: the stream's (already replaced)
                // entry wins.
                extra.pop();
                old.next()
            }
            (None, Some(_)) => extra.pop().map(Ok),
            _ => old.next(),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(sha: &str) -> Side {
        Side::Content {
            sha: sha.into(),
            capture: CaptureId(format!("cap-{sha}")),
            index: Some(false),
        }
    }

    fn subj(sha: &str) -> Subject {
        Subject {
            capture: CaptureId(format!("cap-{sha}")),
            index: Some(false),
        }
    }

    fn run(
        old: Vec<(&str, Side)>,
        new: Vec<(&str, Side)>,
        finished: bool,
    ) -> Vec<(String, Verdict)> {
        let mut out = Vec::new();
        let it = |v: Vec<(&str, Side)>| {
            v.into_iter()
                .map(|(u, s)| Ok::<_, ()>((u.to_string(), s)))
                .collect::<Vec<_>>()
                .into_iter()
        };
        merge(it(old), it(new), finished, |u, v| {
            out.push((u, v));
            Ok(())
        })
        .unwrap();
        out
    }

    #[test]
    fn merge_classifies_every_url_once() {
        let out = run(
            vec![("a", c("1")), ("b", c("2")), ("d", c("4")), ("e", c("5"))],
            vec![
                ("a", c("1")),
                ("b", c("9")),
                ("c", c("3")),
                ("e", Side::Failed),
            ],
            true,
        );
        let v: Vec<(&str, &Verdict)> = out.iter().map(|(u, v)| (u.as_str(), v)).collect();
        assert_eq!(
            v,
            vec![
                ("a", &Verdict::Unchanged(subj("1"))),
                ("b", &Verdict::Changed(subj("9"))),
                ("c", &Verdict::Added(subj("3"))),
                ("d", &Verdict::Removed(subj("4"))),
                ("e", &Verdict::Failed),
            ]
        );
    }

    #[test]
    fn absence_from_an_unfinished_run_is_not_removal() {
        let out = run(vec![("a", c("1"))], vec![], false);
        assert_eq!(out, vec![("a".to_string(), Verdict::Nothing)]);
        let out = run(vec![("a", c("1"))], vec![("a", Side::Gone)], false);
        assert_eq!(out[0].1, Verdict::Removed(subj("1")));
    }

    #[test]
    fn an_alias_is_never_an_article() {
        let al = || Side::Alias;
        // Old content, now an alias: not removed (its article is judged at its URL).
        assert_eq!(verdict(Some(c("1")), Some(al()), true), Verdict::Nothing);
        assert_eq!(verdict(None, Some(al()), true), Verdict::Nothing);
        // An alias before, gone or absent now: nothing either.
        assert_eq!(verdict(Some(al()), None, true), Verdict::Nothing);
        assert_eq!(
            verdict(Some(al()), Some(Side::Gone), true),
            Verdict::Nothing
        );
        // An alias before, an article of its own now: added.
        assert_eq!(
            verdict(Some(al()), Some(c("1")), true),
            Verdict::Added(subj("1"))
        );
    }

    #[test]
    fn moved_in_old_sides_are_merged_in_url_order() {
        let old: Vec<Result<(String, Side), ()>> =
            vec![Ok(("b".into(), c("2"))), Ok(("d".into(), c("4")))];
        let mut moved = HashMap::new();
        moved.insert("a".to_string(), c("0"));
        moved.insert("c".to_string(), c("3"));
        moved.insert("d".to_string(), c("9")); // present in the stream: the stream wins
        moved.insert("e".to_string(), c("5"));
        let out: Vec<(String, Side)> = with_moved_in(old.into_iter(), &moved)
            .map(Result::unwrap)
            .collect();
        let urls: Vec<&str> = out.iter().map(|(u, _)| u.as_str()).collect();
        assert_eq!(urls, ["a", "b", "c", "d", "e"]);
        assert_eq!(out[3].1, c("4"));
    }

    #[test]
    fn failed_before_then_captured_is_added() {
        assert_eq!(
            verdict(Some(Side::Failed), Some(c("1")), true),
            Verdict::Added(subj("1"))
        );
        assert_eq!(
            verdict(Some(Side::Gone), Some(Side::Gone), true),
            Verdict::Nothing
        );
    }
}
