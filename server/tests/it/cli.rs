//! The `signpost` binary as an operator uses it: exit codes, summary lines, files written.

use crate::helpers::{Backend, database_url, fixture, fixture_path, spawn_app};
use app::server::entities::{brand, bundle_feed};
use app::server::net::client::SafeClient;
use app::server::net::policy::FetchPolicy;
use app::server::services::feeds::{self, FeedResult};
use app::server::validate::validate_reader;
use sea_orm::{EntityTrait, PaginatorTrait};
use std::process::{Command, Output};

on_both_databases!(import_validate_and_export_from_the_command_line, import_from_a_url_round_trips_a_published_source);

fn signpost(db: &str, args: &[&str]) -> Output {
    signpost_allowing(db, args, "")
}

/// With `SIGNPOST_FETCH_ALLOW` set: URLs go through the SSRF-safe client like the poller's.
fn signpost_allowing(db: &str, args: &[&str], allow: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_signpost"))
        .args(args)
        .env("DATABASE_URL", db)
        .env("RUST_LOG", "warn")
        .env("SIGNPOST_FETCH_ALLOW", allow)
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
    let (db2, url2) = (db.clone(), url.clone());
    let out = tokio::task::spawn_blocking(move || {
        let (db, url) = (db2, url2);
        let refused = signpost(&db, &["import", &url]);
        let first = signpost_allowing(&db, &["import", &url], "127.0.0.1/32");
        let again = signpost_allowing(&db, &["import", &url], "127.0.0.1/32");
        let missing = signpost_allowing(&db, &["import", &url.replace("brands.json", "nothing.json")], "127.0.0.1/32");
        (refused, first, again, missing)
    })
    .await
    .unwrap();
    let (refused, first, again, missing) = out;
    assert_eq!(refused.status.code(), Some(1), "{}", text(&refused.stderr));
    assert!(text(&refused.stderr).contains("loopback"), "the SSRF policy applies: {}", text(&refused.stderr));
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

    // The imported URL is a feed now: refetched with If-None-Match, a 304 while unchanged.
    let consumer = signpost::startup::connect(&db).await.unwrap();
    let feed = bundle_feed::Entity::find().one(&consumer).await.unwrap().expect("a feed for the URL");
    assert_eq!(feed.url, url);
    assert!(feed.etag.is_some(), "the ETag was kept");
    let mut policy = FetchPolicy::default().with_allow_list("127.0.0.1/32").unwrap();
    policy.per_host_interval = std::time::Duration::ZERO;
    let client = SafeClient::new(policy).unwrap();
    let now = chrono::Utc::now().timestamp();
    assert_eq!(feeds::refresh(&consumer, &client, &feed, now, 3600).await.unwrap(), FeedResult::NotModified);
    let feed = bundle_feed::Entity::find().one(&consumer).await.unwrap().unwrap();
    assert_eq!((feed.last_status, feed.next_fetch_at), (Some(304), now + 3600));

    // The publisher changes the source: the next refetch gets it and imports the new content.
    publisher
        .import_bytes("fixture:brands/smart-spec-example2.json", None, fixture("brands/smart-spec-example1.json"))
        .await
        .unwrap();
    let r = feeds::refresh(&consumer, &client, &feed, now, 3600).await.unwrap();
    assert_eq!(r, FeedResult::Imported { changed: true });
    let feed = bundle_feed::Entity::find().one(&consumer).await.unwrap().unwrap();
    assert_eq!(feed.last_status, Some(200));
    assert_eq!(
        brand::Entity::find().count(&consumer).await.unwrap() as usize,
        brands_in("brands/smart-spec-example1.json")
    );
}

/// Organizations in a fixture bundle.
fn brands_in(rel: &str) -> usize {
    let v: serde_json::Value = serde_json::from_slice(&fixture(rel)).unwrap();
    v["entry"].as_array().unwrap().iter().filter(|e| e["resource"]["resourceType"] == "Organization").count()
}

