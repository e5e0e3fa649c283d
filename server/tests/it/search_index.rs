//! The search index of a running server (issue 17), on both databases: a restart reads the
//! index its last build saved, as long as the directory is the one it was built from, and
//! builds it again otherwise; a change is indexed in the background while the index before it
//! answers.
use crate::helpers::{Backend, spawn_app_with};
use app::server::services::brands::{bump_directory_version, directory_stamp, is_earlier_change};
use app::server::services::search::SearchState;
use app::types::search::SearchQuery;
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};

on_both_databases!(
    a_restart_reads_the_saved_index_until_the_directory_changes,
    a_change_is_indexed_in_the_background_while_the_index_before_it_answers,
    a_search_during_a_rebuild_says_its_results_are_from_before_the_change,
    a_failed_rebuild_ends_the_wait_and_the_index_before_it_answers,
    a_start_after_a_change_answers_from_the_index_saved_earlier_in_this_history_while_it_builds,
    a_page_of_results_is_read_from_the_directory_with_a_child_showing_its_parents_endpoints,
);

async fn first_name(state: &SearchState, db: &DatabaseConnection, q: &str) -> Option<String> {
    let q = SearchQuery { q: q.into(), ..Default::default() };
    state.search(db, &q).await.unwrap().results.first().map(|b| b.name.clone())
}

async fn rename(db: &DatabaseConnection, from: &str, to: &str) {
    let sql = format!("UPDATE brand SET name = '{to}' WHERE name = '{from}'");
    let done = db.execute_raw(Statement::from_string(db.get_database_backend(), sql)).await.unwrap();
    assert_eq!(done.rows_affected(), 1, "{from}");
}

