//! The crawl loop: seeds, scope, frontier, limits, and handing each fetched page to the
//! pipeline and the store.
//!
//! Owns: one run from start (or resume) to finish — taking URLs from the store's
//! frontier, running at most `concurrency` page tasks, turning each fetch result into a
//! store outcome (capture, not-modified, failed, gone), discovering links, enforcing the
//! run's limits, stopping cleanly on a signal, and the run summary. A run from a web
//! archive ([`wayback`]) uses the same loop with the archive's listing as its frontier.
//! Must not: open sockets itself (only [`crate::fetch`] touches the network), parse
//! HTML beyond calling [`crate::pipeline`] / link discovery, print, or read the
//! environment. Store access goes through one `Mutex<Store>` used only from blocking
//! tasks, so fetches stay concurrent while writes are serialized.

pub mod config;
pub mod issues;
pub mod shard;
pub mod wayback;

use std::collections::{BTreeMap, HashSet};
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::Serialize;
use tokio::task::JoinSet;
use tokio::time::Instant;
use url::Url;

use crate::extract::ExtractConfig;
use crate::fetch::url::{canonicalize, has_non_html_extension, parse_canonical, Prefix, Scope};
use crate::fetch::{Conditional, FetchConfig, FetchError, Fetched, Fetcher, Hop};
use crate::model::Redirect;
use crate::pipeline::{self, CaptureInfo, PageInput};
use crate::store::{CaptureSummary, EntryKind, Outcome, RunId, Store, StoreError};

/// Most links taken from one page; the rest are ignored (a page with a million links
/// cannot blow the frontier or memory).
pub const MAX_LINKS_PER_PAGE: usize = 10_000;

/// Default cap on the URLs one run's frontier may know: the frontier lives in SQLite,
/// so this bounds disk, not memory; a site with more pages needs `--max-frontier`.
pub const DEFAULT_MAX_FRONTIER: u64 = 5_000_000;

/// Frozen configuration of one crawl.
#[derive(Debug, Clone)]
pub struct CrawlConfig {
    /// Seed URLs (canonical). Each also adds its host + path prefix to the scope.
    pub seeds: Vec<Url>,
    /// Extra in-scope URL prefixes (`--scope`).
    pub extra_scope: Vec<Prefix>,
    /// A URL must match one of these, when any are given (`--include`).
    pub include: Vec<regex::Regex>,
    /// A URL matching any of these is out of scope (`--exclude`).
    pub exclude: Vec<regex::Regex>,
    /// Most pages taken from the frontier in this run (`--max-pages`).
    pub max_pages: Option<u64>,
    /// Most link hops from a seed (`--max-depth`; seeds are depth 0).
    pub max_depth: Option<u32>,
    /// Most body bytes downloaded in this run (`--max-run-bytes`); when reached, no new
    /// page is started.
    pub max_run_bytes: Option<u64>,
    /// Most URLs the run's frontier may know (`--max-frontier`); further links are
    /// dropped and counted.
    pub max_frontier: Option<u64>,
    /// Longest run (`--max-duration`); when reached, no new page is started, and pages
    /// still in flight [`CrawlConfig::shutdown_grace`] later are abandoned (they leave
    /// no record). The run is finished either way.
    pub max_duration: Option<Duration>,
    /// Most links taken from one page.
    pub max_links_per_page: usize,
    /// Most pages in flight at once, all hosts together (`--concurrency`).
    pub concurrency: usize,
    /// Most pages decoded, parsed and extracted at once. Parsing is CPU-bound and a
    /// hostile page can cost ~35x its size in memory while parsed, so this bounds peak
    /// memory at about `process_concurrency × 35 × max_body`, whatever `concurrency`.
    pub process_concurrency: usize,
    /// Most undated articles whose capture waits for the run's issue pages (see
    /// [`issues`]); each costs a few hundred bytes until the run's end. Past it, an
    /// undated article is captured at once, undated (a warning says so once).
    pub max_deferred: usize,
    /// How long in-flight pages may take to finish after a stop signal or the
    /// `max_duration` deadline before they are abandoned (an abandoned page leaves no
    /// record; after a signal the resumed run refetches it).
    pub shutdown_grace: Duration,
    /// HTTP client, politeness, retries and size limits.
    pub fetch: FetchConfig,
    /// Extractor choice (forced profile or by host).
    pub extract: ExtractConfig,
    /// Recorded in the run's info (what `--profile` was), for provenance.
    pub profile_label: Option<String>,
    /// Crawl a web archive's captures of a URL prefix instead of the live site
    /// (`--source wayback`); `None` is a live crawl. The seeds are then only recorded.
    pub wayback: Option<wayback::WaybackConfig>,
    /// Only the hosts of this shard (`--shard i/n`); `None`: every host.
    pub shard: Option<shard::Shard>,
}

impl CrawlConfig {
    /// A configuration with the defaults for `seeds`.
    pub fn new(seeds: Vec<Url>) -> CrawlConfig {
        CrawlConfig {
            seeds,
            extra_scope: Vec::new(),
            include: Vec::new(),
            exclude: Vec::new(),
            max_pages: None,
            max_depth: None,
            max_run_bytes: None,
            max_frontier: Some(DEFAULT_MAX_FRONTIER),
            max_duration: None,
            max_links_per_page: MAX_LINKS_PER_PAGE,
            concurrency: 8,
            process_concurrency: std::thread::available_parallelism().map_or(1, |n| n.get()),
            max_deferred: issues::DEFAULT_MAX_DEFERRED,
            shutdown_grace: Duration::from_secs(10),
            fetch: FetchConfig::default(),
            extract: ExtractConfig::default(),
            profile_label: None,
            wayback: None,
            shard: None,
        }
    }

