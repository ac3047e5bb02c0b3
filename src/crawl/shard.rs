//! `--shard i/n`: split one crawl among `n` crawlers by host, so several `quire crawl`
//! processes (on different machines, writing to one store, e.g. on S3) share a large
//! site without talking to each other. A URL belongs to shard
//! `SHA-256(host)[..8] mod n`: stable across machines and quire versions. Owns only that
//! rule; the crawl loop applies it to seeds and links.

/// One shard of `count` (`index` in `0..count`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// This crawler's shard, from 0.
    pub index: u32,
    /// How many crawlers share the site.
    pub count: u32,
}

impl std::str::FromStr for Shard {
    type Err = String;
    /// `i/n` with `0 <= i < n`, `n <= 65536`.
    fn from_str(s: &str) -> Result<Shard, String> {
        let bad = || format!("bad shard {s:?}: expected i/n with 0 <= i < n (e.g. 0/4)");
        let (i, n) = s.split_once('/').ok_or_else(bad)?;
        let index: u32 = i.trim().parse().map_err(|_| bad())?;
        let count: u32 = n.trim().parse().map_err(|_| bad())?;
        if count == 0 || count > 65_536 || index >= count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl Shard {
    /// Does this shard crawl `url`? (URLs without a host belong to shard 0.)
    pub fn owns(&self, url: &url::Url) -> bool {
        let host = url.host_str().unwrap_or("").to_ascii_lowercase();
        let digest = crate::model::sha256_hex(host.as_bytes());
        let n = u64::from_str_radix(&digest[..16], 16).unwrap_or(0);
        let shard = if host.is_empty() {
            0
        } else {
            n % u64::from(self.count)
        };
        shard == u64::from(self.index)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_parse_and_split_hosts_exactly_once() {
        assert_eq!("1/4".parse::<Shard>(), Ok(Shard { index: 1, count: 4 }));
        for bad in ["4/4", "1", "a/b", "0/0", "-1/3", ""] {
            assert!(bad.parse::<Shard>().is_err(), "{bad}");
        }
        let shards: Vec<Shard> = (0..3).map(|i| Shard { index: i, count: 3 }).collect();
        let mut per = [0usize; 3];
        for h in 0..300 {
            let u = url::Url::parse(&format!("https://h{h}.mag.test/a/b")).unwrap();
            let owners: Vec<usize> = (0..3).filter(|&i| shards[i].owns(&u)).collect();
            assert_eq!(owners.len(), 1, "{u}");
            per[owners[0]] += 1;
            // Same host, other path: same shard.
            let v = url::Url::parse(&format!("http://H{h}.mag.test/other")).unwrap();
            assert!(shards[owners[0]].owns(&v));
        }
        assert!(per.iter().all(|&n| n > 50), "{per:?}");
    }
}
