//! Building and running the application: database, state, router, listener.
use crate::config::Config;
use crate::http;
use crate::scheduled;
use crate::workers::Supervisor;
use app::server::alerts::token::SigningKey;
use app::server::net::client::SafeClient;
use app::server::rate_limit::ClientLimiter;
use app::server::services::accounts::login::LoginLimits;
use app::server::services::search::SearchState;
use app::server::services::subscriptions::AlertContext;
use app::server::state::{AppState, Settings};
use app::{App, shell};
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use http::bundle::preflight;
use leptos::prelude::{LeptosOptions, provide_context};
use leptos_axum::{LeptosRoutes, generate_route_list};
use migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectOptions, Database, DatabaseConnection, DbErr};
use std::future::{Future, IntoFuture};
use std::net::SocketAddr;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::timeout::{RequestBodyTimeoutLayer, TimeoutLayer};

/// Validations per client: this many at once, refilled at `SIGNPOST_VALIDATE_LIMIT` a minute
/// (`VALIDATE_PER_MINUTE` unless set).
pub const VALIDATE_BURST: u32 = 5;
pub const VALIDATE_PER_MINUTE: u32 = 20;

/// Longest a request may take before its answer starts (a published bundle then streams).
pub const REQUEST_TIME_LIMIT: std::time::Duration = std::time::Duration::from_secs(90);
/// Longest a request body may pause between two parts.
pub const BODY_IDLE_LIMIT: std::time::Duration = std::time::Duration::from_secs(30);

/// How long a SQLite connection waits for another writer before it fails with "database is
/// locked" (imports, the poller and the mailer write at the same time).
pub const SQLITE_BUSY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// Connects and brings the schema up to date. A SQLite file is created when missing (whether or
/// not the URL says `?mode=rwc`) and every connection runs in WAL mode (readers never block the
/// writer) with `synchronous=FULL` (a committed transaction is on disk before it is
/// acknowledged), foreign keys enforced and an explicit busy timeout. sqlx leaves `journal_mode`
/// and `synchronous` to SQLite's compiled defaults, so they are set here.
pub async fn connect(database_url: &str) -> Result<DatabaseConnection, DbErr> {
    use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
    let mut opts = ConnectOptions::new(database_url.to_string());
    opts.sqlx_logging(false);
    if database_url.starts_with("sqlite:") {
        // One writer at a time is all SQLite allows; a small pool avoids lock contention.
        opts.max_connections(4);
        opts.map_sqlx_sqlite_opts(|o| {
            o.create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Full)
                .foreign_keys(true)
                .busy_timeout(SQLITE_BUSY_TIMEOUT)
        });
    }
    let db = Database::connect(opts).await?;
    Migrator::up(&db, None).await?;
    Ok(db)
}

/// The signing key (from config, else the database's) and the public address for links.
pub async fn alert_context(config: &Config, db: &DatabaseConnection) -> Result<AlertContext, DbErr> {
    let key = match &config.secret {
        Some(k) => k.clone(),
        None => SigningKey::load_or_create(db).await?,
    };
    Ok(AlertContext { key, public_url: config.public_url.clone() })
}

pub fn leptos_options(config: &Config) -> LeptosOptions {
    LeptosOptions::builder()
        .output_name("signpost")
        .site_root(config.site_root.as_str())
        .site_pkg_dir("pkg")
        .site_addr(config.addr)
        .build()
}

