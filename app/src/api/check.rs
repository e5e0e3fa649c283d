use crate::error::AppError;
use crate::types::check::CheckOutcome;
use leptos::prelude::*;

/// Runs one check now on a URL from the public: rate-limited per client address, through the
/// SSRF-safe client.
#[server(endpoint = "check_url")]
pub async fn check_url(url: String) -> Result<CheckOutcome, AppError> {
    use crate::server::check::{CheckOptions, check_endpoint, parse_base};
    let state = crate::server::state::app_state()?;
    if url.len() > 2048 {
        return Ok(CheckOutcome::Refused("the URL is longer than 2048 characters".into()));
    }
    if let Some(wait) = super::over_limit(&state.check_limiter).await? {
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
