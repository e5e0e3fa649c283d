//! Answering a form posted without JavaScript: either a redirect (303, so a reload does not
//! post again), or the page the form is on, rendered again with what was typed, what was
//! wrong or what happened, and the status that says so.
use app::error::AppError;
use app::server::services::accounts::tokens::Token;
use app::server::session::{clear_cookie, set_cookie};
use app::server::state::AppState;
use app::shell;
use app::types::accounts::{FormErrors, PostedForm};
use axum::body::Body;
use axum::http::request::Parts;
use axum::http::{HeaderValue, Method, Request, StatusCode, Uri, header};
use axum::response::{IntoResponse, Redirect, Response};
use leptos::prelude::provide_context;

/// Renders the page at `path` (a GET of it) with the posted form in its context.
pub async fn render(state: &AppState, parts: &Parts, path: &str, posted: PostedForm, status: StatusCode) -> Response {
    render_with(state, parts, path, move || provide_context(posted.clone()), status).await
}

/// Renders the page at `path` as a GET of it would, with what `extra` provides in its context.
pub async fn render_with(
    state: &AppState,
    parts: &Parts,
    path: &str,
    extra: impl Fn() + Clone + Send + Sync + 'static,
    status: StatusCode,
) -> Response {
    let mut parts = parts.clone();
    parts.method = Method::GET;
    parts.uri = path.parse::<Uri>().unwrap_or_else(|_| Uri::from_static("/"));
    parts.headers.remove(header::CONTENT_TYPE);
    parts.headers.remove(header::CONTENT_LENGTH);
    let page = Request::from_parts(parts, Body::empty());
    let (context_state, options) = (state.clone(), state.leptos_options.clone());
    let render = leptos_axum::render_app_async_with_context(
        move || {
            provide_context(context_state.clone());
            extra();
        },
        move || shell(options.clone()),
    );
    let mut response = render(page).await;
    *response.status_mut() = status;
    response
}

/// What a form handler decided.
pub enum Answer {
    /// Go to this page (303), optionally setting or clearing the session cookie.
    Redirect { to: String, cookie: Cookie },
    /// Show the form's page again.
    Page { path: String, posted: PostedForm, status: StatusCode, cookie: Cookie, retry_after: Option<u64> },
}

pub enum Cookie {
    Keep,
    Set(Token),
    Clear,
}

impl Answer {
    pub fn redirect(to: impl Into<String>) -> Self {
        Answer::Redirect { to: to.into(), cookie: Cookie::Keep }
    }

    /// The page with a success message.
    pub fn notice(path: impl Into<String>, form: &str, notice: impl Into<String>) -> Self {
        let posted = PostedForm { form: form.into(), notice: Some(notice.into()), ..Default::default() };
        Answer::Page { path: path.into(), posted, status: StatusCode::OK, cookie: Cookie::Keep, retry_after: None }
    }

    /// The page with a posted form as the caller made it.
    pub fn posted(path: impl Into<String>, posted: PostedForm, status: StatusCode) -> Self {
        Answer::Page { path: path.into(), posted, status, cookie: Cookie::Keep, retry_after: None }
    }

    /// The page with the form's errors and what was typed (the caller leaves passwords out).
    pub fn invalid(path: impl Into<String>, form: &str, values: Vec<(String, String)>, errors: FormErrors) -> Self {
        let posted = PostedForm { form: form.into(), values, errors, ..Default::default() };
        Answer::Page {
            path: path.into(),
            posted,
            status: StatusCode::BAD_REQUEST,
            cookie: Cookie::Keep,
            retry_after: None,
        }
    }

    /// The page with a service's error as the form's error, and its status.
    pub fn failed(path: impl Into<String>, form: &str, error: AppError) -> Self {
        let status = StatusCode::from_u16(error.status_code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        if let AppError::Internal(m) = &error {
            tracing::error!(error = %m, "form failed");
        }
        let message = match &error {
            AppError::Internal(_) => "Something went wrong on our side; nothing was changed. Try again.".to_string(),
            AppError::TooManyRequests(s) => format!("Too many attempts: try again in {}.", wait_words(*s)),
            other => other.to_string(),
        };
        let retry_after = match &error {
            AppError::TooManyRequests(s) => Some(*s),
            _ => None,
        };
        let posted = PostedForm { form: form.into(), errors: FormErrors::whole(message), ..Default::default() };
        Answer::Page { path: path.into(), posted, status, cookie: Cookie::Keep, retry_after }
    }

    pub fn with_cookie(self, c: Cookie) -> Self {
        match self {
            Answer::Redirect { to, .. } => Answer::Redirect { to, cookie: c },
            Answer::Page { path, posted, status, retry_after, .. } => {
                Answer::Page { path, posted, status, cookie: c, retry_after }
            }
        }
    }

    pub fn with_status(self, s: StatusCode) -> Self {
        match self {
            Answer::Page { path, posted, cookie, retry_after, .. } => {
                Answer::Page { path, posted, status: s, cookie, retry_after }
            }
            other => other,
        }
    }

    pub async fn respond(self, state: &AppState, parts: &Parts) -> Response {
        let secure = state.settings.secure_cookies();
        let (mut response, cookie) = match self {
            Answer::Redirect { to, cookie } => (Redirect::to(&to).into_response(), cookie),
            Answer::Page { path, posted, status, cookie, retry_after } => {
                let mut r = render(state, parts, &path, posted, status).await;
                if let Some(v) = retry_after.and_then(|s| HeaderValue::from_str(&s.to_string()).ok()) {
                    r.headers_mut().insert(header::RETRY_AFTER, v);
                }
                (r, cookie)
            }
        };
        let value = match cookie {
            Cookie::Keep => None,
            Cookie::Set(token) => Some(set_cookie(&token, secure)),
            Cookie::Clear => Some(clear_cookie(secure)),
        };
        if let Some(v) = value.and_then(|v| HeaderValue::from_str(&v).ok()) {
            response.headers_mut().append(header::SET_COOKIE, v);
        }
        response
    }
}

/// "2 minutes", "1 minute", "40 seconds".
pub fn wait_words(secs: u64) -> String {
    match secs {
        0..=59 => format!("{secs} seconds"),
        60 => "1 minute".into(),
        _ => format!("{} minutes", secs.div_ceil(60)),
    }
}

/// A page's path for a redirect after sign-in: only a path on this site (`/…`, not `//…`).
pub fn local_path(next: &str) -> String {
    let ok = next.starts_with('/')
        && !next.starts_with("//")
        && !next.contains('\\')
        && next.len() <= 500
        && !next.chars().any(char::is_control);
    if ok { next.to_string() } else { "/account".into() }
}
