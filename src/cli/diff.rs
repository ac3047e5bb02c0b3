//! `quire diff URL [--from CAPTURE|RUN] [--to CAPTURE|RUN]`: what changed in one
//! article between two captures (default: its last two). Reads the store only.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use crate::cli::changes::with_store_codes;
use crate::cli::UsageError;
use crate::diff::render::{render, RenderOptions};
use crate::exit::ExitCode;
use crate::store::{CaptureSummary, Store};

/// Unchanged words kept on each side of a change inside an edited block.
const CONTEXT_WORDS: usize = 12;

/// Arguments of `quire diff`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The URL (as crawled), or one of its aliases.
    pub url: String,
    /// Old side: a capture id, or a run id (the URL as it stood in that run).
    /// Default: the second-to-last capture (or the one before `--to`).
    #[arg(long, value_name = "CAPTURE|RUN")]
    pub from: Option<String>,
    /// New side: a capture id or a run id. Default: the last capture.
    #[arg(long, value_name = "CAPTURE|RUN")]
    pub to: Option<String>,
    /// Print edited blocks whole (default: unchanged words far from a change are elided).
    #[arg(long)]
    pub full: bool,
    /// Print the typed operations as JSON.
    #[arg(long)]
    pub json: bool,
    /// Store root.
    #[arg(long, value_name = "DIR", default_value = "snapshots")]
    pub store: PathBuf,
}

/// Pick a capture from `history` (oldest first) by capture id (exact, or a unique
/// prefix) or by run id: the URL as it stood in that run, i.e. the last capture made in
/// or before it (a run that got 304 Not Modified made no capture of its own; run ids
/// sort by start time).
fn resolve(history: &[CaptureSummary], runs: &[String], key: &str) -> Result<usize, UsageError> {
    if let Some(i) = history.iter().position(|c| c.id.to_string() == key) {
        return Ok(i);
    }
    if runs.iter().any(|r| r == key) {
        return history
            .iter()
            .rposition(|c| c.run.to_string().as_str() <= key)
            .ok_or_else(|| UsageError(format!("no capture of this URL in or before run {key}")));
    }
    let prefixed: Vec<usize> = (0..history.len())
        .filter(|&i| history[i].id.to_string().starts_with(key))
        .collect();
    match prefixed.as_slice() {
        [i] => Ok(*i),
        [] => Err(UsageError(format!(
            "{key:?} is neither a capture of this URL nor a run of the store"
        ))),
        _ => Err(UsageError(format!("{key:?} matches several captures"))),
    }
}

/// Run it.
pub fn execute(args: Args) -> anyhow::Result<ExitCode> {
    with_store_codes(|| {
        let store = Store::open_reader(&args.store)?;
        // An alias finds its article; an old store's captures under the alias count.
        let article = store.article_history(&args.url)?;
        let history = article.captures;
        if history.is_empty() {
            return Err(UsageError(format!(
                "no captures of {} in {}",
                args.url,
                args.store.display()
            ))
            .into());
        }
        let runs: Vec<String> = store.runs()?.iter().map(|r| r.id.to_string()).collect();
        let to = match &args.to {
            Some(k) => resolve(&history, &runs, k)?,
            None => history.len() - 1,
        };
        let from = match &args.from {
            Some(k) => resolve(&history, &runs, k)?,
            None if to > 0 => to - 1,
            None => {
                return Err(UsageError(format!(
                    "only one capture of {} before --to; nothing to compare",
                    args.url
                ))
                .into())
            }
        };
        let (a, b) = (&history[from], &history[to]);
        let old = store.read_capture(&a.id)?;
        let new = store.read_capture(&b.id)?;
        let d = crate::diff::articles(&old, &new);
        let mut out = std::io::stdout().lock();
        if args.json {
            let side = |c: &CaptureSummary| {
                serde_json::json!({
                    "capture": c.id.to_string(),
                    "run": c.run.to_string(),
                    "fetched_at": c.fetched_at,
                    "content_sha256": c.content_sha256,
                })
            };
            let doc = serde_json::json!({
                "url": article.url,
                "from": side(a),
                "to": side(b),
                "diff": d,
            });
            serde_json::to_writer(&mut out, &doc)?;
            writeln!(out)?;
        } else {
            let color = std::io::stdout().is_terminal();
            let p = |c: &CaptureSummary| {
                format!(
                    "capture {} (run {}, fetched {})",
                    c.id,
                    c.run,
                    c.fetched_at.as_deref().unwrap_or("-")
                )
            };
            writeln!(out, "diff {}", article.url)?;
            writeln!(out, "--- {}", p(a))?;
            writeln!(out, "+++ {}", p(b))?;
            let opts = RenderOptions {
                color,
                context_words: (!args.full).then_some(CONTEXT_WORDS),
            };
            render(&d, &old.content, &new.content, &opts, &mut out)?;
        }
        Ok(ExitCode::Success)
    })
}