    /// The scope: every seed's prefix, the extra prefixes, include and exclude.
    pub fn scope(&self) -> Scope {
        let mut prefixes: Vec<Prefix> = self.seeds.iter().map(Prefix::of_seed).collect();
        prefixes.extend(self.extra_scope.iter().cloned());
        Scope {
            prefixes,
            include: self.include.clone(),
            exclude: self.exclude.clone(),
        }
    }

    fn info(&self) -> serde_json::Value {
        let mut info = self.live_info();
        if let (Some(wb), Some(map)) = (&self.wayback, info.as_object_mut()) {
            map.insert("source".into(), wb.info());
        }
        info
    }

    fn live_info(&self) -> serde_json::Value {
        serde_json::json!({
            "seeds": self.seeds.iter().map(Url::as_str).collect::<Vec<_>>(),
            "scope": self.scope().prefixes.iter().map(ToString::to_string).collect::<Vec<_>>(),
            "include": self.include.iter().map(|r| r.as_str()).collect::<Vec<_>>(),
            "exclude": self.exclude.iter().map(|r| r.as_str()).collect::<Vec<_>>(),
            "profile": self.profile_label,
            "shard": self.shard.map(|s| s.to_string()),
            "user_agent": self.fetch.user_agent,
            "max_pages": self.max_pages,
            "max_depth": self.max_depth,
            "delay_ms": self.fetch.host_delay.as_millis() as u64,
            "max_crawl_delay_ms": self.fetch.max_crawl_delay.as_millis() as u64,
            "tool_version": crate::TOOL_VERSION,
        })
    }
}

/// Why a crawl could not run or had to stop.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CrawlError {
    /// The store refused an operation (locked, corrupt, I/O): the run stops.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The HTTP client could not be built.
    #[error(transparent)]
    Client(#[from] crate::fetch::ClientError),
    /// No seeds.
    #[error("no seed URLs")]
    NoSeeds,
    /// A worker task died (a bug); the run is left unfinished and resumes next time.
    #[error("internal error in a crawl task: {0}")]
    Task(String),
    /// A web archive's listing could not be had or read; nothing was stored.
    #[error(transparent)]
    Wayback(#[from] wayback::WaybackError),
    /// The store holds an unfinished run of another kind or with other arguments: it
    /// must be finished (by the command that began it) before another run begins.
    #[error("run {run} is unfinished: {detail}")]
    OtherRunUnfinished {
        /// The unfinished run.
        run: String,
        /// What it is and how to finish it.
        detail: String,
    },
    /// A stop signal came before the run began (while the archive was being listed);
    /// nothing was stored.
    #[error(
        "stopped before the run began (while listing the archive's captures); nothing was stored"
    )]
    StoppedBeforeStart,
}

/// A progress report, sent after every page.
#[derive(Debug, Clone, Copy, Default)]
pub struct Progress {
    /// Pages finished in this session.
    pub done: u64,
    /// URLs the frontier knows (done + pending + in flight).
    pub known: u64,
    /// Captured so far in this session.
    pub captured: u64,
    /// Failed so far in this session.
    pub failed: u64,
}

/// The run summary: printed with `--json` (one line) and stored with the run.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    /// The run id.
    pub run_id: String,
    /// True when this invocation resumed an interrupted run.
    pub resumed: bool,
    /// True when the run was finished (manifest written); false when interrupted.
    pub finished: bool,
    /// Which limit or signal ended the run early, if any ("max_pages", "max_duration",
    /// "max_run_bytes", "signal").
    pub stopped_by: Option<String>,
    /// Pages with an outcome in this run: captured + not_modified + failed + gone.
    pub pages_fetched: u64,
    /// Pages fetched and stored.
    pub captured: u64,
    /// Pages answered 304 (the previous capture still holds).
    pub not_modified: u64,
    /// Pages that failed.
    pub failed: u64,
    /// Failures by reason ("http_500", "timeout", "too_large", ...).
    pub failures: BTreeMap<String, u64>,
    /// Previously captured pages now 404/410.
    pub gone: u64,
    /// URLs that redirected to a page of this run: recorded as that page's aliases
    /// (the page itself is fetched and stored once, under its final URL).
    pub aliases: u64,
    /// URLs not fetched by policy (robots.txt, redirect out of scope), by reason.
    pub skipped: BTreeMap<String, u64>,
    /// Links dropped because the frontier was full.
    pub frontier_dropped: u64,
    /// Against the previous finished run: articles new in this run.
    pub added: Option<u64>,
    /// Against the previous finished run: articles whose content changed.
    pub changed: Option<u64>,
    /// Against the previous finished run: articles unchanged.
    pub unchanged: Option<u64>,
    /// Against the previous finished run: articles gone from this run.
    pub removed: Option<u64>,
    /// The run compared against.
    pub previous_run: Option<String>,
    /// Articles that state no date and took the date of an issue page of the run
    /// that lists them (`published.source = "issue"`).
    pub issue_dated: u64,
    /// HTTP requests made in this invocation (pages, redirect hops, retries, robots.txt).
    pub requests: u64,
    /// Body bytes downloaded in this invocation.
    pub bytes: u64,
    /// Wall-clock seconds of this invocation.
    pub duration_s: f64,
    /// A run from a web archive: what its listing found (absent for a live crawl).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wayback: Option<wayback::WaybackSummary>,
}

