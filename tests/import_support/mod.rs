//! WARC files for the import tests, written record by record (plain, gzip per record,
//! or gzipped whole), with the offset of every record; and the wget check.
#![allow(dead_code)]

use std::io::Write;
use std::path::Path;
use std::process::Command;

use sha2::Digest;

/// How a test WARC is compressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gz {
    /// Plain.
    None,
    /// One gzip member per record (`.warc.gz` as most tools write it).
    PerRecord,
    /// The whole file as one gzip member.
    Whole,
}

/// One record: its header fields (without Content-Length) and block.
#[derive(Debug, Clone)]
pub struct Rec {
    pub fields: Vec<(String, String)>,
    pub block: Vec<u8>,
}

impl Rec {
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    pub fn set(mut self, name: &str, value: &str) -> Rec {
        self.fields.retain(|(k, _)| !k.eq_ignore_ascii_case(name));
        self.fields.push((name.to_string(), value.to_string()));
        self
    }
}

/// `sha1:<BASE32>` of `b`: the digest form wget, Heritrix and warcio write.
pub fn sha1_digest(b: &[u8]) -> String {
    format!(
        "sha1:{}",
        data_encoding::BASE32.encode(&sha1::Sha1::digest(b))
    )
}

/// An HTTP/1.1 response message.
pub fn http(status: u16, headers: &[(&str, &str)], payload: &[u8]) -> Vec<u8> {
    let mut m = format!("HTTP/1.1 {status} X\r\n").into_bytes();
    for (k, v) in headers {
        m.extend_from_slice(format!("{k}: {v}\r\n").as_bytes());
    }
    m.extend_from_slice(b"\r\n");
    m.extend_from_slice(payload);
    m
}

/// A `response` record for `uri` at `date` carrying `message`, with the payload digest
/// (SHA-1 of the bytes after the HTTP head) that WARC writers put there.
pub fn response(uri: &str, date: &str, id: &str, message: &[u8]) -> Rec {
    let head_end = message
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map_or(message.len(), |i| i + 4);
    Rec {
        fields: vec![
            ("WARC-Type".into(), "response".into()),
            ("WARC-Record-ID".into(), format!("<urn:uuid:{id}>")),
            ("WARC-Date".into(), date.into()),
            ("WARC-Target-URI".into(), uri.into()),
            (
                "Content-Type".into(),
                "application/http; msgtype=response".into(),
            ),
            (
                "WARC-Payload-Digest".into(),
                sha1_digest(&message[head_end..]),
            ),
        ],
        block: message.to_vec(),
    }
}

/// A 200 text/html response record.
pub fn html_response(uri: &str, date: &str, id: &str, html: &str) -> Rec {
    response(
        uri,
        date,
        id,
        &http(
            200,
            &[("Content-Type", "text/html; charset=utf-8")],
            html.as_bytes(),
        ),
    )
}

/// A `revisit` record of `uri` at `date` referring to record `refers_to` (an id as
/// `<urn:uuid:…>`), identical-payload-digest profile, HTTP head only.
pub fn revisit(uri: &str, date: &str, id: &str, refers_to: &str, digest: &str) -> Rec {
    Rec {
        fields: vec![
            ("WARC-Type".into(), "revisit".into()),
            ("WARC-Record-ID".into(), format!("<urn:uuid:{id}>")),
            ("WARC-Date".into(), date.into()),
            ("WARC-Target-URI".into(), uri.into()),
            (
                "WARC-Profile".into(),
                "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest".into(),
            ),
            ("WARC-Refers-To".into(), refers_to.into()),
            ("WARC-Payload-Digest".into(), digest.into()),
            (
                "Content-Type".into(),
                "application/http; msgtype=response".into(),
            ),
        ],
        block: http(200, &[("Content-Type", "text/html")], b""),
    }
}

/// A `request` record (skipped by the import).
pub fn request(uri: &str, date: &str, id: &str) -> Rec {
    Rec {
        fields: vec![
            ("WARC-Type".into(), "request".into()),
            ("WARC-Record-ID".into(), format!("<urn:uuid:{id}>")),
            ("WARC-Date".into(), date.into()),
            ("WARC-Target-URI".into(), uri.into()),
            (
                "Content-Type".into(),
                "application/http; msgtype=request".into(),
            ),
        ],
        block: b"GET / HTTP/1.1\r\nHost: x\r\n\r\n".to_vec(),
    }
}

/// The bytes of one record (uncompressed).
pub fn record_bytes(version: &str, r: &Rec) -> Vec<u8> {
    let mut out = format!("WARC/{version}\r\n").into_bytes();
    for (k, v) in &r.fields {
        out.extend_from_slice(format!("{k}: {v}\r\n").as_bytes());
    }
    out.extend_from_slice(format!("Content-Length: {}\r\n\r\n", r.block.len()).as_bytes());
    out.extend_from_slice(&r.block);
    out.extend_from_slice(b"\r\n\r\n");
    out
}

fn gzip(b: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(b).unwrap();
    e.finish().unwrap()
}

/// The file's bytes and each record's offset (gzip: its member's offset; whole: 0).
pub fn warc_bytes(version: &str, gz: Gz, recs: &[Rec]) -> (Vec<u8>, Vec<u64>) {
    let mut out = Vec::new();
    let mut offsets = Vec::new();
    for r in recs {
        let b = record_bytes(version, r);
        match gz {
            Gz::None | Gz::Whole => {
                offsets.push(if gz == Gz::Whole { 0 } else { out.len() as u64 });
                out.extend_from_slice(&b);
            }
            Gz::PerRecord => {
                offsets.push(out.len() as u64);
                out.extend_from_slice(&gzip(&b));
            }
        }
    }
    if gz == Gz::Whole {
        out = gzip(&out);
    }
    (out, offsets)
}

/// Write a WARC file; returns each record's offset.
pub fn write_warc(path: &Path, version: &str, gz: Gz, recs: &[Rec]) -> Vec<u64> {
    let (bytes, offsets) = warc_bytes(version, gz, recs);
    std::fs::write(path, bytes).unwrap();
    offsets
}

/// Is GNU wget installed? Panics in CI when it is not (`.ci/run` installs it);
/// elsewhere prints why the wget test is skipped and returns false.
pub fn wget_ready() -> bool {
    let ok = Command::new("wget")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if ok {
        return true;
    }
    let reason = "wget is not installed (`apt-get install wget`, as .ci/run does)";
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("{reason}: CI must run the wget interop test");
    }
    eprintln!("SKIPPED wget test: {reason}");
    false
}
