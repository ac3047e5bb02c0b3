//! Layout invariance of the ESR profile (issue 13, item 2).
//!
//! For every ESR article fixture (`tests/fixtures/extract/esr-*/`, `kind = "article"`,
//! found at run time), generate variants of `page.html` that change only chrome —
//! navigation moved, duplicated or added; the article or the page wrapped in tables,
//! `<font>`, `<center>`, `<div>`; "Other related articles" boxes around the end mark;
//! the author note before the end mark or after a rule; trail-free breadcrumbs added
//! or removed; footer, sign-up and banner-exchange lines duplicated, moved or added;
//! comments and SSI leftovers; whitespace between blocks; tag and attribute case,
//! attribute order and quoting; UTF-8 vs Windows-1252 with honest, missing or lying
//! declarations — and assert that the Article's `content_sha256` does not change.
//!
//! The generator (`tests/esr_invariance/variants.rs`) knows nothing of a fixture's
//! text: it works on the DOM and on ESR's conventions only.
//!
//! A failing variant is reported with its seed, its transformations, the
//! transformation(s) that change the article when applied alone, and every field that
//! changed (old → new). Known profile weaknesses are listed in [`KNOWN_WEAKNESSES`]:
//! a failing variant is excused only when its listed transformations account for it
//! (every changed field is one the entry names, and the same variant without them keeps
//! the digest). An entry that no longer fails makes the test fail too, so the list
//! only shrinks.
//!
//! Environment:
//! - `QUIRE_ESR_VARIANTS=N` variants per fixture (default 20);
//! - `QUIRE_ESR_SEED=S` base seed (default below; each variant's seed is derived from
//!   it, the fixture name and the variant number);
//! - `QUIRE_ESR_ONLY=name[:index]` one fixture (substring match), or one variant.
//!
//! Failing variants are written to `$CARGO_TARGET_TMPDIR/esr-invariance/`.

#[path = "esr_invariance/cases.rs"]
mod cases;
#[path = "esr_invariance/serialize.rs"]
mod serialize;
#[path = "esr_invariance/variants.rs"]
mod variants;

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use quire::extract::ExtractConfig;
use quire::model::{Article, Content};
use variants::{Source, Step};

/// A known profile weakness: on these fixtures (`"*"`: on every fixture where the
/// transformation applies) the transformations whose labels match `step` (a prefix;
/// `*` matches any run of characters) change the article's `fields`. A worklist for
/// the profile, not a blessing.
struct Known {
    step: &'static str,
    fixtures: &'static [&'static str],
    fields: &'static [&'static str],
    why: &'static str,
}

/// Known profile weaknesses. The list the test was written with (the author note
/// before the end mark or behind a related-articles box, related boxes before the
/// mark, banner-exchange text above the headline, a short article in one layout
/// table, page-wide small type, a note after a rule under an image mark) was worked
/// off when the profile met the 47 fixtures of the eight other layout families; a
/// weakness found later goes here with the ESR field rule it breaks, and leaves when
/// fixed (a stale entry fails the test).
const KNOWN_WEAKNESSES: &[Known] = &[
    Known {
        step: "footer:*after-end-region",
        fixtures: &["esr-2001-03-week-of-two-bios"],
        fields: &["bio"],
        why: "rule 33 (one note per author, joined): the variant takes the first of two \
          italic notes for the whole note and sets the copyright line or the weekly-updates \
          box between the two; the profile ends the note at that chrome, so the second \
          author's note is lost (see docs/ESR.md, Limits known)",
    },
    Known {
        step: "*after-end-",
        fixtures: &[
            "esr-1997-04-two-views-two-articles",
            "esr-2008-09-footnotes-after-mark",
        ],
        fields: &["subtitle", "authors", "bio", "body"],
        why: "rules 50 and 55 (a second article, or the text's numbered notes, after \
              the first mark): the variant takes the first mark for the article's end and \
              sets a related box, a banner or a nav column right after it, between the \
              two articles or between the text and its notes; the profile then ends the \
              article at that chrome, and the first article's subhead printed over its \
              byline reads as the deck (see docs/ESR.md, Limits known)",
    },
    Known {
        step: "bio:before-end-mark",
        fixtures: &["esr-2003-10-byline-after-body"],
        fields: &["authors", "bio", "body"],
        why: "rule 56 (a byline after the text): the variant moves the plain-worded \
              italic note between the closing byline and the mark; the byline is then \
              not the text's last line and the note names no known author (see \
              docs/ESR.md, Limits known)",
    },
    Known {
        step: "nav-insert:after-end-region",
        fixtures: &["esr-2006-10-dateline-at-foot"],
        fields: &["published"],
        why: "rule 61 (a dateline at the foot): a nav column inserted after the \
              article region sits between the note and the foot dateline and the date \
              is no longer read (see docs/ESR.md, Limits known)",
    },
];

