//! The command line: clap definitions and one module per subcommand, each a thin
//! `execute()` that validates its arguments into the library's config structs, calls the
//! library, and returns an [`ExitCode`]. Nothing below `cli` reads the environment.

use clap::{Parser, Subcommand};

use crate::exit::ExitCode;

pub mod changes;
pub mod crawl;
pub mod debug_store_fill;
pub mod demo;
pub mod diff;
pub mod export;
pub mod extract;
pub mod history;
pub mod import;
pub mod reindex;
pub mod schema;
pub mod serve;
pub mod toc;
pub mod verify;

/// Exit codes, printed at the end of `--help`.
pub const EXIT_CODES_HELP: &str = "\
Exit codes:
  0  success
  1  finished, but some pages or inputs failed (see the summary)
  2  usage error (bad flags or configuration); nothing was done
  3  the store is locked by another quire process
  4  the store is corrupt (verification failed)
  5  fatal error (I/O error, unwritable store), or a crawl interrupted by
     Ctrl-C/SIGTERM (the next `quire crawl` resumes it)";

/// quire: archive online magazines.
#[derive(Debug, Parser)]
#[command(name = "quire", version, about, after_help = EXIT_CODES_HELP)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
    /// For a store on S3 (`--store s3://bucket/prefix`): the local directory holding
    /// its SQLite index and cached files (default: under $XDG_CACHE_HOME/quire/s3/).
    #[arg(long, global = true, value_name = "DIR", env = "QUIRE_INDEX_CACHE")]
    pub index_cache: Option<std::path::PathBuf>,
}

static INDEX_CACHE: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();

/// Where a `--store` argument points: `s3://bucket/prefix` or a local directory.
pub(crate) fn store_location(
    arg: &std::path::Path,
) -> Result<crate::store::StoreLocation, crate::store::StoreError> {
    crate::store::StoreLocation::parse(arg)
}

/// Open `--store` for writing (a directory, or a bucket with `--index-cache`).
pub(crate) fn open_store_writer(
    arg: &std::path::Path,
) -> Result<crate::store::Store, crate::store::StoreError> {
    crate::store::Store::open_writer_at(
        &store_location(arg)?,
        INDEX_CACHE.get().map(|p| p.as_path()),
    )
}

/// Open `--store` for writing, or the exit code to end with after printing why (the
/// store's own code: 3 when another writer holds it, 5 for I/O, …).
pub(crate) fn store_writer_or_exit(
    arg: &std::path::Path,
) -> Result<crate::store::Store, crate::exit::ExitCode> {
    open_store_writer(arg).map_err(|e| {
        eprintln!("quire: error: {e}");
        e.exit_code()
    })
}

/// A progress bar on stderr with `template` (indicatif's syntax), or none when stderr
/// is not a terminal (cron, pipes: the logs and the summary say it all).
pub(crate) fn progress_bar(template: &str) -> Option<indicatif::ProgressBar> {
    use std::io::IsTerminal;
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let b = indicatif::ProgressBar::new(0);
    if let Ok(style) = indicatif::ProgressStyle::with_template(template) {
        b.set_style(style);
    }
    Some(b)
}

/// Open `--store` for reading.
pub(crate) fn open_store_reader(
    arg: &std::path::Path,
) -> Result<crate::store::Store, crate::store::StoreError> {
    crate::store::Store::open_reader_at(
        &store_location(arg)?,
        INDEX_CACHE.get().map(|p| p.as_path()),
    )
}

/// Verify `--store`.
pub(crate) fn verify_store(
    arg: &std::path::Path,
) -> Result<crate::store::VerifyReport, crate::store::StoreError> {
    crate::store::Store::verify_at(
        &store_location(arg)?,
        INDEX_CACHE.get().map(|p| p.as_path()),
    )
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Extract saved pages into Article JSON documents.
    Extract(extract::Args),
    /// Crawl seed URLs into the store (resumes an interrupted run).
    Crawl(crawl::Args),
    /// Import WARC files (wget, Heritrix, Browsertrix, quire export) into the store.
    Import(import::Args),
    /// Print the Article JSON Schema.
    Schema(schema::Args),
    /// Added, removed, changed and unchanged articles between two runs.
    Changes(changes::Args),
    /// What changed in one article between two captures.
    Diff(diff::Args),
    /// Stream captures as JSONL Article documents or as a WARC 1.1 file.
    Export(export::Args),
    /// Re-hash every object, record and manifest of a store; exit 4 on any problem.
    Verify(verify::Args),
    /// List the captures of one URL, oldest first.
    History(history::Args),
    /// Print the entries of an index page (issue contents, archive, listing).
    Toc(toc::Args),
    /// Rebuild the store's SQLite index from its files.
    Reindex(reindex::Args),
    /// Serve a store read-only: web pages and a JSON API (loopback by default).
    Serve(serve::Args),
    /// Serve a bundled sample site on 127.0.0.1, crawl it twice, show what changed.
    Demo(demo::Args),
    /// Write synthetic captures into a store (for crash tests).
    #[command(hide = true)]
    DebugStoreFill(debug_store_fill::Args),
}

/// Run a parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    if let Some(dir) = cli.index_cache {
        let _ = INDEX_CACHE.set(dir);
    }
    match cli.command {
        Command::Extract(a) => extract::execute(a),
        Command::Crawl(a) => crawl::execute(a),
        Command::Import(a) => import::execute(a),
        Command::Schema(a) => schema::execute(a),
        Command::Changes(a) => changes::execute(a),
        Command::Diff(a) => diff::execute(a),
        Command::Export(a) => export::execute(a),
        Command::Verify(a) => verify::execute(a),
        Command::History(a) => history::execute(a),
        Command::Toc(a) => toc::execute(a),
        Command::Reindex(a) => reindex::execute(a),
        Command::Serve(a) => serve::execute(a),
        Command::Demo(a) => demo::execute(a),
        Command::DebugStoreFill(a) => debug_store_fill::execute(a),
    }
}

/// Logs through `tracing` to stderr, filtered by `RUST_LOG` (default: warnings).
pub fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

/// The exit code for an error that reached the binary's edge.
pub fn exit_code_for(err: &anyhow::Error) -> ExitCode {
    for cause in err.chain() {
        if cause.downcast_ref::<UsageError>().is_some() {
            return ExitCode::Usage;
        }
        if let Some(e) = cause.downcast_ref::<crate::store::StoreError>() {
            return e.exit_code();
        }
    }
    ExitCode::Fatal
}

/// A usage error found after clap's parsing (bad flag values, bad config file).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);
