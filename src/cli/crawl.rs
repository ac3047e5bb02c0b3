//! `quire crawl`: seeds (or `--config FILE`) → a run in the store; with `--source
//! wayback`, a web archive's captures of one URL prefix → a run in the store.
//!
//! Validates flags and the config file into a [`CrawlConfig`] (flags win over the
//! file, the file over defaults), opens the store as its single writer, runs the crawl
//! on a tokio runtime with Ctrl-C/SIGTERM as the stop signal, shows a progress bar when
//! stderr is a terminal, and prints the summary (one JSON line with `--json`).

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;

use super::UsageError;
use crate::crawl::config::{parse_duration, parse_size, FileConfig};
use crate::crawl::wayback::{self, Endpoint, WaybackConfig};
use crate::crawl::{CrawlConfig, Progress, Summary};
use crate::exit::ExitCode;
use crate::extract::{ExtractConfig, ProfileChoice, ProfileSet};
use crate::fetch::url::{parse_canonical, Prefix};

/// Where a crawl's pages come from (`--source`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SourceArg {
    /// The live site: fetch the seeds and follow their links.
    Live,
    /// A web archive: its captures of the URL prefix given as the one seed.
    Wayback,
}

/// Arguments of `quire crawl`.
#[derive(Debug, clap::Args)]
#[command(after_help = super::EXIT_CODES_HELP)]
pub struct Args {
    /// Seed URLs; each adds its host and path prefix (up to the last '/') to the scope.
    /// With `--source wayback`: the one URL prefix whose captures are taken.
    pub seeds: Vec<String>,
    /// Where pages come from: the live site, or a web archive's captures of the URL
    /// prefix (its original bytes through `id_` replay; links are not followed)
    /// [default: live].
    #[arg(long, value_enum)]
    pub source: Option<SourceArg>,
    /// With `--source wayback`: the archive. A base URL without a path (Wayback layout:
    /// CDX at /cdx/search/cdx, replay at /web/), the same ending in /web, or a pywb
    /// collection URL (CDX at <URL>/cdx, replay at <URL>/) [default: https://web.archive.org].
    #[arg(long, value_name = "URL")]
    pub wayback_endpoint: Option<String>,
    /// With `--source wayback`: earliest capture taken, inclusive: a year (YYYY) or a
    /// longer timestamp prefix (YYYYMMDD, up to 14 digits).
    #[arg(long, value_name = "YYYY")]
    pub from: Option<String>,
    /// With `--source wayback`: latest capture taken, inclusive (as --from).
    #[arg(long, value_name = "YYYY")]
    pub to: Option<String>,
    /// CDX rows asked for per request (for tests) [default: 1000].
    #[arg(long, value_name = "N", hide = true)]
    pub cdx_page_size: Option<usize>,
    /// Read settings from this TOML file (same names as the flags; flags win).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// The store directory (created if absent).
    #[arg(long, value_name = "DIR")]
    pub store: Option<PathBuf>,
    /// End with one JSON summary line on stdout.
    #[arg(long)]
    pub json: bool,
    /// Force a site profile (built-in name or TOML file) for every page.
    #[arg(long, value_name = "NAME|FILE")]
    pub profile: Option<String>,
    /// Another in-scope URL prefix (repeatable).
    #[arg(long, value_name = "PREFIX")]
    pub scope: Vec<String>,
    /// Only URLs matching one of these regexes are in scope (repeatable).
    #[arg(long, value_name = "REGEX")]
    pub include: Vec<String>,
    /// URLs matching any of these regexes are out of scope (repeatable).
    #[arg(long, value_name = "REGEX")]
    pub exclude: Vec<String>,
    /// Most pages fetched in this run.
    #[arg(long, value_name = "N")]
    pub max_pages: Option<u64>,
    /// Crawl only the hosts of shard I of N (0 <= I < N): N crawlers, each with its
    /// own --shard, split a site by host (e.g. into one store on S3).
    #[arg(long, value_name = "I/N")]
    pub shard: Option<crate::crawl::shard::Shard>,
    /// Most link hops from a seed.
    #[arg(long, value_name = "N")]
    pub max_depth: Option<u32>,
    /// Largest page body, after content-decoding [default: 20MiB].
    #[arg(long, value_name = "SIZE")]
    pub max_body: Option<String>,
    /// Most bytes downloaded in this run.
    #[arg(long, value_name = "SIZE")]
    pub max_run_bytes: Option<String>,
    /// Most URLs known to this run's frontier.
    #[arg(long, value_name = "N")]
    pub max_frontier: Option<u64>,
    /// Longest run, e.g. 30m; then no new page is started, pages still in flight 10 s
    /// later are abandoned, and the run is finished.
    #[arg(long, value_name = "DURATION")]
    pub max_duration: Option<String>,
    /// Delay between request starts to one host [default: 1s].
    #[arg(long, value_name = "DURATION")]
    pub delay: Option<String>,
    /// Longest robots.txt Crawl-delay honoured; a Crawl-delay only ever raises --delay,
    /// and 0 ignores it [default: 60s].
    #[arg(long, value_name = "DURATION")]
    pub max_crawl_delay: Option<String>,
    /// Most pages in flight, all hosts together [default: 8].
    #[arg(long, value_name = "N")]
    pub concurrency: Option<usize>,
    /// Most requests in flight to one host [default: 2].
    #[arg(long, value_name = "N")]
    pub host_concurrency: Option<usize>,
    /// Retries of connection errors, timeouts, 429 and 5xx [default: 3].
    #[arg(long, value_name = "N")]
    pub retries: Option<u32>,
    /// User-Agent header [default: quire/<version> (+https://github.com/quire-archiver/quire)].
    #[arg(long, value_name = "TEXT")]
    pub user_agent: Option<String>,
    /// Connect timeout [default: 10s].
    #[arg(long, value_name = "DURATION")]
    pub connect_timeout: Option<String>,
    /// Read timeout (between two reads) [default: 30s].
    #[arg(long, value_name = "DURATION")]
    pub read_timeout: Option<String>,
    /// Longest one request may take, body included (a server trickling bytes is cut
    /// off here) [default: 120s].
    #[arg(long, value_name = "DURATION")]
    pub request_timeout: Option<String>,
    /// First retry backoff, doubled per retry (for tests) [default: 500ms].
    #[arg(long, value_name = "DURATION", hide = true)]
    pub retry_base: Option<String>,
}

