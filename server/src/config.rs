//! Configuration from the environment; every variable is listed in the README.
use crate::mailer::{MailConfig, MailTransport};
use app::server::alerts::token::SigningKey;
use app::server::net::policy::FetchPolicy;
use app::server::services::polling::PollSettings;
use std::net::SocketAddr;
use std::time::Duration;

pub const DEFAULT_ADDR: &str = "127.0.0.1:3000";
pub const DEFAULT_DATABASE_URL: &str = "sqlite://signpost.db?mode=rwc";

#[derive(Clone, Debug)]
pub struct Config {
    pub addr: SocketAddr,
    pub database_url: String,
    pub public_url: String,
    pub demo_data: bool,
    pub max_validate_bytes: usize,
    pub site_root: String,
    pub fetch: FetchPolicy,
    pub poll: PollConfig,
    pub mail: MailConfig,
    /// Signs the links in mails (`SIGNPOST_SECRET`); when unset, a random key kept in the
    /// database.
    pub secret: Option<SigningKey>,
    /// Proxies whose `X-Forwarded-For` is believed (`SIGNPOST_TRUSTED_PROXIES`, CIDRs).
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// Accepted proposals before an admin may trust a contributor (`SIGNPOST_TRUST_AFTER`).
    pub trust_after: u64,
    /// Days the SLA clock skips besides weekends and federal holidays (`SIGNPOST_CLOSURES`).
    pub closures: std::collections::BTreeSet<chrono::NaiveDate>,
    /// Whether the server sends queued mail itself, every few seconds (`SIGNPOST_MAILER`, on by
    /// default). Integration tests turn it off and drain the outbox themselves, so no second
    /// mailer takes a mail from under them.
    pub background_mail: bool,
    /// Refetching feeds and re-verifying claims (`SIGNPOST_FEEDS`, default: as `SIGNPOST_POLL`).
    pub feeds: bool,
    /// Attestation and registration reminders (`SIGNPOST_REMINDERS`, default: as `SIGNPOST_POLL`).
    pub reminders: bool,
    /// How long a stopping server gives requests in flight and busy workers
    /// (`SIGNPOST_SHUTDOWN_GRACE`, default 30 s).
    pub shutdown_grace: Duration,
    /// Requests a minute per client on every public route (`SIGNPOST_RATE_LIMIT`; `None`: off).
    pub rate_limit: Option<u32>,
    /// Validations a minute per client, through the page and the API together
    /// (`SIGNPOST_VALIDATE_LIMIT`, default 20; 5 at once whatever the rate).
    pub validate_per_minute: u32,
    /// The bearer token `/metrics` asks for (`SIGNPOST_METRICS_TOKEN`); without one, `/metrics`
    /// answers only unproxied requests from this machine.
    pub metrics_token: Option<String>,
    /// Where the search index is saved for the next start (`SIGNPOST_SEARCH_INDEX`; by default
    /// `search_index_file`'s; `off`: none, each start indexes the directory).
    pub search_index: Option<std::path::PathBuf>,
    /// How long after a change searches wait for its new index before the previous one
    /// answers them while it is built (`SIGNPOST_SEARCH_WAIT`, default 2 s, at most 60 s).
    pub search_wait: Duration,
}

/// Where the search index is kept by default: beside a SQLite database file
/// (`<file>.search-index`); for PostgreSQL, in this machine's cache folder
/// (`<cache>/signpost/search-index-<16 hex digits of the SHA-256 of the URL without its password
/// and query>`), so each machine running instances of one database keeps its own and a restart
/// reads it, and no part of the URL shows in a file name. `setting` is `SIGNPOST_SEARCH_INDEX`: a path, or `off`.
pub fn search_index_file(
    setting: Option<&str>,
    database_url: &str,
    cache_home: Option<&std::path::Path>,
) -> Option<std::path::PathBuf> {
    use sha2::Digest;
    match setting.map(str::trim) {
        Some("off") => None,
        Some(path) if !path.is_empty() => Some(path.into()),
        _ if database_url.starts_with("postgres://") || database_url.starts_with("postgresql://") => {
            // Without its password and options: a rotated password keeps the file, and the
            // name gives nothing to test guesses against.
            let named = url::Url::parse(database_url).map_or_else(
                |_| String::new(),
                |mut u| {
                    let _ = u.set_password(None);
                    u.set_query(None);
                    u.to_string()
                },
            );
            let digest = hex::encode(sha2::Sha256::digest(named.as_bytes()));
            cache_home.map(|c| c.join("signpost").join(format!("search-index-{}", &digest[..16])))
        }
        _ => sqlite_file(database_url).map(|f| {
            let mut name = f.into_os_string();
            name.push(".search-index");
            name.into()
        }),
    }
}

