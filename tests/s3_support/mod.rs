//! Real S3-compatible servers on loopback for the S3 store tests and the S3 bench:
//! moto's server (`pip install 'moto[server]'`, as `.ci/run` does), and for the bench
//! `s3s-fs` (`cargo install s3s-fs --version 0.14.1 --features binary --locked`: an S3
//! server in Rust on a directory, with `If-None-Match: *` and `If-Match` on PutObject).
//! Each is started once per test binary on a free 127.0.0.1 port and killed when the
//! binary exits (a watchdog in the child ends it if the binary dies first). Each test
//! makes its own bucket. When the server is missing the tests are skipped with the
//! reason printed, except in CI (`CI=true`), where they fail.
//!
//! The tests use moto: its conditional writes are atomic (one lock around the bucket),
//! which the lease races need; s3s-fs checks a condition and then writes, so two
//! racing creates may both succeed (harmless for content-addressed keys, wrong for a
//! lease), and it serves as the bench's faster server.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

/// Which server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// moto's server (Python, in memory).
    Moto,
    /// s3s-fs (Rust, files under a directory; a bucket is a directory).
    S3sFs,
}

/// A running server.
pub struct S3Server {
    /// `http://127.0.0.1:PORT`.
    pub endpoint: String,
    port: u16,
    pub kind: Kind,
    /// s3s-fs's data directory.
    root: Option<PathBuf>,
}

static MOTO: OnceLock<Option<S3Server>> = OnceLock::new();
static S3S_FS: OnceLock<Option<S3Server>> = OnceLock::new();
static CHILDREN: Mutex<Vec<(Child, Option<PathBuf>)>> = Mutex::new(Vec::new());

extern "C" fn kill_children() {
    if let Ok(mut g) = CHILDREN.lock() {
        for (c, root) in g.iter_mut() {
            // The child leads its own process group (the server and its watchdog).
            unsafe {
                libc::kill(-(c.id() as i32), libc::SIGKILL);
            }
            let _ = c.kill();
            let _ = c.wait();
            if let Some(r) = root {
                let _ = std::fs::remove_dir_all(r);
            }
        }
    }
}

fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true")
}

fn moto_command() -> Option<Command> {
    let ok = Command::new("python3")
        .args(["-c", "import moto.server, flask, flask_cors"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        return None;
    }
    // moto's server under a watchdog that exits when the test binary is gone (the
    // binary also kills it at exit; this covers a crash).
    let script = "import os, sys, threading, time\n\
                  parent = os.getppid()\n\
                  def watch():\n\
                  \x20   while os.getppid() == parent:\n\
                  \x20       time.sleep(0.5)\n\
                  \x20   os._exit(0)\n\
                  threading.Thread(target=watch, daemon=True).start()\n\
                  from moto.server import main\n\
                  main(sys.argv[1:])\n";
    let mut c = Command::new("python3");
    c.args(["-c", script]);
    Some(c)
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

fn skip(reason: &str) -> Option<S3Server> {
    if in_ci() {
        panic!("{reason}: CI must run the S3 store tests");
    }
    eprintln!("SKIPPED S3 store test: {reason}");
    None
}

fn launch(mut cmd: Command, kind: Kind, port: u16, root: Option<PathBuf>) -> Option<S3Server> {
    use std::os::unix::process::CommandExt;
    cmd.stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .process_group(0);
    let child = cmd.spawn().expect("start the S3 server");
    {
        let mut g = CHILDREN.lock().unwrap();
        if g.is_empty() {
            unsafe {
                libc::atexit(kill_children);
            }
        }
        g.push((child, root.clone()));
    }
    let t0 = Instant::now();
    loop {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            break;
        }
        assert!(
            t0.elapsed() < Duration::from_secs(30),
            "the S3 server ({kind:?}) did not listen on 127.0.0.1:{port} within 30 s"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    Some(S3Server {
        endpoint: format!("http://127.0.0.1:{port}"),
        port,
        kind,
        root,
    })
}

fn start_moto() -> Option<S3Server> {
    let Some(mut cmd) = moto_command() else {
        return skip(
            "moto's S3 server is not installed (`python3 -c 'import moto.server'` \
             failed; `pip install 'moto[server]'`, as .ci/run does)",
        );
    };
    let port = free_port();
    cmd.args(["-H", "127.0.0.1", "-p", &port.to_string()]);
    launch(cmd, Kind::Moto, port, None)
}

fn start_s3s_fs() -> Option<S3Server> {
    let found = Command::new("s3s-fs")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        return skip(
            "s3s-fs is not installed (`cargo install s3s-fs --version 0.14.1 \
             --features binary --locked`)",
        );
    }
    let port = free_port();
    let root = std::env::temp_dir().join(format!(
        "quire-s3s-fs-{}-{:08x}",
        std::process::id(),
        fastrand::u32(..)
    ));
    std::fs::create_dir_all(&root).expect("s3s-fs data directory");
    // The server and a watchdog in one process group: the watchdog ends the group
    // when the test binary is gone (the binary also kills it at exit).
    let mut cmd = Command::new("bash");
    cmd.arg("-c")
        .arg("p=$PPID; s3s-fs \"$@\" & while kill -0 $p 2>/dev/null; do sleep 0.5; done; kill 0")
        .arg("s3s-fs-watchdog")
        .args([
            "--host",
            "127.0.0.1",
            "--port",
            &port.to_string(),
            "--access-key",
            "test",
            "--secret-key",
            "test",
        ])
        .arg(&root);
    launch(cmd, Kind::S3sFs, port, Some(root))
}

/// The shared moto server, or `None` (skip) when moto is missing outside CI.
pub fn moto() -> Option<&'static S3Server> {
    MOTO.get_or_init(start_moto).as_ref()
}

/// The shared s3s-fs server, or `None` (skip) when it is missing outside CI.
pub fn s3s_fs() -> Option<&'static S3Server> {
    S3S_FS.get_or_init(start_s3s_fs).as_ref()
}

