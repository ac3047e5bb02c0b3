//! Bytes to text: the charset decision.
//!
//! Order of evidence: a byte order mark; then the encoding declared by the HTTP
//! `Content-Type` header; then a `<meta>` declaration in the first 4 KiB; then, when
//! nothing is declared, valid UTF-8 is UTF-8 and anything else goes to statistical
//! detection (chardetng). A declaration is *checked* against the bytes before it is
//! believed: UTF-8 declared over bytes that are not UTF-8, a legacy single-byte
//! encoding declared over bytes that are valid multi-byte UTF-8, or any declaration
//! whose decoder hits malformed sequences is overruled (and the overruling recorded),
//! so a lying header or `<meta>` never yields mojibake or U+FFFD.
//!
//! One exception: bytes that are UTF-8 with a little damage (a few stray bytes among
//! many well-formed multi-byte sequences, [`mostly_utf8`]) are UTF-8, declared or not.
//! Real legacy text almost never forms valid multi-byte sequences, so the damage is
//! replaced by U+FFFD (with a warning) rather than turning the whole page into
//! mojibake through detection.
//!
//! Text that was double-encoded before it reached us (UTF-8 read as Windows-1252 and
//! written out as UTF-8 again, "â€™" for "’") is repaired where the bytes leave no doubt
//! ([`repair_double_utf8`]), with a warning.
//!
//! Owns choosing and recording the encoding, and refusing bodies that are not text.
//! Must not parse the document beyond the `<meta>` prescan; no network, no store.

use encoding_rs::{Encoding, UTF_8, WINDOWS_1252};

use crate::model::{Charset, CharsetSource};

/// How many bytes of the document are searched for a `<meta>` declaration.
const META_PRESCAN_BYTES: usize = 4096;

/// A decoded document.
#[derive(Debug, Clone)]
pub struct Decoded {
    /// The text, without any BOM.
    pub text: String,
    /// The encoding used and why.
    pub charset: Charset,
    /// Non-fatal remarks (e.g. malformed sequences replaced).
    pub warnings: Vec<String>,
}

/// Why bytes are refused.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum DecodeError {
    /// Magic bytes or control bytes show this is not a text document.
    #[error("not an HTML document: {0}")]
    NotText(String),
}

/// Decode `bytes`, given the HTTP `Content-Type` header if any; then repair text that
/// was UTF-8 decoded as Latin-1 or Windows-1252 and encoded again before it reached us
/// (see [`repair_double_utf8`]), with a warning.
pub fn decode(bytes: &[u8], content_type: Option<&str>) -> Result<Decoded, DecodeError> {
    let mut d = decode_charset(bytes, content_type)?;
    if let (std::borrow::Cow::Owned(text), n) = repair_double_utf8(&d.text) {
        d.text = text;
        d.warnings
            .push(format!("{n} double-encoded UTF-8 sequences repaired"));
    }
    Ok(d)
}

/// The byte Windows-1252 encodes `c` as, for its characters in 0x80..=0x9F (where it
/// differs from Latin-1).
fn cp1252_high(c: char) -> Option<u8> {
    if c.is_ascii() || ('\u{80}'..='\u{FF}').contains(&c) {
        return None;
    }
    let mut buf = [0u8; 4];
    let (bytes, _, unmappable) = WINDOWS_1252.encode(c.encode_utf8(&mut buf));
    match *bytes {
        [b @ 0x80..=0x9F] if !unmappable => Some(b),
        _ => None,
    }
}

/// The character Windows-1252 encodes as `b` (0x80..=0x9F), where it has one.
fn cp1252_char(b: u8) -> Option<char> {
    let byte = [b];
    let (c, _, malformed) = WINDOWS_1252.decode(&byte);
    let c = c.chars().next()?;
    (!malformed && !('\u{80}'..='\u{9F}').contains(&c)).then_some(c)
}