/// The answer to `q` once it is no longer marked `updating` (or the last one after 10 s).
async fn settled(state: &SearchState, db: &DatabaseConnection, q: &str) -> app::types::search::SearchResponse {
    let query = SearchQuery { q: q.into(), ..Default::default() };
    let mut answer = state.search(db, &query).await.unwrap();
    for _ in 0..400 {
        if !answer.updating {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
        answer = state.search(db, &query).await.unwrap();
    }
    answer
}

/// `path`'s JSON once it is no longer marked `updating` (or the last one after 10 s).
async fn settled_json(app: &crate::helpers::TestApp, path: &str) -> serde_json::Value {
    let mut answer = app.get_json(path).await;
    for _ in 0..400 {
        if answer["updating"] == false {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
        answer = app.get_json(path).await;
    }
    answer
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
    // Matched by the file's words, shown as the directory holds the brand now.
    let from_file = first_name(&restarted, &app.db, "humana").await;
    assert_eq!(from_file.as_deref(), Some("Hubris Health"), "read from the file");
    // One changed byte (a name's letter) and the file is not trusted: the directory is read.
    let mut bytes = std::fs::read(&file).unwrap();
    let at = bytes.windows(6).position(|w| w == b"humana").expect("the name is in the file");
    bytes[at] = b'X';
    std::fs::write(&file, &bytes).unwrap();
    let flipped = SearchState::with_file(Some(file.clone()));
    assert_eq!(first_name(&flipped, &app.db, "hubris").await.as_deref(), Some("Hubris Health"), "not read");
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

async fn a_change_is_indexed_in_the_background_while_the_index_before_it_answers(backend: Backend) {
    let app = spawn_app_with(backend, true).await;
    let search = |state: SearchState, q: &'static str| {
        let db = app.db.clone();
        async move { state.search(&db, &SearchQuery { q: q.into(), ..Default::default() }).await.unwrap() }
    };
    // Searches never wait: with a rebuild held back, the answer is the index before the change.
    let state = SearchState::with_file(None).in_background(app.db.clone(), std::time::Duration::ZERO);
    // The first index is built on the request path: there is nothing to answer from before it.
    let first = search(state.clone(), "humana").await;
    assert!(!first.updating);
    assert_eq!(first.results.first().map(|b| b.name.as_str()), Some("Humana"));

    let held = state.hold_rebuilds().await;
    rename(&app.db, "Humana", "Hubris Health").await;
    bump_directory_version(&app.db).await.unwrap();
    let during = search(state.clone(), "humana").await;
    assert!(during.updating, "marked as from before the change");
    // Matched by the index before the change; the card is read as the brand is now.
    assert_eq!(during.results.first().map(|b| b.name.as_str()), Some("Hubris Health"));
    assert!(search(state.clone(), "hubris").await.results.is_empty());

    // Released, the next search starts the rebuild on its own task; it is in place soon after.
    drop(held);
    let after = settled(&state, &app.db, "hubris").await;
    assert!(!after.updating, "the rebuild finished in the background");
    assert_eq!(after.results.first().map(|b| b.name.as_str()), Some("Hubris Health"));

    // Waiting (a server's default), a search after a quick rebuild sees the change at once.
    let waiting = SearchState::with_file(None).in_background(app.db.clone(), std::time::Duration::from_secs(60));
    assert!(!search(waiting.clone(), "hubris").await.updating);
    rename(&app.db, "Hubris Health", "Humana").await;
    bump_directory_version(&app.db).await.unwrap();
    let seen = search(waiting, "humana").await;
    assert!(!seen.updating);
    assert_eq!(seen.results.first().map(|b| b.name.as_str()), Some("Humana"));
}

async fn a_failed_rebuild_ends_the_wait_and_the_index_before_it_answers(backend: Backend) {
    let app = spawn_app_with(backend, true).await;
    // Rebuilds read from a database without the directory's tables: each one fails.
    let broken = sea_orm::Database::connect("sqlite::memory:").await.unwrap();
    let state = SearchState::with_file(None).in_background(broken, std::time::Duration::from_secs(60));
    let q = SearchQuery { q: "humana".into(), ..Default::default() };
    assert!(!state.search(&app.db, &q).await.unwrap().updating, "the first index, built from the app's database");
    rename(&app.db, "Humana", "Hubris Health").await;
    bump_directory_version(&app.db).await.unwrap();
    // Searches would wait a minute for a rebuild that succeeds; its failure ends the wait.
    for _ in 0..2 {
        let answer = tokio::time::timeout(std::time::Duration::from_secs(30), state.search(&app.db, &q))
            .await
            .expect("the failed rebuild does not hold the search for the whole wait")
            .unwrap();
        assert!(answer.updating, "marked as from before the change");
        assert_eq!(answer.results.first().map(|b| b.name.as_str()), Some("Hubris Health"));
    }
}

async fn a_search_during_a_rebuild_says_its_results_are_from_before_the_change(backend: Backend) {
    use crate::helpers::built_app;
    let (app, server) = built_app(backend, Default::default(), |c| c.search_wait = std::time::Duration::ZERO).await;
    let state = server.state.search.clone();
    tokio::spawn(server.run_until_stopped());
    app.import_fixture("brands/smart-spec-example2.json").await;
    let names = |v: &serde_json::Value| -> Vec<String> {
        v["results"].as_array().unwrap().iter().map(|b| b["name"].as_str().unwrap().to_string()).collect()
    };
    // Once the import is indexed (the index built at start was of the empty directory).
    let settled = || settled_json(&app, "/api/v1/brands?q=hubris");
    let first = settled().await;
    assert_eq!(first["updating"], false);
    assert!(names(&first).is_empty());

    let held = state.hold_rebuilds().await;
    rename(&app.db, "ExampleHealth", "Hubris Health").await;
    bump_directory_version(&app.db).await.unwrap();
    let during = app.get_json("/api/v1/brands?q=hubris").await;
    assert_eq!(during["updating"], true, "{during}");
    assert!(names(&during).is_empty(), "answered from the index before the change");
    let page = app.client.get(app.url("/?q=hubris")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("search is catching up"), "the page says so");

    drop(held);
    let after = settled().await;
    assert_eq!(after["updating"], false);
    assert_eq!(names(&after).first().map(String::as_str), Some("Hubris Health"));
    let page = app.client.get(app.url("/?q=hubris")).send().await.unwrap().text().await.unwrap();
    assert!(!page.contains("search is catching up"));
}

/// Waits for the index of the directory as it is now to be saved to `file`.
async fn saved_at_current(state: &SearchState, db: &DatabaseConnection, file: &std::path::Path) {
    let want = directory_stamp(db).await.unwrap();
    for _ in 0..400 {
        let _ = first_name(state, db, "humana").await;
        if saved_header(file) == Some(want) {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    panic!("the index of {want:?} was not saved");
}

/// The version and stamp a saved index file names (its header: magic, release, version, stamp).
fn saved_header(file: &std::path::Path) -> Option<(i64, i64)> {
    let bytes = std::fs::read(file).ok()?;
    let by = u64::from_le_bytes(bytes.get(16..24)?.try_into().ok()?) as usize;
    let at = 24 + by;
    let version = i64::from_le_bytes(bytes.get(at..at + 8)?.try_into().ok()?);
    let stamp = i64::from_le_bytes(bytes.get(at + 8..at + 16)?.try_into().ok()?);
    Some((version, stamp))
}

async fn a_start_after_a_change_answers_from_the_index_saved_earlier_in_this_history_while_it_builds(backend: Backend) {
    let app = spawn_app_with(backend, true).await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("search-index");
    let search = |state: SearchState, q: &'static str| {
        let db = app.db.clone();
        async move { state.search(&db, &SearchQuery { q: q.into(), ..Default::default() }).await.unwrap() }
    };
    let first = SearchState::with_file(Some(file.clone()));
    saved_at_current(&first, &app.db, &file).await;
    let (saved_version, saved_stamp) = saved_header(&file).unwrap();

    // Another instance changes the directory and saves nothing here (one on another machine).
    rename(&app.db, "Humana", "Hubris Health").await;
    bump_directory_version(&app.db).await.unwrap();
    assert!(is_earlier_change(&app.db, saved_version, saved_stamp).await.unwrap());
    let (now_version, now_stamp) = directory_stamp(&app.db).await.unwrap();
    assert!(!is_earlier_change(&app.db, now_version, now_stamp).await.unwrap(), "the current one is not earlier");
    assert!(!is_earlier_change(&app.db, saved_version, saved_stamp ^ 1).await.unwrap(), "another history's");
    assert!(!is_earlier_change(&app.db, now_version + 1, now_stamp).await.unwrap(), "a later one's (a restore)");

    // A server started now answers from the earlier index at once, saying it is catching up
    // (its rebuilds read from a database without the directory's tables, so none replaces it).
    let broken = sea_orm::Database::connect("sqlite::memory:").await.unwrap();
    let held = SearchState::with_file(Some(file.clone())).in_background(broken, std::time::Duration::ZERO);
    held.warm(&app.db).await.unwrap();
    assert_eq!(held.version_in_memory(), saved_version, "the earlier index is in place at once");
    let during = search(held, "humana").await;
    assert!(during.updating, "marked as from before the change");
    assert_eq!(during.results.first().map(|b| b.name.as_str()), Some("Hubris Health"), "matched by the earlier index");

    // With the directory to build from, the current index replaces it and is saved.
    let started = SearchState::with_file(Some(file.clone())).in_background(app.db.clone(), std::time::Duration::ZERO);
    started.warm(&app.db).await.unwrap();
    let answer = settled(&started, &app.db, "hubris").await;
    assert!(!answer.updating, "the current index was built in the background");
    assert_eq!(answer.results.first().map(|b| b.name.as_str()), Some("Hubris Health"));
    assert_eq!(started.version_in_memory(), now_version);
    saved_at_current(&started, &app.db, &file).await;

    // A file whose stamp is not this history's (a copy that went its own way) is not used:
    // the start waits for the build and answers from the directory as it is.
    rename(&app.db, "Hubris Health", "Humana").await;
    bump_directory_version(&app.db).await.unwrap();
    let (file_version, _) = saved_header(&file).unwrap();
    let sql = format!("UPDATE directory_change SET stamp = stamp + 1 WHERE version = {file_version}");
    app.db.execute_raw(Statement::from_string(app.db.get_database_backend(), sql)).await.unwrap();
    let other = SearchState::with_file(Some(file.clone())).in_background(app.db.clone(), std::time::Duration::ZERO);
    other.warm(&app.db).await.unwrap();
    assert_eq!(other.version_in_memory(), directory_stamp(&app.db).await.unwrap().0, "built, not read");
    let answer = search(other, "humana").await;
    assert!(!answer.updating);
    assert_eq!(answer.results.first().map(|b| b.name.as_str()), Some("Humana"));
}

async fn a_page_of_results_is_read_from_the_directory_with_a_child_showing_its_parents_endpoints(backend: Backend) {
    let app = spawn_app_with(backend, false).await;
    // The SMART spec's example: ExampleHealth (R2 and R4 endpoints) and two brands that are
    // `partOf` it with no endpoints of their own.
    app.import_fixture("brands/smart-spec-example2.json").await;
    let answer = settled_json(&app, "/api/v1/brands?q=examplehealth").await;
    let cards = answer["results"].as_array().unwrap();
    let card = |name: &str| cards.iter().find(|c| c["name"] == name).unwrap_or_else(|| panic!("{name}: {answer}"));
    assert_eq!(answer["total"], 3);
    assert_eq!(cards.len(), 3);
    let parent = card("ExampleHealth");
    assert_eq!(parent["location"], "Madison, WI");
    assert_eq!(parent["endpoint_count"], 2);
    assert_eq!(parent["fhir_versions"], serde_json::json!(["1.0.2", "4.0.1"]));
    let child = card("ExampleHealth Community Hospital");
    assert_eq!(child["location"], "Lake City, IA");
    assert_eq!(child["endpoint_count"], 2, "its parent's endpoints");
    assert_eq!(child["fhir_versions"], serde_json::json!(["1.0.2", "4.0.1"]));
    assert!(child["highlight"].as_array().is_some_and(|h| !h.is_empty()), "{child}");
}
