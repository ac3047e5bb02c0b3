//! A generated ESR-style fixture site: archive index → year indexes → issue indexes →
//! articles, each article with its own text, ETag and Last-Modified. Pages can be
//! edited between crawls (`Site::edit`) to make a run see changes.

use std::collections::BTreeMap;
use std::time::Duration;

/// One page of the site.
#[derive(Debug, Clone)]
pub struct SitePage {
    /// The HTML.
    pub html: String,
    /// Bumped by `Site::edit`; part of the ETag.
    pub version: u32,
    /// True for article pages (as opposed to index pages).
    pub article: bool,
}

/// A fault a site path shows (besides the fixed fault paths of the server).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageFault {
    /// The first request gets 503 with `Retry-After: 1`, later ones the page.
    BusyOnce,
    /// The first request's connection is reset (RST) without an answer.
    ResetOnce,
    /// Every answer waits this long first.
    Delay(Duration),
}

/// The site: path → page.
#[derive(Debug, Clone, Default)]
pub struct Site {
    /// Pages by path ("/archive/2001/i1/a1.html").
    pub pages: BTreeMap<String, SitePage>,
    /// Extra links put on the archive index (fault paths, off-scope URLs, ...).
    pub extra_index_links: Vec<String>,
    /// Redirects by path: (status, Location as sent).
    pub redirects: BTreeMap<String, (u16, String)>,
    /// Faults by path (a redirect's path or a page's).
    pub faults: BTreeMap<String, PageFault>,
}

const WORDS: &[&str] = &[
    "liberty", "market", "state", "essay", "freedom", "reform", "history", "review", "policy",
    "budget", "energy", "justice", "culture", "science", "trade", "council", "election", "courts",
    "taxes", "privacy", "speech", "property", "treaty", "river",
];

fn sentence(seed: u64, n: usize) -> String {
    let mut x = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    let mut words = Vec::with_capacity(n);
    for _ in 0..n {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        words.push(WORDS[((x >> 33) as usize) % WORDS.len()]);
    }
    let mut s = words.join(" ");
    if let Some(f) = s.get_mut(0..1) {
        f.make_ascii_uppercase();
    }
    s.push('.');
    s
}

