//! Benchmark of the generic extractor on the public development set
//! (`/work/shared/data/extract-dev`: 990 real pages with must/must-not snippets).
//!
//! Extracts every page in-process on one thread with `pipeline::process` and the
//! generic extractor, timing only decode + parse + extraction (not gunzip, not file
//! I/O), writes per page `<id>.txt` (the body as `quire extract --format text` prints
//! it, which is what gets scored) and `json/<id>.json` (body blocks and metadata, for
//! reading), prints pages/s and MB/s, then runs the set's `score.py` and prints P/R/F.
//!
//! Usage: `cargo bench --bench extract_dev [-- [DATA_DIR] [--out DIR] [--verbose]]`.
//! `--limit N` processes only the first N pages; `--pipeline-only` skips the reference
//! measurements (decode + parse alone, extractor alone) so that an instruction count
//! (`valgrind --tool=callgrind`) sees `pipeline::process` and the bench's own I/O only.
//! DATA_DIR defaults to `../shared/data/extract-dev` relative to the crate root.
//! With `--out DIR` the outputs are kept in DIR (for `score.py --verbose`).
//! Touches nothing outside its output directory.

use std::io::Read;
use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use quire::extract::{ExtractConfig, ProfileChoice};
use quire::pipeline::{self, PageInput};

