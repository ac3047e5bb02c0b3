//! Which two captures of one article to compare: by capture id (exact or a unique
//! prefix), by run id (the article as it stood in that run), or by default its last
//! two. Shared by `quire diff` and `quire serve`; reads the store only.

use serde_json::json;

use crate::store::{CaptureSummary, Store, StoreError};

use super::ArticleDiff;

/// The two captures chosen, and the article they belong to.
#[derive(Debug, Clone)]
pub struct Pair {
    /// The article's URL (the URL asked about, resolved through its aliases).
    pub url: String,
    /// The old side.
    pub from: CaptureSummary,
    /// The new side.
    pub to: CaptureSummary,
}

/// Why no pair could be chosen.
#[derive(Debug, thiserror::Error)]
pub enum PickError {
    /// The store holds no capture of the URL.
    #[error("no captures of {0}")]
    NoCaptures(String),
    /// Only one capture at or before the new side: nothing to compare.
    #[error("only one capture of {0} before --to; nothing to compare")]
    OnlyOne(String),
    /// A key that names no capture of the URL and no run of the store.
    #[error("{0:?} is neither a capture of this URL nor a run of the store")]
    Unknown(String),
    /// A run with no capture of the URL in or before it.
    #[error("no capture of this URL in or before run {0}")]
    NoneInRun(String),
    /// A capture-id prefix that matches several captures.
    #[error("{0:?} matches several captures")]
    Ambiguous(String),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Pick a capture from `history` (oldest first) by capture id (exact, or a unique
/// prefix) or by run id: the URL as it stood in that run, i.e. the last capture made in
/// or before it (a run that got 304 Not Modified made no capture of its own; run ids
/// sort by start time).
fn resolve(history: &[CaptureSummary], runs: &[String], key: &str) -> Result<usize, PickError> {
    if let Some(i) = history.iter().position(|c| c.id.to_string() == key) {
        return Ok(i);
    }
    if runs.iter().any(|r| r == key) {
        return history
            .iter()
            .rposition(|c| c.run.to_string().as_str() <= key)
            .ok_or_else(|| PickError::NoneInRun(key.to_string()));
    }
    let prefixed: Vec<usize> = (0..history.len())
        .filter(|&i| !key.is_empty() && history[i].id.to_string().starts_with(key))
        .collect();
    match prefixed.as_slice() {
        [i] => Ok(*i),
        [] => Err(PickError::Unknown(key.to_string())),
        _ => Err(PickError::Ambiguous(key.to_string())),
    }
}

/// Choose the captures of `url` to compare: `to` defaults to the last capture, `from`
/// to the one before `to`.
pub fn pick(
    store: &Store,
    url: &str,
    from: Option<&str>,
    to: Option<&str>,
) -> Result<Pair, PickError> {
    // An alias finds its article; an old store's captures under the alias count.
    let article = store.article_history(url)?;
    let history = article.captures;
    if history.is_empty() {
        return Err(PickError::NoCaptures(url.to_string()));
    }
    let runs: Vec<String> = store.runs()?.iter().map(|r| r.id.to_string()).collect();
    let to = match to {
        Some(k) => resolve(&history, &runs, k)?,
        None => history.len() - 1,
    };
    let from = match from {
        Some(k) => resolve(&history, &runs, k)?,
        None if to > 0 => to - 1,
        None => return Err(PickError::OnlyOne(url.to_string())),
    };
    Ok(Pair {
        url: article.url,
        from: history[from].clone(),
        to: history[to].clone(),
    })
}

/// The JSON document of `quire diff --json` (and of the server's diff endpoint).
pub fn document(pair: &Pair, diff: &ArticleDiff) -> serde_json::Value {
    let side = |c: &CaptureSummary| {
        json!({
            "capture": c.id.to_string(),
            "run": c.run.to_string(),
            "fetched_at": c.fetched_at,
            "content_sha256": c.content_sha256,
        })
    };
    json!({
        "url": pair.url,
        "from": side(&pair.from),
        "to": side(&pair.to),
        "diff": diff,
    })
}
