//! Metadata of the generic extractor: one small hand-written page per rule (title,
//! authors, published date and its source), the ugly variants real pages have, and
//! hostile input that must stay cheap.

use std::time::{Duration, Instant};

use chrono::NaiveDate;
use quire::extract::dom;
use quire::extract::generic::{self, GenericConfig};
use quire::model::{Content, DatePrecision, DateSource};

const PARA: &str = "The committee met on Tuesday to discuss the proposal, and after a long \
    debate, which lasted well into the evening, the members agreed to publish their findings.";

/// Extract `html` as if fetched from `url` on 2025-06-01.
fn at(url: &str, html: &str) -> Content {
    let url = url::Url::parse(url).expect("test URL");
    let doc = dom::parse(html);
    let now = NaiveDate::from_ymd_opt(2025, 6, 1).expect("date");
    generic::extract_with(&doc, &url, &GenericConfig::at(now)).0
}

fn run(html: &str) -> Content {
    at("https://news.example/story", html)
}

/// A page: `head` inside `<head>` (after a `<title>`), `header` between the `<h1>`
/// and the body paragraphs, `after` after the article.
fn page(title: &str, head: &str, h1: &str, header: &str, after: &str) -> String {
    format!(
        "<!doctype html><html lang=\"en\"><head><title>{title}</title>{head}</head><body>\
         <nav><ul><li><a href=\"/\">Home</a></li><li><a href=\"/news\">News</a></li></ul></nav>\
         <main><article><h1>{h1}</h1>{header}\
         <p>{PARA}</p><p>Second: {PARA}</p><p>Third: {PARA}</p></article></main>{after}\
         <footer><p>© 2019 The Example Gazette. All rights reserved.</p></footer></body></html>"
    )
}

fn date(c: &Content) -> Option<(&str, DateSource)> {
    c.published.as_ref().map(|d| {
        (
            d.date.as_str(),
            d.source.expect("a published date has a source"),
        )
    })
}

// ---- Title ----------------------------------------------------------------------

#[test]
fn title_is_the_headline_when_it_agrees_with_the_metadata() {
    // The <h1> says more than the <title>; they are about the same thing.
    let c = run(&page(
        "Top 11 SEO Strategies for 2025 | Lucca",
        r#"<meta property="og:site_name" content="Lucca">"#,
        "11 SEO Strategies for 2025 to Boost Rankings and Stay Ahead",
        "",
        "",
    ));
    assert_eq!(
        c.title.as_deref(),
        Some("11 SEO Strategies for 2025 to Boost Rankings and Stay Ahead")
    );
}

#[test]
fn a_logo_heading_is_not_the_title() {
    // The only <h1> is the site's name (a link home); the title is <title> without it.
    let html = page(
        "Water rates rise again | Millbrook News",
        "",
        "<a href=\"/\">Millbrook News</a>",
        "",
        "",
    );
    assert_eq!(run(&html).title.as_deref(), Some("Water rates rise again"));
    // An <h1> that shares one word with the title is a section heading, not the title.
    let html = page(
        "How we pwned X, Vercel, Cursor and Discord through a supply chain",
        "",
        "Discord",
        "",
        "",
    );
    assert_eq!(
        run(&html).title.as_deref(),
        Some("How we pwned X, Vercel, Cursor and Discord through a supply chain")
    );
}

#[test]
fn title_loses_every_site_segment_and_a_glued_site_prefix() {
    // Two site segments: the site name and the host, on either side.
    let html = page(
        "SoundStage! Xperience | SoundStageXperience.com - The Five Best Headphones of the Year",
        r#"<meta property="og:site_name" content="SoundStage! Xperience">"#,
        "<a href=\"/\">Pulse!</a>",
        "",
        "",
    );
    assert_eq!(
        at("https://www.soundstagexperience.com/x", &html)
            .title
            .as_deref(),
        Some("The Five Best Headphones of the Year")
    );
    // A site-name heading printed before the title without a separator.
    let html = page(
        "janedoe.net Notes on Tides",
        "",
        "<a href=\"/\">janedoe.net</a>",
        "",
        "",
    );
    assert_eq!(
        at("https://janedoe.net/archives/2025/12/16/tides.html", &html)
            .title
            .as_deref(),
        Some("Notes on Tides")
    );
}

#[test]
fn all_capitals_headline_takes_the_metadata_case_and_loses_a_glued_date() {
    let html = page(
        "Best Drip Coffee Maker 2026: Buying Tips",
        "",
        "BEST DRIP COFFEE MAKER 2026: BUYING TIPS",
        "",
        "",
    );
    assert_eq!(
        run(&html).title.as_deref(),
        Some("Best Drip Coffee Maker 2026: Buying Tips")
    );
    let html = page(
        "Beginner’s Backpacking Checklist",
        "",
        "Beginner’s Backpacking Checklist <span>January 1, 2025</span>",
        "",
        "",
    );
    assert_eq!(
        run(&html).title.as_deref(),
        Some("Beginner’s Backpacking Checklist")
    );
}