pub fn app_state(config: &Config, db: DatabaseConnection, alerts: AlertContext) -> Result<AppState, String> {
    Ok(AppState {
        leptos_options: leptos_options(config),
        search: SearchState::with_file(config.search_index.clone()).in_background(db.clone(), config.search_wait),
        db,
        turnaround: Default::default(),
        settings: std::sync::Arc::new(Settings {
            public_url: config.public_url.clone(),
            max_validate_bytes: config.max_validate_bytes,
            trusted_proxies: config.trusted_proxies.clone(),
            trust_after: config.trust_after,
            closures: config.closures.clone(),
            metrics_token: config.metrics_token.clone().map(app::server::state::MetricsToken),
        }),
        fetch: SafeClient::new(config.fetch.clone())?,
        // Each check makes several outbound requests: 2 at once, 6 a minute per client address.
        check_limiter: ClientLimiter::per_minute(6, 2),
        // Each subscription sends a mail: 3 at once, 5 a minute per client address.
        subscribe_limiter: ClientLimiter::per_minute(5, 3),
        // Validating a bundle at the size limit takes a core for a while.
        validate_limiter: ClientLimiter::per_minute(config.validate_per_minute, VALIDATE_BURST),
        login_limits: LoginLimits::standard(),
        // Each sign-up, reset, address change or invitation sends a mail: 5 at once, 5 a minute.
        account_mail_limiter: ClientLimiter::per_minute(5, 5),
        // Reports of problems, from anyone: 3 at once, 5 a minute per client address.
        report_limiter: ClientLimiter::per_minute(5, 3),
        // Proposal forms and thread messages: 20 at once per account, then one every 6 seconds.
        proposal_limiter: app::server::rate_limit::AccountLimiter::new(20, std::time::Duration::from_secs(6)),
        public_limiter: config.rate_limit.map(app::server::public_limit::PublicLimiter::per_minute),
        alerts,
    })
}

