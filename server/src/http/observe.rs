//! Every request gets an id (the client's `X-Request-Id` when it is a short plain token, else a
//! new random one), returned in `X-Request-Id` and carried by every log line written while the
//! request is handled; then one log line and the request's metrics: a count by method, route
//! (the route's pattern, never the raw path, so labels stay few) and status, and the time until
//! the response's head (a streamed body may take longer).
use axum::extract::{MatchedPath, Request};
use axum::http::{HeaderValue, Method};
use axum::middleware::Next;
use axum::response::Response;
use tracing::Instrument;

pub const REQUEST_ID: &str = "x-request-id";

/// A client's id is kept only when it is 1 to 64 letters, digits, `-`, `_` or `.`.
fn given_id(value: Option<&HeaderValue>) -> Option<String> {
    let v = value?.to_str().ok()?;
    let ok = !v.is_empty() && v.len() <= 64 && v.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b));
    ok.then(|| v.to_string())
}

fn method_label(m: &Method) -> &'static str {
    match *m {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::PATCH => "PATCH",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

/// The route label of a request no route matched: the built assets as one, the rest as one.
fn unmatched_label(path: &str) -> &'static str {
    if path.starts_with("/pkg/") { "/pkg/{file}" } else { "unmatched" }
}

pub async fn observe(mut request: Request, next: Next) -> Response {
    let id = given_id(request.headers().get(REQUEST_ID)).unwrap_or_else(|| format!("{:032x}", rand::random::<u128>()));
    if let Ok(v) = HeaderValue::from_str(&id) {
        request.headers_mut().insert(REQUEST_ID, v);
    }
    let route: String = match request.extensions().get::<MatchedPath>() {
        Some(p) => p.as_str().to_string(),
        None => unmatched_label(request.uri().path()).to_string(),
    };
    let method = method_label(request.method());
    let quiet = route == "/healthz" || route == "/metrics" || route.starts_with("/pkg/");
    let span = tracing::info_span!("request", request_id = %id, method, route = %route);
    let start = std::time::Instant::now();
    let mut response = next.run(request).instrument(span.clone()).await;
    let elapsed = start.elapsed();
    let status = response.status().as_u16();
    span.in_scope(|| {
        let ms = elapsed.as_secs_f64() * 1000.0;
        if status >= 500 {
            tracing::warn!(status, ms, "request failed");
        } else if quiet {
            tracing::debug!(status, ms, "request");
        } else {
            tracing::info!(status, ms, "request");
        }
    });
    metrics::counter!("signpost_http_requests_total", "method" => method, "route" => route.clone(), "status" => status.to_string())
        .increment(1);
    metrics::histogram!("signpost_http_request_duration_seconds", "method" => method, "route" => route)
        .record(elapsed.as_secs_f64());
    if let Ok(v) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(REQUEST_ID, v);
    }
    response
}

/// The answer to a request whose handler panicked (see `CatchPanicLayer` in the router): the
/// panic's message goes to the log, never to the client.
pub fn panic_answer(panic: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let message = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("(no message)");
    tracing::error!(panic = message, "a request's handler panicked");
    metrics::counter!("signpost_http_panics_total").increment(1);
    let mut response = Response::new(axum::body::Body::from("Something went wrong on our side; it has been logged.\n"));
    *response.status_mut() = axum::http::StatusCode::INTERNAL_SERVER_ERROR;
    response
        .headers_mut()
        .insert(axum::http::header::CONTENT_TYPE, HeaderValue::from_static("text/plain; charset=utf-8"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_is_a_500_without_its_message() {
        let r = panic_answer(Box::new(String::from("secret detail")));
        assert_eq!(r.status(), axum::http::StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(r.headers()[axum::http::header::CONTENT_TYPE], "text/plain; charset=utf-8");
    }
}
