//! The generic extractor on the page types beyond articles, with handmade pages in the
//! shapes common software produces (a forum thread, a documentation page with a
//! navigation tree and code, a listing of teasers): each gives its main content in
//! reading order, never an empty body, and leaves the site's chrome out.

#[path = "support/generic_run.rs"]
mod generic_run;

use quire::model::{Block, Content, PageType};

fn run(url: &str, html: &str) -> Content {
    generic_run::run_generic(url, html)
}

fn text(c: &Content) -> String {
    c.body_text()
}

/// Site chrome shared by the pages: a header menu, a sidebar of links, a footer.
fn chrome(main: &str, title: &str) -> String {
    let mut menu = String::new();
    for s in [
        "Home",
        "Categories",
        "Latest",
        "Top",
        "Members",
        "Help",
        "Log in",
        "Sign up",
    ] {
        menu.push_str(&format!("<li><a href=\"/{s}\">{s}</a></li>"));
    }
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title} - Example Community</title></head>\
         <body><header class=\"site-header\"><a href=\"/\" class=\"logo\">Example Community</a><ul class=\"menu\">{menu}</ul></header>\
         {main}\
         <footer class=\"site-footer\"><p>Powered by ExampleBoard. Terms of service. Privacy policy. Contact the staff.</p></footer>\
         </body></html>"
    )
}

#[test]
fn a_forum_thread_gives_every_post() {
    let posts = [
        ("marta_k", "Mar 3, 2025", "My sourdough starter smells of nail polish remover after I moved it to the fridge for a week. Is it dead, or can I still save it with a few feedings at room temperature?"),
        ("oldbaker", "Mar 3, 2025", "That acetone smell means it is hungry, not dead. Discard most of it, feed it twice a day at room temperature, and it should be back to normal within three or four days."),
        ("jpfeiffer", "Mar 4, 2025", "Agree with oldbaker. I would also switch to a bit of rye flour for the first couple of feedings, because the extra nutrients wake the yeast up faster in my experience."),
        ("marta_k", "Mar 6, 2025", "Update for anyone who finds this thread later: two days of feeding with rye did the trick and the loaf I baked this morning rose beautifully. Thanks to both of you!"),
    ];
    let mut thread = String::new();
    for (i, (who, when, words)) in posts.iter().enumerate() {
        thread.push_str(&format!(
            "<article class=\"topic-post\" id=\"post_{n}\"><div class=\"topic-avatar\"><a href=\"/u/{who}\"><img src=\"/a/{who}.png\" alt=\"\"></a></div>\
             <div class=\"topic-body\"><div class=\"topic-meta-data\"><span class=\"username\"><a href=\"/u/{who}\">{who}</a></span>\
             <span class=\"post-date\">{when}</span></div>\
             <div class=\"cooked\"><p>{words}</p></div>\
             <div class=\"post-controls\"><button>Like</button><button>Reply</button><a href=\"#post_{n}\">Share</a></div></div></article>",
            n = i + 1
        ));
    }
    let mut related = String::new();
    for t in [
        "Best flour for baguettes?",
        "Oven spring problems",
        "Rye bread recipe swap",
        "Cast iron vs dutch oven",
    ] {
        related.push_str(&format!(
            "<tr><td><a href=\"/t/{t}\">{t}</a></td><td>12</td><td>3d</td></tr>"
        ));
    }
    let main = format!(
        "<main id=\"main-outlet\"><h1 class=\"fancy-title\">Starter smells like acetone after a week in the fridge</h1>\
         <div class=\"topic-category\"><a href=\"/c/bread\">Bread</a></div>\
         <section class=\"post-stream\">{thread}</section>\
         <div class=\"suggested-topics\"><h3>Suggested Topics</h3><table>{related}</table></div></main>"
    );
    let c = run(
        "https://community.example/t/starter-smells-like-acetone/4412",
        &chrome(
            &main,
            "Starter smells like acetone after a week in the fridge",
        ),
    );
    let body = text(&c);
    for (_, _, words) in posts {
        assert!(body.contains(words), "post missing:\n{body}");
    }
    let pos = |s: &str| body.find(s).unwrap_or(usize::MAX);
    assert!(
        pos("My sourdough starter") < pos("That acetone smell"),
        "{body}"
    );
    assert!(
        pos("That acetone smell") < pos("Update for anyone"),
        "{body}"
    );
    for chrome in [
        "Powered by ExampleBoard",
        "Sign up",
        "Oven spring problems",
        "Suggested Topics",
    ] {
        assert!(!body.contains(chrome), "{chrome:?} kept:\n{body}");
    }
    assert_ne!(c.page_type, PageType::Index);
    // The posts as data: author, date and text of each, in order (when the page-type
    // model takes the page for a forum, which it does here).
    let got: Vec<(Option<&str>, Option<&str>, &str)> = c
        .posts
        .iter()
        .map(|p| {
            (
                p.author.as_deref(),
                p.published.as_ref().map(|d| d.date.as_str()),
                p.text.as_str(),
            )
        })
        .collect();
    let dates = ["2025-03-03", "2025-03-03", "2025-03-04", "2025-03-06"];
    let want: Vec<(Option<&str>, Option<&str>, &str)> = posts
        .iter()
        .zip(dates)
        .map(|((who, _, words), d)| (Some(*who), Some(d), *words))
        .collect();
    assert_eq!(got, want);
}

