//! The limit on every public route, per client (see `app::server::public_limit`). Each answer
//! says what is left (`RateLimit-Limit`, `RateLimit-Remaining`, `RateLimit-Reset`,
//! `RateLimit-Policy`), so a client sees the limit coming; past it, `429` with `Retry-After`.
//! The health check, the metrics and the built assets are not limited: monitors and every
//! page's own scripts and styles must not use up a visitor's allowance.
use app::server::public_limit::Allowance;
use app::server::rate_limit::client_of;
use app::server::state::AppState;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

fn exempt(path: &str) -> bool {
    path == "/healthz" || path == "/metrics" || path == "/favicon.ico" || path.starts_with("/pkg/")
}

pub async fn limit_public(State(state): State<std::sync::Arc<AppState>>, request: Request, next: Next) -> Response {
    let Some(limiter) = state.public_limiter.as_ref() else { return next.run(request).await };
    if exempt(request.uri().path()) {
        return next.run(request).await;
    }
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
        .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
    let client = client_of(peer, request.headers(), &state.settings.trusted_proxies);
    match limiter.check(client) {
        Allowance::Allowed { limit, remaining, reset_secs } => {
            let mut response = next.run(request).await;
            set(response.headers_mut(), limit, remaining, reset_secs);
            response
        }
        Allowance::Refused { limit, retry_after_secs } => {
            let text = format!(
                "Too many requests from your address: at most {limit} a minute. Try again in {retry_after_secs} s.\n"
            );
            let mut response = (StatusCode::TOO_MANY_REQUESTS, text).into_response();
            let h = response.headers_mut();
            set(h, limit, 0, retry_after_secs);
            h.insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
            response
        }
    }
}

fn set(h: &mut HeaderMap, limit: u32, remaining: u32, reset_secs: u64) {
    h.insert("ratelimit-limit", HeaderValue::from(limit));
    h.insert("ratelimit-remaining", HeaderValue::from(remaining));
    h.insert("ratelimit-reset", HeaderValue::from(reset_secs));
    if let Ok(v) = HeaderValue::from_str(&format!("{limit};w=60")) {
        h.insert("ratelimit-policy", v);
    }
    // Scripts on other sites that read the open API may read these too.
    if h.contains_key(header::ACCESS_CONTROL_ALLOW_ORIGIN) {
        h.append(
            header::ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static(
                "RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset, RateLimit-Policy, Retry-After",
            ),
        );
    }
}
