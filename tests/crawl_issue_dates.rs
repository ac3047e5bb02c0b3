//! Dates from issues, end to end: a loopback ESR-style site whose articles print no
//! date, listed by monthly issue pages. After the crawl, each undated article carries
//! its (earliest) issue's month with `published.source = "issue"`, also when the issue
//! links it through a redirecting URL; a date the article page states is kept; an
//! article no issue lists stays undated; re-processing the stored bytes alone still
//! gives no date (the pipeline stays a function of one page); and a second run in
//! which the issue pages answer 304 still dates a changed article.

mod support;

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use quire::crawl::{crawl, CrawlConfig, Summary};
use quire::extract::{ExtractConfig, ProfileChoice, ProfileSet};
use quire::fetch::url::parse_canonical;
use quire::model::{DateSource, PublishedDate};
use quire::pipeline::{self, PageInput};
use quire::store::{EntryKind, RunId, Store};
use support::site::SitePage;
use support::{Site, TestServer};

const HOME: &str = "/index.html";
const NOV: &str = "/archive/1197/index.htm";
const DEC: &str = "/archive/1297/index.htm";
const UNDATED: &str = "/archive/articles/misc/undated.htm";
const LATE: &str = "/archive/articles/1097/late.htm";
const DATED: &str = "/archive/articles/misc/dated.htm";
const MOVED: &str = "/archive/articles/misc/moved.htm";
const MOVED_FROM: &str = "/archive/articles/old.htm";
const DECEMBER: &str = "/archive/articles/misc/december.htm";
const ORPHAN: &str = "/archive/articles/misc/orphan.htm";

/// An ESR-style article; `dateline` is the "web posted" line or nothing.
fn article(title: &str, author: &str, dateline: &str) -> SitePage {
    let mut body = String::new();
    for i in 0..5 {
        let end = if i == 4 { " ESR" } else { "" };
        body.push_str(&format!(
            "<p>Paragraph {i} of {title}: the council met again this week and argued at \
             length about the budget, the roads and the new library, without deciding \
             anything that the town had not already decided years ago.{end}</p>\n"
        ));
    }
    let html = format!(
        "<html><head><title>Enter Stage Right - {title}</title></head><body>\
         <table><tr><td width=150><p><a href=\"/index.html\">Home</a></p></td><td>\
         <p><font size=\"5\"><b>{title}</b></font></p>\
         <p><font size=\"2\">By {author}{dateline}</font></p>\n<!--body-->\n{body}\
         <p><i>{author} writes for Enter Stage Right.</i></p></td></tr></table></body></html>"
    );
    SitePage {
        html,
        version: 1,
        article: true,
    }
}

/// A monthly issue page: banner, sections, "Title by Author" entries.
fn issue(label: &str, entries: &[(&str, &str, &str)]) -> SitePage {
    let mut items = String::new();
    for (href, title, author) in entries {
        items.push_str(&format!("<a href=\"{href}\">{title}</a> by {author}<br>\n"));
    }
    let html = format!(
        "<html><head><title>Enter Stage Right - {label}</title></head><body>\
         <p><a href=\"/index.html\">Home</a> | <a href=\"/archive/\">Past Issues</a> | \
         <a href=\"mailto:esr@example.com\">Write Us</a></p>\
         <p align=center><font size=\"+2\"><b>{label}</b></font></p>\
         <p><font size=\"+1\"><b>Features</b></font><br>\n{items}</p>\
         <p><font size=1>&copy; 1997 Enter Stage Right. All rights reserved.</font></p></body></html>"
    );
    SitePage {
        html,
        version: 1,
        article: false,
    }
}

fn site() -> Site {
    let mut s = Site::default();
    let home = format!(
        "<html><head><title>Enter Stage Right</title></head><body>\
         <p><font size=5><b>Enter Stage Right</b></font></p>\
         <p><font size=3><b>Issues</b></font><br>\
         <a href=\"{NOV}\">November 1997</a><br><a href=\"{DEC}\">December 1997</a><br>\
         <a href=\"{ORPHAN}\">An unlisted piece</a> by Ida Orr</p></body></html>"
    );
    s.pages.insert(
        HOME.into(),
        SitePage {
            html: home,
            version: 1,
            article: false,
        },
    );
    s.pages.insert(
        NOV.into(),
        issue(
            "November 1997 issue",
            &[
                (UNDATED, "A piece without a date", "Ann Lee"),
                (LATE, "Filed late", "Bo Ray"),
                (DATED, "A dated piece", "Cy Dee"),
                (MOVED_FROM, "A moved piece", "Di Fox"),
            ],
        ),
    );
    s.pages.insert(
        DEC.into(),
        issue(
            "December 1997 issue",
            &[
                (UNDATED, "A piece without a date", "Ann Lee"),
                (DECEMBER, "A December piece", "Ed Gray"),
            ],
        ),
    );
    s.pages.insert(
        UNDATED.into(),
        article("A piece without a date", "Ann Lee", ""),
    );
    s.pages
        .insert(LATE.into(), article("Filed late", "Bo Ray", ""));
    s.pages.insert(
        DATED.into(),
        article(
            "A dated piece",
            "Cy Dee",
            "<br>\nweb posted November 20, 1997",
        ),
    );
    s.pages
        .insert(MOVED.into(), article("A moved piece", "Di Fox", ""));
    s.pages
        .insert(DECEMBER.into(), article("A December piece", "Ed Gray", ""));
    s.pages
        .insert(ORPHAN.into(), article("An unlisted piece", "Ida Orr", ""));
    s.redirects
        .insert(MOVED_FROM.into(), (301, MOVED.to_string()));
    s
}

