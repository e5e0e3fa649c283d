//! The search page for visitors who are not signed in, kept rendered for a few seconds: it is a
//! function of its address and the directory (the index version in memory, so a hit asks the
//! database nothing), and the poller's statuses in it are up to 15 seconds old anyway. A hit is
//! the stored page with this response's CSP nonce put in place of the one it was rendered with,
//! so every response still has its own nonce. Each page carries a weak `ETag` (of the page
//! without its nonce) and `Cache-Control: no-cache`, so a browser revalidates and gets `304`.
//! A signed-in visitor's page (it names them) is never kept.
use app::server::csp::CspNonce;
use app::server::services::search::SearchState;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

/// How long a rendered page is served again.
pub const PAGE_TTL: Duration = Duration::from_secs(5);
/// Pages kept at most; past it the store starts again empty (addresses are the visitor's to
/// choose, so their number is bounded here, not by them).
const MAX_PAGES: usize = 2_000;
/// The largest page kept, and the most all kept pages may hold together (a visitor choosing
/// addresses that each render a large page cannot make the store grow past it).
const MAX_PAGE_BYTES: usize = 1024 * 1024;
const MAX_TOTAL_BYTES: usize = 64 * 1024 * 1024;

struct Page {
    /// The page cut at each occurrence of the nonce it was rendered with.
    parts: Vec<Bytes>,
    etag: HeaderValue,
    version: i64,
    stored: Instant,
}

#[derive(Clone, Default)]
pub struct PageCache(Arc<RwLock<HashMap<String, Arc<Page>>>>);

#[derive(Clone)]
pub struct CacheState {
    pub cache: PageCache,
    /// Only the index's version is read (not the whole app state, cloned for every request).
    pub search: SearchState,
}

fn cacheable(request: &Request) -> bool {
    let signed_in =
        request.headers().get_all(header::COOKIE).iter().any(|v| v.to_str().map_or(true, |c| c.contains("session=")));
    request.method() == Method::GET && request.uri().path() == "/" && !signed_in
}

fn etag_of(parts: &[Bytes]) -> HeaderValue {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p);
        h.update(b"\0");
    }
    let hex = hex::encode(&h.finalize()[..12]);
    HeaderValue::from_str(&format!("W/\"p-{hex}\"")).unwrap_or(HeaderValue::from_static("W/\"p\""))
}

fn split(body: &[u8], nonce: &str) -> Vec<Bytes> {
    let needle = nonce.as_bytes();
    let mut parts = Vec::new();
    let mut rest = body;
    while let Some(at) = rest.windows(needle.len()).position(|w| w == needle) {
        parts.push(Bytes::copy_from_slice(&rest[..at]));
        rest = &rest[at + needle.len()..];
    }
    parts.push(Bytes::copy_from_slice(rest));
    parts
}

fn answer(page: &Page, nonce: &str, request_etag: Option<&HeaderValue>) -> Response {
    let mut response = if request_etag.is_some_and(|e| e.as_bytes() == page.etag.as_bytes()) {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        let mut body = Vec::with_capacity(page.parts.iter().map(Bytes::len).sum::<usize>() + 64);
        for (k, p) in page.parts.iter().enumerate() {
            if k > 0 {
                body.extend_from_slice(nonce.as_bytes());
            }
            body.extend_from_slice(p);
        }
        let mut r = Response::new(Body::from(body));
        r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
        r
    };
    let h = response.headers_mut();
    h.insert(header::ETAG, page.etag.clone());
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    h.insert(header::VARY, HeaderValue::from_static("Cookie"));
    response
}

pub async fn cache_pages(State(s): State<CacheState>, request: Request, next: Next) -> Response {
    if !cacheable(&request) {
        return next.run(request).await;
    }
    let Some(nonce) = request.extensions().get::<CspNonce>().cloned() else { return next.run(request).await };
    let key = request.uri().to_string();
    let version = s.search.version_in_memory();
    let if_none_match = request.headers().get(header::IF_NONE_MATCH).cloned();
    let hit = s.cache.0.read().unwrap_or_else(|e| e.into_inner()).get(&key).cloned();
    if let Some(page) = hit.filter(|p| p.version == version && p.stored.elapsed() < PAGE_TTL) {
        metrics::counter!("signpost_page_cache_total", "result" => "hit").increment(1);
        return answer(&page, &nonce.0, if_none_match.as_ref());
    }
    metrics::counter!("signpost_page_cache_total", "result" => "miss").increment(1);
    let response = next.run(request).await;
    let html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("text/html"));
    if response.status() != StatusCode::OK || !html || response.headers().contains_key(header::SET_COOKIE) {
        return response;
    }
    let (parts, body) = response.into_parts();
    let bytes = match axum::body::to_bytes(body, MAX_PAGE_BYTES).await {
        Ok(b) => b,
        Err(e) => {
            tracing::warn!("the search page could not be read to keep: {e}");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let pieces = split(&bytes, &nonce.0);
    // Rendered against the index as it was when the render began; a newer one is not kept.
    let page = Arc::new(Page { etag: etag_of(&pieces), parts: pieces, version, stored: Instant::now() });
    {
        let mut pages = s.cache.0.write().unwrap_or_else(|e| e.into_inner());
        let held: usize = pages.values().map(|p| p.parts.iter().map(Bytes::len).sum::<usize>()).sum();
        if pages.len() >= MAX_PAGES || held + bytes.len() > MAX_TOTAL_BYTES {
            pages.clear();
        }
        pages.insert(key, page.clone());
    }
    let mut response = answer(&page, &nonce.0, if_none_match.as_ref());
    // The first answer keeps the headers the page was rendered with (the rate limit's come later).
    for (name, value) in parts.headers.iter() {
        if !response.headers().contains_key(name) {
            response.headers_mut().insert(name, value.clone());
        }
    }
    response
}
