//! Bad input to `quire extract`: a clear error or a result with warnings, never a
//! panic, a stack overflow or unbounded memory.

mod cli;

use cli::quire;

const URL: &str = "http://www.enterstageright.com/archive/x.htm";

#[test]
fn empty_input_is_a_clear_error() {
    let (code, out, err) = quire(&["extract", "-", "--url", URL], b"");
    assert_eq!(code, 1, "{err}");
    assert!(out.is_empty());
    assert!(err.contains("empty body"), "{err}");
}

#[test]
fn binary_and_pdf_are_refused() {
    let (code, _, err) = quire(
        &["extract", "-", "--url", URL],
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj",
    );
    assert_eq!(code, 1);
    assert!(err.contains("PDF"), "{err}");
    let noise: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
        .collect();
    let (code, _, err) = quire(&["extract", "-", "--url", URL], &noise);
    assert_eq!(code, 1);
    assert!(err.contains("not an HTML document"), "{err}");
}

#[test]
fn deeply_nested_markup_extracts_without_overflow() {
    let n = 100_000;
    let html = format!(
        "<html><body>{}<p>By Deep Diver<br>web posted May 2001</p><p>{}</p>{}</body></html>",
        "<div><table><tr><td>".repeat(n / 4),
        "Text at the bottom of a very deep page. ".repeat(5),
        "</td></tr></table></div>".repeat(n / 4)
    );
    let (code, out, err) = quire(&["extract", "-", "--url", URL], html.as_bytes());
    assert_eq!(code, 0, "{err}");
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(
        out.contains("Text at the bottom of a very deep page."),
        "{out}"
    );
    assert_eq!(doc["content"]["authors"][0], "Deep Diver");
}

#[test]
fn a_fifty_megabyte_page_is_refused_clearly() {
    let para = "<p>All work and no play makes a very long page indeed, and it goes on.</p>\n";
    let mut html = String::from("<html><body><p>By Long Writer<br>web posted May 2001</p>");
    while html.len() < 50 * 1024 * 1024 {
        html.push_str(para);
    }
    html.push_str("</body></html>");
    let (code, out, err) = quire(
        &["extract", "-", "--url", URL, "--format", "text"],
        html.as_bytes(),
    );
    assert_eq!(code, 1, "{err}");
    assert!(out.is_empty());
    assert!(err.contains("larger than 32 MiB"), "{err}");
}

#[test]
fn a_page_with_no_article_is_an_index_with_a_warning() {
    let html = "<html><head><title>Links</title></head><body><ul><li><a href='a.htm'>A</a></li><li><a href='b.htm'>B</a></li></ul></body></html>";
    let (code, out, err) = quire(&["extract", "-", "--url", URL], html.as_bytes());
    assert_eq!(code, 0, "{err}");
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc["content"]["page_type"], "index");
    assert_eq!(doc["content"]["body"].as_array().unwrap().len(), 0);
    assert!(!doc["warnings"].as_array().unwrap().is_empty());
}

#[test]
fn several_inputs_one_output_each_and_failures_counted() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.htm");
    let bad = dir.path().join("bad.htm");
    std::fs::write(
        &good,
        "<p>By A. Writer<br>web posted June 2001</p><p>Some words here to read.</p>",
    )
    .unwrap();
    std::fs::write(&bad, b"").unwrap();
    let out = dir.path().join("out");
    let (code, _, err) = quire(
        &[
            "extract",
            good.to_str().unwrap(),
            bad.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--profile",
            "esr",
        ],
        b"",
    );
    assert_eq!(code, 1, "{err}");
    assert!(out.join("good.htm.json").is_file());
    assert!(!out.join("bad.htm.json").exists());
    assert!(err.contains("bad.htm"), "{err}");
}

/// `--jobs`: the outputs are the same whatever the number of threads (every fixture
/// page, through the generic extractor: file:// URLs match no profile), failures are
/// counted in parallel too, and zero jobs is a usage error.
#[test]
fn parallel_extraction_writes_what_one_thread_writes() {
    let dir = tempfile::tempdir().unwrap();
    let mut inputs: Vec<String> = Vec::new();
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/extract");
    let mut cases: Vec<_> = std::fs::read_dir(&fixtures)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("page.html").is_file())
        .collect();
    cases.sort();
    for case in &cases {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        let dest = dir.path().join(format!("{name}.html"));
        std::fs::copy(case.join("page.html"), &dest).unwrap();
        inputs.push(dest.to_string_lossy().into_owned());
    }
    let empty = dir.path().join("empty.html");
    std::fs::write(&empty, b"").unwrap();
    inputs.push(empty.to_string_lossy().into_owned());
    assert!(inputs.len() > 40);
    let run = |jobs: &str, out: &std::path::Path| {
        let mut args: Vec<&str> = vec!["extract", "--format", "text", "--jobs", jobs, "--out"];
        args.push(out.to_str().unwrap());
        args.extend(inputs.iter().map(String::as_str));
        quire(&args, b"")
    };
    let one = dir.path().join("one");
    let four = dir.path().join("four");
    let (code1, _, err1) = run("1", &one);
    let (code4, _, err4) = run("4", &four);
    assert_eq!((code1, code4), (1, 1), "{err1}\n{err4}");
    assert!(
        err4.contains("empty.html") && err4.lines().count() == 1,
        "{err4}"
    );
    let mut written = 0;
    for case in &cases {
        let name = format!("{}.html.txt", case.file_name().unwrap().to_string_lossy());
        let a = std::fs::read(one.join(&name)).unwrap();
        let b = std::fs::read(four.join(&name)).unwrap();
        assert_eq!(a, b, "{name}");
        written += 1;
    }
    assert_eq!(written, cases.len());
    assert!(!four.join("empty.html.txt").exists());
    let (code, _, err) = quire(
        &[
            "extract",
            "--jobs",
            "0",
            "--out",
            four.to_str().unwrap(),
            &inputs[0],
        ],
        b"",
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--jobs"), "{err}");
}

