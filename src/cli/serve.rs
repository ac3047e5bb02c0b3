//! `quire serve --store DIR [--addr 127.0.0.1:8480] [--public]`: serve a store
//! read-only as web pages and a JSON API until Ctrl-C/SIGTERM. Loopback by default;
//! another address needs `--public` and gets a warning (there is no authentication).

use std::net::SocketAddr;
use std::path::PathBuf;

use crate::cli::UsageError;
use crate::exit::ExitCode;
use crate::serve::{serve, ServeConfig, ServeError};

/// Threads reading the store at once.
pub const BLOCKING_THREADS: usize = 8;

/// The default address: loopback only.
pub const DEFAULT_ADDR: &str = "127.0.0.1:8480";

/// Arguments of `quire serve`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Store root.
    #[arg(long, value_name = "DIR", default_value = "snapshots")]
    pub store: PathBuf,
    /// Address to listen on (port 0: any free port).
    #[arg(long, value_name = "IP:PORT", default_value = DEFAULT_ADDR)]
    pub addr: SocketAddr,
    /// Allow an address other than loopback. There is no authentication: anyone who
    /// can reach the address can read the whole archive.
    #[arg(long)]
    pub public: bool,
}

/// Check the address against `--public`; warn on a public one.
pub fn checked_addr(addr: SocketAddr, public: bool) -> Result<SocketAddr, UsageError> {
    if !addr.ip().is_loopback() {
        if !public {
            return Err(UsageError(format!(
                "{addr} is not a loopback address; pass --public to serve the archive there \
                 (there is no authentication)"
            )));
        }
        eprintln!(
            "quire: warning: serving on {addr} without authentication: anyone who can reach it can read the archive"
        );
    }
    Ok(addr)
}

/// Serve `store` on `addr` until a stop signal, printing the address once bound.
pub fn serve_blocking(store: PathBuf, addr: SocketAddr) -> anyhow::Result<ExitCode> {
    // Store reads run on the blocking pool, one cached reader per thread: a small
    // pool bounds memory (each reader has its own SQLite page cache) and is plenty
    // for loopback clients.
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .max_blocking_threads(BLOCKING_THREADS)
        .enable_all()
        .build()?;
    let cfg = ServeConfig { store, addr };
    let result = rt.block_on(serve(
        cfg,
        |a| println!("serving on http://{a}/ (Ctrl-C to stop)"),
        crate::cli::crawl::stop_signal(),
    ));
    match result {
        Ok(()) => Ok(ExitCode::Success),
        Err(ServeError::Store(e)) => Err(e.into()),
        Err(e) => Err(e.into()),
    }
}

/// Run it.
pub fn execute(args: Args) -> anyhow::Result<ExitCode> {
    let addr = checked_addr(args.addr, args.public)?;
    // A store on S3 is served from its local cache, as the bucket was at start.
    let root = match super::store_location(&args.store)? {
        crate::store::StoreLocation::Local(dir) => dir,
        crate::store::StoreLocation::S3(_) => {
            super::open_store_reader(&args.store)?.root().to_path_buf()
        }
    };
    serve_blocking(root, addr)
}