/// What happened to one URL in this session.
enum PageResult {
    Captured,
    /// The URL redirected to a URL this run fetches anyway: recorded as its alias.
    Aliased,
    NotModified,
    Failed,
    Gone,
    Skipped(String),
    Store(StoreError),
}

struct Ctx {
    store: Arc<Mutex<Store>>,
    run: RunId,
    fetcher: Arc<Fetcher>,
    scope: Scope,
    extract: ExtractConfig,
    max_depth: Option<u32>,
    max_links: usize,
    max_frontier: Option<u64>,
    shard: Option<shard::Shard>,
    known: AtomicU64,
    dropped: AtomicU64,
    processing: Arc<tokio::sync::Semaphore>,
    /// Undated articles whose capture waits for the run's issue pages
    /// ([`issues::write_deferred`]), at most `max_deferred`.
    deferred: Mutex<Vec<issues::Deferred>>,
    max_deferred: usize,
    /// The cap was met (warned once).
    deferred_full: std::sync::atomic::AtomicBool,
    /// A run from a web archive: its tasks are [`wayback::page`].
    wayback: Option<Arc<wayback::Runtime>>,
}

fn lock(store: &Mutex<Store>) -> std::sync::MutexGuard<'_, Store> {
    match store.lock() {
        Ok(g) => g,
        Err(p) => p.into_inner(),
    }
}

/// Run `f` on the store from a blocking thread.
async fn with_store<T: Send + 'static>(
    store: &Arc<Mutex<Store>>,
    f: impl FnOnce(&mut Store) -> Result<T, StoreError> + Send + 'static,
) -> Result<T, CrawlError> {
    let store = store.clone();
    tokio::task::spawn_blocking(move || f(&mut lock(&store)))
        .await
        .map_err(|e| CrawlError::Task(e.to_string()))?
        .map_err(CrawlError::from)
}

