//! What a signed-in account changes about itself: its password, its address, its sessions, and
//! whether it exists. Each asks for the current password where a stolen session could
//! otherwise take the account over.
use super::mails::{AccountMail, send};
use super::password::{self, Password, PasswordHashString};
use super::sessions::{self, CurrentSession};
use super::signup::LinkOutcome;
use super::tokens::Token;
use super::{links, password_context};
use crate::error::AppError;
use crate::server::alerts::email::EmailAddress;
use crate::server::entities::account_token::TokenPurpose;
use crate::server::entities::audit_log::AuditAction;
use crate::server::entities::{account, account_token, audit_log, membership, organization};
use crate::server::policy::Actor;
use crate::server::rate_limit::AccountLimiter;
use crate::server::services::audit::{self, Target};
use crate::server::services::sql::begin_writing;
use crate::types::accounts::{AccountPage, FormErrors, MemberRole};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, TransactionSession, TransactionTrait,
};

async fn account_of(db: &impl ConnectionTrait, session: &CurrentSession) -> Result<account::Model, AppError> {
    account::Entity::find_by_id(session.viewer.account_id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::Unauthorized("this account no longer exists".into()))
}

/// Whether `given` is the account's password, as a form error if not. Each check counts against
/// the account's log-in allowance, so a stolen session cannot guess the password through these
/// forms any faster than through the log-in page.
async fn check_current(
    guard: &AccountLimiter,
    account: &account::Model,
    given: &str,
    field: &str,
) -> Result<Option<FormErrors>, AppError> {
    guard.check(&format!("settings|{}", account.id)).map_err(AppError::TooManyRequests)?;
    let stored = account.password_hash.clone().map(PasswordHashString);
    Ok((!password::verify(&Password::given(given), stored.as_ref()).await?)
        .then(|| FormErrors::field(field, "That is not your current password.")))
}

pub async fn page(db: &impl ConnectionTrait, session: &CurrentSession, now: i64) -> Result<AccountPage, AppError> {
    let a = account_of(db, session).await?;
    let pending = account_token::Entity::find()
        .filter(account_token::Column::AccountId.eq(a.id))
        .filter(account_token::Column::Purpose.eq(TokenPurpose::EmailChange))
        .filter(account_token::Column::UsedAt.is_null())
        .filter(account_token::Column::ExpiresAt.gt(now))
        .order_by_desc(account_token::Column::CreatedAt)
        .one(db)
        .await?;
    let (proposals, accepted) = crate::server::services::moderation::proposals::contributions(db, a.id).await?;
    Ok(AccountPage {
        proposals,
        accepted,
        trusted: a.trusted,
        email: a.email,
        created_at: a.created_at,
        roles: session.viewer.roles(),
        orgs: session.viewer.orgs.clone(),
        sessions: sessions::list(db, a.id, &session.id_hash, now).await?,
        pending_email: pending.and_then(|t| t.new_email),
    })
}

pub enum PasswordChangeOutcome {
    /// The session's new token (its id changes); every other session has ended.
    Changed(Token),
    Invalid(FormErrors),
}

pub async fn change_password<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    guard: &AccountLimiter,
    base: &str,
    session: &CurrentSession,
    current: &str,
    new: &str,
    client: &str,
    now: i64,
) -> Result<PasswordChangeOutcome, AppError> {
    let a = account_of(db, session).await?;
    if let Some(e) = check_current(guard, &a, current, "current_password").await? {
        return Ok(PasswordChangeOutcome::Invalid(e));
    }
    let context = password_context(&a.email);
    let context: Vec<&str> = context.iter().map(String::as_str).collect();
    let password = match Password::new_checked(new, &context) {
        Ok(p) => p,
        Err(e) => return Ok(PasswordChangeOutcome::Invalid(FormErrors::field("new_password", e))),
    };
    let hash = password::hash(&password).await?;
    let txn = db.begin().await?;
    begin_writing(&txn).await?;
    account::Entity::update_many()
        .col_expr(account::Column::PasswordHash, Expr::value(Some(hash.0)))
        .col_expr(account::Column::PasswordChangedAt, Expr::value(now))
        .filter(account::Column::Id.eq(a.id))
        .exec(&txn)
        .await?;
    links::retire(&txn, a.id, &[TokenPurpose::Reset, TokenPurpose::SetPassword, TokenPurpose::EmailChange], now)
        .await?;
    let ended = sessions::end_all(&txn, a.id, Some(&session.id_hash)).await?;
    let token = sessions::rotate(&txn, &session.id_hash, None)
        .await?
        .ok_or_else(|| AppError::Unauthorized("your session has ended".into()))?;
    let actor = Actor::account(session.viewer.clone(), client);
    audit::record(
        &txn,
        &actor,
        AuditAction::AccountPassword,
        Target::new("account", a.id),
        None,
        Some(serde_json::json!({ "by": "settings", "other_sessions_ended": ended })),
        now,
    )
    .await?;
    send(&txn, &a.email, format!("password-changed:{}:{now}", a.id), AccountMail::PasswordChanged { base }, now)
        .await?;
    txn.commit().await?;
    Ok(PasswordChangeOutcome::Changed(token))
}

