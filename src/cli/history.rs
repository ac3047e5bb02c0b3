//! `quire history URL`: the captures of one article, oldest first, with time, status
//! and both digests. A URL recorded as an alias (it redirected to the article) finds
//! the article's history; the article's aliases are listed.

use std::path::PathBuf;

use crate::exit::ExitCode;

/// Arguments of `quire history`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The URL, exactly as it was captured, or one of its aliases.
    pub url: String,
    /// Store root.
    #[arg(long = "store", value_name = "DIR", default_value = "snapshots")]
    pub store: PathBuf,
    /// Print a JSON array of captures (each with the URL it was captured under).
    #[arg(long)]
    pub json: bool,
}

/// Run it.
pub fn execute(args: Args) -> anyhow::Result<ExitCode> {
    let article =
        match super::open_store_reader(&args.store).and_then(|s| s.article_history(&args.url)) {
            Ok(h) => h,
            Err(e) => {
                eprintln!("quire: {e}");
                return Ok(e.exit_code());
            }
        };
    let history = &article.captures;
    if args.json {
        println!("{}", serde_json::to_string(history)?);
    } else if history.is_empty() {
        println!("no captures of {}", args.url);
    } else {
        // Without aliases the output is the plain table, as for any store.
        let aliased = article.url != args.url || !article.aliases.is_empty();
        if aliased {
            println!("article\t{}", article.url);
            println!("aliases\t{}", article.aliases.join(" "));
        }
        println!("fetched_at\tstatus\tcontent_sha256\traw_sha256\tcapture");
        for c in history {
            let under = if aliased && c.url != article.url {
                format!("\t(captured as {})", c.url)
            } else {
                String::new()
            };
            println!(
                "{}\t{}\t{}\t{}\t{}{under}",
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