/// A continuation byte (0x80..=0xBF) as a character shows it after the wrong decoding,
/// and whether that character is one that only a wrong decoding produces (a C1 control,
/// or Windows-1252's letters and signs for 0x80..=0x9F).
fn continuation(c: char) -> Option<(u8, bool)> {
    match c as u32 {
        0x80..=0x9F => Some((c as u8, true)),
        0xA0..=0xBF => Some((c as u8, false)),
        _ => cp1252_high(c).map(|b| (b, true)),
    }
}

/// Whether `text` holds a C1 control, or a character U+00C2..=U+00F4 (what a UTF-8
/// lead byte looks like after the wrong decoding) right before a [`continuation`]: the
/// only texts [`repair_double_utf8`] can change. Scans bytes rather than characters:
/// U+0080..=U+009F is encoded `C2 80..=9F` and U+00C2..=U+00F4 is `C3 82..=B4`, and
/// 0xC2/0xC3 are lead bytes, so each hit starts a character.
fn suspect_double_utf8(text: &str) -> bool {
    let bytes = text.as_bytes();
    memchr::memchr2_iter(0xC2, 0xC3, bytes).any(|p| match (bytes[p], bytes.get(p + 1)) {
        (0xC2, Some(0x80..=0x9F)) => true,
        (0xC3, Some(0x82..=0xB4)) => text
            .get(p + 2..)
            .and_then(|rest| rest.chars().next())
            .is_some_and(|c| continuation(c).is_some()),
        _ => false,
    })
}

/// Repair UTF-8 that was decoded as Latin-1 or Windows-1252 and encoded again
/// ("competitorâ€™s", "â\u{80}\u{94}"): each run of characters that spells a lead
/// byte and its continuation bytes of one valid UTF-8 character becomes that character,
/// when at least one continuation is a character that only such a mistake produces (a
/// C1 control, or "€", "™", "œ", … standing for 0x80..=0x9F). Runs whose bytes are all
/// Latin-1 letters and signs ("Ã©") stay: they can be real text. A C1 control left
/// over is a Windows-1252 byte read as Latin-1 and becomes its Windows-1252 character
/// ("\u{92}" is "’"; the five bytes Windows-1252 leaves undefined stay). Returns the text and
/// how many sequences were repaired; borrowed when none was.
pub fn repair_double_utf8(text: &str) -> (std::borrow::Cow<'_, str>, usize) {
    // A lead byte (0xC2..=0xF4 as a character) right before a continuation, or a C1
    // control: most text, French and German included, has none, and is returned as is
    // without a copy.
    if !suspect_double_utf8(text) {
        return (std::borrow::Cow::Borrowed(text), 0);
    }
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut repaired = 0;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let len = match c as u32 {
            0xC2..=0xDF => 2,
            0xE0..=0xEF => 3,
            0xF0..=0xF4 => 4,
            _ => 0,
        };
        if len > 0 && i + len <= chars.len() {
            let mut bytes = [c as u8, 0, 0, 0];
            let mut telling = false;
            let mut ok = true;
            for k in 1..len {
                match continuation(chars[i + k]) {
                    Some((b, t)) => {
                        bytes[k] = b;
                        telling |= t;
                    }
                    None => {
                        ok = false;
                        break;
                    }
                }
            }
            if ok && telling {
                if let Ok(s) = std::str::from_utf8(&bytes[..len]) {
                    out.push_str(s);
                    repaired += 1;
                    i += len;
                    continue;
                }
            }
        }
        // A C1 control left alone is a Windows-1252 byte that went through Latin-1
        // ("shouldn\u{92}t"): the character Windows-1252 means by it.
        if ('\u{80}'..='\u{9F}').contains(&c) {
            if let Some(m) = cp1252_char(c as u8) {
                out.push(m);
                repaired += 1;
                i += 1;
                continue;
            }
        }
        out.push(c);
        i += 1;
    }
    if repaired == 0 {
        (std::borrow::Cow::Borrowed(text), 0)
    } else {
        (std::borrow::Cow::Owned(out), repaired)
    }
}

