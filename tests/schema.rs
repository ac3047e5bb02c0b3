//! The checked-in JSON Schema matches the Rust types, and documents validate.
//!
//! Regenerate after a deliberate schema change: `cargo run -- schema >
//! schema/article-<version>.json` (and bump `SCHEMA_VERSION` by the semver-for-data
//! rule in src/model.rs).

use std::path::Path;

fn schema_path() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("schema")
        .join(format!("article-{}.json", quire::model::SCHEMA_VERSION))
}

#[test]
fn checked_in_schema_matches_the_types() {
    let on_disk =
        std::fs::read_to_string(schema_path()).expect("schema file for the current version");
    assert_eq!(
        on_disk,
        quire::model::article_schema_json(),
        "schema/ drifted from src/model.rs: regenerate with `cargo run -- schema > {}`",
        schema_path().display()
    );
}

#[test]
fn every_golden_validates_against_the_schema() {
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(schema_path()).unwrap()).unwrap();
    let validator = jsonschema::draft202012::new(&schema).expect("valid draft 2020-12 schema");
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/extract");
    let mut n = 0;
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path().join("expected.json");
        let Ok(text) = std::fs::read_to_string(&p) else {
            continue;
        };
        let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
        let errors: Vec<String> = validator.iter_errors(&doc).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{}: {errors:?}", p.display());
        n += 1;
    }
    assert!(n >= 25, "only {n} goldens validated");
}

#[test]
fn schema_rejects_a_document_missing_its_digest() {
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(schema_path()).unwrap()).unwrap();
    let validator = jsonschema::draft202012::new(&schema).unwrap();
    let doc = serde_json::json!({"schema_version": "1.1.0", "content": {}, "provenance": {}});
    assert!(!validator.is_valid(&doc));
}

/// Every schema this project has published stays in `schema/`, and documents written
/// under an older minor version still validate against the current one: a 1.x reader
/// never has to refuse a 1.0.0 record from an old store.
#[test]
fn a_1_0_0_document_validates_against_the_current_schema() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let old_schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root.join("schema/article-1.0.0.json"))
            .expect("schema/article-1.0.0.json is kept"),
    )
    .unwrap();
    let current: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(schema_path()).unwrap()).unwrap();
    let doc: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(
            root.join("tests/fixtures/schema/article-1.0.0-esr-book-review.json"),
        )
        .unwrap(),
    )
    .unwrap();
    assert_eq!(doc["schema_version"], "1.0.0");
    let old = jsonschema::draft202012::new(&old_schema).unwrap();
    assert!(old.is_valid(&doc), "the sample is a 1.0.0 document");
    let new = jsonschema::draft202012::new(&current).unwrap();
    let errors: Vec<String> = new.iter_errors(&doc).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "1.0.0 document rejected: {errors:?}");
    // And the Rust types still read it, with the 1.1.0 fields absent.
    let a: quire::model::Article = serde_json::from_value(doc).unwrap();
    assert_eq!(a.content.kicker, None);
    assert_eq!(a.content.published.as_ref().and_then(|p| p.source), None);
    assert_eq!(a.content_sha256, quire::model::content_sha256(&a.content));
}

/// A 1.1.0 document uses the new optional fields, which the 1.0.0 schema refuses:
/// the minor bump is real, not a relabelling.
#[test]
fn the_1_1_0_fields_are_new() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let old_schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root.join("schema/article-1.0.0.json")).unwrap(),
    )
    .unwrap();
    let mut doc: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(
            root.join("tests/fixtures/schema/article-1.0.0-esr-book-review.json"),
        )
        .unwrap(),
    )
    .unwrap();
    doc["content"]["kicker"] = "Book Review".into();
    doc["content"]["published"]["source"] = "page".into();
    let old = jsonschema::draft202012::new(&old_schema).unwrap();
    assert!(!old.is_valid(&doc));
    let current: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(schema_path()).unwrap()).unwrap();
    let new = jsonschema::draft202012::new(&current).unwrap();
    assert!(new.is_valid(&doc));
}

