//! The store on S3-compatible object storage, against a real S3 server on loopback
//! (moto, see `s3_support`): the same store scenarios (two runs; an alias raising the
//! format, a stopped run resumed) on a local directory and in a bucket give the same
//! answers; the bucket holds the on-disk layout; keys are created
//! once and never overwritten; `verify` re-hashes the bucket and names a damaged key;
//! run leases (a live writer refuses others, two successors race and one wins, an
//! expired lease is taken over, a writer that lost its lease stops).

mod s3_support;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use quire::store::{
    synthetic, CaptureId, EntryKind, Outcome, RunId, S3Location, S3Options, Store, StoreError,
    StoreLocation, WriterOptions,
};
use s3_support::S3Server;

fn capture(store: &mut Store, run: &RunId, url: &str, body: &[u8]) -> CaptureId {
    let obj = store.put_object(body).unwrap();
    let article = synthetic::article(url, &obj, run, url);
    store.put_capture(run, &article).unwrap()
}

fn opts(m: &S3Server, cache: &Path) -> S3Options {
    S3Options {
        cache_dir: Some(cache.to_path_buf()),
        config: m.config(),
        ..S3Options::default()
    }
}

fn loc(bucket: &str) -> S3Location {
    S3Location {
        bucket: bucket.to_string(),
        prefix: "mags/weekly".to_string(),
    }
}

/// Where a scenario's store lives: a directory, or a bucket seen from several
/// machines (each its own cache directory).
enum Backend<'a> {
    Local(PathBuf),
    S3 {
        moto: &'a S3Server,
        loc: S3Location,
        caches: PathBuf,
    },
}

impl Backend<'_> {
    fn writer(&self, machine: usize) -> Store {
        match self {
            Backend::Local(root) => Store::open_writer(root).unwrap(),
            Backend::S3 { moto, loc, caches } => Store::open_writer_s3(
                loc,
                opts(moto, &caches.join(machine.to_string())),
                WriterOptions::default(),
            )
            .unwrap(),
        }
    }
    fn reader(&self, machine: usize) -> Store {
        match self {
            Backend::Local(root) => Store::open_reader(root).unwrap(),
            Backend::S3 { moto, loc, caches } => {
                Store::open_reader_s3(loc, opts(moto, &caches.join(machine.to_string()))).unwrap()
            }
        }
    }
    fn verify(&self) -> quire::store::VerifyReport {
        match self {
            Backend::Local(root) => Store::verify_root(root).unwrap(),
            Backend::S3 { moto, loc, caches } => {
                Store::verify_s3(loc, &opts(moto, &caches.join("verify"))).unwrap()
            }
        }
    }
}

/// Two runs written (the second by a reopened writer), read back by a reader on
/// another machine; returns what it saw, with run ids and times replaced by ordinals.
fn scenario(b: &Backend) -> Vec<String> {
    let a = "https://mag.test/a.html";
    let bb = "https://mag.test/b.html";
    let c = "https://mag.test/c.html";
    let mut w = b.writer(0);
    let r1 = w.begin_run(&serde_json::json!({"seeds": [a]})).unwrap();
    let c1 = capture(&mut w, &r1, a, b"body A");
    capture(&mut w, &r1, bb, b"body B");
    w.put_outcome(&r1, c, &Outcome::Gone { http_status: 404 })
        .unwrap();
    let info1 = w.finish_run(&r1, &serde_json::json!({"n": 1})).unwrap();
    drop(w);
    let mut w = b.writer(0);
    assert_eq!(w.unfinished_run().unwrap(), None);
    let r2 = w.begin_run(&serde_json::json!({"seeds": [a]})).unwrap();
    capture(&mut w, &r2, a, b"body A2");
    capture(&mut w, &r2, bb, b"body B");
    let info2 = w.finish_run(&r2, &serde_json::json!({"n": 2})).unwrap();
    drop(w);

    let r = b.reader(1);
    let mut seen = Vec::new();
    let runs = r.runs().unwrap();
    assert_eq!(runs.len(), 2);
    assert_eq!(runs[0].manifest_sha256, info1.manifest_sha256);
    assert_eq!(runs[1].manifest_sha256, info2.manifest_sha256);
    for (i, run) in runs.iter().enumerate() {
        seen.push(format!(
            "run {i} finished={} summary={:?}",
            run.finished_at.is_some(),
            run.summary
        ));
    }
    let h = r.history(a).unwrap();
    seen.push(format!("history a: {} captures", h.len()));
    for s in &h {
        seen.push(format!("  raw {} {} bytes", s.raw_sha256, s.raw_bytes));
    }
    let art = r.read_capture(&c1).unwrap();
    seen.push(format!("capture 1 url {}", art.content.url));
    let body = r.read_object(&quire::model::sha256_hex(b"body A")).unwrap();
    seen.push(format!("object A {:?}", String::from_utf8_lossy(&body)));
    let e = r.entry(&r1, c).unwrap().unwrap();
    seen.push(format!("c in run 1: {:?}", e.kind));
    let rep = b.verify();
    assert!(rep.ok(), "{:?}", rep.problems);
    seen.push(format!(
        "verify: {} objects {} records {} manifests",
        rep.objects, rep.records, rep.manifests
    ));
    assert!(matches!(e.kind, EntryKind::Gone { http_status: 404 }));
    seen
}