/// Crawl into `store` until the frontier is empty, a limit is reached, or `stop`
/// resolves (then in-flight pages get `shutdown_grace` to finish and the run is left
/// unfinished, to be resumed by the next call). An unfinished run in the store is
/// resumed instead of starting a new one.
pub async fn crawl(
    cfg: CrawlConfig,
    store: Store,
    stop: impl Future<Output = ()>,
    progress: &(dyn Fn(&Progress) + Send + Sync),
) -> Result<Summary, CrawlError> {
    if cfg.wayback.is_none() && cfg.seeds.is_empty() {
        return Err(CrawlError::NoSeeds);
    }
    let started = Instant::now();
    let fetcher = Fetcher::new(cfg.fetch.clone())?;
    let store = Arc::new(Mutex::new(store));
    let info = cfg.info();
    tokio::pin!(stop);
    // An unfinished run is resumed by a crawl of the same source only (a live crawl
    // by any live crawl, as always; an archive's by the same archive, prefix and window).
    let unfinished = with_store(&store, |s| match s.unfinished_run()? {
        Some(run) => {
            let info = s.run_info(&run.0)?.map(|i| i.info);
            Ok(Some((run, info)))
        }
        None => Ok(None),
    })
    .await?;
    if let Some((run, have)) = &unfinished {
        check_resumable(run, have.as_ref(), info.get("source"))?;
    }
    // A run from an archive: its listing is the frontier (listed again on resume; the
    // keys already known are ignored). Nothing is stored when the listing fails.
    let (runtime, listing) = match &cfg.wayback {
        Some(wb) => {
            let rt = Arc::new(wayback::Runtime::new(wb.clone())?);
            let max = cfg.max_frontier.unwrap_or(u64::MAX);
            let listing = tokio::select! {
                l = wayback::list(&fetcher, wb, &cfg.include, &cfg.exclude, max) => l?,
                () = &mut stop => return Err(CrawlError::StoppedBeforeStart),
            };
            if listing.captures.is_empty() && unfinished.is_none() {
                let w = &listing.summary;
                return Err(wayback::WaybackError::NothingListed {
                    prefix: w.prefix.clone(),
                    rows: w.rows,
                    skipped: w.not_html + w.not_200 + w.out_of_window + w.excluded + w.bad_url,
                }
                .into());
            }
            (Some(rt), Some(listing))
        }
        None => (None, None),
    };
    let wayback_summary = listing.as_ref().map(|l| l.summary.clone());
    let seeds: Vec<(String, u32)> = match listing {
        Some(l) => l.captures.into_iter().map(|c| (c.key, 0)).collect(),
        None => cfg
            .seeds
            .iter()
            .filter(|u| cfg.shard.is_none_or(|s| s.owns(u)))
            .map(|u| (u.to_string(), 0))
            .collect(),
    };
    let (run, resumed, previous, known) = with_store(&store, move |s| {
        let (run, resumed) = match s.unfinished_run()? {
            Some(run) => {
                let n = s.frontier_reset_in_flight(&run)?;
                tracing::info!(%run, reset = n, "resuming unfinished run");
                (run, true)
            }
            None => (s.begin_run(&info)?, false),
        };
        s.frontier_add(&run, &seeds)?;
        let previous = s
            .runs()?
            .into_iter()
            .filter(|r| r.finished_at.is_some() && r.id != run)
            .map(|r| r.id)
            .next_back();
        let c = s.frontier_counts(&run)?;
        Ok((run, resumed, previous, c.pending + c.in_flight + c.done))
    })
    .await?;
    tracing::info!(%run, resumed, "crawl started");

    let ctx = Arc::new(Ctx {
        store: store.clone(),
        run: run.clone(),
        fetcher: fetcher.clone(),
        scope: cfg.scope(),
        // The crawl needs the links, whatever the caller's extract config says; a run
        // from an archive follows none.
        extract: ExtractConfig {
            skip_links: cfg.wayback.is_some(),
            ..cfg.extract.clone()
        },
        max_depth: cfg.max_depth,
        max_links: cfg.max_links_per_page,
        max_frontier: cfg.max_frontier,
        shard: cfg.shard,
        known: AtomicU64::new(known),
        dropped: AtomicU64::new(0),
        processing: Arc::new(tokio::sync::Semaphore::new(cfg.process_concurrency.max(1))),
        deferred: Mutex::new(Vec::new()),
        max_deferred: cfg.max_deferred,
        deferred_full: std::sync::atomic::AtomicBool::new(false),
        wayback: runtime.clone(),
    });

    let concurrency = cfg.concurrency.max(1);
    let deadline = cfg.max_duration.map(|d| started + d);
    let mut tasks: JoinSet<PageResult> = JoinSet::new();
    let mut taken: u64 = 0;
    let mut prog = Progress::default();
    let mut stopped_by: Option<String> = None;
    let mut interrupted = false;
    let mut grace_until: Option<Instant> = None;
    let mut fatal: Option<CrawlError> = None;
    let mut skipped: BTreeMap<String, u64> = BTreeMap::new();
    let mut frontier_empty = false;

    loop {
        // Limits that stop taking new pages.
        if stopped_by.is_none() {
            if cfg.max_pages.is_some_and(|m| taken >= m) {
                stopped_by = Some("max_pages".into());
            } else if cfg.max_run_bytes.is_some_and(|m| fetcher.body_bytes() >= m) {
                stopped_by = Some("max_run_bytes".into());
            } else if let Some(d) = deadline.filter(|d| Instant::now() >= *d) {
                stopped_by = Some("max_duration".into());
                // Pages in flight get the same grace as on a stop signal, then are
                // abandoned: a page stalling for minutes must not hold the run open.
                grace_until = Some(d + cfg.shutdown_grace);
                if !tasks.is_empty() {
                    tracing::info!(
                        in_flight = tasks.len(),
                        "max-duration reached: finishing in-flight pages"
                    );
                }
            }
        }
        let taking = stopped_by.is_none() && fatal.is_none();
        if taking && tasks.len() < concurrency {
            let mut want = concurrency - tasks.len();
            if let Some(m) = cfg.max_pages {
                want = want.min(m.saturating_sub(taken) as usize);
            }
            let r = run.clone();
            let batch = with_store(&store, move |s| s.frontier_take(&r, want)).await?;
            frontier_empty = batch.is_empty();
            for (url, depth) in batch {
                taken += 1;
                let ctx = ctx.clone();
                if ctx.wayback.is_some() {
                    tasks.spawn(async move { wayback::page(ctx, url).await });
                } else {
                    tasks.spawn(async move { page(ctx, url, depth).await });
                }
            }
        }
        if tasks.is_empty() && (frontier_empty || !taking) {
            break;
        }
        tokio::select! {
            joined = tasks.join_next(), if !tasks.is_empty() => {
                let result = match joined {
                    Some(Ok(r)) => r,
                    Some(Err(e)) if e.is_cancelled() => continue,
                    Some(Err(e)) => {
                        fatal.get_or_insert(CrawlError::Task(e.to_string()));
                        continue;
                    }
                    None => continue,
                };
                prog.done += 1;
                match result {
                    PageResult::Captured => prog.captured += 1,
                    PageResult::NotModified | PageResult::Gone | PageResult::Aliased => {}
                    PageResult::Failed => prog.failed += 1,
                    PageResult::Skipped(kind) => *skipped.entry(kind).or_insert(0) += 1,
                    PageResult::Store(e) => {
                        tracing::error!(error = %e, "store error; stopping the run");
                        fatal.get_or_insert(CrawlError::Store(e));
                    }
                }
                prog.known = ctx.known.load(Ordering::Relaxed);
                progress(&prog);
            }
            () = &mut stop, if !interrupted => {
                tracing::warn!("stop requested: finishing in-flight pages, taking no new ones");
                interrupted = true;
                stopped_by = Some("signal".into());
                grace_until = Some(Instant::now() + cfg.shutdown_grace);
            }
            () = sleep_until_opt(grace_until), if grace_until.is_some() => {
                tracing::warn!(in_flight = tasks.len(), "abandoning in-flight pages");
                tasks.abort_all();
                while tasks.join_next().await.is_some() {}
                break;
            }
            () = sleep_until_opt(deadline), if deadline.is_some() && stopped_by.is_none() => {}
        }
    }
    let dropped = ctx.dropped.load(Ordering::Relaxed);
    let deferred = std::mem::take(&mut *ctx.deferred.lock().unwrap_or_else(|p| p.into_inner()));
    let extract = ctx.extract.clone();
    drop(ctx);
    if let Some(e) = fatal {
        return Err(e);
    }
    // Undated articles wait for the run's issue pages; a run stopped by a signal
    // leaves them in flight for the resumed run (see `issues`).
    let mut issue_dated = 0;
    if !interrupted && !deferred.is_empty() {
        let r = run.clone();
        issue_dated = with_store(&store, move |s| {
            issues::write_deferred(s, &r, &extract, deferred)
        })
        .await?;
    }
    if let Some(rt) = runtime.as_ref().filter(|_| !interrupted) {
        let keys = std::mem::take(&mut *rt.deferred_keys.lock().unwrap_or_else(|p| p.into_inner()));
        if !keys.is_empty() {
            let r = run.clone();
            with_store(&store, move |s| wayback::finish_deferred(s, &r, keys)).await?;
        }
    }

    let mut summary = Summary {
        run_id: run.to_string(),
        resumed,
        stopped_by,
        skipped,
        requests: fetcher.requests(),
        bytes: fetcher.body_bytes(),
        previous_run: previous.as_ref().map(ToString::to_string),
        ..Summary::default()
    };
    summary.frontier_dropped = dropped;
    summary.issue_dated = issue_dated;
    summary.wayback = wayback_summary;
    let r = run.clone();
    let counts = with_store(&store, move |s| {
        let mut c = Summary::default();
        s.for_each_entry(&r, |e| {
            match e.kind {
                EntryKind::Captured { .. } => c.captured += 1,
                EntryKind::NotModified { .. } => c.not_modified += 1,
                EntryKind::Failed { reason, .. } => {
                    c.failed += 1;
                    let key = reason
                        .split(':')
                        .next()
                        .unwrap_or("other")
                        .trim()
                        .to_string();
                    *c.failures.entry(key).or_insert(0) += 1;
                }
                EntryKind::Gone { .. } => c.gone += 1,
                EntryKind::Alias { .. } => c.aliases += 1,
            }
            Ok(())
        })?;
        Ok(c)
    })
    .await?;
    summary.captured = counts.captured;
    summary.not_modified = counts.not_modified;
    summary.failed = counts.failed;
    summary.failures = counts.failures;
    summary.gone = counts.gone;
    summary.aliases = counts.aliases;
    summary.pages_fetched = counts.captured + counts.not_modified + counts.failed + counts.gone;
    summary.duration_s = started.elapsed().as_secs_f64();
    if !interrupted {
        let value = serde_json::to_value(&summary).unwrap_or(serde_json::Value::Null);
        let r = run.clone();
        with_store(&store, move |s| s.finish_run(&r, &value).map(|_| ())).await?;
        summary.finished = true;
        // Compared after finishing: a finished run's absent URLs count as removed.
        if let Some(prev) = previous.clone() {
            let r = run.clone();
            let cmp = with_store(&store, move |s| {
                crate::diff::changes::compare_runs(s, &prev, &r)
            })
            .await?;
            summary.added = Some(cmp.added.len() as u64);
            summary.changed = Some(cmp.changed.len() as u64);
            summary.unchanged = Some(cmp.unchanged);
            summary.removed = Some(cmp.removed.len() as u64);
        }
    }
    tracing::info!(run = %summary.run_id, captured = summary.captured, failed = summary.failed, "crawl done");
    Ok(summary)
}