impl S3Server {
    /// Send one plain HTTP request (moto does not check signatures); the status code
    /// and body.
    fn request(&self, method: &str, path: &str, body: &[u8]) -> (u16, Vec<u8>) {
        let mut s = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        let head = format!(
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            self.port,
            body.len()
        );
        s.write_all(head.as_bytes()).unwrap();
        s.write_all(body).unwrap();
        let mut out = Vec::new();
        s.read_to_end(&mut out).unwrap();
        let text = String::from_utf8_lossy(&out);
        let code = text
            .split_whitespace()
            .nth(1)
            .and_then(|c| c.parse().ok())
            .unwrap_or(0);
        let body_at = out
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .map_or(out.len(), |i| i + 4);
        (code, out[body_at..].to_vec())
    }

    /// A new empty bucket with a unique name.
    pub fn bucket(&self) -> String {
        let name = format!("quire-{:016x}", fastrand::u64(..));
        if let Some(root) = &self.root {
            // s3s-fs: a bucket is a directory of its root.
            std::fs::create_dir(root.join(&name)).unwrap();
            return name;
        }
        let (code, body) = self.request("PUT", &format!("/{name}"), b"");
        assert_eq!(
            code,
            200,
            "create bucket: {}",
            String::from_utf8_lossy(&body)
        );
        name
    }

    fn client(&self, bucket: &str) -> object_store::aws::AmazonS3 {
        let mut b = object_store::aws::AmazonS3Builder::new()
            .with_bucket_name(bucket)
            .with_allow_http(true);
        for (k, v) in self.config() {
            b = b.with_config(k.parse().unwrap(), v);
        }
        b.build().unwrap()
    }

    fn run<T>(f: impl std::future::Future<Output = T>) -> T {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(f)
    }

    /// Overwrite a key without conditions (to damage a store on purpose).
    pub fn put_raw(&self, bucket: &str, key: &str, body: &[u8]) {
        use object_store::ObjectStore;
        let c = self.client(bucket);
        Self::run(c.put(&key.into(), body.to_vec().into())).unwrap();
    }

    /// Delete a key (to damage a store on purpose).
    pub fn delete_raw(&self, bucket: &str, key: &str) {
        use object_store::ObjectStore;
        let c = self.client(bucket);
        Self::run(c.delete(&key.into())).unwrap();
    }

