//! The HTML pages: runs, one run, one article with its history, a word-level diff,
//! search, and raw captures as plain text. Server-rendered with [`maud`], which
//! escapes every inserted string: nothing an archived page says becomes markup here.
//! Archived URLs are shown as text, and linked only through our own pages (never as an
//! `href` of their own, so a `javascript:` URL stays text).

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use maud::{html, Markup, PreEscaped, DOCTYPE};

use super::api::{diff_of, latest_of, limit_of, run_info, run_page};
use super::{tagged, with_store, AppState, Failure};
use crate::diff::{BlockOp, WordOp};
use crate::model::{Article, Block};
use crate::store::{CaptureId, EntryKind, RunInfo};

type Params = Query<HashMap<String, String>>;

/// No script, no frame, nothing from elsewhere: our stylesheet and our own links.
const PAGE_CSP: &str =
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/// A query string value, percent-encoded.
fn enc(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// The frame of every page: the stylesheet, the navigation and the search box.
fn layout(title: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · quire" }
                link rel="stylesheet" href="/static/quire.css";
            }
            body {
                header {
                    nav { a href="/" { "quire" } " · " a href="/" { "runs" } }
                    form action="/search" method="get" role="search" {
                        label for="q" { "Search titles and URLs" }
                        input type="search" id="q" name="q";
                        button type="submit" { "Search" }
                    }
                }
                main { (body) }
            }
        }
    }
}

/// An HTML response with an ETag and the page CSP.
fn page(req: &HeaderMap, markup: Markup) -> Response {
    let mut r = tagged(
        req,
        "text/html; charset=utf-8",
        markup.into_string().into_bytes(),
    );
    secure(&mut r, PAGE_CSP);
    r
}

fn secure(r: &mut Response, csp: &'static str) {
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(csp),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
}

/// A failure as a page, with its status.
pub(crate) fn error_page(f: Failure) -> Response {
    let markup = layout(
        "Error",
        html! {
            h1 { "Not available" }
            p { (f.message) }
            p.code { "error: " code { (f.code) } }
        },
    );
    let mut r = (f.status, markup.into_string()).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    secure(&mut r, PAGE_CSP);
    r
}

fn respond(req: &HeaderMap, m: Result<Markup, Failure>) -> Response {
    match m {
        Ok(m) => page(req, m),
        Err(f) => error_page(f),
    }
}

/// A count from a run summary.
fn count(r: &RunInfo, key: &str) -> Option<u64> {
    r.summary.as_ref()?.get(key)?.as_u64()
}

/// Changes per run as inline SVG bars, oldest left; drawn here, no script.
fn sparkline(values: &[u64]) -> Markup {
    let max = values.iter().copied().max().unwrap_or(0).max(1);
    let (w, h) = (6u64, 24u64);
    let mut bars = String::new();
    for (i, v) in values.iter().enumerate() {
        let bh = (v * h).div_ceil(max);
        let _ = write!(
            bars,
            "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"/>",
            i as u64 * w,
            h - bh,
            w - 1,
            bh
        );
    }
    // Only numbers go into the SVG.
    html! {
        svg.spark width=(values.len() as u64 * w) height=(h) role="img"
            aria-label="changed articles per run, oldest first" {
            (PreEscaped(bars))
        }
    }
}

/// `GET /`: the runs, newest first.
pub(crate) async fn runs(State(s): State<Arc<AppState>>, req: HeaderMap) -> Response {
    let m = with_store(&s, |store| {
        let runs = store.runs()?;
        let changes: Vec<u64> = runs.iter().map(|r| count(r, "changed").unwrap_or(0)).collect();
        let shown = |v: Option<u64>| v.map_or("–".to_string(), |n| n.to_string());
        Ok(layout(
            "Runs",
            html! {
                h1 { "Runs" }
                @if runs.is_empty() {
                    p { "The store has no runs yet." }
                } @else {
                    p { "Changed articles per run: " (sparkline(&changes)) }
                    table {
                        thead { tr { th { "Run" } th { "Started" } th { "Pages" } th { "Captured" } th { "Failed" } th { "Added" } th { "Changed" } th { "Removed" } } }
                        tbody {
                            @for r in runs.iter().rev() {
                                tr {
                                    td { a href={ "/runs/" (enc(&r.id.0)) } { (r.id.0) } }
                                    td { (r.started_at) @if r.finished_at.is_none() { " (unfinished)" } }
                                    td { (shown(count(r, "pages_fetched"))) }
                                    td { (shown(count(r, "captured"))) }
                                    td { (shown(count(r, "failed"))) }
                                    td { (shown(count(r, "added"))) }
                                    td { (shown(count(r, "changed"))) }
                                    td { (shown(count(r, "removed"))) }
                                }
                            }
                        }
                    }
                }
            },
        ))
    })
    .await;
    respond(&req, m)
}

