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
    let doc = serde_json::json!({"schema_version": "1.0.0", "content": {}, "provenance": {}});
    assert!(!validator.is_valid(&doc));
}
