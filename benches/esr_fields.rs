//! Field exactness of the ESR profile over every ESR article fixture (issue 13, item 3).
//!
//! Runs each `tests/fixtures/extract/esr-*/` with `kind = "article"` (found at run time)
//! through `pipeline::process` exactly as `tests/extract_fixtures.rs` does, compares the
//! Article with the hand-written truth of the fixture's `case.toml` `[expect]`, and
//! prints exact-match rates over all fixtures for title, subtitle, kicker, authors,
//! date (date and precision), date source (only fixtures whose case.toml gives
//! `published_source`), bio and original_publication, the body's token F1 against the
//! fixture's hand-written `body.txt` (lowercased `\w+` word bags; fixtures without
//! `body.txt` are skipped for F1 and counted), then one line per fixture naming its
//! mismatched fields.
//!
//! Truth follows `tests/extract_fixtures.rs`: an absent `title`, `subtitle`, `kicker`,
//! `published`, `bio` or `original_publication` means null, absent `authors` means
//! none. The expected precision is the form of `published` ("1998-09" is a month).
//!
//! Usage: `cargo bench --bench esr_fields [-- [--json] [--verbose] [--only NAME]]`.
//! `--json` prints one JSON document instead of the table; `--verbose` adds want/got
//! under each mismatching fixture; `--only` keeps the fixtures whose name contains NAME.

#[path = "../tests/esr_invariance/cases.rs"]
mod cases;

use std::collections::{BTreeMap, HashMap};

use quire::model::{Article, DatePrecision, PublishedDate};
use serde_json::json;

/// The fields scored, in report order.
const FIELDS: &[&str] = &[
    "title",
    "subtitle",
    "kicker",
    "authors",
    "date",
    "date_source",
    "bio",
    "original_publication",
];

/// One compared field of one fixture: `None` when the fixture gives no truth for it.
type Check = Option<(bool, String, String)>;

fn precision_of(date: &str) -> Option<DatePrecision> {
    match date.split('-').count() {
        1 => Some(DatePrecision::Year),
        2 => Some(DatePrecision::Month),
        3 => Some(DatePrecision::Day),
        _ => None,
    }
}

fn precision_name(p: Option<DatePrecision>) -> &'static str {
    match p {
        Some(DatePrecision::Day) => "day",
        Some(DatePrecision::Month) => "month",
        Some(DatePrecision::Year) => "year",
        None => "?",
    }
}

fn show_date(p: Option<&PublishedDate>) -> String {
    match p {
        None => "null".into(),
        Some(p) => format!("{} ({})", p.date, precision_name(Some(p.precision))),
    }
}

fn cmp<T: PartialEq + std::fmt::Debug>(want: T, got: T) -> Check {
    Some((want == got, format!("{want:?}"), format!("{got:?}")))
}

fn checks(case: &cases::Case, a: &Article) -> BTreeMap<&'static str, Check> {
    let e = &case.expect;
    let c = &a.content;
    let mut m = BTreeMap::new();
    m.insert("title", cmp(e.title.as_deref(), c.title.as_deref()));
    m.insert(
        "subtitle",
        cmp(e.subtitle.as_deref(), c.subtitle.as_deref()),
    );
    m.insert("kicker", cmp(e.kicker.as_deref(), c.kicker.as_deref()));
    m.insert(
        "authors",
        cmp(e.authors.clone().unwrap_or_default(), c.authors.clone()),
    );
    let want_date = e
        .published
        .as_deref()
        .map(|d| (d.to_string(), precision_of(d)));
    let got_date = c
        .published
        .as_ref()
        .map(|p| (p.date.clone(), Some(p.precision)));
    m.insert(
        "date",
        Some((
            want_date == got_date,
            match &e.published {
                Some(d) => format!("{d} ({})", precision_name(precision_of(d))),
                None => "null".into(),
            },
            show_date(c.published.as_ref()),
        )),
    );
    m.insert(
        "date_source",
        e.published_source.as_ref().and_then(|want| {
            let got = c
                .published
                .as_ref()
                .and_then(|p| p.source)
                .and_then(|s| serde_json::to_value(s).ok())
                .and_then(|v| v.as_str().map(str::to_string));
            cmp(Some(want.clone()), got)
        }),
    );
    m.insert("bio", cmp(e.bio.as_deref(), c.bio.as_deref()));
    m.insert(
        "original_publication",
        cmp(
            e.original_publication.as_deref(),
            c.original_publication.as_deref(),
        ),
    );
    m
}

