//! Running the `quire` binary from integration tests, with bytes on its stdin.

use std::io::Write;
use std::process::{Command, Stdio};

/// Run `quire args` with `stdin` piped in (written from a thread, so a child that
/// answers before reading all of it cannot deadlock the test). Returns the exit code
/// (-1 when killed by a signal), stdout and stderr.
pub fn quire(args: &[&str], stdin: &[u8]) -> (i32, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_quire"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut sin = child.stdin.take().unwrap();
    let data = stdin.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = sin.write_all(&data);
    });
    let out = child.wait_with_output().unwrap();
    let _ = writer.join();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}