#[derive(Debug, PartialEq, Eq)]
pub enum EmailChangeOutcome {
    /// A link went to the new address (or, if it has an account already, a mail saying so:
    /// the answer is the same).
    MailSent {
        email: String,
    },
    Invalid(FormErrors),
}

pub async fn request_email_change<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    guard: &AccountLimiter,
    base: &str,
    session: &CurrentSession,
    new_email: &str,
    current: &str,
    now: i64,
) -> Result<EmailChangeOutcome, AppError> {
    let a = account_of(db, session).await?;
    let mut errors = FormErrors::default();
    let email = EmailAddress::parse(new_email).map_err(|e| errors.add("email", e)).ok();
    if email.as_ref().is_some_and(|e| e.as_str() == a.email) {
        errors.add("email", "That is the address the account has now.");
    }
    if let Some(e) = check_current(guard, &a, current, "current_password").await? {
        errors.fields.extend(e.fields);
    }
    let Some(email) = email.filter(|_| errors.is_empty()) else { return Ok(EmailChangeOutcome::Invalid(errors)) };
    let txn = db.begin().await?;
    begin_writing(&txn).await?;
    let taken = account::Entity::find().filter(account::Column::Email.eq(email.as_str())).one(&txn).await?;
    if taken.is_some() {
        send(
            &txn,
            email.as_str(),
            format!("email-taken:{}:{}", a.id, now / 300),
            AccountMail::EmailTaken { base },
            now,
        )
        .await?;
    } else {
        links::retire(&txn, a.id, &[TokenPurpose::EmailChange], now).await?;
        let token =
            links::issue(&txn, a.id, TokenPurpose::EmailChange, Some(email.as_str().to_string()), None, now).await?;
        let link = format!("{base}/account/email/confirm?token={}", token.expose());
        send(
            &txn,
            email.as_str(),
            format!("email-change:{}", token.hash()),
            AccountMail::EmailChangeConfirm { link: &link },
            now,
        )
        .await?;
        send(
            &txn,
            &a.email,
            format!("email-change-notice:{}", token.hash()),
            AccountMail::EmailChangeNotice { new_email: email.as_str(), base },
            now,
        )
        .await?;
    }
    txn.commit().await?;
    Ok(EmailChangeOutcome::MailSent { email: email.as_str().to_string() })
}

/// The address a change link would move the account to.
pub async fn preview_email_change(db: &impl ConnectionTrait, token: &str, now: i64) -> Result<LinkOutcome, AppError> {
    Ok(match links::peek(db, token, &[TokenPurpose::EmailChange], now).await?.and_then(|r| r.new_email) {
        Some(email) => LinkOutcome::Done { email },
        None => LinkOutcome::Invalid,
    })
}

