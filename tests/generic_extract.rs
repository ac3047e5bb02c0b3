//! Handmade pages for the generic extractor: boilerplate exclusion, metadata sources,
//! title suffixes, index pages, future and script dates.

mod cli;
#[path = "support/generic_run.rs"]
mod generic_run;

use chrono::NaiveDate;
use quire::extract::dom;
use quire::extract::generic::{self, GenericConfig};
use quire::model::{Content, PageType};

const PARA: &str = "The committee met on Tuesday to discuss the proposal, and after a long \
    debate, which lasted well into the evening, the members agreed to publish their findings.";

fn run(html: &str) -> Content {
    generic_run::run_generic("https://mag.example/2021/03/04/story", html)
}

fn run_at(html: &str, now: &str) -> Content {
    let url = url::Url::parse("https://mag.example/story").unwrap();
    let doc = dom::parse(html);
    let now = NaiveDate::parse_from_str(now, "%Y-%m-%d").unwrap();
    generic::extract_with(&doc, &url, &GenericConfig::at(now)).0
}

fn body_text(c: &Content) -> String {
    c.body
        .iter()
        .map(|b| b.text())
        .collect::<Vec<_>>()
        .join("\n")
}

fn article(extra_head: &str, body_inner: &str) -> String {
    format!(
        "<!doctype html><html lang=\"en-GB\"><head><title>Water rates rise | The Example \
         Gazette</title><meta property=\"og:site_name\" content=\"The Example Gazette\">\
         {extra_head}</head><body>\
         <nav><ul><li><a href=\"/\">Home</a></li><li><a href=\"/news\">News</a></li></ul></nav>\
         <div class=\"cookie-banner\">We use cookies to improve your experience. Accept all cookies?</div>\
         <main><article><h1>Water rates rise</h1>{body_inner}\
         <p>{PARA}</p><p>Second paragraph: {PARA}</p><h2>What happens next</h2><p>Third: {PARA}</p>\
         <ul><li>First point of the list</li><li>Second point of the list</li></ul>\
         <div class=\"share-buttons\"><a href=\"#\">Share on Facebook</a> <a href=\"#\">Tweet this</a></div>\
         </article></main>\
         <section id=\"comments\" class=\"comments\"><h3>3 comments</h3><p>I totally disagree with \
         this article, it is a long comment that should never be part of the body, really.</p></section>\
         <div class=\"newsletter-signup\"><p>Subscribe to our newsletter for the best stories every week!</p></div>\
         <footer><p>Copyright 2021 The Example Gazette. All rights reserved. Imprint and privacy.</p></footer>\
         </body></html>"
    )
}

#[test]
fn generic_body_excludes_chrome() {
    let c = run(&article("", ""));
    let text = body_text(&c);
    assert!(text.contains("The committee met on Tuesday"), "{text}");
    assert!(text.contains("Third: The committee"), "{text}");
    assert!(text.contains("Second point of the list"), "{text}");
    assert!(text.contains("What happens next"), "{text}");
    for chrome in [
        "Home",
        "cookies",
        "Share on Facebook",
        "disagree",
        "newsletter",
        "Copyright",
    ] {
        assert!(!text.contains(chrome), "{chrome:?} leaked into {text}");
    }
    assert_eq!(c.page_type, PageType::Article);
    assert!(c.word_count > 60);
    // One clean line per block for `--format text`.
    assert!(c.body.iter().all(|b| !b.text().contains("  ")));
}

#[test]
fn generic_title_suffix_stripped_and_site_lang() {
    let c = run(&article("", ""));
    assert_eq!(c.title.as_deref(), Some("Water rates rise"));
    assert_eq!(c.site.as_deref(), Some("The Example Gazette"));
    assert_eq!(c.language.as_deref(), Some("en-GB"));
    // Without an h1 the <title> suffix still goes.
    let html = article("", "").replace("<h1>Water rates rise</h1>", "");
    assert_eq!(run(&html).title.as_deref(), Some("Water rates rise"));
}

#[test]
fn generic_jsonld_authors_and_date() {
    let ld = r#"<script type="application/ld+json">{"@context":"https://schema.org",
        "@graph":[{"@type":"WebSite","name":"Gazette"},{"@type":"NewsArticle",
        "headline":"Water rates rise","datePublished":"2021-03-05T08:00:00+01:00",
        "author":[{"@type":"Person","name":"Ann Lee"},{"@type":"Person","name":"Bo Ray"}]}]}
        </script><link rel="canonical" href="/water-rates">"#;
    let c = run(&article(ld, ""));
    assert_eq!(c.authors, vec!["Ann Lee", "Bo Ray"]);
    let d = c.published.unwrap();
    assert_eq!(d.date, "2021-03-05");
    assert_eq!(
        c.canonical_url.as_deref(),
        Some("https://mag.example/water-rates")
    );
}

