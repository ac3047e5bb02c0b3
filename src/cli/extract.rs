//! `quire extract`: saved pages to Article documents, in one process.
//!
//! Reads each input (a path, or `-` for stdin), runs [`crate::pipeline::process`], and
//! prints the Article JSON (or the body as text). With several inputs and `--out DIR`
//! it writes one `<input name>.json` (or `.txt`) per input, `--jobs` pages at a time
//! (default: one per core; each page is independent, so the outputs are the same
//! whatever the number). A failing input is reported and counted; the others still run
//! (exit code 1 when any failed).

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use anyhow::Context;

use super::UsageError;
use crate::exit::ExitCode;
use crate::extract::{ExtractConfig, ProfileChoice, ProfileSet};
use crate::model::Article;
use crate::pipeline::{self, CaptureInfo, PageInput};

/// Largest input read (a bigger one is refused with a clear error after reading at
/// most this many bytes, so memory stays bounded). Matches the crawler's order of
/// magnitude for `--max-body`.
pub const MAX_INPUT_BYTES: u64 = 32 * 1024 * 1024;

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// The Article JSON document (pretty-printed).
    Json,
    /// The body as plain text, one block per line.
    Text,
}

/// Arguments of `quire extract`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Saved pages to extract (`-` reads standard input).
    #[arg(required = true)]
    pub inputs: Vec<PathBuf>,
    /// The page's URL (resolves links and images; chooses the profile by host).
    /// Without it a file:// URL of the input is used.
    #[arg(long)]
    pub url: Option<String>,
    /// The HTTP Content-Type the page was served with (its charset is evidence).
    #[arg(long)]
    pub content_type: Option<String>,
    /// Site profile: a built-in name (esr), a TOML file, or "generic".
    #[arg(long)]
    pub profile: Option<String>,
    /// Write one output file per input into this directory.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Json)]
    pub format: Format,
    /// With `--format text`: also print image captions (and credits), each on a line
    /// of its own where the image is. Without it the text is the running text only.
    #[arg(long)]
    pub captions: bool,
    /// With `--out`: pages extracted at once, on as many threads (default: the
    /// machine's cores). Memory grows with it: one page and its DOM per thread.
    #[arg(long, short = 'j')]
    pub jobs: Option<usize>,
}

/// Build the extract stage's configuration from a `--profile` argument.
pub fn extract_config(profile: Option<&str>) -> Result<ExtractConfig, UsageError> {
    let profiles = ProfileSet::builtin();
    let choice = match profile {
        None => ProfileChoice::ByHost,
        Some("generic") => ProfileChoice::Generic,
        Some(p) => ProfileChoice::Force(Arc::clone(
            &profiles.resolve(p).map_err(|e| UsageError(e.to_string()))?,
        )),
    };
    Ok(ExtractConfig {
        profiles,
        choice,
        skip_links: false,
        latest_date: crate::extract::latest_date_for(chrono::Utc::now()),
    })
}

/// Run it.
pub fn execute(args: Args) -> anyhow::Result<ExitCode> {
    let cfg = ExtractConfig {
        skip_links: true,
        ..extract_config(args.profile.as_deref())?
    };
    if args.inputs.len() > 1 && args.out.is_none() {
        return Err(UsageError("several inputs need --out DIR".into()).into());
    }
    if let Some(dir) = &args.out {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let jobs = match args.jobs {
        Some(0) => return Err(UsageError("--jobs must be at least 1".into()).into()),
        Some(n) => n,
        None => std::thread::available_parallelism().map_or(1, usize::from),
    };
    // Without --out there is one input, printed to stdout.
    let jobs = if args.out.is_some() {
        jobs.min(args.inputs.len()).max(1)
    } else {
        1
    };
    let next = AtomicUsize::new(0);
    let failed = AtomicUsize::new(0);
    let work = || -> anyhow::Result<()> {
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(input) = args.inputs.get(i) else {
                return Ok(());
            };
            match extract_one(input, &args, &cfg) {
                Ok(out) => write_output(input, &args, &out)?,
                Err(e) => {
                    failed.fetch_add(1, Ordering::Relaxed);
                    eprintln!("quire: {}: {e:#}", input.display());
                }
            }
        }
    };
    if jobs == 1 {
        work()?;
    } else {
        // An output that cannot be written stops that worker; the first such error
        // is the command's.
        let results: Vec<anyhow::Result<()>> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..jobs).map(|_| scope.spawn(work)).collect();
            handles
                .into_iter()
                .map(|h| {
                    h.join()
                        .unwrap_or_else(|_| Err(anyhow::anyhow!("an extraction thread panicked")))
                })
                .collect()
        });
        results.into_iter().collect::<anyhow::Result<()>>()?;
    }
    Ok(if failed.load(Ordering::Relaxed) > 0 {
        ExitCode::PartialFailure
    } else {
        ExitCode::Success
    })
}