fn esr() -> ExtractConfig {
    let profiles = ProfileSet::builtin();
    let esr = profiles.resolve("esr").unwrap();
    ExtractConfig {
        profiles,
        choice: ProfileChoice::Force(esr),
        skip_links: false,
        latest_date: None,
    }
}

fn config(server: &TestServer) -> CrawlConfig {
    let mut cfg = CrawlConfig::new(vec![parse_canonical(&server.url(HOME)).unwrap()]);
    cfg.concurrency = 4;
    cfg.fetch.host_delay = Duration::ZERO;
    cfg.fetch.host_concurrency = 4;
    cfg.extract = esr();
    cfg
}

async fn run(server: &TestServer, dir: &Path) -> Summary {
    let store = Store::open_writer(dir).unwrap();
    crawl(config(server), store, std::future::pending(), &|_| {})
        .await
        .unwrap()
}

/// Path → published date of the run's latest document for it (captured or 304).
fn dates(dir: &Path, run: &str) -> BTreeMap<String, Option<PublishedDate>> {
    let s = Store::open_reader(dir).unwrap();
    let mut out = BTreeMap::new();
    let mut ids = Vec::new();
    s.for_each_entry(&RunId(run.into()), |e| {
        if let EntryKind::Captured { capture, .. } | EntryKind::NotModified { capture, .. } = e.kind
        {
            ids.push((e.url, capture));
        }
        Ok(())
    })
    .unwrap();
    for (url, id) in ids {
        let path = url::Url::parse(&url).unwrap().path().to_string();
        out.insert(path, s.read_capture(&id).unwrap().content.published);
    }
    out
}

