//! A streaming WARC 1.0/1.1 record reader: record framing over a plain file, a file
//! of one gzip member per record (the usual `.warc.gz`), or a file gzipped whole.
//!
//! Owns the framing only: the version line, the header fields (bounded), the block of
//! exactly `Content-Length` bytes, the `CRLF CRLF` after it, and where each record
//! starts. It hands a record's block to the caller in chunks ([`WarcReader::read_block`])
//! and never holds more than one chunk of it, so a 10 GB file with a 2 GB record is
//! read in constant memory. It knows nothing of HTTP or of the store.
//!
//! Offsets: in a plain file, the byte where the record starts; in a gzipped file, the
//! compressed offset of the gzip member the record starts in (for one member per
//! record, the member of that record: what `warcio index` and CDX files call the
//! offset). Damage — a cut or corrupt gzip member, a record cut short, bytes that are
//! not a record where one should start, a malformed header — ends the file: the reader
//! returns a [`Damage`] with its offset and returns nothing after it. Everything read
//! before is good.

use std::io::{self, BufRead, Read};

use flate2::bufread::GzDecoder;

/// Most bytes of one record's header (version line and fields). Real headers are
/// under 2 KiB; a file of garbage without line breaks cannot make the reader buffer
/// more than this.
pub const MAX_HEADER_BYTES: usize = 64 * 1024;

/// Most header fields of one record.
pub const MAX_HEADER_FIELDS: usize = 256;

/// Most line-break bytes skipped between two records (the `CRLF CRLF` after a block,
/// and the blank lines some writers add).
const MAX_SEPARATOR_BYTES: usize = 64;

/// Chunk size of block reads and of the decoded-stream buffer.
const CHUNK: usize = 64 * 1024;

/// Where and why a file stopped being readable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("damaged at byte {offset}: {detail}")]
pub struct Damage {
    /// Byte offset in the file (compressed offset of the gzip member for a gzipped
    /// file; in a plain file, the record's start or the first bad byte).
    pub offset: u64,
    /// What is wrong.
    pub detail: String,
}

/// How the file is compressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    /// A plain WARC.
    None,
    /// gzip: one member per record, or several records per member.
    Gzip,
}

/// One record's header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordHead {
    /// Where the record starts (see the module docs).
    pub offset: u64,
    /// `1.0` or `1.1` (the text after `WARC/`).
    pub version: String,
    /// Header fields in order, names as written; values trimmed, continuation lines
    /// joined with a space.
    pub fields: Vec<(String, String)>,
    /// `Content-Length`: the block's length.
    pub content_length: u64,
}

impl RecordHead {
    /// The first field named `name` (ASCII case-insensitive).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// `WARC-Type`, lower case ("" when absent).
    pub fn record_type(&self) -> String {
        self.get("WARC-Type").unwrap_or("").to_ascii_lowercase()
    }
}

/// A raw byte source that counts what it consumed (the compressed offset).
struct Counting<R> {
    inner: R,
    pos: u64,
}

impl<R: BufRead> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.pos += n as u64;
        Ok(n)
    }
}

impl<R: BufRead> BufRead for Counting<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        self.inner.fill_buf()
    }
    fn consume(&mut self, amt: usize) {
        self.inner.consume(amt);
        self.pos += amt as u64;
    }
}

/// The decoded byte stream: plain bytes, or gzip members one after the other.
enum Stream<R> {
    Plain(Counting<R>),
    /// The current member's decoder (None between members) and the raw reader when no
    /// member is open.
    Gzip {
        decoder: Option<Box<GzDecoder<Counting<R>>>>,
        raw: Option<Counting<R>>,
        /// Compressed offset of the current member.
        member_start: u64,
    },
    /// A damage was found; nothing more is read.
    Broken,
}

