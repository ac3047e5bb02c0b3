//! Fuzz target: the `quire import` reader (`quire::import::warc::WarcReader`: framing,
//! gzip members, offsets) and the HTTP payload parser
//! (`quire::import::http::ResponseParser`: heads, chunked and content decoding,
//! digests) on arbitrary bytes.
//!
//! Must not panic or hang; offsets never go backwards; a body never exceeds the cap.
#![no_main]

use libfuzzer_sys::fuzz_target;
use quire::import::http::ResponseParser;
use quire::import::warc::WarcReader;

const CAP: u64 = 1 << 20;

fuzz_target!(|data: &[u8]| {
    let Ok(mut reader) = WarcReader::new(std::io::Cursor::new(data)) else {
        return;
    };
    let mut last = 0u64;
    while let Ok(Some(head)) = reader.next_record() {
        assert!(head.offset >= last, "offsets go backwards");
        last = head.offset;
        let mut p = ResponseParser::new(|_| true, CAP, head.get("WARC-Payload-Digest"));
        if reader.read_block(|c| p.push(c)).is_err() {
            break;
        }
        if let Some(Ok(body)) = p.finish().body {
            assert!(body.len() as u64 <= CAP);
        }
    }
});
