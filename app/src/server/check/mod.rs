//! One check of one endpoint: `/metadata`, `/.well-known/smart-configuration`, TLS, CORS and the
//! CARIN scorecard, combined into a `CheckReport`. Failures are data in the report; only a URL
//! the policy refuses (never contacted) is an `Err`.
pub mod metadata;
pub mod scorecard;
pub mod smart;

use crate::server::net::client::{Fetched, SafeClient, accept};
use crate::server::net::error::FetchError;
use crate::server::net::tls_probe;
use crate::types::check::{CheckReport, Failure, FailureKind, Health, HttpFacts, SmartFacts, Step, TlsFacts};
use reqwest::header::{HeaderValue, ORIGIN};
use serde_json::Value;
use url::Url;

pub const METADATA_MAX_BYTES: usize = 5 * 1024 * 1024;
pub const SMART_MAX_BYTES: usize = 1024 * 1024;
/// A certificate closer than this to expiry makes the endpoint degraded.
pub const CERT_WARN_DAYS: i64 = 7;

#[derive(Clone, Debug)]
pub struct CheckOptions {
    /// The `Origin` sent with `/metadata`, to see whether the server answers with CORS headers.
    pub origin: String,
}

impl Default for CheckOptions {
    fn default() -> Self {
        CheckOptions { origin: "https://signpost.example".into() }
    }
}

/// Parses a base URL the way a check needs it: http(s), no query or fragment, no trailing slash.
pub fn parse_base(text: &str) -> Result<Url, FetchError> {
    let mut url =
        Url::parse(text.trim()).map_err(|e| FetchError::BadUrl(format!("\"{}\" is not a URL ({e})", text.trim())))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(FetchError::BadUrl(format!("only http and https URLs can be checked, not {}:", url.scheme())));
    }
    url.set_query(None);
    url.set_fragment(None);
    let path = url.path().trim_end_matches('/').to_string();
    url.set_path(&path);
    Ok(url)
}

fn join(base: &Url, tail: &str) -> Url {
    let mut url = base.clone();
    let path = format!("{}/{}", base.path().trim_end_matches('/'), tail);
    url.set_path(&path);
    url
}

fn http_facts(f: &Fetched) -> HttpFacts {
    HttpFacts {
        url: f.url.to_string(),
        status: f.status,
        latency_ms: f.elapsed.as_millis().min(u32::MAX as u128) as u32,
        content_type: f.header("content-type").map(str::to_string),
        bytes: f.body.len(),
    }
}

/// Fetches JSON and reads it with `read`; every way this can fail becomes a `Failure`.
fn json_step<T>(
    fetched: Result<Fetched, FetchError>,
    not_this: FailureKind,
    read: impl Fn(&Value) -> Result<T, String>,
) -> (Step<T>, Option<Fetched>) {
    let fetched = match fetched {
        Ok(f) => f,
        Err(e) => return (Step { http: None, facts: None, failure: Some(e.to_failure()) }, None),
    };
    let http = Some(http_facts(&fetched));
    let fail = |kind, detail: String| Step { http: http.clone(), facts: None, failure: Some(Failure { kind, detail }) };
    let step = if !(200..300).contains(&fetched.status) {
        fail(FailureKind::HttpStatus, format!("HTTP {}", fetched.status))
    } else {
        match serde_json::from_slice::<Value>(&fetched.body) {
            Err(e) => fail(FailureKind::NotJson, format!("not JSON ({e})")),
            Ok(doc) => match read(&doc) {
                Ok(facts) => Step { http: http.clone(), facts: Some(facts), failure: None },
                Err(why) => fail(not_this, why),
            },
        }
    };
    (step, Some(fetched))
}

/// A report and the documents as fetched (kept so the site can link to them).
#[derive(Clone, Debug)]
pub struct Checked {
    pub report: CheckReport,
    pub raw_metadata: Option<String>,
    pub raw_smart: Option<String>,
}

fn raw_json<T>(step: &Step<T>, fetched: Option<Fetched>) -> Option<String> {
    step.facts.as_ref()?;
    fetched.and_then(|f| String::from_utf8(f.body.to_vec()).ok())
}

pub async fn check_endpoint(
    client: &SafeClient,
    base: &Url,
    options: &CheckOptions,
) -> Result<CheckReport, FetchError> {
    check_endpoint_raw(client, base, options).await.map(|c| c.report)
}

