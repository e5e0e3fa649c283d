use crate::error::AppError;
use crate::types::alerts::{LinkPreview, SubscribeOutcome};
use leptos::prelude::*;

/// Subscribes an address to alerts about an endpoint or a brand: queues a confirmation mail
/// (double opt-in). Rate-limited per client address. (The form posted without JavaScript goes
/// to `POST /alerts/subscribe`, which calls the same service and redirects.)
#[server(endpoint = "subscribe")]
pub async fn subscribe(email: String, kind: String, id: i32) -> Result<SubscribeOutcome, AppError> {
    use crate::types::alerts::TargetKind;
    let Some(kind) = TargetKind::parse(&kind) else { return Ok(SubscribeOutcome::NotFound) };
    ssr::subscribe(email, kind, id).await
}

#[cfg(feature = "ssr")]
mod ssr {
    use crate::error::AppError;
    use crate::types::alerts::{SubscribeOutcome, TargetKind};

    pub async fn subscribe(email: String, kind: TargetKind, id: i32) -> Result<SubscribeOutcome, AppError> {
        let state = crate::server::state::app_state()?;
        if let Some(wait) = crate::api::over_limit(&state.subscribe_limiter).await? {
            return Ok(SubscribeOutcome::RateLimited(wait));
        }
        let now = chrono::Utc::now().timestamp();
        crate::server::services::subscriptions::subscribe(&state.db, &state.alerts, &email, kind, id, now)
            .await
            .map_err(crate::api::fail)
    }
}

/// What a confirmation (`confirming`) or unsubscribe link from a mail would do, without doing it.
#[server(endpoint = "preview_alert_link")]
pub async fn preview_alert_link(confirming: bool, token: String) -> Result<LinkPreview, AppError> {
    let state = crate::server::state::app_state()?;
    let now = chrono::Utc::now().timestamp();
    crate::server::services::subscriptions::preview(&state.db, &state.alerts, confirming, &token, now)
        .await
        .map_err(super::fail)
}