fn main() {
    if let Err(e) = run() {
        eprintln!("extract_dev: {e}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let mut data = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/data/extract-dev");
    let mut out_dir: Option<PathBuf> = None;
    let mut verbose = false;
    let mut only: Option<String> = None;
    let mut diagnose = false;
    let mut diag = [0usize; 4];
    let mut limit = usize::MAX;
    let mut pipeline_only = false;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--bench" => {}
            "--out" => out_dir = args.next().map(PathBuf::from),
            "--verbose" => verbose = true,
            "--only" => only = args.next(),
            "--diagnose" => diagnose = true,
            "--limit" => {
                limit = args
                    .next()
                    .and_then(|n| n.parse().ok())
                    .ok_or("--limit needs a number")?
            }
            "--pipeline-only" => pipeline_only = true,
            s if s.starts_with("--") => return Err(format!("unknown option {s}").into()),
            s => data = PathBuf::from(s),
        }
    }
    let cases_path = data.join("cases.jsonl");
    let cases = std::fs::read_to_string(&cases_path)
        .map_err(|e| format!("cannot read {}: {e}", cases_path.display()))?;
    let tmp = tempfile::tempdir()?;
    let out = match &out_dir {
        Some(d) => {
            std::fs::create_dir_all(d)?;
            d.clone()
        }
        None => tmp.path().to_path_buf(),
    };
    std::fs::create_dir_all(out.join("json"))?;
    let cfg = ExtractConfig {
        choice: ProfileChoice::Generic,
        ..Default::default()
    };
    let mut elapsed = Duration::ZERO;
    // Reference: decode + html5ever parse alone, on the same pages in the same run.
    let mut parse_only = Duration::ZERO;
    let mut generic_only = Duration::ZERO;
    let mut slowest = (Duration::ZERO, String::new());
    let (mut pages, mut bytes, mut errors) = (0usize, 0usize, 0usize);
    for line in cases.lines().filter(|l| !l.trim().is_empty()).take(limit) {
        let case: serde_json::Value = serde_json::from_str(line)?;
        let id = case["id"].as_str().ok_or("case without id")?;
        if only.as_deref().is_some_and(|o| o != id) {
            continue;
        }
        let file = case["file"].as_str().ok_or("case without file")?;
        let url = url::Url::parse(case["url"].as_str().unwrap_or("http://invalid/"))
            .or_else(|_| url::Url::parse("http://invalid/"))?;
        let mut body = Vec::new();
        flate2::read::GzDecoder::new(std::fs::File::open(data.join(file))?)
            .read_to_end(&mut body)?;
        let input = PageInput {
            url: &url,
            body: &body,
            content_type: None,
        };
        if only.is_some() {
            let text = quire::decode::decode(&body, None)
                .map(|d| d.text)
                .unwrap_or_default();
            let doc = quire::extract::dom::parse(&text);
            println!("{:?}", quire::extract::generic::debug_choice(&doc));
            let (texts, _) = quire::extract::generic::debug_texts(&doc, &url);
            std::fs::write(out.join("debug-chosen.txt"), &texts[2])?;
            std::fs::write(out.join("debug-kept.txt"), &texts[1])?;
        }
        if diagnose {
            // Where each "with" snippet is lost: not visible at all, removed as
            // boilerplate, not chosen, or found.
            let text = quire::decode::decode(&body, None)
                .map(|d| d.text)
                .unwrap_or_default();
            let doc = quire::extract::dom::parse(&text);
            let (texts, junk_roots) = quire::extract::generic::debug_texts(&doc, &url);
            let norm = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
            let texts: Vec<String> = texts.iter().map(|t| norm(t)).collect();
            for w in case["with"].as_array().into_iter().flatten() {
                let w = norm(w.as_str().unwrap_or(""));
                let stage = texts.iter().position(|t| !t.contains(&w)).unwrap_or(3);
                diag[stage] += 1;
                if stage < 3 && verbose {
                    let culprit = if stage == 1 {
                        junk_roots
                            .iter()
                            .find(|(_, t)| norm(t).contains(&w))
                            .map_or("?", |(d, _)| d.as_str())
                    } else {
                        ""
                    };
                    println!(
                        "{id}\t{}\t{w}\t{culprit}",
                        ["invisible", "junked", "not-chosen"][stage]
                    );
                }
            }
        }
        let t = Instant::now();
        let reference = (!pipeline_only)
            .then(|| quire::decode::decode(&body, None).ok())
            .flatten();
        if let Some(d) = reference {
            let doc = quire::extract::dom::parse(&d.text);
            parse_only += t.elapsed();
            let g = Instant::now();
            std::hint::black_box(quire::extract::generic::extract_with(
                &doc,
                &url,
                &quire::extract::generic::GenericConfig::default(),
            ));
            generic_only += g.elapsed();
        }
        let t = Instant::now();
        let result = pipeline::process(&input, &cfg);
        let dt = t.elapsed();
        elapsed += dt;
        if dt > slowest.0 {
            slowest = (dt, id.to_string());
        }
        pages += 1;
        bytes += body.len();
        let (text, json) = match result {
            Ok(p) => (
                p.content.body_text(),
                serde_json::json!({ "body": p.content.body, "title": p.content.title,
                "authors": p.content.authors, "published": p.content.published,
                "page_type": p.content.page_type }),
            ),
            Err(e) => {
                errors += 1;
                eprintln!("{id}: {e}");
                continue;
            }
        };
        if only.is_some() {
            println!("{}", serde_json::to_string_pretty(&json)?);
        }
        // Scored: the body exactly as `quire extract --format text` prints it.
        std::fs::write(out.join(format!("{id}.txt")), text)?;
        std::fs::write(
            out.join("json").join(format!("{id}.json")),
            serde_json::to_vec(&json)?,
        )?;
    }
    if diagnose {
        println!(
            "with snippets: {} not visible, {} junked, {} not chosen, {} found",
            diag[0], diag[1], diag[2], diag[3]
        );
        return Ok(());
    }
    let secs = elapsed.as_secs_f64().max(1e-9);
    println!(
        "extract_dev: {pages} pages, {:.1} MB, {errors} errors, {:.3} s single thread: {:.0} pages/s, {:.1} MB/s (slowest {} in {:.1} ms)",
        bytes as f64 / 1e6,
        secs,
        pages as f64 / secs,
        bytes as f64 / 1e6 / secs,
        slowest.1,
        slowest.0.as_secs_f64() * 1e3
    );
    println!(
        "extract_dev: reference decode + parse only: {:.3} s, {:.0} pages/s; extraction adds {:.0}%",
        parse_only.as_secs_f64(),
        pages as f64 / parse_only.as_secs_f64().max(1e-9),
        (secs / parse_only.as_secs_f64().max(1e-9) - 1.0) * 100.0
    );
    println!(
        "extract_dev: generic extractor alone (parsed DOM in, Content out): {:.3} s, {:.2} ms/page",
        generic_only.as_secs_f64(),
        generic_only.as_secs_f64() * 1e3 / pages.max(1) as f64
    );
    let mut cmd = Command::new("python3");
    cmd.arg(data.join("score.py"))
        .arg("--cases")
        .arg(&cases_path)
        .arg("--outputs")
        .arg(&out);
    if verbose {
        cmd.arg("--verbose");
    }
    let scored = cmd.arg("--json").output()?;
    let stdout = String::from_utf8_lossy(&scored.stdout);
    if !scored.status.success() {
        return Err(format!(
            "score.py failed: {}",
            String::from_utf8_lossy(&scored.stderr)
        )
        .into());
    }
    print!("{stdout}");
    if let Some(summary) = stdout
        .lines()
        .rev()
        .find_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
    {
        let f = |k: &str| summary.get(k).and_then(|v| v.as_f64()).unwrap_or(f64::NAN);
        println!(
            "extract_dev: P {:.3} R {:.3} F {:.3}",
            f("precision"),
            f("recall"),
            f("f_score")
        );
    }
    Ok(())
}