/// A streaming WARC reader. See the module docs.
pub struct WarcReader<R> {
    stream: Stream<R>,
    compression: Compression,
    /// Decoded bytes not yet consumed, and where they came from.
    buf: Vec<u8>,
    pos: usize,
    /// For plain files: file offset of `buf[0]`; for gzip: the member `buf` came from.
    buf_origin: u64,
    /// Bytes of the current record's block not yet handed out or skipped.
    remaining: u64,
    /// The current record's offset (for damage inside its block).
    current: u64,
    /// Damage found: nothing more is returned.
    done: bool,
    /// Records returned so far.
    records: u64,
}

impl<R: BufRead> WarcReader<R> {
    /// A reader over `inner`, detecting gzip by its magic bytes.
    pub fn new(mut inner: R) -> io::Result<WarcReader<R>> {
        let gz = {
            let head = inner.fill_buf()?;
            head.len() >= 2 && head[0] == 0x1f && head[1] == 0x8b
        };
        let raw = Counting { inner, pos: 0 };
        let (stream, compression) = if gz {
            (
                Stream::Gzip {
                    decoder: None,
                    raw: Some(raw),
                    member_start: 0,
                },
                Compression::Gzip,
            )
        } else {
            (Stream::Plain(raw), Compression::None)
        };
        Ok(WarcReader {
            stream,
            compression,
            buf: Vec::with_capacity(CHUNK),
            pos: 0,
            buf_origin: 0,
            remaining: 0,
            current: 0,
            done: false,
            records: 0,
        })
    }

    /// The file's compression.
    pub fn compression(&self) -> Compression {
        self.compression
    }

    /// Bytes of the file consumed so far (compressed bytes for a gzipped file).
    pub fn raw_position(&self) -> u64 {
        match &self.stream {
            Stream::Plain(c) => c.pos,
            Stream::Gzip { decoder, raw, .. } => match (decoder, raw) {
                (Some(d), _) => d.get_ref().pos,
                (None, Some(r)) => r.pos,
                _ => 0,
            },
            Stream::Broken => 0,
        }
    }

    fn damage(&mut self, offset: u64, detail: impl Into<String>) -> Damage {
        self.done = true;
        self.stream = Stream::Broken;
        self.buf.clear();
        self.pos = 0;
        Damage {
            offset,
            detail: detail.into(),
        }
    }

    /// Where an error at the current read position is reported: the gzip member being
    /// read, or the given plain-file offset.
    fn here(&self, plain: u64) -> u64 {
        match &self.stream {
            Stream::Gzip { member_start, .. } => *member_start,
            _ => plain,
        }
    }

    /// Refill `buf` when it is empty. Ok(false) at the clean end of the file.
    fn fill(&mut self) -> Result<bool, Damage> {
        if self.pos < self.buf.len() {
            return Ok(true);
        }
        let consumed = self.buf.len() as u64;
        if matches!(self.stream, Stream::Plain(_)) {
            self.buf_origin += consumed;
        }
        self.buf.clear();
        self.pos = 0;
        self.buf.resize(CHUNK, 0);
        let res = self.fill_inner();
        match res {
            Ok(n) => {
                self.buf.truncate(n);
                Ok(n > 0)
            }
            Err((offset, detail)) => {
                self.buf.clear();
                Err(self.damage(offset, detail))
            }
        }
    }