/// Moves the account to the confirmed address and tells the old one.
pub async fn confirm_email_change<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    token: &str,
    client: &str,
    now: i64,
) -> Result<LinkOutcome, AppError> {
    let txn = db.begin().await?;
    begin_writing(&txn).await?;
    let Some(row) = links::take(&txn, token, &[TokenPurpose::EmailChange], now).await? else {
        return Ok(LinkOutcome::Invalid);
    };
    let (Some(a), Some(new_email)) = (account::Entity::find_by_id(row.account_id).one(&txn).await?, row.new_email)
    else {
        return Ok(LinkOutcome::Invalid);
    };
    if a.state == crate::types::accounts::AccountState::Disabled {
        return Ok(LinkOutcome::Invalid);
    }
    // Links mailed to the old address stop working with it.
    links::retire(&txn, a.id, &[TokenPurpose::Reset, TokenPurpose::SetPassword, TokenPurpose::EmailChange], now)
        .await?;
    if account::Entity::find().filter(account::Column::Email.eq(new_email.as_str())).one(&txn).await?.is_some() {
        return Err(AppError::Conflict("that address has an account now".into()));
    }
    let old = a.email.clone();
    account::Entity::update_many()
        .col_expr(account::Column::Email, Expr::value(new_email.clone()))
        .filter(account::Column::Id.eq(a.id))
        .exec(&txn)
        .await?;
    let actor = Actor::account(super::bare_viewer(a.id, &new_email), client);
    audit::record(
        &txn,
        &actor,
        AuditAction::AccountEmail,
        Target::new("account", a.id),
        Some(serde_json::json!({ "email": old })),
        Some(serde_json::json!({ "email": new_email })),
        now,
    )
    .await?;
    send(
        &txn,
        &old,
        format!("email-changed:{}", row.token_hash),
        AccountMail::EmailChanged { new_email: &new_email },
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(LinkOutcome::Done { email: new_email })
}

/// "Log out everywhere": every session of the account ends, this one too.
pub async fn end_everywhere<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    session: &CurrentSession,
    client: &str,
    now: i64,
) -> Result<u64, AppError> {
    let txn = db.begin().await?;
    let ended = sessions::end_all(&txn, session.viewer.account_id, None).await?;
    audit::record(
        &txn,
        &Actor::account(session.viewer.clone(), client),
        AuditAction::AccountSessionsEnd,
        Target::new("account", session.viewer.account_id),
        None,
        Some(serde_json::json!({ "ended": ended })),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(ended)
}

pub enum DeleteOutcome {
    Deleted,
    Invalid(FormErrors),
}

/// Deletes the account. What it belongs to is handed on: in an organization where it was the
/// only owner, the longest-standing other member becomes owner, and an organization left with
/// no members is deleted. Its audit log entries stay, naming "deleted account #id" instead of
/// the address.
pub async fn delete_account<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    guard: &AccountLimiter,
    session: &CurrentSession,
    current: &str,
    client: &str,
    now: i64,
) -> Result<DeleteOutcome, AppError> {
    let a = account_of(db, session).await?;
    if let Some(e) = check_current(guard, &a, current, "delete_password").await? {
        return Ok(DeleteOutcome::Invalid(e));
    }
    let txn = db.begin().await?;
    begin_writing(&txn).await?;
    let mine = membership::Entity::find().filter(membership::Column::AccountId.eq(a.id)).all(&txn).await?;
    for m in mine {
        let others = membership::Entity::find()
            .filter(membership::Column::OrganizationId.eq(m.organization_id))
            .filter(membership::Column::AccountId.ne(a.id))
            .order_by_asc(membership::Column::CreatedAt)
            .all(&txn)
            .await?;
        match others.first() {
            None => {
                organization::Entity::delete_by_id(m.organization_id).exec(&txn).await?;
            }
            Some(first) if m.role == MemberRole::Owner && others.iter().all(|o| o.role != MemberRole::Owner) => {
                membership::Entity::update_many()
                    .col_expr(membership::Column::Role, Expr::value(MemberRole::Owner))
                    .filter(membership::Column::OrganizationId.eq(first.organization_id))
                    .filter(membership::Column::AccountId.eq(first.account_id))
                    .exec(&txn)
                    .await?;
            }
            Some(_) => {}
        }
    }
    let label = format!("deleted account #{}", a.id);
    audit_log::Entity::update_many()
        .col_expr(audit_log::Column::ActorEmail, Expr::value(label.clone()))
        .filter(audit_log::Column::ActorId.eq(a.id))
        .exec(&txn)
        .await?;
    // The directory's history and the proposals' threads keep what was done, not the address.
    use crate::server::entities::{proposal_message, record_change};
    record_change::Entity::update_many()
        .col_expr(record_change::Column::ActorLabel, Expr::value(label.clone()))
        .filter(record_change::Column::ActorId.eq(a.id))
        .exec(&txn)
        .await?;
    proposal_message::Entity::update_many()
        .col_expr(proposal_message::Column::AuthorLabel, Expr::value(label.clone()))
        .filter(proposal_message::Column::AuthorId.eq(a.id))
        .exec(&txn)
        .await?;
    // The address also stands in the before/after of entries about the account (an invitation
    // to it, a change of address, being made an admin).
    // As a whole JSON string ("…"), so another address that ends the same is left alone.
    let (quoted, quoted_label) = (serde_json::Value::from(a.email.as_str()).to_string(), format!("\"{label}\""));
    for column in [audit_log::Column::Before, audit_log::Column::After] {
        let replaced = sea_orm::sea_query::Func::cust(sea_orm::sea_query::Alias::new("REPLACE"))
            .arg(Expr::col(column))
            .arg(quoted.clone())
            .arg(quoted_label.clone());
        audit_log::Entity::update_many()
            .col_expr(column, replaced.into())
            .filter(column.contains(&quoted))
            .exec(&txn)
            .await?;
    }
    crate::server::entities::invitation::Entity::delete_many()
        .filter(crate::server::entities::invitation::Column::Email.eq(a.email.clone()))
        .exec(&txn)
        .await?;
    audit::record(
        &txn,
        &Actor::account(super::bare_viewer(a.id, &label), client),
        AuditAction::AccountDelete,
        Target::new("account", a.id),
        None,
        None,
        now,
    )
    .await?;
    send(&txn, &a.email, format!("deleted:{}", a.id), AccountMail::Deleted, now).await?;
    account::Entity::delete_by_id(a.id).exec(&txn).await?;
    txn.commit().await?;
    Ok(DeleteOutcome::Deleted)
}
