//! Cross-site request refusal: a request that could change something (any method but GET,
//! HEAD and OPTIONS) is refused with 403 when the browser says it comes from another site,
//! by `Sec-Fetch-Site`, or failing that by `Origin`. Requests with neither header (curl, mail
//! programs) carry no ambient browser cookies to abuse and pass. Forms need no token, so they
//! keep working without JavaScript.
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// The site's own origin (`scheme://host[:port]` of `SIGNPOST_PUBLIC_URL`).
#[derive(Clone, Debug)]
pub struct SiteOrigin(pub String);

impl SiteOrigin {
    pub fn of(public_url: &str) -> Self {
        let origin = url::Url::parse(public_url).map(|u| u.origin().ascii_serialization()).unwrap_or_default();
        SiteOrigin(origin)
    }
}

/// Paths that other sites are meant to POST to: the one-click unsubscribe of RFC 8058 (mail
/// programs post it; its token is the authority) and the stateless validation API.
const CROSS_SITE_PATHS: [&str; 2] = ["/alerts/unsubscribe/one-click", "/api/v1/validate"];

pub async fn refuse_cross_site(State(site): State<SiteOrigin>, request: Request, next: Next) -> Response {
    let safe = matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if safe || CROSS_SITE_PATHS.contains(&request.uri().path()) || same_site(request.headers(), &site) {
        return next.run(request).await;
    }
    tracing::info!(path = %request.uri().path(), "cross-site request refused");
    (StatusCode::FORBIDDEN, axum::Json(serde_json::json!({ "error": "not allowed: cross-site request refused" })))
        .into_response()
}

/// Whether the browser's headers allow a state change: `Sec-Fetch-Site` of `same-origin` or
/// `none` (typed in the address bar), else an `Origin` that is the site's own or the request's
/// own host, else no such header at all.
pub fn same_site(headers: &HeaderMap, site: &SiteOrigin) -> bool {
    if let Some(fetch_site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        return matches!(fetch_site, "same-origin" | "none");
    }
    let Some(origin) = headers.get(header::ORIGIN) else { return true };
    let Ok(origin) = origin.to_str() else { return false };
    if origin == site.0 {
        return true;
    }
    // The site reached at another name (a local address, a second host name): the same scheme
    // as the public address, on the host the request was sent to.
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or("");
    let scheme = site.0.split_once("://").map(|(s, _)| s).unwrap_or("https");
    !host.is_empty() && origin.eq_ignore_ascii_case(&format!("{scheme}://{host}"))
}
