//! What an operator relies on (issue 17): the limit on every public route and its headers,
//! `/metrics` and who may read it, request ids, and backup and restore.
use super::account_rules::admin;
use super::attestations::registered;
use super::browser::Browser;
use super::helpers::{Backend, TestApp, database_url, spawn_app_tuned};
use super::registration::payer;
use super::served::Served;
use app::server::entities::{registration_request as request, request_event};
use app::types::registration::RequestState;
use sea_orm::{ActiveModelTrait, ActiveValue::NotSet, EntityTrait, Set};
use std::process::{Command, Output};

on_both_databases!(
    every_public_route_has_a_limit_it_announces,
    metrics_count_requests_and_what_waits,
    metrics_are_never_public_by_accident,
    requests_carry_an_id,
);

fn header<'a>(r: &'a reqwest::Response, name: &str) -> &'a str {
    r.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or("")
}

async fn every_public_route_has_a_limit_it_announces(backend: Backend) {
    let app = spawn_app_tuned(backend, |c| c.rate_limit = Some(5)).await;
    let mut left = Vec::new();
    for _ in 0..5 {
        let r = app.client.get(app.url("/api/v1/brands?q=health")).send().await.unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(header(&r, "ratelimit-limit"), "5");
        assert_eq!(header(&r, "ratelimit-policy"), "5;w=60");
        let reset: u64 = header(&r, "ratelimit-reset").parse().unwrap();
        assert!((1..=60).contains(&reset), "{reset}");
        // A script on another site reading the open API may read them too.
        assert!(header(&r, "access-control-expose-headers").contains("RateLimit-Remaining"));
        left.push(header(&r, "ratelimit-remaining").to_string());
    }
    assert_eq!(left, ["4", "3", "2", "1", "0"], "the allowance counts down before it runs out");
    // Pages and forms share the allowance; past it, 429 with the wait.
    let page = app.client.get(app.url("/")).send().await.unwrap();
    assert_eq!(page.status(), 429);
    let wait: u64 = header(&page, "retry-after").parse().unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
    assert_eq!(header(&page, "ratelimit-remaining"), "0");
    assert!(page.text().await.unwrap().contains("at most 5 a minute"));
    let form = app.client.post(app.url("/login")).form(&[("email", "a@b.example")]).send().await.unwrap();
    assert_eq!(form.status(), 429);
    // A forwarded-for header from a client that is not a trusted proxy changes nothing.
    let spoofed =
        app.client.get(app.url("/api/v1/brands")).header("x-forwarded-for", "203.0.113.9").send().await.unwrap();
    assert_eq!(spoofed.status(), 429);
    // Monitors and each page's own assets are not counted.
    let health = app.client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200);
    assert!(health.headers().get("ratelimit-limit").is_none());
    let asset = app.client.get(app.url("/pkg/none.css")).send().await.unwrap();
    assert_ne!(asset.status(), 429);
}

/// The value of one sample line of the metrics text (`name{labels}` as written), or 0.
fn sample(text: &str, series: &str) -> f64 {
    text.lines()
        .find_map(|l| l.strip_prefix(series).and_then(|rest| rest.strip_prefix(' ')))
        .map_or(0.0, |v| v.trim().parse().unwrap())
}

