//! Mails to groups of accounts (an organization's members, the admins), queued in the outbox
//! in the caller's transaction, one per account, keyed so a retried fan-out is not sent twice.
use super::outbox::{NewMail, enqueue};
use crate::error::AppError;
use crate::server::entities::{account, membership};
use crate::types::accounts::{AccountState, SiteRole};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

async fn queue(
    db: &impl ConnectionTrait,
    accounts: Vec<account::Model>,
    key: &str,
    subject: &str,
    body: &str,
    now: i64,
) -> Result<(), AppError> {
    let rows: Vec<NewMail> = accounts
        .iter()
        .map(|a| NewMail {
            dedupe_key: format!("{key}:{}", a.id),
            recipient: a.email.clone(),
            subject: subject.to_string(),
            body: body.to_string(),
            unsubscribe_url: None,
        })
        .collect();
    enqueue(db, &rows, now).await?;
    Ok(())
}

/// Queues the mail to every active member of the organization.
pub async fn members(
    db: &impl ConnectionTrait,
    org_id: i32,
    key: &str,
    subject: &str,
    body: &str,
    now: i64,
) -> Result<(), AppError> {
    let ids: Vec<i32> = membership::Entity::find()
        .filter(membership::Column::OrganizationId.eq(org_id))
        .all(db)
        .await?
        .into_iter()
        .map(|m| m.account_id)
        .collect();
    let accounts = account::Entity::find()
        .filter(account::Column::Id.is_in(ids))
        .filter(account::Column::State.eq(AccountState::Active))
        .all(db)
        .await?;
    queue(db, accounts, key, subject, body, now).await
}

/// Queues the mail to every active admin.
pub async fn admins(db: &impl ConnectionTrait, key: &str, subject: &str, body: &str, now: i64) -> Result<(), AppError> {
    let accounts = account::Entity::find()
        .filter(account::Column::Role.eq(SiteRole::Admin))
        .filter(account::Column::State.eq(AccountState::Active))
        .all(db)
        .await?;
    queue(db, accounts, key, subject, body, now).await
}

/// Queues the mail to the given accounts, the active ones.
pub async fn accounts(
    db: &impl ConnectionTrait,
    ids: &[i32],
    key: &str,
    subject: &str,
    body: &str,
    now: i64,
) -> Result<(), AppError> {
    let accounts = account::Entity::find()
        .filter(account::Column::Id.is_in(ids.to_vec()))
        .filter(account::Column::State.eq(AccountState::Active))
        .all(db)
        .await?;
    queue(db, accounts, key, subject, body, now).await
}
