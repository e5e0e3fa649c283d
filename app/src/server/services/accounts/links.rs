//! Single-use links in mails (verification, reset, address change, first password): issued
//! with a random token, stored as its hash, and taken at most once by one atomic update.
use super::tokens::{Token, hash_token};
use crate::error::AppError;
use crate::server::entities::account_token::{self, TokenPurpose};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};

pub async fn issue(
    db: &impl ConnectionTrait,
    account_id: i32,
    purpose: TokenPurpose,
    new_email: Option<String>,
    password_hash: Option<String>,
    now: i64,
) -> Result<Token, AppError> {
    let token = Token::generate();
    account_token::Entity::insert(account_token::ActiveModel {
        token_hash: Set(token.hash()),
        account_id: Set(account_id),
        purpose: Set(purpose),
        new_email: Set(new_email),
        password_hash: Set(password_hash),
        created_at: Set(now),
        expires_at: Set(now + purpose.lifetime_secs()),
        used_at: Set(None),
    })
    .exec_without_returning(db)
    .await?;
    Ok(token)
}

/// The link's row while it is unused and unexpired, without using it.
pub async fn peek(
    db: &impl ConnectionTrait,
    token: &str,
    purposes: &[TokenPurpose],
    now: i64,
) -> Result<Option<account_token::Model>, AppError> {
    let row = account_token::Entity::find_by_id(hash_token(token)).one(db).await?;
    Ok(row.filter(|r| r.used_at.is_none() && now < r.expires_at && purposes.contains(&r.purpose)))
}

/// Uses the link: `Some(row)` for exactly one caller, however many open it at once.
pub async fn take(
    db: &impl ConnectionTrait,
    token: &str,
    purposes: &[TokenPurpose],
    now: i64,
) -> Result<Option<account_token::Model>, AppError> {
    let Some(row) = peek(db, token, purposes, now).await? else { return Ok(None) };
    let r = account_token::Entity::update_many()
        .col_expr(account_token::Column::UsedAt, Expr::value(now))
        .filter(account_token::Column::TokenHash.eq(row.token_hash.clone()))
        .filter(account_token::Column::UsedAt.is_null())
        .exec(db)
        .await?;
    Ok((r.rows_affected == 1).then_some(row))
}

/// Retires every open link of these purposes for an account (a new reset link replaces the
/// old; a changed password voids any reset link).
pub async fn retire(
    db: &impl ConnectionTrait,
    account_id: i32,
    purposes: &[TokenPurpose],
    now: i64,
) -> Result<(), AppError> {
    account_token::Entity::update_many()
        .col_expr(account_token::Column::UsedAt, Expr::value(now))
        .filter(account_token::Column::AccountId.eq(account_id))
        .filter(account_token::Column::Purpose.is_in(purposes.iter().copied()))
        .filter(account_token::Column::UsedAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}

/// Deletes links that can no longer be used (expired for a day, or used).
pub async fn prune(db: &impl ConnectionTrait, now: i64) -> Result<u64, AppError> {
    let r = account_token::Entity::delete_many()
        .filter(
            sea_orm::Condition::any()
                .add(account_token::Column::ExpiresAt.lt(now - 86_400))
                .add(account_token::Column::UsedAt.lt(now - 86_400)),
        )
        .exec(db)
        .await?;
    Ok(r.rows_affected)
}