#[test]
fn a_styled_initial_does_not_split_a_headline_word() {
    let html = page(
        "How AI Can Cut Your Planning Cycle",
        "",
        "How AI Can Cut Your Planning <span class=\"x\">C</span>ycle",
        "",
        "",
    );
    assert_eq!(
        run(&html).title.as_deref(),
        Some("How AI Can Cut Your Planning Cycle")
    );
}

// ---- Authors --------------------------------------------------------------------

#[test]
fn jsonld_graph_author_by_id_reference() {
    // Yoast-style @graph: the Article names its author by @id only.
    let ld = r##"<script type="application/ld+json">{"@context":"https://schema.org","@graph":[
        {"@type":"WebSite","@id":"https://news.example/#site","name":"Gazette"},
        {"@type":"Article","headline":"Water rates rise","author":{"@id":"https://news.example/#/person/1"},
         "datePublished":"2021-03-05T08:00:00+01:00"},
        {"@type":"Person","@id":"https://news.example/#/person/1","name":"Jason Rostar"}]}</script>"##;
    let c = run(&page(
        "Water rates rise | Gazette",
        ld,
        "Water rates rise",
        "",
        "",
    ));
    assert_eq!(c.authors, vec!["Jason Rostar"]);
    assert_eq!(date(&c), Some(("2021-03-05", DateSource::Metadata)));
}