#[test]
fn generic_jsonld_webpage_date_when_no_article_object() {
    // What WordPress SEO plugins emit: a WebPage with the post's date, no Article.
    let graph = |extra: &str| {
        format!(
            r#"<script type="application/ld+json">{{"@context":"https://schema.org",
            "@graph":[{{"@type":"WebSite","name":"Gazette","datePublished":"2001-01-01"}},
            {{"@type":"WebPage","name":"Water rates rise","datePublished":"2019-11-14T13:51:06+00:00"}}
            {extra}]}}</script>"#
        )
    };
    let c = run(&article(&graph(""), ""));
    assert_eq!(c.published.unwrap().date, "2019-11-14");
    // An Article object's date still wins.
    let c = run(&article(
        &graph(r#",{"@type":"BlogPosting","datePublished":"2019-11-10"}"#),
        "",
    ));
    assert_eq!(c.published.unwrap().date, "2019-11-10");
}

#[test]
fn generic_meta_author_rejects_staff_and_handles() {
    let c = run(&article(r#"<meta name="author" content="Staff">"#, ""));
    assert!(c.authors.is_empty(), "{:?}", c.authors);
    let c = run(&article(
        r#"<meta name="author" content="By Jane Doe and John Roe">"#,
        "",
    ));
    assert_eq!(c.authors, vec!["Jane Doe", "John Roe"]);
    let c = run(&article(r#"<meta name="author" content="@janedoe">"#, ""));
    assert!(c.authors.is_empty(), "{:?}", c.authors);
}

#[test]
fn generic_comment_form_and_desk_are_not_bylines() {
    // The only author-named elements are a desk byline and the comment form's Name
    // field (and a commenter's name): no author at all is the right answer.
    let form = r#"<p class="byline">Redaktion -</p>
        <div id="respond" class="comment-respond"><form><p class="comment-form-author">
        <label for="author">Name:*</label> <input id="author" placeholder="Please enter your name here"></p>
        </form></div>
        <ol class="comments"><li><div class="vcard"><span class="fn author">Hugo Boss</span></div></li></ol>"#;
    let c = run(&article("", form));
    assert!(c.authors.is_empty(), "{:?}", c.authors);
    // A real byline beside them is found.
    let c = run(&article(
        "",
        &format!(r#"<p class="byline">View all posts by Ada Byron</p>{form}"#),
    ));
    assert_eq!(c.authors, vec!["Ada Byron"]);
}

#[test]
fn generic_future_date_rejected() {
    let html = article(
        r#"<meta property="article:published_time" content="2031-01-01T00:00:00Z">"#,
        "",
    );
    let c = run_at(&html, "2025-06-01");
    assert_eq!(c.published, None);
    let c = run_at(&html, "2032-01-01");
    assert_eq!(c.published.map(|d| d.date).as_deref(), Some("2031-01-01"));
}

#[test]
fn generic_script_dates_ignored() {
    let html = article(
        "<script>var built = \"2020-02-02\"; var t = 'January 5, 2019';</script>",
        "",
    );
    let c = run_at(&html, "2025-06-01");
    assert_eq!(c.published, None, "a date inside a script was used");
    assert!(!body_text(&c).contains("2020-02-02"));
    // The URL date is a fallback.
    let c = run(&html);
    assert_eq!(c.published.map(|d| d.date).as_deref(), Some("2021-03-04"));
}

#[test]
fn generic_index_page_detected() {
    let mut items = String::new();
    for i in 0..40 {
        items.push_str(&format!(
            "<li><a href=\"/story/{i}\">Headline number {i} of the day</a></li>"
        ));
    }
    let html = format!(
        "<html><head><title>News</title></head><body><div class=\"list\"><ul>{items}</ul></div></body></html>"
    );
    let c = run(&html);
    assert_eq!(c.page_type, PageType::Index);
    // A listing gives its entries' text: plain-text consumers see what it lists.
    let text = body_text(&c);
    assert!(text.contains("Headline number 0 of the day"), "{text}");
    assert!(text.contains("Headline number 39 of the day"), "{text}");
}

#[test]
fn generic_deep_nesting_does_not_overflow() {
    let depth = 3_000;
    let html = format!(
        "<html><body>{}<p>{PARA}</p>{}</body></html>",
        "<div>".repeat(depth),
        "</div>".repeat(depth)
    );
    let c = run(&html);
    assert_eq!(c.page_type, PageType::Article);
}

#[test]
fn generic_tables_and_ruby() {
    let table = "<table><tr><th>Year</th><th>Sales</th></tr><tr><td>2020</td><td>12 units</td></tr></table>\
                 <p>日本語の<ruby>漢字<rt>かんじ</rt></ruby>を読む人のための長い文です、これは本文です。</p>";
    let c = run(&article("", table));
    let text = body_text(&c);
    assert!(text.contains("Year | Sales"), "{text}");
    assert!(text.contains("2020 | 12 units"), "{text}");
    assert!(text.contains("日本語の漢字を読む"), "{text}");
    assert!(!text.contains("かんじ"), "{text}");
}

#[test]
fn recipe_structure_survives_meta_and_header_class_names() {
    let page = format!(
        "<html><head><title>Plum cake</title></head><body><main><article>\
         <h1>Plum cake</h1>\
         <div class=\"recipe-meta\"><span>Prep time 30 min</span> <span>Serves 12</span></div>\
         <p>{PARA}</p>\
         <table class=\"ingredients-table\"><tr><td>250 g</td><td>plain flour</td></tr>\
         <tr><td>1 kg</td><td>ripe plums</td></tr></table>\
         <div class=\"recipe-header__meta\"><p>Bake for 45 minutes at 180 °C.</p></div>\
         <p>Second: {PARA}</p></article></main></body></html>"
    );
    let text = body_text(&run(&page));
    assert!(text.contains("Prep time 30 min"), "{text}");
    assert!(text.contains("ripe plums"), "{text}");
    assert!(text.contains("Bake for 45 minutes"), "{text}");
}

#[test]
fn a_closing_sentence_after_the_body_stays_and_a_label_goes() {
    let page = format!(
        "<html><head><title>Relaunch</title></head><body><main><article><h1>Relaunch</h1>\
         <p>{PARA} {PARA}</p><p>Second: {PARA} {PARA}</p>\
         <p>I hope you like the relaunch!</p><p>More topics</p>\
         <h3>Shared from elsewhere</h3><ul><li><a href=\"/a\">A teaser</a></li></ul>\
         </article></main></body></html>"
    );
    let text = body_text(&run(&page));
    assert!(text.contains("I hope you like the relaunch!"), "{text}");
    assert!(!text.contains("More topics"), "{text}");
    assert!(!text.contains("Shared from elsewhere"), "{text}");
}

#[test]
fn a_standfirst_in_a_header_outside_the_article_joins_the_body() {
    let page = format!(
        "<html><head><title>Always tired</title></head><body><div class=\"site\">\
         <header class=\"site-header\"><a href=\"/\">Home</a></header>\n<main>\n\
         <div class=\"ad-slot\"></div>\n  <div class=\"ad-slot\"></div>\n\
         <header class=\"entry-header\">\n  <h2>Always tired: what it can mean</h2>\n  \
         <div class=\"lead\">\n<p>Do you feel tired all day without any visible reason? \
         It is not always the season; it can be a symptom of something else.</p></div>\n\
         </header>\n\n<!-- thumbnail -->\n<figure><img src=\"/t.jpg\" alt=\"\"></figure>\n\n\
         <div class=\"main-content\">\n<article>\n<div class=\"entry-content\">\
         <p>{PARA}</p><p>Second: {PARA}</p><p>Third: {PARA}</p></div></article></div>\n\
         </main></div></body></html>"
    );
    let text = body_text(&run(&page));
    assert!(text.contains("Do you feel tired all day"), "{text}");
    assert!(text.contains("Third: The committee"), "{text}");
    assert!(!text.contains("Home"), "{text}");
}

#[test]
fn a_list_inside_a_blockquote_keeps_its_place_in_the_reading_order() {
    let page = format!(
        "<html><head><title>Setup</title></head><body><main><article><h1>Setup</h1>\
         <blockquote><p>Before: {PARA}</p><ul><li>download the tarball</li>\
         <li>unpack the tarball</li></ul><pre>cert = /etc/x.pem</pre><p>After: {PARA}</p>\
         </blockquote><p>Outside: {PARA}</p></article></main></body></html>"
    );
    let c = run(&page);
    let kinds: Vec<&str> = c
        .body
        .iter()
        .map(|b| match b {
            quire::model::Block::Blockquote { .. } => "quote",
            quire::model::Block::List { .. } => "list",
            quire::model::Block::Preformatted { .. } => "pre",
            quire::model::Block::Paragraph { .. } => "p",
            _ => "other",
        })
        .collect();
    assert_eq!(
        kinds,
        ["quote", "list", "pre", "quote", "p"],
        "{:?}",
        c.body
    );
    let text = body_text(&c);
    let pos = |s: &str| text.find(s).unwrap_or(usize::MAX);
    assert!(pos("Before:") < pos("download the tarball"), "{text}");
    assert!(pos("cert = /etc/x.pem") < pos("After:"), "{text}");
}

/// `quire extract - --format text [--captions]` on `html`: stdout.
fn cli_text(html: &str, captions: bool) -> String {
    let mut args = vec![
        "extract",
        "-",
        "--url",
        "https://mag.example/a",
        "--profile",
        "generic",
        "--format",
        "text",
    ];
    if captions {
        args.push("--captions");
    }
    let (code, out, err) = cli::quire(&args, html.as_bytes());
    assert_eq!(code, 0, "{err}");
    out
}

#[test]
fn text_format_is_running_text_and_captions_are_opt_in() {
    let page = format!(
        "<html><head><title>Harbour</title></head><body><main><article><h1>Harbour</h1>\
         <p>First: {PARA}</p><figure><img src=\"/h.jpg\" alt=\"boats\">\
         <figcaption>The harbour at dawn (Photo: A. Lens)</figcaption></figure>\
         <p>Second: {PARA}</p></article></main></body></html>"
    );
    let plain = cli_text(&page, false);
    assert_eq!(plain.lines().count(), 2, "{plain}");
    assert!(plain.starts_with("First: The committee"), "{plain}");
    assert!(!plain.contains("harbour at dawn"), "{plain}");
    let with = cli_text(&page, true);
    let lines: Vec<&str> = with.lines().collect();
    assert_eq!(lines.len(), 3, "{with}");
    assert!(lines[1].contains("The harbour at dawn"), "{with}");
    assert!(lines[2].starts_with("Second: "), "{with}");
}

#[test]
fn caption_named_elements_become_image_captions_not_running_text() {
    let page = format!(
        "<html><head><title>Harbour</title></head><body><main><article><h1>Harbour</h1>\
         <p>First: {PARA}</p>\
         <div class=\"wp-caption aligncenter\"><img src=\"/a.jpg\" alt=\"a\">\
         <p class=\"wp-caption-text\">Boats at dawn in the old harbour</p></div>\
         <p>Second: {PARA}</p>\
         <div class=\"media\"><img data-src=\"/b.jpg\" alt=\"b\"></div>\
         <p class=\"media__caption\">The pier in winter</p>\
         <p>Third: {PARA}</p>\
         <div class=\"legend\">A caption of a picture that is not there</div>\
         <p>Fourth: {PARA}</p></article></main></body></html>"
    );
    let c = run(&page);
    let captions: Vec<(&str, Option<&str>)> = c
        .body
        .iter()
        .filter_map(|b| match b {
            quire::model::Block::Image { src, caption, .. } => {
                Some((src.as_str(), caption.as_deref()))
            }
            _ => None,
        })
        .collect();
    assert_eq!(
        captions,
        [
            (
                "https://mag.example/a.jpg",
                Some("Boats at dawn in the old harbour")
            ),
            ("https://mag.example/b.jpg", Some("The pier in winter")),
        ],
        "{:?}",
        c.body
    );
    let text = c.body_text();
    assert!(!text.contains("Boats at dawn"), "{text}");
    assert!(!text.contains("pier in winter"), "{text}");
    assert!(!text.contains("not there"), "{text}");
    assert!(text.contains("Fourth: "), "{text}");
}

/// Inserts `html` at the end of the article, after its last list.
fn article_tail(html: &str) -> String {
    article("", "").replace(
        "<div class=\"share-buttons\">",
        &format!("{html}<div class=\"share-buttons\">"),
    )
}

#[test]
fn generic_card_links_are_link_text() {
    // Teaser cards: each <a> wraps a headline block; the row of cards is a link farm.
    let cards = "<div class=\"row\">\
        <a href=\"/a\"><h3>Council approves the new harbour bridge</h3></a>\
        <a href=\"/b\"><h3>Flood defences tested after the storm</h3></a>\
        <a href=\"/c\"><h3>Library reopens with longer hours</h3></a></div>";
    let text = body_text(&run(&article_tail(cards)));
    assert!(text.contains("Second point of the list"), "{text}");
    assert!(!text.contains("harbour bridge"), "{text}");
}

#[test]
fn generic_link_only_lists_and_lines_dropped() {
    // One or two links in a list, or a loose line that is one headline link, are
    // "see also" teasers even below the three-link link-farm threshold.
    let teasers = "<ul><li><a href=\"/a\">Council approves the new harbour bridge</a></li></ul>\
        <div><a href=\"/b\">Flood defences tested after the storm</a></div>";
    let text = body_text(&run(&article_tail(teasers)));
    assert!(text.contains("Second point of the list"), "{text}");
    assert!(!text.contains("harbour bridge"), "{text}");
    assert!(!text.contains("Flood defences"), "{text}");
}

#[test]
fn generic_see_also_label_mid_article_does_not_cut() {
    let paras: Vec<String> = (1..=7)
        .map(|i| format!("<p>Part {i}: {PARA}</p>"))
        .collect();
    let html = format!(
        "<html><head><title>Story</title></head><body><article><h1>Story</h1>{}\
         <p>Read also:</p><p><a href=\"/x\">Another story</a></p>{}</article></body></html>",
        paras[..4].concat(),
        paras[4..].concat()
    );
    let text = body_text(&run(&html));
    assert!(text.contains("Part 7:"), "{text}");
    assert!(!text.contains("Read also"), "{text}");
}

#[test]
fn generic_appeal_lines_dropped() {
    let appeals = "<p>Subscribe now to our digital edition for the full story.</p>\
        <p>Follow The Gazette on Twitter and Instagram for breaking news.</p>\
        <p>Síguenos en Telegram, Instagram, Facebook y Twitter.</p>\
        <p>Lust auf mehr? Melde dich hier für unseren Newsletter an.</p>\
        <p>If you are seeing this message but you are already a subscriber, log in.</p>";
    let text = body_text(&run(&article_tail(appeals)));
    assert!(text.contains("Second point of the list"), "{text}");
    for appeal in [
        "Subscribe now",
        "Follow The Gazette",
        "Síguenos",
        "Newsletter",
        "subscriber",
    ] {
        assert!(!text.contains(appeal), "{appeal:?} leaked into {text}");
    }
}

#[test]
fn generic_widget_lines_and_items_dropped() {
    let widgets = "<ul><li>Artikel drucken</li><li>Permalink https://mag.example/p/1</li></ul>\
        <p>Warning: Creating default object from empty value in /www/htdocs/classes.php on line 407</p>\
        <p>Es werden die Artikel 1 bis 10 von insgesamt 19 angezeigt!</p>\
        <p>Externer Inhalt</p><p>Valora esta noticia</p>";
    let text = body_text(&run(&article_tail(widgets)));
    assert!(text.contains("Second point of the list"), "{text}");
    for w in [
        "drucken",
        "Permalink",
        "on line 407",
        "insgesamt",
        "Externer",
        "Valora",
    ] {
        assert!(!text.contains(w), "{w:?} leaked into {text}");
    }
}

#[test]
fn generic_coda_heading_with_topic_cuts() {
    let coda = "<h3>Weitere Beiträge aus der Kolumne:</h3>\
        <p>Ein anderer Text aus der Reihe, mit einem langen Anriss, der hier nicht hingehört.</p>";
    let text = body_text(&run(&article_tail(coda)));
    assert!(text.contains("Second point of the list"), "{text}");
    assert!(!text.contains("Kolumne"), "{text}");
    assert!(!text.contains("anderer Text"), "{text}");
}

#[test]
fn generic_author_box_and_comment_thread_heading_dropped() {
    let bio = format!(
        "<div class=\"author-box--content\"><p>Hallo, ich bin Foodbloggerin und Journalistin. {PARA} {PARA}</p></div>\
         <h3>11 responses to “Water rates rise, and what the council said about it afterwards”</h3>\
         <p>Great piece, thanks. I could not agree more with everything the author says here.</p>"
    );
    let text = body_text(&run(&article_tail(&bio)));
    assert!(text.contains("Second point of the list"), "{text}");
    assert!(!text.contains("Foodbloggerin"), "{text}");
    assert!(!text.contains("responses to"), "{text}");
    assert!(!text.contains("could not agree"), "{text}");
}

#[test]
fn generic_link_dense_teaser_box_dropped() {
    let teaser = "<div class=\"newsteaser\"><a href=\"/other\"><span>Hintergrund</span>\
        <h2>Council approves the new harbour bridge</h2><p>What it costs, and who pays.</p></a></div>";
    let text = body_text(&run(&article_tail(teaser)));
    assert!(text.contains("Second point of the list"), "{text}");
    assert!(!text.contains("harbour bridge"), "{text}");
    // A standfirst called "teaser" is not link-dense and stays.
    let lead = "<div class=\"teaser-text\"><p>The water board raised its rates for the \
        first time in ten years, and the council wants to know why.</p></div>";
    let text = body_text(&run(&article("", lead)));
    assert!(text.contains("first time in ten years"), "{text}");
}

/// Three teaser cards of the site's other stories inside the article's own container,
/// with no telling class names: each a headline link, a cut-short excerpt and a date.
fn cards(host_prefix: &str) -> String {
    (1..=3)
        .map(|i| {
            format!(
                "<div class=\"x c{i}\"><div class=\"k\"><h3><a href=\"{host_prefix}/2021/05/0{i}/other-story-{i}\">\
                 Another story number {i} worth reading today</a></h3><p>The council has \
                 approved a new plan for the harbour front number {i}, and residents who \
                 live nearby say that the works will&hellip;</p><span>May {i}, 2021</span></div></div>"
            )
        })
        .collect()
}

/// Recirculation judged by its shape (issue 14): cut-short excerpts in repeated cards
/// whose headlines link to the site's other pages are not the article, even inside
/// its `<article>` and without class names. The same cards linking to other sites
/// (a digest, an events list) stay, and so does a roundup's item whose own paragraph
/// ends "..." beside a "Read the full review" link.
#[test]
fn teaser_excerpts_of_the_sites_own_pages_are_not_the_article() {
    let own = run(&article(
        "",
        &format!("<p>{PARA}</p><p>{PARA}</p>{}", cards("")),
    ));
    let text = body_text(&own);
    assert!(text.contains("The committee met on Tuesday"), "{text}");
    assert!(
        !text.contains("harbour front"),
        "teaser excerpts kept:\n{text}"
    );

    let out = run(&article(
        "",
        &format!(
            "<p>{PARA}</p><p>{PARA}</p>{}",
            cards("https://news.elsewhere.example")
        ),
    ));
    let text = body_text(&out);
    assert_eq!(
        text.matches("harbour front").count(),
        3,
        "cards linking out are the page's own list:\n{text}"
    );

    let roundup: String = (1..=3)
        .map(|i| {
            format!(
                "<div class=\"item\"><h3>Product {i}</h3><p>Model {i} is a family car with a \
                 long range, a quiet cabin and room for five, and it charges quickly on a fast \
                 charger, which matters on long trips.</p><p>It drives as well as model {i} of \
                 the rival, the cabin is calmer and the price is lower. We are still looking \
                 for the catch, and so far there is none at all, as far as we can tell...</p>\
                 <p><a href=\"/reviews/product-{i}\">Read the full Product {i} review</a></p></div>"
            )
        })
        .collect();
    let r = run(&article("", &roundup));
    let text = body_text(&r);
    assert_eq!(text.matches("looking for the catch").count(), 3, "{text}");
}

/// A page of 20,000 teaser cards stays linear: every card is looked at through
/// bounded walks (no quadratic sibling scans).
#[test]
fn many_teaser_cards_are_cheap() {
    let many: String = (0..20_000)
        .map(|i| {
            format!(
                "<div class=\"c\"><h3><a href=\"/s/{i}\">Another story worth reading {i}</a></h3>\
                 <p>One two three four five six seven eight nine ten&hellip;</p></div>"
            )
        })
        .collect();
    let c = run(&article("", &many));
    assert!(body_text(&c).contains("The committee met on Tuesday"));
}

#[test]
fn people_linked_in_running_text_or_as_contacts_are_not_authors() {
    // A link to a staff profile inside a paragraph of running text names someone the
    // article quotes, not its writer.
    let quoted = r#"<p>The survey, published this spring, drew on the views of dozens of
        researchers, among them <a href="/profile/ann-lee">Ann Lee</a>, who leads the
        regional water laboratory and has studied municipal pricing for two decades, and
        who warned that the increases would fall hardest on the smallest households.</p>"#;
    let c = run(&article("", quoted));
    assert!(c.authors.is_empty(), "{:?}", c.authors);
    // A contact line with a link to the person's staff page is not a byline.
    for label in ["Contact:", "Media contact:", "Press contact", "Contacts:"] {
        let contact = format!(
            r#"<ul class="meta"><li><strong>Updated:</strong> 6/2/2021</li>
            <li><strong>{label}</strong> <a href="/authors/staff-directory/bo-ray">Bo Ray</a></li></ul>"#
        );
        let c = run(&article("", &contact));
        assert!(c.authors.is_empty(), "{label}: {:?}", c.authors);
    }
    // The same link on a byline line of its own is the author.
    let byline = r#"<p class="meta">By <a href="/authors/staff-directory/bo-ray">Bo Ray</a></p>"#;
    let c = run(&article("", byline));
    assert_eq!(c.authors, vec!["Bo Ray"]);
    let short = r#"<p>Written by <a href="/profile/ann-lee">Ann Lee</a> for the desk.</p>"#;
    let c = run(&article("", short));
    assert_eq!(c.authors, vec!["Ann Lee"]);
}

/// A banner `<aside>` the page never closed holds the whole `<main>` after the parse:
/// the headline and its byline there are the page's own, not chrome. The same byline
/// in a real sidebar still names nobody.
#[test]
fn a_headline_inside_an_unclosed_banner_aside_keeps_its_byline() {
    let page = |tail: &str| {
        format!(
            "<!doctype html><html><head><title>Lessons from five startups</title></head><body>\
             <aside class=\"announcement-banner\"><p>Our conference starts on Monday.</p>\
             {tail}</body></html>"
        )
    };
    let byline = r#"<h1 class="title">Lessons from five startups</h1>
        <div class="blog-meta-avatar"><img src="/p/tim.jpg" alt="Tim Ray" class="is-rounded">
        <span class="blog-meta-author"> Tim Ray </span></div>"#;
    let unclosed = page(&format!(
        "<main><article>{byline}<p>{PARA}</p><p>{PARA}</p></article></main>"
    ));
    let c = run(&unclosed);
    assert_eq!(c.title.as_deref(), Some("Lessons from five startups"));
    assert_eq!(c.authors, vec!["Tim Ray"]);
    // Closed as it should be: the same result.
    let closed = unclosed.replacen("starts on Monday.</p>", "starts on Monday.</p></aside>", 1);
    assert_eq!(run(&closed).authors, vec!["Tim Ray"]);
    // A byline inside an aside that holds no <main> belongs to the sidebar's teaser.
    let sidebar = page(&format!(
        "<div class=\"related\"><h1>Lessons from five startups</h1>{}</div></aside>\
         <div><p>{PARA}</p><p>{PARA}</p></div>",
        r#"<span class="blog-meta-author">Tim Ray</span>"#
    ));
    assert!(
        run(&sidebar).authors.is_empty(),
        "{:?}",
        run(&sidebar).authors
    );
}

/// An all-numeric date by the headline reads two ways ("03/10/2023" is 3 October in
/// Britain and March 10 in the US): the metadata's or the URL's day decides which, and
/// a URL names its month as a word as often as a number ("/2023/oct/03/").
#[test]
fn numeric_dates_read_the_way_the_site_writes_them() {
    let page = |head: &str, dateline: &str| {
        article(head, &format!(r#"<p class="post-date">{dateline}</p>"#))
    };
    let date_at = |url: &str, html: &str| {
        generic_run::run_generic(url, html)
            .published
            .map(|d| (d.date, d.source))
    };
    use quire::model::DateSource;
    // Nothing else on the page: the printed date as the parser reads it.
    let plain = date_at("https://mag.example/blog/wine", &page("", "03/10/2023"));
    assert_eq!(plain, Some(("2023-03-10".into(), Some(DateSource::Page))));
    // The URL names the day: the printed date is day/month.
    for url in [
        "https://mag.example/blog/2023/october/03/wine",
        "https://mag.example/blog/2023/Oct/03/wine",
    ] {
        assert_eq!(
            date_at(url, &page("", "03/10/2023")),
            Some(("2023-10-03".into(), Some(DateSource::Url))),
            "{url}"
        );
    }
    // The metadata names the day: "09.10.2024" on a site that writes month.day.year.
    let ld = r#"<script type="application/ld+json">{"@type":"BlogPosting","headline":"Water rates rise","datePublished":"2024-09-10T16:07:00.000Z"}</script>"#;
    assert_eq!(
        date_at("https://mag.example/blog/wine", &page(ld, "09.10.2024")).map(|d| d.0),
        Some("2024-09-10".into())
    );
    // A date that cannot be swapped is the page's, whatever the metadata says.
    let ld_other = ld.replace("2024-09-10", "2024-09-11");
    assert_eq!(
        date_at(
            "https://mag.example/blog/wine",
            &page(&ld_other, "09.10.2024")
        )
        .map(|d| d.0),
        Some("2024-10-09".into())
    );
    // A URL day with its month as a word, and words that are not months.
    let none = article("", "");
    assert_eq!(
        date_at("https://mag.example/2019/sept/30/wine", &none),
        Some(("2019-09-30".into(), Some(DateSource::Url)))
    );
    assert_eq!(
        date_at("https://mag.example/2019/decisions/30/wine", &none),
        None
    );
    assert_eq!(date_at("https://mag.example/2019/ma/30/wine", &none), None);
}

/// The writer's note: a closing paragraph that opens with the author's name and a
/// verb of a biography leaves the body for `bio`; an author box gives its running
/// text without its heading and links; a paragraph about the writer inside the
/// article, or a note about someone else, stays where it is.
#[test]
fn the_writers_note_is_the_bio_not_the_body() {
    let author = r#"<meta name="author" content="Jane Doe">"#;
    let with_tail = |head: &str, tail: &str| {
        article(head, "").replace(
            "<div class=\"share-buttons\">",
            &format!("{tail}<div class=\"share-buttons\">"),
        )
    };
    // A closing note in the article's own container, with no telling class name.
    let note = "Jane Doe is a freelance writer based in Leeds who covers water, \
        energy and the councils that price them.";
    let c = run(&with_tail(author, &format!("<p>{note}</p>")));
    assert_eq!(c.authors, vec!["Jane Doe"]);
    assert_eq!(c.bio.as_deref(), Some(note));
    let text = body_text(&c);
    assert!(!text.contains("freelance writer"), "{text}");
    assert!(text.contains("Second point of the list"), "{text}");
    // The given name alone, after the list, in parentheses.
    let short = "(Jane founded the Leeds Water Forum in 2014 and writes its newsletter.)";
    let c = run(&with_tail(author, &format!("<p>{short}</p>")));
    assert!(
        c.bio
            .as_deref()
            .is_some_and(|b| b.contains("Leeds Water Forum")),
        "{:?}",
        c.bio
    );
    // An author box: its heading and its stand-alone links are not the note, a link
    // inside a sentence is.
    let boxed = "<div class=\"about-author\"><h4>About Jane Doe</h4>\
        <p>Jane Doe has reported on utilities for <a href=\"https://paper.example/\">The Daily \
        Example</a> since 2009.</p><p><a href=\"/author/jane\">View all posts</a></p></div>";
    let c = run(&with_tail(author, boxed));
    assert_eq!(
        c.bio.as_deref(),
        Some("Jane Doe has reported on utilities for The Daily Example since 2009.")
    );
    assert!(!body_text(&c).contains("reported on utilities"));
    // Without an author there is no bio, and the paragraph stays in the body.
    let c = run(&with_tail("", &format!("<p>{note}</p>")));
    assert_eq!(c.bio, None);
    assert!(body_text(&c).contains("freelance writer"));
    // A note about someone else, or the writer's name followed by what she said.
    for other in [
        "Janet Doe is the chair of the water board and has served since 2019.",
        "Jane Doe said the council would publish the figures before the vote.",
    ] {
        let c = run(&with_tail(author, &format!("<p>{other}</p>")));
        assert_eq!(c.bio, None, "{other}");
        assert!(body_text(&c).contains(&other[..20]), "{other}");
    }
    // A paragraph about the writer followed by more of the article is the article.
    let mid = format!("<p>{note}</p><p>Fourth: {PARA} {PARA}</p>");
    let c = run(&with_tail(author, &mid));
    assert_eq!(c.bio, None);
    assert!(body_text(&c).contains("freelance writer"));
    // A page that is only the writer's note ("About me") keeps it as its body.
    let about = format!(
        "<html><head><title>About me</title>{author}</head><body><main><article>\
         <h1>About me</h1><p>{note} She grew up by the river and still swims in it.</p>\
         </article></main></body></html>"
    );
    let c = run(&about);
    assert_eq!(c.bio, None);
    assert!(body_text(&c).contains("freelance writer"), "{:?}", c.body);
}
