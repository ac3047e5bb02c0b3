//! `quire diff URL [--from CAPTURE|RUN] [--to CAPTURE|RUN]`: what changed in one
//! article between two captures (default: its last two). Reads the store only.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use crate::cli::changes::with_store_codes;
use crate::cli::UsageError;
use crate::diff::pick::{document, pick, PickError};
use crate::diff::render::{render, RenderOptions};
use crate::exit::ExitCode;
use crate::store::CaptureSummary;

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

/// Run it.
pub fn execute(args: Args) -> anyhow::Result<ExitCode> {
    with_store_codes(|| {
        let store = super::open_store_reader(&args.store)?;
        let pair = match pick(&store, &args.url, args.from.as_deref(), args.to.as_deref()) {
            Ok(p) => p,
            Err(PickError::Store(e)) => return Err(e.into()),
            Err(PickError::NoCaptures(url)) => {
                return Err(
                    UsageError(format!("no captures of {url} in {}", args.store.display())).into(),
                )
            }
            Err(e) => return Err(UsageError(e.to_string()).into()),
        };
        let (a, b) = (&pair.from, &pair.to);
        let old = store.read_capture(&a.id)?;
        let new = store.read_capture(&b.id)?;
        let d = crate::diff::articles(&old, &new);
        let mut out = std::io::stdout().lock();
        if args.json {
            serde_json::to_writer(&mut out, &document(&pair, &d))?;
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
            writeln!(out, "diff {}", pair.url)?;
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