fn bag(text: &str, word: &regex::Regex) -> HashMap<String, usize> {
    let mut m = HashMap::new();
    for w in word.find_iter(text) {
        *m.entry(w.as_str().to_lowercase()).or_default() += 1;
    }
    m
}

/// Token F1 of `got` against `want` (bags of words): (f1, overlap, |got|, |want|).
fn token_f1(
    want: &HashMap<String, usize>,
    got: &HashMap<String, usize>,
) -> (f64, usize, usize, usize) {
    let overlap: usize = got
        .iter()
        .map(|(w, n)| (*n).min(want.get(w).copied().unwrap_or(0)))
        .sum();
    let (g, t): (usize, usize) = (got.values().sum(), want.values().sum());
    let f1 = if g + t == 0 {
        1.0
    } else {
        2.0 * overlap as f64 / (g + t) as f64
    };
    (f1, overlap, g, t)
}

struct Row {
    name: String,
    checks: BTreeMap<&'static str, Check>,
    f1: Option<f64>,
    error: Option<String>,
}

fn main() {
    let mut as_json = false;
    let mut verbose = false;
    let mut only: Option<String> = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--json" => as_json = true,
            "--verbose" => verbose = true,
            "--only" => only = args.next(),
            "--bench" => {}
            s if s.starts_with("--") => {
                eprintln!("esr_fields: unknown option {s}");
                std::process::exit(2);
            }
            _ => {}
        }
    }
    let fixtures = match cases::esr_articles() {
        Ok(f) => f,
        Err(e) => {
            eprintln!("esr_fields: {e}");
            std::process::exit(2);
        }
    };
    let word = regex::Regex::new(r"\w+").expect("regex");
    let mut configs: HashMap<Option<String>, quire::extract::ExtractConfig> = HashMap::new();
    let mut rows = Vec::new();
    // Micro F1 over all scored fixtures.
    let (mut overlap, mut got_n, mut want_n) = (0usize, 0usize, 0usize);
    for fx in fixtures
        .iter()
        .filter(|f| only.as_deref().is_none_or(|o| f.name.contains(o)))
    {
        let cfg = match configs.get(&fx.case.profile) {
            Some(c) => c.clone(),
            None => match cases::config(&fx.case) {
                Ok(c) => {
                    configs.insert(fx.case.profile.clone(), c.clone());
                    c
                }
                Err(e) => {
                    rows.push(Row {
                        name: fx.name.clone(),
                        checks: BTreeMap::new(),
                        f1: None,
                        error: Some(e),
                    });
                    continue;
                }
            },
        };
        let article = match cases::run(&fx.case, &cfg, &fx.page, fx.case.content_type.as_deref()) {
            Ok(a) => a,
            Err(e) => {
                rows.push(Row {
                    name: fx.name.clone(),
                    checks: BTreeMap::new(),
                    f1: None,
                    error: Some(e),
                });
                continue;
            }
        };
        let f1 = std::fs::read_to_string(fx.dir.join("body.txt"))
            .ok()
            .map(|want| {
                let (f, o, g, t) = token_f1(
                    &bag(&want, &word),
                    &bag(&article.content.body_text(), &word),
                );
                overlap += o;
                got_n += g;
                want_n += t;
                f
            });
        rows.push(Row {
            name: fx.name.clone(),
            checks: checks(&fx.case, &article),
            f1,
            error: None,
        });
    }

    let scored: Vec<&Row> = rows.iter().filter(|r| r.error.is_none()).collect();
    let rate = |field: &str| -> (usize, usize) {
        let mut exact = 0;
        let mut total = 0;
        for r in &scored {
            if let Some(Some((ok, _, _))) = r.checks.get(field) {
                total += 1;
                exact += usize::from(*ok);
            }
        }
        (exact, total)
    };
    let f1s: Vec<f64> = scored.iter().filter_map(|r| r.f1).collect();
    let skipped_f1 = scored.len() - f1s.len();
    let mean_f1 = (!f1s.is_empty()).then(|| f1s.iter().sum::<f64>() / f1s.len() as f64);
    let micro_f1 = (got_n + want_n > 0).then(|| 2.0 * overlap as f64 / (got_n + want_n) as f64);
    let mismatched = |r: &Row| -> Vec<&'static str> {
        FIELDS
            .iter()
            .copied()
            .filter(|f| matches!(r.checks.get(f), Some(Some((false, _, _)))))
            .collect()
    };

    if as_json {
        let fields: serde_json::Map<String, serde_json::Value> = FIELDS
            .iter()
            .map(|f| {
                let (exact, total) = rate(f);
                (
                    f.to_string(),
                    json!({
                        "exact": exact,
                        "total": total,
                        "rate": (total > 0).then(|| exact as f64 / total as f64),
                    }),
                )
            })
            .collect();
        let per: Vec<serde_json::Value> = rows
            .iter()
            .map(|r| {
                let details: serde_json::Map<String, serde_json::Value> = r
                    .checks
                    .iter()
                    .filter_map(|(f, c)| match c {
                        Some((false, want, got)) => {
                            Some((f.to_string(), json!({"want": want, "got": got})))
                        }
                        _ => None,
                    })
                    .collect();
                json!({
                    "fixture": r.name,
                    "error": r.error,
                    "mismatched": mismatched(r),
                    "details": details,
                    "body_f1": r.f1,
                })
            })
            .collect();
        let doc = json!({
            "fixtures": rows.len(),
            "errors": rows.len() - scored.len(),
            "fields": fields,
            "body_f1": {
                "mean": mean_f1,
                "micro": micro_f1,
                "scored": f1s.len(),
                "skipped_no_body_txt": skipped_f1,
            },
            "per_fixture": per,
        });
        println!(
            "{}",
            serde_json::to_string_pretty(&doc)
                .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
        );
        return;
    }

    println!(
        "ESR field exactness over {} article fixtures ({} could not be run)",
        rows.len(),
        rows.len() - scored.len()
    );
    println!("{:<22} {:>9} {:>8}", "field", "exact", "rate");
    for f in FIELDS {
        let (exact, total) = rate(f);
        let label = match *f {
            "date" => "date (+ precision)",
            "date_source" => "date source",
            f => f,
        };
        let pct = if total == 0 {
            "-".to_string()
        } else {
            format!("{:.1}%", 100.0 * exact as f64 / total as f64)
        };
        println!("{label:<22} {:>9} {pct:>8}", format!("{exact}/{total}"));
    }
    match (mean_f1, micro_f1) {
        (Some(mean), Some(micro)) => println!(
            "{:<22} mean {mean:.4}, micro {micro:.4} over {} fixtures with body.txt ({skipped_f1} skipped: no body.txt)",
            "body token F1",
            f1s.len()
        ),
        _ => println!(
            "{:<22} no fixture has a body.txt ({skipped_f1} skipped)",
            "body token F1"
        ),
    }
    println!();
    for r in &rows {
        if let Some(e) = &r.error {
            println!("{}: ERROR {e}", r.name);
            continue;
        }
        let mut bad: Vec<String> = mismatched(r).iter().map(|s| s.to_string()).collect();
        if let Some(f) = r.f1.filter(|f| *f < 1.0) {
            bad.push(format!("body F1 {f:.4}"));
        }
        if bad.is_empty() {
            println!("{}: all exact", r.name);
            continue;
        }
        println!("{}: {}", r.name, bad.join(", "));
        if verbose {
            for f in mismatched(r) {
                if let Some(Some((_, want, got))) = r.checks.get(f) {
                    println!(
                        "    {f}: want {want}\n    {:>width$}  got {got}",
                        "",
                        width = f.len()
                    );
                }
            }
        }
    }
}
