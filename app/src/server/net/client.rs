//! The SSRF-safe HTTP client for every fetch of a user-supplied URL: http(s) only, addresses
//! checked after one lookup (and connected to as checked), each redirect hop re-checked, at most
//! `max_redirects`, timeouts, a body cap, retries on 429/503 honouring `Retry-After`, and no more
//! than one request per host per `per_host_interval`.
use super::error::FetchError;
use super::host_gate::HostGate;
use super::policy::{FetchPolicy, PolicyResolver};
use bytes::{Bytes, BytesMut};
use futures::StreamExt;
use reqwest::header::{HeaderMap, HeaderValue, RETRY_AFTER};
use std::sync::Arc;
use std::time::{Duration, Instant};
use url::Url;

#[derive(Clone)]
pub struct SafeClient {
    http: reqwest::Client,
    /// Shared: the client is cloned with the app's state for every request.
    policy: Arc<FetchPolicy>,
    gate: Arc<HostGate>,
}

#[derive(Debug)]
pub struct Fetched {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Bytes,
    /// Where the answer came from, after redirects.
    pub url: Url,
    pub elapsed: Duration,
    pub attempts: u32,
}

impl Fetched {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

pub fn parse_roots(pem_or_der: &[u8]) -> Result<Vec<reqwest::Certificate>, String> {
    if pem_or_der.starts_with(b"-----") {
        reqwest::Certificate::from_pem_bundle(pem_or_der).map_err(|e| format!("not a PEM certificate bundle: {e}"))
    } else {
        reqwest::Certificate::from_der(pem_or_der).map(|c| vec![c]).map_err(|e| format!("not a DER certificate: {e}"))
    }
}

impl SafeClient {
    pub fn new(policy: FetchPolicy) -> Result<Self, String> {
        let redirect_policy = {
            let policy = policy.clone();
            reqwest::redirect::Policy::custom(move |attempt| {
                if attempt.previous().len() > policy.max_redirects {
                    return attempt.error(FetchError::TooManyRedirects(policy.max_redirects));
                }
                match policy.check_url(attempt.url()) {
                    Ok(()) => attempt.follow(),
                    Err(e) => attempt.error(e),
                }
            })
        };
        let mut builder = reqwest::Client::builder()
            .use_rustls_tls()
            .no_proxy()
            .dns_resolver(Arc::new(PolicyResolver(policy.clone())))
            .redirect(redirect_policy)
            .connect_timeout(policy.connect_timeout)
            .timeout(policy.total_timeout)
            .user_agent(policy.user_agent.clone())
            .pool_max_idle_per_host(1);
        for root in &policy.extra_roots {
            for cert in parse_roots(root)? {
                builder = builder.add_root_certificate(cert);
            }
        }
        let http = builder.build().map_err(|e| format!("HTTP client: {e}"))?;
        let gate = Arc::new(HostGate::new(policy.per_host_interval, policy.max_in_flight));
        Ok(SafeClient { http, policy: Arc::new(policy), gate })
    }

    pub fn policy(&self) -> &FetchPolicy {
        &self.policy
    }

    /// A request slot for connections outside `get` (the TLS inspection handshake).
    pub async fn slot(&self) -> super::host_gate::Turn {
        self.gate.slot().await
    }

    /// GET `url`, reading at most `max_bytes` of body within the policy's total timeout.
    /// Non-2xx answers are `Ok` (the status is data); only failures to get an answer at all are
    /// errors.
    pub async fn get(&self, url: &Url, headers: HeaderMap, max_bytes: usize) -> Result<Fetched, FetchError> {
        self.get_within(url, headers, max_bytes, self.policy.total_timeout).await
    }

    /// `get` with its own time limit, retries and their waits included.
    pub async fn get_within(
        &self,
        url: &Url,
        headers: HeaderMap,
        max_bytes: usize,
        total: Duration,
    ) -> Result<Fetched, FetchError> {
        self.policy.check_url(url)?;
        let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
        // The clock starts with the first request, not while waiting for the host's turn.
        let mut first_sent: Option<Instant> = None;
        let mut attempt = 0;
        loop {
            let turn = self.gate.turn(&host).await;
            let started = *first_sent.get_or_insert_with(Instant::now);
            // Retries and their waits come out of the same total, never on top of it.
            let left = total.saturating_sub(started.elapsed());
            if left.is_zero() {
                return Err(FetchError::Timeout(format!("waiting for the answer (after {} s)", total.as_secs_f32())));
            }
            let request = self.http.get(url.clone()).headers(headers.clone()).timeout(left);
            let response = request.send().await.map_err(|e| self.map_err(&e, total))?;
            let status = response.status().as_u16();
            if matches!(status, 429 | 503) && attempt < self.policy.retries {
                let wait = retry_delay(response.headers().get(RETRY_AFTER), attempt, &self.policy);
                if started.elapsed() + wait < total {
                    attempt += 1;
                    drop(response);
                    drop(turn);
                    tokio::time::sleep(wait).await;
                    continue;
                }
            }
            let final_url = response.url().clone();
            let response_headers = response.headers().clone();
            let body = read_capped(response, max_bytes, |e| self.map_err(e, total)).await?;
            drop(turn);
            return Ok(Fetched {
                status,
                headers: response_headers,
                body,
                url: final_url,
                elapsed: started.elapsed(),
                attempts: attempt + 1,
            });
        }
    }

    fn map_err(&self, e: &reqwest::Error, total: Duration) -> FetchError {
        FetchError::from_reqwest(e, (self.policy.connect_timeout, total))
    }
}

async fn read_capped(
    response: reqwest::Response,
    max_bytes: usize,
    map_err: impl Fn(&reqwest::Error) -> FetchError,
) -> Result<Bytes, FetchError> {
    if response.content_length().is_some_and(|n| n > max_bytes as u64) {
        return Err(FetchError::BodyTooLarge { limit: max_bytes });
    }
    let mut body = BytesMut::new();
    let mut stream = response.bytes_stream();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| map_err(&e))?;
        if body.len() + chunk.len() > max_bytes {
            return Err(FetchError::BodyTooLarge { limit: max_bytes });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

/// `Retry-After` in seconds (an HTTP date counts as the base delay), else full-jitter
/// exponential backoff: a random wait between 0 and base·2^attempt, capped.
fn retry_delay(retry_after: Option<&HeaderValue>, attempt: u32, policy: &FetchPolicy) -> Duration {
    if let Some(secs) = retry_after.and_then(|v| v.to_str().ok()).and_then(|v| v.trim().parse::<u64>().ok()) {
        return Duration::from_secs(secs).min(policy.retry_cap);
    }
    let ceiling = policy.retry_base.saturating_mul(1 << attempt.min(16)).min(policy.retry_cap);
    ceiling.mul_f64(rand::random::<f64>())
}

pub fn accept(value: &'static str) -> HeaderMap {
    let mut h = HeaderMap::new();
    h.insert(reqwest::header::ACCEPT, HeaderValue::from_static(value));
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_wins_and_backoff_stays_under_its_ceiling() {
        let p = FetchPolicy::default();
        assert_eq!(retry_delay(Some(&HeaderValue::from_static("2")), 0, &p), Duration::from_secs(2));
        assert_eq!(retry_delay(Some(&HeaderValue::from_static("9999")), 0, &p), p.retry_cap);
        for attempt in 0..6 {
            let d = retry_delay(None, attempt, &p);
            assert!(d <= p.retry_base * (1 << attempt), "{d:?} at {attempt}");
        }
    }
}
