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
    /// End by serving the demo's store (`quire serve`) until Ctrl-C.
    #[arg(long)]
    pub serve: bool,
    /// Address for `--serve` (loopback only).
    #[arg(long, value_name = "IP:PORT", default_value = crate::cli::serve::DEFAULT_ADDR)]
    pub addr: std::net::SocketAddr,
}

/// Run it.
pub fn execute(args: Args) -> anyhow::Result<ExitCode> {
    let addr = crate::cli::serve::checked_addr(args.addr, false)?;
    // Serving needs the store after the demo: a temporary one lives until the end.
    let temp = match (&args.store, args.serve) {
        (None, true) => Some(tempfile::tempdir()?),
        _ => None,
    };
    let store = args
        .store
        .clone()
        .or_else(|| temp.as_ref().map(|t| t.path().join("store")));
    let code = with_store_codes(|| {
        let opts = DemoOptions {
            store: store.clone(),
            color: std::io::stdout().is_terminal(),
        };
        let mut out = std::io::stdout().lock();
        match demo::run(&opts, &mut out) {
            Ok(_) => Ok(ExitCode::Success),
            // Keep the store error itself in the chain, so locked/corrupt get their codes.
            Err(demo::DemoError::Store(e)) => Err(e.into()),
            Err(e) => Err(e.into()),
        }
    })?;
    match (args.serve, store) {
        (true, Some(store)) if code == ExitCode::Success => {
            println!();
            println!("the demo's store, in a browser:");
            crate::cli::serve::serve_blocking(store, addr)
        }
        _ => Ok(code),
    }
}