/// An older board's thread: a table per post (profile cell, post cell), the whole
/// thread inside a comment-named box that the boilerplate rules drop, so the posts'
/// table structure must be read through the rules' marks.
#[test]
fn a_board_thread_inside_a_comment_named_box_gives_every_post() {
    let posts = [
        "Our village hall roof leaks at the ridge every time the wind comes from the west. The slates look fine from the ground. Has anyone had a ridge re-bedded, and what did it cost?",
        "Re-bedding with lime mortar cost us about four hundred pounds for a ten metre ridge two years ago. Ask the roofer to check the flashing at the chimney while the scaffold is up.",
        "Before paying for scaffolding, get someone to look at the ridge tiles with a drone. Half of the roofers near us offer it for free now and it found our problem in minutes.",
    ];
    let mut thread = String::new();
    for (i, words) in posts.iter().enumerate() {
        let class = if i % 2 == 0 { "post bg1" } else { "post bg2" };
        thread.push_str(&format!(
            "<div class=\"{class}\" id=\"p{i}\"><table class=\"post-table\"><tr><td class=\"postprofile\">\
             <a href=\"/member/{i}\">member{i}</a><br>Posts: {n}<br>Joined: 2019</td>\
             <td class=\"postbody\"><div class=\"author\">Posted: Sat Mar 1{i}, 2025 9:1{i} am</div>\
             <div class=\"content\">{words}</div></td></tr></table></div>",
            n = 10 + i * 37
        ));
    }
    let main = format!(
        "<div id=\"page-body\"><h2 class=\"topic-title\"><a href=\"/viewtopic?t=88\">Leaking ridge on the village hall roof</a></h2>\
         <div class=\"action-bar\"><a href=\"/posting?t=88\">Post Reply</a> <a href=\"/search\">Search this topic</a></div>\
         <div id=\"comments\" class=\"comments\">{thread}</div>\
         <div class=\"action-bar\"><a href=\"/posting?t=88\">Post Reply</a> 3 posts - Page 1 of 1</div>\
         <div class=\"jumpbox\"><a href=\"/viewforum?f=2\">Return to Buildings and repairs</a></div></div>"
    );
    let c = run(
        "https://board.example/viewtopic?t=88",
        &chrome(&main, "Leaking ridge on the village hall roof"),
    );
    let body = text(&c);
    let mut last = 0usize;
    for words in posts {
        let at = body
            .find(words)
            .unwrap_or_else(|| panic!("post missing:\n{body}"));
        assert!(at >= last, "posts out of order:\n{body}");
        last = at;
    }
    // Each post is a block of its own, not a table row glued to the poster's profile.
    for b in &c.body {
        let t = b.text();
        assert!(
            !(t.contains("Joined: 2019") && posts.iter().any(|p| t.contains(p))),
            "post and profile in one block: {t}"
        );
    }
    for chrome in ["Powered by ExampleBoard", "Sign up", "Return to Buildings"] {
        assert!(!body.contains(chrome), "{chrome:?} kept:\n{body}");
    }
}

