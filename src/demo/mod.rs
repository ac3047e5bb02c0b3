//! `quire demo`: a bundled two-version sample site served on 127.0.0.1, crawled twice.
