//! Fuzz target: robots.txt handling (`quire::fetch::robots`).
//!
//! The first byte picks the HTTP status class; the rest is the body (capped like the
//! fetcher caps it). Building the rules and asking about a few URLs must not panic;
//! robots.txt itself is always allowed for a 2xx answer.
#![no_main]

use libfuzzer_sys::fuzz_target;
use quire::fetch::robots::{product_token, RobotsFetch, RobotsRules, ROBOTS_MAX_BYTES};

fuzz_target!(|data: &[u8]| {
    let Some((&sel, body)) = data.split_first() else {
        return;
    };
    let body = &body[..body.len().min(ROBOTS_MAX_BYTES)];
    let status = match sel % 4 {
        0 | 1 => 200,
        2 => 404,
        _ => 503,
    };
    let agent = product_token("quire/0.1.0 (+https://github.com/quire-archiver/quire)");
    let rules = RobotsRules::from_fetch(
        RobotsFetch::Response {
            status,
            body: body.to_vec(),
        },
        agent,
    );
    let text = String::from_utf8_lossy(body);
    // Paths that appear in the file are the interesting ones to ask about.
    let mut asked = 0;
    for line in text.lines().take(50) {
        if let Some((_, path)) = line.split_once(':') {
            let p = path.trim();
            if let Ok(u) = url::Url::parse("http://h.example/").and_then(|b| b.join(p)) {
                let _ = rules.allowed(&u);
                asked += 1;
            }
        }
    }
    let robots = url::Url::parse("http://h.example/robots.txt").expect("constant URL");
    let _ = asked;
    if status == 200 {
        assert!(rules.allowed(&robots));
    }
});
