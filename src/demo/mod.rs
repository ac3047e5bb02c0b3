//! `quire demo`: the whole mission on one machine with no network. A bundled ESR-style
//! sample site ([`site`], two versions) is served on 127.0.0.1 by an in-process server
//! ([`server`]); it is crawled into a store with the ESR profile and no delay, the
//! server switches to version 2 (articles edited, added and removed; all chrome
//! changed), it is crawled again, and the run summaries, the changes and one diff are
//! printed.
//!
//! Owns the demo's orchestration and output. Uses the crawler, the store and `diff`
//! through their public APIs; listens only on loopback; prints only to the writer it is
//! given; never reads the environment.

pub mod server;
pub mod site;

use std::io::Write;
use std::path::PathBuf;

use crate::crawl::{CrawlConfig, CrawlError, Summary};
use crate::diff::changes::{compare_runs, RunComparison};
use crate::diff::render::{render, RenderOptions};
use crate::diff::BlockOp;
use crate::extract::{ExtractConfig, ProfileChoice, ProfileSet};
use crate::model::{Article, PageType};
use crate::store::{RunId, Store, StoreError};

/// Options of a demo run.
#[derive(Debug, Clone, Default)]
pub struct DemoOptions {
    /// Store root; `None` uses a temporary directory removed afterwards.
    pub store: Option<PathBuf>,
    /// Colour the diff (only when printing to a terminal).
    pub color: bool,
}

/// What the demo did.
#[derive(Debug, Clone)]
pub struct DemoReport {
    /// Summaries of the two crawls.
    pub runs: Vec<Summary>,
    /// `changes` between them.
    pub comparison: RunComparison,
    /// The URL whose diff was printed, if any article changed.
    pub diffed: Option<String>,
}

/// Why the demo failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DemoError {
    /// Output, temp dir or socket error.
    #[error("demo: {0}")]
    Io(#[from] std::io::Error),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A crawl failed.
    #[error(transparent)]
    Crawl(#[from] CrawlError),
    /// The built-in ESR profile is missing (a build problem).
    #[error("the built-in ESR profile is unavailable: {0}")]
    Profile(String),
    /// A crawl did not finish its run.
    #[error("crawl {0} did not finish")]
    Unfinished(String),
}

fn crawl_config(seed: &str) -> Result<CrawlConfig, DemoError> {
    let seed = url::Url::parse(seed).map_err(|e| DemoError::Profile(e.to_string()))?;
    let mut cfg = CrawlConfig::new(vec![seed]);
    cfg.fetch.host_delay = std::time::Duration::ZERO;
    let profiles = ProfileSet::builtin();
    let esr = profiles
        .resolve("esr")
        .map_err(|e| DemoError::Profile(e.to_string()))?;
    cfg.extract = ExtractConfig {
        profiles,
        choice: ProfileChoice::Force(esr),
        skip_links: false,
        latest_date: crate::extract::latest_date_for(chrono::Utc::now()),
    };
    cfg.profile_label = Some("esr".into());
    Ok(cfg)
}

fn summary_line(label: &str, s: &Summary) -> String {
    format!(
        "{label}: run {} — {} pages, {} captured, {} not modified, {} failed, {} gone, {:.2} s",
        s.run_id, s.pages_fetched, s.captured, s.not_modified, s.failed, s.gone, s.duration_s
    )
}

/// Run the demo, printing to `out`.
pub fn run(opts: &DemoOptions, out: &mut dyn Write) -> Result<DemoReport, DemoError> {
    let temp;
    let root = match &opts.store {
        Some(p) => p.clone(),
        None => {
            temp = tempfile::tempdir()?;
            temp.path().join("store")
        }
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let runs = rt.block_on(async {
        let server = server::DemoServer::start(1).await?;
        writeln!(
            out,
            "quire demo: serving the sample site (version 1) at {}",
            server.url()
        )?;
        writeln!(out, "store: {}", opts.store.as_ref().map_or("(temporary)".into(), |p| p.display().to_string()))?;
        let mut runs = Vec::new();
        for version in [1u8, 2] {
            if version == 2 {
                server.set_version(2);
                writeln!(
                    out,
                    "\nthe site is now version 2: articles edited, added and removed; all chrome changed"
                )?;
            }
            let store = Store::open_writer(&root)?;
            let summary = crate::crawl::crawl(
                crawl_config(&server.url())?,
                store,
                std::future::pending::<()>(),
                &|_| {},
            )
            .await?;
            writeln!(out, "{}", summary_line(&format!("crawl {version}"), &summary))?;
            if !summary.finished {
                return Err(DemoError::Unfinished(summary.run_id));
            }
            runs.push(summary);
        }
        Ok::<_, DemoError>(runs)
    })?;
    drop(rt);

    let store = Store::open_reader(&root)?;
    let old = RunId(runs[0].run_id.clone());
    let new = RunId(runs[1].run_id.clone());
    let comparison = compare_runs(&store, &old, &new)?;
    writeln!(out)?;
    crate::cli::changes::print_human(out, &comparison)?;

    // One diff: among changed pages, prefer real articles (page type article and a
    // breadcrumb, so not a home page the extractor took for an article), then the one
    // with the most edits; ties go to the first URL (deterministic).
    let mut best: Option<((bool, usize), String, Article, Article)> = None;
    for url in &comparison.changed {
        let h = store.history(url)?;
        let (Some(a), Some(b)) = (
            h.iter().rev().find(|c| c.run == old),
            h.iter().rev().find(|c| c.run == new),
        ) else {
            continue;
        };
        let (a, b) = (store.read_capture(&a.id)?, store.read_capture(&b.id)?);
        let d = crate::diff::articles(&a, &b);
        let edits = d.metadata.len()
            + d.body
                .iter()
                .filter(|op| !matches!(op, BlockOp::Equal { .. }))
                .count();
        let article = [&a, &b]
            .iter()
            .all(|x| x.content.page_type == PageType::Article && !x.content.section.is_empty());
        let score = (article, edits);
        if best.as_ref().is_none_or(|(s, ..)| score > *s) {
            best = Some((score, url.clone(), a, b));
        }
    }
    let diffed = match best {
        Some((_, url, a, b)) => {
            writeln!(out, "\n$ quire diff {url}")?;
            let d = crate::diff::articles(&a, &b);
            let ropts = RenderOptions {
                color: opts.color,
                context_words: Some(12),
            };
            render(&d, &a.content, &b.content, &ropts, out)?;
            Some(url)
        }
        None => None,
    };
    out.flush()?;
    Ok(DemoReport {
        runs,
        comparison,
        diffed,
    })
}
