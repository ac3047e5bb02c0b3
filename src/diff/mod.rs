//! What changed between two Article documents or two runs. Pure functions; no I/O.