#[test]
fn several_jsonld_blocks_and_author_arrays() {
    let ld = r#"<script type="application/ld+json">{"@type":"Organization","name":"Gazette"}</script>
        <script type="application/ld+json">[{"@type":"BreadcrumbList","itemListElement":[]},
        {"@type":"NewsArticle","headline":"Water rates rise",
         "author":[{"@type":"Person","name":"Ann Lee"},"Bo Ray",{"@type":"Person","name":["Cy Young"]}]}]
        </script><script type="application/ld+json">{ not json at all </script>"#;
    let c = run(&page("Water rates rise", ld, "Water rates rise", "", ""));
    assert_eq!(c.authors, vec!["Ann Lee", "Bo Ray", "Cy Young"]);
}

#[test]
fn meta_author_loses_by_and_desk_suffix() {
    let c = run(&page(
        "Water rates rise",
        r#"<meta name="author" content="By Jane Doe | Staff">"#,
        "Water rates rise",
        "",
        "",
    ));
    assert_eq!(c.authors, vec!["Jane Doe"]);
}

#[test]
fn byline_names_printed_as_buttons_and_lists_with_a_second_role() {
    // Tooltip author cards print each name as a <button>; a second role ("Researched
    // by") follows in the next line; a list of names ends in ", and".
    let c = run(&page(
        "Pool cleaning robots",
        "",
        "Pool cleaning robots",
        r#"<div><div><span>Written by </span><span><button>Emma Ryan</button></span></div>
           <div><span>Researched by </span><span><button>Oliver Simpson</button></span></div>
           <div><span>Updated on </span><span>May 4, 2025</span></div></div>"#,
        "",
    ));
    assert_eq!(c.authors, vec!["Emma Ryan"]);
    let c = run(&page(
        "Best online programs",
        "",
        "Best online programs",
        r#"<div><span>By </span><div><button>Ann Lee</button><span>, </span></div>
           <div><button>Bo Ray</button><span>, and </span></div>
           <div><button>Rankings Team</button></div></div>"#,
        "",
    ));
    assert_eq!(c.authors, vec!["Ann Lee", "Bo Ray", "Rankings Team"]);
}

#[test]
fn visible_byline_beats_the_uploader_in_the_metadata() {
    // WordPress puts the account that uploaded the post in <meta name=author>; the
    // byline under the headline names the writer.
    let c = run(&page(
        "Retirement calculators",
        r#"<meta name="author" content="Josh Katz">"#,
        "Retirement calculators",
        r#"<div class="author d-block">By Charles Patterson, WCI Columnist August 19, 2024 | 33 Comments</div>"#,
        "",
    ));
    assert_eq!(c.authors, vec!["Charles Patterson"]);
}

#[test]
fn co_authors_in_sibling_byline_elements() {
    let header = r#"<p class="entry-meta"><time datetime="2021-03-08T12:00:00-05:00">March 8, 2021</time> by
        <span class="entry-author"><a href="/author/dw/" rel="author">Dana Whitfield</a></span> and
        <span class="entry-author"><a href="/author/ml/" rel="author">Marcus Lee</a></span></p>"#;
    let c = run(&page("The Zoning Trap", "", "The Zoning Trap", header, ""));
    assert_eq!(c.authors, vec!["Dana Whitfield", "Marcus Lee"]);
}

#[test]
fn posted_on_date_by_name_dateline() {
    let header =
        r#"<p class="postmetadata"><small>Posted on March 3, 2009 by Ed Kowalski</small></p>"#;
    let c = run(&page("Library hours", "", "Library hours", header, ""));
    assert_eq!(c.authors, vec!["Ed Kowalski"]);
    assert_eq!(date(&c), Some(("2009-03-03", DateSource::Page)));
}

#[test]
fn a_team_byline_is_kept_a_bare_role_is_not() {
    let c = run(&page(
        "CRM software",
        "",
        "CRM software",
        "<p>By the Meetingnotes Team | 6 mins | February 28, 2025</p>",
        "",
    ));
    assert_eq!(c.authors, vec!["the Meetingnotes Team"]);
    for bare in ["Staff", "Admin", "Editor", "Staff Writer", "Team"] {
        let c = run(&page(
            "CRM software",
            &format!(r#"<meta name="author" content="{bare}">"#),
            "CRM software",
            "",
            "",
        ));
        assert!(c.authors.is_empty(), "{bare}: {:?}", c.authors);
    }
}

#[test]
fn the_site_name_is_not_an_author() {
    // <meta name=author> and the JSON-LD author are the brand.
    let head = r#"<meta property="og:site_name" content="MotorWeekly.com">
        <meta name="author" content="MotorWeekly.com">
        <script type="application/ld+json">{"@type":"Article","headline":"Top 20 electric cars",
        "author":{"@type":"Organization","name":"MotorWeekly"},"publisher":{"@type":"Organization","name":"MotorWeekly"}}</script>"#;
    let c = at(
        "https://www.motorweekly.com/car-news/electric/top-20",
        &page("Top 20 electric cars", head, "Top 20 electric cars", "", ""),
    );
    assert!(c.authors.is_empty(), "{:?}", c.authors);
    // An organisation that is not the site is an author.
    let head = r#"<meta property="og:site_name" content="U.S. Food and Drug Administration">
        <script type="application/ld+json">{"@type":"Article","headline":"GLP-1 drugs",
        "author":{"@type":"Organization","name":"Center for Drug Evaluation and Research"}}</script>"#;
    let c = run(&page("GLP-1 drugs", head, "GLP-1 drugs", "", ""));
    assert_eq!(c.authors, vec!["Center for Drug Evaluation and Research"]);
}

#[test]
fn commenters_and_related_bylines_are_not_authors() {
    let after = r#"<section class="related-posts"><div class="card"><h3>Other story</h3>
        <p class="byline">By Hugo Boss</p></div></section>
        <ol class="comment-list"><li><span class="comment-author">Patricia K.</span>
        <time datetime="2020-01-01">January 1, 2020</time><p>Great piece.</p></li></ol>"#;
    let c = run(&page("Water rates rise", "", "Water rates rise", "", after));
    assert!(c.authors.is_empty(), "{:?}", c.authors);
    assert_eq!(c.published, None, "a comment's date was taken");
}

#[test]
fn a_sentence_starting_with_by_is_no_byline() {
    let header = "<p>By continuing, you agree to the Terms of Use and the Privacy Policy.</p>\
                  <p>By following these simple strategies you will save money.</p>";
    let c = run(&page("Savings", "", "Savings", header, ""));
    assert!(c.authors.is_empty(), "{:?}", c.authors);
}

#[test]
fn teaser_bylines_on_a_listing_are_no_authors() {
    let mut items = String::new();
    for (i, name) in ["Ann Lee", "Bo Ray", "Cy Young", "Di Fox"]
        .iter()
        .enumerate()
    {
        items.push_str(&format!(
            "<li><h2><a href=\"/s/{i}\">Story {i} about the budget</a></h2>\
             <span class=\"byline\">By {name}</span> <time datetime=\"2024-0{}-1{i}\">x</time></li>",
            i + 1
        ));
    }
    let html = format!(
        "<html><head><title>Latest news</title></head><body><h1>Latest news</h1><ul>{items}</ul>\
         <p>{PARA}</p></body></html>"
    );
    let c = run(&html);
    assert!(c.authors.is_empty(), "{:?}", c.authors);
    assert_eq!(c.published, None, "a teaser's date was taken");
}

#[test]
fn a_written_by_preview_label_names_the_author() {
    // Yoast and Ghost write the author for link previews as a labelled pair.
    let head = r#"<meta name="twitter:label1" content="Reading time"><meta name="twitter:data1" content="4 minutes">
        <meta name="twitter:label2" content="Written by"><meta name="twitter:data2" content="Nora Vance">"#;
    let c = run(&page("Ferry fares rise", head, "Ferry fares rise", "", ""));
    assert_eq!(c.authors, ["Nora Vance"]);
    // A user handle under the same label is no name.
    let head = r#"<meta name="twitter:label1" content="Written by"><meta name="twitter:data1" content="nvance42">"#;
    let c = run(&page("Ferry fares rise", head, "Ferry fares rise", "", ""));
    assert!(c.authors.is_empty(), "{:?}", c.authors);
}

#[test]
fn the_complete_author_list_of_the_metadata_wins() {
    // `author` names the first author, the repeated `citation_author` all of them.
    let head = r#"<meta name="author" content="Jane Roe">
        <meta name="citation_author" content="Jane Roe"><meta name="citation_author" content="Omar Haddad">
        <meta name="citation_author" content="Li Wei">"#;
    let c = run(&page("A trial", head, "A trial", "", ""));
    assert_eq!(c.authors, ["Jane Roe", "Omar Haddad", "Li Wei"]);
}

#[test]
fn the_byline_in_the_articles_own_footer_or_aside_counts() {
    // HTML's <footer> and <aside> of the headline's <article> are that article's: who
    // wrote it lives there. The site's footer is still chrome.
    for wrap in ["footer", "aside"] {
        let html = format!(
            "<html><head><title>Tide tables</title></head><body><main><article><h1>Tide tables</h1>\
             <p>{PARA}</p><p>{PARA}</p><{wrap} class=\"meta\"><address><a rel=\"author\" href=\"/people/ivo-marsh\">Ivo Marsh</a></address></{wrap}>\
             </article></main><footer><a rel=\"author\" href=\"/people/webmaster\">Site Owner</a></footer></body></html>"
        );
        let c = run(&html);
        assert_eq!(c.authors, ["Ivo Marsh"], "in <{wrap}>");
    }
    // A blog's "post-footer" is the post's, not the site's.
    let html = format!(
        "<html><head><title>Small models</title></head><body><div class=\"post\"><h1>Small models</h1>\
         <div class=\"post-body\"><p>{PARA}</p><p>{PARA}</p></div>\
         <div class=\"post-footer\"><span class=\"post-author\">Posted by Mike Ward</span></div></div>\
         <div class=\"site-footer\"><span class=\"author\">Theme by Ann Smith</span></div></body></html>"
    );
    assert_eq!(run(&html).authors, ["Mike Ward"]);
}

#[test]
fn a_label_alone_names_whoever_is_on_the_next_line() {
    // By the headline.
    let c = run(&page(
        "Proofs as types",
        "",
        "Proofs as types",
        "<div class=\"meta\"><div>Written by</div><div>Matti Laine</div></div>",
        "",
    ));
    assert_eq!(c.authors, ["Matti Laine"]);
    // After the article, as a heading over the name.
    let c = run(&page(
        "Proofs as types",
        "",
        "Proofs as types",
        "",
        "<section><h2>Article by</h2><div>Matti Laine</div></section>",
    ));
    assert_eq!(c.authors, ["Matti Laine"]);
}

#[test]
fn a_name_after_a_person_icon_by_the_headline_is_a_byline() {
    let c = run(&page(
        "Pixel-perfect pipelines",
        "",
        "Pixel-perfect pipelines",
        "<ul class=\"entry-meta\"><li><i class=\"bi bi-person\"></i> Bence Kovacs</li><li><i class=\"bi bi-clock\"></i> 2 December 2024</li></ul>",
        "",
    ));
    assert_eq!(c.authors, ["Bence Kovacs"]);
    // Far from the headline, a user icon marks counters and ranks, not authors.
    let c = run(&page(
        "Pixel-perfect pipelines",
        "",
        "Pixel-perfect pipelines",
        "",
        &format!(
            "<div>{}<span><i class=\"fa fa-user\"></i> Mentor</span></div>",
            format!("<p>{PARA}</p>").repeat(8)
        ),
    ));
    assert!(c.authors.is_empty(), "{:?}", c.authors);
}

#[test]
fn bylines_lose_a_leading_date_a_department_role_and_reviewers() {
    let c = run(&page(
        "Attested builds",
        "",
        "Attested builds",
        "<div class=\"dateAndAuthor\"><span>Dec 17, 2024</span> <span>Julian K. Arni</span></div>",
        "",
    ));
    assert_eq!(c.authors, ["Julian K. Arni"]);
    let c = run(&page(
        "EV buying guide",
        "",
        "EV buying guide",
        "<span class=\"byline-author\">By Keith Barr Senior Autos Reporter</span>",
        "",
    ));
    assert_eq!(c.authors, ["Keith Barr"]);
    // The name after "Fact checked by" is the checker's.
    let c = run(&page(
        "Digital marketing",
        r#"<meta name="author" content="Rae Dunn">"#,
        "Digital marketing",
        "<div>Fact checked by <a class=\"author-link\" href=\"/about\">Yara Perez</a></div>",
        "",
    ));
    assert_eq!(c.authors, ["Rae Dunn"]);
}

#[test]
fn a_phrase_with_in_the_is_no_name() {
    let head = r#"<meta name="author" content="Human in the Loop">"#;
    let c = run(&page("Pay the artists", head, "Pay the artists", "", ""));
    assert!(c.authors.is_empty(), "{:?}", c.authors);
    // A name with a place after it keeps the name.
    let head = r#"<meta name="author" content="Ann Lee in Berlin">"#;
    let c = run(&page("Pay the artists", head, "Pay the artists", "", ""));
    assert_eq!(c.authors, ["Ann Lee"]);
}

#[test]
fn a_sites_collective_byline_is_an_author_its_bare_name_is_not() {
    let head = r#"<meta property="og:site_name" content="Podium">"#;
    let header = "<p class=\"authorName\">Podium Staff</p>";
    let c = at(
        "https://www.podium.example/article/plumbing",
        &page(
            "Plumbing trends | Podium",
            head,
            "Plumbing trends",
            header,
            "",
        ),
    );
    assert_eq!(c.authors, ["Podium Staff"]);
    let header = "<p class=\"authorName\">Podium</p>";
    let c = at(
        "https://www.podium.example/article/plumbing",
        &page(
            "Plumbing trends | Podium",
            head,
            "Plumbing trends",
            header,
            "",
        ),
    );
    assert!(c.authors.is_empty(), "{:?}", c.authors);
}

// ---- Dates ----------------------------------------------------------------------

#[test]
fn time_zone_offsets_keep_the_stated_day() {
    let head = r#"<meta property="article:published_time" content="2021-03-05T23:30:00-08:00">"#;
    let c = run(&page("Water rates rise", head, "Water rates rise", "", ""));
    let d = c.published.expect("date");
    assert_eq!(d.date, "2021-03-05");
    assert_eq!(d.precision, DatePrecision::Day);
    assert_eq!(d.source, Some(DateSource::Metadata));
}

#[test]
fn the_visible_date_wins_over_disagreeing_metadata() {
    let head = r#"<meta property="article:published_time" content="2012-09-12T16:45:28+00:00">"#;
    let header =
        r#"<div class="article-meta"><time class="article-date">September 8, 2021</time></div>"#;
    let c = run(&page("Renting a car", head, "Renting a car", header, ""));
    assert_eq!(date(&c), Some(("2021-09-08", DateSource::Page)));
    // When they agree the metadata is the source.
    let header = r#"<div class="article-meta">September 12, 2012</div>"#;
    let c = run(&page("Renting a car", head, "Renting a car", header, ""));
    assert_eq!(date(&c), Some(("2012-09-12", DateSource::Metadata)));
}

#[test]
fn published_beats_updated_in_one_line() {
    let header = "<p class=\"dates\">Published Jan 1, 2020 · Updated March 3, 2024</p>";
    let c = run(&page("Budget", "", "Budget", header, ""));
    assert_eq!(date(&c), Some(("2020-01-01", DateSource::Page)));
    let header =
        "<p class=\"dates\">Last updated: March 3, 2024 (first published 1 January 2020)</p>";
    let c = run(&page("Budget", "", "Budget", header, ""));
    assert_eq!(date(&c), Some(("2020-01-01", DateSource::Page)));
    // An update is the date only when nothing else dates the page.
    let header = "<p class=\"dates\">Updated on 09/11/24</p>";
    let c = run(&page("Budget", "", "Budget", header, ""));
    assert_eq!(date(&c), Some(("2024-09-11", DateSource::Page)));
}

#[test]
fn a_comment_date_before_the_post_date_is_not_taken() {
    // The comment thread sits before the article in the markup (a sidebar widget of
    // recent comments) and holds an earlier <time>.
    let html = format!(
        "<html><head><title>Harbour</title></head><body>\
         <aside><ul class=\"recent-comments\"><li>Ann on <time datetime=\"2019-01-02\">Jan 2</time></li></ul></aside>\
         <main><article><h1>Harbour</h1><p class=\"post-date\">4 March 2021</p>\
         <p>{PARA}</p><p>{PARA}</p></article></main></body></html>"
    );
    assert_eq!(date(&run(&html)), Some(("2021-03-04", DateSource::Page)));
}

#[test]
fn dates_in_other_languages() {
    for (line, want) in [
        ("Veröffentlicht am 4. März 2021", "2021-03-04"),
        ("Publié le 1er janvier 2020", "2020-01-01"),
        ("Publicado el 4 de marzo de 2021", "2021-03-04"),
        ("04.03.2021 · 6 min", "2021-03-04"),
        ("02-12-2024", "2024-12-02"),
    ] {
        let header = format!("<p class=\"meta\">{line}</p>");
        let c = run(&page("Budget", "", "Budget", &header, ""));
        assert_eq!(date(&c), Some((want, DateSource::Page)), "{line}");
    }
}

#[test]
fn relative_dates_and_copyright_years_date_nothing() {
    let header = "<p class=\"meta\">3 days ago</p><p class=\"meta\">Posted yesterday</p>";
    let c = run(&page("Budget", "", "Budget", header, ""));
    assert_eq!(c.published, None);
    // The footer's © 2019 (see `page`) is never read.
}

#[test]
fn the_url_dates_a_page_with_nothing_else() {
    let c = at(
        "https://blog.example/2021/03/04/story",
        &page("Budget", "", "Budget", "", ""),
    );
    assert_eq!(date(&c), Some(("2021-03-04", DateSource::Url)));
    let c = at(
        "https://blog.example/archive/2024/12/Advent_week_2.html",
        &page("Budget", "", "Budget", "", ""),
    );
    let d = c.published.expect("month from the URL");
    assert_eq!(
        (d.date.as_str(), d.precision),
        ("2024-12", DatePrecision::Month)
    );
}

#[test]
fn a_product_page_has_no_date_and_no_author() {
    // Its JSON-LD carries reviews with their own dates and authors.
    let ld = r#"<script type="application/ld+json">{"@context":"https://schema.org","@type":"Product",
        "name":"Joco Cup 4oz","review":[{"@type":"Review","author":{"@type":"Person","name":"Ash C."},
        "datePublished":"2018-12-21"}]}</script>
        <meta property="article:published_time" content="2018-12-21T21:10:33+00:00">"#;
    let header = r#"<div class="review"><span class="author">Ash C.</span> <time datetime="2018-12-21">Dec 21, 2018</time></div>"#;
    let c = run(&page("Joco Cup 4oz", ld, "Joco Cup 4oz", header, ""));
    assert_eq!(c.published, None);
    assert!(c.authors.is_empty(), "{:?}", c.authors);
    assert_eq!(c.title.as_deref(), Some("Joco Cup 4oz"));
    // Reviews as objects of their own, beside the Product, date nothing either.
    let ld = r#"<script type="application/ld+json">[{"@type":"Product","name":"Joco Cup 4oz"},
        {"@type":"Review","author":{"@type":"Person","name":"Ash C."},"datePublished":"2018-12-21"}]</script>"#;
    let c = run(&page("Joco Cup 4oz", ld, "Joco Cup 4oz", "", ""));
    assert_eq!(c.published, None);
    assert!(c.authors.is_empty(), "{:?}", c.authors);
}