#[test]
fn the_same_store_scenario_gives_the_same_answers_on_disk_and_in_a_bucket() {
    let Some(m) = s3_support::moto() else { return };
    let dir = tempfile::tempdir().unwrap();
    let local = scenario(&Backend::Local(dir.path().join("store")));
    let bucket = m.bucket();
    let s3 = scenario(&Backend::S3 {
        moto: m,
        loc: loc(&bucket),
        caches: dir.path().join("caches"),
    });
    assert_eq!(local, s3);
    assert!(local
        .iter()
        .any(|l| l.contains("verify: 3 objects 5 records 2 manifests")));

    // The bucket holds the disk layout under the prefix, and no lease once finished.
    let keys = m.keys(&bucket);
    assert!(
        keys.contains(&"mags/weekly/quire-store.json".to_string()),
        "{keys:?}"
    );
    let objects = keys
        .iter()
        .filter(|k| k.starts_with("mags/weekly/objects/sha256/"))
        .count();
    assert_eq!(objects, 3, "{keys:?}");
    let seals = keys
        .iter()
        .filter(|k| k.ends_with("/manifest.sha256"))
        .count();
    let manifests = keys
        .iter()
        .filter(|k| k.ends_with("/manifest.json"))
        .count();
    let records = keys.iter().filter(|k| k.contains("/records/")).count();
    assert_eq!((seals, manifests, records), (2, 2, 5), "{keys:?}");
    assert!(!keys.iter().any(|k| k.contains("leases/")), "{keys:?}");
    // Byte for byte what a local store would hold under the same names.
    let cache = dir.path().join("caches").join("0");
    for k in &keys {
        let rel = k.strip_prefix("mags/weekly/").unwrap();
        let local = std::fs::read(cache.join(rel)).unwrap();
        assert_eq!(m.get_raw(&bucket, k).unwrap(), local, "{k}");
    }
}

/// An alias (which raises the store to format 2), a writer stopped with its run
/// unfinished, the same machine resuming it (frontier intact) and finishing it, then a
/// reader on another machine.
fn resume_and_alias_scenario(b: &Backend) -> Vec<String> {
    let t = "https://mag.test/a.htm";
    let from = "https://mag.test/a.html";
    let mut w = b.writer(0);
    assert_eq!(w.format_version(), 1);
    let run = w.begin_run(&serde_json::json!({})).unwrap();
    w.frontier_add(
        &run,
        &[
            (t.to_string(), 0),
            ("https://mag.test/later".to_string(), 1),
        ],
    )
    .unwrap();
    let taken = w.frontier_take(&run, 1).unwrap();
    assert_eq!(taken.len(), 1);
    capture(&mut w, &run, t, b"article");
    w.frontier_done(&run, t).unwrap();
    w.put_outcome(
        &run,
        from,
        &Outcome::Alias {
            target: t.into(),
            redirects: vec![quire::model::Redirect {
                url: from.into(),
                status: 301,
                location: t.into(),
            }],
        },
    )
    .unwrap();
    assert_eq!(w.format_version(), 2);
    drop(w); // stopped, run unfinished
    let mut w = b.writer(0);
    let resumed = w.unfinished_run().unwrap();
    assert_eq!(resumed.as_ref(), Some(&run));
    w.frontier_reset_in_flight(&run).unwrap();
    let counts = w.frontier_counts(&run).unwrap();
    let rest = w.frontier_take(&run, 10).unwrap();
    capture(&mut w, &run, "https://mag.test/later", b"later");
    w.finish_run(&run, &serde_json::json!({})).unwrap();
    drop(w);
    let r = b.reader(1);
    let mut seen = vec![
        format!("counts at resume {counts:?}"),
        format!("taken at resume {rest:?}"),
        format!("reader format {}", r.format_version()),
        format!("alias resolves to {}", r.resolve_alias(from).unwrap()),
        format!(
            "history of alias: {}",
            r.article_history(from).unwrap().captures.len()
        ),
        format!("runs {}", r.runs().unwrap().len()),
    ];
    let rep = b.verify();
    assert!(rep.ok(), "{:?}", rep.problems);
    seen.push(format!("verify: {} records", rep.records));
    seen
}

