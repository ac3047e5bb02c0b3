//! `quire history URL`: the captures of one URL, oldest first, with time, status and
//! both digests.

use std::path::PathBuf;

use crate::exit::ExitCode;
use crate::store::Store;

/// Arguments of `quire history`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The URL, exactly as it was captured.
    pub url: String,
    /// Store root.
    #[arg(long = "store", value_name = "DIR", default_value = "snapshots")]
    pub store: PathBuf,
    /// Print a JSON array of captures.
    #[arg(long)]
    pub json: bool,
}

/// Run it.
pub fn execute(args: Args) -> anyhow::Result<ExitCode> {
    let history = match Store::open_reader(&args.store).and_then(|s| s.history(&args.url)) {
        Ok(h) => h,
        Err(e) => {
            eprintln!("quire: {e}");
            return Ok(e.exit_code());
        }
    };
    if args.json {
        println!("{}", serde_json::to_string(&history)?);
    } else if history.is_empty() {
        println!("no captures of {}", args.url);
    } else {
        println!("fetched_at\tstatus\tcontent_sha256\traw_sha256\tcapture");
        for c in &history {
            println!(
                "{}\t{}\t{}\t{}\t{}",
                c.fetched_at.as_deref().unwrap_or("-"),
                c.http_status
                    .map(|s| s.to_string())
                    .unwrap_or_else(|| "-".into()),
                c.content_sha256,
                c.raw_sha256,
                c.id
            );
        }
    }
    Ok(ExitCode::Success)
}