#[test]
fn a_webpage_date_needs_an_article() {
    // What SEO plugins emit for every WordPress page, a service page included.
    let ld = r#"<script type="application/ld+json">{"@graph":[{"@type":"WebPage",
        "name":"Pest control","datePublished":"2020-12-24T16:24:50+00:00"}]}</script>"#;
    let html = format!(
        "<html><head><title>Pest control</title>{ld}</head><body><div class=\"hero\">\
         <h1>Pest control</h1></div><div class=\"content\"><p>{PARA}</p><p>{PARA}</p></div></body></html>"
    );
    assert_eq!(run(&html).published, None);
    let c = run(&page("Pest control", ld, "Pest control", "", ""));
    assert_eq!(date(&c), Some(("2020-12-24", DateSource::Metadata)));
}

#[test]
fn an_article_object_about_another_page_is_ignored() {
    let ld = r#"<script type="application/ld+json">{"@type":"BlogPosting","headline":"Pest Control Deals and Offers",
        "author":{"@type":"Person","name":"Ann Lee"},"datePublished":"2019-05-05"}</script>"#;
    let c = run(&page(
        "Terminix Discounts, Coupons & Promo Codes",
        ld,
        "Terminix discounts, coupons and promo codes",
        "",
        "",
    ));
    assert_eq!(c.published, None);
    assert!(c.authors.is_empty(), "{:?}", c.authors);
}