/// A 1.1.0 document (an index page as 1.1.0 stored it: no entries) validates against
/// the current schema and reads into the current types; a 1.2.0 index page's
/// `entries` and `issue` are refused by the 1.1.0 schema: the minor bump is real.
#[test]
fn a_1_1_0_document_validates_and_the_1_2_0_fields_are_new() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let load = |p: &str| -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(root.join(p)).expect(p)).unwrap()
    };
    let v110 = jsonschema::draft202012::new(&load("schema/article-1.1.0.json")).unwrap();
    let current = jsonschema::draft202012::new(
        &serde_json::from_str::<serde_json::Value>(
            &std::fs::read_to_string(schema_path()).unwrap(),
        )
        .unwrap(),
    )
    .unwrap();
    let old = load("tests/fixtures/schema/article-1.1.0-esr-index.json");
    assert_eq!(old["schema_version"], "1.1.0");
    assert!(v110.is_valid(&old));
    let errors: Vec<String> = current.iter_errors(&old).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "1.1.0 document rejected: {errors:?}");
    let a: quire::model::Article = serde_json::from_value(old).unwrap();
    assert!(a.content.entries.is_empty());
    assert_eq!(a.content.issue, None);
    assert_eq!(a.content_sha256, quire::model::content_sha256(&a.content));

    let new = load("tests/fixtures/extract/esr-home-page/expected.json");
    assert!(!new["content"]["entries"].as_array().unwrap().is_empty());
    assert!(new["content"]["issue"].is_object());
    assert!(current.is_valid(&new));
    assert!(!v110.is_valid(&new), "1.1.0 has no entries or issue");
}

/// Schema 1.3.0 adds `provenance.source`: a 1.2.0 document (no source: a live fetch)
/// validates against the current schema; each source kind validates and reads back;
/// the 1.2.0 schema refuses the new field, and the current one refuses an unknown kind
/// or a WARC source without its record id.
#[test]
fn a_1_2_0_document_validates_and_the_1_3_0_source_is_new() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let load = |p: &str| -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(root.join(p)).expect(p)).unwrap()
    };
    let v120 = jsonschema::draft202012::new(&load("schema/article-1.2.0.json")).unwrap();
    let current = jsonschema::draft202012::new(&load(
        schema_path().strip_prefix(root).unwrap().to_str().unwrap(),
    ))
    .unwrap();
    let mut doc = load("tests/fixtures/extract/esr-home-page/expected.json");
    doc["schema_version"] = "1.2.0".into();
    assert!(
        v120.is_valid(&doc),
        "a document without source is a 1.2.0 document"
    );
    assert!(current.is_valid(&doc));
    let a: quire::model::Article = serde_json::from_value(doc.clone()).unwrap();
    assert_eq!(a.provenance.source, None, "absent means live");

    let sources = [
        serde_json::json!({"kind": "live"}),
        serde_json::json!({"kind": "warc", "file": "old.warc.gz",
            "record_id": "<urn:uuid:6c3f4b0e-1d2a-4c55-9a51-0f7c2b8d9e10>", "offset": 1234}),
        serde_json::json!({"kind": "wayback", "endpoint": "https://web.archive.org/web",
            "timestamp": "20010315120000", "original_url": "http://example.org/a.htm"}),
    ];
    for source in sources {
        let mut d = doc.clone();
        d["schema_version"] = "1.3.0".into();
        d["provenance"]["source"] = source.clone();
        let errors: Vec<String> = current.iter_errors(&d).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{source}: {errors:?}");
        assert!(!v120.is_valid(&d), "1.2.0 has no provenance.source");
        let a: quire::model::Article = serde_json::from_value(d).unwrap();
        let back = serde_json::to_value(a.provenance.source.unwrap()).unwrap();
        assert_eq!(back, source);
    }
    for bad in [
        serde_json::json!({"kind": "ftp"}),
        serde_json::json!({"kind": "warc", "file": "a.warc", "offset": 0}),
    ] {
        let mut d = doc.clone();
        d["provenance"]["source"] = bad.clone();
        assert!(!current.is_valid(&d), "{bad} accepted");
    }
}
