//! Third-party tools the interop tests run (warcio). `.ci/run` installs them, and in CI
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
