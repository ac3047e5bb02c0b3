//! The crawl loop: seeds, scope, frontier, politeness, and handing pages to the pipeline
//! and the store.
