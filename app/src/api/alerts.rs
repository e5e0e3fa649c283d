use crate::types::alerts::{LinkOutcome, SubscribeOutcome};
use leptos::prelude::*;

/// Subscribes an address to alerts about an endpoint or a brand: queues a confirmation mail
/// (double opt-in). Rate-limited per client address. A form posted without JavaScript is sent
/// back to the target's page with the outcome in the URL, where the page shows it.
#[server(endpoint = "subscribe")]
pub async fn subscribe(email: String, kind: String, id: i32) -> Result<SubscribeOutcome, ServerFnError> {
    use crate::types::alerts::TargetKind;
    let Some(kind) = TargetKind::parse(&kind) else { return Ok(SubscribeOutcome::NotFound) };
    let outcome = ssr::subscribe(email, kind, id).await?;
    if ssr::plain_form_post() {
        leptos_axum::redirect(&format!("{}?alerts={}#alerts-heading", kind.page(id), outcome.code()));
    }
    Ok(outcome)
}

#[cfg(feature = "ssr")]
mod ssr {
    use crate::types::alerts::{SubscribeOutcome, TargetKind};
    use leptos::prelude::*;

    pub async fn subscribe(email: String, kind: TargetKind, id: i32) -> Result<SubscribeOutcome, ServerFnError> {
        let state = crate::server::state::app_state()?;
        if let Some(wait) = crate::api::over_limit(&state.subscribe_limiter).await? {
            return Ok(SubscribeOutcome::RateLimited(wait));
        }
        let now = chrono::Utc::now().timestamp();
        crate::server::services::subscriptions::subscribe(&state.db, &state.alerts, &email, kind, id, now)
            .await
            .map_err(crate::api::internal)
    }

    /// A browser posting the form itself asks for HTML; the hydrated form asks for data.
    pub fn plain_form_post() -> bool {
        use_context::<axum::http::request::Parts>()
            .and_then(|parts| {
                parts.headers.get(axum::http::header::ACCEPT)?.to_str().ok().map(|a| a.contains("text/html"))
            })
            .unwrap_or(false)
    }
}

/// Opens a confirmation link.
#[server(endpoint = "confirm_alerts")]
pub async fn confirm_alerts(token: String) -> Result<LinkOutcome, ServerFnError> {
    let state = crate::server::state::app_state()?;
    let now = chrono::Utc::now().timestamp();
    crate::server::services::subscriptions::confirm(&state.db, &state.alerts, &token, now)
        .await
        .map_err(super::internal)
}

/// Opens an unsubscribe link.
#[server(endpoint = "unsubscribe_alerts")]
pub async fn unsubscribe_alerts(token: String) -> Result<LinkOutcome, ServerFnError> {
    let state = crate::server::state::app_state()?;
    crate::server::services::subscriptions::unsubscribe(&state.db, &state.alerts, &token).await.map_err(super::internal)
}
