//! The fetch policy: what a fetch of a user-supplied URL may reach, and how long it may take.
use super::address::{Blocked, parse_allow_list, permit};
use super::error::FetchError;
use ipnet::IpNet;
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;
use url::{Host, Url};

#[derive(Clone, Debug)]
pub struct FetchPolicy {
    /// Blocked ranges exempted by the operator (`SIGNPOST_FETCH_ALLOW`).
    pub allow: Vec<IpNet>,
    /// Names answered without DNS (tests and benchmarks give fake hosts loopback addresses);
    /// the addresses are still checked like any other.
    pub hosts: Arc<HashMap<String, Vec<IpAddr>>>,
    pub connect_timeout: Duration,
    /// For one check's requests (`/metadata`, smart-configuration).
    pub total_timeout: Duration,
    /// For a whole brands bundle: Epic's is about 90 MB, which 30 s would only allow at 3 MB/s.
    pub bundle_timeout: Duration,
    /// Largest brands bundle downloaded (`SIGNPOST_FEED_MAX_BYTES`; Epic's is about 90 MB).
    pub bundle_max_bytes: usize,
    pub max_redirects: usize,
    /// Extra trusted roots (PEM or DER), e.g. a test CA or a corporate CA.
    pub extra_roots: Vec<Vec<u8>>,
    /// Minimum time between two requests to one host.
    pub per_host_interval: Duration,
    /// Requests in flight at once, over all hosts.
    pub max_in_flight: usize,
    /// Retries on 429 and 503.
    pub retries: u32,
    pub retry_base: Duration,
    pub retry_cap: Duration,
    pub user_agent: String,
}

impl Default for FetchPolicy {
    fn default() -> Self {
        FetchPolicy {
            allow: Vec::new(),
            hosts: Arc::default(),
            connect_timeout: Duration::from_secs(10),
            total_timeout: Duration::from_secs(30),
            bundle_timeout: Duration::from_secs(300),
            bundle_max_bytes: 128 * 1024 * 1024,
            max_redirects: 3,
            extra_roots: Vec::new(),
            // A little over a second, so network jitter never lands two requests in one second at
            // the server.
            per_host_interval: Duration::from_millis(1100),
            max_in_flight: 32,
            retries: 2,
            retry_base: Duration::from_millis(500),
            retry_cap: Duration::from_secs(30),
            user_agent: concat!("Signpost/", env!("CARGO_PKG_VERSION"), " (+https://github.com/signpost-fhir)").into(),
        }
    }
}

impl FetchPolicy {
    pub fn with_allow_list(mut self, text: &str) -> Result<Self, String> {
        self.allow = parse_allow_list(text)?;
        Ok(self)
    }

    pub fn check_ip(&self, ip: IpAddr) -> Result<(), Blocked> {
        permit(ip, &self.allow)
    }

    /// Scheme and literal-address checks that need no lookup.
    pub fn check_url(&self, url: &Url) -> Result<(), FetchError> {
        if !matches!(url.scheme(), "http" | "https") {
            return Err(FetchError::BadUrl(format!("only http and https URLs can be checked, not {}:", url.scheme())));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(FetchError::BadUrl("URLs with a user name or password are not fetched".into()));
        }
        let ip = match url.host() {
            None => return Err(FetchError::BadUrl("the URL has no host".into())),
            Some(Host::Ipv4(v4)) => IpAddr::V4(v4),
            Some(Host::Ipv6(v6)) => IpAddr::V6(v6),
            Some(Host::Domain(_)) => return Ok(()),
        };
        self.check_ip(ip).map_err(|why| FetchError::Refused { address: ip, why })
    }

    /// Looks the host up once and keeps only permitted addresses; callers connect to exactly
    /// these (never a second lookup that could answer differently).
    pub async fn resolve(&self, host: &str, port: u16) -> Result<Vec<SocketAddr>, FetchError> {
        let host = host.trim_start_matches('[').trim_end_matches(']');
        let found: Vec<IpAddr> = if let Ok(ip) = host.parse::<IpAddr>() {
            vec![ip]
        } else if let Some(ips) = self.hosts.get(&host.to_ascii_lowercase()) {
            ips.clone()
        } else {
            // The system resolver has no deadline of its own; a lookup gets the connect timeout.
            tokio::time::timeout(self.connect_timeout, tokio::net::lookup_host((host, port)))
                .await
                .map_err(|_| {
                    FetchError::Dns(format!("{host}: no answer within {} s", self.connect_timeout.as_secs_f32()))
                })?
                .map_err(|e| FetchError::Dns(format!("{host}: {e}")))?
                .map(|a| a.ip())
                .collect()
        };
        if found.is_empty() {
            return Err(FetchError::Dns(format!("{host}: no addresses")));
        }
        let mut first_refusal = None;
        let permitted: Vec<SocketAddr> = found
            .into_iter()
            .filter(|ip| match self.check_ip(*ip) {
                Ok(()) => true,
                Err(why) => {
                    first_refusal.get_or_insert((*ip, why));
                    false
                }
            })
            .map(|ip| SocketAddr::new(ip, port))
            .collect();
        match (permitted.is_empty(), first_refusal) {
            (true, Some((address, why))) => Err(FetchError::Refused { address, why }),
            _ => Ok(permitted),
        }
    }
}

/// reqwest's resolver hook, so every connection reqwest makes (redirects included) goes through
/// `FetchPolicy::resolve`.
pub struct PolicyResolver(pub FetchPolicy);

impl reqwest::dns::Resolve for PolicyResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let policy = self.0.clone();
        let host = name.as_str().to_string();
        Box::pin(async move {
            let addrs =
                policy.resolve(&host, 0).await.map_err(|e| Box::new(e) as Box<dyn std::error::Error + Send + Sync>)?;
            Ok(Box::new(addrs.into_iter()) as reqwest::dns::Addrs)
        })
    }
}