#[test]
fn a_printed_day_one_off_a_utc_timestamp_is_the_timestamps_day() {
    // The page prints its local day (evening in the Americas), the metadata the same
    // moment in UTC, early the next day: one date, the timestamp's.
    let head = r#"<meta property="article:published_time" content="2021-12-10T02:17:00+00:00">"#;
    let c = run(&page(
        "Sourdough",
        head,
        "Sourdough",
        "<p class=\"date\">December 9, 2021</p>",
        "",
    ));
    assert_eq!(date(&c), Some(("2021-12-10", DateSource::Metadata)));
    // A timestamp with its own offset states its day: the printed day is another.
    let head = r#"<meta property="article:published_time" content="2021-12-10T02:17:00-05:00">"#;
    let c = run(&page(
        "Sourdough",
        head,
        "Sourdough",
        "<p class=\"date\">December 9, 2021</p>",
        "",
    ));
    assert_eq!(date(&c), Some(("2021-12-09", DateSource::Page)));
    // An afternoon UTC time cannot be the previous evening anywhere near.
    let head = r#"<meta property="article:published_time" content="2021-12-10T15:00:00Z">"#;
    let c = run(&page(
        "Sourdough",
        head,
        "Sourdough",
        "<p class=\"date\">December 9, 2021</p>",
        "",
    ));
    assert_eq!(date(&c), Some(("2021-12-09", DateSource::Page)));
}

