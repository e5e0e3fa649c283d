//! "Forgot password" and choosing a password from a link (a reset, or an admin's first one).
//! The answer to a reset request never says whether the address has an account.
use super::mails::{AccountMail, send};
use super::password::{self, Password};
use super::signup::{LinkOutcome, MAIL_WINDOW_SECS};
use super::{links, password_context, sessions};
use crate::error::AppError;
use crate::server::alerts::email::EmailAddress;
use crate::server::entities::account;
use crate::server::entities::account_token::TokenPurpose;
use crate::server::entities::audit_log::AuditAction;
use crate::server::policy::Actor;
use crate::server::services::audit::{self, Target};
use crate::server::services::sql::begin_writing;
use crate::types::accounts::{AccountState, FormErrors};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set, TransactionSession, TransactionTrait,
};

const LINK_PURPOSES: [TokenPurpose; 2] = [TokenPurpose::Reset, TokenPurpose::SetPassword];

#[derive(Debug, PartialEq, Eq)]
pub enum ForgotOutcome {
    /// "If the address has an account, a link is on its way": said whatever the address.
    MailSent {
        email: String,
    },
    Invalid(FormErrors),
}

pub async fn forgot<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    base: &str,
    email: &str,
    now: i64,
) -> Result<ForgotOutcome, AppError> {
    let email = match EmailAddress::parse(email) {
        Ok(e) => e,
        Err(e) => return Ok(ForgotOutcome::Invalid(FormErrors::field("email", e))),
    };
    let txn = db.begin().await?;
    begin_writing(&txn).await?;
    let found = account::Entity::find().filter(account::Column::Email.eq(email.as_str())).one(&txn).await?;
    if let Some(a) = found.filter(|a| a.state != AccountState::Disabled) {
        let key = format!("reset:{}:{}", a.id, now / MAIL_WINDOW_SECS);
        if !super::already_queued(&txn, &key).await? {
            // One working reset link at a time.
            links::retire(&txn, a.id, &[TokenPurpose::Reset], now).await?;
            let token = links::issue(&txn, a.id, TokenPurpose::Reset, None, None, now).await?;
            let link = format!("{base}/reset?token={}", token.expose());
            send(&txn, &a.email, key, AccountMail::Reset { link: &link }, now).await?;
        }
    }
    txn.commit().await?;
    Ok(ForgotOutcome::MailSent { email: email.as_str().to_string() })
}

/// Whether a reset (or first-password) link would work, and for which address.
pub async fn preview_reset(db: &impl ConnectionTrait, token: &str, now: i64) -> Result<LinkOutcome, AppError> {
    let Some(row) = links::peek(db, token, &LINK_PURPOSES, now).await? else { return Ok(LinkOutcome::Invalid) };
    Ok(match account::Entity::find_by_id(row.account_id).one(db).await? {
        Some(a) if a.state != AccountState::Disabled => LinkOutcome::Done { email: a.email },
        _ => LinkOutcome::Invalid,
    })
}

#[derive(Debug, PartialEq, Eq)]
pub enum ResetOutcome {
    Done {
        email: String,
    },
    Invalid,
    /// The new password was refused; the link still works.
    Weak(FormErrors),
}

/// Sets the password from a link. The password is checked before the link is used, so a
/// refused one does not spend it. Every session of the account ends, and a confirmed mailbox
/// makes an unverified account active.
pub async fn reset<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    base: &str,
    token: &str,
    new_password: &str,
    client: &str,
    now: i64,
) -> Result<ResetOutcome, AppError> {
    let Some(row) = links::peek(db, token, &LINK_PURPOSES, now).await? else { return Ok(ResetOutcome::Invalid) };
    let Some(a) = account::Entity::find_by_id(row.account_id).one(db).await? else { return Ok(ResetOutcome::Invalid) };
    let context = password_context(&a.email);
    let context: Vec<&str> = context.iter().map(String::as_str).collect();
    let password = match Password::new_checked(new_password, &context) {
        Ok(p) => p,
        Err(e) => return Ok(ResetOutcome::Weak(FormErrors::field("password", e))),
    };
    let hash = password::hash(&password).await?;
    let txn = db.begin().await?;
    begin_writing(&txn).await?;
    let Some(row) = links::take(&txn, token, &LINK_PURPOSES, now).await? else { return Ok(ResetOutcome::Invalid) };
    let Some(a) = account::Entity::find_by_id(row.account_id).one(&txn).await? else {
        return Ok(ResetOutcome::Invalid);
    };
    if a.state == AccountState::Disabled {
        return Ok(ResetOutcome::Invalid);
    }
    let email = a.email.clone();
    let was_unverified = a.state == AccountState::Unverified;
    let mut active: account::ActiveModel = a.into();
    active.password_hash = Set(Some(hash.0));
    active.password_changed_at = Set(now);
    if was_unverified {
        active.state = Set(AccountState::Active);
        active.verified_at = Set(Some(now));
    }
    let updated = active.update(&txn).await?;
    links::retire(&txn, updated.id, &[TokenPurpose::Reset, TokenPurpose::SetPassword, TokenPurpose::EmailChange], now)
        .await?;
    sessions::end_all(&txn, updated.id, None).await?;
    let actor = Actor::account(super::bare_viewer(updated.id, &email), client);
    audit::record(
        &txn,
        &actor,
        AuditAction::AccountPassword,
        Target::new("account", updated.id),
        None,
        Some(serde_json::json!({ "by": "link", "sessions": "ended" })),
        now,
    )
    .await?;
    send(&txn, &email, format!("password-changed:{}:{now}", updated.id), AccountMail::PasswordChanged { base }, now)
        .await?;
    txn.commit().await?;
    Ok(ResetOutcome::Done { email })
}