/// `GET /runs/{run}?mark=added|changed|removed`: the run's summary and its articles
/// marked against the run before it; without `mark`, a page of its entries.
pub(crate) async fn run(
    State(s): State<Arc<AppState>>,
    Path(run): Path<String>,
    Query(q): Params,
    req: HeaderMap,
) -> Response {
    let m = with_store(&s, move |store| {
        let info = run_info(store, &run)?;
        let runs = store.runs()?;
        let before = runs
            .iter()
            .take_while(|r| r.id != info.id)
            .filter(|r| r.finished_at.is_some() && !r.holds_earlier_captures())
            .last()
            .map(|r| r.id.clone());
        let mark = q.get("mark").map(String::as_str);
        if let Some(m) = mark {
            if !["added", "changed", "removed"].contains(&m) {
                return Err(Failure::bad_request(
                    "bad_parameter",
                    format!("mark is added, changed or removed, not {m:?}"),
                ));
            }
        }
        let cmp = match &before {
            Some(b) => Some(crate::diff::compare_runs(store, b, &info.id)?),
            None => None,
        };
        let limit = limit_of(&q)?;
        let (entries, next) = run_page(store, &info.id, q.get("cursor").map(String::as_str), limit)?;
        let summary = info
            .summary
            .as_ref()
            .map(|v| serde_json::to_string_pretty(v).unwrap_or_default());
        let run_href = format!("/runs/{}", enc(&info.id.0));
        Ok(layout(
            &format!("Run {}", info.id),
            html! {
                h1 { "Run " (info.id.0) }
                p { "Started " (info.started_at) ", "
                    @match &info.finished_at { Some(f) => { "finished " (f) }, None => { "unfinished" } } }
                @if let Some(cmp) = &cmp {
                    h2 { "Against run " a href={ "/runs/" (enc(&cmp.old.0)) } { (cmp.old.0) } }
                    p.filters {
                        a href=(run_href) { "all entries" } " · "
                        a href={ (run_href) "?mark=added" } { "added (" (cmp.added.len()) ")" } " · "
                        a href={ (run_href) "?mark=changed" } { "changed (" (cmp.changed.len()) ")" } " · "
                        a href={ (run_href) "?mark=removed" } { "removed (" (cmp.removed.len()) ")" } " · "
                        (cmp.unchanged) " unchanged"
                    }
                    @for (name, list) in [("added", &cmp.added), ("changed", &cmp.changed), ("removed", &cmp.removed)] {
                        @if mark.is_none_or(|m| m == name) && !list.is_empty() {
                            h3 { (name) }
                            ul.marks {
                                @for u in list.iter() {
                                    li { span class={ "mark " (name) } { (name) } " "
                                        a href={ "/articles?url=" (enc(u)) } { (u) }
                                        @if name == "changed" { " · " a href={ "/diff?url=" (enc(u)) "&from=" (enc(&cmp.old.0)) "&to=" (enc(&cmp.new.0)) } { "diff" } }
                                    }
                                }
                            }
                        }
                    }
                }
                @if mark.is_none() {
                    h2 { "Entries" }
                    table {
                        thead { tr { th { "URL" } th { "Outcome" } } }
                        tbody {
                            @for e in &entries {
                                tr {
                                    td { a href={ "/articles?url=" (enc(&e.url)) } { (e.url) } }
                                    td { (outcome(&e.kind)) }
                                }
                            }
                        }
                    }
                    @if let Some(n) = next {
                        p { a href={ (run_href) "?cursor=" (enc(&n)) } { "next page" } }
                    }
                }
                @if let Some(s) = summary { details { summary { "Run summary" } pre { (s) } } }
            },
        ))
    })
    .await;
    respond(&req, m)
}