fn usage(msg: impl Into<String>) -> anyhow::Error {
    anyhow::Error::new(UsageError(msg.into()))
}

fn dur(what: &str, v: &str) -> anyhow::Result<Duration> {
    parse_duration(v).map_err(|e| usage(format!("--{what}: {e}")))
}

fn size(what: &str, v: &str) -> anyhow::Result<u64> {
    parse_size(v).map_err(|e| usage(format!("--{what}: {e}")))
}

fn regexes(what: &str, v: &[String]) -> anyhow::Result<Vec<regex::Regex>> {
    v.iter()
        .map(|r| {
            regex::RegexBuilder::new(r)
                .size_limit(1 << 20)
                .build()
                .map_err(|e| usage(format!("--{what} {r:?}: {e}")))
        })
        .collect()
}

/// The validated settings: the crawl config, the store path, `--json`.
pub fn build_config(args: Args) -> anyhow::Result<(CrawlConfig, PathBuf, bool)> {
    let file = match &args.config {
        Some(p) => FileConfig::load(p).map_err(|e| usage(e.to_string()))?,
        None => FileConfig::default(),
    };
    let seed_texts = if args.seeds.is_empty() {
        file.seeds.clone()
    } else {
        args.seeds.clone()
    };
    if seed_texts.is_empty() {
        return Err(usage(
            "no seed URLs: give them as arguments or as `seeds` in --config",
        ));
    }
    let mut seeds = Vec::new();
    for s in &seed_texts {
        seeds.push(parse_canonical(s).map_err(|e| usage(format!("seed: {e}")))?);
    }
    let store = args
        .store
        .clone()
        .or(file.store.clone())
        .ok_or_else(|| usage("no store: give --store DIR or `store` in --config"))?;
    let mut cfg = CrawlConfig::new(seeds);
    let scope_texts = if args.scope.is_empty() {
        &file.scope
    } else {
        &args.scope
    };
    for p in scope_texts {
        cfg.extra_scope
            .push(Prefix::parse(p).map_err(|e| usage(format!("--scope: {e}")))?);
    }
    cfg.include = regexes(
        "include",
        if args.include.is_empty() {
            &file.include
        } else {
            &args.include
        },
    )?;
    cfg.exclude = regexes(
        "exclude",
        if args.exclude.is_empty() {
            &file.exclude
        } else {
            &args.exclude
        },
    )?;
    cfg.max_pages = args.max_pages.or(file.max_pages);
    cfg.shard = args.shard;
    cfg.max_depth = args.max_depth.or(file.max_depth);
    cfg.max_frontier = args.max_frontier.or(file.max_frontier).or(cfg.max_frontier);
    if let Some(v) = &args.max_body {
        cfg.fetch.max_body = size("max-body", v)?;
    } else if let Some(v) = &file.max_body {
        cfg.fetch.max_body = v.bytes().map_err(|e| usage(format!("max-body: {e}")))?;
    }
    if let Some(v) = &args.max_run_bytes {
        cfg.max_run_bytes = Some(size("max-run-bytes", v)?);
    } else if let Some(v) = &file.max_run_bytes {
        cfg.max_run_bytes = Some(
            v.bytes()
                .map_err(|e| usage(format!("max-run-bytes: {e}")))?,
        );
    }
    if let Some(v) = args.max_duration.as_ref().or(file.max_duration.as_ref()) {
        cfg.max_duration = Some(dur("max-duration", v)?);
    }
    if let Some(v) = args.delay.as_ref().or(file.delay.as_ref()) {
        cfg.fetch.host_delay = dur("delay", v)?;
    }
    if let Some(v) = args
        .max_crawl_delay
        .as_ref()
        .or(file.max_crawl_delay.as_ref())
    {
        cfg.fetch.max_crawl_delay = dur("max-crawl-delay", v)?;
    }
    if let Some(n) = args.concurrency.or(file.concurrency) {
        if n == 0 {
            return Err(usage("--concurrency must be at least 1"));
        }
        cfg.concurrency = n;
    }
    if let Some(n) = args.host_concurrency.or(file.host_concurrency) {
        if n == 0 {
            return Err(usage("--host-concurrency must be at least 1"));
        }
        cfg.fetch.host_concurrency = n;
    }
    if let Some(n) = args.retries.or(file.retries) {
        cfg.fetch.retry.retries = n;
    }
    if let Some(ua) = args.user_agent.clone().or(file.user_agent.clone()) {
        if ua.trim().is_empty() {
            return Err(usage("--user-agent must not be empty"));
        }
        cfg.fetch.user_agent = ua;
    }
    if let Some(v) = args
        .connect_timeout
        .as_ref()
        .or(file.connect_timeout.as_ref())
    {
        cfg.fetch.connect_timeout = dur("connect-timeout", v)?;
    }
    if let Some(v) = args.read_timeout.as_ref().or(file.read_timeout.as_ref()) {
        cfg.fetch.read_timeout = dur("read-timeout", v)?;
    }
    if let Some(v) = args
        .request_timeout
        .as_ref()
        .or(file.request_timeout.as_ref())
    {
        cfg.fetch.request_timeout = dur("request-timeout", v)?;
    }
    if let Some(v) = &args.retry_base {
        cfg.fetch.retry.base = dur("retry-base", v)?;
    }
    let profiles = ProfileSet::builtin();
    let choice = match args.profile.as_ref().or(file.profile.as_ref()) {
        Some(p) => {
            let prof = profiles
                .resolve(p)
                .map_err(|e| usage(format!("--profile: {e}")))?;
            cfg.profile_label = Some(p.clone());
            ProfileChoice::Force(prof)
        }
        None => ProfileChoice::ByHost,
    };
    cfg.extract = ExtractConfig {
        profiles,
        choice,
        skip_links: false,
        // A weekly run lasts hours at most: the day of slack covers it.
        latest_date: crate::extract::latest_date_for(chrono::Utc::now()),
    };
    cfg.wayback = wayback_config(&args, &file, &cfg)?;
    let json = args.json || file.json.unwrap_or(false);
    Ok((cfg, store, json))
}

