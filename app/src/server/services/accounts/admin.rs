//! What admins do to accounts, and `signpost create-admin`.
use super::mails::{AccountMail, send};
use super::password::{self, Password};
use super::{links, sessions};
use crate::error::AppError;
use crate::server::alerts::email::EmailAddress;
use crate::server::entities::account_token::TokenPurpose;
use crate::server::entities::audit_log::AuditAction;
use crate::server::entities::{account, membership};
use crate::server::policy::{self, Actor};
use crate::server::services::audit::{self, Target};
use crate::server::services::sql::begin_writing;
use crate::types::accounts::{AccountEvent, AccountState, AccountSummary, SiteRole};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
    TransactionSession, TransactionTrait,
};

pub const PAGE: u64 = 100;

/// Accounts whose address contains `query` (all when empty), newest first.
pub async fn list(db: &impl ConnectionTrait, actor: &Actor, query: &str) -> Result<Vec<AccountSummary>, AppError> {
    policy::manage_accounts(actor)?;
    let mut q = account::Entity::find();
    let query: String = query.trim().to_lowercase().chars().take(254).collect();
    if !query.is_empty() {
        q = q.filter(account::Column::Email.contains(query));
    }
    let rows = q.order_by_desc(account::Column::Id).limit(PAGE).all(db).await?;
    let ids: Vec<i32> = rows.iter().map(|a| a.id).collect();
    let memberships = if ids.is_empty() {
        Vec::new()
    } else {
        membership::Entity::find().filter(membership::Column::AccountId.is_in(ids)).all(db).await?
    };
    let org_names =
        crate::server::services::audit::organization_names(db, memberships.iter().map(|m| m.organization_id).collect())
            .await?;
    let counts =
        crate::server::services::moderation::proposals::contributions_of(db, rows.iter().map(|a| a.id).collect())
            .await?;
    Ok(rows
        .into_iter()
        .map(|a| AccountSummary {
            proposals: counts.get(&a.id).map_or(0, |c| c.0),
            accepted: counts.get(&a.id).map_or(0, |c| c.1),
            trusted: a.trusted,
            orgs: memberships
                .iter()
                .filter(|m| m.account_id == a.id)
                .filter_map(|m| org_names.get(&m.organization_id).cloned())
                .collect(),
            id: a.id,
            email: a.email,
            state: a.state,
            admin: a.role == SiteRole::Admin,
            created_at: a.created_at,
        })
        .collect())
}

/// Disables (every session ends at once) or re-enables an account.
pub async fn set_disabled<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    actor: &Actor,
    target: i32,
    disable: bool,
    now: i64,
) -> Result<AccountState, AppError> {
    policy::manage_accounts(actor)?;
    let txn = db.begin().await?;
    begin_writing(&txn).await?;
    let a = account::Entity::find_by_id(target)
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("there is no account {target}")))?;
    if disable {
        policy::disable_account(actor, target, a.role == SiteRole::Admin)?;
    }
    let event = if disable { AccountEvent::Disable } else { AccountEvent::Enable };
    let before = a.state;
    let Some(next) = before.next(event, a.verified_at.is_some()) else {
        return Err(AppError::Conflict(format!("the account is {} already", before.as_str())));
    };
    let mut active: account::ActiveModel = a.into();
    active.state = Set(next);
    active.update(&txn).await?;
    if disable {
        sessions::end_all(&txn, target, None).await?;
    }
    audit::record(
        &txn,
        actor,
        if disable { AuditAction::AccountDisable } else { AuditAction::AccountEnable },
        Target::new("account", target),
        Some(serde_json::json!({ "state": before.as_str() })),
        Some(serde_json::json!({ "state": next.as_str() })),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(next)
}