const MONTHS: &[&str] = &[
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// An article in Enter Stage Right's layout (nav table, breadcrumb, title + deck,
/// byline + "web posted" date, paragraphs ending in "ESR", italic bio).
pub fn article_html(
    title: &str,
    author: &str,
    year: u32,
    month: u32,
    day: u32,
    seed: u64,
    up: &str,
) -> String {
    let mut body = String::new();
    for p in 0..5u64 {
        let end = if p == 4 { " ESR" } else { "" };
        body.push_str(&format!(
            "<p>{} {}{end}</p>\n",
            sentence(seed * 31 + p, 40),
            sentence(seed * 17 + p + 7, 25)
        ));
    }
    let month_name = MONTHS[((month.max(1) - 1) % 12) as usize];
    format!(
        "<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 4.01 Transitional//EN\">\n<html>\n<head>\n<title>Enter Stage Right - {title}</title>\n</head>\n<body bgcolor=\"#FFFFFF\">\n<table width=\"100%\" border=\"0\"><tr><td width=\"150\" valign=\"top\" bgcolor=\"#000066\">\n<p><a href=\"/archive/\">Current Issue &amp; Archive</a></p>\n<p><a href=\"mailto:esr@example.com\">E-mail ESR</a></p>\n</td>\n<td valign=\"top\">\n<table width=\"95%\" border=\"0\"><tr><td>\n<p><font size=\"1\"><a href=\"/archive/\">home</a> &gt; <a href=\"/archive/\">archive</a> &gt; <a href=\"{up}\">{year}</a> &gt; this article</font></p>\n<p><font size=\"5\"><b>{title}</b></font><br>\n<font size=\"3\"><i>{deck}</i></font></p>\n<p><font size=\"2\">By {author}<br>\nweb posted {month_name} {day}, {year}</font></p>\n<!--body-->\n{body}<p><i>{author} writes for Enter Stage Right.</i></p>\n</td></tr></table>\n</td></tr></table>\n</body>\n</html>\n",
        deck = sentence(seed * 7 + 3, 8),
    )
}

/// An index page listing `links` (href, text).
pub fn index_html(title: &str, links: &[(String, String)]) -> String {
    let mut items = String::new();
    for (href, text) in links {
        items.push_str(&format!("<li><a href=\"{href}\">{text}</a></li>\n"));
    }
    format!(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{title}</title></head>\n<body>\n<h1>{title}</h1>\n<ul>\n{items}</ul>\n<p><a href=\"javascript:void(0)\">Print</a> <a href=\"/archive/logo.png\">Logo</a></p>\n</body></html>\n"
    )
}

impl Site {
    /// A site of `years` × `issues` × `articles` articles under /archive/, with year and
    /// issue indexes and one archive index: `1 + y + y*i + y*i*a` pages.
    pub fn generate(years: u32, issues: u32, articles: u32) -> Site {
        let mut site = Site::default();
        let mut seed = 1u64;
        for y in 0..years {
            let year = 2001 + y;
            let mut issue_links = Vec::new();
            for i in 1..=issues {
                let issue_path = format!("/archive/{year}/issue{i}.html");
                let mut art_links = Vec::new();
                for a in 1..=articles {
                    let path = format!("/archive/{year}/i{i}/a{a}.html");
                    let title = format!("Article {a} of issue {i}, {year}");
                    let html = article_html(
                        &title,
                        &format!("Author {}", (seed % 13) + 1),
                        year,
                        (i % 12) + 1,
                        (a % 28) + 1,
                        seed,
                        &format!("../issue{i}.html"),
                    );
                    seed += 1;
                    art_links.push((format!("i{i}/a{a}.html"), title));
                    site.pages.insert(
                        path,
                        SitePage {
                            html,
                            version: 1,
                            article: true,
                        },
                    );
                }
                let html = index_html(&format!("Issue {i}, {year}"), &art_links);
                site.pages.insert(
                    issue_path,
                    SitePage {
                        html,
                        version: 1,
                        article: false,
                    },
                );
                issue_links.push((format!("issue{i}.html"), format!("Issue {i}")));
            }
            let html = index_html(&format!("{year}"), &issue_links);
            site.pages.insert(
                format!("/archive/{year}/"),
                SitePage {
                    html,
                    version: 1,
                    article: false,
                },
            );
        }
        site.rebuild_archive_index(years);
        site
    }

    /// Re-render the archive index (after changing `extra_index_links`).
    pub fn rebuild_archive_index(&mut self, years: u32) {
        let mut links: Vec<(String, String)> = (0..years)
            .map(|y| (format!("{}/", 2001 + y), format!("{}", 2001 + y)))
            .collect();
        for l in &self.extra_index_links {
            links.push((l.clone(), l.clone()));
        }
        let html = index_html("Archive", &links);
        let version = self.pages.get("/archive/").map_or(1, |p| p.version + 1);
        self.pages.insert(
            "/archive/".into(),
            SitePage {
                html,
                version,
                article: false,
            },
        );
    }

    /// Paths of the article pages.
    pub fn article_paths(&self) -> Vec<String> {
        self.pages
            .iter()
            .filter(|(_, p)| p.article)
            .map(|(k, _)| k.clone())
            .collect()
    }

    /// Change an article's text (its ETag changes too).
    pub fn edit(&mut self, path: &str, new_paragraph: &str) -> bool {
        match self.pages.get_mut(path) {
            Some(p) => {
                p.html = p.html.replace(
                    "<!--body-->\n",
                    &format!("<!--body-->\n<p>{new_paragraph}</p>\n"),
                );
                p.version += 1;
                true
            }
            None => false,
        }
    }
}
