//! Logging in. A wrong password and an unknown address get the same answer after the same
//! work (a hash is always checked); only the right password learns more (unverified, disabled).
use super::password::{self, Password, PasswordHashString};
use super::sessions;
use super::signup::{MAIL_WINDOW_SECS, send_verification};
use super::tokens::Token;
use crate::error::AppError;
use crate::server::alerts::email::EmailAddress;
use crate::server::entities::account;
use crate::server::entities::account_token::{self, TokenPurpose};
use crate::server::rate_limit::{AccountLimiter, ClientLimiter};
use crate::types::accounts::AccountState;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use std::net::IpAddr;

/// The log-in limits: attempts per client address, per account from one client, and per
/// account from everywhere (a ceiling high enough that one attacker cannot lock an account's
/// owner out by guessing from one address).
#[derive(Clone)]
pub struct LoginLimits {
    pub per_client: ClientLimiter,
    pub per_account: AccountLimiter,
    pub per_address: AccountLimiter,
}

impl LoginLimits {
    /// 10 attempts at once per client (refilled at 10 a minute); 5 per account and client, then
    /// one every 2 minutes; 50 per account from all clients, then one every 20 seconds. The
    /// current-password checks of the settings forms count against the second.
    pub fn standard() -> Self {
        LoginLimits {
            per_client: ClientLimiter::per_minute(10, 10),
            per_account: AccountLimiter::new(5, std::time::Duration::from_secs(120)),
            per_address: AccountLimiter::new(50, std::time::Duration::from_secs(20)),
        }
    }
}

pub enum LogInOutcome {
    SignedIn {
        token: Token,
        account_id: i32,
    },
    /// Wrong address or password (never says which).
    Failed,
    /// The password was right but the address is not confirmed yet: a new link was sent.
    Unverified,
    Disabled,
    /// Seconds to wait.
    Limited(u64),
}

pub struct Attempt<'a> {
    pub email: &'a str,
    pub password: &'a str,
    pub client: IpAddr,
    pub user_agent: &'a str,
}

pub async fn log_in(
    db: &impl ConnectionTrait,
    limits: &LoginLimits,
    base: &str,
    attempt: Attempt<'_>,
    now: i64,
) -> Result<LogInOutcome, AppError> {
    if let Err(wait) = limits.per_client.check(attempt.client) {
        return Ok(LogInOutcome::Limited(wait));
    }
    let client_key = crate::server::rate_limit::client_key(attempt.client);
    if let Err(wait) = limits.per_account.check(&format!("{}|{client_key}", attempt.email.trim())) {
        return Ok(LogInOutcome::Limited(wait));
    }
    if let Err(wait) = limits.per_address.check(attempt.email) {
        return Ok(LogInOutcome::Limited(wait));
    }
    let email = EmailAddress::parse(attempt.email).ok();
    let found = match &email {
        Some(e) => account::Entity::find().filter(account::Column::Email.eq(e.as_str())).one(db).await?,
        None => None,
    };
    // An account that is not confirmed yet has no password of its own: the one chosen at its
    // newest sign-up travels with its newest link.
    let pending = match &found {
        Some(a) if a.state == AccountState::Unverified => newest_verification(db, a.id, now).await?,
        _ => None,
    };
    let stored = match (&found, &pending) {
        (_, Some(p)) => Some(PasswordHashString(p.clone())),
        (Some(a), None) => a.password_hash.clone().map(PasswordHashString),
        (None, None) => None,
    };
    if !password::verify(&Password::given(attempt.password), stored.as_ref()).await? {
        return Ok(LogInOutcome::Failed);
    }
    let Some(account) = found else { return Ok(LogInOutcome::Failed) };
    match account.state {
        AccountState::Disabled => Ok(LogInOutcome::Disabled),
        AccountState::Unverified => {
            let key = format!("verify-again:{}:{}", account.id, now / MAIL_WINDOW_SECS);
            if let (Some(hash), false) = (pending, super::already_queued(db, &key).await?) {
                send_verification(db, base, account.id, &account.email, hash, key, now).await?;
            }
            Ok(LogInOutcome::Unverified)
        }
        AccountState::Active => {
            // An account in exactly one organization acts for it from the start.
            let orgs = sessions::organizations_of(db, account.id).await?;
            let acting = match orgs.as_slice() {
                [only] => Some(only.id),
                _ => None,
            };
            let client = attempt.client.to_string();
            // The password checked may have been changed meanwhile: then this log-in fails.
            let Some(proof) = &stored else { return Ok(LogInOutcome::Failed) };
            match sessions::start(db, account.id, proof, acting, &client, attempt.user_agent, now).await? {
                Some(token) => Ok(LogInOutcome::SignedIn { token, account_id: account.id }),
                None => Ok(LogInOutcome::Failed),
            }
        }
    }
}

/// The password hash of an unconfirmed account's newest open verification link.
async fn newest_verification(db: &impl ConnectionTrait, account_id: i32, now: i64) -> Result<Option<String>, AppError> {
    let row = account_token::Entity::find()
        .filter(account_token::Column::AccountId.eq(account_id))
        .filter(account_token::Column::Purpose.eq(TokenPurpose::Verify))
        .filter(account_token::Column::UsedAt.is_null())
        .filter(account_token::Column::ExpiresAt.gt(now))
        .order_by_desc(account_token::Column::CreatedAt)
        .one(db)
        .await?;
    Ok(row.and_then(|r| r.password_hash))
}
