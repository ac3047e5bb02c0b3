//! Shared by the `quire serve` tests: an in-process server on 127.0.0.1, a blocking
//! GET, and a store crawled from the loopback demo site in two versions.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use quire::demo::{self, DemoOptions};
use quire::serve::{serve, ServeConfig};
use serde_json::Value;

/// A server on 127.0.0.1 (any free port) over `store`, stopped when dropped.
pub struct Server {
    addr: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Server {
    pub fn start(store: &Path) -> Server {
        let (tx_addr, rx_addr) = std::sync::mpsc::channel();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let cfg = ServeConfig {
            store: store.to_path_buf(),
            addr: "127.0.0.1:0".parse().unwrap(),
        };
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                serve(cfg, move |a| tx_addr.send(a).unwrap(), async move {
                    let _ = stopped.await;
                })
                .await
                .unwrap();
            });
        });
        let addr = rx_addr
            .recv_timeout(std::time::Duration::from_secs(20))
            .expect("server started");
        Server {
            addr,
            stop: Some(stop),
            thread: Some(thread),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// A response: status, headers, body.
pub struct Got {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: Vec<u8>,
}

impl Got {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("JSON body")
    }
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }
}

pub fn get_with(url: &str, if_none_match: Option<&str>) -> Got {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let client = reqwest::Client::builder().no_proxy().build().unwrap();
        let mut req = client.get(url);
        if let Some(tag) = if_none_match {
            req = req.header("If-None-Match", tag);
        }
        let r = req.send().await.expect("request");
        Got {
            status: r.status().as_u16(),
            headers: r.headers().clone(),
            body: r.bytes().await.unwrap().to_vec(),
        }
    })
}

pub fn get(url: &str) -> Got {
    get_with(url, None)
}

pub fn enc(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// The demo site crawled twice (version 1, then version 2) into a store.
pub fn crawled_store() -> (tempfile::TempDir, PathBuf, demo::DemoReport) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("store");
    let report = demo::run(
        &DemoOptions {
            store: Some(root.clone()),
            color: false,
        },
        &mut Vec::new(),
    )
    .expect("demo crawl");
    (dir, root, report)
}
