//! `quire extract`: saved pages to Article documents.

use crate::exit::ExitCode;

/// Arguments of `quire extract`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Run it.
pub fn execute(_args: Args) -> anyhow::Result<ExitCode> {
    Ok(ExitCode::Success)
}
