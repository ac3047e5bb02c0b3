//! Small, ugly variants of ESR templates, beyond the fixture pages: each test states
//! one way real hand-made pages differ and what the profile must still get right.

use quire::extract::{ExtractConfig, ProfileSet};
use quire::model::{Article, Block, DatePrecision, PageType};
use quire::pipeline::{self, CaptureInfo, PageInput};

fn extract(url: &str, html: &str) -> Article {
    let cfg = ExtractConfig {
        profiles: ProfileSet::builtin(),
        ..Default::default()
    };
    let url = url::Url::parse(url).unwrap();
    let page = PageInput {
        url: &url,
        body: html.as_bytes(),
        content_type: None,
    };
    pipeline::process(&page, &cfg)
        .unwrap()
        .into_article(html.as_bytes(), CaptureInfo::default())
}

fn paragraphs(a: &Article) -> Vec<&str> {
    a.content
        .body
        .iter()
        .filter_map(|b| {
            if let Block::Paragraph { text } = b {
                Some(text.as_str())
            } else {
                None
            }
        })
        .collect()
}

const URL: &str = "http://www.enterstageright.com/archive/articles/0399/0399thrift.htm";

const BODY: &str =
    "<p>The first paragraph of the piece runs long enough to be body text for sure.</p>\
    <p>The second paragraph closes the piece, as all good things must end somewhere. ESR</p>";

#[test]
fn date_from_the_url_when_the_page_has_none() {
    let a = extract(
        URL,
        &format!("<p><font size=+2><b>Thrift</b></font></p><p>By Ann Author</p>{BODY}"),
    );
    let p = a.content.published.expect("date from URL");
    assert_eq!(
        (p.date.as_str(), p.precision),
        ("1999-03", DatePrecision::Month)
    );
    assert_eq!(a.content.authors, ["Ann Author"]);
}

#[test]
fn byline_as_a_mailto_link_and_capitalised_dateline() {
    let a = extract(
        URL,
        &format!(
            "<p><font size=+2><b>Thrift</b></font></p>\
             <p>By <a href='mailto:ann@example.com'>Ann Author</a> and <a href='mailto:bo@example.com'>Bo Writer</a><br>Web Posted March 8, 1999</p>{BODY}"
        ),
    );
    assert_eq!(a.content.authors, ["Ann Author", "Bo Writer"]);
    assert_eq!(a.content.published.as_ref().unwrap().date, "1999-03-08");
    assert_eq!(paragraphs(&a).len(), 2);
}

#[test]
fn end_mark_as_an_image_after_the_last_paragraph() {
    let html =
        "<p><b><font size=4>Thrift</font></b></p><p>By Ann Author<br>web posted March 1999</p>\
        <p>The only paragraph of the piece is long enough to count as body text here.</p>\
        <p><img src='../../../images/esr.gif' width=30 height=14></p>\
        <p><i>Ann Author writes from Calgary.</i></p><p>Site Map</p>";
    let a = extract(URL, html);
    assert_eq!(
        paragraphs(&a),
        ["The only paragraph of the piece is long enough to count as body text here."]
    );
    assert_eq!(
        a.content.bio.as_deref(),
        Some("Ann Author writes from Calgary.")
    );
    assert!(!a
        .content
        .body
        .iter()
        .any(|b| matches!(b, Block::Image { .. })));
}

#[test]
fn whole_article_indented_in_a_blockquote_is_body_not_a_quote() {
    let a = extract(
        URL,
        &format!("<p><font size=+2><b>Thrift</b></font></p><p>By Ann Author<br>web posted March 1999</p><blockquote>{BODY}</blockquote>"),
    );
    assert_eq!(paragraphs(&a).len(), 2, "{:?}", a.content.body);
    assert!(!a
        .content
        .body
        .iter()
        .any(|b| matches!(b, Block::Blockquote { .. })));
    assert!(paragraphs(&a)[1].ends_with("must end somewhere."));
}

#[test]
fn a_long_paragraph_that_mentions_donations_is_body() {
    let long = "Campaign donations are banned outright in the province, and the copyright on \
        the report is held by the crown, which makes the whole thing rather hard to read for anyone \
        who has not paid for the privilege, as the rest of us have, many times over, in taxes.";
    let a = extract(
        URL,
        &format!("<p><font size=+2><b>Thrift</b></font></p><p>By Ann Author<br>web posted March 1999</p><p>{long}</p>{BODY}"),
    );
    assert_eq!(paragraphs(&a)[0], long);
}

#[test]
fn share_row_and_part_links_are_chrome() {
    let a = extract(
        URL,
        &format!(
            "<p><font size=+2><b>Thrift</b></font></p><p>By Ann Author<br>web posted March 1999</p>\
             <p>Share this:</p><p>Pages 1 | 2 | 3</p>{BODY}"
        ),
    );
    let text = format!("{:?}", a.content.body);
    assert!(!text.contains("Share this"), "{text}");
    assert!(!text.contains("Pages 1"), "{text}");
}

#[test]
fn a_page_of_links_is_an_index() {
    let a = extract(
        "http://www.enterstageright.com/archive/1999.htm",
        "<title>ESR archive 1999</title><p>home &gt; archive &gt; 1999</p><ul><li><a href=a.htm>One</a> by A</li><li><a href=b.htm>Two</a> by B</li></ul>",
    );
    assert_eq!(a.content.page_type, PageType::Index);
    assert!(a.content.body.is_empty());
    assert!(a.content.authors.is_empty());
    assert_eq!(a.content.title.as_deref(), Some("ESR archive 1999"));
}

#[test]
fn a_home_page_of_teasers_with_bylines_is_an_index() {
    let a = extract(
        "http://www.enterstageright.com/",
        "<title>Enter Stage Right</title><p><b>This week's essays</b></p>\
         <p><a href=a.htm><b>The Library Card</b></a><br>By Mark Devereaux<br>My first library card was a cardboard rectangle. <a href=a.htm>more</a></p>\
         <p><a href=b.htm><b>A Budget in Plain English</b></a><br>By Helen Marsh<br>Every year the province publishes a budget. <a href=b.htm>more</a></p>",
    );
    assert_eq!(a.content.page_type, PageType::Index);
    assert!(a.content.authors.is_empty());
}