/// May a crawl whose run info has `want` as its `source` resume `run`, whose info is
/// `have`? Only when both are live crawls (no `source`), or both ask the same archive for
/// the same prefix and window.
fn check_resumable(
    run: &RunId,
    have: Option<&serde_json::Value>,
    want: Option<&serde_json::Value>,
) -> Result<(), CrawlError> {
    let have = have.and_then(|i| i.get("source"));
    if have == want {
        return Ok(());
    }
    let describe = |src: Option<&serde_json::Value>| match src {
        None => "a live crawl (`quire crawl URL...`)".to_string(),
        Some(v) if v.as_str() == Some("warc") => {
            "an import of WARC files (`quire import`, which finishes it as it is)".to_string()
        }
        Some(v) => {
            let field = |k: &str| v.get(k).and_then(|x| x.as_str()).map(str::to_string);
            let mut d = format!(
                "a crawl of {} from the web archive {}",
                field("prefix").unwrap_or_default(),
                field("endpoint").unwrap_or_default()
            );
            if let Some(f) = field("from") {
                d.push_str(&format!(" --from {f}"));
            }
            if let Some(t) = field("to") {
                d.push_str(&format!(" --to {t}"));
            }
            d
        }
    };
    Err(CrawlError::OtherRunUnfinished {
        run: run.to_string(),
        detail: format!(
            "it is {}, and this is {}; run the command that began it again to finish it \
             (it resumes where it stopped), then this one",
            describe(have),
            describe(want)
        ),
    })
}

async fn sleep_until_opt(at: Option<Instant>) {
    match at {
        Some(t) => tokio::time::sleep_until(t).await,
        None => std::future::pending().await,
    }
}

/// Fetch, process and record one URL.
async fn page(ctx: Arc<Ctx>, url: String, depth: u32) -> PageResult {
    match page_inner(&ctx, &url, depth).await {
        Ok(r) => r,
        Err(CrawlError::Store(e)) => PageResult::Store(e),
        Err(e) => {
            tracing::error!(url = %url, error = %e, "page task failed");
            PageResult::Failed
        }
    }
}

/// The URLs one page task holds: the URL it took from the frontier, then every
/// redirect target it claimed (see [`Store::frontier_claim`]), in order; the hops
/// followed between them; and the previous capture of the last one (for a 304 or a
/// 404 there).
struct Chain {
    urls: Vec<String>,
    hops: Vec<Redirect>,
    /// The latest capture of the URL the task is at (its validators, its 304 base).
    prev: Option<CaptureSummary>,
    /// Some URL of the chain had a capture before: a 404 or 410 at the end means the
    /// article is gone, not that a new URL failed.
    known: bool,
    /// A store error met while claiming (the fetch was stopped; the task reports it).
    error: Option<StoreError>,
}

