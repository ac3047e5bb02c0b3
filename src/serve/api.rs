//! The JSON API under `/api/v1`: the same documents the CLI prints with `--json`
//! (`history`, `diff`, `changes`), the latest Article of a URL, a capture's record byte
//! for byte, and runs with their entries a page at a time.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;

use super::{tagged, with_store, AppState, Failure};
use crate::diff::pick::{document, pick, Pair};
use crate::diff::ArticleDiff;
use crate::model::Article;
use crate::store::{ArticleHistory, CaptureId, RunEntry, RunId, Store};

/// Entries per page of `/api/v1/runs/{run}` unless `limit` says otherwise.
pub(crate) const DEFAULT_PAGE: usize = 1000;
/// The largest `limit` accepted.
pub(crate) const MAX_PAGE: usize = 10_000;

type Params = Query<HashMap<String, String>>;

/// A required query parameter.
pub(crate) fn required<'q>(q: &'q HashMap<String, String>, name: &str) -> Result<&'q str, Failure> {
    match q.get(name).map(String::as_str) {
        Some(v) if !v.is_empty() => Ok(v),
        _ => Err(Failure::bad_request(
            "missing_parameter",
            format!("the query parameter {name:?} is required"),
        )),
    }
}

/// A JSON response with an ETag.
fn json_response(req: &HeaderMap, body: Result<Vec<u8>, Failure>) -> Response {
    match body {
        Ok(b) => tagged(req, "application/json", b),
        Err(f) => f.json(),
    }
}

fn to_json(v: &impl serde::Serialize) -> Result<Vec<u8>, Failure> {
    serde_json::to_vec(v).map_err(|e| Failure::internal(format!("encoding JSON: {e}")))
}

/// Look a run up by id: 404 when the store has no such run.
pub(crate) fn run_info(store: &Store, run: &str) -> Result<crate::store::RunInfo, Failure> {
    store
        .run_info(run)?
        .ok_or_else(|| Failure::not_found("unknown_run", format!("no run {run:?} in the store")))
}

/// One page of a run's entries, sorted by URL, after `cursor` (the last URL of the
/// previous page), and the cursor of the next page when there is one. One indexed
/// query per page, whatever the run's size.
pub(crate) fn run_page(
    store: &Store,
    run: &RunId,
    cursor: Option<&str>,
    limit: usize,
) -> Result<(Vec<RunEntry>, Option<String>), Failure> {
    let mut page = store.entries_after(run, cursor, limit.saturating_add(1))?;
    let more = page.len() > limit;
    page.truncate(limit);
    let next = more.then(|| page.last().map(|e| e.url.clone())).flatten();
    Ok((page, next))
}

/// The article `?url=` names (aliases resolved): its history and its latest capture.
pub(crate) fn latest_of(
    store: &Store,
    q: &HashMap<String, String>,
) -> Result<(ArticleHistory, Article), Failure> {
    let url = required(q, "url")?;
    let history = store.article_history(url)?;
    let last = history
        .captures
        .last()
        .ok_or_else(|| Failure::not_found("unknown_url", format!("no captures of {url}")))?;
    let article = store.read_capture(&last.id)?;
    Ok((history, article))
}

/// The two captures `?url=&from=&to=` choose (as `quire diff`), read, and their diff.
pub(crate) fn diff_of(
    store: &Store,
    q: &HashMap<String, String>,
) -> Result<(Pair, Article, Article, ArticleDiff), Failure> {
    let url = required(q, "url")?;
    let pair = pick(
        store,
        url,
        q.get("from").map(String::as_str),
        q.get("to").map(String::as_str),
    )?;
    let old = store.read_capture(&pair.from.id)?;
    let new = store.read_capture(&pair.to.id)?;
    let d = crate::diff::articles(&old, &new);
    Ok((pair, old, new, d))
}

/// `limit` as a number in 1..=[`MAX_PAGE`].
pub(crate) fn limit_of(q: &HashMap<String, String>) -> Result<usize, Failure> {
    match q.get("limit") {
        None => Ok(DEFAULT_PAGE),
        Some(v) => v
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=MAX_PAGE).contains(n))
            .ok_or_else(|| {
                Failure::bad_request(
                    "bad_parameter",
                    format!("limit must be a number from 1 to {MAX_PAGE}, not {v:?}"),
                )
            }),
    }
}

