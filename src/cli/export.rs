//! `quire export [--run RUN] [--format jsonl|warc] [--all] > out`: stream the store's
//! captures as JSONL Article documents or as a WARC 1.1 file. Reads the store only.

use std::io::{BufWriter, IsTerminal, Write};
use std::path::PathBuf;

use crate::cli::changes::with_store_codes;
use crate::cli::UsageError;
use crate::exit::ExitCode;
use crate::export::{self, warc::WarcOptions, ExportError, Selection};
use crate::model::PageType;
use crate::store::RunId;

/// Export formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// One Article JSON document per line.
    Jsonl,
    /// WARC 1.1, gzip per record (request, response, conversion per capture).
    Warc,
}

/// Which pages `--page-type` selects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum PageTypeArg {
    /// Article pages.
    Article,
    /// Index pages.
    Index,
    /// Every page.
    All,
}

/// Arguments of `quire export`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Only captures of this run.
    #[arg(long, value_name = "RUN")]
    pub run: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value = "jsonl")]
    pub format: Format,
    /// Every capture, not only the latest per URL.
    #[arg(long)]
    pub all: bool,
    /// Which pages (JSONL): articles (the default), index pages (tables of contents,
    /// archives, listings, with their `entries`), or all. A WARC always holds every
    /// capture.
    #[arg(long, value_enum, default_value = "article")]
    pub page_type: PageTypeArg,
    /// Write here instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Store root.
    #[arg(long, value_name = "DIR", default_value = "snapshots")]
    pub store: PathBuf,
}

/// Run it.
pub fn execute(args: Args) -> anyhow::Result<ExitCode> {
    with_store_codes(|| {
        let store = super::open_store_reader(&args.store)?;
        let selection = Selection {
            run: args.run.clone().map(RunId),
            all: args.all,
            page_type: match (args.format, args.page_type) {
                (Format::Warc, _) | (_, PageTypeArg::All) => None,
                (_, PageTypeArg::Article) => Some(PageType::Article),
                (_, PageTypeArg::Index) => Some(PageType::Index),
            },
        };
        if let Some(run) = &selection.run {
            if !store.runs()?.iter().any(|r| &r.id == run) {
                return Err(UsageError(format!("no run {run} in {}", args.store.display())).into());
            }
        }
        let mut out: Box<dyn Write> = match &args.output {
            Some(p) => {
                Box::new(BufWriter::new(std::fs::File::create(p).map_err(|e| {
                    anyhow::anyhow!("cannot create {}: {e}", p.display())
                })?))
            }
            None => {
                if args.format == Format::Warc && std::io::stdout().is_terminal() {
                    return Err(UsageError(
                        "refusing to write a gzipped WARC to a terminal; redirect it or use --output"
                            .into(),
                    )
                    .into());
                }
                Box::new(BufWriter::with_capacity(
                    256 * 1024,
                    std::io::stdout().lock(),
                ))
            }
        };
        let res = match args.format {
            Format::Jsonl => export::jsonl::export(&store, &selection, &mut out),
            Format::Warc => {
                let opts = WarcOptions {
                    selection,
                    created: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                    filename: args
                        .output
                        .as_ref()
                        .and_then(|p| p.file_name())
                        .map(|n| n.to_string_lossy().into_owned()),
                };
                export::warc::export(&store, &opts, &mut out)
            }
        };
        match res {
            Ok(stats) => {
                tracing::info!(
                    captures = stats.captures,
                    bytes = stats.bytes,
                    "export done"
                );
                Ok(ExitCode::Success)
            }
            // The reader went away (`| head`): not an error of ours.
            Err(ExportError::Io(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => {
                Ok(ExitCode::Success)
            }
            Err(e) => Err(e.into()),
        }
    })
}