impl Chain {
    /// The URL the task is at: where an outcome is recorded.
    fn last(&self) -> &str {
        self.urls.last().map_or("", String::as_str)
    }
}

fn conditional(prev: Option<&CaptureSummary>) -> Conditional {
    prev.map(|p| Conditional {
        etag: p.etag.clone(),
        last_modified: p.last_modified.clone(),
    })
    .unwrap_or_default()
}

/// Record every URL of `urls` but `target` as an alias of `target` (`hops[i..]` being
/// the redirects from `urls[i]` on), then mark them all (`target` too, when it is one
/// of them) done. Called after the target's own outcome, if it has one, is written: a
/// crash in between leaves an un-aliased URL that the resumed run refetches, finding
/// the target done.
fn put_aliases(
    s: &mut Store,
    run: &RunId,
    urls: &[String],
    hops: &[Redirect],
    target: &str,
) -> Result<(), StoreError> {
    for (i, u) in urls.iter().enumerate() {
        if u != target {
            let outcome = Outcome::Alias {
                target: target.to_string(),
                redirects: hops.get(i..).map(<[Redirect]>::to_vec).unwrap_or_default(),
            };
            s.put_outcome(run, u, &outcome)?;
        }
    }
    for u in urls {
        s.frontier_done(run, u)?;
    }
    Ok(())
}