/// The `--source wayback` settings, or `None` for a live crawl; usage errors for flags
/// that do not fit the source.
fn wayback_config(
    args: &Args,
    file: &FileConfig,
    cfg: &CrawlConfig,
) -> anyhow::Result<Option<WaybackConfig>> {
    let source = match (args.source, file.source.as_deref()) {
        (Some(s), _) => s,
        (None, None) => SourceArg::Live,
        (None, Some(text)) => match text {
            "live" => SourceArg::Live,
            "wayback" => SourceArg::Wayback,
            other => {
                return Err(usage(format!(
                    "source {other:?} in --config: expected \"live\" or \"wayback\""
                )))
            }
        },
    };
    let endpoint = args
        .wayback_endpoint
        .as_ref()
        .or(file.wayback_endpoint.as_ref());
    let from = args.from.as_ref().or(file.from.as_ref());
    let to = args.to.as_ref().or(file.to.as_ref());
    if source == SourceArg::Live {
        if endpoint.is_some() || from.is_some() || to.is_some() || args.cdx_page_size.is_some() {
            return Err(usage(
                "--wayback-endpoint, --from and --to need --source wayback",
            ));
        }
        return Ok(None);
    }
    let prefix = match cfg.seeds.as_slice() {
        [one] => one.clone(),
        _ => {
            return Err(usage(format!(
                "--source wayback takes one URL prefix, got {}",
                cfg.seeds.len()
            )))
        }
    };
    if !cfg.extra_scope.is_empty() || cfg.max_depth.is_some() {
        return Err(usage(
            "--scope and --max-depth do not apply to --source wayback: the archive's \
             listing of the prefix is the frontier, and links are not followed",
        ));
    }
    let endpoint = Endpoint::parse(endpoint.map_or(wayback::DEFAULT_ENDPOINT, String::as_str))
        .map_err(|e| usage(e.to_string()))?;
    let mut wb = WaybackConfig::new(endpoint, prefix);
    if let Some(f) = from {
        wb.from = Some(wayback::parse_bound("from", f).map_err(|e| usage(e.to_string()))?);
    }
    if let Some(t) = to {
        wb.to = Some(wayback::parse_bound("to", t).map_err(|e| usage(e.to_string()))?);
    }
    if let (Some(f), Some(t)) = (&wb.from, &wb.to) {
        // Compare as the archive does: the lower bound padded with 0s, the upper with 9s.
        let lo = format!("{f:0<14}");
        let hi = format!("{t:9<14}");
        if lo > hi {
            return Err(usage(format!("--from {f} is after --to {t}")));
        }
    }
    if let Some(n) = args.cdx_page_size {
        if n == 0 {
            return Err(usage("--cdx-page-size must be at least 1"));
        }
        wb.page_size = n;
    }
    Ok(Some(wb))
}

