//! The mail outbox: mails are written here in the transaction that decides to send them, and
//! the mailer sends what is due. A mail is marked sent only after the mail server accepted it,
//! so a crash can at worst send one twice, never lose it; a unique key per mail keeps a retried
//! fan-out from queueing it again.
use super::sql::lease_due;
use crate::server::entities::mail_outbox;
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, Set};

/// A mail to queue.
#[derive(Clone, Debug)]
pub struct NewMail {
    pub dedupe_key: String,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    pub unsubscribe_url: Option<String>,
}

/// Attempts before a mail is given up (its error stays in `last_error`); the waits between
/// attempts double from one minute up to six hours, about two days in all.
pub const MAX_ATTEMPTS: i32 = 12;
/// How long a sender holds a mail before another instance may try it.
const LEASE_SECS: i64 = 120;

/// Queues mails (skipping any whose key is already queued). Returns how many were new.
pub async fn enqueue<C: ConnectionTrait>(db: &C, mails: &[NewMail], now: i64) -> Result<usize, DbErr> {
    let mut added = 0;
    for mail in mails {
        let r = mail_outbox::Entity::insert(mail_outbox::ActiveModel {
            dedupe_key: Set(mail.dedupe_key.clone()),
            recipient: Set(mail.recipient.clone()),
            subject: Set(mail.subject.clone()),
            body: Set(mail.body.clone()),
            unsubscribe_url: Set(mail.unsubscribe_url.clone()),
            created_at: Set(now),
            next_attempt_at: Set(now),
            attempts: Set(0),
            lease_until: Set(None),
            sent_at: Set(None),
            last_error: Set(None),
            ..Default::default()
        })
        .on_conflict(OnConflict::column(mail_outbox::Column::DedupeKey).do_nothing().to_owned())
        .exec_without_returning(db)
        .await?;
        added += r as usize;
    }
    Ok(added)
}

/// Leases up to `limit` mails that are due and returns them.
pub async fn claim_due(db: &DatabaseConnection, now: i64, limit: u64) -> Result<Vec<mail_outbox::Model>, DbErr> {
    let ids = lease_due(db, "mail_outbox", "next_attempt_at", " AND sent_at IS NULL", now, LEASE_SECS, limit).await?;
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    mail_outbox::Entity::find().filter(mail_outbox::Column::Id.is_in(ids)).all(db).await
}

/// Gives back the leases of claimed mails that were not tried (a mailer stopping), so they are
/// sent at once by another instance or after a restart.
pub async fn release(db: &DatabaseConnection, ids: &[i64]) -> Result<(), DbErr> {
    if ids.is_empty() {
        return Ok(());
    }
    mail_outbox::Entity::update_many()
        .col_expr(mail_outbox::Column::LeaseUntil, Expr::value(Option::<i64>::None))
        .filter(mail_outbox::Column::Id.is_in(ids.to_vec()))
        .filter(mail_outbox::Column::SentAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}

pub async fn mark_sent(db: &DatabaseConnection, id: i64, now: i64) -> Result<(), DbErr> {
    mail_outbox::Entity::update_many()
        .col_expr(mail_outbox::Column::SentAt, Expr::value(now))
        .col_expr(mail_outbox::Column::LeaseUntil, Expr::value(Option::<i64>::None))
        .col_expr(mail_outbox::Column::LastError, Expr::value(Option::<String>::None))
        .filter(mail_outbox::Column::Id.eq(id))
        .exec(db)
        .await?;
    // An account mail, or a registration contact's, may hold a single-use link: once it is out,
    // the copy here goes, so the database holds no working token (only hashes).
    mail_outbox::Entity::update_many()
        .col_expr(mail_outbox::Column::Body, Expr::value(SENT_ACCOUNT_MAIL))
        .filter(mail_outbox::Column::Id.eq(id))
        .filter(
            sea_orm::Condition::any()
                .add(mail_outbox::Column::DedupeKey.starts_with(super::accounts::mails::KEY_PREFIX))
                .add(mail_outbox::Column::DedupeKey.starts_with(super::registration::email_payers::LINK_KEY_PREFIX)),
        )
        .exec(db)
        .await?;
    Ok(())
}

/// What an account mail's body becomes once sent.
pub const SENT_ACCOUNT_MAIL: &str = "(sent; the text is not kept, since it may hold a single-use link)";

/// Records a failed attempt and when to try again: a `permanent` failure (the mail server
/// refused the address) or the last attempt is not retried.
pub async fn mark_failed(
    db: &DatabaseConnection,
    mail: &mail_outbox::Model,
    now: i64,
    error: &str,
    permanent: bool,
) -> Result<(), DbErr> {
    let attempts = mail.attempts.saturating_add(1);
    let next = if permanent || attempts >= MAX_ATTEMPTS {
        i64::MAX
    } else {
        now + (60i64 << (attempts - 1).clamp(0, 20)).min(6 * 3600)
    };
    mail_outbox::Entity::update_many()
        .col_expr(mail_outbox::Column::Attempts, Expr::value(attempts))
        .col_expr(mail_outbox::Column::NextAttemptAt, Expr::value(next))
        .col_expr(mail_outbox::Column::LeaseUntil, Expr::value(Option::<i64>::None))
        .col_expr(mail_outbox::Column::LastError, Expr::value(error.chars().take(1000).collect::<String>()))
        .filter(mail_outbox::Column::Id.eq(mail.id))
        .exec(db)
        .await?;
    Ok(())
}

/// Sent and given-up mails are kept this long (for an operator asking "did it go out?"), far
/// longer than any fan-out could be retried, so their dedupe keys are no longer needed.
pub const KEEP_SECS: i64 = 30 * 86_400;

/// Deletes mails sent, or given up, more than `KEEP_SECS` ago. Mails still to send are kept.
pub async fn prune(db: &DatabaseConnection, now: i64) -> Result<u64, DbErr> {
    let before = now - KEEP_SECS;
    let r = mail_outbox::Entity::delete_many()
        .filter(
            sea_orm::Condition::any().add(mail_outbox::Column::SentAt.lt(before)).add(
                sea_orm::Condition::all()
                    .add(mail_outbox::Column::NextAttemptAt.eq(i64::MAX))
                    .add(mail_outbox::Column::CreatedAt.lt(before)),
            ),
        )
        .exec(db)
        .await?;
    Ok(r.rows_affected)
}
