//! What every form handler needs: the state, the request (to render its page again), the real
//! client address, and the session if signed in.
use app::error::AppError;
use app::server::policy::Actor;
use app::server::rate_limit::client_of;
use app::server::services::accounts::sessions::CurrentSession;
use app::server::state::AppState;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use std::net::{IpAddr, SocketAddr};

pub struct Ctx {
    pub state: AppState,
    pub parts: Parts,
    pub client: IpAddr,
    pub session: Option<CurrentSession>,
}

impl FromRequestParts<AppState> for Ctx {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        // The server always serves with connection info; a missing one limits as one client.
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip())
            .unwrap_or(IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED));
        let client = client_of(peer, &parts.headers, &state.settings.trusted_proxies);
        let session = parts.extensions.get::<CurrentSession>().cloned();
        Ok(Ctx { state: state.clone(), parts: parts.clone(), client, session })
    }
}

impl Ctx {
    pub fn base(&self) -> &str {
        &self.state.settings.public_url
    }

    pub fn now(&self) -> i64 {
        chrono::Utc::now().timestamp()
    }

    /// The session and the actor it makes, or 401.
    pub fn actor(&self) -> Result<(CurrentSession, Actor), AppError> {
        let session = self.session.clone().ok_or_else(|| AppError::Unauthorized("log in first".into()))?;
        let actor = Actor::account(session.viewer.clone(), self.client.to_string());
        Ok((session, actor))
    }

    pub fn user_agent(&self) -> String {
        self.parts.headers.get(axum::http::header::USER_AGENT).and_then(|v| v.to_str().ok()).unwrap_or("").to_string()
    }
}
