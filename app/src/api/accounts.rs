//! Server functions for the account, organization and admin pages. Each reads the session
//! from the request; the service it calls checks the policy, so calling one directly is
//! checked exactly as the page is.
use crate::error::AppError;
use crate::types::accounts::{
    AccountLinkKind, AccountLinkPreview, AccountPage, AccountSummary, AuditEntry, InvitationPreview, OrgPage,
};
use leptos::prelude::*;

#[server(endpoint = "my_account")]
pub async fn my_account() -> Result<AccountPage, AppError> {
    let state = crate::server::state::app_state()?;
    let session = crate::server::session::require_session()?;
    let now = chrono::Utc::now().timestamp();
    crate::server::services::accounts::settings::page(&state.db, &session, now).await.map_err(super::fail)
}

#[server(endpoint = "organization_page")]
pub async fn organization_page(id: i32) -> Result<OrgPage, AppError> {
    let state = crate::server::state::app_state()?;
    let (_, actor) = crate::server::session::require_actor().await?;
    let now = chrono::Utc::now().timestamp();
    crate::server::services::organizations::page(&state.db, &actor, id, now).await.map_err(super::fail)
}

/// Whether a verification, reset or address-change link works, without using it.
#[server(endpoint = "preview_account_link")]
pub async fn preview_account_link(kind: AccountLinkKind, token: String) -> Result<AccountLinkPreview, AppError> {
    use crate::server::services::accounts::{recovery, settings, signup};
    use signup::LinkOutcome;
    let state = crate::server::state::app_state()?;
    let now = chrono::Utc::now().timestamp();
    let outcome = match kind {
        AccountLinkKind::Verify => signup::preview_verification(&state.db, &token, now).await,
        AccountLinkKind::Reset => recovery::preview_reset(&state.db, &token, now).await,
        AccountLinkKind::EmailChange => settings::preview_email_change(&state.db, &token, now).await,
    }
    .map_err(super::fail)?;
    Ok(match outcome {
        LinkOutcome::Done { email } => AccountLinkPreview::Valid { email },
        LinkOutcome::Invalid => AccountLinkPreview::Invalid,
    })
}

#[server(endpoint = "preview_invitation")]
pub async fn preview_invitation(token: String) -> Result<InvitationPreview, AppError> {
    let state = crate::server::state::app_state()?;
    let now = chrono::Utc::now().timestamp();
    crate::server::services::organizations::preview_invitation(&state.db, &token, now).await.map_err(super::fail)
}

/// Accounts whose address contains `query`: admins only.
#[server(endpoint = "admin_accounts")]
pub async fn admin_accounts(query: String) -> Result<Vec<AccountSummary>, AppError> {
    let state = crate::server::state::app_state()?;
    let (_, actor) = crate::server::session::require_actor().await?;
    crate::server::services::accounts::admin::list(&state.db, &actor, &query).await.map_err(super::fail)
}

/// The audit log, newest first, filtered: admins only.
#[server(endpoint = "audit_entries")]
pub async fn audit_entries(
    action: String,
    actor: String,
    target_kind: String,
    target_id: String,
    before: Option<i64>,
) -> Result<Vec<AuditEntry>, AppError> {
    use crate::server::services::audit::{AuditFilter, list};
    let state = crate::server::state::app_state()?;
    let (_, who) = crate::server::session::require_actor().await?;
    let cap = |s: String| Some(s.chars().take(254).collect::<String>());
    let filter = AuditFilter {
        action: cap(action),
        actor: cap(actor),
        target_kind: cap(target_kind),
        target_id: cap(target_id),
        before_id: before,
    };
    list(&state.db, &who, &filter).await.map_err(super::fail)
}
