//! The bundled sample site, embedded in the binary: `site/v1` and `site/v2` (see
//! `site/CHANGES.md` for what differs). Owns the file table only; serving is in
//! [`super::server`]. A test checks that every file under `site/` is listed here.

/// Embed files under `site/` as `(relative path, bytes)`.
macro_rules! site {
    ($($path:literal),* $(,)?) => {
        &[$(($path, include_bytes!(concat!("site/", $path)) as &[u8])),*]
    };
}

/// Every file of both versions, path relative to `site/` (e.g. `v1/index.html`).
pub const FILES: &[(&str, &[u8])] = site![
    "v1/archive/2016/index.html",
    "v1/archive/2017/index.html",
    "v1/archive/articles/1016/1016pensions.htm",
    "v1/archive/articles/1017/1017bridges.htm",
    "v1/archive/articles/1017/1017ferry.htm",
    "v1/archive/articles/1017/ferry.gif",
    "v1/archive/articles/1116/1116recount.htm",
    "v1/archive/articles/1117/1117library.htm",
    "v1/archive/articles/1117/1117licensing.htm",
    "v1/archive/articles/1216/1216charity.htm",
    "v1/archive/articles/1217/1217budget.htm",
    "v1/archive/index.html",
    "v1/images/esrlogo.gif",
    "v1/index.html",
    "v1/robots.txt",
    "v2/archive/2016/index.html",
    "v2/archive/2017/index.html",
    "v2/archive/articles/1016/1016pensions.htm",
    "v2/archive/articles/1017/1017bridges.htm",
    "v2/archive/articles/1017/1017ferry.htm",
    "v2/archive/articles/1017/ferry.gif",
    "v2/archive/articles/1117/1117library.htm",
    "v2/archive/articles/1117/1117licensing.htm",
    "v2/archive/articles/1216/1216charity.htm",
    "v2/archive/articles/1217/1217budget.htm",
    "v2/archive/articles/1217/1217snowplow.htm",
    "v2/archive/index.html",
    "v2/images/esrlogo.gif",
    "v2/index.html",
    "v2/robots.txt",
];

/// The bytes of `path` (relative to the version root, no leading `/`) in `version`.
pub fn file(version: u8, path: &str) -> Option<&'static [u8]> {
    let key = format!("v{version}/{path}");
    FILES.iter().find(|(p, _)| *p == key).map(|(_, b)| *b)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(&p, out);
            } else {
                out.push(p);
            }
        }
    }

    #[test]
    fn every_site_file_is_embedded() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/demo/site");
        let mut found = Vec::new();
        for v in ["v1", "v2"] {
            walk(&root.join(v), &mut found);
        }
        assert!(found.len() > 10);
        for p in found {
            let rel = p
                .strip_prefix(&root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            assert!(
                FILES.iter().any(|(f, _)| *f == rel),
                "{rel} is not listed in src/demo/site.rs"
            );
        }
        assert_eq!(file(1, "index.html").map(|b| !b.is_empty()), Some(true));
        assert!(file(2, "archive/articles/1116/1116recount.htm").is_none());
    }
}