/// The app's routes, listed once per process. Listing them runs the app with resource loading
/// suppressed through a process-wide flag (leptos_server's `SuppressResourceLoad`), and a
/// resource first polled meanwhile, by a page rendering in another application in the same
/// process, never loads: its request would hang (leptos#4773). Tests run many applications in
/// one process; a server runs one, and lists the routes before it listens.
fn route_list() -> Vec<leptos_axum::AxumRouteListing> {
    static ROUTES: std::sync::OnceLock<Vec<leptos_axum::AxumRouteListing>> = std::sync::OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

pub fn router(state: AppState) -> Router {
    // Installs the metrics recorder before the first request records anything.
    crate::telemetry::metrics();
    let routes = route_list();
    let context_state = state.clone();
    let shell_options = state.leptos_options.clone();
    // Room for a bundle at the size limit after form encoding.
    let hsts = http::headers::Hsts(state.settings.public_url.starts_with("https://"));
    let site = http::csrf::SiteOrigin::of(&state.settings.public_url);
    // The layers that run on every request share one state rather than cloning it each time.
    let shared = std::sync::Arc::new(state.clone());
    let body_limit = state.settings.max_validate_bytes.saturating_mul(3).max(64 * 1024);
    Router::new()
        .route("/healthz", get(http::health::health))
        .route("/metrics", get(http::metrics::metrics))
        .route("/brands.json", get(http::bundle::directory_bundle).options(preflight))
        .route("/sources/{id}/brands.json", get(http::bundle::source_bundle).options(preflight))
        .route("/fhir/{kind}/{id}", get(http::bundle::fhir_read).options(preflight))
        .route("/export/endpoints.csv", get(http::bundle::endpoints_csv).options(preflight))
        .route("/export/developer-facts.ndjson", get(http::developer::export).options(preflight))
        .route("/publishers/{slug}/brands.json", get(http::publish::bundle).options(preflight))
        .route("/logos/{name}", get(http::publish::logo))
        .route("/api/openapi.json", get(http::openapi::openapi_json).options(preflight))
        .route("/api/v1/brands", get(http::api::search).options(preflight))
        .route("/api/v1/brands/{id}", get(http::api::brand).options(preflight))
        .route("/api/v1/validate", post(http::api::validate))
        .route("/api/v1/turnaround", get(http::turnaround::overview_json).options(preflight))
        .route("/api/v1/turnaround/{brand}", get(http::turnaround::payer_json).options(preflight))
        .route("/turnaround.csv", get(http::turnaround::overview_csv).options(preflight))
        .route("/api/v1/endpoints/{id}", get(http::endpoints::status).options(preflight))
        .route("/endpoints/{id}/metadata.json", get(http::endpoints::metadata))
        .route("/endpoints/{id}/smart-configuration.json", get(http::endpoints::smart))
        .route("/alerts/unsubscribe/one-click", post(http::alerts::one_click_unsubscribe))
        .route("/validate", post(http::validate_form::validate_form))
        .route("/alerts/subscribe", post(http::alerts::subscribe_form))
        .route("/alerts/confirm", post(http::alerts::press_confirm))
        .route("/alerts/unsubscribe", post(http::alerts::press_unsubscribe))
        .route("/signup", form(http::accounts::sign_up))
        .route("/verify", form(http::accounts::verify))
        .route("/login", form(http::accounts::log_in))
        .route("/logout", form(http::accounts::log_out))
        .route("/forgot", form(http::accounts::forgot))
        .route("/reset", form(http::accounts::reset))
        .route("/account/password", form(http::settings::change_password))
        .route("/account/email", form(http::settings::change_email))
        .route("/account/email/confirm", form(http::settings::confirm_email))
        .route("/account/sessions/end", form(http::settings::end_sessions))
        .route("/account/delete", form(http::settings::delete_account))
        .route("/account/acting", form(http::settings::act_for))
        .route("/orgs", form(http::orgs::create))
        .route("/orgs/{id}/invitations", form(http::orgs::invite))
        .route("/orgs/{id}/invitations/{invitation}/revoke", form(http::orgs::revoke))
        .route("/orgs/{id}/members/{member}/remove", form(http::orgs::remove_member))
        .route("/orgs/{id}/owner", form(http::orgs::transfer))
        .route("/invitations", form(http::orgs::accept))
        .route("/orgs/{id}/claims", form(http::claims::start))
        .route("/orgs/{id}/claims/{claim}/check", form(http::claims::check))
        .route("/orgs/{id}/claims/{claim}/withdraw", form(http::claims::withdraw))
        .route("/claims/confirm", form(http::claims::confirm))
        .route("/admin/claims", form(http::claims::grant))
        .route("/brands/{id}/developer", proposal_form(http::developer::developer_facts))
        .route("/orgs/{id}/publish", post(http::publish::upload))
        .route("/orgs/{id}/publish/feed", form(http::publish::feed))
        .route("/orgs/{id}/apps", big_form(http::apps::create))
        .route("/orgs/{id}/apps/{app}", big_form(http::apps::update))
        .route("/orgs/{id}/apps/{app}/attestation", big_form(http::attestations::save))
        .route("/admin/attestations/{id}", big_form(http::attestations::decide))
        .route("/admin/questionnaires", big_form(http::attestations::publish_questionnaire))
        .route("/apps/{id}/attestation.json", get(http::attestations::status_document).options(preflight))
        .route("/apps/{id}/badge.svg", get(http::attestations::badge))
        .route("/orgs/{id}/apps/{app}/requests", form(http::requests::ask))
        .route("/requests/{id}", big_form(http::requests::act))
        .route("/respond", big_form(http::respond::respond))
        .route("/requests/{id}/messages", post(http::messages::post))
        .route("/requests/{id}/messages/{message}/attachment", get(http::messages::attachment))
        .route("/orgs/{id}/queue/assign", form(http::requests::assign))
        .route("/orgs/{id}/registration", form(http::requests::settings))
        .route("/orgs/{id}/apps/{app}/registration.json", get(http::apps::registration))
        .route("/orgs/{id}/apps/{app}/udap-claims.json", get(http::apps::udap_claims))
        .route("/orgs/{id}/logos", post(http::publish::upload_logo))
        .route("/orgs/{id}/publications/{version}/rollback", form(http::publish::rollback))
        .route("/admin/claims/{id}/transfer", form(http::claims::transfer))
        .route("/admin/claims/{id}/revoke", form(http::claims::revoke))
        .route("/admin/accounts/{id}/disable", form(http::admin::disable))
        .route("/admin/accounts/{id}/enable", form(http::admin::enable))
        .route("/admin/accounts/{id}/trust", form(http::admin::trust))
        .route("/propose", proposal_form(http::proposals::propose_new))
        .route("/brands/{id}/propose", proposal_form(http::proposals::propose_change))
        .route("/brands/{id}/report", form(http::proposals::report))
        .route("/brands/{id}/revert", form(http::proposals::revert))
        .route("/proposals/{id}/edit", proposal_form(http::proposals::edit))
        .route("/proposals/{id}/withdraw", form(http::proposals::withdraw))
        .route("/proposals/{id}/messages", form(http::proposals::message))
        .route("/proposals/{id}/approve", proposal_form(http::proposals::approve))
        .route("/proposals/{id}/reject", form(http::proposals::reject))
        .route("/moderation/conflicts/{id}", form(http::proposals::settle_conflict))
        .leptos_routes_with_context(
            &state,
            routes,
            move || provide_context(context_state.clone()),
            move || shell(shell_options.clone()),
        )
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        // A panic in a handler is a bug; the client still gets an answer (a 500 with the
        // security headers, counted and logged) instead of a dropped connection.
        .layer(CatchPanicLayer::custom(http::observe::panic_answer))
        .layer(axum::middleware::from_fn(http::server_fn_status::status_from_error))
        // The session is read before any page, server function or form handler runs.
        .layer(axum::middleware::from_fn_with_state(shared.clone(), http::session::load_session))
        .layer(DefaultBodyLimit::max(body_limit))
        // Every request has a time limit (a check makes several outbound requests of up to 30 s
        // each), and a client sending its body must keep sending it.
        .layer(TimeoutLayer::with_status_code(axum::http::StatusCode::SERVICE_UNAVAILABLE, REQUEST_TIME_LIMIT))
        .layer(RequestBodyTimeoutLayer::new(BODY_IDLE_LIMIT))
        .layer(axum::middleware::from_fn_with_state(
            http::page_cache::CacheState { cache: Default::default(), search: state.search.clone() },
            http::page_cache::cache_pages,
        ))
        .layer(axum::middleware::from_fn_with_state(shared, http::limits::limit_public))
        .layer(axum::middleware::from_fn_with_state(site, http::csrf::refuse_cross_site))
        .layer(axum::middleware::from_fn_with_state(hsts, http::headers::security_headers))
        .layer(CompressionLayer::new())
        .layer(axum::middleware::from_fn(http::observe::observe))
        .with_state(state)
}

/// The most an account form's body may hold: a few fields of at most a few hundred characters.
pub const FORM_BODY_LIMIT: usize = 16 * 1024;

/// An account form's route: `POST` only, with a small body limit.
fn form<H, T>(handler: H) -> axum::routing::MethodRouter<AppState>
where
    H: axum::handler::Handler<T, AppState>,
    T: 'static,
{
    post(handler).layer(DefaultBodyLimit::max(FORM_BODY_LIMIT))
}

/// The most an app or attestation form's body may hold: an app's pasted JWK Set (16 KB, up to
/// three times that form-encoded), or 60 answers with 1,000 characters of evidence each (a
/// non-ASCII character is up to 9 bytes form-encoded, so a long answer can pass 4 KB).
pub const BIG_FORM_BODY_LIMIT: usize = 256 * 1024;

/// An app or attestation form's route: `POST` only.
fn big_form<H, T>(handler: H) -> axum::routing::MethodRouter<AppState>
where
    H: axum::handler::Handler<T, AppState>,
    T: 'static,
{
    post(handler).layer(DefaultBodyLimit::max(BIG_FORM_BODY_LIMIT))
}

/// The most a proposal form's body may hold: a brand with up to 100 endpoints and 20 portals,
/// and its embedded logo (up to 256 KB, more once form-encoded).
pub const PROPOSAL_BODY_LIMIT: usize = 1024 * 1024;

/// A proposal form's route: `POST` only, with room for a whole brand.
fn proposal_form<H, T>(handler: H) -> axum::routing::MethodRouter<AppState>
where
    H: axum::handler::Handler<T, AppState>,
    T: 'static,
{
    post(handler).layer(DefaultBodyLimit::max(PROPOSAL_BODY_LIMIT))
}

/// A built application bound to its port, ready to serve (zero2prod's shape: tests bind port 0),
/// with its background workers started under one supervisor.
pub struct Application {
    listener: tokio::net::TcpListener,
    router: Router,
    pub state: AppState,
    workers: Supervisor,
    grace: std::time::Duration,
    poller_owner: Option<String>,
}

impl Application {
    pub async fn build(config: &Config) -> anyhow_like::Result<Self> {
        let db = connect(&config.database_url).await?;
        if config.demo_data && crate::demo::seed_if_empty(&db).await? {
            tracing::info!("empty database: demo data imported");
        }
        let mut workers = Supervisor::default();
        let mut poller_owner = None;
        if config.poll.enabled {
            let client = SafeClient::new(config.fetch.clone())?;
            let poller = crate::poller::Poller::new(
                db.clone(),
                client,
                config.poll.settings.clone(),
                config.poll.concurrency,
                config.public_url.clone(),
            );
            tracing::info!(owner = %poller.owner(), "poller started");
            poller_owner = Some(poller.owner().to_string());
            workers.spawn("poller", move |stop| poller.run(stop));
        }
        if config.feeds {
            let (db, client) = (db.clone(), SafeClient::new(config.fetch.clone())?);
            let (origin, interval) = (config.public_url.clone(), config.poll.settings.interval_secs);
            workers.spawn("feeds", move |stop| scheduled::feeds(db, client, origin, interval, stop));
        }
        if config.reminders {
            let (db, calendar, origin) = (db.clone(), config.calendar(), config.public_url.clone());
            workers.spawn("reminders", move |stop| scheduled::reminders(db, calendar, origin, stop));
        }
        let alerts = alert_context(config, &db).await?;
        let mailer = crate::mailer::Mailer::new(db.clone(), alerts.clone(), &config.mail)?;
        if config.background_mail {
            workers.spawn("mailer", move |stop| mailer.run(stop));
        }
        let state = app_state(config, db, alerts)?;
        // The index is read (or built) right away, off the request path, so the first search
        // after a start does not wait for it (nor, with an earlier saved one, for its build).
        let warm = state.clone();
        tokio::spawn(async move {
            if let Err(e) = warm.search.warm(&warm.db).await {
                tracing::warn!("the search index could not be prepared at start: {e}");
            }
        });
        let housekeeping = state.clone();
        workers.spawn("housekeeping", move |stop| scheduled::housekeeping(housekeeping, stop));
        let listener = tokio::net::TcpListener::bind(config.addr).await?;
        Ok(Application {
            router: router(state.clone()),
            listener,
            state,
            workers,
            grace: config.shutdown_grace,
            poller_owner,
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.listener.local_addr().expect("a bound listener has an address")
    }

    /// The workers running, by name.
    pub fn workers(&self) -> Vec<&'static str> {
        self.workers.names()
    }

    /// Serves until SIGTERM or Ctrl-C, then stops as `run_until` says.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.run_until(shutdown_signal()).await
    }

    /// Serves until `signal`; then takes no new connections, and gives the requests in flight
    /// and the workers (a check, a mail) the grace period to finish. What is still running then
    /// is stopped, and the poller's leases are given back so other instances take them at once.
    pub async fn run_until(self, signal: impl Future<Output = ()> + Send + 'static) -> std::io::Result<()> {
        let (said, heard) = tokio::sync::oneshot::channel::<()>();
        // The client address is needed for the per-client rate limits.
        let serve = axum::serve(self.listener, self.router.into_make_service_with_connect_info::<SocketAddr>())
            .with_graceful_shutdown(async move {
                signal.await;
                let _ = said.send(());
            });
        let mut server = tokio::spawn(serve.into_future());
        let ended_early = tokio::select! {
            r = &mut server => Some(r),
            _ = heard => None,
        };
        tracing::info!(
            grace_secs = self.grace.as_secs(),
            "stopping: finishing the requests, checks and mails in flight"
        );
        let deadline = tokio::time::Instant::now() + self.grace;
        // The server can be done before the signal is heard (no connections were open): both
        // ways end in the same clean-up below.
        let requests = async {
            if let Some(r) = ended_early {
                return r.unwrap_or_else(|e| Err(std::io::Error::other(e)));
            }
            match tokio::time::timeout_at(deadline, &mut server).await {
                Ok(r) => r.unwrap_or_else(|e| Err(std::io::Error::other(e))),
                Err(_) => {
                    server.abort();
                    tracing::warn!("requests still running at the deadline: closed");
                    Ok(())
                }
            }
        };
        let (served, _aborted) = tokio::join!(requests, self.workers.stop(deadline));
        if let Some(owner) = &self.poller_owner {
            if let Err(e) = app::server::services::polling::release_all(&self.state.db, owner).await {
                tracing::warn!("giving back the poller's leases failed: {e}");
            }
        }
        tracing::info!("stopped");
        served
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}

/// A boxed error for start-up, where any failure ends the process with its message.
pub mod anyhow_like {
    pub type Error = Box<dyn std::error::Error + Send + Sync>;
    pub type Result<T> = std::result::Result<T, Error>;
}