fn outcome(k: &EntryKind) -> Markup {
    match k {
        EntryKind::Captured { capture, .. } => {
            html! { "captured " a href={ "/raw/" (capture.0) } { "raw" } }
        }
        EntryKind::NotModified { .. } => html! { "not modified" },
        EntryKind::Failed {
            reason,
            http_status,
        } => html! { "failed: " (reason) @if let Some(s) = http_status { " (HTTP " (s) ")" } },
        EntryKind::Gone { http_status } => html! { "gone (HTTP " (http_status) ")" },
        EntryKind::Alias { target } => {
            html! { "redirects to " a href={ "/articles?url=" (enc(target)) } { (target) } }
        }
    }
}

/// A body block as HTML.
fn block(b: &Block) -> Markup {
    match b {
        Block::Paragraph { text } => html! { p { (text) } },
        Block::Heading { level, text } => match level {
            1 | 2 => html! { h2 { (text) } },
            3 => html! { h3 { (text) } },
            _ => html! { h4 { (text) } },
        },
        Block::Blockquote { paragraphs } => {
            html! { blockquote { @for p in paragraphs { p { (p) } } } }
        }
        Block::List {
            ordered: true,
            items,
        } => html! { ol { @for i in items { li { (i) } } } },
        Block::List { items, .. } => html! { ul { @for i in items { li { (i) } } } },
        Block::Image {
            src,
            alt,
            caption,
            credit,
        } => html! {
            figure {
                // The image itself is not fetched: this page loads nothing from outside.
                p.image { "Image: " span.src { (src) } @if let Some(a) = alt { " — " (a) } }
                @if caption.is_some() || credit.is_some() {
                    figcaption {
                        @if let Some(c) = caption { (c) }
                        @if let Some(c) = credit { " " span.credit { "(" (c) ")" } }
                    }
                }
            }
        },
        Block::Preformatted { text } => html! { pre { (text) } },
    }
}

/// The article as a reader sees it.
fn article_view(a: &Article) -> Markup {
    let c = &a.content;
    html! {
        article {
            h1 { (c.title.as_deref().unwrap_or("(untitled)")) }
            @if let Some(s) = &c.subtitle { p.deck { (s) } }
            p.byline {
                @if !c.authors.is_empty() { "By " (c.authors.join(", ")) }
                @if let Some(d) = &c.published {
                    @if !c.authors.is_empty() { " · " }
                    time datetime=(d.date) { (d.date) } " (" (format!("{:?}", d.precision).to_lowercase()) ")"
                }
            }
            @for b in &c.body { (block(b)) }
        }
    }
}

/// `GET /articles?url=`: the latest capture, its provenance, and every capture.
pub(crate) async fn article(
    State(s): State<Arc<AppState>>,
    Query(q): Params,
    req: HeaderMap,
) -> Response {
    let m = with_store(&s, move |store| {
        let (h, a) = latest_of(store, &q)?;
        let prov = serde_json::to_string_pretty(&a.provenance).unwrap_or_default();
        Ok(layout(
            a.content.title.as_deref().unwrap_or(&h.url),
            html! {
                p.url { "Article " code { (h.url) } }
                (article_view(&a))
                h2 { "History" }
                ol.timeline {
                    @for (i, c) in h.captures.iter().enumerate() {
                        @let changed = i > 0 && h.captures[i - 1].content_sha256 != c.content_sha256;
                        li class=(if changed { "changed" } else { "same" }) {
                            (c.fetched_at.as_deref().unwrap_or("-")) " · run " a href={ "/runs/" (enc(&c.run.0)) } { (c.run.0) }
                            " · " @if i == 0 { "first capture" } @else if changed { strong { "content changed" } } @else { "content unchanged" }
                            " · content " code { (c.content_sha256.get(..12).unwrap_or(&c.content_sha256)) }
                            " · " a href={ "/raw/" (c.id.0) } { "raw" }
                            @if i > 0 { " · " a href={ "/diff?url=" (enc(&h.url)) "&from=" (enc(&h.captures[i - 1].id.0)) "&to=" (enc(&c.id.0)) } { "diff" } }
                        }
                    }
                }
                @if !h.aliases.is_empty() {
                    h2 { "Aliases" }
                    ul { @for a in &h.aliases { li { code { (a) } } } }
                }
                h2 { "Provenance" }
                pre { (prov) }
            },
        ))
    })
    .await;
    respond(&req, m)
}