/// What a newcomer tripped on, following the README word for word (issue 10, part 8).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_command_line_says_what_went_wrong_and_writes_nothing_for_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cli.db");
    let db = format!("sqlite://{}", path.display());
    // Bad input: a clear error, exit 1, and no database file created for it.
    for bad in [vec!["import", "ftp://example.org/brands.json"], vec!["import", "/no/such/file.json"]] {
        let out = signpost(&db, &bad);
        assert_eq!(out.status.code(), Some(1), "{bad:?}");
        assert!(text(&out.stderr).contains("nothing was imported"), "{}", text(&out.stderr));
    }
    let out = signpost(&db, &["import", "ftp://example.org/brands.json"]);
    assert!(text(&out.stderr).contains("only http and https"), "{}", text(&out.stderr));
    assert!(!path.exists(), "bad input created a database file");

    // `validate --json` answers JSON even for a missing file.
    let out = signpost(&db, &["validate", "/no/such/file.json", "--json"]);
    assert_eq!(out.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    assert!(report["fatal"].as_str().unwrap().contains("cannot open"), "{report}");

    // A source imported from a file is shown by its file name, never by the server's path.
    let example = fixture_path("brands/smart-spec-example2.json");
    assert!(signpost(&db, &["import", &example]).status.success());
    let named = dir.path().join("payers.json");
    std::fs::write(&named, fixture("brands/smart-spec-example1.json")).unwrap();
    assert!(signpost(&db, &["import", named.to_str().unwrap(), "--name", "Example payers"]).status.success());
    let listing = text(&signpost(&db, &["sources"]).stdout);
    assert_eq!(listing.lines().count(), 2, "{listing}");
    assert!(listing.contains("smart-spec-example2.json"), "{listing}");
    let csv = text(&signpost(&db, &["export", "--format", "csv"]).stdout);
    assert!(csv.contains(",smart-spec-example2.json") && csv.contains(",Example payers"), "{csv}");
    assert!(!csv.contains("/shared/fixtures/") && !csv.contains(dir.path().to_str().unwrap()), "{csv}");

    // Export: a source that does not exist, and a folder that does not exist, are errors.
    let out = signpost(&db, &["export", "--source", "99"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("no source 99"), "{}", text(&out.stderr));
    let out = signpost(&db, &["export", "-o", "/no/such/folder/out.json"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("does not exist") && !text(&out.stderr).contains(".tmp"),
        "{}",
        text(&out.stderr)
    );

    // `export | head`: the reader leaving early is not an error.
    let mut child = Command::new(env!("CARGO_BIN_EXE_signpost"))
        .args(["export", "--format", "ndjson"])
        .env("DATABASE_URL", &db)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Read;
        let mut first = [0u8; 64];
        child.stdout.take().unwrap().read_exact(&mut first).unwrap();
    } // stdout closed here, as `head` closes it
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success() && !text(&out.stderr).contains("Broken pipe"), "{}", text(&out.stderr));

    // Sources and feeds are managed by id.
    let out = signpost(&db, &["source", "remove", "1"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("3 brands"), "{}", text(&out.stdout));
    assert_eq!(text(&signpost(&db, &["sources"]).stdout).lines().count(), 1);
    assert_eq!(signpost(&db, &["source", "remove", "1"]).status.code(), Some(1));
    assert!(text(&signpost(&db, &["feeds", "list"]).stdout).contains("no feeds"));
    assert_eq!(signpost(&db, &["feeds", "approve", "7"]).status.code(), Some(1));

    // `check`: one "refused", and a documented JSON shape.
    let out = signpost(&db, &["check", "http://127.0.0.1:9/"]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(err.starts_with("refused: loopback address") && !err.contains("refused: refused"), "{err}");
    let out = signpost(&db, &["check", "http://127.0.0.1:9/", "--json"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["refused"], "refused: loopback address");
}

on_both_databases!(create_admin_from_the_command_line, an_import_saves_the_search_index_the_next_start_reads);

/// `import` (and `source remove`) run `signpost index` after changing the directory: the file
/// it writes is what a server started next answers from, without indexing anything.
async fn an_import_saves_the_search_index_the_next_start_reads(backend: Backend) {
    use app::server::services::search::SearchState;
    use app::types::search::SearchQuery;
    use sea_orm::{ConnectionTrait, Statement};
    let dir = tempfile::tempdir().unwrap();
    let db = database_url(backend, dir.path()).await;
    let file = dir.path().join("saved-index");
    let run = |args: &[&str], index: &std::path::Path| {
        Command::new(env!("CARGO_BIN_EXE_signpost"))
            .args(args)
            .env("DATABASE_URL", &db)
            .env("RUST_LOG", "warn")
            .env("SIGNPOST_SEARCH_INDEX", index)
            .output()
            .expect("signpost runs")
    };
    let out = run(&["import", &fixture_path("brands/oracle-millennium-patient-r4.json")], &file);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let said = text(&out.stdout);
    assert!(
        said.contains("brands +1359") && said.contains("search index saved:") && said.contains("(1359 brands"),
        "{said}"
    );
    let again = run(&["index"], &file);
    assert!(
        again.status.success() && text(&again.stdout).contains("search index up to date"),
        "{}",
        text(&again.stdout)
    );
    // Unset, the default place: beside a SQLite file, in the cache folder for PostgreSQL.
    let cache = dir.path().join("cache");
    let by_default = Command::new(env!("CARGO_BIN_EXE_signpost"))
        .arg("index")
        .env("DATABASE_URL", &db)
        .env("RUST_LOG", "warn")
        .env_remove("SIGNPOST_SEARCH_INDEX")
        .env("XDG_CACHE_HOME", &cache)
        .output()
        .expect("signpost runs");
    assert!(by_default.status.success(), "{}", text(&by_default.stderr));
    let default_file = signpost::config::search_index_file(None, &db, Some(&cache)).expect("a default file");
    assert_eq!(default_file.starts_with(&cache), matches!(backend, Backend::Postgres), "{}", default_file.display());
    assert!(text(&by_default.stdout).contains(&format!("search index saved: {}", default_file.display())));
    assert!(default_file.is_file());
    let off = run(&["index"], std::path::Path::new("off"));
    assert_eq!(off.status.code(), Some(1));
    assert!(text(&off.stderr).contains("no file to save the search index to"), "{}", text(&off.stderr));

    // Renamed behind the version's back: only an index read from the file misses the new name.
    let conn = sea_orm::Database::connect(&db).await.unwrap();
    let sql = "UPDATE brand SET name = 'Zzyzx Renamed Plan' WHERE id = (SELECT MIN(id) FROM brand)";
    conn.execute_raw(Statement::from_string(conn.get_database_backend(), sql)).await.unwrap();
    let q = SearchQuery { q: "zzyzx".into(), ..Default::default() };
    let from_file = SearchState::with_file(Some(file.clone())).search(&conn, &q).await.unwrap();
    assert_eq!(from_file.total, 0, "the next start answers from the saved file");
    let built = SearchState::with_file(None).search(&conn, &q).await.unwrap();
    assert_eq!(built.total, 1, "a start without it indexes the directory as it is");

    let source = source_id(&conn).await;
    let removed = run(&["source", "remove", &source.to_string()], &file);
    assert!(removed.status.success(), "{}", text(&removed.stderr));
    assert!(text(&removed.stdout).contains("search index saved:"), "{}", text(&removed.stdout));
    let empty = SearchState::with_file(Some(file.clone())).search(&conn, &SearchQuery::default()).await.unwrap();
    assert_eq!(empty.total, 0, "the removed source's brands are gone from the saved index");
}

async fn source_id(conn: &sea_orm::DatabaseConnection) -> i32 {
    use app::server::entities::source;
    source::Entity::find().one(conn).await.unwrap().expect("a source").id
}

/// `signpost create-admin`: the password from standard input, or a link to set one in the
/// outbox folder; a weak password is refused with its reason.
async fn create_admin_from_the_command_line(backend: Backend) {
    use app::server::entities::account;
    use app::types::accounts::{AccountState, SiteRole};
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let db = database_url(backend, dir.path()).await;
    let outbox = dir.path().join("outbox");
    let run = |args: &[&str], stdin: Option<&str>| {
        let mut child = Command::new(env!("CARGO_BIN_EXE_signpost"))
            .args(args)
            .env("DATABASE_URL", &db)
            .env("RUST_LOG", "warn")
            .env("SIGNPOST_MAIL_DIR", &outbox)
            .env("SIGNPOST_PUBLIC_URL", "https://signpost.example")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("signpost runs");
        if let Some(text) = stdin {
            child.stdin.take().unwrap().write_all(text.as_bytes()).unwrap();
        }
        drop(child.stdin.take());
        child.wait_with_output().unwrap()
    };
    let weak = run(&["create-admin", "root@example.org", "--password-stdin"], Some("password\n"));
    assert_eq!(weak.status.code(), Some(1));
    assert!(text(&weak.stderr).contains("too easy to guess"), "{}", text(&weak.stderr));

    let out = run(&["create-admin", "Root@Example.org", "--password-stdin"], Some("a sturdy admin passphrase\n"));
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("root@example.org created as an admin"), "{}", text(&out.stdout));
    let out = run(&["create-admin", "second@example.org"], None);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("a link to choose the password was mailed"), "{}", text(&out.stdout));
    let mails: Vec<String> =
        std::fs::read_dir(&outbox).unwrap().map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap()).collect();
    assert!(
        mails
            .iter()
            .any(|m| m.contains("To: second@example.org") && m.contains("https://signpost.example/reset?token")),
        "{mails:?}"
    );

    let conn = sea_orm::Database::connect(&db).await.unwrap();
    let admins = account::Entity::find().all(&conn).await.unwrap();
    assert_eq!(admins.len(), 2);
    for a in &admins {
        assert_eq!((a.role, a.state), (SiteRole::Admin, AccountState::Active), "{}", a.email);
    }
    let root = admins.iter().find(|a| a.email == "root@example.org").unwrap();
    assert!(root.password_hash.as_deref().unwrap_or("").starts_with("$argon2id$"));
    assert!(admins.iter().find(|a| a.email == "second@example.org").unwrap().password_hash.is_none());
    let again = run(&["create-admin", "root@example.org"], None);
    assert!(text(&again.stdout).contains("was an admin already"), "{}", text(&again.stdout));
}
