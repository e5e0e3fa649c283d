//! Signing up and confirming the address. The answer to a sign-up is the same whether or not
//! the address has an account; the mail to the address says which it was.
use super::mails::{AccountMail, send};
use super::password::{self, Password};
use super::{links, password_context};
use crate::error::AppError;
use crate::server::alerts::email::EmailAddress;
use crate::server::entities::account;
use crate::server::entities::account_token::TokenPurpose;
use crate::server::services::sql::begin_writing;
use crate::types::accounts::{AccountEvent, AccountState, FormErrors, SiteRole};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set, TransactionSession, TransactionTrait,
};

#[derive(Debug, PartialEq, Eq)]
pub enum SignUpOutcome {
    /// "Check your inbox": said for a new address and a known one alike.
    MailSent {
        email: String,
    },
    Invalid(FormErrors),
}

/// Mails about one address in one of these windows are sent once (a second sign-up or reset
/// request in the same few minutes queues nothing new).
pub const MAIL_WINDOW_SECS: i64 = 300;

pub async fn sign_up<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    base: &str,
    email: &str,
    password_text: &str,
    now: i64,
) -> Result<SignUpOutcome, AppError> {
    let mut errors = FormErrors::default();
    let email = EmailAddress::parse(email).map_err(|e| errors.add("email", e)).ok();
    let context = email.as_ref().map(|e| password_context(e.as_str())).unwrap_or_default();
    let context: Vec<&str> = context.iter().map(String::as_str).collect();
    let password = Password::new_checked(password_text, &context).map_err(|e| errors.add("password", e)).ok();
    let (Some(email), Some(password)) = (email, password) else { return Ok(SignUpOutcome::Invalid(errors)) };
    // Hashed whether or not the address is known, so both answers take as long.
    let hash = password::hash(&password).await?;
    let txn = db.begin().await?;
    begin_writing(&txn).await?;
    let existing = account::Entity::find().filter(account::Column::Email.eq(email.as_str())).one(&txn).await?;
    let window = now / MAIL_WINDOW_SECS;
    match existing {
        None => {
            // The account has no password until its address is confirmed: the one chosen here
            // travels with the link (`account_token.password_hash`).
            let created = account::ActiveModel {
                email: Set(email.as_str().to_string()),
                password_hash: Set(None),
                state: Set(AccountState::Unverified),
                role: Set(SiteRole::Developer),
                created_at: Set(now),
                verified_at: Set(None),
                password_changed_at: Set(now),
                ..Default::default()
            }
            .insert(&txn)
            .await?;
            send_verification(&txn, base, created.id, email.as_str(), hash.0, format!("verify:{}", created.id), now)
                .await?;
        }
        // Someone signs up again before the address is confirmed: a new link with this sign-up's
        // password. Whoever opens a link must type the password that came with it, so a
        // stranger's earlier sign-up with this address cannot set the owner's password.
        Some(a) if a.state == AccountState::Unverified => {
            let key = format!("verify-again:{}:{window}", a.id);
            if !super::already_queued(&txn, &key).await? {
                send_verification(&txn, base, a.id, email.as_str(), hash.0, key, now).await?;
            }
        }
        Some(a) => {
            send(
                &txn,
                email.as_str(),
                format!("signup-again:{}:{window}", a.id),
                AccountMail::SignUpAgain { base },
                now,
            )
            .await?;
        }
    }
    txn.commit().await?;
    Ok(SignUpOutcome::MailSent { email: email.as_str().to_string() })
}

/// Queues a verification link that carries the password hash chosen with it.
pub(crate) async fn send_verification(
    db: &impl ConnectionTrait,
    base: &str,
    account_id: i32,
    email: &str,
    password_hash: String,
    key: String,
    now: i64,
) -> Result<(), AppError> {
    let token = links::issue(db, account_id, TokenPurpose::Verify, None, Some(password_hash), now).await?;
    let link = format!("{base}/verify?token={}", token.expose());
    send(db, email, key, AccountMail::Verify { link: &link }, now).await?;
    Ok(())
}

#[derive(Debug, PartialEq, Eq)]
pub enum LinkOutcome {
    Done {
        email: String,
    },
    /// Unknown, used or expired: one answer for all three.
    Invalid,
}

/// Whether a verification link would work, without using it (the page a mail link opens shows
/// a button; scanners that open links change nothing).
pub async fn preview_verification(db: &impl ConnectionTrait, token: &str, now: i64) -> Result<LinkOutcome, AppError> {
    let Some(row) = links::peek(db, token, &[TokenPurpose::Verify], now).await? else {
        return Ok(LinkOutcome::Invalid);
    };
    let account = account::Entity::find_by_id(row.account_id).one(db).await?;
    Ok(match account {
        Some(a) if a.state == AccountState::Unverified => LinkOutcome::Done { email: a.email },
        _ => LinkOutcome::Invalid,
    })
}

#[derive(Debug, PartialEq, Eq)]
pub enum VerifyOutcome {
    /// Active now, with the password that came with the link.
    Verified {
        account_id: i32,
        email: String,
        /// The hash now stored, which the session started next is bound to.
        proof: password::PasswordHashString,
    },
    /// The password is not the one chosen with this link; the link still works.
    WrongPassword,
    Invalid,
}

/// Confirms the address with the password chosen at the sign-up that sent this link: the
/// account becomes active with that password.
pub async fn verify<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    token: &str,
    password_text: &str,
    now: i64,
) -> Result<VerifyOutcome, AppError> {
    let Some(row) = links::peek(db, token, &[TokenPurpose::Verify], now).await? else {
        return Ok(VerifyOutcome::Invalid);
    };
    let stored = row.password_hash.clone().map(password::PasswordHashString);
    if !password::verify(&Password::given(password_text), stored.as_ref()).await? {
        return Ok(VerifyOutcome::WrongPassword);
    }
    let txn = db.begin().await?;
    begin_writing(&txn).await?;
    let Some(row) = links::take(&txn, token, &[TokenPurpose::Verify], now).await? else {
        return Ok(VerifyOutcome::Invalid);
    };
    let Some(a) = account::Entity::find_by_id(row.account_id).one(&txn).await? else {
        return Ok(VerifyOutcome::Invalid);
    };
    let Some(next) = a.state.next(AccountEvent::Verify, a.verified_at.is_some()) else {
        return Ok(VerifyOutcome::Invalid);
    };
    let (account_id, email) = (a.id, a.email.clone());
    let mut active: account::ActiveModel = a.into();
    active.state = Set(next);
    active.verified_at = Set(Some(now));
    let Some(proof) = row.password_hash.map(password::PasswordHashString) else {
        return Ok(VerifyOutcome::Invalid);
    };
    active.password_hash = Set(Some(proof.0.clone()));
    active.password_changed_at = Set(now);
    active.update(&txn).await?;
    links::retire(&txn, account_id, &[TokenPurpose::Verify], now).await?;
    txn.commit().await?;
    Ok(VerifyOutcome::Verified { account_id, email, proof })
}