fn decode_charset(bytes: &[u8], content_type: Option<&str>) -> Result<Decoded, DecodeError> {
    if let Some((enc, bom_len)) = Encoding::for_bom(bytes) {
        let (text, had_errors) = enc.decode_without_bom_handling(&bytes[bom_len..]);
        let mut warnings = Vec::new();
        if had_errors {
            warnings.push(format!("malformed {} sequences replaced", enc.name()));
        }
        return Ok(Decoded {
            text: text.into_owned(),
            charset: Charset {
                name: enc.name().to_string(),
                source: CharsetSource::Bom,
                overruled: Vec::new(),
            },
            warnings,
        });
    }
    sniff_binary(bytes)?;

    let mut overruled = Vec::new();
    let declared = [
        (
            content_type.and_then(charset_param),
            CharsetSource::Http,
            "HTTP header",
        ),
        (meta_charset(bytes), CharsetSource::Meta, "<meta>"),
    ];
    // Validated once: the UTF-8 paths below copy this `&str` instead of re-checking.
    let utf8 = match std::str::from_utf8(bytes) {
        Ok(text) => Utf8::Valid(text),
        Err(_) if mostly_utf8(bytes) => Utf8::Damaged,
        Err(_) => Utf8::No,
    };
    let damage_warning = || "malformed UTF-8 sequences replaced".to_string();
    for (label, source, what) in declared {
        let Some(label) = label else { continue };
        let Some(enc) = Encoding::for_label(label.trim().as_bytes()) else {
            overruled.push(format!("{what} declared unknown encoding {label:?}"));
            continue;
        };
        // UTF-16 declared in a document without a BOM is treated as UTF-8 (HTML spec).
        let enc = if enc == encoding_rs::UTF_16LE || enc == encoding_rs::UTF_16BE {
            UTF_8
        } else {
            enc
        };
        match check_declared(enc, bytes, utf8) {
            Ok(text) => {
                let mut warnings = Vec::new();
                if enc == UTF_8 && utf8 == Utf8::Damaged {
                    warnings.push(damage_warning());
                }
                return Ok(Decoded {
                    text,
                    charset: Charset {
                        name: enc.name().to_string(),
                        source,
                        overruled,
                    },
                    warnings,
                });
            }
            Err(why) => overruled.push(format!("{what} declared {}: {why}", enc.name())),
        }
    }

    if utf8 != Utf8::No {
        let valid = matches!(utf8, Utf8::Valid(_));
        return Ok(Decoded {
            text: utf8.text(bytes),
            charset: Charset {
                name: UTF_8.name().to_string(),
                source: if valid {
                    CharsetSource::Utf8Valid
                } else {
                    CharsetSource::Detected
                },
                overruled,
            },
            warnings: if valid {
                Vec::new()
            } else {
                vec![damage_warning()]
            },
        });
    }
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    detector.feed(&detection_sample(bytes), true);
    let enc = detector.guess(None, chardetng::Utf8Detection::Allow);
    let (text, _, had_errors) = enc.decode(bytes);
    let mut warnings = Vec::new();
    if had_errors {
        warnings.push(format!("malformed {} sequences replaced", enc.name()));
    }
    Ok(Decoded {
        text: text.into_owned(),
        charset: Charset {
            name: enc.name().to_string(),
            source: CharsetSource::Detected,
            overruled,
        },
        warnings,
    })
}

/// What the detector needs to see: every whitespace-delimited run of bytes that holds
/// a non-ASCII byte, one space between runs. Pure-ASCII words and markup carry no
/// evidence about a legacy encoding (multi-byte trail bytes in the ASCII range stay
/// inside their run), and skipping them makes detection many times cheaper.
fn detection_sample(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    for run in bytes.split(|b| b.is_ascii_whitespace() || *b == b'<' || *b == b'>') {
        if !run.is_ascii() {
            out.extend_from_slice(run);
            out.push(b' ');
        }
    }
    out
}