const DEFAULT_SEED: u64 = 0x00E5_7A6E_2026;

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(default)
}

fn base_seed() -> u64 {
    std::env::var("QUIRE_ESR_SEED")
        .ok()
        .and_then(|v| {
            let v = v.trim();
            match v.strip_prefix("0x") {
                Some(h) => u64::from_str_radix(h, 16).ok(),
                None => v.parse().ok(),
            }
        })
        .unwrap_or(DEFAULT_SEED)
}

/// FNV-1a over the fixture name and the variant number, started from the base seed.
fn variant_seed(base: u64, fixture: &str, index: usize) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ base;
    for b in fixture.bytes().chain((index as u64).to_le_bytes()) {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

fn short(s: &str) -> String {
    let s = s.replace('\n', "⏎");
    if s.chars().count() > 150 {
        format!("{}…", s.chars().take(150).collect::<String>())
    } else {
        s
    }
}

type Diffs = Vec<(String, String, String)>;

/// Every content field that differs: (field, old, new). The body is shown at its first
/// differing block.
fn field_diffs(a: &Content, b: &Content) -> Diffs {
    let mut out = Vec::new();
    macro_rules! field {
        ($f:ident) => {
            if a.$f != b.$f {
                out.push((
                    stringify!($f).to_string(),
                    short(&format!("{:?}", a.$f)),
                    short(&format!("{:?}", b.$f)),
                ));
            }
        };
    }
    field!(url);
    field!(canonical_url);
    field!(site);
    field!(section);
    field!(page_type);
    field!(kicker);
    field!(title);
    field!(subtitle);
    field!(authors);
    field!(published);
    field!(bio);
    field!(original_publication);
    field!(language);
    if a.body != b.body {
        let i = a
            .body
            .iter()
            .zip(&b.body)
            .position(|(x, y)| x != y)
            .unwrap_or(a.body.len().min(b.body.len()));
        let show = |v: &[quire::model::Block]| {
            v.get(i)
                .map(|x| short(&format!("{x:?}")))
                .unwrap_or_else(|| "(none)".into())
        };
        out.push((
            format!("body[{i}] ({} → {} blocks)", a.body.len(), b.body.len()),
            show(&a.body),
            show(&b.body),
        ));
    } else {
        field!(word_count);
    }
    out
}

/// "body[3] (5 → 6 blocks)" → "body".
fn field_name(f: &str) -> &str {
    f.split(['[', ' ']).next().unwrap_or(f)
}

/// `pattern` matches the start of `label`; `*` in it matches any run of characters.
fn step_matches(pattern: &str, label: &str) -> bool {
    let mut parts = pattern.split('*');
    let first = parts.next().unwrap_or("");
    let Some(mut rest) = label.strip_prefix(first) else {
        return false;
    };
    for part in parts {
        match rest.find(part) {
            Some(i) => rest = &rest[i + part.len()..],
            None => return false,
        }
    }
    true
}

fn known_for(fixture: &str, label: &str) -> Option<usize> {
    KNOWN_WEAKNESSES.iter().position(|k| {
        step_matches(k.step, label) && k.fixtures.iter().any(|f| *f == "*" || *f == fixture)
    })
}

fn dump(fixture: &str, index: usize, bytes: &[u8]) -> String {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("esr-invariance");
    let path = dir.join(format!("{fixture}-{index}.html"));
    match std::fs::create_dir_all(&dir).and_then(|_| std::fs::write(&path, bytes)) {
        Ok(()) => path.display().to_string(),
        Err(e) => format!("(not written: {e})"),
    }
}

/// One fixture set up for variants.
struct Page<'a> {
    fx: &'a cases::Fixture,
    cfg: ExtractConfig,
    src: Source,
    base: Article,
}