/// Write one input's output: a file in `--out` named after the input, or stdout.
fn write_output(input: &Path, args: &Args, out: &str) -> anyhow::Result<()> {
    if let Some(dir) = &args.out {
        let ext = if args.format == Format::Json {
            "json"
        } else {
            "txt"
        };
        let name = input
            .file_name()
            .map_or_else(|| "stdin".into(), |n| n.to_string_lossy().into_owned());
        let path = dir.join(format!("{name}.{ext}"));
        std::fs::write(&path, out).with_context(|| format!("writing {}", path.display()))
    } else {
        std::io::stdout()
            .write_all(out.as_bytes())
            .context("writing stdout")
    }
}

fn read_input(path: &Path) -> anyhow::Result<Vec<u8>> {
    let mut buf = Vec::new();
    if path == Path::new("-") {
        std::io::stdin()
            .take(MAX_INPUT_BYTES + 1)
            .read_to_end(&mut buf)
            .context("reading stdin")?;
    } else {
        let f = std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
        f.take(MAX_INPUT_BYTES + 1)
            .read_to_end(&mut buf)
            .with_context(|| format!("reading {}", path.display()))?;
    }
    if buf.len() as u64 > MAX_INPUT_BYTES {
        anyhow::bail!("input larger than {} MiB; refused", MAX_INPUT_BYTES >> 20);
    }
    Ok(buf)
}

fn extract_one(input: &Path, args: &Args, cfg: &ExtractConfig) -> anyhow::Result<String> {
    let body = read_input(input)?;
    let url = match &args.url {
        Some(u) => url::Url::parse(u).map_err(|e| UsageError(format!("--url {u:?}: {e}")))?,
        None => file_url(input)?,
    };
    let page = PageInput {
        url: &url,
        body: &body,
        content_type: args.content_type.as_deref(),
    };
    let processed = pipeline::process(&page, cfg)?;
    let capture = CaptureInfo {
        content_type: args.content_type.clone(),
        ..CaptureInfo::default()
    };
    let article = processed.into_article(&body, capture);
    Ok(match args.format {
        Format::Json => {
            let mut s = serde_json::to_string_pretty(&article)?;
            s.push('\n');
            s
        }
        Format::Text => body_text(&article, args.captions),
    })
}

fn file_url(input: &Path) -> anyhow::Result<url::Url> {
    if input == Path::new("-") {
        return url::Url::parse("file:///stdin").context("stdin url");
    }
    let abs =
        std::path::absolute(input).with_context(|| format!("resolving {}", input.display()))?;
    url::Url::from_file_path(&abs)
        .map_err(|()| anyhow::anyhow!("cannot make a URL of {}", abs.display()))
}

/// The body as plain text, one block per line ([`crate::model::Content::body_text`]),
/// with image captions when asked.
pub fn body_text(article: &Article, captions: bool) -> String {
    if captions {
        article.content.body_text_with_captions()
    } else {
        article.content.body_text()
    }
}
