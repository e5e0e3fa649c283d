//! `POST /validate`: the Validate form posted without JavaScript (a file upload or pasted
//! text). The same limits as the server function apply (size, per-client rate), and the answer
//! is the Validate page rendered with the report.
use app::server::rate_limit::client_of;
use app::server::state::AppState;
use app::server::validate::validate_text_blocking;
use app::types::validation::{PostedReport, size_label};
use axum::body::Body;
use axum::extract::{ConnectInfo, FromRequest, Multipart, State};
use axum::http::{HeaderValue, Request, StatusCode, header};
use axum::response::Response;
use leptos::prelude::provide_context;
use std::net::SocketAddr;

pub async fn validate_form(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    request: Request<Body>,
) -> Response {
    let (parts, body) = request.into_parts();
    let client = client_of(peer.ip(), &parts.headers, &state.settings.trusted_proxies);
    let limit = state.settings.max_validate_bytes;
    let limited = state.validate_limiter.check(client).err();
    let report = match limited {
        Some(wait) => Err(format!("Too many validations from your address: try again in {wait} s.")),
        None => match read_bundle(&parts, body, limit).await {
            Ok(text) => validate_text_blocking(text, limit).await.map_err(|e| e.to_string()),
            Err(message) => Err(message),
        },
    };
    // The page itself, as a GET of /validate renders it, with the report in its context.
    let posted = PostedReport(report);
    let status = if limited.is_some() { StatusCode::TOO_MANY_REQUESTS } else { StatusCode::OK };
    let mut response =
        super::pages::render_with(&state, &parts, "/validate", move || provide_context(posted.clone()), status).await;
    if let Some(wait) = limited {
        if let Ok(v) = HeaderValue::from_str(&wait.to_string()) {
            response.headers_mut().insert(header::RETRY_AFTER, v);
        }
    }
    response
}

/// The bundle from the form: the uploaded file when one was chosen, else the pasted text.
pub(crate) async fn read_bundle(
    parts: &axum::http::request::Parts,
    body: Body,
    limit: usize,
) -> Result<String, String> {
    let too_big = |n: usize| format!("The bundle is {n} bytes; the limit here is {}.", size_label(limit));
    let content_type = parts.headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let mut rebuilt = Request::builder()
        .header(header::CONTENT_TYPE, content_type)
        .body(body)
        .map_err(|e| format!("could not read the form: {e}"))?;
    // The router's body limit travels in the request's extensions; without them the form reader
    // would apply axum's default of 2 MB instead of the Validate limit.
    *rebuilt.extensions_mut() = parts.extensions.clone();
    if content_type.starts_with("multipart/form-data") {
        let mut form =
            Multipart::from_request(rebuilt, &()).await.map_err(|e| format!("could not read the form: {e}"))?;
        let (mut file, mut pasted) = (None, None);
        while let Some(mut field) = form.next_field().await.map_err(|e| format!("could not read the form: {e}"))? {
            let name = field.name().unwrap_or("").to_string();
            let mut bytes = Vec::new();
            while let Some(chunk) = field.chunk().await.map_err(|e| format!("could not read the form: {e}"))? {
                if bytes.len() + chunk.len() > limit {
                    return Err(too_big(bytes.len() + chunk.len()));
                }
                bytes.extend_from_slice(&chunk);
            }
            match name.as_str() {
                "file" if !bytes.is_empty() => file = Some(bytes),
                "bundle" => pasted = Some(bytes),
                _ => {}
            }
        }
        let bytes = file.or(pasted).unwrap_or_default();
        String::from_utf8(bytes).map_err(|_| "The bundle is not UTF-8 text.".to_string())
    } else {
        let bytes = axum::body::to_bytes(rebuilt.into_body(), limit.saturating_mul(3).max(64 * 1024))
            .await
            .map_err(|_| too_big(limit + 1))?;
        let text = url::form_urlencoded::parse(&bytes).find(|(k, _)| k == "bundle").map(|(_, v)| v.into_owned());
        let text = text.unwrap_or_default();
        if text.len() > limit {
            return Err(too_big(text.len()));
        }
        Ok(text)
    }
}
