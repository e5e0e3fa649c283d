use super::services::search::SearchState;
use axum::extract::FromRef;
use leptos::prelude::LeptosOptions;
use sea_orm::DatabaseConnection;

/// Everything a request handler or server function may need, handed out by `FromRef`.
#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub db: DatabaseConnection,
    pub search: SearchState,
    /// Shared, not copied: the state is cloned for every request (each layer and handler).
    pub settings: std::sync::Arc<Settings>,
    /// The SSRF-safe client for checks asked for on the site.
    pub fetch: super::net::client::SafeClient,
    #[from_ref(skip)]
    pub check_limiter: super::rate_limit::ClientLimiter,
    #[from_ref(skip)]
    pub subscribe_limiter: super::rate_limit::ClientLimiter,
    #[from_ref(skip)]
    pub validate_limiter: super::rate_limit::ClientLimiter,
    /// Log-in attempts per client address and per account.
    #[from_ref(skip)]
    pub login_limits: super::services::accounts::login::LoginLimits,
    /// Mails that anyone can make the site send (sign-up, reset, address change, invitations),
    /// per client address.
    #[from_ref(skip)]
    pub account_mail_limiter: super::rate_limit::ClientLimiter,
    /// Proposal forms (checks and submissions, each runs the validator and a search) and thread
    /// messages, per account.
    #[from_ref(skip)]
    pub proposal_limiter: super::rate_limit::AccountLimiter,
    /// Reports of problems, which anyone may send, per client address.
    #[from_ref(skip)]
    pub report_limiter: super::rate_limit::ClientLimiter,
    /// Every public route's limit per client (`None`: off).
    #[from_ref(skip)]
    pub public_limiter: Option<super::public_limit::PublicLimiter>,
    /// The public turnaround overview's figures.
    #[from_ref(skip)]
    pub turnaround: super::services::registration::overview::TurnaroundCache,
    /// Signing key and public address for the links in alert mails.
    pub alerts: super::services::subscriptions::AlertContext,
}

/// Settings the app itself reads (the server's own config lives in the server crate).
#[derive(Clone, Debug)]
pub struct Settings {
    /// Base of the `fullUrl`s in published bundles.
    pub public_url: String,
    /// Largest bundle the Validate page accepts, in bytes.
    pub max_validate_bytes: usize,
    /// Proxies whose `X-Forwarded-For` names the client (`SIGNPOST_TRUSTED_PROXIES`).
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// Accepted proposals a contributor needs before an admin may trust them
    /// (`SIGNPOST_TRUST_AFTER`).
    pub trust_after: u64,
    /// Days the SLA clock skips besides weekends and federal holidays (`SIGNPOST_CLOSURES`).
    pub closures: std::collections::BTreeSet<chrono::NaiveDate>,
    /// The bearer token `/metrics` asks for (`SIGNPOST_METRICS_TOKEN`).
    pub metrics_token: Option<MetricsToken>,
}

/// A secret: compared, never shown (its `Debug` says only that it is set).
#[derive(Clone)]
pub struct MetricsToken(pub String);

impl std::fmt::Debug for MetricsToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MetricsToken(…)")
    }
}

impl Settings {
    /// The SLA clock's calendar (US Eastern time; weekends, federal holidays and the closures).
    pub fn calendar(&self) -> crate::server::services::registration::calendar::Calendar {
        crate::server::services::registration::calendar::Calendar::new(
            Default::default(),
            self.closures.iter().copied(),
        )
    }

    /// Session cookies are `__Host-` and `Secure` when the public address is https.
    pub fn secure_cookies(&self) -> bool {
        self.public_url.starts_with("https://")
    }
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            public_url: "http://127.0.0.1:3000".into(),
            max_validate_bytes: 5 * 1024 * 1024,
            trusted_proxies: Vec::new(),
            trust_after: 5,
            closures: Default::default(),
            metrics_token: None,
        }
    }
}

impl AppState {
    /// Every per-client limiter, for the server's pruning schedule.
    pub fn limiters(&self) -> [&super::rate_limit::ClientLimiter; 6] {
        [
            &self.check_limiter,
            &self.subscribe_limiter,
            &self.validate_limiter,
            &self.login_limits.per_client,
            &self.account_mail_limiter,
            &self.report_limiter,
        ]
    }
}

/// The state inside a server function (provided as context by `leptos_routes_with_context`).
pub fn app_state() -> Result<AppState, crate::error::AppError> {
    leptos::prelude::use_context::<AppState>()
        .ok_or_else(|| crate::error::AppError::Internal("application state is missing".into()).with_status())
}