#[test]
fn resume_and_aliases_behave_the_same_on_disk_and_in_a_bucket() {
    let Some(m) = s3_support::moto() else { return };
    let dir = tempfile::tempdir().unwrap();
    let local = resume_and_alias_scenario(&Backend::Local(dir.path().join("store")));
    let bucket = m.bucket();
    let s3 = resume_and_alias_scenario(&Backend::S3 {
        moto: m,
        loc: loc(&bucket),
        caches: dir.path().join("caches"),
    });
    assert_eq!(local, s3);
    assert!(local.contains(&"reader format 2".to_string()), "{local:?}");
    assert!(
        local.contains(&"alias resolves to https://mag.test/a.htm".to_string()),
        "{local:?}"
    );
    // The bucket's format file was raised before the alias record was written.
    let f: serde_json::Value =
        serde_json::from_slice(&m.get_raw(&bucket, "mags/weekly/quire-store.json").unwrap())
            .unwrap();
    assert_eq!(f["version"], 2);
}

#[test]
fn locations_parse_and_local_paths_stay_local() {
    let p = |s: &str| StoreLocation::parse(Path::new(s));
    assert_eq!(
        p("s3://my-bucket/a/b/").unwrap(),
        StoreLocation::S3(S3Location {
            bucket: "my-bucket".into(),
            prefix: "a/b".into()
        })
    );
    assert_eq!(
        p("s3://my-bucket").unwrap(),
        StoreLocation::S3(S3Location {
            bucket: "my-bucket".into(),
            prefix: String::new()
        })
    );
    assert_eq!(
        p("snapshots").unwrap(),
        StoreLocation::Local(PathBuf::from("snapshots"))
    );
    assert_eq!(
        p("./s3:/x").unwrap(),
        StoreLocation::Local(PathBuf::from("./s3:/x"))
    );
    for bad in [
        "s3://",
        "s3://UPPER/x",
        "s3://b/../x",
        "s3://bk/a//b",
        "s3://ab/x",
    ] {
        assert!(matches!(p(bad), Err(StoreError::Invalid(_))), "{bad}");
    }
}

#[test]
fn a_key_is_created_once_never_overwritten_and_verify_names_the_damage() {
    let Some(m) = s3_support::moto() else { return };
    let dir = tempfile::tempdir().unwrap();
    let bucket = m.bucket();
    let l = loc(&bucket);
    let mut w = Store::open_writer_s3(
        &l,
        opts(m, &dir.path().join("c0")),
        WriterOptions {
            batch_records: 1000,
            batch_millis: 3_600_000,
        },
    )
    .unwrap();
    let run = w.begin_run(&serde_json::json!({})).unwrap();
    let url = "https://mag.test/x.html";
    let id = capture(&mut w, &run, url, b"the true bytes");
    // Before the writer's group commit reaches the bucket, someone else writes other
    // bytes under that object's key.
    let sha = quire::model::sha256_hex(b"the true bytes");
    let key = format!("mags/weekly/objects/sha256/{}/{sha}", &sha[..2]);
    m.put_raw(&bucket, &key, b"the WRONG bytes");
    w.flush().unwrap();
    w.finish_run(&run, &serde_json::json!({})).unwrap();
    drop(w);
    // Created with If-None-Match: the writer did not overwrite what was there.
    assert_eq!(m.get_raw(&bucket, &key).unwrap(), b"the WRONG bytes");
    // The record still names the true digest, and verify, re-reading the bucket (not
    // the writer's cache, which has the true bytes), names the damaged key.
    let rep = Store::verify_s3(&l, &opts(m, &dir.path().join("v"))).unwrap();
    assert!(!rep.ok());
    let named: Vec<String> = rep
        .problems
        .iter()
        .map(|p| p.path.display().to_string())
        .collect();
    assert!(named.contains(&format!("s3://{bucket}/{key}")), "{named:?}");
    // The writer's own copy is intact, and a reader of it still reads the capture.
    let r = Store::open_reader_s3(&l, opts(m, &dir.path().join("c0"))).unwrap();
    assert_eq!(r.read_capture(&id).unwrap().content.url, url);
    // Repair by putting the true bytes back: verify passes again.
    m.put_raw(&bucket, &key, b"the true bytes");
    let rep = Store::verify_s3(&l, &opts(m, &dir.path().join("v"))).unwrap();
    assert!(rep.ok(), "{:?}", rep.problems);
    assert!(rep.bytes_hashed > 0);
}

