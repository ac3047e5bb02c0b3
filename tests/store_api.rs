//! Library-level tests of the snapshot store: objects, captures, outcomes, runs,
//! frontier, locking, reindex and verify. The tests that need only the store's API
//! run twice, on a local directory and in a bucket of a real S3 server
//! (`on_disk::NAME`, `in_a_bucket::NAME`, see `store_backends`); the ones that damage
//! or inspect files on disk run on the local backend (their S3 counterparts, damage
//! found in a bucket, are in `store_s3.rs`).

mod s3_support;
mod store_backends;

use std::fs;
use std::path::{Path, PathBuf};

use quire::store::{synthetic, CaptureId, EntryKind, Outcome, ProblemKind, RunId, Store};
use store_backends::Backend;

on_both_backends!(
    identical_bytes_are_stored_once,
    capture_roundtrip_history_and_one_outcome_per_run_url,
    put_capture_requires_a_stored_object,
    entries_stream_sorted_by_url_with_every_kind,
    frontier_is_fifo_and_resets_in_flight,
    second_writer_is_locked_and_readers_keep_working,
);

fn new_store() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("store");
    (dir, root)
}

fn capture(store: &mut Store, run: &RunId, url: &str, body: &[u8]) -> CaptureId {
    let obj = store.put_object(body).unwrap();
    let article = synthetic::article(url, &obj, run, url);
    store.put_capture(run, &article).unwrap()
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(rd) = fs::read_dir(dir) {
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(files_under(&p));
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

fn flip_byte(path: &Path) {
    let mut b = fs::read(path).unwrap();
    let i = b.len() / 2;
    b[i] ^= 0x01;
    fs::write(path, b).unwrap();
}

fn identical_bytes_are_stored_once(be: &Backend) {
    let mut s = be.writer(0);
    let a = s.put_object(b"hello").unwrap();
    s.flush().unwrap();
    let b = s.put_object(b"hello").unwrap();
    let c = s.put_object(b"world").unwrap();
    s.flush().unwrap();
    assert_eq!(a, b);
    assert_ne!(a.sha256, c.sha256);
    assert_eq!(
        a.path,
        format!("objects/sha256/{}/{}", &a.sha256[..2], a.sha256)
    );
    if let Some(root) = be.local_root() {
        assert_eq!(files_under(&root.join("objects")).len(), 2);
    }
    assert_eq!(s.read_object(&a.sha256).unwrap(), b"hello");
}

fn capture_roundtrip_history_and_one_outcome_per_run_url(be: &Backend) {
    let mut s = be.writer(0);
    let url = "https://mag.test/a.html";
    let r1 = s.begin_run(&serde_json::json!({"seeds": [url]})).unwrap();
    let c1 = capture(&mut s, &r1, url, b"v1");
    s.flush().unwrap();
    let records = be
        .local_root()
        .map(|root| root.join("runs").join(&r1.0).join("records"));
    if let Some(records) = &records {
        assert_eq!(files_under(records).len(), 1);
    }
    // A second put for the same run and URL returns the existing id and writes nothing.
    let again = capture(&mut s, &r1, url, b"v1 again");
    assert_eq!(again, c1);
    s.put_outcome(&r1, url, &Outcome::Gone { http_status: 404 })
        .unwrap();
    s.flush().unwrap();
    if let Some(records) = &records {
        assert_eq!(files_under(records).len(), 1);
    }
    assert!(matches!(
        s.entry(&r1, url).unwrap().map(|e| e.kind),
        Some(EntryKind::Captured { .. })
    ));
    s.finish_run(&r1, &serde_json::json!({"ok": true})).unwrap();
    // A finished run is sealed.
    assert!(s.put_capture(&r1, &s.read_capture(&c1).unwrap()).is_ok()); // same URL: existing id
    let r2 = s.begin_run(&serde_json::json!({})).unwrap();
    assert!(r2 > r1, "run ids sort by start time");
    let c2 = capture(&mut s, &r2, url, b"v2");
    s.flush().unwrap();
    let article = s.read_capture(&c2).unwrap();
    assert_eq!(article.content.url, url);
    assert_eq!(
        article.provenance.raw_sha256,
        quire::model::sha256_hex(b"v2")
    );
    let h = s.history(url).unwrap();
    assert_eq!(
        h.iter().map(|c| c.id.clone()).collect::<Vec<_>>(),
        vec![c1, c2.clone()]
    );
    assert_eq!(s.latest_capture(url).unwrap().unwrap().id, c2);
    assert_eq!(h[0].raw_bytes, 2);
    assert_eq!(s.runs().unwrap().len(), 2);
    assert_eq!(s.unfinished_run().unwrap(), Some(r2));
}

fn put_capture_requires_a_stored_object(be: &Backend) {
    let mut s = be.writer(0);
    let run = s.begin_run(&serde_json::json!({})).unwrap();
    let obj = s.put_object(b"x").unwrap();
    let mut article = synthetic::article("https://m.test/", &obj, &run, "t");
    article.provenance.raw_sha256 = quire::model::sha256_hex(b"not stored");
    article.provenance.object_path = None;
    assert!(s.put_capture(&run, &article).is_err());
    let mut article = synthetic::article("https://m.test/", &obj, &run, "t");
    article.provenance.object_path = Some("../../etc/passwd".into());
    assert!(s.put_capture(&run, &article).is_err());
}

fn entries_stream_sorted_by_url_with_every_kind(be: &Backend) {
    let mut s = be.writer(0);
    let r1 = s.begin_run(&serde_json::json!({})).unwrap();
    let prev = capture(&mut s, &r1, "https://m.test/b", b"b");
    s.finish_run(&r1, &serde_json::json!({})).unwrap();
    let run = s.begin_run(&serde_json::json!({})).unwrap();
    capture(&mut s, &run, "https://m.test/d", b"d");
    s.put_outcome(
        &run,
        "https://m.test/b",
        &Outcome::NotModified {
            previous: prev.clone(),
        },
    )
    .unwrap();
    s.put_outcome(
        &run,
        "https://m.test/c",
        &Outcome::Failed {
            reason: "timeout".into(),
            http_status: None,
        },
    )
    .unwrap();
    s.put_outcome(
        &run,
        "https://m.test/a",
        &Outcome::Gone { http_status: 410 },
    )
    .unwrap();
    s.flush().unwrap();
    let mut seen = Vec::new();
    s.for_each_entry(&run, |e| {
        seen.push(e);
        Ok(())
    })
    .unwrap();
    let urls: Vec<&str> = seen.iter().map(|e| e.url.as_str()).collect();
    assert_eq!(
        urls,
        [
            "https://m.test/a",
            "https://m.test/b",
            "https://m.test/c",
            "https://m.test/d"
        ]
    );
    assert!(matches!(seen[0].kind, EntryKind::Gone { http_status: 410 }));
    match &seen[1].kind {
        EntryKind::NotModified {
            capture,
            raw_sha256,
            ..
        } => {
            assert_eq!(capture, &prev);
            assert_eq!(raw_sha256, &quire::model::sha256_hex(b"b"));
        }
        k => panic!("unexpected {k:?}"),
    }
    assert!(matches!(&seen[2].kind, EntryKind::Failed { reason, .. } if reason == "timeout"));
    assert!(matches!(seen[3].kind, EntryKind::Captured { .. }));
    // latest_only: b's latest capture is in r1 (the 304 made no new capture).
    let mut latest = Vec::new();
    s.for_each_capture(true, None, |c| {
        latest.push((c.url, c.run));
        Ok(())
    })
    .unwrap();
    assert_eq!(
        latest,
        vec![
            ("https://m.test/b".to_string(), r1),
            ("https://m.test/d".to_string(), run)
        ]
    );
}

fn frontier_is_fifo_and_resets_in_flight(be: &Backend) {
    let mut s = be.writer(0);
    let run = s.begin_run(&serde_json::json!({})).unwrap();
    let urls: Vec<(String, u32)> = (0..5).map(|i| (format!("https://m.test/{i}"), i)).collect();
    assert_eq!(s.frontier_add(&run, &urls).unwrap(), 5);
    assert_eq!(s.frontier_add(&run, &urls[..2]).unwrap(), 0);
    let took = s.frontier_take(&run, 3).unwrap();
    assert_eq!(took, urls[..3].to_vec());
    capture(&mut s, &run, "https://m.test/0", b"0");
    s.frontier_done(&run, "https://m.test/1").unwrap();
    s.flush().unwrap();
    let c = s.frontier_counts(&run).unwrap();
    assert_eq!((c.pending, c.in_flight, c.done), (2, 1, 2));
    drop(s);
    let mut s = be.writer(0);
    assert_eq!(s.frontier_reset_in_flight(&run).unwrap(), 1);
    let c = s.frontier_counts(&run).unwrap();
    assert_eq!((c.pending, c.in_flight, c.done), (3, 0, 2));
    let took = s.frontier_take(&run, 10).unwrap();
    assert_eq!(
        took.iter().map(|u| u.0.as_str()).collect::<Vec<_>>(),
        ["https://m.test/2", "https://m.test/3", "https://m.test/4"]
    );
}

fn second_writer_is_locked_and_readers_keep_working(be: &Backend) {
    let mut w = be.writer(0);
    let run = w.begin_run(&serde_json::json!({})).unwrap();
    capture(&mut w, &run, "https://m.test/x", b"x");
    w.flush().unwrap();
    // A second writer of the same store (of the same cache, for a bucket: writers on
    // other machines are allowed, each run is one writer's, see store_s3.rs) is refused
    // while this one lives.
    let err = be.try_writer(0).unwrap_err();
    assert!(err.is_locked(), "{err}");
    assert!(err.to_string().contains("locked"));
    let r = be.reader(1);
    assert_eq!(r.history("https://m.test/x").unwrap().len(), 1);
    assert!(r.verify().unwrap().ok());
    assert!(be.verify().ok());
    drop(w);
    assert!(be.try_writer(0).is_ok());
}

#[test]
fn hostile_urls_never_become_paths() {
    let (_d, root) = new_store();
    let mut s = Store::open_writer(&root).unwrap();
    let run = s.begin_run(&serde_json::json!({})).unwrap();
    let evil = "https://m.test/../../../../tmp/evil/%2e%2e/\u{0}x";
    capture(&mut s, &run, evil, b"evil");
    s.put_outcome(&run, "../../outside", &Outcome::Gone { http_status: 404 })
        .unwrap();
    s.finish_run(&run, &serde_json::json!({})).unwrap();
    for f in files_under(&root) {
        let rel = f
            .strip_prefix(&root)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        assert!(
            !rel.contains("evil") && !rel.contains("outside") && !rel.contains(".."),
            "{rel}"
        );
    }
    assert_eq!(s.history(evil).unwrap().len(), 1);
    assert!(s.read_capture(&CaptureId("../../x/y".into())).is_err());
    assert!(s.read_object("../../etc/passwd").is_err());
}

fn sample_store(root: &Path) -> (RunId, CaptureId) {
    let mut s = Store::open_writer(root).unwrap();
    let run = s
        .begin_run(&serde_json::json!({"seeds": ["https://m.test/"]}))
        .unwrap();
    let mut id = None;
    for i in 0..20 {
        let c = capture(
            &mut s,
            &run,
            &format!("https://m.test/{i}"),
            format!("body {i}").as_bytes(),
        );
        id.get_or_insert(c);
    }
    s.put_outcome(
        &run,
        "https://m.test/zz",
        &Outcome::Failed {
            reason: "500".into(),
            http_status: Some(500),
        },
    )
    .unwrap();
    s.finish_run(&run, &serde_json::json!({"pages": 21}))
        .unwrap();
    (run, id.unwrap())
}

#[test]
fn verify_names_flipped_and_missing_files() {
    let (_d, root) = new_store();
    let (run, c) = sample_store(&root);
    let s = Store::open_reader(&root).unwrap();
    let ok = s.verify().unwrap();
    assert!(ok.ok(), "{:?}", ok.problems);
    assert_eq!((ok.objects, ok.records, ok.manifests), (20, 21, 1));

    let article = s.read_capture(&c).unwrap();
    let object = root.join(article.provenance.object_path.as_ref().unwrap());
    let record = record_path(&root, &run, &c);
    let manifest = root.join(format!("runs/{run}/manifest.json"));
    for target in [&object, &record, &manifest] {
        let orig = fs::read(target).unwrap();
        flip_byte(target);
        let rep = s.verify().unwrap();
        assert!(!rep.ok());
        assert!(
            rep.problems
                .iter()
                .any(|p| &p.path == target && p.kind == ProblemKind::Mismatch),
            "{target:?}: {:?}",
            rep.problems
        );
        fs::write(target, orig).unwrap();
        assert!(s.verify().unwrap().ok());
    }
    fs::remove_file(&object).unwrap();
    let rep = s.verify().unwrap();
    assert!(
        rep.problems
            .iter()
            .any(|p| p.path == object && p.kind == ProblemKind::Missing),
        "{:?}",
        rep.problems
    );
}

#[test]
fn verify_checks_unfinished_runs_and_tolerates_crash_leftovers() {
    let (_d, root) = new_store();
    let mut s = Store::open_writer(&root).unwrap();
    let run = s.begin_run(&serde_json::json!({})).unwrap();
    let c = capture(&mut s, &run, "https://m.test/u", b"u");
    drop(s);
    fs::write(root.join("tmp/123-abc-1.tmp"), b"partial").unwrap();
    fs::write(root.join(format!("runs/{run}/manifest.json")), b"{\"trunc").unwrap();
    let r = Store::open_reader(&root).unwrap();
    let rep = r.verify().unwrap();
    assert!(rep.ok(), "{:?}", rep.problems);
    assert_eq!(rep.unfinished_runs, vec![run.0.clone()]);
    assert_eq!(rep.harmless.len(), 2);
    // Unfinished records are verified too.
    let record = record_path(&root, &run, &c);
    let orig = fs::read(&record).unwrap();
    flip_byte(&record);
    assert!(r
        .verify()
        .unwrap()
        .problems
        .iter()
        .any(|p| p.path == record));
    fs::write(&record, orig).unwrap();
    // A writer cleans the leftovers and the run is still unfinished.
    let w = Store::open_writer(&root).unwrap();
    assert_eq!(w.unfinished_run().unwrap(), Some(run.clone()));
    let rep = w.verify().unwrap();
    assert!(rep.ok() && rep.harmless.is_empty(), "{rep:?}");
}

#[test]
fn index_is_a_cache_rebuilt_from_files() {
    let (_d, root) = new_store();
    let (run, _) = sample_store(&root);
    let before = {
        let s = Store::open_reader(&root).unwrap();
        (s.history("https://m.test/3").unwrap(), s.runs().unwrap())
    };
    // A reader of a store without an index builds one in memory.
    fs::remove_file(root.join("index.sqlite")).unwrap();
    let _ = fs::remove_file(root.join("index.sqlite-wal"));
    let _ = fs::remove_file(root.join("index.sqlite-shm"));
    {
        let s = Store::open_reader(&root).unwrap();
        assert_eq!(
            (s.history("https://m.test/3").unwrap(), s.runs().unwrap()),
            before
        );
        assert!(
            !root.join("index.sqlite").exists(),
            "a reader must not write"
        );
    }
    let mut w = Store::open_writer(&root).unwrap();
    assert_eq!(
        (w.history("https://m.test/3").unwrap(), w.runs().unwrap()),
        before
    );
    let rep = w.reindex().unwrap();
    assert_eq!(
        (rep.runs, rep.finished_runs, rep.captures, rep.outcomes),
        (1, 1, 20, 1)
    );
    assert_eq!(
        (w.history("https://m.test/3").unwrap(), w.runs().unwrap()),
        before
    );
    let mut n = 0;
    w.for_each_entry(&run, |_| {
        n += 1;
        Ok(())
    })
    .unwrap();
    assert_eq!(n, 21);
}

#[test]
fn writer_reconciles_records_the_index_missed() {
    let (_d, root) = new_store();
    let url = "https://m.test/crash";
    let (run, id) = {
        let mut s = Store::open_writer(&root).unwrap();
        let run = s.begin_run(&serde_json::json!({})).unwrap();
        s.frontier_add(&run, &[(url.to_string(), 0)]).unwrap();
        s.frontier_take(&run, 1).unwrap();
        let id = capture(&mut s, &run, url, b"c");
        (run, id)
    };
    // Simulate a crash between the record file and its index row.
    {
        let conn = rusqlite::Connection::open(root.join("index.sqlite")).unwrap();
        conn.execute("DELETE FROM entries", []).unwrap();
        conn.execute("UPDATE frontier SET state = 1", []).unwrap();
    }
    let mut s = Store::open_writer(&root).unwrap();
    assert_eq!(
        s.frontier_reset_in_flight(&run).unwrap(),
        0,
        "the URL has an outcome: done"
    );
    assert_eq!(capture(&mut s, &run, url, b"c2"), id);
    assert_eq!(
        files_under(&root.join(format!("runs/{run}/records"))).len(),
        1
    );
}

#[test]
fn writes_are_group_committed_and_flushed_in_order() {
    let (_d, root) = new_store();
    let opts = quire::store::WriterOptions {
        batch_records: 1000,
        batch_millis: 60_000,
    };
    let mut w = Store::open_writer_with(&root, opts).unwrap();
    let run = w.begin_run(&serde_json::json!({})).unwrap();
    w.frontier_add(&run, &[("https://m.test/p".into(), 0)])
        .unwrap();
    w.frontier_take(&run, 1).unwrap();
    let id = capture(&mut w, &run, "https://m.test/p", b"p");
    w.frontier_done(&run, "https://m.test/p").unwrap();
    // Pending: a duplicate put is still refused, no record is on disk yet, and a read
    // the batch cannot affect leaves it pending.
    assert_eq!(capture(&mut w, &run, "https://m.test/p", b"p2"), id);
    let records = root.join(format!("runs/{run}/records"));
    assert!(files_under(&records).is_empty());
    assert!(w.latest_capture("https://m.test/other").unwrap().is_none());
    assert!(files_under(&records).is_empty());
    // A read the batch affects flushes it first (read-your-writes).
    assert_eq!(w.history("https://m.test/p").unwrap()[0].id, id);
    assert_eq!(files_under(&records).len(), 1);
    assert_eq!(files_under(&root.join("objects")).len(), 2, "p and p2");
    assert_eq!(w.frontier_counts(&run).unwrap().done, 1);
    let mut entries = 0;
    capture(&mut w, &run, "https://m.test/r", b"r");
    w.for_each_entry(&run, |_| {
        entries += 1;
        Ok(())
    })
    .unwrap();
    assert_eq!(entries, 2, "for_each_entry sees the pending capture");
    assert!(files_under(&root.join("tmp")).is_empty());
    // Dropping a writer flushes what is pending.
    capture(&mut w, &run, "https://m.test/q", b"q");
    drop(w);
    let r = Store::open_reader(&root).unwrap();
    assert_eq!(r.history("https://m.test/q").unwrap().len(), 1);
}

#[test]
fn verify_reports_files_the_layout_does_not_account_for() {
    let (_d, root) = new_store();
    let (run, _) = sample_store(&root);
    let s = Store::open_reader(&root).unwrap();
    // A record added to a sealed run (named correctly, so only the manifest can tell).
    let bytes = b"{}\n";
    let sha = quire::model::sha256_hex(bytes);
    let extra = root.join(format!("runs/{run}/records/{sha}.json"));
    fs::write(&extra, bytes).unwrap();
    let stray = root.join("objects/sha256/00/not-a-digest");
    fs::write(&stray, b"x").unwrap();
    let rep = s.verify().unwrap();
    for path in [&extra, &stray] {
        assert!(
            rep.problems
                .iter()
                .any(|p| &p.path == path && p.kind == ProblemKind::Unexpected),
            "{path:?}: {:?}",
            rep.problems
        );
    }
    // A deleted record of a sealed run is missing.
    fs::remove_file(&extra).unwrap();
    fs::remove_file(&stray).unwrap();
    let rec = files_under(&root.join(format!("runs/{run}/records")))[0].clone();
    fs::remove_file(&rec).unwrap();
    let rep = s.verify().unwrap();
    assert!(
        rep.problems
            .iter()
            .any(|p| p.path == rec && p.kind == ProblemKind::Missing),
        "{:?}",
        rep.problems
    );
}

/// Rewrite a record's JSON with `edit`, saving it under the SHA-256 of its new bytes
/// (so its name holds and only its inner consistency is wrong). Returns the new path.
fn rewrite_record(record: &Path, edit: impl FnOnce(&mut serde_json::Value)) -> PathBuf {
    let mut v: serde_json::Value = serde_json::from_slice(&fs::read(record).unwrap()).unwrap();
    edit(&mut v);
    let bytes = serde_json::to_vec_pretty(&v).unwrap();
    let new = record.with_file_name(format!("{}.json", quire::model::sha256_hex(&bytes)));
    fs::remove_file(record).unwrap();
    fs::write(&new, bytes).unwrap();
    new
}

fn record_path(root: &Path, run: &RunId, c: &CaptureId) -> PathBuf {
    root.join(format!(
        "runs/{}/records/{}.json",
        run,
        c.0.split_once('/').unwrap().1
    ))
}

#[test]
fn verify_recomputes_content_digests() {
    // Unfinished run: a record whose content no longer matches its content_sha256 is
    // the one problem, even though its name is the digest of its bytes.
    let (_d, root) = new_store();
    let mut s = Store::open_writer(&root).unwrap();
    let run = s.begin_run(&serde_json::json!({})).unwrap();
    let c = capture(&mut s, &run, "https://m.test/u", b"u");
    drop(s);
    let r = Store::open_reader(&root).unwrap();
    assert!(r.verify().unwrap().ok());
    let edited = rewrite_record(&record_path(&root, &run, &c), |v| {
        v["outcome"]["detail"]["article"]["content"]["title"] = "Silently edited".into();
    });
    let rep = r.verify().unwrap();
    assert_eq!(rep.problems.len(), 1, "{:?}", rep.problems);
    let p = &rep.problems[0];
    assert_eq!((&p.path, p.kind), (&edited, ProblemKind::Mismatch));
    assert!(p.detail.contains("content_sha256"), "{}", p.detail);

    // Re-ordering keys or re-indenting the content is not a change: RFC 8785.
    let (_d, root) = new_store();
    let mut s = Store::open_writer(&root).unwrap();
    let run = s.begin_run(&serde_json::json!({})).unwrap();
    let c = capture(&mut s, &run, "https://m.test/u", b"u");
    drop(s);
    rewrite_record(&record_path(&root, &run, &c), |v| {
        let content = v["outcome"]["detail"]["article"]["content"].take();
        let obj = content.as_object().unwrap();
        let reversed: serde_json::Map<String, serde_json::Value> = obj
            .iter()
            .rev()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        v["outcome"]["detail"]["article"]["content"] = reversed.into();
    });
    let rep = Store::open_reader(&root).unwrap().verify().unwrap();
    assert!(rep.ok(), "{:?}", rep.problems);

    // Finished run: checked too, beside the manifest no longer listing the record.
    let (_d, root) = new_store();
    let (run, c) = sample_store(&root);
    let edited = rewrite_record(&record_path(&root, &run, &c), |v| {
        v["outcome"]["detail"]["article"]["content"]["word_count"] = 12345.into();
    });
    let rep = Store::open_reader(&root).unwrap().verify().unwrap();
    assert!(
        rep.problems.iter().any(|p| p.path == edited
            && p.kind == ProblemKind::Mismatch
            && p.detail.contains("content_sha256")),
        "{:?}",
        rep.problems
    );
}

#[test]
fn verify_checks_manifest_entries_against_their_records() {
    let (_d, root) = new_store();
    let (run, _) = sample_store(&root);
    let manifest = root.join(format!("runs/{run}/manifest.json"));
    let mut m: serde_json::Value = serde_json::from_slice(&fs::read(&manifest).unwrap()).unwrap();
    let entry = m["entries"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|e| e["kind"] == "captured")
        .unwrap();
    entry["content_sha256"] = "0".repeat(64).into();
    let bytes = serde_json::to_vec_pretty(&m).unwrap();
    fs::write(&manifest, &bytes).unwrap();
    // Re-seal it, so only the disagreement with the record is left to find.
    fs::write(
        root.join(format!("runs/{run}/manifest.sha256")),
        format!("{}  manifest.json\n", quire::model::sha256_hex(&bytes)),
    )
    .unwrap();
    let rep = Store::open_reader(&root).unwrap().verify().unwrap();
    assert_eq!(rep.problems.len(), 1, "{:?}", rep.problems);
    let p = &rep.problems[0];
    assert_eq!((&p.path, p.kind), (&manifest, ProblemKind::Mismatch));
    assert!(
        p.detail.contains("content_sha256 listed as 000"),
        "{}",
        p.detail
    );
}

fn alias(target: &str, from: &str) -> Outcome {
    Outcome::Alias {
        target: target.into(),
        redirects: vec![quire::model::Redirect {
            url: from.into(),
            status: 301,
            location: target.into(),
        }],
    }
}

fn format_version_on_disk(root: &Path) -> u64 {
    let v: serde_json::Value =
        serde_json::from_slice(&fs::read(root.join("quire-store.json")).unwrap()).unwrap();
    v["version"].as_u64().unwrap()
}

fn alias_records(root: &Path, run: &RunId) -> Vec<PathBuf> {
    files_under(&root.join(format!("runs/{run}/records")))
        .into_iter()
        .filter(|p| {
            fs::read_to_string(p)
                .unwrap()
                .contains("\"kind\":\"alias\"")
        })
        .collect()
}

#[test]
fn aliases_are_records_of_their_own_listed_in_the_manifest_and_rebuilt() {
    let (_d, root) = new_store();
    let mut s = Store::open_writer(&root).unwrap();
    assert_eq!(format_version_on_disk(&root), 1, "a new store is format 1");
    let run = s.begin_run(&serde_json::json!({})).unwrap();
    let t = "https://m.test/a.htm";
    capture(&mut s, &run, t, b"article");
    assert_eq!(s.format_version(), 1);
    s.put_outcome(
        &run,
        "https://m.test/a.html",
        &alias(t, "https://m.test/a.html"),
    )
    .unwrap();
    // Marked before the record exists, durably.
    assert_eq!(format_version_on_disk(&root), 2);
    assert_eq!(s.format_version(), 2);
    // One outcome per (run, URL): a second one for the alias URL is ignored.
    s.put_outcome(
        &run,
        "https://m.test/a.html",
        &Outcome::Gone { http_status: 404 },
    )
    .unwrap();
    // An alias must lead elsewhere; an Article carries no aliases into the store.
    assert!(s
        .put_outcome(
            &run,
            "https://m.test/b",
            &alias("https://m.test/b", "https://m.test/b")
        )
        .is_err());
    let obj = s.put_object(b"z").unwrap();
    let mut a = synthetic::article("https://m.test/z", &obj, &run, "z");
    a.aliases = vec!["https://m.test/old-z".into()];
    assert!(s.put_capture(&run, &a).is_err());
    s.finish_run(&run, &serde_json::json!({})).unwrap();

    let mut kinds = Vec::new();
    s.for_each_entry(&run, |e| {
        kinds.push((e.url, e.kind));
        Ok(())
    })
    .unwrap();
    assert!(kinds.contains(&(
        "https://m.test/a.html".to_string(),
        EntryKind::Alias { target: t.into() }
    )));
    assert_eq!(kinds.len(), 2);
    let manifest = fs::read_to_string(root.join(format!("runs/{run}/manifest.json"))).unwrap();
    assert!(
        manifest.contains("\"kind\":\"alias\"")
            && manifest.contains(&format!("\"target\":\"{t}\"")),
        "{manifest}"
    );
    assert_eq!(s.aliases_of(t, None).unwrap(), ["https://m.test/a.html"]);
    assert_eq!(s.resolve_alias("https://m.test/a.html").unwrap(), t);
    let h = s.article_history("https://m.test/a.html").unwrap();
    assert_eq!((h.url.as_str(), h.captures.len()), (t, 1));
    let before = (
        s.aliases_of(t, None).unwrap(),
        s.article_history(t).unwrap(),
        kinds.clone(),
    );
    s.reindex().unwrap();
    let mut kinds2 = Vec::new();
    s.for_each_entry(&run, |e| {
        kinds2.push((e.url, e.kind));
        Ok(())
    })
    .unwrap();
    assert_eq!(
        (
            s.aliases_of(t, None).unwrap(),
            s.article_history(t).unwrap(),
            kinds2
        ),
        before
    );
    drop(s);
    let rep = Store::open_reader(&root).unwrap().verify().unwrap();
    assert!(rep.ok(), "{:?}", rep.problems);
}

#[test]
fn verify_checks_alias_records() {
    let (_d, root) = new_store();
    let mut s = Store::open_writer(&root).unwrap();
    let run = s.begin_run(&serde_json::json!({})).unwrap();
    s.put_outcome(
        &run,
        "https://m.test/a.html",
        &alias("https://m.test/a.htm", "https://m.test/a.html"),
    )
    .unwrap();
    drop(s);
    let rec = alias_records(&root, &run).pop().unwrap();
    assert!(Store::open_reader(&root).unwrap().verify().unwrap().ok());

    // Hops that do not lead from the URL to the target.
    let edited = rewrite_record(&rec, |v| {
        v["outcome"]["detail"]["redirects"][0]["location"] = "https://m.test/elsewhere".into();
    });
    let rep = Store::open_reader(&root).unwrap().verify().unwrap();
    assert_eq!(rep.problems.len(), 1, "{:?}", rep.problems);
    assert_eq!(
        (&rep.problems[0].path, rep.problems[0].kind),
        (&edited, ProblemKind::Mismatch)
    );
    assert!(
        rep.problems[0].detail.contains("end at"),
        "{:?}",
        rep.problems
    );

    // An alias to itself.
    let edited = rewrite_record(&edited, |v| {
        v["outcome"]["detail"]["target"] = "https://m.test/a.html".into();
        v["outcome"]["detail"]["redirects"] = serde_json::json!([]);
    });
    let rep = Store::open_reader(&root).unwrap().verify().unwrap();
    assert!(
        rep.problems
            .iter()
            .any(|p| p.path == edited && p.detail.contains("itself")),
        "{:?}",
        rep.problems
    );

    // A store marked format 1 holding an alias: a format-1 reader would misread it.
    let (_d, root) = new_store();
    let mut s = Store::open_writer(&root).unwrap();
    let run = s.begin_run(&serde_json::json!({})).unwrap();
    s.put_outcome(
        &run,
        "https://m.test/a.html",
        &alias("https://m.test/a.htm", "https://m.test/a.html"),
    )
    .unwrap();
    drop(s);
    fs::write(
        root.join("quire-store.json"),
        "{\"format\": \"quire-store\", \"version\": 1}\n",
    )
    .unwrap();
    let rep = Store::open_reader(&root).unwrap().verify().unwrap();
    assert_eq!(rep.problems.len(), 1, "{:?}", rep.problems);
    assert!(
        rep.problems[0].detail.contains("format version 1"),
        "{:?}",
        rep.problems
    );
}

#[test]
fn a_url_is_taken_or_claimed_by_exactly_one_task() {
    use std::sync::{Arc, Mutex};
    let (_d, root) = new_store();
    let mut s = Store::open_writer(&root).unwrap();
    let run = s.begin_run(&serde_json::json!({})).unwrap();
    let store = Arc::new(Mutex::new(s));
    let urls: Vec<String> = (0..300).map(|i| format!("https://m.test/p{i}")).collect();
    let got = Arc::new(Mutex::new(Vec::<String>::new()));
    let mut threads = Vec::new();
    // One thread queues the URLs in batches (links found on pages) and takes them
    // (the crawl loop); three claim them in different orders (redirects).
    {
        let (store, got, urls, run) = (store.clone(), got.clone(), urls.clone(), run.clone());
        threads.push(std::thread::spawn(move || {
            for chunk in urls.chunks(10) {
                let links: Vec<(String, u32)> = chunk.iter().map(|u| (u.clone(), 1)).collect();
                let mut s = store.lock().unwrap();
                s.frontier_add(&run, &links).unwrap();
                let taken = s.frontier_take(&run, 7).unwrap();
                got.lock()
                    .unwrap()
                    .extend(taken.into_iter().map(|(u, _)| u));
            }
        }));
    }
    for k in 0..3usize {
        let (store, got, urls, run) = (store.clone(), got.clone(), urls.clone(), run.clone());
        threads.push(std::thread::spawn(move || {
            for i in 0..urls.len() {
                let u = &urls[(i * (k + 2) + k * 37) % urls.len()];
                if store.lock().unwrap().frontier_claim(&run, u, 1).unwrap() {
                    got.lock().unwrap().push(u.clone());
                }
            }
        }));
    }
    for t in threads {
        t.join().unwrap();
    }
    // What is still queued is taken last.
    let rest = store.lock().unwrap().frontier_take(&run, 1000).unwrap();
    let mut got = got.lock().unwrap().clone();
    got.extend(rest.into_iter().map(|(u, _)| u));
    let mut sorted = got.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted.len(), got.len(), "a URL was handed out twice");
    assert_eq!(sorted.len(), urls.len(), "a URL was never handed out");
}

/// An index written by the previous version (no `target` column, index_version 1), as
/// every existing store has: a reader answers from a private in-memory index, and the
/// next writer rebuilds it.
#[test]
fn an_index_of_the_previous_version_is_rebuilt() {
    let (_d, root) = new_store();
    let mut s = Store::open_writer(&root).unwrap();
    let run = s.begin_run(&serde_json::json!({})).unwrap();
    capture(&mut s, &run, "https://m.test/v", b"v");
    s.finish_run(&run, &serde_json::json!({})).unwrap();
    drop(s);
    {
        let c = rusqlite::Connection::open(root.join("index.sqlite")).unwrap();
        c.execute_batch(
            "DROP INDEX entries_by_target; ALTER TABLE entries DROP COLUMN target;
             UPDATE meta SET value = '1' WHERE key = 'index_version';",
        )
        .unwrap();
    }
    let r = Store::open_reader(&root).unwrap();
    assert_eq!(r.history("https://m.test/v").unwrap().len(), 1);
    drop(r);
    let mut w = Store::open_writer(&root).unwrap();
    assert_eq!(w.history("https://m.test/v").unwrap().len(), 1);
    let run2 = w.begin_run(&serde_json::json!({})).unwrap();
    w.put_outcome(
        &run2,
        "https://m.test/old-v",
        &alias("https://m.test/v", "https://m.test/old-v"),
    )
    .unwrap();
    assert_eq!(
        w.aliases_of("https://m.test/v", None).unwrap(),
        ["https://m.test/old-v"]
    );
}

/// The latest export leaves an old capture out only when the URL it now redirects to
/// holds the article: an alias whose target was never captured (a redirect to a
/// consent page that failed, a crawl stopped by its page limit) must not make the
/// old capture vanish.
#[test]
fn an_alias_to_a_page_never_captured_keeps_the_old_capture_in_the_latest_export() {
    let latest_urls = |s: &Store| {
        let mut urls = Vec::new();
        s.for_each_capture(true, None, |c| {
            urls.push(c.url);
            Ok(())
        })
        .unwrap();
        urls
    };
    let (_d, root) = new_store();
    let mut s = Store::open_writer(&root).unwrap();
    let run1 = s.begin_run(&serde_json::json!({})).unwrap();
    let a = "https://m.test/a.htm";
    let b = "https://m.test/b.htm";
    capture(&mut s, &run1, a, b"article a");
    capture(&mut s, &run1, b, b"article b");
    s.finish_run(&run1, &serde_json::json!({})).unwrap();
    let run2 = s.begin_run(&serde_json::json!({})).unwrap();
    // a now redirects to a page this run never captured; b to one it did.
    s.put_outcome(&run2, a, &alias("https://m.test/consent", a))
        .unwrap();
    let b2 = "https://m.test/2024/b.htm";
    capture(&mut s, &run2, b2, b"article b");
    s.put_outcome(&run2, b, &alias(b2, b)).unwrap();
    s.finish_run(&run2, &serde_json::json!({})).unwrap();
    assert_eq!(latest_urls(&s), [b2, a]);
}

/// `changes` follows an old article that became an alias: when the page it now
/// redirects to failed, the failure is reported there with the article as its alias;
/// when that page is gone or was never fetched, the article is removed, instead of
/// dropping out of the report.
#[test]
fn an_article_that_became_an_alias_of_no_content_is_reported() {
    let (_d, root) = new_store();
    let mut s = Store::open_writer(&root).unwrap();
    let run1 = s.begin_run(&serde_json::json!({})).unwrap();
    let (a, b, c) = (
        "https://m.test/a.htm",
        "https://m.test/b.htm",
        "https://m.test/c.htm",
    );
    for u in [a, b, c] {
        capture(&mut s, &run1, u, u.as_bytes());
    }
    s.finish_run(&run1, &serde_json::json!({})).unwrap();
    let run2 = s.begin_run(&serde_json::json!({})).unwrap();
    // a → a consent page that failed; b → a page that is gone; c → its new home.
    let consent = "https://m.test/consent";
    s.put_outcome(&run2, a, &alias(consent, a)).unwrap();
    s.put_outcome(
        &run2,
        consent,
        &Outcome::Failed {
            reason: "timeout".into(),
            http_status: None,
        },
    )
    .unwrap();
    let lost = "https://m.test/lost";
    s.put_outcome(&run2, b, &alias(lost, b)).unwrap();
    s.put_outcome(&run2, lost, &Outcome::Gone { http_status: 404 })
        .unwrap();
    let c2 = "https://m.test/2024/c.htm";
    capture(&mut s, &run2, c2, c.as_bytes());
    s.put_outcome(&run2, c, &alias(c2, c)).unwrap();
    s.finish_run(&run2, &serde_json::json!({})).unwrap();
    let cmp = quire::diff::compare_runs(&s, &run1, &run2).unwrap();
    // The failure is reported at the page that failed, with the article's URL as its
    // alias; the article that now leads to a gone page is removed.
    assert_eq!(cmp.failed, [consent], "{cmp:?}");
    assert_eq!(
        cmp.aliases.get(consent).map(Vec::as_slice),
        Some(&[a.to_string()][..])
    );
    assert_eq!(cmp.removed, [b], "{cmp:?}");
    // c moved: its article is judged under c2, not added there nor removed at c.
    assert!(cmp.added.is_empty(), "{cmp:?}");
    assert_eq!(cmp.changed.len() as u64 + cmp.unchanged, 1, "{cmp:?}");
}

/// `export --all` lists every capture of an article with the article's aliases, and
/// no alias of one URL leaks onto the next (the export asks once per URL).
#[test]
fn every_capture_of_an_article_carries_its_aliases_in_a_full_export() {
    let (_d, root) = new_store();
    let mut s = Store::open_writer(&root).unwrap();
    let (t, u, old) = (
        "https://m.test/t.htm",
        "https://m.test/u.htm",
        "https://m.test/old-t.html",
    );
    let run1 = s.begin_run(&serde_json::json!({})).unwrap();
    capture(&mut s, &run1, t, b"t one");
    capture(&mut s, &run1, u, b"u one");
    s.finish_run(&run1, &serde_json::json!({})).unwrap();
    let run2 = s.begin_run(&serde_json::json!({})).unwrap();
    capture(&mut s, &run2, t, b"t two");
    capture(&mut s, &run2, u, b"u two");
    s.put_outcome(&run2, old, &alias(t, old)).unwrap();
    s.finish_run(&run2, &serde_json::json!({})).unwrap();
    let mut out = Vec::new();
    let sel = quire::export::Selection {
        run: None,
        all: true,
        page_type: None,
    };
    quire::export::jsonl::export(&s, &sel, &mut out).unwrap();
    let docs: Vec<(String, Vec<String>)> = String::from_utf8(out)
        .unwrap()
        .lines()
        .map(|l| {
            let a: quire::model::Article = serde_json::from_str(l).unwrap();
            (a.content.url, a.aliases)
        })
        .collect();
    assert_eq!(
        docs,
        [
            (t.to_string(), vec![old.to_string()]),
            (t.to_string(), vec![old.to_string()]),
            (u.to_string(), vec![]),
            (u.to_string(), vec![]),
        ]
    );
}