async fn page_inner(ctx: &Arc<Ctx>, url_text: &str, depth: u32) -> Result<PageResult, CrawlError> {
    let run = ctx.run.clone();
    let url = match parse_canonical(url_text) {
        Ok(u) => u,
        Err(e) => {
            let chain = Chain {
                urls: vec![url_text.to_string()],
                hops: Vec::new(),
                prev: None,
                known: false,
                error: None,
            };
            return record_failed(ctx, chain, &format!("invalid_url: {e}"), None, false).await;
        }
    };
    let key = url_text.to_string();
    let prev: Option<CaptureSummary> =
        with_store(&ctx.store, move |s| s.latest_capture(&key)).await?;
    let cond = conditional(prev.as_ref());
    let chain = Arc::new(Mutex::new(Chain {
        urls: vec![url_text.to_string()],
        hops: Vec::new(),
        known: prev.is_some(),
        prev,
        error: None,
    }));
    // At every redirect hop: claim the target in the frontier. Claimed (new to the
    // run): follow it, with the target's own validators. Known (queued, in flight,
    // done): stop, and this URL becomes an alias of it.
    let on_redirect = |hop: &Redirect| {
        let (ctx, chain, hop) = (ctx.clone(), chain.clone(), hop.clone());
        async move {
            let (r, t) = (ctx.run.clone(), hop.location.clone());
            let claimed = with_store(&ctx.store, move |s| {
                if s.frontier_claim(&r, &t, depth)? {
                    Ok(Some(s.latest_capture(&t)?))
                } else {
                    Ok(None)
                }
            })
            .await;
            let mut c = chain.lock().unwrap_or_else(|p| p.into_inner());
            match claimed {
                Ok(Some(prev)) => {
                    ctx.known.fetch_add(1, Ordering::Relaxed);
                    let cond = conditional(prev.as_ref());
                    c.urls.push(hop.location.clone());
                    c.hops.push(hop);
                    c.known |= prev.is_some();
                    c.prev = prev;
                    Hop::Follow(cond)
                }
                Ok(None) => Hop::Stop,
                Err(e) => {
                    c.error = Some(match e {
                        CrawlError::Store(e) => e,
                        other => StoreError::Invalid(other.to_string()),
                    });
                    Hop::Stop
                }
            }
        }
    };
    let fetched = ctx
        .fetcher
        .fetch_with(&url, &cond, &ctx.scope, on_redirect)
        .await;
    let chain = {
        let mut c = chain.lock().unwrap_or_else(|p| p.into_inner());
        Chain {
            urls: std::mem::take(&mut c.urls),
            hops: std::mem::take(&mut c.hops),
            prev: c.prev.take(),
            known: c.known,
            error: c.error.take(),
        }
    };
    if let Some(e) = chain.error {
        return Err(CrawlError::Store(e));
    }
    let page = match fetched {
        Ok(Fetched::Page(p)) => p,
        Ok(Fetched::Stopped { target, redirects }) => {
            // The target is fetched (or queued, or being fetched) by another task:
            // every URL this task holds is an alias of it.
            tracing::debug!(%url, %target, "redirect to a known URL: alias");
            let (r, urls, target) = (run.clone(), chain.urls, target.to_string());
            with_store(&ctx.store, move |s| {
                put_aliases(s, &r, &urls, &redirects, &target)
            })
            .await?;
            return Ok(PageResult::Aliased);
        }
        Err(e) if e.is_skip() => {
            tracing::debug!(%url, reason = %e, "skipped");
            let (r, urls) = (run.clone(), chain.urls);
            with_store(&ctx.store, move |s| {
                for u in &urls {
                    s.frontier_done(&r, u)?;
                }
                Ok(())
            })
            .await?;
            return Ok(PageResult::Skipped(e.kind()));
        }
        Err(FetchError::Http(status @ (404 | 410))) if chain.known => {
            let r = run.clone();
            with_store(&ctx.store, move |s| {
                let at = chain.last().to_string();
                s.put_outcome(
                    &r,
                    &at,
                    &Outcome::Gone {
                        http_status: status,
                    },
                )?;
                put_aliases(s, &r, &chain.urls, &chain.hops, &at)
            })
            .await?;
            return Ok(PageResult::Gone);
        }
        Err(e) => {
            tracing::info!(%url, error = %e, "page failed");
            let reason = format!("{}: {e}", e.kind());
            let whole_chain = matches!(
                e,
                FetchError::RedirectLoop(_) | FetchError::TooManyRedirects(_)
            );
            return record_failed(ctx, chain, &reason, e.http_status(), whole_chain).await;
        }
    };
    // The page is recorded under the URL it was served at; the URLs that led there
    // are its aliases.
    let final_key = page.final_url.to_string();
    // Every hop the fetcher followed was claimed first, so the task holds its final URL.
    debug_assert_eq!(chain.last(), final_key);

    if page.not_modified() {
        let Some(prev) = chain.prev.clone() else {
            return record_failed(
                ctx,
                chain,
                "http_304: 304 without a previous capture",
                Some(304),
                false,
            )
            .await;
        };
        // A 304 costs no extraction, but its links still lead on: rediscover them from
        // the stored previous body.
        let c = ctx.clone();
        let r = run.clone();
        let base = page.final_url.clone();
        let ct = page.content_type.clone();
        let permit = ctx.processing.clone().acquire_owned().await.ok();
        return tokio::task::spawn_blocking(move || -> Result<PageResult, CrawlError> {
            let _permit = permit;
            let raw = lock(&c.store).read_object(&prev.raw_sha256);
            let links = match raw {
                Ok(raw) => links_of(&raw, ct.as_deref(), &base),
                Err(e) => {
                    tracing::warn!(url = %final_key, error = %e, "previous body unreadable; links not rediscovered");
                    Vec::new()
                }
            };
            let new_links = c.filter_links(links, depth);
            let mut s = lock(&c.store);
            c.add_links(&mut s, new_links)?;
            s.put_outcome(&r, &final_key, &Outcome::NotModified { previous: prev.id.clone() })?;
            put_aliases(&mut s, &r, &chain.urls, &chain.hops, &final_key)?;
            Ok(PageResult::NotModified)
        })
        .await
        .map_err(|e| CrawlError::Task(e.to_string()))?;
    }

    let c = ctx.clone();
    let permit = ctx.processing.clone().acquire_owned().await.ok();
    tokio::task::spawn_blocking(move || -> Result<PageResult, CrawlError> {
        let _permit = permit;
        let body = page.body.unwrap_or_default();
        let input = PageInput {
            url: &page.final_url,
            body: &body,
            content_type: page.content_type.as_deref(),
        };
        let processed = match pipeline::process(&input, &c.extract) {
            Ok(p) => p,
            Err(e) => {
                let mut s = lock(&c.store);
                s.put_outcome(
                    &c.run,
                    &final_key,
                    &Outcome::Failed {
                        reason: format!("decode: {e}"),
                        http_status: Some(page.status),
                    },
                )?;
                put_aliases(&mut s, &c.run, &chain.urls, &chain.hops, &final_key)?;
                return Ok(PageResult::Failed);
            }
        };
        let links = c.filter_links(processed.links.clone(), depth);
        let mut s = lock(&c.store);
        // Links before the capture: a crash in between refetches this page on resume
        // (its links are then re-added, duplicates ignored) instead of losing them.
        c.add_links(&mut s, links)?;
        let obj = s.put_object(&body)?;
        let info = CaptureInfo {
            fetched_at: Some(page.fetched_at.clone()),
            http_status: Some(page.status),
            final_url: Some(final_key.clone()),
            redirects: page.redirects.clone(),
            etag: page.etag.clone(),
            last_modified: page.last_modified.clone(),
            content_type: page.content_type.clone(),
            run_id: Some(c.run.to_string()),
            object_path: Some(obj.path.clone()),
            source: None,
        };
        if c.held_for_issue_date(&processed.content, || issues::Deferred {
            final_url: page.final_url.clone(),
            raw_sha256: obj.sha256.clone(),
            info: info.clone(),
            urls: chain.urls.clone(),
            hops: chain.hops.clone(),
        }) {
            return Ok(PageResult::Captured);
        }
        // The document is keyed by the URL it was served at (its final URL).
        let article = processed.into_article_at(&body, info, &final_key);
        s.put_capture(&c.run, &article)?;
        // Aliases after the capture (see `put_aliases`); every URL of the chain, the
        // final one included, is then marked done.
        put_aliases(&mut s, &c.run, &chain.urls, &chain.hops, &final_key)?;
        Ok(PageResult::Captured)
    })
    .await
    .map_err(|e| CrawlError::Task(e.to_string()))?
}

/// Record a failure where the task is (the last URL of its chain; the others become
/// its aliases). A failure of the chain as a whole (a redirect loop, too many
/// redirects) is recorded under the URL the task took, as without the claims; the
/// URLs it claimed on the way are marked done without an outcome of their own (they
/// lead into the same broken chain).
async fn record_failed(
    ctx: &Arc<Ctx>,
    chain: Chain,
    reason: &str,
    http_status: Option<u16>,
    whole_chain: bool,
) -> Result<PageResult, CrawlError> {
    let (r, reason_owned) = (ctx.run.clone(), reason.to_string());
    with_store(&ctx.store, move |s| {
        if whole_chain {
            let first = chain.urls.first().map_or("", String::as_str);
            s.put_outcome(
                &r,
                first,
                &Outcome::Failed {
                    reason: reason_owned,
                    http_status,
                },
            )?;
            for u in &chain.urls {
                s.frontier_done(&r, u)?;
            }
            return Ok(());
        }
        let at = chain.last().to_string();
        s.put_outcome(
            &r,
            &at,
            &Outcome::Failed {
                reason: reason_owned,
                http_status,
            },
        )?;
        put_aliases(s, &r, &chain.urls, &chain.hops, &at)
    })
    .await?;
    Ok(PageResult::Failed)
}

