//! quire: archive online magazines.
//!
//! The pipeline, one module per stage:
//! `fetch`/`crawl` → `decode` → `extract` → `normalize` → `model` → `store` →
//! `diff` / `export`, and `serve` (a read-only web view of a store). [`pipeline`] runs the offline half (bytes + URL → Article content)
//! as one pure function. The binary (`src/main.rs`) only parses arguments, calls
//! [`cli`], and maps errors to [`exit::ExitCode`]s.

pub mod cli;
pub mod crawl;
pub mod decode;
pub mod demo;
pub mod diff;
pub mod exit;
pub mod export;
pub mod extract;
pub mod fetch;
pub mod import;
pub mod model;
pub mod normalize;
pub mod pipeline;
pub mod serve;
pub mod store;

/// Version of quire, recorded in every document's provenance.
pub const TOOL_VERSION: &str = env!("CARGO_PKG_VERSION");