/// `GET /search?q=`: articles whose URL or title contains the text.
pub(crate) async fn search(
    State(s): State<Arc<AppState>>,
    Query(q): Params,
    req: HeaderMap,
) -> Response {
    let m = with_store(&s, move |store| {
        let needle = q.get("q").map(|s| s.trim().to_string()).unwrap_or_default();
        let found = if needle.is_empty() {
            Vec::new()
        } else {
            store.search(&needle, 200)?
        };
        Ok(layout(
            "Search",
            html! {
                h1 { "Search" }
                @if needle.is_empty() { p { "Type part of a title or a URL." } }
                @else {
                    p { (found.len()) " article(s) whose title or URL contains " code { (needle) } @if found.len() == 200 { " (first 200)" } }
                    ul { @for c in &found { li { a href={ "/articles?url=" (enc(&c.url)) } { (c.url) } " · " (c.fetched_at.as_deref().unwrap_or("-")) } } }
                }
            },
        ))
    })
    .await;
    respond(&req, m)
}

/// Word operations as inline `<del>`/`<ins>`.
fn words<'a>(ops: impl IntoIterator<Item = &'a WordOp>) -> Markup {
    html! {
        @for op in ops {
            @match op {
                WordOp::Equal { text } => { (text) " " }
                WordOp::Insert { text } => { ins { (text) } " " }
                WordOp::Delete { text } => { del { (text) } " " }
            }
        }
    }
}

