//! Run the generic extractor through the whole pipeline on a handmade page.
#![allow(dead_code)]

use quire::extract::{ExtractConfig, ProfileChoice};
use quire::model::Content;
use quire::pipeline::{self, PageInput};

/// `pipeline::process` with the generic extractor forced, on `html` served at `url`.
pub fn run_generic(url: &str, html: &str) -> Content {
    let url = url::Url::parse(url).unwrap();
    let cfg = ExtractConfig {
        choice: ProfileChoice::Generic,
        ..Default::default()
    };
    let input = PageInput {
        url: &url,
        body: html.as_bytes(),
        content_type: None,
    };
    pipeline::process(&input, &cfg).unwrap().content
}