/// `GET /api/v1/runs`: every run, newest first.
pub(crate) async fn runs(State(s): State<Arc<AppState>>, req: HeaderMap) -> Response {
    let body = with_store(&s, |store| {
        let mut runs = store.runs()?;
        runs.reverse();
        to_json(&runs)
    })
    .await;
    json_response(&req, body)
}

/// `GET /api/v1/runs/{run}?cursor=&limit=`: the run and a page of its entries.
pub(crate) async fn run(
    State(s): State<Arc<AppState>>,
    Path(run): Path<String>,
    Query(q): Params,
    req: HeaderMap,
) -> Response {
    let body = with_store(&s, move |store| {
        let limit = limit_of(&q)?;
        let info = run_info(store, &run)?;
        let (entries, next) =
            run_page(store, &info.id, q.get("cursor").map(String::as_str), limit)?;
        to_json(&serde_json::json!({
            "run": info,
            "entries": entries,
            "next_cursor": next,
        }))
    })
    .await;
    json_response(&req, body)
}

/// `GET /api/v1/articles?url=`: the latest Article document of the article the URL
/// names (aliases resolved).
pub(crate) async fn article(
    State(s): State<Arc<AppState>>,
    Query(q): Params,
    req: HeaderMap,
) -> Response {
    let body = with_store(&s, move |store| to_json(&latest_of(store, &q)?.1)).await;
    json_response(&req, body)
}

/// `GET /api/v1/history?url=`: as `quire history --json`, with the article's URL and
/// aliases around the captures.
pub(crate) async fn history(
    State(s): State<Arc<AppState>>,
    Query(q): Params,
    req: HeaderMap,
) -> Response {
    let body = with_store(&s, move |store| {
        let url = required(&q, "url")?;
        let history = store.article_history(url)?;
        if history.captures.is_empty() {
            return Err(Failure::not_found(
                "unknown_url",
                format!("no captures of {url}"),
            ));
        }
        to_json(&history)
    })
    .await;
    json_response(&req, body)
}

/// `GET /api/v1/captures/{run}/{sha256}`: the capture's record file, byte for byte.
pub(crate) async fn capture(
    State(s): State<Arc<AppState>>,
    Path(capture): Path<String>,
    req: HeaderMap,
) -> Response {
    let body = with_store(&s, move |store| {
        Ok(store.read_capture_record(&CaptureId(capture))?)
    })
    .await;
    json_response(&req, body)
}

/// `GET /api/v1/diff?url=&from=&to=`: as `quire diff --json`.
pub(crate) async fn diff(
    State(s): State<Arc<AppState>>,
    Query(q): Params,
    req: HeaderMap,
) -> Response {
    let body = with_store(&s, move |store| {
        let (pair, _, _, d) = diff_of(store, &q)?;
        to_json(&document(&pair, &d))
    })
    .await;
    json_response(&req, body)
}

/// `GET /api/v1/changes?from=&to=`: as `quire changes --json` (default: the last two
/// runs).
pub(crate) async fn changes(
    State(s): State<Arc<AppState>>,
    Query(q): Params,
    req: HeaderMap,
) -> Response {
    let body = with_store(&s, move |store| {
        let (old, new) = run_pair(store, q.get("from"), q.get("to"))?;
        to_json(&crate::diff::compare_runs(store, &old, &new)?)
    })
    .await;
    json_response(&req, body)
}

/// The two runs to compare: both given, or the last two (as `quire changes` picks
/// them: runs of an import's earlier captures passed over).
pub(crate) fn run_pair(
    store: &Store,
    from: Option<&String>,
    to: Option<&String>,
) -> Result<(RunId, RunId), Failure> {
    match (from, to) {
        (Some(a), Some(b)) => Ok((run_info(store, a)?.id, run_info(store, b)?.id)),
        (None, None) => crate::diff::changes::default_pair(store)?.ok_or_else(|| {
            Failure::not_found("nothing_to_compare", "the store has fewer than two runs")
        }),
        _ => Err(Failure::bad_request(
            "missing_parameter",
            "give both from and to, or neither",
        )),
    }
}