/// Decode with a declared encoding if the bytes agree with it; say why not otherwise.
/// Is this UTF-8 with a little damage? At least 20 well-formed multi-byte sequences
/// for every malformed run, and at least one of each. A legacy single-byte page
/// fails this (its accented letters are malformed runs, and the byte pairs that
/// happen to be well-formed are rare); a UTF-8 page with a stray byte or a pasted
/// legacy fragment passes.
pub fn mostly_utf8(bytes: &[u8]) -> bool {
    let (mut multibyte, mut malformed) = (0usize, 0usize);
    for chunk in bytes.utf8_chunks() {
        multibyte += chunk.valid().chars().filter(|c| !c.is_ascii()).count();
        if !chunk.invalid().is_empty() {
            malformed += 1;
        }
    }
    malformed > 0 && multibyte >= 20 * malformed
}

/// How the bytes stand as UTF-8, worked out once per page.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Utf8<'a> {
    /// Valid UTF-8 throughout.
    Valid(&'a str),
    /// UTF-8 with a little damage (see [`mostly_utf8`]); decodes lossily.
    Damaged,
    /// Not UTF-8.
    No,
}

impl Utf8<'_> {
    /// The text as UTF-8 (U+FFFD for damaged sequences). Only for `Valid` and `Damaged`.
    fn text(self, bytes: &[u8]) -> String {
        match self {
            Utf8::Valid(text) => text.to_owned(),
            _ => String::from_utf8_lossy(bytes).into_owned(),
        }
    }
}

fn check_declared(
    enc: &'static Encoding,
    bytes: &[u8],
    utf8: Utf8<'_>,
) -> Result<String, &'static str> {
    if enc == UTF_8 {
        return if utf8 == Utf8::No {
            Err("bytes are not valid UTF-8")
        } else {
            Ok(utf8.text(bytes))
        };
    }
    // Damaged UTF-8 counts here too: a few bad bytes don't make a page legacy text.
    if utf8 != Utf8::No && is_single_byte(enc) && !bytes.is_ascii() {
        // Real legacy single-byte text almost never forms valid multi-byte UTF-8.
        return Err("bytes are valid multi-byte UTF-8");
    }
    let (text, had_errors) = enc.decode_without_bom_handling(bytes);
    if had_errors {
        return Err("bytes are malformed in that encoding");
    }
    if enc == WINDOWS_1252 && text.chars().any(|c| ('\u{80}'..='\u{9f}').contains(&c)) {
        // windows-1252 leaves 0x81, 0x8D, 0x8F, 0x90, 0x9D as C1 controls: not text.
        return Err("bytes use code points undefined in windows-1252");
    }
    Ok(text.into_owned())
}

fn is_single_byte(enc: &'static Encoding) -> bool {
    enc.is_single_byte()
}

/// Refuse bodies that are evidently binary: known magic numbers or NUL bytes.
fn sniff_binary(bytes: &[u8]) -> Result<(), DecodeError> {
    const MAGIC: &[(&[u8], &str)] = &[
        (b"%PDF-", "PDF document"),
        (b"\x89PNG\r\n\x1a\n", "PNG image"),
        (b"GIF87a", "GIF image"),
        (b"GIF89a", "GIF image"),
        (b"\xff\xd8\xff", "JPEG image"),
        (b"PK\x03\x04", "ZIP archive"),
        (b"\x1f\x8b", "gzip data"),
        (b"RIFF", "RIFF media"),
        (b"\x00\x00\x01\x00", "icon"),
        (b"OggS", "Ogg media"),
        (b"ID3", "MP3 audio"),
        (b"\x7fELF", "executable"),
    ];
    let start = skip_ascii_whitespace(bytes);
    for (magic, what) in MAGIC {
        if start.starts_with(magic) {
            return Err(DecodeError::NotText((*what).to_string()));
        }
    }
    let head = &bytes[..bytes.len().min(8192)];
    let controls = head
        .iter()
        .filter(|&&b| b == 0 || (b < 0x09) || (0x0e..0x1b).contains(&b))
        .count();
    if head.contains(&0) || controls * 100 > head.len().max(1) * 2 {
        return Err(DecodeError::NotText(
            "binary data (control bytes)".to_string(),
        ));
    }
    Ok(())
}

