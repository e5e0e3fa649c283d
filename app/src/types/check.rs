//! What one check of an endpoint found: the wire form shown on the site, printed by
//! `signpost check --json` and stored by the poller.
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
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
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
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
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Failure {
    pub kind: FailureKind,
    pub detail: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct HttpFacts {
    pub url: String,
    pub status: u16,
    pub latency_ms: u32,
    pub content_type: Option<String>,
    pub bytes: usize,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
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
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SmartFacts {
    pub capabilities: Vec<String>,
    pub authorization_endpoint: Option<String>,
    pub token_endpoint: Option<String>,
    pub scopes_supported: Option<Vec<String>>,
    pub user_access_brand_bundle: Option<String>,
    pub user_access_brand_identifier: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
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
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    Pass,
    Fail,
    Unknown,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ScoreItem {
    /// Stable key, e.g. `capability:launch-standalone` or `scope:patient/Coverage.read`.
    pub key: String,
    pub verdict: Verdict,
}

/// One step (a fetch and its parse): the HTTP facts when there was an answer, the parsed facts
/// when it parsed, the failure otherwise.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Step<T> {
    pub http: Option<HttpFacts>,
    pub facts: Option<T>,
    pub failure: Option<Failure>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CheckReport {
    pub url: String,
    pub checked_at: String,
    pub health: Health,
    /// Why the endpoint is degraded or down, in words.
    pub problems: Vec<String>,
    pub metadata: Step<MetadataFacts>,
    pub smart: Step<SmartFacts>,
    /// In JSON: `null` (not https), the facts, or `{"failure": {"kind", "detail"}}`.
    #[serde(with = "tls_json")]
    #[cfg_attr(feature = "ssr", schema(value_type = Option<TlsOutcome>))]
    pub tls: Option<Result<TlsFacts, Failure>>,
    /// Whether `/metadata` answered a cross-origin request with `Access-Control-Allow-Origin`.
    pub cors: Option<bool>,
    pub scorecard: Vec<ScoreItem>,
}

/// The OpenAPI description of `CheckReport::tls` when it is not `null` (the shape `tls_json`
/// writes).
#[cfg(feature = "ssr")]
#[derive(Serialize, utoipa::ToSchema)]
#[serde(untagged)]
#[allow(dead_code)]
enum TlsOutcome {
    Facts(TlsFacts),
    Failed { failure: Failure },
}

/// The JSON shape of `CheckReport::tls`: the facts themselves, or `{"failure": ...}` (reports
/// stored before this shape, `{"Ok": ...}` / `{"Err": ...}`, still read).
mod tls_json {
    use super::{Failure, TlsFacts};
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    #[derive(Serialize, Deserialize)]
    #[serde(untagged)]
    enum Wire {
        Failed {
            failure: Failure,
        },
        Old {
            #[serde(rename = "Ok")]
            ok: TlsFacts,
        },
        OldFailed {
            #[serde(rename = "Err")]
            err: Failure,
        },
        Facts(TlsFacts),
    }

    pub fn serialize<S: Serializer>(v: &Option<Result<TlsFacts, Failure>>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            None => s.serialize_none(),
            Some(Ok(f)) => Wire::Facts(f.clone()).serialize(s),
            Some(Err(e)) => Wire::Failed { failure: e.clone() }.serialize(s),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Result<TlsFacts, Failure>>, D::Error> {
        Ok(Option::<Wire>::deserialize(d)?.map(|w| match w {
            Wire::Facts(f) | Wire::Old { ok: f } => Ok(f),
            Wire::Failed { failure: e } | Wire::OldFailed { err: e } => Err(e),
        }))
    }
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
    use super::*;

    #[test]
    fn tls_has_a_documented_json_shape_and_old_reports_still_read() {
        #[derive(Serialize, Deserialize, PartialEq, Debug)]
        struct W {
            #[serde(with = "super::tls_json")]
            tls: Option<Result<TlsFacts, Failure>>,
        }
        let facts = TlsFacts {
            protocol: "TLSv1.3".into(),
            cipher: "TLS13_AES_128_GCM_SHA256".into(),
            not_after: None,
            days_left: Some(40),
            issuer: None,
            subject: None,
            host_matches: Some(true),
            trusted: true,
            trust_error: None,
        };
        let failure = Failure { kind: FailureKind::Tls, detail: "handshake failed".into() };
        let ok = serde_json::to_value(W { tls: Some(Ok(facts.clone())) }).unwrap();
        assert_eq!(ok["tls"]["protocol"], "TLSv1.3");
        let err = serde_json::to_value(W { tls: Some(Err(failure.clone())) }).unwrap();
        assert_eq!(err["tls"]["failure"]["detail"], "handshake failed");
        for v in [&ok, &err] {
            let text = v.to_string();
            assert!(!text.contains("\"Ok\"") && !text.contains("\"Err\""), "{text}");
            assert!(serde_json::from_value::<W>(v.clone()).is_ok());
        }
        let old: W = serde_json::from_value(serde_json::json!({"tls": {"Err": failure}})).unwrap();
        assert_eq!(old.tls, Some(Err(failure)));
        let old: W = serde_json::from_value(serde_json::json!({"tls": {"Ok": facts}})).unwrap();
        assert!(matches!(old.tls, Some(Ok(_))));
        assert_eq!(serde_json::from_value::<W>(serde_json::json!({"tls": null})).unwrap().tls, None);
    }

    #[test]
    fn the_check_link_carries_the_whole_address() {
        assert_eq!(
            super::check_href("https://fhir.example.org:8443/r4/?a=1&b=2"),
            "/check?url=https%3A%2F%2Ffhir.example.org%3A8443%2Fr4%2F%3Fa%3D1%26b%3D2"
        );
    }
}