fn writer(m: &S3Server, l: &S3Location, cache: &Path, ttl: Duration) -> Store {
    Store::open_writer_s3(
        l,
        S3Options {
            lease_ttl: ttl,
            ..opts(m, cache)
        },
        WriterOptions::default(),
    )
    .unwrap()
}

#[test]
fn a_live_lease_refuses_others_and_of_two_successors_exactly_one_wins() {
    let Some(m) = s3_support::moto() else { return };
    let dir = tempfile::tempdir().unwrap();
    let bucket = m.bucket();
    let l = loc(&bucket);
    let ttl = Duration::from_secs(60);
    let mut a = writer(m, &l, &dir.path().join("a"), ttl);
    let run = a.begin_run(&serde_json::json!({})).unwrap();
    capture(&mut a, &run, "https://mag.test/1", b"one");
    a.flush().unwrap();
    let lease_key = format!("mags/weekly/leases/{}.json", run.0);
    assert!(m.get_raw(&bucket, &lease_key).is_some());

    let mut b = writer(m, &l, &dir.path().join("b"), ttl);
    let c = writer(m, &l, &dir.path().join("c"), ttl);
    // Another machine's crawl never resumes a run it did not begin...
    assert_eq!(b.unfinished_run().unwrap(), None);
    // ...and cannot take it while its writer lives.
    match b.hold_run(&run) {
        Err(StoreError::Locked { holder }) => assert!(holder.contains(&run.0), "{holder}"),
        other => panic!("expected Locked, got {other:?}"),
    }
    // The writer stops without finishing: its lease goes, the run stays unfinished.
    drop(a);
    assert!(m.get_raw(&bucket, &lease_key).is_none());
    // Two successors race for it: exactly one holds it.
    let barrier = std::sync::Arc::new(std::sync::Barrier::new(2));
    let handles: Vec<_> = [b, c]
        .into_iter()
        .map(|mut s| {
            let (barrier, run) = (barrier.clone(), run.clone());
            std::thread::spawn(move || {
                barrier.wait();
                let r = s.hold_run(&run);
                (r.map_err(|e| e.is_locked()), s)
            })
        })
        .collect();
    let results: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    let wins = results.iter().filter(|(r, _)| r.is_ok()).count();
    let locked = results.iter().filter(|(r, _)| *r == Err(true)).count();
    assert_eq!(
        (wins, locked),
        (1, 1),
        "{:?}",
        results.iter().map(|r| &r.0).collect::<Vec<_>>()
    );
    // The winner finishes the run; it is then sealed for everyone.
    let (_, mut winner) = results.into_iter().find(|(r, _)| r.is_ok()).unwrap();
    capture(&mut winner, &run, "https://mag.test/2", b"two");
    let info = winner.finish_run(&run, &serde_json::json!({})).unwrap();
    assert!(info.finished_at.is_some());
    drop(winner);
    assert!(m.get_raw(&bucket, &lease_key).is_none());
    let r = Store::open_reader_s3(&l, opts(m, &dir.path().join("r"))).unwrap();
    let runs = r.runs().unwrap();
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0].manifest_sha256, info.manifest_sha256);
    assert_eq!(r.history("https://mag.test/1").unwrap().len(), 1);
    assert_eq!(r.history("https://mag.test/2").unwrap().len(), 1);
}

