//! Spawning the real application on port 0 with a fresh database (SQLite file or a new
//! PostgreSQL database on the server ./test starts).
use app::server::import::Format;
use app::server::import::run::{ImportError, ImportOutcome, import_reader};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection};
use signpost::config::{Config, PollConfig};
use signpost::mailer::{MailConfig, MailTransport};
use signpost::startup::Application;
use std::sync::atomic::{AtomicU32, Ordering};

#[derive(Clone, Copy, Debug)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub db: DatabaseConnection,
    /// Where the app writes mail when no SMTP server is configured.
    pub mail_dir: std::path::PathBuf,
    pub alerts: app::server::services::subscriptions::AlertContext,
    _dir: Option<tempfile::TempDir>,
}

pub fn fixture_path(rel: &str) -> String {
    format!("{}/../../shared/fixtures/{rel}", env!("CARGO_MANIFEST_DIR"))
}

pub fn fixture(rel: &str) -> Vec<u8> {
    std::fs::read(fixture_path(rel)).unwrap_or_else(|e| panic!("fixture {rel} (../shared beside the repo): {e}"))
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

pub async fn database_url(backend: Backend, dir: &std::path::Path) -> String {
    match backend {
        Backend::Sqlite => format!("sqlite://{}/signpost.db?mode=rwc", dir.display()),
        Backend::Postgres => {
            let admin = std::env::var("SIGNPOST_TEST_POSTGRES_URL")
                .expect("SIGNPOST_TEST_POSTGRES_URL is not set: run the tests with ./test, which starts PostgreSQL");
            let name = format!(
                "signpost_test_{}_{}_{}",
                std::process::id(),
                COUNTER.fetch_add(1, Ordering::SeqCst),
                chrono::Utc::now().timestamp_micros()
            );
            let conn = Database::connect(&admin).await.expect("connect to the test PostgreSQL");
            conn.execute_unprepared(&format!("CREATE DATABASE {name}")).await.expect("create a test database");
            conn.close().await.ok();
            let (base, _) = admin.rsplit_once('/').expect("a database URL ends in /dbname");
            format!("{base}/{name}")
        }
    }
}

pub async fn spawn_app_with(backend: Backend, demo_data: bool) -> TestApp {
    spawn_app_fetching(backend, demo_data, app::server::net::policy::FetchPolicy::default()).await
}

/// With a fetch policy for the Check page (tests allow their fake servers' addresses).
pub async fn spawn_app_fetching(
    backend: Backend,
    demo_data: bool,
    fetch: app::server::net::policy::FetchPolicy,
) -> TestApp {
    spawn_app_mailing(backend, demo_data, fetch, None).await
}

/// With the test configuration changed by `tune` first (a rate limit, a metrics token).
pub async fn spawn_app_tuned(backend: Backend, tune: impl FnOnce(&mut Config)) -> TestApp {
    spawn_app_configured(backend, false, Default::default(), None, tune).await
}

/// With mail sent to an SMTP URL instead of the app's own outbox folder (`TestApp::mail_dir`).
pub async fn spawn_app_mailing(
    backend: Backend,
    demo_data: bool,
    fetch: app::server::net::policy::FetchPolicy,
    smtp_url: Option<String>,
) -> TestApp {
    spawn_app_configured(backend, demo_data, fetch, smtp_url, |_| {}).await
}

async fn spawn_app_configured(
    backend: Backend,
    demo_data: bool,
    fetch: app::server::net::policy::FetchPolicy,
    smtp_url: Option<String>,
    tune: impl FnOnce(&mut Config),
) -> TestApp {
    let (test_app, app) = build_app(backend, demo_data, fetch, smtp_url, tune).await;
    tokio::spawn(app.run_until_stopped());
    test_app
}

/// The application built but not serving yet, for tests that stop it themselves.
pub async fn built_app(
    backend: Backend,
    fetch: app::server::net::policy::FetchPolicy,
    tune: impl FnOnce(&mut Config),
) -> (TestApp, Application) {
    build_app(backend, false, fetch, None, tune).await
}

async fn build_app(
    backend: Backend,
    demo_data: bool,
    fetch: app::server::net::policy::FetchPolicy,
    smtp_url: Option<String>,
    tune: impl FnOnce(&mut Config),
) -> (TestApp, Application) {
    let dir = tempfile::tempdir().expect("temp dir");
    let mail_dir = dir.path().join("outbox");
    let mut config = Config {
        addr: "127.0.0.1:0".parse().unwrap(),
        database_url: database_url(backend, dir.path()).await,
        public_url: "https://signpost.test".into(),
        demo_data,
        max_validate_bytes: 1024 * 1024,
        site_root: "target/site".into(),
        // Tests send traffic only to loopback: the demo data's real endpoints are never polled.
        fetch,
        poll: PollConfig { enabled: false, settings: Default::default(), concurrency: 4 },
        mail: MailConfig {
            transport: match smtp_url {
                Some(url) => MailTransport::Smtp(url),
                None => MailTransport::Folder(mail_dir.clone()),
            },
            from: "Signpost Test <signpost@signpost.test>".into(),
        },
        secret: None,
        trusted_proxies: Vec::new(),
        trust_after: 2,
        closures: Default::default(),
        // Tests drain the outbox themselves (`Mailer::run_once`).
        background_mail: false,
        feeds: false,
        reminders: false,
        shutdown_grace: std::time::Duration::from_secs(5),
        // Tests make many requests from one address; `hardening` turns a limit on.
        rate_limit: None,
        validate_per_minute: signpost::startup::VALIDATE_PER_MINUTE,
        metrics_token: None,
        // Every test saves and reads back its index, on both backends.
        search_index: Some(dir.path().join("search-index")),
        // A test reads its own writes: a search after a change waits for the new index (a debug
        // build on a busy machine can take longer than the 2 s default); `search_index` tests
        // the background rebuild itself.
        search_wait: std::time::Duration::from_secs(60),
    };
    tune(&mut config);
    let app = Application::build(&config).await.expect("application builds");
    let base = format!("http://{}", app.addr());
    let db = app.state.db.clone();
    let alerts = app.state.alerts.clone();
    (TestApp { base, client: reqwest::Client::new(), db, mail_dir, alerts, _dir: Some(dir) }, app)
}

pub async fn spawn_app(backend: Backend) -> TestApp {
    spawn_app_with(backend, false).await
}

impl TestApp {
    /// A `signpost serve` process's site at `base`, with its database and mail folder, for the
    /// helpers written for in-process apps.
    pub async fn of_process(base: String, db: DatabaseConnection, mail_dir: std::path::PathBuf) -> TestApp {
        let key = app::server::alerts::token::SigningKey::load_or_create(&db).await.unwrap();
        let alerts = app::server::services::subscriptions::AlertContext { key, public_url: base.clone() };
        TestApp { base, client: reqwest::Client::new(), db, mail_dir, alerts, _dir: None }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn import_bytes(
        &self,
        location: &str,
        format: Option<Format>,
        bytes: Vec<u8>,
    ) -> Result<ImportOutcome, ImportError> {
        import_reader(&self.db, location, format, std::io::Cursor::new(bytes), |_| {}).await
    }

    pub async fn import_fixture(&self, rel: &str) -> ImportOutcome {
        self.import_bytes(&format!("fixture:{rel}"), None, fixture(rel)).await.expect("fixture imports")
    }

    pub async fn get_json(&self, path: &str) -> serde_json::Value {
        let r = self.client.get(self.url(path)).send().await.expect("request");
        assert!(r.status().is_success(), "GET {path}: {}", r.status());
        r.json().await.expect("json body")
    }

    /// POSTs the body and reads the JSON answer, whatever its status.
    pub async fn post_json(&self, path: &str, body: impl Into<reqwest::Body>) -> serde_json::Value {
        let r = self.client.post(self.url(path)).body(body).send().await.expect("request");
        r.json().await.expect("json body")
    }
}

/// Runs an async test function once per database backend.
macro_rules! on_both_databases {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() { super::$name($crate::helpers::Backend::Sqlite).await }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() { super::$name($crate::helpers::Backend::Postgres).await }
        }
    )*};
}

