//! `quire serve`: a read-only web view (server-rendered HTML) and JSON API over a
//! store, in one axum router.
//!
//! Owns the HTTP surface: routing, the error document, ETags and conditional
//! requests, the security headers, the embedded stylesheet. It reads the store through
//! [`Store::open_reader`] only, once per request, so it never takes the writer lock,
//! sees only what the index (or a private rebuild of it) holds, and picks up runs a
//! crawl finishes while it serves without a restart. It must not write to the store,
//! fetch anything from outside, or render archived bytes as HTML: archived text is
//! escaped by construction ([`maud`]) and every page carries a Content-Security-Policy
//! that allows no script at all; raw captures are served as `text/plain` under
//! `default-src 'none'`.

mod api;
mod pages;

use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use axum::body::Body;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

use crate::model::sha256_hex;
use crate::store::{Store, StoreError};

/// How `quire serve` runs.
#[derive(Debug, Clone)]
pub struct ServeConfig {
    /// Store root.
    pub store: PathBuf,
    /// Address to listen on.
    pub addr: SocketAddr,
}

/// Why the server could not start or stopped.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The store cannot be opened for reading.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The address cannot be bound, or the server failed.
    #[error("serving on {addr}: {source}")]
    Io {
        /// The address.
        addr: SocketAddr,
        /// The error.
        source: std::io::Error,
    },
}

/// Shared by every handler: where the store is.
#[derive(Debug)]
struct AppState {
    root: PathBuf,
}

/// The router: HTML pages, the JSON API under `/api/v1`, the stylesheet.
pub fn router(store: PathBuf) -> Router {
    let state = Arc::new(AppState { root: store });
    Router::new()
        .route("/", get(pages::runs))
        .route("/runs/{run}", get(pages::run))
        .route("/articles", get(pages::article))
        .route("/search", get(pages::search))
        .route("/diff", get(pages::diff))
        .route("/raw/{*capture}", get(pages::raw))
        .route("/static/quire.css", get(stylesheet))
        .route("/api/v1/runs", get(api::runs))
        .route("/api/v1/runs/{run}", get(api::run))
        .route("/api/v1/articles", get(api::article))
        .route("/api/v1/history", get(api::history))
        .route("/api/v1/captures/{*capture}", get(api::capture))
        .route("/api/v1/diff", get(api::diff))
        .route("/api/v1/changes", get(api::changes))
        .fallback(not_found)
        .with_state(state)
}

/// Bind `cfg.addr` and serve until `stop` completes. The store is opened once first,
/// so that a wrong path is an error at start, not a page of errors. Calls `ready` with
/// the bound address (port 0 picks a free one) before serving.
pub async fn serve(
    cfg: ServeConfig,
    ready: impl FnOnce(SocketAddr),
    stop: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServeError> {
    let root = cfg.store.clone();
    tokio::task::spawn_blocking(move || Store::open_reader(&root).map(drop))
        .await
        .map_err(|e| ServeError::Io {
            addr: cfg.addr,
            source: std::io::Error::other(e),
        })??;
    let listener = tokio::net::TcpListener::bind(cfg.addr)
        .await
        .map_err(|source| ServeError::Io {
            addr: cfg.addr,
            source,
        })?;
    let addr = listener.local_addr().map_err(|source| ServeError::Io {
        addr: cfg.addr,
        source,
    })?;
    ready(addr);
    axum::serve(listener, router(cfg.store))
        .with_graceful_shutdown(stop)
        .await
        .map_err(|source| ServeError::Io { addr, source })
}

/// Which index file a cached reader read: device and inode (a `reindex` that
/// replaces the file makes a new one), or nothing to compare on other systems.
fn index_identity(root: &std::path::Path) -> Option<(u64, u64)> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let m = std::fs::metadata(crate::store::index_path(root)).ok()?;
        Some((m.dev(), m.ino()))
    }
    #[cfg(not(unix))]
    {
        let _ = root;
        None
    }
}

/// A reader kept by one thread: the store root, the identity of the index file it
/// read, and the reader.
type CachedReader = Option<(PathBuf, (u64, u64), Store)>;

thread_local! {
    /// One reader per blocking thread, reused while it reads the same on-disk index
    /// (SQLite shows each query the latest committed state, so new runs appear).
    static READER: std::cell::RefCell<CachedReader> = const { std::cell::RefCell::new(None) };
}

