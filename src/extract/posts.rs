//! Forum threads as data: the posts of a thread page, each with its author, its date
//! and its text.
//!
//! A thread prints its posts as a run of sibling elements of one shape (same tag, same
//! first class name) that each hold a poster's name (an element named author, user,
//! username, poster, member or `itemprop=author`, or a link to a user page) and some
//! text. The reader finds such runs of at least two, takes the one with the most text,
//! and reads each post: the author, the first date (`<time datetime>` or a date-named
//! element), and the text of its content element (named content, body, text, message
//! or post-body) or, failing that, the post's own text.
//!
//! Owns: reading posts out of a parsed page. Must not: decide whether the page is a
//! thread (the generic extractor does), or touch the network or the store. Pure and
//! bounded: at most [`MAX_ELEMENTS`] elements looked at, [`MAX_POSTS`] posts, texts
//! capped at [`MAX_TEXT`] bytes.

use std::collections::HashMap;

use ego_tree::NodeId;
use scraper::{ElementRef, Html};

use crate::model::{DateSource, Post};
use crate::normalize;

/// Most elements looked at.
pub const MAX_ELEMENTS: usize = 200_000;
/// Most posts returned.
pub const MAX_POSTS: usize = 2_000;
/// Longest post text kept, in bytes.
pub const MAX_TEXT: usize = 20_000;

fn tokens(el: &scraper::node::Element) -> impl Iterator<Item = String> + '_ {
    el.attr("class")
        .into_iter()
        .chain(el.attr("id"))
        .flat_map(|v| v.split(|c: char| c.is_whitespace() || c == '-' || c == '_'))
        .filter(|t| !t.is_empty())
        .map(str::to_ascii_lowercase)
}

fn named(el: &scraper::node::Element, names: &[&str]) -> bool {
    tokens(el).any(|t| names.contains(&t.as_str()))
}

const AUTHOR_NAMES: &[&str] = &[
    "author",
    "username",
    "user",
    "poster",
    "member",
    "nickname",
    "nick",
    "postauthor",
    "byline",
];
const DATE_NAMES: &[&str] = &[
    "date",
    "time",
    "timestamp",
    "posted",
    "postdate",
    "published",
];
const CONTENT_NAMES: &[&str] = &[
    "content",
    "body",
    "text",
    "message",
    "postbody",
    "entry",
    "bbwrapper",
    "cooked",
];

fn is_user_link(el: &scraper::node::Element) -> bool {
    el.name() == "a"
        && el.attr("href").is_some_and(|h| {
            let h = h.to_ascii_lowercase();
            [
                "/user/",
                "/users/",
                "/u/",
                "/member",
                "/members/",
                "/profile",
                "/people/",
            ]
            .iter()
            .any(|p| h.contains(p))
        })
}

/// Text of an element, whitespace normalized, at most `cap` bytes.
fn text_of(e: ElementRef<'_>, cap: usize) -> String {
    let mut out = String::new();
    for t in e.text() {
        if out.len() >= cap {
            break;
        }
        out.push_str(t);
        out.push(' ');
    }
    let mut s = normalize::text(&out);
    if s.len() > cap {
        let mut end = cap;
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        s.truncate(end);
    }
    s
}

/// The shape of an element: its tag and first class name.
fn shape(e: ElementRef<'_>) -> Option<(String, String)> {
    let el = e.value();
    let class = el.attr("class")?.split_whitespace().next()?.to_string();
    Some((el.name().to_string(), class))
}

/// What one post element says.
fn read_post(e: ElementRef<'_>) -> Option<Post> {
    let mut author: Option<String> = None;
    let mut author_node: Option<NodeId> = None;
    let mut date = None;
    let mut contents: Vec<ElementRef<'_>> = Vec::new();
    let mut seen = 0usize;
    for d in e.descendants() {
        seen += 1;
        if seen > 5_000 {
            break;
        }
        let Some(de) = ElementRef::wrap(d) else {
            continue;
        };
        let el = de.value();
        // The first name-shaped text of an author-named element or a user link: at
        // least two letters (not an avatar's initial), at most four words (not the
        // whole user card), no e-mail address.
        if author.is_none()
            && (named(el, AUTHOR_NAMES)
                || el.attr("itemprop") == Some("author")
                || is_user_link(el))
        {
            let t = text_of(de, 200);
            let name = t.trim();
            if name.chars().filter(|c| c.is_alphanumeric()).count() >= 2
                && name.chars().count() <= 60
                && name.split_whitespace().count() <= 4
                && !name.contains('@')
            {
                author = Some(name.to_string());
                author_node = Some(de.id());
            }
        }
        if date.is_none() {
            if el.name() == "time" {
                date = el
                    .attr("datetime")
                    .and_then(normalize::parse_date_any)
                    .map(|d| d.from_source(DateSource::Metadata))
                    .or_else(|| {
                        normalize::parse_date_any(&text_of(de, 80))
                            .map(|d| d.from_source(DateSource::Page))
                    });
            } else if named(el, DATE_NAMES) {
                let t = text_of(de, 80);
                if t.len() <= 60 {
                    date = normalize::parse_date_any(&t).map(|d| d.from_source(DateSource::Page));
                }
            }
        }
        if contents.len() < 16 && named(el, CONTENT_NAMES) && !named(el, AUTHOR_NAMES) {
            contents.push(de);
        }
    }
    let author = author?;
    // The content element is one that does not also hold the poster's name (a
    // "topic-body" around the name and the "cooked" text is not it).
    let holds_author = |c: &ElementRef<'_>| {
        author_node.is_some_and(|a| {
            e.tree()
                .get(a)
                .is_some_and(|n| n.ancestors().any(|p| p.id() == c.id()))
        })
    };
    // Of those, the one with the most text (a post names its signature or a quote
    // "text" too).
    let text = contents
        .into_iter()
        .filter(|c| !holds_author(c))
        .map(|c| text_of(c, MAX_TEXT))
        .max_by_key(String::len)
        .filter(|t| t.chars().count() >= 20)
        .unwrap_or_else(|| text_of(e, MAX_TEXT));
    if text.chars().count() < 20 {
        return None;
    }
    Some(Post {
        author: Some(author),
        published: date,
        text,
    })
}

