//! Recirculation is not content: teaser lists, "most read", "more from", newsletter and
//! app prompts, sponsored stories and comment counters stay out of the body, also when
//! they sit inside the article's own container under class names that say nothing.
//! Each test puts one such shape inside `<article>` with neutral class names, and
//! checks that the article's paragraphs stay and the recirculation goes.

use quire::extract::dom;
use quire::extract::generic::{self, GenericConfig};
use quire::model::Content;

const PARAS: &[&str] = &[
    "The water board raised its rates on Monday for the first time in ten years, saying that the pipes under the old town can no longer wait.",
    "Households will pay about four euros more a month, and businesses that use a lot of water will pay a higher rate from the summer on.",
    "The council had asked for a delay, arguing that families already face higher bills for heating, but the board said the repairs are urgent.",
    "A public meeting on the plan is set for next Thursday evening in the town hall, and residents can send written questions until then.",
    "The board expects the work on the pipes to take three years, with the busiest streets to be done during the school holidays.",
];

fn page(recirculation: &str) -> String {
    let p: String = PARAS.iter().map(|p| format!("<p>{p}</p>")).collect();
    format!(
        "<!doctype html><html lang=\"en\"><head><title>Water rates rise | Example Gazette</title></head>\
         <body><div class=\"c1\"><article class=\"c2\"><h1>Water rates rise</h1>\
         <div class=\"c3\">{p}</div>{recirculation}</article></div></body></html>"
    )
}

fn run(html: &str) -> Content {
    let url = url::Url::parse("https://gazette.example/2024/05/water-rates").unwrap();
    let doc = dom::parse(html);
    let now = chrono::NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
    generic::extract_with(&doc, &url, &GenericConfig::at(now)).0
}

fn check(recirculation: &str, gone: &[&str]) {
    let c = run(&page(recirculation));
    let text = c.body_text();
    for p in PARAS {
        assert!(text.contains(p), "lost {p:?} from:\n{text}");
    }
    for g in gone {
        assert!(!text.contains(g), "{g:?} kept in:\n{text}");
    }
}

#[test]
fn dated_teaser_cards_of_other_stories_stay_out() {
    let cards: String = [
        ("12 May 2024", "Flood defences tested after the storm"),
        ("11 May 2024", "Library reopens with longer hours"),
        ("10 May 2024", "New cycle lane opens on the ring road"),
        ("9 May 2024", "School meals to cost less from September"),
        ("8 May 2024", "Market square gets new benches"),
    ]
    .iter()
    .enumerate()
    .map(|(i, (d, h))| {
        format!("<div class=\"c4\"><span class=\"c5\">{d}</span><a href=\"/s/{i}\"><span class=\"c6\">{h}</span></a></div>")
    })
    .collect();
    check(
        &format!("<div class=\"c7\">{cards}</div>"),
        &[
            "Flood defences",
            "Library reopens",
            "Market square",
            "12 May 2024",
        ],
    );
}

#[test]
fn most_read_and_more_from_lists_stay_out() {
    let list = |title: &str, heads: &[&str]| {
        let items: String = heads
            .iter()
            .enumerate()
            .map(|(i, h)| format!("<li><a href=\"/x/{i}\">{h}</a></li>"))
            .collect();
        format!("<div class=\"c8\"><h3>{title}</h3><ol>{items}</ol></div>")
    };
    check(
        &(list(
            "Most read",
            &[
                "Mayor resigns after budget row",
                "Train strike called off at the last minute",
                "Ten things to do this weekend",
                "House prices fall for the third month",
            ],
        ) + &list(
            "More from Example Gazette",
            &[
                "How the harbour was built",
                "Our guide to the summer festival",
                "Why the bus routes changed",
            ],
        )),
        &[
            "Most read",
            "Mayor resigns",
            "More from",
            "harbour was built",
        ],
    );
}

#[test]
fn newsletter_app_and_sponsored_prompts_stay_out() {
    check(
        "<div class=\"c9\"><p>Get the morning briefing in your inbox. Sign up for our free newsletter.</p>\
         <p>Download the Example Gazette app for iPhone and Android.</p></div>\
         <div class=\"c10\"><h4>Sponsored stories</h4>\
         <a href=\"https://ads.example/1\">You won't believe these kitchen ideas</a> \
         <a href=\"https://ads.example/2\">Doctors hate this simple trick</a></div>",
        &[
            "newsletter",
            "Download the Example Gazette app",
            "Sponsored stories",
            "kitchen ideas",
        ],
    );
}

#[test]
fn comment_counters_and_date_one_liners_stay_out() {
    let lines: String = [
        "May 12, 2024 – Harbour toll to rise in June",
        "May 11, 2024 – Bakery wins regional prize",
        "May 10, 2024 – Roadworks on Main Street delayed",
    ]
    .iter()
    .map(|l| format!("<p class=\"c11\"><a href=\"/l\">{l}</a></p>"))
    .collect();
    check(
        &format!("<div class=\"c12\"><a href=\"#c\">12 comments</a></div>{lines}"),
        &["12 comments", "Harbour toll", "Bakery wins", "Roadworks"],
    );
}
