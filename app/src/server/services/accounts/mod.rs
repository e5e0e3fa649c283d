//! Accounts: signing up, logging in, recovering, settings, sessions and what admins do to
//! accounts. Every function takes any connection (so one transaction can span several) and
//! `now`, so expiry is tested with fixed times.
pub mod admin;
pub mod links;
pub mod login;
pub mod mails;
pub mod password;
pub mod recovery;
pub mod sessions;
pub mod settings;
pub mod signup;
pub mod tokens;

use crate::server::entities::mail_outbox;
use crate::types::accounts::Viewer;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter};

/// What a password must not be built from: the address, its local part and its domain.
pub(crate) fn password_context(email: &str) -> Vec<String> {
    let mut words = vec![email.to_string()];
    if let Some((local, domain)) = email.split_once('@') {
        words.push(local.to_string());
        words.push(domain.to_string());
        words.extend(local.split(['.', '_', '-', '+']).filter(|w| w.len() > 2).map(str::to_string));
    }
    words.push("signpost".into());
    words
}

/// An account as an actor with no organizations (for the audit log of a change made through a
/// mailed link, where nobody is signed in).
pub(crate) fn bare_viewer(account_id: i32, email: &str) -> Viewer {
    Viewer { account_id, email: email.to_string(), admin: false, acting: None, orgs: Vec::new() }
}

/// Whether a mail with this key is queued (or was sent) already: repeated requests in one
/// window make no new link.
pub(crate) async fn already_queued(db: &impl ConnectionTrait, key: &str) -> Result<bool, DbErr> {
    let key = format!("{}{key}", mails::KEY_PREFIX);
    Ok(mail_outbox::Entity::find().filter(mail_outbox::Column::DedupeKey.eq(key)).count(db).await? > 0)
}