    /// Read a key; `None` when absent.
    pub fn get_raw(&self, bucket: &str, key: &str) -> Option<Vec<u8>> {
        use object_store::ObjectStore;
        let c = self.client(bucket);
        Self::run(async {
            match c.get(&key.into()).await {
                Ok(r) => Some(r.bytes().await.unwrap().to_vec()),
                Err(object_store::Error::NotFound { .. }) => None,
                Err(e) => panic!("get {key}: {e}"),
            }
        })
    }

    /// Create `n` small keys with `If-None-Match: *`, `par` at a time; seconds taken
    /// (for the bench: the server's own request rate).
    pub fn put_many(&self, bucket: &str, n: usize, par: usize) -> f64 {
        use futures_util::StreamExt;
        use object_store::ObjectStore;
        let c = std::sync::Arc::new(self.client(bucket));
        let t0 = Instant::now();
        Self::run(async {
            let jobs = (0..n).map(|i| {
                let c = c.clone();
                async move {
                    let opts = object_store::PutOptions::from(object_store::PutMode::Create);
                    c.put_opts(&format!("k/{i}").into(), vec![b'x'; 700].into(), opts)
                        .await
                        .unwrap();
                }
            });
            futures_util::stream::iter(jobs)
                .buffer_unordered(par)
                .collect::<Vec<()>>()
                .await;
        });
        t0.elapsed().as_secs_f64()
    }

    /// Every key in a bucket.
    pub fn keys(&self, bucket: &str) -> Vec<String> {
        use futures_util::TryStreamExt;
        use object_store::ObjectStore;
        let c = self.client(bucket);
        let metas: Vec<object_store::ObjectMeta> = Self::run(c.list(None).try_collect()).unwrap();
        let mut out: Vec<String> = metas.into_iter().map(|m| m.location.to_string()).collect();
        out.sort();
        out
    }

    /// The object_store settings that point the store at this server.
    pub fn config(&self) -> Vec<(String, String)> {
        vec![
            ("aws_endpoint".into(), self.endpoint.clone()),
            ("aws_access_key_id".into(), "test".into()),
            ("aws_secret_access_key".into(), "test".into()),
            ("aws_region".into(), "us-east-1".into()),
        ]
    }

    /// The environment a `quire` child process needs for this server.
    pub fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("AWS_ENDPOINT_URL", self.endpoint.clone()),
            ("AWS_ACCESS_KEY_ID", "test".into()),
            ("AWS_SECRET_ACCESS_KEY", "test".into()),
            ("AWS_REGION", "us-east-1".into()),
        ]
    }
}

/// A TCP proxy in front of the S3 server that can go down (listener closed, open
/// connections reset) and come back on the same port: the endpoint a crawler talks to
/// disappears and restarts mid-run while the server's state persists behind it.
pub struct Proxy {
    /// The port the proxy listens on.
    pub port: u16,
    target: u16,
    up: std::sync::Arc<std::sync::atomic::AtomicBool>,
    conns: std::sync::Arc<Mutex<Vec<TcpStream>>>,
}

impl Proxy {
    /// Listen on a free loopback port, forwarding to `m`.
    pub fn start(m: &S3Server) -> Proxy {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .unwrap();
        let p = Proxy {
            port,
            target: m.port,
            up: Default::default(),
            conns: Default::default(),
        };
        p.restart();
        p
    }

    /// `http://127.0.0.1:PORT`.
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Go down: stop listening (connections are refused) and reset every open one.
    pub fn kill(&self) {
        self.up.store(false, std::sync::atomic::Ordering::SeqCst);
        for c in self.conns.lock().unwrap().drain(..) {
            let _ = c.shutdown(std::net::Shutdown::Both);
        }
        // Let the accept loop see the flag and drop its listener.
        std::thread::sleep(Duration::from_millis(50));
    }