fn issue_date(d: &Option<PublishedDate>) -> Option<(&str, DateSource)> {
    d.as_ref()
        .map(|d| (d.date.as_str(), d.source.expect("source")))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn undated_articles_take_the_date_of_the_issue_that_lists_them() {
    let server = TestServer::start(site());
    let dir = tempfile::tempdir().unwrap();

    let first = run(&server, dir.path()).await;
    assert!(first.finished);
    assert_eq!(first.issue_dated, 4, "{first:?}");
    let d = dates(dir.path(), &first.run_id);
    assert_eq!(
        issue_date(&d[UNDATED]),
        Some(("1997-11", DateSource::Issue)),
        "earliest issue"
    );
    assert_eq!(
        issue_date(&d[LATE]),
        Some(("1997-11", DateSource::Issue)),
        "issue beats the URL"
    );
    assert_eq!(
        issue_date(&d[MOVED]),
        Some(("1997-11", DateSource::Issue)),
        "listed by an alias"
    );
    assert_eq!(
        issue_date(&d[DECEMBER]),
        Some(("1997-12", DateSource::Issue))
    );
    assert_eq!(
        issue_date(&d[DATED]),
        Some(("1997-11-20", DateSource::Page)),
        "stated date kept"
    );
    assert_eq!(d[ORPHAN], None, "no issue lists it: no date");
    let s = Store::open_reader(dir.path()).unwrap();
    let doc = s
        .read_capture(&s.latest_capture(&server.url(UNDATED)).unwrap().unwrap().id)
        .unwrap();
    assert_eq!(
        doc.content.issue.map(|i| i.label),
        Some("November 1997 issue".to_string()),
        "the article names its issue"
    );
    drop(s);
    assert_eq!(
        d[UNDATED].as_ref().map(|x| x.precision),
        Some(quire::model::DatePrecision::Month)
    );
    // Every page was fetched once: waiting for the issues costs no request.
    for p in [UNDATED, LATE, MOVED, DECEMBER, DATED, ORPHAN, NOV, DEC] {
        assert_eq!(server.count(p), 1, "{p}");
    }

    // The stored bytes alone still give no date: the linking is the crawl's, not the
    // pipeline's.
    let s = Store::open_reader(dir.path()).unwrap();
    let latest = s.latest_capture(&server.url(UNDATED)).unwrap().unwrap();
    let raw = s.read_object(&latest.raw_sha256).unwrap();
    let url = url::Url::parse(&server.url(UNDATED)).unwrap();
    let p = pipeline::process(
        &PageInput {
            url: &url,
            body: &raw,
            content_type: Some("text/html"),
        },
        &esr(),
    )
    .unwrap();
    assert_eq!(p.content.published, None);
    drop(s);

    // Second run: the issue pages answer 304, one article changed; it is still dated.
    assert!(server
        .state
        .site
        .write()
        .unwrap()
        .edit(UNDATED, "A correction was added."));
    let second = run(&server, dir.path()).await;
    assert!(second.finished);
    assert_eq!(second.issue_dated, 1, "{second:?}");
    let d2 = dates(dir.path(), &second.run_id);
    assert_eq!(
        issue_date(&d2[UNDATED]),
        Some(("1997-11", DateSource::Issue))
    );
    assert_eq!(
        issue_date(&d2[DECEMBER]),
        Some(("1997-12", DateSource::Issue)),
        "304 keeps it"
    );
    let s = Store::open_reader(dir.path()).unwrap();
    let mut nov_kind = None;
    s.for_each_entry(&RunId(second.run_id.clone()), |e| {
        if e.url == server.url(NOV) {
            nov_kind = Some(matches!(e.kind, EntryKind::NotModified { .. }));
        }
        Ok(())
    })
    .unwrap();
    assert_eq!(
        nov_kind,
        Some(true),
        "the issue page was revalidated, not refetched"
    );
    assert!(s.verify().unwrap().ok());
}

/// `quire changes --index`: an article dropped from an issue's contents and one added
/// are reported per index page; the default report stays articles only.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changes_index_reports_entries_added_and_removed() {
    let server = TestServer::start(site());
    let dir = tempfile::tempdir().unwrap();
    let first = run(&server, dir.path()).await;
    {
        let mut site = server.state.site.write().unwrap();
        // December's contents lose the undated piece and gain the orphan.
        let mut dec = issue(
            "December 1997 issue",
            &[
                (DECEMBER, "A December piece", "Ed Gray"),
                (ORPHAN, "An unlisted piece", "Ida Orr"),
            ],
        );
        dec.version = 2;
        site.pages.insert(DEC.into(), dec);
    }
    let second = run(&server, dir.path()).await;
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_quire"))
        .args([
            "changes",
            "--index",
            "--json",
            &first.run_id,
            &second.run_id,
            "--store",
        ])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let pages = v["pages"].as_array().unwrap();
    assert_eq!(pages.len(), 1, "{v}");
    assert_eq!(pages[0]["url"], server.url(DEC));
    assert_eq!(pages[0]["status"], "changed");
    assert_eq!(pages[0]["added"][0]["url"], server.url(ORPHAN));
    assert_eq!(pages[0]["added"][0]["title"], "An unlisted piece");
    assert_eq!(pages[0]["removed"][0]["url"], server.url(UNDATED));
    assert_eq!(pages[0]["removed"].as_array().unwrap().len(), 1);
    assert!(
        v["unchanged"].as_u64().unwrap() >= 2,
        "November and the home page: {v}"
    );

    let human = std::process::Command::new(env!("CARGO_BIN_EXE_quire"))
        .args(["changes", "--index", "--store"])
        .arg(dir.path())
        .output()
        .unwrap();
    let text = String::from_utf8(human.stdout).unwrap();
    assert!(text.contains(&format!("~ {}", server.url(DEC))), "{text}");
    assert!(
        text.contains(&format!(
            "    - {}\tA piece without a date",
            server.url(UNDATED)
        )),
        "{text}"
    );

    // The default report is about articles: the changed issue page is not in it.
    let plain = std::process::Command::new(env!("CARGO_BIN_EXE_quire"))
        .args(["changes", "--json", "--store"])
        .arg(dir.path())
        .output()
        .unwrap();
    let plain = String::from_utf8(plain.stdout).unwrap();
    assert!(!plain.contains(&server.url(DEC)), "{plain}");
}

/// The waiting list is bounded (`max_deferred`): past it, an undated article is
/// captured at once, undated; nothing is lost.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_waiting_list_is_bounded_and_the_rest_is_captured_undated() {
    let server = TestServer::start(site());
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = config(&server);
    cfg.max_deferred = 1;
    let store = Store::open_writer(dir.path()).unwrap();
    let summary = crawl(cfg, store, std::future::pending(), &|_| {})
        .await
        .unwrap();
    assert!(summary.finished);
    // One slot: whichever undated article came first waited (the orphan, which no
    // issue lists, may take it); the others were captured at once, undated.
    assert!(summary.issue_dated <= 1, "{summary:?}");
    let d = dates(dir.path(), &summary.run_id);
    for p in [UNDATED, LATE, MOVED, DECEMBER, DATED, ORPHAN] {
        assert!(d.contains_key(p), "{p} not captured: {d:?}");
    }
    let from_issue = [UNDATED, LATE, MOVED, DECEMBER]
        .iter()
        .filter(|p| d[**p].as_ref().and_then(|x| x.source) == Some(DateSource::Issue))
        .count() as u64;
    assert_eq!(from_issue, summary.issue_dated, "{d:?}");
    assert!(from_issue < 4, "the cap held nothing back: {d:?}");
    // The stated date is kept whatever the cap.
    assert_eq!(
        issue_date(&d[DATED]),
        Some(("1997-11-20", DateSource::Page))
    );
}
