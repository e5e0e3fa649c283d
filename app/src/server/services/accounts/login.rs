//! Logging in. A wrong password and an unknown address get the same answer after the same
//! work (a hash is always checked); only the right password learns more (unverified, disabled).
use super::links;
use super::mails::{AccountMail, send};
use super::password::{self, Password, PasswordHashString};
use super::sessions;
use super::signup::MAIL_WINDOW_SECS;
use super::tokens::Token;
use crate::error::AppError;
use crate::server::alerts::email::EmailAddress;
use crate::server::entities::account;
use crate::server::entities::account_token::TokenPurpose;
use crate::server::rate_limit::{AccountLimiter, ClientLimiter};
use crate::types::accounts::AccountState;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use std::net::IpAddr;

/// The log-in limits: attempts per client address and per account.
#[derive(Clone)]
pub struct LoginLimits {
    pub per_client: ClientLimiter,
    pub per_account: AccountLimiter,
}

impl LoginLimits {
    /// 10 attempts at once per address (refilled at 10 a minute); 5 per account, then one every
    /// 2 minutes.
    pub fn standard() -> Self {
        LoginLimits {
            per_client: ClientLimiter::per_minute(10, 10),
            per_account: AccountLimiter::new(5, std::time::Duration::from_secs(120)),
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
    if let Err(wait) = limits.per_account.check(attempt.email) {
        return Ok(LogInOutcome::Limited(wait));
    }
    let email = EmailAddress::parse(attempt.email).ok();
    let found = match &email {
        Some(e) => account::Entity::find().filter(account::Column::Email.eq(e.as_str())).one(db).await?,
        None => None,
    };
    let stored = found.as_ref().and_then(|a| a.password_hash.clone()).map(PasswordHashString);
    if !password::verify(&Password::given(attempt.password), stored.as_ref()).await? {
        return Ok(LogInOutcome::Failed);
    }
    let Some(account) = found else { return Ok(LogInOutcome::Failed) };
    match account.state {
        AccountState::Disabled => Ok(LogInOutcome::Disabled),
        AccountState::Unverified => {
            let key = format!("verify-again:{}:{}", account.id, now / MAIL_WINDOW_SECS);
            if !super::already_queued(db, &key).await? {
                let token = links::issue(db, account.id, TokenPurpose::Verify, None, now).await?;
                let link = format!("{base}/verify?token={}", token.expose());
                send(db, &account.email, key, AccountMail::Verify { link: &link }, now).await?;
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
            let token = sessions::start(db, account.id, acting, &client, attempt.user_agent, now).await?;
            Ok(LogInOutcome::SignedIn { token, account_id: account.id })
        }
    }
}
