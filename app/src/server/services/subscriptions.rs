//! Alert subscriptions: subscribe (double opt-in), confirm and unsubscribe by signed link, and
//! the fan-out of each alert event into one outbox mail per confirmed subscriber.
use super::outbox::{self, NewMail};
use crate::server::alerts::compose::{self, Subject};
use crate::server::alerts::email::EmailAddress;
use crate::server::alerts::events::AlertKind;
use crate::server::alerts::token::{Purpose, SigningKey};
use crate::server::entities::{alert_event, brand, brand_endpoint, endpoint, subscription};
use crate::types::alerts::{CONFIRM_LINK_DAYS, LinkOutcome, LinkPreview, SubscribeOutcome, TargetKind};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ColumnTrait, Condition, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
    TransactionTrait,
};
use std::collections::BTreeMap;

/// What links and signatures need: the signing key and the site's public address.
#[derive(Clone, Debug)]
pub struct AlertContext {
    pub key: SigningKey,
    pub public_url: String,
}

impl AlertContext {
    fn link(&self, path: &str, purpose: Purpose, sub: &subscription::Model) -> String {
        format!("{}{path}?token={}", self.public_url, self.key.sign(purpose, sub.id, &sub.email))
    }

    pub fn confirm_url(&self, sub: &subscription::Model) -> String {
        self.link("/alerts/confirm", Purpose::Confirm, sub)
    }

    /// The page a person opens from the mail (unsubscribes at once: one click).
    pub fn unsubscribe_url(&self, sub: &subscription::Model) -> String {
        self.link("/alerts/unsubscribe", Purpose::Unsubscribe, sub)
    }

    /// For the `List-Unsubscribe` header: mail programs POST to it (RFC 8058).
    pub fn one_click_url(&self, sub: &subscription::Model) -> String {
        self.link("/alerts/unsubscribe/one-click", Purpose::Unsubscribe, sub)
    }
}

/// A confirmation is sent again only after this long, so the form cannot flood a mailbox.
const RESEND_AFTER_SECS: i64 = 600;

/// The words and page of a subscription's target, or `None` when it does not exist.
pub async fn describe(db: &DatabaseConnection, kind: TargetKind, id: i32) -> Result<Option<(String, String)>, DbErr> {
    Ok(match kind {
        TargetKind::Endpoint => endpoint::Entity::find_by_id(id)
            .one(db)
            .await?
            .map(|e| (format!("the endpoint {}", e.address), kind.page(id))),
        TargetKind::Brand => {
            brand::Entity::find_by_id(id).one(db).await?.map(|b| (format!("the brand {}", b.name), kind.page(id)))
        }
    })
}

fn subject(ctx: &AlertContext, (label, path): (String, String)) -> Subject {
    Subject { label, page_url: format!("{}{path}", ctx.public_url) }
}