    /// Read decoded bytes into `self.buf` (sized CHUNK); the count, 0 at the end.
    fn fill_inner(&mut self) -> Result<usize, (u64, String)> {
        loop {
            match &mut self.stream {
                Stream::Broken => return Ok(0),
                Stream::Plain(c) => {
                    let at = c.pos;
                    return read_retrying(c, &mut self.buf)
                        .map_err(|e| (at, format!("read error: {e}")));
                }
                Stream::Gzip {
                    decoder,
                    raw,
                    member_start,
                } => {
                    if let Some(d) = decoder.as_mut() {
                        match read_retrying(d.as_mut(), &mut self.buf) {
                            Ok(0) => {
                                // End of this member: the next one starts where it ended.
                                if let Some(d) = decoder.take() {
                                    *raw = Some(d.into_inner());
                                }
                                continue;
                            }
                            Ok(n) => {
                                self.buf_origin = *member_start;
                                return Ok(n);
                            }
                            Err(e) => {
                                let detail = if e.kind() == io::ErrorKind::UnexpectedEof {
                                    "gzip member cut short (the file ends inside it)".to_string()
                                } else {
                                    format!("corrupt gzip member: {e}")
                                };
                                return Err((*member_start, detail));
                            }
                        }
                    }
                    let Some(mut r) = raw.take() else {
                        return Ok(0);
                    };
                    let at = r.pos;
                    let more = match r.fill_buf() {
                        Ok(b) => !b.is_empty(),
                        Err(e) => return Err((at, format!("read error: {e}"))),
                    };
                    if !more {
                        *raw = Some(r);
                        return Ok(0);
                    }
                    // Another member must start here: check its magic bytes first, so
                    // that garbage after the last member is reported as such.
                    let magic_ok = match r.fill_buf() {
                        Ok(b) => b.len() < 2 || (b[0] == 0x1f && b[1] == 0x8b),
                        Err(e) => return Err((at, format!("read error: {e}"))),
                    };
                    if !magic_ok {
                        *raw = Some(r);
                        return Err((at, "bytes that are not a gzip member".to_string()));
                    }
                    *member_start = at;
                    *decoder = Some(Box::new(GzDecoder::new(r)));
                }
            }
        }
    }

    /// The file offset where the next unconsumed byte's record would start (call after
    /// a successful `fill`).
    fn record_origin(&self) -> u64 {
        match self.stream {
            Stream::Plain(_) => self.buf_origin + self.pos as u64,
            _ => self.buf_origin,
        }
    }

    /// Skip what is left of the current record's block.
    fn skip_rest(&mut self) -> Result<(), Damage> {
        while self.remaining > 0 {
            if !self.fill()? {
                let at = self.current;
                let left = self.remaining;
                return Err(self.damage(
                    at,
                    format!("record cut short: the file ends {left} bytes before its block does"),
                ));
            }
            let avail = (self.buf.len() - self.pos) as u64;
            let take = avail.min(self.remaining);
            self.pos += take as usize;
            self.remaining -= take;
        }
        Ok(())
    }

    /// Bytes of the current record's block not yet read (0 once [`Self::read_block`]
    /// went to its end).
    pub fn block_left(&self) -> u64 {
        self.remaining
    }

    /// Hand the current record's block to `sink`, in chunks of at most 64 KiB, until
    /// it is all read or `sink` returns false (the rest is skipped by the next
    /// [`WarcReader::next_record`]). A block cut short by the end of the file or by a
    /// corrupt gzip member is a [`Damage`].
    pub fn read_block(&mut self, mut sink: impl FnMut(&[u8]) -> bool) -> Result<(), Damage> {
        while self.remaining > 0 {
            if !self.fill()? {
                let at = self.current;
                let left = self.remaining;
                return Err(self.damage(
                    at,
                    format!("record cut short: the file ends {left} bytes before its block does"),
                ));
            }
            let avail = (self.buf.len() - self.pos) as u64;
            let take = avail.min(self.remaining) as usize;
            let chunk_start = self.pos;
            self.pos += take;
            self.remaining -= take as u64;
            if !sink(&self.buf[chunk_start..chunk_start + take]) {
                return Ok(());
            }
        }
        Ok(())
    }