// Fake FHIR servers on 127.0.0.2 (the address tests allow), and importing their URLs.
use app::server::net::policy::FetchPolicy;
use sea_orm::EntityTrait;
use signpost::fake_fhir::{CertKind, FakeServer, TestCa, spawn_https};
use std::collections::HashMap;
use std::time::Duration;

pub fn loopback_policy(ca: &TestCa) -> FetchPolicy {
    let mut p = FetchPolicy::default().with_allow_list("127.0.0.2/32").unwrap();
    p.extra_roots.push(ca.pem().into_bytes());
    p.per_host_interval = Duration::ZERO;
    p.total_timeout = Duration::from_secs(3);
    p
}

pub async fn fake(ca: &TestCa, kind: CertKind, latency: Duration) -> FakeServer {
    let ip = "127.0.0.2".parse().unwrap();
    let (cert, key) = ca.leaf(ip, &[], kind);
    spawn_https(ip, cert, key, latency).await.unwrap()
}

/// Imports the URLs as a Lantern-shaped list and returns endpoint ids by URL.
pub async fn import_urls(app: &TestApp, urls: &[String]) -> HashMap<String, i32> {
    import_urls_into(&app.db, urls).await
}

/// `import_urls` into any database.
pub async fn import_urls_into(db: &DatabaseConnection, urls: &[String]) -> HashMap<String, i32> {
    let list: Vec<_> = urls
        .iter()
        .enumerate()
        .map(|(i, u)| serde_json::json!({"URL": u, "OrganizationName": format!("Plan {i}"), "NPIID": "", "OrganizationZipCode": "12345"}))
        .collect();
    let body = serde_json::to_vec(&serde_json::json!({ "Endpoints": list })).unwrap();
    let format = Some(app::server::import::Format::Lantern);
    import_reader(db, "test:fakes", format, std::io::Cursor::new(body), |_| {}).await.expect("import");
    let rows = app::server::entities::endpoint::Entity::find().all(db).await.unwrap();
    rows.into_iter().map(|e| (e.address.trim_end_matches('/').to_string(), e.id)).collect()
}
