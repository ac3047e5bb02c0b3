//! Third-party tools the interop tests run (warcio; chromium and chromedriver for the
//! browser test). `.ci/run` installs them, and in CI
//! (`CI=true`) a missing tool fails the test; on a developer's machine without it the
//! test part that needs it is skipped with the reason printed.
#![allow(dead_code)]

use std::process::Command;

/// Is Python's warcio importable? Panics in CI when it is not; elsewhere prints why
/// the warcio checks are skipped and returns false.
pub fn warcio_ready() -> bool {
    let ok = Command::new("python3")
        .args(["-c", "import warcio"])
        .output()
        .is_ok_and(|o| o.status.success());
    if ok {
        return true;
    }
    let reason = "warcio is not installed (`python3 -c 'import warcio'` failed; \
                  `pip install warcio==1.8.1`, as .ci/run does)";
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("{reason}: CI must run the WARC interop checks");
    }
    eprintln!("SKIPPED warcio checks: {reason}");
    false
}

/// Debian's `chromium` and `chromedriver`, when both run. Panics in CI when they do
/// not; elsewhere prints why the browser test is skipped and returns `None`.
pub fn chromium_ready() -> Option<(String, String)> {
    let runs = |cmd: &str| {
        Command::new(cmd)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    };
    let browser = ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|c| runs(c));
    let driver = runs("chromedriver").then_some("chromedriver");
    if let (Some(b), Some(d)) = (browser, driver) {
        return Some((b.to_string(), d.to_string()));
    }
    let reason = "chromium and chromedriver are not both installed \
                  (`apt-get install chromium chromium-driver`, as .ci/run does)";
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("{reason}: CI must run the browser test");
    }
    eprintln!("SKIPPED browser test: {reason}");
    None
}
