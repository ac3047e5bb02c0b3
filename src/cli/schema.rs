//! `quire schema`: print the Article JSON Schema (the file checked in under `schema/`).

use crate::exit::ExitCode;

/// Arguments of `quire schema`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Print the schema.
pub fn execute(_args: Args) -> anyhow::Result<ExitCode> {
    print!("{}", crate::model::article_schema_json());
    Ok(ExitCode::Success)
}
