//! What one check of an endpoint found: the wire form shown on the site, printed by
//! `signpost check --json` and stored by the poller.
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Health {
    Up,
    /// Answers, but fails a check (smart-configuration, certificate).
    Degraded,
    Down,
    /// Not checked yet.
    Unknown,
}

impl Health {
    pub fn as_str(self) -> &'static str {
        match self {
            Health::Up => "up",
            Health::Degraded => "degraded",
            Health::Down => "down",
            Health::Unknown => "unknown",
        }
    }

    pub fn parse(s: &str) -> Health {
        match s {
            "up" => Health::Up,
            "degraded" => Health::Degraded,
            "down" => Health::Down,
            _ => Health::Unknown,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FailureKind {
    BadUrl,
    Refused,
    Dns,
    Connect,
    Timeout,
    Tls,
    Redirects,
    TooLarge,
    Http,
    HttpStatus,
    NotJson,
    NotCapabilityStatement,
    NotSmartConfiguration,
}

/// A failure stored as data: its kind and the precise reason.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Failure {
    pub kind: FailureKind,
    pub detail: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HttpFacts {
    pub url: String,
    pub status: u16,
    pub latency_ms: u32,
    pub content_type: Option<String>,
    pub bytes: usize,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MetadataFacts {
    /// `CapabilityStatement` (STU3, R4) or `Conformance` (DSTU2).
    pub resource_type: String,
    pub fhir_version: Option<String>,
    pub software_name: Option<String>,
    pub software_version: Option<String>,
    pub implementation: Option<String>,
    pub formats: Vec<String>,
    pub authorize_url: Option<String>,
    pub token_url: Option<String>,
    pub cors_declared: Option<bool>,
    pub resource_types: Vec<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SmartFacts {
    pub capabilities: Vec<String>,
    pub authorization_endpoint: Option<String>,
    pub token_endpoint: Option<String>,
    pub scopes_supported: Option<Vec<String>>,
    pub user_access_brand_bundle: Option<String>,
    pub user_access_brand_identifier: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TlsFacts {
    pub protocol: String,
    pub cipher: String,
    pub not_after: Option<String>,
    pub days_left: Option<i64>,
    pub issuer: Option<String>,
    pub subject: Option<String>,
    pub host_matches: Option<bool>,
    pub trusted: bool,
    /// Why the chain is not trusted (expired, unknown issuer, wrong host, ...).
    pub trust_error: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    Pass,
    Fail,
    Unknown,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScoreItem {
    /// Stable key, e.g. `capability:launch-standalone` or `scope:patient/Coverage.read`.
    pub key: String,
    pub verdict: Verdict,
}

/// One step (a fetch and its parse): the HTTP facts when there was an answer, the parsed facts
/// when it parsed, the failure otherwise.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step<T> {
    pub http: Option<HttpFacts>,
    pub facts: Option<T>,
    pub failure: Option<Failure>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckReport {
    pub url: String,
    pub checked_at: String,
    pub health: Health,
    /// Why the endpoint is degraded or down, in words.
    pub problems: Vec<String>,
    pub metadata: Step<MetadataFacts>,
    pub smart: Step<SmartFacts>,
    pub tls: Option<Result<TlsFacts, Failure>>,
    /// Whether `/metadata` answered a cross-origin request with `Access-Control-Allow-Origin`.
    pub cors: Option<bool>,
    pub scorecard: Vec<ScoreItem>,
}

impl CheckReport {
    pub fn score(&self) -> (usize, usize) {
        let pass = self.scorecard.iter().filter(|i| i.verdict == Verdict::Pass).count();
        (pass, self.scorecard.len())
    }
}

/// What the public Check page gets back.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CheckOutcome {
    Report(CheckReport),
    /// Not contacted: not an http(s) URL, or an address the fetch policy refuses.
    Refused(String),
    /// Too many checks from this client; try again in this many seconds.
    RateLimited(u64),
}

/// The site's "Check an endpoint" page, running a check of `base` now.
pub fn check_href(base: &str) -> String {
    format!("/check?url={}", super::search::encode_component(base))
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_check_link_carries_the_whole_address() {
        assert_eq!(
            super::check_href("https://fhir.example.org:8443/r4/?a=1&b=2"),
            "/check?url=https%3A%2F%2Ffhir.example.org%3A8443%2Fr4%2F%3Fa%3D1%26b%3D2"
        );
    }
}
