fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(100000);
    let tag = std::env::args().nth(2).unwrap_or("div".into());
    let html = format!(
        "<html><body>{}x{}</body></html>",
        format!("<{tag}>").repeat(n),
        format!("</{tag}>").repeat(n)
    );
    let t = std::time::Instant::now();
    let doc = scraper::Html::parse_document(&html);
    eprintln!(
        "parse {n} {tag}: {:?} nodes={}",
        t.elapsed(),
        doc.tree.nodes().count()
    );
    let t = std::time::Instant::now();
    drop(doc);
    eprintln!("drop: {:?}", t.elapsed());
}