pub(crate) async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// Run it.
pub fn execute(args: Args) -> anyhow::Result<ExitCode> {
    let (cfg, store_path, json) = build_config(args)?;
    let store = match super::store_writer_or_exit(&store_path) {
        Ok(s) => s,
        Err(code) => return Ok(code),
    };
    let bar = super::progress_bar("{spinner} [{elapsed_precise}] {bar:30} {pos}/{len} pages {msg}");
    let on_progress = |p: &Progress| {
        if let Some(b) = &bar {
            b.set_length(p.known);
            b.set_position(p.done);
            b.set_message(format!("{} captured, {} failed", p.captured, p.failed));
        }
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let result = rt.block_on(crate::crawl::crawl(cfg, store, stop_signal(), &on_progress));
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    let summary: Summary = match result {
        Ok(s) => s,
        Err(crate::crawl::CrawlError::Store(e)) => {
            eprintln!("quire: error: {e}");
            return Ok(e.exit_code());
        }
        Err(e @ crate::crawl::CrawlError::OtherRunUnfinished { .. }) => {
            eprintln!("quire: error: {e}");
            return Ok(ExitCode::Usage);
        }
        Err(crate::crawl::CrawlError::Wayback(e @ wayback::WaybackError::NothingListed { .. })) => {
            eprintln!("quire: {e}");
            return Ok(ExitCode::PartialFailure);
        }
        Err(e) => return Err(e.into()),
    };
    if json {
        println!("{}", serde_json::to_string(&summary).context("summary")?);
    } else {
        if let Some(w) = &summary.wayback {
            println!(
                "{}: {} captures listed under {} ({} CDX rows; {} earlier captures of the same URLs, {} not HTML, {} not 200 left out){}",
                w.endpoint,
                w.captures,
                w.prefix,
                w.rows,
                w.superseded,
                w.not_html,
                w.not_200,
                if w.truncated { "; the listing was cut short" } else { "" }
            );
        }
        println!(
            "run {}: {} captured, {} not modified, {} failed, {} gone{}",
            summary.run_id,
            summary.captured,
            summary.not_modified,
            summary.failed,
            summary.gone,
            if summary.finished {
                ""
            } else {
                " (interrupted; the next crawl resumes it)"
            }
        );
    }
    Ok(if !summary.finished {
        ExitCode::Fatal
    } else if summary.failed > 0 {
        ExitCode::PartialFailure
    } else {
        ExitCode::Success
    })
}
