//! `quire debug-store-fill` (hidden): write N synthetic captures into a store through
//! the public [`Store`] API, resuming an unfinished run if there is one, then finish
//! the run. Exists so tests can SIGKILL a real writing process at arbitrary points.

use std::path::PathBuf;

use crate::exit::ExitCode;
use crate::store::{synthetic, Outcome};

/// Arguments of `quire debug-store-fill`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Store root.
    #[arg(long = "store", value_name = "DIR", default_value = "snapshots")]
    pub store: PathBuf,
    /// Number of URLs in the run.
    #[arg(long, default_value_t = 100)]
    pub captures: u64,
    /// Label used in the URLs and bodies.
    #[arg(long = "run-label", default_value = "fill")]
    pub run_label: String,
    /// Approximate body size in bytes.
    #[arg(long, default_value_t = 2048)]
    pub body_bytes: usize,
    /// Sleep `pause-ms` after every K URLs (0: never).
    #[arg(long, default_value_t = 0)]
    pub pause_every: u64,
    /// Milliseconds to sleep at each pause.
    #[arg(long, default_value_t = 1)]
    pub pause_ms: u64,
}

/// Run it.
pub fn execute(args: Args) -> anyhow::Result<ExitCode> {
    match fill(&args) {
        Ok(()) => Ok(ExitCode::Success),
        Err(e) => {
            eprintln!("quire: {e}");
            Ok(e.exit_code())
        }
    }
}

fn fill(args: &Args) -> Result<(), crate::store::StoreError> {
    let mut store = crate::cli::open_store_writer(&args.store)?;
    let run = match store.unfinished_run()? {
        Some(run) => {
            store.frontier_reset_in_flight(&run)?;
            run
        }
        None => store.begin_run(&serde_json::json!({
            "label": args.run_label,
            "captures": args.captures,
        }))?,
    };
    let urls: Vec<(String, u32)> = (0..args.captures)
        .map(|i| {
            (
                format!("https://fill.test/{}/page-{i:06}", args.run_label),
                0,
            )
        })
        .collect();
    for chunk in urls.chunks(500) {
        store.frontier_add(&run, chunk)?;
    }
    let mut done = 0u64;
    loop {
        let batch = store.frontier_take(&run, 8)?;
        if batch.is_empty() {
            break;
        }
        for (url, _) in batch {
            let i: u64 = url
                .rsplit("page-")
                .next()
                .and_then(|s| s.parse().ok())
                .unwrap_or(0);
            let previous = store.latest_capture(&url)?;
            match (i % 10, previous) {
                (7, _) => store.put_outcome(
                    &run,
                    &url,
                    &Outcome::Failed {
                        reason: "synthetic failure".into(),
                        http_status: Some(500),
                    },
                )?,
                (9, _) => store.put_outcome(&run, &url, &Outcome::Gone { http_status: 404 })?,
                (0 | 4, Some(prev)) => {
                    store.put_outcome(&run, &url, &Outcome::NotModified { previous: prev.id })?
                }
                _ => {
                    // Every fifth page shares its body with page 0: identical bytes, one object.
                    let key = if i % 5 == 3 { 0 } else { i };
                    let body = synthetic::body(&args.run_label, key, args.body_bytes);
                    let object = store.put_object(&body)?;
                    let article = synthetic::article(&url, &object, &run, &format!("Page {i}"));
                    store.put_capture(&run, &article)?;
                }
            }
            store.frontier_done(&run, &url)?;
            done += 1;
            if args.pause_every > 0 && done.is_multiple_of(args.pause_every) {
                std::thread::sleep(std::time::Duration::from_millis(args.pause_ms));
            }
        }
    }
    let info = store.finish_run(
        &run,
        &serde_json::json!({ "label": args.run_label, "written": done }),
    )?;
    println!(
        "{}",
        serde_json::json!({ "run": info.id, "written": done, "manifest_sha256": info.manifest_sha256 })
    );
    Ok(())
}