fn skip_ascii_whitespace(bytes: &[u8]) -> &[u8] {
    let n = bytes.iter().take_while(|b| b.is_ascii_whitespace()).count();
    &bytes[n..]
}

/// The `charset` parameter of a Content-Type value.
pub fn charset_param(content_type: &str) -> Option<&str> {
    content_type.split(';').skip(1).find_map(|param| {
        let (k, v) = param.split_once('=')?;
        if k.trim().eq_ignore_ascii_case("charset") {
            let v = v.trim().trim_matches(|c| c == '"' || c == '\'').trim();
            (!v.is_empty()).then_some(v)
        } else {
            None
        }
    })
}

/// The encoding label declared by a `<meta>` tag in the first bytes of the document:
/// `<meta charset=X>` or `<meta http-equiv=Content-Type content="...; charset=X">`.
fn meta_charset(bytes: &[u8]) -> Option<&str> {
    let head = &bytes[..bytes.len().min(META_PRESCAN_BYTES)];
    for lt in memchr::memchr_iter(b'<', head) {
        let tag = &head[lt + 1..];
        if tag.len() < 5
            || !tag[..4].eq_ignore_ascii_case(b"meta")
            || tag[4].is_ascii_alphanumeric()
        {
            continue;
        }
        let end = memchr::memchr(b'>', tag).unwrap_or(tag.len());
        let tag = &tag[..end];
        let Some(at) = find_ascii_ci(tag, b"charset") else {
            continue;
        };
        let rest = &tag[at + 7..];
        let rest = &rest[rest.iter().take_while(|b| b.is_ascii_whitespace()).count()..];
        let Some(rest) = rest.strip_prefix(b"=") else {
            continue;
        };
        let rest = &rest[rest
            .iter()
            .take_while(|b| b.is_ascii_whitespace() || **b == b'"' || **b == b'\'')
            .count()..];
        let n = rest
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b':' | b'-'))
            .count();
        if n > 0 {
            return std::str::from_utf8(&rest[..n]).ok();
        }
    }
    None
}

fn find_ascii_ci(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle))
}

#[cfg(test)]
mod tests {
    use super::*;

    const CP1252_QUOTES: &[u8] = b"<p>Stalin\x92s \x93purge\x94 \x96 1937</p>";

    #[test]
    fn http_header_wins_over_meta_when_true() {
        let body = [b"<meta charset=utf-8>".as_slice(), CP1252_QUOTES].concat();
        let d = decode(&body, Some("text/html; charset=windows-1252")).unwrap();
        assert_eq!(d.charset.name, "windows-1252");
        assert_eq!(d.charset.source, CharsetSource::Http);
        assert!(d.text.contains("Stalin’s “purge” – 1937"));
    }

    #[test]
    fn lying_utf8_meta_over_cp1252_is_overruled() {
        let body = [
            b"<meta http-equiv=\"Content-Type\" content=\"text/html; charset=utf-8\">".as_slice(),
            CP1252_QUOTES,
        ]
        .concat();
        let d = decode(&body, None).unwrap();
        assert_eq!(d.charset.name, "windows-1252");
        assert_eq!(d.charset.source, CharsetSource::Detected);
        assert_eq!(d.charset.overruled.len(), 1);
        assert!(d.text.contains("Stalin’s “purge” – 1937"), "{}", d.text);
        assert!(!d.text.contains('\u{fffd}'));
    }

    #[test]
    fn declared_utf8_with_a_stray_byte_stays_utf8() {
        let mut body = b"<meta charset=\"UTF-8\"><p>".to_vec();
        for _ in 0..30 {
            body.extend_from_slice("Fundację wytoczył zarządowi ".as_bytes());
        }
        body.extend_from_slice(b"bad \xc3( byte</p>");
        let d = decode(&body, None).unwrap();
        assert_eq!(d.charset.name, "UTF-8");
        assert_eq!(d.charset.source, CharsetSource::Meta);
        assert!(d.text.contains("Fundację wytoczył zarządowi"), "{}", d.text);
        assert_eq!(d.text.matches('\u{fffd}').count(), 1);
        assert_eq!(
            d.warnings,
            vec!["malformed UTF-8 sequences replaced".to_string()]
        );
        // The same bytes without a declaration.
        let d = decode(&body[22..], None).unwrap();
        assert_eq!(d.charset.name, "UTF-8");
        assert!(d.text.contains("Fundację"));
    }