impl<'a> Page<'a> {
    fn new(
        fx: &'a cases::Fixture,
        configs: &mut HashMap<Option<String>, ExtractConfig>,
    ) -> Page<'a> {
        let cfg = configs
            .entry(fx.case.profile.clone())
            .or_insert_with(|| cases::config(&fx.case).expect("profile"))
            .clone();
        let ct = fx.case.content_type.as_deref();
        let base = cases::run(&fx.case, &cfg, &fx.page, ct)
            .unwrap_or_else(|e| panic!("{}: the fixture itself fails: {e}", fx.name));
        let src = Source::new(&fx.page, ct).expect("decodable fixture");
        Page { fx, cfg, src, base }
    }

    /// What `plan` does to the article: `None` when the digest is unchanged.
    fn effect(&self, plan: &[Step]) -> (variants::Rendered, Option<Diffs>) {
        let r = variants::render(&self.src, plan);
        let d = match cases::run(
            &self.fx.case,
            &self.cfg,
            &r.bytes,
            r.content_type.as_deref(),
        ) {
            Ok(a) if a.content_sha256 == self.base.content_sha256 => None,
            Ok(a) => Some(field_diffs(&self.base.content, &a.content)),
            Err(e) => Some(vec![("error".into(), String::new(), e)]),
        };
        (r, d)
    }
}

#[derive(Default)]
struct Tally {
    fixtures: usize,
    variants: usize,
    excused: usize,
    failures: Vec<String>,
    /// Variants excused by each known entry, per fixture.
    used: Vec<HashMap<String, usize>>,
    applied: HashMap<String, usize>,
}

impl Tally {
    fn merge(&mut self, o: Tally) {
        self.fixtures += o.fixtures;
        self.variants += o.variants;
        self.excused += o.excused;
        self.failures.extend(o.failures);
        for (mine, theirs) in self.used.iter_mut().zip(o.used) {
            for (k, v) in theirs {
                *mine.entry(k).or_default() += v;
            }
        }
        for (k, v) in o.applied {
            *self.applied.entry(k).or_default() += v;
        }
    }
}

struct Settings {
    n: usize,
    base: u64,
    only_index: Option<usize>,
}

fn run_fixture(
    fx: &cases::Fixture,
    s: &Settings,
    configs: &mut HashMap<Option<String>, ExtractConfig>,
    t: &mut Tally,
) {
    t.fixtures += 1;
    let page = Page::new(fx, configs);
    for i in 0..s.n {
        if s.only_index.is_some_and(|o| o != i) {
            continue;
        }
        let seed = variant_seed(s.base, &fx.name, i);
        let plan = variants::plan(&page.src, i, seed);
        let (r, diffs) = page.effect(&plan);
        t.variants += 1;
        for l in &r.applied {
            let family = l.split(':').next().unwrap_or(l).to_string();
            *t.applied.entry(family).or_default() += 1;
        }
        let Some(diffs) = diffs else { continue };

        // Excused when the plan's known steps account for it: the changed fields are
        // theirs, and the plan without them keeps the digest.
        let known: Vec<(usize, usize)> = plan
            .iter()
            .enumerate()
            .filter_map(|(j, st)| known_for(&fx.name, &st.label()).map(|k| (j, k)))
            .collect();
        if !known.is_empty() {
            let fields_ok = diffs.iter().all(|(f, _, _)| {
                known
                    .iter()
                    .any(|(_, k)| KNOWN_WEAKNESSES[*k].fields.contains(&field_name(f)))
            });
            let rest: Vec<Step> = plan
                .iter()
                .enumerate()
                .filter(|(j, _)| !known.iter().any(|(kj, _)| kj == j))
                .map(|(_, st)| st.clone())
                .collect();
            if fields_ok && page.effect(&rest).1.is_none() {
                t.excused += 1;
                for (_, k) in known {
                    *t.used[k].entry(fx.name.clone()).or_default() += 1;
                }
                continue;
            }
        }

        let mut msg = String::new();
        let _ = writeln!(
            msg,
            "--- {} variant {i} (seed {seed:#x}; rerun: QUIRE_ESR_ONLY={}:{i} QUIRE_ESR_SEED={:#x})",
            fx.name, fx.name, s.base
        );
        let _ = writeln!(msg, "  page: {}", variants::describe_landmarks(&page.src));
        let _ = writeln!(msg, "  transformations: {}", r.applied.join(", "));
        if !r.skipped.is_empty() {
            let _ = writeln!(msg, "  not applicable: {}", r.skipped.join(", "));
        }
        for (f, old, new) in &diffs {
            let _ = writeln!(msg, "  {f}: {old} → {new}");
        }
        let mut any = false;
        for st in &plan {
            if let (_, Some(d)) = page.effect(std::slice::from_ref(st)) {
                any = true;
                let known = if known_for(&fx.name, &st.label()).is_some() {
                    " [known]"
                } else {
                    ""
                };
                let _ = writeln!(msg, "  alone, {}{known} changes:", st.label());
                for (f, old, new) in d {
                    let _ = writeln!(msg, "    {f}: {old} → {new}");
                }
            }
        }
        if !any {
            let _ = writeln!(msg, "  no transformation changes it alone: an interaction");
        }
        let _ = writeln!(msg, "  variant written to {}", dump(&fx.name, i, &r.bytes));
        t.failures.push(msg);
    }
}