pub async fn check_endpoint_raw(
    client: &SafeClient,
    base: &Url,
    options: &CheckOptions,
) -> Result<Checked, FetchError> {
    client.policy().check_url(base)?;
    let host = base.host_str().unwrap_or_default().to_string();
    let port = base.port_or_known_default().unwrap_or(443);
    // Refusals by address come before any packet is sent, so `check` can exit 2 for them.
    if let Err(e @ FetchError::Refused { .. }) = client.policy().resolve(&host, port).await {
        return Err(e);
    }
    let checked_at = chrono::Utc::now().to_rfc3339();

    let mut meta_headers = accept("application/fhir+json, application/json+fhir;q=0.9, application/json;q=0.8");
    if let Ok(origin) = HeaderValue::from_str(&options.origin) {
        meta_headers.insert(ORIGIN, origin);
    }
    let meta_fetch = client.get(&join(base, "metadata"), meta_headers, METADATA_MAX_BYTES).await;
    let (metadata, meta_raw) = json_step(meta_fetch, FailureKind::NotCapabilityStatement, metadata::read_metadata);
    let cors = meta_raw.as_ref().map(|f| f.headers.contains_key("access-control-allow-origin"));

    let smart_fetch =
        client.get(&join(base, ".well-known/smart-configuration"), accept("application/json"), SMART_MAX_BYTES).await;
    let (smart, smart_raw) = json_step(smart_fetch, FailureKind::NotSmartConfiguration, smart::read_smart);

    let tls = if base.scheme() == "https" {
        // The inspection handshake is not an HTTP request, but it is a connection: it waits
        // for a request slot (not for the host's turn).
        let _slot = client.slot().await;
        Some(tls_probe::probe(client.policy(), &host, port).await.map_err(|e| e.to_failure()))
    } else {
        None
    };
    // A 404 is an answer: the capabilities are not published, so they fail rather than being unknown.
    let unpublished = SmartFacts::default();
    let smart_known =
        smart.facts.as_ref().or_else(|| smart.http.as_ref().filter(|h| h.status == 404).map(|_| &unpublished));
    let scorecard = scorecard::scorecard(smart_known, metadata.facts.as_ref());
    let (health, problems) = judge(&metadata, &smart, tls.as_ref(), base.scheme() == "https");
    let raw_metadata = raw_json(&metadata, meta_raw);
    let raw_smart = raw_json(&smart, smart_raw);
    let report =
        CheckReport { url: base.to_string(), checked_at, health, problems, metadata, smart, tls, cors, scorecard };
    Ok(Checked { report, raw_metadata, raw_smart })
}

/// The report for a URL the policy refused: nothing was contacted, and the endpoint is down.
pub fn refused_report(url: &str, error: &FetchError) -> Checked {
    let failure = Some(error.to_failure());
    let report = CheckReport {
        url: url.to_string(),
        checked_at: chrono::Utc::now().to_rfc3339(),
        health: Health::Down,
        problems: vec![error.to_string()],
        metadata: Step { http: None, facts: None, failure: failure.clone() },
        smart: Step { http: None, facts: None, failure },
        tls: None,
        cors: None,
        scorecard: scorecard::scorecard(None, None),
    };
    Checked { report, raw_metadata: None, raw_smart: None }
}

/// Down when `/metadata` gives no CapabilityStatement; degraded when it does but the
/// smart-configuration or the certificate fails; up otherwise.
pub fn judge<M, S>(
    metadata: &Step<M>,
    smart: &Step<S>,
    tls: Option<&Result<TlsFacts, Failure>>,
    https: bool,
) -> (Health, Vec<String>) {
    if let Some(f) = &metadata.failure {
        return (Health::Down, vec![format!("/metadata: {}", f.detail)]);
    }
    let mut problems = Vec::new();
    if !https {
        problems.push("not served over https".to_string());
    }
    if let Some(f) = &smart.failure {
        problems.push(format!("smart-configuration: {}", f.detail));
    }
    match tls {
        Some(Ok(t)) => {
            if let Some(why) = &t.trust_error {
                problems.push(format!("certificate: {why}"));
            } else if let Some(days) = t.days_left.filter(|d| *d < CERT_WARN_DAYS) {
                problems.push(format!("certificate expires in {days} days"));
            }
        }
        Some(Err(f)) => problems.push(format!("TLS inspection: {}", f.detail)),
        None => {}
    }
    let health = if problems.is_empty() { Health::Up } else { Health::Degraded };
    (health, problems)
}
