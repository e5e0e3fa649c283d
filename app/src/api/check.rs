use crate::types::check::CheckOutcome;
use leptos::prelude::*;

/// Runs one check now on a URL from the public: rate-limited per client address, through the
/// SSRF-safe client.
#[server(endpoint = "check_url")]
pub async fn check_url(url: String) -> Result<CheckOutcome, ServerFnError> {
    use crate::server::check::{CheckOptions, check_endpoint, parse_base};
    let state = crate::server::state::app_state()?;
    if url.len() > 2048 {
        return Ok(CheckOutcome::Refused("the URL is longer than 2048 characters".into()));
    }
    let client = leptos_axum::extract::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .await
        .map(|c| c.0.ip())
        .map_err(|e| ServerFnError::new(format!("no client address: {e}")))?;
    if let Err(wait) = state.check_limiter.check(client) {
        if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
            response.set_status(axum::http::StatusCode::TOO_MANY_REQUESTS);
        }
        return Ok(CheckOutcome::RateLimited(wait));
    }
    let base = match parse_base(&url) {
        Ok(b) => b,
        Err(e) => return Ok(CheckOutcome::Refused(e.to_string())),
    };
    let options = CheckOptions { origin: state.settings.public_url.clone() };
    Ok(match check_endpoint(&state.fetch, &base, &options).await {
        Ok(report) => CheckOutcome::Report(report),
        Err(refused) => CheckOutcome::Refused(refused.to_string()),
    })
}