/// This machine's cache folder: `XDG_CACHE_HOME`, else `$HOME/.cache` (absolute paths only).
fn cache_home() -> Option<std::path::PathBuf> {
    let absolute = |p: std::path::PathBuf| Some(p).filter(|p| p.is_absolute());
    var("XDG_CACHE_HOME")
        .and_then(|c| absolute(c.into()))
        .or_else(|| var("HOME").and_then(|h| absolute(std::path::PathBuf::from(h).join(".cache"))))
}

/// The file a `sqlite:` URL names (`sqlite://path?mode=rwc`, `sqlite:path`).
pub fn sqlite_file(url: &str) -> Option<std::path::PathBuf> {
    let rest = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or("");
    (!path.is_empty() && path != ":memory:").then(|| std::path::PathBuf::from(path))
}

#[derive(Clone, Debug)]
pub struct PollConfig {
    /// Whether `serve` polls in the background (`SIGNPOST_POLL`, default on).
    pub enabled: bool,
    pub settings: PollSettings,
    pub concurrency: usize,
}

#[derive(Debug, thiserror::Error)]
#[error("{var}: {message}")]
pub struct ConfigError {
    pub var: &'static str,
    pub message: String,
}

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

impl Config {
    /// The SLA clock's calendar: US Eastern, weekends, federal holidays and `SIGNPOST_CLOSURES`.
    pub fn calendar(&self) -> app::server::services::registration::calendar::Calendar {
        app::server::services::registration::calendar::Calendar::new(Default::default(), self.closures.iter().copied())
    }

    pub fn from_env() -> Result<Self, ConfigError> {
        let addr_text = var("SIGNPOST_ADDR").or_else(|| var("LEPTOS_SITE_ADDR")).unwrap_or_else(|| DEFAULT_ADDR.into());
        let addr: SocketAddr = addr_text.parse().map_err(|e| ConfigError {
            var: "SIGNPOST_ADDR",
            message: format!("\"{addr_text}\" is not an address:port ({e})"),
        })?;
        let demo_data = flag("SIGNPOST_DEMO_DATA", true)?;
        let max_validate_bytes = match var("SIGNPOST_MAX_VALIDATE_BYTES") {
            None => 5 * 1024 * 1024,
            Some(v) => v.parse().map_err(|_| ConfigError {
                var: "SIGNPOST_MAX_VALIDATE_BYTES",
                message: format!("\"{v}\" is not a number of bytes"),
            })?,
        };
        let concurrency: usize = number("SIGNPOST_POLL_CONCURRENCY", 32, "a number")?;
        let poll = flag("SIGNPOST_POLL", true)?;
        let mut fetch = fetch_policy()?;
        fetch.max_in_flight = concurrency.max(1);
        Ok(Config {
            addr,
            database_url: var("DATABASE_URL").unwrap_or_else(|| DEFAULT_DATABASE_URL.into()),
            public_url: var("SIGNPOST_PUBLIC_URL")
                .unwrap_or_else(|| format!("http://{addr}"))
                .trim_end_matches('/')
                .to_string(),
            demo_data,
            max_validate_bytes,
            site_root: var("LEPTOS_SITE_ROOT").unwrap_or_else(|| "target/site".into()),
            fetch,
            poll: PollConfig {
                enabled: poll,
                settings: PollSettings {
                    interval_secs: duration_secs("SIGNPOST_POLL_INTERVAL", 6 * 3600)?,
                    down_after: number("SIGNPOST_POLL_DOWN_AFTER", 3, "a number of checks")?,
                    retention_days: number("SIGNPOST_POLL_RETENTION_DAYS", 90, "a number of days")?,
                    lease_secs: duration_secs("SIGNPOST_POLL_LEASE", 3600)?,
                    ..PollSettings::default()
                },
                concurrency,
            },
            mail: mail_config(),
            secret: var("SIGNPOST_SECRET").map(|s| SigningKey::from_secret(&s)),
            trusted_proxies: app::server::rate_limit::parse_trusted_proxies(
                &var("SIGNPOST_TRUSTED_PROXIES").unwrap_or_default(),
            )
            .map_err(|message| ConfigError { var: "SIGNPOST_TRUSTED_PROXIES", message })?,
            trust_after: number("SIGNPOST_TRUST_AFTER", 5, "a number of accepted proposals")?,
            closures: app::server::services::registration::calendar::parse_closures(
                &var("SIGNPOST_CLOSURES").unwrap_or_default(),
            )
            .map_err(|message| ConfigError { var: "SIGNPOST_CLOSURES", message })?,
            background_mail: flag("SIGNPOST_MAILER", true)?,
            feeds: flag("SIGNPOST_FEEDS", poll)?,
            reminders: flag("SIGNPOST_REMINDERS", poll)?,
            shutdown_grace: Duration::from_secs(duration_secs("SIGNPOST_SHUTDOWN_GRACE", 30)?.unsigned_abs()),
            rate_limit: rate_limit()?,
            validate_per_minute: validate_limit()?,
            metrics_token: var("SIGNPOST_METRICS_TOKEN").map(|t| t.trim().to_string()),
            search_index: search_index_file(
                var("SIGNPOST_SEARCH_INDEX").as_deref(),
                &var("DATABASE_URL").unwrap_or_else(|| DEFAULT_DATABASE_URL.into()),
                cache_home().as_deref(),
            ),
            search_wait: search_wait()?,
        })
    }
}