/// The posts of the thread on this page, in page order; empty when the page prints no
/// run of at least two posts.
pub fn read(doc: &Html) -> Vec<Post> {
    // Siblings of one shape under one parent: the candidate runs.
    let mut runs: HashMap<(NodeId, (String, String)), Vec<NodeId>> = HashMap::new();
    for (n, node) in doc.tree.nodes().enumerate() {
        if n >= MAX_ELEMENTS {
            break;
        }
        let Some(e) = ElementRef::wrap(node) else {
            continue;
        };
        let Some(parent) = node.parent() else {
            continue;
        };
        if let Some(s) = shape(e) {
            let list = runs.entry((parent.id(), s)).or_default();
            if list.len() < MAX_POSTS {
                list.push(node.id());
            }
        }
    }
    let mut best: Vec<Post> = Vec::new();
    let mut best_len = 0usize;
    for ids in runs.values().filter(|v| v.len() >= 2) {
        let mut posts = Vec::new();
        for id in ids {
            let Some(e) = doc.tree.get(*id).and_then(ElementRef::wrap) else {
                continue;
            };
            if let Some(p) = read_post(e) {
                posts.push(p);
            }
        }
        // Most of the run must read as posts: a run of cards with a stray author
        // name is no thread.
        if posts.len() < 2 || posts.len() * 2 < ids.len() {
            continue;
        }
        let len: usize = posts.iter().map(|p| p.text.len()).sum();
        if len > best_len {
            best_len = len;
            best = posts;
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn posts_with_authors_dates_and_text() {
        let html = r#"<div class="thread">
          <div class="post" id="p1"><div class="meta"><a class="username" href="/u/ann">ann_lee</a>
             <time datetime="2024-05-01T10:00:00Z">May 1</time></div>
             <div class="post-body"><p>Has anyone fixed the flicker on the new driver? Mine still does it.</p></div></div>
          <div class="post" id="p2"><div class="meta"><a class="username" href="/u/bo">bo_ray</a>
             <time datetime="2024-05-02">May 2</time></div>
             <div class="post-body"><p>Roll back to the previous version; the fix lands next month.</p></div></div>
          <div class="post" id="p3"><div class="meta"><a class="username" href="/u/ann">ann_lee</a></div>
             <div class="post-body"><p>That worked, thank you. Marking this thread as solved now.</p></div></div>
        </div>"#;
        let posts = read(&Html::parse_document(html));
        assert_eq!(posts.len(), 3, "{posts:#?}");
        assert_eq!(posts[0].author.as_deref(), Some("ann_lee"));
        assert_eq!(
            posts[0].published.as_ref().map(|d| d.date.as_str()),
            Some("2024-05-01")
        );
        assert!(posts[1].text.starts_with("Roll back"));
        assert_eq!(posts[2].published, None);
    }

    #[test]
    fn cards_without_authors_are_no_thread() {
        let html = r#"<div><div class="card"><h2>One story</h2><p>Text of the first teaser here.</p></div>
          <div class="card"><h2>Two story</h2><p>Text of the second teaser here.</p></div></div>"#;
        assert!(read(&Html::parse_document(html)).is_empty());
    }

    #[test]
    fn many_siblings_stay_bounded() {
        let one = r#"<div class="post"><span class="author">ann</span><div class="body">some words of a reply here</div></div>"#;
        let html = format!("<div>{}</div>", one.repeat(50_000));
        let posts = read(&Html::parse_document(&html));
        assert!(posts.len() <= MAX_POSTS);
        assert!(posts.len() >= 2);
    }
}