#[test]
fn unknown_profile_is_a_usage_error() {
    let (code, _, err) = quire(&["extract", "-", "--profile", "nosuch"], b"<p>x</p>");
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("unknown profile"), "{err}");
}

#[test]
fn a_page_that_is_one_huge_blockquote_extracts_in_linear_time() {
    // 200,000 quoted paragraphs: a per-paragraph scan of the quote would be quadratic
    // (4e10 steps) and never finish; the test harness would time out.
    let mut html = String::from("<p><b><font size=4>Quote</font></b></p><p>By Q. Writer<br>web posted May 2001</p><blockquote>");
    for i in 0..200_000 {
        html.push_str(&format!(
            "<p>Quoted paragraph number {i} goes on for a while.</p>"
        ));
    }
    html.push_str("</blockquote>");
    let (code, out, err) = quire(
        &["extract", "-", "--url", URL, "--format", "text"],
        html.as_bytes(),
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("Quoted paragraph number 199999 goes on for a while."));
}

/// Runs `quire extract --format text` on `html` and returns stdout; fails the test on
/// a non-zero exit.
fn extract_text(html: &str) -> String {
    let (code, out, err) = quire(
        &["extract", "-", "--url", URL, "--format", "text"],
        html.as_bytes(),
    );
    assert_eq!(code, 0, "{err}");
    out
}

#[test]
fn one_huge_segment_of_bylines_signatures_and_dates_is_linear() {
    // A single paragraph of 200,000 <br>-separated lines, each of them a byline, a
    // signature or a dateline: every per-line scan (byline, dateline, signature, book
    // data) must stay one pass over the lines.
    let mut html = String::from("<h2>Lines</h2><p>");
    for i in 0..200_000 {
        match i % 4 {
            0 => html.push_str("By Ann Author<br>"),
            1 => html.push_str("- Gord Gekko<br>"),
            2 => html.push_str("web posted March 8, 1999<br>"),
            _ => html.push_str(&format!("(March 6, 2000) line {i}, HC, 320 pgs.<br>")),
        }
    }
    html.push_str("The end of it all. ESR</p>");
    let out = extract_text(&html);
    assert!(
        out.contains("The end of it all."),
        "{}",
        &out[..out.len().min(300)]
    );
}

#[test]
fn a_million_line_breaks_in_the_head_are_linear() {
    let html = format!(
        "<p><b>{}Enter Stage Gabbing</b></p><h2>Title</h2><p>By A. Writer{}web posted May 2001</p>\
         <p>Some body text that is long enough to be a paragraph of the article. ESR</p>",
        "<br>".repeat(500_000),
        "<br>".repeat(500_000)
    );
    let out = extract_text(&html);
    assert!(out.contains("Some body text"), "{out}");
}

#[test]
fn a_hundred_thousand_row_table_of_related_links_and_notes_is_linear() {
    // A related-articles table of 100,000 rows floated before the end mark, then
    // 100,000 italic notes after it: the related-box skip and the bio search are each
    // one bounded walk.
    let mut html = String::from(
        "<h2>Table</h2><p>By A. Writer<br>web posted May 2001</p>\
         <p>The first paragraph of the article, long enough to be body text here.</p>\
         <table><tr><td><b>Other related articles</b></td></tr>",
    );
    for i in 0..100_000 {
        html.push_str(&format!(
            "<tr><td><a href='a{i}.htm'>Related {i}</a> teaser</td></tr>"
        ));
    }
    html.push_str("</table><p>The last paragraph of the article. ESR</p>");
    for i in 0..100_000 {
        html.push_str(&format!("<p><i>Note {i} is a note.</i></p>"));
    }
    let out = extract_text(&html);
    assert!(
        out.contains("The last paragraph of the article."),
        "{}",
        &out[..out.len().min(300)]
    );
    assert!(!out.contains("Related 5"), "{}", &out[..out.len().min(300)]);
}

#[test]
fn a_hundred_thousand_kicker_and_book_data_paragraphs_are_linear() {
    let mut html = String::from("<p>Book Review</p><h2>Books</h2><p>By A. Writer</p>");
    for i in 0..100_000 {
        html.push_str(&format!(
            "<p>Book Review</p><p>By Some Author {i}</p><p>ISBN 0-00-000000-{i}, 320 pgs.</p>"
        ));
    }
    html.push_str("<p>Closing words of the review. ESR</p>");
    let out = extract_text(&html);
    assert!(
        out.contains("Closing words of the review."),
        "{}",
        &out[..out.len().min(300)]
    );
}

#[test]
fn a_profile_with_a_bad_rule_is_a_usage_error_naming_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.toml");
    std::fs::write(&path, "name = \"bad\"\n[rules]\nkicker = ['^(unclosed$']\n").unwrap();
    let (code, _, err) = quire(
        &[
            "extract",
            "-",
            "--url",
            URL,
            "--profile",
            path.to_str().unwrap(),
        ],
        b"<p>x</p>",
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("rules.kicker"), "{err}");
}