/// Where `serve` finds the built CSS, JS and wasm: `LEPTOS_SITE_ROOT` when set (it must hold
/// them), else `target/site` in the working directory, else the `site` folder beside the
/// binary's own folder (`target/release/signpost` → `target/site`), so the server works from
/// any directory. Without one, `serve` stops with the reason instead of serving bare pages.
pub fn resolve_site_root(given: Option<String>, exe: Option<std::path::PathBuf>) -> Result<String, ConfigError> {
    let built = |dir: &std::path::Path| dir.join("pkg").join("signpost.css").is_file();
    let err = |message: String| ConfigError { var: "LEPTOS_SITE_ROOT", message };
    if let Some(dir) = given {
        return if built(std::path::Path::new(&dir)) {
            Ok(dir)
        } else {
            Err(err(format!(
                "{dir} has no pkg/signpost.css: build the site first (./run, or cargo leptos build --release)"
            )))
        };
    }
    let mut tried = vec![std::path::PathBuf::from("target/site")];
    if let Some(dir) = exe.as_ref().and_then(|e| e.parent()).and_then(|d| d.parent()) {
        tried.push(dir.join("site"));
    }
    tried.iter().find(|d| built(d)).map(|d| d.display().to_string()).ok_or_else(|| {
        let list: Vec<String> = tried.iter().map(|d| d.display().to_string()).collect();
        err(format!(
            "the built site (pkg/signpost.css) is in none of {}: build it (./run, or cargo leptos build --release), or set LEPTOS_SITE_ROOT",
            list.join(", ")
        ))
    })
}

/// `SIGNPOST_SMTP_URL` when set, else `.eml` files in `SIGNPOST_MAIL_DIR` (default `outbox`).
fn mail_config() -> MailConfig {
    MailConfig {
        transport: match var("SIGNPOST_SMTP_URL") {
            Some(url) => MailTransport::Smtp(url),
            None => MailTransport::Folder(var("SIGNPOST_MAIL_DIR").unwrap_or_else(|| "outbox".into()).into()),
        },
        from: var("SIGNPOST_MAIL_FROM").unwrap_or_else(|| "Signpost <signpost@localhost>".into()),
    }
}

fn number<T: std::str::FromStr>(name: &'static str, default: T, what: &str) -> Result<T, ConfigError> {
    match var(name) {
        None => Ok(default),
        Some(v) => v.trim().parse().map_err(|_| ConfigError { var: name, message: format!("\"{v}\" is not {what}") }),
    }
}

/// The policy for fetching user-supplied URLs: `SIGNPOST_FETCH_ALLOW` (CIDRs exempted from the
/// private-address block list; empty by default), `SIGNPOST_FETCH_CA` (a PEM file of extra
/// trusted roots), `SIGNPOST_FETCH_HOST_INTERVAL_MS` (least time between two requests to one
/// host; default 1100) and `SIGNPOST_FETCH_BUNDLE_TIMEOUT` (a whole bundle's download; 5m).
pub fn fetch_policy() -> Result<FetchPolicy, ConfigError> {
    let mut policy = FetchPolicy::default()
        .with_allow_list(&var("SIGNPOST_FETCH_ALLOW").unwrap_or_default())
        .map_err(|message| ConfigError { var: "SIGNPOST_FETCH_ALLOW", message })?;
    if let Some(path) = var("SIGNPOST_FETCH_CA") {
        let pem = std::fs::read(&path)
            .map_err(|e| ConfigError { var: "SIGNPOST_FETCH_CA", message: format!("cannot read {path}: {e}") })?;
        app::server::net::client::parse_roots(&pem)
            .map_err(|message| ConfigError { var: "SIGNPOST_FETCH_CA", message })?;
        policy.extra_roots.push(pem);
    }
    policy.per_host_interval =
        Duration::from_millis(number("SIGNPOST_FETCH_HOST_INTERVAL_MS", 1100, "a number of milliseconds")?);
    let bundle_secs = duration_secs("SIGNPOST_FETCH_BUNDLE_TIMEOUT", policy.bundle_timeout.as_secs() as i64)?;
    policy.bundle_timeout = Duration::from_secs(bundle_secs.unsigned_abs());
    policy.bundle_max_bytes = number("SIGNPOST_FEED_MAX_BYTES", policy.bundle_max_bytes, "a number of bytes")?;
    Ok(policy)
}

