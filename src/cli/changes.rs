//! `quire changes [RUN_A RUN_B] [--index]`: added, removed, changed and unchanged
//! articles between two runs (default: the last two), or with `--index` the entries
//! each index page gained and lost. Reads the store; never writes it.

use std::path::PathBuf;

use anyhow::Context;

use crate::cli::UsageError;
use crate::diff::changes::{compare_runs, RunComparison};
use crate::exit::ExitCode;
use crate::store::{RunId, StoreError};

/// Arguments of `quire changes`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The older run (with RUN_B; default: the second-to-last run).
    #[arg(value_name = "RUN_A", requires = "run_b")]
    pub run_a: Option<String>,
    /// The newer run (default: the last run).
    #[arg(value_name = "RUN_B")]
    pub run_b: Option<String>,
    /// Print one JSON object instead of the human report.
    #[arg(long)]
    pub json: bool,
    /// Report index pages instead of articles: per issue, archive or listing page, the
    /// entries added and removed between the two runs.
    #[arg(long)]
    pub index: bool,
    /// Store root.
    #[arg(long, value_name = "DIR", default_value = "snapshots")]
    pub store: PathBuf,
}

/// Run it.
pub fn execute(args: Args) -> anyhow::Result<ExitCode> {
    with_store_codes(|| {
        let store = super::open_store_reader(&args.store)?;
        let (old, new) = match (&args.run_a, &args.run_b) {
            (Some(a), Some(b)) => (RunId(a.clone()), RunId(b.clone())),
            _ => match crate::diff::changes::default_pair(&store)? {
                Some(pair) => pair,
                None => {
                    return Err(UsageError(format!(
                        "the store at {} has {} run(s) to compare; changes needs two",
                        args.store.display(),
                        store.runs()?.len()
                    ))
                    .into())
                }
            },
        };
        let known = store.runs()?;
        for id in [&old, &new] {
            if !known.iter().any(|r| &r.id == id) {
                return Err(UsageError(format!("no run {id} in {}", args.store.display())).into());
            }
        }
        let mut out = std::io::stdout().lock();
        if args.index {
            let cmp = crate::diff::index::compare_index_pages(&store, &old, &new)
                .context("comparing index pages")?;
            if args.json {
                serde_json::to_writer(&mut out, &cmp)?;
                use std::io::Write;
                writeln!(out)?;
            } else {
                crate::diff::index::print_human(&mut out, &cmp)?;
            }
            return Ok(ExitCode::Success);
        }
        let cmp = compare_runs(&store, &old, &new).context("comparing runs")?;
        if args.json {
            serde_json::to_writer(&mut out, &cmp)?;
            use std::io::Write;
            writeln!(out)?;
        } else {
            print_human(&mut out, &cmp)?;
        }
        Ok(ExitCode::Success)
    })
}

/// The human report: counts, then one line per URL (`+` added, `-` removed, `~`
/// changed, `!` failed), with the article's aliases when it has any.
pub fn print_human(out: &mut dyn std::io::Write, cmp: &RunComparison) -> std::io::Result<()> {
    writeln!(out, "changes {} -> {}", cmp.old, cmp.new)?;
    writeln!(
        out,
        "  added {}, removed {}, changed {}, unchanged {}, failed {}",
        cmp.added.len(),
        cmp.removed.len(),
        cmp.changed.len(),
        cmp.unchanged,
        cmp.failed.len()
    )?;
    if cmp.index_pages > 0 {
        writeln!(
            out,
            "  ({} index page(s) left out: they are not articles)",
            cmp.index_pages
        )?;
    }
    if cmp.alias_urls > 0 {
        writeln!(
            out,
            "  ({} alias URL(s) left out: they redirected to an article listed under its own URL)",
            cmp.alias_urls
        )?;
    }
    for (mark, list) in [
        ('+', &cmp.added),
        ('-', &cmp.removed),
        ('~', &cmp.changed),
        ('!', &cmp.failed),
    ] {
        for url in list {
            match cmp.aliases.get(url) {
                Some(a) => writeln!(out, "{mark} {url}  (aliases: {})", a.join(", "))?,
                None => writeln!(out, "{mark} {url}")?,
            }
        }
    }
    Ok(())
}

/// Run `f`; a closed output pipe is success; a store error that has its own exit code (locked, corrupt) is printed and
/// turned into that code, everything else goes up to `main` as usual.
pub(crate) fn with_store_codes(
    f: impl FnOnce() -> anyhow::Result<ExitCode>,
) -> anyhow::Result<ExitCode> {
    match f() {
        Ok(code) => Ok(code),
        // The reader of our output went away (`| head`): not a failure of ours.
        Err(e)
            if e.chain().any(|c| {
                c.downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            }) =>
        {
            Ok(ExitCode::Success)
        }
        Err(e) => {
            let code = e
                .chain()
                .find_map(|c| c.downcast_ref::<StoreError>())
                .map(StoreError::exit_code);
            match code {
                Some(code) if code != ExitCode::Fatal => {
                    eprintln!("quire: error: {e:#}");
                    Ok(code)
                }
                _ => Err(e),
            }
        }
    }
}
