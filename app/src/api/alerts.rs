use crate::types::alerts::{LinkOutcome, SubscribeOutcome};
use leptos::prelude::*;

/// Subscribes an address to alerts about an endpoint or a brand: queues a confirmation mail
/// (double opt-in). Rate-limited per client address.
#[server(endpoint = "subscribe")]
pub async fn subscribe(email: String, kind: String, id: i32) -> Result<SubscribeOutcome, ServerFnError> {
    use crate::server::services::subscriptions;
    use crate::types::alerts::TargetKind;
    let state = crate::server::state::app_state()?;
    let Some(kind) = TargetKind::parse(&kind) else { return Ok(SubscribeOutcome::NotFound) };
    if let Some(wait) = super::over_limit(&state.subscribe_limiter).await? {
        return Ok(SubscribeOutcome::RateLimited(wait));
    }
    let now = chrono::Utc::now().timestamp();
    subscriptions::subscribe(&state.db, &state.alerts, &email, kind, id, now).await.map_err(super::internal)
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