    #[test]
    fn mostly_utf8_rejects_legacy_text() {
        let cp1252 = b"caf\xe9 cr\xe8me br\xfbl\xe9e \x93quoted\x94 na\xefve ".repeat(50);
        assert!(!mostly_utf8(&cp1252));
        assert!(!mostly_utf8("valid UTF-8: café".as_bytes()));
        // Half legacy, half UTF-8: too damaged to call UTF-8.
        let mixed = [cp1252.as_slice(), "café ".repeat(100).as_bytes()].concat();
        assert!(!mostly_utf8(&mixed));
    }

    #[test]
    fn lying_cp1252_meta_over_utf8_is_overruled() {
        let body = "<meta charset=\"iso-8859-1\"><p>Caf\u{e9} \u{201c}noir\u{201d}</p>";
        let d = decode(body.as_bytes(), None).unwrap();
        assert_eq!(d.charset.name, "UTF-8");
        assert_eq!(d.charset.source, CharsetSource::Utf8Valid);
        assert!(d.text.contains("Café “noir”"));
    }

    #[test]
    fn undeclared_valid_utf8_is_utf8() {
        let d = decode("<p>na\u{ef}ve</p>".as_bytes(), None).unwrap();
        assert_eq!(d.charset.source, CharsetSource::Utf8Valid);
        assert!(d.text.contains("naïve"));
    }

    #[test]
    fn undeclared_cp1252_is_detected() {
        let d = decode(CP1252_QUOTES, None).unwrap();
        assert_eq!(d.charset.name, "windows-1252");
        assert_eq!(d.charset.source, CharsetSource::Detected);
    }

    #[test]
    fn bom_wins() {
        let body = [
            b"\xef\xbb\xbf<meta charset=windows-1252>".as_slice(),
            "\u{2019}".as_bytes(),
        ]
        .concat();
        let d = decode(&body, Some("text/html; charset=iso-8859-1")).unwrap();
        assert_eq!(d.charset.source, CharsetSource::Bom);
        assert!(d.text.ends_with('’'));
        assert!(!d.text.starts_with('\u{feff}'));
    }

    #[test]
    fn binary_is_refused() {
        assert!(decode(b"%PDF-1.4\n...", None).is_err());
        assert!(decode(b"\x89PNG\r\n\x1a\n\0\0", None).is_err());
        assert!(decode(&[0u8, 1, 2, 3, 200, 201, 0, 0], None).is_err());
    }

    #[test]
    fn meta_prescan_variants() {
        assert_eq!(
            meta_charset(b"<META CHARSET=ISO-8859-1>"),
            Some("ISO-8859-1")
        );
        assert_eq!(
            meta_charset(
                b"<meta http-equiv=Content-Type content='text/html; charset = \"utf-8\"'>"
            ),
            Some("utf-8")
        );
        assert_eq!(meta_charset(b"<metadata charset=x><p>charset=y"), None);
        assert_eq!(meta_charset(b"<meta name=x>"), None);
    }

    #[test]
    fn charset_param_parses_quotes_and_case() {
        assert_eq!(charset_param("text/html; Charset=\"UTF-8\""), Some("UTF-8"));
        assert_eq!(charset_param("text/html"), None);
        assert_eq!(charset_param("text/html; charset="), None);
    }
}

#[cfg(test)]
mod double_utf8_tests {
    use super::{continuation, repair_double_utf8, suspect_double_utf8};