/// Records an unconfirmed subscription and queues its confirmation mail, in one transaction.
pub async fn subscribe(
    db: &DatabaseConnection,
    ctx: &AlertContext,
    email: &str,
    kind: TargetKind,
    target_id: i32,
    now: i64,
) -> Result<SubscribeOutcome, DbErr> {
    let email = match EmailAddress::parse(email) {
        Ok(e) => e,
        Err(why) => return Ok(SubscribeOutcome::InvalidEmail(why)),
    };
    let Some(about) = describe(db, kind, target_id).await? else { return Ok(SubscribeOutcome::NotFound) };
    let find = || {
        subscription::Entity::find()
            .filter(subscription::Column::TargetKind.eq(kind.as_str()))
            .filter(subscription::Column::TargetId.eq(target_id))
            .filter(subscription::Column::Email.eq(email.as_str()))
    };
    if let Some(existing) = find().one(db).await?
        && (existing.confirmed_at.is_some() || existing.confirm_sent_at.is_some_and(|t| now - t < RESEND_AFTER_SECS))
    {
        return Ok(SubscribeOutcome::Pending);
    }
    let txn = db.begin().await?;
    // The write comes first (SQLite): insert if missing, then stamp the confirmation.
    subscription::Entity::insert(subscription::ActiveModel {
        email: Set(email.as_str().into()),
        target_kind: Set(kind.as_str().into()),
        target_id: Set(target_id),
        created_at: Set(now),
        confirmed_at: Set(None),
        confirm_sent_at: Set(None),
        ..Default::default()
    })
    .on_conflict(
        OnConflict::columns([
            subscription::Column::TargetKind,
            subscription::Column::TargetId,
            subscription::Column::Email,
        ])
        .do_nothing()
        .to_owned(),
    )
    .exec_without_returning(&txn)
    .await?;
    let Some(mut sub) = find().one(&txn).await? else {
        return Err(DbErr::RecordNotFound("the subscription just written".into()));
    };
    subscription::Entity::update_many()
        .col_expr(subscription::Column::ConfirmSentAt, Expr::value(now))
        .filter(subscription::Column::Id.eq(sub.id))
        .exec(&txn)
        .await?;
    sub.confirm_sent_at = Some(now);
    let about = subject(ctx, about);
    let mail = compose::confirmation(&about, &ctx.confirm_url(&sub), &ctx.unsubscribe_url(&sub));
    outbox::enqueue(
        &txn,
        &[NewMail {
            dedupe_key: format!("confirm:{}:{now}", sub.id),
            recipient: sub.email.clone(),
            subject: mail.subject,
            body: mail.body,
            unsubscribe_url: Some(ctx.one_click_url(&sub)),
        }],
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(SubscribeOutcome::Pending)
}

/// The subscription a signed link names, if the signature holds.
async fn by_token(
    db: &DatabaseConnection,
    ctx: &AlertContext,
    purpose: Purpose,
    token: &str,
) -> Result<Option<subscription::Model>, DbErr> {
    let Some(id) = SigningKey::id_of(token) else { return Ok(None) };
    let sub = subscription::Entity::find_by_id(id).one(db).await?;
    Ok(sub.filter(|s| ctx.key.verify(purpose, token, s.id, &s.email)))
}

async fn page_of(db: &DatabaseConnection, sub: &subscription::Model) -> Result<(String, String), DbErr> {
    let described = match TargetKind::parse(&sub.target_kind) {
        Some(kind) => describe(db, kind, sub.target_id).await?,
        None => None,
    };
    Ok(described.unwrap_or_else(|| ("something no longer in the directory".into(), "/".into())))
}

fn confirm_expired(sub: &subscription::Model, now: i64) -> bool {
    sub.confirmed_at.is_none() && now - sub.confirm_sent_at.unwrap_or(sub.created_at) > CONFIRM_LINK_DAYS * 86_400
}

/// What a link would do, without doing it (the page a GET of the link shows).
pub async fn preview(
    db: &DatabaseConnection,
    ctx: &AlertContext,
    confirming: bool,
    token: &str,
    now: i64,
) -> Result<LinkPreview, DbErr> {
    let purpose = if confirming { Purpose::Confirm } else { Purpose::Unsubscribe };
    let Some(sub) = by_token(db, ctx, purpose, token).await? else { return Ok(LinkPreview::Invalid) };
    if confirming && confirm_expired(&sub, now) {
        return Ok(LinkPreview::Expired);
    }
    let (label, page) = page_of(db, &sub).await?;
    Ok(LinkPreview::Ready { label, page, done: confirming && sub.confirmed_at.is_some() })
}

/// Presses a confirmation link's button: alerts start. Pressing it again changes nothing; a link
/// older than `CONFIRM_LINK_DAYS` confirms nothing.
pub async fn confirm(db: &DatabaseConnection, ctx: &AlertContext, token: &str, now: i64) -> Result<LinkOutcome, DbErr> {
    let Some(sub) = by_token(db, ctx, Purpose::Confirm, token).await? else { return Ok(LinkOutcome::Invalid) };
    if confirm_expired(&sub, now) {
        return Ok(LinkOutcome::Expired);
    }
    subscription::Entity::update_many()
        .col_expr(subscription::Column::ConfirmedAt, Expr::value(now))
        .filter(subscription::Column::Id.eq(sub.id))
        .filter(subscription::Column::ConfirmedAt.is_null())
        .exec(db)
        .await?;
    let (label, page) = page_of(db, &sub).await?;
    Ok(LinkOutcome::Confirmed { label, page })
}

/// Opens an unsubscribe link: the subscription is deleted (the address is forgotten).
pub async fn unsubscribe(db: &DatabaseConnection, ctx: &AlertContext, token: &str) -> Result<LinkOutcome, DbErr> {
    let Some(sub) = by_token(db, ctx, Purpose::Unsubscribe, token).await? else { return Ok(LinkOutcome::Invalid) };
    let (label, page) = page_of(db, &sub).await?;
    subscription::Entity::delete_by_id(sub.id).exec(db).await?;
    Ok(LinkOutcome::Unsubscribed { label, page })
}

/// Turns pending alert events into outbox mails, one per confirmed subscriber of the endpoint
/// or of a brand that uses it (an address subscribed to both gets one). Each event is marked in
/// the transaction that queues its mails. Returns the number of mails queued.
pub async fn fan_out(db: &DatabaseConnection, ctx: &AlertContext, now: i64) -> Result<usize, DbErr> {
    let mut queued = 0;
    loop {
        let events = alert_event::Entity::find()
            .filter(alert_event::Column::FannedOut.eq(false))
            .order_by_asc(alert_event::Column::Id)
            .limit(100)
            .all(db)
            .await?;
        if events.is_empty() {
            return Ok(queued);
        }
        for event in events {
            let mails = mails_for(db, ctx, &event).await?;
            let txn = db.begin().await?;
            let claimed = alert_event::Entity::update_many()
                .col_expr(alert_event::Column::FannedOut, Expr::value(true))
                .filter(alert_event::Column::Id.eq(event.id))
                .filter(alert_event::Column::FannedOut.eq(false))
                .exec(&txn)
                .await?;
            // Another instance fanned it out first.
            if claimed.rows_affected == 1 {
                queued += outbox::enqueue(&txn, &mails, now).await?;
            }
            txn.commit().await?;
        }
    }
}

async fn mails_for(
    db: &DatabaseConnection,
    ctx: &AlertContext,
    event: &alert_event::Model,
) -> Result<Vec<NewMail>, DbErr> {
    let Some(kind) = AlertKind::parse(&event.kind) else {
        tracing::warn!(kind = %event.kind, "unknown alert kind; no mail");
        return Ok(Vec::new());
    };
    let Some(endpoint) = endpoint::Entity::find_by_id(event.endpoint_id).one(db).await? else { return Ok(Vec::new()) };
    let brand_ids: Vec<i32> = brand_endpoint::Entity::find()
        .select_only()
        .column(brand_endpoint::Column::BrandId)
        .filter(brand_endpoint::Column::EndpointId.eq(endpoint.id))
        .into_tuple()
        .all(db)
        .await?;
    let subs = subscription::Entity::find()
        .filter(subscription::Column::ConfirmedAt.is_not_null())
        .filter(
            Condition::any()
                .add(
                    Condition::all()
                        .add(subscription::Column::TargetKind.eq(TargetKind::Endpoint.as_str()))
                        .add(subscription::Column::TargetId.eq(endpoint.id)),
                )
                .add(
                    Condition::all()
                        .add(subscription::Column::TargetKind.eq(TargetKind::Brand.as_str()))
                        .add(subscription::Column::TargetId.is_in(brand_ids)),
                ),
        )
        .order_by_asc(subscription::Column::Id)
        .all(db)
        .await?;
    // One mail per address; the endpoint subscription (listed first by kind) names the reason.
    let mut by_email: BTreeMap<String, subscription::Model> = BTreeMap::new();
    for sub in subs {
        let keep =
            by_email.get(&sub.email).is_none_or(|k| k.target_kind != "endpoint" && sub.target_kind == "endpoint");
        if keep {
            by_email.insert(sub.email.clone(), sub);
        }
    }
    let page = format!("{}/endpoints/{}", ctx.public_url, endpoint.id);
    let mut mails = Vec::with_capacity(by_email.len());
    for sub in by_email.into_values() {
        let about = subject(ctx, page_of(db, &sub).await?);
        let mail = compose::alert(kind, &endpoint.address, &page, &event.detail, &about, &ctx.unsubscribe_url(&sub));
        mails.push(NewMail {
            dedupe_key: format!("event:{}:{}", event.id, sub.email),
            recipient: sub.email.clone(),
            subject: mail.subject,
            body: mail.body,
            unsubscribe_url: Some(ctx.one_click_url(&sub)),
        });
    }
    Ok(mails)
}

/// Deletes subscriptions never confirmed within a week: an address someone typed but its owner
/// never agreed to is not kept.
pub async fn prune_unconfirmed(db: &DatabaseConnection, now: i64) -> Result<u64, DbErr> {
    let r = subscription::Entity::delete_many()
        .filter(subscription::Column::ConfirmedAt.is_null())
        .filter(subscription::Column::CreatedAt.lt(now - 7 * 86_400))
        .exec(db)
        .await?;
    Ok(r.rows_affected)
}
