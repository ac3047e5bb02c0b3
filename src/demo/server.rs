//! The demo's HTTP server: serves one version of the embedded sample site on
//! 127.0.0.1 (ephemeral port), switchable at run time so both crawls see the same
//! host and port. Owns only this loopback server; it never listens beyond 127.0.0.1.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;

use super::site;

/// A running demo server.
pub struct DemoServer {
    /// Where it listens.
    pub addr: SocketAddr,
    version: Arc<AtomicU8>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
}

impl DemoServer {
    /// Bind 127.0.0.1:0 and serve `version` (1 or 2). Must be called inside a tokio
    /// runtime.
    pub async fn start(version: u8) -> std::io::Result<DemoServer> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
        let addr = listener.local_addr()?;
        let state = Arc::new(AtomicU8::new(version));
        let app = Router::new().fallback(serve).with_state(state.clone());
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                })
                .await;
        });
        Ok(DemoServer {
            addr,
            version: state,
            shutdown: Some(tx),
        })
    }

    /// Serve `version` from now on.
    pub fn set_version(&self, version: u8) {
        self.version.store(version, Ordering::SeqCst);
    }

    /// The site's root URL.
    pub fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }
}

impl Drop for DemoServer {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next() {
        // No charset: the pages declare their own (windows-1252 or UTF-8) in <meta>.
        Some("htm") | Some("html") => "text/html",
        Some("gif") => "image/gif",
        Some("txt") => "text/plain; charset=us-ascii",
        _ => "application/octet-stream",
    }
}

async fn serve(State(version): State<Arc<AtomicU8>>, req: Request) -> Response {
    let mut path = req.uri().path().trim_start_matches('/').to_string();
    if path.is_empty() || path.ends_with('/') {
        path.push_str("index.html");
    }
    match site::file(version.load(Ordering::SeqCst), &path) {
        Some(bytes) => ([(header::CONTENT_TYPE, content_type(&path))], bytes).into_response(),
        None => (StatusCode::NOT_FOUND, "not found").into_response(),
    }
}