/// Run `f` on the store, on a blocking thread (SQLite and file reads block). The
/// thread's reader is reused when it still reads the store's on-disk index; a reader
/// over a private in-memory rebuild is opened afresh for every request, so that it
/// is never older than the request.
async fn with_store<T: Send + 'static>(
    state: &AppState,
    f: impl FnOnce(&Store) -> Result<T, Failure> + Send + 'static,
) -> Result<T, Failure> {
    let root = state.root.clone();
    tokio::task::spawn_blocking(move || {
        let id = index_identity(&root);
        READER.with(|cell| {
            let mut slot = cell.borrow_mut();
            if let (Some((r, i, store)), Some(now)) = (&*slot, id) {
                if *r == root && *i == now {
                    return f(store);
                }
            }
            *slot = None;
            let store = Store::open_reader(&root)?;
            match id {
                Some(now) if store.sees_later_writes() => {
                    let (_, _, store) = slot.insert((root, now, store));
                    f(store)
                }
                _ => f(&store),
            }
        })
    })
    .await
    .map_err(|e| Failure::internal(format!("handler stopped: {e}")))?
}

/// A request that cannot be answered: its HTTP status, a stable error code for
/// programs, and a message for people.
#[derive(Debug)]
pub(crate) struct Failure {
    status: StatusCode,
    code: &'static str,
    message: String,
}

impl Failure {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Failure {
        Failure {
            status,
            code,
            message: message.into(),
        }
    }

    fn bad_request(code: &'static str, message: impl Into<String>) -> Failure {
        Failure::new(StatusCode::BAD_REQUEST, code, message)
    }

    fn not_found(code: &'static str, message: impl Into<String>) -> Failure {
        Failure::new(StatusCode::NOT_FOUND, code, message)
    }

    fn internal(message: impl Into<String>) -> Failure {
        Failure::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", message)
    }

    /// As a JSON error document: `{"error": code, "message": …}`.
    fn json(self) -> Response {
        let body = serde_json::json!({"error": self.code, "message": self.message});
        let mut r = (self.status, body.to_string()).into_response();
        r.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        r
    }
}

impl From<StoreError> for Failure {
    fn from(e: StoreError) -> Failure {
        match e {
            StoreError::NotFound(m) => Failure::not_found("not_found", m),
            StoreError::Corrupt { .. } => {
                Failure::new(StatusCode::INTERNAL_SERVER_ERROR, "corrupt", e.to_string())
            }
            e => Failure::internal(e.to_string()),
        }
    }
}

impl From<crate::diff::pick::PickError> for Failure {
    fn from(e: crate::diff::pick::PickError) -> Failure {
        use crate::diff::pick::PickError as P;
        match e {
            P::Store(s) => s.into(),
            P::NoCaptures(_) => Failure::not_found("unknown_url", e.to_string()),
            P::OnlyOne(_) => Failure::not_found("nothing_to_compare", e.to_string()),
            P::Unknown(_) | P::NoneInRun(_) => Failure::not_found("unknown_capture", e.to_string()),
            P::Ambiguous(_) => Failure::bad_request("ambiguous_capture", e.to_string()),
        }
    }
}

/// A response body with a strong ETag (SHA-256 of the body): `304 Not Modified` when
/// the request's `If-None-Match` names it (or is `*`).
fn tagged(req: &HeaderMap, content_type: &'static str, body: Vec<u8>) -> Response {
    let tag = format!("\"{}\"", &sha256_hex(&body)[..32]);
    let matches = req
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(',')
                .map(|t| t.trim().trim_start_matches("W/"))
                .any(|t| t == "*" || t == tag)
        });
    let mut r = if matches {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        let mut r = Response::new(Body::from(body));
        r.headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
        r
    };
    if let Ok(v) = HeaderValue::from_str(&tag) {
        r.headers_mut().insert(header::ETAG, v);
    }
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    r.headers_mut().insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    r
}

/// Unknown paths: a JSON error under the API, a page elsewhere.
async fn not_found(uri: axum::http::Uri) -> Response {
    let f = Failure::not_found("unknown_path", format!("no such path: {}", uri.path()));
    if uri.path().starts_with("/api/") {
        f.json()
    } else {
        pages::error_page(f)
    }
}

/// The one stylesheet, embedded in the binary.
async fn stylesheet(req: HeaderMap) -> Response {
    tagged(
        &req,
        "text/css; charset=utf-8",
        include_bytes!("quire.css").to_vec(),
    )
}
