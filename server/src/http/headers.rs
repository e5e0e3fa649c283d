//! Security headers on every response: the Content-Security-Policy (with a fresh nonce that the
//! page shell puts on its scripts), no framing, no sniffing, a strict referrer, and HSTS when
//! the site is public over https.
use app::server::csp::{CspNonce, policy};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

/// Whether to send `Strict-Transport-Security` (the public address is https).
#[derive(Clone, Copy)]
pub struct Hsts(pub bool);

pub async fn security_headers(State(hsts): State<Hsts>, mut request: Request, next: Next) -> Response {
    let nonce = CspNonce::generate();
    request.extensions_mut().insert(nonce.clone());
    let mut response = next.run(request).await;
    let not_modified = response.status() == axum::http::StatusCode::NOT_MODIFIED;
    let h = response.headers_mut();
    // A handler that sets its own (the raw documents' sandbox) keeps it. A 304 sends none: the
    // browser keeps the stored page's policy, whose nonce matches that page's scripts.
    if !h.contains_key(header::CONTENT_SECURITY_POLICY) && !not_modified {
        if let Ok(v) = HeaderValue::from_str(&policy(&nonce.0)) {
            h.insert(header::CONTENT_SECURITY_POLICY, v);
        }
    }
    h.entry(header::X_CONTENT_TYPE_OPTIONS).or_insert(HeaderValue::from_static("nosniff"));
    h.entry(header::REFERRER_POLICY).or_insert(HeaderValue::from_static("strict-origin-when-cross-origin"));
    h.entry(header::X_FRAME_OPTIONS).or_insert(HeaderValue::from_static("DENY"));
    if hsts.0 {
        h.insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static("max-age=31536000; includeSubDomains"));
    }
    response
}
