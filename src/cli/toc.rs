//! `quire toc URL`: the entries of one index page (a table of contents, an archive, a
//! listing) from its latest capture in the store, as a table or as JSON.

use std::path::PathBuf;

use crate::exit::ExitCode;
use crate::model::{Entry, Issue, PageType};

/// Arguments of `quire toc`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The index page's URL, as captured (or one of its aliases).
    pub url: String,
    /// Store root.
    #[arg(long = "store", value_name = "DIR", default_value = "snapshots")]
    pub store: PathBuf,
    /// Print `{"url", "title", "issue", "entries"}` as JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

#[derive(serde::Serialize)]
struct Toc<'a> {
    url: &'a str,
    capture: &'a str,
    title: Option<&'a str>,
    issue: Option<&'a Issue>,
    entries: &'a [Entry],
}

/// Run it. Exit 1 when the store has no capture of the URL or the page lists nothing.
pub fn execute(args: Args) -> anyhow::Result<ExitCode> {
    let found = super::open_store_reader(&args.store).and_then(|s| {
        let url = s.resolve_alias(&args.url)?;
        match s.latest_capture(&url)? {
            Some(c) => Ok(Some((c.id.clone(), s.read_capture(&c.id)?))),
            None => Ok(None),
        }
    });
    let (id, article) = match found {
        Ok(Some(x)) => x,
        Ok(None) => {
            eprintln!("quire: no captures of {}", args.url);
            return Ok(ExitCode::PartialFailure);
        }
        Err(e) => {
            eprintln!("quire: {e}");
            return Ok(e.exit_code());
        }
    };
    let c = &article.content;
    if args.json {
        let toc = Toc {
            url: &c.url,
            capture: &id.0,
            title: c.title.as_deref(),
            issue: c.issue.as_ref(),
            entries: &c.entries,
        };
        println!("{}", serde_json::to_string(&toc)?);
    } else {
        println!("page\t{}", c.url);
        if let Some(t) = &c.title {
            println!("title\t{t}");
        }
        if let Some(i) = &c.issue {
            let date = i.date.as_ref().map_or("-", |d| d.date.as_str());
            println!("issue\t{}\t{date}", i.label);
        }
        println!("section\ttitle\tauthors\tpublished\turl");
        for e in &c.entries {
            println!(
                "{}\t{}\t{}\t{}\t{}",
                e.section.as_deref().unwrap_or("-"),
                e.title.as_deref().unwrap_or("-"),
                if e.authors.is_empty() {
                    "-".to_string()
                } else {
                    e.authors.join(", ")
                },
                e.published.as_ref().map_or("-", |d| d.date.as_str()),
                e.url
            );
        }
    }
    if c.entries.is_empty() {
        let why = if c.page_type == PageType::Index {
            "no entries could be read from this index page"
        } else {
            "this page is an article, not an index page"
        };
        eprintln!("quire: {}: {why}", c.url);
        return Ok(ExitCode::PartialFailure);
    }
    Ok(ExitCode::Success)
}