/// Known entries this run did not meet must still fail when replayed alone.
fn stale_entries(all: &[cases::Fixture], t: &Tally, base: u64) -> Vec<String> {
    let mut stale = Vec::new();
    let mut configs = HashMap::new();
    for (k, used) in KNOWN_WEAKNESSES.iter().zip(&t.used) {
        let named: Vec<&str> = k.fixtures.iter().copied().filter(|f| *f != "*").collect();
        for f in &named {
            if !all.iter().any(|x| x.name == *f) {
                stale.push(format!("{} / {f}: no such fixture", k.step));
            }
        }
        let wanted: Vec<&cases::Fixture> = all
            .iter()
            .filter(|x| named.contains(&x.name.as_str()) && !used.contains_key(&x.name))
            .collect();
        let wildcard_unused = k.fixtures.contains(&"*") && used.is_empty();
        let mut todo = wanted;
        if wildcard_unused {
            todo.extend(all.iter());
        }
        let mut wildcard_hit = false;
        for fx in todo {
            let page = Page::new(fx, &mut configs);
            let mut seen = false;
            let mut still = false;
            'search: for i in 0..300 {
                let plan = variants::plan(&page.src, i, variant_seed(base, &fx.name, i));
                for st in plan.iter().filter(|st| step_matches(k.step, &st.label())) {
                    seen = true;
                    if let (_, Some(d)) = page.effect(std::slice::from_ref(st)) {
                        if d.iter().all(|(f, _, _)| k.fields.contains(&field_name(f))) {
                            still = true;
                            break 'search;
                        }
                    }
                }
            }
            if named.contains(&fx.name.as_str()) && !still {
                stale.push(format!(
                    "{} / {}: {}",
                    k.step,
                    fx.name,
                    if seen {
                        "no longer changes the article (or changes other fields): update KNOWN_WEAKNESSES"
                    } else {
                        "never generated for this fixture"
                    }
                ));
            }
            if still {
                wildcard_hit = true;
                if !named.contains(&fx.name.as_str()) {
                    break;
                }
            }
        }
        if wildcard_unused && !wildcard_hit {
            stale.push(format!("{} / *: fails on no fixture any more", k.step));
        }
    }
    stale
}