#[test]
fn a_documentation_page_keeps_its_code_in_reading_order() {
    let mut nav = String::new();
    for s in [
        "Introduction",
        "Installation",
        "Configuration",
        "Profiles",
        "Crawling",
        "Storage",
        "Exports",
        "Diffs",
        "Command reference",
        "Troubleshooting",
        "FAQ",
        "Changelog",
    ] {
        nav.push_str(&format!("<li class=\"toctree-l1\"><a class=\"reference internal\" href=\"/{s}.html\">{s}</a></li>"));
    }
    let main = format!(
        "<div class=\"wy-grid-for-nav\"><nav class=\"wy-nav-side\"><div class=\"wy-menu\"><ul>{nav}</ul></div></nav>\
         <section class=\"wy-nav-content-wrap\"><div class=\"rst-content\"><div role=\"main\" class=\"document\">\
         <div class=\"section\" id=\"configuration\"><h1>Configuration</h1>\
         <p>The tool reads its settings from a TOML file in the working directory. Every key has a default, so an empty file is a valid configuration, and unknown keys are reported as errors rather than ignored.</p>\
         <div class=\"highlight-toml notranslate\"><div class=\"highlight\"><pre><span class=\"n\">[crawl]</span>\nconcurrency = 4\ndelay_ms = 500</pre></div></div>\
         <p>The crawl section above sets how many pages are fetched at once and how long to wait between two requests to the same host. Lower the concurrency for small sites that cannot take the load.</p>\
         <h2>Environment variables</h2>\
         <p>Settings can also come from the environment, which is convenient in containers where mounting a file is awkward. The variable name is the key in upper case with a prefix.</p>\
         <div class=\"highlight-shell\"><div class=\"highlight\"><pre>export TOOL_CRAWL_CONCURRENCY=8\ntool crawl https://example.org/</pre></div></div>\
         <p>A value from the environment wins over the file, and a flag on the command line wins over both, so a one-off run never needs an edited file.</p>\
         </div></div>\
         <footer><div class=\"rst-footer-buttons\"><a href=\"/Profiles.html\" class=\"btn\">Next</a><a href=\"/Installation.html\" class=\"btn\">Previous</a></div>\
         <p>&copy; Copyright 2025, the authors. Built with a documentation generator using a theme.</p></footer></div></section></div>"
    );
    let c = run(
        "https://docs.example.org/en/latest/configuration.html",
        &chrome(&main, "Configuration"),
    );
    let code: Vec<&str> = c
        .body
        .iter()
        .filter_map(|b| match b {
            Block::Preformatted { text, .. } => Some(text.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(code.len(), 2, "{:#?}", c.body);
    assert!(code[0].contains("concurrency = 4") && code[1].contains("TOOL_CRAWL_CONCURRENCY"));
    let body = text(&c);
    let pos = |s: &str| body.find(s).unwrap_or(usize::MAX);
    assert!(pos("reads its settings") < pos("concurrency = 4"), "{body}");
    assert!(
        pos("concurrency = 4") < pos("The crawl section above"),
        "{body}"
    );
    assert!(
        pos("Settings can also come") < pos("export TOOL_CRAWL"),
        "{body}"
    );
    assert!(
        pos("export TOOL_CRAWL") < pos("A value from the environment"),
        "{body}"
    );
    for chrome in [
        "Troubleshooting",
        "Changelog",
        "Built with a documentation generator",
        "Powered by",
    ] {
        assert!(!body.contains(chrome), "{chrome:?} kept:\n{body}");
    }
}

#[test]
fn a_listing_page_gives_its_entries_text() {
    let stories = [
        ("Harbour bridge reopens after two years of repairs", "Engineers replaced every cable and the deck, and the first buses crossed at dawn on Monday."),
        ("Library extends its opening hours into the evening", "From March the central branch stays open until nine on weekdays, funded by a local trust."),
        ("School meals to use more food from local farms", "The council's new contract asks caterers to buy at least a third of their produce within the county."),
        ("Flood defences tested as the river rises again", "Temporary barriers held overnight, but two roads near the old mill remain closed to traffic."),
        ("New cycle lanes divide opinion on the high street", "Shopkeepers fear fewer parking spaces while cyclists welcome the protected route into town."),
        ("Museum acquires a rare map of the county from 1610", "The hand-coloured map shows villages that have since vanished and goes on display next month."),
    ];
    let mut cards = String::new();
    for (i, (title, teaser)) in stories.iter().enumerate() {
        cards.push_str(&format!(
            "<div class=\"card\"><a href=\"/news/{i}\"><img src=\"/img/{i}.jpg\" alt=\"\"></a>\
             <h2 class=\"card-title\"><a href=\"/news/{i}\">{title}</a></h2>\
             <p class=\"card-teaser\">{teaser}</p><span class=\"card-date\">March {d}, 2025</span></div>",
            d = i + 1
        ));
    }
    let main = format!(
        "<main><h1>Local news</h1><div class=\"card-grid\">{cards}</div>\
         <nav class=\"pagination\"><a href=\"?page=2\">2</a><a href=\"?page=3\">3</a><a href=\"?page=2\">Next</a></nav></main>"
    );
    let c = run(
        "https://gazette.example/news/local/",
        &chrome(&main, "Local news"),
    );
    assert!(!c.body.is_empty());
    let body = text(&c);
    let mut last = 0usize;
    for (title, teaser) in stories {
        let t = body
            .find(title)
            .unwrap_or_else(|| panic!("title missing:\n{body}"));
        let at = body
            .find(teaser)
            .unwrap_or_else(|| panic!("teaser missing:\n{body}"));
        assert!(last <= t && t < at, "entries out of order:\n{body}");
        last = at;
    }
    assert_eq!(c.page_type, PageType::Index, "{body}");
    assert!(!body.contains("Powered by"), "{body}");
    // The entries: one per story, in page order, with its teaser and its date; the
    // header menu, the logo and the pagination are none.
    let got: Vec<(&str, Option<&str>, Option<&str>, Option<&str>)> = c
        .entries
        .iter()
        .map(|e| {
            (
                e.url.as_str(),
                e.title.as_deref(),
                e.teaser.as_deref(),
                e.published.as_ref().map(|d| d.date.as_str()),
            )
        })
        .collect();
    let urls: Vec<String> = (0..stories.len())
        .map(|i| format!("https://gazette.example/news/{i}"))
        .collect();
    let want: Vec<(&str, Option<&str>, Option<&str>, Option<&str>)> = stories
        .iter()
        .enumerate()
        .map(|(i, (t, teaser))| (urls[i].as_str(), Some(*t), Some(*teaser), None))
        .collect();
    let dates: Vec<String> = (1..=stories.len())
        .map(|d| format!("2025-03-{d:02}"))
        .collect();
    let want: Vec<_> = want
        .into_iter()
        .zip(&dates)
        .map(|((u, t, x, _), d)| (u, t, x, Some(d.as_str())))
        .collect();
    assert_eq!(got, want);
}