/// `GET /diff?url=&from=&to=`: metadata changes first, then the body block by block,
/// old and new side by side, words marked with `<del>` and `<ins>`.
pub(crate) async fn diff(
    State(s): State<Arc<AppState>>,
    Query(q): Params,
    req: HeaderMap,
) -> Response {
    let m = with_store(&s, move |store| {
        let (pair, old, _new, d) = diff_of(store, &q)?;
        let old_text = |i: usize| old.content.body.get(i).map(Block::text).unwrap_or_default();
        Ok(layout(
            &format!("Diff of {}", pair.url),
            html! {
                h1 { "What changed" }
                p.url { code { (pair.url) } }
                p { "From " a href={ "/raw/" (pair.from.id.0) } { (pair.from.fetched_at.as_deref().unwrap_or("-")) } " (run " (pair.from.run.0) ")"
                    " to " a href={ "/raw/" (pair.to.id.0) } { (pair.to.fetched_at.as_deref().unwrap_or("-")) } " (run " (pair.to.run.0) ")" }
                @if d.is_empty() { p { "No change in content." } }
                @if !d.metadata.is_empty() {
                    h2 { "Fields" }
                    table.fields {
                        thead { tr { th { "Field" } th { "Before" } th { "After" } } }
                        tbody { @for f in &d.metadata {
                            tr { td { (f.field) } td { del { (f.old.to_string()) } } td { ins { (f.new.to_string()) } } }
                        } }
                    }
                }
                @if !d.body.is_empty() {
                    h2 { "Body" }
                    table.sides {
                        thead { tr { th { "Before" } th { "After" } } }
                        tbody {
                            @for op in &d.body {
                                @match op {
                                    BlockOp::Equal { old_index, .. } => {
                                        @let same = old_text(*old_index);
                                        tr.equal { td { (same) } td { (same) } }
                                    }
                                    BlockOp::Insert { block, .. } => {
                                        tr.insert { td {} td { ins { (block.text()) } } }
                                    }
                                    BlockOp::Delete { old_index } => {
                                        tr.delete { td { del { (old_text(*old_index)) } } td {} }
                                    }
                                    BlockOp::Replace { words: ops, .. } => {
                                        tr.replace {
                                            td { (words(ops.iter().filter(|o| !matches!(o, WordOp::Insert { .. })))) }
                                            td { (words(ops.iter().filter(|o| !matches!(o, WordOp::Delete { .. })))) }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
                p { a href={ "/articles?url=" (enc(&pair.url)) } { "the article and its history" } }
            },
        ))
    })
    .await;
    respond(&req, m)
}

/// `GET /raw/{run}/{sha256}`: the bytes as captured, as plain text, after a header
/// block with the digests and fetch facts. Never HTML: a stored page must not run in
/// this origin.
pub(crate) async fn raw(
    State(s): State<Arc<AppState>>,
    Path(capture): Path<String>,
    req: HeaderMap,
) -> Response {
    let body = with_store(&s, move |store| {
        let a = store.read_capture(&CaptureId(capture.clone()))?;
        let p = &a.provenance;
        let bytes = store.read_object(&p.raw_sha256)?;
        let mut out = String::new();
        let _ = writeln!(out, "quire capture {capture}");
        let _ = writeln!(out, "url: {}", a.content.url);
        let _ = writeln!(out, "raw_sha256: {}", p.raw_sha256);
        let _ = writeln!(out, "content_sha256: {}", a.content_sha256);
        if let Ok(facts) = serde_json::to_string(p) {
            let _ = writeln!(out, "provenance: {facts}");
        }
        let _ = writeln!(out, "----- {} bytes as captured follow -----", bytes.len());
        let mut v = out.into_bytes();
        v.extend_from_slice(&bytes);
        Ok(v)
    })
    .await;
    match body {
        Ok(b) => {
            let mut r = tagged(&req, "text/plain; charset=utf-8", b);
            secure(&mut r, "default-src 'none'; sandbox");
            r
        }
        Err(f) => error_page(f),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EVIL: &str = "\"><script>alert(1)</script><img src=x onerror=alert(2)>";

    #[test]
    fn every_block_kind_escapes_what_the_page_said() {
        let blocks = [
            Block::Paragraph { text: EVIL.into() },
            Block::Heading {
                level: 2,
                text: EVIL.into(),
            },
            Block::Blockquote {
                paragraphs: vec![EVIL.into()],
            },
            Block::List {
                ordered: true,
                items: vec![EVIL.into()],
            },
            Block::Image {
                src: format!("javascript:alert(3)//{EVIL}"),
                alt: Some(EVIL.into()),
                caption: Some(EVIL.into()),
                credit: Some(EVIL.into()),
            },
            Block::Preformatted { text: EVIL.into() },
        ];
        for b in &blocks {
            let html = block(b).into_string();
            assert!(!html.contains("<script"), "{html}");
            assert!(!html.contains("<img"), "{html}");
            assert!(
                !html.contains("href="),
                "an archived URL became a link: {html}"
            );
            assert!(html.contains("&lt;script&gt;"), "{html}");
        }
        let words = words(&[
            WordOp::Equal { text: EVIL.into() },
            WordOp::Insert { text: EVIL.into() },
            WordOp::Delete { text: EVIL.into() },
        ])
        .into_string();
        assert!(!words.contains("<script") && words.contains("<ins>&quot;&gt;&lt;script"));
    }

    #[test]
    fn query_values_are_percent_encoded() {
        assert_eq!(
            enc("http://a/b?c=d&e=\"<x>\""),
            "http%3A%2F%2Fa%2Fb%3Fc%3Dd%26e%3D%22%3Cx%3E%22"
        );
    }

    #[test]
    fn the_sparkline_holds_only_numbers() {
        let svg = sparkline(&[0, 3, 10]).into_string();
        assert_eq!(svg.matches("<rect").count(), 3);
        assert!(svg.contains("height=\"24\"/>"), "{svg}");
        assert!(sparkline(&[]).into_string().contains("width=\"0\""));
    }
}
