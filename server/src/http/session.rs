//! The session layer: reads the session cookie, puts the live session (if any) in the
//! request's extensions for pages, server functions and handlers, and clears a cookie whose
//! session has ended. Responses to a signed-in request are never stored by a shared cache.
use app::server::services::accounts::sessions::{self, CurrentSession};
use app::server::session::{clear_cookie, read_cookie};
use app::server::state::AppState;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

pub async fn load_session(State(state): State<std::sync::Arc<AppState>>, mut request: Request, next: Next) -> Response {
    let secure = state.settings.secure_cookies();
    let mut stale = false;
    if let Some(token) = read_cookie(request.headers(), secure) {
        match sessions::load(&state.db, &token, chrono::Utc::now().timestamp()).await {
            Ok(Some(session)) => {
                request.extensions_mut().insert(session);
            }
            Ok(None) => stale = true,
            // The page still works signed out; the next request tries again.
            Err(e) => tracing::warn!(error = %e, "could not read the session"),
        }
    }
    let signed_in = request.extensions().get::<CurrentSession>().is_some();
    let mut response = next.run(request).await;
    let h = response.headers_mut();
    if signed_in {
        let html =
            h.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|t| t.starts_with("text/html"));
        if html || !h.contains_key(header::CACHE_CONTROL) {
            h.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
        }
    }
    h.append(header::VARY, HeaderValue::from_static("Cookie"));
    if stale && !h.contains_key(header::SET_COOKIE) {
        if let Ok(v) = HeaderValue::from_str(&clear_cookie(secure)) {
            h.append(header::SET_COOKIE, v);
        }
    }
    response
}