    /// The byte scan agrees with the definition it speeds up (a C1 control, or a
    /// character U+00C2..=U+00F4 right before a continuation), on random texts made of
    /// the characters that matter: ASCII, Latin-1, Windows-1252's signs, others.
    #[test]
    fn the_byte_scan_finds_what_the_character_scan_finds() {
        let by_chars = |text: &str| {
            let mut prev = '\0';
            text.chars().any(|c| {
                let hit = ('\u{80}'..='\u{9F}').contains(&c)
                    || (('\u{C2}'..='\u{F4}').contains(&prev) && continuation(c).is_some());
                prev = c;
                hit
            })
        };
        let alphabet: Vec<char> = [
            'a', ' ', '\u{2019}', '\u{20AC}', '\u{2122}', '\u{153}', '\u{3B1}',
        ]
        .into_iter()
        .chain(('\u{80}'..='\u{FF}').step_by(3))
        .chain([
            '\u{C2}', '\u{C3}', '\u{E2}', '\u{F4}', '\u{F5}', '\u{9F}', '\u{A0}', '\u{BF}',
        ])
        .collect();
        let mut rng = fastrand::Rng::with_seed(27);
        let (mut yes, mut no) = (0, 0);
        for _ in 0..20_000 {
            let len = rng.usize(0..6);
            let text: String = (0..len)
                .map(|_| alphabet[rng.usize(..alphabet.len())])
                .collect();
            let want = by_chars(&text);
            assert_eq!(suspect_double_utf8(&text), want, "{text:?}");
            if want {
                yes += 1
            } else {
                no += 1
            }
        }
        assert!(yes > 1000 && no > 1000, "both kinds drawn: {yes} / {no}");
    }

    /// `s` encoded as UTF-8, then read back as Windows-1252 (or Latin-1).
    fn mangle(s: &str, cp1252: bool) -> String {
        let enc = if cp1252 {
            encoding_rs::WINDOWS_1252
        } else {
            // Latin-1 proper: every byte is the code point of the same value.
            return s.bytes().map(char::from).collect();
        };
        enc.decode_without_bom_handling(s.as_bytes()).0.into_owned()
    }

    #[test]
    fn double_encoded_punctuation_and_letters_come_back() {
        for original in [
            "your competitor’s CTO",
            "itertools — Functions",
            "“Very well,” she said…",
            "naïve café — Łódź • 東京 🎉",
        ] {
            for cp1252 in [true, false] {
                let bad = mangle(original, cp1252);
                assert_ne!(bad, original);
                let (fixed, n) = repair_double_utf8(&bad);
                // Two-byte letters made only of Latin-1 signs (é is "Ã©") stay as they
                // are; everything with a telling character comes back.
                if original.contains("café") {
                    assert!(n >= 4, "{bad:?} -> {fixed:?}");
                    assert!(fixed.contains('—') && fixed.contains('東') && fixed.contains('🎉'));
                } else {
                    assert_eq!(fixed, original, "cp1252={cp1252}");
                }
            }
        }
    }

    #[test]
    fn real_text_is_left_alone() {
        for text in [
            "plain ASCII text",
            "Ångström, São Paulo, Zürich, ½ × ¾, “quotes” and ’apostrophes’",
            "Ã© alone, Â£5, âge, ô — ok",
            "€100 ™ œuvre",
            "",
        ] {
            let (out, n) = repair_double_utf8(text);
            assert_eq!(n, 0, "{text}");
            assert!(matches!(out, std::borrow::Cow::Borrowed(_)));
        }
    }

    #[test]
    fn windows_1252_bytes_read_as_latin_1_come_back() {
        let (out, n) =
            repair_double_utf8("shouldn\u{92}t \u{93}quote\u{94} New York\u{97}Union \u{9D}");
        assert_eq!(out, "shouldn’t “quote” New York—Union \u{9D}");
        assert_eq!(n, 4);
    }

    #[test]
    fn a_truncated_sequence_at_the_end_is_kept() {
        let (out, n) = repair_double_utf8("trailing â€");
        assert_eq!((out.as_ref(), n), ("trailing â€", 0));
    }
}