    /// Come back on the same port.
    pub fn restart(&self) {
        let listener = loop {
            match TcpListener::bind(("127.0.0.1", self.port)) {
                Ok(l) => break l,
                Err(_) => std::thread::sleep(Duration::from_millis(20)),
            }
        };
        listener.set_nonblocking(true).unwrap();
        self.up.store(true, std::sync::atomic::Ordering::SeqCst);
        let (up, conns, target) = (self.up.clone(), self.conns.clone(), self.target);
        std::thread::spawn(move || {
            while up.load(std::sync::atomic::Ordering::SeqCst) {
                match listener.accept() {
                    Ok((client, _)) => {
                        let _ = client.set_nonblocking(false);
                        let Ok(server) = TcpStream::connect(("127.0.0.1", target)) else {
                            continue;
                        };
                        if let (Ok(c2), Ok(s2)) = (client.try_clone(), server.try_clone()) {
                            conns.lock().unwrap().extend([c2, s2]);
                        }
                        let (mut c_r, mut s_w) =
                            (client.try_clone().unwrap(), server.try_clone().unwrap());
                        let (mut s_r, mut c_w) = (server, client);
                        std::thread::spawn(move || {
                            let _ = std::io::copy(&mut c_r, &mut s_w);
                            let _ = s_w.shutdown(std::net::Shutdown::Write);
                        });
                        std::thread::spawn(move || {
                            let _ = std::io::copy(&mut s_r, &mut c_w);
                            let _ = c_w.shutdown(std::net::Shutdown::Write);
                        });
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(5)),
                }
            }
        });
    }
}

