//! The snapshot store (content-addressed objects, immutable capture records, run
//! manifests, SQLite index). The only module that writes under a store root.
