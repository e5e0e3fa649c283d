//! The workers besides the poller and the mailer: refetching feeds and re-verifying claims,
//! reminders (attestations and registration requests), and housekeeping (rate-limit maps,
//! ended sessions, spent links). Each checks every few seconds what is due; what is due is in
//! the database, so several instances share it and a restart loses nothing.
use crate::workers::Shutdown;
use app::server::net::client::SafeClient;
use app::server::services::feeds;
use app::server::services::publishing::checks as claim_checks;
use app::server::services::publishing::feed as publisher_feed;
use app::server::services::registration::calendar::Calendar;
use app::server::state::AppState;
use sea_orm::DatabaseConnection;
use std::time::Duration;

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// Brand bundles at URLs, payers' own bundle addresses, and claims due for re-verification.
pub async fn feeds(db: DatabaseConnection, client: SafeClient, origin: String, interval_secs: i64, stop: Shutdown) {
    loop {
        // Published brand bundles due for a refetch (a 304 when unchanged).
        match feeds::refresh_due(&db, &client, now(), interval_secs).await {
            Ok(done) => {
                for (url, result) in done {
                    tracing::info!(%url, ?result, "brand bundle refetched");
                }
            }
            Err(e) => tracing::warn!("refetching brand bundles failed: {e}"),
        }
        // Payers' own bundle addresses due for a refetch, published when they changed.
        match publisher_feed::refetch_due(&db, &client, origin.trim_end_matches('/'), now()).await {
            Ok(done) => {
                for (organization, result) in done {
                    tracing::info!(organization, ?result, "publisher bundle refetched");
                }
            }
            Err(e) => tracing::warn!("refetching publisher bundles failed: {e}"),
        }
        // Claims due for re-verification (a file fetched again, or a new link mailed).
        match claim_checks::recheck_due(&db, &client, &origin, now()).await {
            Ok(done) => {
                for (claim, state) in done {
                    tracing::info!(claim, ?state, "claim re-verified");
                }
            }
            Err(e) => tracing::warn!("re-verifying claims failed: {e}"),
        }
        if !stop.sleep(Duration::from_secs(5)).await {
            return;
        }
    }
}

/// Attestation reminders (30 and 7 days before) and lapses, and registration requests near or
/// past their target (each pass reads every open request's clock, so once a minute).
pub async fn reminders(db: DatabaseConnection, calendar: Calendar, origin: String, stop: Shutdown) {
    loop {
        match app::server::services::apps::lifecycle::run_due(&db, &origin, now()).await {
            Ok(done) => {
                for (attestation, step) in done {
                    tracing::info!(attestation, ?step, "attestation reminder or lapse");
                }
            }
            Err(e) => tracing::warn!("attestation reminders failed: {e}"),
        }
        match app::server::services::registration::reminders::run_due(&db, &calendar, &origin, now()).await {
            Ok(done) => {
                for (request, stage) in done {
                    tracing::info!(request, stage, "registration reminder");
                }
            }
            Err(e) => tracing::warn!("registration reminders failed: {e}"),
        }
        if !stop.sleep(Duration::from_secs(60)).await {
            return;
        }
    }
}

/// Forgets idle clients of every rate limiter each minute (so the maps stay small however many
/// addresses a client cycles through), and deletes ended sessions and spent links every hour.
pub async fn housekeeping(state: AppState, stop: Shutdown) {
    use app::server::services::accounts::{links, sessions};
    let mut minutes = 0u64;
    loop {
        if minutes % 60 == 0 {
            let now = now();
            if let Err(e) = sessions::prune(&state.db, now).await {
                tracing::warn!(error = %e, "could not prune sessions");
            }
            if let Err(e) = links::prune(&state.db, now).await {
                tracing::warn!(error = %e, "could not prune account links");
            }
        }
        if !stop.sleep(Duration::from_secs(60)).await {
            return;
        }
        minutes += 1;
        state.limiters().iter().for_each(|l| l.prune());
        state.login_limits.per_account.prune();
        if let Some(l) = &state.public_limiter {
            l.prune();
        }
    }
}