fn validate_limit() -> Result<u32, ConfigError> {
    parse_validate_limit(var("SIGNPOST_VALIDATE_LIMIT").as_deref())
        .map_err(|message| ConfigError { var: "SIGNPOST_VALIDATE_LIMIT", message })
}

/// `SIGNPOST_VALIDATE_LIMIT`: validations a minute per client (default 20). Validating is the
/// costliest public request, so it cannot be turned off, only raised.
pub fn parse_validate_limit(text: Option<&str>) -> Result<u32, String> {
    match text.map(str::trim) {
        None | Some("") => Ok(crate::startup::VALIDATE_PER_MINUTE),
        Some(v) => match v.parse::<u32>() {
            Ok(n @ 1..=1_000_000) => Ok(n),
            _ => Err(format!("\"{v}\" is not a number of validations a minute from 1 to 1000000")),
        },
    }
}

fn rate_limit() -> Result<Option<u32>, ConfigError> {
    parse_rate_limit(var("SIGNPOST_RATE_LIMIT").as_deref())
        .map_err(|message| ConfigError { var: "SIGNPOST_RATE_LIMIT", message })
}

/// `SIGNPOST_RATE_LIMIT`: requests a minute per client address (default 600), or `off`.
pub fn parse_rate_limit(text: Option<&str>) -> Result<Option<u32>, String> {
    match text.map(str::trim) {
        None | Some("") => Ok(Some(600)),
        Some("off" | "0") => Ok(None),
        Some(v) => match v.parse::<u32>() {
            Ok(n) if n <= 1_000_000 => Ok(Some(n)),
            _ => Err(format!("\"{v}\" is not a number of requests a minute (at most 1000000) or off")),
        },
    }
}

fn flag(name: &'static str, default: bool) -> Result<bool, ConfigError> {
    match var(name).as_deref() {
        None => Ok(default),
        Some("1" | "true" | "yes" | "on") => Ok(true),
        Some("0" | "false" | "no" | "off") => Ok(false),
        Some(other) => Err(ConfigError { var: name, message: format!("\"{other}\" is not true or false") }),
    }
}

/// `90`, `90s`, `30m`, `6h` or `1d`, in seconds.
pub fn parse_duration_secs(text: &str) -> Option<i64> {
    let t = text.trim();
    let (digits, unit) = t.split_at(t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len()));
    let n: i64 = digits.parse().ok()?;
    let scale = match unit.trim() {
        "" | "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => return None,
    };
    n.checked_mul(scale).filter(|s| *s > 0)
}

fn search_wait() -> Result<Duration, ConfigError> {
    parse_search_wait(var("SIGNPOST_SEARCH_WAIT").as_deref())
        .map_err(|message| ConfigError { var: "SIGNPOST_SEARCH_WAIT", message })
}

/// `SIGNPOST_SEARCH_WAIT`: a duration (`2s`, `1m`) up to a minute, or `0` for searches that
/// never wait for a rebuild when there is an index to answer from.
pub fn parse_search_wait(text: Option<&str>) -> Result<Duration, String> {
    let secs = match text.map(str::trim) {
        None => app::server::services::search::REBUILD_WAIT.as_secs() as i64,
        Some("0" | "0s") => 0,
        Some(t) => parse_duration_secs(t).ok_or_else(|| format!("\"{t}\" is not a duration such as 2s or 1m"))?,
    };
    if secs > 60 {
        return Err(format!("{secs} s is past the 60 s a search may wait for the index"));
    }
    Ok(Duration::from_secs(secs as u64))
}

fn duration_secs(name: &'static str, default: i64) -> Result<i64, ConfigError> {
    match var(name) {
        None => Ok(default),
        Some(v) => parse_duration_secs(&v).ok_or_else(|| ConfigError {
            var: name,
            message: format!("\"{v}\" is not a duration such as 6h, 30m or 90s"),
        }),
    }
}
