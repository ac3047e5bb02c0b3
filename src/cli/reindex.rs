//! `quire reindex`: drop the SQLite index and rebuild it from the store's files.

use std::path::PathBuf;

use crate::exit::ExitCode;

/// Arguments of `quire reindex`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Store root.
    #[arg(long = "store", value_name = "DIR", default_value = "snapshots")]
    pub store: PathBuf,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Run it.
pub fn execute(args: Args) -> anyhow::Result<ExitCode> {
    let report = match super::open_store_writer(&args.store).and_then(|mut s| s.reindex()) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("quire: {e}");
            return Ok(e.exit_code());
        }
    };
    if args.json {
        println!("{}", serde_json::to_string(&report)?);
    } else {
        println!(
            "reindexed {} runs ({} finished), {} captures, {} other outcomes; {} records skipped",
            report.runs,
            report.finished_runs,
            report.captures,
            report.outcomes,
            report.skipped_records
        );
    }
    Ok(ExitCode::Success)
}