/// An HTTP proxy in front of the S3 server that answers every `every`-th request
/// with `503 SlowDown` (the S3 error body and all), as a throttled bucket does, and
/// forwards the others one request per upstream connection. `throttled()` says how
/// many it refused, so a test can prove the throttling happened.
pub struct Throttle {
    /// The port the proxy listens on.
    pub port: u16,
    refused: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

/// One HTTP/1.1 request read off a connection: its head (with `Connection: close`
/// put in place of any connection header) and its body (Content-Length or chunked,
/// kept as sent). `None` at the end of the connection.
fn read_request(r: &mut std::io::BufReader<TcpStream>) -> Option<(Vec<u8>, Vec<u8>)> {
    use std::io::BufRead;
    let mut head = Vec::new();
    let mut length = 0usize;
    let mut chunked = false;
    loop {
        let mut line = String::new();
        if r.read_line(&mut line).ok()? == 0 {
            return None;
        }
        if line == "\r\n" || line == "\n" {
            break;
        }
        let lower = line.to_ascii_lowercase();
        if let Some(v) = lower.strip_prefix("content-length:") {
            length = v.trim().parse().ok()?;
        }
        if lower.starts_with("transfer-encoding:") && lower.contains("chunked") {
            chunked = true;
        }
        if !lower.starts_with("connection:") {
            head.extend_from_slice(line.as_bytes());
        }
    }
    head.extend_from_slice(b"Connection: close\r\n\r\n");
    let mut body = Vec::new();
    if chunked {
        loop {
            let mut size = String::new();
            r.read_line(&mut size).ok()?;
            body.extend_from_slice(size.as_bytes());
            let n = usize::from_str_radix(size.trim().split(';').next()?, 16).ok()?;
            let mut chunk = vec![0; n + 2];
            r.read_exact(&mut chunk).ok()?;
            body.extend_from_slice(&chunk);
            if n == 0 {
                break;
            }
        }
    } else {
        body.resize(length, 0);
        r.read_exact(&mut body).ok()?;
    }
    Some((head, body))
}

impl Throttle {
    /// Listen on a free loopback port in front of `m`; refuse every `every`-th request.
    pub fn start(m: &S3Server, every: usize) -> Throttle {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let refused = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let seen = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let (target, count) = (m.port, refused.clone());
        std::thread::spawn(move || {
            for client in listener.incoming().flatten() {
                let (target, count, seen) = (target, count.clone(), seen.clone());
                std::thread::spawn(move || {
                    let Ok(mut out) = client.try_clone() else {
                        return;
                    };
                    let mut r = std::io::BufReader::new(client);
                    while let Some((head, body)) = read_request(&mut r) {
                        let n = seen.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
                        if n % every == 0 {
                            count.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                            let xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>";
                            let resp = format!(
                                "HTTP/1.1 503 Slow Down\r\nContent-Type: application/xml\r\nContent-Length: {}\r\n\r\n{xml}",
                                xml.len()
                            );
                            if out.write_all(resp.as_bytes()).is_err() {
                                return;
                            }
                            continue;
                        }
                        // Forward on a fresh connection that the server closes after
                        // its answer, so the answer ends at end of stream.
                        let Some(answer) = forward(target, &head, &body) else {
                            return;
                        };
                        // The answer says "Connection: close": the client opens a new
                        // connection for its next request.
                        let _ = out.write_all(&answer);
                        return;
                    }
                });
            }
        });
        Throttle { port, refused }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// How many requests were answered `503 SlowDown` so far.
    pub fn throttled(&self) -> usize {
        self.refused.load(std::sync::atomic::Ordering::SeqCst)
    }
}

/// One request that went through a [`Recorder`].
#[derive(Debug, Clone)]
pub struct Logged {
    /// `PUT`, `GET`, …
    pub method: String,
    /// The request target (path and query).
    pub path: String,
    /// The request body.
    pub body: Vec<u8>,
    /// When the whole request had arrived.
    pub arrived: Instant,
    /// When its answer was sent back.
    pub answered: Instant,
    /// The answer's status code.
    pub status: u16,
}

/// An HTTP proxy in front of the S3 server that logs every request (method, path,
/// body, when it arrived and when it was answered), can hold back the PUTs of raw
/// objects (`objects/sha256/` keys) for a while before forwarding them, and can refuse
/// them with `403 AccessDenied` (an error no client retries).
pub struct Recorder {
    /// The port the proxy listens on.
    pub port: u16,
    log: std::sync::Arc<Mutex<Vec<Logged>>>,
    refuse: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl Recorder {
    /// Listen on a free loopback port in front of `m`; hold each object PUT back for
    /// `object_delay`.
    pub fn start(m: &S3Server, object_delay: Duration) -> Recorder {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let log = std::sync::Arc::new(Mutex::new(Vec::new()));
        let refuse = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let (target, log2, refuse2) = (m.port, log.clone(), refuse.clone());
        std::thread::spawn(move || {
            for client in listener.incoming().flatten() {
                let (log, refuse) = (log2.clone(), refuse2.clone());
                std::thread::spawn(move || {
                    let Ok(mut out) = client.try_clone() else {
                        return;
                    };
                    let mut r = std::io::BufReader::new(client);
                    let Some((head, body)) = read_request(&mut r) else {
                        return;
                    };
                    let arrived = Instant::now();
                    let line = String::from_utf8_lossy(&head)
                        .lines()
                        .next()
                        .unwrap_or("")
                        .to_string();
                    let mut parts = line.split_whitespace();
                    let method = parts.next().unwrap_or("").to_string();
                    let path = parts.next().unwrap_or("").to_string();
                    let object_put = method == "PUT" && path.contains("/objects/sha256/");
                    let answer = if object_put && refuse.load(std::sync::atomic::Ordering::SeqCst) {
                        let xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>";
                        format!(
                            "HTTP/1.1 403 Forbidden\r\nContent-Type: application/xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{xml}",
                            xml.len()
                        )
                        .into_bytes()
                    } else {
                        if object_put {
                            std::thread::sleep(object_delay);
                        }
                        let Some(answer) = forward(target, &head, &body) else {
                            return;
                        };
                        answer
                    };
                    let status = String::from_utf8_lossy(&answer)
                        .split_whitespace()
                        .nth(1)
                        .and_then(|c| c.parse().ok())
                        .unwrap_or(0);
                    let _ = out.write_all(&answer);
                    let _ = out.flush();
                    log.lock().unwrap().push(Logged {
                        method,
                        path,
                        body,
                        arrived,
                        answered: Instant::now(),
                        status,
                    });
                });
            }
        });
        Recorder { port, log, refuse }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Every request answered so far, in the order they were answered.
    pub fn log(&self) -> Vec<Logged> {
        self.log.lock().unwrap().clone()
    }

    /// Refuse (true) or forward (false) the object PUTs from now on.
    pub fn refuse_objects(&self, refuse: bool) {
        self.refuse
            .store(refuse, std::sync::atomic::Ordering::SeqCst);
    }
}

/// Send one request (`head` then `body`) to the server on 127.0.0.1:`target` on a fresh
/// connection and read its answer to the end of the stream; `None` when the server
/// cannot be reached or written to.
fn forward(target: u16, head: &[u8], body: &[u8]) -> Option<Vec<u8>> {
    let mut up = TcpStream::connect(("127.0.0.1", target)).ok()?;
    up.write_all(head).and_then(|_| up.write_all(body)).ok()?;
    let mut answer = Vec::new();
    let _ = up.read_to_end(&mut answer);
    Some(answer)
}