#[test]
fn content_digest_is_invariant_under_chrome_changes() {
    let started = Instant::now();
    let only = std::env::var("QUIRE_ESR_ONLY").ok();
    let (only_name, only_index) = match only.as_deref().map(|o| o.split_once(':')) {
        Some(Some((f, i))) => (Some(f.to_string()), i.parse::<usize>().ok()),
        Some(None) => (only.clone(), None),
        None => (None, None),
    };
    let settings = Settings {
        n: env_usize("QUIRE_ESR_VARIANTS", 20),
        base: base_seed(),
        only_index,
    };
    let all = cases::esr_articles().expect("ESR fixtures");
    // The tree has more than 20; another directory may hold just a few.
    let at_least = if std::env::var_os("QUIRE_FIXTURES_DIR").is_some() {
        1
    } else {
        20
    };
    assert!(
        all.len() >= at_least,
        "only {} ESR article fixtures found",
        all.len()
    );
    let chosen: Vec<&cases::Fixture> = all
        .iter()
        .filter(|fx| only_name.as_deref().is_none_or(|o| fx.name.contains(o)))
        .collect();
    assert!(!chosen.is_empty(), "QUIRE_ESR_ONLY matches no fixture");

    // Fixtures are shared out to worker threads (the machine has 2 cores).
    let threads = env_usize(
        "QUIRE_ESR_THREADS",
        std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .min(2),
    )
    .max(1);
    let next = AtomicUsize::new(0);
    let mut tally = Tally {
        used: vec![HashMap::new(); KNOWN_WEAKNESSES.len()],
        ..Default::default()
    };
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut t = Tally {
                        used: vec![HashMap::new(); KNOWN_WEAKNESSES.len()],
                        ..Default::default()
                    };
                    let mut configs = HashMap::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(fx) = chosen.get(i) else { break };
                        run_fixture(fx, &settings, &mut configs, &mut t);
                    }
                    t
                })
            })
            .collect();
        for w in workers {
            tally.merge(w.join().expect("worker"));
        }
    });
    tally.failures.sort();

    // The list is about the fixtures of this tree: checked on full runs over them.
    let stale = if only_name.is_none() && std::env::var_os("QUIRE_FIXTURES_DIR").is_none() {
        stale_entries(&all, &tally, settings.base)
    } else {
        Vec::new()
    };

    let mut families: Vec<_> = tally.applied.iter().collect();
    families.sort();
    println!(
        "esr invariance: {} fixtures × {} variants = {} variants in {:.1?} on {threads} threads; \
         {} failing, {} excused by known weaknesses",
        tally.fixtures,
        settings.n,
        tally.variants,
        started.elapsed(),
        tally.failures.len(),
        tally.excused,
    );
    println!(
        "transformations applied: {}",
        families
            .iter()
            .map(|(f, c)| format!("{f} {c}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    for (k, used) in KNOWN_WEAKNESSES.iter().zip(&tally.used) {
        let mut per: Vec<_> = used.iter().collect();
        per.sort();
        println!(
            "known: {} ({}) excused {} variants on {} fixtures: {}",
            k.step,
            k.why,
            used.values().sum::<usize>(),
            used.len(),
            per.iter()
                .map(|(f, n)| format!("{f} {n}"))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    assert!(
        tally.failures.is_empty() && stale.is_empty(),
        "{} of {} variants change the article{}\n{}",
        tally.failures.len(),
        tally.variants,
        if stale.is_empty() {
            String::new()
        } else {
            format!(
                "; stale KNOWN_WEAKNESSES entries:\n  {}",
                stale.join("\n  ")
            )
        },
        tally.failures.join("\n")
    );
}

/// Every transformation of the catalogue alone on every fixture, printed as a matrix
/// of what changes (the worklist behind [`KNOWN_WEAKNESSES`]). Slow in a debug build:
/// `cargo test --release --test esr_invariance every_transformation_alone -- --ignored --nocapture`.
#[test]
#[ignore = "diagnostic matrix; run on demand"]
fn every_transformation_alone() {
    let all = cases::esr_articles().expect("ESR fixtures");
    let catalogue = variants::catalogue();
    let mut configs = HashMap::new();
    // label → fixture → changed fields
    let mut broken: std::collections::BTreeMap<String, Vec<(String, String)>> = Default::default();
    let mut runs = 0;
    for fx in &all {
        let page = Page::new(fx, &mut configs);
        for st in &catalogue {
            let (r, d) = page.effect(std::slice::from_ref(st));
            if r.applied.is_empty() {
                continue;
            }
            runs += 1;
            if let Some(d) = d {
                let fields: Vec<String> = d
                    .iter()
                    .map(|(f, o, n)| format!("{}: {o} → {n}", field_name(f)))
                    .collect();
                broken
                    .entry(st.label())
                    .or_default()
                    .push((fx.name.clone(), fields.join("; ")));
            }
        }
    }
    println!(
        "{runs} single-transformation runs over {} fixtures",
        all.len()
    );
    for (label, fxs) in &broken {
        let known = fxs
            .iter()
            .filter(|(f, _)| known_for(f, label).is_some())
            .count();
        println!("{label}: {} fixtures ({known} known)", fxs.len());
        for (f, d) in fxs {
            println!("    {f}: {d}");
        }
    }
}

#[test]
fn step_patterns() {
    assert!(step_matches("bio:before-end-mark", "bio:before-end-mark"));
    assert!(step_matches(
        "related-box:after",
        "related-box:after-end-mark:list"
    ));
    assert!(step_matches(
        "wrap-*font-size",
        "wrap-page:div+font-size+center"
    ));
    assert!(step_matches("wrap-page:*table", "wrap-page:table"));
    assert!(step_matches("wrap-page:*table", "wrap-page:font+table+div"));
    assert!(!step_matches("wrap-page:*table", "wrap-article:table"));
    assert!(!step_matches("wrap-*font-size", "wrap-page:font+center"));
    assert!(!step_matches("bio:after-rule", "bio:before-end-mark"));
}
