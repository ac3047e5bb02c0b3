//! `quire demo`: serve the bundled sample site on 127.0.0.1, crawl it twice (version 1,
//! then version 2), print the summaries, the changes and one diff. No network beyond
//! loopback.

use std::io::IsTerminal;
use std::path::PathBuf;

use crate::cli::changes::with_store_codes;
use crate::demo::{self, DemoOptions};
use crate::exit::ExitCode;

/// Arguments of `quire demo`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Keep the demo's store here (default: a temporary directory, removed at the end).
    #[arg(long, value_name = "DIR")]
    pub store: Option<PathBuf>,
}

/// Run it.
pub fn execute(args: Args) -> anyhow::Result<ExitCode> {
    with_store_codes(|| {
        let opts = DemoOptions {
            store: args.store,
            color: std::io::stdout().is_terminal(),
        };
        let mut out = std::io::stdout().lock();
        match demo::run(&opts, &mut out) {
            Ok(_) => Ok(ExitCode::Success),
            // Keep the store error itself in the chain, so locked/corrupt get their codes.
            Err(demo::DemoError::Store(e)) => Err(e.into()),
            Err(e) => Err(e.into()),
        }
    })
}
