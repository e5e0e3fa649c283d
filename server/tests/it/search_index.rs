//! The saved search index (issue 17): a restart reads the index its last build saved, as long
//! as the directory is the one it was built from, and builds it again otherwise; on both
//! databases.
use crate::helpers::{Backend, spawn_app_with};
use app::server::services::brands::bump_directory_version;
use app::server::services::search::SearchState;
use app::types::search::SearchQuery;
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};

on_both_databases!(a_restart_reads_the_saved_index_until_the_directory_changes,);

async fn first_name(state: &SearchState, db: &DatabaseConnection, q: &str) -> Option<String> {
    let q = SearchQuery { q: q.into(), ..Default::default() };
    state.search(db, &q).await.unwrap().results.first().map(|b| b.name.clone())
}

async fn rename(db: &DatabaseConnection, from: &str, to: &str) {
    let sql = format!("UPDATE brand SET name = '{to}' WHERE name = '{from}'");
    let done = db.execute_raw(Statement::from_string(db.get_database_backend(), sql)).await.unwrap();
    assert_eq!(done.rows_affected(), 1, "{from}");
}

async fn a_restart_reads_the_saved_index_until_the_directory_changes(backend: Backend) {
    let app = spawn_app_with(backend, true).await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("search-index");
    let first = SearchState::with_file(Some(file.clone()));
    assert_eq!(first_name(&first, &app.db, "humana").await.as_deref(), Some("Humana"));
    // Saved in the background, once built.
    for _ in 0..200 {
        if file.exists() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    assert!(file.exists(), "the index was saved");

    // Changed behind the version's back: only an index read from the file still says Humana.
    rename(&app.db, "Humana", "Hubris Health").await;
    let restarted = SearchState::with_file(Some(file.clone()));
    assert_eq!(first_name(&restarted, &app.db, "humana").await.as_deref(), Some("Humana"), "read from the file");
    let without_file = SearchState::with_file(None);
    assert_eq!(first_name(&without_file, &app.db, "hubris").await.as_deref(), Some("Hubris Health"));

    // A changed directory (a new version and stamp) is indexed again, not read.
    bump_directory_version(&app.db).await.unwrap();
    let after_change = SearchState::with_file(Some(file.clone()));
    assert_eq!(first_name(&after_change, &app.db, "hubris").await.as_deref(), Some("Hubris Health"));

    // A damaged file is not trusted: the directory is indexed again.
    rename(&app.db, "Hubris Health", "Humana").await;
    bump_directory_version(&app.db).await.unwrap();
    std::fs::write(&file, b"signpost-index\0\x01 not an index").unwrap();
    let damaged = SearchState::with_file(Some(file.clone()));
    assert_eq!(first_name(&damaged, &app.db, "humana").await.as_deref(), Some("Humana"));
}
