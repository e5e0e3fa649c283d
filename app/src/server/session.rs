//! The session cookie, and the signed-in account of the request being handled (put in the
//! request's extensions by the server's session layer).
use super::services::accounts::sessions::{ABSOLUTE_SECS, CurrentSession};
use super::services::accounts::tokens::Token;
use crate::error::AppError;
use axum::http::HeaderMap;

/// Over https the cookie is `__Host-` prefixed (so it is `Secure`, has `Path=/` and no domain,
/// and nothing on another subdomain or on plain http can set it); over http, for local use,
/// a plain name without `Secure`.
pub fn cookie_name(secure: bool) -> &'static str {
    if secure { "__Host-signpost_session" } else { "signpost_session" }
}

/// The `Set-Cookie` value that starts a session. It lasts as long as a session can; the server
/// ends it sooner when idle.
pub fn set_cookie(token: &Token, secure: bool) -> String {
    format!(
        "{}={}; Path=/; HttpOnly; SameSite=Lax; Max-Age={ABSOLUTE_SECS}{}",
        cookie_name(secure),
        token.expose(),
        if secure { "; Secure" } else { "" }
    )
}

pub fn clear_cookie(secure: bool) -> String {
    format!(
        "{}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{}",
        cookie_name(secure),
        if secure { "; Secure" } else { "" }
    )
}

/// The session token a request carries, if any.
pub fn read_cookie(headers: &HeaderMap, secure: bool) -> Option<String> {
    let name = cookie_name(secure);
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim().chars().take(128).collect())
}

/// The session of the request a page or a server function is handling.
pub fn current_session() -> Option<CurrentSession> {
    leptos::prelude::use_context::<axum::http::request::Parts>()
        .and_then(|p| p.extensions.get::<CurrentSession>().cloned())
}

/// The session, or 401.
pub fn require_session() -> Result<CurrentSession, AppError> {
    current_session().ok_or_else(|| AppError::Unauthorized("log in to see this page".into()).with_status())
}

/// The signed-in actor of a server function, with the client address for the audit log.
pub async fn require_actor() -> Result<(CurrentSession, super::policy::Actor), AppError> {
    let session = require_session()?;
    let client = super::rate_limit::client_of_request().await?;
    let actor = super::policy::Actor::account(session.viewer.clone(), client.to_string());
    Ok((session, actor))
}

/// The actor of a server function that visitors may call too: the signed-in account, if any.
pub async fn any_actor() -> Result<super::policy::Actor, AppError> {
    let client = super::rate_limit::client_of_request().await?;
    Ok(super::policy::Actor::request(current_session().map(|s| s.viewer), client.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cookie_is_host_prefixed_and_secure_over_https() {
        let t = Token::generate();
        let c = set_cookie(&t, true);
        assert!(c.starts_with("__Host-signpost_session="), "{c}");
        for part in ["Path=/", "HttpOnly", "SameSite=Lax", "Secure", "Max-Age=2592000"] {
            assert!(c.contains(part), "{part} in {c}");
        }
        assert!(!c.contains("Domain"));
        let plain = set_cookie(&t, false);
        assert!(plain.starts_with("signpost_session=") && !plain.contains("Secure"), "{plain}");
        let mut h = HeaderMap::new();
        h.insert("cookie", format!("a=b; signpost_session={}; c=d", t.expose()).parse().unwrap());
        assert_eq!(read_cookie(&h, false).as_deref(), Some(t.expose()));
        assert_eq!(read_cookie(&h, true), None, "over https only the prefixed cookie counts");
    }
}