// ---- Hostile input --------------------------------------------------------------

/// Generous: the debug build on a shared machine. Quadratic work on these inputs
/// would take minutes.
const CHEAP: Duration = Duration::from_secs(20);

#[test]
fn a_two_megabyte_author_string_is_cheap_and_refused() {
    let huge = "A".repeat(2_000_000);
    for head in [
        format!(r#"<meta name="author" content="{huge}">"#),
        format!(
            r#"<script type="application/ld+json">{{"@type":"Article","author":"{huge}"}}</script>"#
        ),
    ] {
        let html = page(
            "Water",
            &head,
            "Water",
            &format!("<p class=\"byline\">By {huge}</p>"),
            "",
        );
        let t = Instant::now();
        let c = run(&html);
        assert!(t.elapsed() < CHEAP, "{:?}", t.elapsed());
        assert!(c.authors.is_empty(), "{:?}", c.authors.len());
    }
}

#[test]
fn a_hundred_thousand_jsonld_objects() {
    let mut graph = String::from(r#"<script type="application/ld+json">{"@graph":["#);
    for i in 0..100_000 {
        if i > 0 {
            graph.push(',');
        }
        graph.push_str(&format!(
            r##"{{"@type":"Person","@id":"#p{i}","name":"P {i}"}}"##
        ));
    }
    graph.push_str(
        r##",{"@type":"Article","headline":"Water","author":{"@id":"#p99999"}}]}</script>"##,
    );
    let t = Instant::now();
    let c = run(&page("Water", &graph, "Water", "", ""));
    assert!(t.elapsed() < CHEAP, "{:?}", t.elapsed());
    // The Article sits after the object bound: it is not seen, and nothing breaks.
    assert_eq!(c.title.as_deref(), Some("Water"));
}

#[test]
fn deeply_nested_json_and_dom() {
    let deep_json = format!(
        r#"<script type="application/ld+json">{}{}</script>"#,
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    let deep_dom = format!(
        "{}<span class=\"byline\">By Ann Lee</span>{}",
        "<div class=\"meta\">".repeat(20_000),
        "</div>".repeat(20_000)
    );
    let t = Instant::now();
    let c = run(&page("Water", &deep_json, "Water", &deep_dom, ""));
    assert!(t.elapsed() < CHEAP, "{:?}", t.elapsed());
    assert_eq!(c.title.as_deref(), Some("Water"));
}

#[test]
fn many_bylines_times_and_headings() {
    let mut header = String::new();
    for i in 0..20_000 {
        header.push_str(&format!(
            "<span class=\"byline author\">By Person {i}</span><time datetime=\"2020-01-01\">x</time><h2>Water {i}</h2>"
        ));
    }
    let t = Instant::now();
    let c = run(&page("Water", "", "Water", &header, ""));
    assert!(t.elapsed() < CHEAP, "{:?}", t.elapsed());
    // Thousands of different bylines name nobody in particular.
    assert!(c.authors.len() <= 10, "{:?}", c.authors.len());
}

#[test]
fn many_labels_and_person_icons() {
    // Every label looks ahead a few nodes, every icon reads its parent: linear.
    let mut after = String::new();
    for i in 0..20_000 {
        after.push_str(&format!(
            "<div>Published</div><div>March {}, 2020</div><div>Written by</div><div>Person {i}</div>\
             <span><i class=\"fa fa-user\"></i> Member {i}</span>",
            i % 28 + 1
        ));
    }
    let t = Instant::now();
    let c = run(&page("Water", "", "Water", "", &after));
    assert!(t.elapsed() < CHEAP, "{:?}", t.elapsed());
    // Labels that disagree date nothing; at most the first, by the headline, names.
    assert_eq!(c.published, None);
    assert!(c.authors.len() <= 1, "{:?}", c.authors);
}

/// A template that indents every element deeply puts hundreds of bytes of line breaks
/// and blanks between a block's words: they count as one space, so a byline or date
/// at the end of such a block is still read (before, the blanks filled the 400-byte
/// line cap first). Ugly variants: tabs, non-breaking spaces, CRLF, the date before
/// the headline, a tag list first.
#[test]
fn an_indented_template_block_still_gives_its_date_and_byline() {
    for ws in [
        "\n                        ",
        "\r\n\t\t\t\t\t\t\t\t",
        "\n \u{a0}\n    \n    ",
    ] {
        let pad = ws.repeat(12);
        let tags = format!(
            "<span>{pad}<ul>{pad}<li>{pad}<a href=\"/tag/money\">Personal finance</a>{pad}</li>{pad}</ul>{pad}</span>"
        );
        // The date in the block before the headline, after a tag list.
        let before = format!(
            "<!doctype html><html><head><title>Filing taxes alone</title></head><body><main><article>\
             <header><div class=\"post-byline\">{tags}{pad}<span>{pad}<span class=\"small\">January 27, 2025</span>{pad}</span>{pad}</div>\
             <h1>Filing taxes alone</h1></header><p>{PARA}</p><p>Second: {PARA}</p></article></main></body></html>"
        );
        let c = run(&before);
        assert_eq!(c.title.as_deref(), Some("Filing taxes alone"));
        assert_eq!(date(&c), Some(("2025-01-27", DateSource::Page)), "{ws:?}");
        // The byline and the date in one block after the headline.
        let header = format!(
            "<div class=\"post-meta\">{tags}{pad}<span>{pad}By{pad}<a href=\"/author/il\">Ida Lund</a>{pad}</span>{pad}<span>{pad}March 3, 2024{pad}</span>{pad}</div>"
        );
        let c = run(&page(
            "Filing taxes alone",
            "",
            "Filing taxes alone",
            &header,
            "",
        ));
        assert_eq!(c.authors, vec!["Ida Lund"], "{ws:?}");
        assert_eq!(date(&c), Some(("2024-03-03", DateSource::Page)), "{ws:?}");
    }
}

/// A site that styles its hero block with its teaser card's classes, or prints the
/// date and byline in an `<aside>` right after the headline's wrapper, still gives
/// the page's own date and byline; a card or an aside further down (teasers of other
/// pages) still gives none.
#[test]
fn the_hero_block_after_the_headline_is_the_page_s_own() {
    let body = format!("<p>{PARA}</p><p>Second: {PARA}</p><p>Third: {PARA}</p>");
    let card = "<div class=\"post-hero__excerpt\"><p class=\"post-card__excerpt\">A short \
        summary of the guide.</p><div class=\"post-card__meta\"><div>By</div><div>The Ledger \
        Team</div><div>|</div><div>6</div><div>mins</div><div>|</div><div>February 28, \
        2025</div></div></div>";
    let html = format!(
        "<html><head><title>Best ledgers</title></head><body><main><div class=\"hero\">\
         <h1>Best ledgers</h1>{card}</div>{body}</main></body></html>"
    );
    let c = run(&html);
    assert_eq!(c.authors, vec!["The Ledger Team"]);
    assert_eq!(date(&c), Some(("2025-02-28", DateSource::Page)));
    // The aside beside the text, after the headline's own wrapper.
    let aside = "<aside class=\"side-col\"><p class=\"date\">May 25, 2023</p>\
        <p class=\"author\">Written By <span>Ana Bell, MD*</span></p></aside>";
    let html = format!(
        "<html><head><title>Sleep training</title></head><body><main>\
         <div class=\"container\"><h1>Sleep training</h1></div>\
         <div class=\"grid\">{aside}<div class=\"text\">{body}</div></div></main></body></html>"
    );
    let c = run(&html);
    assert_eq!(c.authors, vec!["Ana Bell, MD"]);
    assert_eq!(date(&c), Some(("2023-05-25", DateSource::Page)));
    // The same card and aside two blocks further down are other pages' teasers.
    let html = format!(
        "<html><head><title>Best ledgers</title></head><body><main><div class=\"hero\">\
         <h1>Best ledgers</h1><p class=\"deck\">Our picks.</p><p class=\"note\">Prices checked \
         weekly.</p>{card}</div>{body}</main></body></html>"
    );
    let c = run(&html);
    assert!(c.authors.is_empty(), "{:?}", c.authors);
    assert_eq!(date(&c), None);
    let html = format!(
        "<html><head><title>Sleep training</title></head><body><main>\
         <div class=\"container\"><h1>Sleep training</h1></div><p class=\"deck\">A guide.</p>\
         <div class=\"grid\"><div class=\"text\">{body}</div>{aside}</div></main></body></html>"
    );
    let c = run(&html);
    assert!(c.authors.is_empty(), "{:?}", c.authors);
    assert_eq!(date(&c), None);
}
