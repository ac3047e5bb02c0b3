//! `quire verify`: re-hash every object, record and manifest of a store and report each
//! problem by path. Exit 0 when everything holds, 4 when anything does not.

use std::path::PathBuf;

use crate::exit::ExitCode;

/// Arguments of `quire verify`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Store root.
    #[arg(long = "store", value_name = "DIR", default_value = "snapshots")]
    pub store: PathBuf,
    /// Print the report as one JSON document.
    #[arg(long)]
    pub json: bool,
}

/// Run it.
pub fn execute(args: Args) -> anyhow::Result<ExitCode> {
    let report = match super::verify_store(&args.store) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("quire: {e}");
            return Ok(e.exit_code());
        }
    };
    if args.json {
        println!("{}", serde_json::to_string(&report)?);
    } else {
        for p in &report.problems {
            println!("{}: {}: {}", p.kind, p.path.display(), p.detail);
        }
        let mb = report.bytes_hashed as f64 / 1e6;
        let status = if report.ok() {
            "OK".to_string()
        } else {
            format!("{} problem(s)", report.problems.len())
        };
        println!(
            "verified {} objects, {} records, {} manifests ({mb:.1} MB); {} unfinished run(s), {} harmless leftover(s): {status}",
            report.objects,
            report.records,
            report.manifests,
            report.unfinished_runs.len(),
            report.harmless.len()
        );
    }
    Ok(if report.ok() {
        ExitCode::Success
    } else {
        ExitCode::StoreCorrupt
    })
}