/// Links of a stored body (for 304s): decode, parse, discover.
fn links_of(raw: &[u8], content_type: Option<&str>, base: &Url) -> Vec<Url> {
    match crate::decode::decode(raw, content_type) {
        Ok(d) => {
            let doc = crate::extract::dom::parse(&d.text);
            crate::extract::dom::links(&doc, base)
        }
        Err(_) => Vec::new(),
    }
}

/// Canonicalize, scope-check, extension-check and dedupe a page's links (at most
/// `max_links` are looked at), at depth `depth + 1`; none beyond `max_depth`.
pub fn filter_links(
    links: Vec<Url>,
    depth: u32,
    scope: &Scope,
    max_depth: Option<u32>,
    max_links: usize,
) -> Vec<(String, u32)> {
    let next = depth.saturating_add(1);
    if max_depth.is_some_and(|m| next > m) {
        return Vec::new();
    }
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for l in links.into_iter().take(max_links) {
        let Ok(u) = canonicalize(l) else { continue };
        if !scope.contains(&u) || has_non_html_extension(&u) {
            continue;
        }
        let s = u.to_string();
        if seen.insert(s.clone()) {
            out.push((s, next));
        }
    }
    out
}

impl Ctx {
    /// Hold an undated article back until the run's issue pages are known (its body
    /// is stored; [`issues::write_deferred`] writes the capture at the run's end), as
    /// long as the waiting list has room. False when the article needs no issue date,
    /// or when the list is full (warned once): the caller writes the capture now.
    fn held_for_issue_date(
        &self,
        content: &crate::model::Content,
        deferred: impl FnOnce() -> issues::Deferred,
    ) -> bool {
        if !issues::needs_issue_date(content) {
            return false;
        }
        let mut waiting = self.deferred.lock().unwrap_or_else(|p| p.into_inner());
        if waiting.len() < self.max_deferred {
            waiting.push(deferred());
            return true;
        }
        if !self.deferred_full.swap(true, Ordering::Relaxed) {
            tracing::warn!(
                max = self.max_deferred,
                "too many undated articles wait for issue pages; the rest are captured undated"
            );
        }
        false
    }

    fn filter_links(&self, links: Vec<Url>, depth: u32) -> Vec<(String, u32)> {
        let mut out = filter_links(links, depth, &self.scope, self.max_depth, self.max_links);
        if let Some(sh) = self.shard {
            out.retain(|(u, _)| url::Url::parse(u).is_ok_and(|u| sh.owns(&u)));
        }
        out
    }

    /// Add links to the frontier, within `max_frontier`.
    fn add_links(&self, s: &mut Store, mut links: Vec<(String, u32)>) -> Result<(), StoreError> {
        if links.is_empty() {
            return Ok(());
        }
        if let Some(max) = self.max_frontier {
            let known = self.known.load(Ordering::Relaxed);
            let room = max.saturating_sub(known) as usize;
            if links.len() > room {
                // Links may already be known, so only drop when the frontier is full.
                let extra = links.split_off(room);
                self.dropped
                    .fetch_add(extra.len() as u64, Ordering::Relaxed);
            }
        }
        let added = s.frontier_add(&self.run, &links)?;
        self.known.fetch_add(added as u64, Ordering::Relaxed);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_are_filtered_deduped_and_capped() {
        let seed = parse_canonical("http://h.com/archive/").unwrap();
        let scope = Scope {
            prefixes: vec![Prefix::of_seed(&seed)],
            ..Scope::default()
        };
        let u = |s: &str| Url::parse(s).unwrap();
        let links = vec![
            u("http://h.com/archive/a.html"),
            u("http://H.com:80/archive/./a.html#x"),
            u("http://h.com/archive/b.pdf"),
            u("http://other.com/archive/c.html"),
            u("http://h.com/elsewhere/d.html"),
            u("http://h.com/archive/e.html"),
        ];
        let out = filter_links(links.clone(), 0, &scope, None, 100);
        assert_eq!(
            out,
            vec![
                ("http://h.com/archive/a.html".to_string(), 1),
                ("http://h.com/archive/e.html".to_string(), 1)
            ]
        );
        assert!(filter_links(links.clone(), 2, &scope, Some(2), 100).is_empty());
        assert_eq!(filter_links(links, 0, &scope, None, 1).len(), 1);
    }

    #[test]
    fn default_config_matches_the_documented_defaults() {
        let c = CrawlConfig::new(vec![parse_canonical("http://h.com/a/b.html").unwrap()]);
        assert_eq!(c.concurrency, 8);
        assert_eq!(c.fetch.host_concurrency, 2);
        assert_eq!(c.fetch.host_delay, Duration::from_secs(1));
        assert_eq!(c.fetch.retry.retries, 3);
        assert_eq!(c.fetch.max_body, 20 * 1024 * 1024);
        assert_eq!(c.fetch.max_redirects, 5);
        assert!(c.fetch.user_agent.starts_with("quire/"));
        assert_eq!(c.scope().prefixes[0].to_string(), "http://h.com:80/a/");
    }
}