    /// The next record's header, or None at the end of the file. Skips what is left of
    /// the previous record's block first.
    pub fn next_record(&mut self) -> Result<Option<RecordHead>, Damage> {
        if self.done {
            return Ok(None);
        }
        self.skip_rest()?;
        // The CRLF CRLF after a block (and stray blank lines), bounded.
        let mut skipped = 0usize;
        loop {
            if !self.fill()? {
                return Ok(None);
            }
            let b = self.buf[self.pos];
            if b == b'\r' || b == b'\n' {
                skipped += 1;
                self.pos += 1;
                if skipped > MAX_SEPARATOR_BYTES {
                    let at = self.here(self.record_origin());
                    return Err(self.damage(at, "too many blank lines between records"));
                }
                continue;
            }
            break;
        }
        let offset = self.record_origin();
        self.current = offset;
        let head = self.read_header_bytes(offset)?;
        let head = match parse_head(&head, offset) {
            Ok(h) => h,
            Err(detail) => return Err(self.damage(offset, detail)),
        };
        self.remaining = head.content_length;
        self.records += 1;
        Ok(Some(head))
    }

    /// The header bytes of a record (up to and including the blank line), bounded.
    fn read_header_bytes(&mut self, offset: u64) -> Result<Vec<u8>, Damage> {
        let mut head: Vec<u8> = Vec::with_capacity(1024);
        // Check the record starts like one before reading lines.
        loop {
            if !self.fill()? {
                if head.is_empty() {
                    return Err(self.damage(offset, "record header cut short"));
                }
                return Err(
                    self.damage(offset, "record header cut short (the file ends inside it)")
                );
            }
            let avail = &self.buf[self.pos..];
            // Where the header ends: "\n\n" or "\n\r\n" after what we have.
            let mut end = None;
            for (i, &b) in avail.iter().enumerate() {
                if b != b'\n' {
                    continue;
                }
                let total = head.len() + i + 1;
                let prefix_last = |k: usize| -> Option<u8> {
                    // byte at absolute index k of head ++ avail
                    if k < head.len() {
                        head.get(k).copied()
                    } else {
                        avail.get(k - head.len()).copied()
                    }
                };
                // The line that just ended is empty ("\n" or "\r\n")?
                let line_end = total - 1;
                let empty = (line_end >= 1 && prefix_last(line_end - 1) == Some(b'\n'))
                    || (line_end >= 2
                        && prefix_last(line_end - 1) == Some(b'\r')
                        && prefix_last(line_end - 2) == Some(b'\n'));
                if empty {
                    end = Some(i + 1);
                    break;
                }
                if total > MAX_HEADER_BYTES {
                    break;
                }
            }
            match end {
                Some(n) => {
                    head.extend_from_slice(&avail[..n]);
                    self.pos += n;
                    break;
                }
                None => {
                    let n = avail.len();
                    head.extend_from_slice(avail);
                    self.pos += n;
                    if head.len() > MAX_HEADER_BYTES {
                        return Err(self.damage(
                            offset,
                            format!("record header longer than {MAX_HEADER_BYTES} bytes"),
                        ));
                    }
                    if !head.starts_with(b"WARC/") && head.len() >= 5 {
                        return Err(self.damage(offset, not_a_record(&head)));
                    }
                }
            }
        }
        Ok(head)
    }
}