/// Trusts a contributor, so that their directory edits apply at once (still recorded and
/// revertable), or no longer.
pub async fn set_trusted<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    actor: &Actor,
    target: i32,
    trusting: bool,
    needed: u64,
    now: i64,
) -> Result<(), AppError> {
    let txn = db.begin().await?;
    begin_writing(&txn).await?;
    let a = account::Entity::find_by_id(target)
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("there is no account {target}")))?;
    let (_, accepted) = crate::server::services::moderation::proposals::contributions(&txn, target).await?;
    policy::trust_contributor(actor, accepted, needed, trusting)?;
    let before = a.trusted;
    let mut active: account::ActiveModel = a.into();
    active.trusted = Set(trusting);
    active.update(&txn).await?;
    audit::record(
        &txn,
        actor,
        if trusting { AuditAction::AccountTrust } else { AuditAction::AccountUntrust },
        Target::new("account", target),
        Some(serde_json::json!({ "trusted": before, "accepted": accepted })),
        Some(serde_json::json!({ "trusted": trusting })),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

#[derive(Debug, PartialEq, Eq)]
pub enum CreateAdminOutcome {
    Created,
    Promoted,
    /// An admin that was disabled is active again.
    Reenabled,
    AlreadyAdmin,
}

/// Creates an admin account, or makes an existing account an admin (its sessions end, so it
/// signs in again with its new powers and a new session id). Without a password, a link to
/// choose one goes to the address through the outbox.
pub async fn create_admin<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    actor: &Actor,
    base: &str,
    email: &str,
    password: Option<&str>,
    now: i64,
) -> Result<CreateAdminOutcome, AppError> {
    policy::make_admin(actor)?;
    let email = EmailAddress::parse(email).map_err(AppError::BadRequest)?;
    let hash = match password {
        Some(p) => {
            let context = super::password_context(email.as_str());
            let context: Vec<&str> = context.iter().map(String::as_str).collect();
            Some(password::hash(&Password::new_checked(p, &context).map_err(AppError::BadRequest)?).await?)
        }
        None => None,
    };
    let txn = db.begin().await?;
    begin_writing(&txn).await?;
    let existing = account::Entity::find().filter(account::Column::Email.eq(email.as_str())).one(&txn).await?;
    let (id, outcome, before) = match existing {
        Some(a) if a.role == SiteRole::Admin && hash.is_none() && a.state == AccountState::Active => {
            return Ok(CreateAdminOutcome::AlreadyAdmin);
        }
        Some(a) => {
            let role = if a.role == SiteRole::Admin { "admin" } else { "developer" };
            let before = serde_json::json!({ "role": role, "state": a.state.as_str() });
            let was_admin = a.role == SiteRole::Admin;
            let mut active: account::ActiveModel = a.clone().into();
            active.role = Set(SiteRole::Admin);
            // The operator vouches for the address, and brings back a disabled admin (one admin
            // cannot lock the others out for good). An unconfirmed account has no password yet:
            // whoever signed up with the address never gets one through this.
            if a.state != AccountState::Active {
                active.state = Set(AccountState::Active);
                active.verified_at = Set(Some(a.verified_at.unwrap_or(now)));
            }
            links::retire(&txn, a.id, &[TokenPurpose::Verify], now).await?;
            if let Some(h) = &hash {
                active.password_hash = Set(Some(h.0.clone()));
                active.password_changed_at = Set(now);
            }
            active.update(&txn).await?;
            sessions::end_all(&txn, a.id, None).await?;
            let outcome = match (was_admin, a.state) {
                (true, AccountState::Active) => CreateAdminOutcome::AlreadyAdmin,
                (true, _) => CreateAdminOutcome::Reenabled,
                (false, _) => CreateAdminOutcome::Promoted,
            };
            (a.id, outcome, Some(before))
        }
        None => {
            let created = account::ActiveModel {
                email: Set(email.as_str().to_string()),
                password_hash: Set(hash.as_ref().map(|h| h.0.clone())),
                state: Set(AccountState::Active),
                role: Set(SiteRole::Admin),
                created_at: Set(now),
                verified_at: Set(Some(now)),
                password_changed_at: Set(now),
                ..Default::default()
            }
            .insert(&txn)
            .await?;
            (created.id, CreateAdminOutcome::Created, None)
        }
    };
    if hash.is_none() {
        let token = links::issue(&txn, id, TokenPurpose::SetPassword, None, None, now).await?;
        let link = format!("{base}/reset?token={}", token.expose());
        send(
            &txn,
            email.as_str(),
            format!("set-password:{}", token.hash()),
            AccountMail::SetPassword { link: &link },
            now,
        )
        .await?;
    }
    audit::record(
        &txn,
        actor,
        AuditAction::AccountMakeAdmin,
        Target::new("account", id),
        before,
        Some(serde_json::json!({ "role": "admin", "email": email.as_str() })),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(outcome)
}