async fn scrape(app: &TestApp) -> String {
    let r = app.client.get(app.url("/metrics")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(header(&r, "content-type"), "text/plain; version=0.0.4; charset=utf-8");
    r.text().await.unwrap()
}

async fn metrics_count_requests_and_what_waits(backend: Backend) {
    let app = spawn_app_tuned(backend, |c| c.demo_data = true).await;
    let series = r#"signpost_http_requests_total{method="GET",route="/api/v1/brands/{id}",status="404"}"#;
    let before = sample(&scrape(&app).await, series);
    for id in [999_991, 999_992, 999_993] {
        let r = app.client.get(app.url(&format!("/api/v1/brands/{id}"))).send().await.unwrap();
        assert_eq!(r.status(), 404);
    }
    let text = scrape(&app).await;
    // Tests share the process's registry, so others may have added to it meanwhile.
    assert!(sample(&text, series) >= before + 3.0, "{text}");
    assert!(text.contains("# TYPE signpost_http_request_duration_seconds histogram"), "{text}");
    assert!(
        text.contains(
            r#"signpost_http_request_duration_seconds_bucket{method="GET",route="/api/v1/brands/{id}",le="0.005"}"#
        ),
        "{text}"
    );
    // A route's pattern, never the raw path, is the label.
    assert!(!text.contains("999991"), "{text}");

    // What waits: two open requests, one a month old (past its target), from the database.
    let mut dev = Browser::new(&app);
    let (_, _, app_page) = registered(&mut dev, &[]).await;
    let mut boss = admin(&app, "boss@example.org").await;
    let (_, _, aetna) = payer(&app, &mut boss, "pat@aetna.example", "Aetna Interop", "Aetna").await;
    let a = aetna.to_string();
    let p = dev.post(&format!("{app_page}/requests"), &[("brand", a.as_str()), ("environment", "production")]).await;
    assert!(p.body.contains("Requested from 1 payer"), "{}", p.body);
    let template = request::Entity::find().one(&app.db).await.unwrap().unwrap();
    let created = chrono::Utc::now().timestamp() - 30 * 86_400;
    let mut old: request::ActiveModel = template.into();
    old.id = NotSet;
    old.created_at = Set(created);
    let old = old.insert(&app.db).await.unwrap();
    request_event::ActiveModel {
        id: NotSet,
        request_id: Set(old.id),
        at: Set(created),
        state: Set(RequestState::Submitted),
        actor_id: Set(None),
        note: Set(None),
    }
    .insert(&app.db)
    .await
    .unwrap();
    let text = scrape(&app).await;
    assert_eq!(sample(&text, r#"signpost_registration_requests{state="submitted"}"#), 2.0, "{text}");
    assert_eq!(sample(&text, r#"signpost_registration_requests{state="approved"}"#), 0.0, "{text}");
    assert!(text.contains(r#"signpost_registration_requests{state="approved"} 0"#), "every state is listed");
    assert_eq!(sample(&text, "signpost_registration_breached"), 1.0, "{text}");
    let unsent = app::server::entities::mail_outbox::Entity::find()
        .all(&app.db)
        .await
        .unwrap()
        .iter()
        .filter(|m| m.sent_at.is_none())
        .count();
    assert!(unsent > 0, "the request mailed the payer");
    assert_eq!(sample(&text, "signpost_outbox_pending"), unsent as f64, "{text}");
    assert!(text.contains("signpost_moderation_open 0") && text.contains("signpost_attestations_waiting "), "{text}");
}

async fn metrics_are_never_public_by_accident(backend: Backend) {
    // Without a token: this machine only, and not through a proxy.
    let app = spawn_app_tuned(backend, |_| {}).await;
    let proxied = app.client.get(app.url("/metrics")).header("x-forwarded-for", "203.0.113.9").send().await.unwrap();
    assert_eq!(proxied.status(), 403);
    assert!(proxied.text().await.unwrap().contains("SIGNPOST_METRICS_TOKEN"));
    // With one, only its bearer.
    let app = spawn_app_tuned(backend, |c| c.metrics_token = Some("a metrics token of some length".into())).await;
    let get = |auth: Option<&str>| {
        let mut r = app.client.get(app.url("/metrics"));
        if let Some(a) = auth {
            r = r.header("authorization", a);
        }
        r.send()
    };
    assert_eq!(get(None).await.unwrap().status(), 403);
    assert_eq!(get(Some("Bearer a metrics token of some lengtH")).await.unwrap().status(), 403);
    assert_eq!(get(Some("a metrics token of some length")).await.unwrap().status(), 403);
    let ok = get(Some("Bearer a metrics token of some length")).await.unwrap();
    assert_eq!(ok.status(), 200);
    assert!(ok.text().await.unwrap().contains("signpost_outbox_pending"));
}

async fn requests_carry_an_id(backend: Backend) {
    let app = spawn_app_tuned(backend, |_| {}).await;
    let given = app.client.get(app.url("/healthz")).header("x-request-id", "it-req-42.a_b").send().await.unwrap();
    assert_eq!(header(&given, "x-request-id"), "it-req-42.a_b");
    for bad in ["has space", "quote\"", &"a".repeat(65)] {
        let r = app.client.get(app.url("/api/v1/brands")).header("x-request-id", bad).send().await.unwrap();
        let id = header(&r, "x-request-id");
        assert!(id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit()), "{bad:?} replaced by a new id: {id}");
    }
    let a = app.client.get(app.url("/")).send().await.unwrap();
    let b = app.client.get(app.url("/")).send().await.unwrap();
    assert_ne!(header(&a, "x-request-id"), header(&b, "x-request-id"));
}

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

/// An app with the demo data and an account, on a database whose URL is returned.
async fn original(backend: Backend, dir: &std::path::Path) -> (String, TestApp) {
    let url = database_url(backend, dir).await;
    let app = spawn_app_tuned(backend, |c| {
        c.database_url = url.clone();
        c.demo_data = true;
    })
    .await;
    admin(&app, "keeper@example.org").await;
    (url, app)
}

/// A backup taken while the server runs, restored into a new file, serves the same data.
#[tokio::test]
async fn a_backup_restores_into_a_new_database_that_serves_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let (url, app) = original(Backend::Sqlite, dir.path()).await;
    let backup = dir.path().join("signpost-backup.db");
    let b = backup.to_str().unwrap();
    let out = signpost(&url, &["backup", b]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("backed up") && text(&out.stdout).contains("tables"), "{}", text(&out.stdout));
    // Never over an existing file.
    let again = signpost(&url, &["backup", b]);
    assert_eq!(again.status.code(), Some(1));
    assert!(text(&again.stderr).contains("exists"), "{}", text(&again.stderr));

    let restored_url = format!("sqlite://{}/restored.db?mode=rwc", dir.path().display());
    let out = signpost(&restored_url, &["restore", b]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    // Never over an existing database.
    let over = signpost(&restored_url, &["restore", b]);
    assert_eq!(over.status.code(), Some(1));
    assert!(text(&over.stderr).contains("exists"), "{}", text(&over.stderr));
    // Not a database, or not Signpost's: refused, nothing written.
    let junk = dir.path().join("junk.db");
    std::fs::write(&junk, b"not a database at all, only some bytes").unwrap();
    let fresh = format!("sqlite://{}/fresh.db?mode=rwc", dir.path().display());
    let out = signpost(&fresh, &["restore", junk.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("nothing was restored"), "{}", text(&out.stderr));
    assert!(!dir.path().join("fresh.db").exists());

    let copy = spawn_app_tuned(Backend::Sqlite, |c| c.database_url = restored_url.clone()).await;
    for path in ["/api/v1/brands?q=health&limit=100", "/export/endpoints.csv", "/turnaround.csv"] {
        let original = app.client.get(app.url(path)).send().await.unwrap().text().await.unwrap();
        let restored = copy.client.get(copy.url(path)).send().await.unwrap().text().await.unwrap();
        assert!(original.len() > 100, "{path}: {original}");
        assert_eq!(original, restored, "{path}");
    }
    let keeper = app::server::entities::account::Entity::find().all(&copy.db).await.unwrap();
    assert!(keeper.iter().any(|a| a.email == "keeper@example.org"), "the accounts came back too");
}

#[tokio::test]
async fn backup_of_postgresql_points_to_pg_dump() {
    let out = signpost("postgres://nobody@127.0.0.1:1/none", &["backup", "/tmp/never-written.db"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("pg_dump"), "{}", text(&out.stderr));
}

/// `signpost serve` with `SIGNPOST_LOG_FORMAT=json`: one JSON object a line, and the lines
/// written for a request carry its id.
#[tokio::test]
async fn json_logs_carry_each_requests_id() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = Served::start(dir.path(), "json", &[("SIGNPOST_LOG_FORMAT", "json".into())]).await;
    let r = reqwest::Client::new()
        .get(format!("{}/api/v1/brands/12345", server.base))
        .header("x-request-id", "json-log-test-7")
        .send()
        .await;
    server.signal("TERM");
    server.exited_within(std::time::Duration::from_secs(10)).await.expect("stopped");
    let log = server.log();
    assert_eq!(r.unwrap().status(), 404);
    let lines: Vec<serde_json::Value> =
        log.lines().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}"))).collect();
    let line = lines
        .iter()
        .find(|l| l["span"]["request_id"] == "json-log-test-7")
        .unwrap_or_else(|| panic!("a line with the request's id: {log}"));
    assert_eq!(line["fields"]["status"], 404);
    assert_eq!(line["span"]["route"], "/api/v1/brands/{id}");

    let bad =
        Command::new(env!("CARGO_BIN_EXE_signpost")).arg("migrate").env("SIGNPOST_LOG_FORMAT", "xml").output().unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(text(&bad.stderr).contains("SIGNPOST_LOG_FORMAT"), "{}", text(&bad.stderr));
}

/// The PostgreSQL backup the README shows: `pg_dump --format=custom`, then `pg_restore` into a
/// new database, which then serves the same data.
#[tokio::test]
async fn a_pg_dump_restores_into_a_new_database_that_serves_the_same() {
    let bin = std::fs::read_dir("/usr/lib/postgresql")
        .expect("PostgreSQL's client programs (scripts/setup --test installs them)")
        .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
        .filter(|b| b.join("pg_dump").is_file())
        .max_by_key(|b| b.parent().and_then(|v| v.file_name()?.to_str()?.parse::<u32>().ok()).unwrap_or(0))
        .expect("pg_dump");
    let dir = tempfile::tempdir().unwrap();
    let (url, app) = original(Backend::Postgres, dir.path()).await;
    let dump = dir.path().join("signpost.dump");
    let out = Command::new(bin.join("pg_dump"))
        .args(["--format=custom", "--no-owner", "--file", dump.to_str().unwrap(), &url])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let restored_url = database_url(Backend::Postgres, dir.path()).await;
    let out = Command::new(bin.join("pg_restore"))
        .args(["--no-owner", "--exit-on-error", "--dbname", &restored_url, dump.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let copy = spawn_app_tuned(Backend::Postgres, |c| c.database_url = restored_url.clone()).await;
    for path in ["/api/v1/brands?q=health&limit=100", "/export/endpoints.csv"] {
        let original = app.client.get(app.url(path)).send().await.unwrap().text().await.unwrap();
        let restored = copy.client.get(copy.url(path)).send().await.unwrap().text().await.unwrap();
        assert!(original.len() > 100, "{path}: {original}");
        assert_eq!(original, restored, "{path}");
    }
    let accounts = app::server::entities::account::Entity::find().all(&copy.db).await.unwrap();
    assert!(accounts.iter().any(|a| a.email == "keeper@example.org"));
}