#[test]
fn an_expired_lease_is_taken_over_and_a_writer_that_lost_its_lease_stops() {
    let Some(m) = s3_support::moto() else { return };
    let dir = tempfile::tempdir().unwrap();
    let bucket = m.bucket();
    let l = loc(&bucket);
    let mut a = writer(m, &l, &dir.path().join("a"), Duration::from_millis(600));
    let run = a.begin_run(&serde_json::json!({})).unwrap();
    capture(&mut a, &run, "https://mag.test/1", b"one");
    a.flush().unwrap();
    let lease_key = format!("mags/weekly/leases/{}.json", run.0);
    let now_ms = chrono::Utc::now().timestamp_millis();

    let mut b = writer(m, &l, &dir.path().join("b"), Duration::from_secs(60));
    // A crashed writer's lease, still within its time: refused, naming the holder.
    let ghost = |expires: i64| {
        serde_json::to_vec(&serde_json::json!({
            "holder": "host elsewhere pid 1 (crashed)", "cache": "0", "expires_ms": expires
        }))
        .unwrap()
    };
    m.put_raw(&bucket, &lease_key, &ghost(now_ms + 3_600_000));
    match b.hold_run(&run) {
        Err(StoreError::Locked { holder }) => assert!(holder.contains("crashed"), "{holder}"),
        other => panic!("expected Locked, got {other:?}"),
    }
    // Expired: taken over (If-Match on the ETag read), and the lease now names B.
    m.put_raw(&bucket, &lease_key, &ghost(now_ms - 1));
    b.hold_run(&run).unwrap();
    let b_id = std::fs::read_to_string(dir.path().join("b").join("cache-id")).unwrap();
    let lease = String::from_utf8(m.get_raw(&bucket, &lease_key).unwrap()).unwrap();
    assert!(lease.contains(b_id.trim()), "{lease}");
    assert!(!lease.contains("crashed"), "{lease}");

    // A, whose lease was replaced under it, notices at its next renewal (a third of
    // its 600 ms) and its writes fail as locked instead of mixing into B's run.
    let t0 = Instant::now();
    let mut i = 0;
    let err = loop {
        i += 1;
        let obj = a.put_object(format!("late {i}").as_bytes()).unwrap();
        let url = format!("https://mag.test/late/{i}");
        let art = synthetic::article(&url, &obj, &run, "late");
        let put = a.put_capture(&run, &art).and_then(|_| a.flush());
        if let Err(e) = put {
            break e;
        }
        assert!(t0.elapsed() < Duration::from_secs(20), "A never noticed");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(err.is_locked(), "{err}");
    drop(a);
    // B still holds the lease (A did not delete it on its way out).
    let lease = String::from_utf8(m.get_raw(&bucket, &lease_key).unwrap()).unwrap();
    assert!(lease.contains(b_id.trim()), "{lease}");
    b.finish_run(&run, &serde_json::json!({})).unwrap();
}

fn through(m: &S3Server, endpoint: &str, cache: &Path) -> S3Options {
    let mut o = opts(m, cache);
    for (k, v) in &mut o.config {
        if k == "aws_endpoint" {
            *v = endpoint.to_string();
        }
    }
    o
}

/// Uploads overlap the writing: objects and records reach the bucket as they are put,
/// before any flush; a record's PUT is sent only once the PUT of the object it names
/// has been answered (object PUTs are held back 150 ms by the proxy, record PUTs are
/// not); the flush waits for them; the manifest is sealed after every record.
#[test]
fn uploads_start_as_files_are_put_records_after_their_objects_seal_last() {
    let Some(m) = s3_support::moto() else { return };
    let rec = s3_support::Recorder::start(m, Duration::from_millis(150));
    let dir = tempfile::tempdir().unwrap();
    let bucket = m.bucket();
    let l = loc(&bucket);
    let never = WriterOptions {
        batch_records: 1_000,
        batch_millis: 3_600_000,
    };
    let mut s = Store::open_writer_s3(
        &l,
        through(m, &rec.endpoint(), &dir.path().join("c")),
        never,
    )
    .unwrap();
    let run = s.begin_run(&serde_json::json!({})).unwrap();
    let mut shas = Vec::new();
    for i in 0..6 {
        let obj = s.put_object(format!("body {i}").as_bytes()).unwrap();
        let url = format!("https://mag.test/{i}");
        let art = synthetic::article(&url, &obj, &run, &url);
        s.put_capture(&run, &art).unwrap();
        shas.push(obj.sha256);
    }
    // No flush yet: the 6 objects and 6 records arrive in the bucket on their own.
    let t0 = Instant::now();
    let stored = |k: &String, part: &str| k.contains(part);
    loop {
        let keys = m.keys(&bucket);
        let objects = keys
            .iter()
            .filter(|k| stored(k, "/objects/sha256/"))
            .count();
        let records = keys.iter().filter(|k| stored(k, "/records/")).count();
        if (objects, records) == (6, 6) {
            break;
        }
        assert!(
            t0.elapsed() < Duration::from_secs(20),
            "uploaded before the flush: {objects} objects, {records} records"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    s.flush().unwrap();
    s.finish_run(&run, &serde_json::json!({})).unwrap();
    drop(s);

    let log = rec.log();
    let puts = |part: &str| -> Vec<&s3_support::Logged> {
        log.iter()
            .filter(|r| r.method == "PUT" && r.path.contains(part))
            .collect()
    };
    let objects = puts("/objects/sha256/");
    let records = puts("/records/");
    assert_eq!((objects.len(), records.len()), (6, 6), "one PUT each");
    for r in &records {
        assert_eq!(r.status, 200);
        let body = String::from_utf8_lossy(&r.body);
        let named: Vec<_> = objects
            .iter()
            .filter(|o| body.contains(o.path.rsplit('/').next().unwrap()))
            .collect();
        assert_eq!(named.len(), 1, "{} names one object", r.path);
        assert!(
            named[0].answered <= r.arrived,
            "{} sent before its object {} was stored",
            r.path,
            named[0].path
        );
    }
    let seal = puts("/manifest.sha256");
    assert_eq!(seal.len(), 1);
    let last_record = records.iter().map(|r| r.answered).max().unwrap();
    assert!(last_record <= seal[0].arrived, "sealed after every record");
    let rep = Store::verify_s3(&l, &opts(m, &dir.path().join("v"))).unwrap();
    assert!(rep.ok(), "{:?}", rep.problems);
    assert_eq!((rep.objects, rep.records), (6, 6));
    for sha in &shas {
        assert!(m
            .keys(&bucket)
            .contains(&format!("mags/weekly/objects/sha256/{}/{sha}", &sha[..2])));
    }
}

/// An object whose upload fails for good keeps its record out of the bucket: the flush
/// fails, nothing in the bucket names a missing object, and the next writer of the
/// cache uploads both (object first) from the cache.
#[test]
fn a_record_is_never_uploaded_when_its_object_upload_failed() {
    let Some(m) = s3_support::moto() else { return };
    let rec = s3_support::Recorder::start(m, Duration::ZERO);
    rec.refuse_objects(true);
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("c");
    let bucket = m.bucket();
    let l = loc(&bucket);
    let mut s = Store::open_writer_s3(
        &l,
        through(m, &rec.endpoint(), &cache),
        WriterOptions::default(),
    )
    .unwrap();
    let run = s.begin_run(&serde_json::json!({})).unwrap();
    let obj = s.put_object(b"refused body").unwrap();
    let art = synthetic::article("https://mag.test/x", &obj, &run, "x");
    let id = s.put_capture(&run, &art).unwrap();
    let err = s.flush().unwrap_err();
    assert!(err.to_string().contains("objects/sha256"), "{err}");
    let keys = m.keys(&bucket);
    assert!(
        !keys
            .iter()
            .any(|k| k.contains("/records/") || k.contains("/objects/")),
        "{keys:?}"
    );
    let log = rec.log();
    assert!(log
        .iter()
        .any(|r| r.method == "PUT" && r.path.contains("/objects/") && r.status == 403));
    assert!(
        !log.iter()
            .any(|r| r.method == "PUT" && r.path.contains("/records/")),
        "no record PUT was even sent"
    );
    drop(s);
    // The endpoint works again: the same cache's next writer pushes what it holds.
    let s = writer(m, &l, &cache, Duration::from_secs(60));
    let keys = m.keys(&bucket);
    assert!(
        keys.contains(&format!("mags/weekly/{}", obj.path)),
        "{keys:?}"
    );
    assert!(keys.iter().any(|k| k.contains("/records/")), "{keys:?}");
    drop(s);
    let r = Store::open_reader_s3(&l, opts(m, &dir.path().join("r"))).unwrap();
    assert_eq!(
        r.read_capture(&id).unwrap().content.url,
        "https://mag.test/x"
    );
    let rep = Store::verify_s3(&l, &opts(m, &dir.path().join("v"))).unwrap();
    assert!(rep.ok(), "{:?}", rep.problems);
}
