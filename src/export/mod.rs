//! Exports of a store: JSONL and WARC 1.1. Reads the store; never writes it.