/// Read into `buf` (all of it), retrying on `Interrupted`; the number of bytes read.
fn read_retrying(r: &mut dyn Read, buf: &mut [u8]) -> io::Result<usize> {
    loop {
        match r.read(buf) {
            Ok(n) => return Ok(n),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
    }
}

fn not_a_record(head: &[u8]) -> String {
    let shown: String = String::from_utf8_lossy(&head[..head.len().min(16)])
        .chars()
        .map(|c| if c.is_control() { '.' } else { c })
        .collect();
    format!("expected a WARC record (\"WARC/1.x\"), found {shown:?}")
}

/// Parse the header bytes of a record.
fn parse_head(bytes: &[u8], offset: u64) -> Result<RecordHead, String> {
    if !bytes.starts_with(b"WARC/") {
        return Err(not_a_record(bytes));
    }
    let text = String::from_utf8_lossy(bytes);
    let mut lines = text.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l));
    let first = lines.next().unwrap_or("");
    let version = first.strip_prefix("WARC/").unwrap_or("").trim().to_string();
    let mut fields: Vec<(String, String)> = Vec::new();
    for line in lines {
        if line.is_empty() {
            break;
        }
        if line.starts_with([' ', '\t']) {
            match fields.last_mut() {
                Some((_, v)) => {
                    if !v.is_empty() {
                        v.push(' ');
                    }
                    v.push_str(line.trim());
                }
                None => return Err("header continuation line before any field".into()),
            }
            continue;
        }
        let Some((name, value)) = line.split_once(':') else {
            let shown: String = line.chars().take(40).collect();
            return Err(format!("malformed header line {shown:?}"));
        };
        let name = name.trim();
        if name.is_empty() || name.bytes().any(|b| b.is_ascii_whitespace() || b < 0x20) {
            let shown: String = line.chars().take(40).collect();
            return Err(format!("malformed header line {shown:?}"));
        }
        if fields.len() >= MAX_HEADER_FIELDS {
            return Err(format!("more than {MAX_HEADER_FIELDS} header fields"));
        }
        fields.push((name.to_string(), value.trim().to_string()));
    }
    let cl = fields
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("Content-Length"))
        .map(|(_, v)| v.as_str());
    let content_length = match cl {
        None => return Err("record without Content-Length".into()),
        Some(v) if !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()) => v
            .parse::<u64>()
            .map_err(|_| format!("Content-Length {v:?} out of range"))?,
        Some(v) => {
            let shown: String = v.chars().take(40).collect();
            return Err(format!("bad Content-Length {shown:?}"));
        }
    };
    Ok(RecordHead {
        offset,
        version,
        fields,
        content_length,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Cursor, Write};

    fn record(id: &str, block: &[u8]) -> Vec<u8> {
        let mut r = format!(
            "WARC/1.1\r\nWARC-Type: resource\r\nWARC-Record-ID: <urn:test:{id}>\r\nContent-Length: {}\r\n\r\n",
            block.len()
        )
        .into_bytes();
        r.extend_from_slice(block);
        r.extend_from_slice(b"\r\n\r\n");
        r
    }

    fn gz(bytes: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(bytes).unwrap();
        e.finish().unwrap()
    }

    type Read = (Vec<(u64, String, Vec<u8>)>, Option<Damage>);

    /// (offset, id, block) of every record, and the damage if any.
    fn read_all(bytes: &[u8]) -> Read {
        let mut r = WarcReader::new(Cursor::new(bytes.to_vec())).unwrap();
        let mut out = Vec::new();
        loop {
            match r.next_record() {
                Ok(Some(h)) => {
                    let mut block = Vec::new();
                    if let Err(d) = r.read_block(|c| {
                        block.extend_from_slice(c);
                        true
                    }) {
                        return (out, Some(d));
                    }
                    out.push((
                        h.offset,
                        h.get("WARC-Record-ID").unwrap().to_string(),
                        block,
                    ));
                }
                Ok(None) => return (out, None),
                Err(d) => return (out, Some(d)),
            }
        }
    }

    #[test]
    fn plain_records_and_their_offsets() {
        let a = record("a", b"hello");
        let b = record("b", &vec![b'x'; 200_000]);
        let mut file = a.clone();
        file.extend_from_slice(&b);
        let (recs, damage) = read_all(&file);
        assert_eq!(damage, None);
        assert_eq!(recs.len(), 2);
        assert_eq!(recs[0].0, 0);
        assert_eq!(recs[0].2, b"hello");
        assert_eq!(recs[1].0, a.len() as u64);
        assert_eq!(recs[1].2.len(), 200_000);
    }

    #[test]
    fn gzip_members_give_compressed_offsets() {
        let a = gz(&record("a", b"hello"));
        let b = gz(&record("b", b"world"));
        let mut file = a.clone();
        file.extend_from_slice(&b);
        let (recs, damage) = read_all(&file);
        assert_eq!(damage, None);
        assert_eq!(
            recs.iter().map(|r| r.0).collect::<Vec<_>>(),
            vec![0, a.len() as u64]
        );
        assert_eq!(recs[1].2, b"world");
    }

    #[test]
    fn a_whole_file_member_holds_every_record() {
        let mut plain = record("a", b"hello");
        plain.extend_from_slice(&record("b", b"world"));
        let (recs, damage) = read_all(&gz(&plain));
        assert_eq!(damage, None);
        assert_eq!(recs.len(), 2);
        assert!(recs.iter().all(|r| r.0 == 0));
    }

    #[test]
    fn a_cut_block_is_damage_at_its_record() {
        let a = record("a", b"hello");
        let b = record("b", b"a longer block that is cut");
        let mut file = a.clone();
        file.extend_from_slice(&b[..b.len() - 12]);
        let (recs, damage) = read_all(&file);
        assert_eq!(recs.len(), 1);
        let d = damage.unwrap();
        assert_eq!(d.offset, a.len() as u64);
        assert!(d.detail.contains("cut short"), "{d}");
    }

    #[test]
    fn a_cut_gzip_member_is_damage_at_the_member() {
        let a = gz(&record("a", b"hello"));
        let b = gz(&record("b", &vec![b'y'; 5000]));
        let mut file = a.clone();
        file.extend_from_slice(&b[..b.len() / 2]);
        let (recs, damage) = read_all(&file);
        assert_eq!(recs.len(), 1);
        let d = damage.unwrap();
        assert_eq!(d.offset, a.len() as u64, "{d}");
    }

    #[test]
    fn garbage_is_damage_where_it_starts() {
        let a = record("a", b"hello");
        let mut file = a.clone();
        file.extend_from_slice(b"\x00\x01garbage that is no record at all");
        let (recs, damage) = read_all(&file);
        assert_eq!(recs.len(), 1);
        let d = damage.unwrap();
        assert_eq!(d.offset, a.len() as u64);
        assert!(d.detail.contains("expected a WARC record"), "{d}");

        let g = gz(&a);
        let mut file = g.clone();
        file.extend_from_slice(b"garbage after the member");
        let (recs, damage) = read_all(&file);
        assert_eq!(recs.len(), 1);
        assert_eq!(damage.unwrap().offset, g.len() as u64);
    }

    #[test]
    fn headers_are_bounded() {
        let file = vec![b'W'; MAX_HEADER_BYTES * 3];
        let (recs, damage) = read_all(&file);
        assert!(recs.is_empty());
        assert_eq!(damage.unwrap().offset, 0);
        let mut long = b"WARC/1.1\r\nX: ".to_vec();
        long.extend(std::iter::repeat_n(b'a', MAX_HEADER_BYTES * 2));
        let (_, damage) = read_all(&long);
        assert!(damage.unwrap().detail.contains("longer than"));
    }

    #[test]
    fn missing_or_bad_content_length_is_damage() {
        let (_, d) = read_all(b"WARC/1.0\r\nWARC-Type: x\r\n\r\n");
        assert!(d.unwrap().detail.contains("Content-Length"));
        let (_, d) = read_all(b"WARC/1.0\r\nContent-Length: -5\r\n\r\n");
        assert!(d.unwrap().detail.contains("Content-Length"));
        let (_, d) = read_all(b"WARC/1.0\r\nContent-Length: 99999999999999999999999\r\n\r\n");
        assert!(d.unwrap().detail.contains("Content-Length"));
    }

    #[test]
    fn lf_only_headers_and_continuations_are_read() {
        let file = b"WARC/1.0\nWARC-Type: resource\nWARC-Record-ID: <urn:a\n  :b>\nContent-Length: 2\n\nok\r\n\r\n";
        let (recs, damage) = read_all(file);
        assert_eq!(damage, None);
        assert_eq!(recs[0].1, "<urn:a :b>");
        assert_eq!(recs[0].2, b"ok");
    }

    #[test]
    fn empty_input_has_no_records() {
        assert_eq!(read_all(b""), (vec![], None));
    }
}
