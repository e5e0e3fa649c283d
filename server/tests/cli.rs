//! The `signpost` binary as an operator uses it: exit codes, summary lines, files written.
mod helpers;

use app::server::validate::validate_reader;
use helpers::{Backend, database_url, fixture, fixture_path, spawn_app};
use std::process::{Command, Output};

on_both_databases!(import_validate_and_export_from_the_command_line, import_from_a_url_round_trips_a_published_source);

fn signpost(db: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_signpost"))
        .args(args)
        .env("DATABASE_URL", db)
        .env("RUST_LOG", "warn")
        .output()
        .expect("signpost runs")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

async fn import_validate_and_export_from_the_command_line(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let db = database_url(backend, dir.path()).await;
    let oracle = fixture_path("brands/oracle-millennium-patient-r4.json");

    let out = signpost(&db, &["import", &oracle]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("format: brands (detected)"), "{}", text(&out.stderr));
    let summary = text(&out.stdout);
    assert!(summary.contains("brands +1359 ~0 -0") && summary.contains("endpoints +1359 ~0 -0"), "{summary}");
    assert!(summary.contains("findings: ") && summary.contains(" errors"), "{summary}");

    let again = signpost(&db, &["import", &oracle]);
    assert!(again.status.success());
    assert!(text(&again.stdout).contains("unchanged"), "{}", text(&again.stdout));

    // Not a readable document of the format: exit 1, a message that says why, nothing written.
    let broken = dir.path().join("broken.json");
    let mut bytes = fixture("brands/smart-spec-example1.json");
    bytes.truncate(bytes.len() - 20);
    std::fs::write(&broken, bytes).unwrap();
    let out = signpost(&db, &["import", broken.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("not a readable brands document") && err.contains("line") && err.contains("nothing was imported"),
        "{err}"
    );
    let csv = fixture_path("directories/cms-sma-endpoint-directory.csv");
    let out = signpost(&db, &["import", "--format", "lantern", &csv]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));

    let export = dir.path().join("out.json");
    let out = signpost(&db, &["export", "--format", "brands", "-o", export.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let report = validate_reader(std::fs::File::open(&export).unwrap());
    assert_eq!((report.organizations, report.endpoints, report.errors), (1359, 1359, 0));
    let out = signpost(&db, &["validate", export.to_str().unwrap()]);
    assert!(out.status.success(), "an exported bundle validates: {}", text(&out.stdout));

    let out = signpost(&db, &["export", "--format", "ndjson"]);
    assert_eq!(text(&out.stdout).lines().count(), 2 * 1359);
    let out = signpost(&db, &["export", "--format", "csv"]);
    assert_eq!(text(&out.stdout).lines().count(), 1 + 1359);

    let out = signpost(&db, &["validate", &oracle, "--json"]);
    assert_eq!(out.status.code(), Some(1), "Oracle's bundle has errors");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(json["errors"].as_u64().unwrap() > 0);
    let out = signpost(&db, &["validate", &fixture_path("brands/smart-spec-example2.json")]);
    assert!(out.status.success(), "{}", text(&out.stdout));
}

/// One Signpost publishes a source; `signpost import URL` reads it into another database.
async fn import_from_a_url_round_trips_a_published_source(backend: Backend) {
    let publisher = spawn_app(backend).await;
    let source = publisher.import_fixture("brands/smart-spec-example2.json").await.summary.source_id;
    let url = publisher.url(&format!("/sources/{source}/brands.json"));

    let dir = tempfile::tempdir().unwrap();
    let db = database_url(backend, dir.path()).await;
    let out = tokio::task::spawn_blocking(move || {
        let first = signpost(&db, &["import", &url]);
        let again = signpost(&db, &["import", &url]);
        let missing = signpost(&db, &["import", &url.replace("brands.json", "nothing.json")]);
        (first, again, missing)
    })
    .await
    .unwrap();
    let (first, again, missing) = out;
    assert!(first.status.success(), "{}", text(&first.stderr));
    let summary = text(&first.stdout);
    assert!(
        summary.contains("brands +3 ~0 -0")
            && summary.contains("portals +1 ~0 -0")
            && summary.contains("endpoints +2 ~0 -0"),
        "{summary}"
    );
    assert!(summary.contains("findings: 0 errors"), "a published bundle is valid: {summary}");
    assert!(text(&again.stdout).contains("unchanged"), "{}", text(&again.stdout));
    assert_eq!(missing.status.code(), Some(1), "a 404 is refused: {}", text(&missing.stderr));
}
