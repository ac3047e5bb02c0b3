//! `quire import FILE.warc[.gz]... --store DIR`: WARC files into the store.
//!
//! Validates flags into an [`ImportConfig`] (profile resolution as in `quire crawl`),
//! opens the store as its single writer, runs the import, prints damages and digest
//! mismatches to stderr and the summary to stdout (one JSON line with `--json`).
//! Exit 1 when a file was damaged or a record that should have been imported was not.

use std::path::PathBuf;

use anyhow::Context;

use super::UsageError;
use crate::crawl::config::parse_size;
use crate::exit::ExitCode;
use crate::extract::{ExtractConfig, ProfileChoice, ProfileSet};
use crate::import::{ImportConfig, ImportError, ImportSummary, Progress};

/// Arguments of `quire import`.
#[derive(Debug, clap::Args)]
#[command(after_help = super::EXIT_CODES_HELP)]
pub struct Args {
    /// WARC files (WARC/1.0 or 1.1; plain, gzipped per record, or gzipped whole).
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// The store: a directory (created if absent) or `s3://bucket/prefix`.
    #[arg(long, value_name = "DIR")]
    pub store: PathBuf,
    /// Force a site profile (built-in name or TOML file) for every page.
    #[arg(long, value_name = "NAME|FILE")]
    pub profile: Option<String>,
    /// Largest page body, after content-decoding [default: 20MiB].
    #[arg(long, value_name = "SIZE")]
    pub max_body: Option<String>,
    /// End with one JSON summary line on stdout.
    #[arg(long)]
    pub json: bool,
}

/// The validated settings.
pub fn build_config(args: &Args) -> anyhow::Result<ImportConfig> {
    let usage = |m: String| anyhow::Error::new(UsageError(m));
    let mut cfg = ImportConfig::new(args.files.clone());
    for f in &args.files {
        if !f.is_file() {
            return Err(usage(format!("{}: no such file", f.display())));
        }
    }
    if let Some(v) = &args.max_body {
        cfg.max_body = parse_size(v).map_err(|e| usage(format!("--max-body: {e}")))?;
    }
    let profiles = ProfileSet::builtin();
    let choice = match &args.profile {
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
        // Links are for crawl discovery; an import follows none.
        skip_links: true,
        latest_date: None,
    };
    Ok(cfg)
}

fn print_human(s: &ImportSummary) {
    let mut line = format!(
        "run {}: {} captured ({} from revisits), {} failed, {} archived HTTP errors ({} gone), {} aliases, {} records skipped",
        s.run_id,
        s.captured,
        s.revisits,
        s.failed,
        s.http_errors,
        s.gone,
        s.aliases,
        s.skipped.values().sum::<u64>()
    );
    if !s.history_runs.is_empty() {
        line.push_str(&format!(
            "; earlier captures of URLs captured more than once in runs {}",
            s.history_runs.join(" ")
        ));
    }
    println!("{line}");
    if let (Some(prev), Some(a), Some(c), Some(u), Some(r)) =
        (&s.previous_run, s.added, s.changed, s.unchanged, s.removed)
    {
        println!("against run {prev}: {a} added, {c} changed, {u} unchanged, {r} removed");
    }
}

/// Run it.
pub fn execute(args: Args) -> anyhow::Result<ExitCode> {
    let cfg = build_config(&args)?;
    let mut store = match super::store_writer_or_exit(&args.store) {
        Ok(s) => s,
        Err(code) => return Ok(code),
    };
    let bar =
        super::progress_bar("{spinner} [{elapsed_precise}] {bar:30} {bytes}/{total_bytes} {msg}");
    let on_progress = |p: &Progress| {
        if let Some(b) = &bar {
            b.set_length(p.total_bytes);
            b.set_position(p.bytes);
            b.set_message(if p.pass == 1 { "planning" } else { "importing" });
        }
    };
    let result = crate::import::import(&cfg, &mut store, &on_progress);
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    let summary = match result {
        Ok(s) => s,
        Err(ImportError::Store(e)) => {
            eprintln!("quire: error: {e}");
            return Ok(e.exit_code());
        }
        Err(e @ (ImportError::UnfinishedCrawl(_) | ImportError::Open { .. })) => {
            return Err(UsageError(e.to_string()).into())
        }
        Err(e) => return Err(e).context("import"),
    };
    for d in &summary.damaged {
        eprintln!(
            "quire: {}: damaged at byte {}: {}; the records before it were imported",
            d.file, d.offset, d.detail
        );
    }
    for m in &summary.digest_mismatches {
        eprintln!(
            "quire: {}: record {} at byte {} ({}): digest mismatch ({} {}, computed {}); not stored",
            m.file, m.record_id, m.offset, m.url, m.header, m.expected, m.actual
        );
    }
    let listed = summary.digest_mismatches.len() as u64;
    let total: u64 = ["payload_digest_mismatch", "block_digest_mismatch"]
        .iter()
        .filter_map(|k| summary.failures.get(*k))
        .sum();
    if total > listed {
        eprintln!("quire: ... and {} more digest mismatches", total - listed);
    }
    if args.json {
        println!("{}", serde_json::to_string(&summary).context("summary")?);
    } else {
        print_human(&summary);
    }
    Ok(if summary.has_failures() {
        ExitCode::PartialFailure
    } else {
        ExitCode::Success
    })
}
