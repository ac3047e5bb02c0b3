//! `quire serve` in a real browser: headless Debian chromium driven over WebDriver
//! (chromedriver, through `fantoccini`) loads the diff page of an article whose second
//! capture inserted a sentence and whose text is full of markup. The inserted sentence
//! must sit inside an `<ins>`, nothing from the archive may run, and a screenshot is
//! kept under `target/serve-browser/` for people to look at. `.ci/run` installs
//! chromium and chromium-driver; without them the test fails in CI and is skipped with
//! the reason printed elsewhere.

mod diff_support;
mod serve_support;
#[path = "support/tools.rs"]
mod tools;

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{ClientBuilder, Locator};
use quire::store::Store;
use serve_support::{enc, Server};

const URL: &str = "http://127.0.0.1:9/council.html";
const INSERTED: &str = "The council approved the repair budget on Tuesday evening.";
/// Archived text that would set the page title and a global if it ever ran.
const EVIL_TITLE: &str =
    "Bridges <script>document.title='pwned';window.pwned=1</script><img src=x onerror=\"window.pwned=2\">";
const EVIL_PARA: &str =
    "Repairs wait <script>window.pwned=3</script> while <a href=\"javascript:window.pwned=4\">funds</a> go elsewhere.";

/// chromedriver on a free loopback port, killed when dropped.
struct Driver {
    child: Child,
    port: u16,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_driver(driver: &str) -> Driver {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let child = Command::new(driver)
        .arg(format!("--port={port}"))
        .arg("--allowed-ips=127.0.0.1")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver starts");
    let d = Driver { child, port };
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "chromedriver did not listen");
        std::thread::sleep(Duration::from_millis(100));
    }
    d
}

fn store(root: &std::path::Path) {
    use diff_support::{put_page, Page};
    let mut s = Store::open_writer(root).unwrap();
    let before = [EVIL_PARA, "The bridge has waited forty years for paint."];
    let after = [
        EVIL_PARA,
        INSERTED,
        "The bridge has waited forty years for paint.",
    ];
    let r1 = s.begin_run(&serde_json::json!({})).unwrap();
    put_page(
        &mut s,
        &r1,
        &Page::article(URL, EVIL_TITLE, &before, "nav 1"),
    );
    s.finish_run(&r1, &serde_json::json!({"changed": 0}))
        .unwrap();
    let r2 = s.begin_run(&serde_json::json!({})).unwrap();
    put_page(
        &mut s,
        &r2,
        &Page::article(URL, EVIL_TITLE, &after, "nav 2"),
    );
    s.finish_run(&r2, &serde_json::json!({"changed": 1}))
        .unwrap();
}

#[test]
fn the_diff_page_marks_the_inserted_sentence_and_runs_no_archived_script() {
    let Some((browser, driver)) = tools::chromium_ready() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    store(dir.path());
    let server = Server::start(dir.path());
    let driver = start_driver(&driver);
    let browser_path = which(&browser);
    let shot_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/serve-browser");
    std::fs::create_dir_all(&shot_dir).unwrap();

    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".into(),
            serde_json::json!({
                "binary": browser_path,
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu",
                         "--disable-dev-shm-usage", "--window-size=1280,1000",
                         "--no-first-run", "--no-proxy-server"],
            }),
        );
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        let client = ClientBuilder::new(connector)
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{}", driver.port))
            .await
            .expect("a WebDriver session in chromium");

        let page = server.url(&format!("/diff?url={}", enc(URL)));
        client.goto(&page).await.expect("the diff page loads");

        // The inserted sentence is inside an <ins>.
        let ins = client.find_all(Locator::Css("ins")).await.unwrap();
        let mut texts = Vec::new();
        for e in &ins {
            texts.push(e.text().await.unwrap());
        }
        assert!(
            texts.iter().any(|t| t.contains(INSERTED)),
            "no <ins> holds the inserted sentence: {texts:?}"
        );
        // The old side has no such sentence in a <del>: it was an insertion.
        let dels = client.find_all(Locator::Css("del")).await.unwrap();
        for e in &dels {
            assert!(!e.text().await.unwrap().contains(INSERTED));
        }

        // Nothing from the archive ran: no global set, the title is ours, and the
        // archived markup is visible as text.
        let pwned = client
            .execute("return typeof window.pwned;", vec![])
            .await
            .unwrap();
        assert_eq!(pwned, serde_json::json!("undefined"));
        let title = client.title().await.unwrap();
        assert!(title.ends_with("· quire"), "{title}");
        let body = client
            .find(Locator::Css("main"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            body.contains("What changed") && body.contains(URL),
            "{body}"
        );
        // The same on the article page, where the hostile title is the headline.
        client
            .goto(&server.url(&format!("/articles?url={}", enc(URL))))
            .await
            .unwrap();
        let h1 = client
            .find(Locator::Css("h1"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(h1.contains("<script>document.title='pwned'"), "{h1}");
        let pwned = client
            .execute(
                "return [typeof window.pwned, document.images.length];",
                vec![],
            )
            .await
            .unwrap();
        assert_eq!(pwned, serde_json::json!(["undefined", 0]));

        client.goto(&page).await.unwrap();
        let png = client.screenshot().await.expect("a screenshot");
        assert!(png.starts_with(b"\x89PNG"), "not a PNG");
        std::fs::write(shot_dir.join("diff.png"), &png).unwrap();
        eprintln!("screenshot: {}", shot_dir.join("diff.png").display());
        client.close().await.unwrap();
    });
}

/// The absolute path of a command on `PATH`.
fn which(cmd: &str) -> String {
    std::env::var_os("PATH")
        .and_then(|p| {
            std::env::split_paths(&p)
                .map(|d| d.join(cmd))
                .find(|p| p.is_file())
        })
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| cmd.to_string())
}
